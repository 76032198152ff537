/*
 * cgroups.h — finding cgroup hierarchies and mcz's own place in them (SPEC §7).
 *
 * Hierarchies come from /proc/self/mountinfo (v1: one mount per controller set; v2: the
 * unified "cgroup2" mount) and mcz's own cgroup from /proc/self/cgroup. Container cgroups
 * live below mcz's own cgroup by default (--cgroups_root relative: the delegation rule that
 * a process manages only its own subtree), or from the hierarchy root when --cgroups_root is
 * absolute, as Mesos does.
 */
#ifndef MCZ_CORE_CGROUPS_H
#define MCZ_CORE_CGROUPS_H

#include "core/error.h"
#include "sys/sys.h"

struct mcz_hierarchy {
	char *mount; /* where the hierarchy is mounted: "/sys/fs/cgroup/freezer" */
	char *own;   /* mcz's own cgroup in it, as a path below the mount: "/" or "/a/b" */
};

/* The v1 hierarchy that has `controller`, mounted at or below `under`. -ENOENT with a clear
 * message when there is none. */
int mcz_hierarchy_find(struct sys *s, const char *under, const char *controller,
		       struct mcz_hierarchy *ret, struct mcz_error *err);
void mcz_hierarchy_done(struct mcz_hierarchy *h);

/* <mount><own>/<root>/<id> for a relative root, <mount><root>/<id> for an absolute one. */
char *mcz_cgroup_path(const struct mcz_hierarchy *h, const char *root, const char *id);

/* The parent of mcz_cgroup_path(): <mount><own>/<root> (or <mount><root>). */
char *mcz_cgroup_root_path(const struct mcz_hierarchy *h, const char *root);

#endif
