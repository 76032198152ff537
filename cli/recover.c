/*
 * recover.c — `mcz recover` (SPEC §9): make the host agree with the runtime dir.
 *
 * Each entry of <runtime_dir>/containers:
 *   - its lock held: a live supervisor (or a command at work on it): "alive", left alone;
 *   - ended (termination.json only): left for `wait` and `destroy`;
 *   - supervisor gone, processes running: a new supervisor adopts it ("adopted"; it sees
 *     pid 1 end by polling its cgroup, and the exit status is unknown, as in Mesos);
 *   - supervisor and processes gone: destroyed, its Termination (no status) kept ("destroyed");
 *   - half made (no config.json, no termination.json, lock free): removed.
 * Then orphans, which no entry owns: pidns handles in <runtime_dir>/pidns, and cgroups below
 * the cgroups root in every hierarchy (their processes killed first). Nothing outside those
 * roots is touched. The report is one JSON object on stdout.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/cgroups.h"
#include "core/container.h"
#include "core/inspect.h"
#include "core/json.h"
#include "core/recover.h"
#include "core/runtime.h"
#include "core/util.h"

struct report {
	json_t *alive, *ended, *adopted, *destroyed, *removed, *errors;
};

static void report_error(struct report *rep, struct mcz_error *e)
{
	json_array_append_new(rep->errors, json_string(e->msg ? e->msg : "unknown error"));
	mcz_error_done(e);
}

/* The names in dir (no dot files), sorted; NULL-terminated; NULL when dir does not exist. */
static char **names_in(const char *dir, bool dirs_only)
{
	struct dirent **list = NULL;
	int n = scandir(dir, &list, NULL, alphasort);
	char **out;
	size_t k = 0;

	if (n < 0)
		return NULL;
	out = mcz_xcalloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.' && (!dirs_only || list[i]->d_type == DT_DIR))
			out[k++] = mcz_xstrdup(list[i]->d_name);
		free(list[i]);
	}
	free(list);
	return out;
}

static void names_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static bool exists(const char *dir, const char *name)
{
	_cleanup_free_ char *p = mcz_xasprintf("%s/%s", dir, name);

	return access(p, F_OK) == 0;
}

/* The new supervisor of an adopted container: never returns. */
static void adopt_supervisor(struct mcz_container *c)
{
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *out = mcz_xasprintf("%s/stdout", c->cfg.sandbox);
	_cleanup_free_ char *errf = mcz_xasprintf("%s/stderr", c->cfg.sandbox);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int o = open(out, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	int e = open(errf, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);

	sigset_t set;

	/* The supervisor takes its signals with sigtimedwait: they must be blocked. */
	mcz_supervised_signals(&set);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	(void)setsid();
	(void)dup2(null, STDIN_FILENO);
	(void)dup2(o >= 0 ? o : null, STDOUT_FILENO);
	(void)dup2(e >= 0 ? e : null, STDERR_FILENO);
	/* Copied to 0-2: the originals are not needed (unless they are 0-2 themselves). */
	if (null > STDERR_FILENO)
		close(null);
	if (o > STDERR_FILENO)
		close(o);
	if (e > STDERR_FILENO)
		close(e);
	c->adopted = true;
	c->cfg.detached = true;
	if (cli_write_supervisor_pid(c, &err) < 0 || mcz_container_supervise(c, &err) < 0)
		fprintf(stderr, "mcz: error: %s\n", err.msg);
	mcz_error_done(&err);
	_exit(0);
}

/* A container whose lock was free: adopted by a new supervisor, or destroyed. */
static void recover_one(const struct mcz_flags *f, const char *id, struct report *rep)
{
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_container *c = NULL;
	bool alive = false;
	int r = mcz_container_load(sys_real(), f->runtime_dir, id, &c, &err);

	if (r >= 0)
		r = mcz_container_adopt(c, &alive, &err);
	if (r == -EBUSY) {
		json_array_append_new(rep->alive, json_string(id));
		mcz_error_done(&err);
	} else if (r >= 0 && alive) {
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid == 0)
			adopt_supervisor(c); /* the lock's open file goes with it */
		if (pid < 0) {
			mcz_error_fmt(&err, -errno, "container '%s': fork a supervisor: %s", id, strerror(errno));
			report_error(rep, &err);
		} else {
			json_array_append_new(rep->adopted, json_pack("{s:s, s:i}", "container_id", id,
								      "supervisor_pid", (int)pid));
		}
	} else if (r >= 0) {
		c->cfg.detached = true; /* the Termination stays for `wait` */
		c->term.message = mcz_xstrdup("Container destroyed by 'mcz recover': its supervisor "
					      "and processes were gone");
		r = mcz_container_destroy(c, &err);
		if (r >= 0)
			json_array_append_new(rep->destroyed, json_string(id));
	}
	if (r < 0 && r != -EBUSY)
		report_error(rep, &err);
	mcz_container_free(c); /* the adopted copy is the child's; ours only closes fds */
}

/* An entry without config.json: ended (termination.json), being made (lock held), or a
 * half-made leftover (removed). */
static void recover_partial(const char *dir, const char *id, struct report *rep)
{
	_cleanup_free_ char *lock = mcz_xasprintf("%s/lock", dir);
	char **files;
	int fd;

	if (exists(dir, "termination.json")) {
		json_array_append_new(rep->ended, json_string(id));
		return;
	}
	fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		json_array_append_new(rep->alive, json_string(id));
		return;
	}
	files = names_in(dir, false);
	for (size_t i = 0; files && files[i]; i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", dir, files[i]);

		(void)unlink(p);
	}
	names_free(files);
	if (fd >= 0)
		close(fd);
	if (rmdir(dir) == 0)
		json_array_append_new(rep->removed, json_pack("{s:s, s:s}", "kind", "runtime entry",
							      "path", dir));
}

static void recover_entries(const struct mcz_flags *f, struct report *rep)
{
	_cleanup_free_ char *containers = mcz_xasprintf("%s/containers", f->runtime_dir);
	char **ids = names_in(containers, true);

	for (size_t i = 0; ids && ids[i]; i++) {
		_cleanup_free_ char *dir = mcz_runtime_dir_of(f->runtime_dir, ids[i]);

		if (exists(dir, "config.json"))
			recover_one(f, ids[i], rep);
		else
			recover_partial(dir, ids[i], rep);
	}
	names_free(ids);
}

/* pidns handles whose container has no entry: unmounted (lazily) and removed. */
static void recover_pidns(const struct mcz_flags *f, struct report *rep)
{
	_cleanup_free_ char *dir = mcz_xasprintf("%s/pidns", f->runtime_dir);
	_cleanup_free_ char *containers = mcz_xasprintf("%s/containers", f->runtime_dir);
	char **names = names_in(dir, false);

	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", dir, names[i]);
		struct mcz_error e = MCZ_ERROR_INIT;

		if (exists(containers, names[i]))
			continue;
		(void)sys_umount2(sys_real(), p, MNT_DETACH); /* EINVAL: not mounted */
		if (unlink(p) < 0 && errno != ENOENT) {
			mcz_error_fmt(&e, -errno, "orphan pidns handle '%s': unlink: %s", p, strerror(errno));
			report_error(rep, &e);
			continue;
		}
		json_array_append_new(rep->removed, json_pack("{s:s, s:s}", "kind", "pidns handle", "path", p));
	}
	names_free(names);
}

/* An orphan cgroup and what is below it, deepest first: v1's cgroup.procs and freezer act
 * on one cgroup only. */
static int kill_remove_tree(const struct mcz_hierarchy *h, bool freezer, const char *path,
			    struct mcz_error *err)
{
	char **kids = names_in(path, true);
	int r = 0;

	for (size_t i = 0; r >= 0 && kids && kids[i]; i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", path, kids[i]);

		r = kill_remove_tree(h, freezer, p, err);
	}
	names_free(kids);
	return r < 0 ? r : mcz_cgroup_kill_remove(sys_real(), h, freezer, path, err);
}

/* Cgroups below the cgroups root of one hierarchy that no entry owns. */
static void recover_hierarchy(const struct mcz_flags *f, const struct mcz_hierarchy *h,
			      bool freezer, struct report *rep)
{
	_cleanup_free_ char *root = mcz_cgroup_root_path(h, f->cgroups_root);
	_cleanup_free_ char *containers = mcz_xasprintf("%s/containers", f->runtime_dir);
	char **names = names_in(root, true);
	struct mcz_error e = MCZ_ERROR_INIT;

	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", root, names[i]);

		if (exists(containers, names[i]))
			continue;
		if (kill_remove_tree(h, freezer, p, &e) < 0) {
			mcz_error_wrap(&e, "orphan cgroup");
			report_error(rep, &e);
			continue;
		}
		json_array_append_new(rep->removed, json_pack("{s:s, s:s}", "kind", "cgroup", "path", p));
	}
	if (names && mcz_cgroup_remove_root(sys_real(), h, f->cgroups_root, &e) < 0)
		report_error(rep, &e);
	names_free(names);
}

static void recover_cgroups(const struct mcz_flags *f, struct report *rep)
{
	static const char *const controllers[] = { "freezer", "cpu", "cpuacct", "memory" };
	char *seen[MCZ_ARRAY_SIZE(controllers)] = { 0 };

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(controllers); i++) {
		struct mcz_hierarchy h = { 0 };
		struct mcz_error e = MCZ_ERROR_INIT;
		bool dup = false;

		if (mcz_hierarchy_find(sys_real(), f->cgroups_hierarchy, controllers[i], &h, &e) < 0) {
			mcz_error_done(&e); /* no such hierarchy: nothing of mcz's there */
			continue;
		}
		for (size_t j = 0; j < i; j++)
			dup = dup || (seen[j] && strcmp(seen[j], h.mount) == 0);
		if (!dup)
			recover_hierarchy(f, &h, i == 0 || h.v2, rep);
		seen[i] = mcz_xstrdup(h.mount);
		mcz_hierarchy_done(&h);
	}
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(controllers); i++)
		free(seen[i]);
}

int cmd_recover(const struct mcz_flags *f, struct mcz_error *err)
{
	struct report rep = { json_array(), json_array(), json_array(), json_array(), json_array(),
			      json_array() };
	_cleanup_free_ char *text = NULL;
	size_t errors;

	if (f->args.n > 0) {
		json_decref(rep.alive), json_decref(rep.ended), json_decref(rep.adopted);
		json_decref(rep.destroyed), json_decref(rep.removed), json_decref(rep.errors);
		return mcz_error_fmt(err, -EINVAL, "recover: unexpected argument '%s'", f->args.v[0]);
	}
	recover_entries(f, &rep);
	recover_pidns(f, &rep);
	recover_cgroups(f, &rep);
	errors = json_array_size(rep.errors);
	text = mcz_json_dump(json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "alive", rep.alive, "ended",
				       rep.ended, "adopted", rep.adopted, "destroyed", rep.destroyed,
				       "removed", rep.removed, "errors", rep.errors),
			     JSON_COMPACT | JSON_PRESERVE_ORDER, true);
	fputs(text, stdout);
	if (errors)
		return mcz_error_fmt(err, -EIO, "recover: %zu error(s) (see \"errors\" in the report)", errors);
	return 0;
}
