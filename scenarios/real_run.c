/*
 * real_run.c — `mcz run` end to end against the real kernel: volumes, a private /tmp, RO
 * volumes, mount propagation, the pid namespace, exit and signal statuses, SIGTERM
 * forwarding, --user, exec errors, bad input, a duplicate id and the posix launcher.
 *
 * Each test runs the real binary (env MCZ_BIN, default build/mcz, relative to the repo root)
 * with its own --work_dir and --runtime_dir below /var/lib/mcz-rt-<pid>-<test> (not under
 * /tmp: a private /tmp volume would shadow it) and the default, relative --cgroups_root, on
 * either cgroup layout (none of these tests uses a cgroups isolator, and on v2 the linux
 * launcher's cgroup needs no controller, so it may sit below this process's own cgroup). Each
 * test prints the layout it ran on ("<test>: layout: cgroup v1"; real_cg_layout()).
 *
 * The test process first enters a mount namespace of its own, a copy of the host's (whose
 * mounts are all private here). mcz runs in it, so a mount leaking out of a container or
 * left by mcz shows up in this process's mountinfo, while mounts made meanwhile by other
 * processes of this shared machine do not; and whatever the test mounts itself cannot
 * outlive it.
 *
 * Every test ends by checking that it left nothing — mountinfo as before, no cgroup named
 * after its containers below its own cgroup in any hierarchy (v1 or cgroup2), no process and
 * no runtime entry named after them — and by removing all of it, on every path: a failing
 * REAL_ASSERT returns from the body, then rt_main() checks and cleans up. Container ids start with "mczrt<pid>"; background sleeps
 * carry the marker argument "1000.<pid>".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "scenarios/real_tests.h"

#define RUN_WAIT 60.0        /* seconds one mcz run may take */
#define CLEANUP_RESERVE 20.0 /* seconds of the test's timeout kept for checks and cleanup */
#define TEST_TIMEOUT 180
#define MAX_ARGS 40
#define MAX_OWN 4

extern char **environ;

struct rt {
	char root[192];     /* /var/lib/mcz-rt-<pid>-<test> */
	char work[224];     /* <root>/work */
	char runtime[224];  /* <root>/run */
	char id[32];        /* every container id of the test starts with this */
	char marker[32];    /* an argument of the test's long sleeps */
	char cgroup[PATH_MAX]; /* where the launcher's cgroups go below ("" if unknown) */
	char *mountinfo;    /* before the test */
	double deadline;    /* mcz runs are killed past this, to leave time for the cleanup */
	char *mounts[MAX_OWN]; /* the test's own mounts, unmounted before the checks */
	size_t nmounts;
	char *files[MAX_OWN]; /* files outside root, removed at the end */
	size_t nfiles;
};

/* ---- small helpers ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double dmin(double a, double b)
{
	return a < b ? a : b;
}

static void nap_ms(long ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 }, NULL);
}

static const char *mcz_bin(void)
{
	const char *b = getenv("MCZ_BIN");

	return b && *b ? b : "build/mcz";
}

/* The whole file, NUL-terminated (and its length, which counts embedded NULs); NULL on error. */
static char *read_file_len(const char *path, size_t *ret_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 0;
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = mcz_xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	return buf;
}

static char *read_file(const char *path)
{
	return read_file_len(path, NULL);
}

static int write_file(const char *path, const char *s, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(s);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

__attribute__((format(printf, 2, 3))) static int mkdirf(mode_t mode, const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL;
	va_list ap;

	va_start(ap, fmt);
	path = mcz_xvasprintf(fmt, ap);
	va_end(ap);
	if (mkdir(path, mode) < 0 || chmod(path, mode) < 0)
		return -errno;
	return 0;
}

__attribute__((format(printf, 1, 2))) static bool existsf(const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL;
	va_list ap;

	va_start(ap, fmt);
	path = mcz_xvasprintf(fmt, ap);
	va_end(ap);
	return real_exists(path);
}

/* Whether text has line as one of its lines. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* How many times needle occurs in s. */
static int count_of(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* ---- the command line ---- */

struct av {
	char *v[MAX_ARGS + 1];
	size_t n;
};

static void av_free(struct av *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}
#define _cleanup_av_ __attribute__((cleanup(av_free)))

static void av_vadd(struct av *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void av_vadd(struct av *a, const char *fmt, va_list ap)
{
	if (a->n >= MAX_ARGS)
		abort();
	a->v[a->n++] = mcz_xvasprintf(fmt, ap);
	a->v[a->n] = NULL;
}

__attribute__((format(printf, 2, 3))) static void av_add(struct av *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	av_vadd(a, fmt, ap);
	va_end(ap);
}

/* mcz run with the test's dirs (and --container_id=id unless id is NULL). */
static void av_run(struct av *a, const struct rt *t, const char *id)
{
	av_add(a, "%s", mcz_bin());
	av_add(a, "run");
	av_add(a, "--work_dir=%s", t->work);
	av_add(a, "--runtime_dir=%s", t->runtime);
	if (id)
		av_add(a, "--container_id=%s", id);
}

/* "-- sh -c SCRIPT" */
__attribute__((format(printf, 2, 3))) static void av_sh(struct av *a, const char *fmt, ...)
{
	va_list ap;

	av_add(a, "--");
	av_add(a, "sh");
	av_add(a, "-c");
	va_start(ap, fmt);
	av_vadd(a, fmt, ap);
	va_end(ap);
}

/* ---- running mcz ---- */

struct mczp {
	pid_t pid;
	int fd[2];     /* its stdout, stderr */
	char *buf[2];  /* what it printed there, NUL-terminated */
	size_t len[2];
	int status;    /* exit code; 1000 + N if mcz itself died of signal N; -1 if unknown */
};
#define MCZP_INIT { .pid = -1, .fd = { -1, -1 }, .status = -1 }

static void mczp_free(struct mczp *p)
{
	for (int i = 0; i < 2; i++) {
		if (p->fd[i] >= 0)
			close(p->fd[i]);
		p->fd[i] = -1;
		free(p->buf[i]);
		p->buf[i] = NULL;
	}
	if (p->pid > 0) {
		(void)kill(p->pid, SIGKILL);
		(void)waitpid(p->pid, NULL, 0);
		p->pid = -1;
	}
}
#define _cleanup_mczp_ __attribute__((cleanup(mczp_free)))

/* environ without MCZ_* (flags from the environment would change what mcz does). */
static char **clean_env(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = mcz_xcalloc(n + 1, sizeof(*env));
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "MCZ_", 4) != 0)
			env[k++] = environ[i];
	return env;
}

static _Noreturn void child_exec(char *const argv[], char *const env[], int out, int err)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(124);
	execve(argv[0], argv, env);
	dprintf(2, "realtests: exec '%s': %s\n", argv[0], strerror(errno));
	_exit(124);
}

static int mczp_start(struct mczp *p, const struct av *a)
{
	_cleanup_free_ char **env = clean_env();
	int out[2], err[2], e;

	for (int i = 0; i < 2; i++) {
		p->buf[i] = mcz_xstrdup("");
		p->len[i] = 0;
	}
	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		e = -errno;
		close(out[0]);
		close(out[1]);
		return e;
	}
	p->pid = fork();
	if (p->pid == 0)
		child_exec(a->v, env, out[1], err[1]);
	e = p->pid < 0 ? -errno : 0;
	close(out[1]);
	close(err[1]);
	p->fd[0] = out[0];
	p->fd[1] = err[0];
	return e;
}

static void mczp_read(struct mczp *p, int i)
{
	char chunk[4096];
	ssize_t n = read(p->fd[i], chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(p->fd[i]);
		p->fd[i] = -1;
		return;
	}
	p->buf[i] = mcz_xrealloc(p->buf[i], p->len[i] + (size_t)n + 1);
	memcpy(p->buf[i] + p->len[i], chunk, (size_t)n);
	p->len[i] += (size_t)n;
	p->buf[i][p->len[i]] = '\0';
}

/* Read mcz's output until `until` (if not NULL) appears on its stdout, both pipes are at EOF
 * or the deadline passes. Returns whether `until` was seen. */
static bool mczp_pump(struct mczp *p, double deadline, const char *until)
{
	while (p->fd[0] >= 0 || p->fd[1] >= 0) {
		struct pollfd pf[2] = { { .fd = p->fd[0], .events = POLLIN },
					{ .fd = p->fd[1], .events = POLLIN } };
		double left = deadline - now();

		if (until && strstr(p->buf[0], until))
			return true;
		if (left <= 0)
			break;
		if (poll(pf, 2, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++)
			if (pf[i].revents)
				mczp_read(p, i);
	}
	return until && strstr(p->buf[0], until);
}

/* Collect output and wait for mcz to exit, until the deadline; returns whether it exited
 * (p->status is then set). */
static bool mczp_wait(struct mczp *p, double deadline)
{
	for (;;) {
		int st;
		pid_t r;

		if (p->fd[0] < 0 && p->fd[1] < 0)
			nap_ms(10);
		else
			mczp_pump(p, dmin(now() + 0.05, deadline), NULL);
		r = waitpid(p->pid, &st, WNOHANG);
		if (r == p->pid) {
			p->pid = -1;
			p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
			return true;
		}
		if ((r < 0 && errno != EINTR) || now() >= deadline)
			return false;
	}
}

/* Wait for mcz (SIGKILL it past timeout seconds or the test's deadline), then read what is
 * left in the pipes: a process that survived the container holding them only costs 2 s. */
static int mczp_finish(struct mczp *p, const struct rt *t, double timeout)
{
	if (p->pid > 0 && !mczp_wait(p, dmin(now() + timeout, t->deadline))) {
		fprintf(stderr, "%s: mcz (pid %d) did not exit in time, killed\n", real_test_name(),
			(int)p->pid);
		(void)kill(p->pid, SIGKILL);
		(void)waitpid(p->pid, NULL, 0);
		p->pid = -1;
		p->status = -1;
	}
	mczp_pump(p, now() + 2, NULL);
	for (int i = 0; i < 2; i++) {
		if (p->fd[i] >= 0)
			close(p->fd[i]);
		p->fd[i] = -1;
	}
	return p->status;
}

/* Run mcz to the end; its output is in p->buf[0] (stdout) and p->buf[1] (stderr). Returns
 * its exit status (see struct mczp). */
static int run_mcz(const struct rt *t, const struct av *a, struct mczp *p)
{
	if (mczp_start(p, a) < 0)
		return p->status = -1;
	return mczp_finish(p, t, RUN_WAIT);
}

/* Start mcz and wait until the container prints "ready" on stdout. */
static bool start_ready(const struct rt *t, const struct av *a, struct mczp *p)
{
	if (mczp_start(p, a) < 0)
		return false;
	return mczp_pump(p, dmin(now() + RUN_WAIT, t->deadline), "ready\n");
}

/* ---- what a test may leave behind ---- */

/* Processes other than this one whose command line mentions the test's id or marker.
 * Prints them when report, SIGKILLs them when kill_them; returns how many. */
static int scan_procs(const struct rt *t, bool report, bool kill_them)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[64];
		_cleanup_free_ char *cmd = NULL;
		size_t len = 0;
		int pid = atoi(e->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		cmd = read_file_len(path, &len);
		if (!cmd || len == 0)
			continue;
		for (size_t i = 0; i + 1 < len; i++)
			cmd[i] = cmd[i] ? cmd[i] : ' ';
		if (!strstr(cmd, t->marker) && !strstr(cmd, t->id))
			continue;
		n++;
		if (report)
			fprintf(stderr, "%s: left behind: process %d '%s'\n", real_test_name(), pid, cmd);
		if (kill_them)
			(void)kill(pid, SIGKILL);
	}
	closedir(d);
	return n;
}

/* Entries named after the test's containers in the runtime dir. */
static int runtime_entries(const struct rt *t, bool report)
{
	static const char *const subs[] = { "containers", "pidns" };
	int n = 0;

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(subs); i++) {
		_cleanup_free_ char *dir = mcz_xasprintf("%s/%s", t->runtime, subs[i]);
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d))) {
			if (strncmp(e->d_name, t->id, strlen(t->id)) != 0)
				continue;
			n++;
			if (report)
				fprintf(stderr, "%s: left behind: '%s/%s'\n", real_test_name(), dir,
					e->d_name);
		}
		if (d)
			closedir(d);
	}
	return n;
}

/* Lines of a missing from b, printed with a prefix; returns how many. */
static int print_missing(const char *a, const char *b, const char *what)
{
	int n = 0;

	for (const char *l = a; *l;) {
		const char *e = strchrnul(l, '\n');
		_cleanup_free_ char *line = mcz_xstrndup(l, (size_t)(e - l));

		if (*line && !has_line(b, line)) {
			fprintf(stderr, "%s: %s: %s\n", real_test_name(), what, line);
			n++;
		}
		l = *e ? e + 1 : e;
	}
	return n;
}

/* Differences between two mountinfo snapshots, printed; returns how many lines differ. */
static int mount_diff(const char *before, const char *after)
{
	if (!before || !after)
		return 1;
	return print_missing(after, before, "new mount") + print_missing(before, after, "mount gone");
}

/* The deepest mount at or below dir in mountinfo (the last such line), into buf. */
static bool last_mount_below(const char *mi, const char *dir, char *buf, size_t size)
{
	size_t dl = strlen(dir);
	bool found = false;

	for (const char *l = mi; l && *l;) {
		const char *e = strchrnul(l, '\n');
		_cleanup_free_ char *line = mcz_xstrndup(l, (size_t)(e - l));
		char mp[PATH_MAX];

		/* the 5th field is the mount point; no escapes in the paths of these tests */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strncmp(mp, dir, dl) == 0 &&
		    (mp[dl] == '\0' || mp[dl] == '/')) {
			snprintf(buf, size, "%s", mp);
			found = true;
		}
		l = *e ? e + 1 : e;
	}
	return found;
}

/* Unmount everything at or below dir (deepest first, lazily); returns how many. */
static int umount_below(const char *dir)
{
	char mp[PATH_MAX];
	int n = 0;

	for (int round = 0; round < 16; round++) {
		_cleanup_free_ char *mi = read_file("/proc/self/mountinfo");

		if (!last_mount_below(mi, dir, mp, sizeof(mp)) || umount2(mp, MNT_DETACH) < 0)
			break;
		n++;
	}
	return n;
}

/* ---- set-up, checks, clean-up ---- */

/* Where the linux launcher makes its cgroups with the default, relative --cgroups_root:
 * this process's cgroup in the v1 freezer hierarchy, or in the cgroup2 one on v2. */
static void own_cgroup(char *buf, size_t size)
{
	enum real_cg_layout l = real_cg_layout();

	buf[0] = '\0';
	if ((l == REAL_CG_V1 && !real_cg_v1_dir("freezer", buf, size)) ||
	    (l == REAL_CG_V2 && !real_cg2_dir(buf, size)))
		buf[0] = '\0';
}

/* Under user-mode Linux (ci/uml/) / is the host's filesystem through hostfs, where a file
 * any process creates belongs to the host's root whatever its uid (--user=nobody could not
 * be checked): the test's root then gets a tmpfs, mounted in the test's own mount namespace
 * before the mountinfo snapshot and unmounted by rt_cleanup(). */
#define HOSTFS_SUPER_MAGIC 0x00c0ffee

static int rt_setup(struct rt *t, unsigned timeout)
{
	struct statfs sfs;

	memset(t, 0, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "/var/lib/mcz-rt-%d-%s", (int)getpid(), real_test_name());
	snprintf(t->work, sizeof(t->work), "%s/work", t->root);
	snprintf(t->runtime, sizeof(t->runtime), "%s/run", t->root);
	snprintf(t->id, sizeof(t->id), "mczrt%d", (int)getpid());
	snprintf(t->marker, sizeof(t->marker), "1000.%d", (int)getpid());
	t->deadline = now() + timeout - CLEANUP_RESERVE;
	own_cgroup(t->cgroup, sizeof(t->cgroup));
	t->mountinfo = read_file("/proc/self/mountinfo");
	if (mkdirf(0755, "%s", t->root) < 0) {
		fprintf(stderr, "%s: mkdir '%s': %s\n", real_test_name(), t->root, strerror(errno));
		t->root[0] = '\0';
		return 1;
	}
	if (statfs(t->root, &sfs) == 0 && sfs.f_type == HOSTFS_SUPER_MAGIC) {
		if (mount("mcz-rt", t->root, "tmpfs", 0, "mode=0755") < 0) {
			fprintf(stderr, "%s: tmpfs on '%s': %s\n", real_test_name(), t->root, strerror(errno));
			return 1;
		}
		free(t->mountinfo);
		t->mountinfo = read_file("/proc/self/mountinfo");
	}
	return t->mountinfo ? 0 : 1;
}

/* Everything the test left behind, reported; returns how many things. */
static int rt_leftovers(struct rt *t)
{
	_cleanup_free_ char *mi = read_file("/proc/self/mountinfo");
	int n = mount_diff(t->mountinfo, mi);

	n += real_cg_leftovers(t->id, false);
	n += scan_procs(t, true, false);
	n += runtime_entries(t, true);
	return n;
}

/* Remove everything the test made; returns -1 if something could not be removed. */
static int rt_cleanup(struct rt *t)
{
	int r = 0;

	for (int i = 0; i < 50 && scan_procs(t, false, true) > 0; i++)
		nap_ms(100);
	(void)real_cg_leftovers(t->id, true);
	for (size_t i = 0; i < t->nfiles; i++)
		(void)unlink(t->files[i]);
	if (t->root[0]) {
		umount_below(t->root);
		r = real_rm_rf(t->root);
		if (r < 0)
			fprintf(stderr, "%s: rm -rf '%s': %s\n", real_test_name(), t->root, strerror(-r));
	}
	return r < 0 ? -1 : 0;
}

static void rt_free(struct rt *t)
{
	free(t->mountinfo);
	for (size_t i = 0; i < t->nmounts; i++)
		free(t->mounts[i]);
	for (size_t i = 0; i < t->nfiles; i++)
		free(t->files[i]);
}

static void rt_umount_own(struct rt *t)
{
	for (size_t i = t->nmounts; i-- > 0;)
		umount_below(t->mounts[i]);
}

static int rt_main(int (*body)(struct rt *), unsigned timeout)
{
	struct rt t;
	int r, left;

	real_cg_print_layout(NULL);
	REAL_REQUIRE_ROOT();
	if (access(mcz_bin(), X_OK) < 0) {
		fprintf(stderr, "%s: '%s': %s (build it, or set MCZ_BIN)\n", real_test_name(), mcz_bin(),
			strerror(errno));
		return 1;
	}
	if (unshare(CLONE_NEWNS) < 0) {
		fprintf(stderr, "%s: unshare(CLONE_NEWNS): %s\n", real_test_name(), strerror(errno));
		return 1;
	}
	r = rt_setup(&t, timeout);
	if (r == 0)
		r = body(&t);
	rt_umount_own(&t);
	left = rt_leftovers(&t);
	if (rt_cleanup(&t) < 0)
		left++;
	rt_free(&t);
	return left && r == REAL_PASS ? 1 : r;
}

/* A real test with the set-up and the checks of rt_main() around its body. */
#define RUN_TEST(tname, timeout)                                                                \
	static int tname##_body(struct rt *t);                                                  \
	REAL_TEST(tname, timeout)                                                               \
	{                                                                                       \
		return rt_main(tname##_body, timeout);                                          \
	}                                                                                       \
	static int tname##_body(struct rt *t)

/* A mount point of the test's own, unmounted (with what is below) before the checks. */
static void own_mount(struct rt *t, const char *path)
{
	if (t->nmounts >= MAX_OWN)
		abort();
	t->mounts[t->nmounts++] = mcz_xstrdup(path);
}

/* A file outside the test's root, removed at the end. */
static void own_file(struct rt *t, const char *path)
{
	if (t->nfiles >= MAX_OWN)
		abort();
	t->files[t->nfiles++] = mcz_xstrdup(path);
}

/* A container id of the test: "<t->id>-<suffix>" (malloc'd). */
static char *cid(const struct rt *t, const char *suffix)
{
	return mcz_xasprintf("%s-%s", t->id, suffix);
}

static bool stat_is(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return false;
	return (st.st_mode & 07777) == mode && st.st_uid == uid && st.st_gid == gid;
}

/* ---- 1, 2: volumes ---- */

/* A relative host path becomes <sandbox>/<host_path> with the container path's mode and
 * owner; writes land there, not in the host's container path. */
RUN_TEST(run__relative_volume, TEST_TIMEOUT)
{
	_cleanup_free_ char *cp = mcz_xasprintf("%s/cp", t->root);
	_cleanup_free_ char *sb = mcz_xasprintf("%s/sandboxes/%s", t->work, t->id);
	_cleanup_free_ char *data = mcz_xasprintf("%s/data", sb);
	_cleanup_free_ char *vol = mcz_xasprintf("%s/vol", data);
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	REAL_ASSERT(mkdir(cp, 0700) == 0 && chown(cp, 1000, 1000) == 0 && chmod(cp, 02775) == 0,
		    "%s: %s", cp, strerror(errno));
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=filesystem/shared");
	av_add(&a, "--volume=data/vol:%s", cp);
	av_sh(&a, "touch %s/inside && stat -c '%%a %%u %%g' %s", cp, cp);
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d, stderr: %s", p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], "2775 1000 1000\n") == 0, "inside, stat says '%s'", p.buf[0]);
	REAL_ASSERT(stat_is(vol, 02775, 1000, 1000), "'%s' is not a 2775 1000:1000 directory", vol);
	REAL_ASSERT(stat_is(sb, 0750, 0, 0), "the sandbox '%s' is not 0750 root:root", sb);
	REAL_ASSERT(stat_is(data, 0755, 0, 0), "'%s' is not 0755 root:root", data);
	REAL_ASSERT(existsf("%s/inside", vol), "the file written inside is not in '%s'", vol);
	REAL_ASSERT(!existsf("%s/inside", cp), "the file written inside is in the host's '%s'", cp);
	return REAL_PASS;
}

/* An absolute host path: its files are visible at the container path, writes go to it. */
RUN_TEST(run__absolute_volume, TEST_TIMEOUT)
{
	_cleanup_free_ char *src = mcz_xasprintf("%s/src", t->root);
	_cleanup_free_ char *dst = mcz_xasprintf("%s/dst", t->root);
	_cleanup_free_ char *hello = mcz_xasprintf("%s/hello", src);
	_cleanup_free_ char *text = mcz_xasprintf("hello %s\n", t->marker);
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	REAL_ASSERT(mkdirf(0755, "%s", src) == 0 && mkdirf(0755, "%s", dst) == 0, "mkdir: %s",
		    strerror(errno));
	REAL_ASSERT(write_file(hello, text, 0644) == 0, "write '%s'", hello);
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=filesystem/shared");
	av_add(&a, "--volume=%s:%s", src, dst);
	av_sh(&a, "cat %s/hello && touch %s/back", dst, dst);
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d, stderr: %s", p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], text) == 0, "inside, cat printed '%s'", p.buf[0]);
	REAL_ASSERT(existsf("%s/back", src), "a file written in the volume is not in '%s'", src);
	REAL_ASSERT(!existsf("%s/back", dst) && !existsf("%s/hello", dst),
		    "the host's '%s' changed", dst);
	return REAL_PASS;
}

/* ---- 3: private /tmp ---- */

static void tmp_container(struct av *a, const struct rt *t, const char *id)
{
	av_run(a, t, id);
	av_add(a, "--isolation=filesystem/shared,namespaces/pid");
	av_add(a, "--volume=tmp:/tmp");
	av_add(a, "--stop_grace_period=1");
}

static bool tmp_is_1777(const struct rt *t, const char *id)
{
	_cleanup_free_ char *tmp = mcz_xasprintf("%s/sandboxes/%s/tmp", t->work, id);

	return stat_is(tmp, 01777, 0, 0);
}

/* Two containers with a private /tmp see neither each other's files nor the host's. */
RUN_TEST(run__private_tmp, TEST_TIMEOUT)
{
	_cleanup_free_ char *host = mcz_xasprintf("/tmp/%s-host", t->id);
	_cleanup_free_ char *ida = cid(t, "a"), *idb = cid(t, "b");
	_cleanup_free_ char *want_a = mcz_xasprintf("a.%s\nready\n", t->id);
	_cleanup_free_ char *want_b = mcz_xasprintf("b.%s\n", t->id);
	_cleanup_av_ struct av a = { .n = 0 }, b = { .n = 0 };
	_cleanup_mczp_ struct mczp pa = MCZP_INIT, pb = MCZP_INIT;

	own_file(t, host);
	REAL_ASSERT(write_file(host, "host\n", 0644) == 0, "write '%s'", host);
	tmp_container(&a, t, ida);
	av_sh(&a, "touch /tmp/a.%s && ls -A /tmp && echo ready && exec sleep %s", t->id, t->marker);
	REAL_ASSERT(start_ready(t, &a, &pa), "container a not ready: stdout '%s', stderr '%s'",
		    pa.buf[0], pa.buf[1]);
	tmp_container(&b, t, idb);
	av_sh(&b, "touch /tmp/b.%s && ls -A /tmp", t->id);
	REAL_ASSERT(run_mcz(t, &b, &pb) == 0, "b: status %d, stderr: %s", pb.status, pb.buf[1]);
	REAL_ASSERT(strcmp(pb.buf[0], want_b) == 0, "b's /tmp while a runs: '%s'", pb.buf[0]);
	REAL_ASSERT(kill(pa.pid, SIGTERM) == 0, "kill: %s", strerror(errno));
	REAL_ASSERT(mczp_finish(&pa, t, RUN_WAIT) == 137, "a: status %d, stderr: %s", pa.status,
		    pa.buf[1]);
	REAL_ASSERT(strcmp(pa.buf[0], want_a) == 0, "a's /tmp: '%s'", pa.buf[0]);
	REAL_ASSERT(!existsf("/tmp/a.%s", t->id) && !existsf("/tmp/b.%s", t->id),
		    "a container's file is in the host's /tmp");
	REAL_ASSERT(existsf("%s/sandboxes/%s/tmp/a.%s", t->work, ida, t->id) &&
			    existsf("%s/sandboxes/%s/tmp/b.%s", t->work, idb, t->id),
		    "the files are not in the sandboxes' tmp");
	REAL_ASSERT(existsf("%s/sandboxes/%s/tmp", t->work, ida) && tmp_is_1777(t, ida) &&
			    tmp_is_1777(t, idb),
		    "a sandbox's tmp is not 1777 root:root");
	return REAL_PASS;
}

/* ---- 4: RO ---- */

/* Writing to an RO volume fails with EROFS, below a submount too; the host directory is
 * unchanged and still writable. */
RUN_TEST(run__ro_volume, TEST_TIMEOUT)
{
	_cleanup_free_ char *src = mcz_xasprintf("%s/ro", t->root);
	_cleanup_free_ char *cp = mcz_xasprintf("%s/cp", t->root);
	_cleanup_free_ char *f = mcz_xasprintf("%s/f", src);
	_cleanup_free_ char *sub = mcz_xasprintf("%s/sub", src);
	_cleanup_free_ char *after = NULL;
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	REAL_ASSERT(mkdirf(0755, "%s", src) == 0 && mkdirf(0755, "%s", cp) == 0, "mkdir: %s",
		    strerror(errno));
	REAL_ASSERT(write_file(f, "orig\n", 0644) == 0, "write '%s'", f);
	REAL_ASSERT(mkdirf(0755, "%s", sub) == 0, "mkdir '%s'", sub);
	own_mount(t, sub);
	REAL_ASSERT(mount("none", sub, "tmpfs", 0, NULL) == 0, "tmpfs on '%s': %s", sub, strerror(errno));
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=filesystem/shared");
	av_add(&a, "--volume=%s:%s:ro", src, cp);
	av_sh(&a,
	      "cat %s/f; for f in %s/f %s/new %s/sub/new; do"
	      " if echo x > $f; then echo WROTE $f; fi; done",
	      cp, cp, cp, cp);
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d, stderr: %s", p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], "orig\n") == 0, "inside: '%s'", p.buf[0]);
	REAL_ASSERT(count_lines(p.buf[1]) == 3 && count_of(p.buf[1], "Read-only file system") == 3,
		    "stderr: '%s'", p.buf[1]);
	after = read_file(f);
	REAL_ASSERT(after && strcmp(after, "orig\n") == 0, "host file now '%s'", after ? after : "?");
	REAL_ASSERT(!existsf("%s/new", src), "a file was created in the RO volume");
	REAL_ASSERT(!existsf("%s/new", sub), "a file was created in the RO volume's submount");
	REAL_ASSERT(write_file(f, "host\n", 0644) == 0, "the host directory is no longer writable");
	REAL_ASSERT(mkdirf(0755, "%s/d", sub) == 0, "the host's submount is no longer writable");
	return REAL_PASS;
}

/* ---- 5: propagation ---- */

/* A shared bind mount of <root>/shared; registered first so it is unmounted on every path. */
static int make_shared(struct rt *t, const char *dir)
{
	own_mount(t, dir);
	if (mount(dir, dir, "none", MS_BIND, NULL) < 0 || mount("none", dir, "none", MS_SHARED, NULL) < 0)
		return -errno;
	return 0;
}

/* Mounts made in the container do not reach the host, even below a shared host mount. */
RUN_TEST(run__mounts_do_not_propagate, TEST_TIMEOUT)
{
	_cleanup_free_ char *sh = mcz_xasprintf("%s/shared", t->root);
	_cleanup_free_ char *cp = mcz_xasprintf("%s/cp", t->root);
	_cleanup_free_ char *before = NULL, *after = NULL;
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	REAL_ASSERT(mkdirf(0755, "%s", sh) == 0 && mkdirf(0755, "%s/vol", sh) == 0 &&
			    mkdirf(0755, "%s/vol/sub", sh) == 0 && mkdirf(0755, "%s/vol/sub2", sh) == 0 &&
			    mkdirf(0755, "%s", cp) == 0,
		    "mkdir: %s", strerror(errno));
	REAL_ASSERT(make_shared(t, sh) == 0, "shared bind mount of '%s': %s", sh, strerror(errno));
	before = read_file("/proc/self/mountinfo");
	REAL_ASSERT(before && strstr(before, " shared:"), "no shared mount in mountinfo");
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=filesystem/shared");
	av_add(&a, "--volume=%s/vol:%s", sh, cp);
	av_sh(&a,
	      "mount -t tmpfs %s-a %s/sub && mount -t tmpfs %s-b %s/vol/sub2"
	      " && grep -c %s /proc/self/mountinfo",
	      t->id, cp, t->id, sh, t->id);
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d, stderr: %s", p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], "2\n") == 0, "inside, the tmpfs mounts: '%s'", p.buf[0]);
	after = read_file("/proc/self/mountinfo");
	REAL_ASSERT(mount_diff(before, after) == 0, "the host's mounts changed (above)");
	REAL_ASSERT(!strstr(after, t->id), "a container's tmpfs is on the host");
	return REAL_PASS;
}

/* ---- 6, 7: pid namespace and orphans ---- */

/* Whether `ps -e -o pid= -o comm=` shows exactly "1 sh" and the ps itself. */
static bool ps_only_own(const char *ps)
{
	bool sh = false, self = false;
	int n = 0;

	for (const char *l = ps; *l;) {
		const char *e = strchrnul(l, '\n');
		_cleanup_free_ char *line = mcz_xstrndup(l, (size_t)(e - l));
		char comm[64];
		int pid;

		if (sscanf(line, "%d %63s", &pid, comm) != 2)
			return false;
		sh |= pid == 1 && strcmp(comm, "sh") == 0;
		self |= pid != 1 && strcmp(comm, "ps") == 0;
		n++;
		l = *e ? e + 1 : e;
	}
	return n == 2 && sh && self;
}

/* The command is pid 1 of a new pid namespace and sees only its own processes. */
RUN_TEST(run__pid_namespace, TEST_TIMEOUT)
{
	char host_ns[64] = "", inside[64] = "";
	ssize_t n = readlink("/proc/self/ns/pid", host_ns, sizeof(host_ns) - 1);
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	char *rest;

	REAL_ASSERT(n > 0, "readlink: %s", strerror(errno));
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=namespaces/pid");
	av_sh(&a, "readlink /proc/self/ns/pid; cat /proc/1/comm; ps -e -o pid= -o comm=");
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d, stderr: %s", p.status, p.buf[1]);
	rest = strchr(p.buf[0], '\n');
	REAL_ASSERT(rest && (size_t)(rest - p.buf[0]) < sizeof(inside), "output '%s'", p.buf[0]);
	memcpy(inside, p.buf[0], (size_t)(rest - p.buf[0]));
	REAL_ASSERT(strncmp(inside, "pid:[", 5) == 0 && strcmp(inside, host_ns) != 0,
		    "pid namespace inside '%s', host '%s'", inside, host_ns);
	REAL_ASSERT(strncmp(rest + 1, "sh\n", 3) == 0, "/proc/1/comm: '%s'", rest + 1);
	rest += 4;
	REAL_ASSERT(ps_only_own(rest), "ps -e inside shows:\n%s", rest);
	return REAL_PASS;
}

/* When pid 1 exits, its background children are killed too. */
static int orphans_gone(struct rt *t, const char *isolation, const char *launcher)
{
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	av_run(&a, t, t->id);
	av_add(&a, "--isolation=%s", isolation);
	if (launcher)
		av_add(&a, "--launcher=%s", launcher);
	av_sh(&a, "sleep %s & echo started", t->marker);
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d, stderr: %s", p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], "started\n") == 0, "stdout '%s'", p.buf[0]);
	REAL_ASSERT(scan_procs(t, true, false) == 0, "the background sleep survived (%s)", isolation);
	return REAL_PASS;
}

RUN_TEST(run__orphans_killed_pidns, TEST_TIMEOUT)
{
	return orphans_gone(t, "namespaces/pid", NULL);
}

/* Without a pid namespace, the launcher's freezer cgroup catches them. */
RUN_TEST(run__orphans_killed_freezer, TEST_TIMEOUT)
{
	return orphans_gone(t, "", NULL);
}

/* 13: the posix launcher kills the session and the descendants found in /proc. */
RUN_TEST(run__orphans_killed_posix, TEST_TIMEOUT)
{
	return orphans_gone(t, "posix/cpu", "posix");
}

/* ---- 8: statuses and SIGTERM ---- */

static int status_of(struct rt *t, const char *isolation, const char *script, int want)
{
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	av_run(&a, t, t->id);
	av_add(&a, "--isolation=%s", isolation);
	av_sh(&a, "%s", script);
	REAL_ASSERT(run_mcz(t, &a, &p) == want, "'%s' with '%s': status %d, want %d; stderr: %s",
		    script, isolation, p.status, want, p.buf[1]);
	return REAL_PASS;
}

RUN_TEST(run__exit_and_signal_status, TEST_TIMEOUT)
{
	/* Signals to pid 1 from inside its own pid namespace are ignored, so the signal cases
	 * run without one. */
	REAL_ASSERT(status_of(t, "namespaces/pid", "exit 3", 3) == 0, "exit 3");
	REAL_ASSERT(status_of(t, "", "exit 3", 3) == 0, "exit 3");
	REAL_ASSERT(status_of(t, "", "kill -SEGV $$", 128 + SIGSEGV) == 0, "SIGSEGV");
	REAL_ASSERT(status_of(t, "", "kill -9 $$", 128 + SIGKILL) == 0, "SIGKILL");
	REAL_ASSERT(status_of(t, "posix/cpu", "kill -TERM $$", 128 + SIGTERM) == 0, "SIGTERM");
	return REAL_PASS;
}

/* Send SIGTERM to a `mcz run` whose command printed "ready"; returns its status. */
static int sigterm_run(struct rt *t, const char *grace, const char *script, const char *tf)
{
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	av_run(&a, t, t->id);
	av_add(&a, "--isolation=namespaces/pid");
	av_add(&a, "--stop_grace_period=%s", grace);
	av_add(&a, "--termination_file=%s", tf);
	av_sh(&a, "%s", script);
	if (!start_ready(t, &a, &p)) {
		fprintf(stderr, "%s: not ready: stdout '%s', stderr '%s'\n", real_test_name(), p.buf[0],
			p.buf[1]);
		return -1;
	}
	(void)kill(p.pid, SIGTERM);
	if (mczp_finish(&p, t, RUN_WAIT) < 0 || p.buf[1][0])
		fprintf(stderr, "%s: status %d, stderr '%s'\n", real_test_name(), p.status, p.buf[1]);
	return p.status;
}

/* pid 1 ignores SIGTERM: destroyed after the grace period, 137, the Termination says so. */
RUN_TEST(run__sigterm_grace_period, TEST_TIMEOUT)
{
	_cleanup_free_ char *tf = mcz_xasprintf("%s/termination.json", t->root);
	_cleanup_free_ char *script = mcz_xasprintf("echo ready; exec sleep %s", t->marker);
	json_auto_t *j = NULL;
	const char *msg;

	REAL_ASSERT(sigterm_run(t, "1", script, tf) == 128 + SIGKILL, "want 137");
	j = json_load_file(tf, 0, NULL);
	REAL_ASSERT(j, "no JSON in '%s'", tf);
	msg = json_string_value(json_object_get(j, "message"));
	REAL_ASSERT(json_integer_value(json_object_get(j, "signal")) == SIGKILL &&
			    json_is_true(json_object_get(j, "killed")) && !json_object_get(j, "exit_code"),
		    "termination: signal/killed/exit_code wrong");
	REAL_ASSERT(msg && strstr(msg, "grace period") && strstr(msg, "1s"), "message '%s'",
		    msg ? msg : "(none)");
	return REAL_PASS;
}

/* A shell trapping TERM exits with its own code. */
RUN_TEST(run__sigterm_trapped, TEST_TIMEOUT)
{
	_cleanup_free_ char *tf = mcz_xasprintf("%s/termination.json", t->root);
	json_auto_t *j = NULL;

	REAL_ASSERT(sigterm_run(t, "60", "trap 'exit 7' TERM; echo ready; while :; do sleep 0.1; done",
				tf) == 7,
		    "want 7");
	j = json_load_file(tf, 0, NULL);
	REAL_ASSERT(j, "no JSON in '%s'", tf);
	REAL_ASSERT(json_integer_value(json_object_get(j, "exit_code")) == 7 &&
			    json_is_false(json_object_get(j, "killed")) && !json_object_get(j, "signal"),
		    "termination: exit_code/killed/signal wrong");
	return REAL_PASS;
}

/* ---- 9: --user ---- */

/* A shell that starts mcz in the background ignores SIGINT and SIGQUIT; SIG_IGN survives
 * exec, so the command must get default dispositions back, or forwarded signals do nothing. */
RUN_TEST(run__ignored_signals_are_reset, TEST_TIMEOUT)
{
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	/* this test runs in its own process: no need to restore the dispositions. 32 and 33
	 * (glibc's own, out of signal(3)'s reach) were found ignored by CI's parent process. */
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} ign = { .handler = SIG_IGN };

	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	for (int sig = 32; sig <= 33; sig++)
		(void)syscall(SYS_rt_sigaction, sig, &ign, NULL, sizeof(ign.mask));
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=namespaces/pid");
	av_sh(&a, "exec grep SigIgn /proc/self/status");
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d, stderr: %s", p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], "SigIgn:\t0000000000000000\n") == 0, "the command ignores: '%s'",
		    p.buf[0]);
	return REAL_PASS;
}

RUN_TEST(run__user_nobody, TEST_TIMEOUT)
{
	struct passwd *pw = getpwnam("nobody");
	_cleanup_free_ char *dir = mcz_xasprintf("%s/rootonly", t->root);
	_cleanup_free_ char *sb = mcz_xasprintf("%s/sandboxes/%s", t->work, t->id);
	_cleanup_free_ char *mine = mcz_xasprintf("%s/mine", sb);
	_cleanup_free_ char *want = NULL;
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	struct stat st;
	uid_t uid;

	if (!pw)
		return real_skip("no user 'nobody'");
	uid = pw->pw_uid;
	want = mcz_xasprintf("%u\n", (unsigned)uid);
	REAL_ASSERT(mkdirf(0755, "%s", dir) == 0, "mkdir: %s", strerror(errno));
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=namespaces/pid");
	av_add(&a, "--user=nobody");
	av_sh(&a, "id -u; touch ./mine; if touch %s/x; then echo WROTE; fi", dir);
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d, stderr: %s", p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], want) == 0, "stdout '%s', want '%s'", p.buf[0], want);
	REAL_ASSERT(strstr(p.buf[1], "Permission denied") && !existsf("%s/x", dir),
		    "nobody could write to a root-owned 0755 dir; stderr '%s'", p.buf[1]);
	REAL_ASSERT(stat_is(sb, 0750, uid, pw->pw_gid), "the sandbox is not 0750 nobody's");
	REAL_ASSERT(lstat(mine, &st) == 0 && st.st_uid == uid, "no file of nobody in the sandbox");
	return REAL_PASS;
}

/* ---- 10: exec errors ---- */

static int exec_error(struct rt *t, const char *const *flags, const char *cmd, int want,
		      const char *text)
{
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	av_run(&a, t, t->id);
	for (; *flags; flags++)
		av_add(&a, "%s", *flags);
	av_add(&a, "--");
	av_add(&a, "%s", cmd);
	REAL_ASSERT(run_mcz(t, &a, &p) == want, "'%s': status %d, want %d; stderr: %s", cmd,
		    p.status, want, p.buf[1]);
	REAL_ASSERT(count_lines(p.buf[1]) == 1 && strncmp(p.buf[1], "mcz: error: ", 12) == 0 &&
			    strstr(p.buf[1], text),
		    "'%s': stderr '%s', want one 'mcz: error: ...%s' line", cmd, p.buf[1], text);
	REAL_ASSERT(runtime_entries(t, true) == 0, "a runtime entry is left");
	return REAL_PASS;
}

/* 127 for a missing command, 126 for a file that is not executable (both launchers). */
RUN_TEST(run__exec_errors, TEST_TIMEOUT)
{
	static const char *const linux_flags[] = { "--isolation=namespaces/pid", NULL };
	static const char *const posix_flags[] = { "--launcher=posix", "--isolation=posix/cpu", NULL };
	_cleanup_free_ char *noexec = mcz_xasprintf("%s/noexec", t->root);
	_cleanup_free_ char *missing = mcz_xasprintf("%s-no-such-command", t->id);

	REAL_ASSERT(write_file(noexec, "#!/bin/sh\nexit 0\n", 0644) == 0, "write '%s'", noexec);
	REAL_ASSERT(exec_error(t, linux_flags, missing, 127, "not found") == 0, "linux, missing");
	REAL_ASSERT(exec_error(t, linux_flags, noexec, 126, "Permission denied") == 0,
		    "linux, not executable");
	REAL_ASSERT(exec_error(t, posix_flags, missing, 127, "not found") == 0, "posix, missing");
	REAL_ASSERT(exec_error(t, posix_flags, noexec, 126, "Permission denied") == 0,
		    "posix, not executable");
	return REAL_PASS;
}

/* ---- 11: bad input ---- */

struct bad_case {
	const char *flag[2]; /* a flag ending in '@' gets "<root>/cp" appended */
	const char *text;    /* expected in the error line */
	bool no_id;          /* do not pass the test's --container_id */
	bool no_command;
};

static const struct bad_case bad_cases[] = {
	{ { "--isolation=nosuch/isolator" }, "nosuch/isolator", false, false },
	{ { "--isolation=namespaces/pid,namespaces/pid" }, "namespaces/pid", false, false },
	{ { "--launcher=posix", "--isolation=namespaces/pid" }, "namespaces/pid", false, false },
	{ { "--container_id=../x" }, "../x", true, false },
	{ { "--isolation=filesystem/shared", "--volume=tmp:@-missing" }, "-missing", false, false },
	{ { "--isolation=filesystem/shared", "--volume=a/../b:@" }, "a/../b", false, false },
	{ { "--isolation=filesystem/shared", "--volume=/etc/hostname:@" }, "/etc/hostname", false, false },
	{ { "--container_info={\"type\":\"MESOS\"," }, "container_info", false, false },
	{ { "--container_info={\"type\":\"DOCKER\"}" }, "DOCKER", false, false },
	{ { "--user=mcz-no-such-user" }, "mcz-no-such-user", false, false },
	{ { "--isolation=namespaces/pid" }, "command", false, true },
};

static int bad_input(struct rt *t, size_t i)
{
	const struct bad_case *c = &bad_cases[i];
	_cleanup_free_ char *suffix = mcz_xasprintf("b%zu", i);
	_cleanup_free_ char *id = cid(t, suffix);
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	av_run(&a, t, c->no_id ? NULL : id);
	for (size_t k = 0; k < 2 && c->flag[k]; k++) {
		size_t n = strlen(c->flag[k]);
		bool at = strchr(c->flag[k], '@') != NULL;
		size_t pre = at ? (size_t)(strchr(c->flag[k], '@') - c->flag[k]) : n;

		av_add(&a, "%.*s%s%s%s", (int)pre, c->flag[k], at ? t->root : "", at ? "/cp" : "",
		       at ? c->flag[k] + pre + 1 : "");
	}
	if (!c->no_command)
		av_sh(&a, "touch %s/ran", t->root);
	REAL_ASSERT(run_mcz(t, &a, &p) == 125, "case %zu (%s): status %d, stderr: %s", i, c->flag[0],
		    p.status, p.buf[1]);
	REAL_ASSERT(count_lines(p.buf[1]) == 1 && strncmp(p.buf[1], "mcz: error: ", 12) == 0 &&
			    strstr(p.buf[1], c->text) && !p.buf[0][0],
		    "case %zu (%s): stderr '%s', stdout '%s'", i, c->flag[0], p.buf[1], p.buf[0]);
	REAL_ASSERT(!existsf("%s/ran", t->root), "case %zu: the command ran", i);
	REAL_ASSERT(!existsf("%s/sandboxes/%s", t->work, id) && !existsf("%s/x", t->work) &&
			    runtime_entries(t, true) == 0,
		    "case %zu (%s): a sandbox or runtime entry was created", i, c->flag[0]);
	REAL_ASSERT(real_cg_leftovers(t->id, false) == 0, "case %zu: a cgroup was created", i);
	return REAL_PASS;
}

/* Bad input exits 125 with one error line and creates nothing. */
RUN_TEST(run__bad_input, TEST_TIMEOUT)
{
	_cleanup_free_ char *cp = mcz_xasprintf("%s/cp", t->root);

	REAL_ASSERT(mkdirf(0755, "%s", cp) == 0, "mkdir: %s", strerror(errno));
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(bad_cases); i++)
		REAL_ASSERT(bad_input(t, i) == 0, "bad input case %zu", i);
	return REAL_PASS;
}

/* ---- 12: the same id twice ---- */

/* Whether a process runs exactly `sleep <marker>` (the shell in front of it has exec'ed). */
static bool marker_sleep_runs(const struct rt *t)
{
	_cleanup_free_ char *want = mcz_xasprintf("sleep %s", t->marker);
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char path[64];
		_cleanup_free_ char *cmd = NULL;
		size_t len = 0;

		int pid = atoi(e->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		cmd = read_file_len(path, &len);
		for (size_t i = 0; cmd && i + 1 < len; i++)
			cmd[i] = cmd[i] ? cmd[i] : ' ';
		found = cmd && len > 0 && strcmp(cmd, want) == 0;
	}
	if (d)
		closedir(d);
	return found;
}

/* Interrupt a `mcz run` until it exits (the second SIGINT destroys; signals may merge). */
static int interrupt(const struct rt *t, struct mczp *p)
{
	for (int i = 0; i < 120 && p->pid > 0 && now() < t->deadline; i++) {
		(void)kill(p->pid, SIGINT);
		if (mczp_wait(p, dmin(now() + 0.5, t->deadline)))
			break;
	}
	return mczp_finish(p, t, 5);
}

/* A second `mcz run` with the id of a running container fails and leaves the first alone. */
RUN_TEST(run__duplicate_id, TEST_TIMEOUT)
{
	_cleanup_free_ char *entry = mcz_xasprintf("%s/containers/%s", t->runtime, t->id);
	_cleanup_free_ char *cg = mcz_xasprintf("%s/mcz/%s", t->cgroup, t->id);
	_cleanup_av_ struct av a = { .n = 0 }, b = { .n = 0 };
	_cleanup_mczp_ struct mczp pa = MCZP_INIT, pb = MCZP_INIT;

	av_run(&a, t, t->id);
	av_add(&a, "--isolation=namespaces/pid");
	av_add(&a, "--stop_grace_period=60");
	av_sh(&a, "echo ready; exec sleep %s", t->marker);
	REAL_ASSERT(start_ready(t, &a, &pa), "first not ready: stdout '%s', stderr '%s'", pa.buf[0],
		    pa.buf[1]);
	av_run(&b, t, t->id);
	av_add(&b, "--isolation=namespaces/pid");
	av_sh(&b, "touch %s/ran", t->root);
	REAL_ASSERT(run_mcz(t, &b, &pb) == 125, "second: status %d, stderr: %s", pb.status, pb.buf[1]);
	REAL_ASSERT(count_lines(pb.buf[1]) == 1 && strncmp(pb.buf[1], "mcz: error: ", 12) == 0 &&
			    strstr(pb.buf[1], "already exists"),
		    "second: stderr '%s'", pb.buf[1]);
	REAL_ASSERT(!existsf("%s/ran", t->root), "the second command ran");
	REAL_ASSERT(waitpid(pa.pid, NULL, WNOHANG) == 0 && scan_procs(t, false, false) > 0,
		    "the first container died");
	REAL_ASSERT(real_exists(entry), "the first's runtime entry '%s' is gone", entry);
	REAL_ASSERT(!t->cgroup[0] || real_exists(cg), "the first's cgroup '%s' is gone", cg);
	/* "ready" comes from the shell before it execs sleep; a SIGINT forwarded to that shell
	 * (pid 1, which may catch it) would end it with 130: interrupt only once sleep runs. */
	for (int i = 0; i < 500 && !marker_sleep_runs(t); i++)
		nap_ms(10);
	REAL_ASSERT(marker_sleep_runs(t), "the first container's sleep never started");
	REAL_ASSERT(interrupt(t, &pa) == 128 + SIGKILL, "first: status %d, stderr: %s", pa.status,
		    pa.buf[1]);
	return REAL_PASS;
}
