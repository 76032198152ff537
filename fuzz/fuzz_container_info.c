/*
 * fuzz_container_info — the Mesos ContainerInfo JSON (core/container_info.c), as
 * --container_info and --default_container_info give it. Input: the JSON text.
 */
#include "core/frontend/mesos/container_info.h"
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_strdup(data, size);
	struct mcz_container_info ci = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;

	if (mcz_container_info_parse(text, "container_info", &ci, &err) >= 0) {
		/* a valid document is never reported as an error, and an error always says why */
		if (err.msg)
			abort();
		mcz_container_info_done(&ci);
	} else if (!err.msg) {
		abort();
	}
	mcz_error_done(&err);
	free(text);
	return 0;
}
