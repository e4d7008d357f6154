/*
 * Tests for the Iceberg table layer (table/table.h): create, append,
 * overwrite, dynamic overwrite, scan planning and reading, branches, tags,
 * rollback, time-travel selectors, file splitting, empty sources and commit
 * conflicts.
 *
 * Independent checks: rows read back are compared with the source query in
 * DuckDB (EXCEPT ALL both ways); a plan's record counts and sizes are
 * compared with read_parquet counts and stat sizes; snapshot summaries
 * (spec: "Snapshot Summary" / Java's SnapshotSummary fields) are recomputed
 * from the plans of a snapshot and its parent; partition paths use
 * hand-computed values (spec Appendix B: bucket of long 34 hashes to
 * 2017239379, so bucket[16] is 3) and DuckDB's own date functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "format/metadata.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "format/value.h"
#include "table/ice.h"
#include "table/table.h"

/* ---- fixture ---- */

typedef struct fx {
	ldp_project *p;
	ldp_warehouse *wh;
	char dir[512];
} fx;

static fx F;

#define OK(call)                                                                          \
	do {                                                                              \
		int rc_ = (call);                                                         \
		if (rc_)                                                                  \
			fail_msg("%s: %d %s", #call, rc_, ldp_error_last()->message); \
	} while (0)

static void open_project(const char *name)
{
	memset(&F, 0, sizeof F);
	snprintf(F.dir, sizeof F.dir, "%s/table_%s", LDP_TEST_TMP, name);
	ldp_io_remove_tree(F.dir);
	OK(ldp_project_init(F.dir, name, &F.p));
	OK(ldp_warehouse_open(F.p, &F.wh));
	OK(ldp_catalog_create_namespace(F.wh->catalog, "db", NULL, 0));
}

static void close_project(void)
{
	ldp_warehouse_free(F.wh);
	ldp_project_free(F.p);
	memset(&F, 0, sizeof F);
}

static ldp_ident ident(const char *name)
{
	ldp_ident id;
	memset(&id, 0, sizeof id);
	snprintf(id.ns, sizeof id.ns, "db");
	snprintf(id.name, sizeof id.name, "%s", name);
	return id;
}

static ldp_engine *eng(void)
{
	ldp_engine *e = NULL;
	OK(ldp_warehouse_engine(F.wh, &e));
	return e;
}

static int64_t q_int(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *sql = malloc((size_t)n + 1);
	assert_non_null(sql);
	va_start(ap, fmt);
	vsnprintf(sql, (size_t)n + 1, fmt, ap);
	va_end(ap);
	char *txt = NULL;
	OK(ldp_engine_query_text(eng(), sql, &txt));
	if (!txt)
		fail_msg("no value from %s", sql);
	int64_t v = strtoll(txt, NULL, 10);
	free(txt);
	free(sql);
	return v;
}

/* Create db.<name> with the columns of `columns_query` (a DuckDB query). */
static void create(const char *name, const char *columns_query, const char *partition_by, const ldp_kv *props,
		   size_t nprops)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_result *r = NULL;
	ldp_schema *s = NULL;
	OK(ldp_engine_query(eng(), columns_query, &r));
	OK(ldp_schema_from_duckdb_result(&a, r, &s));
	ldp_result_free(r);
	ldp_create_options o;
	memset(&o, 0, sizeof o);
	o.schema = s;
	o.partition_by = partition_by;
	o.properties = props;
	o.nproperties = nprops;
	ldp_ident id = ident(name);
	ldp_table *t = NULL;
	OK(ldp_table_create(F.wh, &id, &o, &t));
	assert_non_null(t->metadata_location);
	assert_int_equal(t->meta->current_snapshot_id, -1);
	ldp_table_free(t);
	ldp_arena_free(&a);
}

static ldp_write_result write_rows(const char *name, ldp_write_mode mode, const char *branch, const char *sql)
{
	ldp_write_options o = {.mode = mode, .branch = branch};
	ldp_write_result res;
	ldp_ident id = ident(name);
	OK(ldp_table_write(F.wh, &id, sql, &o, &res));
	assert_true(res.snapshot_id > 0);
	return res;
}

static ldp_table *load(const char *name)
{
	ldp_ident id = ident(name);
	ldp_table *t = NULL;
	OK(ldp_table_load(F.wh, &id, &t));
	return t;
}

/* The plan of db.<name> at `sel` (NULL: current); `t` receives the table. */
static void plan(const char *name, const ldp_snapshot_selector *sel, ldp_table **t, ldp_scan_plan *p)
{
	*t = load(name);
	OK(ldp_table_plan(F.wh, *t, sel, p));
}

static ldp_snapshot_selector at_snapshot(int64_t id)
{
	ldp_snapshot_selector s = {id, NULL, 0};
	return s;
}

/* Rows of db.<name> at `sel` equal the rows of `expected` (as multisets). */
static void assert_rows(const char *name, const ldp_snapshot_selector *sel, const char *expected)
{
	ldp_table *t;
	ldp_scan_plan p;
	plan(name, sel, &t, &p);
	ldp_buf q = LDP_BUF_INIT;
	OK(ldp_scan_plan_sql(&p, &q));
	int64_t n_t = q_int("SELECT count(*) FROM (%s)", ldp_buf_cstr(&q));
	int64_t n_e = q_int("SELECT count(*) FROM (%s)", expected);
	assert_int_equal(n_t, n_e);
	assert_int_equal(p.total_records, n_e);
	int64_t diff = q_int("SELECT (SELECT count(*) FROM ((%s) EXCEPT ALL (%s))) + "
			     "(SELECT count(*) FROM ((%s) EXCEPT ALL (%s)))",
			     ldp_buf_cstr(&q), expected, expected, ldp_buf_cstr(&q));
	if (diff)
		fail_msg("%s: %lld rows differ from %s", name, (long long)diff, expected);
	ldp_buf_free(&q);
	ldp_scan_plan_clear(&p);
	ldp_table_free(t);
}

/* Every planned file exists with the planned size and row count. */
static void assert_files_real(const ldp_scan_plan *p)
{
	int64_t total = 0;
	for (size_t i = 0; i < p->nfiles; i++) {
		struct stat st;
		if (stat(p->files[i].path, &st) != 0)
			fail_msg("planned file %s does not exist", p->files[i].path);
		assert_int_equal((int64_t)st.st_size, p->files[i].file_size);
		assert_int_equal(q_int("SELECT count(*) FROM read_parquet('%s')", p->files[i].path), p->files[i].record_count);
		total += p->files[i].record_count;
	}
	assert_int_equal(total, p->total_records);
}

static int in_plan(const ldp_scan_plan *p, const char *path)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i].path, path) == 0)
			return 1;
	return 0;
}

static int64_t sum_int(const ldp_snapshot *s, const char *key)
{
	const char *v = ldp_snapshot_summary(s, key);
	if (!v)
		fail_msg("snapshot %lld has no summary %s", (long long)s->snapshot_id, key);
	return strtoll(v, NULL, 10);
}

/* Column metrics of an entry agree with the file as DuckDB reads it:
 * value and null counts exactly, bounds enclosing min and max (equal to them
 * for numbers and dates; strings may be truncated to 16 characters). */
static void check_metrics(const ldp_table *t, const ldp_data_file_entry *e, ldp_arena *a)
{
	const ldp_schema *sc = ldp_metadata_current_schema(t->meta);
	for (size_t i = 0; i < e->nmetrics; i++) {
		const ldp_col_metric *m = &e->metrics[i];
		const ldp_field *f = ldp_schema_field_by_id(sc, m->field_id);
		assert_non_null(f);
		ldp_buf col = LDP_BUF_INIT;
		ldp_buf_put_sql_ident(&col, f->name);
		assert_int_equal(m->value_count, e->record_count);
		assert_int_equal(m->null_value_count, q_int("SELECT count(*) FROM read_parquet('%s') WHERE %s IS NULL", e->file_path, ldp_buf_cstr(&col)));
		if (m->null_value_count == e->record_count || f->type->id == LDP_T_DOUBLE || f->type->id == LDP_T_FLOAT) {
			ldp_buf_free(&col);
			continue;
		}
		assert_non_null(m->lower);
		assert_non_null(m->upper);
		ldp_value lo, hi, mn, mx;
		OK(ldp_value_from_bytes(f->type, m->lower, m->lower_len, a, &lo));
		OK(ldp_value_from_bytes(f->type, m->upper, m->upper_len, a, &hi));
		char *tmin = NULL, *tmax = NULL;
		ldp_buf q = LDP_BUF_INIT;
		ldp_buf_printf(&q, "SELECT min(%s)::VARCHAR FROM read_parquet('%s')", ldp_buf_cstr(&col), e->file_path);
		OK(ldp_engine_query_text(eng(), ldp_buf_cstr(&q), &tmin));
		ldp_buf_clear(&q);
		ldp_buf_printf(&q, "SELECT max(%s)::VARCHAR FROM read_parquet('%s')", ldp_buf_cstr(&col), e->file_path);
		OK(ldp_engine_query_text(eng(), ldp_buf_cstr(&q), &tmax));
		OK(ldp_value_parse_duckdb(f->type, tmin, a, &mn));
		OK(ldp_value_parse_duckdb(f->type, tmax, a, &mx));
		assert_true(ldp_value_compare(&lo, &mn) <= 0);
		assert_true(ldp_value_compare(&mx, &hi) <= 0);
		if (f->type->id != LDP_T_STRING && f->type->id != LDP_T_BINARY) {
			assert_int_equal(ldp_value_compare(&lo, &mn), 0);
			assert_int_equal(ldp_value_compare(&mx, &hi), 0);
		} else if (strlen(tmin) <= 16 && strlen(tmax) <= 16) {
			assert_int_equal(ldp_value_compare(&lo, &mn), 0);
			assert_int_equal(ldp_value_compare(&mx, &hi), 0);
		}
		free(tmin);
		free(tmax);
		ldp_buf_free(&q);
		ldp_buf_free(&col);
	}
}

/* The manifests of snapshot `s` agree with their entries and with the spec's
 * inheritance rules: list counts equal entry counts by status; entries added
 * or deleted by a manifest's snapshot carry that snapshot's id; existing
 * entries keep the sequence number of the snapshot that added them; partition
 * summaries cover every entry's partition value. Returns the live files. */
static int64_t check_manifests(const ldp_table *t, const ldp_snapshot *s)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_manifest_file *mfs;
	size_t nmf;
	int64_t live = 0;
	OK(ice_manifest_list_read(s->manifest_list, &a, &mfs, &nmf));
	for (size_t i = 0; i < nmf; i++) {
		const ldp_manifest_file *mf = &mfs[i];
		assert_int_equal(mf->content, LDP_CONTENT_DATA);
		const ldp_snapshot *added_by = ldp_metadata_snapshot(t->meta, mf->added_snapshot_id);
		assert_non_null(added_by);
		assert_int_equal(mf->sequence_number, added_by->sequence_number);
		assert_true(mf->min_sequence_number <= mf->sequence_number);
		ldp_data_file_entry *es;
		size_t ne;
		OK(ice_manifest_read(mf, &a, &es, &ne));
		int64_t cnt[3] = {0, 0, 0}, rows[3] = {0, 0, 0};
		const ldp_partition_spec *spec = ldp_metadata_spec(t->meta, mf->partition_spec_id);
		assert_non_null(spec);
		ldp_type *pt = NULL;
		OK(ice_partition_types(spec, ldp_metadata_current_schema(t->meta), &a, &pt));
		assert_int_equal(mf->npartitions, spec->nfields);
		for (size_t k = 0; k < ne; k++) {
			const ldp_data_file_entry *e = &es[k];
			cnt[e->status]++;
			rows[e->status] += e->record_count;
			const ldp_snapshot *es_snap = ldp_metadata_snapshot(t->meta, e->snapshot_id);
			assert_non_null(es_snap);
			if (e->status == LDP_ENTRY_ADDED) {
				assert_true(e->nmetrics > 0);
				if (mf->added_snapshot_id == s->snapshot_id)
					check_metrics(t, e, &a);
				assert_int_equal(e->snapshot_id, mf->added_snapshot_id);
				assert_int_equal(e->sequence_number, mf->sequence_number);
			} else if (e->status == LDP_ENTRY_EXISTING) {
				assert_int_equal(e->sequence_number, es_snap->sequence_number);
				assert_true(e->sequence_number >= mf->min_sequence_number);
			} else if (mf->added_snapshot_id == e->snapshot_id) {
				/* deleted by this manifest's snapshot */
			} else {
				/* carried forward from the snapshot that deleted it */
				assert_true(mf->added_snapshot_id != s->snapshot_id);
			}
			if (e->status != LDP_ENTRY_DELETED)
				live++;
			/* partition summaries cover the value */
			for (size_t f = 0; f < spec->nfields; f++) {
				const ldp_field_summary *fs = &mf->partitions[f];
				const ldp_value *v = &e->partition[f];
				if (v->is_null) {
					assert_true(fs->contains_null);
					continue;
				}
				ldp_value lo, hi;
				assert_non_null(fs->lower);
				assert_non_null(fs->upper);
				OK(ldp_value_from_bytes(&pt[f], fs->lower, fs->lower_len, &a, &lo));
				OK(ldp_value_from_bytes(&pt[f], fs->upper, fs->upper_len, &a, &hi));
				assert_true(ldp_value_compare(&lo, v) <= 0);
				assert_true(ldp_value_compare(v, &hi) <= 0);
			}
		}
		assert_int_equal(mf->added_files_count, cnt[LDP_ENTRY_ADDED]);
		assert_int_equal(mf->existing_files_count, cnt[LDP_ENTRY_EXISTING]);
		assert_int_equal(mf->deleted_files_count, cnt[LDP_ENTRY_DELETED]);
		assert_int_equal(mf->added_rows_count, rows[LDP_ENTRY_ADDED]);
		assert_int_equal(mf->existing_rows_count, rows[LDP_ENTRY_EXISTING]);
		assert_int_equal(mf->deleted_rows_count, rows[LDP_ENTRY_DELETED]);
	}
	ldp_arena_free(&a);
	return live;
}

/* Check the summary of snapshot `sid` of db.<name> against the plans of it and
 * its parent: added = in it and not in the parent, deleted = the reverse. */
static void assert_summary(const char *name, int64_t sid, const char *operation)
{
	ldp_table *t, *t2;
	ldp_scan_plan cur, par;
	ldp_snapshot_selector sel = at_snapshot(sid);
	plan(name, &sel, &t, &cur);
	const ldp_snapshot *s = ldp_metadata_snapshot(t->meta, sid);
	assert_non_null(s);
	memset(&par, 0, sizeof par);
	t2 = NULL;
	if (s->parent_id > 0) {
		ldp_snapshot_selector ps = at_snapshot(s->parent_id);
		plan(name, &ps, &t2, &par);
	}
	assert_files_real(&cur);
	assert_int_equal(check_manifests(t, s), (int64_t)cur.nfiles);
	int64_t add_f = 0, add_r = 0, add_b = 0, del_f = 0, del_r = 0, del_b = 0, tot_b = 0;
	for (size_t i = 0; i < cur.nfiles; i++) {
		tot_b += cur.files[i].file_size;
		if (!in_plan(&par, cur.files[i].path)) {
			add_f++;
			add_r += cur.files[i].record_count;
			add_b += cur.files[i].file_size;
		}
	}
	for (size_t i = 0; i < par.nfiles; i++)
		if (!in_plan(&cur, par.files[i].path)) {
			del_f++;
			del_r += par.files[i].record_count;
			del_b += par.files[i].file_size;
		}
	assert_string_equal(ldp_snapshot_summary(s, "operation"), operation);
	assert_string_equal(s->operation, operation);
	assert_int_equal(sum_int(s, "added-data-files"), add_f);
	assert_int_equal(sum_int(s, "added-records"), add_r);
	assert_int_equal(sum_int(s, "added-files-size"), add_b);
	if (del_f) {
		assert_int_equal(sum_int(s, "deleted-data-files"), del_f);
		assert_int_equal(sum_int(s, "deleted-records"), del_r);
		assert_int_equal(sum_int(s, "removed-files-size"), del_b);
	} else {
		const char *d = ldp_snapshot_summary(s, "deleted-data-files");
		assert_true(d == NULL || strcmp(d, "0") == 0);
	}
	assert_int_equal(sum_int(s, "total-records"), cur.total_records);
	assert_int_equal(sum_int(s, "total-data-files"), (int64_t)cur.nfiles);
	assert_int_equal(sum_int(s, "total-files-size"), tot_b);
	assert_int_equal(sum_int(s, "total-delete-files"), 0);
	ldp_scan_plan_clear(&cur);
	ldp_scan_plan_clear(&par);
	ldp_table_free(t);
	ldp_table_free(t2);
}

/* Parquet files under the table's data directory (what a failed write must not leave). */
static int64_t data_file_count(const char *name)
{
	return q_int("SELECT count(*) FROM glob('%s/warehouse/db/%s/data/**/*.parquet')", F.dir, name);
}

/* ---- tests ---- */

#define ROWS_A "SELECT range AS id, 'a' || range AS name FROM range(0, 50)"
#define ROWS_B "SELECT range AS id, 'b' || range AS name FROM range(1000, 1030)"

static void test_unpartitioned_append(void **state)
{
	(void)state;
	open_project("append");
	create("t", "SELECT 1::BIGINT AS id, 'x' AS name LIMIT 0", NULL, NULL, 0);

	/* empty table: no snapshot, no files, a readable empty relation */
	ldp_table *t;
	ldp_scan_plan p;
	plan("t", NULL, &t, &p);
	assert_null(p.snapshot);
	assert_int_equal(p.nfiles, 0);
	ldp_scan_plan_clear(&p);
	ldp_table_free(t);
	assert_rows("t", NULL, "SELECT 1::BIGINT AS id, 'x' AS name LIMIT 0");

	ldp_write_result r1 = write_rows("t", LDP_WRITE_APPEND, NULL, ROWS_A);
	assert_int_equal(r1.added_records, 50);
	assert_int_equal(r1.deleted_files, 0);
	assert_int_equal(r1.attempts, 1);
	assert_rows("t", NULL, ROWS_A);
	assert_summary("t", r1.snapshot_id, "append");

	/* column order and letter case of the source do not matter */
	ldp_write_result r2 = write_rows("t", LDP_WRITE_APPEND, NULL, "SELECT 'b' || range AS NAME, range AS id FROM range(1000, 1030)");
	assert_rows("t", NULL, ROWS_A " UNION ALL " ROWS_B);
	assert_summary("t", r2.snapshot_id, "append");
	t = load("t");
	const ldp_snapshot *s2 = ldp_metadata_current_snapshot(t->meta);
	assert_int_equal(s2->snapshot_id, r2.snapshot_id);
	assert_int_equal(s2->parent_id, r1.snapshot_id);
	assert_int_equal(s2->sequence_number, 2);
	assert_int_equal(t->meta->nsnapshot_log, 2);
	ldp_table_free(t);

	/* the old snapshot still reads as it was */
	ldp_snapshot_selector s1 = at_snapshot(r1.snapshot_id);
	assert_rows("t", &s1, ROWS_A);

	/* a type that would be narrowed, an unknown column and a missing table fail without a commit */
	ldp_write_options o = {.mode = LDP_WRITE_APPEND};
	ldp_write_result res;
	ldp_ident id = ident("t");
	assert_int_equal(ldp_table_write(F.wh, &id, "SELECT 'x' AS id, 'y' AS name", &o, &res), LDP_EINVALID);
	assert_int_equal(ldp_table_write(F.wh, &id, "SELECT 1 AS id, 'y' AS name, 2 AS extra", &o, &res), LDP_EINVALID);
	ldp_ident missing = ident("nope");
	assert_int_equal(ldp_table_write(F.wh, &missing, "SELECT 1 AS id", &o, &res), LDP_ENOTFOUND);
	t = load("t");
	assert_int_equal(t->meta->current_snapshot_id, r2.snapshot_id);
	ldp_table_free(t);
	assert_int_equal(data_file_count("t"), 2);
	ldp_error_clear();
	close_project();
}

/* The partition path of the file holding the row `where` of db.<name>. */
static void assert_partition_of(const char *name, const char *where, const char *want)
{
	ldp_table *t;
	ldp_scan_plan p;
	plan(name, NULL, &t, &p);
	int found = 0;
	for (size_t i = 0; i < p.nfiles; i++)
		if (q_int("SELECT count(*) FROM read_parquet('%s') WHERE %s", p.files[i].path, where) > 0) {
			assert_string_equal(p.files[i].partition, want);
			/* the file lives under its partition directory */
			char dir[1024];
			snprintf(dir, sizeof dir, "/data/%s/", want);
			if (!strstr(p.files[i].path, dir))
				fail_msg("%s is not under %s", p.files[i].path, dir);
			found++;
		}
	assert_int_equal(found, 1);
	ldp_scan_plan_clear(&p);
	ldp_table_free(t);
}

#define EVENTS                                                                                          \
	"SELECT id, ts, name, CAST(ts AS DATE) AS d, CAST(id % 23 - 11 AS INTEGER) AS n FROM (VALUES "  \
	"(34::BIGINT, TIMESTAMP '2023-01-01 10:15:00', 'iceberg'), "                                     \
	"(1, TIMESTAMP '2023-01-01 23:59:59', 'a b/c'), "                                                \
	"(2, TIMESTAMP '2022-12-31 00:00:00', NULL), "                                                   \
	"(3, NULL, 'ice')) v(id, ts, name) "                                                             \
	"UNION ALL SELECT 100 + range, TIMESTAMP '2023-01-01' + range * INTERVAL 5 HOUR, 'n' || (range % 7), " \
	"CAST(TIMESTAMP '2023-01-01' + range * INTERVAL 5 HOUR AS DATE), CAST(range % 23 - 11 AS INTEGER) FROM range(120)"

#define EVENT_COLS "SELECT 1::BIGINT AS id, TIMESTAMP '2000-01-01' AS ts, 'x' AS name, DATE '2000-01-01' AS d, 1::INTEGER AS n LIMIT 0"

static void test_partitioned_transforms(void **state)
{
	(void)state;
	open_project("partitioned");
	create("dayb", EVENT_COLS, "day(ts), bucket(16, id)", NULL, 0);
	ldp_write_result r = write_rows("dayb", LDP_WRITE_APPEND, NULL, EVENTS);
	assert_rows("dayb", NULL, EVENTS);
	assert_summary("dayb", r.snapshot_id, "append");
	/* spec Appendix B: hash(34L) = 2017239379, 2017239379 % 16 = 3 */
	assert_partition_of("dayb", "id = 34", "ts_day=2023-01-01/id_bucket=3");

	/* every file holds exactly one day and one bucket, and the path names them
	 * (day by DuckDB's strftime, bucket by ldp_bucket, tested on spec vectors) */
	ldp_table *t;
	ldp_scan_plan p;
	plan("dayb", NULL, &t, &p);
	assert_true(p.nfiles > 10);
	for (size_t i = 0; i < p.nfiles; i++) {
		const char *f = p.files[i].path;
		assert_int_equal(q_int("SELECT count(DISTINCT (coalesce(strftime(ts, '%%Y-%%m-%%d'), 'null'), ldp_bucket(id, 16))) FROM read_parquet('%s')", f), 1);
		char want[128];
		ldp_buf q = LDP_BUF_INIT;
		ldp_buf_printf(&q, "SELECT 'ts_day=' || coalesce(strftime(any_value(ts), '%%Y-%%m-%%d'), 'null') || '/id_bucket=' || any_value(ldp_bucket(id, 16)) FROM read_parquet('%s')", f);
		char *txt = NULL;
		OK(ldp_engine_query_text(eng(), ldp_buf_cstr(&q), &txt));
		snprintf(want, sizeof want, "%s", txt);
		free(txt);
		ldp_buf_free(&q);
		assert_string_equal(p.files[i].partition, want);
	}
	ldp_scan_plan_clear(&p);
	ldp_table_free(t);

	/* the other transforms, with hand-computed human strings */
	create("ident", EVENT_COLS, "name", NULL, 0);
	write_rows("ident", LDP_WRITE_APPEND, NULL, EVENTS);
	assert_rows("ident", NULL, EVENTS);
	assert_partition_of("ident", "id = 1", "name=a+b%2Fc"); /* java.net.URLEncoder */
	assert_partition_of("ident", "id = 2", "name=null");

	create("trunc", EVENT_COLS, "truncate(10, n), truncate(3, name)", NULL, 0);
	write_rows("trunc", LDP_WRITE_APPEND, NULL, EVENTS);
	assert_rows("trunc", NULL, EVENTS);
	/* id 34: n = 34 % 23 - 11 = 0; spec: truncate[10](-1) = -10, truncate[3]("iceberg") = "ice" */
	assert_partition_of("trunc", "id = 34", "n_trunc=0/name_trunc=ice");
	assert_partition_of("trunc", "id = 3", "n_trunc=-10/name_trunc=ice"); /* 3 % 23 - 11 = -8 */

	create("ymh", EVENT_COLS, "year(ts), month(d), hour(ts)", NULL, 0);
	write_rows("ymh", LDP_WRITE_APPEND, NULL, EVENTS);
	assert_rows("ymh", NULL, EVENTS);
	assert_partition_of("ymh", "id = 34", "ts_year=2023/d_month=2023-01/ts_hour=2023-01-01-10");
	assert_partition_of("ymh", "id = 2", "ts_year=2022/d_month=2022-12/ts_hour=2022-12-31-00");
	ldp_table *yt;
	ldp_scan_plan yp;
	plan("ymh", NULL, &yt, &yp);
	assert_files_real(&yp);
	/* hours are distinct per row except where two rows share one */
	assert_int_equal(yp.nfiles, q_int("SELECT count(DISTINCT date_trunc('hour', ts)) + count(*) FILTER (WHERE ts IS NULL) FROM (%s)", EVENTS));
	ldp_scan_plan_clear(&yp);
	ldp_table_free(yt);

	/* bad partition clauses name the problem */
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_result *res = NULL;
	ldp_schema *s = NULL;
	OK(ldp_engine_query(eng(), EVENT_COLS, &res));
	OK(ldp_schema_from_duckdb_result(&a, res, &s));
	ldp_result_free(res);
	const char *bad[] = {"day(nope)", "bucket(id)", "frob(id)", "day(name)", "day(ts), day(ts)"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ldp_create_options o;
		memset(&o, 0, sizeof o);
		o.schema = s;
		o.partition_by = bad[i];
		ldp_ident id = ident("bad");
		ldp_table *bt = NULL;
		int rc = ldp_table_create(F.wh, &id, &o, &bt);
		if (rc == 0)
			fail_msg("partition clause '%s' was accepted", bad[i]);
		assert_null(bt);
		int exists = 1;
		OK(ldp_catalog_table_exists(F.wh->catalog, "db", "bad", &exists));
		assert_int_equal(exists, 0);
	}
	ldp_arena_free(&a);
	ldp_error_clear();
	close_project();
}

static void test_overwrite(void **state)
{
	(void)state;
	open_project("overwrite");
	create("t", "SELECT 1::BIGINT AS id, 'x' AS name LIMIT 0", NULL, NULL, 0);
	write_rows("t", LDP_WRITE_APPEND, NULL, "SELECT range AS id, 'a' || range AS name FROM range(0, 20)");
	ldp_write_result r1 = write_rows("t", LDP_WRITE_APPEND, NULL, "SELECT range AS id, 'a' || range AS name FROM range(20, 50)");
	ldp_write_result r2 = write_rows("t", LDP_WRITE_OVERWRITE, NULL, ROWS_B);
	assert_int_equal(r2.deleted_files, 2);
	assert_int_equal(r2.deleted_records, 50);
	assert_int_equal(r2.added_records, 30);
	assert_rows("t", NULL, ROWS_B);
	assert_summary("t", r2.snapshot_id, "overwrite");
	/* time travel to the previous snapshot still shows the old rows */
	ldp_snapshot_selector prev = at_snapshot(r1.snapshot_id);
	assert_rows("t", &prev, ROWS_A);
	/* overwrite again, then append on top: the manifest with deletions is carried correctly */
	ldp_write_result r3 = write_rows("t", LDP_WRITE_OVERWRITE, NULL, "SELECT 7::BIGINT AS id, 'z' AS name");
	assert_summary("t", r3.snapshot_id, "overwrite");
	ldp_write_result r4 = write_rows("t", LDP_WRITE_APPEND, NULL, "SELECT 8::BIGINT AS id, 'y' AS name");
	assert_summary("t", r4.snapshot_id, "append");
	assert_rows("t", NULL, "SELECT 7::BIGINT AS id, 'z' AS name UNION ALL SELECT 8, 'y'");
	ldp_snapshot_selector s2 = at_snapshot(r2.snapshot_id);
	assert_rows("t", &s2, ROWS_B);
	close_project();
}

#define CAT_COLS "SELECT 1::BIGINT AS id, 'x' AS cat LIMIT 0"

static void test_dynamic_overwrite(void **state)
{
	(void)state;
	open_project("dynamic");
	create("t", CAT_COLS, "cat", NULL, 0);
	const char *old = "SELECT range AS id, ['p1', 'p2', 'p3'][range % 3 + 1] AS cat FROM range(30)";
	write_rows("t", LDP_WRITE_APPEND, NULL, old);
	/* p2 is replaced, p4 is new, p1 and p3 are kept */
	const char *neu = "SELECT * FROM (VALUES (100::BIGINT, 'p2'), (101, 'p4'), (102, 'p2')) v(id, cat)";
	ldp_write_result r = write_rows("t", LDP_WRITE_OVERWRITE_DYNAMIC, NULL, neu);
	assert_int_equal(r.deleted_records, 10);
	assert_int_equal(r.deleted_files, 1);
	assert_rows("t", NULL, "SELECT range AS id, ['p1', 'p2', 'p3'][range % 3 + 1] AS cat FROM range(30) WHERE range % 3 <> 1 "
			      "UNION ALL SELECT * FROM (VALUES (100::BIGINT, 'p2'), (101, 'p4'), (102, 'p2')) v(id, cat)");
	assert_summary("t", r.snapshot_id, "overwrite");

	/* a NULL partition is a partition of its own */
	write_rows("t", LDP_WRITE_APPEND, NULL, "SELECT 200::BIGINT AS id, NULL::VARCHAR AS cat");
	ldp_write_result r2 = write_rows("t", LDP_WRITE_OVERWRITE_DYNAMIC, NULL, "SELECT 201::BIGINT AS id, NULL::VARCHAR AS cat");
	assert_int_equal(r2.deleted_records, 1);
	assert_summary("t", r2.snapshot_id, "overwrite");
	ldp_table *t;
	ldp_scan_plan p;
	plan("t", NULL, &t, &p);
	assert_int_equal(p.total_records, 20 + 3 + 1);
	ldp_scan_plan_clear(&p);
	ldp_table_free(t);
	close_project();
}

static void test_branches_tags_rollback(void **state)
{
	(void)state;
	open_project("refs");
	create("t", "SELECT 1::BIGINT AS id, 'x' AS name LIMIT 0", NULL, NULL, 0);
	ldp_ident id = ident("t");
	/* no snapshot yet: nothing to point a ref at */
	assert_int_equal(ldp_table_set_ref(F.wh, &id, "v0", 1, 0), LDP_EINVALID);
	ldp_write_result r1 = write_rows("t", LDP_WRITE_APPEND, NULL, ROWS_A);
	OK(ldp_table_set_ref(F.wh, &id, "dev", 0, 0));
	OK(ldp_table_set_ref(F.wh, &id, "v1", 1, 0));
	assert_int_equal(ldp_table_set_ref(F.wh, &id, "v1", 1, 0), LDP_EEXISTS);
	assert_int_equal(ldp_table_set_ref(F.wh, &id, "dev", 1, 0), LDP_EEXISTS);
	assert_int_equal(ldp_table_set_ref(F.wh, &id, "v9", 1, 12345), LDP_ENOTFOUND);

	ldp_write_result rb = write_rows("t", LDP_WRITE_APPEND, "dev", ROWS_B);
	assert_summary("t", rb.snapshot_id, "append");
	ldp_table *t = load("t");
	assert_int_equal(t->meta->current_snapshot_id, r1.snapshot_id); /* main unchanged */
	assert_int_equal(t->meta->nsnapshot_log, 1); /* the log records main only */
	assert_int_equal(ldp_metadata_ref(t->meta, "dev")->snapshot_id, rb.snapshot_id);
	assert_int_equal(ldp_metadata_snapshot(t->meta, rb.snapshot_id)->parent_id, r1.snapshot_id);
	ldp_table_free(t);
	assert_rows("t", NULL, ROWS_A);
	ldp_snapshot_selector dev;
	OK(ldp_snapshot_selector_parse("branch:dev", &dev));
	assert_rows("t", &dev, ROWS_A " UNION ALL " ROWS_B);
	ldp_snapshot_selector v1;
	OK(ldp_snapshot_selector_parse("v1", &v1));
	assert_rows("t", &v1, ROWS_A);
	/* writes to a tag or to a missing branch fail */
	ldp_write_options o = {.mode = LDP_WRITE_APPEND, .branch = "v1"};
	ldp_write_result res;
	assert_int_not_equal(ldp_table_write(F.wh, &id, ROWS_B, &o, &res), 0);
	o.branch = "nope";
	assert_int_equal(ldp_table_write(F.wh, &id, ROWS_B, &o, &res), LDP_ENOTFOUND);
	assert_int_equal(data_file_count("t"), 2);

	/* main moves on; the tag stays; rollback brings the old state back */
	ldp_write_result r2 = write_rows("t", LDP_WRITE_OVERWRITE, NULL, "SELECT 9::BIGINT AS id, 'q' AS name");
	assert_rows("t", NULL, "SELECT 9::BIGINT AS id, 'q' AS name");
	assert_rows("t", &v1, ROWS_A);
	OK(ldp_table_set_ref(F.wh, &id, "v2", 1, r2.snapshot_id));
	OK(ldp_table_rollback(F.wh, &id, r1.snapshot_id));
	assert_rows("t", NULL, ROWS_A);
	t = load("t");
	assert_int_equal(t->meta->current_snapshot_id, r1.snapshot_id);
	assert_int_equal(ldp_metadata_ref(t->meta, "main")->snapshot_id, r1.snapshot_id);
	assert_int_equal(t->meta->nsnapshot_log, 3);
	assert_int_equal(t->meta->snapshot_log[2].snapshot_id, r1.snapshot_id);
	ldp_table_free(t);
	assert_int_equal(ldp_table_rollback(F.wh, &id, 42), LDP_ENOTFOUND);
	/* a write after the rollback descends from the rolled-back-to snapshot */
	ldp_write_result r3 = write_rows("t", LDP_WRITE_APPEND, NULL, ROWS_B);
	t = load("t");
	assert_int_equal(ldp_metadata_snapshot(t->meta, r3.snapshot_id)->parent_id, r1.snapshot_id);
	ldp_table_free(t);
	assert_summary("t", r3.snapshot_id, "append");
	assert_rows("t", NULL, ROWS_A " UNION ALL " ROWS_B);

	/* dropping refs */
	OK(ldp_table_drop_ref(F.wh, &id, "v1"));
	assert_int_equal(ldp_table_drop_ref(F.wh, &id, "v1"), LDP_ENOTFOUND);
	assert_int_equal(ldp_table_drop_ref(F.wh, &id, "main"), LDP_EINVALID);
	OK(ldp_table_drop_ref(F.wh, &id, "dev"));
	t = load("t");
	assert_null(ldp_metadata_ref(t->meta, "v1"));
	assert_null(ldp_metadata_ref(t->meta, "dev"));
	assert_non_null(ldp_metadata_ref(t->meta, "v2"));
	ldp_snapshot_selector gone = {0, "dev", 0};
	const ldp_snapshot *snap = NULL;
	assert_int_equal(ldp_table_resolve_snapshot(t, &gone, &snap), LDP_ENOTFOUND);
	ldp_table_free(t);
	ldp_error_clear();
	close_project();
}

static void test_selector_parse(void **state)
{
	(void)state;
	ldp_snapshot_selector s;
	OK(ldp_snapshot_selector_parse("1234567890", &s));
	assert_int_equal(s.snapshot_id, 1234567890);
	assert_null(s.ref);
	assert_int_equal(s.as_of_ms, 0);
	OK(ldp_snapshot_selector_parse("tag:v1", &s));
	assert_string_equal(s.ref, "v1");
	assert_int_equal(s.snapshot_id, 0);
	OK(ldp_snapshot_selector_parse("branch:dev", &s));
	assert_string_equal(s.ref, "dev");
	OK(ldp_snapshot_selector_parse("v1", &s));
	assert_string_equal(s.ref, "v1");
	/* 2024-01-01T00:00:00Z is 1704067200 s after the epoch (19723 days * 86400) */
	OK(ldp_snapshot_selector_parse("2024-01-01 10:00:00", &s));
	assert_int_equal(s.as_of_ms, 1704103200000LL);
	assert_int_equal(s.snapshot_id, 0);
	assert_null(s.ref);
	OK(ldp_snapshot_selector_parse("2024-01-01T10:00:00Z", &s));
	assert_int_equal(s.as_of_ms, 1704103200000LL);
	OK(ldp_snapshot_selector_parse("2024-01-01", &s));
	assert_int_equal(s.as_of_ms, 1704067200000LL);
	OK(ldp_snapshot_selector_parse("2024-01-01 10:00:00.25", &s));
	assert_int_equal(s.as_of_ms, 1704103200250LL);
	OK(ldp_snapshot_selector_parse("2024-02-29 00:00", &s));
	assert_int_equal(s.as_of_ms, (1704067200LL + 59 * 86400) * 1000);
	OK(ldp_snapshot_selector_parse("ms:1704103200000", &s));
	assert_int_equal(s.as_of_ms, 1704103200000LL);
	assert_int_equal(s.snapshot_id, 0);

	const char *bad[] = {"", "tag:", "branch:", "ms:", "ms:abc", "ms:0", "ms:-5", "0", "2024-13-01", "2024-01-32",
			     "2024-01-01 25:00:00", "2024-01-01x", "2024-01-01 10:00:00+05:00", "9abc", "2024-1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ldp_snapshot_selector_parse(bad[i], &s) != LDP_EINVALID)
			fail_msg("selector '%s' was accepted", bad[i]);
	assert_int_equal(ldp_snapshot_selector_parse(NULL, &s), LDP_EINVALID);
	ldp_error_clear();
}

static void test_as_of(void **state)
{
	(void)state;
	open_project("asof");
	create("t", "SELECT 1::BIGINT AS id, 'x' AS name LIMIT 0", NULL, NULL, 0);
	ldp_write_result r1 = write_rows("t", LDP_WRITE_APPEND, NULL, ROWS_A);
	ldp_write_result r2 = write_rows("t", LDP_WRITE_APPEND, NULL, ROWS_B);
	ldp_table *t = load("t");
	int64_t t1 = ldp_metadata_snapshot(t->meta, r1.snapshot_id)->timestamp_ms;
	int64_t t2 = ldp_metadata_snapshot(t->meta, r2.snapshot_id)->timestamp_ms;
	assert_true(t1 < t2);
	const ldp_snapshot *s = NULL;
	ldp_snapshot_selector sel = {0, NULL, t1 - 1};
	assert_int_equal(ldp_table_resolve_snapshot(t, &sel, &s), LDP_ENOTFOUND);
	sel.as_of_ms = t1;
	OK(ldp_table_resolve_snapshot(t, &sel, &s));
	assert_int_equal(s->snapshot_id, r1.snapshot_id);
	sel.as_of_ms = t2 - 1;
	OK(ldp_table_resolve_snapshot(t, &sel, &s));
	assert_int_equal(s->snapshot_id, r1.snapshot_id);
	sel.as_of_ms = t2;
	OK(ldp_table_resolve_snapshot(t, &sel, &s));
	assert_int_equal(s->snapshot_id, r2.snapshot_id);
	ldp_table_free(t);
	/* through the text form and a scan */
	char spec[64];
	snprintf(spec, sizeof spec, "ms:%lld", (long long)(t2 - 1));
	OK(ldp_snapshot_selector_parse(spec, &sel));
	assert_rows("t", &sel, ROWS_A);
	/* after a rollback, "now" is the rolled-back-to snapshot, the past unchanged */
	ldp_ident id = ident("t");
	OK(ldp_table_rollback(F.wh, &id, r1.snapshot_id));
	sel.as_of_ms = ldp_now_ms() + 1000;
	assert_rows("t", &sel, ROWS_A);
	sel.as_of_ms = t2;
	assert_rows("t", &sel, ROWS_A " UNION ALL " ROWS_B);
	ldp_error_clear();
	close_project();
}

static void test_target_file_size(void **state)
{
	(void)state;
	open_project("filesize");
	ldp_kv props[] = {{"write.target-file-size-bytes", "100000"}};
	create("t", "SELECT 1::BIGINT AS id, 'x' AS payload LIMIT 0", NULL, props, 1);
	/* md5 text does not compress: ~4 MB of it, far above 100 kB */
	const char *src = "SELECT range AS id, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) AS payload FROM range(300000)";
	ldp_write_result r = write_rows("t", LDP_WRITE_APPEND, NULL, src);
	assert_true(r.added_files >= 2);
	assert_summary("t", r.snapshot_id, "append");
	assert_rows("t", NULL, src);
	ldp_table *t;
	ldp_scan_plan p;
	plan("t", NULL, &t, &p);
	assert_int_equal((int64_t)p.nfiles, r.added_files);
	ldp_scan_plan_clear(&p);
	ldp_table_free(t);
	close_project();
}

static void test_empty_source(void **state)
{
	(void)state;
	open_project("empty");
	create("t", CAT_COLS, "cat", NULL, 0);
	const char *none = "SELECT 1::BIGINT AS id, 'p' AS cat WHERE false";
	ldp_write_result r0 = write_rows("t", LDP_WRITE_APPEND, NULL, none);
	assert_int_equal(r0.added_files, 0);
	assert_int_equal(r0.added_records, 0);
	assert_int_equal(data_file_count("t"), 0);
	assert_rows("t", NULL, none);
	const char *rows = "SELECT range AS id, 'p' || (range % 2) AS cat FROM range(10)";
	write_rows("t", LDP_WRITE_APPEND, NULL, rows);
	ldp_write_result r1 = write_rows("t", LDP_WRITE_APPEND, NULL, none);
	assert_summary("t", r1.snapshot_id, "append");
	assert_rows("t", NULL, rows);
	/* a dynamic overwrite with no rows replaces no partition */
	ldp_write_result r2 = write_rows("t", LDP_WRITE_OVERWRITE_DYNAMIC, NULL, none);
	assert_int_equal(r2.deleted_files, 0);
	assert_rows("t", NULL, rows);
	/* a full overwrite with no rows empties the table */
	ldp_write_result r3 = write_rows("t", LDP_WRITE_OVERWRITE, NULL, none);
	assert_int_equal(r3.deleted_records, 10);
	assert_summary("t", r3.snapshot_id, "delete"); /* it only removes files (spec: operation "delete") */
	assert_rows("t", NULL, none);
	close_project();
}

/* ---- commit conflicts ---- */

typedef struct race {
	ldp_warehouse *other; /* a second handle: its own catalog connection and engine */
	const char *sql;
	ldp_write_mode mode;
	int calls, max_calls;
} race;

static int race_hook(void *ctx)
{
	race *r = ctx;
	if (r->calls >= r->max_calls)
		return 0;
	r->calls++;
	ldp_ident id = ident("t");
	ldp_write_options o = {.mode = r->mode};
	ldp_write_result res;
	return ldp_table_write(r->other, &id, r->sql, &o, &res);
}

static void test_conflict_retry(void **state)
{
	(void)state;
	open_project("conflict");
	create("t", CAT_COLS, "cat", NULL, 0);
	write_rows("t", LDP_WRITE_APPEND, NULL, "SELECT range AS id, 'p' || (range % 2) AS cat FROM range(10)");
	race rc = {NULL, "SELECT 500::BIGINT AS id, 'p0' AS cat", LDP_WRITE_APPEND, 0, 1};
	OK(ldp_warehouse_open(F.p, &rc.other));
	ldp_ident id = ident("t");

	/* an append that loses the race to another append re-applies on top of it */
	ldp_write_options o = {.mode = LDP_WRITE_APPEND, .before_swap = race_hook, .before_swap_ctx = &rc};
	ldp_write_result res;
	OK(ldp_table_write(F.wh, &id, "SELECT 600::BIGINT AS id, 'p1' AS cat", &o, &res));
	assert_int_equal(res.attempts, 2);
	assert_int_equal(rc.calls, 1);
	const char *all = "SELECT range AS id, 'p' || (range % 2) AS cat FROM range(10) UNION ALL SELECT 500, 'p0' UNION ALL SELECT 600, 'p1'";
	assert_rows("t", NULL, all);
	assert_summary("t", res.snapshot_id, "append");
	ldp_table *t = load("t");
	const ldp_snapshot *cur = ldp_metadata_current_snapshot(t->meta);
	assert_int_equal(cur->snapshot_id, res.snapshot_id);
	assert_int_equal(cur->sequence_number, 3);
	assert_int_equal(t->meta->nsnapshots, 3);
	ldp_table_free(t);

	/* a dynamic overwrite that loses to an append into its partition replaces that append's rows too */
	rc.calls = 0;
	rc.sql = "SELECT 700::BIGINT AS id, 'p0' AS cat";
	o.mode = LDP_WRITE_OVERWRITE_DYNAMIC;
	OK(ldp_table_write(F.wh, &id, "SELECT 800::BIGINT AS id, 'p0' AS cat", &o, &res));
	assert_int_equal(res.attempts, 2);
	assert_int_equal(res.deleted_records, 5 + 1 + 1);
	assert_rows("t", NULL, "SELECT range AS id, 'p1' AS cat FROM range(1, 10, 2) UNION ALL SELECT 600, 'p1' UNION ALL SELECT 800, 'p0'");
	assert_summary("t", res.snapshot_id, "overwrite");

	/* losing every time: the write fails with a conflict and leaves nothing behind */
	rc.calls = 0;
	rc.max_calls = 100;
	rc.mode = LDP_WRITE_APPEND;
	rc.sql = "SELECT 900::BIGINT AS id, 'p9' AS cat";
	o.mode = LDP_WRITE_APPEND;
	int64_t files_before = data_file_count("t");
	int err = ldp_table_write(F.wh, &id, "SELECT 1000::BIGINT AS id, 'p1' AS cat", &o, &res);
	assert_int_equal(err, LDP_ECONFLICT);
	assert_int_equal(res.attempts, 5); /* commit.retry.num-retries defaults to 4 */
	assert_int_equal(rc.calls, 5);
	/* only the five winning appends are there: the loser's files are gone */
	assert_int_equal(data_file_count("t"), files_before + 5);
	assert_int_equal(q_int("SELECT count(*) FROM glob('%s/warehouse/db/t/data/**/*.parquet')", F.dir), files_before + 5);
	assert_int_equal(q_int("SELECT count(*) FROM read_parquet('%s/warehouse/db/t/data/**/*.parquet') WHERE id = 1000", F.dir), 0);
	assert_rows("t", NULL, "SELECT range AS id, 'p1' AS cat FROM range(1, 10, 2) UNION ALL SELECT 600, 'p1' UNION ALL SELECT 800, 'p0' "
			       "UNION ALL SELECT 900, 'p9' FROM range(5)");
	ldp_warehouse_free(rc.other);
	ldp_error_clear();
	close_project();
}

static void test_bind_sql(void **state)
{
	(void)state;
	open_project("bind");
	create("t", "SELECT 1::BIGINT AS id, 'x' AS name LIMIT 0", NULL, NULL, 0);
	ldp_write_result r1 = write_rows("t", LDP_WRITE_APPEND, NULL, ROWS_A);
	write_rows("t", LDP_WRITE_APPEND, NULL, ROWS_B);
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM db.\"t@%lld\"", (long long)r1.snapshot_id);
	OK(ldp_warehouse_bind_sql(F.wh, sql));
	assert_int_equal(q_int("%s", sql), 50);
	OK(ldp_warehouse_bind_sql(F.wh, "SELECT count(*) FROM db.t"));
	assert_int_equal(q_int("SELECT count(*) FROM db.t"), 80);
	assert_int_equal(ldp_warehouse_bind_sql(F.wh, "SELECT * FROM db.\"nope@1\""), LDP_ENOTFOUND);
	assert_int_equal(ldp_warehouse_bind_sql(F.wh, "SELECT * FROM db.\"t@2024-13-01\""), LDP_EINVALID);
	ldp_error_clear();
	close_project();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selector_parse),
		cmocka_unit_test(test_unpartitioned_append),
		cmocka_unit_test(test_partitioned_transforms),
		cmocka_unit_test(test_overwrite),
		cmocka_unit_test(test_dynamic_overwrite),
		cmocka_unit_test(test_branches_tags_rollback),
		cmocka_unit_test(test_as_of),
		cmocka_unit_test(test_target_file_size),
		cmocka_unit_test(test_empty_source),
		cmocka_unit_test(test_conflict_retry),
		cmocka_unit_test(test_bind_sql),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
