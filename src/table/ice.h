/*
 * table/ice.h - the table layer's view of Iceberg files: reading and writing
 * metadata JSON, manifests and manifest lists at locations (through FileIO),
 * on top of format/ codecs. Internal to table/.
 */
#ifndef LDP_TABLE_ICE_H
#define LDP_TABLE_ICE_H

#include "format/model.h"
#include "ldp/arena.h"

/* Read and parse a table metadata file. Errors name the file. */
int ice_metadata_read(const char *location, ldp_metadata **out);
/* Serialise and create <dir>/<version 5 digits>-<uuid>.metadata.json; the
 * file must not exist yet. *path_out is malloc'd. */
int ice_metadata_write(const ldp_metadata *m, const char *metadata_dir, int version, char **path_out);
/* The version number of a metadata file name (00003-....metadata.json -> 3), or -1. */
int ice_metadata_version(const char *location);

/* Manifest lists. Entries and their strings live in `a`. */
int ice_manifest_list_read(const char *location, ldp_arena *a, ldp_manifest_file **out, size_t *n);
/* The manifests of a snapshot: its manifest list, or for v1 snapshots that
 * list manifests inline, entries built from the manifests themselves. */
int ice_snapshot_manifests(const ldp_snapshot *snap, ldp_arena *a, ldp_manifest_file **out, size_t *n);
int ice_manifest_list_write(const char *location, int64_t snapshot_id, int64_t parent_id, int64_t sequence_number,
			    const ldp_manifest_file *files, size_t n);

/* Manifests. Entries live in `a`; snapshot ids and sequence numbers left
 * null by the writer are inherited from the manifest list entry `mf`
 * (spec: "Sequence Number Inheritance", "Snapshot ID Inheritance"). */
int ice_manifest_read(const ldp_manifest_file *mf, ldp_arena *a, ldp_data_file_entry **out, size_t *n);
/* Write a v2 manifest of `content` for spec `spec_id`; *length receives the
 * file size. */
int ice_manifest_write(const char *location, const ldp_metadata *m, const ldp_schema *schema, int32_t spec_id,
		       ldp_content content, int64_t snapshot_id, const ldp_data_file_entry *entries, size_t n,
		       int64_t *length);

/* Integer table property with a default (LDP_EINVALID naming the property when
 * it is not a number). */
int ice_property_int(const ldp_metadata *m, const char *key, int64_t def, int64_t *out);
/* The partition value types of a spec over a schema (one per field), in `a`.
 * The day transform's values are typed date, as Java and pyiceberg type them
 * in manifests (the spec's table says int; both are days from 1970-01-01). */
int ice_partition_result_type(const ldp_partition_field *pf, const ldp_schema *schema, ldp_type *out);
int ice_partition_types(const ldp_partition_spec *spec, const ldp_schema *schema, ldp_arena *a, ldp_type **out);

/* A metadata-only commit (no data files): fn builds the new metadata from the
 * freshly loaded current one; the catalog swap retries on conflicts by
 * reloading and calling fn again. */
struct ldp_warehouse;
struct ldp_ident;
typedef int (*ice_meta_change_fn)(const ldp_metadata *in, void *ctx, ldp_metadata **out);
int ice_commit_metadata(struct ldp_warehouse *wh, const struct ldp_ident *id, ice_meta_change_fn fn, void *ctx);
/* One partition term as --partition-by writes it ("day(ts)", "bucket(16, id)",
 * "name"), over schema s, with its default field name and field_id 0. */
int ice_partition_field_parse(ldp_arena *a, const char *term, const ldp_schema *s, ldp_partition_field *out);
/* A whole --partition-by / --sort-by clause over schema s, as ldp_table_create
 * reads it (partition field ids 1000, 1001...); NULL *out for NULL or "". */
int ice_partition_spec_parse(ldp_arena *a, const char *text, const ldp_schema *s, ldp_partition_spec **out);
int ice_sort_order_parse(ldp_arena *a, const char *text, const ldp_schema *s, ldp_sort_order **out);

/* "SELECT <columns>" of a scan query over plan p (scan.c). */
struct ldp_scan_plan;
int ice_scan_select_list(const struct ldp_scan_plan *p, ldp_buf *out);

/* scan_nested.c: nested fields by id. After planning, note the files whose
 * footers name nested fields otherwise than the read schema (only looked at
 * when the schema history of m says names changed). */
struct ice_scan_views;
void ice_scan_views_free(struct ice_scan_views *v);
int ice_plan_nested_views(struct ldp_warehouse *wh, const ldp_metadata *m, struct ldp_scan_plan *p);
/* The FROM item reading the plan's files (paths[i]: how to name file i to
 * DuckDB) with the read schema's columns, plus __ldp_idx (the file's index
 * in the plan) and __ldp_pos (row position) with `positions`. */
int ice_scan_source(const struct ldp_scan_plan *p, const char *const *paths, int positions, ldp_buf *out);

#endif
