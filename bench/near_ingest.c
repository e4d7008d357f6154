/* near_ingest: `ldp ingest near-lake://<mirror> near` (ldp_ingest_near through
 * libldp: list, read, flatten into six tables, six commits) in blocks/s,
 * against DuckDB alone reading the same JSON files and writing them raw
 * (a fresh in-memory DuckDB running COPY (SELECT * FROM read_json(...)) TO
 * x.parquet for the block files and for the shard files), in the same run.
 *
 *   near_ingest [--blocks N] [--reps N]
 *
 * The mirror (<build>/bench-data/near-lake, the NEAR Lake bucket layout) holds
 * N blocks (default 60) cycling through the three fixture blocks
 * (tests/fixtures/near-lake) with fresh heights; it is written once and reused.
 * --reps (default 3) runs per side after one warm-up; medians are compared. */
#include <duckdb.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "ingest/near.h"
#include "ingest/remote.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"

#define PROG "near_ingest"
#define MIRROR LDP_BUILD_DIR "/bench-data/near-lake"
#define ROOT LDP_BUILD_DIR "/bench-near"

/* CPU time of the process (all threads), for a loaded machine where wall
 * time mostly measures the neighbours. */
static int64_t cpu_ns(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	       ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static int write_json(const char *path, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	int rc = s ? ldp_io_write_atomic(path, s, strlen(s)) : -1;
	free(s);
	return rc;
}

/* Build the mirror: block i is fixture block i % 3 at height BASE + i. */
static int make_mirror(int nblocks)
{
	char stamp[512];
	snprintf(stamp, sizeof stamp, "%s/.blocks-%d", MIRROR, nblocks);
	if (ldp_io_exists(stamp) == 1)
		return 0;
	ldp_io_remove_tree(MIRROR);
	near_store s;
	near_entry *e = NULL;
	size_t n = 0;
	if (near_store_local(LDP_SOURCE_DIR "/tests/fixtures/near-lake", &s) || s.list(s.ctx, 0, -1, &e, &n) || n == 0)
		return -1;
	json_t *msgs[8];
	for (size_t i = 0; i < n && i < 8; i++)
		if (near_load_block(&s, &e[i], &msgs[i]))
			return -1;
	const int64_t base = 200000000000LL;
	for (int b = 0; b < nblocks; b++) {
		json_t *m = json_deep_copy(msgs[b % n]);
		json_t *hdr = near_jget(near_jget(m, "block"), "header");
		json_object_set_new(hdr, "height", json_integer(base + b));
		char dir[512], path[600];
		snprintf(dir, sizeof dir, "%s/%012lld", MIRROR, (long long)(base + b));
		snprintf(path, sizeof path, "%s/block.json", dir);
		if (ldp_io_mkdirs(dir) || write_json(path, near_jget(m, "block")))
			return -1;
		size_t k;
		json_t *sh;
		json_array_foreach(near_jget(m, "shards"), k, sh)
		{
			snprintf(path, sizeof path, "%s/shard_%lld.json", dir,
				 (long long)json_integer_value(near_jget(sh, "shard_id")));
			if (write_json(path, sh))
				return -1;
		}
		json_decref(m);
	}
	for (size_t i = 0; i < n && i < 8; i++)
		json_decref(msgs[i]);
	near_entries_free(e, n);
	s.free_ctx(s.ctx);
	return ldp_io_write_atomic(stamp, "", 0);
}

static int64_t run_ldp(int nblocks)
{
	ldp_io_remove_tree(ROOT);
	ldp_project *p = NULL;
	ldp_warehouse *wh = NULL;
	if (ldp_project_init(ROOT, "bench", &p) || ldp_warehouse_open(p, &wh)) {
		fprintf(stderr, PROG ": %s\n", ldp_error_last()->message);
		return -1;
	}
	ldp_ingest_options o;
	memset(&o, 0, sizeof o);
	ldp_ingest_result r;
	int64_t t0 = bench_now_ns();
	int rc = ldp_ingest_near(wh, "near-lake://" MIRROR, "near", &o, &r);
	int64_t dt = bench_now_ns() - t0;
	if (rc || (int)r.files != nblocks) {
		fprintf(stderr, PROG ": ldp: %s (%zu blocks)\n", rc ? ldp_error_last()->message : "wrong count", r.files);
		dt = -1;
	}
	ldp_warehouse_free(wh);
	ldp_project_free(p);
	return dt;
}

static int64_t run_duckdb(void)
{
	ldp_io_remove_tree(ROOT);
	ldp_io_mkdirs(ROOT);
	duckdb_database db = NULL;
	duckdb_connection con = NULL;
	int64_t t0 = bench_now_ns();
	if (duckdb_open(NULL, &db) != DuckDBSuccess || duckdb_connect(db, &con) != DuckDBSuccess)
		return -1;
	const char *sql[] = {
		"COPY (SELECT * FROM read_json('" MIRROR "/*/block.json')) TO '" ROOT "/blocks.parquet' (FORMAT parquet)",
		"COPY (SELECT * FROM read_json('" MIRROR "/*/shard_*.json', union_by_name = true, "
		"maximum_object_size = 268435456)) TO '" ROOT "/shards.parquet' (FORMAT parquet)",
	};
	int ok = 1;
	for (size_t i = 0; ok && i < 2; i++) {
		duckdb_result res;
		ok = duckdb_query(con, sql[i], &res) == DuckDBSuccess;
		if (!ok)
			fprintf(stderr, PROG ": duckdb: %s\n", duckdb_result_error(&res));
		duckdb_destroy_result(&res);
	}
	duckdb_disconnect(&con);
	duckdb_close(&db);
	int64_t dt = bench_now_ns() - t0;
	return ok ? dt : -1;
}

int main(int argc, char **argv)
{
	int nblocks = 60, reps = 3;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--blocks"))
			nblocks = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--reps"))
			reps = atoi(argv[i + 1]);
	}
	if (nblocks <= 0 || reps <= 0 || reps > 64 || make_mirror(nblocks)) {
		fprintf(stderr, PROG ": cannot prepare the mirror in %s: %s\n", MIRROR, ldp_error_last()->message);
		return 1;
	}
	int64_t l[64], d[64], lc[64], dc[64];
	if (run_ldp(nblocks) < 0 || run_duckdb() < 0) /* warm-up */
		return 1;
	for (int r = 0; r < reps; r++) {
		int64_t c0;
		if (r % 2) {
			c0 = cpu_ns();
			d[r] = run_duckdb();
			dc[r] = cpu_ns() - c0;
			c0 = cpu_ns();
			l[r] = run_ldp(nblocks);
			lc[r] = cpu_ns() - c0;
		} else {
			c0 = cpu_ns();
			l[r] = run_ldp(nblocks);
			lc[r] = cpu_ns() - c0;
			c0 = cpu_ns();
			d[r] = run_duckdb();
			dc[r] = cpu_ns() - c0;
		}
		if (l[r] < 0 || d[r] < 0)
			return 1;
	}
	bench_stats ls = bench_summarize(l, (size_t)reps), ds = bench_summarize(d, (size_t)reps);
	bench_stats lcs = bench_summarize(lc, (size_t)reps), dcs = bench_summarize(dc, (size_t)reps);
	printf("near_ingest: %d blocks (NEAR Lake layout, six tables)\n", nblocks);
	printf("  ldp ingest near-lake      median %8.1f ms  %8.1f blocks/s\n", ls.median_ms,
	       nblocks / (ls.median_ms / 1000.0));
	printf("  duckdb read_json raw      median %8.1f ms  %8.1f blocks/s\n", ds.median_ms,
	       nblocks / (ds.median_ms / 1000.0));
	printf("  ratio ldp/duckdb time     %.2fx\n", ls.median_ms / ds.median_ms);
	printf("  cpu time (all threads)    ldp %.1f ms (%.1f blocks per cpu-s), duckdb %.1f ms, ratio %.2fx\n",
	       lcs.median_ms, nblocks / (lcs.median_ms / 1000.0), dcs.median_ms, lcs.median_ms / dcs.median_ms);
	ldp_io_remove_tree(ROOT);
	return 0;
}
