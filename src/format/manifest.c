/*
 * Iceberg manifests (apache/iceberg format/spec.md "Manifests"): Avro files
 * of manifest_entry records with file metadata schema, schema-id,
 * partition-spec, partition-spec-id, format-version and content. Written
 * with ldp's own Avro codec (format/avro.h explains why not libavro).
 *
 * The partition tuple's Avro type is built from the spec's fields and their
 * transform result types with the mapping of spec Appendix A (a static table
 * below: no shared Iceberg-type -> Avro helper exists yet).
 */
#include "format/manifest_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "ldp/json.h"

/* ---- field access (shared with manifest_list.c) ---- */

ldp_avro_value *ldp_mf_field(const ldp_avro_value *rec, int32_t id, const char *name)
{
	if (!rec || rec->kind != LDP_AVRO_RECORD)
		return NULL;
	const ldp_avro_field *f = ldp_avro_schema_field_by_id(rec->schema, id, NULL);
	if (f)
		return ldp_avro_record_get_id(rec, id);
	/* by name only when that field carries no (other) id */
	f = ldp_avro_schema_field(rec->schema, name, NULL);
	if (f && f->id == LDP_AVRO_NO_ID)
		return ldp_avro_record_get(rec, name);
	return NULL;
}

static int present(const ldp_avro_value *rec, int32_t id, const char *name, bool required, const char *ctx,
		   ldp_avro_value **v)
{
	*v = ldp_mf_field(rec, id, name);
	if (!ldp_avro_is_null(*v))
		return 1;
	if (required)
		return ldp_error_set(LDP_ECORRUPT, "%s: required field '%s' (id %d) is missing or null", ctx, name,
				     (int)id);
	return 0;
}

static int wrong(const char *ctx, const char *name, int32_t id, const char *want, const ldp_avro_value *v)
{
	return ldp_error_set(LDP_ECORRUPT, "%s: field '%s' (id %d) is an Avro %s, expected %s", ctx, name, (int)id,
			     ldp_avro_kind_name(v->kind), want);
}

int ldp_mf_long(const ldp_avro_value *rec, int32_t id, const char *name, bool required, const char *ctx,
		int64_t *out)
{
	ldp_avro_value *v;
	int rc = present(rec, id, name, required, ctx, &v);
	if (rc <= 0)
		return rc;
	if (v->kind == LDP_AVRO_LONG)
		*out = v->u.l;
	else if (v->kind == LDP_AVRO_INT)
		*out = v->u.i;
	else
		return wrong(ctx, name, id, "long", v);
	return 1;
}

int ldp_mf_int(const ldp_avro_value *rec, int32_t id, const char *name, bool required, const char *ctx,
	       int32_t *out)
{
	ldp_avro_value *v;
	int rc = present(rec, id, name, required, ctx, &v);
	if (rc <= 0)
		return rc;
	if (v->kind != LDP_AVRO_INT)
		return wrong(ctx, name, id, "int", v);
	*out = v->u.i;
	return 1;
}

int ldp_mf_bool(const ldp_avro_value *rec, int32_t id, const char *name, bool required, const char *ctx,
		bool *out)
{
	ldp_avro_value *v;
	int rc = present(rec, id, name, required, ctx, &v);
	if (rc <= 0)
		return rc;
	if (v->kind != LDP_AVRO_BOOLEAN)
		return wrong(ctx, name, id, "boolean", v);
	*out = v->u.b;
	return 1;
}

int ldp_mf_string(ldp_arena *a, const ldp_avro_value *rec, int32_t id, const char *name, bool required,
		  const char *ctx, const char **out)
{
	ldp_avro_value *v;
	int rc = present(rec, id, name, required, ctx, &v);
	if (rc <= 0)
		return rc;
	if (v->kind != LDP_AVRO_STRING && v->kind != LDP_AVRO_BYTES)
		return wrong(ctx, name, id, "string", v);
	*out = ldp_arena_strndup(a, (const char *)v->u.bytes.ptr, v->u.bytes.len);
	return *out ? 1 : LDP_ENOMEM;
}

static const uint8_t *copy_bytes(ldp_arena *a, const ldp_avro_value *v)
{
	uint8_t *p = ldp_arena_alloc(a, v->u.bytes.len + 1);
	if (p) {
		if (v->u.bytes.len)
			memcpy(p, v->u.bytes.ptr, v->u.bytes.len);
		p[v->u.bytes.len] = 0;
	}
	return p;
}

int ldp_mf_bytes(ldp_arena *a, const ldp_avro_value *rec, int32_t id, const char *name, const char *ctx,
		 const uint8_t **out, size_t *len)
{
	ldp_avro_value *v;
	int rc = present(rec, id, name, false, ctx, &v);
	if (rc <= 0)
		return rc;
	if (v->kind != LDP_AVRO_BYTES && v->kind != LDP_AVRO_FIXED && v->kind != LDP_AVRO_STRING)
		return wrong(ctx, name, id, "bytes", v);
	if (!(*out = copy_bytes(a, v)))
		return LDP_ENOMEM;
	*len = v->u.bytes.len;
	return 1;
}

ldp_avro_value *ldp_mf_opt_long(ldp_arena *a, int64_t v, bool has)
{
	return has ? ldp_avro_long(a, v) : ldp_avro_null(a);
}

/* ---- the entry schema ---- */

/* Minimum bytes of a two's-complement decimal of `precision` digits:
 * the least n with 2^(8n-1) >= 10^precision (spec Appendix A, "decimal"). */
static int decimal_bytes(int32_t precision)
{
	unsigned __int128 pow10 = 1;
	for (int i = 0; i < precision; i++)
		pow10 *= 10;
	for (int n = 1; n <= 16; n++)
		if (((unsigned __int128)1 << (8 * n - 1)) >= pow10)
			return n;
	return -1;
}

/* Avro names are [A-Za-z_][A-Za-z0-9_]*; other characters become _xHH, a
 * leading digit gets an underscore (the reference implementation's
 * convention). Returns 1 when the name had to change. */
static int put_avro_name(ldp_buf *b, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	int changed = 0;
	for (size_t i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
		int digit = c >= '0' && c <= '9';
		if (alpha || (digit && i > 0)) {
			ldp_buf_putc(b, (char)c);
		} else if (digit) {
			ldp_buf_putc(b, '_');
			ldp_buf_putc(b, (char)c);
			changed = 1;
		} else {
			ldp_buf_putc(b, '_');
			ldp_buf_putc(b, 'x');
			ldp_buf_putc(b, hex[c >> 4]);
			ldp_buf_putc(b, hex[c & 15]);
			changed = 1;
		}
	}
	if (!name[0]) {
		ldp_buf_putc(b, '_');
		changed = 1;
	}
	return changed;
}

/* Avro type of a partition value (spec Appendix A "Data Type Mappings").
 * Named fixed types are defined once and referenced after. */
static int partition_type_json(const ldp_type *t, ldp_buf *b, ldp_buf *defined)
{
	char name[64] = "";
	switch (t->id) {
	case LDP_T_BOOLEAN: ldp_buf_puts(b, "\"boolean\""); return 0;
	case LDP_T_INT: ldp_buf_puts(b, "\"int\""); return 0;
	case LDP_T_LONG: ldp_buf_puts(b, "\"long\""); return 0;
	case LDP_T_FLOAT: ldp_buf_puts(b, "\"float\""); return 0;
	case LDP_T_DOUBLE: ldp_buf_puts(b, "\"double\""); return 0;
	case LDP_T_STRING: ldp_buf_puts(b, "\"string\""); return 0;
	case LDP_T_BINARY: ldp_buf_puts(b, "\"bytes\""); return 0;
	case LDP_T_DATE: ldp_buf_puts(b, "{\"type\":\"int\",\"logicalType\":\"date\"}"); return 0;
	case LDP_T_TIME: ldp_buf_puts(b, "{\"type\":\"long\",\"logicalType\":\"time-micros\"}"); return 0;
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ:
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS: {
		int ns = t->id == LDP_T_TIMESTAMP_NS || t->id == LDP_T_TIMESTAMPTZ_NS;
		int tz = t->id == LDP_T_TIMESTAMPTZ || t->id == LDP_T_TIMESTAMPTZ_NS;
		ldp_buf_printf(b, "{\"type\":\"long\",\"logicalType\":\"timestamp-%s\",\"adjust-to-utc\":%s}",
			       ns ? "nanos" : "micros", tz ? "true" : "false");
		return 0;
	}
	case LDP_T_UUID: snprintf(name, sizeof name, "uuid_fixed"); break;
	case LDP_T_FIXED:
		if (t->length < 0)
			return ldp_error_set(LDP_EINVALID, "fixed partition type with negative length %d", t->length);
		snprintf(name, sizeof name, "fixed_%d", (int)t->length);
		break;
	case LDP_T_DECIMAL:
		if (t->precision < 1 || t->precision > 38 || t->scale < 0 || t->scale > t->precision)
			return ldp_error_set(LDP_EINVALID, "decimal(%d, %d) is not a valid partition type",
					     (int)t->precision, (int)t->scale);
		snprintf(name, sizeof name, "decimal_%d_%d", (int)t->precision, (int)t->scale);
		break;
	default:
		return ldp_error_set(LDP_EUNSUPPORTED, "partition values of this Iceberg type (%d) cannot be written",
				     (int)t->id);
	}
	/* defined holds "|name|" for every fixed already written */
	char key[70];
	snprintf(key, sizeof key, "|%s|", name);
	if (defined->len && strstr(defined->ptr, key)) {
		ldp_buf_printf(b, "\"%s\"", name);
		return 0;
	}
	ldp_buf_puts(defined, key);
	if (t->id == LDP_T_UUID)
		ldp_buf_puts(b, "{\"type\":\"fixed\",\"name\":\"uuid_fixed\",\"size\":16,\"logicalType\":\"uuid\"}");
	else if (t->id == LDP_T_FIXED)
		ldp_buf_printf(b, "{\"type\":\"fixed\",\"name\":\"%s\",\"size\":%d}", name, (int)t->length);
	else
		ldp_buf_printf(b,
			       "{\"type\":\"fixed\",\"name\":\"%s\",\"size\":%d,\"logicalType\":\"decimal\","
			       "\"precision\":%d,\"scale\":%d}",
			       name, decimal_bytes(t->precision), (int)t->precision, (int)t->scale);
	return 0;
}

const ldp_mf_map LDP_MF_MAPS[LDP_MF_NMAPS] = {
	{108, 117, 118, "column_sizes", 0},      {109, 119, 120, "value_counts", 0},
	{110, 121, 122, "null_value_counts", 0}, {137, 138, 139, "nan_value_counts", 0},
	{125, 126, 127, "lower_bounds", 1},      {128, 129, 130, "upper_bounds", 1},
};
#define MAPS  LDP_MF_MAPS
#define NMAPS LDP_MF_NMAPS

int ldp_manifest_entry_schema_json(const ldp_manifest_pfield *pfields, size_t npfields, ldp_buf *out)
{
	ldp_buf *b = out;
	ldp_buf defined = LDP_BUF_INIT;
	ldp_buf_puts(b, "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
			"{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
			"{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":1},"
			"{\"name\":\"sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":3},"
			"{\"name\":\"file_sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,"
			"\"field-id\":4},"
			"{\"name\":\"data_file\",\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["
			"{\"name\":\"content\",\"type\":\"int\",\"field-id\":134},"
			"{\"name\":\"file_path\",\"type\":\"string\",\"field-id\":100},"
			"{\"name\":\"file_format\",\"type\":\"string\",\"field-id\":101},"
			"{\"name\":\"partition\",\"type\":{\"type\":\"record\",\"name\":\"r102\",\"fields\":[");
	for (size_t i = 0; i < npfields; i++) {
		const ldp_manifest_pfield *pf = &pfields[i];
		if (pf->field_id < 0) {
			ldp_buf_free(&defined);
			return ldp_error_set(LDP_EINVALID, "partition field '%s' has no field id (v2 requires one)",
					     pf->name);
		}
		ldp_buf_puts(b, i ? ",{\"name\":\"" : "{\"name\":\"");
		int renamed = put_avro_name(b, pf->name);
		ldp_buf_puts(b, "\",\"type\":[\"null\",");
		int rc = partition_type_json(&pf->type, b, &defined);
		if (rc) {
			ldp_buf_free(&defined);
			return ldp_error_wrap(rc, "partition field '%s'", pf->name);
		}
		ldp_buf_printf(b, "],\"default\":null,\"field-id\":%d", (int)pf->field_id);
		if (renamed) {
			ldp_buf_puts(b, ",\"iceberg-field-name\":");
			ldp_json_append_string(b, pf->name, strlen(pf->name));
		}
		ldp_buf_putc(b, '}');
	}
	ldp_buf_free(&defined);
	ldp_buf_puts(b, "]},\"field-id\":102},"
			"{\"name\":\"record_count\",\"type\":\"long\",\"field-id\":103},"
			"{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"field-id\":104}");
	for (size_t m = 0; m < NMAPS; m++)
		ldp_buf_printf(b,
			       ",{\"name\":\"%s\",\"type\":[\"null\",{\"type\":\"array\","
			       "\"items\":{\"type\":\"record\","
			       "\"name\":\"k%d_v%d\",\"fields\":[{\"name\":\"key\",\"type\":\"int\",\"field-id\":%d},"
			       "{\"name\":\"value\",\"type\":\"%s\",\"field-id\":%d}]},\"logicalType\":\"map\"}],"
			       "\"default\":null,\"field-id\":%d}",
			       MAPS[m].name, (int)MAPS[m].key_id, (int)MAPS[m].value_id, (int)MAPS[m].key_id,
			       MAPS[m].binary ? "bytes" : "long", (int)MAPS[m].value_id, (int)MAPS[m].id);
	ldp_buf_puts(b, ",{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":131},"
			"{\"name\":\"split_offsets\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\","
			"\"element-id\":133}],\"default\":null,\"field-id\":132},"
			"{\"name\":\"equality_ids\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"int\","
			"\"element-id\":136}],\"default\":null,\"field-id\":135},"
			"{\"name\":\"sort_order_id\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":140},"
			"{\"name\":\"referenced_data_file\",\"type\":[\"null\",\"string\"],\"default\":null,"
			"\"field-id\":143}"
			"]},\"field-id\":2}]}");
	return ldp_buf_oom(b);
}

/* ---- writing ---- */

static int decimal_to_fixed(__int128 v, int n, uint8_t *out)
{
	/* fits in n bytes of two's complement? */
	if (n < 16) {
		__int128 lim = (__int128)1 << (8 * n - 1);
		if (v >= lim || v < -lim)
			return -1;
	}
	unsigned __int128 u = (unsigned __int128)v;
	for (int i = n - 1; i >= 0; i--, u >>= 8)
		out[i] = (uint8_t)u;
	return 0;
}

static int value_to_avro(ldp_arena *a, const ldp_manifest_pfield *pf, const ldp_avro_schema *ftype,
			 const ldp_value *v, ldp_avro_value **out)
{
	if (v->is_null)
		return (*out = ldp_avro_null(a)) ? 0 : LDP_ENOMEM;
	if (v->type != pf->type.id)
		return ldp_error_set(LDP_EINVALID, "partition value of type %d for field '%s' of type %d", (int)v->type,
				     pf->name, (int)pf->type.id);
	const ldp_avro_schema *fixed = ftype->branches[1];
	switch (v->type) {
	case LDP_T_BOOLEAN: *out = ldp_avro_bool(a, v->v.b); break;
	case LDP_T_INT:
	case LDP_T_DATE: *out = ldp_avro_int(a, v->v.i32); break;
	case LDP_T_LONG:
	case LDP_T_TIME:
	case LDP_T_TIMESTAMP:
	case LDP_T_TIMESTAMPTZ:
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS: *out = ldp_avro_long(a, v->v.i64); break;
	case LDP_T_FLOAT: *out = ldp_avro_float(a, v->v.f32); break;
	case LDP_T_DOUBLE: *out = ldp_avro_double(a, v->v.f64); break;
	case LDP_T_STRING: *out = ldp_avro_stringn(a, (const char *)v->v.bytes.ptr, v->v.bytes.len); break;
	case LDP_T_BINARY: *out = ldp_avro_bytes(a, v->v.bytes.ptr, v->v.bytes.len); break;
	case LDP_T_UUID:
	case LDP_T_FIXED:
		if (v->v.bytes.len != fixed->size)
			return ldp_error_set(LDP_EINVALID, "partition field '%s' needs %zu bytes, the value has %zu",
					     pf->name, fixed->size, v->v.bytes.len);
		*out = ldp_avro_fixed(a, fixed, v->v.bytes.ptr, v->v.bytes.len);
		break;
	case LDP_T_DECIMAL: {
		uint8_t buf[16];
		if (decimal_to_fixed(v->v.dec, (int)fixed->size, buf))
			return ldp_error_set(LDP_EINVALID, "decimal value does not fit decimal(%d, %d) of field '%s'",
					     (int)pf->type.precision, (int)pf->type.scale, pf->name);
		*out = ldp_avro_fixed(a, fixed, buf, fixed->size);
		break;
	}
	default: return ldp_error_set(LDP_EUNSUPPORTED, "partition value type %d", (int)v->type);
	}
	return *out ? 0 : LDP_ENOMEM;
}

const ldp_avro_schema *ldp_mf_nonnull(const ldp_avro_schema *s)
{
	if (s && s->kind == LDP_AVRO_UNION)
		for (size_t i = 0; i < s->nbranches; i++)
			if (s->branches[i]->kind != LDP_AVRO_NULL)
				return s->branches[i];
	return s;
}

static int metric_map_value(ldp_arena *a, const ldp_avro_schema *df, const ldp_mf_map *mm,
			    const ldp_data_file_entry *e, ldp_avro_value **out)
{
	const ldp_avro_schema *kv = ldp_mf_nonnull(ldp_avro_schema_field_by_id(df, mm->id, NULL)->type)->items;
	ldp_avro_value *arr = NULL;
	for (size_t i = 0; i < e->nmetrics; i++) {
		const ldp_col_metric *m = &e->metrics[i];
		int64_t num = -1;
		const uint8_t *p = NULL;
		size_t len = 0;
		switch (mm->id) {
		case 108: num = m->column_size; break;
		case 109: num = m->value_count; break;
		case 110: num = m->null_value_count; break;
		case 137: num = m->nan_value_count; break;
		case 125: p = m->lower, len = m->lower_len; break;
		default: p = m->upper, len = m->upper_len; break;
		}
		if (mm->binary ? !p : num < 0)
			continue;
		if (!arr && !(arr = ldp_avro_array(a)))
			return LDP_ENOMEM;
		ldp_avro_value *rec = ldp_avro_record(a, kv, false);
		ldp_avro_value *k = ldp_avro_int(a, m->field_id);
		ldp_avro_value *v = mm->binary ? ldp_avro_bytes(a, p, len) : ldp_avro_long(a, num);
		if (!rec || !k || !v)
			return LDP_ENOMEM;
		rec->u.record.fields[0] = k;
		rec->u.record.fields[1] = v;
		int rc = ldp_avro_array_append(a, arr, rec);
		if (rc)
			return rc;
	}
	*out = arr;
	return 0;
}

static int entry_to_avro(ldp_arena *a, const ldp_avro_schema *es, const ldp_manifest_info *info,
			 const ldp_data_file_entry *e, ldp_avro_value **out)
{
	const ldp_avro_schema *df = ldp_avro_schema_field_by_id(es, 2, NULL)->type;
	const ldp_avro_schema *ps = ldp_avro_schema_field_by_id(df, 102, NULL)->type;
	if (e->npartition != info->npfields)
		return ldp_error_set(LDP_EINVALID, "'%s' has %zu partition values, the spec has %zu fields",
				     e->file_path ? e->file_path : "?", e->npartition, info->npfields);
	if (!e->file_path || !e->file_format)
		return ldp_error_set(LDP_EINVALID, "a data file entry needs file_path and file_format");
	if ((unsigned)e->status > 2 || (unsigned)e->content > 2)
		return ldp_error_set(LDP_EINVALID, "'%s': invalid status %d or content %d", e->file_path,
				     (int)e->status, (int)e->content);
	ldp_avro_value *part = ldp_avro_record(a, ps, false);
	ldp_avro_value *d = ldp_avro_record(a, df, false);
	ldp_avro_value *r = ldp_avro_record(a, es, false);
	if (!part || !d || !r)
		return LDP_ENOMEM;
	int rc;
	for (size_t i = 0; i < info->npfields; i++) {
		if ((rc = value_to_avro(a, &info->pfields[i], ps->fields[i].type, &e->partition[i],
					&part->u.record.fields[i])))
			return ldp_error_wrap(rc, "'%s'", e->file_path);
	}
	ldp_avro_value **f = d->u.record.fields; /* in the order of the schema above */
	f[0] = ldp_avro_int(a, (int32_t)e->content);
	f[1] = ldp_avro_string(a, e->file_path);
	f[2] = ldp_avro_string(a, e->file_format);
	f[3] = part;
	f[4] = ldp_avro_long(a, e->record_count);
	f[5] = ldp_avro_long(a, e->file_size_in_bytes);
	for (size_t m = 0; m < NMAPS; m++)
		if ((rc = metric_map_value(a, df, &MAPS[m], e, &f[6 + m])))
			return rc;
	f[12] = NULL; /* key_metadata: not in the model */
	if (e->nsplit_offsets) {
		if (!(f[13] = ldp_avro_array(a)))
			return LDP_ENOMEM;
		for (size_t i = 0; i < e->nsplit_offsets; i++)
			if ((rc = ldp_avro_array_append(a, f[13], ldp_avro_long(a, e->split_offsets[i]))))
				return rc;
	}
	if (e->nequality_ids) {
		if (!(f[14] = ldp_avro_array(a)))
			return LDP_ENOMEM;
		for (size_t i = 0; i < e->nequality_ids; i++)
			if ((rc = ldp_avro_array_append(a, f[14], ldp_avro_int(a, e->equality_ids[i]))))
				return rc;
	}
	f[15] = e->sort_order_id >= 0 ? ldp_avro_int(a, e->sort_order_id) : NULL;
	f[16] = e->referenced_data_file ? ldp_avro_string(a, e->referenced_data_file) : NULL;
	ldp_avro_value **g = r->u.record.fields;
	g[0] = ldp_avro_int(a, (int32_t)e->status);
	g[1] = ldp_mf_opt_long(a, e->snapshot_id, e->snapshot_id >= 0);
	g[2] = ldp_mf_opt_long(a, e->sequence_number, e->sequence_number >= 0);
	g[3] = ldp_mf_opt_long(a, e->file_sequence_number, e->file_sequence_number >= 0);
	g[4] = d;
	*out = r;
	return 0;
}

int ldp_manifest_write(const ldp_manifest_info *info, const ldp_data_file_entry *entries, size_t n, ldp_buf *out)
{
	if (!info->schema_json || !info->spec_fields_json)
		return ldp_error_set(LDP_EINVALID, "writing a manifest: the table schema and partition spec JSON are "
						   "required (spec \"Manifest Metadata\")");
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_buf json = LDP_BUF_INIT;
	ldp_avro_writer *w = NULL;
	const ldp_avro_schema *es;
	char num[32];
	int rc = ldp_manifest_entry_schema_json(info->pfields, info->npfields, &json);
	if (!rc)
		rc = ldp_avro_schema_parse(&a, json.ptr, json.len, &es);
	ldp_avro_writer_opts opts = {.codec = LDP_AVRO_CODEC_DEFLATE};
	if (!rc)
		rc = ldp_avro_writer_new(es, &opts, out, &w);
	if (!rc)
		rc = ldp_avro_writer_meta_str(w, "schema", info->schema_json);
	snprintf(num, sizeof num, "%d", (int)info->schema_id);
	if (!rc)
		rc = ldp_avro_writer_meta_str(w, "schema-id", num);
	if (!rc)
		rc = ldp_avro_writer_meta_str(w, "partition-spec", info->spec_fields_json);
	snprintf(num, sizeof num, "%d", (int)info->spec_id);
	if (!rc)
		rc = ldp_avro_writer_meta_str(w, "partition-spec-id", num);
	if (!rc)
		rc = ldp_avro_writer_meta_str(w, "format-version", "2");
	if (!rc)
		rc = ldp_avro_writer_meta_str(w, "content", info->deletes ? "deletes" : "data");
	ldp_arena scratch;
	ldp_arena_init(&scratch, 0);
	for (size_t i = 0; !rc && i < n; i++) {
		ldp_avro_value *v = NULL;
		rc = entry_to_avro(&scratch, es, info, &entries[i], &v);
		if (!rc)
			rc = ldp_avro_writer_append(w, v);
		if (rc)
			rc = ldp_error_wrap(rc, "manifest entry %zu", i);
		ldp_arena_reset(&scratch);
	}
	if (!rc)
		rc = ldp_avro_writer_finish(w);
	ldp_avro_writer_free(w);
	ldp_arena_free(&scratch);
	ldp_buf_free(&json);
	ldp_arena_free(&a);
	return rc ? ldp_error_wrap(rc, "writing a manifest") : 0;
}
