/*
 * launcher.h — how a container's processes are created and killed (SPEC §6, Mesos's
 * Launcher): `linux` clones with the isolators' namespaces and keeps every process in a
 * freezer cgroup; `posix` forks into a new session.
 */
#ifndef MCZ_CORE_LAUNCHER_H
#define MCZ_CORE_LAUNCHER_H

#include "core/container/container.h"

struct mcz_launcher {
	const char *name;
	/* Before the clone (linux: create the freezer cgroup). */
	int (*prepare)(struct mcz_container *c, struct mcz_error *err);
	/* After the clone, child still blocked (linux: put it in the freezer cgroup). */
	int (*isolate)(struct mcz_container *c, struct mcz_error *err);
	/* Kill every process of the container and reap pid 1 (destroy step 2). */
	int (*kill)(struct mcz_container *c, struct mcz_error *err);
	/* After the isolators' cleanup (linux: remove the freezer cgroup). */
	int (*cleanup)(struct mcz_container *c, struct mcz_error *err);
};

extern const struct mcz_launcher mcz_launcher_linux;
extern const struct mcz_launcher mcz_launcher_posix;

/* "linux" | "posix"; NULL picks linux when root, else posix (SPEC §2). */
int mcz_launcher_parse(const char *name, bool root, const struct mcz_launcher **ret,
		       struct mcz_error *err);

/* The child side of every launcher: set up and exec (see core/child.c). */
int mcz_child_main(struct sys *s, void *arg, struct sys_child_report *report);

/* Reap pid 1 if not yet reaped (blocking); keeps its wait status. */
int mcz_reap(struct mcz_container *c, struct mcz_error *err);

#endif
