/* DELETE / UPDATE / MERGE INTO on Iceberg tables; see table/rowlevel.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/engine_internal.h"
#include "format/metadata.h"
#include "format/transform.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"
#include "table/ice.h"
#include "table/maintain.h"
#include "table/plan.h"
#include "table/rowlevel.h"

/* Field ids of position delete columns (spec: "Position Delete Files"). */
#define POS_FILE_PATH_ID 2147483546
#define POS_POS_ID 2147483545

static int mode_is_mor(const ldp_table *t, ldp_sql_kind kind, int *mor)
{
	const char *key = kind == LDP_SQLK_DELETE ? "write.delete.mode"
			  : kind == LDP_SQLK_UPDATE ? "write.update.mode"
						    : "write.merge.mode";
	const char *v = ldp_metadata_property(t->meta, key);
	*mor = 0;
	if (!v || strcmp(v, "copy-on-write") == 0)
		return LDP_OK;
	if (strcmp(v, "merge-on-read") == 0) {
		*mor = 1;
		return LDP_OK;
	}
	return ldp_error_set(LDP_EINVALID,
			     "table %s.%s: property %s is '%s'; use copy-on-write or merge-on-read "
			     "",
			     t->ident.ns, t->ident.name, key, v);
}

static int exec(ldp_engine *e, const char *sql)
{
	return ldp_engine_exec(e, sql);
}

static int query_int(ldp_engine *e, const char *sql, int64_t *out)
{
	char *s = NULL;
	int rc = ldp_engine_query_text(e, sql, &s);
	*out = s ? strtoll(s, NULL, 10) : 0;
	free(s);
	return rc;
}

/* Run the user's statement with RETURNING and keep (action, file, pos) of
 * every row it touched in the temp table __ldp_ret. */
static int run_returning(ldp_engine *e, ldp_sql_kind kind, const char *stmt)
{
	int rc = exec(e, "CREATE OR REPLACE TEMP TABLE __ldp_ret (action VARCHAR, file VARCHAR, pos BIGINT)");
	if (rc)
		return rc;
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, stmt);
	if (kind == LDP_SQLK_MERGE)
		ldp_buf_puts(&q, " RETURNING CAST(merge_action AS VARCHAR), CAST(__ldp_file AS VARCHAR), CAST(__ldp_pos AS BIGINT)");
	else
		ldp_buf_printf(&q, " RETURNING '%s', CAST(__ldp_file AS VARCHAR), CAST(__ldp_pos AS BIGINT)",
			       kind == LDP_SQLK_DELETE ? "DELETE" : "UPDATE");
	if (ldp_buf_oom(&q))
		return LDP_ENOMEM;
	duckdb_connection conn = ldp_engine_connection(e);
	duckdb_result res;
	if (duckdb_query(conn, ldp_buf_cstr(&q), &res) != DuckDBSuccess) {
		ldp_buf_free(&q);
		rc = ldp_engine_result_error(&res, ldp_sql_kind_name(kind));
		duckdb_destroy_result(&res);
		return rc;
	}
	ldp_buf_free(&q);
	duckdb_appender app;
	if (duckdb_appender_create_ext(conn, "temp", "main", "__ldp_ret", &app) != DuckDBSuccess) {
		rc = ldp_error_set(LDP_ERROR, "appending to __ldp_ret: %s", duckdb_appender_error(app));
		duckdb_appender_destroy(&app);
		duckdb_destroy_result(&res);
		return rc;
	}
	for (;;) {
		duckdb_data_chunk ch = duckdb_fetch_chunk(res);
		if (!ch)
			break;
		int bad = duckdb_append_data_chunk(app, ch) != DuckDBSuccess;
		duckdb_destroy_data_chunk(&ch);
		if (bad) {
			rc = ldp_error_set(LDP_ERROR, "appending to __ldp_ret: %s", duckdb_appender_error(app));
			break;
		}
	}
	if (!rc && duckdb_appender_close(app) != DuckDBSuccess)
		rc = ldp_error_set(LDP_ERROR, "appending to __ldp_ret: %s", duckdb_appender_error(app));
	duckdb_appender_destroy(&app);
	duckdb_destroy_result(&res);
	return rc;
}

/* The table columns, comma-separated, as SQL identifiers. */
static void put_columns(const ldp_schema *s, const char *prefix, ldp_buf *b)
{
	for (size_t i = 0; i < s->root.nfields; i++) {
		if (i)
			ldp_buf_puts(b, ", ");
		ldp_buf_puts(b, prefix);
		ldp_buf_put_sql_ident(b, s->root.fields[i].name);
	}
}

/* Touched data files, with the partition and spec of their manifest entries. */
typedef struct touched {
	char **paths;
	size_t n;
	const ldp_data_file_entry **entries; /* in `a` */
	int32_t *spec_ids;
	char **groups; /* "<spec>/<partition path>" */
} touched;

static void touched_free(touched *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->paths[i]);
		if (t->groups)
			free(t->groups[i]);
	}
	free(t->paths);
	free(t->entries);
	free(t->spec_ids);
	free(t->groups);
	memset(t, 0, sizeof *t);
}

static int load_touched(ldp_engine *e, touched *t)
{
	ldp_string_list l = {0};
	int rc = ldp_string_list_query(e, "SELECT DISTINCT file FROM __ldp_ret WHERE file IS NOT NULL ORDER BY file", &l);
	t->paths = l.items;
	t->n = l.n;
	return rc;
}

/* Find the manifest entries of the touched files in the read snapshot. */
static int locate_touched(const ldp_table *tb, const ldp_snapshot *snap, const ldp_schema *schema, ldp_arena *a,
			  touched *t)
{
	t->entries = calloc(t->n + 1, sizeof *t->entries);
	t->spec_ids = calloc(t->n + 1, sizeof *t->spec_ids);
	t->groups = calloc(t->n + 1, sizeof *t->groups);
	if (!t->entries || !t->spec_ids || !t->groups)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_manifest_file *mfs;
	size_t nmf;
	int rc = ice_snapshot_manifests(snap, a, &mfs, &nmf);
	for (size_t i = 0; !rc && i < nmf; i++) {
		if (mfs[i].content != LDP_CONTENT_DATA)
			continue;
		ldp_data_file_entry *es;
		size_t ne;
		rc = ice_manifest_read(&mfs[i], a, &es, &ne);
		for (size_t k = 0; !rc && k < ne; k++) {
			if (es[k].status == LDP_ENTRY_DELETED)
				continue;
			for (size_t x = 0; x < t->n; x++)
				if (!t->entries[x] && strcmp(t->paths[x], es[k].file_path) == 0) {
					t->entries[x] = &es[k];
					t->spec_ids[x] = mfs[i].partition_spec_id;
					ldp_buf g = LDP_BUF_INIT;
					ldp_buf_printf(&g, "%d/", mfs[i].partition_spec_id);
					const ldp_partition_spec *sp = ldp_metadata_spec(tb->meta, mfs[i].partition_spec_id);
					if (sp && sp->nfields)
						rc = ldp_partition_path(sp, schema, es[k].partition, &g);
					t->groups[x] = ldp_buf_detach(&g);
				}
		}
	}
	for (size_t x = 0; !rc && x < t->n; x++)
		if (!t->entries[x])
			rc = ldp_error_set(LDP_ECORRUPT, "data file %s is not in snapshot %" PRId64, t->paths[x], snap->snapshot_id);
	return rc;
}

/* Write one position delete file per partition of touched files (rows
 * sorted by file_path, pos as the spec requires). */
static int write_position_deletes(ldp_engine *e, const ldp_table *tb, touched *t, ldp_arena *a,
				  ldp_data_file_entry **out, int32_t **spec_ids, size_t *n, char ***written)
{
	*out = ldp_arena_calloc(a, t->n + 1, sizeof **out);
	*spec_ids = ldp_arena_calloc(a, t->n + 1, sizeof **spec_ids);
	*written = calloc(t->n + 1, sizeof **written);
	*n = 0;
	if (!*out || !*spec_ids || !*written)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	char *done = calloc(t->n + 1, 1);
	if (!done)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	static const ldp_field_id ids[] = {{"file_path", POS_FILE_PATH_ID, 0, NULL}, {"pos", POS_POS_ID, 0, NULL}};
	int rc = LDP_OK;
	const char *codec = ldp_metadata_property(tb->meta, "write.delete.parquet.compression-codec");
	if (!codec)
		codec = ldp_metadata_property(tb->meta, "write.parquet.compression-codec");
	for (size_t i = 0; i < t->n && !rc; i++) {
		if (done[i])
			continue;
		ldp_buf q = LDP_BUF_INIT, path = LDP_BUF_INIT;
		ldp_buf_puts(&q, "SELECT file AS file_path, pos FROM __ldp_ret WHERE action IN ('DELETE', 'UPDATE') AND file IN (");
		size_t nf = 0;
		const char *only = NULL;
		for (size_t k = i; k < t->n; k++) {
			if (done[k] || strcmp(t->groups[k], t->groups[i]) != 0)
				continue;
			done[k] = 1;
			if (nf++)
				ldp_buf_puts(&q, ", ");
			ldp_buf_put_sql_string(&q, t->paths[k]);
			only = t->paths[k];
		}
		ldp_buf_puts(&q, ") ORDER BY file_path, pos");
		char uuid[37];
		rc = ldp_uuid4(uuid);
		const char *slash = strchr(t->groups[i], '/');
		const char *part = slash ? slash + 1 : "";
		ldp_buf_printf(&path, "%s/data/%s%s", tb->meta->location, part, *part ? "/" : "");
		if (!rc)
			rc = ldp_io_mkdirs(ldp_io_local_path(ldp_buf_cstr(&path)));
		ldp_buf_printf(&path, "%s-deletes.parquet", uuid);
		ldp_parquet_options po;
		memset(&po, 0, sizeof po);
		po.field_ids = ids;
		po.nfield_ids = 2;
		po.compression = codec;
		ldp_data_files *files = NULL;
		if (!rc && !ldp_buf_oom(&q))
			rc = ldp_engine_write_parquet(e, ldp_buf_cstr(&q), ldp_io_local_path(ldp_buf_cstr(&path)), &po, &files);
		if (!rc && (!files || files->count != 1))
			rc = ldp_error_set(LDP_ERROR, "writing position delete file %s: no file written", ldp_buf_cstr(&path));
		if (!rc) {
			(*written)[*n] = strdup(ldp_io_local_path(ldp_buf_cstr(&path)));
			rc = ldp_io_sync_file(ldp_io_local_path(ldp_buf_cstr(&path)));
			ldp_data_file_entry *d = &(*out)[*n];
			memset(d, 0, sizeof *d);
			d->status = LDP_ENTRY_ADDED;
			d->content = LDP_CONTENT_POSITION_DELETES;
			d->file_path = ldp_arena_strdup(a, ldp_buf_cstr(&path));
			d->file_format = "PARQUET";
			d->npartition = t->entries[i]->npartition;
			d->partition = t->entries[i]->partition;
			d->record_count = files->files[0].record_count;
			d->file_size_in_bytes = files->files[0].file_size;
			d->sort_order_id = -1;
			/* spec: set for a delete file that refers to one data file */
			d->referenced_data_file = nf == 1 ? ldp_arena_strdup(a, only) : NULL;
			(*spec_ids)[*n] = t->spec_ids[i];
			(*n)++;
		}
		ldp_data_files_free(files);
		ldp_buf_free(&q);
		ldp_buf_free(&path);
	}
	free(done);
	return rc;
}

/* `src` is the relation holding the rows after the statement (__ldp_dml), or
 * for a plain DELETE the scan itself (the rows before it: the deleted ones,
 * recorded in __ldp_ret, are then left out here). */
static int commit_change(ldp_warehouse *wh, const ldp_table *tb, const ldp_snapshot *snap, const char *branch,
			 int mor, const char *src, int plain_delete, ldp_dml_result *out)
{
	ldp_engine *e = wh->engine;
	const ldp_schema *schema = ldp_metadata_current_schema(tb->meta);
	touched t;
	memset(&t, 0, sizeof t);
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_buf sel = LDP_BUF_INIT;
	ldp_write_rowlevel rl;
	memset(&rl, 0, sizeof rl);
	rl.read_snapshot_id = snap ? snap->snapshot_id : -1;
	ldp_write_options o;
	memset(&o, 0, sizeof o);
	o.mode = LDP_WRITE_APPEND;
	o.branch = branch;
	char **dfiles = NULL;
	size_t nd = 0;
	int rc = load_touched(e, &t);
	ldp_buf_puts(&sel, "SELECT ");
	put_columns(schema, "d.", &sel);
	ldp_buf_printf(&sel, " FROM %s d WHERE ", src);
	if (plain_delete)
		/* the deleted rows by (file index, position) key, as the scan
		 * applies delete files (deletes.c) */
		ldp_buf_puts(&sel, mor ? "FALSE" : "d.__ldp_idx IN (SELECT DISTINCT key >> 40 FROM __ldp_ret) AND "
						   "(d.__ldp_idx::BIGINT << 40) + d.__ldp_pos NOT IN (SELECT key FROM __ldp_ret)");
	else
		ldp_buf_puts(&sel, "d.__ldp_file IS NULL OR ");
	if (!rc && !mor) {
		if (!plain_delete)
			ldp_buf_puts(&sel, "d.__ldp_file IN (SELECT file FROM __ldp_ret WHERE file IS NOT NULL)");
		rl.remove_files = (const char *const *)t.paths;
		rl.nremove_files = t.n;
		out->files_rewritten = (int64_t)t.n;
	} else if (!rc) {
		if (!plain_delete)
			ldp_buf_puts(&sel, "EXISTS (SELECT 1 FROM __ldp_ret r WHERE r.action = 'UPDATE' AND r.file = d.__ldp_file "
					   "AND r.pos = d.__ldp_pos)");
		ldp_data_file_entry *dels = NULL;
		int32_t *specs = NULL;
		rc = locate_touched(tb, snap, schema, &a, &t);
		if (!rc)
			rc = write_position_deletes(e, tb, &t, &a, &dels, &specs, &nd, &dfiles);
		rl.add_deletes = dels;
		rl.add_delete_spec_ids = specs;
		rl.nadd_deletes = nd;
		rl.require_files = (const char *const *)t.paths;
		rl.nrequire_files = t.n;
		out->delete_files = (int64_t)nd;
	}
	ldp_write_result res;
	if (!rc && ldp_buf_oom(&sel))
		rc = LDP_ENOMEM;
	if (!rc)
		rc = ldp_table_write_rowlevel(wh, &tb->ident, ldp_buf_cstr(&sel), &o, &rl, &res);
	if (!rc)
		out->snapshot_id = res.snapshot_id;
	for (size_t i = 0; i < nd; i++) {
		if (rc)
			ldp_io_remove(dfiles[i]);
		free(dfiles[i]);
	}
	free(dfiles);
	ldp_buf_free(&sel);
	touched_free(&t);
	ldp_arena_free(&a);
	return rc;
}

/* The files the statement reads: those that may hold rows matching `cond`
 * (the condition every changed row satisfies; NULL: all files). Files
 * without a possible match are neither read nor rewritten, and stay in the
 * new snapshot as they are. A condition planning cannot use (or DuckDB cannot
 * parse on its own) plans every file. */
static int plan_for(ldp_warehouse *wh, ldp_engine *e, const ldp_table *t, const ldp_snapshot_selector *sel,
		    const char *alias, const char *cond, const char *source, ldp_scan_plan *plan, ldp_dml_result *out)
{
	ldp_arena a;
	ldp_arena_init(&a, 4096);
	ldp_expr *filter = NULL;
	const char *quals[] = {alias, t->ident.name, NULL};
	const ldp_schema *cur = ldp_metadata_current_schema(t->meta);
	if (source && cur) {
		const char *sn = source[0] == '"' ? source + 1 : source;
		size_t len = strlen(sn) - (source[0] == '"' && strlen(sn) > 0);
		for (size_t i = 0; i < cur->root.nfields; i++)
			if (strlen(cur->root.fields[i].name) == len && strncasecmp(cur->root.fields[i].name, sn, len) == 0)
				cond = NULL;
	}
	if (cond && alias && ldp_expr_parse_where_as(e, cond, quals, &a, &filter)) {
		LDP_DEBUG("%s.%s: no pruning for the statement's condition: %s", t->ident.ns, t->ident.name,
			  ldp_error_last()->message);
		ldp_error_clear();
		filter = NULL;
	}
	int rc;
	if (filter && filter->op != LDP_EX_TRUE) {
		ldp_plan_options po = {filter, 0, 0};
		ldp_plan_report rep;
		rc = ldp_table_plan_filtered(wh, t, sel, &po, plan, &rep);
		out->files_pruned = (int64_t)(rep.files_pruned_partition + rep.files_pruned_metrics);
		ldp_plan_report_clear(&rep);
	} else {
		rc = ldp_table_plan(wh, t, sel, plan);
	}
	out->files_read = rc ? 0 : (int64_t)plan->nfiles;
	if (!rc)
		LDP_INFO("%s.%s: the statement reads %" PRId64 " data file%s (%" PRId64 " pruned by its condition%s)",
			 t->ident.ns, t->ident.name, out->files_read, out->files_read == 1 ? "" : "s", out->files_pruned,
			 filter && filter->op != LDP_EX_TRUE ? "" : ": none usable");
	ldp_arena_free(&a);
	return rc;
}

static int dml(ldp_warehouse *wh, const ldp_ident *id, const char *branch, ldp_sql_kind kind, const char *stmt,
	       const char *alias, const char *cond, const char *source, ldp_dml_result *out)
{
	memset(out, 0, sizeof *out);
	out->snapshot_id = -1;
	ldp_table *t = NULL;
	ldp_engine *e = NULL;
	ldp_scan_plan plan;
	memset(&plan, 0, sizeof plan);
	ldp_buf q = LDP_BUF_INIT;
	int rc = ldp_warehouse_engine(wh, &e);
	if (!rc)
		rc = ldp_table_load(wh, id, &t);
	int mor = 0;
	if (!rc)
		rc = mode_is_mor(t, kind, &mor);
	out->merge_on_read = mor;
	ldp_snapshot_selector sel;
	memset(&sel, 0, sizeof sel);
	sel.ref = branch;
	if (!rc && branch) {
		const ldp_ref *r = ldp_metadata_ref(t->meta, branch);
		if (!r || r->is_tag)
			rc = ldp_error_set(LDP_ENOTFOUND, "table %s.%s has no branch '%s' (ldp branch create %s.%s %s)", id->ns,
					   id->name, branch, id->ns, id->name, branch);
	}
	if (!rc)
		rc = plan_for(wh, e, t, branch ? &sel : NULL, alias, cond, source, &plan, out);
	ldp_buf scan = LDP_BUF_INIT;
	if (!rc) {
		ldp_buf_putc(&scan, '(');
		rc = ldp_scan_plan_sql_deletes(&plan, 1, &scan);
		ldp_buf_putc(&scan, ')');
	}
	if (!rc && stmt) {
		/* every live row with its data file and position */
		ldp_buf_printf(&q, "CREATE OR REPLACE TEMP TABLE __ldp_dml AS %s", ldp_buf_cstr(&scan));
		rc = exec(e, ldp_buf_cstr(&q));
		/* other Iceberg tables the statement reads (MERGE ... USING ns.src) */
		if (!rc)
			rc = ldp_warehouse_bind_sql(wh, stmt);
		if (!rc)
			rc = run_returning(e, kind, stmt);
	} else if (!rc) {
		/* DELETE ... WHERE: only the deleted rows' positions are needed */
		ldp_buf_free(&q);
		ldp_buf_printf(&q, "CREATE OR REPLACE TEMP TABLE __ldp_ret AS SELECT 'DELETE' AS action, __ldp_file AS file, "
				   "__ldp_pos AS pos, (__ldp_idx::BIGINT << 40) + __ldp_pos AS key FROM %s AS %s WHERE (%s)",
			       ldp_buf_cstr(&scan), alias, cond ? cond : "TRUE");
		if (!ldp_buf_oom(&q))
			rc = ldp_warehouse_bind_sql(wh, ldp_buf_cstr(&q));
		if (!rc)
			rc = ldp_buf_oom(&q) ? LDP_ENOMEM : exec(e, ldp_buf_cstr(&q));
	}
	if (!rc && kind == LDP_SQLK_MERGE) {
		/* SQL:2016 and the Iceberg engines: a target row matched by more
		 * than one source row is an error, not an arbitrary pick. */
		char *dup = NULL;
		rc = ldp_engine_query_text(e,
					   "SELECT file || ' row ' || pos FROM __ldp_ret WHERE action IN ('UPDATE', 'DELETE') "
					   "GROUP BY file, pos HAVING count(*) > 1 LIMIT 1",
					   &dup);
		if (!rc && dup)
			rc = ldp_error_set(LDP_EINVALID,
					   "MERGE INTO %s.%s: several source rows match the same target row (%s); make the "
					   "source keys unique (e.g. SELECT DISTINCT or GROUP BY in USING); nothing was committed",
					   id->ns, id->name, dup);
		free(dup);
	}
	if (!rc)
		rc = query_int(e, "SELECT count(*) FROM __ldp_ret WHERE action = 'DELETE'", &out->deleted);
	if (!rc)
		rc = query_int(e, "SELECT count(*) FROM __ldp_ret WHERE action = 'UPDATE'", &out->updated);
	if (!rc)
		rc = query_int(e, "SELECT count(*) FROM __ldp_ret WHERE action = 'INSERT'", &out->inserted);
	if (!rc && out->deleted + out->updated + out->inserted > 0)
		rc = commit_change(wh, t, plan.snapshot, branch, mor, stmt ? "__ldp_dml" : ldp_buf_cstr(&scan), !stmt, out);
	ldp_buf_free(&scan);
	if (e) {
		/* keep the failure's message: the cleanup must not replace it */
		char *msg = rc ? strdup(ldp_error_last()->message) : NULL;
		if (ldp_engine_exec(e, "DROP TABLE IF EXISTS temp.__ldp_dml; DROP TABLE IF EXISTS temp.__ldp_ret"))
			LDP_DEBUG("dropping row-level temp tables: %s", ldp_error_last()->message);
		if (rc)
			ldp_error_set(rc, "%s", msg ? msg : "out of memory");
		else
			ldp_error_clear();
		free(msg);
	}
	ldp_buf_free(&q);
	ldp_scan_plan_clear(&plan);
	ldp_table_free(t);
	if (rc)
		return ldp_error_wrap(rc, "%s on table %s.%s", ldp_sql_kind_name(kind), id->ns, id->name);
	return LDP_OK;
}

int ldp_table_dml(ldp_warehouse *wh, const ldp_ident *id, const char *branch, ldp_sql_kind kind, const char *stmt,
		  const char *alias, const char *where, ldp_dml_result *out)
{
	return dml(wh, id, branch, kind, stmt, alias, where, NULL, out);
}

int ldp_table_dml_merge(ldp_warehouse *wh, const ldp_ident *id, const char *branch, const char *stmt,
			const char *alias, const char *on, const char *source, ldp_dml_result *out)
{
	return dml(wh, id, branch, LDP_SQLK_MERGE, stmt, alias, on, source, out);
}

int ldp_table_delete_where(ldp_warehouse *wh, const ldp_ident *id, const char *branch, const char *alias,
			   const char *cond, ldp_dml_result *out)
{
	return dml(wh, id, branch, LDP_SQLK_DELETE, NULL, alias, cond, NULL, out);
}
