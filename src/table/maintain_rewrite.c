/*
 * Rewriting data files (compaction) and manifests (see table/maintain.h).
 *
 * Both commit "replace" snapshots (spec: "replace -- data and delete files
 * were added and removed without changing table data"). Compaction goes
 * through the row-level write path: the candidate files are read with their
 * deletes applied and written back target-sized, and the commit removes
 * exactly those files, failing if a concurrent commit removed one or added
 * delete files (write_rowlevel.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/metadata.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"
#include "table/ice.h"
#include "table/maintain.h"
#include "table/write_internal.h"

/* The paths (as planned) of files holding rows that match `where`. */
static int files_matching(ldp_engine *e, const ldp_scan_plan *plan, const char *where, ldp_string_list *out)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT DISTINCT __ldp_file FROM (");
	int rc = ldp_scan_plan_sql_deletes(plan, 1, &q);
	ldp_buf_printf(&q, ") WHERE (%s)", where);
	if (!rc)
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_string_list_query(e, ldp_buf_cstr(&q), out);
	ldp_buf_free(&q);
	return rc ? ldp_error_wrap(rc, "finding the files that match --where %s", where) : LDP_OK;
}

static int in_list(const ldp_string_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return 1;
	return 0;
}

int ldp_table_rewrite_data(ldp_warehouse *wh, const ldp_ident *id, const ldp_rewrite_options *o,
			   ldp_rewrite_result *res)
{
	memset(res, 0, sizeof *res);
	res->snapshot_id = -1;
	ldp_table *t = NULL;
	ldp_engine *e = NULL;
	ldp_scan_plan plan;
	memset(&plan, 0, sizeof plan);
	ldp_string_list match = {0}, cand = {0};
	ldp_buf sel = LDP_BUF_INIT;
	int rc = ldp_warehouse_engine(wh, &e);
	if (!rc)
		rc = ldp_table_load(wh, id, &t);
	if (!rc)
		rc = ldp_table_plan(wh, t, NULL, &plan);
	int64_t target = o->target_size;
	if (!rc && target <= 0)
		rc = ice_property_int(t->meta, "write.target-file-size-bytes", 512LL * 1024 * 1024, &target);
	if (!rc && o->where)
		rc = files_matching(e, &plan, o->where, &match);
	if (rc || !plan.snapshot)
		goto done;
	/* candidates: with delete files, every file (their deletes get applied
	 * and the delete files dropped); else files smaller than 3/4 of the
	 * target (Java's default min-file-size-bytes ratio) */
	int has_deletes = plan.ndeletes > 0;
	cand.items = calloc(plan.nfiles + 1, sizeof *cand.items);
	if (!cand.items) {
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < plan.nfiles && !rc; i++) {
		const ldp_planned_file *f = &plan.files[i];
		int take = o->where ? in_list(&match, f->path)
				    : (has_deletes || o->all || o->sort_by || f->file_size < target * 3 / 4);
		if (take && !(cand.items[cand.n++] = strdup(f->path)))
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	if (rc)
		goto done;
	/* one small file alone gains nothing from a rewrite */
	if (cand.n == 0 || (cand.n == 1 && !has_deletes && !o->sort_by && !o->all && !o->where))
		goto done;
	ldp_buf_puts(&sel, "SELECT * EXCLUDE (__ldp_file, __ldp_pos, __ldp_idx) FROM (");
	rc = ldp_scan_plan_sql_deletes(&plan, 1, &sel);
	ldp_buf_puts(&sel, ") WHERE __ldp_file IN (");
	for (size_t i = 0; i < cand.n; i++) {
		if (i)
			ldp_buf_puts(&sel, ", ");
		ldp_buf_put_sql_string(&sel, cand.items[i]);
	}
	ldp_buf_puts(&sel, ")");
	if (o->sort_by)
		ldp_buf_printf(&sel, " ORDER BY %s", o->sort_by);
	if (!rc && ldp_buf_oom(&sel))
		rc = LDP_ENOMEM;
	if (rc)
		goto done;
	ldp_write_rowlevel rl;
	memset(&rl, 0, sizeof rl);
	rl.remove_files = (const char *const *)cand.items;
	rl.nremove_files = cand.n;
	rl.read_snapshot_id = plan.snapshot->snapshot_id;
	rl.operation = "replace";
	rl.target_file_size = target;
	/* delete files go only when every data file they could apply to was rewritten */
	rl.remove_all_deletes = has_deletes && cand.n == plan.nfiles;
	ldp_write_options wo;
	memset(&wo, 0, sizeof wo);
	wo.mode = LDP_WRITE_APPEND;
	ldp_write_result wr;
	rc = ldp_table_write_rowlevel(wh, id, ldp_buf_cstr(&sel), &wo, &rl, &wr);
	if (!rc) {
		res->snapshot_id = wr.snapshot_id;
		res->files_rewritten = (int64_t)cand.n;
		res->files_added = wr.added_files;
		res->rows = wr.added_records;
		res->delete_files_removed = rl.remove_all_deletes ? (int64_t)plan.ndeletes : 0;
	}
done:
	ldp_buf_free(&sel);
	ldp_string_list_clear(&match);
	ldp_string_list_clear(&cand);
	ldp_scan_plan_clear(&plan);
	ldp_table_free(t);
	if (rc)
		return ldp_error_wrap(rc, "rewriting data files of %s.%s", id->ns, id->name);
	return LDP_OK;
}

/* ---- manifests ---- */

typedef struct rm_ctx {
	int64_t snapshot_id;
	int64_t before, after;
	int nothing;
	char *written[64];
	size_t nwritten;
} rm_ctx;

static void forget(rm_ctx *c, int remove)
{
	for (size_t i = 0; i < c->nwritten; i++) {
		if (remove)
			ldp_io_remove(c->written[i]);
		free(c->written[i]);
	}
	c->nwritten = 0;
}

static int merge_spec(rm_ctx *c, const ldp_metadata *in, ldp_arena *a, const ldp_manifest_file *mfs, size_t nmf,
		      int32_t spec_id, int64_t seq, const char *uuid, ldp_manifest_file *out)
{
	size_t cap = 0, n = 0;
	ldp_data_file_entry *all = NULL;
	int64_t rows = 0, minseq = INT64_MAX;
	int rc = LDP_OK;
	for (size_t i = 0; i < nmf && !rc; i++) {
		if (mfs[i].content != LDP_CONTENT_DATA || mfs[i].partition_spec_id != spec_id)
			continue;
		ldp_data_file_entry *es;
		size_t ne;
		rc = ice_manifest_read(&mfs[i], a, &es, &ne);
		for (size_t k = 0; !rc && k < ne; k++) {
			if (es[k].status == LDP_ENTRY_DELETED)
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				ldp_data_file_entry *g = ldp_arena_calloc(a, ncap, sizeof *g);
				if (!g)
					return ldp_error_set(LDP_ENOMEM, "out of memory");
				if (n)
					memcpy(g, all, n * sizeof *g);
				all = g;
				cap = ncap;
			}
			all[n] = es[k];
			all[n].status = LDP_ENTRY_EXISTING;
			rows += es[k].record_count;
			if (es[k].sequence_number < minseq)
				minseq = es[k].sequence_number;
			n++;
		}
	}
	if (rc)
		return rc;
	char path[4096];
	snprintf(path, sizeof path, "%s/metadata/%s-r%d.avro", in->location, uuid, spec_id);
	int64_t len = 0;
	const ldp_schema *schema = ldp_metadata_current_schema(in);
	rc = ice_manifest_write(path, in, schema, spec_id, LDP_CONTENT_DATA, c->snapshot_id, all, n, &len);
	if (rc)
		return rc;
	if (c->nwritten < 64)
		c->written[c->nwritten++] = strdup(path);
	memset(out, 0, sizeof *out);
	out->manifest_path = ldp_arena_strdup(a, path);
	out->manifest_length = len;
	out->partition_spec_id = spec_id;
	out->content = LDP_CONTENT_DATA;
	out->sequence_number = seq;
	out->min_sequence_number = n ? minseq : seq;
	out->added_snapshot_id = c->snapshot_id;
	out->existing_files_count = (int32_t)n;
	out->existing_rows_count = rows;
	const ldp_partition_spec *sp = ldp_metadata_spec(in, spec_id);
	ldp_type *pt = NULL;
	if (sp && sp->nfields && ice_partition_types(sp, schema, a, &pt) == LDP_OK) {
		out->npartitions = sp->nfields;
		write_summarize(a, pt, sp->nfields, all, n, &out->partitions);
		if (!out->partitions)
			out->npartitions = 0;
	}
	return LDP_OK;
}

static int do_rewrite_manifests(const ldp_metadata *in, void *ctx, ldp_metadata **out)
{
	rm_ctx *c = ctx;
	forget(c, 1); /* a lost race: the previous attempt's files are garbage */
	c->nothing = 0;
	const ldp_snapshot *head = ldp_metadata_current_snapshot(in);
	if (!head) {
		c->nothing = 1;
		return LDP_ENOTFOUND;
	}
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_manifest_file *mfs = NULL;
	size_t nmf = 0;
	int rc = ice_snapshot_manifests(head, &a, &mfs, &nmf);
	int32_t specs[64];
	size_t nspecs = 0, ndata = 0;
	for (size_t i = 0; !rc && i < nmf; i++) {
		if (mfs[i].content != LDP_CONTENT_DATA)
			continue;
		ndata++;
		size_t k;
		for (k = 0; k < nspecs && specs[k] != mfs[i].partition_spec_id; k++)
			;
		if (k == nspecs && nspecs < 64)
			specs[nspecs++] = mfs[i].partition_spec_id;
	}
	c->before = (int64_t)nmf;
	/* delete manifests whose entries are all deleted (compaction dropped them) go too */
	size_t ndead = 0;
	for (size_t i = 0; !rc && i < nmf; i++)
		if (mfs[i].content != LDP_CONTENT_DATA && mfs[i].added_files_count == 0 && mfs[i].existing_files_count == 0)
			ndead++;
	if (!rc && ndata <= nspecs && ndead == 0) {
		c->nothing = 1;
		ldp_arena_free(&a);
		return LDP_ENOTFOUND;
	}
	char uuid[37];
	int64_t seq = in->last_sequence_number + 1;
	ldp_manifest_file *list = ldp_arena_calloc(&a, nmf + 1, sizeof *list);
	size_t nlist = 0;
	if (!rc)
		rc = list ? ldp_metadata_new_snapshot_id(in, &c->snapshot_id) : LDP_ENOMEM;
	if (!rc)
		rc = ldp_uuid4(uuid);
	for (size_t k = 0; !rc && k < nspecs; k++) {
		rc = merge_spec(c, in, &a, mfs, nmf, specs[k], seq, uuid, &list[nlist]);
		if (!rc && list[nlist].existing_files_count > 0)
			nlist++;
	}
	for (size_t i = 0; !rc && i < nmf; i++)
		if (mfs[i].content != LDP_CONTENT_DATA && (mfs[i].added_files_count > 0 || mfs[i].existing_files_count > 0))
			list[nlist++] = mfs[i];
	c->after = (int64_t)nlist;
	char listpath[4096];
	snprintf(listpath, sizeof listpath, "%s/metadata/snap-%" PRId64 "-1-%s.avro", in->location, c->snapshot_id, uuid);
	if (!rc)
		rc = ice_manifest_list_write(listpath, c->snapshot_id, head->snapshot_id, seq, list, nlist);
	if (!rc && c->nwritten < 64)
		c->written[c->nwritten++] = strdup(listpath);
	if (!rc) {
		/* the table's contents are unchanged: carry the totals */
		ldp_kv sum[16];
		size_t ns = 0;
		sum[ns++] = (ldp_kv){"operation", "replace"};
		char buf[3][32];
		snprintf(buf[0], sizeof buf[0], "%zu", nspecs);
		snprintf(buf[1], sizeof buf[1], "%zu", ndata);
		snprintf(buf[2], sizeof buf[2], "%zu", nmf - ndata - ndead);
		sum[ns++] = (ldp_kv){"manifests-created", buf[0]};
		sum[ns++] = (ldp_kv){"manifests-replaced", buf[1]};
		sum[ns++] = (ldp_kv){"manifests-kept", buf[2]};
		static const char *const totals[] = {"total-records", "total-data-files", "total-files-size",
						     "total-delete-files", "total-position-deletes", "total-equality-deletes"};
		for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
			const char *v = ldp_snapshot_summary(head, totals[i]);
			if (v)
				sum[ns++] = (ldp_kv){totals[i], v};
		}
		ldp_snapshot snap;
		memset(&snap, 0, sizeof snap);
		snap.snapshot_id = c->snapshot_id;
		snap.parent_id = head->snapshot_id;
		snap.sequence_number = seq;
		snap.timestamp_ms = ldp_now_ms();
		if (snap.timestamp_ms <= in->last_updated_ms)
			snap.timestamp_ms = in->last_updated_ms + 1;
		snap.manifest_list = listpath;
		snap.schema_id = in->current_schema_id;
		snap.operation = "replace";
		snap.summary = sum;
		snap.nsummary = ns;
		rc = ldp_metadata_add_snapshot(in, &snap, "main", out);
	}
	ldp_arena_free(&a);
	return rc;
}

int ldp_table_rewrite_manifests(ldp_warehouse *wh, const ldp_ident *id, int64_t *snapshot_id, int64_t *before,
				int64_t *after)
{
	rm_ctx c;
	memset(&c, 0, sizeof c);
	int rc = ldp_table_commit_metadata(wh, id, do_rewrite_manifests, &c);
	*snapshot_id = -1;
	if (rc && c.nothing) {
		ldp_error_clear();
		*before = *after = c.before;
		forget(&c, 1);
		return LDP_OK;
	}
	forget(&c, rc != 0);
	if (rc)
		return ldp_error_wrap(rc, "rewriting manifests of %s.%s", id->ns, id->name);
	*snapshot_id = c.snapshot_id;
	*before = c.before;
	*after = c.after;
	return LDP_OK;
}
