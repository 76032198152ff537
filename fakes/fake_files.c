/*
 * fake_files.c — the file ops added with the process work: read, write, renameat, flock,
 * chdir, mount_setattr. Same rules as fake_ops.c: each handler cites what it models.
 */
#include <string.h>
#include <sys/file.h>

#include "lib/util.h"
#include "fakes/fake_impl.h"

#define ARG_INT(c, n) ((int)(c)->a[n].i)
#define ARG_STR(c, n) ((const char *)(c)->a[n].p)

bool mount_in_ns(const struct fake *f, const struct fmount *m)
{
	for (size_t i = 0; i < f->nmounts; i++)
		if (f->mounts[i] == m)
			return m->attached || i == 0;
	return false;
}

/* ---- read(2), write(2) ---- */

/* An fd that can move data: O_PATH fds and the wrong access mode are EBADF (open(2)
 * O_PATH, read(2)/write(2) EBADF "not open for reading/writing"). */
static int data_fd(struct fake *f, int fd, bool writing, struct ffd **ret)
{
	struct ffd *d = fake_fd(f, fd);
	int acc;

	if (!d || d->opath)
		return -EBADF;
	acc = d->flags & O_ACCMODE;
	if (writing ? acc == O_RDONLY : acc == O_WRONLY)
		return -EBADF;
	*ret = d;
	return 0;
}

int model_read(struct fake *f, const struct sys_call *c)
{
	char *buf = (char *)c->a[1].p;
	size_t size = c->a[2].u;
	struct ffd *d;
	size_t n;
	int r = data_fd(f, ARG_INT(c, 0), false, &d);

	if (r < 0)
		return r;
	if (d->loc.n->kind == FN_DIR)
		return -EISDIR;
	if (d->pipe)
		return 0; /* the spawn pipes carry nothing the fake's caller reads */
	if (d->off >= d->loc.n->size)
		return 0;
	n = d->loc.n->size - d->off;
	if (n > size)
		n = size;
	if (n > INT_MAX)
		n = INT_MAX;
	memcpy(buf, d->loc.n->data + d->off, n);
	d->off += n;
	return (int)n;
}

/* write(2) at the offset, or at the end with O_APPEND; a hole reads as zeros. */
int model_write(struct fake *f, const struct sys_call *c)
{
	const char *buf = c->a[1].p;
	size_t len = c->a[2].u;
	struct fnode *n;
	struct ffd *d;
	int r = data_fd(f, ARG_INT(c, 0), true, &d);

	if (r < 0)
		return r;
	if (!buf && len)
		return -EFAULT;
	if (len > INT_MAX)
		len = INT_MAX; /* a short count, as Linux caps one write at 0x7ffff000 */
	if (d->pipe)
		return (int)len;
	if (d->loc.m->flags & MS_RDONLY)
		return -EROFS; /* remounted read-only after the open */
	n = d->loc.n;
	if (d->flags & O_APPEND)
		d->off = n->size;
	if (d->off + len > n->size) {
		n->data = mcz_xrealloc(n->data, d->off + len + 1);
		memset(n->data + n->size, 0, d->off + len - n->size);
		n->size = d->off + len;
	}
	if (len)
		memcpy(n->data + d->off, buf, len);
	d->off += len;
	return (int)len;
}

/* ---- renameat(2) ---- */

static bool node_under(const struct fnode *n, const struct fnode *top)
{
	for (; n; n = n->parent)
		if (n == top)
			return true;
	return false;
}

/* Which names rename(2) refuses outright: "." and ".." are EBUSY (do_renameat2()), the
 * root too. */
static int rename_names(const struct last *a, const struct last *b)
{
	if (a->type != LAST_NORM || b->type != LAST_NORM)
		return (a->type == LAST_MAGIC || b->type == LAST_MAGIC) ? -EXDEV : -EBUSY;
	return 0;
}

/* What may replace what (rename(2) ERRORS). */
static int rename_check(const struct fake *f, const struct fnode *from, const struct fnode *to)
{
	if (fnode_is_mountpoint(f, from) || (to && fnode_is_mountpoint(f, to)))
		return -EBUSY;
	if (!to)
		return 0;
	if (from->kind == FN_DIR && to->kind != FN_DIR)
		return -ENOTDIR;
	if (from->kind != FN_DIR && to->kind == FN_DIR)
		return -EISDIR;
	if (to->kind == FN_DIR && to->nkids)
		return -ENOTEMPTY;
	return 0;
}

int model_renameat(struct fake *f, const struct sys_call *c)
{
	struct last a, b;
	struct fnode *from, *to;
	int r = fake_lookup_last(f, ARG_INT(c, 0), ARG_STR(c, 1), 0, 0, &a);

	if (r == 0)
		r = fake_lookup_last(f, ARG_INT(c, 2), ARG_STR(c, 3), 0, 0, &b);
	if (r == 0)
		r = rename_names(&a, &b);
	if (r < 0)
		return r;
	from = fnode_child(a.dir.n, a.name);
	if (!from)
		return -ENOENT;
	if (a.dir.m != b.dir.m)
		return -EXDEV; /* "oldpath and newpath are not on the same mounted filesystem" */
	if (a.dir.m->flags & MS_RDONLY)
		return -EROFS;
	if ((a.slash && from->kind != FN_DIR) || b.dir.n->dead)
		return a.slash ? -ENOTDIR : -ENOENT;
	to = fnode_child(b.dir.n, b.name);
	if (to == from)
		return 0; /* the same file: "rename() does nothing" */
	/* A directory cannot be made a subdirectory of itself. */
	if (from->kind == FN_DIR && node_under(b.dir.n, from))
		return -EINVAL;
	r = rename_check(f, from, to);
	if (r < 0)
		return r;
	if (to)
		fnode_unlink(f, to);
	fnode_unlink(f, from);
	/* Moved, not deleted: back from the graveyard list the unlink put it on. */
	f->dead = from->next_dead;
	from->dead = false;
	from->next_dead = NULL;
	free(from->name);
	fnode_attach(b.dir.n, from, b.name);
	return 0;
}

/* ---- flock(2) ---- */

/* flock(2): locks belong to the open file description, so fds that share one (dup, fork)
 * share the lock, and only another description conflicts — in any process. */
static bool lock_conflicts(const struct fake *f, const struct ffd *d, int want)
{
	for (size_t p = 0; p < f->nprocs; p++) {
		const struct ffd *fds = f->procs[p]->fds;

		for (int i = 0; fds && i < FAKE_MAX_FDS; i++) {
			const struct ffd *o = &fds[i];
			if (!o->used || !o->lock || o->ofd == d->ofd || o->loc.n != d->loc.n)
				continue;
			if (want == LOCK_EX || o->lock == LOCK_EX)
				return true;
		}
	}
	return false;
}

static void lock_set(struct fake *f, unsigned long ofd, int lock)
{
	for (size_t p = 0; p < f->nprocs; p++) {
		struct ffd *fds = f->procs[p]->fds;

		for (int i = 0; fds && i < FAKE_MAX_FDS; i++)
			if (fds[i].used && fds[i].ofd == ofd)
				fds[i].lock = lock;
	}
}

/* A blocking flock on a lock held elsewhere would wait for a process the fake does not
 * run: it is a deadlock of the code under test, reported as EDEADLK. */
int model_flock(struct fake *f, const struct sys_call *c)
{
	int op = ARG_INT(c, 1), want = op & ~LOCK_NB;
	struct ffd *d = fake_fd(f, ARG_INT(c, 0));

	if (!d || d->opath)
		return -EBADF;
	if (want != LOCK_SH && want != LOCK_EX && want != LOCK_UN)
		return -EINVAL;
	if (want != LOCK_UN && lock_conflicts(f, d, want))
		return (op & LOCK_NB) ? -EWOULDBLOCK : -EDEADLK;
	lock_set(f, d->ofd, want == LOCK_UN ? 0 : want);
	return 0;
}

/* ---- chdir(2) ---- */

int model_chdir(struct fake *f, const struct sys_call *c)
{
	struct loc l;
	int r = fake_lookup(f, AT_FDCWD, ARG_STR(c, 0), LOOKUP_FOLLOW, 0, &l);

	if (r < 0)
		return r;
	if (l.n->kind != FN_DIR)
		return -ENOTDIR;
	f->cur->cwd = l;
	return 0;
}

/* ---- listdir: opendir(3)/readdir(3) ---- */

/* Appends "<type><name>\0"; false when it does not fit (the op's ERANGE). */
bool fake_list_add(char *buf, size_t size, size_t *used, char type, const char *name)
{
	size_t len = strlen(name) + 2;

	if (*used + len > size || *used + len > INT_MAX)
		return false;
	buf[*used] = type;
	memcpy(buf + *used + 1, name, len - 1);
	*used += len;
	return true;
}

int model_listdir(struct fake *f, const struct sys_call *c)
{
	char *buf = (char *)c->a[1].p;
	size_t size = c->a[2].u, used = 0;
	struct loc l;
	int r;

	/* procfs is generated from the model, not kept in the tree. */
	if (ARG_STR(c, 0) && strncmp(ARG_STR(c, 0), "/proc/", 6) == 0)
		return fake_proc_listdir(f, ARG_STR(c, 0), buf, size);
	r = fake_lookup(f, AT_FDCWD, ARG_STR(c, 0), LOOKUP_FOLLOW, 0, &l);
	if (r < 0)
		return r;
	if (l.n->kind != FN_DIR)
		return -ENOTDIR;
	/* Kids are kept sorted by name. readdir's d_type is the dentry's own type, not that of
	 * what may be mounted over it. */
	for (size_t i = 0; i < l.n->nkids; i++)
		if (!fake_list_add(buf, size, &used, l.n->kids[i]->kind == FN_DIR ? 'd' : 'f',
				   l.n->kids[i]->name))
			return -ERANGE;
	return (int)used;
}

/* ---- close_range(2), dup2(2) ---- */

/* close_range(2): EINVAL for first > last or an unknown flag; CLOSE_RANGE_CLOEXEC marks the
 * fds instead of closing them. */
int model_close_range(struct fake *f, const struct sys_call *c)
{
	unsigned first = (unsigned)c->a[0].i, last = (unsigned)c->a[1].i;
	int flags = ARG_INT(c, 2);

	if (first > last || (flags & ~CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	for (unsigned fd = first; fd < FAKE_MAX_FDS && fd <= last; fd++) {
		if (!f->fds[fd].used)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			f->fds[fd].flags |= O_CLOEXEC;
		else
			(void)fake_fd_close(f, (int)fd);
	}
	return 0;
}

/* dup2(2): newfd refers to oldfd's open file description (its offset and lock shared),
 * without FD_CLOEXEC; an open newfd is closed first; oldfd == newfd changes nothing. */
int model_dup2(struct fake *f, const struct sys_call *c)
{
	int oldfd = ARG_INT(c, 0), newfd = ARG_INT(c, 1);
	struct ffd *d = fake_fd(f, oldfd);

	if (!d || newfd < 0 || newfd >= FAKE_MAX_FDS)
		return -EBADF;
	if (oldfd == newfd)
		return newfd;
	if (f->fds[newfd].used)
		(void)fake_fd_close(f, newfd);
	f->fds[newfd] = *d;
	f->fds[newfd].path = mcz_xstrdup(d->path);
	f->fds[newfd].flags &= ~O_CLOEXEC;
	return newfd;
}

/* ---- mount_setattr(2) ---- */

#define ATTR_KNOWN                                                                              \
	(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |         \
	 MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

static const struct {
	uint64_t attr;
	unsigned long ms;
} attr_map[] = {
	{ MOUNT_ATTR_RDONLY, MS_RDONLY },   { MOUNT_ATTR_NOSUID, MS_NOSUID },
	{ MOUNT_ATTR_NODEV, MS_NODEV },     { MOUNT_ATTR_NOEXEC, MS_NOEXEC },
	{ MOUNT_ATTR_NODIRATIME, MS_NODIRATIME },
};

static unsigned long attr_to_ms(uint64_t attr)
{
	unsigned long ms = 0;

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(attr_map); i++)
		if (attr & attr_map[i].attr)
			ms |= attr_map[i].ms;
	return ms;
}

static void apply_attr(struct fmount *m, uint64_t set, uint64_t clr)
{
	m->flags &= ~attr_to_ms(clr);
	m->flags |= attr_to_ms(set);
	if (clr & MOUNT_ATTR__ATIME) {
		uint64_t atime = set & MOUNT_ATTR__ATIME;
		m->flags &= ~(unsigned long)FAKE_ATIME_FLAGS;
		m->flags |= atime == MOUNT_ATTR_NOATIME       ? (unsigned long)MS_NOATIME
			    : atime == MOUNT_ATTR_STRICTATIME ? (unsigned long)MS_STRICTATIME
							      : (unsigned long)MS_RELATIME;
	}
}

static bool below(const struct fmount *m, const struct fmount *top)
{
	for (; m; m = m->parent)
		if (m == top)
			return true;
	return false;
}

/* mount_setattr(2): the path must be the root of a mount of the caller's namespace
 * (EINVAL); unknown attributes, and an atime setting without MOUNT_ATTR__ATIME in attr_clr,
 * are EINVAL; AT_RECURSIVE changes the whole subtree. ID-mapped mounts are not modelled. */
int model_mount_setattr(struct fake *f, const struct sys_call *c)
{
	int flags = ARG_INT(c, 2);
	uint64_t set = c->a[3].u64, clr = c->a[4].u64;
	struct fmount **table;
	struct loc l;
	size_t n;
	int r;

	if (flags & ~(AT_RECURSIVE | AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if ((set | clr) & ~(uint64_t)ATTR_KNOWN)
		return -EINVAL;
	if ((set & MOUNT_ATTR__ATIME) && !(clr & MOUNT_ATTR__ATIME))
		return -EINVAL;
	r = fake_lookup(f, ARG_INT(c, 0), ARG_STR(c, 1),
			at_lookup_how(flags),
			0, &l);
	if (r < 0)
		return r;
	/* A detached tree's root may be changed from any namespace (do_mount_setattr()). */
	if (l.n != l.m->root || !(mount_in_ns(f, l.m) || (l.m->anon && !l.m->parent)))
		return -EINVAL;
	table = l.m->anon ? l.m->anon->mounts : f->mounts;
	n = l.m->anon ? l.m->anon->nmounts : f->nmounts;
	for (size_t i = 0; i < n; i++) {
		struct fmount *m = table[i];
		if (m == l.m || ((flags & AT_RECURSIVE) && m->attached && below(m, l.m)))
			apply_attr(m, set, clr);
	}
	return 0;
}
