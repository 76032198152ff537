/*
 * usage.c — `mcz usage ID` and `mcz update ID --resources=...` (SPEC §2, §7): a running
 * container, loaded back from its runtime entry by another process.
 */
#include <errno.h>
#include <stdio.h>

#include "cli/cli.h"
#include "core/state/load.h"
#include "core/frontend/mesos/resources.h"
#include "lib/util.h"

int cmd_usage(const struct mcz_flags *f, struct mcz_error *err)
{
	struct mcz_container *c = NULL;
	struct mcz_usage u;
	const char *id;
	int r = cli_container_arg(f, "usage", &id, err);

	if (r >= 0)
		r = mcz_container_load(sys_real(), f->runtime_dir, id, &c, err);
	if (r >= 0)
		r = mcz_container_usage(c, &u, err);
	if (r >= 0) {
		_cleanup_free_ char *json = NULL;

		u.timestamp = mcz_usage_now();
		json = mcz_usage_json(&u);
		printf("%s\n", json);
	}
	mcz_container_free(c);
	return r < 0 ? r : 0;
}

int cmd_update(const struct mcz_flags *f, struct mcz_error *err)
{
	struct mcz_container *c = NULL;
	struct mcz_resources res;
	const char *id;
	int r = cli_container_arg(f, "update", &id, err);

	if (r >= 0 && !f->resources)
		r = mcz_error_fmt(err, -EINVAL, "update: --resources is required (e.g. --resources=mem:256)");
	if (r >= 0)
		r = mcz_resources_parse(f->resources, &res, err);
	if (r >= 0)
		r = mcz_container_load(sys_real(), f->runtime_dir, id, &c, err);
	if (r >= 0)
		r = mcz_container_update(c, &res, err);
	mcz_container_free(c);
	return r < 0 ? r : 0;
}
