/* json.c — see json.h. */
#include <stdlib.h>

#include "lib/json.h"
#include "lib/util.h"

char *mcz_json_dump(json_t *o, size_t flags, bool newline)
{
	char *text = json_dumps(o, flags);
	char *out;

	json_decref(o);
	if (!text)
		abort();
	if (!newline)
		return text;
	out = mcz_xasprintf("%s\n", text);
	free(text);
	return out;
}
