/* REST endpoints for the catalog config and namespaces (spec paths
 * /v1/config, /v1/{prefix}/namespaces...). */
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "server/server_internal.h"

int srv_config(srv_req *r)
{
	/* No "endpoints" list: clients then assume the spec's default set. */
	return srv_json(r, 200, json_pack("{s:{},s:{}}", "defaults", "overrides"));
}

/* pageToken is the last name of the previous page (names are sorted);
 * pageSize bounds the page. */
int srv_page_args(srv_req *r, char **token, long *size)
{
	*token = srv_query(r, "pageToken");
	*size = 0;
	char *ps = srv_query(r, "pageSize");
	if (ps) {
		char *end;
		*size = strtol(ps, &end, 10);
		int bad = *end || end == ps || *size <= 0;
		free(ps);
		if (bad) {
			free(*token);
			*token = NULL;
			return srv_error(r, 400, "BadRequestException", "pageSize must be a positive integer");
		}
	}
	return 0;
}

int srv_page(srv_req *r, const ldp_catalog_names *names, const char *token, long size, const char *key,
	     json_t *(*item)(const char *name, const void *ctx), const void *ctx)
{
	json_t *arr = json_array();
	const char *last = NULL;
	int more = 0;
	for (size_t i = 0; i < names->len; i++) {
		if (token && strcmp(names->items[i], token) <= 0)
			continue;
		if (size > 0 && json_array_size(arr) == (size_t)size) {
			more = 1;
			break;
		}
		json_array_append_new(arr, item(names->items[i], ctx));
		last = names->items[i];
	}
	json_t *o = json_pack("{s:o}", key, arr);
	if (more && last)
		json_object_set_new(o, "next-page-token", json_string(last));
	return srv_json(r, 200, o);
}

static json_t *ns_item(const char *name, const void *ctx)
{
	(void)ctx;
	return srv_ns_to_json(name);
}

static int list_namespaces(srv_req *r)
{
	ldp_buf parent = LDP_BUF_INIT;
	char *p = srv_query(r, "parent");
	int rc = p ? srv_ns_from_segment(r, p, &parent) : 0;
	free(p);
	char *token = NULL;
	long size = 0;
	if (!rc)
		rc = srv_page_args(r, &token, &size);
	ldp_catalog_names names = {0};
	if (!rc && parent.len) {
		int exists = 0;
		rc = ldp_catalog_namespace_exists(r->wh->catalog, ldp_buf_cstr(&parent), &exists);
		if (!rc && !exists)
			rc = ldp_error_set(LDP_ENOTFOUND, "namespace %s does not exist", ldp_buf_cstr(&parent));
		if (rc)
			rc = srv_fail(r, rc, "NoSuchNamespaceException");
	}
	if (!rc && (rc = ldp_catalog_list_namespaces(r->wh->catalog, parent.len ? ldp_buf_cstr(&parent) : NULL, &names)))
		rc = srv_fail(r, rc, "NoSuchNamespaceException");
	if (!rc)
		srv_page(r, &names, token, size, "namespaces", ns_item, NULL);
	ldp_catalog_names_free(&names);
	ldp_buf_free(&parent);
	free(token);
	return rc;
}

static int create_namespace(srv_req *r)
{
	json_t *body = NULL;
	if (srv_body_object(r, &body))
		return -1;
	ldp_buf ns = LDP_BUF_INIT;
	int rc = srv_ns_from_json(r, json_object_get(body, "namespace"), &ns);
	json_t *props = json_object_get(body, "properties");
	if (!rc && props && !json_is_object(props) && !json_is_null(props))
		rc = srv_error(r, 400, "BadRequestException", "'properties' must be an object of strings");
	size_t n = json_is_object(props) ? json_object_size(props) : 0;
	ldp_catalog_kv *kv = calloc(n ? n : 1, sizeof *kv);
	size_t k = 0;
	const char *key;
	json_t *v;
	if (!rc && n)
		json_object_foreach(props, key, v) {
			if (!json_is_string(v)) {
				rc = srv_error(r, 400, "BadRequestException", "property '%s' must be a string", key);
				break;
			}
			kv[k].key = key;
			kv[k++].value = json_string_value(v);
		}
	if (!rc && (rc = ldp_catalog_create_namespace(r->wh->catalog, ldp_buf_cstr(&ns), kv, k))) {
		/* a missing parent is a 404 for pyiceberg and Java alike */
		rc = srv_fail(r, rc, "NoSuchNamespaceException");
	}
	if (!rc)
		srv_json(r, 200, json_pack("{s:o,s:o}", "namespace", srv_ns_to_json(ldp_buf_cstr(&ns)), "properties",
					   json_is_object(props) ? json_incref(props) : json_object()));
	free(kv);
	ldp_buf_free(&ns);
	json_decref(body);
	return rc;
}

int srv_namespaces(srv_req *r)
{
	if (strcmp(r->method, "GET") == 0)
		return list_namespaces(r);
	if (strcmp(r->method, "POST") == 0)
		return create_namespace(r);
	return srv_error(r, 405, "MethodNotAllowed", "use GET or POST on /namespaces");
}

static int props_json(ldp_catalog_props *pr, json_t **out)
{
	json_t *o = json_object();
	for (size_t i = 0; i < pr->len; i++)
		json_object_set_new(o, pr->keys[i], json_string(pr->values[i]));
	*out = o;
	return 0;
}

int srv_namespace(srv_req *r)
{
	ldp_buf ns = LDP_BUF_INIT;
	if (srv_ns_from_segment(r, r->seg[1], &ns)) {
		ldp_buf_free(&ns);
		return -1;
	}
	const char *name = ldp_buf_cstr(&ns);
	int rc = 0, exists = 0;
	if (strcmp(r->method, "GET") == 0) {
		ldp_catalog_props pr = {0};
		rc = ldp_catalog_namespace_exists(r->wh->catalog, name, &exists);
		if (!rc && !exists)
			rc = ldp_error_set(LDP_ENOTFOUND, "namespace %s does not exist", name);
		if (!rc)
			rc = ldp_catalog_load_namespace(r->wh->catalog, name, &pr);
		if (rc) {
			rc = srv_fail(r, rc, "NoSuchNamespaceException");
		} else {
			json_t *props;
			props_json(&pr, &props);
			srv_json(r, 200, json_pack("{s:o,s:o}", "namespace", srv_ns_to_json(name), "properties", props));
		}
		ldp_catalog_props_free(&pr);
	} else if (strcmp(r->method, "HEAD") == 0) {
		rc = ldp_catalog_namespace_exists(r->wh->catalog, name, &exists);
		if (rc)
			rc = srv_fail(r, rc, NULL);
		else if (exists)
			srv_no_content(r);
		else
			rc = srv_error(r, 404, "NoSuchNamespaceException", "namespace %s does not exist", name);
	} else if (strcmp(r->method, "DELETE") == 0) {
		rc = ldp_catalog_drop_namespace(r->wh->catalog, name);
		if (rc == LDP_EINVALID) { /* not empty: the spec's 409 */
			srv_error(r, 409, "NamespaceNotEmptyException", "%s", ldp_error_last()->message);
			ldp_error_clear();
		} else if (rc) {
			rc = srv_fail(r, rc, "NoSuchNamespaceException");
		} else {
			srv_no_content(r);
		}
	} else {
		rc = srv_error(r, 405, "MethodNotAllowed", "use GET, HEAD or DELETE on a namespace");
	}
	ldp_buf_free(&ns);
	return rc;
}

int srv_namespace_props(srv_req *r)
{
	ldp_buf ns = LDP_BUF_INIT;
	json_t *body = NULL;
	if (srv_ns_from_segment(r, r->seg[1], &ns) || srv_body_object(r, &body)) {
		ldp_buf_free(&ns);
		return -1;
	}
	const char *name = ldp_buf_cstr(&ns);
	json_t *rem = json_object_get(body, "removals"), *upd = json_object_get(body, "updates");
	int rc = 0;
	if ((rem && !json_is_array(rem) && !json_is_null(rem)) || (upd && !json_is_object(upd) && !json_is_null(upd)))
		rc = srv_error(r, 400, "BadRequestException", "'removals' must be an array and 'updates' an object");
	size_t nrem = json_array_size(rem), nupd = json_is_object(upd) ? json_object_size(upd) : 0;
	const char **keys = calloc(nrem + 1, sizeof *keys);
	ldp_catalog_kv *kv = calloc(nupd + 1, sizeof *kv);
	size_t k = 0;
	for (size_t i = 0; !rc && i < nrem; i++) {
		keys[i] = json_string_value(json_array_get(rem, i));
		if (!keys[i])
			rc = srv_error(r, 400, "BadRequestException", "'removals' must hold strings");
		else if (json_object_get(upd, keys[i]))
			rc = srv_error(r, 422, "UnprocessableEntityException", "property '%s' is both updated and removed",
				       keys[i]);
	}
	const char *key;
	json_t *v;
	if (!rc && nupd)
		json_object_foreach(upd, key, v) {
			if (!json_is_string(v)) {
				rc = srv_error(r, 400, "BadRequestException", "property '%s' must be a string", key);
				break;
			}
			kv[k].key = key;
			kv[k++].value = json_string_value(v);
		}
	ldp_catalog_props before = {0};
	int exists = 0;
	if (!rc) {
		rc = ldp_catalog_namespace_exists(r->wh->catalog, name, &exists);
		if (!rc && !exists)
			rc = ldp_error_set(LDP_ENOTFOUND, "namespace %s does not exist", name);
		if (!rc)
			rc = ldp_catalog_load_namespace(r->wh->catalog, name, &before);
		if (!rc)
			rc = ldp_catalog_update_namespace(r->wh->catalog, name, kv, k, keys, nrem);
		if (rc)
			rc = srv_fail(r, rc, "NoSuchNamespaceException");
	}
	if (!rc) {
		json_t *updated = json_array(), *removed = json_array(), *missing = json_array();
		for (size_t i = 0; i < k; i++)
			json_array_append_new(updated, json_string(kv[i].key));
		for (size_t i = 0; i < nrem; i++) {
			int had = 0;
			for (size_t j = 0; j < before.len && !had; j++)
				had = strcmp(before.keys[j], keys[i]) == 0;
			json_array_append_new(had ? removed : missing, json_string(keys[i]));
		}
		srv_json(r, 200, json_pack("{s:o,s:o,s:o}", "updated", updated, "removed", removed, "missing", missing));
	}
	ldp_catalog_props_free(&before);
	free(keys);
	free(kv);
	json_decref(body);
	ldp_buf_free(&ns);
	return rc;
}
