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

#include "core/base/error.h"
#include "sys/sys.h"

struct mcz_hierarchy {
	char *mount; /* where the hierarchy is mounted: "/sys/fs/cgroup/freezer" */
	char *own;   /* mcz's own cgroup in it, as a path below the mount: "/" or "/a/b" */
	bool v2;     /* the unified (cgroup2) hierarchy */
};

/* The hierarchy that has `controller`, mounted at or below `under`: a v1 hierarchy with it
 * when there is one (a hybrid host keeps its controllers in v1), else the cgroup2 mount when
 * its root lists the v2 controller that serves it (mcz_cgroup_v2_controller). -ENOENT with a
 * clear message when there is none. */
int mcz_hierarchy_find(struct sys *s, const char *under, const char *controller,
		       struct mcz_hierarchy *ret, struct mcz_error *err);
void mcz_hierarchy_done(struct mcz_hierarchy *h);

/* The v2 controller behind a v1 controller name, or NULL when v2 needs none: cpuacct's
 * counters are in every cgroup's cpu.stat, and freezing and killing (cgroup.freeze,
 * cgroup.kill) are core files of every non-root cgroup. */
const char *mcz_cgroup_v2_controller(const char *controller);

/* v2: make `controller` available in the container cgroups below the cgroups root. Where mcz
 * starts (its own cgroup for a relative root, the hierarchy's root for an absolute one) must
 * give it to its children already: mcz never changes a cgroup it does not manage, and v2
 * allows controllers for the children only of a cgroup without processes ("no internal
 * processes"), which mcz's own cgroup is not (mcz is in it) — the error says what to do.
 * In the levels of the cgroups root, which mcz manages, it writes "+controller" into
 * cgroup.subtree_control where it is missing. */
int mcz_cgroup_enable(struct sys *s, const struct mcz_hierarchy *h, const char *root,
		      const char *controller, struct mcz_error *err);

/* The first half of mcz_cgroup_enable(), for check time: does the cgroup mcz starts from give
 * `controller` to its children? 0, or -EPERM with the message that says what to do. */
int mcz_cgroup_delegated(struct sys *s, const struct mcz_hierarchy *h, const char *root,
			 const char *controller, struct mcz_error *err);

/* <mount><own>/<root>/<id> for a relative root, <mount><root>/<id> for an absolute one. */
char *mcz_cgroup_path(const struct mcz_hierarchy *h, const char *root, const char *id);

/* The parent of mcz_cgroup_path(): <mount><own>/<root> (or <mount><root>). */
char *mcz_cgroup_root_path(const struct mcz_hierarchy *h, const char *root);

/* ---- a container's cgroup in one hierarchy: shared by the linux launcher's freezer cgroup
 * and the cgroups isolators, so that every one is made and removed the same way ---- */

/* Create <root>/<id> (mcz_cgroup_path), making the root's missing levels first. *ret_path is
 * set before the mkdir, so that cleanup removes whatever a failure (even one reported after
 * taking effect) left; on EEXIST the cgroup is not ours: *ret_path is reset to NULL and the
 * error says so, naming `what` ("freezer"). Another container's cleanup may remove an empty
 * root between the two mkdirs (ENOENT): the root is made again, a few times. v2_controller
 * (v2 only; NULL for none) is enabled for the root's children (mcz_cgroup_enable) once the
 * root exists and before the container's cgroup is made. */
int mcz_cgroup_create(struct sys *s, const struct mcz_hierarchy *h, const char *root,
		      const char *id, const char *what, const char *v2_controller, char **ret_path,
		      struct mcz_error *err);

/* rmdir of a container's cgroup: ENOENT is success, EBUSY is retried with backoff for up
 * to 5 s (SPEC §7). */
int mcz_cgroup_remove(struct sys *s, const char *path, struct mcz_error *err);

/* Remove the cgroups root's empty levels below mcz's own cgroup, deepest first (of an
 * absolute root only its last level: its parents are the operator's). Returns 1
 * when a level is still in use (by other containers), 0 when all are gone, or -errno. */
int mcz_cgroup_remove_root(struct sys *s, const struct mcz_hierarchy *h, const char *root,
			   struct mcz_error *err);

#endif
