/*
 * container.h — a container's configuration, its life cycle and its one destroy path
 * (SPEC §6, §8).
 *
 *   mcz_container_new()      from a resolved configuration (nothing touched yet)
 *   mcz_container_check()    validate everything that can be validated without creating
 *                            anything: bad input creates nothing
 *   mcz_container_launch()   block the supervisor's signals → runtime entry → sandbox → prepare isolators in --isolation order
 *                            → launcher prepare → clone (child blocked) → isolate → release
 *                            → RUNNING; a failure destroys what was made, in reverse
 *   mcz_container_supervise() the supervisor of `mcz run` (foreground) and `mcz launch`
 *                            (detached): wait for pid 1 (or, adopted by `mcz recover`, poll
 *                            for it), forward signals, destroy after the stop grace period or
 *                            on a destroy request (MCZ_DESTROY_REQUEST)
 *   mcz_container_destroy()  kill → reap → isolator cleanup in reverse → launcher cleanup →
 *                            termination → runtime state removed (termination.json kept
 *                            for `mcz wait` when cfg.detached)
 */
#ifndef MCZ_CORE_CONTAINER_H
#define MCZ_CORE_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/cgroups/hierarchy.h"
#include "core/base/error.h"
#include "core/plan/plan.h"
#include "core/spec/spec.h"
#include "sys/sys.h"

enum mcz_state {
	MCZ_STATE_PREPARING,
	MCZ_STATE_ISOLATING,
	MCZ_STATE_RUNNING,
	MCZ_STATE_DESTROYING,
	MCZ_STATE_TERMINATED,
	_MCZ_STATE_MAX,
};

const char *mcz_state_name(enum mcz_state state); /* "RUNNING" */


/* SIGTERM sent with sigqueue(2) and this value (si_code SI_QUEUE) asks a supervisor — of
 * `mcz run` or `mcz launch` — to destroy its container now: what `mcz destroy` sends. A plain
 * SIGTERM (kill(1), SI_USER) is forwarded to pid 1 as SPEC §8 says. */
#define MCZ_DESTROY_REQUEST 0x6d637a64 /* "mczd" */

/* The cgroups of the cgroups isolators (core/isolator_cgroups.c), one per hierarchy. */
enum mcz_cg_kind {
	MCZ_CG_CPU,
	MCZ_CG_CPUACCT,
	MCZ_CG_MEMORY,
	_MCZ_CG_MAX,
};

/* "cpu", "cpuacct", "memory": the v1 controller of each kind, and its key in config.json. */
extern const char *const mcz_cg_kind_names[_MCZ_CG_MAX];

struct mcz_cgroup {
	struct mcz_hierarchy h; /* found at check time; h.mount NULL: not used (or co-mounted
				   with another kind, e.g. cpu,cpuacct) */
	bool prepared;          /* the cgroups root may exist in this hierarchy */
	bool shared;            /* path is another kind's cgroup (v2): that kind removes it */
	char *path;             /* the container's cgroup, once its mkdir was tried */
};

/* The container's cgroup in the hierarchy mounted at `mount`, if one was made: on cgroup v2
 * the launcher and the cgroups isolators share one cgroup (core/isolator_cgroups.c). */
struct mcz_container;
const char *mcz_container_cgroup_in(const struct mcz_container *c, const char *mount);

/* How the container ended (SPEC §8 step 5). */
struct mcz_termination {
	bool have_status;
	int status;   /* raw wait status of pid 1 */
	bool killed;  /* mcz killed it (destroy, grace period, limitation) */
	char *reason; /* Mesos reason name, or NULL */
	char *message;
};

struct mcz_container {
	struct sys *s;
	struct mcz_config cfg;
	enum mcz_state state;

	/* resolved at check time */
	uid_t uid;
	gid_t gid;
	gid_t *groups;   /* --user's supplementary groups (the host's getgrouplist) */
	size_t n_groups;
	char *home;
	char **envp; /* the command's environment (SPEC §6), NULL-terminated */
	struct mcz_hierarchy freezer_h; /* linux launcher */

	/* built by the isolators' prepare, carried out by the child */
	unsigned long clone_flags;
	struct mcz_mount_plan plan;
	char **cgroup_joins;    /* v1 "tasks" files the child writes "0" to, first thing */
	size_t n_cgroup_joins;
	char *pidns_dir; /* <runtime_dir>/pidns: masked in the container */

	/* what exists, so that destroy undoes exactly that */
	bool runtime_created;
	unsigned runtime_files; /* which runtime files may exist (core/runtime.c) */
	int lock_fd;
	int pidfd;              /* adopted: a pidfd of pid 1 (not our child), or -1: poll for it */
	bool freezer_prepared;  /* the linux launcher's prepare ran (the cgroups root may exist) */
	bool freezer_shared;    /* freezer is the cgroups isolators' v2 cgroup: they remove it */
	char *freezer;          /* the launcher's freezer cgroup, once its mkdir was tried */
	char *pidns_handle;     /* <runtime_dir>/pidns/<id>, once its file exists */
	bool pidns_mounted;
	struct mcz_cgroup cgroups[_MCZ_CG_MAX];
	struct sys_child child; /* child.pid > 0 once spawned */
	bool reaped;
	bool adopted;           /* supervised by `mcz recover`'s new supervisor: pid 1 is not
				   our child, its end is seen by polling (no SIGCHLD) */
	bool status_known;      /* reaped by us through waitpid (not found gone) */
	int status;             /* raw wait status, when status_known */
	struct mcz_termination term;
	void *config_doc; /* loaded from config.json (core/inspect.c): its json_t *, or NULL */
};

/* Takes ownership of cfg's contents (cfg is zeroed). */
struct mcz_container *mcz_container_new(struct sys *s, struct mcz_config *cfg);
struct mcz_container *mcz_container_free(struct mcz_container *c); /* accepts NULL */

int mcz_container_check(struct mcz_container *c, struct mcz_error *err);
/* The sandbox directory (owned by --user when mcz creates it): launch makes it anyway; `mcz
 * launch` makes it first, to open the command's stdout and stderr files there. */
int mcz_container_make_sandbox(struct mcz_container *c, struct mcz_error *err);

int mcz_container_launch(struct mcz_container *c, struct mcz_error *err);
int mcz_container_destroy(struct mcz_container *c, struct mcz_error *err);

/* Whether anything of the container exists that a destroy must still undo (after a failed
 * launch or destroy: then a second mcz_container_destroy finishes the job). */
bool mcz_container_needs_destroy(const struct mcz_container *c);

/* `mcz update` (core/isolator_cgroups.c, Mesos's update()): a RUNNING container's cgroups
 * take the new resources — cpu.shares (and the CFS quota with --cgroups_enable_cfs) always;
 * memory.soft_limit_in_bytes always, memory.limit_in_bytes (and memsw with
 * --cgroups_limit_swap) only when raising — then config.json records them. A resource needs
 * its cgroups isolator. On failure every file written is put back as it was read (best
 * effort) and config.json is unchanged. */
int mcz_container_update(struct mcz_container *c, const struct mcz_resources *r,
			 struct mcz_error *err);

/* Foreground supervision (`mcz run`), after a successful launch (which blocked the signals
 * of mcz_supervised_signals()). Returns when the container is destroyed; c->term says how. */
int mcz_container_supervise(struct mcz_container *c, struct mcz_error *err);
void mcz_supervised_signals(sigset_t *ret);

/* The Termination JSON (SPEC §8): {"container_id", "status", "exit_code"|"signal", "killed",
 * "reason", "message"}. Caller frees. */
char *mcz_termination_json(const char *id, const struct mcz_termination *t);

/* The exit status `mcz run` reports for a termination: the exit code, or 128 + signal. */
int mcz_termination_exit_code(const struct mcz_termination *t);

#endif
