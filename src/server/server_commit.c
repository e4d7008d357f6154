/*
 * REST table commits (spec: CommitTableRequest, TableRequirement,
 * TableUpdate) and multi-table transactions.
 *
 * A commit loads the current metadata, checks every requirement against it
 * (409 CommitFailedException on the first that fails), applies the updates
 * in order (400 on an invalid one), writes the next metadata file and swaps
 * the catalog pointer. When the swap loses to a concurrent writer the whole
 * thing is redone on the new base: the requirements decide whether the
 * client's changes still apply, so no commit is lost and none is applied on
 * a base its client did not allow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/backoff.h"
#include "format/metadata.h"
#include "format/metadata_update.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "server/server_internal.h"
#include "table/ice.h"

#define MAX_ATTEMPTS 16

typedef struct commit_job {
	ldp_ident id;
	const json_t *requirements, *updates;
	int create;          /* an assert-create requirement */
	char *base_loc;      /* NULL when creating */
	ldp_metadata *base;
	ldp_metadata *next;
	char *new_loc;       /* the metadata file written by this attempt */
} commit_job;

static void job_reset(commit_job *j, int remove_file)
{
	if (remove_file && j->new_loc)
		ldp_io_remove(j->new_loc);
	free(j->base_loc);
	free(j->new_loc);
	ldp_metadata_free(j->base);
	ldp_metadata_free(j->next);
	j->base_loc = j->new_loc = NULL;
	j->base = j->next = NULL;
}

static int bad(srv_req *r, const char *fmt, const char *a, const char *b)
{
	return srv_error(r, 400, "BadRequestException", fmt, a, b);
}

/* ---- requirements ---- */

static int get_int(srv_req *r, const json_t *o, const char *key, const char *type, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return bad(r, "requirement %s needs an integer '%s'", type, key);
	*out = json_integer_value(v);
	return 0;
}

static int failed(srv_req *r, const commit_job *j, const char *what, long long want, long long have)
{
	return srv_error(r, 409, "CommitFailedException",
			 "requirement failed on %s.%s: %s was expected to be %lld but is %lld (reload and retry)",
			 j->id.ns, j->id.name, what, want, have);
}

/* The types alone (400 before anything is read); *create for assert-create. */
static int scan_requirements(srv_req *r, const json_t *reqs, int *create)
{
	*create = 0;
	if (reqs && !json_is_array(reqs) && !json_is_null(reqs))
		return srv_error(r, 400, "BadRequestException", "'requirements' must be an array");
	size_t i;
	json_t *q;
	json_array_foreach(reqs, i, q) {
		const char *type = json_string_value(json_object_get(q, "type"));
		if (!type)
			return srv_error(r, 400, "BadRequestException", "requirement %zu needs a string 'type'", i);
		if (strcmp(type, "assert-create") == 0)
			*create = 1;
		else if (strcmp(type, "assert-table-uuid") && strcmp(type, "assert-ref-snapshot-id") &&
			 strcmp(type, "assert-last-assigned-field-id") && strcmp(type, "assert-current-schema-id") &&
			 strcmp(type, "assert-last-assigned-partition-id") && strcmp(type, "assert-default-spec-id") &&
			 strcmp(type, "assert-default-sort-order-id"))
			return srv_error(r, 400, "BadRequestException", "unknown requirement type '%s'", type);
	}
	return 0;
}

static int check_requirements(srv_req *r, commit_job *j)
{
	size_t i;
	json_t *q;
	const ldp_metadata *m = j->base;
	json_array_foreach(j->requirements, i, q) {
		const char *type = json_string_value(json_object_get(q, "type"));
		int64_t v = 0;
		if (strcmp(type, "assert-create") == 0)
			continue; /* checked when loading: the table must not exist */
		if (!m)
			return srv_error(r, 409, "CommitFailedException", "requirement %s failed: table %s.%s is being created",
					 type, j->id.ns, j->id.name);
		if (strcmp(type, "assert-table-uuid") == 0) {
			const char *u = json_string_value(json_object_get(q, "uuid"));
			if (!u)
				return bad(r, "requirement %s needs a string '%s'", type, "uuid");
			if (!m->table_uuid || strcasecmp(u, m->table_uuid) != 0)
				return srv_error(r, 409, "CommitFailedException",
						 "requirement failed on %s.%s: table uuid is %s, not %s (the table was replaced)",
						 j->id.ns, j->id.name, m->table_uuid ? m->table_uuid : "(none)", u);
		} else if (strcmp(type, "assert-ref-snapshot-id") == 0) {
			const char *ref = json_string_value(json_object_get(q, "ref"));
			json_t *sid = json_object_get(q, "snapshot-id");
			if (!ref)
				return bad(r, "requirement %s needs a string '%s'", type, "ref");
			if (sid && !json_is_null(sid) && !json_is_integer(sid))
				return bad(r, "requirement %s: '%s' must be an integer or null", type, "snapshot-id");
			const ldp_ref *have = ldp_metadata_ref(m, ref);
			if (json_is_integer(sid) && (!have || have->snapshot_id != json_integer_value(sid)))
				return srv_error(r, 409, "CommitFailedException",
						 "requirement failed on %s.%s: ref %s was expected at snapshot %lld but is %s%lld (reload and retry)",
						 j->id.ns, j->id.name, ref, (long long)json_integer_value(sid),
						 have ? "at " : "missing, ", have ? (long long)have->snapshot_id : -1LL);
			if (!json_is_integer(sid) && have)
				return srv_error(r, 409, "CommitFailedException",
						 "requirement failed on %s.%s: ref %s was expected not to exist but points at %lld",
						 j->id.ns, j->id.name, ref, (long long)have->snapshot_id);
		} else if (strcmp(type, "assert-last-assigned-field-id") == 0) {
			if (get_int(r, q, "last-assigned-field-id", type, &v))
				return -1;
			if (v != m->last_column_id)
				return failed(r, j, "last assigned field id", v, m->last_column_id);
		} else if (strcmp(type, "assert-current-schema-id") == 0) {
			if (get_int(r, q, "current-schema-id", type, &v))
				return -1;
			if (v != m->current_schema_id)
				return failed(r, j, "current schema id", v, m->current_schema_id);
		} else if (strcmp(type, "assert-last-assigned-partition-id") == 0) {
			if (get_int(r, q, "last-assigned-partition-id", type, &v))
				return -1;
			if (v != m->last_partition_id)
				return failed(r, j, "last assigned partition id", v, m->last_partition_id);
		} else if (strcmp(type, "assert-default-spec-id") == 0) {
			if (get_int(r, q, "default-spec-id", type, &v))
				return -1;
			if (v != m->default_spec_id)
				return failed(r, j, "default spec id", v, m->default_spec_id);
		} else if (strcmp(type, "assert-default-sort-order-id") == 0) {
			if (get_int(r, q, "default-sort-order-id", type, &v))
				return -1;
			if (v != m->default_sort_order_id)
				return failed(r, j, "default sort order id", v, m->default_sort_order_id);
		}
	}
	return 0;
}

/* ---- updates ---- */

typedef struct apply_state {
	int32_t last_schema, last_spec, last_order; /* ids added by this commit, -1: none */
	ldp_arena arena;
} apply_state;

/* Replace *m with the builder's result, or answer 400 (409 for a stale base). */
static int step(srv_req *r, const char *action, ldp_metadata **m, int rc, ldp_metadata **nextp)
{
	/* nextp, not *nextp: the builder call in the same argument list may run
	 * after the other arguments are evaluated */
	ldp_metadata *next = *nextp;
	if (rc) {
		ldp_metadata_free(next);
		if (rc == LDP_ECONFLICT)
			return srv_fail(r, rc, NULL);
		if (rc != LDP_ENOMEM && rc != LDP_EIO && rc != LDP_ERROR)
			rc = LDP_EINVALID;
		ldp_error_wrap(rc, "update %s", action);
		return srv_fail(r, rc, NULL);
	}
	ldp_metadata_free(*m);
	*m = next;
	return 0;
}

static int last_or(srv_req *r, const json_t *u, const char *key, const char *action, int32_t last, int32_t *out)
{
	json_t *v = json_object_get(u, key);
	if (!json_is_integer(v))
		return bad(r, "update %s needs an integer '%s'", action, key);
	*out = (int32_t)json_integer_value(v);
	if (*out == -1) { /* "the one added last in this commit" */
		if (last < 0)
			return bad(r, "update %s: %s -1 means the last one added, but this commit added none", action, key);
		*out = last;
	}
	return 0;
}

static int apply_one(srv_req *r, const json_t *u, ldp_metadata **m, apply_state *st)
{
	const char *action = json_string_value(json_object_get(u, "action"));
	if (!action)
		return srv_error(r, 400, "BadRequestException", "every update needs a string 'action'");
	ldp_metadata *next = NULL;
	int32_t id = 0;
	if (strcmp(action, "assign-uuid") == 0) {
		const char *uuid = json_string_value(json_object_get(u, "uuid"));
		if (!uuid)
			return bad(r, "update %s needs a string '%s'", action, "uuid");
		return step(r, action, m, ldp_metadata_assign_uuid(*m, uuid, &next), &next);
	}
	if (strcmp(action, "upgrade-format-version") == 0) {
		json_t *v = json_object_get(u, "format-version");
		if (!json_is_integer(v))
			return bad(r, "update %s needs an integer '%s'", action, "format-version");
		return step(r, action, m, ldp_metadata_upgrade_format_version(*m, (int)json_integer_value(v), &next), &next);
	}
	if (strcmp(action, "add-schema") == 0) {
		ldp_schema *s = NULL;
		if (srv_parse_schema(r, &st->arena, json_object_get(u, "schema"), "add-schema schema", &s))
			return -1;
		if (step(r, action, m, ldp_metadata_add_schema(*m, s, &id, &next), &next))
			return -1;
		st->last_schema = id;
		return 0;
	}
	if (strcmp(action, "set-current-schema") == 0)
		return last_or(r, u, "schema-id", action, st->last_schema, &id)
			       ? -1
			       : step(r, action, m, ldp_metadata_set_current_schema(*m, id, &next), &next);
	if (strcmp(action, "add-spec") == 0) {
		ldp_partition_spec *s = NULL;
		if (srv_parse_spec(r, &st->arena, json_object_get(u, "spec"), "add-spec spec", &s))
			return -1;
		if (step(r, action, m, ldp_metadata_add_spec(*m, s, &id, &next), &next))
			return -1;
		st->last_spec = id;
		return 0;
	}
	if (strcmp(action, "set-default-spec") == 0)
		return last_or(r, u, "spec-id", action, st->last_spec, &id)
			       ? -1
			       : step(r, action, m, ldp_metadata_set_default_spec(*m, id, &next), &next);
	if (strcmp(action, "add-sort-order") == 0) {
		ldp_sort_order *o = NULL;
		if (srv_parse_order(r, &st->arena, json_object_get(u, "sort-order"), "add-sort-order sort-order", &o))
			return -1;
		if (step(r, action, m, ldp_metadata_add_sort_order(*m, o, &id, &next), &next))
			return -1;
		st->last_order = id;
		return 0;
	}
	if (strcmp(action, "set-default-sort-order") == 0)
		return last_or(r, u, "sort-order-id", action, st->last_order, &id)
			       ? -1
			       : step(r, action, m, ldp_metadata_set_default_sort_order(*m, id, &next), &next);
	if (strcmp(action, "add-snapshot") == 0)
		return step(r, action, m, ldp_metadata_add_snapshot_json(*m, json_object_get(u, "snapshot"), &next), &next);
	if (strcmp(action, "set-snapshot-ref") == 0) {
		const char *name = json_string_value(json_object_get(u, "ref-name"));
		const char *type = json_string_value(json_object_get(u, "type"));
		json_t *sid = json_object_get(u, "snapshot-id");
		if (!name || !type || !json_is_integer(sid))
			return bad(r, "update %s needs 'ref-name', 'type' and an integer 'snapshot-id'%s", action, "");
		if (strcmp(type, "branch") && strcmp(type, "tag"))
			return bad(r, "update %s: type must be branch or tag, not '%s'", action, type);
		ldp_ref ref = {.name = name, .snapshot_id = json_integer_value(sid), .is_tag = strcmp(type, "tag") == 0,
			       .max_ref_age_ms = -1, .max_snapshot_age_ms = -1, .min_snapshots_to_keep = -1};
		json_t *v;
		if ((v = json_object_get(u, "max-ref-age-ms")) && json_is_integer(v))
			ref.max_ref_age_ms = json_integer_value(v);
		if ((v = json_object_get(u, "max-snapshot-age-ms")) && json_is_integer(v))
			ref.max_snapshot_age_ms = json_integer_value(v);
		if ((v = json_object_get(u, "min-snapshots-to-keep")) && json_is_integer(v))
			ref.min_snapshots_to_keep = (int32_t)json_integer_value(v);
		return step(r, action, m, ldp_metadata_set_ref(*m, &ref, &next), &next);
	}
	if (strcmp(action, "remove-snapshots") == 0) {
		json_t *ids = json_object_get(u, "snapshot-ids");
		if (!json_is_array(ids))
			return bad(r, "update %s needs an array '%s'", action, "snapshot-ids");
		size_t n = json_array_size(ids);
		int64_t *v = ldp_arena_calloc(&st->arena, n + 1, sizeof *v);
		for (size_t i = 0; i < n; i++) {
			if (!json_is_integer(json_array_get(ids, i)))
				return bad(r, "update %s: '%s' must hold integers", action, "snapshot-ids");
			v[i] = json_integer_value(json_array_get(ids, i));
		}
		return step(r, action, m, ldp_metadata_remove_snapshots(*m, v, n, &next), &next);
	}
	if (strcmp(action, "remove-snapshot-ref") == 0) {
		const char *name = json_string_value(json_object_get(u, "ref-name"));
		if (!name)
			return bad(r, "update %s needs a string '%s'", action, "ref-name");
		if (!ldp_metadata_ref(*m, name))
			return 0; /* removing a missing ref is a no-op, as in Java */
		return step(r, action, m, ldp_metadata_remove_ref(*m, name, &next), &next);
	}
	if (strcmp(action, "set-location") == 0) {
		const char *loc = json_string_value(json_object_get(u, "location"));
		if (!loc)
			return bad(r, "update %s needs a string '%s'", action, "location");
		if (!srv_location_allowed(r, loc))
			return bad(r, "update set-location: %s is outside the warehouse %s", loc, srv_warehouse_root(r));
		return step(r, action, m, ldp_metadata_set_location(*m, ldp_io_local_path(loc), &next), &next);
	}
	if (strcmp(action, "set-properties") == 0) {
		json_t *upd = json_object_get(u, "updates");
		if (!json_is_object(upd))
			return bad(r, "update %s needs an object '%s'", action, "updates");
		size_t n = json_object_size(upd), k = 0;
		ldp_kv *kv = ldp_arena_calloc(&st->arena, n + 1, sizeof *kv);
		const char *key;
		json_t *v;
		json_object_foreach(upd, key, v) {
			if (!json_is_string(v))
				return bad(r, "update %s: property '%s' must be a string", action, key);
			kv[k].key = key;
			kv[k++].value = json_string_value(v);
		}
		return step(r, action, m, ldp_metadata_set_properties(*m, kv, k, &next), &next);
	}
	if (strcmp(action, "remove-properties") == 0) {
		json_t *rem = json_object_get(u, "removals");
		if (!json_is_array(rem))
			return bad(r, "update %s needs an array '%s'", action, "removals");
		size_t n = json_array_size(rem);
		const char **keys = ldp_arena_calloc(&st->arena, n + 1, sizeof *keys);
		for (size_t i = 0; i < n; i++)
			if (!(keys[i] = json_string_value(json_array_get(rem, i))))
				return bad(r, "update %s: '%s' must hold strings", action, "removals");
		return step(r, action, m, ldp_metadata_remove_properties(*m, keys, n, &next), &next);
	}
	return srv_error(r, 400, "BadRequestException", "unknown or unsupported update action '%s'", action);
}

/* The first metadata of a table created by a commit (stage-create then
 * commit with assert-create): built from the commit's first add-schema,
 * add-spec, add-sort-order and set-location, like POST .../tables. */
static int create_base(srv_req *r, commit_job *j, apply_state *st, ldp_metadata **out)
{
	const json_t *sj = NULL, *pj = NULL, *oj = NULL;
	const char *loc = NULL, *uuid = NULL;
	size_t i;
	json_t *u;
	json_array_foreach(j->updates, i, u) {
		const char *a = json_string_value(json_object_get(u, "action"));
		if (!a)
			continue;
		if (!sj && strcmp(a, "add-schema") == 0)
			sj = json_object_get(u, "schema");
		else if (!pj && strcmp(a, "add-spec") == 0)
			pj = json_object_get(u, "spec");
		else if (!oj && strcmp(a, "add-sort-order") == 0)
			oj = json_object_get(u, "sort-order");
		else if (strcmp(a, "set-location") == 0)
			loc = json_string_value(json_object_get(u, "location"));
		else if (strcmp(a, "assign-uuid") == 0)
			uuid = json_string_value(json_object_get(u, "uuid"));
	}
	if (!sj)
		return bad(r, "creating %s: the commit has no add-schema update%s", j->id.name, "");
	ldp_schema *schema = NULL;
	ldp_partition_spec *spec = NULL;
	ldp_sort_order *order = NULL;
	ldp_buf where = LDP_BUF_INIT;
	int rc = srv_parse_schema(r, &st->arena, sj, "add-schema schema", &schema);
	if (!rc && pj)
		rc = srv_parse_spec(r, &st->arena, pj, "add-spec spec", &spec);
	if (!rc && oj)
		rc = srv_parse_order(r, &st->arena, oj, "add-sort-order sort-order", &order);
	if (!rc && loc && !srv_location_allowed(r, loc))
		rc = bad(r, "update set-location: %s is outside the warehouse %s", loc, srv_warehouse_root(r));
	if (!rc && loc)
		ldp_buf_puts(&where, ldp_io_local_path(loc));
	else if (!rc && (rc = ldp_warehouse_table_location(r->wh, &j->id, &where)))
		rc = srv_fail(r, rc, NULL);
	if (!rc)
		rc = srv_new_metadata(r, ldp_buf_cstr(&where), schema, spec, order, NULL, out);
	if (!rc && uuid)
		(*out)->table_uuid = ldp_arena_strdup(&(*out)->arena, uuid);
	if (!rc) {
		st->last_schema = (*out)->current_schema_id;
		st->last_spec = (*out)->default_spec_id;
		st->last_order = (*out)->default_sort_order_id;
	}
	ldp_buf_free(&where);
	return rc;
}

/* Load the base, check, apply, write the next metadata file. */
static int prepare(srv_req *r, commit_job *j)
{
	int rc = ldp_catalog_load_table(r->wh->catalog, j->id.ns, j->id.name, &j->base_loc, NULL);
	if (rc == LDP_ENOTFOUND && j->create) {
		ldp_error_clear();
		rc = 0;
	} else if (rc) {
		return srv_fail(r, rc, "NoSuchTableException");
	} else if (j->create) {
		return srv_error(r, 409, "CommitFailedException", "requirement assert-create failed: table %s.%s already exists",
				 j->id.ns, j->id.name);
	}
	if (j->base_loc && (rc = ice_metadata_read(j->base_loc, &j->base)))
		return srv_fail(r, rc, NULL);
	if (check_requirements(r, j))
		return -1;
	if (!json_is_array(j->updates) && j->updates && !json_is_null(j->updates))
		return srv_error(r, 400, "BadRequestException", "'updates' must be an array");
	apply_state st = {.last_schema = -1, .last_spec = -1, .last_order = -1};
	ldp_arena_init(&st.arena, 0);
	ldp_metadata *m = NULL;
	if (j->base)
		rc = ldp_metadata_copy(j->base, &m) ? srv_fail(r, LDP_ENOMEM, NULL) : 0;
	else
		rc = create_base(r, j, &st, &m);
	size_t i;
	json_t *u;
	json_array_foreach(j->updates, i, u) {
		if (rc)
			break;
		if (!json_is_object(u)) {
			rc = srv_error(r, 400, "BadRequestException", "update %zu must be an object", i);
			break;
		}
		rc = apply_one(r, u, &m, &st);
	}
	ldp_arena_free(&st.arena);
	if (!rc) {
		m->last_updated_ms = ldp_now_ms();
		if (j->base && (rc = ldp_metadata_log_previous(m, j->base_loc, j->base->last_updated_ms)))
			rc = srv_fail(r, rc, NULL);
	}
	if (!rc) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/metadata", m->location);
		rc = ice_metadata_write(m, dir, j->base_loc ? ice_metadata_version(j->base_loc) + 1 : 0, &j->new_loc);
		if (rc == LDP_EEXISTS) { /* a concurrent commit took this version: retry */
			ldp_error_clear();
			rc = LDP_ECONFLICT;
		} else if (rc) {
			rc = srv_fail(r, rc, NULL);
		}
	}
	if (rc && rc != LDP_ECONFLICT) {
		ldp_metadata_free(m);
		return -1;
	}
	j->next = m;
	return rc;
}

static int job_init(srv_req *r, commit_job *j, const json_t *req)
{
	j->requirements = json_object_get(req, "requirements");
	j->updates = json_object_get(req, "updates");
	if (j->updates && !json_is_array(j->updates) && !json_is_null(j->updates))
		return srv_error(r, 400, "BadRequestException", "'updates' must be an array");
	return scan_requirements(r, j->requirements, &j->create);
}

int srv_commit_table(srv_req *r)
{
	json_t *body = NULL;
	commit_job j = {0};
	if (srv_body_object(r, &body))
		return -1;
	int rc = srv_path_ident(r, &j.id);
	json_t *ident = json_object_get(body, "identifier");
	ldp_ident named;
	if (!rc && ident && !json_is_null(ident) && srv_json_ident(r, ident, &named) == 0 &&
	    (strcmp(named.ns, j.id.ns) || strcmp(named.name, j.id.name)))
		rc = srv_error(r, 400, "BadRequestException", "the body's identifier %s.%s differs from the path's %s.%s",
			       named.ns, named.name, j.id.ns, j.id.name);
	else if (!rc && r->status)
		rc = -1; /* the identifier itself was bad */
	if (!rc)
		rc = job_init(r, &j, body);
	for (int attempt = 0; !rc; attempt++) {
		rc = prepare(r, &j);
		if (!rc)
			rc = j.create ? ldp_catalog_create_table(r->wh->catalog, j.id.ns, j.id.name, j.new_loc)
				      : ldp_catalog_swap(r->wh->catalog, j.id.ns, j.id.name, j.base_loc, j.new_loc);
		if (rc == LDP_ECONFLICT || (rc == LDP_EEXISTS && j.create)) {
			job_reset(&j, 1);
			if (attempt + 1 >= MAX_ATTEMPTS || rc == LDP_EEXISTS) {
				rc = srv_fail(r, rc == LDP_EEXISTS ? LDP_ECONFLICT : rc, NULL);
				break;
			}
			ldp_error_clear();
			ldp_backoff_sleep(attempt, 2, 200);
			rc = 0;
			continue;
		}
		if (rc > 0 || rc == -1) /* a response is already set */
			break;
		if (rc) {
			job_reset(&j, 1);
			rc = srv_fail(r, rc, "NoSuchTableException");
			break;
		}
		ldp_buf_clear(&r->out);
		if ((rc = srv_load_result(r, j.new_loc, &r->out)))
			rc = srv_fail(r, rc, NULL);
		else
			r->status = 200;
		break;
	}
	job_reset(&j, 0);
	json_decref(body);
	return rc;
}

int srv_commit_transaction(srv_req *r)
{
	json_t *body = NULL;
	if (srv_body_object(r, &body))
		return -1;
	json_t *changes = json_object_get(body, "table-changes");
	size_t n = json_array_size(changes);
	int rc = json_is_array(changes) && n > 0
			 ? 0
			 : srv_error(r, 400, "BadRequestException", "'table-changes' must be a non-empty array");
	commit_job *jobs = calloc(n + 1, sizeof *jobs);
	ldp_catalog_swap_item *items = calloc(n + 1, sizeof *items);
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *c = json_array_get(changes, i);
		if (!json_is_object(c) || !json_object_get(c, "identifier"))
			rc = srv_error(r, 400, "BadRequestException", "table change %zu needs an 'identifier'", i);
		if (!rc)
			rc = srv_json_ident(r, json_object_get(c, "identifier"), &jobs[i].id);
		for (size_t k = 0; !rc && k < i; k++)
			if (strcmp(jobs[k].id.ns, jobs[i].id.ns) == 0 && strcmp(jobs[k].id.name, jobs[i].id.name) == 0)
				rc = srv_error(r, 400, "BadRequestException", "table %s.%s appears twice in the transaction",
					       jobs[i].id.ns, jobs[i].id.name);
		if (!rc)
			rc = job_init(r, &jobs[i], c);
	}
	for (int attempt = 0; !rc; attempt++) {
		for (size_t i = 0; !rc && i < n; i++)
			rc = prepare(r, &jobs[i]);
		if (!rc) {
			for (size_t i = 0; i < n; i++)
				items[i] = (ldp_catalog_swap_item){jobs[i].id.ns, jobs[i].id.name,
								    jobs[i].create ? NULL : jobs[i].base_loc, jobs[i].new_loc};
			rc = ldp_catalog_swap_many(r->wh->catalog, items, n);
		}
		if (rc == 0) {
			srv_no_content(r);
			break;
		}
		for (size_t i = 0; i < n; i++)
			job_reset(&jobs[i], 1);
		if (rc == -1)
			break;
		if ((rc == LDP_ECONFLICT || rc == LDP_EEXISTS) && attempt + 1 < MAX_ATTEMPTS) {
			ldp_error_clear();
			ldp_backoff_sleep(attempt, 2, 200);
			rc = 0;
			continue;
		}
		rc = srv_fail(r, rc == LDP_EEXISTS ? LDP_ECONFLICT : rc, "NoSuchTableException");
	}
	for (size_t i = 0; i < n; i++)
		job_reset(&jobs[i], 0);
	free(jobs);
	free(items);
	json_decref(body);
	return rc;
}
