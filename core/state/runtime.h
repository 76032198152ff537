/*
 * runtime.h — mcz's own state for a container: <runtime_dir>/containers/<id>/ holding
 * config.json, state, pid, termination.json and a lock file (SPEC §8). Every write is
 * atomic (write a temporary, rename over); no fsync, since the runtime dir must survive a
 * crash of mcz, not a reboot.
 */
#ifndef MCZ_CORE_RUNTIME_H
#define MCZ_CORE_RUNTIME_H

#include "core/container/container.h"

/* Create the container's directory (an existing one is "already exists") and take its lock.
 * config.json follows once prepare has resolved everything (mcz_runtime_write_config). */
int mcz_runtime_create(struct mcz_container *c, struct mcz_error *err);

/* The runtime dir's marker (SPEC §11): <runtime_dir>/mcz-runtime.json,
 * {"cgroups_roots": [...]}, every cgroups root its containers used. */
#define MCZ_RUNTIME_MARKER "mcz-runtime.json"
/* Launch: make the runtime dir (0755) or check an existing one (a directory of mcz's user,
 * writable by no one else), and record cgroups_root in its marker (made when missing). */
int mcz_runtime_dir_prepare(struct sys *s, const char *dir, const char *cgroups_root,
			    struct mcz_error *err);
/* Recover: the same check of an existing runtime dir, and the roots its marker records
 * (NULL-terminated; mcz_names_free). No marker is an error: recover refuses such a dir. A
 * runtime dir that does not exist has no roots (nothing of it to recover or sweep). */
int mcz_runtime_dir_roots(struct sys *s, const char *dir, char ***ret_roots, struct mcz_error *err);

/* Take over an existing entry whose supervisor is gone (`mcz destroy`, `mcz recover`): its
 * lock, and every file it may hold as ours to remove. -EBUSY "has a live supervisor" when
 * the lock is held. */
int mcz_runtime_adopt(struct mcz_container *c, struct mcz_error *err);
int mcz_runtime_set_state(struct mcz_container *c, enum mcz_state state, struct mcz_error *err);
int mcz_runtime_write(struct mcz_container *c, const char *name, const char *content,
		      struct mcz_error *err);

/* Remove the runtime entry: every file (termination.json too unless keep_termination),
 * config.json last and nothing after a failure (so a second destroy can still load what is
 * left), then the directory when empty. Accepts a never-created entry. */
int mcz_runtime_remove(struct mcz_container *c, bool keep_termination, struct mcz_error *err);

/* What is left of an entry no container object describes (an ended one's termination.json,
 * a half-made one's files, a temporary): every file, the lock last, then the directory.
 * ENOENT anywhere is fine (someone else removed it). */
int mcz_runtime_remove_leftover(struct sys *s, const char *dir, struct mcz_error *err);

char *mcz_runtime_container_dir(const struct mcz_container *c);
char *mcz_runtime_dir_of(const char *runtime_dir, const char *id); /* <runtime_dir>/containers/<id> */

/* config.json: isolators, launcher, volumes, sandbox, cgroup paths, user, command, and
 * what `mcz usage` / `mcz update` read back (core/inspect.c): "resources" {"cpus", "mem"
 * (MB)}, "cgroups" {"cpu", "cpuacct", "memory", "freezer": the container's cgroup paths},
 * "cgroups_enable_cfs", "cgroups_limit_swap", "pid_namespace". */
char *mcz_config_json(const struct mcz_container *c);

/* Rewrite config.json from c (atomically): after prepare, when the cgroup paths are known,
 * and after an update. */
int mcz_runtime_write_config(struct mcz_container *c, struct mcz_error *err);

#endif
