/*
 * table/warehouse.h - a warehouse: where tables live (a directory today) and
 * the catalog that points at their metadata, plus the DuckDB engine used to
 * write and read their data. One per command invocation.
 *
 * Identifiers: "ns.table", with nested namespaces "a.b.table" (the last dot
 * separates the table name, as in Spark and pyiceberg).
 */
#ifndef LDP_TABLE_WAREHOUSE_H
#define LDP_TABLE_WAREHOUSE_H

#include "catalog/catalog.h"
#include "format/model.h"
#include "ldp/engine.h"
#include "ldp/project.h"

typedef struct ldp_warehouse {
	char *root;          /* warehouse location (absolute path) */
	ldp_catalog *catalog;
	ldp_engine *engine;  /* opened on first use by ldp_warehouse_engine() */
	int commit_retries;  /* commit.retry.num-retries default for new tables */
	ldp_engine_options engine_options; /* used when the engine is opened */
	int bound_tables;    /* Iceberg tables ldp_warehouse_bind_sql made visible */
	/* Metadata recently committed or loaded through this warehouse, by file
	 * location. A metadata file never changes once written, so a location names
	 * one content for good: a load whose catalog entry still points there copies
	 * the parsed model instead of re-reading and re-parsing the JSON. */
	struct {
		char *location;
		ldp_metadata *meta;
	} meta_cache[4];
	size_t meta_cache_next;
	/* Qualified names (as written in SQL, '\n'-separated) whose views a
	 * statement bound with a pushed-down filter; rebound unfiltered before
	 * the next statement (table/pushdown.c). */
	char *filtered_views;
} ldp_warehouse;

typedef struct ldp_ident {
	char ns[512];
	char name[256];
} ldp_ident;

/* Open the warehouse and catalog of a project (creating catalog.db if needed). */
int ldp_warehouse_open(const ldp_project *p, ldp_warehouse **out);
void ldp_warehouse_free(ldp_warehouse *wh);
/* The engine, opened lazily (in-memory DuckDB). */
int ldp_warehouse_engine(ldp_warehouse *wh, ldp_engine **out);

/* A copy of the cached metadata of `location` in *out (NULL on a miss). */
int ldp_warehouse_cached_metadata(ldp_warehouse *wh, const char *location, ldp_metadata **out);
/* Remember `m` as the content of `location`; takes ownership of m. */
void ldp_warehouse_cache_metadata(ldp_warehouse *wh, const char *location, ldp_metadata *m);

/* Split "a.b.t" into namespace "a.b" and table "t". LDP_EINVALID naming the
 * identifier when there is no namespace part. */
int ldp_ident_parse(const char *text, ldp_ident *out);

/* Default location of a new table: <warehouse>/<ns parts joined by '/'>/<table>. */
int ldp_warehouse_table_location(const ldp_warehouse *wh, const ldp_ident *id, ldp_buf *out);

#endif
