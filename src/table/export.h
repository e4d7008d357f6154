/*
 * table/export.h - copy a table (at any snapshot) or a query's rows out of
 * the warehouse: into a DuckDB database file (tables, or views over the
 * Iceberg data files), a SQLite database file, or CSV/TSV/Parquet/JSON files
 * (one file, or a directory partitioned by columns). docs/export.md.
 *
 * Every target is written under a temporary name next to it and renamed into
 * place at the end, so a failed export leaves the old target (or nothing).
 */
#ifndef LDP_TABLE_EXPORT_H
#define LDP_TABLE_EXPORT_H

#include "table/table.h"

typedef enum ldp_export_format {
	LDP_EXPORT_AUTO = 0, /* from the target's extension */
	LDP_EXPORT_DUCKDB,
	LDP_EXPORT_SQLITE,
	LDP_EXPORT_CSV,
	LDP_EXPORT_TSV,
	LDP_EXPORT_PARQUET,
	LDP_EXPORT_JSON,   /* one JSON array */
	LDP_EXPORT_NDJSON  /* one object per line */
} ldp_export_format;

typedef struct ldp_export_options {
	const char *source;          /* ns.t, ns."t@<snapshot|ref|time>", a namespace (database targets), or a query */
	const char *target;          /* a path */
	ldp_export_format format;
	int force;                   /* replace an existing target */
	int as_views;                /* DuckDB: views over the data files instead of tables */
	const char *partition_by;    /* files: "col1, col2" -> a directory of col=value/ parts */
	ldp_snapshot_selector at;    /* time travel for a table source */
	const char *name;            /* table name inside a database target (default: the table's, or "result") */
} ldp_export_options;

typedef struct ldp_export_result {
	ldp_export_format format;
	int64_t rows;   /* rows written (all tables) */
	int tables;     /* tables or views written */
} ldp_export_result;

int ldp_export_format_parse(const char *s, ldp_export_format *out);
const char *ldp_export_format_name(ldp_export_format f);

/* wh may be NULL (no project): then only query sources work, run in engine e. */
int ldp_export(ldp_warehouse *wh, ldp_engine *e, const ldp_export_options *o, ldp_export_result *res);

/* Internal: stream the rows of `query` into table `name` of an open SQLite
 * file (export_sqlite.c). */
struct sqlite3;
int ldp_export_sqlite_table(ldp_engine *e, const char *query, struct sqlite3 *db, const char *name, int64_t *rows);

#endif
