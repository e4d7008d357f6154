/* Table creation helpers; see table/ddl.h. */
#include "table/ddl.h"

#include <stdlib.h>
#include <string.h>

#include "format/schema.h"
#include "ldp/error.h"

/* NOT NULL columns of the scratch table become required fields. */
static int mark_required(ldp_engine *e, ldp_schema *s)
{
	ldp_result *r = NULL;
	int rc = ldp_engine_query(e, "SELECT column_name FROM duckdb_columns() WHERE table_name = '__ldp_new_schema' "
				     "AND NOT is_nullable", &r);
	ldp_chunk *c;
	ldp_buf n = LDP_BUF_INIT;
	while (!rc && (rc = ldp_result_fetch(r, &c)) == LDP_OK && c) {
		for (size_t i = 0; i < ldp_chunk_rows(c); i++) {
			ldp_buf_clear(&n);
			ldp_chunk_format(c, 0, i, LDP_VALUE_TEXT, &n);
			for (size_t f = 0; f < s->root.nfields; f++)
				if (strcmp(s->root.fields[f].name, ldp_buf_cstr(&n)) == 0)
					s->root.fields[f].required = true;
		}
	}
	ldp_buf_free(&n);
	ldp_result_free(r);
	return rc;
}

int ldp_warehouse_schema_from_sql(ldp_warehouse *wh, const char *columns, const char *query, ldp_arena *a,
				  ldp_schema **out)
{
	ldp_engine *e;
	int rc = ldp_warehouse_engine(wh, &e);
	if (rc)
		return rc;
	ldp_buf q = LDP_BUF_INIT;
	if (columns) {
		/* DuckDB parses the column list, so its type names and NOT NULL work as in DuckDB. */
		ldp_buf_puts(&q, "CREATE OR REPLACE TEMP TABLE __ldp_new_schema (");
		ldp_buf_puts(&q, columns);
		ldp_buf_puts(&q, ")");
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
		if (rc) {
			ldp_buf_free(&q);
			return ldp_error_wrap(rc, "column definitions");
		}
		ldp_buf_clear(&q);
		ldp_buf_puts(&q, "SELECT * FROM __ldp_new_schema");
	} else {
		if ((rc = ldp_warehouse_bind_sql(wh, query))) {
			ldp_buf_free(&q);
			return rc;
		}
		ldp_buf_puts(&q, "SELECT * FROM (");
		ldp_buf_puts(&q, query);
		ldp_buf_puts(&q, "\n) LIMIT 0");
	}
	ldp_result *r = NULL;
	rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	ldp_buf_free(&q);
	if (!rc)
		rc = ldp_schema_from_duckdb_result(a, r, out);
	ldp_result_free(r);
	if (!rc && columns)
		rc = mark_required(e, *out);
	if (columns)
		ldp_engine_exec(e, "DROP TABLE IF EXISTS __ldp_new_schema");
	return rc;
}

void ldp_table_undo_create(ldp_warehouse *wh, const ldp_ident *id)
{
	int code = ldp_error_last()->code;
	char *msg = strdup(ldp_error_last()->message);
	ldp_table *t = NULL;
	if (ldp_table_load(wh, id, &t) == LDP_OK && t->meta->nsnapshots == 0)
		ldp_table_drop(wh, id, 1);
	ldp_table_free(t);
	ldp_error_set(code, "%s", msg ? msg : "filling the new table failed");
	free(msg);
}

int ldp_table_create_as(ldp_warehouse *wh, const ldp_ident *id, const ldp_create_options *o, const char *select_sql,
			ldp_write_result *res)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_create_options co = *o;
	ldp_schema *schema = NULL;
	int rc = LDP_OK;
	if (!co.schema && !(rc = ldp_warehouse_schema_from_sql(wh, NULL, select_sql, &a, &schema)))
		co.schema = schema;
	ldp_table *t = NULL;
	if (!rc)
		rc = ldp_table_create(wh, id, &co, &t);
	ldp_table_free(t);
	ldp_arena_free(&a);
	if (rc)
		return rc;
	ldp_write_options wo = {.mode = LDP_WRITE_APPEND};
	rc = ldp_table_write(wh, id, select_sql, &wo, res);
	if (rc)
		ldp_table_undo_create(wh, id);
	return rc;
}
