/*
 * real_run.c — `mcz run` end to end against the real kernel: volumes, a private /tmp, RO
 * volumes, mount propagation, the pid namespace, exit and signal statuses, SIGTERM
 * forwarding, --user, exec errors, bad input, a duplicate id and the posix launcher; and the
 * detached life cycle (lifecycle__*: `mcz launch`, `status`, `usage`, `wait`, `destroy`,
 * `list`; section 14) and `mcz recover` (recover__*: adoption after a supervisor's death, dead
 * containers, orphan cgroups and pidns handles; section 15).
 *
 * Each test runs the real binary (env MCZ_BIN, default build/mcz, relative to the repo root)
 * with its own --work_dir and --runtime_dir below /var/lib/mcz-rt-<pid>-<test> (not under
 * /tmp: a private /tmp volume would shadow it) and the default, relative --cgroups_root, on
 * either cgroup layout (only lifecycle__launch_usage_destroy_cgroups_mem uses a cgroups
 * isolator, with real_cg_v2_root() as an absolute --cgroups_root on v2; on v2 the linux
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
#include <grp.h>
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "scenarios/real_tests.h"

#define RUN_WAIT 60.0        /* seconds one mcz run may take */
#define CLEANUP_RESERVE 20.0 /* seconds of the test's timeout kept for checks and cleanup */
#define TEST_TIMEOUT 180
#define MAX_ARGS 40
#define MAX_OWN 4
#define MAX_LAUNCHED 16

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
	char *launched[MAX_LAUNCHED]; /* ids given to `mcz launch`: destroyed if the test fails */
	size_t nlaunched;
	pid_t adopted[MAX_LAUNCHED]; /* supervisors `mcz recover` started (children: a subreaper) */
	size_t nadopted;
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

/* mcz COMMAND with the test's dirs. */
static void av_cmd(struct av *a, const struct rt *t, const char *command)
{
	av_add(a, "%s", mcz_bin());
	av_add(a, "%s", command);
	av_add(a, "--work_dir=%s", t->work);
	av_add(a, "--runtime_dir=%s", t->runtime);
}

/* mcz run with the test's dirs (and --container_id=id unless id is NULL). */
static void av_run(struct av *a, const struct rt *t, const char *id)
{
	av_cmd(a, t, "run");
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
	for (size_t i = 0; i < t->nlaunched; i++)
		free(t->launched[i]);
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

/* After a failed test: `mcz destroy` every container it launched (10 s each at most), so its
 * supervisor runs the destroy order; what that leaves is reported and removed as usual. */
static void rt_destroy_launched(struct rt *t)
{
	for (size_t i = 0; i < t->nlaunched; i++) {
		_cleanup_av_ struct av a = { .n = 0 };
		_cleanup_mczp_ struct mczp p = MCZP_INIT;

		_cleanup_free_ char *errf = mcz_xasprintf("%s/sandboxes/%s/stderr", t->work,
							 t->launched[i]);
		_cleanup_free_ char *text = read_file(errf);

		/* the supervisor's own messages go there too */
		if (text && *text)
			fprintf(stderr, "%s: '%s' holds:\n%s", real_test_name(), errf, text);
		av_cmd(&a, t, "destroy");
		av_add(&a, "%s", t->launched[i]);
		if (mczp_start(&p, &a) < 0)
			continue;
		if (!mczp_wait(&p, now() + 10))
			fprintf(stderr, "%s: cleanup: mcz destroy '%s' did not exit in 10 s, killed\n",
				real_test_name(), t->launched[i]);
		else if (p.status != 0)
			fprintf(stderr, "%s: cleanup: mcz destroy '%s': status %d, stderr: %s\n",
				real_test_name(), t->launched[i], p.status, p.buf[1]);
	}
	/* destroy returns once the supervisor let go of the lock; it exits just after */
	for (int i = 0; t->nlaunched && i < 200 && scan_procs(t, false, false) > 0; i++)
		nap_ms(10);
}

/* Supervisors started by `mcz recover` that still run (this process's children, so their
 * pids cannot have been reused): SIGKILLed and reaped, reported when `report`. How many. */
static int rt_kill_adopted(struct rt *t, bool report)
{
	int n = 0;

	for (size_t i = 0; i < t->nadopted; i++) {
		if (waitpid(t->adopted[i], NULL, WNOHANG) != 0)
			continue; /* reaped now, or not this process's child */
		n++;
		if (report)
			fprintf(stderr, "%s: left behind: the supervisor %d started by mcz recover\n",
				real_test_name(), (int)t->adopted[i]);
		(void)kill(t->adopted[i], SIGKILL);
		(void)waitpid(t->adopted[i], NULL, 0);
	}
	return n;
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
	if (r != REAL_PASS) {
		/* a supervisor of recover's may not answer (that may be the failure): kill it
		 * first, so that `mcz destroy` adopts the container and cleans it up itself */
		(void)rt_kill_adopted(&t, false);
		rt_destroy_launched(&t);
	}
	left = rt_kill_adopted(&t, true);
	rt_umount_own(&t);
	left += rt_leftovers(&t);
	if (rt_cleanup(&t) < 0)
		left++;
	rt_free(&t);
	/* launched supervisors that came back to this process (lifecycle__*: a subreaper) */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
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

/* ---- 14: the detached life cycle: launch, status, usage, wait, destroy, list ----
 *
 * `mcz launch` returns once the command runs; its supervisor (own session) is orphaned then.
 * These tests make the test process a child subreaper, so a supervisor comes back to it: the
 * test can wait for it to exit after `destroy` or `wait` returned, and reaps it (rt_main()).
 * Every launched id is recorded; when a test fails, rt_main() runs `mcz destroy` for each
 * before the usual checks, and then kills whatever still mentions the test's id or marker: a
 * supervisor's command line has the id (`--container_id=`), a container's command the marker
 * (`sleep <marker>`, or `sh -c ': <marker>; ...'`). */

#define LC_WAIT 30.0 /* seconds one mcz launch, wait, destroy, status, usage or list may take */

#define LIFECYCLE_TEST(tname)                                                                   \
	static int tname##_body(struct rt *t);                                                  \
	REAL_TEST(tname, TEST_TIMEOUT)                                                          \
	{                                                                                       \
		(void)prctl(PR_SET_CHILD_SUBREAPER, 1);                                         \
		return rt_main(tname##_body, TEST_TIMEOUT);                                     \
	}                                                                                       \
	static int tname##_body(struct rt *t)

static void mczp_reset(struct mczp *p)
{
	mczp_free(p);
	*p = (struct mczp)MCZP_INIT;
}

/* Wait for a started mcz to exit (kill it past `timeout` s or the deadline); then give its
 * pipes 1 s: a command that has returned must not leave them to a process it started (a
 * shell's `id=$(mcz launch ...)` would hang). Its status; -2 when a pipe stayed open (said
 * on stderr). *ms: how long it ran, from t0. */
static int lc_finish_within(const struct rt *t, struct mczp *p, double t0, double timeout,
			    double *ms)
{
	const char *name = real_test_name();

	if (!mczp_wait(p, dmin(now() + timeout, t->deadline))) {
		fprintf(stderr, "%s: mcz (pid %d) did not exit in time\n", name, (int)p->pid);
		return mczp_finish(p, t, 0);
	}
	if (ms)
		*ms = (now() - t0) * 1000;
	mczp_pump(p, now() + 1, NULL);
	if (p->fd[0] >= 0 || p->fd[1] >= 0) {
		fprintf(stderr, "%s: mcz exited (status %d) but its %s stayed open (held by a process "
			"it started)\n", name, p->status, p->fd[0] >= 0 ? "stdout" : "stderr");
		mczp_finish(p, t, 0);
		return -2;
	}
	return p->status;
}

/* lc_finish_within() LC_WAIT s. */
static int lc_finish(const struct rt *t, struct mczp *p, double t0, double *ms)
{
	return lc_finish_within(t, p, t0, LC_WAIT, ms);
}

static int lc_run(const struct rt *t, const struct av *a, struct mczp *p, double *ms)
{
	double t0 = now();

	mczp_reset(p);
	if (mczp_start(p, a) < 0)
		return p->status = -1;
	return lc_finish(t, p, t0, ms);
}

/* `mcz COMMAND [ARG [ARG2]]` with the test's dirs; its status (lc_finish()). */
static int lc(const struct rt *t, struct mczp *p, const char *command, const char *arg,
	      const char *arg2, double *ms)
{
	_cleanup_av_ struct av a = { .n = 0 };

	av_cmd(&a, t, command);
	if (arg)
		av_add(&a, "%s", arg);
	if (arg2)
		av_add(&a, "%s", arg2);
	return lc_run(t, &a, p, ms);
}

/* `mcz launch [--container_id=ID] ARGS...` (ARGS: flags, "--", the command; NULL-terminated).
 * The id is recorded first, for the cleanup. */
static int lc_launch(struct rt *t, struct mczp *p, const char *id, const char *const *args,
		     double *ms)
{
	_cleanup_av_ struct av a = { .n = 0 };

	av_cmd(&a, t, "launch");
	if (id) {
		if (t->nlaunched >= MAX_LAUNCHED)
			abort();
		t->launched[t->nlaunched++] = mcz_xstrdup(id);
		av_add(&a, "--container_id=%s", id);
	}
	for (; *args; args++)
		av_add(&a, "%s", *args);
	return lc_run(t, &a, p, ms);
}

/* The JSON value on the one line of s, or NULL (why: on stderr). */
static json_t *json_line(const char *s, const char *what)
{
	json_error_t e;
	json_t *j;

	if (count_lines(s) != 1 || s[strlen(s) - 1] != '\n') {
		fprintf(stderr, "%s: %s: not one line: '%s'\n", real_test_name(), what, s);
		return NULL;
	}
	j = json_loads(s, 0, &e);
	if (!j)
		fprintf(stderr, "%s: %s: bad JSON (%s): '%s'\n", real_test_name(), what, e.text, s);
	return j;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "(none)";
}

/* The integer at key; -1 when absent or not an integer. */
static long long jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* Whether o has exactly these keys (NULL-terminated). */
static bool jkeys(const json_t *o, const char *const *keys)
{
	size_t n = 0;

	for (; keys[n]; n++)
		if (!json_object_get(o, keys[n]))
			return false;
	return json_is_object(o) && json_object_size(o) == n;
}

/* `mcz status ID` as JSON; NULL (why: on stderr) unless it exited 0 with one JSON line and
 * nothing on stderr. */
static json_t *lc_status(const struct rt *t, const char *id)
{
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	int st = lc(t, &p, "status", id, NULL, NULL);

	if (st != 0 || p.buf[1][0]) {
		fprintf(stderr, "%s: mcz status %s: status %d, stderr '%s'\n", real_test_name(), id, st,
			p.buf[1]);
		return NULL;
	}
	return json_line(p.buf[0], "mcz status");
}

/* A status object as text, for messages (a static buffer). */
static const char *st_text(const json_t *st)
{
	static char buf[1024];
	char *s = st ? json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	snprintf(buf, sizeof(buf), "%s", s ? s : "(no status)");
	free(s);
	return buf;
}

/* `mcz status ID` every 20 ms until its state is `state` (up to timeout s): the last object. */
static json_t *lc_status_until(const struct rt *t, const char *id, const char *state, double timeout)
{
	double end = now() + timeout;

	for (;;) {
		json_t *j = lc_status(t, id);

		if (!j || strcmp(jstr(j, "state"), state) == 0 || now() >= end)
			return j;
		json_decref(j);
		nap_ms(20);
	}
}

/* /proc/<pid>/cmdline with spaces between the arguments; NULL if none. */
static char *proc_cmdline(pid_t pid)
{
	_cleanup_free_ char *path = mcz_xasprintf("/proc/%d/cmdline", (int)pid);
	size_t len = 0;
	char *cmd = read_file_len(path, &len);

	if (cmd && len == 0) {
		free(cmd);
		return NULL;
	}
	for (size_t i = 0; cmd && i + 1 < len; i++)
		cmd[i] = cmd[i] ? cmd[i] : ' ';
	return cmd;
}

/* Poll until /proc/<pid>/cmdline is `want` (up to timeout s). */
static bool cmdline_becomes(pid_t pid, const char *want, double timeout)
{
	double end = now() + timeout;

	for (;;) {
		_cleanup_free_ char *cmd = proc_cmdline(pid);

		if (cmd && strcmp(cmd, want) == 0)
			return true;
		if (now() >= end)
			return false;
		nap_ms(10);
	}
}

/* Session id of pid (from /proc/<pid>/stat), or -1. */
static pid_t proc_sid(pid_t pid)
{
	_cleanup_free_ char *path = mcz_xasprintf("/proc/%d/stat", (int)pid);
	_cleanup_free_ char *st = read_file(path);
	char *p = st ? strrchr(st, ')') : NULL;
	int ppid, pgrp, sid;
	char state;

	if (!p || sscanf(p + 1, " %c %d %d %d", &state, &ppid, &pgrp, &sid) != 4)
		return -1;
	return sid;
}

/* readlink /proc/<pid>/fd/<fd> into buf ("" on error). */
static const char *proc_fd(pid_t pid, int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Wait up to timeout s for a launched supervisor to exit: its wait status (it is this
 * process's child: a subreaper), 0 if it is gone but not ours, -1 if it still runs. */
static int sup_exit(pid_t sup, double timeout)
{
	double end = now() + timeout;
	int st;

	for (;;) {
		pid_t r = waitpid(sup, &st, WNOHANG);

		if (r == sup)
			return st;
		if (r < 0 && errno == ECHILD && kill(sup, 0) < 0 && errno == ESRCH)
			return 0;
		if (now() >= end)
			return -1;
		nap_ms(5);
	}
}

/* Poll until no process mentions the test's id or marker (up to timeout s); then report. */
static int procs_left(const struct rt *t, double timeout)
{
	double end = now() + timeout;

	while (scan_procs(t, false, false) > 0 && now() < end)
		nap_ms(10);
	return scan_procs(t, true, false);
}

/* The names in <runtime>/containers/<id>/, sorted, space-separated ("" when empty or absent). */
static char *entry_files(const struct rt *t, const char *id)
{
	_cleanup_free_ char *dir = mcz_xasprintf("%s/containers/%s", t->runtime, id);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	char *s = mcz_xstrdup("");

	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char *x = mcz_xasprintf("%s%s%s", s, *s ? " " : "", names[i]->d_name);

			free(s);
			s = x;
		}
		free(names[i]);
	}
	free(names);
	return s;
}

/* How many entries <dir> has (0 when absent). */
static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Nothing of container `id` is left once `destroy` (or `wait`) returned: its supervisor exits
 * within 5 s (sup > 0), no cgroup of the id in any hierarchy, the mounts as before, and the
 * runtime entry gone — or, with `kept`, only its termination.json there. With `all` (every
 * container of the test is over), no process mentions the test's id or marker either. */
static int lc_nothing_left(struct rt *t, const char *id, pid_t sup, bool kept, bool all)
{
	_cleanup_free_ char *files = entry_files(t, id);
	_cleanup_free_ char *mi = NULL;
	int st = sup > 0 ? sup_exit(sup, 5) : 0;

	REAL_ASSERT(st != -1, "the supervisor (pid %d) of '%s' still runs 5 s later", (int)sup, id);
	REAL_ASSERT(st == 0 || (WIFEXITED(st) && WEXITSTATUS(st) == 0),
		    "the supervisor of '%s' ended with wait status 0x%x", id, st);
	REAL_ASSERT(!all || procs_left(t, 2) == 0, "processes left (above)");
	REAL_ASSERT(real_cg_leftovers(id, false) == 0, "cgroups of '%s' left (above)", id);
	REAL_ASSERT(strcmp(files, kept ? "termination.json" : "") == 0 &&
			    (kept || !existsf("%s/containers/%s", t->runtime, id)),
		    "runtime entry of '%s': [%s], want [%s]", id, files, kept ? "termination.json" : "");
	REAL_ASSERT(!existsf("%s/pidns/%s", t->runtime, id), "the pidns handle of '%s' is left", id);
	mi = read_file("/proc/self/mountinfo");
	REAL_ASSERT(mount_diff(t->mountinfo, mi) == 0, "the mounts differ from before (above)");
	return REAL_PASS;
}

/* A Termination (JSON object) with these fields; exit_code, signal, status: -1 = absent. */
static int check_termination(const json_t *j, const char *id, long long status, long long exit_code,
			     long long sig, bool killed, const char *message)
{
	REAL_ASSERT(j && strcmp(jstr(j, "container_id"), id) == 0, "container_id '%s'",
		    j ? jstr(j, "container_id") : "?");
	REAL_ASSERT(jint(j, "status") == status && jint(j, "exit_code") == exit_code &&
			    jint(j, "signal") == sig,
		    "status %lld exit_code %lld signal %lld, want %lld %lld %lld", jint(j, "status"),
		    jint(j, "exit_code"), jint(j, "signal"), status, exit_code, sig);
	REAL_ASSERT(json_is_boolean(json_object_get(j, "killed")) &&
			    json_is_true(json_object_get(j, "killed")) == killed,
		    "killed is not %s", killed ? "true" : "false");
	REAL_ASSERT(!message || strcmp(jstr(j, "message"), message) == 0, "message '%s', want '%s'",
		    jstr(j, "message"), message);
	return REAL_PASS;
}

static bool warned_not_found(const char *err, const char *id)
{
	_cleanup_free_ char *want = mcz_xasprintf("mcz: warn: container '%s' not found: nothing to "
						  "destroy\n", id);

	return strcmp(err, want) == 0;
}

/* The loser of two concurrent destroys: the winner removed the entry meanwhile. */
static bool warned_destroyed_meanwhile(const char *err, const char *id)
{
	_cleanup_free_ char *want = mcz_xasprintf("mcz: warn: container '%s' was destroyed "
						  "meanwhile\n", id);

	return strcmp(err, want) == 0;
}

static bool error_not_found(const char *err, const char *id)
{
	_cleanup_free_ char *want = mcz_xasprintf("container '%s' not found", id);

	return count_lines(err) == 1 && strncmp(err, "mcz: error: ", 12) == 0 && strstr(err, want);
}

/* `mcz destroy ID` of a container that is gone: exit 0, nothing on stdout, the warning. */
static int destroy_gone(struct rt *t, const char *id)
{
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	REAL_ASSERT(lc(t, &p, "destroy", id, NULL, NULL) == 0, "destroy of gone '%s': status %d, "
		    "stderr '%s'", id, p.status, p.buf[1]);
	REAL_ASSERT(!p.buf[0][0] && warned_not_found(p.buf[1], id),
		    "destroy of gone '%s': stdout '%s', stderr '%s'", id, p.buf[0], p.buf[1]);
	return REAL_PASS;
}

/* `mcz status ID` and `mcz wait ID` of an unknown container: 125, "not found". */
static int unknown_to_status_and_wait(struct rt *t, const char *id)
{
	static const char *const cmds[] = { "status", "wait" };

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(cmds); i++) {
		_cleanup_mczp_ struct mczp p = MCZP_INIT;

		REAL_ASSERT(lc(t, &p, cmds[i], id, NULL, NULL) == 125 && !p.buf[0][0] &&
				    error_not_found(p.buf[1], id),
			    "%s of unknown '%s': status %d, stdout '%s', stderr '%s'", cmds[i], id,
			    p.status, p.buf[0], p.buf[1]);
	}
	return REAL_PASS;
}

/* launch → status RUNNING → usage → destroy, and nothing left. With cgroups/mem (64 MB) the
 * memory cgroup is checked while it runs and after. */
static int launch_usage_destroy(struct rt *t, bool cgroups)
{
	_cleanup_free_ char *id = cid(t, "a");
	_cleanup_free_ char *want_id = mcz_xasprintf("%s\n", id);
	_cleanup_free_ char *sandbox = mcz_xasprintf("%s/sandboxes/%s", t->work, id);
	_cleanup_free_ char *out = mcz_xasprintf("%s/stdout", sandbox);
	_cleanup_free_ char *errf = mcz_xasprintf("%s/stderr", sandbox);
	_cleanup_free_ char *want_cmd = mcz_xasprintf("/bin/sleep %s", t->marker);
	_cleanup_free_ char *root = NULL, *cg = NULL, *procs = NULL, *pidline = NULL;
	_cleanup_free_ char *sup_cmd = NULL;
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	json_auto_t *st = NULL, *usage = NULL, *term = NULL;
	static const char *const status_keys[] = { "container_id", "state", "pid", "supervisor_pid",
						   "supervisor_alive", "sandbox", NULL };
	const char *args[10];
	double ms_launch = 0, ms_status = 0, ms_usage = 0, ms_destroy = 0;
	char fd[3][PATH_MAX];
	size_t n = 0;
	pid_t pid, sup;
	enum real_cg_layout layout = real_cg_layout();

	if (cgroups) {
		char dir[PATH_MAX];

		if (layout == REAL_CG_V1 && real_cg_v1_dir("memory", dir, sizeof(dir))) {
			cg = mcz_xasprintf("%s/mcz/%s", dir, id);
		} else if (layout == REAL_CG_V2 && real_cg_v2_root() && real_cg_v2_can("memory")) {
			root = mcz_xasprintf("--cgroups_root=%s", real_cg_v2_root());
			cg = mcz_xasprintf("%s%s/%s", real_cg2_mount(), real_cg_v2_root(), id);
		} else {
			return real_skip("no memory controller to use (%s)", real_cg_layout_name(layout));
		}
		args[n++] = "--isolation=namespaces/pid,cgroups/mem,posix/cpu";
		args[n++] = "--resources=mem:64";
		if (root)
			args[n++] = root;
	} else {
		args[n++] = "--isolation=namespaces/pid,posix/cpu,posix/mem";
	}
	args[n++] = "--";
	args[n++] = "/bin/sleep";
	args[n++] = t->marker;
	args[n] = NULL;

	REAL_ASSERT(lc_launch(t, &p, id, args, &ms_launch) == 0, "launch: status %d, stderr '%s'",
		    p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], want_id) == 0 && !p.buf[1][0], "launch: stdout '%s', stderr '%s'",
		    p.buf[0], p.buf[1]);

	{
		double t0 = now();

		st = lc_status(t, id);
		ms_status = (now() - t0) * 1000;
	}
	REAL_ASSERT(st && jkeys(st, status_keys), "status: want exactly container_id, state, pid, "
		    "supervisor_pid, supervisor_alive, sandbox");
	REAL_ASSERT(json_is_true(json_object_get(st, "supervisor_alive")), "status: supervisor not alive");
	REAL_ASSERT(strcmp(jstr(st, "container_id"), id) == 0 && strcmp(jstr(st, "state"), "RUNNING") == 0 &&
			    strcmp(jstr(st, "sandbox"), sandbox) == 0,
		    "status: container_id '%s' state '%s' sandbox '%s'", jstr(st, "container_id"),
		    jstr(st, "state"), jstr(st, "sandbox"));
	pid = (pid_t)jint(st, "pid");
	sup = (pid_t)jint(st, "supervisor_pid");
	REAL_ASSERT(pid > 0 && sup > 0 && pid != sup, "status: pid %d supervisor_pid %d", (int)pid, (int)sup);
	/* the host pid of pid 1 */
	REAL_ASSERT(cmdline_becomes(pid, want_cmd, 5), "process %d is not '%s'", (int)pid, want_cmd);
	/* the supervisor: the id on its command line, its own session, stdin /dev/null, stdout
	 * and stderr the sandbox's files */
	sup_cmd = proc_cmdline(sup);
	REAL_ASSERT(sup_cmd && strstr(sup_cmd, id), "supervisor %d: command line '%s'", (int)sup,
		    sup_cmd ? sup_cmd : "(gone)");
	REAL_ASSERT(proc_sid(sup) == sup && getsid(0) != sup, "supervisor %d: session %d", (int)sup,
		    (int)proc_sid(sup));
	proc_fd(sup, 0, fd[0], sizeof(fd[0]));
	proc_fd(sup, 1, fd[1], sizeof(fd[1]));
	proc_fd(sup, 2, fd[2], sizeof(fd[2]));
	REAL_ASSERT(strcmp(fd[0], "/dev/null") == 0 && strcmp(fd[1], out) == 0 && strcmp(fd[2], errf) == 0,
		    "supervisor's stdio: 0 '%s', 1 '%s', 2 '%s'", fd[0], fd[1], fd[2]);

	REAL_ASSERT(lc(t, &p, "usage", id, NULL, &ms_usage) == 0 && !p.buf[1][0],
		    "usage: status %d, stderr '%s'", p.status, p.buf[1]);
	usage = json_line(p.buf[0], "usage");
	REAL_ASSERT(usage && json_is_number(json_object_get(usage, "timestamp")) &&
			    jint(usage, "processes") == 1,
		    "usage: '%s' (want timestamp, processes 1)", p.buf[0]);
	if (cgroups) {
		_cleanup_free_ char *procs_path = mcz_xasprintf("%s/cgroup.procs", cg);

		REAL_ASSERT(jint(usage, "mem_limit_bytes") == 64LL << 20, "usage: mem_limit_bytes %lld",
			    jint(usage, "mem_limit_bytes"));
		procs = read_file(procs_path);
		pidline = mcz_xasprintf("%d", (int)pid);
		REAL_ASSERT(procs && has_line(procs, pidline), "pid 1 (%d) is not in '%s': '%s'", (int)pid,
			    procs_path, procs ? procs : "(no such file)");
	} else {
		REAL_ASSERT(jint(usage, "mem_rss_bytes") > 0, "usage: mem_rss_bytes %lld",
			    jint(usage, "mem_rss_bytes"));
	}

	REAL_ASSERT(lc(t, &p, "destroy", id, NULL, &ms_destroy) == 0, "destroy: status %d, stderr '%s'",
		    p.status, p.buf[1]);
	REAL_ASSERT(!p.buf[1][0], "destroy: stderr '%s'", p.buf[1]);
	term = json_line(p.buf[0], "destroy");
	REAL_ASSERT(check_termination(term, id, 9, -1, 9, true, "Container destroyed") == 0,
		    "destroy printed '%s'", p.buf[0]);
	REAL_ASSERT(lc_nothing_left(t, id, sup, false, true) == 0, "after destroy");
	REAL_ASSERT(unknown_to_status_and_wait(t, id) == 0, "after destroy");
	REAL_ASSERT(destroy_gone(t, id) == 0, "a second destroy");
	printf("%s: launch %.0f ms, status %.0f ms, usage %.0f ms, destroy %.0f ms\n",
	       real_test_name(), ms_launch, ms_status, ms_usage, ms_destroy);
	return REAL_PASS;
}

LIFECYCLE_TEST(lifecycle__launch_status_usage_destroy)
{
	return launch_usage_destroy(t, false);
}

/* The same with cgroups/mem (on v2 with the absolute --cgroups_root below the delegated
 * parent): the memory cgroup holds pid 1 while it runs and is gone after destroy. */
LIFECYCLE_TEST(lifecycle__launch_usage_destroy_cgroups_mem)
{
	return launch_usage_destroy(t, true);
}

/* "sh -c ': <marker>; SCRIPT'" as launch arguments after FLAG (NULL: none); the script is
 * kept in *script (to free). */
static void sh_args(const char **args, const struct rt *t, const char *flag, char **script,
		    const char *body)
{
	size_t n = 0;

	*script = mcz_xasprintf(": %s; %s", t->marker, body);
	if (flag)
		args[n++] = flag;
	args[n++] = "--";
	args[n++] = "/bin/sh";
	args[n++] = "-c";
	args[n++] = *script;
	args[n] = NULL;
}

/* The command exits 3: status RUNNING then TERMINATED; `wait` (called after that) prints the
 * Termination and exits 3, and again; only termination.json is left until `destroy` prints it
 * and removes it; a second destroy warns; status and wait then say not found. */
LIFECYCLE_TEST(lifecycle__wait_after_exit_and_again)
{
	_cleanup_free_ char *id = cid(t, "w");
	_cleanup_free_ char *script = NULL, *first = NULL;
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	json_auto_t *st = NULL, *done = NULL, *term = NULL;
	static const char *const done_keys[] = { "container_id", "state", "termination", NULL };
	const char *args[8];
	double ms_wait = 0, ms_wait2 = 0, ms_destroy = 0;
	pid_t sup;

	sh_args(args, t, "--isolation=namespaces/pid", &script, "echo hello; sleep 0.3; exit 3");
	REAL_ASSERT(lc_launch(t, &p, id, args, NULL) == 0, "launch: status %d, stderr '%s'", p.status,
		    p.buf[1]);
	st = lc_status(t, id);
	REAL_ASSERT(st && strcmp(jstr(st, "state"), "RUNNING") == 0, "status right after launch: %s",
		    st_text(st));
	sup = (pid_t)jint(st, "supervisor_pid");
	done = lc_status_until(t, id, "TERMINATED", 10);
	REAL_ASSERT(done && strcmp(jstr(done, "state"), "TERMINATED") == 0, "not TERMINATED 10 s later");
	REAL_ASSERT(jkeys(done, done_keys), "TERMINATED status: want container_id, state, termination");
	REAL_ASSERT(strcmp(jstr(done, "container_id"), id) == 0 &&
			    check_termination(json_object_get(done, "termination"), id, 3 << 8, 3, -1,
					      false, NULL) == 0,
		    "TERMINATED status: the termination");
	REAL_ASSERT(lc_nothing_left(t, id, sup, true, true) == 0, "after the command ended");

	REAL_ASSERT(lc(t, &p, "wait", id, NULL, &ms_wait) == 3 && !p.buf[1][0],
		    "wait: status %d (want 3), stderr '%s'", p.status, p.buf[1]);
	term = json_line(p.buf[0], "wait");
	REAL_ASSERT(check_termination(term, id, 768, 3, -1, false, NULL) == 0, "wait printed '%s'",
		    p.buf[0]);
	first = mcz_xstrdup(p.buf[0]);
	REAL_ASSERT(lc(t, &p, "wait", id, NULL, &ms_wait2) == 3 && strcmp(p.buf[0], first) == 0 &&
			    !p.buf[1][0],
		    "second wait: status %d, stdout '%s' (first '%s'), stderr '%s'", p.status, p.buf[0],
		    first, p.buf[1]);
	REAL_ASSERT(lc_nothing_left(t, id, 0, true, true) == 0, "after two waits");

	REAL_ASSERT(lc(t, &p, "destroy", id, NULL, &ms_destroy) == 0 && !p.buf[1][0],
		    "destroy: status %d, stderr '%s'", p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], first) == 0, "destroy printed '%s', wait '%s'", p.buf[0], first);
	REAL_ASSERT(lc_nothing_left(t, id, 0, false, true) == 0, "after destroy");
	REAL_ASSERT(destroy_gone(t, id) == 0, "a second destroy");
	REAL_ASSERT(unknown_to_status_and_wait(t, id) == 0, "after destroy");
	printf("%s: wait %.0f ms, again %.0f ms, destroy of the ended container %.0f ms\n",
	       real_test_name(), ms_wait, ms_wait2, ms_destroy);
	return REAL_PASS;
}

/* An id never launched: destroy exits 0 with the warning (no runtime dir at all, then with
 * one); status and wait 125 "not found"; a bad id is refused (125) by destroy. */
LIFECYCLE_TEST(lifecycle__unknown_id)
{
	_cleanup_free_ char *id = cid(t, "nosuch");
	_cleanup_free_ char *containers = mcz_xasprintf("%s/containers", t->runtime);
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	REAL_ASSERT(!real_exists(t->runtime), "'%s' exists already", t->runtime);
	REAL_ASSERT(destroy_gone(t, id) == 0, "destroy, no runtime dir");
	REAL_ASSERT(unknown_to_status_and_wait(t, id) == 0, "no runtime dir");
	REAL_ASSERT(mkdirf(0755, "%s", t->runtime) == 0 && mkdirf(0755, "%s", containers) == 0,
		    "mkdir: %s", strerror(errno));
	REAL_ASSERT(destroy_gone(t, id) == 0, "destroy, empty runtime dir");
	REAL_ASSERT(unknown_to_status_and_wait(t, id) == 0, "empty runtime dir");
	REAL_ASSERT(lc(t, &p, "destroy", "../x", NULL, NULL) == 125 && count_lines(p.buf[1]) == 1 &&
			    strstr(p.buf[1], "mcz: error: ") == p.buf[1] && strstr(p.buf[1], "../x"),
		    "destroy ../x: status %d, stderr '%s'", p.status, p.buf[1]);
	REAL_ASSERT(dir_entries(containers) == 0 && dir_entries(t->work) == 0,
		    "something was created in '%s' or '%s'", containers, t->work);
	return REAL_PASS;
}

/* Two `mcz destroy` at once of one running container, 8 times: both exit 0, at least one
 * prints the Termination (killed, signal 9), the other that same line, nothing, or the
 * not-found warning; nothing is left. */
LIFECYCLE_TEST(lifecycle__concurrent_destroy)
{
	int both = 0, warned = 0, silent = 0;
	double worst = 0;

	for (int round = 0; round < 8; round++) {
		_cleanup_free_ char *suffix = mcz_xasprintf("c%d", round);
		_cleanup_free_ char *id = cid(t, suffix);
		_cleanup_mczp_ struct mczp l = MCZP_INIT, d0 = MCZP_INIT, d1 = MCZP_INIT;
		struct mczp *d[2] = { &d0, &d1 };
		_cleanup_av_ struct av a0 = { .n = 0 }, a1 = { .n = 0 };
		const char *args[] = { "--isolation=namespaces/pid", "--", "/bin/sleep", t->marker, NULL };
		json_auto_t *st = NULL;
		int printed = 0, k = -1, ws;
		double t0, ms[2] = { 0, 0 };
		pid_t sup;

		REAL_ASSERT(lc_launch(t, &l, id, args, NULL) == 0, "round %d: launch: status %d, stderr '%s'",
			    round, l.status, l.buf[1]);
		st = lc_status(t, id);
		REAL_ASSERT(st && strcmp(jstr(st, "state"), "RUNNING") == 0,
			    "round %d: right after launch: %s", round, st_text(st));
		sup = (pid_t)jint(st, "supervisor_pid");
		av_cmd(&a0, t, "destroy");
		av_add(&a0, "%s", id);
		av_cmd(&a1, t, "destroy");
		av_add(&a1, "%s", id);
		t0 = now();
		REAL_ASSERT(mczp_start(d[0], &a0) == 0 && mczp_start(d[1], &a1) == 0, "fork: %s",
			    strerror(errno));
		for (int i = 0; i < 2; i++)
			(void)lc_finish(t, d[i], t0, &ms[i]);
		ws = sup_exit(sup, 5);
		for (int i = 0; i < 2; i++) {
			REAL_ASSERT(d[i]->status == 0, "round %d: destroy %d: status %d, stdout '%s', "
				    "stderr '%s'; other: %d '%s' '%s'; supervisor's wait status 0x%x",
				    round, i, d[i]->status, d[i]->buf[0], d[i]->buf[1], d[1 - i]->status,
				    d[1 - i]->buf[0], d[1 - i]->buf[1], ws);
			worst = ms[i] > worst ? ms[i] : worst;
			if (d[i]->buf[0][0]) {
				json_auto_t *term = json_line(d[i]->buf[0], "destroy");

				REAL_ASSERT(check_termination(term, id, 9, -1, 9, true, "Container destroyed") == 0,
					    "round %d: destroy %d printed '%s'; other: %d '%s' '%s'; "
					    "supervisor's wait status 0x%x", round, i, d[i]->buf[0],
					    d[1 - i]->status, d[1 - i]->buf[0], d[1 - i]->buf[1], ws);
				REAL_ASSERT(!d[i]->buf[1][0], "round %d: destroy %d: stderr '%s'", round, i,
					    d[i]->buf[1]);
				printed++;
				k = i;
			}
		}
		REAL_ASSERT(printed >= 1, "round %d: no destroy printed the Termination; stderr '%s', '%s'",
			    round, d[0]->buf[1], d[1]->buf[1]);
		if (printed == 2) {
			REAL_ASSERT(strcmp(d[0]->buf[0], d[1]->buf[0]) == 0, "round %d: two Terminations differ",
				    round);
			both++;
		} else {
			const char *err = d[1 - k]->buf[1];

			REAL_ASSERT(!err[0] || warned_not_found(err, id) || warned_destroyed_meanwhile(err, id),
				    "round %d: the other destroy: "
				    "stderr '%s'", round, err);
			warned += err[0] != 0;
			silent += err[0] == 0;
		}
		REAL_ASSERT(ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0,
			    "round %d: the supervisor's wait status 0x%x", round, ws);
		REAL_ASSERT(lc_nothing_left(t, id, 0, false, true) == 0, "round %d", round);
	}
	printf("%s: 8 rounds: both printed the Termination %d, one printed it and the other warned "
	       "%d / said nothing %d; slowest destroy %.0f ms\n",
	       real_test_name(), both, warned, silent, worst);
	return REAL_PASS;
}

/* Launch failures: a missing command (127, exact message, both launchers), a file that is not
 * executable (126), no --container_id (125), the id of a running container (125, the first
 * untouched). Nothing is left of a failed launch: no runtime entry, cgroup or process. */
LIFECYCLE_TEST(lifecycle__launch_failures)
{
	_cleanup_free_ char *noexec = mcz_xasprintf("%s/noexec", t->root);
	_cleanup_free_ char *containers = mcz_xasprintf("%s/containers", t->runtime);
	_cleanup_free_ char *sandboxes = mcz_xasprintf("%s/sandboxes", t->work);
	_cleanup_free_ char *script = NULL, *dup_id = cid(t, "dup");
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	json_auto_t *st = NULL, *st2 = NULL;
	struct {
		const char *suffix;
		const char *flags[3];
		const char *cmd;
		int want;
		const char *text; /* NULL: the exact message for /nonexistent */
	} cases[] = {
		{ "f1", { "--isolation=namespaces/pid" }, "/nonexistent", 127, NULL },
		{ "f2", { "--launcher=posix", "--isolation=posix/cpu" }, "/nonexistent", 127, NULL },
		{ "f3", { "--isolation=namespaces/pid" }, noexec, 126, "Permission denied" },
	};
	const char *args[8];
	double ms;
	pid_t sup;

	REAL_ASSERT(write_file(noexec, "#!/bin/sh\nexit 0\n", 0644) == 0, "write '%s'", noexec);
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *id = cid(t, cases[i].suffix);
		_cleanup_free_ char *exact = mcz_xasprintf("mcz: error: container '%s': exec '/nonexistent': "
							   "command not found\n", id);
		size_t n = 0;

		for (size_t k = 0; k < 3 && cases[i].flags[k]; k++)
			args[n++] = cases[i].flags[k];
		args[n++] = "--";
		args[n++] = cases[i].cmd;
		args[n] = NULL;
		REAL_ASSERT(lc_launch(t, &p, id, args, &ms) == cases[i].want,
			    "launch %s: status %d, want %d; stderr '%s'", cases[i].cmd, p.status,
			    cases[i].want, p.buf[1]);
		REAL_ASSERT(!p.buf[0][0], "launch %s: stdout '%s'", cases[i].cmd, p.buf[0]);
		REAL_ASSERT(cases[i].text ? count_lines(p.buf[1]) == 1 &&
						    strstr(p.buf[1], "mcz: error: ") == p.buf[1] &&
						    strstr(p.buf[1], cases[i].text)
					  : strcmp(p.buf[1], exact) == 0,
			    "launch %s %s: stderr '%s'", cases[i].flags[0], cases[i].cmd, p.buf[1]);
		REAL_ASSERT(procs_left(t, 2) == 0 && real_cg_leftovers(id, false) == 0 &&
				    runtime_entries(t, true) == 0,
			    "launch %s %s left something (above)", cases[i].flags[0], cases[i].cmd);
		REAL_ASSERT(unknown_to_status_and_wait(t, id) == 0, "after the failed launch");
		printf("%s: launch %s %s: %d in %.0f ms\n", real_test_name(), cases[i].flags[0],
		       cases[i].cmd, p.status, ms);
	}

	args[0] = "--isolation=namespaces/pid";
	args[1] = "--";
	args[2] = "/bin/sleep";
	args[3] = t->marker;
	args[4] = NULL;
	REAL_ASSERT(lc_launch(t, &p, NULL, args, NULL) == 125, "launch without --container_id: "
		    "status %d, stderr '%s'", p.status, p.buf[1]);
	REAL_ASSERT(!p.buf[0][0] && count_lines(p.buf[1]) == 1 && strstr(p.buf[1], "mcz: error: ") == p.buf[1] &&
			    strstr(p.buf[1], "--container_id"),
		    "launch without --container_id: stdout '%s', stderr '%s'", p.buf[0], p.buf[1]);
	REAL_ASSERT(dir_entries(containers) == 0 && procs_left(t, 2) == 0,
		    "launch without --container_id left something");

	REAL_ASSERT(lc_launch(t, &p, dup_id, args, NULL) == 0, "launch: status %d, stderr '%s'", p.status,
		    p.buf[1]);
	st = lc_status(t, dup_id);
	REAL_ASSERT(st && strcmp(jstr(st, "state"), "RUNNING") == 0, "right after launch: %s",
		    st_text(st));
	sup = (pid_t)jint(st, "supervisor_pid");
	sh_args(args, t, "--isolation=namespaces/pid", &script, "touch ran");
	REAL_ASSERT(lc_launch(t, &p, dup_id, args, NULL) == 125, "second launch of '%s': status %d, "
		    "stderr '%s'", dup_id, p.status, p.buf[1]);
	REAL_ASSERT(!p.buf[0][0] && count_lines(p.buf[1]) == 1 && strstr(p.buf[1], "already exists"),
		    "second launch: stdout '%s', stderr '%s'", p.buf[0], p.buf[1]);
	REAL_ASSERT(!existsf("%s/%s/ran", sandboxes, dup_id), "the second command ran");
	st2 = lc_status(t, dup_id);
	REAL_ASSERT(st2 && json_equal(st, st2), "the first container's status changed");
	REAL_ASSERT(kill(sup, 0) == 0 && kill((pid_t)jint(st, "pid"), 0) == 0, "the first container died");
	REAL_ASSERT(lc(t, &p, "destroy", dup_id, NULL, NULL) == 0 && strstr(p.buf[0], "\"killed\":true"),
		    "destroy: status %d, stdout '%s', stderr '%s'", p.status, p.buf[0], p.buf[1]);
	REAL_ASSERT(lc_nothing_left(t, dup_id, sup, false, true) == 0, "after destroy");
	return REAL_PASS;
}

/* The command's stdout and stderr land in <sandbox>/stdout and stderr (and nothing of mcz's
 * there), its stdin is /dev/null; `mcz launch` prints only the id. */
LIFECYCLE_TEST(lifecycle__stdio_in_sandbox_files)
{
	_cleanup_free_ char *id = cid(t, "io");
	_cleanup_free_ char *want_id = mcz_xasprintf("%s\n", id);
	_cleanup_free_ char *sandbox = mcz_xasprintf("%s/sandboxes/%s", t->work, id);
	_cleanup_free_ char *out_path = mcz_xasprintf("%s/stdout", sandbox);
	_cleanup_free_ char *err_path = mcz_xasprintf("%s/stderr", sandbox);
	_cleanup_free_ char *script = NULL, *out = NULL, *err = NULL;
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	const char *args[8];

	sh_args(args, t, "--isolation=namespaces/pid", &script,
		"echo hello; echo oops >&2; readlink /proc/self/fd/0; if read x; then echo READ; fi");
	REAL_ASSERT(lc_launch(t, &p, id, args, NULL) == 0, "launch: status %d, stderr '%s'", p.status,
		    p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], want_id) == 0 && !p.buf[1][0], "launch: stdout '%s', stderr '%s'",
		    p.buf[0], p.buf[1]);
	REAL_ASSERT(lc(t, &p, "wait", id, NULL, NULL) == 0 && !p.buf[1][0],
		    "wait: status %d, stderr '%s'", p.status, p.buf[1]);
	REAL_ASSERT(strstr(p.buf[0], "\"exit_code\":0"), "wait printed '%s'", p.buf[0]);
	out = read_file(out_path);
	err = read_file(err_path);
	REAL_ASSERT(out && strcmp(out, "hello\n/dev/null\n") == 0, "'%s' holds '%s'", out_path,
		    out ? out : "(no such file)");
	REAL_ASSERT(err && strcmp(err, "oops\n") == 0, "'%s' holds '%s'", err_path,
		    err ? err : "(no such file)");
	REAL_ASSERT(lc(t, &p, "destroy", id, NULL, NULL) == 0, "destroy: status %d", p.status);
	REAL_ASSERT(lc_nothing_left(t, id, 0, false, true) == 0, "after destroy");
	return REAL_PASS;
}

/* `list` and `list --json` with two running containers (launched out of order) and an ended
 * one; empty once all are destroyed. */
LIFECYCLE_TEST(lifecycle__list_and_list_json)
{
	_cleanup_free_ char *ida = cid(t, "a"), *idb = cid(t, "b"), *idc = cid(t, "c");
	_cleanup_free_ char *script = NULL, *want = NULL;
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	json_auto_t *sa = NULL, *sb = NULL, *sc = NULL, *all = NULL, *want_all = NULL;
	const char *sleep_args[] = { "--isolation=namespaces/pid", "--", "/bin/sleep", t->marker, NULL };
	const char *args[8];
	const char *ids[3];
	pid_t sups[2];

	ids[0] = ida;
	ids[1] = idb;
	ids[2] = idc;
	REAL_ASSERT(lc(t, &p, "list", NULL, NULL, NULL) == 0 && !p.buf[0][0] && !p.buf[1][0],
		    "list before: status %d, stdout '%s', stderr '%s'", p.status, p.buf[0], p.buf[1]);
	REAL_ASSERT(lc_launch(t, &p, idb, sleep_args, NULL) == 0, "launch b: %d '%s'", p.status, p.buf[1]);
	REAL_ASSERT(lc_launch(t, &p, ida, sleep_args, NULL) == 0, "launch a: %d '%s'", p.status, p.buf[1]);
	sh_args(args, t, "--isolation=namespaces/pid", &script, "exit 0");
	REAL_ASSERT(lc_launch(t, &p, idc, args, NULL) == 0, "launch c: %d '%s'", p.status, p.buf[1]);
	REAL_ASSERT(lc(t, &p, "wait", idc, NULL, NULL) == 0, "wait c: %d '%s'", p.status, p.buf[1]);
	sa = lc_status(t, ida);
	sb = lc_status(t, idb);
	sc = lc_status(t, idc);
	REAL_ASSERT(sa && sb && sc && strcmp(jstr(sa, "state"), "RUNNING") == 0 &&
			    strcmp(jstr(sb, "state"), "RUNNING") == 0 &&
			    strcmp(jstr(sc, "state"), "TERMINATED") == 0,
		    "states: a %s, b %s, c %s", jstr(sa, "state"), jstr(sb, "state"), jstr(sc, "state"));
	sups[0] = (pid_t)jint(sa, "supervisor_pid");
	sups[1] = (pid_t)jint(sb, "supervisor_pid");
	want = mcz_xasprintf("%s RUNNING %lld\n%s RUNNING %lld\n%s TERMINATED -\n", ida, jint(sa, "pid"),
			     idb, jint(sb, "pid"), idc);
	REAL_ASSERT(lc(t, &p, "list", NULL, NULL, NULL) == 0 && !p.buf[1][0], "list: status %d, "
		    "stderr '%s'", p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], want) == 0, "list:\n%swant:\n%s", p.buf[0], want);
	REAL_ASSERT(lc(t, &p, "list", "--json", NULL, NULL) == 0 && !p.buf[1][0], "list --json: "
		    "status %d, stderr '%s'", p.status, p.buf[1]);
	all = json_line(p.buf[0], "list --json");
	want_all = json_pack("[OOO]", sa, sb, sc);
	REAL_ASSERT(all && json_equal(all, want_all), "list --json: '%s' is not the three statuses",
		    p.buf[0]);
	for (size_t i = 0; i < 3; i++)
		REAL_ASSERT(lc(t, &p, "destroy", ids[i], NULL, NULL) == 0 && p.buf[0][0] && !p.buf[1][0],
			    "destroy %s: status %d, stdout '%s', stderr '%s'", ids[i], p.status, p.buf[0],
			    p.buf[1]);
	REAL_ASSERT(lc(t, &p, "list", NULL, NULL, NULL) == 0 && !p.buf[0][0], "list after: '%s'", p.buf[0]);
	REAL_ASSERT(lc(t, &p, "list", "--json", NULL, NULL) == 0 && strcmp(p.buf[0], "[]\n") == 0,
		    "list --json after: '%s'", p.buf[0]);
	for (size_t i = 0; i < 3; i++)
		REAL_ASSERT(lc_nothing_left(t, ids[i], i < 2 ? sups[i] : 0, false, i == 2) == 0,
			    "after destroy of %s", ids[i]);
	return REAL_PASS;
}

/* The syscall a process is blocked in (/proc/<pid>/syscall), or -1 ("running", or no file). */
static long blocked_in(pid_t pid)
{
	_cleanup_free_ char *path = mcz_xasprintf("/proc/%d/syscall", (int)pid);
	_cleanup_free_ char *s = read_file(path);
	char *end;
	long n = s ? strtol(s, &end, 10) : -1;

	return s && end != s ? n : -1;
}

/* `wait` (two at once) on a running container returns when the command ends, not before:
 * `sleep 0.5; exit 5` → 5, at least 0.5 s after the launch began, blocked in flock meanwhile;
 * status says TERMINATED as soon as wait returned. */
LIFECYCLE_TEST(lifecycle__wait_blocks_until_exit)
{
	_cleanup_free_ char *id = cid(t, "wb");
	_cleanup_free_ char *script = NULL;
	_cleanup_mczp_ struct mczp l = MCZP_INIT, w0 = MCZP_INIT, w1 = MCZP_INIT;
	struct mczp *w[2] = { &w0, &w1 };
	_cleanup_av_ struct av a0 = { .n = 0 }, a1 = { .n = 0 };
	json_auto_t *mid = NULL, *after = NULL;
	const char *args[8];
	double t0, t_launched, t_wait, ms[2] = { 0, 0 };
	long sc[2];
	pid_t sup;

	sh_args(args, t, "--isolation=namespaces/pid", &script, "sleep 0.5; exit 5");
	t0 = now();
	REAL_ASSERT(lc_launch(t, &l, id, args, NULL) == 0, "launch: status %d, stderr '%s'", l.status,
		    l.buf[1]);
	t_launched = now();
	av_cmd(&a0, t, "wait");
	av_add(&a0, "%s", id);
	av_cmd(&a1, t, "wait");
	av_add(&a1, "%s", id);
	t_wait = now();
	REAL_ASSERT(mczp_start(w[0], &a0) == 0 && mczp_start(w[1], &a1) == 0, "fork: %s",
		    strerror(errno));
	nap_ms(250);
	for (int i = 0; i < 2; i++) {
		REAL_ASSERT(waitpid(w[i]->pid, NULL, WNOHANG) == 0,
			    "wait %d returned within 250 ms of a command that sleeps 0.5 s", i);
		sc[i] = blocked_in(w[i]->pid);
	}
	mid = lc_status(t, id);
	REAL_ASSERT(mid && strcmp(jstr(mid, "state"), "RUNNING") == 0, "status while waiting: %s",
		    st_text(mid));
	sup = (pid_t)jint(mid, "supervisor_pid");
#ifdef SYS_flock
	for (int i = 0; i < 2; i++)
		REAL_ASSERT(sc[i] == -1 || sc[i] == SYS_flock, "wait %d is in syscall %ld, not flock (%d)",
			    i, sc[i], SYS_flock);
#endif
	for (int i = 0; i < 2; i++) {
		double elapsed;

		REAL_ASSERT(lc_finish(t, w[i], t_wait, &ms[i]) == 5 && !w[i]->buf[1][0],
			    "wait %d: status %d (want 5), stderr '%s'", i, w[i]->status, w[i]->buf[1]);
		elapsed = t_wait + ms[i] / 1000 - t0;
		REAL_ASSERT(elapsed >= 0.5, "wait %d returned %.3f s after the launch began", i, elapsed);
		REAL_ASSERT(strstr(w[i]->buf[0], "\"exit_code\":5") && strstr(w[i]->buf[0], "\"status\":1280"),
			    "wait %d printed '%s'", i, w[i]->buf[0]);
		if (i == 0) {
			after = lc_status(t, id);
			REAL_ASSERT(after && strcmp(jstr(after, "state"), "TERMINATED") == 0,
				    "status right after wait returned: %s",
				    after ? jstr(after, "state") : "(none)");
		}
	}
	REAL_ASSERT(lc_nothing_left(t, id, sup, true, true) == 0, "after wait");
	REAL_ASSERT(lc(t, &l, "destroy", id, NULL, NULL) == 0, "destroy: status %d", l.status);
	REAL_ASSERT(lc_nothing_left(t, id, 0, false, true) == 0, "after destroy");
	printf("%s: launch %.0f ms; the waits returned %.0f and %.0f ms after launch returned "
	       "(command: sleep 0.5); blocked in syscall %ld, %ld meanwhile\n",
	       real_test_name(), (t_launched - t0) * 1000, (t_wait - t_launched) * 1000 + ms[0],
	       (t_wait - t_launched) * 1000 + ms[1], sc[0], sc[1]);
	return REAL_PASS;
}

/* The supervisor is killed (SIGKILL) while the container runs: `destroy` still kills it and
 * cleans everything up, and says so (killed, no exit status). With a pid namespace, and
 * without one (the freezer cgroup catches pid 1 and its background child). */
LIFECYCLE_TEST(lifecycle__destroy_after_supervisor_killed)
{
	static const char *const isolations[] = { "--isolation=namespaces/pid", "--isolation=" };

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(isolations); i++) {
		_cleanup_free_ char *suffix = mcz_xasprintf("k%zu", i);
		_cleanup_free_ char *id = cid(t, suffix);
		_cleanup_free_ char *script = NULL;
		_cleanup_mczp_ struct mczp p = MCZP_INIT;
		json_auto_t *st = NULL, *term = NULL;
		const char *args[8];
		double ms = 0;
		pid_t sup;
		int ws;

		sh_args(args, t, isolations[i], &script, "sleep \"$0\" & exec sleep \"$0\"");
		args[5] = t->marker; /* $0 */
		args[6] = NULL;
		REAL_ASSERT(lc_launch(t, &p, id, args, NULL) == 0, "launch %s: status %d, stderr '%s'",
			    isolations[i], p.status, p.buf[1]);
		st = lc_status(t, id);
		REAL_ASSERT(st && strcmp(jstr(st, "state"), "RUNNING") == 0, "right after launch: %s",
		    st_text(st));
		sup = (pid_t)jint(st, "supervisor_pid");
		REAL_ASSERT(sup > 0 && kill(sup, SIGKILL) == 0, "kill supervisor %d: %s", (int)sup,
			    strerror(errno));
		ws = sup_exit(sup, 5);
		REAL_ASSERT(ws != -1 && WIFSIGNALED(ws), "the supervisor did not die: 0x%x", ws);
		REAL_ASSERT(lc(t, &p, "destroy", id, NULL, &ms) == 0, "destroy %s: status %d, stdout '%s', "
			    "stderr '%s'", isolations[i], p.status, p.buf[0], p.buf[1]);
		term = json_line(p.buf[0], "destroy");
		REAL_ASSERT(term && strcmp(jstr(term, "container_id"), id) == 0 &&
				    json_is_true(json_object_get(term, "killed")) &&
				    !json_object_get(term, "exit_code"),
			    "destroy printed '%s'", p.buf[0]);
		REAL_ASSERT(lc_nothing_left(t, id, 0, false, true) == 0, "after destroy (%s)", isolations[i]);
		printf("%s: %s: destroy after the supervisor's death %.0f ms: %s", real_test_name(),
		       isolations[i], ms, p.buf[0]);
	}
	return REAL_PASS;
}

/* ---- 15: mcz recover ----
 *
 * `mcz recover` (SPEC §9) after a supervisor was SIGKILLed: adoption by a new supervisor,
 * destroy, wait; a dead container destroyed with its Termination kept; orphan cgroups and pidns
 * handles removed while what is outside the roots, and live containers, are left alone. The
 * tests are lifecycle tests (a subreaper: the supervisors of `launch` and of `recover` come
 * back to the test process, and so does pid 1 once its supervisor is killed). Each uses a
 * --cgroups_root of its own, "<id>-cg" relative to this process's cgroup (a `recover` with
 * the shared default root would take other tests' containers for orphans); `launch` and
 * `recover` get it, the other commands read it from the container's config.json. The
 * supervisors recover starts are recorded in t->adopted: killed at the end if still there. */

#define RECOVER_DESTROY_WAIT 10.0 /* s: a destroy takes well under one */

static const char *const empty_report =
	"{\"alive\":[],\"ended\":[],\"adopted\":[],\"destroyed\":[],\"removed\":[],\"errors\":[]}\n";

/* "--cgroups_root=<id>-cg" (static buffer: one test per process). */
static const char *rc_root_flag(const struct rt *t)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "--cgroups_root=%s-cg", t->id);
	return buf;
}

/* The test's cgroups root in the launcher's hierarchy (v1 freezer, or cgroup2), malloc'd;
 * NULL when this process's cgroup there is unknown. */
static char *rc_root_dir(const struct rt *t)
{
	return t->cgroup[0] ? mcz_xasprintf("%s/%s-cg", t->cgroup, t->id) : NULL;
}

/* `mcz launch --container_id=ID ISOLATION --cgroups_root=... -- CMD`: `/bin/sleep <marker>`,
 * or `sh -c ': <marker>; SCRIPT'`. */
static int rc_launch(struct rt *t, struct mczp *p, const char *id, const char *isolation,
		     const char *script)
{
	_cleanup_free_ char *sh = script ? mcz_xasprintf(": %s; %s", t->marker, script) : NULL;
	const char *args[8];
	size_t n = 0;

	args[n++] = isolation;
	args[n++] = rc_root_flag(t);
	args[n++] = "--";
	if (sh) {
		args[n++] = "/bin/sh";
		args[n++] = "-c";
		args[n++] = sh;
	} else {
		args[n++] = "/bin/sleep";
		args[n++] = t->marker;
	}
	args[n] = NULL;
	return lc_launch(t, p, id, args, NULL);
}

/* `mcz recover` with the test's dirs and cgroups root: its status; *report: the JSON line
 * when it printed one (NULL otherwise). The pids in "adopted" are recorded first. */
static int rc_recover(struct rt *t, struct mczp *p, json_t **report, double *ms)
{
	_cleanup_av_ struct av a = { .n = 0 };
	json_t *adopted;
	size_t i;
	json_t *v;

	av_cmd(&a, t, "recover");
	av_add(&a, "%s", rc_root_flag(t));
	*report = NULL;
	lc_run(t, &a, p, ms);
	if (p->buf[0][0])
		*report = json_line(p->buf[0], "recover");
	adopted = json_object_get(*report, "adopted");
	json_array_foreach(adopted, i, v) {
		long long sup = jint(v, "supervisor_pid");

		if (sup > 0 && t->nadopted < MAX_LAUNCHED)
			t->adopted[t->nadopted++] = (pid_t)sup;
	}
	return p->status;
}

/* Whether array `got` holds the same elements as `want`, in any order. */
static bool jsame_set(const json_t *got, const json_t *want)
{
	size_t i, j;
	json_t *w, *g;

	if (!json_is_array(got) || json_array_size(got) != json_array_size(want))
		return false;
	json_array_foreach(want, i, w) {
		bool found = false;

		json_array_foreach(got, j, g)
			found = found || json_equal(g, w);
		if (!found)
			return false;
	}
	return true;
}

/* The report has exactly the six keys; alive, ended, destroyed, removed as given (in any
 * order; NULL: empty); "adopted" names exactly the ids of `adopted` (NULL: none), each with a
 * supervisor_pid > 0, the first one's in *sup; "errors" is empty. */
static int check_report(const json_t *j, json_t *alive, json_t *ended, json_t *adopted,
			json_t *destroyed, json_t *removed, pid_t *sup)
{
	static const char *const keys[] = { "alive", "ended", "adopted", "destroyed", "removed",
					    "errors", NULL };
	static const char *const adopted_keys[] = { "container_id", "supervisor_pid", NULL };
	json_t *want[] = { alive, ended, destroyed, removed };
	const char *names[] = { "alive", "ended", "destroyed", "removed" };
	json_auto_t *ids = json_array(), *none = json_array();
	int r = REAL_PASS;
	size_t i;
	json_t *v;

	if (!j || !jkeys(j, keys)) {
		fprintf(stderr, "%s: recover: not a report with exactly %s, %s, %s, %s, %s, %s\n",
			real_test_name(), keys[0], keys[1], keys[2], keys[3], keys[4], keys[5]);
		r = 1;
	}
	for (i = 0; r == REAL_PASS && i < MCZ_ARRAY_SIZE(want); i++) {
		json_auto_t *empty = json_array();

		if (!jsame_set(json_object_get(j, names[i]), want[i] ? want[i] : empty)) {
			char *w = json_dumps(want[i] ? want[i] : empty, JSON_COMPACT);

			fprintf(stderr, "%s: recover: \"%s\" is not %s\n", real_test_name(), names[i], w);
			free(w);
			r = 1;
		}
	}
	json_array_foreach(json_object_get(j, "adopted"), i, v) {
		if (!jkeys(v, adopted_keys) || jint(v, "supervisor_pid") <= 0) {
			fprintf(stderr, "%s: recover: an \"adopted\" element is not {container_id, "
				"supervisor_pid > 0}\n", real_test_name());
			r = 1;
		}
		json_array_append(ids, json_object_get(v, "container_id"));
		if (i == 0 && sup)
			*sup = (pid_t)jint(v, "supervisor_pid");
	}
	if (r == REAL_PASS && !jsame_set(ids, adopted ? adopted : none)) {
		fprintf(stderr, "%s: recover: \"adopted\" names the wrong containers\n", real_test_name());
		r = 1;
	}
	if (r == REAL_PASS && json_array_size(json_object_get(j, "errors")) != 0) {
		fprintf(stderr, "%s: recover: errors\n", real_test_name());
		r = 1;
	}
	json_decref(alive), json_decref(ended), json_decref(adopted), json_decref(destroyed);
	json_decref(removed);
	return r;
}

/* The flocks /proc/locks shows on container id's lock file: "pid N (READ|WRITE)..." or
 * "none"; for messages (malloc'd). */
static char *lock_holders(const struct rt *t, const char *id)
{
	_cleanup_free_ char *path = mcz_xasprintf("%s/containers/%s/lock", t->runtime, id);
	_cleanup_free_ char *locks = read_file("/proc/locks");
	struct stat st;
	char *out = mcz_xstrdup("");

	if (stat(path, &st) < 0 || !locks)
		return mcz_xstrdup("(no lock file)");
	for (char *l = locks; *l;) {
		char *e = strchrnul(l, '\n');
		char mode[16];
		int pid;
		unsigned long long ino;

		if (sscanf(l, "%*s %*s %*s %15s %d %*x:%*x:%llu", mode, &pid, &ino) == 3 &&
		    ino == (unsigned long long)st.st_ino) {
			_cleanup_free_ char *cmd = proc_cmdline(pid);
			char *x = mcz_xasprintf("%s%spid %d %s ('%s')", out, *out ? ", " : "", pid, mode,
						cmd ? cmd : "no such process");

			free(out);
			out = x;
		}
		l = *e ? e + 1 : e;
	}
	if (!*out) {
		free(out);
		out = mcz_xstrdup("none");
	}
	return out;
}

/* `mcz destroy ID` of a running container, RECOVER_DESTROY_WAIT s at most: exit 0, one
 * Termination line with killed:true and no exit status; nothing on stderr. */
static int rc_destroy_running(struct rt *t, const char *id, double *ms)
{
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	_cleanup_free_ char *holders = lock_holders(t, id);
	_cleanup_free_ char *sup_file = mcz_xasprintf("%s/containers/%s/supervisor.pid", t->runtime, id);
	_cleanup_free_ char *sup = read_file(sup_file);
	json_auto_t *term = NULL;
	double t0 = now();

	if (sup)
		sup[strcspn(sup, "\n")] = '\0';

	av_cmd(&a, t, "destroy");
	av_add(&a, "%s", id);
	if (mczp_start(&p, &a) < 0)
		return 1;
	REAL_ASSERT(lc_finish_within(t, &p, t0, RECOVER_DESTROY_WAIT, ms) == 0,
		    "destroy %s: status %d (-1: killed, still running after %.0f s), stdout '%s', stderr "
		    "'%s'; before it, supervisor.pid said %s and /proc/locks showed the lock held by: %s",
		    id, p.status, RECOVER_DESTROY_WAIT, p.buf[0], p.buf[1], sup ? sup : "(none)",
		    holders);
	REAL_ASSERT(!p.buf[1][0], "destroy %s: stderr '%s'", id, p.buf[1]);
	term = json_line(p.buf[0], "destroy");
	REAL_ASSERT(term && strcmp(jstr(term, "container_id"), id) == 0 &&
			    json_is_true(json_object_get(term, "killed")) &&
			    !json_object_get(term, "status") && !json_object_get(term, "exit_code") &&
			    !json_object_get(term, "signal"),
		    "destroy %s printed '%s' (want killed:true, no status)", id, p.buf[0]);
	return REAL_PASS;
}

/* Kill the supervisor of a running container (SIGKILL) and reap it: its pid. */
static int kill_supervisor(struct rt *t, const char *id, pid_t *ret_sup, pid_t *ret_pid)
{
	json_auto_t *st = lc_status(t, id);
	json_auto_t *after = NULL;
	pid_t sup;
	int ws;

	REAL_ASSERT(st && strcmp(jstr(st, "state"), "RUNNING") == 0 &&
			    json_is_true(json_object_get(st, "supervisor_alive")),
		    "%s right after launch: %s", id, st_text(st));
	sup = *ret_sup = (pid_t)jint(st, "supervisor_pid");
	*ret_pid = (pid_t)jint(st, "pid");
	REAL_ASSERT(sup > 0 && *ret_pid > 0 && kill(sup, SIGKILL) == 0, "kill supervisor %d: %s",
		    (int)sup, strerror(errno));
	ws = sup_exit(sup, 5);
	REAL_ASSERT(ws != -1 && (ws == 0 || WIFSIGNALED(ws)), "the supervisor did not die: 0x%x", ws);
	after = lc_status(t, id);
	REAL_ASSERT(after && strcmp(jstr(after, "state"), "RUNNING") == 0 &&
			    json_is_false(json_object_get(after, "supervisor_alive")),
		    "%s with its supervisor killed: %s (want RUNNING, supervisor_alive false)", id,
		    st_text(after));
	return REAL_PASS;
}

/* The supervisor `recover` started: a new process of its own session, stdin /dev/null,
 * stdout and stderr the sandbox's files. */
static int check_new_supervisor(const struct rt *t, const char *id, pid_t nsup, pid_t old)
{
	_cleanup_free_ char *out = mcz_xasprintf("%s/sandboxes/%s/stdout", t->work, id);
	_cleanup_free_ char *errf = mcz_xasprintf("%s/sandboxes/%s/stderr", t->work, id);
	char fd[3][PATH_MAX];

	REAL_ASSERT(nsup > 0 && nsup != old && kill(nsup, 0) == 0,
		    "the new supervisor %d (the old one %d) does not run", (int)nsup, (int)old);
	REAL_ASSERT(proc_sid(nsup) == nsup, "the new supervisor %d: session %d", (int)nsup,
		    (int)proc_sid(nsup));
	proc_fd(nsup, 0, fd[0], sizeof(fd[0]));
	proc_fd(nsup, 1, fd[1], sizeof(fd[1]));
	proc_fd(nsup, 2, fd[2], sizeof(fd[2]));
	REAL_ASSERT(strcmp(fd[0], "/dev/null") == 0 && strcmp(fd[1], out) == 0 && strcmp(fd[2], errf) == 0,
		    "the new supervisor's stdio: 0 '%s', 1 '%s', 2 '%s'", fd[0], fd[1], fd[2]);
	return REAL_PASS;
}

/* 1. A running container whose supervisor was SIGKILLed: `recover` adopts it (a new
 * supervisor), `status` shows that supervisor alive and the same pid 1, `destroy` kills it
 * (killed:true, no exit status) and nothing is left. With a pid namespace, and without one
 * (the freezer cgroup holds pid 1 and its background child; posix isolators). */
LIFECYCLE_TEST(recover__adopt_then_destroy)
{
	static const char *const isolations[] = { "--isolation=namespaces/pid",
						  "--isolation=posix/cpu,posix/mem" };

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(isolations); i++) {
		_cleanup_free_ char *suffix = mcz_xasprintf("ad%zu", i);
		_cleanup_free_ char *id = cid(t, suffix);
		_cleanup_free_ char *want_cmd = i == 0 ? mcz_xasprintf("/bin/sleep %s", t->marker)
						       : mcz_xasprintf("/bin/sh -c : %s; sleep %s & wait",
								       t->marker, t->marker);
		_cleanup_free_ char *script = i == 0 ? NULL : mcz_xasprintf("sleep %s & wait", t->marker);
		_cleanup_mczp_ struct mczp p = MCZP_INIT;
		json_auto_t *report = NULL, *st = NULL;
		double ms_recover = 0, ms_destroy = 0;
		pid_t sup, pid, nsup = 0;

		REAL_ASSERT(rc_launch(t, &p, id, isolations[i], script) == 0,
			    "launch %s: status %d, stderr '%s'", isolations[i], p.status, p.buf[1]);
		st = lc_status(t, id);
		REAL_ASSERT(st && cmdline_becomes((pid_t)jint(st, "pid"), want_cmd, 5),
			    "pid 1 of %s is not '%s': %s", id, want_cmd, st_text(st));
		json_decref(st);
		st = NULL;
		REAL_ASSERT(kill_supervisor(t, id, &sup, &pid) == 0, "%s", isolations[i]);
		REAL_ASSERT(rc_recover(t, &p, &report, &ms_recover) == 0 && !p.buf[1][0],
			    "recover: status %d, stderr '%s'", p.status, p.buf[1]);
		REAL_ASSERT(check_report(report, NULL, NULL, json_pack("[s]", id), NULL, NULL, &nsup) == 0,
			    "recover printed '%s'", p.buf[0]);
		REAL_ASSERT(check_new_supervisor(t, id, nsup, sup) == 0, "%s", isolations[i]);
		st = lc_status(t, id);
		REAL_ASSERT(st && strcmp(jstr(st, "state"), "RUNNING") == 0 &&
				    json_is_true(json_object_get(st, "supervisor_alive")) &&
				    jint(st, "supervisor_pid") == nsup && jint(st, "pid") == pid,
			    "status after recover: %s (want RUNNING, supervisor_alive, supervisor_pid %d, "
			    "pid %d)", st_text(st), (int)nsup, (int)pid);
		REAL_ASSERT(cmdline_becomes(pid, want_cmd, 0), "pid 1 (%d) is no longer '%s'", (int)pid,
			    want_cmd);
		REAL_ASSERT(rc_destroy_running(t, id, &ms_destroy) == 0, "%s, adopted", isolations[i]);
		REAL_ASSERT(lc_nothing_left(t, id, nsup, false, true) == 0, "after destroy (%s)",
			    isolations[i]);
		printf("%s: %s: recover (adopted, supervisor %d -> %d) %.0f ms, destroy %.0f ms\n",
		       real_test_name(), isolations[i], (int)sup, (int)nsup, ms_recover, ms_destroy);
	}
	return REAL_PASS;
}

/* Wait up to timeout s for child `pid` to end (this process is its subreaper once its
 * supervisor died) and reap it: its wait status, when (*when), or -1. */
static int reap_child(pid_t pid, double timeout, double *when)
{
	double end = now() + timeout;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid) {
			*when = now();
			return st;
		}
		if (r < 0 || now() >= end)
			return -1;
		nap_ms(2);
	}
}

/* Whether process `holder` has a pidfd open on process `target` (its fdinfo "Pid:" line). */
static bool has_pidfd_of(pid_t holder, pid_t target)
{
	_cleanup_free_ char *dir = mcz_xasprintf("/proc/%d/fdinfo", (int)holder);
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		_cleanup_free_ char *path = mcz_xasprintf("%s/%s", dir, e->d_name);
		FILE *fp = e->d_name[0] != '.' ? fopen(path, "re") : NULL;
		char line[128];

		while (fp && !found && fgets(line, sizeof(line), fp))
			found = strncmp(line, "Pid:", 4) == 0 && atoi(line + 4) == (int)target;
		if (fp)
			fclose(fp);
	}
	if (d)
		closedir(d);
	return found;
}

/* 2. The adopted container's command ends by itself (sleep 2.5; exit 3): the new supervisor
 * holds a pidfd of pid 1 (not its child: no SIGCHLD) and sees the end at once, `wait`
 * returns 125 with a
 * Termination without "status" (the exit code is not the adopter's to know), and again;
 * `destroy` prints that Termination and removes the entry. */
LIFECYCLE_TEST(recover__adopted_command_ends)
{
	_cleanup_free_ char *id = cid(t, "end");
	_cleanup_av_ struct av wa = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT, w = MCZP_INIT;
	_cleanup_free_ char *first = NULL;
	json_auto_t *report = NULL, *term = NULL, *st = NULL;
	double t_launch, t_exit = 0, t_wait0, ms_wait = 0, ms_recover = 0, ms_destroy = 0, late;
	pid_t sup, pid, nsup = 0;
	siginfo_t si = { 0 };
	int ws;

	t_launch = now();
	REAL_ASSERT(rc_launch(t, &p, id, "--isolation=namespaces/pid", "sleep 2.5; exit 3") == 0,
		    "launch: status %d, stderr '%s'", p.status, p.buf[1]);
	REAL_ASSERT(kill_supervisor(t, id, &sup, &pid) == 0, "kill the supervisor");
	REAL_ASSERT(rc_recover(t, &p, &report, &ms_recover) == 0 && !p.buf[1][0],
		    "recover: status %d, stderr '%s'", p.status, p.buf[1]);
	/* pid 1 is this process's child now (a subreaper): look without reaping it */
	REAL_ASSERT(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0,
		    "the command had ended when recover returned, %.3f s after the launch began: "
		    "too late for this test (the command sleeps 2.5 s)", now() - t_launch);
	REAL_ASSERT(check_report(report, NULL, NULL, json_pack("[s]", id), NULL, NULL, &nsup) == 0,
		    "recover printed '%s'", p.buf[0]);
	REAL_ASSERT(check_new_supervisor(t, id, nsup, sup) == 0, "after recover");
	for (int i = 0; i < 100 && !has_pidfd_of(nsup, pid); i++)
		usleep(10000); /* it opens it first thing; recover returned before that */
	REAL_ASSERT(has_pidfd_of(nsup, pid), "the new supervisor (%d) has no pidfd of pid 1 (%d)",
		    (int)nsup, (int)pid);
	av_cmd(&wa, t, "wait");
	av_add(&wa, "%s", id);
	t_wait0 = now();
	REAL_ASSERT(mczp_start(&w, &wa) == 0, "fork: %s", strerror(errno));
	/* pid 1 came back to this process (a subreaper) when its supervisor died: reap it as
	 * init would, and learn when the command ended and how */
	ws = reap_child(pid, 10, &t_exit);
	REAL_ASSERT(ws != -1, "pid 1 (%d) did not end within 10 s (or is not this process's child)",
		    (int)pid);
	REAL_ASSERT(WIFEXITED(ws) && WEXITSTATUS(ws) == 3, "pid 1 ended with wait status 0x%x", ws);
	REAL_ASSERT(lc_finish(t, &w, t_wait0, &ms_wait) == 125, "wait: status %d (want 125), stdout "
		    "'%s', stderr '%s'", w.status, w.buf[0], w.buf[1]);
	late = t_wait0 + ms_wait / 1000 - t_exit;
	REAL_ASSERT(!w.buf[1][0], "wait: stderr '%s'", w.buf[1]);
	term = json_line(w.buf[0], "wait");
	REAL_ASSERT(check_termination(term, id, -1, -1, -1, false, NULL) == 0 &&
			    !json_object_get(term, "status"),
		    "wait printed '%s' (want no status, exit_code, signal; killed false)", w.buf[0]);
	REAL_ASSERT(late >= 0 && late < 1.5, "wait returned %.0f ms after the command ended", late * 1000);
	REAL_ASSERT(lc_nothing_left(t, id, nsup, true, true) == 0, "after the adopted command ended");
	first = mcz_xstrdup(w.buf[0]);
	st = lc_status(t, id);
	REAL_ASSERT(st && strcmp(jstr(st, "state"), "TERMINATED") == 0 &&
			    json_equal(json_object_get(st, "termination"), term),
		    "status: %s", st_text(st));
	REAL_ASSERT(lc(t, &p, "wait", id, NULL, NULL) == 125 && strcmp(p.buf[0], first) == 0 &&
			    !p.buf[1][0],
		    "second wait: status %d, stdout '%s', stderr '%s'", p.status, p.buf[0], p.buf[1]);
	REAL_ASSERT(lc(t, &p, "destroy", id, NULL, &ms_destroy) == 0 && strcmp(p.buf[0], first) == 0 &&
			    !p.buf[1][0],
		    "destroy: status %d, stdout '%s' (want '%s'), stderr '%s'", p.status, p.buf[0],
		    first, p.buf[1]);
	REAL_ASSERT(lc_nothing_left(t, id, 0, false, true) == 0, "after destroy");
	printf("%s: recover %.0f ms; the command ended %.0f ms after the launch began; wait returned "
	       "%.0f ms after that (the adopter waits on a pidfd): %s",
	       real_test_name(), ms_recover, (t_exit - t_launch) * 1000, late * 1000, first);
	printf("%s: destroy of the ended container %.0f ms\n", real_test_name(), ms_destroy);
	return REAL_PASS;
}

/* 3. Supervisor and processes SIGKILLed: `recover` destroys the container (no cgroup, pidns
 * handle or mount left; the entry keeps only termination.json) and reports it; a second
 * recover reports it "ended"; `wait` prints its Termination (no status, exit 125), `destroy`
 * prints it and removes the entry; a third recover has nothing to do. With a pid namespace,
 * and without. */
LIFECYCLE_TEST(recover__destroys_dead_container)
{
	static const char *const isolations[] = { "--isolation=namespaces/pid",
						  "--isolation=posix/cpu,posix/mem" };
	_cleanup_free_ char *root = rc_root_dir(t);

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(isolations); i++) {
		_cleanup_free_ char *suffix = mcz_xasprintf("dd%zu", i);
		_cleanup_free_ char *id = cid(t, suffix);
		_cleanup_free_ char *handle = mcz_xasprintf("%s/pidns/%s", t->runtime, id);
		_cleanup_free_ char *first = NULL;
		_cleanup_mczp_ struct mczp p = MCZP_INIT;
		json_auto_t *report = NULL, *report2 = NULL, *report3 = NULL, *term = NULL, *st = NULL;
		double ms_recover = 0, when;
		pid_t sup, pid;
		int ws;

		REAL_ASSERT(rc_launch(t, &p, id, isolations[i], NULL) == 0, "launch %s: status %d, "
			    "stderr '%s'", isolations[i], p.status, p.buf[1]);
		REAL_ASSERT(kill_supervisor(t, id, &sup, &pid) == 0, "%s", isolations[i]);
		REAL_ASSERT(kill(pid, SIGKILL) == 0, "kill pid 1 (%d): %s", (int)pid, strerror(errno));
		ws = reap_child(pid, 5, &when);
		REAL_ASSERT(ws != -1 && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL,
			    "pid 1 (%d): wait status 0x%x", (int)pid, ws);
		REAL_ASSERT(!root || existsf("%s/%s", root, id), "no cgroup '%s/%s' before recover",
			    root, id);
		REAL_ASSERT(i != 0 || real_exists(handle), "no pidns handle '%s' before recover", handle);

		REAL_ASSERT(rc_recover(t, &p, &report, &ms_recover) == 0 && !p.buf[1][0],
			    "recover: status %d, stderr '%s'", p.status, p.buf[1]);
		REAL_ASSERT(check_report(report, NULL, NULL, NULL, json_pack("[s]", id), NULL, NULL) == 0,
			    "recover printed '%s'", p.buf[0]);
		REAL_ASSERT(lc_nothing_left(t, id, 0, true, true) == 0, "after recover (%s)",
			    isolations[i]);
		REAL_ASSERT(!root || !real_exists(root), "the cgroups root '%s' is left", root);
		REAL_ASSERT(rc_recover(t, &p, &report2, NULL) == 0 && !p.buf[1][0] &&
				    check_report(report2, NULL, json_pack("[s]", id), NULL, NULL, NULL,
						 NULL) == 0,
			    "second recover: status %d, stdout '%s', stderr '%s'", p.status, p.buf[0],
			    p.buf[1]);

		REAL_ASSERT(lc(t, &p, "wait", id, NULL, NULL) == 125 && !p.buf[1][0],
			    "wait: status %d (want 125), stderr '%s'", p.status, p.buf[1]);
		term = json_line(p.buf[0], "wait");
		REAL_ASSERT(term && check_termination(term, id, -1, -1, -1, false, NULL) == 0 &&
				    !json_object_get(term, "status") && *jstr(term, "message"),
			    "wait printed '%s' (want no status, exit_code, signal; killed false; a message)",
			    p.buf[0]);
		first = mcz_xstrdup(p.buf[0]);
		st = lc_status(t, id);
		REAL_ASSERT(st && strcmp(jstr(st, "state"), "TERMINATED") == 0, "status: %s", st_text(st));
		REAL_ASSERT(lc(t, &p, "destroy", id, NULL, NULL) == 0 && strcmp(p.buf[0], first) == 0 &&
				    !p.buf[1][0],
			    "destroy: status %d, stdout '%s' (want '%s'), stderr '%s'", p.status,
			    p.buf[0], first, p.buf[1]);
		REAL_ASSERT(lc_nothing_left(t, id, 0, false, true) == 0, "after destroy (%s)",
			    isolations[i]);
		REAL_ASSERT(rc_recover(t, &p, &report3, NULL) == 0 && strcmp(p.buf[0], empty_report) == 0,
			    "third recover: status %d, stdout '%s', stderr '%s'", p.status, p.buf[0],
			    p.buf[1]);
		printf("%s: %s: recover (destroyed) %.0f ms: %s", real_test_name(), isolations[i],
		       ms_recover, first);
	}
	return REAL_PASS;
}

/* A `/bin/sleep <marker>` child of this process that moved itself into cgroup `dir` before
 * exec; its pid (-1 on error). */
static pid_t sleep_in_cgroup(const struct rt *t, const char *dir)
{
	_cleanup_free_ char *procs = mcz_xasprintf("%s/cgroup.procs", dir);
	_cleanup_free_ char *want = mcz_xasprintf("/bin/sleep %s", t->marker);
	_cleanup_free_ char *listed = NULL, *line = NULL;
	pid_t pid = fork();

	if (pid == 0) {
		char buf[32];
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

		if (fd < 0 || write(fd, buf, (size_t)n) != n)
			_exit(124);
		close(fd);
		execl("/bin/sleep", "/bin/sleep", t->marker, (char *)NULL);
		_exit(124);
	}
	if (pid < 0)
		return -1;
	if (!cmdline_becomes(pid, want, 5)) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		return -1;
	}
	listed = read_file(procs);
	line = mcz_xasprintf("%d", (int)pid);
	return listed && has_line(listed, line) ? pid : -1;
}

/* rmdir that waits out a v1 EBUSY after the last task died (2 s at most). */
static int rmdir_cgroup(const char *dir)
{
	for (int i = 0; i < 100; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		nap_ms(20);
	}
	return -errno;
}

/* 4. Orphans: below the test's cgroups root, a cgroup made by hand with a process in it (in
 * the launcher's hierarchy — v1 freezer or cgroup2 — and, on v1, one in the cpu hierarchy);
 * in the runtime dir, a pidns handle bind-mounted from /proc/self/ns/pid and a plain-file one
 * with no entry, and a half-made entry (a lock, no config.json). `recover` kills the
 * processes and removes all of them (the cpu root too, now empty), and leaves alone a live
 * container (same supervisor and pid 1, still RUNNING) and a cgroup with a process OUTSIDE
 * the root (a sibling of it below this process's cgroup), which the test removes itself. */
LIFECYCLE_TEST(recover__orphans)
{
	_cleanup_free_ char *live = cid(t, "live");
	_cleanup_free_ char *root = rc_root_dir(t);
	_cleanup_free_ char *orphan1 = NULL, *outside = NULL, *cpu_root = NULL, *orphan2 = NULL;
	_cleanup_free_ char *ghost = mcz_xasprintf("%s/pidns/%s-ghost", t->runtime, t->id);
	_cleanup_free_ char *ghost2 = mcz_xasprintf("%s/pidns/%s-ghost2", t->runtime, t->id);
	_cleanup_free_ char *half = mcz_xasprintf("%s/containers/%s-half", t->runtime, t->id);
	_cleanup_free_ char *half_lock = mcz_xasprintf("%s/lock", half);
	_cleanup_free_ char *live_cg = NULL, *live_handle = NULL, *mi = NULL, *in_mi = NULL;
	_cleanup_free_ char *outside_procs = NULL, *listed = NULL, *cline = NULL, *text = NULL;
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	json_auto_t *st = NULL, *st2 = NULL, *report = NULL, *removed = NULL;
	char cpu_own[PATH_MAX];
	pid_t a = -1, b = -1, c = -1, sup;
	double ms_recover = 0, ms_destroy = 0, when;
	int ws;

	REAL_ASSERT(root, "this process's cgroup in the launcher's hierarchy is unknown (%s)",
		    real_cg_layout_name(real_cg_layout()));
	orphan1 = mcz_xasprintf("%s/%s-orphan1", root, t->id);
	outside = mcz_xasprintf("%s/%s-outside", t->cgroup, t->id);
	live_cg = mcz_xasprintf("%s/%s", root, live);
	live_handle = mcz_xasprintf("%s/pidns/%s", t->runtime, live);
	if (real_cg_layout() == REAL_CG_V1 && real_cg_v1_dir("cpu", cpu_own, sizeof(cpu_own)) &&
	    strcmp(cpu_own, t->cgroup) != 0) {
		cpu_root = mcz_xasprintf("%s/%s-cg", cpu_own, t->id);
		orphan2 = mcz_xasprintf("%s/%s-orphan2", cpu_root, t->id);
	}
	printf("%s: cgroups root '%s'%s%s%s\n", real_test_name(), root, cpu_root ? " and '" : "",
	       cpu_root ? cpu_root : "", cpu_root ? "'" : "");

	REAL_ASSERT(rc_launch(t, &p, live, "--isolation=namespaces/pid", NULL) == 0,
		    "launch: status %d, stderr '%s'", p.status, p.buf[1]);
	st = lc_status(t, live);
	REAL_ASSERT(st && strcmp(jstr(st, "state"), "RUNNING") == 0, "status: %s", st_text(st));
	sup = (pid_t)jint(st, "supervisor_pid");

	/* the orphans, and the cgroup outside the root */
	REAL_ASSERT(mkdir(orphan1, 0755) == 0 && (a = sleep_in_cgroup(t, orphan1)) > 0,
		    "a process in '%s': %s", orphan1, strerror(errno));
	if (cpu_root)
		REAL_ASSERT(mkdir(cpu_root, 0755) == 0 && mkdir(orphan2, 0755) == 0 &&
				    (b = sleep_in_cgroup(t, orphan2)) > 0,
			    "a process in '%s': %s", orphan2, strerror(errno));
	REAL_ASSERT(mkdir(outside, 0755) == 0 && (c = sleep_in_cgroup(t, outside)) > 0,
		    "a process in '%s': %s", outside, strerror(errno));
	own_mount(t, ghost);
	REAL_ASSERT(write_file(ghost, "", 0444) == 0 && write_file(ghost2, "", 0444) == 0,
		    "create '%s', '%s'", ghost, ghost2);
	REAL_ASSERT(mount("/proc/self/ns/pid", ghost, NULL, MS_BIND, NULL) == 0,
		    "bind /proc/self/ns/pid on '%s': %s", ghost, strerror(errno));
	REAL_ASSERT(mkdirf(0700, "%s", half) == 0 && write_file(half_lock, "", 0600) == 0,
		    "the half-made entry '%s'", half);

	REAL_ASSERT(rc_recover(t, &p, &report, &ms_recover) == 0 && !p.buf[1][0],
		    "recover: status %d, stderr '%s'", p.status, p.buf[1]);
	removed = json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s}]", "kind", "runtime entry",
			    "path", half, "kind", "pidns handle", "path", ghost, "kind",
			    "pidns handle", "path", ghost2, "kind", "cgroup", "path", orphan1);
	if (orphan2)
		json_array_append_new(removed, json_pack("{s:s,s:s}", "kind", "cgroup", "path", orphan2));
	REAL_ASSERT(check_report(report, json_pack("[s]", live), NULL, NULL, NULL, json_incref(removed),
				 NULL) == 0,
		    "recover printed '%s'", p.buf[0]);
	text = mcz_xstrdup(p.buf[0]);

	/* the orphans and their processes are gone */
	ws = reap_child(a, 5, &when);
	a = -1;
	REAL_ASSERT(ws != -1 && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL,
		    "the process in '%s': wait status 0x%x (want killed)", orphan1, ws);
	if (b > 0) {
		ws = reap_child(b, 5, &when);
		b = -1;
		REAL_ASSERT(ws != -1 && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL,
			    "the process in '%s': wait status 0x%x (want killed)", orphan2, ws);
	}
	REAL_ASSERT(!real_exists(orphan1), "'%s' is left", orphan1);
	REAL_ASSERT(!cpu_root || !real_exists(cpu_root), "'%s' (now empty) is left", cpu_root);
	REAL_ASSERT(!real_exists(ghost) && !real_exists(ghost2) && !real_exists(half),
		    "'%s', '%s' or '%s' is left", ghost, ghost2, half);
	mi = read_file("/proc/self/mountinfo");
	in_mi = mcz_xasprintf(" %s ", ghost);
	REAL_ASSERT(mi && !strstr(mi, in_mi), "'%s' is still a mount point", ghost);

	/* what is not recover's is untouched */
	outside_procs = mcz_xasprintf("%s/cgroup.procs", outside);
	listed = read_file(outside_procs);
	cline = mcz_xasprintf("%d", (int)c);
	REAL_ASSERT(waitpid(c, NULL, WNOHANG) == 0 && listed && has_line(listed, cline),
		    "the process %d in '%s' (outside the root) died or moved: '%s'", (int)c, outside,
		    listed ? listed : "(no cgroup.procs)");
	st2 = lc_status(t, live);
	REAL_ASSERT(st2 && json_equal(st, st2), "the live container's status changed: %s, was %s",
		    st_text(st2), st_text(st));
	REAL_ASSERT(kill(sup, 0) == 0 && kill((pid_t)jint(st, "pid"), 0) == 0 &&
			    real_exists(live_cg) && real_exists(live_handle),
		    "the live container lost its supervisor, pid 1, cgroup '%s' or pidns handle '%s'",
		    live_cg, live_handle);

	(void)kill(c, SIGKILL);
	ws = reap_child(c, 5, &when);
	c = -1;
	REAL_ASSERT(ws != -1 && rmdir_cgroup(outside) == 0, "remove '%s': %s", outside,
		    strerror(errno));
	REAL_ASSERT(lc(t, &p, "destroy", live, NULL, &ms_destroy) == 0 &&
			    strstr(p.buf[0], "\"killed\":true") && !p.buf[1][0],
		    "destroy: status %d, stdout '%s', stderr '%s'", p.status, p.buf[0], p.buf[1]);
	REAL_ASSERT(lc_nothing_left(t, live, sup, false, true) == 0, "after destroy");
	printf("%s: recover %.0f ms: %s", real_test_name(), ms_recover, text);
	printf("%s: destroy of the live container %.0f ms\n", real_test_name(), ms_destroy);
	return REAL_PASS;
}

/* 5. Nothing to do: no runtime dir, then a live container, which is reported alive and left
 * alone (same status, supervisor and pid 1); after its destroy, nothing again. */
LIFECYCLE_TEST(recover__nothing_to_do_and_alive)
{
	_cleanup_free_ char *id = cid(t, "alive");
	_cleanup_free_ char *root = rc_root_dir(t);
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	json_auto_t *report = NULL, *report2 = NULL, *st = NULL, *st2 = NULL;
	_cleanup_free_ char *want_alive = NULL;
	double ms_empty = 0, ms_alive = 0;
	pid_t sup;

	REAL_ASSERT(!real_exists(t->runtime), "'%s' exists already", t->runtime);
	REAL_ASSERT(rc_recover(t, &p, &report, &ms_empty) == 0 && strcmp(p.buf[0], empty_report) == 0 &&
			    !p.buf[1][0],
		    "recover, no runtime dir: status %d, stdout '%s', stderr '%s'", p.status, p.buf[0],
		    p.buf[1]);
	REAL_ASSERT(!root || !real_exists(root), "recover made the cgroups root '%s'", root);

	REAL_ASSERT(rc_launch(t, &p, id, "--isolation=namespaces/pid,posix/cpu,posix/mem", NULL) == 0,
		    "launch: status %d, stderr '%s'", p.status, p.buf[1]);
	st = lc_status(t, id);
	REAL_ASSERT(st && strcmp(jstr(st, "state"), "RUNNING") == 0, "status: %s", st_text(st));
	sup = (pid_t)jint(st, "supervisor_pid");
	want_alive = mcz_xasprintf("{\"alive\":[\"%s\"],\"ended\":[],\"adopted\":[],\"destroyed\":[],"
				   "\"removed\":[],\"errors\":[]}\n", id);
	for (int i = 0; i < 2; i++) {
		REAL_ASSERT(rc_recover(t, &p, &report2, &ms_alive) == 0 &&
				    strcmp(p.buf[0], want_alive) == 0 && !p.buf[1][0],
			    "recover %d with a live container: status %d, stdout '%s', stderr '%s'", i,
			    p.status, p.buf[0], p.buf[1]);
		json_decref(report2);
		report2 = NULL;
	}
	st2 = lc_status(t, id);
	REAL_ASSERT(st2 && json_equal(st, st2), "status changed: %s, was %s", st_text(st2), st_text(st));
	REAL_ASSERT(kill(sup, 0) == 0 && waitpid(sup, NULL, WNOHANG) == 0 &&
			    kill((pid_t)jint(st, "pid"), 0) == 0,
		    "the supervisor or pid 1 died");
	REAL_ASSERT(lc(t, &p, "destroy", id, NULL, NULL) == 0 && strstr(p.buf[0], "\"killed\":true"),
		    "destroy: status %d, stdout '%s', stderr '%s'", p.status, p.buf[0], p.buf[1]);
	REAL_ASSERT(lc_nothing_left(t, id, sup, false, true) == 0, "after destroy");
	REAL_ASSERT(rc_recover(t, &p, &report2, NULL) == 0 && strcmp(p.buf[0], empty_report) == 0 &&
			    !p.buf[1][0],
		    "recover after destroy: status %d, stdout '%s', stderr '%s'", p.status, p.buf[0],
		    p.buf[1]);
	printf("%s: recover with nothing to do %.0f ms, with one live container %.0f ms\n",
	       real_test_name(), ms_empty, ms_alive);
	return REAL_PASS;
}

/* ---- 17: the security boundary of SPEC §11: descriptors, identity, logs, flags, recover ----
 *
 * Each test is the attack: a caller with an fd open on a root-only file, a forged /etc/group
 * over the container's /etc, a FIFO and a hard link planted in a sandbox, a second launch of
 * a live id, a runtime dir that is not mcz's, hostile --cgroups_root values aimed at a victim
 * cgroup of the test's own, a secret in --env. */

/* An fd the caller left open (no close-on-exec) on a root-only file: fd 9, as a shell's
 * `exec 9>file` leaves it. Returns 0 or -errno; *ret_path: the file. */
static int open_fd9(const struct rt *t, char **ret_path)
{
	char *path = mcz_xasprintf("%s/root-only", t->root);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), r = 0;

	*ret_path = path;
	if (fd < 0)
		return -errno;
	if (fd != 9 && (dup2(fd, 9) < 0 || close(fd) < 0))
		r = -errno;
	return r;
}

/* The fds a command sees, and whether writing to fd 9 failed, as printed by FD_SCRIPT. */
#define FD_SCRIPT "ls /proc/self/fd | tr '\\n' ' '; echo; if echo leaked >&9; then echo WROTE; fi"

/* A `--user=nobody` command gets fds 0, 1 and 2 only (ls's own directory fd is 3), with
 * mcz run and with mcz launch. */
LIFECYCLE_TEST(security__only_stdio_reaches_the_command)
{
	_cleanup_free_ char *victim = NULL, *out = NULL, *text = NULL;
	_cleanup_free_ char *id = cid(t, "l");
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT, q = MCZP_INIT;
	struct stat st;
	int r = open_fd9(t, &victim);

	REAL_ASSERT(r == 0, "fd 9: %s", strerror(-r));
	av_run(&a, t, t->id);
	av_add(&a, "--user=nobody");
	av_add(&a, "--isolation=namespaces/pid");
	av_sh(&a, FD_SCRIPT);
	r = run_mcz(t, &a, &p);
	REAL_ASSERT(r == 0, "mcz run: status %d, stderr: %s", r, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], "0 1 2 3 \n") == 0, "mcz run: the command's fds: '%s'", p.buf[0]);
	r = lc_launch(t, &q, id, (const char *const[]){ "--user=nobody", "--", "sh", "-c", FD_SCRIPT, NULL },
		      NULL);
	REAL_ASSERT(r == 0, "mcz launch: status %d, stderr: %s", r, q.buf[1]);
	mczp_reset(&q);
	REAL_ASSERT(lc(t, &q, "wait", id, NULL, NULL) == 0, "mcz wait: %s", q.buf[1]);
	out = mcz_xasprintf("%s/sandboxes/%s/stdout", t->work, id);
	text = read_file(out);
	REAL_ASSERT(text && strcmp(text, "0 1 2 3 \n") == 0, "mcz launch: the command's fds: '%s'",
		    text ? text : "(no stdout)");
	mczp_reset(&q);
	REAL_ASSERT(lc(t, &q, "destroy", id, NULL, NULL) == 0, "mcz destroy: %s", q.buf[1]);
	REAL_ASSERT(stat(victim, &st) == 0 && st.st_size == 0, "the root-only file was written");
	close(9);
	return REAL_PASS;
}

/* A volume over /etc with a forged /etc/group that puts nobody in 'disk' (gid 6) and 'root':
 * the groups come from the host's databases, not from the container's mounts. */
RUN_TEST(security__groups_are_the_hosts, TEST_TIMEOUT)
{
	_cleanup_free_ char *etc = mcz_xasprintf("%s/etc", t->root);
	_cleanup_free_ char *group = mcz_xasprintf("%s/group", etc);
	_cleanup_free_ char *passwd = mcz_xasprintf("%s/passwd", etc);
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	gid_t host[64];
	int nhost = 64;
	struct passwd *pw = getpwnam("nobody");
	char want[512] = "Groups:\t";

	if (!pw)
		return real_skip("no user 'nobody'");
	REAL_ASSERT(getgrouplist("nobody", pw->pw_gid, host, &nhost) >= 0, "getgrouplist");
	for (int i = 0; i < nhost; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%u ", (unsigned)host[i]);
	REAL_ASSERT(mkdirf(0755, "%s", etc) == 0, "mkdir '%s'", etc);
	REAL_ASSERT(write_file(group, "root:x:0:nobody\ndisk:x:6:nobody\nnogroup:x:65534:\n", 0644) == 0,
		    "write '%s'", group);
	REAL_ASSERT(write_file(passwd, "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n",
			       0644) == 0, "write '%s'", passwd);
	av_run(&a, t, t->id);
	av_add(&a, "--user=nobody");
	av_add(&a, "--isolation=filesystem/shared");
	av_add(&a, "--volume=%s:/etc:ro", etc);
	av_sh(&a, "grep '^Groups:' /proc/self/status");
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d, stderr: %s", p.status, p.buf[1]);
	/* the kernel prints the groups sorted; getgrouplist's order may differ: compare sets */
	for (int i = 0; i < nhost; i++) {
		char g[32];

		snprintf(g, sizeof(g), "\t%u ", (unsigned)host[i]);
		REAL_ASSERT(strstr(p.buf[0], g) || strstr(p.buf[0], g + 1), "group %u missing: '%s'",
			    (unsigned)host[i], p.buf[0]);
	}
	REAL_ASSERT(!strstr(p.buf[0], "\t6 ") && !strstr(p.buf[0], " 6 ") && !strstr(p.buf[0], "\t0 ") &&
			    !strstr(p.buf[0], " 0 "),
		    "the forged /etc/group decided the groups: '%s' (host: '%s')", p.buf[0], want);
	return REAL_PASS;
}

/* The previous command planted a FIFO as the sandbox's `stdout` (a blocking open would hang
 * mcz launch forever) and a hard link to a root-only host file as `stderr` (root would
 * truncate and fill it): launch replaces both with files of its own. */
LIFECYCLE_TEST(security__planted_logs_are_replaced)
{
	_cleanup_free_ char *id = cid(t, "l");
	_cleanup_free_ char *sb = mcz_xasprintf("%s/sandboxes/%s", t->work, id);
	_cleanup_free_ char *out = mcz_xasprintf("%s/stdout", sb), *errf = mcz_xasprintf("%s/stderr", sb);
	_cleanup_free_ char *victim = mcz_xasprintf("%s/victim", t->root), *text = NULL, *vtext = NULL;
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	struct stat st;
	int r;

	REAL_ASSERT(mkdirf(0755, "%s", t->work) == 0 && mkdirf(0755, "%s/sandboxes", t->work) == 0 &&
			    mkdirf(0750, "%s", sb) == 0,
		    "mkdir '%s': %s", sb, strerror(errno));
	REAL_ASSERT(mkfifo(out, 0666) == 0, "mkfifo '%s': %s", out, strerror(errno));
	REAL_ASSERT(write_file(victim, "victim\n", 0600) == 0 && link(victim, errf) == 0,
		    "link '%s': %s", errf, strerror(errno));
	r = lc_launch(t, &p, id, (const char *const[]){ "--", "sh", "-c", "echo out; echo err >&2", NULL },
		      NULL);
	REAL_ASSERT(r == 0, "mcz launch: status %d (a hang is -1), stderr: %s", r, p.buf[1]);
	mczp_reset(&p);
	REAL_ASSERT(lc(t, &p, "destroy", id, NULL, NULL) == 0, "mcz destroy: %s", p.buf[1]);
	vtext = read_file(victim);
	REAL_ASSERT(vtext && strcmp(vtext, "victim\n") == 0, "the hard-linked host file now holds '%s'",
		    vtext ? vtext : "?");
	REAL_ASSERT(stat(victim, &st) == 0 && st.st_nlink == 1, "the host file still has %d links",
		    (int)st.st_nlink);
	REAL_ASSERT(lstat(out, &st) == 0 && S_ISREG(st.st_mode), "'%s' is not a regular file", out);
	text = read_file(out);
	REAL_ASSERT(text && strcmp(text, "out\n") == 0, "stdout holds '%s'", text ? text : "?");
	free(text);
	text = read_file(errf);
	REAL_ASSERT(text && strcmp(text, "err\n") == 0, "stderr holds '%s'", text ? text : "?");
	return REAL_PASS;
}

/* A refused second launch of a live id leaves the live container's logs alone. */
LIFECYCLE_TEST(security__second_launch_keeps_the_live_logs)
{
	_cleanup_free_ char *id = cid(t, "l");
	_cleanup_free_ char *out = mcz_xasprintf("%s/sandboxes/%s/stdout", t->work, id);
	_cleanup_free_ char *script = mcz_xasprintf("echo hello; exec sleep %s", t->marker);
	_cleanup_free_ char *text = NULL;
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	int r = lc_launch(t, &p, id, (const char *const[]){ "--", "sh", "-c", script, NULL }, NULL);

	REAL_ASSERT(r == 0, "mcz launch: status %d, stderr: %s", r, p.buf[1]);
	for (int i = 0; i < 200 && !(text && *text); i++) {
		free(text);
		nap_ms(10);
		text = read_file(out);
	}
	REAL_ASSERT(text && strcmp(text, "hello\n") == 0, "stdout: '%s'", text ? text : "?");
	mczp_reset(&p);
	r = lc_launch(t, &p, id, (const char *const[]){ "--", "true", NULL }, NULL);
	REAL_ASSERT(r == 125 && strstr(p.buf[1], "already exists"), "second launch: status %d, '%s'", r,
		    p.buf[1]);
	t->nlaunched--; /* recorded twice */
	free(text);
	text = read_file(out);
	REAL_ASSERT(text && strcmp(text, "hello\n") == 0, "the live container's stdout is now '%s'",
		    text ? text : "?");
	mczp_reset(&p);
	REAL_ASSERT(lc(t, &p, "destroy", id, NULL, NULL) == 0, "mcz destroy: %s", p.buf[1]);
	return REAL_PASS;
}

/* --termination_file in a directory others write: a FIFO planted as its temporary and a hard
 * link to a host file as the file itself neither hang mcz nor change the host file. */
RUN_TEST(security__termination_file_is_a_new_file, TEST_TIMEOUT)
{
	_cleanup_free_ char *tf = mcz_xasprintf("%s/term.json", t->root);
	_cleanup_free_ char *tmp = mcz_xasprintf("%s.tmp", tf);
	_cleanup_free_ char *victim = mcz_xasprintf("%s/victim", t->root), *text = NULL;
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	REAL_ASSERT(write_file(victim, "victim\n", 0600) == 0 && link(victim, tf) == 0, "link: %s",
		    strerror(errno));
	REAL_ASSERT(mkfifo(tmp, 0666) == 0, "mkfifo '%s': %s", tmp, strerror(errno));
	av_run(&a, t, t->id);
	av_add(&a, "--termination_file=%s", tf);
	av_add(&a, "--");
	av_add(&a, "true");
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d (a hang is -1), stderr: %s", p.status, p.buf[1]);
	text = read_file(victim);
	REAL_ASSERT(text && strcmp(text, "victim\n") == 0, "the host file now holds '%s'", text ? text : "?");
	free(text);
	text = read_file(tf);
	REAL_ASSERT(text && strstr(text, "\"exit_code\":0"), "the termination file: '%s'", text ? text : "?");
	REAL_ASSERT(!real_exists(tmp), "'%s' is left", tmp);
	return REAL_PASS;
}

/* The victim: a cgroup of the test's own next to mcz's root (<own>/<id>-victim), with a
 * process in a child cgroup, that a recover must never touch. */
static int make_victim(struct rt *t, char **ret_dir, pid_t *ret_pid)
{
	*ret_dir = t->cgroup[0] ? mcz_xasprintf("%s/%s-victim", t->cgroup, t->id) : NULL;
	*ret_pid = -1;
	if (!*ret_dir)
		return real_skip("no cgroup of the launcher's hierarchy to put a victim in");
	_cleanup_free_ char *kid = mcz_xasprintf("%s/kid", *ret_dir);

	if (mkdir(*ret_dir, 0755) < 0 || mkdir(kid, 0755) < 0)
		return -errno;
	*ret_pid = sleep_in_cgroup(t, kid);
	return *ret_pid > 0 ? 0 : -EIO;
}

static bool victim_alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* recover with --cgroups_root values that point outside mcz's root, at the test's victim:
 * refused before anything is done, the victim alive. */
LIFECYCLE_TEST(security__recover_refuses_hostile_cgroups_roots)
{
	_cleanup_free_ char *victim = NULL;
	pid_t pid;
	int r = make_victim(t, &victim, &pid);
	_cleanup_free_ char *f1 = mcz_xasprintf("%s-cg/../%s-victim", t->id, t->id);
	_cleanup_free_ char *f2 = mcz_xasprintf("./%s-victim", t->id);
	_cleanup_free_ char *f3 = mcz_xasprintf("%s-victim/", t->id);
	_cleanup_free_ char *f4 = mcz_xasprintf("%s-cg/..", t->id);
	const char *forms[] = { f1, f2, f3, f4, NULL };

	if (r == REAL_SKIP)
		return r;
	REAL_ASSERT(r == 0, "victim: %s", strerror(-r));
	REAL_ASSERT(mkdirf(0755, "%s", t->runtime) == 0, "mkdir '%s'", t->runtime);
	for (size_t i = 0; forms[i]; i++) {
		const char *root = forms[i];
		_cleanup_av_ struct av a = { .n = 0 };
		_cleanup_mczp_ struct mczp p = MCZP_INIT;

		av_cmd(&a, t, "recover");
		av_add(&a, "--cgroups_root=%s", root);
		r = lc_run(t, &a, &p, NULL);
		REAL_ASSERT(r == 125 && strstr(p.buf[1], "must be a normal path"),
			    "recover --cgroups_root=%s: status %d, stderr '%s'", root, r, p.buf[1]);
		REAL_ASSERT(victim_alive(pid), "recover --cgroups_root=%s killed the victim", root);
	}
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
	_cleanup_free_ char *kid = mcz_xasprintf("%s/kid", victim);
	REAL_ASSERT(rmdir_cgroup(kid) == 0 && rmdir_cgroup(victim) == 0, "rmdir '%s': %s", victim,
		    strerror(errno));
	return REAL_PASS;
}

/* A stray recover with an empty (or any other) runtime dir while a container runs with the
 * same cgroups root: refused (no marker), the container still RUNNING; the right runtime dir
 * is recovered as before. */
LIFECYCLE_TEST(security__recover_refuses_a_runtime_dir_without_marker)
{
	_cleanup_free_ char *id = cid(t, "live");
	_cleanup_free_ char *empty = mcz_xasprintf("%s/empty-run", t->root);
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;
	json_t *st = NULL, *report = NULL;
	int r = rc_launch(t, &p, id, "--isolation=namespaces/pid", NULL);

	REAL_ASSERT(r == 0, "launch: status %d, stderr %s", r, p.buf[1]);
	REAL_ASSERT(mkdirf(0755, "%s", empty) == 0, "mkdir '%s'", empty);
	av_add(&a, "%s", mcz_bin());
	av_add(&a, "recover");
	av_add(&a, "--runtime_dir=%s", empty);
	av_add(&a, "%s", rc_root_flag(t));
	r = lc_run(t, &a, &p, NULL);
	REAL_ASSERT(r == 125 && strstr(p.buf[1], "has no marker"), "stray recover: status %d, '%s'", r,
		    p.buf[1]);
	st = lc_status(t, id);
	REAL_ASSERT(st && strcmp(jstr(st, "state"), "RUNNING") == 0 && kill((pid_t)jint(st, "pid"), 0) == 0,
		    "the container is no longer running after a stray recover");
	json_decref(st);
	r = rc_recover(t, &p, &report, NULL);
	REAL_ASSERT(r == 0 && report, "recover of the right runtime dir: status %d, %s", r, p.buf[1]);
	json_decref(report);
	mczp_reset(&p);
	REAL_ASSERT(lc(t, &p, "destroy", id, NULL, NULL) == 0, "mcz destroy: %s", p.buf[1]);
	return REAL_PASS;
}

/* --env values are not in the long-lived processes' /proc/PID/cmdline (readable by every
 * user): neither the detached supervisor's nor a foreground `mcz run`'s. */
LIFECYCLE_TEST(security__env_secrets_are_not_in_cmdline)
{
	_cleanup_free_ char *id = cid(t, "l");
	_cleanup_free_ char *secret = mcz_xasprintf("--env=TOKEN=s3cr3t%d", (int)getpid());
	_cleanup_free_ char *sleep = mcz_xasprintf("exec sleep %s", t->marker);
	_cleanup_free_ char *cmd = NULL;
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT, run = MCZP_INIT;
	json_t *st;
	int r = lc_launch(t, &p, id, (const char *const[]){ secret, "--", "sh", "-c", sleep, NULL }, NULL);

	REAL_ASSERT(r == 0, "launch: status %d, stderr %s", r, p.buf[1]);
	st = lc_status(t, id);
	REAL_ASSERT(st && jint(st, "supervisor_pid") > 0, "status");
	cmd = proc_cmdline((pid_t)jint(st, "supervisor_pid"));
	json_decref(st);
	REAL_ASSERT(cmd && !strstr(cmd, "s3cr3t") && strstr(cmd, id), "the supervisor's command line: '%s'",
		    cmd ? cmd : "(gone)");
	free(cmd);
	av_run(&a, t, t->id);
	av_add(&a, "%s", secret);
	av_sh(&a, "echo ready; exec sleep %s", t->marker);
	REAL_ASSERT(start_ready(t, &a, &run), "mcz run not ready: %s", run.buf[1]);
	cmd = proc_cmdline(run.pid);
	REAL_ASSERT(cmd && !strstr(cmd, "s3cr3t"), "mcz run's command line: '%s'", cmd ? cmd : "(gone)");
	(void)kill(run.pid, SIGINT);
	(void)kill(run.pid, SIGINT); /* a second SIGINT destroys at once */
	mczp_finish(&run, t, RUN_WAIT);
	mczp_reset(&p);
	REAL_ASSERT(lc(t, &p, "destroy", id, NULL, NULL) == 0, "mcz destroy: %s", p.buf[1]);
	return REAL_PASS;
}

/* ---- 16: attacks on the mount path (SPEC §5 Safety, §11 "Paths chosen by others") ----
 *
 * The tenant is uid 65534 (nobody), the owner of <root>/tenant and what is below: a user of
 * the host who may change a directory on a container path, or the bind source below a
 * sandbox the container owns. The victims are root's: <root>/victim (a directory with a
 * marker) and <root>/hostfile. Each attack must fail clearly or be harmless; none may mount
 * anything on a victim, make an RO volume writable, bind a source other than the one checked,
 * or change a host file. */

#define TENANT_UID 65534

/* Run fn(arg) as the tenant in a child; returns its exit status (0: fn returned 0). */
static int as_tenant(int (*fn)(const char *const *), const char *const *arg)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(TENANT_UID) < 0 || setuid(TENANT_UID) < 0)
			_exit(120);
		_exit(fn(arg) == 0 ? 0 : 121);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* arg[0] becomes a symlink to arg[1] (the directory moved to arg[2]). */
static int swap_for_symlink(const char *const *arg)
{
	return rename(arg[0], arg[2]) == 0 && symlink(arg[1], arg[0]) == 0 ? 0 : -1;
}

/* The tenant's racer: exchanges arg[0] and arg[1] (a directory and a symlink) as fast as it
 * can, atomically (renameat2 RENAME_EXCHANGE), until killed. */
static int exchange_forever(const char *const *arg)
{
	for (;;)
		if (syscall(SYS_renameat2, AT_FDCWD, arg[0], AT_FDCWD, arg[1], 2 /* RENAME_EXCHANGE */) < 0)
			return -1;
}

static pid_t start_racer(const char *a, const char *b)
{
	const char *const arg[] = { a, b };
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(TENANT_UID) < 0 || setuid(TENANT_UID) < 0)
			_exit(120);
		_exit(exchange_forever(arg) == 0 ? 0 : 121);
	}
	return pid;
}

/* Stop the racer; true if it was still racing (it ends only when killed). */
static bool stop_racer(pid_t pid)
{
	int st;
	bool alive = waitpid(pid, &st, WNOHANG) == 0;

	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
	return alive;
}

/* <root>/tenant (the tenant's, 0755) and <root>/victim (root's, with a marker file). */
static int tenant_and_victim(struct rt *t, char **ret_tenant, char **ret_victim)
{
	*ret_tenant = mcz_xasprintf("%s/tenant", t->root);
	*ret_victim = mcz_xasprintf("%s/victim", t->root);
	if (mkdirf(0755, "%s", *ret_tenant) < 0 || chown(*ret_tenant, TENANT_UID, TENANT_UID) < 0 ||
	    mkdirf(0755, "%s", *ret_victim) < 0)
		return -errno;
	{
		_cleanup_free_ char *marker = mcz_xasprintf("%s/marker", *ret_victim);

		return write_file(marker, "victim\n", 0644);
	}
}

/* The victim as it was made: only its marker, root's 0755, and nothing mounted on it. */
static bool victim_untouched(const char *victim)
{
	_cleanup_free_ char *marker = mcz_xasprintf("%s/marker", victim);
	_cleanup_free_ char *text = read_file(marker);
	_cleanup_free_ char *mi = read_file("/proc/self/mountinfo");
	_cleanup_free_ char *as_mp = mcz_xasprintf(" %s ", victim);
	DIR *d = opendir(victim);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	if (d)
		closedir(d);
	return d && n == 1 && text && strcmp(text, "victim\n") == 0 && stat_is(victim, 0755, 0, 0) &&
	       mi && !strstr(mi, as_mp);
}

/* (a) A directory on the container path that the tenant owns is replaced by a symlink to
 * the victim between two runs: the second run is refused, naming the path, and the victim
 * is mounted over neither inside (the command never runs) nor outside. */
RUN_TEST(attack__target_symlink_between_runs, TEST_TIMEOUT)
{
	_cleanup_free_ char *tenant = NULL, *victim = NULL;
	_cleanup_free_ char *dir = NULL, *old = NULL;
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT, q = MCZP_INIT;
	const char *arg[3];

	REAL_ASSERT(tenant_and_victim(t, &tenant, &victim) == 0, "set-up: %s", strerror(errno));
	dir = mcz_xasprintf("%s/dir", tenant);
	old = mcz_xasprintf("%s/dir.old", tenant);
	REAL_ASSERT(mkdirf(0755, "%s", dir) == 0 && chown(dir, TENANT_UID, TENANT_UID) == 0,
		    "mkdir '%s': %s", dir, strerror(errno));
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=filesystem/shared");
	av_add(&a, "--volume=vol:%s", dir);
	av_sh(&a, "touch %s/from-the-volume; ls %s", dir, victim);
	REAL_ASSERT(run_mcz(t, &a, &p) == 0 && strcmp(p.buf[0], "marker\n") == 0,
		    "first run: status %d, stdout '%s', stderr '%s'", p.status, p.buf[0], p.buf[1]);
	arg[0] = dir;
	arg[1] = victim;
	arg[2] = old;
	REAL_ASSERT(as_tenant(swap_for_symlink, arg) == 0, "the tenant could not swap '%s'", dir);
	REAL_ASSERT(run_mcz(t, &a, &q) == 125, "second run: status %d, stdout '%s', stderr '%s'",
		    q.status, q.buf[0], q.buf[1]);
	REAL_ASSERT(!q.buf[0][0], "the command ran: stdout '%s'", q.buf[0]);
	REAL_ASSERT(strstr(q.buf[1], dir) && strstr(q.buf[1], "symlink"),
		    "the error does not name the path and the symlink: '%s'", q.buf[1]);
	REAL_ASSERT(victim_untouched(victim), "the victim '%s' changed or is mounted on", victim);
	return REAL_PASS;
}

/* The mountinfo a container printed: no mount on the victim, and every mount of the volume's
 * source (its root field ends in "/vol") is read-only. Returns false with why. */
static bool container_mounts_ok(const char *mi, const char *victim, char *why, size_t size)
{
	_cleanup_free_ char *copy = mcz_xstrdup(mi);
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char root[PATH_MAX], mp[PATH_MAX], opts[256];

		if (sscanf(line, "%*s %*s %*s %4095s %4095s %255s", root, mp, opts) != 3)
			continue;
		if (strcmp(mp, victim) == 0) {
			snprintf(why, size, "mounted on the victim: %s", line);
			return false;
		}
		if (strlen(root) > 4 && strcmp(root + strlen(root) - 4, "/vol") == 0 &&
		    strncmp(opts, "ro", 2) != 0) {
			snprintf(why, size, "the RO volume is writable: %s", line);
			return false;
		}
	}
	return true;
}

/* (b) The tenant swaps the container path between its directory and a symlink to the victim
 * (RENAME_EXCHANGE in a loop) while `mcz run` mounts an RO volume there, again and again.
 * Every run either fails clearly or mounts the volume read-only on the real directory: the
 * container's mountinfo never shows the victim as a mount point nor the volume writable, the
 * command (as nobody, who owns the volume's leaf) never writes into the volume, and the
 * victim is never mounted on. */
RUN_TEST(attack__target_swap_race, TEST_TIMEOUT)
{
	_cleanup_free_ char *tenant = NULL, *victim = NULL, *dir = NULL, *link = NULL;
	_cleanup_free_ char *leaf = mcz_xasprintf("%s/sandboxes/%s/vol", t->work, t->id);
	_cleanup_free_ char *wrote = mcz_xasprintf("%s/w", leaf);
	int rounds = 0, ok = 0, refused = 0;
	double end = dmin(now() + 20, t->deadline - 10);
	char why[PATH_MAX * 2 + 64];
	pid_t racer;

	REAL_ASSERT(tenant_and_victim(t, &tenant, &victim) == 0, "set-up: %s", strerror(errno));
	dir = mcz_xasprintf("%s/dir", tenant);
	link = mcz_xasprintf("%s/link", tenant);
	REAL_ASSERT(mkdirf(0755, "%s", dir) == 0 && chown(dir, TENANT_UID, TENANT_UID) == 0 &&
			    symlink(victim, link) == 0 && lchown(link, TENANT_UID, TENANT_UID) == 0,
		    "set-up: %s", strerror(errno));
	racer = start_racer(dir, link);
	REAL_ASSERT(racer > 0, "fork: %s", strerror(errno));
	for (; rounds < 200 && now() < end; rounds++) {
		_cleanup_av_ struct av a = { .n = 0 };
		_cleanup_mczp_ struct mczp p = MCZP_INIT;

		av_run(&a, t, t->id);
		av_add(&a, "--isolation=filesystem/shared");
		av_add(&a, "--user=nobody");
		av_add(&a, "--volume=vol:%s:ro", dir);
		av_sh(&a, "cat /proc/self/mountinfo; if { echo x > %s/w; } 2>/dev/null; then echo WROTE; fi",
		      dir);
		if (run_mcz(t, &a, &p) == 125) {
			refused++;
			if (!strstr(p.buf[1], dir)) {
				stop_racer(racer);
				REAL_ASSERT(false, "round %d: refused without naming '%s': '%s'", rounds,
					    dir, p.buf[1]);
			}
		} else if (p.status == 0) {
			ok++;
			if (!container_mounts_ok(p.buf[0], victim, why, sizeof(why)) ||
			    strstr(p.buf[0], "WROTE")) {
				stop_racer(racer);
				REAL_ASSERT(false, "round %d: %s", rounds,
					    strstr(p.buf[0], "WROTE") ? "the command wrote" : why);
			}
		} else {
			stop_racer(racer);
			REAL_ASSERT(false, "round %d: status %d, stderr '%s'", rounds, p.status, p.buf[1]);
		}
		if (!victim_untouched(victim) || real_exists(wrote)) {
			stop_racer(racer);
			REAL_ASSERT(false, "round %d: the victim changed or the RO volume was written",
				    rounds);
		}
	}
	REAL_ASSERT(stop_racer(racer), "the racer stopped on its own (its swaps failed)");
	printf("%s: %d rounds against a racing tenant: %d mounted read-only on the real directory, "
	       "%d refused\n", real_test_name(), rounds, ok, refused);
	REAL_ASSERT(rounds >= 20, "only %d rounds", rounds);
	return REAL_PASS;
}

/* (c) The tenant (nobody, who owns the sandbox, as the container's command does) swaps the
 * parent of a sandbox-relative bind source for a symlink to a root-only directory that has a
 * "vol" too, in a loop, while mcz runs: the container never sees that directory's secret. */
RUN_TEST(attack__source_swap_race, TEST_TIMEOUT)
{
	_cleanup_free_ char *sb = mcz_xasprintf("%s/sandboxes/%s", t->work, t->id);
	_cleanup_free_ char *a_dir = mcz_xasprintf("%s/a", sb);
	_cleanup_free_ char *link = mcz_xasprintf("%s/link", sb);
	_cleanup_free_ char *secret = mcz_xasprintf("%s/secret", t->root);
	_cleanup_free_ char *secret_file = mcz_xasprintf("%s/secret/vol/SECRET", t->root);
	_cleanup_free_ char *cp = mcz_xasprintf("%s/cp", t->root);
	int rounds = 0, ok = 0, refused = 0;
	double end = dmin(now() + 20, t->deadline - 10);
	pid_t racer;

	REAL_ASSERT(mkdirf(0755, "%s", t->work) == 0 && mkdirf(0755, "%s/sandboxes", t->work) == 0 &&
			    mkdirf(0750, "%s", sb) == 0 && chown(sb, TENANT_UID, TENANT_UID) == 0 &&
			    mkdirf(0755, "%s", a_dir) == 0 && chown(a_dir, TENANT_UID, TENANT_UID) == 0 &&
			    mkdirf(0700, "%s", secret) == 0 && mkdirf(0755, "%s/vol", secret) == 0 &&
			    write_file(secret_file, "secret\n", 0600) == 0 && mkdirf(0755, "%s", cp) == 0 &&
			    symlink(secret, link) == 0 && lchown(link, TENANT_UID, TENANT_UID) == 0,
		    "set-up: %s", strerror(errno));
	racer = start_racer(a_dir, link);
	REAL_ASSERT(racer > 0, "fork: %s", strerror(errno));
	for (; rounds < 200 && now() < end; rounds++) {
		_cleanup_av_ struct av a = { .n = 0 };
		_cleanup_mczp_ struct mczp p = MCZP_INIT;

		av_run(&a, t, t->id);
		av_add(&a, "--isolation=filesystem/shared");
		av_add(&a, "--user=nobody");
		av_add(&a, "--volume=a/vol:%s", cp);
		av_sh(&a, "ls -A %s", cp);
		if (run_mcz(t, &a, &p) == 125) {
			refused++;
		} else if (p.status == 0) {
			ok++;
		} else {
			stop_racer(racer);
			REAL_ASSERT(false, "round %d: status %d, stderr '%s'", rounds, p.status, p.buf[1]);
		}
		if (strstr(p.buf[0], "SECRET")) {
			stop_racer(racer);
			REAL_ASSERT(false, "round %d: the container sees the secret: '%s'", rounds, p.buf[0]);
		}
	}
	REAL_ASSERT(stop_racer(racer), "the racer stopped on its own (its swaps failed)");
	printf("%s: %d rounds against a racing tenant: %d mounted the checked source, %d refused\n",
	       real_test_name(), rounds, ok, refused);
	REAL_ASSERT(rounds >= 20, "only %d rounds", rounds);
	REAL_ASSERT(stat_is(secret, 0700, 0, 0) && stat_is(secret_file, 0600, 0, 0),
		    "the secret directory changed");
	return REAL_PASS;
}

/* (d) A hard link in the sandbox to a root-owned host file, left where a file volume's leaf
 * goes: refused before anything is changed; the host file keeps its owner and mode. */
RUN_TEST(attack__hardlink_leaf, TEST_TIMEOUT)
{
	_cleanup_free_ char *sb = mcz_xasprintf("%s/sandboxes/%s", t->work, t->id);
	_cleanup_free_ char *leaf = mcz_xasprintf("%s/leaf", sb);
	_cleanup_free_ char *host = mcz_xasprintf("%s/hostfile", t->root);
	_cleanup_free_ char *cp = mcz_xasprintf("%s/cpfile", t->root);
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	REAL_ASSERT(mkdirf(0755, "%s", t->work) == 0 && mkdirf(0755, "%s/sandboxes", t->work) == 0 &&
			    mkdirf(0750, "%s", sb) == 0 &&
			    write_file(host, "host secret\n", 0600) == 0 &&
			    write_file(cp, "", 0666) == 0 && chmod(cp, 06777) == 0 &&
			    chown(cp, TENANT_UID, TENANT_UID) == 0 && link(host, leaf) == 0,
		    "set-up: %s", strerror(errno));
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=filesystem/shared");
	av_add(&a, "--volume=leaf:%s", cp);
	av_sh(&a, "cat %s", cp);
	REAL_ASSERT(run_mcz(t, &a, &p) == 125, "status %d, stdout '%s', stderr '%s'", p.status,
		    p.buf[0], p.buf[1]);
	REAL_ASSERT(strstr(p.buf[1], leaf) && strstr(p.buf[1], "link"),
		    "the error does not name the leaf and its links: '%s'", p.buf[1]);
	REAL_ASSERT(stat_is(host, 0600, 0, 0), "the host file's owner or mode changed");
	return REAL_PASS;
}

/* (e) A container path file that is setuid root (4755): the file volume's leaf in the
 * sandbox, whose content the container controls, gets 0755; inside the volume shows 755. */
RUN_TEST(attack__setuid_leaf, TEST_TIMEOUT)
{
	_cleanup_free_ char *cp = mcz_xasprintf("%s/suid", t->root);
	_cleanup_free_ char *leaf = mcz_xasprintf("%s/sandboxes/%s/suid", t->work, t->id);
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	REAL_ASSERT(write_file(cp, "", 0755) == 0 && chmod(cp, 04755) == 0, "set-up: %s",
		    strerror(errno));
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=filesystem/shared");
	av_add(&a, "--volume=suid:%s", cp);
	av_sh(&a, "stat -c %%a %s", cp);
	REAL_ASSERT(run_mcz(t, &a, &p) == 0, "status %d, stderr '%s'", p.status, p.buf[1]);
	REAL_ASSERT(strcmp(p.buf[0], "755\n") == 0, "inside, the volume's mode is '%s'", p.buf[0]);
	REAL_ASSERT(stat_is(leaf, 0755, 0, 0), "the leaf '%s' is not 0755 root:root", leaf);
	REAL_ASSERT(stat_is(cp, 04755, 0, 0), "the host's container path changed");
	return REAL_PASS;
}

/* (11) An absolute host path that is a symlink (whoever owns its directory could point it
 * anywhere between the check and the bind): refused clearly, naming the path. */
RUN_TEST(attack__host_path_symlink, TEST_TIMEOUT)
{
	_cleanup_free_ char *src = mcz_xasprintf("%s/src", t->root);
	_cleanup_free_ char *link = mcz_xasprintf("%s/link", t->root);
	_cleanup_free_ char *cp = mcz_xasprintf("%s/cp", t->root);
	_cleanup_av_ struct av a = { .n = 0 };
	_cleanup_mczp_ struct mczp p = MCZP_INIT;

	REAL_ASSERT(mkdirf(0755, "%s", src) == 0 && mkdirf(0755, "%s", cp) == 0 &&
			    symlink(src, link) == 0,
		    "set-up: %s", strerror(errno));
	av_run(&a, t, t->id);
	av_add(&a, "--isolation=filesystem/shared");
	av_add(&a, "--volume=%s:%s", link, cp);
	av_sh(&a, "true");
	REAL_ASSERT(run_mcz(t, &a, &p) == 125, "status %d, stderr '%s'", p.status, p.buf[1]);
	REAL_ASSERT(strstr(p.buf[1], link) && strstr(p.buf[1], "is a symlink"),
		    "the error does not say that '%s' is a symlink: '%s'", link, p.buf[1]);
	return REAL_PASS;
}
