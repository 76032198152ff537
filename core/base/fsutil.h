/* fsutil.h — small file helpers over the sys layer (mkdir -p, atomic writes). */
#ifndef MCZ_CORE_FSUTIL_H
#define MCZ_CORE_FSUTIL_H

#include <stdbool.h>

#include "core/base/error.h"
#include "sys/sys.h"

/* mkdir -p: missing intermediate directories 0755, the leaf `mode` (umask applies). An
 * existing leaf must be a directory. *ret_created (may be NULL) tells whether the leaf was
 * made by this call. */
int mcz_mkdir_p(struct sys *s, const char *path, mode_t mode, bool *ret_created,
		struct mcz_error *err);

/* Write `content` to dir/name atomically: dir/name.tmp, then rename over dir/name, so a
 * reader (or a crash) never sees half a file. */
int mcz_write_atomic(struct sys *s, const char *dir, const char *name, const char *content,
		     struct mcz_error *err);

/* Point the symlink dir/name at `target` atomically (a symlink dir/name.tmp renamed over it).
 * For small, often-rewritten values such as a state: a symlink has no data blocks, so the
 * rename never waits for data to reach the disk (ext4 flushes a replaced file's data on
 * rename: auto_da_alloc); readers use readlink. */
int mcz_symlink_atomic(struct sys *s, const char *dir, const char *name, const char *target,
		       struct mcz_error *err);

/* unlink, or rmdir with AT_REMOVEDIR; "already gone" (ENOENT) is success. */
int mcz_remove(struct sys *s, const char *path, int flags, struct mcz_error *err);

/* The names in a directory (cgroup: the child cgroups of a cgroup directory, through
 * cg_list), sorted, dot files left out, dirs_only: directories only; NULL-terminated, freed
 * with mcz_names_free(). A directory that does not exist gives *ret = NULL and 0. */
int mcz_list_names(struct sys *s, const char *path, bool cgroup, bool dirs_only, char ***ret,
		   struct mcz_error *err);
void mcz_names_free(char **names); /* accepts NULL */

/* dir/name (at most 1 MiB, not following a final symlink) into *ret, NUL-terminated; -ENOENT
 * without a message when it does not exist. Caller frees. */
int mcz_read_file(struct sys *s, const char *dir, const char *name, char **ret,
		  struct mcz_error *err);

/* Unmount the namespace handle at path (a bind mount of /proc/PID/ns/...) only when what is
 * there is one (nsfs), never following a symlink (UMOUNT_NOFOLLOW): the runtime dir is mcz's,
 * but nothing else mounted there is ours to unmount. 0 when there is nothing to unmount. */
int mcz_umount_nsfs(struct sys *s, const char *path, struct mcz_error *err);

/* 1 if path exists (not following a final symlink), 0 if not (ENOENT), -errno otherwise. */
int mcz_exists(struct sys *s, const char *path, struct mcz_error *err);

#endif
