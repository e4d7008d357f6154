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
} ldp_dml_result;

/* Run `stmt`, a DELETE/UPDATE/MERGE whose target table name has been replaced
 * by the temporary table __ldp_dml, against table `id` (on `branch`, NULL:
 * main). Nothing is committed on error. */
int ldp_table_dml(ldp_warehouse *wh, const ldp_ident *id, const char *branch, ldp_sql_kind kind, const char *stmt,
		  ldp_dml_result *out);

/* DELETE FROM <table> AS <alias> [WHERE <cond>] without copying the table:
 * the positions of the rows `cond` selects are read straight from the scan.
 * `alias` is SQL (an identifier, quoted if need be); cond NULL deletes all. */
int ldp_table_delete_where(ldp_warehouse *wh, const ldp_ident *id, const char *branch, const char *alias,
			   const char *cond, ldp_dml_result *out);

#endif
