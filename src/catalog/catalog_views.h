/*
 * catalog/catalog_views.h - view entries in the SQLite catalog.
 *
 * Views are rows of iceberg_tables with iceberg_type 'VIEW' whose
 * metadata_location points at an Iceberg view metadata file (the layout Java's
 * JdbcCatalog uses for views in its V1 schema). Only catalog files in the V1
 * layout (every file ldp creates) can hold views; on a V0 file these calls
 * fail with LDP_EUNSUPPORTED.
 *
 * Memory: *metadata_location is the caller's (free()).
 */
#ifndef LDP_CATALOG_VIEWS_H
#define LDP_CATALOG_VIEWS_H

#include "catalog/catalog.h"

/* The metadata location of view ns.name; LDP_ENOTFOUND if there is no view. */
int ldp_catalog_load_view(ldp_catalog *cat, const char *ns, const char *name, char **metadata_location);
/* Point view ns.name at new_location. expected_location NULL: create the
 * entry (LDP_EEXISTS if a table or view has the name; ns must exist);
 * otherwise a compare-and-swap like ldp_catalog_swap (LDP_ECONFLICT). */
int ldp_catalog_replace_view(ldp_catalog *cat, const char *ns, const char *name, const char *expected_location,
			     const char *new_location);
/* Remove the entry of view ns.name (LDP_ENOTFOUND if none). */
int ldp_catalog_drop_view(ldp_catalog *cat, const char *ns, const char *name);
/* View names in ns, sorted. */
int ldp_catalog_list_views(ldp_catalog *cat, const char *ns, ldp_catalog_names *out);

#endif
