/* --mode merge --key k[,k] [--order-by expr]: upsert by key, copy-on-write.
 *
 * The batch is deduplicated (per key, the row that sorts last by --order-by,
 * then by its position in the source, wins), and the table's new state is
 * "its rows whose key is not in the batch, plus the batch", committed as one
 * overwrite snapshot. Keys compare with IS NOT DISTINCT FROM, so a NULL key
 * matches a NULL key. Everything is in ingest_merge() so it can become a MERGE
 * INTO once the table layer has row-level deletes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "format/metadata.h"
#include "ingest/ingest_internal.h"
#include "ldp/error.h"
#include "table/table.h"

#define BATCH "__ldp_merge_batch"
#define NEWROWS "__ldp_merge_new"

/* "a, b" -> quoted identifiers into `list` (", "-separated) and the key
 * equality predicate between aliases n and t into `eq`. */
static int parse_keys(const char *key, ldp_buf *list, ldp_buf *eq)
{
	char *copy = strdup(key);
	if (!copy)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	int n = 0;
	for (char *save = NULL, *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*k))
			k++;
		char *end = k + strlen(k);
		while (end > k && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*k)
			continue;
		if (n++) {
			ldp_buf_puts(list, ", ");
			ldp_buf_puts(eq, " AND ");
		}
		ldp_buf_put_sql_ident(list, k);
		ldp_buf_puts(eq, "n.");
		ldp_buf_put_sql_ident(eq, k);
		ldp_buf_puts(eq, " IS NOT DISTINCT FROM t.");
		ldp_buf_put_sql_ident(eq, k);
	}
	free(copy);
	if (!n)
		return ldp_error_set(LDP_EINVALID, "--mode merge needs --key col[,col]");
	return ldp_buf_oom(list) || ldp_buf_oom(eq) ? LDP_ENOMEM : LDP_OK;
}

/* A merge rewrites the table from what it read: if another writer committed
 * meanwhile, re-applying the overwrite on the new base (as write.c does after
 * a lost swap) would drop that writer's rows. So before every swap attempt the
 * table must still be at the snapshot the merge started from; the catalog's
 * compare-and-swap covers the moment between this check and the swap. */
typedef struct merge_guard {
	ldp_warehouse *wh;
	const ldp_ident *id;
	int64_t base_snapshot;
	int (*inner)(void *);
	void *inner_ctx;
} merge_guard;

static int guard_base(void *vctx)
{
	merge_guard *g = vctx;
	ldp_table *t = NULL;
	int rc = ldp_table_load(g->wh, g->id, &t);
	if (!rc && t->meta->current_snapshot_id != g->base_snapshot)
		rc = ldp_error_set(LDP_ECONFLICT,
				   "%s.%s changed while the merge ran (another writer committed); run the merge again",
				   g->id->ns, g->id->name);
	ldp_table_free(t);
	if (!rc && g->inner)
		rc = g->inner(g->inner_ctx);
	return rc;
}

static int count_query(ldp_engine *e, const char *sql, int64_t *out)
{
	char *txt = NULL;
	int rc = ldp_engine_query_text(e, sql, &txt);
	*out = !rc && txt ? strtoll(txt, NULL, 10) : 0;
	free(txt);
	return rc;
}

int ingest_merge(ldp_warehouse *wh, const char *select_sql, const ldp_ident *target, const ldp_ingest_options *o,
		 const ldp_kv *summary, size_t nsummary, int (*before_swap)(void *), void *hook_ctx,
		 ldp_ingest_result *res)
{
	if (!o->key)
		return ldp_error_set(LDP_EINVALID, "--mode merge needs --key col[,col] (the columns that identify a row)");
	ldp_engine *e;
	int rc = ldp_warehouse_engine(wh, &e);
	if (rc)
		return rc;
	ldp_buf keys = LDP_BUF_INIT, eq = LDP_BUF_INIT, q = LDP_BUF_INIT, tname = LDP_BUF_INIT;
	rc = parse_keys(o->key, &keys, &eq);
	ldp_buf_put_sql_ident(&tname, target->ns);
	ldp_buf_putc(&tname, '.');
	ldp_buf_put_sql_ident(&tname, target->name);

	/* the batch in source order (a table keeps insertion order in its rowid) */
	if (!rc) {
		ldp_buf_printf(&q, "CREATE OR REPLACE TEMP TABLE " BATCH " AS %s", select_sql);
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
	}
	if (!rc) {
		ldp_buf_clear(&q);
		ldp_buf_printf(&q,
			       "CREATE OR REPLACE TEMP TABLE " NEWROWS " AS SELECT * FROM " BATCH
			       " QUALIFY row_number() OVER (PARTITION BY %s ORDER BY %s%srowid) = count(*) OVER (PARTITION BY %s)",
			       ldp_buf_cstr(&keys), o->order_by ? o->order_by : "", o->order_by ? ", " : "",
			       ldp_buf_cstr(&keys));
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
		if (rc)
			rc = ldp_error_wrap(rc, "deduplicating the batch by --key %s%s%s", o->key,
					    o->order_by ? " --order-by " : "", o->order_by ? o->order_by : "");
	}
	int64_t batch = 0, matched = 0;
	if (!rc)
		rc = count_query(e, "SELECT count(*) FROM " NEWROWS, &batch);

	ldp_table *t = NULL;
	if (!rc)
		rc = ldp_table_load(wh, target, &t);
	int empty = !rc && ldp_metadata_current_snapshot(t->meta) == NULL;
	merge_guard guard = {wh, target, t ? t->meta->current_snapshot_id : -1, before_swap, hook_ctx};
	ldp_table_free(t);

	ldp_write_options wo;
	memset(&wo, 0, sizeof wo);
	wo.summary = summary;
	wo.nsummary = nsummary;
	wo.before_swap = guard_base;
	wo.before_swap_ctx = &guard;
	ldp_buf_clear(&q);
	if (!rc && empty) {
		wo.mode = LDP_WRITE_APPEND;
		ldp_buf_puts(&q, "SELECT * FROM " NEWROWS);
	} else if (!rc) {
		ldp_buf_printf(&q, "SELECT count(*) FROM %s AS t WHERE EXISTS (SELECT 1 FROM " NEWROWS " AS n WHERE %s)",
			       ldp_buf_cstr(&tname), ldp_buf_cstr(&eq));
		rc = ldp_warehouse_bind_sql(wh, ldp_buf_cstr(&q));
		if (!rc)
			rc = count_query(e, ldp_buf_cstr(&q), &matched);
		/* copy-on-write: the table's new state replaces all of its files */
		wo.mode = LDP_WRITE_OVERWRITE;
		ldp_buf_clear(&q);
		ldp_buf_printf(&q,
			       "SELECT t.* FROM %s AS t WHERE NOT EXISTS (SELECT 1 FROM " NEWROWS " AS n WHERE %s) "
			       "UNION ALL BY NAME SELECT * FROM " NEWROWS,
			       ldp_buf_cstr(&tname), ldp_buf_cstr(&eq));
	}
	ldp_write_result wr;
	if (!rc)
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_table_write(wh, target, ldp_buf_cstr(&q), &wo, &wr);
	if (!rc) {
		res->rows = batch;
		res->deleted = matched;
		res->snapshot_id = wr.snapshot_id;
	}
	ldp_engine_exec(e, "DROP TABLE IF EXISTS " BATCH "; DROP TABLE IF EXISTS " NEWROWS);
	ldp_buf_free(&keys);
	ldp_buf_free(&eq);
	ldp_buf_free(&q);
	ldp_buf_free(&tname);
	return rc;
}
