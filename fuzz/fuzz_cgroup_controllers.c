/*
 * fuzz_cgroup_controllers — a cgroup v2 list file as mcz reads it through sys_cg_read: the
 * unified root's cgroup.controllers (mcz_hierarchy_find: does v2 serve this controller?) and
 * cgroup.subtree_control (mcz_cgroup_delegated). Input: cgroup.controllers, then optionally
 * a NUL and cgroup.subtree_control (else the same text). The host is v2 only.
 */
#include "fuzz/fuzz_world.h"

static const char mountinfo_v2[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";
static const char cgroup_v2[] = "0::/process_api/abc\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_world w;
	static bool init;
	const uint8_t *rest;
	size_t rest_size, n = fz_cut(data, size, &rest, &rest_size);

	if (!init) {
		fz_world_init(&w);
		init = true;
	}
	if (!rest) {
		rest = data;
		rest_size = size;
	}
	fz_serve_clear(&w);
	fz_serve_file(&w, "/proc/self/mountinfo", mountinfo_v2, sizeof(mountinfo_v2) - 1);
	fz_serve_file(&w, "/proc/self/cgroup", cgroup_v2, sizeof(cgroup_v2) - 1);
	fz_serve_file(&w, "*/cgroup.controllers", (const char *)data, n);
	fz_serve_file(&w, "*/cgroup.subtree_control", (const char *)rest, rest_size);
	fz_find_all(&w, "/sys/fs/cgroup", FZ_N_CONTROLLERS);
	return 0;
}
