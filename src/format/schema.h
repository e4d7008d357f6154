/*
 * format/schema.h - Iceberg types and schemas: JSON codec (spec: "Schemas and
 * Data Types", "Appendix C: JSON serialization"), field lookups, fresh field id
 * assignment, and the mapping to and from DuckDB types.
 *
 * Memory: everything returned lives in the ldp_arena passed in, except field
 * defaults (initial-default, write-default): those are json_t pointers borrowed
 * from the parsed JSON, so keep that JSON alive as long as the schema
 * (ldp_metadata does this through its `owned` array). Copies borrow the same
 * defaults.
 */
#ifndef LDP_FORMAT_SCHEMA_H
#define LDP_FORMAT_SCHEMA_H

#include <duckdb.h>

#include "format/model.h"
#include "ldp/engine.h"

/* ---- types ---- */

/* Spec name of a type id: "boolean", "decimal", "struct"... */
const char *ldp_type_id_name(ldp_type_id id);
bool ldp_type_is_primitive(const ldp_type *t);
/* A shared, immutable type without parameters (not decimal, fixed, struct,
 * list, map, unknown). NULL for those. */
const ldp_type *ldp_type_primitive(ldp_type_id id);
ldp_type *ldp_type_new_decimal(ldp_arena *a, int32_t precision, int32_t scale);
ldp_type *ldp_type_new_fixed(ldp_arena *a, int32_t length);

/* Parse a type from its JSON form: a primitive string ("long",
 * "decimal(10, 2)", "fixed[16]") or a struct/list/map object. Type strings ldp
 * does not know (variant, geometry(C), unknown...) become LDP_T_UNKNOWN_V3
 * keeping the string. `what` names the enclosing object in errors. */
int ldp_type_parse(ldp_arena *a, const json_t *j, const char *what, const ldp_type **out);
int ldp_type_parse_string(ldp_arena *a, const char *s, const char *what, const ldp_type **out);
/* JSON form of a type; a new reference, NULL (LDP_ENOMEM recorded) on failure. */
json_t *ldp_type_to_json(const ldp_type *t);
/* Spec text of a type for messages: "decimal(10,2)", "list<string>",
 * "struct<1: a: optional int>" (primitive strings are exactly the JSON form). */
void ldp_type_append_string(const ldp_type *t, ldp_buf *b);
/* Structural equality: ids, names, requiredness, docs and nested types. */
bool ldp_type_equal(const ldp_type *x, const ldp_type *y);
/* Deep copy into `a` (defaults stay borrowed). */
int ldp_type_copy(ldp_arena *a, const ldp_type *in, const ldp_type **out);

/* ---- schemas ---- */

/* Parse a schema object ("type": "struct", "schema-id", "fields",
 * "identifier-field-ids"). A missing schema-id (v1) reads as 0. Duplicate
 * field ids are LDP_ECORRUPT. */
int ldp_schema_parse(ldp_arena *a, const json_t *j, const char *what, ldp_schema **out);
json_t *ldp_schema_to_json(const ldp_schema *s);
int ldp_schema_copy(ldp_arena *a, const ldp_schema *in, ldp_schema **out);
/* Equality of the fields and identifier ids; the schema id is ignored. */
bool ldp_schema_same_fields(const ldp_schema *x, const ldp_schema *y);

/* Visit every field in pre-order: a struct's field, then the fields inside its
 * type; a list's element; a map's key then value. `path` is the dotted name
 * ("a.b.element.c"). Stop early by returning non-zero (returned as is). */
typedef int (*ldp_field_visit_fn)(const ldp_field *f, const char *path, void *ctx);
int ldp_schema_visit(const ldp_schema *s, ldp_field_visit_fn fn, void *ctx);

/* Find a field by id anywhere in the schema (list elements, map keys and
 * values included). NULL when absent. */
const ldp_field *ldp_schema_field_by_id(const ldp_schema *s, int32_t id);
/* Find a field by dotted path: "loc.lat", "tags.element", "m.key",
 * "m.value.x". A list's element struct and a map value's struct may be entered
 * without naming "element"/"value" ("points.x"). Names containing dots match
 * whole. Case-sensitive. NULL when absent. */
const ldp_field *ldp_schema_field_by_name(const ldp_schema *s, const char *path);
/* Dotted path of a field id into b; LDP_ENOTFOUND when absent. */
int ldp_schema_field_path(const ldp_schema *s, int32_t id, ldp_buf *b);
/* All field ids in pre-order (see ldp_schema_visit), in `a`. */
int ldp_schema_field_ids(const ldp_schema *s, ldp_arena *a, int32_t **ids, size_t *n);
/* Highest field id in the schema; 0 for an empty schema. */
int32_t ldp_schema_max_field_id(const ldp_schema *s);

/* A copy of `in` whose field ids are re-assigned the way the reference
 * implementation does for a new table: the fields of a struct get consecutive
 * ids first, then the types nested in each field are numbered in field order
 * (a list's element id, a map's key and value ids, then their nested types).
 * Ids continue from *last_id (0 for a new table), which is updated to the
 * highest id handed out. Identifier field ids are translated. */
int ldp_schema_assign_fresh_ids(ldp_arena *a, const ldp_schema *in, int32_t *last_id, ldp_schema **out);
/* The same, for one type (a column added by schema evolution). */
int ldp_type_assign_fresh_ids(ldp_arena *a, const ldp_type *in, int32_t *last_id, const ldp_type **out);
/* The id at the position of `old_id` in a schema with the same structure
 * (e.g. after ldp_schema_assign_fresh_ids); -1 when old_id is not in `old`. */
int32_t ldp_schema_translate_id(const ldp_schema *old, const ldp_schema *fresh, int32_t old_id);

/* ---- DuckDB ---- */

/* DuckDB SQL type text: BIGINT, DECIMAL(10,2), STRUCT("a" INTEGER), VARCHAR[],
 * MAP(VARCHAR, DOUBLE). LDP_EUNSUPPORTED for types DuckDB cannot hold
 * (unknown v3 types). timestamptz_ns becomes TIMESTAMPTZ (microseconds:
 * DuckDB has no nanosecond TIMESTAMPTZ). */
int ldp_type_to_duckdb(const ldp_type *t, ldp_buf *b);
/* `"a" BIGINT, "b" VARCHAR` for CREATE TABLE / casts. */
int ldp_schema_to_duckdb_columns(const ldp_schema *s, ldp_buf *b);
/* DuckDB's read_parquet `schema=` argument for reading data files by field id:
 *   map {1: {name: 'a', type: 'BIGINT', default_value: NULL}, ...}
 * Top-level columns are matched by field id (so renames and drops work);
 * DuckDB 1.5 matches fields nested inside a struct by name. default_value is
 * the field's initial-default for primitive types, else NULL. */
int ldp_schema_to_parquet_schema_arg(const ldp_schema *s, ldp_buf *b);

/* An Iceberg type for a DuckDB type. Nested field ids come from *last_id
 * (incremented, in the order of ldp_type_assign_fresh_ids). `column` names the
 * column in errors. DuckDB types Iceberg cannot hold are LDP_EUNSUPPORTED with
 * a suggested cast. All fields are optional (DuckDB columns are nullable),
 * except map keys. */
int ldp_type_from_duckdb(ldp_arena *a, duckdb_logical_type t, const char *column, int32_t *last_id,
			 const ldp_type **out);
/* A schema (schema-id 0, ids from 1) for named DuckDB columns. */
int ldp_schema_from_duckdb(ldp_arena *a, size_t n, const char *const *names, const duckdb_logical_type *types,
			   ldp_schema **out);
/* A schema for the columns of a query result. */
int ldp_schema_from_duckdb_result(ldp_arena *a, const ldp_result *r, ldp_schema **out);

#endif
