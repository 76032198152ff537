/*
 * real_sys.c — sys/real.c against the real kernel: every wrapper returns -errno with the
 * errno the man page promises, leaves out-parameters alone on failure, and (FIU=1 builds)
 * every libfiu point named in the inventory fires with the errno it is given.
 *
 * The tests work in a fresh /var/tmp/mcz-rt-<test>-XXXXXX and remove it; the runner fails a
 * test that leaves it (or an fd) behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h> /* ST_* flags */
#include <sys/wait.h>
#include <unistd.h>

#include "scenarios/real_tests.h"
#include "sys/fiu-local.h"
#include "sys/sys.h"

#ifdef FIU_ENABLE
#include <fiu-control.h>
#endif

/* A temp dir and an O_PATH|O_DIRECTORY fd on it; real_done() removes both. */
struct real_env {
	char dir[PATH_MAX];
	int dfd;
};

static int real_env_init(struct real_env *e)
{
	int r = real_tmpdir(e->dir, sizeof(e->dir));

	if (r < 0)
		return r;
	e->dfd = open(e->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (e->dfd < 0) {
		r = -errno;
		(void)real_rm_rf(e->dir);
		return r;
	}
	return 0;
}

/* Returns 0 when everything is gone, so tests can `return real_env_done(&e);`. */
static int real_env_done(struct real_env *e)
{
	int r;

	close(e->dfd);
	r = real_rm_rf(e->dir);
	if (r < 0 || real_exists(e->dir)) {
		fprintf(stderr, "%s: cannot remove '%s': %s\n", real_test_name(), e->dir, strerror(-r));
		return 1;
	}
	return REAL_PASS;
}

#define ENV_INIT(e)                                                                             \
	do {                                                                                    \
		int env_r_ = real_env_init(e);                                                  \
		REAL_ASSERT(env_r_ == 0, "temp dir: %s", strerror(-env_r_));                    \
	} while (0)


REAL_TEST(sys_mkdirat__eexist, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	struct stat st;

	ENV_INIT(&e);
	EXPECT_OK(sys_mkdirat(s, e.dfd, "d", 0700));
	EXPECT_ERR(sys_mkdirat(s, e.dfd, "d", 0700), EEXIST);
	EXPECT_ERR(sys_mkdirat(s, e.dfd, "missing/d", 0700), ENOENT);
	EXPECT_OK(sys_fstatat(s, e.dfd, "d", &st, AT_SYMLINK_NOFOLLOW));
	REAL_ASSERT(S_ISDIR(st.st_mode), "mode %o", st.st_mode);
	EXPECT_OK(sys_unlinkat(s, e.dfd, "d", AT_REMOVEDIR));
	return real_env_done(&e);
}

REAL_TEST(sys_openat__enoent_and_nofollow_eloop, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	int fd;

	ENV_INIT(&e);
	EXPECT_ERR(sys_openat(s, e.dfd, "missing", O_RDONLY | O_CLOEXEC, 0), ENOENT);
	REAL_ASSERT(symlinkat("target", e.dfd, "link") == 0, "symlink: %m");
	/* O_NOFOLLOW on a final symlink is ELOOP, unless O_PATH, which opens the link itself. */
	EXPECT_ERR(sys_openat(s, e.dfd, "link", O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0), ELOOP);
	fd = sys_openat(s, e.dfd, "link", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	REAL_ASSERT(fd >= 0, "O_PATH|O_NOFOLLOW: %d", fd);
	EXPECT_OK(sys_close(s, fd));
	fd = sys_openat(s, e.dfd, "f", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	REAL_ASSERT(fd >= 0, "O_CREAT: %d", fd);
	EXPECT_OK(sys_close(s, fd));
	EXPECT_ERR(sys_openat(s, e.dfd, "f", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600), EEXIST);
	return real_env_done(&e);
}

REAL_TEST(sys_openat2__resolve_flags, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	int fd;

	ENV_INIT(&e);
	fd = sys_openat2(s, e.dfd, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0600, RESOLVE_BENEATH);
	if (fd == -ENOSYS) {
		(void)real_env_done(&e);
		return real_skip("openat2 not supported by this kernel");
	}
	REAL_ASSERT(fd >= 0, "create beneath: %s", strerrorname_np(-fd));
	EXPECT_OK(sys_close(s, fd));
	REAL_ASSERT(symlinkat("f", e.dfd, "link") == 0, "symlink: %m");
	REAL_ASSERT(symlinkat("/etc", e.dfd, "abs") == 0, "symlink: %m");
	EXPECT_ERR(sys_openat2(s, e.dfd, "../x", O_RDONLY | O_CLOEXEC, 0, RESOLVE_BENEATH), EXDEV);
	EXPECT_ERR(sys_openat2(s, e.dfd, "/etc", O_PATH | O_CLOEXEC, 0, RESOLVE_BENEATH), EXDEV);
	EXPECT_ERR(sys_openat2(s, e.dfd, "abs/passwd", O_PATH | O_CLOEXEC, 0, RESOLVE_BENEATH), EXDEV);
	/* RESOLVE_NO_SYMLINKS refuses the last component too, even with O_PATH. */
	EXPECT_ERR(sys_openat2(s, e.dfd, "link", O_RDONLY | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	EXPECT_ERR(sys_openat2(s, e.dfd, "link", O_PATH | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS), ELOOP);
	/* A mode without O_CREAT is dropped by the wrapper rather than failing EINVAL. */
	fd = sys_openat2(s, e.dfd, "f", O_RDONLY | O_CLOEXEC, 0644, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	REAL_ASSERT(fd >= 0, "plain open: %s", strerrorname_np(-fd));
	EXPECT_OK(sys_close(s, fd));
	return real_env_done(&e);
}

REAL_TEST(sys_unlinkat__enotempty, 10)
{
	struct sys *s = sys_real();
	struct real_env e;

	ENV_INIT(&e);
	EXPECT_OK(sys_mkdirat(s, e.dfd, "d", 0700));
	EXPECT_OK(sys_mkdirat(s, e.dfd, "d/sub", 0700));
	EXPECT_ERR(sys_unlinkat(s, e.dfd, "d", AT_REMOVEDIR), ENOTEMPTY);
	EXPECT_ERR(sys_unlinkat(s, e.dfd, "d", 0), EISDIR);
	EXPECT_ERR(sys_unlinkat(s, e.dfd, "nothing", 0), ENOENT);
	REAL_ASSERT(real_exists(e.dir) && faccessat(e.dfd, "d/sub", F_OK, 0) == 0, "d/sub is gone");
	return real_env_done(&e);
}

REAL_TEST(sys_umount2__not_a_mount, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	char path[PATH_MAX + 8];

	ENV_INIT(&e);
	/* may_mount() is checked before "is it a mount point", so without CAP_SYS_ADMIN the
	 * answer is EPERM; the path lookup comes first of all (ENOENT for anyone). */
	EXPECT_ERR(sys_umount2(s, e.dir, 0), geteuid() == 0 ? EINVAL : EPERM);
	snprintf(path, sizeof(path), "%s/missing", e.dir);
	EXPECT_ERR(sys_umount2(s, path, 0), ENOENT);
	return real_env_done(&e);
}

REAL_TEST(sys_fchmod__o_path_ebadf, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	struct stat st;
	int fd;

	ENV_INIT(&e);
	EXPECT_OK(sys_mkdirat(s, e.dfd, "d", 0700));
	fd = sys_openat(s, e.dfd, "d", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	REAL_ASSERT(fd >= 0, "open: %d", fd);
	EXPECT_ERR(sys_fchmod(s, fd, 0755), EBADF);
	EXPECT_ERR(sys_fchown(s, fd, geteuid(), getegid()), EBADF);
	/* fstat and fstatfs do work on O_PATH fds. */
	EXPECT_OK(sys_fstat(s, fd, &st));
	REAL_ASSERT((st.st_mode & 07777) == 0700, "mode changed to %o", st.st_mode & 07777);
	EXPECT_OK(sys_close(s, fd));
	EXPECT_ERR(sys_close(s, fd), EBADF);
	EXPECT_ERR(sys_fchmod(s, -1, 0755), EBADF);
	return real_env_done(&e);
}

REAL_TEST(sys_ops__failure_leaves_out_params, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	struct stat st, st0;
	struct statfs sf, sf0;
	char buf[16], buf0[16];

	ENV_INIT(&e);
	memset(&st, 0xa5, sizeof(st));
	memcpy(&st0, &st, sizeof(st));
	EXPECT_ERR(sys_fstatat(s, e.dfd, "missing", &st, 0), ENOENT);
	REAL_ASSERT(memcmp(&st, &st0, sizeof(st)) == 0, "fstatat wrote its out-parameter");
	EXPECT_ERR(sys_fstat(s, -1, &st), EBADF);
	REAL_ASSERT(memcmp(&st, &st0, sizeof(st)) == 0, "fstat wrote its out-parameter");
	memset(&sf, 0xa5, sizeof(sf));
	memcpy(&sf0, &sf, sizeof(sf));
	EXPECT_ERR(sys_fstatfs(s, -1, &sf), EBADF);
	REAL_ASSERT(memcmp(&sf, &sf0, sizeof(sf)) == 0, "fstatfs wrote its out-parameter");
	memset(buf, 'x', sizeof(buf));
	memcpy(buf0, buf, sizeof(buf));
	EXPECT_OK(sys_mkdirat(s, e.dfd, "d", 0700));
	EXPECT_ERR(sys_readlinkat(s, e.dfd, "d", buf, sizeof(buf)), EINVAL);
	REAL_ASSERT(memcmp(buf, buf0, sizeof(buf)) == 0, "readlinkat wrote its buffer");
	return real_env_done(&e);
}

/* The success path of every fs op, so a wrapper that mangles an argument shows up. */
REAL_TEST(sys_ops__success, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	struct stat st;
	struct statfs sf;
	char buf[16];
	int fd;

	ENV_INIT(&e);
	EXPECT_OK(sys_mkdirat(s, e.dfd, "d", 0700));
	EXPECT_OK(sys_fchmodat(s, e.dfd, "d", 01777, 0));
	EXPECT_OK(sys_fstatat(s, e.dfd, "d", &st, 0));
	REAL_ASSERT((st.st_mode & 07777) == 01777, "mode %o", st.st_mode & 07777);
	EXPECT_OK(sys_fchownat(s, e.dfd, "d", geteuid(), getegid(), AT_SYMLINK_NOFOLLOW));
	fd = sys_openat(s, e.dfd, "d/f", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	REAL_ASSERT(fd >= 0, "open: %d", fd);
	EXPECT_OK(sys_fchmod(s, fd, 0640));
	EXPECT_OK(sys_fchown(s, fd, geteuid(), getegid()));
	EXPECT_OK(sys_fstat(s, fd, &st));
	REAL_ASSERT(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640, "mode %o", st.st_mode);
	EXPECT_OK(sys_fstatfs(s, fd, &sf));
	EXPECT_OK(sys_close(s, fd));
	REAL_ASSERT(symlinkat("some/target", e.dfd, "l") == 0, "symlink: %m");
	EXPECT_OK(sys_readlinkat(s, e.dfd, "l", buf, sizeof(buf)));
	REAL_ASSERT(sys_readlinkat(s, e.dfd, "l", buf, sizeof(buf)) == 11 && memcmp(buf, "some/target", 11) == 0,
		    "readlink");
	EXPECT_OK(sys_unlinkat(s, e.dfd, "l", 0));
	EXPECT_OK(sys_unlinkat(s, e.dfd, "d/f", 0));
	EXPECT_OK(sys_unlinkat(s, e.dfd, "d", AT_REMOVEDIR));
	return real_env_done(&e);
}

REAL_TEST(sys_read_write_rename_chdir, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	struct stat st;
	char buf[16];
	int fd;

	ENV_INIT(&e);
	fd = sys_openat(s, e.dfd, "tmp", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	REAL_ASSERT(fd >= 0, "create: %d", fd);
	REAL_ASSERT(sys_write(s, fd, "hello", 5) == 5, "write");
	EXPECT_ERR(sys_read(s, fd, buf, sizeof(buf)), EBADF); /* opened write-only */
	EXPECT_OK(sys_close(s, fd));
	/* The atomic-replace idiom of the runtime dir: write a temporary, rename it over. */
	fd = sys_openat(s, e.dfd, "state", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	REAL_ASSERT(fd >= 0, "create: %d", fd);
	EXPECT_OK(sys_close(s, fd));
	EXPECT_OK(sys_renameat(s, e.dfd, "tmp", e.dfd, "state"));
	EXPECT_ERR(sys_fstatat(s, e.dfd, "tmp", &st, 0), ENOENT);
	fd = sys_openat(s, e.dfd, "state", O_RDONLY | O_CLOEXEC, 0);
	REAL_ASSERT(fd >= 0, "open: %d", fd);
	memset(buf, 0, sizeof(buf));
	REAL_ASSERT(sys_read(s, fd, buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0, "read '%s'", buf);
	REAL_ASSERT(sys_read(s, fd, buf, sizeof(buf)) == 0, "no EOF");
	EXPECT_ERR(sys_write(s, fd, "x", 1), EBADF);
	EXPECT_OK(sys_close(s, fd));
	EXPECT_ERR(sys_renameat(s, e.dfd, "missing", e.dfd, "x"), ENOENT);
	EXPECT_OK(sys_mkdirat(s, e.dfd, "d", 0700));
	EXPECT_OK(sys_mkdirat(s, e.dfd, "d/sub", 0700));
	EXPECT_OK(sys_mkdirat(s, e.dfd, "empty", 0700));
	EXPECT_ERR(sys_renameat(s, e.dfd, "empty", e.dfd, "d"), ENOTEMPTY);
	EXPECT_ERR(sys_renameat(s, e.dfd, "state", e.dfd, "d"), EISDIR);
	EXPECT_OK(sys_chdir(s, e.dir));
	REAL_ASSERT(access("state", F_OK) == 0, "chdir did not move the cwd");
	EXPECT_ERR(sys_chdir(s, "state"), ENOTDIR);
	EXPECT_ERR(sys_chdir(s, "missing"), ENOENT);
	EXPECT_OK(sys_chdir(s, "/"));
	return real_env_done(&e);
}

/* flock locks belong to the open file description: two opens conflict, even in one process. */
REAL_TEST(sys_flock__conflict_between_opens, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	int a, b;

	ENV_INIT(&e);
	a = sys_openat(s, e.dfd, "lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	REAL_ASSERT(a >= 0, "open: %d", a);
	b = sys_openat(s, e.dfd, "lock", O_RDWR | O_CLOEXEC, 0);
	REAL_ASSERT(b >= 0, "open: %d", b);
	EXPECT_OK(sys_flock(s, a, LOCK_EX | LOCK_NB));
	EXPECT_ERR(sys_flock(s, b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	EXPECT_ERR(sys_flock(s, b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	EXPECT_OK(sys_flock(s, a, LOCK_UN));
	EXPECT_OK(sys_flock(s, b, LOCK_EX | LOCK_NB));
	EXPECT_OK(sys_close(s, b)); /* closing the last fd of a description drops its lock */
	EXPECT_OK(sys_flock(s, a, LOCK_SH | LOCK_NB));
	EXPECT_OK(sys_close(s, a));
	EXPECT_ERR(sys_flock(s, -1, LOCK_EX), EBADF);
	return real_env_done(&e);
}

REAL_TEST(sys_mount__needs_privilege, 10)
{
	struct sys *s = sys_real();
	struct real_env e;

	if (geteuid() == 0)
		return real_skip("runs as root; the privileged path is sys_mount__bind_private_ns");
	ENV_INIT(&e);
	EXPECT_ERR(sys_mount(s, e.dir, e.dir, "none", MS_BIND, NULL), EPERM);
	return real_env_done(&e);
}

/* Bind, remount read-only, unmount: the mount ops and fstatfs's flag report, inside a
 * private mount namespace of this test process so nothing reaches the host. */
static int bind_cycle(struct sys *s, struct real_env *e, const char *src, const char *dst)
{
	struct statfs sf;
	char fdpath[64];
	int fd;

	/* The core mounts onto /proc/self/fd/N to pin the directory it checked: the kernel
	 * follows the magic link to the very inode. */
	fd = sys_openat(s, e->dfd, "dst", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	REAL_ASSERT(fd >= 0, "open dst: %d", fd);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	EXPECT_OK(sys_mount(s, src, fdpath, "none", MS_BIND, NULL));
	EXPECT_OK(sys_close(s, fd));
	REAL_ASSERT(faccessat(e->dfd, "dst/file", F_OK, 0) == 0, "bind did not show src/file");
	EXPECT_ERR(sys_umount2(s, src, 0), EINVAL);
	/* A bind remount changes the per-mount flags only; "none" rather than NULL keeps
	 * valgrind quiet about mount(2)'s type argument. */
	EXPECT_OK(sys_mount(s, "none", dst, "none", MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, NULL));
	fd = sys_openat(s, e->dfd, "dst", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	REAL_ASSERT(fd >= 0, "open dst: %d", fd);
	EXPECT_OK(sys_fstatfs(s, fd, &sf));
	REAL_ASSERT((sf.f_flags & (ST_RDONLY | ST_NOSUID)) == (ST_RDONLY | ST_NOSUID), "f_flags %#lx",
		    (unsigned long)sf.f_flags);
	EXPECT_ERR(sys_mkdirat(s, fd, "x", 0700), EROFS);
	/* Any open fd under a mount, O_PATH included, pins it: a plain umount is EBUSY until
	 * it is closed (MNT_DETACH would succeed). */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	EXPECT_ERR(sys_umount2(s, fdpath, 0), EBUSY);
	EXPECT_OK(sys_close(s, fd));
	EXPECT_OK(sys_umount2(s, dst, UMOUNT_NOFOLLOW));
	EXPECT_ERR(sys_umount2(s, dst, 0), EINVAL);
	REAL_ASSERT(faccessat(e->dfd, "dst/file", F_OK, 0) < 0, "dst still shows src/file");
	return 0;
}

REAL_TEST(sys_mount__bind_private_ns, 30)
{
	struct sys *s = sys_real();
	struct real_env e;
	char src[PATH_MAX + 8], dst[PATH_MAX + 8];
	int fd, r;

	REAL_REQUIRE_ROOT();
	REAL_ASSERT(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS): %m");
	/* First, before any mount: stop propagation both ways, in case "/" is shared. */
	EXPECT_OK(sys_mount(s, "none", "/", "none", MS_REC | MS_PRIVATE, NULL));
	ENV_INIT(&e);
	snprintf(src, sizeof(src), "%s/src", e.dir);
	snprintf(dst, sizeof(dst), "%s/dst", e.dir);
	EXPECT_OK(sys_mkdirat(s, e.dfd, "src", 0755));
	EXPECT_OK(sys_mkdirat(s, e.dfd, "dst", 0755));
	fd = sys_openat(s, e.dfd, "src/file", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	REAL_ASSERT(fd >= 0, "create: %d", fd);
	EXPECT_OK(sys_close(s, fd));
	r = bind_cycle(s, &e, src, dst);
	/* On failure, drop whatever is still mounted so the removal below cannot walk into it. */
	(void)sys_umount2(s, dst, MNT_DETACH);
	if (r != 0) {
		(void)real_env_done(&e);
		return r;
	}
	return real_env_done(&e);
}

#ifdef FIU_ENABLE
static int must_not_run(struct sys *s, void *arg, struct sys_child_report *report)
{
	(void)s;
	(void)arg;
	(void)report;
	_exit(99);
}

/* spawn, if its point did not fire, makes a child blocked on its pipe: give up on it (it
 * exits 125 on EOF) and reap it, so the failure shows as a wrong return, not a leak. */
static int call_spawn(struct sys *s)
{
	struct sys_spawn_req req = { .child_main = must_not_run };
	struct sys_child c;
	int r = sys_spawn(s, &req, &c);

	if (r > 0) {
		close(c.release_fd);
		close(c.report_fd);
		(void)waitpid(r, NULL, 0);
	}
	return r;
}

/* One harmless call per op. If the point were missing or misnamed, the syscall would run:
 * bad fds and missing paths keep it from changing anything. */
static int call_op(struct sys *s, enum sys_op op)
{
	struct stat st;
	struct statfs sf;
	struct sys_passwd pw;
	sigset_t mask;
	pid_t pids[4];
	uint64_t ms;
	char buf[8];
	const char *nowhere = "/nonexistent-mcz-realtest/x";

	switch (op) {
	case SYS_OP_fstatat: return sys_fstatat(s, -1, "x", &st, 0);
	case SYS_OP_fstat: return sys_fstat(s, -1, &st);
	case SYS_OP_openat: return sys_openat(s, -1, "x", O_RDONLY | O_CLOEXEC, 0);
	case SYS_OP_openat2: return sys_openat2(s, -1, "x", O_RDONLY | O_CLOEXEC, 0, RESOLVE_BENEATH);
	case SYS_OP_mkdirat: return sys_mkdirat(s, -1, "x", 0700);
	case SYS_OP_fchmodat: return sys_fchmodat(s, -1, "x", 0700, 0);
	case SYS_OP_fchmod: return sys_fchmod(s, -1, 0700);
	case SYS_OP_fchownat: return sys_fchownat(s, -1, "x", 0, 0, 0);
	case SYS_OP_fchown: return sys_fchown(s, -1, 0, 0);
	case SYS_OP_unlinkat: return sys_unlinkat(s, -1, "x", 0);
	case SYS_OP_readlinkat: return sys_readlinkat(s, -1, "x", buf, sizeof(buf));
	case SYS_OP_close: return sys_close(s, -1);
	case SYS_OP_close_range: return sys_close_range(s, 2, 1, 0); /* EINVAL if it ran */
	case SYS_OP_dup2: return sys_dup2(s, -1, 1000);          /* EBADF if it ran */
	case SYS_OP_fstatfs: return sys_fstatfs(s, -1, &sf);
	case SYS_OP_mount: return sys_mount(s, nowhere, nowhere, "none", MS_BIND, NULL);
	case SYS_OP_umount2: return sys_umount2(s, nowhere, 0);
	case SYS_OP_read: return sys_read(s, -1, buf, sizeof(buf));
	case SYS_OP_write: return sys_write(s, -1, "x", 1);
	case SYS_OP_symlinkat: return sys_symlinkat(s, "x", -1, "y");
	case SYS_OP_sigdefault: {
		sigset_t empty; /* nothing to reset, should the point not fire */

		sigemptyset(&empty);
		return sys_sigdefault(s, &empty);
	}
	case SYS_OP_renameat: return sys_renameat(s, -1, "x", -1, "y");
	case SYS_OP_flock: return sys_flock(s, -1, LOCK_SH | LOCK_NB);
	case SYS_OP_chdir: return sys_chdir(s, nowhere);
	case SYS_OP_mount_setattr: return sys_mount_setattr(s, -1, "x", 0, 0, 0);
	case SYS_OP_open_tree: return sys_open_tree(s, -1, "x", 0);             /* EBADF if it ran */
	case SYS_OP_move_mount: return sys_move_mount(s, -1, "x", -1, "y", 0); /* EBADF if it ran */
	case SYS_OP_spawn: return call_spawn(s);
	case SYS_OP_release: {
		/* Fired: closes fd -1 (a no-op). Not fired: writing to fd -1 is EBADF. */
		struct sys_child c = { .pid = -1, .release_fd = -1, .report_fd = -1 };
		struct sys_child_report rep;

		return sys_release(s, &c, &rep);
	}
	case SYS_OP_execve: {
		char *const argv[] = { (char *)"x", NULL };

		return sys_execve(s, nowhere, argv, argv + 1);
	}
	/* The identity ops, if they ran, would only restate the identity we have (the test
	 * process leads its group, so setsid would be EPERM). */
	case SYS_OP_setsid: return sys_setsid(s);
	case SYS_OP_setgroups: { /* more than NGROUPS_MAX: EINVAL before anything is read */
		static const gid_t one = 0;

		return sys_setgroups(s, 1u << 20, &one);
	}
	case SYS_OP_geteuid: return sys_geteuid(s);
	case SYS_OP_setgid: return sys_setgid(s, getgid());
	case SYS_OP_setuid: return sys_setuid(s, getuid());
	case SYS_OP_getpwnam: return sys_getpwnam(s, "mcz-no-such-user", &pw);
	case SYS_OP_kill: return sys_kill(s, getpid(), 0);
	case SYS_OP_pidfd_send_signal: return sys_pidfd_send_signal(s, -1, 0, 0); /* EBADF if it ran */
	case SYS_OP_waitpid: return sys_waitpid(s, -1, NULL, WNOHANG);
	case SYS_OP_sigprocmask: return sys_sigprocmask(s, SIG_BLOCK, NULL, &mask);
	case SYS_OP_sigtimedwait: {
		sigset_t none;
		siginfo_t si;

		sigemptyset(&none);
		return sys_sigtimedwait(s, &none, &si, 0);
	}
	case SYS_OP_pidfd_open: return sys_pidfd_open(s, -1, 0); /* EINVAL if it ran */
	case SYS_OP_sigwait_pidfd: {
		sigset_t none;
		siginfo_t si;

		sigemptyset(&none);
		return sys_sigwait_pidfd(s, &none, -1, &si, 0);
	}
	case SYS_OP_proc_read: return sys_proc_read(s, nowhere, buf, sizeof(buf));
	case SYS_OP_proc_list: return sys_proc_list(s, pids, 4);
	case SYS_OP_nanosleep: return sys_nanosleep(s, 0);
	case SYS_OP_clock_gettime: return sys_clock_gettime(s, &ms);
	case SYS_OP_cg_mkdir: return sys_cg_mkdir(s, nowhere, 0755);
	case SYS_OP_cg_rmdir: return sys_cg_rmdir(s, nowhere);
	case SYS_OP_cg_write: return sys_cg_write(s, nowhere, "x");
	case SYS_OP_cg_read: return sys_cg_read(s, nowhere, buf, sizeof(buf));
	case SYS_OP_listdir: return sys_listdir(s, nowhere, buf, sizeof(buf));
	case SYS_OP_cg_list: return sys_cg_list(s, nowhere, buf, sizeof(buf));
	case _SYS_OP_MAX:
	case SYS_OP_ANY:
		break;
	}
	return INT_MIN; /* an op added to SYS_OPS but not here: -Wswitch flags it at build time */
}

REAL_TEST(sys_fiu__mkdirat_failinfo_errno, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	int r;

	REAL_ASSERT(fiu_init(0) == 0, "fiu_init");
	ENV_INIT(&e);
	REAL_ASSERT(fiu_enable("sys/fs/mkdirat", 1, (void *)(intptr_t)ENOSPC, 0) == 0, "fiu_enable");
	r = sys_mkdirat(s, e.dfd, "d", 0700);
	fiu_disable("sys/fs/mkdirat");
	REAL_ASSERT(r == -ENOSPC, "got %d", r);
	REAL_ASSERT(faccessat(e.dfd, "d", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT,
		    "the injected failure created the directory");
	EXPECT_OK(sys_mkdirat(s, e.dfd, "d", 0700));
	return real_env_done(&e);
}

REAL_TEST(sys_fiu__mkdirat_default_errno, 10)
{
	struct sys *s = sys_real();
	struct real_env e;
	int r;

	REAL_ASSERT(fiu_init(0) == 0, "fiu_init");
	ENV_INIT(&e);
	REAL_ASSERT(fiu_enable("sys/fs/mkdirat", 1, NULL, 0) == 0, "fiu_enable");
	r = sys_mkdirat(s, e.dfd, "d", 0700);
	fiu_disable("sys/fs/mkdirat");
	REAL_ASSERT(r == -sys_op_default_errnos[SYS_OP_mkdirat], "got %d", r);
	REAL_ASSERT(!real_exists(e.dir) || faccessat(e.dfd, "d", F_OK, AT_SYMLINK_NOFOLLOW) < 0,
		    "the injected failure created the directory");
	return real_env_done(&e);
}

/* Every inventory name is a live point in its own wrapper: with an unusual errno as failinfo
 * (proves the point fires — no real syscall returns ENOTRECOVERABLE here), then with none
 * (proves the wrapper's default matches sys_op_default_errnos). */
REAL_TEST(sys_fiu__every_inventory_point, 10)
{
	struct sys *s = sys_real();

	REAL_ASSERT(fiu_init(0) == 0, "fiu_init");
	for (int op = 0; op < _SYS_OP_MAX; op++) {
		const char *name = sys_op_fiu_names[op];
		int r;

		REAL_ASSERT(fiu_enable(name, 1, (void *)(intptr_t)ENOTRECOVERABLE, 0) == 0, "enable %s", name);
		r = call_op(s, op);
		fiu_disable(name);
		REAL_ASSERT(r == -ENOTRECOVERABLE, "%s did not fire: got %d", name, r);
		REAL_ASSERT(fiu_enable(name, 1, NULL, 0) == 0, "enable %s", name);
		r = call_op(s, op);
		fiu_disable(name);
		REAL_ASSERT(r == -sys_op_default_errnos[op], "%s: default errno %d, expected %d", name, -r,
			    sys_op_default_errnos[op]);
	}
	/* The group wildcard that SPEC §10 campaigns use (name=sys/ followed by a star). */
	REAL_ASSERT(fiu_enable("sys/*", 1, (void *)(intptr_t)ENOTRECOVERABLE, 0) == 0, "enable sys/*");
	for (int op = 0; op < _SYS_OP_MAX; op++) {
		int r = call_op(s, op);

		if (r != -ENOTRECOVERABLE) {
			fiu_disable("sys/*");
			REAL_ASSERT(0, "sys/* did not reach %s: got %d", sys_op_fiu_names[op], r);
		}
	}
	fiu_disable("sys/*");
	return REAL_PASS;
}
#endif
