/* Schema evolution for writers whose data gained columns or widened types
 * (ldp ingest --evolve). A metadata-only commit: new fields get fresh ids
 * above last-column-id, existing fields keep theirs, so old data files read
 * the new column as NULL (spec: "Schema Evolution", "Column Projection"). */
#include <string.h>
#include <strings.h>

#include "format/metadata.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "table/ice.h"
#include "table/table.h"

typedef struct evolve_ctx {
	const ldp_schema *source;
	int changed;
} evolve_ctx;

static const ldp_field *find_field(const ldp_schema *s, const char *name)
{
	for (size_t i = 0; i < s->root.nfields; i++)
		if (strcmp(s->root.fields[i].name, name) == 0)
			return &s->root.fields[i];
	for (size_t i = 0; i < s->root.nfields; i++)
		if (strcasecmp(s->root.fields[i].name, name) == 0)
			return &s->root.fields[i];
	return NULL;
}

/* The spec's allowed type promotions: int -> long, float -> double,
 * decimal(P, S) -> decimal(P', S) with P' > P. NULL when `want` needs none or
 * none is allowed (the write then reports the mismatch). */
static const ldp_type *promotion(ldp_arena *a, const ldp_type *have, const ldp_type *want)
{
	if (have->id == LDP_T_INT && want->id == LDP_T_LONG)
		return ldp_type_primitive(LDP_T_LONG);
	if (have->id == LDP_T_FLOAT && want->id == LDP_T_DOUBLE)
		return ldp_type_primitive(LDP_T_DOUBLE);
	if (have->id == LDP_T_DECIMAL && want->id == LDP_T_DECIMAL && want->scale == have->scale &&
	    want->precision > have->precision) {
		ldp_type *t = ldp_arena_calloc(a, 1, sizeof *t);
		if (t) {
			*t = *have;
			t->precision = want->precision;
		}
		return t;
	}
	return NULL;
}

static int evolve_change(const ldp_metadata *in, void *vctx, ldp_metadata **out)
{
	evolve_ctx *c = vctx;
	const ldp_schema *cur = ldp_metadata_current_schema(in);
	if (!cur)
		return ldp_error_set(LDP_ECORRUPT, "%s: no current schema", in->location);
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_schema *s = NULL;
	int rc = ldp_schema_copy(&a, cur, &s);
	size_t nsrc = c->source->root.nfields;
	ldp_field *fields = rc ? NULL : ldp_arena_calloc(&a, s->root.nfields + nsrc + 1, sizeof *fields);
	if (!rc && !fields)
		rc = LDP_ENOMEM;
	int32_t last = in->last_column_id;
	size_t n = 0;
	c->changed = 0;
	if (!rc) {
		memcpy(fields, s->root.fields, s->root.nfields * sizeof *fields);
		n = s->root.nfields;
	}
	for (size_t i = 0; !rc && i < nsrc; i++) {
		const ldp_field *sf = &c->source->root.fields[i];
		const ldp_field *tf = find_field(s, sf->name);
		if (tf) {
			const ldp_type *p = promotion(&a, tf->type, sf->type);
			if (p) {
				fields[tf - s->root.fields].type = p;
				c->changed++;
			}
			continue;
		}
		ldp_field nf;
		memset(&nf, 0, sizeof nf);
		nf.name = ldp_arena_strdup(&a, sf->name);
		nf.id = ++last;
		nf.required = false; /* rows already in the table have no value */
		rc = ldp_type_assign_fresh_ids(&a, sf->type, &last, &nf.type);
		if (!rc && !nf.name)
			rc = LDP_ENOMEM;
		if (!rc) {
			fields[n++] = nf;
			c->changed++;
		}
	}
	if (!rc && !c->changed) {
		/* nothing to do: commit the same metadata content (the caller skips this) */
		ldp_arena_free(&a);
		return ldp_metadata_copy(in, out);
	}
	ldp_metadata *tmp = NULL;
	int32_t sid = 0;
	if (!rc) {
		s->root.fields = fields;
		s->root.nfields = n;
		rc = ldp_metadata_add_schema(in, s, &sid, &tmp);
	}
	if (!rc)
		rc = ldp_metadata_set_current_schema(tmp, sid, out);
	ldp_metadata_free(tmp);
	ldp_arena_free(&a);
	return rc;
}

int ldp_table_evolve(ldp_warehouse *wh, const ldp_ident *id, const ldp_schema *source, int *changed)
{
	*changed = 0;
	/* Decide first on the current metadata, so a no-op writes nothing. */
	ldp_table *t = NULL;
	int rc = ldp_table_load(wh, id, &t);
	if (rc)
		return rc;
	evolve_ctx c = {source, 0};
	ldp_metadata *probe = NULL;
	rc = evolve_change(t->meta, &c, &probe);
	ldp_metadata_free(probe);
	ldp_table_free(t);
	if (rc || !c.changed)
		return rc;
	rc = ice_commit_metadata(wh, id, evolve_change, &c);
	if (rc)
		return ldp_error_wrap(rc, "evolving the schema of %s.%s", id->ns, id->name);
	*changed = c.changed;
	return LDP_OK;
}
