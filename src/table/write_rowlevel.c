/*
 * The row-level part of a commit (see write_internal.h): data files removed
 * by copy-on-write or compaction, position delete files added by
 * merge-on-read, and the checks that keep concurrent commits from losing or
 * resurrecting rows (spec: "Scan Planning" sequence number rules; Java's
 * "validateNoNewDeletesForDataFiles" and "validateDataFilesExist" are the
 * same two checks).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/metadata.h"
#include "ldp/error.h"
#include "table/ice.h"
#include "table/write_internal.h"

int write_rl_removes(const commit_state *cs, const ldp_data_file_entry *e)
{
	for (size_t i = 0; i < cs->rl->nremove_files; i++)
		if (strcmp(cs->rl->remove_files[i], e->file_path) == 0)
			return 1;
	return 0;
}

int write_rl_prepare(commit_state *cs, const ldp_metadata *m, ldp_arena *keep)
{
	const ldp_write_rowlevel *rl = cs->rl;
	if (!rl->nadd_deletes)
		return LDP_OK;
	cs->del_added = ldp_arena_calloc(keep, rl->nadd_deletes, sizeof *cs->del_added);
	ldp_data_file_entry *group = ldp_arena_calloc(keep, rl->nadd_deletes, sizeof *group);
	if (!cs->del_added || !group)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	char *done = calloc(rl->nadd_deletes, 1);
	if (!done)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	int rc = LDP_OK;
	/* one manifest per partition spec and kind of delete */
	for (size_t i = 0; i < rl->nadd_deletes && !rc; i++) {
		if (done[i])
			continue;
		int32_t spec_id = rl->add_delete_spec_ids[i];
		ldp_content content = rl->add_deletes[i].content;
		size_t n = 0;
		int64_t rows = 0;
		for (size_t k = i; k < rl->nadd_deletes; k++) {
			if (done[k] || rl->add_delete_spec_ids[k] != spec_id || rl->add_deletes[k].content != content)
				continue;
			done[k] = 1;
			group[n] = rl->add_deletes[k];
			group[n].status = LDP_ENTRY_ADDED;
			group[n].snapshot_id = cs->snapshot_id;
			group[n].sequence_number = -1;
			group[n].file_sequence_number = -1;
			rows += group[n].record_count;
			n++;
		}
		char path[4096];
		snprintf(path, sizeof path, "%s/metadata/%s-d%zu.avro", m->location, cs->commit_uuid, cs->ndel_added);
		int64_t len = 0;
		rc = ice_manifest_write(path, m, ldp_metadata_current_schema(m), spec_id, content, cs->snapshot_id, group, n,
					&len);
		if (rc)
			break;
		ldp_manifest_file *mf = &cs->del_added[cs->ndel_added++];
		memset(mf, 0, sizeof *mf);
		mf->manifest_path = ldp_arena_strdup(keep, path);
		mf->manifest_length = len;
		mf->partition_spec_id = spec_id;
		mf->content = LDP_CONTENT_POSITION_DELETES; /* the list's "deletes" (1) covers both kinds */
		mf->added_snapshot_id = cs->snapshot_id;
		mf->added_files_count = (int32_t)n;
		mf->added_rows_count = rows;
		if (content == LDP_CONTENT_POSITION_DELETES) {
			cs->added_pos_deletes += rows;
			cs->added_pos_files += (int64_t)n;
		} else {
			cs->added_eq_deletes += rows;
		}
		const ldp_partition_spec *sp = ldp_metadata_spec(m, spec_id);
		ldp_type *pt = NULL;
		if (sp && sp->nfields && ice_partition_types(sp, ldp_metadata_current_schema(m), keep, &pt) == LDP_OK) {
			mf->npartitions = sp->nfields;
			write_summarize(keep, pt, sp->nfields, group, n, &mf->partitions);
			if (!mf->partitions)
				mf->npartitions = 0;
		}
	}
	free(done);
	return rc;
}

int write_rl_check_base(commit_state *cs, const ldp_metadata *m, const ldp_snapshot *head)
{
	cs->nremoved_found = 0;
	int64_t read_id = cs->rl->read_snapshot_id;
	if (read_id <= 0 || !head || head->snapshot_id == read_id)
		return LDP_OK;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_manifest_file *mfs = NULL;
	size_t n = 0;
	int rc = ice_snapshot_manifests(head, &a, &mfs, &n);
	size_t nreq = cs->rl->nrequire_files, found = 0;
	char *seen = nreq ? calloc(nreq, 1) : NULL;
	if (nreq && !seen)
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < n; i++) {
		if (mfs[i].content == LDP_CONTENT_DATA) {
			if (!nreq)
				continue;
			ldp_data_file_entry *es;
			size_t ne;
			rc = ice_manifest_read(&mfs[i], &a, &es, &ne);
			for (size_t k = 0; !rc && k < ne; k++) {
				if (es[k].status == LDP_ENTRY_DELETED)
					continue;
				for (size_t r = 0; r < nreq; r++)
					if (!seen[r] && strcmp(cs->rl->require_files[r], es[k].file_path) == 0) {
						seen[r] = 1;
						found++;
					}
			}
			continue;
		}
		ldp_data_file_entry *es;
		size_t ne;
		rc = ice_manifest_read(&mfs[i], &a, &es, &ne);
		for (size_t k = 0; !rc && k < ne; k++) {
			if (es[k].status == LDP_ENTRY_DELETED)
				continue;
			if (!ldp_metadata_is_ancestor(m, read_id, es[k].snapshot_id))
				rc = ldp_error_set(LDP_ECONFLICT,
						   "snapshot %" PRId64 " committed delete file %s after this change read the table "
						   "(snapshot %" PRId64 "); nothing was committed: run the statement again",
						   es[k].snapshot_id, es[k].file_path, read_id);
		}
	}
	if (!rc && found < nreq)
		rc = ldp_error_set(LDP_ECONFLICT,
				   "%zu of the %zu data files this change deletes rows from were removed or rewritten by a "
				   "concurrent commit; nothing was committed: run the statement again",
				   nreq - found, nreq);
	free(seen);
	ldp_arena_free(&a);
	return rc;
}

/* A copy of a delete manifest with every live entry marked deleted by this snapshot. */
static int drop_delete_manifest(commit_state *cs, const ldp_metadata *m, const ldp_manifest_file *mf, int64_t seq,
				ldp_manifest_file *out)
{
	ldp_arena *a = &cs->arena;
	ldp_data_file_entry *es;
	size_t ne, no = 0;
	int rc = ice_manifest_read(mf, a, &es, &ne);
	if (rc)
		return rc;
	for (size_t k = 0; k < ne; k++) {
		if (es[k].status == LDP_ENTRY_DELETED)
			continue;
		es[no] = es[k];
		es[no].status = LDP_ENTRY_DELETED;
		es[no].snapshot_id = cs->snapshot_id;
		no++;
	}
	if (!no) {
		out->manifest_path = NULL;
		return LDP_OK;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/metadata/%s-x%zu.avro", m->location, cs->commit_uuid, cs->nwritten + 1);
	int64_t len = 0;
	rc = ice_manifest_write(path, m, ldp_metadata_current_schema(m), mf->partition_spec_id, mf->content, cs->snapshot_id,
				es, no, &len);
	if (rc)
		return rc;
	if (cs->nwritten < 64)
		cs->written[cs->nwritten++] = strdup(path);
	memset(out, 0, sizeof *out);
	out->manifest_path = ldp_arena_strdup(a, path);
	out->manifest_length = len;
	out->partition_spec_id = mf->partition_spec_id;
	out->content = mf->content;
	out->sequence_number = seq;
	out->min_sequence_number = seq;
	out->added_snapshot_id = cs->snapshot_id;
	out->deleted_files_count = (int32_t)no;
	cs->removed_delete_files += (int64_t)no;
	return LDP_OK;
}

int write_rl_finish_list(commit_state *cs, const ldp_metadata *m, const ldp_snapshot *head, ldp_manifest_file **list,
			 size_t *nlist, size_t *cap, int64_t seq)
{
	const ldp_write_rowlevel *rl = cs->rl; /* NULL for plain writes: totals only */
	/* every removed file must still have been live: otherwise a concurrent
	 * commit rewrote or removed it, and committing would lose its rows */
	if (rl && rl->nremove_files) {
		int64_t found = 0;
		for (size_t i = 0; i < *nlist; i++)
			if ((*list)[i].content == LDP_CONTENT_DATA && (*list)[i].added_snapshot_id == cs->snapshot_id)
				found += (*list)[i].deleted_files_count;
		if (found < (int64_t)rl->nremove_files)
			return ldp_error_set(LDP_ECONFLICT,
					     "%" PRId64 " of the %zu data files this change rewrites are no longer in the table: "
					     "a concurrent commit removed or rewrote them; nothing was committed: run it again",
					     (int64_t)rl->nremove_files - found, rl->nremove_files);
	}
	(void)head;
	/* make room for the new delete manifests */
	if (*nlist + cs->ndel_added >= *cap) {
		size_t ncap = *nlist + cs->ndel_added + 8;
		ldp_manifest_file *nl = ldp_arena_calloc(&cs->arena, ncap, sizeof *nl);
		if (!nl)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		memcpy(nl, *list, *nlist * sizeof *nl);
		*list = nl;
		*cap = ncap;
	}
	size_t w = 0;
	for (size_t i = 0; i < *nlist; i++) {
		ldp_manifest_file mf = (*list)[i];
		if (mf.content != LDP_CONTENT_DATA && rl && rl->remove_all_deletes) {
			ldp_manifest_file dropped;
			int rc = drop_delete_manifest(cs, m, &mf, seq, &dropped);
			if (rc)
				return rc;
			if (!dropped.manifest_path)
				continue;
			mf = dropped;
		}
		(*list)[w++] = mf;
	}
	*nlist = w;
	for (size_t i = 0; i < cs->ndel_added; i++) {
		ldp_manifest_file mf = cs->del_added[i];
		mf.sequence_number = seq;
		mf.min_sequence_number = seq;
		(*list)[(*nlist)++] = mf;
	}
	/* totals of the new snapshot's delete files */
	cs->tot_delete_files = 0;
	for (size_t i = 0; i < *nlist; i++)
		if ((*list)[i].content != LDP_CONTENT_DATA)
			cs->tot_delete_files += (*list)[i].added_files_count + (*list)[i].existing_files_count;
	const char *pp = head ? ldp_snapshot_summary(head, "total-position-deletes") : NULL;
	const char *pe = head ? ldp_snapshot_summary(head, "total-equality-deletes") : NULL;
	int drop_all = rl && rl->remove_all_deletes;
	cs->tot_pos_deletes = drop_all ? 0 : (pp ? strtoll(pp, NULL, 10) : 0);
	cs->tot_pos_deletes += cs->added_pos_deletes;
	cs->tot_eq_deletes = drop_all ? 0 : (pe ? strtoll(pe, NULL, 10) : 0);
	cs->tot_eq_deletes += cs->added_eq_deletes;
	return LDP_OK;
}
