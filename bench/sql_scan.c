/* sql_scan: queries over a month of NYC-taxi-shaped trips (3,066,766 rows, see
 * examples/taxi/generate.sql) through the real `ldp sql` binary, against the same
 * SQL run through DuckDB's C API inside this process as the baseline. Queries:
 * noop (select 42: the fixed cost), count (count(*): answered from the Parquet
 * footers), groupby (a 265-group aggregate reading three columns).
 *
 *   sql_scan [repetitions]     (default 11, after one warm-up run of each side)
 *
 * The ldp side is fork + exec + query + CSV to /dev/null + exit; the DuckDB side is
 * open an in-memory database + connect + query + fetch every chunk + close. The
 * ratio is therefore what a user pays for running the query as a command rather
 * than in an embedding program: process start, loading libduckdb, output.
 * The data file is generated once into <build>/bench-data/ and reused while the
 * generator is unchanged. */
#include <duckdb.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "taxi.h"

#if !defined(LDP_BIN) || !defined(LDP_SOURCE_DIR) || !defined(LDP_BUILD_DIR)
#error "LDP_BIN, LDP_SOURCE_DIR and LDP_BUILD_DIR come from bench/CMakeLists.txt"
#endif

typedef struct {
	const char *name; /* ratio key: sql_scan.<name> */
	const char *sql;  /* %s = the Parquet path */
	int64_t expect;   /* if not 0: the BIGINT both sides must return in row 1, column 1 */
} bench_query;

static const bench_query queries[] = {
	/* No data: the fixed cost of a query (for ldp: process, engine start, exit). */
	{"noop", "select 42::BIGINT -- %.0s", 42},
	{"count", "select count(*) from '%s'", TAXI_ROWS},
	{"groupby", "select PULocationID, count(*), avg(fare_amount), sum(total_amount) from '%s' group by 1", 0},
};
#define NQUERIES (sizeof queries / sizeof queries[0])

/* Runs `sql` in a fresh in-memory DuckDB, consuming every chunk. Returns the wall
 * time in ns (open to close) or -1; *rows gets the row count and *first the first
 * column of the first row when it is a BIGINT (else 0). */
static int64_t duckdb_run(const char *sql, int64_t *rows, int64_t *first)
{
	int64_t t0 = bench_now_ns();
	duckdb_database db = NULL;
	duckdb_connection con = NULL;
	duckdb_result res;
	int64_t n = 0, v = 0, dt = -1;
	if (duckdb_open(NULL, &db) != DuckDBSuccess) {
		fprintf(stderr, "sql_scan: duckdb_open failed\n");
		return -1;
	}
	if (duckdb_connect(db, &con) != DuckDBSuccess) {
		fprintf(stderr, "sql_scan: duckdb_connect failed\n");
		goto out;
	}
	if (duckdb_query(con, sql, &res) != DuckDBSuccess) {
		fprintf(stderr, "sql_scan: %s: %s\n", sql, duckdb_result_error(&res));
		duckdb_destroy_result(&res);
		goto out;
	}
	int first_is_bigint = duckdb_column_count(&res) > 0 && duckdb_column_type(&res, 0) == DUCKDB_TYPE_BIGINT;
	duckdb_data_chunk chunk;
	while ((chunk = duckdb_fetch_chunk(res)) != NULL) {
		idx_t size = duckdb_data_chunk_get_size(chunk);
		if (n == 0 && size > 0 && first_is_bigint)
			v = ((int64_t *)duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)))[0];
		n += (int64_t)size;
		duckdb_destroy_data_chunk(&chunk);
	}
	duckdb_destroy_result(&res);
	dt = 0;
out:
	duckdb_disconnect(&con);
	duckdb_close(&db);
	if (dt < 0)
		return -1;
	if (rows)
		*rows = n;
	if (first)
		*first = v;
	return bench_now_ns() - t0;
}

/* Before timing anything: ldp must print what DuckDB computes. */
static int cross_check(const char *sql, int64_t duck_rows, int64_t duck_first, int64_t expect)
{
	const char *out = DATA_DIR "/check.csv";
	char *argv[] = {(char *)LDP_BIN, (char *)"sql", (char *)"--format", (char *)"csv", (char *)sql, NULL};
	if (bench_run(argv, NULL, out) < 0)
		return -1;
	char *text = bench_slurp(out);
	unlink(out);
	if (!text)
		return -1;
	int64_t lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	int ok = lines == duck_rows + 1; /* header + rows */
	if (ok && expect) {
		const char *nl = strchr(text, '\n');
		ok = nl && strtoll(nl + 1, NULL, 10) == expect && duck_first == expect;
	}
	if (!ok)
		fprintf(stderr, "sql_scan: ldp and DuckDB disagree on: %s\nldp printed:\n%.400s\n", sql, text);
	free(text);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	int reps = 11;
	if (argc > 1) {
		char *end;
		long v = strtol(argv[1], &end, 10);
		if (*end || v < 1 || v > 1000) {
			fprintf(stderr, "usage: sql_scan [repetitions]   (1..1000, default 11)\n");
			return 2;
		}
		reps = (int)v;
	}
	/* The first DuckDB instance in a process costs more than later ones (one-time
	 * initialisation); every `ldp sql` pays it, the in-process side only once, here. */
	int64_t first_open = duckdb_run("select 42", NULL, NULL);
	if (first_open < 0 || ensure_taxi_file("sql_scan") != 0)
		return 1;

	bench_stats ls[NQUERIES], ds[NQUERIES];
	int64_t *l_ns = calloc((size_t)reps, sizeof *l_ns);
	int64_t *d_ns = calloc((size_t)reps, sizeof *d_ns);
	if (!l_ns || !d_ns) {
		fprintf(stderr, "sql_scan: out of memory\n");
		return 1;
	}
	for (size_t q = 0; q < NQUERIES; q++) {
		char sql[1024];
		snprintf(sql, sizeof sql, queries[q].sql, TAXI_FILE);
		char *ldp_argv[] = {(char *)LDP_BIN, (char *)"sql", sql, NULL};

		/* Warm-up (page cache, lazy binding) doubling as the correctness check. */
		int64_t rows = 0, first = 0;
		if (duckdb_run(sql, &rows, &first) < 0 || cross_check(sql, rows, first, queries[q].expect) != 0)
			return 1;
		for (int i = 0; i < reps; i++) {
			int64_t a, b;
			if (i % 2) {
				a = bench_run(ldp_argv, NULL, NULL);
				b = duckdb_run(sql, NULL, NULL);
			} else {
				b = duckdb_run(sql, NULL, NULL);
				a = bench_run(ldp_argv, NULL, NULL);
			}
			if (a < 0 || b < 0) {
				fprintf(stderr, "sql_scan: repetition %d of %s failed\n", i + 1, queries[q].name);
				return 1;
			}
			l_ns[i] = a;
			d_ns[i] = b;
		}
		ls[q] = bench_summarize(l_ns, (size_t)reps);
		ds[q] = bench_summarize(d_ns, (size_t)reps);
	}

	printf("\nsql_scan: %d rows, %d repetitions each after a warm-up; times in ms\n", TAXI_ROWS, reps);
	printf("  ldp    = fork/exec %s sql '<query>' > /dev/null\n", LDP_BIN);
	printf("  duckdb = DuckDB %s C API in-process, fresh in-memory database per repetition\n\n", duckdb_library_version());
	printf("%-10s %-7s %10s %10s %10s %10s\n", "query", "side", "min", "median", "p90", "max");
	for (size_t q = 0; q < NQUERIES; q++) {
		printf("%-10s %-7s %10.2f %10.2f %10.2f %10.2f\n", queries[q].name, "ldp", ls[q].min_ms, ls[q].median_ms, ls[q].p90_ms, ls[q].max_ms);
		printf("%-10s %-7s %10.2f %10.2f %10.2f %10.2f\n", "", "duckdb", ds[q].min_ms, ds[q].median_ms, ds[q].p90_ms, ds[q].max_ms);
	}
	printf("\nfirst DuckDB instance in a process (open, select 42, close) = %.2f ms; later ones: noop duckdb row\n", first_open / 1e6);
	for (size_t q = 0; q < NQUERIES; q++)
		printf("ldp overhead sql_scan.%s (median difference) = %.2f ms\n", queries[q].name, ls[q].median_ms - ds[q].median_ms);
	for (size_t q = 0; q < NQUERIES; q++)
		printf("ratio sql_scan.%s ldp/duckdb = %.2f\n", queries[q].name, ds[q].median_ms > 0 ? ls[q].median_ms / ds[q].median_ms : 0.0);
	free(l_ns);
	free(d_ns);
	return 0;
}
