/*
 * fake_ops.c — one model handler per op, the fd table, and the dispatcher generated from
 * SYS_OPS that counts, faults and records every call.
 *
 * Each handler cites the man page rule it models. The fake runs as root in the initial user
 * namespace: no DAC checks (EACCES) are modelled.
 */
#include <string.h>
#include <sys/statvfs.h>

#include "lib/util.h"
#include "fakes/fake_impl.h"

#ifndef ST_VALID
#define ST_VALID 0x0020 /* fs/statfs.c sets it in every f_flags */
#endif

#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)
#define O_VALID                                                                                 \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |  \
	 O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC |   \
	 O_SYNC | O_PATH | O_TMPFILE)

#define ARG_INT(c, n) ((int)(c)->a[n].i)
#define ARG_UINT(c, n) ((unsigned int)(c)->a[n].u)
#define ARG_STR(c, n) ((const char *)(c)->a[n].p)
#define ARG_OUT(c, n) ((void *)(c)->a[n].p)

/* ---- fds ---- */

struct ffd *fake_fd(struct fake *f, int fd)
{
	if (fd < 0 || fd >= FAKE_MAX_FDS || !f->fds[fd].used)
		return NULL;
	return &f->fds[fd];
}

struct ffd *fd_table_new(void)
{
	return mcz_xcalloc(FAKE_MAX_FDS, sizeof(struct ffd));
}

void fd_table_free(struct ffd *fds)
{
	if (!fds)
		return;
	for (int i = 0; i < FAKE_MAX_FDS; i++)
		free(fds[i].path);
	free(fds);
}

/* open(2): "the lowest-numbered file descriptor not currently open"; 0-2 stay the
 * process's stdio. */
int fd_free_slot(const struct fake *f)
{
	for (int i = 3; i < FAKE_MAX_FDS; i++)
		if (!f->fds[i].used)
			return i;
	return -EMFILE;
}

static int fd_install(struct fake *f, int fd, struct loc l, int flags)
{
	struct ffd *d = &f->fds[fd];

	d->used = true;
	d->opath = flags & O_PATH;
	d->flags = flags;
	d->loc = l;
	d->path = loc_path(&l);
	d->off = 0;
	d->ofd = ++f->next_ofd;
	d->lock = 0;
	return fd;
}

int fake_fd_close(struct fake *f, int fd)
{
	struct ffd *d = fake_fd(f, fd);

	if (!d)
		return -EBADF;
	free(d->path);
	memset(d, 0, sizeof(*d));
	return 0;
}

static bool is_rdonly(const struct loc *l)
{
	return l->m->flags & MS_RDONLY;
}

/* ---- inode changes ---- */

/* chown(2): "When the owner or group of an executable file is changed by an unprivileged
 * user, the S_ISUID and S_ISGID mode bits are cleared ... since Linux 2.2.13, root is
 * treated like other users". The kernel (chown_common) clears S_ISUID on every
 * non-directory and S_ISGID only with S_IXGRP (without it, S_ISGID means mandatory
 * locking), whether or not the ids actually change. */
static void node_chown(struct fnode *n, uid_t uid, gid_t gid)
{
	if (uid != (uid_t)-1)
		n->uid = uid;
	if (gid != (gid_t)-1)
		n->gid = gid;
	if (n->kind != FN_DIR) {
		n->mode &= ~(mode_t)S_ISUID;
		if (n->mode & S_IXGRP)
			n->mode &= ~(mode_t)S_ISGID;
	}
}

/* A new inode takes the group of a set-group-ID parent, and a new directory inherits the
 * bit itself (inode_init_owner(), mkdir(2) NOTES). */
static struct fnode *node_create(struct fake *f, const struct last *lk, enum fnode_kind kind,
				 mode_t mode)
{
	struct fnode *dir = lk->dir.n;
	gid_t gid = 0;
	struct fnode *n;

	if (dir->mode & S_ISGID) {
		gid = dir->gid;
		if (kind == FN_DIR)
			mode |= S_ISGID;
	}
	n = fnode_new(f, kind, mode, 0, gid);
	fnode_attach(dir, n, lk->name);
	return n;
}

/* ---- handlers ---- */

static int model_fstatat(struct fake *f, const struct sys_call *c)
{
	int flags = ARG_INT(c, 3);
	struct stat *st = ARG_OUT(c, 2);
	struct loc l;
	int r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	if (!st)
		return -EFAULT;
	r = fake_lookup(f, ARG_INT(c, 0), ARG_STR(c, 1),
			at_lookup_how(flags),
			0, &l);
	if (r < 0)
		return r;
	fnode_stat(l.n, st);
	return 0;
}

/* fstat(2) works on O_PATH descriptors (open(2), O_PATH). */
static int model_fstat(struct fake *f, const struct sys_call *c)
{
	struct ffd *d = fake_fd(f, ARG_INT(c, 0));
	struct stat *st = ARG_OUT(c, 1);

	if (!d)
		return -EBADF;
	if (!st)
		return -EFAULT;
	fnode_stat(d->loc.n, st);
	return 0;
}

/* O_CREAT: find or make the last component. O_EXCL never follows a final symlink, so an
 * existing one — dangling or not — is EEXIST (open(2)). */
static int open_create(struct fake *f, int dirfd, const char *path, int flags, mode_t mode,
		       uint64_t resolve, struct loc *ret, bool *created)
{
	unsigned int how = (flags & (O_EXCL | O_NOFOLLOW)) ? 0 : LOOKUP_FOLLOW;
	struct last lk;
	int r = fake_lookup_last(f, dirfd, path, how, resolve, &lk);

	if (r < 0)
		return r;
	switch (lk.type) {
	case LAST_NORM:
		break;
	case LAST_MAGIC:
		if (flags & O_EXCL)
			return -EEXIST;
		if (!how)
			return -ELOOP;
		*ret = lk.magic;
		return 0;
	default:
		return -EISDIR; /* ".", ".." or "/" */
	}
	r = fake_last_child(f, &lk, ret);
	if (r == 0)
		return (flags & O_EXCL) ? -EEXIST : 0;
	if (r != -ENOENT)
		return r;
	if (lk.slash)
		return -EISDIR;
	if (lk.dir.n->dead)
		return -ENOENT;
	if (is_rdonly(&lk.dir))
		return -EROFS;
	ret->n = node_create(f, &lk, FN_REG, mode & ~f->umask & 07777);
	ret->m = lk.dir.m;
	*created = true;
	return 0;
}

/* What may be opened once found (may_open(), do_open()). */
static int open_check(const struct loc *l, int flags, bool created)
{
	int acc = flags & O_ACCMODE;
	bool writes = acc != O_RDONLY || (flags & O_TRUNC);

	/* O_DIRECTORY is checked first: the kernel answers ENOTDIR, not ELOOP, for
	 * O_DIRECTORY|O_NOFOLLOW on a symlink (measured on 6.18; scenarios/real_honest.c). */
	if ((flags & O_DIRECTORY) && l->n->kind != FN_DIR)
		return -ENOTDIR;
	if (l->n->kind == FN_LNK && !(flags & O_PATH))
		return -ELOOP; /* O_NOFOLLOW on a symlink */
	if (flags & O_PATH)
		return 0;
	if (l->n->kind == FN_DIR && (writes || (flags & O_CREAT)))
		return -EISDIR;
	if (writes && !created && is_rdonly(l))
		return -EROFS;
	return 0;
}

static int do_open(struct fake *f, int dirfd, const char *path, int flags, mode_t mode,
		   uint64_t resolve)
{
	bool created = false;
	struct loc l;
	int fd, r;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP; /* not modelled; a filesystem may refuse it too */
	/* The fd is reserved before the walk (get_unused_fd_flags()): EMFILE creates nothing. */
	fd = fd_free_slot(f);
	if (fd < 0)
		return fd;
	if (flags & O_CREAT)
		r = open_create(f, dirfd, path, flags, mode, resolve, &l, &created);
	else
		r = fake_lookup(f, dirfd, path, (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, resolve, &l);
	if (r == 0)
		r = open_check(&l, flags, created);
	if (r < 0)
		return r;
	/* O_TRUNC on a regular file opened for writing empties it (open(2)). */
	if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY && l.n->kind == FN_REG) {
		free(l.n->data);
		l.n->data = NULL;
		l.n->size = 0;
	}
	return fd_install(f, fd, l, flags);
}

/* openat(2) silently drops flags that O_PATH does not use (build_open_how()). */
static int model_openat(struct fake *f, const struct sys_call *c)
{
	int flags = ARG_INT(c, 2);

	if (flags & O_PATH)
		flags &= O_PATH_FLAGS;
	return do_open(f, ARG_INT(c, 0), ARG_STR(c, 1), flags, ARG_UINT(c, 3), 0);
}

/* openat2(2) is strict: unknown flags, a mode without O_CREAT/O_TMPFILE, mode bits above
 * 07777 and O_PATH with other flags are all EINVAL. */
static int model_openat2(struct fake *f, const struct sys_call *c)
{
	int flags = ARG_INT(c, 2);
	mode_t mode = ARG_UINT(c, 3);

	if (flags & ~O_VALID)
		return -EINVAL;
	if (mode && !(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
		return -EINVAL;
	if (mode & ~07777)
		return -EINVAL;
	if ((flags & O_PATH) && (flags & ~O_PATH_FLAGS))
		return -EINVAL;
	return do_open(f, ARG_INT(c, 0), ARG_STR(c, 1), flags, mode, c->a[4].u64);
}

/* mkdir(2): the mode is masked by the umask; besides the permission bits only S_ISVTX is
 * honoured (NOTES). Any existing name, a dangling symlink too, is EEXIST — and EEXIST
 * wins over EROFS (filename_create()). */
/* Where mkdir(2) or symlink(2) makes a new name: any existing name is EEXIST (a final symlink
 * is not followed), a removed directory ENOENT, a read-only mount EROFS. */
static int lookup_new(struct fake *f, int dirfd, const char *path, struct last *ret)
{
	int r = fake_lookup_last(f, dirfd, path, 0, 0, ret);

	if (r < 0)
		return r;
	if (ret->type != LAST_NORM || fnode_child(ret->dir.n, ret->name))
		return -EEXIST;
	if (ret->dir.n->dead)
		return -ENOENT;
	if (is_rdonly(&ret->dir))
		return -EROFS;
	return 0;
}

static int model_mkdirat(struct fake *f, const struct sys_call *c)
{
	mode_t mode = ARG_UINT(c, 2);
	struct last lk;
	int r = lookup_new(f, ARG_INT(c, 0), ARG_STR(c, 1), &lk);

	if (r < 0)
		return r;
	node_create(f, &lk, FN_DIR, mode & ~f->umask & 01777);
	return 0;
}

/* symlink(2): never follows an existing last component; a new link is 0777 root:root. */
static int model_symlinkat(struct fake *f, const struct sys_call *c)
{
	struct last lk;
	struct fnode *n;
	int r = lookup_new(f, ARG_INT(c, 1), ARG_STR(c, 2), &lk);

	if (r < 0)
		return r;
	n = node_create(f, &lk, FN_LNK, 0777);
	n->target = mcz_xstrdup(ARG_STR(c, 0));
	return 0;
}

/* fchmodat(2): the syscall follows symlinks and takes no flags. */
static int model_fchmodat(struct fake *f, const struct sys_call *c)
{
	struct loc l;
	int r;

	if (ARG_INT(c, 3))
		return -EINVAL;
	r = fake_lookup(f, ARG_INT(c, 0), ARG_STR(c, 1), LOOKUP_FOLLOW, 0, &l);
	if (r < 0)
		return r;
	if (is_rdonly(&l))
		return -EROFS;
	l.n->mode = ARG_UINT(c, 2) & 07777;
	return 0;
}

/* The file an fchmod()/fchown() may change. open(2), O_PATH: on such an fd both fail with
 * EBADF; below a read-only mount with EROFS. */
static int attr_fd(struct fake *f, int fd, struct fnode **ret)
{
	struct ffd *d = fake_fd(f, fd);

	if (!d || d->opath)
		return -EBADF;
	if (is_rdonly(&d->loc))
		return -EROFS;
	*ret = d->loc.n;
	return 0;
}

static int model_fchmod(struct fake *f, const struct sys_call *c)
{
	struct fnode *n;
	int r = attr_fd(f, ARG_INT(c, 0), &n);

	if (r < 0)
		return r;
	n->mode = ARG_UINT(c, 1) & 07777;
	return 0;
}

static int model_fchownat(struct fake *f, const struct sys_call *c)
{
	int flags = ARG_INT(c, 4);
	struct loc l;
	int r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = fake_lookup(f, ARG_INT(c, 0), ARG_STR(c, 1),
			at_lookup_how(flags),
			0, &l);
	if (r < 0)
		return r;
	if (is_rdonly(&l))
		return -EROFS;
	node_chown(l.n, ARG_UINT(c, 2), ARG_UINT(c, 3));
	return 0;
}

static int model_fchown(struct fake *f, const struct sys_call *c)
{
	struct fnode *n;
	int r = attr_fd(f, ARG_INT(c, 0), &n);

	if (r < 0)
		return r;
	node_chown(n, ARG_UINT(c, 1), ARG_UINT(c, 2));
	return 0;
}

/* rmdir(2)/unlink(2) via do_rmdir()/do_unlinkat(): "." is EINVAL and ".." ENOTEMPTY for
 * rmdir, any of them EISDIR for unlink; a read-only mount is reported before the name is
 * even looked up; "dir/" for unlink is EISDIR, "file/" ENOTDIR. */
static int unlink_check(const struct last *lk, const struct fnode *n, bool rmdir)
{
	if (!n)
		return -ENOENT;
	if (rmdir) {
		if (n->kind != FN_DIR)
			return -ENOTDIR;
		return 0;
	}
	if (n->kind == FN_DIR)
		return -EISDIR;
	if (lk->slash)
		return -ENOTDIR;
	return 0;
}

static int model_unlinkat(struct fake *f, const struct sys_call *c)
{
	int flags = ARG_INT(c, 2);
	bool rmdir = flags & AT_REMOVEDIR;
	struct fnode *n;
	struct last lk;
	int r;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	r = fake_lookup_last(f, ARG_INT(c, 0), ARG_STR(c, 1), 0, 0, &lk);
	if (r < 0)
		return r;
	switch (lk.type) {
	case LAST_NORM:
		break;
	case LAST_DOT:
		return rmdir ? -EINVAL : -EISDIR;
	case LAST_DOTDOT:
		return rmdir ? -ENOTEMPTY : -EISDIR;
	case LAST_ROOT:
		return rmdir ? -EBUSY : -EISDIR;
	case LAST_MAGIC:
		return -EPERM; /* proc fd entries cannot be unlinked */
	}
	if (is_rdonly(&lk.dir))
		return -EROFS;
	n = fnode_child(lk.dir.n, lk.name);
	r = unlink_check(&lk, n, rmdir);
	if (r < 0)
		return r;
	/* A mount point is busy in every namespace (vfs_rmdir()/vfs_unlink()). */
	if (fnode_is_mountpoint(f, n))
		return -EBUSY;
	if (n->nkids)
		return -ENOTEMPTY;
	fnode_unlink(f, n);
	return 0;
}

/* readlink(2): EINVAL for a size of 0 and for anything but a symlink; no NUL is added and
 * the text is silently truncated. An empty path reads the link dirfd refers to. */
static int model_readlinkat(struct fake *f, const struct sys_call *c)
{
	int dirfd = ARG_INT(c, 0);
	const char *path = ARG_STR(c, 1);
	char *buf = ARG_OUT(c, 2);
	size_t size = c->a[3].u;
	_cleanup_free_ char *magic = NULL;
	const char *text;
	struct last lk;
	struct loc l;
	size_t n;
	int r;

	if (size == 0 || size > INT_MAX)
		return -EINVAL;
	if (!buf)
		return -EFAULT;
	if (path && path[0] && fake_lookup_last(f, dirfd, path, 0, 0, &lk) == 0 &&
	    lk.type == LAST_MAGIC) {
		magic = loc_path(&lk.magic);
		text = magic;
	} else {
		r = fake_lookup(f, dirfd, path, LOOKUP_EMPTY, 0, &l);
		if (r < 0)
			return r;
		if (l.n->kind != FN_LNK)
			return -EINVAL;
		text = l.n->target;
	}
	n = strlen(text);
	if (n > size)
		n = size;
	memcpy(buf, text, n);
	return (int)n;
}

static int model_close(struct fake *f, const struct sys_call *c)
{
	return fake_fd_close(f, ARG_INT(c, 0));
}

/* statfs(2) f_flags: the mount's flags as ST_*, plus ST_VALID (calculate_f_flags()). */
static int model_fstatfs(struct fake *f, const struct sys_call *c)
{
	static const struct {
		unsigned long ms, st;
	} map[] = {
		{ MS_RDONLY, ST_RDONLY },     { MS_NOSUID, ST_NOSUID },     { MS_NODEV, ST_NODEV },
		{ MS_NOEXEC, ST_NOEXEC },     { MS_NOATIME, ST_NOATIME },   { MS_NODIRATIME, ST_NODIRATIME },
		{ MS_RELATIME, ST_RELATIME },
	};
	struct ffd *d = fake_fd(f, ARG_INT(c, 0));
	struct statfs *buf = ARG_OUT(c, 1);

	if (!d)
		return -EBADF;
	if (!buf)
		return -EFAULT;
	memset(buf, 0, sizeof(*buf));
	buf->f_bsize = 4096;
	buf->f_namelen = NAME_MAX;
	buf->f_flags = ST_VALID;
	/* a namespace handle (a bind of /proc/PID/ns/pid) is on nsfs; the rest, ext4 */
	buf->f_type = d->loc.n == f->nsfs_node && d->loc.m != f->pipe_mnt ? 0x6e736673 : 0xef53;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(map); i++)
		if (d->loc.m->flags & map[i].ms)
			buf->f_flags |= (long)map[i].st;
	return 0;
}

/* MS_REMOUNT|MS_BIND replaces the per-mount flags (do_reconfigure_mnt()); without an atime
 * flag the old atime setting is kept, otherwise relatime is the default (path_mount()). The
 * target must be the root of a mount. */
static int do_remount(struct loc at, unsigned long flags)
{
	unsigned long nf = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME);

	if (at.n != at.m->root)
		return -EINVAL;
	if (flags & MS_NOATIME)
		nf |= MS_NOATIME;
	else if (!(flags & MS_STRICTATIME))
		nf |= MS_RELATIME;
	if (!(flags & FAKE_ATIME_FLAGS))
		nf = (nf & ~FAKE_ATIME_FLAGS) | (at.m->flags & FAKE_ATIME_FLAGS);
	at.m->flags = nf;
	return 0;
}

/* A bind mount copies the source mount's flags (clone_mnt()); a directory cannot be
 * bound onto a file or the other way round (graft_tree(): ENOTDIR). */
static int do_bind(struct fake *f, const char *source, struct loc at, unsigned long flags)
{
	size_t limit = f->nmounts;
	_cleanup_free_ char *src_path = NULL;
	struct fpidns *m_ns = NULL;
	struct fmount *m;
	struct loc src;
	int r;

	if (!source)
		return -EFAULT;
	r = fake_pin_source(f, source, &m_ns);
	if (r < 0)
		return r;
	if (m_ns) {
		/* An nsfs inode is a regular file: it binds onto files only (graft_tree()). */
		if (at.n->kind == FN_DIR)
			return -ENOTDIR;
		m = fmount_add(f, at, f->nsfs_node, 0, source);
		m->bind = true;
		m->nsfs = m_ns;
		m->fstype = mcz_xstrdup("nsfs");
		m->dev = 4; /* nsfs is one superblock */
		free(m->source);
		m->source = mcz_xasprintf("pid:[%lu]", m_ns->ino);
		return 0;
	}
	r = fake_lookup(f, AT_FDCWD, source, LOOKUP_FOLLOW, 0, &src);
	if (r < 0)
		return r;
	/* __do_loopback(), may_copy_tree(): the source must be a mount of the caller's namespace
	 * or of a detached tree; an fd opened before CLONE_NEWNS names the old namespace's. */
	if (!mount_in_ns(f, src.m) && !src.m->anon)
		return -EINVAL;
	if ((src.n->kind == FN_DIR) != (at.n->kind == FN_DIR))
		return -ENOTDIR;
	src_path = loc_path(&src);
	m = fmount_add(f, at, src.n, src.m->flags, src_path);
	m->bind = true;
	m->dev = src.m->dev;
	m->fstype = src.m->fstype ? mcz_xstrdup(src.m->fstype) : NULL;
	m->super_opts = src.m->super_opts ? mcz_xstrdup(src.m->super_opts) : NULL;
	m->nsfs = src.m->nsfs;
	if (flags & MS_REC)
		fmount_clone_tree(f, src, m, limit);
	return 0;
}

static bool mount_below(const struct fmount *m, const struct fmount *top)
{
	for (; m; m = m->parent)
		if (m == top)
			return true;
	return false;
}

/* Propagation changes (MS_SHARED, MS_PRIVATE, MS_SLAVE, MS_UNBINDABLE): exactly one type,
 * optionally MS_REC, on the root of a mount (do_change_type(), flags_to_propagation_type()). */
static int do_change_type(struct fake *f, struct loc at, unsigned long flags)
{
	unsigned long type = flags & ~(unsigned long)(MS_REC | MS_SILENT);

	if (at.n != at.m->root)
		return -EINVAL;
	if (!type || (type & ~(unsigned long)FAKE_PROP_FLAGS) || (type & (type - 1)))
		return -EINVAL;
	for (size_t i = 0; i < f->nmounts; i++) {
		struct fmount *m = f->mounts[i];
		if (m == at.m || ((flags & MS_REC) && m->attached && mount_below(m, at.m)))
			m->prop = type;
	}
	return 0;
}

/* A new filesystem instance: an empty root of its own, outside the tree the snapshot
 * walks. tmpfs roots are 1777 (tmpfs(5) default mode). */
static int do_new_mount(struct fake *f, const char *source, const char *fstype, struct loc at,
			unsigned long flags)
{
	struct fnode *root;
	struct fmount *m;

	if (!fstype)
		return -EINVAL;
	root = fnode_new(f, FN_DIR, strcmp(fstype, "tmpfs") == 0 ? 01777 : 0755, 0, 0);
	root->next_dead = f->dead; /* owned by the graveyard list, freed with the fake */
	f->dead = root;
	m = fmount_add(f, at, root, flags, source ? source : fstype);
	m->fstype = mcz_xstrdup(fstype);
	m->dev = ++f->next_dev;
	return 0;
}

/* mount(2), dispatched in path_mount()'s order. MS_MOVE is not modelled: fail loudly. */
static int model_mount(struct fake *f, const struct sys_call *c)
{
	const char *source = ARG_STR(c, 0), *target = ARG_STR(c, 1), *fstype = ARG_STR(c, 2);
	unsigned long flags = c->a[3].u;
	struct loc at;
	int r;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~(unsigned long)MS_MGC_MSK;
	r = fake_lookup(f, AT_FDCWD, target, LOOKUP_FOLLOW, 0, &at);
	if (r < 0)
		return r;
	/* check_mnt(): the target must be in the caller's mount namespace. */
	if (!mount_in_ns(f, at.m))
		return -EINVAL;
	if (flags & MS_REMOUNT)
		return do_remount(at, flags);
	if (flags & MS_BIND)
		return do_bind(f, source, at, flags);
	if (flags & FAKE_PROP_FLAGS)
		return do_change_type(f, at, flags);
	if (flags & MS_MOVE)
		return -ENOSYS;
	return do_new_mount(f, source, fstype, at, flags);
}

static bool mount_busy(const struct fake *f, const struct fmount *m)
{
	for (size_t i = 0; i < f->nmounts; i++)
		if (f->mounts[i]->attached && f->mounts[i]->parent == m)
			return true;
	/* Any process's open fd keeps the mount busy. */
	for (size_t p = 0; p < f->nprocs; p++) {
		const struct ffd *fds = f->procs[p]->fds;
		for (int i = 0; fds && i < FAKE_MAX_FDS; i++)
			if (fds[i].used && fds[i].loc.m == m)
				return true;
	}
	return false;
}

/* MNT_DETACH takes the mount and everything below it out of the tree at once; open fds
 * keep working on the detached mounts (umount(2)). */
static void mount_detach(struct fake *f, struct fmount *m)
{
	for (size_t i = 0; i < f->nmounts; i++)
		if (f->mounts[i]->attached && f->mounts[i]->parent == m)
			mount_detach(f, f->mounts[i]);
	m->attached = false;
	m->parent = NULL;
}

/* umount(2): EINVAL for something that is not the root of a mount, EBUSY while in use
 * (submounts, open fds) unless MNT_DETACH. */
static int model_umount2(struct fake *f, const struct sys_call *c)
{
	int flags = ARG_INT(c, 1);
	struct loc l;
	int r;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	r = fake_lookup(f, AT_FDCWD, ARG_STR(c, 0), (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, 0,
			&l);
	if (r < 0)
		return r;
	if (l.n != l.m->root || !l.m->parent || !mount_in_ns(f, l.m))
		return -EINVAL;
	if (flags & MNT_EXPIRE)
		return -EAGAIN; /* the first MNT_EXPIRE only marks the mount */
	if (!(flags & MNT_DETACH) && mount_busy(f, l.m))
		return -EBUSY;
	mount_detach(f, l.m);
	return 0;
}

#define OPEN_TREE_KNOWN                                                                         \
	(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | \
	 AT_RECURSIVE)

/* open_tree(2): without OPEN_TREE_CLONE an O_PATH fd on the path; with it a detached copy
 * of the mount tree there (open_detached_copy()), which must come from a mount of the
 * caller's namespace or another detached tree (may_copy_tree(): EINVAL otherwise).
 * AT_RECURSIVE only with OPEN_TREE_CLONE (EINVAL). */
static int model_open_tree(struct fake *f, const struct sys_call *c)
{
	int flags = ARG_INT(c, 2), fd;
	struct loc l;
	int r;

	if ((flags & ~OPEN_TREE_KNOWN) || ((flags & AT_RECURSIVE) && !(flags & OPEN_TREE_CLONE)))
		return -EINVAL;
	r = fake_lookup(f, ARG_INT(c, 0), ARG_STR(c, 1),
			at_lookup_how(flags),
			0, &l);
	if (r < 0)
		return r;
	fd = fd_free_slot(f);
	if (fd < 0)
		return fd;
	if (flags & OPEN_TREE_CLONE) {
		if (!mount_in_ns(f, l.m) && !l.m->anon)
			return -EINVAL;
		l.m = fmount_clone_detached(f, l, flags & AT_RECURSIVE);
	}
	return fd_install(f, fd, l, O_PATH | (flags & O_CLOEXEC));
}

#define MOVE_MOUNT_KNOWN                                                                        \
	(MOVE_MOUNT_F_SYMLINKS | MOVE_MOUNT_F_AUTOMOUNTS | MOVE_MOUNT_F_EMPTY_PATH |           \
	 MOVE_MOUNT_T_SYMLINKS | MOVE_MOUNT_T_AUTOMOUNTS | MOVE_MOUNT_T_EMPTY_PATH)

/* move_mount(2), do_move_mount(): the target must be in the caller's namespace, the thing
 * moved the root of a detached tree (moving an attached mount is not modelled: EINVAL), a
 * directory onto a directory and a file onto a file (ENOTDIR). */
static int model_move_mount(struct fake *f, const struct sys_call *c)
{
	int flags = ARG_INT(c, 4);
	struct loc from, to;
	int r;

	if (flags & ~MOVE_MOUNT_KNOWN)
		return -EINVAL;
	r = fake_lookup(f, ARG_INT(c, 0), ARG_STR(c, 1),
			((flags & MOVE_MOUNT_F_SYMLINKS) ? LOOKUP_FOLLOW : 0) |
				((flags & MOVE_MOUNT_F_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
			0, &from);
	if (r < 0)
		return r;
	r = fake_lookup(f, ARG_INT(c, 2), ARG_STR(c, 3),
			((flags & MOVE_MOUNT_T_SYMLINKS) ? LOOKUP_FOLLOW : 0) |
				((flags & MOVE_MOUNT_T_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
			0, &to);
	if (r < 0)
		return r;
	if (!mount_in_ns(f, to.m))
		return -EINVAL;
	if (!from.m->anon || from.m->parent || from.n != from.m->root)
		return -EINVAL;
	if ((from.n->kind == FN_DIR) != (to.n->kind == FN_DIR))
		return -ENOTDIR;
	fmount_attach_tree(f, from.m, to);
	return 0;
}

/* ---- the dispatcher ---- */

typedef int (*model_fn)(struct fake *f, const struct sys_call *c);

static const model_fn models[_SYS_OP_MAX] = {
#define SYS_X_MODEL(name, area, kinds, err, verb, params, args) [SYS_OP_##name] = model_##name,
	SYS_OPS(SYS_X_MODEL)
#undef SYS_X_MODEL
};

/* Out-parameters go to scratch space and reach the caller only on a success that was not
 * injected: the sys contract says a failed call writes nothing. The child report is the
 * exception: it reaches the caller on a failure that was not injected. */
struct scratch {
	struct stat st;
	struct statfs sfs;
	int status;
	siginfo_t si;
	struct sys_passwd pw;
	uint64_t u64;
	sigset_t set;
	struct sys_child child;
	struct sys_child_report report;
	char *buf;
	pid_t *pids;
};

/* Link targets are shorter than PATH_MAX (symlink(2) ENAMETOOLONG), so a larger buffer
 * never receives more; sizes the model rejects anyway pass through unchanged. /proc and
 * cgroup files are read whole, up to 1 MiB. */
static size_t scratch_size(enum sys_op op, unsigned long *size)
{
	unsigned long max = (op == SYS_OP_readlinkat) ? PATH_MAX : 1ul << 20;

	if (*size > max && *size <= INT_MAX)
		*size = max;
	return *size && *size <= max ? *size : 1;
}

static bool scratch_out(const char *k, int i)
{
	return strchr("STbwxGqJR", k[i]) || (k[i] == 'k' && i > 0 && k[i - 1] == 'k') ||
	       (k[i] == 'c' && i > 0 && k[i - 1] == 'C');
}

static void *scratch_slot(struct sys_call *c, int i, char kind, struct scratch *s)
{
	size_t n;

	switch (kind) {
	case 'S': return &s->st;
	case 'T': return &s->sfs;
	case 'w': return &s->status;
	case 'x': return &s->si;
	case 'G': return &s->pw;
	case 'q': return &s->u64;
	case 'k': return &s->set;
	case 'c': return &s->child;
	case 'R': return &s->report;
	case 'J':
		n = c->a[i + 1].u = c->a[i + 1].u > 65536 ? 65536 : c->a[i + 1].u;
		return s->pids = mcz_xcalloc(n ? n : 1, sizeof(pid_t));
	default: /* 'b' */
		return s->buf = mcz_xcalloc(1, scratch_size(c->op, &c->a[i + 1].u));
	}
}

static void scratch_redirect(struct sys_call *c, struct scratch *s)
{
	const char *k = strchr(sys_op_kinds[c->op], ':') + 1;

	for (int i = 0; i < c->nargs; i++)
		if (c->a[i].p && scratch_out(k, i))
			c->a[i].p = scratch_slot(c, i, k[i], s);
}

static size_t scratch_len(char kind, int r)
{
	switch (kind) {
	case 'S': return sizeof(struct stat);
	case 'T': return sizeof(struct statfs);
	case 'w': return sizeof(int);
	case 'x': return sizeof(siginfo_t);
	case 'G': return sizeof(struct sys_passwd);
	case 'q': return sizeof(uint64_t);
	case 'k': return sizeof(sigset_t);
	case 'c': return sizeof(struct sys_child);
	case 'R': return sizeof(struct sys_child_report);
	case 'J': return (size_t)r * sizeof(pid_t);
	default: return (size_t)r; /* 'b': proc_read and cg_read add a NUL */
	}
}

static void scratch_copy_out(const struct sys_call *to, const struct sys_call *from, int r)
{
	const char *k = strchr(sys_op_kinds[to->op], ':') + 1;
	bool nul = to->op == SYS_OP_proc_read || to->op == SYS_OP_cg_read;

	for (int i = 0; i < to->nargs; i++) {
		if (!to->a[i].p || !scratch_out(k, i) || (k[i] == 'R') != (r < 0))
			continue;
		/* waitpid with WNOHANG and nothing to reap writes no status. */
		if (k[i] == 'w' && r == 0)
			continue;
		memcpy(ARG_OUT(to, i), from->a[i].p, scratch_len(k[i], r) + (k[i] == 'b' && nul));
	}
}

static void trace_call(struct fake *f, const struct sys_call *call, int r, bool injected)
{
	char prefix[32] = "";

	/* strace -f marks the lines of other processes with their pid. */
	if (f->cur != f->procs[0])
		snprintf(prefix, sizeof(prefix), "[pid %d] ", (int)f->cur->nr[0]);
	sys_trace_set_prefix(f->trace, prefix);
	sys_trace_record(f->trace, call, r, injected);
	sys_trace_set_prefix(f->trace, "");
}

/* fake_crash_at(): the supervisor dies here; the handler runs in its successor. */
static void crash(struct fake *f, const struct sys_call *call, bool after)
{
	fake_crash_fn fn = f->crash_fn;

	char *note = mcz_xasprintf("--- crash %s %s (supervisor call %lu) ---",
				   after ? "after" : "before", sys_op_names[call->op], f->sup_calls);

	sys_trace_note(f->trace, note);
	free(note);
	f->crash_at = 0;
	f->crash_fn = NULL;
	fake_supervisor_dies(f);
	fn(f, f->crash_arg);
	abort(); /* the handler must not return: the code that crashed cannot go on */
}

static int fake_dispatch(struct fake *f, const struct sys_call *call)
{
	struct sys_call c = *call;
	struct scratch s = { .buf = NULL };
	struct fault flt;
	int r = 0;

	f->calls++;
	if (f->cur == f->procs[0] && ++f->sup_calls == f->crash_at && !f->crash_after)
		crash(f, call, false);
	scratch_redirect(&c, &s);
	flt = fake_fault_decide(f, call);
	if (!flt.fire || flt.after)
		r = models[c.op](f, &c);
	if (flt.fire) {
		/* The caller never learns an fd (or a child) that an after-effect fault
		 * swallowed. */
		if (r >= 0 && sys_op_kinds[c.op][0] == 'f')
			fake_fd_close(f, r);
		if (r > 0 && c.op == SYS_OP_spawn)
			fake_spawn_undo(f, r, &s.child);
		if (!flt.after && c.op == SYS_OP_release)
			fake_release_refused(f, (struct sys_child *)call->a[0].p);
		r = -flt.err;
	} else {
		scratch_copy_out(call, &c, r);
	}
	trace_call(f, call, r, flt.fire);
	free(s.buf);
	free(s.pids);
	if (f->crash_at && f->cur == f->procs[0] && f->sup_calls == f->crash_at && f->crash_after)
		crash(f, call, true);
	if (f->cur == f->procs[0])
		fake_proc_sweep(f);
	return r;
}

#define SYS_X_FAKE(name, area, kinds, err, verb, params, args)                                  \
	static int fake_op_##name(SYS_S_PARAMS params)                            \
	{                                                                                       \
		struct sys_call c;                                                              \
                                                                                                \
		sys_call_pack(&c, SYS_OP_##name SYS_COMMA_ARGS args);                             \
		return fake_dispatch(s->priv, &c);                                              \
	}
SYS_OPS(SYS_X_FAKE)
#undef SYS_X_FAKE

static const struct sys_ops fake_ops = {
#define SYS_X_OP(name, area, kinds, err, verb, params, args) .name = fake_op_##name,
	SYS_OPS(SYS_X_OP)
#undef SYS_X_OP
};

/* ---- life cycle and state ---- */

struct fake *fake_new(void)
{
	struct fake *f = mcz_xcalloc(1, sizeof(*f));
	struct fmount *root;

	f->sys.ops = &fake_ops;
	f->sys.priv = f;
	f->next_ino = 2; /* the root directory's inode on ext4 and tmpfs alike */
	f->root = fnode_new(f, FN_DIR, 0755, 0, 0);
	f->umask = 022;
	f->trace = sys_trace_new();
	f->last_op = -1;
	f->next_mnt_id = 20;
	/* The root mount: never unmounted, flags 0, shown in snapshots only once changed. */
	root = fmount_add(f, (struct loc){ .n = NULL, .m = NULL }, f->root, 0, "/");
	root->fstype = mcz_xstrdup("ext4");
	root->dev = ++f->next_dev;
	fake_proc_init(f);
	return f;
}

struct fake *fake_free(struct fake *f)
{
	if (!f)
		return NULL;
	fake_proc_free(f);
	fake_cgroup_free(f);
	fnode_free_all(f);
	for (size_t i = 0; i < f->nanons; i++)
		fmntns_free(f->anons[i]);
	free(f->anons);
	fake_faults_free(f);
	sys_trace_free(f->trace);
	free(f);
	return NULL;
}

struct sys *fake_sys(struct fake *f)
{
	return &f->sys;
}

int fake_open_fds(const struct fake *f)
{
	const struct ffd *fds = f->procs[0]->fds;
	int n = 0;

	for (int i = 0; fds && i < FAKE_MAX_FDS; i++)
		n += fds[i].used;
	return n;
}

const char *fake_trace(const struct fake *f)
{
	return sys_trace_text(f->trace);
}

/* Descriptors opened before the clear are still open: keep printing their paths. */
void fake_trace_clear(struct fake *f)
{
	sys_trace_clear_lines(f->trace);
}

unsigned long fake_calls(const struct fake *f)
{
	return f->calls;
}

void fake_crash_at(struct fake *f, unsigned long n, bool after, fake_crash_fn handler, void *arg)
{
	f->crash_at = n ? f->sup_calls + n : 0;
	f->crash_after = after;
	f->crash_fn = handler;
	f->crash_arg = arg;
}

unsigned long fake_supervisor_calls(const struct fake *f)
{
	return f->sup_calls;
}
