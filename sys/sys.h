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
 *         p = pid or -errno         g = signal number or -errno
 *   args: d = fd / dirfd (AT_FDCWD shown symbolically; fds shown as N</path>)
 *         P = path string           s = plain string or NULL    S = struct stat * (out)
 *         T = struct statfs * (out) b = char * buffer (out)     z = size_t
 *         B = const void * buffer (in; its length is the next z argument)
 *         a = AT_* flags (int)      o = O_* flags (int)         m = mode_t (octal)
 *         r = RESOLVE_* (uint64_t)  u = uid_t/gid_t             M = MS_* flags (unsigned long)
 *         U = MNT_* / UMOUNT_* flags (int)                      L = LOCK_* (int)
 *         A = MOUNT_ATTR_* (uint64_t)                           I = plain int
 *         p = pid_t                 g = signal number (int)     v = char *const[] (NULL-ended)
 *         w = int * wait status (out)  W = W* options (int)     h = SIG_BLOCK/... (int)
 *         k = sigset_t * (in or out)   x = siginfo_t * (out)    G = struct sys_passwd * (out)
 *         C = const struct sys_spawn_req *                      c = struct sys_child *
 *         R = struct sys_child_report * (out)                  J = pid_t * array (out; count = r)
 *         q = uint64_t * (out)         X = const gid_t * array (in; count = previous z)
 *         O = OPEN_TREE_* | AT_* flags (int)                    V = MOVE_MOUNT_* flags (int)
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
 * read(fd, buf, size) / write(fd, buf, len)  read(2)/write(2); return the byte count (a short
 *     count is not an error). Fake: files hold no data except what write() put there.
 * symlinkat(target, newdirfd, linkpath)     symlink(2): a new symlink (EEXIST if linkpath exists).
 * renameat(olddirfd, old, newdirfd, new)    renameat(2): replaces new atomically.
 * flock(fd, op)                             flock(2): LOCK_EX/LOCK_SH/LOCK_UN, |LOCK_NB.
 * chdir(path)                               chdir(2) of the calling process.
 * mount_setattr(dirfd, path, flags, set, clr) mount_setattr(2) with struct mount_attr
 *     {attr_set, attr_clr}; flags AT_RECURSIVE, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW. ENOSYS on
 *     kernels before 5.12 (the caller falls back to a plain remount). Works on the root of a
 *     detached tree from open_tree() too, from any namespace.
 * open_tree(dirfd, path, flags)            open_tree(2) (Linux 5.2). With OPEN_TREE_CLONE a
 *     *detached* copy of the mount tree at path (AT_RECURSIVE: with its submounts, as
 *     MS_BIND|MS_REC), owned by the returned fd: no namespace sees it until move_mount()
 *     attaches it, and closing the last fd on an unattached tree dissolves it. A tree made
 *     in one mount namespace can be attached in another (how mcz hands a checked bind source
 *     to the container's child). AT_EMPTY_PATH with "" clones dirfd itself. Without
 *     OPEN_TREE_CLONE: an O_PATH fd on path. EINVAL also for a source mount outside the
 *     caller's namespace. ENOSYS before 5.2 (the caller falls back to a bind by name).
 * move_mount(from_dirfd, from_path, to_dirfd, to_path, flags)  move_mount(2) (Linux 5.2):
 *     attach the detached tree from_* refers to on to_* (MOVE_MOUNT_F_EMPTY_PATH /
 *     MOVE_MOUNT_T_EMPTY_PATH: the fds themselves). The target must be in the caller's mount
 *     namespace (EINVAL); a directory goes on a directory, a file on a file (ENOTDIR). The
 *     fd then refers to the attached mount's root. Fake: moving an attached mount is not
 *     modelled (EINVAL).
 * spawn(req, ret_child)                     clone(2) with req->clone_flags|SIGCHLD (fork
 *     semantics, plus CLONE_NEWNS/CLONE_NEWPID). The child blocks until release(); then it runs
 *     req->child_main(s, arg, &report) through the same kind of sys (the real child through
 *     sys_real(), the fake child through the fake, acting as that process). child_main returns
 *     only if it failed before exec (or, in the fake, after a successful execve, with 0).
 *     Returns the child's pid in the caller's pid namespace; *ret_child holds the two pipe ends.
 * release(child, ret_report)                let the spawned child run, then wait for it to exec:
 *     returns 0 once the child has exec'ed (its close-on-exec report pipe closed without a
 *     report), or -errno of the child's failure with *ret_report filled (the one op that
 *     writes its out-parameter on failure: the report *is* the failure). Closes both pipe ends.
 *     ECHILD: the child died before it could report.
 * execve(path, argv, envp)                  execve(2); no PATH search (the caller searches).
 *     Fake: ENOENT/EACCES from the model; on success the process "becomes" the command and
 *     execve returns 0 (the only way it returns 0).
 * setsid()                                  setsid(2); returns the new session id.
 * setgroups(n, groups), setgid(gid), setuid(uid)  setgroups(2), setgid(2), setuid(2): numbers
 *     only. The container's child calls them after its mounts, so it must read nothing
 *     there (a volume over /etc would choose the groups): the groups come from getpwnam()
 *     on the host, before the clone (SPEC §11).
 * geteuid()                                 geteuid(2): the effective uid (as an int: uids
 *     here are below 2^31). Never fails on Linux; the EPERM of a fault is only injected.
 * getpwnam(name, ret_pw)                    getpwnam_r(3) and getgrouplist(3) on the host's
 *     databases: uid, gid, home and the supplementary groups (the gid first). ENOENT for an
 *     unknown user, ENOMEM for one in more than SYS_GROUPS_MAX groups.
 * close_range(first, last, flags)           close_range(2) (Linux 5.9; CLOSE_RANGE_CLOEXEC 5.11); flags
 *     CLOSE_RANGE_CLOEXEC marks the fds close-on-exec instead of closing them. Before 5.11
 *     (ENOSYS, EINVAL; EPERM from seccomp) the real op walks /proc/self/fd and sets FD_CLOEXEC on each itself, so the
 *     caller never sees ENOSYS unless /proc is unreadable too. Fake: marks its fd table.
 * dup2(oldfd, newfd)                        dup2(2): newfd (without FD_CLOEXEC) now refers to
 *     oldfd's file. Returns newfd.
 * pidfd_send_signal(pidfd, sig, value)      pidfd_send_signal(2) (Linux 5.1): signal the
 *     process the pidfd refers to — never another one that got its number since. value 0: as
 *     kill(2) (SI_USER); else as sigqueue(3) (SI_QUEUE, si_value.sival_int = value).
 * kill(pid, sig)                            kill(2); pid <= 0 for process groups.
 * waitpid(pid, ret_status, options)         waitpid(2); returns the pid, 0 with WNOHANG
 *     when nothing changed. EINTR is returned, not retried.
 * sigprocmask(how, set, ret_old)            sigprocmask(2).
 * sigdefault(set)                           sigaction(SIG_DFL) for every signal in set (SIGKILL and
 *     SIGSTOP are skipped; a full set from sigfillset also covers glibc's reserved 32 and 33):
 *     an ignored signal (SIG_IGN) survives execve, so a command started by an mcz that itself
 *     ignored SIGINT would ignore it too. Fake: no dispositions modelled.
 * sigtimedwait(set, ret_info, timeout_ms)   sigtimedwait(2); timeout_ms < 0 waits forever.
 *     Returns the signal number; EAGAIN on timeout.
 * pidfd_open(pid, flags)                   pidfd_open(2) (Linux 5.3): an fd that refers to the process
 *     itself, not to its number, and becomes readable when it exits. Works for any process,
 *     not only a child (how an adopting supervisor waits for a pid 1 that is not its child).
 *     Errnos: ESRCH ENOSYS EINVAL EMFILE ENOMEM.
 * sigwait_pidfd(set, pidfd, ret_info, timeout_ms)  sigtimedwait() that also wakes when pidfd
 *     becomes readable: a signalfd(2) for set and the pidfd under one poll(2). Returns the
 *     signal number (ret_info: si_signo, si_code, si_pid, si_value.sival_int from the
 *     signalfd_siginfo), 0 when the process has exited, EAGAIN on timeout (< 0: none).
 * proc_read(path, buf, size)                read a /proc file (open, read, close): at most
 *     size - 1 bytes, NUL-terminated; returns the length. Fake: /proc/self/cgroup,
 *     /proc/self/mountinfo and /proc/<pid>/... are generated from the model.
 * proc_list(ret_pids, max)                  the pids in /proc (readdir), at most max; returns the count.
 * listdir(path, buf, size)                  the entries of a directory (opendir, readdir, closedir),
 *     "." and ".." left out, sorted by name (byte order: a deterministic trace), each written
 *     as a type letter ('d' a directory, 'f' anything else; never following a symlink), the
 *     name and a NUL. Returns the byte count; ERANGE when they do not fit in size.
 *     Errnos: ENOENT EACCES ENOTDIR EMFILE ENOMEM ERANGE.
 * nanosleep(ms)                             sleep; the fake advances its clock instead.
 * clock_gettime(ret_ms)                     CLOCK_MONOTONIC in milliseconds (the fake's clock
 *     starts at 0 and moves only when the code sleeps or waits).
 * cg_mkdir(path, mode), cg_rmdir(path)      mkdir(2)/rmdir(2) in a cgroup filesystem (rmdir of
 *     a cgroup with tasks is EBUSY).
 * cg_write(path, value)                     write one value to a cgroup control file (open,
 *     write, close): "1234" to cgroup.procs, "FROZEN" to freezer.state, ...
 * cg_read(path, buf, size)                  read a cgroup control file, like proc_read.
 * cg_list(path, buf, size)                  the child cgroups of a cgroup directory: listdir's
 *     format with directories only ('d' entries; the control files are left out).
 */
#ifndef MCZ_SYS_H
#define MCZ_SYS_H

#include <errno.h>
#include <sched.h> /* CLONE_* */
#include <signal.h>
#include <sys/file.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h> /* ST_* flags in statfs.f_flags */
#include <sys/types.h>
#include <sys/wait.h> /* W* status macros, WNOHANG */

/* Not every libc header has these yet; values are the kernel ABI. */
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_SYMLINKS 0x00000001
#define MOVE_MOUNT_F_AUTOMOUNTS 0x00000002
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_SYMLINKS 0x00000010
#define MOVE_MOUNT_T_AUTOMOUNTS 0x00000020
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20
#endif

/* ---- types the process ops use ---- */

/* What a child that failed before exec tells its parent (fixed size: one atomic pipe write). */
struct sys_child_report {
	int errnum;     /* positive errno */
	char step[32];  /* the verb that failed: "mount", "chdir", "exec", ... */
	char path[1024];
};

struct sys;

/* Runs in the child after release(); see spawn(). */
typedef int (*sys_child_main_fn)(struct sys *s, void *arg, struct sys_child_report *report);

struct sys_spawn_req {
	unsigned long clone_flags; /* CLONE_NEWNS, CLONE_NEWPID; 0 for a plain fork */
	sys_child_main_fn child_main;
	void *arg;
};

struct sys_child {
	pid_t pid;      /* in the caller's pid namespace */
	int release_fd; /* write end of the sync pipe; -1 once released */
	int report_fd;  /* read end of the report pipe; -1 once read */
};

/* The supplementary groups getpwnam() reports at most (a user in more is an error). */
#define SYS_GROUPS_MAX 256

struct sys_passwd {
	uid_t uid;
	gid_t gid;
	char name[64];
	char home[256];
	size_t n_groups;               /* getgrouplist(3) on the host's databases: gid first */
	gid_t groups[SYS_GROUPS_MAX];
};

#define SYS_UNPAREN(...) __VA_ARGS__
#define SYS_FIRST(list) SYS_FIRST_I(SYS_UNPAREN list)
#define SYS_FIRST_I(...) SYS_FIRST_II(__VA_ARGS__)
#define SYS_FIRST_II(first, ...) first

/* X(name, area, kinds, (errnos), verb, (params), (args))
 * errnos: the op's valid errnos from its man page; the first is what an injected fault returns
 *   by default, and the fault matrix's errno variants go through all of them.
 * verb: the user-facing word for error messages ("chmod '/x': Operation not permitted"). */
/* clang-format off */
#define SYS_OPS(X)                                                                              \
	X(fstatat, fs, "i:dPSa", (EACCES, ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, ENOMEM, EBADF), \
	  "stat", (int dirfd, const char *path, struct stat *ret_st, int flags),               \
	  (dirfd, path, ret_st, flags))                                                         \
	X(fstat, fs, "i:dS", (EIO, EBADF, ENOMEM, EOVERFLOW), "stat",                           \
	  (int fd, struct stat *ret_st), (fd, ret_st))                                          \
	X(openat, fs, "f:dPom", (EACCES, ENOENT, ENOTDIR, ELOOP, EEXIST, EISDIR, EMFILE, ENOSPC, EROFS), \
	  "open", (int dirfd, const char *path, int flags, mode_t mode), (dirfd, path, flags, mode)) \
	X(openat2, fs, "f:dPomr", (EACCES, ENOENT, ENOTDIR, ELOOP, EEXIST, EXDEV, EAGAIN, ENOSYS), \
	  "open", (int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve),     \
	  (dirfd, path, flags, mode, resolve))                                                  \
	X(mkdirat, fs, "i:dPm", (EACCES, EEXIST, ENOENT, ENOTDIR, ENOSPC, EROFS, ELOOP, EMLINK, EDQUOT), \
	  "mkdir", (int dirfd, const char *path, mode_t mode), (dirfd, path, mode))             \
	X(fchmodat, fs, "i:dPma", (EPERM, EACCES, ENOENT, ENOTDIR, ELOOP, EROFS), "chmod",     \
	  (int dirfd, const char *path, mode_t mode, int flags), (dirfd, path, mode, flags))   \
	X(fchmod, fs, "i:dm", (EPERM, EROFS, EIO, EBADF), "chmod", (int fd, mode_t mode), (fd, mode)) \
	X(fchownat, fs, "i:dPuua", (EPERM, EACCES, ENOENT, ENOTDIR, ELOOP, EROFS), "chown",    \
	  (int dirfd, const char *path, uid_t uid, gid_t gid, int flags),                      \
	  (dirfd, path, uid, gid, flags))                                                       \
	X(fchown, fs, "i:duu", (EPERM, EROFS, EIO, EBADF), "chown", (int fd, uid_t uid, gid_t gid), \
	  (fd, uid, gid))                                                                       \
	X(unlinkat, fs, "i:dPa", (EBUSY, EACCES, ENOENT, ENOTDIR, ENOTEMPTY, EISDIR, EPERM, EROFS), \
	  "remove", (int dirfd, const char *path, int flags), (dirfd, path, flags))             \
	X(readlinkat, fs, "n:dPbz", (EACCES, EINVAL, ENOENT, ENOTDIR, ELOOP), "readlink",      \
	  (int dirfd, const char *path, char *buf, size_t size), (dirfd, path, buf, size))     \
	X(close, fs, "i:d", (EIO, EINTR, EBADF), "close", (int fd), (fd))                       \
	X(close_range, fs, "i:III", (EINVAL, ENOSYS, ENOMEM), "close_range",                   \
	  (unsigned first, unsigned last, int flags), (first, last, flags))                     \
	X(dup2, fs, "f:dd", (EBADF, EBUSY, EINTR, EMFILE), "dup2", (int oldfd, int newfd),      \
	  (oldfd, newfd))                                                                       \
	X(fstatfs, fs, "i:dT", (EIO, EBADF, ENOSYS), "statfs", (int fd, struct statfs *ret_buf), \
	  (fd, ret_buf))                                                                        \
	X(read, fs, "n:dbz", (EIO, EBADF, EINTR, EISDIR), "read", (int fd, void *buf, size_t size), \
	  (fd, buf, size))                                                                      \
	X(write, fs, "n:dBz", (EIO, ENOSPC, EDQUOT, EBADF, EPIPE, EINTR), "write",             \
	  (int fd, const void *buf, size_t len), (fd, buf, len))                                \
	X(symlinkat, fs, "i:sdP", (EACCES, EEXIST, ENOENT, ENOSPC, ENOTDIR, EROFS, EDQUOT), "symlink", \
	  (const char *target, int newdirfd, const char *linkpath), (target, newdirfd, linkpath)) \
	X(renameat, fs, "i:dPdP", (EACCES, EBUSY, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EROFS, EXDEV), \
	  "rename", (int olddirfd, const char *oldpath, int newdirfd, const char *newpath),    \
	  (olddirfd, oldpath, newdirfd, newpath))                                               \
	X(flock, fs, "i:dL", (EWOULDBLOCK, EBADF, EINTR, ENOLCK), "lock", (int fd, int op), (fd, op)) \
	X(chdir, fs, "i:P", (EACCES, ENOENT, ENOTDIR, ELOOP), "chdir", (const char *path), (path)) \
	X(mount, mount, "i:PPsMs", (EPERM, EACCES, EBUSY, EINVAL, ENOENT, ENOTDIR, ELOOP, ENOMEM), \
	  "mount",                                                                              \
	  (const char *source, const char *target, const char *fstype, unsigned long flags,     \
	   const char *data),                                                                   \
	  (source, target, fstype, flags, data))                                                \
	X(umount2, mount, "i:PU", (EBUSY, EINVAL, ENOENT, EPERM), "umount",                    \
	  (const char *target, int flags), (target, flags))                                     \
	X(mount_setattr, mount, "i:dPaAA", (EPERM, EINVAL, ENOENT, EBUSY, ENOSYS),             \
	  "mount_setattr",                                                                      \
	  (int dirfd, const char *path, int flags, uint64_t attr_set, uint64_t attr_clr),      \
	  (dirfd, path, flags, attr_set, attr_clr))                                             \
	X(open_tree, mount, "f:dPO", (EPERM, EINVAL, ENOENT, ELOOP, ENOTDIR, EMFILE, ENOMEM, ENOSYS), \
	  "open_tree", (int dirfd, const char *path, int flags), (dirfd, path, flags))          \
	X(move_mount, mount, "i:dPdPV", (EPERM, EINVAL, ENOENT, ENOTDIR, ELOOP, EBUSY, ENOMEM, ENOSYS), \
	  "move_mount",                                                                         \
	  (int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, int flags), \
	  (from_dirfd, from_path, to_dirfd, to_path, flags))                                    \
	X(spawn, proc, "p:Cc", (EAGAIN, ENOMEM, ENOSPC, EPERM, EUSERS), "clone",                \
	  (const struct sys_spawn_req *req, struct sys_child *ret_child), (req, ret_child))    \
	X(release, proc, "i:cR", (EPIPE, EIO, ECHILD), "release",                               \
	  (struct sys_child *child, struct sys_child_report *ret_report), (child, ret_report)) \
	X(execve, proc, "i:Pvv", (ENOENT, EACCES, ENOEXEC, E2BIG, ENOMEM, ENOTDIR, ELOOP, ETXTBSY), \
	  "exec", (const char *path, char *const argv[], char *const envp[]), (path, argv, envp)) \
	X(setsid, proc, "p:", (EPERM), "setsid", (), ())                                        \
	X(setgroups, proc, "i:zX", (EPERM, EINVAL, ENOMEM), "setgroups",                      \
	  (size_t n, const gid_t *groups), (n, groups))                                         \
	X(geteuid, proc, "i:", (EPERM), "get the user id", (), ())                              \
	X(setgid, proc, "i:u", (EPERM, EINVAL), "setgid", (gid_t gid), (gid))                   \
	X(setuid, proc, "i:u", (EPERM, EAGAIN, EINVAL), "setuid", (uid_t uid), (uid))           \
	X(getpwnam, proc, "i:sG", (EIO, ENOENT, ENOMEM), "look up user",                       \
	  (const char *name, struct sys_passwd *ret_pw), (name, ret_pw))                        \
	X(kill, proc, "i:pg", (EPERM, ESRCH, EINVAL), "kill", (pid_t pid, int sig), (pid, sig)) \
	X(pidfd_send_signal, proc, "i:dgI", (EPERM, ESRCH, EINVAL, EBADF, ENOSYS), "kill",     \
	  (int pidfd, int sig, int value), (pidfd, sig, value))                                 \
	X(waitpid, proc, "p:pwW", (EINTR, ECHILD, EINVAL), "wait",                              \
	  (pid_t pid, int *ret_status, int options), (pid, ret_status, options))                \
	X(sigprocmask, proc, "i:hkk", (EINVAL, EFAULT), "sigprocmask",                          \
	  (int how, const sigset_t *set, sigset_t *ret_old), (how, set, ret_old))               \
	X(sigdefault, proc, "i:k", (EINVAL), "reset signals", (const sigset_t *set), (set))   \
	X(sigtimedwait, proc, "g:kxI", (EAGAIN, EINTR), "wait for signals",                     \
	  (const sigset_t *set, siginfo_t *ret_info, int timeout_ms), (set, ret_info, timeout_ms)) \
	X(pidfd_open, proc, "f:pI", (ESRCH, ENOSYS, EINVAL, EMFILE, ENOMEM), "pidfd_open",      \
	  (pid_t pid, int flags), (pid, flags))                                                 \
	X(sigwait_pidfd, proc, "g:kdxI", (EAGAIN, EINTR, EBADF, EMFILE, ENOMEM), "wait for signals", \
	  (const sigset_t *set, int pidfd, siginfo_t *ret_info, int timeout_ms),                \
	  (set, pidfd, ret_info, timeout_ms))                                                   \
	X(proc_read, proc, "n:Pbz", (ENOENT, EACCES, EIO, ESRCH), "read",                       \
	  (const char *path, char *buf, size_t size), (path, buf, size))                        \
	X(proc_list, proc, "n:Jz", (EACCES, EIO, ENOMEM), "list processes",                    \
	  (pid_t *ret_pids, size_t max), (ret_pids, max))                                       \
	X(listdir, fs, "n:Pbz", (ENOENT, EACCES, ENOTDIR, EMFILE, ENOMEM, ERANGE), "list",    \
	  (const char *path, char *buf, size_t size), (path, buf, size))                       \
	X(nanosleep, proc, "i:I", (EINTR), "sleep", (int ms), (ms))                             \
	X(clock_gettime, proc, "i:q", (EINVAL), "read the clock", (uint64_t *ret_ms), (ret_ms)) \
	X(cg_mkdir, cgroup, "i:Pm", (EACCES, EEXIST, ENOENT, ENOSPC, EPERM, EROFS), "mkdir",    \
	  (const char *path, mode_t mode), (path, mode))                                        \
	X(cg_rmdir, cgroup, "i:P", (EBUSY, ENOENT, EACCES, EPERM), "rmdir", (const char *path), (path)) \
	X(cg_write, cgroup, "i:Ps", (EINVAL, EBUSY, ENOENT, EACCES, ESRCH, ENOSPC), "write",   \
	  (const char *path, const char *value), (path, value))                                 \
	X(cg_read, cgroup, "n:Pbz", (ENOENT, EACCES, EIO), "read",                              \
	  (const char *path, char *buf, size_t size), (path, buf, size))                       \
	X(cg_list, cgroup, "n:Pbz", (ENOENT, EACCES, ENOTDIR, EMFILE, ENOMEM, ERANGE), "list", \
	  (const char *path, char *buf, size_t size), (path, buf, size))
/* clang-format on */

/* The struct sys * first, then the op's own parameters (which may be none). */
#define SYS_S_PARAMS(...) struct sys *s __VA_OPT__(, ) __VA_ARGS__
#define SYS_S_ARGS(...) s __VA_OPT__(, ) __VA_ARGS__
#define SYS_COMMA_ARGS(...) __VA_OPT__(, ) __VA_ARGS__

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
	int (*name)(SYS_S_PARAMS params);
	SYS_OPS(SYS_X_MEMBER)
#undef SYS_X_MEMBER
};

/* An instance: the ops plus whatever the implementation needs (fake model, inner sys…). */
struct sys {
	const struct sys_ops *ops;
	void *priv;
};

#define SYS_X_CALLER(name, area, kinds, err, verb, params, args)                                \
	static inline int sys_##name(SYS_S_PARAMS params)                                       \
	{                                                                                       \
		return s->ops->name(SYS_S_ARGS args);                                           \
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
