/*
 * fuzz_mountinfo — /proc/self/mountinfo as mcz_hierarchy_find (core/cgroups.c) reads it
 * through sys_proc_read (the input is the file; /proc/self/cgroup and cgroup.controllers are
 * a hybrid host's), for every controller mcz looks for, under /sys/fs/cgroup and under "/".
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
	fz_serve_file(&w, "/proc/self/mountinfo", (const char *)data, size);
	fz_serve_file(&w, "/proc/self/cgroup", fz_proc_cgroup, sizeof(fz_proc_cgroup) - 1);
	fz_serve_file(&w, "*/cgroup.controllers", fz_controllers, sizeof(fz_controllers) - 1);
	fz_serve_file(&w, "*/cgroup.subtree_control", fz_controllers, sizeof(fz_controllers) - 1);
	fz_find_all(&w, "/sys/fs/cgroup", FZ_N_CONTROLLERS);
	fz_find_all(&w, "/", 1); /* each lookup reads two 256 KB buffers: keep them few */
	return 0;
}
