/*
 * fake_impl.h — the fake's insides, shared by the fakes/ sources only.
 *
 * fake_fs.c     the model: nodes, mounts, path walk, world building, snapshots
 * fake_ops.c    one model handler per op, the fd table, the dispatcher generated from SYS_OPS
 * fake_faults.c rules, the countdown, fake_fault_hit()
 * fake_files.c  the newer file ops: read, write, rename, flock, chdir, mount_setattr
 * fake_proc.c   processes, pid and mount namespaces, signals, the clock, programs, users
 * fake_cgroup.c the cgroup hierarchies and the generated /proc files
 * fake_cgroup2.c cgroup v2 controllers, their interface files, the no-internal-process rule
 */
#ifndef MCZ_FAKES_FAKE_IMPL_H
#define MCZ_FAKES_FAKE_IMPL_H

#include <limits.h>
#include <stdio.h>

#include "fakes/fake.h"
#include "sys/trace.h"

#define FAKE_MAXSYMLINKS 40 /* path_resolution(7): ELOOP after 40 links */
#define FAKE_MAX_GROUPS 16 /* supplementary groups a process remembers */
#define FAKE_MAX_FDS 1024   /* EMFILE beyond, the usual RLIMIT_NOFILE soft limit */

/* The per-mount flags mount(2) keeps on a vfsmount (the rest act on the superblock). */
#define FAKE_MNT_FLAGS                                                                          \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME)
#define FAKE_ATIME_FLAGS (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)
#define FAKE_PROP_FLAGS (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

enum fnode_kind { FN_DIR, FN_REG, FN_LNK, FN_FIFO /* pipe ends: only reachable through fds */ };

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
	char *data;             /* regular files: what write() put there */
	size_t size;
	bool dead;              /* unlinked, kept alive by an fd or a mount */
	unsigned int nlink;     /* regular files: the names it has (fake_set_nlink(): the others
				   are hard links the model does not show); 0 means 1 */
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
	char *fstype;        /* for mountinfo; NULL: inherited from the parent mount */
	char *super_opts;    /* mountinfo's super options after "rw": "freezer", ... or NULL */
	unsigned long id;    /* mountinfo's mount id */
	unsigned long dev;   /* the superblock: minor number of "0:N" */
	struct fpidns *nsfs; /* a bind mount of /proc/<pid>/ns/pid: the namespace it pins */
	struct fmntns *anon; /* a detached tree of open_tree(OPEN_TREE_CLONE) it is part of,
				until move_mount() attaches it; NULL otherwise */
};

/* A mount namespace: its mount table ([0] is its root mount). The current process's table
 * is swapped into struct fake's mounts/nmounts/mcap, where the file code looks. */
struct fmntns {
	unsigned int id; /* 0: the host's */
	struct fmount **mounts;
	size_t nmounts;
	size_t mcap;
};

/* Where a lookup stands: the kernel's struct path (vfsmount, dentry). */
struct loc {
	struct fnode *n;
	struct fmount *m;
};

struct ffd {
	bool used;
	bool opath;
	bool pipe;
	int flags;
	struct loc loc;
	char *path;
	size_t off;        /* the file offset */
	unsigned long ofd; /* the open file description: shared by fork copies */
	int lock;          /* flock(2) held through this description: 0, LOCK_SH, LOCK_EX */
	pid_t pidfd;       /* a pidfd: the process's host pid (pids are never reused here) */
};

#define FAKE_MAX_LEVELS 8 /* pid namespace depth; the kernel allows 32 */
#define FAKE_MAX_HIER 16  /* cgroup hierarchies */
#define FAKE_NSIG 65      /* signals 1..64 */

struct fpidns {
	unsigned int id; /* 0: the host's */
	unsigned long ino;
	struct fpidns *parent;
	int level;
	pid_t next_pid;
	bool dying; /* its init ended: no more processes (fork fails with ENOMEM) */
};

enum fproc_state {
	FP_BLOCKED, /* spawned, waiting for release() */
	FP_RUNNING, /* running mcz code (the current process) or a program */
	FP_ZOMBIE,  /* ended, not reaped */
	FP_GONE,    /* reaped: removed at the next sweep */
};

struct fsiginfo {
	pid_t pid; /* the sender, as the receiver sees it */
	int status;
	bool queued; /* sent by sigqueue(3): SI_QUEUE, with value */
	int value;
};

struct fcg;

struct fproc {
	pid_t nr[FAKE_MAX_LEVELS]; /* nr[l]: the pid in the level-l namespace of its chain */
	struct fpidns *pidns;
	struct fmntns *mntns;
	struct fproc *parent; /* NULL: host init's child (reaps at once, ppid 1) */
	pid_t sid, pgid;      /* host numbers */
	uid_t uid;
	gid_t gid;
	size_t ngroups;
	gid_t groups[FAKE_MAX_GROUPS]; /* the first FAKE_MAX_GROUPS of them */
	struct loc cwd;
	char comm[16];
	char *cmdline; /* argv joined with spaces */
	enum fproc_state state;
	int status;     /* the wait status once ended */
	bool execed;    /* runs a program, no longer mcz code */
	bool has_prog;
	struct fake_program prog;
	long long end_at;    /* when the program ends on its own; -1 never */
	long long remaining; /* while frozen: what was left of end_at */
	bool frozen;
	uint64_t pending;
	struct fsiginfo info[FAKE_NSIG];
	uint64_t blocked;
	struct ffd *fds; /* FAKE_MAX_FDS */
	struct fcg *cg[FAKE_MAX_HIER];
	struct sys_spawn_req req;
};

struct fcg_file {
	char *name;
	char *value;
};

struct fcg {
	char *name;
	struct fcg *parent;
	struct fcg **kids;
	size_t nkids;
	struct fcg_file *files;
	size_t nfiles;
	bool frozen; /* v1 freezer.state FROZEN, or v2 cgroup.freeze 1, set on this cgroup */
	unsigned int subtree; /* v2 cgroup.subtree_control: a mask of fake_cgroup2.c's controllers */
};

struct fhier {
	char *mount_point;
	char *options; /* "freezer", "cpu,cpuacct", "" for cgroup2 */
	int id;        /* /proc/self/cgroup's hierarchy id; 0 for cgroup2 */
	bool v2;
	bool freezer;
	unsigned int ctrls; /* v2: the controllers the hierarchy offers (the root's
			       cgroup.controllers), as fcg.subtree */
	struct fcg *root;
	struct fcg *own; /* the supervisor's cgroup when the world was built */
};

struct fprog {
	struct fnode *node;
	struct fake_program prog;
};

struct fsched {
	long long at;
	pid_t pid; /* host number */
	int sig;
	bool queued; /* fake_schedule_sigqueue() */
	int value;
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
	struct fmount **mounts; /* the current mount namespace's; [0] is its root mount;
				   detached ones stay until fake_free */
	size_t nmounts;
	size_t mcap;
	struct ffd *fds; /* the current process's table */
	unsigned long next_ofd;
	unsigned long next_mnt_id;
	unsigned long next_dev;
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

	struct fproc **procs; /* creation order; [0] is the supervisor */
	size_t nprocs;
	struct fproc *cur;
	struct fpidns **pidnss;
	size_t npidnss;
	struct fmntns **mntnss;
	size_t nmntnss;
	struct fmntns **anons; /* the detached trees of open_tree(): an anonymous namespace
				  each, never in a snapshot; freed with the fake */
	size_t nanons;
	struct fhier hier[FAKE_MAX_HIER];
	int nhier;
	struct fprog *progs;
	size_t nprogs;
	struct fsched *sched;
	size_t nsched;
	struct sys_passwd *users;
	size_t nusers;
	long long now; /* the clock, in ms */
	unsigned long sup_calls;  /* calls made as the supervisor (procs[0]) */
	unsigned long crash_at;   /* crash the supervisor at this one of them; 0: never */
	bool crash_after;
	fake_crash_fn crash_fn;
	void *crash_arg;
	struct fnode *pipe_node;
	struct fnode *nsfs_node;
	struct fmount *pipe_mnt;
	unsigned long next_pipe;
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

/* The lookup an *at() call's AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH flags ask for. */
static inline unsigned int at_lookup_how(int at_flags)
{
	return ((at_flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
	       ((at_flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0);
}

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

/* fake_ops.c: the fd table */
int fd_free_slot(const struct fake *f);
struct ffd *fd_table_new(void);
void fd_table_free(struct ffd *fds);

/* fake_files.c */
int model_read(struct fake *f, const struct sys_call *c);
int model_write(struct fake *f, const struct sys_call *c);
int model_renameat(struct fake *f, const struct sys_call *c);
int model_flock(struct fake *f, const struct sys_call *c);
int model_chdir(struct fake *f, const struct sys_call *c);
int model_mount_setattr(struct fake *f, const struct sys_call *c);
int model_listdir(struct fake *f, const struct sys_call *c);
bool fake_list_add(char *buf, size_t size, size_t *used, char type, const char *name);
bool mount_in_ns(const struct fake *f, const struct fmount *m);

/* fake_proc.c */
void fake_proc_init(struct fake *f);
void fake_proc_free(struct fake *f);
void fake_switch(struct fake *f, struct fproc *p); /* make p the current process */
struct fproc *fake_proc_find(struct fake *f, pid_t nr); /* as the current process sees nr */
pid_t fproc_nr(const struct fproc *p, const struct fpidns *viewer); /* 0 when invisible */
bool fproc_alive(const struct fproc *p);
void fproc_signal(struct fake *f, struct fproc *p, int sig, pid_t sender_host);
void fproc_refresh_frozen(struct fake *f);
void fake_proc_sweep(struct fake *f);
void fake_supervisor_dies(struct fake *f); /* the death and rebirth of fake_crash_at() */
void fake_dump_procs(FILE *fp, const struct fake *f);
int fake_pin_source(struct fake *f, const char *source, struct fpidns **ret);
int model_spawn(struct fake *f, const struct sys_call *c);
int model_release(struct fake *f, const struct sys_call *c);
int model_execve(struct fake *f, const struct sys_call *c);
int model_setsid(struct fake *f, const struct sys_call *c);
int model_setgroups(struct fake *f, const struct sys_call *c);
int model_geteuid(struct fake *f, const struct sys_call *c);
int model_pidfd_send_signal(struct fake *f, const struct sys_call *c);
int model_close_range(struct fake *f, const struct sys_call *c);
int model_dup2(struct fake *f, const struct sys_call *c);
int model_setgid(struct fake *f, const struct sys_call *c);
int model_setuid(struct fake *f, const struct sys_call *c);
int model_getpwnam(struct fake *f, const struct sys_call *c);
int model_kill(struct fake *f, const struct sys_call *c);
int model_waitpid(struct fake *f, const struct sys_call *c);
int model_sigprocmask(struct fake *f, const struct sys_call *c);
int model_sigdefault(struct fake *f, const struct sys_call *c);
int model_sigtimedwait(struct fake *f, const struct sys_call *c);
int model_pidfd_open(struct fake *f, const struct sys_call *c);
int model_sigwait_pidfd(struct fake *f, const struct sys_call *c);
int model_proc_list(struct fake *f, const struct sys_call *c);
int model_nanosleep(struct fake *f, const struct sys_call *c);
int model_clock_gettime(struct fake *f, const struct sys_call *c);
void fake_spawn_undo(struct fake *f, pid_t pid, struct sys_child *child); /* FAKE_AFTER */
void fake_release_refused(struct fake *f, struct sys_child *child); /* injected, no effect */

/* fake_cgroup.c */
void fake_cgroup_free(struct fake *f);
void fcg_leave(struct fproc *p);
bool fcg_frozen(const struct fake *f, const struct fproc *p, bool *v2);
void fake_dump_cgroups(FILE *fp, const struct fake *f);
void fake_mountinfo(FILE *fp, struct fake *f);
int model_proc_read(struct fake *f, const struct sys_call *c);
/* listdir of /proc/<pid>/fdinfo or /proc/<pid>/fd: the process's fds. */
int fake_proc_listdir(struct fake *f, const char *path, char *buf, size_t size);
int model_cg_mkdir(struct fake *f, const struct sys_call *c);
int model_cg_rmdir(struct fake *f, const struct sys_call *c);
int model_cg_write(struct fake *f, const struct sys_call *c);
int model_cg_read(struct fake *f, const struct sys_call *c);
int model_cg_list(struct fake *f, const struct sys_call *c);
struct fcg_file *fcg_file(const struct fcg *cg, const char *name);
void fcg_store(struct fcg *cg, const char *name, const char *value);
bool fcg_has_tasks(const struct fake *f, int h, const struct fcg *cg); /* live ones, directly */
bool fcg_populated(const struct fake *f, int h, const struct fcg *cg); /* or below */

/* fake_cgroup2.c (cgroup v2 hierarchies only) */
/* 0, or -ENOENT when the kernel has no such file in cg: its controller is not enabled
 * there, or it is not made on the root (CFTYPE_NOT_ON_ROOT). */
int fcg2_lookup(const struct fake *f, int h, const struct fcg *cg, const char *name);
bool fcg2_is_file(const struct fake *f, int h, const struct fcg *cg, const char *name);
/* The text of cgroup.controllers, cgroup.subtree_control or a modelled controller file;
 * NULL for any other name (stored or absent: the caller's generic rule). */
char *fcg2_read(const struct fake *f, int h, const struct fcg *cg, const char *name);
/* A write to any file but cgroup.procs, cgroup.freeze, cgroup.kill. 0 or -errno. */
int fcg2_write(struct fake *f, int h, struct fcg *cg, const char *name, const char *value);
int fcg2_vet_dst(const struct fake *f, int h, const struct fcg *cg); /* a cgroup.procs move */
int fcg2_parse_names(const char *list, unsigned int *ret);
int fcg2_enable(struct fake *f, int h, struct fcg *cg, unsigned int mask); /* root down */
void fcg2_dump(FILE *fp, const struct fcg *cg); /* " subtree_control=cpu,memory" or nothing */

/* fake_fs.c: mounts per namespace */
struct fmntns *fmntns_clone(struct fake *f, const struct fmntns *src, struct loc *cwd);
void fmntns_free(struct fmntns *ns);
/* open_tree(OPEN_TREE_CLONE): a detached copy of the mount at src (recursive: its
 * submounts too) in a namespace of its own; returns its root. */
struct fmount *fmount_clone_detached(struct fake *f, struct loc src, bool recursive);
/* move_mount() of a detached tree's root onto at (in the current namespace). */
void fmount_attach_tree(struct fake *f, struct fmount *root, struct loc at);
void fake_dump_mount_table(FILE *fp, const struct fake *f, struct fmount **mounts, size_t n,
			   const char *prefix);

/* fake_faults.c */
struct fault fake_fault_decide(struct fake *f, const struct sys_call *c);
void fake_faults_free(struct fake *f);

#endif
