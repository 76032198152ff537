/*
 * usage.c — ResourceStatistics JSON and the posix usage collector (/proc/<pid>/stat sums).
 *
 * Membership follows the posix launcher's kill rule (core/launchers.c): pid 1 of the
 * container, every descendant by ppid (iterated until nothing new joins, so grandchildren
 * whose parent is listed later still count), and every process of the container's session
 * (daemons that re-parented to init but stayed in the session). Mesos's os::pstree() counts
 * only the tree; the session is mcz's addition, as for kill.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/json.h"
#include "core/container/usage.h"
#include "lib/util.h"

#define STAT_BUF 4096
#define LIST_START 1024
#define LIST_MAX (1u << 22) /* pid_max can be at most 4194304 (PID_MAX_LIMIT) */

/* A stat read for membership: its pid and its fields. */
struct pstat {
	pid_t pid;
	struct mcz_proc_stat f;
};

/* Sums in kernel units. */
struct psum {
	unsigned long long utime, stime, rss;
	unsigned long long processes, threads;
};

double mcz_usage_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- JSON ---- */

static void put_real(json_t *o, const char *name, bool has, double v)
{
	if (has)
		json_object_set_new(o, name, json_real(v));
}

static void put_uint(json_t *o, const char *name, bool has, uint64_t v)
{
	if (has)
		json_object_set_new(o, name, json_integer(v > LLONG_MAX ? LLONG_MAX : (json_int_t)v));
}

char *mcz_usage_json(const struct mcz_usage *u)
{
	json_t *o = json_object();

	put_real(o, "timestamp", true, u->timestamp);
	put_real(o, "cpus_user_time_secs", u->has_cpu, u->cpus_user_time_secs);
	put_real(o, "cpus_system_time_secs", u->has_cpu, u->cpus_system_time_secs);
	put_real(o, "cpus_limit", u->has_cpus_limit, u->cpus_limit);
	put_uint(o, "cpus_nr_periods", u->has_cpus_nr_periods, u->cpus_nr_periods);
	put_uint(o, "cpus_nr_throttled", u->has_cpus_nr_throttled, u->cpus_nr_throttled);
	put_real(o, "cpus_throttled_time_secs", u->has_cpus_throttled_time_secs,
		 u->cpus_throttled_time_secs);
	put_uint(o, "mem_rss_bytes", u->has_rss, u->mem_rss_bytes);
	put_uint(o, "mem_limit_bytes", u->has_mem_limit, u->mem_limit_bytes);
	put_uint(o, "mem_file_bytes", u->has_mem_file, u->mem_file_bytes);
	put_uint(o, "mem_anon_bytes", u->has_mem_anon, u->mem_anon_bytes);
	put_uint(o, "mem_mapped_file_bytes", u->has_mem_mapped_file, u->mem_mapped_file_bytes);
	put_uint(o, "processes", u->has_processes, u->processes);
	put_uint(o, "threads", u->has_threads, u->threads);
	return mcz_json_dump(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15), false);
}

/* ---- /proc/<pid>/stat ---- */

/* Field k (3 = state, as proc_pid_stat(5) numbers them) of the text after the last ')'. */
static const char *field(const char *after_comm, int k)
{
	const char *p = after_comm;

	for (int i = 3; i <= k; i++) {
		p += strspn(p, " ");
		if (!*p || *p == '\n')
			return NULL;
		if (i < k)
			p += strcspn(p, " \n");
	}
	return p;
}

static bool field_ull(const char *after_comm, int k, unsigned long long *ret)
{
	const char *p = field(after_comm, k);
	char *end;

	if (!p || *p < '0' || *p > '9')
		return false;
	errno = 0;
	*ret = strtoull(p, &end, 10);
	return errno == 0 && (*end == ' ' || *end == '\n' || !*end);
}

static bool field_pid(const char *after_comm, int k, pid_t *ret)
{
	unsigned long long v;

	if (!field_ull(after_comm, k, &v) || v > INT_MAX)
		return false;
	*ret = (pid_t)v;
	return true;
}

bool mcz_proc_stat_parse(const char *text, struct mcz_proc_stat *ret)
{
	const char *p = strrchr(text, ')');
	const char *st;
	unsigned long long threads;

	if (!p || !(st = field(p + 1, 3)))
		return false;
	ret->state = *st;
	if (!field_pid(p + 1, 4, &ret->ppid) || !field_pid(p + 1, 6, &ret->session))
		return false;
	if (!field_ull(p + 1, 14, &ret->utime) || !field_ull(p + 1, 15, &ret->stime))
		return false;
	if (!field_ull(p + 1, 20, &threads) || threads > LONG_MAX)
		return false;
	ret->threads = (long)threads;
	return field_ull(p + 1, 24, &ret->rss);
}

/* 1 read, 0 vanished (ENOENT, ESRCH: it exited between the listing and the read),
 * or -errno with err. */
static int read_stat(struct sys *s, pid_t pid, struct pstat *ret, struct mcz_error *err)
{
	char path[64], buf[STAT_BUF];
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = sys_proc_read(s, path, buf, sizeof(buf));
	if (n == -ENOENT || n == -ESRCH)
		return 0;
	if (n < 0)
		return mcz_error_sys_msg(err, n, SYS_OP_proc_read, path, "usage: read '%s': %s",
					 path, strerror(-n));
	if (!mcz_proc_stat_parse(buf, &ret->f))
		return mcz_error_fmt(err, -EIO, "usage: cannot parse '%s'", path);
	ret->pid = pid;
	return 1;
}

static void add(struct psum *sum, const struct mcz_proc_stat *p)
{
	sum->utime += p->utime;
	sum->stime += p->stime;
	if (p->state == 'Z')
		return;
	sum->rss += p->rss;
	sum->processes++;
	sum->threads += (unsigned long long)p->threads;
}

static long sysconf_once(int name, long *cache)
{
	if (*cache <= 0)
		*cache = sysconf(name);
	return *cache > 0 ? *cache : 1;
}

static uint32_t clamp32(unsigned long long v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void fill(struct mcz_usage *u, const struct psum *sum)
{
	static long clk_tck, page_size;
	double tck = (double)sysconf_once(_SC_CLK_TCK, &clk_tck);
	unsigned long long page = (unsigned long long)sysconf_once(_SC_PAGESIZE, &page_size);

	u->has_cpu = true;
	u->cpus_user_time_secs = (double)sum->utime / tck;
	u->cpus_system_time_secs = (double)sum->stime / tck;
	u->has_rss = true;
	u->mem_rss_bytes = sum->rss > UINT64_MAX / page ? UINT64_MAX : sum->rss * page;
	u->has_processes = true;
	u->processes = clamp32(sum->processes);
	u->has_threads = true;
	u->threads = clamp32(sum->threads);
}

int mcz_usage_posix_pids(struct sys *s, const pid_t *pids, size_t n, struct mcz_usage *ret,
			 struct mcz_error *err)
{
	struct psum sum = { 0 };

	for (size_t i = 0; i < n; i++) {
		struct pstat p;
		int r = read_stat(s, pids[i], &p, err);

		if (r < 0)
			return r;
		if (r > 0)
			add(&sum, &p.f);
	}
	fill(ret, &sum);
	return 0;
}

/* ---- the process tree and session ---- */

/* Every pid in /proc; the buffer grows until the listing is not cut short. */
static int list_pids(struct sys *s, pid_t **ret, size_t *ret_n, struct mcz_error *err)
{
	for (size_t max = LIST_START;; max *= 2) {
		_cleanup_free_ pid_t *pids = mcz_xcalloc(max, sizeof(*pids));
		int r = sys_proc_list(s, pids, max);

		if (r < 0)
			return mcz_error_sys_msg(err, r, SYS_OP_proc_list, NULL,
						 "usage: list processes: %s", strerror(-r));
		if ((size_t)r < max || max >= LIST_MAX) {
			*ret = TAKE_PTR(pids);
			*ret_n = (size_t)r;
			return 0;
		}
	}
}

static int pstat_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct pstat *)a)->pid, y = ((const struct pstat *)b)->pid;

	return (x > y) - (x < y);
}

/* Read the stat of every listed pid into st (sorted by pid); vanished ones are dropped. */
static int read_all(struct sys *s, const pid_t *pids, size_t n, struct pstat *st,
		    size_t *ret_n, struct mcz_error *err)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		int r = read_stat(s, pids[i], &st[m], err);

		if (r < 0)
			return r;
		m += (size_t)r;
	}
	qsort(st, m, sizeof(*st), pstat_cmp);
	*ret_n = m;
	return 0;
}

static bool is_member(const struct pstat *st, const bool *member, size_t n, pid_t pid)
{
	struct pstat key = { .pid = pid };
	const struct pstat *hit = bsearch(&key, st, n, sizeof(*st), pstat_cmp);

	return hit && member[hit - st];
}

/* Mark pid1, the session, and descendants by ppid until a pass adds nobody. */
static void mark_members(const struct pstat *st, size_t n, pid_t pid1, pid_t session,
			 bool *member)
{
	bool grew = true;

	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (member[i])
				continue;
			if (st[i].pid == pid1 || (session > 0 && st[i].f.session == session) ||
			    is_member(st, member, n, st[i].f.ppid))
				member[i] = grew = true;
		}
	}
}

int mcz_usage_posix(struct sys *s, pid_t pid1, pid_t session, struct mcz_usage *ret,
		    struct mcz_error *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ struct pstat *st = NULL;
	_cleanup_free_ bool *member = NULL;
	struct psum sum = { 0 };
	size_t n = 0, m = 0;
	int r = list_pids(s, &pids, &n, err);

	if (r < 0)
		return r;
	st = mcz_xcalloc(n ? n : 1, sizeof(*st));
	r = read_all(s, pids, n, st, &m, err);
	if (r < 0)
		return r;
	member = mcz_xcalloc(m ? m : 1, sizeof(*member));
	mark_members(st, m, pid1, session, member);
	for (size_t i = 0; i < m; i++)
		if (member[i])
			add(&sum, &st[i].f);
	fill(ret, &sum);
	return 0;
}
