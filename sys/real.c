/*
 * real.c — the real kernel behind struct sys: one thin wrapper per SYS_OPS entry.
 *
 * Each wrapper starts with a libfiu point named like the inventory's sys_op_fiu_names[]
 * ("sys/<area>/<name>"), placed before the syscall so an injected fault changes nothing,
 * as a real failing syscall would. The failinfo, when set, is the errno to return
 * (fiu_enable(name, 1, (void *)(intptr_t)ENOSPC, 0)); otherwise the op's default errno
 * from the inventory. Without FIU_ENABLE (a normal `make`) the points compile to nothing.
 *
 * Wrappers return -errno and never leave the caller to read errno.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h> /* renameat */
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sys/fiu-local.h"
#include "sys/sys.h"

#ifdef FIU_ENABLE
static int fault_errno(int dflt)
{
	intptr_t e = (intptr_t)fiu_failinfo();

	return e > 0 ? (int)e : dflt;
}

/*
 * Test hooks of the FIU=1 build (ci/faults/; README "Fault campaigns and crash tests"), read
 * once from the environment when the binary starts. Every wrapper's fiu point goes through
 * fiu_do_on, redefined below to call them first.
 *
 * MCZ_CRASH_AT_CALL=N: the Nth wrapper call _exit(99)s instead of making the call. One
 * counter serves the whole process tree of the mcz command (a MAP_SHARED page made before
 * anything forks): the CLI, the supervisor it forks, the container's pid 1 until it execs, a
 * supervisor `recover` forks. So N names one call of one process and each run crashes exactly
 * one process. The counting stops when the process that started (the root) exits, so that a
 * supervisor left running after `mcz launch` returned is never crashed later.
 * MCZ_CRASH_ARM_FILE=PATH: count nothing until PATH exists (checked before each call until
 * it does), and keep counting after the root exits: launch armed-but-idle, create PATH, then
 * `mcz destroy` crashes the supervisor at the Nth call of the destroy it runs.
 * MCZ_CRASH_LOG=PATH: the crash appends "crash N sys/<area>/<op> pid P" there (and says so on
 * stderr). MCZ_FIU_LOG=PATH: every fault libfiu injects appends "fault sys/<area>/<op> pid P"
 * (how `make campaign` counts the faults that fired).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

struct crash_shared {
	long count;
	int armed;
	int closed;
};

static struct crash_shared *crash_sh;
static long crash_at;
static const char *crash_arm, *crash_log, *fiu_log;
static pid_t crash_root;

static void hook_log(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0) {
		(void)!write(fd, line, strlen(line)); /* O_APPEND: one write is one line */
		close(fd);
	}
}

static void crash_close(void)
{
	if (getpid() == crash_root)
		__atomic_store_n(&crash_sh->closed, 1, __ATOMIC_SEQ_CST);
}

static __attribute__((constructor)) void hooks_init(void)
{
	const char *v = getenv("MCZ_CRASH_AT_CALL");
	char *end = NULL;

	fiu_log = getenv("MCZ_FIU_LOG");
	if (!v || !*v)
		return;
	crash_at = strtol(v, &end, 10);
	if (*end || crash_at <= 0) {
		fprintf(stderr, "mcz: warn: MCZ_CRASH_AT_CALL='%s' is not a positive number: ignored\n", v);
		crash_at = 0;
		return;
	}
	crash_sh = mmap(NULL, sizeof(*crash_sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (crash_sh == MAP_FAILED) {
		crash_at = 0;
		return;
	}
	crash_root = getpid();
	crash_arm = getenv("MCZ_CRASH_ARM_FILE");
	crash_log = getenv("MCZ_CRASH_LOG");
	if (!crash_arm)
		atexit(crash_close);
}

static void crash_point(const char *name)
{
	int saved = errno;
	char line[160];
	long n;

	if (!crash_at || __atomic_load_n(&crash_sh->closed, __ATOMIC_SEQ_CST))
		return;
	if (crash_arm && !__atomic_load_n(&crash_sh->armed, __ATOMIC_SEQ_CST)) {
		if (access(crash_arm, F_OK) < 0) {
			errno = saved;
			return;
		}
		__atomic_store_n(&crash_sh->armed, 1, __ATOMIC_SEQ_CST);
	}
	n = __atomic_add_fetch(&crash_sh->count, 1, __ATOMIC_SEQ_CST);
	if (n != crash_at)
		return;
	snprintf(line, sizeof(line), "crash %ld %s pid %d\n", n, name, (int)getpid());
	if (crash_log)
		hook_log(crash_log, line);
	fprintf(stderr, "mcz: crash hook: call %ld (%s) in pid %d: _exit(99)\n", n, name, (int)getpid());
	_exit(99);
}

static void fault_fired(const char *name)
{
	char line[160];

	if (!fiu_log)
		return;
	snprintf(line, sizeof(line), "fault %s pid %d\n", name, (int)getpid());
	hook_log(fiu_log, line);
}

#undef fiu_do_on
#define fiu_do_on(name, action)                                                                 \
	do {                                                                                    \
		crash_point(name);                                                              \
		if (fiu_fail(name)) {                                                           \
			fault_fired(name);                                                      \
			action;                                                                 \
		}                                                                               \
	} while (0)
#endif

/* Declared from the inventory so a wrapper whose signature drifts fails to compile. */
#define X(name, area, kinds, err, verb, params, args) static int real_##name(SYS_S_PARAMS params);
SYS_OPS(X)
#undef X

/* For wrappers whose syscall returns 0 or -1. */
static int zero_or_errno(int r)
{
	return r < 0 ? -errno : 0;
}

static int real_fstatat(struct sys *s, int dirfd, const char *path, struct stat *ret_st, int flags)
{
	(void)s;
	fiu_return_on("sys/fs/fstatat", -fault_errno(EACCES));
	return zero_or_errno(fstatat(dirfd, path, ret_st, flags));
}

static int real_fstat(struct sys *s, int fd, struct stat *ret_st)
{
	(void)s;
	fiu_return_on("sys/fs/fstat", -fault_errno(EIO));
	return zero_or_errno(fstat(fd, ret_st));
}

static int real_openat(struct sys *s, int dirfd, const char *path, int flags, mode_t mode)
{
	int fd;

	(void)s;
	fiu_return_on("sys/fs/openat", -fault_errno(EACCES));
	fd = openat(dirfd, path, flags, mode);
	return fd < 0 ? -errno : fd;
}

/*
 * Our own copy of the kernel's struct open_how: <linux/openat2.h> redefines the RESOLVE_*
 * constants that sys.h provides for older libcs. The layout is ABI (three u64, 24 bytes);
 * the kernel accepts a larger struct only if the extra bytes are zero.
 */
struct real_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

static int real_openat2(struct sys *s, int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve)
{
	/* openat2 rejects a non-zero mode without O_CREAT/O_TMPFILE (EINVAL) where openat
	 * ignores it, so pass it only then. O_TMPFILE includes the O_DIRECTORY bit: test all
	 * of it. */
	struct real_open_how how = {
		.flags = (uint64_t)(unsigned)flags,
		.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0,
		.resolve = resolve,
	};
	long fd;

	(void)s;
	fiu_return_on("sys/fs/openat2", -fault_errno(EACCES));
	/* ENOSYS (kernel < 5.6, or a seccomp filter) goes back as is: the core picks the
	 * fallback, since only it knows whether a plain openat is safe for this path. */
	fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static int real_mkdirat(struct sys *s, int dirfd, const char *path, mode_t mode)
{
	(void)s;
	fiu_return_on("sys/fs/mkdirat", -fault_errno(EACCES));
	return zero_or_errno(mkdirat(dirfd, path, mode));
}

static int real_fchmodat(struct sys *s, int dirfd, const char *path, mode_t mode, int flags)
{
	(void)s;
	fiu_return_on("sys/fs/fchmodat", -fault_errno(EPERM));
	return zero_or_errno(fchmodat(dirfd, path, mode, flags));
}

static int real_fchmod(struct sys *s, int fd, mode_t mode)
{
	(void)s;
	fiu_return_on("sys/fs/fchmod", -fault_errno(EPERM));
	/* On an O_PATH fd this is EBADF: the caller reopens the file (or uses
	 * /proc/self/fd/N) when it holds only a path reference. */
	return zero_or_errno(fchmod(fd, mode));
}

static int real_fchownat(struct sys *s, int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	(void)s;
	fiu_return_on("sys/fs/fchownat", -fault_errno(EPERM));
	return zero_or_errno(fchownat(dirfd, path, uid, gid, flags));
}

static int real_fchown(struct sys *s, int fd, uid_t uid, gid_t gid)
{
	(void)s;
	fiu_return_on("sys/fs/fchown", -fault_errno(EPERM));
	return zero_or_errno(fchown(fd, uid, gid));
}

static int real_unlinkat(struct sys *s, int dirfd, const char *path, int flags)
{
	(void)s;
	fiu_return_on("sys/fs/unlinkat", -fault_errno(EBUSY));
	return zero_or_errno(unlinkat(dirfd, path, flags));
}

static int real_readlinkat(struct sys *s, int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n;

	(void)s;
	fiu_return_on("sys/fs/readlinkat", -fault_errno(EACCES));
	n = readlinkat(dirfd, path, buf, size);
	return n < 0 ? -errno : (int)n;
}

static int real_close(struct sys *s, int fd)
{
	(void)s;
	/* An injected failure releases the fd too, as the op's contract (and Linux) says: a
	 * descriptor left open by a fault would keep its flock, and `mcz destroy` then waited
	 * forever on a lock it held itself (found by the fault campaign). */
	fiu_do_on("sys/fs/close", (void)close(fd); return -fault_errno(EIO));
	/* Linux releases the descriptor before reporting EINTR or EIO, so the error is
	 * returned for the record and never retried: a retry could close an fd another
	 * thread has just been given. */
	return zero_or_errno(close(fd));
}

#ifndef SYS_close_range
#define SYS_close_range 436 /* the same number on every architecture */
#endif

/* Before Linux 5.9: the fds of /proc/self/fd in [first, last] get FD_CLOEXEC one by one. */
static int cloexec_by_walk(unsigned first, unsigned last)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char *end;
		unsigned long fd = strtoul(e->d_name, &end, 10);

		if (*end || e->d_name[0] == '.' || fd < first || fd > last || (int)fd == dirfd(d))
			continue;
		int fl = fcntl((int)fd, F_GETFD);
		if (fl >= 0)
			(void)fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
	}
	closedir(d);
	return 0;
}

static int real_close_range(struct sys *s, unsigned first, unsigned last, int flags)
{
	(void)s;
	fiu_return_on("sys/fs/close_range", -fault_errno(EINVAL));
	if (syscall(SYS_close_range, first, last, (unsigned)flags) == 0)
		return 0;
	/* ENOSYS before Linux 5.9, EINVAL for CLOSE_RANGE_CLOEXEC on 5.9 and 5.10, EPERM from
	 * a seccomp filter that does not know the call: walk instead. */
	if ((errno == ENOSYS || errno == EINVAL || errno == EPERM) && flags == CLOSE_RANGE_CLOEXEC &&
	    first <= last)
		return cloexec_by_walk(first, last);
	return -errno;
}

static int real_dup2(struct sys *s, int oldfd, int newfd)
{
	int r;

	(void)s;
	fiu_return_on("sys/fs/dup2", -fault_errno(EBADF));
	do
		r = dup2(oldfd, newfd);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static int real_fstatfs(struct sys *s, int fd, struct statfs *ret_buf)
{
	(void)s;
	fiu_return_on("sys/fs/fstatfs", -fault_errno(EIO));
	return zero_or_errno(fstatfs(fd, ret_buf));
}

static int real_mount(struct sys *s, const char *source, const char *target, const char *fstype,
		      unsigned long flags, const char *data)
{
	(void)s;
	fiu_return_on("sys/mount/mount", -fault_errno(EPERM));
	return zero_or_errno(mount(source, target, fstype, flags, data));
}

static int real_umount2(struct sys *s, const char *target, int flags)
{
	(void)s;
	fiu_return_on("sys/mount/umount2", -fault_errno(EBUSY));
	return zero_or_errno(umount2(target, flags));
}

static int real_read(struct sys *s, int fd, void *buf, size_t size)
{
	ssize_t n;

	(void)s;
	fiu_return_on("sys/fs/read", -fault_errno(EIO));
	/* The count comes back as an int: ask for no more than fits (a short count is fine). */
	n = read(fd, buf, size > INT_MAX ? INT_MAX : size);
	return n < 0 ? -errno : (int)n;
}

static int real_write(struct sys *s, int fd, const void *buf, size_t len)
{
	ssize_t n;

	(void)s;
	fiu_return_on("sys/fs/write", -fault_errno(EIO));
	n = write(fd, buf, len > INT_MAX ? INT_MAX : len);
	return n < 0 ? -errno : (int)n;
}

static int real_symlinkat(struct sys *s, const char *target, int newdirfd, const char *linkpath)
{
	(void)s;
	fiu_return_on("sys/fs/symlinkat", -fault_errno(EACCES));
	return zero_or_errno(symlinkat(target, newdirfd, linkpath));
}

static int real_renameat(struct sys *s, int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	(void)s;
	fiu_return_on("sys/fs/renameat", -fault_errno(EACCES));
	return zero_or_errno(renameat(olddirfd, oldpath, newdirfd, newpath));
}

static int real_flock(struct sys *s, int fd, int op)
{
	(void)s;
	fiu_return_on("sys/fs/flock", -fault_errno(EWOULDBLOCK));
	/* flock locks belong to the open file description: a second open() of the same file
	 * conflicts even within one process, a dup() does not. EWOULDBLOCK == EAGAIN here. */
	return zero_or_errno(flock(fd, op));
}

static int real_chdir(struct sys *s, const char *path)
{
	(void)s;
	fiu_return_on("sys/fs/chdir", -fault_errno(EACCES));
	return zero_or_errno(chdir(path));
}

/* ---- mount ---- */

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442 /* the same number on every architecture */
#endif

/* Our own copy of the kernel's struct mount_attr (ABI: four u64, 32 bytes), as for open_how:
 * <linux/mount.h> clashes with <sys/mount.h>, and older glibcs have neither the struct nor
 * the wrapper. */
struct real_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation; /* 0: leave propagation alone (MS_SHARED etc. to change it) */
	uint64_t userns_fd;   /* only with MOUNT_ATTR_IDMAP */
};

static int real_mount_setattr(struct sys *s, int dirfd, const char *path, int flags, uint64_t attr_set,
			      uint64_t attr_clr)
{
	struct real_mount_attr attr = { .attr_set = attr_set, .attr_clr = attr_clr };

	(void)s;
	fiu_return_on("sys/mount/mount_setattr", -fault_errno(EPERM));
	/* ENOSYS (kernel < 5.12, or seccomp) goes back as is: the core falls back to a
	 * remount. With AT_RECURSIVE the change is all-or-nothing over the subtree. */
	return zero_or_errno((int)syscall(SYS_mount_setattr, dirfd, path, (unsigned)flags, &attr, sizeof(attr)));
}

#ifndef SYS_open_tree
#define SYS_open_tree 428 /* the same number on every architecture */
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif

static int real_open_tree(struct sys *s, int dirfd, const char *path, int flags)
{
	long fd;

	(void)s;
	fiu_return_on("sys/mount/open_tree", -fault_errno(EPERM));
	/* ENOSYS (kernel < 5.2, or seccomp) goes back as is: the core binds by name instead. */
	fd = syscall(SYS_open_tree, dirfd, path, (unsigned)flags);
	return fd < 0 ? -errno : (int)fd;
}

static int real_move_mount(struct sys *s, int from_dirfd, const char *from_path, int to_dirfd,
			   const char *to_path, int flags)
{
	(void)s;
	fiu_return_on("sys/mount/move_mount", -fault_errno(EPERM));
	return zero_or_errno((int)syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path,
					  (unsigned)flags));
}

/* ---- processes ---- */

/*
 * Coverage builds: a child that ends in _exit() never runs gcov's atexit handler, so it
 * must dump its counters itself, and reset them first thing, as __gcov_fork() does, so the
 * parent's counts from before the clone are not written twice. Weak references are NULL
 * outside a --coverage link. (A weak reference does not pull an archive member in: libgcov's
 * dump object is linked because the instrumented execve() below becomes __gcov_execve(),
 * which calls it; define MCZ_COVERAGE in the cov build to make the reference strong.)
 */
#ifdef MCZ_COVERAGE
void __gcov_dump(void);
void __gcov_reset(void);
#else
extern void __gcov_dump(void) __attribute__((weak));
extern void __gcov_reset(void) __attribute__((weak));
#endif

static void child_gcov_reset(void)
{
	if (__gcov_reset)
		__gcov_reset();
}

static __attribute__((noreturn)) void child_exit(int code)
{
	if (__gcov_dump)
		__gcov_dump();
	_exit(code);
}

static void close_pair(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

/* The child side of spawn(); never returns. */
static __attribute__((noreturn)) void spawn_child(const struct sys_spawn_req *req, int sync_rd, int report_wr)
{
	struct sys_child_report report;
	char byte;
	ssize_t n;
	int r;

	child_gcov_reset();
	/* Wait for release(). EOF without a byte: the parent closed release_fd without
	 * releasing (it gave up, or died): leave at once, touching nothing. */
	do
		n = read(sync_rd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		child_exit(125);
	close(sync_rd);
	memset(&report, 0, sizeof(report));
	r = req->child_main(sys_real(), req->arg, &report);
	/* child_main returned: it failed before exec. Its return value stands in for a report
	 * it did not fill in, so release() never mistakes the failure for an exec (errnum 0). */
	if (report.errnum <= 0)
		report.errnum = r < 0 ? -r : EIO;
	report.step[sizeof(report.step) - 1] = '\0';
	report.path[sizeof(report.path) - 1] = '\0';
	/* One write of at most PIPE_BUF bytes to a pipe is atomic: the parent reads all of it
	 * or (the child died first) none. */
	_Static_assert(sizeof(report) <= PIPE_BUF, "the report must fit one atomic pipe write");
	do
		n = write(report_wr, &report, sizeof(report));
	while (n < 0 && errno == EINTR);
	child_exit(125);
}

/*
 * clone(2) through the raw syscall, with a NULL stack: fork semantics (the child runs on a
 * copy of our stack), plus the namespace flags fork() cannot take. Not clone3: it buys
 * nothing here (no pidfd or cgroup placement is used) and clone is older and simpler to
 * read. The glibc wrapper clone() insists on a new stack and a function. Raw clone skips
 * glibc's fork bookkeeping (atfork handlers, the malloc and stdio locks): safe because mcz
 * is single-threaded, and since glibc 2.25 getpid() is not cached, so a child in a new pid
 * namespace sees 1. With all pointers NULL the argument order, which differs between
 * architectures, does not matter.
 *
 * Both pipes are O_CLOEXEC: the exec'ed command inherits neither, which is how release()
 * learns the exec happened (EOF on the report pipe).
 */
static int real_spawn(struct sys *s, const struct sys_spawn_req *req, struct sys_child *ret_child)
{
	int sync_p[2], report_p[2], r;
	long pid;

	(void)s;
	fiu_return_on("sys/proc/spawn", -fault_errno(EAGAIN));
	if (pipe2(sync_p, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(report_p, O_CLOEXEC) < 0) {
		r = -errno;
		close_pair(sync_p);
		return r;
	}
	/* The low byte of the flags is the exit signal: always SIGCHLD, so waitpid() sees
	 * the child without __WALL. */
	pid = syscall(SYS_clone, (req->clone_flags & ~(unsigned long)CSIGNAL) | SIGCHLD, NULL, NULL, NULL,
		      NULL);
	if (pid < 0) {
		r = -errno;
		close_pair(sync_p);
		close_pair(report_p);
		return r;
	}
	if (pid == 0) {
		close(sync_p[1]);
		close(report_p[0]);
		spawn_child(req, sync_p[0], report_p[1]);
	}
	close(sync_p[0]);
	close(report_p[1]);
	ret_child->pid = (pid_t)pid;
	ret_child->release_fd = sync_p[1];
	ret_child->report_fd = report_p[0];
	return (int)pid;
}

/* Closes both ends; returns r. */
static int release_done(struct sys_child *child, int r)
{
	if (child->release_fd >= 0)
		close(child->release_fd);
	if (child->report_fd >= 0)
		close(child->report_fd);
	child->release_fd = -1;
	child->report_fd = -1;
	return r;
}

/*
 * Write the release byte without dying of SIGPIPE when the child is already gone (its read
 * end closed): block SIGPIPE around the write and, if the write raised it, take the pending
 * signal back before unblocking, unless one was already pending before we started.
 * Returns 0, or -errno of the write.
 */
static int write_release_byte(int fd)
{
	sigset_t pipe_set, old, pending;
	int was_pending, r = 0;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	do
		n = write(fd, "", 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r = -errno;
		if (r == -EPIPE && !was_pending)
			(void)sigtimedwait(&pipe_set, NULL, &(struct timespec){ 0, 0 });
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/*
 * Release the child and wait until it has exec'ed or reported a failure.
 *   - EPIPE on the release byte: nobody holds the sync pipe's read end, so the child is
 *     dead (it could not have exec'ed: it was still blocked) -> -ECHILD.
 *   - EOF on the report pipe with nothing read: the child's close-on-exec end went away.
 *     That is an exec... or a death after release and before a report (SIGKILL, crash):
 *     the two cannot be told apart here; the caller's waitpid() tells (a command that
 *     exec'ed and then died looks the same, which is why the Termination, not release,
 *     carries the exit status) -> 0.
 *   - a whole report -> -report.errnum, *ret_report filled.
 *   - part of a report (impossible with one atomic write, short of a torn child) -> -EIO.
 * Both ends are closed whatever happens, the injected fault included: a real failure of
 * release closes them too, and the child then sees EOF instead of a byte and exits 125.
 */
static int real_release(struct sys *s, struct sys_child *child, struct sys_child_report *ret_report)
{
	struct sys_child_report report;
	size_t got = 0;
	int r;

	(void)s;
	fiu_do_on("sys/proc/release", return release_done(child, -fault_errno(EPIPE)));
	r = write_release_byte(child->release_fd);
	if (r == -EPIPE)
		return release_done(child, -ECHILD);
	if (r < 0)
		return release_done(child, r);
	/* The child holds the sync read end until exec or exit; dropping ours now changes
	 * nothing for it. */
	close(child->release_fd);
	child->release_fd = -1;
	while (got < sizeof(report)) {
		ssize_t n = read(child->report_fd, (char *)&report + got, sizeof(report) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return release_done(child, -EIO);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0)
		return release_done(child, 0);
	if (got < sizeof(report))
		return release_done(child, -EIO);
	report.step[sizeof(report.step) - 1] = '\0';
	report.path[sizeof(report.path) - 1] = '\0';
	if (report.errnum <= 0)
		report.errnum = EIO;
	*ret_report = report;
	return release_done(child, -report.errnum);
}

static int real_execve(struct sys *s, const char *path, char *const argv[], char *const envp[])
{
	(void)s;
	fiu_return_on("sys/proc/execve", -fault_errno(ENOENT));
	/* Returns only on failure. No PATH search: the caller resolved the command. */
	execve(path, argv, envp);
	return -errno;
}

static int real_setsid(struct sys *s)
{
	pid_t sid;

	(void)s;
	fiu_return_on("sys/proc/setsid", -fault_errno(EPERM));
	sid = setsid();
	return sid < 0 ? -errno : (int)sid;
}

static int real_setgroups(struct sys *s, size_t n, const gid_t *groups)
{
	(void)s;
	fiu_return_on("sys/proc/setgroups", -fault_errno(EPERM));
	return zero_or_errno(setgroups(n, groups));
}

static int real_geteuid(struct sys *s)
{
	(void)s;
	fiu_return_on("sys/proc/geteuid", -fault_errno(EPERM));
	return (int)geteuid();
}

static int real_setgid(struct sys *s, gid_t gid)
{
	(void)s;
	fiu_return_on("sys/proc/setgid", -fault_errno(EPERM));
	return zero_or_errno(setgid(gid));
}

static int real_setuid(struct sys *s, uid_t uid)
{
	(void)s;
	fiu_return_on("sys/proc/setuid", -fault_errno(EPERM));
	return zero_or_errno(setuid(uid));
}

/* Copy a string, truncating to size - 1 bytes. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static int real_getpwnam(struct sys *s, const char *name, struct sys_passwd *ret_pw)
{
	struct passwd pw, *result = NULL;
	char buf[16384]; /* glibc's _SC_GETPW_R_SIZE_MAX is 1024; room for long gecos fields */
	int r;

	(void)s;
	fiu_return_on("sys/proc/getpwnam", -fault_errno(EIO));
	/* getpwnam_r returns the error (errno untouched); "no such user" is 0 with a NULL
	 * result. ERANGE (an entry larger than buf) is reported as ENOMEM. */
	r = getpwnam_r(name, &pw, buf, sizeof(buf), &result);
	if (r != 0)
		return r == ERANGE ? -ENOMEM : -r;
	if (!result)
		return -ENOENT;
	/* The groups too, here on the host: the container's child must read no /etc/group
	 * that a volume may have put over the host's (SPEC §11). */
	int ngroups = SYS_GROUPS_MAX;
	gid_t groups[SYS_GROUPS_MAX];

	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &ngroups) < 0)
		return -ENOMEM; /* in more than SYS_GROUPS_MAX groups */
	ret_pw->uid = pw.pw_uid;
	ret_pw->gid = pw.pw_gid;
	copy_str(ret_pw->name, sizeof(ret_pw->name), pw.pw_name);
	copy_str(ret_pw->home, sizeof(ret_pw->home), pw.pw_dir);
	ret_pw->n_groups = (size_t)ngroups;
	memcpy(ret_pw->groups, groups, (size_t)ngroups * sizeof(gid_t));
	return 0;
}

static int real_kill(struct sys *s, pid_t pid, int sig)
{
	(void)s;
	fiu_return_on("sys/proc/kill", -fault_errno(EPERM));
	return zero_or_errno(kill(pid, sig));
}

static int real_waitpid(struct sys *s, pid_t pid, int *ret_status, int options)
{
	pid_t r;

	(void)s;
	fiu_return_on("sys/proc/waitpid", -fault_errno(EINTR));
	/* EINTR goes back to the caller: its loop decides whether a signal matters. */
	r = waitpid(pid, ret_status, options);
	return r < 0 ? -errno : (int)r;
}

static int real_sigprocmask(struct sys *s, int how, const sigset_t *set, sigset_t *ret_old)
{
	(void)s;
	fiu_return_on("sys/proc/sigprocmask", -fault_errno(EINVAL));
	return zero_or_errno(sigprocmask(how, set, ret_old));
}

/* The kernel's struct sigaction for rt_sigaction(2) (x86_64 and generic layout). */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* Raw rt_sigaction, not sigaction(3): glibc refuses signals 32 and 33 (its own, reserved
 * for thread cancellation and setxid) with EINVAL and sigfillset leaves them out, yet an
 * ignored 32/33 survives exec like any other. SIG_DFL needs no restorer. */
static int real_sigdefault(struct sys *s, const sigset_t *set)
{
	struct kernel_sigaction dfl = { .handler = SIG_DFL };
	bool all = true;

	(void)s;
	fiu_return_on("sys/proc/sigdefault", -fault_errno(EINVAL));
	for (int sig = 1; sig < 32 && all; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sigismember(set, sig) != 1)
			all = false;
	for (int sig = 1; sig <= 64; sig++) {
		bool reserved = sig >= 32 && sig < SIGRTMIN;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* a full set (sigfillset) includes the glibc-reserved signals it cannot express */
		if (!(reserved ? all : sigismember(set, sig) == 1))
			continue;
		if (syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask)) < 0)
			return -errno;
	}
	return 0;
}

static int real_sigtimedwait(struct sys *s, const sigset_t *set, siginfo_t *ret_info, int timeout_ms)
{
	struct timespec ts;
	int sig;

	(void)s;
	fiu_return_on("sys/proc/sigtimedwait", -fault_errno(EAGAIN));
	/* The signals must be blocked by the caller, or they may be delivered (or ignored)
	 * instead of waited for. */
	if (timeout_ms < 0) {
		sig = sigwaitinfo(set, ret_info);
	} else {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		sig = sigtimedwait(set, ret_info, &ts);
	}
	return sig < 0 ? -errno : sig;
}

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424 /* the same number on every architecture */
#endif

static int real_pidfd_send_signal(struct sys *s, int pidfd, int sig, int value)
{
	siginfo_t info;

	(void)s;
	fiu_return_on("sys/proc/pidfd_send_signal", -fault_errno(EPERM));
	if (!value)
		return zero_or_errno((int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0u));
	/* What sigqueue(3) sends: the kernel accepts a negative si_code from another process */
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = getuid();
	info.si_value.sival_int = value;
	return zero_or_errno((int)syscall(SYS_pidfd_send_signal, pidfd, sig, &info, 0u));
}

static int real_pidfd_open(struct sys *s, pid_t pid, int flags)
{
	long fd;

	(void)s;
	fiu_return_on("sys/proc/pidfd_open", -fault_errno(ESRCH));
	/* No glibc wrapper before 2.36. The fd is close-on-exec (always, for a pidfd). */
	fd = syscall(SYS_pidfd_open, pid, (unsigned int)flags);
	return fd < 0 ? -errno : (int)fd;
}

static int real_sigwait_pidfd(struct sys *s, const sigset_t *set, int pidfd, siginfo_t *ret_info,
			      int timeout_ms)
{
	struct signalfd_siginfo ssi;
	struct pollfd pfd[2];
	int sfd, r;

	(void)s;
	fiu_return_on("sys/proc/sigwait_pidfd", -fault_errno(EAGAIN));
	/* The signals stay blocked (the caller blocked them): the signalfd reads them instead
	 * of their delivery, as sigtimedwait would. */
	sfd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return -errno;
	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	r = poll(pfd, 2, timeout_ms < 0 ? -1 : timeout_ms);
	if (r < 0) {
		r = -errno;
	} else if (r == 0) {
		r = -EAGAIN;
	} else if (pfd[0].revents & POLLIN) {
		/* A signal first: a destroy request must not be lost behind an exit. */
		ssize_t n = read(sfd, &ssi, sizeof(ssi));

		if (n != (ssize_t)sizeof(ssi)) {
			r = n < 0 ? -errno : -EIO;
		} else {
			memset(ret_info, 0, sizeof(*ret_info));
			ret_info->si_signo = (int)ssi.ssi_signo;
			ret_info->si_code = ssi.ssi_code;
			ret_info->si_pid = (pid_t)ssi.ssi_pid;
			ret_info->si_value.sival_int = ssi.ssi_int;
			r = (int)ssi.ssi_signo;
		}
	} else if (pfd[1].revents & POLLNVAL) {
		r = -EBADF;
	} else {
		r = 0; /* readable (POLLIN, or POLLHUP once reaped): the process has exited */
	}
	close(sfd);
	return r;
}

/* open, read to EOF or size - 1 bytes, NUL-terminate, close. /proc and cgroupfs files are
 * generated per read() call, so one read may return less than the file: loop. */
static int read_small_file(const char *path, char *buf, size_t size)
{
	size_t got = 0;
	int fd, r;

	if (size == 0 || size - 1 > INT_MAX)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < size - 1) {
		ssize_t n = read(fd, buf + got, size - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return (int)got;
}

static int real_proc_read(struct sys *s, const char *path, char *buf, size_t size)
{
	(void)s;
	fiu_return_on("sys/proc/proc_read", -fault_errno(ENOENT));
	/* /proc/<pid>/... of a process that exits between open and read: ESRCH from read. */
	return read_small_file(path, buf, size);
}

static int real_proc_list(struct sys *s, pid_t *ret_pids, size_t max)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	(void)s;
	fiu_return_on("sys/proc/proc_list", -fault_errno(EACCES));
	if (max > INT_MAX)
		max = INT_MAX;
	d = opendir("/proc");
	if (!d)
		return -errno;
	/* readdir's NULL means the end or an error; errno tells which. The pids of this pid
	 * namespace (the one /proc was mounted for); other entries are not numbers. */
	errno = 0;
	while (n < max && (e = readdir(d))) {
		const char *p = e->d_name;
		long pid = 0;

		for (; *p >= '0' && *p <= '9' && pid <= INT_MAX / 10; p++)
			pid = pid * 10 + (*p - '0');
		if (*p == '\0' && p != e->d_name && pid > 0 && pid <= INT_MAX)
			ret_pids[n++] = (pid_t)pid;
		errno = 0;
	}
	if (n < max && errno != 0) {
		int r = -errno;

		closedir(d);
		return r;
	}
	closedir(d);
	return (int)n;
}

/* listdir and cg_list: "<type><name>\0" per entry, sorted, into buf. */
struct dir_entry {
	char type;
	char *name;
};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dir_entry *)a)->name, ((const struct dir_entry *)b)->name);
}

static char entry_type(DIR *d, const struct dirent *e)
{
	struct stat st;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_DIR ? 'd' : 'f';
	/* Some filesystems leave d_type unset: ask without following a symlink. */
	if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		return 'd';
	return 'f';
}

static int list_entries(const char *path, char *buf, size_t size, bool dirs_only)
{
	struct dir_entry *v = NULL;
	size_t n = 0, cap = 0, used = 0;
	struct dirent *e;
	int r = 0;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	errno = 0;
	while ((e = readdir(d))) {
		char type = entry_type(d, e);

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (dirs_only && type != 'd'))
			continue;
		if (n == cap) {
			struct dir_entry *nv = realloc(v, (cap = cap ? 2 * cap : 32) * sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[n].type = type;
		if (!(v[n].name = strdup(e->d_name))) {
			r = -ENOMEM;
			break;
		}
		n++;
		errno = 0;
	}
	/* readdir's NULL means the end or an error; errno tells which. */
	if (r == 0 && errno != 0)
		r = -errno;
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), entry_cmp);
	for (size_t i = 0; r == 0 && i < n; i++) {
		size_t len = strlen(v[i].name) + 2;

		if (used + len > size || used + len > INT_MAX) {
			r = -ERANGE;
			break;
		}
		buf[used] = v[i].type;
		memcpy(buf + used + 1, v[i].name, len - 1);
		used += len;
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	return r < 0 ? r : (int)used;
}

static int real_listdir(struct sys *s, const char *path, char *buf, size_t size)
{
	(void)s;
	fiu_return_on("sys/fs/listdir", -fault_errno(ENOENT));
	return list_entries(path, buf, size, false);
}

static int real_nanosleep(struct sys *s, int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	(void)s;
	fiu_return_on("sys/proc/nanosleep", -fault_errno(EINTR));
	/* EINTR is returned, not resumed with the remaining time: the caller decides. */
	return zero_or_errno(nanosleep(&ts, NULL));
}

static int real_clock_gettime(struct sys *s, uint64_t *ret_ms)
{
	struct timespec ts;

	(void)s;
	fiu_return_on("sys/proc/clock_gettime", -fault_errno(EINVAL));
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return -errno;
	*ret_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	return 0;
}

/* ---- cgroups ---- */

static int real_cg_mkdir(struct sys *s, const char *path, mode_t mode)
{
	(void)s;
	fiu_return_on("sys/cgroup/cg_mkdir", -fault_errno(EACCES));
	return zero_or_errno(mkdir(path, mode));
}

static int real_cg_rmdir(struct sys *s, const char *path)
{
	(void)s;
	fiu_return_on("sys/cgroup/cg_rmdir", -fault_errno(EBUSY));
	/* EBUSY while the cgroup has tasks or children; also for a moment after its last
	 * task exited (v1 frees it asynchronously): callers retry with backoff. */
	return zero_or_errno(rmdir(path));
}

static int real_cg_write(struct sys *s, const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, r = 0;

	(void)s;
	fiu_return_on("sys/cgroup/cg_write", -fault_errno(EINVAL));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* cgroupfs parses each write() on its own and reports a bad value, a vanished pid
	 * (ESRCH) or a refused move from write() itself: one write of the whole value. */
	n = write(fd, value, len);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO; /* cgroupfs takes all or nothing; a short count means something odd */
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int real_cg_read(struct sys *s, const char *path, char *buf, size_t size)
{
	(void)s;
	fiu_return_on("sys/cgroup/cg_read", -fault_errno(ENOENT));
	return read_small_file(path, buf, size);
}

static int real_cg_list(struct sys *s, const char *path, char *buf, size_t size)
{
	(void)s;
	fiu_return_on("sys/cgroup/cg_list", -fault_errno(ENOENT));
	return list_entries(path, buf, size, true);
}

/* Generated from the inventory: an op without a real_<name> wrapper does not compile. */
static const struct sys_ops real_ops = {
#define X(name, area, kinds, err, verb, params, args) .name = real_##name,
	SYS_OPS(X)
#undef X
};

struct sys *sys_real(void)
{
	static struct sys real = { .ops = &real_ops, .priv = NULL };

	return &real;
}
