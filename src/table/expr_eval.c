/*
 * Evaluating filters against what metadata knows about a manifest or a data
 * file; see table/expr.h. "false" = no row can match. The rules follow the
 * spec's "Scan Planning" and the reference implementation's manifest and
 * inclusive-metrics evaluators, with two adjustments for DuckDB, which
 * applies the query afterwards: NaN sorts above every number there (so
 * x > v, x >= v and x != v may match NaN rows: no pruning on those when a
 * file may hold NaN), and -0.0 equals 0.0.
 */
#include <math.h>
#include <string.h>

#include "format/value.h"
#include "ldp/error.h"
#include "table/expr.h"

static int int_class(ldp_type_id t)
{
	switch (t) {
	case LDP_T_INT:
	case LDP_T_DATE: return 1;
	case LDP_T_LONG:
	case LDP_T_TIME:
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ:
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS: return 2;
	default: return 0;
	}
}

static int64_t as_i64(const ldp_value *v)
{
	return int_class(v->type) == 1 ? v->v.i32 : v->v.i64;
}

static bool is_float(ldp_type_id t)
{
	return t == LDP_T_FLOAT || t == LDP_T_DOUBLE;
}

static double as_f64(const ldp_value *v)
{
	return v->type == LDP_T_FLOAT ? v->v.f32 : v->v.f64;
}

/* Order of two non-null values; false when they cannot be compared (NaN,
 * different kinds of type). Partition values of a day transform come as
 * date or int, bounds of a promoted column as the older, narrower type. */
static bool vcmp(const ldp_value *a, const ldp_value *b, int *out)
{
	if (int_class(a->type) && int_class(b->type)) {
		int64_t x = as_i64(a), y = as_i64(b);
		*out = (x > y) - (x < y);
		return true;
	}
	if (is_float(a->type) && is_float(b->type)) {
		double x = as_f64(a), y = as_f64(b);
		if (isnan(x) || isnan(y))
			return false;
		*out = (x > y) - (x < y); /* -0.0 == 0.0, as in DuckDB */
		return true;
	}
	if (a->type != b->type)
		return false;
	*out = ldp_value_compare(a, b);
	return true;
}

static bool has_prefix(const ldp_value *v, const ldp_value *prefix)
{
	return v->v.bytes.len >= prefix->v.bytes.len &&
	       memcmp(v->v.bytes.ptr, prefix->v.bytes.ptr, prefix->v.bytes.len) == 0;
}

/* The first n bytes of v compared with prefix p. */
static int cmp_prefix(const ldp_value *v, const ldp_value *p)
{
	size_t n = v->v.bytes.len < p->v.bytes.len ? v->v.bytes.len : p->v.bytes.len;
	int c = memcmp(v->v.bytes.ptr, p->v.bytes.ptr, n);
	if (c)
		return c;
	return v->v.bytes.len < p->v.bytes.len ? -1 : 0;
}

/* ---- partition tuples (exact values) ---- */

static bool eval_value(const ldp_expr *e, const ldp_value *v)
{
	switch (e->op) {
	case LDP_EX_IS_NULL: return v->is_null;
	case LDP_EX_NOT_NULL: return !v->is_null;
	case LDP_EX_IS_NAN: return v->is_null ? false : !is_float(v->type) || isnan(as_f64(v));
	case LDP_EX_NOT_NAN: return true;
	default: break;
	}
	if (v->is_null)
		return false; /* a comparison with null is never true */
	int c;
	switch (e->op) {
	case LDP_EX_LT: return !vcmp(v, &e->values[0], &c) || c < 0;
	case LDP_EX_LE: return !vcmp(v, &e->values[0], &c) || c <= 0;
	case LDP_EX_GT: return !vcmp(v, &e->values[0], &c) || c > 0;
	case LDP_EX_GE: return !vcmp(v, &e->values[0], &c) || c >= 0;
	case LDP_EX_EQ: return !vcmp(v, &e->values[0], &c) || c == 0;
	case LDP_EX_NE: return !vcmp(v, &e->values[0], &c) || c != 0;
	case LDP_EX_IN:
		for (size_t i = 0; i < e->nlits; i++)
			if (!vcmp(v, &e->values[i], &c) || c == 0)
				return true;
		return false;
	case LDP_EX_NOT_IN:
		for (size_t i = 0; i < e->nlits; i++)
			if (vcmp(v, &e->values[i], &c) && c == 0)
				return false;
		return true;
	case LDP_EX_STARTS_WITH: return v->type != LDP_T_STRING || has_prefix(v, &e->values[0]);
	case LDP_EX_NOT_STARTS_WITH: return v->type != LDP_T_STRING || !has_prefix(v, &e->values[0]);
	default: return true;
	}
}

/* AND / OR over a leaf evaluator; *why gets the leaf (or OR node) that
 * rules the rows out. */
typedef bool (*leaf_fn)(const ldp_expr *e, const void *ctx);

static bool eval_tree(const ldp_expr *e, leaf_fn fn, const void *ctx, const ldp_expr **why)
{
	switch (e->op) {
	case LDP_EX_TRUE: return true;
	case LDP_EX_FALSE:
		if (why)
			*why = e;
		return false;
	case LDP_EX_AND:
		return eval_tree(e->left, fn, ctx, why) && eval_tree(e->right, fn, ctx, why);
	case LDP_EX_OR:
		if (eval_tree(e->left, fn, ctx, NULL) || eval_tree(e->right, fn, ctx, NULL))
			return true;
		if (why)
			*why = e;
		return false;
	case LDP_EX_NOT: return true;
	default:
		if (fn(e, ctx))
			return true;
		if (why)
			*why = e;
		return false;
	}
}

typedef struct part_ctx {
	const ldp_partition_spec *spec;
	const ldp_value *tuple;
	const ldp_type *types;
	const ldp_field_summary *sums;
	size_t nsums;
} part_ctx;

static int field_index(const ldp_partition_spec *spec, int32_t field_id)
{
	for (size_t i = 0; i < spec->nfields; i++)
		if (spec->fields[i].field_id == field_id)
			return (int)i;
	return -1;
}

static bool leaf_partition(const ldp_expr *e, const void *ctx)
{
	const part_ctx *c = ctx;
	int i = field_index(c->spec, e->field_id);
	return i < 0 || eval_value(e, &c->tuple[i]);
}

bool ldp_expr_eval_partition(const ldp_expr *e, const ldp_partition_spec *spec, const ldp_value *tuple,
			     const ldp_expr **why)
{
	part_ctx c = {spec, tuple, NULL, NULL, 0};
	return eval_tree(e, leaf_partition, &c, why);
}

/* ---- bounds (summaries and column metrics share the range logic) ---- */

typedef struct range {
	bool has_lower, has_upper;
	ldp_value lower, upper;
	bool may_have_nan; /* NaN values possible (unknown counts it as possible) */
	bool all_null;     /* every value is null */
	bool no_null;      /* no value is null (known) */
} range;

/* Decode a bound written as `t`, or as the narrower type before a promotion. */
static bool decode(const ldp_type *t, const uint8_t *p, size_t n, ldp_value *out)
{
	if (!p)
		return false;
	ldp_type narrow = *t;
	if (t->id == LDP_T_LONG && n == 4)
		narrow.id = LDP_T_INT;
	else if (t->id == LDP_T_DOUBLE && n == 4)
		narrow.id = LDP_T_FLOAT;
	if (ldp_value_from_bytes(&narrow, p, n, NULL, out)) {
		ldp_error_clear();
		return false;
	}
	if (is_float(out->type) && isnan(as_f64(out)))
		return false; /* old writers put NaN in bounds: unusable */
	return true;
}

static bool eval_range(const ldp_expr *e, const range *r)
{
	switch (e->op) {
	case LDP_EX_IS_NULL: return !r->no_null;
	case LDP_EX_NOT_NULL: return !r->all_null;
	case LDP_EX_IS_NAN: return !r->all_null && r->may_have_nan;
	case LDP_EX_NOT_NAN: return true;
	default: break;
	}
	if (r->all_null)
		return false;
	bool flt = is_float(e->type->id);
	if (flt && r->may_have_nan && (e->op == LDP_EX_GT || e->op == LDP_EX_GE))
		return true;
	const ldp_value *v = e->values;
	int c;
	switch (e->op) {
	case LDP_EX_LT: return !(r->has_lower && vcmp(&r->lower, &v[0], &c) && c >= 0);
	case LDP_EX_LE: return !(r->has_lower && vcmp(&r->lower, &v[0], &c) && c > 0);
	case LDP_EX_GT: return !(r->has_upper && vcmp(&r->upper, &v[0], &c) && c <= 0);
	case LDP_EX_GE: return !(r->has_upper && vcmp(&r->upper, &v[0], &c) && c < 0);
	case LDP_EX_EQ:
	case LDP_EX_IN:
		for (size_t i = 0; i < e->nlits; i++) {
			bool below = r->has_lower && vcmp(&r->lower, &v[i], &c) && c > 0;
			bool above = r->has_upper && vcmp(&r->upper, &v[i], &c) && c < 0;
			if (!below && !above)
				return true;
		}
		return false;
	case LDP_EX_STARTS_WITH:
		if (e->type->id != LDP_T_STRING)
			return true;
		if (r->has_lower && r->lower.type == LDP_T_STRING && cmp_prefix(&r->lower, &v[0]) > 0)
			return false;
		if (r->has_upper && r->upper.type == LDP_T_STRING && cmp_prefix(&r->upper, &v[0]) < 0)
			return false;
		return true;
	case LDP_EX_NOT_STARTS_WITH:
		/* every value between two strings with prefix P has prefix P */
		if (e->type->id == LDP_T_STRING && r->has_lower && r->has_upper && r->lower.type == LDP_T_STRING &&
		    r->upper.type == LDP_T_STRING && has_prefix(&r->lower, &v[0]) && has_prefix(&r->upper, &v[0]))
			return false;
		return true;
	default: return true; /* !=, NOT IN: bounds cannot rule them out */
	}
}

static bool leaf_summary(const ldp_expr *e, const void *ctx)
{
	const part_ctx *c = ctx;
	int i = field_index(c->spec, e->field_id);
	if (i < 0 || (size_t)i >= c->nsums)
		return true;
	const ldp_field_summary *s = &c->sums[i];
	range r;
	memset(&r, 0, sizeof r);
	r.has_lower = decode(&c->types[i], s->lower, s->lower_len, &r.lower);
	r.has_upper = decode(&c->types[i], s->upper, s->upper_len, &r.upper);
	r.no_null = !s->contains_null;
	/* no bounds and nulls present: only nulls (writers leave bounds out then) */
	r.all_null = s->contains_null && !s->lower && !s->upper && s->contains_nan <= 0;
	r.may_have_nan = s->contains_nan != 0;
	return eval_range(e, &r);
}

bool ldp_expr_eval_summaries(const ldp_expr *e, const ldp_partition_spec *spec, const ldp_type *part_types,
			     const ldp_field_summary *sums, size_t nsums, const ldp_expr **why)
{
	part_ctx c = {spec, NULL, part_types, sums, nsums};
	return eval_tree(e, leaf_summary, &c, why);
}

static bool leaf_metrics(const ldp_expr *e, const void *ctx)
{
	const ldp_data_file_entry *f = ctx;
	const ldp_col_metric *m = NULL;
	for (size_t i = 0; i < f->nmetrics; i++)
		if (f->metrics[i].field_id == e->field_id)
			m = &f->metrics[i];
	if (!m)
		return true;
	range r;
	memset(&r, 0, sizeof r);
	r.has_lower = decode(e->type, m->lower, m->lower_len, &r.lower);
	r.has_upper = decode(e->type, m->upper, m->upper_len, &r.upper);
	r.no_null = m->null_value_count == 0;
	r.all_null = m->null_value_count >= 0 && m->value_count >= 0 && m->null_value_count == m->value_count;
	r.may_have_nan = m->nan_value_count != 0;
	if (e->op == LDP_EX_NOT_NAN && m->nan_value_count >= 0 && m->nan_value_count == m->value_count)
		return false;
	return eval_range(e, &r);
}

bool ldp_expr_eval_metrics(const ldp_expr *e, const ldp_data_file_entry *f, const ldp_expr **why)
{
	if (f->record_count == 0) {
		if (why)
			*why = NULL;
		return false;
	}
	return eval_tree(e, leaf_metrics, f, why);
}
