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
#include <stdint.h>
#include <sys/types.h>

#include "sys/sys.h"

struct fake;

enum fake_fault_mode {
	FAKE_TRANSIENT,  /* call N fails; later calls behave */
	FAKE_PERSISTENT, /* call N and every later call fail */
	FAKE_AFTER,      /* call N takes effect, then reports failure (fail-after-effect).
	                    waitpid and sigtimedwait are the exception: they fail before their
	                    effect (a reaped status or a taken signal is never lost by a kernel).
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

/* ---- processes, namespaces, signals, time, users, cgroups ----
 *
 * The world starts with one process, the caller: the supervisor, pid 1000 in the host pid
 * and mount namespaces, session and group 1000, cwd "/", uid/gid 0, in the cgroup given by
 * fake_add_cgroup_hierarchy() of every hierarchy. Every op acts as the *current* process:
 * the supervisor, or a spawned child while release() runs its child_main.
 *
 * spawn() makes a child: pid 1001, 1002, ... in the caller's namespace; CLONE_NEWPID makes
 * it pid 1 of a new pid namespace (both numbers kept), CLONE_NEWNS gives it a copy of the
 * caller's mount table (cwd moved to the copy, as copy_mnt_ns() does). It inherits cgroups,
 * cwd, credentials, session/group, the blocked signal mask, and a copy of the fd table
 * (shared open file descriptions, so flock locks too; the spawn pipes excepted). It stays
 * BLOCKED until release(), which runs child_main synchronously as the child and returns:
 *   0          child_main returned 0 after a successful execve;
 *   -errnum    child_main failed: *report as it filled it (errnum 0 becomes -r or EIO, as
 *              sys/real.c does); the child exits 125 << 8 and is a zombie of its parent;
 *   -EIO       child_main returned 0 without exec (what the real pipe protocol reports);
 *   -ECHILD    the child was already dead (killed while blocked).
 * The parent's two pipe ends are real fds in its table (numbers as pipe2() would give) and
 * release() closes them. An injected release fault (before effect) does not run the child:
 * it sees EOF and exits 125 << 8, as the real child does; the report is not written.
 * FAKE_AFTER on release: the child runs and execs, then the failure is reported (the
 * command is running; the caller must kill and reap it). FAKE_AFTER on spawn: the child is
 * created, then killed and reaped by the model without a SIGCHLD (the caller never learns
 * its pid): nothing is left but a used pid number.
 *
 * Mounts: a mount target outside the caller's mount namespace (an fd opened before
 * CLONE_NEWNS and used through /proc/self/fd/N) is EINVAL, as check_mnt() says. Mount
 * propagation between namespaces is not modelled (every mount acts private).
 * Relative paths with AT_FDCWD resolve against the current process's cwd.
 */

/* What an executable does once exec'ed. */
struct fake_program {
	int exit_status;  /* raw wait status when it ends on its own, e.g. 3 << 8 */
	int run_ms;       /* runs this long (fake clock) then ends; -1 = until killed;
			     0 = ends right after exec (when release() returns) */
	int children;     /* background processes it starts in its pid namespace (same comm,
			     pids after its own); they run until killed */
	uint64_t handles; /* bit (1ull << sig): signals it catches: it then exits (128 + sig) << 8 */
	uint64_t ignores; /* signals it ignores */
	/* What /proc/<pid>/stat reports while it runs (0 by default; its background children
	 * report 0): cpu time in clock ticks (fields 14 utime, 15 stime), the resident set in
	 * pages (field 24 rss; 0 once a zombie) and the thread count (field 20; 0 means 1). */
	unsigned long long utime_ticks, stime_ticks;
	unsigned long long rss_pages;
	int threads;
};

/* An executable file (0755 root:root, parents created) and what it does once exec'ed.
 * execve() of an executable regular file that is not a registered program is ENOEXEC (as
 * for a file with no known binary format). 0 or -errno. */
int fake_add_program(struct fake *f, const char *path, const struct fake_program *prog);

/* Script an external signal: at at_ms on the fake clock, `sig` is sent to host pid `pid`
 * (e.g. SIGTERM to the supervisor 1000: an operator's Ctrl-C). It takes effect when the
 * clock reaches at_ms (nanosleep, sigtimedwait, a blocking waitpid). */
void fake_schedule_signal(struct fake *f, int at_ms, pid_t pid, int sig);

/* Users for getpwnam(): root (0:0, /root) and nobody (65534:65534, /nonexistent) exist. */
void fake_add_user(struct fake *f, const char *name, uid_t uid, gid_t gid, const char *home);

/* A cgroup hierarchy mounted at mount_point (created with parents; listed in mountinfo as
 * "cgroup ... rw,<options>" or "cgroup2"). options: "freezer", "cpu", "cpuacct", "memory",
 * "cpu,cpuacct", ... or "" for cgroup2. own_cgroup: the supervisor's cgroup in it ("/",
 * "/process_api/abc"; created). Returns the hierarchy number (>= 0) or -errno. The cgroup
 * tree is separate from the file tree: only cg_* ops and proc_read see it. */
int fake_add_cgroup_hierarchy(struct fake *f, const char *mount_point, const char *options,
			      const char *own_cgroup);

/* Set a cgroup file's content as the kernel would report it (e.g. "oom_kill 1" in a v1
 * memory.oom_control after an OOM kill). The cgroup must exist; control files that act on
 * processes (tasks, cgroup.procs, freezer.state, ...) cannot be set. 0 or -errno. */
int fake_cgroup_set_file(struct fake *f, const char *path, const char *content);

/* The fake clock, in ms. */
long long fake_now(const struct fake *f);
/* Run the clock forward as if the code slept (due program ends and signals happen). */
void fake_advance(struct fake *f, long long ms);
/* What a process is, by host pid: 'B' blocked (spawned, not released), 'R' running, 'Z'
 * zombie, 0 when there is no such process (never was, or reaped). *ret_status (may be NULL)
 * gets the wait status of a zombie. */
int fake_proc_state(const struct fake *f, pid_t pid, int *ret_status);
/* The number of processes alive or zombie, the supervisor included. */
int fake_nprocs(const struct fake *f);

/* Look a path up without following a final symlink (lstat). 0 or -errno. */
int fake_lstat(struct fake *f, const char *path, struct stat *ret_st);

/* ---- state ----
 * A canonical, deterministic text dump of the whole model: every node (kind, mode, uid:gid,
 * path, symlink target, size of written data), every mount, every open fd of the
 * supervisor, every process but a pristine supervisor (pid, ppid, state, pid namespace,
 * comm, pending signals), every cgroup but hierarchy roots (processes, freezer state,
 * stored files), and the mounts of every live mount namespace other than the host's.
 * Two states are equal iff their snapshots are equal. Caller frees. */
char *fake_snapshot(const struct fake *f);
/* The same, restricted to nodes at or below `path` (mounts and fds always included). */
char *fake_snapshot_under(const struct fake *f, const char *path);
int fake_open_fds(const struct fake *f); /* how many fds the supervisor has open */

/* ---- trace ---- */
const char *fake_trace(const struct fake *f); /* never NULL */
void fake_trace_clear(struct fake *f);
unsigned long fake_calls(const struct fake *f); /* calls made through fake_sys() */

/* ---- faults ---- */
/* Arm the countdown: the nth call from now (n >= 1) fails. err 0 = the op's default errno.
 * err is for call n only: in FAKE_PERSISTENT mode the later calls fail with their own op's
 * default errno. n = 0 disarms. */
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
