/*
 * recover.c — taking over a container whose supervisor is gone (SPEC §8 `destroy`, §9).
 *
 * A supervisor holds its entry's lock for the container's whole life, so a free lock means
 * the supervisor is gone (the kernel drops an flock with its last fd). What the entry says
 * exists becomes ours to undo, and pid 1 is checked before it is ever signalled: its pid is
 * only a number now (we are not its parent), which the kernel may have given to another
 * process. It is trusted only where the container's own cgroup (the linux launcher's) lists
 * it, or as the leader of its own session (posix launcher, which calls setsid).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/launcher.h"
#include "core/recover.h"
#include "core/runtime.h"
#include "core/usage.h"
#include "core/util.h"

#define PROCS_MAX (64 * 1024)

/* Kinds that name the same cgroup as an earlier one (v2, or v1's co-mounted cpu,cpuacct):
 * only the first removes it (core/isolator_cgroups.c). */
static void mark_shared(struct mcz_container *c)
{
	for (size_t k = 0; k < _MCZ_CG_MAX; k++) {
		struct mcz_cgroup *cg = &c->cgroups[k];

		cg->prepared = cg->path && cg->h.mount;
		for (size_t j = 0; cg->path && j < k; j++)
			if (c->cgroups[j].path && strcmp(c->cgroups[j].path, cg->path) == 0)
				cg->shared = true;
		if (c->freezer && cg->path && strcmp(c->freezer, cg->path) == 0)
			c->freezer_shared = true;
	}
	c->freezer_prepared = c->freezer && c->freezer_h.mount;
}

/* Whether the launcher's cgroup has processes, and pid 1 among them (none when it is gone). */
static int cgroup_procs(struct mcz_container *c, char *buf, bool *ret_any, bool *ret_has_pid1,
			struct mcz_error *err)
{
	_cleanup_free_ char *path = mcz_xasprintf("%s/cgroup.procs", c->freezer);
	int r = sys_cg_read(c->s, path, buf, PROCS_MAX);

	*ret_any = *ret_has_pid1 = false;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_read, path);
	*ret_any = buf[0] != '\0';
	for (char *p = buf; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n'))
		if (atoi(p) == c->child.pid)
			*ret_has_pid1 = true;
	return 0;
}

/* posix launcher: pid 1 leads its own session (it called setsid). */
static bool leads_session(struct mcz_container *c)
{
	_cleanup_free_ char *path = mcz_xasprintf("/proc/%d/stat", (int)c->child.pid);
	char buf[1024];
	struct mcz_proc_stat st;
	int n = sys_proc_read(c->s, path, buf, sizeof(buf));

	return n > 0 && mcz_proc_stat_parse(buf, &st) && st.session == c->child.pid &&
	       st.state != 'Z';
}

int mcz_container_check_alive(struct mcz_container *c, bool *ret_alive, struct mcz_error *err)
{
	bool any = false, pid1 = false;
	int r = 0;

	if (c->freezer) {
		_cleanup_free_ char *buf = mcz_xmalloc(PROCS_MAX);

		r = cgroup_procs(c, buf, &any, &pid1, err);
	} else if (c->child.pid > 0) {
		pid1 = any = leads_session(c);
	}
	if (r < 0)
		return r;
	/* Never signal a pid that is not verified to be pid 1: treat it as reaped. */
	if (!pid1)
		c->reaped = true;
	*ret_alive = any;
	return 0;
}

int mcz_container_adopt(struct mcz_container *c, bool *ret_alive, struct mcz_error *err)
{
	int r = mcz_runtime_adopt(c, err);

	if (r >= 0 && (c->clone_flags & CLONE_NEWPID)) {
		c->pidns_handle = mcz_xasprintf("%s/pidns/%s", c->cfg.runtime_dir, c->cfg.id);
		c->pidns_mounted = true; /* unmounting what is not mounted is EINVAL: tolerated */
	}
	if (r >= 0) {
		mark_shared(c);
		r = mcz_container_check_alive(c, ret_alive, err);
	}
	return r < 0 ? mcz_error_wrap(err, "container '%s'", c->cfg.id) : 0;
}

/* ---- orphan cgroups (`mcz recover`) ---- */

#define KILL_ROUNDS 50

/* SIGKILL what cgroup.procs lists until it lists nothing: the members of a cgroup under
 * mcz's root are the container's, whatever their pids. */
static int kill_listed(struct sys *s, const char *path, struct mcz_error *err)
{
	_cleanup_free_ char *procs = mcz_xasprintf("%s/cgroup.procs", path);
	_cleanup_free_ char *buf = mcz_xmalloc(PROCS_MAX);

	for (int round = 0; round < KILL_ROUNDS; round++) {
		int r = sys_cg_read(s, procs, buf, PROCS_MAX);

		if (r == -ENOENT || (r >= 0 && !buf[0]))
			return 0;
		if (r < 0)
			return mcz_error_sys(err, r, SYS_OP_cg_read, procs);
		for (char *p = buf; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n')) {
			r = sys_kill(s, (pid_t)atoi(p), SIGKILL);
			if (r < 0 && r != -ESRCH)
				return mcz_error_sys(err, r, SYS_OP_kill, NULL);
		}
		(void)sys_nanosleep(s, 10);
	}
	return mcz_error_fmt(err, -EBUSY, "processes of cgroup '%s' survived %d kill rounds", path,
			     KILL_ROUNDS);
}

int mcz_cgroup_kill_remove(struct sys *s, const struct mcz_hierarchy *h, bool freezer,
			   const char *path, struct mcz_error *err)
{
	int r;

	if (freezer) {
		/* The launcher's own kill: cgroup.kill on v2, else freeze, kill, always thaw.
		 * Nothing here is our child: nothing to reap (reaped), no pid 1 to signal. */
		struct mcz_config cfg = { .id = mcz_xstrdup("orphan") };
		struct mcz_container *c = mcz_container_new(s, &cfg);

		c->freezer = mcz_xstrdup(path);
		c->freezer_h.v2 = h->v2;
		c->reaped = true;
		r = mcz_launcher_linux.kill(c, err);
		mcz_container_free(c);
	} else {
		r = kill_listed(s, path, err);
	}
	if (r >= 0)
		r = mcz_cgroup_remove(s, path, err);
	return r;
}
