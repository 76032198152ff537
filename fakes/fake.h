/*
 * fake.h — the recording fake: a small model of the kernel behind a struct sys.
 *
 * It is a model, not a stub: results follow from state and the man pages (mkdir on an
 * existing path -> EEXIST, O_NOFOLLOW on a symlink -> ELOOP, RESOLVE_BENEATH escaping -> EXDEV,
 * chmod by path follows symlinks, the umask masks mkdir/open modes, chown clears setuid...).
 * State: an in-memory filesystem (directories, regular files, symlinks; mode with all 12 bits,
 * uid, gid, inode numbers), a mount table, an fd table; room for processes and cgroups.
 *
 * Every call through fake_sys() is counted and recorded in a trace (sys/trace.h format).
 * Faults come from two sources, checked in this order:
 *   1. rules: op (or SYS_OP_ANY) + glob on the absolute path -> errno, once or always;
 *   2. the Nth-call countdown: call N fails in one of three modes (enum fake_fault_mode).
 * The world-building functions below (fake_add_*) are neither traced nor counted.
 */
#ifndef MCZ_FAKES_FAKE_H
#define MCZ_FAKES_FAKE_H

#include <stdbool.h>
#include <sys/types.h>

#include "sys/sys.h"

struct fake;

enum fake_fault_mode {
	FAKE_TRANSIENT,  /* call N fails; later calls behave */
	FAKE_PERSISTENT, /* call N and every later call fail */
	FAKE_AFTER,      /* call N takes effect, then reports failure (fail-after-effect).
	                    For ops that return a new fd the fd is released again, since the
	                    caller never learns its number. */
};

struct fake *fake_new(void); /* an empty world: just "/" (0755 root:root), umask 022 */
struct fake *fake_free(struct fake *f); /* accepts NULL, returns NULL */

/* The struct sys that the code under test uses. Owned by f. */
struct sys *fake_sys(struct fake *f);

/* ---- building the world (not traced, not counted, never fails on purpose) ----
 * Missing parents are created 0755 root:root. Return 0 or -errno (e.g. -EEXIST). */
int fake_add_dir(struct fake *f, const char *path, mode_t mode, uid_t uid, gid_t gid);
int fake_add_file(struct fake *f, const char *path, mode_t mode, uid_t uid, gid_t gid);
int fake_add_symlink(struct fake *f, const char *path, const char *target);
/* Mark path as a mount point with these mount flags (MS_RDONLY, MS_NOSUID, MS_NODEV,
 * MS_NOEXEC, MS_NOATIME, MS_NODIRATIME, MS_RELATIME); fstatfs reports them as ST_* flags. */
int fake_add_mount(struct fake *f, const char *path, unsigned long flags);
void fake_set_umask(struct fake *f, mode_t mask);

/* Look a path up without following a final symlink (lstat). 0 or -errno. */
int fake_lstat(struct fake *f, const char *path, struct stat *ret_st);

/* ---- state ----
 * A canonical, deterministic text dump of the whole model: every node (kind, mode, uid:gid,
 * path, symlink target), every mount, every open fd. Two states are equal iff their
 * snapshots are equal. Caller frees. */
char *fake_snapshot(const struct fake *f);
/* The same, restricted to nodes at or below `path` (mounts and fds always included). */
char *fake_snapshot_under(const struct fake *f, const char *path);
int fake_open_fds(const struct fake *f); /* how many fds are open */

/* ---- trace ---- */
const char *fake_trace(const struct fake *f); /* never NULL */
void fake_trace_clear(struct fake *f);
unsigned long fake_calls(const struct fake *f); /* calls made through fake_sys() */

/* ---- faults ---- */
/* Arm the countdown: the nth call from now (n >= 1) fails. err 0 = the op's default errno.
 * n = 0 disarms. */
void fake_fail_nth(struct fake *f, unsigned long n, enum fake_fault_mode mode, int err);
/* A rule: calls of op (SYS_OP_ANY for all) whose absolute path matches glob (fnmatch(3),
 * NULL = any path) fail with -err; once = only the first match. */
void fake_on(struct fake *f, int op, const char *glob, int err, bool once);
void fake_rules_clear(struct fake *f);
void fake_disarm(struct fake *f); /* countdown and rules off */

unsigned long fake_faults_injected(const struct fake *f); /* since fake_new/fake_disarm */
int fake_last_fault_op(const struct fake *f);             /* enum sys_op, or -1 */
int fake_last_fault_errno(const struct fake *f);          /* positive errno, or 0 */

/* Called on every injected fault: a place for a debugger breakpoint (SQLite's
 * sqlite3FaultSim hook). */
void fake_fault_hit(void);

#endif
