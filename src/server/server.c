/*
 * The REST server's HTTP side: libmicrohttpd with an internal thread pool,
 * request bodies with a size limit, path routing, bearer-token auth and the
 * ErrorModel responses of the REST spec. Endpoints live in server_ns.c,
 * server_tables.c and server_commit.c.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "format/metadata.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"
#include "ldp/project.h"
#include "server/server_internal.h"

/* ---- small helpers ---- */

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode in place; '+' is a space in query strings only. -1 on a
 * bad escape or an encoded NUL (which would cut names short). */
static int url_decode(char *s, int plus_is_space)
{
	char *w = s;
	for (const char *p = s; *p; p++) {
		if (*p == '%') {
			int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);
			if (h < 0 || l < 0 || (h == 0 && l == 0))
				return -1;
			*w++ = (char)(h * 16 + l);
			p += 2;
		} else if (*p == '+' && plus_is_space) {
			*w++ = ' ';
		} else {
			*w++ = *p;
		}
	}
	*w = 0;
	return 0;
}

/* MHD would decode the path before we split it, turning %2F into a '/' that
 * changes the route; keep everything raw and decode per segment. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

char *srv_query(srv_req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
	if (!v)
		return NULL;
	char *d = strdup(v);
	if (d && url_decode(d, 1) != 0) {
		free(d);
		return NULL;
	}
	return d;
}

const char *srv_warehouse_root(const srv_req *r) { return r->srv->root; }

static int under(const char *loc, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(loc, dir, n) == 0 && (loc[n] == '/' || loc[n] == 0);
}

int srv_location_allowed(const srv_req *r, const char *location)
{
	const char *loc = ldp_io_local_path(location);
	int ok = under(loc, r->srv->root);
	for (size_t i = 0; !ok && i < r->srv->nallowed; i++)
		ok = under(loc, r->srv->allowed[i]);
	if (!ok)
		return 0;
	/* no ".." component can climb back out */
	for (const char *p = loc; (p = strstr(p, "..")); p += 2)
		if ((p == loc || p[-1] == '/') && (p[2] == '/' || p[2] == 0))
			return 0;
	return 1;
}

/* ---- responses ---- */

int srv_json(srv_req *r, int status, json_t *v)
{
	r->status = status;
	ldp_buf_clear(&r->out);
	char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
	if (text)
		ldp_buf_puts(&r->out, text);
	free(text);
	json_decref(v);
	return 0;
}

int srv_no_content(srv_req *r)
{
	r->status = 204;
	ldp_buf_clear(&r->out);
	return 0;
}

static int error_model(srv_req *r, int status, const char *type, const char *msg)
{
	json_t *e = json_pack("{s:{s:s,s:s,s:i}}", "error", "message", msg, "type", type, "code", status);
	srv_json(r, status, e);
	return -1;
}

int srv_error(srv_req *r, int status, const char *type, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return error_model(r, status, type, msg);
}

int srv_fail(srv_req *r, int rc, const char *type_404)
{
	const ldp_error *e = ldp_error_last();
	const char *msg = e->message && *e->message ? e->message : ldp_status_name(rc);
	int status = 500;
	const char *type = "ServerErrorException";
	switch (rc) {
	case LDP_EINVALID:
		status = 400, type = "BadRequestException";
		break;
	case LDP_ENOTFOUND:
		status = 404, type = type_404 ? type_404 : "NotFoundException";
		break;
	case LDP_EEXISTS:
		status = 409, type = "AlreadyExistsException";
		break;
	case LDP_ECONFLICT:
		status = 409, type = "CommitFailedException";
		break;
	case LDP_EUNSUPPORTED:
		status = 406, type = "UnsupportedOperationException";
		break;
	default:
		break;
	}
	error_model(r, status, type, msg);
	ldp_error_clear();
	return -1;
}

int srv_body_object(srv_req *r, json_t **out)
{
	json_error_t je;
	*out = NULL;
	if (!r->body || r->body_len == 0)
		return srv_error(r, 400, "BadRequestException", "the request needs a JSON body");
	json_t *v = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return srv_error(r, 400, "BadRequestException", "malformed JSON body at line %d column %d: %s", je.line,
				 je.column, je.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return srv_error(r, 400, "BadRequestException", "the JSON body must be an object");
	}
	*out = v;
	return 0;
}

/* ---- names ---- */

int srv_check_name(srv_req *r, const char *what, const char *name, int is_namespace_level)
{
	size_t n = strlen(name);
	if (n == 0)
		return srv_error(r, 400, "BadRequestException", "%s name is empty", what);
	if (n > 255)
		return srv_error(r, 400, "BadRequestException", "%s name is longer than 255 bytes", what);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strstr(name, ".."))
		return srv_error(r, 400, "BadRequestException", "%s name '%s' may not contain '..'", what, name);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return srv_error(r, 400, "BadRequestException",
					 "%s name '%s' may not contain '/', '\\\\' or control characters", what, name);
		if (*p == '.' && is_namespace_level)
			return srv_error(r, 400, "BadRequestException",
					 "namespace level '%s' may not contain '.' (the catalog joins levels with '.')", name);
	}
	return 0;
}

int srv_ns_from_segment(srv_req *r, const char *seg, ldp_buf *out)
{
	ldp_buf_clear(out);
	const char *p = seg;
	for (;;) {
		const char *e = strchr(p, 0x1f);
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char level[512];
		if (n >= sizeof level)
			return srv_error(r, 400, "BadRequestException", "namespace level is longer than 255 bytes");
		memcpy(level, p, n);
		level[n] = 0;
		if (srv_check_name(r, "namespace", level, 1))
			return -1;
		if (out->len)
			ldp_buf_putc(out, '.');
		ldp_buf_puts(out, level);
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

int srv_ns_from_json(srv_req *r, const json_t *arr, ldp_buf *out)
{
	ldp_buf_clear(out);
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return srv_error(r, 400, "BadRequestException", "'namespace' must be a non-empty array of strings");
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return srv_error(r, 400, "BadRequestException", "'namespace' must be an array of strings");
		if (srv_check_name(r, "namespace", json_string_value(v), 1))
			return -1;
		if (i)
			ldp_buf_putc(out, '.');
		ldp_buf_puts(out, json_string_value(v));
	}
	return 0;
}

json_t *srv_ns_to_json(const char *ns) { return ldp_catalog_namespace_json(ns); }

/* ---- auth ---- */

static int consttime_eq(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char d = (unsigned char)(na != nb);
	for (size_t i = 0; i < na; i++)
		d |= (unsigned char)(a[i] ^ b[i % (nb ? nb : 1)]);
	return d == 0;
}

static int token_valid(ldp_server *s, const char *tok)
{
	int ok = 0;
	int64_t now = ldp_now_ms();
	pthread_mutex_lock(&s->tok_mu);
	for (size_t i = 0; i < SRV_TOKENS && !ok; i++)
		if (s->tokens[i].token[0] && s->tokens[i].expires_ms > now && consttime_eq(s->tokens[i].token, tok))
			ok = 1;
	pthread_mutex_unlock(&s->tok_mu);
	return ok;
}

static int oauth_error(srv_req *r, int status, const char *err, const char *desc)
{
	srv_json(r, status, json_pack("{s:s,s:s}", "error", err, "error_description", desc));
	return -1;
}

/* POST /v1/oauth/tokens (RFC 6749 section 4.4, form-encoded). */
static int oauth_tokens(srv_req *r)
{
	ldp_server *s = r->srv;
	if (strcmp(r->method, "POST") != 0)
		return srv_error(r, 405, "MethodNotAllowed", "use POST for /v1/oauth/tokens");
	if (!s->client_id)
		return oauth_error(r, 400, "unsupported_grant_type", "this server runs without authentication");
	char *body = strndup(r->body ? r->body : "", r->body_len);
	char *grant = NULL, *id = NULL, *secret = NULL;
	for (char *save = NULL, *kv = strtok_r(body, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			continue;
		*eq = 0;
		if (url_decode(kv, 1) || url_decode(eq + 1, 1))
			continue;
		if (strcmp(kv, "grant_type") == 0)
			grant = eq + 1;
		else if (strcmp(kv, "client_id") == 0)
			id = eq + 1;
		else if (strcmp(kv, "client_secret") == 0)
			secret = eq + 1;
	}
	int rc;
	if (!grant || strcmp(grant, "client_credentials") != 0)
		rc = oauth_error(r, 400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
	else if (!id || !secret || !consttime_eq(id, s->client_id) || !consttime_eq(secret, s->client_secret))
		rc = oauth_error(r, 401, "invalid_client", "unknown client id or wrong secret");
	else {
		char a[37], b[37], tok[65];
		rc = ldp_uuid4(a) || ldp_uuid4(b);
		size_t k = 0;
		for (const char *p = a; *p && !rc; p++)
			if (*p != '-')
				tok[k++] = *p;
		for (const char *p = b; *p && !rc; p++)
			if (*p != '-')
				tok[k++] = *p;
		tok[k] = 0;
		if (rc) {
			rc = srv_fail(r, rc, NULL);
		} else {
			pthread_mutex_lock(&s->tok_mu);
			snprintf(s->tokens[s->tok_next].token, sizeof s->tokens[0].token, "%s", tok);
			s->tokens[s->tok_next].expires_ms = ldp_now_ms() + (int64_t)s->token_ttl_s * 1000;
			s->tok_next = (s->tok_next + 1) % SRV_TOKENS;
			pthread_mutex_unlock(&s->tok_mu);
			srv_json(r, 200,
				 json_pack("{s:s,s:s,s:i,s:s}", "access_token", tok, "token_type", "bearer", "expires_in",
					   s->token_ttl_s, "issued_token_type",
					   "urn:ietf:params:oauth:token-type:access_token"));
		}
	}
	free(body);
	return rc;
}

static int authorized(srv_req *r)
{
	if (!r->srv->client_id)
		return 1;
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	return token_valid(r->srv, h + 7);
}

/* ---- warehouse pool ---- */

static ldp_warehouse *pool_take(ldp_server *s)
{
	pthread_mutex_lock(&s->pool_mu);
	while (s->nfree == 0)
		pthread_cond_wait(&s->pool_cv, &s->pool_mu);
	ldp_warehouse *wh = s->free_list[--s->nfree];
	pthread_mutex_unlock(&s->pool_mu);
	return wh;
}

static void pool_give(ldp_server *s, ldp_warehouse *wh)
{
	pthread_mutex_lock(&s->pool_mu);
	s->free_list[s->nfree++] = wh;
	pthread_cond_signal(&s->pool_cv);
	pthread_mutex_unlock(&s->pool_mu);
}

/* ---- routing ---- */

static int is_root_word(const char *s)
{
	return strcmp(s, "config") == 0 || strcmp(s, "oauth") == 0 || strcmp(s, "namespaces") == 0 ||
	       strcmp(s, "tables") == 0 || strcmp(s, "transactions") == 0;
}

static int method_is(srv_req *r, const char *m) { return strcmp(r->method, m) == 0; }

static int route(srv_req *r)
{
	char **g = r->seg;
	size_t n = r->nseg;
	if (n == 2 && strcmp(g[0], "oauth") == 0 && strcmp(g[1], "tokens") == 0)
		return oauth_tokens(r);
	if (!authorized(r))
		return srv_error(r, 401, "NotAuthorizedException",
				 "missing or invalid bearer token (get one from POST /v1/oauth/tokens)");
	if (n == 1 && strcmp(g[0], "config") == 0 && method_is(r, "GET"))
		return srv_config(r);
	if (n >= 1 && strcmp(g[0], "namespaces") == 0) {
		if (n == 1)
			return srv_namespaces(r);
		if (n == 2)
			return srv_namespace(r);
		if (n == 3 && strcmp(g[2], "properties") == 0 && method_is(r, "POST"))
			return srv_namespace_props(r);
		if (n == 3 && strcmp(g[2], "tables") == 0)
			return srv_tables(r);
		if (n == 3 && strcmp(g[2], "register") == 0 && method_is(r, "POST"))
			return srv_register(r);
		if (n == 4 && strcmp(g[2], "tables") == 0 && method_is(r, "POST"))
			return srv_commit_table(r);
		if (n == 4 && strcmp(g[2], "tables") == 0)
			return srv_table(r);
		if (n == 5 && strcmp(g[2], "tables") == 0 && strcmp(g[4], "metrics") == 0 && method_is(r, "POST"))
			return srv_no_content(r); /* reports are accepted and dropped */
		if (n == 3 && strcmp(g[2], "views") == 0 && method_is(r, "GET"))
			return srv_json(r, 200, json_pack("{s:[]}", "identifiers"));
		if (n == 4 && strcmp(g[2], "views") == 0)
			return srv_error(r, 404, "NoSuchViewException", "views are not supported by this server");
	}
	if (n == 2 && strcmp(g[0], "tables") == 0 && strcmp(g[1], "rename") == 0 && method_is(r, "POST"))
		return srv_rename(r);
	if (n == 2 && strcmp(g[0], "transactions") == 0 && strcmp(g[1], "commit") == 0 && method_is(r, "POST"))
		return srv_commit_transaction(r);
	return srv_error(r, 404, "NoSuchEndpointException", "no endpoint %s /v1/%s%s", r->method, n ? g[0] : "",
			 n > 1 ? "/..." : "");
}

static int split_path(srv_req *r, char *path)
{
	if (strncmp(path, "/v1/", 4) != 0)
		return srv_error(r, 404, "NoSuchEndpointException", "paths start with /v1/");
	char *p = path + 4;
	while (*p) {
		char *e = strchr(p, '/');
		if (e)
			*e = 0;
		if (r->nseg == SRV_MAX_SEGS)
			return srv_error(r, 400, "BadRequestException", "too many path segments");
		if (url_decode(p, 0) != 0)
			return srv_error(r, 400, "BadRequestException", "bad percent-encoding in the path");
		r->seg[r->nseg++] = p;
		if (!e)
			break;
		p = e + 1;
	}
	/* an optional catalog prefix before the resource (/v1/{prefix}/namespaces) */
	if (r->nseg > 1 && !is_root_word(r->seg[0])) {
		memmove(r->seg, r->seg + 1, (r->nseg - 1) * sizeof r->seg[0]);
		r->nseg--;
	}
	return 0;
}

typedef struct conn_state {
	ldp_buf body;
	int too_large;
} conn_state;

static enum MHD_Result send_text(struct MHD_Connection *c, int status, const char *text, size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (len)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *type, const char *msg)
{
	srv_req r = {.status = 0, .out = LDP_BUF_INIT};
	error_model(&r, status, type, msg);
	enum MHD_Result ok = send_text(c, status, ldp_buf_cstr(&r.out), r.out.len);
	ldp_buf_free(&r.out);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	ldp_server *s = cls;
	conn_state *st = *con_cls;
	if (!st) {
		st = calloc(1, sizeof *st);
		if (!st)
			return MHD_NO;
		*con_cls = st;
		if (strlen(url) > s->max_url)
			return send_error(c, 414, "URITooLongException", "the request URL is too long");
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > s->max_body)
			return send_error(c, 413, "RequestEntityTooLargeException", "the request body is too large");
		return MHD_YES;
	}
	if (*upload_size) {
		if (st->body.len + *upload_size > s->max_body)
			st->too_large = 1;
		else
			ldp_buf_put(&st->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (st->too_large)
		return send_error(c, 413, "RequestEntityTooLargeException", "the request body is too large");
	if (ldp_buf_oom(&st->body))
		return send_error(c, 500, "ServerErrorException", "out of memory reading the body");

	int64_t t0 = mono_us();
	srv_req r = {.srv = s, .conn = c, .method = method, .out = LDP_BUF_INIT};
	r.body = st->body.len ? ldp_buf_cstr(&st->body) : NULL;
	r.body_len = st->body.len;
	char *path = strdup(url);
	char *q = path ? strchr(path, '?') : NULL;
	if (q)
		*q = 0;
	if (!path) {
		srv_error(&r, 500, "ServerErrorException", "out of memory");
	} else if (split_path(&r, path) == 0) {
		int needs_wh = !(r.nseg == 2 && strcmp(r.seg[0], "oauth") == 0);
		if (needs_wh)
			r.wh = pool_take(s);
		route(&r);
		if (r.wh)
			pool_give(s, r.wh);
	}
	ldp_error_clear();
	if (r.status == 0)
		srv_error(&r, 500, "ServerErrorException", "the handler gave no response");
	enum MHD_Result ok = send_text(c, r.status, ldp_buf_cstr(&r.out), r.status == 204 ? 0 : r.out.len);
	/* the path only (MHD keeps the query string apart): query strings and
	 * bodies may carry secrets */
	ldp_log(LDP_LOG_INFO, "%s %s -> %d (%.2f ms)", method, url, r.status,
		(double)(mono_us() - t0) / 1000.0);
	ldp_buf_free(&r.out);
	free(path);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	conn_state *st = *con_cls;
	if (st) {
		ldp_buf_free(&st->body);
		free(st);
		*con_cls = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	ldp_log(LDP_LOG_DEBUG, "http: %s", msg);
}

/* ---- lifecycle ---- */

static void server_free(ldp_server *s)
{
	for (size_t i = 0; i < s->npool; i++)
		ldp_warehouse_free(s->pool[i]);
	free(s->pool);
	free(s->free_list);
	for (size_t i = 0; i < SRV_CACHE; i++) {
		free(s->cache[i].location);
		free(s->cache[i].text);
	}
	for (size_t i = 0; i < s->nallowed; i++)
		free(s->allowed[i]);
	free(s->allowed);
	free(s->root);
	free(s->catalog_path);
	free(s->catalog_name);
	free(s->client_id);
	free(s->client_secret);
	pthread_mutex_destroy(&s->pool_mu);
	pthread_cond_destroy(&s->pool_cv);
	pthread_mutex_destroy(&s->tok_mu);
	pthread_mutex_destroy(&s->cache_mu);
	free(s);
}

int ldp_server_start(const ldp_server_options *o, ldp_server **out)
{
	*out = NULL;
	ldp_server *s = calloc(1, sizeof *s);
	if (!s)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_cond_init(&s->pool_cv, NULL);
	pthread_mutex_init(&s->tok_mu, NULL);
	pthread_mutex_init(&s->cache_mu, NULL);
	int threads = o->threads > 0 ? o->threads : 4;
	s->max_body = o->max_body ? o->max_body : 16u << 20;
	s->max_url = o->max_url ? o->max_url : 8192;
	s->token_ttl_s = o->token_ttl_s > 0 ? o->token_ttl_s : 3600;
	s->root = strdup(o->warehouse);
	s->catalog_path = strdup(o->catalog_path);
	s->catalog_name = strdup(o->catalog_name ? o->catalog_name : "ldp");
	int rc = s->root && s->catalog_path && s->catalog_name ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
	size_t rl = s->root ? strlen(s->root) : 0;
	while (rl > 1 && s->root[rl - 1] == '/')
		s->root[--rl] = 0;
	if (!rc && o->nallowed_locations) {
		s->allowed = calloc(o->nallowed_locations, sizeof *s->allowed);
		for (size_t i = 0; s->allowed && i < o->nallowed_locations; i++) {
			char *d = strdup(o->allowed_locations[i]);
			size_t dl = d ? strlen(d) : 0;
			while (dl > 1 && d[dl - 1] == '/')
				d[--dl] = 0;
			if (d)
				s->allowed[s->nallowed++] = d;
		}
		if (s->nallowed != o->nallowed_locations)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	if (!rc && (o->client_id || o->client_secret)) {
		if (!o->client_id || !o->client_secret || !*o->client_id || !*o->client_secret)
			rc = ldp_error_set(LDP_EINVALID, "auth needs both a client id and a client secret");
		s->client_id = strdup(o->client_id ? o->client_id : "");
		s->client_secret = strdup(o->client_secret ? o->client_secret : "");
	}
	/* One warehouse (catalog connection) per worker, and one for the
	 * thread that accepts connections, which never runs a handler. */
	s->pool = calloc((size_t)threads, sizeof *s->pool);
	s->free_list = calloc((size_t)threads, sizeof *s->free_list);
	if (!rc && (!s->pool || !s->free_list))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_project p = {.dir = s->root, .config_path = s->catalog_path, .name = "serve", .warehouse = s->root,
			 .catalog_type = "sqlite", .catalog_uri = s->catalog_path, .catalog_name = s->catalog_name};
	for (int i = 0; !rc && i < threads; i++) {
		rc = ldp_warehouse_open(&p, &s->pool[i]);
		if (!rc) {
			s->free_list[s->nfree++] = s->pool[i];
			s->npool++;
		}
	}
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
	const char *host = o->host ? o->host : "127.0.0.1";
	if (!rc && inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		rc = ldp_error_set(LDP_EINVALID, "--host %s is not an IPv4 address (e.g. 127.0.0.1 or 0.0.0.0)", host);
	if (!rc) {
		s->daemon = MHD_start_daemon(
			MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO, 0, NULL, NULL, on_request,
			s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
			(unsigned)threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_UNESCAPE_CALLBACK,
			no_unescape, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			(size_t)(s->max_url * 2 + 65536), MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
			MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
		if (!s->daemon)
			rc = ldp_error_set(LDP_EIO, "cannot listen on %s:%d (port in use?)", host, o->port);
	}
	if (!rc) {
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_LISTEN_FD);
		struct sockaddr_in bound;
		socklen_t bl = sizeof bound;
		if (di && getsockname(di->listen_fd, (struct sockaddr *)&bound, &bl) == 0)
			s->port = ntohs(bound.sin_port);
		else
			s->port = o->port;
	}
	if (rc) {
		if (s->daemon)
			MHD_stop_daemon(s->daemon);
		server_free(s);
		return rc;
	}
	*out = s;
	return LDP_OK;
}

int ldp_server_port(const ldp_server *s) { return s->port; }

void ldp_server_stop(ldp_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	server_free(s);
}
