/* Builders of new table metadata for the write path; see format/metadata.h.
 *
 * Every builder deep-copies its input (ldp_metadata_copy) and changes the
 * copy, so a caller can keep the base metadata for conflict checks and retry.
 * Arrays grow by allocating a larger one in the copy's arena. */
#include "format/metadata.h"

#include <stdlib.h>
#include <string.h>

#include "format/partition.h"
#include "format/schema.h"
#include "ldp/error.h"

/* Default of the table property write.metadata.previous-versions-max. */
#define DEFAULT_PREVIOUS_VERSIONS_MAX 100

/* Grow an arena array of n elements to n + 1; returns the new slot. */
static void *grow(ldp_arena *a, void **arr, size_t *n, size_t elem)
{
	char *p = ldp_arena_calloc(a, *n + 1, elem);
	if (!p)
		return NULL;
	if (*n)
		memcpy(p, *arr, *n * elem);
	*arr = p;
	return p + (*n)++ * elem;
}

#define GROW(a, arr, n) grow((a), (void **)&(arr), &(n), sizeof(*(arr)))

static int begin(const ldp_metadata *in, ldp_metadata **out)
{
	*out = NULL;
	return ldp_metadata_copy(in, out);
}

static int finish(ldp_metadata *m, int rc, ldp_metadata **out)
{
	if (rc) {
		ldp_metadata_free(m);
		return rc;
	}
	*out = m;
	return LDP_OK;
}

/* Keep last-updated-ms moving forward even if the clock steps back. */
static void touch(ldp_metadata *m, int64_t ts)
{
	if (ts > m->last_updated_ms)
		m->last_updated_ms = ts;
}

static int log_snapshot(ldp_metadata *m, int64_t snapshot_id, int64_t ts)
{
	ldp_log_entry *e = GROW(&m->arena, m->snapshot_log, m->nsnapshot_log);
	if (!e)
		return LDP_ENOMEM;
	e->timestamp_ms = ts;
	e->snapshot_id = snapshot_id;
	e->metadata_file = NULL;
	return LDP_OK;
}

/* Point ref `name` (creating it as described by `tmpl` when new) at
 * snapshot_id. Retention settings of an existing ref are kept. */
static int put_ref(ldp_metadata *m, const ldp_ref *tmpl, bool keep_retention)
{
	for (size_t i = 0; i < m->nrefs; i++) {
		ldp_ref *r = &m->refs[i];
		if (strcmp(r->name, tmpl->name) != 0)
			continue;
		const char *name = r->name;
		if (keep_retention) {
			r->snapshot_id = tmpl->snapshot_id;
		} else {
			*r = *tmpl;
			r->name = name;
		}
		return LDP_OK;
	}
	ldp_ref *r = GROW(&m->arena, m->refs, m->nrefs);
	if (!r)
		return LDP_ENOMEM;
	*r = *tmpl;
	r->name = ldp_arena_strdup(&m->arena, tmpl->name);
	return r->name ? LDP_OK : LDP_ENOMEM;
}

static int set_main(ldp_metadata *m, int64_t snapshot_id, int64_t ts)
{
	ldp_ref ref = {"main", snapshot_id, false, -1, -1, -1};
	int rc = put_ref(m, &ref, true);
	if (rc)
		return rc;
	if (m->current_snapshot_id != snapshot_id) {
		m->current_snapshot_id = snapshot_id;
		rc = log_snapshot(m, snapshot_id, ts);
	}
	return rc;
}

/* ---- new table ---- */

static int translate_source(const ldp_schema *given, const ldp_schema *fresh, int32_t id, const char *what,
			    const char *name, int32_t *out)
{
	*out = ldp_schema_translate_id(given, fresh, id);
	if (*out < 0)
		return ldp_error_set(LDP_EINVALID, "%s '%s' refers to column id %d, which is not in the schema", what,
				     name, id);
	return LDP_OK;
}

static int translate_ids(ldp_arena *a, const ldp_schema *given, const ldp_schema *fresh, const char *what,
			 const char *name, size_t n, int32_t **ids)
{
	if (!n)
		return LDP_OK;
	int32_t *c = ldp_arena_alloc(a, n * sizeof(int32_t));
	if (!c)
		return LDP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int rc = translate_source(given, fresh, (*ids)[i], what, name, &c[i]);
		if (rc)
			return rc;
	}
	*ids = c;
	return LDP_OK;
}

static int new_table(ldp_metadata *m, const char *location, const ldp_schema *schema,
		     const ldp_partition_spec *spec, const ldp_sort_order *order, const ldp_kv *props, size_t nprops)
{
	ldp_arena *a = &m->arena;
	char uuid[37];
	int rc = ldp_uuid4(uuid);
	if (rc)
		return rc;
	size_t len = strlen(location);
	while (len > 1 && location[len - 1] == '/')
		len--;
	m->format_version = 2;
	if (!(m->table_uuid = ldp_arena_strdup(a, uuid)) || !(m->location = ldp_arena_strndup(a, location, len)))
		return LDP_ENOMEM;
	m->last_sequence_number = 0;
	m->last_updated_ms = ldp_now_ms();

	/* Defaults in the given schema stay valid: the copy borrows them and
	 * `owned` holds nothing for them, so hold them through a JSON copy. */
	json_t *sj = ldp_schema_to_json(schema);
	if (!sj)
		return LDP_ENOMEM;
	ldp_schema *parsed, *fresh;
	rc = json_array_append_new(m->owned, sj) ? ldp_error_set(LDP_ENOMEM, "out of memory") : LDP_OK;
	if (!rc)
		rc = ldp_schema_parse(a, sj, "new table schema", &parsed);
	int32_t last = 0;
	if (!rc)
		rc = ldp_schema_assign_fresh_ids(a, parsed, &last, &fresh);
	if (rc)
		return rc;
	fresh->schema_id = 0;
	m->schemas = ldp_arena_calloc(a, 1, sizeof(ldp_schema *));
	if (!m->schemas)
		return LDP_ENOMEM;
	m->schemas[0] = fresh;
	m->nschemas = 1;
	m->current_schema_id = 0;
	m->last_column_id = last;

	ldp_partition_spec *ps;
	if (spec) {
		if ((rc = ldp_partition_spec_copy(a, spec, &ps)))
			return rc;
	} else if (!(ps = ldp_arena_calloc(a, 1, sizeof(*ps)))) {
		return LDP_ENOMEM;
	}
	ps->spec_id = 0;
	for (size_t i = 0; i < ps->nfields; i++) {
		ldp_partition_field *f = &ps->fields[i];
		f->field_id = LDP_PARTITION_FIELD_ID_START + (int32_t)i;
		if ((rc = translate_source(schema, fresh, f->source_id, "partition field", f->name, &f->source_id)) ||
		    (rc = translate_ids(a, schema, fresh, "partition field", f->name, f->nsource_ids, &f->source_ids)))
			return rc;
	}
	m->specs = ldp_arena_calloc(a, 1, sizeof(ldp_partition_spec *));
	if (!m->specs)
		return LDP_ENOMEM;
	m->specs[0] = ps;
	m->nspecs = 1;
	m->default_spec_id = 0;
	m->last_partition_id = ldp_partition_spec_max_field_id(ps);

	ldp_sort_order *so;
	if (order && order->nfields) {
		if ((rc = ldp_sort_order_copy(a, order, &so)))
			return rc;
		so->order_id = 1;
		for (size_t i = 0; i < so->nfields; i++) {
			ldp_sort_field *f = &so->fields[i];
			if ((rc = translate_source(schema, fresh, f->source_id, "sort field", "", &f->source_id)) ||
			    (rc = translate_ids(a, schema, fresh, "sort field", "", f->nsource_ids, &f->source_ids)))
				return rc;
		}
	} else if (!(so = ldp_arena_calloc(a, 1, sizeof(*so)))) {
		return LDP_ENOMEM;
	}
	m->sort_orders = ldp_arena_calloc(a, 1, sizeof(ldp_sort_order *));
	if (!m->sort_orders)
		return LDP_ENOMEM;
	m->sort_orders[0] = so;
	m->nsort_orders = 1;
	m->default_sort_order_id = so->order_id;

	m->properties = ldp_arena_calloc(a, nprops + 1, sizeof(ldp_kv));
	if (!m->properties)
		return LDP_ENOMEM;
	for (size_t i = 0; i < nprops; i++) {
		m->properties[i].key = ldp_arena_strdup(a, props[i].key);
		m->properties[i].value = ldp_arena_strdup(a, props[i].value);
		if (!m->properties[i].key || !m->properties[i].value)
			return LDP_ENOMEM;
	}
	m->nproperties = nprops;
	m->extra = json_object();
	return m->extra ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}

int ldp_metadata_new(const char *location, const ldp_schema *schema, const ldp_partition_spec *spec,
		     const ldp_sort_order *order, const ldp_kv *properties, size_t nproperties, ldp_metadata **out)
{
	*out = NULL;
	ldp_metadata *m = calloc(1, sizeof(*m));
	if (!m)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_arena_init(&m->arena, 0);
	m->current_snapshot_id = -1;
	m->next_row_id = -1;
	m->owned = json_array();
	int rc = m->owned ? new_table(m, location, schema, spec, order, properties, nproperties)
			  : ldp_error_set(LDP_ENOMEM, "out of memory");
	if (rc)
		rc = ldp_error_wrap(rc, "creating metadata for table at %s", location);
	return finish(m, rc, out);
}

/* ---- snapshots and refs ---- */

static int copy_snapshot(ldp_metadata *m, const ldp_snapshot *in, ldp_snapshot **out)
{
	ldp_arena *a = &m->arena;
	ldp_snapshot *s = ldp_arena_calloc(a, 1, sizeof(*s));
	if (!s)
		return LDP_ENOMEM;
	*s = *in;
	if (in->manifest_list && !(s->manifest_list = ldp_arena_strdup(a, in->manifest_list)))
		return LDP_ENOMEM;
	s->manifests_v1 = ldp_arena_calloc(a, in->nmanifests_v1 + 1, sizeof(char *));
	if (!s->manifests_v1)
		return LDP_ENOMEM;
	for (size_t i = 0; i < in->nmanifests_v1; i++)
		if (!(s->manifests_v1[i] = ldp_arena_strdup(a, in->manifests_v1[i])))
			return LDP_ENOMEM;
	/* The summary with "operation" first. */
	const char *op = in->operation;
	for (size_t i = 0; !op && i < in->nsummary; i++)
		if (strcmp(in->summary[i].key, "operation") == 0)
			op = in->summary[i].value;
	if (!op)
		return ldp_error_set(LDP_EINVALID, "snapshot %lld has no operation in its summary",
				     (long long)in->snapshot_id);
	s->summary = ldp_arena_calloc(a, in->nsummary + 1, sizeof(ldp_kv));
	if (!s->summary || !(s->operation = ldp_arena_strdup(a, op)))
		return LDP_ENOMEM;
	s->summary[0].key = "operation";
	s->summary[0].value = s->operation;
	s->nsummary = 1;
	for (size_t i = 0; i < in->nsummary; i++) {
		if (strcmp(in->summary[i].key, "operation") == 0)
			continue;
		ldp_kv *kv = &s->summary[s->nsummary++];
		if (!(kv->key = ldp_arena_strdup(a, in->summary[i].key)) ||
		    !(kv->value = ldp_arena_strdup(a, in->summary[i].value)))
			return LDP_ENOMEM;
	}
	if (in->extra && json_array_append(m->owned, in->extra))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	*out = s;
	return LDP_OK;
}

static int add_snapshot(ldp_metadata *m, const ldp_snapshot *snap, const char *branch)
{
	if (ldp_metadata_snapshot(m, snap->snapshot_id))
		return ldp_error_set(LDP_EEXISTS, "snapshot id %lld is already used", (long long)snap->snapshot_id);
	if (snap->snapshot_id <= 0)
		return ldp_error_set(LDP_EINVALID, "snapshot id %lld must be positive", (long long)snap->snapshot_id);
	const ldp_ref *target = ldp_metadata_ref(m, branch);
	if (target && target->is_tag)
		return ldp_error_set(LDP_EINVALID, "'%s' is a tag; snapshots can only be committed to branches",
				     branch);
	ldp_snapshot *s = NULL;
	int rc = copy_snapshot(m, snap, &s);
	if (rc)
		return rc;
	if (m->format_version >= 2) {
		if (s->sequence_number == 0) {
			s->sequence_number = m->last_sequence_number + 1;
		} else if (s->sequence_number <= m->last_sequence_number) {
			return ldp_error_set(LDP_EINVALID,
					     "snapshot %lld has sequence number %lld, not above the table's last (%lld)",
					     (long long)s->snapshot_id, (long long)s->sequence_number,
					     (long long)m->last_sequence_number);
		}
		m->last_sequence_number = s->sequence_number;
	} else {
		s->sequence_number = 0;
	}
	if (s->schema_id < 0)
		s->schema_id = m->current_schema_id;
	ldp_snapshot **slot = GROW(&m->arena, m->snapshots, m->nsnapshots);
	if (!slot)
		return LDP_ENOMEM;
	*slot = s;
	/* The snapshot's time is the commit time (reference implementation). */
	m->last_updated_ms = s->timestamp_ms;
	if (strcmp(branch, "main") == 0)
		return set_main(m, s->snapshot_id, s->timestamp_ms);
	ldp_ref ref = {branch, s->snapshot_id, false, -1, -1, -1};
	return put_ref(m, &ref, true);
}

int ldp_metadata_add_snapshot(const ldp_metadata *in, const ldp_snapshot *snap, const char *branch,
			      ldp_metadata **out)
{
	ldp_metadata *m;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	rc = add_snapshot(m, snap, branch ? branch : "main");
	if (rc)
		rc = ldp_error_wrap(rc, "adding snapshot %lld to table %s", (long long)snap->snapshot_id, in->location);
	return finish(m, rc, out);
}

static int set_ref(ldp_metadata *m, const ldp_ref *ref)
{
	if (!ref->name || !*ref->name)
		return ldp_error_set(LDP_EINVALID, "a ref needs a name");
	if (!ldp_metadata_snapshot(m, ref->snapshot_id))
		return ldp_error_set(LDP_ENOTFOUND, "table %s has no snapshot %lld", m->location,
				     (long long)ref->snapshot_id);
	int64_t now = ldp_now_ms();
	touch(m, now);
	if (strcmp(ref->name, "main") == 0) {
		if (ref->is_tag)
			return ldp_error_set(LDP_EINVALID, "'main' must be a branch, not a tag");
		int rc = put_ref(m, ref, false);
		if (rc || m->current_snapshot_id == ref->snapshot_id)
			return rc;
		return set_main(m, ref->snapshot_id, m->last_updated_ms);
	}
	return put_ref(m, ref, false);
}

int ldp_metadata_set_ref(const ldp_metadata *in, const ldp_ref *ref, ldp_metadata **out)
{
	ldp_metadata *m;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	return finish(m, set_ref(m, ref), out);
}

int ldp_metadata_remove_ref(const ldp_metadata *in, const char *name, ldp_metadata **out)
{
	ldp_metadata *m;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	size_t i = 0;
	while (i < m->nrefs && strcmp(m->refs[i].name, name) != 0)
		i++;
	if (i == m->nrefs)
		return finish(m, ldp_error_set(LDP_ENOTFOUND, "table %s has no branch or tag '%s'", in->location, name),
			      out);
	memmove(&m->refs[i], &m->refs[i + 1], (m->nrefs - i - 1) * sizeof(ldp_ref));
	m->nrefs--;
	if (strcmp(name, "main") == 0)
		m->current_snapshot_id = -1;
	touch(m, ldp_now_ms());
	return finish(m, LDP_OK, out);
}

int ldp_metadata_set_current_snapshot(const ldp_metadata *in, int64_t snapshot_id, ldp_metadata **out)
{
	ldp_metadata *m;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	if (!ldp_metadata_snapshot(m, snapshot_id)) {
		rc = ldp_error_set(LDP_ENOTFOUND, "table %s has no snapshot %lld", in->location, (long long)snapshot_id);
	} else {
		touch(m, ldp_now_ms());
		rc = set_main(m, snapshot_id, m->last_updated_ms);
	}
	return finish(m, rc, out);
}

/* ---- properties ---- */

static int set_property(ldp_metadata *m, const char *key, const char *value)
{
	char *v = ldp_arena_strdup(&m->arena, value);
	if (!v)
		return LDP_ENOMEM;
	for (size_t i = 0; i < m->nproperties; i++) {
		if (strcmp(m->properties[i].key, key) == 0) {
			m->properties[i].value = v;
			return LDP_OK;
		}
	}
	ldp_kv *kv = GROW(&m->arena, m->properties, m->nproperties);
	if (!kv || !(kv->key = ldp_arena_strdup(&m->arena, key)))
		return LDP_ENOMEM;
	kv->value = v;
	return LDP_OK;
}

int ldp_metadata_set_properties(const ldp_metadata *in, const ldp_kv *kv, size_t n, ldp_metadata **out)
{
	ldp_metadata *m;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++)
		rc = set_property(m, kv[i].key, kv[i].value);
	if (!rc)
		touch(m, ldp_now_ms());
	return finish(m, rc, out);
}

int ldp_metadata_remove_properties(const ldp_metadata *in, const char *const *keys, size_t n, ldp_metadata **out)
{
	ldp_metadata *m;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	size_t k = 0;
	for (size_t i = 0; i < m->nproperties; i++) {
		bool drop = false;
		for (size_t j = 0; j < n && !drop; j++)
			drop = strcmp(m->properties[i].key, keys[j]) == 0;
		if (!drop)
			m->properties[k++] = m->properties[i];
	}
	m->nproperties = k;
	touch(m, ldp_now_ms());
	return finish(m, LDP_OK, out);
}

/* ---- schemas, specs, sort orders ---- */

static int add_schema(ldp_metadata *m, const ldp_schema *schema, int32_t *schema_id)
{
	int32_t max_id = -1;
	for (size_t i = 0; i < m->nschemas; i++) {
		if (ldp_schema_same_fields(m->schemas[i], schema)) {
			*schema_id = m->schemas[i]->schema_id;
			return LDP_OK;
		}
		if (m->schemas[i]->schema_id > max_id)
			max_id = m->schemas[i]->schema_id;
	}
	/* Through JSON: validates ids and lets `owned` hold the defaults. */
	json_t *sj = ldp_schema_to_json(schema);
	if (!sj)
		return LDP_ENOMEM;
	if (json_array_append_new(m->owned, sj))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_schema *s;
	int rc = ldp_schema_parse(&m->arena, sj, "new schema", &s);
	if (rc)
		return rc;
	s->schema_id = max_id + 1;
	ldp_schema **slot = GROW(&m->arena, m->schemas, m->nschemas);
	if (!slot)
		return LDP_ENOMEM;
	*slot = s;
	int32_t mx = ldp_schema_max_field_id(s);
	if (mx > m->last_column_id)
		m->last_column_id = mx;
	*schema_id = s->schema_id;
	touch(m, ldp_now_ms());
	return LDP_OK;
}

int ldp_metadata_add_schema(const ldp_metadata *in, const ldp_schema *schema, int32_t *schema_id, ldp_metadata **out)
{
	ldp_metadata *m;
	int32_t id = 0;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	rc = add_schema(m, schema, &id);
	if (!rc && schema_id)
		*schema_id = id;
	return finish(m, rc, out);
}

int ldp_metadata_set_current_schema(const ldp_metadata *in, int32_t schema_id, ldp_metadata **out)
{
	ldp_metadata *m;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	if (!ldp_metadata_schema(m, schema_id))
		return finish(m, ldp_error_set(LDP_ENOTFOUND, "table %s has no schema %d", in->location, schema_id),
			      out);
	m->current_schema_id = schema_id;
	touch(m, ldp_now_ms());
	return finish(m, LDP_OK, out);
}

static int check_sources(const ldp_metadata *m, const char *what, size_t n, const int32_t *ids, int32_t id)
{
	const ldp_schema *s = ldp_metadata_current_schema(m);
	for (size_t i = 0; i < (n ? n : 1); i++) {
		int32_t sid = n ? ids[i] : id;
		if (!ldp_schema_field_by_id(s, sid))
			return ldp_error_set(LDP_EINVALID, "%s refers to column id %d, which is not in the current schema",
					     what, sid);
	}
	return LDP_OK;
}

/* The id an earlier spec gave the same source and transform (v2: partition
 * field ids are reused across specs), else -1. */
static int32_t existing_partition_id(const ldp_metadata *m, const ldp_partition_field *f)
{
	for (size_t i = 0; i < m->nspecs; i++)
		for (size_t k = 0; k < m->specs[i]->nfields; k++) {
			const ldp_partition_field *g = &m->specs[i]->fields[k];
			if (g->source_id == f->source_id && ldp_transform_equal(&g->transform, &f->transform))
				return g->field_id;
		}
	return -1;
}

static int add_spec(ldp_metadata *m, const ldp_partition_spec *spec, int32_t *spec_id)
{
	ldp_partition_spec *ps;
	int rc = ldp_partition_spec_copy(&m->arena, spec, &ps);
	if (rc)
		return rc;
	int32_t last = m->last_partition_id;
	for (size_t i = 0; i < ps->nfields; i++) {
		ldp_partition_field *f = &ps->fields[i];
		char *what = ldp_arena_sprintf(&m->arena, "partition field '%s'", f->name);
		if (!what)
			return LDP_ENOMEM;
		if ((rc = check_sources(m, what, f->nsource_ids, f->source_ids, f->source_id)))
			return rc;
		if (f->field_id <= 0) {
			int32_t id = existing_partition_id(m, f);
			f->field_id = id > 0 ? id : ++last;
		}
	}
	int32_t max_id = -1;
	for (size_t i = 0; i < m->nspecs; i++) {
		if (ldp_partition_spec_same_fields(m->specs[i], ps)) {
			*spec_id = m->specs[i]->spec_id;
			return LDP_OK;
		}
		if (m->specs[i]->spec_id > max_id)
			max_id = m->specs[i]->spec_id;
	}
	ps->spec_id = max_id + 1;
	ldp_partition_spec **slot = GROW(&m->arena, m->specs, m->nspecs);
	if (!slot)
		return LDP_ENOMEM;
	*slot = ps;
	int32_t mx = ldp_partition_spec_max_field_id(ps);
	m->last_partition_id = mx > last ? mx : last;
	*spec_id = ps->spec_id;
	touch(m, ldp_now_ms());
	return LDP_OK;
}

int ldp_metadata_add_spec(const ldp_metadata *in, const ldp_partition_spec *spec, int32_t *spec_id,
			  ldp_metadata **out)
{
	ldp_metadata *m;
	int32_t id;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	rc = add_spec(m, spec, &id);
	if (!rc && spec_id)
		*spec_id = id;
	return finish(m, rc, out);
}

int ldp_metadata_set_default_spec(const ldp_metadata *in, int32_t spec_id, ldp_metadata **out)
{
	ldp_metadata *m;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	if (!ldp_metadata_spec(m, spec_id))
		return finish(
			m, ldp_error_set(LDP_ENOTFOUND, "table %s has no partition spec %d", in->location, spec_id), out);
	m->default_spec_id = spec_id;
	touch(m, ldp_now_ms());
	return finish(m, LDP_OK, out);
}

static int add_sort_order(ldp_metadata *m, const ldp_sort_order *order, int32_t *order_id)
{
	ldp_sort_order *so;
	int rc = ldp_sort_order_copy(&m->arena, order, &so);
	if (rc)
		return rc;
	for (size_t i = 0; i < so->nfields; i++)
		if ((rc = check_sources(m, "sort field", so->fields[i].nsource_ids, so->fields[i].source_ids,
					so->fields[i].source_id)))
			return rc;
	int32_t max_id = 0;
	for (size_t i = 0; i < m->nsort_orders; i++) {
		if (ldp_sort_order_same_fields(m->sort_orders[i], so)) {
			*order_id = m->sort_orders[i]->order_id;
			return LDP_OK;
		}
		if (m->sort_orders[i]->order_id > max_id)
			max_id = m->sort_orders[i]->order_id;
	}
	/* Order id 0 is reserved for the unsorted order. */
	so->order_id = so->nfields ? max_id + 1 : 0;
	ldp_sort_order **slot = GROW(&m->arena, m->sort_orders, m->nsort_orders);
	if (!slot)
		return LDP_ENOMEM;
	*slot = so;
	*order_id = so->order_id;
	touch(m, ldp_now_ms());
	return LDP_OK;
}

int ldp_metadata_add_sort_order(const ldp_metadata *in, const ldp_sort_order *order, int32_t *order_id,
				ldp_metadata **out)
{
	ldp_metadata *m;
	int32_t id;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	rc = add_sort_order(m, order, &id);
	if (!rc && order_id)
		*order_id = id;
	return finish(m, rc, out);
}

int ldp_metadata_set_default_sort_order(const ldp_metadata *in, int32_t order_id, ldp_metadata **out)
{
	ldp_metadata *m;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	if (!ldp_metadata_sort_order(m, order_id))
		return finish(m, ldp_error_set(LDP_ENOTFOUND, "table %s has no sort order %d", in->location, order_id),
			      out);
	m->default_sort_order_id = order_id;
	touch(m, ldp_now_ms());
	return finish(m, LDP_OK, out);
}

/* ---- metadata log ---- */

int ldp_metadata_log_previous(ldp_metadata *m, const char *metadata_file, int64_t timestamp_ms)
{
	long max = DEFAULT_PREVIOUS_VERSIONS_MAX;
	const char *prop = ldp_metadata_property(m, "write.metadata.previous-versions-max");
	if (prop) {
		char *end;
		long v = strtol(prop, &end, 10);
		if (*end || v < 1)
			return ldp_error_set(LDP_EINVALID,
					     "table %s: property write.metadata.previous-versions-max is \"%s\"; "
					     "it must be a positive integer",
					     m->location, prop);
		max = v;
	}
	ldp_log_entry *e = GROW(&m->arena, m->metadata_log, m->nmetadata_log);
	if (!e || !(e->metadata_file = ldp_arena_strdup(&m->arena, metadata_file)))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	e->timestamp_ms = timestamp_ms;
	e->snapshot_id = -1;
	if (m->nmetadata_log > (size_t)max) {
		size_t drop = m->nmetadata_log - (size_t)max;
		m->metadata_log += drop;
		m->nmetadata_log = (size_t)max;
	}
	return LDP_OK;
}

int ldp_metadata_add_metadata_log(const ldp_metadata *in, const char *metadata_file, int64_t timestamp_ms,
				  ldp_metadata **out)
{
	ldp_metadata *m;
	int rc = begin(in, &m);
	if (rc)
		return rc;
	return finish(m, ldp_metadata_log_previous(m, metadata_file, timestamp_ms), out);
}
