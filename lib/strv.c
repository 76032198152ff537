/*
 * strv.c — string vectors.
 */
#include <stdlib.h>

#include "lib/strv.h"
#include "lib/util.h"

void mcz_strv_push(struct mcz_strv *sv, const char *s)
{
	sv->v = mcz_xrealloc(sv->v, (sv->n + 2) * sizeof(*sv->v));
	sv->v[sv->n++] = mcz_xstrdup(s);
	sv->v[sv->n] = NULL;
}

void mcz_strv_done(struct mcz_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

size_t mcz_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

char **mcz_strv_dup(char *const *v, size_t n)
{
	char **d = mcz_xcalloc(n + 1, sizeof(char *));

	for (size_t i = 0; i < n; i++)
		d[i] = mcz_xstrdup(v[i]);
	return d;
}

void mcz_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}
