/*
 * fuzz_proc_cgroup — /proc/self/cgroup ("N:controllers:/path" lines) as mcz_hierarchy_find
 * (core/cgroups.c) reads it through sys_proc_read (the input is the file; mountinfo is a
 * hybrid host's whose cpu hierarchy has root "/ns", so the cgroup-namespace strip runs).
 */
#include "fuzz/fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_world w;
	static bool init;

	if (!init) {
		fz_world_init(&w);
		init = true;
	}
	fz_serve_clear(&w);
	fz_serve_file(&w, "/proc/self/mountinfo", fz_mountinfo, sizeof(fz_mountinfo) - 1);
	fz_serve_file(&w, "/proc/self/cgroup", (const char *)data, size);
	fz_serve_file(&w, "*/cgroup.controllers", fz_controllers, sizeof(fz_controllers) - 1);
	fz_serve_file(&w, "*/cgroup.subtree_control", fz_controllers, sizeof(fz_controllers) - 1);
	fz_find_all(&w, "/sys/fs/cgroup", FZ_N_CONTROLLERS);
	return 0;
}
