/* Helpers shared by the benchmark programs (header only: bench/CMakeLists.txt
 * makes one program of every .c file in bench/). Benchmarks may print; the library may not. */
#ifndef LDP_BENCH_H
#define LDP_BENCH_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline int64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* fork + exec argv[0] (a path), optionally in directory `cwd`, with stdout sent to
 * `out_path` (NULL: /dev/null) and stdin from /dev/null. Returns the wall time in ns
 * from fork to reaped exit, or -1 if the child could not run or exited non-zero (the
 * child's stderr stays visible so the reason is on the terminal). */
static inline int64_t bench_run(char *const argv[], const char *cwd, const char *out_path)
{
	int64_t t0 = bench_now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
			_exit(126);
		close(in);
		close(out);
		if (cwd && chdir(cwd) != 0) {
			fprintf(stderr, "bench: chdir %s: %s\n", cwd, strerror(errno));
			_exit(126);
		}
		execv(argv[0], argv);
		fprintf(stderr, "bench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "bench: waitpid: %s\n", strerror(errno));
			return -1;
		}
	}
	int64_t dt = bench_now_ns() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: %s exited with status %d\n", argv[0],
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -1;
	}
	return dt;
}

typedef struct {
	double min_ms, median_ms, p90_ms, max_ms;
} bench_stats;

static int bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sorts `ns` in place. p90 is the nearest-rank value: the smallest sample with at
 * least 90% of the samples at or below it. */
static inline bench_stats bench_summarize(int64_t *ns, size_t n)
{
	bench_stats s = {0, 0, 0, 0};
	if (n == 0)
		return s;
	qsort(ns, n, sizeof *ns, bench_cmp_i64);
	size_t p90 = (9 * n + 9) / 10; /* ceil(0.9 n), 1-based */
	s.min_ms = ns[0] / 1e6;
	s.median_ms = (n % 2 ? ns[n / 2] : (ns[n / 2 - 1] + ns[n / 2]) / 2.0) / 1e6;
	s.p90_ms = ns[p90 - 1] / 1e6;
	s.max_ms = ns[n - 1] / 1e6;
	return s;
}

#endif
