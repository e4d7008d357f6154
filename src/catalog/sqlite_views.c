/* View entries in the SQLite catalog; see catalog/catalog_views.h. */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_views.h"
#include "catalog/sqlite_internal.h"
#include "ldp/error.h"

static int need_typed(ldp_catalog *cat, const char *ns, const char *name)
{
	if (!cat->typed)
		return ldp_error_set(LDP_EUNSUPPORTED,
				     "view %s.%s: catalog %s uses the V0 layout (no iceberg_type column), which cannot "
				     "hold views; create a new catalog with ldp, or add the column as JdbcCatalog's "
				     "jdbc.schema-version=V1 does",
				     ns, name, cat->path);
	return cat_check_table(ns, name);
}

int ldp_catalog_load_view(ldp_catalog *cat, const char *ns, const char *name, char **metadata_location)
{
	*metadata_location = NULL;
	int err = need_typed(cat, ns, name);
	if (err)
		return err;
	sqlite3_stmt *st;
	int found = 0;
	err = cat_prepare(cat, &st,
			  "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 "
			  "AND table_name = ?3 AND iceberg_type = 'VIEW'",
			  3, cat->name, ns, name);
	if (!err)
		err = cat_query_one(cat, st, "looking up a view", &found, metadata_location);
	if (!err && (!found || !*metadata_location)) {
		free(*metadata_location);
		*metadata_location = NULL;
		err = ldp_error_set(LDP_ENOTFOUND, "view %s.%s does not exist", ns, name);
	}
	return err;
}

int ldp_catalog_replace_view(ldp_catalog *cat, const char *ns, const char *name, const char *expected_location,
			     const char *new_location)
{
	int err = need_typed(cat, ns, name);
	if (err)
		return err;
	if (!new_location || !*new_location)
		return ldp_error_set(LDP_EINVALID, "view %s.%s: the new metadata location is empty", ns, name);
	if ((err = cat_begin_write(cat, "writing a view entry")))
		return ldp_error_wrap(err, "view %s.%s", ns, name);
	sqlite3_stmt *st = NULL;
	if (!expected_location) {
		int exists = 0;
		char *type = NULL;
		err = cat_namespace_exists_tx(cat, ns, &exists);
		if (!err && !exists)
			err = ldp_error_set(LDP_ENOTFOUND, "cannot create view %s.%s: namespace %s does not exist", ns, name, ns);
		if (!err)
			err = cat_prepare(cat, &st,
					  "SELECT iceberg_type FROM iceberg_tables WHERE catalog_name = ?1 AND "
					  "table_namespace = ?2 AND table_name = ?3",
					  3, cat->name, ns, name);
		if (!err)
			err = cat_query_one(cat, st, "looking up a name", &exists, &type);
		if (!err && exists)
			err = ldp_error_set(LDP_EEXISTS, "a %s named %s.%s already exists",
					    type && strcmp(type, "VIEW") == 0 ? "view" : "table", ns, name);
		free(type);
		if (!err)
			err = cat_prepare(cat, &st,
					  "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
					  "metadata_location, previous_metadata_location, iceberg_type) VALUES "
					  "(?1, ?2, ?3, ?4, NULL, 'VIEW')",
					  4, cat->name, ns, name, new_location);
		if (!err)
			err = cat_exec_stmt(cat, st, "adding a view entry");
	} else {
		err = cat_prepare(cat, &st,
				  "UPDATE iceberg_tables SET metadata_location = ?5, previous_metadata_location = ?4 WHERE "
				  "catalog_name = ?1 AND table_namespace = ?2 AND table_name = ?3 AND metadata_location = ?4 "
				  "AND iceberg_type = 'VIEW'",
				  5, cat->name, ns, name, expected_location, new_location);
		if (!err)
			err = cat_exec_stmt(cat, st, "swapping a view's metadata pointer");
		if (!err && sqlite3_changes(cat->db) == 0)
			err = ldp_error_set(LDP_ECONFLICT, "view %s.%s changed (or was dropped) while it was replaced; retry", ns,
					    name);
	}
	if (!err)
		err = cat_commit(cat, "writing a view entry");
	if (err)
		cat_rollback(cat);
	return err;
}

int ldp_catalog_drop_view(ldp_catalog *cat, const char *ns, const char *name)
{
	int err = need_typed(cat, ns, name);
	sqlite3_stmt *st;
	if (!err)
		err = cat_prepare(cat, &st,
				  "DELETE FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 AND "
				  "table_name = ?3 AND iceberg_type = 'VIEW'",
				  3, cat->name, ns, name);
	if (!err)
		err = cat_exec_stmt(cat, st, "dropping a view");
	if (!err && sqlite3_changes(cat->db) == 0)
		err = ldp_error_set(LDP_ENOTFOUND, "cannot drop view %s.%s: it does not exist", ns, name);
	return err;
}

int ldp_catalog_list_views(ldp_catalog *cat, const char *ns, ldp_catalog_names *out)
{
	memset(out, 0, sizeof *out);
	if (!cat->typed)
		return 0;
	sqlite3_stmt *st;
	int err = cat_prepare(cat, &st,
			      "SELECT table_name FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 "
			      "AND iceberg_type = 'VIEW' ORDER BY table_name",
			      2, cat->name, ns);
	if (err)
		return err;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		if (s && (err = cat_names_push(out, &cap, s, strlen(s))))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = cat_sql_error(cat, rc, "listing views");
	sqlite3_finalize(st);
	if (err)
		ldp_catalog_names_free(out);
	return err;
}
