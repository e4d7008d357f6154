/* Opening a REST catalog and its commit seams; see catalog/catalog.h. */
#include <stdlib.h>
#include <string.h>

#include "catalog/sqlite_internal.h"
#include "ldp/error.h"

int ldp_catalog_open_rest(const char *uri, const char *catalog_name, const json_t *config, ldp_catalog **out)
{
	*out = NULL;
	ldp_catalog *cat = calloc(1, sizeof *cat);
	if (!cat)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	cat->path = strdup(uri ? uri : "");
	cat->name = strdup(catalog_name ? catalog_name : "ldp");
	int err = cat->path && cat->name ? 0 : ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!err)
		err = rest_open(uri, config, &cat->rest);
	if (err) {
		ldp_catalog_free(cat);
		return err;
	}
	*out = cat;
	return 0;
}

int ldp_catalog_is_rest(const ldp_catalog *cat) { return cat && cat->rest != NULL; }

int ldp_catalog_create_table_metadata(ldp_catalog *cat, const char *ns, const char *table, const ldp_metadata *m,
				      int send_location, char **metadata_location, ldp_metadata **created)
{
	if (!cat->rest)
		return ldp_error_set(LDP_EUNSUPPORTED, "the SQLite catalog creates tables with ldp_catalog_create_table");
	int err = cat_check_table(ns, table);
	return err ? err : rest_create_table(cat->rest, ns, table, m, send_location, metadata_location, created);
}

int ldp_catalog_commit(ldp_catalog *cat, const char *ns, const char *table, const ldp_metadata *base,
		       const ldp_metadata *next, char **metadata_location, ldp_metadata **committed)
{
	if (!cat->rest)
		return ldp_error_set(LDP_EUNSUPPORTED, "the SQLite catalog commits with ldp_catalog_swap");
	int err = rest_commit(cat->rest, ns, table, base, next, metadata_location, committed);
	return err ? ldp_error_wrap(err, "commit on %s.%s", ns, table) : 0;
}

int ldp_catalog_loaded_metadata(ldp_catalog *cat, const char *location, ldp_metadata **out)
{
	*out = NULL;
	return cat->rest ? rest_loaded_metadata(cat->rest, location, out) : 0;
}

int ldp_catalog_purge_table(ldp_catalog *cat, const char *ns, const char *table)
{
	if (!cat->rest)
		return ldp_error_set(LDP_EUNSUPPORTED, "the SQLite catalog does not purge; drop, then remove the files");
	return rest_drop_table(cat->rest, ns, table, 1, NULL);
}

json_t *ldp_catalog_namespace_json(const char *ns)
{
	json_t *a = json_array();
	for (const char *p = ns;;) {
		const char *e = strchr(p, '.');
		json_array_append_new(a, json_stringn(p, e ? (size_t)(e - p) : strlen(p)));
		if (!e)
			break;
		p = e + 1;
	}
	return a;
}
