/* HTTP(S) client over libcurl with retries; see io/http.h. */
#include "io/http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/backoff.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/log.h"

#define ERROR_BODY_KEEP (64 * 1024)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_init_rc;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

/* ---- redaction ---- */

static void replace_all(ldp_buf *out, const char *text, const char *needle)
{
	size_t nl = strlen(needle);
	const char *p = text, *hit;
	while ((hit = strstr(p, needle)) != NULL) {
		ldp_buf_put(out, p, (size_t)(hit - p));
		ldp_buf_puts(out, "***");
		p = hit + nl;
	}
	ldp_buf_puts(out, p);
}

/* Drop "user:pass@" from every URL in the text: credentials in a URL are as
 * secret as a token. */
static void strip_userinfo(ldp_buf *out, const char *text)
{
	const char *p = text;
	const char *sep;
	while ((sep = strstr(p, "://")) != NULL) {
		const char *auth = sep + 3;
		size_t n = strcspn(auth, "/?# \t\n'\"");
		const char *at = memchr(auth, '@', n);
		ldp_buf_put(out, p, (size_t)(auth - p));
		if (at) {
			ldp_buf_puts(out, "***@");
			p = at + 1;
		} else {
			p = auth;
		}
	}
	ldp_buf_puts(out, p);
}

char *ldp_http_redact(const char *text, const char *const *secrets, size_t nsecrets)
{
	ldp_buf cur = LDP_BUF_INIT;
	strip_userinfo(&cur, text ? text : "");
	for (size_t i = 0; i < nsecrets; i++) {
		if (!secrets[i] || !*secrets[i])
			continue;
		/* A secret sent as a query parameter appears percent-encoded in URLs. */
		char *enc = ldp_http_url_encode(secrets[i]);
		const char *forms[2] = {secrets[i], enc};
		for (int f = 0; f < 2; f++) {
			if (!forms[f] || (f == 1 && strcmp(forms[1], forms[0]) == 0))
				continue;
			ldp_buf next = LDP_BUF_INIT;
			replace_all(&next, ldp_buf_cstr(&cur), forms[f]);
			ldp_buf_free(&cur);
			cur = next;
		}
		free(enc);
	}
	if (ldp_buf_oom(&cur)) {
		ldp_buf_free(&cur);
		return NULL;
	}
	if (!cur.ptr)
		return strdup("");
	return ldp_buf_detach(&cur);
}

/* ---- small URL helpers ---- */

char *ldp_http_url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(n * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

char *ldp_http_link_next(const char *h)
{
	/* Link: <url>; rel="next"; foo=bar, <url2>; rel="prev last" (RFC 8288) */
	const char *p = h;
	while (p && *p) {
		const char *lt = strchr(p, '<');
		if (!lt)
			return NULL;
		const char *gt = strchr(lt, '>');
		if (!gt)
			return NULL;
		const char *end = strchr(gt, ',');
		size_t plen = end ? (size_t)(end - gt) : strlen(gt);
		char *params = strndup(gt + 1, plen ? plen - 1 : 0);
		if (!params)
			return NULL;
		int is_next = 0;
		for (char *q = params; (q = strcasestr(q, "rel")) != NULL; q += 3) {
			char *v = q + 3;
			while (*v == ' ')
				v++;
			if (*v != '=')
				continue;
			v++;
			while (*v == ' ' || *v == '"')
				v++;
			/* rel may hold several space-separated relation types */
			size_t vl = strcspn(v, "\";,");
			for (size_t i = 0; i < vl;) {
				size_t w = strcspn(v + i, " \";,");
				if (w == 4 && strncasecmp(v + i, "next", 4) == 0)
					is_next = 1;
				i += w + 1;
			}
		}
		free(params);
		if (is_next)
			return strndup(lt + 1, (size_t)(gt - lt - 1));
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

char *ldp_http_url_resolve(const char *base, const char *ref)
{
	if (strstr(ref, "://") && strcspn(ref, ":") < strcspn(ref, "/?#"))
		return strdup(ref);
	const char *sep = strstr(base, "://");
	if (!sep)
		return strdup(ref);
	size_t scheme_len = (size_t)(sep - base) + 1; /* "https:" */
	const char *auth = sep + 3;
	const char *path = auth + strcspn(auth, "/?#");
	ldp_buf b = LDP_BUF_INIT;
	if (ref[0] == '/' && ref[1] == '/') {
		ldp_buf_put(&b, base, scheme_len);
		ldp_buf_puts(&b, ref);
	} else if (ref[0] == '/') {
		ldp_buf_put(&b, base, (size_t)(path - base));
		ldp_buf_puts(&b, ref);
	} else if (ref[0] == '?') {
		ldp_buf_put(&b, base, (size_t)(path - base) + strcspn(path, "?#"));
		ldp_buf_puts(&b, ref);
	} else {
		size_t plen = strcspn(path, "?#");
		const char *slash = NULL;
		for (const char *q = path; q < path + plen; q++)
			if (*q == '/')
				slash = q;
		if (slash)
			ldp_buf_put(&b, base, (size_t)(slash - base) + 1);
		else {
			ldp_buf_put(&b, base, (size_t)(path - base));
			ldp_buf_putc(&b, '/');
		}
		ldp_buf_puts(&b, ref);
	}
	if (ldp_buf_oom(&b)) {
		ldp_buf_free(&b);
		return NULL;
	}
	return ldp_buf_detach(&b);
}

int64_t ldp_http_retry_after_ms(const char *v, int64_t now)
{
	while (v && isspace((unsigned char)*v))
		v++;
	if (!v || !*v)
		return -1;
	if (isdigit((unsigned char)*v)) {
		char *end;
		long long s = strtoll(v, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (*end || s < 0)
			return -1;
		return (int64_t)s * 1000;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(v, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!end)
		return -1;
	int64_t at = (int64_t)timegm(&tm);
	return at > now ? (at - now) * 1000 : 0;
}

/* ---- one transfer ---- */

typedef struct xfer {
	const ldp_http_request *req;
	CURL *curl;
	FILE *out;     /* the 2xx body file, opened at the first byte */
	ldp_buf body;  /* memory body */
	int to_memory; /* decided at the first byte */
	int decided;
	int file_err;
	int64_t bytes;
	ldp_http_header *headers;
	size_t nheaders, capheaders;
	FILE *in; /* request body file */
} xfer;

static void headers_clear(ldp_http_header *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	xfer *x = ud;
	size_t n = size * nmemb;
	/* A new status line starts a new answer (after a redirect or 100-continue). */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		headers_clear(x->headers, x->nheaders);
		x->nheaders = 0;
		return n;
	}
	const char *colon = memchr(data, ':', n);
	if (!colon)
		return n;
	size_t vlen = n - (size_t)(colon + 1 - data);
	const char *v = colon + 1;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
	if (x->nheaders == x->capheaders) {
		size_t nc = x->capheaders ? x->capheaders * 2 : 16;
		ldp_http_header *nh = realloc(x->headers, nc * sizeof *nh);
		if (!nh)
			return 0;
		x->headers = nh;
		x->capheaders = nc;
	}
	char *name = strndup(data, (size_t)(colon - data));
	char *value = strndup(v, vlen);
	if (!name || !value) {
		free(name);
		free(value);
		return 0;
	}
	x->headers[x->nheaders].name = name;
	x->headers[x->nheaders].value = value;
	x->nheaders++;
	return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	xfer *x = ud;
	size_t n = size * nmemb;
	if (!x->decided) {
		long status = 0;
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
		x->decided = 1;
		x->to_memory = !x->req->out_file || status < 200 || status > 299;
		if (!x->to_memory) {
			x->out = fopen(x->req->out_file, "wb");
			if (!x->out) {
				x->file_err = 1;
				return 0;
			}
		}
	}
	x->bytes += (int64_t)n;
	if (x->to_memory) {
		if (x->req->out_file && x->body.len >= ERROR_BODY_KEEP)
			return n;
		ldp_buf_put(&x->body, data, n);
		return ldp_buf_oom(&x->body) ? 0 : n;
	}
	if (fwrite(data, 1, n, x->out) != n) {
		x->file_err = 1;
		return 0;
	}
	return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)ultotal;
	(void)ulnow;
	xfer *x = ud;
	return x->req->progress(x->req->progress_ctx, (int64_t)dlnow, (int64_t)dltotal);
}

static size_t on_read(char *buf, size_t size, size_t nmemb, void *ud)
{
	xfer *x = ud;
	size_t r = fread(buf, size, nmemb, x->in);
	if (r == 0 && ferror(x->in))
		return CURL_READFUNC_ABORT;
	return r;
}

static int retriable_curl(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int retriable_status(long s)
{
	return s == 408 || s == 429 || (s >= 500 && s != 501 && s != 505);
}

void ldp_http_response_clear(ldp_http_response *res)
{
	if (!res)
		return;
	free(res->body);
	headers_clear(res->headers, res->nheaders);
	free(res->headers);
	memset(res, 0, sizeof *res);
}

const char *ldp_http_response_header(const ldp_http_response *res, const char *name)
{
	for (size_t i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0)
			return res->headers[i].value;
	return NULL;
}

/* "GET https://host/path" with secrets hidden, for messages. */
static char *describe(const ldp_http_request *req)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_printf(&b, "%s %s", req->method ? req->method : "GET", req->url);
	char *r = ldp_http_redact(ldp_buf_cstr(&b), req->secrets, req->nsecrets);
	ldp_buf_free(&b);
	return r;
}

static int setup_easy(CURL *c, const ldp_http_request *req, xfer *x, struct curl_slist **hl, char *errbuf)
{
	const char *method = req->method ? req->method : "GET";
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "ldp/0.1");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 30000L);
	if (req->timeout_ms > 0)
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	long stall = req->stall_timeout_ms > 0 ? req->stall_timeout_ms : 60000L;
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall >= 1000 ? stall / 1000 : 1L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	if (req->progress) {
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	}
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (req->body_file) {
		x->in = fopen(req->body_file, "rb");
		if (!x->in)
			return ldp_error_set(LDP_ENOTFOUND, "request body file %s cannot be opened", req->body_file);
		fseek(x->in, 0, SEEK_END);
		long sz = ftell(x->in);
		fseek(x->in, 0, SEEK_SET);
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, x);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)sz);
		if (strcmp(method, "PUT") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	} else if (req->body || strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	/* "Expect:" off: a 100-continue round trip only slows small uploads. */
	struct curl_slist *l = curl_slist_append(NULL, "Expect:");
	for (size_t i = 0; l && i < req->nheaders; i++) {
		struct curl_slist *n = curl_slist_append(l, req->headers[i]);
		if (!n) {
			curl_slist_free_all(l);
			l = NULL;
		}
		l = n;
	}
	if (!l)
		return ldp_error_set(LDP_ENOMEM, "out of memory building HTTP headers");
	*hl = l;
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, l);
	return 0;
}

static void xfer_reset(xfer *x)
{
	if (x->out)
		fclose(x->out);
	if (x->in)
		fclose(x->in);
	x->out = x->in = NULL;
	ldp_buf_free(&x->body);
	headers_clear(x->headers, x->nheaders);
	x->nheaders = 0;
	x->decided = x->to_memory = x->file_err = 0;
	x->bytes = 0;
}

int ldp_http_do(const ldp_http_request *req, ldp_http_response *res)
{
	memset(res, 0, sizeof *res);
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != 0)
		return ldp_error_set(LDP_ERROR, "libcurl failed to initialise");
	int max_retries = req->max_retries < 0 ? 0 : req->max_retries == 0 ? 4 : req->max_retries;
	int base = req->retry_base_ms > 0 ? req->retry_base_ms : 250;
	int cap = req->retry_max_ms > 0 ? req->retry_max_ms : 30000;
	CURL *c = curl_easy_init();
	if (!c)
		return ldp_error_set(LDP_ENOMEM, "libcurl: cannot create a handle");
	xfer x;
	memset(&x, 0, sizeof x);
	x.req = req;
	x.curl = c;
	char errbuf[CURL_ERROR_SIZE];
	int rc = 0;
	for (int attempt = 0;; attempt++) {
		struct curl_slist *hl = NULL;
		errbuf[0] = '\0';
		curl_easy_reset(c);
		xfer_reset(&x);
		rc = setup_easy(c, req, &x, &hl, errbuf);
		if (rc != 0)
			break;
		CURLcode cc = curl_easy_perform(c);
		curl_slist_free_all(hl);
		long status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (x.out && fclose(x.out) != 0)
			x.file_err = 1;
		x.out = NULL;
		res->attempts = attempt + 1;
		if (x.file_err) {
			rc = ldp_error_set(LDP_EIO, "writing %s failed", req->out_file);
			break;
		}
		if (cc == CURLE_ABORTED_BY_CALLBACK) {
			char *d = describe(req);
			rc = ldp_error_set(LDP_EINTERRUPTED, "%s: cancelled", d ? d : "request");
			free(d);
			break;
		}
		int64_t wait_ms = -1;
		if (cc != CURLE_OK) {
			char *d = describe(req);
			char *why = ldp_http_redact(errbuf[0] ? errbuf : curl_easy_strerror(cc), req->secrets, req->nsecrets);
			if (!retriable_curl(cc) || attempt >= max_retries) {
				if (attempt)
					rc = ldp_error_set(LDP_EIO, "%s: network error after %d attempts: %s", d ? d : "request",
							   attempt + 1, why ? why : "");
				else
					rc = ldp_error_set(LDP_EIO, "%s: network error: %s", d ? d : "request", why ? why : "");
				free(d);
				free(why);
				break;
			}
			LDP_INFO("%s: %s; retrying (attempt %d of %d)", d ? d : "request", why ? why : "", attempt + 2,
				 max_retries + 1);
			free(d);
			free(why);
		} else {
			res->status = status;
			if (!retriable_status(status) || attempt >= max_retries)
				break;
			for (size_t i = 0; i < x.nheaders; i++)
				if (strcasecmp(x.headers[i].name, "Retry-After") == 0)
					wait_ms = ldp_http_retry_after_ms(x.headers[i].value, (int64_t)time(NULL));
			char *d = describe(req);
			LDP_INFO("%s: HTTP %ld; retrying (attempt %d of %d)", d ? d : "request", status, attempt + 2,
				 max_retries + 1);
			free(d);
		}
		if (wait_ms >= 0) {
			if (wait_ms > cap)
				wait_ms = cap;
			struct timespec ts = {(time_t)(wait_ms / 1000), (long)(wait_ms % 1000) * 1000000L};
			while (nanosleep(&ts, &ts) != 0)
				;
		} else {
			ldp_backoff_sleep(attempt, base, cap);
		}
	}
	if (x.in)
		fclose(x.in);
	x.in = NULL;
	if (rc == 0) {
		res->bytes = x.bytes;
		if (x.to_memory || !req->out_file) {
			res->body_len = x.body.len;
			res->body = x.body.ptr ? ldp_buf_detach(&x.body) : strdup("");
		}
		res->headers = x.headers;
		res->nheaders = x.nheaders;
		x.headers = NULL;
		x.nheaders = 0;
	}
	ldp_buf_free(&x.body);
	headers_clear(x.headers, x.nheaders);
	free(x.headers);
	curl_easy_cleanup(c);
	if (rc != 0)
		res->status = 0;
	return rc;
}

static const char *reason(long s)
{
	switch (s) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

int ldp_http_do_ok(const ldp_http_request *req, ldp_http_response *res, int allow_304)
{
	int rc = ldp_http_do(req, res);
	if (rc != 0)
		return rc;
	long s = res->status;
	if ((s >= 200 && s <= 299) || (allow_304 && s == 304))
		return 0;
	int code = s == 404 ? LDP_ENOTFOUND : s >= 500 ? LDP_EIO : LDP_EINVALID;
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_printf(&b, "%s %s: HTTP %ld", req->method ? req->method : "GET", req->url, s);
	if (*reason(s))
		ldp_buf_printf(&b, " %s", reason(s));
	if (res->attempts > 1)
		ldp_buf_printf(&b, " (after %d attempts)", res->attempts);
	if (s == 401 || s == 403)
		ldp_buf_puts(&b, ": check the credentials (--auth and the environment variables it names)");
	if (res->body && res->body_len) {
		size_t n = res->body_len < 200 ? res->body_len : 200;
		ldp_buf_puts(&b, ": ");
		for (size_t i = 0; i < n; i++)
			ldp_buf_putc(&b, isprint((unsigned char)res->body[i]) ? res->body[i] : ' ');
	}
	char *msg = ldp_http_redact(ldp_buf_cstr(&b), req->secrets, req->nsecrets);
	ldp_buf_free(&b);
	rc = ldp_error_set(code, "%s", msg ? msg : "HTTP request failed");
	free(msg);
	return rc;
}
