/*
 * run.c — `mcz run`: launch, supervise in the foreground, destroy, and exit with the
 * command's status (SPEC §2, §8).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/container/container.h"
#include "core/base/fsutil.h"
#include "core/container/isolator.h"
#include "core/container/launcher.h"
#include "core/frontend/mesos/resources.h"
#include "lib/util.h"

int cli_build_config(const struct mcz_flags *f, const char *cmd, struct mcz_config *cfg,
		     struct mcz_error *err)
{
	struct mcz_container_info ci = { 0 };
	int r;

	if (f->args.n > 0)
		return mcz_error_fmt(err, -EINVAL, "%s: unexpected argument '%s' (the command goes after '--')",
				     cmd, f->args.v[0]);
	/* Without a cgroups isolator the resources are only recorded (for usage's limits). */
	if (f->resources) {
		r = mcz_resources_parse(f->resources, &cfg->resources, err);
		if (r < 0)
			return r;
	}
	r = cli_container_id(f, &cfg->id, err);
	if (r >= 0)
		r = cli_sandbox(f, cfg->id, &cfg->sandbox, err);
	if (r >= 0)
		r = mcz_isolation_parse(f->isolation, &cfg->isolators, &cfg->n_isolators, err);
	if (r >= 0)
		r = mcz_launcher_parse(f->launcher, geteuid() == 0, &cfg->launcher, err);
	if (r >= 0)
		r = cli_container_info(f, &ci, err);
	if (r < 0) {
		mcz_container_info_done(&ci);
		return r;
	}
	cfg->volumes = ci.volumes;
	cfg->n_volumes = ci.n_volumes;
	cfg->runtime_dir = mcz_xstrdup(f->runtime_dir);
	cfg->cgroups_hierarchy = mcz_xstrdup(f->cgroups_hierarchy);
	cfg->cgroups_root = mcz_xstrdup(f->cgroups_root);
	cfg->user = f->user ? mcz_xstrdup(f->user) : NULL;
	cfg->argv = mcz_strv_dup(f->argv.v, f->argv.n);
	cfg->env = mcz_strv_dup(f->env.v, f->env.n);
	cfg->stop_grace_period = f->stop_grace_period;
	cfg->cgroups_enable_cfs = f->cgroups_enable_cfs;
	cfg->cgroups_limit_swap = f->cgroups_limit_swap;
	return 0;
}

/* --termination_file=PATH: the Termination JSON, written atomically. */
static int write_termination_file(const char *path, const char *json, struct mcz_error *err)
{
	_cleanup_free_ char *dir = mcz_xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *name = path;

	if (slash) {
		*slash = '\0';
		name = slash + 1;
	}
	return mcz_write_atomic(sys_real(), slash ? (dir[0] ? dir : "/") : ".", name, json, err);
}

static int supervise_and_report(const struct mcz_flags *f, struct mcz_container *c,
				struct mcz_error *err)
{
	_cleanup_free_ char *json = NULL;
	int r = mcz_container_supervise(c, err);

	if (r < 0)
		return r;
	json = mcz_termination_json(c->cfg.id, &c->term);
	if (f->termination_file) {
		r = write_termination_file(f->termination_file, json, err);
		if (r < 0)
			return mcz_error_wrap(err, "termination file");
	}
	return mcz_termination_exit_code(&c->term);
}

int cmd_run(const struct mcz_flags *f, struct mcz_error *err)
{
	struct mcz_config cfg = { 0 };
	struct mcz_container *c;
	int r = cli_build_config(f, "run", &cfg, err);

	if (r < 0) {
		mcz_config_done(&cfg);
		return r;
	}
	c = mcz_container_new(sys_real(), &cfg);
	cli_set_title("run", c->cfg.id); /* it supervises the container in the foreground */
	r = mcz_container_check(c, err);
	if (r >= 0)
		r = mcz_container_launch(c, err);
	if (r >= 0)
		r = cli_write_supervisor_pid(c, err);
	if (r >= 0)
		r = supervise_and_report(f, c, err);
	mcz_container_free(c);
	return r;
}
