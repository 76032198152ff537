/*
 * container_info.h — the Mesos ContainerInfo JSON (SPEC §4) and the --volume shorthand.
 *
 * Parsing is strict: type must be "MESOS"; unknown fields, wrong types, duplicate keys and
 * malformed JSON are errors that quote the offending field and its line and column, e.g.
 *   container_info: unknown field 'volumes[0].hostpath' at line 3, column 7
 * (the exact wording of each message is pinned by scenarios/container_info.c).
 */
#ifndef MCZ_CORE_CONTAINER_INFO_H
#define MCZ_CORE_CONTAINER_INFO_H

#include <stddef.h>

#include "core/base/error.h"
#include "core/spec/spec.h"


struct mcz_container_info {
	struct mcz_volume *volumes;
	size_t n_volumes;
};

/* Parse JSON text. `what` names the source in messages ("container_info",
 * "default_container_info"). On failure *ret is untouched. */
int mcz_container_info_parse(const char *json, const char *what, struct mcz_container_info *ret,
			     struct mcz_error *err);

/* Parse a --volume=HOST:CONTAINER[:rw|ro] value and append it to ci. */
int mcz_container_info_add_volume_flag(struct mcz_container_info *ci, const char *spec,
				       struct mcz_error *err);

/* Free the contents; accepts a zeroed or half-built struct. */
void mcz_container_info_done(struct mcz_container_info *ci);

#endif
