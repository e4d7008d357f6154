/* Time zones and dates of pipelines: see pipeline_internal.h and
 * ldp_pipeline_date_parse() in pipeline.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldp/error.h"
#include "pipeline/cron.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_internal.h"

int pl_tz_check(const char *tz)
{
	if (ldp_tz_is_utc(tz))
		return LDP_OK;
	/* cron.c owns the zone check (a name, never a path, whose file exists:
	 * glibc silently reads an unknown TZ as UTC) */
	ldp_cron *c;
	int rc = ldp_cron_parse("@daily", tz, &c);
	ldp_cron_free(c);
	return rc;
}

int pl_tz_local(const char *tz, time_t t, struct tm *tm)
{
	if (ldp_tz_is_utc(tz))
		return gmtime_r(&t, tm) ? LDP_OK : ldp_error_set(LDP_EINVALID, "time %lld out of range", (long long)t);
	char *saved = ldp_tz_enter(tz);
	struct tm *r = localtime_r(&t, tm);
	ldp_tz_leave(saved);
	return r ? LDP_OK : ldp_error_set(LDP_EINVALID, "time %lld out of range", (long long)t);
}

int pl_tz_mktime(const char *tz, struct tm *tm, time_t *out)
{
	time_t t;
	if (ldp_tz_is_utc(tz)) {
		tm->tm_isdst = 0;
		t = timegm(tm);
	} else {
		char *saved = ldp_tz_enter(tz);
		tm->tm_isdst = -1;
		t = mktime(tm);
		ldp_tz_leave(saved);
	}
	if (t == (time_t)-1 && tm->tm_year != 69)
		return ldp_error_set(LDP_EINVALID, "date out of range");
	*out = t;
	return LDP_OK;
}

int ldp_pipeline_format_time(time_t t, const char *tz, char *out) { return pl_format_iso(tz, t, out); }

int pl_format_iso(const char *tz, time_t t, char *out)
{
	struct tm tm;
	int rc = pl_tz_local(tz, t, &tm);
	if (rc)
		return rc;
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	char b[96];
	int n = snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600, off % 3600 / 60);
	if (n < 0 || n >= 32)
		return ldp_error_set(LDP_EINVALID, "time %lld out of range", (long long)t);
	memcpy(out, b, (size_t)n + 1);
	return LDP_OK;
}

int pl_add_days(const char *tz, time_t t, int n, time_t *out)
{
	struct tm tm;
	int rc = pl_tz_local(tz, t, &tm);
	if (rc)
		return rc;
	tm.tm_mday += n;
	return pl_tz_mktime(tz, &tm, out);
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

int ldp_pipeline_date_parse(const char *text, const char *tz, time_t *out)
{
	const char *p = text;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	int y, mo, d, h = 0, mi = 0, sec = 0, has_off = 0;
	long off = 0;
	int bad = digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d);
	if (!bad && (*p == 'T' || *p == ' ')) {
		p++;
		bad = digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi);
		if (!bad && *p == ':') {
			p++;
			bad = digits(&p, 2, &sec);
			if (!bad && *p == '.') /* fractions of a second: Airflow's ts never has them, ignore */
				while (isdigit((unsigned char)*++p))
					;
		}
		if (!bad && (*p == 'Z' || *p == 'z')) {
			has_off = 1;
			p++;
		} else if (!bad && (*p == '+' || *p == '-')) {
			int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
			bad = digits(&p, 2, &oh);
			if (!bad && *p == ':')
				p++;
			if (!bad && *p)
				bad = digits(&p, 2, &om);
			has_off = 1;
			off = sign * (oh * 3600L + om * 60L);
		}
	}
	if (bad || *p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return ldp_error_set(LDP_EINVALID,
				     "bad date '%s': use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] with an optional Z or +HH:MM",
				     text);
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return ldp_error_set(LDP_EINVALID, "bad date '%s': %04d-%02d has no day %d", text, y, mo, d);
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
	if (has_off) {
		*out = timegm(&tm) - off;
		return LDP_OK;
	}
	int rc = pl_tz_check(tz);
	return rc ? rc : pl_tz_mktime(tz, &tm, out);
}
