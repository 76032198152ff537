/* json.h — the one place mcz turns a jansson object into text. */
#ifndef MCZ_CORE_JSON_H
#define MCZ_CORE_JSON_H

#include <jansson.h>
#include <stdbool.h>

/* Dump o (jansson flags) and release it; with newline, "\n" ends the text. Aborts on
 * allocation failure, the only way json_dumps fails (util.h: OOM is fatal). Caller frees. */
char *mcz_json_dump(json_t *o, size_t flags, bool newline);

#endif
