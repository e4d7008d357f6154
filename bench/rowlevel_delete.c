/* rowlevel_delete: DELETE of ~1% of the 3,066,766-row taxi month (taxi.h) through
 * ldp sql's statement path (ldp_sql_run), copy-on-write against merge-on-read,
 * and the read after each (a full scan: count(*) and sum(total_amount)).
 *
 *   rowlevel_delete [--reps N]
 *
 * Baselines measured in the same process with DuckDB alone on the raw file:
 *   delete  COPY (SELECT * FROM file WHERE NOT <pred>) TO x.parquet: the least a
 *           copy-on-write delete of a one-file table can cost;
 *   read    the same count + sum over the raw file.
 * Each repetition starts from a fresh table holding the whole month (appended
 * outside the timing). Medians over --reps (default 3). */
#include <duckdb.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "table/sqlrun.h"
#include "table/table.h"
#include "taxi.h"

#define ROOT LDP_BUILD_DIR "/bench-rowlevel"
#define PROG "rowlevel_delete"
/* ~1% of trips: those picked up in a second whose epoch value ends in 00 */
#define PRED "epoch(tpep_pickup_datetime)::BIGINT % 100 = 0"
#define READ_SQL "SELECT count(*), sum(total_amount) FROM "

static ldp_project *project;

/* CPU time of the whole process (every DuckDB thread included): on a shared
 * machine wall times swing with the load, CPU time much less. */
static int64_t cpu_ns(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	       ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/* wall and CPU of one call */
#define TIMED(wall, cpu, call)                 \
	do {                                   \
		int64_t c0_ = cpu_ns();        \
		(wall) = (call);               \
		(cpu) = cpu_ns() - c0_;        \
	} while (0)

static void die_ldp(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, ldp_error_last()->message);
	exit(1);
}

static ldp_warehouse *open_wh(void)
{
	ldp_warehouse *wh = NULL;
	if (ldp_warehouse_open(project, &wh))
		die_ldp("opening the warehouse");
	return wh;
}

static char *sql_text(ldp_warehouse *wh, const char *sql)
{
	ldp_engine *e = NULL;
	char *out = NULL;
	if (ldp_warehouse_engine(wh, &e) || ldp_warehouse_bind_sql(wh, sql) || ldp_engine_query_text(e, sql, &out))
		die_ldp(sql);
	return out;
}

static void fresh_table(const char *name, int mor)
{
	ldp_warehouse *wh = open_wh();
	ldp_ident id;
	if (ldp_ident_parse(name, &id))
		die_ldp(name);
	ldp_table_drop(wh, &id, 1);
	ldp_error_clear();
	ldp_engine *e = NULL;
	ldp_result *r = NULL;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_schema *schema = NULL;
	if (ldp_warehouse_engine(wh, &e) || ldp_engine_query(e, "SELECT * FROM '" TAXI_FILE "' LIMIT 0", &r) ||
	    ldp_schema_from_duckdb_result(&a, r, &schema))
		die_ldp("reading the taxi schema");
	ldp_result_free(r);
	ldp_kv props[3] = {{"write.delete.mode", "merge-on-read"}, {"write.update.mode", "merge-on-read"},
			   {"write.merge.mode", "merge-on-read"}};
	ldp_create_options o;
	memset(&o, 0, sizeof o);
	o.schema = schema;
	o.properties = props;
	o.nproperties = mor ? 3 : 0;
	ldp_table *t = NULL;
	if (ldp_table_create(wh, &id, &o, &t))
		die_ldp("creating the table");
	ldp_table_free(t);
	ldp_write_options wo;
	memset(&wo, 0, sizeof wo);
	ldp_write_result res;
	if (ldp_table_write(wh, &id, "SELECT * FROM '" TAXI_FILE "'", &wo, &res))
		die_ldp("appending the taxi month");
	ldp_arena_free(&a);
	ldp_warehouse_free(wh);
}

/* One DELETE through ldp sql's statement path, warehouse open to close. */
static int64_t ldp_delete(const char *name, char **message)
{
	char stmt[512];
	snprintf(stmt, sizeof stmt, "DELETE FROM %s WHERE %s", name, PRED);
	int64_t t0 = bench_now_ns();
	ldp_warehouse *wh = open_wh();
	ldp_sql_session s = {wh, NULL};
	if (ldp_warehouse_engine(wh, &s.engine))
		die_ldp("engine");
	ldp_sql_outcome out;
	if (ldp_sql_run(&s, stmt, &out))
		die_ldp(stmt);
	ldp_warehouse_free(wh);
	int64_t dt = bench_now_ns() - t0;
	*message = out.message ? strdup(out.message) : NULL;
	ldp_sql_outcome_clear(&out);
	return dt;
}

static int64_t ldp_read(const char *name, char **result)
{
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT count(*) || ' rows, ' || round(sum(total_amount), 2) FROM %s", name);
	int64_t t0 = bench_now_ns();
	ldp_warehouse *wh = open_wh();
	*result = sql_text(wh, sql);
	ldp_warehouse_free(wh);
	return bench_now_ns() - t0;
}

static int64_t duck_timed(const char *sql, char **result)
{
	int64_t t0 = bench_now_ns();
	duckdb_database db = NULL;
	duckdb_connection con = NULL;
	duckdb_result res;
	if (duckdb_open(NULL, &db) != DuckDBSuccess || duckdb_connect(db, &con) != DuckDBSuccess)
		exit(1);
	if (duckdb_query(con, sql, &res) != DuckDBSuccess) {
		fprintf(stderr, PROG ": %s: %s\n", sql, duckdb_result_error(&res));
		exit(1);
	}
	if (result)
		*result = duckdb_value_varchar(&res, 0, 0);
	duckdb_destroy_result(&res);
	duckdb_disconnect(&con);
	duckdb_close(&db);
	return bench_now_ns() - t0;
}

int main(int argc, char **argv)
{
	int reps = 3;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			reps = atoi(argv[++i]);
	if (reps < 1)
		reps = 1;
	if (ensure_taxi_file(PROG))
		return 1;
	ldp_io_remove_tree(ROOT);
	if (ldp_project_init(ROOT, "bench", &project))
		die_ldp("project");
	ldp_warehouse *wh = open_wh();
	if (ldp_catalog_create_namespace(wh->catalog, "bench", NULL, 0))
		die_ldp("namespace");
	ldp_warehouse_free(wh);

	enum { COW, MOR, BASE, RORIG, RCOW, RMOR, RBASE, N };
	int64_t *wall[N], *cpu[N];
	for (int k = 0; k < N; k++) {
		wall[k] = calloc((size_t)reps, 8);
		cpu[k] = calloc((size_t)reps, 8);
	}
	char *msg_cow = NULL, *msg_mor = NULL, *res_cow = NULL, *res_mor = NULL, *res_base = NULL, *res_orig = NULL;
	for (int i = 0; i < reps; i++) {
		free(msg_cow), free(msg_mor), free(res_cow), free(res_mor), free(res_orig);
		fresh_table("bench.cow", 0);
		fresh_table("bench.mor", 1);
		TIMED(wall[RORIG][i], cpu[RORIG][i], ldp_read("bench.mor", &res_orig));
		TIMED(wall[COW][i], cpu[COW][i], ldp_delete("bench.cow", &msg_cow));
		TIMED(wall[MOR][i], cpu[MOR][i], ldp_delete("bench.mor", &msg_mor));
		TIMED(wall[RCOW][i], cpu[RCOW][i], ldp_read("bench.cow", &res_cow));
		TIMED(wall[RMOR][i], cpu[RMOR][i], ldp_read("bench.mor", &res_mor));
		TIMED(wall[BASE][i], cpu[BASE][i],
		      duck_timed("COPY (SELECT * FROM '" TAXI_FILE "' WHERE NOT (" PRED ")) TO '" ROOT
				 "/raw.parquet' (FORMAT parquet, COMPRESSION zstd)",
				 NULL));
		if (res_base)
			duckdb_free(res_base);
		TIMED(wall[RBASE][i], cpu[RBASE][i],
		      duck_timed("SELECT count(*) || ' rows, ' || round(sum(total_amount), 2) FROM '" ROOT "/raw.parquet'",
				 &res_base));
	}
	double w[N], c[N];
	for (int k = 0; k < N; k++) {
		w[k] = bench_summarize(wall[k], (size_t)reps).median_ms;
		c[k] = bench_summarize(cpu[k], (size_t)reps).median_ms;
	}
	printf("\nDELETE of ~1%% of %d taxi rows (%s), medians of %d, wall / CPU (all threads):\n", TAXI_ROWS, PRED, reps);
	printf("  copy-on-write   %8.1f / %8.1f ms   %s\n", w[COW], c[COW], msg_cow ? msg_cow : "");
	printf("  merge-on-read   %8.1f / %8.1f ms   %s\n", w[MOR], c[MOR], msg_mor ? msg_mor : "");
	printf("  DuckDB rewrite  %8.1f / %8.1f ms   (COPY of the surviving rows: baseline)\n", w[BASE], c[BASE]);
	printf("  copy-on-write / merge-on-read: %.2fx wall, %.2fx CPU; copy-on-write / baseline: %.2fx wall, %.2fx CPU\n",
	       w[COW] / w[MOR], c[COW] / c[MOR], w[COW] / w[BASE], c[COW] / c[BASE]);
	printf("read (count + sum, full scan), wall / CPU:\n");
	printf("  before delete   %8.1f / %8.1f ms   %s\n", w[RORIG], c[RORIG], res_orig);
	printf("  copy-on-write   %8.1f / %8.1f ms   %s\n", w[RCOW], c[RCOW], res_cow);
	printf("  merge-on-read   %8.1f / %8.1f ms   %s\n", w[RMOR], c[RMOR], res_mor);
	printf("  DuckDB raw file %8.1f / %8.1f ms   %s\n", w[RBASE], c[RBASE], res_base);
	printf("  merge-on-read read / copy-on-write read: %.2fx wall, %.2fx CPU\n", w[RMOR] / w[RCOW], c[RMOR] / c[RCOW]);
	int same = res_cow && res_mor && res_base && strcmp(res_cow, res_mor) == 0 && strcmp(res_cow, res_base) == 0;
	printf("  results agree: %s\n", same ? "yes" : "NO");
	free(msg_cow), free(msg_mor), free(res_cow), free(res_mor), free(res_orig);
	duckdb_free(res_base);
	for (int k = 0; k < N; k++)
		free(wall[k]), free(cpu[k]);
	ldp_project_free(project);
	return same ? 0 : 1;
}
