/*
 * The NEAR Lake source: near-lake://<dir or bucket>?from=H&to=H into the six
 * tables of a namespace (<ns>.blocks, .chunks, .transactions, .receipts,
 * .receipt_execution_outcomes, .actions), each partitioned by
 * day(block_timestamp).
 *
 * Resuming: every commit carries ldp.ingest.near.last-height in its snapshot
 * summary, atomically with its rows. Each table only takes rows above its
 * own mark, so a run interrupted between two tables' commits is completed by
 * the next run without duplicating the tables that had already committed.
 * The blocks table commits last: its mark is the height up to which all six
 * tables are complete.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/near.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/json.h"
#include "ldp/log.h"

void near_entries_free(near_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].key);
	free(e);
}

/* ---- the local store ---- */

typedef struct local_ctx {
	char *root;
} local_ctx;

static int local_get(void *vctx, const char *key, uint8_t **data, size_t *len)
{
	local_ctx *c = vctx;
	ldp_buf p = LDP_BUF_INIT;
	ldp_buf_printf(&p, "%s/%s", c->root, key);
	if (ldp_buf_oom(&p))
		return LDP_ENOMEM;
	int rc = ldp_io_read_all(p.ptr, data, len);
	ldp_buf_free(&p);
	return rc;
}

static int is_height_name(const char *n)
{
	return strlen(n) == 12 && strspn(n, "0123456789") == 12;
}

int near_entries_push(near_entries *l, int64_t h, int is_message, const char *key, size_t key_len)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		near_entry *ne = realloc(l->e, nc * sizeof *ne);
		if (!ne)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		l->e = ne;
		l->cap = nc;
	}
	char *k = strndup(key, key_len);
	if (!k)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	l->e[l->n++] = (near_entry){h, is_message, k};
	return 0;
}

/* The height of a streamer-message file: from its name ("61321189.json")
 * when it is a number, else from block.header.height inside. */
static int message_height(const char *root, const char *rel, const char *name, int64_t *h)
{
	size_t n = strlen(name);
	if (n > 5 && strspn(name, "0123456789") == n - 5) {
		*h = strtoll(name, NULL, 10);
		return 0;
	}
	ldp_buf p = LDP_BUF_INIT;
	ldp_buf_printf(&p, "%s/%s", root, rel);
	json_t *j = NULL;
	int rc = ldp_json_load_file(ldp_buf_cstr(&p), &j);
	ldp_buf_free(&p);
	if (rc) {
		ldp_error_clear();
		return 1; /* not a JSON file we can use: skipped */
	}
	json_t *hv = json_object_get(json_object_get(json_object_get(j, "block"), "header"), "height");
	rc = json_is_integer(hv) ? 0 : 1;
	if (!rc)
		*h = json_integer_value(hv);
	json_decref(j);
	return rc;
}

static int scan_dir(const char *root, const char *rel, int depth, int64_t from, int64_t to, near_entries *l)
{
	ldp_buf dpath = LDP_BUF_INIT;
	ldp_buf_printf(&dpath, "%s%s%s", root, *rel ? "/" : "", rel);
	DIR *d = opendir(ldp_buf_cstr(&dpath));
	if (!d) {
		int rc = ldp_error_set(LDP_ENOTFOUND, "NEAR Lake directory %s cannot be read", ldp_buf_cstr(&dpath));
		ldp_buf_free(&dpath);
		return rc;
	}
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		if (n[0] == '.')
			continue;
		ldp_buf sub = LDP_BUF_INIT, full = LDP_BUF_INIT;
		ldp_buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "", n);
		ldp_buf_printf(&full, "%s/%s", root, ldp_buf_cstr(&sub));
		struct stat st;
		if (stat(ldp_buf_cstr(&full), &st) == 0) {
			if (S_ISDIR(st.st_mode) && is_height_name(n)) {
				int64_t h = strtoll(n, NULL, 10);
				if (h >= from && (to < 0 || h <= to))
					rc = near_entries_push(l, h, 0, sub.ptr, sub.len);
			} else if (S_ISDIR(st.st_mode) && depth < 2) {
				rc = scan_dir(root, ldp_buf_cstr(&sub), depth + 1, from, to, l);
			} else if (S_ISREG(st.st_mode) && strlen(n) > 5 && strcmp(n + strlen(n) - 5, ".json") == 0) {
				int64_t h;
				if (message_height(root, ldp_buf_cstr(&sub), n, &h) == 0 && h >= from && (to < 0 || h <= to))
					rc = near_entries_push(l, h, 1, sub.ptr, sub.len);
			}
		}
		ldp_buf_free(&sub);
		ldp_buf_free(&full);
	}
	closedir(d);
	ldp_buf_free(&dpath);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	const near_entry *x = a, *y = b;
	if (x->height != y->height)
		return x->height < y->height ? -1 : 1;
	return x->is_message - y->is_message; /* the lake layout first */
}

static int local_list(void *vctx, int64_t from, int64_t to, near_entry **out, size_t *n)
{
	local_ctx *c = vctx;
	near_entries l = {0};
	int rc = scan_dir(c->root, "", 0, from, to, &l);
	if (rc) {
		near_entries_free(l.e, l.n);
		return rc;
	}
	if (l.n)
		qsort(l.e, l.n, sizeof *l.e, cmp_entry);
	/* one entry per height: the same block in both shapes is one block */
	size_t w = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (w && l.e[w - 1].height == l.e[i].height) {
			free(l.e[i].key);
			continue;
		}
		l.e[w++] = l.e[i];
	}
	*out = l.e;
	*n = w;
	return 0;
}

static void local_free(void *vctx)
{
	local_ctx *c = vctx;
	if (c)
		free(c->root);
	free(c);
}

int near_store_local(const char *dir, near_store *out)
{
	memset(out, 0, sizeof *out);
	local_ctx *c = calloc(1, sizeof *c);
	if (!c || !(c->root = strdup(dir))) {
		free(c);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	out->get = local_get;
	out->list = local_list;
	out->free_ctx = local_free;
	out->ctx = c;
	out->what = c->root;
	return 0;
}

/* ---- one block ---- */

static int get_json(const near_store *s, const char *key, json_t **out)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = s->get(s->ctx, key, &data, &len);
	if (rc)
		return ldp_error_wrap(rc, "%s/%s", s->what, key);
	ldp_buf what = LDP_BUF_INIT;
	ldp_buf_printf(&what, "%s/%s", s->what, key);
	rc = ldp_json_loads((const char *)data, len, ldp_buf_cstr(&what), out);
	ldp_buf_free(&what);
	free(data);
	return rc;
}

int near_load_block(const near_store *s, const near_entry *e, json_t **out)
{
	*out = NULL;
	if (e->is_message)
		return get_json(s, e->key, out);
	ldp_buf key = LDP_BUF_INIT;
	ldp_buf_printf(&key, "%s/block.json", e->key);
	json_t *block = NULL;
	int rc = get_json(s, ldp_buf_cstr(&key), &block);
	json_t *shards = json_array();
	size_t i;
	json_t *chunk;
	/* one shard file per chunk of the block, named by the chunk's shard id */
	json_array_foreach(rc ? NULL : near_jget(block, "chunks"), i, chunk)
	{
		json_t *sid = near_jget(chunk, "shard_id");
		if (!json_is_integer(sid)) {
			rc = ldp_error_set(LDP_ECORRUPT, "%s/%s: chunk %zu has no shard_id", s->what, ldp_buf_cstr(&key), i);
			break;
		}
		ldp_buf_clear(&key);
		ldp_buf_printf(&key, "%s/shard_%lld.json", e->key, (long long)json_integer_value(sid));
		json_t *shard = NULL;
		if ((rc = get_json(s, ldp_buf_cstr(&key), &shard)))
			break;
		json_array_append_new(shards, shard);
	}
	ldp_buf_free(&key);
	if (rc) {
		json_decref(block);
		json_decref(shards);
		return rc;
	}
	*out = json_pack("{soso}", "block", block, "shards", shards);
	return *out ? 0 : ldp_error_set(LDP_ENOMEM, "out of memory");
}
