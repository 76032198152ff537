/*
 * strv.h — NULL-terminated string vectors (argv, envp) and a growable one.
 */
#ifndef MCZ_LIB_STRV_H
#define MCZ_LIB_STRV_H

#include <stddef.h>

/* A growable string vector; v[n] is NULL once anything was pushed. */
struct mcz_strv {
	char **v;
	size_t n;
};

void mcz_strv_push(struct mcz_strv *sv, const char *s); /* copies s */
void mcz_strv_done(struct mcz_strv *sv);

/* Plain NULL-terminated vectors (v may be NULL). */
size_t mcz_strv_len(char *const *v);
char **mcz_strv_dup(char *const *v, size_t n); /* the first n strings, copied; never NULL */
void mcz_strv_free(char **v);

#endif
