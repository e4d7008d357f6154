/* Multi-table compare-and-swap for the REST transactions endpoint; see
 * ldp_catalog_swap_many in catalog/catalog.h. The statements are those of
 * ldp_catalog_swap and ldp_catalog_create_table (sqlite_tables.c), run
 * inside one BEGIN IMMEDIATE so the whole set commits or rolls back. */
#include <stdio.h>
#include <stdlib.h>

#include "catalog/sqlite_internal.h"
#include "ldp/error.h"

static int swap_one(ldp_catalog *cat, const ldp_catalog_swap_item *it)
{
	char sql[512];
	sqlite3_stmt *st;
	int err, found = 0;
	if (!it->expected_location) {
		int exists = 0;
		err = cat_namespace_exists_tx(cat, it->ns, &exists);
		if (!err && !exists)
			return ldp_error_set(LDP_ENOTFOUND, "cannot create table %s.%s: namespace %s does not exist",
					     it->ns, it->table, it->ns);
		if (!err)
			err = cat_prepare(cat, &st,
					  "SELECT 1 FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 "
					  "AND table_name = ?3",
					  3, cat->name, it->ns, it->table);
		if (!err)
			err = cat_query_one(cat, st, "looking up a table", &found, NULL);
		if (!err && found)
			return ldp_error_set(LDP_EEXISTS, "table %s.%s already exists", it->ns, it->table);
		if (!err)
			err = cat_prepare(cat, &st,
					  cat->typed ? "INSERT INTO iceberg_tables (catalog_name, table_namespace, "
						       "table_name, metadata_location, previous_metadata_location, "
						       "iceberg_type) VALUES (?1, ?2, ?3, ?4, NULL, 'TABLE')"
						     : "INSERT INTO iceberg_tables (catalog_name, table_namespace, "
						       "table_name, metadata_location, previous_metadata_location) "
						       "VALUES (?1, ?2, ?3, ?4, NULL)",
					  4, cat->name, it->ns, it->table, it->new_location);
		return err ? err : cat_exec_stmt(cat, st, "adding a table entry");
	}
	snprintf(sql, sizeof sql,
		 "UPDATE iceberg_tables SET metadata_location = ?5, previous_metadata_location = ?4 WHERE "
		 "catalog_name = ?1 AND table_namespace = ?2 AND table_name = ?3 AND metadata_location = ?4%s",
		 CAT_TABLE_FILTER(cat));
	err = cat_prepare(cat, &st, sql, 5, cat->name, it->ns, it->table, it->expected_location, it->new_location);
	if (!err)
		err = cat_exec_stmt(cat, st, "swapping the metadata pointer");
	if (!err && sqlite3_changes(cat->db) == 0)
		err = ldp_error_set(LDP_ECONFLICT, "commit conflict on %s.%s: its metadata is no longer %s (another writer committed, or the table is gone)",
				    it->ns, it->table, it->expected_location);
	return err;
}

int ldp_catalog_swap_many(ldp_catalog *cat, const ldp_catalog_swap_item *items, size_t n)
{
	CAT_DISPATCH(cat, ldp_error_set(LDP_EUNSUPPORTED, "a REST catalog has no multi-table pointer swap"));
	for (size_t i = 0; i < n; i++) {
		int err = cat_check_table(items[i].ns, items[i].table);
		if (!err && (!items[i].new_location || !*items[i].new_location))
			err = ldp_error_set(LDP_EINVALID, "table %s.%s: the new metadata location is empty", items[i].ns,
					    items[i].table);
		if (err)
			return err;
	}
	int err = cat_begin_write(cat, "committing a multi-table transaction");
	if (err)
		return err;
	for (size_t i = 0; i < n && !err; i++)
		err = swap_one(cat, &items[i]);
	if (!err)
		err = cat_commit(cat, "committing a multi-table transaction");
	if (err)
		cat_rollback(cat);
	return err;
}
