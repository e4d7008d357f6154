/*
 * ingest/remote.h - pieces shared by the network sources (HTTP files, REST
 * APIs, NEAR Lake): credentials from the environment, request headers, the
 * download cache.
 *
 * Credentials never travel through the command line: --auth names
 * environment variables, and every secret value read from them is listed in
 * ingest_http_auth.secrets so io/http.c hides it from messages and logs.
 *
 * Ownership: ingest_http_auth owns its strings; free with
 * ingest_http_auth_clear().
 */
#ifndef LDP_INGEST_REMOTE_H
#define LDP_INGEST_REMOTE_H

#include <stddef.h>

#include "ingest/ingest.h"
#include "io/http.h"

typedef struct ingest_http_auth {
	char **headers; /* "Name: value": --header options, then the auth header */
	size_t nheaders;
	char **secrets;
	size_t nsecrets;
	char *query_name; /* api-key sent as a query parameter */
	char *query_value;
} ingest_http_auth;

/*
 * Build headers and credentials from --header (repeatable) and --auth:
 *   bearer:ENV                      Authorization: Bearer $ENV
 *   basic:USER_ENV:PASS_ENV         Authorization: Basic base64($USER_ENV:$PASS_ENV)
 *   api-key:header:NAME:ENV         NAME: $ENV
 *   api-key:query:NAME:ENV          ?NAME=$ENV on every request
 * LDP_EINVALID for a malformed --auth or an unset variable.
 */
int ingest_http_auth_init(const ldp_ingest_options *o, ingest_http_auth *a);
void ingest_http_auth_clear(ingest_http_auth *a);
/* Fill the header/secret fields of a request from a. */
void ingest_http_auth_apply(const ingest_http_auth *a, ldp_http_request *req);
/* url plus the api-key query parameter when --auth asks for one (malloc'd). */
int ingest_url_with_key(const char *url, const ingest_http_auth *a, char **out);
/* Retry settings from --retries and LDP_HTTP_RETRY_BASE_MS (tests make the
 * backoff short). */
int ingest_http_retry_options(const ldp_ingest_options *o, ldp_http_request *req);

/* The download cache directory for a kind ("http"): --cache-dir, else
 * $LDP_CACHE_DIR/<kind>, else <project>/.ldp/cache/<kind> (the warehouse's
 * parent directory), else ~/.cache/ldp/<kind>. Created. malloc'd. */
int ingest_cache_dir(const ldp_ingest_options *o, const char *kind, char **out);

/* A scratch directory for a driver's temporary files (malloc'd, created). */
int ingest_temp_dir(const char *prefix, char **out);

/* A new empty temporary file named <TMPDIR>/ldp-<prefix>-XXXXXX<suffix>. */
int ingest_temp_file(const char *prefix, const char *suffix, char **out);

/* base64 of n bytes (malloc'd). */
char *ingest_base64(const unsigned char *p, size_t n);

/* NEAR Lake: ingest blocks into <ns>.blocks, .chunks, ... (ingest/near.c). */
int ldp_ingest_near(ldp_warehouse *wh, const char *uri, const char *ns, const ldp_ingest_options *o,
		    ldp_ingest_result *res);
/* REST API source (ingest/api.c): api+https://... or api+http://... */
int ldp_ingest_fetch_api(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out);

extern const char *const ingest_http_option_names[];
extern const char *const ingest_api_option_names[];
extern const char *const ingest_near_option_names[];

#endif
