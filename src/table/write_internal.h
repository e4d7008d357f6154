/* Shared by the table write path (write.c, write_data.c). */
#ifndef LDP_TABLE_WRITE_INTERNAL_H
#define LDP_TABLE_WRITE_INTERNAL_H

#include <duckdb.h>

#include "format/model.h"
#include "ldp/engine.h"
#include "table/table.h"

typedef struct write_job {
	ldp_arena arena;
	ldp_engine *engine;
	char table_name[800];          /* "ns.t" for messages */
	const ldp_schema *schema;      /* current schema */
	const ldp_partition_spec *spec; /* default spec */
	const ldp_sort_order *order;    /* default sort order (may be unsorted) */
	/* the source query's columns */
	size_t nsrc;
	const char **src_names;
	duckdb_logical_type *src_types;
	/* partitioning */
	ldp_type *part_types;           /* result type per spec field */
	const ldp_type **src_field_types;
	/* Parquet settings from table properties */
	const char *compression;
	int64_t row_group_size;
	int64_t target_file_size;
	const char *staging_dir;
	const char *file_prefix;        /* FILENAME_PATTERN */
	ldp_data_files *files;          /* what DuckDB wrote */
} write_job;

int write_describe_source(write_job *j, const char *source_sql);
int write_data_files(write_job *j, const char *source_sql);
/* Hex digits (n of them) as bytes in `a`, NUL-terminated; -1 when not hex.
 * Partition directory values and DuckDB's RETURN_STATS binary bounds use it. */
int write_unhex(ldp_arena *a, const char *hex, size_t n, const uint8_t **out, size_t *len);
/* The partition tuple of a written file from its hive directories. */
int write_partition_of(write_job *j, const char *path, ldp_value **tuple);

/* A write that changes the table's metadata in the same commit (replace.c):
 * fn builds, from a loaded metadata, the base the new snapshot is added to
 * (a new current schema, default spec...). The data files are written for
 * the base built from the first load; every attempt rebuilds it on its own
 * base and must arrive at the same schema and spec. */
typedef struct write_rebase {
	int (*fn)(const ldp_metadata *in, void *ctx, ldp_metadata **out);
	void *ctx;
} write_rebase;

/* The state of one write's commit, shared by its attempts (write.c). */
typedef struct commit_state {
	ldp_warehouse *wh;
	const ldp_write_options *o;
	ldp_arena arena; /* per attempt */
	int64_t snapshot_id;
	char commit_uuid[37];
	/* the added manifest (written once) */
	ldp_manifest_file added;
	int has_added;
	ldp_data_file_entry *entries;
	size_t nentries;
	int32_t spec_id;
	/* partition tuples replaced by a dynamic overwrite */
	ldp_write_result *res;
	char *written[64]; /* files of the current attempt, removed if it loses */
	size_t nwritten;
	/* manifest merging (table properties commit.manifest-merge.enabled,
	 * commit.manifest.min-count-to-merge) */
	int merge_enabled;
	int64_t min_count_to_merge;
	/* row-level additions (write_rowlevel.c); NULL for plain writes */
	const ldp_write_rowlevel *rl;
	ldp_manifest_file *del_added; /* manifests of rl->add_deletes, written once */
	size_t ndel_added;
	size_t nremoved_found;        /* rl->remove_files seen live in this attempt's base */
	int64_t tot_delete_files, tot_pos_deletes, tot_eq_deletes, removed_delete_files;
	int64_t added_pos_deletes, added_pos_files, added_eq_deletes;
	/* rebasing writes (replace.c); NULL rb for plain writes */
	const write_rebase *rb;
	const ldp_schema *rb_schema;    /* the schema the data files were written with */
	const ldp_partition_spec *rb_spec;
	int32_t rb_order_id;
	ldp_metadata *rebased;          /* this attempt's base, freed with the attempt */
} commit_state;

/* The whole write (write.c): ldp_table_write_rowlevel with an optional rebase. */
int write_run(ldp_warehouse *wh, const ldp_ident *id, const char *select_sql, const ldp_write_options *o,
	      const ldp_write_rowlevel *rl, const write_rebase *rb, ldp_write_result *res);
/* Rebasing writes (replace.c): build cs->rebased on this attempt's base m and
 * check it still matches the data files (else LDP_ECONFLICT: nothing is
 * committed); then, once the manifest list is complete, leave out manifests
 * with no live files that the new snapshot need not carry. */
int write_rebase_attempt(commit_state *cs, const ldp_metadata *m);
void write_rebase_filter(commit_state *cs, ldp_manifest_file *list, size_t *nlist);

/* Row-level additions to a commit (write_rowlevel.c). */
/* Write the manifests of rl->add_deletes (once, before the attempts; in `keep`). */
int write_rl_prepare(commit_state *cs, const ldp_metadata *m, ldp_arena *keep);
/* Whether a live base entry is one of rl->remove_files. */
int write_rl_removes(const commit_state *cs, const ldp_data_file_entry *e);
/* Before an attempt: refuse a base that gained delete files since the read
 * snapshot (they could name rows this write rewrites or re-deletes). */
int write_rl_check_base(commit_state *cs, const ldp_metadata *m, const ldp_snapshot *head);
/* After the base's manifests are carried: check every removed file was live,
 * drop delete files (remove_all_deletes), add the new delete manifests, and
 * total the delete files of the new snapshot. */
int write_rl_finish_list(commit_state *cs, const ldp_metadata *m, const ldp_snapshot *head, ldp_manifest_file **list,
			 size_t *nlist, size_t *cap, int64_t seq);

/* Partition field summaries (lower/upper/contains-null) of entries whose
 * partition values have the given types; NULL *out when there are none. */
int write_summarize(ldp_arena *a, const ldp_type *types, size_t nfields, const ldp_data_file_entry *es, size_t n,
		    ldp_field_summary **out);
/* Merge carried data manifests once there are enough (write_manifests.c). */
int write_merge_manifests(commit_state *cs, const ldp_metadata *m, ldp_manifest_file *list, size_t *nlist,
			  int64_t seq);

#endif
