/*
 * id.h — the container id rule, shared by the front ends and the state loaders.
 */
#ifndef MCZ_CORE_SPEC_ID_H
#define MCZ_CORE_SPEC_ID_H

#include <stdbool.h>

#include "core/base/error.h"

/* SPEC §1: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}. Messages:
 *   container id '': must not be empty
 *   container id 'xxx…': must be at most 64 characters
 *   container id '.x': must start with a letter or a digit
 *   container id 'a/b': character '/' is not allowed (only letters, digits, '_', '.', '-')
 * Non-printable characters are shown as \xNN. */
bool mcz_container_id_valid(const char *id);
int mcz_container_id_check(const char *id, struct mcz_error *err);

#endif
