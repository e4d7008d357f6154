/*
 * pipeline/cron.c - cron expressions evaluated in an IANA time zone.
 *
 * Search works on wall-clock fields (year, month, day, hour, minute) and skips
 * by field: a month not in the set jumps to the next month that is, a day not
 * matching jumps a day, and so on, so even "0 0 29 2 *" costs a few hundred
 * steps over years, never a minute-by-minute scan.
 *
 * Each matching wall time W maps to at most one instant: the earliest UTC
 * instant whose local time is W (in a repeated hour: the first occurrence),
 * or none when W falls in a DST gap (skipped), as cron.h documents. That
 * mapping is monotone in W for real zones (a gap and an overlap never touch),
 * which is what lets next/prev walk wall times in order.
 *
 * Time zones go through the C library's TZ database (setenv("TZ") + tzset +
 * localtime_r under a mutex, the previous TZ restored afterwards) rather than
 * our own TZif reader: glibc already implements TZif v1-v3 and the POSIX
 * footer rules that slim zoneinfo files rely on for future dates, and a second
 * implementation would be a second source of DST bugs. The cost: while a
 * zoned computation runs, another thread calling localtime() would see the
 * schedule's zone; ldp's own code only converts zones through this file and
 * the callers (config loading, the scheduler) are single-threaded. UTC never
 * touches TZ (gmtime_r).
 */
#include "pipeline/cron.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ldp/error.h"

#define SEARCH_YEARS 5
/* The longest repeated stretch of wall time at a DST end we allow for when
 * searching backwards (real zones: 30 min to 2 h). */
#define MAX_OVERLAP_MIN 180

struct ldp_cron {
	uint64_t minute;    /* bits 0-59 */
	uint32_t hour;      /* bits 0-23 */
	uint32_t dom;       /* bits 1-31 */
	uint16_t month;     /* bits 1-12 */
	uint8_t dow;        /* bits 0-6, Sunday 0 */
	int dom_star, dow_star; /* field began with '*': Vixie's AND/OR rule */
	int utc;
	char *tz;
};

typedef struct field_def {
	const char *name;
	int min, max;
	const char *const *names; /* names[i] is value min + i; NULL: numbers only */
} field_def;

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
					  "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
static const char *const dow_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};

static const field_def fields[5] = {
	{"minute", 0, 59, NULL},
	{"hour", 0, 23, NULL},
	{"day-of-month", 1, 31, NULL},
	{"month", 1, 12, month_names},
	/* 7 is accepted as Sunday and folded to 0 after parsing */
	{"day-of-week", 0, 7, dow_names},
};

static const struct {
	const char *name, *expr;
} macros[] = {
	{"@yearly", "0 0 1 1 *"},  {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
	{"@weekly", "0 0 * * 0"},  {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
	{"@hourly", "0 * * * *"},
};

/* ---- parsing ---- */

static int field_err(const field_def *f, const char *text, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int field_err(const field_def *f, const char *text, const char *fmt, ...)
{
	char why[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return ldp_error_set(LDP_EINVALID, "%s field '%s': %s", f->name, text, why);
}

/* One value: a number or (month, day-of-week) a three-letter name. */
static int parse_value(const field_def *f, const char *text, const char **p, int *out)
{
	const char *s = *p;
	if (isdigit((unsigned char)*s)) {
		long v = 0;
		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (*s - '0');
			if (v > 1000)
				break;
			s++;
		}
		if (isdigit((unsigned char)*s) || v < f->min || v > f->max)
			return field_err(f, text, "%.*s is out of range %d-%d", (int)(strspn(*p, "0123456789")), *p,
					 f->min, f->max);
		*out = (int)v;
		*p = s;
		return 0;
	}
	if (isalpha((unsigned char)*s)) {
		size_t n = 0;
		while (isalpha((unsigned char)s[n]))
			n++;
		if (f->names && n == 3)
			for (int i = 0; f->names[i]; i++)
				if (strncasecmp(s, f->names[i], 3) == 0) {
					*out = f->min + i;
					*p = s + 3;
					return 0;
				}
		if (f->names)
			return field_err(f, text, "unknown name '%.*s' (use %s-%s or numbers)", (int)n, s,
					 f->names[0], f == &fields[3] ? "DEC" : "SAT");
		return field_err(f, text, "'%.*s' is not a number", (int)n, s);
	}
	if (!*s)
		return field_err(f, text, "a value is missing");
	return field_err(f, text, "unexpected '%c'", *s);
}

static int parse_field(const field_def *f, const char *text, uint64_t *bits)
{
	*bits = 0;
	const char *p = text;
	for (;;) {
		int lo, hi, step = 1, star = 0;
		if (*p == '*') {
			star = 1;
			lo = f->min;
			hi = f->max;
			p++;
		} else {
			int rc = parse_value(f, text, &p, &lo);
			if (rc)
				return rc;
			hi = lo;
			if (*p == '-') {
				p++;
				if ((rc = parse_value(f, text, &p, &hi)))
					return rc;
				if (hi < lo)
					return field_err(f, text, "range %d-%d goes backwards (write %d-%d)", lo, hi,
							 hi, lo);
			}
		}
		if (*p == '/') {
			p++;
			if (!isdigit((unsigned char)*p))
				return field_err(f, text, "a step needs a number after '/'");
			long v = 0;
			while (isdigit((unsigned char)*p) && v <= 1000)
				v = v * 10 + (*p++ - '0');
			if (v < 1 || v > f->max - f->min + 1 || isdigit((unsigned char)*p))
				return field_err(f, text, "step %ld is out of range 1-%d", v, f->max - f->min + 1);
			step = (int)v;
			/* "a/n" means a, a+n, ... up to the field's maximum */
			if (!star && hi == lo)
				hi = f->max;
		}
		for (int v = lo; v <= hi; v += step)
			*bits |= (uint64_t)1 << v;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p)
			return field_err(f, text, "unexpected '%c'", *p);
		return 0;
	}
}

/* A zone the C library can load: "UTC" or a file under the zoneinfo dir.
 * glibc silently treats an unknown TZ as UTC, so we must check ourselves. */
static int zone_exists(const char *tz)
{
	if (!*tz || tz[0] == '/' || strstr(tz, "..") || strlen(tz) > 200)
		return 0;
	for (const char *c = tz; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("/_-+", *c))
			return 0;
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int ldp_tz_is_utc(const char *tz)
{
	return !tz || strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0 || strcmp(tz, "Z") == 0;
}

int ldp_cron_parse(const char *expr, const char *tz, ldp_cron **out)
{
	*out = NULL;
	if (!expr)
		return ldp_error_set(LDP_EINVALID, "cron expression is missing");
	while (isspace((unsigned char)*expr))
		expr++;
	const char *text = expr;
	if (*expr == '@') {
		size_t n = strcspn(expr, " \t\r\n");
		text = NULL;
		for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++)
			if (strlen(macros[i].name) == n && strncasecmp(expr, macros[i].name, n) == 0)
				text = macros[i].expr;
		if (!text || expr[n + strspn(expr + n, " \t\r\n")])
			return ldp_error_set(LDP_EINVALID,
					     "cron expression '%s': unknown macro (use @hourly, @daily, @midnight, "
					     "@weekly, @monthly, @yearly or @annually, or five fields)",
					     expr);
	}
	if (!ldp_tz_is_utc(tz) && !zone_exists(tz))
		return ldp_error_set(LDP_EINVALID,
				     "unknown time zone '%s' (use an IANA name such as Europe/Berlin or UTC)", tz);

	char buf[256];
	if (strlen(text) >= sizeof buf)
		return ldp_error_set(LDP_EINVALID, "cron expression '%.40s...' is too long", text);
	strcpy(buf, text);
	char *part[6];
	int n = 0;
	for (char *save, *tok = strtok_r(buf, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n < 6)
			part[n] = tok;
		n++;
	}
	if (n != 5)
		return ldp_error_set(LDP_EINVALID,
				     "cron expression '%s': expected 5 fields (minute hour day-of-month month "
				     "day-of-week), got %d",
				     text, n);

	ldp_cron *c = calloc(1, sizeof *c);
	if (!c)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	uint64_t bits[5];
	for (int i = 0; i < 5; i++) {
		int rc = parse_field(&fields[i], part[i], &bits[i]);
		if (rc) {
			free(c);
			return ldp_error_wrap(rc, "cron expression '%s'", text);
		}
	}
	c->minute = bits[0];
	c->hour = (uint32_t)bits[1];
	c->dom = (uint32_t)bits[2];
	c->month = (uint16_t)bits[3];
	c->dow = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f);
	c->dom_star = part[2][0] == '*';
	c->dow_star = part[4][0] == '*';
	c->utc = ldp_tz_is_utc(tz);
	c->tz = strdup(c->utc ? "UTC" : tz);
	if (!c->tz) {
		free(c);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	*out = c;
	return 0;
}

void ldp_cron_free(ldp_cron *c)
{
	if (!c)
		return;
	free(c->tz);
	free(c);
}

/* ---- the zone ---- */

static pthread_mutex_t tz_mutex = PTHREAD_MUTEX_INITIALIZER;

char *ldp_tz_enter(const char *tz)
{
	pthread_mutex_lock(&tz_mutex);
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
	return saved;
}

void ldp_tz_leave(char *saved)
{
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	pthread_mutex_unlock(&tz_mutex);
}

typedef struct zone {
	int utc;
	char *saved; /* from ldp_tz_enter */
} zone;

static void zone_enter(zone *z, const ldp_cron *c)
{
	z->utc = c->utc;
	z->saved = z->utc ? NULL : ldp_tz_enter(c->tz);
}

static void zone_leave(zone *z)
{
	if (!z->utc)
		ldp_tz_leave(z->saved);
}

static void to_local(const zone *z, time_t t, struct tm *tm)
{
	if (z->utc)
		gmtime_r(&t, tm);
	else
		localtime_r(&t, tm);
}

typedef struct wall {
	int y, mo, d, h, mi; /* mo 1-12, d 1-31 */
} wall;

static time_t wall_naive(const wall *w)
{
	struct tm tm = {0};
	tm.tm_year = w->y - 1900;
	tm.tm_mon = w->mo - 1;
	tm.tm_mday = w->d;
	tm.tm_hour = w->h;
	tm.tm_min = w->mi;
	return timegm(&tm);
}

/* The earliest instant whose local time is `w`; 0 when `w` is in a gap.
 * The true instant is naive - offset with |offset| <= 14 h, so the offsets in
 * force a day either side of the naive instant cover it unless two
 * transitions fall within two days (no zone does that). */
static int wall_first(const zone *z, const wall *w, time_t *out)
{
	time_t naive = wall_naive(w);
	if (z->utc) {
		*out = naive;
		return 1;
	}
	long offs[3];
	const time_t probe[3] = {naive - 86400, naive, naive + 86400};
	for (int i = 0; i < 3; i++) {
		struct tm tm;
		to_local(z, probe[i], &tm);
		offs[i] = tm.tm_gmtoff;
	}
	int found = 0;
	for (int i = 0; i < 3; i++) {
		time_t u = naive - offs[i];
		struct tm tm;
		to_local(z, u, &tm);
		if (tm.tm_year + 1900 == w->y && tm.tm_mon + 1 == w->mo && tm.tm_mday == w->d && tm.tm_hour == w->h &&
		    tm.tm_min == w->mi && tm.tm_sec == 0 && (!found || u < *out)) {
			*out = u;
			found = 1;
		}
	}
	return found;
}

/* ---- matching ---- */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int mo)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return mo == 2 && is_leap(y) ? 29 : dim[mo - 1];
}

/* 0 = Sunday (Sakamoto's method). */
static int weekday(int y, int mo, int d)
{
	static const int t[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	if (mo < 3)
		y--;
	return (y + y / 4 - y / 100 + y / 400 + t[mo - 1] + d) % 7;
}

/* Vixie cron: when either day field starts with '*' both must match (the
 * starred one always does); when both are restricted, either may. */
static int day_matches(const ldp_cron *c, int y, int mo, int d)
{
	int dm = (c->dom >> d) & 1;
	int wm = (c->dow >> weekday(y, mo, d)) & 1;
	if (c->dom_star || c->dow_star)
		return dm && wm;
	return dm || wm;
}

/* Smallest set bit >= from (bits below 64), or -1. */
static int next_bit(uint64_t bits, int from, int max)
{
	for (int v = from; v <= max; v++)
		if ((bits >> v) & 1)
			return v;
	return -1;
}

static int prev_bit(uint64_t bits, int from, int min)
{
	for (int v = from; v >= min; v--)
		if ((bits >> v) & 1)
			return v;
	return -1;
}

static void wall_from_tm(const struct tm *tm, wall *w)
{
	*w = (wall){tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min};
}

static void wall_of(const zone *z, time_t t, wall *w)
{
	struct tm tm;
	to_local(z, t, &tm);
	wall_from_tm(&tm, w);
}

/* Normalise a wall time after adding to or subtracting from one field. */
static void wall_fix(wall *w)
{
	time_t n = wall_naive(w);
	struct tm tm;
	gmtime_r(&n, &tm);
	wall_from_tm(&tm, w);
}

int ldp_cron_next(const ldp_cron *c, time_t t, time_t *out)
{
	zone z;
	zone_enter(&z, c);
	wall w;
	/* Candidates start at the minute after t's local time: an earlier wall
	 * time's first occurrence is never after t (monotone mapping). */
	wall_of(&z, t, &w);
	w.mi++;
	wall_fix(&w);
	int limit = w.y + SEARCH_YEARS;
	int found = 0;
	while (w.y <= limit) {
		int v = next_bit(c->month, w.mo, 12);
		if (v < 0) {
			w = (wall){w.y + 1, 1, 1, 0, 0};
			continue;
		}
		if (v != w.mo) {
			w = (wall){w.y, v, 1, 0, 0};
			continue;
		}
		if (w.d > days_in_month(w.y, w.mo) || !day_matches(c, w.y, w.mo, w.d)) {
			w.d++, w.h = 0, w.mi = 0;
			if (w.d > days_in_month(w.y, w.mo))
				w.d = 1, w.mo++;
			if (w.mo > 12)
				w.mo = 1, w.y++;
			continue;
		}
		if ((v = next_bit(c->hour, w.h, 23)) < 0) {
			w.h = 24, w.mi = 0;
			wall_fix(&w);
			continue;
		}
		if (v != w.h)
			w.h = v, w.mi = 0;
		if ((v = next_bit(c->minute, w.mi, 59)) < 0) {
			w.mi = 60;
			wall_fix(&w);
			continue;
		}
		w.mi = v;
		time_t u;
		if (wall_first(&z, &w, &u) && u > t) {
			*out = u;
			found = 1;
			break;
		}
		w.mi++;
		wall_fix(&w);
	}
	zone_leave(&z);
	if (!found)
		return ldp_error_set(LDP_ENOTFOUND, "the schedule never fires in the %d years after that time",
				     SEARCH_YEARS);
	return 0;
}

int ldp_cron_prev(const ldp_cron *c, time_t t, time_t *out)
{
	zone z;
	zone_enter(&z, c);
	wall w;
	/* In a repeated hour a wall time later than t's may have its first
	 * occurrence before t, so start a little ahead and walk back. */
	wall_of(&z, t, &w);
	w.mi += MAX_OVERLAP_MIN;
	wall_fix(&w);
	int limit = w.y - SEARCH_YEARS;
	int found = 0;
	while (w.y >= limit) {
		int v = prev_bit(c->month, w.mo, 1);
		if (v < 0) {
			w = (wall){w.y - 1, 12, 31, 23, 59};
			continue;
		}
		if (v != w.mo) {
			w = (wall){w.y, v, days_in_month(w.y, v), 23, 59};
			continue;
		}
		if (!day_matches(c, w.y, w.mo, w.d)) {
			w.d--, w.h = 23, w.mi = 59;
			if (w.d < 1) {
				if (--w.mo < 1)
					w.mo = 12, w.y--;
				w.d = days_in_month(w.y, w.mo);
			}
			continue;
		}
		if ((v = prev_bit(c->hour, w.h, 0)) < 0) {
			w.h = -1, w.mi = 59;
			wall_fix(&w);
			continue;
		}
		if (v != w.h)
			w.h = v, w.mi = 59;
		if ((v = prev_bit(c->minute, w.mi, 0)) < 0) {
			w.mi = -1;
			wall_fix(&w);
			continue;
		}
		w.mi = v;
		time_t u;
		if (wall_first(&z, &w, &u) && u <= t) {
			*out = u;
			found = 1;
			break;
		}
		w.mi--;
		wall_fix(&w);
	}
	zone_leave(&z);
	if (!found)
		return ldp_error_set(LDP_ENOTFOUND, "the schedule never fired in the %d years before that time",
				     SEARCH_YEARS);
	return 0;
}
