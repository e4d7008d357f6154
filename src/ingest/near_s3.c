/*
 * The NEAR Lake store over S3: near-lake://<bucket>[/<prefix>] read through
 * the process-wide S3 client (io/s3_io.h: credentials, region and endpoint as
 * for every s3:// path).
 *
 * Listing narrows the ListObjectsV2 prefix to the digits that every height in
 * [from, to] shares once padded to 12 ("000061321189".."000061321999" ->
 * "0000613211", "0000613212".. share "00006132"), so a bounded range never
 * walks a whole mainnet bucket; an open range (no to=) lists everything above
 * the prefix.
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

static int s3_list(void *vctx, int64_t from, int64_t to, near_entry **out, size_t *n)
{
	s3_ctx *c = vctx;
	*out = NULL;
	*n = 0;
	char lo[24], hi[24];
	snprintf(lo, sizeof lo, "%012lld", (long long)from);
	snprintf(hi, sizeof hi, "%012lld", (long long)(to >= 0 ? to : 999999999999LL));
	size_t common = 0;
	while (common < 12 && lo[common] == hi[common])
		common++;
	ldp_buf p = LDP_BUF_INIT;
	ldp_buf_printf(&p, "%s%.*s", c->prefix, (int)common, lo);
	if (ldp_buf_oom(&p))
		return LDP_ENOMEM;
	ldp_s3_list l;
	memset(&l, 0, sizeof l);
	int rc = ldp_s3_list_objects(c->client, c->bucket, p.ptr, 0, &l);
	ldp_buf_free(&p);
	if (rc)
		return ldp_error_wrap(rc, "listing %s", c->what);
	size_t plen = strlen(c->prefix);
	near_entries e = {0};
	for (size_t i = 0; !rc && i < l.n; i++) {
		const char *rel = l.items[i].key + plen;
		/* <12 digits>/block.json marks one block of the lake layout */
		if (strlen(rel) != 12 + strlen("/block.json") || strspn(rel, "0123456789") != 12 ||
		    strcmp(rel + 12, "/block.json") != 0)
			continue;
		int64_t h = strtoll(rel, NULL, 10);
		if (h >= from && (to < 0 || h <= to))
			rc = near_entries_push(&e, h, 0, rel, 12);
	}
	ldp_s3_list_free(&l);
	if (rc) {
		near_entries_free(e.e, e.n);
		return rc;
	}
	/* keys come in key order, and 12-digit zero padding makes that height order */
	*out = e.e;
	*n = e.n;
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
