/*
 * format/avro.h - ldp's own Avro codec: schemas, a datum tree, and object
 * container files (Avro 1.11 specification, "Schema Declaration", "Binary
 * Encoding", "Object Container Files", "Schema Resolution").
 *
 * Why not Debian's libavro (avro-c 1.11): it drops schema attributes it does
 * not model, such as Iceberg's `field-id`, `element-id`, `key-id` and
 * `value-id`, from the schema JSON it writes into a file, and it has no API
 * for the file metadata keys Iceberg requires in manifests (schema,
 * schema-id, partition-spec, partition-spec-id, format-version, content).
 * Both are mandatory for Iceberg manifests, so the codec is ours.
 *
 * Memory: schemas and values live in an ldp_arena given by the caller and are
 * released with it. Readers and writers are heap objects freed with their
 * _free function. Nothing here prints; failures return a negative ldp_status
 * with a message (see ldp/error.h).
 */
#ifndef LDP_FORMAT_AVRO_H
#define LDP_FORMAT_AVRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ldp/arena.h"
#include "ldp/buf.h"

typedef enum ldp_avro_kind {
	LDP_AVRO_NULL,
	LDP_AVRO_BOOLEAN,
	LDP_AVRO_INT,
	LDP_AVRO_LONG,
	LDP_AVRO_FLOAT,
	LDP_AVRO_DOUBLE,
	LDP_AVRO_BYTES,
	LDP_AVRO_STRING,
	LDP_AVRO_FIXED,
	LDP_AVRO_ENUM,
	LDP_AVRO_ARRAY,
	LDP_AVRO_MAP,
	LDP_AVRO_RECORD,
	LDP_AVRO_UNION /* schemas only: a value is always one concrete branch */
} ldp_avro_kind;

/* "int", "record", ... */
const char *ldp_avro_kind_name(ldp_avro_kind k);

/* Absent field-id / element-id / key-id / value-id. Iceberg ids are >= 0. */
#define LDP_AVRO_NO_ID (-1)

/* ---- schemas ---- */

/* An attribute as written: key and the compact JSON text of its value.
 * Every key that is not part of the schema's structure (doc, aliases,
 * namespace, logicalType, precision, field-id, element-id, ...) is kept here,
 * in input order, and written back unchanged. */
typedef struct ldp_avro_attr {
	const char *key;
	const char *json;
} ldp_avro_attr;

typedef struct ldp_avro_schema ldp_avro_schema;
typedef struct ldp_avro_value ldp_avro_value;

typedef struct ldp_avro_field {
	const char *name;
	const ldp_avro_schema *type;
	int32_t id;                          /* "field-id", or LDP_AVRO_NO_ID */
	const char *default_json;            /* NULL: no default */
	const ldp_avro_value *default_value; /* the default decoded against type, NULL: none */
	size_t nattrs;
	ldp_avro_attr *attrs;                /* every key but name, type, default */
} ldp_avro_field;

struct ldp_avro_schema {
	ldp_avro_kind kind;
	const char *name;         /* record, enum, fixed: "name" as written */
	const char *fullname;     /* record, enum, fixed: namespace-qualified name */
	size_t size;              /* fixed */
	size_t nsymbols;          /* enum */
	const char **symbols;
	const ldp_avro_schema *items;  /* array */
	const ldp_avro_schema *values; /* map */
	size_t nfields;           /* record */
	ldp_avro_field *fields;
	size_t nbranches;         /* union */
	const ldp_avro_schema **branches;
	const char *logical_type; /* "logicalType" or NULL */
	int32_t element_id;       /* array "element-id", or LDP_AVRO_NO_ID */
	int32_t key_id;           /* map "key-id", or LDP_AVRO_NO_ID */
	int32_t value_id;         /* map "value-id", or LDP_AVRO_NO_ID */
	size_t nattrs;
	ldp_avro_attr *attrs;     /* every key but type, name, fields, items, values, symbols, size */
	size_t min_size;          /* fewest bytes a value takes in binary (0 for null-like types) */
};

/* Parse a schema from JSON text (`len` bytes) or from a parsed JSON value.
 * Named types may be referenced by name after their definition (recursive
 * types included). Errors: LDP_EINVALID naming the offending part. */
int ldp_avro_schema_parse(ldp_arena *a, const char *json, size_t len, const ldp_avro_schema **out);
int ldp_avro_schema_from_json(ldp_arena *a, const json_t *json, const ldp_avro_schema **out);

/* Append the schema as compact JSON, every attribute preserved. A named type
 * is defined at its first occurrence and referenced by full name after. */
int ldp_avro_schema_to_json(const ldp_avro_schema *s, ldp_buf *out);

/* JSON text of an attribute, or NULL when absent. */
const char *ldp_avro_schema_attr(const ldp_avro_schema *s, const char *key);
const char *ldp_avro_field_attr(const ldp_avro_field *f, const char *key);
/* The attribute as an integer: 0 and *out set, or LDP_ENOTFOUND (absent) /
 * LDP_EINVALID (not an integer). No error is recorded for LDP_ENOTFOUND. */
int ldp_avro_schema_attr_int(const ldp_avro_schema *s, const char *key, int64_t *out);

/* Field of a record schema by name or by field-id; NULL when absent. *index
 * (may be NULL) receives its position. */
const ldp_avro_field *ldp_avro_schema_field(const ldp_avro_schema *rec, const char *name, size_t *index);
const ldp_avro_field *ldp_avro_schema_field_by_id(const ldp_avro_schema *rec, int32_t id, size_t *index);

/* ---- values ---- */

/* A datum. Strings are NUL-terminated (len excludes the NUL) but may hold
 * embedded NULs. A value read from a union field is the chosen branch itself
 * (kind is never LDP_AVRO_UNION) and `branch` records the branch index; when
 * writing, branch >= 0 picks the branch, otherwise the first branch whose
 * type matches the value is used. */
struct ldp_avro_value {
	ldp_avro_kind kind;
	int32_t branch;                /* union branch index, -1: not from a union / let the writer choose */
	const ldp_avro_schema *schema; /* record, enum, fixed: their schema (NULL allowed for fixed) */
	union {
		bool b;
		int32_t i;
		int64_t l;
		float f;
		double d;
		struct {
			const uint8_t *ptr;
			size_t len;
		} bytes; /* bytes, string, fixed */
		struct {
			int32_t index;
			const char *symbol;
		} enm;
		struct {
			size_t n, cap;
			ldp_avro_value **items;
		} array;
		struct {
			size_t n, cap;
			const char **keys;
			size_t *key_lens;
			ldp_avro_value **values;
		} map;
		struct {
			size_t n;
			ldp_avro_value **fields; /* parallel to schema->fields; NULL entries mean null */
		} record;
	} u;
};

/* Builders: values in arena `a`, NULL on allocation failure (error recorded).
 * Byte and string contents are copied. */
ldp_avro_value *ldp_avro_null(ldp_arena *a);
ldp_avro_value *ldp_avro_bool(ldp_arena *a, bool b);
ldp_avro_value *ldp_avro_int(ldp_arena *a, int32_t i);
ldp_avro_value *ldp_avro_long(ldp_arena *a, int64_t l);
ldp_avro_value *ldp_avro_float(ldp_arena *a, float f);
ldp_avro_value *ldp_avro_double(ldp_arena *a, double d);
ldp_avro_value *ldp_avro_bytes(ldp_arena *a, const void *p, size_t len);
ldp_avro_value *ldp_avro_string(ldp_arena *a, const char *s);
ldp_avro_value *ldp_avro_stringn(ldp_arena *a, const char *s, size_t len);
ldp_avro_value *ldp_avro_fixed(ldp_arena *a, const ldp_avro_schema *fixed, const void *p, size_t len);
/* NULL (LDP_EINVALID) when the symbol is not one of the enum's. */
ldp_avro_value *ldp_avro_enum(ldp_arena *a, const ldp_avro_schema *enm, const char *symbol);
ldp_avro_value *ldp_avro_array(ldp_arena *a);
ldp_avro_value *ldp_avro_map(ldp_arena *a);
/* A record of `rec`'s fields, every one null (or its default, when defaults is true). */
ldp_avro_value *ldp_avro_record(ldp_arena *a, const ldp_avro_schema *rec, bool defaults);

int ldp_avro_array_append(ldp_arena *a, ldp_avro_value *arr, ldp_avro_value *item);
/* Replaces the value of an existing key. */
int ldp_avro_map_put(ldp_arena *a, ldp_avro_value *map, const char *key, ldp_avro_value *v);
/* LDP_ENOTFOUND when the record has no such field. */
int ldp_avro_record_set(ldp_avro_value *rec, const char *name, ldp_avro_value *v);
int ldp_avro_record_set_id(ldp_avro_value *rec, int32_t field_id, ldp_avro_value *v);

/* Accessors: NULL when absent (a null-valued field gives a value of kind
 * LDP_AVRO_NULL, or NULL when never set). */
ldp_avro_value *ldp_avro_record_get(const ldp_avro_value *rec, const char *name);
ldp_avro_value *ldp_avro_record_get_id(const ldp_avro_value *rec, int32_t field_id);
ldp_avro_value *ldp_avro_map_get(const ldp_avro_value *map, const char *key);
static inline bool ldp_avro_is_null(const ldp_avro_value *v)
{
	return !v || v->kind == LDP_AVRO_NULL;
}

/* Convert a JSON default (Avro default-value rules: bytes as ISO-8859-1
 * strings, a union's default matching one of its branches) into a value. */
int ldp_avro_value_from_json(ldp_arena *a, const ldp_avro_schema *s, const json_t *j, ldp_avro_value **out);

/* Schema resolution: turn a value decoded with the writer's schema into one
 * of the reader's schema. Record fields match by field-id when the reader
 * field and the writer record have ids, else by name; reader fields missing
 * from the writer take their default, or null when their type admits null;
 * writer fields the reader lacks are dropped. Numeric promotions (int ->
 * long/float/double, long -> float/double, float -> double) and
 * string <-> bytes apply. Unchanged subtrees are shared, not copied.
 * Errors: LDP_EINVALID naming the field path. */
int ldp_avro_value_project(ldp_arena *a, const ldp_avro_value *v, const ldp_avro_schema *reader,
			   ldp_avro_value **out);

/* ---- binary encoding ---- */

/* Append v encoded with schema s. LDP_EINVALID when v does not fit s. */
int ldp_avro_encode(ldp_buf *out, const ldp_avro_schema *s, const ldp_avro_value *v);
/* Decode one value of schema s from data; *used receives the bytes consumed.
 * `what` names the input in errors. LDP_ECORRUPT with the byte offset. */
int ldp_avro_decode(ldp_arena *a, const ldp_avro_schema *s, const void *data, size_t len, const char *what,
		    ldp_avro_value **out, size_t *used);

/* ---- object container files ---- */

typedef enum ldp_avro_codec {
	LDP_AVRO_CODEC_NULL,
	LDP_AVRO_CODEC_DEFLATE, /* RFC 1951 raw deflate */
	LDP_AVRO_CODEC_SNAPPY   /* snappy + 4-byte big-endian CRC32 of the uncompressed block */
} ldp_avro_codec;

typedef struct ldp_avro_writer_opts {
	ldp_avro_codec codec;
	size_t block_size;   /* uncompressed bytes per block before it is flushed; 0: 64 KiB */
	int deflate_level;   /* 1..9; 0: zlib's default */
	const uint8_t *sync; /* 16 bytes for a reproducible file; NULL: random */
} ldp_avro_writer_opts;

typedef struct ldp_avro_writer ldp_avro_writer;

/* A writer appending a container file to `out` (borrowed; the caller owns
 * the buffer and does the file I/O). The schema is borrowed too and must
 * outlive the writer. opts may be NULL (null codec, 64 KiB blocks). */
int ldp_avro_writer_new(const ldp_avro_schema *schema, const ldp_avro_writer_opts *opts, ldp_buf *out,
			ldp_avro_writer **w);
/* Add a metadata key before the first append. Keys starting with "avro."
 * are reserved by the spec and rejected (LDP_EINVALID); avro.schema and
 * avro.codec are written by the writer itself. */
int ldp_avro_writer_meta(ldp_avro_writer *w, const char *key, const void *value, size_t len);
int ldp_avro_writer_meta_str(ldp_avro_writer *w, const char *key, const char *value);
/* Append one value. A value that does not fit the schema is rejected with
 * LDP_EINVALID and leaves the file as it was. */
int ldp_avro_writer_append(ldp_avro_writer *w, const ldp_avro_value *v);
/* Write the header (if no value came) and the last block. The writer can
 * only be freed afterwards. */
int ldp_avro_writer_finish(ldp_avro_writer *w);
void ldp_avro_writer_free(ldp_avro_writer *w);

typedef struct ldp_avro_reader ldp_avro_reader;

/* Open a container file held in memory. `data` is borrowed and must outlive
 * the reader; `what` (a file name) prefixes error messages. The writer's
 * schema and the metadata are allocated in `a` and stay valid after
 * ldp_avro_reader_free(); values read later point into that schema, so `a`
 * must outlive them. Reads the header: LDP_ECORRUPT for bad magic or
 * metadata, LDP_EUNSUPPORTED for codecs other than null, deflate, snappy. */
int ldp_avro_reader_open(ldp_arena *a, const void *data, size_t len, const char *what, ldp_avro_reader **r);
/* The writer's schema (in the arena given to ldp_avro_reader_open). */
const ldp_avro_schema *ldp_avro_reader_schema(const ldp_avro_reader *r);
ldp_avro_codec ldp_avro_reader_codec(const ldp_avro_reader *r);
/* A metadata value (NUL-terminated, in the reader's arena) or NULL. */
const char *ldp_avro_reader_meta(const ldp_avro_reader *r, const char *key, size_t *len);
size_t ldp_avro_reader_meta_count(const ldp_avro_reader *r);
const char *ldp_avro_reader_meta_key(const ldp_avro_reader *r, size_t i);
/* Project every following value into `reader_schema` (borrowed). */
void ldp_avro_reader_project(ldp_avro_reader *r, const ldp_avro_schema *reader_schema);
/* The next value, allocated in `a`: 1 and *out set, 0 at the end of the
 * file, or a negative status. */
int ldp_avro_reader_next(ldp_avro_reader *r, ldp_arena *a, ldp_avro_value **out);
void ldp_avro_reader_free(ldp_avro_reader *r);

#endif
