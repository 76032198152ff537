/*
 * error.h — the error record every fallible core function fills (crun's libcrun_error_t,
 * with the failing step kept apart for tests).
 *
 * Convention: functions return >= 0 on success, -errno on failure, and on failure fill
 * `err` (when not NULL). The message reads "context: verb 'path': strerror", for example
 *   volume '/tmp': chmod '/var/lib/mcz/sandboxes/c1/tmp': Operation not permitted
 * and the CLI prints it as "mcz: error: <message>". Lower case, no final full stop, paths in
 * single quotes (git and systemd message rules). Only the first error is kept: once set,
 * later mcz_error_sys/mcz_error_fmt calls leave it alone (so best-effort teardown cannot
 * overwrite the cause), while mcz_error_wrap adds context.
 */
#ifndef MCZ_CORE_ERROR_H
#define MCZ_CORE_ERROR_H

#include <stdbool.h>

#include "sys/sys.h"

struct mcz_error {
	int errnum;      /* positive errno of the cause; 0 while unset */
	int op;          /* the sys op that failed (enum sys_op), or -1 for input errors */
	char *path;      /* the path the failed op was applied to, or NULL */
	char *msg;       /* the full message, or NULL while unset */
};

#define MCZ_ERROR_INIT { .errnum = 0, .op = -1, .path = NULL, .msg = NULL }

/* A sys op failed with r (-errno) on path: "verb 'path': strerror". Returns r. */
int mcz_error_sys(struct mcz_error *err, int r, enum sys_op op, const char *path);

/* A sys op failed, but the plain "verb 'path': strerror" would mislead (ENOENT on a path the
 * user named, ELOOP from O_NOFOLLOW): the message is fmt, while op and path are still kept. */
int mcz_error_sys_msg(struct mcz_error *err, int r, enum sys_op op, const char *path, const char *fmt,
		      ...) __attribute__((format(printf, 5, 6)));

/* Any other error (bad input, a check that failed). r is -errno; returns r. */
int mcz_error_fmt(struct mcz_error *err, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix context: "volume '/tmp': <old message>". Returns -err->errnum (or -EIO if unset). */
int mcz_error_wrap(struct mcz_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

bool mcz_error_is_set(const struct mcz_error *err);

/* Move src into dst when dst is unset (the first error wins); src is reset either way. */
void mcz_error_take(struct mcz_error *dst, struct mcz_error *src);

/* Free the contents and reset to MCZ_ERROR_INIT; accepts NULL and unset errors. */
void mcz_error_done(struct mcz_error *err);

#endif
