/* entry.c — see entry.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "core/container/container.h"
#include "core/state/entry.h"
#include "core/base/fsutil.h"
#include "core/state/load.h"
#include "core/state/runtime.h"
#include "lib/util.h"

/* Open the entry's lock file read-only: *ret_fd -1 when there is none. */
static int open_lock(struct sys *s, const char *runtime_dir, const char *id, char **ret_path,
		     int *ret_fd, struct mcz_error *err)
{
	_cleanup_free_ char *dir = mcz_runtime_dir_of(runtime_dir, id);
	int fd;

	*ret_path = mcz_xasprintf("%s/lock", dir);
	fd = sys_openat(s, AT_FDCWD, *ret_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	*ret_fd = fd < 0 ? -1 : fd;
	return fd < 0 && fd != -ENOENT ? mcz_error_sys(err, fd, SYS_OP_openat, *ret_path) : 0;
}

int mcz_entry_lock_try(struct sys *s, const char *runtime_dir, const char *id, int op,
		       int *ret_fd, struct mcz_error *err)
{
	_cleanup_free_ char *path = NULL;
	int fd, r = open_lock(s, runtime_dir, id, &path, &fd, err);

	*ret_fd = -1;
	if (r < 0 || fd < 0)
		return r;
	r = sys_flock(s, fd, op | LOCK_NB);
	if (r < 0) {
		if (r != -EWOULDBLOCK)
			mcz_error_sys(err, r, SYS_OP_flock, path);
		(void)sys_close(s, fd); /* read-only: nothing to flush */
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int mcz_entry_lock_held(struct sys *s, const char *runtime_dir, const char *id, bool *ret_held,
			struct mcz_error *err)
{
	int fd, r = mcz_entry_lock_try(s, runtime_dir, id, LOCK_SH, &fd, err);

	*ret_held = r == -EWOULDBLOCK;
	if (fd >= 0)
		(void)sys_close(s, fd); /* the lock goes with it */
	return r < 0 && r != -EWOULDBLOCK ? r : 0;
}

int mcz_entry_await(struct sys *s, const char *runtime_dir, const char *id, struct mcz_error *err)
{
	_cleanup_free_ char *path = NULL;
	int fd, r = open_lock(s, runtime_dir, id, &path, &fd, err);

	if (r < 0 || fd < 0)
		return r;
	do
		r = sys_flock(s, fd, LOCK_SH);
	while (r == -EINTR);
	if (r < 0)
		mcz_error_sys(err, r, SYS_OP_flock, path);
	(void)sys_close(s, fd);
	return r < 0 ? r : 0;
}

static char *next_line(char *line)
{
	char *nl = strchr(line, '\n');

	return nl && nl[1] ? nl + 1 : NULL;
}

/* Whether process pid holds an flock on the file of lock_st (device and inode): a "lock:" line of one of its fds'
 * fdinfo ("lock:	1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"). (/proc/locks would
 * name the process that took the lock, which for a container adopted by `mcz recover` is
 * recover itself, not the supervisor it forked.) A process that is gone holds nothing. */
/* The device of an flock as /proc/PID/fdinfo prints it: the superblock's s_dev, which is not
 * always fstat's st_dev (btrfs subvolumes, overlayfs files). mountinfo's maj:min of the mount
 * our fd is on (its fdinfo's mnt_id) is s_dev; st_dev where that cannot be read. */
struct lock_id {
	unsigned maj, min;
	unsigned long long ino;
};

static void lock_id_of(struct sys *s, int fd, const struct stat *st, struct lock_id *ret)
{
	_cleanup_free_ char *fdinfo = mcz_xasprintf("/proc/self/fdinfo/%d", fd);
	_cleanup_free_ char *mi = NULL;
	char buf[4096];
	const char *m;
	int id;

	*ret = (struct lock_id){ major(st->st_dev), minor(st->st_dev), (unsigned long long)st->st_ino };
	if (sys_proc_read(s, fdinfo, buf, sizeof(buf)) < 0 || !(m = strstr(buf, "mnt_id:")))
		return;
	id = atoi(m + 7);
	mi = mcz_xmalloc(256 * 1024);
	if (sys_proc_read(s, "/proc/self/mountinfo", mi, 256 * 1024) < 0)
		return;
	for (char *line = mi; line; line = next_line(line)) {
		unsigned a, b;
		int lid;

		if (sscanf(line, "%d %*d %u:%u", &lid, &a, &b) == 3 && lid == id) {
			ret->maj = a;
			ret->min = b;
			return;
		}
	}
}

static bool holds_flock(struct sys *s, pid_t pid, const struct lock_id *lock)
{
	_cleanup_free_ char *dir = mcz_xasprintf("/proc/%d/fdinfo", (int)pid);
	struct mcz_error ignored = MCZ_ERROR_INIT;
	char **fds = NULL;
	bool found = false;

	if (mcz_list_names(s, dir, false, false, &fds, &ignored) < 0)
		mcz_error_done(&ignored);
	for (size_t i = 0; !found && fds && fds[i]; i++) {
		_cleanup_free_ char *path = mcz_xasprintf("%s/%s", dir, fds[i]);
		char buf[4096];

		if (sys_proc_read(s, path, buf, sizeof(buf)) < 0)
			continue;
		for (char *line = buf; !found && line; line = next_line(line)) {
			unsigned long long lino = 0;
			unsigned maj = 0, min = 0;

			/* The inode and the device: an inode number alone may be that of a file
			 * on another filesystem the process has locked (SPEC §11). */
			found = strncmp(line, "lock:", 5) == 0 && strstr(line, " FLOCK ") &&
				sscanf(line, "lock: %*s %*s %*s %*s %*d %x:%x:%llu", &maj, &min, &lino) == 3 &&
				lino == lock->ino && maj == lock->maj && min == lock->min;
		}
	}
	mcz_names_free(fds);
	return found;
}

int mcz_entry_request_destroy(struct sys *s, const char *runtime_dir, const char *id,
			      pid_t *ret_pid, struct mcz_error *err)
{
	pid_t sup = 0, again = 0;
	int fd, r = mcz_entry_supervisor(s, runtime_dir, id, &sup, err);

	*ret_pid = 0;
	if (r < 0 || sup <= 0)
		return r;
	/* The number was proven to hold the lock; the pidfd pins a process, and it must still
	 * be that holder once pinned (the number may have been reused in between). Signalled
	 * through the fd only: if it ends meanwhile, ESRCH, and no other process is hit. */
	fd = sys_pidfd_open(s, sup, 0);
	if (fd == -ESRCH)
		return 0; /* gone: the caller awaits the end */
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_pidfd_open, NULL);
	r = mcz_entry_supervisor(s, runtime_dir, id, &again, err);
	if (r >= 0 && again == sup) {
		r = sys_pidfd_send_signal(s, fd, SIGTERM, MCZ_DESTROY_REQUEST);
		if (r == -ESRCH)
			r = 0;
		else if (r < 0)
			mcz_error_sys_msg(err, r, SYS_OP_pidfd_send_signal, NULL,
					  "signal the supervisor (pid %d): %s", (int)sup, strerror(-r));
		else
			*ret_pid = sup;
	}
	(void)sys_close(s, fd);
	return r < 0 ? r : 0;
}

#define HOLDER_TRIES 500
#define HOLDER_PAUSE_MS 10

int mcz_entry_supervisor(struct sys *s, const char *runtime_dir, const char *id, pid_t *ret_pid,
			 struct mcz_error *err)
{
	_cleanup_free_ char *path = NULL;
	struct lock_id lock = { 0 };
	struct stat st;
	int fd, r = open_lock(s, runtime_dir, id, &path, &fd, err);

	*ret_pid = 0;
	if (r < 0 || fd < 0)
		return r;
	r = sys_fstat(s, fd, &st);
	if (r < 0)
		mcz_error_sys(err, r, SYS_OP_fstat, path);
	if (r >= 0)
		lock_id_of(s, fd, &st, &lock);
	/* While the lock is held: the supervisor is between taking it and writing its pid,
	 * running, or removing the entry (supervisor.pid already gone). Look again each time:
	 * a free lock (taken here, and released with the fd) means it is done. */
	for (int i = 0; r >= 0 && i < HOLDER_TRIES; i++) {
		_cleanup_free_ char *text = NULL;
		int q = sys_flock(s, fd, LOCK_EX | LOCK_NB);

		if (q != -EWOULDBLOCK) {
			if (q < 0)
				r = mcz_error_sys(err, q, SYS_OP_flock, path);
			break;
		}
		q = mcz_entry_read(s, runtime_dir, id, "supervisor.pid", &text, err);
		if (q >= 0 && atoi(text) > 0 && holds_flock(s, (pid_t)atoi(text), &lock)) {
			*ret_pid = (pid_t)atoi(text);
			break;
		}
		if (q < 0 && q != -ENOENT)
			r = q;
		/* not written yet, or not the holder (another destroy adopted it): look again */
		else
			(void)sys_nanosleep(s, HOLDER_PAUSE_MS);
	}
	(void)sys_close(s, fd);
	return r < 0 ? r : 0;
}

int mcz_entry_status(struct sys *s, const char *runtime_dir, const char *id, json_t **ret,
		     struct mcz_error *err)
{
	_cleanup_free_ char *term = NULL, *sup = NULL;
	struct mcz_container *c = NULL;
	bool held = false;
	json_t *o;
	int r = mcz_entry_read(s, runtime_dir, id, "termination.json", &term, err);

	if (r < 0 && (r != -ENOENT || mcz_error_is_set(err)))
		return r;
	if (r >= 0) {
		*ret = json_pack("{s:s, s:s, s:o*}", "container_id", id, "state", "TERMINATED",
				 "termination", json_loads(term, JSON_REJECT_DUPLICATES, NULL));
		return 0;
	}
	r = mcz_container_load(s, runtime_dir, id, &c, err);
	if (r >= 0)
		r = mcz_entry_lock_held(s, runtime_dir, id, &held, err);
	if (r < 0) {
		mcz_container_free(c);
		return r;
	}
	o = json_pack("{s:s, s:s}", "container_id", id, "state", mcz_state_name(c->state));
	if (c->child.pid > 0)
		json_object_set_new(o, "pid", json_integer(c->child.pid));
	if (mcz_entry_read(s, runtime_dir, id, "supervisor.pid", &sup, err) >= 0)
		json_object_set_new(o, "supervisor_pid", json_integer(atoi(sup)));
	mcz_error_done(err); /* no supervisor.pid: not written yet, or a failed read: left out */
	json_object_set_new(o, "supervisor_alive", json_boolean(held));
	json_object_set_new(o, "sandbox", json_string(c->cfg.sandbox));
	mcz_container_free(c);
	*ret = o;
	return 0;
}
