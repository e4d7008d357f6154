/* Statement routing for ldp sql / ldp shell; see table/sqlrun.h. */
#include "table/sqlrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/sqlscan.h"
#include "table/table.h"
#include "ldp/error.h"

void ldp_sql_outcome_clear(ldp_sql_outcome *o)
{
	ldp_result_free(o->rows);
	free(o->message);
	memset(o, 0, sizeof *o);
}

static int is(const char *w, const char *kw) { return strcmp(w, kw) == 0; }

ldp_sql_kind ldp_sql_classify(const char *stmt, size_t len)
{
	char w[6][32];
	size_t n = ldp_sql_words(stmt, len, w, 6);
	if (n == 0)
		return LDP_SQLK_OTHER;
	size_t i = 1;
	if (is(w[0], "create")) {
		/* CREATE [OR REPLACE] [TEMP|TEMPORARY] TABLE | SCHEMA | NAMESPACE */
		if (i + 1 < n && is(w[i], "or") && is(w[i + 1], "replace"))
			i += 2;
		if (i < n && (is(w[i], "temp") || is(w[i], "temporary")))
			return LDP_SQLK_OTHER; /* DuckDB session tables stay DuckDB's */
		if (i < n && is(w[i], "table"))
			return LDP_SQLK_CREATE_TABLE;
		if (i < n && (is(w[i], "schema") || is(w[i], "namespace")))
			return LDP_SQLK_CREATE_SCHEMA;
		return LDP_SQLK_OTHER;
	}
	if (is(w[0], "insert"))
		return LDP_SQLK_INSERT;
	if (is(w[0], "delete"))
		return LDP_SQLK_DELETE;
	if (is(w[0], "update"))
		return LDP_SQLK_UPDATE;
	if (is(w[0], "merge"))
		return LDP_SQLK_MERGE;
	if (is(w[0], "alter") && n > 1 && is(w[1], "table"))
		return LDP_SQLK_ALTER_TABLE;
	if (is(w[0], "drop") && n > 1 && is(w[1], "table"))
		return LDP_SQLK_DROP_TABLE;
	if (is(w[0], "drop") && n > 1 && (is(w[1], "schema") || is(w[1], "namespace")))
		return LDP_SQLK_DROP_SCHEMA;
	if (is(w[0], "truncate"))
		return LDP_SQLK_TRUNCATE;
	if (is(w[0], "show"))
		return LDP_SQLK_SHOW;
	if (is(w[0], "describe") || is(w[0], "desc"))
		return LDP_SQLK_DESCRIBE;
	return LDP_SQLK_OTHER;
}

const char *ldp_sql_kind_name(ldp_sql_kind k)
{
	static const char *const names[] = {"statement", "CREATE SCHEMA", "CREATE TABLE", "INSERT", "DELETE",
					    "UPDATE", "MERGE", "ALTER TABLE", "DROP TABLE", "DROP SCHEMA",
					    "TRUNCATE", "SHOW", "DESCRIBE"};
	return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "statement";
}

static int run_in_duckdb(ldp_sql_session *s, const char *stmt, ldp_sql_outcome *out)
{
	int rc = LDP_OK;
	if (s->wh && (rc = ldp_warehouse_bind_sql(s->wh, stmt)))
		return rc;
	ldp_stmt *st = NULL;
	ldp_result *r = NULL;
	if ((rc = ldp_engine_prepare(s->engine, stmt, &st)))
		return rc;
	rc = ldp_stmt_execute(st, &r);
	int rows = ldp_stmt_returns_rows(st);
	ldp_stmt_free(st);
	if (rc)
		return rc;
	if (rows) {
		out->rows = r;
		return LDP_OK;
	}
	/* Drain so the statement completes (COPY, CREATE...). */
	ldp_chunk *c;
	while ((rc = ldp_result_fetch(r, &c)) == LDP_OK && c)
		;
	ldp_result_free(r);
	return rc;
}

int ldp_sql_run(ldp_sql_session *s, const char *stmt, ldp_sql_outcome *out)
{
	memset(out, 0, sizeof *out);
	ldp_sql_kind k = ldp_sql_classify(stmt, strlen(stmt));
	int rc = LDP_SQL_PASS;
	if (s->wh) {
		switch (k) {
		case LDP_SQLK_OTHER:
			break;
		case LDP_SQLK_ALTER_TABLE:
			rc = ldp_sql_handle_alter(s, k, stmt, out);
			break;
		case LDP_SQLK_DELETE:
		case LDP_SQLK_UPDATE:
		case LDP_SQLK_MERGE:
			rc = ldp_sql_handle_dml(s, k, stmt, out);
			break;
		default:
			rc = ldp_sql_handle_ddl(s, k, stmt, out);
			break;
		}
	}
	if (rc != LDP_SQL_PASS)
		return rc;
	ldp_sql_outcome_clear(out);
	return run_in_duckdb(s, stmt, out);
}
