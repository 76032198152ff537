/*
 * build/scenarios — runs every scenario suite (cmocka) against the recording fake.
 *
 *   build/scenarios                      all suites
 *   build/scenarios --list               suite and test names, and the fault scenarios
 *   build/scenarios --run GLOB           only tests whose name matches GLOB
 *   build/scenarios --run NAME [--fail-nth N] [--mode transient|persistent|after]
 *                   [--errno EPERM] [--trace]
 *                                        run fault scenario NAME once (optionally with call N
 *                                        failing) and print its result, error, trace and state
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/fault_matrix.h"
#include "scenarios/harness.h"

extern const struct scenario_suite *const __start_mcz_suites[];
extern const struct scenario_suite *const __stop_mcz_suites[];

static int suite_cmp(const void *a, const void *b)
{
	const struct scenario_suite *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

static size_t sorted_suites(const struct scenario_suite ***ret)
{
	size_t n = (size_t)(__stop_mcz_suites - __start_mcz_suites);
	const struct scenario_suite **v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		v[i] = __start_mcz_suites[i];
	qsort(v, n, sizeof(*v), suite_cmp);
	*ret = v;
	return n;
}

static void list_all(void)
{
	const struct scenario_suite **suites;
	size_t n = sorted_suites(&suites);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < suites[i]->n_tests; j++)
			printf("test %s/%s\n", suites[i]->name, suites[i]->tests[j].name);
	free(suites);
	fault_scenarios_list(stdout);
}

static size_t count_matching(const struct scenario_suite *s, const char *glob)
{
	size_t k = 0;
	for (size_t j = 0; j < s->n_tests; j++)
		if (!glob || fnmatch(glob, s->tests[j].name, 0) == 0)
			k++;
	return k;
}

static int run_suites(const char *glob)
{
	const struct scenario_suite **suites;
	size_t n = sorted_suites(&suites);
	int failed = 0;
	size_t total = 0;

	if (glob)
		cmocka_set_test_filter(glob);
	for (size_t i = 0; i < n; i++) {
		size_t k = count_matching(suites[i], glob);
		if (k == 0)
			continue;
		total += k;
		failed += _cmocka_run_group_tests(suites[i]->name, suites[i]->tests, suites[i]->n_tests,
						  suites[i]->setup, suites[i]->teardown);
	}
	free(suites);
	if (total == 0) {
		fprintf(stderr, "scenarios: no test matches '%s'\n", glob ? glob : "*");
		return 2;
	}
	fprintf(stderr, "scenarios: %zu tests in %zu suites, %d failed\n", total, n, failed);
	return failed ? 1 : 0;
}

static int parse_mode(const char *s, enum fake_fault_mode *ret)
{
	if (strcmp(s, "transient") == 0)
		*ret = FAKE_TRANSIENT;
	else if (strcmp(s, "persistent") == 0)
		*ret = FAKE_PERSISTENT;
	else if (strcmp(s, "after") == 0)
		*ret = FAKE_AFTER;
	else
		return -EINVAL;
	return 0;
}

static void usage(FILE *out)
{
	fputs("usage: scenarios [--list] [--run GLOB|NAME] [--fail-nth N] [--mode transient|persistent|after]\n"
	      "                 [--errno NAME] [--trace]\n",
	      out);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },      { "run", required_argument, NULL, 'r' },
		{ "fail-nth", required_argument, NULL, 'n' }, { "mode", required_argument, NULL, 'm' },
		{ "errno", required_argument, NULL, 'e' }, { "trace", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },      { NULL, 0, NULL, 0 },
	};
	const char *run = NULL;
	struct fault_run_opts fo = { .fail_nth = 0, .mode = FAKE_TRANSIENT, .err = 0, .trace = false };
	bool single = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list_all();
			return 0;
		case 'r':
			run = optarg;
			break;
		case 'n':
			fo.fail_nth = strtoul(optarg, NULL, 10);
			single = true;
			break;
		case 'm':
			if (parse_mode(optarg, &fo.mode) < 0) {
				fprintf(stderr, "scenarios: unknown mode '%s'\n", optarg);
				return 2;
			}
			single = true;
			break;
		case 'e':
			fo.err = fault_errno_from_name(optarg);
			if (fo.err <= 0) {
				fprintf(stderr, "scenarios: unknown errno '%s'\n", optarg);
				return 2;
			}
			single = true;
			break;
		case 't':
			fo.trace = true;
			single = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (single || (run && fault_scenario_find(run))) {
		if (!run) {
			fprintf(stderr, "scenarios: --fail-nth/--mode/--trace need --run NAME\n");
			return 2;
		}
		return fault_scenario_run_once(run, &fo, stdout);
	}
	return run_suites(run);
}
