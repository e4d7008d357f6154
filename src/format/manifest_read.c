/*
 * Reading Iceberg manifests, v1 and v2 (apache/iceberg format/spec.md
 * "Manifests", "Sequence Number Inheritance"). Fields are located by spec
 * field id so that other writers' names and field order do not matter; the
 * partition tuple's types come from the file's own partition record schema
 * (Appendix A mapping, read backwards).
 */
#include "format/manifest_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"

/* Iceberg type of a partition field from its Avro type. */
static int pfield_from_avro(ldp_arena *a, const ldp_avro_field *f, const char *ctx, ldp_manifest_pfield *pf)
{
	memset(pf, 0, sizeof *pf);
	pf->field_id = f->id;
	pf->name = f->name;
	const char *orig = ldp_avro_field_attr(f, "iceberg-field-name");
	if (orig) {
		json_t *j = json_loads(orig, JSON_DECODE_ANY, NULL);
		if (json_is_string(j))
			pf->name = ldp_arena_strdup(a, json_string_value(j));
		json_decref(j);
		if (!pf->name)
			return LDP_ENOMEM;
	}
	const ldp_avro_schema *t = ldp_mf_nonnull(f->type);
	const char *lt = t->logical_type ? t->logical_type : "";
	const char *utc = ldp_avro_schema_attr(t, "adjust-to-utc");
	int tz = utc && strcmp(utc, "true") == 0;
	int64_t p = 0, s = 0;
	switch (t->kind) {
	case LDP_AVRO_BOOLEAN: pf->type.id = LDP_T_BOOLEAN; return 0;
	case LDP_AVRO_INT: pf->type.id = strcmp(lt, "date") ? LDP_T_INT : LDP_T_DATE; return 0;
	case LDP_AVRO_LONG:
		if (!strcmp(lt, "time-micros"))
			pf->type.id = LDP_T_TIME;
		else if (!strcmp(lt, "timestamp-micros"))
			pf->type.id = tz ? LDP_T_TIMESTAMPTZ : LDP_T_TIMESTAMP;
		else if (!strcmp(lt, "timestamp-nanos"))
			pf->type.id = tz ? LDP_T_TIMESTAMPTZ_NS : LDP_T_TIMESTAMP_NS;
		else
			pf->type.id = LDP_T_LONG;
		return 0;
	case LDP_AVRO_FLOAT: pf->type.id = LDP_T_FLOAT; return 0;
	case LDP_AVRO_DOUBLE: pf->type.id = LDP_T_DOUBLE; return 0;
	case LDP_AVRO_STRING: pf->type.id = LDP_T_STRING; return 0;
	case LDP_AVRO_BYTES:
	case LDP_AVRO_FIXED:
		if (!strcmp(lt, "decimal")) {
			if (ldp_avro_schema_attr_int(t, "precision", &p) || ldp_avro_schema_attr_int(t, "scale", &s) ||
			    p < 1 || p > 38 || s < 0 || s > p || (t->kind == LDP_AVRO_FIXED && t->size > 16))
				return ldp_error_set(LDP_EUNSUPPORTED,
						     "%s: partition field '%s' has a decimal type ldp cannot read", ctx,
						     f->name);
			pf->type.id = LDP_T_DECIMAL;
			pf->type.precision = (int32_t)p;
			pf->type.scale = (int32_t)s;
		} else if (t->kind == LDP_AVRO_BYTES) {
			pf->type.id = LDP_T_BINARY;
		} else if (!strcmp(lt, "uuid") && t->size == 16) {
			pf->type.id = LDP_T_UUID;
		} else {
			pf->type.id = LDP_T_FIXED;
			pf->type.length = (int32_t)t->size;
		}
		return 0;
	default:
		return ldp_error_set(LDP_EUNSUPPORTED,
				     "%s: partition field '%s' has Avro type %s, not a partition type",
				     ctx, f->name, ldp_avro_kind_name(t->kind));
	}
}

static int value_from_avro(ldp_arena *a, const ldp_manifest_pfield *pf, const ldp_avro_value *v, const char *ctx,
			   ldp_value *out)
{
	memset(out, 0, sizeof *out);
	out->type = pf->type.id;
	if (ldp_avro_is_null(v)) {
		out->is_null = true;
		return 0;
	}
	/* A union with several non-null branches could carry another kind than
	 * the one the type was derived from: check before touching the union. */
	ldp_avro_kind want;
	switch (pf->type.id) {
	case LDP_T_BOOLEAN: want = LDP_AVRO_BOOLEAN; break;
	case LDP_T_INT:
	case LDP_T_DATE: want = LDP_AVRO_INT; break;
	case LDP_T_FLOAT: want = LDP_AVRO_FLOAT; break;
	case LDP_T_DOUBLE: want = LDP_AVRO_DOUBLE; break;
	case LDP_T_STRING: want = LDP_AVRO_STRING; break;
	case LDP_T_BINARY: want = LDP_AVRO_BYTES; break;
	case LDP_T_DECIMAL: want = v->kind == LDP_AVRO_BYTES ? LDP_AVRO_BYTES : LDP_AVRO_FIXED; break;
	case LDP_T_FIXED:
	case LDP_T_UUID: want = LDP_AVRO_FIXED; break;
	default: want = LDP_AVRO_LONG; break;
	}
	if (v->kind != want)
		return ldp_error_set(LDP_ECORRUPT, "%s: partition value '%s' is an Avro %s, expected %s", ctx, pf->name,
				     ldp_avro_kind_name(v->kind), ldp_avro_kind_name(want));
	switch (pf->type.id) {
	case LDP_T_BOOLEAN: out->v.b = v->u.b; return 0;
	case LDP_T_INT:
	case LDP_T_DATE: out->v.i32 = v->u.i; return 0;
	case LDP_T_FLOAT: out->v.f32 = v->u.f; return 0;
	case LDP_T_DOUBLE: out->v.f64 = v->u.d; return 0;
	case LDP_T_DECIMAL: {
		size_t n = v->u.bytes.len;
		if (n > 16)
			return ldp_error_set(LDP_ECORRUPT, "%s: decimal partition value '%s' of %zu bytes", ctx,
					     pf->name, n);
		/* big-endian two's complement, sign-extended */
		unsigned __int128 u = n && (v->u.bytes.ptr[0] & 0x80) ? ~(unsigned __int128)0 : 0;
		for (size_t i = 0; i < n; i++)
			u = (u << 8) | v->u.bytes.ptr[i];
		out->v.dec = (__int128)u;
		return 0;
	}
	case LDP_T_STRING:
	case LDP_T_BINARY:
	case LDP_T_FIXED:
	case LDP_T_UUID: {
		uint8_t *p = ldp_arena_alloc(a, v->u.bytes.len + 1);
		if (!p)
			return LDP_ENOMEM;
		if (v->u.bytes.len)
			memcpy(p, v->u.bytes.ptr, v->u.bytes.len);
		p[v->u.bytes.len] = 0;
		out->v.bytes.ptr = p;
		out->v.bytes.len = v->u.bytes.len;
		return 0;
	}
	default: out->v.i64 = v->u.l; return 0; /* long, time, timestamps */
	}
}

typedef struct metric_item {
	int32_t fid;
	int which; /* index into LDP_MF_MAPS */
	size_t seq;
	int64_t num;
	const uint8_t *p;
	size_t len;
} metric_item;

static int cmp_item(const void *x, const void *y)
{
	const metric_item *a = x, *b = y;
	if (a->fid != b->fid)
		return a->fid < b->fid ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

typedef struct items {
	metric_item *v;
	size_t n, cap;
} items;

static int add_item(items *it, int which, const ldp_avro_value *k, const ldp_avro_value *val, const char *ctx)
{
	const ldp_mf_map *mm = &LDP_MF_MAPS[which];
	if (!k || k->kind != LDP_AVRO_INT || ldp_avro_is_null(val))
		return k && k->kind == LDP_AVRO_INT ? 0
						    : ldp_error_set(LDP_ECORRUPT, "%s: %s has a key that is not an int",
								    ctx, mm->name);
	int is_bytes = val->kind == LDP_AVRO_BYTES || val->kind == LDP_AVRO_FIXED;
	if (mm->binary ? !is_bytes : (val->kind != LDP_AVRO_LONG && val->kind != LDP_AVRO_INT))
		return ldp_error_set(LDP_ECORRUPT, "%s: %s has a %s value", ctx, mm->name,
				     ldp_avro_kind_name(val->kind));
	if (it->n == it->cap) {
		size_t nc = it->cap ? it->cap * 2 : 32;
		metric_item *nv = realloc(it->v, nc * sizeof *nv);
		if (!nv)
			return ldp_error_set(LDP_ENOMEM, "out of memory reading column metrics");
		it->v = nv;
		it->cap = nc;
	}
	metric_item *m = &it->v[it->n];
	m->fid = k->u.i;
	m->which = which;
	m->seq = it->n++;
	m->num = val->kind == LDP_AVRO_LONG ? val->u.l : val->kind == LDP_AVRO_INT ? val->u.i : 0;
	m->p = is_bytes ? val->u.bytes.ptr : NULL;
	m->len = is_bytes ? val->u.bytes.len : 0;
	return 0;
}

/* Gather the six maps into one ldp_col_metric per field id, sorted by id
 * (sorting keeps this O(n log n) for wide tables). */
static int read_metrics(ldp_arena *a, const ldp_avro_value *df, const char *ctx, ldp_data_file_entry *e)
{
	items it = {0};
	int rc = 0;
	for (int m = 0; !rc && m < LDP_MF_NMAPS; m++) {
		const ldp_mf_map *mm = &LDP_MF_MAPS[m];
		ldp_avro_value *mv = ldp_mf_field(df, mm->id, mm->name);
		if (ldp_avro_is_null(mv))
			continue;
		if (mv->kind == LDP_AVRO_ARRAY) {
			for (size_t i = 0; !rc && i < mv->u.array.n; i++) {
				ldp_avro_value *kv = mv->u.array.items[i];
				rc = add_item(&it, m, ldp_mf_field(kv, mm->key_id, "key"),
					      ldp_mf_field(kv, mm->value_id, "value"), ctx);
			}
		} else if (mv->kind == LDP_AVRO_MAP) {
			/* string-keyed Avro map (allowed for other writers) */
			for (size_t i = 0; !rc && i < mv->u.map.n; i++) {
				char *end;
				long fid = strtol(mv->u.map.keys[i], &end, 10);
				ldp_avro_value k = {.kind = LDP_AVRO_INT, .branch = -1, .u.i = (int32_t)fid};
				if (*end || end == mv->u.map.keys[i] || fid < INT32_MIN || fid > INT32_MAX)
					rc = ldp_error_set(LDP_ECORRUPT, "%s: %s key '%s' is not a field id", ctx,
							   mm->name, mv->u.map.keys[i]);
				else
					rc = add_item(&it, m, &k, mv->u.map.values[i], ctx);
			}
		} else {
			rc = ldp_error_set(LDP_ECORRUPT, "%s: %s is an Avro %s, not a map", ctx, mm->name,
					   ldp_avro_kind_name(mv->kind));
		}
	}
	if (!rc && it.n) {
		qsort(it.v, it.n, sizeof *it.v, cmp_item);
		size_t nids = 1;
		for (size_t i = 1; i < it.n; i++)
			nids += it.v[i].fid != it.v[i - 1].fid;
		e->metrics = ldp_arena_alloc(a, nids * sizeof *e->metrics);
		if (!e->metrics)
			rc = LDP_ENOMEM;
		for (size_t i = 0; !rc && i < it.n; i++) {
			if (i == 0 || it.v[i].fid != it.v[i - 1].fid) {
				ldp_col_metric *c = &e->metrics[e->nmetrics++];
				memset(c, 0, sizeof *c);
				c->field_id = it.v[i].fid;
				c->column_size = c->value_count = c->null_value_count = c->nan_value_count = -1;
			}
			ldp_col_metric *c = &e->metrics[e->nmetrics - 1];
			const metric_item *m = &it.v[i];
			uint8_t *copy = NULL;
			if (m->p && !(copy = ldp_arena_alloc(a, m->len + 1))) {
				rc = LDP_ENOMEM;
				break;
			}
			if (copy && m->len)
				memcpy(copy, m->p, m->len);
			switch (LDP_MF_MAPS[m->which].id) {
			case 108: c->column_size = m->num; break;
			case 109: c->value_count = m->num; break;
			case 110: c->null_value_count = m->num; break;
			case 137: c->nan_value_count = m->num; break;
			case 125: c->lower = copy, c->lower_len = m->len; break;
			default: c->upper = copy, c->upper_len = m->len; break;
			}
		}
	}
	free(it.v);
	return rc;
}

static int read_list(ldp_arena *a, const ldp_avro_value *df, int32_t id, const char *name, int is_int,
		     const char *ctx, void **out, size_t *n)
{
	ldp_avro_value *v = ldp_mf_field(df, id, name);
	if (ldp_avro_is_null(v))
		return 0;
	if (v->kind != LDP_AVRO_ARRAY)
		return ldp_error_set(LDP_ECORRUPT, "%s: %s is not an array", ctx, name);
	size_t cnt = v->u.array.n;
	int64_t *l = is_int ? NULL : ldp_arena_alloc(a, (cnt ? cnt : 1) * sizeof *l);
	int32_t *i32 = is_int ? ldp_arena_alloc(a, (cnt ? cnt : 1) * sizeof *i32) : NULL;
	if (!l && !i32)
		return LDP_ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		const ldp_avro_value *it = v->u.array.items[i];
		ldp_avro_kind want = is_int ? LDP_AVRO_INT : LDP_AVRO_LONG;
		if (!it || (it->kind != want && !(!is_int && it->kind == LDP_AVRO_INT)))
			return ldp_error_set(LDP_ECORRUPT, "%s: %s item %zu is not an %s", ctx, name, i,
					     is_int ? "int" : "long");
		if (is_int)
			i32[i] = it->u.i;
		else
			l[i] = it->kind == LDP_AVRO_LONG ? it->u.l : it->u.i;
	}
	*out = is_int ? (void *)i32 : (void *)l;
	*n = cnt;
	return 0;
}

static int entry_from_avro(ldp_arena *a, const ldp_manifest *m, const ldp_avro_value *r, const char *ctx,
			   ldp_data_file_entry *e)
{
	memset(e, 0, sizeof *e);
	int32_t i32;
	int64_t i64;
	int rc;
	if ((rc = ldp_mf_int(r, 0, "status", true, ctx, &i32)) < 0)
		return rc;
	if (i32 < 0 || i32 > 2)
		return ldp_error_set(LDP_ECORRUPT, "%s: status %d is not 0, 1 or 2", ctx, (int)i32);
	e->status = (ldp_entry_status)i32;
	/* v1: snapshot_id is required and there are no sequence numbers, which
	 * read as 0 (spec "Sequence Number Inheritance"); v2: null -> inherit. */
	int64_t no_seq = m->format_version < 2 ? 0 : -1;
	e->sequence_number = e->file_sequence_number = no_seq;
	e->snapshot_id = -1;
	if ((rc = ldp_mf_long(r, 1, "snapshot_id", false, ctx, &i64)) < 0)
		return rc;
	if (rc)
		e->snapshot_id = i64;
	if ((rc = ldp_mf_long(r, 3, "sequence_number", false, ctx, &i64)) < 0)
		return rc;
	if (rc)
		e->sequence_number = i64;
	if ((rc = ldp_mf_long(r, 4, "file_sequence_number", false, ctx, &i64)) < 0)
		return rc;
	if (rc)
		e->file_sequence_number = i64;

	const ldp_avro_value *df = ldp_mf_field(r, 2, "data_file");
	if (!df || df->kind != LDP_AVRO_RECORD)
		return ldp_error_set(LDP_ECORRUPT, "%s: data_file (id 2) is missing or not a record", ctx);
	e->content = LDP_CONTENT_DATA;
	if ((rc = ldp_mf_int(df, 134, "content", false, ctx, &i32)) < 0)
		return rc;
	if (rc && (i32 < 0 || i32 > 2))
		return ldp_error_set(LDP_ECORRUPT, "%s: content %d is not 0, 1 or 2", ctx, (int)i32);
	if (rc)
		e->content = (ldp_content)i32;
	if ((rc = ldp_mf_string(a, df, 100, "file_path", true, ctx, &e->file_path)) < 0 ||
	    (rc = ldp_mf_string(a, df, 101, "file_format", true, ctx, &e->file_format)) < 0 ||
	    (rc = ldp_mf_long(df, 103, "record_count", true, ctx, &e->record_count)) < 0 ||
	    (rc = ldp_mf_long(df, 104, "file_size_in_bytes", true, ctx, &e->file_size_in_bytes)) < 0)
		return rc;

	const ldp_avro_value *part = ldp_mf_field(df, 102, "partition");
	if (m->npfields) {
		if (!part || part->kind != LDP_AVRO_RECORD || part->u.record.n != m->npfields)
			return ldp_error_set(LDP_ECORRUPT, "%s: partition (id 102) does not match its schema", ctx);
		e->npartition = m->npfields;
		if (!(e->partition = ldp_arena_alloc(a, m->npfields * sizeof *e->partition)))
			return LDP_ENOMEM;
		for (size_t i = 0; i < m->npfields; i++)
			if ((rc = value_from_avro(a, &m->pfields[i], part->u.record.fields[i], ctx, &e->partition[i])))
				return rc;
	}
	if ((rc = read_metrics(a, df, ctx, e)))
		return rc;
	if ((rc = read_list(a, df, 132, "split_offsets", 0, ctx, (void **)&e->split_offsets, &e->nsplit_offsets)) ||
	    (rc = read_list(a, df, 135, "equality_ids", 1, ctx, (void **)&e->equality_ids, &e->nequality_ids)))
		return rc;
	e->sort_order_id = -1;
	if ((rc = ldp_mf_int(df, 140, "sort_order_id", false, ctx, &e->sort_order_id)) < 0)
		return rc;
	if ((rc = ldp_mf_string(a, df, 143, "referenced_data_file", false, ctx, &e->referenced_data_file)) < 0)
		return rc;
	return 0;
}

static int meta_int(const ldp_avro_reader *r, const char *key, int32_t *out)
{
	const char *s = ldp_avro_reader_meta(r, key, NULL);
	if (!s)
		return 0;
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v < INT32_MIN || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* The partition record type inside manifest_entry.data_file. */
static int partition_schema(const ldp_avro_schema *es, const char *path, const ldp_avro_schema **out)
{
	const ldp_avro_field *df = ldp_avro_schema_field_by_id(es, 2, NULL);
	if (!df)
		df = ldp_avro_schema_field(es, "data_file", NULL);
	const ldp_avro_schema *dfs = df ? ldp_mf_nonnull(df->type) : NULL;
	const ldp_avro_field *pf = dfs ? ldp_avro_schema_field_by_id(dfs, 102, NULL) : NULL;
	if (dfs && !pf)
		pf = ldp_avro_schema_field(dfs, "partition", NULL);
	const ldp_avro_schema *ps = pf ? ldp_mf_nonnull(pf->type) : NULL;
	if (es->kind != LDP_AVRO_RECORD || !dfs || dfs->kind != LDP_AVRO_RECORD || !ps || ps->kind != LDP_AVRO_RECORD)
		return ldp_error_set(LDP_ECORRUPT,
				     "%s: not an Iceberg manifest (no manifest_entry.data_file.partition record)",
				     path);
	*out = ps;
	return 0;
}

int ldp_manifest_read(ldp_arena *a, const void *data, size_t len, const char *path, ldp_manifest **out)
{
	ldp_avro_reader *r = NULL;
	ldp_manifest *m = ldp_arena_calloc(a, 1, sizeof *m);
	if (!m)
		return LDP_ENOMEM;
	int rc = ldp_avro_reader_open(a, data, len, path, &r);
	if (rc)
		return rc;
	const ldp_avro_schema *es = ldp_avro_reader_schema(r), *ps = NULL;
	m->schema_id = m->spec_id = -1;
	m->format_version = 1;
	if (meta_int(r, "format-version", &m->format_version) || meta_int(r, "schema-id", &m->schema_id) ||
	    meta_int(r, "partition-spec-id", &m->spec_id)) {
		rc = ldp_error_set(LDP_ECORRUPT, "%s: manifest metadata has a non-numeric version or id", path);
		goto done;
	}
	if (!ldp_avro_reader_meta(r, "format-version", NULL) && ldp_avro_schema_field_by_id(es, 3, NULL))
		m->format_version = 2; /* a v2 entry schema without the key */
	const char *content = ldp_avro_reader_meta(r, "content", NULL);
	m->deletes = content && strcmp(content, "deletes") == 0;
	m->schema_json = ldp_avro_reader_meta(r, "schema", NULL);
	m->spec_fields_json = ldp_avro_reader_meta(r, "partition-spec", NULL);
	if ((rc = partition_schema(es, path, &ps)))
		goto done;
	m->npfields = ps->nfields;
	if (m->npfields && !(m->pfields = ldp_arena_alloc(a, m->npfields * sizeof *m->pfields))) {
		rc = LDP_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < m->npfields; i++)
		if ((rc = pfield_from_avro(a, &ps->fields[i], path, &m->pfields[i])))
			goto done;

	ldp_arena scratch;
	ldp_arena_init(&scratch, 0);
	size_t cap = 0;
	ldp_avro_value *v;
	char ctx[512];
	while ((rc = ldp_avro_reader_next(r, &scratch, &v)) == 1) {
		if (m->nentries == cap) {
			size_t nc = cap ? cap * 2 : 16;
			ldp_data_file_entry *ne = ldp_arena_alloc(a, nc * sizeof *ne);
			if (!ne) {
				rc = LDP_ENOMEM;
				break;
			}
			if (m->nentries)
				memcpy(ne, m->entries, m->nentries * sizeof *ne);
			m->entries = ne;
			cap = nc;
		}
		snprintf(ctx, sizeof ctx, "%s: entry %zu", path, m->nentries);
		if ((rc = entry_from_avro(a, m, v, ctx, &m->entries[m->nentries])))
			break;
		m->nentries++;
		ldp_arena_reset(&scratch);
	}
	ldp_arena_free(&scratch);
	if (rc > 0)
		rc = 0;
done:
	ldp_avro_reader_free(r);
	if (rc)
		return rc;
	*out = m;
	return 0;
}
