/* Unit tests of the scheduler's interval arithmetic (src/pipeline/sched_due.c):
 * which data interval is due, Airflow's model (the run for [t_i, t_{i+1}) is
 * due at t_{i+1}). Expected values are worked out by hand; New York is EST
 * (-5) before 2024-03-10 02:00 local and EDT (-4) after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "ldp/error.h"
#include "pipeline/scheduler.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catchup_true),
		cmocka_unit_test(test_catchup_false),
		cmocka_unit_test(test_no_start_date),
		cmocka_unit_test(test_zone_and_never),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
