/* Transform text, partition spec and sort order JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "format/partition.h"
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

static void test_transform_text(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		ldp_transform_kind kind;
		int32_t param;
		const char *out;
	} cases[] = {
		{"identity", LDP_TR_IDENTITY, 0, "identity"},
		{"bucket[16]", LDP_TR_BUCKET, 16, "bucket[16]"},
		{"bucket[ 16 ]", LDP_TR_BUCKET, 16, "bucket[16]"},
		{"Bucket[2]", LDP_TR_BUCKET, 2, "bucket[2]"},
		{"truncate[10]", LDP_TR_TRUNCATE, 10, "truncate[10]"},
		{"year", LDP_TR_YEAR, 0, "year"},
		{"month", LDP_TR_MONTH, 0, "month"},
		{"DAY", LDP_TR_DAY, 0, "day"},
		{"hour", LDP_TR_HOUR, 0, "hour"},
		{"void", LDP_TR_VOID, 0, "void"},
		/* unknown (v3 readers must tolerate them): kept verbatim */
		{"zorder", LDP_TR_UNKNOWN, 0, "zorder"},
		{"bucket[0]", LDP_TR_UNKNOWN, 0, "bucket[0]"},
		{"bucket[16", LDP_TR_UNKNOWN, 0, "bucket[16"},
		{"bucket[x]", LDP_TR_UNKNOWN, 0, "bucket[x]"},
		{"truncate[99999999999]", LDP_TR_UNKNOWN, 0, "truncate[99999999999]"},
		{"", LDP_TR_UNKNOWN, 0, ""},
	};
	ldp_arena a;
	ldp_arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ldp_transform t;
		assert_int_equal(ldp_transform_parse(cases[i].in, &a, &t), 0);
		if (t.kind != cases[i].kind)
			fail_msg("%s: kind %d, expected %d", cases[i].in, t.kind, cases[i].kind);
		if (t.kind == LDP_TR_BUCKET || t.kind == LDP_TR_TRUNCATE)
			assert_int_equal(t.param, cases[i].param);
		assert_string_equal(t.text, cases[i].in);
		assert_ptr_not_equal(t.text, cases[i].in); /* copied into the arena */
		ldp_buf b = LDP_BUF_INIT;
		ldp_transform_to_string(&t, &b);
		assert_string_equal(ldp_buf_cstr(&b), cases[i].out);
		ldp_buf_free(&b);
	}
	ldp_transform x, y;
	ldp_transform_parse("bucket[4]", NULL, &x);
	ldp_transform_parse("bucket[ 4]", NULL, &y);
	assert_true(ldp_transform_equal(&x, &y));
	ldp_transform_parse("bucket[5]", NULL, &y);
	assert_false(ldp_transform_equal(&x, &y));
	ldp_transform_parse("zorder", NULL, &x);
	ldp_transform_parse("zorder", NULL, &y);
	assert_true(ldp_transform_equal(&x, &y));
	ldp_arena_free(&a);
}

static void test_spec_json(void **state)
{
	(void)state;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	/* the spec's Appendix C example */
	const char *text = "{\"spec-id\": 0, \"fields\": ["
			   " {\"source-id\": 4, \"field-id\": 1000, \"name\": \"ts_day\", \"transform\": \"day\"},"
			   " {\"source-id\": 1, \"field-id\": 1001, \"name\": \"id_bucket\", \"transform\": \"bucket[16]\"},"
			   " {\"source-ids\": [1, 4], \"field-id\": 1002, \"name\": \"z\", \"transform\": \"zorder\"}]}";
	json_t *j = J(text);
	ldp_partition_spec *s;
	assert_int_equal(ldp_partition_spec_parse(&a, j, "t", &s), 0);
	assert_int_equal(s->nfields, 3);
	assert_int_equal(s->fields[0].source_id, 4);
	assert_int_equal(s->fields[1].transform.param, 16);
	assert_int_equal(s->fields[2].nsource_ids, 2);
	assert_int_equal(ldp_partition_spec_max_field_id(s), 1002);
	assert_false(ldp_partition_spec_is_unpartitioned(s));
	json_t *w = ldp_partition_spec_to_json(s);
	assert_true(json_equal(w, j));
	ldp_partition_spec *c;
	assert_int_equal(ldp_partition_spec_copy(&a, s, &c), 0);
	assert_true(ldp_partition_spec_same_fields(s, c));
	c->fields[1].transform.param = 8;
	assert_false(ldp_partition_spec_same_fields(s, c));
	json_decref(w);
	json_decref(j);

	/* v1 field list without field ids */
	j = J("[{\"name\": \"x\", \"transform\": \"identity\", \"source-id\": 1},"
	      " {\"name\": \"v\", \"transform\": \"void\", \"source-id\": 2}]");
	assert_int_equal(ldp_partition_spec_parse_fields(&a, j, 0, "t", &s), 0);
	assert_int_equal(s->fields[0].field_id, 1000);
	assert_int_equal(s->fields[1].field_id, 1001);
	s->nfields = 1;
	assert_false(ldp_partition_spec_is_unpartitioned(s));
	s->nfields = 2;
	s->fields[0].transform.kind = LDP_TR_VOID;
	assert_true(ldp_partition_spec_is_unpartitioned(s));
	json_decref(j);

	/* errors name the spec and the field */
	j = J("{\"spec-id\": 2, \"fields\": [{\"field-id\": 1000, \"name\": \"x\", \"transform\": \"day\"}]}");
	assert_int_equal(ldp_partition_spec_parse(&a, j, "meta", &s), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "meta: partition spec 2 field 0: missing required field 'source-id'"));
	json_decref(j);
	j = J("{\"spec-id\": 2, \"fields\": [{\"source-id\": 1, \"field-id\": 1000, \"name\": \"x\", \"transform\": \"day\"},"
	      " {\"source-id\": 1, \"field-id\": 1000, \"name\": \"y\", \"transform\": \"year\"}]}");
	assert_int_equal(ldp_partition_spec_parse(&a, j, "meta", &s), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "field id 1000 twice"));
	json_decref(j);
	ldp_arena_free(&a);
}

static void test_sort_order_json(void **state)
{
	(void)state;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	/* the spec's Appendix C example */
	const char *text = "{\"order-id\": 1, \"fields\": ["
			   " {\"transform\": \"identity\", \"source-id\": 2, \"direction\": \"asc\", \"null-order\": \"nulls-first\"},"
			   " {\"transform\": \"bucket[4]\", \"source-id\": 3, \"direction\": \"desc\", \"null-order\": \"nulls-last\"}]}";
	json_t *j = J(text);
	ldp_sort_order *o;
	assert_int_equal(ldp_sort_order_parse(&a, j, "t", &o), 0);
	assert_int_equal(o->order_id, 1);
	assert_false(o->fields[0].descending);
	assert_true(o->fields[0].nulls_first);
	assert_true(o->fields[1].descending);
	assert_false(o->fields[1].nulls_first);
	assert_int_equal(o->fields[1].transform.kind, LDP_TR_BUCKET);
	json_t *w = ldp_sort_order_to_json(o);
	assert_true(json_equal(w, j));
	ldp_sort_order *c;
	assert_int_equal(ldp_sort_order_copy(&a, o, &c), 0);
	assert_true(ldp_sort_order_same_fields(o, c));
	c->fields[0].nulls_first = false;
	assert_false(ldp_sort_order_same_fields(o, c));
	json_decref(w);
	json_decref(j);

	j = J("{\"order-id\": 1, \"fields\": [{\"transform\": \"identity\", \"source-id\": 2, \"direction\": \"asc\","
	      " \"null-order\": \"first\"}]}");
	assert_int_equal(ldp_sort_order_parse(&a, j, "meta", &o), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "sort order 1 field 0: field 'null-order'"));
	json_decref(j);
	ldp_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transform_text),
		cmocka_unit_test(test_spec_json),
		cmocka_unit_test(test_sort_order_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
