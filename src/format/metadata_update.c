/* REST commit changes on table metadata; see format/metadata_update.h. */
#include "format/metadata_update.h"

#include <string.h>
#include <strings.h>

#include "format/metadata.h"
#include "ldp/error.h"

typedef int (*json_edit_fn)(json_t *doc, const void *ctx);

/* metadata -> JSON -> edit -> metadata: the parser re-validates the result. */
static int edit(const ldp_metadata *in, json_edit_fn fn, const void *ctx, ldp_metadata **out)
{
	*out = NULL;
	json_t *doc = ldp_metadata_to_json(in);
	if (!doc)
		return ldp_error_wrap(LDP_ENOMEM, "copying table metadata");
	int rc = fn(doc, ctx);
	if (!rc) {
		rc = ldp_metadata_parse(doc, "updated metadata", out);
		if (rc == LDP_ECORRUPT || rc == LDP_EUNSUPPORTED)
			rc = ldp_error_wrap(LDP_EINVALID, "the update would make invalid table metadata");
	}
	json_decref(doc);
	return rc;
}

static json_t *array_of(json_t *doc, const char *key)
{
	json_t *a = json_object_get(doc, key);
	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(doc, key, a);
	}
	return a;
}

static int do_add_snapshot(json_t *doc, const void *ctx)
{
	const json_t *snap = ctx;
	json_t *id = json_object_get(snap, "snapshot-id");
	if (!json_is_integer(id))
		return ldp_error_set(LDP_EINVALID, "add-snapshot: 'snapshot-id' must be an integer");
	json_t *snaps = array_of(doc, "snapshots");
	size_t i;
	json_t *s;
	json_array_foreach(snaps, i, s) {
		if (json_integer_value(json_object_get(s, "snapshot-id")) == json_integer_value(id))
			return ldp_error_set(LDP_EEXISTS, "add-snapshot: snapshot %lld already exists",
					     (long long)json_integer_value(id));
	}
	int64_t fv = json_integer_value(json_object_get(doc, "format-version"));
	if (fv >= 2) {
		json_t *seq = json_object_get(snap, "sequence-number");
		int64_t last = json_integer_value(json_object_get(doc, "last-sequence-number"));
		if (!json_is_integer(seq))
			return ldp_error_set(LDP_EINVALID, "add-snapshot %lld: 'sequence-number' is required in format v%lld",
					     (long long)json_integer_value(id), (long long)fv);
		/* spec "Sequence Numbers": each new snapshot gets a higher one */
		if (json_integer_value(seq) <= last) /* a stale base: the client must retry */
			return ldp_error_set(LDP_ECONFLICT,
					     "add-snapshot %lld: sequence-number %lld is not above the table's last-sequence-number %lld",
					     (long long)json_integer_value(id), (long long)json_integer_value(seq), (long long)last);
		json_object_set_new(doc, "last-sequence-number", json_integer(json_integer_value(seq)));
	}
	json_t *ts = json_object_get(snap, "timestamp-ms");
	if (json_is_integer(ts) && json_integer_value(ts) > json_integer_value(json_object_get(doc, "last-updated-ms")))
		json_object_set_new(doc, "last-updated-ms", json_integer(json_integer_value(ts)));
	json_array_append_new(snaps, json_deep_copy(snap));
	return 0;
}

int ldp_metadata_add_snapshot_json(const ldp_metadata *in, const json_t *snapshot, ldp_metadata **out)
{
	if (!json_is_object(snapshot))
		return ldp_error_set(LDP_EINVALID, "add-snapshot: 'snapshot' must be an object");
	return edit(in, do_add_snapshot, snapshot, out);
}

typedef struct id_set {
	const int64_t *ids;
	size_t n;
} id_set;

static int in_set(const id_set *s, json_t *v)
{
	if (!json_is_integer(v))
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] == json_integer_value(v))
			return 1;
	return 0;
}

static void filter(json_t *arr, const char *key, const id_set *s)
{
	for (size_t i = json_array_size(arr); i-- > 0;)
		if (in_set(s, json_object_get(json_array_get(arr, i), key)))
			json_array_remove(arr, i);
}

static int do_remove_snapshots(json_t *doc, const void *ctx)
{
	const id_set *s = ctx;
	filter(json_object_get(doc, "snapshots"), "snapshot-id", s);
	filter(json_object_get(doc, "snapshot-log"), "snapshot-id", s);
	json_t *refs = json_object_get(doc, "refs");
	const char *name;
	json_t *r, *tmp;
	json_object_foreach_safe(refs, tmp, name, r) {
		if (in_set(s, json_object_get(r, "snapshot-id")))
			json_object_del(refs, name);
	}
	if (in_set(s, json_object_get(doc, "current-snapshot-id")))
		json_object_set_new(doc, "current-snapshot-id", json_integer(-1));
	return 0;
}

int ldp_metadata_remove_snapshots(const ldp_metadata *in, const int64_t *ids, size_t n, ldp_metadata **out)
{
	id_set s = {ids, n};
	return edit(in, do_remove_snapshots, &s, out);
}

static int do_set_string(json_t *doc, const void *ctx)
{
	const char *const *kv = ctx;
	json_object_set_new(doc, kv[0], json_string(kv[1]));
	return 0;
}

int ldp_metadata_set_location(const ldp_metadata *in, const char *location, ldp_metadata **out)
{
	if (!location || !*location)
		return ldp_error_set(LDP_EINVALID, "set-location: the location is empty");
	const char *kv[2] = {"location", location};
	return edit(in, do_set_string, kv, out);
}

int ldp_metadata_assign_uuid(const ldp_metadata *in, const char *uuid, ldp_metadata **out)
{
	if (!uuid || strlen(uuid) != 36)
		return ldp_error_set(LDP_EINVALID, "assign-uuid: '%s' is not a UUID", uuid ? uuid : "");
	if (in->table_uuid && strcasecmp(in->table_uuid, uuid) != 0)
		return ldp_error_set(LDP_EINVALID, "assign-uuid: the table already has uuid %s; it cannot change to %s",
				     in->table_uuid, uuid);
	const char *kv[2] = {"table-uuid", uuid};
	return edit(in, do_set_string, kv, out);
}

static int do_upgrade(json_t *doc, const void *ctx)
{
	/* v1 -> v2 (spec "Version 2"): sequence numbers become required; v1
	 * data has sequence number 0 */
	if (json_integer_value(json_object_get(doc, "format-version")) < 2) {
		if (!json_object_get(doc, "last-sequence-number"))
			json_object_set_new(doc, "last-sequence-number", json_integer(0));
		size_t i;
		json_t *s;
		json_array_foreach(json_object_get(doc, "snapshots"), i, s) {
			if (!json_object_get(s, "sequence-number"))
				json_object_set_new(s, "sequence-number", json_integer(0));
		}
	}
	json_object_set_new(doc, "format-version", json_integer(*(const int *)ctx));
	return 0;
}

int ldp_metadata_upgrade_format_version(const ldp_metadata *in, int format_version, ldp_metadata **out)
{
	if (format_version < in->format_version)
		return ldp_error_set(LDP_EINVALID, "upgrade-format-version: cannot downgrade from v%d to v%d",
				     in->format_version, format_version);
	if (format_version > LDP_METADATA_MAX_FORMAT_VERSION)
		return ldp_error_set(LDP_EUNSUPPORTED, "upgrade-format-version: format v%d is not supported (at most v%d)",
				     format_version, LDP_METADATA_MAX_FORMAT_VERSION);
	/* v1 -> v2 needs sequence numbers on snapshots; they parse as 0 */
	return edit(in, do_upgrade, &format_version, out);
}
