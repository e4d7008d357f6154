/*
 * SHOW TABLES / SHOW SCHEMAS / DESCRIBE on the Iceberg catalog (see
 * table/sqlrun.h). Results are DuckDB results (built from VALUES), so every
 * output format of ldp sql and the shell applies to them.
 *   SHOW TABLES [FROM|IN ns]        namespace, table (nested namespaces included)
 *   SHOW SCHEMAS|NAMESPACES [FROM|IN ns]
 *   DESCRIBE [TABLE] ns.t | ns."t@<snapshot>"   one row per field (nested fields
 *                                    as a.b), with field id, type, required,
 *                                    doc and the partition fields it feeds
 * SHOW ALL TABLES and DESCRIBE of anything else are DuckDB's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/metadata.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "table/sql_ddl_internal.h"
#include "table/table.h"

typedef struct rowset {
	size_t ncols;
	const char *const *names;
	const char *const *types;
	size_t nrows;
	ldp_buf sql;
} rowset;

static void rs_row(rowset *r, const char *const *cells)
{
	ldp_buf_puts(&r->sql, r->nrows++ ? ", (" : "(");
	for (size_t c = 0; c < r->ncols; c++) {
		if (c)
			ldp_buf_puts(&r->sql, ", ");
		if (cells[c])
			ldp_buf_put_sql_string(&r->sql, cells[c]);
		else
			ldp_buf_puts(&r->sql, "NULL");
	}
	ldp_buf_putc(&r->sql, ')');
}

static int rs_finish(ldp_sql_session *s, rowset *r, ldp_sql_outcome *out)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT ");
	for (size_t c = 0; c < r->ncols; c++) {
		if (r->nrows)
			ldp_buf_printf(&q, "%sCAST(c%zu AS %s) AS ", c ? ", " : "", c, r->types[c]);
		else
			ldp_buf_printf(&q, "%sCAST(NULL AS %s) AS ", c ? ", " : "", r->types[c]);
		ldp_buf_put_sql_ident(&q, r->names[c]);
	}
	if (r->nrows) {
		ldp_buf_puts(&q, " FROM (VALUES ");
		ldp_buf_put(&q, r->sql.ptr, r->sql.len);
		ldp_buf_puts(&q, ") AS v(");
		for (size_t c = 0; c < r->ncols; c++)
			ldp_buf_printf(&q, "%sc%zu", c ? ", " : "", c);
		ldp_buf_puts(&q, ")");
	} else {
		ldp_buf_puts(&q, " WHERE false");
	}
	int rc = ldp_buf_oom(&q) || ldp_buf_oom(&r->sql) ? LDP_ENOMEM : ldp_engine_query(s->engine, ldp_buf_cstr(&q), &out->rows);
	ldp_buf_free(&q);
	ldp_buf_free(&r->sql);
	return rc;
}

/* ---- SHOW ---- */

static int add_tables(ldp_sql_session *s, const char *ns, rowset *r)
{
	ldp_catalog_names names = {0}, kids = {0};
	int rc = ldp_catalog_list_tables(s->wh->catalog, ns, &names);
	for (size_t i = 0; !rc && i < names.len; i++) {
		const char *cells[] = {ns, names.items[i]};
		rs_row(r, cells);
	}
	if (!rc)
		rc = ldp_catalog_list_namespaces(s->wh->catalog, ns, &kids);
	for (size_t i = 0; !rc && i < kids.len; i++)
		rc = add_tables(s, kids.items[i], r);
	ldp_catalog_names_free(&names);
	ldp_catalog_names_free(&kids);
	return rc;
}

static int add_namespaces(ldp_sql_session *s, const char *parent, rowset *r)
{
	ldp_catalog_names kids = {0};
	int rc = ldp_catalog_list_namespaces(s->wh->catalog, parent, &kids);
	for (size_t i = 0; !rc && i < kids.len; i++) {
		const char *cells[] = {kids.items[i]};
		rs_row(r, cells);
		rc = add_namespaces(s, kids.items[i], r);
	}
	ldp_catalog_names_free(&kids);
	return rc;
}

int sql_show(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out)
{
	ldp_sqlp_kw(p, "show");
	int tables = ldp_sqlp_kw(p, "tables");
	if (!tables && !ldp_sqlp_kw(p, "schemas") && !ldp_sqlp_kw(p, "namespaces") && !ldp_sqlp_kw(p, "databases"))
		return LDP_SQL_PASS;
	char ns[512] = "";
	if (ldp_sqlp_kw(p, "from") || ldp_sqlp_kw(p, "in")) {
		ldp_sqlp_name n;
		if (!ldp_sqlp_qname(p, &n))
			return ldp_error_set(LDP_EINVALID, "SHOW %s FROM needs a namespace", tables ? "TABLES" : "SCHEMAS");
		size_t o = 0;
		for (size_t i = 0; i < n.n; i++)
			o += (size_t)snprintf(ns + o, sizeof ns - o, "%s%s", i ? "." : "", n.parts[i]);
		int exists = 0;
		int rc = ldp_catalog_namespace_exists(s->wh->catalog, ns, &exists);
		if (rc)
			return rc;
		if (!exists) {
			if (sql_duckdb_knows(s, n.parts[0]))
				return LDP_SQL_PASS;
			return ldp_error_set(LDP_ENOTFOUND, "namespace '%s' does not exist (SHOW SCHEMAS lists them)", ns);
		}
	}
	if (!ldp_sqlp_at_end(p))
		return LDP_SQL_PASS; /* SHOW TABLES LIKE ... and friends: DuckDB's */
	static const char *const tnames[] = {"namespace", "table"}, *const ttypes[] = {"VARCHAR", "VARCHAR"};
	static const char *const nnames[] = {"namespace"}, *const ntypes[] = {"VARCHAR"};
	rowset r = {tables ? 2 : 1, tables ? tnames : nnames, tables ? ttypes : ntypes, 0, LDP_BUF_INIT};
	int rc = LDP_OK;
	if (tables && *ns) {
		rc = add_tables(s, ns, &r);
	} else if (tables) {
		ldp_catalog_names top = {0};
		rc = ldp_catalog_list_namespaces(s->wh->catalog, NULL, &top);
		for (size_t i = 0; !rc && i < top.len; i++)
			rc = add_tables(s, top.items[i], &r);
		ldp_catalog_names_free(&top);
	} else {
		rc = add_namespaces(s, *ns ? ns : NULL, &r);
	}
	if (rc) {
		ldp_buf_free(&r.sql);
		return rc;
	}
	return rs_finish(s, &r, out);
}

/* ---- DESCRIBE ---- */

typedef struct desc_ctx {
	rowset *r;
	const ldp_schema *schema;
	const ldp_partition_spec *spec;
} desc_ctx;

static int desc_field(const ldp_field *f, const char *path, void *ud)
{
	desc_ctx *c = ud;
	char id[32];
	snprintf(id, sizeof id, "%d", (int)f->id);
	ldp_buf ty = LDP_BUF_INIT, part = LDP_BUF_INIT;
	ldp_type_append_string(f->type, &ty);
	for (size_t i = 0; c->spec && i < c->spec->nfields; i++)
		if (c->spec->fields[i].source_id == f->id)
			ldp_buf_printf(&part, "%s%s -> %s", part.len ? ", " : "", c->spec->fields[i].transform.text,
				       c->spec->fields[i].name);
	const char *cells[] = {id, path, ldp_buf_cstr(&ty), f->required ? "true" : "false", f->doc,
			       part.len ? ldp_buf_cstr(&part) : NULL};
	rs_row(c->r, cells);
	ldp_buf_free(&ty);
	ldp_buf_free(&part);
	return 0;
}

int sql_describe(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out)
{
	if (!ldp_sqlp_kw(p, "describe"))
		ldp_sqlp_kw(p, "desc");
	ldp_sqlp_kw(p, "table");
	ldp_sqlp_name n;
	if (!ldp_sqlp_qname(p, &n) || !ldp_sqlp_at_end(p))
		return LDP_SQL_PASS; /* DESCRIBE SELECT ... */
	sql_target t;
	int rc = sql_resolve_target(s, &n, &t);
	if (rc)
		return rc;
	if (!t.exists)
		return ldp_error_set(LDP_ENOTFOUND, "table %s.%s does not exist (SHOW TABLES lists the tables)", t.id.ns, t.id.name);
	ldp_table *tb = NULL;
	if ((rc = ldp_table_load(s->wh, &t.id, &tb)))
		return rc;
	const ldp_metadata *m = tb->meta;
	const ldp_schema *schema = ldp_metadata_current_schema(m);
	const ldp_snapshot *snap = ldp_metadata_current_snapshot(m);
	if (*t.at) {
		ldp_snapshot_selector sel;
		if (!(rc = ldp_snapshot_selector_parse(t.at, &sel)) && !(rc = ldp_table_resolve_snapshot(tb, &sel, &snap)) && snap) {
			const ldp_schema *ss = ldp_metadata_snapshot_schema(m, snap);
			if (ss)
				schema = ss;
		}
	}
	static const char *const names[] = {"field_id", "name", "type", "required", "doc", "partition"};
	static const char *const types[] = {"INTEGER", "VARCHAR", "VARCHAR", "BOOLEAN", "VARCHAR", "VARCHAR"};
	rowset r = {6, names, types, 0, LDP_BUF_INIT};
	const ldp_partition_spec *spec = ldp_metadata_default_spec(m);
	desc_ctx c = {&r, schema, spec};
	if (!rc && schema)
		rc = ldp_schema_visit(schema, desc_field, &c);
	if (!rc)
		rc = rs_finish(s, &r, out);
	else
		ldp_buf_free(&r.sql);
	if (!rc) {
		ldp_buf msg = LDP_BUF_INIT;
		ldp_buf_printf(&msg, "%s.%s: schema %d, partition spec %d", t.id.ns, t.id.name, schema ? schema->schema_id : -1,
			       spec ? spec->spec_id : -1);
		if (spec && spec->nfields) {
			ldp_buf_puts(&msg, " (");
			for (size_t i = 0; i < spec->nfields; i++) {
				const ldp_field *src = schema ? ldp_schema_field_by_id(schema, spec->fields[i].source_id) : NULL;
				ldp_buf_printf(&msg, "%s%s(%s)", i ? ", " : "", spec->fields[i].transform.text, src ? src->name : "?");
			}
			ldp_buf_puts(&msg, ")");
		}
		if (snap)
			ldp_buf_printf(&msg, ", snapshot %lld", (long long)snap->snapshot_id);
		out->message = ldp_buf_detach(&msg);
	}
	ldp_table_free(tb);
	return rc;
}
