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

#endif
