/*
 * fake_model.c — pins the recording fake to the man pages.
 *
 * Each test states one kernel rule (path_resolution(7), open(2), openat2(2), mkdir(2),
 * chown(2), unlink(2), readlink(2), mount(2), umount(2), proc(5)) and checks the fake keeps
 * it, then the fault machinery (countdown modes, rules) and the trace text byte for byte.
 * Scenarios that pass against a wrong fake are worse than no tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "fakes/fake.h"
#include "scenarios/harness.h"
#include "sys/trace.h"

#define S(state) fake_sys((struct fake *)*(state))
#define F(state) ((struct fake *)*(state))

static int setup(void **state)
{
	*state = fake_new();
	return 0;
}

static int teardown(void **state)
{
	fake_free(*state);
	return 0;
}

static mode_t mode_of(struct fake *f, const char *path)
{
	struct stat st;

	assert_int_equal(fake_lstat(f, path, &st), 0);
	return st.st_mode;
}

static int open_path(struct sys *s, const char *path)
{
	return sys_openat(s, AT_FDCWD, path, O_PATH | O_CLOEXEC, 0);
}

static void assert_snapshot(const struct fake *f, const char *want)
{
	char *got = fake_snapshot(f);
	assert_string_equal(got, want);
	free(got);
}

/* ---- the world ---- */

static void test_fake__empty_world(void **state)
{
	assert_snapshot(F(state), "d 0755 0:0 /\n");
	assert_int_equal(fake_open_fds(F(state)), 0);
	assert_string_equal(fake_trace(F(state)), "");
}

static void test_fake__add_creates_parents(void **state)
{
	struct fake *f = F(state);

	assert_int_equal(fake_add_dir(f, "/c/1/data", 0750, 1000, 1000), 0);
	assert_int_equal(fake_add_file(f, "/etc/x", 04755, 0, 0), 0);
	assert_int_equal(fake_add_symlink(f, "/l", "/c"), 0);
	assert_int_equal(fake_add_dir(f, "/c/1", 0700, 0, 0), -EEXIST);
	assert_int_equal(fake_add_file(f, "/etc/x/y", 0644, 0, 0), -ENOTDIR);
	assert_snapshot(f, "d 0755 0:0 /\n"
			   "d 0755 0:0 /c\n"
			   "d 0755 0:0 /c/1\n"
			   "d 0750 1000:1000 /c/1/data\n"
			   "d 0755 0:0 /etc\n"
			   "f 04755 0:0 /etc/x\n"
			   "l 0777 0:0 /l -> /c\n");
	assert_int_equal(fake_calls(f), 0); /* world building is not a call */
}

/* ---- path resolution, path_resolution(7) ---- */

static void test_fake__resolution_dots_and_links(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;

	fake_add_dir(f, "/a/b", 0711, 0, 0);
	fake_add_symlink(f, "/a/rel", "b");
	fake_add_symlink(f, "/a/abs", "/a/b");
	fake_add_file(f, "/a/file", 0644, 0, 0);
	fake_add_symlink(f, "/dangling", "/nowhere");

	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/a/./b/../b", &st, 0), 0);
	assert_int_equal(st.st_mode, S_IFDIR | 0711);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/../../a/b", &st, 0), 0); /* "/.." is "/" */
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/a/rel", &st, 0), 0);
	assert_int_equal(st.st_mode, S_IFDIR | 0711);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/a/abs/..", &st, 0), 0);
	assert_int_equal(st.st_mode, S_IFDIR | 0755);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/a/rel", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* A trailing slash follows a final symlink and wants a directory. */
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/a/rel/", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/a/file/", &st, 0), -ENOTDIR);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/a/file/x", &st, 0), -ENOTDIR);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/a/missing/x", &st, 0), -ENOENT);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/dangling", &st, 0), -ENOENT);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "", &st, 0), -ENOENT);
	assert_int_equal(sys_fstatat(s, 42, "x", &st, 0), -EBADF);
}

static void test_fake__resolution_relative_to_dirfd(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;
	int fd;

	fake_add_dir(f, "/sb/c1/tmp", 01777, 0, 0);
	fake_add_file(f, "/sb/f", 0600, 0, 0);
	fd = sys_openat(s, AT_FDCWD, "/sb", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	assert_int_equal(fd, 3);
	assert_int_equal(sys_fstatat(s, fd, "c1/tmp", &st, 0), 0);
	assert_int_equal(st.st_mode, S_IFDIR | 01777);
	assert_int_equal(sys_fstatat(s, fd, "", &st, AT_EMPTY_PATH), 0);
	assert_int_equal(st.st_mode, S_IFDIR | 0755);
	assert_int_equal(sys_fstatat(s, 99, "/sb/f", &st, 0), 0); /* absolute ignores dirfd */
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "sb/f", &st, 0), 0); /* the cwd is "/" */
	int ffd = sys_openat(s, fd, "f", O_RDONLY, 0);
	assert_int_equal(sys_fstatat(s, ffd, "x", &st, 0), -ENOTDIR);
}

static void test_fake__eloop_after_40_links(void **state)
{
	struct fake *f = F(state);
	struct stat st;
	char path[32], target[32];

	fake_add_dir(f, "/d", 0755, 0, 0);
	/* /l0 -> /d, /l1 -> /l0, ... /l40 -> /l39 */
	fake_add_symlink(f, "/l0", "/d");
	for (int i = 1; i <= 40; i++) {
		snprintf(path, sizeof(path), "/l%d", i);
		snprintf(target, sizeof(target), "/l%d", i - 1);
		fake_add_symlink(f, path, target);
	}
	assert_int_equal(sys_fstatat(S(state), AT_FDCWD, "/l39", &st, 0), 0);
	assert_int_equal(sys_fstatat(S(state), AT_FDCWD, "/l40", &st, 0), -ELOOP);
	fake_add_symlink(f, "/self", "self");
	assert_int_equal(sys_fstatat(S(state), AT_FDCWD, "/self/x", &st, 0), -ELOOP);
}

/* ---- mkdir(2) ---- */

static void test_fake__mkdir_umask_and_mode_bits(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);

	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/a", 0777), 0);
	assert_int_equal(mode_of(f, "/a"), S_IFDIR | 0755);
	fake_set_umask(f, 0);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/b", 0777), 0);
	assert_int_equal(mode_of(f, "/b"), S_IFDIR | 0777);
	/* mkdir(2) NOTES: of the other bits Linux honours only S_ISVTX. */
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/c", 07777), 0);
	assert_int_equal(mode_of(f, "/c"), S_IFDIR | 01777);
}

static void test_fake__mkdir_eexist_even_dangling(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);

	fake_add_dir(f, "/d", 0755, 0, 0);
	fake_add_file(f, "/f", 0644, 0, 0);
	fake_add_symlink(f, "/l", "/d");
	fake_add_symlink(f, "/dangling", "/nowhere");
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/d", 0755), -EEXIST);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/f", 0755), -EEXIST);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/l", 0755), -EEXIST);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/dangling", 0755), -EEXIST);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/", 0755), -EEXIST);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/d/.", 0755), -EEXIST);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/nowhere", &(struct stat){ 0 }, 0), -ENOENT);
}

static void test_fake__mkdir_enoent_enotdir(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);

	fake_add_file(f, "/f", 0644, 0, 0);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/no/x", 0755), -ENOENT);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/f/x", 0755), -ENOTDIR);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/new/", 0755), 0); /* trailing slash is fine */
	assert_int_equal(mode_of(f, "/new"), S_IFDIR | 0755);
}

static void test_fake__mkdir_in_setgid_dir_inherits(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;

	fake_add_dir(f, "/g", 02775, 0, 50);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/g/sub", 0755), 0);
	assert_int_equal(fake_lstat(f, "/g/sub", &st), 0);
	assert_int_equal(st.st_mode, S_IFDIR | 02755);
	assert_int_equal(st.st_gid, 50);
}

/* ---- open(2) and openat2(2) ---- */

static void test_fake__open_creat_umask_owner(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;
	int fd;

	fake_add_dir(f, "/d", 0777, 1000, 1000);
	fd = sys_openat(s, AT_FDCWD, "/d/new", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	assert_int_equal(fd, 3);
	assert_int_equal(fake_lstat(f, "/d/new", &st), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0644);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, 0);
	assert_int_equal(sys_openat(s, AT_FDCWD, "/d/", O_RDONLY | O_CREAT, 0644), -EISDIR);
	assert_int_equal(sys_openat(s, AT_FDCWD, "/d/x/", O_RDONLY | O_CREAT, 0644), -EISDIR);
	assert_int_equal(sys_openat(s, AT_FDCWD, "/d", O_WRONLY, 0), -EISDIR);
}

static void test_fake__open_creat_excl_eexist_on_dangling(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);

	fake_add_file(f, "/f", 0644, 0, 0);
	fake_add_symlink(f, "/dangling", "/made");
	assert_int_equal(sys_openat(s, AT_FDCWD, "/f", O_RDONLY | O_CREAT | O_EXCL, 0644), -EEXIST);
	assert_int_equal(sys_openat(s, AT_FDCWD, "/dangling", O_RDONLY | O_CREAT | O_EXCL, 0644),
			 -EEXIST);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/made", &(struct stat){ 0 }, 0), -ENOENT);
	/* Without O_EXCL the link is followed and its target created. */
	assert_int_equal(sys_openat(s, AT_FDCWD, "/dangling", O_RDONLY | O_CREAT, 0600), 3);
	assert_int_equal(mode_of(f, "/made"), S_IFREG | 0600);
	/* With O_NOFOLLOW it is ELOOP. */
	assert_int_equal(sys_openat(s, AT_FDCWD, "/dangling", O_RDONLY | O_CREAT | O_NOFOLLOW, 0),
			 -ELOOP);
}

static void test_fake__open_nofollow_symlink(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;
	int fd;

	fake_add_dir(f, "/d", 0755, 0, 0);
	fake_add_symlink(f, "/l", "/d");
	assert_int_equal(sys_openat(s, AT_FDCWD, "/l", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	/* O_DIRECTORY wins over O_NOFOLLOW: ENOTDIR, as the kernel answers (see below). */
	assert_int_equal(sys_openat(s, AT_FDCWD, "/l", O_RDONLY | O_NOFOLLOW | O_DIRECTORY, 0),
			 -ENOTDIR);
	/* O_PATH|O_NOFOLLOW: the fd refers to the symlink itself (open(2)). */
	fd = sys_openat(s, AT_FDCWD, "/l", O_PATH | O_NOFOLLOW, 0);
	assert_int_equal(fd, 3);
	assert_int_equal(sys_fstat(s, fd, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* Only the last component is spared: an earlier symlink is followed. */
	fake_add_file(f, "/d/x", 0644, 0, 0);
	assert_true(sys_openat(s, AT_FDCWD, "/l/x", O_RDONLY | O_NOFOLLOW, 0) >= 0);
}

/* Final-symlink outcomes measured on this machine's kernel (6.18) for a symlink to a
 * directory, to a file and a dangling one; all three answer alike. */
static void test_fake__final_symlink_matches_kernel(void **state)
{
	static const struct {
		int flags;
		uint64_t resolve; /* ~0: plain openat */
		int expect;       /* 0: opens */
	} cases[] = {
		{ O_RDONLY | O_NOFOLLOW, ~0ULL, -ELOOP },
		{ O_RDONLY | O_DIRECTORY | O_NOFOLLOW, ~0ULL, -ENOTDIR },
		{ O_PATH | O_NOFOLLOW, ~0ULL, 0 },
		{ O_PATH | O_DIRECTORY | O_NOFOLLOW, ~0ULL, -ENOTDIR },
		{ O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW, ~0ULL, -EEXIST },
		{ O_RDONLY, RESOLVE_NO_SYMLINKS, -ELOOP },
		{ O_RDONLY | O_DIRECTORY, RESOLVE_NO_SYMLINKS, -ELOOP },
		{ O_RDONLY | O_DIRECTORY | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, -ENOTDIR },
		{ O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, 0 },
	};
	static const char *const links[] = { "/ld", "/lf", "/ln" };
	struct fake *f = F(state);
	struct sys *s = S(state);

	fake_add_dir(f, "/d", 0755, 0, 0);
	fake_add_file(f, "/f", 0644, 0, 0);
	fake_add_symlink(f, "/ld", "d");
	fake_add_symlink(f, "/lf", "f");
	fake_add_symlink(f, "/ln", "nope");
	for (size_t l = 0; l < 3; l++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			int fd = cases[i].resolve == ~0ULL
					 ? sys_openat(s, AT_FDCWD, links[l], cases[i].flags, 0600)
					 : sys_openat2(s, AT_FDCWD, links[l], cases[i].flags, 0,
						       cases[i].resolve);

			if (cases[i].expect == 0) {
				assert_true(fd >= 0);
				assert_int_equal(sys_close(s, fd), 0);
			} else if (fd != cases[i].expect) {
				fail_msg("%s case %zu: got %d, kernel gives %d", links[l], i, fd,
					 cases[i].expect);
			}
		}
	}
}

/* symlink(2): a new link, EEXIST on any existing name; rename(2) then replaces atomically. */
static void test_fake__symlinkat_and_rename_over(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	char buf[32];
	int n;

	fake_add_dir(f, "/d", 0755, 0, 0);
	assert_int_equal(sys_symlinkat(s, "PREPARING", AT_FDCWD, "/d/state"), 0);
	assert_int_equal(sys_symlinkat(s, "X", AT_FDCWD, "/d/state"), -EEXIST);
	assert_int_equal(sys_symlinkat(s, "RUNNING", AT_FDCWD, "/d/state.tmp"), 0);
	assert_int_equal(sys_renameat(s, AT_FDCWD, "/d/state.tmp", AT_FDCWD, "/d/state"), 0);
	n = sys_readlinkat(s, AT_FDCWD, "/d/state", buf, sizeof(buf));
	assert_int_equal(n, 7);
	assert_memory_equal(buf, "RUNNING", 7);
	assert_int_equal(sys_symlinkat(s, "x", AT_FDCWD, "/nope/l"), -ENOENT);
}

static void test_fake__open_directory_on_file(void **state)
{
	fake_add_file(F(state), "/f", 0644, 0, 0);
	assert_int_equal(sys_openat(S(state), AT_FDCWD, "/f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	assert_int_equal(sys_openat(S(state), AT_FDCWD, "/f", O_PATH | O_DIRECTORY, 0), -ENOTDIR);
}

static void test_fake__openat2_beneath_exdev(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	uint64_t rb = RESOLVE_BENEATH;
	int sb;

	fake_add_dir(f, "/sb/a", 0755, 0, 0);
	fake_add_dir(f, "/etc", 0755, 0, 0);
	fake_add_symlink(f, "/sb/abs", "/etc");
	fake_add_symlink(f, "/sb/up", "../etc");
	fake_add_symlink(f, "/sb/in", "a");
	sb = sys_openat(s, AT_FDCWD, "/sb", O_PATH | O_DIRECTORY, 0);
	assert_int_equal(sys_openat2(s, sb, "..", O_PATH, 0, rb), -EXDEV);
	assert_int_equal(sys_openat2(s, sb, "a/../../etc", O_PATH, 0, rb), -EXDEV);
	assert_int_equal(sys_openat2(s, sb, "/etc", O_PATH, 0, rb), -EXDEV);
	assert_int_equal(sys_openat2(s, sb, "abs", O_PATH, 0, rb), -EXDEV);
	assert_int_equal(sys_openat2(s, sb, "up", O_PATH, 0, rb), -EXDEV);
	/* Staying inside is fine, ".." included; relative symlinks too. */
	assert_true(sys_openat2(s, sb, "a/..", O_PATH, 0, rb) >= 0);
	assert_true(sys_openat2(s, sb, "in", O_PATH | O_DIRECTORY, 0, rb) >= 0);
	assert_int_equal(sys_openat2(s, AT_FDCWD, "..", O_PATH, 0, rb), -EXDEV);
}

static void test_fake__openat2_no_symlinks_eloop(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	uint64_t rn = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
	int sb, fd;

	fake_add_dir(f, "/sb/a", 0755, 0, 0);
	fake_add_symlink(f, "/sb/in", "a");
	sb = sys_openat(s, AT_FDCWD, "/sb", O_PATH | O_DIRECTORY, 0);
	assert_int_equal(sys_openat2(s, sb, "in/x", O_RDONLY, 0, rn), -ELOOP);
	assert_int_equal(sys_openat2(s, sb, "in", O_RDONLY | O_DIRECTORY, 0, rn), -ELOOP);
	assert_int_equal(sys_openat2(s, sb, "in", O_PATH, 0, rn), -ELOOP);
	assert_int_equal(sys_openat2(s, sb, "in", O_RDONLY | O_CREAT, 0600, rn), -ELOOP);
	/* openat2(2): with O_PATH|O_NOFOLLOW a final symlink is returned, not refused. */
	fd = sys_openat2(s, sb, "in", O_PATH | O_NOFOLLOW, 0, rn);
	assert_true(fd >= 0);
	assert_true(sys_openat2(s, sb, "a", O_RDONLY | O_DIRECTORY, 0, rn) >= 0);
}

static void test_fake__openat2_einval(void **state)
{
	struct sys *s = S(state);

	assert_int_equal(sys_openat2(s, AT_FDCWD, "/", O_RDONLY, 0700, 0), -EINVAL);
	assert_int_equal(sys_openat2(s, AT_FDCWD, "/", O_PATH | O_NONBLOCK, 0, 0), -EINVAL);
	assert_int_equal(sys_openat2(s, AT_FDCWD, "/", O_RDONLY, 0, 0x1000), -EINVAL);
	assert_int_equal(sys_openat2(s, AT_FDCWD, "/", O_RDONLY, 0,
				     RESOLVE_BENEATH | RESOLVE_IN_ROOT),
			 -EINVAL);
	/* openat(2) instead drops what O_PATH does not use. */
	assert_int_equal(sys_openat(s, AT_FDCWD, "/", O_PATH | O_NONBLOCK, 0), 3);
}

static void test_fake__fd_lowest_free_and_reuse(void **state)
{
	struct sys *s = S(state);

	assert_int_equal(open_path(s, "/"), 3);
	assert_int_equal(open_path(s, "/"), 4);
	assert_int_equal(open_path(s, "/"), 5);
	assert_int_equal(sys_close(s, 4), 0);
	assert_int_equal(open_path(s, "/"), 4);
	assert_int_equal(fake_open_fds(F(state)), 3);
	assert_int_equal(sys_close(s, 4), 0);
	assert_int_equal(sys_close(s, 4), -EBADF);
	assert_int_equal(sys_fstat(s, 4, &(struct stat){ 0 }), -EBADF);
	assert_int_equal(sys_fchmod(s, 4, 0700), -EBADF);
	assert_int_equal(sys_fstatfs(s, 4, &(struct statfs){ 0 }), -EBADF);
	assert_int_equal(sys_mkdirat(s, 4, "x", 0755), -EBADF);
	assert_int_equal(fake_open_fds(F(state)), 2);
}

/* ---- chmod(2), chown(2) ---- */

static void test_fake__chmod_follows_symlinks(void **state)
{
	struct fake *f = F(state);

	fake_add_file(f, "/f", 0644, 0, 0);
	fake_add_symlink(f, "/l", "/f");
	assert_int_equal(sys_fchmodat(S(state), AT_FDCWD, "/l", 04711, 0), 0);
	assert_int_equal(mode_of(f, "/f"), S_IFREG | 04711);
	assert_int_equal(mode_of(f, "/l"), S_IFLNK | 0777);
	assert_int_equal(sys_fchmodat(S(state), AT_FDCWD, "/l", 0600, AT_SYMLINK_NOFOLLOW), -EINVAL);
}

static void test_fake__fchmod_on_opath_ebadf(void **state)
{
	struct sys *s = S(state);
	int fd;

	fake_add_dir(F(state), "/d", 0755, 0, 0);
	fd = open_path(s, "/d");
	assert_int_equal(sys_fchmod(s, fd, 0700), -EBADF);
	assert_int_equal(sys_fchown(s, fd, 1, 1), -EBADF);
	fd = sys_openat(s, AT_FDCWD, "/d", O_RDONLY | O_DIRECTORY, 0);
	assert_int_equal(sys_fchmod(s, fd, 01777), 0);
	assert_int_equal(mode_of(F(state), "/d"), S_IFDIR | 01777);
}

static void test_fake__chown_clears_setuid(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;

	fake_add_file(f, "/suid", 06755, 0, 0);
	fake_add_file(f, "/sgid_noexec", 02644, 0, 0);
	fake_add_dir(f, "/dir", 06775, 0, 0);
	assert_int_equal(sys_fchownat(s, AT_FDCWD, "/suid", 1000, 1000, 0), 0);
	assert_int_equal(fake_lstat(f, "/suid", &st), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0755);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 1000);
	/* Without group execute, S_ISGID marks mandatory locking and stays. */
	assert_int_equal(sys_fchownat(s, AT_FDCWD, "/sgid_noexec", (uid_t)-1, 5, 0), 0);
	assert_int_equal(mode_of(f, "/sgid_noexec"), S_IFREG | 02644);
	/* Directories keep both. */
	assert_int_equal(sys_fchownat(s, AT_FDCWD, "/dir", 7, 7, 0), 0);
	assert_int_equal(mode_of(f, "/dir"), S_IFDIR | 06775);
}

static void test_fake__chown_nofollow_and_empty_path(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;
	int fd;

	fake_add_file(f, "/f", 0644, 0, 0);
	fake_add_symlink(f, "/l", "/f");
	assert_int_equal(sys_fchownat(s, AT_FDCWD, "/l", 5, 6, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fake_lstat(f, "/l", &st), 0);
	assert_int_equal(st.st_uid, 5);
	assert_int_equal(fake_lstat(f, "/f", &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(sys_fchownat(s, AT_FDCWD, "/l", 7, 8, 0), 0);
	assert_int_equal(fake_lstat(f, "/f", &st), 0);
	assert_int_equal(st.st_uid, 7);
	/* AT_EMPTY_PATH works on an O_PATH fd, which fchown() refuses. */
	fd = open_path(s, "/f");
	assert_int_equal(sys_fchownat(s, fd, "", 9, 9, AT_EMPTY_PATH), 0);
	assert_int_equal(fake_lstat(f, "/f", &st), 0);
	assert_int_equal(st.st_uid, 9);
	assert_int_equal(sys_fchownat(s, fd, "", 9, 9, 0), -ENOENT);
}

/* ---- unlink(2), rmdir(2) ---- */

static void test_fake__unlink_errnos(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);

	fake_add_file(f, "/full/f", 0644, 0, 0);
	fake_add_dir(f, "/empty", 0755, 0, 0);
	fake_add_symlink(f, "/l", "/empty");
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/full", AT_REMOVEDIR), -ENOTEMPTY);
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/full/f", AT_REMOVEDIR), -ENOTDIR);
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/l", AT_REMOVEDIR), -ENOTDIR);
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/empty", 0), -EISDIR);
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/full/f/", 0), -ENOTDIR);
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/missing", 0), -ENOENT);
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/empty/.", AT_REMOVEDIR), -EINVAL);
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/l", 0), 0); /* the link, not the dir */
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/full/f", 0), 0);
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/full", AT_REMOVEDIR), 0);
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/empty", AT_REMOVEDIR), 0);
	assert_snapshot(f, "d 0755 0:0 /\n");
}

static void test_fake__unlink_mount_point_ebusy(void **state)
{
	struct fake *f = F(state);

	fake_add_dir(f, "/mnt", 0755, 0, 0);
	fake_add_mount(f, "/mnt", 0);
	assert_int_equal(sys_unlinkat(S(state), AT_FDCWD, "/mnt", AT_REMOVEDIR), -EBUSY);
}

static void test_fake__unlinked_dir_keeps_fd(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	int fd;

	fake_add_dir(f, "/gone", 0755, 0, 0);
	fd = open_path(s, "/gone");
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/gone", AT_REMOVEDIR), 0);
	assert_int_equal(sys_fstat(s, fd, &(struct stat){ 0 }), 0);
	/* A deleted directory takes no new entries (IS_DEADDIR). */
	assert_int_equal(sys_mkdirat(s, fd, "x", 0755), -ENOENT);
}

/* ---- readlink(2) ---- */

static void test_fake__readlink(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	char buf[64];
	int fd;

	fake_add_symlink(f, "/l", "/some/target");
	fake_add_file(f, "/f", 0644, 0, 0);
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(sys_readlinkat(s, AT_FDCWD, "/l", buf, sizeof(buf)), 12);
	assert_memory_equal(buf, "/some/targetX", 13); /* no NUL added */
	assert_int_equal(sys_readlinkat(s, AT_FDCWD, "/l", buf, 5), 5);
	assert_memory_equal(buf, "/some", 5);
	assert_int_equal(sys_readlinkat(s, AT_FDCWD, "/f", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sys_readlinkat(s, AT_FDCWD, "/l", buf, 0), -EINVAL);
	assert_int_equal(sys_readlinkat(s, AT_FDCWD, "/none", buf, sizeof(buf)), -ENOENT);
	fd = sys_openat(s, AT_FDCWD, "/l", O_PATH | O_NOFOLLOW, 0);
	assert_int_equal(sys_readlinkat(s, fd, "", buf, sizeof(buf)), 12);
}

/* ---- mounts ---- */

static void test_fake__fstatfs_reports_mount_flags(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct statfs sfs;
	int fd;

	fake_add_dir(f, "/proc", 0555, 0, 0);
	fake_add_mount(f, "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
	fd = open_path(s, "/proc");
	assert_int_equal(sys_fstatfs(s, fd, &sfs), 0);
	assert_int_equal(sfs.f_flags & ~0x20L, ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME);
	fd = open_path(s, "/");
	assert_int_equal(sys_fstatfs(s, fd, &sfs), 0);
	assert_int_equal(sfs.f_flags, 0x20); /* ST_VALID alone: "/" has no flags */
}

static void test_fake__bind_mount_visibility(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;

	fake_add_file(f, "/src/inside", 0600, 3, 3);
	fake_add_file(f, "/dst/hidden", 0644, 0, 0);
	assert_int_equal(sys_mount(s, "/src", "/dst", NULL, MS_BIND | MS_REC, NULL), 0);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/dst/inside", &st, 0), 0);
	assert_int_equal(st.st_uid, 3);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/dst/hidden", &st, 0), -ENOENT);
	/* Writes through the bind land in the source. */
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/dst/new", 0700), 0);
	assert_int_equal(mode_of(f, "/src/new"), S_IFDIR | 0700);
	/* ".." from the mount's root leaves through the mount point. */
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/dst/../dst/hidden", &st, 0), -ENOENT);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/dst/../src/inside", &st, 0), 0);
	assert_int_equal(sys_umount2(s, "/dst/new", 0), -EINVAL); /* not a mount point */
	assert_int_equal(sys_umount2(s, "/dst", 0), 0);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/dst/hidden", &st, 0), 0);
	assert_int_equal(sys_umount2(s, "/dst", 0), -EINVAL);
	assert_int_equal(sys_mount(s, "/src/inside", "/dst", NULL, MS_BIND, NULL), -ENOTDIR);
}

static void test_fake__bind_rec_copies_submounts(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;

	fake_add_dir(f, "/src/sub", 0755, 0, 0);
	fake_add_file(f, "/other/o", 0644, 0, 0);
	fake_add_dir(f, "/dst", 0755, 0, 0);
	fake_add_dir(f, "/dst2", 0755, 0, 0);
	assert_int_equal(sys_mount(s, "/other", "/src/sub", NULL, MS_BIND, NULL), 0);
	assert_int_equal(sys_mount(s, "/src", "/dst", NULL, MS_BIND | MS_REC, NULL), 0);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/dst/sub/o", &st, 0), 0);
	assert_int_equal(sys_mount(s, "/src", "/dst2", NULL, MS_BIND, NULL), 0);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/dst2/sub/o", &st, 0), -ENOENT);
	/* With a submount in place, only MNT_DETACH takes it down. */
	assert_int_equal(sys_umount2(s, "/dst", 0), -EBUSY);
	assert_int_equal(sys_umount2(s, "/dst", MNT_DETACH), 0);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/dst/sub", &st, 0), -ENOENT);
}

static void test_fake__remount_ro_erofs(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	unsigned long ro = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID;
	struct statfs sfs;
	int fd;

	fake_add_dir(f, "/src/d", 0755, 0, 0);
	fake_add_file(f, "/src/file", 0644, 0, 0);
	fake_add_dir(f, "/dst", 0755, 0, 0);
	assert_int_equal(sys_mount(s, "/src", "/dst", NULL, MS_BIND, NULL), 0);
	assert_int_equal(sys_mount(s, NULL, "/dst/d", NULL, ro, NULL), -EINVAL); /* not a root */
	assert_int_equal(sys_mount(s, NULL, "/dst", NULL, ro, NULL), 0);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/dst/x", 0755), -EROFS);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/dst/d", 0755), -EEXIST); /* EEXIST first */
	assert_int_equal(sys_fchmodat(s, AT_FDCWD, "/dst/d", 0700, 0), -EROFS);
	assert_int_equal(sys_fchownat(s, AT_FDCWD, "/dst/d", 1, 1, 0), -EROFS);
	assert_int_equal(sys_unlinkat(s, AT_FDCWD, "/dst/file", 0), -EROFS);
	assert_int_equal(sys_openat(s, AT_FDCWD, "/dst/file", O_WRONLY, 0), -EROFS);
	assert_int_equal(sys_openat(s, AT_FDCWD, "/dst/new", O_RDONLY | O_CREAT, 0644), -EROFS);
	fd = sys_openat(s, AT_FDCWD, "/dst/file", O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sys_fstatfs(s, fd, &sfs), 0);
	assert_true(sfs.f_flags & ST_RDONLY);
	assert_true(sfs.f_flags & ST_NOSUID);
	/* The host's view does not change. */
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/src/x", 0755), 0);
	assert_int_equal(sys_close(s, fd), 0);
	char *snap = fake_snapshot(f);
	assert_non_null(strstr(snap, "mount /dst flags=MS_RDONLY|MS_NOSUID|MS_BIND source=/src\n"));
	free(snap);
}

static void test_fake__proc_self_fd_magic_link(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	char path[64], buf[64];
	struct stat st;
	int src, dst;

	fake_add_file(f, "/src/inside", 0600, 0, 0);
	fake_add_dir(f, "/dst", 0755, 0, 0);
	src = open_path(s, "/src");
	dst = open_path(s, "/dst");
	snprintf(path, sizeof(path), "/proc/self/fd/%d/inside", src);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, path, &st, 0), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", src);
	assert_int_equal(sys_readlinkat(s, AT_FDCWD, path, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "/src", 4);
	char target[64];
	snprintf(target, sizeof(target), "/proc/self/fd/%d", dst);
	assert_int_equal(sys_mount(s, path, target, NULL, MS_BIND | MS_REC, NULL), 0);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/dst/inside", &st, 0), 0);
	/* Beneath a dirfd, or with RESOLVE_NO_MAGICLINKS, the magic link is refused. */
	assert_int_equal(sys_openat2(s, AT_FDCWD, path, O_PATH, 0, RESOLVE_NO_MAGICLINKS), -ELOOP);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/proc/self/fd/77", &st, 0), -ENOENT);
	char *snap = fake_snapshot(f);
	assert_non_null(strstr(snap, "mount /dst flags=MS_BIND source=/src\n"));
	free(snap);
}

static void test_fake__propagation_only(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	fake_add_dir(f, "/d", 0755, 0, 0);
	assert_int_equal(sys_mount(s, NULL, "/d", NULL, MS_REC | MS_SLAVE, NULL), -EINVAL);
	assert_int_equal(sys_mount(s, NULL, "/", NULL, MS_SLAVE | MS_SHARED, NULL), -EINVAL);
	assert_int_equal(sys_mount(s, NULL, "/", NULL, MS_REC | MS_SLAVE, NULL), 0);
	assert_snapshot(f, "d 0755 0:0 /\n"
			   "d 0755 0:0 /d\n"
			   "mount / flags=0 source=/ prop=slave\n");
}

static void test_fake__umount_busy_with_open_fd(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	int fd;

	fake_add_dir(f, "/src", 0755, 0, 0);
	fake_add_dir(f, "/dst", 0755, 0, 0);
	assert_int_equal(sys_mount(s, "/src", "/dst", NULL, MS_BIND, NULL), 0);
	fd = open_path(s, "/dst");
	assert_int_equal(sys_umount2(s, "/dst", 0), -EBUSY);
	assert_int_equal(sys_umount2(s, "/dst", MNT_DETACH), 0);
	assert_int_equal(sys_fstat(s, fd, &(struct stat){ 0 }), 0);
	assert_int_equal(sys_close(s, fd), 0);
	assert_int_equal(sys_umount2(s, "/", 0), -EINVAL);
	assert_int_equal(sys_umount2(s, "/dst", 0x100), -EINVAL);
}

/* ---- snapshots ---- */

static void build_some(struct fake *f)
{
	struct sys *s = fake_sys(f);
	int fd;

	fake_add_dir(f, "/tmp", 01777, 0, 0);
	fake_add_dir(f, "/tmpfoo", 0700, 0, 0);
	sys_mkdirat(s, AT_FDCWD, "/tmp/b", 0700);
	sys_mkdirat(s, AT_FDCWD, "/tmp/a", 0700);
	fd = open_path(s, "/tmp/a");
	(void)fd;
	sys_mount(s, "/tmpfoo", "/tmp/b", NULL, MS_BIND, NULL);
}

static void test_fake__snapshot_stable_and_filtered(void **state)
{
	struct fake *f = F(state), *g = fake_new();
	char *a, *b;

	build_some(f);
	build_some(g);
	a = fake_snapshot(f);
	b = fake_snapshot(g);
	assert_string_equal(a, b);
	assert_string_equal(a, "d 0755 0:0 /\n"
			       "d 01777 0:0 /tmp\n"
			       "d 0700 0:0 /tmp/a\n"
			       "d 0700 0:0 /tmp/b\n"
			       "d 0700 0:0 /tmpfoo\n"
			       "mount /tmp/b flags=MS_BIND source=/tmpfoo\n"
			       "fd 3 /tmp/a\n");
	free(a);
	free(b);
	a = fake_snapshot_under(f, "/tmp/");
	assert_string_equal(a, "d 01777 0:0 /tmp\n"
			       "d 0700 0:0 /tmp/a\n"
			       "d 0700 0:0 /tmp/b\n"
			       "mount /tmp/b flags=MS_BIND source=/tmpfoo\n"
			       "fd 3 /tmp/a\n");
	free(a);
	fake_free(g);
}

/* ---- faults: the countdown ---- */

static void test_fake__countdown_transient(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);

	fake_fail_nth(f, 2, FAKE_TRANSIENT, 0);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/a", 0755), 0);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/b", 0755), -EACCES); /* the default errno */
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/c", 0755), 0);
	assert_int_equal(fake_faults_injected(f), 1);
	assert_int_equal(fake_last_fault_op(f), SYS_OP_mkdirat);
	assert_int_equal(fake_last_fault_errno(f), EACCES);
	assert_int_equal(fake_calls(f), 3);
	assert_int_equal(fake_lstat(f, "/b", &(struct stat){ 0 }), -ENOENT); /* before effect */
}

static void test_fake__countdown_persistent(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);

	fake_fail_nth(f, 2, FAKE_PERSISTENT, EIO);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/a", 0755), 0);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/b", 0755), -EIO);
	/* the chosen errno is call 2's; later calls fail with their own op's default */
	assert_int_equal(sys_fchmodat(s, AT_FDCWD, "/a", 0700, 0), -sys_op_default_errnos[SYS_OP_fchmodat]);
	assert_int_equal(sys_umount2(s, "/a", 0), -sys_op_default_errnos[SYS_OP_umount2]);
	assert_int_equal(fake_faults_injected(f), 3);
	assert_int_equal(fake_last_fault_op(f), SYS_OP_umount2);
	fake_disarm(f);
	assert_int_equal(fake_faults_injected(f), 0);
	assert_int_equal(fake_last_fault_op(f), -1);
	assert_int_equal(fake_last_fault_errno(f), 0);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/b", 0755), 0);
}

static void test_fake__countdown_after_effect(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;

	fake_fail_nth(f, 1, FAKE_AFTER, EPERM);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/a", 0755), -EPERM);
	assert_int_equal(fake_lstat(f, "/a", &st), 0); /* the effect happened */
	/* An fd created by a failed-after-effect open is released again. */
	fake_fail_nth(f, 1, FAKE_AFTER, 0);
	assert_int_equal(open_path(s, "/a"), -EACCES);
	assert_int_equal(fake_open_fds(f), 0);
	/* Out-parameters stay untouched on an injected failure. */
	memset(&st, 0xAB, sizeof(st));
	fake_fail_nth(f, 1, FAKE_AFTER, 0);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/a", &st, 0), -EACCES);
	assert_int_equal(st.st_uid, 0xABABABAB);
	/* Natural failures do not write them either. */
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/none", &st, 0), -ENOENT);
	assert_int_equal(st.st_uid, 0xABABABAB);
	assert_int_equal(fake_faults_injected(f), 3);
}

static void test_fake__close_fault_releases_fd(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	int fd = open_path(s, "/");

	fake_fail_nth(f, 1, FAKE_TRANSIENT, EINTR);
	assert_int_equal(sys_close(s, fd), -EINTR);
	assert_int_equal(fake_open_fds(f), 0);
	assert_int_equal(sys_close(s, fd), -EBADF);
}

/* ---- faults: rules ---- */

static void test_fake__rules_once_always_glob(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);

	fake_add_dir(f, "/c/1", 0755, 0, 0);
	fake_add_dir(f, "/c/2", 0755, 0, 0);
	fake_on(f, SYS_OP_mkdirat, "/c/*/data", ENOSPC, true);
	fake_on(f, SYS_OP_fchmodat, NULL, EPERM, false);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/c/1/other", 0755), 0);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/c/1/data", 0755), -ENOSPC);
	assert_int_equal(sys_mkdirat(s, AT_FDCWD, "/c/2/data", 0755), 0); /* once */
	assert_int_equal(sys_fchmodat(s, AT_FDCWD, "/c/1", 0700, 0), -EPERM);
	assert_int_equal(sys_fchmodat(s, AT_FDCWD, "/c/2", 0700, 0), -EPERM); /* always */
	assert_int_equal(fake_faults_injected(f), 3);
	fake_rules_clear(f);
	assert_int_equal(sys_fchmodat(s, AT_FDCWD, "/c/2", 0700, 0), 0);
}

static void test_fake__rules_match_resolved_paths(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	char target[64];
	int sb, fd;

	fake_add_dir(f, "/sb/c1", 0755, 0, 0);
	fake_add_dir(f, "/data", 0755, 0, 0);
	sb = sys_openat(s, AT_FDCWD, "/sb", O_PATH | O_DIRECTORY, 0);
	fake_on(f, SYS_OP_ANY, "/sb/c1/tmp", EROFS, false);
	/* relative to a dirfd */
	assert_int_equal(sys_mkdirat(s, sb, "c1/./tmp", 0755), -EROFS);
	assert_int_equal(fake_last_fault_op(f), SYS_OP_mkdirat);
	/* an fd-only call matches on the fd's path */
	fake_rules_clear(f);
	fd = sys_openat(s, sb, "c1", O_RDONLY | O_DIRECTORY, 0);
	fake_on(f, SYS_OP_fchmod, "/sb/c1", EPERM, true);
	assert_int_equal(sys_fchmod(s, fd, 0700), -EPERM);
	/* a mount rule matches its target, also given as /proc/self/fd/N */
	fake_on(f, SYS_OP_mount, "/data", EBUSY, true);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", open_path(s, "/data"));
	assert_int_equal(sys_mount(s, "/sb", target, NULL, MS_BIND, NULL), -EBUSY);
	/* rules come before the countdown, which still ticks */
	fake_on(f, SYS_OP_ANY, NULL, ENOMEM, true);
	fake_fail_nth(f, 1, FAKE_TRANSIENT, EIO);
	assert_int_equal(sys_fstat(s, fd, &(struct stat){ 0 }), -ENOMEM);
	assert_int_equal(sys_fstat(s, fd, &(struct stat){ 0 }), 0);
}


/* ---- processes: spawn, release, exec (clone(2), execve(2)) ---- */

struct child_plan {
	const char *exec;         /* NULL: do not exec */
	const char *mount_target; /* mount a tmpfs here first */
	uid_t uid;                /* setuid to this when nonzero */
	bool setsid;
};

static int child_main(struct sys *s, void *arg, struct sys_child_report *rep)
{
	const struct child_plan *plan = arg;
	char *const argv[] = { (char *)"sh", (char *)"-c", (char *)"exit 3", NULL };
	char *const envp[] = { (char *)"PATH=/bin", NULL };
	int r;

	if (plan->setsid && (r = sys_setsid(s)) < 0)
		return r;
	if (plan->mount_target) {
		r = sys_mount(s, "tmpfs", plan->mount_target, "tmpfs", 0, NULL);
		if (r < 0) {
			rep->errnum = -r;
			snprintf(rep->step, sizeof(rep->step), "mount");
			snprintf(rep->path, sizeof(rep->path), "%s", plan->mount_target);
			return r;
		}
	}
	if (plan->uid && (r = sys_setuid(s, plan->uid)) < 0)
		return r;
	if (!plan->exec)
		return 0;
	r = sys_execve(s, plan->exec, argv, envp);
	if (r < 0) {
		rep->errnum = -r;
		snprintf(rep->step, sizeof(rep->step), "exec");
		snprintf(rep->path, sizeof(rep->path), "%s", plan->exec);
	}
	return r;
}

static void block_signals(struct sys *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	assert_int_equal(sys_sigprocmask(s, SIG_BLOCK, &set, NULL), 0);
}

/* spawn + release; returns the pid. */
static pid_t start(struct sys *s, unsigned long flags, const struct child_plan *plan)
{
	struct sys_spawn_req req = { .clone_flags = flags, .child_main = child_main, .arg = (void *)plan };
	struct sys_child child;
	struct sys_child_report rep;
	pid_t pid = sys_spawn(s, &req, &child);

	assert_true(pid > 0);
	assert_int_equal(sys_release(s, &child, &rep), 0);
	return pid;
}

static void test_fake__spawn_release_wait(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };
	struct sys_spawn_req req = { .clone_flags = CLONE_NEWPID | CLONE_NEWNS, .child_main = child_main, .arg = &plan };
	struct sys_child child;
	struct sys_child_report rep;
	int st = 0;

	fake_add_program(f, "/bin/sh", &(struct fake_program){ .exit_status = 3 << 8, .run_ms = 50 });
	block_signals(s);
	fake_trace_clear(f);
	assert_int_equal(sys_spawn(s, &req, &child), 1001);
	assert_int_equal(child.release_fd, 4); /* as pipe2() twice would leave them */
	assert_int_equal(child.report_fd, 5);
	assert_int_equal(fake_open_fds(f), 2);
	assert_int_equal(fake_proc_state(f, 1001, NULL), 'B');
	assert_int_equal(sys_release(s, &child, &rep), 0);
	assert_int_equal(child.release_fd, -1);
	assert_int_equal(fake_open_fds(f), 0);
	assert_int_equal(fake_proc_state(f, 1001, NULL), 'R');
	/* The blocking wait moves the clock to the program's end. */
	assert_int_equal(sys_waitpid(s, 1001, &st, 0), 1001);
	assert_int_equal(st, 3 << 8);
	assert_int_equal(fake_now(f), 50);
	assert_int_equal(fake_proc_state(f, 1001, NULL), 0);
	assert_int_equal(sys_waitpid(s, -1, &st, WNOHANG), -ECHILD);
	assert_string_equal(fake_trace(f),
			    "spawn({flags=CLONE_NEWNS|CLONE_NEWPID}, {pid=1001}) = 1001\n"
			    "[pid 1001] execve(\"/bin/sh\", [\"sh\", \"-c\", \"exit 3\"], [1 var]) = 0\n"
			    "release({pid=1001}, {...}) = 0\n"
			    "waitpid(1001, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0) = 1001\n"
			    "waitpid(-1, {...}, WNOHANG) = -1 ECHILD (No child processes)\n");
	/* The SIGCHLD stays pending until taken: the supervisor is not pristine. */
	char *snap = fake_snapshot(f);
	assert_non_null(strstr(snap, "proc 1000 ppid=1 state=R pidns=0:1000 mntns=0 uid=0 gid=0 "
				     "sid=1000 pgid=1000 comm=mcz pending=[SIGCHLD]\n"));
	free(snap);
}

static void test_fake__child_failure_report(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh", .mount_target = "/tmp" };
	struct sys_spawn_req req = { .clone_flags = CLONE_NEWNS, .child_main = child_main, .arg = &plan };
	struct sys_child child;
	struct sys_child_report rep;
	int st;

	fake_add_dir(f, "/tmp", 01777, 0, 0);
	block_signals(s);
	fake_on(f, SYS_OP_mount, "/tmp", EPERM, false);
	assert_int_equal(sys_spawn(s, &req, &child), 1001);
	fake_trace_clear(f);
	assert_int_equal(sys_release(s, &child, &rep), -EPERM);
	assert_int_equal(rep.errnum, EPERM);
	assert_string_equal(rep.step, "mount");
	assert_string_equal(rep.path, "/tmp");
	assert_string_equal(fake_trace(f),
			    "[pid 1001] mount(\"tmpfs\", \"/tmp\", \"tmpfs\", 0, NULL) = -1 EPERM "
			    "(Operation not permitted) [injected]\n"
			    "release({pid=1001}, {step=\"mount\", path=\"/tmp\", errno=EPERM}) = -1 EPERM "
			    "(Operation not permitted)\n");
	/* The child exits 125 and is a zombie of the supervisor. */
	assert_int_equal(fake_proc_state(f, 1001, &st), 'Z');
	assert_int_equal(st, 125 << 8);
	assert_int_equal(sys_waitpid(s, 1001, &st, 0), 1001);
	assert_int_equal(fake_open_fds(f), 0);
}

static void test_fake__child_returns_without_exec(void **state)
{
	struct sys *s = S(state);
	struct child_plan plan = { .exec = NULL };
	struct sys_spawn_req req = { .child_main = child_main, .arg = &plan };
	struct sys_child child;
	struct sys_child_report rep;

	block_signals(s);
	assert_int_equal(sys_spawn(s, &req, &child), 1001);
	assert_int_equal(sys_release(s, &child, &rep), -EIO);
	assert_int_equal(sys_kill(s, 1001, SIGKILL), 0); /* a zombie can be signalled */
	assert_int_equal(sys_waitpid(s, 1001, NULL, 0), 1001);
	/* Killed before release: ECHILD, like EPIPE on the real sync pipe. */
	assert_int_equal(sys_spawn(s, &req, &child), 1002);
	assert_int_equal(sys_kill(s, 1002, SIGKILL), 0);
	assert_int_equal(sys_release(s, &child, &rep), -ECHILD);
	assert_int_equal(fake_open_fds(F(state)), 0);
}

static void test_fake__exec_errors(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	char *const argv[] = { (char *)"x", NULL };

	fake_add_file(f, "/bin/data", 0644, 0, 0);
	fake_add_file(f, "/bin/script", 0755, 0, 0);
	fake_add_dir(f, "/noexec", 0755, 0, 0);
	fake_add_program(f, "/noexec/prog", &(struct fake_program){ .run_ms = -1 });
	fake_add_mount(f, "/noexec", MS_NOEXEC);
	assert_int_equal(sys_execve(s, "/bin/missing", argv, argv), -ENOENT);
	assert_int_equal(sys_execve(s, "/bin/data/x", argv, argv), -ENOTDIR);
	assert_int_equal(sys_execve(s, "/bin", argv, argv), -EACCES);
	assert_int_equal(sys_execve(s, "/bin/data", argv, argv), -EACCES);
	assert_int_equal(sys_execve(s, "/noexec/prog", argv, argv), -EACCES);
	assert_int_equal(sys_execve(s, "/bin/script", argv, argv), -ENOEXEC);
}

/* ---- signals ---- */

static void test_fake__pidns_init_signal_rule(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };
	int st;

	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = -1 });
	block_signals(s);
	/* pid_namespaces(7): init only gets the signals it handles, plus SIGKILL from outside.
	 * The child also starts with the supervisor's blocked mask: the command would get
	 * SIGTERM as pending forever, so plain forks below reset it first. */
	assert_int_equal(start(s, CLONE_NEWPID, &plan), 1001);
	assert_int_equal(sys_kill(s, 1001, SIGTERM), 0);
	assert_int_equal(sys_kill(s, 1001, SIGINT), 0);
	assert_int_equal(fake_proc_state(f, 1001, NULL), 'R');
	assert_int_equal(sys_kill(s, 1001, SIGKILL), 0);
	assert_int_equal(sys_waitpid(s, 1001, &st, 0), 1001);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	fake_add_program(f, "/bin/catch", &(struct fake_program){ .run_ms = -1, .handles = 1ull << SIGTERM });
	plan.exec = "/bin/catch";
	assert_int_equal(start(s, CLONE_NEWPID, &plan), 1002);
	sys_sigprocmask(s, SIG_SETMASK, &(sigset_t){ 0 }, NULL);
	sigset_t none;
	sigemptyset(&none);
	assert_int_equal(sys_kill(s, 1002, SIGTERM), 0);
	/* Blocked in the program (inherited mask): pending, nothing happens. */
	assert_int_equal(fake_proc_state(f, 1002, NULL), 'R');
	sys_kill(s, 1002, SIGKILL);
	sys_waitpid(s, 1002, NULL, 0);
	/* With an empty mask at spawn time the handled SIGTERM ends the program. */
	assert_int_equal(sys_sigprocmask(s, SIG_SETMASK, &none, NULL), 0);
	assert_int_equal(start(s, CLONE_NEWPID, &plan), 1003);
	assert_int_equal(sys_kill(s, 1003, SIGTERM), 0);
	assert_int_equal(fake_proc_state(f, 1003, &st), 'Z');
	assert_int_equal(st, (128 + SIGTERM) << 8);
	sys_waitpid(s, 1003, NULL, 0);
	/* Not an init: the default action kills; ignored signals do nothing. */
	fake_add_program(f, "/bin/deaf", &(struct fake_program){ .run_ms = -1, .ignores = 1ull << SIGHUP });
	plan.exec = "/bin/deaf";
	assert_int_equal(start(s, 0, &plan), 1004);
	assert_int_equal(sys_kill(s, 1004, SIGHUP), 0);
	assert_int_equal(fake_proc_state(f, 1004, NULL), 'R');
	assert_int_equal(sys_kill(s, 1004, SIGTERM), 0);
	assert_int_equal(sys_waitpid(s, 1004, &st, WNOHANG), 1004);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	assert_int_equal(sys_kill(s, 1004, SIGTERM), -ESRCH);
	assert_int_equal(sys_kill(s, 1000, 99), -EINVAL);
}

static void test_fake__init_death_kills_namespace(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };
	pid_t pids[16];
	char buf[256];

	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = 100, .children = 2 });
	assert_int_equal(start(s, CLONE_NEWPID | CLONE_NEWNS, &plan), 1001);
	assert_int_equal(sys_proc_list(s, pids, 16), 4);
	assert_int_equal(pids[3], 1003);
	assert_true(sys_proc_read(s, "/proc/1002/stat", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "1002 (sh) S 1001 1000 1000 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0\n");
	/* Killing a background child does not end the namespace; its parent (a program)
	 * reaps it at once. */
	assert_int_equal(sys_kill(s, 1003, SIGKILL), 0);
	assert_int_equal(fake_proc_state(f, 1003, NULL), 0);
	/* init ends at 100 ms: the kernel kills and reaps the rest of the namespace. */
	assert_int_equal(sys_nanosleep(s, 100), 0);
	assert_int_equal(fake_proc_state(f, 1001, NULL), 'Z');
	assert_int_equal(fake_proc_state(f, 1002, NULL), 0);
	assert_int_equal(sys_proc_list(s, pids, 16), 2);
	assert_int_equal(sys_waitpid(s, -1, NULL, 0), 1001);
	assert_int_equal(fake_nprocs(f), 1);
}

static void test_fake__orphans_go_to_host_init(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/daemon", .setsid = true };
	char buf[256];

	fake_add_program(f, "/bin/daemon", &(struct fake_program){ .run_ms = 10, .children = 1 });
	assert_int_equal(start(s, 0, &plan), 1001);
	assert_int_equal(fake_nprocs(f), 3);
	sys_nanosleep(s, 10);
	sys_waitpid(s, 1001, NULL, 0);
	/* The background child lives on, reparented to host init, in the session. */
	assert_int_equal(fake_proc_state(f, 1002, NULL), 'R');
	assert_true(sys_proc_read(s, "/proc/1002/stat", buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " S 1 1001 1001 "));
	assert_int_equal(sys_kill(s, -1001, SIGKILL), 0);
	assert_int_equal(fake_proc_state(f, 1002, NULL), 0); /* host init reaped it */
	assert_int_equal(sys_kill(s, -1001, SIGKILL), -ESRCH);
	assert_int_equal(sys_waitpid(s, -1, NULL, WNOHANG), -ECHILD);
}

static void test_fake__waitpid_echild_wnohang_edeadlk(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/forever" };
	int st = 42;

	fake_add_program(f, "/bin/forever", &(struct fake_program){ .run_ms = -1 });
	assert_int_equal(sys_waitpid(s, -1, &st, 0), -ECHILD);
	assert_int_equal(sys_waitpid(s, 1000, &st, 0), -ECHILD);
	assert_int_equal(start(s, CLONE_NEWPID, &plan), 1001);
	assert_int_equal(sys_waitpid(s, 1001, &st, WNOHANG), 0);
	assert_int_equal(st, 42); /* not written */
	fake_trace_clear(f);
	/* Nothing will ever end it: a deadlock of the code under test. */
	assert_int_equal(sys_waitpid(s, 1001, &st, 0), -EDEADLK);
	assert_string_equal(fake_trace(f), "waitpid(1001, {...}, 0) = -1 EDEADLK (Resource "
					   "deadlock avoided)\n");
	assert_int_equal(sys_waitpid(s, 1001, &st, 0x1000), -EINVAL);
}

static void test_fake__sigtimedwait_clock_and_scheduled(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };
	siginfo_t si;
	sigset_t set;
	uint64_t now;

	fake_add_program(f, "/bin/sh", &(struct fake_program){ .exit_status = 0, .run_ms = 300 });
	block_signals(s);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	fake_schedule_signal(f, 100, 1000, SIGTERM); /* the operator's Ctrl-C */
	assert_int_equal(start(s, CLONE_NEWPID, &plan), 1001);
	fake_trace_clear(f);
	assert_int_equal(sys_sigtimedwait(s, &set, &si, 50), -EAGAIN);
	assert_int_equal(fake_now(f), 50);
	assert_int_equal(sys_sigtimedwait(s, &set, &si, -1), SIGTERM);
	assert_int_equal(fake_now(f), 100);
	assert_int_equal(sys_sigtimedwait(s, &set, &si, 1000), SIGCHLD);
	assert_int_equal(si.si_pid, 1001);
	assert_int_equal(si.si_status, 0);
	assert_int_equal(sys_clock_gettime(s, &now), 0);
	assert_int_equal(now, 300);
	assert_int_equal(sys_sigtimedwait(s, &set, &si, -1), -EDEADLK);
	assert_int_equal(sys_waitpid(s, 1001, NULL, WNOHANG), 1001);
	assert_string_equal(fake_trace(f),
			    "sigtimedwait([SIGTERM SIGCHLD], {...}, 50) = -1 EAGAIN (Resource "
			    "temporarily unavailable)\n"
			    "sigtimedwait([SIGTERM SIGCHLD], {si_signo=SIGTERM, si_pid=0}, -1) = "
			    "SIGTERM\n"
			    "sigtimedwait([SIGTERM SIGCHLD], {si_signo=SIGCHLD, si_pid=1001}, 1000) = "
			    "SIGCHLD\n"
			    "clock_gettime([300]) = 0\n"
			    "sigtimedwait([SIGTERM SIGCHLD], {...}, -1) = -1 EDEADLK (Resource deadlock "
			    "avoided)\n"
			    "waitpid(1001, NULL, WNOHANG) = 1001\n");
}

static void test_fake__unblocked_signals(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };
	sigset_t set;

	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = 10 });
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	/* SIGCHLD not blocked: its default action is to ignore, so it is discarded when the
	 * child ends while nobody waits (sig_ignored()). The zombie remains. */
	assert_int_equal(start(s, 0, &plan), 1001);
	sys_nanosleep(s, 20);
	assert_int_equal(sys_sigtimedwait(s, &set, NULL, 0), -EAGAIN);
	assert_int_equal(sys_waitpid(s, 1001, NULL, WNOHANG), 1001);
	/* An unblocked SIGTERM with the default action kills the supervisor. */
	fake_schedule_signal(f, 30, 1000, SIGTERM);
	sys_nanosleep(s, 20);
	assert_int_equal(fake_proc_state(f, 1000, NULL), 'Z');
	assert_non_null(strstr(fake_trace(f), "+++ 1000 killed by SIGTERM +++\n"));
}

/* ---- cgroups ---- */

static void test_fake__freezer_holds_kills(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };
	char buf[64];
	int st;

	assert_int_equal(fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup/freezer", "freezer", "/"), 0);
	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = -1 });
	assert_int_equal(sys_cg_mkdir(s, "/sys/fs/cgroup/freezer/mcz", 0755), 0);
	assert_int_equal(sys_cg_mkdir(s, "/sys/fs/cgroup/freezer/mcz", 0755), -EEXIST);
	assert_int_equal(sys_cg_mkdir(s, "/sys/fs/cgroup/freezer/no/c1", 0755), -ENOENT);
	assert_int_equal(sys_cg_mkdir(s, "/sys/fs/cgroup/freezer/mcz/c1", 0755), 0);
	assert_int_equal(sys_cg_mkdir(s, "/sys/fs/cgroup/freezer/mcz/tasks/x", 0755), -ENOTDIR);
	assert_int_equal(start(s, 0, &plan), 1001);
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/freezer/mcz/c1/cgroup.procs", "999"), -ESRCH);
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/freezer/mcz/c1/cgroup.procs", "1001"), 0);
	assert_int_equal(sys_cg_read(s, "/sys/fs/cgroup/freezer/mcz/c1/cgroup.procs", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "1001\n");
	assert_int_equal(sys_cg_read(s, "/sys/fs/cgroup/freezer/mcz/c1/freezer.state", buf, sizeof(buf)), 7);
	assert_string_equal(buf, "THAWED\n");
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/freezer/freezer.state", "FROZEN"), -ENOENT);
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/freezer/mcz/freezer.state", "FROZEN"), 0);
	sys_cg_read(s, "/sys/fs/cgroup/freezer/mcz/c1/freezer.state", buf, sizeof(buf));
	assert_string_equal(buf, "FROZEN\n"); /* frozen through its parent */
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/freezer/mcz/freezer.state", "MELTED"), -EINVAL);
	/* A frozen task does not die until thawed (freezer-subsystem.rst). */
	assert_int_equal(sys_kill(s, 1001, SIGKILL), 0);
	assert_int_equal(fake_proc_state(f, 1001, NULL), 'R');
	assert_int_equal(sys_cg_rmdir(s, "/sys/fs/cgroup/freezer/mcz/c1"), -EBUSY);
	assert_int_equal(sys_cg_rmdir(s, "/sys/fs/cgroup/freezer/mcz"), -EBUSY);
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/freezer/mcz/freezer.state", "THAWED\n"), 0);
	assert_int_equal(fake_proc_state(f, 1001, &st), 'Z');
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/* The task left the cgroup when it ended. */
	assert_int_equal(sys_cg_read(s, "/sys/fs/cgroup/freezer/mcz/c1/cgroup.procs", buf, sizeof(buf)), 0);
	assert_int_equal(sys_cg_rmdir(s, "/sys/fs/cgroup/freezer/mcz/c1"), 0);
	assert_int_equal(sys_cg_rmdir(s, "/sys/fs/cgroup/freezer/mcz/c1"), -ENOENT);
	assert_int_equal(sys_cg_rmdir(s, "/sys/fs/cgroup/freezer/mcz/freezer.state"), -ENOTDIR);
	assert_int_equal(sys_cg_rmdir(s, "/sys/fs/cgroup/freezer"), -EBUSY);
	/* Other files keep what was written. */
	assert_int_equal(sys_cg_read(s, "/sys/fs/cgroup/freezer/mcz/cpu.shares", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/freezer/mcz/cpu.shares", "1024"), 0);
	assert_int_equal(sys_cg_read(s, "/sys/fs/cgroup/freezer/mcz/cpu.shares", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "1024\n");
	char *snap = fake_snapshot(f);
	assert_non_null(strstr(snap, "cgroup /sys/fs/cgroup/freezer/mcz cpu.shares=1024\n"));
	free(snap);
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/freezer/mcz/freezer.state", "FROZEN"), 0);
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/freezer/mcz/cpu.shares", "2048\n"), 0);
	snap = fake_snapshot(f);
	assert_non_null(strstr(snap, "cgroup /sys/fs/cgroup/freezer/mcz frozen cpu.shares=2048\\n\n"));
	free(snap);
}

static void test_fake__cgroup2_kill_and_freeze(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };
	char buf[64];

	fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup", "", "/");
	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = -1, .children = 1 });
	sys_cg_mkdir(s, "/sys/fs/cgroup/c1", 0755);
	assert_int_equal(start(s, 0, &plan), 1001);
	sys_cg_write(s, "/sys/fs/cgroup/c1/cgroup.procs", "1001");
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/c1/cgroup.freeze", "1"), 0);
	sys_cg_read(s, "/sys/fs/cgroup/c1/cgroup.events", buf, sizeof(buf));
	assert_string_equal(buf, "populated 1\nfrozen 1\n");
	/* cgroup v2 lets SIGKILL through a frozen cgroup. */
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/c1/cgroup.kill", "1"), 0);
	assert_int_equal(fake_proc_state(f, 1001, NULL), 'Z');
	/* The background child was started before the move: still in the root cgroup. */
	assert_int_equal(fake_proc_state(f, 1002, NULL), 'R');
	sys_cg_read(s, "/sys/fs/cgroup/c1/cgroup.events", buf, sizeof(buf));
	assert_string_equal(buf, "populated 0\nfrozen 1\n");
}

/* ---- cgroup v2 controllers (cgroup-v2.rst; kernel/cgroup/cgroup.c) ---- */

#define CG2 "/sys/fs/cgroup"

/* A cgroup file reads exactly `want`. */
static void assert_cg_text(struct sys *s, const char *path, const char *want)
{
	char buf[1024];

	assert_int_equal(sys_cg_read(s, path, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
}

static void assert_snapshot_has(const struct fake *f, const char *want)
{
	char *snap = fake_snapshot(f);

	assert_non_null(strstr(snap, want));
	free(snap);
}

/* A read's result: the length read, or -errno. */
static int cg_read_errno(struct sys *s, const char *path)
{
	char buf[64];

	return sys_cg_read(s, path, buf, sizeof(buf));
}

static void test_fake__cgroup2_controllers_and_subtree_control(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	int v1 = fake_add_cgroup_hierarchy(f, "/cgroup-v1/freezer", "freezer", "/");
	int h = fake_add_cgroup_hierarchy(f, CG2, "", "/");

	/* A v2 hierarchy starts with no controllers; an empty mask reads as "" (no newline:
	 * cgroup_print_ss_mask()). */
	assert_cg_text(s, CG2 "/cgroup.controllers", "");
	assert_int_equal(fake_cgroup2_controllers(f, h, "cpu bogus"), -EINVAL);
	assert_int_equal(fake_cgroup2_controllers(f, v1, "cpu"), -EINVAL);
	assert_int_equal(fake_cgroup2_controllers(f, h, "pids memory cpu io"), 0);
	assert_cg_text(s, CG2 "/cgroup.controllers", "cpu io memory pids\n"); /* kernel order */
	assert_cg_text(s, CG2 "/cgroup.subtree_control", "");
	assert_int_equal(sys_cg_write(s, CG2 "/cgroup.subtree_control", "+memory +cpu\n"), 0);
	assert_cg_text(s, CG2 "/cgroup.subtree_control", "cpu memory\n");
	assert_int_equal(sys_cg_mkdir(s, CG2 "/c1", 0755), 0);
	assert_cg_text(s, CG2 "/c1/cgroup.controllers", "cpu memory\n");
	assert_cg_text(s, CG2 "/c1/cgroup.subtree_control", "");
	/* Parsing: an unknown name, a missing sign, a tab as separator are EINVAL; a name not
	 * in cgroup.controllers is ENOENT; one bad token fails the whole write. */
	assert_int_equal(sys_cg_write(s, CG2 "/c1/cgroup.subtree_control", "+bogus"), -EINVAL);
	assert_int_equal(sys_cg_write(s, CG2 "/c1/cgroup.subtree_control", "memory"), -EINVAL);
	assert_int_equal(sys_cg_write(s, CG2 "/c1/cgroup.subtree_control", "+cpu\t+memory"), -EINVAL);
	assert_int_equal(sys_cg_write(s, CG2 "/c1/cgroup.subtree_control", "+cpuacct"), -EINVAL);
	assert_int_equal(sys_cg_write(s, CG2 "/c1/cgroup.subtree_control", "+cpu +io"), -ENOENT);
	assert_int_equal(sys_cg_write(s, CG2 "/c1/cgroup.subtree_control", "+cpu +bogus"), -EINVAL);
	assert_cg_text(s, CG2 "/c1/cgroup.subtree_control", "");
	/* The last word on a controller wins; disabling what is off is a no-op. */
	assert_int_equal(sys_cg_write(s, CG2 "/c1/cgroup.subtree_control", " +memory -memory +cpu "),
			 0);
	assert_cg_text(s, CG2 "/c1/cgroup.subtree_control", "cpu\n");
	assert_int_equal(sys_cg_write(s, CG2 "/c1/cgroup.subtree_control", "-memory"), 0);
	/* cgroup.controllers has no write handler: root opens the 0444 file, write is EINVAL. */
	assert_int_equal(sys_cg_write(s, CG2 "/c1/cgroup.controllers", "+io"), -EINVAL);
	/* Disabling what a child still distributes is EBUSY, all or nothing. */
	assert_int_equal(sys_cg_write(s, CG2 "/cgroup.subtree_control", "-memory -cpu"), -EBUSY);
	assert_cg_text(s, CG2 "/cgroup.subtree_control", "cpu memory\n");
	assert_int_equal(sys_cg_write(s, CG2 "/cgroup.subtree_control", "-memory"), 0);
	assert_cg_text(s, CG2 "/c1/cgroup.controllers", "cpu\n");
	/* The snapshot shows every non-empty subtree_control, the root's too. */
	assert_snapshot_has(f, "cgroup " CG2 " subtree_control=cpu\n"
			       "cgroup " CG2 "/c1 subtree_control=cpu\n");
	/* Offering fewer controllers takes them out of every subtree_control. */
	assert_int_equal(fake_cgroup2_controllers(f, h, "io memory"), 0);
	assert_cg_text(s, CG2 "/c1/cgroup.subtree_control", "");
	assert_cg_text(s, CG2 "/c1/cgroup.controllers", "");
}

static void test_fake__cgroup2_no_internal_processes(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };
	int h = fake_add_cgroup_hierarchy(f, CG2, "", "/");

	fake_cgroup2_controllers(f, h, "cpu io memory pids");
	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = -1 });
	assert_int_equal(start(s, 0, &plan), 1001);
	/* The root is exempt: processes and controllers together. */
	assert_int_equal(sys_cg_write(s, CG2 "/cgroup.subtree_control", "+cpu +memory +pids"), 0);
	assert_int_equal(sys_cg_mkdir(s, CG2 "/q", 0755), 0);
	assert_int_equal(sys_cg_mkdir(s, CG2 "/q/leaf", 0755), 0);
	assert_int_equal(sys_cg_write(s, CG2 "/q/cgroup.subtree_control", "+cpu +memory"), 0);
	/* A process cannot enter a cgroup that distributes controllers; ESRCH comes first. */
	assert_int_equal(sys_cg_write(s, CG2 "/q/cgroup.procs", "1001"), -EBUSY);
	assert_int_equal(sys_cg_write(s, CG2 "/q/cgroup.procs", "0"), -EBUSY);
	assert_int_equal(sys_cg_write(s, CG2 "/q/cgroup.procs", "999"), -ESRCH);
	assert_cg_text(s, CG2 "/q/cgroup.procs", "");
	assert_int_equal(sys_cg_write(s, CG2 "/q/leaf/cgroup.procs", "1001"), 0);
	assert_cg_text(s, CG2 "/q/leaf/cgroup.procs", "1001\n");
	/* A cgroup with processes cannot enable a domain controller for children... */
	assert_int_equal(sys_cg_write(s, CG2 "/q/leaf/cgroup.subtree_control", "+memory"), -EBUSY);
	assert_int_equal(sys_cg_write(s, CG2 "/q/leaf/cgroup.subtree_control", "+cpu +memory"), -EBUSY);
	assert_cg_text(s, CG2 "/q/leaf/cgroup.subtree_control", "");
	/* ...but a threaded one, which makes it a thread root: then no domain controller, and
	 * below it no valid domain (EOPNOTSUPP), as Linux 6.1 does. */
	assert_int_equal(sys_cg_write(s, CG2 "/q/leaf/cgroup.subtree_control", "+cpu"), 0);
	assert_int_equal(sys_cg_write(s, CG2 "/q/leaf/cgroup.subtree_control", "+memory"), -EOPNOTSUPP);
	assert_int_equal(sys_cg_mkdir(s, CG2 "/q/leaf/c", 0755), 0);
	assert_cg_text(s, CG2 "/q/leaf/c/cgroup.controllers", "cpu\n");
	assert_int_equal(sys_cg_write(s, CG2 "/q/leaf/c/cgroup.procs", "0"), -EOPNOTSUPP);
	assert_int_equal(sys_cg_write(s, CG2 "/q/leaf/c/cgroup.subtree_control", "+cpu"), -EOPNOTSUPP);
	/* An empty cgroup with only threaded controllers takes processes (a possible thread
	 * root); one with populated children does not. */
	assert_int_equal(sys_cg_write(s, CG2 "/q/leaf/cgroup.procs", "0"), 0);
	assert_int_equal(sys_cg_write(s, CG2 "/q/cgroup.subtree_control", "-memory"), 0);
	assert_int_equal(sys_cg_write(s, CG2 "/q/cgroup.procs", "1001"), -EBUSY);
	/* rmdir: children or processes are EBUSY. */
	assert_int_equal(sys_cg_rmdir(s, CG2 "/q"), -EBUSY);
	assert_int_equal(sys_cg_rmdir(s, CG2 "/q/leaf/c"), 0);
	assert_int_equal(sys_cg_rmdir(s, CG2 "/q/leaf"), -EBUSY);
	assert_int_equal(sys_cg_write(s, CG2 "/cgroup.procs", "0"), 0);
	assert_int_equal(sys_cg_write(s, CG2 "/cgroup.procs", "1001"), 0);
	assert_int_equal(sys_cg_rmdir(s, CG2 "/q/leaf"), 0);
	assert_int_equal(sys_cg_rmdir(s, CG2 "/q"), 0);
	/* An empty write does nothing (cgroup_file_write()). */
	assert_int_equal(sys_cg_write(s, CG2 "/cgroup.procs", ""), 0);
}

static void test_fake__cgroup2_controller_files(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	int h = fake_add_cgroup_hierarchy(f, CG2, "", "/mcz-uml/runner");

	fake_cgroup2_controllers(f, h, "cpu io memory pids");
	assert_int_equal(fake_cgroup2_enable(f, CG2 "/mcz-uml", "cpu memory"), 0);
	assert_cg_text(s, CG2 "/mcz-uml/runner/cgroup.controllers", "cpu memory\n");
	/* What a fresh cgroup reads. */
	assert_cg_text(s, CG2 "/mcz-uml/runner/memory.max", "max\n");
	assert_cg_text(s, CG2 "/mcz-uml/runner/memory.high", "max\n");
	assert_cg_text(s, CG2 "/mcz-uml/runner/memory.swap.max", "max\n");
	assert_cg_text(s, CG2 "/mcz-uml/runner/memory.low", "0\n");
	assert_cg_text(s, CG2 "/mcz-uml/runner/memory.min", "0\n");
	assert_cg_text(s, CG2 "/mcz-uml/runner/memory.current", "0\n");
	assert_cg_text(s, CG2 "/mcz-uml/runner/memory.peak", "0\n");
	assert_cg_text(s, CG2 "/mcz-uml/runner/memory.events",
		       "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
	char buf[1024];
	assert_true(sys_cg_read(s, CG2 "/mcz-uml/runner/memory.stat", buf, sizeof(buf)) > 0);
	assert_true(strncmp(buf, "anon 0\nfile 0\nkernel 0\n", 23) == 0);
	assert_non_null(strstr(buf, "\nfile_mapped 0\n"));
	assert_non_null(strstr(buf, "\nactive_file 0\n"));
	assert_cg_text(s, CG2 "/mcz-uml/runner/cpu.weight", "100\n");
	assert_cg_text(s, CG2 "/mcz-uml/runner/cpu.max", "max 100000\n");
	assert_cg_text(s, CG2 "/mcz-uml/runner/cpu.stat",
		       "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\n"
		       "throttled_usec 0\nnr_bursts 0\nburst_usec 0\n");
	/* Files of controllers not enabled here do not exist. */
	assert_int_equal(cg_read_errno(s, CG2 "/mcz-uml/runner/pids.max"), -ENOENT);
	assert_int_equal(sys_cg_write(s, CG2 "/mcz-uml/runner/pids.max", "10"), -ENOENT);
	assert_int_equal(sys_cg_write(s, CG2 "/mcz-uml/runner/io.max", "8:0 rbps=1"), -ENOENT);
	assert_int_equal(fake_cgroup_set_file(f, CG2 "/mcz-uml/runner/pids.current", "3"), -ENOENT);
	/* The root has none of the limits, but memory.stat and cpu.stat. */
	assert_int_equal(cg_read_errno(s, CG2 "/memory.max"), -ENOENT);
	assert_int_equal(cg_read_errno(s, CG2 "/cpu.weight"), -ENOENT);
	assert_int_equal(sys_cg_write(s, CG2 "/cpu.max", "max"), -ENOENT);
	assert_int_equal(cg_read_errno(s, CG2 "/pids.current"), -ENOENT);
	assert_int_equal(cg_read_errno(s, CG2 "/cgroup.freeze"), -ENOENT);
	assert_true(cg_read_errno(s, CG2 "/memory.stat") > 0);
	assert_true(cg_read_errno(s, CG2 "/cpu.stat") > 0);
	assert_int_equal(sys_cg_mkdir(s, CG2 "/mcz-uml/runner/memory.max", 0755), -EEXIST);
	assert_int_equal(sys_cg_mkdir(s, CG2 "/mcz-uml/runner/cpu.stat/x", 0755), -ENOTDIR);
	/* pids enabled on the way down: its files appear with their defaults. */
	assert_int_equal(sys_cg_write(s, CG2 "/mcz-uml/cgroup.subtree_control", "+pids"), -ENOENT);
	assert_int_equal(sys_cg_write(s, CG2 "/cgroup.subtree_control", "+pids"), 0);
	assert_int_equal(sys_cg_write(s, CG2 "/mcz-uml/cgroup.subtree_control", "+pids"), 0);
	assert_cg_text(s, CG2 "/mcz-uml/runner/pids.max", "max\n");
	assert_cg_text(s, CG2 "/mcz-uml/runner/pids.current", "0\n");
	/* Disabling a controller destroys its state; enabling it again starts afresh. */
	assert_int_equal(sys_cg_write(s, CG2 "/mcz-uml/runner/memory.max", "64M"), 0);
	assert_int_equal(sys_cg_write(s, CG2 "/mcz-uml/cgroup.subtree_control", "-memory -cpu"), 0);
	assert_int_equal(cg_read_errno(s, CG2 "/mcz-uml/runner/memory.max"), -ENOENT);
	assert_cg_text(s, CG2 "/mcz-uml/runner/cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
	assert_int_equal(sys_cg_write(s, CG2 "/mcz-uml/cgroup.subtree_control", "+memory"), 0);
	assert_cg_text(s, CG2 "/mcz-uml/runner/memory.max", "max\n");
}

static void test_fake__cgroup2_value_validation(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	int h = fake_add_cgroup_hierarchy(f, CG2, "", "/mcz-uml/runner");
	static const char *const read_only[] = { "memory.current", "memory.events", "memory.stat",
						 "memory.peak",    "cpu.stat",      "pids.current",
						 "cgroup.controllers", "cgroup.events" };

	fake_cgroup2_controllers(f, h, "cpu memory pids");
	assert_int_equal(fake_cgroup2_enable(f, CG2 "/mcz-uml", "cpu memory pids"), 0);
	assert_int_equal(sys_cg_mkdir(s, CG2 "/mcz-uml/c", 0755), 0);
#define C CG2 "/mcz-uml/c/"
	/* memory limits: "max" or bytes (memparse(): suffixes, 0x), rounded down to a page.
	 * Outcomes as Linux 6.1 gives them. */
	assert_int_equal(sys_cg_write(s, C "memory.max", "64M"), 0);
	assert_cg_text(s, C "memory.max", "67108864\n");
	assert_int_equal(sys_cg_write(s, C "memory.max", "4097"), 0);
	assert_cg_text(s, C "memory.max", "4096\n");
	assert_int_equal(sys_cg_write(s, C "memory.max", "0x2000"), 0);
	assert_cg_text(s, C "memory.max", "8192\n");
	assert_int_equal(sys_cg_write(s, C "memory.max", "abc"), -EINVAL);
	assert_int_equal(sys_cg_write(s, C "memory.max", "-1"), -EINVAL);
	assert_int_equal(sys_cg_write(s, C "memory.max", "1.5G"), -EINVAL);
	assert_cg_text(s, C "memory.max", "8192\n");
	assert_int_equal(sys_cg_write(s, C "memory.max", "9223372036854775807"), 0);
	assert_cg_text(s, C "memory.max", "max\n");
	assert_int_equal(sys_cg_write(s, C "memory.max", "1000\n"), 0);
	assert_cg_text(s, C "memory.max", "0\n");
	assert_int_equal(sys_cg_write(s, C "memory.max", "max\n"), 0);
	assert_cg_text(s, C "memory.max", "max\n");
	assert_int_equal(sys_cg_write(s, C "memory.high", " 8193 "), 0);
	assert_cg_text(s, C "memory.high", "8192\n");
	assert_int_equal(sys_cg_write(s, C "memory.low", "1k"), 0);
	assert_cg_text(s, C "memory.low", "0\n");
	assert_int_equal(sys_cg_write(s, C "memory.min", "max"), 0);
	assert_cg_text(s, C "memory.min", "max\n");
	assert_int_equal(sys_cg_write(s, C "memory.swap.max", "0"), 0);
	assert_cg_text(s, C "memory.swap.max", "0\n");
	assert_int_equal(sys_cg_write(s, C "memory.swap.max", "none"), -EINVAL);
	/* cpu.weight: 1..10000, else ERANGE; not a number EINVAL. */
	assert_int_equal(sys_cg_write(s, C "cpu.weight", "0"), -ERANGE);
	assert_int_equal(sys_cg_write(s, C "cpu.weight", "10001"), -ERANGE);
	assert_int_equal(sys_cg_write(s, C "cpu.weight", "abc"), -EINVAL);
	assert_int_equal(sys_cg_write(s, C "cpu.weight", " 50"), -EINVAL);
	assert_cg_text(s, C "cpu.weight", "100\n");
	assert_int_equal(sys_cg_write(s, C "cpu.weight", "50\n"), 0);
	assert_cg_text(s, C "cpu.weight", "50\n");
	/* cpu.max: "$MAX [$PERIOD]", the period kept when omitted. */
	assert_int_equal(sys_cg_write(s, C "cpu.max", "50000"), 0);
	assert_cg_text(s, C "cpu.max", "50000 100000\n");
	assert_int_equal(sys_cg_write(s, C "cpu.max", "max 200000"), 0);
	assert_cg_text(s, C "cpu.max", "max 200000\n");
	assert_int_equal(sys_cg_write(s, C "cpu.max", "999"), -EINVAL);
	assert_int_equal(sys_cg_write(s, C "cpu.max", "max 999"), -EINVAL);
	assert_int_equal(sys_cg_write(s, C "cpu.max", "max 1000001"), -EINVAL);
	assert_int_equal(sys_cg_write(s, C "cpu.max", "abc"), -EINVAL);
	assert_int_equal(sys_cg_write(s, C "cpu.max", "0x1000 100000"), -EINVAL);
	assert_cg_text(s, C "cpu.max", "max 200000\n");
	assert_int_equal(sys_cg_write(s, C "cpu.max", "  2000   3000\n"), 0);
	assert_cg_text(s, C "cpu.max", "2000 3000\n");
	/* pids.max: "max" or 0..PID_MAX_LIMIT. */
	assert_int_equal(sys_cg_write(s, C "pids.max", "-1"), -EINVAL);
	assert_int_equal(sys_cg_write(s, C "pids.max", "4194305"), -EINVAL);
	assert_int_equal(sys_cg_write(s, C "pids.max", "abc"), -EINVAL);
	assert_int_equal(sys_cg_write(s, C "pids.max", "4194304"), 0);
	assert_cg_text(s, C "pids.max", "4194304\n");
	/* Read-only files: EINVAL (no write handler; root may open the 0444 file). */
	for (size_t i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), C "%s", read_only[i]);
		assert_int_equal(sys_cg_write(s, path, "1"), -EINVAL);
	}
	/* An empty write leaves the value (cgroup_file_write() returns at once). */
	assert_int_equal(sys_cg_write(s, C "memory.high", ""), 0);
	assert_cg_text(s, C "memory.high", "8192\n");
	assert_snapshot_has(f, "cgroup " CG2 "/mcz-uml/c cpu.max=2000 3000 cpu.weight=50 "
			       "memory.high=8192 memory.low=0 memory.max=max memory.min=max "
			       "memory.swap.max=0 pids.max=4194304\n");
#undef C
}

#define U "/sys/fs/cgroup/unified"
#define RUNNER U "/mcz-uml/runner"
#define OOM_EVENTS "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n"

static void test_fake__cgroup2_delegation_and_scripted_reports(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	int v1 = fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup/memory", "memory", "/");
	int h = fake_add_cgroup_hierarchy(f, U, "", "/mcz-uml/runner");

	(void)v1;
	/* Delegation is checked as writes would be. */
	assert_int_equal(fake_cgroup2_enable(f, U "/mcz-uml", "cpu"), -ENOENT);
	assert_int_equal(fake_cgroup2_enable(f, "/sys/fs/cgroup/memory/x", "memory"), -EINVAL);
	assert_int_equal(fake_cgroup2_enable(f, "/elsewhere", "memory"), -ENOENT);
	assert_int_equal(fake_cgroup2_controllers(f, h, "cpu memory"), 0);
	assert_int_equal(fake_cgroup2_enable(f, U "/mcz-uml", "cpu bogus"), -EINVAL);
	assert_int_equal(fake_cgroup2_enable(f, RUNNER, "memory"), -EBUSY);
	assert_int_equal(fake_cgroup2_enable(f, U "/mcz-uml", "cpu memory"), 0);
	assert_snapshot_has(f, "cgroup /sys/fs/cgroup/unified subtree_control=cpu,memory\n"
			       "cgroup /sys/fs/cgroup/unified/mcz-uml subtree_control=cpu,memory\n"
			       "cgroup /sys/fs/cgroup/unified/mcz-uml/runner procs=1000\n");
	/* A test scripts what the kernel would report: an OOM kill, usage figures. */
	assert_int_equal(fake_cgroup_set_file(f, RUNNER "/memory.events", OOM_EVENTS), 0);
	assert_cg_text(s, RUNNER "/memory.events", OOM_EVENTS);
	assert_int_equal(fake_cgroup_set_file(f, RUNNER "/memory.peak", "67108864"), 0);
	assert_cg_text(s, RUNNER "/memory.peak", "67108864\n");
	assert_int_equal(fake_cgroup_set_file(f, RUNNER "/cpu.stat",
					      "usage_usec 1500000\nuser_usec 1000000\n"
					      "system_usec 500000\n"), 0);
	assert_cg_text(s, RUNNER "/cpu.stat",
		       "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n");
	/* Not where the controller is off; never the control files. */
	assert_int_equal(fake_cgroup_set_file(f, U "/memory.events", "oom 1"), -ENOENT);
	assert_int_equal(fake_cgroup_set_file(f, U "/mcz-uml/cgroup.subtree_control", "cpu"), -EINVAL);
	assert_int_equal(fake_cgroup_set_file(f, U "/mcz-uml/cgroup.controllers", "cpu"), -EINVAL);
	/* The supervisor cannot move into the delegated parent: it distributes controllers. */
	assert_int_equal(sys_cg_write(s, U "/mcz-uml/cgroup.procs", "0"), -EBUSY);
	/* v1 is untouched by all this: its files keep what is written. */
	assert_int_equal(sys_cg_write(s, "/sys/fs/cgroup/memory/memory.limit_in_bytes", "64M"), 0);
	assert_cg_text(s, "/sys/fs/cgroup/memory/memory.limit_in_bytes", "64M\n");
}

#undef OOM_EVENTS
#undef RUNNER
#undef U

static void test_fake__proc_cgroup_and_mountinfo(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	char buf[2048];

	fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup/freezer", "freezer", "/");
	fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct", "/process_api/abc");
	fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup/unified", "", "/user.slice");
	fake_add_dir(f, "/with space", 0755, 0, 0);
	fake_add_mount(f, "/with space", MS_RDONLY | MS_NOSUID);
	assert_true(sys_proc_read(s, "/proc/self/cgroup", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "2:cpu,cpuacct:/process_api/abc\n"
				 "1:freezer:/\n"
				 "0::/user.slice\n");
	assert_true(sys_proc_read(s, "/proc/self/mountinfo", buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
			    "21 1 0:1 / / rw - ext4 / rw\n"
			    "22 21 0:2 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime - "
			    "cgroup cgroup rw,freezer\n"
			    "23 21 0:3 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime - "
			    "cgroup cgroup rw,cpu,cpuacct\n"
			    "24 21 0:4 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - "
			    "cgroup2 cgroup2 rw\n"
			    "25 21 0:5 /with\\040space /with\\040space ro,nosuid - ext4 /with\\040space rw\n");
	assert_true(sys_proc_read(s, "/proc/self/stat", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "1000 (mcz) R 1 1000 1000 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0\n");
	assert_int_equal(sys_proc_read(s, "/proc/4242/stat", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sys_proc_read(s, "/proc/self/cgroup", buf, 3), 2);
	assert_string_equal(buf, "2:");
}

/* ---- namespaces ---- */

static void test_fake__pidns_pinning(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };

	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = -1 });
	fake_add_dir(f, "/run/mcz/pidns", 0755, 0, 0);
	fake_add_file(f, "/run/mcz/pidns/c1", 0444, 0, 0);
	assert_int_equal(start(s, CLONE_NEWPID, &plan), 1001);
	assert_int_equal(sys_mount(s, "/proc/1001/ns/pid", "/run/mcz/pidns", NULL, MS_BIND, NULL), -ENOTDIR);
	assert_int_equal(sys_mount(s, "/proc/1999/ns/pid", "/run/mcz/pidns/c1", NULL, MS_BIND, NULL), -ENOENT);
	assert_int_equal(sys_mount(s, "/proc/1001/ns/pid", "/run/mcz/pidns/c1", NULL, MS_BIND, NULL), 0);
	sys_kill(s, 1001, SIGKILL);
	sys_waitpid(s, 1001, NULL, 0);
	/* The handle outlives the namespace's processes. */
	char *snap = fake_snapshot(f);
	assert_non_null(strstr(snap, "mount /run/mcz/pidns/c1 flags=MS_BIND source=pid:[4026532201]\n"));
	free(snap);
	char buf[512];
	sys_proc_read(s, "/proc/self/mountinfo", buf, sizeof(buf));
	assert_non_null(strstr(buf, "pid:[4026532201] /run/mcz/pidns/c1 rw - nsfs nsfs rw\n"));
	assert_int_equal(sys_umount2(s, "/run/mcz/pidns/c1", 0), 0);
}

static int ns_child(struct sys *s, void *arg, struct sys_child_report *rep)
{
	int *fd = arg;
	char path[64];
	char *const argv[] = { (char *)"sh", NULL };
	int r;

	(void)rep;
	/* An fd opened before CLONE_NEWNS points into the parent's namespace: check_mnt(). */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", *fd);
	r = sys_mount(s, "tmpfs", path, "tmpfs", 0, NULL);
	assert_int_equal(r, -EINVAL);
	r = sys_mount(s, "proc", "/mnt", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	assert_int_equal(r, 0);
	assert_int_equal(sys_chdir(s, "/mnt"), 0);
	return sys_execve(s, "/bin/sh", argv, NULL);
}

static void test_fake__mount_namespace(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct sys_spawn_req req = { .clone_flags = CLONE_NEWNS | CLONE_NEWPID, .child_main = ns_child };
	struct sys_child child;
	struct sys_child_report rep;
	char *before, *snap;
	int fd;

	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = -1 });
	fake_add_dir(f, "/mnt", 0755, 0, 0);
	fd = open_path(s, "/mnt");
	req.arg = &fd;
	before = fake_snapshot(f);
	assert_int_equal(sys_spawn(s, &req, &child), 1001);
	assert_int_equal(sys_release(s, &child, &rep), 0);
	snap = fake_snapshot(f);
	assert_non_null(strstr(snap, "mntns 1 mount /mnt flags=MS_NOSUID|MS_NODEV|MS_NOEXEC source=proc\n"));
	assert_non_null(strstr(snap, "proc 1001 ppid=1000 state=R pidns=1:1 mntns=1 uid=0 gid=0 "
				     "sid=1000 pgid=1000 comm=sh\n"));
	free(snap);
	/* The host does not see the child's mount. */
	assert_int_equal(sys_umount2(s, "/mnt", 0), -EINVAL);
	sys_kill(s, 1001, SIGKILL);
	sys_waitpid(s, 1001, NULL, 0);
	snap = fake_snapshot(f);
	assert_string_equal(snap, before);
	free(snap);
	free(before);
	sys_close(s, fd);
}

/* ---- users, sessions ---- */

static void test_fake__users_and_credentials(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct sys_passwd pw;

	assert_int_equal(sys_getpwnam(s, "nobody", &pw), 0);
	assert_int_equal(pw.uid, 65534);
	assert_string_equal(pw.home, "/nonexistent");
	assert_int_equal(sys_getpwnam(s, "alice", &pw), -ENOENT);
	fake_add_user(f, "alice", 1001, 1001, "/home/alice");
	fake_trace_clear(f);
	assert_int_equal(sys_getpwnam(s, "alice", &pw), 0);
	assert_string_equal(fake_trace(f), "getpwnam(\"alice\", {pw_name=\"alice\", pw_uid=1001, "
					   "pw_gid=1001, pw_dir=\"/home/alice\", groups=[1001]}) = 0\n");
	assert_int_equal(pw.n_groups, 1);
	assert_int_equal(pw.groups[0], 1001);
	assert_int_equal(sys_setsid(s), -EPERM); /* already a group leader */
	fake_trace_clear(f);
	assert_int_equal(sys_setgroups(s, pw.n_groups, pw.groups), 0);
	assert_string_equal(fake_trace(f), "setgroups(1, [1001]) = 0\n");
	assert_int_equal(sys_setgid(s, 1001), 0);
	assert_int_equal(sys_setuid(s, 1001), 0);
	assert_int_equal(sys_setuid(s, 0), -EPERM);
	assert_int_equal(sys_setgid(s, 0), -EPERM);
	assert_int_equal(sys_setgroups(s, pw.n_groups, pw.groups), -EPERM);
	assert_int_equal(sys_kill(s, 1000, 0), 0);
}

static void test_fake__setsid_in_child(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh", .setsid = true };
	char buf[128];

	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = -1 });
	assert_int_equal(start(s, CLONE_NEWPID, &plan), 1001);
	assert_true(sys_proc_read(s, "/proc/1001/stat", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "1001 (sh) S 1000 1001 1001 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0\n");
	assert_non_null(strstr(fake_trace(f), "[pid 1001] setsid() = 1\n"));
}

/* ---- faults on process ops ---- */

static void test_fake__spawn_after_leaves_nothing(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };
	struct sys_spawn_req req = { .clone_flags = CLONE_NEWPID | CLONE_NEWNS, .child_main = child_main, .arg = &plan };
	struct sys_child child = { .pid = -7 };
	char *before = fake_snapshot(f), *after;

	fake_fail_nth(f, 1, FAKE_AFTER, 0);
	assert_int_equal(sys_spawn(s, &req, &child), -EAGAIN);
	assert_int_equal(child.pid, -7); /* not written */
	after = fake_snapshot(f);
	assert_string_equal(after, before);
	assert_int_equal(fake_nprocs(f), 1);
	assert_int_equal(fake_open_fds(f), 0);
	free(before);
	free(after);
	/* The pid was used: the next child is 1002. */
	fake_disarm(f);
	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = -1 });
	assert_int_equal(sys_spawn(s, &req, &child), 1002);
	/* An injected release fault: the child never runs and exits 125. */
	fake_fail_nth(f, 1, FAKE_TRANSIENT, 0);
	assert_int_equal(sys_release(s, &child, &(struct sys_child_report){ 0 }), -EPIPE);
	assert_int_equal(fake_open_fds(f), 0);
	int st;
	assert_int_equal(fake_proc_state(f, 1002, &st), 'Z');
	assert_int_equal(st, 125 << 8);
	sys_waitpid(s, 1002, NULL, 0);
	/* FAKE_AFTER on release: the command runs though the caller hears of a failure. */
	assert_int_equal(sys_spawn(s, &req, &child), 1003);
	fake_fail_nth(f, 1, FAKE_AFTER, 0); /* release is counted before the child's calls */
	assert_int_equal(sys_release(s, &child, &(struct sys_child_report){ 0 }), -EPIPE);
	assert_int_equal(fake_proc_state(f, 1003, NULL), 'R');
}

static void test_fake__child_calls_are_fault_injectable(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct child_plan plan = { .exec = "/bin/sh" };
	struct sys_spawn_req req = { .child_main = child_main, .arg = &plan };
	struct sys_child child;
	struct sys_child_report rep;

	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = -1 });
	assert_int_equal(sys_spawn(s, &req, &child), 1001);
	fake_fail_nth(f, 2, FAKE_TRANSIENT, ENOEXEC); /* 1 is release, 2 the child's execve */
	assert_int_equal(sys_release(s, &child, &rep), -ENOEXEC);
	assert_string_equal(rep.step, "exec");
	assert_int_equal(fake_last_fault_op(f), SYS_OP_execve);
}

/* ---- file data, rename, locks, mount_setattr ---- */

static void test_fake__write_read_rename(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	char buf[32];
	int fd;

	fake_add_dir(f, "/run/mcz/containers/c1", 0755, 0, 0);
	fd = sys_openat(s, AT_FDCWD, "/run/mcz/containers/c1/state.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_int_equal(fd, 3);
	fake_trace_clear(f);
	assert_int_equal(sys_write(s, fd, "RUNNING\n", 8), 8);
	assert_int_equal(sys_read(s, fd, buf, sizeof(buf)), -EBADF);
	assert_int_equal(sys_close(s, fd), 0);
	assert_int_equal(sys_renameat(s, AT_FDCWD, "/run/mcz/containers/c1/state.tmp", AT_FDCWD,
				      "/run/mcz/containers/c1/state"), 0);
	assert_string_equal(fake_trace(f),
			    "write(3</run/mcz/containers/c1/state.tmp>, \"RUNNING\\n\", 8) = 8\n"
			    "read(3</run/mcz/containers/c1/state.tmp>, ..., 32) = -1 EBADF (Bad file "
			    "descriptor)\n"
			    "close(3</run/mcz/containers/c1/state.tmp>) = 0\n"
			    "renameat(AT_FDCWD, \"/run/mcz/containers/c1/state.tmp\", AT_FDCWD, "
			    "\"/run/mcz/containers/c1/state\") = 0\n");
	fd = sys_openat(s, AT_FDCWD, "/run/mcz/containers/c1/state", O_RDONLY, 0);
	assert_int_equal(sys_read(s, fd, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "RUNNING\n", 8);
	assert_int_equal(sys_read(s, fd, buf, sizeof(buf)), 0);
	sys_close(s, fd);
	assert_int_equal(sys_renameat(s, AT_FDCWD, "/run/mcz/containers/c1/nope", AT_FDCWD, "/x"), -ENOENT);
	assert_int_equal(sys_renameat(s, AT_FDCWD, "/run/mcz", AT_FDCWD, "/run/mcz/containers/x"), -EINVAL);
	assert_int_equal(sys_renameat(s, AT_FDCWD, "/run/mcz/containers/c1/state", AT_FDCWD, "/run/mcz/containers"), -EISDIR);
	assert_snapshot(f, "d 0755 0:0 /\n"
			   "d 0755 0:0 /run\n"
			   "d 0755 0:0 /run/mcz\n"
			   "d 0755 0:0 /run/mcz/containers\n"
			   "d 0755 0:0 /run/mcz/containers/c1\n"
			   "f 0644 0:0 /run/mcz/containers/c1/state size=8\n");
}

static void test_fake__flock(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	int a, b;

	fake_add_file(f, "/lock", 0644, 0, 0);
	a = sys_openat(s, AT_FDCWD, "/lock", O_RDONLY | O_CLOEXEC, 0);
	b = sys_openat(s, AT_FDCWD, "/lock", O_RDONLY | O_CLOEXEC, 0);
	assert_int_equal(sys_flock(s, a, LOCK_EX), 0);
	assert_int_equal(sys_flock(s, a, LOCK_EX), 0); /* converting one's own lock */
	assert_int_equal(sys_flock(s, b, LOCK_EX | LOCK_NB), -EWOULDBLOCK);
	assert_int_equal(sys_flock(s, b, LOCK_SH), -EDEADLK); /* would wait forever */
	assert_int_equal(sys_close(s, a), 0);
	assert_int_equal(sys_flock(s, b, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(sys_flock(s, open_path(s, "/lock"), LOCK_EX), -EBADF);
	assert_non_null(strstr(fake_trace(f), "flock(4</lock>, LOCK_EX|LOCK_NB) = -1 EAGAIN"));
}

static void test_fake__mount_setattr(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct statfs sfs;
	int fd;

	fake_add_dir(f, "/data/sub", 0755, 0, 0);
	fake_add_mount(f, "/data", 0);
	fake_add_mount(f, "/data/sub", 0);
	assert_int_equal(sys_mount_setattr(s, AT_FDCWD, "/data", AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0), 0);
	fd = open_path(s, "/data/sub");
	sys_fstatfs(s, fd, &sfs);
	assert_true(sfs.f_flags & ST_RDONLY);
	assert_int_equal(sys_mount_setattr(s, AT_FDCWD, "/data/sub", 0, 0, MOUNT_ATTR_RDONLY), 0);
	sys_fstatfs(s, fd, &sfs);
	assert_false(sfs.f_flags & ST_RDONLY);
	assert_int_equal(sys_mount_setattr(s, AT_FDCWD, "/data/sub", 0, MOUNT_ATTR_NOATIME, 0), -EINVAL);
	assert_int_equal(sys_mount_setattr(s, AT_FDCWD, "/", 0, 1ull << 40, 0), -EINVAL);
	fake_add_dir(f, "/plain", 0755, 0, 0);
	assert_int_equal(sys_mount_setattr(s, AT_FDCWD, "/plain", 0, MOUNT_ATTR_RDONLY, 0), -EINVAL);
	assert_non_null(strstr(fake_trace(f), "mount_setattr(AT_FDCWD, \"/data\", AT_RECURSIVE, "
					      "MOUNT_ATTR_RDONLY, 0) = 0\n"));
}

/* open_tree(OPEN_TREE_CLONE): a detached tree nobody sees, changed by mount_setattr from
 * its fd, attached by move_mount in another mount namespace (the container's child), while
 * a bind from an fd of the old namespace is refused (may_copy_tree()). */
struct tree_arg {
	int tree, src;
};

static int tree_child(struct sys *s, void *arg, struct sys_child_report *rep)
{
	const struct tree_arg *a = arg;
	char *const argv[] = { (char *)"sh", NULL };
	char path[64];
	int dst;

	(void)rep;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a->src);
	assert_int_equal(sys_mount(s, path, "/mnt", NULL, MS_BIND, NULL), -EINVAL);
	dst = sys_openat(s, AT_FDCWD, "/mnt", O_PATH | O_CLOEXEC, 0);
	assert_true(dst >= 0);
	assert_int_equal(sys_move_mount(s, a->tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH), 0);
	/* moved once: the fd now names an attached mount (moving that is not modelled) */
	assert_int_equal(sys_move_mount(s, a->tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH),
			 -EINVAL);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a->tree);
	assert_int_equal(sys_mount(s, "none", path, NULL, MS_REC | MS_SLAVE, NULL), 0);
	assert_int_equal(sys_close(s, dst), 0);
	return sys_execve(s, "/bin/sh", argv, NULL);
}

static void test_fake__open_tree_and_move_mount(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct sys_spawn_req req = { .clone_flags = CLONE_NEWNS, .child_main = tree_child };
	struct sys_child child;
	struct sys_child_report rep;
	struct tree_arg a;
	struct statfs sfs;
	struct stat st;
	char *before, *snap;
	int file, ftree;

	fake_add_program(f, "/bin/sh", &(struct fake_program){ .run_ms = -1 });
	fake_add_dir(f, "/mnt", 0755, 0, 0);
	fake_add_dir(f, "/src/sub", 0755, 0, 0);
	fake_add_mount(f, "/src/sub", MS_NOSUID);
	fake_add_file(f, "/f", 0644, 0, 0);
	a.src = open_path(s, "/src");
	before = fake_snapshot(f);
	a.tree = sys_open_tree(s, a.src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	assert_true(a.tree >= 0);
	assert_non_null(strstr(fake_trace(f), "open_tree(3</src>, \"\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|"
					      "AT_EMPTY_PATH|AT_RECURSIVE) = 4\n"));
	/* The detached tree is the source's inode, mounted nowhere: no snapshot shows it. */
	assert_int_equal(sys_fstat(s, a.tree, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	snap = fake_snapshot(f);
	assert_non_null(strstr(snap, "fd 4 /\n"));
	assert_null(strstr(snap, "source=/src "));
	free(snap);
	/* mount_setattr on the detached root, recursively; the host's mounts do not change. */
	assert_int_equal(sys_mount_setattr(s, a.tree, "", AT_EMPTY_PATH | AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0), 0);
	assert_int_equal(sys_fstatfs(s, a.tree, &sfs), 0);
	assert_true(sfs.f_flags & ST_RDONLY);
	assert_int_equal(sys_fstatfs(s, a.src, &sfs), 0);
	assert_false(sfs.f_flags & ST_RDONLY);
	/* AT_RECURSIVE without OPEN_TREE_CLONE, unknown flags: EINVAL */
	assert_int_equal(sys_open_tree(s, a.src, "", AT_RECURSIVE | AT_EMPTY_PATH), -EINVAL);
	assert_int_equal(sys_open_tree(s, AT_FDCWD, "/src", 1 << 20), -EINVAL);
	assert_int_equal(sys_open_tree(s, AT_FDCWD, "/nope", OPEN_TREE_CLONE), -ENOENT);
	file = sys_open_tree(s, AT_FDCWD, "/f", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	assert_true(file >= 0);
	/* A file tree goes on files only; an fd without OPEN_TREE_CLONE is no detached tree. */
	assert_int_equal(sys_move_mount(s, file, "", AT_FDCWD, "/mnt", MOVE_MOUNT_F_EMPTY_PATH), -ENOTDIR);
	ftree = sys_open_tree(s, AT_FDCWD, "/f", 0);
	assert_true(ftree >= 0);
	assert_int_equal(sys_move_mount(s, ftree, "", AT_FDCWD, "/f", MOVE_MOUNT_F_EMPTY_PATH), -EINVAL);
	assert_int_equal(sys_close(s, ftree), 0);
	assert_int_equal(sys_close(s, file), 0);
	/* The child attaches it in its own namespace. */
	req.arg = &a;
	assert_int_equal(sys_spawn(s, &req, &child), 1001);
	assert_int_equal(sys_release(s, &child, &rep), 0);
	snap = fake_snapshot(f);
	if (!strstr(snap, "mntns 1 mount /mnt flags=MS_RDONLY|MS_BIND source=/src prop=slave\n") ||
	    !strstr(snap, "mntns 1 mount /mnt/sub flags=MS_RDONLY|MS_NOSUID source=/src/sub prop=slave\n"))
		fail_msg("the tree is not on /mnt in the child:\n%s", snap);
	free(snap);
	sys_kill(s, 1001, SIGKILL);
	sys_waitpid(s, 1001, NULL, 0);
	assert_int_equal(sys_close(s, a.tree), 0);
	snap = fake_snapshot(f);
	assert_string_equal(snap, before);
	free(snap);
	free(before);
	assert_int_equal(sys_close(s, a.src), 0);
}

/* A file with hard links elsewhere reports them in st_nlink. */
static void test_fake__nlink(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;

	fake_add_file(f, "/f", 0644, 0, 0);
	fake_add_dir(f, "/d", 0755, 0, 0);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/f", &st, 0), 0);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(fake_set_nlink(f, "/f", 3), 0);
	assert_int_equal(fake_set_nlink(f, "/d", 3), -EINVAL);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "/f", &st, 0), 0);
	assert_int_equal(st.st_nlink, 3);
}

static void test_fake__chdir_and_relative_paths(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;

	fake_add_dir(f, "/sb/c1", 0700, 0, 0);
	fake_add_file(f, "/sb/f", 0644, 0, 0);
	assert_int_equal(sys_chdir(s, "/sb/f"), -ENOTDIR);
	assert_int_equal(sys_chdir(s, "/nope"), -ENOENT);
	assert_int_equal(sys_chdir(s, "/sb"), 0);
	assert_int_equal(sys_fstatat(s, AT_FDCWD, "c1", &st, 0), 0);
	assert_int_equal(st.st_mode, S_IFDIR | 0700);
}

/* ---- trace text of the process kinds ---- */

static void assert_format(const struct sys_call *c, int r, const char *want)
{
	char *line = sys_call_format(NULL, c, r, false);
	assert_string_equal(line, want);
	free(line);
}

static void test_fake__format_process_kinds(void **state)
{
	struct sys_call c;
	struct sys_spawn_req req = { .clone_flags = CLONE_NEWNS | CLONE_NEWPID };
	struct sys_child child = { .pid = 1001 };
	struct sys_child_report rep = { .errnum = EPERM, .step = "mount", .path = "/tmp" };
	char *const argv[] = { (char *)"sh", (char *)"-c", (char *)"exit 3", NULL };
	char *const envp[] = { (char *)"A=1", (char *)"B=2", NULL };
	char big[100];
	sigset_t set, all;
	siginfo_t si = { .si_signo = SIGCHLD };
	int st = SIGKILL;
	uint64_t ms = 1500;
	pid_t pids[3];

	(void)state;
	si.si_pid = 1001;
	sys_call_pack(&c, SYS_OP_kill, (pid_t)1001, SIGKILL);
	assert_format(&c, 0, "kill(1001, SIGKILL) = 0");
	sys_call_pack(&c, SYS_OP_kill, (pid_t)-1001, SIGRTMIN + 3);
	assert_format(&c, -ESRCH, "kill(-1001, SIGRTMIN+3) = -1 ESRCH (No such process)");
	sys_call_pack(&c, SYS_OP_kill, (pid_t)7, 0);
	assert_format(&c, 0, "kill(7, 0) = 0");
	sys_call_pack(&c, SYS_OP_waitpid, (pid_t)1001, &st, WNOHANG);
	assert_format(&c, 1001, "waitpid(1001, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], WNOHANG) = 1001");
	st = 3 << 8;
	sys_call_pack(&c, SYS_OP_waitpid, (pid_t)1001, &st, 0);
	assert_format(&c, 1001, "waitpid(1001, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0) = 1001");
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sys_call_pack(&c, SYS_OP_sigtimedwait, &set, &si, 10000);
	assert_format(&c, SIGCHLD, "sigtimedwait([SIGHUP SIGINT SIGTERM SIGCHLD], {si_signo=SIGCHLD, "
				   "si_pid=1001}, 10000) = SIGCHLD");
	sigfillset(&all);
	sys_call_pack(&c, SYS_OP_sigprocmask, SIG_BLOCK, &set, &all);
	assert_format(&c, 0, "sigprocmask(SIG_BLOCK, [SIGHUP SIGINT SIGTERM SIGCHLD], ~[32 33]) = 0");
	sys_call_pack(&c, SYS_OP_sigprocmask, SIG_SETMASK, NULL, NULL);
	assert_format(&c, -EINVAL, "sigprocmask(SIG_SETMASK, NULL, NULL) = -1 EINVAL (Invalid argument)");
	sys_call_pack(&c, SYS_OP_spawn, &req, &child);
	assert_format(&c, 1001, "spawn({flags=CLONE_NEWNS|CLONE_NEWPID}, {pid=1001}) = 1001");
	assert_format(&c, -EAGAIN, "spawn({flags=CLONE_NEWNS|CLONE_NEWPID}, {...}) = -1 EAGAIN "
				   "(Resource temporarily unavailable)");
	sys_call_pack(&c, SYS_OP_release, &child, &rep);
	assert_format(&c, 0, "release({pid=1001}, {...}) = 0");
	assert_format(&c, -EPERM, "release({pid=1001}, {step=\"mount\", path=\"/tmp\", errno=EPERM}) = "
				  "-1 EPERM (Operation not permitted)");
	assert_format(&c, -EPIPE, "release({pid=1001}, {...}) = -1 EPIPE (Broken pipe)");
	sys_call_pack(&c, SYS_OP_execve, "/bin/sh", argv, envp);
	assert_format(&c, 0, "execve(\"/bin/sh\", [\"sh\", \"-c\", \"exit 3\"], [2 vars]) = 0");
	memset(big, 'a', sizeof(big));
	sys_call_pack(&c, SYS_OP_write, 3, big, sizeof(big));
	assert_format(&c, 100, "write(3, \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"..., "
			       "100) = 100");
	sys_call_pack(&c, SYS_OP_flock, 3, LOCK_EX);
	assert_format(&c, 0, "flock(3, LOCK_EX) = 0");
	sys_call_pack(&c, SYS_OP_mount_setattr, AT_FDCWD, "/data", AT_RECURSIVE,
		      (uint64_t)(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID), (uint64_t)MOUNT_ATTR__ATIME);
	assert_format(&c, 0, "mount_setattr(AT_FDCWD, \"/data\", AT_RECURSIVE, "
			     "MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID, MOUNT_ATTR__ATIME) = 0");
	sys_call_pack(&c, SYS_OP_open_tree, 3, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	assert_format(&c, 4, "open_tree(3, \"\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_EMPTY_PATH|AT_RECURSIVE) = 4");
	sys_call_pack(&c, SYS_OP_move_mount, 4, "", 5, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	assert_format(&c, -ENOSYS, "move_mount(4, \"\", 5, \"\", MOVE_MOUNT_F_EMPTY_PATH|MOVE_MOUNT_T_EMPTY_PATH) = "
				   "-1 ENOSYS (Function not implemented)");
	sys_call_pack(&c, SYS_OP_clock_gettime, &ms);
	assert_format(&c, 0, "clock_gettime([1500]) = 0");
	sys_call_pack(&c, SYS_OP_proc_list, pids, (size_t)4096);
	assert_format(&c, 3, "proc_list([3 pids], 4096) = 3");
	sys_call_pack(&c, SYS_OP_nanosleep, 250);
	assert_format(&c, 0, "nanosleep(250) = 0");
	sys_call_pack(&c, SYS_OP_setsid);
	assert_format(&c, 1001, "setsid() = 1001");
	sys_call_pack(&c, SYS_OP_cg_write, "/sys/fs/cgroup/freezer/c1/freezer.state", "FROZEN");
	assert_format(&c, 0, "cg_write(\"/sys/fs/cgroup/freezer/c1/freezer.state\", \"FROZEN\") = 0");
	assert_string_equal(sys_signal_name(SIGRTMIN), "SIGRTMIN");
	assert_string_equal(sys_signal_name(SIGTERM), "SIGTERM");
}

/* ---- trace text ---- */

static void test_fake__trace_text(void **state)
{
	struct fake *f = F(state);
	struct sys *s = S(state);
	struct stat st;
	struct statfs sfs;
	char buf[16];
	int sb, fd;

	fake_add_dir(f, "/sb/c1", 0755, 0, 0);
	fake_add_dir(f, "/tmp", 01777, 0, 0);
	fake_add_symlink(f, "/sb/l", "a\"b");
	sb = sys_openat(s, AT_FDCWD, "/sb/c1", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	sys_mkdirat(s, sb, "tmp", 0700);
	fd = sys_openat2(s, sb, "tmp", O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
			 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	fake_fail_nth(f, 1, FAKE_TRANSIENT, EPERM);
	sys_fchmod(s, fd, 01777);
	sys_fstatat(s, AT_FDCWD, "/tmp", &st, 0);
	sys_fstatat(s, AT_FDCWD, "/nope", &st, AT_SYMLINK_NOFOLLOW);
	sys_readlinkat(s, AT_FDCWD, "/sb/l", buf, sizeof(buf));
	sys_fstatfs(s, fd, &sfs);
	sys_fchownat(s, fd, "", (uid_t)-1, 5, AT_EMPTY_PATH);
	sys_mount(s, NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
	sys_mount(s, "/tmp", "/sb/c1/tmp", NULL, MS_BIND | MS_REC, NULL);
	sys_umount2(s, "/sb/c1/tmp", MNT_DETACH);
	sys_close(s, fd);
	sys_openat(s, AT_FDCWD, "/x", O_WRONLY | O_CREAT | O_EXCL, 0640);
	assert_string_equal(
		fake_trace(f),
		"openat(AT_FDCWD, \"/sb/c1\", O_RDONLY|O_DIRECTORY|O_CLOEXEC, 0) = 3\n"
		"mkdirat(3</sb/c1>, \"tmp\", 0700) = 0\n"
		"openat2(3</sb/c1>, \"tmp\", O_RDONLY|O_NONBLOCK|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC, 0, "
		"RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS) = 4\n"
		"fchmod(4</sb/c1/tmp>, 01777) = -1 EPERM (Operation not permitted) [injected]\n"
		"fstatat(AT_FDCWD, \"/tmp\", {st_mode=S_IFDIR|01777, st_uid=0, st_gid=0}, 0) = 0\n"
		"fstatat(AT_FDCWD, \"/nope\", {...}, AT_SYMLINK_NOFOLLOW) = -1 ENOENT (No such file or "
		"directory)\n"
		"readlinkat(AT_FDCWD, \"/sb/l\", \"a\\\"b\", 16) = 3\n"
		"fstatfs(4</sb/c1/tmp>, {f_flags=ST_VALID}) = 0\n"
		"fchownat(4</sb/c1/tmp>, \"\", -1, 5, AT_EMPTY_PATH) = 0\n"
		"mount(NULL, \"/\", NULL, MS_REC|MS_SLAVE, NULL) = 0\n"
		"mount(\"/tmp\", \"/sb/c1/tmp\", NULL, MS_BIND|MS_REC, NULL) = 0\n"
		"umount2(\"/sb/c1/tmp\", MNT_DETACH) = 0\n"
		"close(4</sb/c1/tmp>) = 0\n"
		"openat(AT_FDCWD, \"/x\", O_WRONLY|O_CREAT|O_EXCL, 0640) = 4\n");
	fake_trace_clear(f);
	assert_string_equal(fake_trace(f), "");
	/* fds opened before the clear keep their paths */
	sys_mkdirat(s, sb, "new", 0755);
	assert_string_equal(fake_trace(f), "mkdirat(3</sb/c1>, \"new\", 0755) = 0\n");
}

static void test_fake__format_flags_and_errnos(void **state)
{
	struct sys_call c;
	char *line;

	(void)state;
	assert_string_equal(sys_errno_name(EXDEV), "EXDEV");
	assert_string_equal(sys_errno_name(-ELOOP), "ELOOP");
	assert_string_equal(sys_errno_name(4000), "E4000");
	sys_call_pack(&c, SYS_OP_openat, 7, "a\nb", O_PATH | O_RDWR | 0x40000000, (mode_t)0);
	line = sys_call_format(NULL, &c, -EXDEV, true);
	assert_string_equal(line, "openat(7, \"a\\nb\", O_RDWR|O_PATH|0x40000000, 0) = -1 EXDEV "
				  "(Invalid cross-device link) [injected]");
	free(line);
	sys_call_pack(&c, SYS_OP_mount, "/a", "/b", "tmpfs",
		      (unsigned long)(MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV |
				      MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_PRIVATE |
				      MS_SHARED | MS_RELATIME),
		      "mode=755");
	line = sys_call_format(NULL, &c, 0, false);
	assert_string_equal(line, "mount(\"/a\", \"/b\", \"tmpfs\", MS_RDONLY|MS_NOSUID|MS_NODEV|"
				  "MS_NOEXEC|MS_REMOUNT|MS_NOATIME|MS_NODIRATIME|MS_BIND|"
				  "MS_PRIVATE|MS_SHARED|MS_RELATIME, \"mode=755\") = 0");
	free(line);
	sys_call_pack(&c, SYS_OP_umount2, "/m", MNT_FORCE | UMOUNT_NOFOLLOW);
	line = sys_call_format(NULL, &c, -EBUSY, false);
	assert_string_equal(line, "umount2(\"/m\", MNT_FORCE|UMOUNT_NOFOLLOW) = -1 EBUSY (Device "
				  "or resource busy)");
	free(line);
	sys_call_pack(&c, SYS_OP_unlinkat, AT_FDCWD, "/d", AT_REMOVEDIR);
	line = sys_call_format(NULL, &c, 0, false);
	assert_string_equal(line, "unlinkat(AT_FDCWD, \"/d\", AT_REMOVEDIR) = 0");
	free(line);
	sys_call_pack(&c, SYS_OP_fchownat, 3, NULL, (uid_t)0, (gid_t)0, 0);
	line = sys_call_format(NULL, &c, 0, false);
	assert_string_equal(line, "fchownat(3, NULL, 0, 0, 0) = 0");
	free(line);
	int dirfd;
	sys_call_pack(&c, SYS_OP_mkdirat, 9, "x", (mode_t)0);
	assert_string_equal(sys_call_path(&c, &dirfd), "x");
	assert_int_equal(dirfd, 9);
	sys_call_pack(&c, SYS_OP_fstat, 9, NULL);
	assert_null(sys_call_path(&c, &dirfd));
}

/* ---- the tracing shim ---- */

static void test_fake__tracer_over_fake(void **state)
{
	struct fake *f = F(state);
	struct sys *t = sys_tracer_new(fake_sys(f));
	struct stat st;
	int fd;

	fake_add_dir(f, "/sb", 0755, 0, 0);
	fd = sys_openat(t, AT_FDCWD, "/sb", O_PATH | O_DIRECTORY, 0);
	assert_int_equal(fd, 3);
	assert_int_equal(sys_mkdirat(t, fd, "x", 0700), 0);
	fake_fail_nth(f, 1, FAKE_TRANSIENT, ENOSPC);
	assert_int_equal(sys_mkdirat(t, fd, "y", 0700), -ENOSPC);
	assert_int_equal(sys_fstatat(t, fd, "x", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(sys_close(t, fd), 0);
	/* The shim sees results, not how they came about: no [injected] mark. */
	assert_string_equal(sys_trace_text(sys_tracer_trace(t)),
			    "openat(AT_FDCWD, \"/sb\", O_RDONLY|O_DIRECTORY|O_PATH, 0) = 3\n"
			    "mkdirat(3</sb>, \"x\", 0700) = 0\n"
			    "mkdirat(3</sb>, \"y\", 0700) = -1 ENOSPC (No space left on device)\n"
			    "fstatat(3</sb>, \"x\", {st_mode=S_IFDIR|0700, st_uid=0, st_gid=0}, "
			    "AT_SYMLINK_NOFOLLOW) = 0\n"
			    "close(3</sb>) = 0\n");
	assert_int_equal(sys_trace_lines(sys_tracer_trace(t)), 5);
	assert_null(sys_trace_fd_path(sys_tracer_trace(t), 3));
	assert_int_equal(fake_calls(f), 5);
	sys_tracer_free(t);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest fake_model_tests[] = {
	T(test_fake__empty_world),
	T(test_fake__add_creates_parents),
	T(test_fake__resolution_dots_and_links),
	T(test_fake__resolution_relative_to_dirfd),
	T(test_fake__eloop_after_40_links),
	T(test_fake__mkdir_umask_and_mode_bits),
	T(test_fake__mkdir_eexist_even_dangling),
	T(test_fake__mkdir_enoent_enotdir),
	T(test_fake__mkdir_in_setgid_dir_inherits),
	T(test_fake__open_creat_umask_owner),
	T(test_fake__open_creat_excl_eexist_on_dangling),
	T(test_fake__open_nofollow_symlink),
	T(test_fake__final_symlink_matches_kernel),
	T(test_fake__symlinkat_and_rename_over),
	T(test_fake__open_directory_on_file),
	T(test_fake__openat2_beneath_exdev),
	T(test_fake__openat2_no_symlinks_eloop),
	T(test_fake__openat2_einval),
	T(test_fake__fd_lowest_free_and_reuse),
	T(test_fake__chmod_follows_symlinks),
	T(test_fake__fchmod_on_opath_ebadf),
	T(test_fake__chown_clears_setuid),
	T(test_fake__chown_nofollow_and_empty_path),
	T(test_fake__unlink_errnos),
	T(test_fake__unlink_mount_point_ebusy),
	T(test_fake__unlinked_dir_keeps_fd),
	T(test_fake__readlink),
	T(test_fake__fstatfs_reports_mount_flags),
	T(test_fake__bind_mount_visibility),
	T(test_fake__bind_rec_copies_submounts),
	T(test_fake__remount_ro_erofs),
	T(test_fake__proc_self_fd_magic_link),
	T(test_fake__propagation_only),
	T(test_fake__umount_busy_with_open_fd),
	T(test_fake__snapshot_stable_and_filtered),
	T(test_fake__countdown_transient),
	T(test_fake__countdown_persistent),
	T(test_fake__countdown_after_effect),
	T(test_fake__close_fault_releases_fd),
	T(test_fake__rules_once_always_glob),
	T(test_fake__rules_match_resolved_paths),
	T(test_fake__trace_text),
	T(test_fake__format_flags_and_errnos),
	T(test_fake__tracer_over_fake),
	T(test_fake__spawn_release_wait),
	T(test_fake__child_failure_report),
	T(test_fake__child_returns_without_exec),
	T(test_fake__exec_errors),
	T(test_fake__pidns_init_signal_rule),
	T(test_fake__init_death_kills_namespace),
	T(test_fake__orphans_go_to_host_init),
	T(test_fake__waitpid_echild_wnohang_edeadlk),
	T(test_fake__sigtimedwait_clock_and_scheduled),
	T(test_fake__unblocked_signals),
	T(test_fake__freezer_holds_kills),
	T(test_fake__cgroup2_kill_and_freeze),
	T(test_fake__cgroup2_controllers_and_subtree_control),
	T(test_fake__cgroup2_no_internal_processes),
	T(test_fake__cgroup2_controller_files),
	T(test_fake__cgroup2_value_validation),
	T(test_fake__cgroup2_delegation_and_scripted_reports),
	T(test_fake__proc_cgroup_and_mountinfo),
	T(test_fake__pidns_pinning),
	T(test_fake__mount_namespace),
	T(test_fake__users_and_credentials),
	T(test_fake__setsid_in_child),
	T(test_fake__spawn_after_leaves_nothing),
	T(test_fake__child_calls_are_fault_injectable),
	T(test_fake__write_read_rename),
	T(test_fake__flock),
	T(test_fake__mount_setattr),
	T(test_fake__open_tree_and_move_mount),
	T(test_fake__nlink),
	T(test_fake__chdir_and_relative_paths),
	T(test_fake__format_process_kinds),
};

SCENARIO_SUITE(fake_model, fake_model_tests, NULL, NULL);
