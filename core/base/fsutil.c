/* fsutil.c — see fsutil.h. */
#include <stdlib.h>
#include <string.h>

#include "core/base/fsutil.h"
#include "lib/util.h"

/* Directories usually exist already: try the leaf first and walk up only on ENOENT (one call
 * instead of one per component). */
static int mkdir_parents(struct sys *s, char *p, mode_t mode, bool *ret_created, struct mcz_error *err)
{
	int r = sys_mkdirat(s, AT_FDCWD, p, mode);
	char *slash;

	if (r == -ENOENT && (slash = strrchr(p, '/')) && slash != p) {
		*slash = '\0';
		r = mkdir_parents(s, p, 0755, NULL, err);
		*slash = '/';
		if (r < 0)
			return r;
		r = sys_mkdirat(s, AT_FDCWD, p, mode);
	}
	if (r < 0 && r != -EEXIST)
		return mcz_error_sys(err, r, SYS_OP_mkdirat, p);
	if (ret_created)
		*ret_created = r == 0;
	return 0;
}

int mcz_mkdir_p(struct sys *s, const char *path, mode_t mode, bool *ret_created,
		struct mcz_error *err)
{
	_cleanup_free_ char *p = mcz_xstrdup(path);
	size_t len = strlen(p);
	struct stat st;
	bool created = false;
	int r;

	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	r = mkdir_parents(s, p, mode, &created, err);
	if (ret_created)
		*ret_created = created;
	if (r < 0 || created)
		return r;
	r = sys_fstatat(s, AT_FDCWD, p, &st, 0);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_fstatat, p);
	if (!S_ISDIR(st.st_mode))
		return mcz_error_sys(err, -ENOTDIR, SYS_OP_mkdirat, p);
	return 0;
}

static int write_all(struct sys *s, int fd, const char *content, const char *path,
		     struct mcz_error *err)
{
	size_t len = strlen(content), done = 0;

	while (done < len) {
		int n = sys_write(s, fd, content + done, len - done);

		if (n < 0)
			return mcz_error_sys(err, n, SYS_OP_write, path);
		if (n == 0)
			return mcz_error_sys(err, -EIO, SYS_OP_write, path);
		done += (size_t)n;
	}
	return 0;
}

int mcz_write_atomic(struct sys *s, const char *dir, const char *name, const char *content,
		     struct mcz_error *err)
{
	_cleanup_free_ char *tmp = mcz_xasprintf("%s/%s.tmp", dir, name);
	_cleanup_free_ char *dst = mcz_xasprintf("%s/%s", dir, name);
	int fd, r, rc;

	/* A new file, never an existing one: the directory may be writable by others (a
	 * --termination_file in a sandbox), and a FIFO planted as the temporary would hang
	 * the open, a hard link to another file would have it truncated (SPEC §11). O_EXCL
	 * refuses a symlink too. One left by an interrupted write is removed, once. */
	for (int tries = 0;; tries++) {
		fd = sys_openat(s, AT_FDCWD, tmp,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
		if (fd != -EEXIST || tries > 0)
			break;
		r = sys_unlinkat(s, AT_FDCWD, tmp, 0);
		if (r < 0 && r != -ENOENT)
			return mcz_error_sys(err, r, SYS_OP_unlinkat, tmp);
	}
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, tmp);
	r = write_all(s, fd, content, tmp, err);
	/* A failed close after a complete write may mean the data never reached the file. */
	rc = sys_close(s, fd);
	if (r >= 0 && rc < 0)
		r = mcz_error_sys(err, rc, SYS_OP_close, tmp);
	if (r >= 0) {
		r = sys_renameat(s, AT_FDCWD, tmp, AT_FDCWD, dst);
		if (r < 0)
			mcz_error_sys(err, r, SYS_OP_renameat, dst);
	}
	if (r < 0)
		(void)sys_unlinkat(s, AT_FDCWD, tmp, 0); /* best effort: the error above says why */
	return r;
}

int mcz_symlink_atomic(struct sys *s, const char *dir, const char *name, const char *target,
		       struct mcz_error *err)
{
	_cleanup_free_ char *tmp = mcz_xasprintf("%s/%s.tmp", dir, name);
	_cleanup_free_ char *dst = mcz_xasprintf("%s/%s", dir, name);
	int r = sys_symlinkat(s, target, AT_FDCWD, tmp);

	if (r == -EEXIST) {
		/* left by an interrupted earlier write */
		r = mcz_remove(s, tmp, 0, err);
		if (r < 0)
			return r;
		r = sys_symlinkat(s, target, AT_FDCWD, tmp);
	}
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_symlinkat, tmp);
	r = sys_renameat(s, AT_FDCWD, tmp, AT_FDCWD, dst);
	if (r < 0) {
		mcz_error_sys(err, r, SYS_OP_renameat, dst);
		(void)sys_unlinkat(s, AT_FDCWD, tmp, 0); /* best effort: the error above says why */
	}
	return r;
}

int mcz_remove(struct sys *s, const char *path, int flags, struct mcz_error *err)
{
	int r = sys_unlinkat(s, AT_FDCWD, path, flags);

	if (r < 0 && r != -ENOENT)
		return mcz_error_sys(err, r, SYS_OP_unlinkat, path);
	return 0;
}

/* Room for a few thousand entries of a runtime dir or a cgroup root (ERANGE beyond). */
#define LIST_MAX (256 * 1024)

int mcz_list_names(struct sys *s, const char *path, bool cgroup, bool dirs_only, char ***ret,
		   struct mcz_error *err)
{
	_cleanup_free_ char *buf = mcz_xmalloc(LIST_MAX);
	int n = cgroup ? sys_cg_list(s, path, buf, LIST_MAX) : sys_listdir(s, path, buf, LIST_MAX);
	size_t count = 0, k = 0;
	char **out;

	*ret = NULL;
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return mcz_error_sys(err, n, cgroup ? SYS_OP_cg_list : SYS_OP_listdir, path);
	for (int i = 0; i < n; i += (int)strlen(buf + i) + 1)
		count++;
	out = mcz_xcalloc(count + 1, sizeof(char *));
	/* Each entry: a type letter ('d' or 'f'), the name, a NUL. */
	for (int i = 0; i < n; i += (int)strlen(buf + i) + 1)
		if (buf[i + 1] != '.' && (!dirs_only || buf[i] == 'd'))
			out[k++] = mcz_xstrdup(buf + i + 1);
	*ret = out;
	return 0;
}

void mcz_names_free(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

int mcz_exists(struct sys *s, const char *path, struct mcz_error *err)
{
	struct stat st;
	int r = sys_fstatat(s, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);

	if (r == -ENOENT)
		return 0;
	return r < 0 ? mcz_error_sys(err, r, SYS_OP_fstatat, path) : 1;
}

#define FILE_MAX (1024 * 1024) /* mcz's own files are a few KB; more is not ours */


static int read_all(struct sys *s, int fd, char **ret, const char *path, struct mcz_error *err)
{
	size_t len = 0, cap = 4096;
	_cleanup_free_ char *buf = mcz_xmalloc(cap);

	for (;;) {
		int n = sys_read(s, fd, buf + len, cap - len - 1);

		if (n < 0)
			return mcz_error_sys(err, n, SYS_OP_read, path);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len + 1 == cap && cap >= FILE_MAX)
			return mcz_error_sys_msg(err, -EFBIG, SYS_OP_read, path, "read '%s': %s", path,
						 strerror(EFBIG));
		if (len + 1 == cap)
			buf = mcz_xrealloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	return 0;
}

/* See fsutil.h. */
int mcz_read_file(struct sys *s, const char *dir, const char *name, char **ret,
		  struct mcz_error *err)
{
	_cleanup_free_ char *path = mcz_xasprintf("%s/%s", dir, name);
	int fd = sys_openat(s, AT_FDCWD, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	int r;

	if (fd == -ENOENT)
		return fd;
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, path);
	r = read_all(s, fd, ret, path, err);
	(void)sys_close(s, fd); /* read only: nothing to lose */
	return r;
}

#define NSFS_MAGIC 0x6e736673 /* linux/magic.h */

int mcz_umount_nsfs(struct sys *s, const char *path, struct mcz_error *err)
{
	struct statfs sf;
	int fd = sys_openat(s, AT_FDCWD, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0), r;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, path);
	r = sys_fstatfs(s, fd, &sf);
	(void)sys_close(s, fd); /* an O_PATH fd: nothing to flush */
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_fstatfs, path);
	if ((unsigned long)sf.f_type != NSFS_MAGIC)
		return 0; /* not (or no longer) a namespace handle: nothing of ours to unmount */
	/* UMOUNT_NOFOLLOW: a symlink put there is never followed to unmount something else.
	 * MNT_DETACH: an fd someone holds on the handle must not keep it mounted. EINVAL: not
	 * a mount point any more (unmounted meanwhile). */
	r = sys_umount2(s, path, MNT_DETACH | UMOUNT_NOFOLLOW);
	if (r < 0 && r != -EINVAL && r != -ENOENT)
		return mcz_error_sys(err, r, SYS_OP_umount2, path);
	return 0;
}
