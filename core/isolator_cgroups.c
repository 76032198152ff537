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

#include "core/isolator.h"
#include "core/runtime.h"
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

/* ---- usage (Mesos's CgroupsCpushareIsolator / CgroupsMemIsolator usage()) ---- */

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

/* The cgroup that counts cpu time: cpuacct's own, or cpu's when they are co-mounted. */
static enum mcz_cg_kind acct_kind(const struct mcz_container *c)
{
	return c->cgroups[MCZ_CG_CPUACCT].path ? MCZ_CG_CPUACCT : MCZ_CG_CPU;
}

static int no_cgroup(const struct mcz_container *c, const char *what, struct mcz_error *err)
{
	return mcz_error_fmt(err, -ENOENT, "no %s cgroup recorded for container '%s'", what, c->cfg.id);
}

/* cpuacct.stat counts in USER_HZ ticks, which sysconf(_SC_CLK_TCK) reports. */
static int cpu_usage(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err)
{
	char acct[VALUE_MAX], stat[VALUE_MAX];
	double hz = (double)sysconf(_SC_CLK_TCK);
	uint64_t user = 0, system = 0, periods = 0, throttled = 0, ns = 0;
	int r;

	if (!c->cgroups[MCZ_CG_CPU].path || !c->cgroups[acct_kind(c)].path)
		return no_cgroup(c, "cpu", err);
	r = read_file(c, acct_kind(c), "cpuacct.stat", acct, sizeof(acct), err);
	if (r >= 0)
		r = read_file(c, MCZ_CG_CPU, "cpu.stat", stat, sizeof(stat), err);
	if (r < 0)
		return r;
	ret->has_cpu = keyed_find(acct, "user", &user) && keyed_find(acct, "system", &system);
	ret->cpus_user_time_secs = (double)user / (hz > 0 ? hz : 100);
	ret->cpus_system_time_secs = (double)system / (hz > 0 ? hz : 100);
	ret->has_cpus_nr_periods = keyed_find(stat, "nr_periods", &periods);
	ret->cpus_nr_periods = (uint32_t)(periods > UINT32_MAX ? UINT32_MAX : periods);
	ret->has_cpus_nr_throttled = keyed_find(stat, "nr_throttled", &throttled);
	ret->cpus_nr_throttled = (uint32_t)(throttled > UINT32_MAX ? UINT32_MAX : throttled);
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

static int mem_usage(struct mcz_container *c, struct mcz_usage *ret, struct mcz_error *err)
{
	_cleanup_free_ char *stat = NULL;
	char limit[VALUE_MAX];
	int r;

	if (!c->cgroups[MCZ_CG_MEMORY].path)
		return no_cgroup(c, "memory", err);
	stat = mcz_xmalloc(STAT_MAX);
	r = read_file(c, MCZ_CG_MEMORY, v1.stat_file, stat, STAT_MAX, err);
	if (r >= 0)
		r = read_file(c, MCZ_CG_MEMORY, "memory.limit_in_bytes", limit, sizeof(limit), err);
	if (r < 0)
		return r;
	ret->has_rss = stat_value(stat, "rss", &ret->mem_rss_bytes);
	ret->has_mem_anon = ret->has_rss; /* Mesos: anon is the rss of the cgroup */
	ret->mem_anon_bytes = ret->mem_rss_bytes;
	ret->has_mem_file = stat_value(stat, "cache", &ret->mem_file_bytes);
	ret->has_mem_mapped_file = stat_value(stat, "mapped_file", &ret->mem_mapped_file_bytes);
	ret->has_mem_limit = true;
	ret->mem_limit_bytes = strtoull(limit, NULL, 10);
	return 0;
}

/* ---- update (Mesos's update()): every write undone on failure ---- */

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
static int set_value(struct mcz_container *c, struct undo *u, enum mcz_cg_kind k, const char *name,
		     uint64_t v, struct mcz_error *err)
{
	char *old = u->old[u->n];
	int r = read_file(c, k, name, old, VALUE_MAX, err);

	if (r < 0)
		return r;
	old[strcspn(old, "\n")] = '\0';
	u->path[u->n++] = cg_file(c, k, name);
	return write_u64(c, k, name, v, err);
}

static int update_cpu(struct mcz_container *c, struct undo *u, double cpus, struct mcz_error *err)
{
	int r = set_value(c, u, MCZ_CG_CPU, "cpu.shares", cpu_shares(cpus), err);

	if (r >= 0 && c->cfg.cgroups_enable_cfs)
		r = set_value(c, u, MCZ_CG_CPU, "cpu.cfs_quota_us", cfs_quota_us(cpus), err);
	return r;
}

/* SPEC §7: the soft limit always; the hard limit only up (lowering it could OOM-kill what
 * already uses the memory), memsw first since it must stay >= the memory limit. */
static int update_mem(struct mcz_container *c, struct undo *u, uint64_t limit, struct mcz_error *err)
{
	char cur[VALUE_MAX];
	int r = set_value(c, u, MCZ_CG_MEMORY, "memory.soft_limit_in_bytes", limit, err);

	if (r >= 0)
		r = read_file(c, MCZ_CG_MEMORY, "memory.limit_in_bytes", cur, sizeof(cur), err);
	if (r < 0 || limit <= strtoull(cur, NULL, 10))
		return r;
	if (c->cfg.cgroups_limit_swap)
		r = set_value(c, u, MCZ_CG_MEMORY, "memory.memsw.limit_in_bytes", limit, err);
	if (r >= 0)
		r = set_value(c, u, MCZ_CG_MEMORY, "memory.limit_in_bytes", limit, err);
	return r;
}

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
		r = update_cpu(c, &u, req->cpus, err);
	if (r >= 0 && req->has_mem)
		r = update_mem(c, &u, req->mem_mb * MB < MIN_MEMORY ? MIN_MEMORY : req->mem_mb * MB, err);
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
	.usage = mem_usage,
};
