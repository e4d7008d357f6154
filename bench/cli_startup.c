/* cli_startup: how long `ldp version` takes from fork to exit, against /bin/true
 * measured in the same run as the floor any process start pays (fork, exec,
 * dynamic loading, exit). The difference is ldp's own start-up: loading libduckdb
 * and the other shared libraries, relocations, static initialisers.
 *
 *   cli_startup [runs]     (default 50; stdout of the children goes to /dev/null)
 *
 * The runs of both programs are interleaved so that background load hits both
 * alike. The first run of each is reported on its own as the cold start: it is as
 * cold as an unprivileged process can make it (the page cache is not dropped, so
 * after a fresh build the binary is usually still cached). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

#ifndef LDP_BIN
#error "LDP_BIN must name the ldp binary (bench/CMakeLists.txt defines it)"
#endif

int main(int argc, char **argv)
{
	int runs = 50;
	if (argc > 1) {
		char *end;
		long v = strtol(argv[1], &end, 10);
		if (*end || v < 1 || v > 100000) {
			fprintf(stderr, "usage: cli_startup [runs]   (runs: 1..100000, default 50)\n");
			return 2;
		}
		runs = (int)v;
	}
	const char *true_bin = access("/bin/true", X_OK) == 0 ? "/bin/true" : "/usr/bin/true";
	char *ldp_argv[] = {(char *)LDP_BIN, (char *)"version", NULL};
	char *true_argv[] = {(char *)true_bin, NULL};

	int64_t ldp_cold = bench_run(ldp_argv, NULL, NULL);
	int64_t true_cold = bench_run(true_argv, NULL, NULL);
	if (ldp_cold < 0 || true_cold < 0) {
		fprintf(stderr, "cli_startup: could not run %s version or %s\n", LDP_BIN, true_bin);
		return 1;
	}

	int64_t *ldp_ns = calloc((size_t)runs, sizeof *ldp_ns);
	int64_t *true_ns = calloc((size_t)runs, sizeof *true_ns);
	if (!ldp_ns || !true_ns) {
		fprintf(stderr, "cli_startup: out of memory\n");
		return 1;
	}
	for (int i = 0; i < runs; i++) {
		/* Alternate which goes first so neither always follows the other. */
		if (i % 2) {
			ldp_ns[i] = bench_run(ldp_argv, NULL, NULL);
			true_ns[i] = bench_run(true_argv, NULL, NULL);
		} else {
			true_ns[i] = bench_run(true_argv, NULL, NULL);
			ldp_ns[i] = bench_run(ldp_argv, NULL, NULL);
		}
		if (ldp_ns[i] < 0 || true_ns[i] < 0) {
			fprintf(stderr, "cli_startup: run %d failed\n", i + 1);
			return 1;
		}
	}
	bench_stats l = bench_summarize(ldp_ns, (size_t)runs);
	bench_stats t = bench_summarize(true_ns, (size_t)runs);

	printf("cli_startup: wall time from fork to exit, %d interleaved runs each, stdout to /dev/null\n", runs);
	printf("ldp: %s\n\n", LDP_BIN);
	printf("%-16s %10s %10s %10s %10s %10s\n", "program (ms)", "first run", "min", "median", "p90", "max");
	printf("%-16s %10.3f %10.3f %10.3f %10.3f %10.3f\n", "ldp version", ldp_cold / 1e6, l.min_ms, l.median_ms, l.p90_ms, l.max_ms);
	printf("%-16s %10.3f %10.3f %10.3f %10.3f %10.3f\n", true_bin, true_cold / 1e6, t.min_ms, t.median_ms, t.p90_ms, t.max_ms);
	printf("\nldp start-up above the process floor (medians): %.3f ms\n", l.median_ms - t.median_ms);
	printf("cold start ldp version = %.3f ms (first run; page cache not dropped)\n", ldp_cold / 1e6);
	printf("ratio cli_startup.version ldp/true = %.2f\n", t.median_ms > 0 ? l.median_ms / t.median_ms : 0.0);
	free(ldp_ns);
	free(true_ns);
	return 0;
}
