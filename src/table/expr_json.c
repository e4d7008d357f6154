/*
 * DuckDB's parsed expressions (json_serialize_sql) as filter expressions;
 * see table/expr.h. Only the shapes planning can use are converted: column
 * <op> constant (either side), BETWEEN, IN / NOT IN lists, IS [NOT] NULL,
 * isnan(), starts_with()/prefix(), LIKE 'prefix%', AND / OR / NOT. Anything
 * else is TRUE, so the filter only ever gets weaker than the query's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldp/engine.h"
#include "ldp/error.h"
#include "format/value.h"
#include "ldp/json.h"
#include "table/expr.h"

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* A column reference's name without a matching qualifier: ["x", "id"] with
 * quals {"x"} -> "id"; ["st", "a"] -> "st.a" (a struct field). */
static const char *column_of(ldp_arena *a, const json_t *j, const char *const *quals)
{
	if (strcmp(jstr(j, "class"), "COLUMN_REF") != 0)
		return NULL;
	const json_t *names = json_object_get(j, "column_names");
	size_t n = json_array_size(names), first = 0;
	if (n == 0)
		return NULL;
	if (n >= 2)
		for (size_t q = 0; quals && quals[q]; q++)
			if (strcasecmp(json_string_value(json_array_get(names, 0)), quals[q]) == 0)
				first = 1;
	ldp_buf b = LDP_BUF_INIT;
	for (size_t i = first; i < n; i++) {
		if (i > first)
			ldp_buf_putc(&b, '.');
		ldp_buf_puts(&b, json_string_value(json_array_get(names, i)));
	}
	char *s = ldp_arena_strdup(a, ldp_buf_cstr(&b));
	ldp_buf_free(&b);
	return s;
}

/* A constant (or a CAST of one) as literal text and kind; false when it is
 * not one (or is NULL). */
static bool literal_of(ldp_arena *a, const json_t *j, const char **text, ldp_lit_kind *kind)
{
	const char *cls = jstr(j, "class");
	if (strcmp(cls, "CAST") == 0) {
		/* DATE '...', TIMESTAMP '...', '...'::VARCHAR: the text of the
		 * string constant, parsed later as the column's type */
		const json_t *child = json_object_get(j, "child");
		if (!literal_of(a, child, text, kind) || *kind != LDP_LIT_STRING)
			return false;
		const char *to = jstr(json_object_get(j, "cast_type"), "id");
		static const char *const ok[] = {"VARCHAR", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIME", "UUID"};
		for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
			if (strcmp(to, ok[i]) == 0)
				return true;
		return false;
	}
	if (strcmp(cls, "CONSTANT") != 0)
		return false;
	const json_t *val = json_object_get(j, "value");
	if (json_is_true(json_object_get(val, "is_null")))
		return false;
	const json_t *type = json_object_get(val, "type");
	const char *tid = jstr(type, "id");
	const json_t *v = json_object_get(val, "value");
	char buf[128];
	if (strcmp(tid, "VARCHAR") == 0 && json_is_string(v)) {
		*text = ldp_arena_strdup(a, json_string_value(v));
		*kind = LDP_LIT_STRING;
		return *text != NULL;
	}
	if (strcmp(tid, "BOOLEAN") == 0 && json_is_boolean(v)) {
		*text = json_is_true(v) ? "true" : "false";
		*kind = LDP_LIT_BOOL;
		return true;
	}
	*kind = LDP_LIT_NUMBER;
	if ((strcmp(tid, "INTEGER") == 0 || strcmp(tid, "BIGINT") == 0 || strcmp(tid, "SMALLINT") == 0 ||
	     strcmp(tid, "TINYINT") == 0) && json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%" PRId64, (int64_t)json_integer_value(v));
	} else if (strcmp(tid, "DOUBLE") == 0 && json_is_number(v)) {
		snprintf(buf, sizeof buf, "%.17g", json_number_value(v));
	} else if (strcmp(tid, "DECIMAL") == 0 && json_is_integer(v)) {
		/* the unscaled value and the scale of the type */
		int64_t u = (int64_t)json_integer_value(v);
		json_int_t scale = json_integer_value(json_object_get(json_object_get(type, "type_info"), "scale"));
		if (scale < 0 || scale > 18)
			return false;
		ldp_buf b = LDP_BUF_INIT;
		ldp_decimal_to_text(&b, (__int128)u, (int32_t)scale);
		snprintf(buf, sizeof buf, "%s", ldp_buf_cstr(&b));
		ldp_buf_free(&b);
	} else {
		return false;
	}
	*text = ldp_arena_strdup(a, buf);
	return *text != NULL;
}

static ldp_expr_op flip(ldp_expr_op op)
{
	switch (op) {
	case LDP_EX_LT: return LDP_EX_GT;
	case LDP_EX_LE: return LDP_EX_GE;
	case LDP_EX_GT: return LDP_EX_LT;
	case LDP_EX_GE: return LDP_EX_LE;
	default: return op;
	}
}

typedef struct cctx {
	ldp_arena *a;
	const char *const *quals;
	int lossy; /* some part became TRUE */
} cctx;

static ldp_expr *unknown(cctx *c)
{
	c->lossy = 1;
	return ldp_expr_const(c->a, true);
}

static ldp_expr *conv(cctx *c, const json_t *j);

static ldp_expr *comparison(cctx *c, ldp_expr_op op, const json_t *l, const json_t *r)
{
	ldp_arena *a = c->a;
	const char *const *quals = c->quals;
	const char *col = column_of(a, l, quals), *lit;
	ldp_lit_kind k;
	if (!col) {
		col = column_of(a, r, quals);
		const json_t *t = l;
		l = r;
		r = t;
		op = flip(op);
	}
	if (!col || !literal_of(a, r, &lit, &k))
		return unknown(c);
	return ldp_expr_pred(a, op, col, k, 1, &lit);
}

/* 'abc%' without other wildcards or escapes -> "abc" */
static const char *like_prefix(ldp_arena *a, const char *pat)
{
	size_t n = strlen(pat);
	if (n < 2 || pat[n - 1] != '%')
		return NULL;
	for (size_t i = 0; i + 1 < n; i++)
		if (pat[i] == '%' || pat[i] == '_' || pat[i] == '\\')
			return NULL;
	return ldp_arena_strndup(a, pat, n - 1);
}

static ldp_expr *function(cctx *c, const json_t *j)
{
	ldp_arena *a = c->a;
	const char *const *quals = c->quals;
	const char *fn = jstr(j, "function_name");
	const json_t *args = json_object_get(j, "children");
	const char *col = column_of(a, json_array_get(args, 0), quals), *lit;
	ldp_lit_kind k;
	if (!col)
		return unknown(c);
	if (strcasecmp(fn, "isnan") == 0 && json_array_size(args) == 1)
		return ldp_expr_pred(a, LDP_EX_IS_NAN, col, LDP_LIT_NUMBER, 0, NULL);
	if (json_array_size(args) != 2 || !literal_of(a, json_array_get(args, 1), &lit, &k) || k != LDP_LIT_STRING)
		return unknown(c);
	if (strcasecmp(fn, "starts_with") == 0 || strcasecmp(fn, "prefix") == 0)
		return ldp_expr_pred(a, LDP_EX_STARTS_WITH, col, k, 1, &lit);
	if (strcmp(fn, "~~") == 0 || strcmp(fn, "!~~") == 0) { /* LIKE, NOT LIKE */
		const char *p = like_prefix(a, lit);
		if (!p)
			return unknown(c);
		return ldp_expr_pred(a, fn[0] == '!' ? LDP_EX_NOT_STARTS_WITH : LDP_EX_STARTS_WITH, col, k, 1, &p);
	}
	return unknown(c);
}

static ldp_expr *conv(cctx *c, const json_t *j)
{
	ldp_arena *a = c->a;
	const char *const *quals = c->quals;
	const char *cls = jstr(j, "class"), *type = jstr(j, "type");
	static const struct {
		const char *name;
		ldp_expr_op op;
	} cmps[] = {
		{"COMPARE_EQUAL", LDP_EX_EQ},        {"COMPARE_NOTEQUAL", LDP_EX_NE},
		{"COMPARE_LESSTHAN", LDP_EX_LT},     {"COMPARE_LESSTHANOREQUALTO", LDP_EX_LE},
		{"COMPARE_GREATERTHAN", LDP_EX_GT},  {"COMPARE_GREATERTHANOREQUALTO", LDP_EX_GE},
	};
	if (strcmp(cls, "CONJUNCTION") == 0) {
		const json_t *ch = json_object_get(j, "children");
		bool and_ = strcmp(type, "CONJUNCTION_AND") == 0;
		ldp_expr *acc = ldp_expr_const(a, and_);
		for (size_t i = 0; acc && i < json_array_size(ch); i++) {
			ldp_expr *x = conv(c, json_array_get(ch, i));
			acc = and_ ? ldp_expr_and(a, acc, x) : ldp_expr_or(a, acc, x);
		}
		return acc;
	}
	if (strcmp(cls, "COMPARISON") == 0) {
		for (size_t i = 0; i < sizeof cmps / sizeof cmps[0]; i++)
			if (strcmp(type, cmps[i].name) == 0)
				return comparison(c, cmps[i].op, json_object_get(j, "left"), json_object_get(j, "right"));
		return unknown(c);
	}
	if (strcmp(cls, "BETWEEN") == 0) {
		const json_t *in = json_object_get(j, "input");
		return ldp_expr_and(a, comparison(c, LDP_EX_GE, in, json_object_get(j, "lower")),
				    comparison(c, LDP_EX_LE, in, json_object_get(j, "upper")));
	}
	if (strcmp(cls, "OPERATOR") == 0) {
		const json_t *ch = json_object_get(j, "children");
		if (strcmp(type, "OPERATOR_NOT") == 0 && json_array_size(ch) == 1) {
			/* NOT over a filter that lost a part (became weaker) would become
			 * stronger than the query's: give up on the whole NOT */
			cctx sub = {a, quals, 0};
			ldp_expr *x = conv(&sub, json_array_get(ch, 0));
			return sub.lossy ? unknown(c) : ldp_expr_not(a, x);
		}
		const char *col = column_of(a, json_array_get(ch, 0), quals);
		if (!col)
			return unknown(c);
		if (strcmp(type, "OPERATOR_IS_NULL") == 0)
			return ldp_expr_pred(a, LDP_EX_IS_NULL, col, LDP_LIT_NUMBER, 0, NULL);
		if (strcmp(type, "OPERATOR_IS_NOT_NULL") == 0)
			return ldp_expr_pred(a, LDP_EX_NOT_NULL, col, LDP_LIT_NUMBER, 0, NULL);
		if (strcmp(type, "COMPARE_IN") == 0 || strcmp(type, "COMPARE_NOT_IN") == 0) {
			size_t n = json_array_size(ch) - 1;
			const char **lits = ldp_arena_calloc(a, n + 1, sizeof *lits);
			ldp_lit_kind k = LDP_LIT_NUMBER, k1;
			for (size_t i = 0; lits && i < n; i++) {
				if (!literal_of(a, json_array_get(ch, i + 1), &lits[i], &k1) || (i && k1 != k))
					return unknown(c);
				k = k1;
			}
			return ldp_expr_pred(a, type[8] == 'I' ? LDP_EX_IN : LDP_EX_NOT_IN, col, k, n, lits);
		}
		return unknown(c);
	}
	if (strcmp(cls, "FUNCTION") == 0)
		return function(c, j);
	return unknown(c);
}

ldp_expr *ldp_expr_from_duckdb_json(ldp_arena *a, const json_t *j, const char *const *quals)
{
	if (!j || json_is_null(j))
		return ldp_expr_const(a, true);
	cctx c = {a, quals, 0};
	return conv(&c, j);
}

json_t *ldp_duckdb_json_load(const char *text)
{
	if (!text)
		return NULL;
	/* DuckDB writes "no location" as 2^64 - 1, beyond jansson's integers:
	 * the whole document would fail to parse. Only UBIGINT constants could
	 * also print that number, and they are never converted (literal_of). */
	static const char big[] = "18446744073709551615";
	ldp_buf b = LDP_BUF_INIT;
	for (const char *p = text; *p;) {
		const char *hit = strstr(p, big);
		if (!hit) {
			ldp_buf_puts(&b, p);
			break;
		}
		ldp_buf_put(&b, p, (size_t)(hit - p));
		ldp_buf_puts(&b, "-1");
		p = hit + sizeof big - 1;
	}
	json_t *doc = ldp_buf_oom(&b) ? NULL : json_loads(ldp_buf_cstr(&b), 0, NULL);
	ldp_buf_free(&b);
	return doc;
}

int ldp_expr_parse_where(struct ldp_engine *engine, const char *where, ldp_arena *a, ldp_expr **out)
{
	static const char *const quals[] = {"t", NULL};
	return ldp_expr_parse_where_as(engine, where, quals, a, out);
}

/* An SQL identifier as DuckDB names it: "a""b" -> a"b; bare words as is
 * (qualifiers compare case-insensitively). */
static const char *unquote(ldp_arena *a, const char *s)
{
	if (*s != '"')
		return s;
	ldp_buf b = LDP_BUF_INIT;
	for (const char *p = s + 1; *p; p++) {
		if (*p == '"' && p[1] != '"')
			break;
		if (*p == '"')
			p++;
		ldp_buf_putc(&b, *p);
	}
	char *r = ldp_buf_oom(&b) ? NULL : ldp_arena_strdup(a, ldp_buf_cstr(&b));
	ldp_buf_free(&b);
	return r ? r : s;
}

int ldp_expr_parse_where_as(struct ldp_engine *engine, const char *where, const char *const *quals_sql, ldp_arena *a,
			    ldp_expr **out)
{
	*out = NULL;
	size_t nq = 0;
	while (quals_sql[nq])
		nq++;
	const char **quals = ldp_arena_calloc(a, nq + 1, sizeof *quals);
	if (!quals)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; i < nq; i++)
		quals[i] = unquote(a, quals_sql[i]);
	ldp_buf q = LDP_BUF_INIT, inner = LDP_BUF_INIT;
	ldp_buf_puts(&inner, "SELECT * FROM t WHERE ");
	ldp_buf_puts(&inner, where);
	ldp_buf_puts(&q, "SELECT json_serialize_sql(");
	ldp_buf_put_sql_string(&q, ldp_buf_cstr(&inner));
	ldp_buf_puts(&q, ")");
	char *text = NULL;
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query_text(engine, ldp_buf_cstr(&q), &text);
	ldp_buf_free(&q);
	ldp_buf_free(&inner);
	if (rc)
		return ldp_error_wrap(rc, "--where '%s'", where);
	json_t *doc = ldp_duckdb_json_load(text);
	free(text);
	if (!doc)
		return ldp_error_set(LDP_ERROR, "json_serialize_sql returned no JSON for --where '%s'", where);
	if (json_is_true(json_object_get(doc, "error"))) {
		rc = ldp_error_set(LDP_EINVALID, "--where '%s': %s", where, jstr(doc, "error_message"));
		json_decref(doc);
		return rc;
	}
	const json_t *node = json_object_get(json_array_get(json_object_get(doc, "statements"), 0), "node");
	*out = ldp_expr_from_duckdb_json(a, json_object_get(node, "where_clause"), quals);
	json_decref(doc);
	return *out ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}
