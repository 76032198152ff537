/*
 * fuzz_cpu_stat — cpu.stat (v1: nr_periods, nr_throttled, throttled_time; v2: usage_usec,
 * user_usec, system_usec and the throttling figures) and v1's cpuacct.stat as `mcz usage`
 * reads them (the cgroups/cpu isolator's usage hook, core/isolator_cgroups.c, through
 * sys_cg_read), for a v1 and a v2 container loaded from their runtime entries in the fake.
 * Input: byte 0 picks v1 (even) or v2 (odd); then cpu.stat, optionally a NUL and
 * cpuacct.stat (else the same text).
 */
#include "fuzz/fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_world w;
	static struct mcz_container *v1, *v2;
	const uint8_t *rest;
	size_t rest_size, n;

	if (!v1)
		fz_cgroup_entries(&w, &v1, &v2);
	if (size < 1)
		return 0;
	n = fz_cut(data + 1, size - 1, &rest, &rest_size);
	if (!rest) {
		rest = data + 1;
		rest_size = n;
	}
	fz_serve_clear(&w);
	fz_serve_file(&w, "*/cpu.stat", (const char *)data + 1, n);
	fz_serve_file(&w, "*/cpuacct.stat", (const char *)rest, rest_size);
	fz_serve_file(&w, "*/memory.*", "", 0);
	fz_usage(data[0] & 1 ? v2 : v1);
	return 0;
}
