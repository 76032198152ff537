/*
 * real_cgroups.c — cgroups/cpu and cgroups/mem against the real kernel, through the binary
 * (root only): an OOM kill is a memory limitation (exit 137, the Termination says why), and
 * a CFS quota of 0.5 cpus halves the CPU a busy loop gets, with the SPEC's values in the
 * container's own cgroup files. Each test checks that no cgroup named after its container is
 * left in any hierarchy below mcz's own cgroups.
 *
 * Only the v1 path exists; on a host without v1 cpu/memory hierarchies the tests skip and
 * say so.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "core/cgroups.h"
#include "core/util.h"
#include "scenarios/real_tests.h"

static const char *const controllers[] = { "cpu", "cpuacct", "memory", "freezer", "pids",
					   "blkio", "devices", "cpuset", "perf_event", "net_cls" };

static const char *mcz_bin(void)
{
	const char *b = getenv("MCZ_BIN");

	return b && *b ? b : "build/mcz";
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Directories named `name` at most `depth` levels below dir (reported); how many. */
static int find_named(const char *dir, const char *name, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		sub = mcz_xasprintf("%s/%s", dir, e->d_name);
		if (strcmp(e->d_name, name) == 0) {
			fprintf(stderr, "%s: left behind: cgroup '%s'\n", real_test_name(), sub);
			n++;
		} else if (depth > 1) {
			n += find_named(sub, name, depth - 1);
		}
	}
	closedir(d);
	return n;
}

/* Cgroups named id below mcz's own cgroup, in every v1 hierarchy there is. */
static int cgroups_left(const char *id)
{
	int n = 0;

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(controllers); i++) {
		struct mcz_hierarchy h = { 0 };
		struct mcz_error err = MCZ_ERROR_INIT;

		if (mcz_hierarchy_find(sys_real(), "/sys/fs/cgroup", controllers[i], &h, &err) == 0) {
			_cleanup_free_ char *own = mcz_xasprintf("%s%s", h.mount,
								 strcmp(h.own, "/") == 0 ? "" : h.own);
			n += find_named(own, id, 4);
		}
		mcz_hierarchy_done(&h);
		mcz_error_done(&err);
	}
	return n;
}

static bool has_v1(const char *controller)
{
	struct mcz_hierarchy h = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	bool found = mcz_hierarchy_find(sys_real(), "/sys/fs/cgroup", controller, &h, &err) == 0;

	mcz_hierarchy_done(&h);
	mcz_error_done(&err);
	return found;
}

/* `mcz run FLAGS -- python3 -c SCRIPT`; the exit status of mcz, or -1. */
static int run_mcz(const char *dir, const char *id, const char *const *flags, const char *script)
{
	_cleanup_free_ char *work = mcz_xasprintf("--work_dir=%s/work", dir);
	_cleanup_free_ char *runtime = mcz_xasprintf("--runtime_dir=%s/run", dir);
	_cleanup_free_ char *cid = mcz_xasprintf("--container_id=%s", id);
	_cleanup_free_ char *tf = mcz_xasprintf("--termination_file=%s/termination.json", dir);
	const char *argv[16] = { mcz_bin(), "run", work, runtime, cid, tf };
	size_t n = 6;
	int status;
	pid_t pid;

	for (size_t i = 0; flags[i]; i++)
		argv[n++] = flags[i];
	argv[n++] = "--";
	argv[n++] = "/usr/bin/python3";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int skip_unless_ready(void)
{
	int r = real_require_root();

	if (r)
		return r;
	if (!has_v1("memory") || !has_v1("cpu"))
		return real_skip("no cgroup v1 cpu and memory hierarchies (only the v1 path exists)");
	if (access("/usr/bin/python3", X_OK) < 0)
		return real_skip("no /usr/bin/python3");
	return 0;
}

/* 256 MB really allocated and touched, under a 64 MB limit and no swap: the OOM killer. */
static int oom_test(const char *dir, const char *id)
{
	static const char *const flags[] = { "--isolation=cgroups/mem", "--resources=mem:64", NULL };
	_cleanup_free_ char *tf_path = mcz_xasprintf("%s/termination.json", dir);
	_cleanup_free_ char *tf = NULL;
	int code = run_mcz(dir, id, flags, "x = b'x' * (256 << 20)\n");

	REAL_ASSERT(code == 137, "mcz run exited %d, expected 137", code);
	tf = slurp(tf_path);
	REAL_ASSERT(tf, "no termination file '%s'", tf_path);
	REAL_ASSERT(strstr(tf, "\"killed\":true"), "not killed: %s", tf);
	REAL_ASSERT(strstr(tf, "\"reason\":\"REASON_CONTAINER_LIMITATION_MEMORY\""), "reason: %s", tf);
	REAL_ASSERT(strstr(tf, "\"message\":\"Memory limit exceeded: Requested: 64MB Maximum Used: "),
		    "message: %s", tf);
	REAL_ASSERT(strstr(tf, "MEMORY STATISTICS"), "no statistics: %s", tf);
	return REAL_PASS;
}

REAL_TEST(cgroups_mem__oom_is_a_memory_limitation, 60)
{
	char dir[256];
	_cleanup_free_ char *id = mcz_xasprintf("mczcg%d", (int)getpid());
	int r = skip_unless_ready();

	if (r)
		return r;
	REAL_ASSERT(real_tmpdir(dir, sizeof(dir)) == 0, "tmpdir: %s", strerror(errno));
	r = oom_test(dir, id);
	(void)real_rm_rf(dir);
	REAL_ASSERT(cgroups_left(id) == 0, "cgroups left behind");
	return r;
}

/* The script reads its own cgroup files (the container shares the host's filesystem), burns
 * CPU for 1 s of wall time and writes "shares period quota cputime wall" to OUT. */
static const char cpu_script[] =
	"import os, time\n"
	"p = [l.split(':')[2] for l in open('/proc/self/cgroup').read().split('\\n')\n"
	"     if l and 'cpu' in l.split(':')[1].split(',')][0]\n"
	"d = '/sys/fs/cgroup/cpu' + (p if p != '/' else '')\n"
	"v = [open(d + '/' + f).read().strip() for f in ('cpu.shares', 'cpu.cfs_period_us', 'cpu.cfs_quota_us')]\n"
	"t0 = time.monotonic()\n"
	"while time.monotonic() - t0 < 1.0: pass\n"
	"t = os.times()\n"
	"open(os.environ['OUT'], 'w').write('%s %s %s %.3f %.3f' % (v[0], v[1], v[2], t.user + t.system, "
	"time.monotonic() - t0))\n";

static int cpu_test(const char *dir, const char *id)
{
	_cleanup_free_ char *env = mcz_xasprintf("--env=OUT=%s/out", dir);
	const char *const flags[] = { "--isolation=cgroups/cpu", "--cgroups_enable_cfs", "--resources=cpus:0.5",
				      env, NULL };
	_cleanup_free_ char *out_path = mcz_xasprintf("%s/out", dir);
	_cleanup_free_ char *out = NULL;
	unsigned long shares = 0, period = 0, quota = 0;
	double cpu = 0, wall = 0;
	int code = run_mcz(dir, id, flags, cpu_script);

	REAL_ASSERT(code == 0, "mcz run exited %d, expected 0", code);
	out = slurp(out_path);
	REAL_ASSERT(out, "no output '%s'", out_path);
	REAL_ASSERT(sscanf(out, "%lu %lu %lu %lf %lf", &shares, &period, &quota, &cpu, &wall) == 5,
		    "output: '%s'", out);
	REAL_ASSERT(shares == 512 && period == 100000 && quota == 50000,
		    "cpu.shares %lu, cpu.cfs_period_us %lu, cpu.cfs_quota_us %lu", shares, period, quota);
	/* half a CPU for a second of wall time (python's start-up is throttled too) */
	REAL_ASSERT(wall >= 1.0 && wall < 3.0, "wall %.3f s", wall);
	REAL_ASSERT(cpu >= 0.3 && cpu <= 0.65, "cpu %.3f s in %.3f s of wall time", cpu, wall);
	return REAL_PASS;
}

REAL_TEST(cgroups_cpu__cfs_quota_halves_a_busy_loop, 60)
{
	char dir[256];
	_cleanup_free_ char *id = mcz_xasprintf("mczcg%d", (int)getpid());
	int r = skip_unless_ready();

	if (r)
		return r;
	REAL_ASSERT(real_tmpdir(dir, sizeof(dir)) == 0, "tmpdir: %s", strerror(errno));
	r = cpu_test(dir, id);
	(void)real_rm_rf(dir);
	REAL_ASSERT(cgroups_left(id) == 0, "cgroups left behind");
	return r;
}
