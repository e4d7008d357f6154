/* Filter expressions: building, normalising, binding, printing; see
 * table/expr.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "format/schema.h"
#include "format/transform.h"
#include "format/value.h"
#include "ldp/error.h"
#include "table/expr.h"

ldp_expr *ldp_expr_const(ldp_arena *a, bool v)
{
	ldp_expr *e = ldp_arena_calloc(a, 1, sizeof *e);
	if (e)
		e->op = v ? LDP_EX_TRUE : LDP_EX_FALSE;
	return e;
}

static ldp_expr *node(ldp_arena *a, ldp_expr_op op, ldp_expr *l, ldp_expr *r)
{
	ldp_expr *e = ldp_arena_calloc(a, 1, sizeof *e);
	if (e) {
		e->op = op;
		e->left = l;
		e->right = r;
	}
	return e;
}

ldp_expr *ldp_expr_and(ldp_arena *a, ldp_expr *l, ldp_expr *r)
{
	if (!l || !r)
		return NULL;
	if (l->op == LDP_EX_FALSE || r->op == LDP_EX_TRUE)
		return l;
	if (r->op == LDP_EX_FALSE || l->op == LDP_EX_TRUE)
		return r;
	return node(a, LDP_EX_AND, l, r);
}

ldp_expr *ldp_expr_or(ldp_arena *a, ldp_expr *l, ldp_expr *r)
{
	if (!l || !r)
		return NULL;
	if (l->op == LDP_EX_TRUE || r->op == LDP_EX_FALSE)
		return l;
	if (r->op == LDP_EX_TRUE || l->op == LDP_EX_FALSE)
		return r;
	return node(a, LDP_EX_OR, l, r);
}

ldp_expr *ldp_expr_not(ldp_arena *a, ldp_expr *e)
{
	return e ? node(a, LDP_EX_NOT, e, NULL) : NULL;
}

ldp_expr *ldp_expr_pred(ldp_arena *a, ldp_expr_op op, const char *column, ldp_lit_kind kind, size_t nlits,
			const char *const *lits)
{
	ldp_expr *e = node(a, op, NULL, NULL);
	if (!e)
		return NULL;
	e->column = ldp_arena_strdup(a, column);
	e->lit_kind = kind;
	e->nlits = nlits;
	e->lits = ldp_arena_calloc(a, nlits + 1, sizeof *e->lits);
	if (!e->column || !e->lits)
		return NULL;
	for (size_t i = 0; i < nlits; i++)
		if (!(e->lits[i] = ldp_arena_strdup(a, lits[i])))
			return NULL;
	return e;
}

static ldp_expr_op negate_op(ldp_expr_op op)
{
	switch (op) {
	case LDP_EX_TRUE: return LDP_EX_FALSE;
	case LDP_EX_FALSE: return LDP_EX_TRUE;
	case LDP_EX_LT: return LDP_EX_GE;
	case LDP_EX_LE: return LDP_EX_GT;
	case LDP_EX_GT: return LDP_EX_LE;
	case LDP_EX_GE: return LDP_EX_LT;
	case LDP_EX_EQ: return LDP_EX_NE;
	case LDP_EX_NE: return LDP_EX_EQ;
	case LDP_EX_IN: return LDP_EX_NOT_IN;
	case LDP_EX_NOT_IN: return LDP_EX_IN;
	case LDP_EX_IS_NULL: return LDP_EX_NOT_NULL;
	case LDP_EX_NOT_NULL: return LDP_EX_IS_NULL;
	case LDP_EX_IS_NAN: return LDP_EX_NOT_NAN;
	case LDP_EX_NOT_NAN: return LDP_EX_IS_NAN;
	case LDP_EX_STARTS_WITH: return LDP_EX_NOT_STARTS_WITH;
	case LDP_EX_NOT_STARTS_WITH: return LDP_EX_STARTS_WITH;
	default: return op;
	}
}

static ldp_expr *norm(ldp_arena *a, const ldp_expr *e, int neg)
{
	if (!e)
		return NULL;
	switch (e->op) {
	case LDP_EX_NOT: return norm(a, e->left, !neg);
	case LDP_EX_AND:
	case LDP_EX_OR: {
		ldp_expr *l = norm(a, e->left, neg), *r = norm(a, e->right, neg);
		/* De Morgan: NOT (a AND b) = NOT a OR NOT b */
		return (e->op == LDP_EX_AND) != neg ? ldp_expr_and(a, l, r) : ldp_expr_or(a, l, r);
	}
	default: {
		ldp_expr *c = ldp_arena_alloc(a, sizeof *c);
		if (!c)
			return NULL;
		*c = *e;
		if (neg)
			c->op = negate_op(e->op);
		return c;
	}
	}
}

ldp_expr *ldp_expr_normalize(ldp_arena *a, const ldp_expr *e)
{
	return norm(a, e, 0);
}

/* ---- binding ---- */

struct ci_find {
	const char *name;
	const ldp_field *hit;
	int many;
};

static int ci_visit(const ldp_field *f, const char *path, void *ctx)
{
	struct ci_find *c = ctx;
	if (strcasecmp(path, c->name) == 0) {
		c->many += c->hit != NULL;
		c->hit = f;
	}
	return 0;
}

static const ldp_field *find_column(const ldp_schema *s, const char *name)
{
	const ldp_field *f = ldp_schema_field_by_name(s, name);
	if (f)
		return f;
	struct ci_find c = {name, NULL, 0};
	ldp_schema_visit(s, ci_visit, &c);
	return c.many ? NULL : c.hit;
}

/* Whether a literal written as `k` means the same to DuckDB as to us when
 * compared with a column of type t. */
static bool lit_fits(ldp_lit_kind k, const ldp_type *t)
{
	switch (t->id) {
	case LDP_T_INT:
	case LDP_T_LONG:
	case LDP_T_DOUBLE:
	case LDP_T_DECIMAL: return k == LDP_LIT_NUMBER;
	case LDP_T_BOOLEAN: return k == LDP_LIT_BOOL;
	case LDP_T_STRING:
	case LDP_T_DATE:
	case LDP_T_TIME:
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ:
	case LDP_T_UUID: return k == LDP_LIT_STRING;
	/* float: DuckDB may compare in float or in double depending on the
	 * literal's type, so bounds cannot be trusted either way */
	default: return false;
	}
}

static int parse_lit(ldp_arena *a, const ldp_type *t, const char *text, ldp_value *out)
{
	int rc = ldp_value_parse_duckdb(t, text, a, out);
	if (rc && (t->id == LDP_T_TIMESTAMP || t->id == LDP_T_TIMESTAMPTZ)) {
		/* DATE '2024-01-01' against a timestamp: DuckDB casts to midnight */
		char buf[64];
		snprintf(buf, sizeof buf, "%s 00:00:00", text);
		rc = ldp_value_parse_duckdb(t, buf, a, out);
	}
	return rc;
}

ldp_expr *ldp_expr_bind(ldp_arena *a, const ldp_expr *e, const ldp_schema *s)
{
	if (!e)
		return NULL;
	switch (e->op) {
	case LDP_EX_TRUE:
	case LDP_EX_FALSE: return ldp_expr_const(a, e->op == LDP_EX_TRUE);
	case LDP_EX_AND: return ldp_expr_and(a, ldp_expr_bind(a, e->left, s), ldp_expr_bind(a, e->right, s));
	case LDP_EX_OR: return ldp_expr_or(a, ldp_expr_bind(a, e->left, s), ldp_expr_bind(a, e->right, s));
	case LDP_EX_NOT: return ldp_expr_const(a, true); /* normalise first */
	default: break;
	}
	const ldp_field *f = e->column ? find_column(s, e->column) : NULL;
	if (!f || !ldp_type_is_primitive(f->type))
		return ldp_expr_const(a, true);
	ldp_expr *b = ldp_arena_alloc(a, sizeof *b);
	if (!b)
		return NULL;
	*b = *e;
	b->field_id = f->id;
	b->type = f->type;
	b->column = f->name;
	bool null_test = e->op == LDP_EX_IS_NULL || e->op == LDP_EX_NOT_NULL;
	bool nan_test = e->op == LDP_EX_IS_NAN || e->op == LDP_EX_NOT_NAN;
	if (nan_test && f->type->id != LDP_T_FLOAT && f->type->id != LDP_T_DOUBLE)
		return ldp_expr_const(a, true);
	if (null_test || nan_test)
		return b;
	if ((e->op == LDP_EX_STARTS_WITH || e->op == LDP_EX_NOT_STARTS_WITH) && f->type->id != LDP_T_STRING)
		return ldp_expr_const(a, true);
	if (!lit_fits(e->lit_kind, f->type) || e->nlits == 0)
		return ldp_expr_const(a, true);
	b->values = ldp_arena_calloc(a, e->nlits, sizeof *b->values);
	if (!b->values)
		return NULL;
	for (size_t i = 0; i < e->nlits; i++) {
		if (parse_lit(a, f->type, e->lits[i], &b->values[i]) || b->values[i].is_null) {
			ldp_error_clear();
			return ldp_expr_const(a, true);
		}
	}
	return b;
}

/* ---- printing ---- */

static const char *op_text(ldp_expr_op op)
{
	switch (op) {
	case LDP_EX_LT: return "<";
	case LDP_EX_LE: return "<=";
	case LDP_EX_GT: return ">";
	case LDP_EX_GE: return ">=";
	case LDP_EX_EQ: return "=";
	case LDP_EX_NE: return "!=";
	case LDP_EX_IN: return "IN";
	case LDP_EX_NOT_IN: return "NOT IN";
	case LDP_EX_IS_NULL: return "IS NULL";
	case LDP_EX_NOT_NULL: return "IS NOT NULL";
	case LDP_EX_IS_NAN: return "IS NAN";
	case LDP_EX_NOT_NAN: return "IS NOT NAN";
	case LDP_EX_STARTS_WITH: return "STARTS WITH";
	case LDP_EX_NOT_STARTS_WITH: return "NOT STARTS WITH";
	default: return "?";
	}
}

static void put_lit(const ldp_expr *e, size_t i, ldp_buf *out)
{
	ldp_transform_kind k = e->transform ? e->transform->kind : LDP_TR_IDENTITY;
	bool temporal = k == LDP_TR_YEAR || k == LDP_TR_MONTH || k == LDP_TR_DAY || k == LDP_TR_HOUR;
	if (e->values && temporal && e->source_type &&
	    ldp_transform_human_string(e->transform, e->source_type, &e->values[i], out) == LDP_OK)
		return;
	ldp_error_clear();
	if (e->values && e->type) {
		ldp_value_to_sql(&e->values[i], e->type, out);
		return;
	}
	if (e->lit_kind == LDP_LIT_STRING)
		ldp_buf_put_sql_string(out, e->lits[i]);
	else
		ldp_buf_puts(out, e->lits[i]);
}

void ldp_expr_to_string(const ldp_expr *e, ldp_buf *out)
{
	if (!e) {
		ldp_buf_puts(out, "?");
		return;
	}
	switch (e->op) {
	case LDP_EX_TRUE: ldp_buf_puts(out, "true"); return;
	case LDP_EX_FALSE: ldp_buf_puts(out, "false"); return;
	case LDP_EX_NOT:
		ldp_buf_puts(out, "NOT (");
		ldp_expr_to_string(e->left, out);
		ldp_buf_putc(out, ')');
		return;
	case LDP_EX_AND:
	case LDP_EX_OR:
		ldp_buf_putc(out, '(');
		ldp_expr_to_string(e->left, out);
		ldp_buf_puts(out, e->op == LDP_EX_AND ? " AND " : " OR ");
		ldp_expr_to_string(e->right, out);
		ldp_buf_putc(out, ')');
		return;
	default: break;
	}
	ldp_buf_puts(out, e->column ? e->column : "?");
	ldp_buf_putc(out, ' ');
	ldp_buf_puts(out, op_text(e->op));
	if (e->op == LDP_EX_IN || e->op == LDP_EX_NOT_IN) {
		ldp_buf_puts(out, " (");
		for (size_t i = 0; i < e->nlits; i++) {
			if (i)
				ldp_buf_puts(out, ", ");
			put_lit(e, i, out);
		}
		ldp_buf_putc(out, ')');
	} else if (e->nlits) {
		ldp_buf_putc(out, ' ');
		put_lit(e, 0, out);
	}
}
