/*
 * fuzz_common.h — helpers shared by the libFuzzer targets (fuzz/README.md).
 *
 * Targets never touch the real filesystem or kernel: everything goes through the recording
 * fake (fakes/fake.h). A target that feeds a /proc or cgroup file wraps the fake's struct sys
 * in a shim whose proc_read and cg_read answer from a table of (glob, content) pairs and hand
 * every other call (and every path not in the table) to the fake unchanged: the shim's priv is
 * the fake's own, so the fake's ops run as they would under fake_sys().
 */
#ifndef MCZ_FUZZ_COMMON_H
#define MCZ_FUZZ_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/error.h"
#include "fakes/fake.h"
#include "sys/sys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (it may hold NULs of its own). Caller frees. */
static inline char *fz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Cut [data, data+size) at the first NUL: *rest and *rest_size get what follows it
 * (NULL, 0 when there is no NUL). Returns the length of the first part. */
static inline size_t fz_cut(const uint8_t *data, size_t size, const uint8_t **rest,
			    size_t *rest_size)
{
	const uint8_t *nul = memchr(data, '\0', size);

	if (!nul) {
		*rest = NULL;
		*rest_size = 0;
		return size;
	}
	*rest = nul + 1;
	*rest_size = size - (size_t)(nul + 1 - data);
	return (size_t)(nul - data);
}

/* ---- the shim: proc_read / cg_read from a table, everything else the fake's ---- */

struct fz_file {
	const char *glob;  /* fnmatch(3) pattern on the path, FNM_PATHNAME not set */
	const char *data;  /* content (may hold NULs), NULL for "not served" */
	size_t len;
};

#define FZ_FILES_MAX 8

struct fz_world {
	struct fake *f;
	struct sys sys;           /* the shim: use this one */
	struct sys_ops ops;
	const struct sys_ops *inner;
	struct fz_file files[FZ_FILES_MAX];
	size_t n_files;
};

static struct fz_world *fz_cur; /* libFuzzer runs one input at a time in one thread */

static int fz_serve(const char *path, char *buf, size_t size, bool *served)
{
	*served = false;
	for (size_t i = 0; fz_cur && i < fz_cur->n_files; i++) {
		const struct fz_file *fl = &fz_cur->files[i];
		size_t n;

		if (!fl->data || fnmatch(fl->glob, path, 0) != 0)
			continue;
		*served = true;
		if (size == 0)
			return -EINVAL;
		/* the contract of proc_read/cg_read: at most size - 1 bytes and a NUL */
		n = fl->len < size - 1 ? fl->len : size - 1;
		memcpy(buf, fl->data, n);
		buf[n] = '\0';
		return (int)n;
	}
	return 0;
}

static int fz_proc_read(struct sys *s, const char *path, char *buf, size_t size)
{
	bool served;
	int r = fz_serve(path, buf, size, &served);

	return served ? r : fz_cur->inner->proc_read(s, path, buf, size);
}

static int fz_cg_read(struct sys *s, const char *path, char *buf, size_t size)
{
	bool served;
	int r = fz_serve(path, buf, size, &served);

	return served ? r : fz_cur->inner->cg_read(s, path, buf, size);
}

/* A fresh fake behind the shim. */
static inline void fz_world_init(struct fz_world *w)
{
	struct sys *inner;

	memset(w, 0, sizeof(*w));
	w->f = fake_new();
	inner = fake_sys(w->f);
	w->inner = inner->ops;
	w->ops = *inner->ops;
	w->ops.proc_read = fz_proc_read;
	w->ops.cg_read = fz_cg_read;
	w->sys.ops = &w->ops;
	w->sys.priv = inner->priv;
	fz_cur = w;
}

static inline void fz_world_done(struct fz_world *w)
{
	w->f = fake_free(w->f);
	if (fz_cur == w)
		fz_cur = NULL;
}

static inline void fz_serve_file(struct fz_world *w, const char *glob, const char *data,
				 size_t len)
{
	if (w->n_files == FZ_FILES_MAX)
		abort();
	w->files[w->n_files++] = (struct fz_file){ .glob = glob, .data = data, .len = len };
	fz_cur = w;
}

static inline void fz_serve_clear(struct fz_world *w)
{
	w->n_files = 0;
	fake_trace_clear(w->f); /* a long-lived world must not grow its trace without bound */
}

/* A regular file with this content in the fake's tree (parents made), written through the
 * fake's own ops as mcz would write it. Aborts on failure: the world is the harness's. */
static inline void fz_put_file(struct fz_world *w, const char *dir, const char *name,
			       const char *data, size_t len)
{
	struct sys *s = fake_sys(w->f);
	char path[4096];
	int fd, r;

	r = fake_add_dir(w->f, dir, 0755, 0, 0);
	if (r < 0 && r != -EEXIST)
		abort();
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = sys_openat(s, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		abort();
	for (size_t off = 0; off < len;) {
		int n = sys_write(s, fd, data + off, len - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	if (sys_close(s, fd) < 0)
		abort();
}

#endif
