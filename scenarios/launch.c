/*
 * launch.c — the container life cycle over the fake (SPEC §6, §8): launch → exit → destroy
 * for each isolator combination as golden traces, the destroy order as data, exit codes and
 * signals, stop grace period, child-side failures, bad input, and the exhaustive fault matrix
 * over the whole life cycle (a fault in destroy: the first destroy reports it, a second one
 * completes, nothing leaked).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/frontend/mesos/container_info.h"
#include "core/container/container.h"
#include "core/container/isolator.h"
#include "core/container/launcher.h"
#include "lib/util.h"
#include "scenarios/fault_matrix.h"
#include "scenarios/harness.h"
#include "sys/trace.h"

#define WORK "/var/lib/mcz"
#define SB WORK "/sandboxes/c1"
#define RT "/run/mcz"
#define FREEZER "/sys/fs/cgroup/freezer"
#define OWN "/process_api/abc"

struct launch_spec {
	const char *isolation;
	const char *launcher;
	const char *volumes[3][3]; /* host, container, "ro"/"rw" */
	const char *argv[4];
	const char *user;
	const char *env[3];
	unsigned grace;
	const char *cgroups_root;
	const char *runtime_dir;
	const char *id;
	bool output_to_sandbox; /* `mcz launch`: stdout and stderr into the sandbox */
};

static void add_program(struct fake *f, const char *path, int status, int run_ms, int children,
			uint64_t handles)
{
	struct fake_program p = { .exit_status = status, .run_ms = run_ms, .children = children,
				  .handles = handles };

	assert_int_equal(fake_add_program(f, path, &p), 0);
}

static void world_launch(struct fake *f)
{
	assert_int_equal(fake_add_dir(f, "/tmp", 01777, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, "/proc", 0555, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, WORK "/sandboxes", 0755, 0, 0), 0);
	/* mcz's runtime dir as any earlier run leaves it: the shared skeleton stays */
	assert_int_equal(fake_add_dir(f, RT "/containers", 0755, 0, 0), 0);
	/* its marker, as mcz writes it when it makes the dir (SPEC §11) */
	assert_int_equal(fake_add_file_data(f, RT "/mcz-runtime.json", 0644, 0, 0,
					    "{\"cgroups_roots\": [\"mcz\"]}\n"), 0);
	assert_int_equal(fake_add_dir(f, RT "/pidns", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, "/srv/data", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, "/data", 0755, 0, 0), 0);
	assert_true(fake_add_cgroup_hierarchy(f, FREEZER, "freezer", OWN) >= 0);
	add_program(f, "/bin/true", 0, 0, 0, 0);
	add_program(f, "/bin/exit3", 3 << 8, 0, 0, 0);
	add_program(f, "/bin/segv", SIGSEGV, 0, 0, 0);
	add_program(f, "/usr/bin/sleeper", 0, -1, 2, 0);
	add_program(f, "/usr/bin/worker", 0, 50, 2, 0);
	add_program(f, "/usr/bin/trapper", 0, -1, 0, 1ull << SIGTERM);
	assert_int_equal(fake_add_file(f, "/bin/notexec", 0644, 0, 0), 0);
	assert_int_equal(fake_add_file(f, "/bin/script", 0755, 0, 0), 0);
}

static char **strv_from(const char *const *v, size_t max)
{
	char **out = mcz_xcalloc(max + 1, sizeof(char *));

	for (size_t i = 0; i < max && v[i]; i++)
		out[i] = mcz_xstrdup(v[i]);
	return out;
}

static int config_from(const struct launch_spec *sp, struct mcz_config *cfg, struct mcz_error *err)
{
	struct mcz_container_info ci = { 0 };
	int r;

	cfg->id = mcz_xstrdup(sp->id ? sp->id : "c1");
	cfg->sandbox = mcz_xasprintf(WORK "/sandboxes/%s", cfg->id);
	cfg->runtime_dir = mcz_xstrdup(sp->runtime_dir ? sp->runtime_dir : RT);
	cfg->cgroups_hierarchy = mcz_xstrdup("/sys/fs/cgroup");
	cfg->cgroups_root = mcz_xstrdup(sp->cgroups_root ? sp->cgroups_root : "mcz");
	cfg->user = sp->user ? mcz_xstrdup(sp->user) : NULL;
	cfg->argv = strv_from(sp->argv, 4);
	cfg->env = strv_from(sp->env, 3);
	cfg->stop_grace_period = sp->grace ? sp->grace : 10;
	cfg->output_to_sandbox = sp->output_to_sandbox;
	r = mcz_isolation_parse(sp->isolation, &cfg->isolators, &cfg->n_isolators, err);
	if (r >= 0)
		r = mcz_launcher_parse(sp->launcher ? sp->launcher : "linux", true, &cfg->launcher, err);
	for (size_t i = 0; r >= 0 && i < 3 && sp->volumes[i][0]; i++) {
		_cleanup_free_ char *flag = mcz_xasprintf("%s:%s:%s", sp->volumes[i][0], sp->volumes[i][1],
							  sp->volumes[i][2] ? sp->volumes[i][2] : "rw");

		r = mcz_container_info_add_volume_flag(&ci, flag, err);
	}
	cfg->volumes = ci.volumes;
	cfg->n_volumes = ci.n_volumes;
	return r;
}

/* What `mcz run` does, through the given sys: check, block the supervised signals, launch,
 * supervise, destroy. The result is the Termination and the exit code run would give. */
static int body_run(struct sys *s, const void *data, char **ret_out, void **ret_leftover,
		    struct mcz_error *err)
{
	struct mcz_config cfg = { 0 };
	struct mcz_container *c;
	int r = config_from(data, &cfg, err);

	if (r < 0) {
		mcz_config_done(&cfg);
		return r;
	}
	c = mcz_container_new(s, &cfg);
	r = mcz_container_check(c, err);
	if (r >= 0)
		r = mcz_container_launch(c, err);
	if (r >= 0)
		r = mcz_container_supervise(c, err);
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

/* ---- the isolator combinations ---- */

static const struct launch_spec spec_shared_pid = {
	.isolation = "filesystem/shared,namespaces/pid",
	.volumes = { { "tmp", "/tmp", "rw" }, { "/srv/data", "/data", "ro" } },
	.argv = { "/bin/exit3" },
};
static const struct launch_spec spec_pid = { .isolation = "namespaces/pid", .argv = { "true" } };
static const struct launch_spec spec_shared = {
	.isolation = "filesystem/shared",
	.volumes = { { "tmp", "/tmp", "rw" } },
	.argv = { "/bin/true" },
};
static const struct launch_spec spec_posix_isolators = { .isolation = "posix/cpu,posix/mem",
							  .argv = { "/usr/bin/worker" } };
static const struct launch_spec spec_posix_launcher = { .isolation = "posix/cpu,posix/mem",
							 .launcher = "posix",
							 .argv = { "/usr/bin/worker" } };
static const struct launch_spec spec_user = { .isolation = "filesystem/shared,namespaces/pid",
					       .volumes = { { "tmp", "/tmp", "rw" } },
					       .user = "nobody",
					       .env = { "FOO=bar", "PATH=/usr/bin:/bin" },
					       .argv = { "exit3" } };

#define LAUNCH_SCENARIO(id_, doc_, spec_)                                                       \
	FAULT_SCENARIO(id_, .name = #id_, .doc = doc_, .sandbox = SB, .context = "container 'c1'", \
		       .world = world_launch, .body = body_run, .data = &spec_, .finish = fault_finish_destroy, \
		       .sandbox_persists = true)

LAUNCH_SCENARIO(run_shared_pid, "filesystem/shared + namespaces/pid: private /tmp, RO volume, exit 3",
		spec_shared_pid);
LAUNCH_SCENARIO(run_pid, "namespaces/pid alone, command found on PATH", spec_pid);
LAUNCH_SCENARIO(run_shared, "filesystem/shared alone", spec_shared);
LAUNCH_SCENARIO(run_no_namespaces, "posix isolators on the linux launcher: the freezer kills what "
				   "pid 1 leaves",
		spec_posix_isolators);
LAUNCH_SCENARIO(run_posix_launcher, "the posix launcher: session and descendants killed",
		spec_posix_launcher);
LAUNCH_SCENARIO(run_user, "--user=nobody, --env, PATH search", spec_user);

static const char *const launch_scenarios[] = {
	"run_shared_pid", "run_pid", "run_shared", "run_no_namespaces", "run_posix_launcher", "run_user",
};

static void test_launch__golden_traces(void **state)
{
	(void)state;
	fault_golden_check_all(launch_scenarios, MCZ_ARRAY_SIZE(launch_scenarios));
}

static void test_launch__fault_matrix(void **state)
{
	(void)state;
	fault_matrix_run_all("launch fault matrix", launch_scenarios, MCZ_ARRAY_SIZE(launch_scenarios));
}

/* ---- one run, inspected ---- */

struct outcome {
	struct fake *f;
	int r;
	char *out;
	struct mcz_error err;
	char *before;
};

static void run_spec(const struct launch_spec *sp, struct outcome *o, void (*tweak)(struct fake *f))
{
	void *leftover = NULL;

	*o = (struct outcome){ .f = fake_new(), .err = MCZ_ERROR_INIT };
	world_launch(o->f);
	if (tweak)
		tweak(o->f);
	o->before = fake_snapshot(o->f);
	o->r = body_run(fake_sys(o->f), sp, &o->out, &leftover, &o->err);
	assert_null(leftover);
}

static void outcome_done(struct outcome *o)
{
	fake_free(o->f);
	free(o->out);
	free(o->before);
	mcz_error_done(&o->err);
}

/* Each pattern must appear in the trace after the previous one. */
static void assert_trace_order(const char *trace, const char *const *patterns)
{
	const char *p = trace;

	for (size_t i = 0; patterns[i]; i++) {
		const char *hit = strstr(p, patterns[i]);

		if (!hit)
			fail_msg("'%s' missing after '%s' in the trace:\n%s", patterns[i],
				 i ? patterns[i - 1] : "(start)", trace);
		p = hit + strlen(patterns[i]);
	}
}

static void test_launch__destroy_order_is_spec_order(void **state)
{
	static const char *const order[] = {
		"execve(\"/bin/exit3\"",
		"sigtimedwait(",
		"waitpid(1001,",                                /* pid 1 reaped: its status kept */
		"symlinkat(\"DESTROYING\"",                    /* state DESTROYING */
		"umount2(\"" RT "/pidns/c1\", MNT_DETACH|UMOUNT_NOFOLLOW)", /* namespaces/pid cleanup (reverse order) */
		"unlinkat(AT_FDCWD, \"" RT "/pidns/c1\", 0)",
		"cg_rmdir(\"" FREEZER OWN "/mcz/c1\")",          /* then the launcher's freezer */
		"cg_rmdir(\"" FREEZER OWN "/mcz\")",
		"unlinkat(AT_FDCWD, \"" RT "/containers/c1/state\", 0)", /* runtime state last */
		"unlinkat(AT_FDCWD, \"" RT "/containers/c1\", AT_REMOVEDIR)",
		NULL,
	};
	struct outcome o;

	(void)state;
	run_spec(&spec_shared_pid, &o, NULL);
	assert_int_equal(o.r, 0);
	assert_trace_order(fake_trace(o.f), order);
	outcome_done(&o);
}

static void test_launch__exit_code_and_termination(void **state)
{
	struct outcome o;

	(void)state;
	run_spec(&spec_shared_pid, &o, NULL);
	assert_int_equal(o.r, 0);
	assert_string_equal(o.out, "{\"container_id\":\"c1\",\"status\":768,\"exit_code\":3,\"killed\":false,"
				   "\"message\":\"Command terminated\"}\nexit 3\n");
	/* nothing left outside the sandbox: no process but the supervisor, no cgroup, no runtime
	 * entry, no mount */
	assert_int_equal(fake_nprocs(o.f), 1);
	_cleanup_free_ char *before = fault_snapshot_outside_text(o.before, SB);
	_cleanup_free_ char *after = fault_snapshot_outside(o.f, SB);
	assert_string_equal(before, after);
	outcome_done(&o);
}

static void test_launch__killed_by_signal_exits_128_plus(void **state)
{
	static const struct launch_spec sp = { .isolation = "namespaces/pid", .argv = { "/bin/segv" } };
	struct outcome o;

	(void)state;
	run_spec(&sp, &o, NULL);
	assert_int_equal(o.r, 0);
	assert_non_null(strstr(o.out, "\"signal\":11"));
	assert_non_null(strstr(o.out, "exit 139\n"));
	outcome_done(&o);
}

static void operator_sigterm(struct fake *f)
{
	fake_schedule_signal(f, 100, 1000, SIGTERM);
}

/* pid 1 of a pid namespace does not get a signal it has no handler for from outside
 * (pid_namespaces(7)): the forwarded SIGTERM is dropped and the grace period ends it. */
static void test_launch__stop_grace_period_then_destroy(void **state)
{
	static const struct launch_spec sp = { .isolation = "namespaces/pid",
					       .argv = { "/usr/bin/sleeper" }, .grace = 3 };
	struct outcome o;

	(void)state;
	run_spec(&sp, &o, operator_sigterm);
	assert_int_equal(o.r, 0);
	assert_non_null(strstr(fake_trace(o.f), "kill(1001, SIGTERM) = 0"));
	assert_non_null(strstr(o.out, "\"killed\":true"));
	assert_non_null(strstr(o.out, "stop grace period of 3s"));
	assert_non_null(strstr(o.out, "exit 137\n"));
	assert_true(fake_now(o.f) >= 3100);
	assert_int_equal(fake_nprocs(o.f), 1);
	outcome_done(&o);
}

/* A --stop_grace_period of 40 days (3456000 s: more milliseconds than an int holds) still
 * ends in a destroy after exactly that long: the waits are capped, not overflowed into a
 * negative "wait forever" (SPEC §11: numbers from input are range-checked). */
static void test_launch__huge_stop_grace_period_does_not_overflow(void **state)
{
	static const struct launch_spec sp = { .isolation = "namespaces/pid",
					       .argv = { "/usr/bin/sleeper" }, .grace = 3456000 };
	struct outcome o;

	(void)state;
	run_spec(&sp, &o, operator_sigterm);
	assert_int_equal(o.r, 0);
	assert_non_null(strstr(o.out, "stop grace period of 3456000s"));
	assert_true(fake_now(o.f) >= 3456000LL * 1000);
	assert_true(fake_now(o.f) < 3456000LL * 1000 + 1000);
	assert_int_equal(fake_nprocs(o.f), 1);
	outcome_done(&o);
}

/* A command that handles SIGTERM gets it and exits on its own, before the grace period. */
static void test_launch__forwarded_signal_reaches_a_handler(void **state)
{
	static const struct launch_spec sp = { .isolation = "namespaces/pid",
					       .argv = { "/usr/bin/trapper" } };
	struct outcome o;

	(void)state;
	run_spec(&sp, &o, operator_sigterm);
	assert_int_equal(o.r, 0);
	assert_non_null(strstr(o.out, "\"exit_code\":143,\"killed\":false"));
	assert_non_null(strstr(o.out, "exit 143\n"));
	assert_true(fake_now(o.f) < 1000);
	outcome_done(&o);
}

static void two_sigints(struct fake *f)
{
	fake_schedule_signal(f, 100, 1000, SIGINT);
	fake_schedule_signal(f, 200, 1000, SIGINT);
}

static void test_launch__second_sigint_destroys_at_once(void **state)
{
	static const struct launch_spec sp = { .isolation = "namespaces/pid",
					       .argv = { "/usr/bin/sleeper" } };
	struct outcome o;

	(void)state;
	run_spec(&sp, &o, two_sigints);
	assert_int_equal(o.r, 0);
	assert_non_null(strstr(o.out, "second SIGINT"));
	assert_true(fake_now(o.f) < 1000);
	assert_int_equal(fake_nprocs(o.f), 1);
	outcome_done(&o);
}

/* Without a pid namespace, what pid 1 leaves running is killed through the freezer. */
static void test_launch__freezer_kills_leftover_children(void **state)
{
	struct outcome o;

	(void)state;
	run_spec(&spec_posix_isolators, &o, NULL);
	assert_int_equal(o.r, 0);
	assert_non_null(strstr(fake_trace(o.f), "cg_write(\"" FREEZER OWN "/mcz/c1/freezer.state\", \"FROZEN\")"));
	assert_non_null(strstr(fake_trace(o.f), "cg_write(\"" FREEZER OWN "/mcz/c1/freezer.state\", \"THAWED\")"));
	assert_int_equal(fake_nprocs(o.f), 1);
	outcome_done(&o);
}

static void test_launch__posix_launcher_kills_the_session(void **state)
{
	struct outcome o;

	(void)state;
	run_spec(&spec_posix_launcher, &o, NULL);
	assert_int_equal(o.r, 0);
	assert_null(strstr(fake_trace(o.f), "cg_mkdir"));
	assert_int_equal(fake_nprocs(o.f), 1);
	outcome_done(&o);
}

/* ---- child-side failures: the right message and exit code, nothing left ---- */

struct child_failure {
	const char *name;
	struct launch_spec spec;
	int op;            /* a rule: this op fails ... */
	const char *glob;  /* ... on this path ... */
	int err;           /* ... with this errno (0: no rule) */
	const char *msg;
	int exit_code;     /* what `mcz run` exits with */
};

static const struct child_failure child_failures[] = {
	{ "mount of a volume", { .isolation = "filesystem/shared", .volumes = { { "tmp", "/tmp", "rw" } },
				 .argv = { "/bin/true" } },
	  SYS_OP_move_mount, "/tmp", EPERM,
	  "container 'c1': move_mount '/tmp': Operation not permitted", 125 },
	{ "fresh /proc", { .isolation = "namespaces/pid", .argv = { "/bin/true" } }, SYS_OP_mount, "/proc",
	  EACCES, "container 'c1': mount '/proc': Permission denied", 125 },
	{ "chdir", { .isolation = "namespaces/pid", .argv = { "/bin/true" } }, SYS_OP_chdir, SB, EACCES,
	  "container 'c1': chdir '" SB "': Permission denied", 125 },
	{ "command not found", { .isolation = "namespaces/pid", .argv = { "nonexistent" } }, 0, NULL, 0,
	  "container 'c1': exec 'nonexistent': command not found", 127 },
	{ "absolute command not found", { .isolation = "namespaces/pid", .argv = { "/no/such" } }, 0, NULL, 0,
	  "container 'c1': exec '/no/such': command not found", 127 },
	{ "not executable", { .isolation = "namespaces/pid", .argv = { "/bin/notexec" } }, 0, NULL, 0,
	  "container 'c1': exec '/bin/notexec': Permission denied", 126 },
	{ "no binary format", { .isolation = "namespaces/pid", .argv = { "/bin/script" } }, 0, NULL, 0,
	  "container 'c1': exec '/bin/script': Exec format error", 126 },
	{ "setuid", { .isolation = "namespaces/pid", .user = "nobody", .argv = { "/bin/true" } },
	  SYS_OP_setuid, NULL, EPERM, "container 'c1': setuid 'nobody': Operation not permitted", 125 },
};

static int exit_status_of(const struct mcz_error *err)
{
	if (err->op != SYS_OP_execve)
		return 125;
	return err->errnum == ENOENT ? 127 : 126;
}

static void test_launch__child_failures_are_reported_and_leave_nothing(void **state)
{
	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(child_failures); i++) {
		const struct child_failure *cf = &child_failures[i];
		struct outcome o;
		void *leftover = NULL;

		o = (struct outcome){ .f = fake_new(), .err = MCZ_ERROR_INIT };
		world_launch(o.f);
		o.before = fault_snapshot_outside(o.f, SB);
		if (cf->err)
			fake_on(o.f, cf->op, cf->glob, cf->err, false);
		o.r = body_run(fake_sys(o.f), &cf->spec, &o.out, &leftover, &o.err);
		if (o.r >= 0 || !o.err.msg || strcmp(o.err.msg, cf->msg) != 0)
			fail_msg("case '%s':\n  expected: %s\n  got:      %s", cf->name, cf->msg,
				 o.err.msg ? o.err.msg : "(success)");
		assert_null(leftover);
		assert_int_equal(exit_status_of(&o.err), cf->exit_code);
		/* everything but the sandbox is as before */
		_cleanup_free_ char *after = fault_snapshot_outside(o.f, SB);
		if (strcmp(o.before, after) != 0) {
			_cleanup_free_ char *diff = fault_state_diff(o.before, after);
			fail_msg("case '%s': state changed:\n%s", cf->name, diff);
		}
		outcome_done(&o);
	}
}

/* ---- bad input: exit 125, nothing created ---- */

struct bad_launch {
	const char *name;
	struct launch_spec spec;
	const char *msg;
};

static const struct bad_launch bad_launches[] = {
	{ "unknown isolator", { .isolation = "namespaces/net", .argv = { "/bin/true" } },
	  "unknown or unsupported isolator 'namespaces/net'" },
	{ "duplicate isolator", { .isolation = "namespaces/pid,namespaces/pid", .argv = { "/bin/true" } },
	  "isolator 'namespaces/pid' is given more than once" },
	{ "cgroups without a cpu hierarchy", { .isolation = "cgroups", .argv = { "/bin/true" } },
	  "container 'c1': isolator 'cgroups/cpu': no cgroup v1 'cpu' hierarchy under '/sys/fs/cgroup'" },
	{ "posix launcher with a linux isolator",
	  { .isolation = "namespaces/pid", .launcher = "posix", .argv = { "/bin/true" } },
	  "container 'c1': isolator 'namespaces/pid' needs the linux launcher" },
	{ "bad container id", { .isolation = "", .id = "../x", .argv = { "/bin/true" } },
	  "container id '../x': must start with a letter or a digit" },
	{ "no command", { .isolation = "namespaces/pid" },
	  "container 'c1': no command given (mcz run [FLAGS] -- COMMAND [ARG...])" },
	{ "volumes without filesystem/shared",
	  { .isolation = "namespaces/pid", .volumes = { { "tmp", "/tmp", "rw" } }, .argv = { "/bin/true" } },
	  "container 'c1': volumes need the filesystem/shared isolator" },
	{ "bad volume", { .isolation = "filesystem/shared", .volumes = { { "tmp", "/nonexistent", "rw" } },
			  .argv = { "/bin/true" } },
	  "container 'c1': volume '/nonexistent': container path '/nonexistent' does not exist on the "
	  "host" },
	{ "unknown user", { .isolation = "", .user = "nosuchuser", .argv = { "/bin/true" } },
	  "container 'c1': user 'nosuchuser' does not exist" },
	{ "relative runtime dir", { .isolation = "", .runtime_dir = "run/mcz", .argv = { "/bin/true" } },
	  "container 'c1': flag '--runtime_dir': 'run/mcz' must be an absolute path" },
	{ "cgroups root escaping", { .isolation = "", .cgroups_root = "../../x", .argv = { "/bin/true" } },
	  "container 'c1': flag '--cgroups_root': '../../x' must be a normal path (no '.', '..' or "
	  "empty components, no trailing '/') other than '/'" },
	{ "env without =", { .isolation = "", .env = { "FOO" }, .argv = { "/bin/true" } },
	  "container 'c1': env 'FOO': expected K=V" },
};

static void test_launch__bad_input_exits_125_and_creates_nothing(void **state)
{
	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(bad_launches); i++) {
		const struct bad_launch *bl = &bad_launches[i];
		struct outcome o;

		run_spec(&bl->spec, &o, NULL);
		if (o.r >= 0 || !o.err.msg || strcmp(o.err.msg, bl->msg) != 0)
			fail_msg("case '%s':\n  expected: %s\n  got:      %s", bl->name, bl->msg,
				 o.err.msg ? o.err.msg : "(success)");
		assert_int_equal(exit_status_of(&o.err), 125);
		_cleanup_free_ char *after = fake_snapshot(o.f);
		if (strcmp(o.before, after) != 0) {
			_cleanup_free_ char *diff = fault_state_diff(o.before, after);
			fail_msg("case '%s': state changed:\n%s", bl->name, diff);
		}
		outcome_done(&o);
	}
}

static void stale_runtime_entry(struct fake *f)
{
	assert_int_equal(fake_add_dir(f, RT "/containers/c1", 0700, 0, 0), 0);
}

static void test_launch__existing_runtime_entry_is_refused(void **state)
{
	static const struct launch_spec sp = { .isolation = "namespaces/pid", .argv = { "/bin/true" } };
	struct outcome o;

	(void)state;
	run_spec(&sp, &o, stale_runtime_entry);
	assert_true(o.r < 0);
	assert_string_equal(o.err.msg, "container 'c1': container 'c1' already exists ('" RT "/containers/c1')");
	_cleanup_free_ char *after = fake_snapshot(o.f);
	assert_string_equal(o.before, after);
	outcome_done(&o);
}

/* What the previous command left in its sandbox: a `stdout` that is a hard link to a host
 * file (two links) and a `stderr` that is a symlink to one. */
static void planted_logs(struct fake *f)
{
	assert_int_equal(fake_add_dir(f, "/etc", 0755, 0, 0), 0);
	assert_int_equal(fake_add_file_data(f, "/etc/shadow", 0600, 0, 0, "root:secret\n"), 0);
	assert_int_equal(fake_add_dir(f, WORK "/sandboxes/c1", 0750, 0, 0), 0);
	assert_int_equal(fake_add_file_data(f, WORK "/sandboxes/c1/stdout", 0600, 0, 0, "root:secret\n"), 0);
	assert_int_equal(fake_set_nlink(f, WORK "/sandboxes/c1/stdout", 2), 0);
	assert_int_equal(fake_add_symlink(f, WORK "/sandboxes/c1/stderr", "/etc/shadow"), 0);
}

static void planted_logs_and_live_entry(struct fake *f)
{
	planted_logs(f);
	stale_runtime_entry(f);
}

/* SPEC §11: `mcz launch` removes what is there and creates its log files anew (O_EXCL), so
 * neither the hard link's nor the symlink's target is opened, truncated or written. */
static void test_launch__planted_logs_are_replaced(void **state)
{
	static const struct launch_spec sp = { .isolation = "namespaces/pid", .argv = { "/bin/true" },
					       .output_to_sandbox = true };
	struct outcome o;
	const char *trace;

	(void)state;
	run_spec(&sp, &o, planted_logs);
	assert_int_equal(o.r, 0);
	trace = fake_trace(o.f);
	assert_non_null(strstr(trace, "unlinkat(4</var/lib/mcz/sandboxes/c1>, \"stdout\", 0) = 0"));
	assert_non_null(strstr(trace, "openat(4</var/lib/mcz/sandboxes/c1>, \"stdout\", O_WRONLY|O_CREAT|O_EXCL"));
	assert_non_null(strstr(trace, "unlinkat(4</var/lib/mcz/sandboxes/c1>, \"stderr\", 0) = 0"));
	assert_non_null(strstr(trace, "dup2("));
	_cleanup_free_ char *after = fake_snapshot(o.f);
	assert_non_null(strstr(after, "f 0600 0:0 /etc/shadow size=12"));
	/* new, empty, one link each; the host file as it was */
	assert_non_null(strstr(after, "f 0640 0:0 " WORK "/sandboxes/c1/stdout\n"));
	assert_non_null(strstr(after, "f 0640 0:0 " WORK "/sandboxes/c1/stderr\n"));
	outcome_done(&o);
}

/* A refused launch of a live id touches nothing of that container, its logs included. */
static void test_launch__refused_launch_keeps_the_logs(void **state)
{
	static const struct launch_spec sp = { .isolation = "", .argv = { "/bin/true" },
					       .output_to_sandbox = true };
	struct outcome o;

	(void)state;
	run_spec(&sp, &o, planted_logs_and_live_entry);
	assert_true(o.r < 0);
	assert_string_equal(o.err.msg, "container 'c1': container 'c1' already exists ('" RT "/containers/c1')");
	_cleanup_free_ char *after = fake_snapshot(o.f);
	assert_string_equal(o.before, after);
	outcome_done(&o);
}

/* The pid namespace's children are killed with it: nothing survives pid 1. */
static void test_launch__pid_namespace_children_die_with_pid_1(void **state)
{
	static const struct launch_spec sp = { .isolation = "namespaces/pid", .argv = { "/usr/bin/worker" } };
	struct outcome o;

	(void)state;
	run_spec(&sp, &o, NULL);
	assert_int_equal(o.r, 0);
	assert_non_null(strstr(o.out, "exit 0\n"));
	/* the namespace died with pid 1: no freezer round was needed */
	assert_null(strstr(fake_trace(o.f), "FROZEN"));
	assert_int_equal(fake_nprocs(o.f), 1);
	outcome_done(&o);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_launch__golden_traces),
	cmocka_unit_test(test_launch__destroy_order_is_spec_order),
	cmocka_unit_test(test_launch__exit_code_and_termination),
	cmocka_unit_test(test_launch__killed_by_signal_exits_128_plus),
	cmocka_unit_test(test_launch__stop_grace_period_then_destroy),
	cmocka_unit_test(test_launch__forwarded_signal_reaches_a_handler),
	cmocka_unit_test(test_launch__second_sigint_destroys_at_once),
	cmocka_unit_test(test_launch__freezer_kills_leftover_children),
	cmocka_unit_test(test_launch__posix_launcher_kills_the_session),
	cmocka_unit_test(test_launch__child_failures_are_reported_and_leave_nothing),
	cmocka_unit_test(test_launch__bad_input_exits_125_and_creates_nothing),
	cmocka_unit_test(test_launch__existing_runtime_entry_is_refused),
	cmocka_unit_test(test_launch__huge_stop_grace_period_does_not_overflow),
	cmocka_unit_test(test_launch__planted_logs_are_replaced),
	cmocka_unit_test(test_launch__refused_launch_keeps_the_logs),
	cmocka_unit_test(test_launch__pid_namespace_children_die_with_pid_1),
	cmocka_unit_test(test_launch__fault_matrix),
};

SCENARIO_SUITE(launch, tests, NULL, NULL);
