/*
 * Which objects an S3 source URI names, and fetching them into local files
 * (for ingest: DuckDB reads local files only in this build).
 *
 *   s3://b/dir/file.csv       that object
 *   s3://b/dir/  or  s3://b/dir   every object under dir/ (a key that is not
 *                             an object is taken as a directory)
 *   s3://b/dir/x*.parquet      a glob on the key: * and ? stay within one
 *                             path segment, ** spans segments, [..] classes
 * Keys ending in '/' (folder markers of S3 consoles) and objects whose name
 * starts with '.' or '_' (_SUCCESS, .crc files of Spark/Hadoop) are skipped
 * in directory and ** listings, as the local-files reader skips hidden files.
 */
#include "io/s3_fetch.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/s3_io.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* One path segment [p, pe) against [s, se) with fnmatch (no '/' inside). */
static int seg_match(const char *p, size_t pl, const char *s, size_t sl)
{
	char pat[1024], str[1024];
	if (pl >= sizeof pat || sl >= sizeof str)
		return 0;
	memcpy(pat, p, pl);
	pat[pl] = '\0';
	memcpy(str, s, sl);
	str[sl] = '\0';
	return fnmatch(pat, str, 0) == 0;
}

int ldp_glob_match(const char *pattern, const char *s)
{
	/* split both at '/', and let a "**" segment match zero or more segments */
	const char *pe = strchr(pattern, '/');
	size_t pl = pe ? (size_t)(pe - pattern) : strlen(pattern);
	if (pl == 2 && pattern[0] == '*' && pattern[1] == '*') {
		if (!pe) /* trailing **: everything below */
			return 1;
		for (const char *t = s;;) {
			if (ldp_glob_match(pe + 1, t))
				return 1;
			const char *slash = strchr(t, '/');
			if (!slash)
				return 0;
			t = slash + 1;
		}
	}
	const char *se = strchr(s, '/');
	size_t sl = se ? (size_t)(se - s) : strlen(s);
	if (!seg_match(pattern, pl, s, sl))
		return 0;
	if (!pe && !se)
		return 1;
	if (!pe || !se)
		return 0;
	return ldp_glob_match(pe + 1, se + 1);
}

static int skipped_name(const char *key)
{
	size_t n = strlen(key);
	if (n == 0 || key[n - 1] == '/')
		return 1;
	const char *base = strrchr(key, '/');
	base = base ? base + 1 : key;
	return base[0] == '.' || base[0] == '_';
}

static int keep_matching(ldp_s3_list *l, const char *pattern)
{
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++) {
		ldp_s3_object *o = &l->items[i];
		int keep = pattern ? ldp_glob_match(pattern, o->key) && o->key[strlen(o->key) - 1] != '/' : !skipped_name(o->key);
		/* hidden names only reach a glob result when the pattern spells them */
		if (keep && pattern && skipped_name(o->key)) {
			const char *pb = strrchr(pattern, '/');
			pb = pb ? pb + 1 : pattern;
			keep = pb[0] == '.' || pb[0] == '_';
		}
		if (keep) {
			l->items[w++] = *o;
		} else {
			free(o->key);
			free(o->etag);
		}
	}
	l->n = w;
	return LDP_OK;
}

int ldp_s3_match(ldp_s3_client *c, const char *uri, ldp_s3_list *out)
{
	memset(out, 0, sizeof *out);
	char *bucket, *key;
	int rc = ldp_s3_uri_parse(uri, &bucket, &key);
	if (rc)
		return rc;
	if (has_glob(key)) {
		/* list from the literal part before the first wildcard's segment */
		const char *g = strpbrk(key, "*?[");
		ldp_buf prefix = LDP_BUF_INIT;
		ldp_buf_put(&prefix, key, (size_t)(g - key));
		char *slash = prefix.len ? strrchr(prefix.ptr, '/') : NULL;
		ldp_buf_truncate(&prefix, slash ? (size_t)(slash - prefix.ptr) + 1 : 0);
		rc = ldp_s3_list_objects(c, bucket, prefix.len ? prefix.ptr : "", 0, out);
		ldp_buf_free(&prefix);
		if (!rc)
			rc = keep_matching(out, key);
	} else {
		int exists = 0;
		int64_t size = 0;
		if (*key && key[strlen(key) - 1] != '/')
			rc = ldp_s3_head(c, bucket, key, &exists, &size);
		if (!rc && exists) {
			out->items = calloc(1, sizeof *out->items);
			out->cap = out->n = 1;
			if (!out->items || !(out->items[0].key = strdup(key)))
				rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			else
				out->items[0].size = size;
		} else if (!rc) {
			ldp_buf prefix = LDP_BUF_INIT;
			ldp_buf_puts(&prefix, key);
			if (prefix.len && prefix.ptr[prefix.len - 1] != '/')
				ldp_buf_putc(&prefix, '/');
			rc = ldp_s3_list_objects(c, bucket, prefix.len ? prefix.ptr : "", 0, out);
			ldp_buf_free(&prefix);
			if (!rc)
				rc = keep_matching(out, NULL);
		}
	}
	free(bucket);
	free(key);
	if (rc)
		ldp_s3_list_free(out);
	return rc;
}

int ldp_s3_fetch(const char *uri, ldp_s3_fetched *out, ldp_s3_progress_fn progress, void *ctx)
{
	memset(out, 0, sizeof *out);
	ldp_s3_client *c = NULL;
	int rc = ldp_s3_io_client(&c);
	ldp_s3_list l = {0};
	if (!rc)
		rc = ldp_s3_match(c, uri, &l);
	char *bucket = NULL, *key = NULL, *cache = NULL;
	if (!rc)
		rc = ldp_s3_uri_parse(uri, &bucket, &key);
	if (!rc)
		rc = ldp_s3_cache_dir(&cache);
	ldp_buf dir = LDP_BUF_INIT;
	if (!rc) {
		ldp_buf_printf(&dir, "%s/ingest", cache);
		rc = ldp_io_mkdirs(ldp_buf_cstr(&dir));
	}
	int64_t total = 0, done = 0;
	for (size_t i = 0; i < l.n; i++)
		total += l.items[i].size;
	if (!rc && l.n) {
		out->paths = calloc(l.n, sizeof *out->paths);
		if (!out->paths)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (size_t i = 0; !rc && i < l.n; i++) {
		/* flat, unique names that keep the extension (the reader picks the
		 * format and compression by it) */
		const char *base = strrchr(l.items[i].key, '/');
		base = base ? base + 1 : l.items[i].key;
		ldp_buf p = LDP_BUF_INIT;
		ldp_buf_printf(&p, "%s/%d-%ld-%zu-%s", ldp_buf_cstr(&dir), (int)getpid(), (long)ts.tv_nsec, i, base);
		if (progress)
			progress(ctx, l.items[i].key, done, total);
		rc = ldp_s3_get_file(c, bucket, l.items[i].key, ldp_buf_cstr(&p), NULL);
		if (!rc) {
			out->paths[out->n++] = ldp_buf_detach(&p);
			done += l.items[i].size;
		}
		ldp_buf_free(&p);
	}
	if (!rc && progress)
		progress(ctx, uri, done, total);
	ldp_buf_free(&dir);
	free(cache);
	free(bucket);
	free(key);
	ldp_s3_list_free(&l);
	if (rc) {
		ldp_s3_fetched_clear(out);
		return ldp_error_wrap(rc, "fetching %s", uri);
	}
	return LDP_OK;
}

void ldp_s3_fetched_clear(ldp_s3_fetched *f)
{
	for (size_t i = 0; i < f->n; i++) {
		unlink(f->paths[i]);
		free(f->paths[i]);
	}
	free(f->paths);
	memset(f, 0, sizeof *f);
}
