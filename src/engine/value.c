/*
 * Rendering DuckDB vectors as text or JSON, and naming DuckDB types.
 *
 * The C API hands out raw vectors; ldp renders them itself so that results
 * stream chunk by chunk (no materialised duckdb_value_varchar) and so that the
 * JSON output carries real JSON types (numbers, nested arrays and objects).
 * The text style follows DuckDB's own rendering.
 */
#include "engine/engine_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/json.h"

static const char *simple_type_name(duckdb_type id)
{
	switch (id) {
	case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
	case DUCKDB_TYPE_TINYINT: return "TINYINT";
	case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
	case DUCKDB_TYPE_INTEGER: return "INTEGER";
	case DUCKDB_TYPE_BIGINT: return "BIGINT";
	case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
	case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
	case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
	case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
	case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
	case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
	case DUCKDB_TYPE_FLOAT: return "FLOAT";
	case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
	case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
	case DUCKDB_TYPE_BLOB: return "BLOB";
	case DUCKDB_TYPE_DATE: return "DATE";
	case DUCKDB_TYPE_TIME: return "TIME";
	case DUCKDB_TYPE_TIME_TZ: return "TIME WITH TIME ZONE";
	case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
	case DUCKDB_TYPE_TIMESTAMP_S: return "TIMESTAMP_S";
	case DUCKDB_TYPE_TIMESTAMP_MS: return "TIMESTAMP_MS";
	case DUCKDB_TYPE_TIMESTAMP_NS: return "TIMESTAMP_NS";
	case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
	case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
	case DUCKDB_TYPE_UUID: return "UUID";
	case DUCKDB_TYPE_BIT: return "BIT";
	case DUCKDB_TYPE_ENUM: return "ENUM";
	case DUCKDB_TYPE_TIME_NS: return "TIME_NS";
	case DUCKDB_TYPE_BIGNUM: return "BIGNUM";
	case DUCKDB_TYPE_GEOMETRY: return "GEOMETRY";
	case DUCKDB_TYPE_VARIANT: return "VARIANT";
	case DUCKDB_TYPE_SQLNULL: return "\"NULL\"";
	default: return "UNKNOWN";
	}
}

/* DuckDB names struct fields bare when they are plain identifiers
 * (STRUCT(a INTEGER, B INTEGER)) and quotes the rest (STRUCT("a b" INTEGER)).
 * (DuckDB also quotes SQL keywords; those stay bare here.) */
static int ident_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

static void put_field_name(ldp_buf *b, const char *nm)
{
	int plain = ident_char(*nm, 1);
	for (const char *p = nm; plain && *p; p++)
		plain = ident_char(*p, p == nm);
	if (plain)
		ldp_buf_puts(b, nm);
	else
		ldp_buf_put_sql_ident(b, nm);
}

static void type_name(duckdb_logical_type t, ldp_buf *b)
{
	char *alias = duckdb_logical_type_get_alias(t);
	if (alias) {
		ldp_buf_puts(b, alias);
		duckdb_free(alias);
		return;
	}
	duckdb_type id = duckdb_get_type_id(t);
	switch (id) {
	case DUCKDB_TYPE_DECIMAL:
		ldp_buf_printf(b, "DECIMAL(%u,%u)", duckdb_decimal_width(t), duckdb_decimal_scale(t));
		return;
	case DUCKDB_TYPE_LIST: {
		duckdb_logical_type c = duckdb_list_type_child_type(t);
		type_name(c, b);
		ldp_buf_puts(b, "[]");
		duckdb_destroy_logical_type(&c);
		return;
	}
	case DUCKDB_TYPE_ARRAY: {
		duckdb_logical_type c = duckdb_array_type_child_type(t);
		type_name(c, b);
		ldp_buf_printf(b, "[%" PRIu64 "]", (uint64_t)duckdb_array_type_array_size(t));
		duckdb_destroy_logical_type(&c);
		return;
	}
	case DUCKDB_TYPE_MAP: {
		duckdb_logical_type k = duckdb_map_type_key_type(t), v = duckdb_map_type_value_type(t);
		ldp_buf_puts(b, "MAP(");
		type_name(k, b);
		ldp_buf_puts(b, ", ");
		type_name(v, b);
		ldp_buf_putc(b, ')');
		duckdb_destroy_logical_type(&k);
		duckdb_destroy_logical_type(&v);
		return;
	}
	case DUCKDB_TYPE_STRUCT:
	case DUCKDB_TYPE_UNION: {
		int is_struct = id == DUCKDB_TYPE_STRUCT;
		idx_t n = is_struct ? duckdb_struct_type_child_count(t) : duckdb_union_type_member_count(t);
		ldp_buf_puts(b, is_struct ? "STRUCT(" : "UNION(");
		for (idx_t i = 0; i < n; i++) {
			char *nm = is_struct ? duckdb_struct_type_child_name(t, i) : duckdb_union_type_member_name(t, i);
			duckdb_logical_type c = is_struct ? duckdb_struct_type_child_type(t, i) : duckdb_union_type_member_type(t, i);
			if (i)
				ldp_buf_puts(b, ", ");
			put_field_name(b, nm);
			ldp_buf_putc(b, ' ');
			type_name(c, b);
			duckdb_free(nm);
			duckdb_destroy_logical_type(&c);
		}
		ldp_buf_putc(b, ')');
		return;
	}
	default:
		ldp_buf_puts(b, simple_type_name(id));
	}
}

char *ldp_type_name(duckdb_logical_type t)
{
	ldp_buf b = LDP_BUF_INIT;
	type_name(t, &b);
	if (b.oom) {
		ldp_buf_free(&b);
		return NULL;
	}
	return ldp_buf_detach(&b);
}

int ldp_type_is_numeric(duckdb_logical_type t)
{
	switch (duckdb_get_type_id(t)) {
	case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER: case DUCKDB_TYPE_BIGINT:
	case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT: case DUCKDB_TYPE_UINTEGER: case DUCKDB_TYPE_UBIGINT:
	case DUCKDB_TYPE_HUGEINT: case DUCKDB_TYPE_UHUGEINT: case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE:
	case DUCKDB_TYPE_DECIMAL: case DUCKDB_TYPE_BIGNUM:
		return 1;
	default:
		return 0;
	}
}

/* ---- scalar renderers ---- */

static void put_u128(ldp_buf *b, unsigned __int128 v)
{
	char tmp[48];
	int i = (int)sizeof tmp;
	tmp[--i] = '\0';
	do {
		tmp[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	ldp_buf_puts(b, tmp + i);
}

static void put_i128(ldp_buf *b, __int128 v)
{
	if (v < 0) {
		ldp_buf_putc(b, '-');
		put_u128(b, (unsigned __int128)(-(v + 1)) + 1);
	} else {
		put_u128(b, (unsigned __int128)v);
	}
}

/* Shortest text that reads back as the same double, laid out as DuckDB's
 * cast to VARCHAR does: fixed notation for decimal exponents -4..15
 * ("1000000000000000.0", "0.0001"), scientific otherwise ("1e+16", "1e-05"),
 * and integral values keep a ".0". Shortest means the fewest significant
 * digits that round-trip (5e-324, not 4.94065645841247e-324), so the search
 * starts at one digit. A FLOAT round-trips through strtof, not strtod, or the
 * double rounding would accept too few digits. */
static void put_double(ldp_buf *b, double d, int is_float, ldp_value_style style)
{
	if (isnan(d) || isinf(d)) {
		const char *s = isnan(d) ? "nan" : (d > 0 ? "inf" : "-inf");
		if (style == LDP_VALUE_JSON)
			ldp_json_append_string(b, s, strlen(s));
		else
			ldp_buf_puts(b, s);
		return;
	}
	char tmp[48];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (is_float ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d)
			break;
	}
	/* tmp is "[-]D[.DDD]e(+|-)XX": split into significant digits and exponent */
	char digits[24];
	size_t nd = 0;
	const char *p = tmp;
	if (*p == '-')
		ldp_buf_putc(b, *p++);
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	int exp = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp < -4 || exp >= 16) {
		ldp_buf_putc(b, digits[0]);
		if (nd > 1) {
			ldp_buf_putc(b, '.');
			ldp_buf_put(b, digits + 1, nd - 1);
		}
		ldp_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	} else if (exp < 0) {
		ldp_buf_puts(b, "0.");
		ldp_buf_fill(b, '0', (size_t)(-exp - 1));
		ldp_buf_put(b, digits, nd);
	} else {
		size_t ni = (size_t)exp + 1; /* digits before the point */
		ldp_buf_put(b, digits, nd < ni ? nd : ni);
		if (nd < ni)
			ldp_buf_fill(b, '0', ni - nd);
		ldp_buf_putc(b, '.');
		if (nd > ni)
			ldp_buf_put(b, digits + ni, nd - ni);
		else
			ldp_buf_putc(b, '0');
	}
}

/* BIGNUM: a 3-byte header whose top bit is set for non-negative numbers and
 * whose low 23 bits give the byte length, then the magnitude big-endian. A
 * negative number stores every byte (header included) bit-inverted. */
static void put_bignum(ldp_buf *b, const char *p, uint32_t n)
{
	if (n <= 3) {
		ldp_buf_putc(b, '0');
		return;
	}
	int neg = ((unsigned char)p[0] & 0x80) == 0;
	size_t len = n - 3;
	unsigned char *mag = malloc(len);
	char *dec = malloc(len * 3 + 2);
	if (!mag || !dec) {
		free(mag);
		free(dec);
		b->oom = 1;
		return;
	}
	for (size_t i = 0; i < len; i++)
		mag[i] = neg ? (unsigned char)~(unsigned char)p[3 + i] : (unsigned char)p[3 + i];
	/* schoolbook division by 10, collecting digits least significant first */
	size_t nd = 0, start = 0;
	while (start < len) {
		unsigned rem = 0;
		for (size_t i = start; i < len; i++) {
			unsigned cur = rem * 256 + mag[i];
			mag[i] = (unsigned char)(cur / 10);
			rem = cur % 10;
		}
		dec[nd++] = (char)('0' + rem);
		while (start < len && mag[start] == 0)
			start++;
	}
	while (nd > 1 && dec[nd - 1] == '0')
		nd--;
	if (nd == 0)
		dec[nd++] = '0';
	if (neg && !(nd == 1 && dec[0] == '0'))
		ldp_buf_putc(b, '-');
	for (size_t i = nd; i > 0; i--)
		ldp_buf_putc(b, dec[i - 1]);
	free(mag);
	free(dec);
}

static void put_decimal(ldp_buf *b, __int128 v, unsigned scale)
{
	if (scale == 0) {
		put_i128(b, v);
		return;
	}
	int neg = v < 0;
	unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
	unsigned __int128 p = 1;
	for (unsigned i = 0; i < scale; i++)
		p *= 10;
	if (neg)
		ldp_buf_putc(b, '-');
	put_u128(b, u / p);
	ldp_buf_putc(b, '.');
	char frac[48];
	unsigned __int128 f = u % p;
	for (int i = (int)scale - 1; i >= 0; i--) {
		frac[i] = (char)('0' + (int)(f % 10));
		f /= 10;
	}
	ldp_buf_put(b, frac, scale);
}

static void put_date(ldp_buf *b, int32_t days)
{
	if (days == INT32_MAX || days == -INT32_MAX) {
		ldp_buf_puts(b, days > 0 ? "infinity" : "-infinity");
		return;
	}
	duckdb_date_struct d = duckdb_from_date((duckdb_date){days});
	if (d.year <= 0)
		ldp_buf_printf(b, "%04d-%02d-%02d (BC)", 1 - d.year, d.month, d.day);
	else
		ldp_buf_printf(b, "%04d-%02d-%02d", d.year, d.month, d.day);
}

static void put_time_parts(ldp_buf *b, int hour, int min, int sec, int32_t micros, int nanos_extra)
{
	ldp_buf_printf(b, "%02d:%02d:%02d", hour, min, sec);
	if (micros || nanos_extra >= 0) {
		char frac[24];
		if (nanos_extra >= 0)
			snprintf(frac, sizeof frac, "%06d%03d", micros, nanos_extra);
		else
			snprintf(frac, sizeof frac, "%06d", micros);
		size_t n = strlen(frac);
		while (n > 0 && frac[n - 1] == '0')
			n--;
		if (n) {
			ldp_buf_putc(b, '.');
			ldp_buf_put(b, frac, n);
		}
	}
}

static void put_timestamp_us(ldp_buf *b, int64_t us, int nanos_extra, int tz)
{
	if (us == INT64_MAX || us == -INT64_MAX) {
		ldp_buf_puts(b, us > 0 ? "infinity" : "-infinity");
		return;
	}
	duckdb_timestamp_struct ts = duckdb_from_timestamp((duckdb_timestamp){us});
	put_date(b, duckdb_to_date(ts.date).days);
	/* put_date appended "(BC)" for negative years; time goes after the date either way */
	ldp_buf_putc(b, ' ');
	put_time_parts(b, ts.time.hour, ts.time.min, ts.time.sec, ts.time.micros, nanos_extra);
	if (tz)
		ldp_buf_puts(b, "+00");
}

static void put_interval(ldp_buf *b, duckdb_interval iv)
{
	size_t start = b->len;
	int32_t years = iv.months / 12, months = iv.months % 12;
	if (years)
		ldp_buf_printf(b, "%d year%s", years, (years == 1 || years == -1) ? "" : "s");
	if (months)
		ldp_buf_printf(b, "%s%d month%s", b->len > start ? " " : "", months, (months == 1 || months == -1) ? "" : "s");
	if (iv.days)
		ldp_buf_printf(b, "%s%d day%s", b->len > start ? " " : "", iv.days, (iv.days == 1 || iv.days == -1) ? "" : "s");
	if (iv.micros || b->len == start) {
		int64_t us = iv.micros;
		if (b->len > start)
			ldp_buf_putc(b, ' ');
		if (us < 0) {
			ldp_buf_putc(b, '-');
			us = -us;
		}
		int64_t secs = us / 1000000;
		put_time_parts(b, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), (int32_t)(us % 1000000), -1);
	}
}

static void put_uuid(ldp_buf *b, duckdb_hugeint h)
{
	/* DuckDB stores UUIDs with the top bit flipped so that they sort as signed. */
	uint64_t hi = (uint64_t)h.upper ^ ((uint64_t)1 << 63), lo = h.lower;
	ldp_buf_printf(b, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64, hi >> 32,
		       (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & (uint64_t)0xffffffffffff);
}

static void put_blob(ldp_buf *b, const char *p, uint32_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (uint32_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 32 && c < 127 && c != '\\' && c != '\'' && c != '"') {
			ldp_buf_putc(b, (char)c);
		} else {
			char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
			ldp_buf_put(b, e, 4);
		}
	}
}

static void put_bits(ldp_buf *b, const char *p, uint32_t n)
{
	/* DuckDB BIT: first byte is the padding count of the first data byte. */
	if (n < 1)
		return;
	unsigned pad = (unsigned char)p[0];
	for (uint32_t i = 1; i < n; i++)
		for (int bit = 7; bit >= 0; bit--) {
			if (i == 1 && (unsigned)(7 - bit) < pad)
				continue;
			ldp_buf_putc(b, ((unsigned char)p[i] >> bit) & 1 ? '1' : '0');
		}
}

/* Text of a string-like value, quoted in JSON and inside nested text values. */
static void put_text(ldp_buf *b, const char *p, size_t n, ldp_value_style style, int nested)
{
	if (style == LDP_VALUE_JSON)
		ldp_json_append_string(b, p, n);
	else if (nested) {
		ldp_buf_putc(b, '\'');
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '\'')
				ldp_buf_putc(b, '\'');
			ldp_buf_putc(b, p[i]);
		}
		ldp_buf_putc(b, '\'');
	} else
		ldp_buf_put(b, p, n);
}

static void format_rec(duckdb_vector vec, duckdb_logical_type t, idx_t row, ldp_value_style style, ldp_buf *b,
		       int nested);

/* Values that JSON has no type for (dates, UUIDs...) are rendered as text and
 * quoted; this renders into a scratch buffer first. */
static void quote_if_json(ldp_buf *b, ldp_value_style style, ldp_buf *tmp)
{
	if (style == LDP_VALUE_JSON)
		ldp_json_append_string(b, ldp_buf_cstr(tmp), tmp->len);
	else
		ldp_buf_put(b, ldp_buf_cstr(tmp), tmp->len);
}

static void format_rec(duckdb_vector vec, duckdb_logical_type t, idx_t row, ldp_value_style style, ldp_buf *b,
		       int nested)
{
	uint64_t *valid = duckdb_vector_get_validity(vec);
	if (valid && !duckdb_validity_row_is_valid(valid, row)) {
		ldp_buf_puts(b, style == LDP_VALUE_JSON ? "null" : "NULL");
		return;
	}
	void *data = duckdb_vector_get_data(vec);
	duckdb_type id = duckdb_get_type_id(t);
	ldp_buf tmp = LDP_BUF_INIT;
	switch (id) {
	case DUCKDB_TYPE_BOOLEAN: ldp_buf_puts(b, ((bool *)data)[row] ? "true" : "false"); break;
	case DUCKDB_TYPE_TINYINT: ldp_buf_printf(b, "%d", ((int8_t *)data)[row]); break;
	case DUCKDB_TYPE_SMALLINT: ldp_buf_printf(b, "%d", ((int16_t *)data)[row]); break;
	case DUCKDB_TYPE_INTEGER: ldp_buf_printf(b, "%d", ((int32_t *)data)[row]); break;
	case DUCKDB_TYPE_BIGINT: ldp_buf_printf(b, "%" PRId64, ((int64_t *)data)[row]); break;
	case DUCKDB_TYPE_UTINYINT: ldp_buf_printf(b, "%u", ((uint8_t *)data)[row]); break;
	case DUCKDB_TYPE_USMALLINT: ldp_buf_printf(b, "%u", ((uint16_t *)data)[row]); break;
	case DUCKDB_TYPE_UINTEGER: ldp_buf_printf(b, "%u", ((uint32_t *)data)[row]); break;
	case DUCKDB_TYPE_UBIGINT: ldp_buf_printf(b, "%" PRIu64, ((uint64_t *)data)[row]); break;
	case DUCKDB_TYPE_HUGEINT: {
		duckdb_hugeint h = ((duckdb_hugeint *)data)[row];
		put_i128(b, (__int128)(((unsigned __int128)(uint64_t)h.upper << 64) | h.lower));
		break;
	}
	case DUCKDB_TYPE_UHUGEINT: {
		duckdb_uhugeint h = ((duckdb_uhugeint *)data)[row];
		put_u128(b, ((unsigned __int128)h.upper << 64) | h.lower);
		break;
	}
	case DUCKDB_TYPE_FLOAT: put_double(b, ((float *)data)[row], 1, style); break;
	case DUCKDB_TYPE_DOUBLE: put_double(b, ((double *)data)[row], 0, style); break;
	case DUCKDB_TYPE_DECIMAL: {
		__int128 v;
		switch (duckdb_decimal_internal_type(t)) {
		case DUCKDB_TYPE_SMALLINT: v = ((int16_t *)data)[row]; break;
		case DUCKDB_TYPE_INTEGER: v = ((int32_t *)data)[row]; break;
		case DUCKDB_TYPE_BIGINT: v = ((int64_t *)data)[row]; break;
		default: {
			duckdb_hugeint h = ((duckdb_hugeint *)data)[row];
			v = (__int128)(((unsigned __int128)(uint64_t)h.upper << 64) | h.lower);
		}
		}
		put_decimal(b, v, duckdb_decimal_scale(t));
		break;
	}
	case DUCKDB_TYPE_VARCHAR: {
		duckdb_string_t *s = &((duckdb_string_t *)data)[row];
		put_text(b, duckdb_string_t_data(s), duckdb_string_t_length(*s), style, nested);
		break;
	}
	case DUCKDB_TYPE_BLOB:
	case DUCKDB_TYPE_BIT: {
		duckdb_string_t *s = &((duckdb_string_t *)data)[row];
		if (id == DUCKDB_TYPE_BLOB)
			put_blob(&tmp, duckdb_string_t_data(s), duckdb_string_t_length(*s));
		else
			put_bits(&tmp, duckdb_string_t_data(s), duckdb_string_t_length(*s));
		put_text(b, ldp_buf_cstr(&tmp), tmp.len, style, nested);
		break;
	}
	case DUCKDB_TYPE_DATE: put_date(&tmp, ((int32_t *)data)[row]); quote_if_json(b, style, &tmp); break;
	case DUCKDB_TYPE_TIME: {
		int64_t us = ((int64_t *)data)[row];
		int64_t secs = us / 1000000;
		put_time_parts(&tmp, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), (int32_t)(us % 1000000), -1);
		quote_if_json(b, style, &tmp);
		break;
	}
	case DUCKDB_TYPE_TIME_NS: {
		int64_t ns = ((int64_t *)data)[row];
		int64_t secs = ns / 1000000000;
		put_time_parts(&tmp, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
			       (int32_t)(ns % 1000000000 / 1000), (int)(ns % 1000));
		quote_if_json(b, style, &tmp);
		break;
	}
	case DUCKDB_TYPE_BIGNUM: {
		duckdb_string_t *s = &((duckdb_string_t *)data)[row];
		put_bignum(b, duckdb_string_t_data(s), duckdb_string_t_length(*s));
		break;
	}
	case DUCKDB_TYPE_TIME_TZ: {
		duckdb_time_tz_struct tz = duckdb_from_time_tz(((duckdb_time_tz *)data)[row]);
		put_time_parts(&tmp, tz.time.hour, tz.time.min, tz.time.sec, tz.time.micros, -1);
		int off = tz.offset;
		ldp_buf_printf(&tmp, "%c%02d", off < 0 ? '-' : '+', abs(off) / 3600);
		if (abs(off) % 3600)
			ldp_buf_printf(&tmp, ":%02d", abs(off) % 3600 / 60);
		quote_if_json(b, style, &tmp);
		break;
	}
	case DUCKDB_TYPE_TIMESTAMP:
	case DUCKDB_TYPE_TIMESTAMP_TZ:
		put_timestamp_us(&tmp, ((int64_t *)data)[row], -1, id == DUCKDB_TYPE_TIMESTAMP_TZ);
		quote_if_json(b, style, &tmp);
		break;
	case DUCKDB_TYPE_TIMESTAMP_S: {
		int64_t s = ((int64_t *)data)[row];
		put_timestamp_us(&tmp, (s == INT64_MAX || s == -INT64_MAX) ? s : s * 1000000, -1, 0);
		quote_if_json(b, style, &tmp);
		break;
	}
	case DUCKDB_TYPE_TIMESTAMP_MS: {
		int64_t ms = ((int64_t *)data)[row];
		put_timestamp_us(&tmp, (ms == INT64_MAX || ms == -INT64_MAX) ? ms : ms * 1000, -1, 0);
		quote_if_json(b, style, &tmp);
		break;
	}
	case DUCKDB_TYPE_TIMESTAMP_NS: {
		int64_t ns = ((int64_t *)data)[row];
		int64_t us = ns / 1000, rem = ns % 1000;
		if (rem < 0) {
			us -= 1;
			rem += 1000;
		}
		put_timestamp_us(&tmp, (ns == INT64_MAX || ns == -INT64_MAX) ? ns : us, (int)rem, 0);
		quote_if_json(b, style, &tmp);
		break;
	}
	case DUCKDB_TYPE_INTERVAL: put_interval(&tmp, ((duckdb_interval *)data)[row]); quote_if_json(b, style, &tmp); break;
	case DUCKDB_TYPE_UUID: put_uuid(&tmp, ((duckdb_hugeint *)data)[row]); quote_if_json(b, style, &tmp); break;
	case DUCKDB_TYPE_ENUM: {
		uint32_t idx;
		switch (duckdb_enum_internal_type(t)) {
		case DUCKDB_TYPE_UTINYINT: idx = ((uint8_t *)data)[row]; break;
		case DUCKDB_TYPE_USMALLINT: idx = ((uint16_t *)data)[row]; break;
		default: idx = ((uint32_t *)data)[row];
		}
		char *s = duckdb_enum_dictionary_value(t, idx);
		put_text(b, s ? s : "", s ? strlen(s) : 0, style, nested);
		duckdb_free(s);
		break;
	}
	case DUCKDB_TYPE_LIST:
	case DUCKDB_TYPE_MAP: {
		duckdb_list_entry e = ((duckdb_list_entry *)data)[row];
		duckdb_vector child = duckdb_list_vector_get_child(vec);
		duckdb_logical_type ct = duckdb_list_type_child_type(t);
		int is_map = id == DUCKDB_TYPE_MAP;
		ldp_buf_putc(b, is_map ? '{' : '[');
		for (uint64_t i = 0; i < e.length; i++) {
			if (i)
				ldp_buf_puts(b, style == LDP_VALUE_JSON ? "," : ", ");
			if (!is_map) {
				format_rec(child, ct, e.offset + i, style, b, 1);
				continue;
			}
			/* a map is a list of STRUCT(key, value) */
			duckdb_vector kv = duckdb_struct_vector_get_child(child, 0);
			duckdb_vector vv = duckdb_struct_vector_get_child(child, 1);
			duckdb_logical_type kt = duckdb_struct_type_child_type(ct, 0);
			duckdb_logical_type vt = duckdb_struct_type_child_type(ct, 1);
			if (style == LDP_VALUE_JSON) {
				/* JSON object keys must be strings: render the key as text. */
				ldp_buf key = LDP_BUF_INIT;
				format_rec(kv, kt, e.offset + i, LDP_VALUE_TEXT, &key, 0);
				ldp_json_append_string(b, ldp_buf_cstr(&key), key.len);
				ldp_buf_free(&key);
				ldp_buf_putc(b, ':');
			} else {
				format_rec(kv, kt, e.offset + i, style, b, 1);
				ldp_buf_putc(b, '=');
			}
			format_rec(vv, vt, e.offset + i, style, b, 1);
			duckdb_destroy_logical_type(&kt);
			duckdb_destroy_logical_type(&vt);
		}
		ldp_buf_putc(b, is_map ? '}' : ']');
		duckdb_destroy_logical_type(&ct);
		break;
	}
	case DUCKDB_TYPE_ARRAY: {
		idx_t n = duckdb_array_type_array_size(t);
		duckdb_vector child = duckdb_array_vector_get_child(vec);
		duckdb_logical_type ct = duckdb_array_type_child_type(t);
		ldp_buf_putc(b, '[');
		for (idx_t i = 0; i < n; i++) {
			if (i)
				ldp_buf_puts(b, style == LDP_VALUE_JSON ? "," : ", ");
			format_rec(child, ct, row * n + i, style, b, 1);
		}
		ldp_buf_putc(b, ']');
		duckdb_destroy_logical_type(&ct);
		break;
	}
	case DUCKDB_TYPE_STRUCT: {
		idx_t n = duckdb_struct_type_child_count(t);
		ldp_buf_putc(b, '{');
		for (idx_t i = 0; i < n; i++) {
			char *nm = duckdb_struct_type_child_name(t, i);
			duckdb_logical_type ct = duckdb_struct_type_child_type(t, i);
			if (i)
				ldp_buf_puts(b, style == LDP_VALUE_JSON ? "," : ", ");
			if (style == LDP_VALUE_JSON) {
				ldp_json_append_string(b, nm, strlen(nm));
				ldp_buf_putc(b, ':');
			} else {
				put_text(b, nm, strlen(nm), style, 1);
				ldp_buf_puts(b, ": ");
			}
			format_rec(duckdb_struct_vector_get_child(vec, i), ct, row, style, b, 1);
			duckdb_free(nm);
			duckdb_destroy_logical_type(&ct);
		}
		ldp_buf_putc(b, '}');
		break;
	}
	case DUCKDB_TYPE_UNION: {
		/* physically a struct whose first child is the member tag */
		uint8_t tag = ((uint8_t *)duckdb_vector_get_data(duckdb_struct_vector_get_child(vec, 0)))[row];
		duckdb_logical_type mt = duckdb_union_type_member_type(t, tag);
		format_rec(duckdb_struct_vector_get_child(vec, (idx_t)tag + 1), mt, row, style, b, nested);
		duckdb_destroy_logical_type(&mt);
		break;
	}
	default: {
		char *nm = ldp_type_name(t);
		ldp_buf_printf(&tmp, "<%s value>", nm ? nm : "unsupported");
		free(nm);
		quote_if_json(b, style, &tmp);
	}
	}
	ldp_buf_free(&tmp);
}

void ldp_value_format(duckdb_vector vec, duckdb_logical_type t, idx_t row, ldp_value_style style, ldp_buf *b)
{
	format_rec(vec, t, row, style, b, 0);
}
