/*
 * config.c — turning flags into what the core takes: the container id, the sandbox, the
 * ContainerInfo (--container_info, --default_container_info, --volume).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <unistd.h>

#include "cli/cli.h"
#include "core/container/container.h"
#include "core/state/runtime.h"
#include "lib/util.h"


#define CONTAINER_INFO_MAX (1024 * 1024)

static int read_file(const char *flag, const char *path, char **ret, struct mcz_error *err)
{
	FILE *fp = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!fp)
		return mcz_error_fmt(err, -errno, "%s: open '%s': %s", flag, path, strerror(errno));
	for (;;) {
		buf = mcz_xrealloc(buf, len + 4096 + 1);
		size_t n = fread(buf + len, 1, 4096, fp);
		len += n;
		if (n < 4096)
			break;
		if (len > CONTAINER_INFO_MAX) {
			/* JSON input has a size cap (SPEC §11); a ContainerInfo is a few KB */
			fclose(fp);
			free(buf);
			return mcz_error_fmt(err, -EFBIG, "%s: '%s' is larger than 1 MiB", flag, path);
		}
	}
	int failed = ferror(fp) ? errno : 0;
	fclose(fp);
	if (failed) {
		free(buf);
		return mcz_error_fmt(err, -failed, "%s: read '%s': %s", flag, path, strerror(failed));
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

/* --container_info or --default_container_info: inline JSON, @FILE or file://FILE. */
static int load_container_info(const char *flag, const char *value,
			       struct mcz_container_info *ret, struct mcz_error *err)
{
	const char *path = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *what = NULL;

	if (value[0] == '@')
		path = value + 1;
	else if (strncmp(value, "file://", 7) == 0)
		path = value + 7;
	if (!path)
		return mcz_container_info_parse(value, flag, ret, err);

	int r = read_file(flag, path, &text, err);
	if (r < 0)
		return r;
	what = mcz_xasprintf("%s '%s'", flag, path);
	return mcz_container_info_parse(text, what, ret, err);
}

int cli_container_info(const struct mcz_flags *f, struct mcz_container_info *ci,
		       struct mcz_error *err)
{
	int r = 0;

	if (f->container_info)
		r = load_container_info("container_info", f->container_info, ci, err);
	else if (f->default_container_info)
		r = load_container_info("default_container_info", f->default_container_info, ci,
					err);
	for (size_t i = 0; r >= 0 && i < f->volumes.n; i++)
		r = mcz_container_info_add_volume_flag(ci, f->volumes.v[i], err);
	return r;
}

/* A random UUID (version 4), as Mesos uses for container ids. */
static int generate_container_id(char **ret, struct mcz_error *err)
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return mcz_error_fmt(err, -EIO, "container id: getrandom: %s", strerror(errno));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	*ret = mcz_xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
			     b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

int cli_container_id(const struct mcz_flags *f, char **ret, struct mcz_error *err)
{
	int r;

	if (!f->container_id)
		return generate_container_id(ret, err);
	r = mcz_container_id_check(f->container_id, err);
	if (r < 0)
		return r;
	*ret = mcz_xstrdup(f->container_id);
	return 0;
}

int cli_sandbox(const struct mcz_flags *f, const char *id, char **ret, struct mcz_error *err)
{
	if (f->sandbox) {
		if (f->sandbox[0] != '/')
			return mcz_error_fmt(err, -EINVAL, "sandbox '%s': must be an absolute path",
					     f->sandbox);
		*ret = mcz_xstrdup(f->sandbox);
		return 0;
	}
	if (f->work_dir[0] != '/')
		return mcz_error_fmt(err, -EINVAL, "work_dir '%s': must be an absolute path",
				     f->work_dir);
	*ret = mcz_xasprintf("%s/sandboxes/%s", f->work_dir, id);
	return 0;
}

int cli_container_arg(const struct mcz_flags *f, const char *cmd, const char **ret,
		      struct mcz_error *err)
{
	if (f->args.n != 1)
		return mcz_error_fmt(err, -EINVAL, "%s: expected one container id, got %zu arguments "
				     "(mcz %s [FLAGS] ID)", cmd, f->args.n, cmd);
	if (f->argv.n > 0)
		return mcz_error_fmt(err, -EINVAL, "%s: unexpected command after '--'", cmd);
	*ret = f->args.v[0];
	return 0;
}

/* supervisor.pid: `mcz destroy` asks this process (sigqueue, MCZ_DESTROY_REQUEST) to destroy
 * the container; `mcz status` shows it. */
int cli_write_supervisor_pid(struct mcz_container *c, struct mcz_error *err)
{
	_cleanup_free_ char *text = mcz_xasprintf("%d\n", (int)getpid());
	int r = mcz_runtime_write(c, "supervisor.pid", text, err);

	return r < 0 ? mcz_error_wrap(err, "container '%s'", c->cfg.id) : 0;
}
