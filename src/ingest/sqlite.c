/* The SQLite driver: sqlite:///path/db.sqlite?table=t or ?query=select ...
 * (or --table / --query). Rows are streamed with libsqlite3 into a temporary
 * CSV file with explicit column types, which DuckDB turns into a temporary
 * Parquet file for the shared reader (DuckDB's sqlite extension is not
 * available offline). Column types come from the declared types (SQLite's
 * affinity rules, section 3.1 of "Datatypes In SQLite"), or for expressions
 * from the first non-NULL value; a value of another storage class is an
 * error naming its row and column. */
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ingest/ingest_internal.h"
#include "ldp/error.h"
#include "ldp/io.h"

enum col_kind { K_UNKNOWN, K_INT, K_REAL, K_TEXT, K_BLOB };

static enum col_kind affinity(const char *decl)
{
	if (!decl || !*decl)
		return K_UNKNOWN;
	char up[128];
	size_t i;
	for (i = 0; decl[i] && i + 1 < sizeof up; i++)
		up[i] = (char)toupper((unsigned char)decl[i]);
	up[i] = '\0';
	if (strstr(up, "INT"))
		return K_INT;
	if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
		return K_TEXT;
	if (strstr(up, "BLOB"))
		return K_BLOB;
	if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
		return K_REAL;
	/* NUMERIC affinity (DECIMAL, BOOLEAN, DATE, DATETIME...): SQLite keeps
	 * numbers as numbers and anything else as text, so decide by value */
	return K_UNKNOWN;
}

static enum col_kind value_kind(int t)
{
	switch (t) {
	case SQLITE_INTEGER: return K_INT;
	case SQLITE_FLOAT: return K_REAL;
	case SQLITE_BLOB: return K_BLOB;
	default: return K_TEXT;
	}
}

static const char *kind_name(enum col_kind k)
{
	static const char *const n[] = {"?", "INTEGER", "REAL", "TEXT", "BLOB"};
	return n[k];
}

static void url_decode(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			char hex[3] = {s[1], s[2], 0};
			*o++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void csv_field(FILE *f, const char *s, int n)
{
	fputc('"', f);
	for (int i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

typedef struct stage {
	sqlite3_stmt *st;
	const char *db, *what;
	int ncols;
	enum col_kind *kinds;
	FILE *csv;
	int64_t rows;
} stage;

/* One row into the CSV; NULL is an unquoted \N, text is always quoted. */
static int stage_row(stage *s)
{
	for (int c = 0; c < s->ncols; c++) {
		if (c)
			fputc(',', s->csv);
		int t = sqlite3_column_type(s->st, c);
		if (t == SQLITE_NULL) {
			fputs("\\N", s->csv);
			continue;
		}
		enum col_kind vk = value_kind(t);
		if (s->kinds[c] == K_UNKNOWN)
			s->kinds[c] = vk;
		enum col_kind ck = s->kinds[c];
		if (vk != ck && !(ck == K_REAL && vk == K_INT))
			return ldp_error_set(LDP_EINVALID,
					     "%s, %s, row %lld, column '%s': a %s value in a %s column; cast it in "
					     "the query (--query 'select CAST(...)')",
					     s->db, s->what, (long long)s->rows + 1, sqlite3_column_name(s->st, c),
					     kind_name(vk), kind_name(ck));
		if (ck == K_INT) {
			fprintf(s->csv, "%lld", (long long)sqlite3_column_int64(s->st, c));
		} else if (ck == K_REAL) {
			fprintf(s->csv, "%.17g", sqlite3_column_double(s->st, c));
		} else if (ck == K_BLOB) {
			const unsigned char *b = sqlite3_column_blob(s->st, c);
			int n = sqlite3_column_bytes(s->st, c);
			for (int i = 0; i < n; i++)
				fprintf(s->csv, "%02x", b[i]);
		} else {
			csv_field(s->csv, (const char *)sqlite3_column_text(s->st, c), sqlite3_column_bytes(s->st, c));
		}
	}
	fputc('\n', s->csv);
	s->rows++;
	return ferror(s->csv) ? ldp_error_set(LDP_EIO, "writing the staging file for %s failed (disk full?)", s->db)
			      : LDP_OK;
}

static int parse_uri(const char *uri, const ldp_ingest_options *o, char **path, char **table, char **query)
{
	const char *p = uri + strlen("sqlite://");
	*path = strdup(p);
	if (!*path)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	*table = *query = NULL;
	char *q = strchr(*path, '?');
	if (q) {
		*q++ = '\0';
		for (char *save = NULL, *kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');
			if (!eq)
				return ldp_error_set(LDP_EINVALID, "%s: '%s' is not name=value", uri, kv);
			*eq++ = '\0';
			url_decode(eq);
			if (!strcmp(kv, "table"))
				*table = eq;
			else if (!strcmp(kv, "query"))
				*query = eq;
			else
				return ldp_error_set(LDP_EINVALID, "%s: unknown parameter '%s' (use table= or query=)", uri, kv);
		}
	}
	if (ldp_ingest_opt(o, "table"))
		*table = (char *)ldp_ingest_opt(o, "table");
	if (ldp_ingest_opt(o, "query"))
		*query = (char *)ldp_ingest_opt(o, "query");
	if (!!*table + !!*query != 1)
		return ldp_error_set(LDP_EINVALID, "%s: say which rows to read with ?table=NAME or ?query=SELECT... (exactly one)", uri);
	return LDP_OK;
}

int ldp_ingest_fetch_sqlite(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out)
{
	char *path = NULL, *table = NULL, *query = NULL;
	int rc = parse_uri(uri, o, &path, &table, &query);
	sqlite3 *db = NULL;
	stage s;
	memset(&s, 0, sizeof s);
	char csvpath[] = "/tmp/ldp-sqlite-XXXXXX";
	int fd = -1;
	ldp_buf sql = LDP_BUF_INIT, what = LDP_BUF_INIT;
	if (!rc && !ldp_io_exists(path))
		rc = ldp_error_set(LDP_ENOTFOUND, "%s: no such SQLite database", path);
	if (!rc && sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		rc = ldp_error_set(LDP_EIO, "%s: cannot open as SQLite: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
	if (!rc) {
		if (table) {
			ldp_buf_puts(&sql, "SELECT * FROM ");
			ldp_buf_put_sql_ident(&sql, table);
		} else {
			ldp_buf_puts(&sql, query);
		}
		if (sqlite3_prepare_v2(db, ldp_buf_cstr(&sql), -1, &s.st, NULL) != SQLITE_OK)
			rc = ldp_error_set(LDP_EINVALID, "%s: %s", path, sqlite3_errmsg(db));
	}
	if (!rc) {
		s.db = path;
		ldp_buf_clear(&what);
		ldp_buf_printf(&what, "%s%s", table ? "table " : "query", table ? table : "");
		s.what = ldp_buf_cstr(&what);
		s.ncols = sqlite3_column_count(s.st);
		s.kinds = calloc((size_t)s.ncols + 1, sizeof *s.kinds);
		if (!s.kinds)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		for (int c = 0; !rc && c < s.ncols; c++)
			s.kinds[c] = affinity(sqlite3_column_decltype(s.st, c));
		if (!rc && s.ncols == 0)
			rc = ldp_error_set(LDP_EINVALID, "%s: the query returns no columns", path);
	}
	if (!rc && ((fd = mkstemp(csvpath)) < 0 || !(s.csv = fdopen(fd, "w"))))
		rc = ldp_error_set(LDP_EIO, "cannot create a staging file in /tmp");
	for (int step; !rc && (step = sqlite3_step(s.st)) != SQLITE_DONE;) {
		if (step != SQLITE_ROW)
			rc = ldp_error_set(LDP_EIO, "%s: %s", path, sqlite3_errmsg(db));
		else
			rc = stage_row(&s);
		if (!rc && o->progress && s.rows % 100000 == 0)
			o->progress(o->progress_ctx, "reading SQLite rows", s.rows, -1);
	}
	if (s.csv && fclose(s.csv) != 0 && !rc)
		rc = ldp_error_set(LDP_EIO, "writing the staging file for %s failed", path);
	/* CSV -> Parquet with the column types decided above */
	ldp_engine *e = NULL;
	if (!rc)
		rc = ldp_warehouse_engine(o->wh, &e);
	if (!rc) {
		ldp_buf_clear(&sql);
		ldp_buf_puts(&sql, "COPY (SELECT ");
		for (int c = 0; c < s.ncols; c++) {
			ldp_buf_puts(&sql, c ? ", " : "");
			ldp_buf_printf(&sql, s.kinds[c] == K_BLOB ? "unhex(column%d) AS " : "column%d AS ", c);
			ldp_buf_put_sql_ident(&sql, sqlite3_column_name(s.st, c));
		}
		ldp_buf_puts(&sql, " FROM read_csv(");
		ldp_buf_put_sql_string(&sql, csvpath);
		ldp_buf_puts(&sql, ", header=false, auto_detect=false, delim=',', quote='\"', escape='\"', "
				   "nullstr='\\N', allow_quoted_nulls=false, columns={");
		for (int c = 0; c < s.ncols; c++) {
			static const char *const dt[] = {"VARCHAR", "BIGINT", "DOUBLE", "VARCHAR", "VARCHAR"};
			ldp_buf_printf(&sql, "%s'column%d': '%s'", c ? ", " : "", c, dt[s.kinds[c]]);
		}
		ldp_buf_puts(&sql, "})) TO ");
		char pq[sizeof csvpath + 16];
		snprintf(pq, sizeof pq, "%s.parquet", csvpath);
		ldp_buf_put_sql_string(&sql, pq);
		ldp_buf_puts(&sql, " (FORMAT parquet)");
		rc = ldp_buf_oom(&sql) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&sql));
		if (!rc) {
			out->temporary = 1;
			rc = ldp_ingest_files_add(out, pq);
			free(out->format);
			out->format = strdup("parquet");
		} else {
			ldp_io_remove(pq);
		}
	}
	if (fd >= 0)
		unlink(csvpath);
	sqlite3_finalize(s.st);
	sqlite3_close(db);
	free(s.kinds);
	free(path);
	ldp_buf_free(&sql);
	ldp_buf_free(&what);
	return rc;
}
