/* Qualified-name scanning used to find Iceberg table references in SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sqlscan.h"
#include "ldp/buf.h"

static int collect(const ldp_sql_name *n, void *ud)
{
	ldp_buf *b = ud;
	if (b->len)
		ldp_buf_putc(b, '|');
	for (size_t i = 0; i < n->nparts; i++) {
		if (i)
			ldp_buf_putc(b, '.');
		ldp_buf_puts(b, n->parts[i]);
	}
	return 0;
}

static void expect(const char *sql, const char *want)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_sql_scan_names(sql, collect, &b);
	if (strcmp(ldp_buf_cstr(&b), want) != 0)
		fail_msg("sql: %s\n got: %s\nwant: %s", sql, ldp_buf_cstr(&b), want);
	ldp_buf_free(&b);
}

static void test_basic(void **state)
{
	(void)state;
	expect("select * from ns.t", "ns.t");
	expect("select a.x, b.y from ns.t a join other.u b on a.id = b.id", "a.x|b.y|ns.t|other.u|a.id|b.id");
	expect("select 1", "");
	expect("select * from t", "");
}

static void test_quoting(void **state)
{
	(void)state;
	expect("select * from \"my ns\".\"t@123\"", "my ns.t@123");
	expect("select * from ns.\"a\"\"b\"", "ns.a\"b");
	expect("select 'ns.t' , \"x\" from y", "");
	expect("select 'it''s ns.t' from a.b", "a.b");
	expect("select E'\\' ns.t' from a.b", "a.b");
	expect("select $$ ns.t $$, $q$ x.y $q$ from a.b", "a.b");
}

static void test_comments_and_calls(void **state)
{
	(void)state;
	expect("-- ns.t\nselect /* a.b */ 1 from c.d", "c.d");
	expect("select main.f(1), x.y from ns . t", "x.y|ns.t");
	expect("select * from cat.ns.t, a.b.c.d", "cat.ns.t|a.b.c.d");
	expect("select 1.5 from a.b", "a.b");
	expect("insert into ns.t select * from 'f.parquet'", "ns.t");
	expect("select * from ns.", "");
	expect("select \"unterminated", "");
}

/* Split a script and join the pieces as "line:text|line:text". */
static void expect_split(const char *sql, const char *want)
{
	ldp_sql_piece *p = NULL;
	size_t n = 0;
	assert_int_equal(ldp_sql_split(sql, &p, &n), 0);
	char got[1024] = "";
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(got);
		snprintf(got + l, sizeof got - l, "%s%zu:%.*s", i ? "|" : "", p[i].line, (int)p[i].length, sql + p[i].offset);
	}
	free(p);
	assert_string_equal(got, want);
}

static void test_split(void **state)
{
	(void)state;
	expect_split("select 1; select 2", "1:select 1|1:select 2");
	expect_split("select ';' ; select \"a;b\" from t;", "1:select ';'|1:select \"a;b\" from t");
	expect_split("-- c;\n/* x; */select 1 -- tail;\n;\n\n;select $$a;b$$", "2:select 1|5:select $$a;b$$");
	expect_split("select E'it\\'s;'; select 2", "1:select E'it\\'s;'|1:select 2");
	expect_split("create table a.b (x int)\npartitioned by (day(x));\ninsert into a.b values (1)",
		     "1:create table a.b (x int)\npartitioned by (day(x))|3:insert into a.b values (1)");
	expect_split(" ;; \n ", "");
	expect_split("select 1 /* unterminated", "1:select 1");
}

static void test_words(void **state)
{
	(void)state;
	char w[4][32];
	const char *s = "/* c */ CREATE or Replace TABLE a.b";
	assert_int_equal(ldp_sql_words(s, strlen(s), w, 4), 4);
	assert_string_equal(w[0], "create");
	assert_string_equal(w[3], "table");
	s = "  select(1)";
	assert_int_equal(ldp_sql_words(s, strlen(s), w, 4), 1);
	s = "insert into";
	assert_int_equal(ldp_sql_words(s, 6, w, 4), 1); /* the length bounds the scan */
	assert_string_equal(w[0], "insert");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_comments_and_calls),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
