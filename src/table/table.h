/*
 * table/table.h - Iceberg table operations over a warehouse: create, load,
 * append, overwrite, scan planning with time travel, snapshots and refs.
 *
 * Every write follows ARCHITECTURE.md's commit path: data files, a manifest,
 * a manifest list, a new metadata file, then the catalog's compare-and-swap;
 * on a conflict the operation reloads the table, re-applies itself on the new
 * base and retries with backoff (table properties commit.retry.num-retries,
 * default 4, and commit.retry.min-wait-ms / max-wait-ms, default 100 / 60000,
 * as in Java's Iceberg). Anything written before a failed swap is unreferenced garbage.
 *
 * Memory: an ldp_table owns its metadata; free it with ldp_table_free().
 */
#ifndef LDP_TABLE_TABLE_H
#define LDP_TABLE_TABLE_H

#include "format/model.h"
#include "table/warehouse.h"

typedef struct ldp_table {
	ldp_ident ident;
	char *metadata_location;
	ldp_metadata *meta;
} ldp_table;

int ldp_table_load(ldp_warehouse *wh, const ldp_ident *id, ldp_table **out);
void ldp_table_free(ldp_table *t);

typedef struct ldp_create_options {
	const ldp_schema *schema;       /* ids are re-assigned fresh */
	const char *partition_by;       /* "day(ts), bucket(16, id)" or NULL */
	const char *sort_by;            /* "ts desc, id" or NULL */
	const char *location;           /* NULL: <warehouse>/<ns>/<table> */
	size_t nproperties;
	const ldp_kv *properties;
} ldp_create_options;

/* Create a table; its first metadata file is 00000-<uuid>.metadata.json. */
int ldp_table_create(ldp_warehouse *wh, const ldp_ident *id, const ldp_create_options *o, ldp_table **out);
/* Add a catalog entry for an existing metadata file (written by ldp or another
 * engine); the file must parse as Iceberg table metadata. */
int ldp_table_register(ldp_warehouse *wh, const ldp_ident *id, const char *metadata_location);
/* Drop the catalog entry; with purge, also delete the table's files. */
int ldp_table_drop(ldp_warehouse *wh, const ldp_ident *id, int purge);

typedef enum ldp_write_mode {
	LDP_WRITE_APPEND,
	LDP_WRITE_OVERWRITE,         /* replace the whole table */
	LDP_WRITE_OVERWRITE_DYNAMIC  /* replace exactly the partitions present in the new data */
} ldp_write_mode;

typedef struct ldp_write_options {
	ldp_write_mode mode;
	const char *branch; /* NULL: main */
	/* test hook: called after the new metadata file is written, before the swap */
	int (*before_swap)(void *ctx);
	void *before_swap_ctx;
	/* extra snapshot-summary properties committed with the data (e.g. an
	 * ingest's incremental state); must not use the spec's own keys */
	const ldp_kv *summary;
	size_t nsummary;
} ldp_write_options;

typedef struct ldp_write_result {
	int64_t snapshot_id;
	int64_t added_files, added_records, added_bytes;
	int64_t deleted_files, deleted_records;
	int attempts;
	/* where the time went (monotonic ns): loading the table; the data files and the
	 * manifest of added files; the commit attempts (manifest list, metadata file,
	 * catalog swap, and reloads on conflicts) */
	int64_t load_ns, data_ns, commit_ns;
} ldp_write_result;

/* Write the rows of `select_sql` (any DuckDB query) into the table. Columns
 * are matched by name to the table's current schema. */
int ldp_table_write(ldp_warehouse *wh, const ldp_ident *id, const char *select_sql, const ldp_write_options *o,
		    ldp_write_result *res);

/* What a row-level change or a compaction adds to a write (table/rowlevel.c,
 * table/maintain.c). */
typedef struct ldp_write_rowlevel {
	/* Data files this write removes: their surviving rows are part of the new data
	 * (copy-on-write, compaction). A file that is no longer live when the
	 * commit lands fails the write (nothing committed). */
	const char *const *remove_files;
	size_t nremove_files;
	/* Delete files already written under the table location, added by this
	 * commit (merge-on-read); spec ids per entry. */
	const ldp_data_file_entry *add_deletes;
	const int32_t *add_delete_spec_ids;
	size_t nadd_deletes;
	/* Data files the added deletes refer to: if one is no longer live when
	 * the commit lands (rewritten concurrently), the write fails, since its
	 * deletes would silently miss the rows. */
	const char *const *require_files;
	size_t nrequire_files;
	/* With remove_files or add_deletes: the snapshot the change was planned
	 * on. A delete file committed after it makes the write fail rather than
	 * resurrect or lose rows. */
	int64_t read_snapshot_id;
	/* Drop every delete file (compaction that applied them all). */
	int remove_all_deletes;
	const char *operation; /* summary operation; NULL: derived */
	int64_t target_file_size; /* > 0: instead of write.target-file-size-bytes */
} ldp_write_rowlevel;

/* ldp_table_write with row-level additions (rl may be NULL). The data of
 * select_sql is appended (o->mode must be LDP_WRITE_APPEND) next to them. */
int ldp_table_write_rowlevel(ldp_warehouse *wh, const ldp_ident *id, const char *select_sql,
			     const ldp_write_options *o, const ldp_write_rowlevel *rl, ldp_write_result *res);

/* Replace an existing table's columns, partitioning and rows in ONE commit:
 * Iceberg's replace-table transaction (Spark's REPLACE TABLE AS SELECT). The
 * single new metadata file adds the new schema and makes it current, sets the
 * default partition spec and sort order, sets the given properties, and adds
 * an overwrite snapshot (child of the current one) that removes every data
 * and delete file and adds the new rows; the catalog swaps once (a REST
 * catalog gets it as one commit with its requirements). The table keeps its
 * uuid, location, properties, history and snapshots: time travel to an older
 * snapshot reads it with that snapshot's schema. Readers see the old table
 * or the new one, never no table; a failure (bad query, lost race) commits
 * nothing. Retries as ldp_table_write does; a concurrent schema or partition
 * change that alters the result fails with LDP_ECONFLICT.
 *
 * Field ids: a column keeps the id of the current column with the same name
 * when its type is the same or one the spec allows promoting to (int -> long,
 * float -> double, wider decimal; nested types: the same shape); every other
 * column gets fresh ids above last-column-id (ids are never reused). */
typedef struct ldp_replace_options {
	const ldp_schema *schema; /* NULL: the columns of select_sql */
	/* NULL: keep the current default spec / sort order when the columns
	 * they use keep their field ids, else unpartitioned / unsorted; "":
	 * unpartitioned / unsorted; else a clause as ldp_create_options takes */
	const char *partition_by;
	const char *sort_by;
	size_t nproperties; /* set; the table's other properties stay */
	const ldp_kv *properties;
	/* test hook: called after the new metadata file is written, before the swap */
	int (*before_swap)(void *ctx);
	void *before_swap_ctx;
} ldp_replace_options;

/* select_sql NULL: no rows (o->schema is then required). The table must
 * exist (LDP_ENOTFOUND). res as for ldp_table_write. */
int ldp_table_replace(ldp_warehouse *wh, const ldp_ident *id, const char *select_sql, const ldp_replace_options *o,
		      ldp_write_result *res);

/* Evolve the table's schema so rows shaped like `source` can be written:
 * add its columns the table lacks (optional, fresh field ids) and apply the
 * spec's allowed promotions (int->long, float->double, decimal precision).
 * Other type differences are left for the write to report. *changed counts the
 * fields added or promoted (0: nothing committed). */
int ldp_table_evolve(ldp_warehouse *wh, const ldp_ident *id, const ldp_schema *source, int *changed);

/* ---- reading ---- */

/* Which snapshot to read: the current one, or by id, ref name or time. */
typedef struct ldp_snapshot_selector {
	int64_t snapshot_id;  /* > 0 when set */
	const char *ref;      /* branch or tag name, or NULL */
	int64_t as_of_ms;     /* > 0 when set: the snapshot current at that time */
} ldp_snapshot_selector;

/* Parse the time-travel suffix of "t@<spec>": a snapshot id, a ref name
 * ("tag:v1", "branch:dev", or a bare name), or a timestamp
 * ("2024-01-01 10:00:00", "2024-01-01T10:00:00Z", epoch millis with "ms:"). */
int ldp_snapshot_selector_parse(const char *spec, ldp_snapshot_selector *out);
/* Resolve to a snapshot (NULL when the table has none and no selector was given). */
int ldp_table_resolve_snapshot(const ldp_table *t, const ldp_snapshot_selector *sel, const ldp_snapshot **out);

typedef struct ldp_planned_file {
	char *path;
	int64_t record_count;
	int64_t file_size;
	int32_t spec_id;
	char *partition; /* human partition path, "" when unpartitioned */
	int64_t seq;     /* data sequence number */
} ldp_planned_file;

/* A delete file that may apply to the planned data files (spec: "Scan
 * Planning"); table/deletes.c decides which files each one scopes. */
typedef struct ldp_planned_delete {
	char *path;
	ldp_content content;
	int64_t seq;          /* data sequence number */
	int32_t spec_id;
	char *partition;      /* human partition path, as for data files */
	int partitioned;      /* its spec has fields */
	size_t nequality_ids;
	int32_t *equality_ids;
	int64_t record_count;
} ldp_planned_delete;

typedef struct ldp_scan_plan {
	const ldp_snapshot *snapshot; /* NULL for an empty table */
	const ldp_schema *schema;     /* the schema to read with */
	size_t nfiles;
	ldp_planned_file *files;
	int64_t total_records;
	size_t ndeletes;
	ldp_planned_delete *deletes;
	/* Files that named nested fields otherwise than `schema` does, grouped
	 * by the names they used (table/scan_nested.c); NULL: none. */
	struct ice_scan_views *views;
} ldp_scan_plan;

int ldp_table_plan(ldp_warehouse *wh, const ldp_table *t, const ldp_snapshot_selector *sel, ldp_scan_plan *out);
void ldp_scan_plan_clear(ldp_scan_plan *p);
/* The manifest list of a selected snapshot (none for an empty table); entries
 * live in `a`. */
int ldp_table_manifests(const ldp_table *t, const ldp_snapshot_selector *sel, ldp_arena *a, ldp_manifest_file **out,
			size_t *n);
/* A DuckDB query reading the planned files with columns mapped by field id. */
int ldp_scan_plan_sql(const ldp_scan_plan *p, ldp_buf *out);
/* The same with delete files applied (table/deletes.c); with `hidden`, three
 * more columns: __ldp_file (the data file's path as planned), __ldp_pos
 * (the row's position in it), what row-level changes address rows by, and
 * __ldp_idx (the file's index in the plan). */
int ldp_scan_plan_sql_deletes(const ldp_scan_plan *p, int hidden, ldp_buf *out);
/* Record a delete manifest's live entries in the plan (table/deletes.c). */
int ldp_scan_plan_add_deletes(ldp_scan_plan *p, const ldp_manifest_file *mf, const ldp_metadata *m, ldp_arena *a);
void ldp_scan_plan_clear_deletes(ldp_scan_plan *p);

/* For `ldp sql`: create DuckDB views for every Iceberg table `sql` names
 * (ns.t or ns."t@<time travel>"), in the warehouse's engine. */
int ldp_warehouse_bind_sql(ldp_warehouse *wh, const char *sql);

/* The value of a snapshot-summary property as of the current snapshot of
 * main: the newest snapshot among it and its ancestors that has `key` (so
 * writes without it, like a manual append, do not lose it). *out is malloc'd,
 * NULL when no snapshot has it or the table has no snapshot. LDP_ENOTFOUND
 * when the table does not exist. */
int ldp_table_summary_property(ldp_warehouse *wh, const ldp_ident *id, const char *key, char **out);

/* ---- snapshots and refs ---- */

int ldp_table_rollback(ldp_warehouse *wh, const ldp_ident *id, int64_t snapshot_id);
/* Create or replace a tag/branch at a snapshot (current when snapshot_id <= 0). */
int ldp_table_set_ref(ldp_warehouse *wh, const ldp_ident *id, const char *name, int is_tag, int64_t snapshot_id);
int ldp_table_drop_ref(ldp_warehouse *wh, const ldp_ident *id, const char *name);
/* Publish a branch (write-audit-publish, table/branch.c): move `target`
 * (NULL: main) to the head of `branch`, which must descend from target's
 * head (a fast-forward); otherwise LDP_ECONFLICT naming both snapshots and
 * nothing changes. *published receives the new head. */
int ldp_table_fast_forward(ldp_warehouse *wh, const ldp_ident *id, const char *branch, const char *target,
			   int64_t *published);
/* A metadata-only commit with reload-and-retry (table.c): fn builds the new
 * metadata from the current one. */
int ldp_table_commit_metadata(ldp_warehouse *wh, const ldp_ident *id,
			      int (*fn)(const ldp_metadata *in, void *ctx, ldp_metadata **out), void *ctx);

#endif
