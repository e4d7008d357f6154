/*
 * Filter expressions for scan planning: normalising and binding,
 * inclusive and strict projection through each transform (expected
 * partition predicates computed by hand from the spec's transform
 * definitions and its Appendix B hash vector for int 34 -> bucket 3 of 16),
 * and the evaluators on partition tuples, manifest summaries and column
 * metrics, including nulls, NaN, -0.0, truncated string bounds and bounds
 * written before a type promotion.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "format/partition.h"
#include "format/schema.h"
#include "format/value.h"
#include "ldp/error.h"
#include "table/expr.h"

/* 2017-12-01 is day 17501 (2017-11-16 is 17486, see test_transform.c). */
#define D_2017_12_01 17501
#define US_DAY INT64_C(86400000000)

static ldp_arena A;
static ldp_schema *S;

static const char *SCHEMA =
	"{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
	"{\"id\":1,\"name\":\"id\",\"required\":false,\"type\":\"int\"},"
	"{\"id\":2,\"name\":\"x\",\"required\":false,\"type\":\"long\"},"
	"{\"id\":3,\"name\":\"s\",\"required\":false,\"type\":\"string\"},"
	"{\"id\":4,\"name\":\"ts\",\"required\":false,\"type\":\"timestamp\"},"
	"{\"id\":5,\"name\":\"d\",\"required\":false,\"type\":\"double\"},"
	"{\"id\":6,\"name\":\"f\",\"required\":false,\"type\":\"float\"},"
	"{\"id\":7,\"name\":\"amt\",\"required\":false,\"type\":\"decimal(9,2)\"}]}";

static int setup(void **state)
{
	(void)state;
	ldp_arena_init(&A, 4096);
	json_t *j = json_loads(SCHEMA, 0, NULL);
	assert_non_null(j);
	assert_int_equal(ldp_schema_parse(&A, j, "test", &S), 0);
	json_decref(j);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ldp_arena_free(&A);
	return 0;
}

static ldp_expr *P(ldp_expr_op op, const char *col, ldp_lit_kind k, const char *lit)
{
	return ldp_expr_pred(&A, op, col, k, lit ? 1 : 0, &lit);
}

static ldp_expr *B(ldp_expr *e)
{
	return ldp_expr_bind(&A, ldp_expr_normalize(&A, e), S);
}

static void expect_str(const ldp_expr *e, const char *want)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_expr_to_string(e, &b);
	if (strcmp(ldp_buf_cstr(&b), want) != 0)
		fail_msg("got  [%s]\nwant [%s]", ldp_buf_cstr(&b), want);
	ldp_buf_free(&b);
}

static ldp_partition_spec *spec(const char *fields)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "{\"spec-id\":1,\"fields\":[%s]}", fields);
	json_t *j = json_loads(buf, 0, NULL);
	assert_non_null(j);
	ldp_partition_spec *sp;
	assert_int_equal(ldp_partition_spec_parse(&A, j, "test", &sp), 0);
	json_decref(j);
	return sp;
}

static ldp_expr *proj(const ldp_partition_spec *sp, ldp_expr *e, bool strict)
{
	const ldp_type *src[8];
	for (size_t i = 0; i < sp->nfields; i++)
		src[i] = ldp_schema_field_by_id(S, sp->fields[i].source_id)->type;
	ldp_expr *b = B(e);
	return strict ? ldp_expr_project_strict(&A, b, sp, src) : ldp_expr_project_inclusive(&A, b, sp, src);
}

static void test_normalize_and_bind(void **state)
{
	(void)state;
	/* NOT (id < 5 AND s IS NULL) -> id >= 5 OR s IS NOT NULL */
	ldp_expr *e = ldp_expr_not(&A, ldp_expr_and(&A, P(LDP_EX_LT, "id", LDP_LIT_NUMBER, "5"),
						      P(LDP_EX_IS_NULL, "s", LDP_LIT_NUMBER, NULL)));
	expect_str(B(e), "(id >= CAST(5 AS INTEGER) OR s IS NOT NULL)");
	/* case-insensitive column match (DuckDB folds names) */
	expect_str(B(P(LDP_EX_EQ, "ID", LDP_LIT_NUMBER, "7")), "id = CAST(7 AS INTEGER)");
	/* things that cannot be bound become true, never false */
	expect_str(B(P(LDP_EX_EQ, "nope", LDP_LIT_NUMBER, "1")), "true");
	expect_str(B(P(LDP_EX_EQ, "id", LDP_LIT_STRING, "1")), "true");      /* '1' vs int: DuckDB's cast rules */
	expect_str(B(P(LDP_EX_EQ, "id", LDP_LIT_NUMBER, "2.5")), "true");    /* not an int */
	expect_str(B(P(LDP_EX_EQ, "id", LDP_LIT_NUMBER, "3000000000")), "true"); /* out of int range */
	expect_str(B(P(LDP_EX_GT, "f", LDP_LIT_NUMBER, "0.1")), "true");     /* float compares are ambiguous */
	expect_str(B(P(LDP_EX_EQ, "amt", LDP_LIT_NUMBER, "1.234")), "true"); /* more scale than decimal(9,2) */
	expect_str(B(P(LDP_EX_EQ, "amt", LDP_LIT_NUMBER, "1.5")), "amt = CAST('1.50' AS DECIMAL(9,2))");
	/* NOT over an unbindable predicate: normalised first, so it stays true */
	expect_str(B(ldp_expr_not(&A, P(LDP_EX_EQ, "nope", LDP_LIT_NUMBER, "1"))), "true");
	/* a date literal against a timestamp is midnight */
	expect_str(B(P(LDP_EX_GE, "ts", LDP_LIT_STRING, "2017-12-01")), "ts >= TIMESTAMP '2017-12-01 00:00:00'");
}

static void test_project_identity_bucket_void(void **state)
{
	(void)state;
	ldp_partition_spec *sp = spec("{\"source-id\":1,\"field-id\":1000,\"name\":\"id_bucket\",\"transform\":\"bucket[16]\"},"
				      "{\"source-id\":2,\"field-id\":1001,\"name\":\"x\",\"transform\":\"identity\"},"
				      "{\"source-id\":3,\"field-id\":1002,\"name\":\"s_null\",\"transform\":\"void\"}");
	/* Appendix B: hash(34) = 2017239379; 2017239379 mod 16 = 3 */
	expect_str(proj(sp, P(LDP_EX_EQ, "id", LDP_LIT_NUMBER, "34"), false), "id_bucket = CAST(3 AS INTEGER)");
	expect_str(proj(sp, P(LDP_EX_EQ, "id", LDP_LIT_NUMBER, "34"), true), "false");
	expect_str(proj(sp, P(LDP_EX_NE, "id", LDP_LIT_NUMBER, "34"), false), "true");
	expect_str(proj(sp, P(LDP_EX_NE, "id", LDP_LIT_NUMBER, "34"), true), "id_bucket != CAST(3 AS INTEGER)");
	expect_str(proj(sp, P(LDP_EX_LT, "id", LDP_LIT_NUMBER, "34"), false), "true");
	expect_str(proj(sp, P(LDP_EX_IS_NULL, "id", LDP_LIT_NUMBER, NULL), false), "id_bucket IS NULL");
	/* identity: the same predicate, inclusive and strict */
	expect_str(proj(sp, P(LDP_EX_LT, "x", LDP_LIT_NUMBER, "5"), false), "x < CAST(5 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_LT, "x", LDP_LIT_NUMBER, "5"), true), "x < CAST(5 AS BIGINT)");
	/* void: nothing known */
	expect_str(proj(sp, P(LDP_EX_EQ, "s", LDP_LIT_STRING, "a"), false), "true");
	expect_str(proj(sp, P(LDP_EX_EQ, "s", LDP_LIT_STRING, "a"), true), "false");
	/* AND / OR keep their shape */
	expect_str(proj(sp, ldp_expr_or(&A, P(LDP_EX_EQ, "id", LDP_LIT_NUMBER, "34"), P(LDP_EX_GE, "x", LDP_LIT_NUMBER, "9")), false),
		   "(id_bucket = CAST(3 AS INTEGER) OR x >= CAST(9 AS BIGINT))");
	/* a column without partition field: true / false */
	expect_str(proj(sp, P(LDP_EX_EQ, "d", LDP_LIT_NUMBER, "1"), false), "true");
	expect_str(proj(sp, P(LDP_EX_EQ, "d", LDP_LIT_NUMBER, "1"), true), "false");
}

static void test_project_truncate(void **state)
{
	(void)state;
	ldp_partition_spec *sp = spec("{\"source-id\":2,\"field-id\":1000,\"name\":\"x_trunc\",\"transform\":\"truncate[10]\"},"
				      "{\"source-id\":3,\"field-id\":1001,\"name\":\"s_trunc\",\"transform\":\"truncate[3]\"}");
	/* integers: rows in partition t are [t, t + 9] */
	expect_str(proj(sp, P(LDP_EX_LT, "x", LDP_LIT_NUMBER, "100"), false), "x_trunc <= CAST(90 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_LE, "x", LDP_LIT_NUMBER, "100"), false), "x_trunc <= CAST(100 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_GT, "x", LDP_LIT_NUMBER, "100"), false), "x_trunc >= CAST(100 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_GE, "x", LDP_LIT_NUMBER, "105"), false), "x_trunc >= CAST(100 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_EQ, "x", LDP_LIT_NUMBER, "-1"), false), "x_trunc = CAST(-10 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_LT, "x", LDP_LIT_NUMBER, "-1"), false), "x_trunc <= CAST(-10 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_LT, "x", LDP_LIT_NUMBER, "100"), true), "x_trunc < CAST(100 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_LE, "x", LDP_LIT_NUMBER, "100"), true), "x_trunc < CAST(100 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_LE, "x", LDP_LIT_NUMBER, "109"), true), "x_trunc < CAST(110 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_GT, "x", LDP_LIT_NUMBER, "100"), true), "x_trunc > CAST(100 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_GE, "x", LDP_LIT_NUMBER, "100"), true), "x_trunc > CAST(90 AS BIGINT)");
	expect_str(proj(sp, P(LDP_EX_EQ, "x", LDP_LIT_NUMBER, "100"), true), "false");
	expect_str(proj(sp, P(LDP_EX_NOT_IN, "x", LDP_LIT_NUMBER, "15"), true), "x_trunc NOT IN (CAST(10 AS BIGINT))");
	/* strings: a prefix of 3 code points */
	expect_str(proj(sp, P(LDP_EX_EQ, "s", LDP_LIT_STRING, "abcdef"), false), "s_trunc = 'abc'");
	expect_str(proj(sp, P(LDP_EX_LT, "s", LDP_LIT_STRING, "abcdef"), false), "s_trunc <= 'abc'");
	expect_str(proj(sp, P(LDP_EX_GT, "s", LDP_LIT_STRING, "abcdef"), false), "s_trunc >= 'abc'");
	expect_str(proj(sp, P(LDP_EX_LT, "s", LDP_LIT_STRING, "abcdef"), true), "s_trunc < 'abc'");
	expect_str(proj(sp, P(LDP_EX_GE, "s", LDP_LIT_STRING, "abcdef"), true), "s_trunc > 'abc'");
	expect_str(proj(sp, P(LDP_EX_STARTS_WITH, "s", LDP_LIT_STRING, "ab"), false), "s_trunc STARTS WITH 'ab'");
	expect_str(proj(sp, P(LDP_EX_STARTS_WITH, "s", LDP_LIT_STRING, "abcd"), false), "s_trunc = 'abc'");
	expect_str(proj(sp, P(LDP_EX_STARTS_WITH, "s", LDP_LIT_STRING, "ab"), true), "s_trunc STARTS WITH 'ab'");
	expect_str(proj(sp, P(LDP_EX_STARTS_WITH, "s", LDP_LIT_STRING, "abcd"), true), "false");
	expect_str(proj(sp, P(LDP_EX_NOT_STARTS_WITH, "s", LDP_LIT_STRING, "ab"), false), "true");
	expect_str(proj(sp, P(LDP_EX_NOT_STARTS_WITH, "s", LDP_LIT_STRING, "ab"), true), "s_trunc NOT STARTS WITH 'ab'");
	/* code points, not bytes: 'ééé' is 6 bytes, 3 code points */
	expect_str(proj(sp, P(LDP_EX_EQ, "s", LDP_LIT_STRING, "éééé"), false), "s_trunc = 'ééé'");
}

static void test_project_time(void **state)
{
	(void)state;
	ldp_partition_spec *sp = spec("{\"source-id\":4,\"field-id\":1000,\"name\":\"ts_day\",\"transform\":\"day\"},"
				      "{\"source-id\":4,\"field-id\":1001,\"name\":\"ts_hour\",\"transform\":\"hour\"}");
	/* Partition values print as human strings: day 17500 is 2017-11-30, hour
	 * 17500 * 24 + 23 = 420023 is 2017-11-30-23.
	 * x < 2017-12-01 00:00 -> the last microsecond before is day 17500 */
	expect_str(proj(sp, P(LDP_EX_LT, "ts", LDP_LIT_STRING, "2017-12-01 00:00:00"), false),
		   "(ts_day <= 2017-11-30 AND ts_hour <= 2017-11-30-23)");
	/* strict: any one field is enough (OR) */
	expect_str(proj(sp, P(LDP_EX_LT, "ts", LDP_LIT_STRING, "2017-12-01 00:00:00"), true),
		   "(ts_day < 2017-12-01 OR ts_hour < 2017-12-01-00)");
	/* 10:00 on 2017-12-01: day 17501, hour 17501 * 24 + 10 = 420034 */
	expect_str(proj(sp, P(LDP_EX_EQ, "ts", LDP_LIT_STRING, "2017-12-01 10:00:00"), false),
		   "(ts_day = 2017-12-01 AND ts_hour = 2017-12-01-10)");
	expect_str(proj(sp, P(LDP_EX_GE, "ts", LDP_LIT_STRING, "2017-12-01 00:00:00"), true),
		   "(ts_day > 2017-11-30 OR ts_hour > 2017-11-30-23)");
	expect_str(proj(sp, P(LDP_EX_GT, "ts", LDP_LIT_STRING, "2017-12-01 23:59:59.999999"), false),
		   "(ts_day >= 2017-12-02 AND ts_hour >= 2017-12-02-00)");
	/* month and year: 2017-12 is month 47 * 12 + 11 = 575, year 47; before 1970 floors */
	ldp_partition_spec *my = spec("{\"source-id\":4,\"field-id\":1000,\"name\":\"m\",\"transform\":\"month\"},"
				      "{\"source-id\":4,\"field-id\":1001,\"name\":\"y\",\"transform\":\"year\"}");
	expect_str(proj(my, P(LDP_EX_LE, "ts", LDP_LIT_STRING, "2017-12-01 00:00:00"), false),
		   "(m <= 2017-12 AND y <= 2017)");
	expect_str(proj(my, P(LDP_EX_LT, "ts", LDP_LIT_STRING, "1970-01-01 00:00:00"), false),
		   "(m <= 1969-12 AND y <= 1969)");
}

/* ---- evaluators ---- */

static ldp_col_metric metric(int32_t id, int64_t values, int64_t nulls, int64_t nans, const ldp_value *lo,
			     const ldp_value *hi, const ldp_type *t)
{
	ldp_col_metric m;
	memset(&m, 0, sizeof m);
	m.field_id = id;
	m.column_size = -1;
	m.value_count = values;
	m.null_value_count = nulls;
	m.nan_value_count = nans;
	if (lo)
		assert_int_equal(ldp_value_to_bytes(lo, t, &A, &m.lower, &m.lower_len), 0);
	if (hi)
		assert_int_equal(ldp_value_to_bytes(hi, t, &A, &m.upper, &m.upper_len), 0);
	return m;
}

static ldp_value iv(ldp_type_id t, int64_t v)
{
	ldp_value x = ldp_value_null(t);
	x.is_null = false;
	if (t == LDP_T_INT || t == LDP_T_DATE)
		x.v.i32 = (int32_t)v;
	else
		x.v.i64 = v;
	return x;
}

static ldp_value dv(double v)
{
	ldp_value x = ldp_value_null(LDP_T_DOUBLE);
	x.is_null = false;
	x.v.f64 = v;
	return x;
}

static ldp_value sv(const char *s)
{
	ldp_value x = ldp_value_null(LDP_T_STRING);
	x.is_null = false;
	x.v.bytes.ptr = (const uint8_t *)s;
	x.v.bytes.len = strlen(s);
	return x;
}

static bool M(const ldp_data_file_entry *f, ldp_expr_op op, const char *col, ldp_lit_kind k, const char *lit)
{
	return ldp_expr_eval_metrics(B(P(op, col, k, lit)), f, NULL);
}

static void test_metrics(void **state)
{
	(void)state;
	ldp_type tint = {.id = LDP_T_INT}, tdbl = {.id = LDP_T_DOUBLE}, tstr = {.id = LDP_T_STRING};
	ldp_value lo = iv(LDP_T_INT, 10), hi = iv(LDP_T_INT, 20);
	ldp_value dlo = dv(1.0), dhi = dv(2.0);
	/* truncated string bounds as Java writes them for values "abcd..."
	 * up to "abcdzz...": lower "abcd", upper "abce" (last char incremented) */
	ldp_value slo = sv("abcd"), shi = sv("abce");
	ldp_col_metric ms[4] = {
		metric(1, 100, 0, -1, &lo, &hi, &tint),
		metric(5, 100, 3, 5, &dlo, &dhi, &tdbl),
		metric(3, 100, 0, -1, &slo, &shi, &tstr),
		metric(2, 100, 100, -1, NULL, NULL, NULL), /* all null */
	};
	ldp_data_file_entry f;
	memset(&f, 0, sizeof f);
	f.record_count = 100;
	f.metrics = ms;
	f.nmetrics = 4;
	assert_false(M(&f, LDP_EX_LT, "id", LDP_LIT_NUMBER, "10"));
	assert_true(M(&f, LDP_EX_LE, "id", LDP_LIT_NUMBER, "10"));
	assert_false(M(&f, LDP_EX_GT, "id", LDP_LIT_NUMBER, "20"));
	assert_true(M(&f, LDP_EX_GE, "id", LDP_LIT_NUMBER, "20"));
	assert_true(M(&f, LDP_EX_EQ, "id", LDP_LIT_NUMBER, "15"));
	assert_false(M(&f, LDP_EX_EQ, "id", LDP_LIT_NUMBER, "21"));
	assert_true(M(&f, LDP_EX_NE, "id", LDP_LIT_NUMBER, "15"));
	const char *in1[] = {"1", "25"}, *in2[] = {"1", "15"};
	assert_false(ldp_expr_eval_metrics(B(ldp_expr_pred(&A, LDP_EX_IN, "id", LDP_LIT_NUMBER, 2, in1)), &f, NULL));
	assert_true(ldp_expr_eval_metrics(B(ldp_expr_pred(&A, LDP_EX_IN, "id", LDP_LIT_NUMBER, 2, in2)), &f, NULL));
	assert_false(M(&f, LDP_EX_IS_NULL, "id", LDP_LIT_NUMBER, NULL)); /* no nulls */
	assert_true(M(&f, LDP_EX_NOT_NULL, "id", LDP_LIT_NUMBER, NULL));
	/* all-null column: only IS NULL can match */
	assert_false(M(&f, LDP_EX_EQ, "x", LDP_LIT_NUMBER, "1"));
	assert_false(M(&f, LDP_EX_NOT_NULL, "x", LDP_LIT_NUMBER, NULL));
	assert_true(M(&f, LDP_EX_IS_NULL, "x", LDP_LIT_NUMBER, NULL));
	/* no metrics: anything may match */
	assert_true(M(&f, LDP_EX_EQ, "amt", LDP_LIT_NUMBER, "1"));
	/* NaN: DuckDB sorts NaN above every number, so > may match NaN rows */
	assert_true(M(&f, LDP_EX_GT, "d", LDP_LIT_NUMBER, "3"));
	assert_false(M(&f, LDP_EX_LT, "d", LDP_LIT_NUMBER, "0.5"));
	assert_true(M(&f, LDP_EX_IS_NAN, "d", LDP_LIT_NUMBER, NULL));
	ms[1].nan_value_count = 0;
	assert_false(M(&f, LDP_EX_GT, "d", LDP_LIT_NUMBER, "3"));
	assert_false(M(&f, LDP_EX_IS_NAN, "d", LDP_LIT_NUMBER, NULL));
	ms[1].nan_value_count = -1; /* unknown counts as possible */
	assert_true(M(&f, LDP_EX_GT, "d", LDP_LIT_NUMBER, "3"));
	assert_true(M(&f, LDP_EX_IS_NAN, "d", LDP_LIT_NUMBER, NULL));
	/* -0.0 equals 0.0 for DuckDB although Iceberg orders -0.0 first */
	ldp_value nz = dv(-0.0), mone = dv(-1.0);
	ms[1] = metric(5, 100, 0, 0, &mone, &nz, &tdbl);
	assert_true(M(&f, LDP_EX_EQ, "d", LDP_LIT_NUMBER, "0"));
	assert_true(M(&f, LDP_EX_GE, "d", LDP_LIT_NUMBER, "0"));
	/* a NaN bound (old writers) is no bound */
	ldp_value nan = dv(NAN);
	ms[1] = metric(5, 100, 0, 0, &nan, &dhi, &tdbl);
	assert_true(M(&f, LDP_EX_LT, "d", LDP_LIT_NUMBER, "0.5"));
	/* truncated string bounds stay safe */
	assert_true(M(&f, LDP_EX_EQ, "s", LDP_LIT_STRING, "abcdefg"));
	assert_false(M(&f, LDP_EX_EQ, "s", LDP_LIT_STRING, "abcc"));
	assert_false(M(&f, LDP_EX_GE, "s", LDP_LIT_STRING, "abcf"));
	assert_true(M(&f, LDP_EX_STARTS_WITH, "s", LDP_LIT_STRING, "abcd"));
	assert_true(M(&f, LDP_EX_STARTS_WITH, "s", LDP_LIT_STRING, "abc"));
	assert_false(M(&f, LDP_EX_STARTS_WITH, "s", LDP_LIT_STRING, "abd"));
	assert_false(M(&f, LDP_EX_STARTS_WITH, "s", LDP_LIT_STRING, "abb"));
	assert_false(M(&f, LDP_EX_NOT_STARTS_WITH, "s", LDP_LIT_STRING, "abc"));
	assert_true(M(&f, LDP_EX_NOT_STARTS_WITH, "s", LDP_LIT_STRING, "abcd"));
	/* an empty file matches nothing */
	f.record_count = 0;
	assert_false(M(&f, LDP_EX_IS_NULL, "id", LDP_LIT_NUMBER, NULL));
}

static void test_metrics_after_promotion(void **state)
{
	(void)state;
	/* x is long now; a file written when it was an int has 4-byte bounds */
	ldp_type tint = {.id = LDP_T_INT};
	ldp_value lo = iv(LDP_T_INT, 1), hi = iv(LDP_T_INT, 5);
	ldp_col_metric m = metric(2, 10, 0, -1, &lo, &hi, &tint);
	ldp_data_file_entry f;
	memset(&f, 0, sizeof f);
	f.record_count = 10;
	f.metrics = &m;
	f.nmetrics = 1;
	assert_false(M(&f, LDP_EX_GT, "x", LDP_LIT_NUMBER, "5"));
	assert_true(M(&f, LDP_EX_GT, "x", LDP_LIT_NUMBER, "4"));
	assert_false(M(&f, LDP_EX_EQ, "x", LDP_LIT_NUMBER, "6000000000"));
}

static void test_partition_and_summaries(void **state)
{
	(void)state;
	ldp_partition_spec *sp = spec("{\"source-id\":4,\"field-id\":1000,\"name\":\"ts_day\",\"transform\":\"day\"}");
	const ldp_type *src[1] = {ldp_schema_field_by_id(S, 4)->type};
	ldp_expr *e = ldp_expr_project_inclusive(&A, B(P(LDP_EX_LT, "ts", LDP_LIT_STRING, "2017-12-01 00:00:00")), sp, src);
	/* tuples: manifests type day values as date */
	ldp_value t1 = iv(LDP_T_DATE, D_2017_12_01), t0 = iv(LDP_T_DATE, D_2017_12_01 - 1), tn = ldp_value_null(LDP_T_DATE);
	const ldp_expr *why = NULL;
	assert_false(ldp_expr_eval_partition(e, sp, &t1, &why));
	assert_non_null(why);
	assert_true(ldp_expr_eval_partition(e, sp, &t0, NULL));
	assert_false(ldp_expr_eval_partition(e, sp, &tn, NULL)); /* null < x is never true */
	ldp_expr *isnull = ldp_expr_project_inclusive(&A, B(P(LDP_EX_IS_NULL, "ts", LDP_LIT_NUMBER, NULL)), sp, src);
	assert_true(ldp_expr_eval_partition(isnull, sp, &tn, NULL));
	assert_false(ldp_expr_eval_partition(isnull, sp, &t0, NULL));
	/* summaries: days 17501..17510 without nulls */
	ldp_type dt = {.id = LDP_T_DATE};
	ldp_value lo = iv(LDP_T_DATE, D_2017_12_01), hi = iv(LDP_T_DATE, D_2017_12_01 + 9);
	ldp_field_summary s;
	memset(&s, 0, sizeof s);
	s.contains_nan = -1;
	assert_int_equal(ldp_value_to_bytes(&lo, &dt, &A, &s.lower, &s.lower_len), 0);
	assert_int_equal(ldp_value_to_bytes(&hi, &dt, &A, &s.upper, &s.upper_len), 0);
	assert_false(ldp_expr_eval_summaries(e, sp, &dt, &s, 1, NULL));
	assert_false(ldp_expr_eval_summaries(isnull, sp, &dt, &s, 1, NULL));
	ldp_expr *ge = ldp_expr_project_inclusive(&A, B(P(LDP_EX_GE, "ts", LDP_LIT_STRING, "2017-12-10 12:00:00")), sp, src);
	assert_true(ldp_expr_eval_summaries(ge, sp, &dt, &s, 1, NULL));
	ldp_expr *ge2 = ldp_expr_project_inclusive(&A, B(P(LDP_EX_GE, "ts", LDP_LIT_STRING, "2017-12-11 00:00:00")), sp, src);
	assert_false(ldp_expr_eval_summaries(ge2, sp, &dt, &s, 1, NULL));
	/* only nulls: no bounds, contains_null */
	ldp_field_summary only_null;
	memset(&only_null, 0, sizeof only_null);
	only_null.contains_null = true;
	only_null.contains_nan = -1;
	assert_false(ldp_expr_eval_summaries(ge, sp, &dt, &only_null, 1, NULL));
	assert_true(ldp_expr_eval_summaries(isnull, sp, &dt, &only_null, 1, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_and_bind),
		cmocka_unit_test(test_project_identity_bucket_void),
		cmocka_unit_test(test_project_truncate),
		cmocka_unit_test(test_project_time),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_metrics_after_promotion),
		cmocka_unit_test(test_partition_and_summaries),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
