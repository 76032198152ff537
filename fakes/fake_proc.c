/*
 * fake_proc.c — processes, pid and mount namespaces, signals, the clock, programs, users.
 *
 * One process runs at a time: the supervisor, or a spawned child while release() runs its
 * child_main. Everything else happens on the fake clock: programs end when their run time
 * is up, scripted signals arrive, and the code under test only sees it when it sleeps or
 * waits (nanosleep, sigtimedwait, a blocking waitpid).
 *
 * Signals follow signal(7) and the kernel's rules (kernel/signal.c): standard signals do
 * not queue (one pending instance keeps the first siginfo); a signal whose action is to be
 * ignored is discarded when it is generated unless it is blocked (sig_ignored()); the lowest
 * pending signal is dequeued first; sigtimedwait() waits on signals that need not be blocked
 * (do_sigtimedwait() moves the set to real_blocked). Stop signals are not modelled: SIGSTOP,
 * SIGTSTP, SIGTTIN and SIGTTOU act as ignored.
 */
#include <string.h>

#include "lib/util.h"
#include "fakes/fake_impl.h"

#define ARG_INT(c, n) ((int)(c)->a[n].i)
#define ARG_STR(c, n) ((const char *)(c)->a[n].p)
#define ARG_OUT(c, n) ((void *)(c)->a[n].p)
/* Pending and blocked sets: bit sig - 1, so that signal 64 fits. */
#define BIT(sig) (1ull << ((sig) - 1))
/* struct fake_program's masks: bit sig, as documented in fake.h (signals 1..63). */
#define PROG_BIT(sig) ((sig) < 64 ? 1ull << (sig) : 0)

#define SUPERVISOR_PID 1000
#define HOST_PIDNS_INO 4026531836ul /* PROC_PID_INIT_INO */

static void proc_exit(struct fake *f, struct fproc *p, int status);

/* ---- the process table ---- */

bool fproc_alive(const struct fproc *p)
{
	return p->state == FP_BLOCKED || p->state == FP_RUNNING;
}

static bool visible(const struct fproc *p)
{
	return p->state != FP_GONE;
}

/* The namespace of p's chain at `level`. */
static const struct fpidns *ns_at(const struct fproc *p, int level)
{
	const struct fpidns *ns = p->pidns;

	while (ns && ns->level > level)
		ns = ns->parent;
	return ns;
}

pid_t fproc_nr(const struct fproc *p, const struct fpidns *viewer)
{
	if (ns_at(p, viewer->level) != viewer)
		return 0;
	return p->nr[viewer->level];
}

static bool is_ns_init(const struct fproc *p)
{
	return p->pidns->level > 0 && p->nr[p->pidns->level] == 1;
}

struct fproc *fake_proc_find(struct fake *f, pid_t nr)
{
	for (size_t i = 0; nr > 0 && i < f->nprocs; i++)
		if (visible(f->procs[i]) && fproc_nr(f->procs[i], f->cur->pidns) == nr)
			return f->procs[i];
	return NULL;
}

static struct fproc *find_host(const struct fake *f, pid_t pid)
{
	for (size_t i = 0; i < f->nprocs; i++)
		if (visible(f->procs[i]) && f->procs[i]->nr[0] == pid)
			return f->procs[i];
	return NULL;
}

void fake_switch(struct fake *f, struct fproc *p)
{
	struct fmntns *from = f->cur ? f->cur->mntns : NULL;

	if (from != p->mntns) {
		if (from) {
			from->mounts = f->mounts;
			from->nmounts = f->nmounts;
			from->mcap = f->mcap;
		}
		f->mounts = p->mntns->mounts;
		f->nmounts = p->mntns->nmounts;
		f->mcap = p->mntns->mcap;
	}
	f->fds = p->fds;
	f->cur = p;
}

static struct fpidns *pidns_new(struct fake *f, struct fpidns *parent)
{
	struct fpidns *ns = mcz_xcalloc(1, sizeof(*ns));

	ns->id = (unsigned int)f->npidnss;
	ns->parent = parent;
	ns->level = parent ? parent->level + 1 : 0;
	/* Deterministic inode numbers above the initial namespaces' (proc_alloc_inum()). */
	ns->ino = parent ? 4026532200ul + f->npidnss : HOST_PIDNS_INO;
	ns->next_pid = parent ? 1 : SUPERVISOR_PID;
	f->pidnss = mcz_xrealloc(f->pidnss, (f->npidnss + 1) * sizeof(*f->pidnss));
	f->pidnss[f->npidnss++] = ns;
	return ns;
}

static void procs_append(struct fake *f, struct fproc *p)
{
	f->procs = mcz_xrealloc(f->procs, (f->nprocs + 1) * sizeof(*f->procs));
	f->procs[f->nprocs++] = p;
}

/* alloc_pid(): one number in every namespace from the process's own up to the host's. */
static void assign_pids(struct fproc *p)
{
	for (struct fpidns *ns = p->pidns; ns; ns = ns->parent)
		p->nr[ns->level] = ns->next_pid++;
}

static void set_comm(struct fproc *p, const char *path)
{
	const char *base = strrchr(path, '/');

	/* TASK_COMM_LEN: 15 characters and a NUL. */
	snprintf(p->comm, sizeof(p->comm), "%s", base ? base + 1 : path);
}

static void fds_close_all(struct ffd *fds)
{
	for (int i = 0; fds && i < FAKE_MAX_FDS; i++) {
		free(fds[i].path);
		memset(&fds[i], 0, sizeof(fds[i]));
	}
}

/* fork(2): the child gets duplicates of the parent's descriptors, which share open file
 * descriptions (offsets and flock locks). */
static struct ffd *fds_copy(const struct ffd *from)
{
	struct ffd *fds = fd_table_new();

	for (int i = 0; i < FAKE_MAX_FDS; i++) {
		if (!from[i].used)
			continue;
		fds[i] = from[i];
		fds[i].path = mcz_xstrdup(from[i].path);
	}
	return fds;
}

static struct fproc *proc_fork(struct fake *f, struct fproc *parent, struct fpidns *ns)
{
	struct fproc *p = mcz_xcalloc(1, sizeof(*p));

	p->pidns = ns;
	assign_pids(p);
	p->mntns = parent->mntns;
	p->parent = parent;
	p->sid = parent->sid;
	p->pgid = parent->pgid;
	p->uid = parent->uid;
	p->gid = parent->gid;
	p->ngroups = parent->ngroups;
	memcpy(p->groups, parent->groups, sizeof(p->groups));
	p->cwd = parent->cwd;
	memcpy(p->comm, parent->comm, sizeof(p->comm));
	p->cmdline = mcz_xstrdup(parent->cmdline);
	p->blocked = parent->blocked; /* fork(2): the signal mask is inherited */
	p->end_at = -1;
	p->remaining = -1;
	memcpy(p->cg, parent->cg, sizeof(p->cg));
	procs_append(f, p);
	return p;
}

void fake_proc_init(struct fake *f)
{
	struct fproc *p = mcz_xcalloc(1, sizeof(*p));
	struct fmntns *host = mcz_xcalloc(1, sizeof(*host));

	f->mntnss = mcz_xcalloc(1, sizeof(*f->mntnss));
	f->mntnss[f->nmntnss++] = host;
	p->pidns = pidns_new(f, NULL);
	assign_pids(p);
	p->mntns = host;
	p->sid = p->pgid = SUPERVISOR_PID;
	p->cwd = fake_root_loc(f);
	snprintf(p->comm, sizeof(p->comm), "mcz");
	p->cmdline = mcz_xstrdup("mcz");
	p->state = FP_RUNNING;
	p->end_at = -1;
	p->remaining = -1;
	p->fds = fd_table_new();
	procs_append(f, p);
	/* The host namespace's table is in struct fake already: make it current by hand. */
	f->cur = p;
	f->fds = p->fds;
	fake_add_user(f, "root", 0, 0, "/root");
	fake_add_user(f, "nobody", 65534, 65534, "/nonexistent");
	/* Pipe ends and nsfs handles are inodes outside the tree, on graveyard lists. */
	f->pipe_node = fnode_new(f, FN_FIFO, 0600, 0, 0);
	f->pipe_node->next_dead = f->dead;
	f->dead = f->pipe_node;
	f->nsfs_node = fnode_new(f, FN_REG, 0444, 0, 0);
	f->nsfs_node->next_dead = f->dead;
	f->dead = f->nsfs_node;
	f->pipe_mnt = mcz_xcalloc(1, sizeof(*f->pipe_mnt));
	f->pipe_mnt->root = f->pipe_node;
	f->pipe_mnt->source = mcz_xstrdup("pipe");
}

static void proc_free(struct fproc *p)
{
	fd_table_free(p->fds);
	free(p->cmdline);
	free(p);
}

void fake_proc_free(struct fake *f)
{
	fake_switch(f, f->procs[0]);
	f->mntnss[0]->mounts = f->mounts;
	f->mntnss[0]->nmounts = f->nmounts;
	for (size_t i = 0; i < f->nmntnss; i++)
		fmntns_free(f->mntnss[i]);
	free(f->mntnss);
	for (size_t i = 0; i < f->npidnss; i++)
		free(f->pidnss[i]);
	free(f->pidnss);
	for (size_t i = 0; i < f->nprocs; i++)
		proc_free(f->procs[i]);
	free(f->procs);
	free(f->progs);
	free(f->sched);
	free(f->users);
	free(f->pipe_mnt->source);
	free(f->pipe_mnt);
}

/* Reaped processes leave the table; the supervisor and the current process stay. */
void fake_proc_sweep(struct fake *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nprocs; i++) {
		struct fproc *p = f->procs[i];
		if (p->state == FP_GONE && i > 0 && p != f->cur)
			proc_free(p);
		else
			f->procs[n++] = p;
	}
	f->nprocs = n;
}

/* ---- signals ---- */

/* signal(7): the signals whose default action is to ignore them, plus the stop signals,
 * which the fake does not model. */
static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG || sig == SIGCONT ||
	       sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static bool handles(const struct fproc *p, int sig)
{
	return p->has_prog && (p->prog.handles & PROG_BIT(sig));
}

static bool ignores(const struct fproc *p, int sig)
{
	return p->has_prog && (p->prog.ignores & PROG_BIT(sig));
}

static void note_killed(struct fake *f, const struct fproc *p, int sig)
{
	char *line = mcz_xasprintf("+++ %d killed by %s +++", (int)p->nr[0], sys_signal_name(sig));

	sys_trace_note(f->trace, line);
	free(line);
}

/* pid_namespaces(7): "Only signals for which the init process has established a signal
 * handler can be sent to the init process by other members of the PID namespace ... a
 * process in an ancestor namespace can ... send signals to the init process of the child
 * PID namespace only if the init process has established a handler for that signal ...
 * SIGKILL or SIGSTOP are treated exceptionally: these signals are forcibly delivered when
 * sent from an ancestor PID namespace." A kernel-made signal (sender 0) counts as outside. */
static bool init_accepts(const struct fake *f, const struct fproc *p, int sig, pid_t sender)
{
	const struct fproc *s = find_host(f, sender);
	bool outside = !s || s->pidns->level < p->pidns->level;

	return handles(p, sig) || ((sig == SIGKILL || sig == SIGSTOP) && outside);
}

static void make_pending(struct fake *f, struct fproc *p, int sig, pid_t sender, int status)
{
	const struct fproc *s = find_host(f, sender);

	/* legacy_queue(): a standard signal already pending is dropped, siginfo and all. */
	if (p->pending & BIT(sig))
		return;
	p->pending |= BIT(sig);
	p->info[sig] = (struct fsiginfo){ .pid = s ? fproc_nr(s, p->pidns) : 0, .status = status };
}

/* The action a delivered, unblocked signal has: the wait status it ends p with, or -1. */
static int fatal_status(const struct fproc *p, int sig)
{
	if (sig == SIGKILL)
		return SIGKILL;
	if (ignores(p, sig))
		return -1;
	if (handles(p, sig))
		return (128 + sig) << 8; /* the program catches it and exits */
	if (default_ignored(sig))
		return -1;
	return sig; /* killed by the signal, no core dump modelled */
}

static void send_signal(struct fake *f, struct fproc *p, int sig, pid_t sender, int status)
{
	bool v2 = false;
	int st;

	if (!fproc_alive(p) || sig <= 0 || sig >= FAKE_NSIG)
		return;
	if (is_ns_init(p) && !init_accepts(f, p, sig, sender))
		return;
	if ((p->blocked & BIT(sig)) && sig != SIGKILL && sig != SIGSTOP) {
		make_pending(f, p, sig, sender, status);
		return;
	}
	st = fatal_status(p, sig);
	if (st < 0)
		return;
	/* cgroup v1 freezer: a frozen task acts on nothing, SIGKILL included, until thawed.
	 * cgroup v2 lets SIGKILL through (cgroup-v2.rst, "cgroup.freeze"). */
	if (p->frozen && fcg_frozen(f, p, &v2) && !(v2 && sig == SIGKILL)) {
		make_pending(f, p, sig, sender, status);
		return;
	}
	if (p == f->procs[0])
		note_killed(f, p, sig);
	proc_exit(f, p, st);
}

void fproc_signal(struct fake *f, struct fproc *p, int sig, pid_t sender_host)
{
	send_signal(f, p, sig, sender_host, 0);
}

/* Pending signals that are no longer held back (unblocked, or the task thawed) act now. */
static void redeliver(struct fake *f, struct fproc *p)
{
	for (int sig = 1; sig < FAKE_NSIG && fproc_alive(p); sig++) {
		if (!(p->pending & BIT(sig)) || ((p->blocked & BIT(sig)) && sig != SIGKILL))
			continue;
		p->pending &= ~BIT(sig);
		send_signal(f, p, sig, 0, p->info[sig].status);
	}
}

void fproc_refresh_frozen(struct fake *f)
{
	for (size_t i = 0; i < f->nprocs; i++) {
		struct fproc *p = f->procs[i];
		bool v2, now = fproc_alive(p) && fcg_frozen(f, p, &v2);

		if (now == p->frozen)
			continue;
		p->frozen = now;
		if (now && p->end_at >= 0) {
			/* A frozen program makes no progress: its run time stops too. */
			p->remaining = p->end_at - f->now;
			p->end_at = -1;
		} else if (!now) {
			if (p->remaining >= 0)
				p->end_at = f->now + p->remaining;
			p->remaining = -1;
			redeliver(f, p);
		}
	}
}

/* ---- ending ---- */

static struct fproc *ns_init_of(const struct fake *f, const struct fpidns *ns)
{
	for (size_t i = 0; i < f->nprocs; i++)
		if (f->procs[i]->pidns == ns && fproc_alive(f->procs[i]) &&
		    f->procs[i]->nr[ns->level] == 1)
			return f->procs[i];
	return NULL;
}

static bool in_ns_tree(const struct fproc *p, const struct fpidns *ns)
{
	return ns_at(p, ns->level) == ns;
}

/* The process is gone without a trace: no zombie, no SIGCHLD. */
static void vanish(struct fproc *p)
{
	fds_close_all(p->fds);
	fcg_leave(p);
	p->state = FP_GONE;
	p->end_at = -1;
	p->pending = 0;
}

/* pid_namespaces(7): "If the init process of a PID namespace terminates, the kernel
 * terminates all of the processes in the namespace via a SIGKILL signal", and they are
 * reaped there (zap_pid_ns_processes()). */
static void zap_ns(struct fake *f, struct fproc *init)
{
	init->pidns->dying = true;
	for (size_t i = 0; i < f->nprocs; i++) {
		struct fproc *q = f->procs[i];
		if (q != init && visible(q) && in_ns_tree(q, init->pidns))
			vanish(q);
	}
}

/* Children of an ending process go to the init of its pid namespace, or to host init,
 * which reaps at once (the fake's view of a child subreaper-free host). */
static void reparent_children(struct fake *f, struct fproc *p)
{
	struct fproc *init = p->pidns->level > 0 && !is_ns_init(p) ? ns_init_of(f, p->pidns) : NULL;

	for (size_t i = 0; i < f->nprocs; i++) {
		struct fproc *q = f->procs[i];
		if (q->parent != p || !visible(q))
			continue;
		q->parent = init;
		if (q->state == FP_ZOMBIE && (!init || init->execed))
			q->state = FP_GONE;
	}
}

/* do_exit(): descriptors closed, cgroups left, children reparented, then the parent is
 * told. A program (or host init) reaps its children at once; mcz code (the supervisor, a
 * child before exec) has a zombie to wait for and a SIGCHLD. */
static void proc_exit(struct fake *f, struct fproc *p, int status)
{
	struct fproc *parent = p->parent;

	fds_close_all(p->fds);
	fcg_leave(p);
	p->state = FP_ZOMBIE;
	p->status = status;
	p->end_at = -1;
	p->remaining = -1;
	p->pending = 0;
	p->frozen = false;
	if (is_ns_init(p))
		zap_ns(f, p);
	reparent_children(f, p);
	if (p == f->procs[0])
		return; /* the supervisor stays in the table, dead */
	if (!parent || parent->execed || !fproc_alive(parent)) {
		p->state = FP_GONE;
		return;
	}
	send_signal(f, parent, SIGCHLD, p->nr[0], status);
}

/* ---- fake_crash_at(), fake_give_fd() ---- */

void fake_supervisor_dies(struct fake *f)
{
	struct fproc *p = f->procs[0];

	fake_switch(f, p);
	/* do_exit(): every fd closed (a lock goes with the last fd of its open file); the
	 * children go to host init, which reaps. A child still waiting for release() reads EOF
	 * on its sync pipe and exits before it ran anything. */
	fds_close_all(p->fds);
	for (size_t i = 0; i < f->nprocs; i++) {
		struct fproc *q = f->procs[i];

		if (q->parent == p && q->state == FP_BLOCKED) {
			fcg_leave(q);
			q->state = FP_RUNNING;
			q->parent = NULL;
			proc_exit(f, q, 1 << 8);
		}
	}
	reparent_children(f, p);
	/* Its successor: a fresh mcz process (the same pid, as if reused; its own cgroups are
	 * the ones the dead one started in). */
	p->state = FP_RUNNING;
	p->pending = 0;
	p->blocked = 0;
	memset(p->info, 0, sizeof(p->info));
	p->cwd = fake_root_loc(f);
	p->sid = p->pgid = SUPERVISOR_PID;
	for (int h = 0; h < f->nhier; h++)
		p->cg[h] = f->hier[h].own;
	fake_proc_sweep(f);
}

pid_t fake_give_fd(struct fake *f, int fd, pid_t child)
{
	struct fproc *sup = f->procs[0];
	struct fproc *p = proc_fork(f, sup, sup->pidns);
	struct ffd *d = fake_fd(f, fd);

	p->parent = NULL; /* a supervisor of its own, in its own session */
	p->sid = p->pgid = p->nr[0];
	p->state = FP_RUNNING;
	p->execed = true; /* runs no mcz code of the test's */
	snprintf(p->comm, sizeof(p->comm), "mcz-supervisor");
	p->fds = fd_table_new();
	if (d) {
		p->fds[fd] = *d;
		p->fds[fd].path = mcz_xstrdup(d->path);
		free(d->path);
		memset(d, 0, sizeof(*d));
	}
	for (size_t i = 0; child > 0 && i < f->nprocs; i++)
		if (f->procs[i]->nr[0] == child)
			f->procs[i]->parent = p;
	return p->nr[0];
}

/* ---- the clock ---- */

static long long next_event(const struct fake *f)
{
	long long e = -1;

	for (size_t i = 0; i < f->nprocs; i++) {
		const struct fproc *p = f->procs[i];
		if (fproc_alive(p) && p->end_at >= 0 && (e < 0 || p->end_at < e))
			e = p->end_at;
	}
	for (size_t i = 0; i < f->nsched; i++)
		if (e < 0 || f->sched[i].at < e)
			e = f->sched[i].at;
	return e;
}

static void fire_sched(struct fake *f, long long at)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nsched; i++) {
		struct fsched ev = f->sched[i];
		struct fproc *p;

		if (ev.at > at) {
			f->sched[n++] = ev;
			continue;
		}
		p = find_host(f, ev.pid);
		if (p && (!ev.queued || !(p->pending & BIT(ev.sig)))) {
			send_signal(f, p, ev.sig, 0, 0);
			if (ev.queued && fproc_alive(p) && (p->pending & BIT(ev.sig))) {
				p->info[ev.sig].queued = true;
				p->info[ev.sig].value = ev.value;
			}
		}
	}
	f->nsched = n;
}

static void fire_ends(struct fake *f, long long at)
{
	for (size_t i = 0; i < f->nprocs; i++) {
		struct fproc *p = f->procs[i];
		if (fproc_alive(p) && p->end_at >= 0 && p->end_at <= at)
			proc_exit(f, p, p->prog.exit_status);
	}
}

/* Move the clock to t, making every event up to t happen in order. */
static void advance_to(struct fake *f, long long t)
{
	long long e;

	while ((e = next_event(f)) >= 0 && e <= t) {
		if (e > f->now)
			f->now = e;
		fire_ends(f, e);
		fire_sched(f, e);
	}
	if (t > f->now)
		f->now = t;
}

long long fake_now(const struct fake *f)
{
	return f->now;
}

void fake_advance(struct fake *f, long long ms)
{
	advance_to(f, f->now + (ms > 0 ? ms : 0));
	fake_proc_sweep(f);
}

void fake_schedule_signal(struct fake *f, int at_ms, pid_t pid, int sig)
{
	f->sched = mcz_xrealloc(f->sched, (f->nsched + 1) * sizeof(*f->sched));
	f->sched[f->nsched++] = (struct fsched){ .at = at_ms, .pid = pid, .sig = sig };
}

void fake_schedule_sigqueue(struct fake *f, int at_ms, pid_t pid, int sig, int value)
{
	fake_schedule_signal(f, at_ms, pid, sig);
	f->sched[f->nsched - 1].queued = true;
	f->sched[f->nsched - 1].value = value;
}

/* ---- world building ---- */

int fake_add_program(struct fake *f, const char *path, const struct fake_program *prog)
{
	struct loc l;
	int r = fake_add_file(f, path, 0755, 0, 0);

	if (r == 0)
		r = fake_lookup(f, AT_FDCWD, path, 0, 0, &l);
	if (r < 0)
		return r;
	f->progs = mcz_xrealloc(f->progs, (f->nprogs + 1) * sizeof(*f->progs));
	f->progs[f->nprogs++] = (struct fprog){ .node = l.n, .prog = *prog };
	return 0;
}

void fake_add_user(struct fake *f, const char *name, uid_t uid, gid_t gid, const char *home)
{
	struct sys_passwd pw = { .uid = uid, .gid = gid };

	snprintf(pw.name, sizeof(pw.name), "%s", name);
	snprintf(pw.home, sizeof(pw.home), "%s", home);
	pw.n_groups = 1; /* getgrouplist(3) lists the primary group first */
	pw.groups[0] = gid;
	f->users = mcz_xrealloc(f->users, (f->nusers + 1) * sizeof(*f->users));
	f->users[f->nusers++] = pw;
}

int fake_proc_state(const struct fake *f, pid_t pid, int *ret_status)
{
	const struct fproc *p = find_host(f, pid);

	if (!p)
		return 0;
	if (ret_status)
		*ret_status = p->status;
	return p->state == FP_BLOCKED ? 'B' : p->state == FP_RUNNING ? 'R' : 'Z';
}

int fake_nprocs(const struct fake *f)
{
	int n = 0;

	for (size_t i = 0; i < f->nprocs; i++)
		n += visible(f->procs[i]);
	return n;
}

/* ---- spawn, release, execve ---- */

/* pipe2(2) twice: the parent keeps the sync pipe's write end and the report pipe's read
 * end, so the numbers are what the real spawn leaves open (lowest free, two freed again). */
static void pipe_end(struct fake *f, int fd, unsigned long pipe, int flags)
{
	struct ffd *d = &f->fds[fd];

	memset(d, 0, sizeof(*d));
	d->used = true;
	d->pipe = true;
	d->flags = flags | O_CLOEXEC;
	d->loc = (struct loc){ .n = f->pipe_node, .m = f->pipe_mnt };
	d->path = mcz_xasprintf("pipe:[%lu]", pipe);
	d->ofd = ++f->next_ofd;
}

static int spawn_pipes(struct fake *f, struct sys_child *child)
{
	int fds[4];

	for (int i = 0; i < 4; i++) {
		fds[i] = fd_free_slot(f);
		if (fds[i] < 0) {
			for (int j = 0; j < i; j++)
				fake_fd_close(f, fds[j]);
			return fds[i];
		}
		pipe_end(f, fds[i], f->next_pipe + 1 + (unsigned long)i / 2,
			 i % 2 ? O_WRONLY : O_RDONLY);
	}
	f->next_pipe += 2;
	fake_fd_close(f, fds[0]);
	fake_fd_close(f, fds[3]);
	child->release_fd = fds[1];
	child->report_fd = fds[2];
	return 0;
}

#define CLONE_MODELLED (CLONE_NEWNS | CLONE_NEWPID)

/* clone(2) with fork semantics. ENOMEM in a pid namespace whose init has ended
 * (pid_namespaces(7)); EUSERS beyond the nesting limit; other namespace flags are not
 * modelled (EINVAL). */
int model_spawn(struct fake *f, const struct sys_call *c)
{
	const struct sys_spawn_req *req = c->a[0].p;
	struct sys_child *child = ARG_OUT(c, 1);
	struct fpidns *ns = f->cur->pidns;
	struct fproc *p;
	struct ffd *fds;
	int r;

	if (!req || !child || !req->child_main)
		return -EFAULT;
	if (req->clone_flags & ~(unsigned long)CLONE_MODELLED)
		return -EINVAL;
	if (ns->dying)
		return -ENOMEM;
	if ((req->clone_flags & CLONE_NEWPID) && ns->level + 1 >= FAKE_MAX_LEVELS)
		return -EUSERS;
	fds = fds_copy(f->fds); /* before the pipes: the child's own ends are not modelled */
	r = spawn_pipes(f, child);
	if (r < 0) {
		fd_table_free(fds);
		return r;
	}
	if (req->clone_flags & CLONE_NEWPID)
		ns = pidns_new(f, ns);
	p = proc_fork(f, f->cur, ns);
	p->fds = fds;
	p->req = *req;
	p->state = FP_BLOCKED;
	if (req->clone_flags & CLONE_NEWNS)
		p->mntns = fmntns_clone(f, f->cur->mntns, &p->cwd);
	child->pid = fproc_nr(p, f->cur->pidns);
	return child->pid;
}

static void close_child_fds(struct fake *f, struct sys_child *child)
{
	if (child->release_fd >= 0)
		fake_fd_close(f, child->release_fd);
	if (child->report_fd >= 0)
		fake_fd_close(f, child->report_fd);
	child->release_fd = -1;
	child->report_fd = -1;
}

static struct fproc *own_child(struct fake *f, pid_t pid)
{
	struct fproc *p = fake_proc_find(f, pid);

	return p && p->parent == f->cur ? p : NULL;
}

void fake_spawn_undo(struct fake *f, pid_t pid, struct sys_child *child)
{
	struct fproc *p = own_child(f, pid);

	close_child_fds(f, child);
	if (p)
		vanish(p);
}

void fake_release_refused(struct fake *f, struct sys_child *child)
{
	struct fproc *p = child ? own_child(f, child->pid) : NULL;

	if (child)
		close_child_fds(f, child);
	/* The child reads EOF instead of the release byte and exits 125 (sys/real.c). */
	if (p && p->state == FP_BLOCKED)
		proc_exit(f, p, 125 << 8);
}

/* Run child_main as p; give back what it returned. */
static int run_child(struct fake *f, struct fproc *p, struct sys_child_report *rep)
{
	struct fproc *prev = f->cur;
	int r;

	p->state = FP_RUNNING;
	fake_switch(f, p);
	memset(rep, 0, sizeof(*rep));
	r = p->req.child_main(&f->sys, p->req.arg, rep);
	fake_switch(f, prev);
	return r;
}

int model_release(struct fake *f, const struct sys_call *c)
{
	struct sys_child *child = ARG_OUT(c, 0);
	struct sys_child_report *rep = ARG_OUT(c, 1);
	struct sys_child_report scratch;
	struct fproc *p;
	int r;

	if (!child)
		return -EFAULT;
	p = own_child(f, child->pid);
	close_child_fds(f, child);
	if (!p || p->state != FP_BLOCKED)
		return -ECHILD; /* dead before release (EPIPE on the byte), or not ours */
	if (!rep)
		rep = &scratch;
	r = run_child(f, p, rep);
	if (r == 0 && p->execed && fproc_alive(p)) {
		advance_to(f, f->now); /* a program with run_ms 0 ends right away */
		return 0;
	}
	/* The same rules as sys/real.c's child: the return value stands in for a report
	 * that was not filled in, and 0 without an exec is no success. */
	if (rep->errnum <= 0)
		rep->errnum = r < 0 ? -r : EIO;
	rep->step[sizeof(rep->step) - 1] = '\0';
	rep->path[sizeof(rep->path) - 1] = '\0';
	if (fproc_alive(p))
		proc_exit(f, p, 125 << 8);
	return -rep->errnum;
}

static const struct fprog *find_prog(const struct fake *f, const struct fnode *n)
{
	for (size_t i = 0; i < f->nprogs; i++)
		if (f->progs[i].node == n)
			return &f->progs[i];
	return NULL;
}

static char *join_argv(char *const argv[])
{
	char *s = mcz_xstrdup("");

	for (size_t i = 0; argv[i]; i++) {
		if (i)
			mcz_strappend(&s, " ");
		mcz_strappend(&s, argv[i]);
	}
	return s;
}

/* The background processes a program starts: children of it, in its namespaces. */
static void start_children(struct fake *f, struct fproc *p)
{
	for (int i = 0; i < p->prog.children; i++) {
		struct fproc *q = proc_fork(f, p, p->pidns);

		q->fds = fd_table_new();
		q->state = FP_RUNNING;
		q->execed = true;
		q->has_prog = true;
		q->prog = (struct fake_program){ .run_ms = -1 };
		q->frozen = p->frozen;
	}
}

/* execve(2): EACCES for anything but an executable regular file, and on a noexec mount;
 * ENOEXEC for an unrecognized format (here: not a registered program). On success the
 * close-on-exec descriptors go, caught signals return to their default (there are none in
 * mcz code), the blocked mask and pending signals stay. */
int model_execve(struct fake *f, const struct sys_call *c)
{
	char *const *argv = c->a[1].p;
	struct fproc *p = f->cur;
	const struct fprog *prog;
	struct loc l;
	int r = fake_lookup(f, AT_FDCWD, ARG_STR(c, 0), LOOKUP_FOLLOW, 0, &l);

	if (r < 0)
		return r;
	if (l.n->kind != FN_REG || !(l.n->mode & 0111) || (l.m->flags & MS_NOEXEC))
		return -EACCES;
	if (!argv)
		return -EFAULT;
	prog = find_prog(f, l.n);
	if (!prog)
		return -ENOEXEC;
	for (int i = 0; i < FAKE_MAX_FDS; i++)
		if (p->fds[i].used && (p->fds[i].flags & O_CLOEXEC))
			fake_fd_close(f, i);
	set_comm(p, ARG_STR(c, 0));
	free(p->cmdline);
	p->cmdline = join_argv(argv);
	p->execed = true;
	p->has_prog = true;
	p->prog = prog->prog;
	p->end_at = prog->prog.run_ms >= 0 ? f->now + prog->prog.run_ms : -1;
	start_children(f, p);
	return 0;
}

/* ---- credentials and sessions ---- */

/* setsid(2): EPERM for a process group leader. Returns the session id as the caller's own
 * pid namespace numbers it. */
int model_setsid(struct fake *f, const struct sys_call *c)
{
	struct fproc *p = f->cur;

	(void)c;
	if (p->pgid == p->nr[0])
		return -EPERM;
	p->sid = p->pgid = p->nr[0];
	return fproc_nr(p, p->pidns);
}

/* setgroups(2). The fake runs in the initial user namespace: uid 0 has CAP_SETGID. EINVAL
 * beyond NGROUPS_MAX (65536). */
int model_setgroups(struct fake *f, const struct sys_call *c)
{
	size_t n = (size_t)c->a[0].u;
	const gid_t *groups = c->a[1].p;

	if (n > 65536)
		return -EINVAL;
	if (n && !groups)
		return -EFAULT;
	if (f->cur->uid != 0)
		return -EPERM;
	f->cur->ngroups = n;
	for (size_t i = 0; i < n && i < FAKE_MAX_GROUPS; i++)
		f->cur->groups[i] = groups[i];
	return 0;
}

int model_geteuid(struct fake *f, const struct sys_call *c)
{
	(void)c;
	return (int)f->cur->uid;
}

/* setgid(2)/setuid(2): without the capability only the current id is allowed; -1 is
 * EINVAL (not a valid id in the user namespace). */
int model_setgid(struct fake *f, const struct sys_call *c)
{
	gid_t gid = (gid_t)c->a[0].u;

	if (gid == (gid_t)-1)
		return -EINVAL;
	if (f->cur->uid != 0 && gid != f->cur->gid)
		return -EPERM;
	f->cur->gid = gid;
	return 0;
}

int model_setuid(struct fake *f, const struct sys_call *c)
{
	uid_t uid = (uid_t)c->a[0].u;

	if (uid == (uid_t)-1)
		return -EINVAL;
	if (f->cur->uid != 0 && uid != f->cur->uid)
		return -EPERM;
	f->cur->uid = uid;
	return 0;
}

int model_getpwnam(struct fake *f, const struct sys_call *c)
{
	const char *name = ARG_STR(c, 0);
	struct sys_passwd *pw = ARG_OUT(c, 1);

	if (!name || !pw)
		return -EFAULT;
	for (size_t i = 0; i < f->nusers; i++) {
		if (strcmp(f->users[i].name, name) == 0) {
			*pw = f->users[i];
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- kill, waitpid ---- */

/* The group id a caller names, as a host number: the group leader's, found by its number
 * in the caller's namespace (a group whose leader is gone cannot be named from a child
 * namespace in the fake). */
static pid_t group_host(struct fake *f, pid_t nr)
{
	const struct fproc *leader;

	if (f->cur->pidns->level == 0)
		return nr;
	leader = fake_proc_find(f, nr);
	return leader ? leader->nr[0] : -1;
}

/* kill(2): pid > 0 one process; 0 the caller's group; -1 everything it may signal but
 * itself and init; < -1 the group -pid. EPERM when an unprivileged caller's uid is not the
 * target's. A zombie can be signalled (no effect). */
static bool kill_matches(struct fake *f, const struct fproc *q, pid_t pid, pid_t pgid)
{
	pid_t nr = fproc_nr(q, f->cur->pidns);

	if (!visible(q) || !nr)
		return false;
	if (pid > 0)
		return nr == pid;
	if (pid == -1)
		return q != f->cur && nr != 1 && q != f->procs[0];
	return q->pgid == pgid;
}

int model_kill(struct fake *f, const struct sys_call *c)
{
	pid_t pid = (pid_t)ARG_INT(c, 0), pgid = 0;
	int sig = ARG_INT(c, 1), found = 0, allowed = 0;

	if (sig < 0 || sig >= FAKE_NSIG)
		return -EINVAL;
	if (pid == 0)
		pgid = f->cur->pgid;
	else if (pid < -1)
		pgid = group_host(f, -pid);
	for (size_t i = 0; i < f->nprocs; i++) {
		struct fproc *q = f->procs[i];
		if (!kill_matches(f, q, pid, pgid))
			continue;
		found++;
		if (f->cur->uid != 0 && f->cur->uid != q->uid)
			continue;
		allowed++;
		send_signal(f, q, sig, f->cur->nr[0], 0);
	}
	if (!found)
		return -ESRCH;
	return allowed ? 0 : -EPERM;
}

static bool wait_matches(struct fake *f, const struct fproc *q, pid_t pid)
{
	if (q->parent != f->cur || !visible(q))
		return false;
	if (pid > 0)
		return fproc_nr(q, f->cur->pidns) == pid;
	if (pid == -1)
		return true;
	return q->pgid == (pid == 0 ? f->cur->pgid : group_host(f, -pid));
}

#define WAIT_KNOWN (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)

/* waitpid(2). ECHILD when no child matches. A blocking wait moves the clock to the next
 * event until a matching child has ended; with nothing left to happen it would block
 * forever: EDEADLK, a bug of the code under test. */
int model_waitpid(struct fake *f, const struct sys_call *c)
{
	pid_t pid = (pid_t)ARG_INT(c, 0);
	int *status = ARG_OUT(c, 1), options = ARG_INT(c, 2);

	if (options & ~WAIT_KNOWN)
		return -EINVAL;
	for (;;) {
		bool any = false;
		long long e;

		for (size_t i = 0; i < f->nprocs; i++) {
			struct fproc *q = f->procs[i];
			if (!wait_matches(f, q, pid))
				continue;
			any = true;
			if (q->state != FP_ZOMBIE)
				continue;
			q->state = FP_GONE;
			if (status)
				*status = q->status;
			return fproc_nr(q, f->cur->pidns);
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		e = next_event(f);
		if (e < 0)
			return -EDEADLK;
		advance_to(f, e);
	}
}

/* ---- signal masks and waiting ---- */

static uint64_t set_bits(const sigset_t *set)
{
	uint64_t bits = 0;

	for (int sig = 1; sig < FAKE_NSIG; sig++)
		if (sigismember(set, sig) == 1)
			bits |= BIT(sig);
	return bits;
}

static void bits_set(uint64_t bits, sigset_t *set)
{
	sigemptyset(set);
	for (int sig = 1; sig < FAKE_NSIG; sig++)
		if (bits & BIT(sig))
			sigaddset(set, sig);
}

/* sigaction(SIG_DFL) for each signal of the set: the fake models no dispositions of the
 * supervisor or of a child before exec (programs declare theirs in struct fake_program), so
 * there is nothing to change; a NULL set is EFAULT as for the real call. */
int model_sigdefault(struct fake *f, const struct sys_call *c)
{
	(void)f;
	return c->a[0].p ? 0 : -EFAULT;
}

/* sigprocmask(2): SIGKILL and SIGSTOP cannot be blocked (silently); signals that become
 * unblocked while pending are delivered at once. */
int model_sigprocmask(struct fake *f, const struct sys_call *c)
{
	const sigset_t *set = c->a[1].p;
	sigset_t *old = ARG_OUT(c, 2);
	struct fproc *p = f->cur;
	uint64_t bits, prev = p->blocked;

	if (old)
		bits_set(prev, old);
	if (!set)
		return 0;
	bits = set_bits(set) & ~(BIT(SIGKILL) | BIT(SIGSTOP));
	switch (ARG_INT(c, 0)) {
	case SIG_BLOCK: p->blocked |= bits; break;
	case SIG_UNBLOCK: p->blocked &= ~bits; break;
	case SIG_SETMASK: p->blocked = bits; break;
	default: return -EINVAL;
	}
	if (prev & ~p->blocked & p->pending)
		redeliver(f, p);
	return 0;
}

static int lowest(uint64_t bits)
{
	for (int sig = 1; sig < FAKE_NSIG; sig++)
		if (bits & BIT(sig))
			return sig;
	return 0;
}

static int dequeue(struct fproc *p, uint64_t want, siginfo_t *info)
{
	int sig = lowest(p->pending & want);

	if (!sig)
		return 0;
	p->pending &= ~BIT(sig);
	if (info) {
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_pid = p->info[sig].pid;
		if (sig == SIGCHLD) {
			int st = p->info[sig].status;
			info->si_code = WIFEXITED(st) ? CLD_EXITED : CLD_KILLED;
			info->si_status = WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st);
		} else if (p->info[sig].queued) {
			info->si_code = SI_QUEUE;
			info->si_value.sival_int = p->info[sig].value;
		} else {
			info->si_code = SI_USER;
		}
	}
	return sig;
}

/* sigtimedwait(2): the lowest pending signal of the set, else wait until one arrives or
 * the timeout passes (EAGAIN). While waiting the set counts as blocked (real_blocked), so
 * signals of the set that arrive are kept for it. Waiting forever with nothing left to
 * happen: EDEADLK. */
/* A pidfd is readable once its process has exited (zombie or reaped). */
static bool pidfd_ready(const struct fake *f, pid_t host)
{
	const struct fproc *q = find_host(f, host);

	return !q || !fproc_alive(q);
}

/* sigtimedwait(2), and (pidfd >= 0) the wait of sigwait_pidfd: 0 once that process ended. */
static int wait_signal(struct fake *f, const sigset_t *set, pid_t pidfd_host, siginfo_t *info,
		       int timeout)
{
	struct fproc *p = f->cur;
	long long deadline = timeout < 0 ? -1 : f->now + timeout;
	uint64_t want, saved = p->blocked;
	int sig = 0;
	bool ended = false;

	if (!set)
		return -EFAULT;
	want = set_bits(set) & ~(BIT(SIGKILL) | BIT(SIGSTOP));
	p->blocked |= want;
	while (!(sig = dequeue(p, want, info)) && fproc_alive(p) &&
	       !(ended = pidfd_host > 0 && pidfd_ready(f, pidfd_host))) {
		long long e = next_event(f);

		if (e < 0 || (deadline >= 0 && e > deadline))
			break;
		advance_to(f, e);
	}
	p->blocked = saved;
	if (sig)
		return sig;
	if (ended)
		return 0;
	if (deadline < 0)
		return fproc_alive(p) ? -EDEADLK : -EINTR;
	advance_to(f, deadline);
	return -EAGAIN;
}

int model_sigtimedwait(struct fake *f, const struct sys_call *c)
{
	return wait_signal(f, c->a[0].p, 0, ARG_OUT(c, 1), ARG_INT(c, 2));
}

/* pidfd_open(2): flags must be 0 here (PIDFD_NONBLOCK aside, which mcz does not use); the
 * process must exist (a zombie too) and be visible in the caller's pid namespace. */
int model_pidfd_open(struct fake *f, const struct sys_call *c)
{
	pid_t nr = (pid_t)c->a[0].i;
	struct fproc *q;
	struct ffd *d;
	int fd;

	if (ARG_INT(c, 1) != 0 || nr <= 0)
		return -EINVAL;
	q = fake_proc_find(f, nr);
	if (!q || q->state == FP_GONE)
		return -ESRCH;
	fd = fd_free_slot(f);
	if (fd < 0)
		return fd;
	d = &f->fds[fd];
	memset(d, 0, sizeof(*d));
	d->used = true;
	d->flags = O_RDWR | O_CLOEXEC;
	d->loc = (struct loc){ .n = f->nsfs_node, .m = f->pipe_mnt };
	d->path = mcz_xstrdup("anon_inode:[pidfd]");
	d->ofd = ++f->next_ofd;
	d->pidfd = q->nr[0];
	return fd;
}

/* pidfd_send_signal(2): the process the pidfd was opened on, whatever its number is now;
 * ESRCH once it has ended (a zombie too: the kernel's pid_task() finds none, as for a
 * reaped one). EINVAL for an fd that is not a pidfd. */
int model_pidfd_send_signal(struct fake *f, const struct sys_call *c)
{
	struct ffd *d = fake_fd(f, ARG_INT(c, 0));
	int sig = ARG_INT(c, 1);
	struct fproc *q;

	if (!d)
		return -EBADF;
	if (!d->pidfd || sig < 0 || sig >= FAKE_NSIG)
		return -EINVAL;
	q = find_host(f, d->pidfd);
	if (!q || !fproc_alive(q))
		return -ESRCH;
	if (f->cur->uid != 0 && f->cur->uid != q->uid)
		return -EPERM;
	if (sig)
		send_signal(f, q, sig, f->cur->nr[0], 0);
	if (sig && ARG_INT(c, 2) && fproc_alive(q) && (q->pending & BIT(sig))) {
		q->info[sig].queued = true; /* as sigqueue(3) sends it */
		q->info[sig].value = ARG_INT(c, 2);
	}
	return 0;
}

int model_sigwait_pidfd(struct fake *f, const struct sys_call *c)
{
	struct ffd *d = fake_fd(f, ARG_INT(c, 1));

	if (!d || !d->pidfd)
		return -EBADF; /* the real poll would say POLLNVAL, or wait on something else */
	return wait_signal(f, c->a[0].p, d->pidfd, ARG_OUT(c, 2), ARG_INT(c, 3));
}

/* ---- /proc listing, the clock ---- */

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The /proc directory of the caller's pid namespace: the modelled processes it can see,
 * zombies included, in numeric order. */
int model_proc_list(struct fake *f, const struct sys_call *c)
{
	pid_t *pids = ARG_OUT(c, 0);
	size_t max = c->a[1].u, n = 0;

	if (!pids && max)
		return -EFAULT;
	for (size_t i = 0; i < f->nprocs && n < max; i++) {
		pid_t nr = fproc_nr(f->procs[i], f->cur->pidns);
		if (visible(f->procs[i]) && nr)
			pids[n++] = nr;
	}
	qsort(pids, n, sizeof(*pids), pid_cmp);
	return (int)n;
}

int model_nanosleep(struct fake *f, const struct sys_call *c)
{
	int ms = ARG_INT(c, 0);

	if (ms < 0)
		return -EINVAL;
	advance_to(f, f->now + ms);
	return 0;
}

int model_clock_gettime(struct fake *f, const struct sys_call *c)
{
	uint64_t *ms = ARG_OUT(c, 0);

	if (!ms)
		return -EFAULT;
	*ms = (uint64_t)f->now;
	return 0;
}

int fake_pin_source(struct fake *f, const char *source, struct fpidns **ret)
{
	const struct fproc *p = f->cur;
	const char *rest;
	char *end;

	*ret = NULL;
	if (strncmp(source, "/proc/", 6) != 0)
		return 0;
	rest = source + 6;
	if (strncmp(rest, "self/", 5) == 0) {
		rest += 4;
	} else {
		long nr = strtol(rest, &end, 10);
		if (end == rest || *end != '/')
			return 0;
		p = fake_proc_find(f, (pid_t)nr);
		rest = end;
	}
	if (strcmp(rest, "/ns/pid") != 0)
		return 0;
	if (!p || !fproc_alive(p))
		return -ENOENT; /* a zombie's namespaces are gone (exit_task_namespaces()) */
	*ret = p->pidns;
	return 0;
}

/* ---- snapshots ---- */

static bool pristine(const struct fake *f, const struct fproc *p)
{
	bool same_cg = true;

	for (int h = 0; h < f->nhier; h++)
		same_cg &= p->cg[h] == f->hier[h].own;
	return p->state == FP_RUNNING && !p->pending && same_cg && p->cwd.n == f->root &&
	       !p->uid && !p->gid && p->sid == SUPERVISOR_PID && p->pgid == SUPERVISOR_PID &&
	       !p->execed;
}

static void dump_pending(FILE *fp, uint64_t pending)
{
	const char *sep = "";

	if (!pending)
		return;
	fputs(" pending=[", fp);
	for (int sig = 1; sig < FAKE_NSIG; sig++) {
		if (!(pending & BIT(sig)))
			continue;
		fprintf(fp, "%s%s", sep, sys_signal_name(sig));
		sep = " ";
	}
	fputc(']', fp);
}

static void dump_proc(FILE *fp, const struct fproc *p)
{
	static const char states[] = { [FP_BLOCKED] = 'B', [FP_RUNNING] = 'R', [FP_ZOMBIE] = 'Z' };

	fprintf(fp, "proc %d ppid=%d state=%c", (int)p->nr[0], p->parent ? (int)p->parent->nr[0] : 1,
		states[p->state]);
	if (p->state == FP_ZOMBIE)
		fprintf(fp, " status=%#x", (unsigned int)p->status);
	fprintf(fp, " pidns=%u:%d mntns=%u uid=%u gid=%u sid=%d pgid=%d comm=%s", p->pidns->id,
		(int)p->nr[p->pidns->level], p->mntns->id, (unsigned int)p->uid, (unsigned int)p->gid,
		(int)p->sid, (int)p->pgid, p->comm);
	if (p->frozen)
		fputs(" frozen", fp);
	dump_pending(fp, p->pending);
	fputc('\n', fp);
}

void fake_dump_procs(FILE *fp, const struct fake *f)
{
	for (size_t i = 0; i < f->nprocs; i++) {
		const struct fproc *p = f->procs[i];
		if (visible(p) && !(i == 0 && pristine(f, p)))
			dump_proc(fp, p);
	}
}
