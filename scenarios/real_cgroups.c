/*
 * real_cgroups.c — cgroups/cpu and cgroups/mem against the real kernel, through the binary
 * (root only): an OOM kill is a memory limitation (exit 137, the Termination says why), a CFS
 * quota of 0.5 cpus halves the CPU a busy loop gets, with the SPEC's values in the
 * container's own cgroup files; `mcz usage` and `mcz update` while `mcz run` supervises. Each
 * test checks that no cgroup named after its container is left in any hierarchy (and removes
 * what it finds).
 *
 * Each test prints the cgroup layout it ran on (real_cg_layout(), real_tests.h):
 * - v1 (the host): mcz's default, relative --cgroups_root; the v1 files (cpu.shares,
 *   cpu.cfs_quota_us, memory.limit_in_bytes, memory.soft_limit_in_bytes) are checked;
 * - v2 (user-mode Linux, ci/uml/): v2 gives controllers only to the children of a cgroup
 *   without processes, and this process's cgroup has processes, so every mcz run gets the
 *   absolute --cgroups_root=real_cg_v2_root() below the delegated parent; the v2 files
 *   (cpu.weight, cpu.max, memory.max, memory.low) are checked.
 * Without a layout that has the cpu and memory controllers the tests skip and say why.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "scenarios/real_tests.h"

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

/* "--cgroups_root=<absolute root>" on v2 (see above), NULL on v1: mcz's default there. */
static const char *root_flag(void)
{
	static char flag[4200];
	const char *root = real_cg_layout() == REAL_CG_V2 ? real_cg_v2_root() : NULL;

	if (!root)
		return NULL;
	snprintf(flag, sizeof(flag), "--cgroups_root=%s", root);
	return flag;
}

static bool has_root_flag(const char *const *flags)
{
	for (size_t i = 0; flags[i]; i++)
		if (strncmp(flags[i], "--cgroups_root=", 15) == 0)
			return true;
	return false;
}

/* The end of an mcz command line from argv[n] on: the v2 root flag (when `root` and on v2),
 * then "-- python3 -c SCRIPT" and the NULL. argv has room for 6 more. */
static void finish_argv(const char **argv, size_t n, bool root, const char *script)
{
	if (root && root_flag())
		argv[n++] = root_flag();
	argv[n++] = "--";
	argv[n++] = "/usr/bin/python3";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n] = NULL;
}

/* `mcz run FLAGS -- python3 -c SCRIPT`; the exit status of mcz, or -1. mcz's stderr goes to
 * DIR/stderr and is copied to the test's. */
static int run_mcz(const char *dir, const char *id, const char *const *flags, const char *script)
{
	_cleanup_free_ char *err_path = mcz_xasprintf("%s/stderr", dir);
	_cleanup_free_ char *err_text = NULL;
	_cleanup_free_ char *work = mcz_xasprintf("--work_dir=%s/work", dir);
	_cleanup_free_ char *runtime = mcz_xasprintf("--runtime_dir=%s/run", dir);
	_cleanup_free_ char *cid = mcz_xasprintf("--container_id=%s", id);
	_cleanup_free_ char *tf = mcz_xasprintf("--termination_file=%s/termination.json", dir);
	const char *argv[24] = { mcz_bin(), "run", work, runtime, cid, tf };
	size_t n = 6;
	int status;
	pid_t pid;

	for (size_t i = 0; flags[i] && n < 16; i++)
		argv[n++] = flags[i];
	finish_argv(argv, n, !has_root_flag(flags), script);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	err_text = slurp(err_path);
	if (err_text)
		fputs(err_text, stderr);
	return WEXITSTATUS(status);
}

static int skip_unless_ready(void)
{
	int r = real_require_root();
	char dir[4096];

	if (r)
		return r;
	switch (real_cg_layout()) {
	case REAL_CG_V1:
		if (!real_cg_v1_dir("memory", dir, sizeof(dir)) || !real_cg_v1_dir("cpu", dir, sizeof(dir)))
			return real_skip("cgroup v1 without cpu and memory hierarchies");
		break;
	case REAL_CG_V2:
		if (!real_cg_v2_root())
			return real_skip("cgroup v2: no delegated parent cgroup (MCZ_UML_CGROUP_PARENT)");
		if (!real_cg_v2_can("cpu") || !real_cg_v2_can("memory"))
			return real_skip("cgroup v2: cpu and memory not enabled below '%s'", real_cg_v2_root());
		break;
	case REAL_CG_NONE:
		return real_skip("no cgroup hierarchy below /sys/fs/cgroup");
	}
	if (access("/usr/bin/python3", X_OK) < 0)
		return real_skip("no /usr/bin/python3");
	return 0;
}

/* Run test(dir, id) in a fresh scratch dir with a container id "<prefix><pid>", then require
 * that no cgroup of that id (nor the v2 root) is left in any hierarchy, whatever the test
 * did; what is left is removed. */
static int in_scratch(const char *prefix, int (*test)(const char *dir, const char *id))
{
	char dir[256];
	_cleanup_free_ char *id = mcz_xasprintf("%s%d", prefix, (int)getpid());
	_cleanup_free_ char *extra = root_flag() ? mcz_xasprintf("%s", root_flag()) : NULL;
	int r, left;

	real_cg_print_layout(extra);
	r = skip_unless_ready();
	if (r)
		return r;
	REAL_ASSERT(real_tmpdir(dir, sizeof(dir)) == 0, "tmpdir: %s", strerror(errno));
	r = test(dir, id);
	(void)real_rm_rf(dir);
	left = real_cg_leftovers(id, false);
	if (left)
		(void)real_cg_leftovers(id, true);
	REAL_ASSERT(left == 0, "cgroups left behind (removed)");
	return r;
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
	return in_scratch("mczcg", oom_test);
}

/* v2 only: with the default relative root mcz's own cgroup (a leaf with processes, mcz among
 * them) would have to give memory to its children, which v2 forbids: refused before anything
 * is made, with a message that says what to do. */
static int relative_root_test(const char *dir, const char *id)
{
	static const char *const flags[] = { "--isolation=cgroups/mem", "--resources=mem:64",
					     "--cgroups_root=mcz", NULL };
	_cleanup_free_ char *err_path = mcz_xasprintf("%s/stderr", dir);
	_cleanup_free_ char *err = NULL;
	int code = run_mcz(dir, id, flags, "pass\n");

	REAL_ASSERT(code == 125, "mcz run exited %d, expected 125", code);
	err = slurp(err_path);
	REAL_ASSERT(err && strstr(err, "cgroup v2 controller 'memory' is not enabled for the "
				       "children of mcz's own cgroup"),
		    "stderr: %s", err ? err : "(none)");
	REAL_ASSERT(strstr(err, "give an absolute --cgroups_root"), "stderr: %s", err);
	return REAL_PASS;
}

REAL_TEST(cgroups_v2__relative_root_is_refused_with_what_to_do, 60)
{
	if (real_cg_layout() != REAL_CG_V2) {
		real_cg_print_layout(NULL);
		return real_skip("cgroup v2 only (this layout has no no-internal-process rule)");
	}
	return in_scratch("mczcg", relative_root_test);
}

/* The script reads its own cgroup files (the container shares the host's filesystem) — v1:
 * cpu.shares, cpu.cfs_period_us, cpu.cfs_quota_us; v2: cpu.weight and cpu.max ("QUOTA
 * PERIOD") — burns CPU for 1 s of wall time and writes "CGROUP SHARES|WEIGHT PERIOD QUOTA
 * CPUTIME WALL" to OUT, CPUTIME being the CPU the loop got (python's start-up left out). */
static const char cpu_script[] =
	"import os, time\n"
	"ls = [l.split(':', 2) for l in open('/proc/self/cgroup').read().split('\\n') if l]\n"
	"v1 = [l[2] for l in ls if 'cpu' in l[1].split(',')]\n"
	"if v1:\n"
	"    p = v1[0]\n"
	"    d = '/sys/fs/cgroup/cpu' + (p if p != '/' else '')\n"
	"    v = [open(d + '/' + f).read().strip() for f in ('cpu.shares', 'cpu.cfs_period_us', 'cpu.cfs_quota_us')]\n"
	"else:\n"
	"    p = [l[2] for l in ls if l[0] == '0'][0]\n"
	"    d = os.environ['CG2'] + (p if p != '/' else '')\n"
	"    q = open(d + '/cpu.max').read().split()\n"
	"    v = [open(d + '/cpu.weight').read().strip(), q[1], q[0]]\n"
	"c0 = sum(os.times()[:2])\n"
	"t0 = time.monotonic()\n"
	"while time.monotonic() - t0 < 1.0: pass\n"
	"c = sum(os.times()[:2]) - c0\n"
	"open(os.environ['OUT'], 'w').write('%s %s %s %s %.3f %.3f' % (p, v[0], v[1], v[2], c, "
	"time.monotonic() - t0))\n";

static int cpu_test(const char *dir, const char *id)
{
	_cleanup_free_ char *env = mcz_xasprintf("--env=OUT=%s/out", dir);
	bool v2 = real_cg_layout() == REAL_CG_V2;
	/* v2: where cgroup2 is mounted, for the script */
	_cleanup_free_ char *cg2 = v2 ? mcz_xasprintf("--env=CG2=%s", real_cg2_mount()) : NULL;
	const char *const flags[] = { "--isolation=cgroups/cpu", "--cgroups_enable_cfs", "--resources=cpus:0.5",
				      env, cg2, NULL };
	/* SPEC §7: shares = 1024 * 0.5; v2 maps them to a weight as runc and crun do */
	unsigned long want_shares = 512, want = v2 ? 1 + ((want_shares - 2) * 9999) / 262142 : want_shares;
	_cleanup_free_ char *want_cg = v2 ? mcz_xasprintf("%s/%s", real_cg_v2_root(), id)
					  : mcz_xasprintf("/mcz/%s", id);
	_cleanup_free_ char *out_path = mcz_xasprintf("%s/out", dir);
	_cleanup_free_ char *out = NULL;
	char cg[4096] = "";
	unsigned long shares = 0, period = 0, quota = 0;
	double cpu = 0, wall = 0;
	int code = run_mcz(dir, id, flags, cpu_script);
	size_t cl, wl = strlen(want_cg);

	REAL_ASSERT(code == 0, "mcz run exited %d, expected 0", code);
	out = slurp(out_path);
	REAL_ASSERT(out, "no output '%s'", out_path);
	REAL_ASSERT(sscanf(out, "%4095s %lu %lu %lu %lf %lf", cg, &shares, &period, &quota, &cpu, &wall) == 6,
		    "output: '%s'", out);
	/* v2: exactly <root>/<id>; v1: <own cgroup>/mcz/<id> */
	cl = strlen(cg);
	REAL_ASSERT(v2 ? strcmp(cg, want_cg) == 0 : cl >= wl && strcmp(cg + cl - wl, want_cg) == 0,
		    "the container's cgroup is '%s', want '%s%s'", cg, v2 ? "" : "...", want_cg);
	REAL_ASSERT(shares == want && period == 100000 && quota == 50000, "%s %lu (want %lu), period %lu, quota %lu",
		    v2 ? "cpu.weight" : "cpu.shares", shares, want, period, quota);
	/* half a CPU for a second of wall time */
	REAL_ASSERT(wall >= 1.0 && wall < 3.0, "wall %.3f s", wall);
	REAL_ASSERT(cpu >= 0.3 && cpu <= 0.6, "cpu %.3f s in %.3f s of wall time", cpu, wall);
	return REAL_PASS;
}

REAL_TEST(cgroups_cpu__cfs_quota_halves_a_busy_loop, 60)
{
	return in_scratch("mczcg", cpu_test);
}

/* ---- `mcz usage` and `mcz update` while `mcz run` supervises ---- */

/* The script runs until the test creates <dir>/stop (or 30 s pass). */
#define UNTIL_STOP "import os, time\nt0 = time.monotonic()\n" \
	"while not os.path.exists(os.environ['STOP']) and time.monotonic() - t0 < 30: time.sleep(0.05)\n"

/* `mcz run` in the background; returns its pid once the container is RUNNING, or -1. */
static pid_t start_run(const char *dir, const char *id, const char *isolation, const char *resources,
		       const char *script)
{
	_cleanup_free_ char *work = mcz_xasprintf("--work_dir=%s/work", dir);
	_cleanup_free_ char *runtime = mcz_xasprintf("--runtime_dir=%s/run", dir);
	_cleanup_free_ char *cid = mcz_xasprintf("--container_id=%s", id);
	_cleanup_free_ char *stop = mcz_xasprintf("--env=STOP=%s/stop", dir);
	_cleanup_free_ char *state = mcz_xasprintf("%s/run/containers/%s/state", dir, id);
	const char *argv[16] = { mcz_bin(), "run", work, runtime, cid, stop, isolation, resources };
	size_t n = 8;
	pid_t pid;

	finish_argv(argv, n, true, script);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		char buf[32] = { 0 };

		if (readlink(state, buf, sizeof(buf) - 1) > 0 && strcmp(buf, "RUNNING") == 0)
			return pid;
		usleep(50 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* Create <dir>/stop and wait for `mcz run`; its exit status, or -1. */
static int stop_run(const char *dir, pid_t pid)
{
	_cleanup_free_ char *stop = mcz_xasprintf("%s/stop", dir);
	FILE *fp = fopen(stop, "w");
	int status;

	if (fp)
		fclose(fp);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* `mcz CMD --runtime_dir=... ID [ARG]`: its stdout (caller frees), NULL when it failed. */
static char *mcz_cmd(const char *dir, const char *cmd, const char *id, const char *arg)
{
	_cleanup_free_ char *line = mcz_xasprintf("%s %s --runtime_dir=%s/run %s %s", mcz_bin(), cmd, dir,
						  id, arg ? arg : "");
	char *out = mcz_xcalloc(1, 4096);
	FILE *fp = popen(line, "r");
	size_t n = fp ? fread(out, 1, 4095, fp) : 0;

	out[n] = '\0';
	if (!fp || pclose(fp) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static double json_num(const char *json, const char *key)
{
	_cleanup_free_ char *k = mcz_xasprintf("\"%s\":", key);
	const char *p = strstr(json, k);

	return p ? strtod(p + strlen(k), NULL) : -1;
}

/* A busy loop under cgroups/cpu: its cpu time shows in `mcz usage` while it runs. */
static int usage_cpu_test(const char *dir, const char *id)
{
	static const char script[] = "import os, time\nt0 = time.monotonic()\n"
				     "while time.monotonic() - t0 < 0.5: pass\n" UNTIL_STOP;
	pid_t pid = start_run(dir, id, "--isolation=cgroups/cpu", "--resources=cpus:1", script);
	_cleanup_free_ char *out = NULL;
	double user = -1;

	REAL_ASSERT(pid > 0, "mcz run did not reach RUNNING");
	for (int i = 0; i < 40 && user < 0.125; i++) {
		free(out);
		out = mcz_cmd(dir, "usage", id, NULL);
		user = out ? json_num(out, "cpus_user_time_secs") : -1;
		usleep(50 * 1000);
	}
	REAL_ASSERT(stop_run(dir, pid) == 0, "mcz run failed");
	REAL_ASSERT(out && user >= 0.125, "usage: %s", out ? out : "(failed)");
	REAL_ASSERT(json_num(out, "cpus_limit") == 1, "usage: %s", out);
	return REAL_PASS;
}

REAL_TEST(usage__cgroups_cpu_counts_a_busy_loop, 60)
{
	return in_scratch("mczus", usage_cpu_test);
}

/* 64 MB touched: mem_rss_bytes >= 64 MB under cgroups/mem, and under posix/mem. */
static int usage_mem_test(const char *dir, const char *id, const char *isolation)
{
	static const char script[] = "x = bytearray(64 << 20)\nfor i in range(0, len(x), 4096): x[i] = 1\n"
				     "open(__import__('os').environ['STOP'] + '.ready', 'w')\n" UNTIL_STOP;
	_cleanup_free_ char *ready = mcz_xasprintf("%s/stop.ready", dir);
	_cleanup_free_ char *stop = mcz_xasprintf("%s/stop", dir);
	_cleanup_free_ char *out = NULL;
	pid_t pid;

	(void)unlink(ready); /* the files of a previous run in the same dir */
	(void)unlink(stop);
	pid = start_run(dir, id, isolation, "--resources=mem:512", script);
	REAL_ASSERT(pid > 0, "mcz run did not reach RUNNING");
	for (int i = 0; i < 200 && access(ready, F_OK) < 0; i++)
		usleep(50 * 1000);
	out = mcz_cmd(dir, "usage", id, NULL);
	REAL_ASSERT(stop_run(dir, pid) == 0, "mcz run failed");
	REAL_ASSERT(out && json_num(out, "mem_rss_bytes") >= 64 << 20, "%s: usage: %s", isolation,
		    out ? out : "(failed)");
	return REAL_PASS;
}

static int usage_mem_both(const char *dir, const char *id)
{
	int r = usage_mem_test(dir, id, "--isolation=cgroups/mem");

	return r == REAL_PASS ? usage_mem_test(dir, id, "--isolation=posix/mem") : r;
}

REAL_TEST(usage__rss_of_64_mb_under_cgroups_and_posix_mem, 90)
{
	return in_scratch("mczum", usage_mem_both);
}

/* The memory cgroup's file, through the path config.json records. */
static uint64_t mem_file(const char *dir, const char *id, const char *name)
{
	_cleanup_free_ char *cfg_path = mcz_xasprintf("%s/run/containers/%s/config.json", dir, id);
	_cleanup_free_ char *cfg = slurp(cfg_path);
	_cleanup_free_ char *path = NULL, *v = NULL;
	const char *p = cfg ? strstr(cfg, "\"memory\": \"") : NULL;

	if (!p) {
		fprintf(stderr, "%s: no memory cgroup in '%s': %s\n", real_test_name(), cfg_path,
			cfg ? cfg : "(unreadable)");
		return 0;
	}
	p += strlen("\"memory\": \"");
	path = mcz_xasprintf("%.*s/%s", (int)strcspn(p, "\""), p, name);
	v = slurp(path);
	if (!v)
		fprintf(stderr, "%s: cannot read '%s': %s\n", real_test_name(), path, strerror(errno));
	return v ? strtoull(v, NULL, 10) : 0;
}

/* v1: memory.limit_in_bytes and memory.soft_limit_in_bytes; v2: memory.max and memory.low. */
static int update_test(const char *dir, const char *id)
{
	bool v2 = real_cg_layout() == REAL_CG_V2;
	const char *hard = v2 ? "memory.max" : "memory.limit_in_bytes";
	const char *soft = v2 ? "memory.low" : "memory.soft_limit_in_bytes";
	pid_t pid = start_run(dir, id, "--isolation=cgroups/mem", "--resources=mem:64", UNTIL_STOP);
	_cleanup_free_ char *up = NULL, *down = NULL;
	uint64_t hard_start, soft_start, hard_up, soft_up, hard_down, soft_down;

	REAL_ASSERT(pid > 0, "mcz run did not reach RUNNING");
	hard_start = mem_file(dir, id, hard);
	soft_start = mem_file(dir, id, soft);
	up = mcz_cmd(dir, "update", id, "--resources=mem:256");
	hard_up = mem_file(dir, id, hard);
	soft_up = mem_file(dir, id, soft);
	down = mcz_cmd(dir, "update", id, "--resources=mem:128");
	hard_down = mem_file(dir, id, hard);
	soft_down = mem_file(dir, id, soft);
	REAL_ASSERT(stop_run(dir, pid) == 0, "mcz run failed");
	REAL_ASSERT(hard_start == 64 << 20 && soft_start == 64 << 20, "at launch: %s %llu, %s %llu", hard,
		    (unsigned long long)hard_start, soft, (unsigned long long)soft_start);
	REAL_ASSERT(up && down, "mcz update failed");
	REAL_ASSERT(hard_up == 256 << 20 && soft_up == 256 << 20, "raised: %s %llu, %s %llu", hard,
		    (unsigned long long)hard_up, soft, (unsigned long long)soft_up);
	REAL_ASSERT(hard_down == 256 << 20 && soft_down == 128 << 20, "lowered: %s %llu, %s %llu", hard,
		    (unsigned long long)hard_down, soft, (unsigned long long)soft_down);
	return REAL_PASS;
}

REAL_TEST(update__raises_the_hard_limit_lowers_only_the_soft_one, 60)
{
	return in_scratch("mczup", update_test);
}
