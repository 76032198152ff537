/*
 * util.h — small shared helpers: allocation that aborts on OOM, cleanup attributes.
 *
 * Allocation failure is fatal in mcz (crun's OOM(), git's die, bubblewrap's die_oom): a
 * short-lived containerizer has no useful way to continue, so malloc is not part of the
 * fault matrix. The fault matrix covers every kernel call instead.
 */
#ifndef MCZ_CORE_UTIL_H
#define MCZ_CORE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

void *mcz_xmalloc(size_t n);
void *mcz_xcalloc(size_t n, size_t size);
void *mcz_xrealloc(void *p, size_t n);
char *mcz_xstrdup(const char *s);
char *mcz_xstrndup(const char *s, size_t n);
char *mcz_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *mcz_xvasprintf(const char *fmt, va_list ap);
/* Append s to the malloc'd string *buf. */
void mcz_strappend(char **buf, const char *s);

static inline void mcz_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ __attribute__((cleanup(mcz_freep)))

/* Hand ownership out of a scope: returns the pointer and NULLs the variable. */
#define TAKE_PTR(p)                                                                             \
	({                                                                                      \
		__typeof__(p) _p = (p);                                                         \
		(p) = NULL;                                                                     \
		_p;                                                                             \
	})

#define MCZ_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
