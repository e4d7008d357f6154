/* Table metadata as JSON (spec: Appendix C "Table Metadata and Snapshots");
 * see format/metadata.h. */
#include "format/metadata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/partition.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/json.h"

/* json_object_set_new that records a failure in *ok; NULL values are failures
 * (every value written here is non-NULL unless allocation failed). */
static void put(json_t *o, const char *k, json_t *v, int *ok)
{
	if (!v || json_object_set_new(o, k, v))
		*ok = 0;
}

static void append(json_t *arr, json_t *v, int *ok)
{
	if (!v || json_array_append_new(arr, v))
		*ok = 0;
}

static json_t *snapshot_json(const ldp_metadata *m, const ldp_snapshot *s)
{
	json_t *o = json_object();
	int ok = o != NULL;
	if (!o)
		return NULL;
	if (m->format_version >= 2)
		put(o, "sequence-number", json_integer(s->sequence_number), &ok);
	put(o, "snapshot-id", json_integer(s->snapshot_id), &ok);
	if (s->parent_id != -1)
		put(o, "parent-snapshot-id", json_integer(s->parent_id), &ok);
	put(o, "timestamp-ms", json_integer(s->timestamp_ms), &ok);
	if (s->nsummary || s->operation) {
		json_t *sum = json_object();
		ok = ok && sum;
		/* "operation" first, as the reference implementation writes it. */
		if (sum && s->operation)
			put(sum, "operation", json_string(s->operation), &ok);
		for (size_t i = 0; sum && i < s->nsummary; i++)
			if (strcmp(s->summary[i].key, "operation") != 0)
				put(sum, s->summary[i].key, json_string(s->summary[i].value), &ok);
		put(o, "summary", sum, &ok);
	}
	if (s->manifest_list)
		put(o, "manifest-list", json_string(s->manifest_list), &ok);
	if (s->nmanifests_v1 || (!s->manifest_list && s->manifests_v1)) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < s->nmanifests_v1; i++)
			append(arr, json_string(s->manifests_v1[i]), &ok);
		put(o, "manifests", arr, &ok);
	}
	if (s->schema_id >= 0)
		put(o, "schema-id", json_integer(s->schema_id), &ok);
	if (s->extra && json_object_update(o, s->extra))
		ok = 0;
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *ref_json(const ldp_ref *r)
{
	json_t *o = json_object();
	int ok = o != NULL;
	if (!o)
		return NULL;
	put(o, "snapshot-id", json_integer(r->snapshot_id), &ok);
	put(o, "type", json_string(r->is_tag ? "tag" : "branch"), &ok);
	if (r->max_ref_age_ms >= 0)
		put(o, "max-ref-age-ms", json_integer(r->max_ref_age_ms), &ok);
	if (r->max_snapshot_age_ms >= 0)
		put(o, "max-snapshot-age-ms", json_integer(r->max_snapshot_age_ms), &ok);
	if (r->min_snapshots_to_keep >= 0)
		put(o, "min-snapshots-to-keep", json_integer(r->min_snapshots_to_keep), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *log_json(const ldp_log_entry *e, size_t n, bool metadata_log)
{
	json_t *arr = json_array();
	int ok = arr != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		json_t *o = json_object();
		ok = o != NULL;
		if (!o)
			break;
		put(o, "timestamp-ms", json_integer(e[i].timestamp_ms), &ok);
		if (metadata_log)
			put(o, "metadata-file", json_string(e[i].metadata_file), &ok);
		else
			put(o, "snapshot-id", json_integer(e[i].snapshot_id), &ok);
		append(arr, o, &ok);
	}
	if (!ok) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

json_t *ldp_metadata_to_json(const ldp_metadata *m)
{
	json_t *o = json_object();
	int ok = o != NULL;
	if (!o)
		goto fail;
	bool v2 = m->format_version >= 2;
	put(o, "format-version", json_integer(m->format_version), &ok);
	if (m->table_uuid)
		put(o, "table-uuid", json_string(m->table_uuid), &ok);
	put(o, "location", json_string(m->location), &ok);
	if (v2)
		put(o, "last-sequence-number", json_integer(m->last_sequence_number), &ok);
	put(o, "last-updated-ms", json_integer(m->last_updated_ms), &ok);
	put(o, "last-column-id", json_integer(m->last_column_id), &ok);

	/* v1 readers need the deprecated single schema and spec; v1 writers
	 * (like the reference implementation) write both forms. */
	const ldp_schema *cur = ldp_metadata_current_schema(m);
	if (!v2 && cur)
		put(o, "schema", ldp_schema_to_json(cur), &ok);
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < m->nschemas; i++)
		append(arr, ldp_schema_to_json(m->schemas[i]), &ok);
	put(o, "schemas", arr, &ok);
	put(o, "current-schema-id", json_integer(m->current_schema_id), &ok);

	const ldp_partition_spec *spec = ldp_metadata_default_spec(m);
	if (!v2 && spec)
		put(o, "partition-spec", ldp_partition_spec_fields_to_json(spec), &ok);
	arr = json_array();
	for (size_t i = 0; arr && i < m->nspecs; i++)
		append(arr, ldp_partition_spec_to_json(m->specs[i]), &ok);
	put(o, "partition-specs", arr, &ok);
	put(o, "default-spec-id", json_integer(m->default_spec_id), &ok);
	put(o, "last-partition-id", json_integer(m->last_partition_id), &ok);

	put(o, "default-sort-order-id", json_integer(m->default_sort_order_id), &ok);
	arr = json_array();
	for (size_t i = 0; arr && i < m->nsort_orders; i++)
		append(arr, ldp_sort_order_to_json(m->sort_orders[i]), &ok);
	put(o, "sort-orders", arr, &ok);

	json_t *props = json_object();
	for (size_t i = 0; props && i < m->nproperties; i++)
		put(props, m->properties[i].key, json_string(m->properties[i].value), &ok);
	put(o, "properties", props, &ok);

	/* Appendix F: -1 means "none" for v1/v2 readers; v3 uses null. */
	if (m->current_snapshot_id != -1)
		put(o, "current-snapshot-id", json_integer(m->current_snapshot_id), &ok);
	else
		put(o, "current-snapshot-id", m->format_version >= 3 ? json_null() : json_integer(-1), &ok);
	if (m->next_row_id >= 0)
		put(o, "next-row-id", json_integer(m->next_row_id), &ok);

	json_t *refs = json_object();
	for (size_t i = 0; refs && i < m->nrefs; i++)
		put(refs, m->refs[i].name, ref_json(&m->refs[i]), &ok);
	put(o, "refs", refs, &ok);
	arr = json_array();
	for (size_t i = 0; arr && i < m->nsnapshots; i++)
		append(arr, snapshot_json(m, m->snapshots[i]), &ok);
	put(o, "snapshots", arr, &ok);
	if (m->extra) {
		const char *k;
		json_t *v;
		json_object_foreach(m->extra, k, v) {
			if (!json_object_get(o, k))
				put(o, k, json_incref(v), &ok);
		}
	}
	put(o, "snapshot-log", log_json(m->snapshot_log, m->nsnapshot_log, false), &ok);
	put(o, "metadata-log", log_json(m->metadata_log, m->nmetadata_log, true), &ok);
	if (ok)
		return o;
fail:
	json_decref(o);
	ldp_error_set(LDP_ENOMEM, "out of memory writing table metadata as JSON");
	return NULL;
}

int ldp_metadata_to_text(const ldp_metadata *m, char **out)
{
	*out = NULL;
	json_t *o = ldp_metadata_to_json(m);
	if (!o)
		return LDP_ENOMEM;
	*out = ldp_json_dumps(o, LDP_JSON_PRETTY);
	json_decref(o);
	if (!*out)
		return ldp_error_set(LDP_ENOMEM, "out of memory writing table metadata as JSON");
	return LDP_OK;
}

/* ---- compact text without a whole-document tree ----
 *
 * Every commit rewrites the metadata file, whose bulk is the snapshot list
 * and the logs (a table with 1,000 snapshots has ~750 KB of them). Building a
 * jansson tree of all of it, dumping it and freeing it took about half of a
 * commit's instructions; here the small parts still go through
 * ldp_metadata_to_json, and the lists are appended directly. The result
 * parses to the same JSON document (test_metadata checks this). */

static void put_key(ldp_buf *b, const char *k, int *first)
{
	if (!*first)
		ldp_buf_putc(b, ',');
	*first = 0;
	ldp_json_append_string(b, k, strlen(k));
	ldp_buf_putc(b, ':');
}

static void put_int(ldp_buf *b, const char *k, long long v, int *first)
{
	char tmp[24];
	put_key(b, k, first);
	ldp_buf_put(b, tmp, (size_t)snprintf(tmp, sizeof tmp, "%lld", v));
}

static void put_str(ldp_buf *b, const char *k, const char *v, int *first)
{
	put_key(b, k, first);
	ldp_json_append_string(b, v, strlen(v));
}

static int put_snapshot(ldp_buf *b, const ldp_metadata *m, const ldp_snapshot *s)
{
	int first = 1;
	ldp_buf_putc(b, '{');
	if (m->format_version >= 2)
		put_int(b, "sequence-number", s->sequence_number, &first);
	put_int(b, "snapshot-id", s->snapshot_id, &first);
	if (s->parent_id != -1)
		put_int(b, "parent-snapshot-id", s->parent_id, &first);
	put_int(b, "timestamp-ms", s->timestamp_ms, &first);
	if (s->nsummary || s->operation) {
		int f2 = 1;
		put_key(b, "summary", &first);
		ldp_buf_putc(b, '{');
		if (s->operation)
			put_str(b, "operation", s->operation, &f2);
		for (size_t i = 0; i < s->nsummary; i++)
			if (strcmp(s->summary[i].key, "operation") != 0)
				put_str(b, s->summary[i].key, s->summary[i].value, &f2);
		ldp_buf_putc(b, '}');
	}
	if (s->manifest_list)
		put_str(b, "manifest-list", s->manifest_list, &first);
	if (s->nmanifests_v1 || (!s->manifest_list && s->manifests_v1)) {
		put_key(b, "manifests", &first);
		ldp_buf_putc(b, '[');
		for (size_t i = 0; i < s->nmanifests_v1; i++) {
			if (i)
				ldp_buf_putc(b, ',');
			ldp_json_append_string(b, s->manifests_v1[i], strlen(s->manifests_v1[i]));
		}
		ldp_buf_putc(b, ']');
	}
	if (s->schema_id >= 0)
		put_int(b, "schema-id", s->schema_id, &first);
	if (s->extra) {
		const char *k;
		json_t *v;
		json_object_foreach(s->extra, k, v) {
			char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			if (!t)
				return LDP_ENOMEM;
			put_key(b, k, &first);
			ldp_buf_puts(b, t);
			free(t);
		}
	}
	ldp_buf_putc(b, '}');
	return LDP_OK;
}

int ldp_metadata_write_compact(const ldp_metadata *m, ldp_buf *out)
{
	ldp_metadata head = *m;
	head.nsnapshots = 0;
	head.nsnapshot_log = 0;
	head.nmetadata_log = 0;
	json_t *o = ldp_metadata_to_json(&head);
	if (!o)
		return LDP_ENOMEM;
	json_object_del(o, "snapshots");
	json_object_del(o, "snapshot-log");
	json_object_del(o, "metadata-log");
	char *t = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!t)
		return ldp_error_set(LDP_ENOMEM, "out of memory writing table metadata as JSON");
	size_t n = strlen(t);
	ldp_buf_put(out, t, n - 1); /* without the closing brace */
	free(t);
	int first = n <= 2; /* "{}": nothing written before */
	put_key(out, "snapshots", &first);
	ldp_buf_putc(out, '[');
	for (size_t i = 0; i < m->nsnapshots; i++) {
		if (i)
			ldp_buf_putc(out, ',');
		int rc = put_snapshot(out, m, m->snapshots[i]);
		if (rc)
			return rc;
	}
	ldp_buf_putc(out, ']');
	for (int which = 0; which < 2; which++) {
		const ldp_log_entry *e = which ? m->metadata_log : m->snapshot_log;
		size_t ne = which ? m->nmetadata_log : m->nsnapshot_log;
		put_key(out, which ? "metadata-log" : "snapshot-log", &first);
		ldp_buf_putc(out, '[');
		for (size_t i = 0; i < ne; i++) {
			int f2 = 1;
			ldp_buf_puts(out, i ? ",{" : "{");
			put_int(out, "timestamp-ms", e[i].timestamp_ms, &f2);
			if (which)
				put_str(out, "metadata-file", e[i].metadata_file, &f2);
			else
				put_int(out, "snapshot-id", e[i].snapshot_id, &f2);
			ldp_buf_putc(out, '}');
		}
		ldp_buf_putc(out, ']');
	}
	ldp_buf_putc(out, '}');
	return ldp_buf_oom(out);
}
