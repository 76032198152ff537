/*
 * volumes.c — filesystem/shared volume preparation (SPEC §5) over the recording fake:
 * every rule table-driven, golden traces for the main cases, symlink attacks, and the
 * exhaustive fault matrix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/frontend/mesos/container_info.h"
#include "core/container/container.h"
#include "core/container/launcher.h"
#include "lib/util.h"
#include "core/isolators/volume.h"
#include "scenarios/fault_matrix.h"
#include "scenarios/harness.h"
#include "sys/trace.h"

#define SB "/var/lib/mcz/sandboxes/c1"

#define RW MCZ_VOLUME_RW
#define RO MCZ_VOLUME_RO

struct vol_spec {
	const char *container_path;
	const char *host_path;
	enum mcz_volume_mode mode;
};

/* A volume list; terminated by container_path == NULL. */
struct vol_list {
	const char *sandbox;
	struct vol_spec v[8];
};

/* The host: a sticky /tmp, a setgid shared dir owned by 1000:1000, a nosuid,nodev data
 * mount, a file, and a directory that symlink attacks aim at. */
static void world_host(struct fake *f)
{
	assert_int_equal(fake_add_dir(f, "/tmp", 01777, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, "/tmpfoo", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, "/var/tmp", 01777, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, SB, 0750, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, SB "/inside", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, "/srv/data", 0755, 0, 0), 0);
	assert_int_equal(fake_add_mount(f, "/srv/data", MS_NOSUID | MS_NODEV), 0);
	assert_int_equal(fake_add_dir(f, "/data", 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, "/shared", 02775, 1000, 1000), 0);
	assert_int_equal(fake_add_file(f, "/etc/resolv.conf", 0644, 0, 0), 0);
	assert_int_equal(fake_add_file(f, "/usr/bin/sudo", 04755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, "/outside", 0755, 0, 0), 0);
}

static void vols_build(const struct vol_list *l, struct mcz_volume **ret, size_t *ret_n)
{
	size_t n = 0;
	struct mcz_volume *v;

	while (l->v[n].container_path)
		n++;
	v = mcz_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i].container_path = mcz_xstrdup(l->v[i].container_path);
		v[i].host_path = l->v[i].host_path ? mcz_xstrdup(l->v[i].host_path) : NULL;
		v[i].mode = l->v[i].mode;
	}
	*ret = v;
	*ret_n = n;
}

static void vols_free(struct mcz_volume *v, size_t n)
{
	struct mcz_container_info ci = { .volumes = v, .n_volumes = n };

	mcz_container_info_done(&ci);
}

static int body_prepare(struct sys *s, const void *data, char **ret_out, void **ret_leftover,
			struct mcz_error *err)
{
	const struct vol_list *l = data;
	struct mcz_mount_plan plan = { 0 };
	struct mcz_volume *v;
	size_t n;
	int r;

	vols_build(l, &v, &n);
	r = mcz_shared_prepare(s, l->sandbox ? l->sandbox : SB, v, n, &plan, err);
	if (r >= 0)
		*ret_out = mcz_mount_plan_format(&plan);
	mcz_mount_plan_done(&plan);
	vols_free(v, n);
	(void)ret_leftover; /* prepare undoes its own failures */
	return r;
}

/* ---- the fault scenarios (golden traces + fault matrix) ---- */

static const struct vol_list private_tmp = { .v = { { "/tmp", "tmp", RW } } };
static const struct vol_list absolute_ro = { .v = { { "/data", "/srv/data", RO } } };
static const struct vol_list setgid_dir = { .v = { { "/shared", "shared", RW } } };
static const struct vol_list file_volume = { .v = { { "/etc/resolv.conf", "etc/resolv.conf", RO } } };
static const struct vol_list everything = { .v = {
	{ "/tmp", "tmp", RW },
	{ "/var/tmp", "deep/er/var-tmp", RW },
	{ "/data", "/srv/data", RO },
	{ "/shared", "shared", RO },
	{ "/etc/resolv.conf", "etc/resolv.conf", RO },
	{ "/usr/bin/sudo", "sudo", RW },
} };

static void world_existing_leaf(struct fake *f)
{
	world_host(f);
	/* An earlier run left tmp behind with other attributes, and a file volume's leaf. */
	assert_int_equal(fake_add_dir(f, SB "/tmp", 0700, 1000, 1000), 0);
	assert_int_equal(fake_add_file(f, SB "/etc/resolv.conf", 0600, 1000, 1000), 0);
}

static const struct vol_list existing_leaf = { .v = {
	{ "/tmp", "tmp", RW },
	{ "/etc/resolv.conf", "etc/resolv.conf", RW },
} };

FAULT_SCENARIO(private_tmp, .name = "private_tmp", .doc = "private /tmp from the host's 1777 /tmp",
	       .sandbox = SB, .context = "volume '", .world = world_host, .body = body_prepare,
	       .data = &private_tmp);
FAULT_SCENARIO(absolute_ro, .name = "absolute_ro",
	       .doc = "absolute read-only volume from a nosuid,nodev mount", .sandbox = SB,
	       .context = "volume '", .world = world_host, .body = body_prepare, .data = &absolute_ro);
FAULT_SCENARIO(setgid_dir, .name = "setgid_dir", .doc = "setgid 2775 directory owned by 1000:1000",
	       .sandbox = SB, .context = "volume '", .world = world_host, .body = body_prepare,
	       .data = &setgid_dir);
FAULT_SCENARIO(file_volume, .name = "file_volume",
	       .doc = "read-only file volume with an intermediate directory", .sandbox = SB,
	       .context = "volume '", .world = world_host, .body = body_prepare, .data = &file_volume);
FAULT_SCENARIO(everything, .name = "everything",
	       .doc = "six volumes: relative, deep, absolute RO, setgid RO, file RO, setuid file",
	       .sandbox = SB, .context = "volume '", .world = world_host, .body = body_prepare,
	       .data = &everything);
FAULT_SCENARIO(existing_leaf, .name = "existing_leaf",
	       .doc = "leaves left by an earlier run get the container path's attributes",
	       .sandbox = SB, .context = "volume '", .world = world_existing_leaf,
	       .body = body_prepare, .data = &existing_leaf);

static const char *const golden_names[] = {
	"private_tmp", "absolute_ro", "setgid_dir", "file_volume", "everything", "existing_leaf",
};

static void test_volumes__golden_traces(void **state)
{
	(void)state;
	fault_golden_check_all(golden_names, MCZ_ARRAY_SIZE(golden_names));
}

static void test_volumes__fault_matrix(void **state)
{
	(void)state;
	fault_matrix_run_all("fault matrix", golden_names, MCZ_ARRAY_SIZE(golden_names));
}

/* ---- end states a user would check ---- */

static void prepare_in(struct fake *f, const struct vol_list *l, char **ret_plan, struct mcz_error *err,
		       int *ret_r)
{
	*ret_r = body_prepare(fake_sys(f), l, ret_plan, NULL, err);
}

static void assert_node(struct fake *f, const char *path, mode_t type, mode_t mode, uid_t uid, gid_t gid)
{
	struct stat st;

	if (fake_lstat(f, path, &st) < 0)
		fail_msg("'%s' does not exist", path);
	assert_int_equal(st.st_mode & S_IFMT, type);
	assert_int_equal(st.st_mode & 07777, mode);
	assert_int_equal(st.st_uid, uid);
	assert_int_equal(st.st_gid, gid);
}

static void test_volumes__everything_end_state(void **state)
{
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *plan = NULL;
	int r;

	(void)state;
	world_host(f);
	prepare_in(f, &everything, &plan, &err, &r);
	assert_int_equal(r, 0);
	assert_node(f, SB "/tmp", S_IFDIR, 01777, 0, 0);
	assert_node(f, SB "/deep", S_IFDIR, 0755, 0, 0);
	assert_node(f, SB "/deep/er", S_IFDIR, 0755, 0, 0);
	assert_node(f, SB "/deep/er/var-tmp", S_IFDIR, 01777, 0, 0);
	assert_node(f, SB "/shared", S_IFDIR, 02775, 1000, 1000);
	assert_node(f, SB "/etc", S_IFDIR, 0755, 0, 0);
	assert_node(f, SB "/etc/resolv.conf", S_IFREG, 0644, 0, 0);
	/* a file whose content the container controls never gets setuid/setgid (SPEC §11) */
	assert_node(f, SB "/sudo", S_IFREG, 0755, 0, 0);
	assert_int_equal(fake_open_fds(f), 0);
	assert_non_null(strstr(plan, "remount-ro '/data' (MS_RDONLY|MS_NOSUID|MS_NODEV|MS_REMOUNT|MS_BIND)\n"));
	fake_free(f);
}

static void test_volumes__prepare_twice_converges(void **state)
{
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *plan1 = NULL, *plan2 = NULL, *s1 = NULL, *s2 = NULL;
	int r;

	(void)state;
	world_host(f);
	prepare_in(f, &everything, &plan1, &err, &r);
	assert_int_equal(r, 0);
	s1 = fake_snapshot(f);
	prepare_in(f, &everything, &plan2, &err, &r);
	assert_int_equal(r, 0);
	s2 = fake_snapshot(f);
	assert_string_equal(plan1, plan2);
	assert_string_equal(s1, s2);
	fake_free(f);
}

static void test_volumes__tmp_and_tmpfoo_do_not_clash(void **state)
{
	static const struct vol_list l = { .v = { { "/tmp", "tmp", RW }, { "/tmpfoo", "tmpfoo", RW } } };
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *plan = NULL;
	int r;

	(void)state;
	world_host(f);
	prepare_in(f, &l, &plan, &err, &r);
	assert_int_equal(r, 0);
	assert_string_equal(plan, "make-rslave '/' (MS_REC|MS_SLAVE)\n"
				  "bind '" SB "/tmp' on '/tmp' (MS_BIND|MS_REC)\n"
				  "bind '" SB "/tmpfoo' on '/tmpfoo' (MS_BIND|MS_REC)\n");
	fake_free(f);
}

static void test_volumes__trailing_slashes_are_ignored(void **state)
{
	static const struct vol_list l = { .v = { { "/tmp/", "tmp/", RW } } };
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *plan = NULL;
	int r;

	(void)state;
	world_host(f);
	prepare_in(f, &l, &plan, &err, &r);
	assert_int_equal(r, 0);
	assert_string_equal(plan, "make-rslave '/' (MS_REC|MS_SLAVE)\n"
				  "bind '" SB "/tmp' on '/tmp' (MS_BIND|MS_REC)\n");
	fake_free(f);
}

static void test_volumes__no_volumes_plans_only_rslave(void **state)
{
	static const struct vol_list l = { .v = { { NULL, NULL, RW } } };
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *plan = NULL;
	int r;

	(void)state;
	world_host(f);
	prepare_in(f, &l, &plan, &err, &r);
	assert_int_equal(r, 0);
	assert_string_equal(plan, "make-rslave '/' (MS_REC|MS_SLAVE)\n");
	assert_string_equal(fake_trace(f), "");
	fake_free(f);
}

/* ---- bad input: exact message, nothing created, nothing changed ---- */

struct bad_case {
	const char *name;
	struct vol_list l;
	void (*world)(struct fake *f); /* NULL: world_host */
	const char *msg;
};

static void world_sandbox_file_leaf(struct fake *f)
{
	world_host(f);
	assert_int_equal(fake_add_file(f, SB "/tmp", 0644, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, SB "/resolv", 0755, 0, 0), 0);
}

/* A tenant's symlinks on host paths the checks resolve: a container path through one, a
 * container path that is one, an absolute host path that is one or goes through one. */
static void world_host_symlinks(struct fake *f)
{
	world_host(f);
	assert_int_equal(fake_add_dir(f, "/outside/x", 0755, 0, 0), 0);
	assert_int_equal(fake_add_symlink(f, "/home/tenant/link", "/outside"), 0);
	assert_int_equal(fake_add_symlink(f, "/home/tenant/dir", "/outside/x"), 0);
	assert_int_equal(fake_add_symlink(f, "/srv/link", "/srv/data"), 0);
}

/* A file volume's leaf an earlier run left as a hard link (to a host file, say). */
static void world_hardlinked_leaf(struct fake *f)
{
	world_host(f);
	assert_int_equal(fake_add_file(f, SB "/etc/resolv.conf", 0600, 1000, 1000), 0);
	assert_int_equal(fake_set_nlink(f, SB "/etc/resolv.conf", 2), 0);
}

#define SYMLINK_MSG(what, path) what " '" path "' is a symlink or goes through one: links are not followed there"

static const struct bad_case bad_cases[] = {
	{ "container path through a symlink", { .v = { { "/home/tenant/link/x", "x", RW } } },
	  world_host_symlinks,
	  "volume '/home/tenant/link/x': " SYMLINK_MSG("container path", "/home/tenant/link/x") },
	{ "container path is a symlink", { .v = { { "/home/tenant/dir", "x", RW } } },
	  world_host_symlinks, "volume '/home/tenant/dir': " SYMLINK_MSG("container path", "/home/tenant/dir") },
	{ "absolute host path is a symlink", { .v = { { "/data", "/srv/link", RO } } }, world_host_symlinks,
	  "volume '/data': " SYMLINK_MSG("host path", "/srv/link") },
	{ "absolute host path through a symlink", { .v = { { "/outside", "/home/tenant/link/x", RO } } },
	  world_host_symlinks, "volume '/outside': " SYMLINK_MSG("host path", "/home/tenant/link/x") },
	{ "reused file leaf with two links", { .v = { { "/etc/resolv.conf", "etc/resolv.conf", RW } } },
	  world_hardlinked_leaf,
	  "volume '/etc/resolv.conf': host path '" SB "/etc/resolv.conf' has 2 links: a file with more "
	  "than one link is refused (another may be a host file)" },
	{ "relative container path", { .v = { { "tmp", "tmp", RW } } }, NULL,
	  "volume 'tmp': container path 'tmp' must be absolute" },
	{ "empty container path", { .v = { { "", "tmp", RW } } }, NULL,
	  "volume '': container path '' must be absolute" },
	{ "root container path", { .v = { { "/", "tmp", RW } } }, NULL,
	  "volume '/': container path must not be '/'" },
	{ "dotdot in container path", { .v = { { "/tmp/../etc", "tmp", RW } } }, NULL,
	  "volume '/tmp/../etc': container path '/tmp/../etc' must be normal (no '.', '..' or empty "
	  "components)" },
	{ "dot in container path", { .v = { { "/tmp/.", "tmp", RW } } }, NULL,
	  "volume '/tmp/.': container path '/tmp/.' must be normal (no '.', '..' or empty components)" },
	{ "empty component in container path", { .v = { { "//tmp", "tmp", RW } } }, NULL,
	  "volume '//tmp': container path '//tmp' must be normal (no '.', '..' or empty components)" },
	{ "two trailing slashes", { .v = { { "/tmp//", "tmp", RW } } }, NULL,
	  "volume '/tmp//': container path '/tmp//' must be normal (no '.', '..' or empty components)" },
	{ "missing container path", { .v = { { "/nonexistent", "tmp", RW } } }, NULL,
	  "volume '/nonexistent': container path '/nonexistent' does not exist on the host" },
	{ "missing host path", { .v = { { "/tmp", NULL, RW } } }, NULL,
	  "volume '/tmp': host path is required by filesystem/shared" },
	{ "dotdot in relative host path", { .v = { { "/tmp", "../escape", RW } } }, NULL,
	  "volume '/tmp': relative host path '../escape' must not be empty or contain '.', '..' or "
	  "empty components" },
	{ "dot in relative host path", { .v = { { "/tmp", "a/./b", RW } } }, NULL,
	  "volume '/tmp': relative host path 'a/./b' must not be empty or contain '.', '..' or empty "
	  "components" },
	{ "empty component in relative host path", { .v = { { "/tmp", "a//b", RW } } }, NULL,
	  "volume '/tmp': relative host path 'a//b' must not be empty or contain '.', '..' or empty "
	  "components" },
	{ "empty host path", { .v = { { "/tmp", "", RW } } }, NULL,
	  "volume '/tmp': relative host path '' must not be empty or contain '.', '..' or empty "
	  "components" },
	{ "missing absolute host path", { .v = { { "/tmp", "/nope", RW } } }, NULL,
	  "volume '/tmp': host path '/nope' does not exist on the host" },
	{ "file host path on directory", { .v = { { "/tmp", "/etc/resolv.conf", RW } } }, NULL,
	  "volume '/tmp': host path '/etc/resolv.conf' is not a directory but container path '/tmp' is a "
	  "directory" },
	{ "directory host path on file", { .v = { { "/etc/resolv.conf", "/srv/data", RW } } }, NULL,
	  "volume '/etc/resolv.conf': host path '/srv/data' is a directory but container path "
	  "'/etc/resolv.conf' is not a directory" },
	{ "same container path twice", { .v = { { "/tmp", "tmp", RW }, { "/tmp/", "tmp2", RW } } }, NULL,
	  "volume '/tmp/': container path '/tmp' is used by another volume" },
	{ "nested below an earlier volume", { .v = { { "/srv", "srv", RW }, { "/srv/data", "d", RW } } },
	  NULL, "volume '/srv/data': container path '/srv/data' and volume '/srv' are nested" },
	{ "nested above an earlier volume", { .v = { { "/srv/data", "d", RW }, { "/srv", "srv", RW } } },
	  NULL, "volume '/srv': container path '/srv' and volume '/srv/data' are nested" },
	{ "contains the sandbox", { .v = { { "/var/lib", "lib", RW } } }, NULL,
	  "volume '/var/lib': container path '/var/lib' contains the sandbox '" SB "'" },
	{ "is the sandbox", { .v = { { SB, "x", RW } } }, NULL,
	  "volume '" SB "': container path '" SB "' contains the sandbox '" SB "'" },
	{ "inside the sandbox", { .v = { { SB "/inside", "x", RW } } }, NULL,
	  "volume '" SB "/inside': container path '" SB "/inside' is inside the sandbox '" SB "'" },
	{ "first check wins", { .v = { { "tmp", NULL, RW } } }, NULL,
	  "volume 'tmp': container path 'tmp' must be absolute" },
	{ "second volume bad, first not created",
	  { .v = { { "/tmp", "tmp", RW }, { "/nonexistent", "x", RW } } }, NULL,
	  "volume '/nonexistent': container path '/nonexistent' does not exist on the host" },
	{ "relative sandbox", { .sandbox = "sandboxes/c1", .v = { { "/tmp", "tmp", RW } } }, NULL,
	  "sandbox 'sandboxes/c1' must be a normal absolute path other than '/'" },
	{ "existing leaf of the wrong kind (file for a directory)", { .v = { { "/tmp", "tmp", RW } } },
	  world_sandbox_file_leaf, "volume '/tmp': open '" SB "/tmp': Not a directory" },
	{ "existing leaf of the wrong kind (directory for a file)",
	  { .v = { { "/etc/resolv.conf", "resolv", RW } } }, world_sandbox_file_leaf,
	  "volume '/etc/resolv.conf': host path '" SB "/resolv' exists and is not a regular file" },
};

static void test_volumes__bad_input_is_rejected_and_creates_nothing(void **state)
{
	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct fake *f = fake_new();
		struct mcz_error err = MCZ_ERROR_INIT;
		_cleanup_free_ char *before = NULL, *after = NULL, *plan = NULL;
		int r;

		(bc->world ? bc->world : world_host)(f);
		before = fake_snapshot(f);
		prepare_in(f, &bc->l, &plan, &err, &r);
		if (r >= 0)
			fail_msg("case '%s': accepted", bc->name);
		if (!err.msg || strcmp(err.msg, bc->msg) != 0)
			fail_msg("case '%s':\n  expected: %s\n  got:      %s", bc->name, bc->msg,
				 err.msg ? err.msg : "(none)");
		assert_int_equal(r, -err.errnum);
		assert_null(plan);
		after = fake_snapshot(f);
		if (strcmp(before, after) != 0)
			fail_msg("case '%s': state changed\n--- before\n%s--- after\n%s", bc->name, before, after);
		mcz_error_done(&err);
		fake_free(f);
	}
}

/* ---- symlink attacks: a symlink planted anywhere along a relative host path ---- */

struct attack {
	const char *link;   /* where the symlink is planted (below the sandbox) */
	const char *target; /* what it points at */
	const char *host_path;
	const char *cp;
	const char *msg_path; /* the path the error must name */
};

static const struct attack attacks[] = {
	{ SB "/tmp", "/outside", "tmp", "/tmp", SB "/tmp" },
	{ SB "/tmp", "../../../../../outside", "tmp", "/tmp", SB "/tmp" },
	{ SB "/a", "/outside", "a/b/tmp", "/tmp", SB "/a" },
	{ SB "/a", "/outside", "a/tmp", "/tmp", SB "/a" },
	{ SB "/resolv.conf", "/outside/resolv.conf", "resolv.conf", "/etc/resolv.conf", SB "/resolv.conf" },
	{ SB "/resolv.conf", "/etc/resolv.conf", "resolv.conf", "/etc/resolv.conf", SB "/resolv.conf" },
	{ SB "/d", "/outside", "d/resolv.conf", "/etc/resolv.conf", SB "/d" },
	{ SB "/tmp", "/nonexistent-dangling", "tmp", "/tmp", SB "/tmp" },
};

static void world_outside_file(struct fake *f)
{
	world_host(f);
	assert_int_equal(fake_add_file(f, "/outside/resolv.conf", 0600, 0, 0), 0);
}

static void test_volumes__planted_symlinks_are_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(attacks); i++) {
		const struct attack *a = &attacks[i];
		struct vol_list l = { .v = { { a->cp, a->host_path, RW } } };
		struct fake *f = fake_new();
		struct mcz_error err = MCZ_ERROR_INIT;
		_cleanup_free_ char *before = NULL, *after = NULL, *plan = NULL, *want = NULL;
		int r;

		world_outside_file(f);
		assert_int_equal(fake_add_symlink(f, a->link, a->target), 0);
		before = fake_snapshot(f);
		prepare_in(f, &l, &plan, &err, &r);
		assert_int_equal(r, -ELOOP);
		want = mcz_xasprintf("volume '%s': '%s' is a symlink: links are not followed inside the "
				     "sandbox",
				     a->cp, a->msg_path);
		if (strcmp(err.msg, want) != 0)
			fail_msg("attack %zu:\n  expected: %s\n  got:      %s", i, want, err.msg);
		after = fake_snapshot(f);
		if (strcmp(before, after) != 0)
			fail_msg("attack %zu: state changed\n--- before\n%s--- after\n%s", i, before, after);
		/* Nothing outside the sandbox was even asked to change. */
		assert_null(strstr(fake_trace(f), "/outside"));
		assert_null(strstr(fake_trace(f), "fchown("));
		assert_null(strstr(fake_trace(f), "fchmod("));
		mcz_error_done(&err);
		fake_free(f);
	}
}

/* ---- targeted faults: the message a user reads ---- */

static void test_volumes__chmod_failure_message(void **state)
{
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *plan = NULL, *before = NULL, *after = NULL;
	int r;

	(void)state;
	world_host(f);
	before = fake_snapshot(f);
	fake_on(f, SYS_OP_fchmod, NULL, EPERM, false);
	prepare_in(f, &private_tmp, &plan, &err, &r);
	assert_int_equal(r, -EPERM);
	assert_string_equal(err.msg, "volume '/tmp': chmod '" SB "/tmp': Operation not permitted");
	assert_int_equal(err.op, SYS_OP_fchmod);
	after = fake_snapshot(f);
	assert_string_equal(before, after);
	mcz_error_done(&err);
	fake_free(f);
}

static void test_volumes__failure_restores_existing_leaf(void **state)
{
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *plan = NULL;
	int r;

	(void)state;
	world_existing_leaf(f);
	/* The second volume fails after the first one's leaf was already changed. */
	fake_on(f, SYS_OP_fchmod, SB "/etc/*", EROFS, false);
	prepare_in(f, &existing_leaf, &plan, &err, &r);
	assert_int_equal(r, -EROFS);
	assert_node(f, SB "/tmp", S_IFDIR, 0700, 1000, 1000);
	assert_node(f, SB "/etc/resolv.conf", S_IFREG, 0600, 1000, 1000);
	mcz_error_done(&err);
	fake_free(f);
}

static void test_volumes__missing_sandbox(void **state)
{
	static const struct vol_list l = { .sandbox = "/var/lib/mcz/sandboxes/none",
					   .v = { { "/tmp", "tmp", RW } } };
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *plan = NULL;
	int r;

	(void)state;
	world_host(f);
	prepare_in(f, &l, &plan, &err, &r);
	assert_int_equal(r, -ENOENT);
	assert_string_equal(err.msg, "volume '/tmp': open '/var/lib/mcz/sandboxes/none': No such file or "
				     "directory");
	mcz_error_done(&err);
	fake_free(f);
}

static void test_volumes__check_normalizes_in_place(void **state)
{
	static const struct vol_list l = { .v = { { "/tmp/", "tmp", RW }, { "/data", "/srv/data", RO } } };
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_volume *v;
	size_t n;

	(void)state;
	world_host(f);
	vols_build(&l, &v, &n);
	assert_int_equal(mcz_volumes_check(fake_sys(f), SB, v, n, &err), 0);
	assert_string_equal(v[0].container_path, "/tmp");
	assert_string_equal(fake_trace(f),
			    "openat2(AT_FDCWD, \"/tmp\", O_RDONLY|O_CLOEXEC|O_PATH, 0, RESOLVE_NO_SYMLINKS) = 3\n"
			    "fstat(3</tmp>, {st_mode=S_IFDIR|01777, st_uid=0, st_gid=0}) = 0\n"
			    "close(3</tmp>) = 0\n"
			    "openat2(AT_FDCWD, \"/data\", O_RDONLY|O_CLOEXEC|O_PATH, 0, RESOLVE_NO_SYMLINKS) = 3\n"
			    "fstat(3</data>, {st_mode=S_IFDIR|0755, st_uid=0, st_gid=0}) = 0\n"
			    "close(3</data>) = 0\n"
			    "openat2(AT_FDCWD, \"/srv/data\", O_RDONLY|O_CLOEXEC|O_PATH, 0, RESOLVE_NO_SYMLINKS) = 3\n"
			    "fstat(3</srv/data>, {st_mode=S_IFDIR|0755, st_uid=0, st_gid=0}) = 0\n"
			    "close(3</srv/data>) = 0\n");
	assert_int_equal(fake_open_fds(f), 0);
	vols_free(v, n);
	fake_free(f);
}

/* Where openat2 is missing (ENOSYS), the checks walk from "/" with O_NOFOLLOW: the same
 * plan, and the same refusal of a symlink on a container path. */
static void test_volumes__openat2_enosys_walks(void **state)
{
	static const struct vol_list l = { .v = { { "/home/tenant/link/x", "x", RW } } };
	struct fake *f = fake_new();
	struct mcz_error err = MCZ_ERROR_INIT;
	_cleanup_free_ char *plan = NULL, *ref = NULL;
	int r;

	(void)state;
	world_host(f);
	prepare_in(f, &everything, &ref, &err, &r);
	assert_int_equal(r, 0);
	fake_free(f);
	f = fake_new();
	world_host_symlinks(f);
	fake_on(f, SYS_OP_openat2, NULL, ENOSYS, false);
	prepare_in(f, &everything, &plan, &err, &r);
	assert_int_equal(r, 0);
	assert_string_equal(plan, ref);
	if (!strstr(fake_trace(f), "</usr>, \"bin\", O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_PATH, 0) = "))
		fail_msg("no walk:\n%s", fake_trace(f));
	assert_int_equal(fake_open_fds(f), 0);
	prepare_in(f, &l, &plan, &err, &r);
	assert_int_equal(r, -ELOOP);
	assert_string_equal(err.msg, "volume '/home/tenant/link/x': " SYMLINK_MSG("container path", "/home/tenant/link/x"));
	assert_int_equal(fake_open_fds(f), 0);
	mcz_error_done(&err);
	fake_free(f);
}

/* ---- the child: what it mounts is what the checks saw (SPEC §11) ---- */

struct child_run {
	struct fake *f;
	struct mcz_container c;
	char *argv[2];
	char *envp[1];
	int r;
	struct sys_child_report rep;
	pid_t pid;
};

static void child_prepare(struct child_run *cr, const struct vol_list *l, void (*world)(struct fake *))
{
	static const struct fake_program forever = { .run_ms = -1 };
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_volume *v;
	size_t n;

	memset(cr, 0, sizeof(*cr));
	cr->f = fake_new();
	(world ? world : world_host)(cr->f);
	assert_int_equal(fake_add_program(cr->f, "/bin/sleep", &forever), 0);
	vols_build(l, &v, &n);
	assert_int_equal(mcz_shared_prepare(fake_sys(cr->f), SB, v, n, &cr->c.plan, &err), 0);
	vols_free(v, n);
	cr->argv[0] = (char *)"/bin/sleep";
	cr->c.cfg.argv = cr->argv;
	cr->c.cfg.sandbox = (char *)SB;
	cr->c.envp = cr->envp;
	cr->c.s = fake_sys(cr->f);
}

/* Clone (a new mount namespace) and release the child that carries out the plan. */
static void child_release(struct child_run *cr)
{
	struct sys_spawn_req req = { .clone_flags = CLONE_NEWNS, .child_main = mcz_child_main, .arg = &cr->c };
	struct sys_child child;
	struct sys *s = fake_sys(cr->f);

	cr->pid = sys_spawn(s, &req, &child);
	assert_true(cr->pid > 0);
	cr->r = sys_release(s, &child, &cr->rep);
	mcz_mount_plan_close_fds(&cr->c.plan);
	assert_int_equal(fake_open_fds(cr->f), 0);
}

static void child_done(struct child_run *cr)
{
	int st;

	(void)sys_kill(fake_sys(cr->f), cr->pid, SIGKILL);
	(void)sys_waitpid(fake_sys(cr->f), cr->pid, &st, 0);
	mcz_mount_plan_done(&cr->c.plan);
	fake_free(cr->f);
}

static void assert_child_mounts(struct child_run *cr, const char *const *want)
{
	_cleanup_free_ char *snap = fake_snapshot(cr->f);

	assert_int_equal(cr->r, 0);
	for (size_t i = 0; want[i]; i++)
		if (!strstr(snap, want[i]))
			fail_msg("no '%s' in\n%s", want[i], snap);
}

static const struct vol_list tmp_and_data = { .v = { { "/tmp", "tmp", RW }, { "/data", "/srv/data", RO } } };

static const char *const tmp_and_data_mounts[] = {
	"mntns 1 mount /data flags=MS_RDONLY|MS_NOSUID|MS_NODEV|MS_BIND source=/srv/data prop=slave\n",
	"mntns 1 mount /tmp flags=MS_BIND source=" SB "/tmp prop=slave\n",
	NULL,
};

/* The usual way: the parent's detached trees (read-only already for /data) attached with
 * move_mount on the targets the child resolved and checked; nothing by name. */
static void test_volumes__child_attaches_the_checked_trees(void **state)
{
	struct child_run cr;

	(void)state;
	child_prepare(&cr, &tmp_and_data, NULL);
	child_release(&cr);
	assert_child_mounts(&cr, tmp_and_data_mounts);
	assert_non_null(strstr(fake_trace(cr.f), "] move_mount("));
	assert_null(strstr(fake_trace(cr.f), "MS_BIND|MS_REC"));
	child_done(&cr);
}

/* Where open_tree or mount_setattr are missing (ENOSYS), or openat2 in the child: the same
 * mounts, through the fallbacks. */
static void test_volumes__child_fallbacks_mount_the_same(void **state)
{
	static const int ops[] = { SYS_OP_open_tree, SYS_OP_mount_setattr, SYS_OP_openat2, SYS_OP_move_mount };

	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(ops); i++) {
		struct child_run cr;

		child_prepare(&cr, &tmp_and_data, NULL);
		fake_on(cr.f, ops[i], NULL, ENOSYS, false);
		if (ops[i] == SYS_OP_open_tree || ops[i] == SYS_OP_mount_setattr) {
			/* missing from the start: prepare again without them */
			mcz_mount_plan_done(&cr.c.plan);
			struct mcz_error err = MCZ_ERROR_INIT;
			struct mcz_volume *v;
			size_t n;

			vols_build(&tmp_and_data, &v, &n);
			assert_int_equal(mcz_shared_prepare(fake_sys(cr.f), SB, v, n, &cr.c.plan, &err), 0);
			vols_free(v, n);
		}
		child_release(&cr);
		if (cr.r != 0)
			fail_msg("%s ENOSYS: %s '%s': %s", sys_op_names[ops[i]], cr.rep.step, cr.rep.path,
				 strerror(cr.rep.errnum));
		assert_child_mounts(&cr, tmp_and_data_mounts);
		child_done(&cr);
	}
}

/* Between the checks and the child, the tenant replaces the container path: by another
 * directory (the child's dev/ino check refuses it), or by a symlink (its resolution does). */
static void test_volumes__child_refuses_a_swapped_target(void **state)
{
	static const struct { bool symlink; const char *step, *path; int err; } cases[] = {
		{ false, "fstat", "/data (replaced since it was checked)", ESTALE },
		{ true, "openat2", "/data", ELOOP },
	};

	(void)state;
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(cases); i++) {
		struct child_run cr;
		struct sys *s;

		child_prepare(&cr, &tmp_and_data, NULL);
		s = fake_sys(cr.f);
		assert_int_equal(sys_renameat(s, AT_FDCWD, "/data", AT_FDCWD, "/data.old"), 0);
		if (cases[i].symlink)
			assert_int_equal(sys_symlinkat(s, "/outside", AT_FDCWD, "/data"), 0);
		else
			assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/data", 0755), 0);
		child_release(&cr);
		assert_int_equal(cr.r, -cases[i].err);
		assert_string_equal(cr.rep.step, cases[i].step);
		assert_string_equal(cr.rep.path, cases[i].path);
		/* /tmp came first and was mounted; nothing went on /data or /outside */
		assert_null(strstr(fake_trace(cr.f), "move_mount(11"));
		child_done(&cr);
	}
}

/* Without open_tree the child opens the source by name: a sandbox leaf replaced since the
 * checks (another directory there now) is refused, not bound. */
static void test_volumes__child_refuses_a_swapped_source(void **state)
{
	static const struct vol_list l = { .v = { { "/tmp", "tmp", RW } } };
	struct child_run cr;
	struct sys *s;

	(void)state;
	child_prepare(&cr, &l, NULL);
	s = fake_sys(cr.f);
	mcz_mount_plan_done(&cr.c.plan);
	fake_on(cr.f, SYS_OP_open_tree, NULL, ENOSYS, false);
	{
		struct mcz_error err = MCZ_ERROR_INIT;
		struct mcz_volume *v;
		size_t n;

		vols_build(&l, &v, &n);
		assert_int_equal(mcz_shared_prepare(s, SB, v, n, &cr.c.plan, &err), 0);
		vols_free(v, n);
	}
	assert_int_equal(cr.c.plan.steps[1].fd, -1);
	assert_int_equal(sys_renameat(s, AT_FDCWD, SB "/tmp", AT_FDCWD, SB "/tmp.old"), 0);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, SB "/tmp", 0777), 0);
	child_release(&cr);
	assert_int_equal(cr.r, -ESTALE);
	assert_string_equal(cr.rep.path, SB "/tmp (replaced since it was checked)");
	assert_null(strstr(fake_trace(cr.f), "MS_BIND|MS_REC"));
	child_done(&cr);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_volumes__openat2_enosys_walks),
	cmocka_unit_test(test_volumes__child_attaches_the_checked_trees),
	cmocka_unit_test(test_volumes__child_fallbacks_mount_the_same),
	cmocka_unit_test(test_volumes__child_refuses_a_swapped_target),
	cmocka_unit_test(test_volumes__child_refuses_a_swapped_source),
	cmocka_unit_test(test_volumes__golden_traces),
	cmocka_unit_test(test_volumes__everything_end_state),
	cmocka_unit_test(test_volumes__prepare_twice_converges),
	cmocka_unit_test(test_volumes__tmp_and_tmpfoo_do_not_clash),
	cmocka_unit_test(test_volumes__trailing_slashes_are_ignored),
	cmocka_unit_test(test_volumes__no_volumes_plans_only_rslave),
	cmocka_unit_test(test_volumes__bad_input_is_rejected_and_creates_nothing),
	cmocka_unit_test(test_volumes__planted_symlinks_are_refused),
	cmocka_unit_test(test_volumes__chmod_failure_message),
	cmocka_unit_test(test_volumes__failure_restores_existing_leaf),
	cmocka_unit_test(test_volumes__missing_sandbox),
	cmocka_unit_test(test_volumes__check_normalizes_in_place),
	cmocka_unit_test(test_volumes__fault_matrix),
};

SCENARIO_SUITE(volumes, tests, NULL, NULL);
