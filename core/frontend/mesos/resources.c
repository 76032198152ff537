/*
 * resources.c — parse and format the Mesos resource syntax of --resources.
 *
 * Messages (every one starts "resources: "; NAME is the resource name without its role,
 * ENTRY the whole entry and VALUE the value, each trimmed of blanks):
 *   empty entry in 'TEXT'                        "cpus:1;;mem:64", ";", "cpus:1;"
 *   missing ':' in 'ENTRY'                       "cpus"
 *   missing name in 'ENTRY'                      ":1", "(*):1"
 *   bad role in 'ENTRY'                          "cpus(*:1", "cpus()", "cpus(a)b:1"
 *   unknown resource 'NAME' (known: cpus, mem)
 *   duplicate resource 'NAME'
 *   missing value for 'NAME'                     "cpus:"
 *   invalid value 'VALUE' for 'NAME': not a number
 *   invalid value 'VALUE' for 'NAME': must be greater than 0
 *   invalid value 'VALUE' for 'cpus': must be at most 1000000     (also 1e999: out of range)
 *   invalid value 'VALUE' for 'mem': must be a whole number of megabytes
 *   invalid value 'VALUE' for 'mem': out of range (at most 17592186044415)
 *
 * Decisions: Mesos's strings::tokenize() silently drops empty entries; mcz rejects them
 * (a stray ';' is more likely a mistake than intent). Values are decimal ([0-9.eE+-] only:
 * no hex floats, "nan" or "inf", which strtod would take). cpus has an upper bound so that
 * the cgroup arithmetic (1024 * cpus, 100000 * cpus) stays far inside uint64_t.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/frontend/mesos/resources.h"
#include "lib/util.h"

#define MB (1024ull * 1024ull)
#define MAX_CPUS 1000000.0
#define MAX_MEM_MB (UINT64_MAX / MB)

/* A slice of the input text. */
struct span {
	const char *p;
	size_t n;
};

static struct span trim(const char *p, size_t n)
{
	while (n && isspace((unsigned char)*p))
		p++, n--;
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	return (struct span){ p, n };
}

static char *dup_span(struct span s)
{
	return mcz_xstrndup(s.p, s.n);
}

static bool span_is(struct span s, const char *word)
{
	return s.n == strlen(word) && memcmp(s.p, word, s.n) == 0;
}

static bool decimal_chars(const char *v)
{
	return *v && strspn(v, "0123456789.eE+-") == strlen(v);
}

static int bad_value(struct mcz_error *err, const char *v, const char *name, const char *why)
{
	return mcz_error_fmt(err, -EINVAL, "resources: invalid value '%s' for '%s': %s", v, name,
			     why);
}

static int parse_cpus(const char *v, double *ret, struct mcz_error *err)
{
	char *end;
	double d;

	if (!decimal_chars(v))
		return bad_value(err, v, "cpus", "not a number");
	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end)
		return bad_value(err, v, "cpus", "not a number");
	if (errno == ERANGE && fabs(d) > 1.0)
		return bad_value(err, v, "cpus", "out of range");
	if (!(d > 0.0) || (errno == ERANGE && d < 1e-300))
		return bad_value(err, v, "cpus", "must be greater than 0");
	if (d > MAX_CPUS)
		return bad_value(err, v, "cpus", "must be at most 1000000");
	*ret = d;
	return 0;
}

/* mem: digits only, else classify the mistake through strtod. */
static int parse_mem(const char *v, uint64_t *ret, struct mcz_error *err)
{
	char *end;
	unsigned long long u;
	double d;

	if (*v && strspn(v, "0123456789") == strlen(v)) {
		errno = 0;
		u = strtoull(v, &end, 10);
		if (errno == ERANGE || u > MAX_MEM_MB)
			return bad_value(err, v, "mem", "out of range (at most 17592186044415)");
		if (u == 0)
			return bad_value(err, v, "mem", "must be greater than 0");
		*ret = u;
		return 0;
	}
	if (!decimal_chars(v))
		return bad_value(err, v, "mem", "not a number");
	d = strtod(v, &end);
	if (end == v || *end)
		return bad_value(err, v, "mem", "not a number");
	if (!(d > 0.0))
		return bad_value(err, v, "mem", "must be greater than 0");
	return bad_value(err, v, "mem", "must be a whole number of megabytes");
}

/* Split "NAME[(ROLE)]" into the name; the role is checked and dropped. */
static int parse_name(struct span entry, struct span key, struct span *ret,
		      struct mcz_error *err)
{
	const char *open = memchr(key.p, '(', key.n);
	_cleanup_free_ char *e = dup_span(entry);

	*ret = key;
	if (open) {
		struct span role = trim(open + 1, key.n - (size_t)(open - key.p) - 1);

		if (!role.n || role.p[role.n - 1] != ')')
			return mcz_error_fmt(err, -EINVAL, "resources: bad role in '%s'", e);
		role = trim(role.p, role.n - 1);
		if (!role.n || memchr(role.p, '(', role.n) || memchr(role.p, ')', role.n))
			return mcz_error_fmt(err, -EINVAL, "resources: bad role in '%s'", e);
		*ret = trim(key.p, (size_t)(open - key.p));
	} else if (memchr(key.p, ')', key.n)) {
		return mcz_error_fmt(err, -EINVAL, "resources: bad role in '%s'", e);
	}
	if (!ret->n)
		return mcz_error_fmt(err, -EINVAL, "resources: missing name in '%s'", e);
	return 0;
}

static int parse_entry(struct span entry, struct mcz_resources *r, struct mcz_error *err)
{
	const char *colon = memchr(entry.p, ':', entry.n);
	struct span name;
	_cleanup_free_ char *n = NULL, *v = NULL;
	int k;

	if (!colon) {
		_cleanup_free_ char *e = dup_span(entry);
		return mcz_error_fmt(err, -EINVAL, "resources: missing ':' in '%s'", e);
	}
	k = parse_name(entry, trim(entry.p, (size_t)(colon - entry.p)), &name, err);
	if (k < 0)
		return k;
	n = dup_span(name);
	if (!span_is(name, "cpus") && !span_is(name, "mem"))
		return mcz_error_fmt(err, -EINVAL,
				     "resources: unknown resource '%s' (known: cpus, mem)", n);
	if (span_is(name, "cpus") ? r->has_cpus : r->has_mem)
		return mcz_error_fmt(err, -EINVAL, "resources: duplicate resource '%s'", n);
	v = dup_span(trim(colon + 1, entry.n - (size_t)(colon + 1 - entry.p)));
	if (!*v)
		return mcz_error_fmt(err, -EINVAL, "resources: missing value for '%s'", n);
	if (span_is(name, "cpus")) {
		k = parse_cpus(v, &r->cpus, err);
		r->has_cpus = k == 0;
	} else {
		k = parse_mem(v, &r->mem_mb, err);
		r->has_mem = k == 0;
	}
	return k;
}

int mcz_resources_parse(const char *text, struct mcz_resources *ret, struct mcz_error *err)
{
	struct mcz_resources r = { 0 };
	const char *p = text;

	*ret = r;
	if (!text)
		return mcz_error_fmt(err, -EINVAL, "resources: no text");
	if (trim(text, strlen(text)).n == 0)
		return 0;
	for (;;) {
		const char *semi = strchr(p, ';');
		struct span entry = trim(p, semi ? (size_t)(semi - p) : strlen(p));
		int k;

		if (!entry.n)
			return mcz_error_fmt(err, -EINVAL, "resources: empty entry in '%s'", text);
		k = parse_entry(entry, &r, err);
		if (k < 0)
			return k;
		if (!semi)
			break;
		p = semi + 1;
	}
	*ret = r;
	return 0;
}

/* The shortest of %.15g / %.17g that reads back as the same double. */
static void format_double(char *buf, size_t size, double d)
{
	snprintf(buf, size, "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, size, "%.17g", d);
}

char *mcz_resources_format(const struct mcz_resources *r)
{
	char *out = mcz_xstrdup("");
	char num[64];

	if (r->has_cpus) {
		format_double(num, sizeof(num), r->cpus);
		mcz_strappend(&out, "cpus:");
		mcz_strappend(&out, num);
	}
	if (r->has_mem) {
		snprintf(num, sizeof(num), "%" PRIu64, r->mem_mb);
		mcz_strappend(&out, r->has_cpus ? ";mem:" : "mem:");
		mcz_strappend(&out, num);
	}
	return out;
}
