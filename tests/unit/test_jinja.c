/* Unit tests of the Jinja subset (src/transform/jinja*.c). Expected outputs
 * are what Jinja2 (default settings, as dbt uses them) renders for the same
 * templates, worked out by hand from Jinja2's documented semantics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "transform/jinja.h"

static int native_upper_first(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)ud;
	(void)self;
	if (!a->npos || a->pos[0].type != JJ_STR)
		return ldp_error_set(LDP_EINVALID, "shout() needs a string");
	*out = jj_str(rt, a->pos[0].u.s.p);
	((char *)out->u.s.p)[0] = 'X';
	return 0;
}

/* Render src (with optional macro file) and return the output or NULL with the error. */
static char *render2(const char *macros, const char *src, int *rc_out)
{
	jj_env *env;
	jj_rt *rt;
	jj_template *t, *m;
	assert_int_equal(jj_env_new(&env), 0);
	int rc = 0;
	if (macros && !(rc = jj_parse(env, "macros/m.sql", macros, &m)))
		rc = jj_env_add_macros(env, m);
	if (!rc)
		rc = jj_parse(env, "models/t.sql", src, &t);
	char *res = NULL;
	if (!rc) {
		assert_int_equal(jj_rt_new(env, &rt), 0);
		jj_rt_set_global(rt, "name", jj_str(rt, "World"));
		jj_rt_set_global(rt, "n", jj_int(3));
		jj_rt_set_global(rt, "xs", jj_list_new(rt));
		jj_val xs;
		xs = jj_list_new(rt);
		jj_list_push(rt, xs.u.list, jj_str(rt, "a"));
		jj_list_push(rt, xs.u.list, jj_str(rt, "b"));
		jj_list_push(rt, xs.u.list, jj_str(rt, "c"));
		jj_rt_set_global(rt, "letters", xs);
		jj_rt_set_global(rt, "shout", jj_func_new(rt, "shout", native_upper_first, NULL));
		ldp_buf b = LDP_BUF_INIT;
		rc = jj_render(rt, t, &b);
		if (!rc)
			res = strdup(ldp_buf_cstr(&b));
		ldp_buf_free(&b);
		jj_rt_free(rt);
	}
	jj_env_free(env);
	*rc_out = rc;
	return res;
}

static void expect(const char *src, const char *want)
{
	int rc;
	char *got = render2(NULL, src, &rc);
	if (rc)
		fail_msg("rendering %s failed: %s", src, ldp_error_last()->message);
	assert_string_equal(got, want);
	free(got);
}

static void expect_m(const char *macros, const char *src, const char *want)
{
	int rc;
	char *got = render2(macros, src, &rc);
	if (rc)
		fail_msg("rendering %s failed: %s", src, ldp_error_last()->message);
	assert_string_equal(got, want);
	free(got);
}

static void expect_error(const char *src, const char *msg_part)
{
	int rc;
	char *got = render2(NULL, src, &rc);
	if (!rc)
		fail_msg("%s rendered as '%s' but should fail with '%s'", src, got, msg_part);
	if (!strstr(ldp_error_last()->message, msg_part))
		fail_msg("error for %s was '%s', expected it to contain '%s'", src, ldp_error_last()->message, msg_part);
}

static void test_text_and_output(void **state)
{
	(void)state;
	expect("select 1", "select 1");
	expect("Hello {{ name }}!", "Hello World!");
	expect("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ 7 / 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }}",
	       "7 9 3 3.5 -4 1 1024");
	expect("{{ 'a' ~ 1 ~ none }} {{ 'x' + 'y' }} {{ 'ab' * 2 }}", "a1None xy abab");
	expect("{{ [1, 'a', none, true] }} {{ {'k': 1} }} {{ 1.5 }} {{ 2.0 }}", "[1, 'a', None, True] {'k': 1} 1.5 2.0");
	expect("{# comment #}x{# multi\nline #}y", "xy");
	/* one trailing newline is dropped, as Jinja2 does by default */
	expect("a\n", "a");
	expect("a\n\n", "a\n");
	expect("{% raw %}{{ not rendered }}{% endraw %}", "{{ not rendered }}");
}

static void test_whitespace_control(void **state)
{
	(void)state;
	expect("a  {{- 'b' -}}  c", "abc");
	expect("select\n  {%- if true %} x{% endif %}\nfrom t", "select x\nfrom t");
	expect("{% for x in letters -%}\n  {{ x }}\n{%- endfor %}", "abc");
	expect("a {#- c -#} b", "ab");
	/* without '-' the newlines stay (trim_blocks off) */
	expect("{% if true %}\nx\n{% endif %}\n", "\nx\n");
}

static void test_if_and_logic(void **state)
{
	(void)state;
	expect("{% if n > 2 %}big{% elif n > 1 %}mid{% else %}small{% endif %}", "big");
	expect("{% if n > 5 %}big{% elif n > 1 %}mid{% else %}small{% endif %}", "mid");
	expect("{% if n > 5 %}big{% elif n > 4 %}mid{% else %}small{% endif %}", "small");
	expect("{{ 1 and 2 }} {{ 0 or 'x' }} {{ not 0 }} {{ 1 < 2 < 3 }}", "2 x True True");
	expect("{{ 'b' in letters }} {{ 'z' not in letters }} {{ 'ell' in 'hello' }} {{ 'k' in {'k': 1} }}",
	       "True True True True");
	expect("{{ 'yes' if n == 3 else 'no' }} {{ 'a' if false }}|", "yes |");
	expect("{{ n == 3.0 }} {{ 'a' != 'b' }} {{ [1, 2] == [1, 2] }}", "True True True");
}

static void test_for_loops(void **state)
{
	(void)state;
	expect("{% for x in letters %}{{ loop.index }}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}", "1a,2b,3c");
	expect("{% for x in letters %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.length }} {% endfor %}",
	       "03True3 12False3 21False3 ");
	expect("{% for x in [] %}x{% else %}empty{% endfor %}", "empty");
	expect("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;");
	expect("{% for x in range(5) if x is odd %}{{ x }}{{ loop.length }} {% endfor %}", "12 32 ");
	expect("{% for x in range(1, 10, 3) %}{{ x }}{% endfor %}", "147");
	expect("{% for x in letters %}{{ loop.cycle('o', 'e') }}{% endfor %}", "oeo");
	/* set inside a loop does not leak out; namespace() does */
	expect("{% set c = 0 %}{% for x in letters %}{% set c = c + 1 %}{% endfor %}{{ c }}", "0");
	expect("{% set ns = namespace(c=0) %}{% for x in letters %}{% set ns.c = ns.c + 1 %}{% endfor %}{{ ns.c }}", "3");
	expect("{% for x in letters %}{% if x == 'b' %}{% break %}{% endif %}{{ x }}{% endfor %}", "a");
	expect("{% for x in letters %}{% if x == 'b' %}{% continue %}{% endif %}{{ x }}{% endfor %}", "ac");
	expect("{% for a in [1,2] %}{% for b in [3,4] %}{{ a * b }} {% endfor %}{% endfor %}", "3 4 6 8 ");
}

static void test_set(void **state)
{
	(void)state;
	expect("{% set x = 'v' %}{{ x }}", "v");
	expect("{% set a, b = 1, 2 %}{{ a }}{{ b }}", "12");
	expect("{% set q %}select {{ n }}{% endset %}[{{ q }}]", "[select 3]");
	expect("{% set l = [] %}{% do l.append(1) %}{% do l.extend([2, 3]) %}{{ l }} {{ l | length }}", "[1, 2, 3] 3");
	expect("{% set d = {} %}{% do d.update({'a': 1}) %}{{ d.get('a') }} {{ d.get('z', 'no') }} {{ d.a }}", "1 no 1");
}

static void test_filters(void **state)
{
	(void)state;
	expect("{{ 'AbC' | lower }} {{ 'abc' | upper }} {{ '  x  ' | trim }} {{ 'a-b' | replace('-', '_') }}", "abc ABC x a_b");
	expect("{{ letters | join(', ') }} {{ letters | length }} {{ letters | first }} {{ letters | last }}", "a, b, c 3 a c");
	expect("{{ undefined_thing | default('d') }} {{ '' | default('e', true) }} {{ none | default('n') }}", "d e None");
	expect("{{ '42' | int + 1 }} {{ 3.7 | int }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 7 | string ~ 'x' }}",
	       "43 3 2.57 2.0 4.0 7x");
	expect("{{ [3, 1, 2] | sort }} {{ [1, 1, 2] | unique | list }} {{ [1, 2] | reverse | list }} {{ [1, 2, 3] | sum }}",
	       "[1, 2, 3] [1, 2] [2, 1] 6");
	expect("{{ 'abc' | list }} {{ 'hello world' | title }} {{ 'x' | capitalize }}", "['a', 'b', 'c'] Hello World X");
	expect("{{ [{'n': 'a'}, {'n': 'b'}] | map(attribute='n') | join }}", "ab");
	expect("{{ ['a', 'b'] | map('upper') | join }}", "AB");
	expect("{{ 'a,b,,c'.split(',') }} {{ ' x y '.split() }} {{ 'abc'.startswith('ab') }} {{ 'x'.upper() }}",
	       "['a', 'b', '', 'c'] ['x', 'y'] True X");
	expect("{{ letters[0] }}{{ letters[-1] }} {{ letters[1:] }} {{ 'hello'[1:3] }} {{ 'abc'[::-1] }}", "ac ['b', 'c'] el cba");
}

static void test_tests(void **state)
{
	(void)state;
	expect("{{ x is defined }} {{ name is defined }} {{ none is none }} {{ 1 is not none }}", "False True True True");
	expect("{{ 'a' is string }} {{ 1 is number }} {{ {} is mapping }} {{ 4 is divisibleby 2 }} {{ 3 is odd }}",
	       "True True True True True");
}

static void test_macros(void **state)
{
	(void)state;
	expect("{% macro greet(who, punct='!') %}Hi {{ who }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', punct='?') }}",
	       "Hi A! Hi B?");
	expect_m("{% macro cents_to_dollars(col, scale=2) -%}\n  ({{ col }} / 100)::numeric(16, {{ scale }})\n{%- endmacro %}",
		 "select {{ cents_to_dollars('amount') }} as a", "select (amount / 100)::numeric(16, 2) as a");
	/* return() gives the macro a value instead of its text */
	expect_m("{% macro cols() %}{{ return(['a', 'b']) }}{% endmacro %}", "{{ cols() | join('+') }}", "a+b");
	expect_m("{% macro pick(x) %}{% if x %}{% do return('yes') %}{% endif %}{{ return('no') }}{% endmacro %}",
		 "{{ pick(1) }} {{ pick(0) }}", "yes no");
	/* caller() */
	expect_m("{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}",
		 "{% call wrap('b') %}bold {{ name }}{% endcall %}", "<b>bold World</b>");
	expect_m("{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}",
		 "{% call(item) each(letters) %}[{{ item }}]{% endcall %}", "[a][b][c]");
	/* kwargs / varargs, macros calling macros, {% test %} blocks as test_<name> */
	expect("{% macro f(a) %}{{ a }}{{ varargs | join }}{{ kwargs }}{% endmacro %}{{ f(1, 2, k=3) }}", "12{'k': 3}");
	expect_m("{% macro inner(x) %}<{{ x }}>{% endmacro %}{% macro outer(x) %}{{ inner(x ~ x) }}{% endmacro %}",
		 "{{ outer('z') }}", "<zz>");
	expect_m("{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endtest %}",
		 "{{ test_positive('t', 'c') }}", "select * from t where c <= 0");
	expect("{{ shout('abc') }}", "Xbc");
}

static void test_errors_name_file_and_line(void **state)
{
	(void)state;
	expect_error("line1\n{{ missing_var }}", "models/t.sql:2: 'missing_var' is undefined");
	expect_error("a\nb\n{% if x %}", "models/t.sql:3: block opened here is never closed");
	expect_error("{{ 1 +  }}", "models/t.sql:1: unexpected");
	expect_error("{{ name | nosuchfilter }}", "models/t.sql:1: unknown filter 'nosuchfilter'");
	expect_error("\n\n{% snapshot s %}{% endsnapshot %}", "models/t.sql:3: unsupported or misplaced tag 'snapshot'");
	expect_error("{{ nosuch_macro('x') }}", "'nosuch_macro' is undefined");
	expect_error("{{ 'a' - 1 }}", "unsupported operand types for -: string and int");
	expect_error("{% endif %}", "unexpected 'endif'");
	expect_error("{{ 'unterminated }}", "unterminated string literal");
	expect_error("{{ x is weird }}", "unknown test 'weird'");
	expect_error("{{ letters[10] }}", "index 10 out of range");
	expect_error("{{ undefined_obj.attr }}", "'undefined_obj' is undefined");
	expect_error("{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}", "nested deeper than 100");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_output),
		cmocka_unit_test(test_whitespace_control),
		cmocka_unit_test(test_if_and_logic),
		cmocka_unit_test(test_for_loops),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_tests),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_errors_name_file_and_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
