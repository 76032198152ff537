/*
 * error.c — the error record (see error.h for the convention).
 *
 * The first error wins: mcz_error_sys and mcz_error_fmt leave a set record alone, so that
 * best-effort teardown after a failure cannot overwrite the cause. mcz_error_wrap only ever
 * adds context in front of the message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/error.h"
#include "lib/util.h"

/* r is -errno; anything else is a caller bug, reported as EIO rather than "Success". */
static int errnum_of(int r)
{
	return r < 0 ? -r : EIO;
}

bool mcz_error_is_set(const struct mcz_error *err)
{
	return err && err->msg;
}

int mcz_error_sys(struct mcz_error *err, int r, enum sys_op op, const char *path)
{
	if (!err || mcz_error_is_set(err))
		return r;

	int errnum = errnum_of(r);
	const char *verb = (op >= 0 && op < _SYS_OP_MAX) ? sys_op_verbs[op] : "system call";

	err->errnum = errnum;
	err->op = op;
	err->path = path ? mcz_xstrdup(path) : NULL;
	if (path)
		err->msg = mcz_xasprintf("%s '%s': %s", verb, path, strerror(errnum));
	else
		err->msg = mcz_xasprintf("%s: %s", verb, strerror(errnum));
	return r;
}

static int error_vset(struct mcz_error *err, int r, int op, const char *path, const char *fmt,
		      va_list ap)
{
	if (!err || mcz_error_is_set(err))
		return r;
	err->msg = mcz_xvasprintf(fmt, ap);
	err->errnum = errnum_of(r);
	err->op = op;
	err->path = path ? mcz_xstrdup(path) : NULL;
	return r;
}

int mcz_error_fmt(struct mcz_error *err, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	r = error_vset(err, r, -1, NULL, fmt, ap);
	va_end(ap);
	return r;
}

int mcz_error_sys_msg(struct mcz_error *err, int r, enum sys_op op, const char *path, const char *fmt,
		      ...)
{
	va_list ap;

	va_start(ap, fmt);
	r = error_vset(err, r, op, path, fmt, ap);
	va_end(ap);
	return r;
}

/* Wrapping an unset record is a caller bug; the context alone is kept (with EIO) so that
 * the failure still reaches the user instead of vanishing. */
int mcz_error_wrap(struct mcz_error *err, const char *fmt, ...)
{
	if (!err)
		return -EIO;

	va_list ap;
	va_start(ap, fmt);
	char *context = mcz_xvasprintf(fmt, ap);
	va_end(ap);

	if (!mcz_error_is_set(err)) {
		err->msg = context;
		err->errnum = EIO;
		err->op = -1;
		return -EIO;
	}

	char *msg = mcz_xasprintf("%s: %s", context, err->msg);
	free(context);
	free(err->msg);
	err->msg = msg;
	return -err->errnum;
}

void mcz_error_done(struct mcz_error *err)
{
	if (!err)
		return;
	free(err->path);
	free(err->msg);
	*err = (struct mcz_error)MCZ_ERROR_INIT;
}

void mcz_error_take(struct mcz_error *dst, struct mcz_error *src)
{
	if (dst && !mcz_error_is_set(dst) && mcz_error_is_set(src)) {
		*dst = *src;
		*src = (struct mcz_error)MCZ_ERROR_INIT;
		return;
	}
	mcz_error_done(src);
}
