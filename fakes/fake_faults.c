/*
 * fake_faults.c — which calls fail: rules (testvfs's script + mask) checked first, then the
 * Nth-call countdown (SQLite's tsIsFail) with its three modes.
 */
#include <fnmatch.h>
#include <string.h>

#include "lib/util.h"
#include "fakes/fake_impl.h"

/* Empty on purpose, and never inlined, so `break fake_fault_hit` stops on every injected
 * fault (sqlite3FaultSim). */
__attribute__((noinline)) void fake_fault_hit(void)
{
	__asm__ volatile("");
}

static int abs_errno(int err)
{
	return err < 0 ? -err : err;
}

void fake_fail_nth(struct fake *f, unsigned long n, enum fake_fault_mode mode, int err)
{
	f->countdown = n;
	f->mode = mode;
	f->fail_err = abs_errno(err);
	f->failing = false;
}

void fake_on(struct fake *f, int op, const char *glob, int err, bool once)
{
	f->rules = mcz_xrealloc(f->rules, (f->nrules + 1) * sizeof(*f->rules));
	f->rules[f->nrules++] = (struct frule){
		.op = op,
		.glob = glob ? mcz_xstrdup(glob) : NULL,
		.err = abs_errno(err),
		.once = once,
	};
}

void fake_rules_clear(struct fake *f)
{
	for (size_t i = 0; i < f->nrules; i++)
		free(f->rules[i].glob);
	free(f->rules);
	f->rules = NULL;
	f->nrules = 0;
}

void fake_faults_free(struct fake *f)
{
	fake_rules_clear(f);
}

void fake_disarm(struct fake *f)
{
	fake_rules_clear(f);
	f->countdown = 0;
	f->failing = false;
	f->injected = 0;
	f->last_op = -1;
	f->last_err = 0;
}

unsigned long fake_faults_injected(const struct fake *f)
{
	return f->injected;
}

int fake_last_fault_op(const struct fake *f)
{
	return f->last_op;
}

int fake_last_fault_errno(const struct fake *f)
{
	return f->last_err;
}

/* The absolute path a call names, lexically: relative paths are joined to the path their
 * dirfd was opened at, and /proc/self/fd/N stands for fd N's path. NULL when unknown. */
static char *call_abs_path(struct fake *f, int dirfd, const char *path)
{
	const char *rest;
	struct ffd *d;
	int fd;

	if (!path)
		return NULL;
	fd = sys_proc_fd_path(path, &rest);
	d = fd >= 0 ? fake_fd(f, fd) : NULL;
	if (d)
		return sys_path_join(d->path, rest);
	if (path[0] == '/' || dirfd == AT_FDCWD)
		return sys_path_join("/", path);
	d = fake_fd(f, dirfd);
	return d ? sys_path_join(d->path, path) : NULL;
}

static bool glob_matches(const char *glob, const char *path)
{
	return path && fnmatch(glob, path, 0) == 0;
}

/* A rule's glob is tried on every path argument (so a mount rule can match its target),
 * and for calls on an fd alone, on the path that fd was opened at. */
static bool rule_matches(struct fake *f, const struct frule *rule, const struct sys_call *c)
{
	const char *k = strchr(sys_op_kinds[c->op], ':') + 1;
	bool any_path = false;

	if (rule->spent || (rule->op != SYS_OP_ANY && rule->op != (int)c->op))
		return false;
	if (!rule->glob)
		return true;
	for (int i = 0; i < c->nargs; i++) {
		_cleanup_free_ char *p = NULL;

		if (k[i] != 'P')
			continue;
		any_path = true;
		p = call_abs_path(f, (i > 0 && k[i - 1] == 'd') ? (int)c->a[i - 1].i : AT_FDCWD,
				  c->a[i].p);
		if (glob_matches(rule->glob, p))
			return true;
	}
	if (!any_path && k[0] == 'd') {
		struct ffd *d = fake_fd(f, (int)c->a[0].i);
		return d && glob_matches(rule->glob, d->path);
	}
	return false;
}

struct fault fake_fault_decide(struct fake *f, const struct sys_call *c)
{
	struct fault flt = { .fire = false };
	bool due = false;

	if (f->countdown && --f->countdown == 0) {
		due = true;
		if (f->mode == FAKE_PERSISTENT)
			f->failing = true;
	}
	for (size_t i = 0; i < f->nrules; i++) {
		struct frule *rule = &f->rules[i];
		if (!rule_matches(f, rule, c))
			continue;
		flt.fire = true;
		flt.err = rule->err;
		rule->spent = rule->once;
		break;
	}
	if (!flt.fire && (due || f->failing)) {
		flt.fire = true;
		/* The chosen errno is for call N; the calls a persistent fault fails after it get
		 * their own op's default, as a broken system would give (an ENOENT for every
		 * later unlink would claim files are gone that are not). */
		flt.err = due ? f->fail_err : 0;
		flt.after = f->mode == FAKE_AFTER;
	}
	if (!flt.fire)
		return flt;
	if (!flt.err)
		flt.err = sys_op_default_errnos[c->op];
	/* close(2) releases the fd even when it fails. */
	if (c->op == SYS_OP_close)
		flt.after = true;
	/* A wait that reaps a child or takes a signal and then reports failure would lose what
	 * it took; no kernel does that, so these fail before their effect in every mode. */
	if (c->op == SYS_OP_waitpid || c->op == SYS_OP_sigtimedwait)
		flt.after = false;
	f->injected++;
	f->last_op = (int)c->op;
	f->last_err = flt.err;
	fake_fault_hit();
	return flt;
}
