/*
 * fake_impl.h — the fake's insides, shared by the fakes/ sources only.
 *
 * fake_fs.c     the model: nodes, mounts, path walk, world building, snapshots
 * fake_ops.c    one model handler per op, the fd table, the dispatcher generated from SYS_OPS
 * fake_faults.c rules, the countdown, fake_fault_hit()
 */
#ifndef MCZ_FAKES_FAKE_IMPL_H
#define MCZ_FAKES_FAKE_IMPL_H

#include <limits.h>

#include "fakes/fake.h"
#include "sys/trace.h"

#define FAKE_MAXSYMLINKS 40 /* path_resolution(7): ELOOP after 40 links */
#define FAKE_MAX_FDS 1024   /* EMFILE beyond, the usual RLIMIT_NOFILE soft limit */

/* The per-mount flags mount(2) keeps on a vfsmount (the rest act on the superblock). */
#define FAKE_MNT_FLAGS                                                                          \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME)
#define FAKE_ATIME_FLAGS (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)
#define FAKE_PROP_FLAGS (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

enum fnode_kind { FN_DIR, FN_REG, FN_LNK };

struct fnode {
	enum fnode_kind kind;
	mode_t mode; /* the 12 permission bits only */
	uid_t uid;
	gid_t gid;
	unsigned long ino;
	char *name;
	struct fnode *parent; /* NULL for "/" and for unlinked nodes */
	struct fnode **kids;  /* directories: sorted by name */
	size_t nkids;
	size_t kcap;
	char *target;           /* symlinks */
	bool dead;              /* unlinked, kept alive by an fd or a mount */
	struct fnode *next_dead;
};

/* A vfsmount: a tree (root) attached at a dentry (mountpoint) of its parent mount. */
struct fmount {
	struct fmount *parent; /* NULL: the root mount, or detached */
	struct fnode *mountpoint;
	struct fnode *root;
	unsigned long flags; /* FAKE_MNT_FLAGS bits */
	unsigned long prop;  /* one of FAKE_PROP_FLAGS */
	bool bind;
	bool attached;
	char *source;
};

/* Where a lookup stands: the kernel's struct path (vfsmount, dentry). */
struct loc {
	struct fnode *n;
	struct fmount *m;
};

struct ffd {
	bool used;
	bool opath;
	int flags;
	struct loc loc;
	char *path;
};

struct frule {
	int op;
	char *glob;
	int err;
	bool once;
	bool spent;
};

struct fake {
	struct sys sys;
	struct fnode *root;
	struct fnode *dead; /* unlinked nodes, freed with the fake */
	unsigned long next_ino;
	mode_t umask;
	struct fmount **mounts; /* [0] is the root mount; detached ones stay until fake_free */
	size_t nmounts;
	size_t mcap;
	struct ffd fds[FAKE_MAX_FDS];
	struct sys_trace *trace;
	unsigned long calls;

	struct frule *rules;
	size_t nrules;
	unsigned long countdown; /* calls until the armed fault; 0 = disarmed */
	enum fake_fault_mode mode;
	int fail_err;
	bool failing; /* a PERSISTENT fault has fired */
	unsigned long injected;
	int last_op;
	int last_err;
	/* Processes (a pid table for clone/waitpid/kill) and the cgroup tree slot in here. */
};

/* What one call's fault decision is. */
struct fault {
	bool fire;
	bool after; /* run the model first (FAKE_AFTER, and always for close) */
	int err;    /* positive */
};

/* How a lookup may stop: the kernel's LAST_* types, plus a /proc/self/fd/N magic link. */
enum last_type { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT, LAST_MAGIC };

struct last {
	struct loc dir; /* the directory holding the last component */
	char name[NAME_MAX + 1];
	enum last_type type;
	bool slash;       /* the path ended in '/' */
	struct loc magic; /* LAST_MAGIC: the fd's location */
};

#define LOOKUP_FOLLOW 0x1 /* follow a final symlink */
#define LOOKUP_EMPTY 0x2  /* "" means the dirfd itself (AT_EMPTY_PATH) */

/* fake_fs.c */
struct fnode *fnode_new(struct fake *f, enum fnode_kind kind, mode_t mode, uid_t uid, gid_t gid);
void fnode_attach(struct fnode *dir, struct fnode *n, const char *name);
void fnode_unlink(struct fake *f, struct fnode *n);
struct fnode *fnode_child(const struct fnode *dir, const char *name);
void fnode_free_all(struct fake *f);
void fnode_stat(const struct fnode *n, struct stat *st);
bool fnode_is_mountpoint(const struct fake *f, const struct fnode *n);
struct fmount *fmount_add(struct fake *f, struct loc at, struct fnode *root, unsigned long flags,
			  const char *source);
int fake_lookup(struct fake *f, int dirfd, const char *path, unsigned int how, uint64_t resolve,
		struct loc *ret);
int fake_lookup_last(struct fake *f, int dirfd, const char *path, unsigned int how,
		     uint64_t resolve, struct last *ret);
int fake_last_child(struct fake *f, const struct last *lk, struct loc *ret);
void fmount_clone_tree(struct fake *f, struct loc src, struct fmount *dst, size_t limit);
int fake_cross_mounts(struct fake *f, struct loc *l, uint64_t resolve);
char *loc_path(const struct loc *l);
struct loc fake_root_loc(const struct fake *f);

/* fake_ops.c */
struct ffd *fake_fd(struct fake *f, int fd); /* an open fd or NULL */
int fake_fd_close(struct fake *f, int fd);

/* fake_faults.c */
struct fault fake_fault_decide(struct fake *f, const struct sys_call *c);
void fake_faults_free(struct fake *f);

#endif
