/* iceberg_append: appending to Iceberg tables through libldp, against writing the
 * same rows with DuckDB alone in the same process (and pyiceberg when its venv is
 * available). Data: the 3,066,766-row taxi month of taxi.h.
 *
 *   iceberg_append [--reps N] [--snapshots N] [--commits N] [--only LIST]
 *
 * Sections (LIST is a comma list of them; default all):
 *   flat    append the file to a fresh unpartitioned table (ldp_warehouse_open +
 *           ldp_table_write + ldp_warehouse_free) vs a fresh DuckDB instance running
 *           COPY (SELECT * FROM file) TO x.parquet (FORMAT parquet, COMPRESSION zstd).
 *           One `ldp table append` through the binary for comparison.
 *   part    the same into a table partitioned by day(tpep_pickup_datetime) vs
 *           COPY ... TO dir (PARTITION_BY (day_col)) with day_col computed by the
 *           same SQL ldp generates for the day transform.
 *   commit  a one-row append on a table that already has --snapshots snapshots
 *           (default 1000), timed over --commits appends (default 200): p50/p99 of
 *           the whole ldp_table_write and of its commit part (manifest list,
 *           metadata file, catalog swap).
 *   py      pyiceberg 0.12 appending the same rows to an unpartitioned table, timed
 *           around table.append() only (the rows are read into Arrow beforehand),
 *           and also with that read (pq.read_table) included, which is what the
 *           ldp side does inside its append.
 *           The venv comes from scripts/pyenv.sh <build>/_pyenv (or $LDP_BENCH_PYTHON).
 * --reps (default 5) repetitions of flat/part per side after one warm-up of each,
 * alternating which side goes first; medians are compared. */
#include <duckdb.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "format/schema.h"
#include "format/transform.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "table/table.h"
#include "taxi.h"

#if !defined(LDP_BIN) || !defined(LDP_SOURCE_DIR) || !defined(LDP_BUILD_DIR)
#error "LDP_BIN, LDP_SOURCE_DIR and LDP_BUILD_DIR come from bench/CMakeLists.txt"
#endif

#define ROOT LDP_BUILD_DIR "/bench-iceberg"
#define PROG "iceberg_append"
#define DAY_SOURCE "tpep_pickup_datetime"

static ldp_project *project;
static ldp_schema *taxi_schema;
static ldp_arena schema_arena;

static void die_ldp(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, ldp_error_last()->message);
	exit(1);
}

static void die(const char *what)
{
	fprintf(stderr, PROG ": %s\n", what);
	exit(1);
}

/* Runs `sql` in a fresh in-memory DuckDB; the wall time open..close in ns. */
static int64_t duckdb_timed(const char *sql)
{
	int64_t t0 = bench_now_ns();
	duckdb_database db = NULL;
	duckdb_connection con = NULL;
	duckdb_result res;
	int ok = 0;
	if (duckdb_open(NULL, &db) != DuckDBSuccess)
		die("duckdb_open failed");
	if (duckdb_connect(db, &con) == DuckDBSuccess) {
		ok = duckdb_query(con, sql, &res) == DuckDBSuccess;
		if (!ok)
			fprintf(stderr, PROG ": %s: %s\n", sql, duckdb_result_error(&res));
		duckdb_destroy_result(&res);
	}
	duckdb_disconnect(&con);
	duckdb_close(&db);
	if (!ok)
		exit(1);
	return bench_now_ns() - t0;
}

/* ---- ldp side ---- */

static ldp_warehouse *open_wh(void)
{
	ldp_warehouse *wh = NULL;
	if (ldp_warehouse_open(project, &wh))
		die_ldp("opening the warehouse");
	return wh;
}

static void create_table(ldp_warehouse *wh, const char *name, const ldp_schema *schema, const char *partition_by)
{
	ldp_ident id;
	if (ldp_ident_parse(name, &id))
		die_ldp(name);
	ldp_create_options o;
	memset(&o, 0, sizeof o);
	o.schema = schema;
	o.partition_by = partition_by;
	ldp_table *t = NULL;
	if (ldp_table_create(wh, &id, &o, &t))
		die_ldp("creating a table");
	ldp_table_free(t);
}

static void drop_table(ldp_warehouse *wh, const char *name)
{
	ldp_ident id;
	if (ldp_ident_parse(name, &id) || ldp_table_drop(wh, &id, 1))
		die_ldp("dropping a table");
}

/* The measured unit: what an embedding program pays for one append when it
 * opens the warehouse for it (catalog, DuckDB engine) and closes it after. */
static int64_t ldp_append_timed(const char *name, const char *sql, ldp_write_result *res)
{
	ldp_ident id;
	if (ldp_ident_parse(name, &id))
		die_ldp(name);
	ldp_write_options o;
	memset(&o, 0, sizeof o);
	o.mode = LDP_WRITE_APPEND;
	int64_t t0 = bench_now_ns();
	ldp_warehouse *wh = open_wh();
	if (ldp_table_write(wh, &id, sql, &o, res))
		die_ldp("appending");
	ldp_warehouse_free(wh);
	return bench_now_ns() - t0;
}

static void load_taxi_schema(void)
{
	ldp_warehouse *wh = open_wh();
	ldp_engine *e = NULL;
	ldp_result *r = NULL;
	ldp_arena_init(&schema_arena, 0);
	if (ldp_warehouse_engine(wh, &e) || ldp_engine_query(e, "SELECT * FROM '" TAXI_FILE "' LIMIT 0", &r) ||
	    ldp_schema_from_duckdb_result(&schema_arena, r, &taxi_schema))
		die_ldp("reading the taxi file's schema");
	ldp_result_free(r);
	ldp_warehouse_free(wh);
}

/* ---- flat and partitioned appends ---- */

typedef struct side_pair {
	bench_stats ldp, duck;
	int64_t ldp_bytes, duck_bytes, ldp_files, duck_files;
	double meta_ms; /* median of the ldp side's table load + commit (all but the data files) */
} side_pair;

static int64_t tree_bytes(const char *dir, int64_t *files)
{
	char sql[4400];
	snprintf(sql, sizeof sql, "SELECT count(*), coalesce(sum(size), 0)::BIGINT FROM read_blob('%s/**/*.parquet')", dir);
	duckdb_database db = NULL;
	duckdb_connection con = NULL;
	duckdb_result res;
	int64_t bytes = -1;
	if (duckdb_open(NULL, &db) == DuckDBSuccess && duckdb_connect(db, &con) == DuckDBSuccess &&
	    duckdb_query(con, sql, &res) == DuckDBSuccess) {
		*files = duckdb_value_int64(&res, 0, 0);
		bytes = duckdb_value_int64(&res, 1, 0);
	}
	duckdb_destroy_result(&res);
	duckdb_disconnect(&con);
	duckdb_close(&db);
	return bytes;
}

/* One repetition of each side; i < 0 is the warm-up. */
static void append_round(int i, const char *partition_by, const char *raw_sql_fmt, int64_t *l_ns, int64_t *d_ns,
			 int64_t *m_ns, side_pair *sp)
{
	char name[64], raw[4200], sql[16384];
	snprintf(name, sizeof name, "bench.%s%d", partition_by ? "part" : "flat", i < 0 ? 99 : i);
	snprintf(raw, sizeof raw, "%s/raw-%s%d%s", ROOT, partition_by ? "part" : "flat", i < 0 ? 99 : i,
		 partition_by ? "" : ".parquet");
	snprintf(sql, sizeof sql, raw_sql_fmt, raw);
	ldp_warehouse *wh = open_wh();
	create_table(wh, name, taxi_schema, partition_by);
	ldp_warehouse_free(wh);

	ldp_write_result res;
	int64_t a, b;
	if (i % 2) {
		a = ldp_append_timed(name, "SELECT * FROM '" TAXI_FILE "'", &res);
		b = duckdb_timed(sql);
	} else {
		b = duckdb_timed(sql);
		a = ldp_append_timed(name, "SELECT * FROM '" TAXI_FILE "'", &res);
	}
	if (res.added_records != TAXI_ROWS) {
		fprintf(stderr, PROG ": %s: appended %" PRId64 " rows, expected %d\n", name, res.added_records, TAXI_ROWS);
		exit(1);
	}
	if (i >= 0) {
		l_ns[i] = a;
		d_ns[i] = b;
		m_ns[i] = res.load_ns + res.commit_ns;
	}
	if (i == 0) {
		sp->ldp_bytes = res.added_bytes;
		sp->ldp_files = res.added_files;
		if (partition_by) {
			sp->duck_bytes = tree_bytes(raw, &sp->duck_files);
		} else {
			ldp_io_file_size(raw, &sp->duck_bytes);
			sp->duck_files = 1;
		}
	}
	wh = open_wh();
	drop_table(wh, name);
	ldp_warehouse_free(wh);
	if (partition_by)
		ldp_io_remove_tree(raw);
	else
		ldp_io_remove(raw);
}

static side_pair append_section(int reps, const char *partition_by, const char *raw_sql_fmt)
{
	side_pair sp;
	memset(&sp, 0, sizeof sp);
	int64_t *l_ns = calloc((size_t)reps, sizeof *l_ns), *d_ns = calloc((size_t)reps, sizeof *d_ns);
	int64_t *m_ns = calloc((size_t)reps, sizeof *m_ns);
	if (!l_ns || !d_ns || !m_ns)
		die("out of memory");
	append_round(-1, partition_by, raw_sql_fmt, NULL, NULL, NULL, &sp);
	for (int i = 0; i < reps; i++)
		append_round(i, partition_by, raw_sql_fmt, l_ns, d_ns, m_ns, &sp);
	sp.ldp = bench_summarize(l_ns, (size_t)reps);
	sp.duck = bench_summarize(d_ns, (size_t)reps);
	sp.meta_ms = bench_summarize(m_ns, (size_t)reps).median_ms;
	free(l_ns);
	free(d_ns);
	free(m_ns);
	return sp;
}

/* The day transform exactly as ldp's partitioned write computes it. */
static void day_sql(char *out, size_t n)
{
	ldp_transform tr = {.kind = LDP_TR_DAY, .param = 0, .text = "day"};
	const ldp_field *f = ldp_schema_field_by_name(taxi_schema, DAY_SOURCE);
	if (!f)
		die("the taxi file has no " DAY_SOURCE " column");
	ldp_buf b = LDP_BUF_INIT;
	if (ldp_transform_sql(&tr, "\"" DAY_SOURCE "\"", f->type, &b))
		die_ldp("day transform SQL");
	snprintf(out, n, "%s", ldp_buf_cstr(&b));
	ldp_buf_free(&b);
}

/* `s` with '%' doubled, to sit inside a printf format (DuckDB's modulo is '%'). */
static void printf_escape(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; *s && k + 3 < n; s++) {
		if (*s == '%')
			out[k++] = '%';
		out[k++] = *s;
	}
	out[k] = '\0';
}

/* `ldp table append` through the binary, once, into a fresh table. */
static int64_t cli_append(void)
{
	ldp_warehouse *wh = open_wh();
	create_table(wh, "bench.cli", taxi_schema, NULL);
	ldp_warehouse_free(wh);
	char *argv[] = {(char *)LDP_BIN, (char *)"table", (char *)"append", (char *)"bench.cli", (char *)TAXI_FILE, NULL};
	int64_t dt = bench_run(argv, ROOT, NULL);
	wh = open_wh();
	drop_table(wh, "bench.cli");
	ldp_warehouse_free(wh);
	return dt;
}

/* ---- commit latency ---- */

typedef struct commit_stats {
	double build_s;              /* building the snapshots */
	double p50_ms, p99_ms, max_ms; /* whole ldp_table_write */
	double c50_ms, c99_ms;       /* its commit part */
	double load50_ms, data50_ms; /* medians of its table load and data-file parts */
	int64_t metadata_bytes;
} commit_stats;

static double pct(int64_t *sorted, size_t n, int p)
{
	size_t k = (p * n + 99) / 100; /* nearest rank */
	return sorted[k ? k - 1 : 0] / 1e6;
}

static commit_stats commit_section(int snapshots, int commits)
{
	commit_stats cs;
	memset(&cs, 0, sizeof cs);
	ldp_warehouse *wh = open_wh();
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_engine *e = NULL;
	ldp_result *r = NULL;
	ldp_schema *s = NULL;
	if (ldp_warehouse_engine(wh, &e) || ldp_engine_query(e, "SELECT 1::BIGINT AS id, 'x' AS v LIMIT 0", &r) ||
	    ldp_schema_from_duckdb_result(&a, r, &s))
		die_ldp("commit table schema");
	ldp_result_free(r);
	create_table(wh, "bench.commits", s, NULL);
	ldp_ident id;
	ldp_ident_parse("bench.commits", &id);
	ldp_write_options o;
	memset(&o, 0, sizeof o);
	int64_t *all = calloc((size_t)commits + 1, sizeof *all), *com = calloc((size_t)commits + 1, sizeof *com);
	int64_t *lo = calloc((size_t)commits + 1, sizeof *lo), *da = calloc((size_t)commits + 1, sizeof *da);
	if (!all || !com || !lo || !da)
		die("out of memory");
	int64_t t0 = bench_now_ns();
	for (int i = 0; i < snapshots + commits; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT %d::BIGINT AS id, 'row %d' AS v", i, i);
		ldp_write_result res;
		int64_t c0 = bench_now_ns();
		if (ldp_table_write(wh, &id, sql, &o, &res))
			die_ldp("one-row append");
		int64_t dt = bench_now_ns() - c0;
		if (i == snapshots - 1) {
			cs.build_s = (bench_now_ns() - t0) / 1e9;
			printf("commit: %d snapshots built in %.1f s\n", snapshots, cs.build_s);
			fflush(stdout);
		}
		if (i >= snapshots) {
			all[i - snapshots] = dt;
			com[i - snapshots] = res.commit_ns;
			lo[i - snapshots] = res.load_ns;
			da[i - snapshots] = res.data_ns;
		}
	}
	ldp_table *t = NULL;
	if (ldp_table_load(wh, &id, &t))
		die_ldp("loading bench.commits");
	ldp_io_file_size(t->metadata_location, &cs.metadata_bytes);
	ldp_table_free(t);
	qsort(all, (size_t)commits, sizeof *all, bench_cmp_i64);
	qsort(com, (size_t)commits, sizeof *com, bench_cmp_i64);
	cs.p50_ms = pct(all, (size_t)commits, 50);
	cs.p99_ms = pct(all, (size_t)commits, 99);
	cs.max_ms = all[commits - 1] / 1e6;
	cs.c50_ms = pct(com, (size_t)commits, 50);
	cs.c99_ms = pct(com, (size_t)commits, 99);
	cs.load50_ms = bench_summarize(lo, (size_t)commits).median_ms;
	cs.data50_ms = bench_summarize(da, (size_t)commits).median_ms;
	drop_table(wh, "bench.commits");
	ldp_arena_free(&a);
	ldp_warehouse_free(wh);
	free(all);
	free(com);
	free(lo);
	free(da);
	return cs;
}

/* ---- pyiceberg ---- */

static const char *py_script =
	"import sys, time\n"
	"import pyarrow.parquet as pq\n"
	"from pyiceberg.catalog.sql import SqlCatalog\n"
	"db, wh, path, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])\n"
	"cat = SqlCatalog('py', uri='sqlite:///' + db, warehouse='file://' + wh)\n"
	"cat.create_namespace('py')\n"
	"for i in range(reps + 1):\n"
	"    t0 = time.perf_counter()\n"
	"    data = pq.read_table(path)\n"
	"    t = cat.create_table('py.t%d' % i, schema=data.schema)\n"
	"    t1 = time.perf_counter()\n"
	"    t.append(data)\n"
	"    t2 = time.perf_counter()\n"
	"    n = sum(task.file.record_count for task in t.scan().plan_files())\n"
	"    assert n == data.num_rows, (n, data.num_rows)\n"
	"    if i: print(int((t2 - t1) * 1e9), int((t2 - t0) * 1e9))\n" /* the first one is the warm-up */
	"    cat.purge_table('py.t%d' % i)\n"
	"    del data\n";

static int py_section(int reps, bench_stats *out, bench_stats *with_read)
{
	char py[4096], repstr[16];
	if (bench_find_python(py, sizeof py, ROOT) != 0) {
		printf("py: no pyiceberg venv (scripts/pyenv.sh failed); skipped\n");
		return -1;
	}
	if (bench_write_file(ROOT "/py_append.py", py_script) != 0)
		die("cannot write the pyiceberg script");
	ldp_io_mkdirs(ROOT "/pywh");
	snprintf(repstr, sizeof repstr, "%d", reps);
	char *argv[] = {py, (char *)ROOT "/py_append.py", (char *)ROOT "/py.db", (char *)ROOT "/pywh", (char *)TAXI_FILE,
			repstr, NULL};
	if (bench_run(argv, NULL, ROOT "/py.out") < 0) {
		printf("py: the pyiceberg run failed; skipped\n");
		return -1;
	}
	char *text = bench_slurp(ROOT "/py.out");
	int64_t ns[64], rd[64];
	int n = 0;
	for (char *p = text; p && *p && n < 64;) {
		char *end, *end2;
		long long v = strtoll(p, &end, 10), w = strtoll(end, &end2, 10);
		if (end == p || end2 == end)
			break;
		ns[n] = v;
		rd[n++] = w;
		p = end2;
	}
	free(text);
	if (n != reps) {
		printf("py: expected %d timings from pyiceberg, got %d; skipped\n", reps, n);
		return -1;
	}
	*out = bench_summarize(ns, (size_t)n);
	*with_read = bench_summarize(rd, (size_t)n);
	return 0;
}

/* ---- main ---- */

static int want(const char *only, const char *name)
{
	if (!only)
		return 1;
	size_t n = strlen(name);
	for (const char *p = only; (p = strstr(p, name)) != NULL; p += n)
		if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static int arg_int(const char *v, int lo, int hi)
{
	char *end;
	long x = v ? strtol(v, &end, 10) : 0;
	if (!v || *end || x < lo || x > hi) {
		fprintf(stderr, "usage: " PROG " [--reps 1..50] [--snapshots 1..100000] [--commits 1..10000] [--only flat,part,commit,py]\n");
		exit(2);
	}
	return (int)x;
}

static void print_row(const char *section, const char *side, const bench_stats *s)
{
	printf("%-8s %-10s %10.1f %10.1f %10.1f %10.1f\n", section, side, s->min_ms, s->median_ms, s->p90_ms, s->max_ms);
}

int main(int argc, char **argv)
{
	int reps = 5, snapshots = 1000, commits = 200;
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--reps") == 0)
			reps = arg_int(v, 1, 50), i++;
		else if (strcmp(argv[i], "--snapshots") == 0)
			snapshots = arg_int(v, 1, 100000), i++;
		else if (strcmp(argv[i], "--commits") == 0)
			commits = arg_int(v, 1, 10000), i++;
		else if (strcmp(argv[i], "--only") == 0 && v)
			only = v, i++;
		else
			arg_int(NULL, 0, 0);
	}
	int64_t t_start = bench_now_ns();
	/* the one-time DuckDB initialisation stays out of both sides */
	duckdb_timed("select 42");
	if (ensure_taxi_file(PROG) != 0)
		return 1;
	if (ldp_io_remove_tree(ROOT))
		ldp_error_clear();
	if (ldp_project_init(ROOT, "bench", &project))
		die_ldp("creating the bench project");
	ldp_warehouse *wh = open_wh();
	if (ldp_catalog_create_namespace(wh->catalog, "bench", NULL, 0))
		die_ldp("creating namespace bench");
	ldp_warehouse_free(wh);
	load_taxi_schema();

	side_pair flat = {0}, part = {0};
	commit_stats cs = {0};
	bench_stats py, py_read;
	int64_t cli_ns = -1;
	int have_py = 0;
	char day[4096], day_text[4096] = "", fmt[8192];
	if (want(only, "flat")) {
		flat = append_section(reps, NULL, "COPY (SELECT * FROM '" TAXI_FILE "') TO '%s' (FORMAT parquet, COMPRESSION zstd)");
		cli_ns = cli_append();
	}
	if (want(only, "part")) {
		day_sql(day_text, sizeof day_text);
		printf_escape(day_text, day, sizeof day);
		snprintf(fmt, sizeof fmt,
			 "COPY (SELECT *, %s AS day_col FROM '" TAXI_FILE "') TO '%%s' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day_col))",
			 day);
		part = append_section(reps, "day(" DAY_SOURCE ")", fmt);
	}
	if (want(only, "commit"))
		cs = commit_section(snapshots, commits);
	if (want(only, "py"))
		have_py = py_section(reps < 3 ? reps : 3, &py, &py_read) == 0;

	printf("\n" PROG ": %d rows (%s), DuckDB %s; times in ms\n", TAXI_ROWS, TAXI_FILE, duckdb_library_version());
	printf("  ldp    = ldp_warehouse_open + ldp_table_write(append, SELECT * FROM file) + ldp_warehouse_free\n");
	printf("  duckdb = fresh in-memory DuckDB: open + COPY (SELECT * FROM file) TO ... (FORMAT parquet, COMPRESSION zstd) + close\n\n");
	printf("%-8s %-10s %10s %10s %10s %10s\n", "section", "side", "min", "median", "p90", "max");
	if (want(only, "flat")) {
		print_row("flat", "ldp", &flat.ldp);
		print_row("", "duckdb", &flat.duck);
	}
	if (want(only, "part")) {
		print_row("part", "ldp", &part.ldp);
		print_row("", "duckdb", &part.duck);
	}
	if (have_py) {
		print_row("py", "pyiceberg", &py);
		print_row("", "+read", &py_read);
	}
	printf("\n");
	if (want(only, "flat")) {
		printf("flat: ldp wrote %" PRId64 " file(s), %" PRId64 " bytes; duckdb %" PRId64 " file(s), %" PRId64 " bytes\n",
		       flat.ldp_files, flat.ldp_bytes, flat.duck_files, flat.duck_bytes);
		printf("flat: of the ldp median, table load + commit (no data) took %.1f ms\n", flat.meta_ms);
		if (cli_ns > 0)
			printf("flat: one `ldp table append` through the binary: %.1f ms (library median %.1f ms)\n", cli_ns / 1e6,
			       flat.ldp.median_ms);
	}
	if (want(only, "part"))
		printf("part: ldp wrote %" PRId64 " file(s), %" PRId64 " bytes; duckdb %" PRId64 " file(s), %" PRId64 " bytes; day_col = %s\n",
		       part.ldp_files, part.ldp_bytes, part.duck_files, part.duck_bytes, day_text);
	if (want(only, "part"))
		printf("part: of the ldp median, table load + commit (no data) took %.1f ms\n", part.meta_ms);
	if (want(only, "commit")) {
		printf("commit: one-row appends on a table with %d snapshots (built in %.1f s; metadata file %" PRId64 " bytes), %d timed:\n",
		       snapshots, cs.build_s, cs.metadata_bytes, commits);
		printf("commit: ldp_table_write p50 %.2f ms, p99 %.2f ms, max %.2f ms; commit part p50 %.2f ms, p99 %.2f ms\n",
		       cs.p50_ms, cs.p99_ms, cs.max_ms, cs.c50_ms, cs.c99_ms);
		printf("commit: medians of its parts: table load %.2f ms, data file + manifest %.2f ms, commit %.2f ms\n",
		       cs.load50_ms, cs.data50_ms, cs.c50_ms);
	}
	printf("total benchmark time %.1f s\n\n", (bench_now_ns() - t_start) / 1e9);
	if (want(only, "flat"))
		printf("ratio iceberg_append.flat ldp/duckdb = %.2f\n", flat.ldp.median_ms / flat.duck.median_ms);
	if (want(only, "part"))
		printf("ratio iceberg_append.partitioned ldp/duckdb = %.2f\n", part.ldp.median_ms / part.duck.median_ms);
	if (want(only, "commit")) {
		printf("ratio iceberg_append.commit_p50_ms = %.2f\n", cs.p50_ms);
		printf("ratio iceberg_append.commit_p99_ms = %.2f\n", cs.p99_ms);
	}
	if (have_py && want(only, "flat"))
		printf("ratio iceberg_append.flat ldp/pyiceberg = %.2f\n", flat.ldp.median_ms / py.median_ms);
	if (have_py && want(only, "flat"))
		printf("ratio iceberg_append.flat ldp/pyiceberg_with_read = %.2f\n", flat.ldp.median_ms / py_read.median_ms);
	ldp_io_remove_tree(ROOT);
	ldp_project_free(project);
	ldp_arena_free(&schema_arena);
	return 0;
}
