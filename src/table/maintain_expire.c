/*
 * Expiring snapshots and removing orphan files (see table/maintain.h).
 *
 * Reachability follows the spec's tree: metadata file -> snapshots ->
 * manifest lists -> manifests -> data and delete files. Expiring removes
 * snapshots from the metadata in one commit, then deletes what only the
 * expired snapshots reached: their manifest lists, manifests no retained
 * snapshot lists, and files no retained manifest holds live. Paths are
 * compared in local form (file:// URIs as plain paths).
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "format/metadata.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"
#include "table/ice.h"
#include "table/maintain.h"

void ldp_string_list_clear(ldp_string_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

int ldp_string_list_query(ldp_engine *e, const char *sql, ldp_string_list *out)
{
	ldp_result *r = NULL;
	int rc = ldp_engine_query(e, sql, &r);
	ldp_chunk *c;
	size_t cap = out->n;
	while (!rc && (rc = ldp_result_fetch(r, &c)) == LDP_OK && c) {
		for (size_t i = 0; i < ldp_chunk_rows(c) && !rc; i++) {
			if (out->n == cap) {
				cap = cap ? cap * 2 : 16;
				char **g = realloc(out->items, cap * sizeof *g);
				if (!g) {
					rc = ldp_error_set(LDP_ENOMEM, "out of memory");
					break;
				}
				out->items = g;
			}
			ldp_buf b = LDP_BUF_INIT;
			ldp_chunk_format(c, 0, i, LDP_VALUE_TEXT, &b);
			if (!(out->items[out->n] = ldp_buf_detach(&b)))
				rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			else
				out->n++;
		}
	}
	ldp_result_free(r);
	return rc;
}

void ldp_expire_result_clear(ldp_expire_result *r)
{
	free(r->expired);
	ldp_string_list_clear(&r->deleted);
	memset(r, 0, sizeof *r);
}

/* ---- a sorted set of paths ---- */

typedef struct pathset {
	ldp_string_list l;
	size_t cap;
	int sorted;
} pathset;

static int set_add(pathset *s, const char *path)
{
	if (!path)
		return LDP_OK;
	if (s->l.n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		char **n = realloc(s->l.items, s->cap * sizeof *n);
		if (!n)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		s->l.items = n;
	}
	if (!(s->l.items[s->l.n] = strdup(ldp_io_local_path(path))))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	s->l.n++;
	s->sorted = 0;
	return LDP_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_sort(pathset *s)
{
	if (s->sorted || s->l.n == 0) {
		s->sorted = 1;
		return;
	}
	qsort(s->l.items, s->l.n, sizeof *s->l.items, cmp_str);
	size_t w = 0;
	for (size_t i = 0; i < s->l.n; i++) {
		if (w && strcmp(s->l.items[w - 1], s->l.items[i]) == 0) {
			free(s->l.items[i]);
			continue;
		}
		s->l.items[w++] = s->l.items[i];
	}
	s->l.n = w;
	s->sorted = 1;
}

static int set_has(pathset *s, const char *path)
{
	set_sort(s);
	if (!s->l.n)
		return 0;
	const char *p = ldp_io_local_path(path);
	return bsearch(&p, s->l.items, s->l.n, sizeof *s->l.items, cmp_str) != NULL;
}

/* Add what the snapshots reach: manifest lists, manifests, and the files of
 * their entries (live ones only when live_only). */
static int reach(const ldp_snapshot *const *snaps, size_t n, int live_only, pathset *out)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	pathset manifests = {0};
	int rc = LDP_OK;
	/* each manifest once: many snapshots list the same ones */
	ldp_manifest_file *all = NULL;
	size_t nall = 0, cap = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = set_add(out, snaps[i]->manifest_list);
		ldp_manifest_file *mfs = NULL;
		size_t nmf = 0;
		if (!rc)
			rc = ice_snapshot_manifests(snaps[i], &a, &mfs, &nmf);
		for (size_t k = 0; !rc && k < nmf; k++) {
			if (set_has(&manifests, mfs[k].manifest_path))
				continue;
			rc = set_add(&manifests, mfs[k].manifest_path);
			if (nall == cap) {
				cap = cap ? cap * 2 : 64;
				ldp_manifest_file *g = realloc(all, cap * sizeof *g);
				if (!g) {
					rc = ldp_error_set(LDP_ENOMEM, "out of memory");
					break;
				}
				all = g;
			}
			all[nall++] = mfs[k];
		}
	}
	for (size_t k = 0; !rc && k < nall; k++) {
		rc = set_add(out, all[k].manifest_path);
		ldp_data_file_entry *es = NULL;
		size_t ne = 0;
		if (!rc)
			rc = ice_manifest_read(&all[k], &a, &es, &ne);
		for (size_t j = 0; !rc && j < ne; j++)
			if (!live_only || es[j].status != LDP_ENTRY_DELETED)
				rc = set_add(out, es[j].file_path);
	}
	free(all);
	ldp_string_list_clear(&manifests.l);
	ldp_arena_free(&a);
	return rc;
}

/* ---- expire ---- */

typedef struct expire_ctx {
	const ldp_expire_options *o;
	int64_t *expired;
	size_t nexpired;
	ldp_metadata *before; /* the base the last attempt expired from: what the expired snapshots reach */
} expire_ctx;

static void ctx_reset(expire_ctx *c)
{
	free(c->expired);
	c->expired = NULL;
	c->nexpired = 0;
	ldp_metadata_free(c->before);
	c->before = NULL;
}

static int protect_lineage(const ldp_metadata *m, int64_t head, int keep, char *protect)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_snapshot **anc = NULL;
	size_t n = 0;
	int rc = ldp_metadata_ancestors(m, head, &a, &anc, &n);
	for (size_t k = 0; !rc && k < n && (int)k < keep; k++)
		for (size_t i = 0; i < m->nsnapshots; i++)
			if (m->snapshots[i]->snapshot_id == anc[k]->snapshot_id)
				protect[i] = 1;
	ldp_arena_free(&a);
	return rc;
}

static int do_expire(const ldp_metadata *in, void *ctx, ldp_metadata **out)
{
	expire_ctx *c = ctx;
	ctx_reset(c);
	const ldp_expire_options *o = c->o;
	int64_t max_age = 5LL * 24 * 3600 * 1000, min_keep = 1;
	int rc = ice_property_int(in, "history.expire.max-snapshot-age-ms", max_age, &max_age);
	if (!rc)
		rc = ice_property_int(in, "history.expire.min-snapshots-to-keep", min_keep, &min_keep);
	if (rc)
		return rc;
	int64_t older = o->older_than_ms > 0 ? o->older_than_ms : ldp_now_ms() - max_age;
	int keep = o->retain_last > 0 ? o->retain_last : (int)min_keep;
	char *protect = calloc(in->nsnapshots + 1, 1);
	c->expired = calloc(in->nsnapshots + 1, sizeof *c->expired);
	if (!protect || !c->expired) {
		free(protect);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	/* the current snapshot, every ref's head, and the newest `keep` of each branch */
	for (size_t i = 0; i < in->nsnapshots; i++) {
		int64_t sid = in->snapshots[i]->snapshot_id;
		if (sid == in->current_snapshot_id)
			protect[i] = 1;
		for (size_t r = 0; r < in->nrefs; r++)
			if (in->refs[r].snapshot_id == sid)
				protect[i] = 1;
	}
	if (o->snapshot_id > 0) {
		const ldp_snapshot *s = ldp_metadata_snapshot(in, o->snapshot_id);
		if (!s) {
			free(protect);
			return ldp_error_set(LDP_ENOTFOUND, "no snapshot %" PRId64 " (see ldp table snapshots)", o->snapshot_id);
		}
		const char *why = o->snapshot_id == in->current_snapshot_id ? "it is the current snapshot" : NULL;
		for (size_t r = 0; !why && r < in->nrefs; r++)
			if (in->refs[r].snapshot_id == o->snapshot_id)
				why = in->refs[r].is_tag ? "a tag points at it" : "a branch points at it";
		if (why) {
			free(protect);
			return ldp_error_set(LDP_EINVALID,
					     "snapshot %" PRId64 " cannot be expired: %s (move or drop the ref first); nothing was changed",
					     o->snapshot_id, why);
		}
		c->expired[c->nexpired++] = o->snapshot_id;
	} else {
		if (in->current_snapshot_id >= 0)
			rc = protect_lineage(in, in->current_snapshot_id, keep, protect);
		for (size_t r = 0; !rc && r < in->nrefs; r++)
			if (!in->refs[r].is_tag)
				rc = protect_lineage(in, in->refs[r].snapshot_id, keep, protect);
		for (size_t i = 0; !rc && i < in->nsnapshots; i++)
			if (!protect[i] && in->snapshots[i]->timestamp_ms < older)
				c->expired[c->nexpired++] = in->snapshots[i]->snapshot_id;
	}
	free(protect);
	if (rc)
		return rc;
	if (!c->nexpired)
		return ldp_error_set(LDP_ENOTFOUND, "nothing to expire"); /* caught by the caller: no commit */
	rc = ldp_metadata_copy(in, out);
	if (!rc)
		rc = ldp_metadata_copy(in, &c->before);
	if (rc)
		return rc;
	ldp_metadata *m = *out;
	size_t w = 0;
	for (size_t i = 0; i < m->nsnapshots; i++) {
		int gone = 0;
		for (size_t k = 0; k < c->nexpired; k++)
			gone |= m->snapshots[i]->snapshot_id == c->expired[k];
		if (!gone)
			m->snapshots[w++] = m->snapshots[i];
	}
	m->nsnapshots = w;
	w = 0;
	for (size_t i = 0; i < m->nsnapshot_log; i++) {
		int gone = 0;
		for (size_t k = 0; k < c->nexpired; k++)
			gone |= m->snapshot_log[i].snapshot_id == c->expired[k];
		if (!gone)
			m->snapshot_log[w++] = m->snapshot_log[i];
	}
	m->nsnapshot_log = w;
	if (o->dry_run)
		return LDP_EINTERRUPTED; /* caught by the caller: report without committing */
	return LDP_OK;
}

/* What only the expired snapshots reach, given the metadata after expiry. */
static int unreachable(const ldp_metadata *before, const ldp_metadata *after, const int64_t *expired, size_t n,
		       ldp_string_list *out)
{
	const ldp_snapshot **gone = calloc(n + 1, sizeof *gone);
	if (!gone)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	size_t ng = 0;
	for (size_t k = 0; k < n; k++) {
		const ldp_snapshot *s = ldp_metadata_snapshot(before, expired[k]);
		if (s)
			gone[ng++] = s;
	}
	pathset keep = {0}, cand = {0};
	int rc = reach((const ldp_snapshot *const *)after->snapshots, after->nsnapshots, 1, &keep);
	if (!rc)
		rc = reach(gone, ng, 0, &cand);
	if (!rc) {
		set_sort(&cand);
		for (size_t i = 0; i < cand.l.n && !rc; i++) {
			if (set_has(&keep, cand.l.items[i]))
				continue;
			char **g = realloc(out->items, (out->n + 1) * sizeof *g);
			if (!g) {
				rc = ldp_error_set(LDP_ENOMEM, "out of memory");
				break;
			}
			out->items = g;
			out->items[out->n++] = cand.l.items[i];
			cand.l.items[i] = NULL;
		}
	}
	ldp_string_list_clear(&keep.l);
	ldp_string_list_clear(&cand.l);
	free(gone);
	return rc;
}

int ldp_table_expire_snapshots(ldp_warehouse *wh, const ldp_ident *id, const ldp_expire_options *o,
			       ldp_expire_result *res)
{
	memset(res, 0, sizeof *res);
	expire_ctx c;
	memset(&c, 0, sizeof c);
	c.o = o;
	int rc;
	ldp_metadata *after = NULL;
	if (o->dry_run) {
		ldp_table *t = NULL;
		rc = ldp_table_load(wh, id, &t);
		if (!rc) {
			rc = do_expire(t->meta, &c, &after);
			if (rc == LDP_EINTERRUPTED)
				rc = LDP_OK;
		}
		ldp_table_free(t);
	} else {
		rc = ldp_table_commit_metadata(wh, id, do_expire, &c);
		if (!rc) {
			ldp_table *t = NULL;
			rc = ldp_table_load(wh, id, &t);
			if (!rc) {
				after = t->meta;
				t->meta = NULL;
			}
			ldp_table_free(t);
		}
	}
	if (rc == LDP_ENOTFOUND && !c.nexpired && o->snapshot_id <= 0) {
		ldp_error_clear(); /* nothing to expire */
		rc = LDP_OK;
	}
	if (!rc && c.nexpired && c.before && after)
		rc = unreachable(c.before, after, c.expired, c.nexpired, &res->deleted);
	if (!rc && !o->dry_run)
		for (size_t i = 0; i < res->deleted.n; i++)
			if (ldp_io_remove(res->deleted.items[i]) != LDP_OK) {
				LDP_WARN("could not delete %s: %s", res->deleted.items[i], ldp_error_last()->message);
				ldp_error_clear();
			}
	if (!rc) {
		res->expired = c.expired;
		res->nexpired = c.nexpired;
		c.expired = NULL;
	}
	ldp_metadata_free(after);
	ctx_reset(&c);
	if (rc)
		return ldp_error_wrap(rc, "expiring snapshots of %s.%s", id->ns, id->name);
	return LDP_OK;
}

/* ---- orphans ---- */

static int walk(const char *dir, int64_t older_ms, pathset *refs, ldp_string_list *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return LDP_OK; /* no such directory: nothing there */
	int rc = LDP_OK;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		char *p = malloc(len);
		if (!p) {
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			break;
		}
		snprintf(p, len, "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = walk(p, older_ms, refs, out);
		} else if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && (int64_t)st.st_mtime * 1000 < older_ms &&
			   strcmp(de->d_name, "version-hint.text") != 0 && !set_has(refs, p)) {
			char **g = realloc(out->items, (out->n + 1) * sizeof *g);
			if (!g) {
				rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			} else {
				out->items = g;
				out->items[out->n++] = p;
				p = NULL;
			}
		}
		free(p);
	}
	closedir(d);
	return rc;
}

int ldp_table_remove_orphans(ldp_warehouse *wh, const ldp_ident *id, int64_t older_than_ms, int dry_run,
			     ldp_string_list *out)
{
	memset(out, 0, sizeof *out);
	if (older_than_ms <= 0)
		older_than_ms = ldp_now_ms() - 3LL * 24 * 3600 * 1000;
	ldp_table *t = NULL;
	int rc = ldp_table_load(wh, id, &t);
	if (rc)
		return rc;
	const ldp_metadata *m = t->meta;
	if (strncmp(m->location, "s3://", 5) == 0) {
		ldp_table_free(t);
		return ldp_error_set(LDP_EUNSUPPORTED, "removing orphan files works on local tables only (%s)", m->location);
	}
	pathset refs = {0};
	rc = set_add(&refs, t->metadata_location);
	for (size_t i = 0; !rc && i < m->nmetadata_log; i++)
		rc = set_add(&refs, m->metadata_log[i].metadata_file);
	if (!rc)
		rc = reach((const ldp_snapshot *const *)m->snapshots, m->nsnapshots, 0, &refs);
	if (!rc)
		rc = walk(ldp_io_local_path(m->location), older_than_ms, &refs, out);
	if (!rc && out->n)
		qsort(out->items, out->n, sizeof *out->items, cmp_str);
	for (size_t i = 0; !rc && !dry_run && i < out->n; i++)
		rc = ldp_io_remove(out->items[i]);
	ldp_string_list_clear(&refs.l);
	ldp_table_free(t);
	if (rc) {
		ldp_string_list_clear(out);
		return ldp_error_wrap(rc, "removing orphan files of %s.%s", id->ns, id->name);
	}
	return LDP_OK;
}
