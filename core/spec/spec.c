/*
 * spec.c — freeing a launch spec.
 */
#include <stdlib.h>

#include "core/spec/spec.h"
#include "lib/strv.h"

void mcz_volumes_free(struct mcz_volume *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].container_path);
		free(v[i].host_path);
	}
	free(v);
}

void mcz_config_done(struct mcz_config *cfg)
{
	free(cfg->id);
	free(cfg->isolators);
	mcz_volumes_free(cfg->volumes, cfg->n_volumes);
	free(cfg->sandbox);
	free(cfg->runtime_dir);
	free(cfg->cgroups_hierarchy);
	free(cfg->cgroups_root);
	free(cfg->user);
	mcz_strv_free(cfg->argv);
	mcz_strv_free(cfg->env);
	*cfg = (struct mcz_config){ 0 };
}
