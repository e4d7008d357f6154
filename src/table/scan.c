/*
 * Scan planning: the live data files of a snapshot (manifest list ->
 * manifests -> entries not deleted), and the DuckDB query that reads them
 * with columns matched by Iceberg field id; binding `ns.table` names in SQL.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/sqlscan.h"
#include "format/schema.h"
#include "format/transform.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"
#include "format/metadata.h"
#include "table/ice.h"
#include "table/plan.h"
#include "table/sqlrun.h"
#include "table/table.h"
#include "table/view.h"

void ldp_scan_plan_clear(ldp_scan_plan *p)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].path);
		free(p->files[i].partition);
	}
	free(p->files);
	ldp_scan_plan_clear_deletes(p);
	ice_scan_views_free(p->views);
	memset(p, 0, sizeof *p);
}

int ice_plan_add_file(ldp_scan_plan *p, size_t *cap, const ldp_data_file_entry *e, const ldp_metadata *m,
		      const ldp_schema *schema, int32_t spec_id)
{
	if (p->nfiles == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		ldp_planned_file *nf = realloc(p->files, *cap * sizeof *nf);
		if (!nf)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		p->files = nf;
	}
	ldp_planned_file *f = &p->files[p->nfiles];
	memset(f, 0, sizeof *f);
	ldp_buf part = LDP_BUF_INIT;
	const ldp_partition_spec *spec = ldp_metadata_spec(m, spec_id);
	if (spec && spec->nfields)
		ldp_partition_path(spec, schema, e->partition, &part);
	f->path = strdup(e->file_path);
	f->partition = ldp_buf_detach(&part);
	f->record_count = e->record_count;
	f->file_size = e->file_size_in_bytes;
	f->spec_id = spec_id;
	f->seq = e->sequence_number;
	if (!f->path || !f->partition) {
		free(f->path);
		free(f->partition);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	p->nfiles++;
	p->total_records += e->record_count;
	return LDP_OK;
}

const ldp_schema *ice_plan_schema(const ldp_table *t, const ldp_snapshot *snap, const ldp_snapshot_selector *sel)
{
	const ldp_metadata *m = t->meta;
	/* Time travel reads with the schema of the snapshot (spec: a snapshot's
	 * schema-id); the current schema otherwise. */
	int32_t schema_id = snap && snap->schema_id >= 0 && (sel && (sel->snapshot_id > 0 || sel->as_of_ms > 0 || sel->ref))
				    ? snap->schema_id
				    : m->current_schema_id;
	const ldp_schema *s = ldp_metadata_schema(m, schema_id);
	return s ? s : ldp_metadata_current_schema(m);
}

int ldp_table_plan(ldp_warehouse *wh, const ldp_table *t, const ldp_snapshot_selector *sel, ldp_scan_plan *out)
{
	memset(out, 0, sizeof *out);
	const ldp_snapshot *snap;
	int rc = ldp_table_resolve_snapshot(t, sel, &snap);
	if (rc)
		return rc;
	const ldp_metadata *m = t->meta;
	out->schema = ice_plan_schema(t, snap, sel);
	out->snapshot = snap;
	if (!snap)
		return LDP_OK;

	ldp_arena a;
	ldp_arena_init(&a, 64 * 1024);
	ldp_manifest_file *mfs;
	size_t nmf, cap = 0;
	rc = ice_snapshot_manifests(snap, &a, &mfs, &nmf);
	for (size_t i = 0; !rc && i < nmf; i++) {
		if (mfs[i].content != LDP_CONTENT_DATA) {
			rc = ldp_scan_plan_add_deletes(out, &mfs[i], m, &a);
			continue;
		}
		ldp_data_file_entry *es;
		size_t ne;
		rc = ice_manifest_read(&mfs[i], &a, &es, &ne);
		for (size_t j = 0; !rc && j < ne; j++) {
			if (es[j].status == LDP_ENTRY_DELETED || es[j].content != LDP_CONTENT_DATA)
				continue;
			rc = ice_plan_add_file(out, &cap, &es[j], m, out->schema, mfs[i].partition_spec_id);
		}
	}
	ldp_arena_free(&a);
	if (!rc)
		rc = ice_plan_nested_views(wh, m, out);
	if (rc) {
		ldp_scan_plan_clear(out);
		return ldp_error_wrap(rc, "planning a scan of %s.%s", t->ident.ns, t->ident.name);
	}
	return LDP_OK;
}

int ldp_table_manifests(const ldp_table *t, const ldp_snapshot_selector *sel, ldp_arena *a, ldp_manifest_file **out,
			size_t *n)
{
	*out = NULL;
	*n = 0;
	const ldp_snapshot *snap;
	int rc = ldp_table_resolve_snapshot(t, sel, &snap);
	if (rc || !snap)
		return rc;
	return ice_snapshot_manifests(snap, a, out, n);
}

/* "SELECT <the schema's columns>" (typed NULLs when the plan has no files),
 * the start of every scan query; shared with the delete-applying scan. */
int ice_scan_select_list(const ldp_scan_plan *p, ldp_buf *out)
{
	const ldp_schema *s = p->schema;
	ldp_buf_puts(out, "SELECT ");
	for (size_t i = 0; i < s->root.nfields; i++) {
		if (i)
			ldp_buf_puts(out, ", ");
		const ldp_field *f = &s->root.fields[i];
		if (p->nfiles == 0) {
			ldp_buf_puts(out, "CAST(NULL AS ");
			int rc = ldp_type_to_duckdb(f->type, out);
			if (rc)
				return rc;
			ldp_buf_puts(out, ") AS ");
		}
		ldp_buf_put_sql_ident(out, f->name);
	}
	if (s->root.nfields == 0)
		ldp_buf_puts(out, "NULL AS \"(no columns)\"");
	return LDP_OK;
}

int ldp_scan_plan_sql(const ldp_scan_plan *p, ldp_buf *out)
{
	if (p->ndeletes)
		return ldp_scan_plan_sql_deletes(p, 0, out);
	const ldp_schema *s = p->schema;
	if (!s)
		return ldp_error_set(LDP_ECORRUPT, "table metadata has no current schema");
	int lrc = ice_scan_select_list(p, out);
	if (lrc)
		return lrc;
	if (p->nfiles == 0) {
		ldp_buf_puts(out, " LIMIT 0");
		return ldp_buf_oom(out);
	}
	/* DuckDB reads local files: remote data files go through the content
	 * cache, fetched several at a time first */
	if (p->nfiles && ldp_io_is_remote(p->files[0].path)) {
		const char **uris = malloc(p->nfiles * sizeof *uris);
		int64_t *sizes = malloc(p->nfiles * sizeof *sizes);
		int prc = uris && sizes ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
		for (size_t i = 0; !prc && i < p->nfiles; i++) {
			uris[i] = p->files[i].path;
			sizes[i] = p->files[i].file_size;
		}
		if (!prc)
			prc = ldp_io_prefetch(uris, sizes, p->nfiles);
		free(uris);
		free(sizes);
		if (prc)
			return ldp_error_wrap(prc, "fetching the data files of the scan");
	}
	/* local copies of remote files (fetched above, so from the cache) */
	char **paths = calloc(p->nfiles, sizeof *paths);
	int rc = paths ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < p->nfiles; i++) {
		const ldp_planned_file *f = &p->files[i];
		if (ldp_io_is_remote(f->path))
			rc = ldp_io_local_copy(f->path, f->file_size, &paths[i]);
		else if (!(paths[i] = strdup(f->path)))
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		if (rc)
			rc = ldp_error_wrap(rc, "fetching data file %s", f->path);
	}
	/* Columns by field id, so renamed, added and dropped columns read right
	 * from files written under older schemas. */
	ldp_buf_puts(out, " FROM ");
	if (!rc)
		rc = ice_scan_source(p, (const char *const *)paths, 0, out);
	for (size_t i = 0; paths && i < p->nfiles; i++)
		free(paths[i]);
	free(paths);
	return rc ? rc : ldp_buf_oom(out);
}

/* ---- binding names in SQL ---- */

typedef struct bind_ctx {
	ldp_warehouse *wh;
	ldp_engine *engine;
	const char *sql;
	const ldp_pushdown *pd; /* WHERE filters to push into planning, or NULL */
	ldp_buf filtered;       /* names bound with a filter */
	int bound;
	char seen[64][1024];
	size_t nseen;
} bind_ctx;

static int bind_one(const ldp_sql_name *n, void *ud)
{
	bind_ctx *c = ud;
	/* ns.t, "a.b".t, or a.b.t for the nested namespace a.b: DuckDB reads a
	 * three-part name as catalog.schema.table, so the view goes into an
	 * in-memory catalog named a (attached on demand), schema b. */
	if (n->nparts > 3)
		return 0;
	char nsbuf[512];
	if (n->nparts == 3)
		snprintf(nsbuf, sizeof nsbuf, "%s.%s", n->parts[0], n->parts[1]);
	else
		snprintf(nsbuf, sizeof nsbuf, "%s", n->parts[0]);
	const char *ns = nsbuf, *tn = n->parts[n->nparts - 1];
	char key[sizeof c->seen[0]];
	snprintf(key, sizeof key, "%.500s\x1f%.500s", ns, tn);
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], key) == 0)
			return 0;
	if (c->nseen < 64)
		snprintf(c->seen[c->nseen++], sizeof c->seen[0], "%s", key);

	ldp_ident id;
	memset(&id, 0, sizeof id);
	snprintf(id.ns, sizeof id.ns, "%s", ns);
	snprintf(id.name, sizeof id.name, "%s", tn);
	ldp_snapshot_selector sel;
	memset(&sel, 0, sizeof sel);
	char *at = strchr(id.name, '@');
	char spec[256] = "";
	int exists = 0;
	if (at) {
		snprintf(spec, sizeof spec, "%s", at + 1);
		*at = '\0';
	}
	ldp_ident given = id;
	int rc = ldp_warehouse_resolve_table(c->wh, given.ns, given.name, &id, &exists);
	/* An Iceberg view (table/view.h): the names its SQL reads are bound
	 * first, then it becomes a DuckDB view in the same place a table would. */
	char *view_sql = NULL;
	if (!rc && !exists && !at && ldp_view_load_sql(c->wh, &id, &view_sql) == LDP_OK) {
		exists = 1;
		/* The view's tables are bound unfiltered: the statement's WHERE
		 * says nothing about the rows the view reads. */
		const ldp_pushdown *pd = c->pd;
		const char *outer = c->sql;
		c->pd = NULL;
		c->sql = view_sql;
		rc = ldp_sql_scan_names(view_sql, bind_one, c);
		c->pd = pd;
		c->sql = outer;
		if (rc) {
			free(view_sql);
			return ldp_error_wrap(rc, "binding view %s.%s", ns, tn);
		}
	}
	if (rc || !exists) {
		ldp_error_clear();
		if (at) /* a time-travel name that is not a table is certainly a mistake */
			return ldp_error_set(LDP_ENOTFOUND, "table %s.%s not found (in %s.\"%s\")", ns, id.name, ns, tn);
		return 0;
	}
	if (at && (rc = ldp_snapshot_selector_parse(spec, &sel)))
		return ldp_error_wrap(rc, "in %s.\"%s\"", ns, tn);
	ldp_table *t = NULL;
	ldp_scan_plan plan;
	memset(&plan, 0, sizeof plan);
	ldp_buf q = LDP_BUF_INIT;
	if (!view_sql)
		rc = ldp_table_load(c->wh, &id, &t);
	const ldp_expr *filter = view_sql ? NULL : ldp_pushdown_filter(c->pd, ns, tn);
	ldp_plan_options po = {filter, 0, 0};
	if (!rc && filter) {
		rc = ldp_table_plan_filtered(c->wh, t, &sel, &po, &plan, NULL);
		ldp_buf_put(&c->filtered, c->sql + n->offset, n->length);
		ldp_buf_putc(&c->filtered, '\n');
	} else if (!rc && !view_sql) {
		rc = ldp_table_plan(c->wh, t, &sel, &plan);
	}
	if (!rc) {
		/* Where the view goes so that DuckDB resolves the name as written:
		 * ns.t -> catalog ns (attached in memory), schema main; a.b.t ->
		 * catalog a, schema b; "a.b".t -> schema "a.b" of the default
		 * catalog. One catalog per top-level namespace keeps ns.t and
		 * ns.sub.t from being ambiguous. DuckDB's own catalog names are
		 * left alone (their namespaces become schemas instead). */
		ldp_buf qual = LDP_BUF_INIT;
		const char *cat = strchr(n->parts[0], '.') ? NULL : n->parts[0];
		static const char *const reserved[] = {"main", "memory", "system", "temp", "information_schema", "pg_catalog"};
		for (size_t r = 0; cat && r < sizeof reserved / sizeof reserved[0]; r++)
			if (strcasecmp(cat, reserved[r]) == 0)
				cat = NULL;
		if (cat) {
			ldp_buf_puts(&q, "ATTACH IF NOT EXISTS ':memory:' AS ");
			ldp_buf_put_sql_ident(&q, cat);
			ldp_buf_puts(&q, "; ");
			ldp_buf_put_sql_ident(&qual, cat);
			ldp_buf_putc(&qual, '.');
			ldp_buf_put_sql_ident(&qual, n->nparts == 3 ? n->parts[1] : "main");
		} else if (n->nparts == 3) {
			rc = ldp_error_set(LDP_EUNSUPPORTED, "%s.%s: quote the namespace (\"%s\".%s)", ns, tn, ns, tn);
		} else {
			ldp_buf_put_sql_ident(&qual, ns);
		}
		ldp_buf_printf(&q, "CREATE SCHEMA IF NOT EXISTS %s; CREATE OR REPLACE VIEW %s.", ldp_buf_cstr(&qual), ldp_buf_cstr(&qual));
		ldp_buf_put_sql_ident(&q, tn);
		ldp_buf_puts(&q, " AS ");
		ldp_buf_free(&qual);
		if (!rc && view_sql)
			ldp_buf_puts(&q, view_sql);
		else if (!rc)
			rc = ldp_scan_plan_sql(&plan, &q);
	}
	free(view_sql);
	if (!rc)
		rc = ldp_engine_exec(c->engine, ldp_buf_cstr(&q));
	if (!rc) {
		LDP_DEBUG("bound %s.%s: %zu files, %" PRId64 " rows", ns, tn, plan.nfiles, plan.total_records);
		c->bound++;
		c->wh->bound_tables++;
	}
	ldp_buf_free(&q);
	ldp_scan_plan_clear(&plan);
	ldp_table_free(t);
	return rc;
}

/* Stops the scan (returns 1) at the first name that is an ldp view. */
static int names_view(const ldp_sql_name *n, void *ud)
{
	ldp_warehouse *wh = ud;
	if (n->nparts < 2 || n->nparts > 3)
		return 0;
	char nsbuf[512];
	if (n->nparts == 3)
		snprintf(nsbuf, sizeof nsbuf, "%s.%s", n->parts[0], n->parts[1]);
	else
		snprintf(nsbuf, sizeof nsbuf, "%s", n->parts[0]);
	ldp_ident id;
	int exists = 0;
	char *view_sql = NULL;
	if (ldp_warehouse_resolve_table(wh, nsbuf, n->parts[n->nparts - 1], &id, &exists) || exists)
		return 0;
	if (ldp_view_load_sql(wh, &id, &view_sql) != LDP_OK) {
		ldp_error_clear();
		return 0;
	}
	free(view_sql);
	return 1;
}

int ldp_warehouse_bind_sql(ldp_warehouse *wh, const char *sql)
{
	bind_ctx c;
	memset(&c, 0, sizeof c);
	c.wh = wh;
	int rc = ldp_warehouse_engine(wh, &c.engine);
	if (rc)
		return rc;
	char *stale = wh->filtered_views;
	wh->filtered_views = NULL;
	ldp_pushdown *pd = NULL;
	rc = ldp_pushdown_collect(wh, c.engine, sql, &pd);
	if (!rc && pd && ldp_sql_scan_names(sql, names_view, wh)) {
		/* A view may read a table the statement also reads directly; both
		 * share one binding, which must then hold all of its rows. */
		ldp_error_clear();
		ldp_pushdown_free(pd);
		pd = NULL;
	}
	c.pd = pd;
	c.sql = sql;
	if (!rc)
		rc = ldp_sql_scan_names(sql, bind_one, &c);
	ldp_pushdown_free(pd);
	if (!rc && stale) {
		/* A view a previous statement filtered must not outlive it: rebind
		 * the ones this statement did not bind itself (their keys are in
		 * c.seen, so bind_one skips those). */
		bind_ctx r = c;
		r.pd = NULL;
		r.sql = stale;
		memset(&r.filtered, 0, sizeof r.filtered);
		rc = ldp_sql_scan_names(stale, bind_one, &r);
	}
	if (rc && stale)
		ldp_buf_puts(&c.filtered, stale); /* not rebound yet: next time */
	free(stale);
	if (c.filtered.len)
		wh->filtered_views = ldp_buf_detach(&c.filtered);
	ldp_buf_free(&c.filtered);
	return rc;
}

int ldp_warehouse_resolve_table(ldp_warehouse *wh, const char *ns, const char *name, ldp_ident *out, int *exists)
{
	*exists = 0;
	memset(out, 0, sizeof *out);
	snprintf(out->ns, sizeof out->ns, "%s", ns);
	snprintf(out->name, sizeof out->name, "%s", name);
	int nsx = 0;
	if (ldp_catalog_namespace_exists(wh->catalog, out->ns, &nsx) == LDP_OK && !nsx && !strchr(out->ns, '.')) {
		/* the same case folding for a top-level namespace */
		ldp_catalog_names all = {0};
		if (ldp_catalog_list_namespaces(wh->catalog, NULL, &all) == LDP_OK)
			for (size_t i = 0; i < all.len; i++)
				if (strcasecmp(all.items[i], out->ns) == 0)
					snprintf(out->ns, sizeof out->ns, "%s", all.items[i]);
		ldp_catalog_names_free(&all);
	}
	ldp_error_clear();
	int rc = ldp_catalog_table_exists(wh->catalog, out->ns, out->name, exists);
	if (rc == LDP_ENOTFOUND) { /* no such namespace: not a table */
		ldp_error_clear();
		return LDP_OK;
	}
	if (rc || *exists)
		return rc;
	ldp_catalog_names names = {0};
	const char *hit = NULL;
	int many = 0;
	if (ldp_catalog_list_tables(wh->catalog, out->ns, &names) == LDP_OK)
		for (size_t i = 0; i < names.len; i++)
			if (strcasecmp(names.items[i], out->name) == 0)
				many += hit != NULL, hit = names.items[i];
	if (hit && !many) {
		snprintf(out->name, sizeof out->name, "%s", hit);
		*exists = 1;
	}
	ldp_catalog_names_free(&names);
	ldp_error_clear();
	return LDP_OK;
}
