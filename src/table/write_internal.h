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
/* The partition tuple of a written file from its hive directories. */
int write_partition_of(write_job *j, const char *path, ldp_value **tuple);

#endif
