/* cli.h — shared pieces of the mcz binary (thin: the work is in core/). */
#ifndef MCZ_CLI_CLI_H
#define MCZ_CLI_CLI_H

#include "core/frontend/mesos/container_info.h"
#include "core/base/error.h"
#include "core/frontend/mesos/flags.h"
#include "core/spec/id.h"

#define EXIT_MCZ_FAILED 125 /* mcz itself failed (docker/podman convention) */
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

/* --container_id, or a random UUID (version 4) as Mesos uses. */
int cli_container_id(const struct mcz_flags *f, char **ret, struct mcz_error *err);
/* --sandbox, or <work_dir>/sandboxes/<id>; both must be absolute. */
int cli_sandbox(const struct mcz_flags *f, const char *id, char **ret, struct mcz_error *err);
/* --container_info (else --default_container_info), then every --volume appended. */
int cli_container_info(const struct mcz_flags *f, struct mcz_container_info *ci,
		       struct mcz_error *err);

struct mcz_config;
struct mcz_container;
/* Flags → the resolved configuration of `run` or `launch` (cmd names it in errors). Only
 * parsing here; mcz_container_check validates. */
int cli_build_config(const struct mcz_flags *f, const char *cmd, struct mcz_config *cfg,
		     struct mcz_error *err);
/* The one positional argument: the container's id. */
int cli_container_arg(const struct mcz_flags *f, const char *cmd, const char **ret,
		      struct mcz_error *err);
/* <runtime entry>/supervisor.pid := this process. */
int cli_write_supervisor_pid(struct mcz_container *c, struct mcz_error *err);

/* Overwrite mcz's command line (what /proc/PID/cmdline and ps show) with "mcz WHAT ID": a
 * supervisor lives as long as its container, and --env secrets must not be readable there. */
void cli_set_title(const char *what, const char *id);

/* Commands: return the exit status (>= 0), or < 0 with err set. */
int cmd_prepare(const struct mcz_flags *f, struct mcz_error *err);
int cmd_run(const struct mcz_flags *f, struct mcz_error *err);
int cmd_usage(const struct mcz_flags *f, struct mcz_error *err);  /* cli/usage.c */
int cmd_update(const struct mcz_flags *f, struct mcz_error *err); /* cli/usage.c */
int cmd_launch(const struct mcz_flags *f, struct mcz_error *err);  /* cli/lifecycle.c */
int cmd_wait(const struct mcz_flags *f, struct mcz_error *err);    /* cli/lifecycle.c */
int cmd_destroy(const struct mcz_flags *f, struct mcz_error *err); /* cli/lifecycle.c */
int cmd_status(const struct mcz_flags *f, struct mcz_error *err);  /* cli/lifecycle.c */
int cmd_list(const struct mcz_flags *f, struct mcz_error *err);    /* cli/lifecycle.c */
int cmd_recover(const struct mcz_flags *f, struct mcz_error *err); /* cli/recover.c */

#endif
