/*
 * isolator.h — the isolators of SPEC §3 (Mesos's Isolator: prepare → isolate → cleanup).
 *
 * prepare runs on the host in --isolation order before the clone and may add clone flags and
 * mount steps for the child; isolate runs after the clone while the child is still blocked;
 * cleanup runs in reverse order during destroy, after every process is gone, and must accept
 * a container whose prepare never ran or failed half way (it undoes only what exists), and a
 * second destroy.
 *
 * check (optional) validates and looks things up at check time, creating nothing; watch
 * (optional) is Mesos's watch(): the supervisor calls it while the container runs and once
 * pid 1 has exited; *ret_limited = true reports a limitation, with c->term filled (killed,
 * reason, message), and the container is then destroyed.
 */
#ifndef MCZ_CORE_ISOLATOR_H
#define MCZ_CORE_ISOLATOR_H

#include <stdbool.h>

#include "core/container/container.h"
#include "core/container/usage.h"

struct mcz_isolator {
	const char *name;
	bool linux_only; /* needs the linux launcher */
	int (*prepare)(struct mcz_container *c, struct mcz_error *err);
	int (*isolate)(struct mcz_container *c, struct mcz_error *err);
	int (*cleanup)(struct mcz_container *c, struct mcz_error *err);
	int (*check)(struct mcz_container *c, struct mcz_error *err);
	int (*watch)(struct mcz_container *c, bool *ret_limited, struct mcz_error *err);
	/* (optional) Mesos's usage(): fill its fields of *ret (core/usage.h); the container may
	 * be one loaded from its runtime entry (core/inspect.c). */
	int (*usage)(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err);
};

/* core/isolator_cgroups.c */
extern const struct mcz_isolator mcz_isolator_cgroups_cpu;
extern const struct mcz_isolator mcz_isolator_cgroups_mem;

/* Parse --isolation ("cgroups" stands for "cgroups/cpu,cgroups/mem"; empty is allowed).
 * Unknown names and duplicates are errors. *ret is malloc'd. */
int mcz_isolation_parse(const char *list, const struct mcz_isolator ***ret, size_t *ret_n,
			struct mcz_error *err);

bool mcz_isolation_has(const struct mcz_config *cfg, const char *name);

#endif
