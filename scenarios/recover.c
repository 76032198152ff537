/*
 * recover.c — `mcz recover` over the fake (SPEC §9; core/recover.c): one world holding every
 * case at once — a live container, a lost one whose processes run (adopted), a lost one whose
 * processes are gone (destroyed, its Termination kept), an ended one with a stale lock, a
 * half-made entry, the orphans of a container whose entry vanished (cgroups in every
 * hierarchy with its processes, a bind-mounted pidns handle), a nested stray cgroup, and a
 * cgroup outside mcz's root — the exact report, the end state, a second recover that has
 * nothing left to do, and the fault matrix over recover itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/container/container.h"
#include "core/state/entry.h"
#include "core/base/fsutil.h"
#include "core/state/load.h"
#include "lib/json.h"
#include "core/recover/recover.h"
#include "core/state/runtime.h"
#include "lib/util.h"
#include "fakes/fake.h"
#include "scenarios/detached.h"
#include "scenarios/fault_matrix.h"
#include "scenarios/harness.h"

#define RT DETACHED_RT
#define CG DETACHED_CG
#define ADOPTED_PID 4242 /* what the test's adopt callback reports as the new supervisor */

static const struct detached_spec spec = { .isolation = "namespaces/pid,cgroups,posix/cpu",
					   .resources = "cpus:0.5;mem:64", .cfs = true };

/* The posix launcher: no cgroup; pid 1 is known as the leader of its session. */
static const struct detached_spec posix_spec = { .isolation = "posix/cpu,posix/mem", .launcher = "posix" };

struct world {
	struct fake *f;
	pid_t live, lost, lost_posix, orphan; /* their pid 1 */
};

static void write_file(struct fake *f, const char *dir, const char *name, const char *text)
{
	struct mcz_error err = MCZ_ERROR_INIT;

	assert_int_equal(mcz_mkdir_p(fake_sys(f), dir, 0700, NULL, &err), 0);
	assert_int_equal(mcz_write_atomic(fake_sys(f), dir, name, text, &err), 0);
}

/* Drain the SIGCHLDs of processes the test killed (the fake's supervisor process is also the
 * dead supervisors' stand-in), so that states compare on what recover did. */
static void drain_sigchld(struct fake *f)
{
	sigset_t chld;
	siginfo_t info;
	int status;

	while (sys_waitpid(fake_sys(f), -1, &status, WNOHANG) > 0)
		;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	while (sys_sigtimedwait(fake_sys(f), &chld, &info, 0) > 0)
		;
}

/* A launched container whose supervisor is another process, alive: its lock and pid 1 are
 * that process's. */
static pid_t launch_elsewhere(struct fake *f, const char *id, const struct detached_spec *sp)
{
	struct mcz_container *c = detached_start(f, id, sp);
	pid_t pid1 = c->child.pid;

	fake_give_fd(f, c->lock_fd, pid1);
	c->lock_fd = -1;
	mcz_container_free(c);
	return pid1;
}

/* The world of the v1 tests, or (v2_world) the same on one cgroup2 hierarchy with mcz's root
 * at /mcz-uml/mcz (orphans killed through cgroup.kill there). */
static bool v2_world;

static void build_in(struct fake *f, struct world *w)
{
	struct detached_spec sp = spec;
	struct mcz_error err = MCZ_ERROR_INIT;
	pid_t dead;
	int status;

	sp.v2 = v2_world;
	detached_world(f, v2_world);
	assert_int_equal(fake_add_dir(f, RT "/pidns", 0755, 0, 0), 0);
	w->live = launch_elsewhere(f, "live", &sp);
	w->lost = detached_launch(f, "lost", &sp, true);
	w->lost_posix = detached_launch(f, "lostposix", &posix_spec, true);
	dead = detached_launch(f, "dead", &sp, true);
	assert_int_equal(sys_kill(fake_sys(f), dead, SIGKILL), 0);
	assert_int_equal(sys_waitpid(fake_sys(f), dead, &status, 0), dead);
	/* Ended, and a destroy stopped before its last step: a stale lock and a temporary. */
	write_file(f, RT "/containers/ended", "termination.json",
		   "{\"container_id\":\"ended\",\"status\":0,\"killed\":false,\"message\":\"Command "
		   "terminated\"}\n");
	write_file(f, RT "/containers/ended", "lock", "");
	write_file(f, RT "/containers/ended", "state.tmp", "");
	/* Half made: `mcz launch` crashed after taking the lock, before config.json. */
	write_file(f, RT "/containers/half", "lock", "");
	/* The entry of a running container vanished (say, removed by hand): its cgroups and pidns
	 * handle are orphans, its processes still run in them. */
	w->orphan = detached_launch(f, "orphan", &sp, true);
	assert_int_equal(mcz_runtime_remove_leftover(fake_sys(f), RT "/containers/orphan", &err), 0);
	/* A nested stray below the root; a cgroup outside it, which is not mcz's. */
	assert_int_equal(sys_cg_mkdir(fake_sys(f), v2_world ? CG "/mcz-uml/mcz/stray" : CG "/cpu/mcz/stray", 0755), 0);
	assert_int_equal(sys_cg_mkdir(fake_sys(f), v2_world ? CG "/mcz-uml/other" : CG "/memory/other", 0755), 0);
	assert_int_equal(sys_cg_mkdir(fake_sys(f), v2_world ? CG "/mcz-uml/mcz/stray/sub" : CG "/cpu/mcz/stray/sub", 0755), 0);
	drain_sigchld(f);
}

static struct world build(void)
{
	struct world w = { .f = fake_new() };

	build_in(w.f, &w);
	return w;
}

/* The new supervisors the callback started: the lock goes to a process of its own (the
 * CLI forks one), which a crash of recover leaves alive; the test destroys the container
 * later, with faults off, as that supervisor would. */
struct adopted {
	struct mcz_container *v[8];
	pid_t holder[8];
	size_t n;
};

static int keep_adopted(struct mcz_container *c, void *arg, pid_t *ret_pid, struct mcz_error *err)
{
	struct adopted *a = arg;
	struct fake *f = c->s->priv;

	(void)err;
	assert_true(a->n < MCZ_ARRAY_SIZE(a->v));
	a->holder[a->n] = fake_give_fd(f, c->lock_fd, 0);
	c->lock_fd = -1;
	/* The fake's adopting supervisor holds the lock only; its destroy pins pid 1 anew. */
	int pidfd = c->pidfd;

	c->pidfd = -1;
	a->v[a->n++] = c;
	if (pidfd >= 0)
		(void)sys_close(c->s, pidfd);
	*ret_pid = ADOPTED_PID;
	return 0;
}

static int recover(struct fake *f, struct adopted *a, char **ret_report, struct mcz_error *err)
{
	struct mcz_recover_opts o = { .runtime_dir = RT, .cgroups_hierarchy = CG,
				      .cgroups_root = v2_world ? "/mcz-uml/mcz" : "mcz",
				      .adopt = keep_adopted, .arg = a };
	json_t *report = NULL;
	int r = mcz_recover(fake_sys(f), &o, &report, err);

	*ret_report = mcz_json_dump(report, JSON_COMPACT | JSON_PRESERVE_ORDER, true);
	return r;
}

/* What the adopted containers' supervisors would do when told to destroy them. */
static void destroy_adopted(struct fake *f, struct adopted *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct mcz_error err = MCZ_ERROR_INIT;

		if (mcz_container_destroy(a->v[i], &err) < 0)
			fail_msg("destroy of adopted '%s': %s", a->v[i]->cfg.id, err.msg);
		mcz_container_free(a->v[i]);
		assert_int_equal(sys_kill(fake_sys(f), a->holder[i], SIGKILL), 0); /* it exits */
	}
	a->n = 0;
	drain_sigchld(f);
}

/* The state after one fault-free recover and the destroy of what it adopted. */
static char *reference_state(void)
{
	struct world w = build();
	struct adopted a = { .n = 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *report = NULL;
	char *snap;

	assert_int_equal(recover(w.f, &a, &report, &err), 0);
	destroy_adopted(w.f, &a);
	snap = fault_snapshot_outside(w.f, DETACHED_SANDBOXES);
	fake_free(w.f);
	return snap;
}

static void assert_exists(struct fake *f, const char *path, bool want)
{
	struct stat st;

	if ((fake_lstat(f, path, &st) == 0) != want)
		fail_msg("'%s' should %sexist", path, want ? "" : "not ");
}

static void assert_cgroup(struct fake *f, const char *path, bool want)
{
	char buf[256];
	_cleanup_free_ char *procs = mcz_xasprintf("%s/cgroup.procs", path);

	if ((sys_cg_read(fake_sys(f), procs, buf, sizeof(buf)) >= 0) != want)
		fail_msg("cgroup '%s' should %sexist", path, want ? "" : "not ");
}

/* SPEC §11: a runtime dir that is not mcz's — here the world's own, its marker removed, as
 * a mistyped --runtime_dir would be — is refused before anything is done: every container
 * (live or lost) and every cgroup under the root left as it was. */
static void test_recover__refuses_a_runtime_dir_without_marker(void **state)
{
	struct world w = build();
	struct fake *f = w.f;
	struct adopted a = { .n = 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *report = NULL, *before = NULL, *after = NULL;

	(void)state;
	assert_int_equal(sys_unlinkat(fake_sys(f), AT_FDCWD, RT "/" MCZ_RUNTIME_MARKER, 0), 0);
	before = fake_snapshot(f);
	assert_int_equal(recover(f, &a, &report, &err), -ENOENT);
	assert_string_equal(err.msg, "recover: runtime dir '" RT "' has no marker 'mcz-runtime.json': "
				     "it is not a runtime dir mcz made (a wrong --runtime_dir would make "
				     "every container an orphan)");
	assert_int_equal((int)a.n, 0);
	after = fake_snapshot(f);
	assert_string_equal(before, after);
	assert_int_equal(fake_proc_state(f, w.live, NULL), 'R');
	assert_int_equal(fake_proc_state(f, w.orphan, NULL), 'R');
	mcz_error_done(&err);
	/* writable by others: refused too */
	assert_int_equal(sys_fchmodat(fake_sys(f), AT_FDCWD, RT, 0777, 0), 0);
	free(report);
	report = NULL;
	assert_int_equal(recover(f, &a, &report, &err), -EPERM);
	assert_non_null(strstr(err.msg, "must belong to uid 0 and be writable by no one else"));
	mcz_error_done(&err);
	fake_free(f);
}

/* SPEC §11: an adopted pid 1 (not our child: its number could be reused) is pinned by a pidfd,
 * verified once pinned, and killed through that fd only, never by its number. */
static void test_recover__adopted_pid1_is_killed_through_a_pidfd(void **state)
{
	struct world w = build();
	struct fake *f = w.f;
	struct adopted a = { .n = 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *report = NULL, *by_number = NULL;
	const char *trace;

	(void)state;
	if (recover(f, &a, &report, &err) < 0)
		fail_msg("recover: %s\n%s", err.msg, report);
	assert_string_equal(a.v[0]->cfg.id, "lost");
	fake_trace_clear(f);
	destroy_adopted(f, &a);
	trace = fake_trace(f);
	by_number = mcz_xasprintf("kill(%d, SIGKILL)", (int)w.lost);
	assert_non_null(strstr(trace, "pidfd_open("));
	assert_non_null(strstr(trace, "pidfd_send_signal("));
	assert_non_null(strstr(trace, ", SIGKILL, 0) = 0"));
	assert_null(strstr(trace, by_number));
	assert_int_equal(fake_proc_state(f, w.lost, NULL), 0);
	fake_free(f);
}

/* A "pidns handle" that is a symlink to a mount of the host is removed, never followed to
 * unmount what it points at (UMOUNT_NOFOLLOW, and only an nsfs handle is unmounted). */
static void test_recover__pidns_symlink_is_not_followed(void **state)
{
	struct world w = build();
	struct fake *f = w.f;
	struct adopted a = { .n = 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *report = NULL, *snap = NULL;

	(void)state;
	assert_int_equal(fake_add_dir(f, "/victim", 0755, 0, 0), 0);
	assert_int_equal(fake_add_mount(f, "/victim", MS_NOSUID), 0);
	assert_int_equal(fake_add_symlink(f, RT "/pidns/evil", "/victim"), 0);
	if (recover(f, &a, &report, &err) < 0)
		fail_msg("recover: %s\n%s", err.msg, report);
	assert_exists(f, RT "/pidns/evil", false);
	snap = fake_snapshot(f);
	assert_non_null(strstr(snap, "mount /victim "));
	assert_null(strstr(fake_trace(f), "umount2(\"" RT "/pidns/evil\""));
	destroy_adopted(f, &a);
	fake_free(f);
}

static void test_recover__every_case_in_one_world(void **state)
{
	struct world w = build();
	struct fake *f = w.f;
	struct adopted a = { .n = 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *report = NULL, *again = NULL;
	unsigned long calls = fake_calls(f);

	(void)state;
	if (recover(f, &a, &report, &err) < 0)
		fail_msg("recover: %s\n%s", err.msg, report);
	print_message("recover of 9 cases: %lu calls\n", fake_calls(f) - calls);
	assert_golden("recover_report", report);
	/* Adopted: the same processes, now the new supervisor's (its lock held). */
	assert_int_equal((int)a.n, 2);
	assert_string_equal(a.v[0]->cfg.id, "lost");
	assert_string_equal(a.v[1]->cfg.id, "lostposix");
	assert_int_equal(fake_proc_state(f, w.lost, NULL), 'R');
	assert_int_equal(fake_proc_state(f, w.lost_posix, NULL), 'R');
	/* The live one untouched; the orphan's processes killed; the outsider kept. */
	assert_int_equal(fake_proc_state(f, w.live, NULL), 'R');
	assert_exists(f, RT "/containers/live/config.json", true);
	assert_cgroup(f, CG "/freezer/mcz/live", true);
	drain_sigchld(f); /* pid 1's zombie: the fake's supervisor stands in for its dead parent */
	assert_int_equal(fake_proc_state(f, w.orphan, NULL), 0);
	assert_cgroup(f, CG "/freezer/mcz/orphan", false);
	assert_cgroup(f, CG "/memory/mcz/orphan", false);
	assert_cgroup(f, CG "/cpu/mcz/stray", false);
	assert_cgroup(f, CG "/memory/other", true);
	assert_exists(f, RT "/pidns/orphan", false);
	/* Destroyed and ended keep only their Termination; the half-made entry is gone. */
	assert_exists(f, RT "/containers/dead/termination.json", true);
	assert_exists(f, RT "/containers/dead/config.json", false);
	assert_exists(f, RT "/containers/ended/termination.json", true);
	assert_exists(f, RT "/containers/ended/lock", false);
	assert_exists(f, RT "/containers/half", false);
	/* A second recover: the adopted container is alive now, nothing else to do. */
	assert_int_equal(recover(f, &a, &again, &err), 0);
	assert_string_equal(again, "{\"alive\":[\"live\",\"lost\",\"lostposix\"],\"ended\":[\"dead\",\"ended\"],"
				   "\"adopted\":[],\"destroyed\":[],\"removed\":[],\"errors\":[]}\n");
	destroy_adopted(f, &a);
	assert_int_equal(fake_proc_state(f, w.lost, NULL), 0);
	assert_int_equal(fake_proc_state(f, w.lost_posix, NULL), 0);
	assert_int_equal(fake_open_fds(f), 0);
	fake_free(f);
}

/* An error message names what it was about, the step and the path. (Not always the injected
 * errno: an ENOENT read as "already gone" can surface as the EBUSY of the rmdir after it.) */
static void assert_errors_clear(const char *report, unsigned long n, int mode)
{
	json_error_t jerr;
	json_t *o = json_loads(report, 0, &jerr);
	json_t *errors = json_object_get(o, "errors"), *e;
	size_t i;

	assert_non_null(errors);
	if (json_array_size(errors) == 0)
		fail_msg("call %lu (mode %d): recover failed with no error in its report", n, mode);
	json_array_foreach (errors, i, e) {
		const char *msg = json_string_value(e);

		if (!msg || (strncmp(msg, "container '", 11) != 0 && strncmp(msg, "orphan ", 7) != 0 &&
			     strncmp(msg, "pidns handle '", 14) != 0 && strncmp(msg, "cgroup '", 8) != 0 &&
			     strncmp(msg, "runtime dir: ", 13) != 0 && strncmp(msg, "cgroups root: ", 14) != 0) ||
		    !strstr(msg, " '/"))
			fail_msg("call %lu (mode %d): unclear error: %s", n, mode, msg ? msg : "(null)");
	}
	json_decref(o);
}

/* Call n of recover fails (mode); then a fault-free recover must finish the job: the same
 * end state as a recover that never failed. Returns whether a fault fired. */
static bool fault_run(const char *ref, unsigned long n, enum fake_fault_mode mode,
		      unsigned long *ret_failed)
{
	struct world w = build();
	struct fake *f = w.f;
	struct adopted a = { .n = 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *report = NULL, *second = NULL, *got = NULL;
	bool injected;
	int r;

	fake_fail_nth(f, n, mode, 0);
	r = recover(f, &a, &report, &err);
	injected = fake_faults_injected(f) > 0; /* before fake_disarm(), which resets it */
	fake_disarm(f);
	if (r < 0 && !(err.msg && strstr(err.msg, " error(s) (see \"errors\" in the report)"))) {
		/* The runtime dir or its marker could not be read: refused before anything was
		 * done, with one error naming it. */
		if (!err.msg || strncmp(err.msg, "recover: ", 9) != 0 || !strstr(err.msg, "'" RT))
			fail_msg("call %lu (mode %d): unclear refusal: %s", n, mode,
				 err.msg ? err.msg : "(null)");
		(*ret_failed)++;
	} else if (r < 0) {
		assert_int_equal(r, -EIO);
		assert_errors_clear(report, n, mode);
		(*ret_failed)++;
	}
	mcz_error_done(&err);
	destroy_adopted(f, &a); /* adopted containers' supervisors at work meanwhile */
	if (recover(f, &a, &second, &err) < 0)
		fail_msg("call %lu (mode %d): the second recover failed: %s\n%s", n, mode, err.msg, second);
	destroy_adopted(f, &a);
	got = fault_snapshot_outside(f, DETACHED_SANDBOXES);
	if (strcmp(ref, got) != 0) {
		_cleanup_free_ char *diff = fault_state_diff(ref, got);

		fail_msg("call %lu (mode %d): after a faulty recover and a second one:\n%s\nfirst "
			 "report: %s", n, mode, diff, report);
	}
	fake_free(f);
	return injected;
}

/* Every call of recover failing in turn, in each mode, over the v1 or the v2 world. */
static void fault_matrix(bool v2)
{
	static const enum fake_fault_mode modes[] = { FAKE_TRANSIENT, FAKE_PERSISTENT, FAKE_AFTER };
	_cleanup_free_ char *ref = NULL;
	unsigned long runs = 0, failed = 0;

	v2_world = v2;
	ref = reference_state();
	for (size_t m = 0; m < MCZ_ARRAY_SIZE(modes); m++)
		for (unsigned long n = 1; fault_run(ref, n, modes[m], &failed); n++)
			runs++;
	v2_world = false;
	print_message("recover fault matrix%s: %lu runs with a fault injected, %lu reported errors\n",
		      v2 ? " (v2)" : "", runs, failed);
	assert_true(runs > 300);
}

static void test_recover__fault_matrix(void **state)
{
	(void)state;
	fault_matrix(false);
}

/* The same world on cgroup v2: one cgroup per container, orphans killed by cgroup.kill. */
static void test_recover__v2_every_case(void **state)
{
	struct world w;
	struct adopted a = { .n = 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *report = NULL;

	(void)state;
	v2_world = true;
	w = build();
	if (recover(w.f, &a, &report, &err) < 0)
		fail_msg("recover: %s\n%s", err.msg, report);
	assert_golden("recover_report_v2", report);
	assert_int_equal(fake_proc_state(w.f, w.live, NULL), 'R');
	assert_cgroup(w.f, CG "/mcz-uml/mcz/live", true);
	drain_sigchld(w.f);
	assert_int_equal(fake_proc_state(w.f, w.orphan, NULL), 0);
	assert_cgroup(w.f, CG "/mcz-uml/mcz/orphan", false);
	assert_cgroup(w.f, CG "/mcz-uml/mcz/stray", false);
	assert_cgroup(w.f, CG "/mcz-uml/other", true);
	destroy_adopted(w.f, &a);
	assert_int_equal(fake_proc_state(w.f, w.lost, NULL), 0);
	fake_free(w.f);
	v2_world = false;
}

static void test_recover__v2_fault_matrix(void **state)
{
	(void)state;
	fault_matrix(true);
}

/* ---- `mcz destroy` of a live container: the request reaches its supervisor ---- */

/* sigqueue(SIGTERM, MCZ_DESTROY_REQUEST) ends the supervision at once: killed, "Container
 * destroyed", the Termination kept for `wait` (detached), nothing else of the container left.
 * (A plain SIGTERM would be forwarded to pid 1 and start the stop grace period instead.) */
static void test_recover__destroy_request_ends_supervision(void **state)
{
	static const struct detached_spec sp = { .isolation = "namespaces/pid,cgroups,posix/cpu",
						 .resources = "cpus:0.5;mem:64", .cfs = true };
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_container *c;
	_cleanup_free_ char *term = NULL;

	(void)state;
	detached_world(f, false);
	assert_int_equal(fake_add_dir(f, RT "/pidns", 0755, 0, 0), 0);
	c = detached_start(f, "c", &sp);
	c->cfg.detached = true;
	fake_schedule_sigqueue(f, 300, 1000, SIGTERM, MCZ_DESTROY_REQUEST);
	assert_int_equal(mcz_container_supervise(c, &err), 0);
	assert_int_equal((int)fake_now(f), 300);
	assert_true(c->term.killed);
	mcz_container_free(c);
	assert_int_equal(mcz_entry_read(fake_sys(f), RT, "c", "termination.json", &term, &err), 0);
	assert_string_equal(term, "{\"container_id\":\"c\",\"status\":9,\"signal\":9,\"killed\":true,"
				  "\"message\":\"Container destroyed\"}\n");
	drain_sigchld(f);
	assert_int_equal(fake_nprocs(f), 1);
	fake_free(f);
}

/* ---- crash at call N (fake_crash_at): mcz dies at every step, then `mcz recover` ---- */

#include <unistd.h>

#define NO_CRASH 3 /* a crash run's exit status when call N was never made */

struct crash_case {
	const char *name;
	/* The world before the operation (a bystander already running); the operation itself;
	 * the world once it is done (the baseline a recover after any crash must reach). */
	void (*world)(struct fake *f);
	void (*operation)(struct fake *f);
	void (*done)(struct fake *f);
	const char *bystander; /* the container that must stay alive and untouched */
};

struct crash_ctx {
	const struct crash_case *cc;
	const char *baseline;
	unsigned long n;
	bool after;
};

static pid_t bystander_pid1, bystander_supervisor;

/* Another container, whose supervisor is another process: a crash must not touch it. */
static void with_bystander(struct fake *f)
{
	struct mcz_container *c;

	detached_world(f, false);
	assert_int_equal(fake_add_dir(f, RT "/pidns", 0755, 0, 0), 0);
	c = detached_start(f, "by", &spec);
	bystander_pid1 = c->child.pid;
	bystander_supervisor = fake_give_fd(f, c->lock_fd, c->child.pid);
	c->lock_fd = -1;
	mcz_container_free(c);
}

/* `mcz launch` + the supervisor to the end: launch, pid 1 exits 3 by itself, the destroy. */
static void launch_to_destroy(struct fake *f)
{
	static const struct detached_spec sp = { .isolation = "namespaces/pid,cgroups,posix/cpu",
						 .resources = "cpus:0.5;mem:64", .cfs = true,
						 .program = "/usr/bin/short" };
	struct mcz_container *c = detached_start(f, "c", &sp);
	struct mcz_error err = MCZ_ERROR_INIT;

	if (mcz_container_supervise(c, &err) < 0)
		fail_msg("supervise: %s", err.msg);
	mcz_container_free(c);
}

/* `mcz destroy` of a container whose supervisor died: load, adopt, destroy. */
static void destroy_after_supervisor_died(struct fake *f)
{
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_container *c = NULL;
	bool alive;

	if (mcz_container_load(fake_sys(f), RT, "c", &c, &err) < 0 ||
	    mcz_container_adopt(c, &alive, &err) < 0 || mcz_container_destroy(c, &err) < 0)
		fail_msg("destroy: %s", err.msg);
	mcz_container_free(c);
}

/* A container whose supervisor died (its pid 1 now host init's child). */
static void with_lost_container(struct fake *f)
{
	struct mcz_container *c;

	with_bystander(f);
	c = detached_start(f, "c", &spec);
	assert_int_equal(sys_close(fake_sys(f), c->lock_fd), 0);
	c->lock_fd = -1;
	/* Its own supervisor, dead: pid 1 goes to host init. */
	assert_int_equal(sys_kill(fake_sys(f), fake_give_fd(f, -1, c->child.pid), SIGKILL), 0);
	mcz_container_free(c);
}

/* What a recover that crashed had adopted (the crash_run process's, so after_crash finds it). */
static struct adopted crashed_adopted;

/* What an operator does with recover's report: `mcz destroy` of what it adopted (its new
 * supervisor's destroy) and of what ended or it destroyed (the Termination read, the entry
 * removed). */
static int operator_cleanup(struct fake *f, struct adopted *a, json_t *report, struct mcz_error *err)
{
	static const char *const keys[] = { "ended", "destroyed" };
	json_t *e;
	size_t i;
	int r = 0;

	destroy_adopted(f, a);
	for (size_t k = 0; r >= 0 && k < MCZ_ARRAY_SIZE(keys); k++)
		json_array_foreach (json_object_get(report, keys[k]), i, e) {
			_cleanup_free_ char *dir = mcz_runtime_dir_of(RT, json_string_value(e));

			if (r >= 0)
				r = mcz_runtime_remove_leftover(fake_sys(f), dir, err);
		}
	drain_sigchld(f);
	return r;
}

static bool lists(json_t *report, const char *key, const char *id)
{
	json_t *e;
	size_t i;

	json_array_foreach (json_object_get(report, key), i, e)
		if (strcmp(json_string_value(e), id) == 0)
			return true;
	return false;
}

/* After the crash, in the successor process: `mcz recover` and the operator's cleanup.
 * Nothing may be left but the bystander, which must be as it was, and reported alive. Ends
 * the (forked) process: 0 clean, 1 not. */
static void after_crash(struct fake *f, void *arg)
{
	struct crash_ctx *x = arg;
	struct adopted a = { .n = 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *text = NULL, *got = NULL;
	json_t *report;
	const char *what = x->after ? "after" : "before";

	if (recover(f, &a, &text, &err) < 0) {
		fprintf(stderr, "%s: crash %s call %lu: recover: %s\n%s", x->cc->name, what, x->n,
			err.msg, text);
		_exit(1);
	}
	report = json_loads(text, 0, NULL);
	/* What the crashed recover adopted runs on under its new supervisor (reported alive
	 * now): the operator destroys it too, through that supervisor. */
	destroy_adopted(f, &crashed_adopted);
	if (operator_cleanup(f, &a, report, &err) < 0) {
		fprintf(stderr, "%s: crash %s call %lu: %s\n", x->cc->name, what, x->n, err.msg);
		_exit(1);
	}
	got = fault_snapshot_outside(f, DETACHED_SANDBOXES);
	if (strcmp(x->baseline, got) != 0 || !lists(report, "alive", x->cc->bystander) ||
	    fake_proc_state(f, bystander_pid1, NULL) != 'R') {
		_cleanup_free_ char *diff = fault_state_diff(x->baseline, got);

		fprintf(stderr, "%s: crash %s call %lu: not clean after recover:\n%s\nreport: %s",
			x->cc->name, what, x->n, diff, text);
		_exit(1);
	}
	json_decref(report);
	_exit(0);
}

/* `mcz recover` crashing (the world of test_recover__every_case_in_one_world; its live
 * container is the bystander). */
static void recover_world(struct fake *f)
{
	struct world w;

	build_in(f, &w);
	bystander_pid1 = w.live;
}

static void run_recover(struct fake *f)
{
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *text = NULL;

	(void)recover(f, &crashed_adopted, &text, &err);
	_exit(NO_CRASH);
}

static void recovered_world(struct fake *f)
{
	struct adopted a = { .n = 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	json_t *report;

	recover_world(f);
	assert_int_equal(recover(f, &a, &text, &err), 0);
	report = json_loads(text, 0, NULL);
	assert_int_equal(operator_cleanup(f, &a, report, &err), 0);
	json_decref(report);
}

/* One crash in a forked process: 0 clean, 1 not clean, NO_CRASH: call n was never made. */
static int crash_run(const struct crash_case *cc, const char *baseline, unsigned long n, bool after)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct fake *f = fake_new();
		struct crash_ctx x = { .cc = cc, .baseline = baseline, .n = n, .after = after };

		cc->world(f);
		drain_sigchld(f);
		fake_crash_at(f, n, after, after_crash, &x);
		cc->operation(f);
		_exit(NO_CRASH);
	}
	assert_int_equal(sys_waitpid(sys_real(), pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("%s: crash %s call %lu: the test process died (status %#x)", cc->name,
			 after ? "after" : "before", n, (unsigned)status);
	return WEXITSTATUS(status);
}

static unsigned long crash_matrix(const struct crash_case *cc)
{
	struct fake *f = fake_new();
	_cleanup_free_ char *baseline = NULL;
	unsigned long points = 0;

	cc->done(f);
	drain_sigchld(f);
	baseline = fault_snapshot_outside(f, DETACHED_SANDBOXES);
	fake_free(f);
	for (int after = 0; after <= 1; after++) {
		unsigned long n;
		int r = 0;

		for (n = 1; (r = crash_run(cc, baseline, n, after)) == 0; n++)
			points++;
		if (r != NO_CRASH)
			fail_msg("%s: crash %s call %lu: see above", cc->name, after ? "after" : "before", n);
	}
	return points;
}

static bool under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");

	return preload && strstr(preload, "vgpreload");
}

static void test_recover__crash_at_every_call(void **state)
{
	static const struct crash_case cases[] = {
		{ "launch to destroy", with_bystander, launch_to_destroy, with_bystander, "by" },
		{ "destroy after the supervisor died", with_lost_container,
		  destroy_after_supervisor_died, with_bystander, "by" },
		{ "recover", recover_world, run_recover, recovered_world, "live" },
	};
	unsigned long total = 0;

	(void)state;
	if (under_valgrind()) {
		/* A crashed process keeps what the code it interrupted allocated, which valgrind
		 * (--errors-for-leak-kinds=all) reports at its exit; the ASan run covers it. */
		print_message("crash matrix: SKIP under valgrind\n");
		return;
	}
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(cases); i++) {
		unsigned long points = crash_matrix(&cases[i]);

		print_message("crash matrix '%s': %lu crash points (before and after each call), "
			      "all clean after recover\n", cases[i].name, points);
		total += points;
	}
	assert_true(total > 100);
}

/* ---- the entry seen from outside (core/entry.c: `mcz status`, `list`, `destroy`, `wait`) ---- */

static void test_recover__entry_status_and_supervisor(void **state)
{
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *text = NULL, *want = NULL, *pidtext = NULL;
	pid_t holder, pid = -1;
	bool held = false;
	json_t *o = NULL;
	long long t0;

	(void)state;
	with_bystander(f); /* "by": its lock held by its own supervisor process */
	holder = bystander_supervisor;
	assert_int_equal(fake_proc_state(f, holder, NULL), 'R');
	pidtext = mcz_xasprintf("%d\n", (int)holder);
	write_file(f, RT "/containers/by", "supervisor.pid", pidtext);
	assert_int_equal(mcz_entry_lock_held(fake_sys(f), RT, "by", &held, &err), 0);
	assert_true(held);
	/* The holder is proven by its fdinfo's lock line. */
	assert_int_equal(mcz_entry_supervisor(fake_sys(f), RT, "by", &pid, &err), 0);
	assert_int_equal(pid, holder);
	assert_int_equal(mcz_entry_status(fake_sys(f), RT, "by", &o, &err), 0);
	text = mcz_json_dump(o, JSON_COMPACT | JSON_PRESERVE_ORDER, false);
	want = mcz_xasprintf("{\"container_id\":\"by\",\"state\":\"RUNNING\",\"pid\":%d,"
			     "\"supervisor_pid\":%d,\"supervisor_alive\":true,\"sandbox\":"
			     "\"" DETACHED_SANDBOXES "/by\"}", (int)bystander_pid1, (int)holder);
	assert_string_equal(text, want);
	/* supervisor.pid names a process that does not hold the lock (the number reused): it is
	 * never trusted; after 5 s of looking, no supervisor. */
	free(pidtext);
	pidtext = mcz_xasprintf("%d\n", (int)bystander_pid1);
	write_file(f, RT "/containers/by", "supervisor.pid", pidtext);
	t0 = fake_now(f);
	assert_int_equal(mcz_entry_supervisor(fake_sys(f), RT, "by", &pid, &err), 0);
	assert_int_equal(pid, 0);
	assert_int_equal((int)(fake_now(f) - t0), 5000);
	/* ... and a destroy request goes to no one */
	assert_int_equal(mcz_entry_request_destroy(fake_sys(f), RT, "by", &pid, &err), 0);
	assert_int_equal(pid, 0);
	assert_int_equal(fake_proc_state(f, holder, NULL), 'R');
	assert_int_equal(fake_proc_state(f, bystander_pid1, NULL), 'R');
	/* The right supervisor.pid: the request reaches the holder through a pidfd of it, proven
	 * again once pinned, as sigqueue(3) would send it (SI_QUEUE, MCZ_DESTROY_REQUEST). */
	free(pidtext);
	pidtext = mcz_xasprintf("%d\n", (int)holder);
	write_file(f, RT "/containers/by", "supervisor.pid", pidtext);
	fake_trace_clear(f);
	assert_int_equal(mcz_entry_request_destroy(fake_sys(f), RT, "by", &pid, &err), 0);
	assert_int_equal(pid, holder);
	assert_non_null(strstr(fake_trace(f), "pidfd_open("));
	assert_non_null(strstr(fake_trace(f), "SIGTERM, 1835235940) = 0"));
	/* The supervisor dies (the fake's holder runs no handler: SIGTERM ended it, else now):
	 * the lock is free, nothing is alive, no waiting. */
	(void)sys_kill(fake_sys(f), holder, SIGKILL);
	assert_int_equal(mcz_entry_lock_held(fake_sys(f), RT, "by", &held, &err), 0);
	assert_false(held);
	t0 = fake_now(f);
	assert_int_equal(mcz_entry_supervisor(fake_sys(f), RT, "by", &pid, &err), 0);
	assert_int_equal(pid, 0);
	assert_int_equal(mcz_entry_await(fake_sys(f), RT, "by", &err), 0);
	assert_int_equal((int)(fake_now(f) - t0), 0);
	/* No such container: no lock, nothing held. */
	assert_int_equal(mcz_entry_lock_held(fake_sys(f), RT, "nope", &held, &err), 0);
	assert_false(held);
	assert_int_equal(fake_open_fds(f), 0);
	fake_free(f);
}

static void test_recover__entry_status_of_an_ended_container(void **state)
{
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	json_t *o = NULL;

	(void)state;
	detached_world(f, false);
	write_file(f, RT "/containers/e", "termination.json",
		   "{\"container_id\":\"e\",\"status\":768,\"exit_code\":3,\"killed\":false,"
		   "\"message\":\"Command terminated\"}\n");
	assert_int_equal(mcz_entry_status(fake_sys(f), RT, "e", &o, &err), 0);
	text = mcz_json_dump(o, JSON_COMPACT | JSON_PRESERVE_ORDER, false);
	assert_string_equal(text, "{\"container_id\":\"e\",\"state\":\"TERMINATED\",\"termination\":"
				  "{\"container_id\":\"e\",\"status\":768,\"exit_code\":3,\"killed\":false,"
				  "\"message\":\"Command terminated\"}}");
	assert_int_equal(mcz_entry_status(fake_sys(f), RT, "nope", &o, &err), -ENOENT);
	assert_string_equal(err.msg, "container 'nope' not found");
	mcz_error_done(&err);
	fake_free(f);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_recover__every_case_in_one_world),
	cmocka_unit_test(test_recover__refuses_a_runtime_dir_without_marker),
	cmocka_unit_test(test_recover__pidns_symlink_is_not_followed),
	cmocka_unit_test(test_recover__adopted_pid1_is_killed_through_a_pidfd),
	cmocka_unit_test(test_recover__fault_matrix),
	cmocka_unit_test(test_recover__v2_every_case),
	cmocka_unit_test(test_recover__v2_fault_matrix),
	cmocka_unit_test(test_recover__crash_at_every_call),
	cmocka_unit_test(test_recover__destroy_request_ends_supervision),
	cmocka_unit_test(test_recover__entry_status_and_supervisor),
	cmocka_unit_test(test_recover__entry_status_of_an_ended_container),
};

SCENARIO_SUITE(recover, tests, NULL, NULL);
