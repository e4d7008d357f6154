/*
 * io/s3.h - a small S3 client (AWS S3 and S3-compatible stores: MinIO, Ceph,
 * moto...) over libcurl, which signs requests with Signature V4
 * (CURLOPT_AWS_SIGV4).
 *
 * Configuration is resolved once per client (ldp_s3_config_resolve), with the
 * AWS tools' precedence, highest first:
 *   credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN;
 *                the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
 *                default ~/.aws/credentials), section [<profile>]; the config
 *                file (AWS_CONFIG_FILE, default ~/.aws/config), section
 *                [profile <profile>] or [default]. Profile: the settings',
 *                else AWS_PROFILE, else "default". None found: unsigned
 *                (anonymous) requests, for public buckets.
 *   region:      AWS_REGION, AWS_DEFAULT_REGION, the settings (ldp.yml),
 *                the config file's `region`, else us-east-1.
 *   endpoint:    AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the settings, the
 *                config file's `endpoint_url`, else https://s3.<region>.amazonaws.com.
 *   path style:  the settings; else LDP_S3_PATH_STYLE; else on for a custom
 *                endpoint (what MinIO and most S3-compatible servers expect)
 *                and for bucket names that cannot be DNS labels.
 *
 * Secrets are never logged nor put into error messages.
 *
 * Ownership: strings in ldp_s3_config and ldp_s3_list are malloc'd and freed
 * by ldp_s3_config_clear / ldp_s3_list_free; buffers returned through `out`
 * are malloc'd (free()).
 */
#ifndef LDP_IO_S3_H
#define LDP_IO_S3_H

#include <stddef.h>
#include <stdint.h>

#include "ldp/buf.h"

/* Settings from ldp.yml's `s3:` mapping (any may be NULL / -1 = unset). */
typedef struct ldp_s3_settings {
	const char *endpoint;
	const char *region;
	const char *profile;
	int path_style; /* 1, 0, or -1 unset */
} ldp_s3_settings;

typedef struct ldp_s3_config {
	char *access_key;    /* NULL: anonymous */
	char *secret_key;
	char *session_token; /* may be NULL */
	char *region;
	char *endpoint;      /* scheme://host[:port], no trailing slash */
	int path_style;
	char *credential_source; /* "environment", "<file> [profile]"... for messages */
} ldp_s3_config;

/* Resolve as described above. `home` is $HOME (NULL: getenv("HOME")). */
int ldp_s3_config_resolve(const ldp_s3_settings *s, ldp_s3_config *out);
void ldp_s3_config_clear(ldp_s3_config *c);

/* The value of `key` in section `section` of an INI text (AWS config format:
 * `key = value`, '#' and ';' comments, keys case-sensitive, whitespace
 * trimmed). NULL *out when absent. */
int ldp_ini_get(const char *text, const char *section, const char *key, char **out);

/* "s3://bucket/key/part" (also s3a://, s3n://) -> bucket and key (key may be
 * ""). LDP_EINVALID naming the URI otherwise. */
int ldp_s3_uri_parse(const char *uri, char **bucket, char **key);
/* Whether a path is an S3 URI. */
int ldp_s3_is_uri(const char *path);

/* ---- minimal XML (see s3_xml.c for why no XML library) ---- */

/* The text of the first element <tag>...</tag> in [xml, xml+len), entities
 * decoded; NULL *out when absent. *next (optional) points past its end tag. */
int ldp_xml_text(const char *xml, size_t len, const char *tag, char **out, const char **next);
/* The inner span of the next element <tag>...</tag> at or after xml; returns
 * 0 and sets *inner, *inner_len and *next, or LDP_ENOTFOUND when there is none. */
int ldp_xml_element(const char *xml, size_t len, const char *tag, const char **inner, size_t *inner_len,
		    const char **next);

typedef struct ldp_s3_object {
	char *key;
	int64_t size;
	char *etag;
} ldp_s3_object;

typedef struct ldp_s3_list {
	ldp_s3_object *items;
	size_t n, cap;
	char **prefixes; /* CommonPrefixes of a listing with a delimiter */
	size_t nprefixes, capprefixes;
	char *next_token; /* continuation token of the last page parsed, or NULL */
	int truncated;
} ldp_s3_list;

void ldp_s3_list_free(ldp_s3_list *l);
/* Append the objects and common prefixes of one ListObjectsV2 response
 * page; sets truncated and next_token. LDP_ECORRUPT for a body that is not a
 * ListBucketResult. */
int ldp_s3_list_parse_page(const char *xml, size_t len, ldp_s3_list *l);
/* Append one object (copies the strings; etag may be NULL) or one prefix. */
int ldp_s3_list_add(ldp_s3_list *l, const char *key, int64_t size, const char *etag);
int ldp_s3_list_add_prefix(ldp_s3_list *l, const char *prefix);

/* ---- the client ---- */

typedef struct ldp_s3_client ldp_s3_client;

int ldp_s3_client_new(const ldp_s3_config *c, ldp_s3_client **out);
void ldp_s3_client_free(ldp_s3_client *c);
/* The request URL of an object (key NULL: the bucket) with an already
 * canonical query (or NULL): path style or virtual-hosted style as
 * configured, the key URI-encoded as SigV4 requires. */
void ldp_s3_url(const ldp_s3_client *c, const char *bucket, const char *key, const char *query, ldp_buf *url);
/* A copy of the client's configuration (clear it with ldp_s3_config_clear). */
int ldp_s3_client_config_copy(const ldp_s3_client *c, ldp_s3_config *out);
/* The resolved endpoint URL (owned by the client). */
const char *ldp_s3_client_endpoint(const ldp_s3_client *c);
/* A listing, visited page by page as it arrives (a bucket may hold millions
 * of keys: the visitor can stop early). With a delimiter ("/"), keys below
 * the next delimiter come as one common prefix (is_prefix 1, size -1)
 * instead. Within a page objects come first, then prefixes, each in key
 * order. The visitor returns 0 to go on, 1 to stop (no error), or a negative
 * status to fail the listing. */
typedef int (*ldp_s3_list_fn)(void *ctx, const char *key, int64_t size, int is_prefix);
typedef struct ldp_s3_list_query {
	const char *bucket;
	const char *prefix;      /* may be NULL */
	const char *delimiter;   /* may be NULL */
	const char *start_after; /* list keys after this one (NULL: from the start) */
	int page_size;           /* 0: the server's default (1000) */
} ldp_s3_list_query;
int ldp_s3_list_each(ldp_s3_client *c, const ldp_s3_list_query *q, ldp_s3_list_fn fn, void *ctx);
/* Objects under `prefix` (all pages; page_size 0 = the server's default of
 * 1000), in key order. */
int ldp_s3_list_objects(ldp_s3_client *c, const char *bucket, const char *prefix, int page_size, ldp_s3_list *out);
/* Stream an object into local_path (written under a temporary name, renamed
 * when complete). LDP_ENOTFOUND when the object does not exist. */
int ldp_s3_get_file(ldp_s3_client *c, const char *bucket, const char *key, const char *local_path, int64_t *size);
int ldp_s3_get_mem(ldp_s3_client *c, const char *bucket, const char *key, uint8_t **out, size_t *len);
/* Bytes [offset, offset+len) into buf; *got is what arrived (short at the end). */
int ldp_s3_get_range(ldp_s3_client *c, const char *bucket, const char *key, int64_t offset, size_t len, uint8_t *buf,
		     size_t *got);
/* *exists 0/1 and the size when it exists. */
int ldp_s3_head(ldp_s3_client *c, const char *bucket, const char *key, int *exists, int64_t *size);
/* Write an object. exclusive: only when the key does not exist yet
 * (If-None-Match: *), LDP_EEXISTS when it does; see s3.c for servers that
 * ignore the header. */
int ldp_s3_put_mem(ldp_s3_client *c, const char *bucket, const char *key, const void *data, size_t len, int exclusive);
/* Upload a local file, as a multipart upload when it is larger than
 * part_size (0: 16 MiB). */
int ldp_s3_put_file(ldp_s3_client *c, const char *bucket, const char *key, const char *path, size_t part_size);
/* CreateBucket in the client's region. */
int ldp_s3_create_bucket(ldp_s3_client *c, const char *bucket);
/* Missing objects are not an error (S3 semantics). */
int ldp_s3_delete(ldp_s3_client *c, const char *bucket, const char *key);


#endif
