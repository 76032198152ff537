/* detached.c — see detached.h. */
#include <stdlib.h>
#include <string.h>

#include "core/container/container.h"
#include "core/container/isolator.h"
#include "core/container/launcher.h"
#include "core/frontend/mesos/resources.h"
#include "lib/util.h"
#include "scenarios/detached.h"
#include "scenarios/harness.h"

#define CG DETACHED_CG

static void world_v2(struct fake *f)
{
	int h = fake_add_cgroup_hierarchy(f, CG, "", "/mcz-uml/runner");

	assert_true(h >= 0);
	assert_int_equal(fake_cgroup2_controllers(f, h, "cpu memory"), 0);
	assert_int_equal(fake_cgroup2_enable(f, CG "/mcz-uml", "cpu memory"), 0);
}

void detached_world(struct fake *f, bool v2)
{
	struct fake_program busy = { .run_ms = -1, .children = 1, .utime_ticks = 300, .stime_ticks = 100,
				     .rss_pages = 256, .threads = 3 };

	assert_int_equal(fake_add_dir(f, "/proc", 0555, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, DETACHED_SANDBOXES, 0755, 0, 0), 0);
	assert_int_equal(fake_add_dir(f, DETACHED_RT "/containers", 0755, 0, 0), 0);
	/* its marker, as mcz writes it when it makes the dir (SPEC §11) */
	assert_int_equal(fake_add_file_data(f, DETACHED_RT "/mcz-runtime.json", 0644, 0, 0,
					    v2 ? "{\"cgroups_roots\": [\"/mcz-uml/mcz\"]}\n"
					       : "{\"cgroups_roots\": [\"mcz\"]}\n"), 0);
	struct fake_program short_lived = { .run_ms = 100, .exit_status = 3 << 8 };

	assert_int_equal(fake_add_program(f, "/usr/bin/busy", &busy), 0);
	assert_int_equal(fake_add_program(f, "/usr/bin/short", &short_lived), 0);
	if (v2) {
		world_v2(f);
		return;
	}
	assert_true(fake_add_cgroup_hierarchy(f, CG "/cpu", "cpu", "/") >= 0);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/cpuacct", "cpuacct", "/") >= 0);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/memory", "memory", "/") >= 0);
	assert_true(fake_add_cgroup_hierarchy(f, CG "/freezer", "freezer", "/") >= 0);
}

struct mcz_container *detached_start(struct fake *f, const char *id, const struct detached_spec *sp)
{
	struct mcz_config cfg = { 0 };
	struct mcz_error err = MCZ_ERROR_INIT;
	struct mcz_container *c;

	cfg.id = mcz_xstrdup(id);
	cfg.sandbox = mcz_xasprintf(DETACHED_SANDBOXES "/%s", id);
	cfg.runtime_dir = mcz_xstrdup(DETACHED_RT);
	cfg.cgroups_hierarchy = mcz_xstrdup(CG);
	cfg.cgroups_root = mcz_xstrdup(sp->v2 ? "/mcz-uml/mcz" : "mcz");
	cfg.argv = mcz_xcalloc(2, sizeof(char *));
	cfg.argv[0] = mcz_xstrdup(sp->program ? sp->program : "/usr/bin/busy");
	cfg.cgroups_enable_cfs = sp->cfs;
	cfg.cgroups_limit_swap = sp->limit_swap;
	if (sp->resources)
		assert_int_equal(mcz_resources_parse(sp->resources, &cfg.resources, &err), 0);
	assert_int_equal(mcz_isolation_parse(sp->isolation, &cfg.isolators, &cfg.n_isolators, &err), 0);
	assert_int_equal(mcz_launcher_parse(sp->launcher ? sp->launcher : "linux", true, &cfg.launcher, &err), 0);
	c = mcz_container_new(fake_sys(f), &cfg);
	if (mcz_container_check(c, &err) < 0 || mcz_container_launch(c, &err) < 0)
		fail_msg("launch '%s': %s", id, err.msg);
	return c;
}

pid_t detached_launch(struct fake *f, const char *id, const struct detached_spec *sp, bool lost)
{
	struct mcz_container *c = detached_start(f, id, sp);
	pid_t pid;

	if (lost)
		assert_int_equal(sys_close(fake_sys(f), c->lock_fd), 0);
	c->lock_fd = -1; /* else the supervisor's fd is closed by the free: its lock is released */
	pid = c->child.pid;
	mcz_container_free(c);
	return pid;
}
