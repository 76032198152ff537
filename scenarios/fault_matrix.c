/* The fault-loop driver behind fault_matrix.h, and the golden-file helper. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/container/container.h"
#include "lib/util.h"
#include "scenarios/fault_matrix.h"
#include "scenarios/harness.h"
#include "sys/trace.h"

/* Far above any scenario's call count; reaching it means the body never completes. */
#define FAULT_MATRIX_CAP 10000

extern const struct fault_scenario *const __start_mcz_fault_scenarios[];
extern const struct fault_scenario *const __stop_mcz_fault_scenarios[];

const struct fault_scenario *fault_scenario_find(const char *name)
{
	for (const struct fault_scenario *const *p = __start_mcz_fault_scenarios;
	     p < __stop_mcz_fault_scenarios; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}

void fault_scenarios_list(FILE *out)
{
	for (const struct fault_scenario *const *p = __start_mcz_fault_scenarios;
	     p < __stop_mcz_fault_scenarios; p++)
		fprintf(out, "scenario %s — %s\n", (*p)->name, (*p)->doc);
}

int fault_errno_from_name(const char *name)
{
	for (int e = 1; e < 134; e++)
		if (strcmp(sys_errno_name(e), name) == 0)
			return e;
	return -EINVAL;
}

/* One execution of a scenario in a fresh world. */
struct run {
	struct fake *f;
	int r;
	char *out;
	void *leftover;
	struct mcz_error err;
	unsigned long injected;
	int first_fault_op;
};

static void run_start(struct run *run, const struct fault_scenario *sc)
{
	*run = (struct run){ .f = fake_new(), .err = MCZ_ERROR_INIT, .first_fault_op = -1 };
	sc->world(run->f);
}

static void run_body(struct run *run, const struct fault_scenario *sc)
{
	free(run->out);
	run->out = NULL;
	mcz_error_done(&run->err);
	run->leftover = NULL;
	run->r = sc->body(fake_sys(run->f), sc->data, &run->out, &run->leftover, &run->err);
	run->injected = fake_faults_injected(run->f);
	fake_disarm(run->f);
}

/* With faults off: a second destroy of what the failed body left. */
static void run_finish(struct run *run, const struct fault_scenario *sc, unsigned long n)
{
	struct mcz_error err = MCZ_ERROR_INIT;
	int r;

	if (!run->leftover)
		return;
	assert_non_null(sc->finish);
	r = sc->finish(fake_sys(run->f), run->leftover, &err);
	run->leftover = NULL;
	if (r < 0)
		fail_msg("%s: fail-nth %lu: the second destroy failed: %s", sc->name, n, err.msg);
	mcz_error_done(&err);
}

static void run_done(struct run *run)
{
	run->f = fake_free(run->f);
	free(run->out);
	mcz_error_done(&run->err);
}

/* Reference: the clean run's result and end state. */
struct reference {
	char *out;
	char *state;
	char *baseline;
	char *baseline_outside; /* baseline without the sandbox subtree */
	char *trace;
	unsigned long calls;
};

char *fault_snapshot_outside_text(const char *all, const char *sandbox)
{
	_cleanup_free_ char *prefix = mcz_xasprintf(" %s/", sandbox);
	_cleanup_free_ char *exact = mcz_xasprintf(" %s\n", sandbox);
	char *res = mcz_xstrdup("");

	for (const char *line = all; *line;) {
		size_t len = strcspn(line, "\n");
		_cleanup_free_ char *one = mcz_xstrndup(line, len + (line[len] == '\n'));

		bool node = strchr("dfl", one[0]) && one[0] && one[1] == ' ';

		/* only file-tree nodes are dropped: a leaked fd or mount there still shows */
		if (!node || (!strstr(one, prefix) && !strstr(one, exact)))
			mcz_strappend(&res, one);
		line += len + (line[len] == '\n');
	}
	return res;
}

char *fault_snapshot_outside(const struct fake *f, const char *sandbox)
{
	_cleanup_free_ char *all = fake_snapshot(f);

	return fault_snapshot_outside_text(all, sandbox);
}

static void reference_make(const struct fault_scenario *sc, struct reference *ref)
{
	struct run run;

	run_start(&run, sc);
	ref->baseline = sc->sandbox_persists ? fault_snapshot_outside(run.f, sc->sandbox) : fake_snapshot(run.f);
	ref->baseline_outside = fault_snapshot_outside(run.f, sc->sandbox);
	run_body(&run, sc);
	if (run.r < 0)
		fail_msg("scenario %s fails without faults: %s", sc->name, run.err.msg);
	assert_int_equal(run.injected, 0);
	ref->out = TAKE_PTR(run.out);
	ref->state = sc->sandbox_persists ? fault_snapshot_outside(run.f, sc->sandbox) : fake_snapshot(run.f);
	ref->calls = fake_calls(run.f);
	ref->trace = mcz_xstrdup(fake_trace(run.f));
	assert_int_equal(fake_open_fds(run.f), 0);
	run_done(&run);
}

static void reference_done(struct reference *ref)
{
	free(ref->out);
	free(ref->state);
	free(ref->baseline);
	free(ref->baseline_outside);
	free(ref->trace);
}

static bool has_line(const char *text, const char *line, size_t len)
{
	for (const char *p = text; *p;) {
		size_t l = strcspn(p, "\n");

		if (l == len && strncmp(p, line, len) == 0)
			return true;
		p += l + (p[l] == '\n');
	}
	return false;
}

/* Lines only in a ("-") and only in b ("+"): enough to see what leaked. */
char *fault_state_diff(const char *a, const char *b)
{
	char *out = mcz_xstrdup("");

	for (int side = 0; side < 2; side++) {
		const char *from = side ? b : a, *other = side ? a : b;

		for (const char *p = from; *p;) {
			size_t l = strcspn(p, "\n");

			if (!has_line(other, p, l)) {
				_cleanup_free_ char *line = mcz_xasprintf("%c%.*s\n", side ? '+' : '-', (int)l, p);
				mcz_strappend(&out, line);
			}
			p += l + (p[l] == '\n');
		}
	}
	return out;
}

static void assert_state(const struct fake *f, const char *expected, const char *what,
			 const struct fault_scenario *sc, unsigned long n, enum fake_fault_mode mode)
{
	_cleanup_free_ char *state = sc->sandbox_persists ? fault_snapshot_outside(f, sc->sandbox)
							  : fake_snapshot(f);

	if (strcmp(state, expected) != 0) {
		_cleanup_free_ char *diff = fault_state_diff(expected, state);

		fail_msg("%s: fail-nth %lu mode %d: state differs from %s:\n%s", sc->name, n, (int)mode,
			 what, diff);
	}
}

/* The error must say what failed: the op's verb, the path and the cause, in context. With
 * each op's default errno injected (strict), the cause must be exactly the default errno of
 * the named op. With another valid errno injected, code may legitimately react to it (EEXIST
 * taken as "already there", ENOENT as "missing") and fail later for another reason, so the
 * cause is only required to be stated: its strerror, or the paraphrase mcz uses for it. */
static void assert_clear_error(const struct run *run, const struct fault_scenario *sc, unsigned long n,
			       bool strict)
{
	const char *msg = run->err.msg;
	int op = run->err.op, e = run->err.errnum;
	bool cause_stated;

	if (!msg || run->r != -e)
		fail_msg("%s: fail-nth %lu: r=%d but error is '%s'", sc->name, n, run->r,
			 msg ? msg : "(unset)");
	if (strncmp(msg, sc->context, strlen(sc->context)) != 0)
		fail_msg("%s: fail-nth %lu: message lacks context '%s': %s", sc->name, n, sc->context, msg);
	if (op < 0 || op >= _SYS_OP_MAX)
		fail_msg("%s: fail-nth %lu: error names no op: %s", sc->name, n, msg);
	/* ops on paths must name the path; kill, waitpid, setsid... have none to name */
	if ((strchr(sys_op_kinds[op], 'P') && !run->err.path) ||
	    (run->err.path && !strstr(msg, run->err.path)))
		fail_msg("%s: fail-nth %lu: error names no path: %s", sc->name, n, msg);
	cause_stated = strstr(msg, strerror(e)) ||
		       (e == ENOENT && (strstr(msg, "does not exist") || strstr(msg, "not found"))) ||
		       (e == EEXIST && strstr(msg, "already exists")) ||
		       (e == ELOOP && strstr(msg, "is a symlink"));
	if (!cause_stated)
		fail_msg("%s: fail-nth %lu: message does not state the cause (%s): %s", sc->name, n,
			 sys_errno_name(e), msg);
	if (strict && (e != sys_op_default_errnos[op] || !strstr(msg, sys_op_verbs[op])))
		fail_msg("%s: fail-nth %lu: message does not name the op (%s) and the injected cause "
			 "(%s): %s",
			 sc->name, n, sys_op_names[op], sys_errno_name(sys_op_default_errnos[op]), msg);
}

/* Returns false when no fault fired (the loop's stop rule). */
static bool matrix_step(const struct fault_scenario *sc, const struct reference *ref,
			enum fake_fault_mode mode, unsigned long n, int err, struct fault_matrix_stats *stats)
{
	struct run run;

	run_start(&run, sc);
	fake_fail_nth(run.f, n, mode, err);
	run_body(&run, sc);
	stats->runs++;
	if (run.injected == 0) {
		if (run.r < 0)
			fail_msg("%s: fail-nth %lu: failed without a fault: %s", sc->name, n, run.err.msg);
		assert_state(run.f, ref->state, "the clean run", sc, n, mode);
		run_done(&run);
		return false;
	}
	stats->injected_runs++;
	if (run.r >= 0) {
		stats->tolerated++;
		if (strcmp(run.out, ref->out) != 0)
			fail_msg("%s: fail-nth %lu mode %d errno %s: tolerated, but the result differs:\n"
				 "%s--- expected\n%s", sc->name, n, (int)mode, err ? sys_errno_name(err) : "default",
				 run.out, ref->out);
		assert_state(run.f, ref->state, "the clean run", sc, n, mode);
	} else {
		stats->failed_cleanly++;
		assert_clear_error(&run, sc, n, err == 0);
		if (run.leftover) {
			run_finish(&run, sc, n);
			assert_state(run.f, ref->baseline, "the baseline (after a second destroy)", sc, n, mode);
		} else if (mode != FAKE_PERSISTENT) {
			assert_state(run.f, ref->baseline, "the baseline", sc, n, mode);
		} else {
			_cleanup_free_ char *outside = fault_snapshot_outside(run.f, sc->sandbox);

			if (strcmp(outside, ref->baseline_outside) != 0) {
				_cleanup_free_ char *diff = fault_state_diff(ref->baseline_outside, outside);

				fail_msg("%s: fail-nth %lu persistent: changed outside the sandbox:\n%s",
					 sc->name, n, diff);
			}
			run_body(&run, sc); /* retry without faults: must converge */
			if (run.r < 0)
				fail_msg("%s: fail-nth %lu persistent: retry failed: %s", sc->name, n,
					 run.err.msg);
			assert_string_equal(run.out, ref->out);
			assert_state(run.f, ref->state, "the clean run (after retry)", sc, n, mode);
		}
	}
	if (fake_open_fds(run.f) != 0)
		fail_msg("%s: fail-nth %lu mode %d: %d fd(s) left open", sc->name, n, (int)mode,
			 fake_open_fds(run.f));
	run_done(&run);
	return true;
}

/* The op of call n: runs are deterministic, so it is the nth call line of the clean run's
 * trace ("[pid N] " marks a child's call; "+++ ... +++" lines are notes, not calls). */
static int op_of_call(const struct reference *ref, unsigned long n)
{
	const char *line = ref->trace;
	char name[32];
	size_t len;

	for (unsigned long i = 0; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, "+++", 3) == 0)
			continue;
		if (++i == n)
			break;
	}
	assert_non_null(line);
	if (strncmp(line, "[pid ", 5) == 0)
		line = strchr(line, ']') + 2;
	len = strcspn(line, "(");
	assert_true(len < sizeof(name));
	memcpy(name, line, len);
	name[len] = '\0';
	return sys_op_from_name(name);
}

/* Answers that state a fact about the world — "it is already gone", "it already exists" — which
 * the code rightly takes as such. The fake injecting them while the thing still exists would be a lie no
 * kernel tells (unlink of an existing file is never ENOENT), so they are not variants. */
static bool impossible_variant(int op, int e, enum fake_fault_mode mode)
{
	/* "made it, and it already existed / its parent is missing": a creation that took effect
	 * cannot answer EEXIST or ENOENT */
	if (mode == FAKE_AFTER && (e == EEXIST || e == ENOENT) &&
	    (op == SYS_OP_mkdirat || op == SYS_OP_cg_mkdir || op == SYS_OP_openat))
		return true;
	switch (op) {
	case SYS_OP_unlinkat:
	case SYS_OP_cg_rmdir:
		return e == ENOENT;
	case SYS_OP_umount2:
		return e == EINVAL || e == ENOENT;
	case SYS_OP_kill:
		return e == ESRCH;
	case SYS_OP_waitpid:
		return e == ECHILD;
	default:
		return false;
	}
}

/* Call n again with each of its op's other valid errnos. */
static void matrix_errno_variants(const struct fault_scenario *sc, const struct reference *ref,
				  enum fake_fault_mode mode, unsigned long n,
				  struct fault_matrix_stats *stats)
{
	int op = op_of_call(ref, n);

	assert_true(op >= 0);
	for (const int *e = sys_op_errnos[op] + 1; *e; e++)
		if (!impossible_variant(op, *e, mode))
			assert_true(matrix_step(sc, ref, mode, n, *e, stats));
}

void fault_matrix_run(const struct fault_scenario *sc, struct fault_matrix_stats *stats)
{
	static const enum fake_fault_mode modes[] = { FAKE_TRANSIENT, FAKE_PERSISTENT, FAKE_AFTER };
	struct reference ref = { 0 };

	reference_make(sc, &ref);
	stats->runs++;
	for (size_t m = 0; m < MCZ_ARRAY_SIZE(modes); m++) {
		unsigned long n = 1;

		while (matrix_step(sc, &ref, modes[m], n, 0, stats)) {
			matrix_errno_variants(sc, &ref, modes[m], n, stats);
			if (++n > FAULT_MATRIX_CAP)
				fail_msg("%s: more than %d calls: never completes", sc->name, FAULT_MATRIX_CAP);
		}
		/* Every call of the clean run must have been failed once. */
		assert_int_equal(n, ref.calls + 1);
	}
	reference_done(&ref);
}

static char *golden_path(const char *name)
{
	const char *dir = getenv("MCZ_GOLDEN_DIR");

	return mcz_xasprintf("%s/%s.trace", dir ? dir : "scenarios/golden", name);
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, len = 0, k;

	if (!fp)
		return NULL;
	do {
		buf = mcz_xrealloc(buf, cap += 4096);
		k = fread(buf + len, 1, cap - len - 1, fp);
		len += k;
	} while (k > 0);
	fclose(fp);
	buf[len] = '\0';
	return buf;
}

void assert_golden(const char *name, const char *text)
{
	_cleanup_free_ char *path = golden_path(name);
	_cleanup_free_ char *want = NULL;

	if (getenv("UPDATE_GOLDEN")) {
		FILE *fp = fopen(path, "we");

		if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
			fail_msg("cannot write golden file '%s'", path);
		return;
	}
	want = read_file(path);
	if (!want)
		fail_msg("golden file '%s' is missing (run with UPDATE_GOLDEN=1 and review)", path);
	if (strcmp(want, text) != 0)
		fail_msg("output differs from '%s'\n--- expected\n%s--- got\n%s", path, want, text);
}

static char *describe_run(const struct run *run, const struct fault_scenario *sc)
{
	_cleanup_free_ char *state = fake_snapshot_under(run->f, sc->sandbox);

	if (run->r < 0)
		return mcz_xasprintf("# %s\n%s--- error (%s)\n%s\n--- state under %s\n%s", sc->doc,
				     fake_trace(run->f), sys_errno_name(run->err.errnum), run->err.msg,
				     sc->sandbox, state);
	return mcz_xasprintf("# %s\n%s--- result\n%s--- state under %s\n%s", sc->doc, fake_trace(run->f),
			     run->out ? run->out : "", sc->sandbox, state);
}

void fault_golden_check(const struct fault_scenario *sc)
{
	struct run run;
	_cleanup_free_ char *text = NULL;

	run_start(&run, sc);
	run_body(&run, sc);
	text = describe_run(&run, sc);
	run_done(&run);
	assert_golden(sc->name, text);
}

int fault_scenario_run_once(const char *name, const struct fault_run_opts *opts, FILE *out)
{
	const struct fault_scenario *sc = fault_scenario_find(name);
	_cleanup_free_ char *text = NULL;
	struct run run;
	int ok;

	if (!sc) {
		fprintf(stderr, "scenarios: no fault scenario '%s' (see --list)\n", name);
		return 2;
	}
	run_start(&run, sc);
	if (opts->fail_nth)
		fake_fail_nth(run.f, opts->fail_nth, opts->mode, opts->err);
	run_body(&run, sc);
	text = describe_run(&run, sc);
	if (opts->trace)
		fputs(text, out);
	fprintf(out, "%s: fail-nth %lu: %lu fault(s) injected; %s%s\n", sc->name, opts->fail_nth,
		run.injected, run.r < 0 ? "error: " : "ok", run.r < 0 ? run.err.msg : "");
	ok = run.r >= 0;
	if (run.leftover) {
		struct mcz_error err = MCZ_ERROR_INIT;
		int r;

		fake_trace_clear(run.f);
		r = sc->finish(fake_sys(run.f), run.leftover, &err);
		run.leftover = NULL;
		if (opts->trace)
			fprintf(out, "--- second destroy\n%s", fake_trace(run.f));
		fprintf(out, "%s: second destroy: %s\n", sc->name, r < 0 ? err.msg : "ok");
		mcz_error_done(&err);
	}
	run_done(&run);
	return ok ? 0 : 1;
}

void fault_matrix_run_all(const char *label, const char *const *names, size_t n)
{
	struct fault_matrix_stats st = { 0 };
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++) {
		const struct fault_scenario *sc = fault_scenario_find(names[i]);

		assert_non_null(sc);
		fault_matrix_run(sc, &st);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: %zu scenarios x 3 modes: %lu runs, %lu with faults injected (%lu failed cleanly, "
	       "%lu tolerated) in %.2f s\n",
	       label, n, st.runs, st.injected_runs, st.failed_cleanly, st.tolerated,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	assert_true(st.injected_runs > 0);
	assert_int_equal(st.injected_runs, st.failed_cleanly + st.tolerated);
}

void fault_golden_check_all(const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct fault_scenario *sc = fault_scenario_find(names[i]);

		assert_non_null(sc);
		fault_golden_check(sc);
	}
}

int fault_finish_destroy(struct sys *s, void *leftover, struct mcz_error *err)
{
	struct mcz_container *c = leftover;
	int r;

	(void)s; /* the container keeps the sys it was made with */
	r = mcz_container_destroy(c, err);
	mcz_container_free(c);
	return r;
}
