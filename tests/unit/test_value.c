/*
 * Single values: Appendix D serialization against hand-written bytes,
 * DuckDB text parsing, SQL literal round trips through DuckDB, ordering and
 * truncated bounds.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format/value.h"
#include "ldp/engine.h"
#include "ldp/error.h"

static ldp_arena A;

static int setup(void **state)
{
	(void)state;
	ldp_arena_init(&A, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ldp_arena_free(&A);
	return 0;
}

static ldp_type type_of(ldp_type_id id)
{
	ldp_type t;
	memset(&t, 0, sizeof t);
	t.id = id;
	return t;
}

static ldp_type dec_type(int p, int s)
{
	ldp_type t = type_of(LDP_T_DECIMAL);
	t.precision = p;
	t.scale = s;
	return t;
}

static ldp_value val(ldp_type_id id)
{
	ldp_value v = ldp_value_null(id);
	v.is_null = false;
	return v;
}

static ldp_value v_bytes(ldp_type_id id, const void *p, size_t n)
{
	ldp_value v = val(id);
	v.v.bytes.ptr = p;
	v.v.bytes.len = n;
	return v;
}

/* Serialize, compare with the expected bytes, decode and compare again. */
static void roundtrip(ldp_value v, ldp_type t, const uint8_t *want, size_t n)
{
	const uint8_t *got;
	size_t len;
	assert_int_equal(ldp_value_to_bytes(&v, &t, &A, &got, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
	ldp_value back;
	assert_int_equal(ldp_value_from_bytes(&t, want, n, &A, &back), 0);
	assert_int_equal(back.type, t.id);
	assert_false(back.is_null);
	assert_int_equal(ldp_value_compare(&v, &back), 0);
}

static void test_serialize_fixed_width(void **state)
{
	(void)state;
	ldp_value v = val(LDP_T_INT);
	v.v.i32 = 1;
	roundtrip(v, type_of(LDP_T_INT), (const uint8_t[]){0x01, 0x00, 0x00, 0x00}, 4);
	v.v.i32 = -2;
	roundtrip(v, type_of(LDP_T_INT), (const uint8_t[]){0xfe, 0xff, 0xff, 0xff}, 4);
	v = val(LDP_T_DATE);
	v.v.i32 = 19358; /* 2023-01-01 = 0x4B9E */
	roundtrip(v, type_of(LDP_T_DATE), (const uint8_t[]){0x9e, 0x4b, 0x00, 0x00}, 4);
	v = val(LDP_T_LONG);
	v.v.i64 = 0x0102030405060708;
	roundtrip(v, type_of(LDP_T_LONG), (const uint8_t[]){8, 7, 6, 5, 4, 3, 2, 1}, 8);
	v = val(LDP_T_TIMESTAMPTZ);
	v.v.i64 = -1;
	roundtrip(v, type_of(LDP_T_TIMESTAMPTZ), (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 8);
	v = val(LDP_T_BOOLEAN);
	v.v.b = true;
	roundtrip(v, type_of(LDP_T_BOOLEAN), (const uint8_t[]){0x01}, 1);
	v.v.b = false;
	roundtrip(v, type_of(LDP_T_BOOLEAN), (const uint8_t[]){0x00}, 1);
	/* IEEE 754: 1.0f = 0x3F800000, 1.0 = 0x3FF0000000000000, -2.5 = 0xC004000000000000 */
	v = val(LDP_T_FLOAT);
	v.v.f32 = 1.0f;
	roundtrip(v, type_of(LDP_T_FLOAT), (const uint8_t[]){0x00, 0x00, 0x80, 0x3f}, 4);
	v = val(LDP_T_DOUBLE);
	v.v.f64 = 1.0;
	roundtrip(v, type_of(LDP_T_DOUBLE), (const uint8_t[]){0, 0, 0, 0, 0, 0, 0xf0, 0x3f}, 8);
	v.v.f64 = -2.5;
	roundtrip(v, type_of(LDP_T_DOUBLE), (const uint8_t[]){0, 0, 0, 0, 0, 0, 0x04, 0xc0}, 8);

	/* any non-zero byte is true; wrong lengths are corrupt */
	ldp_value out;
	ldp_type bt = type_of(LDP_T_BOOLEAN), it = type_of(LDP_T_INT);
	assert_int_equal(ldp_value_from_bytes(&bt, (const uint8_t[]){0x02}, 1, NULL, &out), 0);
	assert_true(out.v.b);
	assert_int_equal(ldp_value_from_bytes(&it, (const uint8_t[]){1, 0, 0}, 3, NULL, &out), LDP_ECORRUPT);
	ldp_value nul = ldp_value_null(LDP_T_INT);
	const uint8_t *p;
	size_t n;
	assert_int_equal(ldp_value_to_bytes(&nul, &it, &A, &p, &n), LDP_EINVALID);
}

static void test_serialize_decimal(void **state)
{
	(void)state;
	ldp_type t = dec_type(38, 2);
	struct {
		__int128 v;
		uint8_t b[3];
		size_t n;
	} cases[] = {
		{1420, {0x05, 0x8c}, 2}, /* 14.20 */
		{0, {0x00}, 1},
		{1, {0x01}, 1},
		{-1, {0xff}, 1},
		{127, {0x7f}, 1},
		{128, {0x00, 0x80}, 2},
		{-128, {0x80}, 1},
		{-129, {0xff, 0x7f}, 2},
		{255, {0x00, 0xff}, 2},
		{65536, {0x01, 0x00, 0x00}, 3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ldp_value v = val(LDP_T_DECIMAL);
		v.v.dec = cases[i].v;
		roundtrip(v, t, cases[i].b, cases[i].n);
	}
	/* the largest 38-digit values take 16 bytes */
	ldp_value big = val(LDP_T_DECIMAL);
	big.v.dec = -(__int128)1;
	for (int i = 0; i < 38; i++)
		big.v.dec *= 10;
	const uint8_t *p;
	size_t n;
	assert_int_equal(ldp_value_to_bytes(&big, &t, &A, &p, &n), 0);
	assert_int_equal(n, 16);
	ldp_value back;
	assert_int_equal(ldp_value_from_bytes(&t, p, n, NULL, &back), 0);
	assert_true(back.v.dec == big.v.dec);
	/* padded (fixed-length) encodings decode too */
	assert_int_equal(ldp_value_from_bytes(&t, (const uint8_t[]){0xff, 0xff, 0xff, 0x7f}, 4, NULL, &back), 0);
	assert_true(back.v.dec == -129);
	uint8_t wide[17];
	memset(wide, 0xff, sizeof wide);
	assert_int_equal(ldp_value_from_bytes(&t, wide, 17, NULL, &back), 0);
	assert_true(back.v.dec == -1);
	wide[0] = 0x00;
	assert_int_equal(ldp_value_from_bytes(&t, wide, 17, NULL, &back), LDP_ECORRUPT);
}

static void test_serialize_bytes(void **state)
{
	(void)state;
	roundtrip(v_bytes(LDP_T_STRING, "iceberg", 7), type_of(LDP_T_STRING), (const uint8_t *)"iceberg", 7);
	roundtrip(v_bytes(LDP_T_STRING, "", 0), type_of(LDP_T_STRING), (const uint8_t *)"", 0);
	static const uint8_t uuid[16] = {0xF7, 0x9C, 0x3E, 0x09, 0x67, 0x7C, 0x4B, 0xBD,
					 0xA4, 0x79, 0x3F, 0x34, 0x9C, 0xB7, 0x85, 0xE7};
	roundtrip(v_bytes(LDP_T_UUID, uuid, 16), type_of(LDP_T_UUID), uuid, 16);
	ldp_type f4 = type_of(LDP_T_FIXED);
	f4.length = 4;
	roundtrip(v_bytes(LDP_T_FIXED, "\x00\x01\x02\x03", 4), f4, (const uint8_t *)"\x00\x01\x02\x03", 4);
	ldp_value out;
	assert_int_equal(ldp_value_from_bytes(&f4, uuid, 3, NULL, &out), LDP_ECORRUPT);
	ldp_type ut = type_of(LDP_T_UUID);
	assert_int_equal(ldp_value_from_bytes(&ut, uuid, 15, NULL, &out), LDP_ECORRUPT);
	/* without an arena the bytes are borrowed */
	ldp_type bt = type_of(LDP_T_BINARY);
	assert_int_equal(ldp_value_from_bytes(&bt, uuid, 16, NULL, &out), 0);
	assert_ptr_equal(out.v.bytes.ptr, uuid);
	ldp_type st = type_of(LDP_T_STRUCT);
	assert_int_equal(ldp_value_from_bytes(&st, uuid, 16, NULL, &out), LDP_EUNSUPPORTED);
}

/* ---- DuckDB text ---- */

static ldp_value parse_ok(ldp_type t, const char *text)
{
	ldp_value v;
	if (ldp_value_parse_duckdb(&t, text, &A, &v))
		fail_msg("parsing '%s': %s", text ? text : "(null)", ldp_error_last()->message);
	assert_int_equal(v.type, t.id);
	return v;
}

static void parse_bad(ldp_type t, const char *text)
{
	ldp_value v;
	assert_int_equal(ldp_value_parse_duckdb(&t, text, &A, &v), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, text));
}

static void test_parse_duckdb_text(void **state)
{
	(void)state;
	const int64_t us_day = INT64_C(86400000000), us_hour = INT64_C(3600000000);
	assert_true(parse_ok(type_of(LDP_T_BOOLEAN), "true").v.b);
	assert_false(parse_ok(type_of(LDP_T_BOOLEAN), "false").v.b);
	assert_true(parse_ok(type_of(LDP_T_INT), NULL).is_null);
	assert_int_equal(parse_ok(type_of(LDP_T_INT), "-2147483648").v.i32, INT32_MIN);
	parse_bad(type_of(LDP_T_INT), "2147483648");
	parse_bad(type_of(LDP_T_INT), "12abc");
	assert_int_equal(parse_ok(type_of(LDP_T_LONG), "-9223372036854775808").v.i64, INT64_MIN);
	assert_true(parse_ok(dec_type(9, 2), "12.50").v.dec == 1250);
	assert_true(parse_ok(dec_type(9, 2), "12.5").v.dec == 1250);
	assert_true(parse_ok(dec_type(9, 2), "-0.05").v.dec == -5);
	assert_true(parse_ok(dec_type(9, 2), "7").v.dec == 700);
	assert_true(parse_ok(dec_type(9, 0), "-123").v.dec == -123);
	parse_bad(dec_type(9, 2), "12.505");   /* more digits than the scale */
	parse_bad(dec_type(4, 2), "123.00");   /* more digits than the precision */
	assert_true(parse_ok(type_of(LDP_T_DOUBLE), "1e+20").v.f64 == 1e20);
	assert_true(isinf(parse_ok(type_of(LDP_T_DOUBLE), "-inf").v.f64));
	assert_true(isnan(parse_ok(type_of(LDP_T_DOUBLE), "nan").v.f64));
	assert_true(parse_ok(type_of(LDP_T_FLOAT), "0.1").v.f32 == 0.1f);

	/* dates: 0001-01-01 is 719162 days before the epoch, 1 BC (year 0) is a leap year */
	assert_int_equal(parse_ok(type_of(LDP_T_DATE), "2023-01-01").v.i32, 19358);
	assert_int_equal(parse_ok(type_of(LDP_T_DATE), "1969-12-31").v.i32, -1);
	assert_int_equal(parse_ok(type_of(LDP_T_DATE), "0001-01-01").v.i32, -719162);
	assert_int_equal(parse_ok(type_of(LDP_T_DATE), "0001-12-31 (BC)").v.i32, -719163);
	assert_int_equal(parse_ok(type_of(LDP_T_DATE), "0001-01-01 (BC)").v.i32, -719162 - 366);
	parse_bad(type_of(LDP_T_DATE), "2023-02-29");
	parse_bad(type_of(LDP_T_DATE), "infinity");

	assert_int_equal(parse_ok(type_of(LDP_T_TIME), "10:00:00.5").v.i64, 10 * us_hour + 500000);
	assert_int_equal(parse_ok(type_of(LDP_T_TIME), "23:59:59.999999").v.i64, us_day - 1);
	int64_t t10 = 19358 * us_day + 10 * us_hour;
	assert_int_equal(parse_ok(type_of(LDP_T_TIMESTAMP), "2023-01-01 10:00:00").v.i64, t10);
	assert_int_equal(parse_ok(type_of(LDP_T_TIMESTAMP), "2023-01-01 10:00:00.000001").v.i64, t10 + 1);
	assert_int_equal(parse_ok(type_of(LDP_T_TIMESTAMP), "1969-12-31 23:59:59.999999").v.i64, -1);
	parse_bad(type_of(LDP_T_TIMESTAMP), "2023-01-01 10:00:00.0000001"); /* finer than a microsecond */
	assert_int_equal(parse_ok(type_of(LDP_T_TIMESTAMPTZ), "2023-01-01 10:00:00+00").v.i64, t10);
	assert_int_equal(parse_ok(type_of(LDP_T_TIMESTAMPTZ), "2023-01-01 10:00:00+05:30").v.i64,
			 t10 - 5 * us_hour - 30 * INT64_C(60000000));
	/* the spec's Appendix B instant 2017-11-16T14:31:08-08:00 = 22:31:08 UTC */
	assert_int_equal(parse_ok(type_of(LDP_T_TIMESTAMPTZ), "2017-11-16 14:31:08-08").v.i64,
			 17486 * us_day + INT64_C(81068000000));
	assert_int_equal(parse_ok(type_of(LDP_T_TIMESTAMP_NS), "2023-01-01 10:00:00.123456789").v.i64,
			 t10 * 1000 + 123456789);
	assert_int_equal(parse_ok(type_of(LDP_T_TIMESTAMPTZ_NS), "1969-12-31 23:59:59.999999999+00").v.i64, -1);

	ldp_value s = parse_ok(type_of(LDP_T_STRING), "h\xc3\xa9");
	assert_int_equal(s.v.bytes.len, 3);
	ldp_value u = parse_ok(type_of(LDP_T_UUID), "f79c3e09-677c-4bbd-a479-3f349cb785e7");
	assert_memory_equal(u.v.bytes.ptr, "\xF7\x9C\x3E\x09\x67\x7C\x4B\xBD\xA4\x79\x3F\x34\x9C\xB7\x85\xE7", 16);
	parse_bad(type_of(LDP_T_UUID), "f79c3e09-677c");
	ldp_value b = parse_ok(type_of(LDP_T_BINARY), "\\xAB\\x00a\\x5C");
	assert_int_equal(b.v.bytes.len, 4);
	assert_memory_equal(b.v.bytes.ptr, "\xab\x00" "a\\", 4);
	ldp_type f2 = type_of(LDP_T_FIXED);
	f2.length = 2;
	parse_bad(f2, "abc");
}

/* ---- SQL literals ---- */

static void assert_sql(ldp_value v, ldp_type t, const char *want)
{
	ldp_buf b = LDP_BUF_INIT;
	assert_int_equal(ldp_value_to_sql(&v, &t, &b), 0);
	assert_string_equal(ldp_buf_cstr(&b), want);
	ldp_buf_free(&b);
}

static void test_sql_literals(void **state)
{
	(void)state;
	ldp_value v = val(LDP_T_DATE);
	v.v.i32 = -719163;
	assert_sql(v, type_of(LDP_T_DATE), "DATE '0001-12-31 (BC)'");
	v = val(LDP_T_TIMESTAMPTZ);
	v.v.i64 = -1;
	assert_sql(v, type_of(LDP_T_TIMESTAMPTZ), "TIMESTAMPTZ '1969-12-31 23:59:59.999999+00'");
	v = val(LDP_T_DECIMAL);
	v.v.dec = -5;
	assert_sql(v, dec_type(9, 2), "CAST('-0.05' AS DECIMAL(9,2))");
	assert_sql(v_bytes(LDP_T_STRING, "it's", 4), type_of(LDP_T_STRING), "'it''s'");
	assert_sql(v_bytes(LDP_T_BINARY, "'\\", 2), type_of(LDP_T_BINARY), "CAST('\\x27\\x5C' AS BLOB)");
	assert_sql(ldp_value_null(LDP_T_INT), type_of(LDP_T_INT), "NULL");
}

/* Literals of the types the transform SQL tests do not cover, read back
 * through DuckDB's text: to_sql and parse_duckdb must be inverses. */
static void test_sql_roundtrip_duckdb(void **state)
{
	(void)state;
	ldp_engine *e;
	assert_int_equal(ldp_engine_open(&e, NULL, NULL), 0);
	ldp_value vals[16];
	ldp_type types[16];
	size_t n = 0;
	const double dbl[] = {0.1, -2.5e-300, 1e300, 5e-324, -0.0, INFINITY, 123456789.125};
	for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
		vals[n] = val(LDP_T_DOUBLE);
		vals[n].v.f64 = dbl[i];
		types[n++] = type_of(LDP_T_DOUBLE);
	}
	vals[n] = val(LDP_T_FLOAT);
	vals[n].v.f32 = 3.4028235e38f;
	types[n++] = type_of(LDP_T_FLOAT);
	vals[n] = val(LDP_T_BOOLEAN);
	vals[n].v.b = true;
	types[n++] = type_of(LDP_T_BOOLEAN);
	vals[n] = val(LDP_T_DECIMAL);
	vals[n].v.dec = -(__int128)99999999999999999 * 1000000000000000000 - 123;
	types[n++] = dec_type(38, 10);
	vals[n] = val(LDP_T_DECIMAL);
	vals[n].v.dec = 1;
	types[n++] = dec_type(5, 5);
	vals[n] = v_bytes(LDP_T_FIXED, "\x00\xff'", 3);
	types[n] = type_of(LDP_T_FIXED);
	types[n++].length = 3;
	vals[n] = val(LDP_T_TIMESTAMPTZ_NS);
	vals[n].v.i64 = -1;
	types[n++] = type_of(LDP_T_TIMESTAMPTZ_NS);
	for (size_t i = 0; i < n; i++) {
		ldp_buf q = LDP_BUF_INIT;
		ldp_buf_puts(&q, "SELECT CAST(");
		assert_int_equal(ldp_value_to_sql(&vals[i], &types[i], &q), 0);
		ldp_buf_puts(&q, " AS VARCHAR)");
		char *text = NULL;
		if (ldp_engine_query_text(e, ldp_buf_cstr(&q), &text))
			fail_msg("%s: %s", ldp_buf_cstr(&q), ldp_error_last()->message);
		ldp_value back;
		if (ldp_value_parse_duckdb(&types[i], text, &A, &back))
			fail_msg("%s gave '%s': %s", ldp_buf_cstr(&q), text, ldp_error_last()->message);
		if (ldp_value_compare(&vals[i], &back) != 0)
			fail_msg("%s came back as '%s'", ldp_buf_cstr(&q), text);
		free(text);
		ldp_buf_free(&q);
	}
	ldp_engine_free(e);
}

/* ---- order ---- */

static void test_compare(void **state)
{
	(void)state;
	ldp_value a = v_bytes(LDP_T_STRING, "a", 1), e = v_bytes(LDP_T_STRING, "\xc3\xa9", 2),
		  j = v_bytes(LDP_T_STRING, "\xe6\x97\xa5", 3), ab = v_bytes(LDP_T_STRING, "ab", 2),
		  abc = v_bytes(LDP_T_STRING, "abc", 3), emoji = v_bytes(LDP_T_STRING, "\xf0\x9f\x8e\x89", 4);
	/* code point order: U+0061 < U+00E9 < U+65E5 < U+1F389 */
	assert_true(ldp_value_compare(&a, &e) < 0);
	assert_true(ldp_value_compare(&e, &j) < 0);
	assert_true(ldp_value_compare(&j, &emoji) < 0);
	assert_true(ldp_value_compare(&ab, &abc) < 0);
	assert_true(ldp_value_compare(&abc, &ab) > 0);
	assert_int_equal(ldp_value_compare(&ab, &ab), 0);
	ldp_value x = val(LDP_T_DOUBLE), y = val(LDP_T_DOUBLE);
	x.v.f64 = -0.0;
	y.v.f64 = 0.0;
	assert_true(ldp_value_compare(&x, &y) < 0);
	x.v.f64 = NAN;
	y.v.f64 = INFINITY;
	assert_true(ldp_value_compare(&x, &y) > 0);
	ldp_value n = ldp_value_null(LDP_T_DOUBLE);
	assert_true(ldp_value_compare(&n, &y) < 0);
	assert_true(ldp_value_compare(&y, &n) > 0);
	ldp_value d1 = val(LDP_T_DECIMAL), d2 = val(LDP_T_DECIMAL);
	d1.v.dec = -1;
	d2.v.dec = (__int128)1 << 100;
	assert_true(ldp_value_compare(&d1, &d2) < 0);
	ldp_value u1 = v_bytes(LDP_T_UUID, "\x7f\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16),
		  u2 = v_bytes(LDP_T_UUID, "\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_true(ldp_value_compare(&u1, &u2) < 0); /* unsigned */
}

/* ---- truncated bounds ---- */

static void assert_bytes(ldp_value v, const char *want, size_t n)
{
	assert_false(v.is_null);
	assert_int_equal(v.v.bytes.len, n);
	assert_memory_equal(v.v.bytes.ptr, want, n);
}

static void test_bounds(void **state)
{
	(void)state;
	ldp_value lo, hi;
	ldp_value s = v_bytes(LDP_T_STRING, "abcdefghijklmnopqrstu", 21);
	assert_int_equal(ldp_value_bound_lower(&s, 16, &lo), 0);
	assert_int_equal(ldp_value_bound_upper(&s, 16, &A, &hi), 0);
	assert_bytes(lo, "abcdefghijklmnop", 16);
	assert_bytes(hi, "abcdefghijklmnoq", 16);
	/* short values are their own bounds */
	ldp_value sh = v_bytes(LDP_T_STRING, "abc", 3);
	assert_int_equal(ldp_value_bound_upper(&sh, 16, &A, &hi), 0);
	assert_ptr_equal(hi.v.bytes.ptr, sh.v.bytes.ptr);
	/* code points: 3 x U+00E9 at width 2 -> lower U+00E9 U+00E9, upper U+00E9 U+00EA */
	ldp_value e3 = v_bytes(LDP_T_STRING, "\xc3\xa9\xc3\xa9\xc3\xa9", 6);
	assert_int_equal(ldp_value_bound_lower(&e3, 2, &lo), 0);
	assert_int_equal(ldp_value_bound_upper(&e3, 2, &A, &hi), 0);
	assert_bytes(lo, "\xc3\xa9\xc3\xa9", 4);
	assert_bytes(hi, "\xc3\xa9\xc3\xaa", 4);
	/* U+007F + 1 needs two bytes */
	ldp_value del = v_bytes(LDP_T_STRING, "a\x7f" "b", 3);
	assert_int_equal(ldp_value_bound_upper(&del, 2, &A, &hi), 0);
	assert_bytes(hi, "a\xc2\x80", 3);
	/* the last code point U+10FFFF cannot grow: drop it, increment the one before */
	ldp_value mx = v_bytes(LDP_T_STRING, "a\xf4\x8f\xbf\xbfz", 6);
	assert_int_equal(ldp_value_bound_upper(&mx, 2, &A, &hi), 0);
	assert_bytes(hi, "b", 1);
	ldp_value all = v_bytes(LDP_T_STRING, "\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbfz", 9);
	assert_int_equal(ldp_value_bound_upper(&all, 2, &A, &hi), 0);
	assert_true(hi.is_null); /* no upper bound */
	/* U+D7FF + 1 would be a surrogate: jump to U+E000 */
	ldp_value sur = v_bytes(LDP_T_STRING, "\xed\x9f\xbfxy", 5);
	assert_int_equal(ldp_value_bound_upper(&sur, 1, &A, &hi), 0);
	assert_bytes(hi, "\xee\x80\x80", 3);

	ldp_value b = v_bytes(LDP_T_BINARY, "\x01\x02\xff\xff\x05", 5);
	assert_int_equal(ldp_value_bound_lower(&b, 4, &lo), 0);
	assert_int_equal(ldp_value_bound_upper(&b, 4, &A, &hi), 0);
	assert_bytes(lo, "\x01\x02\xff\xff", 4);
	assert_bytes(hi, "\x01\x03", 2);
	ldp_value ff = v_bytes(LDP_T_BINARY, "\xff\xff\xff", 3);
	assert_int_equal(ldp_value_bound_upper(&ff, 2, &A, &hi), 0);
	assert_true(hi.is_null);
	/* other types pass through */
	ldp_value i = val(LDP_T_LONG);
	i.v.i64 = 42;
	assert_int_equal(ldp_value_bound_upper(&i, 1, &A, &hi), 0);
	assert_int_equal(hi.v.i64, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serialize_fixed_width),
		cmocka_unit_test(test_serialize_decimal),
		cmocka_unit_test(test_serialize_bytes),
		cmocka_unit_test(test_parse_duckdb_text),
		cmocka_unit_test(test_sql_literals),
		cmocka_unit_test(test_sql_roundtrip_duckdb),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
