/*
 * seed_gen.c — writes seed inputs for the /proc and cgroup targets from what the fake
 * generates (fuzz/README.md: how the corpora were made). Not part of the build: run once by
 *   cc -std=gnu11 -D_GNU_SOURCE -I. fuzz/seed_gen.c build/libmczfake.a build/libmcz.a \
 *      -l:libjansson.a -o build/seed_gen && build/seed_gen fuzz/corpus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakes/fake.h"
#include "sys/sys.h"

static const char *dir;

static void put(const char *target, const char *name, const char *a, const char *b)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	fp = fopen(path, "wb");
	if (!fp) {
		perror(path);
		exit(1);
	}
	fputs(a, fp);
	if (b) {
		fputc('\0', fp);
		fputs(b, fp);
	}
	fclose(fp);
}

static char *rd(struct fake *f, bool cg, const char *path)
{
	static char bufs[8][64 * 1024];
	static int i;
	char *buf = bufs[i++ % 8];
	struct sys *s = fake_sys(f);
	int r = cg ? sys_cg_read(s, path, buf, sizeof(bufs[0]))
		   : sys_proc_read(s, path, buf, sizeof(bufs[0]));

	if (r < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-r));
		buf[0] = '\0';
	}
	return buf;
}

int main(int argc, char **argv)
{
	struct fake *f;
	struct fake_program sleeper = { .run_ms = -1, .utime_ticks = 123, .stime_ticks = 45,
					.rss_pages = 678, .threads = 3 };
	int h;

	dir = argc > 1 ? argv[1] : "fuzz/corpus";

	/* a hybrid host: v1 controllers and the unified cgroup2 mount */
	f = fake_new();
	fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup/freezer", "freezer", "/process_api/abc");
	fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct", "/process_api/abc");
	fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup/memory", "memory", "/");
	fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup/unified", "", "/process_api/abc");
	put("mountinfo", "fake-hybrid", rd(f, false, "/proc/self/mountinfo"), NULL);
	put("proc_cgroup", "fake-hybrid", rd(f, false, "/proc/self/cgroup"), NULL);
	put("memory_stat", "fake-v1-root", "\0", NULL);
	fake_free(f);

	/* cgroup v2 only, delegated, a process with cpu time and memory */
	f = fake_new();
	h = fake_add_cgroup_hierarchy(f, "/sys/fs/cgroup", "", "/mcz-uml/runner");
	fake_cgroup2_controllers(f, h, "cpuset cpu io memory hugetlb pids rdma misc");
	fake_cgroup2_enable(f, "/sys/fs/cgroup/mcz-uml", "cpu memory pids");
	put("mountinfo", "fake-v2", rd(f, false, "/proc/self/mountinfo"), NULL);
	put("proc_cgroup", "fake-v2", rd(f, false, "/proc/self/cgroup"), NULL);
	put("cgroup_controllers", "fake-root",
	    rd(f, true, "/sys/fs/cgroup/cgroup.controllers"),
	    rd(f, true, "/sys/fs/cgroup/cgroup.subtree_control"));
	put("cgroup_controllers", "fake-delegated",
	    rd(f, true, "/sys/fs/cgroup/mcz-uml/cgroup.controllers"),
	    rd(f, true, "/sys/fs/cgroup/mcz-uml/cgroup.subtree_control"));
	put("cgroup_controllers", "fake-empty", "", "");
	{
		char v2[64 * 1024];

		snprintf(v2, sizeof(v2), "\x01%s", rd(f, true, "/sys/fs/cgroup/mcz-uml/memory.stat"));
		put("memory_stat", "fake-v2", v2, rd(f, true, "/sys/fs/cgroup/mcz-uml/memory.max"));
		snprintf(v2, sizeof(v2), "\x01%s", rd(f, true, "/sys/fs/cgroup/mcz-uml/cpu.stat"));
		put("cpu_stat", "fake-v2", v2, NULL);
	}
	fake_add_program(f, "/bin/sleep", &sleeper);
	put("proc_stat", "fake-supervisor", rd(f, false, "/proc/1000/stat"), NULL);
	fake_free(f);
	return 0;
}
