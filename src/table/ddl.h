/*
 * table/ddl.h - table creation helpers shared by `ldp table create` and the
 * SQL statements of `ldp sql` (CREATE TABLE, CREATE TABLE AS SELECT).
 */
#ifndef LDP_TABLE_DDL_H
#define LDP_TABLE_DDL_H

#include "ldp/arena.h"
#include "table/table.h"

/* An Iceberg schema from DuckDB column definitions ("id BIGINT NOT NULL,
 * ts TIMESTAMP"; NOT NULL columns become required fields) or, when columns is
 * NULL, from the result columns of `query`. The types are translated with
 * format/schema_duckdb.c; a DuckDB type with no Iceberg equivalent is an
 * error naming the column. The schema lives in `a`. */
int ldp_warehouse_schema_from_sql(ldp_warehouse *wh, const char *columns, const char *query, ldp_arena *a,
				  ldp_schema **out);

/* Create a table and fill it with the rows of `select_sql` (two commits: the
 * empty table, then the append). When filling fails, the new table is dropped
 * again with its files (unless someone committed to it meanwhile), so a failed
 * CREATE TABLE AS leaves nothing behind. o->schema NULL: taken from the query. */
int ldp_table_create_as(ldp_warehouse *wh, const ldp_ident *id, const ldp_create_options *o, const char *select_sql,
			ldp_write_result *res);

/* After filling a just-created table failed: drop it again with its files,
 * unless someone committed to it meanwhile. The last error is kept as it was. */
void ldp_table_undo_create(ldp_warehouse *wh, const ldp_ident *id);

#endif
