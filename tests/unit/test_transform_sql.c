/*
 * The SQL forms of the transforms (ldp_transform_sql + the ldp_bucket and
 * ldp_truncate DuckDB functions) must agree with ldp_transform_apply on every
 * value: negatives, nulls, dates before 1970 and before year 1, timestamps a
 * tick before midnight, multi-byte UTF-8 strings. The session time zone is
 * deliberately not UTC so that a timestamptz expression that forgot UTC
 * would be caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format/transform.h"
#include "format/value.h"
#include "ldp/engine.h"
#include "ldp/error.h"

#define NVALS 240

static ldp_engine *E;
static ldp_arena A;
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* splitmix64: deterministic, so failures reproduce */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int64_t rnd_range(int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
	return (int64_t)((uint64_t)lo + rnd() % span);
}

static ldp_type type_of(ldp_type_id id)
{
	ldp_type t;
	memset(&t, 0, sizeof t);
	t.id = id;
	return t;
}

static ldp_transform tr(ldp_transform_kind k, int32_t param)
{
	ldp_transform t = {k, param, NULL};
	return t;
}

static int setup(void **state)
{
	(void)state;
	ldp_engine_options o = {.threads = 1, .timezone = "America/Los_Angeles"};
	if (ldp_engine_open(&E, NULL, &o) || ldp_register_iceberg_functions(E))
		return -1;
	ldp_arena_init(&A, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ldp_engine_free(E);
	ldp_arena_free(&A);
	return 0;
}

/* Values of type `t`: fixed edge cases first, then random ones, one null. */
static size_t gen_values(const ldp_type *t, ldp_value *v)
{
	static const char *const strs[] = {"",
					   "a",
					   "iceberg",
					   "h\xc3\xa9llo w\xc3\xb6rld",
					   "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad",
					   "\xf0\x9f\x8e\x89\xf0\x9f\x8e\x89x",
					   "e\xcc\x81" "e\xcc\x81" "e\xcc\x81",
					   "it's \\ quoted"};
	static const char *const pieces[] = {"a", "Z", "0", " ", "'", "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x8e\x89",
					     "\xcc\x81"};
	static const int64_t edges[] = {0, 1, -1, 2, -2, 9, -9, 10, -10, 11, -11, 999, -999, 1000, -1000, 1001, -1001};
	size_t n = 0;
	v[n++] = ldp_value_null(t->id);
	for (; n < NVALS; n++) {
		ldp_value *x = &v[n];
		*x = ldp_value_null(t->id);
		x->is_null = false;
		int edge = n <= sizeof edges / sizeof edges[0];
		int64_t e = edge ? edges[n - 1] : 0;
		switch (t->id) {
		case LDP_T_INT: x->v.i32 = (int32_t)(edge ? e : rnd_range(-(1 << 30), 1 << 30)); break;
		case LDP_T_LONG: x->v.i64 = edge ? e : rnd_range(-(INT64_C(1) << 62), INT64_C(1) << 62); break;
		case LDP_T_DATE: x->v.i32 = (int32_t)(edge ? e : rnd_range(-1000000, 1000000)); break;
		case LDP_T_TIME: x->v.i64 = rnd_range(0, INT64_C(86400000000) - 1); break;
		case LDP_T_TIMESTAMP:
		case LDP_T_TIMESTAMPTZ: x->v.i64 = edge ? e : rnd_range(-(INT64_C(1) << 55), INT64_C(1) << 55); break;
		case LDP_T_TIMESTAMP_NS:
		case LDP_T_TIMESTAMPTZ_NS: x->v.i64 = edge ? e : rnd_range(-(INT64_C(1) << 62), INT64_C(1) << 62); break;
		case LDP_T_DECIMAL:
			if (edge)
				x->v.dec = e;
			else if (t->precision <= 18)
				x->v.dec = rnd_range(-INT64_C(99999999999999999), INT64_C(99999999999999999));
			else /* up to ~36 digits */
				x->v.dec = (__int128)rnd_range(-INT64_C(999999999999999999), INT64_C(999999999999999999)) *
					   INT64_C(1000000000000000000) + rnd_range(0, INT64_C(999999999999999999));
			break;
		case LDP_T_STRING: {
			ldp_buf b = LDP_BUF_INIT;
			if (n - 1 < sizeof strs / sizeof strs[0])
				ldp_buf_puts(&b, strs[n - 1]);
			else
				for (int64_t k = rnd_range(0, 12); k > 0; k--)
					ldp_buf_puts(&b, pieces[rnd() % (sizeof pieces / sizeof pieces[0])]);
			x->v.bytes.len = b.len;
			x->v.bytes.ptr = (const uint8_t *)ldp_arena_strdup(&A, ldp_buf_cstr(&b));
			ldp_buf_free(&b);
			break;
		}
		case LDP_T_UUID:
		case LDP_T_BINARY: {
			size_t len = t->id == LDP_T_UUID ? 16 : (size_t)rnd_range(0, 20);
			uint8_t *p = ldp_arena_alloc(&A, len + 1);
			for (size_t k = 0; k < len; k++)
				p[k] = (uint8_t)rnd();
			x->v.bytes.ptr = p;
			x->v.bytes.len = len;
			break;
		}
		default: fail_msg("no generator for type %d", (int)t->id);
		}
	}
	return n;
}

/* Run the transform in DuckDB over all values and compare row by row. */
static void check_sql(ldp_transform t, const ldp_type *src)
{
	ldp_value vals[NVALS];
	size_t n = gen_values(src, vals);
	ldp_type rt;
	assert_int_equal(ldp_transform_result_type(&t, src, &rt), 0);

	ldp_buf q = LDP_BUF_INIT, expr = LDP_BUF_INIT;
	assert_int_equal(ldp_transform_sql(&t, "x", src, &expr), 0);
	ldp_transform vd = tr(LDP_TR_VOID, 0);
	/* DuckDB renders a timestamptz in the session zone with the offset cut to
	 * minutes (LMT -07:52:58 prints as -07:52): read it back in UTC */
	if (rt.id == LDP_T_TIMESTAMPTZ)
		ldp_buf_printf(&q, "SELECT i, CAST(timezone('UTC', %s) AS VARCHAR) FROM (VALUES ", ldp_buf_cstr(&expr));
	else
		ldp_buf_printf(&q, "SELECT i, CAST(%s AS VARCHAR) FROM (VALUES ", ldp_buf_cstr(&expr));
	for (size_t i = 0; i < n; i++) {
		ldp_buf_puts(&q, i ? ", (" : "(");
		if (vals[i].is_null)
			assert_int_equal(ldp_transform_sql(&vd, "x", src, &q), 0); /* a typed NULL */
		else
			assert_int_equal(ldp_value_to_sql(&vals[i], src, &q), 0);
		ldp_buf_printf(&q, ", %zu)", i);
	}
	ldp_buf_puts(&q, ") v(x, i) ORDER BY i");

	ldp_result *r = NULL;
	if (ldp_engine_query(E, ldp_buf_cstr(&q), &r))
		fail_msg("query failed: %s\n%s", ldp_error_last()->message, ldp_buf_cstr(&expr));
	ldp_chunk *c;
	size_t row = 0;
	ldp_buf txt = LDP_BUF_INIT, h = LDP_BUF_INIT;
	while (ldp_result_fetch(r, &c) == 0 && c) {
		for (size_t k = 0; k < ldp_chunk_rows(c); k++, row++) {
			size_t i = (size_t)ldp_chunk_get_int64(c, 0, k);
			ldp_value want, got;
			assert_int_equal(ldp_transform_apply(&t, src, &vals[i], &want), 0);
			ldp_buf_clear(&txt);
			if (!ldp_chunk_is_null(c, 1, k))
				ldp_chunk_format(c, 1, k, LDP_VALUE_TEXT, &txt);
			if (ldp_value_parse_duckdb(&rt, ldp_chunk_is_null(c, 1, k) ? NULL : ldp_buf_cstr(&txt), &A, &got))
				fail_msg("row %zu: %s", i, ldp_error_last()->message);
			if (want.is_null != got.is_null || (!want.is_null && ldp_value_compare(&want, &got) != 0)) {
				ldp_buf in = LDP_BUF_INIT;
				ldp_value_to_sql(&vals[i], src, &in);
				ldp_buf_clear(&h);
				ldp_transform_human_string(&t, src, &want, &h);
				fail_msg("%s over %s: input %s: C gives %s, DuckDB gives %s", ldp_buf_cstr(&expr),
					 ldp_value_type_name(src->id), ldp_buf_cstr(&in), ldp_buf_cstr(&h),
					 ldp_chunk_is_null(c, 1, k) ? "NULL" : ldp_buf_cstr(&txt));
			}
		}
	}
	assert_int_equal(row, n);
	ldp_result_free(r);
	ldp_buf_free(&q);
	ldp_buf_free(&expr);
	ldp_buf_free(&txt);
	ldp_buf_free(&h);
}

static void test_bucket_sql(void **state)
{
	(void)state;
	static const ldp_type_id ids[] = {LDP_T_INT,       LDP_T_LONG,        LDP_T_DATE,   LDP_T_TIME,
					  LDP_T_TIMESTAMP, LDP_T_TIMESTAMPTZ, LDP_T_TIMESTAMP_NS, LDP_T_STRING,
					  LDP_T_BINARY,    LDP_T_UUID};
	static const int32_t ns[] = {1, 7, 16, 1000};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		ldp_type t = type_of(ids[i]);
		for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++)
			check_sql(tr(LDP_TR_BUCKET, ns[k]), &t);
	}
	ldp_type d1 = type_of(LDP_T_DECIMAL), d2 = type_of(LDP_T_DECIMAL);
	d1.precision = 18, d1.scale = 2;
	d2.precision = 38, d2.scale = 10;
	check_sql(tr(LDP_TR_BUCKET, 16), &d1);
	check_sql(tr(LDP_TR_BUCKET, 16), &d2);
}

static void test_truncate_sql(void **state)
{
	(void)state;
	static const ldp_type_id ids[] = {LDP_T_INT, LDP_T_LONG, LDP_T_STRING, LDP_T_BINARY};
	static const int32_t ws[] = {1, 3, 10, 1000};
	ldp_type d1 = type_of(LDP_T_DECIMAL), d2 = type_of(LDP_T_DECIMAL);
	d1.precision = 18, d1.scale = 2;
	d2.precision = 38, d2.scale = 10;
	for (size_t k = 0; k < sizeof ws / sizeof ws[0]; k++) {
		for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
			ldp_type t = type_of(ids[i]);
			check_sql(tr(LDP_TR_TRUNCATE, ws[k]), &t);
		}
		check_sql(tr(LDP_TR_TRUNCATE, ws[k]), &d1);
		check_sql(tr(LDP_TR_TRUNCATE, ws[k]), &d2);
	}
}

static void test_time_sql(void **state)
{
	(void)state;
	static const ldp_type_id ids[] = {LDP_T_DATE, LDP_T_TIMESTAMP, LDP_T_TIMESTAMPTZ, LDP_T_TIMESTAMP_NS,
					  LDP_T_TIMESTAMPTZ_NS};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		ldp_type t = type_of(ids[i]);
		check_sql(tr(LDP_TR_YEAR, 0), &t);
		check_sql(tr(LDP_TR_MONTH, 0), &t);
		check_sql(tr(LDP_TR_DAY, 0), &t);
		if (ids[i] != LDP_T_DATE)
			check_sql(tr(LDP_TR_HOUR, 0), &t);
	}
}

static void test_identity_void_sql(void **state)
{
	(void)state;
	static const ldp_type_id ids[] = {LDP_T_INT,          LDP_T_LONG,   LDP_T_DATE,   LDP_T_TIME,
					  LDP_T_TIMESTAMP,    LDP_T_TIMESTAMPTZ, LDP_T_TIMESTAMP_NS,
					  LDP_T_STRING,       LDP_T_BINARY, LDP_T_UUID};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		ldp_type t = type_of(ids[i]);
		check_sql(tr(LDP_TR_IDENTITY, 0), &t);
		check_sql(tr(LDP_TR_VOID, 0), &t);
	}
}

static void test_bucket_function_direct(void **state)
{
	(void)state;
	/* the spec's Appendix B values through DuckDB's own types */
	char *s = NULL;
	assert_int_equal(ldp_engine_query_text(E,
					       "SELECT [ldp_bucket(34, 2147483647), ldp_bucket(34::BIGINT, 2147483647),"
					       " ldp_bucket('iceberg', 2147483647), ldp_bucket(14.20::DECIMAL(4,2), 2147483647),"
					       " ldp_bucket(DATE '2017-11-16', 2147483647),"
					       " ldp_bucket(TIMESTAMPTZ '2017-11-16 14:31:08-08', 2147483647),"
					       " ldp_bucket('f79c3e09-677c-4bbd-a479-3f349cb785e7'::UUID, 2147483647),"
					       " ldp_bucket('\\x00\\x01\\x02\\x03'::BLOB, 2147483647),"
					       " ldp_bucket(NULL::INTEGER, 16)]::VARCHAR",
					       &s),
			 0);
	/* (hash & INT_MAX) % INT_MAX: the hash itself for positive ones, else 2^31 + hash */
	char want[256];
	snprintf(want, sizeof want, "[%d, %d, %d, %d, %d, %d, %d, %d, NULL]", 2017239379, 2017239379, 1210000089,
		 (int)(2147483648LL - 500754589), (int)(2147483648LL - 653330422), (int)(2147483648LL - 2047944441),
		 1488055340, (int)(2147483648LL - 188683207));
	assert_string_equal(s, want);
	free(s);
	assert_int_not_equal(ldp_engine_query_text(E, "SELECT ldp_bucket(true, 4)", &s), 0);
	assert_int_not_equal(ldp_engine_query_text(E, "SELECT ldp_bucket(3, 0)", &s), 0);
	/* registering again is harmless */
	assert_int_equal(ldp_register_iceberg_functions(E), 0);
	assert_int_equal(ldp_engine_query_text(E, "SELECT ldp_bucket(34, 16)", &s), 0);
	assert_string_equal(s, "3"); /* 2017239379 % 16 */
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_function_direct),
		cmocka_unit_test(test_bucket_sql),
		cmocka_unit_test(test_truncate_sql),
		cmocka_unit_test(test_time_sql),
		cmocka_unit_test(test_identity_void_sql),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
