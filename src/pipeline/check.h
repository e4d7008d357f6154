/*
 * pipeline/check.h - data checks on a warehouse table (`ldp check`, the
 * pipeline's check steps). Docs: docs/checks.md.
 *
 * A check set names one table (or view) and optional row filter; every check
 * except custom SQL sees only the rows matching `where`. Checks:
 *   row_count        min <= count(*) <= max
 *   freshness        max(column) is at most max_age older than as_of (now)
 *   not_null         no row has column NULL
 *   unique           no two rows share the key (rows with a NULL key part
 *                    are not checked: not_null is the check for those)
 *   accepted_values  every non-NULL value, compared as text, is listed
 *   sql              the query returns no rows (it names the table itself)
 * A failing check records how many rows (keys, for unique) failed and up to
 * `sample` of them.
 *
 * Ownership: a set owns its strings (ldp_check_set_clear); results own their
 * strings and samples (ldp_check_results_free).
 */
#ifndef LDP_PIPELINE_CHECK_H
#define LDP_PIPELINE_CHECK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "table/warehouse.h"

typedef enum ldp_check_kind {
	LDP_CHECK_ROW_COUNT,
	LDP_CHECK_FRESHNESS,
	LDP_CHECK_NOT_NULL,
	LDP_CHECK_UNIQUE,
	LDP_CHECK_ACCEPTED_VALUES,
	LDP_CHECK_SQL
} ldp_check_kind;

typedef struct ldp_check {
	ldp_check_kind kind;
	char **columns;      /* freshness, not_null, accepted_values: one; unique: the key */
	size_t ncolumns;
	char **values;       /* accepted_values */
	size_t nvalues;
	int has_min, has_max; /* row_count */
	int64_t min, max;
	double max_age_s;    /* freshness */
	char *max_age;       /* freshness, as written ("36h") */
	char *sql;           /* sql */
} ldp_check;

typedef struct ldp_check_set {
	char *table;         /* "ns.t" as given */
	char *where;         /* SQL predicate or NULL */
	char *as_of;         /* freshness reference time (a timestamp DuckDB casts to TIMESTAMPTZ); NULL: now */
	int sample;          /* failing rows to keep per failed check (ldp check's default: 5) */
	ldp_check *items;
	size_t n;
} ldp_check_set;

/* Add a check from its `ldp check` flag value:
 *   ROW_COUNT ("min"/"max" set by ldp_check_add_row_count), FRESHNESS "COL:DURATION",
 *   NOT_NULL "COL", UNIQUE "COL[,COL...]", ACCEPTED_VALUES "COL=v1,v2,...", SQL "query".
 * LDP_EINVALID naming the flag's text when it does not parse. */
int ldp_check_add(ldp_check_set *s, ldp_check_kind kind, const char *arg);
/* Set a row-count bound (one row_count check carries both bounds). */
int ldp_check_add_row_count(ldp_check_set *s, int is_max, int64_t bound);
void ldp_check_set_clear(ldp_check_set *s);
/* "not_null(pickup_at)", "unique(a,b)", "row_count", "sql(1)" ... malloc'd. */
char *ldp_check_name(const ldp_check_set *s, size_t i);

typedef struct ldp_check_result {
	char *name;          /* ldp_check_name */
	int passed;
	char *message;       /* what was found: "12 rows (min 1)", "3 duplicate keys" */
	int64_t failing;     /* failing rows (unique: duplicate keys); row_count: the count */
	json_t *sample;      /* failing rows as a row set (pipeline/rows.h), NULL when none */
} ldp_check_result;

/* Run every check of s in order. Before any runs, the table and every column
 * named are looked up: LDP_ENOTFOUND naming the table or the column (and the
 * table's columns) when missing. A check that fails is a result, not an
 * error; a query that cannot run (bad --where or --sql) is LDP_ESQL naming
 * the check. *out has s->n results (ldp_check_results_free). */
int ldp_checks_run(ldp_warehouse *wh, const ldp_check_set *s, ldp_check_result **out);
void ldp_check_results_free(ldp_check_result *r, size_t n);

/* {"table", "where", "passed": bool, "checks": [{"name", "passed", "message",
 * "failing", "sample": rows|null}]}: new reference. */
json_t *ldp_check_results_json(const ldp_check_set *s, const ldp_check_result *r);

#endif
