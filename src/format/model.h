/*
 * format/model.h - the Iceberg data model in memory (spec: apache/iceberg
 * format/spec.md): types, schemas, partition specs and transforms, sort
 * orders, values, snapshots, refs and table metadata.
 *
 * Memory: every object reachable from an ldp_metadata lives in that
 * metadata's arena and is released by ldp_metadata_free(). Functions that
 * build standalone pieces take an explicit ldp_arena.
 */
#ifndef LDP_FORMAT_MODEL_H
#define LDP_FORMAT_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ldp/arena.h"
#include "ldp/buf.h"

/* ---- types (spec: "Schemas and Data Types") ---- */

typedef enum ldp_type_id {
	LDP_T_BOOLEAN,
	LDP_T_INT,
	LDP_T_LONG,
	LDP_T_FLOAT,
	LDP_T_DOUBLE,
	LDP_T_DECIMAL,     /* precision, scale */
	LDP_T_DATE,        /* days from 1970-01-01 */
	LDP_T_TIME,        /* microseconds from midnight */
	LDP_T_TIMESTAMP,   /* microseconds from epoch, no zone */
	LDP_T_TIMESTAMPTZ, /* microseconds from epoch, UTC */
	LDP_T_TIMESTAMP_NS,   /* v3 */
	LDP_T_TIMESTAMPTZ_NS, /* v3 */
	LDP_T_STRING,
	LDP_T_UUID,
	LDP_T_FIXED,       /* length */
	LDP_T_BINARY,
	LDP_T_STRUCT,
	LDP_T_LIST,
	LDP_T_MAP,
	LDP_T_UNKNOWN_V3   /* a v3 type ldp reads through but cannot interpret (variant, geometry...) */
} ldp_type_id;

typedef struct ldp_type ldp_type;

typedef struct ldp_field {
	int32_t id;
	const char *name;
	bool required;
	const ldp_type *type;
	const char *doc;          /* NULL when absent */
	json_t *initial_default;  /* v3, borrowed reference owned by the metadata JSON, may be NULL */
	json_t *write_default;
} ldp_field;

struct ldp_type {
	ldp_type_id id;
	int32_t precision, scale; /* decimal */
	int32_t length;           /* fixed */
	const char *unknown_name; /* LDP_T_UNKNOWN_V3: the type string as written */
	/* struct */
	size_t nfields;
	ldp_field *fields;
	/* list: element; map: key and value */
	ldp_field element;
	ldp_field key;
	ldp_field value;
};

typedef struct ldp_schema {
	int32_t schema_id;
	ldp_type root; /* LDP_T_STRUCT */
	size_t nidentifier;
	int32_t *identifier_field_ids;
} ldp_schema;

/* ---- values (partition tuples, bounds) ---- */

typedef struct ldp_value {
	ldp_type_id type;
	bool is_null;
	union {
		bool b;
		int32_t i32;  /* int, date */
		int64_t i64;  /* long, time, timestamp(tz), timestamp(tz)_ns */
		float f32;
		double f64;
		__int128 dec; /* decimal unscaled value (scale from the type) */
		struct {
			const uint8_t *ptr; /* string (UTF-8), binary, fixed, uuid (16 bytes) */
			size_t len;
		} bytes;
	} v;
} ldp_value;

/* ---- partitioning (spec: "Partitioning", "Partition Transforms") ---- */

typedef enum ldp_transform_kind {
	LDP_TR_IDENTITY,
	LDP_TR_BUCKET,   /* param = N */
	LDP_TR_TRUNCATE, /* param = W */
	LDP_TR_YEAR,
	LDP_TR_MONTH,
	LDP_TR_DAY,
	LDP_TR_HOUR,
	LDP_TR_VOID,
	LDP_TR_UNKNOWN   /* kept as text; planning treats it as "cannot prune" */
} ldp_transform_kind;

typedef struct ldp_transform {
	ldp_transform_kind kind;
	int32_t param;
	const char *text; /* as written: "bucket[16]" */
} ldp_transform;

typedef struct ldp_partition_field {
	int32_t source_id;        /* the first of source_ids for a v3 multi-argument transform */
	size_t nsource_ids;       /* v3 "source-ids"; 0 when the field has a single "source-id" */
	int32_t *source_ids;
	int32_t field_id; /* >= 1000 by convention */
	const char *name;
	ldp_transform transform;
} ldp_partition_field;

typedef struct ldp_partition_spec {
	int32_t spec_id;
	size_t nfields;
	ldp_partition_field *fields;
} ldp_partition_spec;

typedef struct ldp_sort_field {
	ldp_transform transform;
	int32_t source_id;        /* the first of source_ids for a v3 multi-argument transform */
	size_t nsource_ids;       /* v3 "source-ids"; 0 when the field has a single "source-id" */
	int32_t *source_ids;
	bool descending;
	bool nulls_first;
} ldp_sort_field;

typedef struct ldp_sort_order {
	int32_t order_id;
	size_t nfields;
	ldp_sort_field *fields;
} ldp_sort_order;

/* ---- snapshots and refs ---- */

typedef struct ldp_kv {
	const char *key;
	const char *value;
} ldp_kv;

typedef struct ldp_snapshot {
	int64_t snapshot_id;
	int64_t parent_id;        /* -1: none */
	int64_t sequence_number;  /* 0 in v1 */
	int64_t timestamp_ms;
	const char *manifest_list; /* NULL for v1 snapshots that list manifests inline */
	size_t nmanifests_v1;      /* v1 "manifests" array */
	const char **manifests_v1;
	int32_t schema_id;         /* -1: absent */
	const char *operation;     /* summary["operation"]: append, replace, overwrite, delete */
	size_t nsummary;
	ldp_kv *summary;           /* the whole summary, operation included */
	json_t *extra;             /* keys ldp does not model (v3 first-row-id, added-rows, key-id...),
	                              written back unchanged; NULL when none. Held by the metadata's `owned` */
} ldp_snapshot;

typedef struct ldp_ref {
	const char *name;
	int64_t snapshot_id;
	bool is_tag;                   /* false: branch */
	int64_t max_ref_age_ms;        /* -1: unset */
	int64_t max_snapshot_age_ms;   /* -1: unset (branches only) */
	int32_t min_snapshots_to_keep; /* -1: unset (branches only) */
} ldp_ref;

typedef struct ldp_log_entry {
	int64_t timestamp_ms;
	int64_t snapshot_id;       /* snapshot-log */
	const char *metadata_file; /* metadata-log */
} ldp_log_entry;

/* ---- manifests (spec: "Manifests", "Manifest Lists") ---- */

typedef enum ldp_content {
	LDP_CONTENT_DATA = 0,
	LDP_CONTENT_POSITION_DELETES = 1,
	LDP_CONTENT_EQUALITY_DELETES = 2
} ldp_content;

typedef enum ldp_entry_status {
	LDP_ENTRY_EXISTING = 0,
	LDP_ENTRY_ADDED = 1,
	LDP_ENTRY_DELETED = 2
} ldp_entry_status;

/* Per-column metrics keyed by field id. Bounds hold the spec's single-value
 * binary serialization (Appendix D). */
typedef struct ldp_col_metric {
	int32_t field_id;
	int64_t column_size;      /* -1: absent */
	int64_t value_count;      /* -1: absent */
	int64_t null_value_count; /* -1: absent */
	int64_t nan_value_count;  /* -1: absent */
	const uint8_t *lower;     /* NULL: absent */
	size_t lower_len;
	const uint8_t *upper;
	size_t upper_len;
} ldp_col_metric;

typedef struct ldp_data_file_entry {
	ldp_entry_status status;
	int64_t snapshot_id;          /* -1: inherit from the manifest list entry */
	int64_t sequence_number;      /* -1: inherit (null in the file) */
	int64_t file_sequence_number; /* -1: inherit */
	ldp_content content;
	const char *file_path;
	const char *file_format;      /* "PARQUET" */
	size_t npartition;
	ldp_value *partition;         /* one value per field of the manifest's partition spec */
	int64_t record_count;
	int64_t file_size_in_bytes;
	size_t nmetrics;
	ldp_col_metric *metrics;
	size_t nsplit_offsets;
	int64_t *split_offsets;
	size_t nequality_ids;
	int32_t *equality_ids;
	int32_t sort_order_id;        /* -1: absent */
	const char *referenced_data_file; /* v3 / position deletes, NULL: absent */
} ldp_data_file_entry;

typedef struct ldp_field_summary {
	bool contains_null;
	int contains_nan;   /* -1: unknown */
	const uint8_t *lower; /* NULL: absent */
	size_t lower_len;
	const uint8_t *upper;
	size_t upper_len;
} ldp_field_summary;

typedef struct ldp_manifest_file {
	const char *manifest_path;
	int64_t manifest_length;
	int32_t partition_spec_id;
	ldp_content content;          /* data or deletes (0 or 1 in the list) */
	int64_t sequence_number;
	int64_t min_sequence_number;
	int64_t added_snapshot_id;
	int32_t added_files_count;
	int32_t existing_files_count;
	int32_t deleted_files_count;
	int64_t added_rows_count;
	int64_t existing_rows_count;
	int64_t deleted_rows_count;
	size_t npartitions;
	ldp_field_summary *partitions; /* one per partition field of the spec */
	const uint8_t *key_metadata;
	size_t key_metadata_len;
} ldp_manifest_file;

/* ---- table metadata (spec: "Table Metadata") ---- */

typedef struct ldp_metadata {
	ldp_arena arena;
	int32_t format_version;
	const char *table_uuid;
	const char *location;
	int64_t last_sequence_number;
	int64_t last_updated_ms;
	int32_t last_column_id;
	size_t nschemas;
	ldp_schema **schemas;
	int32_t current_schema_id;
	size_t nspecs;
	ldp_partition_spec **specs;
	int32_t default_spec_id;
	int32_t last_partition_id;
	size_t nproperties;
	ldp_kv *properties;
	int64_t current_snapshot_id; /* -1: no snapshot */
	size_t nsnapshots;
	ldp_snapshot **snapshots;
	size_t nrefs;
	ldp_ref *refs;
	size_t nsnapshot_log;
	ldp_log_entry *snapshot_log;
	size_t nmetadata_log;
	ldp_log_entry *metadata_log;
	size_t nsort_orders;
	ldp_sort_order **sort_orders;
	int32_t default_sort_order_id;
	int64_t next_row_id;   /* v3, -1 when absent */
	json_t *extra;         /* top-level keys ldp does not model (v3 and future), written back unchanged */
	json_t *owned;         /* a JSON array holding a reference to every json_t the model points into
	                          (the parsed document, field defaults, extras); released by ldp_metadata_free */
} ldp_metadata;

#endif
