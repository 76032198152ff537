/*
 * fuzz_cgroup_procs — a freezer cgroup's cgroup.procs (one pid a line) as `mcz usage` reads
 * it for a linux-launcher container (core/inspect.c: the buffer grows until the list fits,
 * then the posix sums over those pids) and as recover's liveness check reads it
 * (mcz_container_check_alive, core/recover.c), through sys_cg_read over the fake.
 * Input: cgroup.procs.
 */
#include "core/recover/recover.h"
#include "fuzz/fuzz_world.h"

#define FZ_CONFIG_LINUX                                                                       \
	"{\"container_id\":\"l1\",\"isolation\":[\"posix/cpu\",\"posix/mem\"],"              \
	"\"launcher\":\"linux\",\"sandbox\":\"/var/lib/mcz/sandboxes/l1\","                \
	"\"resources\":{\"cpus\":1,\"mem\":32},"                                             \
	"\"cgroups\":{\"freezer\":\"/sys/fs/cgroup/freezer/mcz/l1\"},"                       \
	"\"cgroup_hierarchies\":{\"freezer\":{\"mount\":\"/sys/fs/cgroup/freezer\",\"own\":\"/\"}}," \
	"\"cgroups_root\":\"mcz\",\"pid_namespace\":true}"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a fresh world and entry per input: the liveness check may mark pid 1 reaped */
	struct fz_world w;
	struct mcz_container *c;
	struct mcz_error err = MCZ_ERROR_INIT;
	bool alive;

	fz_world_init(&w);
	c = fz_load_entry(&w, "l1", FZ_CONFIG_LINUX, strlen(FZ_CONFIG_LINUX));
	if (!c)
		abort();
	fz_serve_file(&w, "*/cgroup.procs", (const char *)data, size);
	fz_usage(c);
	(void)mcz_container_check_alive(c, &alive, &err);
	mcz_error_done(&err);
	mcz_container_free(c);
	fz_world_done(&w);
	return 0;
}
