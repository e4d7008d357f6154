/*
 * Schema evolution (spec: "Schema Evolution"): add, drop, rename, reorder,
 * promote, make optional, identifier fields - each on a private copy of the
 * current schema, added to the metadata as a new schema and made current.
 * Also the dispatch of ldp_metadata_alter and the commit (ldp_table_alter).
 */
#include <stdlib.h>
#include <string.h>

#include "format/metadata.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "table/evolve.h"
#include "table/ice.h"

typedef struct sctx {
	ldp_arena *a;
	const char *table;
	const ldp_metadata *m;
	ldp_schema *s;   /* the copy being changed */
	int32_t last_id; /* last-column-id, grows as fields are added */
} sctx;

/* The struct type holding field `id` and its index there. */
static ldp_type *parent_of(ldp_type *t, int32_t id, size_t *idx)
{
	switch (t->id) {
	case LDP_T_STRUCT:
		for (size_t i = 0; i < t->nfields; i++) {
			if (t->fields[i].id == id) {
				*idx = i;
				return t;
			}
			ldp_type *p = parent_of((ldp_type *)t->fields[i].type, id, idx);
			if (p)
				return p;
		}
		return NULL;
	case LDP_T_LIST: return parent_of((ldp_type *)t->element.type, id, idx);
	case LDP_T_MAP: {
		ldp_type *p = parent_of((ldp_type *)t->key.type, id, idx);
		return p ? p : parent_of((ldp_type *)t->value.type, id, idx);
	}
	default: return NULL;
	}
}

static int find(sctx *c, const char *path, ldp_field **f, ldp_type **parent, size_t *idx)
{
	const ldp_field *cf = ldp_schema_field_by_name(c->s, path);
	if (!cf)
		return ldp_error_set(LDP_ENOTFOUND, "table %s has no column '%s' (see ldp table describe %s)", c->table, path,
				     c->table);
	*parent = parent_of(&c->s->root, cf->id, idx);
	if (!*parent)
		return ldp_error_set(LDP_EINVALID, "table %s: column '%s' is a list element or map key/value; change its list or map instead",
				     c->table, path);
	*f = &(*parent)->fields[*idx];
	return LDP_OK;
}

/* A new fields array for a struct (arena memory is never resized in place). */
static int insert_at(sctx *c, ldp_type *st, size_t pos, const ldp_field *f)
{
	ldp_field *nf = ldp_arena_calloc(c->a, st->nfields + 1, sizeof *nf);
	if (!nf)
		return LDP_ENOMEM;
	memcpy(nf, st->fields, pos * sizeof *nf);
	nf[pos] = *f;
	memcpy(nf + pos + 1, st->fields + pos, (st->nfields - pos) * sizeof *nf);
	st->fields = nf;
	st->nfields++;
	return LDP_OK;
}

static void remove_at(ldp_type *st, size_t pos)
{
	memmove(st->fields + pos, st->fields + pos + 1, (st->nfields - pos - 1) * sizeof *st->fields);
	st->nfields--;
}

static size_t index_of(const ldp_type *st, const char *name)
{
	for (size_t i = 0; i < st->nfields; i++)
		if (strcmp(st->fields[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

/* Where a field goes among its siblings (st without the field). */
static int position(sctx *c, const ldp_alter *ch, const ldp_type *st, const char *what, size_t *pos)
{
	*pos = st->nfields;
	if (ch->position == LDP_POS_FIRST) {
		*pos = 0;
	} else if (ch->position == LDP_POS_AFTER || ch->position == LDP_POS_BEFORE) {
		const char *anchor = ch->anchor ? ch->anchor : "";
		const char *dot = strrchr(anchor, '.');
		size_t i = index_of(st, anchor);
		if (i == (size_t)-1 && dot)
			i = index_of(st, dot + 1);
		if (i == (size_t)-1)
			return ldp_error_set(LDP_ENOTFOUND, "table %s: cannot move '%s' %s '%s': no such column next to it",
					     c->table, what, ch->position == LDP_POS_AFTER ? "after" : "before", anchor);
		*pos = ch->position == LDP_POS_AFTER ? i + 1 : i;
	}
	return LDP_OK;
}

static int is_identifier(const ldp_schema *s, int32_t id)
{
	for (size_t i = 0; i < s->nidentifier; i++)
		if (s->identifier_field_ids[i] == id)
			return 1;
	return 0;
}

/* The field or any field inside it is used by the default spec or the
 * identifier fields: dropping it would break writes (spec: a partition
 * source must exist in the current schema). */
static int check_droppable(sctx *c, const ldp_field *f, const char *path)
{
	int32_t *ids = NULL;
	size_t n = 0;
	ldp_schema one = {0};
	ldp_field copy = *f;
	one.root.id = LDP_T_STRUCT;
	one.root.nfields = 1;
	one.root.fields = &copy;
	int rc = ldp_schema_field_ids(&one, c->a, &ids, &n);
	if (rc)
		return rc;
	const ldp_partition_spec *spec = ldp_metadata_default_spec(c->m);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; spec && k < spec->nfields; k++)
			if (spec->fields[k].source_id == ids[i] && spec->fields[k].transform.kind != LDP_TR_VOID)
				return ldp_error_set(LDP_EINVALID,
						     "table %s: cannot drop column '%s': partition field '%s' uses it; "
						     "drop the partition field first (ALTER TABLE %s DROP PARTITION FIELD %s)",
						     c->table, path, spec->fields[k].name, c->table, spec->fields[k].name);
		if (is_identifier(c->s, ids[i]))
			return ldp_error_set(LDP_EINVALID,
					     "table %s: cannot drop column '%s': it is an identifier field; "
					     "change the identifier fields first (SET IDENTIFIER FIELDS ...)",
					     c->table, path);
	}
	return LDP_OK;
}

static int type_text_eq(const ldp_type *x, const ldp_type *y)
{
	return x->id == y->id && x->precision == y->precision && x->scale == y->scale && x->length == y->length;
}

/* spec "Schema Evolution": valid type promotions. */
static int check_promotion(sctx *c, const char *path, const ldp_type *from, const ldp_type *to)
{
	if (type_text_eq(from, to))
		return LDP_OK;
	if ((from->id == LDP_T_INT && to->id == LDP_T_LONG) || (from->id == LDP_T_FLOAT && to->id == LDP_T_DOUBLE))
		return LDP_OK;
	if (from->id == LDP_T_DECIMAL && to->id == LDP_T_DECIMAL && to->scale == from->scale &&
	    to->precision >= from->precision)
		return LDP_OK;
	ldp_buf a = LDP_BUF_INIT, b = LDP_BUF_INIT;
	ldp_type_append_string(from, &a);
	ldp_type_append_string(to, &b);
	int rc = ldp_error_set(LDP_EINVALID,
			       "table %s: cannot change column '%s' from %s to %s: Iceberg allows only int -> long, "
			       "float -> double and decimal(P,S) -> decimal(P2,S) with P2 >= P",
			       c->table, path, ldp_buf_cstr(&a), ldp_buf_cstr(&b));
	ldp_buf_free(&a);
	ldp_buf_free(&b);
	return rc;
}

static int add_column(sctx *c, const ldp_alter *ch)
{
	const char *path = ch->column;
	if (ldp_schema_field_by_name(c->s, path)) {
		if (ch->if_not_exists)
			return LDP_OK;
		return ldp_error_set(LDP_EEXISTS, "table %s already has a column '%s'", c->table, path);
	}
	ldp_type *st = &c->s->root;
	const char *leaf = path;
	const char *dot = strrchr(path, '.');
	if (dot) {
		char *parent = ldp_arena_strndup(c->a, path, (size_t)(dot - path));
		const ldp_field *pf = ldp_schema_field_by_name(c->s, parent);
		if (pf) {
			const ldp_type *pt = pf->type;
			if (pt->id == LDP_T_LIST)
				pt = pt->element.type;
			else if (pt->id == LDP_T_MAP)
				pt = pt->value.type;
			if (pt->id != LDP_T_STRUCT)
				return ldp_error_set(LDP_EINVALID, "table %s: cannot add '%s': '%s' is not a struct", c->table,
						     path, parent);
			st = (ldp_type *)pt;
			leaf = dot + 1;
		} else if (!ch->if_not_exists) {
			return ldp_error_set(LDP_ENOTFOUND,
					     "table %s: cannot add '%s': no struct column '%s' (quote a top-level name that contains dots)",
					     c->table, path, parent);
		}
	}
	if (index_of(st, leaf) != (size_t)-1)
		return ldp_error_set(LDP_EEXISTS, "table %s already has a column '%s'", c->table, path);
	const ldp_type *t;
	int rc = ldp_alter_parse_type(c->a, ch->type ? ch->type : "", &t);
	if (rc)
		return ldp_error_wrap(rc, "table %s: column '%s'", c->table, path);
	ldp_field f;
	memset(&f, 0, sizeof f);
	f.id = ++c->last_id;
	f.name = ldp_arena_strdup(c->a, leaf);
	f.doc = ch->doc ? ldp_arena_strdup(c->a, ch->doc) : NULL;
	f.required = false; /* spec: only optional columns may be added without a default */
	rc = ldp_type_assign_fresh_ids(c->a, t, &c->last_id, &f.type);
	size_t pos;
	if (!rc)
		rc = position(c, ch, st, path, &pos);
	return rc ? rc : insert_at(c, st, pos, &f);
}

static int schema_change(sctx *c, const ldp_alter *ch)
{
	if (ch->op == LDP_ALTER_ADD_COLUMN)
		return add_column(c, ch);
	if (ch->op == LDP_ALTER_SET_IDENTIFIER_FIELDS) {
		int32_t *ids = ldp_arena_calloc(c->a, ch->nitems + 1, sizeof *ids);
		if (!ids)
			return LDP_ENOMEM;
		for (size_t i = 0; i < ch->nitems; i++) {
			const ldp_field *f = ldp_schema_field_by_name(c->s, ch->items[i]);
			if (!f)
				return ldp_error_set(LDP_ENOTFOUND, "table %s has no column '%s' to use as identifier field",
						     c->table, ch->items[i]);
			if (!ldp_type_is_primitive(f->type) || f->type->id == LDP_T_FLOAT || f->type->id == LDP_T_DOUBLE)
				return ldp_error_set(LDP_EINVALID,
						     "table %s: column '%s' cannot be an identifier field: it must be a primitive, not float or double",
						     c->table, ch->items[i]);
			if (!f->required)
				return ldp_error_set(LDP_EINVALID,
						     "table %s: column '%s' cannot be an identifier field: it is optional "
						     "(spec: identifier fields are required; ALTER COLUMN %s SET NOT NULL works while the table is empty)",
						     c->table, ch->items[i], ch->items[i]);
			size_t idx;
			if (parent_of(&c->s->root, f->id, &idx) != &c->s->root)
				return ldp_error_set(LDP_EINVALID,
						     "table %s: column '%s' cannot be an identifier field: only top-level columns are supported",
						     c->table, ch->items[i]);
			ids[i] = f->id;
		}
		c->s->identifier_field_ids = ids;
		c->s->nidentifier = ch->nitems;
		return LDP_OK;
	}
	ldp_field *f = NULL;
	ldp_type *parent = NULL;
	size_t idx = 0;
	int rc = find(c, ch->column, &f, &parent, &idx);
	if (rc) {
		if (rc == LDP_ENOTFOUND && ch->op == LDP_ALTER_DROP_COLUMN && ch->if_exists) {
			ldp_error_clear();
			return LDP_OK;
		}
		return rc;
	}
	switch (ch->op) {
	case LDP_ALTER_DROP_COLUMN:
		if ((rc = check_droppable(c, f, ch->column)))
			return rc;
		if (parent == &c->s->root && parent->nfields == 1)
			return ldp_error_set(LDP_EINVALID, "table %s: cannot drop '%s', its only column", c->table, ch->column);
		remove_at(parent, idx);
		return LDP_OK;
	case LDP_ALTER_RENAME_COLUMN: {
		const char *nn = ch->name ? ch->name : "";
		const char *dot = strrchr(nn, '.');
		/* "a.b" TO "a.c" and "a.b" TO "c" both name the new leaf */
		if (dot && strchr(ch->column, '.') && strncmp(nn, ch->column, (size_t)(dot - nn + 1)) == 0)
			nn = dot + 1;
		if (!*nn)
			return ldp_error_set(LDP_EINVALID, "table %s: the new name of '%s' is empty", c->table, ch->column);
		size_t other = index_of(parent, nn);
		if (other != (size_t)-1 && other != idx)
			return ldp_error_set(LDP_EEXISTS, "table %s: cannot rename '%s' to '%s': a column of that name exists",
					     c->table, ch->column, nn);
		f->name = ldp_arena_strdup(c->a, nn);
		return LDP_OK;
	}
	case LDP_ALTER_SET_TYPE: {
		const ldp_type *t;
		if ((rc = ldp_alter_parse_type(c->a, ch->type ? ch->type : "", &t)))
			return ldp_error_wrap(rc, "table %s: column '%s'", c->table, ch->column);
		if (!ldp_type_is_primitive(f->type) || !ldp_type_is_primitive(t))
			return check_promotion(c, ch->column, f->type, t);
		if ((rc = check_promotion(c, ch->column, f->type, t)))
			return rc;
		f->type = t;
		return LDP_OK;
	}
	case LDP_ALTER_MAKE_OPTIONAL:
		if (is_identifier(c->s, f->id))
			return ldp_error_set(LDP_EINVALID,
					     "table %s: column '%s' is an identifier field and must stay required; change the identifier fields first",
					     c->table, ch->column);
		f->required = false;
		return LDP_OK;
	case LDP_ALTER_MAKE_REQUIRED:
		/* Without data there is nothing that could violate it; with data,
		 * ldp cannot prove the absence of nulls from metadata alone. */
		if (c->m->current_snapshot_id >= 0 && !f->required)
			return ldp_error_set(LDP_EINVALID,
					     "table %s: cannot make column '%s' required: the table has data that could hold nulls "
					     "(only an empty table's columns can become required)",
					     c->table, ch->column);
		f->required = true;
		return LDP_OK;
	case LDP_ALTER_SET_DOC:
		f->doc = ch->doc ? ldp_arena_strdup(c->a, ch->doc) : NULL;
		return LDP_OK;
	case LDP_ALTER_MOVE: {
		if (ch->position == LDP_POS_DEFAULT)
			return ldp_error_set(LDP_EINVALID, "table %s: moving '%s' needs FIRST, AFTER x or BEFORE x", c->table,
					     ch->column);
		if (ch->anchor && strcmp(ch->anchor, ch->column) == 0)
			return ldp_error_set(LDP_EINVALID, "table %s: cannot move '%s' relative to itself", c->table,
					     ch->column);
		ldp_field moved = *f;
		remove_at(parent, idx);
		size_t pos;
		if ((rc = position(c, ch, parent, ch->column, &pos)))
			return rc;
		return insert_at(c, parent, pos, &moved);
	}
	default: return ldp_error_set(LDP_ERROR, "not a schema change");
	}
}

static int is_schema_op(ldp_alter_op op)
{
	return op <= LDP_ALTER_SET_IDENTIFIER_FIELDS;
}

static int kind_of(ldp_alter_op op)
{
	if (op == LDP_ALTER_SET_PROPERTIES || op == LDP_ALTER_UNSET_PROPERTIES)
		return 2;
	return is_schema_op(op) ? 0 : 1;
}

/* Changes of one kind (k of them) at once: all schema changes of a statement
 * make one new schema, all partition changes one new spec (as Spark does). */
static int apply_group(const ldp_metadata *in, const char *table, const ldp_alter *ch, size_t k, ldp_metadata **out)
{
	*out = NULL;
	if (kind_of(ch->op) == 2) {
		if (ch->op == LDP_ALTER_SET_PROPERTIES)
			return ldp_metadata_set_properties(in, ch->props, ch->nprops, out);
		return ldp_metadata_remove_properties(in, ch->items, ch->nitems, out);
	}
	if (kind_of(ch->op) == 1)
		return evolve_spec_apply(in, table, ch, k, out);
	ldp_arena a;
	ldp_arena_init(&a, 8192);
	sctx c = {&a, table, in, NULL, in->last_column_id};
	const ldp_schema *cur = ldp_metadata_current_schema(in);
	int rc = cur ? ldp_schema_copy(&a, cur, &c.s) : ldp_error_set(LDP_ECORRUPT, "table %s has no current schema", table);
	for (size_t i = 0; !rc && i < k; i++)
		rc = schema_change(&c, &ch[i]);
	ldp_metadata *mid = NULL;
	int32_t sid = -1;
	if (!rc)
		rc = ldp_metadata_add_schema(in, c.s, &sid, &mid);
	if (!rc && mid->last_column_id < c.last_id)
		mid->last_column_id = c.last_id; /* ids handed out inside a type never come back */
	if (!rc)
		rc = ldp_metadata_set_current_schema(mid, sid, out);
	ldp_metadata_free(mid);
	ldp_arena_free(&a);
	return rc;
}

int ldp_metadata_alter(const ldp_metadata *in, const char *table, const ldp_alter *ch, size_t n, ldp_metadata **out)
{
	ldp_metadata *cur = NULL;
	int rc = ldp_metadata_copy(in, &cur);
	for (size_t i = 0; !rc && i < n;) {
		size_t k = 1;
		while (i + k < n && kind_of(ch[i + k].op) == kind_of(ch[i].op) && kind_of(ch[i].op) != 2)
			k++;
		ldp_metadata *next = NULL;
		rc = apply_group(cur, table, ch + i, k, &next);
		ldp_metadata_free(cur);
		cur = next;
		i += k;
	}
	if (rc) {
		ldp_metadata_free(cur);
		cur = NULL;
	}
	*out = cur;
	return rc;
}

typedef struct alter_ctx {
	const char *table;
	const ldp_alter *ch;
	size_t n;
	int32_t schema_id, spec_id;
} alter_ctx;

static int do_alter(const ldp_metadata *in, void *ctx, ldp_metadata **out)
{
	alter_ctx *c = ctx;
	int rc = ldp_metadata_alter(in, c->table, c->ch, c->n, out);
	if (!rc) {
		c->schema_id = (*out)->current_schema_id;
		c->spec_id = (*out)->default_spec_id;
	}
	return rc;
}

int ldp_table_alter(ldp_warehouse *wh, const ldp_ident *id, const ldp_alter *ch, size_t n, int32_t *schema_id,
		    int32_t *spec_id)
{
	char table[800];
	snprintf(table, sizeof table, "%s.%s", id->ns, id->name);
	alter_ctx c = {table, ch, n, -1, -1};
	int rc = ice_commit_metadata(wh, id, do_alter, &c);
	if (rc)
		return rc;
	if (schema_id)
		*schema_id = c.schema_id;
	if (spec_id)
		*spec_id = c.spec_id;
	return LDP_OK;
}
