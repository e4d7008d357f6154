/*
 * format/manifest_internal.h - field access shared by manifest.c and
 * manifest_list.c. Fields are found by spec field id, then by name (files
 * from writers that omit ids). Type mismatches are LDP_ECORRUPT naming
 * `ctx` (e.g. "m.avro: entry 3") and the field.
 */
#ifndef LDP_FORMAT_MANIFEST_INTERNAL_H
#define LDP_FORMAT_MANIFEST_INTERNAL_H

#include "format/manifest.h"

/* NULL when absent. */
ldp_avro_value *ldp_mf_field(const ldp_avro_value *rec, int32_t id, const char *name);
/* 1 and *out set when present and not null; 0 when absent or null (then
 * LDP_ECORRUPT if required); negative on a type mismatch. */
int ldp_mf_long(const ldp_avro_value *rec, int32_t id, const char *name, bool required, const char *ctx,
		int64_t *out);
int ldp_mf_int(const ldp_avro_value *rec, int32_t id, const char *name, bool required, const char *ctx,
	       int32_t *out);
int ldp_mf_bool(const ldp_avro_value *rec, int32_t id, const char *name, bool required, const char *ctx,
		bool *out);
/* Strings and bytes are copied into `a` (NUL-terminated). */
int ldp_mf_string(ldp_arena *a, const ldp_avro_value *rec, int32_t id, const char *name, bool required,
		  const char *ctx, const char **out);
int ldp_mf_bytes(ldp_arena *a, const ldp_avro_value *rec, int32_t id, const char *name, const char *ctx,
		 const uint8_t **out, size_t *len);
/* Optional long/int/bytes Avro values for writing: NULL-kind when absent. */
ldp_avro_value *ldp_mf_opt_long(ldp_arena *a, int64_t v, bool present);

/* The non-null branch of ["null", T] (s itself when not a union). */
const ldp_avro_schema *ldp_mf_nonnull(const ldp_avro_schema *s);

/* The data_file column metric maps (spec: map<int, long|binary>, stored as
 * arrays of key/value records per Appendix A "Maps with non-string keys"). */
typedef struct ldp_mf_map {
	int32_t id, key_id, value_id;
	const char *name;
	int binary; /* bounds (bytes values) rather than counts (long) */
} ldp_mf_map;

#define LDP_MF_NMAPS 6
extern const ldp_mf_map LDP_MF_MAPS[LDP_MF_NMAPS]; /* column_sizes, value_counts, null, nan, lower, upper */

#endif
