/* ingest: `ldp ingest` of the 3,066,766-row taxi month (taxi.h) as Parquet, CSV
 * and NDJSON into a fresh Iceberg table (ldp_ingest through libldp: open the
 * warehouse, create the table, read, write, commit), against DuckDB alone reading
 * the same file and writing it raw (a fresh in-memory DuckDB running
 * COPY (SELECT * FROM read_<format>(file)) TO x.parquet (FORMAT parquet,
 * COMPRESSION zstd)) in the same run. Prints rows/s of both and their ratio.
 *
 *   ingest [--reps N] [--only parquet,csv,ndjson]
 *
 * The CSV and NDJSON copies are written once from the Parquet file into
 * <build>/bench-data and reused. --reps (default 3) runs per side after one
 * warm-up each, alternating which side goes first; medians are compared. */
#include <duckdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "ingest/ingest.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "taxi.h"

#define ROOT LDP_BUILD_DIR "/bench-ingest"
#define PROG "ingest"
#define CSV_FILE DATA_DIR "/yellow_tripdata_2023-01.csv"
#define NDJSON_FILE DATA_DIR "/yellow_tripdata_2023-01.ndjson"

static int duck_exec(const char *sql)
{
	duckdb_database db = NULL;
	duckdb_connection con = NULL;
	duckdb_result res;
	int ok = 0;
	if (duckdb_open(NULL, &db) != DuckDBSuccess)
		return -1;
	if (duckdb_connect(db, &con) == DuckDBSuccess) {
		ok = duckdb_query(con, sql, &res) == DuckDBSuccess;
		if (!ok)
			fprintf(stderr, PROG ": %s: %s\n", sql, duckdb_result_error(&res));
		duckdb_destroy_result(&res);
	}
	duckdb_disconnect(&con);
	duckdb_close(&db);
	return ok ? 0 : -1;
}

/* The CSV / NDJSON copy of the taxi file, made once. */
static int ensure_copy(const char *path, const char *copy_opts)
{
	if (access(path, R_OK) == 0 && taxi_count_rows(path) == TAXI_ROWS) {
		printf("data: reusing %s\n", path);
		return 0;
	}
	printf("data: writing %s ...\n", path);
	fflush(stdout);
	char sql[1024], tmp[600];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	snprintf(sql, sizeof sql, "COPY (SELECT * FROM '%s') TO '%s' (%s)", TAXI_FILE, tmp, copy_opts);
	if (duck_exec(sql) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

static int64_t ldp_side(const char *file, int rep, const char *fmt)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/ldp-%s-%d", ROOT, fmt, rep);
	ldp_io_remove_tree(dir);
	int64_t t0 = bench_now_ns();
	ldp_project *p = NULL;
	ldp_warehouse *wh = NULL;
	if (ldp_project_init(dir, "bench", &p) || ldp_warehouse_open(p, &wh)) {
		fprintf(stderr, PROG ": %s\n", ldp_error_last()->message);
		exit(1);
	}
	ldp_ident id = {"bench", "trips"};
	ldp_ingest_options o;
	memset(&o, 0, sizeof o);
	ldp_ingest_result r;
	if (ldp_ingest(wh, file, &id, &o, &r) != LDP_OK) {
		fprintf(stderr, PROG ": ingest %s: %s\n", file, ldp_error_last()->message);
		exit(1);
	}
	ldp_warehouse_free(wh);
	ldp_project_free(p);
	int64_t dt = bench_now_ns() - t0;
	if (r.rows != TAXI_ROWS) {
		fprintf(stderr, PROG ": ingested %lld rows of %s, expected %d\n", (long long)r.rows, file, TAXI_ROWS);
		exit(1);
	}
	ldp_io_remove_tree(dir);
	return dt;
}

static int64_t duck_side(const char *file, const char *reader)
{
	char sql[1024], out[512];
	snprintf(out, sizeof out, "%s/duckdb-raw.parquet", ROOT);
	snprintf(sql, sizeof sql, "COPY (SELECT * FROM %s('%s')) TO '%s' (FORMAT parquet, COMPRESSION zstd)", reader, file, out);
	int64_t t0 = bench_now_ns();
	if (duck_exec(sql) != 0)
		exit(1);
	int64_t dt = bench_now_ns() - t0;
	unlink(out);
	return dt;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t median(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	int reps = 3;
	const char *only = "parquet,csv,ndjson";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: " PROG " [--reps N] [--only parquet,csv,ndjson]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > 50)
		reps = 3;
	if (ensure_taxi_file(PROG) != 0)
		return 1;
	if (strstr(only, "csv") && ensure_copy(CSV_FILE, "FORMAT csv, HEADER true") != 0)
		return 1;
	if (strstr(only, "ndjson") && ensure_copy(NDJSON_FILE, "FORMAT json") != 0)
		return 1;
	ldp_io_mkdirs(ROOT);
	static const struct {
		const char *name, *file, *reader;
	} fmts[] = {{"parquet", TAXI_FILE, "read_parquet"}, {"csv", CSV_FILE, "read_csv"}, {"ndjson", NDJSON_FILE, "read_json"}};
	printf("\n%-8s %14s %14s %12s %12s %8s\n", "format", "ldp rows/s", "duckdb rows/s", "ldp s", "duckdb s", "ratio");
	for (size_t f = 0; f < 3; f++) {
		if (!strstr(only, fmts[f].name))
			continue;
		int64_t fsize = 0;
		ldp_io_file_size(fmts[f].file, &fsize);
		/* warm-up: the file in the page cache, both code paths loaded */
		ldp_side(fmts[f].file, 0, fmts[f].name);
		duck_side(fmts[f].file, fmts[f].reader);
		int64_t l[50], d[50];
		for (int r = 0; r < reps; r++) {
			if (r % 2) {
				d[r] = duck_side(fmts[f].file, fmts[f].reader);
				l[r] = ldp_side(fmts[f].file, r + 1, fmts[f].name);
			} else {
				l[r] = ldp_side(fmts[f].file, r + 1, fmts[f].name);
				d[r] = duck_side(fmts[f].file, fmts[f].reader);
			}
		}
		double ls = median(l, reps) / 1e9, ds = median(d, reps) / 1e9;
		printf("%-8s %14.0f %14.0f %12.2f %12.2f %7.2fx   (%.0f MB file, %d rows, median of %d)\n", fmts[f].name,
		       TAXI_ROWS / ls, TAXI_ROWS / ds, ls, ds, ls / ds, fsize / 1e6, TAXI_ROWS, reps);
		fflush(stdout);
	}
	printf("\nratio = ldp ingest time / DuckDB read + raw Parquet write time (1.00x = no overhead)\n");
	return 0;
}
