/*
 * fuzz_termination — termination.json as `mcz wait` and `mcz destroy` read it back
 * (mcz_termination_parse, core/inspect.c), read out of the runtime entry through the sys
 * layer (mcz_entry_read over the fake, the input as the file's content).
 */
#include "core/state/load.h"
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_world w;
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_termination t;
	char *text = NULL;

	fz_world_init(&w);
	fz_put_file(&w, "/run/mcz/containers/c1", "termination.json", (const char *)data, size);
	if (mcz_entry_read(&w.sys, "/run/mcz", "c1", "termination.json", &text, &err) >= 0) {
		if (mcz_termination_parse(text, "/run/mcz/containers/c1/termination.json", &t,
					  &err) >= 0) {
			free(t.reason);
			free(t.message);
		}
		free(text);
	}
	mcz_error_done(&err);
	fz_world_done(&w);
	return 0;
}
