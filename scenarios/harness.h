/*
 * harness.h — how scenario suites register with build/scenarios.
 *
 * A suite file defines its cmocka tests and registers them with one line:
 *
 *   static const struct CMUnitTest tests[] = { cmocka_unit_test(test_x__y), ... };
 *   SCENARIO_SUITE(container_info, tests, NULL, NULL);
 *
 * Registration goes through a linker section (systemd's TEST() table), so no central list
 * is edited when a suite is added. build/scenarios runs suites sorted by name.
 */
#ifndef MCZ_SCENARIOS_HARNESS_H
#define MCZ_SCENARIOS_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the above first */
#include <cmocka.h>

struct scenario_suite {
	const char *name;
	const struct CMUnitTest *tests;
	size_t n_tests;
	CMFixtureFunction setup;
	CMFixtureFunction teardown;
};

#define SCENARIO_SUITE(sname, tests_array, setup_fn, teardown_fn)                                \
	static const struct scenario_suite suite_##sname = {                                    \
		.name = #sname,                                                                 \
		.tests = (tests_array),                                                         \
		.n_tests = sizeof(tests_array) / sizeof((tests_array)[0]),                      \
		.setup = (setup_fn),                                                            \
		.teardown = (teardown_fn),                                                      \
	};                                                                                      \
	__attribute__((used, section("mcz_suites"), aligned(sizeof(void *))))                   \
	static const struct scenario_suite *const suite_ptr_##sname = &suite_##sname

#endif
