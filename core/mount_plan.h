/*
 * mount_plan.h — what filesystem isolators ask the launcher to do in the container's mount
 * namespace (bubblewrap's SetupOp list; Mesos's ContainerLaunchInfo mounts).
 *
 * prepare() runs on the host and only creates directories; it *returns* a plan of typed
 * steps. The launcher executes the plan in the child, after clone(CLONE_NEWNS), through the
 * sys layer, so the kernel drops every mount when the namespace dies.
 */
#ifndef MCZ_CORE_MOUNT_PLAN_H
#define MCZ_CORE_MOUNT_PLAN_H

#include <stddef.h>

enum mcz_mount_step_type {
	MCZ_STEP_MAKE_RSLAVE, /* mount(NULL, "/", NULL, MS_REC|MS_SLAVE): nothing leaks out */
	MCZ_STEP_BIND,        /* mount(source, target, NULL, MS_BIND|MS_REC) */
	MCZ_STEP_REMOUNT_RO,  /* MS_REMOUNT|MS_BIND|MS_RDONLY|locked flags, every submount too */
	MCZ_STEP_MOUNT_PROC,  /* a fresh proc for the container's pid namespace */
	MCZ_STEP_MASK,        /* an empty read-only tmpfs over target (hides mcz's own state) */
	_MCZ_STEP_MAX,
};

struct mcz_mount_step {
	enum mcz_mount_step_type type;
	char *source;          /* BIND: absolute host path; NULL otherwise */
	char *target;          /* absolute path as seen in the container */
	unsigned long flags;   /* the full mount(2) flags of the step */
};

struct mcz_mount_plan {
	struct mcz_mount_step *steps;
	size_t n_steps;
};

/* One line per step, e.g.
 *   bind '/var/lib/mcz/sandboxes/c1/tmp' on '/tmp' (MS_BIND|MS_REC)
 *   remount-ro '/data' (MS_REMOUNT|MS_BIND|MS_RDONLY|MS_NOSUID|MS_NODEV)
 * Returns a malloc'd string; never NULL (aborts on OOM like the rest of mcz). */
char *mcz_mount_plan_format(const struct mcz_mount_plan *plan);

/* Append a step (strings are copied). */
void mcz_mount_plan_add(struct mcz_mount_plan *plan, enum mcz_mount_step_type type,
			const char *source, const char *target, unsigned long flags);

void mcz_mount_plan_done(struct mcz_mount_plan *plan); /* accepts zeroed/half-built */

#endif
