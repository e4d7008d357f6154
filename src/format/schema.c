/* Iceberg types and schemas: JSON codec and structural operations; see format/schema.h. */
#include "format/schema.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldp/error.h"
#include "ldp/json.h"

/* ---- primitive types ---- */

static const struct {
	ldp_type_id id;
	const char *name;
} type_names[] = {
	{LDP_T_BOOLEAN, "boolean"},
	{LDP_T_INT, "int"},
	{LDP_T_LONG, "long"},
	{LDP_T_FLOAT, "float"},
	{LDP_T_DOUBLE, "double"},
	{LDP_T_DECIMAL, "decimal"},
	{LDP_T_DATE, "date"},
	{LDP_T_TIME, "time"},
	{LDP_T_TIMESTAMP, "timestamp"},
	{LDP_T_TIMESTAMPTZ, "timestamptz"},
	{LDP_T_TIMESTAMP_NS, "timestamp_ns"},
	{LDP_T_TIMESTAMPTZ_NS, "timestamptz_ns"},
	{LDP_T_STRING, "string"},
	{LDP_T_UUID, "uuid"},
	{LDP_T_FIXED, "fixed"},
	{LDP_T_BINARY, "binary"},
	{LDP_T_STRUCT, "struct"},
	{LDP_T_LIST, "list"},
	{LDP_T_MAP, "map"},
	{LDP_T_UNKNOWN_V3, "unknown"},
};

#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

/* Shared instances of the parameterless primitives, indexed by ldp_type_id. */
static const ldp_type primitives[] = {
	[LDP_T_BOOLEAN] = {.id = LDP_T_BOOLEAN},
	[LDP_T_INT] = {.id = LDP_T_INT},
	[LDP_T_LONG] = {.id = LDP_T_LONG},
	[LDP_T_FLOAT] = {.id = LDP_T_FLOAT},
	[LDP_T_DOUBLE] = {.id = LDP_T_DOUBLE},
	[LDP_T_DATE] = {.id = LDP_T_DATE},
	[LDP_T_TIME] = {.id = LDP_T_TIME},
	[LDP_T_TIMESTAMP] = {.id = LDP_T_TIMESTAMP},
	[LDP_T_TIMESTAMPTZ] = {.id = LDP_T_TIMESTAMPTZ},
	[LDP_T_TIMESTAMP_NS] = {.id = LDP_T_TIMESTAMP_NS},
	[LDP_T_TIMESTAMPTZ_NS] = {.id = LDP_T_TIMESTAMPTZ_NS},
	[LDP_T_STRING] = {.id = LDP_T_STRING},
	[LDP_T_UUID] = {.id = LDP_T_UUID},
	[LDP_T_BINARY] = {.id = LDP_T_BINARY},
};

const char *ldp_type_id_name(ldp_type_id id)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (type_names[i].id == id)
			return type_names[i].name;
	return "?";
}

bool ldp_type_is_primitive(const ldp_type *t)
{
	return t->id != LDP_T_STRUCT && t->id != LDP_T_LIST && t->id != LDP_T_MAP;
}

const ldp_type *ldp_type_primitive(ldp_type_id id)
{
	switch (id) {
	case LDP_T_DECIMAL:
	case LDP_T_FIXED:
	case LDP_T_STRUCT:
	case LDP_T_LIST:
	case LDP_T_MAP:
	case LDP_T_UNKNOWN_V3: return NULL;
	default: return (unsigned)id < sizeof(primitives) / sizeof(primitives[0]) ? &primitives[id] : NULL;
	}
}

ldp_type *ldp_type_new_decimal(ldp_arena *a, int32_t precision, int32_t scale)
{
	ldp_type *t = ldp_arena_calloc(a, 1, sizeof(*t));
	if (t) {
		t->id = LDP_T_DECIMAL;
		t->precision = precision;
		t->scale = scale;
	}
	return t;
}

ldp_type *ldp_type_new_fixed(ldp_arena *a, int32_t length)
{
	ldp_type *t = ldp_arena_calloc(a, 1, sizeof(*t));
	if (t) {
		t->id = LDP_T_FIXED;
		t->length = length;
	}
	return t;
}

/* ---- parsing ---- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Parse a non-negative decimal integer at *pp (after optional blanks). */
static int parse_uint(const char **pp, int32_t *out)
{
	const char *p = skip_ws(*pp);
	if (!isdigit((unsigned char)*p))
		return -1;
	long v = 0;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p - '0');
		if (v > INT32_MAX)
			return -1;
		p++;
	}
	*out = (int32_t)v;
	*pp = skip_ws(p);
	return 0;
}

int ldp_type_parse_string(ldp_arena *a, const char *s, const char *what, const ldp_type **out)
{
	for (size_t i = 0; i < NTYPES; i++) {
		const ldp_type *p = ldp_type_primitive(type_names[i].id);
		if (p && strcasecmp(s, type_names[i].name) == 0) {
			*out = p;
			return LDP_OK;
		}
	}
	/* decimal(P,S): the spec shows both "decimal(9,2)" and "decimal(9, 2)". */
	if (strncasecmp(s, "decimal", 7) == 0 && *skip_ws(s + 7) == '(') {
		const char *p = skip_ws(s + 7) + 1;
		int32_t prec, scale;
		if (parse_uint(&p, &prec) || *p++ != ',' || parse_uint(&p, &scale) || *p++ != ')' || *skip_ws(p))
			return ldp_error_set(LDP_ECORRUPT, "%s: malformed decimal type \"%s\" (expected decimal(P,S))",
					     what, s);
		if (prec < 1 || prec > 38 || scale > prec)
			return ldp_error_set(LDP_ECORRUPT,
					     "%s: invalid decimal type \"%s\": precision must be 1..38 and scale <= precision",
					     what, s);
		*out = ldp_type_new_decimal(a, prec, scale);
		return *out ? LDP_OK : LDP_ENOMEM;
	}
	if (strncasecmp(s, "fixed", 5) == 0 && *skip_ws(s + 5) == '[') {
		const char *p = skip_ws(s + 5) + 1;
		int32_t len;
		if (parse_uint(&p, &len) || *p++ != ']' || *skip_ws(p) || len < 1)
			return ldp_error_set(LDP_ECORRUPT, "%s: malformed fixed type \"%s\" (expected fixed[L], L > 0)",
					     what, s);
		*out = ldp_type_new_fixed(a, len);
		return *out ? LDP_OK : LDP_ENOMEM;
	}
	if (!*s)
		return ldp_error_set(LDP_ECORRUPT, "%s: empty type name", what);
	/* variant, unknown, geometry(C), geography(C,A) and anything newer: kept
	 * by name so the schema round-trips; mapping it to DuckDB fails later with
	 * the name. */
	ldp_type *t = ldp_arena_calloc(a, 1, sizeof(*t));
	if (!t)
		return LDP_ENOMEM;
	t->id = LDP_T_UNKNOWN_V3;
	t->unknown_name = ldp_arena_strdup(a, s);
	if (!t->unknown_name)
		return LDP_ENOMEM;
	*out = t;
	return LDP_OK;
}

static int parse_nested(ldp_arena *a, const json_t *j, const char *what, ldp_type *t);

int ldp_type_parse(ldp_arena *a, const json_t *j, const char *what, const ldp_type **out)
{
	if (json_is_string(j))
		return ldp_type_parse_string(a, json_string_value(j), what, out);
	if (!json_is_object(j))
		return ldp_error_set(LDP_ECORRUPT, "%s: a type must be a string or an object", what);
	ldp_type *t = ldp_arena_calloc(a, 1, sizeof(*t));
	if (!t)
		return LDP_ENOMEM;
	int rc = parse_nested(a, j, what, t);
	if (rc)
		return rc;
	*out = t;
	return LDP_OK;
}

static int get_i32(const json_t *o, const char *key, const char *what, int32_t *out)
{
	int64_t v;
	int rc = ldp_json_get_int64(o, key, what, &v);
	if (rc)
		return rc;
	if (v < INT32_MIN || v > INT32_MAX)
		return ldp_error_set(LDP_ECORRUPT, "%s: field '%s' is out of range for an int", what, key);
	*out = (int32_t)v;
	return LDP_OK;
}

static int parse_field(ldp_arena *a, const json_t *j, const char *what, ldp_field *f)
{
	int64_t id;
	int req = 0;
	int rc = ldp_json_get_int64(j, "id", what, &id);
	if (!rc)
		rc = ldp_json_get_string(j, "name", what, &f->name);
	if (!rc)
		rc = ldp_json_get_bool(j, "required", what, &req);
	if (!rc)
		rc = ldp_json_opt_string(j, "doc", what, &f->doc);
	if (rc)
		return rc;
	if (id < INT32_MIN || id > INT32_MAX)
		return ldp_error_set(LDP_ECORRUPT, "%s: field id %lld is out of range", what, (long long)id);
	f->id = (int32_t)id;
	f->required = req;
	if (!(f->name = ldp_arena_strdup(a, f->name)) || (f->doc && !(f->doc = ldp_arena_strdup(a, f->doc))))
		return LDP_ENOMEM;
	const json_t *tj = json_object_get(j, "type");
	if (!tj)
		return ldp_error_set(LDP_ECORRUPT, "%s: field '%s' has no 'type'", what, f->name);
	char *sub = ldp_arena_sprintf(a, "%s: field '%s'", what, f->name);
	if (!sub)
		return LDP_ENOMEM;
	rc = ldp_type_parse(a, tj, sub, &f->type);
	if (rc)
		return rc;
	/* Defaults are kept as JSON (Appendix D single-value form); a JSON null
	 * default is the same as none. */
	json_t *d = json_object_get(j, "initial-default");
	f->initial_default = json_is_null(d) ? NULL : d;
	d = json_object_get(j, "write-default");
	f->write_default = json_is_null(d) ? NULL : d;
	return LDP_OK;
}

static int parse_struct(ldp_arena *a, const json_t *j, const char *what, ldp_type *t)
{
	json_t *fields;
	int rc = ldp_json_get_array(j, "fields", what, &fields);
	if (rc)
		return rc;
	t->id = LDP_T_STRUCT;
	t->nfields = json_array_size(fields);
	t->fields = ldp_arena_calloc(a, t->nfields ? t->nfields : 1, sizeof(ldp_field));
	if (!t->fields)
		return LDP_ENOMEM;
	for (size_t i = 0; i < t->nfields; i++) {
		json_t *fj = json_array_get(fields, i);
		if (!json_is_object(fj))
			return ldp_error_set(LDP_ECORRUPT, "%s: fields[%zu] must be an object", what, i);
		rc = parse_field(a, fj, what, &t->fields[i]);
		if (rc)
			return rc;
	}
	return LDP_OK;
}

/* A list element or map key/value: id, requiredness and type come from
 * "<prefix>-id", "<prefix>-required" and "<prefix>". */
static int parse_child(ldp_arena *a, const json_t *j, const char *what, const char *prefix, bool required_known,
		       ldp_field *f)
{
	char key[32];
	snprintf(key, sizeof(key), "%s-id", prefix);
	int rc = get_i32(j, key, what, &f->id);
	if (rc)
		return rc;
	if (required_known) {
		f->required = true;
	} else {
		int req = 0;
		snprintf(key, sizeof(key), "%s-required", prefix);
		rc = ldp_json_get_bool(j, key, what, &req);
		if (rc)
			return rc;
		f->required = req;
	}
	f->name = prefix;
	const json_t *tj = json_object_get(j, prefix);
	if (!tj)
		return ldp_error_set(LDP_ECORRUPT, "%s: missing required field '%s'", what, prefix);
	char *sub = ldp_arena_sprintf(a, "%s: %s", what, prefix);
	if (!sub)
		return LDP_ENOMEM;
	return ldp_type_parse(a, tj, sub, &f->type);
}

static int parse_nested(ldp_arena *a, const json_t *j, const char *what, ldp_type *t)
{
	const char *kind;
	int rc = ldp_json_get_string(j, "type", what, &kind);
	if (rc)
		return rc;
	if (strcmp(kind, "struct") == 0)
		return parse_struct(a, j, what, t);
	if (strcmp(kind, "list") == 0) {
		t->id = LDP_T_LIST;
		return parse_child(a, j, what, "element", false, &t->element);
	}
	if (strcmp(kind, "map") == 0) {
		t->id = LDP_T_MAP;
		/* Map keys are always required (spec: "Nested Types"). */
		rc = parse_child(a, j, what, "key", true, &t->key);
		return rc ? rc : parse_child(a, j, what, "value", false, &t->value);
	}
	return ldp_error_set(LDP_ECORRUPT, "%s: unknown nested type \"%s\" (expected struct, list or map)", what, kind);
}

/* ---- writing ---- */

void ldp_type_append_string(const ldp_type *t, ldp_buf *b)
{
	switch (t->id) {
	case LDP_T_DECIMAL: ldp_buf_printf(b, "decimal(%d,%d)", t->precision, t->scale); break;
	case LDP_T_FIXED: ldp_buf_printf(b, "fixed[%d]", t->length); break;
	case LDP_T_UNKNOWN_V3: ldp_buf_puts(b, t->unknown_name ? t->unknown_name : "unknown"); break;
	case LDP_T_LIST:
		ldp_buf_puts(b, "list<");
		ldp_type_append_string(t->element.type, b);
		ldp_buf_putc(b, '>');
		break;
	case LDP_T_MAP:
		ldp_buf_puts(b, "map<");
		ldp_type_append_string(t->key.type, b);
		ldp_buf_puts(b, ", ");
		ldp_type_append_string(t->value.type, b);
		ldp_buf_putc(b, '>');
		break;
	case LDP_T_STRUCT:
		ldp_buf_puts(b, "struct<");
		for (size_t i = 0; i < t->nfields; i++) {
			const ldp_field *f = &t->fields[i];
			ldp_buf_printf(b, "%s%d: %s: %s ", i ? ", " : "", f->id, f->name,
				       f->required ? "required" : "optional");
			ldp_type_append_string(f->type, b);
		}
		ldp_buf_putc(b, '>');
		break;
	default: ldp_buf_puts(b, ldp_type_id_name(t->id)); break;
	}
}

/* json_object_set_new that remembers a failure (allocation) in *ok. */
static void put(json_t *o, const char *k, json_t *v, int *ok)
{
	if (!v || json_object_set_new(o, k, v))
		*ok = 0;
}

static json_t *field_to_json(const ldp_field *f)
{
	json_t *o = json_object();
	int ok = o != NULL;
	if (!ok)
		return NULL;
	put(o, "id", json_integer(f->id), &ok);
	put(o, "name", json_string(f->name), &ok);
	put(o, "required", json_boolean(f->required), &ok);
	put(o, "type", ldp_type_to_json(f->type), &ok);
	if (f->doc)
		put(o, "doc", json_string(f->doc), &ok);
	if (f->initial_default)
		put(o, "initial-default", json_incref(f->initial_default), &ok);
	if (f->write_default)
		put(o, "write-default", json_incref(f->write_default), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *fields_to_json(const ldp_type *t)
{
	json_t *arr = json_array();
	if (!arr)
		return NULL;
	for (size_t i = 0; i < t->nfields; i++) {
		if (json_array_append_new(arr, field_to_json(&t->fields[i]))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *ldp_type_to_json(const ldp_type *t)
{
	json_t *o = NULL;
	int ok = 1;
	if (ldp_type_is_primitive(t)) {
		ldp_buf b = LDP_BUF_INIT;
		ldp_type_append_string(t, &b);
		o = ldp_buf_oom(&b) ? NULL : json_string(ldp_buf_cstr(&b));
		ldp_buf_free(&b);
	} else if ((o = json_object()) != NULL) {
		if (t->id == LDP_T_STRUCT) {
			put(o, "type", json_string("struct"), &ok);
			put(o, "fields", fields_to_json(t), &ok);
		} else if (t->id == LDP_T_LIST) {
			put(o, "type", json_string("list"), &ok);
			put(o, "element-id", json_integer(t->element.id), &ok);
			put(o, "element", ldp_type_to_json(t->element.type), &ok);
			put(o, "element-required", json_boolean(t->element.required), &ok);
		} else {
			put(o, "type", json_string("map"), &ok);
			put(o, "key-id", json_integer(t->key.id), &ok);
			put(o, "key", ldp_type_to_json(t->key.type), &ok);
			put(o, "value-id", json_integer(t->value.id), &ok);
			put(o, "value", ldp_type_to_json(t->value.type), &ok);
			put(o, "value-required", json_boolean(t->value.required), &ok);
		}
	}
	if (!o || !ok) {
		json_decref(o);
		ldp_error_set(LDP_ENOMEM, "out of memory writing a type as JSON");
		return NULL;
	}
	return o;
}

/* ---- equality and copies ---- */

static bool str_eq(const char *x, const char *y)
{
	return x == y || (x && y && strcmp(x, y) == 0);
}

static bool json_opt_equal(const json_t *x, const json_t *y)
{
	if (!x || !y)
		return x == y;
	return json_equal((json_t *)x, (json_t *)y);
}

static bool field_equal(const ldp_field *x, const ldp_field *y)
{
	return x->id == y->id && str_eq(x->name, y->name) && x->required == y->required && str_eq(x->doc, y->doc) &&
	       json_opt_equal(x->initial_default, y->initial_default) &&
	       json_opt_equal(x->write_default, y->write_default) && ldp_type_equal(x->type, y->type);
}

bool ldp_type_equal(const ldp_type *x, const ldp_type *y)
{
	if (x == y)
		return true;
	if (!x || !y || x->id != y->id)
		return false;
	switch (x->id) {
	case LDP_T_DECIMAL: return x->precision == y->precision && x->scale == y->scale;
	case LDP_T_FIXED: return x->length == y->length;
	case LDP_T_UNKNOWN_V3: return str_eq(x->unknown_name, y->unknown_name);
	case LDP_T_LIST: return field_equal(&x->element, &y->element);
	case LDP_T_MAP: return field_equal(&x->key, &y->key) && field_equal(&x->value, &y->value);
	case LDP_T_STRUCT:
		if (x->nfields != y->nfields)
			return false;
		for (size_t i = 0; i < x->nfields; i++)
			if (!field_equal(&x->fields[i], &y->fields[i]))
				return false;
		return true;
	default: return true;
	}
}

static int copy_field(ldp_arena *a, const ldp_field *in, ldp_field *out)
{
	*out = *in;
	if (in->name && !(out->name = ldp_arena_strdup(a, in->name)))
		return LDP_ENOMEM;
	if (in->doc && !(out->doc = ldp_arena_strdup(a, in->doc)))
		return LDP_ENOMEM;
	return ldp_type_copy(a, in->type, &out->type);
}

static int copy_type_into(ldp_arena *a, const ldp_type *in, ldp_type *t)
{
	*t = *in;
	int rc = LDP_OK;
	switch (in->id) {
	case LDP_T_UNKNOWN_V3:
		if (in->unknown_name && !(t->unknown_name = ldp_arena_strdup(a, in->unknown_name)))
			return LDP_ENOMEM;
		break;
	case LDP_T_LIST: rc = copy_field(a, &in->element, &t->element); break;
	case LDP_T_MAP:
		rc = copy_field(a, &in->key, &t->key);
		if (!rc)
			rc = copy_field(a, &in->value, &t->value);
		break;
	case LDP_T_STRUCT:
		t->fields = ldp_arena_calloc(a, in->nfields ? in->nfields : 1, sizeof(ldp_field));
		if (!t->fields)
			return LDP_ENOMEM;
		for (size_t i = 0; i < in->nfields && !rc; i++)
			rc = copy_field(a, &in->fields[i], &t->fields[i]);
		break;
	default: break;
	}
	return rc;
}

int ldp_type_copy(ldp_arena *a, const ldp_type *in, const ldp_type **out)
{
	const ldp_type *shared = ldp_type_primitive(in->id);
	if (shared) {
		*out = shared;
		return LDP_OK;
	}
	ldp_type *t = ldp_arena_alloc(a, sizeof(*t));
	if (!t)
		return LDP_ENOMEM;
	int rc = copy_type_into(a, in, t);
	if (rc)
		return rc;
	*out = t;
	return LDP_OK;
}

/* ---- schemas ---- */

struct dup_check {
	int32_t *ids;
	size_t n;
};

static int collect_id(const ldp_field *f, const char *path, void *ctx)
{
	(void)path;
	struct dup_check *d = ctx;
	d->ids[d->n++] = f->id;
	return 0;
}

static int count_field(const ldp_field *f, const char *path, void *ctx)
{
	(void)f;
	(void)path;
	(*(size_t *)ctx)++;
	return 0;
}

static int cmp_i32(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
	return (a > b) - (a < b);
}

int ldp_schema_field_ids(const ldp_schema *s, ldp_arena *a, int32_t **ids, size_t *n)
{
	size_t count = 0;
	ldp_schema_visit(s, count_field, &count);
	struct dup_check d = {ldp_arena_alloc(a, (count ? count : 1) * sizeof(int32_t)), 0};
	if (!d.ids)
		return LDP_ENOMEM;
	ldp_schema_visit(s, collect_id, &d);
	*ids = d.ids;
	*n = d.n;
	return LDP_OK;
}

static int check_unique_ids(const ldp_schema *s, const char *what)
{
	ldp_arena tmp;
	ldp_arena_init(&tmp, 0);
	int32_t *ids;
	size_t n;
	int rc = ldp_schema_field_ids(s, &tmp, &ids, &n);
	if (!rc) {
		qsort(ids, n, sizeof(*ids), cmp_i32);
		for (size_t i = 1; i < n; i++) {
			if (ids[i] == ids[i - 1]) {
				rc = ldp_error_set(LDP_ECORRUPT, "%s: field id %d is used by more than one field", what,
						   ids[i]);
				break;
			}
		}
	}
	ldp_arena_free(&tmp);
	return rc;
}

int ldp_schema_parse(ldp_arena *a, const json_t *j, const char *what, ldp_schema **out)
{
	if (!json_is_object(j))
		return ldp_error_set(LDP_ECORRUPT, "%s: a schema must be a JSON object", what);
	ldp_schema *s = ldp_arena_calloc(a, 1, sizeof(*s));
	if (!s)
		return LDP_ENOMEM;
	int64_t sid = 0;
	int rc = ldp_json_opt_int64(j, "schema-id", what, &sid);
	if (rc)
		return rc;
	s->schema_id = (int32_t)sid;
	const char *kind = "struct";
	if ((rc = ldp_json_opt_string(j, "type", what, &kind)))
		return rc;
	if (strcmp(kind, "struct") != 0)
		return ldp_error_set(LDP_ECORRUPT, "%s: a schema must have \"type\": \"struct\", not \"%s\"", what, kind);
	char *sub = ldp_arena_sprintf(a, "%s: schema %d", what, s->schema_id);
	if (!sub)
		return LDP_ENOMEM;
	if ((rc = parse_struct(a, j, sub, &s->root)))
		return rc;
	const json_t *ids = json_object_get(j, "identifier-field-ids");
	if (ids && !json_is_null(ids)) {
		if (!json_is_array(ids))
			return ldp_error_set(LDP_ECORRUPT, "%s: field 'identifier-field-ids' must be an array", sub);
		s->nidentifier = json_array_size(ids);
		s->identifier_field_ids = ldp_arena_alloc(a, (s->nidentifier ? s->nidentifier : 1) * sizeof(int32_t));
		if (!s->identifier_field_ids)
			return LDP_ENOMEM;
		for (size_t i = 0; i < s->nidentifier; i++) {
			json_t *v = json_array_get(ids, i);
			if (!json_is_integer(v))
				return ldp_error_set(LDP_ECORRUPT,
						     "%s: field 'identifier-field-ids' must hold integers", sub);
			s->identifier_field_ids[i] = (int32_t)json_integer_value(v);
		}
	}
	if ((rc = check_unique_ids(s, sub)))
		return rc;
	*out = s;
	return LDP_OK;
}

json_t *ldp_schema_to_json(const ldp_schema *s)
{
	json_t *o = json_object();
	int ok = o != NULL;
	if (o) {
		put(o, "type", json_string("struct"), &ok);
		put(o, "schema-id", json_integer(s->schema_id), &ok);
		if (s->nidentifier) {
			json_t *ids = json_array();
			for (size_t i = 0; ids && i < s->nidentifier; i++)
				if (json_array_append_new(ids, json_integer(s->identifier_field_ids[i])))
					ok = 0;
			put(o, "identifier-field-ids", ids, &ok);
		}
		put(o, "fields", fields_to_json(&s->root), &ok);
	}
	if (!ok) {
		json_decref(o);
		ldp_error_set(LDP_ENOMEM, "out of memory writing schema %d as JSON", s->schema_id);
		return NULL;
	}
	return o;
}

int ldp_schema_copy(ldp_arena *a, const ldp_schema *in, ldp_schema **out)
{
	ldp_schema *s = ldp_arena_calloc(a, 1, sizeof(*s));
	if (!s)
		return LDP_ENOMEM;
	s->schema_id = in->schema_id;
	int rc = copy_type_into(a, &in->root, &s->root);
	if (rc)
		return rc;
	s->nidentifier = in->nidentifier;
	s->identifier_field_ids = ldp_arena_alloc(a, (in->nidentifier ? in->nidentifier : 1) * sizeof(int32_t));
	if (!s->identifier_field_ids)
		return LDP_ENOMEM;
	if (in->nidentifier)
		memcpy(s->identifier_field_ids, in->identifier_field_ids, in->nidentifier * sizeof(int32_t));
	*out = s;
	return LDP_OK;
}

bool ldp_schema_same_fields(const ldp_schema *x, const ldp_schema *y)
{
	if (x->nidentifier != y->nidentifier)
		return false;
	for (size_t i = 0; i < x->nidentifier; i++)
		if (x->identifier_field_ids[i] != y->identifier_field_ids[i])
			return false;
	return ldp_type_equal(&x->root, &y->root);
}
