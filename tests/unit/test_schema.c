/* Iceberg types and schemas: JSON round trips, lookups, fresh ids, DuckDB mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/engine_internal.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/json.h"

static json_t *J(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &err);
	if (!j)
		fail_msg("test JSON: %s", err.text);
	return j;
}

static void assert_msg_has(const char *needle)
{
	const char *m = ldp_error_last()->message;
	if (!strstr(m, needle))
		fail_msg("error message \"%s\" lacks \"%s\"", m, needle);
}

/* Every primitive: parse the spec string, check the model, write it back. */
static void test_primitive_round_trip(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
		ldp_type_id id;
		int p1, p2;
	} cases[] = {
		{"boolean", "boolean", LDP_T_BOOLEAN, 0, 0},
		{"int", "int", LDP_T_INT, 0, 0},
		{"long", "long", LDP_T_LONG, 0, 0},
		{"float", "float", LDP_T_FLOAT, 0, 0},
		{"double", "double", LDP_T_DOUBLE, 0, 0},
		{"decimal(9,2)", "decimal(9,2)", LDP_T_DECIMAL, 9, 2},
		{"decimal(38, 10)", "decimal(38,10)", LDP_T_DECIMAL, 38, 10}, /* spec allows a blank */
		{"date", "date", LDP_T_DATE, 0, 0},
		{"time", "time", LDP_T_TIME, 0, 0},
		{"timestamp", "timestamp", LDP_T_TIMESTAMP, 0, 0},
		{"timestamptz", "timestamptz", LDP_T_TIMESTAMPTZ, 0, 0},
		{"timestamp_ns", "timestamp_ns", LDP_T_TIMESTAMP_NS, 0, 0},
		{"timestamptz_ns", "timestamptz_ns", LDP_T_TIMESTAMPTZ_NS, 0, 0},
		{"string", "string", LDP_T_STRING, 0, 0},
		{"uuid", "uuid", LDP_T_UUID, 0, 0},
		{"fixed[16]", "fixed[16]", LDP_T_FIXED, 16, 0},
		{"binary", "binary", LDP_T_BINARY, 0, 0},
		{"variant", "variant", LDP_T_UNKNOWN_V3, 0, 0},
		{"unknown", "unknown", LDP_T_UNKNOWN_V3, 0, 0},
		{"geometry(srid:4326)", "geometry(srid:4326)", LDP_T_UNKNOWN_V3, 0, 0},
		{"geography(srid:4326,spherical)", "geography(srid:4326,spherical)", LDP_T_UNKNOWN_V3, 0, 0},
	};
	ldp_arena a;
	ldp_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *in = json_string(cases[i].in);
		const ldp_type *t = NULL;
		assert_int_equal(ldp_type_parse(&a, in, "t", &t), 0);
		assert_int_equal(t->id, cases[i].id);
		if (t->id == LDP_T_DECIMAL) {
			assert_int_equal(t->precision, cases[i].p1);
			assert_int_equal(t->scale, cases[i].p2);
		}
		if (t->id == LDP_T_FIXED)
			assert_int_equal(t->length, cases[i].p1);
		if (t->id == LDP_T_UNKNOWN_V3)
			assert_string_equal(t->unknown_name, cases[i].in);
		json_t *out = ldp_type_to_json(t);
		assert_non_null(out);
		assert_true(json_is_string(out));
		assert_string_equal(json_string_value(out), cases[i].out);
		json_decref(out);
		json_decref(in);
	}
	ldp_arena_free(&a);
}

/* The spec's Appendix C struct/list/map examples combined. */
static const char *NESTED_SCHEMA = "{\"type\": \"struct\", \"schema-id\": 3, \"identifier-field-ids\": [1],"
				   " \"fields\": ["
				   "  {\"id\": 1, \"name\": \"id\", \"required\": true, \"type\": \"uuid\","
				   "   \"initial-default\": \"0db3e2a8-9d1d-42b9-aa7b-74ebe558dceb\","
				   "   \"write-default\": \"ec5911be-b0a7-458c-8438-c9a3e53cffae\"},"
				   "  {\"id\": 2, \"name\": \"data\", \"required\": false, \"doc\": \"payload\","
				   "   \"type\": {\"type\": \"list\", \"element-id\": 3, \"element-required\": true,"
				   "              \"element\": \"string\"}},"
				   "  {\"id\": 6, \"name\": \"metrics\", \"required\": false,"
				   "   \"type\": {\"type\": \"map\", \"key-id\": 4, \"key\": \"string\", \"value-id\": 5,"
				   "              \"value-required\": false, \"value\": \"double\"}},"
				   "  {\"id\": 7, \"name\": \"loc\", \"required\": false, \"type\": {\"type\": \"struct\","
				   "   \"fields\": [{\"id\": 8, \"name\": \"lat\", \"required\": true, \"type\": \"decimal(9, 6)\"},"
				   "               {\"id\": 9, \"name\": \"a.b\", \"required\": false, \"type\": \"fixed[4]\"}]}},"
				   "  {\"id\": 10, \"name\": \"pts\", \"required\": false, \"type\": {\"type\": \"list\","
				   "   \"element-id\": 11, \"element-required\": false, \"element\": {\"type\": \"struct\","
				   "   \"fields\": [{\"id\": 12, \"name\": \"x\", \"required\": false, \"type\": \"variant\"}]}}}"
				   "]}";

static void test_nested_schema_round_trip(void **state)
{
	(void)state;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	json_t *j = J(NESTED_SCHEMA);
	ldp_schema *s;
	assert_int_equal(ldp_schema_parse(&a, j, "test", &s), 0);
	assert_int_equal(s->schema_id, 3);
	assert_int_equal(s->nidentifier, 1);
	assert_int_equal(s->identifier_field_ids[0], 1);
	assert_int_equal(s->root.nfields, 5);
	const ldp_field *f = &s->root.fields[0];
	assert_true(f->required);
	assert_string_equal(json_string_value(f->initial_default), "0db3e2a8-9d1d-42b9-aa7b-74ebe558dceb");
	assert_string_equal(json_string_value(f->write_default), "ec5911be-b0a7-458c-8438-c9a3e53cffae");
	f = &s->root.fields[1];
	assert_string_equal(f->doc, "payload");
	assert_int_equal(f->type->id, LDP_T_LIST);
	assert_int_equal(f->type->element.id, 3);
	assert_true(f->type->element.required);
	assert_int_equal(f->type->element.type->id, LDP_T_STRING);
	f = &s->root.fields[2];
	assert_int_equal(f->type->id, LDP_T_MAP);
	assert_int_equal(f->type->key.id, 4);
	assert_true(f->type->key.required);
	assert_int_equal(f->type->value.id, 5);
	assert_false(f->type->value.required);

	/* Written JSON equals the input after normalising "decimal(9, 6)". */
	json_t *w = ldp_schema_to_json(s);
	assert_non_null(w);
	json_t *expect = J(NESTED_SCHEMA);
	json_t *loc = json_array_get(json_object_get(expect, "fields"), 3);
	json_object_set_new(json_array_get(json_object_get(json_object_get(loc, "type"), "fields"), 0), "type",
			    json_string("decimal(9,6)"));
	if (!json_equal(w, expect)) {
		char *t = ldp_json_dumps(w, 0);
		fail_msg("written schema differs: %s", t);
	}
	/* ... and parses back to an equal model. */
	ldp_schema *s2;
	assert_int_equal(ldp_schema_parse(&a, w, "again", &s2), 0);
	assert_true(ldp_schema_same_fields(s, s2));
	assert_int_equal(s2->schema_id, 3);

	/* Copies are equal and independent of the source arena. */
	ldp_arena b;
	ldp_arena_init(&b, 0);
	ldp_schema *s3;
	assert_int_equal(ldp_schema_copy(&b, s, &s3), 0);
	assert_true(ldp_schema_same_fields(s, s3));
	assert_ptr_not_equal(s3->root.fields, s->root.fields);
	ldp_arena_free(&b);

	json_decref(expect);
	json_decref(w);
	json_decref(j);
	ldp_arena_free(&a);
}

static void test_lookups(void **state)
{
	(void)state;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	json_t *j = J(NESTED_SCHEMA);
	ldp_schema *s;
	assert_int_equal(ldp_schema_parse(&a, j, "test", &s), 0);

	assert_string_equal(ldp_schema_field_by_id(s, 8)->name, "lat");
	assert_string_equal(ldp_schema_field_by_id(s, 3)->name, "element");
	assert_string_equal(ldp_schema_field_by_id(s, 5)->name, "value");
	assert_string_equal(ldp_schema_field_by_id(s, 12)->name, "x");
	assert_null(ldp_schema_field_by_id(s, 13));

	assert_int_equal(ldp_schema_field_by_name(s, "id")->id, 1);
	assert_int_equal(ldp_schema_field_by_name(s, "loc.lat")->id, 8);
	assert_int_equal(ldp_schema_field_by_name(s, "loc.a.b")->id, 9); /* a name with a dot */
	assert_int_equal(ldp_schema_field_by_name(s, "data.element")->id, 3);
	assert_int_equal(ldp_schema_field_by_name(s, "metrics.key")->id, 4);
	assert_int_equal(ldp_schema_field_by_name(s, "metrics.value")->id, 5);
	assert_int_equal(ldp_schema_field_by_name(s, "pts.element.x")->id, 12);
	assert_int_equal(ldp_schema_field_by_name(s, "pts.x")->id, 12);
	assert_null(ldp_schema_field_by_name(s, "loc.lon"));
	assert_null(ldp_schema_field_by_name(s, "lo"));
	assert_null(ldp_schema_field_by_name(s, ""));

	ldp_buf b = LDP_BUF_INIT;
	assert_int_equal(ldp_schema_field_path(s, 12, &b), 0);
	assert_string_equal(ldp_buf_cstr(&b), "pts.element.x");
	ldp_buf_free(&b);
	assert_int_equal(ldp_schema_field_path(s, 99, &b), LDP_ENOTFOUND);

	int32_t *ids;
	size_t n;
	assert_int_equal(ldp_schema_field_ids(s, &a, &ids, &n), 0);
	/* pre-order: id, data, element, metrics, key, value, loc, lat, a.b, pts, element, x */
	static const int32_t expect[] = {1, 2, 3, 6, 4, 5, 7, 8, 9, 10, 11, 12};
	assert_int_equal(n, 12);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ids[i], expect[i]);
	assert_int_equal(ldp_schema_max_field_id(s), 12);
	json_decref(j);
	ldp_arena_free(&a);
}

static void expect_parse_error(const char *text, int code, const char *needle)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	json_t *j = J(text);
	ldp_schema *s;
	assert_int_equal(ldp_schema_parse(&a, j, "meta.json", &s), code);
	assert_msg_has(needle);
	assert_msg_has("meta.json");
	json_decref(j);
	ldp_arena_free(&a);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_parse_error("{\"type\": \"struct\", \"schema-id\": 0}", LDP_ECORRUPT, "'fields'");
	expect_parse_error("{\"type\": \"struct\", \"fields\": [{\"id\": 1, \"name\": \"a\", \"type\": \"int\"}]}",
			   LDP_ECORRUPT, "'required'");
	expect_parse_error("{\"type\": \"struct\", \"fields\": [{\"id\": \"1\", \"name\": \"a\", \"required\": true, "
			   "\"type\": \"int\"}]}",
			   LDP_ECORRUPT, "field 'id' must be an integer");
	expect_parse_error("{\"type\": \"struct\", \"fields\": [{\"id\": 1, \"name\": \"a\", \"required\": true, "
			   "\"type\": \"decimal(40,2)\"}]}",
			   LDP_ECORRUPT, "decimal(40,2)");
	expect_parse_error("{\"type\": \"struct\", \"fields\": [{\"id\": 1, \"name\": \"a\", \"required\": true, "
			   "\"type\": \"fixed[x]\"}]}",
			   LDP_ECORRUPT, "fixed[x]");
	expect_parse_error("{\"type\": \"struct\", \"fields\": [{\"id\": 1, \"name\": \"a\", \"required\": true, "
			   "\"type\": {\"type\": \"list\", \"element-id\": 1, \"element-required\": true, "
			   "\"element\": \"int\"}}]}",
			   LDP_ECORRUPT, "field id 1 is used by more than one field");
	expect_parse_error("{\"type\": \"struct\", \"fields\": [{\"id\": 1, \"name\": \"m\", \"required\": true, "
			   "\"type\": {\"type\": \"map\", \"key-id\": 2, \"key\": \"int\", \"value-id\": 3, "
			   "\"value\": \"int\"}}]}",
			   LDP_ECORRUPT, "'value-required'");
	expect_parse_error("{\"type\": \"struct\", \"fields\": [{\"id\": 1, \"name\": \"m\", \"required\": true, "
			   "\"type\": {\"type\": \"set\"}}]}",
			   LDP_ECORRUPT, "\"set\"");
	expect_parse_error("{\"type\": \"struct\", \"fields\": [{\"id\": 1, \"name\": \"m\", \"required\": true, "
			   "\"type\": 5}]}",
			   LDP_ECORRUPT, "field 'm'");
	expect_parse_error("[]", LDP_ECORRUPT, "must be a JSON object");
}

/* Hand-computed: top-level fields take 1..5, then loc's fields (6, 7), tags'
 * element (8), props' key and value (9, 10), the value struct's fields (11,
 * 12) and w's element (13). */
static void test_fresh_ids(void **state)
{
	(void)state;
	const char *text =
		"{\"type\": \"struct\", \"schema-id\": 0, \"identifier-field-ids\": [100], \"fields\": ["
		" {\"id\": 100, \"name\": \"id\", \"required\": true, \"type\": \"long\"},"
		" {\"id\": 50, \"name\": \"loc\", \"required\": false, \"type\": {\"type\": \"struct\", \"fields\": ["
		"   {\"id\": 51, \"name\": \"lat\", \"required\": false, \"type\": \"double\"},"
		"   {\"id\": 52, \"name\": \"lon\", \"required\": false, \"type\": \"double\"}]}},"
		" {\"id\": 60, \"name\": \"tags\", \"required\": false, \"type\": {\"type\": \"list\", \"element-id\": 61,"
		"   \"element-required\": false, \"element\": \"string\"}},"
		" {\"id\": 70, \"name\": \"props\", \"required\": false, \"type\": {\"type\": \"map\", \"key-id\": 71,"
		"   \"key\": \"string\", \"value-id\": 72, \"value-required\": false, \"value\": {\"type\": \"struct\","
		"   \"fields\": [{\"id\": 73, \"name\": \"v\", \"required\": false, \"type\": \"int\"},"
		"    {\"id\": 74, \"name\": \"w\", \"required\": false, \"type\": {\"type\": \"list\", \"element-id\": 75,"
		"     \"element-required\": true, \"element\": \"int\"}}]}}},"
		" {\"id\": 80, \"name\": \"name\", \"required\": false, \"type\": \"string\"}]}";
	ldp_arena a;
	ldp_arena_init(&a, 0);
	json_t *j = J(text);
	ldp_schema *s, *f;
	assert_int_equal(ldp_schema_parse(&a, j, "t", &s), 0);
	int32_t last = 0;
	assert_int_equal(ldp_schema_assign_fresh_ids(&a, s, &last, &f), 0);
	assert_int_equal(last, 13);
	static const struct {
		const char *path;
		int32_t id;
	} expect[] = {{"id", 1},         {"loc", 2},          {"tags", 3},          {"props", 4},
		      {"name", 5},       {"loc.lat", 6},      {"loc.lon", 7},       {"tags.element", 8},
		      {"props.key", 9},  {"props.value", 10}, {"props.value.v", 11}, {"props.value.w", 12},
		      {"props.value.w.element", 13}};
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		const ldp_field *fld = ldp_schema_field_by_name(f, expect[i].path);
		if (!fld || fld->id != expect[i].id)
			fail_msg("%s: expected id %d, got %d", expect[i].path, expect[i].id, fld ? fld->id : -1);
	}
	assert_true(ldp_schema_field_by_name(f, "props.value.w.element")->required);
	assert_int_equal(f->identifier_field_ids[0], 1);
	assert_int_equal(ldp_schema_translate_id(s, f, 74), 12);
	assert_int_equal(ldp_schema_translate_id(s, f, 61), 8);
	assert_int_equal(ldp_schema_translate_id(s, f, 999), -1);
	/* The source is untouched. */
	assert_int_equal(ldp_schema_field_by_name(s, "props.value.w")->id, 74);

	/* Continuing from an existing last id (a column added by evolution). */
	last = 20;
	const ldp_type *t;
	assert_int_equal(ldp_type_assign_fresh_ids(&a, ldp_schema_field_by_name(s, "props")->type, &last, &t), 0);
	assert_int_equal(t->key.id, 21);
	assert_int_equal(t->value.id, 22);
	assert_int_equal(t->value.type->fields[0].id, 23);
	assert_int_equal(t->value.type->fields[1].id, 24);
	assert_int_equal(t->value.type->fields[1].type->element.id, 25);
	assert_int_equal(last, 25);
	json_decref(j);
	ldp_arena_free(&a);
}

/* ---- DuckDB ---- */

static ldp_engine *engine(void)
{
	ldp_engine *e = NULL;
	ldp_engine_options o = {.threads = 1};
	assert_int_equal(ldp_engine_open(&e, NULL, &o), 0);
	return e;
}

static char *query1(ldp_engine *e, const char *sql)
{
	char *out = NULL;
	if (ldp_engine_query_text(e, sql, &out))
		fail_msg("%s: %s", sql, ldp_error_last()->message);
	return out;
}

static void test_to_duckdb(void **state)
{
	(void)state;
	static const struct {
		const char *iceberg, *duck, *typeof_;
	} cases[] = {
		{"\"boolean\"", "BOOLEAN", "BOOLEAN"},
		{"\"int\"", "INTEGER", "INTEGER"},
		{"\"long\"", "BIGINT", "BIGINT"},
		{"\"float\"", "FLOAT", "FLOAT"},
		{"\"double\"", "DOUBLE", "DOUBLE"},
		{"\"decimal(10,2)\"", "DECIMAL(10,2)", "DECIMAL(10,2)"},
		{"\"date\"", "DATE", "DATE"},
		{"\"time\"", "TIME", "TIME"},
		{"\"timestamp\"", "TIMESTAMP", "TIMESTAMP"},
		{"\"timestamptz\"", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"},
		{"\"timestamp_ns\"", "TIMESTAMP_NS", "TIMESTAMP_NS"},
		{"\"string\"", "VARCHAR", "VARCHAR"},
		{"\"uuid\"", "UUID", "UUID"},
		{"\"fixed[16]\"", "BLOB", "BLOB"},
		{"\"binary\"", "BLOB", "BLOB"},
		{"{\"type\": \"list\", \"element-id\": 1, \"element-required\": false, \"element\": \"int\"}", "INTEGER[]",
		 "INTEGER[]"},
		{"{\"type\": \"map\", \"key-id\": 1, \"key\": \"string\", \"value-id\": 2, \"value-required\": false,"
		 " \"value\": {\"type\": \"list\", \"element-id\": 3, \"element-required\": false, \"element\": \"double\"}}",
		 "MAP(VARCHAR, DOUBLE[])", "MAP(VARCHAR, DOUBLE[])"},
		{"{\"type\": \"struct\", \"fields\": [{\"id\": 1, \"name\": \"a\", \"required\": false, \"type\": \"int\"},"
		 " {\"id\": 2, \"name\": \"my \\\"b\\\"\", \"required\": false, \"type\": {\"type\": \"struct\", \"fields\":"
		 " [{\"id\": 3, \"name\": \"c\", \"required\": true, \"type\": \"date\"}]}}]}",
		 "STRUCT(\"a\" INTEGER, \"my \"\"b\"\"\" STRUCT(\"c\" DATE))", "STRUCT(a INTEGER, \"my \"\"b\"\"\" STRUCT(c DATE))"},
	};
	ldp_engine *e = engine();
	ldp_arena a;
	ldp_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = J(cases[i].iceberg);
		const ldp_type *t;
		assert_int_equal(ldp_type_parse(&a, j, "t", &t), 0);
		ldp_buf b = LDP_BUF_INIT;
		assert_int_equal(ldp_type_to_duckdb(t, &b), 0);
		assert_string_equal(ldp_buf_cstr(&b), cases[i].duck);
		/* DuckDB accepts the text and names the same type. */
		char sql[512];
		snprintf(sql, sizeof(sql), "select typeof(NULL::%s)", ldp_buf_cstr(&b));
		char *got = query1(e, sql);
		assert_string_equal(got, cases[i].typeof_);
		free(got);
		ldp_buf_free(&b);
		json_decref(j);
	}
	json_t *j = J("\"variant\"");
	const ldp_type *t;
	assert_int_equal(ldp_type_parse(&a, j, "t", &t), 0);
	ldp_buf b = LDP_BUF_INIT;
	assert_int_equal(ldp_type_to_duckdb(t, &b), LDP_EUNSUPPORTED);
	assert_msg_has("variant");
	ldp_buf_free(&b);
	json_decref(j);
	ldp_arena_free(&a);
	ldp_engine_free(e);
}

static ldp_schema *schema_of_query(ldp_engine *e, ldp_arena *a, const char *sql, int expect_rc)
{
	ldp_result *r;
	if (ldp_engine_query(e, sql, &r))
		fail_msg("%s: %s", sql, ldp_error_last()->message);
	ldp_schema *s = NULL;
	assert_int_equal(ldp_schema_from_duckdb_result(a, r, &s), expect_rc);
	ldp_result_free(r);
	return s;
}

static void test_from_duckdb(void **state)
{
	(void)state;
	ldp_engine *e = engine();
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_schema *s = schema_of_query(
		e, &a,
		"select 1::TINYINT ti, 1::SMALLINT si, 1::UTINYINT ut, 1::USMALLINT us, 1::UINTEGER ui, 1::UBIGINT ub,"
		" 1::INTEGER i, 1::BIGINT bi, 1::FLOAT f, 1::DOUBLE d, 1.5::DECIMAL(12,3) dc, DATE '2020-01-01' dt,"
		" TIME '01:02:03' tm, TIMESTAMP '2020-01-01' ts, '2020-01-01'::TIMESTAMP_S tss,"
		" '2020-01-01'::TIMESTAMP_MS tsm, '2020-01-01'::TIMESTAMPTZ tstz, 'x' s, '{}'::JSON js,"
		" 'a'::ENUM('a', 'b') en, 'x'::BLOB bl, uuid() u, true b,"
		" {'p': 1, 'q': [1.5::DOUBLE]} st, map {'k': [1]} m, [1, 2]::INTEGER[2] arr",
		0);
	static const struct {
		const char *name;
		const char *type;
	} expect[] = {
		{"ti", "int"},         {"si", "int"},       {"ut", "int"},       {"us", "int"},
		{"ui", "long"},        {"ub", "decimal(20,0)"}, {"i", "int"},    {"bi", "long"},
		{"f", "float"},        {"d", "double"},     {"dc", "decimal(12,3)"}, {"dt", "date"},
		{"tm", "time"},        {"ts", "timestamp"}, {"tss", "timestamp"}, {"tsm", "timestamp"},
		{"tstz", "timestamptz"}, {"s", "string"},   {"js", "string"},    {"en", "string"},
		{"bl", "binary"},      {"u", "uuid"},       {"b", "boolean"},
		{"st", "struct<27: p: optional int, 28: q: optional list<double>>"},
		{"m", "map<string, list<int>>"}, {"arr", "list<int>"},
	};
	size_t n = sizeof(expect) / sizeof(expect[0]);
	assert_int_equal(s->root.nfields, n);
	for (size_t i = 0; i < n; i++) {
		const ldp_field *f = &s->root.fields[i];
		assert_string_equal(f->name, expect[i].name);
		assert_int_equal(f->id, (int32_t)i + 1); /* top-level first */
		assert_false(f->required);
		ldp_buf b = LDP_BUF_INIT;
		ldp_type_append_string(f->type, &b);
		assert_string_equal(ldp_buf_cstr(&b), expect[i].type);
		ldp_buf_free(&b);
	}
	/* Then nested, in field order: st.p 27, st.q 28, st.q.element 29,
	 * m.key 30, m.value 31, m.value.element 32, arr.element 33. */
	assert_int_equal(ldp_schema_field_by_name(s, "st.q.element")->id, 29);
	assert_int_equal(ldp_schema_field_by_name(s, "m.key")->id, 30);
	assert_true(ldp_schema_field_by_name(s, "m.key")->required);
	assert_int_equal(ldp_schema_field_by_name(s, "m.value")->id, 31);
	assert_int_equal(ldp_schema_field_by_name(s, "m.value.element")->id, 32);
	assert_int_equal(ldp_schema_field_by_name(s, "arr.element")->id, 33);
	assert_int_equal(ldp_schema_max_field_id(s), 33);

	/* Unsupported types name the (nested) column and suggest a cast. */
	schema_of_query(e, &a, "select 1::HUGEINT h", LDP_EUNSUPPORTED);
	assert_msg_has("column 'h'");
	assert_msg_has("DECIMAL(38,0)");
	schema_of_query(e, &a, "select {'x': INTERVAL 1 DAY} s", LDP_EUNSUPPORTED);
	assert_msg_has("column 's.x'");
	assert_msg_has("INTERVAL");
	schema_of_query(e, &a, "select [union_value(k := 1)] u", LDP_EUNSUPPORTED);
	assert_msg_has("column 'u.element'");
	schema_of_query(e, &a, "select 1 a, 2 a", LDP_EINVALID);
	assert_msg_has("'a'");

	/* Iceberg -> DuckDB -> Iceberg keeps the types of a nested schema. */
	json_t *j = J(NESTED_SCHEMA);
	ldp_schema *ns;
	assert_int_equal(ldp_schema_parse(&a, j, "t", &ns), 0);
	ldp_buf cols = LDP_BUF_INIT;
	/* pts holds a variant, which DuckDB cannot take: compare the first four columns */
	ns->root.nfields = 4;
	assert_int_equal(ldp_schema_to_duckdb_columns(ns, &cols), 0);
	ldp_buf sql = LDP_BUF_INIT;
	ldp_buf_printf(&sql, "create table rt (%s)", ldp_buf_cstr(&cols));
	assert_int_equal(ldp_engine_exec(e, ldp_buf_cstr(&sql)), 0);
	ldp_schema *back = schema_of_query(e, &a, "select * from rt", 0);
	assert_int_equal(back->root.nfields, 4);
	assert_int_equal(back->root.fields[0].type->id, LDP_T_UUID);
	assert_int_equal(back->root.fields[1].type->element.type->id, LDP_T_STRING);
	assert_int_equal(back->root.fields[2].type->value.type->id, LDP_T_DOUBLE);
	const ldp_type *loc = back->root.fields[3].type;
	assert_int_equal(loc->fields[0].type->id, LDP_T_DECIMAL);
	assert_int_equal(loc->fields[0].type->precision, 9);
	assert_int_equal(loc->fields[1].type->id, LDP_T_BINARY); /* fixed[4] reads back as binary */
	assert_string_equal(loc->fields[1].name, "a.b");
	ldp_buf_free(&sql);
	ldp_buf_free(&cols);
	json_decref(j);
	ldp_arena_free(&a);
	ldp_engine_free(e);
}

/* read_parquet(schema=...) reads an old file by field id: a renamed column,
 * a dropped one, and a column added later with an initial default. */
static void test_parquet_schema_arg(void **state)
{
	(void)state;
	ldp_engine *e = engine();
	char path[512];
	snprintf(path, sizeof(path), "%s/schema_arg.parquet", LDP_TEST_TMP);
	char sql[2048];
	snprintf(sql, sizeof(sql),
		 "copy (select 7::BIGINT as a, 'old' as b, {'p': 1, 'q': 'z'} as s) to '%s' "
		 "(format parquet, field_ids {a: 1, b: 2, s: {__duckdb_field_id: 3, p: 4, q: 5}})",
		 path);
	assert_int_equal(ldp_engine_exec(e, sql), 0);

	const char *now = "{\"type\": \"struct\", \"schema-id\": 1, \"fields\": ["
			  " {\"id\": 3, \"name\": \"s\", \"required\": false, \"type\": {\"type\": \"struct\","
			  "  \"fields\": [{\"id\": 4, \"name\": \"p\", \"required\": false, \"type\": \"long\"},"
			  "              {\"id\": 5, \"name\": \"q\", \"required\": false, \"type\": \"string\"}]}},"
			  " {\"id\": 1, \"name\": \"a renamed 'x'\", \"required\": false, \"type\": \"long\"},"
			  " {\"id\": 6, \"name\": \"added\", \"required\": false, \"type\": \"decimal(5,2)\","
			  "  \"initial-default\": \"14.20\"},"
			  " {\"id\": 7, \"name\": \"bytes\", \"required\": false, \"type\": \"binary\","
			  "  \"initial-default\": \"00ff\"},"
			  " {\"id\": 8, \"name\": \"nothing\", \"required\": false, \"type\": \"int\"}]}";
	ldp_arena a;
	ldp_arena_init(&a, 0);
	json_t *j = J(now);
	ldp_schema *s;
	assert_int_equal(ldp_schema_parse(&a, j, "t", &s), 0);
	ldp_buf arg = LDP_BUF_INIT;
	assert_int_equal(ldp_schema_to_parquet_schema_arg(s, &arg), 0);
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_printf(&q,
		       "select s::VARCHAR || ' | ' || \"a renamed 'x'\" || ' | ' || added || ' | ' || hex(bytes) "
		       "|| ' | ' || coalesce(nothing::VARCHAR, 'null') from read_parquet('%s', schema=%s)",
		       path, ldp_buf_cstr(&arg));
	char *got = query1(e, ldp_buf_cstr(&q));
	assert_string_equal(got, "{'p': 1, 'q': z} | 7 | 14.20 | 00FF | null");
	free(got);

	/* Column order and names follow the schema, not the file. */
	ldp_buf_clear(&q);
	ldp_buf_printf(&q, "select string_agg(column_name, ',') from (describe select * from read_parquet('%s', schema=%s))",
		       path, ldp_buf_cstr(&arg));
	got = query1(e, ldp_buf_cstr(&q));
	assert_string_equal(got, "s,a renamed 'x',added,bytes,nothing");
	free(got);
	ldp_buf_free(&q);
	ldp_buf_free(&arg);
	json_decref(j);
	ldp_arena_free(&a);
	ldp_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_primitive_round_trip),
		cmocka_unit_test(test_nested_schema_round_trip),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_fresh_ids),
		cmocka_unit_test(test_to_duckdb),
		cmocka_unit_test(test_from_duckdb),
		cmocka_unit_test(test_parquet_schema_arg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
