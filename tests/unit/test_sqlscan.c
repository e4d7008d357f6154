/* Qualified-name scanning used to find Iceberg table references in SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_comments_and_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
