/*
 * Avro datum tree: builders, accessors, JSON defaults and schema resolution
 * (Avro 1.11 specification, "Schema Resolution"; Iceberg spec Appendix A
 * for matching record fields by field-id).
 */
#include "format/avro.h"

#include <string.h>

#include "ldp/error.h"

#define MAX_VALUE_DEPTH 200

static ldp_avro_value *new_value(ldp_arena *a, ldp_avro_kind k)
{
	ldp_avro_value *v = ldp_arena_calloc(a, 1, sizeof *v);
	if (v) {
		v->kind = k;
		v->branch = -1;
	}
	return v;
}

ldp_avro_value *ldp_avro_null(ldp_arena *a)
{
	return new_value(a, LDP_AVRO_NULL);
}

ldp_avro_value *ldp_avro_bool(ldp_arena *a, bool b)
{
	ldp_avro_value *v = new_value(a, LDP_AVRO_BOOLEAN);
	if (v)
		v->u.b = b;
	return v;
}

ldp_avro_value *ldp_avro_int(ldp_arena *a, int32_t i)
{
	ldp_avro_value *v = new_value(a, LDP_AVRO_INT);
	if (v)
		v->u.i = i;
	return v;
}

ldp_avro_value *ldp_avro_long(ldp_arena *a, int64_t l)
{
	ldp_avro_value *v = new_value(a, LDP_AVRO_LONG);
	if (v)
		v->u.l = l;
	return v;
}

ldp_avro_value *ldp_avro_float(ldp_arena *a, float f)
{
	ldp_avro_value *v = new_value(a, LDP_AVRO_FLOAT);
	if (v)
		v->u.f = f;
	return v;
}

ldp_avro_value *ldp_avro_double(ldp_arena *a, double d)
{
	ldp_avro_value *v = new_value(a, LDP_AVRO_DOUBLE);
	if (v)
		v->u.d = d;
	return v;
}

static ldp_avro_value *bytes_value(ldp_arena *a, ldp_avro_kind k, const void *p, size_t len)
{
	ldp_avro_value *v = new_value(a, k);
	if (!v)
		return NULL;
	/* NUL-terminated so that strings can be used as C strings. */
	char *copy = ldp_arena_alloc(a, len + 1);
	if (!copy)
		return NULL;
	if (len)
		memcpy(copy, p, len);
	copy[len] = '\0';
	v->u.bytes.ptr = (const uint8_t *)copy;
	v->u.bytes.len = len;
	return v;
}

ldp_avro_value *ldp_avro_bytes(ldp_arena *a, const void *p, size_t len)
{
	return bytes_value(a, LDP_AVRO_BYTES, p, len);
}

ldp_avro_value *ldp_avro_string(ldp_arena *a, const char *s)
{
	return bytes_value(a, LDP_AVRO_STRING, s, strlen(s));
}

ldp_avro_value *ldp_avro_stringn(ldp_arena *a, const char *s, size_t len)
{
	return bytes_value(a, LDP_AVRO_STRING, s, len);
}

ldp_avro_value *ldp_avro_fixed(ldp_arena *a, const ldp_avro_schema *fixed, const void *p, size_t len)
{
	ldp_avro_value *v = bytes_value(a, LDP_AVRO_FIXED, p, len);
	if (v)
		v->schema = fixed;
	return v;
}

ldp_avro_value *ldp_avro_enum(ldp_arena *a, const ldp_avro_schema *enm, const char *symbol)
{
	for (size_t i = 0; i < enm->nsymbols; i++) {
		if (strcmp(enm->symbols[i], symbol) == 0) {
			ldp_avro_value *v = new_value(a, LDP_AVRO_ENUM);
			if (v) {
				v->schema = enm;
				v->u.enm.index = (int32_t)i;
				v->u.enm.symbol = enm->symbols[i];
			}
			return v;
		}
	}
	ldp_error_set(LDP_EINVALID, "'%s' is not a symbol of Avro enum '%s'", symbol, enm->fullname);
	return NULL;
}

ldp_avro_value *ldp_avro_array(ldp_arena *a)
{
	return new_value(a, LDP_AVRO_ARRAY);
}

ldp_avro_value *ldp_avro_map(ldp_arena *a)
{
	return new_value(a, LDP_AVRO_MAP);
}

ldp_avro_value *ldp_avro_record(ldp_arena *a, const ldp_avro_schema *rec, bool defaults)
{
	ldp_avro_value *v = new_value(a, LDP_AVRO_RECORD);
	if (!v)
		return NULL;
	v->schema = rec;
	v->u.record.n = rec->nfields;
	if (rec->nfields && !(v->u.record.fields = ldp_arena_calloc(a, rec->nfields, sizeof(ldp_avro_value *))))
		return NULL;
	for (size_t i = 0; defaults && i < rec->nfields; i++)
		v->u.record.fields[i] = (ldp_avro_value *)rec->fields[i].default_value;
	return v;
}

/* Grow an arena array to hold n+1 elements (arenas cannot realloc: copy,
 * doubling so the waste stays within a factor of two). */
static int reserve(ldp_arena *a, void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 4;
	void *np = ldp_arena_calloc(a, nc, elem);
	if (!np)
		return LDP_ENOMEM;
	if (n)
		memcpy(np, *arr, n * elem);
	*arr = np;
	*cap = nc;
	return 0;
}

int ldp_avro_array_append(ldp_arena *a, ldp_avro_value *arr, ldp_avro_value *item)
{
	if (arr->kind != LDP_AVRO_ARRAY)
		return ldp_error_set(LDP_EINVALID, "appending to an Avro %s, not an array",
				     ldp_avro_kind_name(arr->kind));
	int rc = reserve(a, (void **)&arr->u.array.items, &arr->u.array.cap, arr->u.array.n, sizeof(ldp_avro_value *));
	if (rc)
		return rc;
	arr->u.array.items[arr->u.array.n++] = item;
	return 0;
}

int ldp_avro_map_put(ldp_arena *a, ldp_avro_value *map, const char *key, ldp_avro_value *v)
{
	if (map->kind != LDP_AVRO_MAP)
		return ldp_error_set(LDP_EINVALID, "putting a key into an Avro %s, not a map",
				     ldp_avro_kind_name(map->kind));
	size_t klen = strlen(key);
	for (size_t i = 0; i < map->u.map.n; i++) {
		if (map->u.map.key_lens[i] == klen && memcmp(map->u.map.keys[i], key, klen) == 0) {
			map->u.map.values[i] = v;
			return 0;
		}
	}
	size_t n = map->u.map.n, cap = map->u.map.cap;
	int rc = reserve(a, (void **)&map->u.map.keys, &cap, n, sizeof(char *));
	cap = map->u.map.cap;
	if (!rc)
		rc = reserve(a, (void **)&map->u.map.key_lens, &cap, n, sizeof(size_t));
	cap = map->u.map.cap;
	if (!rc)
		rc = reserve(a, (void **)&map->u.map.values, &cap, n, sizeof(ldp_avro_value *));
	if (rc)
		return rc;
	map->u.map.cap = cap;
	if (!(map->u.map.keys[n] = ldp_arena_strdup(a, key)))
		return LDP_ENOMEM;
	map->u.map.key_lens[n] = klen;
	map->u.map.values[n] = v;
	map->u.map.n = n + 1;
	return 0;
}

int ldp_avro_record_set(ldp_avro_value *rec, const char *name, ldp_avro_value *v)
{
	size_t i;
	if (rec->kind != LDP_AVRO_RECORD || !ldp_avro_schema_field(rec->schema, name, &i) || i >= rec->u.record.n)
		return ldp_error_set(LDP_ENOTFOUND, "Avro record '%s' has no field '%s'",
				     rec->schema ? rec->schema->fullname : "?", name);
	rec->u.record.fields[i] = v;
	return 0;
}

int ldp_avro_record_set_id(ldp_avro_value *rec, int32_t field_id, ldp_avro_value *v)
{
	size_t i;
	if (rec->kind != LDP_AVRO_RECORD || !ldp_avro_schema_field_by_id(rec->schema, field_id, &i) ||
	    i >= rec->u.record.n)
		return ldp_error_set(LDP_ENOTFOUND, "Avro record '%s' has no field with id %d",
				     rec->schema ? rec->schema->fullname : "?", (int)field_id);
	rec->u.record.fields[i] = v;
	return 0;
}

ldp_avro_value *ldp_avro_record_get(const ldp_avro_value *rec, const char *name)
{
	size_t i;
	if (!rec || rec->kind != LDP_AVRO_RECORD || !ldp_avro_schema_field(rec->schema, name, &i) ||
	    i >= rec->u.record.n)
		return NULL;
	return rec->u.record.fields[i];
}

ldp_avro_value *ldp_avro_record_get_id(const ldp_avro_value *rec, int32_t field_id)
{
	size_t i;
	if (!rec || rec->kind != LDP_AVRO_RECORD || !ldp_avro_schema_field_by_id(rec->schema, field_id, &i) ||
	    i >= rec->u.record.n)
		return NULL;
	return rec->u.record.fields[i];
}

ldp_avro_value *ldp_avro_map_get(const ldp_avro_value *map, const char *key)
{
	if (!map || map->kind != LDP_AVRO_MAP)
		return NULL;
	size_t klen = strlen(key);
	for (size_t i = 0; i < map->u.map.n; i++)
		if (map->u.map.key_lens[i] == klen && memcmp(map->u.map.keys[i], key, klen) == 0)
			return map->u.map.values[i];
	return NULL;
}

/* ---- JSON defaults ---- */

/* Avro encodes bytes and fixed defaults as strings whose code points
 * 0..255 are the bytes (ISO-8859-1). jansson hands us UTF-8. */
static int latin1_bytes(ldp_arena *a, const json_t *j, uint8_t **out, size_t *len)
{
	const unsigned char *s = (const unsigned char *)json_string_value(j);
	size_t n = json_string_length(j), o = 0;
	uint8_t *b = ldp_arena_alloc(a, n + 1);
	if (!b)
		return LDP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x80) {
			b[o++] = s[i];
		} else if ((s[i] & 0xE0) == 0xC0 && i + 1 < n && s[i] <= 0xC3) {
			b[o++] = (uint8_t)(((s[i] & 0x03) << 6) | (s[i + 1] & 0x3F));
			i++;
		} else {
			return ldp_error_set(LDP_EINVALID, "bytes default has a character above U+00FF");
		}
	}
	b[o] = 0;
	*out = b;
	*len = o;
	return 0;
}

static int from_json(ldp_arena *a, const ldp_avro_schema *s, const json_t *j, int depth, ldp_avro_value **out);

static int union_from_json(ldp_arena *a, const ldp_avro_schema *s, const json_t *j, int depth,
			   ldp_avro_value **out)
{
	/* Avro 1.11 wants the first branch; try it first, then the others
	 * (later specifications accept any branch). */
	for (size_t i = 0; i < s->nbranches; i++) {
		ldp_avro_value *v;
		if (from_json(a, s->branches[i], j, depth, &v) == 0) {
			v->branch = (int32_t)i;
			*out = v;
			ldp_error_clear();
			return 0;
		}
	}
	return ldp_error_set(LDP_EINVALID, "default matches no branch of the union");
}

static int from_json(ldp_arena *a, const ldp_avro_schema *s, const json_t *j, int depth, ldp_avro_value **out)
{
	if (depth > MAX_VALUE_DEPTH)
		return ldp_error_set(LDP_EINVALID, "default nested too deeply");
	ldp_avro_value *v = NULL;
	const char *want = ldp_avro_kind_name(s->kind);
	switch (s->kind) {
	case LDP_AVRO_NULL:
		if (!json_is_null(j))
			goto mismatch;
		v = ldp_avro_null(a);
		break;
	case LDP_AVRO_BOOLEAN:
		if (!json_is_boolean(j))
			goto mismatch;
		v = ldp_avro_bool(a, json_is_true(j));
		break;
	case LDP_AVRO_INT:
		if (!json_is_integer(j) || json_integer_value(j) < INT32_MIN || json_integer_value(j) > INT32_MAX)
			goto mismatch;
		v = ldp_avro_int(a, (int32_t)json_integer_value(j));
		break;
	case LDP_AVRO_LONG:
		if (!json_is_integer(j))
			goto mismatch;
		v = ldp_avro_long(a, json_integer_value(j));
		break;
	case LDP_AVRO_FLOAT:
		if (!json_is_number(j))
			goto mismatch;
		v = ldp_avro_float(a, (float)json_number_value(j));
		break;
	case LDP_AVRO_DOUBLE:
		if (!json_is_number(j))
			goto mismatch;
		v = ldp_avro_double(a, json_number_value(j));
		break;
	case LDP_AVRO_STRING:
		if (!json_is_string(j))
			goto mismatch;
		v = ldp_avro_stringn(a, json_string_value(j), json_string_length(j));
		break;
	case LDP_AVRO_BYTES:
	case LDP_AVRO_FIXED: {
		if (!json_is_string(j))
			goto mismatch;
		uint8_t *b = NULL;
		size_t n = 0;
		int rc = latin1_bytes(a, j, &b, &n);
		if (rc)
			return rc;
		if (s->kind == LDP_AVRO_FIXED && n != s->size)
			return ldp_error_set(LDP_EINVALID, "default has %zu bytes, fixed '%s' needs %zu", n,
					     s->fullname, s->size);
		if (!(v = new_value(a, s->kind)))
			return LDP_ENOMEM;
		v->u.bytes.ptr = b;
		v->u.bytes.len = n;
		if (s->kind == LDP_AVRO_FIXED)
			v->schema = s;
		break;
	}
	case LDP_AVRO_ENUM:
		if (!json_is_string(j))
			goto mismatch;
		if (!(v = ldp_avro_enum(a, s, json_string_value(j))))
			return LDP_EINVALID;
		break;
	case LDP_AVRO_ARRAY: {
		if (!json_is_array(j))
			goto mismatch;
		if (!(v = ldp_avro_array(a)))
			return LDP_ENOMEM;
		size_t i;
		json_t *item;
		json_array_foreach(j, i, item)
		{
			ldp_avro_value *iv = NULL;
			int rc = from_json(a, s->items, item, depth + 1, &iv);
			if (!rc)
				rc = ldp_avro_array_append(a, v, iv);
			if (rc)
				return rc;
		}
		break;
	}
	case LDP_AVRO_MAP: {
		if (!json_is_object(j))
			goto mismatch;
		if (!(v = ldp_avro_map(a)))
			return LDP_ENOMEM;
		const char *key;
		json_t *item;
		json_object_foreach((json_t *)j, key, item)
		{
			ldp_avro_value *iv = NULL;
			int rc = from_json(a, s->values, item, depth + 1, &iv);
			if (!rc)
				rc = ldp_avro_map_put(a, v, key, iv);
			if (rc)
				return rc;
		}
		break;
	}
	case LDP_AVRO_RECORD: {
		if (!json_is_object(j))
			goto mismatch;
		if (!(v = ldp_avro_record(a, s, false)))
			return LDP_ENOMEM;
		for (size_t i = 0; i < s->nfields; i++) {
			const json_t *fj = json_object_get(j, s->fields[i].name);
			if (!fj) {
				if (!s->fields[i].default_value)
					return ldp_error_set(LDP_EINVALID, "default lacks field '%s'",
							     s->fields[i].name);
				v->u.record.fields[i] = (ldp_avro_value *)s->fields[i].default_value;
				continue;
			}
			int rc = from_json(a, s->fields[i].type, fj, depth + 1, &v->u.record.fields[i]);
			if (rc)
				return ldp_error_wrap(rc, "field '%s'", s->fields[i].name);
		}
		break;
	}
	case LDP_AVRO_UNION: return union_from_json(a, s, j, depth + 1, out);
	}
	if (!v)
		return LDP_ENOMEM;
	*out = v;
	return 0;
mismatch:
	return ldp_error_set(LDP_EINVALID, "default is not a valid %s", want);
}

int ldp_avro_value_from_json(ldp_arena *a, const ldp_avro_schema *s, const json_t *j, ldp_avro_value **out)
{
	return from_json(a, s, j, 0, out);
}

/* ---- schema resolution ---- */

static int promotable(ldp_avro_kind from, ldp_avro_kind to)
{
	switch (from) {
	case LDP_AVRO_INT: return to == LDP_AVRO_LONG || to == LDP_AVRO_FLOAT || to == LDP_AVRO_DOUBLE;
	case LDP_AVRO_LONG: return to == LDP_AVRO_FLOAT || to == LDP_AVRO_DOUBLE;
	case LDP_AVRO_FLOAT: return to == LDP_AVRO_DOUBLE;
	case LDP_AVRO_STRING: return to == LDP_AVRO_BYTES;
	case LDP_AVRO_BYTES: return to == LDP_AVRO_STRING;
	default: return 0;
	}
}

static int same_name(const ldp_avro_value *v, const ldp_avro_schema *s)
{
	return !v->schema || !v->schema->fullname || strcmp(v->schema->fullname, s->fullname) == 0;
}

/* The union branch a value resolves to: same kind (and name, for named
 * types) first, then the first branch it can be promoted to. */
static int pick_branch(const ldp_avro_value *v, const ldp_avro_schema *u)
{
	ldp_avro_kind k = v ? v->kind : LDP_AVRO_NULL;
	for (size_t i = 0; i < u->nbranches; i++) {
		const ldp_avro_schema *b = u->branches[i];
		if (b->kind != k)
			continue;
		if ((k == LDP_AVRO_RECORD || k == LDP_AVRO_ENUM || k == LDP_AVRO_FIXED) && !same_name(v, b))
			continue;
		return (int)i;
	}
	for (size_t i = 0; i < u->nbranches; i++)
		if (u->branches[i]->kind == k || promotable(k, u->branches[i]->kind))
			return (int)i;
	return -1;
}

static int project(ldp_arena *a, const ldp_avro_value *v, const ldp_avro_schema *r, int depth, ldp_avro_value **out);

static int project_record(ldp_arena *a, const ldp_avro_value *v, const ldp_avro_schema *r, int depth,
			  ldp_avro_value **out)
{
	const ldp_avro_schema *w = v->schema;
	if (w == r) {
		*out = (ldp_avro_value *)v;
		return 0;
	}
	ldp_avro_value *rv = ldp_avro_record(a, r, false);
	if (!rv)
		return LDP_ENOMEM;
	for (size_t i = 0; i < r->nfields; i++) {
		const ldp_avro_field *rf = &r->fields[i];
		size_t wi = 0;
		const ldp_avro_field *wf = NULL;
		if (rf->id != LDP_AVRO_NO_ID)
			wf = ldp_avro_schema_field_by_id(w, rf->id, &wi);
		if (!wf) {
			wf = ldp_avro_schema_field(w, rf->name, &wi);
			/* A same-named writer field with another id is a
			 * different column (renamed or dropped-and-re-added). */
			if (wf && rf->id != LDP_AVRO_NO_ID && wf->id != LDP_AVRO_NO_ID && wf->id != rf->id)
				wf = NULL;
		}
		if (wf && wi < v->u.record.n) {
			int rc = project(a, v->u.record.fields[wi], rf->type, depth + 1, &rv->u.record.fields[i]);
			if (rc)
				return ldp_error_wrap(rc, "field '%s'", rf->name);
			continue;
		}
		if (rf->default_value) {
			rv->u.record.fields[i] = (ldp_avro_value *)rf->default_value;
			continue;
		}
		int nullable = rf->type->kind == LDP_AVRO_NULL;
		for (size_t b = 0; rf->type->kind == LDP_AVRO_UNION && b < rf->type->nbranches; b++)
			nullable |= rf->type->branches[b]->kind == LDP_AVRO_NULL;
		if (!nullable)
			return ldp_error_set(LDP_EINVALID,
					     "field '%s' of record '%s' is missing from the writer's schema and has "
					     "no default",
					     rf->name, r->fullname);
		rv->u.record.fields[i] = NULL;
	}
	*out = rv;
	return 0;
}

static int project(ldp_arena *a, const ldp_avro_value *v, const ldp_avro_schema *r, int depth, ldp_avro_value **out)
{
	if (depth > MAX_VALUE_DEPTH)
		return ldp_error_set(LDP_EINVALID, "value nested too deeply to resolve");
	ldp_avro_kind k = v ? v->kind : LDP_AVRO_NULL;
	if (r->kind == LDP_AVRO_UNION) {
		int b = pick_branch(v, r);
		if (b < 0)
			return ldp_error_set(LDP_EINVALID, "writer's %s matches no branch of the reader's union",
					     ldp_avro_kind_name(k));
		ldp_avro_value *pv;
		int rc = project(a, v, r->branches[b], depth + 1, &pv);
		if (rc)
			return rc;
		if (!pv || pv->branch != b) {
			ldp_avro_value *copy = new_value(a, LDP_AVRO_NULL);
			if (!copy)
				return LDP_ENOMEM;
			if (pv)
				*copy = *pv;
			copy->branch = b;
			pv = copy;
		}
		*out = pv;
		return 0;
	}
	if (k != r->kind && !promotable(k, r->kind))
		return ldp_error_set(LDP_EINVALID, "cannot read the writer's %s as %s", ldp_avro_kind_name(k),
				     ldp_avro_kind_name(r->kind));
	ldp_avro_value *nv;
	switch (r->kind) {
	case LDP_AVRO_NULL: *out = v ? (ldp_avro_value *)v : NULL; return 0;
	case LDP_AVRO_LONG:
		if (k == LDP_AVRO_INT)
			return (*out = ldp_avro_long(a, v->u.i)) ? 0 : LDP_ENOMEM;
		break;
	case LDP_AVRO_FLOAT:
		if (k == LDP_AVRO_INT)
			return (*out = ldp_avro_float(a, (float)v->u.i)) ? 0 : LDP_ENOMEM;
		if (k == LDP_AVRO_LONG)
			return (*out = ldp_avro_float(a, (float)v->u.l)) ? 0 : LDP_ENOMEM;
		break;
	case LDP_AVRO_DOUBLE:
		if (k == LDP_AVRO_INT)
			return (*out = ldp_avro_double(a, v->u.i)) ? 0 : LDP_ENOMEM;
		if (k == LDP_AVRO_LONG)
			return (*out = ldp_avro_double(a, (double)v->u.l)) ? 0 : LDP_ENOMEM;
		if (k == LDP_AVRO_FLOAT)
			return (*out = ldp_avro_double(a, v->u.f)) ? 0 : LDP_ENOMEM;
		break;
	case LDP_AVRO_STRING:
	case LDP_AVRO_BYTES:
		if (k != r->kind) {
			if (!(nv = new_value(a, r->kind)))
				return LDP_ENOMEM;
			nv->u.bytes = v->u.bytes;
			*out = nv;
			return 0;
		}
		break;
	case LDP_AVRO_FIXED:
		if (v->u.bytes.len != r->size)
			return ldp_error_set(LDP_EINVALID,
					     "writer's fixed of %zu bytes cannot be read as fixed '%s' of %zu",
					     v->u.bytes.len, r->fullname, r->size);
		break;
	case LDP_AVRO_ENUM: {
		const char *sym = v->u.enm.symbol;
		if (!sym)
			return ldp_error_set(LDP_EINVALID, "enum value without a symbol");
		nv = ldp_avro_enum(a, r, sym);
		if (!nv) {
			/* An enum default (Avro 1.9+) absorbs unknown symbols. */
			const char *def = ldp_avro_schema_attr(r, "default");
			if (def && def[0] == '"') {
				char *d = ldp_arena_strndup(a, def + 1, strlen(def) - 2);
				ldp_error_clear();
				nv = d ? ldp_avro_enum(a, r, d) : NULL;
			}
			if (!nv)
				return ldp_error_set(LDP_EINVALID, "symbol '%s' is not in the reader's enum '%s'", sym,
						     r->fullname);
		}
		*out = nv;
		return 0;
	}
	case LDP_AVRO_ARRAY:
	case LDP_AVRO_MAP: {
		int is_array = r->kind == LDP_AVRO_ARRAY;
		size_t n = is_array ? v->u.array.n : v->u.map.n;
		ldp_avro_value **src = is_array ? v->u.array.items : v->u.map.values;
		ldp_avro_value **dst = n ? ldp_arena_calloc(a, n, sizeof *dst) : NULL;
		if (n && !dst)
			return LDP_ENOMEM;
		for (size_t i = 0; i < n; i++) {
			int rc = project(a, src[i], is_array ? r->items : r->values, depth + 1, &dst[i]);
			if (rc)
				return rc;
		}
		if (!(nv = new_value(a, r->kind)))
			return LDP_ENOMEM;
		nv->u = v->u;
		if (is_array) {
			nv->u.array.items = dst;
			nv->u.array.cap = n;
		} else {
			nv->u.map.values = dst;
			nv->u.map.cap = n;
		}
		*out = nv;
		return 0;
	}
	case LDP_AVRO_RECORD: return project_record(a, v, r, depth, out);
	default: break;
	}
	*out = (ldp_avro_value *)v;
	return 0;
}

int ldp_avro_value_project(ldp_arena *a, const ldp_avro_value *v, const ldp_avro_schema *reader,
			   ldp_avro_value **out)
{
	return project(a, v, reader, 0, out);
}
