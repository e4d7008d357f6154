/*
 * Partition transforms on single values: Appendix B hashing, bucket,
 * truncate, year/month/day/hour, void; and their human strings and partition
 * paths. The SQL forms are in transform_sql.c.
 */
#include "format/transform.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/murmur3.h"
#include "format/value.h"
#include "ldp/error.h"

#define US_PER_HOUR INT64_C(3600000000)
#define US_PER_DAY  INT64_C(86400000000)

/* ---- Appendix B ---- */

static int32_t hash_long(int64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)v >> (8 * i));
	return (int32_t)ldp_murmur3_32(b, 8, 0);
}

int ldp_value_hash(const ldp_value *v, int32_t *out)
{
	if (v->is_null)
		return ldp_error_set(LDP_EINVALID, "hashing a null %s value", ldp_value_type_name(v->type));
	switch (v->type) {
	case LDP_T_BOOLEAN: *out = hash_long(v->v.b ? 1 : 0); break;
	/* note [1]: int and long hash alike so that int -> long promotion keeps buckets */
	case LDP_T_INT:
	case LDP_T_DATE: *out = hash_long(v->v.i32); break;
	case LDP_T_LONG:
	case LDP_T_TIME:
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ: *out = hash_long(v->v.i64); break;
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS: *out = hash_long(ldp_floor_div(v->v.i64, 1000)); break;
	case LDP_T_FLOAT:
	case LDP_T_DOUBLE: {
		/* note [5]: hash the double's bits, one NaN, -0.0 as 0.0 */
		double d = v->type == LDP_T_FLOAT ? (double)v->v.f32 : v->v.f64;
		uint64_t bits;
		if (isnan(d))
			bits = UINT64_C(0x7ff8000000000000);
		else {
			if (d == 0)
				d = 0.0;
			memcpy(&bits, &d, 8);
		}
		*out = hash_long((int64_t)bits);
		break;
	}
	case LDP_T_DECIMAL: {
		uint8_t b[16];
		size_t n = ldp_decimal_min_bytes(v->v.dec, b);
		*out = (int32_t)ldp_murmur3_32(b, n, 0);
		break;
	}
	case LDP_T_STRING:
	case LDP_T_UUID:
	case LDP_T_FIXED:
	case LDP_T_BINARY: *out = (int32_t)ldp_murmur3_32(v->v.bytes.ptr, v->v.bytes.len, 0); break;
	default:
		return ldp_error_set(LDP_EUNSUPPORTED, "Iceberg defines no hash for %s values",
				     ldp_value_type_name(v->type));
	}
	return LDP_OK;
}

/* ---- validity and result types ---- */

static void transform_name(const ldp_transform *tr, char *buf, size_t n)
{
	switch (tr->kind) {
	case LDP_TR_IDENTITY: snprintf(buf, n, "identity"); break;
	case LDP_TR_BUCKET: snprintf(buf, n, "bucket[%" PRId32 "]", tr->param); break;
	case LDP_TR_TRUNCATE: snprintf(buf, n, "truncate[%" PRId32 "]", tr->param); break;
	case LDP_TR_YEAR: snprintf(buf, n, "year"); break;
	case LDP_TR_MONTH: snprintf(buf, n, "month"); break;
	case LDP_TR_DAY: snprintf(buf, n, "day"); break;
	case LDP_TR_HOUR: snprintf(buf, n, "hour"); break;
	case LDP_TR_VOID: snprintf(buf, n, "void"); break;
	default: snprintf(buf, n, "%s", tr->text ? tr->text : "unknown"); break;
	}
}

static bool is_primitive(ldp_type_id id)
{
	return id != LDP_T_STRUCT && id != LDP_T_LIST && id != LDP_T_MAP && id != LDP_T_UNKNOWN_V3;
}

static bool is_timestamp(ldp_type_id id)
{
	return id == LDP_T_TIMESTAMP || id == LDP_T_TIMESTAMPTZ || id == LDP_T_TIMESTAMP_NS ||
	       id == LDP_T_TIMESTAMPTZ_NS;
}

/* The source-type column of the spec's transform table. */
static bool accepts(ldp_transform_kind k, ldp_type_id id)
{
	switch (k) {
	case LDP_TR_IDENTITY: return is_primitive(id);
	case LDP_TR_BUCKET:
		return id == LDP_T_INT || id == LDP_T_LONG || id == LDP_T_DECIMAL || id == LDP_T_DATE || id == LDP_T_TIME ||
		       is_timestamp(id) || id == LDP_T_STRING || id == LDP_T_UUID || id == LDP_T_FIXED ||
		       id == LDP_T_BINARY;
	case LDP_TR_TRUNCATE:
		return id == LDP_T_INT || id == LDP_T_LONG || id == LDP_T_DECIMAL || id == LDP_T_STRING ||
		       id == LDP_T_BINARY;
	case LDP_TR_YEAR:
	case LDP_TR_MONTH:
	case LDP_TR_DAY: return id == LDP_T_DATE || is_timestamp(id);
	case LDP_TR_HOUR: return is_timestamp(id);
	case LDP_TR_VOID: return true;
	default: return false;
	}
}

static int check(const ldp_transform *tr, const ldp_type *source, const char *field_name)
{
	char name[64], where[160] = "";
	transform_name(tr, name, sizeof name);
	if (field_name)
		snprintf(where, sizeof where, "partition field '%s': ", field_name);
	if (tr->kind == LDP_TR_UNKNOWN)
		return ldp_error_set(LDP_EUNSUPPORTED,
				     "%stransform '%s' is not known to ldp; data cannot be written with this partition "
				     "spec",
				     where, name);
	if ((tr->kind == LDP_TR_BUCKET || tr->kind == LDP_TR_TRUNCATE) && tr->param < 1)
		return ldp_error_set(LDP_EINVALID, "%s%s needs a %s of at least 1", where, name,
				     tr->kind == LDP_TR_BUCKET ? "bucket count" : "width");
	if (!accepts(tr->kind, source->id))
		return ldp_error_set(LDP_EINVALID,
				     "%stransform %s cannot be applied to a %s column; pick a transform the Iceberg "
				     "spec allows for %s",
				     where, name, ldp_value_type_name(source->id), ldp_value_type_name(source->id));
	return LDP_OK;
}

int ldp_transform_check(const ldp_transform *tr, const ldp_type *source, const char *field_name)
{
	return check(tr, source, field_name);
}

int ldp_transform_result_type(const ldp_transform *tr, const ldp_type *source, ldp_type *out)
{
	int rc = check(tr, source, NULL);
	if (rc)
		return rc;
	switch (tr->kind) {
	case LDP_TR_IDENTITY:
	case LDP_TR_TRUNCATE:
	case LDP_TR_VOID: *out = *source; break;
	default:
		memset(out, 0, sizeof *out);
		out->id = LDP_T_INT;
	}
	return LDP_OK;
}

/* ---- apply ---- */

/* v - floor_mod(v, w), wrapping on overflow as Java's int/long arithmetic does
 * at the extremes (truncate of INT_MIN). */
static int64_t trunc_long(int64_t v, int64_t w)
{
	return (int64_t)((uint64_t)v - (uint64_t)ldp_floor_mod(v, w));
}

static size_t utf8_prefix(const uint8_t *p, size_t n, size_t width)
{
	size_t cps = 0;
	for (size_t i = 0; i < n; i++)
		if ((p[i] & 0xc0) != 0x80 && cps++ == width)
			return i;
	return n;
}

/* Days from 1970-01-01 of a date or timestamp value (floored). */
static int64_t value_days(const ldp_value *v)
{
	switch (v->type) {
	case LDP_T_DATE: return v->v.i32;
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS: return ldp_floor_div(v->v.i64, US_PER_DAY * 1000);
	default: return ldp_floor_div(v->v.i64, US_PER_DAY);
	}
}

static int set_int(ldp_value *out, int64_t x, const ldp_transform *tr)
{
	if (x < INT32_MIN || x > INT32_MAX) {
		char name[64];
		transform_name(tr, name, sizeof name);
		return ldp_error_set(LDP_EINVALID, "%s of a value gives %" PRId64 ", outside Iceberg's int range", name,
				     x);
	}
	out->type = LDP_T_INT;
	out->is_null = false;
	out->v.i32 = (int32_t)x;
	return LDP_OK;
}

int ldp_transform_apply(const ldp_transform *tr, const ldp_type *source, const ldp_value *in, ldp_value *out)
{
	int rc = check(tr, source, NULL);
	if (rc)
		return rc;
	if (!in->is_null && in->type != source->id)
		return ldp_error_set(LDP_EINVALID, "a %s value given to a transform over a %s column",
				     ldp_value_type_name(in->type), ldp_value_type_name(source->id));
	bool int_result = tr->kind != LDP_TR_IDENTITY && tr->kind != LDP_TR_TRUNCATE && tr->kind != LDP_TR_VOID;
	if (in->is_null || tr->kind == LDP_TR_VOID) {
		*out = ldp_value_null(int_result ? LDP_T_INT : source->id);
		return LDP_OK;
	}
	*out = *in;
	switch (tr->kind) {
	case LDP_TR_IDENTITY: return LDP_OK;
	case LDP_TR_BUCKET: {
		int32_t h;
		if ((rc = ldp_value_hash(in, &h)))
			return rc;
		return set_int(out, (h & INT32_MAX) % tr->param, tr);
	}
	case LDP_TR_TRUNCATE:
		switch (source->id) {
		case LDP_T_INT: out->v.i32 = (int32_t)(uint32_t)(uint64_t)trunc_long(in->v.i32, tr->param); break;
		case LDP_T_LONG: out->v.i64 = trunc_long(in->v.i64, tr->param); break;
		case LDP_T_DECIMAL: {
			/* spec: W applies at the column's scale, i.e. to the unscaled value */
			__int128 r = in->v.dec % tr->param;
			if (r < 0)
				r += tr->param;
			out->v.dec = in->v.dec - r;
			break;
		}
		case LDP_T_STRING:
			out->v.bytes.len = utf8_prefix(in->v.bytes.ptr, in->v.bytes.len, (size_t)tr->param);
			break;
		default: /* binary */
			if (out->v.bytes.len > (size_t)tr->param)
				out->v.bytes.len = (size_t)tr->param;
		}
		return LDP_OK;
	case LDP_TR_YEAR:
	case LDP_TR_MONTH: {
		int64_t y;
		unsigned m, d;
		ldp_civil_from_days(value_days(in), &y, &m, &d);
		return set_int(out, tr->kind == LDP_TR_YEAR ? y - 1970 : (y - 1970) * 12 + (int64_t)m - 1, tr);
	}
	case LDP_TR_DAY: return set_int(out, value_days(in), tr);
	case LDP_TR_HOUR: {
		bool ns = source->id == LDP_T_TIMESTAMP_NS || source->id == LDP_T_TIMESTAMPTZ_NS;
		return set_int(out, ldp_floor_div(in->v.i64, ns ? US_PER_HOUR * 1000 : US_PER_HOUR), tr);
	}
	default: return ldp_error_set(LDP_ERROR, "transform kind %d not handled", (int)tr->kind);
	}
}
