/*
 * fuzz_memory_stat — memory.stat and the memory limit file as `mcz usage` reads them (the
 * cgroups/mem isolator's usage hook, core/isolator_cgroups.c, through sys_cg_read), for a v1
 * and a v2 container loaded from their runtime entries in the fake. Input: byte 0 picks v1
 * (even) or v2 (odd); then memory.stat, optionally a NUL and the limit file's content
 * (memory.limit_in_bytes / memory.max; "max" when absent).
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
	fz_serve_clear(&w);
	fz_serve_file(&w, "*/memory.stat", (const char *)data + 1, n);
	if (rest)
		fz_serve_file(&w, "*/memory.*", (const char *)rest, rest_size);
	else
		fz_serve_file(&w, "*/memory.*", "max\n", 4);
	fz_serve_file(&w, "*/cpu*", "", 0);
	fz_usage(data[0] & 1 ? v2 : v1);
	return 0;
}
