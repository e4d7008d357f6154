/*
 * Partition transforms: Murmur3 and the spec's Appendix B hash vectors,
 * the spec's truncate examples, date/time transforms around 1970 (hand
 * computed), human strings and partition paths as Java writes them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "format/murmur3.h"
#include "format/transform.h"
#include "format/value.h"
#include "ldp/error.h"

/* Known values: 2017-11-16 is day 17486 (2017-01-01 is 17167, plus 319
 * days to Nov 16); 22:31:08 is 81068 seconds after midnight. */
#define D_2017_11_16  17486
#define US_22_31_08   INT64_C(81068000000)
#define TS_2017_11_16 (INT64_C(17486) * INT64_C(86400000000) + US_22_31_08)

static ldp_type type_of(ldp_type_id id)
{
	ldp_type t;
	memset(&t, 0, sizeof t);
	t.id = id;
	return t;
}

static ldp_type decimal_type(int p, int s)
{
	ldp_type t = type_of(LDP_T_DECIMAL);
	t.precision = p;
	t.scale = s;
	return t;
}

static ldp_value v_i32(ldp_type_id id, int32_t x)
{
	ldp_value v = ldp_value_null(id);
	v.is_null = false;
	v.v.i32 = x;
	return v;
}

static ldp_value v_i64(ldp_type_id id, int64_t x)
{
	ldp_value v = ldp_value_null(id);
	v.is_null = false;
	v.v.i64 = x;
	return v;
}

static ldp_value v_dec(__int128 x)
{
	ldp_value v = ldp_value_null(LDP_T_DECIMAL);
	v.is_null = false;
	v.v.dec = x;
	return v;
}

static ldp_value v_bytes(ldp_type_id id, const void *p, size_t n)
{
	ldp_value v = ldp_value_null(id);
	v.is_null = false;
	v.v.bytes.ptr = p;
	v.v.bytes.len = n;
	return v;
}

static ldp_value v_str(const char *s) { return v_bytes(LDP_T_STRING, s, strlen(s)); }

static ldp_transform tr(ldp_transform_kind k, int32_t param)
{
	ldp_transform t = {k, param, NULL};
	return t;
}

static int32_t hash_of(ldp_value v)
{
	int32_t h = 0;
	assert_int_equal(ldp_value_hash(&v, &h), 0);
	return h;
}

/* ---- murmur3 ---- */

static void test_murmur3_raw(void **state)
{
	(void)state;
	/* The empty input with seed 0 hashes to 0 (no block, no tail, len 0). */
	assert_int_equal(ldp_murmur3_32("", 0, 0), 0);
	/* Widely published MurmurHash3_x86_32 reference values. */
	assert_int_equal(ldp_murmur3_32("hello", 5, 0), 0x248bfa47u);
	assert_int_equal(ldp_murmur3_32("The quick brown fox jumps over the lazy dog", 43, 0), 0x2e4ff723u);
	/* Spec Appendix B, string "iceberg" (7 bytes: one block, 3-byte tail). */
	assert_int_equal((int32_t)ldp_murmur3_32("iceberg", 7, 0), 1210000089);
}

static void test_hash_spec_vectors(void **state)
{
	(void)state;
	assert_int_equal(ldp_days_from_civil(2017, 11, 16), D_2017_11_16);
	assert_int_equal(hash_of(v_i32(LDP_T_INT, 34)), 2017239379);
	assert_int_equal(hash_of(v_i64(LDP_T_LONG, 34)), 2017239379);
	assert_int_equal(hash_of(v_dec(1420)), -500754589); /* 14.20 */
	assert_int_equal(hash_of(v_i32(LDP_T_DATE, D_2017_11_16)), -653330422);
	assert_int_equal(hash_of(v_i64(LDP_T_TIME, US_22_31_08)), -662762989);
	assert_int_equal(hash_of(v_i64(LDP_T_TIMESTAMP, TS_2017_11_16)), -2047944441);
	assert_int_equal(hash_of(v_i64(LDP_T_TIMESTAMP, TS_2017_11_16 + 1)), -1207196810);
	/* 2017-11-16T14:31:08-08:00 is the same instant as 22:31:08 UTC */
	assert_int_equal(hash_of(v_i64(LDP_T_TIMESTAMPTZ, TS_2017_11_16)), -2047944441);
	assert_int_equal(hash_of(v_i64(LDP_T_TIMESTAMPTZ, TS_2017_11_16 + 1)), -1207196810);
	assert_int_equal(hash_of(v_i64(LDP_T_TIMESTAMP_NS, TS_2017_11_16 * 1000)), -2047944441);
	assert_int_equal(hash_of(v_i64(LDP_T_TIMESTAMP_NS, TS_2017_11_16 * 1000 + 1001)), -1207196810);
	assert_int_equal(hash_of(v_i64(LDP_T_TIMESTAMPTZ_NS, TS_2017_11_16 * 1000 + 1001)), -1207196810);
	assert_int_equal(hash_of(v_str("iceberg")), 1210000089);
	static const uint8_t uuid[16] = {0xF7, 0x9C, 0x3E, 0x09, 0x67, 0x7C, 0x4B, 0xBD,
					 0xA4, 0x79, 0x3F, 0x34, 0x9C, 0xB7, 0x85, 0xE7};
	assert_int_equal(hash_of(v_bytes(LDP_T_UUID, uuid, 16)), 1488055340);
	static const uint8_t b4[4] = {0, 1, 2, 3};
	assert_int_equal(hash_of(v_bytes(LDP_T_FIXED, b4, 4)), -188683207);
	assert_int_equal(hash_of(v_bytes(LDP_T_BINARY, b4, 4)), -188683207);
	/* the table of types not valid for bucketing */
	ldp_value t = ldp_value_null(LDP_T_BOOLEAN);
	t.is_null = false;
	t.v.b = true;
	assert_int_equal(hash_of(t), 1392991556);
	ldp_value f = ldp_value_null(LDP_T_FLOAT), d = ldp_value_null(LDP_T_DOUBLE);
	f.is_null = d.is_null = false;
	f.v.f32 = 1.0f;
	d.v.f64 = 1.0;
	assert_int_equal(hash_of(f), -142385009);
	assert_int_equal(hash_of(d), -142385009);
	f.v.f32 = 0.0f;
	d.v.f64 = -0.0;
	assert_int_equal(hash_of(f), 1669671676);
	assert_int_equal(hash_of(d), 1669671676);
}

/* ---- apply ---- */

static ldp_value apply(ldp_transform t, ldp_type src, ldp_value in)
{
	ldp_value out;
	int rc = ldp_transform_apply(&t, &src, &in, &out);
	if (rc)
		fail_msg("apply failed: %s", ldp_error_last()->message);
	return out;
}

static void test_bucket(void **state)
{
	(void)state;
	ldp_value r = apply(tr(LDP_TR_BUCKET, 16), type_of(LDP_T_INT), v_i32(LDP_T_INT, 34));
	assert_int_equal(r.type, LDP_T_INT);
	assert_int_equal(r.v.i32, 2017239379 % 16);
	/* a negative hash loses its sign bit before the modulo */
	r = apply(tr(LDP_TR_BUCKET, 100), decimal_type(4, 2), v_dec(1420));
	assert_int_equal(r.v.i32, (int32_t)((uint32_t)-500754589 & 0x7fffffffu) % 100);
	r = apply(tr(LDP_TR_BUCKET, 7), type_of(LDP_T_STRING), v_str("iceberg"));
	assert_int_equal(r.v.i32, 1210000089 % 7);
	r = apply(tr(LDP_TR_BUCKET, 16), type_of(LDP_T_INT), ldp_value_null(LDP_T_INT));
	assert_true(r.is_null);
	assert_int_equal(r.type, LDP_T_INT);
}

static void test_truncate_spec_examples(void **state)
{
	(void)state;
	assert_int_equal(apply(tr(LDP_TR_TRUNCATE, 10), type_of(LDP_T_INT), v_i32(LDP_T_INT, 1)).v.i32, 0);
	assert_int_equal(apply(tr(LDP_TR_TRUNCATE, 10), type_of(LDP_T_INT), v_i32(LDP_T_INT, -1)).v.i32, -10);
	assert_int_equal(apply(tr(LDP_TR_TRUNCATE, 10), type_of(LDP_T_LONG), v_i64(LDP_T_LONG, 1)).v.i64, 0);
	assert_int_equal(apply(tr(LDP_TR_TRUNCATE, 10), type_of(LDP_T_LONG), v_i64(LDP_T_LONG, -1)).v.i64, -10);
	assert_int_equal(apply(tr(LDP_TR_TRUNCATE, 10), type_of(LDP_T_LONG), v_i64(LDP_T_LONG, -10)).v.i64, -10);
	assert_int_equal(apply(tr(LDP_TR_TRUNCATE, 10), type_of(LDP_T_LONG), v_i64(LDP_T_LONG, 19)).v.i64, 10);
	/* decimal(4,2) 10.65, W=50 -> 10.50 */
	ldp_value d = apply(tr(LDP_TR_TRUNCATE, 50), decimal_type(4, 2), v_dec(1065));
	assert_true(d.v.dec == 1050);
	d = apply(tr(LDP_TR_TRUNCATE, 50), decimal_type(4, 2), v_dec(-1065)); /* -10.65 -> -11.00 */
	assert_true(d.v.dec == -1100);
	ldp_value s = apply(tr(LDP_TR_TRUNCATE, 3), type_of(LDP_T_STRING), v_str("iceberg"));
	assert_int_equal(s.v.bytes.len, 3);
	assert_memory_equal(s.v.bytes.ptr, "ice", 3);
	/* code points, not bytes: "héllo" keeps h, é (2 bytes), l */
	s = apply(tr(LDP_TR_TRUNCATE, 3), type_of(LDP_T_STRING), v_str("h\xc3\xa9llo"));
	assert_int_equal(s.v.bytes.len, 4);
	s = apply(tr(LDP_TR_TRUNCATE, 1), type_of(LDP_T_STRING), v_str("\xf0\x9f\x8e\x89x")); /* U+1F389 */
	assert_int_equal(s.v.bytes.len, 4);
	s = apply(tr(LDP_TR_TRUNCATE, 5), type_of(LDP_T_STRING), v_str("ab"));
	assert_int_equal(s.v.bytes.len, 2);
	static const uint8_t b5[5] = {1, 2, 3, 4, 5};
	ldp_value b = apply(tr(LDP_TR_TRUNCATE, 3), type_of(LDP_T_BINARY), v_bytes(LDP_T_BINARY, b5, 5));
	assert_int_equal(b.v.bytes.len, 3);
	assert_memory_equal(b.v.bytes.ptr, b5, 3);
}

static void test_time_transforms(void **state)
{
	(void)state;
	const int64_t us_day = INT64_C(86400000000), us_hour = INT64_C(3600000000);
	ldp_type date = type_of(LDP_T_DATE), ts = type_of(LDP_T_TIMESTAMP), tz = type_of(LDP_T_TIMESTAMPTZ),
		 ns = type_of(LDP_T_TIMESTAMP_NS);
	/* 2023-01-01 is day 19358 (2020-01-01 = 18262, + 366 + 365 + 365) */
	assert_int_equal(ldp_days_from_civil(2023, 1, 1), 19358);
	ldp_value d = v_i32(LDP_T_DATE, 19358);
	assert_int_equal(apply(tr(LDP_TR_YEAR, 0), date, d).v.i32, 53);
	assert_int_equal(apply(tr(LDP_TR_MONTH, 0), date, d).v.i32, 636);
	assert_int_equal(apply(tr(LDP_TR_DAY, 0), date, d).v.i32, 19358);
	ldp_value t = v_i64(LDP_T_TIMESTAMP, 19358 * us_day + 10 * us_hour + 59 * INT64_C(60000000));
	assert_int_equal(apply(tr(LDP_TR_HOUR, 0), ts, t).v.i32, 19358 * 24 + 10);
	assert_int_equal(apply(tr(LDP_TR_DAY, 0), ts, t).v.i32, 19358);
	assert_int_equal(apply(tr(LDP_TR_MONTH, 0), ts, t).v.i32, 636);
	/* 2023-03-15: month 638 */
	assert_int_equal(apply(tr(LDP_TR_MONTH, 0), date, v_i32(LDP_T_DATE, 19358 + 31 + 28 + 14)).v.i32, 638);
	/* one tick before the epoch is in the previous hour/day/month/year */
	ldp_value m1 = v_i64(LDP_T_TIMESTAMPTZ, -1);
	assert_int_equal(apply(tr(LDP_TR_HOUR, 0), tz, m1).v.i32, -1);
	assert_int_equal(apply(tr(LDP_TR_DAY, 0), tz, m1).v.i32, -1);
	assert_int_equal(apply(tr(LDP_TR_MONTH, 0), tz, m1).v.i32, -1);
	assert_int_equal(apply(tr(LDP_TR_YEAR, 0), tz, m1).v.i32, -1);
	ldp_value n1 = v_i64(LDP_T_TIMESTAMP_NS, -1);
	assert_int_equal(apply(tr(LDP_TR_DAY, 0), ns, n1).v.i32, -1);
	assert_int_equal(apply(tr(LDP_TR_HOUR, 0), ns, v_i64(LDP_T_TIMESTAMP_NS, 3600 * INT64_C(1000000000))).v.i32,
			 1);
	/* 1969-12-31 and 1900-01-01 (day -25567) */
	assert_int_equal(apply(tr(LDP_TR_MONTH, 0), date, v_i32(LDP_T_DATE, -1)).v.i32, -1);
	assert_int_equal(ldp_days_from_civil(1900, 1, 1), -25567);
	assert_int_equal(apply(tr(LDP_TR_YEAR, 0), date, v_i32(LDP_T_DATE, -25567)).v.i32, -70);
	assert_int_equal(apply(tr(LDP_TR_MONTH, 0), date, v_i32(LDP_T_DATE, -25567)).v.i32, -840);
	assert_int_equal(apply(tr(LDP_TR_YEAR, 0), date, v_i32(LDP_T_DATE, -25568)).v.i32, -71);
	/* null in, null out; void always null */
	assert_true(apply(tr(LDP_TR_DAY, 0), date, ldp_value_null(LDP_T_DATE)).is_null);
	ldp_value vd = apply(tr(LDP_TR_VOID, 0), date, d);
	assert_true(vd.is_null);
	assert_int_equal(vd.type, LDP_T_DATE);
	ldp_value id = apply(tr(LDP_TR_IDENTITY, 0), date, d);
	assert_int_equal(id.v.i32, 19358);
}

static void test_check_and_result_types(void **state)
{
	(void)state;
	ldp_type out, b = type_of(LDP_T_BOOLEAN), dt = type_of(LDP_T_DATE), u = type_of(LDP_T_UUID),
		      dec = decimal_type(9, 2);
	ldp_transform bk = tr(LDP_TR_BUCKET, 16);
	assert_int_equal(ldp_transform_check(&bk, &b, "flag"), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "flag"));
	assert_non_null(strstr(ldp_error_last()->message, "bucket[16]"));
	ldp_transform hr = tr(LDP_TR_HOUR, 0);
	assert_int_equal(ldp_transform_check(&hr, &dt, "d"), LDP_EINVALID);
	ldp_transform tru = tr(LDP_TR_TRUNCATE, 4);
	assert_int_equal(ldp_transform_check(&tru, &u, "u"), LDP_EINVALID);
	ldp_transform b0 = tr(LDP_TR_BUCKET, 0);
	assert_int_equal(ldp_transform_check(&b0, &dec, "x"), LDP_EINVALID);
	ldp_transform unk = {LDP_TR_UNKNOWN, 0, "zorder"};
	assert_int_equal(ldp_transform_check(&unk, &dec, "x"), LDP_EUNSUPPORTED);
	assert_non_null(strstr(ldp_error_last()->message, "zorder"));
	ldp_transform vd = tr(LDP_TR_VOID, 0), dy = tr(LDP_TR_DAY, 0), id = tr(LDP_TR_IDENTITY, 0);
	assert_int_equal(ldp_transform_check(&vd, &b, "flag"), 0);
	assert_int_equal(ldp_transform_check(&id, &b, "flag"), 0);

	assert_int_equal(ldp_transform_result_type(&bk, &dec, &out), 0);
	assert_int_equal(out.id, LDP_T_INT);
	assert_int_equal(ldp_transform_result_type(&tru, &dec, &out), 0);
	assert_int_equal(out.id, LDP_T_DECIMAL);
	assert_int_equal(out.scale, 2);
	assert_int_equal(ldp_transform_result_type(&dy, &dt, &out), 0);
	assert_int_equal(out.id, LDP_T_INT); /* the spec table; Java says date */
	assert_int_equal(ldp_transform_result_type(&vd, &u, &out), 0);
	assert_int_equal(out.id, LDP_T_UUID);
	assert_int_equal(ldp_transform_result_type(&hr, &dt, &out), LDP_EINVALID);
}

/* ---- human strings and paths ---- */

static void assert_human(ldp_transform t, ldp_type src, ldp_value v, const char *want)
{
	ldp_buf b = LDP_BUF_INIT;
	assert_int_equal(ldp_transform_human_string(&t, &src, &v, &b), 0);
	assert_string_equal(ldp_buf_cstr(&b), want);
	ldp_buf_free(&b);
}

static void test_human_strings(void **state)
{
	(void)state;
	const int64_t us_day = INT64_C(86400000000), us_hour = INT64_C(3600000000);
	ldp_type it = type_of(LDP_T_INT);
	assert_human(tr(LDP_TR_YEAR, 0), it, v_i32(LDP_T_INT, 53), "2023");
	assert_human(tr(LDP_TR_MONTH, 0), it, v_i32(LDP_T_INT, 636), "2023-01");
	assert_human(tr(LDP_TR_MONTH, 0), it, v_i32(LDP_T_INT, -1), "1969-12");
	assert_human(tr(LDP_TR_DAY, 0), it, v_i32(LDP_T_INT, 19358), "2023-01-01");
	assert_human(tr(LDP_TR_DAY, 0), it, v_i32(LDP_T_INT, -1), "1969-12-31");
	assert_human(tr(LDP_TR_HOUR, 0), it, v_i32(LDP_T_INT, 19358 * 24 + 10), "2023-01-01-10");
	assert_human(tr(LDP_TR_HOUR, 0), it, v_i32(LDP_T_INT, -1), "1969-12-31-23");
	assert_human(tr(LDP_TR_BUCKET, 16), it, v_i32(LDP_T_INT, 3), "3");
	assert_human(tr(LDP_TR_BUCKET, 16), it, ldp_value_null(LDP_T_INT), "null");
	assert_human(tr(LDP_TR_VOID, 0), it, v_i32(LDP_T_INT, 3), "null");

	ldp_type ts = type_of(LDP_T_TIMESTAMP), tz = type_of(LDP_T_TIMESTAMPTZ), ns = type_of(LDP_T_TIMESTAMP_NS);
	int64_t t10 = 19358 * us_day + 10 * us_hour;
	/* java.time drops zero seconds, and groups fractions by 3 digits */
	assert_human(tr(LDP_TR_IDENTITY, 0), ts, v_i64(LDP_T_TIMESTAMP, t10), "2023-01-01T10:00");
	assert_human(tr(LDP_TR_IDENTITY, 0), ts, v_i64(LDP_T_TIMESTAMP, t10 + 1000000), "2023-01-01T10:00:01");
	assert_human(tr(LDP_TR_IDENTITY, 0), tz, v_i64(LDP_T_TIMESTAMPTZ, t10 + 500000), "2023-01-01T10:00:00.500Z");
	assert_human(tr(LDP_TR_IDENTITY, 0), ts, v_i64(LDP_T_TIMESTAMP, t10 + 1), "2023-01-01T10:00:00.000001");
	assert_human(tr(LDP_TR_IDENTITY, 0), ns, v_i64(LDP_T_TIMESTAMP_NS, t10 * 1000 + 1), "2023-01-01T10:00:00.000000001");
	assert_human(tr(LDP_TR_IDENTITY, 0), ts, v_i64(LDP_T_TIMESTAMP, -1), "1969-12-31T23:59:59.999999");
	assert_human(tr(LDP_TR_IDENTITY, 0), type_of(LDP_T_DATE), v_i32(LDP_T_DATE, 19358), "2023-01-01");
	assert_human(tr(LDP_TR_IDENTITY, 0), type_of(LDP_T_TIME), v_i64(LDP_T_TIME, US_22_31_08), "22:31:08");
	assert_human(tr(LDP_TR_IDENTITY, 0), decimal_type(4, 2), v_dec(1050), "10.50");
	assert_human(tr(LDP_TR_TRUNCATE, 50), decimal_type(4, 2), v_dec(-5), "-0.05");
	assert_human(tr(LDP_TR_IDENTITY, 0), decimal_type(10, 8), v_dec(1), "1E-8"); /* BigDecimal.toString */
	static const uint8_t b3[3] = {1, 2, 3};
	assert_human(tr(LDP_TR_IDENTITY, 0), type_of(LDP_T_BINARY), v_bytes(LDP_T_BINARY, b3, 3), "AQID");
	assert_human(tr(LDP_TR_IDENTITY, 0), type_of(LDP_T_BINARY), v_bytes(LDP_T_BINARY, b3, 1), "AQ==");
	static const uint8_t uuid[16] = {0xF7, 0x9C, 0x3E, 0x09, 0x67, 0x7C, 0x4B, 0xBD,
					 0xA4, 0x79, 0x3F, 0x34, 0x9C, 0xB7, 0x85, 0xE7};
	assert_human(tr(LDP_TR_IDENTITY, 0), type_of(LDP_T_UUID), v_bytes(LDP_T_UUID, uuid, 16),
		     "f79c3e09-677c-4bbd-a479-3f349cb785e7");
	/* Double.toString */
	ldp_type dt = type_of(LDP_T_DOUBLE);
	const struct {
		double d;
		const char *s;
	} dbl[] = {{1.0, "1.0"},       {100.0, "100.0"},    {0.001, "0.001"}, {1e-4, "1.0E-4"},
		   {1e7, "1.0E7"},     {123.456, "123.456"}, {-0.0, "-0.0"},   {1234567.0, "1234567.0"},
		   {1.5e300, "1.5E300"}, {0.1, "0.1"}};
	for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
		ldp_value v = ldp_value_null(LDP_T_DOUBLE);
		v.is_null = false;
		v.v.f64 = dbl[i].d;
		assert_human(tr(LDP_TR_IDENTITY, 0), dt, v, dbl[i].s);
	}
	ldp_value f = ldp_value_null(LDP_T_FLOAT);
	f.is_null = false;
	f.v.f32 = 0.1f; /* Float.toString: the float's own shortest digits */
	assert_human(tr(LDP_TR_IDENTITY, 0), type_of(LDP_T_FLOAT), f, "0.1");
}

static void test_partition_path(void **state)
{
	(void)state;
	ldp_type ts = type_of(LDP_T_TIMESTAMPTZ), str = type_of(LDP_T_STRING), lng = type_of(LDP_T_LONG);
	ldp_field inner[1] = {{.id = 4, .name = "city", .type = &str}};
	ldp_type st = type_of(LDP_T_STRUCT);
	st.nfields = 1;
	st.fields = inner;
	ldp_field cols[4] = {{.id = 1, .name = "ts", .type = &ts},
			     {.id = 2, .name = "s", .type = &str},
			     {.id = 3, .name = "id", .type = &lng},
			     {.id = 5, .name = "addr", .type = &st}};
	ldp_schema schema;
	memset(&schema, 0, sizeof schema);
	schema.root = type_of(LDP_T_STRUCT);
	schema.root.nfields = 4;
	schema.root.fields = cols;
	ldp_partition_field pf[5] = {
		{.source_id = 1, .field_id = 1000, .name = "event day", .transform = tr(LDP_TR_DAY, 0)},
		{.source_id = 2, .field_id = 1001, .name = "s", .transform = tr(LDP_TR_IDENTITY, 0)},
		{.source_id = 3, .field_id = 1002, .name = "id_bucket", .transform = tr(LDP_TR_BUCKET, 16)},
		{.source_id = 4, .field_id = 1003, .name = "city", .transform = tr(LDP_TR_TRUNCATE, 3)},
		{.source_id = 1, .field_id = 1004, .name = "ts", .transform = tr(LDP_TR_IDENTITY, 0)},
	};
	ldp_partition_spec spec = {0, 5, pf};
	ldp_value tuple[5] = {v_i32(LDP_T_INT, 19358), v_str("a/b c&d=\xc3\xa9~*._-"), v_i32(LDP_T_INT, 3),
			      ldp_value_null(LDP_T_STRING),
			      v_i64(LDP_T_TIMESTAMPTZ, 19358 * INT64_C(86400000000) + INT64_C(36000000000))};
	ldp_buf b = LDP_BUF_INIT;
	assert_int_equal(ldp_partition_path(&spec, &schema, tuple, &b), 0);
	assert_string_equal(ldp_buf_cstr(&b), "event+day=2023-01-01/s=a%2Fb+c%26d%3D%C3%A9%7E*._-/id_bucket=3/city=null/"
					      "ts=2023-01-01T10%3A00Z");
	/* unpartitioned: empty path */
	ldp_partition_spec none = {1, 0, NULL};
	ldp_buf_clear(&b);
	assert_int_equal(ldp_partition_path(&none, &schema, NULL, &b), 0);
	assert_string_equal(ldp_buf_cstr(&b), "");
	/* a source id missing from the schema names the partition field */
	ldp_partition_field bad[1] = {{.source_id = 99, .field_id = 1000, .name = "ghost", .transform = tr(LDP_TR_IDENTITY, 0)}};
	ldp_partition_spec bs = {2, 1, bad};
	assert_int_equal(ldp_partition_path(&bs, &schema, tuple, &b), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "ghost"));
	ldp_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_murmur3_raw),
		cmocka_unit_test(test_hash_spec_vectors),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_truncate_spec_examples),
		cmocka_unit_test(test_time_transforms),
		cmocka_unit_test(test_check_and_result_types),
		cmocka_unit_test(test_human_strings),
		cmocka_unit_test(test_partition_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
