/*
 * recover.c — `mcz recover` (SPEC §9): make the host agree with the runtime dir.
 *
 * The logic is the core's (core/recover.c, over the sys layer, scenario-tested); this is the
 * command: its flags, the forked supervisor of an adopted container (it sees pid 1 end by
 * polling its cgroup, and the exit status is unknown, as in Mesos), and the report, one JSON
 * object on stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/container/container.h"
#include "lib/json.h"
#include "core/recover/recover.h"
#include "lib/util.h"

/* The sandbox's log `name`, appended to, or -1. The running command writes there and may
 * have replaced it: a FIFO would hang a blocking open (O_NONBLOCK: ENXIO without a
 * reader), anything but a regular file with one link is not ours to write (SPEC §11). */
static int open_log(const char *sandbox, const char *name)
{
	_cleanup_free_ char *path = mcz_xasprintf("%s/%s", sandbox, name);
	int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The new supervisor of an adopted container: never returns. */
static void adopt_supervisor(struct mcz_container *c)
{
	struct mcz_error err = MCZ_ERROR_INIT;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int o = open_log(c->cfg.sandbox, "stdout");
	int e = open_log(c->cfg.sandbox, "stderr");

	sigset_t set;

	cli_set_title("supervise", c->cfg.id);
	/* The supervisor takes its signals with sigtimedwait: they must be blocked. */
	mcz_supervised_signals(&set);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	(void)setsid();
	(void)dup2(null, STDIN_FILENO);
	(void)dup2(o >= 0 ? o : null, STDOUT_FILENO);
	(void)dup2(e >= 0 ? e : null, STDERR_FILENO);
	/* Copied to 0-2: the originals are not needed (unless they are 0-2 themselves). */
	if (null > STDERR_FILENO)
		close(null);
	if (o > STDERR_FILENO)
		close(o);
	if (e > STDERR_FILENO)
		close(e);
	c->adopted = true;
	c->cfg.detached = true;
	if (cli_write_supervisor_pid(c, &err) < 0 || mcz_container_supervise(c, &err) < 0)
		fprintf(stderr, "mcz: error: %s\n", err.msg);
	mcz_error_done(&err);
	_exit(0);
}

/* mcz_recover_opts.adopt: fork the new supervisor (it keeps the lock's open file). */
static int fork_supervisor(struct mcz_container *c, void *arg, pid_t *ret_pid,
			   struct mcz_error *err)
{
	pid_t pid;

	(void)arg;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		adopt_supervisor(c);
	if (pid < 0)
		mcz_error_fmt(err, -errno, "fork: %s", strerror(errno));
	mcz_container_free(c); /* the child's copy is the one at work; ours only closes fds */
	*ret_pid = pid;
	return pid < 0 ? -errno : 0;
}

int cmd_recover(const struct mcz_flags *f, struct mcz_error *err)
{
	struct mcz_recover_opts o = {
		.runtime_dir = f->runtime_dir,
		.cgroups_hierarchy = f->cgroups_hierarchy,
		.cgroups_root = f->cgroups_root,
		.adopt = fork_supervisor,
	};
	_cleanup_free_ char *text = NULL;
	json_t *report = NULL;
	int r;

	if (f->args.n > 0)
		return mcz_error_fmt(err, -EINVAL, "recover: unexpected argument '%s'", f->args.v[0]);
	r = mcz_recover(sys_real(), &o, &report, err);
	text = mcz_json_dump(report, JSON_COMPACT | JSON_PRESERVE_ORDER, true);
	fputs(text, stdout);
	return r;
}
