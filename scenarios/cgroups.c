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

#include "core/container/container.h"
#include "core/state/load.h"
#include "core/container/isolator.h"
#include "core/container/launcher.h"
#include "core/frontend/mesos/resources.h"
#include "lib/util.h"
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
	const char *cgroups_root; /* NULL: "mcz" (below mcz's own cgroup) */
	const char *argv[2];
};

static void add_program(struct fake *f, const char *path, int status, int run_ms)
{
	struct fake_program p = { .exit_status = status, .run_ms = run_ms };

	assert_int_equal(fake_add_program(f, path, &p), 0);
}

static void world_files(struct fake *f)
{
	struct fake_program parent = { .run_ms = 50, .children = 2 };

	assert_int_equal(fake_add_dir(f, "/proc", 0555, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, WORK "/sandboxes", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, RT "/containers", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, RT "/pidns", 0755, 0, 0), 0);
	/* its marker, as mcz writes it when it makes the dir (SPEC §11) */
	assert_int_equal(fake_add_file_data(f, RT "/mcz-runtime.json", 0644, 0, 0,
					    "{\"cgroups_roots\": [\"mcz\", \"/mcz-uml/mcz\"]}\n"), 0);
	add_program(f, "/usr/bin/worker", 0, 50);
	add_program(f, "/usr/bin/sleeper", 0, -1);
	add_program(f, "/usr/bin/oomed", SIGKILL, 100); /* the kernel's OOM killer ends it */
	assert_int_equal(fake_add_program(f, "/usr/bin/daemonizer", &parent), 0);
}

static void world_no_memory(struct fake *f)
{
	world_files(f);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/cpu", "cpu", "/") >= 0);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/cpuacct", "cpuacct", "/") >= 0);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/freezer", "freezer", "/") >= 0);
}

static void world_cgroups(struct fake *f)
{
	world_no_memory(f);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/memory", "memory", OWN_MEM) >= 0);
}

/* cgroup v2 as a manager leaves it for a delegated service, and as the UML harness makes it:
 * mcz runs in the leaf /mcz-uml/runner; its parent gives cpu and memory to its children. */
#define OWN_V2 "/mcz-uml/runner"
#define V2_ROOT "/mcz-uml/mcz"
#define V2_CG CG V2_ROOT "/c1"

static void world_v2(struct fake *f)
{
	int h;

	world_files(f);
	h = fake_add_cgroup_hierarchy(f, CG, "", OWN_V2);
	assert_true(h >= 0);
	assert_int_equal(fake_cgroup2_controllers(f, h, "cpu io memory pids"), 0);
	assert_int_equal(fake_cgroup2_enable(f, CG "/mcz-uml", "cpu memory"), 0);
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
	cfg->cgroups_root = mcz_xstrdup(sp->cgroups_root ? sp->cgroups_root : "mcz");
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

static const struct cg_spec spec_v2 = {
	.isolation = "cgroups/cpu,cgroups/mem,namespaces/pid",
	.resources = "cpus:0.5;mem:64",
	.cfs = true,
	.limit_swap = true,
	.cgroups_root = V2_ROOT,
	.argv = { "/usr/bin/worker" },
};
static const struct cg_spec spec_v2_kill = {
	.isolation = "cgroups/mem",
	.resources = "mem:64",
	.cgroups_root = V2_ROOT,
	.argv = { "/usr/bin/daemonizer" },
};
static const struct cg_spec spec_v2_launcher = { .isolation = "", .argv = { "/usr/bin/daemonizer" } };

#define CGROUPS_V2_SCENARIO(id_, doc_, spec_)                                                   \
	FAULT_SCENARIO(id_, .name = #id_, .doc = doc_, .sandbox = SB, .context = "container 'c1'", \
		       .world = world_v2, .body = body_run, .data = &spec_,                    \
		       .finish = fault_finish_destroy, .sandbox_persists = true)

CGROUPS_V2_SCENARIO(run_cgroups_v2, "cgroup v2: cgroups + namespaces/pid, cpus:0.5;mem:64, CFS, limit "
				    "swap, root " V2_ROOT ": weight 20, max 50000 100000, 64 MB, swap 0",
		    spec_v2);
CGROUPS_V2_SCENARIO(run_cgroups_v2_kill, "cgroup v2: cgroups/mem without a pid namespace; pid 1 exits "
					 "leaving 2 children: cgroup.kill",
		    spec_v2_kill);
CGROUPS_V2_SCENARIO(run_v2_launcher_default_root, "cgroup v2, no cgroups isolator, default root: the "
						  "launcher's cgroup below mcz's own; cgroup.kill",
		    spec_v2_launcher);

static const char *const cgroups_scenarios[] = { "run_cgroups", "run_cgroups_floor",
						 "run_cgroups_no_resources", "run_cgroups_v2",
						 "run_cgroups_v2_kill", "run_v2_launcher_default_root" };

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

/* Supervise c until it ends: its Termination and exit code must be `want`. */
static void supervise_to_end(struct world *w, struct mcz_container *c, const char *want)
{
	_cleanup_free_ char *out = NULL;
	void *leftover = NULL;

	assert_int_equal(supervise(c, &out, &leftover, &w->err), 0);
	assert_null(leftover);
	assert_string_equal(out, want);
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

/* The Termination and exit code of a container destroyed for an OOM kill. */
static char *oom_termination(const char *message)
{
	return mcz_xasprintf("{\"container_id\":\"c1\",\"status\":9,\"signal\":9,\"killed\":true,"
			     "\"reason\":\"REASON_CONTAINER_LIMITATION_MEMORY\",\"message\":\"%s\"}\n"
			     "exit 137\n", message);
}

/* The kernel's OOM killer ended pid 1: found when pid 1 is reaped. */
static void test_cgroups__oom_kill_of_pid_1_is_a_limitation(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/mem", .resources = "mem:64",
					   .argv = { "/usr/bin/oomed" } };
	struct world w;
	_cleanup_free_ char *want = oom_termination(oom_message);

	(void)state;
	world_start(&w, world_cgroups);
	struct mcz_container *c = launched(&w, &sp);
	set_oom(&w);
	supervise_to_end(&w, c, want);
	assert_unchanged(&w, "after the OOM");
	world_done(&w);
}

/* An OOM kill of another process while pid 1 lives on: found by the watch tick, and the
 * container destroyed (pid 1 SIGKILLed: exit 137). */
static void test_cgroups__oom_kill_found_by_the_tick(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/mem,namespaces/pid", .resources = "mem:64",
					   .argv = { "/usr/bin/sleeper" } };
	struct world w;
	_cleanup_free_ char *want = oom_termination(oom_message);

	(void)state;
	world_start(&w, world_cgroups);
	struct mcz_container *c = launched(&w, &sp);
	set_oom(&w);
	supervise_to_end(&w, c, want);
	assert_true(fake_now(w.f) >= 500 && fake_now(w.f) < 1000); /* one tick */
	assert_int_equal(fake_nprocs(w.f), 1);
	assert_unchanged(&w, "after the OOM");
	world_done(&w);
}

static void world_comounted(struct fake *f)
{
	assert_int_equal(fake_add_dir(f, "/proc", 0555, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, WORK "/sandboxes", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, RT "/containers", 0755, 0, 0), 0);
	/* its marker, as mcz writes it when it makes the dir (SPEC §11) */
	assert_int_equal(fake_add_file_data(f, RT "/mcz-runtime.json", 0644, 0, 0,
					    "{\"cgroups_roots\": [\"mcz\"]}\n"), 0);
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

/* ---- cgroup v2 ---- */

static void set_cg_file(struct world *w, const char *path, const char *content)
{
	int r = fake_cgroup_set_file(w->f, path, content);

	if (r < 0)
		fail_msg("set '%s': %s", path, strerror(-r));
}

static void update(struct world *w, struct mcz_container *c, const char *resources)
{
	struct mcz_resources res = { 0 };

	assert_int_equal(mcz_resources_parse(resources, &res, &w->err), 0);
	assert_int_equal(mcz_container_update(c, &res, &w->err), 0);
}

/* The SPEC's numbers in v2's files, pid 1 in the one cgroup, usage from cpu.stat and
 * memory.stat, and update's Mesos semantics (the hard limit only up). */
static void test_cgroups_v2__limits_usage_and_update(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups,namespaces/pid",
					   .resources = "cpus:0.5;mem:64", .cfs = true,
					   .limit_swap = true, .cgroups_root = V2_ROOT,
					   .argv = { "/usr/bin/sleeper" } };
	struct mcz_usage u = { 0 };
	struct world w;
	struct mcz_container *c;
	_cleanup_free_ char *pid = NULL;

	(void)state;
	world_start(&w, world_v2);
	c = launched(&w, &sp);
	pid = mcz_xasprintf("%d\n", (int)c->child.pid);
	assert_file(&w, V2_CG "/cgroup.procs", pid);
	assert_file(&w, CG V2_ROOT "/cgroup.subtree_control", "cpu memory\n");
	assert_file(&w, V2_CG "/cpu.weight", "20\n"); /* 512 shares, as crun maps them */
	assert_file(&w, V2_CG "/cpu.max", "50000 100000\n");
	assert_file(&w, V2_CG "/memory.max", "67108864\n");
	assert_file(&w, V2_CG "/memory.low", "67108864\n");
	assert_file(&w, V2_CG "/memory.swap.max", "0\n");

	set_cg_file(&w, V2_CG "/cpu.stat",
		    "usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\nnr_periods 7\n"
		    "nr_throttled 2\nthrottled_usec 500000\n");
	set_cg_file(&w, V2_CG "/memory.stat", "anon 1048576\nfile 2097152\nfile_mapped 4096\n");
	assert_int_equal(mcz_container_usage(c, &u, &w.err), 0);
	assert_true(u.has_cpu && u.cpus_user_time_secs == 2.0 && u.cpus_system_time_secs == 1.0);
	assert_true(u.has_cpus_nr_periods && u.cpus_nr_periods == 7);
	assert_true(u.has_cpus_nr_throttled && u.cpus_nr_throttled == 2);
	assert_true(u.has_cpus_throttled_time_secs && u.cpus_throttled_time_secs == 0.5);
	assert_true(u.has_rss && u.mem_rss_bytes == 1048576 && u.mem_anon_bytes == 1048576);
	assert_true(u.has_mem_file && u.mem_file_bytes == 2097152);
	assert_true(u.has_mem_mapped_file && u.mem_mapped_file_bytes == 4096);
	assert_true(u.has_mem_limit && u.mem_limit_bytes == 67108864);

	update(&w, c, "mem:128"); /* raising: both limits */
	assert_file(&w, V2_CG "/memory.max", "134217728\n");
	assert_file(&w, V2_CG "/memory.low", "134217728\n");
	update(&w, c, "mem:100"); /* lowering: the soft one only */
	assert_file(&w, V2_CG "/memory.max", "134217728\n");
	assert_file(&w, V2_CG "/memory.low", "104857600\n");
	assert_file(&w, V2_CG "/memory.swap.max", "0\n");
	update(&w, c, "cpus:1");
	assert_file(&w, V2_CG "/cpu.weight", "39\n");
	assert_file(&w, V2_CG "/cpu.max", "100000 100000\n");

	assert_int_equal(mcz_container_destroy(c, &w.err), 0);
	assert_int_equal(mcz_container_destroy(c, &w.err), 0);
	assert_int_equal(fake_nprocs(w.f), 1);
	assert_unchanged(&w, "after destroy");
	mcz_container_free(c);
	world_done(&w);
}

/* The kernel's OOM killer ended pid 1: memory.events counts it (oom_kill), memory.peak says
 * how much was used. */
static void test_cgroups_v2__oom_kill_is_a_limitation(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/mem", .resources = "mem:64",
					   .cgroups_root = V2_ROOT, .argv = { "/usr/bin/oomed" } };
	_cleanup_free_ char *want = oom_termination(
		"Memory limit exceeded: Requested: 64MB Maximum Used: 64MB\\n\\nMEMORY STATISTICS: "
		"\\nanon 67108864\\nfile 0");
	struct world w;

	(void)state;
	world_start(&w, world_v2);
	struct mcz_container *c = launched(&w, &sp);
	set_cg_file(&w, V2_CG "/memory.events",
		    "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n");
	set_cg_file(&w, V2_CG "/memory.peak", "67108864\n");
	set_cg_file(&w, V2_CG "/memory.stat", "anon 67108864\nfile 0\n");
	supervise_to_end(&w, c, want);
	assert_unchanged(&w, "after the OOM");
	world_done(&w);
}

/* The default relative root on v2: mcz's own cgroup holds mcz, so it cannot give memory to
 * children. Refused at check time, nothing made, and the message says what to do. */
static void test_cgroups_v2__relative_root_is_refused_with_what_to_do(void **state)
{
	static const struct cg_spec sp = { .isolation = "cgroups/mem", .resources = "mem:64",
					   .argv = { "/usr/bin/worker" } };
	struct world w;
	char *out = NULL;
	void *leftover = NULL;

	(void)state;
	world_start(&w, world_v2);
	assert_true(body_run(fake_sys(w.f), &sp, &out, &leftover, &w.err) < 0);
	assert_null(leftover);
	assert_string_equal(w.err.msg,
			    "container 'c1': isolator 'cgroups/mem': cgroup v2 controller 'memory' is "
			    "not enabled for the children of mcz's own cgroup '" OWN_V2 "' (its "
			    "cgroup.subtree_control): v2 allows that only in a cgroup without "
			    "processes, and mcz runs in it; run mcz in a leaf cgroup and give an "
			    "absolute --cgroups_root below a cgroup delegated to it");
	assert_unchanged(&w, "after the refusal");
	world_done(&w);
}

/* A v2 hierarchy without the controller (a hybrid host's unified mount): a clear error. */
static void world_v2_bare(struct fake *f)
{
	world_files(f);
	assert_true(fake_add_cgroup_hierarchy(f, CG, "", OWN_V2) >= 0);
}

static void test_cgroups_v2__missing_controller_is_named(void **state)
{
	struct world w;
	char *out = NULL;
	void *leftover = NULL;

	(void)state;
	world_start(&w, world_v2_bare);
	assert_true(body_run(fake_sys(w.f), &spec_v2, &out, &leftover, &w.err) < 0);
	assert_null(leftover);
	assert_string_equal(w.err.msg, "container 'c1': isolator 'cgroups/cpu': no cgroup v1 'cpu' "
					"hierarchy under '" CG "', and the cgroup v2 hierarchy '" CG
					"' has no 'cpu' controller");
	assert_unchanged(&w, "after the refusal");
	world_done(&w);
}

/* ---- malformed /proc files (regressions found by fuzz/fuzz_mountinfo) ---- */

static const char *served_mountinfo, *served_cgroup;

/* The fake with /proc/self/mountinfo and /proc/self/cgroup replaced by the texts above. */
static int serve_proc_read(struct sys *s, const char *path, char *buf, size_t size)
{
	const char *text = strcmp(path, "/proc/self/mountinfo") == 0 ? served_mountinfo
			   : strcmp(path, "/proc/self/cgroup") == 0  ? served_cgroup
								    : NULL;
	size_t n;

	(void)s;
	if (!text)
		return -ENOENT;
	n = strlen(text) < size - 1 ? strlen(text) : size - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return (int)n;
}

static int find_in(const char *mountinfo, const char *cgroup, const char *controller,
		   struct mcz_hierarchy *h, struct mcz_error *err)
{
	struct fake *f = fake_new();
	struct sys_ops ops = *fake_sys(f)->ops;
	struct sys shim = { .ops = &ops, .priv = fake_sys(f)->priv };
	int r;

	ops.proc_read = serve_proc_read;
	served_mountinfo = mountinfo;
	served_cgroup = cgroup;
	r = mcz_hierarchy_find(&shim, "/sys/fs/cgroup", controller, h, err);
	fake_free(f);
	return r;
}

/* A mountinfo line that ends before its mount point (fields 4 and 5 of a cgroup2 line missing)
 * is not a mount: it used to make mcz read a field of the next line, or a NULL one. And an own
 * cgroup of "" ("0::" with nothing after it) is "/", without writing past its one byte. */
static void test_cgroups__malformed_proc_files(void **state)
{
	struct mcz_hierarchy h = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;

	(void)state;
	assert_true(find_in("21 1 0:1 / / rw - ext4 / rw\n22 21 0:2 /\n - cgroup2 cgroup rw\n",
			    "0::/x\n", "memory", &h, &err) < 0);
	assert_non_null(strstr(err.msg, "memory"));
	mcz_error_done(&err);
	assert_true(find_in("21 1 0:1 / / r - ext4 / rw\n22,time - cgroup2 cgroup\\040\n", "0::/\n",
			    "memory", &h, &err) < 0);
	mcz_error_done(&err);
	assert_int_equal(find_in("22 21 0:2 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::\n",
				 "freezer", &h, &err), 0);
	assert_string_equal(h.mount, "/sys/fs/cgroup");
	assert_string_equal(h.own, "/");
	mcz_hierarchy_done(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_cgroups__malformed_proc_files),
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
	cmocka_unit_test(test_cgroups_v2__limits_usage_and_update),
	cmocka_unit_test(test_cgroups_v2__oom_kill_is_a_limitation),
	cmocka_unit_test(test_cgroups_v2__relative_root_is_refused_with_what_to_do),
	cmocka_unit_test(test_cgroups_v2__missing_controller_is_named),
	cmocka_unit_test(test_cgroups__fault_matrix),
};

SCENARIO_SUITE(cgroups, tests, NULL, NULL);
