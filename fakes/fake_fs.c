/*
 * fake_fs.c — the fake's filesystem model: nodes, mounts and the path walk.
 *
 * The walk follows path_resolution(7) and fs/namei.c: a location is a (mount, node) pair like
 * the kernel's struct path, so bind mounts, ".." across mount roots and /proc/self/fd/N
 * magic links behave as they do on Linux.
 */
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "fakes/fake_impl.h"

#define RESOLVE_KNOWN                                                                           \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |      \
	 RESOLVE_IN_ROOT | RESOLVE_CACHED)
#define RESOLVE_SCOPED (RESOLVE_BENEATH | RESOLVE_IN_ROOT)

/* ---- nodes ---- */

struct fnode *fnode_new(struct fake *f, enum fnode_kind kind, mode_t mode, uid_t uid, gid_t gid)
{
	struct fnode *n = mcz_xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->mode = mode & 07777;
	n->uid = uid;
	n->gid = gid;
	n->ino = f->next_ino++;
	return n;
}

static size_t child_pos(const struct fnode *dir, const char *name, bool *found)
{
	size_t lo = 0, hi = dir->nkids;

	*found = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(dir->kids[mid]->name, name);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct fnode *fnode_child(const struct fnode *dir, const char *name)
{
	bool found;
	size_t i;

	if (dir->kind != FN_DIR)
		return NULL;
	i = child_pos(dir, name, &found);
	return found ? dir->kids[i] : NULL;
}

void fnode_attach(struct fnode *dir, struct fnode *n, const char *name)
{
	bool found;
	size_t i = child_pos(dir, name, &found);

	if (dir->nkids == dir->kcap) {
		dir->kcap = dir->kcap ? dir->kcap * 2 : 4;
		dir->kids = mcz_xrealloc(dir->kids, dir->kcap * sizeof(*dir->kids));
	}
	memmove(dir->kids + i + 1, dir->kids + i, (dir->nkids - i) * sizeof(*dir->kids));
	dir->kids[i] = n;
	dir->nkids++;
	n->name = mcz_xstrdup(name);
	n->parent = dir;
}

/* An unlinked inode lives on while an fd or a mount holds it (unlink(2)); the fake simply
 * keeps every unlinked node until fake_free. */
void fnode_unlink(struct fake *f, struct fnode *n)
{
	struct fnode *dir = n->parent;
	bool found;
	size_t i = child_pos(dir, n->name, &found);

	memmove(dir->kids + i, dir->kids + i + 1, (dir->nkids - i - 1) * sizeof(*dir->kids));
	dir->nkids--;
	n->parent = NULL;
	n->dead = true;
	n->next_dead = f->dead;
	f->dead = n;
}

static void fnode_free(struct fnode *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		fnode_free(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->target);
	free(n->data);
	free(n);
}

void fnode_free_all(struct fake *f)
{
	fnode_free(f->root);
	while (f->dead) {
		struct fnode *n = f->dead;
		f->dead = n->next_dead;
		fnode_free(n);
	}
}

void fnode_stat(const struct fnode *n, struct stat *st)
{
	static const mode_t types[] = {
		[FN_DIR] = S_IFDIR, [FN_REG] = S_IFREG, [FN_LNK] = S_IFLNK, [FN_FIFO] = S_IFIFO,
	};

	memset(st, 0, sizeof(*st));
	st->st_mode = types[n->kind] | n->mode;
	st->st_uid = n->uid;
	st->st_gid = n->gid;
	st->st_ino = n->ino;
	st->st_dev = 1;
	st->st_nlink = n->dead ? 0 : (n->kind == FN_REG && n->nlink > 1) ? n->nlink : 1;
	st->st_blksize = 4096;
	/* lstat(2): a symlink's size is the length of its target, which readlink callers use. */
	if (n->kind == FN_LNK)
		st->st_size = (off_t)strlen(n->target);
	else
		st->st_size = (off_t)n->size;
}

static bool fnode_under(const struct fnode *n, const struct fnode *top)
{
	for (; n; n = n->parent)
		if (n == top)
			return true;
	return false;
}

/* ---- mounts ---- */

struct loc fake_root_loc(const struct fake *f)
{
	return (struct loc){ .n = f->root, .m = f->mounts[0] };
}

bool fnode_is_mountpoint(const struct fake *f, const struct fnode *n)
{
	for (size_t i = 1; i < f->nmounts; i++)
		if (f->mounts[i]->attached && f->mounts[i]->mountpoint == n)
			return true;
	return false;
}

static struct fmount *mount_on(const struct fake *f, const struct loc *l)
{
	for (size_t i = f->nmounts; i-- > 1;) {
		struct fmount *m = f->mounts[i];
		if (m->attached && m->parent == l->m && m->mountpoint == l->n)
			return m;
	}
	return NULL;
}

int fake_cross_mounts(struct fake *f, struct loc *l, uint64_t resolve)
{
	struct fmount *m;

	while ((m = mount_on(f, l))) {
		if (resolve & RESOLVE_NO_XDEV)
			return -EXDEV;
		l->m = m;
		l->n = m->root;
	}
	return 0;
}

static void mount_table_push(struct fake *f, struct fmount *m)
{
	if (f->nmounts == f->mcap) {
		f->mcap = f->mcap ? f->mcap * 2 : 8;
		f->mounts = mcz_xrealloc(f->mounts, f->mcap * sizeof(*f->mounts));
	}
	f->mounts[f->nmounts++] = m;
}

static struct fmount *fmount_new(struct fake *f, struct fmount *parent, struct fnode *mountpoint,
				 struct fnode *root, unsigned long flags, const char *source)
{
	struct fmount *m = mcz_xcalloc(1, sizeof(*m));

	m->parent = parent;
	m->mountpoint = mountpoint;
	m->root = root;
	m->flags = flags & FAKE_MNT_FLAGS;
	m->prop = MS_PRIVATE;
	m->attached = true;
	m->source = mcz_xstrdup(source);
	m->id = ++f->next_mnt_id;
	mount_table_push(f, m);
	return m;
}

/* A new mount goes on top of whatever is already mounted there (lock_mount() in
 * fs/namespace.c), so path lookups see the newest one. */
struct fmount *fmount_add(struct fake *f, struct loc at, struct fnode *root, unsigned long flags,
			  const char *source)
{
	fake_cross_mounts(f, &at, 0);
	return fmount_new(f, at.m, at.n, root, flags, source);
}

/* MS_BIND|MS_REC copies the submounts below the source too (copy_tree()). Only mounts that
 * existed before this call (index < limit) are copied, so binding a tree into itself ends. */
void fmount_clone_tree(struct fake *f, struct loc src, struct fmount *dst, size_t limit)
{
	for (size_t i = 1; i < limit; i++) {
		struct fmount *c = f->mounts[i], *copy;

		if (!c->attached || c->parent != src.m || !fnode_under(c->mountpoint, src.n))
			continue;
		copy = fmount_new(f, dst, c->mountpoint, c->root, c->flags, c->source);
		copy->bind = c->bind;
		copy->dev = c->dev;
		copy->fstype = c->fstype ? mcz_xstrdup(c->fstype) : NULL;
		copy->super_opts = c->super_opts ? mcz_xstrdup(c->super_opts) : NULL;
		copy->nsfs = c->nsfs;
		fmount_clone_tree(f, (struct loc){ .n = c->root, .m = c }, copy, limit);
	}
}

/* open_detached_copy(): the copy is made in the caller's table as a bind would be, then
 * moved out into an anonymous namespace of its own, where no lookup from "/" sees it. Its
 * submounts are not crossed by walks below the tree's fd (only the root is modelled for
 * lookups; mount_setattr(AT_RECURSIVE) and move_mount() do take them along). */
struct fmount *fmount_clone_detached(struct fake *f, struct loc src, bool recursive)
{
	size_t limit = f->nmounts;
	_cleanup_free_ char *path = loc_path(&src);
	struct fmntns *ns = mcz_xcalloc(1, sizeof(*ns));
	struct fmount *m = fmount_new(f, NULL, NULL, src.n, src.m->flags, path);

	m->bind = true;
	m->dev = src.m->dev;
	m->fstype = src.m->fstype ? mcz_xstrdup(src.m->fstype) : NULL;
	m->super_opts = src.m->super_opts ? mcz_xstrdup(src.m->super_opts) : NULL;
	m->nsfs = src.m->nsfs;
	if (recursive)
		fmount_clone_tree(f, src, m, limit);
	ns->id = (unsigned int)-1;
	ns->nmounts = ns->mcap = f->nmounts - limit;
	ns->mounts = mcz_xcalloc(ns->mcap, sizeof(*ns->mounts));
	memcpy(ns->mounts, f->mounts + limit, ns->nmounts * sizeof(*ns->mounts));
	f->nmounts = limit;
	for (size_t i = 0; i < ns->nmounts; i++)
		ns->mounts[i]->anon = ns;
	f->anons = mcz_xrealloc(f->anons, (f->nanons + 1) * sizeof(*f->anons));
	f->anons[f->nanons++] = ns;
	return m;
}

/* attach_recursive_mnt(): the tree goes on top of whatever is mounted at `at`; its mounts
 * join the current namespace's table (root first: parents before children). */
void fmount_attach_tree(struct fake *f, struct fmount *root, struct loc at)
{
	struct fmntns *ns = root->anon;

	fake_cross_mounts(f, &at, 0);
	root->parent = at.m;
	root->mountpoint = at.n;
	for (size_t i = 0; i < ns->nmounts; i++) {
		ns->mounts[i]->anon = NULL;
		mount_table_push(f, ns->mounts[i]);
	}
	ns->nmounts = 0;
}

/* ---- mount namespaces ---- */

static struct fmount *fmount_copy(struct fake *f, const struct fmount *m, struct fmount *parent)
{
	struct fmount *c = mcz_xcalloc(1, sizeof(*c));

	*c = *m;
	c->parent = parent;
	c->source = mcz_xstrdup(m->source);
	c->fstype = m->fstype ? mcz_xstrdup(m->fstype) : NULL;
	c->super_opts = m->super_opts ? mcz_xstrdup(m->super_opts) : NULL;
	c->id = ++f->next_mnt_id;
	return c;
}

/* copy_mnt_ns(): every attached mount is copied with its place in the tree; the caller's
 * working directory moves to the copy of its mount (so does its root). src is the current
 * namespace, whose table is in struct fake. */
struct fmntns *fmntns_clone(struct fake *f, const struct fmntns *src, struct loc *cwd)
{
	struct fmntns *ns = mcz_xcalloc(1, sizeof(*ns));
	struct fmount **map = mcz_xcalloc(f->nmounts, sizeof(*map));

	(void)src;
	ns->id = (unsigned int)f->nmntnss;
	ns->mcap = f->nmounts;
	ns->mounts = mcz_xcalloc(ns->mcap, sizeof(*ns->mounts));
	for (size_t i = 0; i < f->nmounts; i++) {
		const struct fmount *m = f->mounts[i];
		struct fmount *parent = NULL;

		if (i > 0 && !m->attached)
			continue;
		/* Parents come before their children in the table: they were mounted first. */
		for (size_t j = 0; j < i && m->parent; j++)
			if (f->mounts[j] == m->parent)
				parent = map[j];
		map[i] = fmount_copy(f, m, parent);
		ns->mounts[ns->nmounts++] = map[i];
		if (cwd && cwd->m == m)
			cwd->m = map[i];
	}
	free(map);
	f->mntnss = mcz_xrealloc(f->mntnss, (f->nmntnss + 1) * sizeof(*f->mntnss));
	f->mntnss[f->nmntnss++] = ns;
	return ns;
}

void fmntns_free(struct fmntns *ns)
{
	for (size_t i = 0; i < ns->nmounts; i++) {
		free(ns->mounts[i]->source);
		free(ns->mounts[i]->fstype);
		free(ns->mounts[i]->super_opts);
		free(ns->mounts[i]);
	}
	free(ns->mounts);
	free(ns);
}

/* ---- the path walk ---- */

struct walker {
	struct fake *f;
	struct loc base; /* the dirfd, the scope of RESOLVE_BENEATH and RESOLVE_IN_ROOT */
	uint64_t resolve;
	int nlinks;
};

static bool loc_eq(const struct loc *a, const struct loc *b)
{
	return a->n == b->n && a->m == b->m;
}

static int walk_final(struct walker *w, const char *path, struct loc start, unsigned int how,
		      struct loc *ret);

/* An absolute path (or symlink target) restarts at "/": refused beneath a dirfd, the dirfd
 * itself with RESOLVE_IN_ROOT (openat2(2)). */
static int jump_root(struct walker *w, struct loc *cur)
{
	if (w->resolve & RESOLVE_BENEATH)
		return -EXDEV;
	*cur = (w->resolve & RESOLVE_IN_ROOT) ? w->base : fake_root_loc(w->f);
	return 0;
}

static int dotdot(struct walker *w, struct loc *cur)
{
	struct loc root = fake_root_loc(w->f);

	if ((w->resolve & RESOLVE_SCOPED) && loc_eq(cur, &w->base))
		return (w->resolve & RESOLVE_BENEATH) ? -EXDEV : 0;
	if (loc_eq(cur, &root))
		return 0; /* "/.." is "/" */
	if (cur->n->dead)
		return -ENOENT;
	/* From a mount's root, ".." leaves through its mount point (follow_dotdot()). */
	while (cur->n == cur->m->root && cur->m->parent) {
		if (w->resolve & RESOLVE_NO_XDEV)
			return -EXDEV;
		cur->n = cur->m->mountpoint;
		cur->m = cur->m->parent;
		if (loc_eq(cur, &root) || ((w->resolve & RESOLVE_SCOPED) && loc_eq(cur, &w->base)))
			return dotdot(w, cur);
	}
	if (cur->n->parent)
		cur->n = cur->n->parent;
	return fake_cross_mounts(w->f, cur, w->resolve);
}

static int follow_link(struct walker *w, struct loc dir, const struct fnode *link, struct loc *ret)
{
	if (w->resolve & RESOLVE_NO_SYMLINKS)
		return -ELOOP;
	if (++w->nlinks > FAKE_MAXSYMLINKS)
		return -ELOOP;
	if (!link->target[0])
		return -ENOENT;
	return walk_final(w, link->target, dir, LOOKUP_FOLLOW, ret);
}

/* /proc/self/fd/N is a magic link: it jumps to what fd N refers to (proc(5)), including
 * O_PATH fds. RESOLVE_NO_SYMLINKS implies RESOLVE_NO_MAGICLINKS (openat2(2)). */
static int follow_magic(struct walker *w)
{
	if (w->resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS))
		return -ELOOP;
	if (++w->nlinks > FAKE_MAXSYMLINKS)
		return -ELOOP;
	return 0;
}

/* After a leading "/", does the path name /proc/self/fd/N? Then *pp moves past N. */
static int match_magic(struct walker *w, const char **pp, struct loc *ret)
{
	const char *p = *pp + strspn(*pp, "/");
	const char *rest;
	struct ffd *d;
	int fd;

	if (w->resolve & RESOLVE_IN_ROOT)
		return 0;
	/* p - 1 is the '/' just before p: the leading one or the last of a run of them. */
	fd = sys_proc_fd_path(p - 1, &rest);
	if (fd < 0)
		return 0;
	d = fake_fd(w->f, fd);
	if (!d)
		return -ENOENT;
	*ret = d->loc;
	*pp = rest;
	return 1;
}

static int step(struct walker *w, struct loc *cur, const char *name)
{
	struct fnode *child;
	struct loc l;
	int r;

	if (strcmp(name, ".") == 0)
		return 0;
	if (strcmp(name, "..") == 0)
		return dotdot(w, cur);
	child = fnode_child(cur->n, name);
	if (!child)
		return -ENOENT;
	l = (struct loc){ .n = child, .m = cur->m };
	r = fake_cross_mounts(w->f, &l, w->resolve);
	if (r < 0)
		return r;
	if (l.n->kind == FN_LNK)
		return follow_link(w, *cur, l.n, cur);
	*cur = l;
	return 0;
}

static void set_last(struct last *lk, struct loc dir, const char *name, size_t n, bool slash)
{
	lk->dir = dir;
	memcpy(lk->name, name, n);
	lk->name[n] = '\0';
	lk->slash = slash;
	if (n == 0)
		lk->type = LAST_ROOT;
	else if (strcmp(lk->name, ".") == 0)
		lk->type = LAST_DOT;
	else if (strcmp(lk->name, "..") == 0)
		lk->type = LAST_DOTDOT;
	else
		lk->type = LAST_NORM;
}

/* Walk every component but the last (path_parentat()). */
static int walk_parent(struct walker *w, const char *path, struct loc start, struct last *ret)
{
	struct loc cur = start;
	const char *p = path;
	int r;

	if (!*p)
		return -ENOENT;
	if (strlen(p) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (*p == '/') {
		r = jump_root(w, &cur);
		if (r < 0)
			return r;
		r = match_magic(w, &p, &ret->magic);
		if (r < 0)
			return r;
		if (r > 0 && !p[strspn(p, "/")]) {
			set_last(ret, cur, "", 0, *p == '/');
			ret->type = LAST_MAGIC;
			return 0;
		}
		if (r > 0) {
			r = follow_magic(w);
			if (r < 0)
				return r;
			cur = ret->magic;
			if (cur.n->kind != FN_DIR)
				return -ENOTDIR;
		}
	}
	for (;;) {
		char name[NAME_MAX + 1];
		size_t n;
		const char *next;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		next = p + n;
		if (!next[strspn(next, "/")]) {
			set_last(ret, cur, p, n, *next == '/');
			return 0;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		r = step(w, &cur, name);
		if (r < 0)
			return r;
		if (cur.n->kind != FN_DIR)
			return -ENOTDIR;
		p = next;
	}
}

/* The child a LAST_NORM names, with mounts on it crossed; the symlink itself if it is one. */
static int last_child(struct walker *w, const struct last *lk, struct loc *ret)
{
	struct fnode *child = fnode_child(lk->dir.n, lk->name);

	if (!child)
		return -ENOENT;
	*ret = (struct loc){ .n = child, .m = lk->dir.m };
	return fake_cross_mounts(w->f, ret, w->resolve);
}

/* Resolve the last component. A trailing slash follows a final symlink and requires a
 * directory (path_resolution(7)). */
static int resolve_last(struct walker *w, const struct last *lk, unsigned int how, struct loc *ret)
{
	bool follow = (how & LOOKUP_FOLLOW) || lk->slash;
	int r = 0;

	switch (lk->type) {
	case LAST_ROOT:
	case LAST_DOT:
		*ret = lk->dir;
		return 0;
	case LAST_DOTDOT:
		*ret = lk->dir;
		return dotdot(w, ret);
	case LAST_MAGIC:
		/* The magic link's own proc inode is not modelled. */
		if (!follow)
			return -ELOOP;
		r = follow_magic(w);
		*ret = lk->magic;
		break;
	case LAST_NORM:
		r = last_child(w, lk, ret);
		if (r == 0 && ret->n->kind == FN_LNK && follow)
			r = follow_link(w, lk->dir, ret->n, ret);
		break;
	}
	if (r == 0 && lk->slash && ret->n->kind != FN_DIR)
		r = -ENOTDIR;
	return r;
}

static int walk_final(struct walker *w, const char *path, struct loc start, unsigned int how,
		      struct loc *ret)
{
	struct last lk;
	int r = walk_parent(w, path, start, &lk);

	return r < 0 ? r : resolve_last(w, &lk, how, ret);
}

/* Set up a walk: the starting point is the dirfd unless the path is absolute (then the
 * dirfd is not even looked at, as in path_init()). */
static int walk_init(struct fake *f, struct walker *w, int dirfd, const char *path, uint64_t resolve)
{
	struct ffd *d;

	*w = (struct walker){ .f = f, .base = fake_root_loc(f), .resolve = resolve };
	if (!path)
		return -EFAULT;
	if (resolve & ~(uint64_t)RESOLVE_KNOWN)
		return -EINVAL;
	if ((resolve & RESOLVE_SCOPED) == RESOLVE_SCOPED)
		return -EINVAL;
	if (path[0] == '/' && !(resolve & RESOLVE_IN_ROOT))
		return 0;
	if (dirfd == AT_FDCWD) {
		/* Relative to the calling process's working directory (path_init()). */
		if (f->cur)
			w->base = f->cur->cwd;
		return 0;
	}
	d = fake_fd(f, dirfd);
	if (!d)
		return -EBADF;
	w->base = d->loc;
	if (path[0] && d->loc.n->kind != FN_DIR)
		return -ENOTDIR;
	return 0;
}

int fake_lookup(struct fake *f, int dirfd, const char *path, unsigned int how, uint64_t resolve,
		struct loc *ret)
{
	struct walker w;
	int r = walk_init(f, &w, dirfd, path, resolve);

	if (r < 0)
		return r;
	if (!path[0]) {
		if (!(how & LOOKUP_EMPTY))
			return -ENOENT;
		*ret = w.base;
		return 0;
	}
	return walk_final(&w, path, w.base, how, ret);
}

/* For calls that create or remove the last component. With LOOKUP_FOLLOW an existing final
 * symlink is followed to the name its target gives (open(2) O_CREAT through a dangling
 * symlink creates the target). */
int fake_lookup_last(struct fake *f, int dirfd, const char *path, unsigned int how,
		     uint64_t resolve, struct last *ret)
{
	struct walker w;
	struct loc l;
	int r = walk_init(f, &w, dirfd, path, resolve);

	if (r < 0)
		return r;
	r = walk_parent(&w, path, w.base, ret);
	while (r == 0 && (how & LOOKUP_FOLLOW)) {
		if (ret->type == LAST_MAGIC)
			return follow_magic(&w);
		if (ret->type != LAST_NORM || last_child(&w, ret, &l) < 0 || l.n->kind != FN_LNK)
			break;
		if (resolve & RESOLVE_NO_SYMLINKS)
			return -ELOOP;
		if (++w.nlinks > FAKE_MAXSYMLINKS)
			return -ELOOP;
		if (!l.n->target[0])
			return -ENOENT;
		r = walk_parent(&w, l.n->target, ret->dir, ret);
	}
	return r;
}

int fake_last_child(struct fake *f, const struct last *lk, struct loc *ret)
{
	struct walker w = { .f = f };

	return last_child(&w, lk, ret);
}

/* d_path(): the path of a location as seen from "/", through the mount tree. */
char *loc_path(const struct loc *at)
{
	const struct fnode *parts[PATH_MAX / 2];
	size_t n = 0;
	struct loc l = *at;
	char *s = NULL;
	size_t len = 0;
	FILE *fp;

	for (;;) {
		while (l.n != l.m->root && l.n->parent && n < MCZ_ARRAY_SIZE(parts)) {
			parts[n++] = l.n;
			l.n = l.n->parent;
		}
		if (!l.m->parent || l.n != l.m->root)
			break;
		l = (struct loc){ .n = l.m->mountpoint, .m = l.m->parent };
	}
	if (l.n != l.m->root && n < MCZ_ARRAY_SIZE(parts))
		parts[n++] = l.n; /* an unlinked node: only its own name is left */
	fp = open_memstream(&s, &len);
	if (!fp)
		abort();
	if (!n)
		fputc('/', fp);
	while (n)
		fprintf(fp, "/%s", parts[--n]->name);
	if (at->n->dead)
		fputs(" (deleted)", fp); /* as d_path() says it */
	if (fclose(fp) != 0)
		abort();
	return s;
}

/* ---- building the world ---- */

static int add_node(struct fake *f, const char *path, enum fnode_kind kind, mode_t mode, uid_t uid,
		    gid_t gid, const char *target)
{
	struct walker w = { .f = f, .base = fake_root_loc(f) };
	struct loc cur = w.base;
	const char *p = path;
	char name[NAME_MAX + 1];
	struct fnode *n;

	if (path[0] != '/')
		return -EINVAL;
	if (target && strlen(target) >= PATH_MAX)
		return -ENAMETOOLONG;
	for (;;) {
		size_t len;
		int r;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		if (!p[strspn(p, "/")])
			break;
		if (strcmp(name, ".") && strcmp(name, "..") && !fnode_child(cur.n, name))
			fnode_attach(cur.n, fnode_new(f, FN_DIR, 0755, 0, 0), name);
		r = step(&w, &cur, name);
		if (r < 0)
			return r;
		if (cur.n->kind != FN_DIR)
			return -ENOTDIR;
	}
	if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || fnode_child(cur.n, name))
		return -EEXIST;
	n = fnode_new(f, kind, mode, uid, gid);
	if (target)
		n->target = mcz_xstrdup(target);
	fnode_attach(cur.n, n, name);
	return 0;
}

int fake_add_dir(struct fake *f, const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	return add_node(f, path, FN_DIR, mode, uid, gid, NULL);
}

int fake_add_file(struct fake *f, const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	return add_node(f, path, FN_REG, mode, uid, gid, NULL);
}

int fake_add_file_data(struct fake *f, const char *path, mode_t mode, uid_t uid, gid_t gid,
		       const char *data)
{
	struct loc l;
	int r = add_node(f, path, FN_REG, mode, uid, gid, NULL);

	if (r >= 0)
		r = fake_lookup(f, AT_FDCWD, path, 0, 0, &l);
	if (r < 0)
		return r;
	free(l.n->data);
	l.n->data = mcz_xstrdup(data);
	l.n->size = strlen(data);
	return 0;
}

int fake_add_symlink(struct fake *f, const char *path, const char *target)
{
	return add_node(f, path, FN_LNK, 0777, 0, 0, target);
}

int fake_add_mount(struct fake *f, const char *path, unsigned long flags)
{
	struct fmount *m;
	struct loc l;
	int r = fake_lookup(f, AT_FDCWD, path, LOOKUP_FOLLOW, 0, &l);

	if (r < 0)
		return r;
	m = fmount_add(f, l, l.n, flags, path);
	m->dev = ++f->next_dev;
	return 0;
}

int fake_set_nlink(struct fake *f, const char *path, unsigned int nlink)
{
	struct loc l;
	int r = fake_lookup(f, AT_FDCWD, path, 0, 0, &l);

	if (r < 0)
		return r;
	if (l.n->kind != FN_REG || nlink == 0)
		return -EINVAL;
	l.n->nlink = nlink;
	return 0;
}

void fake_set_umask(struct fake *f, mode_t mask)
{
	f->umask = mask & 0777;
}

int fake_lstat(struct fake *f, const char *path, struct stat *ret_st)
{
	struct loc l;
	int r = fake_lookup(f, AT_FDCWD, path, 0, 0, &l);

	if (r < 0)
		return r;
	fnode_stat(l.n, ret_st);
	return 0;
}

/* ---- snapshots ---- */

static bool path_at_or_below(const char *path, const char *top)
{
	size_t n = strlen(top);

	if (strcmp(top, "/") == 0)
		return true;
	return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void dump_node(FILE *fp, const struct fnode *n, const char *path, const char *top)
{
	static const char kinds[] = { [FN_DIR] = 'd', [FN_REG] = 'f', [FN_LNK] = 'l', [FN_FIFO] = 'p' };

	if (path_at_or_below(path, top)) {
		fprintf(fp, "%c 0%03o %u:%u %s", kinds[n->kind], (unsigned int)n->mode,
			(unsigned int)n->uid, (unsigned int)n->gid, path);
		if (n->kind == FN_LNK)
			fprintf(fp, " -> %s", n->target);
		if (n->size)
			fprintf(fp, " size=%zu", n->size);
		fputc('\n', fp);
	}
	for (size_t i = 0; i < n->nkids; i++) {
		char *child = mcz_xasprintf("%s/%s", strcmp(path, "/") ? path : "", n->kids[i]->name);
		dump_node(fp, n->kids[i], child, top);
		free(child);
	}
}

struct mount_line {
	char *path;
	char *text;
	size_t order;
};

static int mount_line_cmp(const void *a, const void *b)
{
	const struct mount_line *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->order < y->order ? -1 : 1;
}

static const char *prop_name(unsigned long prop)
{
	switch (prop) {
	case MS_SHARED: return "shared";
	case MS_SLAVE: return "slave";
	case MS_UNBINDABLE: return "unbindable";
	default: return NULL;
	}
}

void fake_dump_mount_table(FILE *fp, const struct fake *f, struct fmount **mounts, size_t nm,
			   const char *prefix)
{
	struct mount_line *lines = mcz_xcalloc(nm ? nm : 1, sizeof(*lines));
	size_t n = 0;

	(void)f;
	for (size_t i = 0; i < nm; i++) {
		const struct fmount *m = mounts[i];
		struct loc l = { .n = m->root, .m = (struct fmount *)m };
		char *flags;
		const char *prop = prop_name(m->prop);

		if (!m->attached || (i == 0 && !prop && !m->flags))
			continue;
		flags = sys_mount_flags_name(m->flags | (m->bind ? MS_BIND : 0));
		lines[n].path = loc_path(&l);
		lines[n].text = mcz_xasprintf("%smount %s flags=%s source=%s%s%s\n", prefix,
					      lines[n].path, flags, m->source, prop ? " prop=" : "",
					      prop ? prop : "");
		lines[n].order = i;
		n++;
		free(flags);
	}
	qsort(lines, n, sizeof(*lines), mount_line_cmp);
	for (size_t i = 0; i < n; i++) {
		fputs(lines[i].text, fp);
		free(lines[i].text);
		free(lines[i].path);
	}
	free(lines);
}

/* The mount namespaces other than the host's that a live process is in. */
static void dump_other_mntns(FILE *fp, const struct fake *f)
{
	for (size_t i = 1; i < f->nmntnss; i++) {
		const struct fmntns *ns = f->mntnss[i];
		bool used = false;
		char prefix[32];

		for (size_t p = 0; p < f->nprocs; p++)
			used |= f->procs[p]->mntns == ns && fproc_alive(f->procs[p]);
		if (!used)
			continue;
		snprintf(prefix, sizeof(prefix), "mntns %u ", ns->id);
		/* The current namespace's table lives in struct fake while it is current. */
		if (f->cur && f->cur->mntns == ns)
			fake_dump_mount_table(fp, f, f->mounts, f->nmounts, prefix);
		else
			fake_dump_mount_table(fp, f, ns->mounts, ns->nmounts, prefix);
	}
}

char *fake_snapshot_under(const struct fake *f, const char *path)
{
	char *top = sys_path_join("/", path);
	char *s = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&s, &len);

	const struct fmntns *host = f->mntnss[0];
	const struct ffd *fds = f->procs[0]->fds;

	if (!fp)
		abort();
	dump_node(fp, f->root, "/", top);
	if (f->cur->mntns == host)
		fake_dump_mount_table(fp, f, f->mounts, f->nmounts, "");
	else
		fake_dump_mount_table(fp, f, host->mounts, host->nmounts, "");
	for (int i = 0; fds && i < FAKE_MAX_FDS; i++)
		if (fds[i].used)
			fprintf(fp, "fd %d %s\n", i, fds[i].path);
	fake_dump_procs(fp, f);
	fake_dump_cgroups(fp, f);
	dump_other_mntns(fp, f);
	if (fclose(fp) != 0)
		abort();
	free(top);
	return s;
}

char *fake_snapshot(const struct fake *f)
{
	return fake_snapshot_under(f, "/");
}
