/*
 * FileIO for s3:// paths: what ldp_io_* (local.c) does for files, done with
 * the S3 client, plus the local content cache DuckDB reads data files from
 * (this DuckDB build has no httpfs; Iceberg data files never change once
 * written, so a copy cached under the object's name stays valid for good).
 *
 * The client is process-wide (one connection pool, one resolved
 * configuration), guarded by a mutex: the only mutable global besides the
 * log sink, and it holds nothing but configuration and a connection.
 */
#include "io/s3_io.h"

#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/s3.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static ldp_s3_client *g_client;
static struct {
	char *endpoint, *region, *profile;
	int path_style;
	int set;
} g_settings;

int ldp_s3_io_configure(const ldp_s3_settings *s)
{
	pthread_mutex_lock(&g_lock);
	free(g_settings.endpoint);
	free(g_settings.region);
	free(g_settings.profile);
	g_settings.endpoint = s && s->endpoint ? strdup(s->endpoint) : NULL;
	g_settings.region = s && s->region ? strdup(s->region) : NULL;
	g_settings.profile = s && s->profile ? strdup(s->profile) : NULL;
	g_settings.path_style = s ? s->path_style : -1;
	g_settings.set = 1;
	ldp_s3_client_free(g_client);
	g_client = NULL;
	pthread_mutex_unlock(&g_lock);
	return LDP_OK;
}

static const char *jstr(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int ldp_s3_io_configure_json(const json_t *s3, const char *file)
{
	ldp_s3_settings s = {NULL, NULL, NULL, -1};
	if (s3 && !json_is_object(s3))
		return ldp_error_set(LDP_EINVALID, "%s: 's3' must be a mapping (endpoint, region, profile, path_style)", file);
	if (s3) {
		const char *keys[] = {"endpoint", "region", "profile"};
		for (size_t i = 0; i < 3; i++) {
			json_t *v = json_object_get(s3, keys[i]);
			if (v && !json_is_string(v))
				return ldp_error_set(LDP_EINVALID, "%s: s3.%s must be a string", file, keys[i]);
		}
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)s3, k, v)
		{
			if (strcmp(k, "endpoint") && strcmp(k, "region") && strcmp(k, "profile") && strcmp(k, "path_style"))
				return ldp_error_set(LDP_EINVALID,
						     "%s: unknown key s3.%s (use endpoint, region, profile, path_style; credentials "
						     "belong in the environment or the AWS credentials file, never in ldp.yml)",
						     file, k);
		}
		s.endpoint = jstr(s3, "endpoint");
		s.region = jstr(s3, "region");
		s.profile = jstr(s3, "profile");
		json_t *ps = json_object_get(s3, "path_style");
		if (json_is_boolean(ps))
			s.path_style = json_is_true(ps);
		else if (json_is_string(ps) && (!strcmp(json_string_value(ps), "true") || !strcmp(json_string_value(ps), "false")))
			s.path_style = !strcmp(json_string_value(ps), "true");
		else if (ps)
			return ldp_error_set(LDP_EINVALID, "%s: s3.path_style must be true or false", file);
	}
	return ldp_s3_io_configure(&s);
}

/* Called with g_lock held. */
static int client_locked(ldp_s3_client **out)
{
	if (!g_client) {
		ldp_s3_settings s = {g_settings.endpoint, g_settings.region, g_settings.profile,
				     g_settings.set ? g_settings.path_style : -1};
		ldp_s3_config cfg;
		int rc = ldp_s3_config_resolve(&s, &cfg);
		if (!rc)
			rc = ldp_s3_client_new(&cfg, &g_client);
		ldp_s3_config_clear(&cfg);
		if (rc)
			return ldp_error_wrap(rc, "configuring S3 access");
	}
	*out = g_client;
	return LDP_OK;
}

int ldp_s3_io_client(ldp_s3_client **out)
{
	pthread_mutex_lock(&g_lock);
	int rc = client_locked(out);
	pthread_mutex_unlock(&g_lock);
	return rc;
}

int ldp_s3_cache_dir(char **out)
{
	ldp_buf b = LDP_BUF_INIT;
	const char *v;
	if ((v = getenv("LDP_CACHE_DIR")) && *v)
		ldp_buf_puts(&b, v);
	else if ((v = getenv("XDG_CACHE_HOME")) && *v)
		ldp_buf_printf(&b, "%s/ldp", v);
	else if ((v = getenv("HOME")) && *v)
		ldp_buf_printf(&b, "%s/.cache/ldp", v);
	else
		ldp_buf_puts(&b, "/tmp/ldp-cache");
	*out = ldp_buf_detach(&b);
	return *out ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}

/* Run `fn` on a parsed URI with the client locked (one curl handle). */
typedef int (*s3_op)(ldp_s3_client *c, const char *bucket, const char *key, void *ctx);

static int with_s3(const char *uri, s3_op fn, void *ctx)
{
	char *bucket, *key;
	int rc = ldp_s3_uri_parse(uri, &bucket, &key);
	if (rc)
		return rc;
	pthread_mutex_lock(&g_lock);
	ldp_s3_client *c = NULL;
	rc = client_locked(&c);
	if (!rc)
		rc = fn(c, bucket, key, ctx);
	pthread_mutex_unlock(&g_lock);
	free(bucket);
	free(key);
	return rc;
}

typedef struct io_ctx {
	const void *data;
	size_t len;
	uint8_t **out;
	size_t *outlen;
	int exclusive;
	int exists;
	int64_t size;
	const char *path;
} io_ctx;

static int op_read(ldp_s3_client *c, const char *b, const char *k, void *ctx)
{
	io_ctx *x = ctx;
	return ldp_s3_get_mem(c, b, k, x->out, x->outlen);
}

int ldp_s3_io_read_all(const char *uri, uint8_t **out, size_t *len)
{
	io_ctx x = {.out = out, .outlen = len};
	return with_s3(uri, op_read, &x);
}

static int op_write(ldp_s3_client *c, const char *b, const char *k, void *ctx)
{
	io_ctx *x = ctx;
	return ldp_s3_put_mem(c, b, k, x->data, x->len, x->exclusive);
}

int ldp_s3_io_write(const char *uri, const void *data, size_t len, int exclusive)
{
	io_ctx x = {.data = data, .len = len, .exclusive = exclusive};
	return with_s3(uri, op_write, &x);
}

static int op_head(ldp_s3_client *c, const char *b, const char *k, void *ctx)
{
	io_ctx *x = ctx;
	return ldp_s3_head(c, b, k, &x->exists, &x->size);
}

int ldp_s3_io_exists(const char *uri)
{
	io_ctx x = {0};
	int rc = with_s3(uri, op_head, &x);
	if (rc)
		ldp_error_clear(); /* exists() has no error channel: a failure reads as absent */
	return !rc && x.exists;
}

int ldp_s3_io_file_size(const char *uri, int64_t *out)
{
	io_ctx x = {0};
	int rc = with_s3(uri, op_head, &x);
	if (!rc && !x.exists)
		rc = ldp_error_set(LDP_ENOTFOUND, "%s: no such object", uri);
	if (!rc)
		*out = x.size;
	return rc;
}

static int op_delete(ldp_s3_client *c, const char *b, const char *k, void *ctx)
{
	(void)ctx;
	return ldp_s3_delete(c, b, k);
}

int ldp_s3_io_remove(const char *uri)
{
	return with_s3(uri, op_delete, NULL);
}

static int op_remove_tree(ldp_s3_client *c, const char *b, const char *k, void *ctx)
{
	(void)ctx;
	/* a "directory" is a key prefix ending in '/': never s3://b/t matching s3://b/t2/... */
	ldp_buf prefix = LDP_BUF_INIT;
	ldp_buf_puts(&prefix, k);
	if (prefix.len && prefix.ptr[prefix.len - 1] != '/')
		ldp_buf_putc(&prefix, '/');
	if (ldp_buf_oom(&prefix))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	if (prefix.len == 0) {
		ldp_buf_free(&prefix);
		return ldp_error_set(LDP_EINVALID, "refusing to remove the whole bucket s3://%s", b);
	}
	ldp_s3_list l;
	int rc = ldp_s3_list_objects(c, b, ldp_buf_cstr(&prefix), 0, &l);
	for (size_t i = 0; !rc && i < l.n; i++)
		rc = ldp_s3_delete(c, b, l.items[i].key);
	if (!rc)
		ldp_s3_list_free(&l);
	ldp_buf_free(&prefix);
	return rc;
}

int ldp_s3_io_remove_tree(const char *uri)
{
	return with_s3(uri, op_remove_tree, NULL);
}

static int op_upload(ldp_s3_client *c, const char *b, const char *k, void *ctx)
{
	io_ctx *x = ctx;
	return ldp_s3_put_file(c, b, k, x->path, 0);
}

int ldp_s3_io_upload(const char *local_path, const char *uri)
{
	io_ctx x = {.path = local_path};
	return with_s3(uri, op_upload, &x);
}

/* The cache path of an object: <cache>/s3/<endpoint host>/<bucket>/<key>
 * (the endpoint keeps two stores' same-named buckets apart). */
static int cache_path(ldp_s3_client *c, const char *b, const char *k, ldp_buf *out)
{
	char *dir = NULL;
	int rc = ldp_s3_cache_dir(&dir);
	if (rc)
		return rc;
	ldp_buf_printf(out, "%s/s3/", dir);
	free(dir);
	const char *ep = ldp_s3_client_endpoint(c);
	const char *host = strstr(ep, "://");
	for (const char *p = host ? host + 3 : ep; *p; p++)
		ldp_buf_putc(out, (*p == '/' || *p == ':') ? '_' : *p);
	ldp_buf_printf(out, "/%s/", b);
	/* keys may hold "..": keep the cache inside its directory */
	for (const char *p = k; *p; p++) {
		if (p[0] == '.' && p[1] == '.' && (p == k || p[-1] == '/') && (p[2] == '/' || p[2] == '\0')) {
			ldp_buf_puts(out, "%2E%2E");
			p++;
			continue;
		}
		ldp_buf_putc(out, *p);
	}
	return ldp_buf_oom(out) ? ldp_error_set(LDP_ENOMEM, "out of memory") : LDP_OK;
}

static int op_cache(ldp_s3_client *c, const char *b, const char *k, void *ctx)
{
	io_ctx *x = ctx;
	ldp_buf p = LDP_BUF_INIT;
	int rc = cache_path(c, b, k, &p);
	/* complete or absent: downloads land under a temporary name first; a
	 * copy of another size is stale (the store was reset and the key reused) */
	struct stat st;
	int cached = !rc && stat(ldp_buf_cstr(&p), &st) == 0 && (x->size < 0 || (int64_t)st.st_size == x->size);
	if (!rc && !cached)
		rc = ldp_s3_get_file(c, b, k, ldp_buf_cstr(&p), NULL);
	if (!rc)
		*(char **)x->out = ldp_buf_detach(&p);
	ldp_buf_free(&p);
	return rc;
}

int ldp_s3_io_cached_copy(const char *uri, int64_t size, char **local)
{
	*local = NULL;
	io_ctx x = {.out = (uint8_t **)local, .size = size};
	return with_s3(uri, op_cache, &x);
}

/* ---- parallel prefetch into the content cache ---- */

/* Scans of many small files are bound by request latency, not bandwidth:
 * a few transfers at once, each worker with its own client (a curl handle
 * is not shared between threads). */
#define PREFETCH_THREADS 4

typedef struct prefetch_job {
	const char *const *uris;
	const int64_t *sizes;
	size_t n;
	size_t next; /* guarded by lock */
	const ldp_s3_config *cfg;
	pthread_mutex_t lock;
	int rc;       /* first failure */
	char *message;
} prefetch_job;

static void *prefetch_worker(void *arg)
{
	prefetch_job *j = arg;
	ldp_s3_client *c = NULL;
	int rc = ldp_s3_client_new(j->cfg, &c);
	for (;;) {
		pthread_mutex_lock(&j->lock);
		size_t i = j->next++;
		int stop = j->rc != LDP_OK;
		pthread_mutex_unlock(&j->lock);
		if (rc || stop || i >= j->n)
			break;
		if (!ldp_s3_is_uri(j->uris[i]))
			continue;
		char *bucket = NULL, *key = NULL, *local = NULL;
		rc = ldp_s3_uri_parse(j->uris[i], &bucket, &key);
		io_ctx x = {.out = (uint8_t **)&local, .size = j->sizes ? j->sizes[i] : -1};
		if (!rc)
			rc = op_cache(c, bucket, key, &x);
		free(bucket);
		free(key);
		free(local);
	}
	if (rc) {
		pthread_mutex_lock(&j->lock);
		if (j->rc == LDP_OK) {
			j->rc = rc;
			j->message = strdup(ldp_error_last()->message); /* errors are per thread */
		}
		pthread_mutex_unlock(&j->lock);
	}
	ldp_s3_client_free(c);
	return NULL;
}

int ldp_s3_io_prefetch(const char *const *uris, const int64_t *sizes, size_t n)
{
	size_t remote = 0;
	for (size_t i = 0; i < n; i++)
		remote += ldp_s3_is_uri(uris[i]) != 0;
	if (remote == 0)
		return LDP_OK;
	prefetch_job j = {.uris = uris, .sizes = sizes, .n = n};
	pthread_mutex_init(&j.lock, NULL);
	/* the shared client's resolved configuration, copied by each worker */
	pthread_mutex_lock(&g_lock);
	ldp_s3_client *shared = NULL;
	int rc = client_locked(&shared);
	ldp_s3_config cfg;
	memset(&cfg, 0, sizeof cfg);
	if (!rc)
		rc = ldp_s3_client_config_copy(shared, &cfg);
	pthread_mutex_unlock(&g_lock);
	pthread_t th[PREFETCH_THREADS];
	size_t nth = 0;
	j.cfg = &cfg;
	for (size_t t = 0; !rc && t < PREFETCH_THREADS && t < remote; t++) {
		if (pthread_create(&th[t], NULL, prefetch_worker, &j) != 0)
			break;
		nth++;
	}
	if (!rc && nth == 0) /* no threads to be had: do it here */
		prefetch_worker(&j);
	for (size_t t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
	if (!rc && j.rc) {
		rc = ldp_error_set(j.rc, "%s", j.message ? j.message : "prefetching S3 objects failed");
	}
	free(j.message);
	ldp_s3_config_clear(&cfg);
	pthread_mutex_destroy(&j.lock);
	return rc;
}
