/*
 * fuzz_resources — the --resources syntax "cpus:0.5;mem:64" (core/resources.c). A text that
 * parses must format back (mcz_resources_format, what config.json and `mcz usage` show) to a
 * text that parses to the same values.
 */
#include "core/frontend/mesos/resources.h"
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_strdup(data, size);
	struct mcz_resources r, back;
	struct mcz_error err = MCZ_ERROR_INIT;

	if (mcz_resources_parse(text, &r, &err) >= 0) {
		char *s = mcz_resources_format(&r);
		struct mcz_error e2 = MCZ_ERROR_INIT;

		if (mcz_resources_parse(s, &back, &e2) < 0 || back.has_cpus != r.has_cpus ||
		    back.has_mem != r.has_mem || (r.has_cpus && back.cpus != r.cpus) ||
		    (r.has_mem && back.mem_mb != r.mem_mb)) {
			fprintf(stderr, "round trip: '%s' -> '%s': %s\n", text, s,
				e2.msg ? e2.msg : "values differ");
			abort();
		}
		mcz_error_done(&e2);
		free(s);
	} else if (!err.msg) {
		abort();
	}
	mcz_error_done(&err);
	free(text);
	return 0;
}
