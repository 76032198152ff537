/*
 * recover.h — taking over a container whose supervisor is gone (`mcz destroy`, `mcz
 * recover`; SPEC §8, §9).
 */
#ifndef MCZ_CORE_RECOVER_H
#define MCZ_CORE_RECOVER_H

#include "core/cgroups.h"
#include "core/container.h"

/* A container loaded by mcz_container_load() becomes ours: its lock (-EBUSY "has a live
 * supervisor" when held), its runtime files, pidns handle and cgroups (the cgroups root's
 * levels too), so that mcz_container_destroy() undoes them. *ret_alive: whether any of its
 * processes still runs. pid 1 is not our child: its exit status stays unknown. */
int mcz_container_adopt(struct mcz_container *c, bool *ret_alive, struct mcz_error *err);

/* Whether the container still has processes (its launcher cgroup's, or pid 1 as the leader
 * of its session for the posix launcher); pid 1 unverified is marked reaped, so that no
 * signal goes to a pid the kernel may have reused. */
int mcz_container_check_alive(struct mcz_container *c, bool *ret_alive, struct mcz_error *err);

/* An orphan cgroup (under mcz's cgroups root, owned by no container): kill every process in
 * it — through the launcher's kill for a freezer (v1 freezer, or v2: cgroup.kill), else by
 * SIGKILL to what cgroup.procs lists — then remove it (EBUSY retried, core/cgroups.c). */
int mcz_cgroup_kill_remove(struct sys *s, const struct mcz_hierarchy *h, bool freezer,
			   const char *path, struct mcz_error *err);

#endif
