/*
 * usage_cmd.c — `mcz usage` and `mcz update` over the fake (SPEC §7, §8): a container
 * launched in the same world (the supervisor's side, left running), loaded back from its
 * runtime entry as another process would, its ResourceStatistics byte for byte from cgroup
 * files the test sets, updates raising and lowering memory, the errors, and every call of
 * load + usage / load + update failing in turn (a clean error, nothing changed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frontend/mesos/resources.h"
#include "core/container/container.h"
#include "core/base/fsutil.h"
#include "core/state/load.h"
#include "core/recover/recover.h"
#include "core/container/isolator.h"
#include "core/container/launcher.h"
#include "core/state/runtime.h"
#include "lib/util.h"
#include "fakes/fake.h"
#include "scenarios/fault_matrix.h"
#include "scenarios/detached.h"
#include "scenarios/harness.h"

#define RT DETACHED_RT
#define CG DETACHED_CG
#define CPU_CG CG "/cpu/mcz/c1"
#define CPUACCT_CG CG "/cpuacct/mcz/c1"
#define MEM_CG CG "/memory/mcz/c1"
#define V2_CG CG "/mcz-uml/mcz/c1"

/* The supervisor's side: launched and left running (lost: its supervisor then "died"). */
static struct fake *launched_as(const struct detached_spec *sp, bool lost)
{
	struct fake *f = fake_new();

	detached_world(f, sp->v2);
	detached_launch(f, "c1", sp, lost);
	return f;
}

static struct fake *launched(const struct detached_spec *sp)
{
	return launched_as(sp, false);
}

static void set_file(struct fake *f, const char *path, const char *content)
{
	assert_int_equal(fake_cgroup_set_file(f, path, content), 0);
}

static void set_stats(struct fake *f)
{
	set_file(f, CPUACCT_CG "/cpuacct.stat", "user 250\nsystem 50\n");
	set_file(f, CPU_CG "/cpu.stat", "nr_periods 10\nnr_throttled 2\nthrottled_time 1500000000\n");
	set_file(f, MEM_CG "/memory.stat", "cache 4096\nrss 8192\nmapped_file 512\ntotal_cache 40960\n"
					   "total_rss 81920\ntotal_mapped_file 1024\n");
}

/* Load c1 and print its usage (timestamp 0), or the error. */
static char *usage_of(struct fake *f)
{
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_container *c = NULL;
	struct mcz_usage u;
	char *out;
	int r = mcz_container_load(fake_sys(f), RT, "c1", &c, &err);

	if (r >= 0)
		r = mcz_container_usage(c, &u, &err);
	out = r < 0 ? mcz_xasprintf("error: %s", err.msg) : mcz_usage_json(&u);
	mcz_container_free(c);
	mcz_error_done(&err);
	return out;
}

static int update_of(struct fake *f, const char *resources, struct mcz_error *err)
{
	struct mcz_container *c = NULL;
	struct mcz_resources res;
	int r = mcz_resources_parse(resources, &res, err);

	if (r >= 0)
		r = mcz_container_load(fake_sys(f), RT, "c1", &c, err);
	if (r >= 0)
		r = mcz_container_update(c, &res, err);
	mcz_container_free(c);
	return r;
}

static void assert_cg(struct fake *f, const char *path, const char *want)
{
	char buf[256];

	assert_true(sys_cg_read(fake_sys(f), path, buf, sizeof(buf)) >= 0);
	if (strcmp(buf, want) != 0)
		fail_msg("'%s': expected '%s', got '%s'", path, want, buf);
}

static void test_usage_cmd__cgroups_statistics_byte_for_byte(void **state)
{
	static const struct detached_spec sp = { .isolation = "cgroups", .resources = "cpus:0.5;mem:64", .cfs = true };
	struct fake *f = launched(&sp);
	_cleanup_free_ char *out = NULL;

	(void)state;
	set_stats(f);
	out = usage_of(f);
	assert_string_equal(out, "{\"timestamp\":0.0,\"cpus_user_time_secs\":2.5,\"cpus_system_time_secs\":0.5,"
				 "\"cpus_limit\":0.5,\"cpus_nr_periods\":10,\"cpus_nr_throttled\":2,"
				 "\"cpus_throttled_time_secs\":1.5,\"mem_rss_bytes\":81920,"
				 "\"mem_limit_bytes\":67108864,\"mem_file_bytes\":40960,\"mem_anon_bytes\":81920,"
				 "\"mem_mapped_file_bytes\":1024}");
	fake_free(f);
}

/* v2: loaded back from config.json ("cgroups_v2" says which files to read), statistics from
 * cpu.stat (microseconds) and memory.stat; update writes memory.max only up, memory.low always,
 * cpu.weight and cpu.max. */
static void test_usage_cmd__cgroup_v2_usage_and_update(void **state)
{
	static const struct detached_spec sp = { .isolation = "cgroups", .resources = "cpus:0.5;mem:64",
					.cfs = true, .v2 = true };
	struct fake *f = launched(&sp);
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *out = NULL;

	(void)state;
	set_file(f, V2_CG "/cpu.stat", "usage_usec 3000000\nuser_usec 2500000\nsystem_usec 500000\n"
				       "nr_periods 10\nnr_throttled 2\nthrottled_usec 1500000\n");
	set_file(f, V2_CG "/memory.stat", "anon 81920\nfile 40960\nkernel 0\nfile_mapped 1024\n");
	out = usage_of(f);
	assert_string_equal(out, "{\"timestamp\":0.0,\"cpus_user_time_secs\":2.5,\"cpus_system_time_secs\":0.5,"
				 "\"cpus_limit\":0.5,\"cpus_nr_periods\":10,\"cpus_nr_throttled\":2,"
				 "\"cpus_throttled_time_secs\":1.5,\"mem_rss_bytes\":81920,"
				 "\"mem_limit_bytes\":67108864,\"mem_file_bytes\":40960,\"mem_anon_bytes\":81920,"
				 "\"mem_mapped_file_bytes\":1024}");
	assert_int_equal(update_of(f, "mem:256;cpus:2", &err), 0);
	assert_cg(f, V2_CG "/memory.max", "268435456\n");
	assert_cg(f, V2_CG "/memory.low", "268435456\n");
	assert_cg(f, V2_CG "/cpu.weight", "79\n");
	assert_cg(f, V2_CG "/cpu.max", "200000 100000\n");
	assert_int_equal(update_of(f, "mem:100", &err), 0);
	assert_cg(f, V2_CG "/memory.max", "268435456\n");
	assert_cg(f, V2_CG "/memory.low", "104857600\n");
	mcz_error_done(&err);
	fake_free(f);
}

/* posix isolators sum /proc: the freezer's cgroup.procs (linux launcher: pid 1 and its
 * background child), or pid 1's tree and session (posix launcher). */
static void test_usage_cmd__posix_sums_the_processes(void **state)
{
	static const struct detached_spec linux_sp = { .isolation = "posix/cpu,posix/mem", .resources = "mem:64" };
	static const struct detached_spec posix_sp = { .isolation = "posix/cpu,posix/mem", .launcher = "posix" };
	struct fake *f = launched(&linux_sp);
	_cleanup_free_ char *a = usage_of(f), *b = NULL;

	(void)state;
	assert_string_equal(a, "{\"timestamp\":0.0,\"cpus_user_time_secs\":3.0,\"cpus_system_time_secs\":1.0,"
			       "\"mem_rss_bytes\":1048576,\"mem_limit_bytes\":67108864,\"processes\":2,"
			       "\"threads\":4}");
	fake_free(f);
	f = launched(&posix_sp);
	b = usage_of(f);
	assert_string_equal(b, "{\"timestamp\":0.0,\"cpus_user_time_secs\":3.0,\"cpus_system_time_secs\":1.0,"
			       "\"mem_rss_bytes\":1048576,\"processes\":2,\"threads\":4}");
	fake_free(f);
}

/* SPEC §7: the hard limit only goes up; the soft limit follows every update. */
static void test_usage_cmd__update_raises_and_lowers_memory(void **state)
{
	static const struct detached_spec sp = { .isolation = "cgroups", .resources = "cpus:0.5;mem:64", .cfs = true,
					.limit_swap = true };
	struct fake *f = launched(&sp);
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_container *c = NULL;

	(void)state;
	assert_int_equal(update_of(f, "mem:256", &err), 0);
	assert_cg(f, MEM_CG "/memory.limit_in_bytes", "268435456\n");
	assert_cg(f, MEM_CG "/memory.memsw.limit_in_bytes", "268435456\n");
	assert_cg(f, MEM_CG "/memory.soft_limit_in_bytes", "268435456\n");
	assert_int_equal(update_of(f, "mem:100;cpus:2", &err), 0);
	assert_cg(f, MEM_CG "/memory.limit_in_bytes", "268435456\n");
	assert_cg(f, MEM_CG "/memory.soft_limit_in_bytes", "104857600\n");
	assert_cg(f, CPU_CG "/cpu.shares", "2048\n");
	assert_cg(f, CPU_CG "/cpu.cfs_quota_us", "200000\n");
	assert_int_equal(update_of(f, "mem:8", &err), 0); /* the 32 MB floor */
	assert_cg(f, MEM_CG "/memory.soft_limit_in_bytes", "33554432\n");
	/* config.json records the resources: what a later usage reports as limits */
	assert_int_equal(mcz_container_load(fake_sys(f), RT, "c1", &c, &err), 0);
	assert_true(c->cfg.resources.has_mem && c->cfg.resources.mem_mb == 8);
	assert_true(c->cfg.resources.has_cpus && c->cfg.resources.cpus == 2);
	mcz_container_free(c);
	mcz_error_done(&err);
	fake_free(f);
}

struct err_case {
	const char *name;
	struct detached_spec spec;
	void (*spoil)(struct fake *f);
	const char *id;
	const char *resources; /* NULL: usage */
	const char *msg;
};

static void no_entry(struct fake *f)
{
	(void)f;
}

static void write_entry(struct fake *f, const char *name, const char *content)
{
	struct mcz_error err = MCZ_ERROR_INIT;

	assert_int_equal(mcz_write_atomic(fake_sys(f), RT "/containers/c1", name, content, &err), 0);
}

static void bad_json(struct fake *f)
{
	write_entry(f, "config.json", "{\"launcher\": ");
}

static void not_an_object(struct fake *f)
{
	write_entry(f, "config.json", "[]");
}

static void bad_pid(struct fake *f)
{
	write_entry(f, "pid", "x\n");
}

static void destroying(struct fake *f)
{
	struct mcz_error err = MCZ_ERROR_INIT;

	assert_int_equal(mcz_symlink_atomic(fake_sys(f), RT "/containers/c1", "state", "DESTROYING", &err), 0);
}

static void bad_state(struct fake *f)
{
	struct mcz_error err = MCZ_ERROR_INIT;

	assert_int_equal(mcz_symlink_atomic(fake_sys(f), RT "/containers/c1", "state", "ASLEEP", &err), 0);
}

static void no_resources(struct fake *f)
{
	write_entry(f, "config.json", "{\"launcher\": \"linux\", \"sandbox\": \"/s\", \"isolation\": [], "
				      "\"resources\": {\"mem\": -1}, \"cgroups\": {}}");
}

/* SPEC §11: jansson with duplicate keys rejected, for mcz's own files too */
static void duplicate_key(struct fake *f)
{
	write_entry(f, "config.json", "{\"launcher\": \"linux\", \"launcher\": \"posix\", "
				      "\"sandbox\": \"/s\", \"isolation\": []}");
}

static void huge_mem(struct fake *f)
{
	write_entry(f, "config.json", "{\"launcher\": \"linux\", \"sandbox\": \"/s\", \"isolation\": [], "
				      "\"resources\": {\"mem\": 9007199254740993}, \"cgroups\": {}}");
}

static void no_cgroups(struct fake *f)
{
	write_entry(f, "config.json", "{\"launcher\": \"linux\", \"sandbox\": \"/s\", \"isolation\": "
				      "[\"cgroups/mem\"], \"resources\": {}, \"cgroups\": {}}");
}

static void bad_isolation(struct fake *f)
{
	write_entry(f, "config.json", "{\"launcher\": \"linux\", \"sandbox\": \"/s\", \"isolation\": [1]}");
}

static void no_launcher(struct fake *f)
{
	write_entry(f, "config.json", "{\"isolation\": []}");
}

#define C1 "container 'c1': "
#define CFG "cannot parse '" RT "/containers/c1/config.json': "
static const struct err_case err_cases[] = {
	{ "unknown id", { .isolation = "cgroups" }, no_entry, "c2", NULL, "container 'c2' not found" },
	{ "bad id", { .isolation = "cgroups" }, no_entry, "../c1", NULL, NULL },
	{ "bad json", { .isolation = "cgroups" }, bad_json, "c1", NULL, NULL },
	{ "not an object", { .isolation = "cgroups" }, not_an_object, "c1", NULL, C1 CFG "not an object" },
	{ "no launcher", { .isolation = "cgroups" }, no_launcher, "c1", NULL, C1 CFG "no 'launcher' or 'sandbox'" },
	{ "bad isolation", { .isolation = "cgroups" }, bad_isolation, "c1", NULL,
	  C1 CFG "'isolation' holds a non-string" },
	{ "bad resources", { .isolation = "cgroups" }, no_resources, "c1", NULL, C1 CFG "bad 'resources'" },
	{ "duplicate key", { .isolation = "cgroups" }, duplicate_key, "c1", NULL, NULL },
	{ "mem in bytes overflows", { .isolation = "cgroups" }, huge_mem, "c1", NULL, C1 CFG "bad 'resources'" },
	{ "bad pid", { .isolation = "cgroups" }, bad_pid, "c1", NULL,
	  C1 "cannot parse '" RT "/containers/c1/pid': not a pid" },
	{ "bad state", { .isolation = "cgroups" }, bad_state, "c1", NULL,
	  C1 "cannot parse '" RT "/containers/c1/state': unknown state 'ASLEEP'" },
	{ "usage not running", { .isolation = "cgroups" }, destroying, "c1", NULL,
	  "container 'c1' is not running (state DESTROYING)" },
	{ "update not running", { .isolation = "cgroups" }, destroying, "c1", "mem:64",
	  C1 "container 'c1' is not running (state DESTROYING)" },
	{ "usage without a memory cgroup", { .isolation = "cgroups" }, no_cgroups, "c1", NULL,
	  C1 "usage 'cgroups/mem': no memory cgroup recorded for container 'c1'" },
	{ "update without a memory cgroup", { .isolation = "cgroups" }, no_cgroups, "c1", "mem:64",
	  C1 "no memory cgroup recorded for container 'c1'" },
	{ "cpus without cgroups/cpu", { .isolation = "cgroups/mem" }, no_entry, "c1", "cpus:1",
	  C1 "update: 'cpus' needs the cgroups/cpu isolator" },
	{ "mem without cgroups/mem", { .isolation = "cgroups/cpu" }, no_entry, "c1", "mem:64",
	  C1 "update: 'mem' needs the cgroups/mem isolator" },
	{ "nothing to update", { .isolation = "cgroups" }, no_entry, "c1", "", C1 "update: no resources given" },
};

static int err_case_run(struct fake *f, const struct err_case *ec, struct mcz_error *err)
{
	struct mcz_container *c = NULL;
	struct mcz_resources res = { 0 };
	struct mcz_usage u;
	int r = ec->resources ? mcz_resources_parse(ec->resources, &res, err) : 0;

	if (r >= 0)
		r = mcz_container_load(fake_sys(f), RT, ec->id, &c, err);
	if (r >= 0)
		r = ec->resources ? mcz_container_update(c, &res, err) : mcz_container_usage(c, &u, err);
	mcz_container_free(c);
	return r;
}

static void test_usage_cmd__errors_are_clear_and_change_nothing(void **state)
{
	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(err_cases); i++) {
		const struct err_case *ec = &err_cases[i];
		struct fake *f = launched(&ec->spec);
		struct mcz_error err = MCZ_ERROR_INIT;
		_cleanup_free_ char *before = NULL, *after = NULL;
		int r;

		ec->spoil(f);
		before = fake_snapshot(f);
		r = err_case_run(f, ec, &err);
		after = fake_snapshot(f);
		if (r >= 0 || !err.msg || (ec->msg && strcmp(err.msg, ec->msg) != 0))
			fail_msg("case '%s':\n  expected: %s\n  got:      %s", ec->name,
				 ec->msg ? ec->msg : "(an error)", err.msg ? err.msg : "(success)");
		if (strcmp(before, after) != 0)
			fail_msg("case '%s': state changed", ec->name);
		mcz_error_done(&err);
		fake_free(f);
	}
}

/* ---- every call failing in turn ---- */

enum body { BODY_USAGE, BODY_RAISE, BODY_LOWER };

static const struct detached_spec fault_spec = { .isolation = "cgroups,posix/cpu,posix/mem",
					.resources = "cpus:0.5;mem:64", .cfs = true, .limit_swap = true };

static int fault_body(struct fake *f, enum body b, struct mcz_error *err)
{
	_cleanup_free_ char *out = NULL;

	if (b == BODY_RAISE)
		return update_of(f, "cpus:1;mem:256", err);
	if (b == BODY_LOWER)
		return update_of(f, "cpus:0.25;mem:48", err);
	out = usage_of(f);
	if (strncmp(out, "error: ", 7) == 0)
		return mcz_error_fmt(err, -EIO, "%s", out + 7);
	return 0;
}

/* Run 1 fails call n in `mode`; 0 once a run injects nothing (the body then succeeded). */
static bool fault_run(enum body b, unsigned long n, enum fake_fault_mode mode)
{
	struct fake *f = launched(&fault_spec);
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *before = NULL, *after = NULL;
	int fds, r, op;
	bool injected, tolerable;

	set_stats(f);
	before = fake_snapshot(f);
	fds = fake_open_fds(f);
	fake_fail_nth(f, n, mode, 0);
	r = fault_body(f, b, &err);
	injected = fake_faults_injected(f) > 0 || r < 0; /* before fake_disarm(), which resets it */
	op = fake_last_fault_op(f);
	/* Nothing is lost closing a read fd; a process whose /proc files are gone has exited
	 * and is rightly left out of the sums. */
	tolerable = op == SYS_OP_close || (op == SYS_OP_proc_read && fake_last_fault_errno(f) == ENOENT);
	fake_disarm(f);
	after = fake_snapshot(f);
	if (!injected && r < 0)
		fail_msg("body %d: clean run failed: %s", b, err.msg);
	if (injected && r >= 0 && mode != FAKE_AFTER && !tolerable)
		fail_msg("body %d, call %lu (mode %d): a fault was tolerated (%s)", b, n, mode,
			 op >= 0 ? sys_op_names[op] : "?");
	if (r < 0 && (!err.msg || strncmp(err.msg, "container 'c1'", 14) != 0))
		fail_msg("body %d, call %lu (mode %d): unclear error: %s", b, n, mode, err.msg);
	if (r < 0 && mode == FAKE_TRANSIENT && strcmp(before, after) != 0)
		fail_msg("body %d, call %lu: state changed on failure: %s", b, n, err.msg);
	assert_int_equal(fake_open_fds(f), fds);
	mcz_error_done(&err);
	fake_free(f);
	return injected;
}

static void test_usage_cmd__fault_matrix(void **state)
{
	static const enum fake_fault_mode modes[] = { FAKE_TRANSIENT, FAKE_PERSISTENT, FAKE_AFTER };
	unsigned long runs = 0;

	(void)state;
	for (int b = BODY_USAGE; b <= BODY_LOWER; b++)
		for (size_t m = 0; m < MCZ_ARRAY_SIZE(modes); m++)
			for (unsigned long n = 1; fault_run((enum body)b, n, modes[m]); n++)
				runs++;
	print_message("usage/update fault matrix: %lu runs with a fault injected\n", runs);
	assert_true(runs > 20);
}

/* ---- a container whose supervisor is gone (`mcz destroy`, `mcz recover`; SPEC §9) ---- */

static const struct detached_spec lost_spec = { .isolation = "namespaces/pid,cgroups,posix/cpu",
				       .resources = "cpus:0.5;mem:64", .cfs = true };

/* What the host looks like with no container at all (the sandbox aside). */
static char *clean_state(void)
{
	struct fake *f = fake_new();
	char *snap;

	detached_world(f, false);
	/* the runtime dir's skeleton stays */
	assert_int_equal(fake_add_dir(f, RT "/pidns", 0755, 0, 0), 0);
	snap = fault_snapshot_outside(f, "/var/lib/mcz/sandboxes/c1");
	fake_free(f);
	return snap;
}

static void assert_clean(struct fake *f, const char *what)
{
	_cleanup_free_ char *want = clean_state();
	_cleanup_free_ char *got = fault_snapshot_outside(f, "/var/lib/mcz/sandboxes/c1");

	if (strcmp(want, got) != 0) {
		_cleanup_free_ char *diff = fault_state_diff(want, got);

		fail_msg("%s: not clean:\n%s", what, diff);
	}
}

/* load, adopt, destroy: what `mcz destroy` does once the supervisor is gone. */
static int destroy_lost(struct fake *f, bool *ret_alive, struct mcz_error *err)
{
	struct mcz_container *c = NULL;
	bool alive = false;
	int r = mcz_container_load(fake_sys(f), RT, "c1", &c, err);

	if (r >= 0)
		r = mcz_container_adopt(c, &alive, err);
	if (r >= 0)
		r = mcz_container_destroy(c, err);
	if (ret_alive)
		*ret_alive = alive;
	mcz_container_free(c);
	return r;
}

static void test_usage_cmd__lost_supervisor_is_adopted_and_destroyed(void **state)
{
	struct fake *f = launched_as(&lost_spec, true);
	struct mcz_error err = MCZ_ERROR_INIT;
	bool alive = false;

	unsigned long calls = fake_calls(f);

	(void)state;
	assert_int_equal(fake_nprocs(f), 3); /* the supervisor, pid 1 and its child */
	assert_int_equal(destroy_lost(f, &alive, &err), 0);
	print_message("load + adopt + destroy: %lu calls\n", fake_calls(f) - calls);
	assert_true(alive);
	assert_int_equal(fake_nprocs(f), 1);
	assert_clean(f, "after destroying the adopted container");
	fake_free(f);
}

static void test_usage_cmd__live_supervisor_is_not_adopted(void **state)
{
	struct fake *f = launched(&lost_spec);
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *before = fake_snapshot(f), *after = NULL;

	(void)state;
	assert_int_equal(destroy_lost(f, NULL, &err), -EBUSY);
	assert_string_equal(err.msg, "container 'c1': container 'c1' has a live supervisor (it holds '"
			    RT "/containers/c1/lock')");
	after = fake_snapshot(f);
	if (strcmp(before, after) != 0) {
		_cleanup_free_ char *diff = fault_state_diff(before, after);

		fail_msg("state changed:\n%s", diff);
	}
	mcz_error_done(&err);
	fake_free(f);
}

/* The supervisor and pid 1 are gone (pid 1 ended; nothing runs): destroyed all the same. */
static void test_usage_cmd__lost_supervisor_and_processes(void **state)
{
	struct fake *f = launched_as(&lost_spec, true);
	struct mcz_error err = MCZ_ERROR_INIT;
	int status;
	bool alive = true;

	(void)state;
	assert_int_equal(sys_kill(fake_sys(f), 1001, SIGKILL), 0);
	assert_int_equal(sys_waitpid(fake_sys(f), 1001, &status, 0), 1001);
	assert_int_equal(destroy_lost(f, &alive, &err), 0);
	assert_false(alive);
	assert_clean(f, "after destroying the dead container");
	fake_free(f);
}

/* Every call of load + adopt + destroy failing in turn: a clean error naming the container,
 * and a second, fault-free destroy always ends with nothing left. */
static bool lost_fault_run(unsigned long n, enum fake_fault_mode mode)
{
	struct fake *f = launched_as(&lost_spec, true);
	struct mcz_error err = MCZ_ERROR_INIT;
	int r, status;
	bool injected;
	sigset_t chld;
	siginfo_t info;

	fake_fail_nth(f, n, mode, 0);
	r = destroy_lost(f, NULL, &err);
	injected = fake_faults_injected(f) > 0 || r < 0; /* before fake_disarm(), which resets it */
	fake_disarm(f);
	if (r < 0 && (!err.msg || strncmp(err.msg, "container 'c1'", 14) != 0))
		fail_msg("call %lu (mode %d): unclear error: %s", n, mode, err.msg);
	mcz_error_done(&err);
	if (r < 0) {
		r = destroy_lost(f, NULL, &err);
		/* Only the lock file (the last unlinked) or the empty directory left: what `mcz
		 * destroy` and `mcz recover` then remove (cli/). */
		if (r == -ENOENT) {
			(void)sys_unlinkat(fake_sys(f), AT_FDCWD, RT "/containers/c1/lock", 0);
			r = sys_unlinkat(fake_sys(f), AT_FDCWD, RT "/containers/c1", AT_REMOVEDIR);
			r = r == -ENOENT ? 0 : r; /* all gone already: a destroy that failed late */
		}
		if (r < 0)
			fail_msg("call %lu (mode %d): the second destroy failed: %s", n, mode, err.msg);
		mcz_error_done(&err);
	}
	/* The dead supervisor's zombie child is init's to reap on a real host, and its SIGCHLD
	 * went to no one; in the fake the test process (1000) plays the dead supervisor too. */
	(void)sys_waitpid(fake_sys(f), 1001, &status, WNOHANG);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	(void)sys_sigtimedwait(fake_sys(f), &chld, &info, 0);
	assert_clean(f, "after a faulty destroy and a second one");
	assert_int_equal(fake_open_fds(f), 0);
	fake_free(f);
	return injected;
}

static void test_usage_cmd__lost_supervisor_fault_matrix(void **state)
{
	static const enum fake_fault_mode modes[] = { FAKE_TRANSIENT, FAKE_PERSISTENT, FAKE_AFTER };
	unsigned long runs = 0;

	(void)state;
	for (size_t m = 0; m < MCZ_ARRAY_SIZE(modes); m++)
		for (unsigned long n = 1; lost_fault_run(n, modes[m]); n++)
			runs++;
	print_message("lost-supervisor fault matrix: %lu runs with a fault injected\n", runs);
	assert_true(runs > 30);
}

/* A new supervisor adopts a container whose supervisor died (`mcz recover`): pid 1 is not
 * its child, so it waits on a pidfd; pid 1 killed from outside ends the container, status unknown, and
 * the Termination stays for `wait`. */
static void test_usage_cmd__adopted_container_is_supervised_to_its_end(void **state)
{
	struct fake *f = launched_as(&lost_spec, true);
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_container *c = NULL;
	_cleanup_free_ char *term = NULL;
	bool alive = false;
	sigset_t set;

	(void)state;
	mcz_supervised_signals(&set);
	assert_int_equal(sys_sigprocmask(fake_sys(f), SIG_BLOCK, &set, NULL), 0);
	assert_int_equal(mcz_container_load(fake_sys(f), RT, "c1", &c, &err), 0);
	assert_int_equal(mcz_container_adopt(c, &alive, &err), 0);
	assert_true(alive);
	c->adopted = true;
	c->cfg.detached = true;
	fake_schedule_signal(f, (int)fake_now(f) + 1200, 1001, SIGKILL);
	assert_int_equal(mcz_container_supervise(c, &err), 0);
	assert_int_equal(fake_now(f), 1200); /* seen at once: it waits on a pidfd, not a tick */
	assert_non_null(strstr(fake_trace(f), "pidfd_open(1001, 0) = "));
	assert_false(c->term.have_status);
	mcz_container_free(c);
	assert_int_equal(mcz_entry_read(fake_sys(f), RT, "c1", "termination.json", &term, &err), 0);
	assert_string_equal(term, "{\"container_id\":\"c1\",\"killed\":false,\"message\":"
				  "\"Command terminated\"}\n");
	fake_free(f);
}

/* posix launcher: pid 1 is trusted as the leader of its own session, and the container is
 * killed through it. */
static void test_usage_cmd__lost_posix_container_is_destroyed(void **state)
{
	static const struct detached_spec sp = { .isolation = "posix/cpu,posix/mem", .launcher = "posix" };
	struct fake *f = launched_as(&sp, true);
	struct mcz_error err = MCZ_ERROR_INIT;
	bool alive = false;

	(void)state;
	assert_int_equal(destroy_lost(f, &alive, &err), 0);
	assert_true(alive);
	assert_int_equal(fake_nprocs(f), 1);
	fake_free(f);
}

/* Orphan cgroups (`mcz recover`): their processes killed — through the freezer, or one by
 * one from cgroup.procs — and the cgroups removed. */
static void test_usage_cmd__orphan_cgroups_are_killed_and_removed(void **state)
{
	struct fake *f = launched(&lost_spec);
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_hierarchy freezer = { 0 }, memory = { 0 };
	char buf[64];
	int status;

	(void)state;
	assert_int_equal(mcz_hierarchy_find(fake_sys(f), CG, "freezer", &freezer, &err), 0);
	assert_int_equal(mcz_hierarchy_find(fake_sys(f), CG, "memory", &memory, &err), 0);
	assert_int_equal(mcz_cgroup_kill_remove(fake_sys(f), &memory, false, MEM_CG, &err), 0);
	assert_int_equal(sys_cg_read(fake_sys(f), MEM_CG "/cgroup.procs", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sys_waitpid(fake_sys(f), 1001, &status, 0), 1001); /* the test's child */
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(fake_nprocs(f), 1); /* pid 1 and its child: killed */
	assert_int_equal(mcz_cgroup_kill_remove(fake_sys(f), &freezer, true, CG "/freezer/mcz/c1", &err), 0);
	assert_int_equal(sys_cg_read(fake_sys(f), CG "/freezer/mcz/c1/cgroup.procs", buf, sizeof(buf)),
			 -ENOENT);
	mcz_hierarchy_done(&freezer);
	mcz_hierarchy_done(&memory);
	fake_free(f);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_usage_cmd__cgroups_statistics_byte_for_byte),
	cmocka_unit_test(test_usage_cmd__cgroup_v2_usage_and_update),
	cmocka_unit_test(test_usage_cmd__posix_sums_the_processes),
	cmocka_unit_test(test_usage_cmd__update_raises_and_lowers_memory),
	cmocka_unit_test(test_usage_cmd__errors_are_clear_and_change_nothing),
	cmocka_unit_test(test_usage_cmd__fault_matrix),
	cmocka_unit_test(test_usage_cmd__lost_supervisor_is_adopted_and_destroyed),
	cmocka_unit_test(test_usage_cmd__live_supervisor_is_not_adopted),
	cmocka_unit_test(test_usage_cmd__lost_supervisor_and_processes),
	cmocka_unit_test(test_usage_cmd__lost_supervisor_fault_matrix),
	cmocka_unit_test(test_usage_cmd__adopted_container_is_supervised_to_its_end),
	cmocka_unit_test(test_usage_cmd__lost_posix_container_is_destroyed),
	cmocka_unit_test(test_usage_cmd__orphan_cgroups_are_killed_and_removed),
};

SCENARIO_SUITE(usage_cmd, tests, NULL, NULL);
