/* Unit tests of the runner (ldp_pipeline_run) on hand-built pipelines of
 * shell steps: ordering, output capture, retries with backoff, timeouts,
 * signals, on_failure, stop and resume, --step mode, the lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ldp/error.h"
#include "pipeline/pipeline.h"
#include "pipeline/state.h"

#define JAN1_2023 1672531200 /* 2023-01-01T00:00:00Z */

typedef struct tpl {
	ldp_project proj;
	ldp_pipeline pl;
	ldp_step steps[8];
	size_t deps[8][4];
} tpl;

static void tpl_init(tpl *t, const char *name)
{
	memset(t, 0, sizeof *t);
	t->proj.dir = malloc(512);
	snprintf(t->proj.dir, 512, "%s/pipeline-exec-%s", LDP_TEST_TMP, name);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", t->proj.dir, t->proj.dir);
	assert_int_equal(system(cmd), 0);
	t->pl.name = (char *)"pl";
	t->pl.timezone = (char *)"UTC";
	t->pl.max_active_steps = 1;
	t->pl.params = json_object();
	t->pl.steps = t->steps;
}

static void tpl_free(tpl *t)
{
	for (size_t i = 0; i < t->pl.nsteps; i++) {
		json_decref(t->steps[i].spec);
		free(t->steps[i].depends_on);
	}
	json_decref(t->pl.params);
	free(t->proj.dir);
}

/* Add a shell step; deps are names of earlier steps, NULL-terminated. */
static ldp_step *add(tpl *t, const char *name, const char *command, ...)
{
	ldp_step *st = &t->steps[t->pl.nsteps];
	st->name = (char *)name;
	st->kind = LDP_STEP_SHELL;
	st->spec = json_string(command);
	st->retry_delay_s = 10;
	st->retry_backoff = 2;
	st->max_retry_delay_s = 600;
	st->depends_on = calloc(4, sizeof *st->depends_on);
	st->deps = t->deps[t->pl.nsteps];
	va_list ap;
	va_start(ap, command);
	for (const char *d; (d = va_arg(ap, const char *));) {
		for (size_t i = 0; i < t->pl.nsteps; i++)
			if (!strcmp(t->steps[i].name, d))
				st->deps[st->ndepends] = i;
		st->depends_on[st->ndepends++] = (char *)d;
	}
	va_end(ap);
	t->pl.nsteps++;
	return st;
}

static int run(tpl *t, ldp_run_options *o, char *id)
{
	ldp_run_options def;
	memset(&def, 0, sizeof def);
	def.logical_date = JAN1_2023;
	def.grace_s = 30;
	def.ldp_bin = LDP_BIN;
	return ldp_pipeline_run(&t->proj, &t->pl, o ? o : &def, id);
}

static ldp_state *st_open(tpl *t)
{
	ldp_state *s = NULL;
	assert_int_equal(ldp_state_open(&t->proj, &s), 0);
	return s;
}

static const char *jstr(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static double jnum(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

/* The run row and its attempts. */
static void load(tpl *t, const char *id, json_t **run, json_t **atts)
{
	ldp_state *s = st_open(t);
	assert_int_equal(ldp_state_run_get(s, id, run), 0);
	assert_int_equal(ldp_state_attempts_list(s, id, atts), 0);
	ldp_state_close(s);
}

static char *read_file(const char *dir, const char *name)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = calloc(1, 4096);
	size_t n = fread(buf, 1, 4095, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void test_success_env_and_output(void **state)
{
	(void)state;
	tpl t;
	tpl_init(&t, "ok");
	add(&t, "first", "echo out1; echo err1 >&2; printf 'no newline'", NULL);
	add(&t, "second",
	    "echo \"$LDP_PIPELINE|$LDP_STEP|$LDP_RUN_ID|$LDP_DS|$LDP_LOGICAL_DATE|$LDP_PROJECT|$(pwd)\" > env.txt;"
	    " read x || echo stdin-empty",
	    "first", NULL);
	char id[64];
	assert_int_equal(run(&t, NULL, id), 0);
	assert_string_equal(id, "pl__manual__20230101T000000");
	char *env = read_file(t.proj.dir, "env.txt");
	assert_non_null(env);
	char want[1400];
	snprintf(want, sizeof want, "pl|second|%s|2023-01-01|2023-01-01T00:00:00+00:00|%s|%s\n", id, t.proj.dir,
		 t.proj.dir);
	assert_string_equal(env, want);
	free(env);
	json_t *runj, *atts;
	load(&t, id, &runj, &atts);
	assert_string_equal(jstr(runj, "state"), "success");
	assert_true(json_is_null(json_object_get(runj, "error")));
	assert_int_equal(json_array_size(atts), 2);
	assert_string_equal(jstr(json_array_get(atts, 0), "step"), "first");
	assert_string_equal(jstr(json_array_get(atts, 1), "step"), "second");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(atts, 1), "exit_code")), 0);
	/* dependency order: second started after first ended */
	assert_true(jnum(json_array_get(atts, 1), "started_at") >= jnum(json_array_get(atts, 0), "ended_at"));
	json_decref(runj);
	json_decref(atts);
	ldp_state *s = st_open(&t);
	json_t *logs;
	assert_int_equal(ldp_state_logs(s, id, "first", &logs), 0);
	assert_int_equal(json_array_size(logs), 3);
	/* stdout and stderr are separate pipes: only each stream's own order is defined */
	int seen = 0;
	for (size_t i = 0; i < 3; i++) {
		json_t *l = json_array_get(logs, i);
		if (!strcmp(jstr(l, "text"), "out1"))
			seen |= 1, assert_string_equal(jstr(l, "stream"), "stdout");
		if (!strcmp(jstr(l, "text"), "err1"))
			seen |= 2, assert_string_equal(jstr(l, "stream"), "stderr");
		if (!strcmp(jstr(l, "text"), "no newline"))
			seen |= 4, assert_string_equal(jstr(l, "stream"), "stdout");
	}
	assert_int_equal(seen, 7);
	json_decref(logs);
	assert_int_equal(ldp_state_logs(s, id, "second", &logs), 0);
	assert_int_equal(json_array_size(logs), 1);
	assert_string_equal(jstr(json_array_get(logs, 0), "text"), "stdin-empty");
	json_decref(logs);
	ldp_state_close(s);
	/* a second manual run of the same date gets its own id */
	assert_int_equal(run(&t, NULL, id), 0);
	assert_string_equal(id, "pl__manual__20230101T000000__2");
	tpl_free(&t);
}

static void test_retries_backoff(void **state)
{
	(void)state;
	tpl t;
	tpl_init(&t, "retry");
	ldp_step *st = add(&t, "flaky", "echo try; exit 3", NULL);
	st->retries = 3;
	st->retry_delay_s = 0.1;
	st->retry_backoff = 3;
	st->max_retry_delay_s = 0.5; /* delays 0.1, 0.3, then 0.9 capped to 0.5 */
	char id[64];
	assert_int_equal(run(&t, NULL, id), LDP_EFAILED);
	assert_non_null(strstr(ldp_error_last()->message, "step flaky failed: exit code 3"));
	json_t *runj, *atts;
	load(&t, id, &runj, &atts);
	assert_string_equal(jstr(runj, "state"), "failed");
	assert_string_equal(jstr(runj, "failed_step"), "flaky");
	assert_int_equal(json_array_size(atts), 4);
	double want[] = {0.1, 0.3, 0.5};
	for (size_t i = 0; i < 4; i++) {
		json_t *a = json_array_get(atts, i);
		assert_int_equal(json_integer_value(json_object_get(a, "attempt")), i + 1);
		assert_string_equal(jstr(a, "state"), "failed");
		assert_string_equal(jstr(a, "reason"), "exit code 3");
		if (i > 0) {
			double gap = jnum(a, "started_at") - jnum(json_array_get(atts, i - 1), "ended_at");
			assert_true(gap >= want[i - 1] - 0.01);
			assert_true(gap < want[i - 1] + 0.15); /* catches an off-by-one exponent: 0.3 first */
		}
	}
	json_decref(runj);
	json_decref(atts);
	tpl_free(&t);
}

static void test_timeout_and_signal(void **state)
{
	(void)state;
	tpl t;
	tpl_init(&t, "timeout");
	/* the trap would outlive a SIGTERM to the shell alone: the group gets it,
	 * and the SIGKILL after 5 s is not needed because sleep dies */
	ldp_step *slow = add(&t, "slow", "sleep 30", NULL);
	slow->timeout_s = 0.5;
	slow->on_failure = LDP_ON_FAILURE_CONTINUE;
	add(&t, "killed", "kill -9 $$", NULL)->on_failure = LDP_ON_FAILURE_CONTINUE;
	/* the whole process group dies on timeout, background children too */
	ldp_step *bg = add(&t, "bg", "(sleep 1; touch late.txt) & sleep 30", NULL);
	bg->timeout_s = 0.3;
	bg->on_failure = LDP_ON_FAILURE_CONTINUE;
	struct timeval a, b;
	gettimeofday(&a, NULL);
	char id[64];
	assert_int_equal(run(&t, NULL, id), LDP_EFAILED);
	gettimeofday(&b, NULL);
	double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_usec - a.tv_usec) / 1e6;
	assert_true(took < 5);
	json_t *runj, *atts;
	load(&t, id, &runj, &atts);
	json_t *a0 = json_array_get(atts, 0), *a1 = json_array_get(atts, 1);
	assert_string_equal(jstr(a0, "reason"), "timed out after 0.5 s");
	assert_string_equal(jstr(a1, "reason"), "killed by signal SIGKILL");
	assert_int_equal(json_integer_value(json_object_get(a1, "signal")), 9);
	assert_string_equal(jstr(json_array_get(atts, 2), "reason"), "timed out after 0.3 s");
	usleep(1300000);
	char *late = read_file(t.proj.dir, "late.txt");
	assert_null(late);
	json_decref(runj);
	json_decref(atts);
	tpl_free(&t);
}

static void test_on_failure(void **state)
{
	(void)state;
	for (int cont = 0; cont < 2; cont++) {
		tpl t;
		tpl_init(&t, cont ? "continue" : "stop");
		ldp_step *f = add(&t, "bad", "exit 1", NULL);
		f->on_failure = cont ? LDP_ON_FAILURE_CONTINUE : LDP_ON_FAILURE_STOP;
		add(&t, "after", "echo ran > after.txt", "bad", NULL);
		add(&t, "after2", "true", "after", NULL);
		add(&t, "indep", "echo ran > indep.txt", NULL);
		char id[64];
		assert_int_equal(run(&t, NULL, id), LDP_EFAILED);
		ldp_state *s = st_open(&t);
		json_t *states;
		assert_int_equal(ldp_state_step_states(s, id, &states), 0);
		assert_string_equal(jstr(states, "bad"), "failed");
		assert_string_equal(jstr(states, "after"), "upstream_failed");
		assert_string_equal(jstr(states, "after2"), "upstream_failed");
		assert_string_equal(jstr(states, "indep"), cont ? "success" : "skipped");
		json_decref(states);
		ldp_state_close(s);
		char *x = read_file(t.proj.dir, "after.txt");
		assert_null(x);
		x = read_file(t.proj.dir, "indep.txt");
		assert_true(cont ? x != NULL : x == NULL);
		free(x);
		tpl_free(&t);
	}
}

static void test_concurrency(void **state)
{
	(void)state;
	tpl t;
	tpl_init(&t, "conc");
	t.pl.max_active_steps = 2;
	/* each step counts the steps inside the window with mkdir-made tokens:
	 * the most seen at once must be exactly 2 */
	const char *cmd = "mkdir -p run; touch run/$LDP_STEP; n=$(ls run | wc -l); echo $n >> counts; sleep 0.3;"
			  " n=$(ls run | wc -l); echo $n >> counts; rm run/$LDP_STEP";
	add(&t, "a", cmd, NULL);
	add(&t, "b", cmd, NULL);
	add(&t, "c", cmd, NULL);
	add(&t, "d", cmd, NULL);
	char id[64];
	assert_int_equal(run(&t, NULL, id), 0);
	char *counts = read_file(t.proj.dir, "counts");
	assert_non_null(counts);
	int maxn = 0;
	for (char *c = counts; *c; c++)
		if (*c >= '0' && *c <= '9' && *c - '0' > maxn)
			maxn = *c - '0';
	assert_int_equal(maxn, 2);
	free(counts);
	tpl_free(&t);
}

static volatile int stop_flag;
static const char *stop_when_exists[2];
/* Stop once both files exist (the steps have started), whatever the load. */
static void *set_stop(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		if (access(stop_when_exists[0], F_OK) == 0 && access(stop_when_exists[1], F_OK) == 0)
			break;
		usleep(10000);
	}
	stop_flag = 1;
	return NULL;
}

static void test_stop_and_resume(void **state)
{
	(void)state;
	tpl t;
	tpl_init(&t, "stopresume");
	add(&t, "one", "touch one.started; sleep 0.6; echo one >> done.txt", NULL);
	add(&t, "two", "echo two >> done.txt", "one", NULL);
	ldp_step *three = add(&t, "three", "touch three.started; sleep 30", NULL);
	three->timeout_s = 0; /* only the stop ends it */
	ldp_run_options o;
	memset(&o, 0, sizeof o);
	o.logical_date = JAN1_2023;
	o.stop = &stop_flag;
	o.grace_s = 2;
	o.ldp_bin = LDP_BIN;
	t.pl.max_active_steps = 2;
	stop_flag = 0;
	pthread_t th;
	char f1[600], f3[600];
	snprintf(f1, sizeof f1, "%s/one.started", t.proj.dir);
	snprintf(f3, sizeof f3, "%s/three.started", t.proj.dir);
	stop_when_exists[0] = f1;
	stop_when_exists[1] = f3;
	pthread_create(&th, NULL, set_stop, NULL);
	char id[64];
	int rc = run(&t, &o, id);
	pthread_join(th, NULL);
	assert_int_equal(rc, LDP_EINTERRUPTED);
	assert_non_null(strstr(ldp_error_last()->message, "--run-id pl__manual__20230101T000000"));
	json_t *runj, *atts;
	load(&t, id, &runj, &atts);
	assert_string_equal(jstr(runj, "state"), "interrupted");
	json_decref(runj);
	json_decref(atts);
	ldp_state *s = st_open(&t);
	json_t *states;
	assert_int_equal(ldp_state_step_states(s, id, &states), 0);
	assert_non_null(jstr(states, "one"));
	assert_non_null(jstr(states, "three"));
	assert_string_equal(jstr(states, "one"), "success");       /* finished within the grace period */
	assert_string_equal(jstr(states, "three"), "interrupted"); /* did not */
	assert_null(json_object_get(states, "two"));             /* never started */
	json_decref(states);
	ldp_state_close(s);

	/* resume: only what did not succeed runs */
	stop_flag = 0;
	three->spec = (json_decref(three->spec), json_string("echo three >> done.txt"));
	o.run_id = id;
	char id2[64];
	assert_int_equal(run(&t, &o, id2), 0);
	assert_string_equal(id2, id);
	char *done = read_file(t.proj.dir, "done.txt");
	assert_non_null(done);
	/* `one` ran once; two and three once each, in either order */
	assert_int_equal(strncmp(done, "one\n", 4), 0);
	assert_int_equal(strlen(done), strlen("one\ntwo\nthree\n"));
	free(done);
	load(&t, id, &runj, &atts);
	assert_string_equal(jstr(runj, "state"), "success");
	/* attempt numbers continue: three's second attempt is number 2 */
	int found = 0;
	size_t i;
	json_t *a;
	json_array_foreach(atts, i, a) if (!strcmp(jstr(a, "step"), "three") && jnum(a, "attempt") == 2 &&
					   !strcmp(jstr(a, "state"), "success")) found = 1;
	assert_true(found);
	json_decref(runj);
	json_decref(atts);
	/* a finished run is not resumed again */
	assert_int_equal(run(&t, &o, id2), LDP_EINVALID);
	tpl_free(&t);
}

static void test_only_step_and_lock(void **state)
{
	(void)state;
	tpl t;
	tpl_init(&t, "only");
	add(&t, "a", "exit 1", NULL);
	ldp_step *b = add(&t, "b", "echo b-ran", "a", NULL);
	b->retries = 5; /* --step makes one attempt whatever retries says */
	ldp_lock *l = NULL;
	assert_int_equal(ldp_lock_pipeline(&t.proj, "pl", &l), 0);
	char id[64];
	/* a full run needs the lock */
	assert_int_equal(run(&t, NULL, id), LDP_EBUSY);
	assert_non_null(strstr(ldp_error_last()->message, "already running"));
	/* --step does not, and ignores depends_on */
	ldp_run_options o;
	memset(&o, 0, sizeof o);
	o.type = LDP_RUN_AIRFLOW;
	o.logical_date = JAN1_2023;
	o.only_step = "b";
	o.run_id = "manual__2023-01-01T00:00:00+00:00";
	o.ldp_bin = LDP_BIN;
	assert_int_equal(run(&t, &o, id), 0);
	assert_string_equal(id, o.run_id);
	json_t *runj, *atts;
	load(&t, id, &runj, &atts);
	assert_string_equal(jstr(runj, "run_type"), "airflow");
	assert_string_equal(jstr(runj, "state"), "running"); /* step a has not run yet */
	assert_int_equal(json_array_size(atts), 1);
	json_decref(runj);
	json_decref(atts);
	o.only_step = "a";
	assert_int_equal(run(&t, &o, id), LDP_EFAILED);
	o.only_step = "a"; /* Airflow's retry: a new attempt number, one attempt */
	assert_int_equal(run(&t, &o, id), LDP_EFAILED);
	load(&t, id, &runj, &atts);
	assert_string_equal(jstr(runj, "state"), "failed");
	assert_int_equal(json_array_size(atts), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(atts, 2), "attempt")), 2);
	json_decref(runj);
	json_decref(atts);
	o.only_step = "nope";
	assert_int_equal(run(&t, &o, id), LDP_EINVALID);
	ldp_lock_release(l);
	tpl_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success_env_and_output),
		cmocka_unit_test(test_retries_backoff),
		cmocka_unit_test(test_timeout_and_signal),
		cmocka_unit_test(test_on_failure),
		cmocka_unit_test(test_concurrency),
		cmocka_unit_test(test_stop_and_resume),
		cmocka_unit_test(test_only_step_and_lock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
