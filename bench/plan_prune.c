/* plan_prune: scan planning with predicate pushdown (docs/evolution.md).
 *
 *   plan_prune [--reps N] [--only plan,taxi]
 *
 * plan   A table of 10,000 data files in 100 manifests (one manifest per day
 *        of a day(ts)-partitioned table, 100 files each; file k holds ids
 *        [1000k, 1000k + 999]), built from manifests ldp writes directly (the
 *        data files are never opened by planning, so they do not exist).
 *        Predicates selecting 1% of the files:
 *          ids    id >= 500000 AND id < 600000   (metrics: every manifest is read)
 *          day    ts in one day                   (summaries: 99 manifests skipped)
 *        ldp: table load + ldp_table_plan_filtered, median of --reps (default 9).
 *        Baseline: pyiceberg 0.12's scan(row_filter=...).plan_files() on the
 *        same table, timed inside Python (median), when the venv exists
 *        (scripts/pyenv.sh <build>/_pyenv, or $LDP_BENCH_PYTHON).
 * taxi   The 3,066,766-row taxi month of taxi.h in a table partitioned by
 *        day(tpep_pickup_datetime); one selective query (a day) through
 *        ldp_warehouse_bind_sql with pushdown, against the same query over a
 *        subquery (no pushdown): files opened and wall time (median of reps). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "format/metadata.h"
#include "format/schema.h"
#include "format/value.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "table/ice.h"
#include "table/plan.h"
#include "table/table.h"
#include "taxi.h"

#if !defined(LDP_BIN) || !defined(LDP_SOURCE_DIR) || !defined(LDP_BUILD_DIR)
#error "LDP_BIN, LDP_SOURCE_DIR and LDP_BUILD_DIR come from bench/CMakeLists.txt"
#endif

#define ROOT LDP_BUILD_DIR "/bench-plan"
#define PROG "plan_prune"
#define NMANIFESTS 100
#define FILES_PER 100
#define DAY0 19723 /* 2024-01-01 */
#define US_DAY INT64_C(86400000000)

static ldp_project *project;

static void die_ldp(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, ldp_error_last()->message);
	exit(1);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static double median_ms(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_i64);
	return v[n / 2] / 1e6;
}

/* ---- the 10,000-file table ---- */

typedef struct build_ctx {
	ldp_manifest_file *mfs;
	int64_t snapshot_id;
	const char *list_path;
} build_ctx;

static int add_snapshot(const ldp_metadata *in, void *ctx, ldp_metadata **out)
{
	build_ctx *b = ctx;
	ldp_kv summary[] = {{"operation", "append"}};
	ldp_snapshot s;
	memset(&s, 0, sizeof s);
	s.snapshot_id = b->snapshot_id;
	s.parent_id = -1;
	s.timestamp_ms = ldp_now_ms();
	s.manifest_list = b->list_path;
	s.schema_id = -1;
	s.operation = "append";
	s.summary = summary;
	s.nsummary = 1;
	return ldp_metadata_add_snapshot(in, &s, NULL, out);
}

static void put_bound(ldp_arena *a, const ldp_value *v, ldp_type_id t, const uint8_t **p, size_t *n)
{
	ldp_type ty = {.id = t};
	if (ldp_value_to_bytes(v, &ty, a, p, n))
		die_ldp("encoding a bound");
}

static void build_table(ldp_warehouse *wh, const ldp_ident *id)
{
	static const char *schema_json = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
					 "{\"id\":1,\"name\":\"id\",\"required\":false,\"type\":\"long\"},"
					 "{\"id\":2,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"},"
					 "{\"id\":3,\"name\":\"v\",\"required\":false,\"type\":\"double\"}]}";
	ldp_arena a;
	ldp_arena_init(&a, 1 << 20);
	json_t *j = json_loads(schema_json, 0, NULL);
	ldp_schema *schema;
	if (!j || ldp_schema_parse(&a, j, "bench", &schema))
		die_ldp("schema");
	json_decref(j);
	ldp_create_options o;
	memset(&o, 0, sizeof o);
	o.schema = schema;
	o.partition_by = "day(ts)";
	ldp_table *t;
	if (ldp_table_create(wh, id, &o, &t))
		die_ldp("creating bench.files");
	build_ctx b;
	if (ldp_metadata_new_snapshot_id(t->meta, &b.snapshot_id))
		die_ldp("snapshot id");
	b.mfs = ldp_arena_calloc(&a, NMANIFESTS, sizeof *b.mfs);
	const ldp_schema *cur = ldp_metadata_current_schema(t->meta);
	for (int m = 0; m < NMANIFESTS; m++) {
		ldp_data_file_entry *es = ldp_arena_calloc(&a, FILES_PER, sizeof *es);
		ldp_value day = ldp_value_null(LDP_T_DATE);
		day.is_null = false;
		day.v.i32 = DAY0 + m;
		for (int k = 0; k < FILES_PER; k++) {
			int64_t f = (int64_t)m * FILES_PER + k;
			ldp_data_file_entry *e = &es[k];
			e->status = LDP_ENTRY_ADDED;
			e->snapshot_id = b.snapshot_id;
			e->sequence_number = e->file_sequence_number = -1;
			e->content = LDP_CONTENT_DATA;
			e->file_path = ldp_arena_sprintf(&a, "%s/data/ts_day=%d/f-%05" PRId64 ".parquet", t->meta->location, m, f);
			e->file_format = "PARQUET";
			e->npartition = 1;
			e->partition = ldp_arena_alloc(&a, sizeof *e->partition);
			e->partition[0] = day;
			e->record_count = 1000;
			e->file_size_in_bytes = 20000;
			e->sort_order_id = -1;
			e->nmetrics = 2;
			e->metrics = ldp_arena_calloc(&a, 2, sizeof *e->metrics);
			ldp_value lo = ldp_value_null(LDP_T_LONG), hi = lo;
			lo.is_null = hi.is_null = false;
			lo.v.i64 = f * 1000;
			hi.v.i64 = f * 1000 + 999;
			ldp_col_metric *mi = &e->metrics[0];
			mi->field_id = 1;
			mi->column_size = 8000;
			mi->value_count = 1000;
			mi->null_value_count = 0;
			mi->nan_value_count = -1;
			put_bound(&a, &lo, LDP_T_LONG, &mi->lower, &mi->lower_len);
			put_bound(&a, &hi, LDP_T_LONG, &mi->upper, &mi->upper_len);
			ldp_value tlo = ldp_value_null(LDP_T_TIMESTAMP), thi = tlo;
			tlo.is_null = thi.is_null = false;
			tlo.v.i64 = (int64_t)(DAY0 + m) * US_DAY + k * (US_DAY / FILES_PER);
			thi.v.i64 = tlo.v.i64 + US_DAY / FILES_PER - 1;
			ldp_col_metric *mt = &e->metrics[1];
			mt->field_id = 2;
			mt->column_size = 8000;
			mt->value_count = 1000;
			mt->null_value_count = 0;
			mt->nan_value_count = -1;
			put_bound(&a, &tlo, LDP_T_TIMESTAMP, &mt->lower, &mt->lower_len);
			put_bound(&a, &thi, LDP_T_TIMESTAMP, &mt->upper, &mt->upper_len);
		}
		ldp_manifest_file *mf = &b.mfs[m];
		mf->manifest_path = ldp_arena_sprintf(&a, "%s/metadata/bench-m%03d.avro", t->meta->location, m);
		if (ice_manifest_write(mf->manifest_path, t->meta, cur, t->meta->default_spec_id, LDP_CONTENT_DATA, b.snapshot_id,
				       es, FILES_PER, &mf->manifest_length))
			die_ldp("writing a manifest");
		mf->partition_spec_id = t->meta->default_spec_id;
		mf->content = LDP_CONTENT_DATA;
		mf->sequence_number = mf->min_sequence_number = 1;
		mf->added_snapshot_id = b.snapshot_id;
		mf->added_files_count = FILES_PER;
		mf->added_rows_count = FILES_PER * 1000;
		mf->npartitions = 1;
		mf->partitions = ldp_arena_calloc(&a, 1, sizeof *mf->partitions);
		mf->partitions[0].contains_nan = -1;
		put_bound(&a, &day, LDP_T_DATE, &mf->partitions[0].lower, &mf->partitions[0].lower_len);
		put_bound(&a, &day, LDP_T_DATE, &mf->partitions[0].upper, &mf->partitions[0].upper_len);
	}
	b.list_path = ldp_arena_sprintf(&a, "%s/metadata/snap-%" PRId64 "-bench.avro", t->meta->location, b.snapshot_id);
	if (ice_manifest_list_write(b.list_path, b.snapshot_id, -1, 1, b.mfs, NMANIFESTS))
		die_ldp("writing the manifest list");
	if (ice_commit_metadata(wh, id, add_snapshot, &b))
		die_ldp("committing the snapshot");
	ldp_table_free(t);
	ldp_arena_free(&a);
}

static const char *const where_ids = "id >= 500000 AND id < 600000";
static const char *const where_day = "ts >= '2024-02-01' AND ts < '2024-02-02'"; /* day 31 */

static int64_t cpu_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Median wall ms of planning; *cpu_ms the median CPU time of the process
 * (all threads): on a loaded machine the wall time mostly measures waiting. */
static double plan_ldp(ldp_warehouse *wh, const ldp_ident *id, const char *where, int reps, size_t *kept,
		       ldp_plan_report *rep_out, double *cpu_ms)
{
	ldp_engine *e;
	ldp_arena a;
	ldp_arena_init(&a, 4096);
	ldp_expr *filter = NULL;
	if (where && (ldp_warehouse_engine(wh, &e) || ldp_expr_parse_where(e, where, &a, &filter)))
		die_ldp("parsing the predicate");
	int64_t *ts = calloc((size_t)reps, sizeof *ts), *cs = calloc((size_t)reps, sizeof *cs);
	for (int r = 0; r < reps; r++) {
		int64_t t0 = bench_now_ns(), c0 = cpu_now_ns();
		ldp_table *t;
		ldp_scan_plan p;
		ldp_plan_report rep;
		ldp_plan_options o = {filter, 0, 0};
		if (ldp_table_load(wh, id, &t) || ldp_table_plan_filtered(wh, t, NULL, &o, &p, &rep))
			die_ldp("planning");
		ts[r] = bench_now_ns() - t0;
		cs[r] = cpu_now_ns() - c0;
		*kept = p.nfiles;
		if (r == reps - 1 && rep_out)
			*rep_out = rep;
		else
			ldp_plan_report_clear(&rep);
		ldp_scan_plan_clear(&p);
		ldp_table_free(t);
	}
	double ms = median_ms(ts, reps);
	*cpu_ms = median_ms(cs, reps);
	free(ts);
	free(cs);
	ldp_arena_free(&a);
	return ms;
}

static const char py_script[] =
	"import sys, time, statistics\n"
	"from pyiceberg.catalog.sql import SqlCatalog\n"
	"from pyiceberg.expressions import And, GreaterThanOrEqual, LessThan\n"
	"db, wh, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
	"cat = SqlCatalog('ldp', uri='sqlite:///' + db, warehouse='file://' + wh)\n"
	"filters = {'ids': And(GreaterThanOrEqual('id', 500000), LessThan('id', 600000)),\n"
	"           'day': And(GreaterThanOrEqual('ts', '2024-02-01T00:00:00'), LessThan('ts', '2024-02-02T00:00:00'))}\n"
	"for name, f in filters.items():\n"
	"    ts, n = [], 0\n"
	"    for _ in range(reps):\n"
	"        t0 = time.perf_counter()\n"
	"        t = cat.load_table('bench.files')\n"
	"        n = len(list(t.scan(row_filter=f).plan_files()))\n"
	"        ts.append(time.perf_counter() - t0)\n"
	"    print(name, statistics.median(ts) * 1000, n)\n";

static void plan_section(int reps)
{
	ldp_warehouse *wh;
	if (ldp_warehouse_open(project, &wh))
		die_ldp("opening the warehouse");
	ldp_ident id;
	ldp_ident_parse("bench.files", &id);
	int64_t t0 = bench_now_ns();
	build_table(wh, &id);
	printf("plan: built %d files in %d manifests in %.0f ms\n", NMANIFESTS * FILES_PER, NMANIFESTS,
	       (bench_now_ns() - t0) / 1e6);
	const char *names[2] = {"ids", "day"}, *wheres[2] = {where_ids, where_day};
	double ms[2], cpu;
	size_t kept[2];
	for (int i = 0; i < 2; i++) {
		ldp_plan_report rep;
		ms[i] = plan_ldp(wh, &id, wheres[i], reps, &kept[i], &rep, &cpu);
		printf("plan %-4s ldp: %7.2f ms wall (goal < 50), %7.2f ms CPU; kept %zu of %d files, %zu of %zu manifests "
		       "skipped by summaries (%d threads)  [%s]\n",
		       names[i], ms[i], cpu, kept[i], NMANIFESTS * FILES_PER, rep.manifests_pruned, rep.manifests,
		       rep.threads, wheres[i]);
		ldp_plan_report_clear(&rep);
	}
	size_t all = 0;
	double unfiltered = plan_ldp(wh, &id, NULL, reps, &all, NULL, &cpu);
	printf("plan all  ldp: %7.2f ms wall, %7.2f ms CPU (no filter, %zu files)\n", unfiltered, cpu, all);
	ldp_warehouse_free(wh);

	char py[4096], repstr[16];
	if (bench_find_python(py, sizeof py, ROOT) != 0) {
		printf("plan: no pyiceberg venv (scripts/pyenv.sh failed); ratio skipped\n");
		return;
	}
	if (bench_write_file(ROOT "/py_plan.py", py_script) != 0)
		return;
	snprintf(repstr, sizeof repstr, "%d", reps < 5 ? reps : 5);
	char *argv[] = {py, (char *)ROOT "/py_plan.py", (char *)ROOT "/warehouse/catalog.db", (char *)ROOT "/warehouse",
			repstr, NULL};
	if (bench_run(argv, NULL, ROOT "/py.out") < 0) {
		printf("plan: the pyiceberg run failed; ratio skipped\n");
		return;
	}
	char *text = bench_slurp(ROOT "/py.out");
	char *line = text;
	for (int i = 0; i < 2 && line && *line; i++) {
		char name[16];
		double pms;
		int n;
		if (sscanf(line, "%15s %lf %d", name, &pms, &n) == 3)
			printf("plan %-4s pyiceberg plan_files(): %8.1f ms, %d files -> ldp %.0fx faster (goal >= 20x)\n", name,
			       pms, n, pms / ms[i]);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	free(text);
}

/* ---- taxi ---- */

static double run_query(ldp_warehouse *wh, const char *sql, int reps, char **result)
{
	int64_t *ts = calloc((size_t)reps, sizeof *ts);
	ldp_engine *e;
	if (ldp_warehouse_engine(wh, &e))
		die_ldp("engine");
	for (int r = 0; r < reps; r++) {
		free(*result);
		*result = NULL;
		int64_t t0 = bench_now_ns();
		if (ldp_warehouse_bind_sql(wh, sql) || ldp_engine_query_text(e, sql, result))
			die_ldp(sql);
		ts[r] = bench_now_ns() - t0;
	}
	double ms = median_ms(ts, reps);
	free(ts);
	return ms;
}

static void taxi_section(int reps)
{
	if (ensure_taxi_file(PROG) != 0)
		exit(1);
	ldp_warehouse *wh;
	if (ldp_warehouse_open(project, &wh))
		die_ldp("opening the warehouse");
	ldp_engine *e;
	ldp_result *r = NULL;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_schema *schema;
	if (ldp_warehouse_engine(wh, &e) || ldp_engine_query(e, "SELECT * FROM '" TAXI_FILE "' LIMIT 0", &r) ||
	    ldp_schema_from_duckdb_result(&a, r, &schema))
		die_ldp("reading the taxi file's schema");
	ldp_result_free(r);
	ldp_ident id;
	ldp_ident_parse("bench.taxi", &id);
	ldp_create_options o;
	memset(&o, 0, sizeof o);
	o.schema = schema;
	o.partition_by = "day(tpep_pickup_datetime)";
	ldp_table *t;
	if (ldp_table_create(wh, &id, &o, &t))
		die_ldp("creating bench.taxi");
	ldp_table_free(t);
	ldp_write_options wo;
	memset(&wo, 0, sizeof wo);
	ldp_write_result res;
	int64_t t0 = bench_now_ns();
	if (ldp_table_write(wh, &id, "SELECT * FROM '" TAXI_FILE "'", &wo, &res))
		die_ldp("loading the taxi table");
	printf("taxi: loaded %" PRId64 " rows into %" PRId64 " files in %.1f s\n", res.added_records, res.added_files,
	       (bench_now_ns() - t0) / 1e9);
	const char *where = "tpep_pickup_datetime >= '2023-01-15' AND tpep_pickup_datetime < '2023-01-16'";
	char q1[512], q2[512];
	snprintf(q1, sizeof q1, "SELECT count(*) || ' ' || round(avg(total_amount), 4) FROM bench.taxi WHERE %s", where);
	snprintf(q2, sizeof q2,
		 "SELECT count(*) || ' ' || round(avg(total_amount), 4) FROM (SELECT * FROM bench.taxi) WHERE %s", where);
	ldp_table *tt;
	ldp_expr *filter;
	ldp_scan_plan p;
	ldp_plan_report rep;
	if (ldp_table_load(wh, &id, &tt) || ldp_expr_parse_where(e, where, &a, &filter))
		die_ldp("planning");
	ldp_plan_options po = {filter, 0, 0};
	if (ldp_table_plan_filtered(wh, tt, NULL, &po, &p, &rep))
		die_ldp("planning");
	char *with = NULL, *without = NULL;
	run_query(wh, q1, 1, &with); /* warm-up */
	run_query(wh, q2, 1, &without);
	double ms1 = run_query(wh, q1, reps, &with), ms2 = run_query(wh, q2, reps, &without);
	printf("taxi: one day: files opened %zu of %zu with pushdown\n", p.nfiles, rep.files);
	printf("taxi: with pushdown %.1f ms, without %.1f ms -> %.1fx faster; results %s (%s | %s)\n", ms1, ms2,
	       ms2 / ms1, strcmp(with ? with : "", without ? without : "") == 0 ? "equal" : "DIFFER", with, without);
	free(with);
	free(without);
	ldp_scan_plan_clear(&p);
	ldp_plan_report_clear(&rep);
	ldp_table_free(tt);
	ldp_warehouse_free(wh);
	ldp_arena_free(&a);
}

int main(int argc, char **argv)
{
	int reps = 9;
	const char *only = "plan,taxi";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: " PROG " [--reps N] [--only plan,taxi]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > 100)
		reps = 9;
	if (ldp_io_remove_tree(ROOT))
		ldp_error_clear();
	if (ldp_project_init(ROOT, "bench", &project))
		die_ldp("creating the bench project");
	ldp_warehouse *wh;
	if (ldp_warehouse_open(project, &wh) || ldp_catalog_create_namespace(wh->catalog, "bench", NULL, 0))
		die_ldp("creating namespace bench");
	ldp_warehouse_free(wh);
	if (strstr(only, "plan"))
		plan_section(reps);
	if (strstr(only, "taxi"))
		taxi_section(reps < 9 ? reps : 9);
	ldp_project_free(project);
	return 0;
}
