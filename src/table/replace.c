/*
 * Replacing a table in one commit (table.h: ldp_table_replace): Iceberg's
 * replace-table transaction, built from the ordinary pieces. The new base is
 * the current metadata with add-schema + set-current-schema, add-spec +
 * set-default-spec, add-sort-order + set-default-sort-order and
 * set-properties applied (format/metadata_build.c); the rows go through the
 * normal write path (write.c) as an overwrite of that base, so data files,
 * manifests, retries on lost races and the REST commit are the ones every
 * write uses. One new metadata file, one catalog swap.
 *
 * Java's replace transaction instead drops the main ref and appends a
 * snapshot with no parent; an overwrite that records the removed files keeps
 * the history one line and lets incremental readers see what went away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/metadata.h"
#include "format/partition.h"
#include "format/schema.h"
#include "format/transform.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "table/ddl.h"
#include "table/ice.h"
#include "table/write_internal.h"

typedef struct replace_ctx {
	const char *table; /* "ns.t" for messages */
	const ldp_schema *given;
	const char *partition_by;
	const char *sort_by;
	const ldp_kv *props;
	size_t nprops;
} replace_ctx;

/* ---- the new schema ---- */

/* The same type up to field ids: kinds, parameters, and nested names,
 * requiredness and types. */
static int same_shape(const ldp_type *x, const ldp_type *y)
{
	if (x->id != y->id || x->precision != y->precision || x->scale != y->scale || x->length != y->length)
		return 0;
	if (x->id == LDP_T_UNKNOWN_V3)
		return x->unknown_name && y->unknown_name && strcmp(x->unknown_name, y->unknown_name) == 0;
	if (x->id == LDP_T_STRUCT) {
		if (x->nfields != y->nfields)
			return 0;
		for (size_t i = 0; i < x->nfields; i++)
			if (strcmp(x->fields[i].name, y->fields[i].name) != 0 ||
			    x->fields[i].required != y->fields[i].required || !same_shape(x->fields[i].type, y->fields[i].type))
				return 0;
		return 1;
	}
	if (x->id == LDP_T_LIST)
		return x->element.required == y->element.required && same_shape(x->element.type, y->element.type);
	if (x->id == LDP_T_MAP)
		return x->value.required == y->value.required && same_shape(x->key.type, y->key.type) &&
		       same_shape(x->value.type, y->value.type);
	return 1;
}

/* spec "Schema Evolution": the promotions a column may undergo and keep its id. */
static int promotable(const ldp_type *from, const ldp_type *to)
{
	return (from->id == LDP_T_INT && to->id == LDP_T_LONG) || (from->id == LDP_T_FLOAT && to->id == LDP_T_DOUBLE) ||
	       (from->id == LDP_T_DECIMAL && to->id == LDP_T_DECIMAL && to->scale == from->scale &&
		to->precision >= from->precision);
}

static const ldp_field *top_field(const ldp_schema *s, const char *name)
{
	for (size_t i = 0; s && i < s->root.nfields; i++)
		if (strcmp(s->root.fields[i].name, name) == 0)
			return &s->root.fields[i];
	return NULL;
}

static int replacement_schema(const ldp_metadata *in, const replace_ctx *c, ldp_arena *a, ldp_schema **out)
{
	const ldp_schema *cur = ldp_metadata_current_schema(in);
	const ldp_schema *g = c->given;
	ldp_schema *s = ldp_arena_calloc(a, 1, sizeof *s);
	ldp_field *fields = ldp_arena_calloc(a, g->root.nfields + 1, sizeof *fields);
	if (!s || !fields)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	int32_t last = in->last_column_id;
	for (size_t i = 0; i < g->root.nfields; i++) {
		const ldp_field *gf = &g->root.fields[i];
		const ldp_field *old = top_field(cur, gf->name);
		for (size_t k = 0; old && k < i; k++) /* a name given twice keeps the id once */
			if (fields[k].id == old->id)
				old = NULL;
		ldp_field *f = &fields[i];
		*f = *gf;
		f->initial_default = f->write_default = NULL; /* borrowed from JSON we do not keep */
		if (old && ldp_type_is_primitive(gf->type) && ldp_type_is_primitive(old->type) &&
		    (same_shape(old->type, gf->type) || promotable(old->type, gf->type))) {
			f->id = old->id;
		} else if (old && !ldp_type_is_primitive(gf->type) && same_shape(old->type, gf->type)) {
			f->id = old->id;
			f->type = old->type; /* with its nested ids */
		} else {
			f->id = ++last;
			int rc = ldp_type_assign_fresh_ids(a, gf->type, &last, &f->type);
			if (rc)
				return rc;
			old = NULL;
		}
		/* a description set on the table survives a replacement that has none */
		if (old && !f->doc)
			f->doc = old->doc;
	}
	s->root.id = LDP_T_STRUCT;
	s->root.fields = fields;
	s->root.nfields = g->root.nfields;
	*out = s;
	return LDP_OK;
}

/* ---- partition spec and sort order ---- */

static int binds(const ldp_schema *s, size_t n, const int32_t *ids, int32_t id, const ldp_transform *tr)
{
	for (size_t i = 0; i < (n ? n : 1); i++) {
		const ldp_field *f = ldp_schema_field_by_id(s, n ? ids[i] : id);
		if (!f)
			return 0;
		if (ldp_transform_check(tr, f->type, NULL) != LDP_OK) {
			ldp_error_clear();
			return 0;
		}
	}
	return 1;
}

/* Whether every field of a spec can still be computed from schema s. */
static int spec_binds(const ldp_partition_spec *sp, const ldp_schema *s)
{
	for (size_t i = 0; sp && i < sp->nfields; i++) {
		const ldp_partition_field *f = &sp->fields[i];
		if (!binds(s, f->nsource_ids, f->source_ids, f->source_id, &f->transform))
			return 0;
	}
	return 1;
}

static int order_binds(const ldp_sort_order *o, const ldp_schema *s)
{
	for (size_t i = 0; o && i < o->nfields; i++) {
		const ldp_sort_field *f = &o->fields[i];
		if (!binds(s, f->nsource_ids, f->source_ids, f->source_id, &f->transform))
			return 0;
	}
	return 1;
}

/* The builders each return a new metadata: chain them, freeing the steps. */
static int step(ldp_metadata **m, int rc, ldp_metadata **next)
{
	if (rc)
		return rc;
	ldp_metadata_free(*m);
	*m = *next;
	*next = NULL;
	return LDP_OK;
}

static int rebase(const ldp_metadata *in, void *vctx, ldp_metadata **out)
{
	replace_ctx *c = vctx;
	*out = NULL;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_metadata *m = NULL, *next = NULL;
	ldp_schema *schema = NULL;
	int32_t id = 0;
	int rc = replacement_schema(in, c, &a, &schema);
	if (!rc)
		rc = ldp_metadata_add_schema(in, schema, &id, &m);
	if (!rc)
		rc = step(&m, ldp_metadata_set_current_schema(m, id, &next), &next);
	const ldp_schema *ns = rc ? NULL : ldp_metadata_current_schema(m);

	ldp_partition_spec *spec = NULL, none = {0, 0, NULL};
	if (!rc && c->partition_by) {
		if ((rc = ice_partition_spec_parse(&a, c->partition_by, ns, &spec)) != LDP_OK)
			ldp_error_wrap(rc, "the new partitioning of %s", c->table);
		/* ids like an added spec's: those of the same source and transform in earlier specs, else new */
		for (size_t i = 0; !rc && spec && i < spec->nfields; i++)
			spec->fields[i].field_id = 0;
	} else if (!rc) {
		const ldp_partition_spec *d = ldp_metadata_default_spec(in);
		if (d && spec_binds(d, ns))
			spec = (ldp_partition_spec *)d;
	}
	if (!rc)
		rc = step(&m, ldp_metadata_add_spec(m, spec ? spec : &none, &id, &next), &next);
	if (!rc)
		rc = step(&m, ldp_metadata_set_default_spec(m, id, &next), &next);

	ldp_sort_order *order = NULL, unsorted = {0, 0, NULL};
	if (!rc && c->sort_by) {
		if ((rc = ice_sort_order_parse(&a, c->sort_by, ns, &order)) != LDP_OK)
			ldp_error_wrap(rc, "the new sort order of %s", c->table);
	} else if (!rc) {
		const ldp_sort_order *d = ldp_metadata_default_sort_order(in);
		if (d && order_binds(d, ns))
			order = (ldp_sort_order *)d;
	}
	if (!rc)
		rc = step(&m, ldp_metadata_add_sort_order(m, order ? order : &unsorted, &id, &next), &next);
	if (!rc)
		rc = step(&m, ldp_metadata_set_default_sort_order(m, id, &next), &next);
	if (!rc && c->nprops)
		rc = step(&m, ldp_metadata_set_properties(m, c->props, c->nprops, &next), &next);
	ldp_arena_free(&a);
	if (rc) {
		ldp_metadata_free(m);
		return rc;
	}
	*out = m;
	return LDP_OK;
}

/* ---- the commit attempts (write.c) ---- */

int write_rebase_attempt(commit_state *cs, const ldp_metadata *m)
{
	int rc = cs->rb->fn(m, cs->rb->ctx, &cs->rebased);
	if (rc)
		return rc;
	const ldp_metadata *r = cs->rebased;
	const ldp_partition_spec *sp = ldp_metadata_default_spec(r);
	if (!ldp_schema_same_fields(ldp_metadata_current_schema(r), cs->rb_schema) || r->default_spec_id != cs->spec_id ||
	    !sp || !cs->rb_spec || !ldp_partition_spec_same_fields(sp, cs->rb_spec) ||
	    r->default_sort_order_id != cs->rb_order_id)
		return ldp_error_set(LDP_ECONFLICT,
				     "the table's schema or partitioning was changed by a concurrent commit while it was "
				     "being replaced; nothing was committed: run it again");
	return LDP_OK;
}

void write_rebase_filter(commit_state *cs, ldp_manifest_file *list, size_t *nlist)
{
	/* A manifest without live files only records removals. Keep those this
	 * snapshot made, as the spec asks, unless their spec no longer binds to
	 * the new schema (its source column was dropped): readers that bind a
	 * listed manifest's spec to the current schema fail on those
	 * (apache/iceberg#10234). Older ones are garbage the new snapshot need
	 * not carry. */
	const ldp_schema *s = ldp_metadata_current_schema(cs->rebased);
	size_t w = 0;
	for (size_t i = 0; i < *nlist; i++) {
		const ldp_manifest_file *mf = &list[i];
		int live = mf->added_files_count + mf->existing_files_count > 0;
		if (!live && (mf->added_snapshot_id != cs->snapshot_id ||
			      !spec_binds(ldp_metadata_spec(cs->rebased, mf->partition_spec_id), s))) {
			for (size_t k = 0; k < cs->nwritten; k++) /* written by this attempt for nothing */
				if (strcmp(cs->written[k], mf->manifest_path) == 0) {
					ldp_io_remove(cs->written[k]);
					free(cs->written[k]);
					cs->written[k] = cs->written[--cs->nwritten];
					break;
				}
			continue;
		}
		list[w++] = *mf;
	}
	*nlist = w;
}

/* ---- the operation ---- */

/* A query with the schema's columns and no rows. */
static int empty_query(const ldp_schema *s, ldp_buf *q)
{
	ldp_buf_puts(q, "SELECT ");
	for (size_t i = 0; i < s->root.nfields; i++) {
		ldp_buf_puts(q, i ? ", CAST(NULL AS " : "CAST(NULL AS ");
		int rc = ldp_type_to_duckdb(s->root.fields[i].type, q);
		if (rc)
			return rc;
		ldp_buf_puts(q, ") AS ");
		ldp_buf_put_sql_ident(q, s->root.fields[i].name);
	}
	ldp_buf_puts(q, " LIMIT 0");
	return ldp_buf_oom(q) ? ldp_error_set(LDP_ENOMEM, "out of memory") : LDP_OK;
}

int ldp_table_replace(ldp_warehouse *wh, const ldp_ident *id, const char *select_sql, const ldp_replace_options *o,
		      ldp_write_result *res)
{
	memset(res, 0, sizeof *res);
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_buf q = LDP_BUF_INIT;
	char table[sizeof id->ns + sizeof id->name + 2];
	snprintf(table, sizeof table, "%s.%s", id->ns, id->name);
	replace_ctx c = {table, o->schema, o->partition_by, o->sort_by, o->properties, o->nproperties};
	ldp_schema *derived = NULL;
	int rc = LDP_OK;
	if (!c.given && !select_sql)
		rc = ldp_error_set(LDP_EINVALID, "replacing table %s: give a schema or a query", table);
	else if (!c.given && !(rc = ldp_warehouse_schema_from_sql(wh, NULL, select_sql, &a, &derived)))
		c.given = derived;
	if (!rc && c.given->root.nfields == 0)
		rc = ldp_error_set(LDP_EINVALID, "replacing table %s: the new table has no columns", table);
	if (!rc && !select_sql && !(rc = empty_query(c.given, &q)))
		select_sql = ldp_buf_cstr(&q);
	if (!rc) {
		write_rebase rb = {rebase, &c};
		ldp_write_options wo = {.mode = LDP_WRITE_OVERWRITE,
					.before_swap = o->before_swap,
					.before_swap_ctx = o->before_swap_ctx};
		/* delete files go too: they describe rows of files that are gone */
		ldp_write_rowlevel rl = {.remove_all_deletes = 1};
		rc = write_run(wh, id, select_sql, &wo, &rl, &rb, res);
	}
	ldp_buf_free(&q);
	ldp_arena_free(&a);
	return rc ? ldp_error_wrap(rc, "replacing table %s", table) : rc;
}
