/*
 * real_spawn.c — the process, cgroup and mount_setattr ops of sys/real.c against the real
 * kernel: spawn/release (exec, a reported failure, a pid namespace, a child that dies),
 * waiting and signals, users, /proc, a freezer cgroup made below our own, and a recursive
 * read-only mount_setattr in a private mount namespace.
 *
 * Every test reaps what it spawned and removes what it created, on failure too: the runner
 * fails a test that leaves a process, an fd or a temp dir behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenarios/real_tests.h"
#include "sys/fiu-local.h"
#include "sys/sys.h"

#ifdef FIU_ENABLE
#include <fiu-control.h>
#endif

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif


/* Reap pid whatever happens; returns its wait status, or -1. */
static int kill_and_reap(pid_t pid)
{
	int status;

	if (pid <= 0)
		return -1;
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

static void fill_report(struct sys_child_report *report, int errnum, const char *step, const char *path)
{
	report->errnum = errnum;
	snprintf(report->step, sizeof(report->step), "%s", step);
	snprintf(report->path, sizeof(report->path), "%s", path);
}

/* ---- child_main functions (they run in the spawned child, through sys_real()) ---- */

static int exec_argv(struct sys *s, const char *path, char *const argv[], struct sys_child_report *report)
{
	static char *const envp[] = { (char *)"PATH=/usr/bin:/bin", NULL };
	int r = sys_execve(s, path, argv, envp);

	fill_report(report, -r, "exec", path);
	return r;
}

static int main_exec_true(struct sys *s, void *arg, struct sys_child_report *report)
{
	static char *const argv[] = { (char *)"true", NULL };

	(void)arg;
	return exec_argv(s, "/bin/true", argv, report);
}

/* Fails the way the launcher's child would: a step, a path, an errno. */
static int main_fail_mount(struct sys *s, void *arg, struct sys_child_report *report)
{
	(void)s;
	(void)arg;
	fill_report(report, EACCES, "mount", "/x");
	return -EACCES;
}

/* Returns an error without filling the report: spawn fills errnum from the return value. */
static int main_fail_bare(struct sys *s, void *arg, struct sys_child_report *report)
{
	(void)s;
	(void)arg;
	(void)report;
	return -ENOTDIR;
}

/* Must never run: the parent gives up without releasing. */
static int main_must_not_run(struct sys *s, void *arg, struct sys_child_report *report)
{
	(void)s;
	(void)arg;
	(void)report;
	_exit(99);
}

/* Dies after release, before exec and before any report. */
static int main_die(struct sys *s, void *arg, struct sys_child_report *report)
{
	(void)arg;
	(void)report;
	(void)sys_kill(s, getpid(), SIGKILL);
	_exit(98); /* not reached */
}

/* In a new pid namespace: must be pid 1; then a shell that is pid 1 too, leaves a sleeping
 * child in the namespace and exits 42. */
static int main_pid1_shell(struct sys *s, void *arg, struct sys_child_report *report)
{
	static char *const argv[] = { (char *)"sh", (char *)"-c",
				      (char *)"[ $$ -eq 1 ] || exit 3; sleep 100 & exit 42", NULL };
	char pid[32];

	(void)arg;
	if (getpid() != 1) {
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		fill_report(report, EPROTO, "getpid", pid);
		return -EPROTO;
	}
	return exec_argv(s, "/bin/sh", argv, report);
}

/* Reports whether SIGTERM is blocked in the child (path "blocked" or "unblocked"). */
static int main_report_mask(struct sys *s, void *arg, struct sys_child_report *report)
{
	sigset_t cur;
	int r = sys_sigprocmask(s, SIG_BLOCK, NULL, &cur);

	(void)arg;
	if (r < 0) {
		fill_report(report, -r, "sigprocmask", "");
		return r;
	}
	fill_report(report, EPROTO, "mask", sigismember(&cur, SIGTERM) ? "blocked" : "unblocked");
	return -EPROTO;
}

/* Spawns with req; on success checks the child struct. */
static int spawn_ok(const struct sys_spawn_req *req, struct sys_child *c)
{
	int pid;

	memset(c, 0xa5, sizeof(*c));
	pid = sys_spawn(sys_real(), req, c);
	if (pid <= 0)
		return pid;
	if (c->pid != pid || c->release_fd < 0 || c->report_fd < 0)
		return -EPROTO;
	return pid;
}

/* ---- spawn / release ---- */

REAL_TEST(sys_spawn__exec_true, 10)
{
	struct sys *s = sys_real();
	struct sys_spawn_req req = { .clone_flags = 0, .child_main = main_exec_true };
	struct sys_child_report rep;
	struct sys_child c;
	int pid, r, status = -1;

	pid = spawn_ok(&req, &c);
	REAL_ASSERT(pid > 0, "spawn: %d", pid);
	memset(&rep, 0x5a, sizeof(rep));
	r = sys_release(s, &c, &rep);
	if (r != 0)
		(void)kill_and_reap(pid);
	REAL_ASSERT(r == 0, "release: %d (%s: %s)", r, r < 0 ? rep.step : "", r < 0 ? rep.path : "");
	REAL_ASSERT(c.release_fd == -1 && c.report_fd == -1, "fds %d %d", c.release_fd, c.report_fd);
	REAL_ASSERT(rep.errnum == 0x5a5a5a5a, "release wrote the report on success");
	r = sys_waitpid(s, pid, &status, 0);
	REAL_ASSERT(r == pid, "waitpid: %d", r);
	REAL_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	return REAL_PASS;
}

REAL_TEST(sys_spawn__bare_failure_uses_return_value, 10)
{
	struct sys *s = sys_real();
	struct sys_spawn_req req = { .child_main = main_fail_bare };
	struct sys_child_report rep;
	struct sys_child c;
	int r, status = -1;

	r = spawn_ok(&req, &c);
	REAL_ASSERT(r > 0, "spawn: %d", r);
	memset(&rep, 0, sizeof(rep));
	r = sys_release(s, &c, &rep);
	REAL_ASSERT(sys_waitpid(s, c.pid, &status, 0) == c.pid, "waitpid");
	/* The child returned -ENOTDIR without a report: spawn used the return value. */
	REAL_ASSERT(r == -ENOTDIR && rep.errnum == ENOTDIR, "release %d, errnum %d", r, rep.errnum);
	REAL_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 125, "status %#x", status);
	return REAL_PASS;
}

REAL_TEST(sys_spawn__child_failure_reported, 10)
{
	struct sys *s = sys_real();
	struct sys_spawn_req req = { .child_main = main_fail_mount };
	struct sys_child_report rep;
	struct sys_child c;
	int pid, r, status = -1;

	pid = spawn_ok(&req, &c);
	REAL_ASSERT(pid > 0, "spawn: %d", pid);
	memset(&rep, 0, sizeof(rep));
	r = sys_release(s, &c, &rep);
	REAL_ASSERT(sys_waitpid(s, pid, &status, 0) == pid, "waitpid");
	REAL_ASSERT(r == -EACCES, "release: %d", r);
	REAL_ASSERT(rep.errnum == EACCES && strcmp(rep.step, "mount") == 0 && strcmp(rep.path, "/x") == 0,
		    "report {%d, '%s', '%s'}", rep.errnum, rep.step, rep.path);
	REAL_ASSERT(c.release_fd == -1 && c.report_fd == -1, "fds %d %d", c.release_fd, c.report_fd);
	REAL_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 125, "status %#x", status);
	return REAL_PASS;
}

/* Closing release_fd without releasing: the child sees EOF and exits 125 without running
 * child_main. */
REAL_TEST(sys_spawn__parent_gives_up, 10)
{
	struct sys *s = sys_real();
	struct sys_spawn_req req = { .child_main = main_must_not_run };
	struct sys_child c;
	int pid, status = -1;

	pid = spawn_ok(&req, &c);
	REAL_ASSERT(pid > 0, "spawn: %d", pid);
	EXPECT_OK(sys_close(s, c.release_fd));
	EXPECT_OK(sys_close(s, c.report_fd));
	REAL_ASSERT(sys_waitpid(s, pid, &status, 0) == pid, "waitpid");
	REAL_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 125, "status %#x (99: child_main ran)", status);
	return REAL_PASS;
}

/* Killed while blocked, before release: the release byte meets a closed pipe (EPIPE, with
 * SIGPIPE swallowed) and release says ECHILD. */
REAL_TEST(sys_release__child_killed_before_release, 10)
{
	struct sys *s = sys_real();
	struct sys_spawn_req req = { .child_main = main_must_not_run };
	struct sys_child_report rep;
	struct sys_child c;
	siginfo_t si;
	sigset_t pending;
	int pid, r, status = -1;

	pid = spawn_ok(&req, &c);
	REAL_ASSERT(pid > 0, "spawn: %d", pid);
	EXPECT_OK(sys_kill(s, pid, SIGKILL));
	/* Wait for the death without reaping: by then the child's fds are closed. */
	memset(&si, 0, sizeof(si));
	REAL_ASSERT(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0, "waitid: %m");
	r = sys_release(s, &c, &rep);
	REAL_ASSERT(sys_waitpid(s, pid, &status, 0) == pid, "waitpid");
	REAL_ASSERT(r == -ECHILD, "release: %d", r);
	REAL_ASSERT(c.release_fd == -1 && c.report_fd == -1, "fds %d %d", c.release_fd, c.report_fd);
	REAL_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	sigpending(&pending);
	REAL_ASSERT(!sigismember(&pending, SIGPIPE), "a SIGPIPE was left pending");
	return REAL_PASS;
}

/* The documented limitation: a child that dies after release and before reporting looks
 * like one that exec'ed (release 0); only waitpid tells. */
REAL_TEST(sys_release__death_after_release_looks_like_exec, 10)
{
	struct sys *s = sys_real();
	struct sys_spawn_req req = { .child_main = main_die };
	struct sys_child_report rep;
	struct sys_child c;
	int pid, r, status = -1;

	pid = spawn_ok(&req, &c);
	REAL_ASSERT(pid > 0, "spawn: %d", pid);
	r = sys_release(s, &c, &rep);
	REAL_ASSERT(sys_waitpid(s, pid, &status, 0) == pid, "waitpid");
	REAL_ASSERT(r == 0, "release: %d", r);
	REAL_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	return REAL_PASS;
}

/* The child inherits the caller's blocked signals (clone copies the mask, and execve keeps
 * it): child_main must reset the mask before exec. */
REAL_TEST(sys_spawn__child_inherits_signal_mask, 10)
{
	struct sys *s = sys_real();
	struct sys_spawn_req req = { .child_main = main_report_mask };
	struct sys_child_report rep;
	struct sys_child c;
	sigset_t set, old;
	int pid, r, status = -1;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	EXPECT_OK(sys_sigprocmask(s, SIG_BLOCK, &set, &old));
	pid = spawn_ok(&req, &c);
	EXPECT_OK(sys_sigprocmask(s, SIG_SETMASK, &old, NULL));
	REAL_ASSERT(pid > 0, "spawn: %d", pid);
	memset(&rep, 0, sizeof(rep));
	r = sys_release(s, &c, &rep);
	REAL_ASSERT(sys_waitpid(s, pid, &status, 0) == pid, "waitpid");
	REAL_ASSERT(r == -EPROTO && strcmp(rep.path, "blocked") == 0, "release %d, '%s'", r, rep.path);
	return REAL_PASS;
}

/* Is any process left in the pid namespace whose /proc/<pid>/ns/pid link reads ns? */
static int pidns_has_processes(const char *ns)
{
	pid_t pids[4096];
	int n = sys_proc_list(sys_real(), pids, 4096);

	for (int i = 0; i < n; i++) {
		char path[64], link[128];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pids[i]);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		if (strcmp(link, ns) == 0)
			return 1;
	}
	return 0;
}

REAL_TEST(sys_spawn__newpid_is_pid1_and_ns_dies_with_it, 20)
{
	struct sys *s = sys_real();
	struct sys_spawn_req req = { .clone_flags = CLONE_NEWPID | CLONE_NEWNS, .child_main = main_pid1_shell };
	struct sys_child_report rep;
	struct sys_child c;
	char path[64], ns[128];
	ssize_t len;
	int pid, r, status = -1;

	REAL_REQUIRE_ROOT();
	pid = spawn_ok(&req, &c);
	REAL_ASSERT(pid > 0, "spawn: %s", strerrorname_np(-pid));
	REAL_ASSERT(pid != 1, "the parent sees the child's pid in its own namespace");
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	len = readlink(path, ns, sizeof(ns) - 1);
	if (len < 0) {
		(void)sys_release(s, &c, &rep);
		(void)kill_and_reap(pid);
		REAL_ASSERT(0, "readlink %s: %m", path);
	}
	ns[len] = '\0';
	memset(&rep, 0, sizeof(rep));
	r = sys_release(s, &c, &rep);
	REAL_ASSERT(sys_waitpid(s, pid, &status, 0) == pid, "waitpid");
	REAL_ASSERT(r == 0, "release: %d (%s '%s')", r, rep.step, rep.path);
	/* 42: the shell was pid 1 too (3 if not). */
	REAL_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 42, "status %#x", status);
	/* pid 1's exit killed the sleep it left behind, and its exit waited for that. */
	REAL_ASSERT(!pidns_has_processes(ns), "a process of %s outlived pid 1", ns);
	return REAL_PASS;
}

/* ---- waiting, signals ---- */

REAL_TEST(sys_sigtimedwait__timeout_then_signal, 10)
{
	struct sys *s = sys_real();
	sigset_t set, old;
	siginfo_t si;
	uint64_t t0, t1;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	EXPECT_OK(sys_sigprocmask(s, SIG_BLOCK, &set, &old));
	EXPECT_OK(sys_clock_gettime(s, &t0));
	memset(&si, 0xa5, sizeof(si));
	r = sys_sigtimedwait(s, &set, &si, 50);
	EXPECT_OK(sys_clock_gettime(s, &t1));
	REAL_ASSERT(r == -EAGAIN, "timeout: %d", r);
	REAL_ASSERT(t1 >= t0 + 40, "waited %llu ms", (unsigned long long)(t1 - t0));
	EXPECT_OK(sys_kill(s, getpid(), SIGUSR1));
	r = sys_sigtimedwait(s, &set, &si, -1);
	REAL_ASSERT(r == SIGUSR1 && si.si_signo == SIGUSR1 && si.si_pid == getpid(), "got %d", r);
	EXPECT_OK(sys_sigprocmask(s, SIG_SETMASK, &old, NULL));
	EXPECT_ERR(sys_sigprocmask(s, 12345, &set, NULL), EINVAL);
	return REAL_PASS;
}

REAL_TEST(sys_kill__esrch_einval, 10)
{
	struct sys *s = sys_real();
	pid_t pid = fork();

	REAL_ASSERT(pid >= 0, "fork: %m");
	if (pid == 0)
		_exit(0);
	REAL_ASSERT(kill_and_reap(pid) != -1, "reap");
	/* Reaped: the pid is free (reuse within microseconds is not a concern here). */
	EXPECT_ERR(sys_kill(s, pid, 0), ESRCH);
	EXPECT_ERR(sys_kill(s, getpid(), 12345), EINVAL);
	EXPECT_OK(sys_kill(s, getpid(), 0));
	return REAL_PASS;
}

REAL_TEST(sys_waitpid__echild_wnohang, 10)
{
	struct sys *s = sys_real();
	int status = 0x5a5a, r;
	pid_t pid;

	EXPECT_ERR(sys_waitpid(s, -1, &status, 0), ECHILD);
	pid = fork();
	REAL_ASSERT(pid >= 0, "fork: %m");
	if (pid == 0) {
		for (;;)
			pause();
	}
	r = sys_waitpid(s, pid, &status, WNOHANG);
	if (r != 0)
		(void)kill_and_reap(pid);
	REAL_ASSERT(r == 0 && status == 0x5a5a, "WNOHANG: %d, status %#x", r, status);
	EXPECT_OK(sys_kill(s, pid, SIGTERM));
	r = sys_waitpid(s, pid, &status, 0);
	REAL_ASSERT(r == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "%d %#x", r, status);
	EXPECT_ERR(sys_waitpid(s, pid, &status, 0), ECHILD);
	return REAL_PASS;
}

REAL_TEST(sys_nanosleep__clock_moves, 10)
{
	struct sys *s = sys_real();
	uint64_t t0, t1;

	EXPECT_OK(sys_clock_gettime(s, &t0));
	EXPECT_OK(sys_nanosleep(s, 20));
	EXPECT_OK(sys_clock_gettime(s, &t1));
	REAL_ASSERT(t1 >= t0 + 20, "slept %llu ms", (unsigned long long)(t1 - t0));
	EXPECT_ERR(sys_nanosleep(s, -1), EINVAL);
	return REAL_PASS;
}

/* ---- users ---- */

REAL_TEST(sys_getpwnam__root_and_missing, 10)
{
	struct sys *s = sys_real();
	struct sys_passwd pw, pw0;

	EXPECT_OK(sys_getpwnam(s, "root", &pw));
	REAL_ASSERT(pw.uid == 0 && pw.gid == 0 && strcmp(pw.name, "root") == 0, "root: %u %u %s",
		    (unsigned)pw.uid, (unsigned)pw.gid, pw.name);
	REAL_ASSERT(pw.home[0] == '/', "home '%s'", pw.home);
	memset(&pw, 0xa5, sizeof(pw));
	memcpy(&pw0, &pw, sizeof(pw));
	EXPECT_ERR(sys_getpwnam(s, "mcz-no-such-user", &pw), ENOENT);
	REAL_ASSERT(memcmp(&pw, &pw0, sizeof(pw)) == 0, "getpwnam wrote its out-parameter");
	return REAL_PASS;
}

/* The identity ops on the identity we already have (no-ops that must succeed), and a session. */
REAL_TEST(sys_setsid__and_identity_noops, 10)
{
	struct sys *s = sys_real();
	pid_t pid;
	int status;

	/* The test process leads its process group: setsid refuses. */
	EXPECT_ERR(sys_setsid(s), EPERM);
	pid = fork();
	REAL_ASSERT(pid >= 0, "fork: %m");
	if (pid == 0) {
		int r = sys_setsid(s);

		_exit(r == getpid() && getsid(0) == getpid() ? 0 : 1);
	}
	REAL_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid: %m");
	REAL_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "setsid in a child: %#x", status);
	EXPECT_OK(sys_setgid(s, getgid()));
	EXPECT_OK(sys_setuid(s, getuid()));
	{
		gid_t groups[SYS_GROUPS_MAX];
		int n = getgroups(SYS_GROUPS_MAX, groups);

		REAL_ASSERT(n >= 0, "getgroups: %m");
		if (geteuid() == 0)
			EXPECT_OK(sys_setgroups(s, (size_t)n, groups)); /* the groups it has */
		else
			EXPECT_ERR(sys_setgroups(s, (size_t)n, groups), EPERM);
	}
	return REAL_PASS;
}

/* ---- /proc ---- */

REAL_TEST(sys_proc_read__self_cgroup, 10)
{
	struct sys *s = sys_real();
	char buf[4096], small[8];
	int n;

	n = sys_proc_read(s, "/proc/self/cgroup", buf, sizeof(buf));
	REAL_ASSERT(n > 0 && (size_t)n == strlen(buf), "read %d", n);
	REAL_ASSERT(strstr(buf, "freezer:") || strstr(buf, "0::"), "no cgroup line in '%s'", buf);
	n = sys_proc_read(s, "/proc/self/mountinfo", small, sizeof(small));
	REAL_ASSERT(n == 7 && small[7] == '\0', "truncated read %d", n);
	EXPECT_ERR(sys_proc_read(s, "/proc/self/no-such-file", buf, sizeof(buf)), ENOENT);
	return REAL_PASS;
}

REAL_TEST(sys_proc_list__contains_self, 10)
{
	struct sys *s = sys_real();
	static pid_t pids[65536];
	int n, found = 0;

	n = sys_proc_list(s, pids, 65536);
	REAL_ASSERT(n > 0, "proc_list: %d", n);
	for (int i = 0; i < n; i++)
		found |= pids[i] == getpid();
	REAL_ASSERT(found, "own pid %d not among %d", (int)getpid(), n);
	REAL_ASSERT(sys_proc_list(s, pids, 1) == 1, "max ignored");
	REAL_ASSERT(sys_proc_list(s, pids, 0) == 0, "max 0");
	return REAL_PASS;
}

/* ---- cgroups ---- */

/* The directory of our own v1 freezer cgroup: the freezer mount from mountinfo joined with
 * our path from /proc/self/cgroup. 0, or -ENOENT when there is no v1 freezer. */
static int own_freezer_dir(char *dir, size_t size)
{
	static char buf[65536];
	char cg[PATH_MAX] = "", *line, *save;
	int n = sys_proc_read(sys_real(), "/proc/self/cgroup", buf, sizeof(buf));

	if (n < 0)
		return n;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctl = strchr(line, ':'), *path = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!path)
			continue;
		*path++ = '\0';
		for (char *c = strtok(ctl + 1, ","); c; c = strtok(NULL, ","))
			if (strcmp(c, "freezer") == 0)
				snprintf(cg, sizeof(cg), "%s", path);
	}
	if (!cg[0])
		return -ENOENT;
	n = sys_proc_read(sys_real(), "/proc/self/mountinfo", buf, sizeof(buf));
	if (n < 0)
		return n;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char root[PATH_MAX], mnt[PATH_MAX], fstype[64], opts[1024];
		const char *dash = strstr(line, " - ");
		const char *rel = cg;
		size_t rl;

		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(dash, " - %63s %*s %1023s", fstype, opts) != 2 || strcmp(fstype, "cgroup") != 0)
			continue;
		if (!strstr(opts, ",freezer") && strncmp(opts, "freezer", 7) != 0)
			continue;
		/* A mount of a sub-tree (inside a container): our path must lie below its root. */
		rl = strlen(root);
		if (strcmp(root, "/") != 0) {
			if (strncmp(cg, root, rl) != 0 || (cg[rl] != '/' && cg[rl] != '\0'))
				return -ENOENT;
			rel = cg + rl;
		}
		n = snprintf(dir, size, "%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel);
		return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
	}
	return -ENOENT;
}

static int cg_path(char *buf, size_t size, const char *dir, const char *file)
{
	int n = snprintf(buf, size, "%s/%s", dir, file);

	return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/* Poll freezer.state until it reads want (FREEZING passes on its own). */
static int wait_state(const char *dir, const char *want)
{
	struct sys *s = sys_real();
	char path[PATH_MAX + 32], st[64];

	if (cg_path(path, sizeof(path), dir, "freezer.state") < 0)
		return -ENAMETOOLONG;
	for (int i = 0; i < 200; i++) {
		int n = sys_cg_read(s, path, st, sizeof(st));

		if (n < 0)
			return n;
		if (strncmp(st, want, strlen(want)) == 0 && (st[strlen(want)] == '\n' || st[strlen(want)] == '\0'))
			return 0;
		(void)sys_nanosleep(s, 10);
	}
	return -ETIMEDOUT;
}

static int freezer_body(const char *dir, pid_t pid)
{
	struct sys *s = sys_real();
	char procs[PATH_MAX + 32], state[PATH_MAX + 32], buf[4096], val[32];

	REAL_ASSERT(cg_path(procs, sizeof(procs), dir, "cgroup.procs") == 0 &&
			    cg_path(state, sizeof(state), dir, "freezer.state") == 0,
		    "path too long");
	EXPECT_ERR(sys_cg_mkdir(s, dir, 0755), EEXIST);
	snprintf(val, sizeof(val), "%d", (int)pid);
	EXPECT_OK(sys_cg_write(s, procs, val));
	EXPECT_OK(sys_cg_read(s, procs, buf, sizeof(buf)));
	REAL_ASSERT(atoi(buf) == pid, "cgroup.procs '%s'", buf);
	/* cgroupfs reports a bad value from write(): not a pid, no such pid. */
	EXPECT_ERR(sys_cg_write(s, procs, "not-a-pid"), EINVAL);
	EXPECT_ERR(sys_cg_write(s, procs, "2147483647"), ESRCH);
	EXPECT_ERR(sys_cg_write(s, state, "MELTED"), EINVAL);
	EXPECT_OK(sys_cg_write(s, state, "FROZEN"));
	EXPECT_OK(wait_state(dir, "FROZEN"));
	EXPECT_ERR(sys_cg_rmdir(s, dir), EBUSY);
	EXPECT_OK(sys_cg_write(s, state, "THAWED"));
	EXPECT_OK(wait_state(dir, "THAWED"));
	EXPECT_ERR(sys_cg_read(s, "/sys/fs/cgroup/no-such-cgroup-file", buf, sizeof(buf)), ENOENT);
	return REAL_PASS;
}

/* rmdir, retrying EBUSY for up to 2 s: v1 releases an emptied cgroup asynchronously. */
static int cg_rmdir_retry(const char *dir)
{
	int r = -EBUSY;

	for (int i = 0; i < 200 && r == -EBUSY; i++) {
		r = sys_cg_rmdir(sys_real(), dir);
		if (r == -EBUSY)
			(void)sys_nanosleep(sys_real(), 10);
	}
	return r;
}

REAL_TEST(sys_cg__freezer_below_own_cgroup, 30)
{
	struct sys *s = sys_real();
	char own[PATH_MAX], dir[PATH_MAX + 64], state[PATH_MAX + 96];
	int r, rc;
	pid_t pid;

	REAL_REQUIRE_ROOT();
	r = own_freezer_dir(own, sizeof(own));
	if (r < 0)
		return real_skip("no cgroup v1 freezer hierarchy (%s)", strerrorname_np(-r));
	/* Below our own freezer cgroup, never beside it; the name is unique to this run. */
	snprintf(dir, sizeof(dir), "%s/mcz-rt-%d-%s", own, (int)getpid(), real_test_name());
	r = sys_cg_mkdir(s, dir, 0755);
	REAL_ASSERT(r == 0, "mkdir %s: %s", dir, strerrorname_np(-r));
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	rc = pid > 0 ? freezer_body(dir, pid) : 1;
	/* Cleanup whatever happened: a frozen v1 task cannot die, so thaw first, then kill,
	 * reap, and remove the (now empty) cgroup. */
	(void)cg_path(state, sizeof(state), dir, "freezer.state");
	(void)sys_cg_write(s, state, "THAWED");
	(void)kill_and_reap(pid);
	r = cg_rmdir_retry(dir);
	REAL_ASSERT(r == 0, "cleanup: rmdir %s: %s", dir, strerrorname_np(-r));
	EXPECT_ERR(sys_cg_rmdir(s, dir), ENOENT);
	return rc;
}

/* ---- mount_setattr ---- */

static int setattr_body(const char *base)
{
	struct sys *s = sys_real();
	char src[PATH_MAX + 16], dst[PATH_MAX + 16], sub[PATH_MAX + 16], path[PATH_MAX + 32];
	int fd, r;

	snprintf(src, sizeof(src), "%s/src", base);
	snprintf(dst, sizeof(dst), "%s/dst", base);
	snprintf(sub, sizeof(sub), "%s/sub", base);
	EXPECT_OK(sys_mkdirat(s, AT_FDCWD, src, 0755));
	EXPECT_OK(sys_mkdirat(s, AT_FDCWD, dst, 0755));
	EXPECT_OK(sys_mkdirat(s, AT_FDCWD, sub, 0755));
	snprintf(path, sizeof(path), "%s/inner", src);
	EXPECT_OK(sys_mkdirat(s, AT_FDCWD, path, 0755));
	EXPECT_OK(sys_mount(s, src, dst, "none", MS_BIND, NULL));
	/* A second mount below dst, so AT_RECURSIVE has something to recurse into. */
	snprintf(path, sizeof(path), "%s/inner", dst);
	EXPECT_OK(sys_mount(s, sub, path, "none", MS_BIND, NULL));
	r = sys_mount_setattr(s, AT_FDCWD, dst, AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0);
	if (r == -ENOSYS)
		return real_skip("mount_setattr not supported by this kernel");
	REAL_ASSERT(r == 0, "mount_setattr: %s", strerrorname_np(-r));
	snprintf(path, sizeof(path), "%s/f", dst);
	EXPECT_ERR(sys_openat(s, AT_FDCWD, path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644), EROFS);
	snprintf(path, sizeof(path), "%s/inner/f", dst);
	EXPECT_ERR(sys_openat(s, AT_FDCWD, path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644), EROFS);
	/* Only the mounts changed: the same directories stay writable through their own path. */
	snprintf(path, sizeof(path), "%s/f", src);
	fd = sys_openat(s, AT_FDCWD, path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	REAL_ASSERT(fd >= 0, "src not writable: %s", strerrorname_np(-fd));
	EXPECT_OK(sys_close(s, fd));
	/* Undo: the flag clears the same way. */
	EXPECT_OK(sys_mount_setattr(s, AT_FDCWD, dst, AT_RECURSIVE, 0, MOUNT_ATTR_RDONLY));
	snprintf(path, sizeof(path), "%s/inner/g", dst);
	fd = sys_openat(s, AT_FDCWD, path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	REAL_ASSERT(fd >= 0, "inner still read-only: %s", strerrorname_np(-fd));
	EXPECT_OK(sys_close(s, fd));
	EXPECT_ERR(sys_mount_setattr(s, AT_FDCWD, src, 0, MOUNT_ATTR_RDONLY, 0), EINVAL);
	return REAL_PASS;
}

REAL_TEST(sys_mount_setattr__recursive_rdonly, 30)
{
	struct sys *s = sys_real();
	char base[PATH_MAX], path[PATH_MAX + 32];
	int r, rc;

	REAL_REQUIRE_ROOT();
	REAL_ASSERT(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS): %m");
	EXPECT_OK(sys_mount(s, "none", "/", "none", MS_REC | MS_PRIVATE, NULL));
	r = real_tmpdir(base, sizeof(base));
	REAL_ASSERT(r == 0, "tmpdir: %s", strerror(-r));
	rc = setattr_body(base);
	snprintf(path, sizeof(path), "%s/dst", base);
	(void)sys_umount2(s, path, MNT_DETACH);
	r = real_rm_rf(base);
	REAL_ASSERT(r == 0, "rm -rf %s: %s", base, strerror(-r));
	return rc;
}

#ifdef FIU_ENABLE
/* An injected spawn fault: nothing is cloned, no pipe is left open. */
REAL_TEST(sys_fiu__spawn_clones_nothing, 10)
{
	struct sys_spawn_req req = { .child_main = main_must_not_run };
	struct sys_child c = { .pid = -7, .release_fd = -7, .report_fd = -7 };
	int r;

	REAL_ASSERT(fiu_init(0) == 0, "fiu_init");
	REAL_ASSERT(fiu_enable("sys/proc/spawn", 1, NULL, 0) == 0, "fiu_enable");
	r = sys_spawn(sys_real(), &req, &c);
	fiu_disable("sys/proc/spawn");
	REAL_ASSERT(r == -EAGAIN, "got %d", r);
	REAL_ASSERT(c.pid == -7 && c.release_fd == -7 && c.report_fd == -7, "out-parameter written");
	EXPECT_ERR(sys_waitpid(sys_real(), -1, NULL, WNOHANG), ECHILD);
	return REAL_PASS;
}

/* An injected release fault behaves like a real failure: both ends closed, and the child,
 * seeing EOF instead of the release byte, exits 125 without running child_main. */
REAL_TEST(sys_fiu__release_closes_and_child_exits, 10)
{
	struct sys *s = sys_real();
	struct sys_spawn_req req = { .child_main = main_must_not_run };
	struct sys_child_report rep;
	struct sys_child c;
	int pid, r, status = -1;

	REAL_ASSERT(fiu_init(0) == 0, "fiu_init");
	pid = spawn_ok(&req, &c);
	REAL_ASSERT(pid > 0, "spawn: %d", pid);
	REAL_ASSERT(fiu_enable("sys/proc/release", 1, NULL, 0) == 0, "fiu_enable");
	r = sys_release(s, &c, &rep);
	fiu_disable("sys/proc/release");
	REAL_ASSERT(sys_waitpid(s, pid, &status, 0) == pid, "waitpid");
	REAL_ASSERT(r == -EPIPE, "release: %d", r);
	REAL_ASSERT(c.release_fd == -1 && c.report_fd == -1, "fds %d %d", c.release_fd, c.report_fd);
	REAL_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 125, "status %#x", status);
	return REAL_PASS;
}

/* libfiu's state is copied by clone: a point enabled in the parent fires in the child too,
 * and the failure comes back through the report. */
REAL_TEST(sys_fiu__fault_reaches_child, 10)
{
	struct sys *s = sys_real();
	struct sys_spawn_req req = { .child_main = main_exec_true };
	struct sys_child_report rep;
	struct sys_child c;
	int pid, r, status = -1;

	REAL_ASSERT(fiu_init(0) == 0, "fiu_init");
	REAL_ASSERT(fiu_enable("sys/proc/execve", 1, (void *)(intptr_t)ETXTBSY, 0) == 0, "fiu_enable");
	pid = spawn_ok(&req, &c);
	fiu_disable("sys/proc/execve");
	REAL_ASSERT(pid > 0, "spawn: %d", pid);
	memset(&rep, 0, sizeof(rep));
	r = sys_release(s, &c, &rep);
	REAL_ASSERT(sys_waitpid(s, pid, &status, 0) == pid, "waitpid");
	REAL_ASSERT(r == -ETXTBSY && strcmp(rep.step, "exec") == 0 && strcmp(rep.path, "/bin/true") == 0,
		    "release %d, report {%d, '%s', '%s'}", r, rep.errnum, rep.step, rep.path);
	REAL_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 125, "status %#x", status);
	return REAL_PASS;
}
#endif
