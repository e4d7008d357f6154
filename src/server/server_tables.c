/* REST endpoints for tables: list, create (and stage-create), load, exists,
 * drop (with purge), register and rename. Commits are in server_commit.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "format/metadata.h"
#include "format/metadata_update.h"
#include "format/partition.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/json.h"
#include "server/server_internal.h"
#include "table/ice.h"
#include "table/table.h"

/* ---- parsing pieces ---- */

static json_t *with_default(const json_t *j, const char *key, json_int_t def)
{
	json_t *c = json_deep_copy(j);
	if (c && !json_object_get(c, key))
		json_object_set_new(c, key, json_integer(def));
	return c;
}

static int parse_fail(srv_req *r, int rc, const char *what)
{
	if (rc == LDP_ECORRUPT || rc == LDP_EINVALID || rc == LDP_EUNSUPPORTED) {
		ldp_error_wrap(LDP_EINVALID, "invalid %s", what);
		return srv_fail(r, LDP_EINVALID, NULL);
	}
	return srv_fail(r, rc, NULL);
}

static int no_unknown(const ldp_field *f, const char *path, void *ctx)
{
	(void)ctx;
	if (f->type->id == LDP_T_UNKNOWN_V3)
		return ldp_error_set(LDP_EINVALID, "field %s has type '%s', which this server does not know", path,
				     f->type->unknown_name ? f->type->unknown_name : "?");
	return 0;
}

int srv_parse_schema(srv_req *r, ldp_arena *a, const json_t *j, const char *what, ldp_schema **out)
{
	if (!json_is_object(j))
		return srv_error(r, 400, "BadRequestException", "'%s' must be an object", what);
	json_t *c = with_default(j, "schema-id", 0);
	if (c && !json_object_get(c, "type"))
		json_object_set_new(c, "type", json_string("struct"));
	int rc = ldp_schema_parse(a, c, what, out);
	json_decref(c);
	/* metadata files may carry types ldp reads through, but a new schema
	 * must be one every engine can write */
	if (!rc)
		rc = ldp_schema_visit(*out, no_unknown, NULL);
	return rc ? parse_fail(r, rc, what) : 0;
}

int srv_parse_spec(srv_req *r, ldp_arena *a, const json_t *j, const char *what, ldp_partition_spec **out)
{
	if (!json_is_object(j))
		return srv_error(r, 400, "BadRequestException", "'%s' must be an object", what);
	json_t *c = with_default(j, "spec-id", 0);
	int rc = ldp_partition_spec_parse(a, c, what, out);
	json_decref(c);
	return rc ? parse_fail(r, rc, what) : 0;
}

int srv_parse_order(srv_req *r, ldp_arena *a, const json_t *j, const char *what, ldp_sort_order **out)
{
	if (!json_is_object(j))
		return srv_error(r, 400, "BadRequestException", "'%s' must be an object", what);
	json_t *c = with_default(j, "order-id", json_array_size(json_object_get(j, "fields")) ? 1 : 0);
	int rc = ldp_sort_order_parse(a, c, what, out);
	json_decref(c);
	return rc ? parse_fail(r, rc, what) : 0;
}

int srv_new_metadata(srv_req *r, const char *location, const ldp_schema *schema, const ldp_partition_spec *spec,
		     const ldp_sort_order *order, const json_t *props, ldp_metadata **out)
{
	*out = NULL;
	size_t n = json_is_object(props) ? json_object_size(props) : 0, k = 0;
	ldp_kv *kv = calloc(n + 1, sizeof *kv);
	int version = 2, rc = 0;
	const char *key;
	json_t *v;
	if (props && !json_is_object(props) && !json_is_null(props))
		rc = srv_error(r, 400, "BadRequestException", "'properties' must be an object of strings");
	if (!rc && n)
		json_object_foreach((json_t *)props, key, v) {
			if (!json_is_string(v)) {
				rc = srv_error(r, 400, "BadRequestException", "property '%s' must be a string", key);
				break;
			}
			/* a reserved property (Java's TableProperties.FORMAT_VERSION), not stored */
			if (strcmp(key, "format-version") == 0) {
				version = atoi(json_string_value(v));
				continue;
			}
			kv[k].key = key;
			kv[k++].value = json_string_value(v);
		}
	ldp_metadata *m = NULL;
	if (!rc && (rc = ldp_metadata_new(location, schema, spec, order, kv, k, &m)))
		rc = parse_fail(r, rc, "table definition");
	if (!rc && version > 2) {
		ldp_metadata *up = NULL;
		if ((rc = ldp_metadata_upgrade_format_version(m, version, &up)))
			rc = srv_fail(r, rc, NULL);
		ldp_metadata_free(m);
		m = up;
	}
	free(kv);
	if (rc) {
		ldp_metadata_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

/* ---- load results ---- */

static int read_metadata_text(const char *location, char **text, size_t *len)
{
	uint8_t *buf = NULL;
	int rc = ldp_io_read_all(location, &buf, len);
	if (rc)
		return rc;
	if (*len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) { /* gzip-compressed metadata */
		free(buf);
		ldp_metadata *m = NULL;
		rc = ice_metadata_read(location, &m);
		ldp_buf b = LDP_BUF_INIT;
		if (!rc)
			rc = ldp_metadata_write_compact(m, &b);
		ldp_metadata_free(m);
		if (rc) {
			ldp_buf_free(&b);
			return rc;
		}
		*len = b.len;
		*text = ldp_buf_detach(&b);
		return *text ? 0 : ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	*text = (char *)buf;
	return 0;
}

int srv_load_result(srv_req *r, const char *location, ldp_buf *out)
{
	ldp_server *s = r->srv;
	char *text = NULL;
	size_t len = 0;
	struct stat sb;
	if (stat(ldp_io_local_path(location), &sb) != 0)
		return ldp_error_set(LDP_ENOTFOUND, "metadata file %s is missing (the catalog points at it)", location);
	long long mtime = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	pthread_mutex_lock(&s->cache_mu);
	for (size_t i = 0; i < SRV_CACHE; i++)
		if (s->cache[i].location && strcmp(s->cache[i].location, location) == 0 &&
		    s->cache[i].size == (long long)sb.st_size && s->cache[i].mtime_ns == mtime) {
			text = malloc(s->cache[i].len + 1);
			if (text) {
				memcpy(text, s->cache[i].text, s->cache[i].len);
				len = s->cache[i].len;
			}
			break;
		}
	pthread_mutex_unlock(&s->cache_mu);
	if (!text) {
		int rc = read_metadata_text(location, &text, &len);
		if (rc)
			return rc;
		/* it goes into the answer verbatim: it must at least be JSON */
		json_error_t je;
		json_t *check = json_loadb(text, len, 0, &je);
		if (!json_is_object(check)) {
			json_decref(check);
			free(text);
			return ldp_error_set(LDP_ECORRUPT, "metadata file %s is not a JSON object (line %d: %s)", location,
					     je.line, je.text);
		}
		json_decref(check);
		char *loc = strdup(location), *copy = malloc(len + 1);
		if (loc && copy) {
			memcpy(copy, text, len);
			pthread_mutex_lock(&s->cache_mu);
			size_t k = s->cache_next;
			free(s->cache[k].location);
			free(s->cache[k].text);
			s->cache[k].location = loc;
			s->cache[k].text = copy;
			s->cache[k].len = len;
			s->cache[k].size = (long long)sb.st_size;
			s->cache[k].mtime_ns = mtime;
			s->cache_next = (k + 1) % SRV_CACHE;
			pthread_mutex_unlock(&s->cache_mu);
		} else {
			free(loc);
			free(copy);
		}
	}
	ldp_buf_puts(out, "{\"metadata-location\":");
	ldp_json_append_string(out, location, strlen(location));
	ldp_buf_puts(out, ",\"metadata\":");
	ldp_buf_put(out, text, len);
	ldp_buf_puts(out, ",\"config\":{}}");
	free(text);
	return ldp_buf_oom(out) ? ldp_error_set(LDP_ENOMEM, "out of memory") : 0;
}

static int respond_load(srv_req *r, const char *location)
{
	ldp_buf_clear(&r->out);
	int rc = srv_load_result(r, location, &r->out);
	if (rc)
		return srv_fail(r, rc, NULL);
	r->status = 200;
	return 0;
}

/* ---- identifiers ---- */

static int ident_from(srv_req *r, const char *ns, const char *name, ldp_ident *id)
{
	if (srv_check_name(r, "table", name, 0))
		return -1;
	if (strlen(ns) >= sizeof id->ns || strlen(name) >= sizeof id->name)
		return srv_error(r, 400, "BadRequestException", "identifier too long");
	snprintf(id->ns, sizeof id->ns, "%s", ns);
	snprintf(id->name, sizeof id->name, "%s", name);
	return 0;
}

static int ident_from_json(srv_req *r, const json_t *j, ldp_ident *id)
{
	ldp_buf ns = LDP_BUF_INIT;
	const char *name = json_string_value(json_object_get(j, "name"));
	int rc = json_is_object(j) ? 0 : srv_error(r, 400, "BadRequestException", "a table identifier must be an object");
	if (!rc)
		rc = srv_ns_from_json(r, json_object_get(j, "namespace"), &ns);
	if (!rc && !name)
		rc = srv_error(r, 400, "BadRequestException", "a table identifier needs a string 'name'");
	if (!rc)
		rc = ident_from(r, ldp_buf_cstr(&ns), name, id);
	ldp_buf_free(&ns);
	return rc;
}

static int path_ident(srv_req *r, ldp_ident *id)
{
	ldp_buf ns = LDP_BUF_INIT;
	int rc = srv_ns_from_segment(r, r->seg[1], &ns);
	if (!rc)
		rc = ident_from(r, ldp_buf_cstr(&ns), r->seg[3], id);
	ldp_buf_free(&ns);
	return rc;
}

int srv_path_ident(srv_req *r, ldp_ident *id) { return path_ident(r, id); }
int srv_json_ident(srv_req *r, const json_t *j, ldp_ident *id) { return ident_from_json(r, j, id); }

static int require_namespace(srv_req *r, const char *ns)
{
	int exists = 0;
	int rc = ldp_catalog_namespace_exists(r->wh->catalog, ns, &exists);
	if (rc)
		return srv_fail(r, rc, NULL);
	if (!exists)
		return srv_error(r, 404, "NoSuchNamespaceException", "namespace %s does not exist", ns);
	return 0;
}

/* ---- endpoints ---- */

static json_t *table_item(const char *name, const void *ctx)
{
	return json_pack("{s:o,s:s}", "namespace", srv_ns_to_json(ctx), "name", name);
}

static int list_tables(srv_req *r, const char *ns)
{
	char *token = NULL;
	long size = 0;
	int rc = srv_page_args(r, &token, &size);
	ldp_catalog_names names = {0};
	if (!rc && (rc = ldp_catalog_list_tables(r->wh->catalog, ns, &names)))
		rc = srv_fail(r, rc, "NoSuchNamespaceException");
	if (!rc)
		srv_page(r, &names, token, size, "identifiers", table_item, ns);
	ldp_catalog_names_free(&names);
	free(token);
	return rc;
}

static int create_table(srv_req *r, const char *ns)
{
	json_t *body = NULL;
	if (srv_body_object(r, &body))
		return -1;
	ldp_ident id;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_schema *schema = NULL;
	ldp_partition_spec *spec = NULL;
	ldp_sort_order *order = NULL;
	ldp_metadata *m = NULL;
	ldp_buf loc = LDP_BUF_INIT;
	char *path = NULL;
	const char *name = json_string_value(json_object_get(body, "name"));
	json_t *jloc = json_object_get(body, "location"), *jspec = json_object_get(body, "partition-spec"),
	       *jorder = json_object_get(body, "write-order"), *jstage = json_object_get(body, "stage-create");
	int rc = name ? ident_from(r, ns, name, &id)
		      : srv_error(r, 400, "BadRequestException", "createTable needs a string 'name'");
	if (!rc && jstage && !json_is_boolean(jstage))
		rc = srv_error(r, 400, "BadRequestException", "'stage-create' must be a boolean");
	if (!rc && jloc && !json_is_null(jloc) && !json_is_string(jloc))
		rc = srv_error(r, 400, "BadRequestException", "'location' must be a string");
	if (!rc)
		rc = require_namespace(r, ns);
	int exists = 0;
	if (!rc && (rc = ldp_catalog_table_exists(r->wh->catalog, ns, id.name, &exists)))
		rc = srv_fail(r, rc, NULL);
	if (!rc && exists)
		rc = srv_error(r, 409, "AlreadyExistsException", "table %s.%s already exists", ns, id.name);
	if (!rc && json_is_string(jloc)) {
		if (!srv_location_allowed(r, json_string_value(jloc)))
			rc = srv_error(r, 400, "BadRequestException",
				       "location %s is outside the warehouse %s", json_string_value(jloc), r->srv->root);
		else
			ldp_buf_puts(&loc, ldp_io_local_path(json_string_value(jloc)));
	} else if (!rc && (rc = ldp_warehouse_table_location(r->wh, &id, &loc))) {
		rc = srv_fail(r, rc, NULL);
	}
	if (!rc)
		rc = srv_parse_schema(r, &a, json_object_get(body, "schema"), "schema", &schema);
	if (!rc && jspec && !json_is_null(jspec))
		rc = srv_parse_spec(r, &a, jspec, "partition-spec", &spec);
	if (!rc && jorder && !json_is_null(jorder))
		rc = srv_parse_order(r, &a, jorder, "write-order", &order);
	if (!rc)
		rc = srv_new_metadata(r, ldp_buf_cstr(&loc), schema, spec, order, json_object_get(body, "properties"), &m);
	if (!rc && json_is_true(jstage)) {
		/* nothing is written until the commit with assert-create */
		json_t *mj = ldp_metadata_to_json(m);
		srv_json(r, 200, json_pack("{s:o,s:{}}", "metadata", mj, "config"));
	} else if (!rc) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/metadata", m->location);
		rc = ice_metadata_write(m, dir, 0, &path);
		if (!rc && (rc = ldp_catalog_create_table(r->wh->catalog, ns, id.name, path)))
			ldp_io_remove(path);
		if (rc)
			rc = srv_fail(r, rc, "NoSuchNamespaceException");
		else
			rc = respond_load(r, path);
	}
	free(path);
	ldp_metadata_free(m);
	ldp_buf_free(&loc);
	ldp_arena_free(&a);
	json_decref(body);
	return rc;
}

int srv_tables(srv_req *r)
{
	ldp_buf ns = LDP_BUF_INIT;
	int rc = srv_ns_from_segment(r, r->seg[1], &ns);
	if (!rc && strcmp(r->method, "GET") == 0)
		rc = list_tables(r, ldp_buf_cstr(&ns));
	else if (!rc && strcmp(r->method, "POST") == 0)
		rc = create_table(r, ldp_buf_cstr(&ns));
	else if (!rc)
		rc = srv_error(r, 405, "MethodNotAllowed", "use GET or POST on .../tables");
	ldp_buf_free(&ns);
	return rc;
}

int srv_table(srv_req *r)
{
	ldp_ident id;
	if (path_ident(r, &id))
		return -1;
	int rc = 0;
	if (strcmp(r->method, "GET") == 0) {
		char *loc = NULL;
		rc = ldp_catalog_load_table(r->wh->catalog, id.ns, id.name, &loc, NULL);
		if (!rc && !loc)
			rc = ldp_error_set(LDP_ENOTFOUND, "table %s.%s has no metadata", id.ns, id.name);
		rc = rc ? srv_fail(r, rc, "NoSuchTableException") : respond_load(r, loc);
		free(loc);
	} else if (strcmp(r->method, "HEAD") == 0) {
		int exists = 0;
		rc = ldp_catalog_table_exists(r->wh->catalog, id.ns, id.name, &exists);
		if (rc)
			rc = srv_fail(r, rc, NULL);
		else if (exists)
			srv_no_content(r);
		else
			rc = srv_error(r, 404, "NoSuchTableException", "table %s.%s does not exist", id.ns, id.name);
	} else if (strcmp(r->method, "DELETE") == 0) {
		char *p = srv_query(r, "purgeRequested");
		int purge = p && strcasecmp(p, "true") == 0; /* pyiceberg sends "True" */
		free(p);
		int exists = 0;
		rc = ldp_catalog_table_exists(r->wh->catalog, id.ns, id.name, &exists);
		if (!rc && !exists)
			rc = ldp_error_set(LDP_ENOTFOUND, "table %s.%s does not exist", id.ns, id.name);
		if (!rc)
			rc = ldp_table_drop(r->wh, &id, purge);
		rc = rc ? srv_fail(r, rc, "NoSuchTableException") : srv_no_content(r);
	} else {
		rc = srv_error(r, 405, "MethodNotAllowed", "use GET, HEAD, POST or DELETE on a table");
	}
	return rc;
}

int srv_register(srv_req *r)
{
	json_t *body = NULL;
	ldp_buf ns = LDP_BUF_INIT;
	if (srv_ns_from_segment(r, r->seg[1], &ns) || srv_body_object(r, &body)) {
		ldp_buf_free(&ns);
		return -1;
	}
	ldp_ident id;
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *loc = json_string_value(json_object_get(body, "metadata-location"));
	json_t *jover = json_object_get(body, "overwrite");
	int rc = name && loc ? ident_from(r, ldp_buf_cstr(&ns), name, &id)
			     : srv_error(r, 400, "BadRequestException", "register needs 'name' and 'metadata-location'");
	if (!rc && jover && !json_is_boolean(jover))
		rc = srv_error(r, 400, "BadRequestException", "'overwrite' must be a boolean");
	if (!rc && !srv_location_allowed(r, loc))
		rc = srv_error(r, 400, "BadRequestException", "metadata-location %s is outside the warehouse %s", loc,
			       r->srv->root);
	if (!rc)
		rc = require_namespace(r, id.ns);
	int exists = 0;
	if (!rc && (rc = ldp_catalog_table_exists(r->wh->catalog, id.ns, id.name, &exists)))
		rc = srv_fail(r, rc, NULL);
	const char *local = loc ? ldp_io_local_path(loc) : NULL;
	if (!rc && exists && json_is_true(jover)) {
		ldp_metadata *m = NULL;
		char *cur = NULL;
		int e = ice_metadata_read(local, &m);
		if (!e)
			e = ldp_catalog_load_table(r->wh->catalog, id.ns, id.name, &cur, NULL);
		if (!e)
			e = ldp_catalog_swap(r->wh->catalog, id.ns, id.name, cur, local);
		ldp_metadata_free(m);
		free(cur);
		if (e)
			rc = srv_fail(r, e, "NoSuchTableException");
	} else if (!rc && exists) {
		rc = srv_error(r, 409, "AlreadyExistsException", "table %s.%s already exists", id.ns, id.name);
	} else if (!rc && (rc = ldp_table_register(r->wh, &id, local))) {
		rc = srv_fail(r, rc, "NoSuchNamespaceException");
	}
	if (!rc)
		rc = respond_load(r, local);
	json_decref(body);
	ldp_buf_free(&ns);
	return rc;
}

int srv_rename(srv_req *r)
{
	json_t *body = NULL;
	if (srv_body_object(r, &body))
		return -1;
	ldp_ident from, to;
	int rc = ident_from_json(r, json_object_get(body, "source"), &from);
	if (!rc)
		rc = ident_from_json(r, json_object_get(body, "destination"), &to);
	int exists = 0;
	if (!rc && (rc = ldp_catalog_table_exists(r->wh->catalog, from.ns, from.name, &exists)))
		rc = srv_fail(r, rc, NULL);
	if (!rc && !exists)
		rc = srv_error(r, 404, "NoSuchTableException", "table %s.%s does not exist", from.ns, from.name);
	if (!rc)
		rc = require_namespace(r, to.ns);
	if (!rc && (rc = ldp_catalog_rename_table(r->wh->catalog, from.ns, from.name, to.ns, to.name)))
		rc = srv_fail(r, rc, "NoSuchTableException");
	if (!rc)
		srv_no_content(r);
	json_decref(body);
	return rc;
}
