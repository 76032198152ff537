/* prepare.c — `mcz prepare`: a debug command that creates the sandbox and the volumes of
 * filesystem/shared on the real filesystem and prints the mount plan a launch would use. */
#include <errno.h>
#include <stdio.h>

#include "cli/cli.h"
#include "core/base/fsutil.h"
#include "core/plan/plan.h"
#include "lib/util.h"
#include "core/isolators/volume.h"

int cmd_prepare(const struct mcz_flags *f, struct mcz_error *err)
{
	struct mcz_container_info ci = { 0 };
	struct mcz_mount_plan plan = { 0 };
	_cleanup_free_ char *sandbox = NULL, *id = NULL;
	int r;

	if (f->args.n > 0)
		return mcz_error_fmt(err, -EINVAL, "prepare: unexpected argument '%s'", f->args.v[0]);
	r = cli_container_info(f, &ci, err);
	if (r >= 0)
		r = cli_container_id(f, &id, err);
	if (r >= 0)
		r = cli_sandbox(f, id, &sandbox, err);
	/* Bad input must create nothing, not even the sandbox: check before mkdir. */
	if (r >= 0)
		r = mcz_volumes_check(sys_real(), sandbox, ci.volumes, ci.n_volumes, err);
	if (r >= 0) {
		r = mcz_mkdir_p(sys_real(), sandbox, 0750, NULL, err);
		if (r < 0)
			mcz_error_wrap(err, "sandbox '%s'", sandbox);
	}
	if (r >= 0)
		r = mcz_shared_prepare(sys_real(), sandbox, ci.volumes, ci.n_volumes, &plan, err);
	if (r >= 0) {
		_cleanup_free_ char *text = mcz_mount_plan_format(&plan);
		fputs(text, stdout);
	}
	mcz_mount_plan_done(&plan);
	mcz_container_info_done(&ci);
	return r;
}

