/*
 * Manifest-list bookkeeping for table writes: partition field summaries and
 * manifest merging (see write.c for the commit itself).
 */
#include <stdlib.h>
#include <string.h>

#include "format/metadata.h"
#include "format/value.h"
#include "ldp/error.h"
#include "table/ice.h"
#include "table/write_internal.h"

/* ---- partition summaries for a manifest list entry ---- */

int write_summarize(ldp_arena *a, const ldp_type *types, size_t nfields, const ldp_data_file_entry *es, size_t n,
		     ldp_field_summary **out)
{
	*out = NULL;
	if (!nfields || !types)
		return LDP_OK;
	ldp_field_summary *s = ldp_arena_calloc(a, nfields, sizeof *s);
	if (!s)
		return LDP_ENOMEM;
	for (size_t k = 0; k < nfields; k++) {
		const ldp_value *lo = NULL, *hi = NULL;
		s[k].contains_nan = 0;
		if (types[k].id == LDP_T_FLOAT || types[k].id == LDP_T_DOUBLE)
			s[k].contains_nan = -1;
		for (size_t i = 0; i < n; i++) {
			const ldp_value *v = &es[i].partition[k];
			if (v->is_null) {
				s[k].contains_null = true;
				continue;
			}
			if (!lo || ldp_value_compare(v, lo) < 0)
				lo = v;
			if (!hi || ldp_value_compare(v, hi) > 0)
				hi = v;
		}
		if (lo && ldp_value_to_bytes(lo, &types[k], a, &s[k].lower, &s[k].lower_len))
			s[k].lower = NULL;
		if (hi && ldp_value_to_bytes(hi, &types[k], a, &s[k].upper, &s[k].upper_len))
			s[k].upper = NULL;
	}
	*out = s;
	return LDP_OK;
}

/* Every write adds a manifest; left alone, a table with thousands of commits
 * has thousands of manifests to list and plan. As Iceberg's merge-append does
 * (commit.manifest.min-count-to-merge, default 100), once the snapshot would
 * list that many data manifests, the carried data manifests of each partition
 * spec are rewritten into one, their live files kept as EXISTING with their
 * original snapshot ids and sequence numbers. The manifest added by this
 * write stays separate. */
int write_merge_manifests(commit_state *cs, const ldp_metadata *m, ldp_manifest_file *list, size_t *nlist,
			   int64_t seq)
{
	size_t ndata = 0;
	for (size_t i = 0; i < *nlist; i++)
		if (list[i].content == LDP_CONTENT_DATA)
			ndata++;
	if ((int64_t)ndata < cs->min_count_to_merge || cs->min_count_to_merge <= 0)
		return LDP_OK;
	ldp_arena *a = &cs->arena;
	size_t first = cs->has_added ? 1 : 0;
	int rc = LDP_OK;
	for (size_t i = first; i < *nlist && !rc; i++) {
		if (list[i].content != LDP_CONTENT_DATA)
			continue;
		int32_t spec_id = list[i].partition_spec_id;
		/* gather every carried data manifest of this spec */
		size_t ngroup = 0, nent = 0, cap = 256;
		ldp_data_file_entry *all = ldp_arena_calloc(a, cap, sizeof *all);
		if (!all)
			return LDP_ENOMEM;
		for (size_t k = i; k < *nlist && !rc; k++) {
			if (list[k].content != LDP_CONTENT_DATA || list[k].partition_spec_id != spec_id)
				continue;
			ngroup++;
			ldp_data_file_entry *es;
			size_t ne;
			rc = ice_manifest_read(&list[k], a, &es, &ne);
			for (size_t e = 0; !rc && e < ne; e++) {
				if (es[e].status == LDP_ENTRY_DELETED)
					continue; /* deletions belong to the snapshot that made them */
				if (nent == cap) {
					ldp_data_file_entry *g = ldp_arena_calloc(a, cap * 2, sizeof *g);
					if (!g) {
						rc = LDP_ENOMEM;
						break;
					}
					memcpy(g, all, nent * sizeof *g);
					all = g;
					cap *= 2;
				}
				all[nent] = es[e];
				all[nent].status = LDP_ENTRY_EXISTING;
				nent++;
			}
		}
		if (rc || ngroup < 2)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/metadata/%s-m%zu.avro", m->location, cs->commit_uuid, cs->nwritten + 1);
		int64_t len = 0;
		rc = ice_manifest_write(path, m, ldp_metadata_current_schema(m), spec_id, LDP_CONTENT_DATA, cs->snapshot_id,
					all, nent, &len);
		if (rc)
			break;
		if (cs->nwritten < 64)
			cs->written[cs->nwritten++] = strdup(path);
		ldp_manifest_file nm;
		memset(&nm, 0, sizeof nm);
		nm.manifest_path = ldp_arena_strdup(a, path);
		nm.manifest_length = len;
		nm.partition_spec_id = spec_id;
		nm.content = LDP_CONTENT_DATA;
		nm.sequence_number = seq;
		nm.min_sequence_number = seq;
		nm.added_snapshot_id = cs->snapshot_id;
		for (size_t e = 0; e < nent; e++) {
			nm.existing_files_count++;
			nm.existing_rows_count += all[e].record_count;
			if (all[e].sequence_number < nm.min_sequence_number)
				nm.min_sequence_number = all[e].sequence_number;
		}
		const ldp_partition_spec *sp = ldp_metadata_spec(m, spec_id);
		ldp_type *pt = NULL;
		if (sp && sp->nfields && ice_partition_types(sp, ldp_metadata_current_schema(m), a, &pt) == LDP_OK &&
		    write_summarize(a, pt, sp->nfields, all, nent, &nm.partitions) == LDP_OK && nm.partitions)
			nm.npartitions = sp->nfields;
		/* replace the group by the merged manifest, keeping list order */
		size_t w = i;
		list[w++] = nm;
		for (size_t k = i + 1; k < *nlist; k++)
			if (!(list[k].content == LDP_CONTENT_DATA && list[k].partition_spec_id == spec_id))
				list[w++] = list[k];
		*nlist = w;
	}
	return rc;
}

