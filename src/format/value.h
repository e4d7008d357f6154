/*
 * format/value.h - single Iceberg values (ldp_value, see format/model.h):
 * the binary single-value serialization of the spec ("Appendix D"), parsing
 * DuckDB's text rendering of a value (what ldp's Parquet statistics return),
 * rendering a value as a DuckDB SQL literal, ordering, and the truncated
 * lower/upper bounds that Iceberg writers store for long strings and binaries.
 *
 * Memory: values never own their bytes. Functions that produce bytes take an
 * ldp_arena and allocate there; the result lives as long as the arena.
 * Only primitive types are values; nested types are rejected with
 * LDP_EUNSUPPORTED.
 */
#ifndef LDP_FORMAT_VALUE_H
#define LDP_FORMAT_VALUE_H

#include "format/model.h"

/* The spec's name of a primitive type id: "int", "timestamptz_ns", ... */
const char *ldp_value_type_name(ldp_type_id id);

/* A null value of type `id`. */
ldp_value ldp_value_null(ldp_type_id id);

/* Appendix D: binary serialization of a non-null value of type `t`.
 * *out points into `a`. Decimals use the minimum number of bytes of the
 * two's-complement unscaled value (at least one). */
int ldp_value_to_bytes(const ldp_value *v, const ldp_type *t, ldp_arena *a, const uint8_t **out, size_t *out_len);

/* Appendix D: decode `n` bytes as a value of type `t`. Strings, binaries,
 * fixed and uuid bytes are copied into `a`, or borrowed from `p` when `a` is
 * NULL. Wrong lengths are LDP_ECORRUPT. Booleans: any non-zero byte is true. */
int ldp_value_from_bytes(const ldp_type *t, const uint8_t *p, size_t n, ldp_arena *a, ldp_value *out);

/* Parse DuckDB's VARCHAR rendering of a value of type `t`:
 *   "true", "42", "12.50", "1.5e+20", "inf", "nan", "2023-01-01",
 *   "0044-03-15 (BC)", "10:00:00.5", "2023-01-01 10:00:00.123456",
 *   "2023-01-01 10:00:00+00" (offsets +HH[:MM[:SS]] convert to UTC; DuckDB
 *   prints offsets to the minute only, so text from a session whose zone
 *   had second offsets (LMT before ~1900) is off by those seconds - ldp's
 *   engine runs in UTC by default),
 *   "2023-01-01 10:00:00.123456789" (ns types), UUID text, blob text with
 *   \xAB escapes. The text NULL pointer gives a null value. Strings and
 *   bytes are copied into `a`. Values Iceberg cannot hold (DuckDB's
 *   infinite dates, decimals with more digits than the type) fail with
 *   LDP_EINVALID naming the text. */
int ldp_value_parse_duckdb(const ldp_type *t, const char *text, ldp_arena *a, ldp_value *out);

/* Append `v` as a DuckDB SQL literal of the matching DuckDB type, e.g.
 * DATE '2023-01-01', CAST('12.50' AS DECIMAL(9,2)), '\xAB'::BLOB, NULL.
 * timestamptz renders in UTC with "+00"; the ns types render as
 * TIMESTAMP_NS (DuckDB has no nanosecond TIMESTAMPTZ). */
int ldp_value_to_sql(const ldp_value *v, const ldp_type *t, ldp_buf *out);

/* Order two non-null values of the same type: <0, 0, >0. Strings and
 * binaries compare as unsigned bytes (for UTF-8: code point order), uuids as
 * 16 unsigned big-endian bytes, floats as Java does (-0.0 < 0.0, NaN last;
 * callers keep NaN out of bounds). Nulls sort first. */
int ldp_value_compare(const ldp_value *a, const ldp_value *b);

/* Truncated column bounds as Iceberg writers store them (metrics mode
 * truncate(width), Java's default is 16): strings keep at most `width` code
 * points, binaries at most `width` bytes; other types are copied unchanged.
 * The lower bound is the prefix (it borrows the input's bytes). The upper
 * bound is the prefix with its last code point (byte) incremented, dropping
 * trailing ones that cannot be incremented; when none can, *out is null:
 * "no upper bound". Its bytes are allocated in `a`. Surrogate code points are
 * skipped so that the result stays valid UTF-8. */
int ldp_value_bound_lower(const ldp_value *v, size_t width, ldp_value *out);
int ldp_value_bound_upper(const ldp_value *v, size_t width, ldp_arena *a, ldp_value *out);

/* Unscaled decimal as the fewest two's-complement big-endian bytes that
 * hold it (Appendix B and D); returns the count (1..16). */
size_t ldp_decimal_min_bytes(__int128 v, uint8_t out[16]);

/* Plain decimal text of an unscaled value at `scale`: 1420, 2 -> "14.20",
 * -5, 2 -> "-0.05". */
void ldp_decimal_to_text(ldp_buf *b, __int128 v, int32_t scale);

/* ---- calendar helpers shared with transforms (proleptic Gregorian) ---- */

/* Days from 1970-01-01 of year/month/day (month 1..12). */
int64_t ldp_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Inverse of ldp_days_from_civil. */
void ldp_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* Floor division and its non-negative remainder (divisor > 0). */
static inline int64_t ldp_floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && a < 0); }
static inline int64_t ldp_floor_mod(int64_t a, int64_t b) { return a - ldp_floor_div(a, b) * b; }

#endif
