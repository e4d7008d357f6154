/* Unit tests of the pipeline state file (state.h) and of the runner
 * (ldp_pipeline_run) on hand-built pipelines of shell steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ldp/error.h"
#include "pipeline/pipeline.h"
#include "pipeline/state.h"

#define JAN1_2023 1672531200.0 /* 2023-01-01T00:00:00Z: 53 years of 365 days + 13 leap days, * 86400 */

static char *test_dir(const char *name)
{
	char *d = malloc(512);
	snprintf(d, 512, "%s/pipeline-state-%s", LDP_TEST_TMP, name);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", d, d);
	assert_int_equal(system(cmd), 0);
	return d;
}

static ldp_project *project(const char *name)
{
	ldp_project *p = calloc(1, sizeof *p);
	p->dir = test_dir(name);
	return p;
}

static void project_free(ldp_project *p)
{
	free(p->dir);
	free(p);
}

static ldp_state *open_state(const ldp_project *p)
{
	ldp_state *s = NULL;
	int rc = ldp_state_open(p, &s);
	if (rc)
		fail_msg("ldp_state_open: %s", ldp_error_last()->message);
	return s;
}

static const char *jstr(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static double jnum(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

/* ---- the state file ---- */

static void test_open_schema(void **state)
{
	(void)state;
	ldp_project *p = project("schema");
	ldp_state *s = open_state(p);
	ldp_state_close(s);
	char *path = ldp_state_path(p);
	char want[600];
	snprintf(want, sizeof want, "%s/.ldp/state.db", p->dir);
	assert_string_equal(path, want);
	/* reopening an existing file keeps it */
	s = open_state(p);
	ldp_state_close(s);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	/* a newer schema is refused, not misread */
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(ldp_state_open(p, &s), LDP_EUNSUPPORTED);
	assert_non_null(strstr(ldp_error_last()->message, "schema version 99"));
	free(path);

	/* ldp.yml `state:` moves the file */
	ldp_project *q = project("schema2");
	q->config = json_pack("{s:s}", "state", "var/history.db");
	s = open_state(q);
	ldp_state_close(s);
	snprintf(want, sizeof want, "%s/var/history.db", q->dir);
	struct stat sb;
	assert_int_equal(stat(want, &sb), 0);
	json_decref(q->config);
	project_free(q);
	project_free(p);
}

static void test_run_ids_and_transitions(void **state)
{
	(void)state;
	ldp_project *p = project("runs");
	ldp_state *s = open_state(p);
	char id[64], id2[64], id3[64];
	assert_int_equal(ldp_state_run_queue(s, "nyc", "manual", JAN1_2023, JAN1_2023, JAN1_2023 + 86400, id), 0);
	assert_string_equal(id, "nyc__manual__20230101T000000");
	assert_int_equal(ldp_state_run_queue(s, "nyc", "manual", JAN1_2023, JAN1_2023, JAN1_2023 + 86400, id2), 0);
	assert_string_equal(id2, "nyc__manual__20230101T000000__2");
	assert_int_equal(ldp_state_run_queue(s, "nyc", "backfill", JAN1_2023 + 3600 * 6.5, 0, 0, id3), 0);
	assert_string_equal(id3, "nyc__backfill__20230101T063000");
	assert_int_equal(ldp_state_run_queue(s, "nyc", "bogus", JAN1_2023, 0, 0, id3), LDP_EINVALID);

	/* one scheduled run an interval, ever */
	char sid[64], sid2[64] = "";
	assert_int_equal(ldp_state_run_queue(s, "nyc", "scheduled", JAN1_2023, JAN1_2023, JAN1_2023 + 86400, sid), 0);
	assert_string_equal(sid, "nyc__scheduled__20230101T000000");
	assert_int_equal(ldp_state_run_queue(s, "nyc", "scheduled", JAN1_2023, JAN1_2023, JAN1_2023 + 86400, sid2),
			 LDP_EEXISTS);
	assert_string_equal(sid2, sid);

	/* explicit ids (Airflow's) */
	assert_int_equal(ldp_state_run_insert(s, "scheduled__2023-01-01T00:00:00+00:00", "nyc", "airflow", JAN1_2023,
					      JAN1_2023, JAN1_2023 + 86400, "running"),
			 0);
	assert_int_equal(ldp_state_run_insert(s, "scheduled__2023-01-01T00:00:00+00:00", "nyc", "airflow", JAN1_2023,
					      0, 0, "running"),
			 LDP_EEXISTS);

	json_t *run;
	assert_int_equal(ldp_state_run_get(s, id, &run), 0);
	assert_string_equal(jstr(run, "state"), "queued");
	assert_string_equal(jstr(run, "run_type"), "manual");
	assert_true(json_is_null(json_object_get(run, "started_at")));
	assert_true(jnum(run, "logical_date") == JAN1_2023);
	assert_true(jnum(run, "interval_end") == JAN1_2023 + 86400);
	json_decref(run);

	assert_int_equal(ldp_state_run_finish(s, id, "success", NULL), LDP_EINVALID); /* not running */
	assert_int_equal(ldp_state_run_start(s, id), 0);
	assert_int_equal(ldp_state_run_start(s, id), LDP_EINVALID); /* already running */
	assert_int_equal(ldp_state_run_get(s, id, &run), 0);
	assert_string_equal(jstr(run, "state"), "running");
	assert_int_equal(json_integer_value(json_object_get(run, "pid")), getpid());
	json_decref(run);
	assert_int_equal(ldp_state_run_finish(s, id, "bogus", NULL), LDP_EINVALID);
	assert_int_equal(ldp_state_run_finish(s, id, "failed", "step x failed"), 0);
	assert_int_equal(ldp_state_run_get(s, id, &run), 0);
	assert_string_equal(jstr(run, "state"), "failed");
	assert_string_equal(jstr(run, "error"), "step x failed");
	assert_true(jnum(run, "ended_at") >= jnum(run, "started_at"));
	json_decref(run);
	/* a failed run can be resumed, a successful one not */
	assert_int_equal(ldp_state_run_start(s, id), 0);
	assert_int_equal(ldp_state_run_finish(s, id, "success", NULL), 0);
	assert_int_equal(ldp_state_run_start(s, id), LDP_EINVALID);
	assert_int_equal(ldp_state_run_get(s, "nope", &run), LDP_ENOTFOUND);

	/* listing: newest first, per pipeline, limited */
	assert_int_equal(ldp_state_run_queue(s, "other", "manual", JAN1_2023, 0, 0, id3), 0);
	json_t *list;
	assert_int_equal(ldp_state_runs_list(s, NULL, 0, &list), 0);
	assert_int_equal(json_array_size(list), 6);
	assert_string_equal(jstr(json_array_get(list, 0), "run_id"), "other__manual__20230101T000000");
	assert_string_equal(jstr(json_array_get(list, 5), "run_id"), "nyc__manual__20230101T000000");
	json_decref(list);
	assert_int_equal(ldp_state_runs_list(s, "nyc", 2, &list), 0);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(jstr(json_array_get(list, 0), "pipeline"), "nyc");
	json_decref(list);

	double last = -1;
	assert_int_equal(ldp_state_sched_get(s, "nyc", &last), 0);
	assert_true(last == 0);
	assert_int_equal(ldp_state_sched_set(s, "nyc", JAN1_2023), 0);
	assert_int_equal(ldp_state_sched_set(s, "nyc", JAN1_2023 + 86400), 0);
	assert_int_equal(ldp_state_sched_get(s, "nyc", &last), 0);
	assert_true(last == JAN1_2023 + 86400);
	ldp_state_close(s);
	project_free(p);
}

static void test_attempts_and_logs(void **state)
{
	(void)state;
	ldp_project *p = project("logs");
	ldp_state *s = open_state(p);
	char id[64];
	assert_int_equal(ldp_state_run_queue(s, "pl", "manual", JAN1_2023, 0, 0, id), 0);
	assert_int_equal(ldp_state_run_start(s, id), 0);
	assert_int_equal(ldp_state_attempt_start(s, id, "a", 1), 0);
	assert_int_equal(ldp_state_log_append(s, id, "a", 1, "stdout", "one\ntwo\n", 8), 0);
	assert_int_equal(ldp_state_log_append(s, id, "a", 1, "stderr", "warn", 4), 0);
	assert_int_equal(ldp_state_log_append(s, id, "a", 1, "stdout", "bad \xff\xfe byte\n", 12), 0);
	assert_int_equal(ldp_state_log_append(s, id, "a", 1, "stdin", "x", 1), LDP_EINVALID);
	assert_int_equal(ldp_state_attempt_finish(s, id, "a", 1, "failed", 2, 0, "exit code 2"), 0);
	usleep(2000);
	assert_int_equal(ldp_state_attempt_start(s, id, "b", 1), 0);
	assert_int_equal(ldp_state_log_append(s, id, "b", 1, "stdout", "bee\n", 4), 0);
	assert_int_equal(ldp_state_attempt_finish(s, id, "b", 1, "success", 0, 0, NULL), 0);
	usleep(2000);
	assert_int_equal(ldp_state_attempt_start(s, id, "a", 2), 0);
	assert_int_equal(ldp_state_log_append(s, id, "a", 2, "stdout", "again\n", 6), 0);
	assert_int_equal(ldp_state_attempt_finish(s, id, "a", 2, "failed", -1, 9, "killed by signal SIGKILL"), 0);
	assert_int_equal(ldp_state_attempt_finish(s, id, "c", 1, "upstream_failed", -1, 0, "upstream step a failed"), 0);
	assert_int_equal(ldp_state_attempt_finish(s, id, "c", 1, "bogus", -1, 0, NULL), LDP_EINVALID);

	json_t *atts;
	assert_int_equal(ldp_state_attempts_list(s, id, &atts), 0);
	assert_int_equal(json_array_size(atts), 4);
	const char *order[][2] = {{"a", "failed"}, {"b", "success"}, {"a", "failed"}, {"c", "upstream_failed"}};
	for (size_t i = 0; i < 4; i++) {
		json_t *a = json_array_get(atts, i);
		assert_string_equal(jstr(a, "step"), order[i][0]);
		assert_string_equal(jstr(a, "state"), order[i][1]);
	}
	json_t *a2 = json_array_get(atts, 2);
	assert_int_equal(json_integer_value(json_object_get(a2, "attempt")), 2);
	assert_int_equal(json_integer_value(json_object_get(a2, "signal")), 9);
	assert_true(json_is_null(json_object_get(a2, "exit_code")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(atts, 0), "exit_code")), 2);
	json_decref(atts);

	json_t *states;
	assert_int_equal(ldp_state_step_states(s, id, &states), 0);
	assert_int_equal(json_object_size(states), 3);
	assert_string_equal(jstr(states, "a"), "failed");
	assert_string_equal(jstr(states, "b"), "success");
	assert_string_equal(jstr(states, "c"), "upstream_failed");
	json_decref(states);

	json_t *run;
	assert_int_equal(ldp_state_run_get(s, id, &run), 0);
	assert_string_equal(jstr(run, "failed_step"), "a");
	json_decref(run);

	json_t *logs;
	assert_int_equal(ldp_state_logs(s, id, NULL, &logs), 0);
	const char *want[][3] = {{"a", "stdout", "one"},	   {"a", "stdout", "two"},   {"a", "stderr", "warn"},
				 {"a", "stdout", "bad \\xff\\xfe byte"}, {"b", "stdout", "bee"}, {"a", "stdout", "again"}};
	assert_int_equal(json_array_size(logs), 6);
	for (size_t i = 0; i < 6; i++) {
		json_t *l = json_array_get(logs, i);
		assert_string_equal(jstr(l, "step"), want[i][0]);
		assert_string_equal(jstr(l, "stream"), want[i][1]);
		assert_string_equal(jstr(l, "text"), want[i][2]);
	}
	json_decref(logs);
	assert_int_equal(ldp_state_logs(s, id, "a", &logs), 0);
	assert_int_equal(json_array_size(logs), 5);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(logs, 4), "attempt")), 2);
	json_decref(logs);
	ldp_state_close(s);
	project_free(p);
}

/* ---- locks and recovery ---- */

static int fd_is_cloexec_lock(const char *needle)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1;
	while (d && (e = readdir(d))) {
		char link[600], target[600];
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(link, target, sizeof target - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (strstr(target, needle))
			found = (fcntl(atoi(e->d_name), F_GETFD) & FD_CLOEXEC) != 0;
	}
	if (d)
		closedir(d);
	return found;
}

static void test_lock(void **state)
{
	(void)state;
	ldp_project *p = project("lock");
	assert_int_equal(ldp_lock_is_held(p, "pl"), 0);
	ldp_lock *l = NULL;
	assert_int_equal(ldp_lock_pipeline(p, "pl", &l), 0);
	assert_int_equal(fd_is_cloexec_lock(".ldp/locks/pl.lock"), 1);
	assert_int_equal(ldp_lock_is_held(p, "pl"), 1);
	assert_int_equal(ldp_lock_is_held(p, "other"), 0);
	/* another process is refused, with our pid in the message */
	pid_t pid = fork();
	if (pid == 0) {
		ldp_lock *l2 = NULL;
		int rc = ldp_lock_pipeline(p, "pl", &l2);
		char want[32];
		snprintf(want, sizeof want, "pid %d ", (int)getppid());
		_exit(rc == LDP_EBUSY && strstr(ldp_error_last()->message, want) ? 0 : 1);
	}
	int ws;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	/* a second open file in this very process conflicts too (flock is per open file) */
	ldp_lock *l3 = NULL;
	assert_int_equal(ldp_lock_pipeline(p, "pl", &l3), LDP_EBUSY);
	ldp_lock_release(l);
	assert_int_equal(ldp_lock_is_held(p, "pl"), 0);
	assert_int_equal(ldp_lock_pipeline(p, "pl", &l3), 0);
	ldp_lock_release(l3);
	assert_int_equal(ldp_lock_pipeline(p, "../x", &l3), LDP_EINVALID);
	project_free(p);
}

/* A child takes the lock, starts a run with a running attempt, tells us, and
 * then dies by SIGKILL (no cleanup at all): the run must be recovered. */
static void test_recover_after_killed_holder(void **state)
{
	(void)state;
	ldp_project *p = project("recover");
	ldp_state *s = open_state(p);
	char queued[64], air[64] = "airflow-run-1";
	assert_int_equal(ldp_state_run_queue(s, "q", "scheduled", JAN1_2023, 0, 0, queued), 0);
	assert_int_equal(ldp_state_run_insert(s, air, "pl", "airflow", JAN1_2023, 0, 0, "running"), 0);
	int sync[2];
	assert_int_equal(pipe(sync), 0);
	pid_t pid = fork();
	if (pid == 0) {
		ldp_state *cs = NULL;
		ldp_lock *l = NULL;
		char id[64];
		if (ldp_state_open(p, &cs) || ldp_lock_pipeline(p, "pl", &l) ||
		    ldp_state_run_queue(cs, "pl", "manual", JAN1_2023, 0, 0, id) || ldp_state_run_start(cs, id) ||
		    ldp_state_attempt_start(cs, id, "step1", 1))
			_exit(3);
		if (write(sync[1], id, strlen(id) + 1) < 0)
			_exit(4);
		pause();
		_exit(0);
	}
	close(sync[1]);
	char id[64] = "";
	assert_true(read(sync[0], id, sizeof id) > 0);
	close(sync[0]);
	/* while the holder lives, its run is not touched */
	json_t *ids;
	assert_int_equal(ldp_state_recover(s, p, &ids), 0);
	assert_int_equal(json_array_size(ids), 1);
	assert_string_equal(json_string_value(json_array_get(ids, 0)), queued);
	json_decref(ids);
	json_t *run;
	assert_int_equal(ldp_state_run_get(s, id, &run), 0);
	assert_string_equal(jstr(run, "state"), "running");
	json_decref(run);

	kill(pid, SIGKILL);
	int ws;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_int_equal(ldp_lock_is_held(p, "pl"), 0);
	assert_int_equal(ldp_state_recover(s, p, &ids), 0);
	assert_int_equal(json_array_size(ids), 2);
	assert_string_equal(json_string_value(json_array_get(ids, 0)), queued);
	assert_string_equal(json_string_value(json_array_get(ids, 1)), id);
	json_decref(ids);
	assert_int_equal(ldp_state_run_get(s, id, &run), 0);
	assert_string_equal(jstr(run, "state"), "interrupted");
	char want[64];
	snprintf(want, sizeof want, "the process running it (pid %d) died", (int)pid);
	assert_string_equal(jstr(run, "error"), want);
	json_decref(run);
	json_t *st;
	assert_int_equal(ldp_state_step_states(s, id, &st), 0);
	assert_string_equal(jstr(st, "step1"), "interrupted");
	json_decref(st);
	/* Airflow's runs are Airflow's business */
	assert_int_equal(ldp_state_run_get(s, air, &run), 0);
	assert_string_equal(jstr(run, "state"), "running");
	json_decref(run);
	/* recovering twice changes nothing more; the interrupted run resumes */
	assert_int_equal(ldp_state_recover(s, p, &ids), 0);
	assert_int_equal(json_array_size(ids), 1);
	json_decref(ids);
	assert_int_equal(ldp_state_run_start(s, id), 0);
	ldp_state_close(s);
	project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_schema),
		cmocka_unit_test(test_run_ids_and_transitions),
		cmocka_unit_test(test_attempts_and_logs),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_recover_after_killed_holder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
