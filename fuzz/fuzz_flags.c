/*
 * fuzz_flags — the command line and the MCZ_* environment (core/flags.c), then what the
 * binary parses out of the flag values: the container id check, --resources, each --volume
 * (the HOST:CONTAINER[:rw|ro] shorthand) and an inline --container_info JSON.
 *
 * Input: arguments separated by NUL or newline; the ones before a segment "-ENV-" are argv
 * (argv[0] "mcz" added), the ones after it are the environment ("NAME=value").
 */
#include "core/frontend/mesos/container_info.h"
#include "core/frontend/mesos/flags.h"
#include "core/spec/id.h"
#include "core/frontend/mesos/resources.h"
#include "fuzz/fuzz_common.h"

#define SEG_MAX 512

static void inline_json(const char *v, const char *what)
{
	struct mcz_container_info ci = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;

	/* @FILE and file:// read the host's filesystem: not here */
	if (!v || v[0] == '@' || strncmp(v, "file://", 7) == 0)
		return;
	if (mcz_container_info_parse(v, what, &ci, &err) >= 0)
		mcz_container_info_done(&ci);
	mcz_error_done(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_strdup(data, size);
	char *argv[SEG_MAX + 2], *envp[SEG_MAX + 1];
	int argc = 0, envc = 0;
	bool env = false;
	struct mcz_flags f = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	char *p = text, *end = text + size;

	argv[argc++] = (char *)"mcz";
	while (p <= end && argc + envc < SEG_MAX) {
		char *q = p;

		while (q < end && *q != '\0' && *q != '\n')
			q++;
		*q = '\0';
		if (!env && strcmp(p, "-ENV-") == 0)
			env = true;
		else if (env)
			envp[envc++] = p;
		else
			argv[argc++] = p;
		p = q + 1;
	}
	argv[argc] = NULL;
	envp[envc] = NULL;

	if (mcz_flags_parse(&f, argc, argv, env ? envp : NULL, &err) >= 0) {
		struct mcz_container_info ci = { 0 };
		struct mcz_resources res;

		if (f.container_id) {
			struct mcz_error e = MCZ_ERROR_INIT;

			(void)mcz_container_id_valid(f.container_id);
			(void)mcz_container_id_check(f.container_id, &e);
			mcz_error_done(&e);
		}
		if (f.resources) {
			struct mcz_error e = MCZ_ERROR_INIT;

			(void)mcz_resources_parse(f.resources, &res, &e);
			mcz_error_done(&e);
		}
		for (size_t i = 0; i < f.volumes.n; i++) {
			struct mcz_error e = MCZ_ERROR_INIT;

			(void)mcz_container_info_add_volume_flag(&ci, f.volumes.v[i], &e);
			mcz_error_done(&e);
		}
		mcz_container_info_done(&ci);
		inline_json(f.container_info, "container_info");
		inline_json(f.default_container_info, "default_container_info");
	}
	mcz_flags_done(&f);
	mcz_error_done(&err);
	free(text);
	return 0;
}
