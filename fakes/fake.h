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
/* A regular file holding data (what read() returns). */
int fake_add_file_data(struct fake *f, const char *path, mode_t mode, uid_t uid, gid_t gid,
		       const char *data);
int fake_add_symlink(struct fake *f, const char *path, const char *target);
/* Mark path as a mount point with these mount flags (MS_RDONLY, MS_NOSUID, MS_NODEV,
 * MS_NOEXEC, MS_NOATIME, MS_NODIRATIME, MS_RELATIME); fstatfs reports them as ST_* flags. */
int fake_add_mount(struct fake *f, const char *path, unsigned long flags);
void fake_set_umask(struct fake *f, mode_t mask);
/* A regular file that has nlink names: the others are hard links somewhere the model does
 * not show (a hard link into a sandbox to a host file). fstat and fstatat report st_nlink. */
int fake_set_nlink(struct fake *f, const char *path, unsigned int nlink);

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
/* The same sent by sigqueue(3): the receiver's siginfo has SI_QUEUE and si_value.sival_int =
 * value (how `mcz destroy` asks a supervisor to destroy: MCZ_DESTROY_REQUEST). */
void fake_schedule_sigqueue(struct fake *f, int at_ms, pid_t pid, int sig, int value);

/* Users for getpwnam(): root (0:0, /root) and nobody (65534:65534, /nonexistent) exist. */
void fake_add_user(struct fake *f, const char *name, uid_t uid, gid_t gid, const char *home);

/* A cgroup hierarchy mounted at mount_point (created with parents; listed in mountinfo as
 * "cgroup ... rw,<options>" or "cgroup2"). options: "freezer", "cpu", "cpuacct", "memory",
 * "cpu,cpuacct", ... or "" for cgroup2 (with no controllers until fake_cgroup2_controllers()
 * below). own_cgroup: the supervisor's cgroup in it ("/", "/process_api/abc"; created).
 * Returns the hierarchy number (>= 0) or -errno. The cgroup tree is separate from the file
 * tree: only cg_* ops and proc_read see it. */
int fake_add_cgroup_hierarchy(struct fake *f, const char *mount_point, const char *options,
			      const char *own_cgroup);

/* Set a cgroup file's content as the kernel would report it (e.g. "oom_kill 1" in a v1
 * memory.oom_control after an OOM kill, or in a v2 memory.events). The cgroup must exist;
 * control files (tasks, cgroup.procs, freezer.state, cgroup.controllers,
 * cgroup.subtree_control, ...) cannot be set: -EINVAL. On v2 a controller's file can be set
 * only where that controller is enabled (-ENOENT otherwise, as reading it would say); the
 * value is taken as is, read-only files (memory.events, memory.stat, cpu.stat, ...) too.
 * 0 or -errno. */
int fake_cgroup_set_file(struct fake *f, const char *path, const char *content);

/* ---- cgroup v2 controllers (Documentation/admin-guide/cgroup-v2.rst) ----
 * A v2 hierarchy starts with no controllers, as the unified hierarchy of a hybrid host
 * where all are bound to v1. Controllers are named "cpuset cpu io memory hugetlb pids rdma
 * misc" (the kernel's order, which cgroup.controllers and cgroup.subtree_control print,
 * space-separated with a final newline; no controller reads as "", not "\n").
 *  - cgroup.controllers (every cgroup, read-only): the hierarchy's controllers on the root,
 *    else the parent's cgroup.subtree_control.
 *  - cgroup.subtree_control: "+name -name ..." all or nothing: an unknown name or a token
 *    without +/- is EINVAL; enabling what cgroup.controllers lacks ENOENT; disabling what a
 *    child still has in its subtree_control EBUSY; enabling a domain controller (io, memory,
 *    hugetlb, rdma, misc) in a non-root cgroup with processes of its own EBUSY. Threaded
 *    controllers (cpuset, cpu, pids) may be enabled beside processes when the cgroup has no
 *    populated child and no domain controller enabled: it becomes a thread root, and
 *    enabling a domain controller there, or moving a process or enabling anything below
 *    it, is EOPNOTSUPP (cgroup_vet_subtree_control_enable(), cgroup_is_valid_domain()).
 *  - cgroup.procs of a non-root cgroup whose subtree_control is not empty: EBUSY (no
 *    internal processes; after ESRCH), except a possible thread root as above.
 *  - A file "cpu.*", "io.*", "memory.*", "pids.*", ... exists in a cgroup only when that
 *    controller is in its cgroup.controllers (else ENOENT to read, write or set), except the
 *    core files cpu.stat ("usage_usec/user_usec/system_usec", plus "nr_periods nr_throttled
 *    throttled_usec nr_bursts burst_usec" where cpu is enabled) and *.pressure. The root
 *    has only memory.stat and cpu.stat of them; cgroup.freeze, cgroup.kill, cgroup.events
 *    are not on the root either (ENOENT).
 *  - Modelled files and what a fresh cgroup reads: memory.max, memory.high,
 *    memory.swap.max "max"; memory.low, memory.min, memory.current, memory.peak "0";
 *    memory.events "low 0 high 0 max 0 oom 0 oom_kill 0 oom_group_kill 0" (one a line);
 *    memory.stat (anon, file, kernel, kernel_stack, shmem, file_mapped, file_dirty, ...: 0);
 *    cpu.weight "100"; cpu.max "max 100000"; pids.max "max"; pids.current "0".
 *    Writes parse as the kernel: memory.* limits "max" or a byte count (memparse(): K/M/G
 *    suffixes, 0x hex) rounded down to 4096, else EINVAL; cpu.weight 1..10000 (ERANGE
 *    outside, EINVAL not a number); cpu.max "$MAX [$PERIOD]" (MAX "max" or >= 1000, period
 *    1000..1000000 kept when omitted) else EINVAL; pids.max "max" or 0..4194304 else EINVAL.
 *    A write to a read-only file (cgroup.controllers, cgroup.events, memory.current,
 *    memory.events, memory.stat, memory.peak, cpu.stat, pids.current) is EINVAL: cgroupfs
 *    lets root open the 0444 file and cgroup_file_write() refuses it. An empty write does
 *    nothing and succeeds, as cgroup_file_write() does. Other names keep what was written.
 *  - Disabling a controller drops the files its children had (back to the defaults when it
 *    is enabled again); rmdir with children or processes is EBUSY.
 * fake_snapshot() shows " subtree_control=cpu,memory" on cgroups (the root included) whose
 * cgroup.subtree_control is not empty. */

/* The controllers v2 hierarchy `hier` (from fake_add_cgroup_hierarchy()) offers: a
 * space-separated list, e.g. "cpu io memory pids"; "" for none. 0 or -EINVAL (an unknown
 * name, a v1 hierarchy). Controllers no longer offered are taken out of every
 * subtree_control. */
int fake_cgroup2_controllers(struct fake *f, int hier, const char *controllers);
/* Delegation as a manager (systemd) leaves it before mcz starts: make the cgroup at path (a
 * directory path below a v2 mount, e.g. "/sys/fs/cgroup/mcz-uml"; parents created) and
 * enable the controllers ("cpu memory") in the subtree_control of every cgroup from the
 * root down to it, with the rules of a cgroup.subtree_control write at each level (ENOENT
 * for a controller the hierarchy lacks, EBUSY for a domain controller in a cgroup holding
 * processes). Own cgroup "/mcz-uml/runner" of fake_add_cgroup_hierarchy() then is a leaf
 * with cpu and memory. 0 or -errno (ENOENT: no hierarchy there; EINVAL: v1, bad name). */
int fake_cgroup2_enable(struct fake *f, const char *path, const char *controllers);

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
 * comm, pending signals), every cgroup but hierarchy roots (processes, freezer state, v2
 * subtree_control, stored files; a v2 root only when its subtree_control is not empty), and
 * the mounts of every live mount namespace other than the host's.
 * Two states are equal iff their snapshots are equal. Caller frees. */
char *fake_snapshot(const struct fake *f);
/* The same, restricted to nodes at or below `path` (mounts and fds always included). */
char *fake_snapshot_under(const struct fake *f, const char *path);
int fake_open_fds(const struct fake *f); /* how many fds the supervisor has open */

/* ---- crashes (the "crash at call N" mode of the fault loop) ----
 * The supervisor process (the one mcz code runs as) dies at its own call n (1-based; the calls
 * of other fake processes, a child before exec, are not counted): before the call has any
 * effect, or (after) once it has, its result lost. The death is the kernel's: its fds are
 * closed (flocks released with their last fd), its children go to host init (a zombie is
 * reaped; a child still blocked before release() sees its sync pipe close and exits), mounts
 * and cgroups stay. Then a new mcz process takes its place — the same pid (the kernel may
 * reuse one), no fds, nothing pending or blocked, cwd / — and handler(f, arg) runs in it. The
 * code that was running cannot go on: the handler must not return (it ends the process with
 * _exit; tests run each crash in a forked process). */
typedef void (*fake_crash_fn)(struct fake *f, void *arg);
void fake_crash_at(struct fake *f, unsigned long n, bool after, fake_crash_fn handler, void *arg);
unsigned long fake_supervisor_calls(const struct fake *f); /* calls made as the supervisor */

/* Hand the supervisor's fd to a new process of its own (the supervisor of another container:
 * a bystander whose lock must survive the crash of this one), and make it the parent of
 * child (0: none); the supervisor's copy is closed. Returns the new process's pid. */
pid_t fake_give_fd(struct fake *f, int fd, pid_t child);

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
