/*
 * table/evolve.h - schema evolution, partition evolution and table properties
 * (spec: "Schema Evolution", "Partition Evolution"), as metadata-only
 * commits: each change set becomes a new schema and/or partition spec made
 * current, written as one new metadata file and swapped in the catalog with
 * the usual retries on conflict (table.c commit_metadata).
 *
 * Field ids are never reused: added fields get ids above last-column-id.
 * Data files are never rewritten; reads map columns by field id.
 *
 * Memory: an ldp_alter only borrows its strings; nothing returned needs
 * freeing except the metadata of ldp_metadata_alter (ldp_metadata_free).
 */
#ifndef LDP_TABLE_EVOLVE_H
#define LDP_TABLE_EVOLVE_H

#include "format/model.h"
#include "table/table.h"

typedef enum ldp_alter_op {
	LDP_ALTER_ADD_COLUMN,      /* column (dotted for nested), type, doc, position */
	LDP_ALTER_DROP_COLUMN,     /* column */
	LDP_ALTER_RENAME_COLUMN,   /* column -> name (the new leaf name) */
	LDP_ALTER_SET_TYPE,        /* column, type: int->long, float->double, decimal(P,S)->decimal(P',S), P' >= P */
	LDP_ALTER_MAKE_OPTIONAL,   /* column */
	LDP_ALTER_MAKE_REQUIRED,   /* column; only while the table has no snapshot */
	LDP_ALTER_SET_DOC,         /* column, doc (NULL removes it) */
	LDP_ALTER_MOVE,            /* column, position + anchor */
	LDP_ALTER_SET_IDENTIFIER_FIELDS, /* items (may be empty) */
	LDP_ALTER_ADD_PARTITION_FIELD,   /* term "day(ts)", name (NULL: default) */
	LDP_ALTER_DROP_PARTITION_FIELD,  /* term: a partition field name or a term */
	LDP_ALTER_REPLACE_PARTITION_FIELD, /* term (old), term2 (new), name */
	LDP_ALTER_SET_PROPERTIES,  /* props */
	LDP_ALTER_UNSET_PROPERTIES /* items (keys) */
} ldp_alter_op;

typedef enum ldp_alter_position {
	LDP_POS_DEFAULT = 0, /* last */
	LDP_POS_FIRST,
	LDP_POS_AFTER,
	LDP_POS_BEFORE
} ldp_alter_position;

typedef struct ldp_alter {
	ldp_alter_op op;
	const char *column;
	const char *name;
	const char *type;  /* "long", "bigint", "decimal(12,2)", "struct<a: int, b: string>", "list<int>" ... */
	const char *doc;
	int if_not_exists; /* add column: an existing column is not an error */
	int if_exists;     /* drop column / drop partition field: a missing one is not an error */
	ldp_alter_position position;
	const char *anchor; /* sibling for AFTER / BEFORE */
	const char *term;
	const char *term2;
	size_t nitems;
	const char *const *items;
	size_t nprops;
	const ldp_kv *props;
} ldp_alter;

/* Apply changes in order to `in` (unchanged) into a NEW metadata. `table`
 * ("ns.t") names the table in errors, which also name the column. Errors:
 * LDP_ENOTFOUND (unknown column / partition field), LDP_EEXISTS (a name
 * taken), LDP_EINVALID (incompatible type change, dropping a column a
 * partition field or the identifier fields use, ...). */
int ldp_metadata_alter(const ldp_metadata *in, const char *table, const ldp_alter *ch, size_t n, ldp_metadata **out);

/* Commit changes to a table (one new metadata file). *schema_id / *spec_id
 * (may be NULL) receive the current schema and default spec ids after it. */
int ldp_table_alter(ldp_warehouse *wh, const ldp_ident *id, const ldp_alter *ch, size_t n, int32_t *schema_id,
		    int32_t *spec_id);

/* Parse a column type as users write it: Iceberg names (int, long, string,
 * decimal(P,S), timestamptz, ...), common SQL names (integer, bigint, varchar,
 * text, real, float8, double precision, bool, bytea, blob, timestamp with time
 * zone) and nested struct<a: int, b: string>, list<T>, map<K, V> (also the SQL
 * forms STRUCT(a INT), T[]). Nested field ids are 0 (assigned when added). */
int ldp_alter_parse_type(ldp_arena *a, const char *text, const ldp_type **out);

/* Spec changes (evolve_spec.c, used by ldp_metadata_alter). */
int evolve_spec_apply(const ldp_metadata *in, const char *table, const ldp_alter *ch, size_t n, ldp_metadata **out);

#endif
