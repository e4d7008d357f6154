/* --stage-sqlite DB: the seed's "raw data in SQLite" step. The batch is also
 * written, as read, into table <name> of a SQLite database (created when
 * missing; replaced by --mode overwrite, appended to otherwise) before the
 * Iceberg commit. Values go in as text and SQLite's column affinity (INTEGER,
 * REAL, TEXT, from the DuckDB types) stores numbers as numbers; dates and
 * timestamps stay ISO text, as SQLite keeps them. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"
#include "ldp/error.h"

static const char *affinity_of(const char *duck_type)
{
	static const char *const ints[] = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
					   "UINTEGER", "UBIGINT", "HUGEINT", "BOOLEAN", NULL};
	for (int i = 0; ints[i]; i++)
		if (!strcasecmp(duck_type, ints[i]))
			return "INTEGER";
	if (!strcasecmp(duck_type, "DOUBLE") || !strcasecmp(duck_type, "FLOAT") || !strncasecmp(duck_type, "DECIMAL", 7))
		return "REAL";
	if (!strcasecmp(duck_type, "BLOB"))
		return "BLOB";
	return "TEXT";
}

static int sqlite_fail(sqlite3 *db, const char *path, const char *what)
{
	return ldp_error_set(LDP_EIO, "staging into SQLite %s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "out of memory");
}

int ingest_stage_sqlite(ldp_engine *e, const char *select_sql, const char *db_path, const char *table, int replace,
			int64_t *rows)
{
	*rows = 0;
	ldp_result *r = NULL;
	int rc = ldp_engine_query(e, select_sql, &r);
	if (rc)
		return rc;
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	ldp_buf q = LDP_BUF_INIT;
	size_t ncol = ldp_result_column_count(r);
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		rc = sqlite_fail(db, db_path, "opening");
	if (!rc && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		rc = sqlite_fail(db, db_path, "starting a transaction");
	if (!rc && replace) {
		ldp_buf_puts(&q, "DROP TABLE IF EXISTS ");
		ldp_buf_put_sql_ident(&q, table);
		if (sqlite3_exec(db, ldp_buf_cstr(&q), NULL, NULL, NULL) != SQLITE_OK)
			rc = sqlite_fail(db, db_path, "dropping the old table");
	}
	if (!rc) {
		ldp_buf_clear(&q);
		ldp_buf_puts(&q, "CREATE TABLE IF NOT EXISTS ");
		ldp_buf_put_sql_ident(&q, table);
		ldp_buf_puts(&q, " (");
		for (size_t c = 0; c < ncol; c++) {
			ldp_buf_puts(&q, c ? ", " : "");
			ldp_buf_put_sql_ident(&q, ldp_result_column_name(r, c));
			ldp_buf_printf(&q, " %s", affinity_of(ldp_result_column_type(r, c)));
		}
		ldp_buf_puts(&q, ")");
		if (ldp_buf_oom(&q))
			rc = LDP_ENOMEM;
		else if (sqlite3_exec(db, ldp_buf_cstr(&q), NULL, NULL, NULL) != SQLITE_OK)
			rc = sqlite_fail(db, db_path, "creating the table");
	}
	if (!rc) {
		/* by name, so an existing table with other columns fails clearly */
		ldp_buf_clear(&q);
		ldp_buf_puts(&q, "INSERT INTO ");
		ldp_buf_put_sql_ident(&q, table);
		ldp_buf_puts(&q, " (");
		for (size_t c = 0; c < ncol; c++) {
			ldp_buf_puts(&q, c ? ", " : "");
			ldp_buf_put_sql_ident(&q, ldp_result_column_name(r, c));
		}
		ldp_buf_puts(&q, ") VALUES (");
		for (size_t c = 0; c < ncol; c++)
			ldp_buf_puts(&q, c ? ", ?" : "?");
		ldp_buf_puts(&q, ")");
		if (ldp_buf_oom(&q))
			rc = LDP_ENOMEM;
		else if (sqlite3_prepare_v2(db, ldp_buf_cstr(&q), -1, &ins, NULL) != SQLITE_OK)
			rc = sqlite_fail(db, db_path, "preparing the insert");
	}
	ldp_chunk *ch;
	ldp_buf v = LDP_BUF_INIT;
	while (!rc && (rc = ldp_result_fetch(r, &ch)) == LDP_OK && ch) {
		for (size_t i = 0; !rc && i < ldp_chunk_rows(ch); i++) {
			for (size_t c = 0; c < ncol; c++) {
				if (ldp_chunk_is_null(ch, c, i)) {
					sqlite3_bind_null(ins, (int)c + 1);
					continue;
				}
				ldp_buf_clear(&v);
				ldp_chunk_format(ch, c, i, LDP_VALUE_TEXT, &v);
				sqlite3_bind_text(ins, (int)c + 1, ldp_buf_cstr(&v), (int)v.len, SQLITE_TRANSIENT);
			}
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = sqlite_fail(db, db_path, "inserting a row");
			sqlite3_reset(ins);
			(*rows)++;
		}
	}
	ldp_buf_free(&v);
	sqlite3_finalize(ins);
	if (db && sqlite3_exec(db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL) != SQLITE_OK && !rc)
		rc = sqlite_fail(db, db_path, "committing");
	sqlite3_close(db);
	ldp_result_free(r);
	ldp_buf_free(&q);
	return rc;
}
