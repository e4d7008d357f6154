/* Schema traversal, lookups by id and name, and fresh id assignment; see
 * format/schema.h. */
#include "format/schema.h"

#include <string.h>

#include "ldp/error.h"

/* ---- traversal ---- */

struct visit {
	ldp_field_visit_fn fn;
	void *ctx;
	ldp_buf path;
};

static int visit_type(struct visit *v, const ldp_type *t);

static int visit_field(struct visit *v, const ldp_field *f)
{
	size_t mark = v->path.len;
	if (mark)
		ldp_buf_putc(&v->path, '.');
	ldp_buf_puts(&v->path, f->name ? f->name : "");
	int rc = v->fn(f, ldp_buf_cstr(&v->path), v->ctx);
	if (!rc && f->type)
		rc = visit_type(v, f->type);
	ldp_buf_truncate(&v->path, mark);
	return rc;
}

static int visit_type(struct visit *v, const ldp_type *t)
{
	int rc = 0;
	switch (t->id) {
	case LDP_T_STRUCT:
		for (size_t i = 0; i < t->nfields && !rc; i++)
			rc = visit_field(v, &t->fields[i]);
		break;
	case LDP_T_LIST: rc = visit_field(v, &t->element); break;
	case LDP_T_MAP:
		rc = visit_field(v, &t->key);
		if (!rc)
			rc = visit_field(v, &t->value);
		break;
	default: break;
	}
	return rc;
}

int ldp_schema_visit(const ldp_schema *s, ldp_field_visit_fn fn, void *ctx)
{
	struct visit v = {fn, ctx, LDP_BUF_INIT};
	int rc = visit_type(&v, &s->root);
	ldp_buf_free(&v.path);
	return rc;
}

struct find_id {
	int32_t id;
	const ldp_field *found;
	ldp_buf *path;
};

static int find_id_fn(const ldp_field *f, const char *path, void *ctx)
{
	struct find_id *q = ctx;
	if (f->id != q->id)
		return 0;
	q->found = f;
	if (q->path)
		ldp_buf_puts(q->path, path);
	return 1;
}

const ldp_field *ldp_schema_field_by_id(const ldp_schema *s, int32_t id)
{
	struct find_id q = {id, NULL, NULL};
	ldp_schema_visit(s, find_id_fn, &q);
	return q.found;
}

int ldp_schema_field_path(const ldp_schema *s, int32_t id, ldp_buf *b)
{
	struct find_id q = {id, NULL, b};
	ldp_schema_visit(s, find_id_fn, &q);
	if (!q.found)
		return ldp_error_set(LDP_ENOTFOUND, "schema %d has no field with id %d", s->schema_id, id);
	return ldp_buf_oom(b);
}

static int max_id_fn(const ldp_field *f, const char *path, void *ctx)
{
	(void)path;
	int32_t *m = ctx;
	if (f->id > *m)
		*m = f->id;
	return 0;
}

int32_t ldp_schema_max_field_id(const ldp_schema *s)
{
	int32_t m = 0;
	ldp_schema_visit(s, max_id_fn, &m);
	return m;
}

static const ldp_field *find_in_type(const ldp_type *t, const char *path);

/* `path` names `f` itself ("" left) or something inside its type. */
static const ldp_field *find_in_field(const ldp_field *f, const char *rest)
{
	if (!*rest)
		return f;
	return find_in_type(f->type, rest);
}

static const ldp_field *find_in_type(const ldp_type *t, const char *path)
{
	switch (t->id) {
	case LDP_T_STRUCT:
		/* Try every field whose name is a prefix ending at a dot or the end,
		 * so that names containing dots still resolve. */
		for (size_t i = 0; i < t->nfields; i++) {
			const ldp_field *f = &t->fields[i];
			size_t n = strlen(f->name);
			if (strncmp(path, f->name, n) != 0 || (path[n] && path[n] != '.'))
				continue;
			const ldp_field *r = find_in_field(f, path[n] ? path + n + 1 : "");
			if (r)
				return r;
		}
		return NULL;
	case LDP_T_LIST:
		if (strncmp(path, "element", 7) == 0 && (!path[7] || path[7] == '.'))
			return find_in_field(&t->element, path[7] ? path + 8 : "");
		return t->element.type->id == LDP_T_STRUCT ? find_in_type(t->element.type, path) : NULL;
	case LDP_T_MAP:
		if (strncmp(path, "key", 3) == 0 && (!path[3] || path[3] == '.'))
			return find_in_field(&t->key, path[3] ? path + 4 : "");
		if (strncmp(path, "value", 5) == 0 && (!path[5] || path[5] == '.'))
			return find_in_field(&t->value, path[5] ? path + 6 : "");
		return t->value.type->id == LDP_T_STRUCT ? find_in_type(t->value.type, path) : NULL;
	default: return NULL;
	}
}

const ldp_field *ldp_schema_field_by_name(const ldp_schema *s, const char *path)
{
	if (!path || !*path)
		return NULL;
	return find_in_type(&s->root, path);
}

/* ---- fresh ids ---- */

/* Renumber a freshly copied type in place: first the ids of its own fields,
 * then each field's nested type in order (the reference implementation's
 * AssignFreshIds order). Only nested types are written to; they were just
 * allocated by the copy, while shared primitive singletons are never touched. */
static void renumber(ldp_type *t, int32_t *last)
{
	switch (t->id) {
	case LDP_T_STRUCT:
		for (size_t i = 0; i < t->nfields; i++)
			t->fields[i].id = ++*last;
		for (size_t i = 0; i < t->nfields; i++)
			if (!ldp_type_is_primitive(t->fields[i].type))
				renumber((ldp_type *)t->fields[i].type, last);
		break;
	case LDP_T_LIST:
		t->element.id = ++*last;
		if (!ldp_type_is_primitive(t->element.type))
			renumber((ldp_type *)t->element.type, last);
		break;
	case LDP_T_MAP:
		t->key.id = ++*last;
		t->value.id = ++*last;
		if (!ldp_type_is_primitive(t->key.type))
			renumber((ldp_type *)t->key.type, last);
		if (!ldp_type_is_primitive(t->value.type))
			renumber((ldp_type *)t->value.type, last);
		break;
	default: break;
	}
}

int ldp_type_assign_fresh_ids(ldp_arena *a, const ldp_type *in, int32_t *last_id, const ldp_type **out)
{
	const ldp_type *t;
	int rc = ldp_type_copy(a, in, &t);
	if (rc)
		return rc;
	if (!ldp_type_is_primitive(t))
		renumber((ldp_type *)t, last_id);
	*out = t;
	return LDP_OK;
}

/* Find the position of a field (pre-order index) and the field at the same
 * index in another schema. */
struct nth {
	int32_t id;
	long index;
	long at;
	int32_t found;
};

static int index_of_fn(const ldp_field *f, const char *path, void *ctx)
{
	(void)path;
	struct nth *q = ctx;
	if (f->id == q->id) {
		q->found = 1;
		return 1;
	}
	q->index++;
	return 0;
}

static int id_at_fn(const ldp_field *f, const char *path, void *ctx)
{
	(void)path;
	struct nth *q = ctx;
	if (q->at++ == q->index) {
		q->found = f->id;
		return 1;
	}
	return 0;
}

int32_t ldp_schema_translate_id(const ldp_schema *old, const ldp_schema *fresh, int32_t old_id)
{
	struct nth q = {old_id, 0, 0, 0};
	ldp_schema_visit(old, index_of_fn, &q);
	if (!q.found)
		return -1;
	q.found = -1;
	ldp_schema_visit(fresh, id_at_fn, &q);
	return q.found;
}

int ldp_schema_assign_fresh_ids(ldp_arena *a, const ldp_schema *in, int32_t *last_id, ldp_schema **out)
{
	ldp_schema *s;
	int rc = ldp_schema_copy(a, in, &s);
	if (rc)
		return rc;
	renumber(&s->root, last_id);
	for (size_t i = 0; i < in->nidentifier; i++) {
		int32_t id = ldp_schema_translate_id(in, s, in->identifier_field_ids[i]);
		if (id < 0)
			return ldp_error_set(LDP_EINVALID, "identifier field id %d is not a field of the schema",
					     in->identifier_field_ids[i]);
		s->identifier_field_ids[i] = id;
	}
	*out = s;
	return LDP_OK;
}
