/*
 * lap — launch-latency runner that interleaves its commands.
 *
 *   lap [-n RUNS] [-w WARMUP] NAME CMD [ARG...] :: NAME CMD [ARG...] :: ...
 *
 * hyperfine runs all of one command's runs, then all of the next: on a shared machine a noisy
 * minute then lands on one command only and skews the ratios. lap runs the commands round
 * robin (A B C A B C ...), so every command sees the same noise, and prints one line per
 * command: name, median, p10, p90 (ms). Each run is fork + execv + waitpid, timed with
 * CLOCK_MONOTONIC around it, like hyperfine -N; a run that does not exit 0 is an error.
 * On SIGINT or SIGTERM lap still waits for the run in progress, then exits 128+N: the caller's
 * cleanup never races with a launch (or a destroy) still under way.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cmd {
	const char *name;
	char **argv;
	double *ms;
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double run_once(const struct cmd *c)
{
	double t0 = now_ms();
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		perror("lap: fork");
		exit(2);
	}
	if (pid == 0) {
		/* like hyperfine's default: the command's output goes nowhere */
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execv(c->argv[0], c->argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (stop_signal)
		exit(128 + stop_signal);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "lap: '%s' failed (status %#x)\n", c->name, status);
		exit(2);
	}
	return now_ms() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int parse(int argc, char **argv, struct cmd *cmds, int max)
{
	int n = 0;

	for (int i = 0; i < argc && n < max;) {
		if (i + 1 >= argc) {
			fprintf(stderr, "lap: '%s' has no command\n", argv[i]);
			exit(2);
		}
		cmds[n].name = argv[i];
		cmds[n].argv = &argv[i + 1];
		int j = i + 1;
		while (j < argc && strcmp(argv[j], "::") != 0)
			j++;
		if (j < argc)
			argv[j] = NULL; /* ends this command's argv */
		n++;
		i = j + 1;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct cmd cmds[16];
	struct sigaction sa = { .sa_handler = on_stop }; /* no SA_RESTART; reset by execv */
	int runs = 100, warmup = 10, opt, n;

	while ((opt = getopt(argc, argv, "+n:w:")) != -1) {
		if (opt == 'n')
			runs = atoi(optarg);
		else if (opt == 'w')
			warmup = atoi(optarg);
		else
			return 2;
	}
	n = parse(argc - optind, argv + optind, cmds, 16);
	if (n == 0 || runs < 1) {
		fputs("usage: lap [-n RUNS] [-w WARMUP] NAME CMD [ARG...] :: NAME CMD ...\n", stderr);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (int k = 0; k < n; k++)
		cmds[k].ms = calloc((size_t)runs, sizeof(double));
	for (int r = 0; r < warmup; r++)
		for (int k = 0; k < n; k++)
			run_once(&cmds[k]);
	for (int r = 0; r < runs; r++)
		for (int k = 0; k < n; k++)
			cmds[k].ms[r] = run_once(&cmds[k]);
	for (int k = 0; k < n; k++) {
		qsort(cmds[k].ms, (size_t)runs, sizeof(double), cmp_double);
		printf("%s %.4f %.4f %.4f\n", cmds[k].name, cmds[k].ms[runs / 2], cmds[k].ms[runs / 10],
		       cmds[k].ms[runs * 9 / 10]);
		free(cmds[k].ms);
	}
	return 0;
}
