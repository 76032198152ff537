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
#include <fcntl.h>
#include <limits.h>
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

/* ---- cgroups ---- */

#define CG_BASE "/sys/fs/cgroup"
#define CG_MAX_MOUNTS 32
#define CG_DEPTH 4

struct cg_mount {
	char path[PATH_MAX]; /* mount point */
	char opts[512];      /* super options as ",rw,cpu,cpuacct," */
	char own[PATH_MAX];  /* this process's cgroup in it: "/" or "/a/b"; "" if unknown */
	bool v2;
};

static struct cg_mount cg_mounts[CG_MAX_MOUNTS];
static size_t cg_nmounts;
static bool cg_loaded;

/* The whole (small) file, malloc'd and NUL-terminated; NULL on error. */
static char *read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* Whether the comma list `list` (",a,b,") has the token `tok`. */
static bool has_token(const char *list, const char *tok)
{
	char needle[300];

	if (snprintf(needle, sizeof(needle), ",%s,", tok) >= (int)sizeof(needle))
		return false;
	return strstr(list, needle) != NULL;
}

/* This process's cgroup in mount m, from the /proc/self/cgroup text. */
static void cg_own(struct cg_mount *m, const char *self)
{
	for (const char *l = self; l && *l;) {
		const char *e = strchrnul(l, '\n');
		const char *c1 = memchr(l, ':', (size_t)(e - l));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(e - c1 - 1)) : NULL;

		if (c2) {
			char ctrls[256];
			size_t cl = (size_t)(c2 - c1 - 1);
			bool match;

			snprintf(ctrls, sizeof(ctrls), "%.*s", (int)cl, c1 + 1);
			if (m->v2) {
				match = cl == 0 && strncmp(l, "0:", 2) == 0;
			} else {
				/* v1: the line's first controller (or name=) is one of the mount's */
				ctrls[strcspn(ctrls, ",")] = '\0';
				match = cl > 0 && has_token(m->opts, ctrls);
			}
			if (match) {
				snprintf(m->own, sizeof(m->own), "%.*s", (int)(e - c2 - 1), c2 + 1);
				return;
			}
		}
		l = *e ? e + 1 : e;
	}
}

static void cg_load(void)
{
	char *mi, *self;

	if (cg_loaded)
		return;
	cg_loaded = true;
	mi = read_text("/proc/self/mountinfo");
	self = read_text("/proc/self/cgroup");
	for (char *l = mi; l && *l && cg_nmounts < CG_MAX_MOUNTS;) {
		char *e = strchrnul(l, '\n');
		char *dash = strstr(l, " - ");
		char mp[PATH_MAX], type[64], opts[480];
		bool last = *e == '\0';

		*e = '\0';
		/* no escapes in the paths of cgroup mounts below /sys/fs/cgroup */
		if (dash && sscanf(l, "%*s %*s %*s %*s %4095s", mp) == 1 &&
		    sscanf(dash + 3, "%63s %*s %479s", type, opts) == 2 &&
		    (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0) &&
		    strncmp(mp, CG_BASE, strlen(CG_BASE)) == 0 &&
		    (mp[strlen(CG_BASE)] == '\0' || mp[strlen(CG_BASE)] == '/')) {
			struct cg_mount *m = &cg_mounts[cg_nmounts++];

			snprintf(m->path, sizeof(m->path), "%s", mp);
			snprintf(m->opts, sizeof(m->opts), ",%s,", opts);
			m->v2 = strcmp(type, "cgroup2") == 0;
			cg_own(m, self);
		}
		l = last ? e : e + 1;
	}
	free(mi);
	free(self);
}

static const struct cg_mount *cg_v1(const char *controller)
{
	cg_load();
	for (size_t i = 0; i < cg_nmounts; i++)
		if (!cg_mounts[i].v2 && has_token(cg_mounts[i].opts, controller))
			return &cg_mounts[i];
	return NULL;
}

static const struct cg_mount *cg_v2(void)
{
	cg_load();
	for (size_t i = 0; i < cg_nmounts; i++)
		if (cg_mounts[i].v2)
			return &cg_mounts[i];
	return NULL;
}

/* "<mount><own>" ("<mount>" when own is "/"); false when own is unknown. */
static bool cg_own_dir(const struct cg_mount *m, char *buf, size_t size)
{
	int n;

	if (!m || !m->own[0])
		return false;
	n = snprintf(buf, size, "%s%s", m->path, strcmp(m->own, "/") == 0 ? "" : m->own);
	return n > 0 && (size_t)n < size;
}

enum real_cg_layout real_cg_layout(void)
{
	if (cg_v1("memory") || cg_v1("freezer"))
		return REAL_CG_V1;
	return cg_v2() ? REAL_CG_V2 : REAL_CG_NONE;
}

const char *real_cg_layout_name(enum real_cg_layout layout)
{
	switch (layout) {
	case REAL_CG_V1:
		return "cgroup v1";
	case REAL_CG_V2:
		return "cgroup v2";
	case REAL_CG_NONE:
		break;
	}
	return "no cgroups";
}

enum real_cg_layout real_cg_print_layout(const char *extra)
{
	enum real_cg_layout l = real_cg_layout();

	printf("%s: layout: %s%s%s\n", real_test_name(), real_cg_layout_name(l), extra ? ", " : "",
	       extra ? extra : "");
	fflush(stdout);
	return l;
}

bool real_cg_v1_dir(const char *controller, char *buf, size_t size)
{
	return cg_own_dir(cg_v1(controller), buf, size);
}

bool real_cg2_dir(char *buf, size_t size)
{
	return cg_own_dir(cg_v2(), buf, size);
}

const char *real_cg2_mount(void)
{
	const struct cg_mount *m = cg_v2();

	return m ? m->path : "";
}

/* The delegated parent of the v2 root, relative to the cgroup2 mount ("" for its root). */
static bool cg_v2_parent(char *buf, size_t size)
{
	const struct cg_mount *m = cg_v2();
	const char *env = getenv("MCZ_UML_CGROUP_PARENT");
	size_t ml;

	if (!m || real_cg_layout() != REAL_CG_V2)
		return false;
	ml = strlen(m->path);
	if (env && strncmp(env, m->path, ml) == 0 && (env[ml] == '\0' || env[ml] == '/')) {
		snprintf(buf, size, "%s", env + ml);
	} else {
		if (!m->own[0])
			return false;
		snprintf(buf, size, "%s", m->own);
		*strrchr(buf, '/') = '\0'; /* "/" and "/a" give "" */
	}
	while (*buf && buf[strlen(buf) - 1] == '/')
		buf[strlen(buf) - 1] = '\0';
	return true;
}

const char *real_cg_v2_root(void)
{
	static char root[PATH_MAX];
	char parent[PATH_MAX - 64];

	if (!cg_v2_parent(parent, sizeof(parent)))
		return NULL;
	snprintf(root, sizeof(root), "%s/mcz-rt-%d", parent, (int)getpid());
	return root;
}

bool real_cg_v2_can(const char *controller)
{
	char parent[PATH_MAX - 64], path[PATH_MAX], list[512];
	char *text;
	bool ok;

	if (!cg_v2_parent(parent, sizeof(parent)))
		return false;
	snprintf(path, sizeof(path), "%s%s/cgroup.subtree_control", real_cg2_mount(), parent);
	text = read_text(path);
	if (!text)
		return false;
	text[strcspn(text, "\n")] = '\0';
	snprintf(list, sizeof(list), ",%s,", text);
	for (char *p = list; *p; p++)
		*p = *p == ' ' ? ',' : *p;
	ok = has_token(list, controller);
	free(text);
	return ok;
}

/* Thaw what is in the cgroup (v1 freezer, v2 cgroup.freeze), kill it (cgroup.kill on v2). */
static void cg_kill_tasks(const char *path)
{
	char file[PATH_MAX + 32];
	char *procs;

	snprintf(file, sizeof(file), "%s/freezer.state", path);
	(void)write_text(file, "THAWED");
	snprintf(file, sizeof(file), "%s/cgroup.freeze", path);
	(void)write_text(file, "0");
	snprintf(file, sizeof(file), "%s/cgroup.kill", path);
	(void)write_text(file, "1");
	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	procs = read_text(file);
	for (char *p = procs, *end; p && *p; p = end + strspn(end, "\n")) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 0)
			(void)kill((pid_t)pid, SIGKILL);
	}
	free(procs);
}

static int cg_walk(const char *dir, const char *id, int depth, bool remove);

/* Kill what is in the cgroup and below, and remove it (children first, EBUSY retried 5 s). */
static void cg_remove(const char *path)
{
	int r = 0;

	cg_walk(path, "", 1, true);
	cg_kill_tasks(path);
	for (int i = 0; i < 50; i++) {
		r = rmdir(path) < 0 ? errno : 0;
		if (r == 0 || r == ENOENT)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
	}
	fprintf(stderr, "%s: cannot remove cgroup '%s': %s\n", real_test_name(), path, strerror(r));
}

/* "" matches every name; else the name is id itself or "<id>-...". */
static bool name_matches(const char *name, const char *id)
{
	size_t n = strlen(id);

	return strncmp(name, id, n) == 0 && (n == 0 || name[n] == '\0' || name[n] == '-');
}

/* Cgroups named id or id-* up to `depth` levels below dir: reported, or removed. How many. */
static int cg_walk(const char *dir, const char *id, int depth, bool remove)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char sub[PATH_MAX];

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub))
			continue;
		if (name_matches(e->d_name, id)) {
			n++;
			if (remove)
				cg_remove(sub);
			else
				fprintf(stderr, "%s: left behind: cgroup '%s'\n", real_test_name(), sub);
		} else if (depth > 1) {
			n += cg_walk(sub, id, depth - 1, remove);
		}
	}
	closedir(d);
	return n;
}

int real_cg_leftovers(const char *id, bool remove)
{
	const char *root = real_cg_v2_root();
	char dir[PATH_MAX];
	int n = 0;

	cg_load();
	for (size_t i = 0; i < cg_nmounts; i++)
		if (cg_own_dir(&cg_mounts[i], dir, sizeof(dir)))
			n += cg_walk(dir, id, CG_DEPTH, remove);
	if (root && snprintf(dir, sizeof(dir), "%s%s", real_cg2_mount(), root) < (int)sizeof(dir) &&
	    real_exists(dir)) {
		n++;
		if (remove)
			cg_remove(dir);
		else
			fprintf(stderr, "%s: left behind: cgroup '%s'\n", real_test_name(), dir);
	}
	return n;
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
