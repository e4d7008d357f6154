/* Table metadata lookups, history, ids and file names; see format/metadata.h. */
#include "format/metadata.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldp/error.h"

const ldp_schema *ldp_metadata_schema(const ldp_metadata *m, int32_t schema_id)
{
	for (size_t i = 0; i < m->nschemas; i++)
		if (m->schemas[i]->schema_id == schema_id)
			return m->schemas[i];
	return NULL;
}

const ldp_schema *ldp_metadata_current_schema(const ldp_metadata *m)
{
	return ldp_metadata_schema(m, m->current_schema_id);
}

const ldp_partition_spec *ldp_metadata_spec(const ldp_metadata *m, int32_t spec_id)
{
	for (size_t i = 0; i < m->nspecs; i++)
		if (m->specs[i]->spec_id == spec_id)
			return m->specs[i];
	return NULL;
}

const ldp_partition_spec *ldp_metadata_default_spec(const ldp_metadata *m)
{
	return ldp_metadata_spec(m, m->default_spec_id);
}

const ldp_sort_order *ldp_metadata_sort_order(const ldp_metadata *m, int32_t order_id)
{
	for (size_t i = 0; i < m->nsort_orders; i++)
		if (m->sort_orders[i]->order_id == order_id)
			return m->sort_orders[i];
	return NULL;
}

const ldp_sort_order *ldp_metadata_default_sort_order(const ldp_metadata *m)
{
	return ldp_metadata_sort_order(m, m->default_sort_order_id);
}

const ldp_snapshot *ldp_metadata_snapshot(const ldp_metadata *m, int64_t snapshot_id)
{
	for (size_t i = 0; i < m->nsnapshots; i++)
		if (m->snapshots[i]->snapshot_id == snapshot_id)
			return m->snapshots[i];
	return NULL;
}

const ldp_snapshot *ldp_metadata_current_snapshot(const ldp_metadata *m)
{
	return m->current_snapshot_id == -1 ? NULL : ldp_metadata_snapshot(m, m->current_snapshot_id);
}

const ldp_ref *ldp_metadata_ref(const ldp_metadata *m, const char *name)
{
	for (size_t i = 0; i < m->nrefs; i++)
		if (strcmp(m->refs[i].name, name) == 0)
			return &m->refs[i];
	return NULL;
}

const char *ldp_metadata_property(const ldp_metadata *m, const char *key)
{
	for (size_t i = 0; i < m->nproperties; i++)
		if (strcmp(m->properties[i].key, key) == 0)
			return m->properties[i].value;
	return NULL;
}

const ldp_schema *ldp_metadata_snapshot_schema(const ldp_metadata *m, const ldp_snapshot *s)
{
	const ldp_schema *sc = s && s->schema_id >= 0 ? ldp_metadata_schema(m, s->schema_id) : NULL;
	return sc ? sc : ldp_metadata_current_schema(m);
}

const char *ldp_snapshot_summary(const ldp_snapshot *s, const char *key)
{
	for (size_t i = 0; i < s->nsummary; i++)
		if (strcmp(s->summary[i].key, key) == 0)
			return s->summary[i].value;
	if (strcmp(key, "operation") == 0)
		return s->operation;
	return NULL;
}

static void format_ms(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms < 0 || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "%lld ms", (long long)ms);
}

int ldp_metadata_snapshot_as_of(const ldp_metadata *m, int64_t timestamp_ms, const ldp_snapshot **out)
{
	*out = NULL;
	const ldp_log_entry *hit = NULL;
	/* The log is in commit order; take the last entry not after the time. */
	for (size_t i = 0; i < m->nsnapshot_log; i++)
		if (m->snapshot_log[i].timestamp_ms <= timestamp_ms)
			hit = &m->snapshot_log[i];
	char when[64];
	format_ms(timestamp_ms, when, sizeof(when));
	if (!hit) {
		if (!m->nsnapshot_log)
			return ldp_error_set(LDP_ENOTFOUND,
					     "table %s has no snapshot history (snapshot-log is empty); cannot read it as of %s",
					     m->location, when);
		char first[64];
		format_ms(m->snapshot_log[0].timestamp_ms, first, sizeof(first));
		return ldp_error_set(LDP_ENOTFOUND, "table %s has no snapshot as of %s; its history starts at %s",
				     m->location, when, first);
	}
	*out = ldp_metadata_snapshot(m, hit->snapshot_id);
	if (!*out)
		return ldp_error_set(LDP_ENOTFOUND, "the snapshot current as of %s (%lld) has expired from table %s",
				     when, (long long)hit->snapshot_id, m->location);
	return LDP_OK;
}

int ldp_metadata_ancestors(const ldp_metadata *m, int64_t snapshot_id, ldp_arena *a, const ldp_snapshot ***out,
			   size_t *n)
{
	*out = NULL;
	*n = 0;
	const ldp_snapshot *s = ldp_metadata_snapshot(m, snapshot_id);
	if (!s)
		return ldp_error_set(LDP_ENOTFOUND, "table %s has no snapshot %lld", m->location, (long long)snapshot_id);
	const ldp_snapshot **list = ldp_arena_alloc(a, (m->nsnapshots + 1) * sizeof(*list));
	if (!list)
		return LDP_ENOMEM;
	/* Bounded by the number of snapshots, so a corrupt parent cycle ends. */
	size_t k = 0;
	while (s && k < m->nsnapshots) {
		list[k++] = s;
		s = s->parent_id == -1 ? NULL : ldp_metadata_snapshot(m, s->parent_id);
	}
	*out = list;
	*n = k;
	return LDP_OK;
}

bool ldp_metadata_is_ancestor(const ldp_metadata *m, int64_t snapshot_id, int64_t ancestor_id)
{
	const ldp_snapshot *s = ldp_metadata_snapshot(m, snapshot_id);
	for (size_t k = 0; s && k < m->nsnapshots; k++) {
		if (s->snapshot_id == ancestor_id)
			return true;
		s = s->parent_id == -1 ? NULL : ldp_metadata_snapshot(m, s->parent_id);
	}
	return false;
}

/* ---- ids and names ---- */

static int random_bytes(uint8_t *buf, size_t n)
{
	FILE *f = fopen("/dev/urandom", "rb");
	if (!f)
		return ldp_error_set(LDP_EIO, "/dev/urandom: %s", strerror(errno));
	size_t got = fread(buf, 1, n, f);
	fclose(f);
	if (got != n)
		return ldp_error_set(LDP_EIO, "/dev/urandom: short read");
	return LDP_OK;
}

int ldp_uuid4(char out[37])
{
	uint8_t b[16];
	int rc = random_bytes(b, sizeof(b));
	if (rc)
		return rc;
	/* RFC 4122 section 4.4: version 4, variant 10xx. */
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return LDP_OK;
}

int ldp_metadata_new_snapshot_id(const ldp_metadata *m, int64_t *out)
{
	for (;;) {
		uint8_t b[8];
		int rc = random_bytes(b, sizeof(b));
		if (rc)
			return rc;
		uint64_t v = 0;
		for (int i = 0; i < 8; i++)
			v = v << 8 | b[i];
		/* Positive (spec: Appendix F "Assignment of Snapshot IDs"), never
		 * 0 or -1, and unused in this table. */
		int64_t id = (int64_t)(v & INT64_MAX);
		if (id > 0 && !(m && ldp_metadata_snapshot(m, id))) {
			*out = id;
			return LDP_OK;
		}
	}
}

int ldp_metadata_file_name(int64_t version, char **out)
{
	char uuid[37];
	*out = NULL;
	if (version < 0)
		return ldp_error_set(LDP_EINVALID, "metadata version %lld must not be negative", (long long)version);
	int rc = ldp_uuid4(uuid);
	if (rc)
		return rc;
	size_t len = 64 + sizeof(uuid);
	*out = malloc(len);
	if (!*out)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	snprintf(*out, len, "%05lld-%s.metadata.json", (long long)version, uuid);
	return LDP_OK;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

int64_t ldp_metadata_file_version(const char *path)
{
	const char *name = strrchr(path, '/');
	name = name ? name + 1 : path;
	size_t n = strlen(name);
	if (!ends_with(name, n, ".metadata.json"))
		return -1;
	const char *p = name;
	bool hadoop = *p == 'v';
	if (hadoop)
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	int64_t v = 0;
	while (isdigit((unsigned char)*p)) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	/* "<digits>-<uuid>...metadata.json" or Hadoop's "v<digits>.metadata.json"
	 * (possibly ".gz.metadata.json"). */
	if (hadoop)
		return *p == '.' ? v : -1;
	return *p == '-' && p[1] != '.' ? v : -1;
}

int64_t ldp_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
