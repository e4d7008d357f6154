/*
 * table/rowlevel.h - DELETE, UPDATE and MERGE INTO on an Iceberg table.
 *
 * DuckDB evaluates the statement with its own semantics on a temporary copy
 * of the table's live rows (delete files applied) that carries each row's
 * data file and position; RETURNING tells which rows were deleted, updated
 * or inserted. The change then commits as one snapshot:
 *  - copy-on-write (default): every touched data file is rewritten without
 *    its deleted rows and with its updated ones; inserted rows are added;
 *  - merge-on-read (table property write.delete.mode / write.update.mode /
 *    write.merge.mode = merge-on-read): position delete files name the
 *    deleted and updated rows, and new data files hold updated and inserted
 *    rows.
 * Internal to table/ (ldp sql reaches it through sql_dml.c).
 */
#ifndef LDP_TABLE_ROWLEVEL_H
#define LDP_TABLE_ROWLEVEL_H

#include "table/sqlrun.h"
#include "table/table.h"

typedef struct ldp_dml_result {
	int64_t deleted, updated, inserted;
	int64_t snapshot_id;   /* -1 when nothing changed (no commit) */
	int merge_on_read;
	int64_t files_rewritten; /* copy-on-write */
	int64_t delete_files;    /* merge-on-read */
	int64_t files_read;      /* data files the statement read */
	int64_t files_pruned;    /* data files planning left out (no possible match) */
} ldp_dml_result;

/* Run `stmt`, a DELETE/UPDATE/MERGE whose target table name has been replaced
 * by the temporary table __ldp_dml, against table `id` (on `branch`, NULL:
 * main). `where` (may be NULL) is a condition every row the statement
 * changes satisfies, over the target named `alias` (SQL): scan planning
 * prunes with it, so only files that may hold such rows are read and
 * rewritten. Nothing is committed on error. */
int ldp_table_dml(ldp_warehouse *wh, const ldp_ident *id, const char *branch, ldp_sql_kind kind, const char *stmt,
		  const char *alias, const char *where, ldp_dml_result *out);

/* ldp_table_dml for MERGE with `on`, its ON condition, as `where`. `source`
 * (SQL) names the source in it: when the target has a column of that name,
 * source.x could read as the target's struct field, so nothing is pruned. */
int ldp_table_dml_merge(ldp_warehouse *wh, const ldp_ident *id, const char *branch, const char *stmt,
			const char *alias, const char *on, const char *source, ldp_dml_result *out);

/* DELETE FROM <table> AS <alias> [WHERE <cond>] without copying the table:
 * the positions of the rows `cond` selects are read straight from the scan
 * (planned with `cond` as the filter).
 * `alias` is SQL (an identifier, quoted if need be); cond NULL deletes all. */
int ldp_table_delete_where(ldp_warehouse *wh, const ldp_ident *id, const char *branch, const char *alias,
			   const char *cond, ldp_dml_result *out);

#endif
