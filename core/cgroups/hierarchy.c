/* cgroups.c — see cgroups.h. */
#include <stdio.h>
#include <string.h>

#include "core/cgroups/hierarchy.h"
#include "lib/util.h"

#define PROC_FILE_MAX (256 * 1024)

static int read_proc(struct sys *s, const char *path, char **ret, struct mcz_error *err)
{
	char *buf = mcz_xmalloc(PROC_FILE_MAX);
	int n = sys_proc_read(s, path, buf, PROC_FILE_MAX);

	if (n < 0) {
		free(buf);
		return mcz_error_sys(err, n, SYS_OP_proc_read, path);
	}
	*ret = buf;
	return 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo (proc(5)). */
static char *unescape_octal(const char *s, size_t len)
{
	char *out = mcz_xmalloc(len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len + 1 && s[i + 1] >= '0' && s[i + 1] <= '3') {
			*o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Field i (0-based, space separated) of line, never past its newline; returns its start and
 * length, NULL when the line has fewer fields (a malformed line: found by fuzzing). */
static const char *field(const char *line, int i, size_t *ret_len)
{
	const char *p = line;

	for (; i > 0 && p; i--) {
		p = strpbrk(p, " \n");
		p = p && *p == ' ' ? p + 1 : NULL;
	}
	if (!p)
		return NULL;
	*ret_len = strcspn(p, " \n");
	return p;
}

static bool list_has(const char *list, size_t len, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; p < list + len;) {
		size_t n = strcspn(p, ",");

		if (n > (size_t)(list + len - p))
			n = (size_t)(list + len - p);
		if (n == wl && strncmp(p, word, wl) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/' || n == 1);
}

/* Fields 4 (root) and 5 (mount point) of a mountinfo line. */
static bool mount_and_root(const char *line, char **ret_mount, char **ret_root)
{
	size_t len;
	const char *p = field(line, 3, &len);

	if (!p)
		return false;
	const char *m;
	size_t mlen;

	m = field(line, 4, &mlen);
	if (!m)
		return false;
	*ret_root = unescape_octal(p, len);
	*ret_mount = unescape_octal(m, mlen);
	return true;
}

/* A v1 cgroup mount line with `controller` among its super options: returns mount point and
 * root. Line format: id parent maj:min root mountpoint opts [optional...] - fstype src super */
static bool match_mount(const char *line, const char *controller, char **ret_mount, char **ret_root)
{
	const char *dash = strstr(line, " - ");
	const char *p;
	size_t len;

	if (!dash || strncmp(dash + 3, "cgroup ", 7) != 0)
		return false;
	p = field(dash + 3, 2, &len);
	if (!p || !list_has(p, len, controller))
		return false;
	return mount_and_root(line, ret_mount, ret_root);
}

/* A cgroup2 mount line: returns mount point and root. */
static bool match_v2_mount(const char *line, char **ret_mount, char **ret_root)
{
	const char *dash = strstr(line, " - ");

	return dash && strncmp(dash + 3, "cgroup2 ", 8) == 0 && mount_and_root(line, ret_mount, ret_root);
}

/* "N:controllers:/path" with controller in controllers; controller NULL: the v2 line "0::". */
static char *own_cgroup(const char *text, const char *controller)
{
	for (const char *line = text; *line;) {
		const char *c1 = strchr(line, ':');
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		size_t end = strcspn(line, "\n");
		bool match = c2 && c2 < line + end &&
			     (controller ? list_has(c1 + 1, (size_t)(c2 - c1 - 1), controller)
					 : strncmp(line, "0::", 3) == 0);

		if (match)
			return mcz_xstrndup(c2 + 1, (size_t)(line + end - c2 - 1));
		line += end + (line[end] == '\n');
	}
	return NULL;
}

const char *mcz_cgroup_v2_controller(const char *controller)
{
	if (strcmp(controller, "freezer") == 0 || strcmp(controller, "cpuacct") == 0)
		return NULL;
	return controller;
}

/* A word of a space-separated list (cgroup.controllers, cgroup.subtree_control). */
static bool words_have(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; *p; p += strcspn(p, " \n"), p += strspn(p, " \n"))
		if (strncmp(p, word, n) == 0 && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

/* The first mount at or below `under` that the matcher accepts. */
static void find_mount(const char *mountinfo, const char *under, const char *controller,
		       char **ret_mount, char **ret_root)
{
	char *mount = NULL, *root = NULL;

	for (const char *line = mountinfo; *line; line += strcspn(line, "\n") + 1) {
		bool match = controller ? match_mount(line, controller, &mount, &root)
					: match_v2_mount(line, &mount, &root);

		if (match && path_under(mount, under))
			break;
		free(mount);
		free(root);
		mount = root = NULL;
		if (!line[strcspn(line, "\n")])
			break;
	}
	*ret_mount = mount;
	*ret_root = root;
}

/* Does the cgroup2 hierarchy at `mount` have the v2 controller behind `controller`? */
static int v2_has(struct sys *s, const char *mount, const char *controller, bool *ret,
		  struct mcz_error *err)
{
	const char *v2 = mcz_cgroup_v2_controller(controller);
	_cleanup_free_ char *path = NULL;
	char buf[256];
	int r;

	*ret = true;
	if (!v2)
		return 0;
	path = mcz_xasprintf("%s/cgroup.controllers", mount);
	r = sys_cg_read(s, path, buf, sizeof(buf));
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_read, path);
	*ret = words_have(buf, v2);
	return 0;
}

int mcz_hierarchy_find(struct sys *s, const char *under, const char *controller,
		       struct mcz_hierarchy *ret, struct mcz_error *err)
{
	_cleanup_free_ char *mountinfo = NULL, *cgroup = NULL, *own = NULL;
	char *mount = NULL, *root = NULL;
	bool v2 = false, has = false;
	int r;

	r = read_proc(s, "/proc/self/mountinfo", &mountinfo, err);
	if (r >= 0)
		r = read_proc(s, "/proc/self/cgroup", &cgroup, err);
	if (r < 0)
		return r;
	find_mount(mountinfo, under, controller, &mount, &root);
	if (mount) {
		own = own_cgroup(cgroup, controller);
	} else {
		find_mount(mountinfo, under, NULL, &mount, &root);
		own = mount ? own_cgroup(cgroup, NULL) : NULL;
		v2 = mount != NULL;
	}
	if (mount && own && v2) {
		r = v2_has(s, mount, controller, &has, err);
		if (r < 0)
			goto fail;
		if (!has) {
			r = mcz_error_fmt(err, -ENOENT,
				      "no cgroup v1 '%s' hierarchy under '%s', and the cgroup v2 "
				      "hierarchy '%s' has no '%s' controller",
				      controller, under, mount, mcz_cgroup_v2_controller(controller));
			goto fail;
		}
	}
	if (!mount || !own) {
		r = mcz_error_fmt(err, -ENOENT, "no cgroup v1 '%s' hierarchy under '%s'", controller,
				  under);
		goto fail;
	}
	/* A cgroup namespace or a bind of a sub-cgroup shows a root other than "/": own paths
	 * are relative to the hierarchy's root, the mount shows only what is below `root`. */
	if (strcmp(root, "/") != 0 && path_under(own, root))
		memmove(own, own + strlen(root), strlen(own + strlen(root)) + 1);
	if (own[0] == '\0') {
		/* a new string: own may be the one byte of "" (/proc/self/cgroup said "0::") */
		free(own);
		own = mcz_xstrdup("/");
	}
	free(root);
	ret->mount = mount;
	ret->own = TAKE_PTR(own);
	ret->v2 = v2;
	return 0;
fail:
	free(mount);
	free(root);
	return r;
}

void mcz_hierarchy_done(struct mcz_hierarchy *h)
{
	free(h->mount);
	free(h->own);
	h->mount = h->own = NULL;
}

char *mcz_cgroup_root_path(const struct mcz_hierarchy *h, const char *root)
{
	if (root[0] == '/')
		return mcz_xasprintf("%s%s", h->mount, root);
	return mcz_xasprintf("%s%s/%s", h->mount, strcmp(h->own, "/") == 0 ? "" : h->own, root);
}

char *mcz_cgroup_path(const struct mcz_hierarchy *h, const char *root, const char *id)
{
	_cleanup_free_ char *parent = mcz_cgroup_root_path(h, root);

	return mcz_xasprintf("%s/%s", parent, id);
}

/* ---- creating and removing a container's cgroup ---- */

#define RMDIR_BUDGET_MS 5000 /* SPEC §7: EBUSY retried with backoff for up to 5 s */

/* Where the part of the cgroups root that mcz may create begins: below its own cgroup for a
 * relative root, below the hierarchy's root for an absolute one. */
static size_t root_base_len(const struct mcz_hierarchy *h, const char *cgroups_root)
{
	if (cgroups_root[0] == '/' || strcmp(h->own, "/") == 0)
		return strlen(h->mount);
	return strlen(h->mount) + strlen(h->own);
}

/* mkdir -p of the cgroups root, one level at a time (EEXIST is the common case). */
static int make_root(struct sys *s, const struct mcz_hierarchy *h, const char *cgroups_root,
		     struct mcz_error *err)
{
	_cleanup_free_ char *root = mcz_cgroup_root_path(h, cgroups_root);
	size_t start = root_base_len(h, cgroups_root);
	int r;

	for (char *p = root + start + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		r = sys_cg_mkdir(s, root, 0755);
		if (r < 0 && r != -EEXIST)
			return mcz_error_sys(err, r, SYS_OP_cg_mkdir, root);
		if (last)
			return 0;
		*p = '/';
	}
}

#define LIST_MAX 256 /* cgroup.controllers: "cpuset cpu io memory hugetlb pids rdma misc" */

static int read_list(struct sys *s, const char *dir, const char *name, char *buf,
		     struct mcz_error *err)
{
	_cleanup_free_ char *path = mcz_xasprintf("%s/%s", dir, name);
	int r = sys_cg_read(s, path, buf, LIST_MAX);

	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_read, path);
	return 0;
}

/* `controller` is in the cgroup.subtree_control of `level`: *ret true or false. */
static int enabled_at(struct sys *s, const char *level, const char *controller, bool *ret,
		      struct mcz_error *err)
{
	char buf[LIST_MAX];
	int r = read_list(s, level, "cgroup.subtree_control", buf, err);

	*ret = r >= 0 && words_have(buf, controller);
	return r;
}

/* The level mcz starts from lacks the controller: say why mcz cannot fix that itself. */
static int not_delegated(const struct mcz_hierarchy *h, const char *base, const char *controller,
			 struct mcz_error *err)
{
	if (strcmp(base, h->mount) == 0)
		return mcz_error_fmt(err, -EPERM,
				     "cgroup v2 controller '%s' is not enabled in '%s/cgroup.subtree_control' "
				     "(the hierarchy's root: mcz does not write there)",
				     controller, base);
	return mcz_error_fmt(err, -EPERM,
			     "cgroup v2 controller '%s' is not enabled for the children of mcz's own "
			     "cgroup '%s' (its cgroup.subtree_control): v2 allows that only in a cgroup "
			     "without processes, and mcz runs in it; run mcz in a leaf cgroup and give an "
			     "absolute --cgroups_root below a cgroup delegated to it",
			     controller, h->own);
}

int mcz_cgroup_delegated(struct sys *s, const struct mcz_hierarchy *h, const char *cgroups_root,
			 const char *controller, struct mcz_error *err)
{
	_cleanup_free_ char *root = mcz_cgroup_root_path(h, cgroups_root);
	bool on;
	int r;

	root[root_base_len(h, cgroups_root)] = '\0';
	r = enabled_at(s, root, controller, &on, err);
	if (r >= 0 && !on)
		r = not_delegated(h, root, controller, err);
	return r;
}

int mcz_cgroup_enable(struct sys *s, const struct mcz_hierarchy *h, const char *cgroups_root,
		      const char *controller, struct mcz_error *err)
{
	_cleanup_free_ char *root = mcz_cgroup_root_path(h, cgroups_root);
	_cleanup_free_ char *plus = mcz_xasprintf("+%s", controller);
	size_t base = root_base_len(h, cgroups_root);
	bool on;
	int r = mcz_cgroup_delegated(s, h, cgroups_root, controller, err);

	/* The levels of the cgroups root are mcz's: enable it where it is missing. */
	for (char *p = root + base + 1; r >= 0; p++) {
		_cleanup_free_ char *path = NULL;
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		r = enabled_at(s, root, controller, &on, err);
		if (r >= 0 && !on) {
			path = mcz_xasprintf("%s/cgroup.subtree_control", root);
			r = sys_cg_write(s, path, plus);
			if (r < 0)
				r = mcz_error_sys(err, r, SYS_OP_cg_write, path);
		}
		if (last)
			break;
		*p = '/';
	}
	return r;
}

int mcz_cgroup_create(struct sys *s, const struct mcz_hierarchy *h, const char *root,
		      const char *id, const char *what, const char *v2_controller, char **ret_path,
		      struct mcz_error *err)
{
	int r = 0;

	*ret_path = mcz_cgroup_path(h, root, id);
	for (int attempt = 0; attempt < 3; attempt++) {
		r = make_root(s, h, root, err);
		if (r >= 0 && v2_controller)
			r = mcz_cgroup_enable(s, h, root, v2_controller, err);
		if (r < 0)
			return r;
		r = sys_cg_mkdir(s, *ret_path, 0755);
		if (r != -ENOENT)
			break;
	}
	if (r == -EEXIST) {
		mcz_error_sys_msg(err, r, SYS_OP_cg_mkdir, *ret_path,
				  "%s cgroup '%s' already exists (run 'mcz recover')", what, *ret_path);
		free(*ret_path);
		*ret_path = NULL; /* not ours: never remove it */
		return r;
	}
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_mkdir, *ret_path);
	return 0;
}

/* rmdir of a cgroup whose last task just died can see EBUSY for a moment (the kernel
 * releases the css asynchronously): retry with doubling sleeps within the budget. */
int mcz_cgroup_remove(struct sys *s, const char *path, struct mcz_error *err)
{
	int slept = 0, nap = 10, r;

	for (;;) {
		r = sys_cg_rmdir(s, path);
		if (r == 0 || r == -ENOENT)
			return 0;
		if (r != -EBUSY || slept >= RMDIR_BUDGET_MS)
			return mcz_error_sys(err, r, SYS_OP_cg_rmdir, path);
		(void)sys_nanosleep(s, nap);
		slept += nap;
		nap = nap * 2 > 500 ? 500 : nap * 2;
	}
}

/* A level other containers still use (EBUSY, ENOTEMPTY) stays, and so does everything above
 * it. Empty parents must not pile up (runc and crun leave them behind). */
int mcz_cgroup_remove_root(struct sys *s, const struct mcz_hierarchy *h, const char *cgroups_root,
			   struct mcz_error *err)
{
	_cleanup_free_ char *root = mcz_cgroup_root_path(h, cgroups_root);
	size_t base = root_base_len(h, cgroups_root);

	/* The parents of an absolute root are the operator's (a delegated cgroup, say): only
	 * its last level is mcz's to remove. */
	if (cgroups_root[0] == '/')
		base = (size_t)(strrchr(root, '/') - root);
	while (strlen(root) > base) {
		int r = sys_cg_rmdir(s, root);

		if (r == -EBUSY) {
			/* In use by another container, or still releasing the child cgroup just
			 * removed (asynchronous in the kernel): one more try tells them apart. */
			(void)sys_nanosleep(s, 10);
			r = sys_cg_rmdir(s, root);
		}
		if (r == -EBUSY || r == -ENOTEMPTY)
			return 1; /* in use: not an error, but not all gone either */
		if (r < 0 && r != -ENOENT)
			return mcz_error_sys(err, r, SYS_OP_cg_rmdir, root);
		*strrchr(root, '/') = '\0';
	}
	return 0;
}
