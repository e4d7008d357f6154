/* Manifests and manifest lists at locations: FileIO + format/manifest.h. */
#include <stdlib.h>
#include <string.h>

#include "format/manifest.h"
#include "format/metadata.h"
#include "format/partition.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/json.h"
#include "table/ice.h"

static int write_file(const char *location, ldp_buf *b, int64_t *length)
{
	if (ldp_buf_oom(b))
		return LDP_ENOMEM;
	if (length)
		*length = (int64_t)b->len;
	/* Manifests and lists have fresh unique names: never replace one. Their
	 * directory is synced once, with the metadata file that references them
	 * (ice_metadata_write), before the commit makes them reachable. */
	return ldp_io_write_exclusive_nodirsync(location, b->ptr, b->len);
}

int ice_manifest_list_read(const char *location, ldp_arena *a, ldp_manifest_file **out, size_t *n)
{
	uint8_t *data;
	size_t len;
	int rc = ldp_io_read_all(location, &data, &len);
	if (rc)
		return ldp_error_wrap(rc, "reading manifest list");
	rc = ldp_manifest_list_read(a, data, len, location, out, n);
	free(data);
	return rc;
}

int ice_manifest_list_write(const char *location, int64_t snapshot_id, int64_t parent_id, int64_t sequence_number,
			    const ldp_manifest_file *files, size_t n)
{
	ldp_manifest_list_info info = {snapshot_id, parent_id, sequence_number};
	ldp_buf b = LDP_BUF_INIT;
	int rc = ldp_manifest_list_write(&info, files, n, &b);
	if (!rc)
		rc = write_file(location, &b, NULL);
	ldp_buf_free(&b);
	return rc ? ldp_error_wrap(rc, "writing manifest list %s", location) : rc;
}

int ice_manifest_read(const ldp_manifest_file *mf, ldp_arena *a, ldp_data_file_entry **out, size_t *n)
{
	uint8_t *data;
	size_t len;
	int rc = ldp_io_read_all(mf->manifest_path, &data, &len);
	if (rc)
		return ldp_error_wrap(rc, "reading manifest");
	ldp_manifest *man = NULL;
	rc = ldp_manifest_read(a, data, len, mf->manifest_path, &man);
	free(data);
	if (rc)
		return rc;
	for (size_t i = 0; i < man->nentries; i++) {
		ldp_data_file_entry *e = &man->entries[i];
		if (e->snapshot_id < 0)
			e->snapshot_id = mf->added_snapshot_id;
		/* A null data sequence number is inherited only by added files; the
		 * manifest list's number is the snapshot that added them. */
		if (e->sequence_number < 0)
			e->sequence_number = mf->sequence_number;
		if (e->file_sequence_number < 0)
			e->file_sequence_number = mf->sequence_number;
	}
	*out = man->entries;
	*n = man->nentries;
	return LDP_OK;
}

int ice_manifest_write(const char *location, const ldp_metadata *m, const ldp_schema *schema, int32_t spec_id,
		       ldp_content content, int64_t snapshot_id, const ldp_data_file_entry *entries, size_t n,
		       int64_t *length)
{
	(void)snapshot_id;
	const ldp_partition_spec *spec = ldp_metadata_spec(m, spec_id);
	if (!spec)
		return ldp_error_set(LDP_ECORRUPT, "writing manifest %s: no partition spec %d", location, spec_id);
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_manifest_pfield *pf = ldp_arena_calloc(&a, spec->nfields + 1, sizeof *pf);
	int rc = pf ? LDP_OK : LDP_ENOMEM;
	for (size_t k = 0; !rc && k < spec->nfields; k++) {
		pf[k].field_id = spec->fields[k].field_id;
		pf[k].name = spec->fields[k].name;
		rc = ice_partition_result_type(&spec->fields[k], schema, &pf[k].type);
	}
	json_t *sj = NULL, *pj = NULL;
	char *schema_text = NULL, *spec_text = NULL;
	if (!rc) {
		sj = ldp_schema_to_json(schema);
		pj = ldp_partition_spec_fields_to_json(spec);
		schema_text = sj ? ldp_json_dumps(sj, 0) : NULL;
		spec_text = pj ? ldp_json_dumps(pj, 0) : NULL;
		if (!schema_text || !spec_text)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	ldp_buf b = LDP_BUF_INIT;
	if (!rc) {
		ldp_manifest_info info;
		memset(&info, 0, sizeof info);
		info.schema_json = schema_text;
		info.schema_id = schema->schema_id;
		info.spec_fields_json = spec_text;
		info.spec_id = spec_id;
		info.deletes = content != LDP_CONTENT_DATA;
		info.npfields = spec->nfields;
		info.pfields = pf;
		rc = ldp_manifest_write(&info, entries, n, &b);
	}
	if (!rc)
		rc = write_file(location, &b, length);
	ldp_buf_free(&b);
	free(schema_text);
	free(spec_text);
	json_decref(sj);
	json_decref(pj);
	ldp_arena_free(&a);
	return rc ? ldp_error_wrap(rc, "writing manifest %s", location) : rc;
}

int ice_snapshot_manifests(const ldp_snapshot *snap, ldp_arena *a, ldp_manifest_file **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (snap->manifest_list)
		return ice_manifest_list_read(snap->manifest_list, a, out, n);
	/* v1 snapshots may list manifests inline ("manifests"): describe each
	 * from its own header and entries, as a manifest list would. */
	ldp_manifest_file *mfs = ldp_arena_calloc(a, snap->nmanifests_v1 + 1, sizeof *mfs);
	if (!mfs)
		return LDP_ENOMEM;
	for (size_t i = 0; i < snap->nmanifests_v1; i++) {
		uint8_t *data;
		size_t len;
		int rc = ldp_io_read_all(snap->manifests_v1[i], &data, &len);
		if (rc)
			return ldp_error_wrap(rc, "reading manifest");
		ldp_manifest *man = NULL;
		rc = ldp_manifest_read(a, data, len, snap->manifests_v1[i], &man);
		free(data);
		if (rc)
			return rc;
		ldp_manifest_file *mf = &mfs[i];
		mf->manifest_path = ldp_arena_strdup(a, snap->manifests_v1[i]);
		mf->manifest_length = (int64_t)len;
		mf->partition_spec_id = man->spec_id >= 0 ? man->spec_id : 0;
		mf->content = man->deletes ? LDP_CONTENT_POSITION_DELETES : LDP_CONTENT_DATA;
		mf->added_snapshot_id = snap->snapshot_id;
		mf->sequence_number = snap->sequence_number;
		mf->min_sequence_number = snap->sequence_number;
		for (size_t k = 0; k < man->nentries; k++) {
			const ldp_data_file_entry *e = &man->entries[k];
			if (e->status == LDP_ENTRY_ADDED) {
				mf->added_files_count++;
				mf->added_rows_count += e->record_count;
			} else if (e->status == LDP_ENTRY_EXISTING) {
				mf->existing_files_count++;
				mf->existing_rows_count += e->record_count;
			} else {
				mf->deleted_files_count++;
				mf->deleted_rows_count += e->record_count;
			}
		}
	}
	*out = mfs;
	*n = snap->nmanifests_v1;
	return LDP_OK;
}
