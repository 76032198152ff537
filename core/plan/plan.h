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

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sys;

enum mcz_mount_step_type {
	MCZ_STEP_MAKE_RSLAVE, /* mount(NULL, "/", NULL, MS_REC|MS_SLAVE): nothing leaks out */
	MCZ_STEP_BIND,        /* the checked source on the checked target (see below) */
	MCZ_STEP_REMOUNT_RO,  /* read-only, every submount too: done by the BIND before it */
	MCZ_STEP_MOUNT_PROC,  /* a fresh proc for the container's pid namespace */
	MCZ_STEP_MASK,        /* an empty read-only tmpfs over target (hides mcz's own state) */
	_MCZ_STEP_MAX,
};

/* What was checked on the host, for the child to mount exactly that (SPEC §11):
 * A BIND step made by filesystem/shared (core/volume.c) carries
 *   - fd: a detached copy of the checked source's mount tree (open_tree(OPEN_TREE_CLONE|
 *     AT_RECURSIVE) of the fd the checks opened), already read-only when ro_done; the child
 *     inherits it across the clone and attaches it with move_mount(). -1 where open_tree is
 *     missing (ENOSYS): the child then opens the source by name, O_NOFOLLOW, and binds it
 *     only if it is the checked inode (src_dev/src_ino).
 *   - dst_dev/dst_ino: the container path as the checks resolved it (no symlink followed);
 *     the child resolves it again the same way and mounts on it only if it is that inode.
 *   - ro, ro_flags: the volume is read-only; ro_flags are the remount flags
 *     (MS_REMOUNT|MS_BIND|MS_RDONLY|flags locked on the source) of the fallbacks.
 * Its REMOUNT_RO step says so in the plan; the child does nothing for it (verified == true
 * means its BIND carries ro). A plan owns its fds: mcz_mount_plan_close_fds() and
 * mcz_mount_plan_done() close them through plan->s. */
struct mcz_mount_step {
	enum mcz_mount_step_type type;
	char *source;          /* BIND: absolute host path; NULL otherwise */
	char *target;          /* absolute path as seen in the container */
	unsigned long flags;   /* the full mount(2) flags of the step */
	bool verified;         /* BIND: the ids below are set; REMOUNT_RO: its BIND has ro */
	int fd;                /* BIND: the detached tree, or -1 (owned by the plan) */
	bool ro, ro_done;
	unsigned long ro_flags;
	dev_t src_dev, dst_dev;
	ino_t src_ino, dst_ino;
};

struct mcz_mount_plan {
	struct mcz_mount_step *steps;
	size_t n_steps;
	struct sys *s;         /* closes the steps' fds; NULL while no step has one */
};

/* One line per step, e.g.
 *   bind '/var/lib/mcz/sandboxes/c1/tmp' on '/tmp' (MS_BIND|MS_REC)
 *   remount-ro '/data' (MS_REMOUNT|MS_BIND|MS_RDONLY|MS_NOSUID|MS_NODEV)
 * Returns a malloc'd string; never NULL (aborts on OOM like the rest of mcz). */
char *mcz_mount_plan_format(const struct mcz_mount_plan *plan);

/* Append a step (strings are copied). */
void mcz_mount_plan_add(struct mcz_mount_plan *plan, enum mcz_mount_step_type type,
			const char *source, const char *target, unsigned long flags);

/* Append *step (its strings copied) and take over its fd: step->fd is -1 afterwards. */
void mcz_mount_plan_add_step(struct mcz_mount_plan *plan, struct mcz_mount_step *step,
			     struct sys *s);

/* Move every step of src (with its fd) to the end of dst; src is left empty. */
void mcz_mount_plan_take(struct mcz_mount_plan *dst, struct mcz_mount_plan *src);

/* Close the steps' fds (the parent, once the child has used them or never will). */
void mcz_mount_plan_close_fds(struct mcz_mount_plan *plan);

void mcz_mount_plan_done(struct mcz_mount_plan *plan); /* accepts zeroed/half-built; closes fds */

#endif
