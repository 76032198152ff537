#include <stdio.h>
#include <string.h>

#include "lib/util.h"

static void mcz_oom(void)
{
	/* Nothing sensible can follow an allocation failure; say so and stop. */
	fputs("mcz: error: out of memory\n", stderr);
	abort();
}

void *mcz_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		mcz_oom();
	return p;
}

void *mcz_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		mcz_oom();
	return p;
}

void *mcz_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		mcz_oom();
	return q;
}

char *mcz_xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		mcz_oom();
	return p;
}

char *mcz_xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		mcz_oom();
	return p;
}

char *mcz_xvasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		mcz_oom();
	return s;
}

char *mcz_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = mcz_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void mcz_strappend(char **buf, const char *s)
{
	size_t old = strlen(*buf), add = strlen(s);

	*buf = mcz_xrealloc(*buf, old + add + 1);
	memcpy(*buf + old, s, add + 1);
}
