/*
 * Values as DuckDB text: parsing DuckDB's VARCHAR rendering (Parquet
 * statistics come back that way from ldp_engine_parquet_stats) and writing
 * DuckDB SQL literals (pushed-down predicates, partition filters).
 */
#include "format/value.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"

#define US_PER_DAY INT64_C(86400000000)

/* ---- scanning helpers: each advances *s on success ---- */

static int scan_uint(const char **s, int min_digits, int max_digits, int64_t *out)
{
	const char *p = *s;
	int64_t v = 0;
	int n = 0;
	while (isdigit((unsigned char)*p) && n < max_digits) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n < min_digits)
		return -1;
	*s = p;
	*out = v;
	return 0;
}

static int scan_char(const char **s, char c)
{
	if (**s != c)
		return -1;
	(*s)++;
	return 0;
}

/* "YYYY-MM-DD" with an optional " (BC)" (DuckDB's era marker; year N BC is
 * astronomical year 1 - N). */
static int scan_date(const char **s, int64_t *days)
{
	int64_t y, m, d;
	int neg = **s == '-';
	if (neg)
		(*s)++;
	if (scan_uint(s, 1, 9, &y) || scan_char(s, '-') || scan_uint(s, 1, 2, &m) || scan_char(s, '-') ||
	    scan_uint(s, 1, 2, &d))
		return -1;
	if (neg)
		y = -y;
	if (strncmp(*s, " (BC)", 5) == 0) {
		*s += 5;
		y = 1 - y;
	}
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	int64_t dd = ldp_days_from_civil(y, (unsigned)m, (unsigned)d);
	int64_t cy;
	unsigned cm, cd;
	ldp_civil_from_days(dd, &cy, &cm, &cd);
	if (cm != m || cd != d) /* 2023-02-30 */
		return -1;
	*days = dd;
	return 0;
}

/* "HH:MM:SS[.fffffffff]" as nanoseconds from midnight. */
static int scan_time_ns(const char **s, int64_t *ns)
{
	int64_t h, m, sec = 0, frac = 0;
	if (scan_uint(s, 1, 2, &h) || scan_char(s, ':') || scan_uint(s, 2, 2, &m))
		return -1;
	if (**s == ':' && (scan_char(s, ':') || scan_uint(s, 2, 2, &sec)))
		return -1;
	if (**s == '.') {
		(*s)++;
		int n = 0;
		while (isdigit((unsigned char)**s)) {
			if (n < 9) {
				frac = frac * 10 + (**s - '0');
				n++;
			} else if (**s != '0') {
				return -1; /* finer than a nanosecond */
			}
			(*s)++;
		}
		if (n == 0)
			return -1;
		for (; n < 9; n++)
			frac *= 10;
	}
	if (h > 24 || m > 59 || sec > 60 || (h == 24 && (m || sec || frac)))
		return -1;
	*ns = ((h * 60 + m) * 60 + sec) * INT64_C(1000000000) + frac;
	return 0;
}

/* "+HH", "+HH:MM", "+HH:MM:SS", "-...", "Z" as seconds east of UTC. */
static int scan_offset(const char **s, int64_t *secs)
{
	*secs = 0;
	if (**s == 'Z') {
		(*s)++;
		return 0;
	}
	if (**s != '+' && **s != '-')
		return 0; /* no offset: UTC */
	int neg = **s == '-';
	(*s)++;
	int64_t h, m = 0, sec = 0;
	if (scan_uint(s, 2, 2, &h))
		return -1;
	if (**s == ':' && (scan_char(s, ':') || scan_uint(s, 2, 2, &m)))
		return -1;
	if (**s == ':' && (scan_char(s, ':') || scan_uint(s, 2, 2, &sec)))
		return -1;
	*secs = (h * 3600 + m * 60 + sec) * (neg ? -1 : 1);
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_uuid(const char *s, uint8_t out[16])
{
	int n = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '-')
			continue;
		int hi = hexval((unsigned char)p[0]), lo = hi < 0 ? -1 : hexval((unsigned char)p[1]);
		if (hi < 0 || lo < 0 || n == 16)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		p++;
	}
	return n == 16 ? 0 : -1;
}

/* Decimal text to the unscaled value at `scale`; "-12.5" at scale 2 -> -1250. */
static int parse_decimal(const char *s, int32_t precision, int32_t scale, __int128 *out)
{
	int neg = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	unsigned __int128 u = 0;
	int digits = 0, frac = 0, any = 0;
	for (; isdigit((unsigned char)*s); s++, any = 1) {
		if (u || *s != '0')
			digits++;
		u = u * 10 + (unsigned)(*s - '0');
		if (digits > 38)
			return -1;
	}
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, any = 1) {
			if (frac == scale) {
				if (*s != '0')
					return -1; /* more fractional digits than the type holds */
				continue;
			}
			u = u * 10 + (unsigned)(*s - '0');
			frac++;
			if (u)
				digits++;
		}
	}
	if (!any || *s)
		return -1;
	for (; frac < scale; frac++)
		u *= 10;
	unsigned __int128 limit = 1;
	for (int i = 0; i < precision && i < 38; i++)
		limit *= 10;
	if (precision > 0 && u >= limit)
		return -1;
	*out = neg ? -(__int128)u : (__int128)u;
	return 0;
}

static int bad_text(const ldp_type *t, const char *text)
{
	return ldp_error_set(LDP_EINVALID, "cannot read '%s' as an Iceberg %s value", text,
			     ldp_value_type_name(t->id));
}

static int copy_bytes(ldp_arena *a, const void *p, size_t n, ldp_value *out)
{
	uint8_t *c = ldp_arena_alloc(a, n ? n : 1);
	if (!c)
		return LDP_ENOMEM;
	if (n)
		memcpy(c, p, n);
	out->v.bytes.ptr = c;
	out->v.bytes.len = n;
	return LDP_OK;
}

int ldp_value_parse_duckdb(const ldp_type *t, const char *text, ldp_arena *a, ldp_value *out)
{
	*out = ldp_value_null(t->id);
	if (!text)
		return LDP_OK;
	out->is_null = false;
	const char *s = text;
	char *end;
	switch (t->id) {
	case LDP_T_BOOLEAN:
		if (!strcmp(s, "true") || !strcmp(s, "1"))
			out->v.b = true;
		else if (!strcmp(s, "false") || !strcmp(s, "0"))
			out->v.b = false;
		else
			return bad_text(t, text);
		return LDP_OK;
	case LDP_T_INT:
	case LDP_T_LONG: {
		errno = 0;
		long long v = strtoll(s, &end, 10);
		if (errno || end == s || *end || (t->id == LDP_T_INT && (v < INT32_MIN || v > INT32_MAX)))
			return bad_text(t, text);
		if (t->id == LDP_T_INT)
			out->v.i32 = (int32_t)v;
		else
			out->v.i64 = v;
		return LDP_OK;
	}
	case LDP_T_FLOAT:
	case LDP_T_DOUBLE: {
		/* strtod reads DuckDB's "inf", "-inf" and "nan" too */
		double d = strtod(s, &end);
		if (end == s || *end)
			return bad_text(t, text);
		if (t->id == LDP_T_FLOAT)
			out->v.f32 = strtof(s, NULL); /* rounding once, not via double */
		else
			out->v.f64 = d;
		return LDP_OK;
	}
	case LDP_T_DECIMAL:
		if (parse_decimal(s, t->precision, t->scale, &out->v.dec))
			return bad_text(t, text);
		return LDP_OK;
	case LDP_T_DATE: {
		int64_t days;
		if (scan_date(&s, &days) || *s || days < INT32_MIN || days > INT32_MAX)
			return bad_text(t, text);
		out->v.i32 = (int32_t)days;
		return LDP_OK;
	}
	case LDP_T_TIME: {
		int64_t ns;
		if (scan_time_ns(&s, &ns) || *s)
			return bad_text(t, text);
		out->v.i64 = ns / 1000;
		return LDP_OK;
	}
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ:
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS: {
		int64_t days, ns, off = 0;
		if (scan_date(&s, &days) || (*s != ' ' && *s != 'T'))
			return bad_text(t, text);
		s++;
		if (scan_time_ns(&s, &ns))
			return bad_text(t, text);
		if ((t->id == LDP_T_TIMESTAMPTZ || t->id == LDP_T_TIMESTAMPTZ_NS) && scan_offset(&s, &off))
			return bad_text(t, text);
		if (*s)
			return bad_text(t, text);
		int64_t secs = days * 86400 - off;
		if (t->id == LDP_T_TIMESTAMP_NS || t->id == LDP_T_TIMESTAMPTZ_NS) {
			if (secs > INT64_MAX / INT64_C(1000000000) - 1 || secs < INT64_MIN / INT64_C(1000000000) + 1)
				return bad_text(t, text);
			out->v.i64 = secs * INT64_C(1000000000) + ns;
		} else {
			if (ns % 1000)
				return bad_text(t, text);
			out->v.i64 = secs * INT64_C(1000000) + ns / 1000;
		}
		return LDP_OK;
	}
	case LDP_T_STRING: return copy_bytes(a, s, strlen(s), out);
	case LDP_T_UUID: {
		uint8_t u[16];
		if (parse_uuid(s, u))
			return bad_text(t, text);
		return copy_bytes(a, u, 16, out);
	}
	case LDP_T_FIXED:
	case LDP_T_BINARY: {
		size_t n = 0, len = strlen(s);
		uint8_t *b = ldp_arena_alloc(a, len ? len : 1);
		if (!b)
			return LDP_ENOMEM;
		for (size_t i = 0; i < len; i++) {
			if (s[i] == '\\' && s[i + 1] == 'x' && hexval((unsigned char)s[i + 2]) >= 0 &&
			    hexval((unsigned char)s[i + 3]) >= 0) {
				b[n++] = (uint8_t)(hexval((unsigned char)s[i + 2]) << 4 | hexval((unsigned char)s[i + 3]));
				i += 3;
			} else {
				b[n++] = (uint8_t)s[i];
			}
		}
		if (t->id == LDP_T_FIXED && t->length > 0 && n != (size_t)t->length)
			return bad_text(t, text);
		out->v.bytes.ptr = b;
		out->v.bytes.len = n;
		return LDP_OK;
	}
	default: return ldp_error_set(LDP_EUNSUPPORTED, "cannot read '%s' as a %s value", text, ldp_value_type_name(t->id));
	}
}

/* ---- SQL literals ---- */

static void put_date_text(ldp_buf *b, int64_t days)
{
	int64_t y;
	unsigned m, d;
	ldp_civil_from_days(days, &y, &m, &d);
	if (y <= 0)
		ldp_buf_printf(b, "%04" PRId64 "-%02u-%02u (BC)", 1 - y, m, d);
	else
		ldp_buf_printf(b, "%04" PRId64 "-%02u-%02u", y, m, d);
}

/* Time of day from nanoseconds, fraction without trailing zeros. */
static void put_time_text(ldp_buf *b, int64_t ns)
{
	int64_t secs = ns / 1000000000, frac = ns % 1000000000;
	ldp_buf_printf(b, "%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	if (frac) {
		char f[16];
		snprintf(f, sizeof f, "%09" PRId64, frac);
		size_t n = 9;
		while (f[n - 1] == '0')
			n--;
		ldp_buf_putc(b, '.');
		ldp_buf_put(b, f, n);
	}
}

static void put_timestamp_text(ldp_buf *b, int64_t v, int64_t per_sec)
{
	int64_t per_day = per_sec * 86400;
	int64_t days = ldp_floor_div(v, per_day), rem = ldp_floor_mod(v, per_day);
	put_date_text(b, days);
	ldp_buf_putc(b, ' ');
	put_time_text(b, rem * (1000000000 / per_sec));
}

static void put_i128(ldp_buf *b, __int128 v)
{
	char tmp[48];
	int i = (int)sizeof tmp;
	tmp[--i] = '\0';
	unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
	do {
		tmp[--i] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	ldp_buf_puts(b, tmp + i);
}

void ldp_decimal_to_text(ldp_buf *b, __int128 v, int32_t scale)
{
	if (scale <= 0) {
		put_i128(b, v);
		for (int i = 0; i < -scale; i++)
			ldp_buf_putc(b, '0');
		return;
	}
	ldp_buf tmp = LDP_BUF_INIT;
	unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
	put_i128(&tmp, (__int128)u);
	const char *d = ldp_buf_cstr(&tmp);
	size_t n = tmp.len;
	if (v < 0)
		ldp_buf_putc(b, '-');
	if (n <= (size_t)scale) {
		ldp_buf_puts(b, "0.");
		ldp_buf_fill(b, '0', (size_t)scale - n);
		ldp_buf_put(b, d, n);
	} else {
		ldp_buf_put(b, d, n - (size_t)scale);
		ldp_buf_putc(b, '.');
		ldp_buf_put(b, d + n - (size_t)scale, (size_t)scale);
	}
	ldp_buf_free(&tmp);
}

/* Shortest round-tripping text of a double or float, with DuckDB's names for
 * the special values. */
static void put_real(ldp_buf *b, double d, int is_float)
{
	if (isnan(d)) {
		ldp_buf_puts(b, "nan");
		return;
	}
	if (isinf(d)) {
		ldp_buf_puts(b, d > 0 ? "inf" : "-inf");
		return;
	}
	char tmp[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (is_float ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d)
			break;
	}
	ldp_buf_puts(b, tmp);
}

static void put_string_lit(ldp_buf *b, const uint8_t *p, size_t n)
{
	ldp_buf_putc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\'')
			ldp_buf_putc(b, '\'');
		ldp_buf_putc(b, (char)p[i]);
	}
	ldp_buf_putc(b, '\'');
}

int ldp_value_to_sql(const ldp_value *v, const ldp_type *t, ldp_buf *out)
{
	if (v->is_null) {
		ldp_buf_puts(out, "NULL");
		return ldp_buf_oom(out);
	}
	switch (t->id) {
	case LDP_T_BOOLEAN: ldp_buf_puts(out, v->v.b ? "true" : "false"); break;
	case LDP_T_INT: ldp_buf_printf(out, "CAST(%" PRId32 " AS INTEGER)", v->v.i32); break;
	case LDP_T_LONG: ldp_buf_printf(out, "CAST(%" PRId64 " AS BIGINT)", v->v.i64); break;
	case LDP_T_FLOAT:
	case LDP_T_DOUBLE:
		ldp_buf_puts(out, "CAST('");
		put_real(out, t->id == LDP_T_FLOAT ? (double)v->v.f32 : v->v.f64, t->id == LDP_T_FLOAT);
		ldp_buf_puts(out, t->id == LDP_T_FLOAT ? "' AS FLOAT)" : "' AS DOUBLE)");
		break;
	case LDP_T_DECIMAL:
		ldp_buf_puts(out, "CAST('");
		ldp_decimal_to_text(out, v->v.dec, t->scale);
		ldp_buf_printf(out, "' AS DECIMAL(%d,%d))", t->precision, t->scale);
		break;
	case LDP_T_DATE:
		ldp_buf_puts(out, "DATE '");
		put_date_text(out, v->v.i32);
		ldp_buf_putc(out, '\'');
		break;
	case LDP_T_TIME:
		ldp_buf_puts(out, "TIME '");
		put_time_text(out, ldp_floor_mod(v->v.i64, US_PER_DAY) * 1000);
		ldp_buf_putc(out, '\'');
		break;
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ:
		ldp_buf_puts(out, t->id == LDP_T_TIMESTAMP ? "TIMESTAMP '" : "TIMESTAMPTZ '");
		put_timestamp_text(out, v->v.i64, 1000000);
		ldp_buf_puts(out, t->id == LDP_T_TIMESTAMP ? "'" : "+00'");
		break;
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS:
		ldp_buf_puts(out, "TIMESTAMP_NS '");
		put_timestamp_text(out, v->v.i64, 1000000000);
		ldp_buf_putc(out, '\'');
		break;
	case LDP_T_STRING:
		put_string_lit(out, v->v.bytes.ptr, v->v.bytes.len);
		break;
	case LDP_T_UUID: {
		const uint8_t *u = v->v.bytes.ptr;
		if (v->v.bytes.len != 16)
			return ldp_error_set(LDP_EINVALID, "a uuid value has %zu bytes instead of 16", v->v.bytes.len);
		ldp_buf_puts(out, "CAST('");
		for (int i = 0; i < 16; i++)
			ldp_buf_printf(out, "%s%02x", (i == 4 || i == 6 || i == 8 || i == 10) ? "-" : "", u[i]);
		ldp_buf_puts(out, "' AS UUID)");
		break;
	}
	case LDP_T_FIXED:
	case LDP_T_BINARY:
		/* every byte escaped: quotes and backslashes need no special case */
		ldp_buf_puts(out, "CAST('");
		for (size_t i = 0; i < v->v.bytes.len; i++)
			ldp_buf_printf(out, "\\x%02X", v->v.bytes.ptr[i]);
		ldp_buf_puts(out, "' AS BLOB)");
		break;
	default:
		return ldp_error_set(LDP_EUNSUPPORTED, "a %s value has no SQL literal form", ldp_value_type_name(t->id));
	}
	return ldp_buf_oom(out);
}
