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

#include "core/container_info.h"
#include "core/error.h"
#include "core/flags.h"
#include "core/mount_plan.h"
#include "core/util.h"
#include "core/volume.h"
#include "sys/sys.h"

#ifndef MCZ_VERSION
#define MCZ_VERSION "0.1.0"
#endif

#define EXIT_MCZ_FAILED 125

extern char **environ;

struct command {
	const char *name;
	const char *args;    /* after "mcz NAME" in the usage line */
	const char *summary;
	int (*run)(const struct mcz_flags *f, struct mcz_error *err); /* NULL: not implemented */
};

static int cmd_prepare(const struct mcz_flags *f, struct mcz_error *err);

static const struct command commands[] = {
	{ "run", "[FLAGS] -- COMMAND [ARG...]", "launch, wait, destroy; exit with the container's status", NULL },
	{ "launch", "[FLAGS] --container_id=ID -- COMMAND [ARG...]", "start detached; return once the command is running", NULL },
	{ "wait", "[FLAGS] ID", "block until it terminates; print Termination JSON", NULL },
	{ "destroy", "[FLAGS] ID", "kill + clean up (idempotent); print Termination JSON", NULL },
	{ "usage", "[FLAGS] ID", "print ResourceStatistics JSON", NULL },
	{ "update", "[FLAGS] ID --resources=...", "change cpu/mem limits of a running container", NULL },
	{ "status", "[FLAGS] ID", "print the container's state JSON", NULL },
	{ "list", "[FLAGS]", "one line per container: ID STATE PID (--json: array)", NULL },
	{ "recover", "[FLAGS]", "reconcile runtime dir, cgroups and processes", NULL },
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

/* ---- prepare ---------------------------------------------------------------------------- */

static int read_file(const char *flag, const char *path, char **ret, struct mcz_error *err)
{
	FILE *fp = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!fp)
		return mcz_error_fmt(err, -errno, "%s: open '%s': %s", flag, path, strerror(errno));
	for (;;) {
		buf = mcz_xrealloc(buf, len + 4096 + 1);
		size_t n = fread(buf + len, 1, 4096, fp);
		len += n;
		if (n < 4096)
			break;
	}
	int failed = ferror(fp) ? errno : 0;
	fclose(fp);
	if (failed) {
		free(buf);
		return mcz_error_fmt(err, -failed, "%s: read '%s': %s", flag, path, strerror(failed));
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

/* --container_info or --default_container_info: inline JSON, @FILE or file://FILE. */
static int load_container_info(const char *flag, const char *value,
			       struct mcz_container_info *ret, struct mcz_error *err)
{
	const char *path = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *what = NULL;

	if (value[0] == '@')
		path = value + 1;
	else if (strncmp(value, "file://", 7) == 0)
		path = value + 7;
	if (!path)
		return mcz_container_info_parse(value, flag, ret, err);

	int r = read_file(flag, path, &text, err);
	if (r < 0)
		return r;
	what = mcz_xasprintf("%s '%s'", flag, path);
	return mcz_container_info_parse(text, what, ret, err);
}

static int build_container_info(const struct mcz_flags *f, struct mcz_container_info *ci,
				struct mcz_error *err)
{
	int r = 0;

	if (f->container_info)
		r = load_container_info("container_info", f->container_info, ci, err);
	else if (f->default_container_info)
		r = load_container_info("default_container_info", f->default_container_info, ci,
					err);
	for (size_t i = 0; r >= 0 && i < f->volumes.n; i++)
		r = mcz_container_info_add_volume_flag(ci, f->volumes.v[i], err);
	return r;
}

/* A random UUID (version 4), as Mesos uses for container ids. */
static int generate_container_id(char **ret, struct mcz_error *err)
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return mcz_error_fmt(err, -EIO, "container id: getrandom: %s", strerror(errno));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	*ret = mcz_xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
			     b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

static int resolve_sandbox(const struct mcz_flags *f, char **ret, struct mcz_error *err)
{
	_cleanup_free_ char *id = NULL;
	int r;

	if (f->sandbox) {
		if (f->sandbox[0] != '/')
			return mcz_error_fmt(err, -EINVAL, "sandbox '%s': must be an absolute path",
					     f->sandbox);
		*ret = mcz_xstrdup(f->sandbox);
		return 0;
	}
	if (f->work_dir[0] != '/')
		return mcz_error_fmt(err, -EINVAL, "work_dir '%s': must be an absolute path",
				     f->work_dir);
	if (f->container_id) {
		r = mcz_container_id_check(f->container_id, err);
		if (r < 0)
			return r;
		id = mcz_xstrdup(f->container_id);
	} else {
		r = generate_container_id(&id, err);
		if (r < 0)
			return r;
	}
	*ret = mcz_xasprintf("%s/sandboxes/%s", f->work_dir, id);
	return 0;
}

/* mkdir -p through the sys layer: intermediate directories 0755, the leaf 0750. */
static int mkdir_p(struct sys *s, const char *path, struct mcz_error *err)
{
	_cleanup_free_ char *p = mcz_xstrdup(path);
	struct stat st;
	int r;

	for (char *c = p + 1;; c++) {
		if (*c != '/' && *c != '\0')
			continue;
		char saved = *c;
		*c = '\0';
		bool leaf = saved == '\0' || c[1] == '\0';
		r = sys_mkdirat(s, AT_FDCWD, p, leaf ? 0750 : 0755);
		if (r < 0 && r != -EEXIST)
			return mcz_error_sys(err, r, SYS_OP_mkdirat, p);
		*c = saved;
		if (leaf)
			break;
	}
	r = sys_fstatat(s, AT_FDCWD, path, &st, 0);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_fstatat, path);
	if (!S_ISDIR(st.st_mode))
		return mcz_error_sys(err, -ENOTDIR, SYS_OP_mkdirat, path);
	return 0;
}

static int cmd_prepare(const struct mcz_flags *f, struct mcz_error *err)
{
	struct mcz_container_info ci = { 0 };
	struct mcz_mount_plan plan = { 0 };
	_cleanup_free_ char *sandbox = NULL;
	int r;

	if (f->args.n > 0)
		return mcz_error_fmt(err, -EINVAL, "prepare: unexpected argument '%s'", f->args.v[0]);
	r = build_container_info(f, &ci, err);
	if (r >= 0)
		r = resolve_sandbox(f, &sandbox, err);
	/* Bad input must create nothing, not even the sandbox: check before mkdir. */
	if (r >= 0)
		r = mcz_volumes_check(sys_real(), sandbox, ci.volumes, ci.n_volumes, err);
	if (r >= 0) {
		r = mkdir_p(sys_real(), sandbox, err);
		if (r < 0)
			mcz_error_wrap(err, "sandbox '%s'", sandbox);
	}
	if (r >= 0)
		r = mcz_shared_prepare(sys_real(), sandbox, ci.volumes, ci.n_volumes, &plan, err);
	if (r >= 0) {
		_cleanup_free_ char *text = mcz_mount_plan_format(&plan);
		fputs(text, stdout);
	}
	mcz_mount_plan_done(&plan);
	mcz_container_info_done(&ci);
	return r;
}

/* ---- main ------------------------------------------------------------------------------- */

static int fail(struct mcz_error *err)
{
	fprintf(stderr, "mcz: error: %s\n", err->msg ? err->msg : "unknown error");
	mcz_error_done(err);
	return EXIT_MCZ_FAILED;
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
	if (c->run(f, err) < 0)
		return fail(err);
	return 0;
}

int main(int argc, char **argv)
{
	struct mcz_flags flags;
	struct mcz_error err = MCZ_ERROR_INIT;

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
