/*
 * The NEAR Lake store over S3: near-lake://<bucket>[/<prefix>] read through
 * the process-wide S3 client (io/s3_io.h: credentials, region and endpoint as
 * for every s3:// path).
 *
 * Listing walks the height folders (delimiter '/') from start-after the
 * zero-padded `from` and stops at the first height past `to`, so a bounded
 * range costs about one ListObjectsV2 page per 1000 blocks read, wherever it
 * sits in a mainnet bucket of 10^8 heights.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/near.h"
#include "io/s3.h"
#include "io/s3_io.h"
#include "ldp/buf.h"
#include "ldp/error.h"

typedef struct s3_ctx {
	ldp_s3_client *client; /* borrowed (process-wide) */
	char *bucket;
	char *prefix; /* "" or "dir/" */
	char *what;   /* s3://bucket/prefix */
} s3_ctx;

static int s3_get(void *vctx, const char *key, uint8_t **data, size_t *len)
{
	s3_ctx *c = vctx;
	ldp_buf k = LDP_BUF_INIT;
	ldp_buf_printf(&k, "%s%s", c->prefix, key);
	if (ldp_buf_oom(&k))
		return LDP_ENOMEM;
	int rc = ldp_s3_get_mem(c->client, c->bucket, k.ptr, data, len);
	ldp_buf_free(&k);
	return rc;
}

/* One ListObjectsV2 walk: heights are the common prefixes "<prefix><12
 * digits>/" of a listing with delimiter '/'. */
typedef struct s3_walk {
	const s3_ctx *c;
	int64_t from, to;
	near_entries e;
} s3_walk;

static int s3_visit(void *vw, const char *key, int64_t size, int is_prefix)
{
	(void)size;
	s3_walk *w = vw;
	size_t plen = strlen(w->c->prefix);
	if (!is_prefix || strncmp(key, w->c->prefix, plen) != 0)
		return 0; /* objects beside the height folders (README, index files) */
	const char *rel = key + plen;
	if (strlen(rel) != 13 || strspn(rel, "0123456789") != 12 || rel[12] != '/')
		return 0;
	int64_t h = strtoll(rel, NULL, 10);
	if (w->to >= 0 && h > w->to)
		return 1; /* prefixes come in key order = height order: nothing further is wanted */
	if (h < w->from)
		return 0;
	return near_entries_push(&w->e, h, 0, rel, 12);
}

static int s3_list(void *vctx, int64_t from, int64_t to, near_entry **out, size_t *n)
{
	s3_ctx *c = vctx;
	*out = NULL;
	*n = 0;
	/* "<prefix>000061321189" sorts just below "<prefix>000061321189/", so
	 * listing after it starts at `from` itself; 12-digit zero padding makes
	 * key order height order, so a mainnet bucket is neither walked from
	 * its genesis nor (with to=) past the range. */
	ldp_buf sa = LDP_BUF_INIT;
	ldp_buf_printf(&sa, "%s%012lld", c->prefix, (long long)from);
	if (ldp_buf_oom(&sa))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	s3_walk w = {c, from, to, {0}};
	ldp_s3_list_query q = {c->bucket, c->prefix, "/", sa.ptr, 0};
	int rc = ldp_s3_list_each(c->client, &q, s3_visit, &w);
	ldp_buf_free(&sa);
	if (rc) {
		near_entries_free(w.e.e, w.e.n);
		return rc; /* already says "listing s3://bucket/prefix/: ..." */
	}
	*out = w.e.e;
	*n = w.e.n;
	return 0;
}

static void s3_free(void *vctx)
{
	s3_ctx *c = vctx;
	if (!c)
		return;
	free(c->bucket);
	free(c->prefix);
	free(c->what);
	free(c);
}

int near_store_s3(const char *location, near_store *out)
{
	memset(out, 0, sizeof *out);
	s3_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	size_t b = strcspn(location, "/");
	const char *pre = location[b] ? location + b + 1 : "";
	size_t pl = strlen(pre);
	ldp_buf w = LDP_BUF_INIT, p = LDP_BUF_INIT;
	ldp_buf_put(&p, pre, pl);
	if (pl && pre[pl - 1] != '/')
		ldp_buf_putc(&p, '/');
	ldp_buf_printf(&w, "s3://%s", location);
	c->bucket = strndup(location, b);
	c->prefix = p.ptr ? ldp_buf_detach(&p) : strdup("");
	c->what = ldp_buf_detach(&w);
	int rc = 0;
	if (!c->bucket || !c->prefix || !c->what)
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!rc)
		rc = ldp_s3_io_client(&c->client);
	if (rc) {
		ldp_buf_free(&p);
		s3_free(c);
		return rc;
	}
	out->get = s3_get;
	out->list = s3_list;
	out->free_ctx = s3_free;
	out->ctx = c;
	out->what = c->what;
	return 0;
}
