/*
 * flags.h — the mcz command line (SPEC §2): one table of flag definitions drives parsing,
 * the environment fallback and the --help text.
 *
 * Rules:
 *   - names are the Mesos agent names; --name_with_underscores and --name-with-dashes (and
 *     any mix) are the same flag;
 *   - --flag=value and --flag value; a separate value may not start with "--" (so a
 *     forgotten value does not swallow the next flag);
 *   - booleans take no value (--flag), or =true/=false (also =1/=0), or --no-flag; they never
 *     take the next argument;
 *   - list flags (--volume, --env) accumulate; other flags may be given once;
 *   - every flag can come from the environment as MCZ_<NAME> (MCZ_WORK_DIR); the command
 *     line wins, for a list flag as a whole (one value from the environment); --help and
 *     --version only from the command line;
 *   - the first argument that is not a flag is the command, later ones are positional;
 *     "--" ends the flags and everything after it is the container's command line.
 *
 * Messages (the flag as the user spelled it, the variable for the environment):
 *   unknown flag '--x'
 *   flag '--work_dir' requires a value
 *   flag '--work_dir' given more than once
 *   flag '--no-cgroups_enable_cfs' takes no value
 *   flag '--cgroups_enable_cfs': expected true or false, not 'maybe'
 *   flag '--stop_grace_period': expected a non-negative integer, not '-1'
 *   flag '--log_level': expected error|warn|info|debug, not 'loud'
 *   environment variable 'MCZ_LOG_LEVEL': expected error|warn|info|debug, not 'loud'
 */
#ifndef MCZ_CORE_FLAGS_H
#define MCZ_CORE_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/base/error.h"
#include "lib/strv.h"

struct mcz_flags {
	char *command;          /* the subcommand ("run"), NULL when none was given */
	struct mcz_strv args;   /* positional arguments after the command, before "--" */
	struct mcz_strv argv;   /* everything after "--" */
	bool dashdash;          /* "--" was given */

	bool help;
	bool version;
	bool json;                      /* list: print a JSON array */
	char *isolation;                /* "posix/cpu,posix/mem" */
	char *launcher;                 /* NULL: linux when root on Linux, else posix */
	char *container_info;           /* JSON, @FILE or file://FILE; NULL when absent */
	char *default_container_info;   /* same */
	struct mcz_strv volumes;        /* --volume values, in order */
	char *resources;                /* "cpus:N;mem:MB"; NULL when absent */
	char *container_id;             /* NULL when absent */
	char *work_dir;                 /* "/var/lib/mcz" */
	char *sandbox;                  /* NULL: <work_dir>/sandboxes/<id> */
	char *runtime_dir;              /* "/run/mcz" */
	char *cgroups_hierarchy;        /* "/sys/fs/cgroup" */
	char *cgroups_root;             /* "mcz" */
	bool cgroups_enable_cfs;
	bool cgroups_limit_swap;
	char *user;                     /* NULL when absent */
	struct mcz_strv env;            /* --env K=V values, in order */
	unsigned stop_grace_period;     /* seconds; 10 */
	char *termination_file;         /* NULL when absent */
	char *log_level;                /* "warn" */
};

enum mcz_flag_kind {
	MCZ_FLAG_STRING,
	MCZ_FLAG_BOOL,
	MCZ_FLAG_LIST,
	MCZ_FLAG_UINT,
	_MCZ_FLAG_KIND_MAX,
};

enum {
	MCZ_FLAG_NO_ENV = 1 << 0, /* not read from the environment */
};

struct mcz_flag_def {
	const char *name;       /* canonical, with underscores */
	enum mcz_flag_kind kind;
	size_t offset;          /* of the member in struct mcz_flags */
	const char *metavar;    /* "DIR"; NULL for booleans */
	const char *def;        /* default value, parsed like a given one; NULL for none */
	const char *def_help;   /* the default as --help shows it when def cannot say it */
	const char *choices;    /* "error|warn|info|debug", or NULL for any value */
	const char *help;
	unsigned opts;          /* MCZ_FLAG_* */
};

extern const struct mcz_flag_def mcz_flag_defs[];
extern const size_t mcz_n_flag_defs;

/* Parse argv[1..argc-1]; envp is a NULL-terminated "NAME=value" array (environ), or NULL
 * for none. On failure *ret is untouched. */
int mcz_flags_parse(struct mcz_flags *ret, int argc, char *const *argv, char *const *envp,
		    struct mcz_error *err);

void mcz_flags_done(struct mcz_flags *f); /* accepts zeroed/half-built */

/* The flags section of --help, generated from the table; malloc'd. */
char *mcz_flags_help(void);

#endif
