/*
 * fake_cgroup.c — cgroup hierarchies (cg_* ops) and the generated /proc files.
 *
 * A hierarchy is a mount (listed in mountinfo) whose directory tree is kept apart from the
 * file tree: only cg_mkdir/cg_rmdir/cg_write/cg_read see it. Control files follow
 * Documentation/admin-guide/cgroup-v1/{cgroups,freezer-subsystem}.rst and cgroup-v2.rst:
 * cgroup.procs and tasks list and move processes; freezer.state (v1) and cgroup.freeze /
 * cgroup.kill / cgroup.events (v2) act on them; v2 controllers, cgroup.controllers,
 * cgroup.subtree_control and the controller files are fake_cgroup2.c's; any other file keeps
 * what was written and reads it back with a trailing newline, as the kernel prints values.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "lib/util.h"
#include "fakes/fake_impl.h"

#define ARG_STR(c, n) ((const char *)(c)->a[n].p)
#define ARG_OUT(c, n) ((void *)(c)->a[n].p)

/* ---- the trees ---- */

static struct fcg *fcg_child(const struct fcg *cg, const char *name)
{
	for (size_t i = 0; i < cg->nkids; i++)
		if (strcmp(cg->kids[i]->name, name) == 0)
			return cg->kids[i];
	return NULL;
}

static struct fcg *fcg_add(struct fcg *parent, const char *name)
{
	struct fcg *cg = mcz_xcalloc(1, sizeof(*cg));
	size_t i = 0;

	cg->name = mcz_xstrdup(name);
	cg->parent = parent;
	if (!parent)
		return cg;
	/* Kept sorted by name: snapshots list them in that order. */
	while (i < parent->nkids && strcmp(parent->kids[i]->name, name) < 0)
		i++;
	parent->kids = mcz_xrealloc(parent->kids, (parent->nkids + 1) * sizeof(*parent->kids));
	memmove(parent->kids + i + 1, parent->kids + i, (parent->nkids - i) * sizeof(*parent->kids));
	parent->kids[i] = cg;
	parent->nkids++;
	return cg;
}

static void fcg_free(struct fcg *cg)
{
	for (size_t i = 0; i < cg->nkids; i++)
		fcg_free(cg->kids[i]);
	for (size_t i = 0; i < cg->nfiles; i++) {
		free(cg->files[i].name);
		free(cg->files[i].value);
	}
	free(cg->files);
	free(cg->kids);
	free(cg->name);
	free(cg);
}

static void fcg_remove(struct fcg *cg)
{
	struct fcg *parent = cg->parent;
	size_t i = 0;

	while (parent->kids[i] != cg)
		i++;
	memmove(parent->kids + i, parent->kids + i + 1,
		(parent->nkids - i - 1) * sizeof(*parent->kids));
	parent->nkids--;
	fcg_free(cg);
}

static char *fcg_path(const struct fcg *cg)
{
	char *s;

	if (!cg->parent)
		return mcz_xstrdup("/");
	s = mcz_xstrdup("");
	for (; cg->parent; cg = cg->parent) {
		char *t = mcz_xasprintf("/%s%s", cg->name, s);
		free(s);
		s = t;
	}
	return s;
}

struct fcg_file *fcg_file(const struct fcg *cg, const char *name)
{
	for (size_t i = 0; i < cg->nfiles; i++)
		if (strcmp(cg->files[i].name, name) == 0)
			return &cg->files[i];
	return NULL;
}

void fcg_store(struct fcg *cg, const char *name, const char *value)
{
	struct fcg_file *file = fcg_file(cg, name);
	size_t i = 0;

	if (file) {
		free(file->value);
		file->value = mcz_xstrdup(value);
		return;
	}
	while (i < cg->nfiles && strcmp(cg->files[i].name, name) < 0)
		i++;
	cg->files = mcz_xrealloc(cg->files, (cg->nfiles + 1) * sizeof(*cg->files));
	memmove(cg->files + i + 1, cg->files + i, (cg->nfiles - i) * sizeof(*cg->files));
	cg->files[i] = (struct fcg_file){ .name = mcz_xstrdup(name), .value = mcz_xstrdup(value) };
	cg->nfiles++;
}

/* The files the kernel makes in every cgroup of this hierarchy, by name. */
static bool is_control(const struct fhier *h, const struct fcg *cg, const char *name)
{
	if (strcmp(name, "cgroup.procs") == 0)
		return true;
	if (!h->v2)
		return strcmp(name, "tasks") == 0 ||
		       (h->freezer && cg->parent && strcmp(name, "freezer.state") == 0);
	if (strcmp(name, "cgroup.controllers") == 0 || strcmp(name, "cgroup.subtree_control") == 0)
		return true;
	return cg->parent && (strcmp(name, "cgroup.freeze") == 0 ||
			      strcmp(name, "cgroup.kill") == 0 || strcmp(name, "cgroup.events") == 0);
}

/* A file of the cgroup: a control file, a stored one, or a v2 controller file the model
 * makes (mkdir over it is EEXIST, a walk through it ENOTDIR). */
static bool has_file(const struct fake *f, int h, const struct fcg *cg, const char *name)
{
	return is_control(&f->hier[h], cg, name) || fcg_file(cg, name) ||
	       (f->hier[h].v2 && fcg2_is_file(f, h, cg, name));
}

void fcg_leave(struct fproc *p)
{
	memset(p->cg, 0, sizeof(p->cg));
}

bool fcg_frozen(const struct fake *f, const struct fproc *p, bool *v2)
{
	for (int h = 0; h < f->nhier; h++) {
		if (!f->hier[h].freezer && !f->hier[h].v2)
			continue;
		for (const struct fcg *cg = p->cg[h]; cg; cg = cg->parent) {
			if (cg->frozen) {
				*v2 = f->hier[h].v2;
				return true;
			}
		}
	}
	return false;
}

void fake_cgroup_free(struct fake *f)
{
	for (int h = 0; h < f->nhier; h++) {
		fcg_free(f->hier[h].root);
		free(f->hier[h].mount_point);
		free(f->hier[h].options);
	}
}

/* ---- world building ---- */

static struct fcg *fcg_mkdir_p(struct fcg *root, const char *path)
{
	struct fcg *cg = root;
	const char *p = path;

	while (*(p += strspn(p, "/"))) {
		size_t n = strcspn(p, "/");
		char *name = mcz_xstrndup(p, n);
		struct fcg *next = fcg_child(cg, name);
		cg = next ? next : fcg_add(cg, name);
		free(name);
		p += n;
	}
	return cg;
}

static int v1_count(const struct fake *f)
{
	int n = 0;

	for (int h = 0; h < f->nhier; h++)
		n += !f->hier[h].v2;
	return n;
}

static int hier_mount(struct fake *f, const char *mp, bool v2, const char *options)
{
	struct fnode *root;
	struct fmount *m;
	struct loc l;
	int r = fake_add_dir(f, mp, 0755, 0, 0);

	if (r < 0 && r != -EEXIST)
		return r;
	r = fake_lookup(f, AT_FDCWD, mp, LOOKUP_FOLLOW, 0, &l);
	if (r < 0)
		return r;
	if (l.n->kind != FN_DIR)
		return -ENOTDIR;
	root = fnode_new(f, FN_DIR, 0555, 0, 0);
	root->next_dead = f->dead; /* owned by the graveyard list, as other fs roots */
	f->dead = root;
	m = fmount_add(f, l, root, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME,
		       v2 ? "cgroup2" : "cgroup");
	m->fstype = mcz_xstrdup(v2 ? "cgroup2" : "cgroup");
	m->super_opts = v2 ? NULL : mcz_xstrdup(options);
	m->dev = ++f->next_dev;
	return 0;
}

int fake_add_cgroup_hierarchy(struct fake *f, const char *mount_point, const char *options,
			      const char *own_cgroup)
{
	bool v2 = !options || !options[0];
	struct fhier *h;
	int r;

	if (f->nhier == FAKE_MAX_HIER)
		return -ENOSPC;
	if (mount_point[0] != '/')
		return -EINVAL;
	r = hier_mount(f, mount_point, v2, options);
	if (r < 0)
		return r;
	h = &f->hier[f->nhier];
	h->mount_point = sys_path_join("/", mount_point);
	h->options = mcz_xstrdup(v2 ? "" : options);
	h->v2 = v2;
	h->id = v2 ? 0 : v1_count(f) + 1;
	h->freezer = !v2 && (strcmp(options, "freezer") == 0 || strstr(options, "freezer,") ||
			     strstr(options, ",freezer"));
	h->root = fcg_add(NULL, "");
	h->own = fcg_mkdir_p(h->root, own_cgroup ? own_cgroup : "/");
	for (size_t i = 0; i < f->nprocs; i++)
		if (fproc_alive(f->procs[i]))
			f->procs[i]->cg[f->nhier] = h->own;
	return f->nhier++;
}

/* ---- resolving cgroup paths ---- */

struct cgpath {
	int h;
	struct fcg *dir;      /* the cgroup holding the last component */
	char name[NAME_MAX + 1]; /* the last component; "" for the hierarchy root itself */
};

static int find_hier(const struct fake *f, const char *path, size_t *ret_len)
{
	int best = -1;
	size_t best_len = 0;

	for (int h = 0; h < f->nhier; h++) {
		const char *mp = f->hier[h].mount_point;
		size_t n = strlen(mp);
		if (strncmp(path, mp, n) == 0 && (path[n] == '/' || !path[n]) && n >= best_len) {
			best = h;
			best_len = n;
		}
	}
	*ret_len = best_len;
	return best;
}

/* Walk to the parent of the last component: every step a cgroup (a control file on the way
 * is ENOTDIR, anything else ENOENT). */
static int cg_resolve(struct fake *f, const char *path, struct cgpath *ret)
{
	_cleanup_free_ char *abs = NULL;
	const char *p;
	size_t len;

	if (!path)
		return -EFAULT;
	abs = sys_path_join("/", path);
	ret->h = find_hier(f, abs, &len);
	if (ret->h < 0)
		return -ENOENT;
	ret->dir = f->hier[ret->h].root;
	ret->name[0] = '\0';
	p = abs + len;
	while (*(p += strspn(p, "/"))) {
		size_t n = strcspn(p, "/");
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		if (ret->name[0]) {
			struct fcg *next = fcg_child(ret->dir, ret->name);
			if (!next)
				return has_file(f, ret->h, ret->dir, ret->name) ? -ENOTDIR : -ENOENT;
			ret->dir = next;
		}
		memcpy(ret->name, p, n);
		ret->name[n] = '\0';
		p += n;
	}
	return 0;
}

/* World building for v2: make the cgroup (and its parents) and enable the controllers from
 * the root down, with the checks of a cgroup.subtree_control write at each level. */
int fake_cgroup2_enable(struct fake *f, const char *path, const char *controllers)
{
	_cleanup_free_ char *abs = NULL;
	unsigned int mask;
	size_t len;
	int h, r;

	if (!path || !controllers)
		return -EINVAL;
	abs = sys_path_join("/", path);
	h = find_hier(f, abs, &len);
	if (h < 0)
		return -ENOENT;
	if (!f->hier[h].v2)
		return -EINVAL;
	r = fcg2_parse_names(controllers, &mask);
	if (r < 0)
		return r;
	return fcg2_enable(f, h, fcg_mkdir_p(f->hier[h].root, abs + len), mask);
}

/* ---- cg_mkdir, cg_rmdir ---- */

int model_cg_mkdir(struct fake *f, const struct sys_call *c)
{
	struct cgpath cp;
	int r = cg_resolve(f, ARG_STR(c, 0), &cp);

	if (r < 0)
		return r;
	if (!cp.name[0] || fcg_child(cp.dir, cp.name) || has_file(f, cp.h, cp.dir, cp.name))
		return -EEXIST;
	fcg_add(cp.dir, cp.name);
	return 0;
}

bool fcg_has_tasks(const struct fake *f, int h, const struct fcg *cg)
{
	for (size_t i = 0; i < f->nprocs; i++)
		if (fproc_alive(f->procs[i]) && f->procs[i]->cg[h] == cg)
			return true;
	return false;
}

/* rmdir of a cgroup with live tasks or child cgroups is EBUSY (cgroup_destroy_locked());
 * the hierarchy root is a mount point: EBUSY too. Zombies have left their cgroups. */
int model_cg_rmdir(struct fake *f, const struct sys_call *c)
{
	struct cgpath cp;
	struct fcg *cg;
	int r = cg_resolve(f, ARG_STR(c, 0), &cp);

	if (r < 0)
		return r;
	if (!cp.name[0])
		return -EBUSY;
	cg = fcg_child(cp.dir, cp.name);
	if (!cg)
		return has_file(f, cp.h, cp.dir, cp.name) ? -ENOTDIR : -ENOENT;
	if (cg->nkids || fcg_has_tasks(f, cp.h, cg))
		return -EBUSY;
	fcg_remove(cg);
	return 0;
}

/* ---- cg_list: the child cgroups, as readdir would see them (sorted like listdir) ---- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int model_cg_list(struct fake *f, const struct sys_call *c)
{
	char *buf = (char *)c->a[1].p;
	size_t size = c->a[2].u, used = 0;
	_cleanup_free_ char **names = NULL;
	struct cgpath cp;
	struct fcg *cg;
	int r = cg_resolve(f, ARG_STR(c, 0), &cp);

	if (r < 0)
		return r;
	cg = cp.name[0] ? fcg_child(cp.dir, cp.name) : cp.dir;
	if (!cg)
		return has_file(f, cp.h, cp.dir, cp.name) ? -ENOTDIR : -ENOENT;
	names = mcz_xcalloc(cg->nkids + 1, sizeof(char *));
	for (size_t i = 0; i < cg->nkids; i++)
		names[i] = cg->kids[i]->name;
	qsort(names, cg->nkids, sizeof(char *), name_cmp);
	for (size_t i = 0; i < cg->nkids; i++)
		if (!fake_list_add(buf, size, &used, 'd', names[i]))
			return -ERANGE;
	return (int)used;
}

/* ---- cg_write ---- */

/* A value as the kernel parses it: one trailing newline allowed. */
static bool value_is(const char *value, const char *want)
{
	size_t n = strlen(want);

	return strncmp(value, want, n) == 0 && (!value[n] || strcmp(value + n, "\n") == 0);
}

static int move_task(struct fake *f, int h, struct fcg *cg, const char *value)
{
	char *end;
	long nr = strtol(value, &end, 10);
	struct fproc *p;

	if (end == value || (*end && strcmp(end, "\n") != 0) || nr < 0)
		return -EINVAL;
	/* "0" is the writer itself (cgroup_procs_write_start()). */
	p = nr ? fake_proc_find(f, (pid_t)nr) : f->cur;
	if (!p || !fproc_alive(p))
		return -ESRCH;
	/* v2: the no-internal-process rule (cgroup_attach_permissions() after the lookup). */
	if (f->hier[h].v2) {
		int r = fcg2_vet_dst(f, h, cg);
		if (r < 0)
			return r;
	}
	p->cg[h] = cg;
	fproc_refresh_frozen(f);
	return 0;
}

static int set_frozen(struct fake *f, struct fcg *cg, const char *value, const char *on,
		      const char *off)
{
	if (value_is(value, on))
		cg->frozen = true;
	else if (value_is(value, off))
		cg->frozen = false;
	else
		return -EINVAL;
	fproc_refresh_frozen(f);
	return 0;
}

static bool under(const struct fcg *cg, const struct fcg *top)
{
	for (; cg; cg = cg->parent)
		if (cg == top)
			return true;
	return false;
}

/* cgroup.kill: "Writing "1" to the file causes the cgroup and all descendant cgroups to be
 * killed": SIGKILL to every task, frozen ones included. */
static int kill_cgroup(struct fake *f, int h, struct fcg *cg, const char *value)
{
	if (!value_is(value, "1"))
		return -EINVAL;
	for (size_t i = 0; i < f->nprocs; i++) {
		struct fproc *p = f->procs[i];
		if (fproc_alive(p) && under(p->cg[h], cg))
			fproc_signal(f, p, SIGKILL, 0);
	}
	return 0;
}

/* A v2 write: the file must exist there; cgroup_file_write() takes an empty write as done. */
static int cg2_write(struct fake *f, const struct cgpath *cp, const char *value)
{
	int r = fcg2_lookup(f, cp->h, cp->dir, cp->name);

	if (r < 0)
		return r;
	if (!value[0])
		return 0;
	if (strcmp(cp->name, "cgroup.procs") == 0)
		return move_task(f, cp->h, cp->dir, value);
	if (strcmp(cp->name, "cgroup.freeze") == 0)
		return set_frozen(f, cp->dir, value, "1", "0");
	if (strcmp(cp->name, "cgroup.kill") == 0)
		return kill_cgroup(f, cp->h, cp->dir, value);
	return fcg2_write(f, cp->h, cp->dir, cp->name, value);
}

int model_cg_write(struct fake *f, const struct sys_call *c)
{
	const char *value = ARG_STR(c, 1);
	struct cgpath cp;
	struct fhier *h;
	int r = cg_resolve(f, ARG_STR(c, 0), &cp);

	if (r < 0)
		return r;
	if (!value)
		return -EFAULT;
	h = &f->hier[cp.h];
	if (!cp.name[0] || fcg_child(cp.dir, cp.name))
		return -EISDIR;
	if (h->v2)
		return cg2_write(f, &cp, value);
	if (strcmp(cp.name, "cgroup.procs") == 0 || strcmp(cp.name, "tasks") == 0)
		return move_task(f, cp.h, cp.dir, value);
	if (strcmp(cp.name, "freezer.state") == 0)
		return is_control(h, cp.dir, cp.name) ? set_frozen(f, cp.dir, value, "FROZEN", "THAWED")
						     : -ENOENT;
	fcg_store(cp.dir, cp.name, value);
	return 0;
}

int fake_cgroup_set_file(struct fake *f, const char *path, const char *content)
{
	struct cgpath cp;
	int r = cg_resolve(f, path, &cp);

	if (r < 0)
		return r;
	if (!cp.name[0] || fcg_child(cp.dir, cp.name) || is_control(&f->hier[cp.h], cp.dir, cp.name))
		return -EINVAL;
	if (f->hier[cp.h].v2) {
		r = fcg2_lookup(f, cp.h, cp.dir, cp.name);
		if (r < 0)
			return r;
	}
	fcg_store(cp.dir, cp.name, content);
	return 0;
}

/* ---- reading generated files ---- */

/* proc_read()/cg_read(): at most size - 1 bytes and a NUL. */
static int give(char *buf, size_t size, const char *text)
{
	size_t n = strlen(text);

	if (!buf)
		return -EFAULT;
	if (size == 0)
		return -EINVAL;
	if (n > size - 1)
		n = size - 1;
	if (n > INT_MAX)
		n = INT_MAX;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return (int)n;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* One pid per line in the reader's pid namespace, sorted (the kernel sorts cgroup.procs
 * for v1; v2 order is unspecified, sorted here for determinism). */
static char *list_tasks(struct fake *f, int h, const struct fcg *cg)
{
	pid_t *pids = mcz_xcalloc(f->nprocs + 1, sizeof(*pids));
	char *s = mcz_xstrdup("");
	size_t n = 0;

	for (size_t i = 0; i < f->nprocs; i++) {
		pid_t nr = fproc_nr(f->procs[i], f->cur->pidns);
		if (fproc_alive(f->procs[i]) && f->procs[i]->cg[h] == cg && nr)
			pids[n++] = nr;
	}
	qsort(pids, n, sizeof(*pids), pid_cmp);
	for (size_t i = 0; i < n; i++) {
		char *line = mcz_xasprintf("%d\n", (int)pids[i]);
		mcz_strappend(&s, line);
		free(line);
	}
	free(pids);
	return s;
}

bool fcg_populated(const struct fake *f, int h, const struct fcg *cg)
{
	for (size_t i = 0; i < f->nprocs; i++)
		if (fproc_alive(f->procs[i]) && under(f->procs[i]->cg[h], cg))
			return true;
	return false;
}

static bool frozen_up(const struct fcg *cg)
{
	for (; cg; cg = cg->parent)
		if (cg->frozen)
			return true;
	return false;
}

static char *cg_text(struct fake *f, const struct cgpath *cp, int *err)
{
	const struct fhier *h = &f->hier[cp->h];
	const struct fcg_file *file;
	char *text;

	if (h->v2) {
		*err = fcg2_lookup(f, cp->h, cp->dir, cp->name);
		text = *err < 0 ? NULL : fcg2_read(f, cp->h, cp->dir, cp->name);
		if (text || *err < 0)
			return text;
	}
	if (strcmp(cp->name, "cgroup.procs") == 0 || (!h->v2 && strcmp(cp->name, "tasks") == 0))
		return list_tasks(f, cp->h, cp->dir);
	if (strcmp(cp->name, "freezer.state") == 0 && is_control(h, cp->dir, cp->name))
		return mcz_xstrdup(frozen_up(cp->dir) ? "FROZEN\n" : "THAWED\n");
	if (h->v2 && strcmp(cp->name, "cgroup.freeze") == 0 && is_control(h, cp->dir, cp->name))
		return mcz_xstrdup(cp->dir->frozen ? "1\n" : "0\n");
	if (h->v2 && strcmp(cp->name, "cgroup.events") == 0 && is_control(h, cp->dir, cp->name))
		return mcz_xasprintf("populated %d\nfrozen %d\n", fcg_populated(f, cp->h, cp->dir),
				     frozen_up(cp->dir));
	file = fcg_file(cp->dir, cp->name);
	if (file) {
		size_t n = strlen(file->value);
		return mcz_xasprintf("%s%s", file->value, n && file->value[n - 1] == '\n' ? "" : "\n");
	}
	*err = is_control(h, cp->dir, cp->name) ? -EINVAL : -ENOENT;
	return NULL;
}

int model_cg_read(struct fake *f, const struct sys_call *c)
{
	struct cgpath cp;
	_cleanup_free_ char *text = NULL;
	int r = cg_resolve(f, ARG_STR(c, 0), &cp);

	if (r < 0)
		return r;
	if (!cp.name[0] || fcg_child(cp.dir, cp.name))
		return -EISDIR;
	text = cg_text(f, &cp, &r);
	if (!text)
		return r;
	return give(ARG_OUT(c, 1), c->a[2].u, text);
}

/* ---- /proc ---- */

/* /proc/<pid>/cgroup (cgroups(7)): v1 lines "id:controllers:path", highest id first as
 * the kernel walks its hierarchy list, then "0::path" for cgroup2. */
static void proc_cgroup(FILE *fp, const struct fake *f, const struct fproc *p)
{
	for (int want = v1_count(f); want >= 0; want--) {
		for (int h = 0; h < f->nhier; h++) {
			_cleanup_free_ char *path = NULL;

			if (f->hier[h].id != want || !p->cg[h])
				continue;
			path = fcg_path(p->cg[h]);
			fprintf(fp, "%d:%s:%s\n", want, f->hier[h].options, path);
		}
	}
}

/* A path in mountinfo: space, tab, newline and backslash as octal escapes (mangle()). */
static void put_mangled(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (strchr(" \t\n\\", *s))
			fprintf(fp, "\\%03o", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
}

/* A mount's root within its filesystem. */
static char *fs_path(const struct fnode *n)
{
	char *s = mcz_xstrdup("");

	for (; n && n->parent; n = n->parent) {
		char *t = mcz_xasprintf("/%s%s", n->name, s);
		free(s);
		s = t;
	}
	if (!s[0]) {
		free(s);
		s = mcz_xstrdup("/");
	}
	return s;
}

static const char *mnt_fstype(const struct fmount *m)
{
	for (; m; m = m->parent)
		if (m->fstype)
			return m->fstype;
	return "ext4";
}

/* show_mnt_opts() order. */
static void put_mnt_opts(FILE *fp, unsigned long flags)
{
	static const struct {
		unsigned long ms;
		const char *name;
	} opts[] = {
		{ MS_NOSUID, ",nosuid" },     { MS_NODEV, ",nodev" },       { MS_NOEXEC, ",noexec" },
		{ MS_NOATIME, ",noatime" },   { MS_NODIRATIME, ",nodiratime" },
		{ MS_RELATIME, ",relatime" },
	};

	fputs(flags & MS_RDONLY ? "ro" : "rw", fp);
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(opts); i++)
		if (flags & opts[i].ms)
			fputs(opts[i].name, fp);
}

/* proc_pid_mountinfo(5): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root
 * rw,errors=continue". The namespace's root mount names parent id 1 (the mount outside it).
 * Propagation optional fields are not modelled (none are printed). */
static void mountinfo_line(FILE *fp, const struct fmount *m)
{
	struct loc l = { .n = m->root, .m = (struct fmount *)m };
	_cleanup_free_ char *point = loc_path(&l);
	_cleanup_free_ char *root = m->nsfs ? mcz_xstrdup(m->source) : fs_path(m->root);

	fprintf(fp, "%lu %lu 0:%lu ", m->id, m->parent ? m->parent->id : 1ul, m->dev);
	put_mangled(fp, root);
	fputc(' ', fp);
	put_mangled(fp, point);
	fputc(' ', fp);
	put_mnt_opts(fp, m->flags);
	fprintf(fp, " - %s ", mnt_fstype(m));
	put_mangled(fp, m->nsfs ? "nsfs" : m->source);
	/* Superblock flags are not modelled apart from the mount's: the super options say rw. */
	fprintf(fp, " rw%s%s\n", m->super_opts ? "," : "", m->super_opts ? m->super_opts : "");
}

static void proc_mountinfo(FILE *fp, struct fake *f, const struct fproc *p)
{
	struct fmount **mounts = p->mntns == f->cur->mntns ? f->mounts : p->mntns->mounts;
	size_t n = p->mntns == f->cur->mntns ? f->nmounts : p->mntns->nmounts;

	for (size_t i = 0; i < n; i++)
		if (mounts[i]->attached)
			mountinfo_line(fp, mounts[i]);
}

void fake_mountinfo(FILE *fp, struct fake *f)
{
	proc_mountinfo(fp, f, f->cur);
}

/* A number as the reader's namespace shows it: 0 when the process is outside it. */
static pid_t nr_of_host(struct fake *f, pid_t host)
{
	for (size_t i = 0; i < f->nprocs; i++)
		if (f->procs[i]->nr[0] == host && f->procs[i]->state != FP_GONE)
			return fproc_nr(f->procs[i], f->cur->pidns);
	return f->cur->pidns->level == 0 ? host : 0;
}

/* proc_pid_stat(5): the first 24 fields (to rss). utime, stime, num_threads and rss come
 * from the process's program (struct fake_program); the other counters and sizes are 0. */
static void proc_stat(FILE *fp, struct fake *f, const struct fproc *p)
{
	char state = p->state == FP_ZOMBIE ? 'Z' : p == f->cur ? 'R' : p->frozen ? 'D' : 'S';
	pid_t ppid = p->parent ? fproc_nr(p->parent, f->cur->pidns)
			       : (f->cur->pidns->level == 0 ? 1 : 0);
	struct fake_program none = { 0 };
	const struct fake_program *prog = p->has_prog ? &p->prog : &none;
	int threads = prog->threads > 0 && p->state != FP_ZOMBIE ? prog->threads : 1;

	fprintf(fp, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 %llu %llu 0 0 20 0 %d 0 0 0 %llu\n",
		(int)fproc_nr(p, f->cur->pidns), p->comm, state, (int)ppid,
		(int)nr_of_host(f, p->pgid), (int)nr_of_host(f, p->sid), prog->utime_ticks,
		prog->stime_ticks, threads, p->state == FP_ZOMBIE ? 0 : prog->rss_pages);
}

static int proc_target(struct fake *f, const char *path, struct fproc **ret, const char **file)
{
	const char *rest;
	char *end;
	long nr;

	if (strncmp(path, "/proc/", 6) != 0)
		return -ENOENT;
	rest = path + 6;
	if (strncmp(rest, "self/", 5) == 0) {
		*ret = f->cur;
		*file = rest + 5;
		return 0;
	}
	nr = strtol(rest, &end, 10);
	if (end == rest || *end != '/')
		return -ENOENT;
	*ret = fake_proc_find(f, (pid_t)nr);
	*file = end + 1;
	return *ret ? 0 : -ENOENT;
}

/* /proc/<pid>/fdinfo/<fd>: the lines mcz reads — pos, flags, and for an fd whose open file
 * holds an flock the "lock:" line of fs/locks.c (lock_get_status: "1: FLOCK  ADVISORY  WRITE
 * <pid> <maj>:<min>:<ino> 0 EOF"), for a pidfd its "Pid:". */
static int proc_fdinfo(FILE *fp, const struct fproc *p, const char *name)
{
	char *end;
	long fd = strtol(name, &end, 10);
	const struct ffd *d;

	if (end == name || *end || fd < 0 || fd >= FAKE_MAX_FDS || !p->fds || !p->fds[fd].used)
		return -ENOENT;
	d = &p->fds[fd];
	fprintf(fp, "pos:\t%zu\nflags:\t0%o\n", d->off, (unsigned)d->flags);
	if (d->lock) {
		struct stat st;

		/* the device and inode fstat(2) of that fd reports, as the kernel prints them */
		fnode_stat(d->loc.n, &st);
		fprintf(fp, "lock:\t1: FLOCK  ADVISORY  %s %d %02x:%02x:%lu 0 EOF\n",
			d->lock == LOCK_EX ? "WRITE" : "READ ", (int)p->nr[0], major(st.st_dev),
			minor(st.st_dev), (unsigned long)st.st_ino);
	}
	if (d->pidfd)
		fprintf(fp, "Pid:\t%d\n", (int)d->pidfd);
	return 0;
}

int fake_proc_listdir(struct fake *f, const char *path, char *buf, size_t size)
{
	struct fproc *p;
	const char *file;
	size_t used = 0;
	int r = proc_target(f, path, &p, &file);

	if (r < 0)
		return r;
	if (strcmp(file, "fdinfo") != 0 && strcmp(file, "fd") != 0)
		return -ENOENT;
	if (!fproc_alive(p) || !p->fds)
		return 0; /* a zombie's fd directories are empty */
	for (int fd = 0; fd < FAKE_MAX_FDS; fd++) {
		char name[16];

		if (!p->fds[fd].used)
			continue;
		snprintf(name, sizeof(name), "%d", fd);
		if (!fake_list_add(buf, size, &used, 'f', name))
			return -ERANGE;
	}
	return (int)used;
}

static int proc_text(struct fake *f, const char *path, char **ret)
{
	struct fproc *p;
	const char *file;
	size_t len = 0;
	FILE *fp;
	int r = proc_target(f, path, &p, &file);

	if (r < 0)
		return r;
	fp = open_memstream(ret, &len);
	if (!fp)
		abort();
	if (strcmp(file, "stat") == 0)
		proc_stat(fp, f, p);
	else if (strcmp(file, "comm") == 0)
		fprintf(fp, "%s\n", p->comm);
	else if (!fproc_alive(p))
		r = strcmp(file, "cgroup") == 0 || strcmp(file, "mountinfo") == 0 ? 0 : -ENOENT;
	else if (strncmp(file, "fdinfo/", 7) == 0)
		r = proc_fdinfo(fp, p, file + 7);
	else if (strcmp(file, "cgroup") == 0)
		proc_cgroup(fp, f, p);
	else if (strcmp(file, "mountinfo") == 0)
		proc_mountinfo(fp, f, p);
	else
		r = -ENOENT;
	if (fclose(fp) != 0)
		abort();
	return r;
}

/* /proc/<pid>/{stat,comm,cgroup,mountinfo} generated from the model, pids in the reader's
 * pid namespace (the fake does not tell which procfs instance is mounted on /proc). */
int model_proc_read(struct fake *f, const struct sys_call *c)
{
	char *text = NULL;
	int r;

	if (!ARG_STR(c, 0))
		return -EFAULT;
	r = proc_text(f, ARG_STR(c, 0), &text);
	if (r == 0)
		r = give(ARG_OUT(c, 1), c->a[2].u, text);
	free(text);
	return r;
}

/* ---- snapshots ---- */

static void dump_cg(FILE *fp, const struct fake *f, int h, const struct fcg *cg)
{
	if (!cg->parent && cg->subtree) { /* v2 only: a root distributing controllers */
		fprintf(fp, "cgroup %s", f->hier[h].mount_point);
		fcg2_dump(fp, cg);
		fputc('\n', fp);
	}
	if (cg->parent) {
		_cleanup_free_ char *path = fcg_path(cg);
		const char *sep = " procs=";

		fprintf(fp, "cgroup %s%s", f->hier[h].mount_point, path);
		for (size_t i = 0; i < f->nprocs; i++) {
			if (!fproc_alive(f->procs[i]) || f->procs[i]->cg[h] != cg)
				continue;
			fprintf(fp, "%s%d", sep, (int)f->procs[i]->nr[0]);
			sep = ",";
		}
		if (cg->frozen)
			fputs(" frozen", fp);
		fcg2_dump(fp, cg);
		for (size_t i = 0; i < cg->nfiles; i++) {
			fprintf(fp, " %s=", cg->files[i].name);
			for (const char *v = cg->files[i].value; *v; v++)
				fputs(*v == '\n' ? "\\n" : (char[]){ *v, 0 }, fp);
		}
		fputc('\n', fp);
	}
	for (size_t i = 0; i < cg->nkids; i++)
		dump_cg(fp, f, h, cg->kids[i]);
}

void fake_dump_cgroups(FILE *fp, const struct fake *f)
{
	for (int h = 0; h < f->nhier; h++)
		dump_cg(fp, f, h, f->hier[h].root);
}
