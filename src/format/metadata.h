/*
 * format/metadata.h - Iceberg table metadata JSON (spec: "Table Metadata",
 * "Snapshots", "Snapshot References", Appendix C/E): parse v1, v2 and v3,
 * write it back, look things up, and build new metadata for the write path.
 *
 * Memory: an ldp_metadata owns everything reachable from it (its arena, plus
 * JSON values held through `owned`); release it with ldp_metadata_free().
 * Lookups return pointers into the metadata. Builders never modify their
 * input: each returns a NEW ldp_metadata (free both).
 */
#ifndef LDP_FORMAT_METADATA_H
#define LDP_FORMAT_METADATA_H

#include "format/model.h"

/* Highest format version ldp reads. */
#define LDP_METADATA_MAX_FORMAT_VERSION 3

/* ---- parse, write, lifecycle ---- */

/* Parse a metadata document. `name` (a file name or location; its last path
 * component is used) names the file in errors:
 *   "metadata 00003-<uuid>.metadata.json: field 'snapshots' must be an array".
 * Malformed metadata is LDP_ECORRUPT; a format-version above 3 is
 * LDP_EUNSUPPORTED. v1 fields are upgraded in memory (schema -> schemas,
 * partition-spec -> partition-specs, missing sequence numbers -> 0); keys ldp
 * does not model are kept in `extra` and written back. */
int ldp_metadata_parse(const json_t *doc, const char *name, ldp_metadata **out);
int ldp_metadata_parse_text(const char *text, size_t len, const char *name, ldp_metadata **out);
/* Read and parse a local (uncompressed) metadata file. */
int ldp_metadata_load_file(const char *path, ldp_metadata **out);
void ldp_metadata_free(ldp_metadata *m);

/* The metadata as JSON (a new reference; NULL with the error recorded). The
 * layout follows m->format_version: v2/v3 write schemas, partition-specs,
 * sort-orders, last-sequence-number and sequence numbers; v1 also writes the
 * deprecated schema and partition-spec fields and omits sequence numbers.
 * refs always include "main" when there is a current snapshot. */
json_t *ldp_metadata_to_json(const ldp_metadata *m);
/* Pretty JSON text; free() *out. */
int ldp_metadata_to_text(const ldp_metadata *m, char **out);
/* The same document as ldp_metadata_to_json, as compact text appended to out,
 * built without a tree of the snapshot list and logs (the bulk of a long
 * table history). What every commit writes. */
int ldp_metadata_write_compact(const ldp_metadata *m, ldp_buf *out);
/* A deep, independent copy. */
int ldp_metadata_copy(const ldp_metadata *in, ldp_metadata **out);

/* ---- lookups (NULL when absent) ---- */

const ldp_schema *ldp_metadata_current_schema(const ldp_metadata *m);
const ldp_schema *ldp_metadata_schema(const ldp_metadata *m, int32_t schema_id);
const ldp_partition_spec *ldp_metadata_spec(const ldp_metadata *m, int32_t spec_id);
const ldp_partition_spec *ldp_metadata_default_spec(const ldp_metadata *m);
const ldp_sort_order *ldp_metadata_sort_order(const ldp_metadata *m, int32_t order_id);
const ldp_sort_order *ldp_metadata_default_sort_order(const ldp_metadata *m);
const ldp_snapshot *ldp_metadata_snapshot(const ldp_metadata *m, int64_t snapshot_id);
const ldp_snapshot *ldp_metadata_current_snapshot(const ldp_metadata *m);
const ldp_ref *ldp_metadata_ref(const ldp_metadata *m, const char *name);
const char *ldp_metadata_property(const ldp_metadata *m, const char *key);
/* The schema a snapshot was written with (its schema-id), else the current one. */
const ldp_schema *ldp_metadata_snapshot_schema(const ldp_metadata *m, const ldp_snapshot *s);
const char *ldp_snapshot_summary(const ldp_snapshot *s, const char *key);

/* The snapshot that was current at `timestamp_ms`: the last snapshot-log entry
 * at or before it (spec: Appendix F, "Point in Time Reads"). LDP_ENOTFOUND
 * naming the earliest known time when there is none. */
int ldp_metadata_snapshot_as_of(const ldp_metadata *m, int64_t timestamp_ms, const ldp_snapshot **out);
/* The snapshot and its ancestors, newest first, following parent ids until a
 * snapshot without parent or one no longer in the metadata (expired). The
 * array is allocated in `a`. LDP_ENOTFOUND when snapshot_id is unknown. */
int ldp_metadata_ancestors(const ldp_metadata *m, int64_t snapshot_id, ldp_arena *a, const ldp_snapshot ***out,
			   size_t *n);
/* True when ancestor_id is snapshot_id or one of its ancestors. */
bool ldp_metadata_is_ancestor(const ldp_metadata *m, int64_t snapshot_id, int64_t ancestor_id);

/* ---- builders: each returns a NEW metadata; `in` is unchanged ---- */

/* A format-version 2 table: fresh table uuid, the schema with fresh field ids
 * (ldp_schema_assign_fresh_ids), the spec (NULL: unpartitioned) with partition
 * field ids 1000, 1001... and the sort order (NULL or no fields: unsorted,
 * order id 0; else order id 1). Source ids of the spec and order refer to the
 * ids of `schema` as given and are translated to the fresh ids. */
int ldp_metadata_new(const char *location, const ldp_schema *schema, const ldp_partition_spec *spec,
		     const ldp_sort_order *order, const ldp_kv *properties, size_t nproperties, ldp_metadata **out);

/* Add a snapshot and make it the head of `branch` (NULL: "main"). For main the
 * snapshot becomes current and is logged in snapshot-log. In v2+ a
 * sequence_number of 0 is assigned last-sequence-number + 1; a given one must
 * be higher than last-sequence-number. schema_id -1 becomes the current
 * schema. The summary must carry an operation (snap->operation or
 * summary["operation"]). last-updated-ms becomes the snapshot's timestamp.
 * Errors: LDP_EEXISTS for a reused snapshot id, LDP_EINVALID for a tag. */
int ldp_metadata_add_snapshot(const ldp_metadata *in, const ldp_snapshot *snap, const char *branch,
			      ldp_metadata **out);
/* Create or replace a ref. Setting "main" (a branch) changes the current
 * snapshot and logs it. LDP_ENOTFOUND when the snapshot is unknown. */
int ldp_metadata_set_ref(const ldp_metadata *in, const ldp_ref *ref, ldp_metadata **out);
/* Removing "main" leaves the table without a current snapshot. */
int ldp_metadata_remove_ref(const ldp_metadata *in, const char *name, ldp_metadata **out);
/* Point main at an existing snapshot (rollback / roll forward). */
int ldp_metadata_set_current_snapshot(const ldp_metadata *in, int64_t snapshot_id, ldp_metadata **out);
int ldp_metadata_set_properties(const ldp_metadata *in, const ldp_kv *kv, size_t n, ldp_metadata **out);
/* Keys that are not set are ignored. */
int ldp_metadata_remove_properties(const ldp_metadata *in, const char *const *keys, size_t n, ldp_metadata **out);
/* Add a schema (its schema_id is ignored): an existing schema with the same
 * fields is reused, else it gets the highest id + 1. last-column-id grows to
 * the schema's highest field id. *schema_id (may be NULL) receives the id. */
int ldp_metadata_add_schema(const ldp_metadata *in, const ldp_schema *schema, int32_t *schema_id, ldp_metadata **out);
int ldp_metadata_set_current_schema(const ldp_metadata *in, int32_t schema_id, ldp_metadata **out);
/* Add a partition spec (spec_id ignored; reuse or highest + 1). Fields with
 * field_id <= 0 are assigned one: the id of the same source and transform in
 * an earlier spec, else last-partition-id + 1. Source ids must be fields of
 * the current schema. */
int ldp_metadata_add_spec(const ldp_metadata *in, const ldp_partition_spec *spec, int32_t *spec_id,
			  ldp_metadata **out);
int ldp_metadata_set_default_spec(const ldp_metadata *in, int32_t spec_id, ldp_metadata **out);
/* Add a sort order (order_id ignored; no fields: the unsorted order 0; else
 * reuse or highest + 1). */
int ldp_metadata_add_sort_order(const ldp_metadata *in, const ldp_sort_order *order, int32_t *order_id,
				ldp_metadata **out);
int ldp_metadata_set_default_sort_order(const ldp_metadata *in, int32_t order_id, ldp_metadata **out);
/* Log the previous metadata file (its last-updated-ms as timestamp). Keeps at
 * most write.metadata.previous-versions-max entries (default 100), dropping
 * the oldest. */
/* The same, in place, on metadata the caller owns and has not shared (a
 * builder's fresh result): saves a copy of the whole model per commit. */
int ldp_metadata_log_previous(ldp_metadata *m, const char *metadata_file, int64_t timestamp_ms);
int ldp_metadata_add_metadata_log(const ldp_metadata *in, const char *metadata_file, int64_t timestamp_ms,
				  ldp_metadata **out);

/* ---- ids and names ---- */

/* A random version 4 UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" (from
 * /dev/urandom; LDP_EIO if it cannot be read). */
int ldp_uuid4(char out[37]);
/* A random positive snapshot id not used by m (m may be NULL). */
int ldp_metadata_new_snapshot_id(const ldp_metadata *m, int64_t *out);
/* "<version, 5 digits>-<random uuid>.metadata.json"; free() *out. */
int ldp_metadata_file_name(int64_t version, char **out);
/* The version of a metadata file name or path: 3 for ".../00003-<uuid>.metadata.json"
 * (also "<n>-<uuid>.gz.metadata.json" and Hadoop's "v3.metadata.json"); -1
 * when the name does not follow these forms. */
int64_t ldp_metadata_file_version(const char *path);
/* Current time in milliseconds since the epoch. */
int64_t ldp_now_ms(void);

#endif
