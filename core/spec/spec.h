/*
 * spec.h — the resolved launch spec: what to run, as whom, where, with which isolation.
 *
 * A front end (core/frontend/mesos today: flags, ContainerInfo, resources) produces it;
 * everything below — the lifecycle, the isolators, the launchers, the child — reads only
 * it, never a flag. config.json records it (core/state/).
 */
#ifndef MCZ_CORE_SPEC_SPEC_H
#define MCZ_CORE_SPEC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mcz_isolator;
struct mcz_launcher;

enum mcz_volume_mode {
	MCZ_VOLUME_RW,
	MCZ_VOLUME_RO,
};

struct mcz_volume {
	char *container_path; /* as given (validated and normalized by mcz_volumes_check) */
	char *host_path;      /* NULL when absent */
	enum mcz_volume_mode mode;
};

struct mcz_resources {
	bool has_cpus;
	double cpus;
	bool has_mem;
	uint64_t mem_mb;
};

/* The fully resolved configuration (what config.json records). Strings are owned. */
struct mcz_config {
	char *id;
	const struct mcz_isolator **isolators; /* in --isolation order */
	size_t n_isolators;
	const struct mcz_launcher *launcher;
	struct mcz_volume *volumes;
	size_t n_volumes;
	char *sandbox;
	char *runtime_dir;
	char *cgroups_hierarchy; /* "/sys/fs/cgroup" */
	char *cgroups_root;      /* "mcz" (below mcz's own cgroup) or "/mcz" (from the root) */
	char *user;              /* NULL: the command runs as mcz's user */
	char **argv;             /* the command, NULL-terminated */
	char **env;              /* --env K=V, NULL-terminated (may be NULL) */
	unsigned stop_grace_period; /* seconds */
	struct mcz_resources resources; /* --resources (cgroups/cpu, cgroups/mem; kept for usage) */
	bool cgroups_enable_cfs;        /* cgroups/cpu: hard limit through the CFS quota */
	bool cgroups_limit_swap;        /* cgroups/mem: limit memory+swap too */
	bool detached;                  /* `mcz launch`: termination.json stays for `wait` */
	bool output_to_sandbox;         /* `mcz launch`: fds 1 and 2 become the sandbox's
					   `stdout` and `stderr`, new files, once the id is
					   known to be free (the command inherits them) */
};

/* Frees the contents (accepts zeroed or half-built); cfg is zeroed. */
void mcz_config_done(struct mcz_config *cfg);
/* Frees n volumes and the array. */
void mcz_volumes_free(struct mcz_volume *v, size_t n);

#endif
