/*
 * inspect.c — see inspect.h. Reads only: nothing here changes the container or its entry.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/base/path.h"
#include "core/spec/id.h"
#include "core/base/fsutil.h"
#include "core/state/load.h"
#include "core/container/isolator.h"
#include "core/container/launcher.h"
#include "core/state/runtime.h"
#include "lib/util.h"

#define PROCS_START 4096
#define PROCS_MAX (64u * 1024 * 1024)
#define MB ((uint64_t)1024 * 1024)

/* ---- reading the entry ---- */

static int read_entry_file(struct sys *s, const char *dir, const char *name, char **ret,
			   struct mcz_error *err)
{
	return mcz_read_file(s, dir, name, ret, err);
}

static int bad_config(const char *path, const char *what, struct mcz_error *err)
{
	return mcz_error_fmt(err, -EINVAL, "cannot parse '%s': %s", path, what);
}

static const char *get_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "isolation": the names joined again, through the one parser (known names only). */
static int load_isolators(struct mcz_config *cfg, json_t *iso, const char *path,
			  struct mcz_error *err)
{
	_cleanup_free_ char *list = mcz_xstrdup("");
	size_t i;
	json_t *v;

	if (!json_is_array(iso))
		return bad_config(path, "no 'isolation' array", err);
	json_array_foreach(iso, i, v) {
		char *next;

		if (!json_is_string(v))
			return bad_config(path, "'isolation' holds a non-string", err);
		next = mcz_xasprintf("%s%s%s", list, i ? "," : "", json_string_value(v));
		free(list);
		list = next;
	}
	return mcz_isolation_parse(list, &cfg->isolators, &cfg->n_isolators, err);
}

static int load_resources(struct mcz_resources *r, json_t *o, const char *path,
			  struct mcz_error *err)
{
	json_t *cpus = json_object_get(o, "cpus"), *mem = json_object_get(o, "mem");

	if (!json_is_object(o) || (cpus && !json_is_number(cpus)) ||
	    (mem && (!json_is_integer(mem) || json_integer_value(mem) <= 0 ||
		     json_integer_value(mem) > (json_int_t)(UINT64_MAX / MB))))
		return bad_config(path, "bad 'resources'", err);
	r->has_cpus = cpus != NULL;
	r->cpus = cpus ? json_number_value(cpus) : 0;
	r->has_mem = mem != NULL;
	r->mem_mb = mem ? (uint64_t)json_integer_value(mem) : 0;
	return 0;
}

static int load_cgroups(struct mcz_container *c, json_t *o, const char *path,
			struct mcz_error *err)
{
	const char *freezer = get_str(o, "freezer");

	if (!json_is_object(o))
		return bad_config(path, "no 'cgroups' object", err);
	for (size_t k = 0; k < _MCZ_CG_MAX; k++) {
		const char *p = get_str(o, mcz_cg_kind_names[k]);

		if (p)
			c->cgroups[k].path = mcz_xstrdup(p);
	}
	if (freezer)
		c->freezer = mcz_xstrdup(freezer);
	return 0;
}

static void load_hierarchy(struct mcz_hierarchy *h, json_t *o)
{
	const char *mount = get_str(o, "mount"), *own = get_str(o, "own");

	if (mount && own) {
		h->mount = mcz_xstrdup(mount);
		h->own = mcz_xstrdup(own);
	}
}

/* Where each cgroup's hierarchy was mounted and mcz's own cgroup then (absent in entries of
 * older versions: h.mount stays NULL and a destroy leaves the cgroups root's empty levels). */
static void load_hierarchies(struct mcz_container *c, json_t *o)
{

	for (size_t k = 0; k < _MCZ_CG_MAX; k++)
		load_hierarchy(&c->cgroups[k].h, json_object_get(o, mcz_cg_kind_names[k]));
	load_hierarchy(&c->freezer_h, json_object_get(o, "freezer"));
}

/* Which cgroups are v2 (a missing list: all v1). */
static void load_cgroups_v2(struct mcz_container *c, json_t *a)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		const char *name = json_string_value(v);

		for (size_t k = 0; name && k < _MCZ_CG_MAX; k++)
			if (strcmp(name, mcz_cg_kind_names[k]) == 0)
				c->cgroups[k].h.v2 = true;
		if (name && strcmp(name, "freezer") == 0)
			c->freezer_h.v2 = true;
	}
}

static int load_config(struct mcz_container *c, const char *text, const char *path,
		       struct mcz_error *err)
{
	json_error_t jerr;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	struct mcz_config *cfg = &c->cfg;
	const char *launcher, *sandbox;
	int r;

	if (!json_is_object(o)) {
		json_decref(o);
		return mcz_error_fmt(err, -EINVAL, "cannot parse '%s': %s", path,
				     o ? "not an object" : jerr.text);
	}
	c->config_doc = o;
	launcher = get_str(o, "launcher");
	sandbox = get_str(o, "sandbox");
	if (!launcher || !sandbox)
		return bad_config(path, "no 'launcher' or 'sandbox'", err);
	r = mcz_launcher_parse(launcher, true, &cfg->launcher, err);
	if (r >= 0)
		r = load_isolators(cfg, json_object_get(o, "isolation"), path, err);
	if (r >= 0)
		r = load_resources(&cfg->resources, json_object_get(o, "resources"), path, err);
	if (r >= 0)
		r = load_cgroups(c, json_object_get(o, "cgroups"), path, err);
	if (r < 0)
		return r;
	load_hierarchies(c, json_object_get(o, "cgroup_hierarchies"));
	load_cgroups_v2(c, json_object_get(o, "cgroups_v2"));
	cfg->cgroups_root = mcz_xstrdup(get_str(o, "cgroups_root") ? get_str(o, "cgroups_root") : "mcz");
	cfg->sandbox = mcz_xstrdup(sandbox);
	cfg->cgroups_enable_cfs = json_is_true(json_object_get(o, "cgroups_enable_cfs"));
	cfg->cgroups_limit_swap = json_is_true(json_object_get(o, "cgroups_limit_swap"));
	if (json_is_true(json_object_get(o, "pid_namespace")))
		c->clone_flags |= CLONE_NEWPID;
	return 0;
}

static int load_state(struct mcz_container *c, const char *dir, struct mcz_error *err)
{
	_cleanup_free_ char *path = mcz_xasprintf("%s/state", dir);
	char buf[32];
	int n = sys_readlinkat(c->s, AT_FDCWD, path, buf, sizeof(buf) - 1);

	c->state = MCZ_STATE_PREPARING;
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return mcz_error_sys(err, n, SYS_OP_readlinkat, path);
	buf[n] = '\0';
	for (int s = 0; s < _MCZ_STATE_MAX; s++)
		if (strcmp(buf, mcz_state_name((enum mcz_state)s)) == 0) {
			c->state = (enum mcz_state)s;
			return 0;
		}
	return mcz_error_fmt(err, -EINVAL, "cannot parse '%s': unknown state '%s'", path, buf);
}

static int load_pid(struct mcz_container *c, const char *dir, struct mcz_error *err)
{
	_cleanup_free_ char *text = NULL;
	int pid = 0, end = 0;
	int r = read_entry_file(c->s, dir, "pid", &text, err);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (sscanf(text, "%d%n", &pid, &end) != 1 || pid <= 0 || (text[end] && text[end] != '\n')) {
		_cleanup_free_ char *path = mcz_xasprintf("%s/pid", dir);

		return mcz_error_fmt(err, -EINVAL, "cannot parse '%s': not a pid", path);
	}
	c->child.pid = pid;
	return 0;
}

static int load(struct mcz_container *c, const char *dir, struct mcz_error *err)
{
	_cleanup_free_ char *path = mcz_xasprintf("%s/config.json", dir);
	_cleanup_free_ char *text = NULL;
	int r = read_entry_file(c->s, dir, "config.json", &text, err);

	if (r == -ENOENT)
		return mcz_error_sys_msg(err, r, SYS_OP_openat, path, "container '%s' not found",
					 c->cfg.id);
	if (r >= 0)
		r = load_config(c, text, path, err);
	if (r >= 0)
		r = load_state(c, dir, err);
	if (r >= 0)
		r = load_pid(c, dir, err);
	return r < 0 ? mcz_error_wrap(err, "container '%s'", c->cfg.id) : 0;
}

int mcz_container_load(struct sys *s, const char *runtime_dir, const char *id,
		       struct mcz_container **ret, struct mcz_error *err)
{
	struct mcz_config cfg = { .id = mcz_xstrdup(id), .runtime_dir = mcz_xstrdup(runtime_dir) };
	struct mcz_container *c = mcz_container_new(s, &cfg);
	_cleanup_free_ char *dir = NULL;
	int r = mcz_container_id_check(id, err); /* it names a directory: no "..", no "/" */

	*ret = NULL;
	if (r >= 0) {
		dir = mcz_runtime_dir_of(runtime_dir, id);
		r = load(c, dir, err);
	}
	if (r < 0) {
		mcz_container_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

/* ---- usage ---- */

/* The pids of the freezer cgroup (every process of the container, whatever its session or
 * pid namespace); the buffer grows until the listing fits. */
static int freezer_pids(struct mcz_container *c, pid_t **ret, size_t *ret_n, struct mcz_error *err)
{
	_cleanup_free_ char *path = mcz_xasprintf("%s/cgroup.procs", c->freezer);

	for (size_t size = PROCS_START;; size *= 2) {
		_cleanup_free_ char *buf = mcz_xmalloc(size);
		int n = sys_cg_read(c->s, path, buf, size);
		size_t count = 0;

		if (n < 0)
			return mcz_error_sys(err, n, SYS_OP_cg_read, path);
		if ((size_t)n + 1 == size && size < PROCS_MAX)
			continue;
		*ret = mcz_xcalloc((size_t)n / 2 + 1, sizeof(pid_t));
		for (char *p = buf, *end; *p; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			if (v > 0)
				(*ret)[count++] = (pid_t)v;
		}
		*ret_n = count;
		return 0;
	}
}

static int posix_sums(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r;

	if (!c->freezer) /* posix launcher: pid 1 made its own session (setsid) */
		return mcz_usage_posix(c->s, c->child.pid, c->child.pid, ret, err);
	r = freezer_pids(c, &pids, &n, err);
	if (r >= 0)
		r = mcz_usage_posix_pids(c->s, pids, n, ret, err);
	return r;
}

/* posix/cpu and posix/mem share one pass over /proc; each keeps only its own fields. */
static int posix_usage(struct mcz_container *c, struct mcz_usage *u, struct mcz_error *err)
{
	bool cpu = mcz_isolation_has(&c->cfg, "posix/cpu"), mem = mcz_isolation_has(&c->cfg, "posix/mem");
	struct mcz_usage p = { 0 };
	int r;

	if (!cpu && !mem)
		return 0;
	r = posix_sums(c, &p, err);
	if (r < 0)
		return r;
	if (cpu) {
		u->has_cpu = true;
		u->cpus_user_time_secs = p.cpus_user_time_secs;
		u->cpus_system_time_secs = p.cpus_system_time_secs;
	}
	if (mem) {
		u->has_rss = true;
		u->mem_rss_bytes = p.mem_rss_bytes;
	}
	u->has_processes = u->has_threads = true;
	u->processes = p.processes;
	u->threads = p.threads;
	return 0;
}

static void add_limits(const struct mcz_container *c, struct mcz_usage *u)
{
	const struct mcz_resources *r = &c->cfg.resources;

	if (r->has_cpus) {
		u->has_cpus_limit = true;
		u->cpus_limit = r->cpus;
	}
	if (r->has_mem && !u->has_mem_limit) {
		u->has_mem_limit = true;
		u->mem_limit_bytes = r->mem_mb * MB;
	}
}

int mcz_container_usage(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err)
{
	struct mcz_usage u = { 0 };
	int r = 0;

	if (c->state != MCZ_STATE_RUNNING)
		return mcz_error_fmt(err, -EINVAL, "container '%s' is not running (state %s)",
				     c->cfg.id, mcz_state_name(c->state));
	for (size_t i = 0; r >= 0 && i < c->cfg.n_isolators; i++) {
		const struct mcz_isolator *iso = c->cfg.isolators[i];

		if (iso->usage && (r = iso->usage(c, &u, err)) < 0)
			mcz_error_wrap(err, "usage '%s'", iso->name);
	}
	if (r >= 0)
		r = posix_usage(c, &u, err);
	if (r < 0)
		return mcz_error_wrap(err, "container '%s'", c->cfg.id);
	add_limits(c, &u);
	*ret = u;
	return 0;
}

/* ---- the Termination a supervisor left (`mcz wait`, `mcz destroy`) ---- */

int mcz_entry_read(struct sys *s, const char *runtime_dir, const char *id, const char *name,
		   char **ret, struct mcz_error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = mcz_container_id_check(id, err);

	*ret = NULL;
	if (r < 0)
		return r;
	dir = mcz_runtime_dir_of(runtime_dir, id);
	return read_entry_file(s, dir, name, ret, err);
}

int mcz_termination_parse(const char *json, const char *path, struct mcz_termination *ret,
			  struct mcz_error *err)
{
	json_error_t jerr;
	json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	json_t *status;

	*ret = (struct mcz_termination){ 0 };
	if (!json_is_object(o)) {
		json_decref(o);
		return mcz_error_fmt(err, -EINVAL, "cannot parse '%s': %s", path,
				     o ? "not an object" : jerr.text);
	}
	status = json_object_get(o, "status");
	/* a raw wait status is 16 bits; anything else is not one */
	ret->have_status = json_is_integer(status) && json_integer_value(status) >= 0 &&
			   json_integer_value(status) <= 0xffff;
	ret->status = ret->have_status ? (int)json_integer_value(status) : 0;
	ret->killed = json_is_true(json_object_get(o, "killed"));
	if (get_str(o, "reason"))
		ret->reason = mcz_xstrdup(get_str(o, "reason"));
	if (get_str(o, "message"))
		ret->message = mcz_xstrdup(get_str(o, "message"));
	json_decref(o);
	return 0;
}
