/* Credentials, headers and cache directories of the network sources; see
 * ingest/remote.h. */
#include "ingest/remote.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"

char *ingest_base64(const unsigned char *p, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*o++ = tbl[v >> 18];
		*o++ = tbl[(v >> 12) & 63];
		*o++ = tbl[(v >> 6) & 63];
		*o++ = tbl[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		*o++ = tbl[v >> 18];
		*o++ = tbl[(v >> 12) & 63];
		*o++ = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int push(char ***arr, size_t *n, char *s)
{
	if (!s)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	char **na = realloc(*arr, (*n + 1) * sizeof *na);
	if (!na) {
		free(s);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	*arr = na;
	na[(*n)++] = s;
	return 0;
}

static int env_secret(const char *var, const char *auth, const char **out)
{
	const char *v = *var ? getenv(var) : NULL;
	if (!v || !*v)
		return ldp_error_set(LDP_EINVALID,
				     "environment variable '%s' named by --auth %s is not set (export it before running ldp)",
				     var, auth);
	*out = v;
	return 0;
}

/* A header the user typed can carry a credential too: hide the values of the
 * usual suspects. */
static int header_looks_secret(const char *name, size_t n)
{
	static const char *const words[] = {"auth", "token", "key", "secret", "cookie", "password", NULL};
	for (size_t i = 0; words[i]; i++) {
		size_t wl = strlen(words[i]);
		for (size_t j = 0; j + wl <= n; j++)
			if (strncasecmp(name + j, words[i], wl) == 0)
				return 1;
	}
	return 0;
}

int ingest_http_auth_init(const ldp_ingest_options *o, ingest_http_auth *a)
{
	memset(a, 0, sizeof *a);
	int rc = 0;
	for (size_t i = 0; !rc && o && i < o->nopts; i++) {
		if (strcmp(o->opts[i].key, "header") != 0)
			continue;
		const char *h = o->opts[i].value;
		const char *colon = strchr(h, ':');
		if (!colon || colon == h)
			rc = ldp_error_set(LDP_EINVALID, "--header '%s' must look like 'Name: value'", h);
		else if (!(rc = push(&a->headers, &a->nheaders, strdup(h))) && header_looks_secret(h, (size_t)(colon - h))) {
			const char *v = colon + 1;
			while (*v == ' ')
				v++;
			if (*v)
				rc = push(&a->secrets, &a->nsecrets, strdup(v));
		}
	}
	const char *auth = ldp_ingest_opt(o, "auth");
	if (rc || !auth)
		goto out;
	char *spec = strdup(auth);
	if (!spec) {
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		goto out;
	}
	char *parts[5] = {0};
	int np = 0;
	for (char *save = NULL, *t = strtok_r(spec, ":", &save); t && np < 5; t = strtok_r(NULL, ":", &save))
		parts[np++] = t;
	const char *v1 = NULL, *v2 = NULL;
	ldp_buf b = LDP_BUF_INIT;
	if (np == 2 && strcmp(parts[0], "bearer") == 0) {
		if (!(rc = env_secret(parts[1], auth, &v1))) {
			ldp_buf_printf(&b, "Authorization: Bearer %s", v1);
			if (!(rc = push(&a->secrets, &a->nsecrets, strdup(v1))))
				rc = push(&a->headers, &a->nheaders, ldp_buf_detach(&b));
		}
	} else if (np == 3 && strcmp(parts[0], "basic") == 0) {
		if (!(rc = env_secret(parts[1], auth, &v1)) && !(rc = env_secret(parts[2], auth, &v2))) {
			ldp_buf_printf(&b, "%s:%s", v1, v2);
			char *enc = ingest_base64((const unsigned char *)b.ptr, b.len);
			ldp_buf_clear(&b);
			if (!enc) {
				rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			} else {
				ldp_buf_printf(&b, "Authorization: Basic %s", enc);
				if (!(rc = push(&a->secrets, &a->nsecrets, enc)) && /* push frees enc on failure */
				    !(rc = push(&a->secrets, &a->nsecrets, strdup(v2))))
					rc = push(&a->headers, &a->nheaders, ldp_buf_detach(&b));
			}
		}
	} else if (np == 4 && strcmp(parts[0], "api-key") == 0 &&
		   (strcmp(parts[1], "header") == 0 || strcmp(parts[1], "query") == 0)) {
		if (!(rc = env_secret(parts[3], auth, &v1)) && !(rc = push(&a->secrets, &a->nsecrets, strdup(v1)))) {
			if (parts[1][0] == 'h') {
				ldp_buf_printf(&b, "%s: %s", parts[2], v1);
				rc = push(&a->headers, &a->nheaders, ldp_buf_detach(&b));
			} else {
				a->query_name = strdup(parts[2]);
				a->query_value = strdup(v1);
				if (!a->query_name || !a->query_value)
					rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			}
		}
	} else {
		rc = ldp_error_set(LDP_EINVALID,
				   "--auth '%s' is not understood; use bearer:ENV, basic:USER_ENV:PASS_ENV, "
				   "api-key:header:NAME:ENV or api-key:query:NAME:ENV (ENV names an environment variable)",
				   auth);
	}
	ldp_buf_free(&b);
	free(spec);
out:
	if (rc)
		ingest_http_auth_clear(a);
	return rc;
}

void ingest_http_auth_clear(ingest_http_auth *a)
{
	for (size_t i = 0; i < a->nheaders; i++)
		free(a->headers[i]);
	for (size_t i = 0; i < a->nsecrets; i++)
		free(a->secrets[i]);
	free(a->headers);
	free(a->secrets);
	free(a->query_name);
	free(a->query_value);
	memset(a, 0, sizeof *a);
}

void ingest_http_auth_apply(const ingest_http_auth *a, ldp_http_request *req)
{
	req->headers = (const char *const *)a->headers;
	req->nheaders = a->nheaders;
	req->secrets = (const char *const *)a->secrets;
	req->nsecrets = a->nsecrets;
}

int ingest_http_retry_options(const ldp_ingest_options *o, ldp_http_request *req)
{
	const char *r = ldp_ingest_opt(o, "retries");
	if (r) {
		char *end;
		long v = strtol(r, &end, 10);
		if (*end || v < 0 || v > 100)
			return ldp_error_set(LDP_EINVALID, "--retries takes a number from 0 to 100, not '%s'", r);
		req->max_retries = v == 0 ? -1 : (int)v;
	}
	const char *base = getenv("LDP_HTTP_RETRY_BASE_MS");
	if (base && atoi(base) > 0)
		req->retry_base_ms = atoi(base);
	const char *t = ldp_ingest_opt(o, "timeout");
	if (t) {
		char *end;
		double s = strtod(t, &end);
		if (*end || s <= 0)
			return ldp_error_set(LDP_EINVALID, "--timeout takes seconds (e.g. 30), not '%s'", t);
		req->stall_timeout_ms = (long)(s * 1000);
		req->connect_timeout_ms = (long)(s * 1000);
	}
	return 0;
}

static int make_dir(char *path, char **out)
{
	int rc = ldp_io_mkdirs(path);
	if (rc) {
		free(path);
		return ldp_error_wrap(rc, "creating cache directory");
	}
	*out = path;
	return 0;
}

int ingest_cache_dir(const ldp_ingest_options *o, const char *kind, char **out)
{
	*out = NULL;
	ldp_buf b = LDP_BUF_INIT;
	const char *v = ldp_ingest_opt(o, "cache-dir");
	const char *env = getenv("LDP_CACHE_DIR");
	if (v) {
		ldp_buf_puts(&b, v);
	} else if (env && *env) {
		ldp_buf_printf(&b, "%s/%s", env, kind);
	} else if (o && o->wh && o->wh->root && o->wh->root[0] == '/') {
		/* the default project keeps its warehouse in <project>/warehouse */
		const char *root = o->wh->root;
		const char *slash = strrchr(root, '/');
		size_t n = slash ? (size_t)(slash - root) : 0;
		ldp_buf_printf(&b, "%.*s/.ldp/cache/%s", (int)(n ? n : 1), n ? root : "/", kind);
	} else {
		const char *home = getenv("HOME");
		ldp_buf_printf(&b, "%s/.cache/ldp/%s", home && *home ? home : "/tmp", kind);
	}
	if (ldp_buf_oom(&b))
		return LDP_ENOMEM;
	return make_dir(ldp_buf_detach(&b), out);
}

int ingest_temp_dir(const char *prefix, char **out)
{
	const char *tmp = getenv("TMPDIR");
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_printf(&b, "%s/ldp-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	if (ldp_buf_oom(&b))
		return LDP_ENOMEM;
	char *p = ldp_buf_detach(&b);
	if (!mkdtemp(p)) {
		int rc = ldp_error_set(LDP_EIO, "cannot create a temporary directory %s", p);
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int ingest_temp_file(const char *prefix, const char *suffix, char **out)
{
	const char *tmp = getenv("TMPDIR");
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_printf(&b, "%s/ldp-%s-XXXXXX%s", tmp && *tmp ? tmp : "/tmp", prefix, suffix);
	if (ldp_buf_oom(&b))
		return LDP_ENOMEM;
	char *p = ldp_buf_detach(&b);
	int fd = mkstemps(p, (int)strlen(suffix));
	if (fd < 0) {
		int rc = ldp_error_set(LDP_EIO, "cannot create a temporary file %s", p);
		free(p);
		return rc;
	}
	close(fd);
	*out = p;
	return 0;
}
