/*
 * Tests of dbt project loading, the DAG and selection (src/transform/dbt_*.c)
 * through ldp_dbt_execute(ls), which needs no warehouse: selection results
 * are hand-derived from the small graphs written here, and every bad project
 * must fail with a message that names the file (and line) and the problem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "transform/transform.h"

static char DIR_[512];

static void put(const char *rel, const char *text)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", DIR_, rel);
	assert_int_equal(ldp_io_write_atomic(path, text, strlen(text)), 0);
}

static void project(const char *name)
{
	snprintf(DIR_, sizeof DIR_, "%s/dbt_%s", LDP_TEST_TMP, name);
	ldp_io_remove_tree(DIR_);
	put("dbt_project.yml", "name: p\nprofile: p\nmodels:\n  p:\n    marts:\n      +materialized: table\n      +tags: [m]\n");
	put("profiles.yml", "p:\n  target: dev\n  outputs:\n    dev: {type: ldp, schema: s, threads: 3}\n");
}

static void on_ev(const ldp_dbt_event *ev, void *ud)
{
	ldp_buf *b = ud;
	if (ev->kind == LDP_DBT_EV_LIST)
		ldp_buf_printf(b, "%s%s", b->len ? " " : "", ev->name);
}

/* ls with a selector (NULL: all) and exclude; returns the names or NULL with the error. */
static char *ls(const char *sel, const char *ex, int *rc)
{
	ldp_dbt_options o;
	memset(&o, 0, sizeof o);
	o.project_dir = DIR_;
	o.select = &sel;
	o.nselect = sel ? 1 : 0;
	o.exclude = &ex;
	o.nexclude = ex ? 1 : 0;
	o.resource_type = "model";
	ldp_buf b = LDP_BUF_INIT;
	ldp_dbt_summary sum;
	*rc = ldp_dbt_execute(LDP_DBT_LS, &o, on_ev, &b, &sum);
	char *s = strdup(ldp_buf_cstr(&b));
	ldp_buf_free(&b);
	return s;
}

static void expect_ls(const char *sel, const char *ex, const char *want)
{
	int rc;
	char *got = ls(sel, ex, &rc);
	if (rc)
		fail_msg("ls %s: %s", sel ? sel : "", ldp_error_last()->message);
	assert_string_equal(got, want);
	free(got);
}

static void expect_fail(const char *msg)
{
	int rc;
	free(ls(NULL, NULL, &rc));
	if (!rc)
		fail_msg("expected an error containing '%s'", msg);
	if (!strstr(ldp_error_last()->message, msg))
		fail_msg("error '%s' does not contain '%s'", ldp_error_last()->message, msg);
}

/* a -> b -> d, a -> c -> d; e alone (graph drawn by hand) */
static void diamond(void)
{
	put("models/a.sql", "select 1 as x");
	put("models/b.sql", "select * from {{ ref('a') }}");
	put("models/c.sql", "{{ config(tags=['t1']) }} select * from {{ ref('a') }}");
	put("models/marts/d.sql", "select * from {{ ref('b') }} join {{ ref('c') }} using (x)");
	put("models/marts/e.sql", "select 2 as y");
}

static void test_selection(void **state)
{
	(void)state;
	project("sel");
	diamond();
	expect_ls(NULL, NULL, "p.a p.b p.c p.marts.d p.marts.e");
	expect_ls("d", NULL, "p.marts.d");
	expect_ls("+d", NULL, "p.a p.b p.c p.marts.d");
	expect_ls("1+d", NULL, "p.b p.c p.marts.d");
	expect_ls("a+", NULL, "p.a p.b p.c p.marts.d");
	expect_ls("a+1", NULL, "p.a p.b p.c");
	expect_ls("tag:t1", NULL, "p.c");
	expect_ls("tag:m", NULL, "p.marts.d p.marts.e");
	expect_ls("path:models/marts", NULL, "p.marts.d p.marts.e");
	expect_ls("a+,tag:m", NULL, "p.marts.d");
	expect_ls("b e", NULL, "p.b p.marts.e");
	expect_ls("+d", "c", "p.a p.b p.marts.d");
	expect_ls("config.materialized:table", NULL, "p.marts.d p.marts.e");
	expect_ls("[ab]", NULL, "p.a p.b");
	int rc;
	free(ls("nosuch:x", NULL, &rc));
	assert_int_equal(rc, LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "unknown method 'nosuch'"));
}

static void test_bad_projects(void **state)
{
	(void)state;
	project("cycle");
	put("models/a.sql", "select * from {{ ref('b') }}");
	put("models/b.sql", "select * from {{ ref('a') }}");
	expect_fail("cycle: a -> b -> a");

	project("badref");
	put("models/a.sql", "select 1\nfrom {{ ref('zz') }}");
	expect_fail("models/a.sql:2: a refers to 'zz', which is not a model or seed");

	project("mat");
	put("models/a.sql", "{{ config(materialized='snapshot') }} select 1");
	expect_fail("models/a.sql: materialized='snapshot' is not supported");

	project("var");
	put("models/a.sql", "select {{ var('missing') }}");
	expect_fail("models/a.sql:1: required var 'missing' is not set");

	project("yaml");
	put("models/schema.yml", "version: 2\nmodels:\n  - name: a\n    columns: [\n");
	put("models/a.sql", "select 1");
	expect_fail("models/schema.yml");

	project("undescribed");
	put("models/schema.yml", "version: 2\nmodels:\n  - name: nope\n");
	expect_fail("models/schema.yml: model 'nope' is described here but there is no such model file");

	project("pkgtest");
	put("models/a.sql", "select 1 as x");
	put("models/schema.yml", "version: 2\nmodels:\n  - name: a\n    tests: [dbt_utils.recency]\n");
	expect_fail("dbt packages are not supported");

	project("profile");
	put("profiles.yml", "other:\n  outputs: {}\n");
	expect_fail("has no profile 'p'");

	project("python");
	put("models/a.py", "def model(dbt, session): pass\n");
	expect_fail("models/a.py: Python models are not supported");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_bad_projects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
