/*
 * volume.c — the filesystem/shared isolator's host side: check volumes, create relative host
 * paths under the sandbox, copy permissions, and return the mount plan (SPEC §5).
 *
 * Two phases. The check phase only reads and rejects bad input before anything is created;
 * it resolves the container path and an absolute host path without following any symlink
 * (openat2 RESOLVE_NO_SYMLINKS, or an O_NOFOLLOW walk from "/"), refuses a symlink there,
 * and records what it found (dev/ino) for the child to mount exactly that (SPEC §11).
 * After the create phase, each checked source is cloned into a detached mount tree
 * (open_tree), made read-only there for an RO volume (mount_setattr), and handed to the
 * child in the plan, which attaches it on the re-checked target (move_mount; core/child.c). The create phase walks every relative host path one component at a time from the
 * sandbox with O_NOFOLLOW, because the sandbox is writable by earlier runs of the command: a
 * symlink planted there must never make mcz create, chmod or chown anything outside it. Every
 * change is registered in an undo log *before* it is attempted (so a call that takes effect
 * and still reports failure cannot leak), and a failure pops the log in reverse.
 */
#include <stdio.h>
#include <string.h>

#include "core/base/path.h"
#include "lib/util.h"
#include "core/isolators/volume.h"

#define SYMLINK_REFUSED "'%s' is a symlink: links are not followed inside the sandbox"
#define SYMLINK_ON_PATH "%s '%s' is a symlink or goes through one: links are not followed there"

/* What the check phase learned about one volume, for the create phase. */
struct volume_facts {
	char *container_path; /* normalized */
	char *host_rel;       /* normalized relative host path, or NULL when absolute */
	bool is_dir;          /* kind of the host's container_path */
	struct stat cp_st;    /* mode/uid/gid to copy onto a relative host path; dev/ino checked */
	unsigned long locked; /* MS_* flags locked on the source mount (RO volumes) */
	int src_fd;           /* absolute host path: the checked O_PATH fd; -1 otherwise */
	struct stat src_st;   /* the checked source (its dev/ino go to the plan) */
	int tree_fd;          /* the detached copy of the source (open_tree); -1: none */
	bool ro_done;         /* the tree is read-only already (mount_setattr on it) */
};

enum undo_type {
	UNDO_RMDIR,   /* unlinkat(dirfd, name, AT_REMOVEDIR): a directory we may have made */
	UNDO_UNLINK,  /* unlinkat(dirfd, name, 0): a file we may have made */
	UNDO_RESTORE, /* fchown+fchmod(fd) back: an existing leaf whose attributes we change */
};

struct undo {
	enum undo_type type;
	int dirfd;        /* borrowed from the prepare's fd list */
	char *name;
	char *path;       /* for messages only */
	int fd;           /* UNDO_RESTORE */
	uid_t uid;
	gid_t gid;
	mode_t mode;
};

struct prepare_ctx {
	struct sys *s;
	const char *sandbox;
	struct volume_facts *facts;
	size_t n_facts;
	int *fds; /* every fd opened during prepare; closed at the end */
	size_t n_fds;
	struct undo *undo;
	size_t n_undo;
};

/* ---- pure path checks ---- */

/* Copy of p without one trailing '/' (but "/" stays "/"). */
static char *strip_trailing_slash(const char *p)
{
	char *q = mcz_xstrdup(p);
	size_t len = strlen(q);

	if (len > 1 && q[len - 1] == '/')
		q[len - 1] = '\0';
	return q;
}

/* a equals b or is an ancestor of b, by path components: /tmp contains /tmp/x, not /tmpfoo. */
static bool path_contains(const char *a, const char *b)
{
	size_t la = strlen(a);

	return strncmp(a, b, la) == 0 && (b[la] == '\0' || b[la] == '/');
}

static int check_container_path(const char *given, char **ret_norm, struct mcz_error *err)
{
	char *p;

	if (given[0] != '/')
		return mcz_error_fmt(err, -EINVAL, "container path '%s' must be absolute", given);
	p = strip_trailing_slash(given);
	if (strcmp(p, "/") == 0) {
		free(p);
		return mcz_error_fmt(err, -EINVAL, "container path must not be '/'");
	}
	if (!mcz_path_is_normal(p)) {
		free(p);
		return mcz_error_fmt(err, -EINVAL,
				     "container path '%s' must be normal (no '.', '..' or empty components)",
				     given);
	}
	*ret_norm = p;
	return 0;
}

static int check_relative_host_path(const char *given, char **ret_norm, struct mcz_error *err)
{
	char *p = strip_trailing_slash(given);

	if (p[0] == '\0' || !mcz_path_is_normal(p)) {
		free(p);
		return mcz_error_fmt(err, -EINVAL,
				     "relative host path '%s' must not be empty or contain '.', '..' or "
				     "empty components",
				     given);
	}
	*ret_norm = p;
	return 0;
}

static const char *kind_name(bool is_dir)
{
	return is_dir ? "a directory" : "not a directory";
}

/* Open an absolute path the checks name without following any symlink; ENOENT and ELOOP
 * become readable messages. Returns the O_PATH fd with *ret_st filled. */
static int open_checked(struct sys *s, const char *what, const char *path, struct stat *ret_st,
			struct mcz_error *err)
{
	enum sys_op op;
	int fd = mcz_open_no_symlinks(s, path, &op), r;

	if (fd == -ENOENT)
		return mcz_error_sys_msg(err, fd, op, path, "%s '%s' does not exist on the host", what,
					 path);
	if (fd == -ELOOP)
		return mcz_error_sys_msg(err, fd, op, path, SYMLINK_ON_PATH, what, path);
	if (fd < 0)
		return mcz_error_sys(err, fd, op, path);
	r = sys_fstat(s, fd, ret_st);
	if (r < 0) {
		(void)sys_close(s, fd);
		return mcz_error_sys(err, r, SYS_OP_fstat, path);
	}
	return fd;
}

/* Check 5: against the sandbox and every earlier volume. */
static int check_nesting(const char *sandbox, const struct volume_facts *facts, size_t i,
			 struct mcz_error *err)
{
	const char *cp = facts[i].container_path;

	if (path_contains(cp, sandbox))
		return mcz_error_fmt(err, -EINVAL, "container path '%s' contains the sandbox '%s'", cp,
				     sandbox);
	if (path_contains(sandbox, cp))
		return mcz_error_fmt(err, -EINVAL, "container path '%s' is inside the sandbox '%s'", cp,
				     sandbox);
	for (size_t j = 0; j < i; j++) {
		const char *other = facts[j].container_path;

		if (strcmp(other, cp) == 0)
			return mcz_error_fmt(err, -EINVAL, "container path '%s' is used by another volume",
					     cp);
		if (path_contains(other, cp) || path_contains(cp, other))
			return mcz_error_fmt(err, -EINVAL,
					     "container path '%s' and volume '%s' are nested", cp, other);
	}
	return 0;
}

/* SPEC §5 checks 1–5 for volume i. Fills facts[i]. */
static int check_volume(struct sys *s, const char *sandbox, const struct mcz_volume *v,
			struct volume_facts *facts, size_t i, struct mcz_error *err)
{
	struct volume_facts *f = &facts[i];
	struct stat hp_st;
	int r;

	r = check_container_path(v->container_path, &f->container_path, err);
	if (r < 0)
		return r;
	/* Only its dev/ino are kept: the child resolves it again in its own namespace. */
	r = open_checked(s, "container path", f->container_path, &f->cp_st, err);
	if (r < 0)
		return r;
	(void)sys_close(s, r);
	f->is_dir = S_ISDIR(f->cp_st.st_mode);
	if (!v->host_path)
		return mcz_error_fmt(err, -EINVAL, "host path is required by filesystem/shared");
	if (v->host_path[0] != '/') {
		r = check_relative_host_path(v->host_path, &f->host_rel, err);
		if (r < 0)
			return r;
	} else {
		/* The operator's path, but whoever owns a directory on it could swap in a symlink:
		 * refused like one on a container path, and kept open for the bind. */
		r = open_checked(s, "host path", v->host_path, &hp_st, err);
		if (r < 0)
			return r;
		f->src_fd = r;
		f->src_st = hp_st;
		if (S_ISDIR(hp_st.st_mode) != f->is_dir)
			return mcz_error_fmt(err, -EINVAL, "host path '%s' is %s but container path '%s' is %s",
					     v->host_path, kind_name(S_ISDIR(hp_st.st_mode)),
					     f->container_path, kind_name(f->is_dir));
	}
	return check_nesting(sandbox, facts, i, err);
}

static int check_sandbox(const char *sandbox, struct mcz_error *err)
{
	if (sandbox[0] != '/' || strcmp(sandbox, "/") == 0 || !mcz_path_is_normal(sandbox))
		return mcz_error_fmt(err, -EINVAL,
				     "sandbox '%s' must be a normal absolute path other than '/'", sandbox);
	return 0;
}

static void facts_free(struct sys *s, struct volume_facts *facts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(facts[i].container_path);
		free(facts[i].host_rel);
		/* O_PATH fds and unattached trees: a failed close changes nothing. */
		if (facts[i].tree_fd >= 0)
			(void)sys_close(s, facts[i].tree_fd);
		if (facts[i].src_fd >= 0)
			(void)sys_close(s, facts[i].src_fd);
	}
	free(facts);
}

/* Runs the checks and returns the facts (caller frees with facts_free). */
static int check_all(struct sys *s, const char *sandbox, const struct mcz_volume *vols, size_t n,
		     struct volume_facts **ret_facts, struct mcz_error *err)
{
	struct volume_facts *facts = mcz_xcalloc(n, sizeof(*facts));
	int r = check_sandbox(sandbox, err);

	for (size_t i = 0; i < n; i++)
		facts[i].src_fd = facts[i].tree_fd = -1;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		r = check_volume(s, sandbox, &vols[i], facts, i, err);
		if (r < 0)
			mcz_error_wrap(err, "volume '%s'", vols[i].container_path);
	}
	if (r < 0) {
		facts_free(s, facts, n);
		return r;
	}
	*ret_facts = facts;
	return 0;
}

int mcz_volumes_check(struct sys *s, const char *sandbox, struct mcz_volume *vols, size_t n,
		      struct mcz_error *err)
{
	struct volume_facts *facts;
	int r = check_all(s, sandbox, vols, n, &facts, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		free(vols[i].container_path);
		vols[i].container_path = TAKE_PTR(facts[i].container_path);
	}
	facts_free(s, facts, n);
	return 0;
}

/* ---- the create phase ---- */

static void remember_fd(struct prepare_ctx *c, int fd)
{
	c->fds = mcz_xrealloc(c->fds, (c->n_fds + 1) * sizeof(*c->fds));
	c->fds[c->n_fds++] = fd;
}

static struct undo *undo_push(struct prepare_ctx *c, enum undo_type type, int dirfd,
			      const char *name, const char *path)
{
	struct undo *u;

	c->undo = mcz_xrealloc(c->undo, (c->n_undo + 1) * sizeof(*c->undo));
	u = &c->undo[c->n_undo++];
	*u = (struct undo){ .type = type, .dirfd = dirfd, .name = mcz_xstrdup(name),
			    .path = mcz_xstrdup(path), .fd = -1 };
	return u;
}

/* Forget the newest entry: the thing it would undo existed before prepare. */
static void undo_drop_last(struct prepare_ctx *c)
{
	struct undo *u = &c->undo[--c->n_undo];

	free(u->name);
	free(u->path);
}

/* Best effort, newest first. Errors here cannot be reported better than the failure that
 * caused the unwinding, so they are ignored; "already gone" (ENOENT) is the expected case
 * for entries whose action never took effect. */
static void undo_run(struct prepare_ctx *c)
{
	while (c->n_undo > 0) {
		struct undo *u = &c->undo[c->n_undo - 1];

		switch (u->type) {
		case UNDO_RMDIR:
			(void)sys_unlinkat(c->s, u->dirfd, u->name, AT_REMOVEDIR);
			break;
		case UNDO_UNLINK:
			(void)sys_unlinkat(c->s, u->dirfd, u->name, 0);
			break;
		case UNDO_RESTORE:
			(void)sys_fchown(c->s, u->fd, u->uid, u->gid);
			(void)sys_fchmod(c->s, u->fd, u->mode);
			break;
		}
		undo_drop_last(c);
	}
}

static void prepare_ctx_done(struct prepare_ctx *c)
{
	while (c->n_undo > 0)
		undo_drop_last(c);
	free(c->undo);
	/* close(2) releases the fd even when it reports an error; nothing to retry. */
	for (size_t i = c->n_fds; i > 0; i--)
		(void)sys_close(c->s, c->fds[i - 1]);
	free(c->fds);
	facts_free(c->s, c->facts, c->n_facts);
}

/* Open name below dirfd without following a symlink there. ELOOP is the planted-symlink case. */
static int open_nofollow(struct prepare_ctx *c, int dirfd, const char *name, int flags,
			 const char *path, struct mcz_error *err)
{
	int fd = sys_openat(c->s, dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0);

	if (fd == -ELOOP)
		return mcz_error_sys_msg(err, fd, SYS_OP_openat, path,
					 SYMLINK_REFUSED, path);
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, path);
	remember_fd(c, fd);
	return fd;
}

/* Whether name exists below dirfd, without following a symlink; a symlink is refused here,
 * where it is found (open with O_DIRECTORY|O_NOFOLLOW would only say "Not a directory").
 * Probing first is also what makes the undo log safe: an entry is registered only for a path
 * that did not exist, so unwinding never removes something an earlier run left there,
 * whatever a failed create call did. */
static int probe(struct prepare_ctx *c, int dirfd, const char *name, const char *path,
		 bool *ret_exists, struct mcz_error *err)
{
	struct stat st;
	int r = sys_fstatat(c->s, dirfd, name, &st, AT_SYMLINK_NOFOLLOW);

	if (r < 0 && r != -ENOENT)
		return mcz_error_sys(err, r, SYS_OP_fstatat, path);
	if (r == 0 && S_ISLNK(st.st_mode))
		return mcz_error_sys_msg(err, -ELOOP, SYS_OP_fstatat, path, SYMLINK_REFUSED, path);
	*ret_exists = r == 0;
	return 0;
}

/* mkdir unless it exists. The undo entry is pushed before mkdirat, so a call that takes
 * effect and still reports failure is undone too; EEXIST then means another process made it
 * between probe and mkdir, and it is kept. */
static int make_dir(struct prepare_ctx *c, int dirfd, const char *name, mode_t mode,
		    const char *path, bool *ret_existed, struct mcz_error *err)
{
	int r = probe(c, dirfd, name, path, ret_existed, err);

	if (r < 0 || *ret_existed)
		return r;
	undo_push(c, UNDO_RMDIR, dirfd, name, path);
	r = sys_mkdirat(c->s, dirfd, name, mode);
	*ret_existed = r == -EEXIST;
	if (r == -EEXIST)
		undo_drop_last(c);
	else if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_mkdirat, path);
	return 0;
}

/* Create (or reuse) the leaf as a regular file; returns an fd on it. */
static int make_file(struct prepare_ctx *c, int dirfd, const char *name, const char *path,
		     bool *ret_existed, struct mcz_error *err)
{
	int fd = probe(c, dirfd, name, path, ret_existed, err);

	if (fd < 0)
		return fd;
	if (!*ret_existed) {
		undo_push(c, UNDO_UNLINK, dirfd, name, path);
		fd = sys_openat(c->s, dirfd, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				0600);
		*ret_existed = fd == -EEXIST;
		if (fd >= 0) {
			remember_fd(c, fd);
			return fd;
		}
		if (fd != -EEXIST)
			return mcz_error_sys(err, fd, SYS_OP_openat, path);
		undo_drop_last(c);
	}
	/* O_NONBLOCK: an existing leaf might be a FIFO planted by the command. */
	return open_nofollow(c, dirfd, name, O_RDONLY | O_NONBLOCK, path, err);
}

static int make_leaf(struct prepare_ctx *c, int dirfd, const char *name, bool is_dir,
		     const char *path, bool *ret_existed, struct mcz_error *err)
{
	int r;

	if (!is_dir)
		return make_file(c, dirfd, name, path, ret_existed, err);
	/* 0700 until chown+chmod give it the container path's attributes. */
	r = make_dir(c, dirfd, name, 0700, path, ret_existed, err);
	if (r < 0)
		return r;
	return open_nofollow(c, dirfd, name, O_RDONLY | O_DIRECTORY, path, err);
}

/* Give the leaf the host container path's owner and mode. A directory gets all 12 bits
 * (setgid there only makes new files inherit its group, sticky only restricts removal:
 * neither is a privilege; chown comes first so that chmod has the last word). A file gets
 * the permission bits only: its content is the container's (and earlier runs'), so setuid
 * and setgid would be a privilege the container chooses the code of (SPEC §11); sticky
 * means nothing on a Linux file and is dropped with them. */
static int copy_attributes(struct prepare_ctx *c, int fd, bool existed, const struct stat *leaf_st,
			   const struct stat *from, const char *path, struct mcz_error *err)
{
	mode_t mode = from->st_mode & (S_ISDIR(from->st_mode) ? 07777 : 0777);
	int r;

	if (existed) {
		struct undo *u = undo_push(c, UNDO_RESTORE, -1, "", path);

		u->fd = fd;
		u->uid = leaf_st->st_uid;
		u->gid = leaf_st->st_gid;
		u->mode = leaf_st->st_mode & 07777;
	}
	r = sys_fchown(c->s, fd, from->st_uid, from->st_gid);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_fchown, path);
	r = sys_fchmod(c->s, fd, mode);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_fchmod, path);
	return 0;
}

static unsigned long locked_mount_flags(const struct statfs *sf)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ ST_NOSUID, MS_NOSUID },	{ ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC },	{ ST_NOATIME, MS_NOATIME },
		{ ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	unsigned long ms = 0;

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(map); i++)
		if ((unsigned long)sf->f_flags & map[i].st)
			ms |= map[i].ms;
	return ms;
}

/* A read-only remount must keep nosuid/nodev/noexec/atime flags that the source mount has,
 * or the kernel refuses it (EPERM) when those flags are locked. */
static int read_locked_flags(struct prepare_ctx *c, int fd, const char *path,
			     unsigned long *ret_flags, struct mcz_error *err)
{
	struct statfs sf;
	int r = sys_fstatfs(c->s, fd, &sf);

	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_fstatfs, path);
	*ret_flags = locked_mount_flags(&sf);
	return 0;
}

/* The bind source the child mounts: a detached copy of the checked source's mount tree,
 * read-only already for an RO volume, so that nothing is looked up by name again. Where
 * open_tree is missing (ENOSYS, before Linux 5.2) there is no tree: the child opens the
 * source by name and binds it only if it is the inode checked here. Where mount_setattr is
 * missing (5.2–5.11) the child remounts the attached tree read-only through its fd. */
static int make_tree(struct prepare_ctx *c, int src_fd, const char *path, const struct mcz_volume *v,
		     struct volume_facts *f, struct mcz_error *err)
{
	int fd = sys_open_tree(c->s, src_fd, "",
			       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	int r;

	if (fd == -ENOSYS)
		return 0;
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_open_tree, path);
	f->tree_fd = fd;
	if (v->mode != MCZ_VOLUME_RO)
		return 0;
	r = sys_mount_setattr(c->s, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0);
	if (r == -ENOSYS)
		return 0;
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_mount_setattr, path);
	f->ro_done = true;
	return 0;
}

/* Walk host_rel below the sandbox, creating what is missing; leaves the leaf attributes set. */
static int create_relative(struct prepare_ctx *c, int sandbox_fd, const struct mcz_volume *v,
			   struct volume_facts *f, struct mcz_error *err)
{
	_cleanup_free_ char *walk = mcz_xstrdup(f->host_rel);
	_cleanup_free_ char *path = NULL;
	struct stat leaf_st;
	char *comp = walk, *slash;
	int dirfd = sandbox_fd, fd, r;
	bool existed;

	while ((slash = strchr(comp, '/'))) {
		*slash = '\0';
		free(path);
		path = mcz_xasprintf("%s/%.*s", c->sandbox, (int)(slash - walk), f->host_rel);
		r = make_dir(c, dirfd, comp, 0755, path, &existed, err);
		if (r < 0)
			return r;
		dirfd = open_nofollow(c, dirfd, comp, O_RDONLY | O_DIRECTORY, path, err);
		if (dirfd < 0)
			return dirfd;
		comp = slash + 1;
	}
	free(path);
	path = mcz_xasprintf("%s/%s", c->sandbox, f->host_rel);
	fd = make_leaf(c, dirfd, comp, f->is_dir, path, &existed, err);
	if (fd < 0)
		return fd;
	r = sys_fstat(c->s, fd, &leaf_st);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_fstat, path);
	if (f->is_dir ? !S_ISDIR(leaf_st.st_mode) : !S_ISREG(leaf_st.st_mode))
		return mcz_error_fmt(err, -EINVAL, "host path '%s' exists and is not %s", path,
				     f->is_dir ? "a directory" : "a regular file");
	/* Before any change: another name of the same inode may be a host file (a hard link
	 * an earlier run made), which chown and chmod would change. */
	if (!f->is_dir && leaf_st.st_nlink > 1)
		return mcz_error_fmt(err, -EMLINK,
				     "host path '%s' has %lu links: a file with more than one link is "
				     "refused (another may be a host file)",
				     path, (unsigned long)leaf_st.st_nlink);
	f->src_st = leaf_st;
	r = copy_attributes(c, fd, existed, &leaf_st, &f->cp_st, path, err);
	if (r < 0)
		return r;
	if (v->mode == MCZ_VOLUME_RO)
		r = read_locked_flags(c, fd, path, &f->locked, err);
	if (r < 0)
		return r;
	return make_tree(c, fd, path, v, f, err);
}

/* The fd the checks opened (no symlink followed) is the source. */
static int inspect_absolute(struct prepare_ctx *c, const struct mcz_volume *v, struct volume_facts *f,
			    struct mcz_error *err)
{
	int r = 0;

	if (v->mode == MCZ_VOLUME_RO)
		r = read_locked_flags(c, f->src_fd, v->host_path, &f->locked, err);
	if (r < 0)
		return r;
	return make_tree(c, f->src_fd, v->host_path, v, f, err);
}

/* The sandbox path itself is the operator's; only what lies below it is suspect. Opened once,
 * for the first relative volume. */
static int open_sandbox(struct prepare_ctx *c, int *sandbox_fd, struct mcz_error *err)
{
	int fd;

	if (*sandbox_fd >= 0)
		return *sandbox_fd;
	fd = sys_openat(c->s, AT_FDCWD, c->sandbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, c->sandbox);
	remember_fd(c, fd);
	return *sandbox_fd = fd;
}

static int create_all(struct prepare_ctx *c, const struct mcz_volume *vols, struct mcz_error *err)
{
	int sandbox_fd = -1, r = 0;

	for (size_t i = 0; r >= 0 && i < c->n_facts; i++) {
		if (c->facts[i].host_rel) {
			r = open_sandbox(c, &sandbox_fd, err);
			if (r >= 0)
				r = create_relative(c, sandbox_fd, &vols[i], &c->facts[i], err);
		} else
			r = inspect_absolute(c, &vols[i], &c->facts[i], err);
		if (r < 0)
			mcz_error_wrap(err, "volume '%s'", vols[i].container_path);
	}
	return r;
}

/* The steps take over the trees (mount_plan.h says what the child does with them). */
static void build_plan(const struct prepare_ctx *c, const struct mcz_volume *vols,
		       struct mcz_mount_plan *plan)
{
	/* Slave, not private: host mounts still propagate in, nothing propagates out. */
	mcz_mount_plan_add(plan, MCZ_STEP_MAKE_RSLAVE, NULL, "/", MS_REC | MS_SLAVE);
	for (size_t i = 0; i < c->n_facts; i++) {
		struct volume_facts *f = &c->facts[i];
		_cleanup_free_ char *src = f->host_rel ? mcz_xasprintf("%s/%s", c->sandbox, f->host_rel)
						       : mcz_xstrdup(vols[i].host_path);
		bool ro = vols[i].mode == MCZ_VOLUME_RO;
		unsigned long ro_flags = MS_REMOUNT | MS_BIND | MS_RDONLY | f->locked;
		struct mcz_mount_step bind = {
			.type = MCZ_STEP_BIND, .source = src, .target = f->container_path,
			.flags = MS_BIND | MS_REC, .verified = true, .fd = f->tree_fd, .ro = ro,
			.ro_done = f->ro_done, .ro_flags = ro_flags,
			.src_dev = f->src_st.st_dev, .src_ino = f->src_st.st_ino,
			.dst_dev = f->cp_st.st_dev, .dst_ino = f->cp_st.st_ino,
		};
		struct mcz_mount_step remount = { .type = MCZ_STEP_REMOUNT_RO, .target = f->container_path,
						  .flags = ro_flags, .verified = true, .fd = -1 };

		mcz_mount_plan_add_step(plan, &bind, c->s);
		f->tree_fd = -1; /* the plan's now */
		if (ro)
			mcz_mount_plan_add_step(plan, &remount, c->s);
	}
}

int mcz_shared_prepare(struct sys *s, const char *sandbox, struct mcz_volume *vols, size_t n,
		       struct mcz_mount_plan *ret_plan, struct mcz_error *err)
{
	struct prepare_ctx c = { .s = s, .sandbox = sandbox, .n_facts = n };
	struct mcz_mount_plan plan = { 0 };
	int r;

	r = check_all(s, sandbox, vols, n, &c.facts, err);
	if (r < 0)
		return r;
	r = create_all(&c, vols, err);
	if (r < 0)
		undo_run(&c);
	else
		build_plan(&c, vols, &plan);
	prepare_ctx_done(&c);
	if (r < 0)
		return r;
	*ret_plan = plan;
	return 0;
}
