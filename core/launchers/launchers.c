/*
 * launchers.c — the linux and posix launchers (SPEC §6, §7 "Kill on destroy").
 *
 * linux: every container has a freezer cgroup <freezer><own>/<cgroups_root>/<id>, so that a
 * container without a pid namespace can still be killed as a whole. Kill prefers the pid
 * namespace: SIGKILL to its init makes the kernel kill every other process of the namespace,
 * and once init is reaped the namespace is empty (zap_pid_ns_processes waits for them).
 * Without one: freeze, SIGKILL every task, and always thaw — a frozen task cannot die, and
 * leaving the cgroup frozen would leave unkillable processes behind.
 *
 * posix: fork into a new session; kill the session's process group, then whatever of the
 * session or of pid 1's descendants is still alive, from /proc. Best effort: a process that
 * double-forks and calls setsid escapes it, as it escapes Mesos's posix launcher.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/container/launcher.h"
#include "core/recover/recover.h"
#include "lib/util.h"

#define KILL_ROUNDS 50          /* freeze/kill/thaw rounds before giving up */
#define FREEZE_POLLS 100        /* 100 × 10 ms for FREEZING to become FROZEN */
#define PROCS_MAX (64 * 1024)

int mcz_reap(struct mcz_container *c, struct mcz_error *err)
{
	int status, r;

	if (c->reaped || c->child.pid <= 0)
		return 0;
	/* EINTR is retried, but not forever: a broken wait must end in an error. */
	for (int tries = 0; tries < 100; tries++) {
		r = sys_waitpid(c->s, c->child.pid, &status, 0);
		if (r != -EINTR)
			break;
	}
	/* ECHILD: there is no such child any more (reaped already, or SIGCHLD was ignored by
	 * whoever started mcz, so the kernel reaped it): gone, its status unknown. */
	if (r == -ECHILD) {
		c->reaped = true;
		return 0;
	}
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_waitpid, NULL);
	c->reaped = true;
	c->status_known = true;
	c->status = status;
	return 0;
}

/* kill(2) where "already gone" is success. */
static int kill_quietly(struct mcz_container *c, pid_t pid, int sig, struct mcz_error *err)
{
	int r = sys_kill(c->s, pid, sig);

	if (r < 0 && r != -ESRCH)
		return mcz_error_sys(err, r, SYS_OP_kill, NULL);
	return 0;
}

/* ---- linux ---- */

static char *freezer_file(const struct mcz_container *c, const char *name)
{
	return mcz_xasprintf("%s/%s", c->freezer, name);
}

/* The container's freezer cgroup (core/cgroups.c makes the root and retries). On v2 it is
 * the container's one cgroup, which the cgroups isolators may have made already: then the
 * child joins it through theirs. v2 needs no controller to freeze or kill. */
static int linux_prepare(struct mcz_container *c, struct mcz_error *err)
{
	const char *shared = mcz_container_cgroup_in(c, c->freezer_h.mount);
	int r;

	c->freezer_prepared = true; /* the cgroups root may exist from here on */
	if (shared) {
		c->freezer = mcz_xstrdup(shared);
		c->freezer_shared = true;
		return 0;
	}
	r = mcz_cgroup_create(c->s, &c->freezer_h, c->cfg.cgroups_root, c->cfg.id, "freezer", NULL,
			      &c->freezer, err);
	if (r < 0)
		return r;
	c->cgroup_joins = mcz_xrealloc(c->cgroup_joins, (c->n_cgroup_joins + 1) * sizeof(char *));
	c->cgroup_joins[c->n_cgroup_joins++] =
		freezer_file(c, c->freezer_h.v2 ? "cgroup.procs" : "tasks");
	return 0;
}

/* The child joins the freezer cgroup itself, first thing after release and before it can
 * fork (core/child.c). Moving another process makes the kernel take its global threadgroup
 * lock for writing, which waits for an RCU grace period: about 1.5% of launches stalled 13 ms
 * on it here (bench/README.md); a thread that moves itself through v1 "tasks" skips the lock.
 * Nothing of the container runs outside the cgroup either way. */
static int linux_isolate(struct mcz_container *c, struct mcz_error *err)
{
	(void)c;
	(void)err;
	return 0;
}

static int read_tasks(struct mcz_container *c, char *buf, struct mcz_error *err)
{
	_cleanup_free_ char *procs = freezer_file(c, "cgroup.procs");
	int r = sys_cg_read(c->s, procs, buf, PROCS_MAX);

	/* ENOENT: an earlier destroy removed the cgroup before it failed: nothing lives there. */
	if (r == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_read, procs);
	return r;
}

/* The freezer's files: v1 freezer.state, v2 cgroup.freeze with the state in cgroup.events. */
struct freezer_files {
	const char *control, *freeze, *thaw;
	const char *state, *frozen; /* the state file and how it says FROZEN */
};

static const struct freezer_files freezer_v1 = { "freezer.state", "FROZEN", "THAWED",
						 "freezer.state", "FROZEN" };
static const struct freezer_files freezer_v2 = { "cgroup.freeze", "1", "0",
						 "cgroup.events", "frozen 1" };

static const struct freezer_files *freezer_files(const struct mcz_container *c)
{
	return c->freezer_h.v2 ? &freezer_v2 : &freezer_v1;
}

/* Freezing is asynchronous: FREEZING (v1) or "frozen 0" (v2) until every task has stopped. */
static int freeze(struct mcz_container *c, struct mcz_error *err)
{
	const struct freezer_files *ff = freezer_files(c);
	_cleanup_free_ char *control = freezer_file(c, ff->control);
	_cleanup_free_ char *state = freezer_file(c, ff->state);
	char buf[32];
	int r = sys_cg_write(c->s, control, ff->freeze);

	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_write, control);
	for (int i = 0; i < FREEZE_POLLS; i++) {
		r = sys_cg_read(c->s, state, buf, sizeof(buf));
		if (r < 0)
			return mcz_error_sys(err, r, SYS_OP_cg_read, state);
		if (strstr(buf, ff->frozen))
			return 0;
		(void)sys_nanosleep(c->s, 10); /* an interrupted poll just polls sooner */
	}
	return mcz_error_fmt(err, -EBUSY, "freezer cgroup '%s' did not freeze", c->freezer);
}

static int thaw(struct mcz_container *c, struct mcz_error *err)
{
	const struct freezer_files *ff = freezer_files(c);
	_cleanup_free_ char *control = freezer_file(c, ff->control);
	int r = sys_cg_write(c->s, control, ff->thaw);

	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_write, control);
	return 0;
}

/* v2 (Linux 5.14+): cgroup.kill SIGKILLs every task of the cgroup, frozen or not, and forks
 * racing with it cannot escape. 1: no cgroup.kill here (older kernel): freeze instead. */
static int kill_v2(struct mcz_container *c, struct mcz_error *err)
{
	_cleanup_free_ char *path = freezer_file(c, "cgroup.kill");
	int r = sys_cg_write(c->s, path, "1");

	if (r == -ENOENT)
		return 1;
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_write, path);
	return 0;
}

/* One round: cgroup.kill, or freeze, SIGKILL every task, thaw (always, even after a
 * failure). */
static int kill_round(struct mcz_container *c, char *buf, struct mcz_error *err)
{
	int r = c->freezer_h.v2 ? kill_v2(c, err) : 1;

	if (r <= 0)
		return r;
	r = freeze(c, err);

	if (r >= 0)
		r = read_tasks(c, buf, err);
	for (char *p = buf; r >= 0 && *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0'))
		r = kill_quietly(c, (pid_t)atoi(p), SIGKILL, err);
	int t = thaw(c, err);
	return r < 0 ? r : t;
}

static int kill_freezer(struct mcz_container *c, struct mcz_error *err)
{
	_cleanup_free_ char *buf = mcz_xmalloc(PROCS_MAX);
	int r;

	for (int round = 0; round < KILL_ROUNDS; round++) {
		r = read_tasks(c, buf, err);
		if (r <= 0)
			return r;
		r = kill_round(c, buf, err);
		if (r < 0)
			return r;
		/* pid 1 is our child: reap it so it does not linger as a zombie in the cgroup. */
		if (!c->reaped) {
			int status;
			int w = sys_waitpid(c->s, c->child.pid, &status, WNOHANG);

			if (w == c->child.pid) {
				c->reaped = true;
				c->status_known = true;
				c->status = status;
			}
		}
		(void)sys_nanosleep(c->s, 10);
	}
	return mcz_error_fmt(err, -EBUSY, "processes of freezer cgroup '%s' survived %d kill rounds",
			     c->freezer, KILL_ROUNDS);
}

/* SIGKILL pid 1: through the pidfd that pins an adopted pid 1 (core/recover.c), never by a
 * number the kernel may have given to another process since; our own child by its pid (a
 * zombie until we reap it: the number cannot be reused). */
static int kill_pid1(struct mcz_container *c, struct mcz_error *err)
{
	int r = c->adopted ? mcz_container_pin_pid1(c, err) : 0;

	if (r < 0 || c->reaped)
		return r; /* not verified to be pid 1 any more: signal nothing */
	if (c->pidfd < 0)
		return kill_quietly(c, c->child.pid, SIGKILL, err);
	r = sys_pidfd_send_signal(c->s, c->pidfd, SIGKILL, 0);
	if (r < 0 && r != -ESRCH)
		return mcz_error_sys(err, r, SYS_OP_pidfd_send_signal, NULL);
	return 0;
}

static int linux_kill(struct mcz_container *c, struct mcz_error *err)
{
	int r;

	if ((c->clone_flags & CLONE_NEWPID) && !c->reaped) {
		r = kill_pid1(c, err);
		if (r >= 0)
			r = mcz_reap(c, err);
		if (r < 0)
			return r;
	}
	if (c->freezer) {
		r = kill_freezer(c, err);
		if (r < 0)
			return r;
	}
	if (!c->reaped) {
		r = kill_pid1(c, err);
		if (r < 0)
			return r;
	}
	return mcz_reap(c, err);
}

static int linux_cleanup(struct mcz_container *c, struct mcz_error *err)
{
	int r;

	if (c->freezer_shared) {
		/* The cgroups isolators remove it (they are cleaned up first). Until one has, it
		 * stays known, so that a second destroy kills through it again. */
		for (size_t k = 0; k < _MCZ_CG_MAX; k++)
			if (c->cgroups[k].path && !c->cgroups[k].shared &&
			    strcmp(c->cgroups[k].path, c->freezer) == 0)
				return 0;
		free(c->freezer);
		c->freezer = NULL;
		c->freezer_shared = c->freezer_prepared = false;
		return 0;
	}
	if (c->freezer) {
		r = mcz_cgroup_remove(c->s, c->freezer, err);
		if (r < 0)
			return r;
		free(c->freezer);
		c->freezer = NULL;
	}
	if (!c->freezer_prepared)
		return 0;
	r = mcz_cgroup_remove_root(c->s, &c->freezer_h, c->cfg.cgroups_root, err);
	if (r == 0)
		c->freezer_prepared = false;
	return r < 0 ? r : 0;
}

const struct mcz_launcher mcz_launcher_linux = {
	.name = "linux",
	.prepare = linux_prepare,
	.isolate = linux_isolate,
	.kill = linux_kill,
	.cleanup = linux_cleanup,
};

/* ---- posix ---- */

static int nothing(struct mcz_container *c, struct mcz_error *err)
{
	(void)c;
	(void)err;
	return 0;
}

struct proc_stat {
	pid_t pid, ppid, pgrp, session;
};

/* /proc/<pid>/stat: "pid (comm) state ppid pgrp session ..."; comm may hold spaces and
 * parentheses, so parse from the last ')'. */
static bool read_stat(struct mcz_container *c, pid_t pid, struct proc_stat *ret)
{
	char path[64], buf[1024];
	const char *p;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = sys_proc_read(c->s, path, buf, sizeof(buf));
	if (n <= 0 || !(p = strrchr(buf, ')')))
		return false; /* gone meanwhile */
	ret->pid = pid;
	return sscanf(p + 1, " %*c %d %d %d", &ret->ppid, &ret->pgrp, &ret->session) == 3;
}

/* Kill what belongs to the container: its session, and descendants of pid 1 (by ppid,
 * iterated until no new member appears). Returns how many were signalled. */
static int kill_members(struct mcz_container *c, pid_t *pids, int n, struct mcz_error *err)
{
	_cleanup_free_ struct proc_stat *st = mcz_xcalloc((size_t)n, sizeof(*st));
	_cleanup_free_ bool *member = mcz_xcalloc((size_t)n, sizeof(*member));
	int killed = 0;
	bool grew = true;

	for (int i = 0; i < n; i++)
		if (!read_stat(c, pids[i], &st[i]))
			st[i].pid = 0;
	while (grew) {
		grew = false;
		for (int i = 0; i < n; i++) {
			if (member[i] || !st[i].pid)
				continue;
			bool in = st[i].session == c->child.pid || st[i].pid == c->child.pid;

			for (int j = 0; !in && j < n; j++)
				in = member[j] && st[j].pid == st[i].ppid;
			if (in)
				member[i] = grew = true;
		}
	}
	for (int i = 0; i < n; i++) {
		if (!member[i])
			continue;
		int r = kill_quietly(c, st[i].pid, SIGKILL, err);
		if (r < 0)
			return r;
		killed++;
	}
	return killed;
}

static int posix_kill(struct mcz_container *c, struct mcz_error *err)
{
	_cleanup_free_ pid_t *pids = mcz_xcalloc(PROCS_MAX, sizeof(*pids));
	int r = kill_quietly(c, -c->child.pid, SIGKILL, err);

	for (int round = 0; r >= 0 && round < KILL_ROUNDS; round++) {
		int n = sys_proc_list(c->s, pids, PROCS_MAX);

		if (n < 0)
			return mcz_error_sys(err, n, SYS_OP_proc_list, "/proc");
		if (!c->reaped) {
			/* a zombie pid 1 still counts as a member: reap it first */
			int status, w = sys_waitpid(c->s, c->child.pid, &status, WNOHANG);

			if (w == c->child.pid) {
				c->reaped = true;
				c->status_known = true;
				c->status = status;
			}
		}
		r = kill_members(c, pids, n, err);
		if (r == 0)
			break;
		(void)sys_nanosleep(c->s, 10);
	}
	if (r < 0)
		return r;
	return mcz_reap(c, err);
}

const struct mcz_launcher mcz_launcher_posix = {
	.name = "posix",
	.prepare = nothing,
	.isolate = nothing,
	.kill = posix_kill,
	.cleanup = nothing,
};

int mcz_launcher_parse(const char *name, bool root, const struct mcz_launcher **ret,
		       struct mcz_error *err)
{
	if (!name)
		*ret = root ? &mcz_launcher_linux : &mcz_launcher_posix;
	else if (strcmp(name, "linux") == 0)
		*ret = &mcz_launcher_linux;
	else if (strcmp(name, "posix") == 0)
		*ret = &mcz_launcher_posix;
	else
		return mcz_error_fmt(err, -EINVAL, "unknown launcher '%s' (linux or posix)", name);
	return 0;
}
