/*
 * Tests of the Airflow DAG export (src/pipeline/airflow.c) on hand-built
 * pipelines. Expected literals are worked out by hand from Python's string
 * literal rules (the Python Language Reference, "String and Bytes
 * literals"), Jinja's template syntax and POSIX shell quoting; the e2e tests
 * (tests/e2e/pipeline_airflow_export.sh, tests/e2e-heavy/airflow_dagbag.sh)
 * read the files back with Python's own parser and with Airflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "pipeline/airflow.h"

static char *py(const char *s)
{
	ldp_buf b = LDP_BUF_INIT;
	int rc = ldp_py_put_str(&b, s);
	if (rc) {
		ldp_buf_free(&b);
		return NULL;
	}
	return ldp_buf_detach(&b);
}

static void expect_py(const char *in, const char *want)
{
	char *got = py(in);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_py_string_literals(void **state)
{
	(void)state;
	expect_py("", "''");
	expect_py("plain", "'plain'");
	/* repr's choice: double quotes when the text has ' but no " */
	expect_py("it's", "\"it's\"");
	expect_py("say \"hi\"", "'say \"hi\"'");
	expect_py("it's \"x\"", "'it\\'s \"x\"'");
	expect_py("a\\b", "'a\\\\b'");
	expect_py("l1\nl2\r\tend", "'l1\\nl2\\r\\tend'");
	expect_py("\x01\x1f\x7f", "'\\x01\\x1f\\x7f'");
	/* é is U+00E9 (C3 A9), € U+20AC (E2 82 AC), 😀 U+1F600 (F0 9F 98 80) */
	expect_py("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "'caf\\u00e9 \\u20ac \\U0001f600'");
	/* U+202E (right-to-left override) must not reach the file raw */
	expect_py("\xe2\x80\xae", "'\\u202e'");
}

static void test_py_rejects_bad_utf8(void **state)
{
	(void)state;
	const char *bad[] = {"\xff", "a\xc3", "\xc0\x80" /* overlong NUL */, "\xed\xa0\x80" /* surrogate D800 */,
			     "\xf4\x90\x80\x80" /* U+110000 */, "\xe2\x82" /* truncated */};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ldp_buf b = LDP_BUF_INIT;
		assert_int_equal(ldp_py_put_str(&b, bad[i]), LDP_EINVALID);
		assert_non_null(strstr(ldp_error_last()->message, "UTF-8"));
		ldp_buf_free(&b);
	}
}

static void test_py_json(void **state)
{
	(void)state;
	json_error_t err;
	json_t *v = json_loads("{\"b\": [1, 2.5, true, false, null], \"a\": {\"q\": \"it's\"}, \"n\": -7, \"big\": 1e300}",
			       0, &err);
	assert_non_null(v);
	ldp_buf b = LDP_BUF_INIT;
	assert_int_equal(ldp_py_put_json(&b, v), LDP_OK);
	/* keys in document order; 1e300 has no exact short form, %.17g gives 1.0000000000000001e+300 */
	assert_string_equal(ldp_buf_cstr(&b), "{'b': [1, 2.5, True, False, None], 'a': {'q': \"it's\"}, 'n': -7, "
					      "'big': 1.0000000000000001e+300}");
	ldp_buf_free(&b);
	json_decref(v);
}

static void expect_jinja(const char *in, const char *want)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_jinja_put_literal(&b, in);
	assert_string_equal(ldp_buf_cstr(&b), want);
	ldp_buf_free(&b);
}

static void test_jinja_literal(void **state)
{
	(void)state;
	expect_jinja("/srv/proj", "/srv/proj");
	expect_jinja("a{{ ds }}b", "a{{ '{' }}{{ '{' }} ds }}b");
	expect_jinja("{% x %}{#", "{{ '{' }}% x %}{{ '{' }}#");
	expect_jinja("run.sh", "run.s{{ 'h' }}");
	expect_jinja("run.bash", "run.bas{{ 'h' }}");
	expect_jinja("run.shx", "run.shx");
	expect_jinja("a\n", "a{{ '\\n' }}");
	expect_jinja("a\nb", "a\nb");
	expect_jinja("a\r\nb", "a{{ '\\r' }}\nb");
}

static void expect_sh(const char *in, const char *want)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_put_shell_word(&b, in);
	assert_string_equal(ldp_buf_cstr(&b), want);
	ldp_buf_free(&b);
}

static void test_shell_words(void **state)
{
	(void)state;
	expect_sh("nyc_taxi", "nyc_taxi");
	expect_sh("/opt/ldp/bin/ldp", "/opt/ldp/bin/ldp");
	expect_sh("", "''");
	expect_sh("two words", "'two words'");
	expect_sh("it's", "'it'\\''s'");
	expect_sh("$HOME;rm -rf /", "'$HOME;rm -rf /'");
	expect_sh("a\nb", "'a\nb'");
}

static void test_airflow_ids(void **state)
{
	(void)state;
	char *id;
	assert_int_equal(ldp_airflow_id("nyc_taxi.v2-x", &id), LDP_OK);
	assert_string_equal(id, "nyc_taxi.v2-x");
	free(id);
	assert_int_equal(ldp_airflow_id("my step/it's \xc3\xa9", &id), LDP_OK);
	assert_string_equal(id, "my_step_it_s___"); /* é is two bytes */
	free(id);
	assert_int_equal(ldp_airflow_id("", &id), LDP_EINVALID);
	char long_name[300];
	memset(long_name, 'x', 251);
	long_name[251] = '\0';
	assert_int_equal(ldp_airflow_id(long_name, &id), LDP_EINVALID);
	long_name[250] = '\0';
	assert_int_equal(ldp_airflow_id(long_name, &id), LDP_OK);
	free(id);
}

/* A pipeline like the example in pipeline.h, built by hand. */
typedef struct fixture {
	ldp_pipeline pl;
	ldp_step steps[4];
	char *deps_names[4][2];
	size_t deps[4][2];
} fixture;

static void step_init(ldp_step *st, const char *name, ldp_step_kind kind, const char *spec)
{
	memset(st, 0, sizeof *st);
	st->name = (char *)name;
	st->kind = kind;
	st->spec = json_loads(spec, JSON_DECODE_ANY, NULL);
	st->retry_delay_s = 10;
	st->retry_backoff = 2;
	st->max_retry_delay_s = 600;
	st->on_failure = LDP_ON_FAILURE_STOP;
}

static void fixture_init(fixture *f)
{
	memset(f, 0, sizeof *f);
	ldp_pipeline *pl = &f->pl;
	pl->name = "nyc_taxi";
	pl->description = "Daily taxi lakehouse";
	pl->file = "/srv/proj/ldp.yml";
	pl->schedule = "0 6 * * *";
	pl->timezone = "America/New_York";
	pl->start_date = 1672549200; /* 2023-01-01T00:00:00-05:00 = 1672531200 (00:00Z) + 5 h */
	pl->catchup = 1;
	pl->max_active_steps = 2;
	pl->params = json_pack("{s:s, s:i}", "region", "nyc", "limit", 10);
	step_init(&f->steps[0], "trips", LDP_STEP_INGEST, "{\"source\": \"data/trips_{{ ds_nodash }}.parquet\"}");
	step_init(&f->steps[1], "zones", LDP_STEP_SHELL, "\"echo zones\"");
	step_init(&f->steps[2], "models", LDP_STEP_TRANSFORM, "{\"select\": \"+daily_revenue\"}");
	step_init(&f->steps[3], "checks", LDP_STEP_CHECK, "{\"table\": \"nyc.trips\"}");
	f->steps[0].retries = 2;
	f->steps[0].max_retry_delay_s = 300;
	f->steps[0].timeout_s = 600;
	f->steps[1].retries = 1;
	f->steps[1].retry_backoff = 1; /* constant delay */
	f->steps[1].retry_delay_s = 2.5;
	f->steps[3].on_failure = LDP_ON_FAILURE_CONTINUE;
	/* models depends on trips and zones (via deps indexes); checks on models (by name only) */
	f->deps_names[2][0] = "trips";
	f->deps_names[2][1] = "zones";
	f->deps[2][0] = 0;
	f->deps[2][1] = 1;
	f->steps[2].depends_on = f->deps_names[2];
	f->steps[2].deps = f->deps[2];
	f->steps[2].ndepends = 2;
	f->deps_names[3][0] = "models";
	f->steps[3].depends_on = f->deps_names[3];
	f->steps[3].ndepends = 1;
	pl->steps = f->steps;
	pl->nsteps = 4;
}

static void fixture_free(fixture *f)
{
	for (size_t i = 0; i < 4; i++)
		json_decref(f->steps[i].spec);
	json_decref(f->pl.params);
}

static char *render(const ldp_pipeline *pl, const char *bin)
{
	ldp_airflow_options o = {.ldp_bin = bin, .project_dir = "/srv/proj"};
	char *text = NULL;
	int rc = ldp_airflow_dag_render(pl, &o, &text);
	if (rc)
		fail_msg("render failed: %s", ldp_error_last()->message);
	return text;
}

/* The text of the BashOperator call for task_id `id`, up to its closing ")".
 * noinline: inlined at -O3, GCC 12 reports a dangling pointer that is not
 * there (strstr's result points into the caller's live text). */
__attribute__((noinline)) static char *task_block(const char *text, const char *var)
{
	char head[128];
	snprintf(head, sizeof head, "    %s = BashOperator(\n", var);
	const char *s = strstr(text, head);
	if (!s)
		return NULL;
	const char *e = strstr(s, "\n    )\n");
	return e ? strndup(s, (size_t)(e - s)) : NULL;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected to find [%s] in:\n%s", needle, hay);
}

static void test_render_pipeline(void **state)
{
	(void)state;
	fixture f;
	fixture_init(&f);
	char *text = render(&f.pl, NULL);
	assert_true(strncmp(text, "# generated by ldp pipeline export; edit the pipeline, not this file\n", 69) == 0);
	assert_contains(text, "    dag_id='nyc_taxi',\n");
	assert_contains(text, "    description='Daily taxi lakehouse',\n");
	assert_contains(text, "    schedule='0 6 * * *',\n");
	assert_contains(text, "    start_date=pendulum.datetime(2023, 1, 1, tz='America/New_York'),\n");
	assert_contains(text, "    catchup=True,\n");
	assert_contains(text, "    max_active_runs=1,");
	assert_contains(text, "    max_active_tasks=2,\n");
	assert_contains(text, "    params={'region': 'nyc', 'limit': 10},\n");
	assert_contains(text, "    'LDP_PROJECT': '/srv/proj',\n");
	assert_contains(text, "'LDP_AIRFLOW_DATE': '{{ data_interval_start.isoformat() }}',\n");
	assert_contains(text, "'LDP_AIRFLOW_RUN_ID': '{{ run_id }}',\n");
	/* edges: one line each, declaration order */
	assert_contains(text, "\n    t_trips >> t_models\n    t_zones >> t_models\n    t_models >> t_checks\n");
	assert_null(strstr(text, "t_trips >> t_checks"));

	char *trips = task_block(text, "t_trips");
	assert_non_null(trips);
	assert_contains(trips, "task_id='trips',");
	assert_contains(trips, "bash_command='ldp pipeline run nyc_taxi --step trips --date \"$LDP_AIRFLOW_DATE\" "
			       "--run-id \"$LDP_AIRFLOW_RUN_ID\"',");
	assert_contains(trips, "env=LDP_ENV,\n        append_env=True,\n");
	assert_contains(trips, "retries=2,\n");
	assert_contains(trips, "retry_delay=datetime.timedelta(seconds=10),\n");
	assert_contains(trips, "retry_exponential_backoff=True,\n");
	assert_contains(trips, "max_retry_delay=datetime.timedelta(seconds=300),\n");
	assert_contains(trips, "execution_timeout=datetime.timedelta(seconds=600),\n");
	assert_contains(trips, "on_failure_callback=_ldp_stop_run,\n");
	/* the step's spec, Jinja and all, is documentation only: a Python literal, never in bash_command */
	assert_contains(trips, "data/trips_{{ ds_nodash }}.parquet");
	free(trips);

	char *zones = task_block(text, "t_zones");
	assert_non_null(zones);
	assert_contains(zones, "retries=1,\n");
	assert_contains(zones, "retry_delay=datetime.timedelta(seconds=2.5),\n");
	assert_contains(zones, "retry_exponential_backoff=False,\n");
	assert_null(strstr(zones, "max_retry_delay"));
	assert_null(strstr(zones, "execution_timeout"));
	free(zones);

	char *checks = task_block(text, "t_checks");
	assert_non_null(checks);
	assert_contains(checks, "retries=0,\n");
	assert_null(strstr(checks, "retry_delay"));
	assert_null(strstr(checks, "on_failure_callback")); /* on_failure: continue */
	free(checks);

	/* deterministic: same input, same bytes */
	char *again = render(&f.pl, NULL);
	assert_string_equal(text, again);
	free(again);
	free(text);
	fixture_free(&f);
}

static void test_render_manual_and_macros(void **state)
{
	(void)state;
	fixture f;
	fixture_init(&f);
	f.pl.schedule = NULL;
	f.pl.timezone = NULL;
	f.pl.start_date = 0;
	f.pl.catchup = 1;
	f.pl.description = NULL;
	f.pl.max_active_steps = 0;
	char *text = render(&f.pl, "/opt/ldp tools/ldp");
	assert_contains(text, "    schedule=None,\n");
	/* no start_date: Airflow needs one; the epoch with catchup off runs only the latest interval */
	assert_contains(text, "    start_date=pendulum.datetime(1970, 1, 1, tz='UTC'),\n");
	assert_contains(text, "    catchup=False,\n");
	assert_contains(text, "    max_active_tasks=1,\n");
	assert_null(strstr(text, "description="));
	/* both quote kinds in the command: single quotes, \' inside */
	assert_contains(text, "bash_command='\\'/opt/ldp tools/ldp\\' pipeline run nyc_taxi --step trips");
	free(text);

	const char *macros[][2] = {{"@daily", "'@daily'"},     {"@MIDNIGHT", "'@daily'"},
				   {"@annually", "'@yearly'"}, {"@hourly", "'@hourly'"},
				   {"@weekly", "'@weekly'"},   {"0 6 * * MON-FRI", "'0 6 * * MON-FRI'"}};
	for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++) {
		f.pl.schedule = (char *)macros[i][0];
		text = render(&f.pl, NULL);
		char want[64];
		snprintf(want, sizeof want, "    schedule=%s,\n", macros[i][1]);
		assert_contains(text, want);
		free(text);
	}
	/* a start time inside the day, in UTC: 2024-02-29T13:45:30Z = 1709214330 */
	f.pl.start_date = 1709214330;
	f.pl.timezone = "UTC";
	text = render(&f.pl, NULL);
	assert_contains(text, "    start_date=pendulum.datetime(2024, 2, 29, 13, 45, 30, tz='UTC'),\n");
	assert_contains(text, "    catchup=True,\n");
	free(text);
	fixture_free(&f);
}

static void test_render_hostile_names(void **state)
{
	(void)state;
	fixture f;
	fixture_init(&f);
	f.pl.name = "it's";
	f.steps[0].name = "a{{ b }}";
	f.steps[1].name = "a__b_"; /* sanitises to the same id as step 2 would */
	f.steps[2].name = "a{ b}";
	f.deps_names[2][0] = "a{{ b }}";
	f.deps_names[2][1] = "a__b_";
	f.deps_names[3][0] = "a{ b}";
	f.pl.description = "line1\nline2 \"q\" \xc3\xa9";
	char *text = render(&f.pl, NULL);
	assert_contains(text, "    dag_id='it_s',\n");
	assert_contains(text, "    description='line1\\nline2 \"q\" \\u00e9',\n");
	/* step 0: id a___b___, var t_a___b___ */
	char *t0 = task_block(text, "t_a___b___");
	assert_non_null(t0);
	assert_contains(t0, "task_id='a___b___',");
	/* the shell word 'a{{ b }}' with every { written as {{ '{' }}; the pipeline name it's
	 * as 'it'\''s'; then in a Python literal with both quote kinds: ' -> \' and \ -> \\ */
	assert_contains(t0, "bash_command='ldp pipeline run \\'it\\'\\\\\\'\\'s\\' --step "
			    "\\'a{{ \\'{\\' }}{{ \\'{\\' }} b }}\\' --date");
	free(t0);
	/* steps 1 and 2 both sanitise to a__b_: declaration order decides who gets the suffix */
	assert_contains(text, "    t_a__b_ = BashOperator(\n        task_id='a__b_',");
	assert_contains(text, "    t_a__b__2 = BashOperator(\n        task_id='a__b__2',");
	assert_contains(text, "    t_a___b___ >> t_a__b__2\n    t_a__b_ >> t_a__b__2\n");
	free(text);
	fixture_free(&f);
}

static void test_render_errors(void **state)
{
	(void)state;
	fixture f;
	fixture_init(&f);
	char *text = NULL;
	ldp_airflow_options o = {.ldp_bin = NULL, .project_dir = "/srv/\xff"};
	assert_int_equal(ldp_airflow_dag_render(&f.pl, &o, &text), LDP_EINVALID);
	assert_null(text);
	assert_non_null(strstr(ldp_error_last()->message, "nyc_taxi"));
	o.project_dir = NULL;
	assert_int_equal(ldp_airflow_dag_render(&f.pl, &o, &text), LDP_EINVALID);
	o.project_dir = "/srv/proj";
	f.deps_names[3][0] = "nope";
	assert_int_equal(ldp_airflow_dag_render(&f.pl, &o, &text), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "nope"));
	assert_null(text);
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_py_string_literals), cmocka_unit_test(test_py_rejects_bad_utf8),
		cmocka_unit_test(test_py_json),            cmocka_unit_test(test_jinja_literal),
		cmocka_unit_test(test_shell_words),        cmocka_unit_test(test_airflow_ids),
		cmocka_unit_test(test_render_pipeline),    cmocka_unit_test(test_render_manual_and_macros),
		cmocka_unit_test(test_render_hostile_names), cmocka_unit_test(test_render_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
