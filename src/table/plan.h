/*
 * table/plan.h - scan planning with a row filter (spec: "Scan Planning"):
 * manifests pruned by their partition field summaries (the filter projected
 * inclusively through each manifest's own spec, so tables with evolved specs
 * plan in one pass), data files by partition values and column metrics.
 * Manifests are read in parallel by worker threads.
 *
 * Memory: the plan is released with ldp_scan_plan_clear, the report with
 * ldp_plan_report_clear.
 */
#ifndef LDP_TABLE_PLAN_H
#define LDP_TABLE_PLAN_H

#include "table/expr.h"
#include "table/table.h"

typedef struct ldp_plan_note {
	int is_manifest;
	int kept;
	int32_t spec_id;
	int64_t records;
	char *path;
	char *reason; /* why it was pruned ("partition: ...", "bounds: ..."), NULL when kept */
} ldp_plan_note;

typedef struct ldp_plan_report {
	size_t manifests, manifests_pruned;
	size_t files, files_pruned_partition, files_pruned_metrics;
	int threads;
	int fallback;   /* always 0 (delete files no longer stop pruning); kept in the JSON output */
	char *filter;   /* the filter as bound, "true" when nothing could be used */
	size_t nnotes;
	ldp_plan_note *notes; /* with explain only */
} ldp_plan_report;

void ldp_plan_report_clear(ldp_plan_report *r);

typedef struct ldp_plan_options {
	const ldp_expr *filter; /* unbound row filter, NULL: none */
	int explain;            /* collect a note per manifest and file */
	int threads;            /* 0: default (2..4, never more than the manifests) */
} ldp_plan_options;

/* Plan like ldp_table_plan, keeping only files that may hold rows matching
 * the filter. `rep` may be NULL. */
int ldp_table_plan_filtered(ldp_warehouse *wh, const ldp_table *t, const ldp_snapshot_selector *sel,
			    const ldp_plan_options *o, ldp_scan_plan *out, ldp_plan_report *rep);

/* scan.c: append a live data file to a plan. */
int ice_plan_add_file(ldp_scan_plan *p, size_t *cap, const ldp_data_file_entry *e, const ldp_metadata *m,
		      const ldp_schema *schema, int32_t spec_id);
/* scan.c: the schema a plan reads with (the snapshot's for time travel). */
const ldp_schema *ice_plan_schema(const ldp_table *t, const ldp_snapshot *snap, const ldp_snapshot_selector *sel);

/* pushdown.c: for ldp_warehouse_bind_sql - the WHERE filters of the SELECT
 * `sql` per Iceberg table it names, and views left filtered by an earlier
 * statement. */
typedef struct ldp_pushdown ldp_pushdown;
int ldp_pushdown_collect(ldp_warehouse *wh, ldp_engine *engine, const char *sql, ldp_pushdown **out);
/* The filter for table `ns`.`name` as written in the SQL (NULL: none). */
const ldp_expr *ldp_pushdown_filter(const ldp_pushdown *pd, const char *ns, const char *name);
void ldp_pushdown_free(ldp_pushdown *pd);

#endif
