/* floor: the least a launcher with a pid and a mount namespace has to do; `make bench`
 * measures mcz against it (bench/README.md).
 *
 *   floor [CMD [ARG...]]                    clone(NEWPID|NEWNS); child: "/" rslave, proc on
 *                                           /proc, execv CMD (default /bin/true)
 *   floor -b TMPDIR RODIR [CMD [ARG...]]    the same plus the two binds an mcz run with a
 *                                           private /tmp and one RO volume does: TMPDIR on
 *                                           /tmp (MS_BIND|MS_REC) and RODIR on /mnt (MS_BIND,
 *                                           then MS_REMOUNT|MS_BIND|MS_RDONLY)
 *
 * The parent waits and exits with the child's status (128+N when killed by signal N).
 * No error handling beyond "print and exit 125": this is a yardstick, not a tool. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

struct job {
	const char *tmp_dir; /* NULL: no binds */
	const char *ro_dir;
	char **argv;
};

static char child_stack[256 * 1024] __attribute__((aligned(16)));

static int die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	return 125;
}

static int child(void *arg)
{
	const struct job *job = arg;

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

int main(int argc, char **argv)
{
	static char *const default_argv[] = { (char *)"/bin/true", NULL };
	struct job job = { NULL, NULL, (char **)default_argv };
	int first = 1, status;
	pid_t pid;

	if (argc > 1 && strcmp(argv[1], "-b") == 0) {
		if (argc < 4) {
			fprintf(stderr, "usage: floor [-b TMPDIR RODIR] [CMD [ARG...]]\n");
			return 125;
		}
		job.tmp_dir = argv[2];
		job.ro_dir = argv[3];
		first = 4;
	}
	if (first < argc)
		job.argv = argv + first;

	pid = clone(child, child_stack + sizeof(child_stack),
		    CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, &job);
	if (pid < 0)
		return die("clone");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return die("waitpid");
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
