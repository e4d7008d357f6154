/*
 * Scan planning with a row filter; see table/plan.h.
 *
 * Per partition spec (a table with evolved partitioning has manifests of
 * several specs), the bound filter is projected inclusively onto that spec's
 * fields once. Each manifest is then checked against its partition field
 * summaries from the manifest list, without reading it; the survivors are
 * read by worker threads, each entry checked against its partition tuple and
 * then its column metrics. Results are merged in manifest order, so a plan
 * does not depend on thread timing.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/metadata.h"
#include "format/schema.h"
#include "format/transform.h"
#include "ldp/error.h"
#include "table/ice.h"
#include "table/plan.h"

typedef struct spec_plan {
	const ldp_partition_spec *spec;
	ldp_type *part_types; /* NULL: a source column is gone, no partition pruning */
	ldp_expr *projected;  /* inclusive projection of the filter */
} spec_plan;

typedef struct mf_result {
	ldp_arena arena;
	int pruned;                 /* by the manifest list's summaries */
	const ldp_expr *why;
	ldp_data_file_entry *es;
	size_t ne;
	unsigned char *verdict;     /* per entry: 0 kept, 1 partition, 2 metrics, 3 not live */
	const ldp_expr **whys;
	int rc;
	char *err;
} mf_result;

typedef struct plan_job {
	const ldp_manifest_file *mfs;
	size_t nmf;
	mf_result *res;
	spec_plan *specs;
	size_t nspecs;
	const ldp_expr *bound;
	int explain;
	atomic_size_t next;
} plan_job;

static spec_plan *spec_of(plan_job *j, int32_t spec_id)
{
	for (size_t i = 0; i < j->nspecs; i++)
		if (j->specs[i].spec->spec_id == spec_id)
			return &j->specs[i];
	return NULL;
}

static void run_manifest(plan_job *j, size_t i)
{
	const ldp_manifest_file *mf = &j->mfs[i];
	mf_result *r = &j->res[i];
	ldp_arena_init(&r->arena, 16 * 1024);
	if (mf->content != LDP_CONTENT_DATA)
		return; /* delete manifests: kept whole, read by merge() */
	spec_plan *sp = spec_of(j, mf->partition_spec_id);
	if (sp && sp->part_types && sp->projected &&
	    !ldp_expr_eval_summaries(sp->projected, sp->spec, sp->part_types, mf->partitions, mf->npartitions, &r->why)) {
		r->pruned = 1;
		return;
	}
	r->rc = ice_manifest_read(mf, &r->arena, &r->es, &r->ne);
	if (r->rc) {
		r->err = strdup(ldp_error_last()->message);
		ldp_error_clear();
		return;
	}
	r->verdict = ldp_arena_calloc(&r->arena, r->ne + 1, 1);
	r->whys = ldp_arena_calloc(&r->arena, r->ne + 1, sizeof *r->whys);
	if (!r->verdict || !r->whys) {
		r->rc = LDP_ENOMEM;
		return;
	}
	for (size_t k = 0; k < r->ne; k++) {
		const ldp_data_file_entry *e = &r->es[k];
		if (e->status == LDP_ENTRY_DELETED || e->content != LDP_CONTENT_DATA) {
			r->verdict[k] = 3;
			continue;
		}
		if (sp && sp->projected && e->npartition == sp->spec->nfields &&
		    !ldp_expr_eval_partition(sp->projected, sp->spec, e->partition, &r->whys[k]))
			r->verdict[k] = 1;
		else if (j->bound && !ldp_expr_eval_metrics(j->bound, e, &r->whys[k]))
			r->verdict[k] = 2;
	}
}

static void *worker(void *arg)
{
	plan_job *j = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->nmf)
			break;
		run_manifest(j, i);
	}
	return NULL;
}

void ldp_plan_report_clear(ldp_plan_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nnotes; i++) {
		free(r->notes[i].path);
		free(r->notes[i].reason);
	}
	free(r->notes);
	free(r->filter);
	memset(r, 0, sizeof *r);
}

static char *reason(const char *kind, const ldp_expr *why)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_puts(&b, kind);
	if (why) {
		ldp_buf_puts(&b, ": ");
		ldp_expr_to_string(why, &b);
	} else {
		ldp_buf_puts(&b, ": no rows");
	}
	return ldp_buf_detach(&b);
}

static int note(ldp_plan_report *rep, int is_manifest, int kept, int32_t spec_id, int64_t records, const char *path,
		char *why)
{
	size_t nn = rep->nnotes;
	if (nn == 0 || (nn >= 16 && (nn & (nn - 1)) == 0)) { /* capacity: 16, then doubling */
		ldp_plan_note *n = realloc(rep->notes, (rep->nnotes ? rep->nnotes * 2 : 16) * sizeof *n);
		if (!n) {
			free(why);
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		}
		rep->notes = n;
	}
	ldp_plan_note *n = &rep->notes[rep->nnotes++];
	n->is_manifest = is_manifest;
	n->kept = kept;
	n->spec_id = spec_id;
	n->records = records;
	n->path = strdup(path);
	n->reason = why;
	return n->path ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}

static int merge(plan_job *j, const ldp_table *t, ldp_scan_plan *out, ldp_plan_report *rep)
{
	size_t cap = 0;
	int rc = LDP_OK;
	for (size_t i = 0; !rc && i < j->nmf; i++) {
		mf_result *r = &j->res[i];
		const ldp_manifest_file *mf = &j->mfs[i];
		if (r->rc)
			return ldp_error_set(r->rc, "%s", r->err ? r->err : "reading a manifest failed");
		if (mf->content != LDP_CONTENT_DATA) {
			/* Every live delete file stays in the plan: a delete applies
			 * to data files by sequence number and partition (deletes.c
			 * scopes each one to the planned files), so pruning data
			 * files never needs a delete file dropped, and the ones that
			 * only touch pruned files are left out of the query there. */
			rc = ldp_scan_plan_add_deletes(out, mf, t->meta, &r->arena);
			continue;
		}
		rep->manifests++;
		if (r->pruned) {
			rep->manifests_pruned++;
			if (j->explain)
				rc = note(rep, 1, 0, mf->partition_spec_id, mf->added_rows_count + mf->existing_rows_count,
					  mf->manifest_path, reason("partition summary", r->why));
			continue;
		}
		if (j->explain)
			rc = note(rep, 1, 1, mf->partition_spec_id, mf->added_rows_count + mf->existing_rows_count,
				  mf->manifest_path, NULL);
		for (size_t k = 0; !rc && k < r->ne; k++) {
			const ldp_data_file_entry *e = &r->es[k];
			if (r->verdict[k] == 3)
				continue;
			rep->files++;
			if (r->verdict[k] == 0)
				rc = ice_plan_add_file(out, &cap, e, t->meta, out->schema, mf->partition_spec_id);
			else if (r->verdict[k] == 1)
				rep->files_pruned_partition++;
			else
				rep->files_pruned_metrics++;
			if (!rc && j->explain)
				rc = note(rep, 0, r->verdict[k] == 0, mf->partition_spec_id, e->record_count, e->file_path,
					  r->verdict[k] == 0   ? NULL
					  : r->verdict[k] == 1 ? reason("partition", r->whys[k])
							       : reason("bounds", r->whys[k]));
		}
	}
	return rc;
}

static int prepare_specs(const ldp_metadata *m, const ldp_schema *schema, const ldp_expr *bound, ldp_arena *a,
			 spec_plan **out)
{
	spec_plan *sp = ldp_arena_calloc(a, m->nspecs + 1, sizeof *sp);
	if (!sp)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->nspecs; i++) {
		const ldp_partition_spec *spec = m->specs[i];
		sp[i].spec = spec;
		const ldp_type **src = ldp_arena_calloc(a, spec->nfields + 1, sizeof *src);
		if (!src)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		int complete = 1;
		for (size_t k = 0; k < spec->nfields; k++) {
			const ldp_field *f = ldp_schema_field_by_id(schema, spec->fields[k].source_id);
			src[k] = f ? f->type : NULL;
			complete &= f != NULL;
		}
		if (complete && ice_partition_types(spec, schema, a, &sp[i].part_types)) {
			ldp_error_clear();
			sp[i].part_types = NULL;
		}
		if (bound)
			sp[i].projected = ldp_expr_project_inclusive(a, bound, spec, src);
	}
	*out = sp;
	return LDP_OK;
}

int ldp_table_plan_filtered(ldp_warehouse *wh, const ldp_table *t, const ldp_snapshot_selector *sel,
			    const ldp_plan_options *o, ldp_scan_plan *out, ldp_plan_report *rep)
{
	ldp_plan_report local;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof *rep);
	memset(out, 0, sizeof *out);
	const ldp_snapshot *snap;
	int rc = ldp_table_resolve_snapshot(t, sel, &snap);
	if (rc)
		return rc;
	out->schema = ice_plan_schema(t, snap, sel);
	out->snapshot = snap;
	ldp_arena a;
	ldp_arena_init(&a, 16 * 1024);
	const ldp_expr *bound = NULL;
	if (o->filter && out->schema) {
		bound = ldp_expr_bind(&a, ldp_expr_normalize(&a, o->filter), out->schema);
		if (bound && bound->op == LDP_EX_TRUE)
			bound = NULL;
	}
	ldp_buf fb = LDP_BUF_INIT;
	ldp_expr_to_string(bound ? bound : ldp_expr_const(&a, true), &fb);
	rep->filter = ldp_buf_detach(&fb);
	if (!snap) {
		ldp_arena_free(&a);
		if (rep == &local)
			ldp_plan_report_clear(&local);
		return LDP_OK;
	}
	ldp_manifest_file *mfs = NULL;
	size_t nmf = 0;
	rc = ice_snapshot_manifests(snap, &a, &mfs, &nmf);
	plan_job j;
	memset(&j, 0, sizeof j);
	j.mfs = mfs;
	j.nmf = nmf;
	j.bound = bound;
	j.explain = o->explain;
	j.nspecs = t->meta->nspecs;
	if (!rc)
		rc = prepare_specs(t->meta, out->schema, bound, &a, &j.specs);
	if (!rc && !(j.res = calloc(nmf + 1, sizeof *j.res)))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!rc) {
		int nt = o->threads > 0 ? o->threads : 4;
		if ((size_t)nt > nmf)
			nt = (int)nmf;
		pthread_t th[16];
		int started = 0;
		atomic_init(&j.next, 0);
		for (int i = 1; i < nt && i < 16; i++)
			if (pthread_create(&th[started], NULL, worker, &j) == 0)
				started++;
		worker(&j); /* the calling thread works too */
		for (int i = 0; i < started; i++)
			pthread_join(th[i], NULL);
		rep->threads = started + 1;
		rc = merge(&j, t, out, rep);
	}
	if (!rc)
		rc = ice_plan_nested_views(wh, t->meta, out);
	for (size_t i = 0; j.res && i < nmf; i++) {
		ldp_arena_free(&j.res[i].arena);
		free(j.res[i].err);
	}
	free(j.res);
	ldp_arena_free(&a);
	if (rep == &local)
		ldp_plan_report_clear(&local);
	if (rc) {
		ldp_scan_plan_clear(out);
		return ldp_error_wrap(rc, "planning a scan of %s.%s", t->ident.ns, t->ident.name);
	}
	return LDP_OK;
}
