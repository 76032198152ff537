/*
 * path.h — the path rules of SPEC §11, for every layer.
 */
#ifndef MCZ_CORE_BASE_PATH_H
#define MCZ_CORE_BASE_PATH_H

#include <stdbool.h>

#include "core/base/error.h"
#include "sys/sys.h"

/* SPEC §11: no component of p (one leading '/' aside) is empty, "." or "..": so no "//"
 * and no trailing '/'. "" is not normal. */
bool mcz_path_is_normal(const char *p);
/* A path flag (--work_dir, --runtime_dir, --cgroups_hierarchy, --sandbox: absolute;
 * --cgroups_root: relative or absolute) is normal and not "/"; NULL passes. Message:
 *   flag '--cgroups_root': 'mcz/../x' must be a normal path (no '.', '..' or empty
 *   components, no trailing '/') other than '/'  */
int mcz_path_flag_check(const char *flag, const char *value, bool absolute, struct mcz_error *err);


/* Open an absolute path O_PATH|O_CLOEXEC without following any symlink on it, the last
 * component included: openat2(RESOLVE_NO_SYMLINKS), or where that is missing (ENOSYS) an
 * O_NOFOLLOW walk from "/". A symlink is -ELOOP. Returns the fd or -errno, with *ret_op the
 * op that failed. The checks and the container's child (core/child.c) resolve container
 * paths with it. */
int mcz_open_no_symlinks(struct sys *s, const char *path, enum sys_op *ret_op);

#endif
