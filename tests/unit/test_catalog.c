/*
 * Tests for the SQLite catalog (catalog/catalog.h) and core/backoff.h.
 *
 * The expected DDL and row shapes come from outside ldp: the DDL text is what
 * pyiceberg 0.12.0 (SQLAlchemy 2.1.9) wrote to sqlite_master for a new
 * SqlCatalog (observed, see tests/interop/pyiceberg_catalog.py), the V0 DDL is
 * the CREATE TABLE text of Java's JdbcUtil (V0_CREATE_CATALOG_SQL), and rows
 * inserted "by hand" here mimic what those programs write.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "catalog/catalog.h"
#include "core/backoff.h"
#include "ldp/error.h"

/* ---- helpers ---- */

static char *db_path(const char *name)
{
	static char buf[4][512];
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, 512, "%s/catalog_%s.db", LDP_TEST_TMP, name);
	char side[600];
	unlink(p);
	snprintf(side, sizeof(side), "%s-wal", p);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", p);
	unlink(side);
	return p;
}

static ldp_catalog *open_cat(const char *path, const char *name)
{
	ldp_catalog *cat = NULL;
	int rc = ldp_catalog_open(path, name, NULL, &cat);
	if (rc)
		fail_msg("open %s: %s", path, ldp_error_last()->message);
	return cat;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("raw sql %s: %s", sql, msg);
	sqlite3_close(db);
}

/* First column of the first row as a heap string ("<null>" for NULL, NULL
 * for no row). */
static char *raw_text(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	char *out = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		out = strdup(v ? v : "<null>");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void assert_raw(const char *path, const char *sql, const char *expected)
{
	char *got = raw_text(path, sql);
	if (!expected) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, expected);
	free(got);
}

static void assert_err(int rc, int code, const char *fragment)
{
	if (rc != code)
		fail_msg("expected %s, got %d (%s)", ldp_status_name(code), rc, ldp_error_last()->message);
	if (fragment && !strstr(ldp_error_last()->message, fragment))
		fail_msg("message '%s' lacks '%s'", ldp_error_last()->message, fragment);
}

static void assert_ok(int rc)
{
	if (rc)
		fail_msg("unexpected failure %d: %s", rc, ldp_error_last()->message);
}

static void assert_names(const ldp_catalog_names *n, size_t count, ...)
{
	if (n->len != count) {
		for (size_t i = 0; i < n->len; i++)
			print_message("  got %s\n", n->items[i]);
		fail_msg("expected %zu names, got %zu", count, n->len);
	}
	va_list ap;
	va_start(ap, count);
	for (size_t i = 0; i < count; i++)
		assert_string_equal(n->items[i], va_arg(ap, const char *));
	va_end(ap);
}

/* ---- layout ---- */

static void test_ddl_matches_pyiceberg(void **state)
{
	const char *path = db_path("ddl");
	ldp_catalog *cat = open_cat(path, "default");
	/* Copied from sqlite_master of a database pyiceberg 0.12.0 created. */
	assert_raw(path, "SELECT sql FROM sqlite_master WHERE name = 'iceberg_tables'",
		   "CREATE TABLE iceberg_tables (\n"
		   "\tcatalog_name VARCHAR(255) NOT NULL, \n"
		   "\ttable_namespace VARCHAR(255) NOT NULL, \n"
		   "\ttable_name VARCHAR(255) NOT NULL, \n"
		   "\tmetadata_location VARCHAR(1000), \n"
		   "\tprevious_metadata_location VARCHAR(1000), \n"
		   "\ticeberg_type VARCHAR(5), \n"
		   "\tPRIMARY KEY (catalog_name, table_namespace, table_name)\n"
		   ")");
	assert_raw(path, "SELECT sql FROM sqlite_master WHERE name = 'iceberg_namespace_properties'",
		   "CREATE TABLE iceberg_namespace_properties (\n"
		   "\tcatalog_name VARCHAR(255) NOT NULL, \n"
		   "\tnamespace VARCHAR(255) NOT NULL, \n"
		   "\tproperty_key VARCHAR(255) NOT NULL, \n"
		   "\tproperty_value VARCHAR(1000) NOT NULL, \n"
		   "\tPRIMARY KEY (catalog_name, namespace, property_key)\n"
		   ")");
	/* The same facts independently of the text: primary key order and
	 * nullability as in pyiceberg's IcebergTables/IcebergNamespaceProperties. */
	assert_raw(path,
		   "SELECT group_concat(name || ':' || \"notnull\" || ':' || pk, ',') FROM "
		   "(SELECT * FROM pragma_table_info('iceberg_tables') ORDER BY cid)",
		   "catalog_name:1:1,table_namespace:1:2,table_name:1:3,metadata_location:0:0,"
		   "previous_metadata_location:0:0,iceberg_type:0:0");
	assert_raw(path,
		   "SELECT group_concat(name || ':' || \"notnull\" || ':' || pk, ',') FROM "
		   "(SELECT * FROM pragma_table_info('iceberg_namespace_properties') ORDER BY cid)",
		   "catalog_name:1:1,namespace:1:2,property_key:1:3,property_value:1:0");
	assert_raw(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", "2");
	assert_raw(path, "PRAGMA journal_mode", "wal");
	ldp_catalog_free(cat);
	/* Reopening keeps the file as it is. */
	cat = open_cat(path, "default");
	assert_raw(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", "2");
	ldp_catalog_free(cat);
}

static void test_open_errors(void **state)
{
	ldp_catalog *cat = NULL;
	assert_err(ldp_catalog_open("", "c", NULL, &cat), LDP_EINVALID, "path");
	assert_err(ldp_catalog_open(db_path("errs"), "", NULL, &cat), LDP_EINVALID, "catalog name");
	assert_err(ldp_catalog_open(LDP_TEST_TMP "/no/such/dir/catalog.db", "c", NULL, &cat), LDP_EIO,
		   "no/such/dir/catalog.db");
	assert_null(cat);
	/* A file with a table of our name but another layout. */
	const char *path = db_path("foreign");
	raw_exec(path, "CREATE TABLE iceberg_tables (id INTEGER PRIMARY KEY, name TEXT)");
	assert_err(ldp_catalog_open(path, "c", NULL, &cat), LDP_ECORRUPT, "has no column catalog_name");
	/* Not a database at all. */
	path = db_path("garbage");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not sqlite ", f);
	fclose(f);
	assert_err(ldp_catalog_open(path, "c", NULL, &cat), LDP_ECORRUPT, path);
}

/* A catalog made by Java's JdbcCatalog with its default V0 schema. */
static void test_v0_layout_kept(void **state)
{
	const char *path = db_path("v0");
	raw_exec(path, "CREATE TABLE iceberg_tables(catalog_name VARCHAR(255) NOT NULL,table_namespace VARCHAR(255) "
		       "NOT NULL,table_name VARCHAR(255) NOT NULL,metadata_location VARCHAR(1000),"
		       "previous_metadata_location VARCHAR(1000),PRIMARY KEY (catalog_name, table_namespace, "
		       "table_name));"
		       "CREATE TABLE iceberg_namespace_properties(catalog_name VARCHAR(255) NOT NULL,namespace "
		       "VARCHAR(255) NOT NULL,property_key VARCHAR(255),property_value VARCHAR(1000),PRIMARY KEY "
		       "(catalog_name, namespace, property_key));"
		       "INSERT INTO iceberg_namespace_properties VALUES ('java', 'db', 'exists', 'true');"
		       "INSERT INTO iceberg_namespace_properties VALUES ('java', 'db', 'comment', NULL);"
		       "INSERT INTO iceberg_tables VALUES ('java', 'db', 't', 'file:///w/db/t/m1.json', NULL);");
	ldp_catalog *cat = open_cat(path, "java");
	char *loc, *prev;
	assert_ok(ldp_catalog_load_table(cat, "db", "t", &loc, &prev));
	assert_string_equal(loc, "file:///w/db/t/m1.json");
	assert_null(prev);
	free(loc);
	ldp_catalog_props props;
	assert_ok(ldp_catalog_load_namespace(cat, "db", &props));
	assert_int_equal(props.len, 1);
	assert_string_equal(props.keys[0], "comment");
	assert_string_equal(props.values[0], ""); /* NULL in the file */
	ldp_catalog_props_free(&props);
	assert_ok(ldp_catalog_create_table(cat, "db", "u", "file:///w/db/u/m1.json"));
	assert_ok(ldp_catalog_swap(cat, "db", "t", "file:///w/db/t/m1.json", "file:///w/db/t/m2.json"));
	ldp_catalog_free(cat);
	/* Never migrated: no iceberg_type column appears. */
	assert_raw(path, "SELECT count(*) FROM pragma_table_info('iceberg_tables') WHERE name = 'iceberg_type'",
		   "0");
	assert_raw(path, "SELECT previous_metadata_location FROM iceberg_tables WHERE table_name = 't'",
		   "file:///w/db/t/m1.json");
}

/* V1 rows: 'TABLE' for new tables; 'VIEW' rows (Java views) are not tables
 * but hold their name and their namespace. */
static void test_v1_rows_and_views(void **state)
{
	const char *path = db_path("v1");
	ldp_catalog *cat = open_cat(path, "c");
	assert_ok(ldp_catalog_create_namespace(cat, "ns", NULL, 0));
	assert_ok(ldp_catalog_create_table(cat, "ns", "t", "m1.json"));
	assert_raw(path, "SELECT iceberg_type FROM iceberg_tables WHERE table_name = 't'", "TABLE");
	raw_exec(path, "INSERT INTO iceberg_tables VALUES ('c', 'ns', 'v', 'view1.json', NULL, 'VIEW');"
		       "INSERT INTO iceberg_tables VALUES ('c', 'ns', 'old', 'old1.json', NULL, NULL);");
	ldp_catalog_names names;
	assert_ok(ldp_catalog_list_tables(cat, "ns", &names));
	assert_names(&names, 2, "old", "t");
	ldp_catalog_names_free(&names);
	int exists;
	assert_ok(ldp_catalog_table_exists(cat, "ns", "v", &exists));
	assert_false(exists);
	char *loc;
	assert_err(ldp_catalog_load_table(cat, "ns", "v", &loc, NULL), LDP_ENOTFOUND, "ns.v");
	assert_err(ldp_catalog_create_table(cat, "ns", "v", "x.json"), LDP_EEXISTS, "view named ns.v");
	assert_err(ldp_catalog_swap(cat, "ns", "v", "view1.json", "x.json"), LDP_ENOTFOUND, "ns.v");
	assert_err(ldp_catalog_drop_table(cat, "ns", "v", NULL), LDP_ENOTFOUND, "ns.v");
	assert_ok(ldp_catalog_drop_table(cat, "ns", "t", NULL));
	assert_ok(ldp_catalog_drop_table(cat, "ns", "old", NULL));
	assert_err(ldp_catalog_drop_namespace(cat, "ns"), LDP_EINVALID, "namespace ns is not empty");
	assert_raw(path, "SELECT metadata_location FROM iceberg_tables WHERE table_name = 'v'", "view1.json");
	ldp_catalog_free(cat);
}

/* ---- namespaces ---- */

static void test_namespace_lifecycle(void **state)
{
	const char *path = db_path("ns");
	ldp_catalog *cat = open_cat(path, "c");
	int exists;
	assert_ok(ldp_catalog_namespace_exists(cat, "sales", &exists));
	assert_false(exists);
	ldp_catalog_kv props[] = {{"owner", "ana"}, {"comment", "it's sales"}};
	assert_ok(ldp_catalog_create_namespace(cat, "sales", props, 2));
	assert_ok(ldp_catalog_namespace_exists(cat, "sales", &exists));
	assert_true(exists);
	assert_err(ldp_catalog_create_namespace(cat, "sales", NULL, 0), LDP_EEXISTS, "namespace sales already exists");
	/* The marker row pyiceberg and Java rely on, plus one row per property. */
	assert_raw(path,
		   "SELECT group_concat(property_key || '=' || property_value, ';') FROM (SELECT * FROM "
		   "iceberg_namespace_properties WHERE catalog_name = 'c' AND namespace = 'sales' ORDER BY "
		   "property_key)",
		   "comment=it's sales;exists=true;owner=ana");

	ldp_catalog_props p;
	assert_ok(ldp_catalog_load_namespace(cat, "sales", &p));
	assert_int_equal(p.len, 2);
	assert_string_equal(p.keys[0], "comment");
	assert_string_equal(p.values[0], "it's sales");
	assert_string_equal(p.keys[1], "owner");
	assert_string_equal(p.values[1], "ana");
	ldp_catalog_props_free(&p);

	ldp_catalog_kv set[] = {{"owner", "bo"}, {"location", "file:///w/sales"}};
	const char *rm[] = {"comment", "not-there"};
	assert_ok(ldp_catalog_update_namespace(cat, "sales", set, 2, rm, 2));
	assert_ok(ldp_catalog_load_namespace(cat, "sales", &p));
	assert_int_equal(p.len, 2);
	assert_string_equal(p.keys[0], "location");
	assert_string_equal(p.values[0], "file:///w/sales");
	assert_string_equal(p.keys[1], "owner");
	assert_string_equal(p.values[1], "bo");
	ldp_catalog_props_free(&p);

	/* Invalid updates change nothing. */
	const char *rm_owner[] = {"owner"};
	assert_err(ldp_catalog_update_namespace(cat, "sales", set, 1, rm_owner, 1), LDP_EINVALID,
		   "both set and removed");
	const char *rm_exists[] = {"exists"};
	assert_err(ldp_catalog_update_namespace(cat, "sales", NULL, 0, rm_exists, 1), LDP_EINVALID, "reserved");
	ldp_catalog_kv set_exists[] = {{"exists", "false"}};
	assert_err(ldp_catalog_update_namespace(cat, "sales", set_exists, 1, NULL, 0), LDP_EINVALID, "reserved");
	assert_err(ldp_catalog_create_namespace(cat, "other", set_exists, 1), LDP_EINVALID, "reserved");
	ldp_catalog_kv twice[] = {{"a", "1"}, {"a", "2"}};
	assert_err(ldp_catalog_create_namespace(cat, "other", twice, 2), LDP_EINVALID, "given twice");
	assert_ok(ldp_catalog_namespace_exists(cat, "other", &exists));
	assert_false(exists);
	assert_err(ldp_catalog_update_namespace(cat, "nope", set, 1, NULL, 0), LDP_ENOTFOUND, "namespace nope");
	assert_err(ldp_catalog_load_namespace(cat, "nope", &p), LDP_ENOTFOUND, "namespace nope does not exist");

	/* Removing every user property keeps the namespace. */
	const char *rm_all[] = {"owner", "location"};
	assert_ok(ldp_catalog_update_namespace(cat, "sales", NULL, 0, rm_all, 2));
	assert_ok(ldp_catalog_load_namespace(cat, "sales", &p));
	assert_int_equal(p.len, 0);
	ldp_catalog_props_free(&p);
	assert_ok(ldp_catalog_namespace_exists(cat, "sales", &exists));
	assert_true(exists);

	assert_ok(ldp_catalog_drop_namespace(cat, "sales"));
	assert_ok(ldp_catalog_namespace_exists(cat, "sales", &exists));
	assert_false(exists);
	assert_raw(path, "SELECT count(*) FROM iceberg_namespace_properties", "0");
	assert_err(ldp_catalog_drop_namespace(cat, "sales"), LDP_ENOTFOUND, "namespace sales does not exist");
	ldp_catalog_free(cat);
}

/* pyiceberg writes only the given properties (no "exists" row) when there
 * are any; such a namespace must exist for ldp and survive losing them. */
static void test_namespace_made_by_pyiceberg(void **state)
{
	const char *path = db_path("pyns");
	ldp_catalog *cat = open_cat(path, "default");
	raw_exec(path, "INSERT INTO iceberg_namespace_properties VALUES ('default', 'b', 'owner', 'me');"
		       "INSERT INTO iceberg_namespace_properties VALUES ('default', 'a.b.c', 'exists', 'true');");
	int exists;
	assert_ok(ldp_catalog_namespace_exists(cat, "b", &exists));
	assert_true(exists);
	/* "a" and "a.b" exist implicitly, through "a.b.c" (the JDBC rule). */
	assert_ok(ldp_catalog_namespace_exists(cat, "a", &exists));
	assert_true(exists);
	assert_ok(ldp_catalog_namespace_exists(cat, "a.b", &exists));
	assert_true(exists);
	ldp_catalog_names n;
	assert_ok(ldp_catalog_list_namespaces(cat, NULL, &n));
	assert_names(&n, 2, "a", "b");
	ldp_catalog_names_free(&n);
	const char *rm[] = {"owner"};
	assert_ok(ldp_catalog_update_namespace(cat, "b", NULL, 0, rm, 1));
	assert_ok(ldp_catalog_namespace_exists(cat, "b", &exists));
	assert_true(exists);
	assert_raw(path, "SELECT property_key || '=' || property_value FROM iceberg_namespace_properties WHERE "
			 "namespace = 'b'",
		   "exists=true");
	ldp_catalog_free(cat);
}

static void test_nested_namespaces(void **state)
{
	const char *path = db_path("nested");
	ldp_catalog *cat = open_cat(path, "c");
	assert_err(ldp_catalog_create_namespace(cat, "a.b", NULL, 0), LDP_ENOTFOUND, "parent namespace a");
	assert_ok(ldp_catalog_create_namespace(cat, "a", NULL, 0));
	assert_ok(ldp_catalog_create_namespace(cat, "a.b", NULL, 0));
	assert_ok(ldp_catalog_create_namespace(cat, "a.b.c", NULL, 0));
	assert_ok(ldp_catalog_create_namespace(cat, "ab", NULL, 0));
	assert_ok(ldp_catalog_create_namespace(cat, "a_", NULL, 0));
	assert_ok(ldp_catalog_create_namespace(cat, "a.x", NULL, 0));
	/* Stored dot-joined, as JDBC and pyiceberg store them. */
	assert_raw(path, "SELECT count(*) FROM iceberg_namespace_properties WHERE namespace = 'a.b.c'", "1");

	ldp_catalog_names n;
	assert_ok(ldp_catalog_list_namespaces(cat, NULL, &n));
	assert_names(&n, 3, "a", "a_", "ab");
	ldp_catalog_names_free(&n);
	assert_ok(ldp_catalog_list_namespaces(cat, "", &n));
	assert_int_equal(n.len, 3);
	ldp_catalog_names_free(&n);
	assert_ok(ldp_catalog_list_namespaces(cat, "a", &n));
	assert_names(&n, 2, "a.b", "a.x");
	ldp_catalog_names_free(&n);
	assert_ok(ldp_catalog_list_namespaces(cat, "a.b", &n));
	assert_names(&n, 1, "a.b.c");
	ldp_catalog_names_free(&n);
	assert_ok(ldp_catalog_list_namespaces(cat, "a.b.c", &n));
	assert_names(&n, 0);
	ldp_catalog_names_free(&n);
	assert_err(ldp_catalog_list_namespaces(cat, "zz", &n), LDP_ENOTFOUND, "namespace zz");

	/* A namespace known only through a table (as JdbcCatalog without strict
	 * mode can leave) is listed too. */
	raw_exec(path, "INSERT INTO iceberg_tables VALUES ('c', 'a.t.u', 'x', 'm.json', NULL, 'TABLE')");
	assert_ok(ldp_catalog_list_namespaces(cat, "a", &n));
	assert_names(&n, 3, "a.b", "a.t", "a.x");
	ldp_catalog_names_free(&n);

	/* Prefix tests are exact and case-sensitive, unlike LIKE. */
	int exists;
	assert_ok(ldp_catalog_namespace_exists(cat, "A", &exists));
	assert_false(exists);
	assert_ok(ldp_catalog_namespace_exists(cat, "a.B", &exists));
	assert_false(exists);
	assert_ok(ldp_catalog_create_namespace(cat, "A", NULL, 0));
	ldp_catalog_free(cat);
}

static void test_namespace_drop_refusal(void **state)
{
	const char *path = db_path("dropns");
	ldp_catalog *cat = open_cat(path, "c");
	assert_ok(ldp_catalog_create_namespace(cat, "a", NULL, 0));
	assert_ok(ldp_catalog_create_namespace(cat, "a.b", NULL, 0));
	assert_ok(ldp_catalog_create_table(cat, "a.b", "t", "m1.json"));
	assert_err(ldp_catalog_drop_namespace(cat, "a"), LDP_EINVALID, "namespace a is not empty");
	assert_true(strstr(ldp_error_last()->message, "a.b") != NULL);
	assert_err(ldp_catalog_drop_namespace(cat, "a.b"), LDP_EINVALID, "namespace a.b is not empty");
	assert_true(strstr(ldp_error_last()->message, "1 table") != NULL);
	char *loc = NULL;
	assert_ok(ldp_catalog_drop_table(cat, "a.b", "t", &loc));
	assert_string_equal(loc, "m1.json");
	free(loc);
	assert_err(ldp_catalog_drop_namespace(cat, "a"), LDP_EINVALID, "not empty");
	assert_ok(ldp_catalog_drop_namespace(cat, "a.b"));
	assert_ok(ldp_catalog_drop_namespace(cat, "a"));
	assert_raw(path, "SELECT count(*) FROM iceberg_namespace_properties", "0");
	ldp_catalog_free(cat);
}

static void test_name_validation(void **state)
{
	ldp_catalog *cat = open_cat(db_path("names"), "c");
	int exists;
	const char *bad_ns[] = {"", ".a", "a.", "a..b", " a", "a. b", "a/b"};
	for (size_t i = 0; i < sizeof(bad_ns) / sizeof(*bad_ns); i++) {
		assert_err(ldp_catalog_create_namespace(cat, bad_ns[i], NULL, 0), LDP_EINVALID, NULL);
		assert_err(ldp_catalog_namespace_exists(cat, bad_ns[i], &exists), LDP_EINVALID, NULL);
	}
	assert_err(ldp_catalog_create_namespace(cat, NULL, NULL, 0), LDP_EINVALID, "empty");
	assert_ok(ldp_catalog_create_namespace(cat, "ns", NULL, 0));
	assert_err(ldp_catalog_create_table(cat, "ns", "", "m.json"), LDP_EINVALID, "empty");
	assert_err(ldp_catalog_create_table(cat, "ns", "a/b", "m.json"), LDP_EINVALID, "'a/b'");
	assert_err(ldp_catalog_create_table(cat, "ns", "..", "m.json"), LDP_EINVALID, "'..'");
	assert_err(ldp_catalog_create_table(cat, "ns", "x..y", "m.json"), LDP_EINVALID, "'..'");
	assert_err(ldp_catalog_create_table(cat, "ns", "t", ""), LDP_EINVALID, "metadata location");
	assert_err(ldp_catalog_create_table(cat, "ns", "t", NULL), LDP_EINVALID, "metadata location");
	assert_err(ldp_catalog_rename_table(cat, "ns", "t", "ns", "a/b"), LDP_EINVALID, "'a/b'");
	ldp_catalog_names n;
	assert_ok(ldp_catalog_list_tables(cat, "ns", &n));
	assert_names(&n, 0);
	ldp_catalog_free(cat);
}

/* ---- tables ---- */

static void test_table_entries(void **state)
{
	const char *path = db_path("tables");
	ldp_catalog *cat = open_cat(path, "c");
	assert_err(ldp_catalog_create_table(cat, "ns", "t", "m1.json"), LDP_ENOTFOUND, "namespace ns does not exist");
	assert_ok(ldp_catalog_create_namespace(cat, "ns", NULL, 0));
	assert_ok(ldp_catalog_create_table(cat, "ns", "trips", "file:///w/ns/trips/metadata/00000-a.metadata.json"));
	assert_err(ldp_catalog_create_table(cat, "ns", "trips", "other.json"), LDP_EEXISTS,
		   "table ns.trips already exists");
	assert_ok(ldp_catalog_register_table(cat, "ns", "zones", "s3://b/zones/metadata/v3.metadata.json"));
	assert_err(ldp_catalog_register_table(cat, "ns", "zones", "x.json"), LDP_EEXISTS, "ns.zones");
	assert_ok(ldp_catalog_create_table(cat, "ns", "a.b", "dotted.json")); /* a '.' is allowed, as in JDBC */

	char *loc = NULL, *prev = (char *)"sentinel";
	assert_ok(ldp_catalog_load_table(cat, "ns", "trips", &loc, &prev));
	assert_string_equal(loc, "file:///w/ns/trips/metadata/00000-a.metadata.json");
	assert_null(prev);
	free(loc);
	assert_ok(ldp_catalog_load_table(cat, "ns", "zones", &loc, NULL));
	assert_string_equal(loc, "s3://b/zones/metadata/v3.metadata.json");
	free(loc);
	assert_err(ldp_catalog_load_table(cat, "ns", "nope", &loc, &prev), LDP_ENOTFOUND, "table ns.nope");
	assert_null(loc);
	assert_null(prev);

	int exists;
	assert_ok(ldp_catalog_table_exists(cat, "ns", "trips", &exists));
	assert_true(exists);
	assert_ok(ldp_catalog_table_exists(cat, "ns", "TRIPS", &exists));
	assert_false(exists);

	ldp_catalog_names n;
	assert_ok(ldp_catalog_list_tables(cat, "ns", &n));
	assert_names(&n, 3, "a.b", "trips", "zones");
	ldp_catalog_names_free(&n);
	assert_err(ldp_catalog_list_tables(cat, "nope", &n), LDP_ENOTFOUND, "namespace nope");

	/* Rows as pyiceberg reads them: catalog name, dotted namespace, no
	 * previous location yet. */
	assert_raw(path,
		   "SELECT catalog_name || '|' || table_namespace || '|' || table_name || '|' || "
		   "metadata_location || '|' || ifnull(previous_metadata_location, 'NULL') FROM iceberg_tables "
		   "WHERE table_name = 'trips'",
		   "c|ns|trips|file:///w/ns/trips/metadata/00000-a.metadata.json|NULL");

	assert_ok(ldp_catalog_drop_table(cat, "ns", "zones", &loc));
	assert_string_equal(loc, "s3://b/zones/metadata/v3.metadata.json");
	free(loc);
	assert_err(ldp_catalog_drop_table(cat, "ns", "zones", &loc), LDP_ENOTFOUND, "ns.zones");
	assert_null(loc);
	assert_ok(ldp_catalog_table_exists(cat, "ns", "zones", &exists));
	assert_false(exists);
	ldp_catalog_free(cat);
}

static void test_catalog_names_isolated(void **state)
{
	const char *path = db_path("multi");
	ldp_catalog *one = open_cat(path, "one");
	ldp_catalog *two = open_cat(path, "two");
	assert_ok(ldp_catalog_create_namespace(one, "ns", NULL, 0));
	assert_ok(ldp_catalog_create_table(one, "ns", "t", "m1.json"));
	int exists;
	assert_ok(ldp_catalog_namespace_exists(two, "ns", &exists));
	assert_false(exists);
	assert_ok(ldp_catalog_create_namespace(two, "ns", NULL, 0));
	assert_ok(ldp_catalog_table_exists(two, "ns", "t", &exists));
	assert_false(exists);
	assert_ok(ldp_catalog_create_table(two, "ns", "t", "other.json"));
	assert_ok(ldp_catalog_drop_table(two, "ns", "t", NULL));
	assert_ok(ldp_catalog_table_exists(one, "ns", "t", &exists));
	assert_true(exists);
	assert_string_equal(ldp_catalog_name(one), "one");
	assert_string_equal(ldp_catalog_path(two), path);
	ldp_catalog_free(one);
	ldp_catalog_free(two);
}

static void test_rename(void **state)
{
	const char *path = db_path("rename");
	ldp_catalog *cat = open_cat(path, "c");
	assert_ok(ldp_catalog_create_namespace(cat, "a", NULL, 0));
	assert_ok(ldp_catalog_create_namespace(cat, "b", NULL, 0));
	assert_ok(ldp_catalog_create_table(cat, "a", "t", "t1.json"));
	assert_ok(ldp_catalog_create_table(cat, "a", "u", "u1.json"));
	assert_ok(ldp_catalog_swap(cat, "a", "t", "t1.json", "t2.json"));

	assert_ok(ldp_catalog_rename_table(cat, "a", "t", "a", "t_renamed"));
	int exists;
	assert_ok(ldp_catalog_table_exists(cat, "a", "t", &exists));
	assert_false(exists);
	char *loc, *prev;
	assert_ok(ldp_catalog_load_table(cat, "a", "t_renamed", &loc, &prev));
	assert_string_equal(loc, "t2.json");
	assert_string_equal(prev, "t1.json");
	free(loc);
	free(prev);

	assert_ok(ldp_catalog_rename_table(cat, "a", "t_renamed", "b", "t"));
	assert_ok(ldp_catalog_load_table(cat, "b", "t", &loc, NULL));
	assert_string_equal(loc, "t2.json");
	free(loc);
	assert_raw(path, "SELECT table_namespace || '.' || table_name FROM iceberg_tables WHERE metadata_location = "
			 "'t2.json'",
		   "b.t");

	assert_err(ldp_catalog_rename_table(cat, "b", "t", "nope", "t"), LDP_ENOTFOUND, "namespace nope");
	assert_err(ldp_catalog_rename_table(cat, "b", "t", "a", "u"), LDP_EEXISTS, "table a.u already exists");
	assert_err(ldp_catalog_rename_table(cat, "b", "missing", "a", "v"), LDP_ENOTFOUND, "b.missing");
	assert_ok(ldp_catalog_rename_table(cat, "b", "t", "b", "t")); /* no-op */
	/* Failed renames left everything in place. */
	assert_ok(ldp_catalog_load_table(cat, "a", "u", &loc, NULL));
	assert_string_equal(loc, "u1.json");
	free(loc);
	assert_ok(ldp_catalog_table_exists(cat, "b", "t", &exists));
	assert_true(exists);
	ldp_catalog_free(cat);
}

/* ---- commit swap ---- */

static void test_swap(void **state)
{
	ldp_catalog *cat = open_cat(db_path("swap"), "c");
	assert_ok(ldp_catalog_create_namespace(cat, "ns", NULL, 0));
	assert_ok(ldp_catalog_create_table(cat, "ns", "t", "v1.json"));
	assert_ok(ldp_catalog_swap(cat, "ns", "t", "v1.json", "v2.json"));
	char *loc, *prev;
	assert_ok(ldp_catalog_load_table(cat, "ns", "t", &loc, &prev));
	assert_string_equal(loc, "v2.json");
	assert_string_equal(prev, "v1.json");
	free(loc);
	free(prev);
	/* A writer that still believes v1 is current loses. */
	assert_err(ldp_catalog_swap(cat, "ns", "t", "v1.json", "v3.json"), LDP_ECONFLICT,
		   "commit conflict on ns.t: metadata changed from v1.json to v2.json by another writer");
	assert_err(ldp_catalog_swap(cat, "ns", "gone", "v1.json", "v3.json"), LDP_ENOTFOUND, "ns.gone");
	assert_err(ldp_catalog_swap(cat, "ns", "t", "v2.json", ""), LDP_EINVALID, "new metadata location");
	assert_ok(ldp_catalog_load_table(cat, "ns", "t", &loc, NULL));
	assert_string_equal(loc, "v2.json");
	free(loc);
	ldp_catalog_free(cat);
}

/* Two handles on one file: the second writer's base is stale. */
static void test_swap_after_concurrent_swap(void **state)
{
	const char *path = db_path("swap2");
	ldp_catalog *a = open_cat(path, "c");
	ldp_catalog *b = open_cat(path, "c");
	assert_ok(ldp_catalog_create_namespace(a, "ns", NULL, 0));
	assert_ok(ldp_catalog_create_table(a, "ns", "t", "v1.json"));
	char *base_a, *base_b;
	assert_ok(ldp_catalog_load_table(a, "ns", "t", &base_a, NULL));
	assert_ok(ldp_catalog_load_table(b, "ns", "t", &base_b, NULL));
	assert_ok(ldp_catalog_swap(a, "ns", "t", base_a, "a2.json"));
	assert_err(ldp_catalog_swap(b, "ns", "t", base_b, "b2.json"), LDP_ECONFLICT,
		   "metadata changed from v1.json to a2.json");
	/* b reloads and retries on the new base. */
	free(base_b);
	assert_ok(ldp_catalog_load_table(b, "ns", "t", &base_b, NULL));
	assert_ok(ldp_catalog_swap(b, "ns", "t", base_b, "b3.json"));
	char *loc, *prev;
	assert_ok(ldp_catalog_load_table(a, "ns", "t", &loc, &prev));
	assert_string_equal(loc, "b3.json");
	assert_string_equal(prev, "a2.json");
	free(loc);
	free(prev);
	free(base_a);
	free(base_b);
	ldp_catalog_free(a);
	ldp_catalog_free(b);
}

struct racer {
	const char *path;
	const char *target;
	pthread_barrier_t *barrier;
	int rc;
	char msg[256];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	ldp_catalog *cat = NULL;
	r->rc = ldp_catalog_open(r->path, "c", NULL, &cat);
	char *base = NULL;
	if (!r->rc)
		r->rc = ldp_catalog_load_table(cat, "ns", "t", &base, NULL);
	pthread_barrier_wait(r->barrier);
	if (!r->rc)
		r->rc = ldp_catalog_swap(cat, "ns", "t", base, r->target);
	snprintf(r->msg, sizeof(r->msg), "%s", ldp_error_last()->message);
	/* The error record is thread-local heap memory: release it before the
	 * thread ends. */
	ldp_error_clear();
	free(base);
	ldp_catalog_free(cat);
	return NULL;
}

/* Two threads, each with its own handle, swap from the same base at the same
 * moment: exactly one wins, the other gets LDP_ECONFLICT, and the table
 * points at the winner's file. */
static void test_swap_race_threads(void **state)
{
	const char *path = db_path("race");
	ldp_catalog *cat = open_cat(path, "c");
	assert_ok(ldp_catalog_create_namespace(cat, "ns", NULL, 0));
	assert_ok(ldp_catalog_create_table(cat, "ns", "t", "v0.json"));
	for (int round = 0; round < 20; round++) {
		char ta[32], tb[32];
		snprintf(ta, sizeof(ta), "a%d.json", round);
		snprintf(tb, sizeof(tb), "b%d.json", round);
		pthread_barrier_t barrier;
		pthread_barrier_init(&barrier, NULL, 2);
		struct racer r[2] = {{path, ta, &barrier, 0, ""}, {path, tb, &barrier, 0, ""}};
		pthread_t th[2];
		for (int i = 0; i < 2; i++)
			assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&barrier);
		int wins = (r[0].rc == 0) + (r[1].rc == 0);
		if (wins != 1)
			fail_msg("round %d: %d winners (%d: %s / %d: %s)", round, wins, r[0].rc, r[0].msg, r[1].rc,
				 r[1].msg);
		struct racer *loser = r[0].rc ? &r[0] : &r[1];
		assert_int_equal(loser->rc, LDP_ECONFLICT);
		assert_non_null(strstr(loser->msg, "commit conflict on ns.t"));
		char *loc;
		assert_ok(ldp_catalog_load_table(cat, "ns", "t", &loc, NULL));
		assert_string_equal(loc, r[0].rc == 0 ? ta : tb);
		free(loc);
	}
	ldp_catalog_free(cat);
}

/* Another connection holds the write lock past the busy timeout. */
static void test_swap_busy(void **state)
{
	const char *path = db_path("busy");
	ldp_catalog_options opts = {.busy_timeout_ms = 50};
	ldp_catalog *cat = NULL;
	assert_ok(ldp_catalog_open(path, "c", &opts, &cat));
	assert_ok(ldp_catalog_create_namespace(cat, "ns", NULL, 0));
	assert_ok(ldp_catalog_create_table(cat, "ns", "t", "v1.json"));
	sqlite3 *other;
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_err(ldp_catalog_swap(cat, "ns", "t", "v1.json", "v2.json"), LDP_ECONFLICT, "commit on ns.t");
	assert_non_null(strstr(ldp_error_last()->message, "locked by another writer for more than 50 ms"));
	assert_err(ldp_catalog_create_table(cat, "ns", "u", "u.json"), LDP_ECONFLICT, "locked");
	/* Readers are not blocked by a writer in WAL mode. */
	char *loc;
	assert_ok(ldp_catalog_load_table(cat, "ns", "t", &loc, NULL));
	assert_string_equal(loc, "v1.json");
	free(loc);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_ok(ldp_catalog_swap(cat, "ns", "t", "v1.json", "v2.json"));
	ldp_catalog_free(cat);
}

struct fault {
	int calls;
	int fail_with;
	char seen[64];
};

static int inject(void *ctx, const char *ns, const char *table, const char *new_location)
{
	struct fault *f = ctx;
	f->calls++;
	snprintf(f->seen, sizeof(f->seen), "%s.%s->%s", ns, table, new_location);
	return f->fail_with;
}

static void test_swap_fault_injection(void **state)
{
	const char *path = db_path("fault");
	struct fault f = {0, LDP_EIO, ""};
	ldp_catalog_options opts = {.swap_fault = inject, .swap_fault_ctx = &f};
	ldp_catalog *cat = NULL;
	assert_ok(ldp_catalog_open(path, "c", &opts, &cat));
	assert_ok(ldp_catalog_create_namespace(cat, "ns", NULL, 0));
	assert_ok(ldp_catalog_create_table(cat, "ns", "t", "v1.json"));
	assert_err(ldp_catalog_swap(cat, "ns", "t", "v1.json", "v2.json"), LDP_EIO, "injected");
	assert_int_equal(f.calls, 1);
	assert_string_equal(f.seen, "ns.t->v2.json");
	/* Nothing half-committed: pointer and previous pointer unchanged, seen
	 * from this handle and from a fresh connection. */
	char *loc, *prev;
	assert_ok(ldp_catalog_load_table(cat, "ns", "t", &loc, &prev));
	assert_string_equal(loc, "v1.json");
	assert_null(prev);
	free(loc);
	assert_raw(path, "SELECT metadata_location || '|' || ifnull(previous_metadata_location, 'NULL') FROM "
			 "iceberg_tables",
		   "v1.json|NULL");
	/* The hook is not reached on a conflict (the UPDATE matched nothing). */
	assert_err(ldp_catalog_swap(cat, "ns", "t", "v0.json", "v2.json"), LDP_ECONFLICT, "from v0.json to v1.json");
	assert_int_equal(f.calls, 1);
	f.fail_with = 0;
	assert_ok(ldp_catalog_swap(cat, "ns", "t", "v1.json", "v2.json"));
	assert_int_equal(f.calls, 2);
	assert_ok(ldp_catalog_load_table(cat, "ns", "t", &loc, NULL));
	assert_string_equal(loc, "v2.json");
	free(loc);
	ldp_catalog_free(cat);
}

/* ---- backoff ---- */

static void test_backoff(void **state)
{
	/* d = min(max, base * 2^attempt), delay in [d/2, d] (hand-computed). */
	for (uint64_t seed = 0; seed < 200; seed++) {
		int d0 = ldp_backoff_delay_ms(0, 10, 1000, seed);
		assert_in_range(d0, 5, 10);
		int d3 = ldp_backoff_delay_ms(3, 10, 1000, seed);
		assert_in_range(d3, 40, 80);
		int d20 = ldp_backoff_delay_ms(20, 10, 1000, seed);
		assert_in_range(d20, 500, 1000);
		int huge = ldp_backoff_delay_ms(1000, 10, 1000, seed);
		assert_in_range(huge, 500, 1000);
		assert_int_equal(ldp_backoff_delay_ms(3, 10, 1000, seed), d3);
	}
	assert_int_equal(ldp_backoff_delay_ms(5, 0, 100, 1), 0);
	assert_in_range(ldp_backoff_delay_ms(5, 20, 5, 7), 10, 20); /* max below base: capped at base */
	/* Jitter: 200 seeds over [40, 80] give more than a handful of values. */
	int seen[81] = {0}, distinct = 0;
	for (uint64_t seed = 0; seed < 200; seed++) {
		int d = ldp_backoff_delay_ms(3, 10, 1000, seed);
		if (!seen[d]++)
			distinct++;
	}
	assert_true(distinct > 20);
	int slept = ldp_backoff_sleep(0, 2, 2);
	assert_in_range(slept, 1, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ddl_matches_pyiceberg),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_v0_layout_kept),
		cmocka_unit_test(test_v1_rows_and_views),
		cmocka_unit_test(test_namespace_lifecycle),
		cmocka_unit_test(test_namespace_made_by_pyiceberg),
		cmocka_unit_test(test_nested_namespaces),
		cmocka_unit_test(test_namespace_drop_refusal),
		cmocka_unit_test(test_name_validation),
		cmocka_unit_test(test_table_entries),
		cmocka_unit_test(test_catalog_names_isolated),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_swap_after_concurrent_swap),
		cmocka_unit_test(test_swap_race_threads),
		cmocka_unit_test(test_swap_busy),
		cmocka_unit_test(test_swap_fault_injection),
		cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
