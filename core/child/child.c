/*
 * child.c — what the container's first process does between release and exec (SPEC §6):
 * unblock signals, setsid, carry out the mount plan in its own mount namespace, chdir to the
 * sandbox, drop to --user, and exec the command with the SPEC environment, searching PATH.
 *
 * It runs in the cloned child through the same sys layer as everything else (the real
 * kernel, or the fake acting as the child), so every step is traced and fault-injectable.
 * It never logs: a failure is reported to the parent as (op, path, errno) and the parent
 * prints it.
 */
#include <stdio.h>
#include <string.h>

#include "core/container/container.h"
#include "core/container/launcher.h"
#include "lib/util.h"
#include "core/base/path.h"

/* The default PATH of the command (the caller's environment is not inherited). */
#define MCZ_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int report_failure(struct sys_child_report *report, int r, enum sys_op op, const char *path)
{
	report->errnum = -r;
	snprintf(report->step, sizeof(report->step), "%s", sys_op_names[op]);
	snprintf(report->path, sizeof(report->path), "%s", path ? path : "");
	return r;
}

/* "<path> (not the one checked)": the target or source was swapped after the checks. */
static int report_swapped(struct sys_child_report *report, const char *path)
{
	report->errnum = ESTALE;
	snprintf(report->step, sizeof(report->step), "%s", sys_op_names[SYS_OP_fstat]);
	snprintf(report->path, sizeof(report->path), "%s (replaced since it was checked)", path);
	return -ESTALE;
}

/* Is fd the inode the parent checked? */
static int check_identity(struct sys *s, int fd, dev_t dev, ino_t ino, const char *path,
			  struct sys_child_report *rep)
{
	struct stat st;
	int r = sys_fstat(s, fd, &st);

	if (r < 0)
		return report_failure(rep, r, SYS_OP_fstat, path);
	if (st.st_dev != dev || st.st_ino != ino)
		return report_swapped(rep, path);
	return 0;
}

static void fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* The mount just made, seen through mnt (an fd on its root): a slave of whatever the source
 * was a peer of, so that nothing the container mounts below it propagates out (a copy of a
 * shared host mount would still be in its peer group); then read-only where that is still
 * to be done. */
static int finish_mount(struct sys *s, const struct mcz_mount_step *step, int mnt, bool ro,
			struct sys_child_report *rep)
{
	char mnt_path[64];
	int r;

	fd_path(mnt_path, sizeof(mnt_path), mnt);
	/* "none", not NULL: valgrind flags a NULL source of mount(2) (machine.md). */
	r = sys_mount(s, "none", mnt_path, NULL, MS_REC | MS_SLAVE, NULL);
	if (r < 0)
		return report_failure(rep, r, SYS_OP_mount, step->target);
	if (!ro)
		return 0;
	/* mount_setattr(AT_RECURSIVE) changes only the read-only attribute, so locked flags
	 * cannot make it fail; before Linux 5.12 a remount of the top mount (through the fd,
	 * not the name) that repeats the source's locked flags. */
	r = sys_mount_setattr(s, mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0);
	if (r == -ENOSYS) {
		r = sys_mount(s, "none", mnt_path, NULL, step->ro_flags, NULL);
		if (r < 0)
			return report_failure(rep, r, SYS_OP_mount, step->target);
	} else if (r < 0) {
		return report_failure(rep, r, SYS_OP_mount_setattr, step->target);
	}
	return 0;
}

/* The parent's detached tree on the checked target: nothing is looked up by name. The tree
 * fd then refers to the attached mount's root, the handle for the rest. -ENOSYS without a
 * report: the caller binds by name instead. */
static int attach_tree(struct sys *s, const struct mcz_mount_step *step, int dst,
		       struct sys_child_report *rep)
{
	int r = sys_move_mount(s, step->fd, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);

	if (r == -ENOSYS)
		return r;
	if (r < 0)
		return report_failure(rep, r, SYS_OP_move_mount, step->target);
	return finish_mount(s, step, step->fd, step->ro && !step->ro_done, rep);
}

/* Where open_tree or move_mount is missing: the source opened by name without following a
 * final symlink and bound only if it is the inode the parent checked (an fd the parent
 * opened names a mount of the parent's namespace, which a bind here refuses). The new mount
 * is then found by the target's name again, without following any symlink, and used only if
 * it is the checked source (the root of what was just bound): a swap in between is refused,
 * never followed. */
static int bind_by_name(struct sys *s, const struct mcz_mount_step *step, int dst,
			struct sys_child_report *rep)
{
	char src_path[64], dst_path[64];
	enum sys_op op;
	int src, mnt, r;

	src = sys_openat(s, AT_FDCWD, step->source, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (src < 0)
		return report_failure(rep, src, SYS_OP_openat, step->source);
	r = check_identity(s, src, step->src_dev, step->src_ino, step->source, rep);
	if (r >= 0) {
		fd_path(src_path, sizeof(src_path), src);
		fd_path(dst_path, sizeof(dst_path), dst);
		r = sys_mount(s, src_path, dst_path, NULL, step->flags, NULL);
		if (r < 0)
			report_failure(rep, r, SYS_OP_mount, step->target);
	}
	/* The child execs or exits soon; a failed close of an O_PATH fd changes nothing. */
	(void)sys_close(s, src);
	if (r < 0)
		return r;
	mnt = mcz_open_no_symlinks(s, step->target, &op);
	if (mnt < 0)
		return report_failure(rep, mnt, op, step->target);
	r = check_identity(s, mnt, step->src_dev, step->src_ino, step->target, rep);
	if (r >= 0)
		r = finish_mount(s, step, mnt, step->ro, rep);
	(void)sys_close(s, mnt);
	return r;
}

/* A volume (SPEC §5, §11): the target resolved without following any symlink and mounted
 * on only if it is the inode the parent checked, then the checked source mounted there
 * through fds (attach_tree), or by name and verified where the new mount calls are missing. */
static int bind_by_fd(struct sys *s, const struct mcz_mount_step *step, struct sys_child_report *rep)
{
	enum sys_op op;
	int dst, r;

	if (!step->verified) /* only core/volume.c makes binds, always with what it checked */
		return report_failure(rep, -EINVAL, SYS_OP_mount, step->target);
	dst = mcz_open_no_symlinks(s, step->target, &op);
	if (dst < 0)
		return report_failure(rep, dst, op, step->target);
	r = check_identity(s, dst, step->dst_dev, step->dst_ino, step->target, rep);
	if (r >= 0 && step->fd >= 0)
		r = attach_tree(s, step, dst, rep);
	if (r == -ENOSYS || (r >= 0 && step->fd < 0))
		r = bind_by_name(s, step, dst, rep);
	(void)sys_close(s, dst);
	return r;
}

static int run_step(struct sys *s, const struct mcz_mount_step *step, struct sys_child_report *rep)
{
	int r;

	switch (step->type) {
	case MCZ_STEP_BIND:
		return bind_by_fd(s, step, rep);
	case MCZ_STEP_REMOUNT_RO:
		/* Its BIND made the volume read-only (through fds); only a plan that says so is run. */
		return step->verified ? 0 : report_failure(rep, -EINVAL, SYS_OP_mount_setattr, step->target);
	case MCZ_STEP_MOUNT_PROC:
		r = sys_mount(s, "proc", step->target, "proc", step->flags, NULL);
		break;
	case MCZ_STEP_MASK:
		r = sys_mount(s, "tmpfs", step->target, "tmpfs", step->flags, "size=0,mode=0");
		break;
	case MCZ_STEP_MAKE_RSLAVE:
	default:
		/* "none", not NULL: valgrind flags a NULL source of mount(2) (machine.md). */
		r = sys_mount(s, "none", step->target, NULL, step->flags, NULL);
		break;
	}
	if (r < 0)
		return report_failure(rep, r, SYS_OP_mount, step->target);
	return 0;
}

static int switch_user(struct sys *s, const struct mcz_container *c, struct sys_child_report *rep)
{
	int r;

	if (!c->cfg.user)
		return 0;
	/* Groups, then gid, then uid: once the uid is dropped the others can no longer change.
	 * Numbers only, looked up on the host before the clone: initgroups(3) here would read
	 * the /etc/group of the container's mounts, which a volume may have replaced. */
	r = sys_setgroups(s, c->n_groups, c->groups);
	if (r < 0)
		return report_failure(rep, r, SYS_OP_setgroups, c->cfg.user);
	r = sys_setgid(s, c->gid);
	if (r < 0)
		return report_failure(rep, r, SYS_OP_setgid, c->cfg.user);
	r = sys_setuid(s, c->uid);
	if (r < 0)
		return report_failure(rep, r, SYS_OP_setuid, c->cfg.user);
	return 0;
}

static const char *env_path(char *const *envp)
{
	for (size_t i = 0; envp[i]; i++)
		if (strncmp(envp[i], "PATH=", 5) == 0)
			return envp[i] + 5;
	return MCZ_DEFAULT_PATH;
}

/* execvp(3)'s search, over the container's PATH, each attempt through the sys layer: a
 * missing or non-directory entry moves on, EACCES is remembered (it wins over ENOENT at the
 * end, as in execvp), anything else stops the search. */
static int exec_search(struct sys *s, char *const *argv, char *const *envp, struct sys_child_report *rep)
{
	const char *file = argv[0], *p;
	bool eacces = false;
	int r;

	if (strchr(file, '/')) {
		r = sys_execve(s, file, argv, envp);
		return r < 0 ? report_failure(rep, r, SYS_OP_execve, file) : 0;
	}
	for (p = env_path(envp);; p += strcspn(p, ":") + 1) {
		size_t len = strcspn(p, ":");
		_cleanup_free_ char *cand = mcz_xasprintf("%.*s%s%s", (int)len, p, len ? "/" : "", file);

		r = sys_execve(s, cand, argv, envp);
		if (r >= 0)
			return 0;
		if (r == -EACCES)
			eacces = true;
		else if (r != -ENOENT && r != -ENOTDIR && r != -ELOOP && r != -ENAMETOOLONG)
			return report_failure(rep, r, SYS_OP_execve, file);
		if (!p[len])
			break;
	}
	return report_failure(rep, eacces ? -EACCES : -ENOENT, SYS_OP_execve, file);
}

int mcz_child_main(struct sys *s, void *arg, struct sys_child_report *report)
{
	const struct mcz_container *c = arg;
	sigset_t none, all;
	int r;

	/* The supervisor blocks the signals it waits for; the command must not inherit that.
	 * Nor an ignored signal: SIG_IGN survives exec, and a shell that started mcz in the
	 * background ignores SIGINT and SIGQUIT — the forwarded SIGINT would do nothing. */
	sigemptyset(&none);
	r = sys_sigprocmask(s, SIG_SETMASK, &none, NULL);
	if (r < 0)
		return report_failure(report, r, SYS_OP_sigprocmask, NULL);
	sigfillset(&all);
	r = sys_sigdefault(s, &all);
	if (r < 0)
		return report_failure(report, r, SYS_OP_sigdefault, NULL);
	/* Into the launcher's cgroups before anything else can run or fork (launchers.c says
	 * why the child moves itself): "0" is the writing thread, and it is the only one. */
	for (size_t i = 0; i < c->n_cgroup_joins; i++) {
		r = sys_cg_write(s, c->cgroup_joins[i], "0");
		if (r < 0)
			return report_failure(report, r, SYS_OP_cg_write, c->cgroup_joins[i]);
	}
	r = sys_setsid(s);
	if (r < 0)
		return report_failure(report, r, SYS_OP_setsid, NULL);
	for (size_t i = 0; i < c->plan.n_steps; i++) {
		r = run_step(s, &c->plan.steps[i], report);
		if (r < 0)
			return r;
	}
	r = sys_chdir(s, c->cfg.sandbox);
	if (r < 0)
		return report_failure(report, r, SYS_OP_chdir, c->cfg.sandbox);
	r = switch_user(s, c, report);
	if (r < 0)
		return r;
	/* Only fds 0-2 reach the command (SPEC §11): whatever the caller of mcz had open (a
	 * shell's saved fds, a root-only file) is marked close-on-exec, last, once every fd
	 * the steps above needed has been used. The report pipe is close-on-exec already:
	 * how release() learns of the exec. */
	r = sys_close_range(s, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (r < 0)
		return report_failure(report, r, SYS_OP_close_range, NULL);
	return exec_search(s, c->cfg.argv, c->envp, report);
}
