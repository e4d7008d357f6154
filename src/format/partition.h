/*
 * format/partition.h - partition specs, sort orders and the text form of
 * transforms (spec: "Partitioning", "Sorting", "Appendix C: JSON
 * serialization"). Applying transforms to values lives in format/transform.c.
 *
 * Memory: results live in the ldp_arena passed in.
 */
#ifndef LDP_FORMAT_PARTITION_H
#define LDP_FORMAT_PARTITION_H

#include "format/model.h"

/* First partition field id of a spec (spec: v1 ids were assigned from 1000). */
#define LDP_PARTITION_FIELD_ID_START 1000

/* ---- transforms (text) ---- */

/* Parse "identity", "bucket[16]", "truncate[10]", "year", "month", "day",
 * "hour", "void" (case-insensitive, blanks allowed inside brackets). Anything
 * else, malformed parameters included, is LDP_TR_UNKNOWN: v3 readers must
 * tolerate unknown transforms. out->text is a copy in `a` (or borrows `text`
 * when a is NULL). Fails only for lack of memory. */
int ldp_transform_parse(const char *text, ldp_arena *a, ldp_transform *out);
/* Canonical text ("bucket[16]"); an unknown transform writes its text as read. */
void ldp_transform_to_string(const ldp_transform *t, ldp_buf *b);
bool ldp_transform_equal(const ldp_transform *x, const ldp_transform *y);

/* ---- partition specs ---- */

/* Parse a spec object {"spec-id", "fields": [...]}. Fields without
 * "field-id" (v1) get 1000, 1001... in order. A v3 "source-ids" list fills
 * source_ids (source_id is its first element). */
int ldp_partition_spec_parse(ldp_arena *a, const json_t *j, const char *what, ldp_partition_spec **out);
/* Parse the bare field list of the v1 "partition-spec" metadata field. */
int ldp_partition_spec_parse_fields(ldp_arena *a, const json_t *fields, int32_t spec_id, const char *what,
				    ldp_partition_spec **out);
/* New references; NULL (LDP_ENOMEM recorded) on failure. */
json_t *ldp_partition_spec_to_json(const ldp_partition_spec *s);
json_t *ldp_partition_spec_fields_to_json(const ldp_partition_spec *s);
int ldp_partition_spec_copy(ldp_arena *a, const ldp_partition_spec *in, ldp_partition_spec **out);
/* Same fields (source ids, field ids, names, transforms); spec ids ignored. */
bool ldp_partition_spec_same_fields(const ldp_partition_spec *x, const ldp_partition_spec *y);
/* Highest partition field id; LDP_PARTITION_FIELD_ID_START - 1 when none. */
int32_t ldp_partition_spec_max_field_id(const ldp_partition_spec *s);
/* No fields, or only void transforms. */
bool ldp_partition_spec_is_unpartitioned(const ldp_partition_spec *s);

/* ---- sort orders ---- */

int ldp_sort_order_parse(ldp_arena *a, const json_t *j, const char *what, ldp_sort_order **out);
json_t *ldp_sort_order_to_json(const ldp_sort_order *o);
int ldp_sort_order_copy(ldp_arena *a, const ldp_sort_order *in, ldp_sort_order **out);
/* Same fields; order ids ignored. */
bool ldp_sort_order_same_fields(const ldp_sort_order *x, const ldp_sort_order *y);

#endif
