/*
 * flags.c — the command-line and environment flag parser (see flags.h for the rules).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frontend/mesos/flags.h"
#include "core/base/path.h"
#include "lib/util.h"

#define OFF(member) offsetof(struct mcz_flags, member)

const struct mcz_flag_def mcz_flag_defs[] = {
	{ "help", MCZ_FLAG_BOOL, OFF(help), NULL, NULL, NULL, NULL,
	  "print this help (or the command's) and exit", MCZ_FLAG_NO_ENV },
	{ "version", MCZ_FLAG_BOOL, OFF(version), NULL, NULL, NULL, NULL,
	  "print the version and exit", MCZ_FLAG_NO_ENV },
	{ "isolation", MCZ_FLAG_STRING, OFF(isolation), "LIST", "posix/cpu,posix/mem", NULL, NULL,
	  "comma-separated isolators: filesystem/shared, namespaces/pid, cgroups/cpu, "
	  "cgroups/mem, posix/cpu, posix/mem (cgroups = cgroups/cpu,cgroups/mem; may be empty)", 0 },
	{ "launcher", MCZ_FLAG_STRING, OFF(launcher), "linux|posix", NULL,
	  "linux when root on Linux, else posix", "linux|posix",
	  "how the container's first process is created and killed", 0 },
	{ "container_info", MCZ_FLAG_STRING, OFF(container_info), "JSON|@FILE|file://FILE", NULL,
	  NULL, NULL, "Mesos ContainerInfo JSON for this container", 0 },
	{ "default_container_info", MCZ_FLAG_STRING, OFF(default_container_info),
	  "JSON|@FILE|file://FILE", NULL, NULL, NULL,
	  "ContainerInfo used when no --container_info is given", 0 },
	{ "volume", MCZ_FLAG_LIST, OFF(volumes), "HOST:CONTAINER[:rw|ro]", NULL, NULL, NULL,
	  "add a volume to the ContainerInfo (repeatable; mode defaults to rw)", 0 },
	{ "resources", MCZ_FLAG_STRING, OFF(resources), "\"cpus:N;mem:MB\"", NULL, NULL, NULL,
	  "resource limits, Mesos syntax, mem in megabytes", 0 },
	/* Not from the environment: every container gets MCZ_CONTAINER_ID (SPEC §6), so an mcz
	 * run inside a container would otherwise take its container's id. */
	{ "container_id", MCZ_FLAG_STRING, OFF(container_id), "ID", NULL, "generated for run",
	  NULL, "the container's id: [A-Za-z0-9][A-Za-z0-9_.-]{0,63} (required for launch)",
	  MCZ_FLAG_NO_ENV },
	{ "work_dir", MCZ_FLAG_STRING, OFF(work_dir), "DIR", "/var/lib/mcz", NULL, NULL,
	  "where sandboxes live", 0 },
	{ "sandbox", MCZ_FLAG_STRING, OFF(sandbox), "DIR", NULL, "<work_dir>/sandboxes/<id>",
	  NULL, "the container's sandbox (its work directory)", 0 },
	{ "runtime_dir", MCZ_FLAG_STRING, OFF(runtime_dir), "DIR", "/run/mcz", NULL, NULL,
	  "mcz's state", 0 },
	{ "cgroups_hierarchy", MCZ_FLAG_STRING, OFF(cgroups_hierarchy), "DIR", "/sys/fs/cgroup",
	  NULL, NULL, "where the cgroup hierarchies are mounted", 0 },
	{ "cgroups_root", MCZ_FLAG_STRING, OFF(cgroups_root), "NAME", "mcz", NULL, NULL,
	  "cgroup of the containers: relative (below mcz's own cgroup) or absolute", 0 },
	{ "cgroups_enable_cfs", MCZ_FLAG_BOOL, OFF(cgroups_enable_cfs), NULL, NULL, "false", NULL,
	  "hard CPU limit via CFS quota", 0 },
	{ "cgroups_limit_swap", MCZ_FLAG_BOOL, OFF(cgroups_limit_swap), NULL, NULL, "false", NULL,
	  "limit memory+swap, not memory alone", 0 },
	{ "user", MCZ_FLAG_STRING, OFF(user), "NAME", NULL, NULL, NULL,
	  "run the command as this user", 0 },
	{ "env", MCZ_FLAG_LIST, OFF(env), "K=V", NULL, NULL, NULL,
	  "add to the command's environment (repeatable)", 0 },
	{ "stop_grace_period", MCZ_FLAG_UINT, OFF(stop_grace_period), "SECS", "10", NULL, NULL,
	  "run: time between forwarding SIGTERM and destroying", 0 },
	{ "termination_file", MCZ_FLAG_STRING, OFF(termination_file), "PATH", NULL, NULL, NULL,
	  "run: also write the Termination JSON there", 0 },
	{ "log_level", MCZ_FLAG_STRING, OFF(log_level), "error|warn|info|debug", "warn", NULL,
	  "error|warn|info|debug", "messages go to stderr as 'mcz: LEVEL: text'", 0 },
	{ "json", MCZ_FLAG_BOOL, OFF(json), NULL, NULL, "false", NULL,
	  "list: print a JSON array", 0 },
};

const size_t mcz_n_flag_defs = MCZ_ARRAY_SIZE(mcz_flag_defs);

/* ---- string vectors --------------------------------------------------------------------- */

/* ---- storing values --------------------------------------------------------------------- */

/* Who gave a value, for messages: "flag '--work-dir'" or "environment variable 'MCZ_X'". */
struct origin {
	const char *kind;
	const char *name;
};

static void *member(struct mcz_flags *f, const struct mcz_flag_def *def)
{
	return (char *)f + def->offset;
}

static int parse_bool(const char *value, bool *ret)
{
	if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*ret = true;
	else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_uint(const char *value, unsigned *ret)
{
	char *end;

	if (!isdigit((unsigned char)value[0]))
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(value, &end, 10);
	if (errno || *end || v > UINT_MAX)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

/* value is one of "a|b|c" */
static bool is_choice(const char *choices, const char *value)
{
	size_t len = strlen(value);
	const char *c = choices;

	for (;;) {
		if (strncmp(c, value, len) == 0 && (c[len] == '|' || c[len] == '\0'))
			return true;
		c = strchr(c, '|');
		if (!c)
			return false;
		c++;
	}
}

static int bad_value(const struct origin *o, const char *expected, const char *value,
		     struct mcz_error *err)
{
	return mcz_error_fmt(err, -EINVAL, "%s '%s': expected %s, not '%s'", o->kind, o->name,
			     expected, value);
}

static int set_value(struct mcz_flags *f, const struct mcz_flag_def *def, const char *value,
		     const struct origin *o, struct mcz_error *err)
{
	void *m = member(f, def);

	switch (def->kind) {
	case MCZ_FLAG_BOOL:
		if (parse_bool(value, m) < 0)
			return bad_value(o, "true or false", value, err);
		return 0;
	case MCZ_FLAG_UINT:
		if (parse_uint(value, m) < 0)
			return bad_value(o, "a non-negative integer", value, err);
		return 0;
	case MCZ_FLAG_LIST:
		mcz_strv_push(m, value);
		return 0;
	case MCZ_FLAG_STRING:
	default:
		if (def->choices && !is_choice(def->choices, value))
			return bad_value(o, def->choices, value, err);
		free(*(char **)m);
		*(char **)m = mcz_xstrdup(value);
		return 0;
	}
}

static void set_defaults(struct mcz_flags *f)
{
	static const struct origin builtin = { "default", "" };

	for (size_t i = 0; i < mcz_n_flag_defs; i++)
		if (mcz_flag_defs[i].def)
			(void)set_value(f, &mcz_flag_defs[i], mcz_flag_defs[i].def, &builtin, NULL);
}

/* ---- the command line ------------------------------------------------------------------- */

struct parse_state {
	struct mcz_flags *f;
	bool seen[MCZ_ARRAY_SIZE(mcz_flag_defs)];
	int argc;
	char *const *argv;
	int i; /* the argument being parsed */
	struct mcz_error *err;
};

static const struct mcz_flag_def *find_flag(const char *name, size_t len)
{
	for (size_t i = 0; i < mcz_n_flag_defs; i++) {
		const char *n = mcz_flag_defs[i].name;
		size_t j = 0;
		for (; j < len && n[j]; j++)
			if (n[j] != (name[j] == '-' ? '_' : name[j]))
				break;
		if (j == len && n[j] == '\0')
			return &mcz_flag_defs[i];
	}
	return NULL;
}

/* "--no-NAME" for a boolean NAME */
static const struct mcz_flag_def *find_negated(const char *name, size_t len)
{
	if (len <= 3 || (strncmp(name, "no-", 3) != 0 && strncmp(name, "no_", 3) != 0))
		return NULL;
	const struct mcz_flag_def *def = find_flag(name + 3, len - 3);
	return def && def->kind == MCZ_FLAG_BOOL ? def : NULL;
}

/* The value of a non-boolean flag: after '=', or the next argument. */
static int take_value(struct parse_state *ps, const char *flag, const char *eq,
		      const char **ret)
{
	if (eq) {
		*ret = eq + 1;
		return 0;
	}
	if (ps->i + 1 >= ps->argc || strncmp(ps->argv[ps->i + 1], "--", 2) == 0)
		return mcz_error_fmt(ps->err, -EINVAL, "flag '%s' requires a value", flag);
	*ret = ps->argv[++ps->i];
	return 0;
}

static int parse_flag(struct parse_state *ps, const char *arg)
{
	const char *name = arg + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	_cleanup_free_ char *flag = mcz_xasprintf("--%.*s", (int)len, name);
	const struct mcz_flag_def *def = find_flag(name, len);
	const struct mcz_flag_def *negated = def ? NULL : find_negated(name, len);
	const char *value = "true";

	if (!def && !negated)
		return mcz_error_fmt(ps->err, -EINVAL, "unknown flag '%s'", flag);
	if (negated) {
		if (eq)
			return mcz_error_fmt(ps->err, -EINVAL, "flag '%s' takes no value", flag);
		def = negated;
		value = "false";
	}

	size_t idx = (size_t)(def - mcz_flag_defs);
	if (ps->seen[idx] && def->kind != MCZ_FLAG_LIST)
		return mcz_error_fmt(ps->err, -EINVAL, "flag '%s' given more than once", flag);
	ps->seen[idx] = true;

	if (def->kind == MCZ_FLAG_BOOL && eq)
		value = eq + 1;
	else if (def->kind != MCZ_FLAG_BOOL) {
		int r = take_value(ps, flag, eq, &value);
		if (r < 0)
			return r;
	}
	struct origin o = { "flag", flag };
	return set_value(ps->f, def, value, &o, ps->err);
}

static void add_positional(struct mcz_flags *f, const char *arg)
{
	if (!f->command)
		f->command = mcz_xstrdup(arg);
	else
		mcz_strv_push(&f->args, arg);
}

static int parse_args(struct parse_state *ps)
{
	for (ps->i = 1; ps->i < ps->argc; ps->i++) {
		const char *arg = ps->argv[ps->i];

		if (strcmp(arg, "--") == 0) {
			ps->f->dashdash = true;
			for (ps->i++; ps->i < ps->argc; ps->i++)
				mcz_strv_push(&ps->f->argv, ps->argv[ps->i]);
			break;
		}
		if (strncmp(arg, "--", 2) == 0) {
			int r = parse_flag(ps, arg);
			if (r < 0)
				return r;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			return mcz_error_fmt(ps->err, -EINVAL, "unknown flag '%s'", arg);
		} else {
			add_positional(ps->f, arg);
		}
	}
	return 0;
}

/* ---- the environment -------------------------------------------------------------------- */

static char *env_name(const struct mcz_flag_def *def)
{
	char *name = mcz_xasprintf("MCZ_%s", def->name);

	for (char *c = name; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	return name;
}

static const char *env_lookup(char *const *envp, const char *name)
{
	size_t len = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

static int apply_env(struct parse_state *ps, char *const *envp)
{
	for (size_t i = 0; i < mcz_n_flag_defs; i++) {
		const struct mcz_flag_def *def = &mcz_flag_defs[i];
		if (ps->seen[i] || (def->opts & MCZ_FLAG_NO_ENV))
			continue;
		_cleanup_free_ char *name = env_name(def);
		const char *value = env_lookup(envp, name);
		if (!value)
			continue;
		struct origin o = { "environment variable", name };
		int r = set_value(ps->f, def, value, &o, ps->err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- path flags (SPEC §11) -------------------------------------------------------------- */

/* Every path flag, for every command: recover and destroy act on what they name. */
static int check_path_flags(const struct mcz_flags *f, struct mcz_error *err)
{
	int r = mcz_path_flag_check("work_dir", f->work_dir, true, err);

	if (r >= 0)
		r = mcz_path_flag_check("runtime_dir", f->runtime_dir, true, err);
	if (r >= 0)
		r = mcz_path_flag_check("cgroups_hierarchy", f->cgroups_hierarchy, true, err);
	if (r >= 0)
		r = mcz_path_flag_check("cgroups_root", f->cgroups_root, false, err);
	if (r >= 0)
		r = mcz_path_flag_check("sandbox", f->sandbox, true, err);
	return r;
}

int mcz_flags_parse(struct mcz_flags *ret, int argc, char *const *argv, char *const *envp,
		    struct mcz_error *err)
{
	struct mcz_flags f = { 0 };
	struct parse_state ps = { .f = &f, .argc = argc, .argv = argv, .err = err };
	int r;

	set_defaults(&f);
	r = parse_args(&ps);
	if (r >= 0)
		r = apply_env(&ps, envp);
	if (r >= 0 && !f.help && !f.version)
		r = check_path_flags(&f, err);
	if (r < 0) {
		mcz_flags_done(&f);
		return r;
	}
	*ret = f;
	return 0;
}

void mcz_flags_done(struct mcz_flags *f)
{
	if (!f)
		return;
	free(f->command);
	mcz_strv_done(&f->args);
	mcz_strv_done(&f->argv);
	for (size_t i = 0; i < mcz_n_flag_defs; i++) {
		void *m = member(f, &mcz_flag_defs[i]);
		if (mcz_flag_defs[i].kind == MCZ_FLAG_STRING)
			free(*(char **)m);
		else if (mcz_flag_defs[i].kind == MCZ_FLAG_LIST)
			mcz_strv_done(m);
	}
	*f = (struct mcz_flags){ 0 };
}

/* ---- --help ----------------------------------------------------------------------------- */

#define HELP_INDENT "      "
#define HELP_WIDTH 80

/* Append text word-wrapped to HELP_WIDTH columns, every line indented. */
static void append_wrapped(char **out, const char *text)
{
	size_t col = 0;

	while (*text) {
		size_t word = strcspn(text, " ");
		if (col > 0 && col + 1 + word > HELP_WIDTH) {
			mcz_strappend(out, "\n");
			col = 0;
		}
		if (col == 0) {
			mcz_strappend(out, HELP_INDENT);
			col = strlen(HELP_INDENT);
		} else {
			mcz_strappend(out, " ");
			col++;
		}
		_cleanup_free_ char *w = mcz_xasprintf("%.*s", (int)word, text);
		mcz_strappend(out, w);
		col += word;
		text += word;
		text += strspn(text, " ");
	}
	mcz_strappend(out, "\n");
}

/* "  --work_dir=DIR" then the help (and the default) indented below. */
static void append_entry(char **out, const struct mcz_flag_def *def)
{
	const char *shown = def->def_help ? def->def_help : def->def;
	_cleanup_free_ char *head = def->kind == MCZ_FLAG_BOOL
					    ? mcz_xasprintf("  --%s\n", def->name)
					    : mcz_xasprintf("  --%s=%s\n", def->name, def->metavar);
	_cleanup_free_ char *body = shown ? mcz_xasprintf("%s (default: %s)", def->help, shown)
					  : mcz_xstrdup(def->help);

	mcz_strappend(out, head);
	append_wrapped(out, body);
}

char *mcz_flags_help(void)
{
	char *out = mcz_xstrdup("");

	for (size_t i = 0; i < mcz_n_flag_defs; i++)
		append_entry(&out, &mcz_flag_defs[i]);
	return out;
}
