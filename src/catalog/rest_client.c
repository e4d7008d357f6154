/* The catalog over an Iceberg REST server; see catalog/rest_client.h. */
#include "catalog/rest_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/metadata.h"
#include "ldp/error.h"
#include "ldp/log.h"

struct ldp_rest {
	CURL *curl;
	char *uri;        /* without trailing '/' */
	char *prefix;     /* from ldp.yml or the server's config overrides; NULL: none */
	char *warehouse;  /* sent to GET /v1/config */
	char *credential; /* "client_id:client_secret" (never logged) */
	char *token;      /* bearer token (given, or from /v1/oauth/tokens) */
	/* the last loadTable answer: its location and metadata object */
	char *last_location;
	json_t *last_metadata;
};

int rest_loaded_metadata(ldp_rest *rc, const char *location, ldp_metadata **out)
{
	*out = NULL;
	if (!rc->last_location || strcmp(rc->last_location, location) != 0)
		return 0;
	return ldp_metadata_parse(rc->last_metadata, location, out);
}

const char *rest_uri(const ldp_rest *rc) { return rc->uri; }

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	ldp_buf_put(ctx, data, size * n);
	return size * n;
}

void rest_escape(ldp_rest *rc, const char *s, ldp_buf *out)
{
	char *e = curl_easy_escape(rc->curl, s, (int)strlen(s));
	ldp_buf_puts(out, e ? e : "");
	curl_free(e);
}

void rest_ns_path(ldp_rest *rc, const char *ns, ldp_buf *out)
{
	/* levels joined by the unit separator 0x1F (spec: "namespace" path parameter) */
	char *copy = strdup(ns);
	if (!copy) {
		ldp_buf_puts(out, "");
		return;
	}
	int first = 1;
	for (char *save = NULL, *lvl = strtok_r(copy, ".", &save); lvl; lvl = strtok_r(NULL, ".", &save)) {
		if (!first)
			ldp_buf_puts(out, "%1F");
		rest_escape(rc, lvl, out);
		first = 0;
	}
	free(copy);
}

static char *join_ns(const json_t *arr)
{
	ldp_buf b = LDP_BUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (i)
			ldp_buf_putc(&b, '.');
		ldp_buf_puts(&b, json_string_value(v) ? json_string_value(v) : "");
	}
	return ldp_buf_detach(&b);
}

/* One HTTP exchange; *status 0 and LDP_EIO when the server cannot be reached. */
static int exchange(ldp_rest *rc, const char *method, const char *url, const char *body, const char *ctype,
		    int with_auth, long *status, ldp_buf *out)
{
	CURL *c = rc->curl;
	curl_easy_reset(c);
	struct curl_slist *h = NULL;
	char auth[4200];
	if (with_auth && rc->token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", rc->token);
		h = curl_slist_append(h, auth);
	}
	if (ctype) {
		char ct[128];
		snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
		h = curl_slist_append(h, ct);
	}
	h = curl_slist_append(h, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	CURLcode cc = curl_easy_perform(c);
	curl_slist_free_all(h);
	*status = 0;
	if (cc != CURLE_OK)
		return ldp_error_set(LDP_EIO, "cannot reach the REST catalog at %s: %s (is the server running?)", rc->uri,
				     curl_easy_strerror(cc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* OAuth2 client credentials (RFC 6749 4.4) at <uri>/v1/oauth/tokens. */
static int fetch_token(ldp_rest *rc)
{
	const char *colon = strchr(rc->credential, ':');
	ldp_buf form = LDP_BUF_INIT, url = LDP_BUF_INIT, out = LDP_BUF_INIT;
	char *id = colon ? strndup(rc->credential, (size_t)(colon - rc->credential)) : NULL;
	ldp_buf_puts(&form, "grant_type=client_credentials&client_id=");
	rest_escape(rc, id ? id : "", &form);
	ldp_buf_puts(&form, "&client_secret=");
	rest_escape(rc, colon ? colon + 1 : rc->credential, &form);
	ldp_buf_puts(&form, "&scope=catalog");
	ldp_buf_printf(&url, "%s/v1/oauth/tokens", rc->uri);
	long status = 0;
	int err = exchange(rc, "POST", ldp_buf_cstr(&url), ldp_buf_cstr(&form), "application/x-www-form-urlencoded", 0,
			   &status, &out);
	json_t *j = NULL;
	if (!err && status != 200)
		err = ldp_error_set(LDP_EINVALID,
				    "REST catalog %s refused the credential (HTTP %ld): check catalog.credential in ldp.yml "
				    "or LDP_REST_CREDENTIAL",
				    rc->uri, status);
	if (!err) {
		j = json_loadb(out.ptr ? out.ptr : "", out.len, 0, NULL);
		const char *tok = json_string_value(json_object_get(j, "access_token"));
		if (!tok)
			err = ldp_error_set(LDP_EIO, "REST catalog %s: the token response has no access_token", rc->uri);
		else {
			free(rc->token);
			rc->token = strdup(tok);
		}
	}
	json_decref(j);
	free(id);
	ldp_buf_free(&form);
	ldp_buf_free(&url);
	ldp_buf_free(&out);
	return err;
}

static int status_error(ldp_rest *rc, const char *method, const char *path, long status, const ldp_buf *out)
{
	json_t *j = json_loadb(out->ptr ? out->ptr : "", out->len, 0, NULL);
	json_t *e = json_object_get(j, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));
	const char *type = json_string_value(json_object_get(e, "type"));
	type = type ? type : "";
	int code = LDP_EIO;
	if (status == 400 || status == 422)
		code = LDP_EINVALID;
	else if (status == 401 || status == 403)
		code = LDP_EINVALID;
	else if (status == 404)
		code = LDP_ENOTFOUND;
	else if (status == 406)
		code = LDP_EUNSUPPORTED;
	else if (status == 409)
		code = strcmp(type, "AlreadyExistsException") == 0 ? LDP_EEXISTS
		       : strcmp(type, "NamespaceNotEmptyException") == 0 ? LDP_EINVALID
									   : LDP_ECONFLICT;
	int rc_ = ldp_error_set(code, "%s%s (REST catalog %s: %s /v1/%s -> %ld %s)", msg ? msg : "request failed",
				status == 401 || status == 403 ? "; check catalog.credential or catalog.token in ldp.yml" : "",
				rc->uri, method, path, status, type);
	json_decref(j);
	return rc_;
}

int rest_call(ldp_rest *rc, const char *method, const char *path, const json_t *body, const long *ok_statuses,
	      long *status, json_t **resp)
{
	if (resp)
		*resp = NULL;
	if (rc->credential && !rc->token) {
		int e = fetch_token(rc);
		if (e)
			return e;
	}
	ldp_buf url = LDP_BUF_INIT, out = LDP_BUF_INIT;
	ldp_buf_printf(&url, "%s/v1/%s%s%s", rc->uri, rc->prefix ? rc->prefix : "", rc->prefix ? "/" : "", path);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int err = exchange(rc, method, ldp_buf_cstr(&url), text, text ? "application/json" : NULL, 1, status, &out);
	if (!err && *status == 401 && rc->credential) { /* the token expired: get a new one, once */
		ldp_buf_clear(&out);
		err = fetch_token(rc);
		if (!err)
			err = exchange(rc, method, ldp_buf_cstr(&url), text, text ? "application/json" : NULL, 1, status,
				       &out);
	}
	int ok = *status >= 200 && *status < 300;
	for (const long *s = ok_statuses; s && *s && !ok; s++)
		ok = *status == *s;
	if (!err && !ok)
		err = status_error(rc, method, path, *status, &out);
	if (!err && resp && out.len && *status >= 200 && *status < 300) {
		json_error_t je;
		*resp = json_loadb(out.ptr, out.len, 0, &je);
		if (!*resp)
			err = ldp_error_set(LDP_EIO, "REST catalog %s: %s /v1/%s answered malformed JSON: %s", rc->uri, method,
					    path, je.text);
	}
	free(text);
	ldp_buf_free(&url);
	ldp_buf_free(&out);
	return err;
}

/* ---- open ---- */

static char *cfg_str(const json_t *config, const char *key, const char *env)
{
	const char *v = json_string_value(json_object_get(config, key));
	if (!v && env)
		v = getenv(env);
	return v && *v ? strdup(v) : NULL;
}

int rest_open(const char *uri, const json_t *config, ldp_rest **out)
{
	*out = NULL;
	if (!uri || (strncmp(uri, "http://", 7) != 0 && strncmp(uri, "https://", 8) != 0))
		return ldp_error_set(LDP_EINVALID, "a rest catalog needs catalog.uri http(s)://host:port (got '%s')",
				     uri ? uri : "");
	ldp_rest *rc = calloc(1, sizeof *rc);
	if (!rc)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	rc->curl = curl_easy_init();
	rc->uri = strdup(uri);
	size_t n = rc->uri ? strlen(rc->uri) : 0;
	while (n && rc->uri[n - 1] == '/')
		rc->uri[--n] = 0;
	/* a uri ending in /v1 is the API root itself */
	if (n >= 3 && strcmp(rc->uri + n - 3, "/v1") == 0)
		rc->uri[n - 3] = 0;
	rc->prefix = cfg_str(config, "prefix", NULL);
	rc->warehouse = cfg_str(config, "warehouse", NULL);
	rc->credential = cfg_str(config, "credential", "LDP_REST_CREDENTIAL");
	rc->token = cfg_str(config, "token", "LDP_REST_TOKEN");
	if (!rc->curl || !rc->uri) {
		rest_free(rc);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	/* GET /v1/config: the server's overrides (a prefix) win over ours */
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_puts(&path, "config");
	if (rc->warehouse) {
		ldp_buf_puts(&path, "?warehouse=");
		rest_escape(rc, rc->warehouse, &path);
	}
	char *prefix = rc->prefix;
	rc->prefix = NULL; /* /v1/config has no prefix */
	long status;
	json_t *cfg = NULL;
	int err = rest_call(rc, "GET", ldp_buf_cstr(&path), NULL, NULL, &status, &cfg);
	ldp_buf_free(&path);
	rc->prefix = prefix;
	const char *p = json_string_value(json_object_get(json_object_get(cfg, "overrides"), "prefix"));
	if (!err && p) {
		free(rc->prefix);
		rc->prefix = strdup(p);
	}
	json_decref(cfg);
	if (err) {
		ldp_error_wrap(err, "opening REST catalog %s", uri);
		rest_free(rc);
		return err;
	}
	*out = rc;
	return 0;
}

void rest_free(ldp_rest *rc)
{
	if (!rc)
		return;
	if (rc->curl)
		curl_easy_cleanup(rc->curl);
	free(rc->uri);
	free(rc->prefix);
	free(rc->warehouse);
	free(rc->credential);
	free(rc->token);
	free(rc->last_location);
	json_decref(rc->last_metadata);
	free(rc);
}

/* ---- namespaces ---- */

static const long OK_404[] = {404, 0};

int rest_create_namespace(ldp_rest *rc, const char *ns, const ldp_catalog_kv *props, size_t n)
{
	json_t *p = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(p, props[i].key, json_string(props[i].value));
	json_t *body = json_pack("{s:o,s:o}", "namespace", ldp_catalog_namespace_json(ns), "properties", p);
	long st;
	int err = rest_call(rc, "POST", "namespaces", body, NULL, &st, NULL);
	json_decref(body);
	return err;
}

int rest_namespace_exists(ldp_rest *rc, const char *ns, int *exists)
{
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_puts(&path, "namespaces/");
	rest_ns_path(rc, ns, &path);
	long st = 0;
	int err = rest_call(rc, "HEAD", ldp_buf_cstr(&path), NULL, OK_404, &st, NULL);
	*exists = !err && st != 404;
	ldp_buf_free(&path);
	return err;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int push(ldp_catalog_names *out, size_t *cap, char *s)
{
	if (!s)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	if (out->len == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char **items = realloc(out->items, nc * sizeof *items);
		if (!items) {
			free(s);
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		}
		out->items = items;
		*cap = nc;
	}
	out->items[out->len++] = s;
	return 0;
}

/* GET a paged list, following next-page-token. */
static int list_paged(ldp_rest *rc, const char *base, const char *key, int tables, ldp_catalog_names *out)
{
	memset(out, 0, sizeof *out);
	size_t cap = 0;
	char *token = NULL;
	int err = 0;
	do {
		ldp_buf path = LDP_BUF_INIT;
		ldp_buf_puts(&path, base);
		if (token) {
			ldp_buf_puts(&path, strchr(base, '?') ? "&pageToken=" : "?pageToken=");
			rest_escape(rc, token, &path);
		}
		free(token);
		token = NULL;
		long st;
		json_t *resp = NULL;
		err = rest_call(rc, "GET", ldp_buf_cstr(&path), NULL, NULL, &st, &resp);
		ldp_buf_free(&path);
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(resp, key), i, v) {
			if (err)
				break;
			err = push(out, &cap, tables ? strdup(json_string_value(json_object_get(v, "name")) ?: "")
						     : join_ns(v));
		}
		const char *next = json_string_value(json_object_get(resp, "next-page-token"));
		if (!err && next && *next)
			token = strdup(next);
		json_decref(resp);
	} while (!err && token);
	free(token);
	if (err) {
		ldp_catalog_names_free(out);
		return err;
	}
	if (out->len)
		qsort(out->items, out->len, sizeof *out->items, cmp_str);
	return 0;
}

int rest_list_namespaces(ldp_rest *rc, const char *parent, ldp_catalog_names *out)
{
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_puts(&path, "namespaces");
	if (parent && *parent) {
		ldp_buf_puts(&path, "?parent=");
		rest_ns_path(rc, parent, &path);
	}
	int err = list_paged(rc, ldp_buf_cstr(&path), "namespaces", 0, out);
	ldp_buf_free(&path);
	return err;
}

int rest_load_namespace(ldp_rest *rc, const char *ns, ldp_catalog_props *out)
{
	memset(out, 0, sizeof *out);
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_puts(&path, "namespaces/");
	rest_ns_path(rc, ns, &path);
	long st;
	json_t *resp = NULL;
	int err = rest_call(rc, "GET", ldp_buf_cstr(&path), NULL, NULL, &st, &resp);
	ldp_buf_free(&path);
	json_t *props = json_object_get(resp, "properties");
	size_t n = json_is_object(props) ? json_object_size(props) : 0;
	if (!err && n) {
		ldp_catalog_names keys = {0};
		size_t cap = 0;
		const char *k;
		json_t *v;
		json_object_foreach(props, k, v) {
			if (!err)
				err = push(&keys, &cap, strdup(k));
		}
		if (!err)
			qsort(keys.items, keys.len, sizeof *keys.items, cmp_str);
		out->keys = keys.items;
		out->values = calloc(n, sizeof *out->values);
		out->len = keys.len;
		if (!out->values)
			err = ldp_error_set(LDP_ENOMEM, "out of memory");
		for (size_t i = 0; !err && i < keys.len; i++)
			if (!(out->values[i] = strdup(json_string_value(json_object_get(props, keys.items[i])) ?: "")))
				err = ldp_error_set(LDP_ENOMEM, "out of memory");
		if (err)
			ldp_catalog_props_free(out);
	}
	json_decref(resp);
	return err;
}

int rest_update_namespace(ldp_rest *rc, const char *ns, const ldp_catalog_kv *set, size_t nset,
			  const char *const *remove, size_t nremove)
{
	json_t *upd = json_object(), *rem = json_array();
	for (size_t i = 0; i < nset; i++)
		json_object_set_new(upd, set[i].key, json_string(set[i].value));
	for (size_t i = 0; i < nremove; i++)
		json_array_append_new(rem, json_string(remove[i]));
	json_t *body = json_pack("{s:o,s:o}", "updates", upd, "removals", rem);
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_puts(&path, "namespaces/");
	rest_ns_path(rc, ns, &path);
	ldp_buf_puts(&path, "/properties");
	long st;
	int err = rest_call(rc, "POST", ldp_buf_cstr(&path), body, NULL, &st, NULL);
	ldp_buf_free(&path);
	json_decref(body);
	return err;
}

int rest_drop_namespace(ldp_rest *rc, const char *ns)
{
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_puts(&path, "namespaces/");
	rest_ns_path(rc, ns, &path);
	long st;
	int err = rest_call(rc, "DELETE", ldp_buf_cstr(&path), NULL, NULL, &st, NULL);
	ldp_buf_free(&path);
	return err;
}

/* ---- tables ---- */

static void table_path(ldp_rest *rc, const char *ns, const char *table, ldp_buf *path)
{
	ldp_buf_puts(path, "namespaces/");
	rest_ns_path(rc, ns, path);
	ldp_buf_puts(path, "/tables/");
	rest_escape(rc, table, path);
}

int rest_register_table(ldp_rest *rc, const char *ns, const char *table, const char *metadata_location)
{
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_puts(&path, "namespaces/");
	rest_ns_path(rc, ns, &path);
	ldp_buf_puts(&path, "/register");
	json_t *body = json_pack("{s:s,s:s}", "name", table, "metadata-location", metadata_location);
	long st;
	int err = rest_call(rc, "POST", ldp_buf_cstr(&path), body, NULL, &st, NULL);
	json_decref(body);
	ldp_buf_free(&path);
	return err;
}

int rest_load_table(ldp_rest *rc, const char *ns, const char *table, char **metadata_location, char **previous)
{
	*metadata_location = NULL;
	if (previous)
		*previous = NULL;
	ldp_buf path = LDP_BUF_INIT;
	table_path(rc, ns, table, &path);
	long st;
	json_t *resp = NULL;
	int err = rest_call(rc, "GET", ldp_buf_cstr(&path), NULL, NULL, &st, &resp);
	ldp_buf_free(&path);
	const char *loc = json_string_value(json_object_get(resp, "metadata-location"));
	if (!err && !loc)
		err = ldp_error_set(LDP_ECORRUPT, "REST catalog %s: table %s.%s loaded without a metadata-location", rc->uri,
				    ns, table);
	if (!err && !(*metadata_location = strdup(loc)))
		err = ldp_error_set(LDP_ENOMEM, "out of memory");
	json_t *md = json_object_get(resp, "metadata");
	if (!err && json_is_object(md)) {
		char *keep = strdup(loc);
		if (keep) {
			free(rc->last_location);
			json_decref(rc->last_metadata);
			rc->last_location = keep;
			rc->last_metadata = json_incref(md);
		}
	}
	if (!err && previous) {
		json_t *log = json_object_get(json_object_get(resp, "metadata"), "metadata-log");
		const char *prev = json_string_value(json_object_get(json_array_get(log, json_array_size(log) - 1),
								     "metadata-file"));
		if (prev)
			*previous = strdup(prev);
	}
	json_decref(resp);
	return err;
}

int rest_table_exists(ldp_rest *rc, const char *ns, const char *table, int *exists)
{
	ldp_buf path = LDP_BUF_INIT;
	table_path(rc, ns, table, &path);
	long st = 0;
	int err = rest_call(rc, "HEAD", ldp_buf_cstr(&path), NULL, OK_404, &st, NULL);
	*exists = !err && st != 404;
	ldp_buf_free(&path);
	return err;
}

int rest_list_tables(ldp_rest *rc, const char *ns, ldp_catalog_names *out)
{
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_puts(&path, "namespaces/");
	rest_ns_path(rc, ns, &path);
	ldp_buf_puts(&path, "/tables");
	int err = list_paged(rc, ldp_buf_cstr(&path), "identifiers", 1, out);
	ldp_buf_free(&path);
	return err;
}

int rest_rename_table(ldp_rest *rc, const char *from_ns, const char *from_table, const char *to_ns,
		      const char *to_table)
{
	json_t *body = json_pack("{s:{s:o,s:s},s:{s:o,s:s}}", "source", "namespace", ldp_catalog_namespace_json(from_ns), "name",
				 from_table, "destination", "namespace", ldp_catalog_namespace_json(to_ns), "name", to_table);
	long st;
	int err = rest_call(rc, "POST", "tables/rename", body, NULL, &st, NULL);
	json_decref(body);
	return err;
}

int rest_drop_table(ldp_rest *rc, const char *ns, const char *table, int purge, char **metadata_location)
{
	if (metadata_location) {
		int err = rest_load_table(rc, ns, table, metadata_location, NULL);
		if (err)
			return err;
	}
	ldp_buf path = LDP_BUF_INIT;
	table_path(rc, ns, table, &path);
	if (purge)
		ldp_buf_puts(&path, "?purgeRequested=true");
	long st;
	int err = rest_call(rc, "DELETE", ldp_buf_cstr(&path), NULL, NULL, &st, NULL);
	ldp_buf_free(&path);
	return err;
}
