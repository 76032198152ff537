/*
 * cgroups.c — cgroups/cpu and cgroups/mem over the fake (SPEC §7): a whole `mcz run` with
 * --resources as golden traces (the SPEC's numbers in the files written), the cgroups
 * existing during the run and gone after, an OOM kill becoming a memory limitation, a second
 * destroy, bad input creating nothing, and the fault matrix over the whole life cycle.
 *
 * The world is this machine's layout (reference/machine.md): separate v1 hierarchies for
 * cpu, cpuacct, memory and freezer; mcz runs in a non-root memory cgroup and at the root of
 * the others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/container.h"
#include "core/isolator.h"
#include "core/launcher.h"
#include "core/resources.h"
#include "core/util.h"
#include "scenarios/fault_matrix.h"
#include "scenarios/harness.h"

#define WORK "/var/lib/mcz"
#define SB WORK "/sandboxes/c1"
#define RT "/run/mcz"
#define CG "/sys/fs/cgroup"
#define OWN_MEM "/process_api/abc"
#define CPU_CG CG "/cpu/mcz/c1"
#define CPUACCT_CG CG "/cpuacct/mcz/c1"
#define MEM_CG CG "/memory" OWN_MEM "/mcz/c1"
#define FREEZER_CG CG "/freezer/mcz/c1"

struct cg_spec {
	const char *isolation;
	const char *launcher;
	const char *resources; /* --resources text, parsed as the CLI does */
	bool cfs;
	bool limit_swap;
	const char *argv[2];
};

static void add_program(struct fake *f, const char *path, int status, int run_ms)
{
	struct fake_program p = { .exit_status = status, .run_ms = run_ms };

	assert_int_equal(fake_add_program(f, path, &p), 0);
}

static void world_no_memory(struct fake *f)
{
	assert_int_equal(fake_add_dir(f, "/proc", 0555, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, WORK "/sandboxes", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, RT "/containers", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, RT "/pidns", 0755, 0, 0), 0);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/cpu", "cpu", "/") >= 0);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/cpuacct", "cpuacct", "/") >= 0);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/freezer", "freezer", "/") >= 0);
	add_program(f, "/usr/bin/worker", 0, 50);
	add_program(f, "/usr/bin/sleeper", 0, -1);
	add_program(f, "/usr/bin/oomed", SIGKILL, 100); /* the kernel's OOM killer ends it */
}

static void world_cgroups(struct fake *f)
{
	world_no_memory(f);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/memory", "memory", OWN_MEM) >= 0);
}

static char **strv_from(const char *const *v, size_t max)
{
	char **out = mcz_xcalloc(max + 1, sizeof(char *));

	for (size_t i = 0; i < max && v[i]; i++)
		out[i] = mcz_xstrdup(v[i]);
	return out;
}

static int config_from(const struct cg_spec *sp, struct mcz_config *cfg, struct mcz_error *err)
{
	int r = 0;

	cfg->id = mcz_xstrdup("c1");
	cfg->sandbox = mcz_xstrdup(SB);
	cfg->runtime_dir = mcz_xstrdup(RT);
	cfg->cgroups_hierarchy = mcz_xstrdup(CG);
	cfg->cgroups_root = mcz_xstrdup("mcz");
	cfg->argv = strv_from(sp->argv, 2);
	cfg->stop_grace_period = 10;
	cfg->cgroups_enable_cfs = sp->cfs;
	cfg->cgroups_limit_swap = sp->limit_swap;
	if (sp->resources)
		r = mcz_resources_parse(sp->resources, &cfg->resources, err);
	if (r >= 0)
		r = mcz_isolation_parse(sp->isolation, &cfg->isolators, &cfg->n_isolators, err);
	if (r >= 0)
		r = mcz_launcher_parse(sp->launcher ? sp->launcher : "linux", true, &cfg->launcher, err);
	return r;
}

static int new_checked(struct sys *s, const struct cg_spec *sp, struct mcz_container **ret,
		       struct mcz_error *err)
{
	struct mcz_config cfg = { 0 };
	int r = config_from(sp, &cfg, err);

	*ret = NULL;
	if (r < 0) {
		mcz_config_done(&cfg);
		return r;
	}
	*ret = mcz_container_new(s, &cfg);
	return mcz_container_check(*ret, err);
}

/* Supervise a launched container and describe how it ended. */
static int supervise(struct mcz_container *c, char **ret_out, void **ret_leftover, struct mcz_error *err)
{
	int r = mcz_container_supervise(c, err);

	if (r >= 0) {
		_cleanup_free_ char *json = mcz_termination_json(c->cfg.id, &c->term);

		*ret_out = mcz_xasprintf("%sexit %d\n", json, mcz_termination_exit_code(&c->term));
	}
	if (r < 0 && mcz_container_needs_destroy(c)) {
		*ret_leftover = c;
		return r;
	}
	mcz_container_free(c);
	return r;
}

/* `mcz run`: check, launch, supervise, destroy. */
static int body_run(struct sys *s, const void *data, char **ret_out, void **ret_leftover,
		    struct mcz_error *err)
{
	struct mcz_container *c;
	int r = new_checked(s, data, &c, err);

	if (r >= 0)
		r = mcz_container_launch(c, err);
	if (r >= 0)
		return supervise(c, ret_out, ret_leftover, err);
	if (c && mcz_container_needs_destroy(c)) {
		*ret_leftover = c;
		return r;
	}
	mcz_container_free(c);
	return r;
}

static const struct cg_spec spec_cgroups = {
	.isolation = "cgroups/cpu,cgroups/mem",
	.resources = "cpus:0.5;mem:64",
	.cfs = true,
	.argv = { "/usr/bin/worker" },
};
static const struct cg_spec spec_floor = {
	.isolation = "cgroups,namespaces/pid",
	.resources = "cpus:0.001;mem:16",
	.cfs = true,
	.limit_swap = true,
	.argv = { "/usr/bin/worker" },
};
static const struct cg_spec spec_no_resources = { .isolation = "cgroups/mem,cgroups/cpu",
						  .argv = { "/usr/bin/worker" } };

#define CGROUPS_SCENARIO(id_, doc_, spec_)                                                      \
	FAULT_SCENARIO(id_, .name = #id_, .doc = doc_, .sandbox = SB, .context = "container 'c1'", \
		       .world = world_cgroups, .body = body_run, .data = &spec_,               \
		       .finish = fault_finish_destroy, .sandbox_persists = true)

CGROUPS_SCENARIO(run_cgroups, "cgroups/cpu,cgroups/mem, cpus:0.5;mem:64, CFS: shares 512, quota 50000, "
			      "limit 67108864",
		 spec_cgroups);
CGROUPS_SCENARIO(run_cgroups_floor, "cgroups + namespaces/pid, cpus:0.001;mem:16, CFS, limit swap: "
				    "the floors (shares 10, quota 1000, 32 MB)",
		 spec_floor);
CGROUPS_SCENARIO(run_cgroups_no_resources, "cgroups/mem,cgroups/cpu without --resources: cgroups, no "
					   "limits",
		 spec_no_resources);

static const char *const cgroups_scenarios[] = { "run_cgroups", "run_cgroups_floor",
						 "run_cgroups_no_resources" };

static void test_cgroups__golden_traces(void **state)
{
	(void)state;
	fault_golden_check_all(cgroups_scenarios, MCZ_ARRAY_SIZE(cgroups_scenarios));
}

static void test_cgroups__fault_matrix(void **state)
{
	(void)state;
	fault_matrix_run_all("cgroups fault matrix", cgroups_scenarios, MCZ_ARRAY_SIZE(cgroups_scenarios));
}

/* ---- a launched container, inspected ---- */

struct world {
	struct fake *f;
	struct mcz_error err;
	char *before;
};

static void world_start(struct world *w, void (*build)(struct fake *f))
{
	*w = (struct world){ .f = fake_new(), .err = MCZ_ERROR_INIT };
	build(w->f);
	w->before = fake_snapshot(w->f);
}

static void world_done(struct world *w)
{
	fake_free(w->f);
	free(w->before);
	mcz_error_done(&w->err);
}

static void assert_unchanged(const struct world *w, const char *what)
{
	_cleanup_free_ char *before = fault_snapshot_outside_text(w->before, SB);
	_cleanup_free_ char *after = fault_snapshot_outside(w->f, SB);

	if (strcmp(before, after) != 0) {
		_cleanup_free_ char *diff = fault_state_diff(before, after);

		fail_msg("%s: state changed:\n%s", what, diff);
	}
}

static struct mcz_container *launched(struct world *w, const struct cg_spec *sp)
{
	struct mcz_container *c;

	assert_int_equal(new_checked(fake_sys(w->f), sp, &c, &w->err), 0);
	assert_int_equal(mcz_container_launch(c, &w->err), 0);
	return c;
}

static void assert_file(struct world *w, const char *path, const char *want)
{
	char buf[256];
	int n = sys_cg_read(fake_sys(w->f), path, buf, sizeof(buf));

	if (n < 0)
		fail_msg("read '%s': %s", path, strerror(-n));
	if (strcmp(buf, want) != 0)
		fail_msg("'%s': expected '%s', got '%s'", path, want, buf);
}

static void test_cgroups__limits_are_set_and_joined_during_the_run(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups", .resources = "cpus:0.5;mem:64",
					   .cfs = true, .argv = { "/usr/bin/sleeper" } };
	struct world w;
	struct mcz_container *c;
	_cleanup_free_ char *pid = NULL;

	(void)state;
	world_start(&w, world_cgroups);
	c = launched(&w, &sp);
	pid = mcz_xasprintf("%d\n", (int)c->child.pid);
	assert_file(&w, CPU_CG "/cpu.shares", "512\n");
	assert_file(&w, CPU_CG "/cpu.cfs_period_us", "100000\n");
	assert_file(&w, CPU_CG "/cpu.cfs_quota_us", "50000\n");
	assert_file(&w, MEM_CG "/memory.soft_limit_in_bytes", "67108864\n");
	assert_file(&w, MEM_CG "/memory.limit_in_bytes", "67108864\n");
	/* pid 1 is in every cgroup: cpu, cpuacct, memory and the launcher's freezer */
	assert_file(&w, CPU_CG "/tasks", pid);
	assert_file(&w, CPUACCT_CG "/tasks", pid);
	assert_file(&w, MEM_CG "/tasks", pid);
	assert_file(&w, FREEZER_CG "/tasks", pid);
	/* an operator's destroy: everything goes, a second destroy is a no-op */
	assert_int_equal(mcz_container_destroy(c, &w.err), 0);
	assert_int_equal(mcz_container_destroy(c, &w.err), 0);
	assert_int_equal(fake_nprocs(w.f), 1);
	assert_unchanged(&w, "after destroy");
	mcz_container_free(c);
	world_done(&w);
}

static void set_oom(struct world *w)
{
	assert_int_equal(fake_cgroup_set_file(w->f, MEM_CG "/memory.oom_control",
					      "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n"), 0);
	assert_int_equal(fake_cgroup_set_file(w->f, MEM_CG "/memory.max_usage_in_bytes", "67108864\n"), 0);
	assert_int_equal(fake_cgroup_set_file(w->f, MEM_CG "/memory.stat",
					      "cache 0\nrss 67108864\ntotal_rss 67108864\n"), 0);
}

static const char oom_message[] =
	"Memory limit exceeded: Requested: 64MB Maximum Used: 64MB\\n\\nMEMORY STATISTICS: \\n"
	"cache 0\\nrss 67108864\\ntotal_rss 67108864";

/* The kernel's OOM killer ended pid 1: found when pid 1 is reaped. */
static void test_cgroups__oom_kill_of_pid_1_is_a_limitation(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/mem", .resources = "mem:64",
					   .argv = { "/usr/bin/oomed" } };
	struct world w;
	char *out = NULL;
	void *leftover = NULL;
	_cleanup_free_ char *want = mcz_xasprintf(
		"{\"container_id\":\"c1\",\"status\":9,\"signal\":9,\"killed\":true,"
		"\"reason\":\"REASON_CONTAINER_LIMITATION_MEMORY\",\"message\":\"%s\"}\nexit 137\n",
		oom_message);

	(void)state;
	world_start(&w, world_cgroups);
	struct mcz_container *c = launched(&w, &sp);
	set_oom(&w);
	assert_int_equal(supervise(c, &out, &leftover, &w.err), 0);
	assert_null(leftover);
	assert_string_equal(out, want);
	assert_unchanged(&w, "after the OOM");
	free(out);
	world_done(&w);
}

/* An OOM kill of another process while pid 1 lives on: found by the watch tick, and the
 * container destroyed (pid 1 SIGKILLed: exit 137). */
static void test_cgroups__oom_kill_found_by_the_tick(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/mem,namespaces/pid", .resources = "mem:64",
					   .argv = { "/usr/bin/sleeper" } };
	struct world w;
	char *out = NULL;
	void *leftover = NULL;
	_cleanup_free_ char *want = mcz_xasprintf(
		"{\"container_id\":\"c1\",\"status\":9,\"signal\":9,\"killed\":true,"
		"\"reason\":\"REASON_CONTAINER_LIMITATION_MEMORY\",\"message\":\"%s\"}\nexit 137\n",
		oom_message);

	(void)state;
	world_start(&w, world_cgroups);
	struct mcz_container *c = launched(&w, &sp);
	set_oom(&w);
	assert_int_equal(supervise(c, &out, &leftover, &w.err), 0);
	assert_null(leftover);
	assert_string_equal(out, want);
	assert_true(fake_now(w.f) >= 500 && fake_now(w.f) < 1000); /* one tick */
	assert_int_equal(fake_nprocs(w.f), 1);
	assert_unchanged(&w, "after the OOM");
	free(out);
	world_done(&w);
}

static void world_comounted(struct fake *f)
{
	assert_int_equal(fake_add_dir(f, "/proc", 0555, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, WORK "/sandboxes", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, RT "/containers", 0755, 0, 0), 0);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/cpu,cpuacct", "cpu,cpuacct", "/") >= 0);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/freezer", "freezer", "/") >= 0);
	add_program(f, "/usr/bin/worker", 0, 50);
}

/* systemd's layout: cpu and cpuacct co-mounted: one cgroup serves both, joined once. */
static void test_cgroups__comounted_cpu_cpuacct_is_one_cgroup(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/cpu", .resources = "cpus:2",
					   .argv = { "/usr/bin/worker" } };
	struct world w;
	char *out = NULL;
	void *leftover = NULL;
	const char *trace;

	(void)state;
	world_start(&w, world_comounted);
	assert_int_equal(body_run(fake_sys(w.f), &sp, &out, &leftover, &w.err), 0);
	trace = fake_trace(w.f);
	assert_non_null(strstr(trace, "cg_write(\"" CG "/cpu,cpuacct/mcz/c1/cpu.shares\", \"2048\") = 0"));
	assert_non_null(strstr(trace, "cg_write(\"" CG "/cpu,cpuacct/mcz/c1/tasks\", \"0\") = 0"));
	assert_null(strstr(strstr(trace, "cpu,cpuacct/mcz/c1/tasks") + 1, "cpu,cpuacct/mcz/c1/tasks"));
	assert_null(strstr(trace, "cfs_quota_us")); /* no --cgroups_enable_cfs */
	assert_unchanged(&w, "after the run");
	free(out);
	world_done(&w);
}

/* No --resources: no limit of its own, yet an ancestor's limit can OOM-kill it. */
static void test_cgroups__oom_without_a_limit_says_unlimited(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/mem", .argv = { "/usr/bin/oomed" } };
	struct world w;
	char *out = NULL;
	void *leftover = NULL;

	(void)state;
	world_start(&w, world_cgroups);
	struct mcz_container *c = launched(&w, &sp);
	set_oom(&w);
	assert_int_equal(supervise(c, &out, &leftover, &w.err), 0);
	assert_non_null(strstr(out, "Memory limit exceeded: Requested: unlimited Maximum Used: 64MB"));
	free(out);
	world_done(&w);
}

struct watch_failure {
	const char *name;
	const char *glob; /* cg_read of this file fails ... */
	int err;          /* ... with this errno */
	bool oom;         /* an OOM kill was counted */
	const char *msg;
};

static const struct watch_failure watch_failures[] = {
	{ "oom_control", "*/memory.oom_control", EACCES, false,
	  "container 'c1': watch 'cgroups/mem': read '" MEM_CG "/memory.oom_control': Permission denied" },
	{ "max usage", "*/memory.max_usage_in_bytes", EIO, true,
	  "container 'c1': watch 'cgroups/mem': read '" MEM_CG "/memory.max_usage_in_bytes': "
	  "Input/output error" },
	{ "stat", "*/memory.stat", EACCES, true,
	  "container 'c1': watch 'cgroups/mem': read '" MEM_CG "/memory.stat': Permission denied" },
};

/* A watch that cannot read its files is an error of the supervision, and the container is
 * still destroyed: nothing is left. */
static void test_cgroups__watch_failures_destroy_and_report(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/mem", .resources = "mem:64",
					   .argv = { "/usr/bin/oomed" } };

	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(watch_failures); i++) {
		const struct watch_failure *wf = &watch_failures[i];
		struct world w;
		char *out = NULL;
		void *leftover = NULL;

		world_start(&w, world_cgroups);
		struct mcz_container *c = launched(&w, &sp);
		if (wf->oom)
			set_oom(&w);
		fake_on(w.f, SYS_OP_cg_read, wf->glob, wf->err, false);
		assert_true(supervise(c, &out, &leftover, &w.err) < 0);
		assert_null(leftover);
		if (!w.err.msg || strcmp(w.err.msg, wf->msg) != 0)
			fail_msg("case '%s':\n  expected: %s\n  got:      %s", wf->name, wf->msg,
				 w.err.msg ? w.err.msg : "(success)");
		assert_int_equal(fake_nprocs(w.f), 1);
		assert_unchanged(&w, wf->name);
		world_done(&w);
	}
}

static void sigterm_at_100(struct fake *f)
{
	world_cgroups(f);
	fake_schedule_signal(f, 100, 1000, SIGTERM);
}

/* The watch tick and the stop grace period together: ticks until the grace period ends. */
static void test_cgroups__grace_period_with_watch_ticks(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/mem,namespaces/pid",
					   .argv = { "/usr/bin/sleeper" } };
	struct world w;
	char *out = NULL;
	void *leftover = NULL;
	const char *trace;
	int reads = 0;

	(void)state;
	world_start(&w, sigterm_at_100);
	struct mcz_container *c = launched(&w, &sp);
	c->cfg.stop_grace_period = 2;
	assert_int_equal(supervise(c, &out, &leftover, &w.err), 0);
	assert_non_null(strstr(out, "stop grace period of 2s"));
	assert_non_null(strstr(out, "exit 137\n"));
	assert_true(fake_now(w.f) >= 2100 && fake_now(w.f) < 2600);
	trace = fake_trace(w.f);
	for (const char *p = trace; (p = strstr(p, "memory.oom_control")); p++)
		reads++;
	assert_true(reads >= 4); /* 500, 1000, 1500, 2000 ms */
	free(out);
	world_done(&w);
}

/* A wait that keeps timing out at once (the clock does not move) ends in an error instead
 * of spinning; the container is destroyed. */
static void test_cgroups__early_timeouts_are_bounded(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/mem", .argv = { "/usr/bin/sleeper" } };
	struct world w;
	char *out = NULL;
	void *leftover = NULL;

	(void)state;
	world_start(&w, world_cgroups);
	struct mcz_container *c = launched(&w, &sp);
	fake_on(w.f, SYS_OP_sigtimedwait, NULL, EAGAIN, false);
	assert_true(supervise(c, &out, &leftover, &w.err) < 0);
	assert_null(leftover);
	assert_non_null(strstr(w.err.msg, "it keeps timing out early"));
	assert_int_equal(fake_nprocs(w.f), 1);
	world_done(&w);
}

/* ---- bad input: nothing created ---- */

struct bad_case {
	const char *name;
	struct cg_spec spec;
	void (*world)(struct fake *f);
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "no memory hierarchy", { .isolation = "cgroups/mem", .argv = { "/usr/bin/worker" } },
	  world_no_memory,
	  "container 'c1': isolator 'cgroups/mem': no cgroup v1 'memory' hierarchy under '" CG "'" },
	{ "posix launcher", { .isolation = "cgroups/cpu", .launcher = "posix", .argv = { "/usr/bin/worker" } },
	  world_cgroups, "container 'c1': isolator 'cgroups/cpu' needs the linux launcher" },
	{ "zero cpus", { .isolation = "cgroups/cpu", .resources = "cpus:0", .argv = { "/usr/bin/worker" } },
	  world_cgroups, NULL },
	{ "unknown resource", { .isolation = "cgroups", .resources = "disk:10", .argv = { "/usr/bin/worker" } },
	  world_cgroups, NULL },
	{ "fractional mem", { .isolation = "cgroups", .resources = "mem:1.5", .argv = { "/usr/bin/worker" } },
	  world_cgroups, NULL },
};

static void test_cgroups__bad_input_creates_nothing(void **state)
{
	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct world w;
		char *out = NULL;
		void *leftover = NULL;
		int r;

		world_start(&w, bc->world);
		r = body_run(fake_sys(w.f), &bc->spec, &out, &leftover, &w.err);
		if (r >= 0 || !w.err.msg || (bc->msg && strcmp(w.err.msg, bc->msg) != 0))
			fail_msg("case '%s':\n  expected: %s\n  got:      %s", bc->name,
				 bc->msg ? bc->msg : "(an error)", w.err.msg ? w.err.msg : "(success)");
		assert_null(leftover);
		_cleanup_free_ char *after = fake_snapshot(w.f);
		if (strcmp(w.before, after) != 0) {
			_cleanup_free_ char *diff = fault_state_diff(w.before, after);
			fail_msg("case '%s': state changed:\n%s", bc->name, diff);
		}
		world_done(&w);
	}
}

/* A cgroup of the same name exists (a crashed run): refused, and never removed. */
static void stale_memory_cgroup(struct fake *f)
{
	world_cgroups(f);
	assert_int_equal(sys_cg_mkdir(fake_sys(f), CG "/memory" OWN_MEM "/mcz", 0755), 0);
	assert_int_equal(sys_cg_mkdir(fake_sys(f), MEM_CG, 0755), 0);
}

static void test_cgroups__existing_cgroup_is_refused_and_kept(void **state)
{
	struct world w;
	char *out = NULL;
	void *leftover = NULL;

	(void)state;
	world_start(&w, stale_memory_cgroup);
	assert_true(body_run(fake_sys(w.f), &spec_cgroups, &out, &leftover, &w.err) < 0);
	assert_null(leftover);
	assert_string_equal(w.err.msg, "container 'c1': prepare 'cgroups/mem': memory cgroup '" MEM_CG
					"' already exists (run 'mcz recover')");
	assert_unchanged(&w, "after the refusal");
	world_done(&w);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_cgroups__golden_traces),
	cmocka_unit_test(test_cgroups__limits_are_set_and_joined_during_the_run),
	cmocka_unit_test(test_cgroups__oom_kill_of_pid_1_is_a_limitation),
	cmocka_unit_test(test_cgroups__oom_kill_found_by_the_tick),
	cmocka_unit_test(test_cgroups__comounted_cpu_cpuacct_is_one_cgroup),
	cmocka_unit_test(test_cgroups__oom_without_a_limit_says_unlimited),
	cmocka_unit_test(test_cgroups__watch_failures_destroy_and_report),
	cmocka_unit_test(test_cgroups__grace_period_with_watch_ticks),
	cmocka_unit_test(test_cgroups__early_timeouts_are_bounded),
	cmocka_unit_test(test_cgroups__bad_input_creates_nothing),
	cmocka_unit_test(test_cgroups__existing_cgroup_is_refused_and_kept),
	cmocka_unit_test(test_cgroups__fault_matrix),
};

SCENARIO_SUITE(cgroups, tests, NULL, NULL);
