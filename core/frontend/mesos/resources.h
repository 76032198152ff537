/*
 * resources.h — the Mesos resource syntax of --resources: "cpus:0.5;mem:64".
 *
 * Grammar: entries separated by ';', each "NAME[(ROLE)]:VALUE"; blanks (spaces, tabs) around
 * names, roles and values are tolerated. A "(role)" suffix (Mesos "cpus(*):0.5") is accepted
 * and ignored: mcz has no roles. Known names: cpus (a count, may be fractional) and mem (in
 * megabytes, a whole number). Both values must be > 0 and finite, cpus at most 1000000, and
 * mem * 1024 * 1024 must fit a uint64_t. Unknown names, duplicates, empty entries and a
 * missing ':' are errors. An empty (or all-blank) text is valid and sets nothing.
 */
#ifndef MCZ_CORE_RESOURCES_H
#define MCZ_CORE_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/base/error.h"
#include "core/spec/spec.h"


/* Parse text into *ret (zeroed first). 0, or -EINVAL with err filled:
 * "resources: ..." (see resources.c for every message). */
int mcz_resources_parse(const char *text, struct mcz_resources *ret, struct mcz_error *err);

/* "cpus:0.5;mem:64" (only what is set; "" when nothing is). cpus with %g-style shortest
 * form. Caller frees. */
char *mcz_resources_format(const struct mcz_resources *r);

#endif
