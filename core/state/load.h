/*
 * inspect.h — a running container seen from another process (`mcz usage`, `mcz update`):
 * its runtime entry loaded back, and its resource statistics (SPEC §7, §8).
 */
#ifndef MCZ_CORE_INSPECT_H
#define MCZ_CORE_INSPECT_H

#include "core/container/container.h"
#include "core/container/usage.h"

/* Load <runtime_dir>/containers/<id>/: config.json (isolators, launcher, resources, cgroup
 * paths, pid namespace), state (readlink of the symlink; missing: PREPARING, the instant
 * between config.json and the first state) and pid (missing: 0, not spawned yet). The result
 * owns nothing on the host: freeing it touches nothing, and it must never be destroyed.
 * Errors: -ENOENT "container 'x' not found"; "container 'x': read '<path>': ...",
 * "container 'x': cannot parse '<path>': ...". */
int mcz_container_load(struct sys *s, const char *runtime_dir, const char *id,
		       struct mcz_container **ret, struct mcz_error *err);

/* ResourceStatistics of a RUNNING container, timestamp left 0 (the caller stamps): each
 * isolator's usage hook (cgroups/cpu: cpuacct.stat, cpu.stat; cgroups/mem: memory.stat,
 * memory.limit_in_bytes), posix/cpu and posix/mem summed over the container's processes
 * (the freezer cgroup's cgroup.procs with the linux launcher, else pid 1's tree and
 * session), then cpus_limit and (when no cgroup says) mem_limit_bytes from the resources,
 * as Mesos's containerizer adds them. Errors are wrapped "container 'x': ...". */
int mcz_container_usage(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err);

/* A file of <runtime_dir>/containers/<id>/ ("termination.json", "supervisor.pid"), whole and
 * NUL-terminated. -ENOENT without a message when it is not there. */
int mcz_entry_read(struct sys *s, const char *runtime_dir, const char *id, const char *name,
		   char **ret, struct mcz_error *err);

/* termination.json's text → *ret (its strings allocated: mcz_termination_done). */
int mcz_termination_parse(const char *json, const char *path, struct mcz_termination *ret,
			  struct mcz_error *err);

#endif
