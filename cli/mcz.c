/*
 * mcz.c — the command-line front end (SPEC §2). Parses flags, dispatches to a command, and
 * is the one place that prints errors: "mcz: error: <message>" on stderr, exit 125.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/frontend/mesos/container_info.h"
#include "core/base/error.h"
#include "core/frontend/mesos/flags.h"
#include "core/plan/plan.h"
#include "lib/util.h"
#include "core/isolators/volume.h"
#include "sys/sys.h"

#ifndef MCZ_VERSION
#define MCZ_VERSION "0.1.0"
#endif


extern char **environ;

struct command {
	const char *name;
	const char *args;    /* after "mcz NAME" in the usage line */
	const char *summary;
	int (*run)(const struct mcz_flags *f, struct mcz_error *err); /* NULL: not implemented */
};


static const struct command commands[] = {
	{ "run", "[FLAGS] -- COMMAND [ARG...]", "launch, wait, destroy; exit with the container's status", cmd_run },
	{ "launch", "[FLAGS] --container_id=ID -- COMMAND [ARG...]", "start detached; return once the command is running", cmd_launch },
	{ "wait", "[FLAGS] ID", "block until it terminates; print Termination JSON", cmd_wait },
	{ "destroy", "[FLAGS] ID", "kill + clean up (idempotent); print Termination JSON", cmd_destroy },
	{ "usage", "[FLAGS] ID", "print ResourceStatistics JSON", cmd_usage },
	{ "update", "[FLAGS] ID --resources=...", "change cpu/mem limits of a running container", cmd_update },
	{ "status", "[FLAGS] ID", "print the container's state JSON", cmd_status },
	{ "list", "[FLAGS]", "one line per container: ID STATE PID (--json: array)", cmd_list },
	{ "recover", "[FLAGS]", "reconcile runtime dir, cgroups and processes", cmd_recover },
	{ "prepare", "[FLAGS]", "debug: create the sandbox and its volumes, print the mount plan", cmd_prepare },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* ---- help ------------------------------------------------------------------------------- */

static void print_flags(FILE *out)
{
	_cleanup_free_ char *help = mcz_flags_help();

	fputs("\nflags (also read from the environment as MCZ_<NAME>, e.g. MCZ_WORK_DIR; the\n"
	      "command line wins; --name_with_underscores and --name-with-dashes both work):\n",
	      out);
	fputs(help, out);
}

static void print_usage(FILE *out)
{
	fputs("usage: mcz COMMAND [FLAGS] [ARGS]\n"
	      "       mcz --help | --version | COMMAND --help\n"
	      "\ncommands:\n",
	      out);
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-8s %s %s\n", commands[i].name, commands[i].run ? " " : "*",
			commands[i].summary);
	fputs("  (* not implemented yet)\n", out);
	print_flags(out);
	fputs("\nexit status: run and wait exit with the command's status (128+N when killed\n"
	      "by signal N); 125 when mcz itself failed, 126 when the command could not be\n"
	      "executed, 127 when it was not found. Other commands exit 0 on success, 125 on\n"
	      "failure.\n",
	      out);
}

static void print_command_help(const struct command *c, FILE *out)
{
	fprintf(out, "usage: mcz %s %s\n\n%s%s\n", c->name, c->args, c->summary,
		c->run ? "" : " (not implemented yet)");
	print_flags(out);
}

/* ---- main ------------------------------------------------------------------------------- */

/* SPEC §2: 127 when the command was not found, 126 when it could not be executed, else 125. */
static int exit_status_of(const struct mcz_error *err)
{
	if (err->op != SYS_OP_execve)
		return EXIT_MCZ_FAILED;
	return err->errnum == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
}

static int fail(struct mcz_error *err)
{
	int status = exit_status_of(err);

	fprintf(stderr, "mcz: error: %s\n", err->msg ? err->msg : "unknown error");
	mcz_error_done(err);
	return status;
}

static int dispatch(const struct mcz_flags *f, struct mcz_error *err)
{
	const struct command *c;

	if (f->version) {
		printf("mcz %s\n", MCZ_VERSION);
		return 0;
	}
	if (!f->command) {
		if (f->help) {
			print_usage(stdout);
			return 0;
		}
		mcz_error_fmt(err, -EINVAL, "no command given (see 'mcz --help')");
		return fail(err);
	}
	c = find_command(f->command);
	if (!c) {
		mcz_error_fmt(err, -EINVAL, "unknown command '%s' (see 'mcz --help')", f->command);
		return fail(err);
	}
	if (f->help) {
		print_command_help(c, stdout);
		return 0;
	}
	if (!c->run) {
		mcz_error_fmt(err, -ENOSYS, "'%s' is not implemented yet", c->name);
		return fail(err);
	}
	int status = c->run(f, err);
	return status < 0 ? fail(err) : status;
}

/* ---- what /proc/PID/cmdline shows of a long-lived mcz ---- */

static char *args_start, *args_end; /* argv's strings, contiguous as the kernel laid them */

void cli_set_title(const char *what, const char *id)
{
	size_t room = args_end > args_start ? (size_t)(args_end - args_start) : 0;

	if (room < 2)
		return;
	/* /proc/PID/cmdline is readable by every user of the host for the process's whole life:
	 * --env values (secrets) and the rest of the command line are overwritten in place by
	 * "mcz <what> <id>" (SPEC §11). The kernel reads the same memory range, so the title
	 * shows as NUL-separated words and the remainder as NULs. */
	memset(args_start, 0, room);
	snprintf(args_start, room, "mcz %s %s", what, id ? id : "");
	for (char *p = args_start; *p; p++)
		if (*p == ' ')
			*p = '\0';
}

int main(int argc, char **argv)
{
	struct mcz_flags flags;
	struct mcz_error err = MCZ_ERROR_INIT;

	/* fds 0-2 open (on /dev/null when the caller closed one): otherwise the first file mcz
	 * opens would become a stdio fd, and dup2 onto it would close what mcz still uses. */
	for (int fd = open("/dev/null", O_RDWR | O_CLOEXEC); fd >= 0; fd = open("/dev/null", O_RDWR | O_CLOEXEC)) {
		if (fd > STDERR_FILENO) {
			close(fd);
			break;
		}
		(void)fcntl(fd, F_SETFD, 0); /* a stdio fd: inherited like one */
	}
	args_start = argv[0];
	args_end = argc > 0 ? argv[argc - 1] + strlen(argv[argc - 1]) + 1 : argv[0];

	if (mcz_flags_parse(&flags, argc, argv, environ, &err) < 0)
		return fail(&err);
	int status = dispatch(&flags, &err);
	mcz_flags_done(&flags);
	if (fflush(stdout) != 0 && status == 0) {
		fprintf(stderr, "mcz: error: write to stdout: %s\n", strerror(errno));
		status = EXIT_MCZ_FAILED;
	}
	return status;
}
