/*
 * ldp_table_replace (table/table.h): a table's columns, partitioning and rows
 * replaced in one commit. What is checked here, from the metadata and the
 * files rather than from the code's own report:
 *   - one new metadata file per replacement, same table uuid, the old
 *     snapshot still readable with its schema;
 *   - field ids: kept for a column with the same name and type, fresh above
 *     last-column-id otherwise;
 *   - the default spec: kept when its source columns survive, unpartitioned
 *     when one is gone (and no listed manifest keeps the old spec), or as
 *     given;
 *   - races: a concurrent append is replaced too (the retry re-applies the
 *     replacement on the new base); a concurrent schema change that moves the
 *     new ids fails with LDP_ECONFLICT and commits nothing; a failure before
 *     the swap leaves the pointer and the files as they were.
 *
 * Expected counts and sums come from the generating queries (range(n) sums
 * to n(n-1)/2).
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog/catalog.h"
#include "format/metadata.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "table/ddl.h"
#include "table/evolve.h"
#include "table/table.h"

typedef struct env {
	char dir[512];
	ldp_project *project;
	ldp_warehouse *wh;
	ldp_ident id;
} env;

static void ok(int rc, const char *what)
{
	if (rc)
		fail_msg("%s: %s", what, ldp_error_last()->message);
}

/* ns.t (id bigint, k int) partitioned as given, 10 rows: ids 0..9, k = id % 3 */
static env *open_env(const char *name, const char *partition_by)
{
	env *e = calloc(1, sizeof *e);
	assert_non_null(e);
	snprintf(e->dir, sizeof e->dir, "%s/table_replace/%s", LDP_TEST_TMP, name);
	ldp_io_remove_tree(e->dir);
	ok(ldp_project_init(e->dir, "replace", &e->project), "project");
	ok(ldp_warehouse_open(e->project, &e->wh), "warehouse");
	ok(ldp_catalog_create_namespace(e->wh->catalog, "ns", NULL, 0), "namespace");
	ok(ldp_ident_parse("ns.t", &e->id), "ident");
	ldp_create_options co = {0};
	co.partition_by = partition_by;
	ldp_write_result r;
	ok(ldp_table_create_as(e->wh, &e->id, &co, "select range::bigint as id, (range % 3)::int as k from range(10)", &r),
	   "create as");
	return e;
}

static void close_env(env *e)
{
	ldp_warehouse_free(e->wh);
	ldp_project_free(e->project);
	ldp_io_remove_tree(e->dir);
	free(e);
	ldp_error_clear();
}

static ldp_table *load(env *e)
{
	ldp_table *t = NULL;
	ok(ldp_table_load(e->wh, &e->id, &t), "load");
	return t;
}

/* "count sum(id)" of a snapshot (0: current) */
static void rows(env *e, int64_t snapshot_id, int64_t *count, int64_t *sum)
{
	ldp_table *t = load(e);
	ldp_snapshot_selector sel = {0};
	sel.snapshot_id = snapshot_id;
	ldp_scan_plan p;
	memset(&p, 0, sizeof p);
	ok(ldp_table_plan(e->wh, t, snapshot_id ? &sel : NULL, &p), "plan");
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "select count(*)::varchar || ' ' || coalesce(sum(id), 0)::varchar from (");
	ok(ldp_scan_plan_sql(&p, &q), "scan sql");
	ldp_buf_puts(&q, ")");
	ldp_engine *eng;
	ok(ldp_warehouse_engine(e->wh, &eng), "engine");
	char *text = NULL;
	ok(ldp_engine_query_text(eng, ldp_buf_cstr(&q), &text), ldp_buf_cstr(&q));
	long long c = -1, s = -1;
	assert_int_equal(sscanf(text, "%lld %lld", &c, &s), 2);
	*count = c;
	*sum = s;
	free(text);
	ldp_buf_free(&q);
	ldp_scan_plan_clear(&p);
	ldp_table_free(t);
}

static int nfiles;
static const char *suffix;
static int count_files(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)f;
	size_t n = strlen(path), k = strlen(suffix);
	if (flag == FTW_F && n >= k && strcmp(path + n - k, suffix) == 0)
		nfiles++;
	return 0;
}

static int files_ending(env *e, const char *end)
{
	char d[700];
	snprintf(d, sizeof d, "%s/warehouse/ns/t", e->dir);
	nfiles = 0;
	suffix = end;
	assert_int_equal(nftw(d, count_files, 8, FTW_PHYS), 0);
	return nfiles;
}

static int metadata_files(env *e)
{
	return files_ending(e, ".metadata.json");
}

static int replace(env *e, const char *sql, const char *partition_by, ldp_write_result *r)
{
	ldp_replace_options o = {0};
	o.partition_by = partition_by;
	return ldp_table_replace(e->wh, &e->id, sql, &o, r);
}

/* "name:id:type,..." of the current schema */
static void expect_columns(env *e, const char *want)
{
	ldp_table *t = load(e);
	const ldp_schema *s = ldp_metadata_current_schema(t->meta);
	ldp_buf b = LDP_BUF_INIT;
	for (size_t i = 0; i < s->root.nfields; i++) {
		ldp_buf_printf(&b, "%s%s:%d:", i ? "," : "", s->root.fields[i].name, s->root.fields[i].id);
		ldp_type_append_string(s->root.fields[i].type, &b);
	}
	assert_string_equal(ldp_buf_cstr(&b), want);
	ldp_buf_free(&b);
	ldp_table_free(t);
}

static void test_columns_and_history(void **state)
{
	(void)state;
	env *e = open_env("history", NULL);
	ldp_table *t0 = load(e);
	char uuid[64];
	snprintf(uuid, sizeof uuid, "%s", t0->meta->table_uuid);
	int64_t first = t0->meta->current_snapshot_id;
	ldp_table_free(t0);
	int files0 = metadata_files(e);

	ldp_write_result r;
	ok(replace(e, "select (100 + range)::bigint as id, 'x' || range as k, range::int as n from range(4)", NULL, &r),
	   "replace");
	assert_int_equal(metadata_files(e), files0 + 1);
	assert_int_equal(r.attempts, 1);
	/* id keeps 1; k (int -> string) and n are new: last-column-id was 2 */
	expect_columns(e, "id:1:long,k:3:string,n:4:int");
	ldp_table *t = load(e);
	assert_string_equal(t->meta->table_uuid, uuid);
	assert_int_equal(t->meta->nsnapshots, 2);
	const ldp_snapshot *cur = ldp_metadata_current_snapshot(t->meta);
	assert_int_equal(cur->parent_id, first);
	assert_string_equal(cur->operation, "overwrite");
	assert_int_equal(cur->schema_id, t->meta->current_schema_id);
	assert_string_equal(ldp_snapshot_summary(cur, "deleted-records"), "10");
	ldp_table_free(t);
	int64_t c, s;
	rows(e, 0, &c, &s);
	assert_int_equal(c, 4);
	assert_int_equal(s, 400 + 6);
	rows(e, first, &c, &s); /* the old snapshot, with the old schema */
	assert_int_equal(c, 10);
	assert_int_equal(s, 45);
	close_env(e);
}

static void test_spec_kept_reset_given(void **state)
{
	(void)state;
	env *e = open_env("spec", "k");
	ldp_write_result r;
	/* k survives with its id: still partitioned by it */
	ok(replace(e, "select range::bigint as id, (range % 2)::int as k, 'v' as v from range(6)", NULL, &r), "keep");
	ldp_table *t = load(e);
	assert_int_equal(t->meta->default_spec_id, 0);
	assert_int_equal(ldp_metadata_default_spec(t->meta)->nfields, 1);
	ldp_table_free(t);
	/* k gone: unpartitioned, and no listed manifest keeps spec 0 (its
	 * source column is no longer in the current schema) */
	ok(replace(e, "select range::bigint as id from range(3)", NULL, &r), "reset");
	t = load(e);
	const ldp_partition_spec *sp = ldp_metadata_default_spec(t->meta);
	assert_int_equal(sp->nfields, 0);
	assert_int_not_equal(sp->spec_id, 0);
	int32_t unpart = sp->spec_id;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_manifest_file *mf = NULL;
	size_t n = 0;
	ok(ldp_table_manifests(t, NULL, &a, &mf, &n), "manifests");
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(mf[i].partition_spec_id, sp->spec_id);
	ldp_arena_free(&a);
	ldp_table_free(t);
	int64_t c, s;
	rows(e, 0, &c, &s);
	assert_int_equal(c, 3);
	assert_int_equal(s, 3);
	/* as given: bucket(4, id); then "" is unpartitioned again (that spec reused) */
	ok(replace(e, "select range::bigint as id from range(5)", "bucket(4, id)", &r), "given");
	t = load(e);
	assert_int_equal(ldp_metadata_default_spec(t->meta)->nfields, 1);
	assert_int_equal(ldp_metadata_default_spec(t->meta)->fields[0].transform.kind, LDP_TR_BUCKET);
	ldp_table_free(t);
	ok(replace(e, "select range::bigint as id from range(5)", "", &r), "none");
	t = load(e);
	assert_int_equal(t->meta->default_spec_id, unpart);
	assert_int_equal(t->meta->nspecs, 3); /* k, unpartitioned, bucket: nothing added twice */
	ldp_table_free(t);
	rows(e, 0, &c, &s);
	assert_int_equal(c, 5);
	assert_int_equal(s, 10);
	close_env(e);
}

static void test_no_rows_and_missing_table(void **state)
{
	(void)state;
	env *e = open_env("empty", NULL);
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_schema *s = NULL;
	ok(ldp_warehouse_schema_from_sql(e->wh, "id BIGINT NOT NULL, note VARCHAR", NULL, &a, &s), "schema");
	ldp_replace_options o = {0};
	o.schema = s;
	ldp_write_result r;
	ok(ldp_table_replace(e->wh, &e->id, NULL, &o, &r), "replace without rows");
	expect_columns(e, "id:1:long,note:3:string");
	int64_t c, sum;
	rows(e, 0, &c, &sum);
	assert_int_equal(c, 0);
	ldp_ident other;
	ok(ldp_ident_parse("ns.nope", &other), "ident");
	assert_int_equal(ldp_table_replace(e->wh, &other, NULL, &o, &r), LDP_ENOTFOUND);
	ldp_error_clear();
	ldp_arena_free(&a);
	close_env(e);
}

/* ---- races, through the before-swap hook ---- */

typedef struct race {
	env *e;
	ldp_warehouse *other;
	int kind; /* 0: append, 1: add a column */
	int fired;
	int64_t snapshot_id;
} race;

static int sneak(void *ctx)
{
	race *x = ctx;
	if (x->fired++)
		return 0;
	if (x->kind == 0) {
		ldp_write_options o = {0};
		o.mode = LDP_WRITE_APPEND;
		ldp_write_result r;
		int rc = ldp_table_write(x->other, &x->e->id, "select (500 + range)::bigint as id, 1 as k from range(4)", &o, &r);
		x->snapshot_id = r.snapshot_id;
		return rc;
	}
	ldp_alter ch = {0};
	ch.op = LDP_ALTER_ADD_COLUMN;
	ch.column = "z";
	ch.type = "string";
	return ldp_table_alter(x->other, &x->e->id, &ch, 1, NULL, NULL);
}

/* Replace with `sql` while another writer (x->kind) commits just before our first swap. */
static int replace_racing(race *x, const char *sql, ldp_write_result *r)
{
	ok(ldp_warehouse_open(x->e->project, &x->other), "second writer");
	ldp_replace_options o = {0};
	o.before_swap = sneak;
	o.before_swap_ctx = x;
	return ldp_table_replace(x->e->wh, &x->e->id, sql, &o, r);
}

static void test_race_append_is_replaced_too(void **state)
{
	(void)state;
	env *e = open_env("race_append", NULL);
	race x = {e, NULL, 0, 0, 0};
	ldp_write_result r;
	ok(replace_racing(&x, "select (1000 + range)::bigint as id, 'a' as tag from range(7)", &r),
	   "replace racing an append");
	assert_int_equal(r.attempts, 2);
	ldp_table *t = load(e);
	assert_int_equal(ldp_metadata_current_snapshot(t->meta)->parent_id, x.snapshot_id);
	ldp_table_free(t);
	int64_t c, s;
	rows(e, 0, &c, &s);
	assert_int_equal(c, 7);
	assert_int_equal(s, 7000 + 21);
	ldp_warehouse_free(x.other);
	close_env(e);
}

static void test_race_schema_change_conflicts(void **state)
{
	(void)state;
	env *e = open_env("race_schema", NULL);
	race x = {e, NULL, 1, 0, 0};
	ldp_write_result r;
	/* "note" was given id 3; after their add-column it would be 4 */
	int rc = replace_racing(&x, "select range::bigint as id, 'n' as note from range(3)", &r);
	assert_int_equal(rc, LDP_ECONFLICT);
	assert_non_null(strstr(ldp_error_last()->message, "ns.t"));
	ldp_error_clear();
	/* their column is there, our replacement is not */
	expect_columns(e, "id:1:long,k:2:int,z:3:string");
	int64_t c, s;
	rows(e, 0, &c, &s);
	assert_int_equal(c, 10);
	assert_int_equal(s, 45);
	/* create, append, their alter; no file of ours: not the data, manifests or metadata */
	assert_int_equal(metadata_files(e), 3);
	assert_int_equal(files_ending(e, ".parquet"), 1);
	assert_int_equal(files_ending(e, ".avro"), 2); /* the append's manifest and list */
	ldp_warehouse_free(x.other);
	close_env(e);
}

static int fail_swap(void *ctx)
{
	(void)ctx;
	return ldp_error_set(LDP_EIO, "injected failure before the swap");
}

static void test_failure_changes_nothing(void **state)
{
	(void)state;
	env *e = open_env("failure", "k");
	char *before = NULL;
	ok(ldp_catalog_load_table(e->wh->catalog, "ns", "t", &before, NULL), "pointer");
	int files = metadata_files(e), data = files_ending(e, ".parquet"), avro = files_ending(e, ".avro");
	ldp_replace_options o = {0};
	o.before_swap = fail_swap;
	ldp_write_result r;
	assert_int_equal(ldp_table_replace(e->wh, &e->id, "select 'q' as other from range(3)", &o, &r), LDP_EIO);
	ldp_error_clear();
	/* a query that fails while it runs */
	o.before_swap = NULL;
	assert_int_not_equal(ldp_table_replace(e->wh, &e->id, "select error('boom') as x from range(3)", &o, &r), 0);
	ldp_error_clear();
	char *after = NULL;
	ok(ldp_catalog_load_table(e->wh->catalog, "ns", "t", &after, NULL), "pointer");
	assert_string_equal(after, before);
	assert_int_equal(metadata_files(e), files);
	assert_int_equal(files_ending(e, ".parquet"), data);
	assert_int_equal(files_ending(e, ".avro"), avro);
	expect_columns(e, "id:1:long,k:2:int");
	int64_t c, s;
	rows(e, 0, &c, &s);
	assert_int_equal(c, 10);
	free(before);
	free(after);
	close_env(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns_and_history),
		cmocka_unit_test(test_spec_kept_reset_given),
		cmocka_unit_test(test_no_rows_and_missing_table),
		cmocka_unit_test(test_race_append_is_replaced_too),
		cmocka_unit_test(test_race_schema_change_conflicts),
		cmocka_unit_test(test_failure_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
