/*
 * Avro schemas: JSON -> tree and back (Avro 1.11 specification, "Schema
 * Declaration", "Names"). See format/avro.h for why ldp has its own codec:
 * the point of this file is that every attribute survives a round trip, so
 * Iceberg's field-id / element-id / key-id / value-id reach the file.
 */
#include "format/avro.h"

#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "ldp/json.h"

/* Deeper nesting than this is refused: it cannot come from Iceberg and would
 * only serve to exhaust the stack. */
#define MAX_SCHEMA_DEPTH 200

const char *ldp_avro_kind_name(ldp_avro_kind k)
{
	static const char *const names[] = {"null",  "boolean", "int",   "long", "float", "double", "bytes",
					    "string", "fixed", "enum", "array", "map",   "record", "union"};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static int primitive_kind(const char *s, ldp_avro_kind *k)
{
	for (int i = LDP_AVRO_NULL; i <= LDP_AVRO_STRING; i++) {
		if (strcmp(s, ldp_avro_kind_name((ldp_avro_kind)i)) == 0) {
			*k = (ldp_avro_kind)i;
			return 1;
		}
	}
	return 0;
}

typedef struct named_type {
	const char *fullname;
	ldp_avro_schema *s;
} named_type;

typedef struct deferred_default {
	ldp_avro_field *f;
	const json_t *json;
} deferred_default;

typedef struct pctx {
	ldp_arena *a;
	named_type *names; /* open-addressing hash table: hostile schemas may define many names */
	size_t nnames, cap;
	deferred_default *defs;
	size_t ndefs, defcap;
	int depth;
} pctx;

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return ldp_error_set(LDP_ENOMEM, "out of memory parsing an Avro schema");
	*p = np;
	*cap = nc;
	return 0;
}

static size_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static ldp_avro_schema *lookup(const pctx *c, const char *fullname)
{
	if (!c->cap)
		return NULL;
	for (size_t i = hash_name(fullname) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		if (!c->names[i].fullname)
			return NULL;
		if (strcmp(c->names[i].fullname, fullname) == 0)
			return c->names[i].s;
	}
}

static ldp_avro_schema *new_schema(pctx *c, ldp_avro_kind k)
{
	ldp_avro_schema *s = ldp_arena_calloc(c->a, 1, sizeof *s);
	if (s) {
		s->kind = k;
		s->element_id = s->key_id = s->value_id = LDP_AVRO_NO_ID;
		s->min_size = SIZE_MAX; /* not computed yet */
	}
	return s;
}

static int dump_attr(ldp_arena *a, const char *key, const json_t *v, ldp_avro_attr *out)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text)
		return ldp_error_set(LDP_ENOMEM, "out of memory keeping Avro attribute '%s'", key);
	out->key = ldp_arena_strdup(a, key);
	out->json = ldp_arena_strdup(a, text);
	free(text);
	return out->key && out->json ? 0 : LDP_ENOMEM;
}

/* Keep every key of obj except the structural ones listed in skip. */
static int keep_attrs(ldp_arena *a, const json_t *obj, const char *const *skip, size_t *n, ldp_avro_attr **out)
{
	size_t cnt = json_object_size(obj);
	*n = 0;
	*out = cnt ? ldp_arena_calloc(a, cnt, sizeof **out) : NULL;
	if (cnt && !*out)
		return LDP_ENOMEM;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		int structural = 0;
		for (const char *const *k = skip; *k; k++)
			if (strcmp(*k, key) == 0)
				structural = 1;
		if (structural)
			continue;
		int rc = dump_attr(a, key, v, &(*out)[*n]);
		if (rc)
			return rc;
		(*n)++;
	}
	return 0;
}

/* An id attribute: a JSON integer in [0, INT32_MAX]; anything else is kept
 * verbatim as an attribute but not interpreted. */
static int32_t id_attr(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v))
		return LDP_AVRO_NO_ID;
	json_int_t n = json_integer_value(v);
	return n >= 0 && n <= INT32_MAX ? (int32_t)n : LDP_AVRO_NO_ID;
}

static int parse_node(pctx *c, const json_t *j, const char *ns, const ldp_avro_schema **out);

static int make_fullname(pctx *c, const json_t *obj, const char *ns, const char **name, const char **fullname,
			 const char **child_ns)
{
	const json_t *jn = json_object_get(obj, "name");
	if (!json_is_string(jn) || !*json_string_value(jn))
		return ldp_error_set(LDP_EINVALID, "a named Avro type needs a non-empty string \"name\"");
	*name = ldp_arena_strdup(c->a, json_string_value(jn));
	const json_t *jns = json_object_get(obj, "namespace");
	if (jns && !json_is_null(jns) && !json_is_string(jns))
		return ldp_error_set(LDP_EINVALID, "Avro type '%s': \"namespace\" must be a string", *name);
	if (jns && json_is_string(jns))
		ns = json_string_value(jns);
	if (strchr(*name, '.'))
		*fullname = *name;
	else if (ns && *ns)
		*fullname = ldp_arena_sprintf(c->a, "%s.%s", ns, *name);
	else
		*fullname = *name;
	if (!*name || !*fullname)
		return LDP_ENOMEM;
	const char *dot = strrchr(*fullname, '.');
	*child_ns = dot ? ldp_arena_strndup(c->a, *fullname, (size_t)(dot - *fullname)) : "";
	if (!*child_ns)
		return LDP_ENOMEM;
	if (lookup(c, *fullname))
		return ldp_error_set(LDP_EINVALID, "Avro type '%s' is defined twice", *fullname);
	ldp_avro_kind prim;
	const char *last = strrchr(*fullname, '.');
	if (primitive_kind(last ? last + 1 : *fullname, &prim))
		return ldp_error_set(LDP_EINVALID, "a named Avro type cannot be called '%s' (a primitive type)",
				     *fullname);
	return 0;
}

static void insert_name(named_type *tab, size_t cap, const char *fullname, ldp_avro_schema *s)
{
	size_t i = hash_name(fullname) & (cap - 1);
	while (tab[i].fullname)
		i = (i + 1) & (cap - 1);
	tab[i].fullname = fullname;
	tab[i].s = s;
}

static int register_name(pctx *c, ldp_avro_schema *s)
{
	if ((c->nnames + 1) * 2 > c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 32;
		named_type *nt = calloc(nc, sizeof *nt);
		if (!nt)
			return ldp_error_set(LDP_ENOMEM, "out of memory parsing an Avro schema");
		for (size_t i = 0; i < c->cap; i++)
			if (c->names[i].fullname)
				insert_name(nt, nc, c->names[i].fullname, c->names[i].s);
		free(c->names);
		c->names = nt;
		c->cap = nc;
	}
	insert_name(c->names, c->cap, s->fullname, s);
	c->nnames++;
	return 0;
}

static int parse_field(pctx *c, const json_t *jf, const char *ns, size_t i, ldp_avro_field *f)
{
	static const char *const skip[] = {"name", "type", "default", NULL};
	if (!json_is_object(jf))
		return ldp_error_set(LDP_EINVALID, "field %zu must be a JSON object", i);
	const json_t *jn = json_object_get(jf, "name");
	if (!json_is_string(jn))
		return ldp_error_set(LDP_EINVALID, "field %zu needs a string \"name\"", i);
	f->name = ldp_arena_strdup(c->a, json_string_value(jn));
	if (!f->name)
		return LDP_ENOMEM;
	const json_t *jt = json_object_get(jf, "type");
	if (!jt)
		return ldp_error_set(LDP_EINVALID, "field '%s' has no \"type\"", f->name);
	int rc = parse_node(c, jt, ns, &f->type);
	if (rc)
		return ldp_error_wrap(rc, "field '%s'", f->name);
	f->id = id_attr(jf, "field-id");
	const json_t *jd = json_object_get(jf, "default");
	if (jd) {
		char *text = json_dumps(jd, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!text)
			return LDP_ENOMEM;
		f->default_json = ldp_arena_strdup(c->a, text);
		free(text);
		if (!f->default_json)
			return LDP_ENOMEM;
		/* Converted once every named type is known (a default may
		 * mention a type defined later in the same schema). */
		if ((rc = grow((void **)&c->defs, &c->defcap, c->ndefs, sizeof *c->defs)))
			return rc;
		c->defs[c->ndefs].f = f;
		c->defs[c->ndefs++].json = jd;
	}
	return keep_attrs(c->a, jf, skip, &f->nattrs, &f->attrs);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int parse_record(pctx *c, const json_t *j, ldp_avro_schema *s, const char *child_ns)
{
	const json_t *jfields = json_object_get(j, "fields");
	if (!json_is_array(jfields))
		return ldp_error_set(LDP_EINVALID, "record '%s' needs a \"fields\" array", s->fullname);
	s->nfields = json_array_size(jfields);
	s->fields = s->nfields ? ldp_arena_calloc(c->a, s->nfields, sizeof *s->fields) : NULL;
	if (s->nfields && !s->fields)
		return LDP_ENOMEM;
	for (size_t i = 0; i < s->nfields; i++) {
		int rc = parse_field(c, json_array_get(jfields, i), child_ns, i, &s->fields[i]);
		if (rc)
			return ldp_error_wrap(rc, "record '%s'", s->fullname);
	}
	/* Duplicate names, found by sorting (a hostile schema may have many fields). */
	if (s->nfields > 1) {
		const char **names = malloc(s->nfields * sizeof *names);
		if (!names)
			return ldp_error_set(LDP_ENOMEM, "out of memory parsing an Avro schema");
		for (size_t i = 0; i < s->nfields; i++)
			names[i] = s->fields[i].name;
		qsort(names, s->nfields, sizeof *names, cmp_str);
		const char *dup = NULL;
		for (size_t i = 1; i < s->nfields && !dup; i++)
			if (strcmp(names[i - 1], names[i]) == 0)
				dup = names[i];
		free(names);
		if (dup)
			return ldp_error_set(LDP_EINVALID, "record '%s' has two fields named '%s'", s->fullname, dup);
	}
	return 0;
}

static int parse_enum(pctx *c, const json_t *j, ldp_avro_schema *s)
{
	const json_t *js = json_object_get(j, "symbols");
	if (!json_is_array(js))
		return ldp_error_set(LDP_EINVALID, "enum '%s' needs a \"symbols\" array", s->fullname);
	s->nsymbols = json_array_size(js);
	s->symbols = s->nsymbols ? ldp_arena_calloc(c->a, s->nsymbols, sizeof *s->symbols) : NULL;
	if (s->nsymbols && !s->symbols)
		return LDP_ENOMEM;
	for (size_t i = 0; i < s->nsymbols; i++) {
		const json_t *sym = json_array_get(js, i);
		if (!json_is_string(sym))
			return ldp_error_set(LDP_EINVALID, "enum '%s': symbol %zu is not a string", s->fullname, i);
		if (!(s->symbols[i] = ldp_arena_strdup(c->a, json_string_value(sym))))
			return LDP_ENOMEM;
	}
	return 0;
}

static int parse_named(pctx *c, const json_t *j, ldp_avro_kind k, const char *ns, const ldp_avro_schema **out)
{
	static const char *const skip_record[] = {"type", "name", "fields", NULL};
	static const char *const skip_enum[] = {"type", "name", "symbols", NULL};
	static const char *const skip_fixed[] = {"type", "name", "size", NULL};
	ldp_avro_schema *s = new_schema(c, k);
	if (!s)
		return LDP_ENOMEM;
	const char *child_ns = NULL;
	int rc = make_fullname(c, j, ns, &s->name, &s->fullname, &child_ns);
	if (rc)
		return rc;
	/* Registered before the fields so that a record may refer to itself. */
	if ((rc = register_name(c, s)))
		return rc;
	const char *const *skip = skip_record;
	if (k == LDP_AVRO_RECORD) {
		rc = parse_record(c, j, s, child_ns);
	} else if (k == LDP_AVRO_ENUM) {
		skip = skip_enum;
		rc = parse_enum(c, j, s);
	} else {
		skip = skip_fixed;
		const json_t *jsz = json_object_get(j, "size");
		if (!json_is_integer(jsz) || json_integer_value(jsz) < 0 || json_integer_value(jsz) > INT32_MAX)
			return ldp_error_set(LDP_EINVALID, "fixed '%s' needs a non-negative integer \"size\"",
					     s->fullname);
		s->size = (size_t)json_integer_value(jsz);
	}
	if (rc)
		return rc;
	if ((rc = keep_attrs(c->a, j, skip, &s->nattrs, &s->attrs)))
		return rc;
	const json_t *lt = json_object_get(j, "logicalType");
	if (json_is_string(lt) && !(s->logical_type = ldp_arena_strdup(c->a, json_string_value(lt))))
		return LDP_ENOMEM;
	*out = s;
	return 0;
}

static int parse_object(pctx *c, const json_t *j, const char *ns, const ldp_avro_schema **out)
{
	static const char *const skip_type[] = {"type", NULL};
	static const char *const skip_array[] = {"type", "items", NULL};
	static const char *const skip_map[] = {"type", "values", NULL};
	const json_t *jt = json_object_get(j, "type");
	if (!json_is_string(jt))
		return ldp_error_set(LDP_EINVALID, "an Avro schema object needs a string \"type\"");
	const char *t = json_string_value(jt);
	ldp_avro_kind k;
	ldp_avro_schema *s;
	int rc;
	if (primitive_kind(t, &k)) {
		if (!(s = new_schema(c, k)))
			return LDP_ENOMEM;
		rc = keep_attrs(c->a, j, skip_type, &s->nattrs, &s->attrs);
	} else if (!strcmp(t, "record") || !strcmp(t, "error")) {
		return parse_named(c, j, LDP_AVRO_RECORD, ns, out);
	} else if (!strcmp(t, "enum")) {
		return parse_named(c, j, LDP_AVRO_ENUM, ns, out);
	} else if (!strcmp(t, "fixed")) {
		return parse_named(c, j, LDP_AVRO_FIXED, ns, out);
	} else if (!strcmp(t, "array") || !strcmp(t, "map")) {
		int is_array = t[0] == 'a';
		const json_t *sub = json_object_get(j, is_array ? "items" : "values");
		if (!sub)
			return ldp_error_set(LDP_EINVALID, "an Avro %s needs \"%s\"", t, is_array ? "items" : "values");
		if (!(s = new_schema(c, is_array ? LDP_AVRO_ARRAY : LDP_AVRO_MAP)))
			return LDP_ENOMEM;
		rc = parse_node(c, sub, ns, is_array ? &s->items : &s->values);
		if (rc)
			return ldp_error_wrap(rc, "%s %s", t, is_array ? "items" : "values");
		if (is_array) {
			s->element_id = id_attr(j, "element-id");
		} else {
			s->key_id = id_attr(j, "key-id");
			s->value_id = id_attr(j, "value-id");
		}
		rc = keep_attrs(c->a, j, is_array ? skip_array : skip_map, &s->nattrs, &s->attrs);
	} else {
		/* {"type": "SomeName"}: a reference written as an object. */
		return parse_node(c, jt, ns, out);
	}
	if (rc)
		return rc;
	const json_t *lt = json_object_get(j, "logicalType");
	if (json_is_string(lt) && !(s->logical_type = ldp_arena_strdup(c->a, json_string_value(lt))))
		return LDP_ENOMEM;
	*out = s;
	return 0;
}

static int parse_union(pctx *c, const json_t *j, const char *ns, const ldp_avro_schema **out)
{
	ldp_avro_schema *s = new_schema(c, LDP_AVRO_UNION);
	if (!s)
		return LDP_ENOMEM;
	s->nbranches = json_array_size(j);
	if (!s->nbranches)
		return ldp_error_set(LDP_EINVALID, "an Avro union needs at least one branch");
	s->branches = ldp_arena_calloc(c->a, s->nbranches, sizeof *s->branches);
	if (!s->branches)
		return LDP_ENOMEM;
	for (size_t i = 0; i < s->nbranches; i++) {
		int rc = parse_node(c, json_array_get(j, i), ns, &s->branches[i]);
		if (rc)
			return ldp_error_wrap(rc, "union branch %zu", i);
		if (s->branches[i]->kind == LDP_AVRO_UNION)
			return ldp_error_set(LDP_EINVALID, "union branch %zu is itself a union (not allowed)", i);
	}
	*out = s;
	return 0;
}

static int parse_node(pctx *c, const json_t *j, const char *ns, const ldp_avro_schema **out)
{
	if (c->depth >= MAX_SCHEMA_DEPTH)
		return ldp_error_set(LDP_EINVALID, "Avro schema nested deeper than %d levels", MAX_SCHEMA_DEPTH);
	c->depth++;
	int rc;
	if (json_is_string(j)) {
		const char *t = json_string_value(j);
		ldp_avro_kind k;
		if (primitive_kind(t, &k)) {
			ldp_avro_schema *s = new_schema(c, k);
			rc = s ? 0 : LDP_ENOMEM;
			*out = s;
		} else {
			ldp_avro_schema *s = NULL;
			if (!strchr(t, '.') && ns && *ns) {
				char *full = ldp_arena_sprintf(c->a, "%s.%s", ns, t);
				s = full ? lookup(c, full) : NULL;
			}
			if (!s)
				s = lookup(c, t);
			rc = s ? 0 : ldp_error_set(LDP_EINVALID, "unknown Avro type '%s'", t);
			*out = s;
		}
	} else if (json_is_object(j)) {
		rc = parse_object(c, j, ns, out);
	} else if (json_is_array(j)) {
		rc = parse_union(c, j, ns, out);
	} else {
		rc = ldp_error_set(LDP_EINVALID, "an Avro schema must be a string, object or array");
	}
	c->depth--;
	return rc;
}

static size_t sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX - 1 : a + b;
}

/* Fewest bytes a value of s takes. Recursion through a named type counts as
 * 0, which only makes the bound more cautious. */
static size_t min_size(ldp_avro_schema *s)
{
	if (s->min_size != SIZE_MAX)
		return s->min_size;
	s->min_size = 0; /* in progress */
	size_t n = 0;
	switch (s->kind) {
	case LDP_AVRO_NULL: n = 0; break;
	case LDP_AVRO_FLOAT: n = 4; break;
	case LDP_AVRO_DOUBLE: n = 8; break;
	case LDP_AVRO_FIXED: n = s->size; break;
	case LDP_AVRO_RECORD:
		for (size_t i = 0; i < s->nfields; i++)
			n = sat_add(n, min_size((ldp_avro_schema *)s->fields[i].type));
		break;
	case LDP_AVRO_UNION: {
		size_t best = SIZE_MAX - 1;
		for (size_t i = 0; i < s->nbranches; i++) {
			size_t b = min_size((ldp_avro_schema *)s->branches[i]);
			best = b < best ? b : best;
		}
		n = sat_add(1, best);
		break;
	}
	case LDP_AVRO_ARRAY:
		min_size((ldp_avro_schema *)s->items);
		n = 1;
		break;
	case LDP_AVRO_MAP:
		min_size((ldp_avro_schema *)s->values);
		n = 1;
		break;
	default: n = 1; break;
	}
	s->min_size = n;
	return n;
}

int ldp_avro_schema_from_json(ldp_arena *a, const json_t *json, const ldp_avro_schema **out)
{
	pctx c = {.a = a};
	const ldp_avro_schema *s = NULL;
	int rc = parse_node(&c, json, "", &s);
	if (!rc)
		min_size((ldp_avro_schema *)s);
	for (size_t i = 0; !rc && i < c.ndefs; i++) {
		ldp_avro_value *v;
		rc = ldp_avro_value_from_json(a, c.defs[i].f->type, c.defs[i].json, &v);
		if (rc)
			rc = ldp_error_wrap(rc, "default of field '%s'", c.defs[i].f->name);
		else
			c.defs[i].f->default_value = v;
	}
	free(c.names);
	free(c.defs);
	if (rc)
		return ldp_error_wrap(rc == LDP_ENOMEM ? rc : LDP_EINVALID, "invalid Avro schema");
	*out = s;
	return 0;
}

int ldp_avro_schema_parse(ldp_arena *a, const char *json, size_t len, const ldp_avro_schema **out)
{
	json_error_t err;
	json_t *j = json_loadb(json, len, JSON_DECODE_ANY, &err);
	if (!j)
		return ldp_error_set(LDP_EINVALID, "invalid Avro schema: not JSON (line %d column %d: %s)", err.line,
				     err.column, err.text);
	int rc = ldp_avro_schema_from_json(a, j, out);
	json_decref(j);
	return rc;
}

/* ---- writing ---- */

typedef struct wctx {
	ldp_buf *b;
	const ldp_avro_schema **done; /* named types already defined: open-addressing pointer set */
	size_t ndone, cap;
	int oom;
} wctx;

static size_t hash_ptr(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (size_t)x;
}

/* 1 if s was already in the set, else adds it and returns 0 (-1: no memory). */
static int mark_done(wctx *w, const ldp_avro_schema *s)
{
	if ((w->ndone + 1) * 2 > w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 32;
		const ldp_avro_schema **nt = calloc(nc, sizeof *nt);
		if (!nt)
			return -1;
		for (size_t i = 0; i < w->cap; i++) {
			if (!w->done[i])
				continue;
			size_t j = hash_ptr(w->done[i]) & (nc - 1);
			while (nt[j])
				j = (j + 1) & (nc - 1);
			nt[j] = w->done[i];
		}
		free(w->done);
		w->done = nt;
		w->cap = nc;
	}
	size_t j = hash_ptr(s) & (w->cap - 1);
	for (; w->done[j]; j = (j + 1) & (w->cap - 1))
		if (w->done[j] == s)
			return 1;
	w->done[j] = s;
	w->ndone++;
	return 0;
}

static void put_str(ldp_buf *b, const char *s)
{
	ldp_json_append_string(b, s, strlen(s));
}

static void put_attrs(ldp_buf *b, size_t n, const ldp_avro_attr *attrs)
{
	for (size_t i = 0; i < n; i++) {
		ldp_buf_putc(b, ',');
		put_str(b, attrs[i].key);
		ldp_buf_putc(b, ':');
		ldp_buf_puts(b, attrs[i].json);
	}
}

static void write_node(wctx *w, const ldp_avro_schema *s)
{
	ldp_buf *b = w->b;
	int named = s->kind == LDP_AVRO_RECORD || s->kind == LDP_AVRO_ENUM || s->kind == LDP_AVRO_FIXED;
	if (named) {
		int seen = mark_done(w, s);
		if (seen < 0) {
			w->oom = 1;
			return;
		}
		if (seen) {
			put_str(b, s->fullname);
			return;
		}
	}
	if (s->kind == LDP_AVRO_UNION) {
		ldp_buf_putc(b, '[');
		for (size_t i = 0; i < s->nbranches; i++) {
			if (i)
				ldp_buf_putc(b, ',');
			write_node(w, s->branches[i]);
		}
		ldp_buf_putc(b, ']');
		return;
	}
	if (s->kind <= LDP_AVRO_STRING && s->nattrs == 0) {
		put_str(b, ldp_avro_kind_name(s->kind));
		return;
	}
	ldp_buf_puts(b, "{\"type\":");
	put_str(b, ldp_avro_kind_name(s->kind));
	if (named) {
		ldp_buf_puts(b, ",\"name\":");
		put_str(b, s->name);
	}
	switch (s->kind) {
	case LDP_AVRO_RECORD:
		ldp_buf_puts(b, ",\"fields\":[");
		for (size_t i = 0; i < s->nfields; i++) {
			const ldp_avro_field *f = &s->fields[i];
			ldp_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
			put_str(b, f->name);
			ldp_buf_puts(b, ",\"type\":");
			write_node(w, f->type);
			put_attrs(b, f->nattrs, f->attrs);
			if (f->default_json) {
				ldp_buf_puts(b, ",\"default\":");
				ldp_buf_puts(b, f->default_json);
			}
			ldp_buf_putc(b, '}');
		}
		ldp_buf_putc(b, ']');
		break;
	case LDP_AVRO_ENUM:
		ldp_buf_puts(b, ",\"symbols\":[");
		for (size_t i = 0; i < s->nsymbols; i++) {
			if (i)
				ldp_buf_putc(b, ',');
			put_str(b, s->symbols[i]);
		}
		ldp_buf_putc(b, ']');
		break;
	case LDP_AVRO_FIXED: ldp_buf_printf(b, ",\"size\":%zu", s->size); break;
	case LDP_AVRO_ARRAY:
		ldp_buf_puts(b, ",\"items\":");
		write_node(w, s->items);
		break;
	case LDP_AVRO_MAP:
		ldp_buf_puts(b, ",\"values\":");
		write_node(w, s->values);
		break;
	default: break;
	}
	put_attrs(b, s->nattrs, s->attrs);
	ldp_buf_putc(b, '}');
}

int ldp_avro_schema_to_json(const ldp_avro_schema *s, ldp_buf *out)
{
	wctx w = {.b = out};
	write_node(&w, s);
	free(w.done);
	if (w.oom)
		return ldp_error_set(LDP_ENOMEM, "out of memory writing an Avro schema");
	return ldp_buf_oom(out);
}

/* ---- accessors ---- */

static const char *find_attr(size_t n, const ldp_avro_attr *attrs, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(attrs[i].key, key) == 0)
			return attrs[i].json;
	return NULL;
}

const char *ldp_avro_schema_attr(const ldp_avro_schema *s, const char *key)
{
	return find_attr(s->nattrs, s->attrs, key);
}

const char *ldp_avro_field_attr(const ldp_avro_field *f, const char *key)
{
	return find_attr(f->nattrs, f->attrs, key);
}

int ldp_avro_schema_attr_int(const ldp_avro_schema *s, const char *key, int64_t *out)
{
	const char *t = ldp_avro_schema_attr(s, key);
	if (!t)
		return LDP_ENOTFOUND;
	char *end;
	long long v = strtoll(t, &end, 10);
	if (end == t || *end)
		return ldp_error_set(LDP_EINVALID, "Avro attribute '%s' is %s, not an integer", key, t);
	*out = v;
	return 0;
}

const ldp_avro_field *ldp_avro_schema_field(const ldp_avro_schema *rec, const char *name, size_t *index)
{
	if (!rec || rec->kind != LDP_AVRO_RECORD)
		return NULL;
	for (size_t i = 0; i < rec->nfields; i++) {
		if (strcmp(rec->fields[i].name, name) == 0) {
			if (index)
				*index = i;
			return &rec->fields[i];
		}
	}
	return NULL;
}

const ldp_avro_field *ldp_avro_schema_field_by_id(const ldp_avro_schema *rec, int32_t id, size_t *index)
{
	if (!rec || rec->kind != LDP_AVRO_RECORD || id == LDP_AVRO_NO_ID)
		return NULL;
	for (size_t i = 0; i < rec->nfields; i++) {
		if (rec->fields[i].id == id) {
			if (index)
				*index = i;
			return &rec->fields[i];
		}
	}
	return NULL;
}
