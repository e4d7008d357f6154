/*
 * The S3 client: requests over libcurl, signed with Signature V4 by libcurl
 * itself (CURLOPT_AWS_SIGV4, "aws:amz:<region>:s3").
 *
 * Two things keep libcurl's signer (7.88 in Debian 12) and S3 in agreement:
 *  - every request carries "x-amz-content-sha256: UNSIGNED-PAYLOAD" (accepted
 *    by AWS and compatible servers for all S3 operations). Without it old
 *    libcurl signs no payload hash header at all, and streamed uploads could
 *    not be hashed before sending anyway;
 *  - query strings are written already canonical: parameters sorted by name,
 *    values URI-encoded, and a parameter without a value as "uploads=" (old
 *    libcurl signs the query as written).
 * Transient failures (connection drops, 429/500/502/503/504) are retried with
 * backoff; a GET streaming into a file restarts from the beginning.
 */
#include "io/s3.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/backoff.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"

#define S3_ATTEMPTS 4

struct ldp_s3_client {
	ldp_s3_config cfg;
	CURL *curl;
	char sigv4[128];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int ldp_s3_client_new(const ldp_s3_config *cfg, ldp_s3_client **out)
{
	*out = NULL;
	pthread_once(&curl_once, curl_init_once);
	ldp_s3_client *c = calloc(1, sizeof *c);
	if (!c)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	c->cfg.access_key = dup_or_null(cfg->access_key);
	c->cfg.secret_key = dup_or_null(cfg->secret_key);
	c->cfg.session_token = dup_or_null(cfg->session_token);
	c->cfg.region = dup_or_null(cfg->region);
	c->cfg.endpoint = dup_or_null(cfg->endpoint);
	c->cfg.credential_source = dup_or_null(cfg->credential_source);
	c->cfg.path_style = cfg->path_style;
	c->curl = curl_easy_init();
	snprintf(c->sigv4, sizeof c->sigv4, "aws:amz:%s:s3", cfg->region ? cfg->region : "us-east-1");
	if (!c->curl || !c->cfg.region || !c->cfg.endpoint || (cfg->access_key && (!c->cfg.access_key || !c->cfg.secret_key))) {
		ldp_s3_client_free(c);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	*out = c;
	return LDP_OK;
}

int ldp_s3_client_config_copy(const ldp_s3_client *c, ldp_s3_config *out)
{
	memset(out, 0, sizeof *out);
	const ldp_s3_config *s = &c->cfg;
	out->access_key = dup_or_null(s->access_key);
	out->secret_key = dup_or_null(s->secret_key);
	out->session_token = dup_or_null(s->session_token);
	out->region = dup_or_null(s->region);
	out->endpoint = dup_or_null(s->endpoint);
	out->credential_source = dup_or_null(s->credential_source);
	out->path_style = s->path_style;
	if ((s->access_key && !out->access_key) || (s->secret_key && !out->secret_key) ||
	    (s->session_token && !out->session_token) || !out->region || !out->endpoint ||
	    (s->credential_source && !out->credential_source)) {
		ldp_s3_config_clear(out);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	return LDP_OK;
}

const char *ldp_s3_client_endpoint(const ldp_s3_client *c)
{
	return c->cfg.endpoint;
}

void ldp_s3_client_free(ldp_s3_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	ldp_s3_config_clear(&c->cfg);
	free(c);
}

/* ---- URLs ---- */

/* AWS URI encoding (SigV4 "UriEncode"): unreserved characters stay, '/' stays
 * in keys, everything else is %XX with upper-case hex. */
static void uri_encode(ldp_buf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char ch = *p;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		    ch == '.' || ch == '_' || ch == '~' || (keep_slash && ch == '/')) {
			ldp_buf_putc(b, (char)ch);
		} else {
			char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
			ldp_buf_put(b, e, 3);
		}
	}
}

/* Virtual-host style needs the bucket to be a DNS label (and, over TLS, free
 * of dots so the wildcard certificate matches). */
static int dns_safe(const char *bucket, const char *endpoint)
{
	for (const char *p = bucket; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      (*p == '.' && strncmp(endpoint, "http://", 7) == 0)))
			return 0;
	return 1;
}

void ldp_s3_url(const ldp_s3_client *c, const char *bucket, const char *key, const char *query, ldp_buf *url)
{
	const char *ep = c->cfg.endpoint;
	if (c->cfg.path_style || !dns_safe(bucket, ep)) {
		ldp_buf_printf(url, "%s/", ep);
		uri_encode(url, bucket, 0);
	} else {
		const char *host = strstr(ep, "://") + 3;
		ldp_buf_put(url, ep, (size_t)(host - ep));
		ldp_buf_printf(url, "%s.%s", bucket, host);
	}
	ldp_buf_putc(url, '/');
	if (key)
		uri_encode(url, key, 1);
	if (query && *query)
		ldp_buf_printf(url, "?%s", query);
}

/* ---- one request ---- */

typedef struct s3_req {
	const char *method;
	const char *bucket, *key, *query;
	const char *header; /* one extra header line or NULL */
	/* request body: memory, or a range of a file */
	const uint8_t *body;
	size_t body_len;
	int in_fd;
	int64_t in_off, in_len, in_pos;
	/* response body: a file (2xx only), a caller's buffer, or mem */
	int out_fd;
	uint8_t *range_buf;
	size_t range_cap, range_got;
	ldp_buf mem;
	int64_t out_bytes;
	/* response */
	long status;
	char etag[256];
	int64_t content_length;
	int write_failed;
} s3_req;

static int is_2xx(long st)
{
	return st >= 200 && st < 300;
}

static size_t on_write(char *data, size_t size, size_t n, void *ud)
{
	s3_req *r = ud;
	size_t len = size * n;
	if (is_2xx(r->status) && r->out_fd >= 0) {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(r->out_fd, data + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				r->write_failed = errno ? errno : EIO;
				return 0;
			}
			off += (size_t)w;
		}
		r->out_bytes += (int64_t)len;
		return len;
	}
	if (is_2xx(r->status) && r->range_buf) {
		size_t take = len < r->range_cap - r->range_got ? len : r->range_cap - r->range_got;
		memcpy(r->range_buf + r->range_got, data, take);
		r->range_got += take;
		return len;
	}
	ldp_buf_put(&r->mem, data, len);
	return ldp_buf_oom(&r->mem) ? 0 : len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	s3_req *r = ud;
	size_t len = size * n;
	if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after a 100-continue or a redirect) */
		const char *sp = memchr(data, ' ', len);
		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		r->etag[0] = '\0';
		r->content_length = -1;
	} else if (len > 5 && strncasecmp(data, "ETag:", 5) == 0) {
		size_t i = 5, e = len;
		while (i < e && (data[i] == ' ' || data[i] == '\t'))
			i++;
		while (e > i && (data[e - 1] == '\r' || data[e - 1] == '\n' || data[e - 1] == ' '))
			e--;
		size_t vl = e - i < sizeof r->etag - 1 ? e - i : sizeof r->etag - 1;
		memcpy(r->etag, data + i, vl);
		r->etag[vl] = '\0';
	} else if (len > 15 && strncasecmp(data, "Content-Length:", 15) == 0) {
		r->content_length = strtoll(data + 15, NULL, 10);
	}
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
	s3_req *r = ud;
	size_t cap = size * n;
	if (r->body) {
		size_t left = r->body_len - (size_t)r->in_pos;
		size_t take = left < cap ? left : cap;
		memcpy(buf, r->body + r->in_pos, take);
		r->in_pos += (int64_t)take;
		return take;
	}
	int64_t left = r->in_len - r->in_pos;
	size_t take = (int64_t)cap < left ? cap : (size_t)left;
	for (;;) {
		ssize_t got = pread(r->in_fd, buf, take, r->in_off + r->in_pos);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return CURL_READFUNC_ABORT;
		r->in_pos += got;
		return (size_t)got;
	}
}

static int transient(CURLcode cc, long status)
{
	if (cc != CURLE_OK)
		return cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR || cc == CURLE_PARTIAL_FILE ||
		       cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_GOT_NOTHING || cc == CURLE_COULDNT_CONNECT;
	return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

static void describe(const s3_req *r, ldp_buf *b)
{
	ldp_buf_printf(b, "S3 %s s3://%s/%s", r->method, r->bucket, r->key ? r->key : "");
}

/* The message for a failed response: status, S3 error code and message. */
static int status_error(ldp_s3_client *c, s3_req *r)
{
	char *code = NULL, *msg = NULL;
	if (r->mem.len) {
		ldp_xml_text(r->mem.ptr, r->mem.len, "Code", &code, NULL);
		ldp_xml_text(r->mem.ptr, r->mem.len, "Message", &msg, NULL);
	}
	ldp_buf what = LDP_BUF_INIT;
	describe(r, &what);
	int st = r->status == 404 ? LDP_ENOTFOUND
		 : r->status == 412 ? LDP_EEXISTS
		 : (r->status == 401 || r->status == 403 || r->status == 400) ? LDP_EINVALID
									    : LDP_EIO;
	const char *hint = "";
	if (r->status == 401 || r->status == 403)
		hint = "; check the access key and secret (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the AWS profile) and the bucket's permissions";
	else if (code && strcmp(code, "NoSuchBucket") == 0)
		hint = "; create the bucket or fix the bucket name";
	else if (code && strcmp(code, "AuthorizationHeaderMalformed") == 0)
		hint = "; the region may be wrong (AWS_REGION or s3.region in ldp.yml)";
	int rc = ldp_error_set(st, "%s: HTTP %ld %s%s%s (endpoint %s, credentials: %s)%s", ldp_buf_cstr(&what), r->status,
			       code ? code : "", msg ? ": " : "", msg ? msg : "", c->cfg.endpoint,
			       c->cfg.credential_source ? c->cfg.credential_source : "none", hint);
	free(code);
	free(msg);
	ldp_buf_free(&what);
	return rc;
}

static int perform(ldp_s3_client *c, s3_req *r)
{
	ldp_buf url = LDP_BUF_INIT;
	ldp_s3_url(c, r->bucket, r->key, r->query, &url);
	if (ldp_buf_oom(&url))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	struct curl_slist *hdrs = NULL;
	hdrs = curl_slist_append(hdrs, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
	if (c->cfg.session_token) {
		ldp_buf t = LDP_BUF_INIT;
		ldp_buf_printf(&t, "x-amz-security-token: %s", c->cfg.session_token);
		hdrs = curl_slist_append(hdrs, ldp_buf_cstr(&t));
		memset(t.ptr, 0, t.len);
		ldp_buf_free(&t);
	}
	if (r->header)
		hdrs = curl_slist_append(hdrs, r->header);
	/* (No "Expect:" override to save the 100-continue round trip: libcurl
	 * 7.88 would sign the empty header it then leaves out.) */
	int rc = LDP_OK;
	for (int attempt = 0;; attempt++) {
		CURL *h = c->curl;
		curl_easy_reset(h);
		r->status = 0;
		r->in_pos = 0;
		r->range_got = 0;
		r->out_bytes = 0;
		r->write_failed = 0;
		ldp_buf_clear(&r->mem);
		if (r->out_fd >= 0 && (ftruncate(r->out_fd, 0) != 0 || lseek(r->out_fd, 0, SEEK_SET) != 0)) {
			rc = ldp_error_set(LDP_EIO, "cannot rewind the download file: %s", strerror(errno));
			break;
		}
		curl_easy_setopt(h, CURLOPT_URL, ldp_buf_cstr(&url));
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
		/* a stalled transfer (under 1 byte/s for 60 s) is a failure, not a hang */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
		if (c->cfg.access_key) {
			curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
			curl_easy_setopt(h, CURLOPT_USERNAME, c->cfg.access_key);
			curl_easy_setopt(h, CURLOPT_PASSWORD, c->cfg.secret_key);
		}
		if (strcmp(r->method, "HEAD") == 0) {
			curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		} else if (strcmp(r->method, "PUT") == 0 || strcmp(r->method, "POST") == 0) {
			curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(h, CURLOPT_READDATA, r);
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(r->body ? (int64_t)r->body_len : r->in_len));
			if (strcmp(r->method, "POST") == 0)
				curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "POST");
		} else if (strcmp(r->method, "GET") != 0) {
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
		}
		char errbuf[CURL_ERROR_SIZE] = "";
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		CURLcode cc = curl_easy_perform(h);
		if (r->write_failed) {
			ldp_buf w = LDP_BUF_INIT;
			describe(r, &w);
			rc = ldp_error_set(LDP_EIO, "%s: writing the download failed: %s", ldp_buf_cstr(&w), strerror(r->write_failed));
			ldp_buf_free(&w);
			break;
		}
		if (cc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
		if (attempt + 1 < S3_ATTEMPTS && transient(cc, r->status)) {
			LDP_INFO("S3 %s s3://%s/%s: %s, retrying", r->method, r->bucket, r->key ? r->key : "",
				 cc != CURLE_OK ? curl_easy_strerror(cc) : "server busy");
			ldp_backoff_sleep(attempt, 200, 5000);
			continue;
		}
		if (cc != CURLE_OK) {
			ldp_buf w = LDP_BUF_INIT;
			describe(r, &w);
			rc = ldp_error_set(LDP_EIO, "%s: %s (endpoint %s)%s", ldp_buf_cstr(&w), errbuf[0] ? errbuf : curl_easy_strerror(cc),
					   c->cfg.endpoint,
					   cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST
						   ? "; check the endpoint (AWS_ENDPOINT_URL or s3.endpoint in ldp.yml)"
						   : "");
			ldp_buf_free(&w);
		}
		break;
	}
	curl_slist_free_all(hdrs);
	ldp_buf_free(&url);
	return rc;
}

static void req_init(s3_req *r, const char *method, const char *bucket, const char *key)
{
	memset(r, 0, sizeof *r);
	r->method = method;
	r->bucket = bucket;
	r->key = key;
	r->in_fd = -1;
	r->out_fd = -1;
	r->content_length = -1;
}

/* perform + turn a non-2xx status into an error */
static int run(ldp_s3_client *c, s3_req *r)
{
	int rc = perform(c, r);
	if (!rc && !is_2xx(r->status))
		rc = status_error(c, r);
	return rc;
}

/* ---- operations ---- */

int ldp_s3_list_each(ldp_s3_client *c, const ldp_s3_list_query *lq, ldp_s3_list_fn fn, void *ctx)
{
	int rc = LDP_OK, stop = 0;
	char *token = NULL;
	const char *prefix = lq->prefix ? lq->prefix : "";
	while (!rc && !stop) {
		/* parameters in canonical (sorted) order */
		ldp_buf q = LDP_BUF_INIT;
		if (token) {
			ldp_buf_puts(&q, "continuation-token=");
			uri_encode(&q, token, 0);
			ldp_buf_putc(&q, '&');
		}
		if (lq->delimiter && *lq->delimiter) {
			ldp_buf_puts(&q, "delimiter=");
			uri_encode(&q, lq->delimiter, 0);
			ldp_buf_putc(&q, '&');
		}
		ldp_buf_puts(&q, "list-type=2");
		if (lq->page_size > 0)
			ldp_buf_printf(&q, "&max-keys=%d", lq->page_size);
		if (*prefix) {
			ldp_buf_puts(&q, "&prefix=");
			uri_encode(&q, prefix, 0);
		}
		if (lq->start_after && *lq->start_after && !token) {
			ldp_buf_puts(&q, "&start-after=");
			uri_encode(&q, lq->start_after, 0);
		}
		s3_req r;
		req_init(&r, "GET", lq->bucket, NULL);
		r.query = ldp_buf_cstr(&q);
		ldp_s3_list page;
		memset(&page, 0, sizeof page);
		rc = ldp_buf_oom(&q) ? ldp_error_set(LDP_ENOMEM, "out of memory") : run(c, &r);
		if (!rc)
			rc = ldp_s3_list_parse_page(r.mem.ptr ? r.mem.ptr : "", r.mem.len, &page);
		for (size_t i = 0; !rc && !stop && i < page.n; i++) {
			int v = fn(ctx, page.items[i].key, page.items[i].size, 0);
			stop = v > 0;
			rc = v < 0 ? v : LDP_OK;
		}
		for (size_t i = 0; !rc && !stop && i < page.nprefixes; i++) {
			int v = fn(ctx, page.prefixes[i], -1, 1);
			stop = v > 0;
			rc = v < 0 ? v : LDP_OK;
		}
		ldp_buf_free(&r.mem);
		ldp_buf_free(&q);
		free(token);
		token = NULL;
		if (!rc && page.truncated && !(token = strdup(page.next_token)))
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		if (!page.truncated)
			stop = 1;
		ldp_s3_list_free(&page);
	}
	free(token);
	return rc ? ldp_error_wrap(rc, "listing s3://%s/%s", lq->bucket, prefix) : LDP_OK;
}

static int collect(void *ctx, const char *key, int64_t size, int is_prefix)
{
	ldp_s3_list *l = ctx;
	int rc = is_prefix ? ldp_s3_list_add_prefix(l, key) : ldp_s3_list_add(l, key, size, NULL);
	return rc ? rc : 0;
}

int ldp_s3_list_objects(ldp_s3_client *c, const char *bucket, const char *prefix, int page_size, ldp_s3_list *out)
{
	memset(out, 0, sizeof *out);
	ldp_s3_list_query q = {.bucket = bucket, .prefix = prefix, .page_size = page_size};
	int rc = ldp_s3_list_each(c, &q, collect, out);
	if (rc)
		ldp_s3_list_free(out);
	return rc;
}

int ldp_s3_get_file(ldp_s3_client *c, const char *bucket, const char *key, const char *local_path, int64_t *size)
{
	char tmp[4200];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.part-%d", local_path, (int)getpid()) >= sizeof tmp)
		return ldp_error_set(LDP_EINVALID, "path too long: %s", local_path);
	char dir[4200];
	snprintf(dir, sizeof dir, "%s", local_path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		int rc = ldp_io_mkdirs(dir);
		if (rc)
			return rc;
	}
	s3_req r;
	req_init(&r, "GET", bucket, key);
	r.out_fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (r.out_fd < 0)
		return ldp_error_set(LDP_EIO, "cannot create %s: %s", tmp, strerror(errno));
	int rc = run(c, &r);
	if (!rc && r.content_length >= 0 && r.out_bytes != r.content_length)
		rc = ldp_error_set(LDP_EIO, "S3 GET s3://%s/%s: got %" PRId64 " of %" PRId64 " bytes", bucket, key,
				   r.out_bytes, r.content_length);
	if (close(r.out_fd) != 0 && !rc)
		rc = ldp_error_set(LDP_EIO, "writing %s: %s", tmp, strerror(errno));
	if (!rc && rename(tmp, local_path) != 0)
		rc = ldp_error_set(LDP_EIO, "renaming %s into place: %s", local_path, strerror(errno));
	if (rc)
		unlink(tmp);
	else if (size)
		*size = r.out_bytes;
	ldp_buf_free(&r.mem);
	return rc;
}

int ldp_s3_get_mem(ldp_s3_client *c, const char *bucket, const char *key, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	s3_req r;
	req_init(&r, "GET", bucket, key);
	int rc = run(c, &r);
	if (!rc) {
		*len = r.mem.len;
		if (!r.mem.ptr)
			ldp_buf_putc(&r.mem, '\0');
		*out = (uint8_t *)ldp_buf_detach(&r.mem);
		if (!*out)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	ldp_buf_free(&r.mem);
	return rc;
}

int ldp_s3_get_range(ldp_s3_client *c, const char *bucket, const char *key, int64_t offset, size_t len, uint8_t *buf,
		     size_t *got)
{
	*got = 0;
	if (len == 0)
		return LDP_OK;
	char range[96];
	snprintf(range, sizeof range, "Range: bytes=%" PRId64 "-%" PRId64, offset, offset + (int64_t)len - 1);
	s3_req r;
	req_init(&r, "GET", bucket, key);
	r.header = range;
	r.range_buf = buf;
	r.range_cap = len;
	int rc = run(c, &r);
	if (!rc)
		*got = r.range_got;
	ldp_buf_free(&r.mem);
	return rc;
}

int ldp_s3_head(ldp_s3_client *c, const char *bucket, const char *key, int *exists, int64_t *size)
{
	*exists = 0;
	s3_req r;
	req_init(&r, "HEAD", bucket, key);
	int rc = perform(c, &r);
	if (!rc && r.status == 404)
		return LDP_OK;
	if (!rc && !is_2xx(r.status)) {
		/* a HEAD answer has no body: ask again with a 1-byte GET to report
		 * S3's error code (SignatureDoesNotMatch, AccessDenied...) */
		s3_req g;
		uint8_t one;
		req_init(&g, "GET", bucket, key);
		g.header = "Range: bytes=0-0";
		g.range_buf = &one;
		g.range_cap = 1;
		rc = perform(c, &g);
		rc = status_error(c, !rc && !is_2xx(g.status) ? &g : &r);
		ldp_buf_free(&g.mem);
	}
	if (!rc) {
		*exists = 1;
		if (size)
			*size = r.content_length;
	}
	ldp_buf_free(&r.mem);
	return rc;
}

int ldp_s3_delete(ldp_s3_client *c, const char *bucket, const char *key)
{
	s3_req r;
	req_init(&r, "DELETE", bucket, key);
	int rc = perform(c, &r);
	if (!rc && !is_2xx(r.status) && r.status != 404)
		rc = status_error(c, &r);
	ldp_buf_free(&r.mem);
	return rc;
}

/*
 * Exclusive create: PUT with "If-None-Match: *" (S3 conditional writes, 2024;
 * MinIO and moto support it). A server that does not implement the header
 * answers 501 NotImplemented: then ldp checks with HEAD and writes
 * unconditionally, which is exclusive only without a concurrent writer of
 * the same key - acceptable for ldp because metadata file names carry a fresh
 * UUID and the catalog's compare-and-swap, not the file write, decides which
 * commit wins. A HEAD first also catches servers that silently ignore the
 * header in the common, non-racing case.
 */
int ldp_s3_put_mem(ldp_s3_client *c, const char *bucket, const char *key, const void *data, size_t len, int exclusive)
{
	int rc;
	if (exclusive) {
		int exists = 0;
		rc = ldp_s3_head(c, bucket, key, &exists, NULL);
		if (rc)
			return rc;
		if (exists)
			return ldp_error_set(LDP_EEXISTS, "s3://%s/%s already exists", bucket, key);
	}
	s3_req r;
	req_init(&r, "PUT", bucket, key);
	r.body = data ? data : (const uint8_t *)"";
	r.body_len = len;
	r.header = exclusive ? "If-None-Match: *" : NULL;
	rc = perform(c, &r);
	if (!rc && exclusive && r.status == 501) {
		LDP_INFO("S3 endpoint %s does not support conditional writes (If-None-Match); creating s3://%s/%s after a HEAD check",
			 c->cfg.endpoint, bucket, key);
		r.header = NULL;
		rc = perform(c, &r);
	}
	if (!rc && (r.status == 412 || (exclusive && r.status == 409)))
		rc = ldp_error_set(LDP_EEXISTS, "s3://%s/%s already exists", bucket, key);
	else if (!rc && !is_2xx(r.status))
		rc = status_error(c, &r);
	ldp_buf_free(&r.mem);
	return rc;
}

static int put_single(ldp_s3_client *c, const char *bucket, const char *key, int fd, int64_t size)
{
	s3_req r;
	req_init(&r, "PUT", bucket, key);
	r.in_fd = fd;
	r.in_len = size;
	int rc = run(c, &r);
	ldp_buf_free(&r.mem);
	return rc;
}

/* Multipart upload (CreateMultipartUpload, UploadPart..., Complete); aborted
 * on any failure so no invisible parts are left billed on the bucket. */
static int put_multipart(ldp_s3_client *c, const char *bucket, const char *key, int fd, int64_t size, size_t part)
{
	s3_req r;
	req_init(&r, "POST", bucket, key);
	r.query = "uploads=";
	r.body = (const uint8_t *)"";
	int rc = run(c, &r);
	char *upload_id = NULL;
	if (!rc)
		rc = ldp_xml_text(r.mem.ptr ? r.mem.ptr : "", r.mem.len, "UploadId", &upload_id, NULL);
	ldp_buf_free(&r.mem);
	if (!rc && !upload_id)
		rc = ldp_error_set(LDP_ECORRUPT, "S3 CreateMultipartUpload for s3://%s/%s returned no UploadId", bucket, key);
	if (rc)
		return rc;
	ldp_buf id_enc = LDP_BUF_INIT, done = LDP_BUF_INIT, q = LDP_BUF_INIT;
	uri_encode(&id_enc, upload_id, 0);
	ldp_buf_puts(&done, "<CompleteMultipartUpload>");
	int nparts = (int)((size + (int64_t)part - 1) / (int64_t)part);
	for (int i = 0; !rc && i < nparts; i++) {
		ldp_buf_clear(&q);
		ldp_buf_printf(&q, "partNumber=%d&uploadId=%s", i + 1, ldp_buf_cstr(&id_enc));
		req_init(&r, "PUT", bucket, key);
		r.query = ldp_buf_cstr(&q);
		r.in_fd = fd;
		r.in_off = (int64_t)i * (int64_t)part;
		r.in_len = size - r.in_off < (int64_t)part ? size - r.in_off : (int64_t)part;
		rc = run(c, &r);
		if (!rc && !r.etag[0])
			rc = ldp_error_set(LDP_ECORRUPT, "S3 UploadPart %d of s3://%s/%s returned no ETag", i + 1, bucket, key);
		if (!rc)
			ldp_buf_printf(&done, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i + 1, r.etag);
		ldp_buf_free(&r.mem);
	}
	ldp_buf_puts(&done, "</CompleteMultipartUpload>");
	ldp_buf_clear(&q);
	ldp_buf_printf(&q, "uploadId=%s", ldp_buf_cstr(&id_enc));
	if (!rc && (ldp_buf_oom(&done) || ldp_buf_oom(&q)))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!rc) {
		req_init(&r, "POST", bucket, key);
		r.query = ldp_buf_cstr(&q);
		r.body = (const uint8_t *)done.ptr;
		r.body_len = done.len;
		rc = run(c, &r);
		/* S3 may answer 200 with an <Error> body when completing fails late */
		if (!rc && r.mem.len && strstr(r.mem.ptr, "<Error>")) {
			r.status = 500;
			rc = status_error(c, &r);
		}
		ldp_buf_free(&r.mem);
	}
	if (rc) {
		int keep = rc;
		req_init(&r, "DELETE", bucket, key);
		r.query = ldp_buf_cstr(&q);
		char *saved = strdup(ldp_error_last()->message);
		perform(c, &r);
		ldp_buf_free(&r.mem);
		if (saved)
			ldp_error_set(keep, "%s", saved);
		free(saved);
		rc = keep;
	}
	free(upload_id);
	ldp_buf_free(&id_enc);
	ldp_buf_free(&done);
	ldp_buf_free(&q);
	return rc;
}

int ldp_s3_put_file(ldp_s3_client *c, const char *bucket, const char *key, const char *path, size_t part_size)
{
	/* S3 parts are 5 MiB at least (except the last) and 10000 at most */
	if (part_size == 0)
		part_size = 16u << 20;
	if (part_size < (5u << 20))
		part_size = 5u << 20;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ldp_error_set(errno == ENOENT ? LDP_ENOTFOUND : LDP_EIO, "%s: %s", path, strerror(errno));
	struct stat st;
	int rc = fstat(fd, &st) == 0 ? LDP_OK : ldp_error_set(LDP_EIO, "%s: %s", path, strerror(errno));
	if (!rc) {
		int64_t size = (int64_t)st.st_size;
		while (size / (int64_t)part_size >= 10000)
			part_size *= 2;
		rc = size > (int64_t)part_size ? put_multipart(c, bucket, key, fd, size, part_size)
					       : put_single(c, bucket, key, fd, size);
	}
	close(fd);
	return rc ? ldp_error_wrap(rc, "uploading %s to s3://%s/%s", path, bucket, key) : LDP_OK;
}

int ldp_s3_create_bucket(ldp_s3_client *c, const char *bucket)
{
	s3_req r;
	req_init(&r, "PUT", bucket, NULL);
	/* us-east-1 is the one region that takes no LocationConstraint */
	ldp_buf body = LDP_BUF_INIT;
	if (strcmp(c->cfg.region, "us-east-1") != 0)
		ldp_buf_printf(&body,
			       "<CreateBucketConfiguration><LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
			       c->cfg.region);
	r.body = (const uint8_t *)(body.ptr ? body.ptr : "");
	r.body_len = body.len;
	int rc = run(c, &r);
	ldp_buf_free(&r.mem);
	ldp_buf_free(&body);
	return rc;
}
