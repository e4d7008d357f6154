/*
 * table/view.h - Iceberg views in the warehouse (view spec, format-version 1).
 *
 * A view is a metadata file under <warehouse>/<ns>/<name>/metadata/ holding
 * its versions; each version has the schema of the view's result and the
 * SQL text as a representation with dialect "duckdb" (the dialect ldp runs).
 * The catalog row (iceberg_type 'VIEW') points at the current file, swapped
 * atomically like a table's. `ldp_warehouse_bind_sql` makes views visible to
 * DuckDB under their ns.name, so `ldp sql`, models and exports read them.
 *
 * Memory: *sql_out is the caller's (free()).
 */
#ifndef LDP_TABLE_VIEW_H
#define LDP_TABLE_VIEW_H

#include "format/model.h"
#include "table/warehouse.h"

/* Create view id, or add a new current version to it, with `sql` (a DuckDB
 * query) whose result has `schema`. LDP_EEXISTS if a table has the name. */
int ldp_view_replace(ldp_warehouse *wh, const ldp_ident *id, const char *sql, const ldp_schema *schema);
/* The duckdb SQL of the current version of view id; LDP_ENOTFOUND if no view
 * has that name. */
int ldp_view_load_sql(ldp_warehouse *wh, const ldp_ident *id, char **sql_out);
/* Drop the catalog entry of view id (its metadata files stay for gc). */
int ldp_view_drop(ldp_warehouse *wh, const ldp_ident *id);

#endif
