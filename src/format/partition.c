/* Partition specs and sort orders as JSON (spec: Appendix C); see format/partition.h. */
#include "format/partition.h"

#include <string.h>

#include "ldp/error.h"
#include "ldp/json.h"

static int get_i32(const json_t *o, const char *key, const char *what, bool required, int32_t *out)
{
	int64_t v = *out;
	int rc = required ? ldp_json_get_int64(o, key, what, &v) : ldp_json_opt_int64(o, key, what, &v);
	if (rc)
		return rc;
	if (v < INT32_MIN || v > INT32_MAX)
		return ldp_error_set(LDP_ECORRUPT, "%s: field '%s' is out of range for an int", what, key);
	*out = (int32_t)v;
	return LDP_OK;
}

/* "source-id", or the v3 "source-ids" list of a multi-argument transform. */
static int parse_sources(ldp_arena *a, const json_t *j, const char *what, int32_t *source_id, size_t *n,
			 int32_t **ids)
{
	const json_t *list = json_object_get(j, "source-ids");
	*n = 0;
	*ids = NULL;
	if (!list || json_is_null(list) || json_object_get(j, "source-id"))
		return get_i32(j, "source-id", what, true, source_id);
	if (!json_is_array(list) || json_array_size(list) == 0)
		return ldp_error_set(LDP_ECORRUPT, "%s: field 'source-ids' must be a non-empty array of ints", what);
	*n = json_array_size(list);
	*ids = ldp_arena_alloc(a, *n * sizeof(int32_t));
	if (!*ids)
		return LDP_ENOMEM;
	for (size_t i = 0; i < *n; i++) {
		json_t *v = json_array_get(list, i);
		if (!json_is_integer(v))
			return ldp_error_set(LDP_ECORRUPT, "%s: field 'source-ids' must hold integers", what);
		(*ids)[i] = (int32_t)json_integer_value(v);
	}
	*source_id = (*ids)[0];
	return LDP_OK;
}

static void put(json_t *o, const char *k, json_t *v, int *ok)
{
	if (!v || json_object_set_new(o, k, v))
		*ok = 0;
}

static void put_sources(json_t *o, int32_t source_id, size_t n, const int32_t *ids, int *ok)
{
	if (!n) {
		put(o, "source-id", json_integer(source_id), ok);
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_integer(ids[i])))
			*ok = 0;
	put(o, "source-ids", arr, ok);
}

static json_t *transform_json(const ldp_transform *t)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_transform_to_string(t, &b);
	json_t *s = ldp_buf_oom(&b) ? NULL : json_string(ldp_buf_cstr(&b));
	ldp_buf_free(&b);
	return s;
}

static json_t *fail_json(json_t *o, const char *what)
{
	json_decref(o);
	ldp_error_set(LDP_ENOMEM, "out of memory writing %s as JSON", what);
	return NULL;
}

static int32_t *copy_ids(ldp_arena *a, const int32_t *ids, size_t n)
{
	int32_t *c = ldp_arena_alloc(a, (n ? n : 1) * sizeof(int32_t));
	if (c && n)
		memcpy(c, ids, n * sizeof(int32_t));
	return c;
}

static bool same_ids(size_t n1, const int32_t *a, size_t n2, const int32_t *b)
{
	return n1 == n2 && (n1 == 0 || memcmp(a, b, n1 * sizeof(int32_t)) == 0);
}

/* ---- partition specs ---- */

int ldp_partition_spec_parse_fields(ldp_arena *a, const json_t *fields, int32_t spec_id, const char *what,
				    ldp_partition_spec **out)
{
	if (!json_is_array(fields))
		return ldp_error_set(LDP_ECORRUPT, "%s: partition fields must be an array", what);
	ldp_partition_spec *s = ldp_arena_calloc(a, 1, sizeof(*s));
	if (!s)
		return LDP_ENOMEM;
	s->spec_id = spec_id;
	s->nfields = json_array_size(fields);
	s->fields = ldp_arena_calloc(a, s->nfields ? s->nfields : 1, sizeof(ldp_partition_field));
	if (!s->fields)
		return LDP_ENOMEM;
	for (size_t i = 0; i < s->nfields; i++) {
		const json_t *fj = json_array_get(fields, i);
		ldp_partition_field *f = &s->fields[i];
		char *sub = ldp_arena_sprintf(a, "%s: partition spec %d field %zu", what, spec_id, i);
		if (!sub)
			return LDP_ENOMEM;
		if (!json_is_object(fj))
			return ldp_error_set(LDP_ECORRUPT, "%s: must be an object", sub);
		const char *transform;
		/* v1 specs may lack field ids: the reference implementation
		 * numbered them from 1000 within each spec. */
		f->field_id = LDP_PARTITION_FIELD_ID_START + (int32_t)i;
		int rc = parse_sources(a, fj, sub, &f->source_id, &f->nsource_ids, &f->source_ids);
		if (!rc)
			rc = get_i32(fj, "field-id", sub, false, &f->field_id);
		if (!rc)
			rc = ldp_json_get_string(fj, "name", sub, &f->name);
		if (!rc)
			rc = ldp_json_get_string(fj, "transform", sub, &transform);
		if (!rc && !(f->name = ldp_arena_strdup(a, f->name)))
			rc = LDP_ENOMEM;
		if (!rc)
			rc = ldp_transform_parse(transform, a, &f->transform);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < s->nfields; i++)
		for (size_t k = 0; k < i; k++)
			if (s->fields[i].field_id == s->fields[k].field_id)
				return ldp_error_set(LDP_ECORRUPT, "%s: partition spec %d uses field id %d twice", what,
						     spec_id, s->fields[i].field_id);
	*out = s;
	return LDP_OK;
}

int ldp_partition_spec_parse(ldp_arena *a, const json_t *j, const char *what, ldp_partition_spec **out)
{
	int32_t spec_id = 0;
	json_t *fields;
	int rc = get_i32(j, "spec-id", what, true, &spec_id);
	if (!rc)
		rc = ldp_json_get_array(j, "fields", what, &fields);
	return rc ? rc : ldp_partition_spec_parse_fields(a, fields, spec_id, what, out);
}

json_t *ldp_partition_spec_fields_to_json(const ldp_partition_spec *s)
{
	json_t *arr = json_array();
	if (!arr)
		return fail_json(NULL, "a partition spec");
	for (size_t i = 0; i < s->nfields; i++) {
		const ldp_partition_field *f = &s->fields[i];
		json_t *o = json_object();
		int ok = o != NULL;
		if (o) {
			put_sources(o, f->source_id, f->nsource_ids, f->source_ids, &ok);
			put(o, "field-id", json_integer(f->field_id), &ok);
			put(o, "name", json_string(f->name), &ok);
			put(o, "transform", transform_json(&f->transform), &ok);
		}
		if (!ok || json_array_append_new(arr, o)) {
			json_decref(ok ? NULL : o);
			return fail_json(arr, "a partition spec");
		}
	}
	return arr;
}

json_t *ldp_partition_spec_to_json(const ldp_partition_spec *s)
{
	json_t *o = json_object();
	int ok = o != NULL;
	if (o) {
		put(o, "spec-id", json_integer(s->spec_id), &ok);
		put(o, "fields", ldp_partition_spec_fields_to_json(s), &ok);
	}
	return ok ? o : fail_json(o, "a partition spec");
}

int ldp_partition_spec_copy(ldp_arena *a, const ldp_partition_spec *in, ldp_partition_spec **out)
{
	ldp_partition_spec *s = ldp_arena_calloc(a, 1, sizeof(*s));
	if (!s)
		return LDP_ENOMEM;
	*s = *in;
	s->fields = ldp_arena_calloc(a, in->nfields ? in->nfields : 1, sizeof(ldp_partition_field));
	if (!s->fields)
		return LDP_ENOMEM;
	for (size_t i = 0; i < in->nfields; i++) {
		ldp_partition_field *f = &s->fields[i];
		*f = in->fields[i];
		if (!(f->name = ldp_arena_strdup(a, in->fields[i].name)) ||
		    !(f->source_ids = copy_ids(a, in->fields[i].source_ids, in->fields[i].nsource_ids)) ||
		    (in->fields[i].transform.text &&
		     !(f->transform.text = ldp_arena_strdup(a, in->fields[i].transform.text))))
			return LDP_ENOMEM;
	}
	*out = s;
	return LDP_OK;
}

bool ldp_partition_spec_same_fields(const ldp_partition_spec *x, const ldp_partition_spec *y)
{
	if (x->nfields != y->nfields)
		return false;
	for (size_t i = 0; i < x->nfields; i++) {
		const ldp_partition_field *f = &x->fields[i], *g = &y->fields[i];
		if (f->source_id != g->source_id || f->field_id != g->field_id || strcmp(f->name, g->name) != 0 ||
		    !ldp_transform_equal(&f->transform, &g->transform) ||
		    !same_ids(f->nsource_ids, f->source_ids, g->nsource_ids, g->source_ids))
			return false;
	}
	return true;
}

int32_t ldp_partition_spec_max_field_id(const ldp_partition_spec *s)
{
	int32_t m = LDP_PARTITION_FIELD_ID_START - 1;
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].field_id > m)
			m = s->fields[i].field_id;
	return m;
}

bool ldp_partition_spec_is_unpartitioned(const ldp_partition_spec *s)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].transform.kind != LDP_TR_VOID)
			return false;
	return true;
}

/* ---- sort orders ---- */

int ldp_sort_order_parse(ldp_arena *a, const json_t *j, const char *what, ldp_sort_order **out)
{
	ldp_sort_order *o = ldp_arena_calloc(a, 1, sizeof(*o));
	if (!o)
		return LDP_ENOMEM;
	json_t *fields;
	int rc = get_i32(j, "order-id", what, true, &o->order_id);
	if (!rc)
		rc = ldp_json_get_array(j, "fields", what, &fields);
	if (rc)
		return rc;
	o->nfields = json_array_size(fields);
	o->fields = ldp_arena_calloc(a, o->nfields ? o->nfields : 1, sizeof(ldp_sort_field));
	if (!o->fields)
		return LDP_ENOMEM;
	for (size_t i = 0; i < o->nfields; i++) {
		const json_t *fj = json_array_get(fields, i);
		ldp_sort_field *f = &o->fields[i];
		char *sub = ldp_arena_sprintf(a, "%s: sort order %d field %zu", what, o->order_id, i);
		if (!sub)
			return LDP_ENOMEM;
		if (!json_is_object(fj))
			return ldp_error_set(LDP_ECORRUPT, "%s: must be an object", sub);
		const char *transform, *dir, *nulls;
		rc = parse_sources(a, fj, sub, &f->source_id, &f->nsource_ids, &f->source_ids);
		if (!rc)
			rc = ldp_json_get_string(fj, "transform", sub, &transform);
		if (!rc)
			rc = ldp_json_get_string(fj, "direction", sub, &dir);
		if (!rc)
			rc = ldp_json_get_string(fj, "null-order", sub, &nulls);
		if (!rc)
			rc = ldp_transform_parse(transform, a, &f->transform);
		if (rc)
			return rc;
		if (strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
			return ldp_error_set(LDP_ECORRUPT, "%s: field 'direction' must be \"asc\" or \"desc\", not \"%s\"",
					     sub, dir);
		if (strcmp(nulls, "nulls-first") != 0 && strcmp(nulls, "nulls-last") != 0)
			return ldp_error_set(LDP_ECORRUPT,
					     "%s: field 'null-order' must be \"nulls-first\" or \"nulls-last\", not \"%s\"",
					     sub, nulls);
		f->descending = strcmp(dir, "desc") == 0;
		f->nulls_first = strcmp(nulls, "nulls-first") == 0;
	}
	*out = o;
	return LDP_OK;
}

json_t *ldp_sort_order_to_json(const ldp_sort_order *so)
{
	json_t *o = json_object();
	json_t *arr = json_array();
	int ok = o && arr;
	for (size_t i = 0; ok && i < so->nfields; i++) {
		const ldp_sort_field *f = &so->fields[i];
		json_t *fo = json_object();
		int fok = fo != NULL;
		if (fo) {
			put(fo, "transform", transform_json(&f->transform), &fok);
			put_sources(fo, f->source_id, f->nsource_ids, f->source_ids, &fok);
			put(fo, "direction", json_string(f->descending ? "desc" : "asc"), &fok);
			put(fo, "null-order", json_string(f->nulls_first ? "nulls-first" : "nulls-last"), &fok);
		}
		if (!fok || json_array_append_new(arr, fo)) {
			if (!fok)
				json_decref(fo);
			ok = 0;
		}
	}
	if (ok) {
		put(o, "order-id", json_integer(so->order_id), &ok);
		put(o, "fields", arr, &ok);
		arr = NULL;
	}
	if (!ok) {
		json_decref(arr);
		return fail_json(o, "a sort order");
	}
	return o;
}

int ldp_sort_order_copy(ldp_arena *a, const ldp_sort_order *in, ldp_sort_order **out)
{
	ldp_sort_order *o = ldp_arena_calloc(a, 1, sizeof(*o));
	if (!o)
		return LDP_ENOMEM;
	*o = *in;
	o->fields = ldp_arena_calloc(a, in->nfields ? in->nfields : 1, sizeof(ldp_sort_field));
	if (!o->fields)
		return LDP_ENOMEM;
	for (size_t i = 0; i < in->nfields; i++) {
		ldp_sort_field *f = &o->fields[i];
		*f = in->fields[i];
		if (!(f->source_ids = copy_ids(a, in->fields[i].source_ids, in->fields[i].nsource_ids)) ||
		    (in->fields[i].transform.text &&
		     !(f->transform.text = ldp_arena_strdup(a, in->fields[i].transform.text))))
			return LDP_ENOMEM;
	}
	*out = o;
	return LDP_OK;
}

bool ldp_sort_order_same_fields(const ldp_sort_order *x, const ldp_sort_order *y)
{
	if (x->nfields != y->nfields)
		return false;
	for (size_t i = 0; i < x->nfields; i++) {
		const ldp_sort_field *f = &x->fields[i], *g = &y->fields[i];
		if (f->source_id != g->source_id || f->descending != g->descending || f->nulls_first != g->nulls_first ||
		    !ldp_transform_equal(&f->transform, &g->transform) ||
		    !same_ids(f->nsource_ids, f->source_ids, g->nsource_ids, g->source_ids))
			return false;
	}
	return true;
}
