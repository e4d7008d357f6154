/*
 * The SQLite catalog: opening, schema, namespaces. Tables and the commit swap
 * are in sqlite_tables.c.
 *
 * Layout, and why. One catalog.db must open in ldp, pyiceberg's SqlCatalog
 * and Java's JdbcCatalog, so the two tables are the ones those create:
 *
 *   iceberg_tables(catalog_name, table_namespace, table_name,
 *                  metadata_location, previous_metadata_location, iceberg_type)
 *       PRIMARY KEY (catalog_name, table_namespace, table_name)
 *   iceberg_namespace_properties(catalog_name, namespace, property_key,
 *                                property_value)
 *       PRIMARY KEY (catalog_name, namespace, property_key)
 *
 * - New files get the DDL text that pyiceberg (0.12, through SQLAlchemy)
 *   writes for SQLite, character for character, so sqlite_master looks the
 *   same whichever program made the file. That is the "V1" layout: Java's
 *   JdbcCatalog creates V0 (no iceberg_type) and adds the column with
 *   ALTER TABLE only when asked (jdbc.schema-version=V1), but it probes for
 *   the column at start-up and uses V1 when it is there; pyiceberg >= 0.12
 *   creates V1 and keeps a V0 file as V0. So V1 is the one layout all three
 *   read and write without migrating. pyiceberg's column constraints are the
 *   stricter ones (property_key and property_value NOT NULL; Java allows
 *   NULL), and every value we write satisfies both.
 * - Existing files are used as they are: V0 (no iceberg_type) or V1, never
 *   altered. In V1, table rows carry iceberg_type 'TABLE' (what Java and
 *   pyiceberg write), rows with NULL are tables from before the column, and
 *   'VIEW' rows are views that table operations skip but that still occupy
 *   their name and keep their namespace non-empty.
 * - Namespaces are stored as their levels joined with '.' ("a.b.c"), as both
 *   implementations do. A namespace exists while any row of either table has
 *   it as its namespace or as a prefix followed by '.' (both implementations
 *   use this rule, so "a" exists once "a.b" does). The prefix test here uses
 *   substr() instead of their LIKE: LIKE is case-insensitive in SQLite and
 *   needs escaping of '%' and '_', and "A" must not exist because "a.b" does.
 * - Creating a namespace always writes the property row exists = 'true'
 *   (Java always writes it; pyiceberg writes it only when no properties are
 *   given), so a namespace never vanishes when its last user property is
 *   removed. The key is reserved: it cannot be set or removed, and it is not
 *   returned by ldp_catalog_load_namespace (Java hides it too).
 * - Stricter than both, for ldp's own writes: a nested namespace needs its
 *   parent to exist, and a namespace with child namespaces cannot be dropped
 *   (the JDBC rule would keep it existing through its children anyway).
 */
#include "catalog/sqlite_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "ldp/log.h"

/* DDL exactly as pyiceberg 0.12 (SQLAlchemy's SQLite dialect) emits it;
 * sqlite_master keeps this text, and tests/unit/test_catalog.c checks it. */
static const char ddl_tables[] = "CREATE TABLE iceberg_tables (\n"
				 "\tcatalog_name VARCHAR(255) NOT NULL, \n"
				 "\ttable_namespace VARCHAR(255) NOT NULL, \n"
				 "\ttable_name VARCHAR(255) NOT NULL, \n"
				 "\tmetadata_location VARCHAR(1000), \n"
				 "\tprevious_metadata_location VARCHAR(1000), \n"
				 "\ticeberg_type VARCHAR(5), \n"
				 "\tPRIMARY KEY (catalog_name, table_namespace, table_name)\n"
				 ")";
static const char ddl_props[] = "CREATE TABLE iceberg_namespace_properties (\n"
				"\tcatalog_name VARCHAR(255) NOT NULL, \n"
				"\tnamespace VARCHAR(255) NOT NULL, \n"
				"\tproperty_key VARCHAR(255) NOT NULL, \n"
				"\tproperty_value VARCHAR(1000) NOT NULL, \n"
				"\tPRIMARY KEY (catalog_name, namespace, property_key)\n"
				")";

#define EXISTS_KEY "exists"

/* ---- helpers shared with sqlite_tables.c ---- */

int cat_sql_error(ldp_catalog *cat, int rc, const char *what)
{
	const char *msg = cat->db ? sqlite3_errmsg(cat->db) : sqlite3_errstr(rc);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ldp_error_set(LDP_ECONFLICT,
				     "catalog %s: %s: the database stayed locked by another writer for more than %d ms; "
				     "retry, or raise the busy timeout",
				     cat->path, what, cat->busy_ms);
	case SQLITE_NOMEM: return ldp_error_set(LDP_ENOMEM, "catalog %s: %s: out of memory", cat->path, what);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return ldp_error_set(LDP_ECORRUPT, "catalog %s: %s: %s (the file is not a usable SQLite database)",
				     cat->path, what, msg);
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return ldp_error_set(LDP_EIO, "catalog %s: %s: %s", cat->path, what, msg);
	default: return ldp_error_set(LDP_ERROR, "catalog %s: %s: %s", cat->path, what, msg);
	}
}

int cat_prepare(ldp_catalog *cat, sqlite3_stmt **st, const char *sql, int nargs, ...)
{
	*st = NULL;
	int rc = sqlite3_prepare_v2(cat->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK)
		return cat_sql_error(cat, rc, "preparing a catalog query");
	va_list ap;
	va_start(ap, nargs);
	for (int i = 0; i < nargs && rc == SQLITE_OK; i++) {
		const char *s = va_arg(ap, const char *);
		rc = s ? sqlite3_bind_text(*st, i + 1, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(*st, i + 1);
	}
	va_end(ap);
	if (rc != SQLITE_OK) {
		int err = cat_sql_error(cat, rc, "binding catalog query arguments");
		sqlite3_finalize(*st);
		*st = NULL;
		return err;
	}
	return 0;
}

int cat_exec_stmt(ldp_catalog *cat, sqlite3_stmt *st, const char *what)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	int err = rc == SQLITE_DONE ? 0 : cat_sql_error(cat, rc, what);
	sqlite3_finalize(st);
	return err;
}

int cat_query_one(ldp_catalog *cat, sqlite3_stmt *st, const char *what, int *found, char **col0)
{
	*found = 0;
	if (col0)
		*col0 = NULL;
	int rc = sqlite3_step(st);
	int err = 0;
	if (rc == SQLITE_ROW) {
		*found = 1;
		const unsigned char *v = sqlite3_column_text(st, 0);
		if (col0 && v && !(*col0 = strdup((const char *)v)))
			err = ldp_error_set(LDP_ENOMEM, "out of memory");
	} else if (rc != SQLITE_DONE) {
		err = cat_sql_error(cat, rc, what);
	}
	sqlite3_finalize(st);
	return err;
}

static int exec_sql(ldp_catalog *cat, const char *sql, const char *what)
{
	int rc = sqlite3_exec(cat->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : cat_sql_error(cat, rc, what);
}

int cat_begin_write(ldp_catalog *cat, const char *what)
{
	return exec_sql(cat, "BEGIN IMMEDIATE", what);
}

int cat_begin_read(ldp_catalog *cat, const char *what)
{
	return exec_sql(cat, "BEGIN", what);
}

int cat_commit(ldp_catalog *cat, const char *what)
{
	int err = exec_sql(cat, "COMMIT", what);
	if (err)
		cat_rollback(cat);
	return err;
}

void cat_rollback(ldp_catalog *cat)
{
	if (!sqlite3_get_autocommit(cat->db))
		sqlite3_exec(cat->db, "ROLLBACK", NULL, NULL, NULL);
}

int cat_check_namespace(const char *ns)
{
	if (!ns || !*ns)
		return ldp_error_set(LDP_EINVALID, "namespace name is empty");
	const char *p = ns;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len == 0)
			return ldp_error_set(LDP_EINVALID,
					     "namespace '%s' has an empty level (levels are separated by single dots)", ns);
		if (p[0] == ' ' || p[len - 1] == ' ' || p[0] == '\t' || p[len - 1] == '\t')
			return ldp_error_set(LDP_EINVALID,
					     "namespace '%s' has a level starting or ending with a space; remove it", ns);
		if (!dot)
			break;
		p = dot + 1;
	}
	if (strchr(ns, '/'))
		return ldp_error_set(LDP_EINVALID, "namespace '%s' contains '/', which is not allowed in names", ns);
	return 0;
}

int cat_check_table(const char *ns, const char *table)
{
	int err = cat_check_namespace(ns);
	if (err)
		return err;
	if (!table || !*table)
		return ldp_error_set(LDP_EINVALID, "table name in namespace %s is empty", ns);
	if (strchr(table, '/'))
		return ldp_error_set(LDP_EINVALID, "table name '%s' in namespace %s contains '/'; choose another name",
				     table, ns);
	if (strstr(table, ".."))
		return ldp_error_set(LDP_EINVALID, "table name '%s' in namespace %s contains '..'; choose another name",
				     table, ns);
	return 0;
}

int cat_names_push(ldp_catalog_names *names, size_t *cap, const char *s, size_t len)
{
	if (names->len == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char **items = realloc(names->items, ncap * sizeof(*items));
		if (!items)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		names->items = items;
		*cap = ncap;
	}
	char *copy = strndup(s, len);
	if (!copy)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	names->items[names->len++] = copy;
	return 0;
}

void ldp_catalog_names_free(ldp_catalog_names *names)
{
	if (!names)
		return;
	for (size_t i = 0; i < names->len; i++)
		free(names->items[i]);
	free(names->items);
	names->items = NULL;
	names->len = 0;
}

void ldp_catalog_props_free(ldp_catalog_props *props)
{
	if (!props)
		return;
	for (size_t i = 0; i < props->len; i++) {
		free(props->keys[i]);
		free(props->values[i]);
	}
	free(props->keys);
	free(props->values);
	props->keys = props->values = NULL;
	props->len = 0;
}

/* ---- open ---- */

/* Create the tables that are missing; then find out which layout the file
 * has and check that the columns we use are there. */
static int init_schema(ldp_catalog *cat)
{
	static const char *const tables[2] = {"iceberg_tables", "iceberg_namespace_properties"};
	const char *const ddl[2] = {ddl_tables, ddl_props};
	int err = cat_begin_write(cat, "creating the catalog tables");
	if (err)
		return err;
	for (int i = 0; i < 2 && !err; i++) {
		sqlite3_stmt *st;
		int found;
		err = cat_prepare(cat, &st, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", 1,
				  tables[i]);
		if (!err)
			err = cat_query_one(cat, st, "looking for the catalog tables", &found, NULL);
		if (!err && !found)
			err = exec_sql(cat, ddl[i], "creating the catalog tables");
	}
	if (err) {
		cat_rollback(cat);
		return err;
	}
	if ((err = cat_commit(cat, "creating the catalog tables")))
		return err;

	static const char *const need[2][5] = {
		{"catalog_name", "table_namespace", "table_name", "metadata_location", "previous_metadata_location"},
		{"catalog_name", "namespace", "property_key", "property_value", NULL},
	};
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st;
		if ((err = cat_prepare(cat, &st, "SELECT name FROM pragma_table_info(?1)", 1, tables[i])))
			return err;
		unsigned have = 0;
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *col = (const char *)sqlite3_column_text(st, 0);
			if (!col)
				continue;
			for (int k = 0; k < 5 && need[i][k]; k++)
				if (strcmp(col, need[i][k]) == 0)
					have |= 1u << k;
			if (i == 0 && strcmp(col, "iceberg_type") == 0)
				cat->typed = 1;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return cat_sql_error(cat, rc, "reading the catalog table layout");
		for (int k = 0; k < 5 && need[i][k]; k++)
			if (!(have & (1u << k)))
				return ldp_error_set(LDP_ECORRUPT,
						     "catalog %s: table %s has no column %s; the file is not an Iceberg "
						     "JDBC/pyiceberg catalog (use another file)",
						     cat->path, tables[i], need[i][k]);
	}
	return 0;
}

static int set_wal(ldp_catalog *cat)
{
	sqlite3_stmt *st;
	int found, err;
	char *mode = NULL;
	if ((err = cat_prepare(cat, &st, "PRAGMA journal_mode = WAL", 0)))
		return err;
	if ((err = cat_query_one(cat, st, "switching the catalog to WAL journal mode", &found, &mode)))
		return err;
	/* Some file systems (network mounts) cannot hold the WAL index; SQLite
	 * then keeps its rollback journal, which is slower but still correct. */
	if (mode && strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
		LDP_WARN("catalog %s: journal mode is %s, not wal; concurrent readers will wait for writers", cat->path,
			 mode);
	free(mode);
	return 0;
}

int ldp_catalog_open(const char *db_path, const char *catalog_name, const ldp_catalog_options *opts,
		     ldp_catalog **out)
{
	*out = NULL;
	if (!db_path || !*db_path)
		return ldp_error_set(LDP_EINVALID, "catalog database path is empty");
	if (!catalog_name || !*catalog_name)
		return ldp_error_set(LDP_EINVALID, "catalog name for %s is empty", db_path);
	ldp_catalog *cat = calloc(1, sizeof(*cat));
	if (!cat)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	cat->path = strdup(db_path);
	cat->name = strdup(catalog_name);
	cat->busy_ms = opts && opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : LDP_CATALOG_DEFAULT_BUSY_TIMEOUT_MS;
	if (opts) {
		cat->swap_fault = opts->swap_fault;
		cat->swap_fault_ctx = opts->swap_fault_ctx;
	}
	if (!cat->path || !cat->name) {
		ldp_catalog_free(cat);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	int rc = sqlite3_open_v2(db_path, &cat->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
				 NULL);
	int err = 0;
	if (rc != SQLITE_OK) {
		err = ldp_error_set(LDP_EIO, "cannot open catalog %s: %s", db_path,
				    cat->db ? sqlite3_errmsg(cat->db) : sqlite3_errstr(rc));
	} else {
		sqlite3_busy_timeout(cat->db, cat->busy_ms);
		err = set_wal(cat);
		/* WAL with synchronous=FULL makes every committed swap durable
		 * across power loss, not only across a crash of the process. */
		if (!err)
			err = exec_sql(cat, "PRAGMA synchronous = FULL", "configuring the catalog");
		if (!err)
			err = init_schema(cat);
	}
	if (err) {
		ldp_error_wrap(err, "opening catalog %s", db_path);
		ldp_catalog_free(cat);
		return err;
	}
	*out = cat;
	return 0;
}

void ldp_catalog_free(ldp_catalog *cat)
{
	if (!cat)
		return;
	if (cat->db)
		sqlite3_close_v2(cat->db);
	rest_free(cat->rest);
	free(cat->path);
	free(cat->name);
	free(cat);
}

const char *ldp_catalog_path(const ldp_catalog *cat)
{
	return cat->path;
}

const char *ldp_catalog_name(const ldp_catalog *cat)
{
	return cat->name;
}

/* ---- namespaces ---- */

/* Row in either table whose namespace is ns or starts with "ns.". With
 * only_children, rows for ns itself do not count. */
static int ns_rows_exist(ldp_catalog *cat, const char *ns, int only_children, int *exists, char **example)
{
	const char *sql_all =
		"SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?1 AND (table_namespace = ?2 OR "
		"substr(table_namespace, 1, length(?2) + 1) = ?2 || '.') "
		"UNION ALL SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND "
		"(namespace = ?2 OR substr(namespace, 1, length(?2) + 1) = ?2 || '.') LIMIT 1";
	const char *sql_children =
		"SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?1 AND "
		"substr(table_namespace, 1, length(?2) + 1) = ?2 || '.' "
		"UNION ALL SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND "
		"substr(namespace, 1, length(?2) + 1) = ?2 || '.' LIMIT 1";
	sqlite3_stmt *st;
	int err = cat_prepare(cat, &st, only_children ? sql_children : sql_all, 2, cat->name, ns);
	if (err)
		return err;
	return cat_query_one(cat, st, "checking whether a namespace exists", exists, example);
}

int cat_namespace_exists_tx(ldp_catalog *cat, const char *ns, int *exists)
{
	return ns_rows_exist(cat, ns, 0, exists, NULL);
}

int ldp_catalog_namespace_exists(ldp_catalog *cat, const char *ns, int *exists)
{
	CAT_DISPATCH(cat, rest_namespace_exists(cat->rest, ns, exists));
	*exists = 0;
	int err = cat_check_namespace(ns);
	return err ? err : cat_namespace_exists_tx(cat, ns, exists);
}

static int check_props(const char *ns, const ldp_catalog_kv *props, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!props[i].key || !*props[i].key)
			return ldp_error_set(LDP_EINVALID, "namespace %s: a property key is empty", ns);
		if (!props[i].value)
			return ldp_error_set(LDP_EINVALID, "namespace %s: property %s has no value", ns, props[i].key);
		if (strcmp(props[i].key, EXISTS_KEY) == 0)
			return ldp_error_set(LDP_EINVALID, "namespace %s: property '%s' is reserved by the catalog", ns,
					     EXISTS_KEY);
		for (size_t j = 0; j < i; j++)
			if (strcmp(props[i].key, props[j].key) == 0)
				return ldp_error_set(LDP_EINVALID, "namespace %s: property %s is given twice", ns,
						     props[i].key);
	}
	return 0;
}

static int put_prop(ldp_catalog *cat, const char *ns, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int err = cat_prepare(cat, &st,
			      "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, "
			      "property_value) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (catalog_name, namespace, "
			      "property_key) DO UPDATE SET property_value = excluded.property_value",
			      4, cat->name, ns, key, value);
	return err ? err : cat_exec_stmt(cat, st, "writing a namespace property");
}

int ldp_catalog_create_namespace(ldp_catalog *cat, const char *ns, const ldp_catalog_kv *props, size_t n)
{
	CAT_DISPATCH(cat, rest_create_namespace(cat->rest, ns, props, n));
	int err = cat_check_namespace(ns);
	if (!err)
		err = check_props(ns, props, n);
	if (err)
		return err;
	if ((err = cat_begin_write(cat, "creating a namespace")))
		return ldp_error_wrap(err, "creating namespace %s", ns);
	int exists = 0;
	err = cat_namespace_exists_tx(cat, ns, &exists);
	if (!err && exists)
		err = ldp_error_set(LDP_EEXISTS, "namespace %s already exists", ns);
	const char *dot = strrchr(ns, '.');
	if (!err && dot) {
		char *parent = strndup(ns, (size_t)(dot - ns));
		if (!parent)
			err = ldp_error_set(LDP_ENOMEM, "out of memory");
		if (!err)
			err = cat_namespace_exists_tx(cat, parent, &exists);
		if (!err && !exists)
			err = ldp_error_set(LDP_ENOTFOUND,
					    "cannot create namespace %s: its parent namespace %s does not exist; create "
					    "it first",
					    ns, parent);
		free(parent);
	}
	if (!err)
		err = put_prop(cat, ns, EXISTS_KEY, "true");
	for (size_t i = 0; i < n && !err; i++)
		err = put_prop(cat, ns, props[i].key, props[i].value);
	if (!err)
		err = cat_commit(cat, "creating a namespace");
	if (err) {
		cat_rollback(cat);
		if (err != LDP_EEXISTS && err != LDP_ENOTFOUND)
			ldp_error_wrap(err, "creating namespace %s", ns);
	}
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ldp_catalog_list_namespaces(ldp_catalog *cat, const char *parent, ldp_catalog_names *out)
{
	CAT_DISPATCH(cat, rest_list_namespaces(cat->rest, parent, out));
	out->items = NULL;
	out->len = 0;
	int top = !parent || !*parent;
	int err = top ? 0 : cat_check_namespace(parent);
	if (err)
		return err;
	if ((err = cat_begin_read(cat, "listing namespaces")))
		return err;
	if (!top) {
		int exists;
		err = cat_namespace_exists_tx(cat, parent, &exists);
		if (!err && !exists)
			err = ldp_error_set(LDP_ENOTFOUND, "namespace %s does not exist", parent);
	}
	sqlite3_stmt *st = NULL;
	if (!err)
		err = cat_prepare(cat, &st,
				  "SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?1 AND (?2 IS NULL "
				  "OR substr(table_namespace, 1, length(?2) + 1) = ?2 || '.') "
				  "UNION SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND "
				  "(?2 IS NULL OR substr(namespace, 1, length(?2) + 1) = ?2 || '.')",
				  2, cat->name, top ? NULL : parent);
	size_t cap = 0, skip = top ? 0 : strlen(parent) + 1;
	int rc = SQLITE_DONE;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *full = (const char *)sqlite3_column_text(st, 0);
		if (!full || strlen(full) < skip || !full[skip])
			continue;
		/* Truncate to one level below the parent: "a.b.c" under "a" is "a.b". */
		const char *dot = strchr(full + skip, '.');
		size_t len = dot ? (size_t)(dot - full) : strlen(full);
		err = cat_names_push(out, &cap, full, len);
	}
	if (!err && rc != SQLITE_DONE)
		err = cat_sql_error(cat, rc, "listing namespaces");
	sqlite3_finalize(st);
	cat_rollback(cat);
	if (err) {
		ldp_catalog_names_free(out);
		return err;
	}
	if (out->len > 1) {
		qsort(out->items, out->len, sizeof(char *), cmp_str);
		size_t w = 1;
		for (size_t i = 1; i < out->len; i++) {
			if (strcmp(out->items[i], out->items[w - 1]) == 0)
				free(out->items[i]);
			else
				out->items[w++] = out->items[i];
		}
		out->len = w;
	}
	return 0;
}

int ldp_catalog_load_namespace(ldp_catalog *cat, const char *ns, ldp_catalog_props *out)
{
	CAT_DISPATCH(cat, rest_load_namespace(cat->rest, ns, out));
	memset(out, 0, sizeof(*out));
	int err = cat_check_namespace(ns);
	if (err)
		return err;
	if ((err = cat_begin_read(cat, "loading namespace properties")))
		return err;
	int exists;
	err = cat_namespace_exists_tx(cat, ns, &exists);
	if (!err && !exists)
		err = ldp_error_set(LDP_ENOTFOUND, "namespace %s does not exist", ns);
	sqlite3_stmt *st = NULL;
	if (!err)
		err = cat_prepare(cat, &st,
				  "SELECT property_key, property_value FROM iceberg_namespace_properties WHERE "
				  "catalog_name = ?1 AND namespace = ?2 AND property_key IS NOT NULL AND property_key "
				  "<> '" EXISTS_KEY "' ORDER BY property_key",
				  2, cat->name, ns);
	size_t cap = 0;
	int rc = SQLITE_DONE;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->len == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			char **k = realloc(out->keys, ncap * sizeof(char *));
			if (k)
				out->keys = k;
			char **v = k ? realloc(out->values, ncap * sizeof(char *)) : NULL;
			if (v)
				out->values = v;
			if (!k || !v) {
				err = ldp_error_set(LDP_ENOMEM, "out of memory");
				break;
			}
			cap = ncap;
		}
		/* Java's layout allows a NULL value; read it as "". */
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		char *kc = strdup(k), *vc = strdup(v ? v : "");
		if (!kc || !vc) {
			free(kc);
			free(vc);
			err = ldp_error_set(LDP_ENOMEM, "out of memory");
			break;
		}
		out->keys[out->len] = kc;
		out->values[out->len++] = vc;
	}
	if (!err && rc != SQLITE_DONE)
		err = cat_sql_error(cat, rc, "loading namespace properties");
	sqlite3_finalize(st);
	cat_rollback(cat);
	if (err)
		ldp_catalog_props_free(out);
	return err;
}

int ldp_catalog_update_namespace(ldp_catalog *cat, const char *ns, const ldp_catalog_kv *set, size_t nset,
				 const char *const *remove, size_t nremove)
{
	CAT_DISPATCH(cat, rest_update_namespace(cat->rest, ns, set, nset, remove, nremove));
	int err = cat_check_namespace(ns);
	if (!err)
		err = check_props(ns, set, nset);
	for (size_t i = 0; i < nremove && !err; i++) {
		if (!remove[i] || !*remove[i])
			err = ldp_error_set(LDP_EINVALID, "namespace %s: a property key to remove is empty", ns);
		else if (strcmp(remove[i], EXISTS_KEY) == 0)
			err = ldp_error_set(LDP_EINVALID, "namespace %s: property '%s' is reserved by the catalog",
					    ns, EXISTS_KEY);
		for (size_t j = 0; j < nset && !err; j++)
			if (strcmp(remove[i], set[j].key) == 0)
				err = ldp_error_set(LDP_EINVALID,
						    "namespace %s: property %s is both set and removed; do one",
						    ns, remove[i]);
	}
	if (err)
		return err;
	if ((err = cat_begin_write(cat, "updating namespace properties")))
		return ldp_error_wrap(err, "updating namespace %s", ns);
	int exists;
	err = cat_namespace_exists_tx(cat, ns, &exists);
	if (!err && !exists)
		err = ldp_error_set(LDP_ENOTFOUND, "namespace %s does not exist", ns);
	for (size_t i = 0; i < nremove && !err; i++) {
		sqlite3_stmt *st;
		err = cat_prepare(cat, &st,
				  "DELETE FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND namespace = ?2 "
				  "AND property_key = ?3",
				  3, cat->name, ns, remove[i]);
		if (!err)
			err = cat_exec_stmt(cat, st, "removing a namespace property");
	}
	for (size_t i = 0; i < nset && !err; i++)
		err = put_prop(cat, ns, set[i].key, set[i].value);
	/* A namespace made by pyiceberg with properties has no "exists" row;
	 * removing its last property would make it disappear, so keep a marker. */
	if (!err && nremove) {
		int any;
		sqlite3_stmt *st;
		err = cat_prepare(cat, &st,
				  "SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND namespace = ?2 "
				  "LIMIT 1",
				  2, cat->name, ns);
		if (!err)
			err = cat_query_one(cat, st, "updating namespace properties", &any, NULL);
		if (!err && !any)
			err = put_prop(cat, ns, EXISTS_KEY, "true");
	}
	if (!err)
		err = cat_commit(cat, "updating namespace properties");
	if (err) {
		cat_rollback(cat);
		if (err != LDP_ENOTFOUND)
			ldp_error_wrap(err, "updating namespace %s", ns);
	}
	return err;
}

int ldp_catalog_drop_namespace(ldp_catalog *cat, const char *ns)
{
	CAT_DISPATCH(cat, rest_drop_namespace(cat->rest, ns));
	int err = cat_check_namespace(ns);
	if (err)
		return err;
	if ((err = cat_begin_write(cat, "dropping a namespace")))
		return ldp_error_wrap(err, "dropping namespace %s", ns);
	int exists;
	err = cat_namespace_exists_tx(cat, ns, &exists);
	if (!err && !exists)
		err = ldp_error_set(LDP_ENOTFOUND, "namespace %s does not exist", ns);
	/* Views count too: dropping the namespace would orphan them. */
	sqlite3_stmt *st = NULL;
	if (!err)
		err = cat_prepare(cat, &st,
				  "SELECT count(*) FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2",
				  2, cat->name, ns);
	char *count = NULL;
	if (!err)
		err = cat_query_one(cat, st, "dropping a namespace", &exists, &count);
	if (!err && count && strcmp(count, "0") != 0)
		err = ldp_error_set(LDP_EINVALID,
				    "namespace %s is not empty: it holds %s table(s); drop or move them first", ns, count);
	free(count);
	char *child = NULL;
	if (!err)
		err = ns_rows_exist(cat, ns, 1, &exists, &child);
	if (!err && exists)
		err = ldp_error_set(LDP_EINVALID,
				    "namespace %s is not empty: it has child namespaces (such as %s); drop them first",
				    ns, child ? child : "?");
	free(child);
	if (!err) {
		err = cat_prepare(cat, &st,
				  "DELETE FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND namespace = ?2",
				  2, cat->name, ns);
		if (!err)
			err = cat_exec_stmt(cat, st, "dropping a namespace");
	}
	if (!err)
		err = cat_commit(cat, "dropping a namespace");
	if (err) {
		cat_rollback(cat);
		if (err != LDP_ENOTFOUND && err != LDP_EINVALID)
			ldp_error_wrap(err, "dropping namespace %s", ns);
	}
	return err;
}
