/* Unit tests of cron schedules (src/pipeline/cron.c).
 *
 * Expected instants are worked out by hand from the calendar (2024-01-01 is a
 * Monday) and the zones' published 2024 rules: America/New_York EST -5 / EDT
 * -4, DST from 2024-03-10 02:00 (clocks jump to 03:00) to 2024-11-03 02:00
 * (back to 01:00); Europe/Berlin CET +1 / CEST +2, from 2024-03-31 02:00 (to
 * 03:00) to 2024-10-27 03:00 (back to 02:00). A brute-force oracle (scan every
 * minute with the C library's localtime and hand-written predicates) checks
 * the field-skipping search around DST changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldp/error.h"
#include "pipeline/cron.h"

/* A UTC instant. */
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

static ldp_cron *parse(const char *expr, const char *tz)
{
	ldp_cron *c = NULL;
	int rc = ldp_cron_parse(expr, tz, &c);
	if (rc)
		fail_msg("parse '%s' (%s): %s", expr, tz ? tz : "UTC", ldp_error_last()->message);
	return c;
}

static void fmt(time_t t, char *buf)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%MZ", &tm);
}

#define expect_next(c, t, want) check_one(c, t, want, 1, __LINE__)
#define expect_prev(c, t, want) check_one(c, t, want, 0, __LINE__)

static void check_one(const ldp_cron *c, time_t t, time_t want, int next, int line)
{
	time_t got = 0;
	int rc = next ? ldp_cron_next(c, t, &got) : ldp_cron_prev(c, t, &got);
	char a[32], b[32], s[32];
	fmt(t, s);
	fmt(want, b);
	if (rc)
		fail_msg("line %d: %s(%s) failed: %s (want %s)", line, next ? "next" : "prev", s,
			 ldp_error_last()->message, b);
	fmt(got, a);
	if (got != want)
		fail_msg("line %d: %s(%s) = %s, want %s", line, next ? "next" : "prev", s, a, b);
}

/* Walk next() from t and compare with a list of expected fire times. */
static void expect_seq(const ldp_cron *c, time_t t, const time_t *want, size_t n, int line)
{
	for (size_t i = 0; i < n; i++) {
		check_one(c, t, want[i], 1, line);
		t = want[i];
	}
}
#define SEQ(c, t, ...)                                                                                               \
	do {                                                                                                         \
		const time_t w_[] = {__VA_ARGS__};                                                                   \
		expect_seq(c, t, w_, sizeof w_ / sizeof w_[0], __LINE__);                                            \
	} while (0)

static void test_basic_forms(void **state)
{
	(void)state;
	/* ranges, steps, day names: Friday 2024-01-05 17:45 is the last of the week */
	ldp_cron *c = parse("*/15 9-17 * * MON-FRI", NULL);
	expect_next(c, U(2024, 1, 5, 17, 40), U(2024, 1, 5, 17, 45));
	expect_next(c, U(2024, 1, 5, 17, 45), U(2024, 1, 8, 9, 0));
	expect_prev(c, U(2024, 1, 8, 8, 59), U(2024, 1, 5, 17, 45));
	expect_prev(c, U(2024, 1, 5, 17, 45), U(2024, 1, 5, 17, 45)); /* at or before */
	ldp_cron_free(c);

	c = parse("5,10,50 * * * *", "UTC");
	SEQ(c, U(2024, 6, 1, 10, 7), U(2024, 6, 1, 10, 10), U(2024, 6, 1, 10, 50), U(2024, 6, 1, 11, 5));
	ldp_cron_free(c);

	/* a/n runs from a to the field's end */
	c = parse("7/20 * * * *", NULL);
	SEQ(c, U(2024, 6, 1, 10, 0), U(2024, 6, 1, 10, 7), U(2024, 6, 1, 10, 27), U(2024, 6, 1, 10, 47),
	    U(2024, 6, 1, 11, 7));
	ldp_cron_free(c);
	c = parse("10-30/10 */6 * * *", NULL);
	SEQ(c, U(2024, 6, 1, 5, 0), U(2024, 6, 1, 6, 10), U(2024, 6, 1, 6, 20), U(2024, 6, 1, 6, 30),
	    U(2024, 6, 1, 12, 10));
	ldp_cron_free(c);

	/* month names, any case, in a list; seconds in t are ignored */
	c = parse("0 12 1 jan,Jul *", NULL);
	SEQ(c, U(2024, 2, 1, 0, 0), U(2024, 7, 1, 12, 0), U(2025, 1, 1, 12, 0));
	expect_next(c, U(2024, 7, 1, 11, 59) + 59, U(2024, 7, 1, 12, 0));
	expect_prev(c, U(2024, 6, 30, 0, 0), U(2024, 1, 1, 12, 0));
	ldp_cron_free(c);
	c = parse("0 0 1 MAR-MAY *", NULL);
	SEQ(c, U(2024, 1, 1, 0, 0), U(2024, 3, 1, 0, 0), U(2024, 4, 1, 0, 0), U(2024, 5, 1, 0, 0),
	    U(2025, 3, 1, 0, 0));
	ldp_cron_free(c);
	/* the last day of a 31-day month, skipping shorter months */
	c = parse("0 0 31 * *", NULL);
	SEQ(c, U(2024, 1, 31, 0, 0), U(2024, 3, 31, 0, 0), U(2024, 5, 31, 0, 0), U(2024, 7, 31, 0, 0),
	    U(2024, 8, 31, 0, 0));
	ldp_cron_free(c);
}

static void test_sunday_0_and_7(void **state)
{
	(void)state;
	const char *forms[] = {"0 0 * * 0", "0 0 * * 7", "0 0 * * SUN", "0 0 * * sun", "@weekly"};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		ldp_cron *c = parse(forms[i], NULL);
		SEQ(c, U(2024, 1, 1, 0, 0), U(2024, 1, 7, 0, 0), U(2024, 1, 14, 0, 0));
		ldp_cron_free(c);
	}
	ldp_cron *c = parse("0 0 * * 5-7", NULL); /* Fri, Sat, Sun */
	SEQ(c, U(2024, 1, 1, 0, 0), U(2024, 1, 5, 0, 0), U(2024, 1, 6, 0, 0), U(2024, 1, 7, 0, 0),
	    U(2024, 1, 12, 0, 0));
	ldp_cron_free(c);
}

static void test_vixie_day_rule(void **state)
{
	(void)state;
	/* Both restricted: the 13th OR any Friday. October 2024: Fridays 4, 11,
	 * 18, 25; the 13th is a Sunday. */
	ldp_cron *c = parse("0 0 13 * FRI", NULL);
	SEQ(c, U(2024, 10, 1, 0, 0), U(2024, 10, 4, 0, 0), U(2024, 10, 11, 0, 0), U(2024, 10, 13, 0, 0),
	    U(2024, 10, 18, 0, 0), U(2024, 10, 25, 0, 0));
	ldp_cron_free(c);
	/* A day field starting with '*' (even "*\/2") makes the rule AND: odd days
	 * that are Fridays. */
	c = parse("0 0 */2 * FRI", NULL);
	SEQ(c, U(2024, 10, 1, 0, 0), U(2024, 10, 11, 0, 0), U(2024, 10, 25, 0, 0));
	ldp_cron_free(c);
	c = parse("0 0 1 * *", NULL); /* dow '*': the 1st only */
	SEQ(c, U(2024, 10, 1, 0, 0), U(2024, 11, 1, 0, 0), U(2024, 12, 1, 0, 0));
	ldp_cron_free(c);
}

static void test_macros(void **state)
{
	(void)state;
	ldp_cron *c = parse("@hourly", NULL);
	SEQ(c, U(2024, 12, 31, 22, 30), U(2024, 12, 31, 23, 0), U(2025, 1, 1, 0, 0));
	ldp_cron_free(c);
	const char *daily[] = {"@daily", "@midnight", "  @DAILY  "};
	for (int i = 0; i < 3; i++) {
		c = parse(daily[i], NULL);
		SEQ(c, U(2024, 2, 28, 6, 0), U(2024, 2, 29, 0, 0), U(2024, 3, 1, 0, 0));
		ldp_cron_free(c);
	}
	c = parse("@monthly", NULL);
	SEQ(c, U(2024, 1, 15, 0, 0), U(2024, 2, 1, 0, 0), U(2024, 3, 1, 0, 0));
	ldp_cron_free(c);
	const char *yearly[] = {"@yearly", "@annually"};
	for (int i = 0; i < 2; i++) {
		c = parse(yearly[i], NULL);
		SEQ(c, U(2024, 3, 1, 0, 0), U(2025, 1, 1, 0, 0), U(2026, 1, 1, 0, 0));
		expect_prev(c, U(2024, 3, 1, 0, 0), U(2024, 1, 1, 0, 0));
		ldp_cron_free(c);
	}
}

static void test_leap_day_and_never(void **state)
{
	(void)state;
	ldp_cron *c = parse("0 0 29 2 *", NULL);
	SEQ(c, U(2023, 1, 1, 0, 0), U(2024, 2, 29, 0, 0), U(2028, 2, 29, 0, 0));
	expect_prev(c, U(2027, 1, 1, 0, 0), U(2024, 2, 29, 0, 0));
	/* 2100 is not a leap year: from 2096 the next one is 2104, 8 years on */
	time_t out;
	assert_int_equal(ldp_cron_next(c, U(2096, 3, 1, 0, 0), &out), LDP_ENOTFOUND);
	ldp_cron_free(c);

	const char *never[] = {"0 0 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *"};
	for (int i = 0; i < 3; i++) {
		c = parse(never[i], NULL);
		assert_int_equal(ldp_cron_next(c, U(2024, 1, 1, 0, 0), &out), LDP_ENOTFOUND);
		assert_int_equal(ldp_cron_prev(c, U(2024, 1, 1, 0, 0), &out), LDP_ENOTFOUND);
		assert_int_equal(ldp_error_last()->code, LDP_ENOTFOUND);
		ldp_cron_free(c);
	}
}

static void expect_error(const char *expr, const char *tz, const char *want)
{
	ldp_cron *c = (ldp_cron *)1;
	int rc = ldp_cron_parse(expr, tz, &c);
	if (rc != LDP_EINVALID)
		fail_msg("'%s' parsed (rc %d), want an error containing \"%s\"", expr, rc, want);
	assert_null(c);
	if (!strstr(ldp_error_last()->message, want))
		fail_msg("'%s': message \"%s\" lacks \"%s\"", expr, ldp_error_last()->message, want);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("0 25 * * *", NULL, "hour field '25': 25 is out of range 0-23");
	expect_error("0 25 * * *", NULL, "cron expression '0 25 * * *'");
	expect_error("60 * * * *", NULL, "minute field '60': 60 is out of range 0-59");
	expect_error("* * 0 * *", NULL, "day-of-month field '0': 0 is out of range 1-31");
	expect_error("* * 32 * *", NULL, "day-of-month field");
	expect_error("* * * 13 *", NULL, "month field '13': 13 is out of range 1-12");
	expect_error("* * * * 8", NULL, "day-of-week field '8': 8 is out of range 0-7");
	expect_error("* * * FOO *", NULL, "month field 'FOO': unknown name 'FOO'");
	expect_error("* * * * MONDAY", NULL, "day-of-week field 'MONDAY': unknown name");
	expect_error("* * * * JAN", NULL, "day-of-week field 'JAN': unknown name");
	expect_error("* MON * * *", NULL, "hour field 'MON': 'MON' is not a number");
	expect_error("*/0 * * * *", NULL, "minute field '*/0': step 0 is out of range 1-60");
	expect_error("*/ * * * *", NULL, "a step needs a number");
	expect_error("5-2 * * * *", NULL, "minute field '5-2': range 5-2 goes backwards");
	expect_error("1,,2 * * * *", NULL, "minute field '1,,2': unexpected ','");
	expect_error("1, * * * *", NULL, "a value is missing");
	expect_error("1-2-3 * * * *", NULL, "unexpected '-'");
	expect_error("* * * *", NULL, "expected 5 fields (minute hour day-of-month month day-of-week), got 4");
	expect_error("* * * * * *", NULL, "got 6");
	expect_error("", NULL, "got 0");
	expect_error("@reboot", NULL, "unknown macro");
	expect_error("@daily extra", NULL, "unknown macro");
	expect_error("0 0 * * *", "Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'");
	expect_error("0 0 * * *", "../../etc/passwd", "unknown time zone");
	expect_error("@daily", "", "unknown time zone");
	/* valid zones and odd spacing */
	ldp_cron *c = parse(" 0\t0  * *   * ", "Europe/Berlin");
	ldp_cron_free(c);
	c = parse("0 0 * * *", "Etc/UTC");
	ldp_cron_free(c);
}

/* ---- DST ---- */

static void test_dst_new_york(void **state)
{
	(void)state;
	const char *ny = "America/New_York";
	/* 02:30 does not exist on 2024-03-10: skipped, not moved */
	ldp_cron *c = parse("30 2 * * *", ny);
	SEQ(c, U(2024, 3, 9, 0, 0), U(2024, 3, 9, 7, 30), U(2024, 3, 11, 6, 30));
	expect_prev(c, U(2024, 3, 11, 0, 0), U(2024, 3, 9, 7, 30));
	ldp_cron_free(c);
	/* hourly across the gap: 01:00 EST then 03:00 EDT, one hour apart */
	c = parse("0 * * * *", ny);
	SEQ(c, U(2024, 3, 10, 5, 30), U(2024, 3, 10, 6, 0), U(2024, 3, 10, 7, 0), U(2024, 3, 10, 8, 0));
	expect_prev(c, U(2024, 3, 10, 6, 59), U(2024, 3, 10, 6, 0));
	/* hourly across the fall-back: 01:00 fires once (EDT, 05:00Z); the
	 * repeated 01:00 EST (06:00Z) does not fire; 02:00 EST is 07:00Z */
	SEQ(c, U(2024, 11, 3, 4, 30), U(2024, 11, 3, 5, 0), U(2024, 11, 3, 7, 0), U(2024, 11, 3, 8, 0));
	expect_prev(c, U(2024, 11, 3, 6, 30), U(2024, 11, 3, 5, 0));
	expect_prev(c, U(2024, 11, 3, 6, 59), U(2024, 11, 3, 5, 0));
	expect_next(c, U(2024, 11, 3, 6, 0), U(2024, 11, 3, 7, 0));
	ldp_cron_free(c);
	c = parse("*/30 * * * *", ny);
	SEQ(c, U(2024, 11, 3, 5, 10), U(2024, 11, 3, 5, 30), U(2024, 11, 3, 7, 0));
	expect_prev(c, U(2024, 11, 3, 6, 45), U(2024, 11, 3, 5, 30));
	ldp_cron_free(c);
	/* in the repeated hour a wall time fires once, at its first occurrence */
	c = parse("30 1 * * *", ny);
	SEQ(c, U(2024, 11, 2, 12, 0), U(2024, 11, 3, 5, 30), U(2024, 11, 4, 6, 30));
	expect_prev(c, U(2024, 11, 3, 6, 40), U(2024, 11, 3, 5, 30));
	ldp_cron_free(c);
	/* midnight moves from 05:00Z to 04:00Z after the spring change */
	c = parse("@daily", ny);
	SEQ(c, U(2024, 3, 9, 6, 0), U(2024, 3, 10, 5, 0), U(2024, 3, 11, 4, 0));
	ldp_cron_free(c);
}

static void test_dst_berlin(void **state)
{
	(void)state;
	const char *be = "Europe/Berlin";
	ldp_cron *c = parse("30 2 * * *", be);
	/* 2024-03-31 02:30 does not exist */
	SEQ(c, U(2024, 3, 30, 0, 0), U(2024, 3, 30, 1, 30), U(2024, 4, 1, 0, 30));
	expect_prev(c, U(2024, 3, 31, 12, 0), U(2024, 3, 30, 1, 30));
	/* 2024-10-27 02:30 happens twice (00:30Z CEST, 01:30Z CET): once */
	SEQ(c, U(2024, 10, 26, 12, 0), U(2024, 10, 27, 0, 30), U(2024, 10, 28, 1, 30));
	expect_prev(c, U(2024, 10, 27, 1, 45), U(2024, 10, 27, 0, 30));
	ldp_cron_free(c);
	c = parse("0 * * * *", be);
	SEQ(c, U(2024, 10, 26, 23, 30), U(2024, 10, 27, 0, 0), U(2024, 10, 27, 2, 0));
	SEQ(c, U(2024, 3, 31, 0, 30), U(2024, 3, 31, 1, 0), U(2024, 3, 31, 2, 0));
	ldp_cron_free(c);
}

static void test_tz_restored(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	ldp_cron *c = parse("0 0 * * *", "Europe/Berlin");
	time_t out;
	assert_int_equal(ldp_cron_next(c, U(2024, 1, 1, 12, 0), &out), 0);
	assert_int_equal(out, U(2024, 1, 1, 23, 0));
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	struct tm tm;
	time_t t0 = 0;
	localtime_r(&t0, &tm);
	assert_int_equal(tm.tm_gmtoff, 9 * 3600);
	unsetenv("TZ");
	tzset();
	assert_int_equal(ldp_cron_next(c, U(2024, 1, 1, 12, 0), &out), 0);
	assert_null(getenv("TZ"));
	ldp_cron_free(c);
}

/* ---- cross checks ---- */

typedef int (*match_fn)(const struct tm *tm);
static int m_every20_1to3(const struct tm *tm) { return tm->tm_min % 20 == 0 && tm->tm_hour >= 1 && tm->tm_hour <= 3; }
static int m_hourly(const struct tm *tm) { return tm->tm_min == 0; }
static int m_2_30_weekend(const struct tm *tm) { return tm->tm_min == 30 && tm->tm_hour == 2 && (tm->tm_wday == 0 || tm->tm_wday == 6); }
static int m_every7(const struct tm *tm) { return tm->tm_min % 7 == 0; }

/* Brute force: every minute of [from, to) whose local time matches and whose
 * wall time did not already occur in the previous 3 hours. */
static size_t brute(const char *tz, match_fn m, time_t from, time_t to, time_t *out, size_t cap)
{
	setenv("TZ", tz, 1);
	tzset();
	size_t n = 0;
	for (time_t u = from; u < to; u += 60) {
		struct tm tm;
		localtime_r(&u, &tm);
		if (tm.tm_sec || !m(&tm))
			continue;
		int seen = 0;
		for (time_t v = u - 3 * 3600; v < u && !seen; v += 60) {
			struct tm t2;
			localtime_r(&v, &t2);
			seen = t2.tm_hour == tm.tm_hour && t2.tm_min == tm.tm_min && t2.tm_mday == tm.tm_mday;
		}
		if (!seen && n < cap)
			out[n++] = u;
	}
	unsetenv("TZ");
	tzset();
	return n;
}

static void cross_check(const char *expr, const char *tz, match_fn m, time_t from, time_t to)
{
	static time_t want[2000];
	size_t n = brute(tz, m, from, to, want, 2000);
	assert_true(n > 2);
	ldp_cron *c = parse(expr, tz);
	time_t t = from - 1;
	for (size_t i = 0; i < n; i++) {
		check_one(c, t, want[i], 1, __LINE__);
		/* symmetry: prev of a fire time is itself; prev just before it is
		 * the previous fire time, and next of that comes back */
		check_one(c, want[i], want[i], 0, __LINE__);
		if (i > 0) {
			check_one(c, want[i] - 1, want[i - 1], 0, __LINE__);
			check_one(c, (want[i - 1] + want[i]) / 2, want[i], 1, __LINE__);
		}
		t = want[i];
	}
	time_t last;
	assert_int_equal(ldp_cron_next(c, want[n - 1], &last), 0);
	assert_true(last >= to);
	ldp_cron_free(c);
}

static void test_cross_check(void **state)
{
	(void)state;
	const char *zones[] = {"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC"};
	struct {
		time_t from, to;
	} windows[] = {{U(2024, 3, 9, 0, 0), U(2024, 3, 12, 0, 0)},
		       {U(2024, 3, 30, 0, 0), U(2024, 4, 1, 0, 0)},
		       {U(2024, 10, 26, 0, 0), U(2024, 10, 28, 0, 0)},
		       {U(2024, 11, 2, 0, 0), U(2024, 11, 4, 0, 0)},
		       {U(2024, 4, 5, 0, 0), U(2024, 4, 8, 0, 0)}};
	for (size_t z = 0; z < 4; z++)
		for (size_t w = 0; w < 5; w++) {
			cross_check("*/20 1-3 * * *", zones[z], m_every20_1to3, windows[w].from, windows[w].to);
			cross_check("0 * * * *", zones[z], m_hourly, windows[w].from, windows[w].to);
		}
	cross_check("30 2 * * SAT,SUN", "Europe/Berlin", m_2_30_weekend, U(2024, 3, 1, 0, 0), U(2024, 11, 30, 0, 0));
	cross_check("*/7 * * * *", "America/New_York", m_every7, U(2024, 11, 2, 20, 0), U(2024, 11, 3, 12, 0));
}

static void test_far_search_is_fast(void **state)
{
	(void)state;
	/* Five years of misses must be a field skip, not a minute scan: 200
	 * calls that each search 5 years would take minutes minute-by-minute. */
	ldp_cron *c = parse("0 0 30 2 *", "America/New_York");
	time_t out;
	clock_t t0 = clock();
	for (int i = 0; i < 200; i++)
		assert_int_equal(ldp_cron_next(c, U(2024, 1, 1, 0, 0) + i * 86400, &out), LDP_ENOTFOUND);
	ldp_cron_free(c);
	c = parse("59 23 31 12 *", "Europe/Berlin");
	assert_int_equal(ldp_cron_prev(c, U(2024, 12, 31, 22, 58), &out), 0);
	assert_int_equal(out, U(2023, 12, 31, 22, 59));
	ldp_cron_free(c);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 20.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_forms),     cmocka_unit_test(test_sunday_0_and_7),
		cmocka_unit_test(test_vixie_day_rule),  cmocka_unit_test(test_macros),
		cmocka_unit_test(test_leap_day_and_never), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_dst_new_york),    cmocka_unit_test(test_dst_berlin),
		cmocka_unit_test(test_tz_restored),     cmocka_unit_test(test_cross_check),
		cmocka_unit_test(test_far_search_is_fast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
