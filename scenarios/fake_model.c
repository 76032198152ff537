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
	assert_int_equal(sys_fchmodat(s, AT_FDCWD, "/a", 0700, 0), -EIO);
	assert_int_equal(sys_umount2(s, "/a", 0), -EIO);
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
};

SCENARIO_SUITE(fake_model, fake_model_tests, NULL, NULL);
