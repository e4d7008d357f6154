/*
 * INSERT INTO / INSERT OVERWRITE on Iceberg tables (see table/sqlrun.h):
 *   INSERT INTO ns.t [BY NAME] [(c1, c2)] SELECT ... | VALUES ...
 *   INSERT OVERWRITE [TABLE] ns.t ...      replaces the table's rows
 * Without BY NAME, the query's columns map by position onto the listed
 * columns (or all of the table's columns, in schema order); the table layer
 * then checks each column's type (ldp_table_write), so a mismatch names the
 * column and both types and nothing is committed. VALUES lists are the
 * exception: their literals are cast to the columns' types as DuckDB's own
 * INSERT does ('2024-01-01' into a date, NULL into anything), and a literal
 * that does not convert is an error naming the column.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/metadata.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "table/sql_ddl_internal.h"
#include "table/table.h"

typedef struct cols_ctx {
	const ldp_schema *schema;
	const ldp_ident *id;
	ldp_buf *aliases;
	size_t n;
	const ldp_field *fields[1024]; /* the target column of each position */
} cols_ctx;

static int one_col(const char *item, size_t len, void *ud)
{
	cols_ctx *c = ud;
	char *copy = strndup(item, len);
	if (!copy)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_sqlp p;
	ldp_sqlp_init(&p, copy);
	char name[256];
	int rc = LDP_OK;
	if (!ldp_sqlp_ident(&p, name, sizeof name) || !ldp_sqlp_at_end(&p)) {
		rc = ldp_error_set(LDP_EINVALID, "INSERT INTO %s.%s: '%s' in the column list is not a column name", c->id->ns, c->id->name, copy);
	} else {
		const ldp_field *f = NULL;
		for (size_t i = 0; i < c->schema->root.nfields && !f; i++)
			if (strcmp(c->schema->root.fields[i].name, name) == 0)
				f = &c->schema->root.fields[i];
		for (size_t i = 0; i < c->schema->root.nfields && !f; i++)
			if (strcasecmp(c->schema->root.fields[i].name, name) == 0)
				f = &c->schema->root.fields[i];
		if (!f)
			rc = ldp_error_set(LDP_ENOTFOUND, "INSERT INTO %s.%s: the table has no column '%s' (DESCRIBE %s.%s lists them)",
					   c->id->ns, c->id->name, name, c->id->ns, c->id->name);
		else if (c->n == sizeof c->fields / sizeof c->fields[0])
			rc = ldp_error_set(LDP_EINVALID, "INSERT INTO %s.%s: too many columns listed", c->id->ns, c->id->name);
		else {
			if (c->n)
				ldp_buf_puts(c->aliases, ", ");
			ldp_buf_put_sql_ident(c->aliases, f->name);
			c->fields[c->n++] = f;
		}
	}
	free(copy);
	return rc;
}

/* How many columns `query` produces (its Iceberg tables bound first). */
static int query_width(ldp_sql_session *s, const char *query, size_t *out)
{
	int rc = ldp_warehouse_bind_sql(s->wh, query);
	if (rc)
		return rc;
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT * FROM (");
	ldp_buf_puts(&q, query);
	ldp_buf_puts(&q, "\n) LIMIT 0");
	ldp_result *r = NULL;
	rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query(s->engine, ldp_buf_cstr(&q), &r);
	ldp_buf_free(&q);
	if (!rc)
		*out = ldp_result_column_count(r);
	ldp_result_free(r);
	return rc;
}

static int is_values(const char *query)
{
	ldp_sqlp p;
	ldp_sqlp_init(&p, query);
	while (ldp_sqlp_char(&p, '('))
		;
	return ldp_sqlp_kw(&p, "values");
}

static void put_cast(ldp_buf *b, const ldp_field *f)
{
	ldp_buf_puts(b, "CAST(");
	ldp_buf_put_sql_ident(b, f->name);
	ldp_buf_puts(b, " AS ");
	ldp_type_to_duckdb(f->type, b);
	ldp_buf_puts(b, ") AS ");
	ldp_buf_put_sql_ident(b, f->name);
}

/* SELECT CAST(c AS <column type>) ... FROM (VALUES ...) AS __ldp_src(c, ...),
 * checked here so that a literal that does not convert names its column. */
static int values_source(ldp_sql_session *s, const ldp_ident *id, const char *query, const char *aliases,
			 const ldp_field *const *fields, size_t n, ldp_buf *src)
{
	ldp_buf from = LDP_BUF_INIT;
	ldp_buf_printf(&from, " FROM (%s\n) AS __ldp_src(%s)", query, aliases);
	ldp_buf_puts(src, "SELECT ");
	for (size_t i = 0; i < n; i++) {
		if (i)
			ldp_buf_puts(src, ", ");
		put_cast(src, fields[i]);
	}
	ldp_buf_puts(src, ldp_buf_cstr(&from));
	/* count(c) of every column, so DuckDB cannot skip the casts (count(*) would) */
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT 0");
	for (size_t i = 0; i < n; i++) {
		ldp_buf_puts(&q, ", count(");
		ldp_buf_put_sql_ident(&q, fields[i]->name);
		ldp_buf_puts(&q, ")");
	}
	ldp_buf_printf(&q, " FROM (%s)", ldp_buf_cstr(src));
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(s->engine, ldp_buf_cstr(&q));
	for (size_t i = 0; rc && rc != LDP_ENOMEM && i < n; i++) {
		/* which column? */
		char *why = strdup(ldp_error_last()->message);
		ldp_buf_clear(&q);
		ldp_buf_puts(&q, "SELECT count(");
		ldp_buf_put_sql_ident(&q, fields[i]->name);
		ldp_buf_puts(&q, ") FROM (SELECT ");
		put_cast(&q, fields[i]);
		ldp_buf_printf(&q, "%s)", ldp_buf_cstr(&from));
		if (ldp_engine_exec(s->engine, ldp_buf_cstr(&q)) != LDP_OK) {
			ldp_buf it = LDP_BUF_INIT;
			ldp_type_append_string(fields[i]->type, &it);
			rc = ldp_error_set(LDP_EINVALID, "column '%s' is %s in the table, and a value in VALUES does not convert to it: %s",
					   fields[i]->name, ldp_buf_cstr(&it), ldp_error_last()->message);
			ldp_buf_free(&it);
			free(why);
			break;
		}
		ldp_error_set(rc, "%s", why ? why : "VALUES failed");
		free(why);
	}
	ldp_buf_free(&q);
	ldp_buf_free(&from);
	return rc;
}

int sql_insert(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out)
{
	ldp_sqlp_kw(p, "insert");
	int overwrite = 0;
	if (ldp_sqlp_kw(p, "overwrite")) {
		overwrite = 1;
		if (!ldp_sqlp_kw(p, "table"))
			ldp_sqlp_kw(p, "into");
	} else if (ldp_sqlp_kw(p, "or")) {
		/* INSERT OR REPLACE/IGNORE: only when the target is not ours */
		if (!ldp_sqlp_kw(p, "replace into") && !ldp_sqlp_kw(p, "ignore into"))
			return LDP_SQL_PASS;
		ldp_sqlp_name n;
		sql_target t;
		if (ldp_sqlp_qname(p, &n) && sql_resolve_target(s, &n, &t) == LDP_OK)
			return ldp_error_set(LDP_EUNSUPPORTED, "INSERT OR REPLACE/IGNORE into Iceberg table %s.%s is not supported (use MERGE INTO)", t.id.ns, t.id.name);
		ldp_error_clear();
		return LDP_SQL_PASS;
	} else if (!ldp_sqlp_kw(p, "into")) {
		return LDP_SQL_PASS;
	}
	ldp_sqlp_name n;
	if (!ldp_sqlp_qname(p, &n))
		return LDP_SQL_PASS;
	sql_target t;
	int rc = sql_resolve_target(s, &n, &t);
	if (rc)
		return rc;
	const char *verb = overwrite ? "INSERT OVERWRITE" : "INSERT INTO";
	if ((rc = sql_refuse_time_travel(&t, verb)))
		return rc;
	if (!t.exists)
		return ldp_error_set(LDP_ENOTFOUND, "%s %s.%s: no such table (CREATE TABLE it first; SHOW TABLES lists the tables)", verb, t.id.ns, t.id.name);

	ldp_table *tb = NULL;
	if ((rc = ldp_table_load(s->wh, &t.id, &tb)))
		return rc;
	const ldp_schema *schema = ldp_metadata_current_schema(tb->meta);
	int by_name = ldp_sqlp_kw(p, "by name");
	ldp_sqlp_kw(p, "by position");
	ldp_buf aliases = LDP_BUF_INIT, src = LDP_BUF_INIT;
	cols_ctx cc = {schema, &t.id, &aliases, 0, {0}};
	size_t st, len;
	ldp_sqlp save = *p;
	const char *query = NULL;
	if (ldp_sqlp_parens(p, &st, &len)) {
		ldp_sqlp inner;
		char *txt = strndup(p->s + st, len);
		ldp_sqlp_init(&inner, txt ? txt : "");
		int is_query = ldp_sqlp_kw(&inner, "select") || ldp_sqlp_kw(&inner, "with") || ldp_sqlp_kw(&inner, "values") || ldp_sqlp_kw(&inner, "from");
		free(txt);
		if (is_query)
			*p = save; /* INSERT INTO t (SELECT ...) */
		else if (by_name)
			rc = ldp_error_set(LDP_EINVALID, "%s %s.%s: BY NAME takes no column list", verb, t.id.ns, t.id.name);
		else
			rc = ldp_sqlp_split_commas(p->s + st, len, one_col, &cc);
	}
	if (!rc) {
		query = ldp_sqlp_rest(p);
		if (ldp_sqlp_kw(p, "default values"))
			rc = ldp_error_set(LDP_EUNSUPPORTED, "%s %s.%s DEFAULT VALUES is not supported; give the values", verb, t.id.ns, t.id.name);
		else if (!*query)
			rc = ldp_error_set(LDP_EINVALID, "%s %s.%s needs a query or VALUES (...)", verb, t.id.ns, t.id.name);
	}
	if (!rc && !by_name && cc.n == 0)
		for (size_t i = 0; i < schema->root.nfields && i < sizeof cc.fields / sizeof cc.fields[0]; i++, cc.n++) {
			if (i)
				ldp_buf_puts(&aliases, ", ");
			ldp_buf_put_sql_ident(&aliases, schema->root.fields[i].name);
			cc.fields[i] = &schema->root.fields[i];
		}
	size_t width = 0;
	if (!rc && !by_name && !(rc = query_width(s, query, &width)) && width != cc.n)
		rc = ldp_error_set(LDP_EINVALID, "%s %s.%s: the query gives %zu column%s but %zu %s expected (%s); list the columns "
				   "to fill, INSERT INTO %s.%s (a, b) ..., or use BY NAME",
				   verb, t.id.ns, t.id.name, width, width == 1 ? "" : "s", cc.n, cc.n == 1 ? "is" : "are",
				   ldp_buf_cstr(&aliases), t.id.ns, t.id.name);
	if (!rc) {
		if (by_name) {
			ldp_buf_puts(&src, query);
		} else if (is_values(query)) {
			if ((rc = values_source(s, &t.id, query, ldp_buf_cstr(&aliases), cc.fields, cc.n, &src)))
				ldp_error_wrap(rc, "%s %s.%s", verb, t.id.ns, t.id.name);
		} else {
			ldp_buf_puts(&src, "SELECT * FROM (");
			ldp_buf_puts(&src, query);
			ldp_buf_puts(&src, "\n) AS __ldp_src(");
			ldp_buf_puts(&src, ldp_buf_cstr(&aliases));
			ldp_buf_puts(&src, ")");
		}
		if (ldp_buf_oom(&src))
			rc = LDP_ENOMEM;
	}
	ldp_write_options wo = {.mode = overwrite ? LDP_WRITE_OVERWRITE : LDP_WRITE_APPEND};
	ldp_write_result res;
	if (!rc && (rc = ldp_table_write(s->wh, &t.id, ldp_buf_cstr(&src), &wo, &res)))
		ldp_error_wrap(rc, "%s %s.%s", verb, t.id.ns, t.id.name);
	if (!rc) {
		ldp_buf m = LDP_BUF_INIT;
		ldp_buf_printf(&m, "inserted %lld row%s into %s.%s", (long long)res.added_records, res.added_records == 1 ? "" : "s", t.id.ns, t.id.name);
		if (overwrite)
			ldp_buf_printf(&m, ", replacing %lld", (long long)res.deleted_records);
		ldp_buf_printf(&m, " (snapshot %lld)", (long long)res.snapshot_id);
		out->message = ldp_buf_detach(&m);
	}
	ldp_buf_free(&aliases);
	ldp_buf_free(&src);
	ldp_table_free(tb);
	return rc;
}
