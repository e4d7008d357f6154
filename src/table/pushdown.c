/*
 * WHERE-clause pushdown for `ldp sql`; see table/plan.h.
 *
 * DuckDB parses the statement (json_serialize_sql, SELECT only). For every
 * SELECT whose FROM is a single Iceberg table, its WHERE clause becomes that
 * table's filter. The view bound for a table is shared by all its uses in
 * the statement, so a table used twice gets the OR of the filters, and any
 * use without one (a join, a subquery without WHERE) means no filter at all.
 * DuckDB still applies the whole WHERE to the rows: the filter only decides
 * which files the view reads, and may be weaker than the query's, never
 * stronger.
 *
 * A statement that names anything that is not an Iceberg table (a DuckDB
 * table or view, which may itself read an Iceberg view) gets no pushdown: a
 * DuckDB view over an Iceberg table would otherwise see the filtered files.
 * For the same reason views left filtered by a statement are rebound without
 * filter before the next statement (ldp_warehouse_bind_sql).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldp/error.h"
#include "ldp/log.h"
#include "table/plan.h"
#include "table/sqlrun.h"

typedef struct pd_table {
	char ns[512], name[256];
	ldp_expr *filter; /* NULL: some use has no filter */
	int uses;
} pd_table;

struct ldp_pushdown {
	ldp_arena arena;
	pd_table t[32];
	size_t n;
	int disabled;
	/* names of CTEs: one-part references to them are not tables */
	const char *ctes[32];
	size_t nctes;
};

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static int is_cte(const ldp_pushdown *pd, const char *name)
{
	for (size_t i = 0; i < pd->nctes; i++)
		if (strcasecmp(pd->ctes[i], name) == 0)
			return 1;
	return 0;
}

static void collect_ctes(ldp_pushdown *pd, const json_t *j)
{
	if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++)
			collect_ctes(pd, json_array_get(j, i));
		return;
	}
	if (!json_is_object(j))
		return;
	const json_t *map = json_object_get(json_object_get(j, "cte_map"), "map");
	for (size_t i = 0; i < json_array_size(map) && pd->nctes < 32; i++)
		pd->ctes[pd->nctes++] = jstr(json_array_get(map, i), "key");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)j, k, v) collect_ctes(pd, v);
}

/* One use of a base table, with `where` (NULL: unfiltered). */
static void use_table(ldp_pushdown *pd, ldp_warehouse *wh, const json_t *bt, const json_t *where)
{
	const char *cat = jstr(bt, "catalog_name"), *sch = jstr(bt, "schema_name"), *tn = jstr(bt, "table_name");
	if (!*sch) {
		if (!is_cte(pd, tn))
			pd->disabled = 1;
		return;
	}
	char ns[512];
	snprintf(ns, sizeof ns, "%s%s%s", cat, *cat ? "." : "", sch);
	char base[256];
	snprintf(base, sizeof base, "%s", tn);
	char *at = strchr(base, '@');
	if (at)
		*at = '\0';
	ldp_ident id;
	int exists = 0;
	if (ldp_warehouse_resolve_table(wh, ns, base, &id, &exists) || !exists) {
		ldp_error_clear();
		pd->disabled = 1;
		return;
	}
	pd_table *t = NULL;
	for (size_t i = 0; i < pd->n; i++)
		if (strcasecmp(pd->t[i].ns, ns) == 0 && strcasecmp(pd->t[i].name, tn) == 0)
			t = &pd->t[i];
	if (!t) {
		if (pd->n == 32) {
			pd->disabled = 1;
			return;
		}
		t = &pd->t[pd->n++];
		snprintf(t->ns, sizeof t->ns, "%s", ns);
		snprintf(t->name, sizeof t->name, "%s", tn);
	}
	ldp_expr *f = NULL;
	if (where && !json_is_null(where)) {
		const char *quals[] = {tn, jstr(bt, "alias"), NULL};
		if (!*quals[1])
			quals[1] = NULL;
		f = ldp_expr_from_duckdb_json(&pd->arena, where, quals);
		if (f && f->op == LDP_EX_TRUE)
			f = NULL;
	}
	if (t->uses++ == 0)
		t->filter = f;
	else
		t->filter = t->filter && f ? ldp_expr_or(&pd->arena, t->filter, f) : NULL;
}

static void walk(ldp_pushdown *pd, ldp_warehouse *wh, const json_t *j)
{
	if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++)
			walk(pd, wh, json_array_get(j, i));
		return;
	}
	if (!json_is_object(j))
		return;
	const json_t *from = json_object_get(j, "from_table");
	const char *k;
	json_t *v;
	if (strcmp(jstr(j, "type"), "SELECT_NODE") == 0 && strcmp(jstr(from, "type"), "BASE_TABLE") == 0) {
		use_table(pd, wh, from, json_object_get(j, "where_clause"));
		json_object_foreach((json_t *)j, k, v) if (v != from) walk(pd, wh, v);
		return;
	}
	if (strcmp(jstr(j, "type"), "BASE_TABLE") == 0 && json_object_get(j, "table_name")) {
		use_table(pd, wh, j, NULL);
		return;
	}
	json_object_foreach((json_t *)j, k, v) walk(pd, wh, v);
}

int ldp_pushdown_collect(ldp_warehouse *wh, ldp_engine *engine, const char *sql, ldp_pushdown **out)
{
	*out = NULL;
	ldp_pushdown *pd = calloc(1, sizeof *pd);
	if (!pd)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_arena_init(&pd->arena, 4096);
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT json_serialize_sql(");
	ldp_buf_put_sql_string(&q, sql);
	ldp_buf_puts(&q, ")");
	char *text = NULL;
	json_t *doc = NULL;
	if (!ldp_buf_oom(&q) && ldp_engine_query_text(engine, ldp_buf_cstr(&q), &text) == LDP_OK && text)
		doc = ldp_duckdb_json_load(text);
	ldp_error_clear();
	free(text);
	ldp_buf_free(&q);
	if (!doc || json_is_true(json_object_get(doc, "error"))) {
		pd->disabled = 1; /* not a SELECT: nothing to push */
	} else {
		const json_t *stmts = json_object_get(doc, "statements");
		collect_ctes(pd, stmts);
		walk(pd, wh, stmts);
		pd->nctes = 0; /* the names lived in doc */
	}
	json_decref(doc);
	*out = pd;
	return LDP_OK;
}

const ldp_expr *ldp_pushdown_filter(const ldp_pushdown *pd, const char *ns, const char *name)
{
	if (!pd || pd->disabled)
		return NULL;
	for (size_t i = 0; i < pd->n; i++)
		if (strcasecmp(pd->t[i].ns, ns) == 0 && strcasecmp(pd->t[i].name, name) == 0)
			return pd->t[i].filter;
	return NULL;
}

void ldp_pushdown_free(ldp_pushdown *pd)
{
	if (!pd)
		return;
	ldp_arena_free(&pd->arena);
	free(pd);
}
