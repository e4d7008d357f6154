/*
 * Single Iceberg values: Appendix D binary serialization, ordering and
 * truncated bounds. Text parsing and SQL rendering live in value_text.c.
 */
#include "format/value.h"

#include <math.h>
#include <string.h>

#include "ldp/error.h"

const char *ldp_value_type_name(ldp_type_id id)
{
	switch (id) {
	case LDP_T_BOOLEAN: return "boolean";
	case LDP_T_INT: return "int";
	case LDP_T_LONG: return "long";
	case LDP_T_FLOAT: return "float";
	case LDP_T_DOUBLE: return "double";
	case LDP_T_DECIMAL: return "decimal";
	case LDP_T_DATE: return "date";
	case LDP_T_TIME: return "time";
	case LDP_T_TIMESTAMP: return "timestamp";
	case LDP_T_TIMESTAMPTZ: return "timestamptz";
	case LDP_T_TIMESTAMP_NS: return "timestamp_ns";
	case LDP_T_TIMESTAMPTZ_NS: return "timestamptz_ns";
	case LDP_T_STRING: return "string";
	case LDP_T_UUID: return "uuid";
	case LDP_T_FIXED: return "fixed";
	case LDP_T_BINARY: return "binary";
	case LDP_T_STRUCT: return "struct";
	case LDP_T_LIST: return "list";
	case LDP_T_MAP: return "map";
	case LDP_T_UNKNOWN_V3: return "unknown";
	}
	return "unknown";
}

ldp_value ldp_value_null(ldp_type_id id)
{
	ldp_value v;
	memset(&v, 0, sizeof v);
	v.type = id;
	v.is_null = true;
	return v;
}

/* ---- calendar (proleptic Gregorian, eras of 400 years = 146097 days) ---- */

int64_t ldp_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Count from 0000-03-01 so that the leap day ends the year. */
	y -= m <= 2;
	int64_t era = ldp_floor_div(y, 400);
	int64_t yoe = y - era * 400;                                   /* [0, 399] */
	int64_t doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return era * 146097 + doe - 719468;                             /* 719468: 0000-03-01 .. 1970-01-01 */
}

void ldp_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468;
	int64_t era = ldp_floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* ---- Appendix D ---- */

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Fewest big-endian two's-complement bytes that sign-extend back to v. */
size_t ldp_decimal_min_bytes(__int128 v, uint8_t out[16])
{
	size_t n = 16;
	for (int i = 0; i < 16; i++)
		out[i] = (uint8_t)((unsigned __int128)v >> (8 * (15 - i)));
	size_t skip = 0;
	while (skip < 15) {
		uint8_t b = out[skip], next = out[skip + 1];
		/* a leading byte is redundant when it only repeats the sign of the next */
		if ((b == 0x00 && !(next & 0x80)) || (b == 0xff && (next & 0x80)))
			skip++;
		else
			break;
	}
	memmove(out, out + skip, n - skip);
	return n - skip;
}

static int not_primitive(ldp_type_id id, const char *what)
{
	return ldp_error_set(LDP_EUNSUPPORTED, "%s: type %s has no single-value form", what, ldp_value_type_name(id));
}

int ldp_value_to_bytes(const ldp_value *v, const ldp_type *t, ldp_arena *a, const uint8_t **out, size_t *out_len)
{
	if (v->is_null)
		return ldp_error_set(LDP_EINVALID, "serializing a %s value: null has no binary form",
				     ldp_value_type_name(t->id));
	uint8_t tmp[16];
	const uint8_t *src = tmp;
	size_t n;
	switch (t->id) {
	case LDP_T_BOOLEAN: tmp[0] = v->v.b ? 1 : 0; n = 1; break;
	case LDP_T_INT:
	case LDP_T_DATE: put_le(tmp, (uint32_t)v->v.i32, 4); n = 4; break;
	case LDP_T_LONG:
	case LDP_T_TIME:
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ:
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS: put_le(tmp, (uint64_t)v->v.i64, 8); n = 8; break;
	case LDP_T_FLOAT: {
		uint32_t bits;
		memcpy(&bits, &v->v.f32, 4);
		put_le(tmp, bits, 4);
		n = 4;
		break;
	}
	case LDP_T_DOUBLE: {
		uint64_t bits;
		memcpy(&bits, &v->v.f64, 8);
		put_le(tmp, bits, 8);
		n = 8;
		break;
	}
	case LDP_T_DECIMAL: n = ldp_decimal_min_bytes(v->v.dec, tmp); break;
	case LDP_T_UUID:
		if (v->v.bytes.len != 16)
			return ldp_error_set(LDP_EINVALID, "serializing a uuid: %zu bytes instead of 16", v->v.bytes.len);
		/* fall through */
	case LDP_T_STRING:
	case LDP_T_FIXED:
	case LDP_T_BINARY:
		src = v->v.bytes.ptr;
		n = v->v.bytes.len;
		break;
	default: return not_primitive(t->id, "serializing a value");
	}
	uint8_t *p = ldp_arena_alloc(a, n ? n : 1);
	if (!p)
		return LDP_ENOMEM;
	if (n)
		memcpy(p, src, n);
	*out = p;
	*out_len = n;
	return LDP_OK;
}

static int want_len(const ldp_type *t, size_t n, size_t want)
{
	if (n == want)
		return LDP_OK;
	return ldp_error_set(LDP_ECORRUPT, "a serialized %s value has %zu bytes instead of %zu",
			     ldp_value_type_name(t->id), n, want);
}

int ldp_value_from_bytes(const ldp_type *t, const uint8_t *p, size_t n, ldp_arena *a, ldp_value *out)
{
	*out = ldp_value_null(t->id);
	out->is_null = false;
	int rc = LDP_OK;
	switch (t->id) {
	case LDP_T_BOOLEAN:
		if (!(rc = want_len(t, n, 1)))
			out->v.b = p[0] != 0;
		break;
	case LDP_T_INT:
	case LDP_T_DATE:
		if (!(rc = want_len(t, n, 4)))
			out->v.i32 = (int32_t)(uint32_t)get_le(p, 4);
		break;
	case LDP_T_LONG:
	case LDP_T_TIME:
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ:
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS:
		if (!(rc = want_len(t, n, 8)))
			out->v.i64 = (int64_t)get_le(p, 8);
		break;
	case LDP_T_FLOAT:
		if (!(rc = want_len(t, n, 4))) {
			uint32_t bits = (uint32_t)get_le(p, 4);
			memcpy(&out->v.f32, &bits, 4);
		}
		break;
	case LDP_T_DOUBLE:
		if (!(rc = want_len(t, n, 8))) {
			uint64_t bits = get_le(p, 8);
			memcpy(&out->v.f64, &bits, 8);
		}
		break;
	case LDP_T_DECIMAL: {
		if (n == 0)
			return ldp_error_set(LDP_ECORRUPT, "a serialized decimal value is empty");
		/* Longer encodings are fine as long as the extra bytes are sign. */
		uint8_t sign = (p[0] & 0x80) ? 0xff : 0x00;
		bool fits = n <= 16 || (p[n - 16] & 0x80) == (sign & 0x80);
		for (size_t i = 0; n > 16 && i < n - 16; i++)
			fits = fits && p[i] == sign;
		if (!fits)
			return ldp_error_set(LDP_ECORRUPT, "a serialized decimal value does not fit 128 bits");
		unsigned __int128 u = sign ? ~(unsigned __int128)0 : 0;
		for (size_t i = n > 16 ? n - 16 : 0; i < n; i++)
			u = (u << 8) | p[i];
		out->v.dec = (__int128)u;
		break;
	}
	case LDP_T_UUID:
		if ((rc = want_len(t, n, 16)))
			break;
		/* fall through */
	case LDP_T_FIXED:
		if (t->id == LDP_T_FIXED && t->length > 0 && (rc = want_len(t, n, (size_t)t->length)))
			break;
		/* fall through */
	case LDP_T_STRING:
	case LDP_T_BINARY:
		out->v.bytes.len = n;
		out->v.bytes.ptr = p;
		if (a) {
			uint8_t *c = ldp_arena_alloc(a, n ? n : 1);
			if (!c)
				return LDP_ENOMEM;
			if (n)
				memcpy(c, p, n);
			out->v.bytes.ptr = c;
		}
		break;
	default: return not_primitive(t->id, "decoding a value");
	}
	return rc;
}

/* ---- ordering ---- */

/* Java's Double.compare: -0.0 < 0.0 and NaN above everything. */
static int cmp_double(double x, double y)
{
	if (x < y)
		return -1;
	if (x > y)
		return 1;
	int xn = isnan(x), yn = isnan(y);
	if (xn || yn)
		return xn - yn;
	return (int)(signbit(y) != 0) - (int)(signbit(x) != 0);
}

static int cmp_bytes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	size_t n = na < nb ? na : nb;
	int c = n ? memcmp(a, b, n) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return (na > nb) - (na < nb);
}

int ldp_value_compare(const ldp_value *a, const ldp_value *b)
{
	if (a->is_null || b->is_null)
		return (int)!a->is_null - (int)!b->is_null; /* nulls first */
	switch (a->type) {
	case LDP_T_BOOLEAN: return (int)a->v.b - (int)b->v.b;
	case LDP_T_INT:
	case LDP_T_DATE: return (a->v.i32 > b->v.i32) - (a->v.i32 < b->v.i32);
	case LDP_T_LONG:
	case LDP_T_TIME:
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ:
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS: return (a->v.i64 > b->v.i64) - (a->v.i64 < b->v.i64);
	case LDP_T_FLOAT: return cmp_double(a->v.f32, b->v.f32);
	case LDP_T_DOUBLE: return cmp_double(a->v.f64, b->v.f64);
	case LDP_T_DECIMAL: return (a->v.dec > b->v.dec) - (a->v.dec < b->v.dec);
	default: return cmp_bytes(a->v.bytes.ptr, a->v.bytes.len, b->v.bytes.ptr, b->v.bytes.len);
	}
}

/* ---- truncated bounds ---- */

/* Byte length of the first `width` code points of UTF-8 text (all of it
 * when shorter). Continuation bytes never start a code point. */
static size_t utf8_prefix_len(const uint8_t *p, size_t n, size_t width)
{
	size_t cps = 0;
	for (size_t i = 0; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			if (cps == width)
				return i;
			cps++;
		}
	}
	return n;
}

static size_t utf8_encode(uint32_t cp, uint8_t *o)
{
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uint8_t)(0xc0 | cp >> 6);
		o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (uint8_t)(0xe0 | cp >> 12);
		o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (uint8_t)(0xf0 | cp >> 18);
	o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode the code point starting at p[0] (n bytes in it); lenient. */
static uint32_t utf8_decode(const uint8_t *p, size_t n)
{
	if (n == 1)
		return p[0];
	uint32_t cp = p[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

int ldp_value_bound_lower(const ldp_value *v, size_t width, ldp_value *out)
{
	*out = *v;
	if (v->is_null)
		return LDP_OK;
	if (v->type == LDP_T_STRING)
		out->v.bytes.len = utf8_prefix_len(v->v.bytes.ptr, v->v.bytes.len, width);
	else if (v->type == LDP_T_BINARY && v->v.bytes.len > width)
		out->v.bytes.len = width;
	return LDP_OK;
}

int ldp_value_bound_upper(const ldp_value *v, size_t width, ldp_arena *a, ldp_value *out)
{
	*out = *v;
	if (v->is_null || (v->type != LDP_T_STRING && v->type != LDP_T_BINARY))
		return LDP_OK;
	const uint8_t *p = v->v.bytes.ptr;
	size_t n = v->type == LDP_T_STRING ? utf8_prefix_len(p, v->v.bytes.len, width)
					   : (v->v.bytes.len > width ? width : v->v.bytes.len);
	if (n == v->v.bytes.len)
		return LDP_OK; /* nothing cut: the value is its own bound */
	uint8_t *o = ldp_arena_alloc(a, n + 4);
	if (!o)
		return LDP_ENOMEM;
	memcpy(o, p, n);
	if (v->type == LDP_T_BINARY) {
		while (n > 0 && o[n - 1] == 0xff)
			n--;
		if (n == 0) {
			*out = ldp_value_null(v->type);
			return LDP_OK;
		}
		o[n - 1]++;
	} else {
		for (;;) {
			if (n == 0) {
				*out = ldp_value_null(v->type);
				return LDP_OK;
			}
			size_t start = n - 1;
			while (start > 0 && (o[start] & 0xc0) == 0x80)
				start--;
			uint32_t cp = utf8_decode(o + start, n - start) + 1;
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xe000;
			n = start;
			if (cp <= 0x10ffff) {
				n += utf8_encode(cp, o + start);
				break;
			}
		}
	}
	out->v.bytes.ptr = o;
	out->v.bytes.len = n;
	return LDP_OK;
}
