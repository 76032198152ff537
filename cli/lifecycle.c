/*
 * lifecycle.c — `mcz launch`, `wait`, `destroy`, `status`, `list` (SPEC §2, §8): a container
 * driven from separate invocations, as a Mesos agent drives its containerizer.
 *
 * launch forks a supervisor: its own session, stdin /dev/null, stdout and stderr the
 * sandbox's `stdout` and `stderr` files (the command inherits them). It launches the container
 * (the same core as `run`), reports success or the launch's error to `mcz launch` through a
 * pipe, then supervises until the container ends and leaves termination.json behind.
 *
 * The supervisor holds the entry's lock file (flock) for the container's whole life: `wait`
 * blocks on a shared lock of it — no polling — and finds termination.json once it gets it.
 * `destroy` asks a live supervisor to destroy (sigqueue SIGTERM with MCZ_DESTROY_REQUEST),
 * then waits the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/container/container.h"
#include "core/state/entry.h"
#include "core/base/fsutil.h"
#include "core/state/load.h"
#include "lib/json.h"
#include "core/recover/recover.h"
#include "core/state/runtime.h"
#include "lib/util.h"

/* ---- launch ---- */

/* What the supervisor tells `mcz launch`: 0, or the launch's error. */
struct launch_report {
	int code;     /* 0, or the negative errno */
	int op;       /* the sys op that failed, or -1 */
	int errnum;   /* its errno */
	char msg[2048];
};

/* The supervisor reads nothing: stdin is /dev/null. Its stdout and stderr become the
 * sandbox's files in the launch itself, once the id is known to be free (core/container.c). */
static int detach_stdin(struct mcz_error *err)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		return mcz_error_fmt(err, -errno, "open '/dev/null': %s", strerror(errno));
	close(fd);
	return 0;
}

static void send_report(int fd, int r, const struct mcz_error *err)
{
	struct launch_report rep = { .code = r < 0 ? r : 0, .op = -1 };

	if (r < 0) {
		rep.op = (int)err->op;
		rep.errnum = err->errnum;
		snprintf(rep.msg, sizeof(rep.msg), "%s", err->msg ? err->msg : "unknown error");
	}
	/* A pipe write of this size is atomic; if `mcz launch` is gone there is no one to tell. */
	(void)!write(fd, &rep, sizeof(rep));
	close(fd);
}

/* The supervisor process: never returns. */
static void supervisor(struct mcz_container *c, int report_fd)
{
	struct mcz_error err = MCZ_ERROR_INIT;

	cli_set_title("supervise", c->cfg.id);
	int r = setsid() < 0 ? mcz_error_fmt(&err, -errno, "setsid: %s", strerror(errno)) : 0;

	if (r >= 0)
		r = detach_stdin(&err);
	if (r >= 0)
		r = mcz_container_launch(c, &err);
	if (r >= 0)
		r = cli_write_supervisor_pid(c, &err);
	if (r < 0 && mcz_container_needs_destroy(c)) {
		/* supervisor.pid failed: nothing runs unwatched, and nothing is left (no
		 * Termination either: `mcz launch` reports the failure) */
		struct mcz_error ignored = MCZ_ERROR_INIT;

		c->cfg.detached = false;
		(void)mcz_container_destroy(c, &ignored);
		mcz_error_done(&ignored);
	}
	send_report(report_fd, r, &err);
	if (r >= 0 && mcz_container_supervise(c, &err) < 0)
		fprintf(stderr, "mcz: error: %s\n", err.msg); /* into the sandbox's stderr */
	mcz_container_free(c);
	mcz_error_done(&err);
	_exit(r < 0 ? EXIT_MCZ_FAILED : 0);
}

/* Read the supervisor's report; its error becomes ours (op and errno kept: 126/127). */
static int read_report(int fd, pid_t pid, const char *id, struct mcz_error *err)
{
	struct launch_report rep;
	ssize_t n;

	do
		n = read(fd, &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(rep)) {
		int status = 0;

		(void)sys_waitpid(sys_real(), pid, &status, 0);
		return mcz_error_fmt(err, -EIO, "container '%s': its supervisor (pid %d) ended before "
				     "reporting (wait status %d)", id, (int)pid, status);
	}
	if (rep.code == 0)
		return 0;
	rep.msg[sizeof(rep.msg) - 1] = '\0';
	if (rep.op >= 0)
		return mcz_error_sys_msg(err, -rep.errnum, (enum sys_op)rep.op, NULL, "%s", rep.msg);
	return mcz_error_fmt(err, rep.code, "%s", rep.msg);
}

int cmd_launch(const struct mcz_flags *f, struct mcz_error *err)
{
	struct mcz_config cfg = { 0 };
	struct mcz_container *c;
	int p[2], r;
	pid_t pid;

	if (!f->container_id)
		return mcz_error_fmt(err, -EINVAL, "launch: --container_id is required");
	r = cli_build_config(f, "launch", &cfg, err);
	if (r < 0) {
		mcz_config_done(&cfg);
		return r;
	}
	cfg.detached = true;
	cfg.output_to_sandbox = true;
	c = mcz_container_new(sys_real(), &cfg);
	r = mcz_container_check(c, err);
	if (r >= 0 && pipe2(p, O_CLOEXEC) < 0)
		r = mcz_error_fmt(err, -errno, "pipe: %s", strerror(errno));
	if (r < 0) {
		mcz_container_free(c);
		return r;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		supervisor(c, p[1]);
	}
	close(p[1]);
	if (pid < 0)
		r = mcz_error_fmt(err, -errno, "fork the supervisor: %s", strerror(errno));
	else
		r = read_report(p[0], pid, c->cfg.id, err);
	close(p[0]);
	if (r >= 0)
		printf("%s\n", c->cfg.id);
	mcz_container_free(c); /* the supervisor's copy owns the container now */
	return r < 0 ? r : 0;
}

/* ---- wait ---- */

static void termination_done(struct mcz_termination *t)
{
	free(t->reason);
	free(t->message);
}

/* Print termination.json; its exit status (SPEC §2). -ENOENT (no message) when absent. */
static int print_termination(const struct mcz_flags *f, const char *id, struct mcz_error *err)
{
	_cleanup_free_ char *json = NULL;
	_cleanup_free_ char *dir = NULL, *path = NULL;
	struct mcz_termination t;
	int r = mcz_entry_read(sys_real(), f->runtime_dir, id, "termination.json", &json, err);

	if (r < 0)
		return mcz_error_is_set(err) ? mcz_error_wrap(err, "container '%s'", id) : r;
	dir = mcz_runtime_dir_of(f->runtime_dir, id);
	path = mcz_xasprintf("%s/termination.json", dir);
	r = mcz_termination_parse(json, path, &t, err);
	if (r < 0)
		return mcz_error_wrap(err, "container '%s'", id);
	printf("%s%s", json, json[0] && json[strlen(json) - 1] == '\n' ? "" : "\n");
	r = mcz_termination_exit_code(&t);
	termination_done(&t);
	return r;
}

static int wait_for(const struct mcz_flags *f, const char *id, struct mcz_error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = print_termination(f, id, err);

	if (r != -ENOENT || mcz_error_is_set(err))
		return r;
	dir = mcz_runtime_dir_of(f->runtime_dir, id);
	if (access(dir, F_OK) < 0)
		return mcz_error_fmt(err, -ENOENT, "container '%s' not found", id);
	r = mcz_entry_await(sys_real(), f->runtime_dir, id, err);
	if (r >= 0)
		r = print_termination(f, id, err);
	if (r == -ENOENT && !mcz_error_is_set(err)) {
		_cleanup_free_ char *config = mcz_xasprintf("%s/config.json", dir);

		if (access(config, F_OK) < 0) /* removed whole: `mcz run`'s, or destroyed */
			return mcz_error_fmt(err, -ESRCH, "container '%s' is gone and left no "
					     "Termination (a 'mcz run' container's goes to its 'mcz "
					     "run'; a destroyed one's to 'mcz destroy')", id);
		return mcz_error_fmt(err, -ESRCH, "container '%s' has no Termination: its supervisor "
				     "is gone (see 'mcz status %s'; 'mcz recover' adopts it)", id, id);
	}
	return r;
}

int cmd_wait(const struct mcz_flags *f, struct mcz_error *err)
{
	const char *id;
	int r = cli_container_arg(f, "wait", &id, err);

	if (r >= 0)
		r = mcz_container_id_check(id, err);
	return r < 0 ? r : wait_for(f, id, err);
}

/* ---- destroy ---- */

/* The supervisor is gone and the entry is still there: destroy it here. */
static int destroy_adopted(const struct mcz_flags *f, const char *id, struct mcz_error *err)
{
	struct mcz_container *c = NULL;
	bool alive = false;
	int r = mcz_container_load(sys_real(), f->runtime_dir, id, &c, err);

	if (r >= 0)
		r = mcz_container_adopt(c, &alive, err);
	if (r >= 0) {
		c->term.killed = alive;
		c->term.message = mcz_xstrdup(alive ? "Container destroyed (its supervisor was gone)"
						    : "Container destroyed (its supervisor and "
						      "processes were gone)");
		r = mcz_container_destroy(c, err);
	}
	if (r >= 0) {
		_cleanup_free_ char *json = mcz_termination_json(id, &c->term);

		fputs(json, stdout);
	}
	mcz_container_free(c);
	return r < 0 ? r : 0;
}

int cmd_destroy(const struct mcz_flags *f, struct mcz_error *err)
{
	_cleanup_free_ char *dir = NULL, *config = NULL;
	const char *id;
	pid_t sup = 0;
	int r = cli_container_arg(f, "destroy", &id, err);

	if (r >= 0)
		r = mcz_container_id_check(id, err);
	if (r < 0)
		return r;
	dir = mcz_runtime_dir_of(f->runtime_dir, id);
	config = mcz_xasprintf("%s/config.json", dir);
	if (access(dir, F_OK) < 0) {
		/* Mesos: destroying an unknown container is not an error. */
		fprintf(stderr, "mcz: warn: container '%s' not found: nothing to destroy\n", id);
		return 0;
	}
	r = mcz_entry_request_destroy(sys_real(), f->runtime_dir, id, &sup, err);
	if (r < 0)
		mcz_error_wrap(err, "container '%s'", id);
	if (r >= 0)
		r = mcz_entry_await(sys_real(), f->runtime_dir, id, err); /* a supervisor, or another destroy, finishing */
	if (r < 0)
		return r;
	if (access(config, F_OK) == 0)
		return destroy_adopted(f, id, err);
	r = print_termination(f, id, err);
	if (r == -ENOENT && !mcz_error_is_set(err)) {
		/* another destroy removed it meanwhile */
		fprintf(stderr, "mcz: warn: container '%s' was destroyed meanwhile\n", id);
		r = 0;
	}
	if (r >= 0 && mcz_runtime_remove_leftover(sys_real(), dir, err) < 0)
		return mcz_error_wrap(err, "container '%s'", id);
	return r < 0 ? r : 0;
}

/* ---- status, list ---- */

int cmd_status(const struct mcz_flags *f, struct mcz_error *err)
{
	_cleanup_free_ char *text = NULL;
	json_t *o = NULL;
	const char *id;
	int r = cli_container_arg(f, "status", &id, err);

	if (r >= 0)
		r = mcz_entry_status(sys_real(), f->runtime_dir, id, &o, err);
	if (r < 0)
		return r;
	text = mcz_json_dump(o, JSON_COMPACT | JSON_PRESERVE_ORDER, true);
	fputs(text, stdout);
	return 0;
}

int cmd_list(const struct mcz_flags *f, struct mcz_error *err)
{
	_cleanup_free_ char *dir = mcz_xasprintf("%s/containers", f->runtime_dir);
	char **ids = NULL;
	json_t *all;
	int r;

	if (f->args.n > 0)
		return mcz_error_fmt(err, -EINVAL, "list: unexpected argument '%s'", f->args.v[0]);
	r = mcz_list_names(sys_real(), dir, false, true, &ids, err);
	if (r < 0)
		return r;
	all = json_array();
	for (size_t i = 0; ids && ids[i]; i++) {
		struct mcz_error e = MCZ_ERROR_INIT;
		json_t *o = NULL;

		if (mcz_entry_status(sys_real(), f->runtime_dir, ids[i], &o, &e) >= 0)
			json_array_append_new(all, o);
		else /* being removed, or unreadable: say so */
			json_array_append_new(all, json_pack("{s:s, s:s}", "container_id", ids[i],
							     "state", "UNKNOWN"));
		mcz_error_done(&e);
	}
	mcz_names_free(ids);
	if (f->json) {
		_cleanup_free_ char *text = mcz_json_dump(all, JSON_COMPACT | JSON_PRESERVE_ORDER, true);

		fputs(text, stdout);
		return 0;
	}
	for (size_t i = 0; i < json_array_size(all); i++) {
		json_t *o = json_array_get(all, i);
		json_t *pid = json_object_get(o, "pid");

		printf("%s %s ", json_string_value(json_object_get(o, "container_id")),
		       json_string_value(json_object_get(o, "state")));
		if (pid)
			printf("%lld\n", (long long)json_integer_value(pid));
		else
			printf("-\n");
	}
	json_decref(all);
	return 0;
}
