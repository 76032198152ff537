/*
 * id.c — the container id rule (SPEC §2): an id names a directory of the runtime dir and a
 * cgroup, so both front ends and every loader check it the same way.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/spec/id.h"
#include "lib/util.h"

#define CONTAINER_ID_MAX 64

static bool id_char(char c, bool first)
{
	if (isalnum((unsigned char)c) && (unsigned char)c < 0x80)
		return true;
	return !first && (c == '_' || c == '.' || c == '-');
}

bool mcz_container_id_valid(const char *id)
{
	return mcz_container_id_check(id, NULL) == 0;
}

/* The id as it may be shown: non-printable bytes as \xNN. */
static char *shown(const char *s)
{
	char *out = mcz_xstrdup("");

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char buf[8];
		if (c >= 0x20 && c < 0x7f)
			snprintf(buf, sizeof(buf), "%c", c);
		else
			snprintf(buf, sizeof(buf), "\\x%02x", c);
		mcz_strappend(&out, buf);
	}
	return out;
}

int mcz_container_id_check(const char *id, struct mcz_error *err)
{
	size_t len = strlen(id);
	_cleanup_free_ char *quoted = shown(id);

	if (len == 0)
		return mcz_error_fmt(err, -EINVAL, "container id '': must not be empty");
	if (len > CONTAINER_ID_MAX)
		return mcz_error_fmt(err, -EINVAL, "container id '%s': must be at most %d characters",
				     quoted, CONTAINER_ID_MAX);
	if (!id_char(id[0], true))
		return mcz_error_fmt(err, -EINVAL,
				     "container id '%s': must start with a letter or a digit", quoted);
	for (size_t i = 1; i < len; i++) {
		if (id_char(id[i], false))
			continue;
		char c[2] = { id[i], '\0' };
		_cleanup_free_ char *bad = shown(c);
		return mcz_error_fmt(err, -EINVAL,
				     "container id '%s': character '%s' is not allowed "
				     "(only letters, digits, '_', '.', '-')",
				     quoted, bad);
	}
	return 0;
}
