/*
 * Iceberg manifest lists (apache/iceberg format/spec.md "Manifest Lists"):
 * Avro files of manifest_file records (field ids 500-519) with a
 * field_summary per partition field. Written as v2, read as v1 or v2.
 */
#include "format/manifest_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"

/* v2 manifest_file. The field order is the one ldp writes; readers locate
 * fields by id. */
static const char MANIFEST_FILE_V2[] =
	"{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":["
	"{\"name\":\"manifest_path\",\"type\":\"string\",\"field-id\":500},"
	"{\"name\":\"manifest_length\",\"type\":\"long\",\"field-id\":501},"
	"{\"name\":\"partition_spec_id\",\"type\":\"int\",\"field-id\":502},"
	"{\"name\":\"content\",\"type\":\"int\",\"field-id\":517},"
	"{\"name\":\"sequence_number\",\"type\":\"long\",\"field-id\":515},"
	"{\"name\":\"min_sequence_number\",\"type\":\"long\",\"field-id\":516},"
	"{\"name\":\"added_snapshot_id\",\"type\":\"long\",\"field-id\":503},"
	"{\"name\":\"added_files_count\",\"type\":\"int\",\"field-id\":504},"
	"{\"name\":\"existing_files_count\",\"type\":\"int\",\"field-id\":505},"
	"{\"name\":\"deleted_files_count\",\"type\":\"int\",\"field-id\":506},"
	"{\"name\":\"added_rows_count\",\"type\":\"long\",\"field-id\":512},"
	"{\"name\":\"existing_rows_count\",\"type\":\"long\",\"field-id\":513},"
	"{\"name\":\"deleted_rows_count\",\"type\":\"long\",\"field-id\":514},"
	"{\"name\":\"partitions\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","
	"\"name\":\"r508\",\"fields\":["
	"{\"name\":\"contains_null\",\"type\":\"boolean\",\"field-id\":509},"
	"{\"name\":\"contains_nan\",\"type\":[\"null\",\"boolean\"],\"default\":null,\"field-id\":518},"
	"{\"name\":\"lower_bound\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":510},"
	"{\"name\":\"upper_bound\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":511}]},"
	"\"element-id\":508}],\"default\":null,\"field-id\":507},"
	"{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":519}]}";

static int file_to_avro(ldp_arena *a, const ldp_avro_schema *s, const ldp_manifest_file *m, ldp_avro_value **out)
{
	if (!m->manifest_path)
		return ldp_error_set(LDP_EINVALID, "a manifest list entry needs manifest_path");
	if (m->content != LDP_CONTENT_DATA && m->content != LDP_CONTENT_POSITION_DELETES)
		return ldp_error_set(LDP_EINVALID, "'%s': manifest content must be 0 (data) or 1 (deletes), not %d",
				     m->manifest_path, (int)m->content);
	int32_t counts[3] = {m->added_files_count, m->existing_files_count, m->deleted_files_count};
	int64_t rows[3] = {m->added_rows_count, m->existing_rows_count, m->deleted_rows_count};
	for (int i = 0; i < 3; i++)
		if (counts[i] < 0 || rows[i] < 0)
			return ldp_error_set(LDP_EINVALID, "'%s': file and row counts are required in v2",
					     m->manifest_path);
	ldp_avro_value *r = ldp_avro_record(a, s, false);
	if (!r)
		return LDP_ENOMEM;
	ldp_avro_value **f = r->u.record.fields;
	f[0] = ldp_avro_string(a, m->manifest_path);
	f[1] = ldp_avro_long(a, m->manifest_length);
	f[2] = ldp_avro_int(a, m->partition_spec_id);
	f[3] = ldp_avro_int(a, (int32_t)m->content);
	f[4] = ldp_avro_long(a, m->sequence_number);
	f[5] = ldp_avro_long(a, m->min_sequence_number);
	f[6] = ldp_avro_long(a, m->added_snapshot_id);
	for (int i = 0; i < 3; i++) {
		f[7 + i] = ldp_avro_int(a, counts[i]);
		f[10 + i] = ldp_avro_long(a, rows[i]);
	}
	const ldp_avro_schema *sum = ldp_mf_nonnull(s->fields[13].type)->items;
	if (m->npartitions) {
		if (!(f[13] = ldp_avro_array(a)))
			return LDP_ENOMEM;
		for (size_t i = 0; i < m->npartitions; i++) {
			const ldp_field_summary *p = &m->partitions[i];
			ldp_avro_value *sv = ldp_avro_record(a, sum, false);
			if (!sv)
				return LDP_ENOMEM;
			sv->u.record.fields[0] = ldp_avro_bool(a, p->contains_null);
			sv->u.record.fields[1] = p->contains_nan >= 0 ? ldp_avro_bool(a, p->contains_nan != 0) : NULL;
			sv->u.record.fields[2] = p->lower ? ldp_avro_bytes(a, p->lower, p->lower_len) : NULL;
			sv->u.record.fields[3] = p->upper ? ldp_avro_bytes(a, p->upper, p->upper_len) : NULL;
			int rc = ldp_avro_array_append(a, f[13], sv);
			if (rc)
				return rc;
		}
	}
	f[14] = m->key_metadata ? ldp_avro_bytes(a, m->key_metadata, m->key_metadata_len) : NULL;
	*out = r;
	return 0;
}

int ldp_manifest_list_write(const ldp_manifest_list_info *info, const ldp_manifest_file *files, size_t n,
			    ldp_buf *out)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *s;
	ldp_avro_writer *w = NULL;
	char num[32];
	int rc = ldp_avro_schema_parse(&a, MANIFEST_FILE_V2, sizeof MANIFEST_FILE_V2 - 1, &s);
	ldp_avro_writer_opts opts = {.codec = LDP_AVRO_CODEC_DEFLATE};
	if (!rc)
		rc = ldp_avro_writer_new(s, &opts, out, &w);
	snprintf(num, sizeof num, "%lld", (long long)info->snapshot_id);
	if (!rc)
		rc = ldp_avro_writer_meta_str(w, "snapshot-id", num);
	if (info->parent_snapshot_id >= 0)
		snprintf(num, sizeof num, "%lld", (long long)info->parent_snapshot_id);
	else
		snprintf(num, sizeof num, "null");
	if (!rc)
		rc = ldp_avro_writer_meta_str(w, "parent-snapshot-id", num);
	snprintf(num, sizeof num, "%lld", (long long)info->sequence_number);
	if (!rc)
		rc = ldp_avro_writer_meta_str(w, "sequence-number", num);
	if (!rc)
		rc = ldp_avro_writer_meta_str(w, "format-version", "2");
	ldp_arena scratch;
	ldp_arena_init(&scratch, 0);
	for (size_t i = 0; !rc && i < n; i++) {
		ldp_avro_value *v = NULL;
		rc = file_to_avro(&scratch, s, &files[i], &v);
		if (!rc)
			rc = ldp_avro_writer_append(w, v);
		if (rc)
			rc = ldp_error_wrap(rc, "manifest list entry %zu", i);
		ldp_arena_reset(&scratch);
	}
	if (!rc)
		rc = ldp_avro_writer_finish(w);
	ldp_avro_writer_free(w);
	ldp_arena_free(&scratch);
	ldp_arena_free(&a);
	return rc ? ldp_error_wrap(rc, "writing a manifest list") : 0;
}

static int read_summaries(ldp_arena *a, const ldp_avro_value *rec, const char *ctx, ldp_manifest_file *m)
{
	const ldp_avro_value *arr = ldp_mf_field(rec, 507, "partitions");
	if (ldp_avro_is_null(arr))
		return 0;
	if (arr->kind != LDP_AVRO_ARRAY)
		return ldp_error_set(LDP_ECORRUPT, "%s: partitions (id 507) is not an array", ctx);
	m->npartitions = arr->u.array.n;
	if (!m->npartitions)
		return 0;
	if (!(m->partitions = ldp_arena_calloc(a, m->npartitions, sizeof *m->partitions)))
		return LDP_ENOMEM;
	for (size_t i = 0; i < m->npartitions; i++) {
		const ldp_avro_value *sv = arr->u.array.items[i];
		ldp_field_summary *p = &m->partitions[i];
		bool b;
		int rc;
		if (!sv || sv->kind != LDP_AVRO_RECORD)
			return ldp_error_set(LDP_ECORRUPT, "%s: partition summary %zu is not a record", ctx, i);
		if ((rc = ldp_mf_bool(sv, 509, "contains_null", true, ctx, &p->contains_null)) < 0)
			return rc;
		p->contains_nan = -1;
		if ((rc = ldp_mf_bool(sv, 518, "contains_nan", false, ctx, &b)) < 0)
			return rc;
		if (rc)
			p->contains_nan = b;
		if ((rc = ldp_mf_bytes(a, sv, 510, "lower_bound", ctx, &p->lower, &p->lower_len)) < 0 ||
		    (rc = ldp_mf_bytes(a, sv, 511, "upper_bound", ctx, &p->upper, &p->upper_len)) < 0)
			return rc;
	}
	return 0;
}

static int file_from_avro(ldp_arena *a, const ldp_avro_value *rec, const char *ctx, ldp_manifest_file *m)
{
	memset(m, 0, sizeof *m);
	if (!rec || rec->kind != LDP_AVRO_RECORD)
		return ldp_error_set(LDP_ECORRUPT, "%s: not a record", ctx);
	int32_t content = 0;
	int rc;
	if ((rc = ldp_mf_string(a, rec, 500, "manifest_path", true, ctx, &m->manifest_path)) < 0 ||
	    (rc = ldp_mf_long(rec, 501, "manifest_length", true, ctx, &m->manifest_length)) < 0 ||
	    (rc = ldp_mf_int(rec, 502, "partition_spec_id", true, ctx, &m->partition_spec_id)) < 0 ||
	    (rc = ldp_mf_int(rec, 517, "content", false, ctx, &content)) < 0 ||
	    (rc = ldp_mf_long(rec, 515, "sequence_number", false, ctx, &m->sequence_number)) < 0 ||
	    (rc = ldp_mf_long(rec, 516, "min_sequence_number", false, ctx, &m->min_sequence_number)) < 0 ||
	    (rc = ldp_mf_long(rec, 503, "added_snapshot_id", true, ctx, &m->added_snapshot_id)) < 0)
		return rc;
	if (content != 0 && content != 1)
		return ldp_error_set(LDP_ECORRUPT, "%s: manifest content %d is not 0 or 1", ctx, (int)content);
	m->content = (ldp_content)content;
	/* Optional in v1 (null: "assumed to be non-zero"): -1 tells the caller
	 * that the count is unknown. */
	static const int32_t count_ids[3] = {504, 505, 506}, row_ids[3] = {512, 513, 514};
	static const char *count_names[3] = {"added_files_count", "existing_files_count", "deleted_files_count"};
	static const char *row_names[3] = {"added_rows_count", "existing_rows_count", "deleted_rows_count"};
	int32_t *counts[3] = {&m->added_files_count, &m->existing_files_count, &m->deleted_files_count};
	int64_t *rows[3] = {&m->added_rows_count, &m->existing_rows_count, &m->deleted_rows_count};
	for (int i = 0; i < 3; i++) {
		*counts[i] = -1;
		*rows[i] = -1;
		if ((rc = ldp_mf_int(rec, count_ids[i], count_names[i], false, ctx, counts[i])) < 0 ||
		    (rc = ldp_mf_long(rec, row_ids[i], row_names[i], false, ctx, rows[i])) < 0)
			return rc;
	}
	if ((rc = read_summaries(a, rec, ctx, m)))
		return rc;
	if ((rc = ldp_mf_bytes(a, rec, 519, "key_metadata", ctx, &m->key_metadata, &m->key_metadata_len)) < 0)
		return rc;
	return 0;
}

int ldp_manifest_list_read(ldp_arena *a, const void *data, size_t len, const char *path, ldp_manifest_file **out,
			   size_t *n)
{
	ldp_avro_reader *r;
	int rc = ldp_avro_reader_open(a, data, len, path, &r);
	if (rc)
		return rc;
	if (ldp_avro_reader_schema(r)->kind != LDP_AVRO_RECORD) {
		ldp_avro_reader_free(r);
		return ldp_error_set(LDP_ECORRUPT, "%s: not an Iceberg manifest list (records expected)", path);
	}
	ldp_arena scratch;
	ldp_arena_init(&scratch, 0);
	ldp_manifest_file *files = NULL;
	size_t cnt = 0, cap = 0;
	ldp_avro_value *v;
	char ctx[512];
	while ((rc = ldp_avro_reader_next(r, &scratch, &v)) == 1) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			ldp_manifest_file *nf = ldp_arena_alloc(a, nc * sizeof *nf);
			if (!nf) {
				rc = LDP_ENOMEM;
				break;
			}
			if (cnt)
				memcpy(nf, files, cnt * sizeof *nf);
			files = nf;
			cap = nc;
		}
		snprintf(ctx, sizeof ctx, "%s: manifest list entry %zu", path, cnt);
		if ((rc = file_from_avro(a, v, ctx, &files[cnt])))
			break;
		cnt++;
		ldp_arena_reset(&scratch);
	}
	ldp_arena_free(&scratch);
	ldp_avro_reader_free(r);
	if (rc < 0)
		return rc;
	*out = files;
	*n = cnt;
	return 0;
}
