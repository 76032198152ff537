/*
 * fuzz_world.h — the host the cgroup and /proc targets run on: a hybrid cgroup host in the
 * fake (v1 freezer, cpu,cpuacct and memory, a cgroup2 unified mount), and loaded runtime
 * entries whose cgroup files the shim serves.
 */
#ifndef MCZ_FUZZ_WORLD_H
#define MCZ_FUZZ_WORLD_H

#include "core/cgroups/hierarchy.h"
#include "core/state/load.h"
#include "fuzz/fuzz_common.h"

/* The mountinfo and /proc/self/cgroup of a hybrid host, as the fake writes them, with the
 * cpu hierarchy seen through a cgroup namespace (root "/ns"). */
static const char fz_mountinfo[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	"30 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
	"31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
	"32 30 0:28 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,freezer\n"
	"33 30 0:29 /ns /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct\n"
	"34 30 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory\n"
	"35 22 0:31 / /mnt/with\\040space rw - cgroup cgroup rw,pids\n";
static const char fz_proc_cgroup[] =
	"12:pids:/\n"
	"4:memory:/process_api/abc\n"
	"3:cpu,cpuacct:/ns/agent\n"
	"2:freezer:/process_api/abc\n"
	"0::/process_api/abc\n";
static const char fz_controllers[] = "cpuset cpu io memory hugetlb pids rdma misc\n";

static const char *const fz_controller_names[] = { "freezer", "cpu", "cpuacct", "memory",
						   "pids", "io" };
#define FZ_N_CONTROLLERS (sizeof(fz_controller_names) / sizeof(fz_controller_names[0]))

/* The first n controllers under `under`: mcz_hierarchy_find, then the paths mcz makes from it and
 * (v2) the delegation check that reads cgroup.subtree_control. */
static inline void fz_find_all(struct fz_world *w, const char *under, size_t n)
{
	for (size_t i = 0; i < n && i < FZ_N_CONTROLLERS; i++) {
		struct mcz_hierarchy h = { 0 };
		struct mcz_error err = MCZ_ERROR_INIT;

		if (mcz_hierarchy_find(&w->sys, under, fz_controller_names[i], &h, &err) >= 0) {
			char *a = mcz_cgroup_path(&h, "mcz", "c1");
			char *b = mcz_cgroup_root_path(&h, "/abs/root");

			free(a);
			free(b);
			if (h.v2) {
				struct mcz_error e2 = MCZ_ERROR_INIT;

				(void)mcz_cgroup_delegated(&w->sys, &h, "mcz", fz_controller_names[i],
							   &e2);
				mcz_error_done(&e2);
			}
			mcz_hierarchy_done(&h);
		}
		mcz_error_done(&err);
	}
}

/* A runtime entry /run/mcz/containers/<id> with this config.json, state RUNNING, pid 1001,
 * loaded back as `mcz usage` does. NULL when it does not load. */
static inline struct mcz_container *fz_load_entry(struct fz_world *w, const char *id,
						  const char *config, size_t len)
{
	char dir[256];
	struct mcz_container *c = NULL;
	struct mcz_error err = MCZ_ERROR_INIT;

	snprintf(dir, sizeof(dir), "/run/mcz/containers/%s", id);
	fz_put_file(w, dir, "config.json", config, len);
	fz_put_file(w, dir, "pid", "1001\n", 5);
	snprintf(dir, sizeof(dir), "/run/mcz/containers/%s/state", id);
	if (fake_add_symlink(w->f, dir, "RUNNING") < 0)
		abort();
	if (mcz_container_load(&w->sys, "/run/mcz", id, &c, &err) < 0)
		c = NULL;
	mcz_error_done(&err);
	return c;
}

static inline void fz_usage(struct mcz_container *c)
{
	struct mcz_usage u;
	struct mcz_error err = MCZ_ERROR_INIT;

	if (mcz_container_usage(c, &u, &err) >= 0)
		free(mcz_usage_json(&u));
	mcz_error_done(&err);
}

/* The entries of the cgroup targets: the cgroups isolators on v1 (cpu and cpuacct co-mounted)
 * or v2, over the posix launcher. */
#define FZ_CONFIG_V1                                                                          \
	"{\"container_id\":\"v1\",\"isolation\":[\"cgroups/cpu\",\"cgroups/mem\"],"          \
	"\"launcher\":\"posix\",\"sandbox\":\"/var/lib/mcz/sandboxes/v1\","                \
	"\"resources\":{\"cpus\":0.5,\"mem\":64},"                                           \
	"\"cgroups\":{\"cpu\":\"/sys/fs/cgroup/cpu,cpuacct/mcz/v1\","                        \
	"\"cpuacct\":\"/sys/fs/cgroup/cpu,cpuacct/mcz/v1\","                                 \
	"\"memory\":\"/sys/fs/cgroup/memory/mcz/v1\"},\"cgroups_root\":\"mcz\","             \
	"\"cgroups_enable_cfs\":true,\"cgroups_limit_swap\":false,\"pid_namespace\":false}"
#define FZ_CONFIG_V2                                                                          \
	"{\"container_id\":\"v2\",\"isolation\":[\"cgroups/cpu\",\"cgroups/mem\"],"          \
	"\"launcher\":\"posix\",\"sandbox\":\"/var/lib/mcz/sandboxes/v2\","                \
	"\"resources\":{\"cpus\":2,\"mem\":128},"                                            \
	"\"cgroups\":{\"cpu\":\"/sys/fs/cgroup/mcz/v2\",\"memory\":\"/sys/fs/cgroup/mcz/v2\"}," \
	"\"cgroups_v2\":[\"cpu\",\"memory\"],\"cgroups_root\":\"mcz\","                      \
	"\"cgroups_enable_cfs\":true,\"cgroups_limit_swap\":false,\"pid_namespace\":false}"

/* Both entries, loaded once per process (the targets only read them). */
static inline void fz_cgroup_entries(struct fz_world *w, struct mcz_container **v1,
				     struct mcz_container **v2)
{
	fz_world_init(w);
	*v1 = fz_load_entry(w, "v1", FZ_CONFIG_V1, strlen(FZ_CONFIG_V1));
	*v2 = fz_load_entry(w, "v2", FZ_CONFIG_V2, strlen(FZ_CONFIG_V2));
	if (!*v1 || !*v2)
		abort();
}

#endif
