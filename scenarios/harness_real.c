/*
 * build/realtests — runs the real-kernel tests (REAL_TEST, scenarios/real_tests.h).
 *
 *   build/realtests               every test, sorted by name
 *   build/realtests --list        the test names
 *   build/realtests --run GLOB    only tests matching GLOB (repeatable)
 *
 * One line per test ("PASS: name", "FAIL: name", "SKIP: name: reason"), then
 * "N passed, N failed, N skipped"; exit 1 if any failed, 2 on a usage error.
 *
 * Each test runs in a forked child that leads its own process group, so a timeout can
 * SIGKILL everything the test started. The runner is a child subreaper: a test's orphaned
 * grandchildren come back to it instead of to init, so none outlives the run unnoticed.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <getopt.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenarios/real_tests.h"

#define TMP_PREFIX "/var/tmp/mcz-rt-"
#define REASON_SIZE 4096

/* Weak: a build with no test at all still links (the section then does not exist). */
extern const struct real_test *const __start_mcz_real_tests[] __attribute__((weak));
extern const struct real_test *const __stop_mcz_real_tests[] __attribute__((weak));

static const struct real_test *current;
/* In temp dir names, so two runs at once never sweep each other's directories. */
static pid_t runner_pid;
/* Shared with the test process (MAP_SHARED), so a skip reason survives its exit. */
static char *skip_reason;

/* ---- helpers for tests ---- */

void real_assert_failed(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: %s: assertion `%s' failed: ", file, line, real_test_name(), cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int real_skip(const char *fmt, ...)
{
	va_list ap;

	if (skip_reason) {
		va_start(ap, fmt);
		vsnprintf(skip_reason, REASON_SIZE, fmt, ap);
		va_end(ap);
	}
	return REAL_SKIP;
}

int real_require_root(void)
{
	if (geteuid() != 0)
		return real_skip("needs root (euid %u)", (unsigned)geteuid());
	return 0;
}

const char *real_test_name(void)
{
	return current ? current->name : "?";
}

int real_tmpdir(char *buf, size_t size)
{
	int n = snprintf(buf, size, TMP_PREFIX "%d-%s-XXXXXX", (int)runner_pid, real_test_name());

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return mkdtemp(buf) ? 0 : -errno;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DNR)
		return EACCES;
	return remove(path) < 0 ? errno : 0;
}

int real_rm_rf(const char *path)
{
	/* FTW_MOUNT: a bind mount left by a failed test must make the removal fail (EBUSY on
	 * the mount point), not delete the files of whatever is mounted there. */
	int r = nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);

	if (r < 0)
		return -errno;
	return -r;
}

int real_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* ---- the runner ---- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void child_main(const struct real_test *t)
{
	int fds, rc;

	(void)setpgid(0, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	fds = count_fds();
	rc = t->fn();
	if (rc == REAL_PASS && count_fds() != fds) {
		fprintf(stderr, "%s: left %d fd(s) open\n", t->name, count_fds() - fds);
		rc = 1;
	}
	if (rc != REAL_PASS && rc != REAL_SKIP && rc != 1)
		fprintf(stderr, "%s: returned %d\n", t->name, rc);
	/* exit, not _exit: flush stdio and let gcov write its counters from this process. */
	exit(rc == REAL_PASS || rc == REAL_SKIP ? rc : 1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for pid until the timeout; returns its wait status, or -1 after killing its group. */
static int wait_with_timeout(pid_t pid, unsigned timeout)
{
	double deadline = now() + timeout;
	long nap = 1000000; /* 1 ms, doubling up to 50 ms: quick tests stay quick */
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now() >= deadline)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = nap }, NULL);
		if (nap < 50000000)
			nap *= 2;
	}
	(void)kill(-pid, SIGKILL);
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
	return -1;
}

/* After the leader exits: anything still in its group is a leak. Kill and reap it. */
static int reap_group(pid_t pgid)
{
	int leaked = 0;

	while (waitpid(-pgid, NULL, WNOHANG) > 0)
		;
	if (kill(-pgid, 0) == 0) {
		leaked = 1;
		(void)kill(-pgid, SIGKILL);
		while (waitpid(-pgid, NULL, 0) > 0 || errno == EINTR)
			;
	}
	return leaked;
}

/* Remove /var/tmp/mcz-rt-<runner pid>-<name>-*; returns how many there were. */
static int sweep_tmp(const char *name, const char *why)
{
	char pattern[512];
	glob_t g;
	int n;

	snprintf(pattern, sizeof(pattern), TMP_PREFIX "%d-%s-*", (int)runner_pid, name);
	if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		int r = real_rm_rf(g.gl_pathv[i]);

		fprintf(stderr, "%s: %s '%s'%s%s\n", name, why, g.gl_pathv[i], r < 0 ? ": " : "",
			r < 0 ? strerror(-r) : "");
	}
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

static void report_status(const struct real_test *t, int status, unsigned timeout)
{
	if (status == -1)
		fprintf(stderr, "%s: timed out after %u s, process group killed\n", t->name, timeout);
	else if (WIFSIGNALED(status))
		fprintf(stderr, "%s: killed by signal %d (%s)\n", t->name, WTERMSIG(status),
			strsignal(WTERMSIG(status)));
}

/* Runs one test; returns REAL_PASS, REAL_SKIP or 1. */
static int run_one(const struct real_test *t)
{
	unsigned timeout = t->timeout ? t->timeout : REAL_DEFAULT_TIMEOUT;
	int status, rc;
	pid_t pid;

	skip_reason[0] = '\0';
	current = t;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", t->name, strerror(errno));
		return 1;
	}
	if (pid == 0)
		child_main(t);
	/* Also here, so kill(-pid) works even before the child has run setpgid itself. */
	(void)setpgid(pid, pid);
	status = wait_with_timeout(pid, timeout);
	report_status(t, status, timeout);
	rc = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	if (reap_group(pid)) {
		fprintf(stderr, "%s: left processes running, killed\n", t->name);
		rc = rc == REAL_SKIP ? rc : 1;
	}
	if (sweep_tmp(t->name, "left behind") > 0 && rc != REAL_SKIP)
		rc = 1;
	current = NULL;
	return rc;
}

static int test_cmp(const void *a, const void *b)
{
	const struct real_test *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static size_t sorted_tests(const struct real_test ***ret)
{
	size_t n = __start_mcz_real_tests ? (size_t)(__stop_mcz_real_tests - __start_mcz_real_tests) : 0;
	const struct real_test **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		v[i] = __start_mcz_real_tests[i];
	qsort(v, n, sizeof(*v), test_cmp);
	*ret = v;
	return n;
}

static int selected(const char *name, char **globs, int nglobs)
{
	if (nglobs == 0)
		return 1;
	for (int i = 0; i < nglobs; i++)
		if (fnmatch(globs[i], name, 0) == 0)
			return 1;
	return 0;
}

static int run_all(char **globs, int nglobs)
{
	const struct real_test **tests;
	size_t n = sorted_tests(&tests);
	int passed = 0, failed = 0, skipped = 0;

	for (size_t i = 0; i < n; i++) {
		if (!selected(tests[i]->name, globs, nglobs))
			continue;
		switch (run_one(tests[i])) {
		case REAL_PASS:
			printf("PASS: %s\n", tests[i]->name);
			passed++;
			break;
		case REAL_SKIP:
			printf("SKIP: %s: %s\n", tests[i]->name, skip_reason[0] ? skip_reason : "no reason given");
			skipped++;
			break;
		default:
			printf("FAIL: %s\n", tests[i]->name);
			failed++;
			break;
		}
		fflush(stdout);
	}
	free(tests);
	if (passed + failed + skipped == 0) {
		fprintf(stderr, "realtests: no test matches\n");
		return 2;
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}

static void list_tests(void)
{
	const struct real_test **tests;
	size_t n = sorted_tests(&tests);

	for (size_t i = 0; i < n; i++)
		printf("%s\n", tests[i]->name);
	free(tests);
}

static void usage(FILE *out)
{
	fputs("usage: realtests [--list] [--run GLOB]...\n", out);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "run", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char **globs = calloc((size_t)argc, sizeof(*globs));
	int nglobs = 0, c, r;

	if (!globs)
		abort();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list_tests();
			free(globs);
			return 0;
		case 'r':
			globs[nglobs++] = optarg;
			break;
		case 'h':
			usage(stdout);
			free(globs);
			return 0;
		default:
			usage(stderr);
			free(globs);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		free(globs);
		return 2;
	}
	skip_reason = mmap(NULL, REASON_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (skip_reason == MAP_FAILED) {
		perror("realtests: mmap");
		return 2;
	}
	runner_pid = getpid();
	/* Orphans of a test are re-parented to us, so reap_group() can find and reap them. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	r = run_all(globs, nglobs);
	free(globs);
	munmap(skip_reason, REASON_SIZE);
	return r;
}
