/*
 * The http(s):// source: download a file into the cache, then ingest it as a
 * local file.
 *
 * Cache layout (<cache>/http/): <key>-<name> holds the body, <key>.json its
 * validators {etag, last_modified, format}; key = FNV-1a 64 of the whole URL,
 * so the URL itself (which may carry an API key) is never stored. A cached
 * file turns the next download into a conditional GET (If-None-Match /
 * If-Modified-Since) and a 304 reuses it. The body streams into
 * <key>.part-<pid> and is renamed into place only once complete, so an
 * interrupted download never leaves a truncated file that looks valid.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ingest/remote.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/json.h"
#include "ldp/log.h"

const char *const ingest_http_option_names[] = {"header", "auth", "cache-dir", "refresh", "retries", "timeout", NULL};

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The last path segment of the URL, restricted to safe characters. */
static void url_basename(const char *url, ldp_buf *out)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t n = strcspn(p, "?#");
	const char *seg = p, *end = p + n;
	for (const char *q = p; q < end; q++)
		if (*q == '/')
			seg = q + 1;
	size_t start = out->len;
	for (const char *q = seg; q < end; q++) {
		char c = *q;
		ldp_buf_putc(out, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
						  c == '-' || c == '_'
					  ? c
					  : '_');
	}
	if (out->len == start)
		ldp_buf_puts(out, "download");
}

static const char *format_of_content_type(const char *ct)
{
	if (!ct)
		return NULL;
	if (strcasestr(ct, "ndjson") || strcasestr(ct, "jsonl") || strcasestr(ct, "json-seq"))
		return "ndjson";
	if (strcasestr(ct, "json"))
		return "json";
	if (strcasestr(ct, "csv"))
		return "csv";
	if (strcasestr(ct, "tab-separated"))
		return "tsv";
	if (strcasestr(ct, "parquet"))
		return "parquet";
	return NULL;
}

static int has_known_extension(const char *name)
{
	static const char *const exts[] = {".parquet", ".csv", ".tsv", ".json", ".ndjson", ".jsonl", ".csv.gz",
					   ".tsv.gz", ".json.gz", ".ndjson.gz", ".jsonl.gz", ".csv.zst", ".json.zst",
					   ".ndjson.zst", ".jsonl.zst", ".tsv.zst", NULL};
	size_t n = strlen(name);
	for (size_t i = 0; exts[i]; i++) {
		size_t e = strlen(exts[i]);
		if (n > e && strcasecmp(name + n - e, exts[i]) == 0)
			return 1;
	}
	return 0;
}

typedef struct progress_bridge {
	const ldp_ingest_options *o;
	const char *what;
	int64_t last_ns, last_bytes;
} progress_bridge;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* libcurl calls back many times a second; a terminal needs ~10 updates. */
static int on_progress(void *ctx, int64_t received, int64_t total)
{
	progress_bridge *pb = ctx;
	int64_t now = mono_ns();
	int done = total > 0 && received >= total;
	if (received == pb->last_bytes || (!done && now - pb->last_ns < 100000000))
		return 0;
	pb->last_ns = now;
	pb->last_bytes = received;
	pb->o->progress(pb->o->progress_ctx, pb->what, received, total > 0 ? total : -1);
	return 0;
}

/* The URL to request: the api-key query parameter appended when --auth asks for it. */
int ingest_url_with_key(const char *url, const ingest_http_auth *a, char **out)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_puts(&b, url);
	if (a->query_name) {
		char *n = ldp_http_url_encode(a->query_name), *v = ldp_http_url_encode(a->query_value);
		ldp_buf_printf(&b, "%c%s=%s", strchr(url, '?') ? '&' : '?', n ? n : "", v ? v : "");
		free(n);
		free(v);
	}
	if (ldp_buf_oom(&b))
		return LDP_ENOMEM;
	*out = ldp_buf_detach(&b);
	return 0;
}

typedef struct cached {
	char *etag, *last_modified, *format;
} cached;

static void cached_clear(cached *c)
{
	free(c->etag);
	free(c->last_modified);
	free(c->format);
	memset(c, 0, sizeof *c);
}

static void load_meta(const char *meta_path, cached *c)
{
	json_t *j = NULL;
	if (ldp_json_load_file(meta_path, &j) != 0) {
		ldp_error_clear(); /* no usable cache entry: download afresh */
		return;
	}
	const char *s;
	if ((s = json_string_value(json_object_get(j, "etag"))))
		c->etag = strdup(s);
	if ((s = json_string_value(json_object_get(j, "last_modified"))))
		c->last_modified = strdup(s);
	if ((s = json_string_value(json_object_get(j, "format"))))
		c->format = strdup(s);
	json_decref(j);
}

static int save_meta(const char *meta_path, const ldp_http_response *res, const char *format, const char *file)
{
	json_t *j = json_object();
	const char *etag = ldp_http_response_header(res, "ETag");
	const char *lm = ldp_http_response_header(res, "Last-Modified");
	if (etag)
		json_object_set_new(j, "etag", json_string(etag));
	if (lm)
		json_object_set_new(j, "last_modified", json_string(lm));
	if (format)
		json_object_set_new(j, "format", json_string(format));
	json_object_set_new(j, "file", json_string(file));
	char *text = ldp_json_dumps(j, LDP_JSON_PRETTY);
	json_decref(j);
	if (!text)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	int rc = ldp_io_write_atomic(meta_path, text, strlen(text));
	free(text);
	return rc;
}

int ldp_ingest_fetch_http(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out)
{
	ingest_http_auth auth;
	int rc = ingest_http_auth_init(o, &auth);
	if (rc)
		return rc;
	ldp_http_request req;
	memset(&req, 0, sizeof req);
	char *dir = NULL, *url = NULL, *redacted = NULL;
	char **hdrs = NULL;
	cached c = {0};
	ldp_buf data_path = LDP_BUF_INIT, meta_path = LDP_BUF_INIT, part = LDP_BUF_INIT, name = LDP_BUF_INIT;
	ldp_buf cond1 = LDP_BUF_INIT, cond2 = LDP_BUF_INIT;
	ldp_http_response res;
	memset(&res, 0, sizeof res);
	int refresh = 0;
	if ((rc = ingest_http_retry_options(o, &req)) || (rc = ldp_ingest_opt_bool(o, "refresh", 0, &refresh)) ||
	    (rc = ingest_cache_dir(o, "http", &dir)) || (rc = ingest_url_with_key(uri, &auth, &url)))
		goto done;
	ingest_http_auth_apply(&auth, &req);
	redacted = ldp_http_redact(uri, req.secrets, req.nsecrets);
	char key[17];
	snprintf(key, sizeof key, "%016llx", (unsigned long long)fnv1a64(url));
	url_basename(uri, &name);
	ldp_buf_printf(&data_path, "%s/%s-%s", dir, key, ldp_buf_cstr(&name));
	ldp_buf_printf(&meta_path, "%s/%s.json", dir, key);
	ldp_buf_printf(&part, "%s/%s.part-%ld", dir, key, (long)getpid());
	if ((rc = ldp_buf_oom(&data_path)) || (rc = ldp_buf_oom(&meta_path)) || (rc = ldp_buf_oom(&part)))
		goto done;
	int have = !refresh && ldp_io_exists(data_path.ptr) == 1;
	if (have)
		load_meta(meta_path.ptr, &c);
	/* conditional GET: the cached validators ride along with the user's headers */
	hdrs = calloc(auth.nheaders + 2, sizeof *hdrs);
	if (!hdrs) {
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		goto done;
	}
	size_t nh = 0;
	for (size_t i = 0; i < auth.nheaders; i++)
		hdrs[nh++] = auth.headers[i];
	if (have && c.etag) {
		ldp_buf_printf(&cond1, "If-None-Match: %s", c.etag);
		hdrs[nh++] = cond1.ptr;
	}
	if (have && c.last_modified) {
		ldp_buf_printf(&cond2, "If-Modified-Since: %s", c.last_modified);
		hdrs[nh++] = cond2.ptr;
	}
	int conditional = nh > auth.nheaders;
	req.headers = (const char *const *)hdrs;
	req.nheaders = nh;
	req.url = url;
	req.out_file = part.ptr;
	progress_bridge pb = {o, ldp_buf_cstr(&name), 0, -1};
	if (o && o->progress) {
		req.progress = on_progress;
		req.progress_ctx = &pb;
	}
	LDP_INFO("downloading %s%s", redacted ? redacted : "", conditional ? " (conditional)" : "");
	rc = ldp_http_do_ok(&req, &res, conditional);
	if (rc) {
		ldp_io_remove(part.ptr);
		rc = ldp_error_wrap(rc, "download failed, nothing was ingested");
		goto done;
	}
	const char *format = NULL;
	if (res.status == 304) {
		ldp_io_remove(part.ptr);
		LDP_INFO("%s not modified: using the cached copy %s", redacted ? redacted : "", data_path.ptr);
		format = c.format;
	} else {
		if (ldp_io_exists(part.ptr) != 1 && (rc = ldp_io_write_atomic(part.ptr, "", 0)))
			goto done;
		if (!has_known_extension(ldp_buf_cstr(&name)))
			format = format_of_content_type(ldp_http_response_header(&res, "Content-Type"));
		if (rename(part.ptr, data_path.ptr) != 0) {
			rc = ldp_error_set(LDP_EIO, "cannot move the download into the cache at %s", data_path.ptr);
			ldp_io_remove(part.ptr);
			goto done;
		}
		if ((rc = save_meta(meta_path.ptr, &res, format, data_path.ptr)))
			goto done;
	}
	if ((rc = ldp_ingest_files_add(out, data_path.ptr)))
		goto done;
	if (format && !(out->format = strdup(format)))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	out->temporary = 0;
done:
	ldp_http_response_clear(&res);
	cached_clear(&c);
	free(hdrs);
	ldp_buf_free(&cond1);
	ldp_buf_free(&cond2);
	ldp_buf_free(&data_path);
	ldp_buf_free(&meta_path);
	ldp_buf_free(&part);
	ldp_buf_free(&name);
	free(dir);
	free(url);
	free(redacted);
	ingest_http_auth_clear(&auth);
	return rc;
}
