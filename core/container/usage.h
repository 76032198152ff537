/*
 * usage.h — ResourceStatistics (Mesos 0.22 include/mesos/mesos.proto, SPEC §7) and the posix
 * usage collector (the posix/cpu and posix/mem isolators, Mesos src/usage/usage.cpp).
 *
 * Every field but timestamp has a has_ flag: a field is printed only when known. Collectors
 * fill their own fields and leave the others of *ret as they were, so a caller can merge the
 * limits and the cgroup statistics with the /proc sums; start from a zeroed struct.
 */
#ifndef MCZ_CORE_USAGE_H
#define MCZ_CORE_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/error.h"
#include "sys/sys.h"

struct mcz_usage {
	double timestamp; /* wall clock, seconds since the epoch; always printed */

	bool has_cpu; /* cpus_user_time_secs and cpus_system_time_secs */
	double cpus_user_time_secs;
	double cpus_system_time_secs;
	bool has_cpus_limit;
	double cpus_limit;
	bool has_cpus_nr_periods; /* cgroups only: cpu.stat */
	uint32_t cpus_nr_periods;
	bool has_cpus_nr_throttled;
	uint32_t cpus_nr_throttled;
	bool has_cpus_throttled_time_secs;
	double cpus_throttled_time_secs;

	bool has_rss;
	uint64_t mem_rss_bytes;
	bool has_mem_limit;
	uint64_t mem_limit_bytes;
	bool has_mem_file; /* cgroups only: memory.stat */
	uint64_t mem_file_bytes;
	bool has_mem_anon;
	uint64_t mem_anon_bytes;
	bool has_mem_mapped_file;
	uint64_t mem_mapped_file_bytes;

	bool has_processes;
	uint32_t processes;
	bool has_threads;
	uint32_t threads;
};

/* The fields of /proc/<pid>/stat (proc_pid_stat(5)) that usage needs. */
struct mcz_proc_stat {
	char state;                        /* field 3: 'R', 'S', 'Z', ... */
	pid_t ppid, session;               /* fields 4, 6 */
	unsigned long long utime, stime;   /* fields 14, 15: clock ticks */
	long threads;                      /* field 20 */
	unsigned long long rss;            /* field 24: pages */
};

/* Parse the text of /proc/<pid>/stat, fields counted after the last ')' (comm may hold
 * spaces and parentheses). false when a needed field is missing, not a decimal number or
 * out of range. */
bool mcz_proc_stat_parse(const char *text, struct mcz_proc_stat *ret);

/* The wall clock for timestamp (CLOCK_REALTIME, seconds). Collectors never stamp: the
 * caller does, so that they stay deterministic over the fake. */
double mcz_usage_now(void);

/* One compact JSON object with the Mesos field names in SPEC §7 order: timestamp,
 * cpus_user_time_secs, cpus_system_time_secs, cpus_limit, cpus_nr_periods, cpus_nr_throttled,
 * cpus_throttled_time_secs, mem_rss_bytes, mem_limit_bytes, mem_file_bytes, mem_anon_bytes,
 * mem_mapped_file_bytes, processes, threads; unknown fields are omitted. Reals are printed
 * with 15 significant digits (0.07, not 0.070000000000000007). No trailing newline. Caller
 * frees. */
char *mcz_usage_json(const struct mcz_usage *u);

/* Sum /proc/<pid>/stat over the container's processes: pid1, its descendants (by ppid,
 * iterated to a fixed point) and every process of `session` (<= 0: none). Sets has_cpu
 * (utime, stime / sysconf(_SC_CLK_TCK)), has_rss (rss pages * sysconf(_SC_PAGESIZE)),
 * has_processes and has_threads (zombies add their cpu time but are not counted: they run
 * nothing and hold no memory). Both sysconf values are read once per process lifetime.
 * A process that vanishes between the listing and the read is skipped. 0 or -errno with
 * err: "usage: list processes: ...", "usage: read '/proc/N/stat': ...",
 * "usage: cannot parse '/proc/N/stat'". *ret is unchanged on error. */
int mcz_usage_posix(struct sys *s, pid_t pid1, pid_t session, struct mcz_usage *ret,
		    struct mcz_error *err);

/* The same sums over an explicit pid list (pids in the reader's pid namespace), e.g. a
 * freezer cgroup's cgroup.procs for a container with a pid namespace. */
int mcz_usage_posix_pids(struct sys *s, const pid_t *pids, size_t n, struct mcz_usage *ret,
			 struct mcz_error *err);

#endif
