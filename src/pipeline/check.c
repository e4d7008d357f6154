/* Data checks on a warehouse table (pipeline/check.h). Every check is one or
 * two queries over the table's DuckDB binding (ldp_warehouse_bind_sql), so a
 * --where on partition columns prunes files like any `ldp sql` query. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldp/error.h"
#include "pipeline/check.h"
#include "pipeline/pipeline.h"
#include "pipeline/rows.h"
#include "table/sqlrun.h"
#include "table/table.h"
#include "table/view.h"

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "a, b,c" -> {"a","b","c"}; empty items are an error. */
static int split_list(const char *text, const char *what, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	const char *p = text;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (!len) {
			free_strv(*out, *n);
			*out = NULL;
			*n = 0;
			return ldp_error_set(LDP_EINVALID, "%s '%s': an empty item in the comma-separated list", what, text);
		}
		char **grown = realloc(*out, (*n + 1) * sizeof *grown);
		char *item = grown ? strndup(p, len) : NULL;
		if (grown)
			*out = grown;
		if (!item) {
			free_strv(*out, *n);
			*out = NULL;
			*n = 0;
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		}
		(*out)[(*n)++] = item;
		if (!end)
			return LDP_OK;
		p = end + 1;
	}
}

static void check_clear(ldp_check *c)
{
	free_strv(c->columns, c->ncolumns);
	free_strv(c->values, c->nvalues);
	free(c->max_age);
	free(c->sql);
}

static ldp_check *push(ldp_check_set *s)
{
	ldp_check *grown = realloc(s->items, (s->n + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	s->items = grown;
	memset(&grown[s->n], 0, sizeof grown[s->n]);
	return &grown[s->n++];
}

int ldp_check_add_row_count(ldp_check_set *s, int is_max, int64_t bound)
{
	if (bound < 0)
		return ldp_error_set(LDP_EINVALID, "--row-count-%s must be >= 0, not %lld", is_max ? "max" : "min",
				     (long long)bound);
	ldp_check *c = NULL;
	for (size_t i = 0; i < s->n && !c; i++)
		if (s->items[i].kind == LDP_CHECK_ROW_COUNT)
			c = &s->items[i];
	if (!c && !(c = push(s)))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	c->kind = LDP_CHECK_ROW_COUNT;
	if (is_max)
		c->has_max = 1, c->max = bound;
	else
		c->has_min = 1, c->min = bound;
	return LDP_OK;
}

int ldp_check_add(ldp_check_set *s, ldp_check_kind kind, const char *arg)
{
	ldp_check c;
	memset(&c, 0, sizeof c);
	c.kind = kind;
	int rc = LDP_OK;
	const char *sep;
	switch (kind) {
	case LDP_CHECK_ROW_COUNT:
		return ldp_error_set(LDP_EINVALID, "row_count checks take bounds (ldp_check_add_row_count)");
	case LDP_CHECK_FRESHNESS:
		/* the last ':' so that a quoted column name may hold one */
		sep = strrchr(arg, ':');
		if (!sep || sep == arg || !sep[1])
			return ldp_error_set(LDP_EINVALID, "--freshness '%s': write COLUMN:DURATION, like pickup_at:36h", arg);
		if ((rc = ldp_duration_parse(sep + 1, &c.max_age_s)))
			return ldp_error_wrap(rc, "--freshness '%s'", arg);
		c.columns = calloc(1, sizeof *c.columns);
		if (c.columns && (c.columns[0] = strndup(arg, (size_t)(sep - arg))))
			c.ncolumns = 1;
		c.max_age = strdup(sep + 1);
		if (!c.ncolumns || !c.max_age)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		break;
	case LDP_CHECK_NOT_NULL:
		if (!*arg)
			return ldp_error_set(LDP_EINVALID, "--not-null needs a column name");
		c.columns = calloc(1, sizeof *c.columns);
		if (c.columns && (c.columns[0] = strdup(arg)))
			c.ncolumns = 1;
		else
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		break;
	case LDP_CHECK_UNIQUE:
		rc = split_list(arg, "--unique", &c.columns, &c.ncolumns);
		break;
	case LDP_CHECK_ACCEPTED_VALUES:
		sep = strchr(arg, '=');
		if (!sep || sep == arg || !sep[1])
			return ldp_error_set(LDP_EINVALID, "--accepted-values '%s': write COLUMN=v1,v2,...", arg);
		c.columns = calloc(1, sizeof *c.columns);
		if (c.columns && (c.columns[0] = strndup(arg, (size_t)(sep - arg))))
			c.ncolumns = 1;
		else
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		if (!rc)
			rc = split_list(sep + 1, "--accepted-values", &c.values, &c.nvalues);
		break;
	case LDP_CHECK_SQL:
		if (!*arg)
			return ldp_error_set(LDP_EINVALID, "--sql needs a query returning the failing rows");
		if (!(c.sql = strdup(arg)))
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		break;
	}
	ldp_check *slot = rc ? NULL : push(s);
	if (!rc && !slot)
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	if (rc) {
		check_clear(&c);
		return rc;
	}
	*slot = c;
	return LDP_OK;
}

void ldp_check_set_clear(ldp_check_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		check_clear(&s->items[i]);
	free(s->items);
	free(s->table);
	free(s->where);
	free(s->as_of);
	memset(s, 0, sizeof *s);
}

static const char *kind_name(ldp_check_kind k)
{
	static const char *const names[] = {"row_count", "freshness", "not_null", "unique", "accepted_values", "sql"};
	return names[k];
}

char *ldp_check_name(const ldp_check_set *s, size_t i)
{
	const ldp_check *c = &s->items[i];
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_puts(&b, kind_name(c->kind));
	if (c->kind == LDP_CHECK_SQL) {
		/* custom queries are numbered in the order given */
		size_t k = 0;
		for (size_t j = 0; j <= i; j++)
			k += s->items[j].kind == LDP_CHECK_SQL;
		ldp_buf_printf(&b, "(%zu)", k);
	} else if (c->ncolumns) {
		ldp_buf_putc(&b, '(');
		for (size_t j = 0; j < c->ncolumns; j++)
			ldp_buf_printf(&b, "%s%s", j ? "," : "", c->columns[j]);
		ldp_buf_putc(&b, ')');
	}
	return ldp_buf_detach(&b);
}

/* ---- running ---- */

typedef struct run {
	ldp_warehouse *wh;
	ldp_engine *e;
	const ldp_check_set *s;
	char *table_sql;    /* the table as a quoted SQL name */
	char *shown;        /* ns.t as found in the catalog, for messages */
	json_t *columns;    /* [[name, type]...] of the table */
} run;

static int query_rows(run *r, const char *sql, long long max, json_t **out)
{
	*out = NULL;
	ldp_result *res = NULL;
	int rc = ldp_warehouse_bind_sql(r->wh, sql);
	if (!rc)
		rc = ldp_engine_query(r->e, sql, &res);
	if (!rc)
		rc = ldp_rows_collect(res, max, out);
	ldp_result_free(res);
	return rc;
}

/* The first row's values as integers (NULL: 0). */
static int query_counts(run *r, const char *sql, int64_t *a, int64_t *b)
{
	json_t *rows = NULL;
	int rc = query_rows(r, sql, 1, &rows);
	const json_t *row = json_array_get(json_object_get(rows, "rows"), 0);
	*a = json_integer_value(json_array_get(row, 0));
	if (b)
		*b = json_integer_value(json_array_get(row, 1));
	json_decref(rows);
	return rc;
}

/* "FROM <table> [WHERE (<where>) [AND (<cond>)]]" */
static void put_from(run *r, ldp_buf *q, const char *cond)
{
	ldp_buf_printf(q, " FROM %s", r->table_sql);
	if (r->s->where)
		ldp_buf_printf(q, " WHERE (%s)", r->s->where);
	if (cond)
		ldp_buf_printf(q, " %s (%s)", r->s->where ? "AND" : "WHERE", cond);
}

/* The table's catalog name and SQL name; LDP_ENOTFOUND when neither a table
 * nor a view has it. */
static int find_table(run *r)
{
	ldp_ident id;
	int rc = ldp_ident_parse(r->s->table, &id);
	if (rc)
		return ldp_error_wrap(rc, "check");
	int exists = 0;
	ldp_ident found;
	if ((rc = ldp_warehouse_resolve_table(r->wh, id.ns, id.name, &found, &exists)))
		return rc;
	if (!exists) {
		char *view = NULL;
		if (ldp_view_load_sql(r->wh, &id, &view) != LDP_OK) {
			ldp_error_clear();
			return ldp_error_set(LDP_ENOTFOUND,
					     "table %s not found (create or ingest it first; `ldp table list` shows the tables)",
					     r->s->table);
		}
		free(view);
		found = id;
	}
	ldp_buf q = LDP_BUF_INIT, shown = LDP_BUF_INIT;
	/* nested namespaces a.b.t are one catalog level each in the binding */
	char *ns = strdup(found.ns);
	for (char *part = ns, *dot; part; part = dot ? dot + 1 : NULL) {
		if ((dot = strchr(part, '.')))
			*dot = '\0';
		ldp_buf_put_sql_ident(&q, part);
		ldp_buf_putc(&q, '.');
	}
	free(ns);
	ldp_buf_put_sql_ident(&q, found.name);
	ldp_buf_printf(&shown, "%s.%s", found.ns, found.name);
	if (ldp_buf_oom(&q) || ldp_buf_oom(&shown)) {
		ldp_buf_free(&q);
		ldp_buf_free(&shown);
		return LDP_ENOMEM;
	}
	r->table_sql = ldp_buf_detach(&q);
	r->shown = ldp_buf_detach(&shown);
	return LDP_OK;
}

static int load_columns(run *r)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_printf(&q, "SELECT * FROM %s LIMIT 0", r->table_sql);
	ldp_result *res = NULL;
	int rc = ldp_warehouse_bind_sql(r->wh, ldp_buf_cstr(&q));
	if (!rc)
		rc = ldp_engine_query(r->e, ldp_buf_cstr(&q), &res);
	ldp_buf_free(&q);
	if (rc)
		return ldp_error_wrap(rc, "reading the columns of %s", r->shown);
	r->columns = json_array();
	for (size_t c = 0; c < ldp_result_column_count(res); c++)
		json_array_append_new(r->columns, json_pack("[ss]", ldp_result_column_name(res, c),
							    ldp_result_column_type(res, c)));
	ldp_result_free(res);
	return LDP_OK;
}

/* The column's type; LDP_ENOTFOUND listing the table's columns when it has
 * none of that name (DuckDB matches names case-insensitively). */
static int column_type(run *r, const char *name, const char **type)
{
	size_t i;
	json_t *c;
	json_array_foreach(r->columns, i, c)
	{
		if (strcasecmp(json_string_value(json_array_get(c, 0)), name) == 0) {
			*type = json_string_value(json_array_get(c, 1));
			return LDP_OK;
		}
	}
	ldp_buf all = LDP_BUF_INIT;
	json_array_foreach(r->columns, i, c)
		ldp_buf_printf(&all, "%s%s", i ? ", " : "", json_string_value(json_array_get(c, 0)));
	int rc = ldp_error_set(LDP_ENOTFOUND, "column '%s' not found in %s (its columns: %s)", name, r->shown,
			       ldp_buf_cstr(&all));
	ldp_buf_free(&all);
	return rc;
}

/* 90061 -> "1d 1h", 2700 -> "45m", 12 -> "12s". */
static void put_age(ldp_buf *b, double s)
{
	long long t = (long long)(s < 0 ? -s : s);
	if (s < 0)
		ldp_buf_putc(b, '-');
	if (t >= 86400)
		ldp_buf_printf(b, "%lldd %lldh", t / 86400, t % 86400 / 3600);
	else if (t >= 3600)
		ldp_buf_printf(b, "%lldh %lldm", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		ldp_buf_printf(b, "%lldm %llds", t / 60, t % 60);
	else
		ldp_buf_printf(b, "%llds", t);
}

static void put_as_of(run *r, ldp_buf *q)
{
	if (!r->s->as_of) {
		ldp_buf_puts(q, "current_timestamp");
		return;
	}
	ldp_buf_puts(q, "CAST(");
	ldp_buf_put_sql_string(q, r->s->as_of);
	ldp_buf_puts(q, " AS TIMESTAMPTZ)");
}

/* A freshness column's type; LDP_EINVALID unless TIMESTAMP[TZ] or DATE. */
static int freshness_type(run *r, const char *column, const char **type)
{
	int rc = column_type(r, column, type);
	if (!rc && strncasecmp(*type, "TIMESTAMP", 9) != 0 && strcasecmp(*type, "DATE") != 0)
		rc = ldp_error_set(LDP_EINVALID, "freshness needs a TIMESTAMP or DATE column; %s.%s is %s", r->shown,
				   column, *type);
	return rc;
}

static int check_freshness(run *r, const ldp_check *c, ldp_check_result *res, ldp_buf *msg)
{
	const char *type;
	int rc = freshness_type(r, c->columns[0], &type);
	if (rc)
		return rc;
	int is_ts = strncasecmp(type, "TIMESTAMP", 9) == 0;
	/* epoch() of a TIMESTAMP reads it as UTC, of a TIMESTAMPTZ as the instant
	 * it is; a DATE counts from its midnight (UTC). */
	ldp_buf col = LDP_BUF_INIT, q = LDP_BUF_INIT;
	ldp_buf_put_sql_ident(&col, c->columns[0]);
	ldp_buf_printf(&q, "SELECT CAST(max(%s) AS VARCHAR), epoch(", ldp_buf_cstr(&col));
	put_as_of(r, &q);
	ldp_buf_printf(&q, ") - epoch(CAST(max(%s) AS %s))", ldp_buf_cstr(&col), is_ts ? type : "TIMESTAMP");
	put_from(r, &q, NULL);
	json_t *rows = NULL;
	rc = ldp_buf_oom(&q) ? LDP_ENOMEM : query_rows(r, ldp_buf_cstr(&q), 1, &rows);
	ldp_buf_free(&col);
	ldp_buf_free(&q);
	if (rc)
		return rc;
	const json_t *row = json_array_get(json_object_get(rows, "rows"), 0);
	const char *newest = json_string_value(json_array_get(row, 0));
	if (!newest) {
		res->passed = 0;
		ldp_buf_puts(msg, "no rows");
	} else {
		double age = json_number_value(json_array_get(row, 1));
		res->passed = age <= c->max_age_s;
		ldp_buf_printf(msg, "newest %s is ", newest);
		put_age(msg, age);
		ldp_buf_printf(msg, " old%s%s", res->passed ? " (max " : ", older than ", c->max_age);
		if (res->passed)
			ldp_buf_putc(msg, ')');
	}
	json_decref(rows);
	return LDP_OK;
}

/* Count failing rows with `cond`, then sample them. */
static int check_rows(run *r, const char *cond, ldp_check_result *res)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT count(*)");
	put_from(r, &q, cond);
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : query_counts(r, ldp_buf_cstr(&q), &res->failing, NULL);
	if (!rc && res->failing && r->s->sample > 0) {
		ldp_buf_clear(&q);
		ldp_buf_puts(&q, "SELECT *");
		put_from(r, &q, cond);
		ldp_buf_printf(&q, " LIMIT %d", r->s->sample);
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : query_rows(r, ldp_buf_cstr(&q), r->s->sample, &res->sample);
	}
	ldp_buf_free(&q);
	res->passed = res->failing == 0;
	return rc;
}

static int check_unique(run *r, const ldp_check *c, ldp_check_result *res, ldp_buf *msg)
{
	ldp_buf keys = LDP_BUF_INIT, cond = LDP_BUF_INIT, q = LDP_BUF_INIT;
	for (size_t i = 0; i < c->ncolumns; i++) {
		ldp_buf_puts(&keys, i ? ", " : "");
		ldp_buf_put_sql_ident(&keys, c->columns[i]);
		ldp_buf_puts(&cond, i ? " AND " : "");
		ldp_buf_put_sql_ident(&cond, c->columns[i]);
		ldp_buf_puts(&cond, " IS NOT NULL");
	}
	ldp_buf_printf(&q, "SELECT count(*), sum(n) FROM (SELECT count(*) AS n");
	put_from(r, &q, ldp_buf_cstr(&cond));
	ldp_buf_printf(&q, " GROUP BY %s HAVING count(*) > 1)", ldp_buf_cstr(&keys));
	int64_t rows = 0;
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : query_counts(r, ldp_buf_cstr(&q), &res->failing, &rows);
	if (!rc && res->failing && r->s->sample > 0) {
		ldp_buf_clear(&q);
		ldp_buf_printf(&q, "SELECT %s, count(*) AS duplicates", ldp_buf_cstr(&keys));
		put_from(r, &q, ldp_buf_cstr(&cond));
		ldp_buf_printf(&q, " GROUP BY %s HAVING count(*) > 1 ORDER BY count(*) DESC, %s LIMIT %d",
			       ldp_buf_cstr(&keys), ldp_buf_cstr(&keys), r->s->sample);
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : query_rows(r, ldp_buf_cstr(&q), r->s->sample, &res->sample);
	}
	res->passed = res->failing == 0;
	if (!res->passed)
		ldp_buf_printf(msg, "%lld duplicate key%s in %lld rows", (long long)res->failing,
			       res->failing == 1 ? "" : "s", (long long)rows);
	ldp_buf_free(&keys);
	ldp_buf_free(&cond);
	ldp_buf_free(&q);
	return rc;
}

/* A custom query's text nested in FROM (...): no trailing ';'. */
static char *nested_sql(const char *sql)
{
	size_t n = strlen(sql);
	while (n && strchr(" \t\r\n;", sql[n - 1]))
		n--;
	return strndup(sql, n);
}

static int check_sql(run *r, const ldp_check *c, ldp_check_result *res, ldp_buf *msg)
{
	char *inner = nested_sql(c->sql);
	if (!inner)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_printf(&q, "SELECT count(*) FROM (%s\n) AS ldp_check_rows", inner);
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : query_counts(r, ldp_buf_cstr(&q), &res->failing, NULL);
	if (!rc && res->failing && r->s->sample > 0) {
		ldp_buf_clear(&q);
		ldp_buf_printf(&q, "SELECT * FROM (%s\n) AS ldp_check_rows LIMIT %d", inner, r->s->sample);
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : query_rows(r, ldp_buf_cstr(&q), r->s->sample, &res->sample);
	}
	res->passed = res->failing == 0;
	if (!res->passed)
		ldp_buf_printf(msg, "%lld failing row%s", (long long)res->failing, res->failing == 1 ? "" : "s");
	free(inner);
	ldp_buf_free(&q);
	return rc;
}

static int run_one(run *r, const ldp_check *c, ldp_check_result *res, ldp_buf *msg)
{
	ldp_buf cond = LDP_BUF_INIT, q = LDP_BUF_INIT;
	int rc = LDP_OK;
	switch (c->kind) {
	case LDP_CHECK_ROW_COUNT:
		ldp_buf_puts(&q, "SELECT count(*)");
		put_from(r, &q, NULL);
		if (!(rc = ldp_buf_oom(&q) ? LDP_ENOMEM : query_counts(r, ldp_buf_cstr(&q), &res->failing, NULL))) {
			int64_t n = res->failing;
			res->passed = !(c->has_min && n < c->min) && !(c->has_max && n > c->max);
			ldp_buf_printf(msg, "%lld row%s", (long long)n, n == 1 ? "" : "s");
			if (c->has_min && n < c->min)
				ldp_buf_printf(msg, ", fewer than the minimum %lld", (long long)c->min);
			else if (c->has_max && n > c->max)
				ldp_buf_printf(msg, ", more than the maximum %lld", (long long)c->max);
			else if (c->has_min && c->has_max)
				ldp_buf_printf(msg, " (between %lld and %lld)", (long long)c->min, (long long)c->max);
			else
				ldp_buf_printf(msg, " (%s %lld)", c->has_min ? "min" : "max",
					       (long long)(c->has_min ? c->min : c->max));
		}
		break;
	case LDP_CHECK_FRESHNESS:
		rc = check_freshness(r, c, res, msg);
		break;
	case LDP_CHECK_NOT_NULL:
		ldp_buf_put_sql_ident(&cond, c->columns[0]);
		ldp_buf_puts(&cond, " IS NULL");
		if (!(rc = check_rows(r, ldp_buf_cstr(&cond), res)) && !res->passed)
			ldp_buf_printf(msg, "%lld row%s with %s NULL", (long long)res->failing,
				       res->failing == 1 ? "" : "s", c->columns[0]);
		break;
	case LDP_CHECK_UNIQUE:
		rc = check_unique(r, c, res, msg);
		break;
	case LDP_CHECK_ACCEPTED_VALUES:
		ldp_buf_put_sql_ident(&cond, c->columns[0]);
		ldp_buf_puts(&cond, " IS NOT NULL AND CAST(");
		ldp_buf_put_sql_ident(&cond, c->columns[0]);
		ldp_buf_puts(&cond, " AS VARCHAR) NOT IN (");
		for (size_t i = 0; i < c->nvalues; i++) {
			ldp_buf_puts(&cond, i ? ", " : "");
			ldp_buf_put_sql_string(&cond, c->values[i]);
		}
		ldp_buf_putc(&cond, ')');
		if (!(rc = check_rows(r, ldp_buf_cstr(&cond), res)) && !res->passed) {
			ldp_buf_printf(msg, "%lld row%s with a value not in {", (long long)res->failing,
				       res->failing == 1 ? "" : "s");
			for (size_t i = 0; i < c->nvalues; i++)
				ldp_buf_printf(msg, "%s%s", i ? ", " : "", c->values[i]);
			ldp_buf_putc(msg, '}');
		}
		break;
	case LDP_CHECK_SQL:
		rc = check_sql(r, c, res, msg);
		break;
	}
	ldp_buf_free(&cond);
	ldp_buf_free(&q);
	return rc;
}

/* Every column named by a check exists (and freshness columns are times),
 * and --where and --as-of are valid: checked before any check runs, so a typo
 * fails the step at once instead of after the slow checks. */
static int check_inputs(run *r)
{
	const char *type;
	int rc = LDP_OK;
	for (size_t i = 0; i < r->s->n && !rc; i++) {
		const ldp_check *c = &r->s->items[i];
		for (size_t j = 0; j < c->ncolumns && !rc; j++)
			rc = c->kind == LDP_CHECK_FRESHNESS ? freshness_type(r, c->columns[j], &type)
							    : column_type(r, c->columns[j], &type);
		if (rc) {
			char *name = ldp_check_name(r->s, i);
			ldp_error_wrap(rc, "%s", name ? name : "check");
			free(name);
		}
	}
	ldp_buf q = LDP_BUF_INIT;
	char *txt = NULL;
	if (!rc && r->s->where) {
		ldp_buf_puts(&q, "SELECT 1");
		put_from(r, &q, NULL);
		ldp_buf_puts(&q, " LIMIT 0");
		json_t *rows = NULL;
		if ((rc = ldp_buf_oom(&q) ? LDP_ENOMEM : query_rows(r, ldp_buf_cstr(&q), 0, &rows)))
			ldp_error_wrap(rc, "--where '%s'", r->s->where);
		json_decref(rows);
	}
	if (!rc && r->s->as_of) {
		ldp_buf_clear(&q);
		ldp_buf_puts(&q, "SELECT ");
		put_as_of(r, &q);
		if ((rc = ldp_engine_query_text(r->e, ldp_buf_cstr(&q), &txt)))
			rc = ldp_error_set(LDP_EINVALID,
					   "--as-of '%s' is not a timestamp (write 2024-01-31 06:00:00 or 2024-01-31T06:00:00+00:00)",
					   r->s->as_of);
	}
	free(txt);
	ldp_buf_free(&q);
	return rc;
}

int ldp_checks_run(ldp_warehouse *wh, const ldp_check_set *s, ldp_check_result **out)
{
	*out = NULL;
	run r;
	memset(&r, 0, sizeof r);
	r.wh = wh;
	r.s = s;
	int rc = ldp_warehouse_engine(wh, &r.e);
	if (!rc)
		rc = find_table(&r);
	if (!rc)
		rc = load_columns(&r);
	if (!rc)
		rc = check_inputs(&r);
	ldp_check_result *res = rc ? NULL : calloc(s->n ? s->n : 1, sizeof *res);
	if (!rc && !res)
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < s->n; i++) {
		ldp_buf msg = LDP_BUF_INIT;
		res[i].name = ldp_check_name(s, i);
		rc = run_one(&r, &s->items[i], &res[i], &msg);
		if (rc)
			ldp_error_wrap(rc, "check %s on %s", res[i].name, r.shown);
		res[i].message = ldp_buf_detach(&msg);
		if (!res[i].message)
			res[i].message = strdup("");
	}
	if (rc) {
		ldp_check_results_free(res, s->n);
		res = NULL;
	}
	free(r.table_sql);
	free(r.shown);
	json_decref(r.columns);
	*out = res;
	return rc;
}

void ldp_check_results_free(ldp_check_result *r, size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].message);
		json_decref(r[i].sample);
	}
	free(r);
}

json_t *ldp_check_results_json(const ldp_check_set *s, const ldp_check_result *r)
{
	json_t *checks = json_array();
	int all = 1;
	for (size_t i = 0; i < s->n; i++) {
		all &= r[i].passed;
		json_array_append_new(checks, json_pack("{s:s,s:b,s:s,s:I,s:O}", "name", r[i].name, "passed",
							r[i].passed, "message", r[i].message, "failing",
							(json_int_t)r[i].failing, "sample",
							r[i].sample ? r[i].sample : json_null()));
	}
	return json_pack("{s:s,s:s?,s:b,s:o}", "table", s->table, "where", s->where, "passed", all, "checks", checks);
}
