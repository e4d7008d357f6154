/*
 * Tests of pipeline configuration (src/pipeline/pipeline_config.c,
 * pipeline_template.c, pipeline_argv.c, pipeline_time.c, pipeline_model.c):
 * loading from ldp.yml and pipelines/<name>.yml, every validation error with its
 * file:line, durations, intervals, templating and the step -> argv mapping.
 * Expected values are written by hand from the specs in pipeline.h (epoch
 * seconds worked out from 2023-01-01T00:00:00Z = 1672531200).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "ldp/yaml.h"
#include "pipeline/pipeline.h"

#define JAN1_2023 1672531200 /* 2023-01-01T00:00:00Z */

static char DIR_[512];

static void put(const char *rel, const char *text)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", DIR_, rel);
	assert_int_equal(ldp_io_write_atomic(path, text, strlen(text)), 0);
}

/* A fresh project directory with this ldp.yml. */
static void project(const char *name, const char *ldp_yml)
{
	snprintf(DIR_, sizeof DIR_, "%s/plcfg_%s", LDP_TEST_TMP, name);
	ldp_io_remove_tree(DIR_);
	ldp_io_mkdirs(DIR_);
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_printf(&b, "name: t\nwarehouse: warehouse\n%s", ldp_yml);
	put("ldp.yml", ldp_buf_cstr(&b));
	ldp_buf_free(&b);
}

static int load(ldp_pipeline_set **set)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/ldp.yml", DIR_);
	ldp_project *p;
	int rc = ldp_project_load(path, &p);
	assert_int_equal(rc, 0);
	rc = ldp_pipelines_load(p, set);
	ldp_project_free(p);
	return rc;
}

static void load_ok(ldp_pipeline_set **set)
{
	if (load(set))
		fail_msg("loading %s failed: %s", DIR_, ldp_error_last()->message);
}

/* Loading must fail with a message containing every one of the (NULL-ended) parts. */
static void load_fails(const char *first, ...)
{
	ldp_pipeline_set *set = NULL;
	int rc = load(&set);
	if (rc != LDP_EINVALID)
		fail_msg("expected LDP_EINVALID for the project in %s, got %d", DIR_, rc);
	assert_null(set);
	const char *msg = ldp_error_last()->message;
	va_list ap;
	va_start(ap, first);
	for (const char *part = first; part; part = va_arg(ap, const char *))
		if (!strstr(msg, part))
			fail_msg("error '%s' lacks '%s'", msg, part);
	va_end(ap);
}

static void test_duration(void **state)
{
	(void)state;
	struct {
		const char *text;
		double s;
	} ok[] = {{"30s", 30}, {"10m", 600}, {"2h", 7200}, {"1d", 86400}, {"1h30m", 5400},
		  {"90", 90},  {"1.5h", 5400}, {"0", 0}, {"1w", 604800}, {"2m30s", 150}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		double s = -1;
		assert_int_equal(ldp_duration_parse(ok[i].text, &s), 0);
		assert_true(s == ok[i].s);
	}
	const char *bad[] = {"", "10x", "1h30", "-5s", "h", "5 m", "1h-2m"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double s;
		assert_int_equal(ldp_duration_parse(bad[i], &s), LDP_EINVALID);
		assert_non_null(strstr(ldp_error_last()->message, "bad duration"));
	}
}

static void test_yaml_lines(void **state)
{
	(void)state;
	snprintf(DIR_, sizeof DIR_, "%s/plcfg_lines", LDP_TEST_TMP);
	ldp_io_mkdirs(DIR_);
	put("d.yml", "a: 1\n"              /* 1 */
		     "b:\n"                /* 2 */
		     "  - x\n"             /* 3 */
		     "  - {k: v}\n"        /* 4 */
		     "  -\n"               /* 5 */
		     "    n: 1\n"          /* 6 */
		     "c/d: {e~f: 2}\n");   /* 7 */
	char path[1024];
	snprintf(path, sizeof path, "%s/d.yml", DIR_);
	json_t *doc, *lines;
	assert_int_equal(ldp_yaml_load_file_lines(path, &doc, &lines), 0);
	assert_int_equal(ldp_yaml_line(lines, "/a"), 1);
	assert_int_equal(ldp_yaml_line(lines, "/b"), 2);
	assert_int_equal(ldp_yaml_line(lines, "/b/0"), 3);
	assert_int_equal(ldp_yaml_line(lines, "/b/1"), 4);
	assert_int_equal(ldp_yaml_line(lines, "/b/1/k"), 4);
	assert_int_equal(ldp_yaml_line(lines, "/b/2/n"), 6);
	assert_int_equal(ldp_yaml_line(lines, "/c~1d/e~0f"), 7); /* RFC 6901 escapes */
	assert_int_equal(ldp_yaml_line(lines, "/nope"), 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "a")), 1);
	json_decref(doc);
	json_decref(lines);
}

static const char *const GOOD_YML =
	"pipelines:\n"                                               /* 3 */
	"  daily:\n"                                                 /* 4 */
	"    description: Daily taxi lakehouse\n"                    /* 5 */
	"    timezone: America/New_York\n"                           /* 6 */
	"    start_date: 2023-01-01\n"                               /* 7 */
	"    catchup: true\n"                                        /* 8 */
	"    max_active_steps: 2\n"                                  /* 9 */
	"    params: {region: eu, n: 3}\n"                           /* 10 */
	"    defaults: {retries: 2, retry_delay: 30s, timeout: 1h, on_failure: continue}\n" /* 11 */
	"    notify:\n"                                              /* 12 */
	"      on_failure: {webhook_env: LDP_TEST_HOOK}\n"           /* 13 */
	"    steps:\n"                                               /* 14 */
	"      - name: trips\n"                                      /* 15 */
	"        ingest: {source: 'data/t_{{ ds_nodash }}.parquet', table: nyc.trips}\n" /* 16 */
	"      - name: models\n"                                     /* 17 */
	"        transform: {select: +daily}\n"                      /* 18 */
	"        depends_on: trips\n"                                /* 19 */
	"        retries: 0\n"                                       /* 20 */
	"        timeout: 1h30m\n"                                   /* 21 */
	"        retry_backoff: 3\n"                                 /* 22 */
	"        max_retry_delay: 2m\n"                              /* 23 */
	"        on_failure: stop\n"                                 /* 24 */
	"      - name: report\n"                                     /* 25 */
	"        shell: echo done\n"                                 /* 26 */
	"        depends_on: [trips, models]\n";                     /* 27 */

static void test_load_ok(void **state)
{
	(void)state;
	project("ok", GOOD_YML);
	put("pipelines/hourly.yml", "schedule: null\nsteps:\n  - name: q\n    sql: select 1\n");
	put("pipelines/zz.yaml", "name: another\nsteps:\n  - {name: s, shell: 'true'}\n");
	put("pipelines/.hidden.yml", "this is: [not loaded\n");
	put("pipelines/readme.txt", "not yaml: [\n");
	ldp_pipeline_set *set;
	load_ok(&set);
	assert_int_equal(set->n, 3);
	/* ldp.yml first, then the files by name */
	assert_string_equal(set->items[0].name, "daily");
	assert_string_equal(set->items[1].name, "hourly");
	assert_string_equal(set->items[2].name, "another");
	assert_null(ldp_pipeline_find(set, "nope"));
	const ldp_pipeline *pl;
	assert_int_equal(ldp_pipeline_find_or_error(set, "daly", &pl), LDP_ENOTFOUND);
	assert_non_null(strstr(ldp_error_last()->message, "did you mean 'daily'"));
	pl = ldp_pipeline_find(set, "daily");
	assert_ptr_equal(pl, &set->items[0]);
	assert_string_equal(pl->description, "Daily taxi lakehouse");
	assert_string_equal(pl->timezone, "America/New_York");
	assert_null(pl->schedule);
	assert_non_null(strstr(pl->file, "/plcfg_ok/ldp.yml"));
	/* midnight in New York (UTC-5 in January) */
	assert_int_equal(pl->start_date, JAN1_2023 + 5 * 3600);
	assert_int_equal(pl->catchup, 1);
	assert_int_equal(pl->max_active_steps, 2);
	assert_string_equal(json_string_value(json_object_get(pl->params, "region")), "eu");
	assert_string_equal(pl->on_failure.webhook_env, "LDP_TEST_HOOK");
	assert_null(pl->on_success.webhook_env);
	assert_int_equal(pl->nsteps, 3);
	const ldp_step *t = &pl->steps[0], *m = &pl->steps[1], *r = &pl->steps[2];
	assert_string_equal(t->name, "trips");
	assert_int_equal(t->kind, LDP_STEP_INGEST);
	assert_string_equal(ldp_step_kind_name(t->kind), "ingest");
	assert_int_equal(t->line, 15);
	/* defaults apply... */
	assert_int_equal(t->retries, 2);
	assert_true(t->retry_delay_s == 30);
	assert_true(t->retry_backoff == 2);
	assert_true(t->max_retry_delay_s == 600);
	assert_true(t->timeout_s == 3600);
	assert_int_equal(t->on_failure, LDP_ON_FAILURE_CONTINUE);
	assert_int_equal(t->ndepends, 0);
	/* ...and a step's own keys win */
	assert_int_equal(m->kind, LDP_STEP_TRANSFORM);
	assert_int_equal(m->line, 17);
	assert_int_equal(m->retries, 0);
	assert_true(m->timeout_s == 5400);
	assert_true(m->retry_backoff == 3);
	assert_true(m->max_retry_delay_s == 120);
	assert_true(m->retry_delay_s == 30);
	assert_int_equal(m->on_failure, LDP_ON_FAILURE_STOP);
	assert_int_equal(m->ndepends, 1);
	assert_string_equal(m->depends_on[0], "trips");
	assert_int_equal(m->deps[0], 0);
	assert_int_equal(r->kind, LDP_STEP_SHELL);
	assert_int_equal(r->ndepends, 2);
	assert_int_equal(r->deps[0], 0);
	assert_int_equal(r->deps[1], 1);
	assert_string_equal(json_string_value(r->spec), "echo done");

	const ldp_pipeline *h = ldp_pipeline_find(set, "hourly");
	assert_string_equal(h->timezone, "UTC");
	assert_int_equal(h->max_active_steps, 1);
	assert_int_equal(h->catchup, 0);
	assert_int_equal(h->start_date, 0);
	assert_int_equal(json_object_size(h->params), 0);
	assert_int_equal(h->steps[0].retries, 0);
	assert_true(h->steps[0].retry_delay_s == 10);
	assert_true(h->steps[0].timeout_s == 0);
	assert_int_equal(h->steps[0].on_failure, LDP_ON_FAILURE_STOP);
	assert_int_equal(h->steps[0].line, 3);
	assert_non_null(strstr(h->file, "/pipelines/hourly.yml"));
	ldp_pipeline_set_free(set);

	/* no pipelines at all is fine */
	project("none", "");
	load_ok(&set);
	assert_int_equal(set->n, 0);
	assert_int_equal(ldp_pipeline_find_or_error(set, "x", &pl), LDP_ENOTFOUND);
	ldp_pipeline_set_free(set);
}

static void test_topo_order(void **state)
{
	(void)state;
	project("topo", "pipelines:\n  p:\n    steps:\n"
			"      - {name: c, shell: c, depends_on: b}\n"
			"      - {name: a, shell: a}\n"
			"      - {name: b, shell: b, depends_on: [a]}\n"
			"      - {name: d, shell: d}\n");
	ldp_pipeline_set *set;
	load_ok(&set);
	size_t order[4];
	ldp_pipeline_topo_order(&set->items[0], order);
	/* first ready step in declaration order each time: a, b, c, d */
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 0);
	assert_int_equal(order[3], 3);
	ldp_pipeline_set_free(set);
}

#define PL(steps) "pipelines:\n  p:\n    steps:\n" steps /* steps start on line 6 */

static void test_errors(void **state)
{
	(void)state;
	project("e1", "pipelines:\n  p:\n    schedul: '@daily'\n    steps: [{name: a, shell: x}]\n");
	load_fails("ldp.yml:5:", "pipeline 'p'", "unknown key 'schedul'", "did you mean 'schedule'", NULL);

	project("e2", PL("      - name: a\n        ingets: {source: x, table: n.t}\n"));
	load_fails("ldp.yml:7:", "step 'a'", "unknown key 'ingets'", "did you mean 'ingest'", NULL);

	project("e3", PL("      - name: a\n        retries: 1\n"));
	load_fails("ldp.yml:6:", "step 'a'", "no kind", NULL);

	project("e4", PL("      - name: a\n        sql: select 1\n        shell: echo\n"));
	load_fails("ldp.yml:6:", "exactly one kind", "sql and shell", NULL);

	project("e5", PL("      - {name: a, shell: x}\n      - {name: b, shell: y}\n      - {name: a, shell: z}\n"));
	load_fails("ldp.yml:8:", "'a' is used twice", "line 6", NULL);

	project("e6", PL("      - {name: 'a b', shell: x}\n"));
	load_fails("ldp.yml:6:", "step name 'a b'", NULL);

	project("e7", PL("      - {name: load, shell: x}\n      - name: b\n        shell: y\n        depends_on: [lod]\n"));
	load_fails("ldp.yml:9:", "step 'b'", "'lod', which is not a step", "did you mean 'load'", NULL);

	/* a depends on c, c on b, b on a */
	project("e8", PL("      - {name: a, shell: x, depends_on: c}\n"
			 "      - {name: b, shell: x, depends_on: a}\n"
			 "      - {name: c, shell: x, depends_on: b}\n"));
	load_fails("ldp.yml:6:", "cycle: a -> c -> b -> a", NULL);

	project("e9", PL("      - {name: z, shell: x}\n      - {name: x, shell: x, depends_on: [z, x]}\n"));
	load_fails("ldp.yml:7:", "cycle: x -> x", NULL);

	project("e10", "pipelines:\n  p:\n    timezone: Mars/Olympus_Mons\n    steps: [{name: a, shell: x}]\n");
	load_fails("ldp.yml:5:", "unknown time zone 'Mars/Olympus_Mons'", NULL);
	project("e10b", "pipelines:\n  p:\n    timezone: ../../etc/passwd\n    steps: [{name: a, shell: x}]\n");
	load_fails("ldp.yml:5:", "unknown time zone", NULL);

	project("e11", PL("      - name: a\n        shell: x\n        timeout: 10x\n"));
	load_fails("ldp.yml:8:", "step 'a'", "timeout", "bad duration '10x'", NULL);

	project("e12", PL("      - name: a\n        shell: x\n        retries: -1\n"));
	load_fails("ldp.yml:8:", "retries must be a whole number >= 0", NULL);

	project("e13", "pipelines:\n  p:\n    max_active_steps: 0\n    steps: [{name: a, shell: x}]\n");
	load_fails("ldp.yml:5:", "max_active_steps", NULL);

	project("e14", PL("      - name: a\n        shell: x\n        on_failure: maybe\n"));
	load_fails("ldp.yml:8:", "on_failure must be stop or continue", NULL);

	project("e15", "pipelines:\n  dup:\n    steps: [{name: a, shell: x}]\n");
	put("pipelines/dup.yml", "steps: [{name: a, shell: x}]\n");
	load_fails("pipeline 'dup' is defined twice", "ldp.yml:4", "pipelines/dup.yml:1", NULL);

	project("e16", PL("      - name: a\n        ingest: {source: x.csv}\n"));
	load_fails("ldp.yml:7:", "needs 'table'", NULL);

	project("e17", PL("      - name: a\n        transform:\n          selct: x\n"));
	load_fails("ldp.yml:8:", "unknown key 'selct'", "did you mean 'select'", NULL);

	project("e18", PL("      - name: a\n        check: {table: n.t}\n"));
	load_fails("ldp.yml:7:", "checks nothing", NULL);

	project("e19", PL("      - name: a\n        export: {target: x.csv}\n"));
	load_fails("ldp.yml:7:", "exactly one of 'table'", NULL);

	project("e20", PL("      - name: a\n        sql: {file: a.sql, query: select 1}\n"));
	load_fails("ldp.yml:7:", "either", NULL);

	project("e21", PL("      - name: a\n        shell:\n          command: 'echo {{ ds '\n"));
	load_fails("ldp.yml:8:", "step 'a'", "shell.command", NULL);

	project("e22", "pipelines:\n  p:\n    start_date: 2023-02-30\n    steps: [{name: a, shell: x}]\n");
	load_fails("ldp.yml:5:", "start_date", "no day 30", NULL);

	project("e23", "pipelines:\n  p:\n    notify: {on_failure: {webhook_env: 'not a var'}}\n    steps: [{name: a, shell: x}]\n");
	load_fails("ldp.yml:5:", "webhook_env", NULL);

	project("e24", "pipelines:\n  p:\n    description: x\n");
	load_fails("ldp.yml:4:", "needs steps", NULL);

	project("e25", "");
	put("pipelines/bad.yml", "steps:\n  - name: a\n    shell: x\n    depends_on: [b]\n");
	load_fails("pipelines/bad.yml:4:", "pipeline 'bad'", "step 'a'", "'b', which is not a step", NULL);

	project("e26", "");
	put("pipelines/bad.yml", "steps: [\n");
	load_fails("pipelines/bad.yml:", "invalid YAML", NULL);

	project("e27", "");
	put("pipelines/x y.yml", "steps: [{name: a, shell: x}]\n");
	load_fails("pipelines/x y.yml", "pipeline name 'x y'", NULL);

	project("e28", PL("      - name: a\n        check: {table: n.t, row_count: {mni: 1}}\n"));
	load_fails("ldp.yml:7:", "unknown key 'mni'", "did you mean 'min'", NULL);

	project("e29", PL("      - name: a\n        transform: {command: bild}\n"));
	load_fails("ldp.yml:7:", "transform.command 'bild'", NULL);

	project("e31", PL("      - {name: no, shell: x}\n"));
	load_fails("ldp.yml:6:", "name must be a string; quote it", NULL);

	project("e30", "pipelines:\n  p:\n    defaults: {retrys: 2}\n    steps: [{name: a, shell: x}]\n");
	load_fails("ldp.yml:5:", "unknown key 'retrys'", "did you mean 'retries'", NULL);
}

/* Render a one-step pipeline's shell command for logical date d. */
static char *render(const ldp_pipeline *pl, time_t d, int *rc)
{
	ldp_run_context rc_ = {.logical_date = d, .timezone = pl->timezone};
	snprintf(rc_.run_id, sizeof rc_.run_id, "rid1");
	assert_int_equal(ldp_pipeline_interval(pl, d, &rc_.interval_start, &rc_.interval_end), 0);
	char **argv;
	*rc = ldp_step_argv(pl, &pl->steps[0], &rc_, "/usr/bin/ldp", &argv);
	if (*rc)
		return NULL;
	assert_string_equal(argv[0], "/bin/sh");
	assert_string_equal(argv[1], "-c");
	assert_null(argv[3]);
	char *s = strdup(argv[2]);
	ldp_argv_free(argv);
	return s;
}

#define ALL_VARS                                                                                                       \
	"'{{ ds }}|{{ ds_nodash }}|{{ ts }}|{{ ts_nodash }}|{{ logical_date }}|{{ data_interval_start }}|"             \
	"{{ data_interval_end }}|{{ prev_ds }}|{{ next_ds }}|{{ run_id }}|{{ pipeline }}|{{ params.region }}|"        \
	"{{ env_var(\"LDP_TEST_PL_X\") }}|{{ env_var(\"LDP_TEST_PL_UNSET\", \"dflt\") }}'"

static void test_templates(void **state)
{
	(void)state;
	setenv("LDP_TEST_PL_X", "xval", 1);
	unsetenv("LDP_TEST_PL_UNSET");
	project("tpl", "pipelines:\n"
		       "  utc:\n    params: {region: eu}\n    steps:\n      - name: s\n        shell: " ALL_VARS "\n"
		       "  ny:\n    timezone: America/New_York\n    params: {region: us}\n    steps:\n      - name: s\n        shell: " ALL_VARS "\n"
		       "  bad:\n    steps:\n      - name: s1\n        shell: 'echo {{ dss }}'\n"
		       "  noenv:\n    steps:\n      - name: s2\n        shell: 'echo {{ env_var(\"LDP_TEST_PL_UNSET\") }}'\n");
	ldp_pipeline_set *set;
	load_ok(&set);
	int rc;
	char *s = render(ldp_pipeline_find(set, "utc"), JAN1_2023, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "2023-01-01|20230101|2023-01-01T00:00:00+00:00|20230101T000000|2023-01-01T00:00:00+00:00|"
			       "2023-01-01T00:00:00+00:00|2023-01-02T00:00:00+00:00|2022-12-31|2023-01-02|rid1|utc|eu|xval|dflt");
	free(s);
	/* New York midnight, 2023-01-01T05:00Z */
	s = render(ldp_pipeline_find(set, "ny"), JAN1_2023 + 5 * 3600, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "2023-01-01|20230101|2023-01-01T00:00:00-05:00|20230101T000000|2023-01-01T00:00:00-05:00|"
			       "2023-01-01T00:00:00-05:00|2023-01-02T00:00:00-05:00|2022-12-31|2023-01-02|rid1|ny|us|xval|dflt");
	free(s);
	/* 2023-07-01T02:00Z is still June 30 in New York (EDT, UTC-4) */
	s = render(ldp_pipeline_find(set, "ny"), JAN1_2023 + 181 * 86400 + 2 * 3600, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(s, "2023-06-30|20230630|2023-06-30T22:00:00-04:00|20230630T220000|2023-06-30T22:00:00-04:00|"
			       "2023-06-30T22:00:00-04:00|2023-07-01T22:00:00-04:00|2023-06-29|2023-07-01|rid1|ny|us|xval|dflt");
	free(s);

	s = render(ldp_pipeline_find(set, "bad"), JAN1_2023, &rc);
	assert_int_equal(rc, LDP_EINVALID);
	assert_null(s);
	const char *msg = ldp_error_last()->message;
	assert_non_null(strstr(msg, "ldp.yml:"));
	assert_non_null(strstr(msg, "pipeline 'bad', step 's1'"));
	assert_non_null(strstr(msg, "'dss' is undefined"));
	s = render(ldp_pipeline_find(set, "noenv"), JAN1_2023, &rc);
	assert_int_equal(rc, LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "LDP_TEST_PL_UNSET is not set"));
	assert_non_null(strstr(ldp_error_last()->message, "step 's2'"));

	/* the environment check finds the same before anything runs; loading did not */
	assert_int_equal(ldp_pipeline_check_env(ldp_pipeline_find(set, "noenv")), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "LDP_TEST_PL_UNSET"));
	assert_int_equal(ldp_pipeline_check_env(ldp_pipeline_find(set, "bad")), LDP_EINVALID);
	assert_int_equal(ldp_pipeline_check_env(ldp_pipeline_find(set, "utc")), 0);
	ldp_pipeline_set_free(set);
}

static void test_check_env_webhooks(void **state)
{
	(void)state;
	project("hooks", "pipelines:\n"
			 "  p:\n    notify: {on_success: {webhook_env: LDP_TEST_PL_HOOK}}\n    steps: [{name: a, shell: x}]\n"
			 "  q:\n    steps: [{name: n, notify: {webhook_env: LDP_TEST_PL_HOOK2, text: hi}}]\n");
	ldp_pipeline_set *set;
	load_ok(&set);
	const ldp_pipeline *p = ldp_pipeline_find(set, "p"), *q = ldp_pipeline_find(set, "q");
	unsetenv("LDP_TEST_PL_HOOK");
	unsetenv("LDP_TEST_PL_HOOK2");
	assert_int_equal(ldp_pipeline_check_env(p), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "LDP_TEST_PL_HOOK"));
	assert_non_null(strstr(ldp_error_last()->message, "pipeline 'p'"));
	setenv("LDP_TEST_PL_HOOK", "ftp://x", 1);
	assert_int_equal(ldp_pipeline_check_env(p), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "http(s)"));
	setenv("LDP_TEST_PL_HOOK", "https://hooks.example/T1", 1);
	assert_int_equal(ldp_pipeline_check_env(p), 0);
	assert_int_equal(ldp_pipeline_check_env(q), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "step 'n'"));
	setenv("LDP_TEST_PL_HOOK2", "http://127.0.0.1:9/x", 1);
	assert_int_equal(ldp_pipeline_check_env(q), 0);
	ldp_pipeline_set_free(set);

	/* without webhook_env a notify step posts to SLACK_WEBHOOK_URL; a dry run posts nothing */
	project("hooks2", "pipelines:\n"
			  "  d:\n    steps: [{name: n, notify: 'hi'}]\n"
			  "  e:\n    steps: [{name: n, notify: {text: hi, dry_run: true}}]\n");
	load_ok(&set);
	char *saved = getenv("SLACK_WEBHOOK_URL") ? strdup(getenv("SLACK_WEBHOOK_URL")) : NULL;
	unsetenv("SLACK_WEBHOOK_URL");
	assert_int_equal(ldp_pipeline_check_env(ldp_pipeline_find(set, "d")), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "SLACK_WEBHOOK_URL"));
	assert_int_equal(ldp_pipeline_check_env(ldp_pipeline_find(set, "e")), 0);
	if (saved)
		setenv("SLACK_WEBHOOK_URL", saved, 1);
	free(saved);
	ldp_pipeline_set_free(set);
}

static void test_interval_no_schedule(void **state)
{
	(void)state;
	project("iv", "pipelines:\n  u:\n    steps: [{name: a, shell: x}]\n"
		      "  ny:\n    timezone: America/New_York\n    steps: [{name: a, shell: x}]\n");
	ldp_pipeline_set *set;
	load_ok(&set);
	time_t s, e;
	assert_int_equal(ldp_pipeline_interval(ldp_pipeline_find(set, "u"), JAN1_2023, &s, &e), 0);
	assert_int_equal(s, JAN1_2023);
	assert_int_equal(e, JAN1_2023 + 86400);
	/* New York midnight 2023-03-12 (05:00Z) to midnight 2023-03-13 (EDT, 04:00Z): a 23-hour day */
	time_t mar12 = JAN1_2023 + 70 * 86400;
	assert_int_equal(ldp_pipeline_interval(ldp_pipeline_find(set, "ny"), mar12 + 5 * 3600, &s, &e), 0);
	assert_int_equal(s, mar12 + 5 * 3600);
	assert_int_equal(e, mar12 + 86400 + 4 * 3600);
	ldp_pipeline_set_free(set);
}

static void test_interval_schedule(void **state)
{
	(void)state;
	project("ivs", "pipelines:\n"
		       "  ny:\n    schedule: '0 6 * * *'\n    timezone: America/New_York\n    steps:\n      - name: s\n"
		       "        shell: '{{ ts }}|{{ data_interval_end }}|{{ prev_ds }}|{{ next_ds }}'\n"
		       "  h:\n    schedule: '@hourly'\n    steps: [{name: a, shell: x}]\n"
		       "  w:\n    schedule: '@weekly'\n    steps: [{name: s, shell: '{{ ds }}|{{ prev_ds }}|{{ next_ds }}'}]\n");
	ldp_pipeline_set *set;
	load_ok(&set);
	const ldp_pipeline *ny = ldp_pipeline_find(set, "ny");
	assert_string_equal(ny->schedule, "0 6 * * *");
	time_t s, e;
	/* 06:00 in New York on 2023-01-01 is 11:00Z; the next fire is a day later */
	assert_int_equal(ldp_pipeline_interval(ny, JAN1_2023 + 11 * 3600, &s, &e), 0);
	assert_int_equal(s, JAN1_2023 + 11 * 3600);
	assert_int_equal(e, JAN1_2023 + 86400 + 11 * 3600);
	assert_int_equal(ldp_pipeline_interval(ldp_pipeline_find(set, "h"), JAN1_2023, &s, &e), 0);
	assert_int_equal(e, JAN1_2023 + 3600);
	int rc;
	char *t = render(ny, JAN1_2023 + 11 * 3600, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(t, "2023-01-01T06:00:00-05:00|2023-01-02T06:00:00-05:00|2022-12-31|2023-01-02");
	free(t);
	/* 2023-01-01 was a Sunday: @weekly fires then, the week before and after */
	t = render(ldp_pipeline_find(set, "w"), JAN1_2023, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(t, "2023-01-01|2022-12-25|2023-01-08");
	free(t);
	ldp_pipeline_set_free(set);

	project("badcron", "pipelines:\n  p:\n    schedule: '0 25 * * *'\n    steps: [{name: a, shell: x}]\n");
	load_fails("ldp.yml:5:", "pipeline 'p'", "schedule: cron expression '0 25 * * *'", "hour", NULL);
	project("badcron2", "pipelines:\n  p:\n    schedule: '@dayly'\n    steps: [{name: a, shell: x}]\n");
	load_fails("ldp.yml:5:", "unknown macro", NULL);
}

static void test_date_parse(void **state)
{
	(void)state;
	time_t t;
	assert_int_equal(ldp_pipeline_date_parse("2023-01-01", NULL, &t), 0);
	assert_int_equal(t, JAN1_2023);
	assert_int_equal(ldp_pipeline_date_parse("2023-01-01", "America/New_York", &t), 0);
	assert_int_equal(t, JAN1_2023 + 5 * 3600);
	assert_int_equal(ldp_pipeline_date_parse("2023-01-01T06:30", "America/New_York", &t), 0);
	assert_int_equal(t, JAN1_2023 + 11 * 3600 + 1800);
	assert_int_equal(ldp_pipeline_date_parse("2023-01-01T00:00:00+00:00", "America/New_York", &t), 0);
	assert_int_equal(t, JAN1_2023);
	assert_int_equal(ldp_pipeline_date_parse("2023-01-01T01:00:00Z", NULL, &t), 0);
	assert_int_equal(t, JAN1_2023 + 3600);
	assert_int_equal(ldp_pipeline_date_parse("2023-01-01T00:00:00-05:30", NULL, &t), 0);
	assert_int_equal(t, JAN1_2023 + 5 * 3600 + 1800);
	assert_int_equal(ldp_pipeline_date_parse("2024-02-29", NULL, &t), 0);
	const char *bad[] = {"2023-1-01", "2023-02-29", "2023-13-01", "2023-01-01T25:00", "yesterday", "2023-01-01x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(ldp_pipeline_date_parse(bad[i], NULL, &t), LDP_EINVALID);
	char buf[32];
	assert_int_equal(ldp_pipeline_format_time(JAN1_2023, "Asia/Kolkata", buf), 0);
	assert_string_equal(buf, "2023-01-01T05:30:00+05:30");
}

/* argv of step `name` of pipeline p for 2023-01-01 (UTC), joined with '|'. */
static char *argv_of(const ldp_pipeline_set *set, const char *name)
{
	const ldp_pipeline *pl = ldp_pipeline_find(set, "p");
	ldp_run_context rc = {.logical_date = JAN1_2023, .interval_start = JAN1_2023,
			      .interval_end = JAN1_2023 + 86400, .timezone = "UTC"};
	strcpy(rc.run_id, "r1");
	for (size_t i = 0; i < pl->nsteps; i++) {
		if (strcmp(pl->steps[i].name, name))
			continue;
		char **argv;
		if (ldp_step_argv(pl, &pl->steps[i], &rc, "LDP", &argv))
			fail_msg("%s", ldp_error_last()->message);
		ldp_buf b = LDP_BUF_INIT;
		for (char **a = argv; *a; a++)
			ldp_buf_printf(&b, "%s%s", a == argv ? "" : "|", *a);
		ldp_argv_free(argv);
		return ldp_buf_detach(&b);
	}
	fail_msg("no step %s", name);
	return NULL;
}

static void test_argv(void **state)
{
	(void)state;
	project("argv",
		"pipelines:\n  p:\n    steps:\n"
		"      - name: ing\n"
		"        ingest: {source: 'data/t_{{ ds_nodash }}.parquet', table: nyc.trips, mode: merge, key: [a, b],\n"
		"                 evolve: true, header: false, all_varchar: true, skip: 2, null: null,\n"
		"                 column_type: {fare: 'decimal(10,2)', id: int}, partition_by: 'day(ts)', api_key: k}\n"
		"      - name: tr\n"
		"        transform: {command: run, project_dir: transform, select: ['+a', b], full_refresh: true,\n"
		"                    vars: {start: '{{ ds }}', n: 2}, threads: 4, exclude: null}\n"
		"      - {name: tr2, transform: {select: x, full_refresh: false}}\n"
		"      - {name: q1, sql: 'select {{ ds_nodash }}'}\n"
		"      - {name: q2, sql: {file: sql/q.sql}}\n"
		"      - {name: q3, sql: {query: select 2}}\n"
		"      - name: ck\n"
		"        check: {table: nyc.trips, row_count: {min: 1, max: 100}, freshness: {column: at, max_age: 2d},\n"
		"                not_null: [a, b], unique: id, accepted_values: {status: [paid, open], n: [1, 2]},\n"
		"                sql: ['select 1', 'select 2'], where: \"day = '{{ ds }}'\"}\n"
		"      - {name: ck2, check: {table: t, freshness: 'at:1h', as_of: '{{ data_interval_end }}', sample: 3}}\n"
		"      - name: ex\n"
		"        export: {table: nyc.trips, target: 'out/t_{{ ds }}.parquet', force: true, partition_by: 'year, month'}\n"
		"      - {name: ex2, export: {query: select 1, target: o.csv, format: csv, force: false}}\n"
		"      - {name: sh, shell: 'echo {{ ds }} > out.txt'}\n"
		"      - {name: sh2, shell: {command: ls}}\n"
		"      - {name: nt, notify: {webhook_env: SLACK, text: 'done {{ ds }}', title: T, query: select 1}}\n"
		"      - {name: no2, notify: 'hello {{ run_id }}'}\n"
		"      - {name: no3, notify: {title: x, max_rows: 5, status: failure, dry_run: true}}\n"
		"      - {name: r1, run: configs/a.json}\n"
		"      - {name: r2, run: [a.json, b.json]}\n"
		"      - {name: r3, run: {config: c.json}}\n");
	ldp_pipeline_set *set;
	load_ok(&set);
	struct {
		const char *step, *argv;
	} cases[] = {
		{"ing", "LDP|ingest|data/t_20230101.parquet|nyc.trips|--mode|merge|--key|a,b|--evolve|--header|false|"
			"--all-varchar|true|--skip|2|--column-type|fare=decimal(10,2)|--column-type|id=int|--partition-by|day(ts)|"
			"--api-key|k"},
		{"tr", "LDP|transform|run|--project-dir|transform|--select|+a|--select|b|--full-refresh|"
		       "--vars|{\"start\":\"2023-01-01\",\"n\":2}|--threads|4"},
		{"tr2", "LDP|transform|build|--select|x"},
		{"q1", "LDP|sql|-q|select 20230101"},
		{"q2", "LDP|sql|-q|-f|sql/q.sql"},
		{"q3", "LDP|sql|-q|select 2"},
		{"ck", "LDP|check|nyc.trips|--row-count-min|1|--row-count-max|100|--freshness|at:2d|--not-null|a|"
		       "--not-null|b|--unique|id|--accepted-values|status=paid,open|--accepted-values|n=1,2|"
		       "--sql|select 1|--sql|select 2|--where|day = '2023-01-01'"},
		{"ck2", "LDP|check|t|--freshness|at:1h|--as-of|2023-01-02T00:00:00+00:00|--sample|3"},
		{"ex", "LDP|export|nyc.trips|out/t_2023-01-01.parquet|--force|--partition-by|year, month"},
		{"ex2", "LDP|export|select 1|o.csv|--format|csv"},
		{"sh", "/bin/sh|-c|echo 2023-01-01 > out.txt"},
		{"sh2", "/bin/sh|-c|ls"},
		{"nt", "LDP|notify|--webhook-env|SLACK|--text|done 2023-01-01|--query|select 1|--title|T"},
		{"no2", "LDP|notify|--text|hello r1"},
		{"no3", "LDP|notify|--title|x|--max-rows|5|--status|failure|--dry-run"},
		{"r1", "LDP|run|configs/a.json"},
		{"r2", "LDP|run|a.json|b.json"},
		{"r3", "LDP|run|c.json"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = argv_of(set, cases[i].step);
		if (strcmp(got, cases[i].argv))
			fail_msg("step %s:\n got  %s\n want %s", cases[i].step, got, cases[i].argv);
		free(got);
	}
	ldp_pipeline_set_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_yaml_lines),
		cmocka_unit_test(test_load_ok),
		cmocka_unit_test(test_topo_order),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_check_env_webhooks),
		cmocka_unit_test(test_interval_no_schedule),
		cmocka_unit_test(test_interval_schedule),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_argv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
