/*
 * Tests for Iceberg views (table/view.h, catalog/catalog_views.h) and their
 * binding in SQL: the metadata file follows the view spec (format-version 1,
 * versions with a duckdb SQL representation, schemas, version-log), a
 * replace adds a version and keeps the history, names are shared with tables,
 * and ldp_warehouse_bind_sql makes a view (and a view over a view over a
 * table) queryable, with results checked against the same SQL over the
 * source rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_views.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "table/table.h"
#include "table/view.h"

#define OK(call)                                                                          \
	do {                                                                              \
		int rc_ = (call);                                                         \
		if (rc_)                                                                  \
			fail_msg("%s: %d %s", #call, rc_, ldp_error_last()->message); \
	} while (0)

static ldp_project *P;
static ldp_warehouse *WH;

static void open_wh(const char *name)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/view_%s", LDP_TEST_TMP, name);
	ldp_io_remove_tree(dir);
	OK(ldp_project_init(dir, name, &P));
	OK(ldp_warehouse_open(P, &WH));
	OK(ldp_catalog_create_namespace(WH->catalog, "db", NULL, 0));
}

static void close_wh(void)
{
	ldp_warehouse_free(WH);
	ldp_project_free(P);
}

static ldp_schema *schema_of(ldp_arena *a, const char *sql)
{
	ldp_engine *e;
	OK(ldp_warehouse_engine(WH, &e));
	ldp_result *r;
	char q[1024];
	snprintf(q, sizeof q, "SELECT * FROM (%s) LIMIT 0", sql);
	OK(ldp_engine_query(e, q, &r));
	ldp_schema *s;
	OK(ldp_schema_from_duckdb_result(a, r, &s));
	ldp_result_free(r);
	return s;
}

static char *text(const char *sql)
{
	ldp_engine *e;
	OK(ldp_warehouse_bind_sql(WH, sql));
	OK(ldp_warehouse_engine(WH, &e));
	char *s = NULL;
	OK(ldp_engine_query_text(e, sql, &s));
	return s;
}

static void test_view_metadata_and_replace(void **state)
{
	(void)state;
	open_wh("meta");
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_ident id = {"db", "v"};
	OK(ldp_view_replace(WH, &id, "SELECT 1 AS x", schema_of(&a, "SELECT 1 AS x")));
	OK(ldp_view_replace(WH, &id, "SELECT 2 AS x, 'b' AS y", schema_of(&a, "SELECT 2 AS x, 'b' AS y")));
	char *sql;
	OK(ldp_view_load_sql(WH, &id, &sql));
	assert_string_equal(sql, "SELECT 2 AS x, 'b' AS y");
	free(sql);

	char *loc;
	OK(ldp_catalog_load_view(WH->catalog, "db", "v", &loc));
	assert_non_null(strstr(loc, "/db/v/metadata/00001-"));
	json_error_t je;
	json_t *m = json_load_file(loc, 0, &je);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "format-version")), 1);
	assert_int_equal(json_integer_value(json_object_get(m, "current-version-id")), 2);
	assert_int_equal(json_array_size(json_object_get(m, "versions")), 2);
	assert_int_equal(json_array_size(json_object_get(m, "version-log")), 2);
	assert_int_equal(json_array_size(json_object_get(m, "schemas")), 2);
	json_t *v2 = json_array_get(json_object_get(m, "versions"), 1);
	json_t *rep = json_array_get(json_object_get(v2, "representations"), 0);
	assert_string_equal(json_string_value(json_object_get(rep, "type")), "sql");
	assert_string_equal(json_string_value(json_object_get(rep, "dialect")), "duckdb");
	assert_string_equal(json_string_value(json_array_get(json_object_get(v2, "default-namespace"), 0)), "db");
	/* the version's schema is the second one, with both columns */
	json_int_t sid = json_integer_value(json_object_get(v2, "schema-id"));
	json_t *s2 = json_array_get(json_object_get(m, "schemas"), 1);
	assert_int_equal(json_integer_value(json_object_get(s2, "schema-id")), sid);
	assert_int_equal(json_array_size(json_object_get(s2, "fields")), 2);
	assert_int_equal(strlen(json_string_value(json_object_get(m, "view-uuid"))), 36);
	json_decref(m);
	free(loc);

	/* a view is not a table, and its name is taken */
	int exists = 1;
	OK(ldp_catalog_table_exists(WH->catalog, "db", "v", &exists));
	assert_int_equal(exists, 0);
	ldp_create_options co;
	memset(&co, 0, sizeof co);
	co.schema = schema_of(&a, "SELECT 1 AS x");
	ldp_table *t = NULL;
	assert_int_equal(ldp_table_create(WH, &id, &co, &t), LDP_EEXISTS);
	ldp_catalog_names names;
	OK(ldp_catalog_list_views(WH->catalog, "db", &names));
	assert_int_equal(names.len, 1);
	assert_string_equal(names.items[0], "v");
	ldp_catalog_names_free(&names);

	OK(ldp_view_drop(WH, &id));
	assert_int_equal(ldp_view_load_sql(WH, &id, &sql), LDP_ENOTFOUND);
	assert_int_equal(ldp_view_drop(WH, &id), LDP_ENOTFOUND);
	ldp_arena_free(&a);
	close_wh();
}

static void test_views_bind_in_sql(void **state)
{
	(void)state;
	open_wh("bind");
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const char *src = "SELECT range AS id, range % 3 AS k FROM range(10)";
	ldp_ident t = {"db", "t"}, v1 = {"db", "odd"}, v2 = {"db", "odd_k"};
	ldp_create_options co;
	memset(&co, 0, sizeof co);
	co.schema = schema_of(&a, src);
	ldp_table *tt = NULL;
	OK(ldp_table_create(WH, &t, &co, &tt));
	ldp_table_free(tt);
	ldp_write_options wo = {.mode = LDP_WRITE_APPEND};
	ldp_write_result res;
	OK(ldp_table_write(WH, &t, src, &wo, &res));
	/* a view over the table, and a view over that view */
	OK(ldp_warehouse_bind_sql(WH, "SELECT * FROM db.t"));
	const char *s1 = "SELECT * FROM db.t WHERE id % 2 = 1";
	OK(ldp_view_replace(WH, &v1, s1, schema_of(&a, s1)));
	OK(ldp_warehouse_bind_sql(WH, "SELECT * FROM db.odd"));
	const char *s2 = "SELECT k, count(*) AS n FROM db.odd GROUP BY k";
	OK(ldp_view_replace(WH, &v2, s2, schema_of(&a, s2)));

	/* a fresh warehouse handle (as another command would have) resolves the chain */
	ldp_warehouse_free(WH);
	OK(ldp_warehouse_open(P, &WH));
	char *got = text("SELECT string_agg(k || ':' || n, ',' ORDER BY k) FROM db.odd_k");
	/* odd ids 1 3 5 7 9 have k = 1 0 2 1 0 */
	assert_string_equal(got, "0:2,1:2,2:1");
	free(got);
	/* the table changes; the view shows the new rows */
	OK(ldp_table_write(WH, &t, "SELECT 11 AS id, 2 AS k", &wo, &res));
	ldp_warehouse_free(WH);
	OK(ldp_warehouse_open(P, &WH));
	got = text("SELECT count(*) FROM db.odd");
	assert_string_equal(got, "6");
	free(got);
	ldp_arena_free(&a);
	close_wh();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_metadata_and_replace),
		cmocka_unit_test(test_views_bind_in_sql),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
