/*
 * container_info.c — the ContainerInfo JSON parser (SPEC §4) and the --volume shorthand:
 * every bad input with its exact message (field path, line, column), and the good inputs
 * with the structs they give. Table-driven: one cmocka test per row, named after it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frontend/mesos/container_info.h"
#include "core/plan/plan.h"
#include "lib/util.h"
#include "scenarios/harness.h"

#define RW MCZ_VOLUME_RW
#define RO MCZ_VOLUME_RO

/* ---- bad JSON: the exact message ------------------------------------------------------- */

struct bad_case {
	const char *json;
	const char *what;
	const char *msg;
};

static void check_bad(void **state)
{
	const struct bad_case *c = *state;
	struct mcz_container_info ci = { .volumes = (void *)&ci, .n_volumes = 42 }; /* sentinel */
	struct mcz_error err = MCZ_ERROR_INIT;

	int r = mcz_container_info_parse(c->json, c->what ? c->what : "container_info", &ci, &err);
	assert_int_equal(r, -EINVAL);
	assert_int_equal(err.errnum, EINVAL);
	assert_int_equal(err.op, -1);
	assert_string_equal(err.msg, c->msg);
	/* *ret untouched on failure */
	assert_ptr_equal(ci.volumes, (void *)&ci);
	assert_int_equal(ci.n_volumes, 42);
	mcz_error_done(&err);
}

#define BAD(case_, json_, msg_)                                                                 \
	{ "test_container_info__" #case_, check_bad, NULL, NULL,                                \
	  &(struct bad_case){ .json = (json_), .what = NULL, .msg = (msg_) } }
#define BAD_WHAT(case_, what_, json_, msg_)                                                     \
	{ "test_container_info__" #case_, check_bad, NULL, NULL,                                \
	  &(struct bad_case){ .json = (json_), .what = (what_), .msg = (msg_) } }

#define M "{\"type\": \"MESOS\", " /* 18 characters */

/* ---- good JSON: the parsed volumes ----------------------------------------------------- */

struct vol {
	const char *container_path;
	const char *host_path;
	enum mcz_volume_mode mode;
};

struct good_case {
	const char *json;
	size_t n;
	struct vol v[4];
};

static void assert_volumes(const struct mcz_container_info *ci, const struct vol *v, size_t n)
{
	assert_int_equal(ci->n_volumes, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(ci->volumes[i].container_path, v[i].container_path);
		if (v[i].host_path)
			assert_string_equal(ci->volumes[i].host_path, v[i].host_path);
		else
			assert_null(ci->volumes[i].host_path);
		assert_int_equal(ci->volumes[i].mode, v[i].mode);
	}
}

static void check_good(void **state)
{
	const struct good_case *c = *state;
	struct mcz_container_info ci = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;

	int r = mcz_container_info_parse(c->json, "container_info", &ci, &err);
	if (r < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_int_equal(r, 0);
	assert_false(mcz_error_is_set(&err));
	assert_volumes(&ci, c->v, c->n);
	mcz_container_info_done(&ci);
	assert_null(ci.volumes);
	assert_int_equal(ci.n_volumes, 0);
}

#define GOOD(case_, json_, n_, ...)                                                             \
	{ "test_container_info__" #case_, check_good, NULL, NULL,                               \
	  &(struct good_case){ .json = (json_), .n = (n_), .v = { __VA_ARGS__ } } }

/* ---- --volume=HOST:CONTAINER[:rw|ro] --------------------------------------------------- */

struct flag_case {
	const char *spec;
	const char *msg; /* NULL: success, giving v */
	struct vol v;
};

/* Every case appends to a ContainerInfo that already has one volume from JSON. */
static void check_volume_flag(void **state)
{
	const struct flag_case *c = *state;
	struct mcz_container_info ci = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	static const struct vol first = { "/json", "json", RO };

	assert_int_equal(mcz_container_info_parse(
				 M "\"volumes\": [{\"container_path\": \"/json\", \"host_path\": "
				   "\"json\", \"mode\": \"RO\"}]}",
				 "container_info", &ci, &err),
			 0);
	int r = mcz_container_info_add_volume_flag(&ci, c->spec, &err);
	if (c->msg) {
		assert_int_equal(r, -EINVAL);
		assert_string_equal(err.msg, c->msg);
		assert_volumes(&ci, &first, 1);
	} else {
		if (r < 0)
			fail_msg("unexpected error: %s", err.msg);
		struct vol both[2] = { first, c->v };
		assert_volumes(&ci, both, 2);
	}
	mcz_container_info_done(&ci);
	mcz_error_done(&err);
}

#define VFLAG_OK(case_, spec_, host_, container_, mode_)                                        \
	{ "test_container_info__" #case_, check_volume_flag, NULL, NULL,                        \
	  &(struct flag_case){ .spec = (spec_), .msg = NULL,                                    \
			       .v = { (container_), (host_), (mode_) } } }
#define VFLAG_BAD(case_, spec_, msg_)                                                           \
	{ "test_container_info__" #case_, check_volume_flag, NULL, NULL,                        \
	  &(struct flag_case){ .spec = (spec_), .msg = (msg_) } }

/* ---- single tests ----------------------------------------------------------------------- */

static void test_container_info__volume_flags_on_empty_info(void **state)
{
	struct mcz_container_info ci = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	static const struct vol want[] = { { "/tmp", "tmp", RW }, { "/data", "/srv/data", RO } };

	(void)state;
	assert_int_equal(mcz_container_info_add_volume_flag(&ci, "tmp:/tmp", &err), 0);
	assert_int_equal(mcz_container_info_add_volume_flag(&ci, "/srv/data:/data:ro", &err), 0);
	assert_volumes(&ci, want, 2);
	mcz_container_info_done(&ci);
}

static void test_container_info__done_accepts_zeroed_and_twice(void **state)
{
	struct mcz_container_info ci = { 0 };

	(void)state;
	mcz_container_info_done(&ci);
	mcz_container_info_done(&ci);
	mcz_container_info_done(NULL);
}

/* The first error is kept: a second parse failure does not overwrite it. */
static void test_container_info__first_error_wins(void **state)
{
	struct mcz_container_info ci = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;

	(void)state;
	assert_int_equal(mcz_container_info_parse("{}", "container_info", &ci, &err), -EINVAL);
	assert_int_equal(mcz_container_info_parse("[]", "container_info", &ci, &err), -EINVAL);
	assert_string_equal(err.msg, "container_info: missing field 'type' at line 1, column 1");
	mcz_error_done(&err);
}

/* The plan printer that `mcz prepare` uses. */
static void test_container_info__mount_plan_format(void **state)
{
	struct mcz_mount_plan plan = { 0 };

	(void)state;
	_cleanup_free_ char *empty = mcz_mount_plan_format(&plan);
	assert_string_equal(empty, "");
	mcz_mount_plan_add(&plan, MCZ_STEP_MAKE_RSLAVE, NULL, "/", MS_REC | MS_SLAVE);
	mcz_mount_plan_add(&plan, MCZ_STEP_BIND, "/var/lib/mcz/sandboxes/c1/tmp", "/tmp",
			   MS_BIND | MS_REC);
	mcz_mount_plan_add(&plan, MCZ_STEP_BIND, "/srv/data", "/data", MS_BIND | MS_REC);
	mcz_mount_plan_add(&plan, MCZ_STEP_REMOUNT_RO, NULL, "/data",
			   MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_REC);
	mcz_mount_plan_add(&plan, MCZ_STEP_REMOUNT_RO, NULL, "/x", MS_RDONLY | (1UL << 31));
	mcz_mount_plan_add(&plan, MCZ_STEP_REMOUNT_RO, NULL, "/y", 0);
	_cleanup_free_ char *text = mcz_mount_plan_format(&plan);
	assert_string_equal(text,
			    "make-rslave '/' (MS_REC|MS_SLAVE)\n"
			    "bind '/var/lib/mcz/sandboxes/c1/tmp' on '/tmp' (MS_BIND|MS_REC)\n"
			    "bind '/srv/data' on '/data' (MS_BIND|MS_REC)\n"
			    "remount-ro '/data' (MS_RDONLY|MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND|MS_REC)\n"
			    "remount-ro '/x' (MS_RDONLY|0x80000000)\n"
			    "remount-ro '/y' (0)\n");
	mcz_mount_plan_done(&plan);
	assert_null(plan.steps);
	assert_int_equal(plan.n_steps, 0);
	mcz_mount_plan_done(&plan);
}

/* The error record itself (core/error.c). */
static void test_container_info__error_record(void **state)
{
	struct mcz_error err = MCZ_ERROR_INIT;

	(void)state;
	assert_false(mcz_error_is_set(&err));
	assert_int_equal(mcz_error_sys(&err, -EPERM, SYS_OP_fchmodat, "/s/tmp"), -EPERM);
	assert_string_equal(err.msg, "chmod '/s/tmp': Operation not permitted");
	assert_int_equal(err.op, SYS_OP_fchmodat);
	assert_string_equal(err.path, "/s/tmp");
	/* the first error wins */
	assert_int_equal(mcz_error_sys(&err, -EIO, SYS_OP_mkdirat, "/other"), -EIO);
	assert_int_equal(mcz_error_fmt(&err, -EINVAL, "later"), -EINVAL);
	assert_string_equal(err.msg, "chmod '/s/tmp': Operation not permitted");
	/* wrap adds context */
	assert_int_equal(mcz_error_wrap(&err, "volume '%s'", "/tmp"), -EPERM);
	assert_string_equal(err.msg, "volume '/tmp': chmod '/s/tmp': Operation not permitted");
	mcz_error_done(&err);
	assert_false(mcz_error_is_set(&err));
	assert_null(err.path);
	assert_int_equal(err.op, -1);
	/* a NULL record is allowed */
	assert_int_equal(mcz_error_sys(NULL, -ENOENT, SYS_OP_mkdirat, "/x"), -ENOENT);
	assert_int_equal(mcz_error_fmt(NULL, -ENOENT, "x"), -ENOENT);
	mcz_error_done(NULL);
	/* wrapping nothing still reports something */
	assert_int_equal(mcz_error_wrap(&err, "step '%s'", "a"), -EIO);
	assert_string_equal(err.msg, "step 'a'");
	mcz_error_done(&err);
	assert_int_equal(mcz_error_sys(&err, -ENOENT, SYS_OP_close, NULL), -ENOENT);
	assert_string_equal(err.msg, "close: No such file or directory");
	mcz_error_done(&err);
}

static const struct CMUnitTest tests[] = {
	/* malformed JSON: jansson's text and position */
	BAD(empty, "", "container_info: unexpected token near end of file at line 1, column 1"),
	BAD(only_space, "  \n ",
	    "container_info: unexpected token near end of file at line 2, column 1"),
	BAD(truncated_object, "{",
	    "container_info: string or '}' expected near end of file at line 1, column 1"),
	BAD(truncated_after_value, M "\"volumes\": [",
	    "container_info: ']' expected near end of file at line 1, column 30"),
	BAD(truncated_string, "{\"type\": \"MES",
	    "container_info: premature end of input near '\"MES' at line 1, column 13"),
	BAD(truncated_multiline, "{\"type\": \"MESOS\",\n \"volumes\": [\n  {\"container_path\"",
	    "container_info: ':' expected near end of file at line 3, column 19"),
	BAD(missing_comma, "{\"type\": \"MESOS\" \"volumes\": []}",
	    "container_info: '}' expected near '\"volumes\"' at line 1, column 26"),
	BAD(trailing_comma, "{\"type\": \"MESOS\",}",
	    "container_info: string or '}' expected near '}' at line 1, column 18"),
	BAD(trailing_garbage, "{\"type\": \"MESOS\"} x",
	    "container_info: end of file expected near 'x' at line 1, column 19"),
	BAD(not_json, "type=MESOS", "container_info: invalid token near 'type' at line 1, column 4"),
	BAD(single_quotes, "{'type': 'MESOS'}",
	    "container_info: string or '}' expected near ''' at line 1, column 2"),
	BAD(nul_in_string, M "\"volumes\": [{\"container_path\": \"/t\\u0000\", \"mode\": \"RW\"}]}",
	    "container_info: \\u0000 is not allowed without JSON_ALLOW_NUL near "
	    "'\"/t\\u0000\"' at line 1, column 59"),
	BAD(column_counts_characters, "{\"type\": \"é\" x}",
	    "container_info: '}' expected near 'x' at line 1, column 14"),
	/* duplicate keys */
	BAD(duplicate_type, "{\"type\": \"MESOS\", \"type\": \"MESOS\"}",
	    "container_info: duplicate object key near '\"type\"' at line 1, column 24"),
	BAD(duplicate_in_volume,
	    M "\"volumes\": [\n  {\"container_path\": \"/a\", \"mode\": \"RW\", \"mode\": \"RO\"}]}",
	    "container_info: duplicate object key near '\"mode\"' at line 2, column 47"),
	/* top level */
	BAD(top_level_array, "[]", "container_info: top level must be an object at line 1, column 1"),
	BAD(top_level_string, "\"MESOS\"",
	    "container_info: top level must be an object at line 1, column 1"),
	BAD(top_level_null, "null", "container_info: top level must be an object at line 1, column 1"),
	BAD(top_level_number_indented, "\n   42",
	    "container_info: top level must be an object at line 2, column 4"),
	/* type */
	BAD(missing_type, "{}", "container_info: missing field 'type' at line 1, column 1"),
	BAD(missing_type_with_volumes, "\n  {\"volumes\": []}",
	    "container_info: missing field 'type' at line 2, column 3"),
	BAD(type_number, "{\"type\": 1}",
	    "container_info: field 'type' must be a string at line 1, column 2"),
	BAD(type_null, "{\"type\": null}",
	    "container_info: field 'type' must be a string at line 1, column 2"),
	BAD(type_object, "{ \"volumes\": [],\n  \"type\": {\"name\": \"MESOS\"}}",
	    "container_info: field 'type' must be a string at line 2, column 3"),
	BAD(type_docker, "{\"type\": \"DOCKER\"}",
	    "container_info: type 'DOCKER' is not supported: only MESOS containers are supported"),
	BAD(type_lower_case, "{\"type\": \"mesos\"}",
	    "container_info: type 'mesos' is not supported: only MESOS containers are supported"),
	BAD(type_empty, "{\"type\": \"\"}",
	    "container_info: type '' is not supported: only MESOS containers are supported"),
	/* top-level fields */
	BAD(unknown_top_field, M "\"volume\": []}",
	    "container_info: unknown field 'volume' at line 1, column 19"),
	BAD(unknown_fields_first_in_text, M "\"zz\": 1, \"aa\": 2, \"mm\": 3}",
	    "container_info: unknown field 'zz' at line 1, column 19"),
	BAD(unknown_field_with_escape, M "\"a\\u0062c\": 1}",
	    "container_info: unknown field 'abc' at line 1, column 19"),
	BAD(docker_field, M "\"docker\": {\"image\": \"busybox\"}}",
	    "container_info: field 'docker' is not supported at line 1, column 19"),
	BAD(mesos_field, M "\"mesos\": {}}",
	    "container_info: field 'mesos' is not supported at line 1, column 19"),
	BAD(network_infos_field, M "\"network_infos\": []}",
	    "container_info: field 'network_infos' is not supported at line 1, column 19"),
	BAD(hostname_number, M "\"hostname\": 7}",
	    "container_info: field 'hostname' must be a string at line 1, column 19"),
	/* volumes */
	BAD(volumes_object, M "\"volumes\": {}}",
	    "container_info: field 'volumes' must be an array at line 1, column 19"),
	BAD(volumes_string, M "\"volumes\": \"/tmp\"}",
	    "container_info: field 'volumes' must be an array at line 1, column 19"),
	BAD(volumes_null, M "\"volumes\": null}",
	    "container_info: field 'volumes' must be an array at line 1, column 19"),
	BAD(volume_number, M "\"volumes\": [1]}",
	    "container_info: field 'volumes[0]' must be an object at line 1, column 31"),
	BAD(volume_array, M "\"volumes\": [{\"container_path\": \"/a\", \"mode\": \"RW\"}, []]}",
	    "container_info: field 'volumes[1]' must be an object at line 1, column 71"),
	BAD(volume_string, M "\"volumes\": [\n  \"/tmp:/tmp\"]}",
	    "container_info: field 'volumes[0]' must be an object at line 2, column 3"),
	BAD(missing_container_path, M "\"volumes\": [{\"host_path\": \"tmp\", \"mode\": \"RW\"}]}",
	    "container_info: missing field 'volumes[0].container_path' at line 1, column 31"),
	BAD(missing_container_path_second,
	    "{\"type\": \"MESOS\",\n \"volumes\": [\n  {\"container_path\": \"/a\", \"mode\": \"RW\"},\n"
	    "  {\"mode\": \"RO\"}]}",
	    "container_info: missing field 'volumes[1].container_path' at line 4, column 3"),
	BAD(container_path_number, M "\"volumes\": [{\"container_path\": 1, \"mode\": \"RW\"}]}",
	    "container_info: field 'volumes[0].container_path' must be a string at line 1, column 32"),
	BAD(container_path_null, M "\"volumes\": [{\"mode\": \"RW\", \"container_path\": null}]}",
	    "container_info: field 'volumes[0].container_path' must be a string at line 1, column 46"),
	BAD(missing_mode, M "\"volumes\": [{\"container_path\": \"/tmp\"}]}",
	    "container_info: missing field 'volumes[0].mode' at line 1, column 31"),
	BAD(mode_lower_case, M "\"volumes\": [{\"container_path\": \"/tmp\", \"mode\": \"rw\"}]}",
	    "container_info: field 'volumes[0].mode' must be \"RW\" or \"RO\" at line 1, column 58"),
	BAD(mode_bad, M "\"volumes\": [{\"container_path\": \"/tmp\", \"mode\": \"RX\"}]}",
	    "container_info: field 'volumes[0].mode' must be \"RW\" or \"RO\" at line 1, column 58"),
	BAD(mode_number, M "\"volumes\": [{\"container_path\": \"/tmp\", \"mode\": 1}]}",
	    "container_info: field 'volumes[0].mode' must be \"RW\" or \"RO\" at line 1, column 58"),
	BAD(mode_bool, M "\"volumes\": [{\"container_path\": \"/tmp\", \"mode\": true}]}",
	    "container_info: field 'volumes[0].mode' must be \"RW\" or \"RO\" at line 1, column 58"),
	BAD(host_path_number,
	    M "\"volumes\": [{\"container_path\": \"/tmp\", \"mode\": \"RW\", \"host_path\": 5}]}",
	    "container_info: field 'volumes[0].host_path' must be a string at line 1, column 72"),
	BAD(host_path_null,
	    M "\"volumes\": [{\"container_path\": \"/tmp\", \"mode\": \"RW\", \"host_path\": null}]}",
	    "container_info: field 'volumes[0].host_path' must be a string at line 1, column 72"),
	BAD(unknown_volume_field,
	    "{\"type\": \"MESOS\",\n \"volumes\": [\n  {\"container_path\": \"/tmp\", \"mode\": \"RW\",\n"
	    "      \"hostpath\": \"tmp\"}]}",
	    "container_info: unknown field 'volumes[0].hostpath' at line 4, column 7"),
	BAD(volume_image_field,
	    M "\"volumes\": [{\"container_path\": \"/tmp\", \"mode\": \"RW\", \"image\": {}}]}",
	    "container_info: field 'volumes[0].image' is not supported at line 1, column 72"),
	BAD(volume_source_field,
	    M "\"volumes\": [{\"source\": {}, \"container_path\": \"/tmp\", \"mode\": \"RW\"}]}",
	    "container_info: field 'volumes[0].source' is not supported at line 1, column 32"),
	BAD(unknown_field_checked_before_missing,
	    M "\"volumes\": [{\"path\": \"/tmp\", \"mode\": \"RW\"}]}",
	    "container_info: unknown field 'volumes[0].path' at line 1, column 32"),
	BAD(position_counts_characters,
	    M "\"volumes\": [{\"container_path\": \"/é\", \"mode\": \"RW\", \"k\\u00e9y\": 1}]}",
	    "container_info: unknown field 'volumes[0].kéy' at line 1, column 70"),
	BAD(nested_values_skipped,
	    M "\"hostname\": \"h\", \"volumes\": [{\"container_path\": \"/a\", \"mode\": \"RW\"},\n"
	      "{\"container_path\": \"/b\", \"mode\": \"RO\", \"host_path\": \"x\\\"]}\"},\n"
	      "{\"container_path\": \"/c\", \"mode\": \"RO\", \"host_path\": [1]}]}",
	    "container_info: field 'volumes[2].host_path' must be a string at line 3, column 40"),
	BAD(carriage_returns,
	    "{\r\n\"type\": \"MESOS\",\r\n\"volumes\": [{\"mode\": \"RW\"}]}",
	    "container_info: missing field 'volumes[0].container_path' at line 3, column 13"),
	BAD_WHAT(what_names_the_source, "default_container_info '/etc/mcz/ci.json'", "{\n}",
		 "default_container_info '/etc/mcz/ci.json': missing field 'type' at line 1, "
		 "column 1"),

	/* good input */
	GOOD(type_only, "{\"type\": \"MESOS\"}", 0, { NULL, NULL, RW }),
	GOOD(spec_example,
	     "{\"type\": \"MESOS\",\n"
	     " \"volumes\": [ {\"container_path\": \"/tmp\", \"host_path\": \"tmp\", \"mode\": \"RW\"},\n"
	     "              {\"container_path\": \"/data\", \"host_path\": \"/srv/data\", \"mode\": "
	     "\"RO\"} ]}",
	     2, { "/tmp", "tmp", RW }, { "/data", "/srv/data", RO }),
	GOOD(empty_volumes, M "\"volumes\": []}", 0, { NULL, NULL, RW }),
	GOOD(hostname_ignored, M "\"hostname\": \"box\"}", 0, { NULL, NULL, RW }),
	GOOD(host_path_optional, M "\"volumes\": [{\"mode\": \"RO\", \"container_path\": \"/etc\"}]}",
	     1, { "/etc", NULL, RO }),
	GOOD(empty_strings_passed_through,
	     M "\"volumes\": [{\"container_path\": \"\", \"host_path\": \"\", \"mode\": \"RW\"}]}", 1,
	     { "", "", RW }),
	GOOD(escapes_decoded,
	     M "\"volumes\": [{\"container_path\": \"/a b\\/c\\u00e9\", \"host_path\": \"t\\\"q\", "
	       "\"mode\": \"RW\"}]}",
	     1, { "/a b/cé", "t\"q", RW }),
	GOOD(key_order_free,
	     "{\"volumes\": [{\"mode\": \"RW\", \"host_path\": \"h\", \"container_path\": \"/c\"}],"
	     " \"type\": \"MESOS\"}",
	     1, { "/c", "h", RW }),
	GOOD(paths_not_normalized_here,
	     M "\"volumes\": [{\"container_path\": \"tmp/../x/\", \"host_path\": \"../y\", \"mode\": "
	       "\"RW\"}]}",
	     1, { "tmp/../x/", "../y", RW }),

	/* --volume */
	VFLAG_OK(volume_flag_relative_host, "tmp:/tmp", "tmp", "/tmp", RW),
	VFLAG_OK(volume_flag_ro, "/srv/data:/data:ro", "/srv/data", "/data", RO),
	VFLAG_OK(volume_flag_rw, "/a:/b:rw", "/a", "/b", RW),
	VFLAG_BAD(volume_flag_one_part, "tmp",
		  "volume 'tmp': expected HOST:CONTAINER[:rw|ro]"),
	VFLAG_BAD(volume_flag_empty, "", "volume '': expected HOST:CONTAINER[:rw|ro]"),
	VFLAG_BAD(volume_flag_four_parts, "a:/b:ro:x",
		  "volume 'a:/b:ro:x': expected HOST:CONTAINER[:rw|ro]"),
	VFLAG_BAD(volume_flag_empty_host, ":/tmp", "volume ':/tmp': empty host path"),
	VFLAG_BAD(volume_flag_empty_container, "tmp:", "volume 'tmp:': empty container path"),
	VFLAG_BAD(volume_flag_empty_both, ":", "volume ':': empty host path"),
	VFLAG_BAD(volume_flag_bad_mode, "a:/b:rx", "volume 'a:/b:rx': mode 'rx' must be rw or ro"),
	VFLAG_BAD(volume_flag_upper_mode, "a:/b:RO", "volume 'a:/b:RO': mode 'RO' must be rw or ro"),
	VFLAG_BAD(volume_flag_empty_mode, "a:/b:", "volume 'a:/b:': mode '' must be rw or ro"),

	cmocka_unit_test(test_container_info__volume_flags_on_empty_info),
	cmocka_unit_test(test_container_info__done_accepts_zeroed_and_twice),
	cmocka_unit_test(test_container_info__first_error_wins),
	cmocka_unit_test(test_container_info__mount_plan_format),
	cmocka_unit_test(test_container_info__error_record),
};

SCENARIO_SUITE(container_info, tests, NULL, NULL);
