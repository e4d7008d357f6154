/* Table metadata JSON: parse (v1, v2, v3) and write; see format/metadata.h. */
#include "format/metadata.h"

#include <stdlib.h>
#include <string.h>

#include "format/partition.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/json.h"

/* Top-level keys modelled by ldp_metadata; every other key goes to `extra`. */
static const char *const known_keys[] = {
	"format-version",  "table-uuid",     "location",       "last-sequence-number",  "last-updated-ms",
	"last-column-id",  "schema",         "schemas",        "current-schema-id",     "partition-spec",
	"partition-specs", "default-spec-id", "last-partition-id", "properties",         "current-snapshot-id",
	"snapshots",       "snapshot-log",   "metadata-log",   "sort-orders",           "default-sort-order-id",
	"refs",            "next-row-id",
};

static const char *const snapshot_keys[] = {
	"snapshot-id", "parent-snapshot-id", "sequence-number", "timestamp-ms",
	"manifest-list", "manifests", "summary", "schema-id",
};

static bool is_known(const char *key, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

/* Parsing context: the metadata being filled and the name for errors. */
typedef struct parser {
	ldp_metadata *m;
	ldp_arena *a;
	const char *what; /* "metadata <file>" */
} parser;

static int get_i32(const json_t *o, const char *key, const char *what, bool required, int32_t *out)
{
	int64_t v = *out;
	int rc = required ? ldp_json_get_int64(o, key, what, &v) : ldp_json_opt_int64(o, key, what, &v);
	if (rc)
		return rc;
	if (v < INT32_MIN || v > INT32_MAX)
		return ldp_error_set(LDP_ECORRUPT, "%s: field '%s' is out of range for an int", what, key);
	*out = (int32_t)v;
	return LDP_OK;
}

static int dup(parser *p, const char *s, const char **out)
{
	if (!s) {
		*out = NULL;
		return LDP_OK;
	}
	*out = ldp_arena_strdup(p->a, s);
	return *out ? LDP_OK : LDP_ENOMEM;
}

/* Hold a reference to v for as long as the metadata lives. */
static int keep(ldp_metadata *m, json_t *v)
{
	if (!v)
		return LDP_OK;
	if (json_array_append(m->owned, v))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	return LDP_OK;
}

/* An optional array field: NULL (absent or null) or an array. */
static int opt_array(const json_t *o, const char *key, const char *what, json_t **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return LDP_OK;
	if (!json_is_array(v))
		return ldp_error_set(LDP_ECORRUPT, "%s: field '%s' must be an array", what, key);
	*out = v;
	return LDP_OK;
}

static int parse_schemas(parser *p, const json_t *doc)
{
	ldp_metadata *m = p->m;
	json_t *arr;
	int rc = opt_array(doc, "schemas", p->what, &arr);
	if (rc)
		return rc;
	if (!arr && m->format_version >= 2)
		return ldp_error_set(LDP_ECORRUPT, "%s: missing required field 'schemas'", p->what);
	if (arr) {
		if (json_array_size(arr) == 0)
			return ldp_error_set(LDP_ECORRUPT, "%s: field 'schemas' must not be empty", p->what);
		m->nschemas = json_array_size(arr);
		m->schemas = ldp_arena_calloc(p->a, m->nschemas, sizeof(ldp_schema *));
		if (!m->schemas)
			return LDP_ENOMEM;
		for (size_t i = 0; i < m->nschemas; i++)
			if ((rc = ldp_schema_parse(p->a, json_array_get(arr, i), p->what, &m->schemas[i])))
				return rc;
		/* v1 writers that wrote "schemas" may omit current-schema-id. */
		m->current_schema_id = m->schemas[0]->schema_id;
		rc = get_i32(doc, "current-schema-id", p->what, m->format_version >= 2, &m->current_schema_id);
	} else {
		json_t *one;
		if ((rc = ldp_json_get_object(doc, "schema", p->what, &one)))
			return rc;
		m->nschemas = 1;
		m->schemas = ldp_arena_calloc(p->a, 1, sizeof(ldp_schema *));
		if (!m->schemas)
			return LDP_ENOMEM;
		if ((rc = ldp_schema_parse(p->a, one, p->what, &m->schemas[0])))
			return rc;
		m->current_schema_id = m->schemas[0]->schema_id;
	}
	if (rc)
		return rc;
	for (size_t i = 0; i < m->nschemas; i++)
		for (size_t k = 0; k < i; k++)
			if (m->schemas[i]->schema_id == m->schemas[k]->schema_id)
				return ldp_error_set(LDP_ECORRUPT, "%s: schema id %d appears twice in 'schemas'",
						     p->what, m->schemas[i]->schema_id);
	if (!ldp_metadata_current_schema(m))
		return ldp_error_set(LDP_ECORRUPT, "%s: field 'current-schema-id' is %d, but no schema has that id",
				     p->what, m->current_schema_id);
	return LDP_OK;
}

static int parse_specs(parser *p, const json_t *doc)
{
	ldp_metadata *m = p->m;
	json_t *arr;
	int rc = opt_array(doc, "partition-specs", p->what, &arr);
	if (rc)
		return rc;
	if (!arr && m->format_version >= 2)
		return ldp_error_set(LDP_ECORRUPT, "%s: missing required field 'partition-specs'", p->what);
	if (arr) {
		if (json_array_size(arr) == 0)
			return ldp_error_set(LDP_ECORRUPT, "%s: field 'partition-specs' must not be empty", p->what);
		m->nspecs = json_array_size(arr);
		m->specs = ldp_arena_calloc(p->a, m->nspecs, sizeof(ldp_partition_spec *));
		if (!m->specs)
			return LDP_ENOMEM;
		for (size_t i = 0; i < m->nspecs; i++) {
			json_t *sj = json_array_get(arr, i);
			if (!json_is_object(sj))
				return ldp_error_set(LDP_ECORRUPT, "%s: partition-specs[%zu] must be an object",
						     p->what, i);
			if ((rc = ldp_partition_spec_parse(p->a, sj, p->what, &m->specs[i])))
				return rc;
		}
		m->default_spec_id = m->specs[0]->spec_id;
		rc = get_i32(doc, "default-spec-id", p->what, m->format_version >= 2, &m->default_spec_id);
	} else {
		json_t *fields;
		if ((rc = ldp_json_get_array(doc, "partition-spec", p->what, &fields)))
			return rc;
		m->nspecs = 1;
		m->specs = ldp_arena_calloc(p->a, 1, sizeof(ldp_partition_spec *));
		if (!m->specs)
			return LDP_ENOMEM;
		rc = ldp_partition_spec_parse_fields(p->a, fields, 0, p->what, &m->specs[0]);
		m->default_spec_id = 0;
	}
	if (rc)
		return rc;
	if (!ldp_metadata_default_spec(m))
		return ldp_error_set(LDP_ECORRUPT, "%s: field 'default-spec-id' is %d, but no partition spec has that id",
				     p->what, m->default_spec_id);
	/* v1 may omit last-partition-id: the highest id in use. */
	m->last_partition_id = LDP_PARTITION_FIELD_ID_START - 1;
	for (size_t i = 0; i < m->nspecs; i++) {
		int32_t mx = ldp_partition_spec_max_field_id(m->specs[i]);
		if (mx > m->last_partition_id)
			m->last_partition_id = mx;
	}
	return get_i32(doc, "last-partition-id", p->what, m->format_version >= 2, &m->last_partition_id);
}

static int parse_sort_orders(parser *p, const json_t *doc)
{
	ldp_metadata *m = p->m;
	json_t *arr;
	int rc = opt_array(doc, "sort-orders", p->what, &arr);
	if (rc)
		return rc;
	if (!arr && m->format_version >= 2)
		return ldp_error_set(LDP_ECORRUPT, "%s: missing required field 'sort-orders'", p->what);
	size_t n = arr ? json_array_size(arr) : 0;
	m->sort_orders = ldp_arena_calloc(p->a, n ? n : 1, sizeof(ldp_sort_order *));
	if (!m->sort_orders)
		return LDP_ENOMEM;
	if (n == 0) {
		/* v1 without sort orders: the table is unsorted (order 0). */
		m->sort_orders[0] = ldp_arena_calloc(p->a, 1, sizeof(ldp_sort_order));
		if (!m->sort_orders[0])
			return LDP_ENOMEM;
		m->nsort_orders = 1;
		m->default_sort_order_id = 0;
	} else {
		m->nsort_orders = n;
		for (size_t i = 0; i < n; i++) {
			json_t *oj = json_array_get(arr, i);
			if (!json_is_object(oj))
				return ldp_error_set(LDP_ECORRUPT, "%s: sort-orders[%zu] must be an object", p->what, i);
			if ((rc = ldp_sort_order_parse(p->a, oj, p->what, &m->sort_orders[i])))
				return rc;
		}
		m->default_sort_order_id = m->sort_orders[0]->order_id;
	}
	if ((rc = get_i32(doc, "default-sort-order-id", p->what, m->format_version >= 2 && arr,
			  &m->default_sort_order_id)))
		return rc;
	if (!ldp_metadata_default_sort_order(m))
		return ldp_error_set(LDP_ECORRUPT,
				     "%s: field 'default-sort-order-id' is %d, but no sort order has that id", p->what,
				     m->default_sort_order_id);
	return LDP_OK;
}

static int parse_properties(parser *p, const json_t *doc)
{
	ldp_metadata *m = p->m;
	json_t *props = json_object_get(doc, "properties");
	if (!props || json_is_null(props))
		return LDP_OK;
	if (!json_is_object(props))
		return ldp_error_set(LDP_ECORRUPT, "%s: field 'properties' must be an object", p->what);
	m->properties = ldp_arena_calloc(p->a, json_object_size(props) + 1, sizeof(ldp_kv));
	if (!m->properties)
		return LDP_ENOMEM;
	const char *k;
	json_t *v;
	json_object_foreach(props, k, v) {
		if (!json_is_string(v))
			return ldp_error_set(LDP_ECORRUPT, "%s: property '%s' must be a string", p->what, k);
		ldp_kv *kv = &m->properties[m->nproperties++];
		int rc = dup(p, k, &kv->key);
		if (!rc)
			rc = dup(p, json_string_value(v), &kv->value);
		if (rc)
			return rc;
	}
	return LDP_OK;
}

/* Summary values are strings by the spec; some writers put numbers. */
static int parse_summary(parser *p, const json_t *sum, const char *what, ldp_snapshot *s)
{
	s->summary = ldp_arena_calloc(p->a, json_object_size(sum) + 1, sizeof(ldp_kv));
	if (!s->summary)
		return LDP_ENOMEM;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)sum, k, v) {
		ldp_kv *kv = &s->summary[s->nsummary];
		int rc = dup(p, k, &kv->key);
		if (rc)
			return rc;
		if (json_is_string(v)) {
			rc = dup(p, json_string_value(v), &kv->value);
		} else if (json_is_integer(v) || json_is_boolean(v)) {
			kv->value = json_is_integer(v) ? ldp_arena_sprintf(p->a, "%lld", (long long)json_integer_value(v))
						       : ldp_arena_strdup(p->a, json_is_true(v) ? "true" : "false");
			rc = kv->value ? LDP_OK : LDP_ENOMEM;
		} else {
			return ldp_error_set(LDP_ECORRUPT, "%s: summary value '%s' must be a string", what, k);
		}
		if (rc)
			return rc;
		if (strcmp(k, "operation") == 0)
			s->operation = kv->value;
		s->nsummary++;
	}
	return LDP_OK;
}

static int parse_snapshot(parser *p, const json_t *j, size_t index, ldp_snapshot *s)
{
	char *what = ldp_arena_sprintf(p->a, "%s: snapshots[%zu]", p->what, index);
	if (!what)
		return LDP_ENOMEM;
	if (!json_is_object(j))
		return ldp_error_set(LDP_ECORRUPT, "%s: must be an object", what);
	const char *ml = NULL;
	s->parent_id = -1;
	s->schema_id = -1;
	json_t *parent = json_object_get(j, "parent-snapshot-id");
	int rc = ldp_json_get_int64(j, "snapshot-id", what, &s->snapshot_id);
	if (!rc && parent && !json_is_null(parent))
		rc = ldp_json_get_int64(j, "parent-snapshot-id", what, &s->parent_id);
	/* Read v1 snapshots in a v2 table as sequence number 0 (Appendix E). */
	if (!rc)
		rc = ldp_json_opt_int64(j, "sequence-number", what, &s->sequence_number);
	if (!rc)
		rc = ldp_json_get_int64(j, "timestamp-ms", what, &s->timestamp_ms);
	if (!rc)
		rc = ldp_json_opt_string(j, "manifest-list", what, &ml);
	if (!rc)
		rc = get_i32(j, "schema-id", what, false, &s->schema_id);
	if (!rc)
		rc = dup(p, ml, &s->manifest_list);
	if (rc)
		return rc;
	json_t *manifests;
	if ((rc = opt_array(j, "manifests", what, &manifests)))
		return rc;
	if (manifests) {
		s->nmanifests_v1 = json_array_size(manifests);
		s->manifests_v1 = ldp_arena_calloc(p->a, s->nmanifests_v1 + 1, sizeof(char *));
		if (!s->manifests_v1)
			return LDP_ENOMEM;
		for (size_t i = 0; i < s->nmanifests_v1; i++) {
			json_t *v = json_array_get(manifests, i);
			if (!json_is_string(v))
				return ldp_error_set(LDP_ECORRUPT, "%s: field 'manifests' must hold strings", what);
			if ((rc = dup(p, json_string_value(v), &s->manifests_v1[i])))
				return rc;
		}
	}
	if (!s->manifest_list && !manifests)
		return ldp_error_set(LDP_ECORRUPT, "%s: missing required field 'manifest-list'", what);
	json_t *sum = json_object_get(j, "summary");
	if (sum && !json_is_null(sum)) {
		if (!json_is_object(sum))
			return ldp_error_set(LDP_ECORRUPT, "%s: field 'summary' must be an object", what);
		if ((rc = parse_summary(p, sum, what, s)))
			return rc;
	} else if (p->m->format_version >= 2) {
		return ldp_error_set(LDP_ECORRUPT, "%s: missing required field 'summary'", what);
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)j, k, v) {
		if (is_known(k, snapshot_keys, sizeof(snapshot_keys) / sizeof(snapshot_keys[0])))
			continue;
		if (!s->extra && !(s->extra = json_object()))
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		if (json_object_set(s->extra, k, v))
			return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	if (s->extra) {
		rc = keep(p->m, s->extra);
		json_decref(s->extra); /* the metadata's `owned` holds it now */
		if (rc)
			return rc;
	}
	return LDP_OK;
}

static int parse_snapshots(parser *p, const json_t *doc)
{
	ldp_metadata *m = p->m;
	json_t *arr;
	int rc = opt_array(doc, "snapshots", p->what, &arr);
	if (rc || !arr)
		return rc;
	m->nsnapshots = json_array_size(arr);
	m->snapshots = ldp_arena_calloc(p->a, m->nsnapshots + 1, sizeof(ldp_snapshot *));
	if (!m->snapshots)
		return LDP_ENOMEM;
	for (size_t i = 0; i < m->nsnapshots; i++) {
		if (!(m->snapshots[i] = ldp_arena_calloc(p->a, 1, sizeof(ldp_snapshot))))
			return LDP_ENOMEM;
		if ((rc = parse_snapshot(p, json_array_get(arr, i), i, m->snapshots[i])))
			return rc;
		for (size_t k = 0; k < i; k++)
			if (m->snapshots[k]->snapshot_id == m->snapshots[i]->snapshot_id)
				return ldp_error_set(LDP_ECORRUPT, "%s: snapshot id %lld appears twice in 'snapshots'",
						     p->what, (long long)m->snapshots[i]->snapshot_id);
	}
	return LDP_OK;
}

static int parse_log(parser *p, const json_t *doc, const char *key, bool metadata_log, size_t *n,
		     ldp_log_entry **out)
{
	json_t *arr;
	int rc = opt_array(doc, key, p->what, &arr);
	if (rc || !arr)
		return rc;
	*n = json_array_size(arr);
	*out = ldp_arena_calloc(p->a, *n + 1, sizeof(ldp_log_entry));
	if (!*out)
		return LDP_ENOMEM;
	for (size_t i = 0; i < *n; i++) {
		const json_t *ej = json_array_get(arr, i);
		ldp_log_entry *e = &(*out)[i];
		char *what = ldp_arena_sprintf(p->a, "%s: %s[%zu]", p->what, key, i);
		if (!what)
			return LDP_ENOMEM;
		rc = ldp_json_get_int64(ej, "timestamp-ms", what, &e->timestamp_ms);
		if (!rc && metadata_log) {
			rc = ldp_json_get_string(ej, "metadata-file", what, &e->metadata_file);
			e->snapshot_id = -1;
			if (!rc)
				rc = dup(p, e->metadata_file, &e->metadata_file);
		} else if (!rc) {
			rc = ldp_json_get_int64(ej, "snapshot-id", what, &e->snapshot_id);
		}
		if (rc)
			return rc;
	}
	return LDP_OK;
}

static int parse_ref(parser *p, const char *name, const json_t *j, ldp_ref *r)
{
	char *what = ldp_arena_sprintf(p->a, "%s: ref '%s'", p->what, name);
	if (!what)
		return LDP_ENOMEM;
	const char *type;
	r->max_ref_age_ms = r->max_snapshot_age_ms = -1;
	r->min_snapshots_to_keep = -1;
	int rc = ldp_json_get_int64(j, "snapshot-id", what, &r->snapshot_id);
	if (!rc)
		rc = ldp_json_get_string(j, "type", what, &type);
	if (!rc)
		rc = ldp_json_opt_int64(j, "max-ref-age-ms", what, &r->max_ref_age_ms);
	if (!rc)
		rc = ldp_json_opt_int64(j, "max-snapshot-age-ms", what, &r->max_snapshot_age_ms);
	if (!rc)
		rc = get_i32(j, "min-snapshots-to-keep", what, false, &r->min_snapshots_to_keep);
	if (!rc)
		rc = dup(p, name, &r->name);
	if (rc)
		return rc;
	if (strcmp(type, "branch") != 0 && strcmp(type, "tag") != 0)
		return ldp_error_set(LDP_ECORRUPT, "%s: field 'type' must be \"branch\" or \"tag\", not \"%s\"", what,
				     type);
	r->is_tag = strcmp(type, "tag") == 0;
	if (!ldp_metadata_snapshot(p->m, r->snapshot_id))
		return ldp_error_set(LDP_ECORRUPT, "%s: snapshot %lld is not in 'snapshots'", what,
				     (long long)r->snapshot_id);
	return LDP_OK;
}

static int parse_refs(parser *p, const json_t *doc)
{
	ldp_metadata *m = p->m;
	json_t *refs = json_object_get(doc, "refs");
	if (refs && !json_is_null(refs) && !json_is_object(refs))
		return ldp_error_set(LDP_ECORRUPT, "%s: field 'refs' must be an object", p->what);
	size_t n = json_is_object(refs) ? json_object_size(refs) : 0;
	m->refs = ldp_arena_calloc(p->a, n + 1, sizeof(ldp_ref));
	if (!m->refs)
		return LDP_ENOMEM;
	if (n) {
		const char *k;
		json_t *v;
		json_object_foreach(refs, k, v) {
			int rc = parse_ref(p, k, v, &m->refs[m->nrefs]);
			if (rc)
				return rc;
			m->nrefs++;
		}
	}
	const ldp_ref *main_ref = ldp_metadata_ref(m, "main");
	if (main_ref) {
		if (main_ref->is_tag)
			return ldp_error_set(LDP_ECORRUPT, "%s: ref 'main' must be a branch", p->what);
		if (main_ref->snapshot_id != m->current_snapshot_id)
			return ldp_error_set(LDP_ECORRUPT,
					     "%s: field 'current-snapshot-id' (%lld) differs from the 'main' branch (%lld)",
					     p->what, (long long)m->current_snapshot_id,
					     (long long)main_ref->snapshot_id);
	} else if (m->current_snapshot_id != -1) {
		/* Metadata without refs (v1, early v2): the spec says there is
		 * always a main branch at the current snapshot. */
		ldp_ref *r = &m->refs[m->nrefs++];
		r->name = "main";
		r->snapshot_id = m->current_snapshot_id;
		r->max_ref_age_ms = r->max_snapshot_age_ms = -1;
		r->min_snapshots_to_keep = -1;
	}
	return LDP_OK;
}

static int parse_doc(parser *p, const json_t *doc)
{
	ldp_metadata *m = p->m;
	if (!json_is_object(doc))
		return ldp_error_set(LDP_ECORRUPT, "%s: expected a JSON object", p->what);
	int rc = get_i32(doc, "format-version", p->what, true, &m->format_version);
	if (rc)
		return rc;
	if (m->format_version < 1)
		return ldp_error_set(LDP_ECORRUPT, "%s: field 'format-version' is %d; it must be 1, 2 or 3", p->what,
				     m->format_version);
	if (m->format_version > LDP_METADATA_MAX_FORMAT_VERSION)
		return ldp_error_set(LDP_EUNSUPPORTED,
				     "%s: format-version %d is newer than ldp supports (%d); upgrade ldp", p->what,
				     m->format_version, LDP_METADATA_MAX_FORMAT_VERSION);
	const char *uuid = NULL, *location;
	bool v2 = m->format_version >= 2;
	rc = v2 ? ldp_json_get_string(doc, "table-uuid", p->what, &uuid)
		: ldp_json_opt_string(doc, "table-uuid", p->what, &uuid);
	if (!rc)
		rc = ldp_json_get_string(doc, "location", p->what, &location);
	if (!rc)
		rc = dup(p, uuid, &m->table_uuid);
	if (!rc)
		rc = dup(p, location, &m->location);
	if (!rc)
		rc = v2 ? ldp_json_get_int64(doc, "last-sequence-number", p->what, &m->last_sequence_number)
			: ldp_json_opt_int64(doc, "last-sequence-number", p->what, &m->last_sequence_number);
	if (!rc)
		rc = ldp_json_get_int64(doc, "last-updated-ms", p->what, &m->last_updated_ms);
	if (!rc)
		rc = get_i32(doc, "last-column-id", p->what, true, &m->last_column_id);
	if (!rc)
		rc = parse_schemas(p, doc);
	if (!rc)
		rc = parse_specs(p, doc);
	if (!rc)
		rc = parse_sort_orders(p, doc);
	if (!rc)
		rc = parse_properties(p, doc);
	if (rc)
		return rc;
	/* Java writes -1 for "no current snapshot" in v1/v2, null in v3
	 * (Appendix F); both mean none. */
	m->current_snapshot_id = -1;
	if ((rc = ldp_json_opt_int64(doc, "current-snapshot-id", p->what, &m->current_snapshot_id)))
		return rc;
	m->next_row_id = -1;
	if ((rc = ldp_json_opt_int64(doc, "next-row-id", p->what, &m->next_row_id)))
		return rc;
	if ((rc = parse_snapshots(p, doc)))
		return rc;
	if (m->current_snapshot_id != -1 && !ldp_metadata_snapshot(m, m->current_snapshot_id))
		return ldp_error_set(LDP_ECORRUPT, "%s: field 'current-snapshot-id' is %lld, which is not in 'snapshots'",
				     p->what, (long long)m->current_snapshot_id);
	if ((rc = parse_log(p, doc, "snapshot-log", false, &m->nsnapshot_log, &m->snapshot_log)) ||
	    (rc = parse_log(p, doc, "metadata-log", true, &m->nmetadata_log, &m->metadata_log)) ||
	    (rc = parse_refs(p, doc)))
		return rc;

	m->extra = json_object();
	if (!m->extra)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)doc, k, v) {
		if (!is_known(k, known_keys, sizeof(known_keys) / sizeof(known_keys[0])) &&
		    json_object_set(m->extra, k, v))
			return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	return LDP_OK;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static ldp_metadata *metadata_alloc(void)
{
	ldp_metadata *m = calloc(1, sizeof(*m));
	if (!m) {
		ldp_error_set(LDP_ENOMEM, "out of memory");
		return NULL;
	}
	ldp_arena_init(&m->arena, 0);
	m->owned = json_array();
	if (!m->owned) {
		free(m);
		ldp_error_set(LDP_ENOMEM, "out of memory");
		return NULL;
	}
	m->current_snapshot_id = -1;
	m->next_row_id = -1;
	return m;
}

int ldp_metadata_parse(const json_t *doc, const char *name, ldp_metadata **out)
{
	*out = NULL;
	ldp_metadata *m = metadata_alloc();
	if (!m)
		return LDP_ENOMEM;
	parser p = {m, &m->arena, NULL};
	/* Field defaults and extras point into the document: hold it. */
	int rc = keep(m, (json_t *)doc);
	if (!rc && !(p.what = ldp_arena_sprintf(&m->arena, "metadata %s", base_name(name ? name : "?"))))
		rc = LDP_ENOMEM;
	if (!rc)
		rc = parse_doc(&p, doc);
	if (rc) {
		ldp_metadata_free(m);
		return rc;
	}
	*out = m;
	return LDP_OK;
}

int ldp_metadata_parse_text(const char *text, size_t len, const char *name, ldp_metadata **out)
{
	json_t *doc;
	json_error_t e;
	*out = NULL;
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!doc)
		return ldp_error_set(LDP_ECORRUPT, "metadata %s:%d:%d: invalid JSON: %s", base_name(name ? name : "?"),
				     e.line, e.column, e.text);
	int rc = ldp_metadata_parse(doc, name, out);
	json_decref(doc);
	return rc;
}

int ldp_metadata_load_file(const char *path, ldp_metadata **out)
{
	json_t *doc;
	*out = NULL;
	int rc = ldp_json_load_file(path, &doc);
	if (rc)
		return ldp_error_wrap(rc, "reading table metadata");
	rc = ldp_metadata_parse(doc, path, out);
	json_decref(doc);
	return rc;
}

void ldp_metadata_free(ldp_metadata *m)
{
	if (!m)
		return;
	json_decref(m->extra);
	json_decref(m->owned);
	ldp_arena_free(&m->arena);
	free(m);
}

/* ---- copy ---- */

/* Copies walk the model instead of going through JSON: a commit copies the
 * metadata once or twice, and serialising plus re-parsing every snapshot made
 * that cost as much as loading the table. JSON values the model borrows (field
 * defaults, extras) stay shared through `owned`; nothing mutates them. */

static int copy_str(ldp_arena *a, const char *in, const char **out)
{
	*out = in ? ldp_arena_strdup(a, in) : NULL;
	return in && !*out ? LDP_ENOMEM : LDP_OK;
}

static int copy_snapshot(ldp_arena *a, const ldp_snapshot *in, ldp_snapshot **out)
{
	ldp_snapshot *s = ldp_arena_alloc(a, sizeof(*s));
	if (!s)
		return LDP_ENOMEM;
	*s = *in;
	s->operation = NULL;
	int rc = copy_str(a, in->manifest_list, &s->manifest_list);
	if (!rc && in->nmanifests_v1) {
		s->manifests_v1 = ldp_arena_calloc(a, in->nmanifests_v1, sizeof(char *));
		rc = s->manifests_v1 ? LDP_OK : LDP_ENOMEM;
		for (size_t i = 0; !rc && i < in->nmanifests_v1; i++)
			rc = copy_str(a, in->manifests_v1[i], &s->manifests_v1[i]);
	}
	if (!rc && in->summary) {
		s->summary = ldp_arena_calloc(a, in->nsummary + 1, sizeof(ldp_kv));
		rc = s->summary ? LDP_OK : LDP_ENOMEM;
		for (size_t i = 0; !rc && i < in->nsummary; i++) {
			rc = copy_str(a, in->summary[i].key, &s->summary[i].key);
			if (!rc)
				rc = copy_str(a, in->summary[i].value, &s->summary[i].value);
			if (!rc && in->operation == in->summary[i].value)
				s->operation = s->summary[i].value;
		}
	}
	if (!rc && in->operation && !s->operation)
		rc = copy_str(a, in->operation, &s->operation);
	*out = s;
	return rc;
}

static int copy_log(ldp_arena *a, const ldp_log_entry *in, size_t n, ldp_log_entry **out)
{
	*out = NULL;
	if (!in)
		return LDP_OK;
	ldp_log_entry *l = ldp_arena_calloc(a, n + 1, sizeof(*l));
	if (!l)
		return LDP_ENOMEM;
	int rc = LDP_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		l[i] = in[i];
		rc = copy_str(a, in[i].metadata_file, &l[i].metadata_file);
	}
	*out = l;
	return rc;
}

/* An arena array of n pointers (at least one slot, as the parser allocates). */
static void *ptr_array(ldp_arena *a, size_t n)
{
	return ldp_arena_calloc(a, n + 1, sizeof(void *));
}

static int copy_model(ldp_metadata *m, const ldp_metadata *in)
{
	ldp_arena *a = &m->arena;
	int rc = copy_str(a, in->table_uuid, &m->table_uuid);
	if (!rc)
		rc = copy_str(a, in->location, &m->location);
	if (!rc && in->schemas) {
		m->schemas = ptr_array(a, in->nschemas);
		rc = m->schemas ? LDP_OK : LDP_ENOMEM;
		for (size_t i = 0; !rc && i < in->nschemas; i++)
			rc = ldp_schema_copy(a, in->schemas[i], &m->schemas[i]);
	}
	if (!rc && in->specs) {
		m->specs = ptr_array(a, in->nspecs);
		rc = m->specs ? LDP_OK : LDP_ENOMEM;
		for (size_t i = 0; !rc && i < in->nspecs; i++)
			rc = ldp_partition_spec_copy(a, in->specs[i], &m->specs[i]);
	}
	if (!rc && in->sort_orders) {
		m->sort_orders = ptr_array(a, in->nsort_orders);
		rc = m->sort_orders ? LDP_OK : LDP_ENOMEM;
		for (size_t i = 0; !rc && i < in->nsort_orders; i++)
			rc = ldp_sort_order_copy(a, in->sort_orders[i], &m->sort_orders[i]);
	}
	if (!rc && in->properties) {
		m->properties = ldp_arena_calloc(a, in->nproperties + 1, sizeof(ldp_kv));
		rc = m->properties ? LDP_OK : LDP_ENOMEM;
		for (size_t i = 0; !rc && i < in->nproperties; i++) {
			rc = copy_str(a, in->properties[i].key, &m->properties[i].key);
			if (!rc)
				rc = copy_str(a, in->properties[i].value, &m->properties[i].value);
		}
	}
	if (!rc && in->snapshots) {
		m->snapshots = ptr_array(a, in->nsnapshots);
		rc = m->snapshots ? LDP_OK : LDP_ENOMEM;
		for (size_t i = 0; !rc && i < in->nsnapshots; i++)
			rc = copy_snapshot(a, in->snapshots[i], &m->snapshots[i]);
	}
	if (!rc && in->refs) {
		m->refs = ldp_arena_calloc(a, in->nrefs + 1, sizeof(ldp_ref));
		rc = m->refs ? LDP_OK : LDP_ENOMEM;
		for (size_t i = 0; !rc && i < in->nrefs; i++) {
			m->refs[i] = in->refs[i];
			rc = copy_str(a, in->refs[i].name, &m->refs[i].name);
		}
	}
	if (!rc)
		rc = copy_log(a, in->snapshot_log, in->nsnapshot_log, &m->snapshot_log);
	if (!rc)
		rc = copy_log(a, in->metadata_log, in->nmetadata_log, &m->metadata_log);
	return rc;
}

int ldp_metadata_copy(const ldp_metadata *in, ldp_metadata **out)
{
	*out = NULL;
	ldp_metadata *m = metadata_alloc();
	if (!m)
		return LDP_ENOMEM;
	ldp_arena arena = m->arena;
	json_t *owned = m->owned;
	*m = *in; /* the scalars; every pointer is replaced below */
	m->arena = arena;
	m->owned = owned;
	m->extra = NULL;
	int rc = keep(m, in->owned);
	if (!rc && in->extra && !(m->extra = json_copy(in->extra)))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!rc)
		rc = copy_model(m, in);
	if (rc) {
		ldp_metadata_free(m);
		return rc == LDP_ENOMEM ? ldp_error_set(LDP_ENOMEM, "out of memory copying table metadata") : rc;
	}
	*out = m;
	return LDP_OK;
}
