/*
 * real_tests.h — real-kernel tests for build/realtests.
 *
 * Unlike the scenarios (in-process, against the fake), each real test runs in its own forked
 * process, in its own process group, with a timeout: a test may unshare namespaces, mount,
 * hang or crash without taking the runner or the next test with it. A test is a function
 * returning REAL_PASS (0), REAL_SKIP (77, automake's convention) or anything else for failure:
 *
 *   REAL_TEST(sys_mkdirat__eexist, 10)
 *   {
 *           REAL_ASSERT(sys_mkdirat(s, dfd, "d", 0700) == -EEXIST, "got %d", r);
 *           return REAL_PASS;
 *   }
 *
 * Registration goes through the "mcz_real_tests" linker section, like SCENARIO_SUITE.
 * After each test the runner fails it if it left an fd open, a directory made by
 * real_tmpdir() (/var/tmp/mcz-rt-<runner pid>-<name>-*) behind (and removes it), or a
 * process in its group.
 */
#ifndef MCZ_SCENARIOS_REAL_TESTS_H
#define MCZ_SCENARIOS_REAL_TESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h> /* strerrorname_np */

#define REAL_PASS 0
#define REAL_SKIP 77
#define REAL_DEFAULT_TIMEOUT 60

struct real_test {
	const char *name;
	int (*fn)(void);
	unsigned timeout; /* seconds; 0 = REAL_DEFAULT_TIMEOUT */
};

#define REAL_TEST(tname, timeout_seconds)                                                       \
	static int real_test_fn_##tname(void);                                                  \
	static const struct real_test real_test_##tname = {                                     \
		.name = #tname,                                                                 \
		.fn = real_test_fn_##tname,                                                     \
		.timeout = (timeout_seconds),                                                   \
	};                                                                                      \
	__attribute__((used, section("mcz_real_tests"), aligned(sizeof(void *))))               \
	static const struct real_test *const real_test_ptr_##tname = &real_test_##tname;        \
	static int real_test_fn_##tname(void)

/* Print "file:line: assertion `cond' failed: message" to stderr and fail the test. */
#define REAL_ASSERT(cond, fmt, ...)                                                             \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			real_assert_failed(__FILE__, __LINE__, #cond, fmt, ##__VA_ARGS__);      \
			return 1;                                                               \
		}                                                                               \
	} while (0)

/* Expect a sys op (or any -errno call) to fail with -err, or to succeed. */
#define EXPECT_ERR(call, err)                                                                   \
	do {                                                                                    \
		int got_ = (call);                                                              \
		REAL_ASSERT(got_ == -(err), "%s: expected -%s, got %d (%s)", #call, strerrorname_np(err), \
			    got_, got_ < 0 ? strerrorname_np(-got_) : "success");               \
	} while (0)

#define EXPECT_OK(call)                                                                         \
	do {                                                                                    \
		int got_ = (call);                                                              \
		REAL_ASSERT(got_ >= 0, "%s: expected success, got %s", #call, strerrorname_np(-got_)); \
	} while (0)

/* Returns 0 when root, else REAL_SKIP with the reason recorded:
 *   int r = real_require_root(); if (r) return r;          */
#define REAL_REQUIRE_ROOT()                                                                     \
	do {                                                                                    \
		int real_rr_ = real_require_root();                                             \
		if (real_rr_)                                                                   \
			return real_rr_;                                                        \
	} while (0)

__attribute__((format(printf, 4, 5))) void real_assert_failed(const char *file, int line,
							      const char *cond, const char *fmt, ...);

/* Record why the test skips (shown as "SKIP: name: reason"); returns REAL_SKIP. */
__attribute__((format(printf, 1, 2))) int real_skip(const char *fmt, ...);
int real_require_root(void);

/* A fresh 0700 directory /var/tmp/mcz-rt-<runner pid>-<test name>-XXXXXX (on disk, not
 * tmpfs: /var/tmp is on the root filesystem here). Writes the path to buf; 0 or -errno. */
int real_tmpdir(char *buf, size_t size);
/* rm -rf without following symlinks or crossing into other filesystems. 0 or -errno. */
int real_rm_rf(const char *path);
/* Whether anything exists at path (lstat). */
int real_exists(const char *path);

/* The name of the running test (inside a test process). */
const char *real_test_name(void);

/* ---- cgroups: which layout the test runs on, and what it leaves there ----
 *
 * Read from /proc/self/mountinfo and /proc/self/cgroup, not through mcz's own code: the
 * layout is v1 when a v1 hierarchy with the memory or freezer controller is mounted at or
 * below /sys/fs/cgroup (the host's hybrid layout: its cgroup2 mount only has hugetlb), v2
 * when only a cgroup2 mount is (user-mode Linux, ci/uml/), none otherwise. */
enum real_cg_layout { REAL_CG_NONE, REAL_CG_V1, REAL_CG_V2 };

enum real_cg_layout real_cg_layout(void);
/* "cgroup v1", "cgroup v2", "no cgroups". */
const char *real_cg_layout_name(enum real_cg_layout layout);
/* Print "<test>: layout: cgroup vN[, extra]" on stdout (one line); returns the layout. */
enum real_cg_layout real_cg_print_layout(const char *extra);
/* "<mount><own cgroup>" of the v1 hierarchy that has `controller`, into buf; false if none. */
bool real_cg_v1_dir(const char *controller, char *buf, size_t size);
/* "<mount><own cgroup>" in the cgroup2 mount, into buf; false if there is none. */
bool real_cg2_dir(char *buf, size_t size);
/* The cgroup2 mount point ("/sys/fs/cgroup" in UML), or "" when there is none. */
const char *real_cg2_mount(void);
/* On v2 only (NULL otherwise): the absolute --cgroups_root for tests of the cgroups
 * isolators, "<parent>/mcz-rt-<pid>" relative to the cgroup2 mount. v2 gives controllers only
 * to the children of a cgroup without processes, and this process's own cgroup has them, so
 * the containers go below a delegated parent instead: $MCZ_UML_CGROUP_PARENT (set by
 * ci/uml/run.sh), else the parent of this process's cgroup. mcz removes the level when the
 * container is gone; real_cg_leftovers() reports it if it is still there. */
const char *real_cg_v2_root(void);
/* On v2: whether the cgroup2 `controller` is enabled for the children of that parent (the
 * level mcz creates gets it from there). */
bool real_cg_v2_can(const char *controller);
/* Cgroups named `id` or "<id>-...", up to 4 levels below this process's cgroup in every
 * hierarchy (each v1 one and the cgroup2 mount), and real_cg_v2_root()'s directory with all
 * below it. Reported on stderr ("<test>: left behind: cgroup '...'") unless `remove`; with
 * `remove` their processes are killed (thawed first) and they are removed, deepest first
 * (only failures are reported). Returns how many there were. */
int real_cg_leftovers(const char *id, bool remove);

#endif
