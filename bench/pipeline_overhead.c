/* pipeline_overhead: what `ldp pipeline run` adds around its steps. A pipeline
 * of 100 no-op shell steps (`true`) is run as a chain (each step depends on the
 * one before) and fully parallel (no dependencies, max_active_steps 4), against
 * the same 100 commands run by a plain shell loop
 * (`for i in 1..100; do /bin/sh -c true; done`, the same /bin/sh -c per step the
 * runner uses) measured in the same run, interleaved.
 *
 *   pipeline_overhead [runs]     (default 5)
 *
 * The pipeline's time includes ldp's start-up, loading the config, the lock,
 * and recording the run, every attempt and its (empty) output in the state
 * file (.ldp/state.db); per-step overhead = (pipeline - loop) / 100. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#ifndef LDP_BIN
#error "LDP_BIN must name the ldp binary (bench/CMakeLists.txt defines it)"
#endif

#define NSTEPS 100

static int write_pipeline(const char *dir, const char *name, int chain)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/pipelines/%s.yml", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "pipeline_overhead: cannot write %s\n", path);
		return -1;
	}
	fprintf(f, "name: %s\nmax_active_steps: %d\nsteps:\n", name, chain ? 1 : 4);
	for (int i = 0; i < NSTEPS; i++) {
		fprintf(f, "  - name: s%03d\n    shell: \"true\"\n", i);
		if (chain && i > 0)
			fprintf(f, "    depends_on: [s%03d]\n", i - 1);
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* fork + exec in `cwd` with stdout and stderr into `log` (the runner echoes
 * every step to stderr); the wall time in ns, or -1 after printing the log. */
static int64_t run_quiet(char *const argv[], const char *cwd, const char *log)
{
	int64_t t0 = bench_now_ns();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
		    dup2(out, STDERR_FILENO) < 0 || chdir(cwd) != 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	int64_t dt = bench_now_ns() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "pipeline_overhead: %s %s %s %s failed; its output:\n", argv[0], argv[1], argv[2], argv[3]);
		char *cat_argv[] = {(char *)"/bin/cat", (char *)log, NULL};
		bench_run(cat_argv, NULL, "/dev/stderr");
		return -1;
	}
	return dt;
}

int main(int argc, char **argv)
{
	int runs = 5;
	if (argc > 1) {
		char *end;
		long v = strtol(argv[1], &end, 10);
		if (*end || v < 1 || v > 1000) {
			fprintf(stderr, "usage: pipeline_overhead [runs]   (runs: 1..1000, default 5)\n");
			return 2;
		}
		runs = (int)v;
	}
	char dir[] = "/tmp/ldp-bench-pipeline-XXXXXX";
	if (!mkdtemp(dir)) {
		fprintf(stderr, "pipeline_overhead: mkdtemp failed\n");
		return 1;
	}
	char *init_argv[] = {(char *)LDP_BIN, (char *)"init", dir, NULL};
	char pdir[PATH_MAX];
	snprintf(pdir, sizeof pdir, "%s/pipelines", dir);
	if (bench_run(init_argv, NULL, NULL) < 0 || mkdir(pdir, 0755) != 0 || write_pipeline(dir, "chain", 1) ||
	    write_pipeline(dir, "fanout", 0))
		return 1;

	char loop[128];
	snprintf(loop, sizeof loop, "i=0; while [ $i -lt %d ]; do /bin/sh -c true; i=$((i+1)); done", NSTEPS);
	char *loop_argv[] = {(char *)"/bin/sh", (char *)"-c", loop, NULL};
	char *chain_argv[] = {(char *)LDP_BIN, (char *)"pipeline", (char *)"run", (char *)"chain",
			      (char *)"--date", (char *)"2023-01-01", NULL};
	char *fan_argv[] = {(char *)LDP_BIN, (char *)"pipeline", (char *)"run", (char *)"fanout",
			    (char *)"--date", (char *)"2023-01-01", NULL};

	char log[PATH_MAX];
	snprintf(log, sizeof log, "%s/run.log", dir);
	int64_t *lp = calloc((size_t)runs, sizeof *lp), *ch = calloc((size_t)runs, sizeof *ch),
		*fo = calloc((size_t)runs, sizeof *fo);
	if (!lp || !ch || !fo)
		return 1;
	for (int i = 0; i < runs; i++) {
		lp[i] = bench_run(loop_argv, dir, NULL);
		ch[i] = run_quiet(chain_argv, dir, log);
		fo[i] = run_quiet(fan_argv, dir, log);
		if (lp[i] < 0 || ch[i] < 0 || fo[i] < 0) {
			fprintf(stderr, "pipeline_overhead: run %d failed (project left in %s)\n", i + 1, dir);
			return 1;
		}
	}
	bench_stats l = bench_summarize(lp, (size_t)runs);
	bench_stats c = bench_summarize(ch, (size_t)runs);
	bench_stats f = bench_summarize(fo, (size_t)runs);
	printf("pipeline_overhead: %d no-op shell steps (`true`), %d interleaved runs each\n", NSTEPS, runs);
	printf("ldp: %s\n\n", LDP_BIN);
	printf("%-36s %10s %10s %10s\n", "what (ms)", "min", "median", "max");
	printf("%-36s %10.1f %10.1f %10.1f\n", "shell loop, 100 x /bin/sh -c true", l.min_ms, l.median_ms, l.max_ms);
	printf("%-36s %10.1f %10.1f %10.1f\n", "ldp pipeline run chain (1 at a time)", c.min_ms, c.median_ms, c.max_ms);
	printf("%-36s %10.1f %10.1f %10.1f\n", "ldp pipeline run fanout (4 at a time)", f.min_ms, f.median_ms, f.max_ms);
	printf("\nper-step overhead (medians, (pipeline - loop) / %d): chain %.2f ms, fanout %.2f ms\n", NSTEPS,
	       (c.median_ms - l.median_ms) / NSTEPS, (f.median_ms - l.median_ms) / NSTEPS);
	printf("ratio pipeline_overhead.chain ldp/loop = %.2f\n", l.median_ms > 0 ? c.median_ms / l.median_ms : 0.0);
	printf("ratio pipeline_overhead.fanout ldp/loop = %.2f\n", l.median_ms > 0 ? f.median_ms / l.median_ms : 0.0);
	char *rm_argv[] = {(char *)"/bin/rm", (char *)"-rf", dir, NULL};
	bench_run(rm_argv, NULL, NULL);
	free(lp);
	free(ch);
	free(fo);
	return 0;
}
