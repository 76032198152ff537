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
#include <errno.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys/fiu-local.h"
#include "sys/sys.h"

#ifdef FIU_ENABLE
static int fault_errno(int dflt)
{
	intptr_t e = (intptr_t)fiu_failinfo();

	return e > 0 ? (int)e : dflt;
}
#endif

/* Declared from the inventory so a wrapper whose signature drifts fails to compile. */
#define X(name, area, kinds, err, verb, params, args) static int real_##name(struct sys *s, SYS_UNPAREN params);
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
	fiu_return_on("sys/fs/close", -fault_errno(EIO));
	/* Linux releases the descriptor before reporting EINTR or EIO, so the error is
	 * returned for the record and never retried: a retry could close an fd another
	 * thread has just been given. */
	return zero_or_errno(close(fd));
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
