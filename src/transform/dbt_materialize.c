/*
 * Materializations: view (an Iceberg view), table (replaced in one commit),
 * incremental (append, or merge on unique_key), ephemeral (nothing to write:
 * inlined as a CTE by its dependents), seeds (CSV -> table), and tests.
 *
 * The model's rows are staged once in a DuckDB temp table of the worker's
 * engine, so the query runs once whether we need its schema, a table create
 * and a write, or a merge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_views.h"
#include "format/metadata.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "table/ddl.h"
#include "table/table.h"
#include "table/view.h"
#include "transform/dbt_internal.h"

#define STAGE "__ldp_dbt_stage"

static int ensure_namespace(ldp_warehouse *wh, const char *ns)
{
	int exists = 0;
	int rc = ldp_catalog_namespace_exists(wh->catalog, ns, &exists);
	if (rc || exists)
		return rc;
	rc = ldp_catalog_create_namespace(wh->catalog, ns, NULL, 0);
	if (rc == LDP_EEXISTS) { /* another worker made it meanwhile */
		ldp_error_clear();
		return 0;
	}
	return rc;
}

static void node_ident(const dbt_node *n, ldp_ident *id)
{
	memset(id, 0, sizeof *id);
	snprintf(id->ns, sizeof id->ns, "%s", n->schema);
	snprintf(id->name, sizeof id->name, "%s", n->alias);
}

int dbt_write_compiled(dbt_project *p, const dbt_node *n, const char *sql)
{
	ldp_buf path = LDP_BUF_INIT;
	if (n->path)
		ldp_buf_printf(&path, "%s/%s/compiled/%s/%s", p->dir, p->target_path, p->name, n->path);
	else /* generic tests, under the property file that declares them, as dbt does */
		ldp_buf_printf(&path, "%s/%s/compiled/%s/%s/%s.sql", p->dir, p->target_path, p->name,
			       json_string_value(json_object_get(n->meta, "file")), n->name);
	int rc = ldp_buf_oom(&path) ? LDP_ENOMEM : ldp_io_write_atomic(ldp_buf_cstr(&path), sql, strlen(sql));
	ldp_buf_free(&path);
	return rc;
}

/* The compiled file is for people reading it: a run does not fail on it. */
static void write_compiled(dbt_project *p, const dbt_node *n, const char *sql)
{
	if (dbt_write_compiled(p, n, sql) != 0)
		ldp_error_clear();
}

static int table_exists(ldp_warehouse *wh, const ldp_ident *id, int *exists)
{
	return ldp_catalog_table_exists(wh->catalog, id->ns, id->name, exists);
}

static int view_exists(ldp_warehouse *wh, const ldp_ident *id, int *exists)
{
	char *loc = NULL;
	int rc = ldp_catalog_load_view(wh->catalog, id->ns, id->name, &loc);
	free(loc);
	*exists = rc == 0;
	if (rc == LDP_ENOTFOUND || rc == LDP_EUNSUPPORTED) {
		ldp_error_clear();
		rc = 0;
	}
	return rc;
}

/* The Iceberg schema of a query's result. */
static int query_schema(ldp_engine *e, const char *sql, ldp_arena *a, ldp_schema **out)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_printf(&q, "SELECT * FROM (%s\n) AS __ldp_q LIMIT 0", sql);
	ldp_result *r = NULL;
	int rc = ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	if (!rc)
		rc = ldp_schema_from_duckdb_result(a, r, out);
	ldp_result_free(r);
	ldp_buf_free(&q);
	return rc;
}

/* The model's partition_by config as a partition clause ("day(ts), region"):
 * a string or a list of strings, each a column or a transform of one as
 * `ldp table create --partition-by` takes them. NULL when unset. */
static int partition_clause(const dbt_node *n, ldp_buf *out, const char **clause)
{
	*clause = NULL;
	json_t *pb = json_object_get(n->config, "partition_by");
	if (!pb || json_is_null(pb))
		return LDP_OK;
	if (json_is_string(pb)) {
		ldp_buf_puts(out, json_string_value(pb));
	} else if (json_is_array(pb)) {
		size_t i;
		json_t *v;
		json_array_foreach(pb, i, v)
		{
			if (!json_is_string(v))
				return ldp_error_set(LDP_EINVALID, "%s: partition_by entries must be strings (a column or a transform like day(ts))",
						     n->path ? n->path : n->name);
			ldp_buf_printf(out, "%s%s", i ? ", " : "", json_string_value(v));
		}
	} else {
		return ldp_error_set(LDP_EUNSUPPORTED,
				     "%s: partition_by must be a column, a transform like day(ts), or a list of them "
				     "(the BigQuery form {field: ..., granularity: ...} is not supported)",
				     n->path ? n->path : n->name);
	}
	if (ldp_buf_oom(out))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	*clause = ldp_buf_cstr(out);
	return LDP_OK;
}

/* Replace the table with the staged rows. An existing table is replaced in
 * one commit (ldp_table_replace: new schema, spec and an overwrite snapshot;
 * same uuid and history), so readers never find it missing or half-written,
 * whether or not the model's columns changed. */
static int replace_table(ldp_warehouse *wh, const dbt_node *n, const ldp_ident *id, int64_t *rows)
{
	ldp_engine *e;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_buf part = LDP_BUF_INIT;
	const char *partition_by = NULL;
	ldp_schema *schema = NULL;
	int rc = ldp_warehouse_engine(wh, &e), exists = 0, vexists = 0;
	if (!rc)
		rc = query_schema(e, "SELECT * FROM " STAGE, &a, &schema);
	if (!rc)
		rc = partition_clause(n, &part, &partition_by);
	if (!rc)
		rc = view_exists(wh, id, &vexists);
	if (!rc && vexists) /* a view becoming a table: the one case with two catalog changes */
		rc = ldp_view_drop(wh, id);
	if (!rc)
		rc = table_exists(wh, id, &exists);
	ldp_write_result res;
	memset(&res, 0, sizeof res);
	if (!rc && exists) {
		ldp_replace_options ro;
		memset(&ro, 0, sizeof ro);
		ro.schema = schema;
		ro.partition_by = partition_by;
		rc = ldp_table_replace(wh, id, "SELECT * FROM " STAGE, &ro, &res);
	} else if (!rc) {
		ldp_create_options co;
		memset(&co, 0, sizeof co);
		co.schema = schema;
		co.partition_by = partition_by;
		rc = ldp_table_create_as(wh, id, &co, "SELECT * FROM " STAGE, &res);
	}
	*rows = res.added_records;
	ldp_buf_free(&part);
	ldp_arena_free(&a);
	return rc;
}

/* Merge on unique_key with copy-on-write: the current rows whose key is not
 * among the new rows, plus the new rows, written as one overwrite snapshot.
 * Kept in one function so that MERGE INTO on Iceberg can replace it. */
static int merge_copy_on_write(ldp_warehouse *wh, const ldp_ident *id, const char *const *keys, size_t nkeys,
			       const ldp_schema *target, int64_t *rows)
{
	ldp_buf q = LDP_BUF_INIT, cols = LDP_BUF_INIT;
	for (size_t i = 0; i < target->root.nfields; i++) {
		if (i)
			ldp_buf_puts(&cols, ", ");
		ldp_buf_put_sql_ident(&cols, target->root.fields[i].name);
	}
	ldp_buf_puts(&q, "SELECT ");
	ldp_buf_puts(&q, ldp_buf_cstr(&cols));
	ldp_buf_puts(&q, " FROM ");
	ldp_buf_put_sql_ident(&q, id->ns);
	ldp_buf_putc(&q, '.');
	ldp_buf_put_sql_ident(&q, id->name);
	ldp_buf_puts(&q, " AS __old WHERE NOT EXISTS (SELECT 1 FROM " STAGE " AS __new WHERE ");
	for (size_t i = 0; i < nkeys; i++) {
		if (i)
			ldp_buf_puts(&q, " AND ");
		ldp_buf_printf(&q, "__new.%s IS NOT DISTINCT FROM __old.%s", keys[i], keys[i]);
	}
	ldp_buf_printf(&q, ") UNION ALL SELECT %s FROM " STAGE, ldp_buf_cstr(&cols));
	ldp_write_options wo = {.mode = LDP_WRITE_OVERWRITE};
	ldp_write_result res;
	memset(&res, 0, sizeof res);
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_table_write(wh, id, ldp_buf_cstr(&q), &wo, &res);
	*rows = res.added_records;
	ldp_buf_free(&q);
	ldp_buf_free(&cols);
	return rc;
}

static int append_rows(ldp_warehouse *wh, const ldp_ident *id, const ldp_schema *target, int64_t *rows)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT ");
	for (size_t i = 0; i < target->root.nfields; i++) {
		if (i)
			ldp_buf_puts(&q, ", ");
		ldp_buf_put_sql_ident(&q, target->root.fields[i].name);
	}
	ldp_buf_puts(&q, " FROM " STAGE);
	ldp_write_options wo = {.mode = LDP_WRITE_APPEND};
	ldp_write_result res;
	memset(&res, 0, sizeof res);
	int rc = ldp_table_write(wh, id, ldp_buf_cstr(&q), &wo, &res);
	*rows = res.added_records;
	ldp_buf_free(&q);
	return rc;
}

static int stage(ldp_warehouse *wh, const char *select_sql)
{
	ldp_engine *e;
	int rc = ldp_warehouse_bind_sql(wh, select_sql);
	if (!rc)
		rc = ldp_warehouse_engine(wh, &e);
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_printf(&q, "CREATE OR REPLACE TEMP TABLE " STAGE " AS %s\n", select_sql);
	if (!rc)
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
	ldp_buf_free(&q);
	return rc;
}

static int incremental(dbt_worker *w, dbt_node *n, const ldp_ident *id, char *msg, size_t msgsz)
{
	ldp_table *t = NULL;
	int64_t rows = 0;
	int rc = ldp_table_load(w->wh, id, &t);
	const ldp_schema *target = rc ? NULL : ldp_metadata_current_schema(t->meta);
	json_t *uk = json_object_get(n->config, "unique_key");
	const char *keys[32];
	size_t nkeys = 0;
	if (json_is_string(uk)) {
		keys[nkeys++] = json_string_value(uk);
	} else if (json_is_array(uk)) {
		size_t i;
		json_t *k;
		json_array_foreach(uk, i, k) if (json_is_string(k) && nkeys < 32) keys[nkeys++] = json_string_value(k);
	}
	const char *strategy = json_string_value(json_object_get(n->config, "incremental_strategy"));
	if (!rc && strategy && strcmp(strategy, "append") && strcmp(strategy, "merge") && strcmp(strategy, "delete+insert"))
		rc = ldp_error_set(LDP_EUNSUPPORTED, "%s: incremental_strategy '%s' is not supported (append, merge, delete+insert)",
				   n->path, strategy);
	if (!rc && strategy && !strcmp(strategy, "append"))
		nkeys = 0;
	if (!rc && nkeys) {
		rc = merge_copy_on_write(w->wh, id, keys, nkeys, target, &rows);
		snprintf(msg, msgsz, "MERGE %lld", (long long)rows);
	} else if (!rc) {
		rc = append_rows(w->wh, id, target, &rows);
		snprintf(msg, msgsz, "INSERT %lld", (long long)rows);
	}
	ldp_table_free(t);
	return rc;
}

static int seed_sql(dbt_project *p, dbt_node *n, ldp_buf *q)
{
	ldp_buf path = LDP_BUF_INIT;
	ldp_buf_printf(&path, "%s/%s", p->dir, n->path);
	ldp_buf_puts(q, "SELECT * FROM read_csv(");
	ldp_buf_put_sql_string(q, ldp_buf_cstr(&path));
	ldp_buf_puts(q, ", header = true, auto_detect = true");
	ldp_buf_free(&path);
	const char *delim = json_string_value(json_object_get(n->config, "delimiter"));
	if (delim) {
		ldp_buf_puts(q, ", delim = ");
		ldp_buf_put_sql_string(q, delim);
	}
	json_t *ct = json_object_get(n->config, "column_types");
	if (json_is_object(ct) && json_object_size(ct)) {
		ldp_buf_puts(q, ", types = {");
		const char *k;
		json_t *v;
		int first = 1;
		json_object_foreach(ct, k, v)
		{
			if (!json_is_string(v))
				return ldp_error_set(LDP_EINVALID, "seed %s: column_types.%s must be a type name", n->name, k);
			ldp_buf_puts(q, first ? "" : ", ");
			ldp_buf_put_sql_string(q, k);
			ldp_buf_puts(q, ": ");
			ldp_buf_put_sql_string(q, json_string_value(v));
			first = 0;
		}
		ldp_buf_puts(q, "}");
	}
	ldp_buf_puts(q, ")");
	return ldp_buf_oom(q);
}

int dbt_materialize(dbt_worker *w, dbt_node *n, char *msg, size_t msgsz)
{
	dbt_project *p = w->p;
	ldp_ident id;
	node_ident(n, &id);
	int rc = 0, exists = 0;
	int64_t rows = 0;
	ldp_buf sql = LDP_BUF_INIT;
	if (n->kind == DBT_SEED) {
		rc = seed_sql(p, n, &sql);
		if (!rc)
			rc = ensure_namespace(w->wh, id.ns);
		if (!rc)
			rc = stage(w->wh, ldp_buf_cstr(&sql));
		if (!rc)
			rc = replace_table(w->wh, n, &id, &rows);
		snprintf(msg, msgsz, "INSERT %lld", (long long)rows);
		ldp_buf_free(&sql);
		return rc;
	}
	const char *mat = n->materialized;
	int is_inc = 0;
	if (!strcmp(mat, "incremental")) {
		json_t *fr = json_object_get(n->config, "full_refresh");
		int full = json_is_boolean(fr) ? json_is_true(fr) : p->opts->full_refresh;
		rc = table_exists(w->wh, &id, &exists);
		is_inc = !rc && exists && !full;
	}
	if (!rc)
		rc = dbt_compile_node(p, n, w, is_inc, &sql);
	if (!rc) {
		free(n->compiled);
		n->compiled = strdup(ldp_buf_cstr(&sql));
		write_compiled(p, n, n->compiled);
	}
	if (!rc && !strcmp(mat, "ephemeral")) {
		snprintf(msg, msgsz, "EPHEMERAL");
	} else if (!rc && !strcmp(mat, "view")) {
		ldp_engine *e;
		ldp_arena a;
		ldp_arena_init(&a, 0);
		ldp_schema *schema = NULL;
		rc = ensure_namespace(w->wh, id.ns);
		if (!rc)
			rc = ldp_warehouse_bind_sql(w->wh, ldp_buf_cstr(&sql));
		if (!rc)
			rc = ldp_warehouse_engine(w->wh, &e);
		if (!rc)
			rc = query_schema(e, ldp_buf_cstr(&sql), &a, &schema);
		if (!rc)
			rc = table_exists(w->wh, &id, &exists);
		if (!rc && exists)
			rc = ldp_table_drop(w->wh, &id, 0);
		if (!rc)
			rc = ldp_view_replace(w->wh, &id, ldp_buf_cstr(&sql), schema);
		ldp_arena_free(&a);
		snprintf(msg, msgsz, "CREATE VIEW");
	} else if (!rc) {
		rc = ensure_namespace(w->wh, id.ns);
		if (!rc)
			rc = stage(w->wh, ldp_buf_cstr(&sql));
		if (!rc && is_inc) {
			rc = incremental(w, n, &id, msg, msgsz);
		} else if (!rc) {
			rc = replace_table(w->wh, n, &id, &rows);
			snprintf(msg, msgsz, "SELECT %lld", (long long)rows);
		}
	}
	ldp_buf_free(&sql);
	return rc;
}

int dbt_run_test(dbt_worker *w, dbt_node *n, char *msg, size_t msgsz, int *failures)
{
	dbt_project *p = w->p;
	ldp_buf sql = LDP_BUF_INIT, q = LDP_BUF_INIT;
	*failures = 0;
	int rc = dbt_compile_node(p, n, w, 0, &sql);
	if (!rc) {
		free(n->compiled);
		n->compiled = strdup(ldp_buf_cstr(&sql));
		write_compiled(p, n, n->compiled);
		rc = ldp_warehouse_bind_sql(w->wh, ldp_buf_cstr(&sql));
	}
	ldp_engine *e;
	if (!rc)
		rc = ldp_warehouse_engine(w->wh, &e);
	char *count = NULL;
	if (!rc) {
		ldp_buf_printf(&q, "SELECT count(*) FROM (%s\n) AS dbt_internal_test", ldp_buf_cstr(&sql));
		rc = ldp_engine_query_text(e, ldp_buf_cstr(&q), &count);
	}
	if (!rc)
		*failures = count ? atoi(count) : 0;
	free(count);
	if (!rc && *failures > 0) {
		/* a few sample rows, as "col=value, col=value" lines */
		ldp_buf_clear(&q);
		ldp_buf_printf(&q, "SELECT * FROM (%s\n) AS dbt_internal_test LIMIT 5", ldp_buf_cstr(&sql));
		ldp_result *r = NULL;
		if (ldp_engine_query(e, ldp_buf_cstr(&q), &r) == 0) {
			ldp_chunk *c;
			while (ldp_result_fetch(r, &c) == 0 && c)
				for (size_t i = 0; i < ldp_chunk_rows(c); i++) {
					ldp_buf line = LDP_BUF_INIT;
					for (size_t k = 0; k < ldp_result_column_count(r); k++) {
						ldp_buf_printf(&line, "%s%s=", k ? ", " : "", ldp_result_column_name(r, k));
						ldp_chunk_format(c, k, i, LDP_VALUE_TEXT, &line);
					}
					ldp_dbt_event ev = {.kind = LDP_DBT_EV_DETAIL, .name = n->name, .message = ldp_buf_cstr(&line)};
					dbt_emit(p, &ev);
					ldp_buf_free(&line);
				}
		}
		ldp_result_free(r);
		ldp_error_clear();
	}
	snprintf(msg, msgsz, "%d", *failures);
	ldp_buf_free(&sql);
	ldp_buf_free(&q);
	return rc;
}
