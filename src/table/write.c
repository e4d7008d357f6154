/*
 * Table writes: append, overwrite and dynamic partition overwrite, ending in
 * the catalog's compare-and-swap with reload-and-retry (ARCHITECTURE.md,
 * "One commit, end to end").
 *
 * Data files and the manifest of added files are written once. Each commit
 * attempt then builds, on the freshly loaded base: the manifests that record
 * removed files (overwrites), a manifest list, and a metadata file; a lost
 * swap deletes that attempt's list and metadata and tries again. Appends
 * commute with anything, so they always re-apply cleanly; overwrites
 * recompute what they replace from the new base, which keeps their meaning
 * ("the table, or these partitions, now hold exactly my rows").
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/backoff.h"
#include "format/metadata.h"
#include "format/transform.h"
#include "format/value.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"
#include "table/ice.h"
#include "table/write_internal.h"

/* ---- metrics from Parquet footer statistics ---- */

/* Primitive fields reachable through structs only: those get bounds (Iceberg
 * writers keep no bounds for list elements and map entries). */
static void collect_bound_fields(const ldp_type *t, const ldp_field **out, size_t *n, size_t cap)
{
	for (size_t i = 0; i < t->nfields; i++) {
		const ldp_field *f = &t->fields[i];
		if (f->type->id == LDP_T_STRUCT)
			collect_bound_fields(f->type, out, n, cap);
		else if (f->type->id != LDP_T_LIST && f->type->id != LDP_T_MAP && *n < cap)
			out[(*n)++] = f;
	}
}

static int file_metrics(write_job *j, const ldp_data_file *df, ldp_col_metric **out, size_t *nout)
{
	*out = ldp_arena_calloc(&j->arena, df->ncolumns + 1, sizeof **out);
	if (!*out)
		return LDP_ENOMEM;
	const ldp_field *bf[1024];
	size_t nbf = 0;
	collect_bound_fields(&j->schema->root, bf, &nbf, 1024);
	size_t n = 0;
	for (size_t c = 0; c < df->ncolumns; c++) {
		const ldp_column_stats *cs = &df->columns[c];
		if (cs->field_id < 0)
			continue;
		ldp_col_metric *m = &(*out)[n++];
		m->field_id = cs->field_id;
		m->column_size = cs->compressed_size;
		m->value_count = cs->value_count;
		m->null_value_count = cs->null_count;
		m->nan_value_count = -1;
		const ldp_field *f = NULL;
		for (size_t k = 0; k < nbf; k++)
			if (bf[k]->id == cs->field_id)
				f = bf[k];
		if (!f || !cs->min || !cs->max)
			continue;
		if ((f->type->id == LDP_T_FLOAT || f->type->id == LDP_T_DOUBLE) &&
		    (strstr(cs->min, "nan") || strstr(cs->max, "nan")))
			continue; /* bounds never hold NaN (spec: metrics) */
		ldp_value lo, hi, tlo, thi;
		int bin = f->type->id == LDP_T_BINARY || f->type->id == LDP_T_FIXED;
		if (bin && df->hex_binary) {
			memset(&lo, 0, sizeof lo);
			memset(&hi, 0, sizeof hi);
			lo.type = hi.type = f->type->id;
			if (write_unhex(&j->arena, cs->min, strlen(cs->min), &lo.v.bytes.ptr, &lo.v.bytes.len) ||
			    write_unhex(&j->arena, cs->max, strlen(cs->max), &hi.v.bytes.ptr, &hi.v.bytes.len))
				continue;
		} else if (ldp_value_parse_duckdb(f->type, cs->min, &j->arena, &lo) || ldp_value_parse_duckdb(f->type, cs->max, &j->arena, &hi)) {
			/* A bound ldp cannot represent is left out: bounds are optional. */
			LDP_DEBUG("no bounds for field %d: %s", cs->field_id, ldp_error_last()->message);
			ldp_error_clear();
			continue;
		}
		/* Strings and binaries keep 16-character bounds, as Java's default metrics mode does. */
		if (ldp_value_bound_lower(&lo, 16, &tlo) || ldp_value_bound_upper(&hi, 16, &j->arena, &thi))
			continue;
		if (!tlo.is_null && ldp_value_to_bytes(&tlo, f->type, &j->arena, &m->lower, &m->lower_len))
			m->lower = NULL;
		if (!thi.is_null && ldp_value_to_bytes(&thi, f->type, &j->arena, &m->upper, &m->upper_len))
			m->upper = NULL;
	}
	*nout = n;
	return LDP_OK;
}

/* ---- one commit attempt ---- */


static int same_tuple(const ldp_value *a, const ldp_value *b, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (a[k].is_null != b[k].is_null)
			return 0;
		if (!a[k].is_null && ldp_value_compare(&a[k], &b[k]) != 0)
			return 0;
	}
	return 1;
}

/* Should a live entry of the base be replaced by this write? */
static int replaced(const commit_state *cs, int32_t spec_id, const ldp_data_file_entry *e, size_t np)
{
	if (cs->rl && cs->rl->nremove_files)
		return write_rl_removes(cs, e);
	if (cs->o->mode == LDP_WRITE_OVERWRITE)
		return 1;
	if (cs->o->mode != LDP_WRITE_OVERWRITE_DYNAMIC)
		return 0;
	/* Files of other specs never match a partition of the current spec. */
	if (spec_id != cs->spec_id)
		return 0;
	for (size_t i = 0; i < cs->nentries; i++)
		if (same_tuple(cs->entries[i].partition, e->partition, np))
			return 1;
	return 0;
}

/* Sum a base snapshot's totals from its manifest list. */
typedef struct totals {
	int64_t records, files, bytes;
} totals;

static int attempt(commit_state *cs, ldp_table *t, int *conflict)
{
	*conflict = 0;
	const ldp_metadata *m = t->meta;
	const char *branch = cs->o->branch ? cs->o->branch : "main";
	const ldp_ref *head_ref = ldp_metadata_ref(m, branch);
	const ldp_snapshot *head = NULL;
	if (head_ref)
		head = ldp_metadata_snapshot(m, head_ref->snapshot_id);
	else if (strcmp(branch, "main") != 0)
		return ldp_error_set(LDP_ENOTFOUND, "table %s.%s has no branch '%s' (create it with ldp table branch create)", t->ident.ns, t->ident.name, branch);
	/* A write upgrades a v1 table to v2 (below); v2 needs a manifest list on
	 * every snapshot, which v1 snapshots that list manifests inline lack. */
	for (size_t i = 0; m->format_version < 2 && i < m->nsnapshots; i++)
		if (!m->snapshots[i]->manifest_list)
			return ldp_error_set(LDP_EUNSUPPORTED,
					     "table %s.%s is a format v1 table whose snapshot %lld lists its manifests inline; "
					     "ldp reads it but cannot write to it (expire those snapshots with another engine first)",
					     t->ident.ns, t->ident.name, (long long)m->snapshots[i]->snapshot_id);
	int64_t seq = m->last_sequence_number + 1;
	ldp_arena *a = &cs->arena;
	int rc = cs->rl ? write_rl_check_base(cs, m, head) : LDP_OK;
	if (!rc && cs->rb)
		rc = write_rebase_attempt(cs, m);
	if (rc)
		return rc;

	/* manifests carried from the base, rewritten where files are replaced */
	ldp_manifest_file *list = NULL;
	size_t nlist = 0, cap = 8;
	list = ldp_arena_calloc(a, cap, sizeof *list);
	totals tot = {0, 0, 0}, del = {0, 0, 0};
	if (cs->has_added) {
		list[nlist] = cs->added;
		list[nlist].sequence_number = seq;
		list[nlist].min_sequence_number = seq;
		nlist++;
	}
	ldp_manifest_file *base = NULL;
	size_t nbase = 0;
	if (head)
		rc = ice_snapshot_manifests(head, a, &base, &nbase);
	for (size_t i = 0; !rc && i < nbase; i++) {
		ldp_manifest_file mf = base[i];
		/* Appends carry manifests forward unread; one that is gone or was cut
		 * short would make the new snapshot unreadable too, so refuse rather
		 * than commit it. The size recorded in the list is the cheap check. */
		int64_t size = -1;
		if (ldp_io_file_size(mf.manifest_path, &size) != LDP_OK)
			ldp_error_clear();
		if (size < 0 || (mf.manifest_length > 0 && size != mf.manifest_length)) {
			char got[64];
			snprintf(got, sizeof got, "%" PRId64 " bytes", size);
			rc = ldp_error_set(LDP_ECORRUPT,
					   "manifest %s of snapshot %" PRId64 " is %s (the manifest list records %" PRId64
					   " bytes): restore it, or roll the table back to a snapshot that does not use it",
					   mf.manifest_path, head->snapshot_id, size < 0 ? "missing" : got,
					   mf.manifest_length);
			break;
		}
		ldp_data_file_entry *es = NULL;
		size_t ne = 0;
		if (mf.content == LDP_CONTENT_DATA && (cs->o->mode != LDP_WRITE_APPEND || (cs->rl && cs->rl->nremove_files))) {
			rc = ice_manifest_read(&mf, a, &es, &ne);
			if (rc)
				break;
			const ldp_partition_spec *sp = ldp_metadata_spec(m, mf.partition_spec_id);
			size_t np = sp ? sp->nfields : 0;
			size_t nrep = 0;
			for (size_t k = 0; k < ne; k++)
				if (es[k].status != LDP_ENTRY_DELETED && replaced(cs, mf.partition_spec_id, &es[k], np))
					nrep++;
			if (nrep) {
				/* Rewrite: live entries kept as EXISTING, replaced ones DELETED by this
				 * snapshot; entries already deleted are dropped (spec: deleted entries
				 * are only kept in the snapshot that deleted them). */
				ldp_data_file_entry *out = ldp_arena_calloc(a, ne + 1, sizeof *out);
				size_t no = 0;
				int64_t kept_rows = 0, del_rows = 0, kept = 0, gone = 0, minseq = INT64_MAX;
				for (size_t k = 0; k < ne; k++) {
					if (es[k].status == LDP_ENTRY_DELETED)
						continue;
					out[no] = es[k];
					if (replaced(cs, mf.partition_spec_id, &es[k], np)) {
						out[no].status = LDP_ENTRY_DELETED;
						out[no].snapshot_id = cs->snapshot_id;
						gone++;
						del_rows += es[k].record_count;
						del.records += es[k].record_count;
						del.files++;
						del.bytes += es[k].file_size_in_bytes;
					} else {
						out[no].status = LDP_ENTRY_EXISTING;
						kept++;
						kept_rows += es[k].record_count;
						if (es[k].sequence_number < minseq)
							minseq = es[k].sequence_number;
					}
					no++;
				}
				char path[4096];
				snprintf(path, sizeof path, "%s/metadata/%s-m%zu.avro", m->location, cs->commit_uuid, cs->nwritten + 1);
				int64_t len = 0;
				rc = ice_manifest_write(path, m, ldp_metadata_current_schema(m), mf.partition_spec_id, LDP_CONTENT_DATA,
							cs->snapshot_id, out, no, &len);
				if (rc)
					break;
				if (cs->nwritten < 64)
					cs->written[cs->nwritten++] = strdup(path);
				ldp_manifest_file nm;
				memset(&nm, 0, sizeof nm);
				nm.manifest_path = ldp_arena_strdup(a, path);
				nm.manifest_length = len;
				nm.partition_spec_id = mf.partition_spec_id;
				nm.content = LDP_CONTENT_DATA;
				nm.sequence_number = seq;
				nm.min_sequence_number = kept ? minseq : seq;
				nm.added_snapshot_id = cs->snapshot_id;
				nm.existing_files_count = (int32_t)kept;
				nm.deleted_files_count = (int32_t)gone;
				nm.existing_rows_count = kept_rows;
				nm.deleted_rows_count = del_rows;
				ldp_type *pt = NULL;
				if (sp && ice_partition_types(sp, ldp_metadata_current_schema(m), a, &pt) == LDP_OK) {
					nm.npartitions = np;
					write_summarize(a, pt, np, out, no, &nm.partitions);
					if (!nm.partitions)
						nm.npartitions = 0;
				}
				/* listed even when nothing is kept: it records this snapshot's deletions */
				mf = nm;
			}
		}
		if (nlist == cap) {
			ldp_manifest_file *nl = ldp_arena_calloc(a, cap * 2, sizeof *nl);
			if (!nl) {
				rc = LDP_ENOMEM;
				break;
			}
			memcpy(nl, list, nlist * sizeof *nl);
			list = nl;
			cap *= 2;
		}
		list[nlist++] = mf;
		if (mf.content == LDP_CONTENT_DATA) {
			tot.files += mf.added_files_count + mf.existing_files_count;
			tot.records += mf.added_rows_count + mf.existing_rows_count;
		}
	}
	if (!rc)
		rc = write_rl_finish_list(cs, m, head, &list, &nlist, &cap, seq);
	if (rc)
		return rc;
	if (cs->rb)
		write_rebase_filter(cs, list, &nlist);

	/* totals: the parent's (when it recorded them) adjusted, else from the list */
	int64_t added_bytes = 0, added_rows = 0;
	for (size_t i = 0; i < cs->nentries; i++) {
		added_bytes += cs->entries[i].file_size_in_bytes;
		added_rows += cs->entries[i].record_count;
	}
	int64_t total_bytes = 0;
	const char *pb = head ? ldp_snapshot_summary(head, "total-files-size") : NULL;
	total_bytes = (pb ? strtoll(pb, NULL, 10) : 0) + added_bytes - del.bytes;
	if (total_bytes < 0)
		total_bytes = 0;

	if (cs->merge_enabled)
		rc = write_merge_manifests(cs, m, list, &nlist, seq);
	if (rc)
		return rc;

	char listpath[4096];
	snprintf(listpath, sizeof listpath, "%s/metadata/snap-%" PRId64 "-%zu-%s.avro", m->location, cs->snapshot_id,
		 cs->nwritten + 1, cs->commit_uuid);
	rc = ice_manifest_list_write(listpath, cs->snapshot_id, head ? head->snapshot_id : -1, seq, list, nlist);
	if (rc)
		return rc;
	if (cs->nwritten < 64)
		cs->written[cs->nwritten++] = strdup(listpath);

	/* the snapshot */
	/* spec operations: append adds only; overwrite adds and removes (an
	 * overwrite says so even when it replaced nothing); delete only removes. */
	const char *op = "append";
	if (cs->o->mode != LDP_WRITE_APPEND)
		op = cs->nentries == 0 && del.files > 0 ? "delete" : "overwrite";
	if (cs->rl && (cs->rl->nremove_files || cs->rl->nadd_deletes))
		op = cs->nentries == 0 ? "delete" : "overwrite";
	if (cs->rl && cs->rl->operation)
		op = cs->rl->operation;
	/* the caller's extra properties (ingest state) go first so the standard
	 * ones below cannot be overridden by them */
	size_t nextra = cs->o->nsummary;
	ldp_kv *sum = ldp_arena_calloc(a, 24 + nextra, sizeof *sum);
	if (!sum)
		return LDP_ENOMEM;
	size_t ns = 0;
	sum[ns++] = (ldp_kv){"operation", op};
	for (size_t i = 0; i < nextra; i++)
		sum[ns++] = cs->o->summary[i];
#define SUM(k, val)                                                                 \
	do {                                                                        \
		char tmp_[32];                                                      \
		snprintf(tmp_, sizeof tmp_, "%" PRId64, (int64_t)(val));            \
		sum[ns].key = k;                                                    \
		sum[ns].value = ldp_arena_strdup(a, tmp_);                          \
		ns++;                                                               \
	} while (0)
	SUM("added-data-files", cs->nentries);
	SUM("added-records", added_rows);
	SUM("added-files-size", added_bytes);
	if (del.files) {
		SUM("deleted-data-files", del.files);
		SUM("deleted-records", del.records);
		SUM("removed-files-size", del.bytes);
	}
	SUM("total-records", tot.records + added_rows);
	SUM("total-data-files", tot.files + (int64_t)cs->nentries);
	SUM("total-files-size", total_bytes);
	if (cs->rl && cs->rl->nadd_deletes) {
		SUM("added-delete-files", cs->rl->nadd_deletes);
		if (cs->added_pos_files) {
			SUM("added-position-delete-files", cs->added_pos_files);
			SUM("added-position-deletes", cs->added_pos_deletes);
		}
		if ((int64_t)cs->rl->nadd_deletes > cs->added_pos_files) {
			SUM("added-equality-delete-files", (int64_t)cs->rl->nadd_deletes - cs->added_pos_files);
			SUM("added-equality-deletes", cs->added_eq_deletes);
		}
	}
	if (cs->removed_delete_files)
		SUM("removed-delete-files", cs->removed_delete_files);
	SUM("total-delete-files", cs->tot_delete_files);
	SUM("total-position-deletes", cs->tot_pos_deletes);
	SUM("total-equality-deletes", cs->tot_eq_deletes);
#undef SUM
	ldp_snapshot snap;
	memset(&snap, 0, sizeof snap);
	snap.snapshot_id = cs->snapshot_id;
	snap.parent_id = head ? head->snapshot_id : -1;
	snap.sequence_number = seq;
	snap.timestamp_ms = ldp_now_ms();
	if (snap.timestamp_ms <= m->last_updated_ms)
		snap.timestamp_ms = m->last_updated_ms + 1; /* keep the snapshot log ordered */
	snap.manifest_list = listpath;
	/* a rebasing write adds the snapshot to its rebuilt base (new schema...) */
	const ldp_metadata *base_meta = cs->rebased ? cs->rebased : m;
	snap.schema_id = base_meta->current_schema_id;
	snap.operation = op;
	snap.summary = sum;
	snap.nsummary = ns;

	ldp_metadata *next = NULL, *upgraded = NULL;
	/* ldp writes format v2 manifests and sequence numbers: a write to a v1
	 * table upgrades it first (the spec's upgrade-format-version; v1 snapshots
	 * read as sequence number 0, which the parser already assigns), so the new
	 * snapshot gets its sequence number as a v2 snapshot. */
	if (base_meta->format_version < 2) {
		rc = ldp_metadata_copy(base_meta, &upgraded);
		if (!rc) {
			upgraded->format_version = 2;
			base_meta = upgraded;
		}
	}
	if (!rc)
		rc = ldp_metadata_add_snapshot(base_meta, &snap, branch, &next);
	ldp_metadata_free(upgraded);
	if (!rc)
		rc = ldp_metadata_log_previous(next, t->metadata_location, m->last_updated_ms);
	char *newloc = NULL;
	/* A REST catalog writes the metadata file itself: it gets the change as
	 * requirements + updates (ldp_catalog_commit) instead of a swap. */
	int remote = ldp_catalog_is_rest(cs->wh->catalog);
	if (!rc && !remote) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/metadata", m->location);
		rc = ice_metadata_write(next, dir, ice_metadata_version(t->metadata_location) + 1, &newloc);
		if (rc == LDP_EEXISTS) { /* another writer took this version number */
			ldp_error_clear();
			*conflict = 1;
			rc = LDP_ECONFLICT;
		}
	}
	if (!rc && newloc && cs->nwritten < 64)
		cs->written[cs->nwritten++] = strdup(newloc);
	if (!rc && cs->o->before_swap)
		rc = cs->o->before_swap(cs->o->before_swap_ctx);
	if (!rc && remote) {
		ldp_metadata *committed = NULL;
		rc = ldp_catalog_commit(cs->wh->catalog, t->ident.ns, t->ident.name, m, next, &newloc, &committed);
		if (!rc) {
			ldp_metadata_free(next);
			next = committed;
		}
		if (rc == LDP_ECONFLICT)
			*conflict = 1;
	} else if (!rc) {
		rc = ldp_catalog_swap(cs->wh->catalog, t->ident.ns, t->ident.name, t->metadata_location, newloc);
		if (rc == LDP_ECONFLICT)
			*conflict = 1;
	}
	/* the next write to this table starts from here without reading it back */
	if (!rc)
		ldp_warehouse_cache_metadata(cs->wh, newloc, next);
	else
		ldp_metadata_free(next);
	if (!rc) {
		cs->res->snapshot_id = cs->snapshot_id;
		cs->res->added_files = (int64_t)cs->nentries;
		cs->res->added_records = added_rows;
		cs->res->added_bytes = added_bytes;
		cs->res->deleted_files = del.files;
		cs->res->deleted_records = del.records;
	}
	free(newloc);
	return rc;
}

static void forget_attempt(commit_state *cs, int remove)
{
	for (size_t i = 0; i < cs->nwritten; i++) {
		if (remove)
			ldp_io_remove(cs->written[i]);
		free(cs->written[i]);
	}
	cs->nwritten = 0;
	ldp_metadata_free(cs->rebased);
	cs->rebased = NULL;
	ldp_arena_free(&cs->arena);
	ldp_arena_init(&cs->arena, 0);
}

/* ---- the write ---- */

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int move_files(write_job *j, const ldp_metadata *m, commit_state *cs)
{
	size_t n = j->files ? j->files->count : 0;
	cs->entries = ldp_arena_calloc(&j->arena, n + 1, sizeof *cs->entries);
	if (!cs->entries)
		return LDP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		ldp_data_file *df = &j->files->files[i];
		if (df->record_count == 0) { /* DuckDB writes an empty file for an empty result */
			ldp_io_remove(df->path);
			continue;
		}
		ldp_value *tuple;
		int rc = write_partition_of(j, df->path, &tuple);
		if (rc)
			return rc;
		ldp_buf dest = LDP_BUF_INIT, rel = LDP_BUF_INIT;
		if (j->spec && j->spec->nfields) {
			rc = ldp_partition_path(j->spec, j->schema, tuple, &rel);
			if (rc) {
				ldp_buf_free(&dest);
				ldp_buf_free(&rel);
				return rc;
			}
		}
		const char *base = strrchr(df->path, '/');
		ldp_buf_printf(&dest, "%s/data/%s%s%s.parquet", m->location, ldp_buf_cstr(&rel), rel.len ? "/" : "",
			       base ? base + 1 : df->path);
		/* DuckDB adds .parquet itself; avoid doubling it */
		if (dest.len > 16 && strcmp(dest.ptr + dest.len - 16, ".parquet.parquet") == 0)
			ldp_buf_truncate(&dest, dest.len - 8);
		char dir[4096];
		snprintf(dir, sizeof dir, "%s", ldp_buf_cstr(&dest));
		*strrchr(dir, '/') = '\0';
		rc = ldp_io_mkdirs(dir);
		/* DuckDB does not fsync what COPY writes; the commit must not point at
		 * data a power loss could take back (file, then its new directory). */
		if (!rc)
			rc = ldp_io_sync_file(df->path);
		/* The table location may be a file: URI (pyiceberg writes them) or
		 * s3:// (uploaded from local staging); the manifest keeps that form. */
		if (!rc && (rc = ldp_io_move_in(df->path, ldp_buf_cstr(&dest))) != LDP_OK)
			ldp_error_wrap(rc, "moving data file into %s failed", ldp_buf_cstr(&dest));
		if (!rc)
			rc = ldp_io_sync_dir(ldp_io_local_path(dir));
		ldp_data_file_entry *e = &cs->entries[cs->nentries];
		memset(e, 0, sizeof *e);
		e->status = LDP_ENTRY_ADDED;
		e->snapshot_id = cs->snapshot_id;
		e->sequence_number = -1;
		e->file_sequence_number = -1;
		e->content = LDP_CONTENT_DATA;
		e->file_path = ldp_arena_strdup(&j->arena, ldp_buf_cstr(&dest));
		e->file_format = "PARQUET";
		e->npartition = j->spec ? j->spec->nfields : 0;
		e->partition = tuple;
		e->record_count = df->record_count;
		e->file_size_in_bytes = df->file_size;
		e->sort_order_id = j->order ? j->order->order_id : -1;
		ldp_buf_free(&dest);
		ldp_buf_free(&rel);
		if (!rc)
			rc = file_metrics(j, df, &e->metrics, &e->nmetrics);
		if (rc)
			return rc;
		cs->nentries++;
	}
	return LDP_OK;
}

int ldp_table_write(ldp_warehouse *wh, const ldp_ident *id, const char *select_sql, const ldp_write_options *o,
		    ldp_write_result *res)
{
	return ldp_table_write_rowlevel(wh, id, select_sql, o, NULL, res);
}

int ldp_table_write_rowlevel(ldp_warehouse *wh, const ldp_ident *id, const char *select_sql,
			     const ldp_write_options *o, const ldp_write_rowlevel *rl, ldp_write_result *res)
{
	return write_run(wh, id, select_sql, o, rl, NULL, res);
}

int write_run(ldp_warehouse *wh, const ldp_ident *id, const char *select_sql, const ldp_write_options *o,
	      const ldp_write_rowlevel *rl, const write_rebase *rb, ldp_write_result *res)
{
	memset(res, 0, sizeof *res);
	int64_t t0 = mono_ns();
	ldp_table *t = NULL;
	int rc = ldp_table_load(wh, id, &t);
	if (rc)
		return rc;
	/* the data is written for the rebuilt base: its schema, spec and properties */
	ldp_metadata *rebased = NULL;
	if (rb && (rc = rb->fn(t->meta, rb->ctx, &rebased)) != LDP_OK) {
		ldp_table_free(t);
		return rc;
	}
	int64_t t1 = mono_ns();
	res->load_ns = t1 - t0;
	write_job j;
	memset(&j, 0, sizeof j);
	ldp_arena_init(&j.arena, 0);
	commit_state cs;
	memset(&cs, 0, sizeof cs);
	ldp_arena_init(&cs.arena, 0);
	cs.wh = wh;
	cs.o = o;
	cs.rl = rl;
	cs.res = res;
	snprintf(j.table_name, sizeof j.table_name, "%s.%s", id->ns, id->name);
	const ldp_metadata *m = rebased ? rebased : t->meta;
	j.schema = ldp_metadata_current_schema(m);
	j.spec = ldp_metadata_default_spec(m);
	j.order = ldp_metadata_default_sort_order(m);
	cs.spec_id = m->default_spec_id;
	cs.rb = rb;
	cs.rb_schema = j.schema;
	cs.rb_spec = j.spec;
	cs.rb_order_id = m->default_sort_order_id;
	int64_t target = 0, retries = 4, min_wait = 100, max_wait = 60000;
	j.compression = ldp_metadata_property(m, "write.parquet.compression-codec");
	if (!j.compression)
		j.compression = "zstd";
	rc = ice_property_int(m, "write.target-file-size-bytes", 512LL * 1024 * 1024, &target);
	if (!rc)
		rc = ice_property_int(m, "commit.retry.num-retries", wh->commit_retries, &retries);
	/* Iceberg's retry waits (same names and defaults as Java's TableProperties) */
	if (!rc)
		rc = ice_property_int(m, "commit.retry.min-wait-ms", 100, &min_wait);
	if (!rc)
		rc = ice_property_int(m, "commit.retry.max-wait-ms", 60000, &max_wait);
	if (rl && rl->target_file_size > 0)
		target = rl->target_file_size;
	j.target_file_size = target;
	const char *merge = ldp_metadata_property(m, "commit.manifest-merge.enabled");
	cs.merge_enabled = !merge || strcmp(merge, "false") != 0;
	if (!rc)
		rc = ice_property_int(m, "commit.manifest.min-count-to-merge", 100, &cs.min_count_to_merge);
	if (!rc)
		rc = ldp_warehouse_engine(wh, &j.engine);
	if (!rc)
		rc = ldp_metadata_new_snapshot_id(m, &cs.snapshot_id);
	if (!rc)
		rc = ldp_uuid4(cs.commit_uuid);
	char staging[4096], pattern[96];
	/* DuckDB writes local files only: a remote table stages them in TMPDIR */
	if (ldp_io_is_remote(m->location))
		snprintf(staging, sizeof staging, "%s/ldp-staging-%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 cs.commit_uuid);
	else
		snprintf(staging, sizeof staging, "%s/data/.ldp-staging-%s", m->location, cs.commit_uuid);
	snprintf(pattern, sizeof pattern, "00000-%" PRId64 "-{uuid}", cs.snapshot_id % 100000);
	j.staging_dir = staging;
	j.file_prefix = pattern;
	if (!rc) {
		char datadir[4096];
		snprintf(datadir, sizeof datadir, "%s/data", m->location);
		rc = ldp_io_mkdirs(datadir);
	}
	/* the source may read Iceberg tables too (INSERT ... SELECT FROM ns.t) */
	if (!rc)
		rc = ldp_warehouse_bind_sql(wh, select_sql);
	if (!rc)
		rc = write_describe_source(&j, select_sql);
	if (!rc)
		rc = write_data_files(&j, select_sql);
	if (!rc)
		rc = move_files(&j, m, &cs);
	ldp_io_remove_tree(staging);
	if (!rc && cs.nentries > 0) {
		/* the manifest of added files: written once, reused by every attempt */
		char path[4096];
		snprintf(path, sizeof path, "%s/metadata/%s-m0.avro", m->location, cs.commit_uuid);
		int64_t len = 0;
		rc = ice_manifest_write(path, m, j.schema, cs.spec_id, LDP_CONTENT_DATA, cs.snapshot_id, cs.entries,
					cs.nentries, &len);
		if (!rc) {
			ldp_manifest_file *a = &cs.added;
			memset(a, 0, sizeof *a);
			a->manifest_path = ldp_arena_strdup(&j.arena, path);
			a->manifest_length = len;
			a->partition_spec_id = cs.spec_id;
			a->content = LDP_CONTENT_DATA;
			a->added_snapshot_id = cs.snapshot_id;
			a->added_files_count = (int32_t)cs.nentries;
			for (size_t i = 0; i < cs.nentries; i++)
				a->added_rows_count += cs.entries[i].record_count;
			a->npartitions = j.spec ? j.spec->nfields : 0;
			write_summarize(&j.arena, j.part_types, a->npartitions, cs.entries, cs.nentries, &a->partitions);
			if (!a->partitions)
				a->npartitions = 0;
			cs.has_added = 1;
		}
	}
	if (!rc && rl)
		rc = write_rl_prepare(&cs, m, &j.arena);
	int64_t t2 = mono_ns();
	res->data_ns = t2 - t1;
	/* Writing the data took a while: commit on the newest base rather than
	 * the one loaded before it, or under steady concurrent appends nearly
	 * every first attempt is doomed and writers run out of retries. (The
	 * same re-application a lost race does; the data files do not depend
	 * on the base.) */
	if (!rc) {
		char *loc = NULL;
		rc = ldp_catalog_load_table(wh->catalog, id->ns, id->name, &loc, NULL);
		ldp_table *fresh = NULL;
		if (!rc && loc && strcmp(loc, t->metadata_location) != 0 && !(rc = ldp_table_load(wh, id, &fresh))) {
			ldp_table_free(t);
			t = fresh;
		}
		free(loc);
	}
	for (int try = 0; !rc; try++) {
		int conflict = 0;
		res->attempts = try + 1;
		rc = attempt(&cs, t, &conflict);
		if (!rc) {
			forget_attempt(&cs, 0);
			break;
		}
		forget_attempt(&cs, 1);
		if (!conflict || try >= retries)
			break;
		LDP_INFO("commit to %s lost a race (attempt %d): retrying on the new table state", j.table_name, try + 1);
		ldp_error_clear();
		ldp_backoff_sleep(try, (int)(min_wait < 0 ? 0 : min_wait > 3600000 ? 3600000 : min_wait),
				  (int)(max_wait < 0 ? 0 : max_wait > 3600000 ? 3600000 : max_wait));
		ldp_table *fresh = NULL;
		rc = ldp_table_load(wh, id, &fresh);
		if (!rc) {
			ldp_table_free(t);
			t = fresh;
		}
	}
	res->commit_ns = mono_ns() - t2;
	if (rc) {
		/* the data files and manifest are unreferenced: remove them */
		for (size_t i = 0; i < cs.nentries; i++)
			ldp_io_remove(cs.entries[i].file_path);
		if (cs.has_added)
			ldp_io_remove(cs.added.manifest_path);
		for (size_t i = 0; i < cs.ndel_added; i++)
			ldp_io_remove(cs.del_added[i].manifest_path);
		if (rc == LDP_ECONFLICT)
			ldp_error_wrap(rc, "gave up after %d attempts while other writers kept committing (nothing was "
					   "written; run it again, or raise the table property commit.retry.num-retries)",
				       res->attempts);
		rc = ldp_error_wrap(rc, "writing to table %s", j.table_name);
	}
	forget_attempt(&cs, 0);
	for (size_t i = 0; i < j.nsrc; i++)
		if (j.src_types && j.src_types[i])
			duckdb_destroy_logical_type(&j.src_types[i]);
	free(j.src_types);
	ldp_data_files_free(j.files);
	ldp_arena_free(&j.arena);
	ldp_arena_free(&cs.arena);
	ldp_metadata_free(rebased);
	ldp_table_free(t);
	return rc;
}
