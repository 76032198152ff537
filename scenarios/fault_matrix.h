/*
 * fault_matrix.h — SQLite-style exhaustive fault loops over the recording fake.
 *
 * A fault scenario is a world (built fresh for every run) and a body (the operation under
 * test, e.g. mcz_shared_prepare, or a whole launch → exit → destroy). fault_matrix_run() first runs it clean (the reference:
 * result, golden trace, end state), then for each mode (transient, persistent, after) fails
 * call N = 1, 2, … until a run injects nothing. Every injected run must either
 *   - fail with a clear error: errno of the injected fault, message naming the verb of a
 *     failed op and its path, the scenario's context (e.g. "volume '/tmp'"); and leave
 *     the fake exactly as the baseline (transient, after) — or, in persistent mode, where
 *     even the undo calls fail, leave nothing changed outside the sandbox and converge: the
 *     same body rerun without faults must succeed with the reference end state. A body that
 *     hands back a leftover (its destroy failed) is finished with faults off instead, and
 *     then the state must equal the baseline; or
 *   - succeed, when the failed op is one the code tolerates (close), with the reference end
 *     state.
 * No fd may stay open in any case.
 */
#ifndef MCZ_SCENARIOS_FAULT_MATRIX_H
#define MCZ_SCENARIOS_FAULT_MATRIX_H

#include <stdbool.h>
#include <stdio.h>

#include "core/base/error.h"
#include "fakes/fake.h"

struct fault_scenario {
	const char *name;
	const char *doc;
	const char *sandbox;  /* persistent mode: nothing outside it may change */
	const char *context;  /* every error message must start with this ("volume '") */
	void (*world)(struct fake *f);
	/* The operation; on success *ret_out describes the result (e.g. the plan). A body that
	 * fails may hand back what it could not clean up (*ret_leftover, e.g. a container whose
	 * destroy failed): then `finish` must complete the job with faults off — "a second
	 * destroy completes" — and free it. */
	int (*body)(struct sys *s, const void *data, char **ret_out, void **ret_leftover,
		    struct mcz_error *err);
	const void *data; /* passed to body */
	int (*finish)(struct sys *s, void *leftover, struct mcz_error *err);
	/* The sandbox is never removed (SPEC §1): states are compared outside it. */
	bool sandbox_persists;
};

#define FAULT_SCENARIO(id, ...)                                                                 \
	static const struct fault_scenario fault_scenario_##id = { __VA_ARGS__ };               \
	__attribute__((used, section("mcz_fault_scenarios"), aligned(sizeof(void *))))         \
	static const struct fault_scenario *const fault_scenario_ptr_##id = &fault_scenario_##id

struct fault_run_opts {
	unsigned long fail_nth; /* 0: no fault */
	enum fake_fault_mode mode;
	int err;                /* 0: the op's default errno */
	bool trace;
};

struct fault_matrix_stats {
	unsigned long runs;          /* bodies executed, the clean reference included */
	unsigned long injected_runs; /* runs in which at least one fault fired */
	unsigned long failed_cleanly;
	unsigned long tolerated;     /* a fault fired and the body still succeeded */
};

const struct fault_scenario *fault_scenario_find(const char *name);
void fault_scenarios_list(FILE *out);
int fault_errno_from_name(const char *name);

/* Print result, error, trace and state of one run. Returns 0 if the body succeeded. */
int fault_scenario_run_once(const char *name, const struct fault_run_opts *opts, FILE *out);

/* The whole matrix (cmocka asserts). Adds to *stats. */
void fault_matrix_run(const struct fault_scenario *sc, struct fault_matrix_stats *stats);

/* A `finish` for scenarios whose leftover is a struct mcz_container: destroy it again, free it. */
int fault_finish_destroy(struct sys *s, void *leftover, struct mcz_error *err);

/* The matrix over several scenarios by name, its size printed under `label` (so it is visible
 * in every run; not a timing assertion). Asserts that faults fired and each was accounted. */
void fault_matrix_run_all(const char *label, const char *const *names, size_t n);

/* fault_golden_check for each named scenario. */
void fault_golden_check_all(const char *const *names, size_t n);

/* Compare the clean run (trace, result, state under the sandbox) with
 * scenarios/golden/<name>.trace; UPDATE_GOLDEN=1 rewrites the file instead. */
void fault_golden_check(const struct fault_scenario *sc);

/* The fake's snapshot without the nodes at or below sandbox (which is never removed). */
char *fault_snapshot_outside(const struct fake *f, const char *sandbox);
char *fault_snapshot_outside_text(const char *snapshot, const char *sandbox);

/* Lines only in a ("-...") and only in b ("+..."). Caller frees. */
char *fault_state_diff(const char *a, const char *b);

/* Compare text with a golden file (same UPDATE_GOLDEN rule). */
void assert_golden(const char *name, const char *text);

#endif
