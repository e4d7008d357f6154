/*
 * Tests for the ingest layer's pieces (ingest/ingest.h) and the table
 * helpers it added: driver dispatch by URI scheme, options, file-name format
 * detection, ldp_ingest_files, snapshot-summary state committed with the data
 * (checked in the metadata JSON file itself with jansson), schema evolution
 * (field ids checked against the spec's rule: existing ids kept, new ones
 * above last-column-id) and the merge mode through ldp_ingest_load_sql
 * (results compared with a hand-computed expectation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "format/metadata.h"
#include "format/schema.h"
#include "ingest/ingest.h"
#include "ingest/ingest_internal.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "table/table.h"

#define OK(call)                                                                          \
	do {                                                                              \
		int rc_ = (call);                                                         \
		if (rc_)                                                                  \
			fail_msg("%s: %d %s", #call, rc_, ldp_error_last()->message); \
	} while (0)

static void test_driver_for(void **state)
{
	(void)state;
	const ldp_ingest_driver *d;
	OK(ldp_ingest_driver_for("data/x.csv", &d));
	assert_string_equal(d->scheme, "file");
	OK(ldp_ingest_driver_for("file:///tmp/x.csv", &d));
	assert_string_equal(d->scheme, "file");
	OK(ldp_ingest_driver_for("SQLITE:///tmp/db?table=t", &d));
	assert_string_equal(d->scheme, "sqlite");
	/* "://" after a character no scheme may hold: a local path */
	OK(ldp_ingest_driver_for("./odd name://x.csv", &d));
	assert_string_equal(d->scheme, "file");
	assert_int_equal(ldp_ingest_driver_for("gopher://h/x", &d), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "gopher://"));
	ldp_error_clear();
}

static void test_options(void **state)
{
	(void)state;
	ldp_kv kv[] = {{"header", "false"}, {"column-type", "a=INT"}, {"column-type", "b=DATE"}, {"x", "maybe"}};
	ldp_ingest_options o;
	memset(&o, 0, sizeof o);
	o.opts = kv;
	o.nopts = 4;
	assert_string_equal(ldp_ingest_opt(&o, "column-type"), "a=INT");
	assert_null(ldp_ingest_opt(&o, "quote"));
	int b;
	OK(ldp_ingest_opt_bool(&o, "header", 1, &b));
	assert_int_equal(b, 0);
	OK(ldp_ingest_opt_bool(&o, "absent", 1, &b));
	assert_int_equal(b, 1);
	assert_int_equal(ldp_ingest_opt_bool(&o, "x", 0, &b), LDP_EINVALID);
	ldp_error_clear();
	const ldp_ingest_driver *d;
	OK(ldp_ingest_driver_for("a.csv", &d));
	assert_int_equal(ldp_ingest_check_options(d, &o), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "--x"));
	ldp_error_clear();
	o.nopts = 3;
	OK(ldp_ingest_check_options(d, &o));
	/* sqlite's own options are accepted for sqlite:// only */
	ldp_kv t[] = {{"table", "x"}};
	o.opts = t;
	o.nopts = 1;
	assert_int_equal(ldp_ingest_check_options(d, &o), LDP_EINVALID);
	ldp_error_clear();
	OK(ldp_ingest_driver_for("sqlite://db", &d));
	OK(ldp_ingest_check_options(d, &o));
}

static void test_format_of(void **state)
{
	(void)state;
	assert_string_equal(ingest_format_of("a/b/x.csv"), "csv");
	assert_string_equal(ingest_format_of("x.CSV.GZ"), "csv");
	assert_string_equal(ingest_format_of("x.tsv.zst"), "tsv");
	assert_string_equal(ingest_format_of("x.jsonl"), "ndjson");
	assert_string_equal(ingest_format_of("x.json"), "json");
	assert_string_equal(ingest_format_of("x.parquet"), "parquet");
	assert_null(ingest_format_of("x.gz"));
	assert_null(ingest_format_of("dir.d/noext"));

	ldp_ingest_files f;
	memset(&f, 0, sizeof f);
	ldp_ingest_options o;
	memset(&o, 0, sizeof o);
	OK(ldp_ingest_files_add(&f, "a.json"));
	OK(ldp_ingest_files_add(&f, "b.ndjson.gz"));
	const char *fmt;
	OK(ingest_batch_format(&f, &o, &fmt));
	assert_string_equal(fmt, "json");
	OK(ldp_ingest_files_add(&f, "c.csv"));
	assert_int_equal(ingest_batch_format(&f, &o, &fmt), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "c.csv"));
	ldp_error_clear();
	o.format = "csv";
	OK(ingest_batch_format(&f, &o, &fmt));
	assert_string_equal(fmt, "csv");
	OK(ldp_ingest_files_set_summary(&f, "k", "1"));
	OK(ldp_ingest_files_set_summary(&f, "k", "2"));
	OK(ldp_ingest_files_set_summary(&f, "j", "3"));
	assert_int_equal(f.nsummary, 2);
	assert_string_equal(f.summary[0].value, "2");
	ldp_ingest_files_clear(&f);
	assert_int_equal(f.n, 0);
	assert_null(f.paths);
}

static void test_reader_sql(void **state)
{
	(void)state;
	ldp_ingest_files f;
	memset(&f, 0, sizeof f);
	OK(ldp_ingest_files_add(&f, "it's.tsv"));
	ldp_kv kv[] = {{"null", "NA"}, {"column-type", "fare=DECIMAL(10,2)"}, {"header", "no"}};
	ldp_ingest_options o;
	memset(&o, 0, sizeof o);
	o.opts = kv;
	o.nopts = 3;
	ldp_buf b = LDP_BUF_INIT;
	OK(ldp_ingest_reader_sql(&f, &o, NULL, &b));
	const char *s = ldp_buf_cstr(&b);
	assert_non_null(strstr(s, "read_csv(['it''s.tsv']"));
	assert_non_null(strstr(s, "delim='\t'"));
	assert_non_null(strstr(s, "header=false"));
	assert_non_null(strstr(s, "nullstr='NA'"));
	assert_non_null(strstr(s, "types={'fare': 'DECIMAL(10,2)'}"));
	ldp_buf_free(&b);
	/* Parquet: overrides become casts */
	ldp_ingest_files_clear(&f);
	OK(ldp_ingest_files_add(&f, "x.parquet"));
	o.nopts = 2;
	OK(ldp_ingest_reader_sql(&f, &o, NULL, &b));
	assert_non_null(strstr(ldp_buf_cstr(&b), "CAST(\"fare\" AS DECIMAL(10,2)) AS \"fare\""));
	ldp_buf_free(&b);
	ldp_ingest_files_clear(&f);
}

/* ---- against a warehouse ---- */

typedef struct fx {
	ldp_project *p;
	ldp_warehouse *wh;
	char dir[512];
} fx;

static void open_fx(fx *F, const char *name)
{
	memset(F, 0, sizeof *F);
	snprintf(F->dir, sizeof F->dir, "%s/ingest_%s", LDP_TEST_TMP, name);
	ldp_io_remove_tree(F->dir);
	OK(ldp_project_init(F->dir, name, &F->p));
	OK(ldp_warehouse_open(F->p, &F->wh));
}

static void close_fx(fx *F)
{
	ldp_warehouse_free(F->wh);
	ldp_project_free(F->p);
}

static char *q_text(fx *F, const char *sql)
{
	ldp_engine *e;
	OK(ldp_warehouse_engine(F->wh, &e));
	OK(ldp_warehouse_bind_sql(F->wh, sql));
	char *txt = NULL;
	OK(ldp_engine_query_text(e, sql, &txt));
	return txt;
}

/* The summary property as written in the current metadata file. */
static char *summary_in_file(fx *F, const ldp_ident *id, const char *key)
{
	ldp_table *t = NULL;
	OK(ldp_table_load(F->wh, id, &t));
	json_error_t err;
	json_t *doc = json_load_file(t->metadata_location, 0, &err);
	assert_non_null(doc);
	json_int_t cur = json_integer_value(json_object_get(doc, "current-snapshot-id"));
	char *out = NULL;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(doc, "snapshots"), i, s)
	{
		if (json_integer_value(json_object_get(s, "snapshot-id")) == cur) {
			const char *v = json_string_value(json_object_get(json_object_get(s, "summary"), key));
			out = v ? strdup(v) : NULL;
		}
	}
	json_decref(doc);
	ldp_table_free(t);
	return out;
}

static void test_summary_state(void **state)
{
	(void)state;
	fx F;
	open_fx(&F, "summary");
	ldp_ident id = {"raw", "events"};
	ldp_ingest_options o;
	memset(&o, 0, sizeof o);
	ldp_ingest_result r;
	ldp_kv st[] = {{"ldp.ingest.cursor", "2024-01-05"}};
	OK(ldp_ingest_load_sql(F.wh, "SELECT range AS id FROM range(3)", &id, &o, st, 1, &r));
	assert_true(r.created);
	assert_int_equal(r.rows, 3);
	char *v = summary_in_file(&F, &id, "ldp.ingest.cursor");
	assert_non_null(v);
	assert_string_equal(v, "2024-01-05");
	free(v);
	/* the standard summary keys are still there */
	v = summary_in_file(&F, &id, "added-records");
	assert_string_equal(v, "3");
	free(v);
	/* a later write without the key keeps the state readable */
	OK(ldp_ingest_load_sql(F.wh, "SELECT 7 AS id", &id, &o, NULL, 0, &r));
	assert_null(summary_in_file(&F, &id, "ldp.ingest.cursor"));
	OK(ldp_table_summary_property(F.wh, &id, "ldp.ingest.cursor", &v));
	assert_string_equal(v, "2024-01-05");
	free(v);
	ldp_kv st2[] = {{"ldp.ingest.cursor", "2024-02-01"}};
	OK(ldp_ingest_load_sql(F.wh, "SELECT 8 AS id", &id, &o, st2, 1, &r));
	OK(ldp_table_summary_property(F.wh, &id, "ldp.ingest.cursor", &v));
	assert_string_equal(v, "2024-02-01");
	free(v);
	OK(ldp_table_summary_property(F.wh, &id, "no.such.key", &v));
	assert_null(v);
	ldp_ident none = {"raw", "none"};
	assert_int_equal(ldp_table_summary_property(F.wh, &none, "k", &v), LDP_ENOTFOUND);
	ldp_error_clear();
	close_fx(&F);
}

static void test_evolve_ids(void **state)
{
	(void)state;
	fx F;
	open_fx(&F, "evolve");
	ldp_ident id = {"raw", "t"};
	ldp_ingest_options o;
	memset(&o, 0, sizeof o);
	ldp_ingest_result r;
	OK(ldp_ingest_load_sql(F.wh, "SELECT 1::INTEGER AS a, 1.5::FLOAT AS b, {'x': 1} AS s", &id, &o, NULL, 0, &r));
	o.evolve = 1;
	OK(ldp_ingest_load_sql(F.wh, "SELECT 2::BIGINT AS a, 2.5::DOUBLE AS b, [1, 2] AS l, 'n' AS c", &id, &o, NULL, 0,
			       &r));
	/* a promoted, b promoted, l and c added */
	assert_int_equal(r.evolved, 4);
	ldp_table *t = NULL;
	OK(ldp_table_load(F.wh, &id, &t));
	const ldp_schema *s = ldp_metadata_current_schema(t->meta);
	/* fresh ids on create: a=1 b=2 s=3 s.x=4; added after last-column-id 4:
	 * l=5 with element 6, then c=7 */
	const char *names[] = {"a", "b", "s", "l", "c"};
	int32_t ids[] = {1, 2, 3, 5, 7};
	ldp_type_id types[] = {LDP_T_LONG, LDP_T_DOUBLE, LDP_T_STRUCT, LDP_T_LIST, LDP_T_STRING};
	assert_int_equal(s->root.nfields, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(s->root.fields[i].name, names[i]);
		assert_int_equal(s->root.fields[i].id, ids[i]);
		assert_int_equal(s->root.fields[i].type->id, types[i]);
	}
	assert_int_equal(s->root.fields[3].type->element.id, 6);
	assert_int_equal(t->meta->last_column_id, 7);
	ldp_table_free(t);
	char *txt = q_text(&F, "SELECT count(*) || '/' || sum(a) || '/' || count(c) FROM raw.t");
	assert_string_equal(txt, "2/3/1");
	free(txt);
	close_fx(&F);
}

static void test_merge(void **state)
{
	(void)state;
	fx F;
	open_fx(&F, "merge");
	ldp_ident id = {"raw", "m"};
	ldp_ingest_options o;
	memset(&o, 0, sizeof o);
	o.mode = LDP_INGEST_MERGE;
	o.key = "k";
	o.order_by = "v";
	ldp_ingest_result r;
	/* into a missing table: created, the batch deduplicated (k=1: v=3 wins) */
	OK(ldp_ingest_load_sql(F.wh, "SELECT * FROM (VALUES (1, 3), (1, 2), (2, 5), (NULL, 1)) t(k, v)", &id, &o, NULL, 0,
			       &r));
	assert_true(r.created);
	assert_int_equal(r.rows, 3);
	char *txt = q_text(&F, "SELECT string_agg(coalesce(k::VARCHAR, 'n') || '=' || v, ' ' ORDER BY k NULLS LAST) FROM raw.m");
	assert_string_equal(txt, "1=3 2=5 n=1");
	free(txt);
	/* NULL keys match NULL keys; k=3 is new */
	OK(ldp_ingest_load_sql(F.wh, "SELECT * FROM (VALUES (2, 7), (NULL, 9), (3, 1)) t(k, v)", &id, &o, NULL, 0, &r));
	assert_int_equal(r.rows, 3);
	assert_int_equal(r.deleted, 2);
	txt = q_text(&F, "SELECT string_agg(coalesce(k::VARCHAR, 'n') || '=' || v, ' ' ORDER BY k NULLS LAST) FROM raw.m");
	assert_string_equal(txt, "1=3 2=7 3=1 n=9");
	free(txt);
	o.key = "nope";
	assert_int_not_equal(ldp_ingest_load_sql(F.wh, "SELECT 1 AS k, 1 AS v", &id, &o, NULL, 0, &r), LDP_OK);
	assert_non_null(strstr(ldp_error_last()->message, "nope"));
	ldp_error_clear();
	close_fx(&F);
}

/* A writer that commits just before the merge's swap: the merge must fail
 * rather than re-apply its overwrite over that writer's rows. */
typedef struct racer {
	fx *F;
	int fired;
} racer;

static int race_append(void *ctx)
{
	racer *r = ctx;
	if (r->fired++)
		return LDP_OK;
	ldp_ident id = {"raw", "m"};
	ldp_write_options wo;
	memset(&wo, 0, sizeof wo);
	wo.mode = LDP_WRITE_APPEND;
	ldp_write_result wr;
	return ldp_table_write(r->F->wh, &id, "SELECT 100 AS k, 100 AS v", &wo, &wr);
}

static void test_merge_race(void **state)
{
	(void)state;
	fx F;
	open_fx(&F, "merge_race");
	ldp_ident id = {"raw", "m"};
	ldp_ingest_options o;
	memset(&o, 0, sizeof o);
	ldp_ingest_result r;
	OK(ldp_ingest_load_sql(F.wh, "SELECT * FROM (VALUES (1, 1), (2, 2)) t(k, v)", &id, &o, NULL, 0, &r));
	racer rc_ = {&F, 0};
	o.mode = LDP_INGEST_MERGE;
	o.key = "k";
	int rc = ingest_merge(F.wh, "SELECT 2 AS k, 20 AS v", &id, &o, NULL, 0, race_append, &rc_, &r);
	assert_int_equal(rc, LDP_ECONFLICT);
	assert_non_null(strstr(ldp_error_last()->message, "changed while the merge ran"));
	ldp_error_clear();
	assert_true(rc_.fired >= 1);
	/* the racing append survived, the merge left no trace */
	char *txt = q_text(&F, "SELECT string_agg(k || '=' || v, ' ' ORDER BY k) FROM raw.m");
	assert_string_equal(txt, "1=1 2=2 100=100");
	free(txt);
	close_fx(&F);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_driver_for),    cmocka_unit_test(test_options),
		cmocka_unit_test(test_format_of),     cmocka_unit_test(test_reader_sql),
		cmocka_unit_test(test_summary_state), cmocka_unit_test(test_evolve_ids),
		cmocka_unit_test(test_merge),         cmocka_unit_test(test_merge_race),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
