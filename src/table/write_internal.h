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
} commit_state;

/* Partition field summaries (lower/upper/contains-null) of entries whose
 * partition values have the given types; NULL *out when there are none. */
int write_summarize(ldp_arena *a, const ldp_type *types, size_t nfields, const ldp_data_file_entry *es, size_t n,
		    ldp_field_summary **out);
/* Merge carried data manifests once there are enough (write_manifests.c). */
int write_merge_manifests(commit_state *cs, const ldp_metadata *m, ldp_manifest_file *list, size_t *nlist,
			  int64_t seq);

#endif
