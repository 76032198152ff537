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

#include "core/state/entry.h"
#include "core/base/fsutil.h"
#include "core/state/load.h"
#include "lib/json.h"
#include "core/container/launcher.h"
#include "core/recover/recover.h"
#include "core/state/runtime.h"
#include "core/container/usage.h"
#include "lib/util.h"

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
	if (r == -ENOENT) {
		/* Gone with its cgroup, or a read that failed: destroying a live container as
		 * if it were dead is not a mistake to make on one ENOENT. The cgroup itself
		 * must be gone too. */
		char **kids = NULL;
		int q = mcz_list_names(c->s, c->freezer, true, true, &kids, err);

		if (q >= 0 && kids)
			q = mcz_error_sys(err, r, SYS_OP_cg_read, path);
		mcz_names_free(kids);
		return q;
	}
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_read, path);
	*ret_any = buf[0] != '\0';
	for (char *p = buf; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n'))
		if (atoi(p) == c->child.pid)
			*ret_has_pid1 = true;
	return 0;
}

/* posix launcher: pid 1 leads its own session (it called setsid). A stat that cannot be read
 * is not taken for "gone" unless the pid is gone too: treating a live container as dead
 * would leave its processes running, unsignalled. */
static int leads_session(struct mcz_container *c, bool *ret, struct mcz_error *err)
{
	_cleanup_free_ char *path = mcz_xasprintf("/proc/%d/stat", (int)c->child.pid);
	char buf[1024];
	struct mcz_proc_stat st;
	int n = sys_proc_read(c->s, path, buf, sizeof(buf));

	*ret = false;
	if ((n == -ENOENT || n == -ESRCH) && sys_kill(c->s, c->child.pid, 0) == -ESRCH)
		return 0;
	if (n < 0)
		return mcz_error_sys(err, n, SYS_OP_proc_read, path);
	*ret = mcz_proc_stat_parse(buf, &st) && st.session == c->child.pid && st.state != 'Z';
	return 0;
}

int mcz_container_check_alive(struct mcz_container *c, bool *ret_alive, struct mcz_error *err)
{
	bool any = false, pid1 = false;
	int r = 0;

	if (c->freezer) {
		_cleanup_free_ char *buf = mcz_xmalloc(PROCS_MAX);

		r = cgroup_procs(c, buf, &any, &pid1, err);
	} else if (c->child.pid > 0) {
		r = leads_session(c, &pid1, err);
		any = pid1;
	}
	if (r < 0)
		return r;
	/* Never signal a pid that is not verified to be pid 1: treat it as reaped. */
	if (!pid1)
		c->reaped = true;
	*ret_alive = any;
	return 0;
}

/* pid 1 is not our child: its number is only a number, which the kernel may give to another
 * process once it is gone. A pidfd pins the process itself; pid 1 is verified again once the
 * fd is open (it could have been reused before), and from then on it is signalled (launchers.c)
 * and waited for (container.c) through that fd only. Without a pidfd (ENOSYS before Linux
 * 5.3, or any failure) the number is used, verified each time. */
int mcz_container_pin_pid1(struct mcz_container *c, struct mcz_error *err)
{
	bool alive;
	int fd, r;

	if (c->pidfd >= 0 || c->reaped || c->child.pid <= 0)
		return 0;
	fd = sys_pidfd_open(c->s, c->child.pid, 0);
	if (fd == -ESRCH) {
		c->reaped = true; /* gone: its number may be another process's by now */
		return 0;
	}
	if (fd < 0) {
		/* No pidfd (ENOSYS, EPERM...): the number is used, verified once more now */
		r = mcz_container_check_alive(c, &alive, err);
		return r < 0 ? mcz_error_wrap(err, "watch pid 1") : 0;
	}
	c->pidfd = fd;
	r = mcz_container_check_alive(c, &alive, err);
	if (r < 0 || c->reaped) {
		(void)sys_close(c->s, c->pidfd); /* not pid 1 any more: never signalled */
		c->pidfd = -1;
	}
	return r < 0 ? mcz_error_wrap(err, "watch pid 1") : 0;
}

int mcz_container_adopt(struct mcz_container *c, bool *ret_alive, struct mcz_error *err)
{
	int r = mcz_runtime_adopt(c, err);

	c->adopted = true; /* pid 1 is not our child */
	if (r >= 0 && (c->clone_flags & CLONE_NEWPID)) {
		c->pidns_handle = mcz_xasprintf("%s/pidns/%s", c->cfg.runtime_dir, c->cfg.id);
		c->pidns_mounted = true; /* unmounting what is not mounted is EINVAL: tolerated */
	}
	if (r >= 0) {
		mark_shared(c);
		r = mcz_container_check_alive(c, ret_alive, err);
	}
	if (r >= 0)
		r = mcz_container_pin_pid1(c, err);
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
				return mcz_error_fmt(err, r, "kill pid %d (listed in '%s'): %s", atoi(p),
						     procs, strerror(-r));
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

/* ---- `mcz recover` (SPEC §9) ---- */

struct report {
	json_t *alive, *ended, *adopted, *destroyed, *removed, *errors;
};

struct recover {
	struct sys *s;
	const struct mcz_recover_opts *o;
	char *containers; /* <runtime_dir>/containers */
	const char *root; /* the cgroups root being swept: one the runtime dir's marker records */
	struct report rep;
};

static void report_error(struct recover *rc, struct mcz_error *e)
{
	json_array_append_new(rc->rep.errors, json_string(e->msg ? e->msg : "unknown error"));
	mcz_error_done(e);
}

static void report_removed(struct recover *rc, const char *kind, const char *path)
{
	json_array_append_new(rc->rep.removed, json_pack("{s:s, s:s}", "kind", kind, "path", path));
}

/* 1 when a runtime entry named `name` exists, 0 when not; <0 reported (then the thing it
 * would own is left alone: not knowing is no reason to destroy). */
static int owned(struct recover *rc, const char *name, const char *what)
{
	_cleanup_free_ char *p = mcz_xasprintf("%s/%s", rc->containers, name);
	struct mcz_error e = MCZ_ERROR_INIT;
	int r = mcz_exists(rc->s, p, &e);

	if (r < 0) {
		mcz_error_wrap(&e, "%s '%s'", what, name);
		report_error(rc, &e);
	}
	return r;
}

/* A container whose lock was free: adopted by a new supervisor, or destroyed. */
static void recover_one(struct recover *rc, const char *id)
{
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_container *c = NULL;
	bool alive = false;
	pid_t pid = 0;
	int r = mcz_container_load(rc->s, rc->o->runtime_dir, id, &c, &err);

	if (r >= 0)
		r = mcz_container_adopt(c, &alive, &err);
	if (r == -EBUSY) {
		json_array_append_new(rc->rep.alive, json_string(id));
		mcz_error_done(&err);
		mcz_container_free(c);
		return;
	}
	if (r >= 0 && alive) {
		r = rc->o->adopt(c, rc->o->arg, &pid, &err); /* takes c */
		c = NULL;
		if (r >= 0)
			json_array_append_new(rc->rep.adopted, json_pack("{s:s, s:i}", "container_id", id,
									 "supervisor_pid", (int)pid));
		else
			mcz_error_wrap(&err, "container '%s': a new supervisor", id);
	} else if (r >= 0) {
		c->cfg.detached = true; /* the Termination stays for `wait` */
		c->term.message = mcz_xstrdup("Container destroyed by 'mcz recover': its supervisor "
					      "and processes were gone");
		r = mcz_container_destroy(c, &err);
		if (r >= 0)
			json_array_append_new(rc->rep.destroyed, json_string(id));
	}
	if (r < 0)
		report_error(rc, &err);
	mcz_container_free(c);
}

/* Every file of an ended entry but its termination.json. */
static int remove_stale(struct recover *rc, const char *dir, struct mcz_error *err)
{
	char **names = NULL;
	int r = mcz_list_names(rc->s, dir, false, false, &names, err);

	for (size_t i = 0; r >= 0 && names && names[i]; i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", dir, names[i]);

		if (strcmp(names[i], "termination.json") == 0)
			continue;
		r = mcz_remove(rc->s, p, 0, err);
		if (r >= 0)
			report_removed(rc, "stale file", p);
	}
	mcz_names_free(names);
	return r;
}

/* An entry without config.json: ended (termination.json), being made (lock held), or a
 * half-made leftover (removed while we hold its lock). */
static int recover_partial(struct recover *rc, const char *dir, const char *id,
			   struct mcz_error *err)
{
	_cleanup_free_ char *term = mcz_xasprintf("%s/termination.json", dir);
	int fd = -1, r = mcz_exists(rc->s, term, err);
	bool term_exists = r > 0;

	if (r >= 0)
		r = mcz_entry_lock_try(rc->s, rc->o->runtime_dir, id, LOCK_EX, &fd, err);
	if (r == -EWOULDBLOCK) {
		/* Being made, or (ended) a destroy at work on it. */
		json_array_append_new(term_exists ? rc->rep.ended : rc->rep.alive, json_string(id));
		r = 0;
	} else if (r >= 0 && term_exists) {
		/* Ended: the Termination stays for `wait`; a stale lock or temporary left by a
		 * destroy that stopped half-way goes. */
		r = remove_stale(rc, dir, err);
		if (r >= 0)
			json_array_append_new(rc->rep.ended, json_string(id));
	} else if (r >= 0) {
		r = mcz_runtime_remove_leftover(rc->s, dir, err);
		if (r >= 0)
			report_removed(rc, "runtime entry", dir);
	}
	if (fd >= 0)
		(void)sys_close(rc->s, fd); /* read-only: nothing to flush */
	return r;
}

static void recover_entries(struct recover *rc)
{
	struct mcz_error e = MCZ_ERROR_INIT;
	char **ids = NULL;

	if (mcz_list_names(rc->s, rc->containers, false, true, &ids, &e) < 0)
		report_error(rc, &e);
	for (size_t i = 0; ids && ids[i]; i++) {
		_cleanup_free_ char *dir = mcz_runtime_dir_of(rc->o->runtime_dir, ids[i]);
		_cleanup_free_ char *config = mcz_xasprintf("%s/config.json", dir);
		int r = mcz_exists(rc->s, config, &e);

		if (r > 0)
			recover_one(rc, ids[i]);
		else if (r == 0)
			r = recover_partial(rc, dir, ids[i], &e);
		if (r < 0) {
			mcz_error_wrap(&e, "container '%s'", ids[i]);
			report_error(rc, &e);
		}
	}
	mcz_names_free(ids);
}

/* pidns handles whose container has no entry: unmounted (lazily) and removed. */
static void recover_pidns(struct recover *rc)
{
	_cleanup_free_ char *dir = mcz_xasprintf("%s/pidns", rc->o->runtime_dir);
	struct mcz_error e = MCZ_ERROR_INIT;
	char **names = NULL;

	if (mcz_list_names(rc->s, dir, false, false, &names, &e) < 0)
		report_error(rc, &e);
	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", dir, names[i]);
		int r = owned(rc, names[i], "pidns handle");

		if (r != 0)
			continue;
		r = mcz_umount_nsfs(rc->s, p, &e);
		if (r >= 0)
			r = mcz_remove(rc->s, p, 0, &e);
		if (r < 0) {
			mcz_error_wrap(&e, "orphan pidns handle '%s'", p);
			report_error(rc, &e);
			continue;
		}
		report_removed(rc, "pidns handle", p);
	}
	mcz_names_free(names);
}

/* An orphan cgroup and what is below it, deepest first: v1's cgroup.procs and freezer act
 * on one cgroup only. */
static int kill_remove_tree(struct sys *s, const struct mcz_hierarchy *h, bool freezer,
			    const char *path, struct mcz_error *err)
{
	char **kids = NULL;
	int r = mcz_list_names(s, path, true, true, &kids, err);

	for (size_t i = 0; r >= 0 && kids && kids[i]; i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", path, kids[i]);

		r = kill_remove_tree(s, h, freezer, p, err);
	}
	mcz_names_free(kids);
	return r < 0 ? r : mcz_cgroup_kill_remove(s, h, freezer, path, err);
}

/* Cgroups below the cgroups root of one hierarchy that no entry owns. */
static void recover_hierarchy(struct recover *rc, const struct mcz_hierarchy *h, bool freezer)
{
	_cleanup_free_ char *root = mcz_cgroup_root_path(h, rc->root);
	struct mcz_error e = MCZ_ERROR_INIT;
	char **names = NULL;

	if (mcz_list_names(rc->s, root, true, true, &names, &e) < 0)
		report_error(rc, &e);
	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", root, names[i]);

		if (owned(rc, names[i], "cgroup") != 0)
			continue;
		if (kill_remove_tree(rc->s, h, freezer, p, &e) < 0) {
			mcz_error_wrap(&e, "orphan cgroup '%s'", p);
			report_error(rc, &e);
			continue;
		}
		report_removed(rc, "cgroup", p);
	}
	if (names && mcz_cgroup_remove_root(rc->s, h, rc->root, &e) < 0)
		report_error(rc, &e);
	mcz_names_free(names);
}

static void recover_cgroups(struct recover *rc)
{
	static const char *const controllers[] = { "freezer", "cpu", "cpuacct", "memory" };
	char *seen[MCZ_ARRAY_SIZE(controllers)] = { 0 };

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(controllers); i++) {
		struct mcz_hierarchy h = { 0 };
		struct mcz_error e = MCZ_ERROR_INIT;
		bool dup = false;

		if (mcz_hierarchy_find(rc->s, rc->o->cgroups_hierarchy, controllers[i], &h, &e) < 0) {
			mcz_error_done(&e); /* no such hierarchy: nothing of mcz's there */
			continue;
		}
		for (size_t j = 0; j < i; j++)
			dup = dup || (seen[j] && strcmp(seen[j], h.mount) == 0);
		/* The freezer hierarchy (or v2's, whose core files freeze and kill) kills through
		 * the launcher; the others by signalling what cgroup.procs lists. */
		if (!dup)
			recover_hierarchy(rc, &h, i == 0 || h.v2);
		seen[i] = mcz_xstrdup(h.mount);
		mcz_hierarchy_done(&h);
	}
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(controllers); i++)
		free(seen[i]);
}

int mcz_recover(struct sys *s, const struct mcz_recover_opts *o, json_t **ret_report,
		struct mcz_error *err)
{
	struct recover rc = {
		.s = s,
		.o = o,
		.containers = mcz_xasprintf("%s/containers", o->runtime_dir),
		.rep = { json_array(), json_array(), json_array(), json_array(), json_array(),
			 json_array() },
	};
	char **roots = NULL;
	size_t errors;
	int r;

	/* Orphans are what no entry owns: in a runtime dir that is not mcz's (a mistyped
	 * --runtime_dir, an empty one), every live container's cgroups would be. Such a dir is
	 * refused, and only the cgroups roots its containers used are swept (SPEC §11). */
	r = mcz_runtime_dir_roots(s, o->runtime_dir, &roots, err);
	if (r < 0) {
		free(rc.containers);
		*ret_report = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "alive", rc.rep.alive, "ended",
					rc.rep.ended, "adopted", rc.rep.adopted, "destroyed",
					rc.rep.destroyed, "removed", rc.rep.removed, "errors",
					rc.rep.errors);
		return mcz_error_wrap(err, "recover");
	}
	recover_entries(&rc);
	recover_pidns(&rc);
	for (size_t i = 0; roots[i]; i++) {
		rc.root = roots[i];
		recover_cgroups(&rc);
	}
	mcz_names_free(roots);
	free(rc.containers);
	errors = json_array_size(rc.rep.errors);
	*ret_report = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "alive", rc.rep.alive, "ended",
				rc.rep.ended, "adopted", rc.rep.adopted, "destroyed", rc.rep.destroyed,
				"removed", rc.rep.removed, "errors", rc.rep.errors);
	if (errors)
		return mcz_error_fmt(err, -EIO, "recover: %zu error(s) (see \"errors\" in the report)",
				     errors);
	return 0;
}
