/*
 * ldp/engine.h - the SQL engine (embedded DuckDB) as libldp uses it.
 *
 * An ldp_engine is one DuckDB database (in memory or a file) with one
 * connection. It never downloads or auto-loads extensions: Parquet, JSON and
 * ICU are compiled into the pinned DuckDB, and that is all ldp relies on.
 *
 * Results stream: ldp_result_fetch() hands out one chunk (up to 2048 rows) at
 * a time, so a query over a large file never materialises in memory.
 *
 * Ownership: every object returned through an `out` pointer belongs to the
 * caller and is released by the matching _free(). A chunk belongs to its
 * result and stays valid until the next fetch or until the result is freed.
 */
#ifndef LDP_ENGINE_H
#define LDP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "ldp/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ldp_engine ldp_engine;
typedef struct ldp_stmt ldp_stmt;
typedef struct ldp_result ldp_result;
typedef struct ldp_chunk ldp_chunk;

typedef struct ldp_engine_options {
	int threads;             /* 0: DuckDB's default (all cores) */
	const char *memory_limit; /* e.g. "4GB"; NULL: DuckDB's default */
	const char *timezone;    /* NULL: "UTC" */
	int progress;            /* show DuckDB's progress bar on the terminal for
	                            statements running longer than 2 s */
} ldp_engine_options;

/* Open `path` (NULL or ":memory:" for an in-memory database). */
int ldp_engine_open(ldp_engine **out, const char *path, const ldp_engine_options *opts);
void ldp_engine_free(ldp_engine *e);
/* "v1.5.6" */
const char *ldp_engine_duckdb_version(void);
/* Cancel the statement running on this engine (safe from a signal handler
 * thread; the running call fails with LDP_EINTERRUPTED). */
void ldp_engine_interrupt(ldp_engine *e);

/* Run every statement in `sql`, discarding results. */
int ldp_engine_exec(ldp_engine *e, const char *sql);
/* Run one statement and return the first column of the first row as text
 * (NULL when the result is empty or SQL NULL); free() it. */
int ldp_engine_query_text(ldp_engine *e, const char *sql, char **out);
/* Run a single statement with a streaming result. */
int ldp_engine_query(ldp_engine *e, const char *sql, ldp_result **out);

/* Split `sql` into its statements and prepare them one by one: each call to
 * ldp_engine_prepare_next prepares the next statement (after the previous ones
 * have run, so DDL earlier in the script is visible). *out is NULL at the end. */
typedef struct ldp_script ldp_script;
int ldp_engine_script(ldp_engine *e, const char *sql, ldp_script **out);
size_t ldp_script_count(const ldp_script *s);
int ldp_script_prepare(ldp_script *s, size_t i, ldp_stmt **out);
void ldp_script_free(ldp_script *s);

int ldp_engine_prepare(ldp_engine *e, const char *sql, ldp_stmt **out);
int ldp_stmt_bind_text(ldp_stmt *st, size_t idx, const char *v); /* idx from 1 */
int ldp_stmt_bind_int64(ldp_stmt *st, size_t idx, int64_t v);
int ldp_stmt_bind_double(ldp_stmt *st, size_t idx, double v);
int ldp_stmt_bind_null(ldp_stmt *st, size_t idx);
int ldp_stmt_clear_bindings(ldp_stmt *st);
/* True for statements that return rows to show (SELECT, EXPLAIN, SHOW...). */
int ldp_stmt_returns_rows(const ldp_stmt *st);
int ldp_stmt_execute(ldp_stmt *st, ldp_result **out);
void ldp_stmt_free(ldp_stmt *st);

size_t ldp_result_column_count(const ldp_result *r);
const char *ldp_result_column_name(const ldp_result *r, size_t col);
/* SQL type name: BIGINT, DECIMAL(10,2), VARCHAR[], STRUCT(a INTEGER)... */
const char *ldp_result_column_type(const ldp_result *r, size_t col);
/* 1 if the column holds numbers (right-aligned in tables, unquoted in JSON). */
int ldp_result_column_is_numeric(const ldp_result *r, size_t col);
/* Next chunk; 0 with *out == NULL at the end. */
int ldp_result_fetch(ldp_result *r, ldp_chunk **out);
/* Rows changed, for statements that report it (INSERT/UPDATE/DELETE/COPY). */
int64_t ldp_result_rows_changed(const ldp_result *r);
void ldp_result_free(ldp_result *r);

size_t ldp_chunk_rows(const ldp_chunk *c);
int ldp_chunk_is_null(const ldp_chunk *c, size_t col, size_t row);

typedef enum ldp_value_style {
	LDP_VALUE_TEXT = 0, /* DuckDB's text rendering: 1.5, [1, 2], {'a': 1}, 2023-01-01 */
	LDP_VALUE_JSON = 1  /* a JSON value: numbers bare, strings quoted, nested as JSON */
} ldp_value_style;
/* Append the value at (col,row) to b. NULL renders as "NULL" (text) or null. */
void ldp_chunk_format(const ldp_chunk *c, size_t col, size_t row, ldp_value_style style, ldp_buf *b);
int64_t ldp_chunk_get_int64(const ldp_chunk *c, size_t col, size_t row); /* integer columns */
int ldp_chunk_get_bool(const ldp_chunk *c, size_t col, size_t row);     /* BOOLEAN columns */

/* ---- Parquet writer primitive (what the Iceberg writer calls) ---- */

/* Iceberg field ids for the columns of the written relation. Nested columns
 * carry their children: struct fields by name; a list's element is the child
 * named "element"; a map's "key" and "value". */
typedef struct ldp_field_id {
	const char *name;
	int32_t id;
	size_t nchildren;
	const struct ldp_field_id *children;
} ldp_field_id;

typedef struct ldp_parquet_options {
	const ldp_field_id *field_ids; /* top-level columns; may be NULL */
	size_t nfield_ids;
	const char *compression;       /* NULL: "zstd" */
	int64_t row_group_size;        /* rows; 0: DuckDB's default */
	int64_t target_file_size;      /* bytes; 0: one file. Otherwise `path` is a directory
	                                  receiving one or more files of about this size */
	const char *const *partition_by; /* columns: `path` becomes a directory of hive-style
	                                    col=value/ subdirectories; those columns are not
	                                    written into the files. Cannot be combined with
	                                    target_file_size (DuckDB writes one file per
	                                    partition and thread). */
	size_t npartition_by;
	const char *filename_pattern;    /* for directory outputs; NULL: "data_{uuid}" */
} ldp_parquet_options;

/* Statistics of one leaf column of a written file. min/max are DuckDB's text
 * rendering of the logical value (NULL when the file has no min/max). */
typedef struct ldp_column_stats {
	int32_t field_id;      /* -1 when the column had no field id */
	char *path;            /* "a.b.element" */
	char *type;            /* DuckDB type of the leaf, e.g. BIGINT; NULL when the
	                          statistics came from the writer (RETURN_STATS) */
	int64_t value_count;   /* values including nulls (for lists: elements) */
	int64_t null_count;
	int64_t compressed_size;
	char *min;
	char *max;
} ldp_column_stats;

typedef struct ldp_data_file {
	char *path;
	int hex_binary;        /* min/max of BLOB columns are hex digits (the writer's
	                          RETURN_STATS) rather than DuckDB's blob text */
	int64_t record_count;
	int64_t file_size;
	size_t ncolumns;
	ldp_column_stats *columns;
} ldp_data_file;

typedef struct ldp_data_files {
	size_t count;
	ldp_data_file *files;
} ldp_data_files;

/* Write the rows of `select_sql` (any query) to Parquet at `path`. */
int ldp_engine_write_parquet(ldp_engine *e, const char *select_sql, const char *path,
			     const ldp_parquet_options *opts, ldp_data_files **out);
/* Read the per-file and per-column statistics of an existing Parquet file. */
int ldp_engine_parquet_stats(ldp_engine *e, const char *path, ldp_data_file *out);
void ldp_data_file_clear(ldp_data_file *f);
void ldp_data_files_free(ldp_data_files *f);

#ifdef __cplusplus
}
#endif
#endif
