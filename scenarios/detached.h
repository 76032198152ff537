/*
 * detached.h — a world of detached containers over the fake, for the suites that act on a
 * container from "another process" (usage_cmd.c: usage, update, a lost supervisor;
 * recover.c: `mcz recover`, crashes). The supervisor's side launches and leaves running; the
 * other side loads the container back from its runtime entry.
 */
#ifndef MCZ_SCENARIOS_DETACHED_H
#define MCZ_SCENARIOS_DETACHED_H

#include <stdbool.h>
#include <sys/types.h>

#include "fakes/fake.h"

#define DETACHED_RT "/run/mcz"
#define DETACHED_CG "/sys/fs/cgroup"
#define DETACHED_SANDBOXES "/var/lib/mcz/sandboxes"

struct detached_spec {
	const char *isolation;
	const char *launcher;
	const char *program; /* NULL: /usr/bin/busy */
	const char *resources;
	bool cfs, limit_swap;
	bool v2; /* cgroup v2: mcz in the leaf /mcz-uml/runner, root /mcz-uml/mcz */
};

/* /proc, the sandboxes' and runtime dir, the programs /usr/bin/busy (runs until killed, one
 * child) and /usr/bin/short (exits 3 after 100 ms), and cgroups: v1 cpu, cpuacct, memory, freezer hierarchies with mcz at their root,
 * or (v2) one cgroup2 hierarchy with cpu and memory delegated to /mcz-uml. */
void detached_world(struct fake *f, bool v2);

/* Launch sp->program as container `id` (sandbox DETACHED_SANDBOXES/<id>) and leave it
 * running: the container object is freed, not destroyed, so its processes, cgroups and runtime
 * entry stay, as while a supervisor is at work. Its lock stays held by an open fd of the
 * fake's supervisor process, unless lost: then the fd is closed, as the kernel closes a dead
 * supervisor's (an flock goes with its last fd). Returns pid 1. */
pid_t detached_launch(struct fake *f, const char *id, const struct detached_spec *sp, bool lost);

/* The same, the container object kept (the caller supervises, destroys and frees it). */
struct mcz_container *detached_start(struct fake *f, const char *id, const struct detached_spec *sp);

#endif
