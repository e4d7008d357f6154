/*
 * table/sqlrun.h - run SQL over a warehouse, statement by statement.
 *
 * `ldp sql`, `ldp shell` and SQL pipeline steps share this. A script is split
 * with ldp's own lexer (engine/sqlscan.h); each statement is classified by its
 * leading keywords. Statements that create, change or describe Iceberg tables
 * go to ldp's handlers, which commit through the table layer (one commit per
 * statement); every other statement runs in DuckDB as is, after the Iceberg
 * tables it names are bound as views (ldp_warehouse_bind_sql).
 *
 * Handlers live in their own files:
 *   sql_ddl.c    CREATE SCHEMA/TABLE (incl. AS SELECT), INSERT, DROP,
 *                TRUNCATE, SHOW, DESCRIBE
 *   sql_alter.c  ALTER TABLE
 *   sql_dml.c    DELETE, UPDATE, MERGE INTO
 * A handler returns LDP_SQL_PASS when the statement is not about an Iceberg
 * table (e.g. CREATE TABLE of a DuckDB temp table), and DuckDB runs it.
 */
#ifndef LDP_TABLE_SQLRUN_H
#define LDP_TABLE_SQLRUN_H

#include "ldp/engine.h"
#include "table/warehouse.h"

typedef enum ldp_sql_kind {
	LDP_SQLK_OTHER = 0,
	LDP_SQLK_CREATE_SCHEMA, /* CREATE SCHEMA | CREATE NAMESPACE */
	LDP_SQLK_CREATE_TABLE,  /* CREATE [OR REPLACE] TABLE ..., incl. AS SELECT */
	LDP_SQLK_INSERT,
	LDP_SQLK_DELETE,
	LDP_SQLK_UPDATE,
	LDP_SQLK_MERGE,
	LDP_SQLK_ALTER_TABLE,
	LDP_SQLK_DROP_TABLE,
	LDP_SQLK_DROP_SCHEMA,
	LDP_SQLK_TRUNCATE,
	LDP_SQLK_SHOW,     /* SHOW TABLES, SHOW ... */
	LDP_SQLK_DESCRIBE  /* DESCRIBE | DESC */
} ldp_sql_kind;

/* Classify one statement (no ';') by its leading keywords. */
ldp_sql_kind ldp_sql_classify(const char *stmt, size_t len);
const char *ldp_sql_kind_name(ldp_sql_kind k);

typedef struct ldp_sql_session {
	ldp_warehouse *wh;  /* NULL when there is no project (plain DuckDB) */
	ldp_engine *engine; /* the warehouse's engine, or a plain one */
} ldp_sql_session;

/* What a statement produced. */
typedef struct ldp_sql_outcome {
	ldp_result *rows; /* rows to show (owned: ldp_result_free), or NULL */
	char *message;    /* a one-line summary ("deleted 12 rows, snapshot 48...") or NULL; malloc'd */
} ldp_sql_outcome;

void ldp_sql_outcome_clear(ldp_sql_outcome *o);

/* A handler's "not mine: let DuckDB run it". Positive, never an error. */
#define LDP_SQL_PASS 1

typedef int (*ldp_sql_handler)(ldp_sql_session *s, ldp_sql_kind kind, const char *stmt, ldp_sql_outcome *out);

int ldp_sql_handle_ddl(ldp_sql_session *s, ldp_sql_kind kind, const char *stmt, ldp_sql_outcome *out);
int ldp_sql_handle_alter(ldp_sql_session *s, ldp_sql_kind kind, const char *stmt, ldp_sql_outcome *out);
int ldp_sql_handle_dml(ldp_sql_session *s, ldp_sql_kind kind, const char *stmt, ldp_sql_outcome *out);

/* Run one statement (a C string without the ';'). */
int ldp_sql_run(ldp_sql_session *s, const char *stmt, ldp_sql_outcome *out);

/* Resolve ns.name as written in SQL to a catalog entry: exact match first,
 * then a unique case-insensitive match (DuckDB folds unquoted names' case,
 * Iceberg names keep theirs). *exists = 0 when there is no such table (out
 * then holds the name as given). */
int ldp_warehouse_resolve_table(ldp_warehouse *wh, const char *ns, const char *name, ldp_ident *out, int *exists);

#endif
