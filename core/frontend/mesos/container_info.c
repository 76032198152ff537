/*
 * container_info.c — strict parsing of the Mesos ContainerInfo JSON (SPEC §4) and of the
 * --volume=HOST:CONTAINER[:rw|ro] shorthand.
 *
 * jansson validates the syntax (and rejects duplicate keys) but keeps no positions for
 * values, so errors about a field are placed by a small locator that re-scans the text,
 * which is known to be valid JSON by then, following a path of object keys and array
 * indexes. Lines and columns count like jansson's: both 1-based, columns in characters.
 *
 * Message formats (pinned by scenarios/container_info.c), with WHAT the source name:
 *   WHAT: <jansson text> at line L, column C              malformed JSON, duplicate key
 *   WHAT: top level must be an object at line L, column C
 *   WHAT: missing field 'P' at line L, column C           position of the enclosing object
 *   WHAT: unknown field 'P' at line L, column C           position of the key
 *   WHAT: field 'P' is not supported at line L, column C  a Mesos field mcz does not do
 *   WHAT: field 'P' must be a string|an array|an object at line L, column C
 *   WHAT: field 'P' must be "RW" or "RO" at line L, column C
 *   WHAT: type 'X' is not supported: only MESOS containers are supported
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/frontend/mesos/container_info.h"
#include "lib/util.h"

/* ---- the locator ------------------------------------------------------------------------ */

struct json_pos {
	int line;
	int column;
};

/* One step of a field path: an object key, or (key == NULL) an array index. */
struct path_step {
	const char *key;
	size_t index;
};

#define PATH_MAX_DEPTH 4

struct scanner {
	const char *p;
	struct json_pos at; /* position of the last byte consumed */
};

static bool utf8_first_byte(unsigned char c)
{
	return (c & 0xc0) != 0x80;
}

/* Consume one byte, counting lines and characters as jansson does. */
static void advance(struct scanner *s)
{
	unsigned char c = (unsigned char)*s->p;

	if (!c)
		return;
	s->p++;
	if (c == '\n') {
		s->at.line++;
		s->at.column = 0;
	} else if (utf8_first_byte(c)) {
		s->at.column++;
	}
}

static void skip_ws(struct scanner *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
		advance(s);
}

/* Position of the token starting at the next byte. */
static struct json_pos token_pos(const struct scanner *s)
{
	struct json_pos pos = s->at;

	if (*s->p == '\n') {
		pos.line++;
		pos.column = 0;
	} else {
		pos.column++;
	}
	return pos;
}

static void put_utf8(char **out, uint32_t cp)
{
	char *o = *out;

	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	*out = o;
}

static uint32_t read_hex4(struct scanner *s)
{
	uint32_t v = 0;

	for (int i = 0; i < 4 && *s->p; i++) {
		char c = *s->p;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		advance(s);
	}
	return v;
}

/* After a backslash: one escape, decoded into *out. */
static void decode_escape(struct scanner *s, char **out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char c = *s->p;
	const char *e = c ? strchr(from, c) : NULL;

	advance(s);
	if (e) {
		*(*out)++ = to[e - from];
		return;
	}
	if (c != 'u')
		return;
	uint32_t cp = read_hex4(s);
	if (cp >= 0xd800 && cp < 0xdc00 && s->p[0] == '\\' && s->p[1] == 'u') {
		advance(s);
		advance(s);
		uint32_t lo = read_hex4(s);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	put_utf8(out, cp);
}

/* At the opening quote: consume the string; decode it into a malloc'd *ret when asked.
 * A decoded string is never longer than its JSON form. */
static void scan_string(struct scanner *s, char **ret)
{
	const char *start = s->p;
	char *buf = ret ? mcz_xmalloc(strlen(start) + 1) : NULL, *o = buf;
	char scratch[4], *discard;

	advance(s);
	while (*s->p && *s->p != '"') {
		if (*s->p != '\\') {
			if (o)
				*o++ = *s->p;
			advance(s);
			continue;
		}
		advance(s);
		discard = scratch;
		decode_escape(s, o ? &o : &discard);
	}
	advance(s);
	if (ret) {
		*o = '\0';
		*ret = buf;
	}
}

static void skip_value(struct scanner *s);

/* At '{' or '[': consume the container. */
static void skip_container(struct scanner *s)
{
	char close = *s->p == '{' ? '}' : ']';
	bool object = close == '}';

	advance(s);
	for (;;) {
		skip_ws(s);
		if (!*s->p || *s->p == close)
			break;
		if (object) {
			scan_string(s, NULL);
			skip_ws(s);
			advance(s); /* ':' */
			skip_ws(s);
		}
		skip_value(s);
		skip_ws(s);
		if (*s->p == ',')
			advance(s);
	}
	advance(s);
}

static void skip_value(struct scanner *s)
{
	if (*s->p == '"') {
		scan_string(s, NULL);
	} else if (*s->p == '{' || *s->p == '[') {
		skip_container(s);
	} else {
		/* number or literal */
		while (*s->p && !strchr(",]} \t\r\n", *s->p))
			advance(s);
	}
}

/* At '{': find member `key`; leave the scanner at its value and return the key's position. */
static bool find_key(struct scanner *s, const char *key, struct json_pos *ret_pos)
{
	if (*s->p != '{')
		return false;
	advance(s);
	for (;;) {
		skip_ws(s);
		if (*s->p != '"')
			return false;
		struct json_pos pos = token_pos(s);
		_cleanup_free_ char *name = NULL;
		scan_string(s, &name);
		skip_ws(s);
		advance(s); /* ':' */
		skip_ws(s);
		if (strcmp(name, key) == 0) {
			*ret_pos = pos;
			return true;
		}
		skip_value(s);
		skip_ws(s);
		if (*s->p != ',')
			return false;
		advance(s);
	}
}

/* At '[': find element `index`; leave the scanner at it and return its position. */
static bool find_index(struct scanner *s, size_t index, struct json_pos *ret_pos)
{
	if (*s->p != '[')
		return false;
	advance(s);
	for (size_t i = 0;; i++) {
		skip_ws(s);
		if (!*s->p || *s->p == ']')
			return false;
		if (i == index) {
			*ret_pos = token_pos(s);
			return true;
		}
		skip_value(s);
		skip_ws(s);
		if (*s->p != ',')
			return false;
		advance(s);
	}
}

/* Position of the field at `path`: of its key (of the element, for an index), or with
 * want_value of its value. An empty path is the top-level value. */
static struct json_pos locate(const char *text, const struct path_step *path, size_t n,
			      bool want_value)
{
	struct scanner s = { .p = text, .at = { .line = 1, .column = 0 } };
	struct json_pos pos = { 1, 1 };

	skip_ws(&s);
	for (size_t i = 0; i < n; i++) {
		bool found = path[i].key ? find_key(&s, path[i].key, &pos)
					 : find_index(&s, path[i].index, &pos);
		if (!found)
			return (struct json_pos){ 1, 1 }; /* cannot happen on jansson-valid text */
	}
	if (n == 0 || want_value)
		pos = token_pos(&s);
	return pos;
}

/* ---- the parser ------------------------------------------------------------------------- */

struct parser {
	const char *text;
	const char *what;
	struct mcz_error *err;
	struct path_step path[PATH_MAX_DEPTH];
	size_t depth;
};

static void push_key(struct parser *ps, const char *key)
{
	ps->path[ps->depth++] = (struct path_step){ .key = key };
}

static void push_index(struct parser *ps, size_t index)
{
	ps->path[ps->depth++] = (struct path_step){ .key = NULL, .index = index };
}

static void pop(struct parser *ps)
{
	ps->depth--;
}

/* "volumes[1].mode" */
static char *path_string(const struct path_step *path, size_t n)
{
	char *out = mcz_xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next;
		if (!path[i].key)
			next = mcz_xasprintf("%s[%zu]", out, path[i].index);
		else if (i == 0)
			next = mcz_xasprintf("%s", path[i].key);
		else
			next = mcz_xasprintf("%s.%s", out, path[i].key);
		free(out);
		out = next;
	}
	return out;
}

/* "<what>: <before> '<path>'<after> at line L, column C" for the current path; the
 * position is the field's key, or with at_parent the enclosing object. */
static int field_error(struct parser *ps, bool at_parent, const char *before, const char *after)
{
	_cleanup_free_ char *path = path_string(ps->path, ps->depth);
	size_t n = at_parent ? ps->depth - 1 : ps->depth;
	struct json_pos pos = locate(ps->text, ps->path, n, at_parent);

	return mcz_error_fmt(ps->err, -EINVAL, "%s: %s '%s'%s at line %d, column %d", ps->what,
			     before, path, after, pos.line, pos.column);
}

static int wrong_type(struct parser *ps, const char *expected)
{
	_cleanup_free_ char *after = mcz_xasprintf(" must be %s", expected);
	return field_error(ps, false, "field", after);
}

/* What to do with a member of an object. */
enum field_rule {
	FIELD_KNOWN,
	FIELD_UNSUPPORTED, /* part of Mesos's ContainerInfo, not of mcz */
};

struct field_def {
	const char *name;
	enum field_rule rule;
};

static const struct field_def *find_def(const struct field_def *defs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(defs[i].name, name) == 0)
			return &defs[i];
	return NULL;
}

static bool pos_before(struct json_pos a, struct json_pos b)
{
	return a.line < b.line || (a.line == b.line && a.column < b.column);
}

/* Reject unknown and unsupported members; of several, the first in the text. */
static int check_members(struct parser *ps, json_t *obj, const struct field_def *defs,
			 size_t n_defs)
{
	const char *key, *bad = NULL;
	json_t *value;
	struct json_pos bad_pos = { 0, 0 };

	json_object_foreach(obj, key, value) {
		const struct field_def *def = find_def(defs, n_defs, key);
		if (def && def->rule == FIELD_KNOWN)
			continue;
		push_key(ps, key);
		struct json_pos pos = locate(ps->text, ps->path, ps->depth, false);
		pop(ps);
		if (!bad || pos_before(pos, bad_pos)) {
			bad = key;
			bad_pos = pos;
		}
	}
	if (!bad)
		return 0;

	push_key(ps, bad);
	int r = find_def(defs, n_defs, bad) ? field_error(ps, false, "field", " is not supported")
					    : field_error(ps, false, "unknown field", "");
	pop(ps);
	return r;
}

/* Member `name` of obj as a string: *ret NULL when absent (an error when required). */
static int get_string(struct parser *ps, json_t *obj, const char *name, bool required,
		      const char **ret)
{
	json_t *v = json_object_get(obj, name);
	int r = 0;

	*ret = NULL;
	push_key(ps, name);
	if (!v && required)
		r = field_error(ps, true, "missing field", "");
	else if (v && !json_is_string(v))
		r = wrong_type(ps, "a string");
	else if (v)
		*ret = json_string_value(v);
	pop(ps);
	return r;
}

static int parse_mode(struct parser *ps, json_t *obj, enum mcz_volume_mode *ret)
{
	json_t *v = json_object_get(obj, "mode");
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	int r = 0;

	push_key(ps, "mode");
	if (!v)
		r = field_error(ps, true, "missing field", "");
	else if (s && strcmp(s, "RW") == 0)
		*ret = MCZ_VOLUME_RW;
	else if (s && strcmp(s, "RO") == 0)
		*ret = MCZ_VOLUME_RO;
	else
		r = wrong_type(ps, "\"RW\" or \"RO\"");
	pop(ps);
	return r;
}

static const struct field_def volume_fields[] = {
	{ "container_path", FIELD_KNOWN },
	{ "host_path", FIELD_KNOWN },
	{ "mode", FIELD_KNOWN },
	{ "image", FIELD_UNSUPPORTED },
	{ "source", FIELD_UNSUPPORTED },
};

static void volume_done(struct mcz_volume *v)
{
	free(v->container_path);
	free(v->host_path);
}

static int parse_volume(struct parser *ps, json_t *obj, struct mcz_volume *ret)
{
	const char *container_path, *host_path;
	enum mcz_volume_mode mode = MCZ_VOLUME_RW;
	int r;

	if (!json_is_object(obj))
		return wrong_type(ps, "an object");
	r = check_members(ps, obj, volume_fields, MCZ_ARRAY_SIZE(volume_fields));
	if (r < 0)
		return r;
	r = get_string(ps, obj, "container_path", true, &container_path);
	if (r < 0)
		return r;
	r = parse_mode(ps, obj, &mode);
	if (r < 0)
		return r;
	r = get_string(ps, obj, "host_path", false, &host_path);
	if (r < 0)
		return r;

	*ret = (struct mcz_volume){
		.container_path = mcz_xstrdup(container_path),
		.host_path = host_path ? mcz_xstrdup(host_path) : NULL,
		.mode = mode,
	};
	return 0;
}

static int parse_volumes(struct parser *ps, json_t *root, struct mcz_container_info *ci)
{
	json_t *arr = json_object_get(root, "volumes");
	json_t *elem;
	size_t i;
	int r = 0;

	if (!arr)
		return 0;
	push_key(ps, "volumes");
	if (!json_is_array(arr)) {
		r = wrong_type(ps, "an array");
		goto out;
	}
	ci->volumes = mcz_xcalloc(json_array_size(arr), sizeof(*ci->volumes));
	json_array_foreach(arr, i, elem) {
		push_index(ps, i);
		r = parse_volume(ps, elem, &ci->volumes[i]);
		pop(ps);
		if (r < 0)
			goto out;
		ci->n_volumes++;
	}
out:
	pop(ps);
	return r;
}

static int parse_type(struct parser *ps, json_t *root)
{
	const char *type;
	int r = get_string(ps, root, "type", true, &type);

	if (r < 0)
		return r;
	if (strcmp(type, "MESOS") != 0)
		return mcz_error_fmt(ps->err, -EINVAL,
				     "%s: type '%s' is not supported: only MESOS containers are supported",
				     ps->what, type);
	return 0;
}

/* hostname is accepted and ignored (mcz has no UTS namespace isolator yet); the Mesos
 * fields for other container types or features mcz lacks are rejected by name. */
static const struct field_def top_fields[] = {
	{ "type", FIELD_KNOWN },
	{ "volumes", FIELD_KNOWN },
	{ "hostname", FIELD_KNOWN },
	{ "docker", FIELD_UNSUPPORTED },
	{ "mesos", FIELD_UNSUPPORTED },
	{ "network_infos", FIELD_UNSUPPORTED },
	{ "linux_info", FIELD_UNSUPPORTED },
	{ "rlimit_info", FIELD_UNSUPPORTED },
	{ "tty_info", FIELD_UNSUPPORTED },
};

static int parse_root(struct parser *ps, json_t *root, struct mcz_container_info *ci)
{
	const char *hostname;
	int r;

	if (!json_is_object(root)) {
		struct json_pos pos = locate(ps->text, NULL, 0, true);
		return mcz_error_fmt(ps->err, -EINVAL,
				     "%s: top level must be an object at line %d, column %d",
				     ps->what, pos.line, pos.column);
	}
	r = parse_type(ps, root);
	if (r < 0)
		return r;
	r = check_members(ps, root, top_fields, MCZ_ARRAY_SIZE(top_fields));
	if (r < 0)
		return r;
	r = get_string(ps, root, "hostname", false, &hostname);
	if (r < 0)
		return r;
	return parse_volumes(ps, root, ci);
}

int mcz_container_info_parse(const char *json, const char *what, struct mcz_container_info *ret,
			     struct mcz_error *err)
{
	struct parser ps = { .text = json, .what = what, .err = err };
	struct mcz_container_info ci = { 0 };
	json_error_t jerr;
	int r;

	/* JSON_DECODE_ANY: a scalar top level gets our message rather than jansson's. */
	json_t *root = json_loads(json, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root) /* jansson says column 0 when nothing was read on the line */
		return mcz_error_fmt(err, -EINVAL, "%s: %s at line %d, column %d", what, jerr.text,
				     jerr.line, jerr.column > 0 ? jerr.column : 1);
	r = parse_root(&ps, root, &ci);
	json_decref(root);
	if (r < 0) {
		mcz_container_info_done(&ci);
		return r;
	}
	*ret = ci;
	return 0;
}

/* ---- --volume=HOST:CONTAINER[:rw|ro] ---------------------------------------------------- */

static int volume_flag_error(struct mcz_error *err, const char *spec, const char *what)
{
	return mcz_error_fmt(err, -EINVAL, "volume '%s': %s", spec, what);
}

int mcz_container_info_add_volume_flag(struct mcz_container_info *ci, const char *spec,
				       struct mcz_error *err)
{
	_cleanup_free_ char *copy = mcz_xstrdup(spec);
	char *host = copy, *container, *mode;
	enum mcz_volume_mode m = MCZ_VOLUME_RW;

	container = strchr(host, ':');
	if (!container)
		return volume_flag_error(err, spec, "expected HOST:CONTAINER[:rw|ro]");
	*container++ = '\0';
	mode = strchr(container, ':');
	if (mode) {
		*mode++ = '\0';
		if (strchr(mode, ':'))
			return volume_flag_error(err, spec, "expected HOST:CONTAINER[:rw|ro]");
		if (strcmp(mode, "ro") == 0)
			m = MCZ_VOLUME_RO;
		else if (strcmp(mode, "rw") != 0)
			return mcz_error_fmt(err, -EINVAL,
					     "volume '%s': mode '%s' must be rw or ro", spec, mode);
	}
	if (!*host)
		return volume_flag_error(err, spec, "empty host path");
	if (!*container)
		return volume_flag_error(err, spec, "empty container path");

	ci->volumes = mcz_xrealloc(ci->volumes, (ci->n_volumes + 1) * sizeof(*ci->volumes));
	ci->volumes[ci->n_volumes++] = (struct mcz_volume){
		.container_path = mcz_xstrdup(container),
		.host_path = mcz_xstrdup(host),
		.mode = m,
	};
	return 0;
}

void mcz_container_info_done(struct mcz_container_info *ci)
{
	if (!ci)
		return;
	for (size_t i = 0; i < ci->n_volumes; i++)
		volume_done(&ci->volumes[i]);
	free(ci->volumes);
	ci->volumes = NULL;
	ci->n_volumes = 0;
}
