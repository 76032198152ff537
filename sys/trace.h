/*
 * trace.h — strace-like recording of sys calls, shared by the fake and the tracing shim.
 *
 * A call is packed generically from its kind string (sys.h) into a struct sys_call, then
 * formatted as one deterministic line, for example:
 *
 *   mkdirat(3</var/lib/mcz/sandboxes/c1>, "tmp", 0700) = 0
 *   fchmod(4</var/lib/mcz/sandboxes/c1/tmp>, 01777) = -1 EPERM (Operation not permitted) [injected]
 *   openat2(3</s>, "a", O_RDONLY|O_NOFOLLOW|O_CLOEXEC, 0, RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS) = 4
 *
 * The recorder keeps an fd -> path table (from successful open*() results and close()), so
 * every fd is printed with the path it was opened at: traces read on their own and compare
 * byte for byte between runs. Out-parameters (struct stat, statfs, readlink buffers) are shown
 * after a successful call, like strace: {st_mode=S_IFDIR|01777, st_uid=0, st_gid=0}.
 */
#ifndef MCZ_SYS_TRACE_H
#define MCZ_SYS_TRACE_H

#include <stdarg.h>

#include "sys/sys.h"

#define SYS_CALL_MAX_ARGS 6

union sys_arg {
	long i;
	unsigned long u;
	uint64_t u64;
	const void *p;
};

struct sys_call {
	enum sys_op op;
	int nargs;
	union sys_arg a[SYS_CALL_MAX_ARGS];
};

/* Pack the arguments of one call (in inventory order) according to sys_op_kinds[op]. */
void sys_call_pack(struct sys_call *c, enum sys_op op, ...);

/* The path argument of a call (the first P), or NULL; and its dirfd (the d before it, or
 * AT_FDCWD). Fault rules match on the path resolved against the dirfd. */
const char *sys_call_path(const struct sys_call *c, int *ret_dirfd);

struct sys_trace;

struct sys_trace *sys_trace_new(void);
struct sys_trace *sys_trace_free(struct sys_trace *t); /* accepts NULL, returns NULL */

/* Append one line for call c that returned r (>= 0 or -errno). Updates the fd table. */
void sys_trace_record(struct sys_trace *t, const struct sys_call *c, int r, bool injected);

/* Put prefix (e.g. "[pid 1001] ", as strace -f does) before every line recorded from now on;
 * "" for none. At most 31 bytes are kept. Prefixed lines are another process's: they leave
 * the fd -> path table alone. */
void sys_trace_set_prefix(struct sys_trace *t, const char *prefix);

/* Append a line that is not a call (strace's "+++ killed by SIGTERM +++"), after the prefix. */
void sys_trace_note(struct sys_trace *t, const char *text);

/* The whole trace: lines joined with '\n', each terminated by '\n'. Never NULL. */
const char *sys_trace_text(const struct sys_trace *t);
size_t sys_trace_lines(const struct sys_trace *t);
void sys_trace_clear(struct sys_trace *t); /* forget lines and fds */
void sys_trace_clear_lines(struct sys_trace *t); /* forget lines, keep the fd table */

/* The path an fd was opened at, as known to the recorder, or NULL. */
const char *sys_trace_fd_path(const struct sys_trace *t, int fd);

/* Format one call into a fresh string (no newline). fd paths come from t (may be NULL). */
char *sys_call_format(const struct sys_trace *t, const struct sys_call *c, int r, bool injected);

/* Symbolic names used by the formatter (exposed for tests and error messages). */
const char *sys_errno_name(int err); /* "EPERM"; "E123" style for unknown */
char *sys_mount_flags_name(unsigned long flags); /* "MS_RDONLY|MS_BIND", "0"; caller frees */
/* "SIGKILL", "SIGRTMIN+3" (glibc's SIGRTMIN), else the number; valid until a few more calls. */
const char *sys_signal_name(int sig);

/* Lexical join: an absolute path ignores dir (dir may be NULL); "." and empty components are
 * dropped, ".." is kept (no filesystem to ask). Always absolute when dir is. Caller frees. */
char *sys_path_join(const char *dir, const char *path);

/* If path is /proc/self/fd/N or /proc/self/fd/N/rest, return N and point *ret_rest at what
 * follows N ("" or "/rest"); else -1. mcz mounts through such paths (SPEC §5). */
int sys_proc_fd_path(const char *path, const char **ret_rest);

/* A shim that records every call of `inner` and passes it on unchanged: vfstrace for sys.
 * sys_tracer_trace() gives its recorder. */
struct sys *sys_tracer_new(struct sys *inner);
struct sys *sys_tracer_free(struct sys *tracer);
struct sys_trace *sys_tracer_trace(struct sys *tracer);

#endif
