/*
 * container.c — the life cycle of SPEC §8: check, launch, supervise, and the one destroy path
 * shared by a normal exit, `destroy`, a limitation and a launch failure.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/base/path.h"
#include "core/spec/id.h"
#include "lib/strv.h"
#include "core/base/fsutil.h"
#include "lib/json.h"
#include "core/container/isolator.h"
#include "core/container/launcher.h"
#include "core/recover/recover.h"
#include "core/state/runtime.h"
#include "lib/util.h"
#include "core/isolators/volume.h"

static const char *const state_names[_MCZ_STATE_MAX] = {
	[MCZ_STATE_PREPARING] = "PREPARING",	[MCZ_STATE_ISOLATING] = "ISOLATING",
	[MCZ_STATE_RUNNING] = "RUNNING",	[MCZ_STATE_DESTROYING] = "DESTROYING",
	[MCZ_STATE_TERMINATED] = "TERMINATED",
};

const char *mcz_state_name(enum mcz_state state)
{
	return state < _MCZ_STATE_MAX ? state_names[state] : "UNKNOWN";
}


const char *const mcz_cg_kind_names[_MCZ_CG_MAX] = {
	[MCZ_CG_CPU] = "cpu",
	[MCZ_CG_CPUACCT] = "cpuacct",
	[MCZ_CG_MEMORY] = "memory",
};

struct mcz_container *mcz_container_new(struct sys *s, struct mcz_config *cfg)
{
	struct mcz_container *c = mcz_xcalloc(1, sizeof(*c));

	c->s = s;
	c->cfg = *cfg;
	*cfg = (struct mcz_config){ 0 };
	c->lock_fd = -1;
	c->pidfd = -1;
	c->child = (struct sys_child){ .pid = 0, .release_fd = -1, .report_fd = -1 };
	return c;
}

struct mcz_container *mcz_container_free(struct mcz_container *c)
{
	if (!c)
		return NULL;
	if (c->lock_fd >= 0) /* an adopted entry's lock (core/recover.c): released, not removed */
		(void)sys_close(c->s, c->lock_fd);
	if (c->pidfd >= 0)
		(void)sys_close(c->s, c->pidfd);
	mcz_config_done(&c->cfg);
	free(c->home);
	free(c->groups);
	mcz_strv_free(c->envp);
	mcz_hierarchy_done(&c->freezer_h);
	for (size_t i = 0; i < _MCZ_CG_MAX; i++) {
		mcz_hierarchy_done(&c->cgroups[i].h);
		free(c->cgroups[i].path);
	}
	mcz_mount_plan_done(&c->plan);
	for (size_t i = 0; i < c->n_cgroup_joins; i++)
		free(c->cgroup_joins[i]);
	free(c->cgroup_joins);
	free(c->pidns_dir);
	free(c->freezer);
	free(c->pidns_handle);
	free(c->term.reason);
	free(c->term.message);
	json_decref(c->config_doc);
	free(c);
	return NULL;
}

/* ---- check: everything that can be known without creating anything ---- */

static int check_user(struct mcz_container *c, struct mcz_error *err)
{
	struct sys_passwd pw;
	int r;

	if (!c->cfg.user) {
		c->uid = 0;
		c->gid = 0;
		c->home = mcz_xstrdup(c->cfg.sandbox);
		return 0;
	}
	r = sys_getpwnam(c->s, c->cfg.user, &pw);
	if (r == -ENOENT)
		return mcz_error_sys_msg(err, r, SYS_OP_getpwnam, c->cfg.user, "user '%s' does not exist",
					 c->cfg.user);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_getpwnam, c->cfg.user);
	c->uid = pw.uid;
	c->gid = pw.gid;
	c->home = mcz_xstrdup(pw.home);
	c->n_groups = pw.n_groups < SYS_GROUPS_MAX ? pw.n_groups : SYS_GROUPS_MAX;
	c->groups = mcz_xmalloc((c->n_groups + 1) * sizeof(gid_t));
	memcpy(c->groups, pw.groups, c->n_groups * sizeof(gid_t));
	return 0;
}

static int check_isolators(struct mcz_container *c, struct mcz_error *err)
{
	for (size_t i = 0; i < c->cfg.n_isolators; i++)
		if (c->cfg.isolators[i]->linux_only && c->cfg.launcher != &mcz_launcher_linux)
			return mcz_error_fmt(err, -EINVAL, "isolator '%s' needs the linux launcher",
					     c->cfg.isolators[i]->name);
	if (c->cfg.n_volumes > 0 && !mcz_isolation_has(&c->cfg, "filesystem/shared"))
		return mcz_error_fmt(err, -EINVAL, "volumes need the filesystem/shared isolator");
	return 0;
}

/* The isolators' own checks (cgroups: the hierarchies exist), after the generic ones. */
static int check_isolator_hooks(struct mcz_container *c, struct mcz_error *err)
{
	for (size_t i = 0; i < c->cfg.n_isolators; i++) {
		const struct mcz_isolator *iso = c->cfg.isolators[i];

		if (iso->check && iso->check(c, err) < 0)
			return mcz_error_wrap(err, "isolator '%s'", iso->name);
	}
	return 0;
}

/* The flags were checked when parsed; a configuration can come from elsewhere (a front
 * end, a test), so the rules are applied to it again (SPEC §11). */
static int check_paths(const struct mcz_container *c, struct mcz_error *err)
{
	int r = mcz_path_flag_check("runtime_dir", c->cfg.runtime_dir, true, err);

	if (r >= 0)
		r = mcz_path_flag_check("cgroups_root", c->cfg.cgroups_root, false, err);
	if (r >= 0)
		r = mcz_path_flag_check("cgroups_hierarchy", c->cfg.cgroups_hierarchy, true, err);
	return r;
}

/* SPEC §6: PATH, HOME, MESOS_DIRECTORY, MESOS_SANDBOX, MCZ_CONTAINER_ID, then --env. */
static void build_env(struct mcz_container *c)
{
	size_t n = 0, cap = 6;

	for (size_t i = 0; c->cfg.env && c->cfg.env[i]; i++)
		cap++;
	c->envp = mcz_xcalloc(cap, sizeof(char *));
	c->envp[n++] = mcz_xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	c->envp[n++] = mcz_xasprintf("HOME=%s", c->home);
	c->envp[n++] = mcz_xasprintf("MESOS_DIRECTORY=%s", c->cfg.sandbox);
	c->envp[n++] = mcz_xasprintf("MESOS_SANDBOX=%s", c->cfg.sandbox);
	c->envp[n++] = mcz_xasprintf("MCZ_CONTAINER_ID=%s", c->cfg.id);
	for (size_t i = 0; c->cfg.env && c->cfg.env[i]; i++) {
		size_t klen = strcspn(c->cfg.env[i], "=");
		size_t j;

		/* a --env value replaces a default of the same name */
		for (j = 0; j < n; j++)
			if (strncmp(c->envp[j], c->cfg.env[i], klen + 1) == 0)
				break;
		if (j < n)
			free(c->envp[j]);
		c->envp[j] = mcz_xstrdup(c->cfg.env[i]);
		n += j == n;
	}
}

int mcz_container_check(struct mcz_container *c, struct mcz_error *err)
{
	int r = mcz_container_id_check(c->cfg.id, err);

	if (r < 0)
		return r; /* the message names the id already */
	if (!c->cfg.argv || !c->cfg.argv[0])
		r = mcz_error_fmt(err, -EINVAL, "no command given (mcz run [FLAGS] -- COMMAND [ARG...])");
	for (size_t i = 0; r >= 0 && c->cfg.env && c->cfg.env[i]; i++)
		if (!strchr(c->cfg.env[i], '=') || c->cfg.env[i][0] == '=')
			r = mcz_error_fmt(err, -EINVAL, "env '%s': expected K=V", c->cfg.env[i]);
	if (r >= 0)
		r = check_isolators(c, err);
	if (r >= 0)
		r = check_paths(c, err);
	if (r >= 0 && mcz_isolation_has(&c->cfg, "filesystem/shared"))
		r = mcz_volumes_check(c->s, c->cfg.sandbox, c->cfg.volumes, c->cfg.n_volumes, err);
	if (r >= 0)
		r = check_user(c, err);
	if (r >= 0)
		r = check_isolator_hooks(c, err);
	if (r >= 0 && c->cfg.launcher == &mcz_launcher_linux)
		r = mcz_hierarchy_find(c->s, c->cfg.cgroups_hierarchy, "freezer", &c->freezer_h, err);
	if (r < 0)
		return mcz_error_wrap(err, "container '%s'", c->cfg.id);
	build_env(c);
	return 0;
}

/* ---- launch ---- */

int mcz_container_make_sandbox(struct mcz_container *c, struct mcz_error *err)
{
	bool created;
	int r = mcz_mkdir_p(c->s, c->cfg.sandbox, 0750, &created, err);

	if (r < 0 || !c->cfg.user || !created)
		return r;
	/* The command owns its sandbox (Mesos chowns it to the task's user). */
	r = sys_fchownat(c->s, AT_FDCWD, c->cfg.sandbox, c->uid, c->gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_fchownat, c->cfg.sandbox);
	return 0;
}

/* <sandbox>/name as a new, empty regular file on fd `target`. The sandbox is writable by
 * the command's earlier runs, which may have left a FIFO there (an open would hang), a hard
 * link to a host file (truncated by root) or a symlink: whatever is there is removed, not
 * opened, and O_EXCL creates a file of our own (SPEC §11). A directory of that name, or one
 * recreated in between (EEXIST), is an error. */
static int open_sandbox_output(struct mcz_container *c, int sandbox_fd, const char *name,
			       int target, struct mcz_error *err)
{
	_cleanup_free_ char *path = mcz_xasprintf("%s/%s", c->cfg.sandbox, name);
	int fd, r = sys_unlinkat(c->s, sandbox_fd, name, 0);

	if (r < 0 && r != -ENOENT)
		return mcz_error_sys(err, r, SYS_OP_unlinkat, path);
	fd = sys_openat(c->s, sandbox_fd, name,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0640);
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, path);
	r = sys_dup2(c->s, fd, target);
	(void)sys_close(c->s, fd); /* the dup is what is used */
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_dup2, path);
	return 0;
}

/* `mcz launch`: the command's (and the supervisor's) stdout and stderr in the sandbox. Only
 * after the runtime entry was made: a refused second launch of a live id must not touch the
 * live container's logs. */
static int output_to_sandbox(struct mcz_container *c, struct mcz_error *err)
{
	int sfd, r;

	if (!c->cfg.output_to_sandbox)
		return 0;
	sfd = sys_openat(c->s, AT_FDCWD, c->cfg.sandbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (sfd < 0)
		return mcz_error_sys(err, sfd, SYS_OP_openat, c->cfg.sandbox);
	r = open_sandbox_output(c, sfd, "stdout", 1, err);
	if (r >= 0)
		r = open_sandbox_output(c, sfd, "stderr", 2, err);
	(void)sys_close(c->s, sfd); /* a directory opened for lookups only */
	return r;
}

/* The child's mount plan: "/" made rslave first whenever it has its own mount namespace
 * (so nothing it mounts propagates back), the isolators' steps, then a fresh /proc and the
 * mask over mcz's pidns handles for a pid namespace. */
static void finish_plan(struct mcz_container *c)
{
	struct mcz_mount_plan plan = { 0 };
	bool has_rslave = c->plan.n_steps > 0 && c->plan.steps[0].type == MCZ_STEP_MAKE_RSLAVE;

	if (!(c->clone_flags & CLONE_NEWNS))
		return;
	if (!has_rslave)
		mcz_mount_plan_add(&plan, MCZ_STEP_MAKE_RSLAVE, NULL, "/", MS_REC | MS_SLAVE);
	mcz_mount_plan_take(&plan, &c->plan); /* the steps keep their fds (mount_plan.h) */
	if (c->clone_flags & CLONE_NEWPID) {
		mcz_mount_plan_add(&plan, MCZ_STEP_MOUNT_PROC, NULL, "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
		mcz_mount_plan_add(&plan, MCZ_STEP_MASK, NULL, c->pidns_dir,
				   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	}
	mcz_mount_plan_done(&c->plan);
	c->plan = plan;
}

static int prepare_all(struct mcz_container *c, struct mcz_error *err)
{
	for (size_t i = 0; i < c->cfg.n_isolators; i++) {
		int r = c->cfg.isolators[i]->prepare(c, err);

		if (r < 0)
			return mcz_error_wrap(err, "prepare '%s'", c->cfg.isolators[i]->name);
	}
	finish_plan(c);
	return c->cfg.launcher->prepare(c, err);
}

static int write_pid(struct mcz_container *c, struct mcz_error *err)
{
	_cleanup_free_ char *text = mcz_xasprintf("%d\n", (int)c->child.pid);

	return mcz_runtime_write(c, "pid", text, err);
}

static int spawn_child(struct mcz_container *c, struct mcz_error *err)
{
	struct sys_spawn_req req = { .clone_flags = c->clone_flags, .child_main = mcz_child_main, .arg = c };
	int r = sys_spawn(c->s, &req, &c->child);

	if (r < 0) {
		c->child = (struct sys_child){ .pid = 0, .release_fd = -1, .report_fd = -1 };
		return mcz_error_sys(err, r, SYS_OP_spawn, NULL);
	}
	return 0;
}

static int isolate_all(struct mcz_container *c, struct mcz_error *err)
{
	int r = c->cfg.launcher->isolate(c, err);

	for (size_t i = 0; r >= 0 && i < c->cfg.n_isolators; i++) {
		r = c->cfg.isolators[i]->isolate(c, err);
		if (r < 0)
			mcz_error_wrap(err, "isolate '%s'", c->cfg.isolators[i]->name);
	}
	return r;
}

/* Let the child run; a failure before exec comes back as (op, path, errno). */
static int release_child(struct mcz_container *c, struct mcz_error *err)
{
	struct sys_child_report rep = { 0 };
	int r = sys_release(c->s, &c->child, &rep);
	int op;

	/* The child has mounted the plan's detached trees (or never will): the parent lets go. */
	mcz_mount_plan_close_fds(&c->plan);
	if (r >= 0)
		return 0;
	if (r == -ECHILD || !rep.step[0])
		return mcz_error_sys_msg(err, r, SYS_OP_release, NULL,
					 "release of the container's first process: %s%s", strerror(-r),
					 r == -ECHILD ? " (it died before exec)" : "");
	op = sys_op_from_name(rep.step);
	if (op == SYS_OP_execve && r == -ENOENT)
		return mcz_error_sys_msg(err, r, SYS_OP_execve, rep.path, "exec '%s': command not found",
					 rep.path);
	return mcz_error_sys(err, r, op >= 0 ? op : SYS_OP_release, rep.path[0] ? rep.path : NULL);
}

/* The supervisor takes its signals with sigtimedwait: blocked from before the clone, a
 * SIGCHLD or an operator's SIGINT during the launch waits in the pending set. */
static int block_signals(struct mcz_container *c, struct mcz_error *err)
{
	sigset_t set;
	int r;

	mcz_supervised_signals(&set);
	r = sys_sigprocmask(c->s, SIG_BLOCK, &set, NULL);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_sigprocmask, NULL);
	return 0;
}

static int launch_steps(struct mcz_container *c, struct mcz_error *err)
{
	int r = block_signals(c, err);

	if (r >= 0)
		r = mcz_runtime_create(c, err);
	if (r >= 0)
		r = mcz_runtime_set_state(c, MCZ_STATE_PREPARING, err);
	if (r >= 0)
		r = mcz_container_make_sandbox(c, err);
	if (r >= 0)
		r = output_to_sandbox(c, err);
	if (r >= 0)
		r = prepare_all(c, err);
	if (r >= 0)
		r = mcz_runtime_write_config(c, err); /* fully resolved: cgroup paths (usage, update) */
	if (r >= 0)
		r = spawn_child(c, err);
	if (r >= 0)
		r = write_pid(c, err);
	if (r >= 0)
		r = mcz_runtime_set_state(c, MCZ_STATE_ISOLATING, err);
	if (r >= 0)
		r = isolate_all(c, err);
	if (r >= 0)
		r = release_child(c, err);
	if (r >= 0)
		r = mcz_runtime_set_state(c, MCZ_STATE_RUNNING, err);
	return r;
}

static int destroy(struct mcz_container *c, bool keep_termination, struct mcz_error *err);

int mcz_container_launch(struct mcz_container *c, struct mcz_error *err)
{
	int r = launch_steps(c, err);

	if (r < 0) {
		/* Undo what was made, in reverse; the launch's error is the one reported. */
		struct mcz_error ignored = MCZ_ERROR_INIT;

		(void)destroy(c, false, mcz_error_is_set(err) ? &ignored : err);
		mcz_error_done(&ignored);
		mcz_error_wrap(err, "container '%s'", c->cfg.id);
	}
	return r;
}

/* ---- destroy (SPEC §8) ---- */

static void close_child_pipes(struct mcz_container *c)
{
	/* Closing the sync pipe of a child that was never released makes it _exit(125). */
	if (c->child.release_fd >= 0)
		(void)sys_close(c->s, c->child.release_fd);
	if (c->child.report_fd >= 0)
		(void)sys_close(c->s, c->child.report_fd);
	c->child.release_fd = c->child.report_fd = -1;
}

/* A SIGCHLD for a child that destroy reaped stays pending (it is blocked): take it, so the
 * supervisor is left as it was found. */
static void drain_sigchld(struct mcz_container *c)
{
	sigset_t chld;
	siginfo_t info;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	(void)sys_sigtimedwait(c->s, &chld, &info, 0); /* EAGAIN: there was none */
}

static void fill_termination(struct mcz_container *c)
{
	c->term.have_status = c->status_known;
	c->term.status = c->status;
	if (!c->term.message)
		c->term.message = mcz_xstrdup("Command terminated");
}

/* Keep the first error in r, carry on. */
static void collect(int *r, int q)
{
	if (*r >= 0 && q < 0)
		*r = q;
}

static int destroy(struct mcz_container *c, bool keep_termination, struct mcz_error *err)
{
	int r = 0;

	if (c->runtime_created) {
		struct mcz_error e = MCZ_ERROR_INIT;
		int q = mcz_runtime_set_state(c, MCZ_STATE_DESTROYING, &e);

		/* ENOENT: an earlier destroy removed the entry before failing; carry on. */
		if (q < 0 && q != -ENOENT) {
			collect(&r, q);
			mcz_error_take(err, &e);
		}
		mcz_error_done(&e);
	}
	close_child_pipes(c);
	if (c->child.pid > 0) {
		int k = c->cfg.launcher->kill(c, err);

		/* Processes may still use the resources: clean nothing, a second destroy retries. */
		if (k < 0)
			return k;
		drain_sigchld(c);
	}
	for (size_t i = c->cfg.n_isolators; i > 0; i--)
		collect(&r, c->cfg.isolators[i - 1]->cleanup(c, err));
	collect(&r, c->cfg.launcher->cleanup(c, err));
	fill_termination(c);
	if (c->runtime_created && keep_termination) {
		_cleanup_free_ char *json = mcz_termination_json(c->cfg.id, &c->term);

		collect(&r, mcz_runtime_write(c, "termination.json", json, err));
	}
	/* A failed cleanup keeps the entry (config.json says what exists): a second destroy,
	 * from this process or another one (`mcz destroy`, `mcz recover`), finishes the job. */
	if (r >= 0)
		r = mcz_runtime_remove(c, keep_termination, err);
	if (r >= 0)
		c->state = MCZ_STATE_TERMINATED;
	return r;
}

bool mcz_container_needs_destroy(const struct mcz_container *c)
{
	if (c->state == MCZ_STATE_TERMINATED)
		return false;
	for (size_t i = 0; i < _MCZ_CG_MAX; i++)
		if (c->cgroups[i].path || c->cgroups[i].prepared)
			return true;
	return c->runtime_created || c->child.pid > 0 || c->freezer || c->freezer_prepared ||
	       c->pidns_handle;
}

int mcz_container_destroy(struct mcz_container *c, struct mcz_error *err)
{
	int r = destroy(c, c->cfg.detached, err); /* launch, recover: termination.json stays */

	return r < 0 ? mcz_error_wrap(err, "container '%s': destroy", c->cfg.id) : r;
}

/* ---- supervision (`mcz run`) ---- */

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

void mcz_supervised_signals(sigset_t *ret)
{
	sigemptyset(ret);
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(forwarded); i++)
		sigaddset(ret, forwarded[i]);
	sigaddset(ret, SIGCHLD);
}

static bool starts_grace(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

#define MAX_SPURIOUS 100
#define WATCH_TICK_MS 500 /* how often the isolators' watch runs while the container runs */

struct supervision {
	uint64_t deadline;   /* ms; 0 = no stop requested */
	bool watching;       /* an isolator has a watch: wake up every WATCH_TICK_MS */
	uint64_t next_watch; /* ms */
	bool timed_out;      /* the last wait ended by its timeout */
	int sigints;
	int spurious;        /* consecutive wake-ups without a signal or anything due */
	bool done;
};

static int now_ms(struct mcz_container *c, uint64_t *ret, struct mcz_error *err)
{
	int r = sys_clock_gettime(c->s, ret);

	return r < 0 ? mcz_error_sys(err, r, SYS_OP_clock_gettime, NULL) : 0;
}

static bool has_watch(const struct mcz_container *c)
{
	if (c->adopted && c->pidfd < 0)
		return true;
	for (size_t i = 0; i < c->cfg.n_isolators; i++)
		if (c->cfg.isolators[i]->watch)
			return true;
	return false;
}

/* Ask every isolator whether the container hit a limit; the first limitation ends the
 * supervision (the isolator filled c->term) and the container is destroyed. */
static int watch_all(struct mcz_container *c, struct supervision *sv, struct mcz_error *err)
{
	/* Adopted without a pidfd: no SIGCHLD will come; the tick looks for pid 1 in the
	 * container's cgroup (core/recover.c). Its status is unknown. */
	if (c->adopted && c->pidfd < 0) {
		bool alive;
		int r = mcz_container_check_alive(c, &alive, err);

		if (r < 0)
			return mcz_error_wrap(err, "watch pid 1");
		sv->done = c->reaped;
	}
	for (size_t i = 0; i < c->cfg.n_isolators && !sv->done; i++) {
		const struct mcz_isolator *iso = c->cfg.isolators[i];
		bool limited = false;

		if (iso->watch && iso->watch(c, &limited, err) < 0)
			return mcz_error_wrap(err, "watch '%s'", iso->name);
		sv->done = limited;
	}
	return 0;
}

static int on_sigchld(struct mcz_container *c, struct supervision *sv, struct mcz_error *err)
{
	int status, r;

	/* Adopted: pid 1 is not our child; waitpid would say ECHILD ("gone") while it runs. Only
	 * the watch tick tells (watch_all). */
	if (c->adopted)
		return 0;

	/* The SIGCHLD is taken: an interrupted wait must be retried now, or the exit is lost. */
	for (int tries = 0; tries < MAX_SPURIOUS; tries++) {
		r = sys_waitpid(c->s, c->child.pid, &status, WNOHANG);
		if (r != -EINTR)
			break;
	}

	if (r == c->child.pid) {
		c->reaped = true;
		c->status_known = true;
		c->status = status;
		sv->done = true;
	} else if (r == -ECHILD) {
		c->reaped = true; /* gone without a status we could collect (see mcz_reap) */
		sv->done = true;
	} else if (r < 0 && r != -EINTR) {
		return mcz_error_sys(err, r, SYS_OP_waitpid, NULL);
	}
	return 0;
}

static bool is_destroy_request(int sig, const siginfo_t *info)
{
	return sig == SIGTERM && info->si_code == SI_QUEUE &&
	       info->si_value.sival_int == MCZ_DESTROY_REQUEST;
}

static int on_forwarded(struct mcz_container *c, struct supervision *sv, int sig,
			const siginfo_t *info, struct mcz_error *err)
{
	int r;

	if (is_destroy_request(sig, info)) {
		c->term.killed = true;
		free(c->term.message);
		c->term.message = mcz_xstrdup("Container destroyed");
		sv->done = true;
		return 0;
	}
	r = sys_kill(c->s, c->child.pid, sig);

	if (r < 0 && r != -ESRCH)
		return mcz_error_sys(err, r, SYS_OP_kill, NULL);
	if (sig == SIGINT && ++sv->sigints >= 2) {
		c->term.killed = true;
		c->term.message = mcz_xstrdup("Container destroyed after a second SIGINT");
		sv->done = true;
	} else if (starts_grace(sig) && !sv->deadline) {
		uint64_t now;

		r = now_ms(c, &now, err);
		if (r < 0)
			return r;
		sv->deadline = now + (uint64_t)c->cfg.stop_grace_period * 1000;
	}
	return 0;
}

/* Milliseconds from now to when, for a wait's int timeout: a --stop_grace_period of more
 * than ~24.8 days would overflow it (a negative timeout waits forever), so it is capped;
 * the loop waits again until the deadline. */
static int until(uint64_t now, uint64_t when)
{
	return now >= when ? 0 : when - now > INT_MAX ? INT_MAX : (int)(when - now);
}

/* What is due by the clock — the end of the stop grace period, a watch tick — and how long
 * the next wait may last (-1: until a signal). A wait that timed out with nothing due was
 * woken early: counted, so that a wait which only ever times out early ends in an error. */
static int run_due(struct mcz_container *c, struct supervision *sv, int *ret, struct mcz_error *err)
{
	bool was_due = false;
	uint64_t now;
	int r;

	*ret = -1;
	if (!sv->deadline && !sv->watching)
		return 0;
	r = now_ms(c, &now, err);
	if (r < 0)
		return r;
	if (sv->deadline && now >= sv->deadline) {
		c->term.killed = true;
		c->term.message = mcz_xasprintf("Container destroyed after the stop grace period of %us",
						c->cfg.stop_grace_period);
		sv->done = true;
		return 0;
	}
	if (sv->watching && !sv->next_watch)
		sv->next_watch = now + WATCH_TICK_MS; /* launched just now: nothing to see yet */
	if (sv->watching && now >= sv->next_watch) {
		r = watch_all(c, sv, err);
		if (r < 0 || sv->done)
			return r;
		sv->next_watch = now + WATCH_TICK_MS;
		was_due = true;
	}
	if (sv->timed_out && !was_due && ++sv->spurious >= MAX_SPURIOUS)
		return mcz_error_sys_msg(err, -EAGAIN, SYS_OP_sigtimedwait, NULL,
					 "wait for signals: %s (it keeps timing out early)", strerror(EAGAIN));
	if (was_due)
		sv->spurious = 0;
	if (sv->deadline)
		*ret = until(now, sv->deadline);
	if (sv->watching && (*ret < 0 || until(now, sv->next_watch) < *ret))
		*ret = until(now, sv->next_watch);
	return 0;
}

static int supervise_loop(struct mcz_container *c, struct mcz_error *err)
{
	struct supervision sv = { 0 };
	sigset_t set;
	siginfo_t info;
	int r = 0;

	if (c->adopted && !c->reaped && c->pidfd < 0)
		r = mcz_container_pin_pid1(c, err);
	sv.watching = has_watch(c);
	mcz_supervised_signals(&set);
	while (r >= 0 && !sv.done) {
		int timeout, sig;

		r = run_due(c, &sv, &timeout, err);
		if (r < 0 || sv.done)
			break;
		memset(&info, 0, sizeof(info));
		sig = c->pidfd >= 0 ? sys_sigwait_pidfd(c->s, &set, c->pidfd, &info, timeout)
				    : sys_sigtimedwait(c->s, &set, &info, timeout);
		sv.timed_out = sig == -EAGAIN && timeout >= 0;
		if (sv.timed_out)
			continue; /* run_due() tells what is due */
		if (sig == 0) { /* the pidfd: pid 1 has exited, its status unknown to us */
			c->reaped = true;
			sv.done = true;
			break;
		}
		/* EINTR, or EAGAIN with no timeout asked for: a spurious wake-up. Look for an exit
		 * anyway (SIGCHLDs coalesce; one may have been taken without its being reported),
		 * and retry — but a wait that only ever fails is an error, not a loop. */
		if ((sig == -EINTR || sig == -EAGAIN) && ++sv.spurious < MAX_SPURIOUS) {
			r = on_sigchld(c, &sv, err);
			continue;
		}
		if (sig >= 0)
			sv.spurious = 0;
		if (sig < 0)
			r = mcz_error_sys(err, sig, c->pidfd >= 0 ? SYS_OP_sigwait_pidfd : SYS_OP_sigtimedwait,
					  NULL);
		else if (sig == SIGCHLD)
			r = on_sigchld(c, &sv, err);
		else
			r = on_forwarded(c, &sv, sig, &info, err);
	}
	/* pid 1 has exited: was it a limitation (an OOM kill)? The cgroups still exist. */
	if (r >= 0 && c->reaped && sv.watching) {
		sv.done = false;
		r = watch_all(c, &sv, err);
	}
	return r;
}

int mcz_container_supervise(struct mcz_container *c, struct mcz_error *err)
{
	int r = supervise_loop(c, err);

	/* The Termination says why the supervisor killed the container. */
	if (r < 0) {
		c->term.killed = true;
		free(c->term.message);
		c->term.message = mcz_xasprintf("Supervision failed: %s", err->msg ? err->msg : "unknown error");
	}
	/* Destroy whatever happened: a supervision error must not leave the container behind. */
	struct mcz_error ignored = MCZ_ERROR_INIT;
	int d = destroy(c, c->cfg.detached, r < 0 ? &ignored : err);

	mcz_error_done(&ignored);
	if (r < 0)
		return mcz_error_wrap(err, "container '%s'", c->cfg.id);
	if (d < 0)
		return mcz_error_wrap(err, "container '%s': destroy", c->cfg.id);
	return 0;
}

/* ---- termination ---- */

char *mcz_termination_json(const char *id, const struct mcz_termination *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "container_id", json_string(id));
	if (t->have_status) {
		json_object_set_new(o, "status", json_integer(t->status));
		if (WIFEXITED(t->status))
			json_object_set_new(o, "exit_code", json_integer(WEXITSTATUS(t->status)));
		else if (WIFSIGNALED(t->status))
			json_object_set_new(o, "signal", json_integer(WTERMSIG(t->status)));
	}
	json_object_set_new(o, "killed", json_boolean(t->killed));
	if (t->reason)
		json_object_set_new(o, "reason", json_string(t->reason));
	json_object_set_new(o, "message", json_string(t->message ? t->message : "Command terminated"));
	return mcz_json_dump(o, JSON_COMPACT | JSON_PRESERVE_ORDER, true);
}

int mcz_termination_exit_code(const struct mcz_termination *t)
{
	if (!t->have_status)
		return 125;
	if (WIFEXITED(t->status))
		return WEXITSTATUS(t->status);
	if (WIFSIGNALED(t->status))
		return 128 + WTERMSIG(t->status);
	return 125;
}
