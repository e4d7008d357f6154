/*
 * Rows of a DuckDB query into a SQLite table (ldp export to .sqlite). Type
 * mapping (docs/export.md): integers and booleans -> INTEGER; float, double
 * and decimal -> REAL (decimals beyond 15 significant digits lose precision);
 * blob -> BLOB; lists, structs and maps -> TEXT holding JSON; everything else
 * (strings, uuid, date, time, timestamp as ISO 8601 text, which SQLite's date
 * functions read) -> TEXT.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldp/error.h"
#include "table/export.h"

typedef enum kind { K_INT, K_BIGTEXT, K_REAL, K_BOOL, K_BLOB, K_JSON, K_TEXT } kind;

static kind kind_of(const char *ty)
{
	static const char *const ints[] = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		if (strcmp(ty, ints[i]) == 0)
			return K_INT;
	if (strcmp(ty, "UBIGINT") == 0 || strcmp(ty, "HUGEINT") == 0 || strcmp(ty, "UHUGEINT") == 0)
		return K_BIGTEXT;
	if (strcmp(ty, "FLOAT") == 0 || strcmp(ty, "DOUBLE") == 0 || strncmp(ty, "DECIMAL", 7) == 0)
		return K_REAL;
	if (strcmp(ty, "BOOLEAN") == 0)
		return K_BOOL;
	if (strcmp(ty, "BLOB") == 0)
		return K_BLOB;
	size_t n = strlen(ty);
	if (strncmp(ty, "STRUCT", 6) == 0 || strncmp(ty, "MAP", 3) == 0 || (n && ty[n - 1] == ']') || strncmp(ty, "UNION", 5) == 0)
		return K_JSON;
	return K_TEXT;
}

static const char *affinity(kind k)
{
	switch (k) {
	case K_INT: case K_BOOL: case K_BIGTEXT: return "INTEGER";
	case K_REAL: return "REAL";
	case K_BLOB: return "BLOB";
	default: return "TEXT";
	}
}

static void put_ident(ldp_buf *b, const char *s)
{
	ldp_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			ldp_buf_putc(b, '"');
		ldp_buf_putc(b, *s);
	}
	ldp_buf_putc(b, '"');
}

static int hexval(int c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

int ldp_export_sqlite_table(ldp_engine *e, const char *query, sqlite3 *db, const char *name, int64_t *rows)
{
	*rows = 0;
	/* first the column types, to build the table and hex() the blobs */
	ldp_buf q = LDP_BUF_INIT, ddl = LDP_BUF_INIT, ins = LDP_BUF_INIT;
	ldp_buf_printf(&q, "SELECT * FROM (%s\n) LIMIT 0", query);
	ldp_result *r = NULL;
	kind *kinds = NULL;
	sqlite3_stmt *st = NULL;
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	size_t ncols = rc ? 0 : ldp_result_column_count(r);
	if (!rc && !(kinds = calloc(ncols + 1, sizeof *kinds)))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_buf_clear(&q);
	ldp_buf_puts(&q, "SELECT ");
	ldp_buf_puts(&ddl, "CREATE TABLE ");
	put_ident(&ddl, name);
	ldp_buf_puts(&ddl, " (");
	ldp_buf_puts(&ins, "INSERT INTO ");
	put_ident(&ins, name);
	ldp_buf_puts(&ins, " VALUES (");
	for (size_t c = 0; !rc && c < ncols; c++) {
		const char *cn = ldp_result_column_name(r, c);
		kinds[c] = kind_of(ldp_result_column_type(r, c));
		ldp_buf_puts(&ddl, c ? ", " : "");
		put_ident(&ddl, cn);
		ldp_buf_printf(&ddl, " %s", affinity(kinds[c]));
		ldp_buf_puts(&ins, c ? ", ?" : "?");
		ldp_buf_puts(&q, c ? ", " : "");
		if (kinds[c] == K_BLOB) {
			ldp_buf_puts(&q, "hex(");
			ldp_buf_put_sql_ident(&q, cn);
			ldp_buf_puts(&q, ")");
		} else {
			ldp_buf_printf(&q, "#%zu", c + 1);
		}
	}
	ldp_buf_puts(&ddl, ")");
	ldp_buf_puts(&ins, ")");
	ldp_buf_printf(&q, " FROM (%s\n)", query);
	ldp_result_free(r);
	r = NULL;
	if (!rc && (ldp_buf_oom(&q) || ldp_buf_oom(&ddl) || ldp_buf_oom(&ins)))
		rc = LDP_ENOMEM;
	if (!rc && sqlite3_exec(db, ldp_buf_cstr(&ddl), NULL, NULL, NULL) != SQLITE_OK)
		rc = ldp_error_set(LDP_EIO, "SQLite: %s", sqlite3_errmsg(db));
	if (!rc && sqlite3_prepare_v2(db, ldp_buf_cstr(&ins), -1, &st, NULL) != SQLITE_OK)
		rc = ldp_error_set(LDP_EIO, "SQLite: %s", sqlite3_errmsg(db));
	if (!rc)
		rc = ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	ldp_chunk *ch;
	ldp_buf v = LDP_BUF_INIT;
	while (!rc && (rc = ldp_result_fetch(r, &ch)) == LDP_OK && ch) {
		for (size_t i = 0; !rc && i < ldp_chunk_rows(ch); i++) {
			sqlite3_reset(st);
			for (size_t c = 0; c < ncols; c++) {
				int p = (int)c + 1;
				if (ldp_chunk_is_null(ch, c, i)) {
					sqlite3_bind_null(st, p);
					continue;
				}
				if (kinds[c] == K_INT) {
					sqlite3_bind_int64(st, p, ldp_chunk_get_int64(ch, c, i));
					continue;
				}
				if (kinds[c] == K_BOOL) {
					sqlite3_bind_int(st, p, ldp_chunk_get_bool(ch, c, i));
					continue;
				}
				ldp_buf_clear(&v);
				ldp_chunk_format(ch, c, i, kinds[c] == K_JSON ? LDP_VALUE_JSON : LDP_VALUE_TEXT, &v);
				if (ldp_buf_oom(&v)) {
					rc = LDP_ENOMEM;
					break;
				}
				if (kinds[c] == K_REAL) {
					sqlite3_bind_double(st, p, strtod(ldp_buf_cstr(&v), NULL));
				} else if (kinds[c] == K_BLOB) { /* hex() text back to bytes, in place */
					size_t n = v.len / 2;
					for (size_t k = 0; k < n; k++)
						v.ptr[k] = (char)(hexval(v.ptr[2 * k]) << 4 | hexval(v.ptr[2 * k + 1]));
					sqlite3_bind_blob(st, p, v.ptr, (int)n, SQLITE_TRANSIENT);
				} else {
					sqlite3_bind_text(st, p, ldp_buf_cstr(&v), (int)v.len, SQLITE_TRANSIENT);
				}
			}
			if (!rc && sqlite3_step(st) != SQLITE_DONE)
				rc = ldp_error_set(LDP_EIO, "SQLite: %s", sqlite3_errmsg(db));
			if (!rc)
				(*rows)++;
		}
	}
	ldp_buf_free(&v);
	sqlite3_finalize(st);
	ldp_result_free(r);
	free(kinds);
	ldp_buf_free(&q);
	ldp_buf_free(&ddl);
	ldp_buf_free(&ins);
	return rc;
}
