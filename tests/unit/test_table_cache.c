/*
 * The warehouse's metadata cache (table/warehouse.h): a load served from it
 * must be exactly what reading the current metadata file gives, and a commit
 * by another writer (another warehouse handle, as another process would be)
 * must never be hidden by it.
 *
 * The reference is independent of the cache: a fresh warehouse (empty cache)
 * loading the same table reads and parses the metadata file from disk.
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
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "table/table.h"

#define DIR LDP_TEST_TMP "/table-cache"

static ldp_project *project;

static void check(int rc)
{
	if (rc)
		fail_msg("%s", ldp_error_last()->message);
}

static ldp_warehouse *open_wh(void)
{
	ldp_warehouse *wh = NULL;
	check(ldp_warehouse_open(project, &wh));
	return wh;
}

static int64_t append(ldp_warehouse *wh, const ldp_ident *id, int v)
{
	char sql[64];
	snprintf(sql, sizeof sql, "SELECT %d::BIGINT AS id", v);
	ldp_write_options o;
	memset(&o, 0, sizeof o);
	ldp_write_result res;
	check(ldp_table_write(wh, id, sql, &o, &res));
	assert_int_equal(res.added_records, 1);
	return res.snapshot_id;
}

/* t's metadata serialises to the same JSON as the file a fresh warehouse reads. */
static void assert_matches_disk(const ldp_table *t, const ldp_ident *id)
{
	ldp_warehouse *fresh = open_wh();
	ldp_table *d = NULL;
	check(ldp_table_load(fresh, id, &d));
	assert_string_equal(t->metadata_location, d->metadata_location);
	json_t *a = ldp_metadata_to_json(t->meta), *b = ldp_metadata_to_json(d->meta);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	ldp_table_free(d);
	ldp_warehouse_free(fresh);
}

static void test_cache_follows_the_catalog(void **state)
{
	(void)state;
	ldp_io_remove_tree(DIR);
	check(ldp_project_init(DIR, "cache", &project));
	ldp_warehouse *w1 = open_wh(), *w2 = open_wh();
	check(ldp_catalog_create_namespace(w1->catalog, "ns", NULL, 0));

	ldp_engine *e;
	ldp_result *r = NULL;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_schema *s = NULL;
	check(ldp_warehouse_engine(w1, &e));
	check(ldp_engine_query(e, "SELECT 1::BIGINT AS id LIMIT 0", &r));
	check(ldp_schema_from_duckdb_result(&a, r, &s));
	ldp_result_free(r);
	ldp_ident id;
	check(ldp_ident_parse("ns.t", &id));
	ldp_create_options co;
	memset(&co, 0, sizeof co);
	co.schema = s;
	ldp_table *t = NULL;
	check(ldp_table_create(w1, &id, &co, &t));
	ldp_table_free(t);

	/* w1 twice in a row: the second write starts from w1's cached commit */
	int64_t s1 = append(w1, &id, 1);
	int64_t s2 = append(w1, &id, 2);
	/* w2 commits behind w1's back; w1's next write must build on it */
	int64_t s3 = append(w2, &id, 3);
	int64_t s4 = append(w1, &id, 4);

	check(ldp_table_load(w1, &id, &t));
	assert_int_equal(t->meta->nsnapshots, 4);
	const int64_t chain[4] = {s1, s2, s3, s4};
	const ldp_snapshot *cur = ldp_metadata_current_snapshot(t->meta);
	for (int i = 3; i >= 0; i--) {
		assert_non_null(cur);
		assert_int_equal(cur->snapshot_id, chain[i]);
		assert_int_equal(cur->sequence_number, i + 1);
		cur = cur->parent_id > 0 ? ldp_metadata_snapshot(t->meta, cur->parent_id) : NULL;
	}
	assert_null(cur);
	assert_int_equal(t->meta->nmetadata_log, 4); /* versions 0..3 precede the current one */
	assert_matches_disk(t, &id);
	ldp_table_free(t);

	/* and w2, whose cache holds version 3, sees w1's version 4 */
	check(ldp_table_load(w2, &id, &t));
	assert_int_equal(ldp_metadata_current_snapshot(t->meta)->snapshot_id, s4);
	assert_matches_disk(t, &id);
	ldp_table_free(t);

	ldp_arena_free(&a);
	ldp_warehouse_free(w1);
	ldp_warehouse_free(w2);
	ldp_project_free(project);
	ldp_io_remove_tree(DIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_follows_the_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
