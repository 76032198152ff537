/*
 * recover.h — taking over a container whose supervisor is gone (`mcz destroy`, `mcz
 * recover`; SPEC §8, §9).
 */
#ifndef MCZ_CORE_RECOVER_H
#define MCZ_CORE_RECOVER_H

#include "core/cgroups/hierarchy.h"
#include "core/container/container.h"

#include <jansson.h>

/* A container loaded by mcz_container_load() becomes ours: its lock (-EBUSY "has a live
 * supervisor" when held), its runtime files, pidns handle and cgroups (the cgroups root's
 * levels too), so that mcz_container_destroy() undoes them. *ret_alive: whether any of its
 * processes still runs. pid 1 is not our child: its exit status stays unknown. */
int mcz_container_adopt(struct mcz_container *c, bool *ret_alive, struct mcz_error *err);

/* Whether the container still has processes (its launcher cgroup's, or pid 1 as the leader
 * of its session for the posix launcher); pid 1 unverified is marked reaped, so that no
 * signal goes to a pid the kernel may have reused. */
int mcz_container_check_alive(struct mcz_container *c, bool *ret_alive, struct mcz_error *err);

/* An adopted pid 1 (not our child) pinned by a pidfd (c->pidfd), verified once the fd is
 * open; it stays -1 without one (ENOSYS: the number is used, verified each time) or when pid 1
 * is gone (c->reaped). */
int mcz_container_pin_pid1(struct mcz_container *c, struct mcz_error *err);

/* An orphan cgroup (under mcz's cgroups root, owned by no container): kill every process in
 * it — through the launcher's kill for a freezer (v1 freezer, or v2: cgroup.kill), else by
 * SIGKILL to what cgroup.procs lists — then remove it (EBUSY retried, core/cgroups.c). */
int mcz_cgroup_kill_remove(struct sys *s, const struct mcz_hierarchy *h, bool freezer,
			   const char *path, struct mcz_error *err);

/* `mcz recover` (SPEC §9): make the host agree with the runtime dir. Each entry of
 * <runtime_dir>/containers:
 *   - its lock held: a live supervisor (or a command at work on it): "alive", left alone;
 *   - ended (termination.json only): "ended", left for `wait` and `destroy`;
 *   - supervisor gone, processes running: adopt() gives it a new supervisor ("adopted");
 *   - supervisor and processes gone: destroyed, its Termination (no status) kept;
 *   - half made (no config.json, no termination.json, lock free): removed.
 * Then the orphans no entry owns: pidns handles in <runtime_dir>/pidns, and cgroups below
 * every cgroups root the runtime dir's marker records, in every hierarchy (their processes
 * killed first). A runtime dir without its marker (or writable by others) is refused before
 * anything is done (SPEC §11); o->cgroups_root is not used for the sweep. Nothing outside those roots
 * is touched. One failure does not stop the rest: each goes to the report's "errors" (naming
 * the container or orphan, the step and the path) and the result is -EIO. */
struct mcz_recover_opts {
	const char *runtime_dir;
	const char *cgroups_hierarchy;
	const char *cgroups_root;
	/* Takes c (adopted: its lock held, processes alive) in every case and supervises it
	 * from now on, in a process of its own (the CLI forks one): 0 with its pid, or -errno
	 * with err set. */
	int (*adopt)(struct mcz_container *c, void *arg, pid_t *ret_pid, struct mcz_error *err);
	void *arg;
};

/* *ret_report: {"alive", "ended", "adopted" [{container_id, supervisor_pid}], "destroyed",
 * "removed" [{kind, path}], "errors"}, set even on failure; the caller releases it. */
int mcz_recover(struct sys *s, const struct mcz_recover_opts *o, json_t **ret_report,
		struct mcz_error *err);

#endif
