/*
 * volume.h — the filesystem/shared isolator's host side (SPEC §5).
 *
 * mcz_volumes_check() validates every volume in SPEC §5 order without changing anything;
 * mcz_shared_prepare() then creates the relative host paths under the sandbox, copies the
 * host container path's mode/uid/gid onto them, and returns the mount plan. On failure it
 * removes what it created and restores what it changed, and returns an error naming the
 * volume, the op and the path.
 */
#ifndef MCZ_CORE_VOLUME_H
#define MCZ_CORE_VOLUME_H

#include "core/spec/spec.h"
#include "core/base/error.h"
#include "core/plan/plan.h"
#include "sys/sys.h"

/* Validate (SPEC §5 checks 1–5, volume by volume, in order) and normalize container paths in
 * place. Only reads (opens O_PATH, without following a symlink, and closes again): a
 * container path or an absolute host path with a symlink on it is refused. sandbox must be
 * absolute. */
int mcz_volumes_check(struct sys *s, const char *sandbox, struct mcz_volume *vols, size_t n,
		      struct mcz_error *err);

/* Check, create and plan. On success *ret_plan holds the steps (make / rslave, then for each
 * volume a bind and, for RO, a remount). On failure *ret_plan is untouched and nothing that
 * prepare created or changed remains. */
int mcz_shared_prepare(struct sys *s, const char *sandbox, struct mcz_volume *vols, size_t n,
		       struct mcz_mount_plan *ret_plan, struct mcz_error *err);

#endif
