/*
 * Inclusive and strict projection of row filters onto partition fields
 * (spec: "Scan Planning"; the per-transform rules below follow the
 * reference implementation's projections). Transforms are monotonic
 * (non-decreasing) over their source, except bucket; so:
 *   inclusive  x < v  ->  p <= f(v - 1)     strict  x < v  ->  p < f(v)
 *              x <= v ->  p <= f(v)                 x <= v ->  p < f(v + 1)
 *              x > v  ->  p >= f(v + 1)             x > v  ->  p > f(v)
 *              x >= v ->  p >= f(v)                 x >= v ->  p > f(v - 1)
 *              x = v  ->  p = f(v)                  x != v ->  p != f(v)
 * where f is truncate or year/month/day/hour and +-1 is one unit of the
 * source (1, a day, a microsecond...). Strings have no successor, and f is
 * a prefix, so for them x < v and x <= v project to p <= f(v) (inclusive)
 * and p < f(v) (strict), x > v and x >= v to p >= f(v) and p > f(v).
 * bucket keeps only = / IN (inclusive) and != / NOT IN (strict); void keeps
 * nothing. Null tests pass through every non-void transform (null maps to
 * null, non-null to non-null).
 */
#include <string.h>

#include "format/transform.h"
#include "ldp/error.h"
#include "table/expr.h"

/* v + delta in the unit of its type; false when there is none (strings,
 * floats) or it would overflow. */
static bool step(const ldp_value *v, int delta, ldp_value *out)
{
	*out = *v;
	switch (v->type) {
	case LDP_T_INT:
	case LDP_T_DATE:
		if ((delta > 0 && v->v.i32 == INT32_MAX) || (delta < 0 && v->v.i32 == INT32_MIN))
			return false;
		out->v.i32 += delta;
		return true;
	case LDP_T_LONG:
	case LDP_T_TIME:
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ:
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS:
		if ((delta > 0 && v->v.i64 == INT64_MAX) || (delta < 0 && v->v.i64 == INT64_MIN))
			return false;
		out->v.i64 += delta;
		return true;
	case LDP_T_DECIMAL: out->v.dec += delta; return true;
	default: return false;
	}
}

typedef struct proj {
	ldp_arena *a;
	const ldp_partition_field *pf;
	const ldp_type *src;
	ldp_type rt; /* result type */
} proj;

/* A predicate on the partition field with `n` values f(vals[i] + delta). */
static ldp_expr *pred(proj *p, ldp_expr_op op, const ldp_value *vals, size_t n, int delta)
{
	ldp_expr *e = ldp_arena_calloc(p->a, 1, sizeof *e);
	ldp_type *rt = ldp_arena_alloc(p->a, sizeof *rt);
	if (!e || !rt)
		return NULL;
	*rt = p->rt;
	e->op = op;
	e->column = p->pf->name;
	e->field_id = p->pf->field_id;
	e->type = rt;
	e->lit_kind = LDP_LIT_STRING;
	e->transform = &p->pf->transform;
	e->source_type = p->src;
	e->nlits = n;
	if (n) {
		e->values = ldp_arena_calloc(p->a, n, sizeof *e->values);
		if (!e->values)
			return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		ldp_value v;
		if (!step(&vals[i], delta, &v) && delta != 0)
			return ldp_expr_const(p->a, true); /* caller decides; see project_one */
		if (ldp_transform_apply(&p->pf->transform, p->src, &v, &e->values[i])) {
			ldp_error_clear();
			return NULL;
		}
	}
	return e;
}

static size_t cp_len(const ldp_value *v)
{
	size_t n = 0;
	for (size_t i = 0; i < v->v.bytes.len; i++)
		n += (v->v.bytes.ptr[i] & 0xc0) != 0x80;
	return n;
}

/* NULL means "cannot project": the caller substitutes TRUE (inclusive) or
 * FALSE (strict). */
static ldp_expr *project_one(proj *p, const ldp_expr *e, bool strict)
{
	ldp_transform_kind k = p->pf->transform.kind;
	ldp_expr_op op = e->op;
	if (k == LDP_TR_VOID || k == LDP_TR_UNKNOWN)
		return NULL;
	if (op == LDP_EX_IS_NULL || op == LDP_EX_NOT_NULL)
		return pred(p, op, NULL, 0, 0);
	if (k == LDP_TR_IDENTITY) {
		ldp_expr *c = ldp_arena_alloc(p->a, sizeof *c);
		if (!c)
			return NULL;
		*c = *e;
		c->field_id = p->pf->field_id;
		c->column = p->pf->name;
		return c;
	}
	if (op == LDP_EX_IS_NAN || op == LDP_EX_NOT_NAN)
		return NULL;
	const ldp_value *v = e->values;
	size_t n = e->nlits;
	if (k == LDP_TR_BUCKET) {
		if (!strict && (op == LDP_EX_EQ || op == LDP_EX_IN))
			return pred(p, op, v, n, 0);
		if (strict && (op == LDP_EX_NE || op == LDP_EX_NOT_IN))
			return pred(p, op, v, n, 0);
		return NULL;
	}
	bool str = p->src->id == LDP_T_STRING || p->src->id == LDP_T_BINARY;
	if (op == LDP_EX_STARTS_WITH || op == LDP_EX_NOT_STARTS_WITH) {
		if (k != LDP_TR_TRUNCATE || p->src->id != LDP_T_STRING)
			return NULL;
		bool fits = cp_len(&v[0]) <= (size_t)p->pf->transform.param;
		if (op == LDP_EX_STARTS_WITH)
			return fits ? pred(p, op, v, 1, 0) : strict ? NULL : pred(p, LDP_EX_EQ, v, 1, 0);
		return strict && fits ? pred(p, op, v, 1, 0) : NULL;
	}
	if (!strict) {
		switch (op) {
		case LDP_EX_LT: return str ? pred(p, LDP_EX_LE, v, 1, 0) : pred(p, LDP_EX_LE, v, 1, -1);
		case LDP_EX_LE: return pred(p, LDP_EX_LE, v, 1, 0);
		case LDP_EX_GT: return str ? pred(p, LDP_EX_GE, v, 1, 0) : pred(p, LDP_EX_GE, v, 1, 1);
		case LDP_EX_GE: return pred(p, LDP_EX_GE, v, 1, 0);
		case LDP_EX_EQ:
		case LDP_EX_IN: return pred(p, op, v, n, 0);
		default: return NULL;
		}
	}
	switch (op) {
	case LDP_EX_LT: return pred(p, LDP_EX_LT, v, 1, 0);
	case LDP_EX_LE: return str ? pred(p, LDP_EX_LT, v, 1, 0) : pred(p, LDP_EX_LT, v, 1, 1);
	case LDP_EX_GT: return pred(p, LDP_EX_GT, v, 1, 0);
	case LDP_EX_GE: return str ? pred(p, LDP_EX_GT, v, 1, 0) : pred(p, LDP_EX_GT, v, 1, -1);
	case LDP_EX_NE:
	case LDP_EX_NOT_IN: return pred(p, op, v, n, 0);
	default: return NULL;
	}
}

static ldp_expr *project(ldp_arena *a, const ldp_expr *e, const ldp_partition_spec *spec,
			 const ldp_type *const *src_types, bool strict)
{
	if (!e)
		return NULL;
	switch (e->op) {
	case LDP_EX_TRUE:
	case LDP_EX_FALSE: return ldp_expr_const(a, e->op == LDP_EX_TRUE);
	case LDP_EX_AND:
		return ldp_expr_and(a, project(a, e->left, spec, src_types, strict),
				    project(a, e->right, spec, src_types, strict));
	case LDP_EX_OR:
		return ldp_expr_or(a, project(a, e->left, spec, src_types, strict),
				   project(a, e->right, spec, src_types, strict));
	case LDP_EX_NOT: return ldp_expr_const(a, !strict); /* normalised input has none */
	default: break;
	}
	/* Inclusive: every field over the column constrains the partition (AND).
	 * Strict: any one field proving the predicate is enough (OR). */
	ldp_expr *acc = ldp_expr_const(a, !strict);
	for (size_t i = 0; acc && i < spec->nfields; i++) {
		const ldp_partition_field *pf = &spec->fields[i];
		if (pf->source_id != e->field_id || pf->nsource_ids > 1 || !src_types[i])
			continue;
		proj p = {a, pf, src_types[i], {0}};
		if (ldp_transform_result_type(&pf->transform, src_types[i], &p.rt)) {
			ldp_error_clear();
			continue;
		}
		ldp_expr *one = project_one(&p, e, strict);
		if (one && one->op == LDP_EX_TRUE && strict)
			one = NULL; /* a step overflowed: nothing certain */
		if (!one)
			continue;
		acc = strict ? ldp_expr_or(a, acc, one) : ldp_expr_and(a, acc, one);
	}
	return acc;
}

ldp_expr *ldp_expr_project_inclusive(ldp_arena *a, const ldp_expr *e, const ldp_partition_spec *spec,
				     const ldp_type *const *source_types)
{
	return project(a, e, spec, source_types, false);
}

ldp_expr *ldp_expr_project_strict(ldp_arena *a, const ldp_expr *e, const ldp_partition_spec *spec,
				  const ldp_type *const *source_types)
{
	return project(a, e, spec, source_types, true);
}
