/*
 * catalog/sqlite_internal.h - shared by the SQLite catalog's source files
 * (sqlite_catalog.c: open, schema, namespaces; sqlite_tables.c: table
 * entries and the swap). Not for other layers: use catalog/catalog.h.
 */
#ifndef LDP_CATALOG_SQLITE_INTERNAL_H
#define LDP_CATALOG_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "catalog/catalog.h"

struct ldp_catalog {
	sqlite3 *db;
	char *path;
	char *name;
	int busy_ms;
	/* The iceberg_tables table has the iceberg_type column (the "V1" layout
	 * of Java's JdbcCatalog, which pyiceberg >= 0.12 also creates): rows
	 * may then be views, and table operations must skip them. */
	int typed;
	ldp_catalog_swap_fault_fn swap_fault;
	void *swap_fault_ctx;
	/* Not NULL for a REST catalog (db is then NULL): every public function
	 * hands over to rest_client.c. */
	struct ldp_rest *rest;
};

/* The REST side of the public functions (rest_client.h). */
#include "catalog/rest_client.h"
#define CAT_DISPATCH(cat, call)                                                                                        \
	do {                                                                                                           \
		if ((cat)->rest)                                                                                       \
			return call;                                                                                   \
	} while (0)

/* The WHERE fragment that keeps only table rows (iceberg_type 'TABLE', or
 * NULL for rows written before the column existed); "" in the V0 layout. */
#define CAT_TABLE_FILTER(cat) ((cat)->typed ? " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)" : "")

/* Map a SQLite result code to an ldp_status and record a message naming the
 * catalog file and `what` was being done. SQLITE_BUSY (the busy timeout ran
 * out) becomes LDP_ECONFLICT: another writer holds the lock; retry. */
int cat_sql_error(ldp_catalog *cat, int rc, const char *what);

/* Prepare `sql` and bind `nargs` text arguments (const char *, NULL binds
 * SQL NULL) to ?1..?n. */
int cat_prepare(ldp_catalog *cat, sqlite3_stmt **st, const char *sql, int nargs, ...);
/* Run a prepared statement that returns no rows and finalize it. */
int cat_exec_stmt(ldp_catalog *cat, sqlite3_stmt *st, const char *what);
/* Run a statement that returns at most one row; *found = 1 if it did, and if
 * col0 is not NULL, a copy of column 0 (NULL for SQL NULL) goes there. */
int cat_query_one(ldp_catalog *cat, sqlite3_stmt *st, const char *what, int *found, char **col0);

/* BEGIN IMMEDIATE takes the write lock up front, so a transaction never
 * fails half-way through on a lock upgrade; a deferred BEGIN for reads. */
int cat_begin_write(ldp_catalog *cat, const char *what);
int cat_begin_read(ldp_catalog *cat, const char *what);
int cat_commit(ldp_catalog *cat, const char *what);
void cat_rollback(ldp_catalog *cat);

/* Name checks; they record the error (naming the bad name). */
int cat_check_namespace(const char *ns);
int cat_check_table(const char *ns, const char *table);

/* Existence of a namespace by the JDBC/pyiceberg rule; call inside a
 * transaction when the answer guards a write. */
int cat_namespace_exists_tx(ldp_catalog *cat, const char *ns, int *exists);

/* Growable owned string list. */
int cat_names_push(ldp_catalog_names *names, size_t *cap, const char *s, size_t len);

#endif
