/*
 * catalog/catalog.h - the SQLite catalog: namespaces, table entries and the
 * atomic metadata-pointer swap that every commit ends with.
 *
 * The database uses the table layout of Apache Iceberg's JDBC catalog and
 * pyiceberg's SqlCatalog (iceberg_tables, iceberg_namespace_properties), so
 * one catalog.db opens in ldp, pyiceberg and Java's JdbcCatalog. The layout
 * decisions are documented at the top of sqlite_catalog.c.
 *
 * Names. A namespace is passed as its stored form: levels joined with '.',
 * e.g. "sales.eu" (JDBC and pyiceberg join and split on '.', so a level can
 * never contain '.'; levels must be non-empty, without '/', and without
 * leading or trailing spaces, which pyiceberg would strip). A table name is
 * a single string: non-empty, no '/', no "..".
 *
 * Threads. An ldp_catalog is one SQLite connection; use one handle per thread
 * (open the same file several times: SQLite's locking, WAL mode and the
 * conditional UPDATE in ldp_catalog_swap keep writers from each other).
 *
 * Errors. Every function returns 0 or a negative ldp_status and records a
 * message naming the catalog file, namespace or table:
 *   LDP_EINVALID   bad name, reserved property, non-empty namespace on drop
 *   LDP_ENOTFOUND  namespace or table missing
 *   LDP_EEXISTS    namespace or table already there
 *   LDP_ECONFLICT  another writer changed the pointer, or held the database
 *                  lock for longer than the busy timeout (retry)
 *   LDP_ECORRUPT   the file has tables of these names but not this layout
 *
 * Memory. Strings and lists returned through out-parameters are owned by the
 * caller: free() single strings, ldp_catalog_names_free() and
 * ldp_catalog_props_free() the lists.
 */
#ifndef LDP_CATALOG_CATALOG_H
#define LDP_CATALOG_CATALOG_H

#include <stddef.h>

#include "format/model.h"

typedef struct ldp_catalog ldp_catalog;

/* Test hook called by ldp_catalog_swap inside its transaction, after the
 * conditional UPDATE matched and before COMMIT. A non-zero return (an
 * ldp_status) rolls the transaction back and becomes the result of the swap,
 * as if the commit itself had failed. */
typedef int (*ldp_catalog_swap_fault_fn)(void *ctx, const char *ns, const char *table, const char *new_location);

typedef struct ldp_catalog_options {
	/* How long a statement waits for another connection's lock before
	 * failing with LDP_ECONFLICT. 0 means the default, 5000 ms. */
	int busy_timeout_ms;
	/* Fault injection for tests; NULL in production. */
	ldp_catalog_swap_fault_fn swap_fault;
	void *swap_fault_ctx;
} ldp_catalog_options;

#define LDP_CATALOG_DEFAULT_BUSY_TIMEOUT_MS 5000

/* An owned list of strings (namespaces or table names), sorted. */
typedef struct ldp_catalog_names {
	char **items;
	size_t len;
} ldp_catalog_names;

/* An owned list of properties, sorted by key. */
typedef struct ldp_catalog_props {
	char **keys;
	char **values;
	size_t len;
} ldp_catalog_props;

/* A borrowed key/value pair for input. */
typedef struct ldp_catalog_kv {
	const char *key;
	const char *value;
} ldp_catalog_kv;

void ldp_catalog_names_free(ldp_catalog_names *names);
/* The levels of a stored namespace name ("a.b") as a JSON array ["a", "b"]
 * (the REST protocol's form); a new reference. */
json_t *ldp_catalog_namespace_json(const char *ns);
void ldp_catalog_props_free(ldp_catalog_props *props);

/* Open (creating if missing) the catalog database at db_path and its two
 * tables, switch it to WAL journal mode, and use catalog_name for every row
 * (the catalog_name column lets several catalogs share one file, as in JDBC).
 * opts may be NULL. Free with ldp_catalog_free(). */
int ldp_catalog_open(const char *db_path, const char *catalog_name, const ldp_catalog_options *opts,
		     ldp_catalog **out);
void ldp_catalog_free(ldp_catalog *cat);

/* The path and catalog name given to ldp_catalog_open (owned by cat). */
const char *ldp_catalog_path(const ldp_catalog *cat);
const char *ldp_catalog_name(const ldp_catalog *cat);

/* ---- namespaces ---- */

/* Create ns with the given properties (props may be NULL when n is 0). The
 * parent of a nested namespace must exist. "exists" is reserved. */
int ldp_catalog_create_namespace(ldp_catalog *cat, const char *ns, const ldp_catalog_kv *props, size_t n);
/* *exists = 1 if ns has a property row, a table, or a descendant (the
 * JDBC/pyiceberg rule: a namespace exists while anything is stored under it). */
int ldp_catalog_namespace_exists(ldp_catalog *cat, const char *ns, int *exists);
/* Direct children of parent, or the top-level namespaces when parent is NULL
 * or "". Children of "a" are "a.b", never "a.b.c". */
int ldp_catalog_list_namespaces(ldp_catalog *cat, const char *parent, ldp_catalog_names *out);
/* The properties of ns, without the reserved "exists" marker. */
int ldp_catalog_load_namespace(ldp_catalog *cat, const char *ns, ldp_catalog_props *out);
/* Set and remove properties in one transaction. A key may not be in both
 * lists; removing a key that is not set is not an error. */
int ldp_catalog_update_namespace(ldp_catalog *cat, const char *ns, const ldp_catalog_kv *set, size_t nset,
				 const char *const *remove, size_t nremove);
/* Drop an empty namespace: LDP_EINVALID if it holds tables (or views) or has
 * child namespaces, LDP_ENOTFOUND if it does not exist. */
int ldp_catalog_drop_namespace(ldp_catalog *cat, const char *ns);

/* ---- tables ---- */

/* Add the entry ns.table pointing at metadata_location (a file the caller has
 * already written). ns must exist. */
int ldp_catalog_create_table(ldp_catalog *cat, const char *ns, const char *table, const char *metadata_location);
/* The same for metadata written elsewhere (another engine, a backup). */
int ldp_catalog_register_table(ldp_catalog *cat, const char *ns, const char *table, const char *metadata_location);
/* The current metadata location, and (if previous is not NULL) the one before
 * it, or NULL for a table that never had a commit through a catalog. */
int ldp_catalog_load_table(ldp_catalog *cat, const char *ns, const char *table, char **metadata_location,
			   char **previous);
int ldp_catalog_table_exists(ldp_catalog *cat, const char *ns, const char *table, int *exists);
/* Table names in ns (not in its children). LDP_ENOTFOUND if ns does not exist. */
int ldp_catalog_list_tables(ldp_catalog *cat, const char *ns, ldp_catalog_names *out);
/* Move an entry, possibly to another namespace, which must exist. */
int ldp_catalog_rename_table(ldp_catalog *cat, const char *from_ns, const char *from_table, const char *to_ns,
			     const char *to_table);
/* Remove the entry; if metadata_location is not NULL it receives the location
 * the entry pointed at, so the caller can purge the files. */
int ldp_catalog_drop_table(ldp_catalog *cat, const char *ns, const char *table, char **metadata_location);

/* ---- commit ---- */

/* Point ns.table at new_location if and only if it still points at
 * expected_location, in one immediate transaction. LDP_ECONFLICT when another
 * writer moved the pointer (the message names both locations) or kept the
 * database locked past the busy timeout; LDP_ENOTFOUND when the table is
 * gone. Retrying (reload, re-apply, ldp_backoff_sleep) is the caller's job. */
int ldp_catalog_swap(ldp_catalog *cat, const char *ns, const char *table, const char *expected_location,
		     const char *new_location);

/* Several swaps in ONE immediate transaction: all happen or none (the REST
 * multi-table commit). An item whose expected_location is NULL creates the
 * entry instead (its namespace must exist; LDP_EEXISTS if the name is taken).
 * Errors as for ldp_catalog_swap, naming the first item that failed.
 * (sqlite_multi.c) */
typedef struct ldp_catalog_swap_item {
	const char *ns, *table;
	const char *expected_location; /* NULL: create */
	const char *new_location;
} ldp_catalog_swap_item;

int ldp_catalog_swap_many(ldp_catalog *cat, const ldp_catalog_swap_item *items, size_t n);

/* ---- REST catalogs (catalog_rest.c, rest_client.c, rest_commit.c) ----
 *
 * An ldp_catalog is either the SQLite catalog above or a client of an Iceberg
 * REST server; every ldp_catalog_* function works on both, except
 * ldp_catalog_swap / ldp_catalog_swap_many / ldp_catalog_create_table, which
 * take metadata files the caller wrote: a REST server writes its own, so
 * for a REST catalog writers use the two seams below instead (the table
 * layer's commit path picks one or the other with ldp_catalog_is_rest). */

/* Open a REST catalog at uri (http(s)://host:port[/v1]). config is the
 * ldp.yml catalog mapping (may be NULL): credential ("id:secret", else env
 * LDP_REST_CREDENTIAL), token (else env LDP_REST_TOKEN), warehouse, prefix.
 * Asks GET /v1/config once (LDP_EIO when the server cannot be reached). */
int ldp_catalog_open_rest(const char *uri, const char *catalog_name, const json_t *config, ldp_catalog **out);
int ldp_catalog_is_rest(const ldp_catalog *cat);

/* REST only (LDP_EUNSUPPORTED for SQLite, where the caller writes the file and
 * calls ldp_catalog_create_table): create ns.table from metadata m (as built
 * by ldp_metadata_new) by sending its schema, spec, order and properties (and
 * m->location when send_location); the server writes the file.
 * *metadata_location receives the file, *created the table's metadata as the
 * server stored it (free both). */
int ldp_catalog_create_table_metadata(ldp_catalog *cat, const char *ns, const char *table, const ldp_metadata *m,
				      int send_location, char **metadata_location, ldp_metadata **created);
/* REST only (SQLite: write the file, ldp_catalog_swap): commit next on top of
 * base by sending the difference as requirements + updates (assert-table-uuid,
 * assert-ref-snapshot-id for every moved ref, schema/spec/order ids when those
 * change; add-snapshot, set-snapshot-ref, add-schema...). *metadata_location
 * receives the server's new file, *committed the server's metadata (free
 * both). LDP_ECONFLICT when a requirement failed (another writer got in
 * first): reload and retry. */
int ldp_catalog_commit(ldp_catalog *cat, const char *ns, const char *table, const ldp_metadata *base,
		       const ldp_metadata *next, char **metadata_location,
		       ldp_metadata **committed);
/* REST: the metadata the last ldp_catalog_load_table of this catalog
 * returned, parsed, when it was for `location` (else *out is NULL), so the
 * caller need not read the file. Always *out NULL for SQLite. */
int ldp_catalog_loaded_metadata(ldp_catalog *cat, const char *location, ldp_metadata **out);
/* Drop with purge where the catalog supports it (REST: purgeRequested, the
 * server deletes the files); LDP_EUNSUPPORTED for SQLite, where the caller
 * purges. */
int ldp_catalog_purge_table(ldp_catalog *cat, const char *ns, const char *table);

#endif
