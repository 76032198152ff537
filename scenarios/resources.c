/*
 * resources.c — the Mesos resource syntax of --resources (core/resources.h): every accepted
 * form and every error message, exact, table-driven; formatting and its round trip.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/frontend/mesos/resources.h"
#include "lib/util.h"
#include "scenarios/harness.h"

struct good_case {
	const char *text;
	bool has_cpus;
	double cpus;
	bool has_mem;
	uint64_t mem_mb;
	const char *formatted;
};

static const struct good_case good[] = {
	{ "cpus:0.5;mem:64", true, 0.5, true, 64, "cpus:0.5;mem:64" },
	{ "mem:64;cpus:0.5", true, 0.5, true, 64, "cpus:0.5;mem:64" },
	{ "cpus:2", true, 2, false, 0, "cpus:2" },
	{ "mem:1", false, 0, true, 1, "mem:1" },
	{ "", false, 0, false, 0, "" },
	{ "  \t ", false, 0, false, 0, "" },
	{ " cpus : 1.5 ; mem : 128 ", true, 1.5, true, 128, "cpus:1.5;mem:128" },
	{ "\tcpus:1\t;\tmem:2\t", true, 1, true, 2, "cpus:1;mem:2" },
	{ "cpus(*):0.5;mem(*):64", true, 0.5, true, 64, "cpus:0.5;mem:64" },
	{ "cpus(role1):0.25", true, 0.25, false, 0, "cpus:0.25" },
	{ "cpus ( * ) :1", true, 1, false, 0, "cpus:1" },
	{ "cpus:1e-3", true, 0.001, false, 0, "cpus:0.001" },
	{ "cpus:+3", true, 3, false, 0, "cpus:3" },
	{ "cpus:.5", true, 0.5, false, 0, "cpus:0.5" },
	{ "cpus:1000000", true, 1000000, false, 0, "cpus:1000000" },
	{ "cpus:0.1", true, 0.1, false, 0, "cpus:0.1" },
	{ "mem:007", false, 0, true, 7, "mem:7" },
	{ "mem:17592186044415", false, 0, true, 17592186044415ull, "mem:17592186044415" },
};

struct bad_case {
	const char *text;
	const char *msg;
};

static const struct bad_case bad[] = {
	/* structure */
	{ "cpus:1;;mem:64", "resources: empty entry in 'cpus:1;;mem:64'" },
	{ ";", "resources: empty entry in ';'" },
	{ "cpus:1;", "resources: empty entry in 'cpus:1;'" },
	{ " ;cpus:1", "resources: empty entry in ' ;cpus:1'" },
	{ "cpus", "resources: missing ':' in 'cpus'" },
	{ "cpus:1; mem 64 ", "resources: missing ':' in 'mem 64'" },
	{ ":1", "resources: missing name in ':1'" },
	{ " (*) : 1", "resources: missing name in '(*) : 1'" },
	{ "cpus(*:1", "resources: bad role in 'cpus(*:1'" },
	{ "cpus():1", "resources: bad role in 'cpus():1'" },
	{ "cpus( ):1", "resources: bad role in 'cpus( ):1'" },
	{ "cpus(a)b:1", "resources: bad role in 'cpus(a)b:1'" },
	{ "cpus((a)):1", "resources: bad role in 'cpus((a)):1'" },
	{ "cpus):1", "resources: bad role in 'cpus):1'" },
	/* names */
	{ "gpus:1", "resources: unknown resource 'gpus' (known: cpus, mem)" },
	{ "cpus:1;disk:100", "resources: unknown resource 'disk' (known: cpus, mem)" },
	{ "gpus(*):1", "resources: unknown resource 'gpus' (known: cpus, mem)" },
	{ "CPUS:1", "resources: unknown resource 'CPUS' (known: cpus, mem)" },
	{ "cpus:1;cpus:2", "resources: duplicate resource 'cpus'" },
	{ "mem:1;cpus:1;mem(*):1", "resources: duplicate resource 'mem'" },
	/* values */
	{ "cpus:", "resources: missing value for 'cpus'" },
	{ "mem:  ", "resources: missing value for 'mem'" },
	{ "cpus:abc", "resources: invalid value 'abc' for 'cpus': not a number" },
	{ "cpus:1 2", "resources: invalid value '1 2' for 'cpus': not a number" },
	{ "cpus:1.2.3", "resources: invalid value '1.2.3' for 'cpus': not a number" },
	{ "cpus:nan", "resources: invalid value 'nan' for 'cpus': not a number" },
	{ "cpus:inf", "resources: invalid value 'inf' for 'cpus': not a number" },
	{ "cpus:-inf", "resources: invalid value '-inf' for 'cpus': not a number" },
	{ "cpus:0x10", "resources: invalid value '0x10' for 'cpus': not a number" },
	{ "cpus:1:2", "resources: invalid value '1:2' for 'cpus': not a number" },
	{ "cpus:0", "resources: invalid value '0' for 'cpus': must be greater than 0" },
	{ "cpus:-0", "resources: invalid value '-0' for 'cpus': must be greater than 0" },
	{ "cpus:-0.5", "resources: invalid value '-0.5' for 'cpus': must be greater than 0" },
	{ "cpus:1e-999", "resources: invalid value '1e-999' for 'cpus': must be greater than 0" },
	{ "cpus:1e999", "resources: invalid value '1e999' for 'cpus': out of range" },
	{ "cpus:-1e999", "resources: invalid value '-1e999' for 'cpus': out of range" },
	{ "cpus:1000000.5",
	  "resources: invalid value '1000000.5' for 'cpus': must be at most 1000000" },
	{ "mem:abc", "resources: invalid value 'abc' for 'mem': not a number" },
	{ "mem:64MB", "resources: invalid value '64MB' for 'mem': not a number" },
	{ "mem:nan", "resources: invalid value 'nan' for 'mem': not a number" },
	{ "mem:0", "resources: invalid value '0' for 'mem': must be greater than 0" },
	{ "mem:-1", "resources: invalid value '-1' for 'mem': must be greater than 0" },
	{ "mem:0.0", "resources: invalid value '0.0' for 'mem': must be greater than 0" },
	{ "mem:64.5",
	  "resources: invalid value '64.5' for 'mem': must be a whole number of megabytes" },
	{ "mem:1e3",
	  "resources: invalid value '1e3' for 'mem': must be a whole number of megabytes" },
	{ "mem:17592186044416", "resources: invalid value '17592186044416' for 'mem': "
				"out of range (at most 17592186044415)" },
	{ "mem:99999999999999999999999", "resources: invalid value '99999999999999999999999' "
					 "for 'mem': out of range (at most 17592186044415)" },
	/* the first error wins */
	{ "gpus:1;cpus:x", "resources: unknown resource 'gpus' (known: cpus, mem)" },
};

static void test_resources__accepted_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(good); i++) {
		struct mcz_resources r;
		struct mcz_error err = MCZ_ERROR_INIT;
		_cleanup_free_ char *text = NULL;

		printf("# '%s'\n", good[i].text);
		assert_int_equal(mcz_resources_parse(good[i].text, &r, &err), 0);
		assert_false(mcz_error_is_set(&err));
		assert_int_equal(r.has_cpus, good[i].has_cpus);
		assert_true(r.cpus == good[i].cpus);
		assert_int_equal(r.has_mem, good[i].has_mem);
		assert_true(r.mem_mb == good[i].mem_mb);
		text = mcz_resources_format(&r);
		assert_string_equal(text, good[i].formatted);
	}
}

static void test_resources__every_error_message(void **state)
{
	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(bad); i++) {
		struct mcz_resources r = { .has_cpus = true, .cpus = 9, .has_mem = true };
		struct mcz_error err = MCZ_ERROR_INIT;

		printf("# '%s'\n", bad[i].text);
		assert_int_equal(mcz_resources_parse(bad[i].text, &r, &err), -EINVAL);
		assert_string_equal(err.msg, bad[i].msg);
		assert_int_equal(err.errnum, EINVAL);
		/* nothing half-parsed leaks out */
		assert_false(r.has_cpus);
		assert_false(r.has_mem);
		assert_true(r.cpus == 0 && r.mem_mb == 0);
		mcz_error_done(&err);
	}
}

static void test_resources__null_text_and_null_err(void **state)
{
	struct mcz_resources r;
	struct mcz_error err = MCZ_ERROR_INIT;

	(void)state;
	assert_int_equal(mcz_resources_parse(NULL, &r, &err), -EINVAL);
	assert_string_equal(err.msg, "resources: no text");
	mcz_error_done(&err);
	assert_int_equal(mcz_resources_parse("gpus:1", &r, NULL), -EINVAL);
}

/* format(parse(x)) parses back to the same values, also for doubles %g would round. */
static void test_resources__format_round_trips(void **state)
{
	static const double cpus[] = { 1.0 / 3, 0.1, 2.0 / 3 * 7, 1e-6, 999999.9999999, 4 };

	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(cpus); i++) {
		struct mcz_resources in = { .has_cpus = true, .cpus = cpus[i], .has_mem = true,
					    .mem_mb = 17592186044415ull },
				     out;
		_cleanup_free_ char *text = mcz_resources_format(&in);

		assert_int_equal(mcz_resources_parse(text, &out, NULL), 0);
		assert_true(out.has_cpus && out.cpus == in.cpus);
		assert_true(out.has_mem && out.mem_mb == in.mem_mb);
	}
	struct mcz_resources none = { 0 };
	_cleanup_free_ char *empty = mcz_resources_format(&none);
	assert_string_equal(empty, "");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_resources__accepted_forms),
	cmocka_unit_test(test_resources__every_error_message),
	cmocka_unit_test(test_resources__null_text_and_null_err),
	cmocka_unit_test(test_resources__format_round_trips),
};

SCENARIO_SUITE(resources, tests, NULL, NULL);
