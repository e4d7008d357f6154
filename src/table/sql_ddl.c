/*
 * CREATE SCHEMA/TABLE (incl. AS SELECT), INSERT, DROP, TRUNCATE on Iceberg
 * tables; SHOW and DESCRIBE are in sql_show.c. See table/sqlrun.h.
 *
 * Name rule (docs/sql.md): a qualified name ns.t (a.b.t, "a.b".t) whose
 * namespace exists in the Iceberg catalog is an Iceberg table. A qualified
 * name whose first part DuckDB knows (main, temp, an attached database) is
 * DuckDB's. Any other qualified name is an error pointing at CREATE SCHEMA.
 * Unqualified names are DuckDB session tables.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/schema.h"
#include "ldp/error.h"
#include "table/ddl.h"
#include "table/sql_ddl_internal.h"
#include "table/sql_parse.h"
#include "table/sqlrun.h"

int sql_duckdb_knows(ldp_sql_session *s, const char *first)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT count(*) FROM duckdb_schemas() WHERE lower(database_name) = lower(");
	ldp_buf_put_sql_string(&q, first);
	ldp_buf_puts(&q, ") OR lower(schema_name) = lower(");
	ldp_buf_put_sql_string(&q, first);
	ldp_buf_puts(&q, ")");
	char *v = NULL;
	int known = 0;
	if (!ldp_buf_oom(&q) && ldp_engine_query_text(s->engine, ldp_buf_cstr(&q), &v) == LDP_OK && v)
		known = atoi(v) > 0;
	ldp_error_clear();
	free(v);
	ldp_buf_free(&q);
	return known;
}

static void join_ns(const ldp_sqlp_name *n, size_t upto, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < upto && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "." : "", n->parts[i]);
}

int sql_resolve_target(ldp_sql_session *s, const ldp_sqlp_name *n, sql_target *t)
{
	memset(t, 0, sizeof *t);
	if (n->n < 2)
		return LDP_SQL_PASS; /* unqualified: a DuckDB session table */
	char ns[512], name[256];
	join_ns(n, n->n - 1, ns, sizeof ns);
	snprintf(name, sizeof name, "%s", n->parts[n->n - 1]);
	char *at = strchr(name, '@');
	if (at) {
		snprintf(t->at, sizeof t->at, "%s", at + 1);
		*at = '\0';
	}
	int rc = ldp_warehouse_resolve_table(s->wh, ns, name, &t->id, &t->exists);
	int nsx = 0;
	if (!rc)
		rc = ldp_catalog_namespace_exists(s->wh->catalog, t->id.ns, &nsx);
	if (rc)
		return rc;
	if (!nsx && !t->exists) {
		if (sql_duckdb_knows(s, n->parts[0]))
			return LDP_SQL_PASS;
		return ldp_error_set(LDP_ENOTFOUND, "namespace '%s' does not exist (create it with CREATE SCHEMA %s)", ns, ns);
	}
	return LDP_OK;
}

int sql_refuse_time_travel(const sql_target *t, const char *what)
{
	if (!*t->at)
		return LDP_OK;
	return ldp_error_set(LDP_EINVALID,
			     "%s %s.\"%s@%s\": a past snapshot is read-only; write to %s.%s (ldp table rollback makes an "
			     "old snapshot current again)", what, t->id.ns, t->id.name, t->at, t->id.ns, t->id.name);
}

static int msg(ldp_sql_outcome *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int msg(ldp_sql_outcome *out, const char *fmt, ...)
{
	ldp_buf b = LDP_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	ldp_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(out->message);
	out->message = ldp_buf_detach(&b);
	return LDP_OK;
}

/* ---- CREATE SCHEMA ---- */

static int create_schema(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out)
{
	ldp_sqlp_kw(p, "create");
	if (!ldp_sqlp_kw(p, "schema"))
		ldp_sqlp_kw(p, "namespace");
	int ine = ldp_sqlp_kw(p, "if not exists");
	ldp_sqlp_name n;
	if (!ldp_sqlp_qname(p, &n))
		return ldp_error_set(LDP_EINVALID, "CREATE SCHEMA needs a name: CREATE SCHEMA [IF NOT EXISTS] sales");
	if (!ldp_sqlp_at_end(p))
		return ldp_error_set(LDP_EINVALID, "CREATE SCHEMA: unexpected text after the name: %s", ldp_sqlp_rest(p));
	char ns[512];
	join_ns(&n, n.n, ns, sizeof ns);
	int exists = 0;
	int rc = ldp_catalog_namespace_exists(s->wh->catalog, ns, &exists);
	if (rc)
		return rc;
	if (exists) {
		if (ine)
			return msg(out, "namespace %s already exists", ns);
		return ldp_error_set(LDP_EEXISTS, "namespace '%s' already exists (use CREATE SCHEMA IF NOT EXISTS)", ns);
	}
	if ((rc = ldp_catalog_create_namespace(s->wh->catalog, ns, NULL, 0)))
		return rc;
	return msg(out, "created namespace %s", ns);
}

/* ---- CREATE TABLE ---- */

typedef struct props_ctx {
	ldp_kv kv[64];
	char *owned[128];
	size_t n, nowned;
} props_ctx;

static char *unquote(props_ctx *c, const char *s, size_t n)
{
	char *o = malloc(n + 1);
	if (!o)
		return NULL;
	size_t k = 0;
	if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0]) {
		for (size_t i = 1; i + 1 < n; i++) {
			o[k++] = s[i];
			if (s[i] == s[0] && s[i + 1] == s[0])
				i++;
		}
	} else {
		memcpy(o, s, n);
		k = n;
	}
	o[k] = '\0';
	c->owned[c->nowned++] = o;
	return o;
}

static int one_prop(const char *item, size_t n, void *ud)
{
	props_ctx *c = ud;
	const char *eq = memchr(item, '=', n);
	if (!eq)
		return ldp_error_set(LDP_EINVALID, "table property '%.*s' is not 'key' = 'value'", (int)n, item);
	if (c->n == 64)
		return ldp_error_set(LDP_EINVALID, "too many table properties (at most 64)");
	size_t kl = (size_t)(eq - item), vo = kl + 1;
	while (kl && (item[kl - 1] == ' ' || item[kl - 1] == '\t'))
		kl--;
	while (vo < n && (item[vo] == ' ' || item[vo] == '\t'))
		vo++;
	const char *k = unquote(c, item, kl), *v = unquote(c, item + vo, n - vo);
	if (!k || !v)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	c->kv[c->n].key = k;
	c->kv[c->n].value = v;
	c->n++;
	return 0;
}

static int is_query_start(const char *s)
{
	ldp_sqlp p;
	ldp_sqlp_init(&p, s);
	while (ldp_sqlp_char(&p, '('))
		;
	return ldp_sqlp_kw(&p, "select") || ldp_sqlp_kw(&p, "with") || ldp_sqlp_kw(&p, "values") ||
	       ldp_sqlp_kw(&p, "from") || ldp_sqlp_kw(&p, "table");
}

/* OR REPLACE of an existing table: one commit that sets the new columns,
 * partitioning and sort order (as the statement gives them, Spark's REPLACE
 * TABLE semantics: none given means unpartitioned / unsorted) and overwrites
 * the rows; the table keeps its uuid and history, and a failure leaves it
 * untouched. */
static int replace_table(ldp_sql_session *s, const ldp_ident *id, const ldp_create_options *o, const char *query,
			 ldp_write_result *res)
{
	ldp_replace_options ro;
	memset(&ro, 0, sizeof ro);
	ro.schema = o->schema;
	ro.partition_by = o->partition_by ? o->partition_by : "";
	ro.sort_by = o->sort_by ? o->sort_by : "";
	ro.properties = o->properties;
	ro.nproperties = o->nproperties;
	return ldp_table_replace(s->wh, id, query, &ro, res);
}

static int create_table(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out)
{
	ldp_sqlp_kw(p, "create");
	int replace = ldp_sqlp_kw(p, "or replace");
	ldp_sqlp_kw(p, "table");
	int ine = ldp_sqlp_kw(p, "if not exists");
	ldp_sqlp_name n;
	if (!ldp_sqlp_qname(p, &n))
		return LDP_SQL_PASS;
	sql_target t;
	int rc = sql_resolve_target(s, &n, &t);
	if (rc)
		return rc;
	if ((rc = sql_refuse_time_travel(&t, "CREATE TABLE")))
		return rc;
	if (replace && ine)
		return ldp_error_set(LDP_EINVALID, "CREATE OR REPLACE TABLE and IF NOT EXISTS cannot be combined");

	ldp_create_options o;
	memset(&o, 0, sizeof o);
	props_ctx props = {0};
	char *columns = NULL, *partition = NULL, *sort = NULL;
	const char *query = NULL;
	size_t st, len;
	if (!is_query_start(ldp_sqlp_rest(p)) && ldp_sqlp_parens(p, &st, &len))
		columns = strndup(p->s + st, len);
	while (!rc && !ldp_sqlp_at_end(p) && !query) {
		if (ldp_sqlp_kw(p, "using")) { /* USING iceberg (Spark's spelling) */
			char fmt[64];
			if (!ldp_sqlp_ident(p, fmt, sizeof fmt) || strcasecmp(fmt, "iceberg") != 0)
				rc = ldp_error_set(LDP_EINVALID, "CREATE TABLE %s.%s: only USING iceberg is supported", t.id.ns, t.id.name);
		} else if (ldp_sqlp_kw(p, "partitioned by")) {
			if (!ldp_sqlp_parens(p, &st, &len))
				rc = ldp_error_set(LDP_EINVALID, "PARTITIONED BY needs a list in parentheses: PARTITIONED BY (day(ts), bucket(16, id))");
			else
				partition = strndup(p->s + st, len);
		} else if (ldp_sqlp_kw(p, "sorted by") || ldp_sqlp_kw(p, "ordered by")) {
			if (!ldp_sqlp_parens(p, &st, &len))
				rc = ldp_error_set(LDP_EINVALID, "SORTED BY needs a list in parentheses: SORTED BY (ts DESC, id)");
			else
				sort = strndup(p->s + st, len);
		} else if (ldp_sqlp_kw(p, "tblproperties") || ldp_sqlp_kw(p, "with")) {
			if (!ldp_sqlp_parens(p, &st, &len))
				rc = ldp_error_set(LDP_EINVALID, "TBLPROPERTIES needs a list in parentheses: TBLPROPERTIES ('k' = 'v')");
			else
				rc = ldp_sqlp_split_commas(p->s + st, len, one_prop, &props);
		} else if (ldp_sqlp_kw(p, "as")) {
			query = ldp_sqlp_rest(p);
		} else {
			rc = ldp_error_set(LDP_EINVALID,
					   "CREATE TABLE %s.%s: unexpected '%.40s' (expected (columns), PARTITIONED BY (...), "
					   "SORTED BY (...), TBLPROPERTIES (...) or AS SELECT ...)",
					   t.id.ns, t.id.name, ldp_sqlp_rest(p));
		}
	}
	if (!rc && !columns && !query)
		rc = ldp_error_set(LDP_EINVALID, "CREATE TABLE %s.%s needs a column list or AS SELECT ...", t.id.ns, t.id.name);
	if (!rc && columns && query)
		rc = ldp_error_set(LDP_EINVALID, "CREATE TABLE %s.%s: give either a column list or AS SELECT, not both", t.id.ns, t.id.name);
	if (!rc && t.exists && !replace) {
		if (ine)
			msg(out, "table %s.%s already exists", t.id.ns, t.id.name);
		else
			rc = ldp_error_set(LDP_EEXISTS, "table %s.%s already exists (use CREATE TABLE IF NOT EXISTS or CREATE OR REPLACE TABLE)", t.id.ns, t.id.name);
		goto done;
	}
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_schema *schema = NULL;
	if (!rc && columns && !(rc = ldp_warehouse_schema_from_sql(s->wh, columns, NULL, &a, &schema)))
		o.schema = schema;
	o.partition_by = partition;
	o.sort_by = sort;
	o.properties = props.kv;
	o.nproperties = props.n;
	ldp_write_result res = {0};
	if (!rc && t.exists) {
		rc = replace_table(s, &t.id, &o, query, &res);
	} else if (!rc && query) {
		rc = ldp_table_create_as(s->wh, &t.id, &o, query, &res);
	} else if (!rc) {
		ldp_table *tb = NULL;
		rc = ldp_table_create(s->wh, &t.id, &o, &tb);
		ldp_table_free(tb);
	}
	ldp_arena_free(&a);
	if (rc)
		ldp_error_wrap(rc, "CREATE TABLE %s.%s", t.id.ns, t.id.name);
	else if (query)
		msg(out, "%s table %s.%s with %lld rows (snapshot %lld)", t.exists ? "replaced" : "created", t.id.ns,
		    t.id.name, (long long)res.added_records, (long long)res.snapshot_id);
	else
		msg(out, "%s table %s.%s", t.exists ? "replaced" : "created", t.id.ns, t.id.name);
done:
	free(columns);
	free(partition);
	free(sort);
	for (size_t i = 0; i < props.nowned; i++)
		free(props.owned[i]);
	return rc;
}

/* ---- DROP / TRUNCATE ---- */

static int drop_table(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out)
{
	ldp_sqlp_kw(p, "drop table");
	int ie = ldp_sqlp_kw(p, "if exists");
	ldp_sqlp_name n;
	if (!ldp_sqlp_qname(p, &n))
		return LDP_SQL_PASS;
	sql_target t;
	int rc = sql_resolve_target(s, &n, &t);
	if (rc == LDP_ENOTFOUND && ie) { /* no such namespace: nothing to drop */
		ldp_error_clear();
		return msg(out, "table %s does not exist", n.parts[n.n - 1]);
	}
	if (rc || (rc = sql_refuse_time_travel(&t, "DROP TABLE")))
		return rc;
	int purge = ldp_sqlp_kw(p, "purge");
	if (!ldp_sqlp_at_end(p))
		return ldp_error_set(LDP_EINVALID, "DROP TABLE %s.%s: unexpected '%s' (only PURGE may follow)", t.id.ns, t.id.name, ldp_sqlp_rest(p));
	if (!t.exists) {
		if (ie)
			return msg(out, "table %s.%s does not exist", t.id.ns, t.id.name);
		return ldp_error_set(LDP_ENOTFOUND, "table %s.%s does not exist (SHOW TABLES lists the tables)", t.id.ns, t.id.name);
	}
	if ((rc = ldp_table_drop(s->wh, &t.id, purge)))
		return rc;
	return msg(out, "dropped table %s.%s%s", t.id.ns, t.id.name, purge ? " and deleted its files" : "");
}

static int drop_schema(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out)
{
	ldp_sqlp_kw(p, "drop");
	if (!ldp_sqlp_kw(p, "schema"))
		ldp_sqlp_kw(p, "namespace");
	int ie = ldp_sqlp_kw(p, "if exists");
	ldp_sqlp_name n;
	if (!ldp_sqlp_qname(p, &n))
		return LDP_SQL_PASS;
	char ns[512];
	join_ns(&n, n.n, ns, sizeof ns);
	int exists = 0;
	int rc = ldp_catalog_namespace_exists(s->wh->catalog, ns, &exists);
	if (rc)
		return rc;
	if (!exists) {
		if (sql_duckdb_knows(s, n.parts[0]))
			return LDP_SQL_PASS;
		if (ie)
			return msg(out, "namespace %s does not exist", ns);
		return ldp_error_set(LDP_ENOTFOUND, "namespace '%s' does not exist (SHOW SCHEMAS lists them)", ns);
	}
	if (ldp_sqlp_kw(p, "cascade"))
		return ldp_error_set(LDP_EUNSUPPORTED, "DROP SCHEMA %s CASCADE is not supported: drop its tables first", ns);
	ldp_sqlp_kw(p, "restrict");
	if (!ldp_sqlp_at_end(p))
		return ldp_error_set(LDP_EINVALID, "DROP SCHEMA %s: unexpected '%s'", ns, ldp_sqlp_rest(p));
	if ((rc = ldp_catalog_drop_namespace(s->wh->catalog, ns)))
		return rc;
	return msg(out, "dropped namespace %s", ns);
}

static void put_table_ref(ldp_buf *b, const ldp_ident *id)
{
	ldp_buf_put_sql_ident(b, id->ns);
	ldp_buf_putc(b, '.');
	ldp_buf_put_sql_ident(b, id->name);
}

static int truncate_table(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out)
{
	ldp_sqlp_kw(p, "truncate");
	ldp_sqlp_kw(p, "table");
	ldp_sqlp_name n;
	if (!ldp_sqlp_qname(p, &n))
		return LDP_SQL_PASS;
	sql_target t;
	int rc = sql_resolve_target(s, &n, &t);
	if (rc || (rc = sql_refuse_time_travel(&t, "TRUNCATE")))
		return rc;
	if (!t.exists)
		return ldp_error_set(LDP_ENOTFOUND, "table %s.%s does not exist", t.id.ns, t.id.name);
	/* an overwrite with no rows: a new snapshot that removes every file */
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT * FROM ");
	put_table_ref(&q, &t.id);
	ldp_buf_puts(&q, " WHERE false");
	ldp_write_options wo = {.mode = LDP_WRITE_OVERWRITE};
	ldp_write_result res;
	rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_table_write(s->wh, &t.id, ldp_buf_cstr(&q), &wo, &res);
	ldp_buf_free(&q);
	if (rc)
		return ldp_error_wrap(rc, "TRUNCATE %s.%s", t.id.ns, t.id.name);
	return msg(out, "truncated %s.%s: removed %lld rows (snapshot %lld)", t.id.ns, t.id.name,
		   (long long)res.deleted_records, (long long)res.snapshot_id);
}

int ldp_sql_handle_ddl(ldp_sql_session *s, ldp_sql_kind kind, const char *stmt, ldp_sql_outcome *out)
{
	ldp_sqlp p;
	ldp_sqlp_init(&p, stmt);
	switch (kind) {
	case LDP_SQLK_CREATE_SCHEMA:
		return create_schema(s, &p, out);
	case LDP_SQLK_CREATE_TABLE:
		return create_table(s, &p, out);
	case LDP_SQLK_INSERT:
		return sql_insert(s, &p, out);
	case LDP_SQLK_DROP_TABLE:
		return drop_table(s, &p, out);
	case LDP_SQLK_DROP_SCHEMA:
		return drop_schema(s, &p, out);
	case LDP_SQLK_TRUNCATE:
		return truncate_table(s, &p, out);
	case LDP_SQLK_SHOW:
		return sql_show(s, &p, out);
	case LDP_SQLK_DESCRIBE:
		return sql_describe(s, &p, out);
	default:
		return LDP_SQL_PASS;
	}
}
