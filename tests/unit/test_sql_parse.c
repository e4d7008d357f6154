/* The statement cursor behind ldp's own SQL clauses (table/sql_parse.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/buf.h"
#include "table/sql_parse.h"

static void test_keywords(void **state)
{
	(void)state;
	ldp_sqlp p;
	ldp_sqlp_init(&p, "  CREATE /* c */ or\n-- line\n Replace TABLE tables");
	assert_true(ldp_sqlp_kw(&p, "create"));
	assert_false(ldp_sqlp_kw(&p, "or table")); /* all or nothing */
	assert_true(ldp_sqlp_kw(&p, "or replace"));
	assert_true(ldp_sqlp_kw(&p, "table"));
	assert_false(ldp_sqlp_kw(&p, "table")); /* "tables" is not "table" */
	assert_true(ldp_sqlp_kw(&p, "tables"));
	assert_true(ldp_sqlp_at_end(&p));
}

static void test_names(void **state)
{
	(void)state;
	ldp_sqlp p;
	ldp_sqlp_name n;
	ldp_sqlp_init(&p, "sales.eu.\"my \"\"odd\"\" t@123\" (x int)");
	assert_true(ldp_sqlp_qname(&p, &n));
	assert_int_equal(n.n, 3);
	assert_string_equal(n.parts[0], "sales");
	assert_string_equal(n.parts[1], "eu");
	assert_string_equal(n.parts[2], "my \"odd\" t@123");
	assert_string_equal(ldp_sqlp_rest(&p), "(x int)");
	ldp_sqlp_init(&p, "\"a.b\".t");
	assert_true(ldp_sqlp_qname(&p, &n));
	assert_int_equal(n.n, 2);
	assert_string_equal(n.parts[0], "a.b");
	ldp_sqlp_init(&p, "(select 1)");
	assert_false(ldp_sqlp_qname(&p, &n));
	assert_int_equal(p.i, 0); /* nothing consumed */
	ldp_sqlp_init(&p, "a.");
	assert_false(ldp_sqlp_qname(&p, &n));
	assert_int_equal(p.i, 0);
}

static void test_parens(void **state)
{
	(void)state;
	ldp_sqlp p;
	size_t st, len;
	const char *sql = "(day(ts), bucket(16, id), 'a)b', \"c)\") AS select";
	ldp_sqlp_init(&p, sql);
	assert_true(ldp_sqlp_parens(&p, &st, &len));
	char *inner = strndup(sql + st, len);
	assert_string_equal(inner, "day(ts), bucket(16, id), 'a)b', \"c)\"");
	free(inner);
	assert_true(ldp_sqlp_kw(&p, "as"));
	ldp_sqlp_init(&p, "(unbalanced");
	assert_false(ldp_sqlp_parens(&p, &st, &len));
	ldp_sqlp_init(&p, "x");
	assert_false(ldp_sqlp_parens(&p, &st, &len));
}

static int join(const char *item, size_t n, void *ud)
{
	ldp_buf *b = ud;
	ldp_buf_putc(b, '[');
	ldp_buf_put(b, item, n);
	ldp_buf_putc(b, ']');
	return 0;
}

static int stop_second(const char *item, size_t n, void *ud)
{
	(void)item, (void)n;
	return ++*(int *)ud == 2 ? 7 : 0;
}

static void test_split_commas(void **state)
{
	(void)state;
	ldp_buf b = LDP_BUF_INIT;
	const char *s = " 'k,1' = 'v''s,' , f(a, b) ,\"x,y\",, last ";
	assert_int_equal(ldp_sqlp_split_commas(s, strlen(s), join, &b), 0);
	assert_string_equal(ldp_buf_cstr(&b), "['k,1' = 'v''s,'][f(a, b)][\"x,y\"][last]");
	ldp_buf_free(&b);
	int calls = 0;
	assert_int_equal(ldp_sqlp_split_commas("a, b, c", 7, stop_second, &calls), 7);
	assert_int_equal(calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parens),
		cmocka_unit_test(test_split_commas),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
