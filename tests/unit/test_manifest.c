/*
 * Tests of Iceberg manifest and manifest-list reading and writing
 * (src/format/manifest*.c). Field ids are checked against the tables of
 * apache/iceberg format/spec.md ("Manifests", "Manifest Lists"); v1 files are
 * built with a v1 schema through the Avro codec directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/manifest.h"
#include "ldp/error.h"

#define CHECK(rc)                                                                                                  \
	do {                                                                                                       \
		int rc_ = (rc);                                                                                    \
		if (rc_)                                                                                           \
			fail_msg("%s -> %d: %s", #rc, rc_, ldp_error_last()->message);                             \
	} while (0)

/* ---- a partition spec with many result types ---- */

enum { NPF = 13 };

static void make_pfields(ldp_manifest_pfield *pf)
{
	static const struct {
		const char *name;
		ldp_type_id t;
	} defs[NPF] = {
		{"id_bucket", LDP_T_INT},     {"ts_day", LDP_T_DATE},   {"category", LDP_T_STRING},
		{"big", LDP_T_LONG},          {"flag", LDP_T_BOOLEAN},  {"price", LDP_T_DECIMAL},
		{"uid", LDP_T_UUID},          {"code", LDP_T_FIXED},    {"ts", LDP_T_TIMESTAMP},
		{"tstz", LDP_T_TIMESTAMPTZ},  {"blob", LDP_T_BINARY},   {"ratio", LDP_T_FLOAT},
		{"weird name-1", LDP_T_DOUBLE},
	};
	memset(pf, 0, NPF * sizeof *pf);
	for (int i = 0; i < NPF; i++) {
		pf[i].field_id = 1000 + i;
		pf[i].name = defs[i].name;
		pf[i].type.id = defs[i].t;
	}
	pf[5].type.precision = 9;
	pf[5].type.scale = 2;
	pf[7].type.length = 3;
}

static void make_partition(ldp_arena *a, int k, ldp_value *v)
{
	memset(v, 0, NPF * sizeof *v);
	ldp_manifest_pfield pf[NPF];
	make_pfields(pf);
	for (int i = 0; i < NPF; i++)
		v[i].type = pf[i].type.id;
	v[0].v.i32 = k % 16;
	v[1].v.i32 = 19000 + k; /* days from 1970 */
	v[2].v.bytes.ptr = (const uint8_t *)(k % 2 ? "books" : "");
	v[2].v.bytes.len = k % 2 ? 5 : 0;
	v[3].v.i64 = (int64_t)k * -1000000007LL;
	v[4].v.b = k % 2;
	v[5].v.dec = k == 1 ? -12345 : (__int128)999999999 - k; /* within decimal(9,2) */
	uint8_t *u = ldp_arena_alloc(a, 16);
	for (int i = 0; i < 16; i++)
		u[i] = (uint8_t)(i * 17 + k);
	v[6].v.bytes.ptr = u;
	v[6].v.bytes.len = 16;
	v[7].v.bytes.ptr = (const uint8_t *)"\x00\xff\x10";
	v[7].v.bytes.len = 3;
	v[8].v.i64 = 1700000000000000LL + k;
	v[9].v.i64 = -1;
	v[10].v.bytes.ptr = (const uint8_t *)"\x01\x00\x02";
	v[10].v.bytes.len = (size_t)(k % 4);
	v[11].v.f32 = 0.5f * (float)k;
	v[12].v.f64 = -1e-300 * k;
	/* nulls in a few places */
	if (k == 2)
		v[2].is_null = v[5].is_null = v[6].is_null = true;
	if (k == 3)
		v[0].is_null = v[12].is_null = true;
}

static void make_entry(ldp_arena *a, int k, ldp_data_file_entry *e)
{
	memset(e, 0, sizeof *e);
	e->status = (ldp_entry_status)(k % 3);
	e->snapshot_id = k == 0 ? -1 : 5000 + k;
	e->sequence_number = k == 0 ? -1 : 10 + k;
	e->file_sequence_number = k == 0 ? -1 : 11 + k;
	e->content = LDP_CONTENT_DATA;
	e->file_path = ldp_arena_sprintf(a, "s3://bucket/wh/ns/t/data/%05d.parquet", k);
	e->file_format = "PARQUET";
	e->npartition = NPF;
	e->partition = ldp_arena_alloc(a, NPF * sizeof *e->partition);
	make_partition(a, k, e->partition);
	e->record_count = 100 * k + 1;
	e->file_size_in_bytes = 4096 * (k + 1);
	/* metrics for columns 1..3, with gaps: column 2 has no sizes, column 3
	 * only bounds, column 1 everything */
	e->nmetrics = k == 0 ? 0 : 3;
	e->metrics = ldp_arena_calloc(a, 3, sizeof *e->metrics);
	for (int c = 0; c < 3; c++) {
		ldp_col_metric *m = &e->metrics[c];
		m->field_id = c + 1;
		m->column_size = c == 0 ? 1000 + k : -1;
		m->value_count = c < 2 ? 100 + k : -1;
		m->null_value_count = c < 2 ? k : -1;
		m->nan_value_count = c == 0 ? 0 : -1;
		if (c != 1) {
			m->lower = (const uint8_t *)"\x01\x00\x00\x00";
			m->lower_len = 4;
			m->upper = (const uint8_t *)"zzz\x00z";
			m->upper_len = 5;
		}
	}
	if (k % 2) {
		e->nsplit_offsets = 2;
		e->split_offsets = ldp_arena_alloc(a, 2 * sizeof(int64_t));
		e->split_offsets[0] = 4;
		e->split_offsets[1] = 1 << 20;
	}
	e->sort_order_id = k == 1 ? 0 : -1;
}

static ldp_manifest_info make_info(const ldp_manifest_pfield *pf)
{
	ldp_manifest_info info = {
		.schema_json = "{\"type\":\"struct\",\"schema-id\":7,\"fields\":[{\"id\":1,\"name\":\"id\","
			       "\"required\":true,\"type\":\"long\"}]}",
		.schema_id = 7,
		.spec_fields_json = "[{\"source-id\":1,\"field-id\":1000,\"name\":\"id_bucket\","
				    "\"transform\":\"bucket[16]\"}]",
		.spec_id = 3,
		.npfields = NPF,
		.pfields = pf,
	};
	return info;
}

static void assert_value_eq(const ldp_value *x, const ldp_value *y)
{
	assert_int_equal(x->type, y->type);
	assert_int_equal(x->is_null, y->is_null);
	if (x->is_null)
		return;
	switch (x->type) {
	case LDP_T_BOOLEAN: assert_int_equal(x->v.b, y->v.b); break;
	case LDP_T_INT:
	case LDP_T_DATE: assert_int_equal(x->v.i32, y->v.i32); break;
	case LDP_T_FLOAT: assert_memory_equal(&x->v.f32, &y->v.f32, 4); break;
	case LDP_T_DOUBLE: assert_memory_equal(&x->v.f64, &y->v.f64, 8); break;
	case LDP_T_DECIMAL: assert_true(x->v.dec == y->v.dec); break;
	case LDP_T_STRING:
	case LDP_T_BINARY:
	case LDP_T_FIXED:
	case LDP_T_UUID:
		assert_int_equal(x->v.bytes.len, y->v.bytes.len);
		if (x->v.bytes.len)
			assert_memory_equal(x->v.bytes.ptr, y->v.bytes.ptr, x->v.bytes.len);
		break;
	default: assert_true(x->v.i64 == y->v.i64); break;
	}
}

static void assert_entry_eq(const ldp_data_file_entry *x, const ldp_data_file_entry *y)
{
	assert_int_equal(x->status, y->status);
	assert_true(x->snapshot_id == y->snapshot_id);
	assert_true(x->sequence_number == y->sequence_number);
	assert_true(x->file_sequence_number == y->file_sequence_number);
	assert_int_equal(x->content, y->content);
	assert_string_equal(x->file_path, y->file_path);
	assert_string_equal(x->file_format, y->file_format);
	assert_int_equal(x->npartition, y->npartition);
	for (size_t i = 0; i < x->npartition; i++)
		assert_value_eq(&x->partition[i], &y->partition[i]);
	assert_true(x->record_count == y->record_count);
	assert_true(x->file_size_in_bytes == y->file_size_in_bytes);
	assert_int_equal(x->nmetrics, y->nmetrics);
	for (size_t i = 0; i < x->nmetrics; i++) {
		const ldp_col_metric *a = &x->metrics[i], *b = &y->metrics[i];
		assert_int_equal(a->field_id, b->field_id);
		assert_true(a->column_size == b->column_size);
		assert_true(a->value_count == b->value_count);
		assert_true(a->null_value_count == b->null_value_count);
		assert_true(a->nan_value_count == b->nan_value_count);
		assert_int_equal(a->lower == NULL, b->lower == NULL);
		assert_int_equal(a->upper == NULL, b->upper == NULL);
		if (a->lower) {
			assert_int_equal(a->lower_len, b->lower_len);
			assert_memory_equal(a->lower, b->lower, a->lower_len);
		}
		if (a->upper) {
			assert_int_equal(a->upper_len, b->upper_len);
			assert_memory_equal(a->upper, b->upper, a->upper_len);
		}
	}
	assert_int_equal(x->nsplit_offsets, y->nsplit_offsets);
	for (size_t i = 0; i < x->nsplit_offsets; i++)
		assert_true(x->split_offsets[i] == y->split_offsets[i]);
	assert_int_equal(x->nequality_ids, y->nequality_ids);
	for (size_t i = 0; i < x->nequality_ids; i++)
		assert_int_equal(x->equality_ids[i], y->equality_ids[i]);
	assert_int_equal(x->sort_order_id, y->sort_order_id);
	if (x->referenced_data_file || y->referenced_data_file)
		assert_string_equal(x->referenced_data_file, y->referenced_data_file);
}

static void test_manifest_roundtrip(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_manifest_pfield pf[NPF];
	make_pfields(pf);
	ldp_manifest_info info = make_info(pf);
	enum { N = 5 };
	ldp_data_file_entry e[N];
	for (int k = 0; k < N; k++)
		make_entry(&a, k, &e[k]);
	ldp_buf f = LDP_BUF_INIT;
	CHECK(ldp_manifest_write(&info, e, N, &f));

	ldp_manifest *m;
	CHECK(ldp_manifest_read(&a, f.ptr, f.len, "m.avro", &m));
	assert_int_equal(m->format_version, 2);
	assert_false(m->deletes);
	assert_int_equal(m->schema_id, 7);
	assert_int_equal(m->spec_id, 3);
	assert_string_equal(m->schema_json, info.schema_json);
	assert_string_equal(m->spec_fields_json, info.spec_fields_json);
	assert_int_equal(m->npfields, NPF);
	for (int i = 0; i < NPF; i++) {
		assert_int_equal(m->pfields[i].field_id, pf[i].field_id);
		assert_string_equal(m->pfields[i].name, pf[i].name);
		assert_int_equal(m->pfields[i].type.id, pf[i].type.id);
	}
	assert_int_equal(m->pfields[5].type.precision, 9);
	assert_int_equal(m->pfields[5].type.scale, 2);
	assert_int_equal(m->pfields[7].type.length, 3);
	assert_int_equal(m->nentries, N);
	for (int k = 0; k < N; k++)
		assert_entry_eq(&e[k], &m->entries[k]);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

/* Independent look at the bytes: decode the file with the plain Avro reader
 * and check the Appendix A encodings by hand. */
static void test_manifest_encodings(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_manifest_pfield pf[NPF];
	make_pfields(pf);
	ldp_manifest_info info = make_info(pf);
	ldp_data_file_entry e;
	make_entry(&a, 1, &e);
	ldp_buf f = LDP_BUF_INIT;
	CHECK(ldp_manifest_write(&info, &e, 1, &f));
	ldp_avro_reader *r;
	CHECK(ldp_avro_reader_open(&a, f.ptr, f.len, "m.avro", &r));
	assert_int_equal(ldp_avro_reader_codec(r), LDP_AVRO_CODEC_DEFLATE);
	assert_string_equal(ldp_avro_reader_meta(r, "format-version", NULL), "2");
	assert_string_equal(ldp_avro_reader_meta(r, "content", NULL), "data");
	assert_string_equal(ldp_avro_reader_meta(r, "schema-id", NULL), "7");
	assert_string_equal(ldp_avro_reader_meta(r, "partition-spec-id", NULL), "3");
	ldp_avro_value *v;
	assert_int_equal(ldp_avro_reader_next(r, &a, &v), 1);
	ldp_avro_value *df = ldp_avro_record_get_id(v, 2);
	ldp_avro_value *part = ldp_avro_record_get_id(df, 102);
	/* decimal(9,2) is fixed[4]; -12345 = 0xffffcfc7 big-endian */
	ldp_avro_value *dec = ldp_avro_record_get_id(part, 1005);
	assert_int_equal(dec->kind, LDP_AVRO_FIXED);
	assert_int_equal(dec->u.bytes.len, 4);
	assert_memory_equal(dec->u.bytes.ptr, "\xff\xff\xcf\xc7", 4);
	assert_string_equal(dec->schema->logical_type, "decimal");
	/* date is an int with logicalType date; timestamptz carries adjust-to-utc */
	ldp_avro_value *day = ldp_avro_record_get_id(part, 1001);
	assert_int_equal(day->kind, LDP_AVRO_INT);
	assert_int_equal(day->u.i, 19001);
	const ldp_avro_schema *ps = part->schema;
	assert_string_equal(ps->fields[1].type->branches[1]->logical_type, "date");
	assert_string_equal(ldp_avro_schema_attr(ps->fields[9].type->branches[1], "adjust-to-utc"), "true");
	assert_string_equal(ldp_avro_schema_attr(ps->fields[8].type->branches[1], "adjust-to-utc"), "false");
	assert_string_equal(ps->fields[6].type->branches[1]->logical_type, "uuid");
	/* the invalid Avro name was made valid, the original kept */
	assert_string_equal(ps->fields[12].name, "weird_x20name_x2D1");
	assert_string_equal(ldp_avro_field_attr(&ps->fields[12], "iceberg-field-name"), "\"weird name-1\"");
	/* column_sizes: array of k117_v118 records, only column 1 has a size */
	ldp_avro_value *cs = ldp_avro_record_get_id(df, 108);
	assert_int_equal(cs->kind, LDP_AVRO_ARRAY);
	assert_int_equal(cs->u.array.n, 1);
	assert_int_equal(ldp_avro_record_get_id(cs->u.array.items[0], 117)->u.i, 1);
	assert_true(ldp_avro_record_get_id(cs->u.array.items[0], 118)->u.l == 1001);
	assert_string_equal(cs->u.array.items[0]->schema->name, "k117_v118");
	/* upper bounds for columns 1 and 3 */
	assert_int_equal(ldp_avro_record_get_id(df, 128)->u.array.n, 2);
	/* a null snapshot id is written as the union's null branch */
	assert_true(ldp_avro_record_get_id(v, 1)->u.l == 5001);
	ldp_avro_reader_free(r);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

/* Walk the JSON schema: assert a field's id and name, return its type. */
static json_t *field(json_t *rec, size_t i, const char *name, int id)
{
	json_t *f = json_array_get(json_object_get(rec, "fields"), i);
	if (!f)
		fail_msg("no field %zu (%s)", i, name);
	if (strcmp(json_string_value(json_object_get(f, "name")), name) != 0)
		fail_msg("field %zu is %s, expected %s", i, json_string_value(json_object_get(f, "name")), name);
	if (json_integer_value(json_object_get(f, "field-id")) != id)
		fail_msg("field %s has id %lld, spec says %d", name,
			 (long long)json_integer_value(json_object_get(f, "field-id")), id);
	return json_object_get(f, "type");
}

/* The non-null branch of an optional ["null", T] field (which must have
 * default null, spec Appendix A). */
static json_t *opt(json_t *t)
{
	assert_true(json_is_array(t));
	assert_string_equal(json_string_value(json_array_get(t, 0)), "null");
	return json_array_get(t, 1);
}

static void check_map(json_t *t, int key_id, int value_id, const char *vtype)
{
	json_t *arr = opt(t);
	assert_string_equal(json_string_value(json_object_get(arr, "logicalType")), "map");
	json_t *kv = json_object_get(arr, "items");
	char name[32];
	snprintf(name, sizeof name, "k%d_v%d", key_id, value_id);
	assert_string_equal(json_string_value(json_object_get(kv, "name")), name);
	assert_string_equal(json_string_value(field(kv, 0, "key", key_id)), "int");
	assert_string_equal(json_string_value(field(kv, 1, "value", value_id)), vtype);
}

/* Field ids from the spec's v2 tables ("Manifests" manifest_entry and
 * data_file, "Manifest Lists" manifest_file and field_summary), read from
 * the avro.schema in the written files' headers. */
static void test_schema_field_ids(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_manifest_pfield pf[2] = {{1000, "id_bucket", {.id = LDP_T_INT}}, {1001, "d", {.id = LDP_T_DATE}}};
	ldp_manifest_info info = {.schema_json = "{}", .spec_fields_json = "[]", .npfields = 2, .pfields = pf};
	ldp_buf f = LDP_BUF_INIT;
	CHECK(ldp_manifest_write(&info, NULL, 0, &f));
	ldp_avro_reader *r;
	CHECK(ldp_avro_reader_open(&a, f.ptr, f.len, "m.avro", &r));
	json_t *s = json_loads(ldp_avro_reader_meta(r, "avro.schema", NULL), 0, NULL);
	assert_non_null(s);
	assert_string_equal(json_string_value(json_object_get(s, "name")), "manifest_entry");
	assert_string_equal(json_string_value(field(s, 0, "status", 0)), "int");
	assert_string_equal(json_string_value(opt(field(s, 1, "snapshot_id", 1))), "long");
	assert_string_equal(json_string_value(opt(field(s, 2, "sequence_number", 3))), "long");
	assert_string_equal(json_string_value(opt(field(s, 3, "file_sequence_number", 4))), "long");
	json_t *df = field(s, 4, "data_file", 2);
	assert_string_equal(json_string_value(field(df, 0, "content", 134)), "int");
	assert_string_equal(json_string_value(field(df, 1, "file_path", 100)), "string");
	assert_string_equal(json_string_value(field(df, 2, "file_format", 101)), "string");
	json_t *part = field(df, 3, "partition", 102);
	assert_string_equal(json_string_value(opt(field(part, 0, "id_bucket", 1000))), "int");
	json_t *d = opt(field(part, 1, "d", 1001));
	assert_string_equal(json_string_value(json_object_get(d, "logicalType")), "date");
	assert_string_equal(json_string_value(field(df, 4, "record_count", 103)), "long");
	assert_string_equal(json_string_value(field(df, 5, "file_size_in_bytes", 104)), "long");
	check_map(field(df, 6, "column_sizes", 108), 117, 118, "long");
	check_map(field(df, 7, "value_counts", 109), 119, 120, "long");
	check_map(field(df, 8, "null_value_counts", 110), 121, 122, "long");
	check_map(field(df, 9, "nan_value_counts", 137), 138, 139, "long");
	check_map(field(df, 10, "lower_bounds", 125), 126, 127, "bytes");
	check_map(field(df, 11, "upper_bounds", 128), 129, 130, "bytes");
	assert_string_equal(json_string_value(opt(field(df, 12, "key_metadata", 131))), "bytes");
	json_t *so = opt(field(df, 13, "split_offsets", 132));
	assert_int_equal(json_integer_value(json_object_get(so, "element-id")), 133);
	json_t *eq = opt(field(df, 14, "equality_ids", 135));
	assert_int_equal(json_integer_value(json_object_get(eq, "element-id")), 136);
	assert_string_equal(json_string_value(opt(field(df, 15, "sort_order_id", 140))), "int");
	assert_string_equal(json_string_value(opt(field(df, 16, "referenced_data_file", 143))), "string");
	/* optional fields default to null */
	json_t *snap = json_array_get(json_object_get(s, "fields"), 1);
	assert_true(json_is_null(json_object_get(snap, "default")));
	json_decref(s);
	ldp_avro_reader_free(r);

	ldp_buf_clear(&f);
	ldp_manifest_list_info li = {.snapshot_id = 1, .parent_snapshot_id = -1, .sequence_number = 1};
	CHECK(ldp_manifest_list_write(&li, NULL, 0, &f));
	CHECK(ldp_avro_reader_open(&a, f.ptr, f.len, "l.avro", &r));
	assert_string_equal(ldp_avro_reader_meta(r, "parent-snapshot-id", NULL), "null");
	s = json_loads(ldp_avro_reader_meta(r, "avro.schema", NULL), 0, NULL);
	assert_string_equal(json_string_value(json_object_get(s, "name")), "manifest_file");
	assert_string_equal(json_string_value(field(s, 0, "manifest_path", 500)), "string");
	assert_string_equal(json_string_value(field(s, 1, "manifest_length", 501)), "long");
	assert_string_equal(json_string_value(field(s, 2, "partition_spec_id", 502)), "int");
	assert_string_equal(json_string_value(field(s, 3, "content", 517)), "int");
	assert_string_equal(json_string_value(field(s, 4, "sequence_number", 515)), "long");
	assert_string_equal(json_string_value(field(s, 5, "min_sequence_number", 516)), "long");
	assert_string_equal(json_string_value(field(s, 6, "added_snapshot_id", 503)), "long");
	assert_string_equal(json_string_value(field(s, 7, "added_files_count", 504)), "int");
	assert_string_equal(json_string_value(field(s, 8, "existing_files_count", 505)), "int");
	assert_string_equal(json_string_value(field(s, 9, "deleted_files_count", 506)), "int");
	assert_string_equal(json_string_value(field(s, 10, "added_rows_count", 512)), "long");
	assert_string_equal(json_string_value(field(s, 11, "existing_rows_count", 513)), "long");
	assert_string_equal(json_string_value(field(s, 12, "deleted_rows_count", 514)), "long");
	json_t *parts = opt(field(s, 13, "partitions", 507));
	assert_int_equal(json_integer_value(json_object_get(parts, "element-id")), 508);
	json_t *fs = json_object_get(parts, "items");
	assert_string_equal(json_string_value(field(fs, 0, "contains_null", 509)), "boolean");
	assert_string_equal(json_string_value(opt(field(fs, 1, "contains_nan", 518))), "boolean");
	assert_string_equal(json_string_value(opt(field(fs, 2, "lower_bound", 510))), "bytes");
	assert_string_equal(json_string_value(opt(field(fs, 3, "upper_bound", 511))), "bytes");
	assert_string_equal(json_string_value(opt(field(s, 14, "key_metadata", 519))), "bytes");
	json_decref(s);
	ldp_avro_reader_free(r);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

static void test_delete_manifest(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_manifest_info info = {.schema_json = "{}", .spec_fields_json = "[]", .spec_id = 0, .deletes = true};
	ldp_data_file_entry e[2];
	memset(e, 0, sizeof e);
	int32_t eq_ids[2] = {1, 4};
	e[0] = (ldp_data_file_entry){.status = LDP_ENTRY_ADDED, .snapshot_id = -1, .sequence_number = -1,
				     .file_sequence_number = -1, .content = LDP_CONTENT_EQUALITY_DELETES,
				     .file_path = "/wh/t/data/eq.parquet", .file_format = "PARQUET", .record_count = 3,
				     .file_size_in_bytes = 100, .nequality_ids = 2, .equality_ids = eq_ids,
				     .sort_order_id = 0};
	e[1] = (ldp_data_file_entry){.status = LDP_ENTRY_EXISTING, .snapshot_id = 9, .sequence_number = 4,
				     .file_sequence_number = 5, .content = LDP_CONTENT_POSITION_DELETES,
				     .file_path = "/wh/t/data/pos.parquet", .file_format = "PARQUET", .record_count = 7,
				     .file_size_in_bytes = 200, .sort_order_id = -1,
				     .referenced_data_file = "/wh/t/data/00001.parquet"};
	ldp_buf f = LDP_BUF_INIT;
	CHECK(ldp_manifest_write(&info, e, 2, &f));
	ldp_manifest *m;
	CHECK(ldp_manifest_read(&a, f.ptr, f.len, "d.avro", &m));
	assert_true(m->deletes);
	assert_int_equal(m->npfields, 0);
	assert_int_equal(m->nentries, 2);
	assert_entry_eq(&e[0], &m->entries[0]);
	assert_entry_eq(&e[1], &m->entries[1]);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

/* A v1 manifest per the spec's v1 tables: snapshot_id required, no
 * sequence numbers or content, block_size_in_bytes (105) present, partition
 * fields with the 1000+ ids of the reference implementation. */
static const char *V1_ENTRY =
	"{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
	"{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
	"{\"name\":\"snapshot_id\",\"type\":\"long\",\"field-id\":1},"
	"{\"name\":\"data_file\",\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["
	"{\"name\":\"file_path\",\"type\":\"string\",\"field-id\":100},"
	"{\"name\":\"file_format\",\"type\":\"string\",\"field-id\":101},"
	"{\"name\":\"partition\",\"type\":{\"type\":\"record\",\"name\":\"r102\",\"fields\":["
	"  {\"name\":\"day\",\"type\":[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"}],\"default\":null,"
	"   \"field-id\":1000},"
	"  {\"name\":\"region\",\"type\":[\"null\",\"string\"],\"default\":null,\"field-id\":1001}]},"
	"  \"field-id\":102},"
	"{\"name\":\"record_count\",\"type\":\"long\",\"field-id\":103},"
	"{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"field-id\":104},"
	"{\"name\":\"block_size_in_bytes\",\"type\":\"long\",\"field-id\":105},"
	"{\"name\":\"value_counts\",\"type\":[\"null\",{\"type\":\"array\",\"logicalType\":\"map\",\"items\":"
	"  {\"type\":\"record\",\"name\":\"k119_v120\",\"fields\":["
	"  {\"name\":\"key\",\"type\":\"int\",\"field-id\":119},"
	"  {\"name\":\"value\",\"type\":\"long\",\"field-id\":120}]}}],\"default\":null,\"field-id\":109},"
	"{\"name\":\"lower_bounds\",\"type\":[\"null\",{\"type\":\"map\",\"values\":\"bytes\",\"key-id\":126,"
	"  \"value-id\":127}],\"default\":null,\"field-id\":125},"
	"{\"name\":\"split_offsets\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\",\"element-id\":133}],"
	"  \"default\":null,\"field-id\":132}"
	"]},\"field-id\":2}]}";

static void test_manifest_v1(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *s;
	CHECK(ldp_avro_schema_parse(&a, V1_ENTRY, strlen(V1_ENTRY), &s));
	const ldp_avro_schema *df = ldp_avro_schema_field(s, "data_file", NULL)->type;
	const ldp_avro_schema *ps = ldp_avro_schema_field(df, "partition", NULL)->type;
	const ldp_avro_schema *vc = ldp_avro_schema_field(df, "value_counts", NULL)->type->branches[1];
	ldp_buf f = LDP_BUF_INIT;
	ldp_avro_writer *w;
	CHECK(ldp_avro_writer_new(s, NULL, &f, &w));
	CHECK(ldp_avro_writer_meta_str(w, "format-version", "1"));
	CHECK(ldp_avro_writer_meta_str(w, "partition-spec", "[]"));
	for (int k = 0; k < 2; k++) {
		ldp_avro_value *r = ldp_avro_record(&a, s, false), *d = ldp_avro_record(&a, df, false);
		ldp_avro_value *p = ldp_avro_record(&a, ps, false);
		ldp_avro_record_set(p, "day", k ? ldp_avro_int(&a, 18000) : NULL);
		ldp_avro_record_set(p, "region", ldp_avro_string(&a, "eu"));
		ldp_avro_record_set(d, "file_path", ldp_avro_string(&a, k ? "/b.parquet" : "/a.parquet"));
		ldp_avro_record_set(d, "file_format", ldp_avro_string(&a, "PARQUET"));
		ldp_avro_record_set(d, "partition", p);
		ldp_avro_record_set(d, "record_count", ldp_avro_long(&a, 10 + k));
		ldp_avro_record_set(d, "file_size_in_bytes", ldp_avro_long(&a, 1000));
		ldp_avro_record_set(d, "block_size_in_bytes", ldp_avro_long(&a, 67108864));
		ldp_avro_value *arr = ldp_avro_array(&a), *kv = ldp_avro_record(&a, vc->items, false);
		ldp_avro_record_set(kv, "key", ldp_avro_int(&a, 2));
		ldp_avro_record_set(kv, "value", ldp_avro_long(&a, 10 + k));
		ldp_avro_array_append(&a, arr, kv);
		ldp_avro_record_set(d, "value_counts", arr);
		/* a string-keyed Avro map, as some writers use */
		ldp_avro_value *lb = ldp_avro_map(&a);
		ldp_avro_map_put(&a, lb, "2", ldp_avro_bytes(&a, "\x05\x00\x00\x00", 4));
		ldp_avro_record_set(d, "lower_bounds", lb);
		ldp_avro_record_set(r, "status", ldp_avro_int(&a, 1));
		ldp_avro_record_set(r, "snapshot_id", ldp_avro_long(&a, 77));
		ldp_avro_record_set(r, "data_file", d);
		CHECK(ldp_avro_writer_append(w, r));
	}
	CHECK(ldp_avro_writer_finish(w));
	ldp_avro_writer_free(w);

	ldp_manifest *m;
	CHECK(ldp_manifest_read(&a, f.ptr, f.len, "v1.avro", &m));
	assert_int_equal(m->format_version, 1);
	assert_int_equal(m->schema_id, -1);
	assert_null(m->schema_json);
	assert_int_equal(m->npfields, 2);
	assert_int_equal(m->pfields[0].type.id, LDP_T_DATE);
	assert_int_equal(m->pfields[0].field_id, 1000);
	assert_int_equal(m->pfields[1].type.id, LDP_T_STRING);
	assert_int_equal(m->nentries, 2);
	for (int k = 0; k < 2; k++) {
		const ldp_data_file_entry *e = &m->entries[k];
		assert_int_equal(e->status, LDP_ENTRY_ADDED);
		assert_true(e->snapshot_id == 77);
		/* spec: v1 sequence numbers read as 0, content is data */
		assert_true(e->sequence_number == 0);
		assert_true(e->file_sequence_number == 0);
		assert_int_equal(e->content, LDP_CONTENT_DATA);
		assert_string_equal(e->file_path, k ? "/b.parquet" : "/a.parquet");
		assert_true(e->record_count == 10 + k);
		assert_int_equal(e->partition[0].is_null, k == 0);
		if (k)
			assert_int_equal(e->partition[0].v.i32, 18000);
		assert_int_equal(e->partition[1].v.bytes.len, 2);
		assert_int_equal(e->nmetrics, 1);
		assert_int_equal(e->metrics[0].field_id, 2);
		assert_true(e->metrics[0].value_count == 10 + k);
		assert_true(e->metrics[0].column_size == -1);
		assert_int_equal(e->metrics[0].lower_len, 4);
		assert_memory_equal(e->metrics[0].lower, "\x05\x00\x00\x00", 4);
		assert_null(e->metrics[0].upper);
		assert_int_equal(e->sort_order_id, -1);
	}
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

static void test_manifest_list_roundtrip(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_field_summary sums[3] = {
		{.contains_null = true, .contains_nan = -1},
		{.contains_null = false, .contains_nan = 0, .lower = (const uint8_t *)"\x01\x00\x00\x00",
		 .lower_len = 4,
		 .upper = (const uint8_t *)"\x09\x00\x00\x00", .upper_len = 4},
		{.contains_null = false, .contains_nan = 1, .lower = (const uint8_t *)"", .lower_len = 0,
		 .upper = (const uint8_t *)"zz", .upper_len = 2},
	};
	ldp_manifest_file files[3] = {
		{.manifest_path = "/wh/t/metadata/a-m0.avro", .manifest_length = 6001, .partition_spec_id = 0,
		 .content = LDP_CONTENT_DATA, .sequence_number = 3, .min_sequence_number = 1,
		 .added_snapshot_id = 123456789012345LL, .added_files_count = 2, .existing_files_count = 5,
		 .deleted_files_count = 0, .added_rows_count = 200, .existing_rows_count = 5000000000LL,
		 .deleted_rows_count = 0, .npartitions = 3, .partitions = sums},
		{.manifest_path = "/wh/t/metadata/a-m1.avro", .manifest_length = 10, .partition_spec_id = 1,
		 .content = LDP_CONTENT_POSITION_DELETES, .sequence_number = 3, .min_sequence_number = 3,
		 .added_snapshot_id = 1, .key_metadata = (const uint8_t *)"k\0y", .key_metadata_len = 3},
		{.manifest_path = "/wh/t/metadata/a-m2.avro", .manifest_length = 1, .npartitions = 1,
		 .partitions = sums + 1},
	};
	ldp_manifest_list_info li = {.snapshot_id = 123456789012345LL, .parent_snapshot_id = 42,
				     .sequence_number = 3};
	ldp_buf f = LDP_BUF_INIT;
	CHECK(ldp_manifest_list_write(&li, files, 3, &f));
	ldp_avro_reader *r;
	CHECK(ldp_avro_reader_open(&a, f.ptr, f.len, "l.avro", &r));
	assert_string_equal(ldp_avro_reader_meta(r, "snapshot-id", NULL), "123456789012345");
	assert_string_equal(ldp_avro_reader_meta(r, "parent-snapshot-id", NULL), "42");
	assert_string_equal(ldp_avro_reader_meta(r, "sequence-number", NULL), "3");
	assert_string_equal(ldp_avro_reader_meta(r, "format-version", NULL), "2");
	ldp_avro_reader_free(r);

	ldp_manifest_file *got;
	size_t n;
	CHECK(ldp_manifest_list_read(&a, f.ptr, f.len, "l.avro", &got, &n));
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		const ldp_manifest_file *x = &files[i], *y = &got[i];
		assert_string_equal(x->manifest_path, y->manifest_path);
		assert_true(x->manifest_length == y->manifest_length);
		assert_int_equal(x->partition_spec_id, y->partition_spec_id);
		assert_int_equal(x->content, y->content);
		assert_true(x->sequence_number == y->sequence_number);
		assert_true(x->min_sequence_number == y->min_sequence_number);
		assert_true(x->added_snapshot_id == y->added_snapshot_id);
		assert_int_equal(x->added_files_count, y->added_files_count);
		assert_int_equal(x->existing_files_count, y->existing_files_count);
		assert_int_equal(x->deleted_files_count, y->deleted_files_count);
		assert_true(x->added_rows_count == y->added_rows_count);
		assert_true(x->existing_rows_count == y->existing_rows_count);
		assert_true(x->deleted_rows_count == y->deleted_rows_count);
		assert_int_equal(x->npartitions, y->npartitions);
		for (size_t p = 0; p < x->npartitions; p++) {
			const ldp_field_summary *s = &x->partitions[p], *t = &y->partitions[p];
			assert_int_equal(s->contains_null, t->contains_null);
			assert_int_equal(s->contains_nan, t->contains_nan);
			assert_int_equal(s->lower == NULL, t->lower == NULL);
			assert_int_equal(s->upper == NULL, t->upper == NULL);
			assert_int_equal(s->lower_len, t->lower_len);
			assert_int_equal(s->upper_len, t->upper_len);
			if (s->lower_len)
				assert_memory_equal(s->lower, t->lower, s->lower_len);
			if (s->upper_len)
				assert_memory_equal(s->upper, t->upper, s->upper_len);
		}
		assert_int_equal(x->key_metadata_len, y->key_metadata_len);
		if (x->key_metadata)
			assert_memory_equal(x->key_metadata, y->key_metadata, 3);
		else
			assert_null(y->key_metadata);
	}
	/* v2 requires the counts: -1 is refused */
	ldp_manifest_file bad = files[2];
	bad.added_files_count = -1;
	ldp_buf_clear(&f);
	assert_int_equal(ldp_manifest_list_write(&li, &bad, 1, &f), LDP_EINVALID);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

/* spec v1 manifest_file: no content or sequence numbers; counts optional. */
static void test_manifest_list_v1(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const char *v1 = "{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":["
			 "{\"name\":\"manifest_path\",\"type\":\"string\",\"field-id\":500},"
			 "{\"name\":\"manifest_length\",\"type\":\"long\",\"field-id\":501},"
			 "{\"name\":\"partition_spec_id\",\"type\":\"int\",\"field-id\":502},"
			 "{\"name\":\"added_snapshot_id\",\"type\":\"long\",\"field-id\":503},"
			 "{\"name\":\"added_data_files_count\",\"type\":[\"null\",\"int\"],\"field-id\":504},"
			 "{\"name\":\"existing_data_files_count\",\"type\":[\"null\",\"int\"],\"field-id\":505},"
			 "{\"name\":\"deleted_data_files_count\",\"type\":[\"null\",\"int\"],\"field-id\":506},"
			 "{\"name\":\"partitions\",\"type\":[\"null\",{\"type\":\"array\","
			 "\"items\":{\"type\":\"record\",\"name\":\"r508\",\"fields\":["
			 "{\"name\":\"contains_null\",\"type\":\"boolean\",\"field-id\":509},"
			 "{\"name\":\"lower_bound\",\"type\":[\"null\",\"bytes\"],\"field-id\":510},"
			 "{\"name\":\"upper_bound\",\"type\":[\"null\",\"bytes\"],\"field-id\":511}]},"
			 "\"element-id\":508}],"
			 "\"field-id\":507}]}";
	const ldp_avro_schema *s;
	CHECK(ldp_avro_schema_parse(&a, v1, strlen(v1), &s));
	ldp_buf f = LDP_BUF_INIT;
	ldp_avro_writer *w;
	CHECK(ldp_avro_writer_new(s, NULL, &f, &w));
	ldp_avro_value *r = ldp_avro_record(&a, s, false);
	ldp_avro_record_set(r, "manifest_path", ldp_avro_string(&a, "/m.avro"));
	ldp_avro_record_set(r, "manifest_length", ldp_avro_long(&a, 99));
	ldp_avro_record_set(r, "partition_spec_id", ldp_avro_int(&a, 0));
	ldp_avro_record_set(r, "added_snapshot_id", ldp_avro_long(&a, 8));
	ldp_avro_record_set(r, "added_data_files_count", ldp_avro_int(&a, 4));
	const ldp_avro_schema *sum = ldp_avro_schema_field(s, "partitions", NULL)->type->branches[1]->items;
	ldp_avro_value *arr = ldp_avro_array(&a), *sv = ldp_avro_record(&a, sum, false);
	ldp_avro_record_set(sv, "contains_null", ldp_avro_bool(&a, true));
	ldp_avro_record_set(sv, "upper_bound", ldp_avro_bytes(&a, "\x07", 1));
	ldp_avro_array_append(&a, arr, sv);
	ldp_avro_record_set(r, "partitions", arr);
	CHECK(ldp_avro_writer_append(w, r));
	CHECK(ldp_avro_writer_finish(w));
	ldp_avro_writer_free(w);

	ldp_manifest_file *got;
	size_t n;
	CHECK(ldp_manifest_list_read(&a, f.ptr, f.len, "v1list.avro", &got, &n));
	assert_int_equal(n, 1);
	assert_string_equal(got[0].manifest_path, "/m.avro");
	assert_int_equal(got[0].content, LDP_CONTENT_DATA);
	assert_true(got[0].sequence_number == 0);
	assert_true(got[0].min_sequence_number == 0);
	assert_int_equal(got[0].added_files_count, 4);
	assert_int_equal(got[0].existing_files_count, -1);
	assert_true(got[0].added_rows_count == -1);
	assert_int_equal(got[0].npartitions, 1);
	assert_true(got[0].partitions[0].contains_null);
	assert_int_equal(got[0].partitions[0].contains_nan, -1);
	assert_null(got[0].partitions[0].lower);
	assert_int_equal(got[0].partitions[0].upper_len, 1);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

static void test_manifest_errors(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_manifest_pfield pf[NPF];
	make_pfields(pf);
	ldp_manifest_info info = make_info(pf);
	ldp_data_file_entry e;
	make_entry(&a, 1, &e);
	ldp_buf f = LDP_BUF_INIT;
	/* wrong number of partition values */
	e.npartition = 2;
	assert_int_equal(ldp_manifest_write(&info, &e, 1, &f), LDP_EINVALID);
	e.npartition = NPF;
	/* a value of another type */
	e.partition[0].type = LDP_T_LONG;
	assert_int_equal(ldp_manifest_write(&info, &e, 1, &f), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "id_bucket"));
	e.partition[0].type = LDP_T_INT;
	/* a decimal too wide for decimal(9,2)'s 4 bytes */
	e.partition[5].v.dec = (__int128)1 << 40;
	assert_int_equal(ldp_manifest_write(&info, &e, 1, &f), LDP_EINVALID);
	e.partition[5].v.dec = 1;
	/* a v2 partition field without an id */
	pf[0].field_id = -1;
	assert_int_equal(ldp_manifest_write(&info, &e, 1, &f), LDP_EINVALID);
	pf[0].field_id = 1000;
	ldp_buf_clear(&f);
	CHECK(ldp_manifest_write(&info, &e, 1, &f));

	/* an Avro file that is no manifest */
	ldp_buf other = LDP_BUF_INIT;
	const ldp_avro_schema *s;
	CHECK(ldp_avro_schema_parse(&a, "\"int\"", 5, &s));
	ldp_avro_writer *w;
	CHECK(ldp_avro_writer_new(s, NULL, &other, &w));
	CHECK(ldp_avro_writer_finish(w));
	ldp_avro_writer_free(w);
	ldp_manifest *m;
	assert_int_equal(ldp_manifest_read(&a, other.ptr, other.len, "x.avro", &m), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "x.avro: not an Iceberg manifest"));
	ldp_manifest_file *lf;
	size_t n;
	assert_int_equal(ldp_manifest_list_read(&a, other.ptr, other.len, "x.avro", &lf, &n), LDP_ECORRUPT);
	/* a manifest read as a manifest list lacks field 500 */
	assert_int_equal(ldp_manifest_list_read(&a, f.ptr, f.len, "m.avro", &lf, &n), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "manifest_path"));

	/* every truncation and byte flip of a real manifest fails cleanly or
	 * reads; never crashes (ASan/UBSan build) */
	uint8_t *copy = malloc(f.len);
	ldp_arena scratch;
	ldp_arena_init(&scratch, 0);
	for (size_t len = 0; len < f.len; len++) {
		memcpy(copy, f.ptr, len);
		int rc = ldp_manifest_read(&scratch, copy, len, "t.avro", &m);
		assert_true(rc == 0 || rc == LDP_ECORRUPT || rc == LDP_EUNSUPPORTED);
		ldp_arena_reset(&scratch);
	}
	for (size_t off = 0; off < f.len; off++) {
		memcpy(copy, f.ptr, f.len);
		copy[off] ^= (uint8_t)(0x5a + off);
		int rc = ldp_manifest_read(&scratch, copy, f.len, "t.avro", &m);
		if (rc && rc != LDP_ECORRUPT && rc != LDP_EUNSUPPORTED)
			fail_msg("offset %zu: %d %s", off, rc, ldp_error_last()->message);
		ldp_arena_reset(&scratch);
	}
	free(copy);
	ldp_arena_free(&scratch);
	ldp_buf_free(&other);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_roundtrip),     cmocka_unit_test(test_manifest_encodings),
		cmocka_unit_test(test_schema_field_ids),       cmocka_unit_test(test_delete_manifest),
		cmocka_unit_test(test_manifest_v1),            cmocka_unit_test(test_manifest_list_roundtrip),
		cmocka_unit_test(test_manifest_list_v1),       cmocka_unit_test(test_manifest_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
