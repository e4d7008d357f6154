/* `ldp ingest near-lake://... <namespace>`: list, flatten, commit (near.c
 * explains the resume marks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/near.h"
#include "ingest/remote.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"
#include "table/table.h"

#define NEAR_MARK "ldp.ingest.near.last-height"

const char *const ingest_near_option_names[] = {"from", "to", NULL};

typedef struct near_uri {
	char *location;
	int64_t from, to; /* to < 0: no bound */
} near_uri;

static int parse_height(const char *v, size_t n, const char *what, int64_t *out)
{
	char buf[32];
	if (n == 0 || n >= sizeof buf)
		return ldp_error_set(LDP_EINVALID, "%s needs a block height, not '%.*s'", what, (int)n, v);
	memcpy(buf, v, n);
	buf[n] = '\0';
	char *end;
	long long h = strtoll(buf, &end, 10);
	if (*end || h < 0)
		return ldp_error_set(LDP_EINVALID, "%s needs a block height, not '%s'", what, buf);
	*out = h;
	return 0;
}

static int parse_uri(const char *uri, const ldp_ingest_options *o, near_uri *u)
{
	memset(u, 0, sizeof *u);
	u->to = -1;
	const char *p = uri + strlen("near-lake://");
	size_t loc = strcspn(p, "?");
	u->location = strndup(p, loc);
	if (!u->location)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!*u->location)
		return ldp_error_set(LDP_EINVALID, "%s: name a directory (near-lake:///path) or a bucket (near-lake://bucket)",
				     uri);
	const char *q = p[loc] == '?' ? p + loc + 1 : "";
	int rc = 0;
	while (!rc && *q) {
		size_t n = strcspn(q, "&");
		if (n > 5 && strncmp(q, "from=", 5) == 0)
			rc = parse_height(q + 5, n - 5, "from=", &u->from);
		else if (n > 3 && strncmp(q, "to=", 3) == 0)
			rc = parse_height(q + 3, n - 3, "to=", &u->to);
		else if (n)
			rc = ldp_error_set(LDP_EINVALID, "%s: unknown parameter '%.*s' (known: from=, to=)", uri, (int)n, q);
		q += n;
		if (*q == '&')
			q++;
	}
	const char *f = ldp_ingest_opt(o, "from"), *t = ldp_ingest_opt(o, "to");
	if (!rc && f)
		rc = parse_height(f, strlen(f), "--from", &u->from);
	if (!rc && t)
		rc = parse_height(t, strlen(t), "--to", &u->to);
	if (!rc && u->to >= 0 && u->to < u->from)
		rc = ldp_error_set(LDP_EINVALID, "%s: to=%lld is below from=%lld", uri, (long long)u->to,
				   (long long)u->from);
	return rc;
}

static int open_store(const near_uri *u, near_store *s)
{
	struct stat st;
	const char *loc = u->location;
	if (loc[0] == '/' || loc[0] == '.' || stat(loc, &st) == 0) {
		if (stat(loc, &st) != 0 || !S_ISDIR(st.st_mode))
			return ldp_error_set(LDP_ENOTFOUND, "NEAR Lake directory %s does not exist", loc);
		return near_store_local(loc, s);
	}
	return near_store_s3(loc, s);
}

/* The table's resume mark, or -1 when it has none (or does not exist). */
static int table_mark(ldp_warehouse *wh, const ldp_ident *id, int64_t *out)
{
	*out = -1;
	char *v = NULL;
	int rc = ldp_table_summary_property(wh, id, NEAR_MARK, &v);
	if (rc == LDP_ENOTFOUND) {
		ldp_error_clear();
		return 0;
	}
	if (!rc && v)
		*out = strtoll(v, NULL, 10);
	free(v);
	return rc;
}

static int make_ident(const char *ns, const char *name, ldp_ident *id)
{
	memset(id, 0, sizeof *id);
	if (strlen(ns) >= sizeof id->ns || !*ns)
		return ldp_error_set(LDP_EINVALID, "namespace '%s' is empty or too long", ns);
	strcpy(id->ns, ns);
	strcpy(id->name, name);
	return 0;
}

int ldp_ingest_near(ldp_warehouse *wh, const char *uri, const char *ns, const ldp_ingest_options *o,
		    ldp_ingest_result *res)
{
	memset(res, 0, sizeof *res);
	near_uri u;
	near_store store;
	memset(&store, 0, sizeof store);
	near_entry *entries = NULL;
	size_t nentries = 0;
	near_writer w;
	memset(&w, 0, sizeof w);
	char *dir = NULL;
	char *paths[NEAR_NTABLES] = {0};
	ldp_ident ids[NEAR_NTABLES];
	int64_t marks[NEAR_NTABLES];
	int rc = 0;
	for (size_t i = 0; o && i < o->nopts && !rc; i++)
		if (strcmp(o->opts[i].key, "from") != 0 && strcmp(o->opts[i].key, "to") != 0)
			rc = ldp_error_set(LDP_EINVALID, "option --%s is not known to ldp ingest for near-lake:// sources "
					   "(known: --from, --to)", o->opts[i].key);
	memset(&u, 0, sizeof u);
	if (rc || (rc = parse_uri(uri, o, &u)))
		goto done;
	int64_t start = -1;
	for (int t = 0; t < NEAR_NTABLES; t++) {
		if ((rc = make_ident(ns, near_tables[t].name, &ids[t])) || (rc = table_mark(wh, &ids[t], &marks[t])))
			goto done;
		if (start < 0 || marks[t] + 1 < start)
			start = marks[t] + 1;
	}
	if (start < u.from)
		start = u.from;
	if ((rc = open_store(&u, &store)))
		goto done;
	if ((rc = store.list(store.ctx, start, u.to, &entries, &nentries)))
		goto done;
	if (nentries == 0) {
		LDP_INFO("no NEAR blocks at or above height %lld in %s", (long long)start, store.what);
		goto done;
	}
	if ((rc = ingest_temp_dir("near", &dir)))
		goto done;
	for (int t = 0; t < NEAR_NTABLES; t++) {
		ldp_buf p = LDP_BUF_INIT;
		ldp_buf_printf(&p, "%s/%s.ndjson", dir, near_tables[t].name);
		paths[t] = ldp_buf_detach(&p);
		if (!paths[t] || !(w.f[t] = fopen(paths[t], "w"))) {
			rc = ldp_error_set(LDP_EIO, "cannot create a staging file in %s", dir);
			goto done;
		}
	}
	int64_t last = -1;
	for (size_t i = 0; i < nentries; i++) {
		json_t *msg = NULL;
		ldp_buf what = LDP_BUF_INIT;
		ldp_buf_printf(&what, "%s/%s", store.what, entries[i].key);
		rc = near_load_block(&store, &entries[i], &msg);
		/* the resume mark is the listed height: it must be the block's own */
		json_t *hv = rc ? NULL : near_jget(near_jget(near_jget(msg, "block"), "header"), "height");
		if (!rc && json_is_integer(hv) && json_integer_value(hv) != entries[i].height)
			rc = ldp_error_set(LDP_ECORRUPT, "%s: block.header.height is %lld, but the file is named for %lld",
					   ldp_buf_cstr(&what), (long long)json_integer_value(hv),
					   (long long)entries[i].height);
		if (!rc)
			rc = near_flatten_block(msg, ldp_buf_cstr(&what), &w);
		json_decref(msg);
		ldp_buf_free(&what);
		if (rc)
			goto done;
		last = entries[i].height;
		if (o && o->progress)
			o->progress(o->progress_ctx, "reading NEAR blocks", (int64_t)i + 1, (int64_t)nentries);
	}
	for (int t = 0; t < NEAR_NTABLES; t++) {
		int bad = fclose(w.f[t]) != 0;
		w.f[t] = NULL;
		if (bad) {
			rc = ldp_error_set(LDP_EIO, "writing %s failed (disk full?)", paths[t]);
			goto done;
		}
	}
	char mark[32];
	snprintf(mark, sizeof mark, "%lld", (long long)last);
	ldp_kv summary[1] = {{NEAR_MARK, mark}};
	ldp_ingest_options lo;
	memset(&lo, 0, sizeof lo);
	if (o)
		lo = *o;
	lo.mode = LDP_INGEST_APPEND;
	lo.partition_by = "day(block_timestamp)";
	lo.opts = NULL;
	lo.nopts = 0;
	/* blocks last: its mark says every table is complete up to it */
	for (int k = 1; k <= NEAR_NTABLES; k++) {
		int t = k % NEAR_NTABLES;
		char *sql = NULL;
		if ((rc = near_table_select(&near_tables[t], paths[t], marks[t], &sql)))
			goto done;
		ldp_ingest_result r;
		lo.target = &ids[t];
		rc = ldp_ingest_load_sql(wh, sql, &ids[t], &lo, summary, 1, &r);
		free(sql);
		if (rc) {
			rc = ldp_error_wrap(rc, "committing %s.%s", ids[t].ns, ids[t].name);
			goto done;
		}
		res->rows += r.rows;
		res->created += r.created;
		res->snapshot_id = r.snapshot_id;
		LDP_INFO("%s.%s: %lld rows", ids[t].ns, ids[t].name, (long long)r.rows);
	}
	res->files = nentries;
done:
	for (int t = 0; t < NEAR_NTABLES; t++) {
		if (w.f[t])
			fclose(w.f[t]);
		if (paths[t])
			remove(paths[t]);
		free(paths[t]);
	}
	if (dir)
		rmdir(dir);
	free(dir);
	near_entries_free(entries, nentries);
	if (store.free_ctx)
		store.free_ctx(store.ctx);
	free(u.location);
	return rc;
}
