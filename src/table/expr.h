/*
 * table/expr.h - row filter expressions for scan planning (spec: "Scan
 * Planning"): a small expression model bound to field ids, negation pushed
 * to the leaves, inclusive and strict projection through partition
 * transforms, and evaluators deciding whether a manifest (partition field
 * summaries) or a data file (partition tuple, column bounds, null and NaN
 * counts) may hold matching rows.
 *
 * Every evaluator is conservative: "false" means no row can match, so pruning
 * never drops a file that could. Anything ldp cannot reason about (unknown
 * columns, literals that do not parse as the column's type, float columns'
 * comparisons) becomes TRUE before negations could flip it: expressions are
 * normalised (NOT pushed into the leaves) before binding.
 *
 * Memory: every node, string and value lives in the ldp_arena passed in.
 */
#ifndef LDP_TABLE_EXPR_H
#define LDP_TABLE_EXPR_H

#include <jansson.h>

#include "format/model.h"
#include "ldp/arena.h"
#include "ldp/buf.h"

typedef enum ldp_expr_op {
	LDP_EX_TRUE,
	LDP_EX_FALSE,
	LDP_EX_AND,
	LDP_EX_OR,
	LDP_EX_NOT,
	LDP_EX_LT,
	LDP_EX_LE,
	LDP_EX_GT,
	LDP_EX_GE,
	LDP_EX_EQ,
	LDP_EX_NE,
	LDP_EX_IN,
	LDP_EX_NOT_IN,
	LDP_EX_IS_NULL,
	LDP_EX_NOT_NULL,
	LDP_EX_IS_NAN,
	LDP_EX_NOT_NAN,
	LDP_EX_STARTS_WITH,
	LDP_EX_NOT_STARTS_WITH
} ldp_expr_op;

/* How a literal was written (decides which column types it may bind to). */
typedef enum ldp_lit_kind {
	LDP_LIT_NUMBER,  /* 5, -2.5, 1e3 */
	LDP_LIT_STRING,  /* 'abc' (also DATE '...', TIMESTAMP '...': the text) */
	LDP_LIT_BOOL
} ldp_lit_kind;

typedef struct ldp_expr {
	ldp_expr_op op;
	struct ldp_expr *left, *right; /* AND, OR; NOT uses left */
	/* predicates */
	const char *column;            /* as written (unbound) / the field's name (bound) */
	size_t nlits;
	const char **lits;             /* literal texts */
	ldp_lit_kind lit_kind;
	int32_t field_id;              /* bound: the field (or partition field) id; 0 unbound */
	const ldp_type *type;          /* bound: the field's type */
	ldp_value *values;             /* bound: nlits values of `type` */
	/* projected onto a partition field: its transform and source type, so
	 * values print as partition paths do (2024-01-03, not 19725) */
	const ldp_transform *transform;
	const ldp_type *source_type;
} ldp_expr;

/* ---- building ---- */

ldp_expr *ldp_expr_const(ldp_arena *a, bool v);
ldp_expr *ldp_expr_and(ldp_arena *a, ldp_expr *l, ldp_expr *r); /* simplifies TRUE/FALSE */
ldp_expr *ldp_expr_or(ldp_arena *a, ldp_expr *l, ldp_expr *r);
ldp_expr *ldp_expr_not(ldp_arena *a, ldp_expr *e);
/* An unbound predicate on `column` with literal texts (copied). */
ldp_expr *ldp_expr_pred(ldp_arena *a, ldp_expr_op op, const char *column, ldp_lit_kind kind, size_t nlits,
			const char *const *lits);

/* Push NOT into the leaves (NOT a < 1 -> a >= 1, De Morgan); the result has
 * no NOT nodes. */
ldp_expr *ldp_expr_normalize(ldp_arena *a, const ldp_expr *e);

/* Bind a normalised expression to `schema`: columns by exact name, else a
 * unique case-insensitive match; literals parsed as the column's type.
 * Predicates that cannot be bound become TRUE (a weaker filter). */
ldp_expr *ldp_expr_bind(ldp_arena *a, const ldp_expr *e, const ldp_schema *schema);

/* Text for messages: "ts >= 2024-01-02 00:00:00 AND id IN (1, 2)". */
void ldp_expr_to_string(const ldp_expr *e, ldp_buf *out);

/* ---- projection (spec: "Scan Planning") ---- */

/* Project a bound, normalised row filter onto the partition fields of
 * `spec`, giving a filter over partition values (field_id = partition field
 * id, type = its result type, column = its name). Inclusive: every partition
 * that may hold a matching row satisfies the projection. Strict: every row of
 * a partition satisfying the projection matches. source_types[i] is the type
 * of the source column of spec field i in the current schema (NULL when the
 * source is gone: nothing is projected through that field). */
ldp_expr *ldp_expr_project_inclusive(ldp_arena *a, const ldp_expr *e, const ldp_partition_spec *spec,
				     const ldp_type *const *source_types);
ldp_expr *ldp_expr_project_strict(ldp_arena *a, const ldp_expr *e, const ldp_partition_spec *spec,
				  const ldp_type *const *source_types);

/* ---- evaluation: false = no row can match ---- */

/* A projected filter against one partition tuple (values in spec order). */
bool ldp_expr_eval_partition(const ldp_expr *e, const ldp_partition_spec *spec, const ldp_value *tuple,
			     const ldp_expr **why);
/* A projected filter against a manifest's partition field summaries
 * (bounds decoded with part_types, one per spec field). */
bool ldp_expr_eval_summaries(const ldp_expr *e, const ldp_partition_spec *spec, const ldp_type *part_types,
			     const ldp_field_summary *sums, size_t nsums, const ldp_expr **why);
/* A row filter against a data file's column metrics (bounds, value, null
 * and NaN counts). Bounds written with a narrower type before a promotion
 * (int before long, float before double) are widened. */
bool ldp_expr_eval_metrics(const ldp_expr *e, const ldp_data_file_entry *f, const ldp_expr **why);

/* ---- from DuckDB ---- */

/* Convert an expression of DuckDB's json_serialize_sql output (a WHERE
 * clause) into an unbound filter. Column references qualified by one of
 * `quals` (the table's alias or name; a NULL-terminated list) lose the
 * qualifier; others keep their dotted path. What cannot be expressed becomes
 * TRUE. */
ldp_expr *ldp_expr_from_duckdb_json(ldp_arena *a, const json_t *j, const char *const *quals);

/* Parse json_serialize_sql output (NULL when it is not JSON). */
json_t *ldp_duckdb_json_load(const char *text);

/* The row filter of `where` (SQL text, DuckDB dialect) through
 * json_serialize_sql on `engine`; LDP_EINVALID naming the text when DuckDB
 * cannot parse it. */
struct ldp_engine;
int ldp_expr_parse_where(struct ldp_engine *engine, const char *where, ldp_arena *a, ldp_expr **out);
/* The same with columns qualified by one of `quals` (NULL-terminated, as
 * written in SQL: "t", "\"My T\"") taken as the table's, for the WHERE of
 * DELETE / UPDATE statements. */
int ldp_expr_parse_where_as(struct ldp_engine *engine, const char *where, const char *const *quals, ldp_arena *a,
			    ldp_expr **out);

#endif
