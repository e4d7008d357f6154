/*
 * io/http.h - one HTTP(S) client for everything that talks to a server: the
 * HTTP file and REST API ingest sources, S3, the REST catalog client.
 *
 * A request is retried on network failures (connection refused or reset, a
 * body cut short, a timeout) and on 429 / 5xx answers, with exponential
 * backoff (core/backoff.h); a Retry-After header (seconds or an HTTP date)
 * replaces the computed delay, up to retry_max_ms. Errors name the method,
 * the URL and the HTTP status. Secrets never reach a message or a log line:
 * URLs lose their user:password@ part, and every string listed in
 * `secrets` (a token, an API key sent as a query parameter) is replaced by
 * "***" in anything ldp prints.
 *
 * Ownership: an ldp_http_response owns its body and headers; release them
 * with ldp_http_response_clear(). The request only borrows its pointers.
 */
#ifndef LDP_IO_HTTP_H
#define LDP_IO_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Called while the body downloads: bytes received so far and the expected
 * total (0 when unknown). Returning non-zero aborts the transfer
 * (LDP_EINTERRUPTED). */
typedef int (*ldp_http_progress_fn)(void *ctx, int64_t received, int64_t total);

typedef struct ldp_http_request {
	const char *method; /* "GET" (default), "POST", "PUT", "HEAD", "DELETE", ... */
	const char *url;
	const char *const *headers; /* "Name: value" lines */
	size_t nheaders;
	/* The request body: from memory, or from a file (body_file wins). */
	const void *body;
	size_t body_len;
	const char *body_file;
	/* Where a 2xx response body goes: a file (truncated and rewritten on each
	 * attempt), or memory when NULL. Bodies of other answers always go to
	 * memory (at most 64 KiB kept) so errors can quote them. */
	const char *out_file;
	long connect_timeout_ms; /* 0: 30 s */
	long timeout_ms;         /* whole transfer; 0: no limit */
	long stall_timeout_ms;   /* abort when no byte arrives for this long; 0: 60 s */
	int max_retries;         /* -1: none; 0: default 4 */
	int retry_base_ms;       /* 0: 250 */
	int retry_max_ms;        /* 0: 30000 */
	/* Strings to hide from every message and log line. */
	const char *const *secrets;
	size_t nsecrets;
	ldp_http_progress_fn progress;
	void *progress_ctx;
} ldp_http_request;

typedef struct ldp_http_header {
	char *name;
	char *value;
} ldp_http_header;

typedef struct ldp_http_response {
	long status;           /* of the last answer */
	char *body;            /* NUL-terminated; NULL when written to out_file */
	size_t body_len;
	int64_t bytes;         /* body bytes received in the last attempt */
	ldp_http_header *headers; /* of the last answer, in order */
	size_t nheaders;
	int attempts;
} ldp_http_response;

/*
 * Perform the request, retrying as described above. Returns 0 when an answer
 * arrived, whatever its status (the caller decides what a 404 means), and
 * LDP_EIO when no answer could be had after the retries (the message names
 * the URL and the network failure; for retried 429/5xx answers the last
 * status is kept in res->status and 0 is returned).
 */
int ldp_http_do(const ldp_http_request *req, ldp_http_response *res);

/* ldp_http_do, then an error for any status outside 200..299 (and 304 when
 * allow_304): "GET https://h/x: HTTP 401 Unauthorized: <body start>". The
 * status class picks the code: 401/403 and 4xx are LDP_EINVALID, 404
 * LDP_ENOTFOUND, 5xx LDP_EIO. */
int ldp_http_do_ok(const ldp_http_request *req, ldp_http_response *res, int allow_304);

/* The first value of a response header (case-insensitive name), or NULL. */
const char *ldp_http_response_header(const ldp_http_response *res, const char *name);
void ldp_http_response_clear(ldp_http_response *res);

/* A copy of `text` with URL credentials and every secret replaced by "***"
 * (malloc'd; NULL on allocation failure). */
char *ldp_http_redact(const char *text, const char *const *secrets, size_t nsecrets);

/* Milliseconds to wait for a Retry-After value ("120" or an HTTP date),
 * relative to now_epoch_s; -1 when it cannot be parsed. */
int64_t ldp_http_retry_after_ms(const char *value, int64_t now_epoch_s);

/* Percent-encode for a URL query component (RFC 3986 unreserved kept). */
char *ldp_http_url_encode(const char *s);

/* The "next" target of an RFC 8288 Link header, or NULL (malloc'd). */
char *ldp_http_link_next(const char *link_header);

/* Resolve a possibly relative reference against a base URL (malloc'd). */
char *ldp_http_url_resolve(const char *base, const char *ref);

#endif
