/*
 * format/transform.h - Iceberg partition transforms (spec: "Partition
 * Transforms", "Bucket Transform Details", "Truncate Transform Details",
 * "Appendix B: 32-bit Hash Requirements") on ldp_value, their human strings
 * and partition paths (as Java's PartitionSpec.partitionToPath writes them),
 * and the same transforms as DuckDB SQL expressions for bulk writes.
 *
 * Parsing and printing the transform text ("bucket[16]") is transform_text.c's
 * job (ldp_transform_parse / ldp_transform_to_string); here a transform is an
 * ldp_transform value whose `text` may be NULL.
 *
 * Result types follow the spec table: bucket, year, month, day and hour give
 * int. (Java and pyiceberg type the day transform's result as date; both are
 * an Avro/Parquet int holding days from 1970-01-01, and the human string is
 * the same date text, so the values interoperate.) void keeps the source type.
 */
#ifndef LDP_FORMAT_TRANSFORM_H
#define LDP_FORMAT_TRANSFORM_H

#include "format/model.h"
#include "ldp/engine.h"

/* Appendix B: the 32-bit hash of a non-null value (int as long, date as int,
 * ns timestamps floored to microseconds, decimal by its minimal big-endian
 * unscaled bytes, uuid as 16 big-endian bytes; booleans, floats and doubles
 * by the spec's table of types not valid for bucketing). */
int ldp_value_hash(const ldp_value *v, int32_t *out);

/* Whether `tr` can be applied to a column of type `source`: LDP_EINVALID
 * naming `field_name` (may be NULL) when not (bucket of a boolean, hour of a date, N or W
 * below 1), LDP_EUNSUPPORTED for an unknown transform. */
int ldp_transform_check(const ldp_transform *tr, const ldp_type *source, const char *field_name);

/* The partition value type of `tr` over `source` (checked as above; errors
 * name no field). `out` is a shallow copy of `source` for identity, truncate
 * and void, else a plain int. */
int ldp_transform_result_type(const ldp_transform *tr, const ldp_type *source, ldp_type *out);

/* Apply `tr` to `in`, a value of type `source`; null gives null. The result
 * may borrow `in`'s bytes (identity, truncated strings and binaries). */
int ldp_transform_apply(const ldp_transform *tr, const ldp_type *source, const ldp_value *in, ldp_value *out);

/* Append the human string of a partition value `v` (the result of `tr` over
 * `source`), as Java's Transform.toHumanString writes it: "null" for null,
 * years "2023", months "2023-01", days "2023-01-01", hours "2023-01-01-10",
 * identity timestamps "2023-01-01T10:00" / "2023-01-01T10:00:00.5Z",
 * binaries in base64, decimals as BigDecimal.toString, doubles as
 * Double.toString. */
int ldp_transform_human_string(const ldp_transform *tr, const ldp_type *source, const ldp_value *v, ldp_buf *out);

/* Append the relative partition path of `tuple` (one value per field of
 * `spec`): "name=value" joined by '/', name and value URL-encoded like
 * java.net.URLEncoder ("a b/c" -> "a+b%2Fc"). Source types come from
 * `schema` (fields may be nested in structs). An unpartitioned spec gives "". */
int ldp_partition_path(const ldp_partition_spec *spec, const ldp_schema *schema, const ldp_value *tuple,
		       ldp_buf *out);

/* Append a DuckDB SQL expression computing `tr` over the SQL expression
 * `expr` of Iceberg type `source`, with the same result as
 * ldp_transform_apply (floor semantics before 1970, timestamptz in UTC
 * whatever the session time zone). bucket and binary truncate call the
 * ldp_bucket / ldp_truncate functions that ldp_register_iceberg_functions
 * installs on the connection. */
int ldp_transform_sql(const ldp_transform *tr, const char *expr, const ldp_type *source, ldp_buf *out);

/* Register on `e`'s connection the scalar functions the SQL above uses:
 *   ldp_bucket(value ANY, n INTEGER) -> INTEGER   the bucket transform for
 *     TINYINT..BIGINT, DATE, TIME, TIMESTAMP[_S|_MS|_NS|TZ], DECIMAL,
 *     VARCHAR, BLOB and UUID values
 *   ldp_truncate(value BLOB, w INTEGER) -> BLOB   the first w bytes
 * Registering again on the same engine succeeds and changes nothing. */
int ldp_register_iceberg_functions(ldp_engine *e);

#endif
