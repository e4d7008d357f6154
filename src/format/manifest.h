/*
 * format/manifest.h - Iceberg manifests and manifest lists as Avro files
 * (apache/iceberg format/spec.md: "Manifests", "Manifest Lists", and
 * Appendix A "Avro" for types and field ids), on top of format/avro.h.
 *
 * Writing produces format version 2 files into an ldp_buf (the caller does
 * the file I/O); reading accepts versions 1 and 2, locating every field by
 * its spec field id (falling back to its name), so renamed or reordered
 * fields in other writers' files read correctly.
 *
 * Memory: everything read is allocated in the caller's arena. Inputs are
 * borrowed.
 */
#ifndef LDP_FORMAT_MANIFEST_H
#define LDP_FORMAT_MANIFEST_H

#include "format/avro.h"
#include "format/model.h"

/* A field of the partition tuple: its partition field id, name and the
 * transform's result type (only the scalar members of ldp_type are used:
 * id, precision, scale, length). */
typedef struct ldp_manifest_pfield {
	int32_t field_id; /* LDP_AVRO_NO_ID when a v1 file carries none */
	const char *name;
	ldp_type type;
} ldp_manifest_pfield;

/* What the manifest's file metadata records (spec "Manifest Metadata"). */
typedef struct ldp_manifest_info {
	const char *schema_json;      /* the table schema JSON at write time */
	int32_t schema_id;
	const char *spec_fields_json; /* the partition spec's "fields" array as JSON */
	int32_t spec_id;
	bool deletes;                 /* content: "deletes" (true) or "data" */
	size_t npfields;
	const ldp_manifest_pfield *pfields; /* the partition tuple, in spec order */
} ldp_manifest_info;

/* Append a v2 manifest (deflate) holding the entries. Every entry must have
 * npfields partition values whose types match the fields' (or are null).
 * Absent values follow model.h: -1 / NULL are written as Avro nulls.
 * schema_json and spec_fields_json are required.
 * Errors: LDP_EINVALID naming the entry and field. */
int ldp_manifest_write(const ldp_manifest_info *info, const ldp_data_file_entry *entries, size_t n,
		       ldp_buf *out);

typedef struct ldp_manifest {
	int32_t format_version; /* metadata "format-version"; 1 when absent */
	bool deletes;           /* metadata "content" == "deletes" */
	const char *schema_json;      /* metadata "schema", NULL when absent */
	int32_t schema_id;            /* -1 when absent */
	const char *spec_fields_json; /* metadata "partition-spec", NULL when absent */
	int32_t spec_id;              /* -1 when absent */
	size_t npfields;
	ldp_manifest_pfield *pfields; /* from the file's partition record type */
	size_t nentries;
	ldp_data_file_entry *entries;
} ldp_manifest;

/* Read a v1 or v2 manifest held in memory; `path` names it in errors.
 * v1 files (no sequence numbers, no content): sequence_number and
 * file_sequence_number are 0 and content is data, as the spec says; in v2,
 * null snapshot and sequence numbers are -1 (inherit from the manifest
 * list). Errors: LDP_ECORRUPT, LDP_EUNSUPPORTED (a partition type ldp cannot
 * interpret). */
int ldp_manifest_read(ldp_arena *a, const void *data, size_t len, const char *path, ldp_manifest **out);

/* Manifest list file metadata (written by the reference implementation). */
typedef struct ldp_manifest_list_info {
	int64_t snapshot_id;
	int64_t parent_snapshot_id; /* -1: none (written as "null") */
	int64_t sequence_number;
} ldp_manifest_list_info;

/* Append a v2 manifest list (deflate). partitions[] of each file is written
 * as the field summaries; absent bounds and contains_nan == -1 are null. */
int ldp_manifest_list_write(const ldp_manifest_list_info *info, const ldp_manifest_file *files, size_t n,
			    ldp_buf *out);

/* Read a v1 or v2 manifest list. v1 files: content 0, sequence numbers 0
 * (spec); file and row counts that are null (optional in v1) read as -1. */
int ldp_manifest_list_read(ldp_arena *a, const void *data, size_t len, const char *path, ldp_manifest_file **out,
			   size_t *n);

/* The Avro schema of a v2 manifest entry for this partition tuple, as JSON
 * (exposed for tests and for callers that need the type). */
int ldp_manifest_entry_schema_json(const ldp_manifest_pfield *pfields, size_t npfields, ldp_buf *out);

#endif
