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

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/container/isolator.h"
#include "core/state/runtime.h"
#include "lib/util.h"

#define CPU_SHARES_PER_CPU 1024 /* Mesos isolators/cgroups/constants.hpp */
#define MIN_CPU_SHARES 10
#define CFS_PERIOD_US 100000
#define MIN_CFS_QUOTA_US 1000
#define MB ((uint64_t)1024 * 1024)
#define MIN_MEMORY (32 * MB)
#define VALUE_MAX 256
#define STAT_MAX (16 * 1024) /* memory.stat is about 1.5 KB; the message keeps what fits */

/* ---- files of a container's cgroup ---- */

static char *cg_file(const struct mcz_container *c, enum mcz_cg_kind k, const char *name)
{
	return mcz_xasprintf("%s/%s", c->cgroups[k].path, name);
}

static int write_str(struct mcz_container *c, enum mcz_cg_kind k, const char *name,
		     const char *value, struct mcz_error *err)
{
	_cleanup_free_ char *path = cg_file(c, k, name);
	int r = sys_cg_write(c->s, path, value);

	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_write, path);
	return 0;
}

static int write_u64(struct mcz_container *c, enum mcz_cg_kind k, const char *name, uint64_t v,
		     struct mcz_error *err)
{
	char value[32];

	snprintf(value, sizeof(value), "%" PRIu64, v);
	return write_str(c, k, name, value, err);
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

/* ---- the cgroup-version specific part ---- */

struct undo;

struct backend {
	const char *join_file; /* the child writes "0" to it to move itself in */
	int (*set_cpu)(struct mcz_container *c, struct mcz_error *err);
	int (*set_mem)(struct mcz_container *c, struct mcz_error *err);
	/* OOM kills so far (0 when the kernel does not count them) */
	int (*oom_kills)(struct mcz_container *c, uint64_t *ret, struct mcz_error *err);
	/* "Maximum Used" of the OOM message */
	int (*max_usage)(struct mcz_container *c, uint64_t *ret, struct mcz_error *err);
	int (*cpu_usage)(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err);
	/* usage: memory.stat's keys for rss (Mesos: anon is the rss), file and mapped file
	 * memory, and the hard limit's file */
	const char *rss_key, *file_key, *mapped_key, *limit_file;
	int (*update_cpu)(struct mcz_container *c, struct undo *u, double cpus, struct mcz_error *err);
	int (*update_mem)(struct mcz_container *c, struct undo *u, uint64_t limit,
			  struct mcz_error *err);
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

/* A limit as the kernel prints it: v2 says "max" for none (v1 prints a huge number). */
static uint64_t parse_limit(const char *text)
{
	return strncmp(text, "max", 3) == 0 ? UINT64_MAX : strtoull(text, NULL, 10);
}

/* N of "key N" in a "key value" per line file; false when the key is absent. */
static bool keyed_find(const char *text, const char *key, uint64_t *ret)
{
	size_t n = strlen(key);

	for (const char *p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n'))
		if (strncmp(p, key, n) == 0 && p[n] == ' ') {
			*ret = strtoull(p + n + 1, NULL, 10);
			return true;
		}
	return false;
}

static uint32_t clamp_u32(uint64_t v)
{
	return (uint32_t)(v > UINT32_MAX ? UINT32_MAX : v);
}

static int no_cgroup(const struct mcz_container *c, const char *what, struct mcz_error *err)
{
	return mcz_error_fmt(err, -ENOENT, "no %s cgroup recorded for container '%s'", what, c->cfg.id);
}

/* ---- update: every write undone on failure ---- */

#define UNDO_MAX 8

struct undo {
	size_t n;
	char *path[UNDO_MAX];
	char old[UNDO_MAX][VALUE_MAX];
};

static void undo_done(struct undo *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->path[i]);
	u->n = 0;
}

/* Put back what was read before each write, newest first. Best effort: the first error is
 * what is reported, and a file that cannot be restored is no worse than one left half set. */
static void undo_all(struct mcz_container *c, struct undo *u)
{
	for (size_t i = u->n; i > 0; i--)
		(void)sys_cg_write(c->s, u->path[i - 1], u->old[i - 1]);
	undo_done(u);
}

/* Read the file's value (kept for the undo), then write v. The undo entry is added before the
 * write: a write that takes effect and still reports failure is undone too. */
static int set_str(struct mcz_container *c, struct undo *u, enum mcz_cg_kind k, const char *name,
		   const char *v, struct mcz_error *err)
{
	char *old = u->old[u->n];
	int r = read_file(c, k, name, old, VALUE_MAX, err);

	if (r < 0)
		return r;
	old[strcspn(old, "\n")] = '\0';
	u->path[u->n++] = cg_file(c, k, name);
	return write_str(c, k, name, v, err);
}

static int set_value(struct mcz_container *c, struct undo *u, enum mcz_cg_kind k, const char *name,
		     uint64_t v, struct mcz_error *err)
{
	char value[32];

	snprintf(value, sizeof(value), "%" PRIu64, v);
	return set_str(c, u, k, name, value, err);
}

/* SPEC §7: the soft limit always; the hard limit only up (lowering it could OOM-kill what
 * already uses the memory). `hard` names the hard limit's file; `before` one written before
 * it when raising (v1's memsw, which must stay >= the memory limit), or NULL. */
static int update_mem_files(struct mcz_container *c, struct undo *u, uint64_t limit,
			    const char *soft, const char *hard, const char *before,
			    struct mcz_error *err)
{
	char cur[VALUE_MAX];
	int r = set_value(c, u, MCZ_CG_MEMORY, soft, limit, err);

	if (r >= 0)
		r = read_file(c, MCZ_CG_MEMORY, hard, cur, sizeof(cur), err);
	if (r < 0 || limit <= parse_limit(cur))
		return r;
	if (before)
		r = set_value(c, u, MCZ_CG_MEMORY, before, limit, err);
	if (r >= 0)
		r = set_value(c, u, MCZ_CG_MEMORY, hard, limit, err);
	return r;
}

/* ---- cgroup v1 ---- */

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

/* The soft limit, the hard limit, then (with --cgroups_limit_swap) the swap file. */
static int set_mem_files(struct mcz_container *c, const char *soft, const char *hard,
			 const char *swap, uint64_t swap_value, struct mcz_error *err)
{
	uint64_t limit = mem_limit(&c->cfg);
	int r = write_u64(c, MCZ_CG_MEMORY, soft, limit, err);

	if (r >= 0)
		r = write_u64(c, MCZ_CG_MEMORY, hard, limit, err);
	if (r >= 0 && c->cfg.cgroups_limit_swap)
		r = write_u64(c, MCZ_CG_MEMORY, swap, swap_value, err);
	return r;
}

/* At launch both limits are lowered from "unlimited": the hard limit first, since the kernel
 * wants memory.memsw.limit_in_bytes >= memory.limit_in_bytes at every moment. */
static int v1_set_mem(struct mcz_container *c, struct mcz_error *err)
{
	return set_mem_files(c, "memory.soft_limit_in_bytes", "memory.limit_in_bytes",
			     "memory.memsw.limit_in_bytes", mem_limit(&c->cfg), err);
}

/* N of "key N" in a file of the memory cgroup; 0 when the file (an older kernel) or the key
 * is not there. */
static int read_count(struct mcz_container *c, const char *name, const char *key, uint64_t *ret,
		      struct mcz_error *err)
{
	_cleanup_free_ char *path = cg_file(c, MCZ_CG_MEMORY, name);
	char buf[VALUE_MAX];
	int r = sys_cg_read(c->s, path, buf, sizeof(buf));

	*ret = 0;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_cg_read, path);
	(void)keyed_find(buf, key, ret);
	return 0;
}

static int v1_oom_kills(struct mcz_container *c, uint64_t *ret, struct mcz_error *err)
{
	return read_count(c, "memory.oom_control", "oom_kill", ret, err);
}

static int read_u64(struct mcz_container *c, const char *name, uint64_t *ret,
		    struct mcz_error *err)
{
	char buf[VALUE_MAX];
	int r = read_file(c, MCZ_CG_MEMORY, name, buf, sizeof(buf), err);

	*ret = r < 0 ? 0 : strtoull(buf, NULL, 10);
	return r;
}

static int v1_max_usage(struct mcz_container *c, uint64_t *ret, struct mcz_error *err)
{
	return read_u64(c, "memory.max_usage_in_bytes", ret, err);
}

/* The cgroup that counts cpu time: cpuacct's own, or cpu's when they are co-mounted. */
static enum mcz_cg_kind acct_kind(const struct mcz_container *c)
{
	return c->cgroups[MCZ_CG_CPUACCT].path ? MCZ_CG_CPUACCT : MCZ_CG_CPU;
}

/* cpuacct.stat counts in USER_HZ ticks, which sysconf(_SC_CLK_TCK) reports. */
static int v1_cpu_usage(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err)
{
	char acct[VALUE_MAX], stat[VALUE_MAX];
	double hz = (double)sysconf(_SC_CLK_TCK);
	uint64_t user = 0, system = 0, periods = 0, throttled = 0, ns = 0;
	int r;

	if (!c->cgroups[acct_kind(c)].path)
		return no_cgroup(c, "cpuacct", err);
	r = read_file(c, acct_kind(c), "cpuacct.stat", acct, sizeof(acct), err);
	if (r >= 0)
		r = read_file(c, MCZ_CG_CPU, "cpu.stat", stat, sizeof(stat), err);
	if (r < 0)
		return r;
	ret->has_cpu = keyed_find(acct, "user", &user) && keyed_find(acct, "system", &system);
	ret->cpus_user_time_secs = (double)user / (hz > 0 ? hz : 100);
	ret->cpus_system_time_secs = (double)system / (hz > 0 ? hz : 100);
	ret->has_cpus_nr_periods = keyed_find(stat, "nr_periods", &periods);
	ret->cpus_nr_periods = clamp_u32(periods);
	ret->has_cpus_nr_throttled = keyed_find(stat, "nr_throttled", &throttled);
	ret->cpus_nr_throttled = clamp_u32(throttled);
	ret->has_cpus_throttled_time_secs = keyed_find(stat, "throttled_time", &ns);
	ret->cpus_throttled_time_secs = (double)ns / 1e9;
	return 0;
}

/* The hierarchical "total_" counters when the kernel has them (they include sub-cgroups). */
static bool stat_value(const char *stat, const char *key, uint64_t *ret)
{
	_cleanup_free_ char *total = mcz_xasprintf("total_%s", key);

	return keyed_find(stat, total, ret) || keyed_find(stat, key, ret);
}


static int v1_update_cpu(struct mcz_container *c, struct undo *u, double cpus, struct mcz_error *err)
{
	int r = set_value(c, u, MCZ_CG_CPU, "cpu.shares", cpu_shares(cpus), err);

	if (r >= 0 && c->cfg.cgroups_enable_cfs)
		r = set_value(c, u, MCZ_CG_CPU, "cpu.cfs_quota_us", cfs_quota_us(cpus), err);
	return r;
}

static int v1_update_mem(struct mcz_container *c, struct undo *u, uint64_t limit,
			 struct mcz_error *err)
{
	return update_mem_files(c, u, limit, "memory.soft_limit_in_bytes", "memory.limit_in_bytes",
				c->cfg.cgroups_limit_swap ? "memory.memsw.limit_in_bytes" : NULL, err);
}

static const struct backend v1 = {
	.join_file = "tasks",
	.set_cpu = v1_set_cpu,
	.set_mem = v1_set_mem,
	.oom_kills = v1_oom_kills,
	.max_usage = v1_max_usage,
	.cpu_usage = v1_cpu_usage,
	.rss_key = "rss",
	.file_key = "cache",
	.mapped_key = "mapped_file",
	.limit_file = "memory.limit_in_bytes",
	.update_cpu = v1_update_cpu,
	.update_mem = v1_update_mem,
};

/* ---- cgroup v2 (Documentation/admin-guide/cgroup-v2.rst) ---- */

/* cpu.weight for cpu.shares as crun maps them (and runc before 1.3.2): [2, 262144] onto
 * [1, 10000] linearly, so 1024 shares are weight 39. */
static uint64_t cpu_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* cpu.max: "$QUOTA $PERIOD", the quota as v1's cfs_quota_us. */
static void cpu_max(double cpus, char buf[VALUE_MAX])
{
	snprintf(buf, VALUE_MAX, "%" PRIu64 " %d", cfs_quota_us(cpus), CFS_PERIOD_US);
}

static int v2_set_cpu(struct mcz_container *c, struct mcz_error *err)
{
	double cpus = c->cfg.resources.cpus;
	char max[VALUE_MAX];
	int r = write_u64(c, MCZ_CG_CPU, "cpu.weight", cpu_weight(cpu_shares(cpus)), err);

	cpu_max(cpus, max);
	if (r >= 0 && c->cfg.cgroups_enable_cfs)
		r = write_str(c, MCZ_CG_CPU, "cpu.max", max, err);
	return r;
}

/* memory.low is v1's soft limit (protection under pressure rather than a reclaim target, the
 * closest v2 has; runc maps it the same way). memory.swap.max bounds swap alone where v1's
 * memsw bounds memory + swap: memsw equal to the memory limit leaves no swap, i.e. 0. */
static int v2_set_mem(struct mcz_container *c, struct mcz_error *err)
{
	return set_mem_files(c, "memory.low", "memory.max", "memory.swap.max", 0, err);
}

/* memory.events counts the kills in this cgroup and below ("oom_kill"), where "oom" would
 * count only when the limit was hit here (containerd missed OOMs watching "oom"). */
static int v2_oom_kills(struct mcz_container *c, uint64_t *ret, struct mcz_error *err)
{
	return read_count(c, "memory.events", "oom_kill", ret, err);
}

/* memory.peak since Linux 5.19; before it the current usage is the best there is. */
static int v2_max_usage(struct mcz_container *c, uint64_t *ret, struct mcz_error *err)
{
	_cleanup_free_ char *peak = cg_file(c, MCZ_CG_MEMORY, "memory.peak");
	char buf[VALUE_MAX];
	int r = sys_cg_read(c->s, peak, buf, sizeof(buf));

	if (r == -ENOENT)
		return read_u64(c, "memory.current", ret, err);
	*ret = r < 0 ? 0 : strtoull(buf, NULL, 10);
	return r < 0 ? mcz_error_sys(err, r, SYS_OP_cg_read, peak) : 0;
}

/* cpu.stat is in every v2 cgroup, in microseconds; nr_periods and the throttling figures only
 * with the cpu controller. */
static int v2_cpu_usage(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err)
{
	char stat[VALUE_MAX];
	uint64_t user = 0, system = 0, periods = 0, throttled = 0, us = 0;
	int r = read_file(c, MCZ_CG_CPU, "cpu.stat", stat, sizeof(stat), err);

	if (r < 0)
		return r;
	ret->has_cpu = keyed_find(stat, "user_usec", &user) && keyed_find(stat, "system_usec", &system);
	ret->cpus_user_time_secs = (double)user / 1e6;
	ret->cpus_system_time_secs = (double)system / 1e6;
	ret->has_cpus_nr_periods = keyed_find(stat, "nr_periods", &periods);
	ret->cpus_nr_periods = clamp_u32(periods);
	ret->has_cpus_nr_throttled = keyed_find(stat, "nr_throttled", &throttled);
	ret->cpus_nr_throttled = clamp_u32(throttled);
	ret->has_cpus_throttled_time_secs = keyed_find(stat, "throttled_usec", &us);
	ret->cpus_throttled_time_secs = (double)us / 1e6;
	return 0;
}


static int v2_update_cpu(struct mcz_container *c, struct undo *u, double cpus, struct mcz_error *err)
{
	char max[VALUE_MAX];
	int r = set_value(c, u, MCZ_CG_CPU, "cpu.weight", cpu_weight(cpu_shares(cpus)), err);

	cpu_max(cpus, max);
	if (r >= 0 && c->cfg.cgroups_enable_cfs)
		r = set_str(c, u, MCZ_CG_CPU, "cpu.max", max, err);
	return r;
}

/* memory.swap.max stays 0 with --cgroups_limit_swap: raising v1's memsw with the memory limit
 * keeps leaving no room for swap. */
static int v2_update_mem(struct mcz_container *c, struct undo *u, uint64_t limit,
			 struct mcz_error *err)
{
	return update_mem_files(c, u, limit, "memory.low", "memory.max", NULL, err);
}

static const struct backend v2 = {
	.join_file = "cgroup.procs",
	.set_cpu = v2_set_cpu,
	.set_mem = v2_set_mem,
	.oom_kills = v2_oom_kills,
	.max_usage = v2_max_usage,
	.cpu_usage = v2_cpu_usage,
	.rss_key = "anon", /* v2's memory.stat is hierarchical already: no "total_" keys */
	.file_key = "file",
	.mapped_key = "file_mapped",
	.limit_file = "memory.max",
	.update_cpu = v2_update_cpu,
	.update_mem = v2_update_mem,
};

static const struct backend *backend(const struct mcz_container *c, enum mcz_cg_kind k)
{
	return c->cgroups[k].h.v2 ? &v2 : &v1;
}

/* ---- usage (Mesos's CgroupsCpushareIsolator / CgroupsMemIsolator usage()) ---- */

static int cpu_usage(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err)
{
	if (!c->cgroups[MCZ_CG_CPU].path)
		return no_cgroup(c, "cpu", err);
	return backend(c, MCZ_CG_CPU)->cpu_usage(c, ret, err);
}

static int mem_usage(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err)
{
	const struct backend *b = backend(c, MCZ_CG_MEMORY);
	_cleanup_free_ char *stat = NULL;
	char limit[VALUE_MAX];
	int r;

	if (!c->cgroups[MCZ_CG_MEMORY].path)
		return no_cgroup(c, "memory", err);
	stat = mcz_xmalloc(STAT_MAX);
	r = read_file(c, MCZ_CG_MEMORY, "memory.stat", stat, STAT_MAX, err);
	if (r >= 0)
		r = read_file(c, MCZ_CG_MEMORY, b->limit_file, limit, sizeof(limit), err);
	if (r < 0)
		return r;
	ret->has_rss = stat_value(stat, b->rss_key, &ret->mem_rss_bytes);
	ret->has_mem_anon = ret->has_rss; /* Mesos: anon is the rss of the cgroup */
	ret->mem_anon_bytes = ret->mem_rss_bytes;
	ret->has_mem_file = stat_value(stat, b->file_key, &ret->mem_file_bytes);
	ret->has_mem_mapped_file = stat_value(stat, b->mapped_key, &ret->mem_mapped_file_bytes);
	ret->mem_limit_bytes = parse_limit(limit);
	ret->has_mem_limit = ret->mem_limit_bytes != UINT64_MAX; /* v2's "max": none to report */
	return 0;
}

/* ---- update (Mesos's update()) ---- */

static int update_check(const struct mcz_container *c, const struct mcz_resources *r,
			struct mcz_error *err)
{
	if (c->state != MCZ_STATE_RUNNING)
		return mcz_error_fmt(err, -EINVAL, "container '%s' is not running (state %s)",
				     c->cfg.id, mcz_state_name(c->state));
	if (!r->has_cpus && !r->has_mem)
		return mcz_error_fmt(err, -EINVAL, "update: no resources given");
	if (r->has_cpus && !mcz_isolation_has(&c->cfg, "cgroups/cpu"))
		return mcz_error_fmt(err, -EINVAL, "update: 'cpus' needs the cgroups/cpu isolator");
	if (r->has_mem && !mcz_isolation_has(&c->cfg, "cgroups/mem"))
		return mcz_error_fmt(err, -EINVAL, "update: 'mem' needs the cgroups/mem isolator");
	if (r->has_cpus && !c->cgroups[MCZ_CG_CPU].path)
		return no_cgroup(c, "cpu", err);
	if (r->has_mem && !c->cgroups[MCZ_CG_MEMORY].path)
		return no_cgroup(c, "memory", err);
	return 0;
}

/* Updates of one container are serialized by an flock on its runtime directory: not on its
 * lock file, which the supervisor holds for the container's whole life (core/runtime.c).
 * The lock goes with the fd. */
static int lock_entry(struct mcz_container *c, int *ret_fd, struct mcz_error *err)
{
	_cleanup_free_ char *dir = mcz_runtime_container_dir(c);
	int fd = sys_openat(c->s, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, dir);
	r = sys_flock(c->s, fd, LOCK_EX);
	if (r < 0) {
		(void)sys_close(c->s, fd);
		return mcz_error_sys(err, r, SYS_OP_flock, dir);
	}
	*ret_fd = fd;
	return 0;
}

static int update_locked(struct mcz_container *c, const struct mcz_resources *req,
			 struct mcz_error *err)
{
	struct mcz_resources old = c->cfg.resources;
	struct undo u = { 0 };
	int r = 0;

	if (req->has_cpus)
		r = backend(c, MCZ_CG_CPU)->update_cpu(c, &u, req->cpus, err);
	if (r >= 0 && req->has_mem)
		r = backend(c, MCZ_CG_MEMORY)->update_mem(c, &u, req->mem_mb * MB < MIN_MEMORY ? MIN_MEMORY : req->mem_mb * MB, err);
	if (req->has_cpus)
		c->cfg.resources.cpus = req->cpus, c->cfg.resources.has_cpus = true;
	if (req->has_mem)
		c->cfg.resources.mem_mb = req->mem_mb, c->cfg.resources.has_mem = true;
	if (r >= 0)
		r = mcz_runtime_write_config(c, err);
	if (r < 0) {
		c->cfg.resources = old;
		undo_all(c, &u);
	}
	undo_done(&u);
	return r;
}

int mcz_container_update(struct mcz_container *c, const struct mcz_resources *req,
			 struct mcz_error *err)
{
	int fd = -1;
	int r = update_check(c, req, err);

	if (r >= 0)
		r = lock_entry(c, &fd, err);
	if (r >= 0)
		r = update_locked(c, req, err);
	if (fd >= 0)
		(void)sys_close(c->s, fd); /* releases the lock; nothing was written through it */
	return r < 0 ? mcz_error_wrap(err, "container '%s'", c->cfg.id) : 0;
}

/* ---- common to both isolators ---- */

/* At check time: nothing is created yet. Found again by a second check: kept. On v2 the
 * controller must be delegated to where mcz starts, or nothing could be limited. */
static int find(struct mcz_container *c, enum mcz_cg_kind k, struct mcz_error *err)
{
	struct mcz_cgroup *cg = &c->cgroups[k];
	const char *v2_controller;
	int r;

	if (cg->h.mount)
		return 0;
	r = mcz_hierarchy_find(c->s, c->cfg.cgroups_hierarchy, mcz_cg_kind_names[k], &cg->h, err);
	v2_controller = r >= 0 && cg->h.v2 ? mcz_cgroup_v2_controller(mcz_cg_kind_names[k]) : NULL;
	if (v2_controller)
		r = mcz_cgroup_delegated(c->s, &cg->h, c->cfg.cgroups_root, v2_controller, err);
	if (r < 0)
		mcz_hierarchy_done(&cg->h); /* a second check must fail the same way */
	return r;
}

static void add_join(struct mcz_container *c, char *path)
{
	c->cgroup_joins = mcz_xrealloc(c->cgroup_joins, (c->n_cgroup_joins + 1) * sizeof(char *));
	c->cgroup_joins[c->n_cgroup_joins++] = path;
}

const char *mcz_container_cgroup_in(const struct mcz_container *c, const char *mount)
{
	for (size_t k = 0; k < _MCZ_CG_MAX; k++)
		if (c->cgroups[k].path && c->cgroups[k].h.mount &&
		    strcmp(c->cgroups[k].h.mount, mount) == 0)
			return c->cgroups[k].path;
	if (c->freezer && c->freezer_h.mount && strcmp(c->freezer_h.mount, mount) == 0)
		return c->freezer;
	return NULL;
}

/* The container's cgroup in this kind's hierarchy. On v2 there is one hierarchy: the first
 * kind makes the cgroup, the others share it, and each enables its controller for it. The
 * maker is prepared first and cleaned up last (cleanup runs in reverse), so it removes the
 * cgroup once every sharer is done with it. */
static int create(struct mcz_container *c, enum mcz_cg_kind k, struct mcz_error *err)
{
	struct mcz_cgroup *cg = &c->cgroups[k];
	const char *v2_controller = cg->h.v2 ? mcz_cgroup_v2_controller(mcz_cg_kind_names[k]) : NULL;
	const char *shared;
	int r = 0;

	if (!cg->h.mount)
		return 0; /* co-mounted with another kind: that cgroup serves both */
	cg->prepared = true; /* the cgroups root may exist from here on */
	shared = mcz_container_cgroup_in(c, cg->h.mount);
	if (shared) {
		cg->path = mcz_xstrdup(shared);
		cg->shared = true;
		if (v2_controller)
			r = mcz_cgroup_enable(c->s, &cg->h, c->cfg.cgroups_root, v2_controller, err);
		return r;
	}
	r = mcz_cgroup_create(c->s, &cg->h, c->cfg.cgroups_root, c->cfg.id, mcz_cg_kind_names[k],
			      v2_controller, &cg->path, err);
	if (r < 0)
		return r;
	add_join(c, cg_file(c, k, backend(c, k)->join_file));
	return 0;
}

/* Undo create(): the cgroup, then the root's empty levels. A root still in use by other
 * containers stays, and `prepared` too, so that a later destroy tries again. */
static int remove_cgroup(struct mcz_container *c, enum mcz_cg_kind k, struct mcz_error *err)
{
	struct mcz_cgroup *cg = &c->cgroups[k];
	int r;

	if (cg->shared) { /* the kind that made it removes it, and the root's levels */
		free(cg->path);
		cg->path = NULL;
		cg->shared = cg->prepared = false;
		return 0;
	}
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
		r = backend(c, MCZ_CG_CPU)->set_cpu(c, err);
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
	.usage = cpu_usage,
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
		r = backend(c, MCZ_CG_MEMORY)->set_mem(c, err);
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
	int r = backend(c, MCZ_CG_MEMORY)->max_usage(c, &used, err);

	if (r >= 0)
		r = read_file(c, MCZ_CG_MEMORY, "memory.stat", stat, STAT_MAX, err);
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
	r = backend(c, MCZ_CG_MEMORY)->oom_kills(c, &kills, err);
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
	.usage = mem_usage,
};
