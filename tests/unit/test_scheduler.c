/* Tests of the scheduler: the interval arithmetic (src/pipeline/sched_due.c),
 * Airflow's model (the run for [t_i, t_{i+1}) is due at t_{i+1}), with values
 * worked out by hand (New York is EST, -5, before 2024-03-10 02:00 local and
 * EDT, -4, after); and the loop (scheduler.c) against the real state file,
 * with this test binary standing in for `ldp pipeline run` (ldp_bin points at
 * it; called as "<bin> pipeline run NAME --date D --run-id ID" it marks the
 * run running, appends "NAME D ID" to $SCHED_TEST_OUT and finishes it), so
 * queueing, recovery and catch-up are checked without the real runner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ldp/error.h"
#include "pipeline/scheduler.h"
#include "pipeline/state.h"

static time_t U(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

typedef struct due {
	int rc;
	time_t logical, end, wake;
	int skipped;
} due;

static due next_due(const char *sched, const char *tz, time_t start, int catchup, time_t last, time_t since,
		    time_t now)
{
	ldp_pipeline pl;
	memset(&pl, 0, sizeof pl);
	pl.name = "p";
	pl.schedule = (char *)sched;
	pl.timezone = (char *)tz;
	pl.start_date = start;
	pl.catchup = catchup;
	ldp_cron *c;
	assert_int_equal(ldp_cron_parse(sched, tz, &c), 0);
	due d;
	d.rc = ldp_sched_next_due(&pl, c, last, since, now, &d.logical, &d.end, &d.skipped, &d.wake);
	ldp_cron_free(c);
	return d;
}

#define assert_due(d, lo, hi, skip)                                                                                  \
	do {                                                                                                         \
		assert_int_equal((d).rc, 1);                                                                         \
		assert_int_equal((d).logical, (lo));                                                                 \
		assert_int_equal((d).end, (hi));                                                                     \
		assert_int_equal((d).skipped, (skip));                                                               \
	} while (0)
#define assert_not_due(d, w)                                                                                         \
	do {                                                                                                         \
		assert_int_equal((d).rc, 0);                                                                         \
		assert_int_equal((d).wake, (w));                                                                     \
	} while (0)

static void test_catchup_true(void **state)
{
	(void)state;
	time_t start = U(2026, 11, 25, 10, 0), now = U(2026, 11, 25, 13, 30);
	/* every missed hour, oldest first, each due when its hour ends */
	assert_due(next_due("0 * * * *", "UTC", start, 1, 0, now, now), U(2026, 11, 25, 10, 0),
		   U(2026, 11, 25, 11, 0), 0);
	assert_due(next_due("0 * * * *", "UTC", start, 1, U(2026, 11, 25, 10, 0), now, now), U(2026, 11, 25, 11, 0),
		   U(2026, 11, 25, 12, 0), 0);
	assert_due(next_due("0 * * * *", "UTC", start, 1, U(2026, 11, 25, 11, 0), now, now), U(2026, 11, 25, 12, 0),
		   U(2026, 11, 25, 13, 0), 0);
	/* [13:00, 14:00) is not over at 13:30 */
	assert_not_due(next_due("0 * * * *", "UTC", start, 1, U(2026, 11, 25, 12, 0), now, now),
		       U(2026, 11, 25, 14, 0));
	/* exactly at the end of an interval it is due */
	assert_due(next_due("0 * * * *", "UTC", start, 1, U(2026, 11, 25, 12, 0), now, U(2026, 11, 25, 14, 0)),
		   U(2026, 11, 25, 13, 0), U(2026, 11, 25, 14, 0), 0);
	/* a start_date between fire times starts at the next fire time */
	assert_due(next_due("0 * * * *", "UTC", U(2026, 11, 25, 10, 20), 1, 0, now, now), U(2026, 11, 25, 11, 0),
		   U(2026, 11, 25, 12, 0), 0);
	/* a start_date in the future: nothing before it */
	assert_not_due(next_due("0 * * * *", "UTC", U(2026, 11, 25, 14, 0), 1, 0, now, now),
		       U(2026, 11, 25, 15, 0));
}

static void test_catchup_false(void **state)
{
	(void)state;
	time_t start = U(2026, 11, 25, 10, 0), now = U(2026, 11, 25, 13, 30);
	/* only the latest complete interval, [12:00, 13:00); 10 and 11 dropped */
	assert_due(next_due("0 * * * *", "UTC", start, 0, 0, now, now), U(2026, 11, 25, 12, 0),
		   U(2026, 11, 25, 13, 0), 1);
	assert_due(next_due("0 * * * *", "UTC", start, 0, U(2026, 11, 25, 9, 0), now, now), U(2026, 11, 25, 12, 0),
		   U(2026, 11, 25, 13, 0), 1);
	/* after it, nothing until 14:00 */
	assert_not_due(next_due("0 * * * *", "UTC", start, 0, U(2026, 11, 25, 12, 0), now, now),
		       U(2026, 11, 25, 14, 0));
	/* when the latest is also the first, nothing is skipped */
	assert_due(next_due("0 * * * *", "UTC", start, 0, 0, now, U(2026, 11, 25, 11, 5)), U(2026, 11, 25, 10, 0),
		   U(2026, 11, 25, 11, 0), 0);
	/* the latest never goes before start_date */
	assert_not_due(next_due("0 * * * *", "UTC", U(2026, 11, 25, 13, 0), 0, 0, now, now),
		       U(2026, 11, 25, 14, 0));
}

static void test_no_start_date(void **state)
{
	(void)state;
	/* without start_date the first interval starts at or after `since` */
	time_t since = U(2026, 11, 25, 13, 30);
	assert_not_due(next_due("0 * * * *", "UTC", 0, 1, 0, since, since), U(2026, 11, 25, 15, 0));
	assert_due(next_due("0 * * * *", "UTC", 0, 1, 0, since, U(2026, 11, 25, 15, 0)), U(2026, 11, 25, 14, 0),
		   U(2026, 11, 25, 15, 0), 0);
	since = U(2026, 11, 25, 13, 0);
	assert_not_due(next_due("0 * * * *", "UTC", 0, 1, 0, since, since), U(2026, 11, 25, 14, 0));
}

static void test_zone_and_never(void **state)
{
	(void)state;
	/* daily in New York across the spring change: a 24 h then a 23 h interval */
	time_t start = U(2024, 3, 9, 5, 0), now = U(2024, 3, 11, 4, 30);
	assert_due(next_due("@daily", "America/New_York", start, 1, 0, now, now), U(2024, 3, 9, 5, 0),
		   U(2024, 3, 10, 5, 0), 0);
	assert_due(next_due("@daily", "America/New_York", start, 1, U(2024, 3, 9, 5, 0), now, now),
		   U(2024, 3, 10, 5, 0), U(2024, 3, 11, 4, 0), 0);
	assert_not_due(next_due("@daily", "America/New_York", start, 1, U(2024, 3, 10, 5, 0), now, now),
		       U(2024, 3, 12, 4, 0));
	/* a schedule that never fires is never due and never wakes us */
	assert_not_due(next_due("0 0 30 2 *", "UTC", start, 1, 0, now, now), 0);
}

/* ---- the loop, with a stand-in runner ---- */

static char self_exe[4096];

static int fake_runner(int argc, char **argv)
{
	/* pipeline run NAME --date D --run-id ID --grace S --quiet */
	if (argc != 11 || strcmp(argv[2], "run") || strcmp(argv[4], "--date") || strcmp(argv[6], "--run-id") ||
	    strcmp(argv[8], "--grace") || strcmp(argv[9], "5") || strcmp(argv[10], "--quiet"))
		return 2;
	const char *name = argv[3], *date = argv[5], *id = argv[7];
	ldp_project *p;
	ldp_state *st;
	ldp_lock *lock;
	if (ldp_project_find(NULL, &p) || ldp_lock_pipeline(p, name, &lock) || ldp_state_open(p, &st))
		return 2;
	if (ldp_state_run_start(st, id))
		return 1;
	char path[1024];
	snprintf(path, sizeof path, "%s/%s.txt", getenv("SCHED_TEST_OUT"), name);
	FILE *f = fopen(path, "a");
	fprintf(f, "%s %s %s\n", name, date, id);
	fclose(f);
	const char *failing = getenv("SCHED_TEST_FAIL");
	int fail = failing && strcmp(failing, name) == 0;
	ldp_state_run_finish(st, id, fail ? "failed" : "success", fail ? "step failed" : NULL);
	ldp_state_close(st);
	ldp_lock_release(lock);
	ldp_project_free(p);
	return fail;
}

typedef struct events {
	int n[16];
	char log[8192];
} events;

static void on_event(const ldp_sched_event *ev, void *ud)
{
	events *e = ud;
	e->n[ev->kind]++;
	size_t len = strlen(e->log);
	snprintf(e->log + len, sizeof e->log - len, "%s %s\n", ldp_sched_event_name(ev->kind),
		 ev->run_id ? ev->run_id : ev->pipeline ? ev->pipeline : "-");
}

typedef struct fixture {
	char dir[512], out[600], hourly[700], daily[700];
	ldp_project *p;
	ldp_pipeline items[2];
	ldp_pipeline_set set;
} fixture;

static void fixture_init(fixture *f, const char *name)
{
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "%s/scheduler-%s-%d", LDP_TEST_TMP, name, (int)getpid());
	snprintf(f->out, sizeof f->out, "%s/out", f->dir);
	snprintf(f->hourly, sizeof f->hourly, "%s/hourly.txt", f->out);
	snprintf(f->daily, sizeof f->daily, "%s/daily.txt", f->out);
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ldp_project_init(f->dir, "t", &f->p), 0);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", f->out);
	assert_int_equal(system(cmd), 0);
	setenv("SCHED_TEST_OUT", f->out, 1);
	unsetenv("SCHED_TEST_FAIL");
	f->items[0] = (ldp_pipeline){.name = "hourly", .schedule = "0 * * * *", .timezone = "UTC",
				     .start_date = U(2026, 11, 25, 0, 0), .catchup = 1};
	f->items[1] = (ldp_pipeline){.name = "daily", .schedule = "@daily", .timezone = "UTC",
				     .start_date = U(2026, 11, 20, 0, 0), .catchup = 0};
	f->set = (ldp_pipeline_set){f->items, 2};
}

static void fixture_free(fixture *f)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	ldp_project_free(f->p);
}

static int run_once(fixture *f, time_t now, events *ev)
{
	memset(ev, 0, sizeof *ev);
	ldp_scheduler_options o = {.once = 1, .now = now, .grace_s = 5, .ldp_bin = self_exe,
				   .on_event = on_event, .userdata = ev};
	return ldp_scheduler_run_set(f->p, &f->set, &o);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	buf[0] = 0;
	FILE *fp = fopen(path, "r");
	if (fp) {
		buf[fread(buf, 1, sizeof buf - 1, fp)] = 0;
		fclose(fp);
	}
	return buf;
}

static void test_loop_catchup_and_no_duplicates(void **state)
{
	(void)state;
	fixture f;
	fixture_init(&f, "catchup");
	events ev;
	int rc = run_once(&f, U(2026, 11, 25, 3, 30), &ev);
	if (rc)
		fail_msg("%s\n%s", ldp_error_last()->message, ev.log);
	/* hourly: 00, 01, 02 in order; daily (catchup false): only 11-24 */
	assert_string_equal(slurp(f.hourly), "hourly 2026-11-25T00:00:00Z hourly__scheduled__20261125T000000\n"
					     "hourly 2026-11-25T01:00:00Z hourly__scheduled__20261125T010000\n"
					     "hourly 2026-11-25T02:00:00Z hourly__scheduled__20261125T020000\n");
	assert_string_equal(slurp(f.daily), "daily 2026-11-24T00:00:00Z daily__scheduled__20261124T000000\n");
	assert_int_equal(ev.n[LDP_SCHED_QUEUED], 4);
	assert_int_equal(ev.n[LDP_SCHED_FINISHED], 4);
	assert_int_equal(ev.n[LDP_SCHED_SKIPPED], 1);

	/* the same time again: nothing */
	assert_int_equal(run_once(&f, U(2026, 11, 25, 3, 30), &ev), 0);
	assert_int_equal(ev.n[LDP_SCHED_QUEUED] + ev.n[LDP_SCHED_LAUNCHED], 0);

	/* the scheduler's record */
	ldp_state *st;
	assert_int_equal(ldp_state_open(f.p, &st), 0);
	double last;
	assert_int_equal(ldp_state_sched_get(st, "hourly", &last), 0);
	assert_int_equal((time_t)last, U(2026, 11, 25, 2, 0));
	json_t *runs;
	assert_int_equal(ldp_state_runs_list(st, NULL, 0, &runs), 0);
	assert_int_equal(json_array_size(runs), 4);
	json_decref(runs);
	ldp_state_close(st);
	fixture_free(&f);
}

static void test_loop_recovers_without_duplicates(void **state)
{
	(void)state;
	fixture f;
	fixture_init(&f, "recover");
	f.set.n = 1; /* hourly only */
	ldp_state *st;
	assert_int_equal(ldp_state_open(f.p, &st), 0);
	char id3[64], id4[64];
	/* a crash after queue + record, before launch (03:00) */
	assert_int_equal(ldp_state_sched_set(st, "hourly", (double)U(2026, 11, 25, 2, 0)), 0);
	assert_int_equal(ldp_state_run_queue(st, "hourly", "scheduled", (double)U(2026, 11, 25, 3, 0),
					     (double)U(2026, 11, 25, 3, 0), (double)U(2026, 11, 25, 4, 0), id3),
			 0);
	assert_int_equal(ldp_state_sched_set(st, "hourly", (double)U(2026, 11, 25, 3, 0)), 0);
	/* a crash after queue, before recording the interval (04:00) */
	assert_int_equal(ldp_state_run_queue(st, "hourly", "scheduled", (double)U(2026, 11, 25, 4, 0),
					     (double)U(2026, 11, 25, 4, 0), (double)U(2026, 11, 25, 5, 0), id4),
			 0);
	ldp_state_close(st);

	events ev;
	int rc = run_once(&f, U(2026, 11, 25, 5, 30), &ev);
	if (rc)
		fail_msg("%s\n%s", ldp_error_last()->message, ev.log);
	char want[512];
	snprintf(want, sizeof want, "hourly 2026-11-25T03:00:00Z %s\nhourly 2026-11-25T04:00:00Z %s\n", id3, id4);
	assert_string_equal(slurp(f.hourly), want);
	assert_int_equal(ev.n[LDP_SCHED_RESUMING], 2);
	assert_int_equal(ev.n[LDP_SCHED_EXISTS], 1); /* 04:00 was found queued already */
	assert_int_equal(ev.n[LDP_SCHED_QUEUED], 0);
	assert_int_equal(ldp_state_open(f.p, &st), 0);
	json_t *runs;
	assert_int_equal(ldp_state_runs_list(st, NULL, 0, &runs), 0);
	assert_int_equal(json_array_size(runs), 2);
	size_t i;
	json_t *r;
	json_array_foreach(runs, i, r) assert_string_equal(json_string_value(json_object_get(r, "state")), "success");
	json_decref(runs);
	ldp_state_close(st);
	fixture_free(&f);
}

static void test_loop_failure_and_bad_config(void **state)
{
	(void)state;
	fixture f;
	fixture_init(&f, "fail");
	setenv("SCHED_TEST_FAIL", "daily", 1);
	events ev;
	assert_int_equal(run_once(&f, U(2026, 11, 25, 1, 0), &ev), LDP_EFAILED);
	assert_int_equal(ev.n[LDP_SCHED_FINISHED], 2);
	unsetenv("SCHED_TEST_FAIL");

	/* an invalid schedule: an error before anything runs */
	f.items[1].schedule = "0 0 * 13 *";
	remove(f.hourly);
	remove(f.daily);
	int rc = run_once(&f, U(2026, 11, 25, 9, 0), &ev);
	assert_int_equal(rc, LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "pipeline daily"));
	assert_non_null(strstr(ldp_error_last()->message, "month field '13'"));
	assert_int_equal(ev.n[LDP_SCHED_LAUNCHED], 0);
	assert_int_equal(access(f.hourly, F_OK), -1);
	assert_int_equal(access(f.daily, F_OK), -1);
	/* no pipeline with a schedule */
	f.items[0].schedule = f.items[1].schedule = NULL;
	assert_int_equal(run_once(&f, U(2026, 11, 25, 9, 0), &ev), LDP_EINVALID);
	fixture_free(&f);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "pipeline") == 0)
		return fake_runner(argc, argv);
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
	self_exe[n > 0 ? n : 0] = 0;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catchup_true),
		cmocka_unit_test(test_catchup_false),
		cmocka_unit_test(test_no_start_date),
		cmocka_unit_test(test_zone_and_never),
		cmocka_unit_test(test_loop_catchup_and_no_duplicates),
		cmocka_unit_test(test_loop_recovers_without_duplicates),
		cmocka_unit_test(test_loop_failure_and_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
