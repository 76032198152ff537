/*
 * flags.c — the command-line flag parser (SPEC §2) and container id validation (SPEC §1).
 * Error cases and container ids are tables, one cmocka test per row.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frontend/mesos/flags.h"
#include "core/spec/id.h"
#include "lib/util.h"
#include "scenarios/harness.h"

#define MAX_ARGS 16

/* argv and envp are NULL-terminated; argv[0] is the program name. */
static int parse(struct mcz_flags *f, const char *const *argv, const char *const *envp,
		 struct mcz_error *err)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return mcz_flags_parse(f, argc, (char *const *)argv, (char *const *)envp, err);
}

/* Parse that must succeed. */
static void parse_ok(struct mcz_flags *f, const char *const *argv, const char *const *envp)
{
	struct mcz_error err = MCZ_ERROR_INIT;

	if (parse(f, argv, envp, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_false(mcz_error_is_set(&err));
}

#define ARGV(...) ((const char *const[]){ "mcz", __VA_ARGS__, NULL })
#define ENVP(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---- error cases ------------------------------------------------------------------------ */

struct bad_case {
	const char *argv[MAX_ARGS];
	const char *envp[MAX_ARGS];
	const char *msg;
};

static void check_bad(void **state)
{
	const struct bad_case *c = *state;
	struct mcz_flags f = { .command = (char *)"sentinel" };
	struct mcz_error err = MCZ_ERROR_INIT;

	assert_int_equal(parse(&f, c->argv, c->envp, &err), -EINVAL);
	assert_string_equal(err.msg, c->msg);
	assert_string_equal(f.command, "sentinel"); /* *ret untouched */
	mcz_error_done(&err);
}

#define BAD(case_, msg_, ...)                                                                   \
	{ "test_flags__" #case_, check_bad, NULL, NULL,                                         \
	  &(struct bad_case){ .argv = { "mcz", __VA_ARGS__, NULL }, .envp = { NULL }, .msg = (msg_) } }
#define BAD_ENV(case_, env_, msg_, ...)                                                         \
	{ "test_flags__" #case_, check_bad, NULL, NULL,                                         \
	  &(struct bad_case){ .argv = { "mcz", __VA_ARGS__, NULL }, .envp = { env_, NULL },     \
			      .msg = (msg_) } }

/* ---- container ids ---------------------------------------------------------------------- */

struct id_case {
	const char *id;
	const char *msg; /* NULL: valid */
};

static void check_id(void **state)
{
	const struct id_case *c = *state;
	struct mcz_error err = MCZ_ERROR_INIT;

	if (!c->msg) {
		assert_int_equal(mcz_container_id_check(c->id, &err), 0);
		assert_true(mcz_container_id_valid(c->id));
		assert_false(mcz_error_is_set(&err));
		return;
	}
	assert_int_equal(mcz_container_id_check(c->id, &err), -EINVAL);
	assert_false(mcz_container_id_valid(c->id));
	assert_string_equal(err.msg, c->msg);
	mcz_error_done(&err);
}

#define ID_OK(case_, id_)                                                                       \
	{ "test_flags__container_id_" #case_, check_id, NULL, NULL,                             \
	  &(struct id_case){ .id = (id_), .msg = NULL } }
#define ID_BAD(case_, id_, msg_)                                                                \
	{ "test_flags__container_id_" #case_, check_id, NULL, NULL,                             \
	  &(struct id_case){ .id = (id_), .msg = (msg_) } }

#define ID64 "a123456789b123456789c123456789d123456789e123456789f123456789abcd"

/* ---- single tests ----------------------------------------------------------------------- */

static void test_flags__defaults(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, (const char *const[]){ "mcz", NULL }, NULL);
	assert_null(f.command);
	assert_int_equal(f.args.n, 0);
	assert_int_equal(f.argv.n, 0);
	assert_false(f.dashdash);
	assert_false(f.help);
	assert_false(f.version);
	assert_false(f.json);
	assert_string_equal(f.isolation, "posix/cpu,posix/mem");
	assert_null(f.launcher);
	assert_null(f.container_info);
	assert_null(f.default_container_info);
	assert_int_equal(f.volumes.n, 0);
	assert_null(f.resources);
	assert_null(f.container_id);
	assert_string_equal(f.work_dir, "/var/lib/mcz");
	assert_null(f.sandbox);
	assert_string_equal(f.runtime_dir, "/run/mcz");
	assert_string_equal(f.cgroups_hierarchy, "/sys/fs/cgroup");
	assert_string_equal(f.cgroups_root, "mcz");
	assert_false(f.cgroups_enable_cfs);
	assert_false(f.cgroups_limit_swap);
	assert_null(f.user);
	assert_int_equal(f.env.n, 0);
	assert_int_equal(f.stop_grace_period, 10);
	assert_null(f.termination_file);
	assert_string_equal(f.log_level, "warn");
	mcz_flags_done(&f);
}

/* Every flag of SPEC §2, each in a different spelling. */
static void test_flags__every_flag(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f,
		 ARGV("--isolation=filesystem/shared", "--launcher", "posix",
		      "--container-info={\"type\":\"MESOS\"}", "--default_container_info=@/ci.json",
		      "--volume=tmp:/tmp", "--resources", "cpus:1;mem:64", "--container_id=c1",
		      "--work-dir=/w", "--sandbox", "/s", "--runtime_dir=/r",
		      "--cgroups-hierarchy=/h", "--cgroups_root=/mcz", "--cgroups_enable_cfs",
		      "--cgroups-limit-swap", "--user=nobody", "--env=A=B", "--stop-grace-period=3",
		      "--termination_file=/t.json", "--log-level=debug"),
		 NULL);
	assert_string_equal(f.isolation, "filesystem/shared");
	assert_string_equal(f.launcher, "posix");
	assert_string_equal(f.container_info, "{\"type\":\"MESOS\"}");
	assert_string_equal(f.default_container_info, "@/ci.json");
	assert_int_equal(f.volumes.n, 1);
	assert_string_equal(f.volumes.v[0], "tmp:/tmp");
	assert_string_equal(f.resources, "cpus:1;mem:64");
	assert_string_equal(f.container_id, "c1");
	assert_string_equal(f.work_dir, "/w");
	assert_string_equal(f.sandbox, "/s");
	assert_string_equal(f.runtime_dir, "/r");
	assert_string_equal(f.cgroups_hierarchy, "/h");
	assert_string_equal(f.cgroups_root, "/mcz");
	assert_true(f.cgroups_enable_cfs);
	assert_true(f.cgroups_limit_swap);
	assert_string_equal(f.user, "nobody");
	assert_int_equal(f.env.n, 1);
	assert_string_equal(f.env.v[0], "A=B");
	assert_int_equal(f.stop_grace_period, 3);
	assert_string_equal(f.termination_file, "/t.json");
	assert_string_equal(f.log_level, "debug");
	assert_null(f.command);
	mcz_flags_done(&f);
}

static void test_flags__dash_underscore_and_mixed(void **state)
{
	struct mcz_flags a, b, c;

	(void)state;
	parse_ok(&a, ARGV("--stop_grace_period=7"), NULL);
	parse_ok(&b, ARGV("--stop-grace-period=7"), NULL);
	parse_ok(&c, ARGV("--stop-grace_period=7"), NULL);
	assert_int_equal(a.stop_grace_period, 7);
	assert_int_equal(b.stop_grace_period, 7);
	assert_int_equal(c.stop_grace_period, 7);
	mcz_flags_done(&a);
	mcz_flags_done(&b);
	mcz_flags_done(&c);
}

static void test_flags__equals_and_space(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, ARGV("--work_dir", "/a", "--sandbox=/b=c", "--user", "-1"), NULL);
	assert_string_equal(f.work_dir, "/a");
	assert_string_equal(f.sandbox, "/b=c");   /* only the first '=' splits */
	assert_string_equal(f.user, "-1");        /* a single dash is a value */
	mcz_flags_done(&f);
}

static void test_flags__empty_value_allowed(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, ARGV("--isolation=", "--user", ""), NULL);
	assert_string_equal(f.isolation, "");
	assert_string_equal(f.user, "");
	mcz_flags_done(&f);
}

static void test_flags__environment(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, ARGV("list"),
		 ENVP("PATH=/bin", "MCZ_WORK_DIR=/env/work", "MCZ_CGROUPS_ENABLE_CFS=true",
		      "MCZ_STOP_GRACE_PERIOD=30", "MCZ_VOLUME=tmp:/tmp", "MCZ_ENV=A=1",
		      "MCZ_LOG_LEVEL=info", "MCZ_RUNTIME_DIRX=/no", "MCZ_RUNTIME_DI=/no",
		      "mcz_user=lower", "MCZ_HELP=true", "MCZ_VERSION=1"));
	assert_string_equal(f.command, "list");
	assert_string_equal(f.work_dir, "/env/work");
	assert_true(f.cgroups_enable_cfs);
	assert_int_equal(f.stop_grace_period, 30);
	assert_int_equal(f.volumes.n, 1);
	assert_string_equal(f.volumes.v[0], "tmp:/tmp");
	assert_int_equal(f.env.n, 1);
	assert_string_equal(f.env.v[0], "A=1");
	assert_string_equal(f.log_level, "info");
	assert_string_equal(f.runtime_dir, "/run/mcz"); /* exact names only */
	assert_null(f.user);                            /* upper case only */
	assert_false(f.help);                           /* --help and --version: command line */
	assert_false(f.version);
	mcz_flags_done(&f);
}

static void test_flags__command_line_wins(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, ARGV("--work-dir=/cli", "--volume=a:/a", "--volume=b:/b", "--no-cgroups_enable_cfs"),
		 ENVP("MCZ_WORK_DIR=/env", "MCZ_VOLUME=env:/env", "MCZ_CGROUPS_ENABLE_CFS=true",
		      "MCZ_SANDBOX=/env/sandbox"));
	assert_string_equal(f.work_dir, "/cli");
	assert_int_equal(f.volumes.n, 2); /* the command line replaces a list as a whole */
	assert_string_equal(f.volumes.v[0], "a:/a");
	assert_string_equal(f.volumes.v[1], "b:/b");
	assert_false(f.cgroups_enable_cfs);
	assert_string_equal(f.sandbox, "/env/sandbox");
	mcz_flags_done(&f);
}

static void test_flags__booleans(void **state)
{
	static const struct {
		const char *arg;
		bool want;
	} cases[] = {
		{ "--cgroups_limit_swap", true },       { "--cgroups_limit_swap=true", true },
		{ "--cgroups_limit_swap=1", true },     { "--cgroups_limit_swap=false", false },
		{ "--cgroups-limit-swap=0", false },    { "--no-cgroups_limit_swap", false },
		{ "--no-cgroups-limit-swap", false },   { "--no_cgroups_limit_swap", false },
	};

	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(cases); i++) {
		struct mcz_flags f;
		parse_ok(&f, ARGV(cases[i].arg), ENVP("MCZ_CGROUPS_LIMIT_SWAP=maybe"));
		assert_int_equal(f.cgroups_limit_swap, cases[i].want);
		mcz_flags_done(&f);
	}
}

/* A boolean never takes the next argument: it is the command. */
static void test_flags__boolean_takes_no_next_argument(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, ARGV("--cgroups_enable_cfs", "true"), NULL);
	assert_true(f.cgroups_enable_cfs);
	assert_string_equal(f.command, "true");
	mcz_flags_done(&f);
}

static void test_flags__repeatable(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, ARGV("--volume=a:/a", "--env", "X=1", "--volume", "b:/b:ro", "--env=Y=2=3",
			  "--volume=c:/c"),
		 NULL);
	assert_int_equal(f.volumes.n, 3);
	assert_string_equal(f.volumes.v[0], "a:/a");
	assert_string_equal(f.volumes.v[1], "b:/b:ro");
	assert_string_equal(f.volumes.v[2], "c:/c");
	assert_null(f.volumes.v[3]);
	assert_int_equal(f.env.n, 2);
	assert_string_equal(f.env.v[0], "X=1");
	assert_string_equal(f.env.v[1], "Y=2=3");
	mcz_flags_done(&f);
}

static void test_flags__command_and_positionals(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, ARGV("--runtime_dir=/r", "wait", "c1", "--log_level=error", "-", "extra"), NULL);
	assert_string_equal(f.command, "wait");
	assert_int_equal(f.args.n, 3);
	assert_string_equal(f.args.v[0], "c1");
	assert_string_equal(f.args.v[1], "-");
	assert_string_equal(f.args.v[2], "extra");
	assert_string_equal(f.runtime_dir, "/r");
	assert_string_equal(f.log_level, "error");
	assert_false(f.dashdash);
	mcz_flags_done(&f);
}

static void test_flags__double_dash_ends_flags(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, ARGV("run", "--container_id=c1", "--", "ls", "-l", "--work_dir=/x", "--"),
		 NULL);
	assert_string_equal(f.command, "run");
	assert_int_equal(f.args.n, 0);
	assert_true(f.dashdash);
	assert_int_equal(f.argv.n, 4);
	assert_string_equal(f.argv.v[0], "ls");
	assert_string_equal(f.argv.v[1], "-l");
	assert_string_equal(f.argv.v[2], "--work_dir=/x");
	assert_string_equal(f.argv.v[3], "--");
	assert_null(f.argv.v[4]);
	assert_string_equal(f.container_id, "c1");
	assert_string_equal(f.work_dir, "/var/lib/mcz");
	mcz_flags_done(&f);
}

static void test_flags__double_dash_alone(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, ARGV("run", "--"), NULL);
	assert_true(f.dashdash);
	assert_int_equal(f.argv.n, 0);
	mcz_flags_done(&f);
}

/* SPEC §11: every path flag of every command, from the command line or the environment.
 * recover and destroy act on what these name: a '..' must never get that far. */
static void test_flags__path_flags_are_checked_for_every_command(void **state)
{
	static const char *const commands[] = { "run", "launch", "wait", "destroy", "usage",
						"update", "status", "list", "recover", "prepare" };
	static const struct {
		const char *flag, *value, *why;
	} bad[] = {
		{ "cgroups_root", "mcz/../victim", "must be a normal path" },
		{ "cgroups_root", "/", "must be a normal path" },
		{ "cgroups_root", "", "must be a normal path" },
		{ "cgroups_root", "./mcz", "must be a normal path" },
		{ "cgroups_root", "mcz//x", "must be a normal path" },
		{ "cgroups_root", "mcz/", "must be a normal path" },
		{ "runtime_dir", "/", "must be a normal path" },
		{ "runtime_dir", "run/mcz", "must be an absolute path" },
		{ "runtime_dir", "/run/../etc", "must be a normal path" },
		{ "work_dir", "/var/lib/./mcz", "must be a normal path" },
		{ "cgroups_hierarchy", "/sys/fs/cgroup/..", "must be a normal path" },
		{ "sandbox", "/", "must be a normal path" },
		{ "sandbox", "sb", "must be an absolute path" },
	};

	(void)state;
	for (size_t c = 0; c < MCZ_ARRAY_SIZE(commands); c++)
		for (size_t i = 0; i < MCZ_ARRAY_SIZE(bad); i++) {
			_cleanup_free_ char *arg = mcz_xasprintf("--%s=%s", bad[i].flag, bad[i].value);
			_cleanup_free_ char *env = mcz_xasprintf("MCZ_%s=%s", bad[i].flag, bad[i].value);
			_cleanup_free_ char *want = mcz_xasprintf("flag '--%s': '%s' %s", bad[i].flag,
								 bad[i].value, bad[i].why);
			struct mcz_flags f;
			struct mcz_error err = MCZ_ERROR_INIT;

			for (char *p = env + 4; *p && *p != '='; p++)
				*p = (char)toupper((unsigned char)*p);
			assert_int_equal(parse(&f, ARGV(commands[c], arg), NULL, &err), -EINVAL);
			if (strncmp(err.msg, want, strlen(want)) != 0)
				fail_msg("%s %s: '%s'", commands[c], arg, err.msg);
			mcz_error_done(&err);
			assert_int_equal(parse(&f, ARGV(commands[c]), ENVP(env), &err), -EINVAL);
			if (strncmp(err.msg, want, strlen(want)) != 0)
				fail_msg("%s with %s: '%s'", commands[c], env, err.msg);
			mcz_error_done(&err);
		}
	/* the good ones pass, relative and absolute roots alike */
	struct mcz_flags f;
	parse_ok(&f, ARGV("recover", "--cgroups_root=/mcz/a", "--runtime_dir=/run/x",
			  "--work_dir=/var/lib/mcz-x", "--cgroups_hierarchy=/sys/fs/cgroup"), NULL);
	mcz_flags_done(&f);
	parse_ok(&f, ARGV("recover", "--cgroups_root=a.b/c-d"), NULL);
	mcz_flags_done(&f);
}

static void test_flags__help_and_version(void **state)
{
	struct mcz_flags f;

	(void)state;
	parse_ok(&f, ARGV("run", "--help"), NULL);
	assert_true(f.help);
	assert_string_equal(f.command, "run");
	mcz_flags_done(&f);
	parse_ok(&f, ARGV("--version"), NULL);
	assert_true(f.version);
	assert_null(f.command);
	mcz_flags_done(&f);
}

/* --help text comes from the table: every flag, its metavar and its default. */
static void test_flags__help_lists_every_flag(void **state)
{
	_cleanup_free_ char *help = mcz_flags_help();

	(void)state;
	for (size_t i = 0; i < mcz_n_flag_defs; i++) {
		const struct mcz_flag_def *d = &mcz_flag_defs[i];
		_cleanup_free_ char *head = d->kind == MCZ_FLAG_BOOL
						    ? mcz_xasprintf("  --%s\n", d->name)
						    : mcz_xasprintf("  --%s=%s\n", d->name, d->metavar);
		if (!strstr(help, head))
			fail_msg("--help lacks '%s'", head);
	}
	assert_non_null(strstr(help, "  --work_dir=DIR\n      where sandboxes live (default: "
				     "/var/lib/mcz)\n"));
	assert_non_null(strstr(help, "(default: posix/cpu,posix/mem)"));
	/* wrapped to 80 columns */
	for (const char *line = help; *line;) {
		size_t len = strcspn(line, "\n");
		assert_true(len <= 80);
		line += len + (line[len] == '\n');
	}
}

static void test_flags__done_accepts_zeroed(void **state)
{
	struct mcz_flags f = { 0 };

	(void)state;
	mcz_flags_done(&f);
	mcz_flags_done(&f);
	mcz_flags_done(NULL);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_flags__defaults),
	cmocka_unit_test(test_flags__every_flag),
	cmocka_unit_test(test_flags__dash_underscore_and_mixed),
	cmocka_unit_test(test_flags__equals_and_space),
	cmocka_unit_test(test_flags__empty_value_allowed),
	cmocka_unit_test(test_flags__environment),
	cmocka_unit_test(test_flags__command_line_wins),
	cmocka_unit_test(test_flags__booleans),
	cmocka_unit_test(test_flags__boolean_takes_no_next_argument),
	cmocka_unit_test(test_flags__repeatable),
	cmocka_unit_test(test_flags__command_and_positionals),
	cmocka_unit_test(test_flags__double_dash_ends_flags),
	cmocka_unit_test(test_flags__double_dash_alone),
	cmocka_unit_test(test_flags__path_flags_are_checked_for_every_command),
	cmocka_unit_test(test_flags__help_and_version),
	cmocka_unit_test(test_flags__help_lists_every_flag),
	cmocka_unit_test(test_flags__done_accepts_zeroed),

	BAD(unknown_flag, "unknown flag '--bogus'", "--bogus"),
	BAD(unknown_flag_with_value, "unknown flag '--bogus'", "run", "--bogus=1"),
	BAD(unknown_single_dash, "unknown flag '-v'", "-v"),
	BAD(unknown_negated_string, "unknown flag '--no-work_dir'", "--no-work_dir"),
	BAD(empty_flag_name, "unknown flag '--'", "--=x"),
	BAD(missing_value_at_end, "flag '--work_dir' requires a value", "--work_dir"),
	BAD(missing_value_before_flag, "flag '--work-dir' requires a value", "--work-dir",
	    "--sandbox=/s"),
	BAD(missing_value_before_double_dash, "flag '--container_id' requires a value", "run",
	    "--container_id", "--", "ls"),
	BAD(given_twice, "flag '--work-dir' given more than once", "--work_dir=/a",
	    "--work-dir=/b"),
	BAD(bool_given_twice, "flag '--no-cgroups_enable_cfs' given more than once",
	    "--cgroups_enable_cfs", "--no-cgroups_enable_cfs"),
	BAD(negated_with_value, "flag '--no-cgroups_enable_cfs' takes no value",
	    "--no-cgroups_enable_cfs=true"),
	BAD(bad_bool, "flag '--cgroups_enable_cfs': expected true or false, not 'yes'",
	    "--cgroups_enable_cfs=yes"),
	BAD(bad_bool_empty, "flag '--cgroups-limit-swap': expected true or false, not ''",
	    "--cgroups-limit-swap="),
	BAD(bad_uint_negative, "flag '--stop_grace_period': expected a non-negative integer, not '-1'",
	    "--stop_grace_period=-1"),
	BAD(bad_uint_suffix, "flag '--stop_grace_period': expected a non-negative integer, not '10s'",
	    "--stop_grace_period", "10s"),
	BAD(bad_uint_empty, "flag '--stop_grace_period': expected a non-negative integer, not ''",
	    "--stop_grace_period="),
	BAD(bad_uint_overflow,
	    "flag '--stop_grace_period': expected a non-negative integer, not '99999999999999999999'",
	    "--stop_grace_period=99999999999999999999"),
	BAD(bad_log_level, "flag '--log_level': expected error|warn|info|debug, not 'loud'",
	    "--log_level=loud"),
	BAD(bad_log_level_prefix, "flag '--log_level': expected error|warn|info|debug, not 'err'",
	    "--log_level=err"),
	BAD(bad_launcher, "flag '--launcher': expected linux|posix, not 'docker'", "--launcher",
	    "docker"),
	BAD_ENV(bad_env_bool, "MCZ_CGROUPS_ENABLE_CFS=on",
		"environment variable 'MCZ_CGROUPS_ENABLE_CFS': expected true or false, not 'on'",
		"list"),
	BAD_ENV(bad_env_choice, "MCZ_LOG_LEVEL=loud",
		"environment variable 'MCZ_LOG_LEVEL': expected error|warn|info|debug, not 'loud'",
		"list"),
	BAD_ENV(bad_env_uint, "MCZ_STOP_GRACE_PERIOD=soon",
		"environment variable 'MCZ_STOP_GRACE_PERIOD': expected a non-negative integer, "
		"not 'soon'",
		"list"),
	BAD_ENV(command_line_error_first, "MCZ_LOG_LEVEL=loud", "unknown flag '--x'", "--x"),

	ID_OK(simple, "c1"),
	ID_OK(one_character, "a"),
	ID_OK(digit_first, "1"),
	ID_OK(punctuation_inside, "A.b_c-9"),
	ID_OK(uuid, "2eb216b7-553b-479d-a3b7-b099e3ad23f7"),
	ID_OK(sixty_four, ID64),
	ID_BAD(empty, "", "container id '': must not be empty"),
	ID_BAD(sixty_five, ID64 "x", "container id '" ID64 "x': must be at most 64 characters"),
	ID_BAD(dot, ".", "container id '.': must start with a letter or a digit"),
	ID_BAD(dot_dot, "..", "container id '..': must start with a letter or a digit"),
	ID_BAD(dash_first, "-rf", "container id '-rf': must start with a letter or a digit"),
	ID_BAD(underscore_first, "_x", "container id '_x': must start with a letter or a digit"),
	ID_BAD(slash, "a/b",
	       "container id 'a/b': character '/' is not allowed (only letters, digits, '_', '.', "
	       "'-')"),
	ID_BAD(space, "a b",
	       "container id 'a b': character ' ' is not allowed (only letters, digits, '_', '.', "
	       "'-')"),
	ID_BAD(newline, "a\nb",
	       "container id 'a\\x0ab': character '\\x0a' is not allowed (only letters, digits, "
	       "'_', '.', '-')"),
	ID_BAD(non_ascii, "caf\xc3\xa9",
	       "container id 'caf\\xc3\\xa9': character '\\xc3' is not allowed (only letters, "
	       "digits, '_', '.', '-')"),
	ID_BAD(non_ascii_first, "\xc3\xa9",
	       "container id '\\xc3\\xa9': must start with a letter or a digit"),
};

SCENARIO_SUITE(flags, tests, NULL, NULL);
