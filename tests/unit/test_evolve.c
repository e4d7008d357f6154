/*
 * Schema and partition evolution on metadata (ldp_metadata_alter): field ids
 * handed out above last-column-id and never reused, the spec's promotion
 * rules, refusals leaving no result, v2 partition field removal vs v1 void
 * transforms, partition field id reuse, schema reuse, and the type parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "format/metadata.h"
#include "format/partition.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "table/evolve.h"

static ldp_metadata *base(void)
{
	static const char *js = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
				"{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
				"{\"id\":2,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"},"
				"{\"id\":3,\"name\":\"st\",\"required\":false,\"type\":{\"type\":\"struct\",\"fields\":["
				"{\"id\":4,\"name\":\"a\",\"required\":false,\"type\":\"int\"}]}}]}";
	ldp_arena a;
	ldp_arena_init(&a, 4096);
	json_t *j = json_loads(js, 0, NULL);
	ldp_schema *s;
	assert_int_equal(ldp_schema_parse(&a, j, "t", &s), 0);
	json_decref(j);
	ldp_partition_field pf = {.source_id = 2, .field_id = 1000, .name = "ts_day"};
	assert_int_equal(ldp_transform_parse("day", &a, &pf.transform), 0);
	ldp_partition_spec sp = {0, 1, &pf};
	ldp_metadata *m;
	assert_int_equal(ldp_metadata_new("/tmp/t", s, &sp, NULL, NULL, 0, &m), 0);
	ldp_arena_free(&a);
	return m;
}

static ldp_metadata *alter(ldp_metadata *in, ldp_alter ch)
{
	ldp_metadata *out = NULL;
	int rc = ldp_metadata_alter(in, "ns.t", &ch, 1, &out);
	if (rc)
		fail_msg("alter failed: %s", ldp_error_last()->message);
	ldp_metadata_free(in);
	return out;
}

static void expect_fail(ldp_metadata *in, ldp_alter ch, int code, const char *msg)
{
	ldp_metadata *out = (ldp_metadata *)1;
	int rc = ldp_metadata_alter(in, "ns.t", &ch, 1, &out);
	assert_int_equal(rc, code);
	assert_null(out);
	if (!strstr(ldp_error_last()->message, msg))
		fail_msg("message [%s] lacks [%s]", ldp_error_last()->message, msg);
	ldp_error_clear();
}

static const ldp_field *col(const ldp_metadata *m, const char *path)
{
	return ldp_schema_field_by_name(ldp_metadata_current_schema(m), path);
}

static void test_ids(void **state)
{
	(void)state;
	ldp_metadata *m = base();
	assert_int_equal(m->last_column_id, 4);
	/* a struct column takes its id, then its fields' (5, 6, 7) */
	m = alter(m, (ldp_alter){.op = LDP_ALTER_ADD_COLUMN, .column = "loc", .type = "struct<lat: double, lon: double>",
				 .doc = "where"});
	assert_int_equal(col(m, "loc")->id, 5);
	assert_int_equal(col(m, "loc.lat")->id, 6);
	assert_int_equal(col(m, "loc.lon")->id, 7);
	assert_string_equal(col(m, "loc")->doc, "where");
	assert_false(col(m, "loc")->required);
	assert_int_equal(m->last_column_id, 7);
	/* dropping the highest ids does not free them */
	m = alter(m, (ldp_alter){.op = LDP_ALTER_DROP_COLUMN, .column = "loc"});
	assert_int_equal(m->last_column_id, 7);
	m = alter(m, (ldp_alter){.op = LDP_ALTER_ADD_COLUMN, .column = "st.b", .type = "varchar", .position = LDP_POS_FIRST});
	assert_int_equal(col(m, "st.b")->id, 8);
	assert_string_equal(col(m, "st")->type->fields[0].name, "b");
	assert_int_equal(m->last_column_id, 8);
	/* rename and rename back: the first schema is reused, not a copy added */
	int32_t sid = m->current_schema_id;
	size_t n = m->nschemas;
	m = alter(m, (ldp_alter){.op = LDP_ALTER_RENAME_COLUMN, .column = "st.a", .name = "z"});
	assert_int_equal(col(m, "st.z")->id, 4);
	m = alter(m, (ldp_alter){.op = LDP_ALTER_RENAME_COLUMN, .column = "st.z", .name = "a"});
	assert_int_equal(m->current_schema_id, sid);
	assert_int_equal(m->nschemas, n + 1);
	ldp_metadata_free(m);
}

static void test_types_and_refusals(void **state)
{
	(void)state;
	ldp_metadata *m = base();
	m = alter(m, (ldp_alter){.op = LDP_ALTER_SET_TYPE, .column = "st.a", .type = "bigint"});
	assert_int_equal(col(m, "st.a")->type->id, LDP_T_LONG);
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_SET_TYPE, .column = "id", .type = "int"}, LDP_EINVALID,
		    "cannot change column 'id' from long to int");
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_SET_TYPE, .column = "ts", .type = "date"}, LDP_EINVALID,
		    "from timestamp to date");
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_DROP_COLUMN, .column = "ts"}, LDP_EINVALID,
		    "partition field 'ts_day' uses it");
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_RENAME_COLUMN, .column = "id", .name = "ts"}, LDP_EEXISTS,
		    "cannot rename 'id' to 'ts'");
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_DROP_COLUMN, .column = "nope"}, LDP_ENOTFOUND,
		    "table ns.t has no column 'nope'");
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_SET_IDENTIFIER_FIELDS, .items = (const char *[]){"ts"}, .nitems = 1},
		    LDP_EINVALID, "it is optional");
	m = alter(m, (ldp_alter){.op = LDP_ALTER_SET_IDENTIFIER_FIELDS, .items = (const char *[]){"id"}, .nitems = 1});
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_DROP_COLUMN, .column = "id"}, LDP_EINVALID, "identifier field");
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_MAKE_OPTIONAL, .column = "id"}, LDP_EINVALID, "identifier field");
	/* decimal: precision may grow at the same scale only */
	m = alter(m, (ldp_alter){.op = LDP_ALTER_ADD_COLUMN, .column = "amt", .type = "decimal(9,2)"});
	m = alter(m, (ldp_alter){.op = LDP_ALTER_SET_TYPE, .column = "amt", .type = "numeric(12, 2)"});
	assert_int_equal(col(m, "amt")->type->precision, 12);
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_SET_TYPE, .column = "amt", .type = "decimal(10,2)"}, LDP_EINVALID, "amt");
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_SET_TYPE, .column = "amt", .type = "decimal(14,3)"}, LDP_EINVALID, "amt");
	ldp_metadata_free(m);
}

static void test_partition_evolution(void **state)
{
	(void)state;
	ldp_metadata *m = base();
	m = alter(m, (ldp_alter){.op = LDP_ALTER_ADD_PARTITION_FIELD, .term = "bucket(8, id)", .name = "idb"});
	const ldp_partition_spec *sp = ldp_metadata_default_spec(m);
	assert_int_equal(sp->spec_id, 1);
	assert_int_equal(sp->nfields, 2);
	assert_int_equal(sp->fields[1].field_id, 1001);
	assert_int_equal(m->last_partition_id, 1001);
	/* v2: the removed field leaves the spec */
	m = alter(m, (ldp_alter){.op = LDP_ALTER_DROP_PARTITION_FIELD, .term = "day(ts)"});
	sp = ldp_metadata_default_spec(m);
	assert_int_equal(sp->nfields, 1);
	assert_string_equal(sp->fields[0].name, "idb");
	/* added back: the old field id (1000), not a new one */
	m = alter(m, (ldp_alter){.op = LDP_ALTER_ADD_PARTITION_FIELD, .term = "day(ts)"});
	sp = ldp_metadata_default_spec(m);
	assert_int_equal(sp->fields[1].field_id, 1000);
	assert_int_equal(m->last_partition_id, 1001);
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_ADD_PARTITION_FIELD, .term = "day(ts)"}, LDP_EEXISTS,
		    "already partitioned by day(ts)");
	expect_fail(m, (ldp_alter){.op = LDP_ALTER_DROP_PARTITION_FIELD, .term = "nope"}, LDP_ENOTFOUND, "nope");
	m = alter(m, (ldp_alter){.op = LDP_ALTER_REPLACE_PARTITION_FIELD, .term = "ts_day", .term2 = "month(ts)"});
	sp = ldp_metadata_default_spec(m);
	assert_string_equal(sp->fields[1].name, "ts_month");
	assert_int_equal(sp->fields[1].field_id, 1002);
	ldp_metadata_free(m);

	/* v1: a removed field becomes void and keeps its position and id */
	m = base();
	m->format_version = 1;
	m = alter(m, (ldp_alter){.op = LDP_ALTER_DROP_PARTITION_FIELD, .term = "ts_day"});
	sp = ldp_metadata_default_spec(m);
	assert_int_equal(sp->nfields, 1);
	assert_int_equal(sp->fields[0].transform.kind, LDP_TR_VOID);
	assert_int_equal(sp->fields[0].field_id, 1000);
	assert_string_equal(sp->fields[0].name, "ts_day_1000");
	/* with the partition field void, its source column may go */
	m = alter(m, (ldp_alter){.op = LDP_ALTER_DROP_COLUMN, .column = "ts"});
	assert_null(col(m, "ts"));
	ldp_metadata_free(m);
}

static void expect_type(const char *text, const char *want)
{
	ldp_arena a;
	ldp_arena_init(&a, 1024);
	const ldp_type *t;
	int rc = ldp_alter_parse_type(&a, text, &t);
	if (rc)
		fail_msg("%s: %s", text, ldp_error_last()->message);
	ldp_buf b = LDP_BUF_INIT;
	ldp_type_append_string(t, &b);
	if (strcmp(ldp_buf_cstr(&b), want) != 0)
		fail_msg("%s: got %s want %s", text, ldp_buf_cstr(&b), want);
	ldp_buf_free(&b);
	ldp_arena_free(&a);
}

static void test_type_parser(void **state)
{
	(void)state;
	expect_type("BIGINT", "long");
	expect_type("double precision", "double");
	expect_type("timestamp with time zone", "timestamptz");
	expect_type("varchar(20)", "string");
	expect_type("decimal(10)", "decimal(10,0)");
	expect_type("INT[]", "list<int>");
	ldp_arena a;
	ldp_arena_init(&a, 1024);
	const ldp_type *t;
	assert_int_equal(ldp_alter_parse_type(&a, "map<string, list<int>>", &t), 0);
	assert_int_equal(t->id, LDP_T_MAP);
	assert_int_equal(t->value.type->id, LDP_T_LIST);
	assert_int_equal(ldp_alter_parse_type(&a, "STRUCT(a INT, b VARCHAR)", &t), 0);
	assert_int_equal(t->nfields, 2);
	assert_int_equal(ldp_alter_parse_type(&a, "struct<>", &t), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "position 8"));
	assert_int_equal(ldp_alter_parse_type(&a, "int int", &t), LDP_EINVALID);
	assert_int_equal(ldp_alter_parse_type(&a, "struct<a: int, a: long>", &t), LDP_EINVALID);
	assert_int_equal(ldp_alter_parse_type(&a, "float8x", &t), LDP_EINVALID);
	ldp_error_clear();
	ldp_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_types_and_refusals),
		cmocka_unit_test(test_partition_evolution),
		cmocka_unit_test(test_type_parser),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
