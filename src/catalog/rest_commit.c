/*
 * Table creation and commits against a REST catalog. The table layer builds
 * the next metadata exactly as for the SQLite catalog; here the difference
 * base -> next becomes the REST protocol's requirements (what the change
 * assumed about the base) and updates (spec: CommitTableRequest), and the
 * server's answer replaces our metadata: the server writes the file.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/rest_client.h"
#include "format/metadata.h"
#include "format/partition.h"
#include "format/schema.h"
#include "ldp/error.h"

static int parse_result(ldp_rest *rc, json_t *resp, const char *ns, const char *table, char **location,
			ldp_metadata **meta)
{
	const char *loc = json_string_value(json_object_get(resp, "metadata-location"));
	json_t *md = json_object_get(resp, "metadata");
	if (!loc || !json_is_object(md))
		return ldp_error_set(LDP_ECORRUPT, "REST catalog %s: the answer for %s.%s lacks metadata-location or metadata",
				     rest_uri(rc), ns, table);
	int err = ldp_metadata_parse(md, loc, meta);
	if (!err && !(*location = strdup(loc))) {
		ldp_metadata_free(*meta);
		*meta = NULL;
		err = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	return err;
}

int rest_create_table(ldp_rest *rc, const char *ns, const char *table, const ldp_metadata *m, int send_location,
		      char **metadata_location, ldp_metadata **created)
{
	*metadata_location = NULL;
	*created = NULL;
	json_t *props = json_object();
	for (size_t i = 0; i < m->nproperties; i++)
		json_object_set_new(props, m->properties[i].key, json_string(m->properties[i].value));
	json_t *body = json_pack("{s:s,s:o,s:o,s:o,s:o}", "name", table, "schema",
				 ldp_schema_to_json(ldp_metadata_current_schema(m)), "partition-spec",
				 ldp_partition_spec_to_json(ldp_metadata_default_spec(m)), "write-order",
				 ldp_sort_order_to_json(ldp_metadata_default_sort_order(m)), "properties", props);
	if (!body)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	if (send_location)
		json_object_set_new(body, "location", json_string(m->location));
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_puts(&path, "namespaces/");
	rest_ns_path(rc, ns, &path);
	ldp_buf_puts(&path, "/tables");
	long st;
	json_t *resp = NULL;
	int err = rest_call(rc, "POST", ldp_buf_cstr(&path), body, NULL, &st, &resp);
	if (!err)
		err = parse_result(rc, resp, ns, table, metadata_location, created);
	json_decref(resp);
	json_decref(body);
	ldp_buf_free(&path);
	return err;
}

/* ---- the diff ---- */

static json_t *by_id(const json_t *arr, const char *key, json_int_t id)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (json_integer_value(json_object_get(v, key)) == id)
			return v;
	}
	return NULL;
}

static void add_req(json_t *reqs, json_t *req)
{
	/* once per requirement type and ref */
	size_t i;
	json_t *v;
	json_array_foreach(reqs, i, v) {
		if (json_equal(v, req)) {
			json_decref(req);
			return;
		}
	}
	json_array_append_new(reqs, req);
}

static json_t *id_or_null(const json_t *v) { return json_is_integer(v) ? json_incref((json_t *)v) : json_null(); }

/* Schemas, specs or sort orders: add the new ones, then move the default. */
static void diff_list(json_t *b, json_t *n, const char *list, const char *id_key, const char *cur_key,
		      const char *add_action, const char *add_field, const char *set_action, const char *set_field,
		      json_t *updates, int *changed)
{
	json_t *bl = json_object_get(b, list), *nl = json_object_get(n, list);
	json_int_t cur = json_integer_value(json_object_get(n, cur_key));
	int cur_is_new = 0;
	size_t i;
	json_t *v;
	json_array_foreach(nl, i, v) {
		json_int_t id = json_integer_value(json_object_get(v, id_key));
		if (by_id(bl, id_key, id))
			continue;
		json_t *u = json_pack("{s:s,s:O}", "action", add_action, add_field, v);
		if (strcmp(list, "schemas") == 0)
			json_object_set(u, "last-column-id", json_object_get(n, "last-column-id"));
		json_array_append_new(updates, u);
		cur_is_new |= id == cur;
		*changed = 1;
	}
	if (!json_equal(json_object_get(b, cur_key), json_object_get(n, cur_key))) {
		/* -1: "the one added last in this commit", whatever id the server gave it */
		json_array_append_new(updates, json_pack("{s:s,s:I}", "action", set_action, set_field,
							 cur_is_new ? (json_int_t)-1 : cur));
		*changed = 1;
	}
}

static int build_commit(const ldp_metadata *base, const ldp_metadata *next, json_t **reqs_out, json_t **upd_out)
{
	json_t *b = ldp_metadata_to_json(base), *n = ldp_metadata_to_json(next);
	if (!b || !n) {
		json_decref(b);
		json_decref(n);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	json_t *reqs = json_array(), *upd = json_array();
	if (base->table_uuid)
		add_req(reqs, json_pack("{s:s,s:s}", "type", "assert-table-uuid", "uuid", base->table_uuid));
	if (next->format_version > base->format_version)
		json_array_append_new(upd, json_pack("{s:s,s:i}", "action", "upgrade-format-version", "format-version",
						     next->format_version));
	int changed = 0;
	diff_list(b, n, "schemas", "schema-id", "current-schema-id", "add-schema", "schema", "set-current-schema",
		  "schema-id", upd, &changed);
	if (changed) {
		add_req(reqs, json_pack("{s:s,s:I}", "type", "assert-current-schema-id", "current-schema-id",
					(json_int_t)base->current_schema_id));
		add_req(reqs, json_pack("{s:s,s:I}", "type", "assert-last-assigned-field-id", "last-assigned-field-id",
					(json_int_t)base->last_column_id));
	}
	changed = 0;
	diff_list(b, n, "partition-specs", "spec-id", "default-spec-id", "add-spec", "spec", "set-default-spec",
		  "spec-id", upd, &changed);
	if (changed) {
		add_req(reqs, json_pack("{s:s,s:I}", "type", "assert-default-spec-id", "default-spec-id",
					(json_int_t)base->default_spec_id));
		add_req(reqs, json_pack("{s:s,s:I}", "type", "assert-last-assigned-partition-id",
					"last-assigned-partition-id", (json_int_t)base->last_partition_id));
	}
	changed = 0;
	diff_list(b, n, "sort-orders", "order-id", "default-sort-order-id", "add-sort-order", "sort-order",
		  "set-default-sort-order", "sort-order-id", upd, &changed);
	if (changed)
		add_req(reqs, json_pack("{s:s,s:I}", "type", "assert-default-sort-order-id", "default-sort-order-id",
					(json_int_t)base->default_sort_order_id));
	/* snapshots first, so the refs below can point at them */
	json_t *bs = json_object_get(b, "snapshots"), *ns = json_object_get(n, "snapshots");
	size_t i;
	json_t *v;
	json_array_foreach(ns, i, v) {
		if (!by_id(bs, "snapshot-id", json_integer_value(json_object_get(v, "snapshot-id"))))
			json_array_append_new(upd, json_pack("{s:s,s:O}", "action", "add-snapshot", "snapshot", v));
	}
	json_t *brefs = json_object_get(b, "refs"), *nrefs = json_object_get(n, "refs");
	const char *name;
	json_object_foreach(nrefs, name, v) {
		json_t *old = json_object_get(brefs, name);
		if (old && json_equal(old, v))
			continue;
		add_req(reqs, json_pack("{s:s,s:s,s:o}", "type", "assert-ref-snapshot-id", "ref", name, "snapshot-id",
					id_or_null(json_object_get(old, "snapshot-id"))));
		json_t *u = json_deep_copy(v);
		json_object_set_new(u, "action", json_string("set-snapshot-ref"));
		json_object_set_new(u, "ref-name", json_string(name));
		json_array_append_new(upd, u);
	}
	json_object_foreach(brefs, name, v) {
		if (json_object_get(nrefs, name))
			continue;
		add_req(reqs, json_pack("{s:s,s:s,s:O}", "type", "assert-ref-snapshot-id", "ref", name, "snapshot-id",
					json_object_get(v, "snapshot-id")));
		json_array_append_new(upd, json_pack("{s:s,s:s}", "action", "remove-snapshot-ref", "ref-name", name));
	}
	json_t *gone = json_array();
	json_array_foreach(bs, i, v) {
		json_t *id = json_object_get(v, "snapshot-id");
		if (!by_id(ns, "snapshot-id", json_integer_value(id)))
			json_array_append(gone, id);
	}
	if (json_array_size(gone))
		json_array_append_new(upd, json_pack("{s:s,s:o}", "action", "remove-snapshots", "snapshot-ids", gone));
	else
		json_decref(gone);
	/* properties */
	json_t *bp = json_object_get(b, "properties"), *np = json_object_get(n, "properties");
	json_t *set = json_object(), *rem = json_array();
	json_object_foreach(np, name, v) {
		if (!json_equal(json_object_get(bp, name), v))
			json_object_set(set, name, v);
	}
	json_object_foreach(bp, name, v) {
		if (!json_object_get(np, name))
			json_array_append_new(rem, json_string(name));
	}
	if (json_object_size(set))
		json_array_append_new(upd, json_pack("{s:s,s:O}", "action", "set-properties", "updates", set));
	if (json_array_size(rem))
		json_array_append_new(upd, json_pack("{s:s,s:O}", "action", "remove-properties", "removals", rem));
	json_decref(set);
	json_decref(rem);
	if (strcmp(base->location, next->location) != 0)
		json_array_append_new(upd, json_pack("{s:s,s:s}", "action", "set-location", "location", next->location));
	json_decref(b);
	json_decref(n);
	*reqs_out = reqs;
	*upd_out = upd;
	return 0;
}

int rest_commit(ldp_rest *rc, const char *ns, const char *table, const ldp_metadata *base, const ldp_metadata *next,
		char **metadata_location, ldp_metadata **committed)
{
	*metadata_location = NULL;
	*committed = NULL;
	json_t *reqs = NULL, *upd = NULL;
	int err = build_commit(base, next, &reqs, &upd);
	if (err)
		return err;
	json_t *body = json_pack("{s:{s:o,s:s},s:o,s:o}", "identifier", "namespace", ldp_catalog_namespace_json(ns), "name", table,
				 "requirements", reqs, "updates", upd);
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_puts(&path, "namespaces/");
	rest_ns_path(rc, ns, &path);
	ldp_buf_puts(&path, "/tables/");
	rest_escape(rc, table, &path);
	long st;
	json_t *resp = NULL;
	err = rest_call(rc, "POST", ldp_buf_cstr(&path), body, NULL, &st, &resp);
	if (!err)
		err = parse_result(rc, resp, ns, table, metadata_location, committed);
	json_decref(resp);
	json_decref(body);
	ldp_buf_free(&path);
	return err;
}
