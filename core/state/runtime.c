/* runtime.c — see runtime.h. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/base/path.h"
#include "core/spec/id.h"
#include "core/base/fsutil.h"
#include "lib/json.h"
#include "core/container/isolator.h"
#include "core/container/launcher.h"
#include "core/state/runtime.h"
#include "lib/util.h"

/* The files of an entry; c->runtime_files has bit i set once file i may exist, and bit
 * i + RUNTIME_TMP_SHIFT once a failed write may have left its temporary behind. Removal
 * touches only those: no failing unlink for files that were never written. */
static const char *const runtime_files[] = {
	"config.json", "state", "pid", "supervisor.pid", "termination.json", "lock",
};
#define RUNTIME_TMP_SHIFT 16
#define LOCK_FILE 5 /* runtime_files[LOCK_FILE] is "lock" */

static unsigned file_bit(const char *name)
{
	for (unsigned i = 0; i < MCZ_ARRAY_SIZE(runtime_files); i++)
		if (strcmp(runtime_files[i], name) == 0)
			return 1u << i;
	abort(); /* a file missing from the table is a bug */
}

char *mcz_runtime_dir_of(const char *runtime_dir, const char *id)
{
	return mcz_xasprintf("%s/containers/%s", runtime_dir, id);
}

char *mcz_runtime_container_dir(const struct mcz_container *c)
{
	return mcz_runtime_dir_of(c->cfg.runtime_dir, c->cfg.id);
}

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* What `mcz usage` and `mcz update` need from another process: the resources as given. */
static json_t *resources_json(const struct mcz_resources *r)
{
	json_t *o = json_object();

	if (r->has_cpus)
		json_object_set_new(o, "cpus", json_real(r->cpus));
	if (r->has_mem)
		json_object_set_new(o, "mem", json_integer((json_int_t)r->mem_mb));
	return o;
}

/* The container's cgroup per controller, once made. A cpuacct co-mounted with cpu is the cpu
 * cgroup: recorded under both names, so that a reader needs no mount table. */
static json_t *cgroups_json(const struct mcz_container *c)
{
	const char *cpu = c->cgroups[MCZ_CG_CPU].path;
	json_t *o = json_object();

	for (size_t k = 0; k < _MCZ_CG_MAX; k++)
		if (c->cgroups[k].path)
			json_object_set_new(o, mcz_cg_kind_names[k], json_string(c->cgroups[k].path));
	if (cpu && !c->cgroups[MCZ_CG_CPUACCT].path && !c->cgroups[MCZ_CG_CPUACCT].h.mount)
		json_object_set_new(o, "cpuacct", json_string(cpu));
	if (c->freezer)
		json_object_set_new(o, "freezer", json_string(c->freezer));
	return o;
}

static json_t *hierarchy_json(const struct mcz_hierarchy *h)
{
	return json_pack("{s:s, s:s}", "mount", h->mount, "own", h->own);
}

/* Where each cgroup's hierarchy is mounted and mcz's own cgroup in it when the container was
 * made: what a later destroy (another process, maybe in another cgroup) needs to remove the
 * cgroups root's empty levels. */
static json_t *hierarchies_json(const struct mcz_container *c)
{
	json_t *o = json_object();

	for (size_t k = 0; k < _MCZ_CG_MAX; k++)
		if (c->cgroups[k].h.mount && c->cgroups[k].path)
			json_object_set_new(o, mcz_cg_kind_names[k], hierarchy_json(&c->cgroups[k].h));
	if (c->freezer_h.mount && c->freezer)
		json_object_set_new(o, "freezer", hierarchy_json(&c->freezer_h));
	return o;
}

/* Which of them are in the cgroup v2 hierarchy (their files differ from v1's). */
static json_t *cgroups_v2_json(const struct mcz_container *c)
{
	json_t *a = json_array();

	for (size_t k = 0; k < _MCZ_CG_MAX; k++)
		if (c->cgroups[k].h.v2)
			json_array_append_new(a, json_string(mcz_cg_kind_names[k]));
	if (c->freezer && c->freezer_h.v2)
		json_array_append_new(a, json_string("freezer"));
	return a;
}

static char *dump(json_t *o)
{
	return mcz_json_dump(o, JSON_INDENT(2) | JSON_SORT_KEYS, true);
}

char *mcz_config_json(const struct mcz_container *c)
{
	const struct mcz_config *cfg = &c->cfg;
	json_t *o, *iso, *vols, *v2;

	/* Loaded by another process (`mcz update`): only the resources change; the rest (volumes,
	 * command, env, ...) is what the launching process wrote, kept as it was. */
	if (c->config_doc) {
		o = json_deep_copy(c->config_doc);
		json_object_set_new(o, "resources", resources_json(&cfg->resources));
		return dump(o);
	}
	o = json_object();
	iso = json_array();
	vols = json_array();

	for (size_t i = 0; i < cfg->n_isolators; i++)
		json_array_append_new(iso, json_string(cfg->isolators[i]->name));
	for (size_t i = 0; i < cfg->n_volumes; i++)
		json_array_append_new(vols, json_pack("{s:s, s:s?, s:s}", "container_path",
						      cfg->volumes[i].container_path, "host_path",
						      cfg->volumes[i].host_path, "mode",
						      cfg->volumes[i].mode == MCZ_VOLUME_RO ? "RO" : "RW"));
	json_object_set_new(o, "container_id", json_string(cfg->id));
	json_object_set_new(o, "isolation", iso);
	json_object_set_new(o, "launcher", json_string(cfg->launcher->name));
	json_object_set_new(o, "volumes", vols);
	json_object_set_new(o, "sandbox", json_string(cfg->sandbox));
	json_object_set_new(o, "runtime_dir", json_string(cfg->runtime_dir));
	if (c->freezer)
		json_object_set_new(o, "freezer_cgroup", json_string(c->freezer));
	if (cfg->user)
		json_object_set_new(o, "user", json_string(cfg->user));
	json_object_set_new(o, "command", strv_json(cfg->argv));
	json_object_set_new(o, "resources", resources_json(&cfg->resources));
	json_object_set_new(o, "cgroups", cgroups_json(c));
	json_object_set_new(o, "cgroup_hierarchies", hierarchies_json(c));
	json_object_set_new(o, "cgroups_root", json_string(cfg->cgroups_root ? cfg->cgroups_root : "mcz"));
	if (json_array_size(v2 = cgroups_v2_json(c)) > 0)
		json_object_set_new(o, "cgroups_v2", v2);
	else
		json_decref(v2);
	json_object_set_new(o, "cgroups_enable_cfs", json_boolean(cfg->cgroups_enable_cfs));
	json_object_set_new(o, "cgroups_limit_swap", json_boolean(cfg->cgroups_limit_swap));
	json_object_set_new(o, "pid_namespace", json_boolean(c->clone_flags & CLONE_NEWPID));
	json_object_set_new(o, "env", strv_json(cfg->env));
	return dump(o);
}

int mcz_runtime_write(struct mcz_container *c, const char *name, const char *content,
		      struct mcz_error *err)
{
	_cleanup_free_ char *dir = mcz_runtime_container_dir(c);
	int r;

	c->runtime_files |= file_bit(name); /* before the write: it may take effect and fail */
	r = mcz_write_atomic(c->s, dir, name, content, err);
	if (r < 0)
		c->runtime_files |= file_bit(name) << RUNTIME_TMP_SHIFT;
	return r;
}

/* `state` is a symlink to the state's name (readlink gives "RUNNING"): it is rewritten at
 * every transition, and a symlink's rename costs no data flush (see mcz_symlink_atomic). */
int mcz_runtime_set_state(struct mcz_container *c, enum mcz_state state, struct mcz_error *err)
{
	_cleanup_free_ char *dir = mcz_runtime_container_dir(c);
	int r;

	c->runtime_files |= file_bit("state");
	r = mcz_symlink_atomic(c->s, dir, "state", mcz_state_name(state), err);
	if (r < 0)
		c->runtime_files |= file_bit("state") << RUNTIME_TMP_SHIFT;

	if (r >= 0)
		c->state = state;
	return r;
}

static int take_lock(struct mcz_container *c, const char *dir, struct mcz_error *err)
{
	_cleanup_free_ char *path = mcz_xasprintf("%s/lock", dir);
	int fd, r;

	c->runtime_files |= file_bit("lock");
	fd = sys_openat(c->s, AT_FDCWD, path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, path);
	c->lock_fd = fd;
	r = sys_flock(c->s, fd, LOCK_EX | LOCK_NB);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_flock, path);
	return 0;
}

int mcz_runtime_adopt(struct mcz_container *c, struct mcz_error *err)
{
	_cleanup_free_ char *dir = mcz_runtime_container_dir(c);
	int r;

	/* Everything the entry may hold, temporaries too: removal skips what is not there. */
	c->runtime_created = true;
	for (unsigned i = 0; i < MCZ_ARRAY_SIZE(runtime_files); i++)
		c->runtime_files |= (1u << i) | (1u << (i + RUNTIME_TMP_SHIFT));
	r = take_lock(c, dir, err);
	if (r < 0 && c->lock_fd >= 0) {
		(void)sys_close(c->s, c->lock_fd); /* nothing was written through it */
		c->lock_fd = -1;
	}
	if (r == -EWOULDBLOCK) {
		mcz_error_done(err);
		return mcz_error_fmt(err, -EBUSY, "container '%s' has a live supervisor (it holds "
				     "'%s/lock')", c->cfg.id, dir);
	}
	return r;
}

/* ---- the runtime dir and its marker (SPEC §11) ---- */

/* An existing runtime dir is trusted only when it is a directory of mcz's own user that no
 * one else may write: another user could rename entries or plant pidns handles in it. */
static int check_runtime_dir(struct sys *s, const char *dir, struct mcz_error *err)
{
	struct stat st;
	int uid, r = sys_fstatat(s, AT_FDCWD, dir, &st, AT_SYMLINK_NOFOLLOW);

	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_fstatat, dir);
	if (!S_ISDIR(st.st_mode))
		return mcz_error_fmt(err, -ENOTDIR, "runtime dir '%s' is not a directory (a symlink "
				     "is not followed)", dir);
	uid = sys_geteuid(s);
	if (uid < 0) {
		mcz_error_sys(err, uid, SYS_OP_geteuid, NULL);
		return mcz_error_wrap(err, "runtime dir '%s'", dir);
	}
	if (st.st_uid != (uid_t)uid || (st.st_mode & 022))
		return mcz_error_fmt(err, -EPERM, "runtime dir '%s' must belong to uid %d and be "
				     "writable by no one else (it is uid %u, mode %04o)", dir, uid,
				     (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* The marker's cgroups roots; -ENOENT without a message when there is no marker. */
static int read_marker(struct sys *s, const char *dir, json_t **ret_roots, struct mcz_error *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *path = mcz_xasprintf("%s/%s", dir, MCZ_RUNTIME_MARKER);
	json_error_t jerr;
	json_t *o, *roots;
	int r = mcz_read_file(s, dir, MCZ_RUNTIME_MARKER, &text, err);

	if (r < 0)
		return r;
	o = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	roots = json_object_get(o, "cgroups_roots");
	if (!json_is_array(roots)) {
		json_decref(o);
		return mcz_error_fmt(err, -EINVAL, "runtime dir marker '%s': no \"cgroups_roots\" array",
				     path);
	}
	for (size_t i = 0; i < json_array_size(roots); i++) {
		const char *root = json_string_value(json_array_get(roots, i));

		if (!root || mcz_path_flag_check("cgroups_root", root, false, err) < 0) {
			json_decref(o);
			mcz_error_done(err);
			return mcz_error_fmt(err, -EINVAL, "runtime dir marker '%s': cgroups root %zu "
					     "is not a normal path", path, i);
		}
	}
	*ret_roots = json_incref(roots);
	json_decref(o);
	return 0;
}

static bool has_root(const json_t *roots, const char *root)
{
	for (size_t i = 0; i < json_array_size(roots); i++)
		if (strcmp(json_string_value(json_array_get(roots, i)), root) == 0)
			return true;
	return false;
}

/* Add root to the marker (made when missing), under an flock of the runtime dir: launches
 * that record a new root at the same time must not lose one. */
static int record_root(struct sys *s, const char *dir, const char *root, struct mcz_error *err)
{
	json_t *roots = NULL;
	int fd = sys_openat(s, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0), r;

	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, dir);
	r = sys_flock(s, fd, LOCK_EX);
	if (r < 0)
		mcz_error_sys(err, r, SYS_OP_flock, dir);
	else
		r = read_marker(s, dir, &roots, err);
	if (r == -ENOENT && !mcz_error_is_set(err)) {
		roots = json_array();
		r = 0;
	}
	if (r >= 0 && !has_root(roots, root)) {
		json_array_append_new(roots, json_string(root));
		_cleanup_free_ char *text = mcz_json_dump(json_pack("{s:O}", "cgroups_roots", roots),
							  JSON_INDENT(2), true);
		r = mcz_write_atomic(s, dir, MCZ_RUNTIME_MARKER, text, err);
	}
	json_decref(roots);
	(void)sys_close(s, fd); /* releases the lock; nothing was written through it */
	return r;
}

int mcz_runtime_dir_prepare(struct sys *s, const char *dir, const char *cgroups_root,
			    struct mcz_error *err)
{
	json_t *roots = NULL;
	bool created;
	int r = mcz_mkdir_p(s, dir, 0755, &created, err);

	if (r >= 0 && !created)
		r = check_runtime_dir(s, dir, err);
	if (r >= 0)
		r = read_marker(s, dir, &roots, err);
	if (r >= 0 && has_root(roots, cgroups_root)) {
		json_decref(roots);
		return 0; /* the usual case: one read, no lock */
	}
	json_decref(roots);
	if (r < 0 && (r != -ENOENT || mcz_error_is_set(err)))
		return r;
	return record_root(s, dir, cgroups_root, err);
}

int mcz_runtime_dir_roots(struct sys *s, const char *dir, char ***ret_roots, struct mcz_error *err)
{
	json_t *roots = NULL;
	int r = mcz_exists(s, dir, err);

	if (r == 0) {
		/* No runtime dir: no container of mcz's was ever made with it, and no cgroup is
		 * provably one of its orphans. Nothing to do, nothing swept. */
		*ret_roots = mcz_xcalloc(1, sizeof(char *));
		return 0;
	}
	if (r > 0)
		r = check_runtime_dir(s, dir, err);

	if (r >= 0)
		r = read_marker(s, dir, &roots, err);
	if (r == -ENOENT && !mcz_error_is_set(err))
		return mcz_error_fmt(err, -ENOENT, "runtime dir '%s' has no marker '%s': it is not "
				     "a runtime dir mcz made (a wrong --runtime_dir would make every "
				     "container an orphan)", dir, MCZ_RUNTIME_MARKER);
	if (r < 0)
		return r;
	char **v = mcz_xcalloc(json_array_size(roots) + 1, sizeof(char *));
	for (size_t i = 0; i < json_array_size(roots); i++)
		v[i] = mcz_xstrdup(json_string_value(json_array_get(roots, i)));
	json_decref(roots);
	*ret_roots = v;
	return 0;
}

int mcz_runtime_create(struct mcz_container *c, struct mcz_error *err)
{
	_cleanup_free_ char *containers = mcz_xasprintf("%s/containers", c->cfg.runtime_dir);
	_cleanup_free_ char *dir = mcz_runtime_container_dir(c);
	int r;

	r = mcz_runtime_dir_prepare(c->s, c->cfg.runtime_dir, c->cfg.cgroups_root, err);
	if (r >= 0)
		r = mcz_mkdir_p(c->s, containers, 0755, NULL, err);
	if (r < 0)
		return r;
	/* Recorded before the mkdir, so that a failure that still made it is cleaned up; an
	 * entry that already existed is another container's and is never ours to remove. */
	c->runtime_created = true;
	r = sys_mkdirat(c->s, AT_FDCWD, dir, 0700);
	if (r == -EEXIST) {
		c->runtime_created = false;
		return mcz_error_sys_msg(err, r, SYS_OP_mkdirat, dir, "container '%s' already exists ('%s')",
					 c->cfg.id, dir);
	}
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_mkdirat, dir);
	/* config.json is written once, after prepare, when it is fully resolved (cgroup paths
	 * included): replacing a file with data costs ~175 µs on ext4 (see fsutil.h). */
	return take_lock(c, dir, err);
}

int mcz_runtime_write_config(struct mcz_container *c, struct mcz_error *err)
{
	_cleanup_free_ char *config = mcz_config_json(c);

	return mcz_runtime_write(c, "config.json", config, err);
}

static int remove_file(struct mcz_container *c, const char *dir, unsigned i, bool tmp,
		       struct mcz_error *err)
{
	_cleanup_free_ char *p = mcz_xasprintf("%s/%s%s", dir, runtime_files[i], tmp ? ".tmp" : "");

	return mcz_remove(c->s, p, 0, err);
}

/* File i of the entry, its temporary first. */
static int remove_one(struct mcz_container *c, const char *dir, unsigned i, unsigned keep,
		      struct mcz_error *err)
{
	unsigned bit = 1u << i;
	int r = 0;

	if (c->runtime_files & (bit << RUNTIME_TMP_SHIFT)) {
		r = remove_file(c, dir, i, true, err);
		if (r >= 0)
			c->runtime_files &= ~(bit << RUNTIME_TMP_SHIFT);
	}
	if (r >= 0 && (c->runtime_files & bit) && !(keep & bit)) {
		r = remove_file(c, dir, i, false, err);
		if (r >= 0)
			c->runtime_files &= ~bit;
	}
	return r;
}

/* See runtime.h. */
int mcz_runtime_remove(struct mcz_container *c, bool keep_termination, struct mcz_error *err)
{
	_cleanup_free_ char *dir = NULL;
	unsigned keep = keep_termination ? file_bit("termination.json") : 0;
	int r = 0;

	if (!c->runtime_created)
		return 0;
	dir = mcz_runtime_container_dir(c);
	/* Reverse order, config.json last but for the lock, and nothing more after a failure:
	 * while anything of the entry is left, config.json is too, and a second destroy can
	 * load it. The lock file goes last of all: a `wait` or `destroy` that finds it gone
	 * finds the rest gone too (the lock itself is released when its fd is closed below). */
	for (unsigned i = MCZ_ARRAY_SIZE(runtime_files); r >= 0 && i-- > 0;)
		if (i != LOCK_FILE)
			r = remove_one(c, dir, i, keep, err);
	if (r >= 0)
		r = remove_one(c, dir, LOCK_FILE, keep, err);
	if (c->lock_fd >= 0) {
		(void)sys_close(c->s, c->lock_fd); /* the lock file is gone; nothing to flush */
		c->lock_fd = -1;
	}
	if (keep_termination)
		return r;
	int q = mcz_remove(c->s, dir, AT_REMOVEDIR, err);
	r = r < 0 ? r : q;
	if (r >= 0)
		c->runtime_created = false;
	return r;
}

/* See runtime.h. */
int mcz_runtime_remove_leftover(struct sys *s, const char *dir, struct mcz_error *err)
{
	_cleanup_free_ char *lock = mcz_xasprintf("%s/lock", dir);
	char **names = NULL;
	int r = mcz_list_names(s, dir, false, false, &names, err);

	for (size_t i = 0; r >= 0 && names && names[i]; i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", dir, names[i]);

		if (strcmp(names[i], "lock") != 0)
			r = mcz_remove(s, p, 0, err);
	}
	mcz_names_free(names);
	/* The lock last, as mcz_runtime_remove() does: whoever finds it gone finds the rest
	 * gone too. */
	if (r >= 0)
		r = mcz_remove(s, lock, 0, err);
	if (r >= 0)
		r = mcz_remove(s, dir, AT_REMOVEDIR, err);
	return r;
}
