/* The benchmark data set shared by the benchmarks (header only, like bench.h):
 * a month of NYC-taxi-shaped trips (3,066,766 rows, examples/taxi/generate.sql),
 * generated once into <build>/bench-data/ by the real `ldp sql` binary and reused
 * while the generator is unchanged. Needs LDP_BIN, LDP_SOURCE_DIR and LDP_BUILD_DIR
 * (bench/CMakeLists.txt defines them) and duckdb.h. */
#ifndef LDP_BENCH_TAXI_H
#define LDP_BENCH_TAXI_H

#include <duckdb.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#define TAXI_ROWS 3066766
#define DATA_DIR LDP_BUILD_DIR "/bench-data"
#define TAXI_FILE DATA_DIR "/yellow_tripdata_2023-01.parquet"
#define TAXI_TMP TAXI_FILE ".tmp" /* the name generate.sql writes */
#define GENERATOR LDP_SOURCE_DIR "/examples/taxi/generate.sql"
#define GENERATOR_COPY DATA_DIR "/generate.sql.used"

/* A whole file as a NUL-terminated string (malloc'd), or NULL. */
static inline char *bench_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char tmp[8192];
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		memcpy(buf + len, tmp, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	return buf;
}

/* The pyiceberg venv's python: $LDP_BENCH_PYTHON, else scripts/pyenv.sh
 * <build>/_pyenv (made on first use; its output goes to <scratch>/pyenv.out).
 * 0 when it is there, else -1. */
static inline int bench_find_python(char *out, size_t n, const char *scratch)
{
	const char *env = getenv("LDP_BENCH_PYTHON");
	if (env && *env) {
		snprintf(out, n, "%s", env);
		return access(out, X_OK) == 0 ? 0 : -1;
	}
	char log[4096];
	snprintf(log, sizeof log, "%s/pyenv.out", scratch);
	char *argv[] = {(char *)"/bin/bash", (char *)LDP_SOURCE_DIR "/scripts/pyenv.sh", (char *)LDP_BUILD_DIR "/_pyenv", NULL};
	if (bench_run(argv, NULL, log) < 0)
		return -1;
	char *text = bench_slurp(log);
	if (!text)
		return -1;
	text[strcspn(text, "\n")] = '\0';
	snprintf(out, n, "%s", text);
	free(text);
	return access(out, X_OK) == 0 ? 0 : -1;
}

static inline int bench_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = strlen(text);
	int ok = fwrite(text, 1, n, f) == n;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* count(*) of a Parquet file through a throwaway DuckDB instance, or -1. */
static inline int64_t taxi_count_rows(const char *path)
{
	duckdb_database db = NULL;
	duckdb_connection con = NULL;
	duckdb_result res;
	int64_t n = -1;
	char sql[4200];
	snprintf(sql, sizeof sql, "select count(*) from '%s'", path);
	if (duckdb_open(NULL, &db) != DuckDBSuccess)
		return -1;
	if (duckdb_connect(db, &con) == DuckDBSuccess) {
		if (duckdb_query(con, sql, &res) == DuckDBSuccess)
			n = duckdb_value_int64(&res, 0, 0);
		duckdb_destroy_result(&res);
	}
	duckdb_disconnect(&con);
	duckdb_close(&db);
	return n;
}

/* The taxi file is usable if it was made by the current generator and holds every
 * row (a file cut short has no footer, so the count fails rather than lies). */
static inline int taxi_file_ok(const char *generator_text)
{
	char *used = bench_slurp(GENERATOR_COPY);
	int same = used && strcmp(used, generator_text) == 0;
	free(used);
	if (!same || access(TAXI_FILE, R_OK) != 0)
		return 0;
	return taxi_count_rows(TAXI_FILE) == TAXI_ROWS;
}

/* Make sure TAXI_FILE exists and is current; `prog` prefixes messages. */
static inline int ensure_taxi_file(const char *prog)
{
	char *gen = bench_slurp(GENERATOR);
	if (!gen) {
		fprintf(stderr, "%s: cannot read %s: %s\n", prog, GENERATOR, strerror(errno));
		return -1;
	}
	if (taxi_file_ok(gen)) {
		printf("data: reusing %s\n", TAXI_FILE);
		free(gen);
		return 0;
	}
	if (mkdir(DATA_DIR, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "%s: mkdir %s: %s\n", prog, DATA_DIR, strerror(errno));
		free(gen);
		return -1;
	}
	unlink(GENERATOR_COPY);
	unlink(TAXI_FILE);
	printf("data: generating %d trips with %s sql -f %s ...\n", TAXI_ROWS, LDP_BIN, GENERATOR);
	fflush(stdout);
	char *argv[] = {(char *)LDP_BIN, (char *)"sql", (char *)"-f", (char *)GENERATOR, NULL};
	int64_t dt = bench_run(argv, DATA_DIR, NULL);
	int rc = -1;
	if (dt < 0)
		fprintf(stderr, "%s: generating the taxi data failed\n", prog);
	else if (rename(TAXI_TMP, TAXI_FILE) != 0)
		fprintf(stderr, "%s: rename %s: %s\n", prog, TAXI_TMP, strerror(errno));
	else if (bench_write_file(GENERATOR_COPY, gen) != 0)
		fprintf(stderr, "%s: cannot write %s\n", prog, GENERATOR_COPY);
	else if (!taxi_file_ok(gen))
		fprintf(stderr, "%s: %s does not hold %d rows\n", prog, TAXI_FILE, TAXI_ROWS);
	else {
		printf("data: generated in %.2f s\n", dt / 1e9);
		rc = 0;
	}
	free(gen);
	return rc;
}

#endif
