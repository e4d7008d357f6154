/*
 * Partition evolution (spec: "Partition Evolution"): a new spec derived from
 * the default one becomes the default. Existing data files keep the spec they
 * were written with (their manifests name it); planning reads all specs.
 *
 * v2+: a removed field leaves the spec. v1: specs must keep their fields in
 * order (v1 readers assume field ids 1000, 1001... by position), so a removed
 * field becomes a void transform instead. A field added back with the same
 * source and transform reuses its old field id (ldp_metadata_add_spec).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "format/metadata.h"
#include "format/partition.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "table/evolve.h"
#include "table/ice.h"

/* Index of the field named `term`, or with the same source and transform
 * as the term parses to; -1 when none. */
static int find_field(ldp_arena *a, const ldp_partition_spec *sp, const ldp_schema *s, const char *term)
{
	for (size_t i = 0; i < sp->nfields; i++)
		if (sp->fields[i].transform.kind != LDP_TR_VOID && strcmp(sp->fields[i].name, term) == 0)
			return (int)i;
	ldp_partition_field pf;
	if (ice_partition_field_parse(a, term, s, &pf)) {
		ldp_error_clear();
		return -1;
	}
	for (size_t i = 0; i < sp->nfields; i++)
		if (sp->fields[i].source_id == pf.source_id && ldp_transform_equal(&sp->fields[i].transform, &pf.transform))
			return (int)i;
	return -1;
}

static int drop_field(const ldp_metadata *in, ldp_arena *a, ldp_partition_spec *sp, const char *table, const char *term,
		      int if_exists)
{
	const ldp_schema *s = ldp_metadata_current_schema(in);
	int i = find_field(a, sp, s, term);
	if (i < 0) {
		if (if_exists)
			return LDP_OK;
		return ldp_error_set(LDP_ENOTFOUND,
				     "table %s has no partition field '%s' (see ldp table describe %s; name a field or a term like day(ts))",
				     table, term, table);
	}
	if (in->format_version == 1) {
		ldp_partition_field *f = &sp->fields[i];
		ldp_transform_parse("void", a, &f->transform);
		/* keep the name free for a field added later under it (as Java does) */
		f->name = ldp_arena_sprintf(a, "%s_%d", f->name, f->field_id);
		return LDP_OK;
	}
	memmove(sp->fields + i, sp->fields + i + 1, (sp->nfields - (size_t)i - 1) * sizeof *sp->fields);
	sp->nfields--;
	return LDP_OK;
}

static int add_field(const ldp_metadata *in, ldp_arena *a, ldp_partition_spec *sp, const char *table, const char *term,
		     const char *name)
{
	const ldp_schema *s = ldp_metadata_current_schema(in);
	ldp_partition_field pf;
	int rc = ice_partition_field_parse(a, term, s, &pf);
	if (rc)
		return ldp_error_wrap(rc, "table %s: partition field %s", table, term);
	if (name)
		pf.name = ldp_arena_strdup(a, name);
	for (size_t i = 0; i < sp->nfields; i++) {
		if (sp->fields[i].transform.kind == LDP_TR_VOID)
			continue;
		if (sp->fields[i].source_id == pf.source_id && ldp_transform_equal(&sp->fields[i].transform, &pf.transform))
			return ldp_error_set(LDP_EEXISTS, "table %s is already partitioned by %s (field '%s')", table, term,
					     sp->fields[i].name);
		if (strcmp(sp->fields[i].name, pf.name) == 0)
			return ldp_error_set(LDP_EEXISTS, "table %s already has a partition field named '%s'", table, pf.name);
	}
	/* A partition field name must not shadow a column other than its source
	 * (spec: partition field names follow the schema's rules for identity). */
	const ldp_field *col = ldp_schema_field_by_name(s, pf.name);
	if (col && !(col->id == pf.source_id && pf.transform.kind == LDP_TR_IDENTITY))
		return ldp_error_set(LDP_EINVALID, "table %s: partition field name '%s' is the name of another column; pick another (AS name)",
				     table, pf.name);
	ldp_partition_field *nf = ldp_arena_calloc(a, sp->nfields + 1, sizeof *nf);
	if (!nf)
		return LDP_ENOMEM;
	memcpy(nf, sp->fields, sp->nfields * sizeof *nf);
	pf.field_id = 0; /* ldp_metadata_add_spec reuses an old id or takes last-partition-id + 1 */
	nf[sp->nfields++] = pf;
	sp->fields = nf;
	return LDP_OK;
}

int evolve_spec_apply(const ldp_metadata *in, const char *table, const ldp_alter *chs, size_t k, ldp_metadata **out)
{
	*out = NULL;
	ldp_arena a;
	ldp_arena_init(&a, 4096);
	ldp_partition_spec *sp = NULL;
	const ldp_partition_spec *def = ldp_metadata_default_spec(in);
	int rc = def ? ldp_partition_spec_copy(&a, def, &sp)
		     : ldp_error_set(LDP_ECORRUPT, "table %s has no default partition spec", table);
	for (size_t i = 0; !rc && i < k; i++) {
		const ldp_alter *ch = &chs[i];
		const char *term = ch->term ? ch->term : "";
		switch (ch->op) {
		case LDP_ALTER_ADD_PARTITION_FIELD: rc = add_field(in, &a, sp, table, term, ch->name); break;
		case LDP_ALTER_DROP_PARTITION_FIELD: rc = drop_field(in, &a, sp, table, term, ch->if_exists); break;
		case LDP_ALTER_REPLACE_PARTITION_FIELD:
			rc = drop_field(in, &a, sp, table, term, 0);
			if (!rc)
				rc = add_field(in, &a, sp, table, ch->term2 ? ch->term2 : "", ch->name);
			break;
		default: rc = ldp_error_set(LDP_ERROR, "not a partition change");
		}
	}
	ldp_metadata *mid = NULL;
	int32_t sid = -1;
	if (!rc)
		rc = ldp_metadata_add_spec(in, sp, &sid, &mid);
	if (!rc)
		rc = ldp_metadata_set_default_spec(mid, sid, out);
	ldp_metadata_free(mid);
	ldp_arena_free(&a);
	return rc;
}
