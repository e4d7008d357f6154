/*
 * The SQLite catalog: table entries and the commit swap (layout notes are in
 * sqlite_catalog.c).
 *
 * Every write runs in one BEGIN IMMEDIATE transaction that re-checks its
 * preconditions (namespace exists, name free) under the write lock, so two
 * processes can never both pass a check and then both write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/sqlite_internal.h"
#include "ldp/error.h"

/* Long enough for every statement below plus the table filter. */
#define SQL_MAX 512

static int check_location(const char *ns, const char *table, const char *loc, const char *which)
{
	if (!loc || !*loc)
		return ldp_error_set(LDP_EINVALID, "table %s.%s: %s metadata location is empty", ns, table, which);
	return 0;
}

/* Any row with this primary key, table or view. *is_view tells which. */
static int name_taken(ldp_catalog *cat, const char *ns, const char *table, int *taken, int *is_view)
{
	sqlite3_stmt *st;
	char *type = NULL;
	const char *sql = cat->typed ? "SELECT iceberg_type FROM iceberg_tables WHERE catalog_name = ?1 AND "
				       "table_namespace = ?2 AND table_name = ?3"
				     : "SELECT NULL FROM iceberg_tables WHERE catalog_name = ?1 AND "
				       "table_namespace = ?2 AND table_name = ?3";
	int err = cat_prepare(cat, &st, sql, 3, cat->name, ns, table);
	if (!err)
		err = cat_query_one(cat, st, "looking up a table", taken, &type);
	*is_view = type && strcmp(type, "VIEW") == 0;
	free(type);
	return err;
}

static int taken_error(const char *ns, const char *table, int is_view)
{
	if (is_view)
		return ldp_error_set(LDP_EEXISTS, "a view named %s.%s already exists", ns, table);
	return ldp_error_set(LDP_EEXISTS, "table %s.%s already exists", ns, table);
}

/* The current metadata location of a table row (views excluded). */
static int current_location(ldp_catalog *cat, const char *ns, const char *table, int *found, char **loc)
{
	char sql[SQL_MAX];
	snprintf(sql, sizeof(sql),
		 "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 "
		 "AND table_name = ?3%s",
		 CAT_TABLE_FILTER(cat));
	sqlite3_stmt *st;
	int err = cat_prepare(cat, &st, sql, 3, cat->name, ns, table);
	return err ? err : cat_query_one(cat, st, "looking up a table", found, loc);
}

static int insert_table(ldp_catalog *cat, const char *ns, const char *table, const char *loc, const char *verb)
{
	int err = cat_check_table(ns, table);
	if (!err)
		err = check_location(ns, table, loc, "the");
	if (err)
		return err;
	if ((err = cat_begin_write(cat, verb)))
		return ldp_error_wrap(err, "%s %s.%s", verb, ns, table);
	int exists, is_view = 0;
	err = cat_namespace_exists_tx(cat, ns, &exists);
	if (!err && !exists)
		err = ldp_error_set(LDP_ENOTFOUND, "cannot %s table %s.%s: namespace %s does not exist", verb, ns,
				    table, ns);
	if (!err)
		err = name_taken(cat, ns, table, &exists, &is_view);
	if (!err && exists)
		err = taken_error(ns, table, is_view);
	sqlite3_stmt *st = NULL;
	/* In the V1 layout new rows say what they are, as Java and pyiceberg do. */
	if (!err)
		err = cat_prepare(cat, &st,
				  cat->typed ? "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
					       "metadata_location, previous_metadata_location, iceberg_type) VALUES "
					       "(?1, ?2, ?3, ?4, NULL, 'TABLE')"
					     : "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
					       "metadata_location, previous_metadata_location) VALUES (?1, ?2, ?3, ?4, "
					       "NULL)",
				  4, cat->name, ns, table, loc);
	if (!err)
		err = cat_exec_stmt(cat, st, "adding a table entry");
	if (!err)
		err = cat_commit(cat, "adding a table entry");
	if (err) {
		cat_rollback(cat);
		if (err != LDP_ENOTFOUND && err != LDP_EEXISTS)
			ldp_error_wrap(err, "%s %s.%s", verb, ns, table);
	}
	return err;
}

int ldp_catalog_create_table(ldp_catalog *cat, const char *ns, const char *table, const char *metadata_location)
{
	CAT_DISPATCH(cat, ldp_error_set(LDP_EUNSUPPORTED, "a REST catalog creates tables with ldp_catalog_create_table_metadata"));
	return insert_table(cat, ns, table, metadata_location, "create");
}

int ldp_catalog_register_table(ldp_catalog *cat, const char *ns, const char *table, const char *metadata_location)
{
	CAT_DISPATCH(cat, rest_register_table(cat->rest, ns, table, metadata_location));
	return insert_table(cat, ns, table, metadata_location, "register");
}

int ldp_catalog_load_table(ldp_catalog *cat, const char *ns, const char *table, char **metadata_location,
			   char **previous)
{
	CAT_DISPATCH(cat, rest_load_table(cat->rest, ns, table, metadata_location, previous));
	*metadata_location = NULL;
	if (previous)
		*previous = NULL;
	int err = cat_check_table(ns, table);
	if (err)
		return err;
	char sql[SQL_MAX];
	snprintf(sql, sizeof(sql),
		 "SELECT metadata_location, previous_metadata_location FROM iceberg_tables WHERE catalog_name = ?1 "
		 "AND table_namespace = ?2 AND table_name = ?3%s",
		 CAT_TABLE_FILTER(cat));
	sqlite3_stmt *st;
	if ((err = cat_prepare(cat, &st, sql, 3, cat->name, ns, table)))
		return ldp_error_wrap(err, "loading table %s.%s", ns, table);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *loc = (const char *)sqlite3_column_text(st, 0);
		const char *prev = (const char *)sqlite3_column_text(st, 1);
		if (!loc || !*loc)
			err = ldp_error_set(LDP_ECORRUPT,
					    "table %s.%s in catalog %s has no metadata location; register it again "
					    "with its metadata file",
					    ns, table, cat->path);
		else if (!(*metadata_location = strdup(loc)))
			err = ldp_error_set(LDP_ENOMEM, "out of memory");
		else if (previous && prev && !(*previous = strdup(prev)))
			err = ldp_error_set(LDP_ENOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		err = ldp_error_set(LDP_ENOTFOUND, "table %s.%s does not exist", ns, table);
	} else {
		err = ldp_error_wrap(cat_sql_error(cat, rc, "reading a table entry"), "loading table %s.%s", ns, table);
	}
	sqlite3_finalize(st);
	if (err) {
		free(*metadata_location);
		*metadata_location = NULL;
		if (previous) {
			free(*previous);
			*previous = NULL;
		}
	}
	return err;
}

int ldp_catalog_table_exists(ldp_catalog *cat, const char *ns, const char *table, int *exists)
{
	CAT_DISPATCH(cat, rest_table_exists(cat->rest, ns, table, exists));
	*exists = 0;
	int err = cat_check_table(ns, table);
	return err ? err : current_location(cat, ns, table, exists, NULL);
}

int ldp_catalog_list_tables(ldp_catalog *cat, const char *ns, ldp_catalog_names *out)
{
	CAT_DISPATCH(cat, rest_list_tables(cat->rest, ns, out));
	out->items = NULL;
	out->len = 0;
	int err = cat_check_namespace(ns);
	if (err)
		return err;
	if ((err = cat_begin_read(cat, "listing tables")))
		return err;
	int exists;
	err = cat_namespace_exists_tx(cat, ns, &exists);
	if (!err && !exists)
		err = ldp_error_set(LDP_ENOTFOUND, "namespace %s does not exist", ns);
	char sql[SQL_MAX];
	snprintf(sql, sizeof(sql),
		 "SELECT table_name FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2%s "
		 "ORDER BY table_name",
		 CAT_TABLE_FILTER(cat));
	sqlite3_stmt *st = NULL;
	if (!err)
		err = cat_prepare(cat, &st, sql, 2, cat->name, ns);
	size_t cap = 0;
	int rc = SQLITE_DONE;
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (t)
			err = cat_names_push(out, &cap, t, strlen(t));
	}
	if (!err && rc != SQLITE_DONE)
		err = cat_sql_error(cat, rc, "listing tables");
	sqlite3_finalize(st);
	cat_rollback(cat);
	if (err)
		ldp_catalog_names_free(out);
	return err;
}

int ldp_catalog_rename_table(ldp_catalog *cat, const char *from_ns, const char *from_table, const char *to_ns,
			     const char *to_table)
{
	CAT_DISPATCH(cat, rest_rename_table(cat->rest, from_ns, from_table, to_ns, to_table));
	int err = cat_check_table(from_ns, from_table);
	if (!err)
		err = cat_check_table(to_ns, to_table);
	if (err)
		return err;
	if ((err = cat_begin_write(cat, "renaming a table")))
		return ldp_error_wrap(err, "renaming table %s.%s to %s.%s", from_ns, from_table, to_ns, to_table);
	int found, is_view = 0;
	err = current_location(cat, from_ns, from_table, &found, NULL);
	if (!err && !found)
		err = ldp_error_set(LDP_ENOTFOUND, "cannot rename table %s.%s: it does not exist", from_ns,
				    from_table);
	int same = strcmp(from_ns, to_ns) == 0 && strcmp(from_table, to_table) == 0;
	if (!err && !same) {
		err = cat_namespace_exists_tx(cat, to_ns, &found);
		if (!err && !found)
			err = ldp_error_set(LDP_ENOTFOUND, "cannot rename table %s.%s to %s.%s: namespace %s does not exist",
					    from_ns, from_table, to_ns, to_table, to_ns);
		if (!err)
			err = name_taken(cat, to_ns, to_table, &found, &is_view);
		if (!err && found)
			err = taken_error(to_ns, to_table, is_view);
		char sql[SQL_MAX];
		snprintf(sql, sizeof(sql),
			 "UPDATE iceberg_tables SET table_namespace = ?4, table_name = ?5 WHERE catalog_name = ?1 AND "
			 "table_namespace = ?2 AND table_name = ?3%s",
			 CAT_TABLE_FILTER(cat));
		sqlite3_stmt *st;
		if (!err)
			err = cat_prepare(cat, &st, sql, 5, cat->name, from_ns, from_table, to_ns, to_table);
		if (!err)
			err = cat_exec_stmt(cat, st, "renaming a table");
	}
	if (!err)
		err = cat_commit(cat, "renaming a table");
	if (err) {
		cat_rollback(cat);
		if (err != LDP_ENOTFOUND && err != LDP_EEXISTS)
			ldp_error_wrap(err, "renaming table %s.%s to %s.%s", from_ns, from_table, to_ns, to_table);
	}
	return err;
}

int ldp_catalog_drop_table(ldp_catalog *cat, const char *ns, const char *table, char **metadata_location)
{
	CAT_DISPATCH(cat, rest_drop_table(cat->rest, ns, table, 0, metadata_location));
	if (metadata_location)
		*metadata_location = NULL;
	int err = cat_check_table(ns, table);
	if (err)
		return err;
	if ((err = cat_begin_write(cat, "dropping a table")))
		return ldp_error_wrap(err, "dropping table %s.%s", ns, table);
	int found;
	char *loc = NULL;
	err = current_location(cat, ns, table, &found, &loc);
	if (!err && !found)
		err = ldp_error_set(LDP_ENOTFOUND, "cannot drop table %s.%s: it does not exist", ns, table);
	char sql[SQL_MAX];
	snprintf(sql, sizeof(sql),
		 "DELETE FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 AND table_name = ?3%s",
		 CAT_TABLE_FILTER(cat));
	sqlite3_stmt *st;
	if (!err)
		err = cat_prepare(cat, &st, sql, 3, cat->name, ns, table);
	if (!err)
		err = cat_exec_stmt(cat, st, "dropping a table");
	if (!err)
		err = cat_commit(cat, "dropping a table");
	if (err) {
		cat_rollback(cat);
		free(loc);
		if (err != LDP_ENOTFOUND)
			ldp_error_wrap(err, "dropping table %s.%s", ns, table);
		return err;
	}
	if (metadata_location)
		*metadata_location = loc;
	else
		free(loc);
	return 0;
}

int ldp_catalog_swap(ldp_catalog *cat, const char *ns, const char *table, const char *expected_location,
		     const char *new_location)
{
	CAT_DISPATCH(cat, ldp_error_set(LDP_EUNSUPPORTED, "a REST catalog commits with ldp_catalog_commit, not a pointer swap"));
	int err = cat_check_table(ns, table);
	if (!err)
		err = check_location(ns, table, expected_location, "the expected");
	if (!err)
		err = check_location(ns, table, new_location, "the new");
	if (err)
		return err;
	if ((err = cat_begin_write(cat, "swapping the metadata pointer")))
		return ldp_error_wrap(err, "commit on %s.%s", ns, table);

	/* The compare-and-swap itself: the same statement as Java's
	 * JdbcTableOperations and pyiceberg's commit_table, so ldp and those
	 * writers exclude each other on one file. */
	char sql[SQL_MAX];
	snprintf(sql, sizeof(sql),
		 "UPDATE iceberg_tables SET metadata_location = ?5, previous_metadata_location = ?4 WHERE "
		 "catalog_name = ?1 AND table_namespace = ?2 AND table_name = ?3 AND metadata_location = ?4%s",
		 CAT_TABLE_FILTER(cat));
	sqlite3_stmt *st;
	err = cat_prepare(cat, &st, sql, 5, cat->name, ns, table, expected_location, new_location);
	if (!err)
		err = cat_exec_stmt(cat, st, "swapping the metadata pointer");
	if (!err && sqlite3_changes(cat->db) == 0) {
		int found;
		char *current = NULL;
		err = current_location(cat, ns, table, &found, &current);
		if (!err && found)
			err = ldp_error_set(LDP_ECONFLICT,
					    "commit conflict on %s.%s: metadata changed from %s to %s by another writer",
					    ns, table, expected_location, current ? current : "(none)");
		else if (!err)
			err = ldp_error_set(LDP_ENOTFOUND, "commit on %s.%s: the table does not exist (dropped?)",
					    ns, table);
		free(current);
		cat_rollback(cat);
		return err;
	}
	if (!err && cat->swap_fault) {
		int injected = cat->swap_fault(cat->swap_fault_ctx, ns, table, new_location);
		if (injected) {
			cat_rollback(cat);
			return ldp_error_set(injected, "commit on %s.%s: injected failure before the catalog commit",
					     ns, table);
		}
	}
	if (!err)
		err = cat_commit(cat, "swapping the metadata pointer");
	if (err) {
		cat_rollback(cat);
		ldp_error_wrap(err, "commit on %s.%s", ns, table);
	}
	return err;
}
