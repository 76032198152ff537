/*
 * fuzz_config_json — a runtime entry's config.json as `mcz usage`, `mcz update`, `mcz wait`
 * and `mcz recover` load it (mcz_container_load, core/inspect.c), read through the sys layer
 * out of the fake (the input is the file's content; state RUNNING, pid 1001). A config that
 * loads is then used as those commands use it: usage (each isolator's usage hook, the posix
 * sums, the freezer's cgroup.procs) and recover's liveness check, all over the fake, where
 * the cgroup paths the input names do not exist.
 */
#include "core/recover/recover.h"
#include "fuzz/fuzz_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_world w;
	struct mcz_container *c;

	fz_world_init(&w);
	c = fz_load_entry(&w, "c1", (const char *)data, size);
	if (c) {
		struct mcz_error err = MCZ_ERROR_INIT;
		bool alive;

		fz_usage(c);
		(void)mcz_container_check_alive(c, &alive, &err);
		mcz_error_done(&err);
		mcz_container_free(c);
	}
	fz_world_done(&w);
	return 0;
}
