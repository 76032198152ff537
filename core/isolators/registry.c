/*
 * isolators.c — the isolators of SPEC §3 that this build has, and --isolation parsing.
 *
 * filesystem/shared and namespaces/pid only add to the launch: a clone flag and steps of
 * the child's mount plan; the kernel undoes their mounts when the mount namespace dies.
 * namespaces/pid also pins the namespace at <runtime_dir>/pidns/<id>, so that it can be
 * found (and killed) without the supervisor. posix/cpu and posix/mem isolate nothing; they
 * report usage (SPEC §7).
 */
#include <stdio.h>
#include <string.h>

#include "core/base/fsutil.h"
#include "core/container/isolator.h"
#include "lib/util.h"
#include "core/isolators/volume.h"

static int shared_prepare(struct mcz_container *c, struct mcz_error *err)
{
	struct mcz_mount_plan plan = { 0 };
	int r = mcz_shared_prepare(c->s, c->cfg.sandbox, c->cfg.volumes, c->cfg.n_volumes, &plan, err);

	if (r < 0)
		return r;
	mcz_mount_plan_take(&c->plan, &plan); /* with the fds of the checked sources */
	c->clone_flags |= CLONE_NEWNS;
	return 0;
}

static int pid_prepare(struct mcz_container *c, struct mcz_error *err)
{
	c->clone_flags |= CLONE_NEWPID | CLONE_NEWNS;
	c->pidns_dir = mcz_xasprintf("%s/pidns", c->cfg.runtime_dir);
	return mcz_mkdir_p(c->s, c->pidns_dir, 0755, NULL, err);
}

/* Bind /proc/<pid>/ns/pid on an empty file. The handle is recorded before each step, so
 * cleanup removes whatever a failure (even one reported after taking effect) left. */
static int pid_isolate(struct mcz_container *c, struct mcz_error *err)
{
	_cleanup_free_ char *ns = mcz_xasprintf("/proc/%d/ns/pid", (int)c->child.pid);
	int fd, r;

	c->pidns_handle = mcz_xasprintf("%s/%s", c->pidns_dir, c->cfg.id);
	fd = sys_openat(c->s, AT_FDCWD, c->pidns_handle, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0444);
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, c->pidns_handle);
	(void)sys_close(c->s, fd); /* an empty file: nothing was written that could be lost */
	c->pidns_mounted = true;
	r = sys_mount(c->s, ns, c->pidns_handle, NULL, MS_BIND, NULL);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_mount, c->pidns_handle);
	return 0;
}

static int pid_cleanup(struct mcz_container *c, struct mcz_error *err)
{
	int r;

	if (c->pidns_mounted) {
		r = mcz_umount_nsfs(c->s, c->pidns_handle, err);
		if (r < 0)
			return r;
	}
	if (c->pidns_handle) {
		/* Only a removed handle ends the job: if it is somehow still mounted (EBUSY), a
		 * second destroy unmounts it again. */
		r = mcz_remove(c->s, c->pidns_handle, 0, err);
		if (r < 0)
			return r;
		free(c->pidns_handle);
		c->pidns_handle = NULL;
	}
	c->pidns_mounted = false;
	return 0;
}

static int nothing(struct mcz_container *c, struct mcz_error *err)
{
	(void)c;
	(void)err;
	return 0;
}

static const struct mcz_isolator shared = { .name = "filesystem/shared", .linux_only = true,
					    .prepare = shared_prepare, .isolate = nothing,
					    .cleanup = nothing };
static const struct mcz_isolator pid = { .name = "namespaces/pid", .linux_only = true,
					 .prepare = pid_prepare, .isolate = pid_isolate,
					 .cleanup = pid_cleanup };
static const struct mcz_isolator posix_cpu = { .name = "posix/cpu", .prepare = nothing,
					       .isolate = nothing, .cleanup = nothing };
static const struct mcz_isolator posix_mem = { .name = "posix/mem", .prepare = nothing,
					       .isolate = nothing, .cleanup = nothing };

static const struct mcz_isolator *const isolators[] = {
	&shared, &pid, &mcz_isolator_cgroups_cpu, &mcz_isolator_cgroups_mem, &posix_cpu, &posix_mem,
};

static const struct mcz_isolator *find(const char *name)
{
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(isolators); i++)
		if (strcmp(isolators[i]->name, name) == 0)
			return isolators[i];
	return NULL;
}

static int add(const char *name, const struct mcz_isolator ***v, size_t *n, struct mcz_error *err)
{
	const struct mcz_isolator *iso = find(name);

	if (!iso)
		return mcz_error_fmt(err, -EINVAL, "unknown or unsupported isolator '%s'", name);
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == iso)
			return mcz_error_fmt(err, -EINVAL, "isolator '%s' is given more than once", name);
	*v = mcz_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = iso;
	return 0;
}

int mcz_isolation_parse(const char *list, const struct mcz_isolator ***ret, size_t *ret_n,
			struct mcz_error *err)
{
	const struct mcz_isolator **v = NULL;
	size_t n = 0;
	int r = 0;

	for (const char *p = list; r >= 0 && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		_cleanup_free_ char *name = mcz_xstrndup(p, strcspn(p, ","));

		if (strcmp(name, "cgroups") == 0) {
			r = add("cgroups/cpu", &v, &n, err);
			if (r >= 0)
				r = add("cgroups/mem", &v, &n, err);
		} else {
			r = add(name, &v, &n, err);
		}
	}
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

bool mcz_isolation_has(const struct mcz_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_isolators; i++)
		if (strcmp(cfg->isolators[i]->name, name) == 0)
			return true;
	return false;
}
