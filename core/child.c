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

#include "core/container.h"
#include "core/launcher.h"
#include "core/util.h"

/* The default PATH of the command (the caller's environment is not inherited). */
#define MCZ_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int report_failure(struct sys_child_report *report, int r, enum sys_op op, const char *path)
{
	report->errnum = -r;
	snprintf(report->step, sizeof(report->step), "%s", sys_op_names[op]);
	snprintf(report->path, sizeof(report->path), "%s", path ? path : "");
	return r;
}

/* mount() through /proc/self/fd/N of fds opened first: the source and target cannot be
 * swapped for symlinks between the check and the mount (SPEC §5). Sources below the sandbox
 * are opened without following a final symlink. */
static int bind_by_fd(struct sys *s, const struct mcz_mount_step *step, struct sys_child_report *rep)
{
	char src_path[64], dst_path[64];
	int src, dst, r;

	src = sys_openat(s, AT_FDCWD, step->source, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (src < 0)
		return report_failure(rep, src, SYS_OP_openat, step->source);
	dst = sys_openat(s, AT_FDCWD, step->target, O_PATH | O_CLOEXEC, 0);
	if (dst < 0) {
		(void)sys_close(s, src);
		return report_failure(rep, dst, SYS_OP_openat, step->target);
	}
	snprintf(src_path, sizeof(src_path), "/proc/self/fd/%d", src);
	snprintf(dst_path, sizeof(dst_path), "/proc/self/fd/%d", dst);
	r = sys_mount(s, src_path, dst_path, NULL, step->flags, NULL);
	/* The child execs or exits soon; a failed close of an O_PATH fd changes nothing. */
	(void)sys_close(s, dst);
	(void)sys_close(s, src);
	if (r < 0)
		return report_failure(rep, r, SYS_OP_mount, step->target);
	return 0;
}

/* Read-only for the whole subtree. mount_setattr(AT_RECURSIVE) changes only the read-only
 * attribute, so locked flags (nosuid, nodev, ...) cannot make it fail; before Linux 5.12
 * fall back to a remount of the top mount that repeats the source's locked flags. */
static int remount_ro(struct sys *s, const struct mcz_mount_step *step, struct sys_child_report *rep)
{
	int r = sys_mount_setattr(s, AT_FDCWD, step->target, AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0);

	if (r == -ENOSYS) {
		r = sys_mount(s, "none", step->target, NULL, step->flags, NULL);
		if (r < 0)
			return report_failure(rep, r, SYS_OP_mount, step->target);
		return 0;
	}
	if (r < 0)
		return report_failure(rep, r, SYS_OP_mount_setattr, step->target);
	return 0;
}

static int run_step(struct sys *s, const struct mcz_mount_step *step, struct sys_child_report *rep)
{
	int r;

	switch (step->type) {
	case MCZ_STEP_BIND:
		return bind_by_fd(s, step, rep);
	case MCZ_STEP_REMOUNT_RO:
		return remount_ro(s, step, rep);
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
	/* Groups, then gid, then uid: once the uid is dropped the others can no longer change. */
	r = sys_initgroups(s, c->cfg.user, c->gid);
	if (r < 0)
		return report_failure(rep, r, SYS_OP_initgroups, c->cfg.user);
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
	return exec_search(s, c->cfg.argv, c->envp, report);
}
