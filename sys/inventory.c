/* Tables generated from the SYS_OPS inventory, so names, fault points and kinds never drift. */
#include <string.h>

#include "sys/sys.h"

#define SYS_STR(x) #x

const char *const sys_op_names[_SYS_OP_MAX] = {
#define X(name, area, kinds, err, verb, params, args) [SYS_OP_##name] = SYS_STR(name),
	SYS_OPS(X)
#undef X
};

const char *const sys_op_fiu_names[_SYS_OP_MAX] = {
#define X(name, area, kinds, err, verb, params, args) [SYS_OP_##name] = "sys/" SYS_STR(area) "/" SYS_STR(name),
	SYS_OPS(X)
#undef X
};

const char *const sys_op_kinds[_SYS_OP_MAX] = {
#define X(name, area, kinds, err, verb, params, args) [SYS_OP_##name] = kinds,
	SYS_OPS(X)
#undef X
};

const char *const sys_op_verbs[_SYS_OP_MAX] = {
#define X(name, area, kinds, err, verb, params, args) [SYS_OP_##name] = verb,
	SYS_OPS(X)
#undef X
};

const int sys_op_default_errnos[_SYS_OP_MAX] = {
#define X(name, area, kinds, errs, verb, params, args) [SYS_OP_##name] = SYS_FIRST(errs),
	SYS_OPS(X)
#undef X
};

#define X(name, area, kinds, errs, verb, params, args) static const int errnos_##name[] = { SYS_UNPAREN errs, 0 };
SYS_OPS(X)
#undef X

const int *const sys_op_errnos[_SYS_OP_MAX] = {
#define X(name, area, kinds, errs, verb, params, args) [SYS_OP_##name] = errnos_##name,
	SYS_OPS(X)
#undef X
};

int sys_op_from_name(const char *name)
{
	for (int i = 0; i < _SYS_OP_MAX; i++)
		if (strcmp(sys_op_names[i], name) == 0)
			return i;
	return -EINVAL;
}
