/*
 * isolator_cgroups.c — cgroups/cpu and cgroups/mem (SPEC §7; Mesos's CgroupsCpushareIsolator
 * and CgroupsMemIsolator).
 *
 * check finds the hierarchies (nothing is created for bad input); prepare creates the
 * container's cgroup in each, below mcz's own cgroup (core/cgroups.c, the freezer's
 * discipline), writes the limits, and adds the cgroup's "tasks" to c->cgroup_joins: the child
 * moves itself in first thing after release (core/launchers.c says why), so the limits are in
 * place before anything of the container runs. cleanup removes the cgroups and the empty
 * levels of the cgroups root; it accepts half-built state and a second destroy.
 *
 * Only cgroup v1 is implemented. What depends on the version — which files hold the limits
 * and the OOM count — is in `struct backend`; a v2 backend (cpu.weight, cpu.max, memory.max,
 * memory.low, memory.swap.max, the oom_kill count of memory.events, cgroup.procs) slots in
 * beside `v1`.
 *
 * OOM: SPEC §7 names the v1 eventfd (cgroup.event_control + memory.oom_control). It is not
 * used. The supervisor waits in sigtimedwait and cannot also wait on an eventfd without a
 * signalfd/poll redesign, and it does not need to: since Linux 4.13 memory.oom_control
 * reports "oom_kill N", a count that never goes down. The supervisor reads it when pid 1 has
 * exited and on a 500 ms tick while the container runs (watch), so every OOM kill is seen —
 * one that killed pid 1 before it is reaped, and one that killed another process while pid 1
 * lives on (then within a tick).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/isolator.h"
#include "core/util.h"

#define CPU_SHARES_PER_CPU 1024 /* Mesos isolators/cgroups/constants.hpp */
#define MIN_CPU_SHARES 10
#define CFS_PERIOD_US 100000
#define MIN_CFS_QUOTA_US 1000
#define MB ((uint64_t)1024 * 1024)
#define MIN_MEMORY (32 * MB)
#define VALUE_MAX 256
#define STAT_MAX (16 * 1024) /* memory.stat is about 1.5 KB; the message keeps what fits */

static const char *const controllers[_MCZ_CG_MAX] = {
	[MCZ_CG_CPU] = "cpu",
	[MCZ_CG_CPUACCT] = "cpuacct",
	[MCZ_CG_MEMORY] = "memory",
};

/* ---- files of a container's cgroup ---- */

static char *cg_file(const struct mcz_container *c, enum mcz_cg_kind k, const char *name)
{
	return mcz_xasprintf("%s/%s", c->cgroups[k].path, name);
}

static int write_u64(struct mcz_container *c, enum mcz_cg_kind k, const char *name, uint64_t v,
		     struct mcz_error *err)
{
	_cleanup_free_ char *path = cg_file(c, k, name);
	char value[32];
	int r;

	snprintf(value, sizeof(value), "%" PRIu64, v);
	r = sys_cg_write(c->s, path, value);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_write, path);
	return 0;
}

/* Read a control file into buf (NUL-terminated). */
static int read_file(struct mcz_container *c, enum mcz_cg_kind k, const char *name, char *buf,
		     size_t size, struct mcz_error *err)
{
	_cleanup_free_ char *path = cg_file(c, k, name);
	int r = sys_cg_read(c->s, path, buf, size);

	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_read, path);
	return 0;
}

/* N of "key N" in a "key value" per line file (memory.oom_control, memory.events); 0 when
 * the key is absent. */
static uint64_t keyed_value(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n'))
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
	return 0;
}

/* ---- the cgroup-version specific part ---- */

struct backend {
	const char *join_file; /* the child writes "0" to it to move itself in */
	int (*set_cpu)(struct mcz_container *c, struct mcz_error *err);
	int (*set_mem)(struct mcz_container *c, struct mcz_error *err);
	/* OOM kills so far (0 when the kernel does not count them) */
	int (*oom_kills)(struct mcz_container *c, uint64_t *ret, struct mcz_error *err);
	/* "Maximum Used" and the statistics of the OOM message */
	int (*max_usage)(struct mcz_container *c, uint64_t *ret, struct mcz_error *err);
	const char *stat_file;
};

static uint64_t cpu_shares(double cpus)
{
	uint64_t shares = (uint64_t)(CPU_SHARES_PER_CPU * cpus); /* truncated, as Mesos does */

	return shares < MIN_CPU_SHARES ? MIN_CPU_SHARES : shares;
}

static uint64_t cfs_quota_us(double cpus)
{
	uint64_t quota = (uint64_t)(CFS_PERIOD_US * cpus);

	return quota < MIN_CFS_QUOTA_US ? MIN_CFS_QUOTA_US : quota;
}

static uint64_t mem_limit(const struct mcz_config *cfg)
{
	uint64_t limit = cfg->resources.mem_mb * MB;

	return limit < MIN_MEMORY ? MIN_MEMORY : limit;
}

static int v1_set_cpu(struct mcz_container *c, struct mcz_error *err)
{
	double cpus = c->cfg.resources.cpus;
	int r = write_u64(c, MCZ_CG_CPU, "cpu.shares", cpu_shares(cpus), err);

	if (r >= 0 && c->cfg.cgroups_enable_cfs)
		r = write_u64(c, MCZ_CG_CPU, "cpu.cfs_period_us", CFS_PERIOD_US, err);
	if (r >= 0 && c->cfg.cgroups_enable_cfs)
		r = write_u64(c, MCZ_CG_CPU, "cpu.cfs_quota_us", cfs_quota_us(cpus), err);
	return r;
}

/* At launch both limits are lowered from "unlimited": the hard limit first, since the kernel
 * wants memory.memsw.limit_in_bytes >= memory.limit_in_bytes at every moment. */
static int v1_set_mem(struct mcz_container *c, struct mcz_error *err)
{
	uint64_t limit = mem_limit(&c->cfg);
	int r = write_u64(c, MCZ_CG_MEMORY, "memory.soft_limit_in_bytes", limit, err);

	if (r >= 0)
		r = write_u64(c, MCZ_CG_MEMORY, "memory.limit_in_bytes", limit, err);
	if (r >= 0 && c->cfg.cgroups_limit_swap)
		r = write_u64(c, MCZ_CG_MEMORY, "memory.memsw.limit_in_bytes", limit, err);
	return r;
}

static int v1_oom_kills(struct mcz_container *c, uint64_t *ret, struct mcz_error *err)
{
	_cleanup_free_ char *path = cg_file(c, MCZ_CG_MEMORY, "memory.oom_control");
	char buf[VALUE_MAX];
	int r = sys_cg_read(c->s, path, buf, sizeof(buf));

	*ret = 0;
	/* ENOENT: no OOM control in this memory controller, nothing to report */
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_read, path);
	*ret = keyed_value(buf, "oom_kill");
	return 0;
}

static int v1_max_usage(struct mcz_container *c, uint64_t *ret, struct mcz_error *err)
{
	char buf[VALUE_MAX];
	int r = read_file(c, MCZ_CG_MEMORY, "memory.max_usage_in_bytes", buf, sizeof(buf), err);

	*ret = r < 0 ? 0 : strtoull(buf, NULL, 10);
	return r;
}

static const struct backend v1 = {
	.join_file = "tasks",
	.set_cpu = v1_set_cpu,
	.set_mem = v1_set_mem,
	.oom_kills = v1_oom_kills,
	.max_usage = v1_max_usage,
	.stat_file = "memory.stat",
};

/* ---- common to both isolators ---- */

/* At check time: nothing is created yet. Found again by a second check: kept. */
static int find(struct mcz_container *c, enum mcz_cg_kind k, struct mcz_error *err)
{
	struct mcz_cgroup *cg = &c->cgroups[k];

	if (cg->h.mount)
		return 0;
	return mcz_hierarchy_find(c->s, c->cfg.cgroups_hierarchy, controllers[k], &cg->h, err);
}

static void add_join(struct mcz_container *c, char *path)
{
	c->cgroup_joins = mcz_xrealloc(c->cgroup_joins, (c->n_cgroup_joins + 1) * sizeof(char *));
	c->cgroup_joins[c->n_cgroup_joins++] = path;
}

static int create(struct mcz_container *c, enum mcz_cg_kind k, struct mcz_error *err)
{
	struct mcz_cgroup *cg = &c->cgroups[k];
	int r;

	if (!cg->h.mount)
		return 0; /* co-mounted with another kind: that cgroup serves both */
	cg->prepared = true; /* the cgroups root may exist from here on */
	r = mcz_cgroup_create(c->s, &cg->h, c->cfg.cgroups_root, c->cfg.id, controllers[k],
			      &cg->path, err);
	if (r < 0)
		return r;
	add_join(c, cg_file(c, k, v1.join_file));
	return 0;
}

/* Undo create(): the cgroup, then the root's empty levels. A root still in use by other
 * containers stays, and `prepared` too, so that a later destroy tries again. */
static int remove_cgroup(struct mcz_container *c, enum mcz_cg_kind k, struct mcz_error *err)
{
	struct mcz_cgroup *cg = &c->cgroups[k];
	int r;

	if (cg->path) {
		r = mcz_cgroup_remove(c->s, cg->path, err);
		if (r < 0)
			return r;
		free(cg->path);
		cg->path = NULL;
	}
	if (!cg->prepared)
		return 0;
	r = mcz_cgroup_remove_root(c->s, &cg->h, c->cfg.cgroups_root, err);
	if (r == 0)
		cg->prepared = false;
	return r < 0 ? r : 0;
}

static int nothing(struct mcz_container *c, struct mcz_error *err)
{
	(void)c;
	(void)err;
	return 0;
}

/* ---- cgroups/cpu ---- */

static int cpu_check(struct mcz_container *c, struct mcz_error *err)
{
	int r = find(c, MCZ_CG_CPU, err);

	if (r >= 0)
		r = find(c, MCZ_CG_CPUACCT, err);
	if (r >= 0 && strcmp(c->cgroups[MCZ_CG_CPU].h.mount, c->cgroups[MCZ_CG_CPUACCT].h.mount) == 0)
		mcz_hierarchy_done(&c->cgroups[MCZ_CG_CPUACCT].h); /* "cpu,cpuacct": one cgroup */
	return r;
}

static int cpu_prepare(struct mcz_container *c, struct mcz_error *err)
{
	int r = create(c, MCZ_CG_CPU, err);

	if (r >= 0)
		r = create(c, MCZ_CG_CPUACCT, err);
	if (r >= 0 && c->cfg.resources.has_cpus)
		r = v1.set_cpu(c, err);
	return r;
}

static int cpu_cleanup(struct mcz_container *c, struct mcz_error *err)
{
	int r = remove_cgroup(c, MCZ_CG_CPUACCT, err);
	int q = remove_cgroup(c, MCZ_CG_CPU, err);

	return r < 0 ? r : q;
}

const struct mcz_isolator mcz_isolator_cgroups_cpu = {
	.name = "cgroups/cpu",
	.linux_only = true,
	.check = cpu_check,
	.prepare = cpu_prepare,
	.isolate = nothing,
	.cleanup = cpu_cleanup,
};

/* ---- cgroups/mem ---- */

static int mem_check(struct mcz_container *c, struct mcz_error *err)
{
	return find(c, MCZ_CG_MEMORY, err);
}

static int mem_prepare(struct mcz_container *c, struct mcz_error *err)
{
	int r = create(c, MCZ_CG_MEMORY, err);

	if (r >= 0 && c->cfg.resources.has_mem)
		r = v1.set_mem(c, err);
	return r;
}

static int mem_cleanup(struct mcz_container *c, struct mcz_error *err)
{
	return remove_cgroup(c, MCZ_CG_MEMORY, err);
}

/* Mesos's oom() message: "Memory limit exceeded: Requested: 64MB Maximum Used: 64MB", then
 * the memory statistics (trimmed, as the Termination's message is). */
static int oom_message(struct mcz_container *c, char **ret, struct mcz_error *err)
{
	_cleanup_free_ char *stat = mcz_xmalloc(STAT_MAX);
	_cleanup_free_ char *requested = NULL;
	uint64_t used;
	size_t n;
	int r = v1.max_usage(c, &used, err);

	if (r >= 0)
		r = read_file(c, MCZ_CG_MEMORY, v1.stat_file, stat, STAT_MAX, err);
	if (r < 0)
		return r;
	for (n = strlen(stat); n > 0 && (stat[n - 1] == '\n' || stat[n - 1] == ' '); n--)
		stat[n - 1] = '\0';
	requested = c->cfg.resources.has_mem ? mcz_xasprintf("%" PRIu64 "MB", mem_limit(&c->cfg) / MB)
					     : mcz_xstrdup("unlimited");
	*ret = mcz_xasprintf("Memory limit exceeded: Requested: %s Maximum Used: %" PRIu64
			     "MB\n\nMEMORY STATISTICS: \n%s",
			     requested, used / MB, stat);
	return 0;
}

static int mem_watch(struct mcz_container *c, bool *ret_limited, struct mcz_error *err)
{
	uint64_t kills;
	char *message;
	int r;

	*ret_limited = false;
	if (!c->cgroups[MCZ_CG_MEMORY].path)
		return 0;
	r = v1.oom_kills(c, &kills, err);
	if (r < 0 || kills == 0)
		return r;
	r = oom_message(c, &message, err);
	if (r < 0)
		return r;
	c->term.killed = true;
	free(c->term.reason);
	c->term.reason = mcz_xstrdup("REASON_CONTAINER_LIMITATION_MEMORY");
	free(c->term.message);
	c->term.message = message;
	*ret_limited = true;
	return 0;
}

const struct mcz_isolator mcz_isolator_cgroups_mem = {
	.name = "cgroups/mem",
	.linux_only = true,
	.check = mem_check,
	.prepare = mem_prepare,
	.isolate = nothing,
	.watch = mem_watch,
	.cleanup = mem_cleanup,
};
