/* floor: the least a launcher with a pid and a mount namespace has to do; `make bench`
 * measures mcz against it (bench/README.md).
 *
 *   floor [-b TMPDIR RODIR] [-c NAME] [CMD [ARG...]]
 *
 *   (no option)   clone(NEWPID|NEWNS); child: "/" rslave, proc on /proc, execv CMD
 *                 (default /bin/true)
 *   -b TMPDIR RODIR
 *                 plus the two binds an mcz run with a private /tmp and one RO volume does:
 *                 TMPDIR on /tmp (MS_BIND|MS_REC) and RODIR on /mnt (MS_BIND, then
 *                 MS_REMOUNT|MS_BIND|MS_RDONLY)
 *   -c NAME       plus what mcz's cgroups/cpu,cgroups/mem do with cpus:1;mem:128: the cgroup
 *                 NAME below the floor's own cgroup in the cpu, cpuacct and memory
 *                 hierarchies (v1; found through /proc/self/cgroup and /proc/self/mountinfo),
 *                 cpu.shares 1024, memory.soft_limit_in_bytes and memory.limit_in_bytes
 *                 128 MiB; the child joins them first thing by writing "0" to each "tasks"
 *                 file; the parent removes them after waitpid (EBUSY retried for up to ~2 s)
 *
 * The parent waits and exits with the child's status (128+N when killed by signal N).
 * No error handling beyond "print and exit 125": this is a yardstick, not a tool. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { CG_CPU, CG_CPUACCT, CG_MEMORY, N_CG };

static const char *const cg_controller[N_CG] = { "cpu", "cpuacct", "memory" };

struct job {
	const char *tmp_dir; /* NULL: no binds */
	const char *ro_dir;
	int n_cg;            /* cgroups to join: 0 without -c */
	char cg_dir[N_CG][PATH_MAX];
	char **argv;
};

static char child_stack[256 * 1024] __attribute__((aligned(16)));

static int die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	return 125;
}

static int write_file(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX + 64];
	size_t len = strlen(value);
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, value, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

/* Does the comma-separated list have this exact item? ("cpu" is not in "cpuacct,cpuset".) */
static int has_item(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, item, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The floor's own cgroup directory in the v1 hierarchy of this controller. */
static int own_cgroup(const char *controller, char *dir, size_t size)
{
	char line[4096], own[PATH_MAX] = "", root[PATH_MAX], mnt[PATH_MAX], opts[1024];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *path = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!path)
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if (has_item(ctl + 1, controller) && strlen(path) < sizeof(own))
			found = (strcpy(own, path), 1);
	}
	fclose(f);
	f = fopen("/proc/self/mountinfo", "re");
	if (!found || !f)
		return (f ? fclose(f) : 0), -1;
	found = 0;
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPER_OPTIONS */
	while (!found && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - cgroup ");

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(sep, " - cgroup %*s %1023s", opts) != 1 || !has_item(opts, controller))
			continue;
		/* own is relative to the hierarchy's root; ROOT is the part of it mounted here */
		size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
		if (strncmp(own, root, rl) == 0)
			found = snprintf(dir, size, "%s%s", mnt, own + rl) < (int)size;
	}
	fclose(f);
	return found ? 0 : -1;
}

/* mkdir NAME below the floor's cgroups (once per directory: cpu and cpuacct may share a
 * hierarchy elsewhere) and write the limits. */
static int make_cgroups(struct job *job, const char *name)
{
	char own[PATH_MAX];

	for (int i = 0; i < N_CG; i++) {
		if (own_cgroup(cg_controller[i], own, sizeof(own)) != 0) {
			fprintf(stderr, "floor: no v1 %s hierarchy\n", cg_controller[i]);
			return -1;
		}
		char *dir = job->cg_dir[job->n_cg];
		if (snprintf(dir, PATH_MAX, "%s/%s", own, name) >= PATH_MAX)
			return errno = ENAMETOOLONG, die(name), -1;
		int dup = 0;
		for (int k = 0; k < job->n_cg; k++)
			dup |= strcmp(job->cg_dir[k], dir) == 0;
		if (dup)
			continue;
		if (mkdir(dir, 0755) != 0)
			return die(dir), -1;
		job->n_cg++;
		if ((i == CG_CPU && write_file(dir, "cpu.shares", "1024") != 0) ||
		    (i == CG_MEMORY &&
		     (write_file(dir, "memory.soft_limit_in_bytes", "134217728") != 0 ||
		      write_file(dir, "memory.limit_in_bytes", "134217728") != 0)))
			return die(dir), -1;
	}
	return 0;
}

/* rmdir of a cgroup whose last task just exited can see EBUSY for a moment. */
static int remove_cgroups(const struct job *job)
{
	int rc = 0;

	for (int i = 0; i < job->n_cg; i++) {
		struct timespec nap = { 0, 1000000 };
		long slept_ns = 0;

		while (rmdir(job->cg_dir[i]) != 0) {
			if (errno != EBUSY || slept_ns > 2000000000L) {
				rc = die(job->cg_dir[i]);
				break;
			}
			nanosleep(&nap, NULL);
			slept_ns += nap.tv_nsec;
			nap.tv_nsec = nap.tv_nsec * 2 > 100000000L ? 100000000L : nap.tv_nsec * 2;
		}
	}
	return rc;
}

static int child(void *arg)
{
	const struct job *job = arg;

	for (int i = 0; i < job->n_cg; i++)
		if (write_file(job->cg_dir[i], "tasks", "0") != 0)
			return die("join cgroup");
	if (mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
		return die("make / rslave");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		return die("mount proc");
	if (job->tmp_dir != NULL) {
		if (mount(job->tmp_dir, "/tmp", NULL, MS_BIND | MS_REC, NULL) != 0)
			return die("bind /tmp");
		if (mount(job->ro_dir, "/mnt", NULL, MS_BIND | MS_REC, NULL) != 0)
			return die("bind /mnt");
		if (mount("none", "/mnt", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0)
			return die("remount /mnt ro");
	}
	execv(job->argv[0], job->argv);
	return die(job->argv[0]);
}

static int usage(void)
{
	fprintf(stderr, "usage: floor [-b TMPDIR RODIR] [-c NAME] [CMD [ARG...]]\n");
	return 125;
}

int main(int argc, char **argv)
{
	static char *const default_argv[] = { (char *)"/bin/true", NULL };
	static struct job job; /* 12 KiB of paths: not on the stack the child shares */
	const char *cg_name = NULL;
	int first = 1, status, rc;
	pid_t pid;

	job.argv = (char **)default_argv;
	while (first < argc && argv[first][0] == '-') {
		if (strcmp(argv[first], "-b") == 0 && first + 2 < argc) {
			job.tmp_dir = argv[first + 1];
			job.ro_dir = argv[first + 2];
			first += 3;
		} else if (strcmp(argv[first], "-c") == 0 && first + 1 < argc &&
			   argv[first + 1][0] != '\0' && !strchr(argv[first + 1], '/')) {
			cg_name = argv[first + 1];
			first += 2;
		} else {
			return usage();
		}
	}
	if (first < argc)
		job.argv = argv + first;
	if (cg_name && make_cgroups(&job, cg_name) != 0)
		return remove_cgroups(&job), 125;

	pid = clone(child, child_stack + sizeof(child_stack),
		    CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, &job);
	if (pid < 0)
		rc = die("clone");
	else {
		while ((rc = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
		rc = rc < 0 ? die("waitpid")
		     : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (remove_cgroups(&job) != 0 && rc == 0)
		rc = 125;
	return rc;
}
