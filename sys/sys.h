/*
 * sys.h — the one door between mcz and the kernel.
 *
 * Every kernel interaction of the core goes through a `struct sys`: a table of function
 * pointers (the ops) plus private state. There are two implementations:
 *   - the real one (sys/real.c): thin wrappers over the syscalls, each with a libfiu point at
 *     the top (compiled in by `make FIU=1`), returning -errno instead of touching errno;
 *   - the recording fake (fakes/): a model of files, mounts and fds that records a trace and
 *     fails any call on demand.
 * A tracing shim (sys/trace.h) can sit over either.
 *
 * SYS_OPS is the single inventory. From it come the op enum (SYS_OP_<name>), the ops struct
 * member, the inline caller sys_<name>(), the libfiu point name "sys/<area>/<name>", the
 * trace formatter (via the kind string) and the errno a fault injects by default.
 *
 * Contract for every op: returns >= 0 on success and -errno on failure; never reads or
 * relies on the global errno; on failure no out-parameter is written and — except for
 * close(), which always releases the descriptor, as on Linux — no state has changed.
 *
 * Kind string: "<ret>:<args>", one letter per argument, used to pack arguments generically
 * (sys_call_pack) and to format them strace-style:
 *   ret:  i = 0 or -errno          f = new fd or -errno        n = byte count or -errno
 *   args: d = fd / dirfd (AT_FDCWD shown symbolically; fds shown as N</path>)
 *         P = path string           s = plain string or NULL    S = struct stat * (out)
 *         T = struct statfs * (out) b = char * buffer (out)     z = size_t
 *         a = AT_* flags (int)      o = O_* flags (int)         m = mode_t (octal)
 *         r = RESOLVE_* (uint64_t)  u = uid_t/gid_t             M = MS_* flags (unsigned long)
 *         U = MNT_* / UMOUNT_* flags (int)
 *
 * Op contracts (the valid errnos of each op are listed in SYS_OPS below, from the man pages):
 *
 * fstatat(dirfd, path, ret_st, flags)       stat(2)/lstat(2)/fstatat(2). flags: 0,
 *     AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. Errnos: EACCES ENOENT ENOTDIR ELOOP ENAMETOOLONG
 *     ENOMEM EBADF. Fake: reads the model; no effect.
 * fstat(fd, ret_st)                         fstat(2); works on O_PATH fds. Errnos: EIO EBADF.
 * openat(dirfd, path, flags, mode)          openat(2). Returns the new fd. Errnos: EACCES
 *     ENOENT ENOTDIR ELOOP (O_NOFOLLOW on a symlink without O_PATH) EEXIST (O_CREAT|O_EXCL)
 *     EISDIR EMFILE ENOSPC EROFS. Fake: may create a regular file (O_CREAT), allocates the
 *     lowest free fd >= 3.
 * openat2(dirfd, path, flags, mode, resolve) openat2(2) with struct open_how {flags, mode,
 *     resolve}. resolve: RESOLVE_BENEATH (EXDEV on escape: absolute paths, "..") and
 *     RESOLVE_NO_SYMLINKS (ELOOP on any symlink component, the last one too).
 *     Errnos: as openat plus EXDEV, EAGAIN, ENOSYS (kernel < 5.6), E2BIG, EINVAL.
 * mkdirat(dirfd, path, mode)                mkdirat(2); mode is masked by the umask.
 *     Errnos: EACCES EEXIST ENOENT ENOTDIR ENOSPC EROFS ELOOP EMLINK EDQUOT.
 * fchmodat(dirfd, path, mode, flags)        fchmodat(2); follows symlinks (flags 0 only).
 *     Errnos: EPERM EACCES ENOENT ENOTDIR ELOOP EROFS.
 * fchmod(fd, mode)                          fchmod(2); EBADF on O_PATH fds. Errnos: EPERM EROFS EIO.
 * fchownat(dirfd, path, uid, gid, flags)    fchownat(2); flags 0, AT_SYMLINK_NOFOLLOW,
 *     AT_EMPTY_PATH. Errnos: EPERM EACCES ENOENT ENOTDIR ELOOP EROFS. Clears S_ISUID, and
 *     S_ISGID when group-executable, on non-directories (that is why mcz chowns first).
 * fchown(fd, uid, gid)                      fchown(2). Errnos: EPERM EROFS EIO.
 * unlinkat(dirfd, path, flags)              unlinkat(2); AT_REMOVEDIR removes an empty dir.
 *     Errnos: EBUSY EACCES ENOENT ENOTDIR ENOTEMPTY EISDIR EPERM EROFS.
 * readlinkat(dirfd, path, buf, size)        readlinkat(2); returns the length, no NUL added.
 *     Errnos: EACCES EINVAL (not a symlink) ENOENT ENOTDIR ELOOP.
 * close(fd)                                 close(2). Errnos: EIO EINTR EBADF. The fd is
 *     released even when an error is returned (Linux semantics; the fake does the same).
 * fstatfs(fd, ret_buf)                      fstatfs(2); f_flags carries ST_RDONLY, ST_NOSUID,
 *     ST_NODEV, ST_NOEXEC, ST_NOATIME, ST_NODIRATIME, ST_RELATIME of the mount. Errnos: EIO
 *     EBADF ENOSYS.
 * mount(source, target, fstype, flags, data) mount(2). Paths may be /proc/self/fd/N (the
 *     fake resolves those through its fd table). Errnos: EPERM EACCES EBUSY EINVAL ENOENT
 *     ENOTDIR ELOOP ENOMEM.
 * umount2(target, flags)                    umount2(2); flags MNT_DETACH, MNT_FORCE,
 *     UMOUNT_NOFOLLOW. Errnos: EBUSY EINVAL (not a mount point) ENOENT EPERM.
 */
#ifndef MCZ_SYS_H
#define MCZ_SYS_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h> /* ST_* flags in statfs.f_flags */
#include <sys/types.h>

/* Not every libc header has these yet; values are the kernel ABI. */
#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20
#endif

#define SYS_UNPAREN(...) __VA_ARGS__
#define SYS_FIRST(list) SYS_FIRST_I(SYS_UNPAREN list)
#define SYS_FIRST_I(...) SYS_FIRST_II(__VA_ARGS__)
#define SYS_FIRST_II(first, ...) first

/* X(name, area, kinds, (errnos), verb, (params), (args))
 * errnos: the op's valid errnos from its man page; the first is what an injected fault returns
 *   by default, and the fault matrix's errno variants go through all of them.
 * verb: the user-facing word for error messages ("chmod '/x': Operation not permitted"). */
#define SYS_OPS(X)                                                                              \
	X(fstatat, fs, "i:dPSa", (EACCES, ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, ENOMEM, EBADF), "stat",                                                \
	  (int dirfd, const char *path, struct stat *ret_st, int flags), (dirfd, path, ret_st, flags)) \
	X(fstat, fs, "i:dS", (EIO, EBADF, ENOMEM, EOVERFLOW), "stat", (int fd, struct stat *ret_st), (fd, ret_st))          \
	X(openat, fs, "f:dPom", (EACCES, ENOENT, ENOTDIR, ELOOP, EEXIST, EISDIR, EMFILE, ENOSPC, EROFS), "open", (int dirfd, const char *path, int flags, mode_t mode), \
	  (dirfd, path, flags, mode))                                                           \
	X(openat2, fs, "f:dPomr", (EACCES, ENOENT, ENOTDIR, ELOOP, EEXIST, EXDEV, EAGAIN, ENOSYS), "open",                                               \
	  (int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve),              \
	  (dirfd, path, flags, mode, resolve))                                                  \
	X(mkdirat, fs, "i:dPm", (EACCES, EEXIST, ENOENT, ENOTDIR, ENOSPC, EROFS, ELOOP, EMLINK, EDQUOT), "mkdir", (int dirfd, const char *path, mode_t mode),    \
	  (dirfd, path, mode))                                                                  \
	X(fchmodat, fs, "i:dPma", (EPERM, EACCES, ENOENT, ENOTDIR, ELOOP, EROFS), "chmod", (int dirfd, const char *path, mode_t mode, int flags), \
	  (dirfd, path, mode, flags))                                                           \
	X(fchmod, fs, "i:dm", (EPERM, EROFS, EIO, EBADF), "chmod", (int fd, mode_t mode), (fd, mode))                \
	X(fchownat, fs, "i:dPuua", (EPERM, EACCES, ENOENT, ENOTDIR, ELOOP, EROFS), "chown",                                              \
	  (int dirfd, const char *path, uid_t uid, gid_t gid, int flags), (dirfd, path, uid, gid, flags)) \
	X(fchown, fs, "i:duu", (EPERM, EROFS, EIO, EBADF), "chown", (int fd, uid_t uid, gid_t gid), (fd, uid, gid))  \
	X(unlinkat, fs, "i:dPa", (EBUSY, EACCES, ENOENT, ENOTDIR, ENOTEMPTY, EISDIR, EPERM, EROFS), "remove", (int dirfd, const char *path, int flags),     \
	  (dirfd, path, flags))                                                                 \
	X(readlinkat, fs, "n:dPbz", (EACCES, EINVAL, ENOENT, ENOTDIR, ELOOP), "readlink",                                         \
	  (int dirfd, const char *path, char *buf, size_t size), (dirfd, path, buf, size))      \
	X(close, fs, "i:d", (EIO, EINTR, EBADF), "close", (int fd), (fd))                                       \
	X(fstatfs, fs, "i:dT", (EIO, EBADF, ENOSYS), "statfs", (int fd, struct statfs *ret_buf), (fd, ret_buf))  \
	X(mount, mount, "i:PPsMs", (EPERM, EACCES, EBUSY, EINVAL, ENOENT, ENOTDIR, ELOOP, ENOMEM), "mount",                                              \
	  (const char *source, const char *target, const char *fstype, unsigned long flags,     \
	   const char *data),                                                                   \
	  (source, target, fstype, flags, data))                                                \
	X(umount2, mount, "i:PU", (EBUSY, EINVAL, ENOENT, EPERM), "umount", (const char *target, int flags), (target, flags))

enum sys_op {
#define SYS_X_ENUM(name, area, kinds, err, verb, params, args) SYS_OP_##name,
	SYS_OPS(SYS_X_ENUM)
#undef SYS_X_ENUM
	_SYS_OP_MAX,
	SYS_OP_ANY = -1, /* wildcard for fault rules */
};

struct sys;

struct sys_ops {
#define SYS_X_MEMBER(name, area, kinds, err, verb, params, args)                                \
	int (*name)(struct sys * s, SYS_UNPAREN params);
	SYS_OPS(SYS_X_MEMBER)
#undef SYS_X_MEMBER
};

/* An instance: the ops plus whatever the implementation needs (fake model, inner sys…). */
struct sys {
	const struct sys_ops *ops;
	void *priv;
};

#define SYS_X_CALLER(name, area, kinds, err, verb, params, args)                                \
	static inline int sys_##name(struct sys *s, SYS_UNPAREN params)                         \
	{                                                                                       \
		return s->ops->name(s, SYS_UNPAREN args);                                       \
	}
SYS_OPS(SYS_X_CALLER)
#undef SYS_X_CALLER

/* Inventory tables, indexed by enum sys_op (sys/inventory.c). */
extern const char *const sys_op_names[_SYS_OP_MAX];   /* "mkdirat" */
extern const char *const sys_op_fiu_names[_SYS_OP_MAX]; /* "sys/fs/mkdirat" */
extern const char *const sys_op_kinds[_SYS_OP_MAX];   /* "i:dPm" */
extern const char *const sys_op_verbs[_SYS_OP_MAX];   /* "mkdir" */
extern const int sys_op_default_errnos[_SYS_OP_MAX];  /* EACCES: the first valid errno */
extern const int *const sys_op_errnos[_SYS_OP_MAX];   /* valid errnos, 0-terminated */

/* Name lookup for command lines (--fail-op mkdirat); returns -EINVAL when unknown. */
int sys_op_from_name(const char *name);

/* The real kernel. The returned instance is static; nothing to free. */
struct sys *sys_real(void);

#endif
