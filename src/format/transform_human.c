/*
 * Human strings of partition values and partition paths, written the way
 * Java Iceberg writes them (Transform.toHumanString, TransformUtil and
 * PartitionSpec.partitionToPath) so that a table's directory layout looks the
 * same whichever engine wrote it. Java's java.time and Double.toString
 * formats are reproduced here; see the notes at each function.
 */
#include "format/transform.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/value.h"
#include "ldp/error.h"

#define US_PER_DAY INT64_C(86400000000)
#define NS_PER_DAY (US_PER_DAY * 1000)

/* TransformUtil.humanDay/humanHour use String.format("%04d-%02d-%02d"). */
static void put_day(ldp_buf *b, int64_t days)
{
	int64_t y;
	unsigned m, d;
	ldp_civil_from_days(days, &y, &m, &d);
	ldp_buf_printf(b, "%04" PRId64 "-%02u-%02u", y, m, d);
}

/* java.time's year in LocalDate.toString: 4 digits at least, '+' above 9999. */
static void put_iso_date(ldp_buf *b, int64_t days)
{
	int64_t y;
	unsigned m, d;
	ldp_civil_from_days(days, &y, &m, &d);
	if (y > 9999)
		ldp_buf_printf(b, "+%" PRId64, y);
	else if (y < 0 && y > -1000)
		ldp_buf_printf(b, "-%04" PRId64, -y);
	else
		ldp_buf_printf(b, "%04" PRId64, y);
	ldp_buf_printf(b, "-%02u-%02u", m, d);
}

/* LocalTime.toString: HH:mm, then :ss only when seconds or a fraction are
 * non-zero, the fraction in groups of 3, 6 or 9 digits. */
static void put_iso_time(ldp_buf *b, int64_t ns_of_day)
{
	int64_t secs = ns_of_day / 1000000000, nano = ns_of_day % 1000000000;
	ldp_buf_printf(b, "%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60));
	if (secs % 60 || nano) {
		ldp_buf_printf(b, ":%02d", (int)(secs % 60));
		if (nano % 1000000 == 0 && nano)
			ldp_buf_printf(b, ".%03d", (int)(nano / 1000000));
		else if (nano % 1000 == 0 && nano)
			ldp_buf_printf(b, ".%06d", (int)(nano / 1000));
		else if (nano)
			ldp_buf_printf(b, ".%09d", (int)nano);
	}
}

/* LocalDateTime.toString (OffsetDateTime adds "Z" for UTC). */
static void put_iso_timestamp(ldp_buf *b, int64_t v, bool ns, bool utc)
{
	int64_t per_day = ns ? NS_PER_DAY : US_PER_DAY;
	int64_t days = ldp_floor_div(v, per_day), rem = ldp_floor_mod(v, per_day);
	put_iso_date(b, days);
	ldp_buf_putc(b, 'T');
	put_iso_time(b, ns ? rem : rem * 1000);
	if (utc)
		ldp_buf_putc(b, 'Z');
}

/* Java's Double.toString / Float.toString: shortest digits that read back,
 * plain notation for 1e-3 <= |x| < 1e7 ("100.0", "0.001"), else computerized
 * scientific ("1.0E7", "1.5E-4"). */
static void put_java_real(ldp_buf *b, double d, bool is_float)
{
	if (isnan(d)) {
		ldp_buf_puts(b, "NaN");
		return;
	}
	if (isinf(d)) {
		ldp_buf_puts(b, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (d == 0) {
		ldp_buf_puts(b, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	char tmp[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (is_float ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d)
			break;
	}
	/* tmp is [-]D[.DDD]e[+-]XX: collect the digits and the exponent */
	char digits[24];
	size_t nd = 0;
	const char *p = tmp;
	if (*p == '-') {
		ldp_buf_putc(b, '-');
		p++;
	}
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	int exp = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp >= -3 && exp < 7) {
		if (exp < 0) {
			ldp_buf_puts(b, "0.");
			ldp_buf_fill(b, '0', (size_t)(-exp - 1));
			ldp_buf_put(b, digits, nd);
		} else {
			size_t ip = (size_t)exp + 1;
			ldp_buf_put(b, digits, nd < ip ? nd : ip);
			if (nd < ip)
				ldp_buf_fill(b, '0', ip - nd);
			ldp_buf_putc(b, '.');
			if (nd > ip)
				ldp_buf_put(b, digits + ip, nd - ip);
			else
				ldp_buf_putc(b, '0');
		}
	} else {
		ldp_buf_putc(b, digits[0]);
		ldp_buf_putc(b, '.');
		if (nd > 1)
			ldp_buf_put(b, digits + 1, nd - 1);
		else
			ldp_buf_putc(b, '0');
		ldp_buf_printf(b, "E%d", exp);
	}
}

/* BigDecimal.toString for a non-negative scale: plain unless the adjusted
 * exponent is below -6, then scientific ("1E-7", "1.5E-8"). */
static void put_java_decimal(ldp_buf *b, __int128 v, int32_t scale)
{
	ldp_buf digits = LDP_BUF_INIT;
	ldp_decimal_to_text(&digits, v < 0 ? -v : v, 0);
	int64_t adjusted = -(int64_t)scale + (int64_t)digits.len - 1;
	if (scale >= 0 && adjusted >= -6) {
		ldp_decimal_to_text(b, v, scale);
	} else {
		if (v < 0)
			ldp_buf_putc(b, '-');
		ldp_buf_putc(b, digits.ptr[0]);
		if (digits.len > 1) {
			ldp_buf_putc(b, '.');
			ldp_buf_put(b, digits.ptr + 1, digits.len - 1);
		}
		ldp_buf_printf(b, "E%s%" PRId64, adjusted >= 0 ? "+" : "", adjusted);
	}
	ldp_buf_free(&digits);
}

static void put_base64(ldp_buf *b, const uint8_t *p, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		char q[4] = {tbl[w >> 18], tbl[(w >> 12) & 63], i + 1 < n ? tbl[(w >> 6) & 63] : '=',
			     i + 2 < n ? tbl[w & 63] : '='};
		ldp_buf_put(b, q, 4);
	}
}

/* Human string of a value of its own (source) type: identity and truncate. */
static int put_source_value(ldp_buf *b, const ldp_value *v)
{
	switch (v->type) {
	case LDP_T_BOOLEAN: ldp_buf_puts(b, v->v.b ? "true" : "false"); break;
	case LDP_T_INT: ldp_buf_printf(b, "%" PRId32, v->v.i32); break;
	case LDP_T_LONG: ldp_buf_printf(b, "%" PRId64, v->v.i64); break;
	case LDP_T_FLOAT: put_java_real(b, v->v.f32, true); break;
	case LDP_T_DOUBLE: put_java_real(b, v->v.f64, false); break;
	case LDP_T_DATE: put_day(b, v->v.i32); break;
	case LDP_T_TIME: put_iso_time(b, ldp_floor_mod(v->v.i64, US_PER_DAY) * 1000); break;
	case LDP_T_TIMESTAMP: put_iso_timestamp(b, v->v.i64, false, false); break;
	case LDP_T_TIMESTAMPTZ: put_iso_timestamp(b, v->v.i64, false, true); break;
	case LDP_T_TIMESTAMP_NS: put_iso_timestamp(b, v->v.i64, true, false); break;
	case LDP_T_TIMESTAMPTZ_NS: put_iso_timestamp(b, v->v.i64, true, true); break;
	case LDP_T_STRING: ldp_buf_put(b, (const char *)v->v.bytes.ptr, v->v.bytes.len); break;
	case LDP_T_UUID: {
		if (v->v.bytes.len != 16)
			return ldp_error_set(LDP_EINVALID, "a uuid value has %zu bytes instead of 16", v->v.bytes.len);
		for (int i = 0; i < 16; i++)
			ldp_buf_printf(b, "%s%02x", (i == 4 || i == 6 || i == 8 || i == 10) ? "-" : "", v->v.bytes.ptr[i]);
		break;
	}
	case LDP_T_FIXED:
	case LDP_T_BINARY: put_base64(b, v->v.bytes.ptr, v->v.bytes.len); break;
	default:
		return ldp_error_set(LDP_EUNSUPPORTED, "a %s value has no human string", ldp_value_type_name(v->type));
	}
	return LDP_OK;
}

int ldp_transform_human_string(const ldp_transform *tr, const ldp_type *source, const ldp_value *v, ldp_buf *out)
{
	int rc = LDP_OK;
	if (v->is_null) {
		ldp_buf_puts(out, "null");
		return ldp_buf_oom(out);
	}
	switch (tr->kind) {
	case LDP_TR_IDENTITY:
	case LDP_TR_TRUNCATE:
		if (v->type == LDP_T_DECIMAL)
			put_java_decimal(out, v->v.dec, source->scale);
		else
			rc = put_source_value(out, v);
		break;
	case LDP_TR_BUCKET: ldp_buf_printf(out, "%" PRId32, v->v.i32); break;
	case LDP_TR_YEAR: ldp_buf_printf(out, "%04" PRId64, (int64_t)v->v.i32 + 1970); break;
	case LDP_TR_MONTH:
		/* floored, so that month -1 is 1969-12 (older Java printed 1970-00) */
		ldp_buf_printf(out, "%04" PRId64 "-%02" PRId64, 1970 + ldp_floor_div(v->v.i32, 12),
			       1 + ldp_floor_mod(v->v.i32, 12));
		break;
	case LDP_TR_DAY: put_day(out, v->v.i32); break;
	case LDP_TR_HOUR:
		put_day(out, ldp_floor_div(v->v.i32, 24));
		ldp_buf_printf(out, "-%02" PRId64, ldp_floor_mod(v->v.i32, 24));
		break;
	case LDP_TR_VOID: ldp_buf_puts(out, "null"); break;
	default:
		return ldp_error_set(LDP_EUNSUPPORTED, "transform '%s' is not known to ldp",
				     tr->text ? tr->text : "unknown");
	}
	return rc ? rc : ldp_buf_oom(out);
}

/* java.net.URLEncoder with UTF-8: [a-zA-Z0-9.*_-] stay, space becomes '+',
 * every other byte %XX (upper-case hex). */
static void put_url_encoded(ldp_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '*' || c == '_') {
			ldp_buf_putc(b, (char)c);
		} else if (c == ' ') {
			ldp_buf_putc(b, '+');
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			ldp_buf_put(b, e, 3);
		}
	}
}

static const ldp_field *find_field(const ldp_type *st, int32_t id)
{
	for (size_t i = 0; i < st->nfields; i++) {
		const ldp_field *f = &st->fields[i];
		if (f->id == id)
			return f;
		if (f->type && f->type->id == LDP_T_STRUCT) {
			const ldp_field *g = find_field(f->type, id);
			if (g)
				return g;
		}
	}
	return NULL;
}

int ldp_partition_path(const ldp_partition_spec *spec, const ldp_schema *schema, const ldp_value *tuple,
		       ldp_buf *out)
{
	ldp_buf human = LDP_BUF_INIT;
	int rc = LDP_OK;
	for (size_t i = 0; i < spec->nfields && !rc; i++) {
		const ldp_partition_field *pf = &spec->fields[i];
		const ldp_field *src = find_field(&schema->root, pf->source_id);
		if (!src) {
			rc = ldp_error_set(LDP_EINVALID, "partition field '%s': source column id %" PRId32
					   " is not in schema %" PRId32,
					   pf->name, pf->source_id, schema->schema_id);
			break;
		}
		ldp_buf_clear(&human);
		rc = ldp_transform_human_string(&pf->transform, src->type, &tuple[i], &human);
		if (rc) {
			rc = ldp_error_wrap(rc, "partition field '%s'", pf->name);
			break;
		}
		if (i > 0)
			ldp_buf_putc(out, '/');
		put_url_encoded(out, pf->name, strlen(pf->name));
		ldp_buf_putc(out, '=');
		put_url_encoded(out, ldp_buf_cstr(&human), human.len);
	}
	ldp_buf_free(&human);
	return rc ? rc : ldp_buf_oom(out);
}
