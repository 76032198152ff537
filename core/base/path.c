/*
 * path.c — the path rules of SPEC §11 that every layer applies: normal paths, path flags,
 * and opening a path without following any symlink on it.
 */
#include <string.h>

#include "core/base/path.h"
#include "lib/util.h"

bool mcz_path_is_normal(const char *p)
{
	if (!*p)
		return false;
	if (*p == '/')
		p++;
	for (const char *c = p;;) {
		size_t len = strcspn(c, "/");

		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!c[len])
			return true;
		c += len + 1;
	}
}

int mcz_path_flag_check(const char *flag, const char *value, bool absolute, struct mcz_error *err)
{
	if (!value)
		return 0;
	if (absolute && value[0] != '/')
		return mcz_error_fmt(err, -EINVAL, "flag '--%s': '%s' must be an absolute path", flag,
				     value);
	/* They name directories mcz creates, sweeps and removes things under: a '..' (or a
	 * '.') would take that outside what the operator meant, '/' is everything. */
	if (strcmp(value, "/") == 0 || !mcz_path_is_normal(value))
		return mcz_error_fmt(err, -EINVAL,
				     "flag '--%s': '%s' must be a normal path (no '.', '..' or empty "
				     "components, no trailing '/') other than '/'",
				     flag, value);
	return 0;
}

/* An O_NOFOLLOW walk from "/", one component at a time: the fallback of openat2. Each
 * component is opened O_PATH|O_NOFOLLOW (a symlink then yields an fd on the link itself,
 * which fstat names), so a symlink anywhere is ELOOP and a non-directory in the middle
 * ENOTDIR. */
static int walk_no_symlinks(struct sys *s, const char *path, enum sys_op *ret_op)
{
	_cleanup_free_ char *copy = mcz_xstrdup(path);
	char *comp = copy + strspn(copy, "/");
	struct stat st;
	int dirfd, fd, r;

	*ret_op = SYS_OP_openat;
	dirfd = sys_openat(s, AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (dirfd < 0)
		return dirfd;
	while (*comp) {
		char *slash = strchr(comp, '/');

		if (slash)
			*slash = '\0';
		fd = sys_openat(s, dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
		(void)sys_close(s, dirfd); /* an O_PATH fd: a failed close changes nothing */
		if (fd < 0)
			return fd;
		r = sys_fstat(s, fd, &st);
		if (r >= 0 && S_ISLNK(st.st_mode))
			r = -ELOOP;
		else if (r >= 0 && slash && !S_ISDIR(st.st_mode))
			r = -ENOTDIR;
		if (r < 0) {
			*ret_op = r == -ELOOP || r == -ENOTDIR ? SYS_OP_openat : SYS_OP_fstat;
			(void)sys_close(s, fd);
			return r;
		}
		dirfd = fd;
		comp = slash ? slash + 1 + strspn(slash + 1, "/") : comp + strlen(comp);
	}
	return dirfd;
}

int mcz_open_no_symlinks(struct sys *s, const char *path, enum sys_op *ret_op)
{
	/* No O_NOFOLLOW: with O_PATH it would return a final symlink instead of ELOOP. */
	int fd = sys_openat2(s, AT_FDCWD, path, O_PATH | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS);

	*ret_op = SYS_OP_openat2;
	if (fd != -ENOSYS)
		return fd;
	return walk_no_symlinks(s, path, ret_op);
}
