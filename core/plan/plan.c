/*
 * mount_plan.c — building and printing the list of mount steps (see mount_plan.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/plan/plan.h"
#include "lib/util.h"
#include "sys/sys.h"
#include "sys/trace.h"

static const char *const step_names[_MCZ_STEP_MAX] = {
	[MCZ_STEP_MAKE_RSLAVE] = "make-rslave",
	[MCZ_STEP_BIND] = "bind",
	[MCZ_STEP_REMOUNT_RO] = "remount-ro",
	[MCZ_STEP_MOUNT_PROC] = "mount-proc",
	[MCZ_STEP_MASK] = "mask",
};

static char *format_step(const struct mcz_mount_step *step)
{
	_cleanup_free_ char *flags = sys_mount_flags_name(step->flags); /* as traces show them */
	const char *target = step->target ? step->target : "";
	const char *name = (step->type >= 0 && step->type < _MCZ_STEP_MAX) ? step_names[step->type]
									: "unknown-step";

	if (step->type == MCZ_STEP_BIND)
		return mcz_xasprintf("%s '%s' on '%s' (%s)\n", name,
				     step->source ? step->source : "", target, flags);
	return mcz_xasprintf("%s '%s' (%s)\n", name, target, flags);
}

char *mcz_mount_plan_format(const struct mcz_mount_plan *plan)
{
	char *out = mcz_xstrdup("");

	for (size_t i = 0; plan && i < plan->n_steps; i++) {
		_cleanup_free_ char *line = format_step(&plan->steps[i]);
		mcz_strappend(&out, line);
	}
	return out;
}

void mcz_mount_plan_add(struct mcz_mount_plan *plan, enum mcz_mount_step_type type,
			const char *source, const char *target, unsigned long flags)
{
	plan->steps = mcz_xrealloc(plan->steps, (plan->n_steps + 1) * sizeof(*plan->steps));
	plan->steps[plan->n_steps++] = (struct mcz_mount_step){
		.type = type,
		.source = source ? mcz_xstrdup(source) : NULL,
		.target = target ? mcz_xstrdup(target) : NULL,
		.flags = flags,
		.fd = -1,
	};
}

void mcz_mount_plan_add_step(struct mcz_mount_plan *plan, struct mcz_mount_step *step,
			     struct sys *s)
{
	struct mcz_mount_step *n;

	mcz_mount_plan_add(plan, step->type, step->source, step->target, step->flags);
	n = &plan->steps[plan->n_steps - 1];
	*n = (struct mcz_mount_step){ .type = n->type, .source = n->source, .target = n->target,
				      .flags = n->flags, .verified = step->verified, .fd = step->fd,
				      .ro = step->ro, .ro_done = step->ro_done,
				      .ro_flags = step->ro_flags, .src_dev = step->src_dev,
				      .dst_dev = step->dst_dev, .src_ino = step->src_ino,
				      .dst_ino = step->dst_ino };
	if (step->fd >= 0 && !plan->s)
		plan->s = s;
	step->fd = -1;
}

void mcz_mount_plan_take(struct mcz_mount_plan *dst, struct mcz_mount_plan *src)
{
	for (size_t i = 0; i < src->n_steps; i++)
		mcz_mount_plan_add_step(dst, &src->steps[i], src->s);
	mcz_mount_plan_done(src);
}

void mcz_mount_plan_close_fds(struct mcz_mount_plan *plan)
{
	for (size_t i = 0; plan && i < plan->n_steps; i++) {
		if (plan->steps[i].fd < 0)
			continue;
		/* close(2) releases the fd even when it reports an error; nothing to retry. */
		(void)sys_close(plan->s, plan->steps[i].fd);
		plan->steps[i].fd = -1;
	}
}

void mcz_mount_plan_done(struct mcz_mount_plan *plan)
{
	if (!plan)
		return;
	mcz_mount_plan_close_fds(plan);
	for (size_t i = 0; i < plan->n_steps; i++) {
		free(plan->steps[i].source);
		free(plan->steps[i].target);
	}
	free(plan->steps);
	plan->steps = NULL;
	plan->n_steps = 0;
	plan->s = NULL;
}
