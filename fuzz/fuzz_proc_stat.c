/*
 * fuzz_proc_stat — /proc/PID/stat: the pure parser mcz_proc_stat_parse (core/usage.c, which
 * usage and recover use), then the posix usage collector reading it through sys_proc_read
 * into its fixed-size buffer (mcz_usage_posix_pids and mcz_usage_posix over the fake, every
 * /proc/N/stat answered with the input) and the JSON it prints.
 */
#include "core/container/usage.h"
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_world w;
	static bool init;
	char *text = fz_strdup(data, size);
	struct mcz_proc_stat st;
	const pid_t pids[] = { 1000, 1001, 4194304 };
	struct mcz_usage u = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;

	if (!init) {
		fz_world_init(&w);
		init = true;
	}
	(void)mcz_proc_stat_parse(text, &st);
	free(text);

	fz_serve_clear(&w);
	fz_serve_file(&w, "/proc/*/stat", (const char *)data, size);
	if (mcz_usage_posix_pids(&w.sys, pids, 3, &u, &err) >= 0)
		free(mcz_usage_json(&u));
	mcz_error_done(&err);
	u = (struct mcz_usage){ 0 };
	if (mcz_usage_posix(&w.sys, 1000, 1000, &u, &err) >= 0)
		free(mcz_usage_json(&u));
	mcz_error_done(&err);
	return 0;
}
