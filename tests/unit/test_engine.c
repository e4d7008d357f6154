/* Unit tests of the engine layer: DuckDB wrapper, streaming, value rendering, Parquet writer + stats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ldp/buf.h"
#include "ldp/engine.h"
#include "ldp/error.h"
#include "ldp/json.h"

static ldp_engine *open_mem(void)
{
	ldp_engine *e = NULL;
	ldp_engine_options o = {.threads = 2};
	int rc = ldp_engine_open(&e, NULL, &o);
	if (rc)
		fail_msg("open: %s", ldp_error_last()->message);
	return e;
}

/* The first value of `sql` as text; "<NULL>" for SQL NULL or no rows. Caller frees. */
static char *q1(ldp_engine *e, const char *sql)
{
	char *s = NULL;
	int rc = ldp_engine_query_text(e, sql, &s);
	if (rc)
		fail_msg("%s: %s", sql, ldp_error_last()->message);
	return s ? s : strdup("<NULL>");
}

static void assert_q1(ldp_engine *e, const char *sql, const char *want)
{
	char *s = q1(e, sql);
	if (strcmp(s, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, s, want);
	free(s);
}

static void tmp_file(char *out, size_t n, const char *name)
{
	mkdir(LDP_TEST_TMP, 0777);
	snprintf(out, n, "%s/engine-%s", LDP_TEST_TMP, name);
}

static void rm_rf(const char *path)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* ---- open, exec, query_text ---- */

static void test_open_memory_exec(void **state)
{
	(void)state;
	ldp_engine *e = NULL;
	assert_int_equal(ldp_engine_open(&e, ":memory:", NULL), 0);
	assert_non_null(e);
	assert_int_equal(ldp_engine_exec(e, "create table t(a int, b varchar); insert into t values (1, 'x'), (2, NULL)"), 0);
	assert_q1(e, "select sum(a) from t", "3");
	assert_q1(e, "select b from t where a = 2", "<NULL>");
	assert_q1(e, "select b from t where a = 3", "<NULL>"); /* no rows */
	assert_q1(e, "select count(*) from t", "2");
	/* the engine is in UTC unless told otherwise */
	assert_q1(e, "select current_setting('TimeZone')", "UTC");
	assert_q1(e, "select timestamptz '2020-01-01 12:00:00+02'", "2020-01-01 10:00:00+00");
	/* extensions are never auto-installed */
	assert_q1(e, "select current_setting('autoinstall_known_extensions')::VARCHAR", "false");
	const char *v = ldp_engine_duckdb_version();
	assert_non_null(v);
	assert_int_equal(v[0], 'v');
	ldp_engine_free(e);
	ldp_engine_free(NULL);
}

static void test_open_file_database(void **state)
{
	(void)state;
	char path[512];
	tmp_file(path, sizeof path, "file.duckdb");
	remove(path);
	char wal[600];
	snprintf(wal, sizeof wal, "%s.wal", path);
	remove(wal);
	ldp_engine *e = NULL;
	assert_int_equal(ldp_engine_open(&e, path, NULL), 0);
	assert_int_equal(ldp_engine_exec(e, "create table kept as select range as i from range(100)"), 0);
	ldp_engine_free(e);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	/* reopen: the data persisted */
	assert_int_equal(ldp_engine_open(&e, path, NULL), 0);
	assert_q1(e, "select sum(i) from kept", "4950");
	ldp_engine_free(e);
	remove(path);
	remove(wal);

	/* a database in a directory that does not exist: the message names the file */
	char bad[600];
	tmp_file(bad, sizeof bad, "no-such-dir/x.duckdb");
	e = (ldp_engine *)1;
	int rc = ldp_engine_open(&e, bad, NULL);
	assert_true(rc < 0);
	assert_null(e);
	assert_non_null(strstr(ldp_error_last()->message, bad));
	assert_null(strchr(ldp_error_last()->message, '\n'));

	/* a bad time zone name is refused */
	ldp_engine_options o = {.timezone = "Europe/Nowhere"};
	rc = ldp_engine_open(&e, NULL, &o);
	assert_true(rc < 0);
	o.timezone = "x'; drop table t; --";
	assert_int_equal(ldp_engine_open(&e, NULL, &o), LDP_EINVALID);
	o.timezone = "America/New_York";
	assert_int_equal(ldp_engine_open(&e, NULL, &o), 0);
	assert_q1(e, "select current_setting('TimeZone')", "America/New_York");
	ldp_engine_free(e);
}

/* ---- streaming ---- */

static void test_streaming_many_chunks(void **state)
{
	(void)state;
	ldp_engine *e = open_mem();
	ldp_result *r = NULL;
	assert_int_equal(ldp_engine_query(e, "select range as i, range % 7 = 0 as sev from range(10000)", &r), 0);
	assert_int_equal(ldp_result_column_count(r), 2);
	assert_string_equal(ldp_result_column_name(r, 0), "i");
	assert_string_equal(ldp_result_column_type(r, 0), "BIGINT");
	assert_string_equal(ldp_result_column_type(r, 1), "BOOLEAN");
	assert_true(ldp_result_column_is_numeric(r, 0));
	assert_false(ldp_result_column_is_numeric(r, 1));
	size_t chunks = 0, rows = 0;
	int64_t sum = 0, sevens = 0, expect_next = 0;
	ldp_chunk *c;
	int rc;
	while ((rc = ldp_result_fetch(r, &c)) == 0 && c) {
		chunks++;
		size_t n = ldp_chunk_rows(c);
		assert_true(n > 0 && n <= 2048);
		for (size_t i = 0; i < n; i++) {
			int64_t v = ldp_chunk_get_int64(c, 0, i);
			assert_true(v == expect_next); /* range() streams in order */
			expect_next++;
			sum += v;
			ldp_buf b = LDP_BUF_INIT;
			ldp_chunk_format(c, 1, i, LDP_VALUE_TEXT, &b);
			if (strcmp(ldp_buf_cstr(&b), "true") == 0)
				sevens++;
			ldp_buf_free(&b);
		}
		rows += n;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(rows, 10000);
	assert_true(sum == 49995000); /* 0 + ... + 9999 */
	assert_true(sevens == 1429); /* multiples of 7 below 10000: 0, 7, ..., 9996 */
	assert_true(chunks >= 5);    /* ceil(10000 / 2048) */
	/* fetching past the end keeps returning the end */
	assert_int_equal(ldp_result_fetch(r, &c), 0);
	assert_null(c);
	ldp_result_free(r);

	/* an empty result has columns and no chunk with rows */
	assert_int_equal(ldp_engine_query(e, "select 1 as x where false", &r), 0);
	assert_int_equal(ldp_result_column_count(r), 1);
	rows = 0;
	while ((rc = ldp_result_fetch(r, &c)) == 0 && c)
		rows += ldp_chunk_rows(c);
	assert_int_equal(rows, 0);
	ldp_result_free(r);
	/* freeing a result before reading all of it */
	assert_int_equal(ldp_engine_query(e, "select * from range(100000)", &r), 0);
	assert_int_equal(ldp_result_fetch(r, &c), 0);
	assert_non_null(c);
	ldp_result_free(r);
	ldp_engine_free(e);
}

/* ---- prepared statements and scripts ---- */

static void test_prepared_bindings(void **state)
{
	(void)state;
	ldp_engine *e = open_mem();
	assert_int_equal(ldp_engine_exec(e, "create table t(s varchar, i bigint, d double)"), 0);
	ldp_stmt *ins = NULL;
	assert_int_equal(ldp_engine_prepare(e, "insert into t values (?, ?, ?)", &ins), 0);
	assert_false(ldp_stmt_returns_rows(ins));
	ldp_result *r = NULL;
	assert_int_equal(ldp_stmt_bind_text(ins, 1, "it's"), 0);
	assert_int_equal(ldp_stmt_bind_int64(ins, 2, INT64_MAX), 0);
	assert_int_equal(ldp_stmt_bind_double(ins, 3, 0.25), 0);
	assert_int_equal(ldp_stmt_execute(ins, &r), 0);
	ldp_chunk *c;
	while (ldp_result_fetch(r, &c) == 0 && c)
		;
	assert_true(ldp_result_rows_changed(r) == 1);
	ldp_result_free(r);
	assert_int_equal(ldp_stmt_clear_bindings(ins), 0);
	assert_int_equal(ldp_stmt_bind_null(ins, 1), 0);
	assert_int_equal(ldp_stmt_bind_int64(ins, 2, -3), 0);
	assert_int_equal(ldp_stmt_bind_null(ins, 3), 0);
	assert_int_equal(ldp_stmt_execute(ins, &r), 0);
	ldp_result_free(r);
	/* a parameter index out of range is an error, not a crash */
	assert_int_equal(ldp_stmt_bind_int64(ins, 9, 1), LDP_ESQL);
	ldp_stmt_free(ins);

	assert_q1(e, "select count(*) from t", "2");
	assert_q1(e, "select s from t where i > 0", "it's");
	assert_q1(e, "select i from t where s = 'it''s'", "9223372036854775807");
	assert_q1(e, "select d from t where s is not null", "0.25");
	assert_q1(e, "select count(*) from t where s is null and d is null and i = -3", "1");

	ldp_stmt *sel = NULL;
	assert_int_equal(ldp_engine_prepare(e, "select count(*) from t where i >= ?", &sel), 0);
	assert_true(ldp_stmt_returns_rows(sel));
	for (int k = 0; k < 2; k++) {
		assert_int_equal(ldp_stmt_bind_int64(sel, 1, k ? 0 : -10), 0);
		assert_int_equal(ldp_stmt_execute(sel, &r), 0);
		assert_int_equal(ldp_result_fetch(r, &c), 0);
		assert_non_null(c);
		assert_true(ldp_chunk_get_int64(c, 0, 0) == (k ? 1 : 2));
		ldp_result_free(r);
	}
	ldp_stmt_free(sel);
	ldp_stmt_free(NULL);
	ldp_engine_free(e);
}

static void test_script(void **state)
{
	(void)state;
	ldp_engine *e = open_mem();
	ldp_script *s = NULL;
	/* DDL earlier in the script must be visible when later statements are prepared */
	const char *sql = "create table a(x int);\n"
			  "insert into a select range from range(5);\n"
			  "-- a comment with ; in it\n"
			  "create view v as select x * 2 as y from a;\n"
			  "select sum(y) from v;";
	assert_int_equal(ldp_engine_script(e, sql, &s), 0);
	assert_int_equal(ldp_script_count(s), 4);
	int shows[4];
	char *last = NULL;
	for (size_t i = 0; i < ldp_script_count(s); i++) {
		ldp_stmt *st = NULL;
		assert_int_equal(ldp_script_prepare(s, i, &st), 0);
		shows[i] = ldp_stmt_returns_rows(st);
		ldp_result *r = NULL;
		assert_int_equal(ldp_stmt_execute(st, &r), 0);
		ldp_chunk *c;
		while (ldp_result_fetch(r, &c) == 0 && c) {
			ldp_buf b = LDP_BUF_INIT;
			ldp_chunk_format(c, 0, 0, LDP_VALUE_TEXT, &b);
			free(last);
			last = ldp_buf_detach(&b);
		}
		ldp_result_free(r);
		ldp_stmt_free(st);
	}
	assert_int_equal(shows[0], 0);
	assert_int_equal(shows[1], 0);
	assert_int_equal(shows[2], 0);
	assert_int_equal(shows[3], 1);
	assert_string_equal(last, "20"); /* 2 * (0+1+2+3+4) */
	free(last);
	ldp_script_free(s);

	/* an empty script has no statements */
	assert_int_equal(ldp_engine_script(e, "  -- nothing\n", &s), 0);
	assert_int_equal(ldp_script_count(s), 0);
	ldp_script_free(s);

	/* a parse error anywhere fails the split, with one line */
	assert_int_equal(ldp_engine_script(e, "select 1; selec 2;", &s), LDP_ESQL);
	assert_null(s);
	assert_null(strchr(ldp_error_last()->message, '\n'));

	/* a binding error in statement 2 shows when it is prepared, after statement 1 ran */
	assert_int_equal(ldp_engine_script(e, "create table b(x int); select nope from b", &s), 0);
	ldp_stmt *st = NULL;
	assert_int_equal(ldp_script_prepare(s, 0, &st), 0);
	ldp_result *r = NULL;
	assert_int_equal(ldp_stmt_execute(st, &r), 0);
	ldp_result_free(r);
	ldp_stmt_free(st);
	assert_int_equal(ldp_script_prepare(s, 1, &st), LDP_ESQL);
	assert_null(st);
	assert_non_null(strstr(ldp_error_last()->message, "nope"));
	ldp_script_free(s);
	ldp_engine_free(e);
}

/* ---- error mapping ---- */

static void test_error_mapping(void **state)
{
	(void)state;
	ldp_engine *e = open_mem();
	ldp_result *r = (ldp_result *)1;
	assert_int_equal(ldp_engine_query(e, "selec 1", &r), LDP_ESQL);
	assert_null(r);
	const char *m = ldp_error_last()->message;
	assert_true(strlen(m) > 0);
	assert_null(strchr(m, '\n'));
	assert_non_null(strstr(m, "selec"));

	assert_int_equal(ldp_engine_exec(e, "select * from no_such_table"), LDP_ESQL);
	assert_non_null(strstr(ldp_error_last()->message, "no_such_table"));
	assert_null(strchr(ldp_error_last()->message, '\n'));

	char missing[512];
	tmp_file(missing, sizeof missing, "missing.parquet");
	remove(missing);
	char sql[700];
	snprintf(sql, sizeof sql, "select * from '%s'", missing);
	assert_int_equal(ldp_engine_query(e, sql, &r), LDP_ESQL);
	assert_non_null(strstr(ldp_error_last()->message, missing));
	assert_null(strchr(ldp_error_last()->message, '\n'));
	char *s = NULL;
	assert_int_equal(ldp_engine_query_text(e, sql, &s), LDP_ESQL);
	assert_null(s);

	/* an error raised while chunks are produced surfaces from fetch */
	int rc = ldp_engine_query(e, "select case when range < 5000 then range else error('boom at ' || range) end from range(10000)", &r);
	if (rc == 0) {
		ldp_chunk *c;
		while ((rc = ldp_result_fetch(r, &c)) == 0 && c)
			;
		ldp_result_free(r);
	}
	assert_int_equal(rc, LDP_ESQL);
	assert_non_null(strstr(ldp_error_last()->message, "boom at"));
	ldp_engine_free(e);
}

/* ---- value rendering ---- */

/* Format column 0 of the first row of `sql` in `style`. */
static char *fmt_first(ldp_engine *e, const char *sql, ldp_value_style style)
{
	ldp_result *r = NULL;
	if (ldp_engine_query(e, sql, &r))
		fail_msg("%s: %s", sql, ldp_error_last()->message);
	ldp_chunk *c = NULL;
	assert_int_equal(ldp_result_fetch(r, &c), 0);
	assert_non_null(c);
	ldp_buf b = LDP_BUF_INIT;
	ldp_chunk_format(c, 0, 0, style, &b);
	assert_int_equal(ldp_buf_oom(&b), 0);
	ldp_result_free(r);
	return ldp_buf_detach(&b);
}

/* TEXT style of scalars must equal DuckDB's own cast to VARCHAR of the same expression. */
static void test_format_text_matches_duckdb_cast(void **state)
{
	(void)state;
	static const char *exprs[] = {
		"true", "false", "(-128)::TINYINT", "32767::SMALLINT", "(-2147483648)::INTEGER",
		"(-9223372036854775808)::BIGINT", "255::UTINYINT", "65535::USMALLINT", "4294967295::UINTEGER",
		"18446744073709551615::UBIGINT", "170141183460469231731687303715884105727::HUGEINT",
		"(-170141183460469231731687303715884105727)::HUGEINT - 1",
		"340282366920938463463374607431768211455::UHUGEINT", "0::UHUGEINT",
		/* doubles: shortest round-trip digits; fixed vs scientific switch */
		"0.1::DOUBLE", "3.0::DOUBLE", "-0.0::DOUBLE", "1e15::DOUBLE", "1e16::DOUBLE", "-1.5e15::DOUBLE",
		"9999999999999998::DOUBLE", "0.0001::DOUBLE", "0.00001::DOUBLE", "5e-324::DOUBLE",
		"1.7976931348623157e308::DOUBLE", "123456789.123::DOUBLE", "(1/3)::DOUBLE", "2.5e-7::DOUBLE",
		"'nan'::DOUBLE", "'inf'::DOUBLE", "'-inf'::DOUBLE",
		"0.1::FLOAT", "1.5::FLOAT", "1e7::FLOAT", "16777217::FLOAT", "3.4028235e38::FLOAT",
		"1.1754944e-38::FLOAT", "(1/3)::FLOAT", "1.2345678901234567e17::FLOAT",
		"12.50::DECIMAL(5,2)", "(-1.5)::DECIMAL(4,1)", "(-0.05)::DECIMAL(10,2)", "7::DECIMAL(3,0)",
		"123456789012345.678::DECIMAL(18,3)", "(-123456789012345678901234567.89)::DECIMAL(38,2)",
		"'hello wörld'", "''", "'it''s \"q\"'", "chr(10) || 'x'",
		"'\\x00\\xFF'::BLOB", "'a''b\\x5Cc\"'::BLOB", "''::BLOB",
		"'101'::BIT", "'10110110101'::BIT", "'00000000'::BIT",
		"date '2023-01-02'", "date '0000-01-01'", "date '0044-03-15'::DATE - 30000", "'infinity'::DATE",
		"'-infinity'::DATE", "date '9999-12-31'",
		"time '12:34:56.789'", "time '00:00:00'", "time '23:59:59.999999'", "time '24:00:00'",
		"'12:00:00.123456789'::TIME_NS", "'23:59:59.1234'::TIME_NS",
		"timetz '12:00:00+05:30'", "timetz '01:02:03.5-08'", "timetz '00:00:00+00'",
		"timestamp '2023-01-02 03:04:05.5'", "timestamp '2023-01-02 00:00:00'",
		"timestamp '1969-12-31 23:59:59.999999'", "timestamp '0044-03-15 (BC) 12:00:00'",
		"'infinity'::TIMESTAMP", "'-infinity'::TIMESTAMP",
		"timestamp_s '2023-01-02 03:04:05'", "timestamp_ms '2023-01-02 03:04:05.123'",
		"timestamp_ns '2020-01-01 00:00:00.123456789'", "'1969-12-31 23:59:59.999999999'::TIMESTAMP_NS",
		"timestamptz '2020-06-01 12:00:00.25+02'",
		"interval '1 year 2 months 3 days 04:05:06.5'", "interval '-14 months -3 days -4 hours'",
		"interval '0 seconds'", "interval '1 month'", "interval '36 hours'", "interval '-1 microsecond'",
		"interval '2 years'", "interval '1 day 1 microsecond'",
		"uuid '12345678-1234-5678-1234-567812345678'", "uuid '00000000-0000-0000-0000-000000000000'",
		"uuid 'ffffffff-ffff-ffff-ffff-ffffffffffff'",
		"'b'::ENUM('a', 'b', 'c')", "union_value(k := 'x')::UNION(k VARCHAR, n INT)",
		"union_value(n := 5)::UNION(k VARCHAR, n INT)",
		"'1234'::BIGNUM", "'-256'::BIGNUM", "'0'::BIGNUM", "'-123456789012345678901234567890123456789012'::BIGNUM",
		/* nested values without strings render as DuckDB's cast does */
		"[1, 2, NULL]", "[]::INT[]", "[[1, 2], [3]]", "{'a': 1, 'b': NULL}", "{'a': {'b': 2.5}}",
		"map {1: 10, 2: 20}", "[1, 2]::INT[2]", "[{'x': [1]}]", "[true, false]",
	};
	ldp_engine *e = open_mem();
	char sql[512];
	int failures = 0;
	for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
		snprintf(sql, sizeof sql, "select (%s)::VARCHAR", exprs[i]);
		char *want = q1(e, sql);
		snprintf(sql, sizeof sql, "select %s", exprs[i]);
		char *got = fmt_first(e, sql, LDP_VALUE_TEXT);
		if (strcmp(got, want) != 0) {
			print_error("%s: ldp '%s', DuckDB '%s'\n", exprs[i], got, want);
			failures++;
		}
		free(want);
		free(got);
	}
	assert_int_equal(failures, 0);
	ldp_engine_free(e);
}

static void check_style(ldp_engine *e, const char *expr, ldp_value_style style, const char *want)
{
	char sql[512];
	snprintf(sql, sizeof sql, "select %s", expr);
	char *got = fmt_first(e, sql, style);
	if (strcmp(got, want) != 0)
		fail_msg("%s (%s): got '%s', want '%s'", expr, style ? "json" : "text", got, want);
	if (style == LDP_VALUE_JSON) {
		/* whatever it is, it must parse as JSON */
		json_error_t err;
		json_t *v = json_loads(got, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &err);
		if (!v)
			fail_msg("%s: '%s' is not JSON: %s", expr, got, err.text);
		json_decref(v);
	}
	free(got);
}

/* Hand-written expectations: JSON has numbers, strings, booleans, null, arrays, objects. */
static void test_format_json(void **state)
{
	(void)state;
	ldp_engine *e = open_mem();
	const ldp_value_style J = LDP_VALUE_JSON;
	check_style(e, "NULL::INT", J, "null");
	check_style(e, "true", J, "true");
	check_style(e, "(-7)::TINYINT", J, "-7");
	check_style(e, "42", J, "42");
	check_style(e, "(-9223372036854775808)::BIGINT", J, "-9223372036854775808");
	check_style(e, "18446744073709551615::UBIGINT", J, "18446744073709551615");
	check_style(e, "170141183460469231731687303715884105727::HUGEINT", J, "170141183460469231731687303715884105727");
	check_style(e, "1.5::DOUBLE", J, "1.5");
	check_style(e, "2::DOUBLE", J, "2.0");
	check_style(e, "1e300::DOUBLE", J, "1e+300");
	check_style(e, "0.25::FLOAT", J, "0.25");
	check_style(e, "'nan'::DOUBLE", J, "\"nan\""); /* JSON has no NaN: a string */
	check_style(e, "'-inf'::FLOAT", J, "\"-inf\"");
	check_style(e, "12.50::DECIMAL(5,2)", J, "12.50");
	check_style(e, "(-0.05)::DECIMAL(10,2)", J, "-0.05");
	check_style(e, "'1234567890123456789012345'::BIGNUM", J, "1234567890123456789012345");
	check_style(e, "'plain'", J, "\"plain\"");
	check_style(e, "'say \"hi\"' || chr(10) || chr(9) || chr(1) || '\\'", J, "\"say \\\"hi\\\"\\n\\t\\u0001\\\\\"");
	check_style(e, "'wörld €'", J, "\"wörld €\"");
	check_style(e, "'\\x00a\\xFF'::BLOB", J, "\"\\\\x00a\\\\xFF\"");
	check_style(e, "'101'::BIT", J, "\"101\"");
	check_style(e, "date '2023-01-02'", J, "\"2023-01-02\"");
	check_style(e, "time '01:02:03.5'", J, "\"01:02:03.5\"");
	check_style(e, "timetz '01:02:03+05:30'", J, "\"01:02:03+05:30\"");
	check_style(e, "timestamp '2023-01-02 03:04:05.25'", J, "\"2023-01-02 03:04:05.25\"");
	check_style(e, "timestamp_ns '2023-01-02 03:04:05.000000001'", J, "\"2023-01-02 03:04:05.000000001\"");
	check_style(e, "timestamptz '2023-01-02 03:04:05+01'", J, "\"2023-01-02 02:04:05+00\"");
	check_style(e, "interval '1 day 2 hours'", J, "\"1 day 02:00:00\"");
	check_style(e, "uuid 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", J, "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"");
	check_style(e, "'b'::ENUM('a', 'b')", J, "\"b\"");
	check_style(e, "[1, NULL, 3]", J, "[1,null,3]");
	check_style(e, "['a', 'b\"']", J, "[\"a\",\"b\\\"\"]");
	check_style(e, "[]::VARCHAR[]", J, "[]");
	check_style(e, "[[1], [2, 3]]", J, "[[1],[2,3]]");
	check_style(e, "[1.5, 2]::DOUBLE[2]", J, "[1.5,2.0]");
	check_style(e, "{'a': 1, 'b': 'x', 'c': NULL}", J, "{\"a\":1,\"b\":\"x\",\"c\":null}");
	check_style(e, "{'a b': {'c': [true]}}", J, "{\"a b\":{\"c\":[true]}}");
	/* JSON object keys are strings: non-string map keys are rendered as text */
	check_style(e, "map {'k': 1, 'l': 2}", J, "{\"k\":1,\"l\":2}");
	check_style(e, "map {1: 'x', 2: NULL}", J, "{\"1\":\"x\",\"2\":null}");
	check_style(e, "map {date '2020-01-01': [1]}", J, "{\"2020-01-01\":[1]}");
	check_style(e, "union_value(n := 5)::UNION(k VARCHAR, n INT)", J, "5");
	check_style(e, "union_value(k := 'x')::UNION(k VARCHAR, n INT)", J, "\"x\"");
	check_style(e, "[{'d': date '2020-01-01', 'u': NULL::UUID}]", J, "[{\"d\":\"2020-01-01\",\"u\":null}]");

	/* TEXT: NULL and ldp's rendering of strings nested in lists, structs and maps, which
	 * are always written as SQL literals ('it''s'); top-level strings are bare. */
	const ldp_value_style T = LDP_VALUE_TEXT;
	check_style(e, "NULL::VARCHAR", T, "NULL");
	check_style(e, "'it''s'", T, "it's");
	check_style(e, "['a', 'it''s', NULL]", T, "['a', 'it''s', NULL]");
	check_style(e, "{'k': 'v w'}", T, "{'k': 'v w'}");
	check_style(e, "map {'a': 'b'}", T, "{'a'='b'}");
	check_style(e, "[date '2020-01-01']", T, "[2020-01-01]");
	ldp_engine_free(e);
}

static void test_type_names(void **state)
{
	(void)state;
	static const char *exprs[] = {
		"1::INTEGER", "1::BIGINT", "1.5::DECIMAL(10,2)", "['a']", "[1, 2, 3]::INT[3]", "{'a': 1}",
		"{'a b': 1, 'C': 'x', '_x9': 2, '9x': 3}", "map {'k': [1]}", "uuid '12345678-1234-5678-1234-567812345678'",
		"timestamptz '2020-01-01 00:00:00+00'", "timetz '01:00:00+00'", "'1'::BIGNUM", "'12:00:00'::TIME_NS",
		"union_value(n := 5)::UNION(k VARCHAR, n INT)", "interval '1 day'", "'a'::BLOB", "1::HUGEINT",
	};
	ldp_engine *e = open_mem();
	char sql[512];
	for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
		snprintf(sql, sizeof sql, "select typeof(%s)", exprs[i]);
		char *want = q1(e, sql);
		snprintf(sql, sizeof sql, "select %s", exprs[i]);
		ldp_result *r = NULL;
		assert_int_equal(ldp_engine_query(e, sql, &r), 0);
		if (strcmp(ldp_result_column_type(r, 0), want) != 0)
			fail_msg("%s: ldp type '%s', DuckDB typeof '%s'", exprs[i], ldp_result_column_type(r, 0), want);
		ldp_result_free(r);
		free(want);
	}
	ldp_engine_free(e);
}

/* ---- interrupt ---- */

struct long_query {
	ldp_engine *e;
	int rc;
	atomic_int done;
	char msg[256];
};

static void *run_long_query(void *arg)
{
	struct long_query *lq = arg;
	ldp_result *r = NULL;
	/* ~10^12 rows: minutes of work, so only the interrupt ends it */
	int rc = ldp_engine_query(lq->e, "select sum(hash(a.range + b.range)) from range(1000000) a, range(1000000) b", &r);
	if (rc == 0) {
		ldp_chunk *c;
		while ((rc = ldp_result_fetch(r, &c)) == 0 && c)
			;
		ldp_result_free(r);
	}
	lq->rc = rc;
	snprintf(lq->msg, sizeof lq->msg, "%s", ldp_error_last()->message);
	atomic_store(&lq->done, 1);
	return NULL;
}

static void test_interrupt(void **state)
{
	(void)state;
	struct long_query lq = {.e = open_mem()};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, run_long_query, &lq), 0);
	/* The interrupt flag is reset when a query starts, so keep interrupting until it lands. */
	struct timespec ts = {0, 50 * 1000 * 1000};
	for (int i = 0; i < 600 && !atomic_load(&lq.done); i++) {
		nanosleep(&ts, NULL);
		ldp_engine_interrupt(lq.e);
	}
	int finished = atomic_load(&lq.done);
	pthread_join(th, NULL);
	assert_true(finished);
	if (lq.rc != LDP_EINTERRUPTED)
		fail_msg("rc %d: %s", lq.rc, lq.msg);
	/* the engine stays usable */
	assert_q1(lq.e, "select 40 + 2", "42");
	ldp_engine_free(lq.e);
}

/* ---- Parquet writer ---- */

static const ldp_column_stats *col_by_path(const ldp_data_file *f, const char *path)
{
	for (size_t i = 0; i < f->ncolumns; i++)
		if (strcmp(f->columns[i].path, path) == 0)
			return &f->columns[i];
	fail_msg("%s: no column '%s'", f->path, path);
	return NULL;
}

static void test_write_parquet_field_ids_and_stats(void **state)
{
	(void)state;
	ldp_engine *e = open_mem();
	char path[512];
	tmp_file(path, sizeof path, "ids.parquet");
	remove(path);
	static const ldp_field_id s_kids[] = {{"a", 3, 0, NULL}, {"b", 4, 0, NULL}};
	static const ldp_field_id l_kids[] = {{"element", 6, 0, NULL}};
	static const ldp_field_id m_kids[] = {{"key", 8, 0, NULL}, {"value", 9, 0, NULL}};
	static const ldp_field_id ids[] = {
		{"id", 1, 0, NULL}, {"s", 2, 2, s_kids}, {"l", 5, 1, l_kids}, {"m", 7, 2, m_kids}, {"n", 10, 0, NULL},
		{"name", 11, 0, NULL},
	};
	ldp_parquet_options o = {.field_ids = ids, .nfield_ids = 6};
	/* i = 1..10; n is NULL for 3, 6, 9; l has two elements per row */
	const char *q = "select i::BIGINT as id, {'a': i::INT, 'b': 'x' || i} as s, [i, i + 1] as l,"
			" map {'k' || i: i * 0.5} as m, case when i % 3 = 0 then null else i::INT end as n,"
			" 'it''s' as name from range(1, 11) t(i)";
	ldp_data_files *files = NULL;
	int rc = ldp_engine_write_parquet(e, q, path, &o, &files);
	if (rc)
		fail_msg("%s", ldp_error_last()->message);
	assert_int_equal(files->count, 1);
	const ldp_data_file *f = &files->files[0];
	assert_string_equal(f->path, path);
	assert_true(f->record_count == 10);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(f->file_size == (int64_t)st.st_size);

	/* DuckDB's own view of the footer: every field id landed where it belongs */
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "select string_agg(name || '=' || coalesce(field_id::VARCHAR, '-'), ',' order by name)"
		 " from parquet_schema('%s') where name <> 'duckdb_schema'",
		 path);
	assert_q1(e, sql, "a=3,b=4,element=6,id=1,key=8,key_value=-,l=5,list=-,m=7,n=10,name=11,s=2,value=9");

	/* stats, per leaf */
	assert_int_equal(f->ncolumns, 8);
	const ldp_column_stats *c = col_by_path(f, "id");
	assert_int_equal(c->field_id, 1);
	assert_null(c->type); /* the writer's RETURN_STATS carry no types */
	assert_true(c->value_count == 10 && c->null_count == 0);
	assert_string_equal(c->min, "1");
	assert_string_equal(c->max, "10"); /* compared as numbers, not text ("9") */
	assert_true(c->compressed_size > 0);
	c = col_by_path(f, "n");
	assert_int_equal(c->field_id, 10);
	assert_true(c->value_count == 10 && c->null_count == 3);
	assert_string_equal(c->min, "1");
	assert_string_equal(c->max, "10");
	c = col_by_path(f, "s.a");
	assert_int_equal(c->field_id, 3);
	assert_string_equal(c->max, "10");
	c = col_by_path(f, "s.b");
	assert_int_equal(c->field_id, 4);
	assert_null(c->type);
	assert_string_equal(c->min, "x1");
	assert_string_equal(c->max, "x9"); /* strings do compare as text: x1 < x10 < x2 ... < x9 */
	c = col_by_path(f, "l.element");
	assert_int_equal(c->field_id, 6);
	assert_true(c->value_count == 20 && c->null_count == 0);
	assert_string_equal(c->min, "1");
	assert_string_equal(c->max, "11");
	c = col_by_path(f, "m.key");
	assert_int_equal(c->field_id, 8);
	assert_true(c->value_count == 10);
	c = col_by_path(f, "m.value");
	assert_int_equal(c->field_id, 9);
	assert_string_equal(c->min, "0.5");
	assert_string_equal(c->max, "5.0");
	c = col_by_path(f, "name");
	assert_string_equal(c->min, "it's");
	ldp_data_files_free(files);

	/* the file reads back with the same rows */
	snprintf(sql, sizeof sql, "select sum(id) + sum(s.a) + sum(len(l)) + count(n) from '%s'", path);
	assert_q1(e, sql, "137"); /* 55 + 55 + 20 + 7 */

	/* without field ids the columns say so */
	o.field_ids = NULL;
	o.nfield_ids = 0;
	remove(path);
	assert_int_equal(ldp_engine_write_parquet(e, "select 1 as x", path, &o, &files), 0);
	assert_int_equal(files->files[0].ncolumns, 1);
	assert_int_equal(files->files[0].columns[0].field_id, -1);
	ldp_data_files_free(files);
	remove(path);

	/* a failing query reports the target */
	assert_true(ldp_engine_write_parquet(e, "select * from nowhere", path, NULL, &files) < 0);
	assert_null(files);
	assert_non_null(strstr(ldp_error_last()->message, path));
	ldp_engine_free(e);
}

static void test_write_parquet_split_files(void **state)
{
	(void)state;
	ldp_engine *e = open_mem();
	char dir[512];
	tmp_file(dir, sizeof dir, "split");
	rm_rf(dir);
	ldp_parquet_options o = {.compression = "uncompressed", .row_group_size = 10000, .target_file_size = 200 * 1024};
	ldp_data_files *files = NULL;
	/* ~200k rows of poorly compressible data: a few MB, so several files of ~200 KiB */
	int rc = ldp_engine_write_parquet(e, "select range as i, md5(range::VARCHAR) as h from range(200000)", dir, &o,
					  &files);
	if (rc)
		fail_msg("%s", ldp_error_last()->message);
	assert_true(files->count >= 3);
	int64_t total = 0;
	for (size_t i = 0; i < files->count; i++) {
		const ldp_data_file *f = &files->files[i];
		struct stat st;
		assert_int_equal(stat(f->path, &st), 0);
		assert_true(f->file_size == (int64_t)st.st_size);
		assert_true(f->record_count > 0);
		assert_int_equal(f->ncolumns, 2);
		assert_true(f->columns[0].value_count == f->record_count);
		total += f->record_count;
	}
	assert_true(total == 200000);
	/* every file in the directory is accounted for */
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	assert_int_equal(n, files->count);
	ldp_data_files_free(files);
	char sql[700];
	snprintf(sql, sizeof sql, "select count(*), count(distinct i) from '%s/*.parquet'", dir);
	assert_q1(e, sql, "200000");
	rm_rf(dir);
	ldp_engine_free(e);
}

/* ---- stats of files ldp did not write ---- */

static void test_parquet_stats_fixtures(void **state)
{
	(void)state;
	ldp_engine *e = open_mem();
	const char *dir = LDP_FIXTURES "/parquet-testing";
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	int nfiles = 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 8 || strcmp(de->d_name + len - 8, ".parquet") != 0)
			continue;
		char path[1024], sql[1200];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		ldp_data_file f;
		int rc = ldp_engine_parquet_stats(e, path, &f);
		if (rc)
			fail_msg("%s: %s", de->d_name, ldp_error_last()->message);
		/* cross-check the record count with a real scan */
		snprintf(sql, sizeof sql, "select count(*) from '%s'", path);
		char *cnt = q1(e, sql);
		if (strtoll(cnt, NULL, 10) != f.record_count)
			fail_msg("%s: stats say %lld rows, count(*) says %s", de->d_name, (long long)f.record_count, cnt);
		free(cnt);
		/* and the leaf count with the footer */
		snprintf(sql, sizeof sql, "select count(distinct column_id) from parquet_metadata('%s')", path);
		cnt = q1(e, sql);
		if (strtoll(cnt, NULL, 10) != (long long)f.ncolumns)
			fail_msg("%s: %zu leaf columns, footer has %s", de->d_name, f.ncolumns, cnt);
		free(cnt);
		assert_true(f.file_size > 0);
		for (size_t i = 0; i < f.ncolumns; i++) {
			assert_non_null(f.columns[i].path);
			assert_true(f.columns[i].value_count >= 0);
		}
		ldp_data_file_clear(&f);
		nfiles++;
	}
	closedir(d);
	assert_true(nfiles >= 10);

	/* typed min/max on a known fixture: alltypes_plain has id 0..7 and int_col 0/1 */
	ldp_data_file f;
	assert_int_equal(ldp_engine_parquet_stats(e, LDP_FIXTURES "/parquet-testing/alltypes_plain.parquet", &f), 0);
	assert_true(f.record_count == 8);
	ldp_data_file_clear(&f);

	/* a missing file */
	assert_int_equal(ldp_engine_parquet_stats(e, LDP_FIXTURES "/nope.parquet", &f), LDP_ENOTFOUND);
	assert_non_null(strstr(ldp_error_last()->message, "nope.parquet"));
	/* not a Parquet file */
	int rc = ldp_engine_parquet_stats(e, LDP_FIXTURES "/nyc-taxi/taxi_zone_lookup.csv", &f);
	assert_true(rc < 0);
	assert_non_null(strstr(ldp_error_last()->message, "taxi_zone_lookup.csv"));
	ldp_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_memory_exec),
		cmocka_unit_test(test_open_file_database),
		cmocka_unit_test(test_streaming_many_chunks),
		cmocka_unit_test(test_prepared_bindings),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_error_mapping),
		cmocka_unit_test(test_format_text_matches_duckdb_cast),
		cmocka_unit_test(test_format_json),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_write_parquet_field_ids_and_stats),
		cmocka_unit_test(test_write_parquet_split_files),
		cmocka_unit_test(test_parquet_stats_fixtures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
