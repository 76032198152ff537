/*
 * usage.c — ResourceStatistics JSON and the posix usage collector (core/usage.h) over the
 * fake: the fake's /proc/<pid>/stat cpu/rss/thread fields (fake_program.utime_ticks, ...),
 * sums over the container's tree and session, membership, the explicit-pid variant, JSON
 * byte for byte, and errors (a failing read is an error, a vanished process is not).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/container/usage.h"
#include "lib/util.h"
#include "fakes/fake.h"
#include "scenarios/harness.h"

/* What a spawned process does before it execs `exec`. */
struct plan {
	const char *exec;
	bool setsid;
	const struct plan *grandchild; /* spawned and released by the child first */
};

static pid_t start(struct sys *s, const struct plan *plan);

static int child_main(struct sys *s, void *arg, struct sys_child_report *rep)
{
	const struct plan *plan = arg;
	char *const argv[] = { (char *)plan->exec, NULL };
	char *const envp[] = { NULL };
	int r;

	(void)rep;
	if (plan->setsid && (r = sys_setsid(s)) < 0)
		return r;
	if (plan->grandchild && start(s, plan->grandchild) <= 0)
		return -EIO;
	return sys_execve(s, plan->exec, argv, envp);
}

static pid_t start(struct sys *s, const struct plan *plan)
{
	struct sys_spawn_req req = { .child_main = child_main, .arg = (void *)plan };
	struct sys_child child;
	struct sys_child_report rep;
	pid_t pid = sys_spawn(s, &req, &child);

	if (pid <= 0 || sys_release(s, &child, &rep) < 0)
		return -1;
	return pid;
}

static void block_sigchld(struct sys *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	assert_int_equal(sys_sigprocmask(s, SIG_BLOCK, &set, NULL), 0);
}

static double tck(void)
{
	return (double)sysconf(_SC_CLK_TCK);
}

static uint64_t page(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

/* The container: 1001 (setsid, /bin/app: 2 background children 1003 and 1004) with a
 * grandchild 1002 (/bin/worker, started by 1001 before its exec); outside it 1005
 * (/bin/other, heavy) in the supervisor's session. */
static struct fake *world(void)
{
	struct fake *f = fake_new();
	struct sys *s = fake_sys(f);
	static const struct plan worker = { .exec = "/bin/worker" };
	static const struct plan app = { .exec = "/bin/app", .setsid = true, .grandchild = &worker };
	static const struct plan other = { .exec = "/bin/other" };

	fake_add_program(f, "/bin/app", &(struct fake_program){ .run_ms = -1, .children = 2,
		.utime_ticks = 250, .stime_ticks = 40, .rss_pages = 100, .threads = 3 });
	fake_add_program(f, "/bin/worker", &(struct fake_program){ .run_ms = 30,
		.utime_ticks = 50, .stime_ticks = 10, .rss_pages = 20, .threads = 2 });
	fake_add_program(f, "/bin/other", &(struct fake_program){ .run_ms = -1,
		.utime_ticks = 100000, .stime_ticks = 100000, .rss_pages = 100000, .threads = 50 });
	block_sigchld(s);
	assert_int_equal(start(s, &app), 1001);
	assert_int_equal(start(s, &other), 1005);
	return f;
}

/* ---- the fake's /proc/<pid>/stat (fake_model style) ---- */

static void test_usage__fake_stat_reports_program_usage(void **state)
{
	struct fake *f = world();
	struct sys *s = fake_sys(f);
	char buf[256];

	(void)state;
	assert_true(sys_proc_read(s, "/proc/1001/stat", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "1001 (app) S 1000 1001 1001"
			 " 0 -1 0 0 0 0 0 250 40 0 0 20 0 3 0 0 0 100\n");
	assert_true(sys_proc_read(s, "/proc/1002/stat", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "1002 (worker) S 1001 1001 1001"
			 " 0 -1 0 0 0 0 0 50 10 0 0 20 0 2 0 0 0 20\n");
	/* background children of a program and the supervisor report nothing */
	assert_true(sys_proc_read(s, "/proc/1003/stat", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "1003 (app) S 1001 1001 1001 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0\n");
	assert_true(sys_proc_read(s, "/proc/1000/stat", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "1000 (mcz) R 1 1000 1000 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0\n");
	/* a zombie keeps its cpu time, holds no memory, is one thread */
	assert_int_equal(sys_kill(s, 1005, SIGKILL), 0);
	assert_int_equal(fake_proc_state(f, 1005, NULL), 'Z');
	assert_true(sys_proc_read(s, "/proc/1005/stat", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "1005 (other) Z 1000 1000 1000"
			 " 0 -1 0 0 0 0 0 100000 100000 0 0 20 0 1 0 0 0 0\n");
	fake_free(f);
}

/* ---- the posix collector ---- */

static void test_usage__sums_the_tree_and_not_outsiders(void **state)
{
	struct fake *f = world();
	struct mcz_usage u = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;

	(void)state;
	assert_int_equal(mcz_usage_posix(fake_sys(f), 1001, 1001, &u, &err), 0);
	assert_true(u.has_cpu && u.has_rss && u.has_processes && u.has_threads);
	assert_true(u.cpus_user_time_secs == 300 / tck());
	assert_true(u.cpus_system_time_secs == 50 / tck());
	assert_true(u.mem_rss_bytes == 120 * page());
	assert_int_equal(u.processes, 4);   /* 1001, 1002, 1003, 1004 */
	assert_int_equal(u.threads, 3 + 2 + 1 + 1);
	/* nothing else is touched */
	assert_false(u.has_cpus_limit || u.has_mem_limit || u.has_cpus_nr_periods);
	assert_true(u.timestamp == 0);
	fake_free(f);
}

/* By tree alone (no session): the same set here; the supervisor (pid1's parent) and the
 * process in the supervisor's session stay out. */
static void test_usage__tree_without_session(void **state)
{
	struct fake *f = world();
	struct mcz_usage u = { 0 };

	(void)state;
	assert_int_equal(mcz_usage_posix(fake_sys(f), 1001, 0, &u, NULL), 0);
	assert_int_equal(u.processes, 4);
	assert_true(u.mem_rss_bytes == 120 * page());
	/* a subtree: the grandchild alone */
	assert_int_equal(mcz_usage_posix(fake_sys(f), 1002, 0, &u, NULL), 0);
	assert_int_equal(u.processes, 1);
	assert_int_equal(u.threads, 2);
	assert_true(u.cpus_user_time_secs == 50 / tck());
	/* no such pid1: all zero, still known */
	assert_int_equal(mcz_usage_posix(fake_sys(f), 4242, 0, &u, NULL), 0);
	assert_true(u.has_cpu && u.processes == 0 && u.threads == 0 && u.mem_rss_bytes == 0);
	assert_true(u.cpus_user_time_secs == 0);
	fake_free(f);
}

/* pid 1 exited and was reaped; its background children re-parented to host init but are
 * still in the session: counted through the session. */
static void test_usage__daemons_counted_through_the_session(void **state)
{
	struct fake *f = fake_new();
	struct sys *s = fake_sys(f);
	static const struct plan daemon = { .exec = "/bin/daemon", .setsid = true };
	struct mcz_usage u = { 0 };

	(void)state;
	fake_add_program(f, "/bin/daemon", &(struct fake_program){ .run_ms = 10, .children = 2,
		.utime_ticks = 9, .rss_pages = 9 });
	block_sigchld(s);
	assert_int_equal(start(s, &daemon), 1001);
	/* while pid 1 is a zombie: its cpu time counts, it does not */
	fake_advance(f, 10);
	assert_int_equal(mcz_usage_posix(s, 1001, 1001, &u, NULL), 0);
	assert_int_equal(u.processes, 2);
	assert_true(u.cpus_user_time_secs == 9 / tck());
	assert_true(u.mem_rss_bytes == 0);
	assert_int_equal(sys_waitpid(s, 1001, NULL, 0), 1001);
	assert_int_equal(mcz_usage_posix(s, 1001, 1001, &u, NULL), 0);
	assert_int_equal(u.processes, 2);
	assert_int_equal(u.threads, 2);
	assert_true(u.cpus_user_time_secs == 0);
	/* by tree alone they are lost (what Mesos's os::pstree() does) */
	assert_int_equal(mcz_usage_posix(s, 1001, 0, &u, NULL), 0);
	assert_int_equal(u.processes, 0);
	fake_free(f);
}

static void test_usage__explicit_pid_list(void **state)
{
	struct fake *f = world();
	struct mcz_usage u = { .has_mem_limit = true, .mem_limit_bytes = 7 };
	const pid_t pids[] = { 1001, 1005, 4242 /* gone: skipped */ };

	(void)state;
	assert_int_equal(mcz_usage_posix_pids(fake_sys(f), pids, 3, &u, NULL), 0);
	assert_int_equal(u.processes, 2);
	assert_int_equal(u.threads, 53);
	assert_true(u.cpus_user_time_secs == 100250 / tck());
	assert_true(u.cpus_system_time_secs == 100040 / tck());
	assert_true(u.mem_rss_bytes == 100100 * page());
	assert_true(u.has_mem_limit && u.mem_limit_bytes == 7); /* merged, not reset */
	assert_int_equal(mcz_usage_posix_pids(fake_sys(f), NULL, 0, &u, NULL), 0);
	assert_true(u.has_processes && u.processes == 0);
	fake_free(f);
}

/* A process that exits between the listing and the read: ENOENT or ESRCH, skipped. */
static void test_usage__vanished_process_is_skipped(void **state)
{
	static const int errs[] = { ENOENT, ESRCH };

	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(errs); i++) {
		struct fake *f = world();
		struct mcz_usage u = { 0 };
		struct mcz_error err = MCZ_ERROR_INIT;
		const pid_t pids[] = { 1001, 1002 };

		fake_on(f, SYS_OP_proc_read, "/proc/1002/stat", errs[i], false);
		assert_int_equal(mcz_usage_posix(fake_sys(f), 1001, 1001, &u, &err), 0);
		assert_false(mcz_error_is_set(&err));
		assert_int_equal(u.processes, 3);
		assert_true(u.cpus_user_time_secs == 250 / tck());
		assert_int_equal(mcz_usage_posix_pids(fake_sys(f), pids, 2, &u, &err), 0);
		assert_int_equal(u.processes, 1);
		fake_free(f);
	}
}

struct fail_case {
	int op;
	const char *glob;
	int errnum;
	const char *msg;
};

static const struct fail_case fails[] = {
	{ SYS_OP_proc_read, "/proc/1002/stat", EACCES,
	  "usage: read '/proc/1002/stat': Permission denied" },
	{ SYS_OP_proc_read, "/proc/1005/stat", EIO,
	  "usage: read '/proc/1005/stat': Input/output error" },
	{ SYS_OP_proc_list, NULL, EACCES, "usage: list processes: Permission denied" },
	{ SYS_OP_proc_list, NULL, ENOMEM, "usage: list processes: Cannot allocate memory" },
};

/* Any other failure is an error with the op, path and errno kept; *ret is unchanged. */
static void test_usage__read_failures_are_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(fails); i++) {
		struct fake *f = world();
		struct mcz_usage u = { .processes = 77 };
		struct mcz_error err = MCZ_ERROR_INIT;

		fake_on(f, fails[i].op, fails[i].glob, fails[i].errnum, false);
		assert_int_equal(mcz_usage_posix(fake_sys(f), 1001, 1001, &u, &err), -fails[i].errnum);
		assert_string_equal(err.msg, fails[i].msg);
		assert_int_equal(err.errnum, fails[i].errnum);
		assert_int_equal(err.op, fails[i].op);
		assert_true(u.processes == 77 && !u.has_processes && !u.has_cpu);
		assert_int_equal(mcz_usage_posix(fake_sys(f), 1001, 1001, &u, NULL), -fails[i].errnum);
		mcz_error_done(&err);
		fake_free(f);
	}
	struct fake *f = world();
	const pid_t pids[] = { 1001, 1002 };
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_usage u = { 0 };

	fake_on(f, SYS_OP_proc_read, "/proc/1002/stat", EACCES, false);
	assert_int_equal(mcz_usage_posix_pids(fake_sys(f), pids, 2, &u, &err), -EACCES);
	assert_string_equal(err.msg, "usage: read '/proc/1002/stat': Permission denied");
	assert_string_equal(err.path, "/proc/1002/stat");
	mcz_error_done(&err);
	fake_free(f);
}

/* Every call failing in turn: either the sum is right or the error is a usage error. */
static void test_usage__every_call_failing(void **state)
{
	static const enum fake_fault_mode modes[] = { FAKE_TRANSIENT, FAKE_PERSISTENT, FAKE_AFTER };

	(void)state;
	for (size_t m = 0; m < MCZ_ARRAY_SIZE(modes); m++) {
		for (unsigned long n = 1;; n++) {
			struct fake *f = world();
			struct mcz_usage u = { 0 };
			struct mcz_error err = MCZ_ERROR_INIT;
			int r;

			fake_fail_nth(f, n, modes[m], 0);
			r = mcz_usage_posix(fake_sys(f), 1001, 1001, &u, &err);
			if (fake_faults_injected(f) == 0) {
				assert_int_equal(r, 0);
				fake_free(f);
				break;
			}
			if (r == 0)
				assert_true(u.processes <= 4); /* a skipped (vanished) process */
			else
				assert_true(strncmp(err.msg, "usage: ", 7) == 0);
			mcz_error_done(&err);
			fake_free(f);
		}
	}
}

/* comm is the program's basename: spaces and parentheses in it do not shift the fields. */
static void test_usage__comm_with_parentheses(void **state)
{
	struct fake *f = fake_new();
	struct sys *s = fake_sys(f);
	static const struct plan odd = { .exec = "/bin/a) R 1 (b" };
	struct mcz_usage u = { 0 };
	char buf[256];

	(void)state;
	fake_add_program(f, odd.exec, &(struct fake_program){ .run_ms = -1, .utime_ticks = 5,
		.rss_pages = 2, .threads = 2 });
	block_sigchld(s);
	assert_int_equal(start(s, &odd), 1001);
	assert_true(sys_proc_read(s, "/proc/1001/stat", buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "(a) R 1 (b) S 1000 "));
	assert_int_equal(mcz_usage_posix(s, 1001, 0, &u, NULL), 0);
	assert_int_equal(u.processes, 1);
	assert_int_equal(u.threads, 2);
	assert_true(u.cpus_user_time_secs == 5 / tck());
	fake_free(f);
}

/* More processes than the first listing buffer holds (1024): the listing grows. */
static void test_usage__many_processes(void **state)
{
	struct fake *f = fake_new();
	struct sys *s = fake_sys(f);
	static const struct plan big = { .exec = "/bin/big", .setsid = true };
	struct mcz_usage u = { 0 };

	(void)state;
	fake_add_program(f, big.exec, &(struct fake_program){ .run_ms = -1, .children = 2100 });
	block_sigchld(s);
	assert_int_equal(start(s, &big), 1001);
	assert_int_equal(mcz_usage_posix(s, 1001, 1001, &u, NULL), 0);
	assert_int_equal(u.processes, 2101);
	assert_int_equal(u.threads, 2101);
	fake_free(f);
}

struct stat_case {
	const char *text;
	bool ok;
	struct mcz_proc_stat want;
};

#define TAIL " 0 -1 0 0 0 0 0 7 8 0 0 20 0 3 0 0 0 9\n"
static const struct stat_case stats[] = {
	{ "12 (sh) S 1 12 12" TAIL, true, { 'S', 1, 12, 7, 8, 3, 9 } },
	{ "12 (a b) c) Z 4 5 6" TAIL, true, { 'Z', 4, 6, 7, 8, 3, 9 } },
	{ "12 ()) R 4 5 6 0 -1 0 0 0 0 0 7 8 0 0 20 0 3 0 0 0 9", true, { 'R', 4, 6, 7, 8, 3, 9 } },
	/* real kernels print 52 fields */
	{ "12 (sh) S 1 12 12 0 -1 4194560 100 0 0 0 18446744073709551615 1 0 0 20 0 1 0 "
	  "5 2000 4 18446744073709551615 1 2 3 4 5 0 0 0 65536 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 "
	  "0 0 0", true, { 'S', 1, 12, 18446744073709551615ull, 1, 1, 4 } },
	{ "", false, { 0 } },
	{ "12 sh S 1 12 12" TAIL, false, { 0 } },                       /* no ')' */
	{ "12 (sh)", false, { 0 } },                                    /* no state */
	{ "12 (sh) S", false, { 0 } },                                  /* no ppid */
	{ "12 (sh) S x 12 12" TAIL, false, { 0 } },                     /* ppid not a number */
	{ "12 (sh) S -1 12 12" TAIL, false, { 0 } },                    /* negative */
	{ "12 (sh) S 2147483648 12 12" TAIL, false, { 0 } },            /* beyond pid_t */
	{ "12 (sh) S 1 12 1x" TAIL, false, { 0 } },                     /* session */
	{ "12 (sh) S 1 12 12 0 -1 0 0 0 0 0 7", false, { 0 } },         /* no stime */
	{ "12 (sh) S 1 12 12 0 -1 0 0 0 0 0 18446744073709551616 8 0 0 20 0 3 0 0 0 9",
	  false, { 0 } },                                               /* utime overflows */
	{ "12 (sh) S 1 12 12 0 -1 0 0 0 0 0 7 8 0 0 20 0 3 0 0 0", false, { 0 } }, /* no rss */
	{ "12 (sh) S 1 12 12 0 -1 0 0 0 0 0 7 8 0 0 20 0 3 0 0 0\n", false, { 0 } },
	{ "12 (sh) S 1 12 12 0 -1 0 0 0 0 0 7 8 0 0 20 0 -3 0 0 0 9", false, { 0 } },
	{ "12 (sh) S 1 12 12 0 -1 0 0 0 0 0 7 8 0 0 20 0 9223372036854775808 0 0 0 9",
	  false, { 0 } },                                               /* threads > LONG_MAX */
};

static void test_usage__stat_parser(void **state)
{
	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(stats); i++) {
		struct mcz_proc_stat got = { 0 };
		const struct mcz_proc_stat *w = &stats[i].want;

		printf("# stat case %zu\n", i);
		assert_int_equal(mcz_proc_stat_parse(stats[i].text, &got), stats[i].ok);
		if (!stats[i].ok)
			continue;
		assert_int_equal(got.state, w->state);
		assert_int_equal(got.ppid, w->ppid);
		assert_int_equal(got.session, w->session);
		assert_true(got.utime == w->utime && got.stime == w->stime);
		assert_int_equal(got.threads, w->threads);
		assert_true(got.rss == w->rss);
	}
}

/* A /proc that reads garbage (a wrapper around the fake's ops). */
static const struct sys_ops *fake_ops_of;

static int garbage_proc_read(struct sys *s, const char *path, char *buf, size_t size)
{
	int r = fake_ops_of->proc_read(s, path, buf, size);

	if (r > 0 && strcmp(path, "/proc/1002/stat") == 0)
		r = snprintf(buf, size, "1002 (worker");
	return r;
}

static void test_usage__unparsable_stat_is_an_error(void **state)
{
	struct fake *f = world();
	struct sys_ops ops = *fake_sys(f)->ops;
	struct sys wrapped = *fake_sys(f);
	struct mcz_usage u = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	const pid_t pids[] = { 1002 };

	(void)state;
	fake_ops_of = fake_sys(f)->ops;
	ops.proc_read = garbage_proc_read;
	wrapped.ops = &ops;
	assert_int_equal(mcz_usage_posix(&wrapped, 1001, 1001, &u, &err), -EIO);
	assert_string_equal(err.msg, "usage: cannot parse '/proc/1002/stat'");
	mcz_error_done(&err);
	assert_int_equal(mcz_usage_posix_pids(&wrapped, pids, 1, &u, &err), -EIO);
	assert_string_equal(err.msg, "usage: cannot parse '/proc/1002/stat'");
	assert_false(u.has_cpu);
	mcz_error_done(&err);
	fake_free(f);
}

/* ---- JSON ---- */

static void test_usage__json_byte_for_byte(void **state)
{
	struct mcz_usage all = {
		.timestamp = 1700000000.25,
		.has_cpu = true, .cpus_user_time_secs = 0.07, .cpus_system_time_secs = 12,
		.has_cpus_limit = true, .cpus_limit = 0.5,
		.has_cpus_nr_periods = true, .cpus_nr_periods = 4000000000u,
		.has_cpus_nr_throttled = true, .cpus_nr_throttled = 3,
		.has_cpus_throttled_time_secs = true, .cpus_throttled_time_secs = 1.0 / 3,
		.has_rss = true, .mem_rss_bytes = 409600,
		.has_mem_limit = true, .mem_limit_bytes = 67108864,
		.has_mem_file = true, .mem_file_bytes = 1,
		.has_mem_anon = true, .mem_anon_bytes = 2,
		.has_mem_mapped_file = true, .mem_mapped_file_bytes = 0,
		.has_processes = true, .processes = 4,
		.has_threads = true, .threads = 7,
	};
	struct mcz_usage none = { .timestamp = 0 }, huge = { .timestamp = 1,
		.has_rss = true, .mem_rss_bytes = UINT64_MAX };
	_cleanup_free_ char *a = mcz_usage_json(&all);
	_cleanup_free_ char *b = mcz_usage_json(&none);
	_cleanup_free_ char *c = mcz_usage_json(&huge);

	(void)state;
	assert_string_equal(a, "{\"timestamp\":1700000000.25,\"cpus_user_time_secs\":0.07,"
			       "\"cpus_system_time_secs\":12.0,\"cpus_limit\":0.5,"
			       "\"cpus_nr_periods\":4000000000,\"cpus_nr_throttled\":3,"
			       "\"cpus_throttled_time_secs\":0.333333333333333,"
			       "\"mem_rss_bytes\":409600,\"mem_limit_bytes\":67108864,"
			       "\"mem_file_bytes\":1,\"mem_anon_bytes\":2,"
			       "\"mem_mapped_file_bytes\":0,\"processes\":4,\"threads\":7}");
	assert_string_equal(b, "{\"timestamp\":0.0}");
	/* beyond JSON's int64: clamped */
	assert_string_equal(c, "{\"timestamp\":1.0,\"mem_rss_bytes\":9223372036854775807}");
}

/* The collector's output as `mcz usage` prints it (a posix-only container). */
static void test_usage__json_of_a_posix_sum(void **state)
{
	struct fake *f = world();
	struct mcz_usage u = { .timestamp = 1234.5 };
	_cleanup_free_ char *text = NULL, *want = NULL;

	(void)state;
	assert_int_equal(mcz_usage_posix(fake_sys(f), 1002, 0, &u, NULL), 0);
	text = mcz_usage_json(&u);
	if (tck() == 100 && page() == 4096)
		assert_string_equal(text, "{\"timestamp\":1234.5,\"cpus_user_time_secs\":0.5,"
					  "\"cpus_system_time_secs\":0.1,\"mem_rss_bytes\":81920,"
					  "\"processes\":1,\"threads\":2}");
	want = mcz_xasprintf("\"mem_rss_bytes\":%llu,", (unsigned long long)(20 * page()));
	assert_non_null(strstr(text, want));
	fake_free(f);
}

static void test_usage__now_is_the_wall_clock(void **state)
{
	double t = mcz_usage_now();

	(void)state;
	assert_true(t > 1.6e9); /* after 2020 */
	assert_true(t - (double)time(NULL) < 2 && (double)time(NULL) - t < 2);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_usage__fake_stat_reports_program_usage),
	cmocka_unit_test(test_usage__sums_the_tree_and_not_outsiders),
	cmocka_unit_test(test_usage__tree_without_session),
	cmocka_unit_test(test_usage__daemons_counted_through_the_session),
	cmocka_unit_test(test_usage__explicit_pid_list),
	cmocka_unit_test(test_usage__vanished_process_is_skipped),
	cmocka_unit_test(test_usage__read_failures_are_errors),
	cmocka_unit_test(test_usage__every_call_failing),
	cmocka_unit_test(test_usage__comm_with_parentheses),
	cmocka_unit_test(test_usage__many_processes),
	cmocka_unit_test(test_usage__stat_parser),
	cmocka_unit_test(test_usage__unparsable_stat_is_an_error),
	cmocka_unit_test(test_usage__json_byte_for_byte),
	cmocka_unit_test(test_usage__json_of_a_posix_sum),
	cmocka_unit_test(test_usage__now_is_the_wall_clock),
};

SCENARIO_SUITE(usage, tests, NULL, NULL);
