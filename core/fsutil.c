/* fsutil.c — see fsutil.h. */
#include <string.h>

#include "core/fsutil.h"
#include "core/util.h"

int mcz_mkdir_p(struct sys *s, const char *path, mode_t mode, bool *ret_created,
		struct mcz_error *err)
{
	_cleanup_free_ char *p = mcz_xstrdup(path);
	struct stat st;
	int r = 0;

	if (ret_created)
		*ret_created = false;
	for (char *c = p + 1;; c++) {
		bool leaf = *c == '\0';

		if (*c != '/' && !leaf)
			continue;
		*c = '\0';
		r = sys_mkdirat(s, AT_FDCWD, p, leaf ? mode : 0755);
		if (r < 0 && r != -EEXIST)
			return mcz_error_sys(err, r, SYS_OP_mkdirat, p);
		if (leaf)
			break;
		*c = '/';
	}
	if (r == 0) {
		if (ret_created)
			*ret_created = true;
		return 0;
	}
	r = sys_fstatat(s, AT_FDCWD, path, &st, 0);
	if (r < 0)
		return mcz_error_sys(err, r, SYS_OP_fstatat, path);
	if (!S_ISDIR(st.st_mode))
		return mcz_error_sys(err, -ENOTDIR, SYS_OP_mkdirat, path);
	return 0;
}

static int write_all(struct sys *s, int fd, const char *content, const char *path,
		     struct mcz_error *err)
{
	size_t len = strlen(content), done = 0;

	while (done < len) {
		int n = sys_write(s, fd, content + done, len - done);

		if (n < 0)
			return mcz_error_sys(err, n, SYS_OP_write, path);
		if (n == 0)
			return mcz_error_sys(err, -EIO, SYS_OP_write, path);
		done += (size_t)n;
	}
	return 0;
}

int mcz_write_atomic(struct sys *s, const char *dir, const char *name, const char *content,
		     struct mcz_error *err)
{
	_cleanup_free_ char *tmp = mcz_xasprintf("%s/%s.tmp", dir, name);
	_cleanup_free_ char *dst = mcz_xasprintf("%s/%s", dir, name);
	int fd, r, rc;

	fd = sys_openat(s, AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return mcz_error_sys(err, fd, SYS_OP_openat, tmp);
	r = write_all(s, fd, content, tmp, err);
	/* A failed close after a complete write may mean the data never reached the file. */
	rc = sys_close(s, fd);
	if (r >= 0 && rc < 0)
		r = mcz_error_sys(err, rc, SYS_OP_close, tmp);
	if (r >= 0) {
		r = sys_renameat(s, AT_FDCWD, tmp, AT_FDCWD, dst);
		if (r < 0)
			mcz_error_sys(err, r, SYS_OP_renameat, dst);
	}
	if (r < 0)
		(void)sys_unlinkat(s, AT_FDCWD, tmp, 0); /* best effort: the error above says why */
	return r;
}

int mcz_remove(struct sys *s, const char *path, int flags, struct mcz_error *err)
{
	int r = sys_unlinkat(s, AT_FDCWD, path, flags);

	if (r < 0 && r != -ENOENT)
		return mcz_error_sys(err, r, SYS_OP_unlinkat, path);
	return 0;
}
