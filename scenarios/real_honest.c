/*
 * real_honest.c — the fake is honest: the same volume preparation runs against the real
 * kernel (through the tracing shim) and against the fake, and the two must agree on the op
 * sequence, the plan and the resulting tree (kinds, modes, owners). Where they differ, the
 * fake is wrong.
 *
 * The real side runs in a private mount namespace on a tmpfs, so nothing it creates can
 * outlive the test process, and the host's view never changes.
 */
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/util.h"
#include "core/isolators/volume.h"
#include "fakes/fake.h"
#include "scenarios/real_tests.h"
#include "sys/trace.h"

struct world_node {
	const char *rel;
	char kind; /* d or f */
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static const struct world_node world[] = {
	{ "host", 'd', 0755, 0, 0 },
	{ "host/tmp", 'd', 01777, 0, 0 },
	{ "host/var-tmp", 'd', 01777, 0, 0 },
	{ "host/shared", 'd', 02775, 1000, 1000 },
	{ "host/data", 'd', 0755, 0, 0 },
	{ "host/srv", 'd', 0755, 0, 0 },
	{ "host/srv/data", 'd', 0755, 0, 0 },
	{ "host/etc", 'd', 0755, 0, 0 },
	{ "host/etc/resolv.conf", 'f', 0644, 0, 0 },
	{ "host/sudo", 'f', 04755, 0, 0 },
	{ "sb", 'd', 0750, 0, 0 },
};

/* Build the world on the real filesystem below base; chown before chmod (setuid/setgid). */
static int real_world(const char *base)
{
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(world); i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", base, world[i].rel);
		int r;

		if (world[i].kind == 'd') {
			r = mkdir(p, 0700);
		} else {
			int fd = open(p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
			r = fd < 0 ? -1 : close(fd);
		}
		if (r < 0 || chown(p, world[i].uid, world[i].gid) < 0 || chmod(p, world[i].mode) < 0)
			return -errno;
	}
	return 0;
}

static unsigned long st_to_ms(unsigned long st)
{
	static const struct {
		unsigned long st, ms;
	} map[] = { { ST_RDONLY, MS_RDONLY },	  { ST_NOSUID, MS_NOSUID },
		    { ST_NODEV, MS_NODEV },	  { ST_NOEXEC, MS_NOEXEC },
		    { ST_NOATIME, MS_NOATIME },	  { ST_NODIRATIME, MS_NODIRATIME },
		    { ST_RELATIME, MS_RELATIME } };
	unsigned long ms = 0;

	for (size_t i = 0; i < MCZ_ARRAY_SIZE(map); i++)
		if (st & map[i].st)
			ms |= map[i].ms;
	return ms;
}

/* The same world in the fake, including the mount flags the real mounts report. */
static void fake_world(struct fake *f, const char *base, unsigned long base_flags,
		       unsigned long data_flags)
{
	fake_add_dir(f, base, 0700, 0, 0);
	fake_add_mount(f, base, base_flags);
	for (size_t i = 0; i < MCZ_ARRAY_SIZE(world); i++) {
		_cleanup_free_ char *p = mcz_xasprintf("%s/%s", base, world[i].rel);

		if (world[i].kind == 'd')
			fake_add_dir(f, p, world[i].mode, world[i].uid, world[i].gid);
		else
			fake_add_file(f, p, world[i].mode, world[i].uid, world[i].gid);
	}
	_cleanup_free_ char *data = mcz_xasprintf("%s/host/srv/data", base);
	fake_add_mount(f, data, data_flags);
}

struct vols {
	struct mcz_volume v[6];
	size_t n;
};

static void vols_make(struct vols *vs, const char *base)
{
	static const struct {
		const char *cp, *hp;
		enum mcz_volume_mode mode;
		bool abs_host;
	} spec[] = {
		{ "host/tmp", "tmp", MCZ_VOLUME_RW, false },
		{ "host/var-tmp", "deep/er/var-tmp", MCZ_VOLUME_RW, false },
		{ "host/data", "host/srv/data", MCZ_VOLUME_RO, true },
		{ "host/shared", "shared", MCZ_VOLUME_RO, false },
		{ "host/etc/resolv.conf", "etc/resolv.conf", MCZ_VOLUME_RO, false },
		{ "host/sudo", "sudo", MCZ_VOLUME_RW, false },
	};

	vs->n = MCZ_ARRAY_SIZE(spec);
	for (size_t i = 0; i < vs->n; i++) {
		vs->v[i].container_path = mcz_xasprintf("%s/%s", base, spec[i].cp);
		vs->v[i].host_path = spec[i].abs_host ? mcz_xasprintf("%s/%s", base, spec[i].hp)
						      : mcz_xstrdup(spec[i].hp);
		vs->v[i].mode = spec[i].mode;
	}
}

static void vols_done(struct vols *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].container_path);
		free(vs->v[i].host_path);
	}
}

/* One "<kind> <mode> <uid>:<gid> <path>" line per node below dir, sorted, like the fake's
 * snapshot. */
static void walk_real(const char *dir, char ***lines, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		_cleanup_free_ char *p = NULL;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = mcz_xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) < 0)
			continue;
		char target[PATH_MAX] = "";
		ssize_t len = S_ISLNK(st.st_mode) ? readlink(p, target, sizeof(target) - 1) : -1;

		if (len >= 0)
			target[len] = '\0';
		*lines = mcz_xrealloc(*lines, (*n + 1) * sizeof(**lines));
		(*lines)[(*n)++] = mcz_xasprintf("%c 0%o %u:%u %s%s%s",
						 S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'f',
						 (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
						 (unsigned)st.st_gid, p, len >= 0 ? " -> " : "", target);
		if (S_ISDIR(st.st_mode))
			walk_real(p, lines, n);
	}
	closedir(d);
}

/* Lines are "<kind> <mode> <uid>:<gid> <path>…": order them by path. */
static const char *path_of(const char *line)
{
	const char *p = line;

	for (int spaces = 0; *p && spaces < 3; p++)
		spaces += *p == ' ';
	return p;
}

static int cmp_by_path(const void *a, const void *b)
{
	return strcmp(path_of(*(char *const *)a), path_of(*(char *const *)b));
}

static char *join_sorted(char **lines, size_t n)
{
	char *out = mcz_xstrdup("");

	qsort(lines, n, sizeof(*lines), cmp_by_path);
	for (size_t i = 0; i < n; i++) {
		mcz_strappend(&out, lines[i]);
		mcz_strappend(&out, "\n");
		free(lines[i]);
	}
	free(lines);
	return out;
}

static char *tree_real(const char *dir)
{
	char **lines = NULL;
	size_t n = 0;

	walk_real(dir, &lines, &n);
	return join_sorted(lines, n);
}

/* The fake's node lines strictly below dir, in the same format. */
static char *tree_fake(const struct fake *f, const char *dir)
{
	_cleanup_free_ char *snap = fake_snapshot_under(f, dir);
	_cleanup_free_ char *prefix = mcz_xasprintf(" %s/", dir);
	char **lines = NULL;
	size_t n = 0;

	for (char *line = strtok(snap, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strchr("dfl", line[0]) || line[1] != ' ' || !strstr(line, prefix))
			continue;
		lines = mcz_xrealloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = mcz_xstrdup(line);
	}
	return join_sorted(lines, n);
}

/* fd numbers depend on what else the process has open, so both traces are compared with
 * "N</path>" written "fd</path>" and an open's "= N" written "= fd". */
static char *normalize_fds(const char *trace)
{
	char *out = mcz_xmalloc(2 * strlen(trace) + 1), *o = out; /* "fd" may outgrow "3" */

	for (const char *p = trace; *p;) {
		size_t digits = strspn(p, "0123456789");
		bool at_word_start = p == trace || strchr("( ", p[-1]);

		if (digits && at_word_start && p[digits] == '<') {
			o = stpcpy(o, "fd");
			p += digits;
		} else if (digits && p >= trace + 2 && strncmp(p - 2, "= ", 2) == 0 && p[digits] == '\n' &&
			   strncmp(strrchr(out, '\n') ? strrchr(out, '\n') + 1 : out, "open", 4) == 0) {
			o = stpcpy(o, "fd");
			p += digits;
		} else {
			*o++ = *p++;
			*o = '\0';
		}
	}
	*o = '\0';
	return out;
}

static int report_diff(const char *what, const char *real, const char *fake)
{
	if (strcmp(real, fake) == 0)
		return 0;
	fprintf(stderr, "%s differ\n--- real\n%s--- fake\n%s", what, real, fake);
	return 1;
}

/* Private mount namespace + tmpfs at base, so the real side leaves nothing behind. */
static int enter_scratch(const char *base)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	if (mount("mcz-honest", base, "tmpfs", 0, "mode=0700") < 0)
		return -errno;
	return 0;
}

/* A nosuid,nodev bind of srv/data onto itself: a source with locked flags. */
static int lock_data_mount(const char *base)
{
	_cleanup_free_ char *p = mcz_xasprintf("%s/host/srv/data", base);

	if (mount(p, p, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, NULL) < 0)
		return -errno;
	return 0;
}

static unsigned long real_mount_flags(const char *p)
{
	struct statfs sf;

	return statfs(p, &sf) < 0 ? 0 : st_to_ms((unsigned long)sf.f_flags);
}

struct side {
	int r;
	char *plan;
	char *trace;
	char *tree;
	char *msg;
};

static void side_done(struct side *sd)
{
	free(sd->plan);
	free(sd->trace);
	free(sd->tree);
	free(sd->msg);
}

static void run_prepare(struct sys *s, const char *base, struct side *sd)
{
	_cleanup_free_ char *sandbox = mcz_xasprintf("%s/sb", base);
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_mount_plan plan = { 0 };
	struct vols vs;

	vols_make(&vs, base);
	sd->r = mcz_shared_prepare(s, sandbox, vs.v, vs.n, &plan, &err);
	sd->plan = sd->r >= 0 ? mcz_mount_plan_format(&plan) : NULL;
	sd->msg = err.msg ? mcz_xstrdup(err.msg) : NULL;
	mcz_mount_plan_done(&plan);
	mcz_error_done(&err);
	vols_done(&vs);
}

static int compare_sides(const struct side *real, const struct side *fake)
{
	int bad = 0;

	if (real->r != fake->r) {
		fprintf(stderr, "results differ: real %d (%s), fake %d (%s)\n", real->r,
			real->msg ? real->msg : "ok", fake->r, fake->msg ? fake->msg : "ok");
		bad = 1;
	}
	_cleanup_free_ char *rt = normalize_fds(real->trace), *ft = normalize_fds(fake->trace);
	bad |= report_diff("traces", rt, ft);
	bad |= report_diff("trees", real->tree, fake->tree);
	if (real->plan && fake->plan)
		bad |= report_diff("plans", real->plan, fake->plan);
	if (real->msg && fake->msg)
		bad |= report_diff("errors", real->msg, fake->msg);
	return bad;
}

/* Runs prepare on both sides; plant(base) may change the real world first and plant_fake the
 * fake one the same way. */
static int honest_run(void (*plant)(const char *base, struct fake *f), bool expect_ok)
{
	char base[256];
	struct side real = { 0 }, fake = { 0 };
	struct sys *tracer;
	struct fake *f;
	int bad, r;

	REAL_REQUIRE_ROOT();
	umask(022);
	r = real_tmpdir(base, sizeof(base));
	REAL_ASSERT(r == 0, "tmpdir: %s", strerror(-r));
	r = enter_scratch(base);
	REAL_ASSERT(r == 0, "scratch namespace: %s", strerror(-r));
	r = real_world(base);
	REAL_ASSERT(r == 0, "world: %s", strerror(-r));
	r = lock_data_mount(base);
	REAL_ASSERT(r == 0, "locked mount: %s", strerror(-r));

	f = fake_new();
	_cleanup_free_ char *data = mcz_xasprintf("%s/host/srv/data", base);
	fake_world(f, base, real_mount_flags(base), real_mount_flags(data));
	if (plant)
		plant(base, f);

	tracer = sys_tracer_new(sys_real());
	run_prepare(tracer, base, &real);
	real.trace = mcz_xstrdup(sys_trace_text(sys_tracer_trace(tracer)));
	sys_tracer_free(tracer);
	_cleanup_free_ char *sb = mcz_xasprintf("%s/sb", base);
	real.tree = tree_real(sb);

	run_prepare(fake_sys(f), base, &fake);
	fake.trace = mcz_xstrdup(fake_trace(f));
	fake.tree = tree_fake(f, sb);
	fake_free(f);

	bad = compare_sides(&real, &fake);
	if (!bad && expect_ok != (real.r >= 0)) {
		fprintf(stderr, "unexpected result %d: %s\n", real.r, real.msg ? real.msg : "ok");
		bad = 1;
	}
	side_done(&real);
	side_done(&fake);
	/* Leave the host as found: the tmpfs goes with the namespace, the directory goes now. */
	(void)umount2(data, MNT_DETACH);
	(void)umount2(base, MNT_DETACH);
	(void)rmdir(base);
	return bad;
}

REAL_TEST(honest__volume_prepare_matches_fake, 30)
{
	return honest_run(NULL, true);
}

static void plant_symlink(const char *base, struct fake *f)
{
	_cleanup_free_ char *link = mcz_xasprintf("%s/sb/deep", base);
	_cleanup_free_ char *target = mcz_xasprintf("%s/host", base);

	if (symlink(target, link) < 0)
		abort();
	fake_add_symlink(f, link, target);
}

REAL_TEST(honest__planted_symlink_refused_like_fake, 30)
{
	return honest_run(plant_symlink, false);
}

static void plant_leftovers(const char *base, struct fake *f)
{
	_cleanup_free_ char *tmp = mcz_xasprintf("%s/sb/tmp", base);
	_cleanup_free_ char *etc = mcz_xasprintf("%s/sb/etc", base);

	if (mkdir(tmp, 0700) < 0 || chown(tmp, 1000, 1000) < 0 || mkdir(etc, 0755) < 0)
		abort();
	fake_add_dir(f, tmp, 0700, 1000, 1000);
	fake_add_dir(f, etc, 0755, 0, 0);
}

REAL_TEST(honest__leftovers_of_an_earlier_run_match_fake, 30)
{
	return honest_run(plant_leftovers, true);
}
