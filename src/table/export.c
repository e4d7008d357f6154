/* Exports out of the warehouse; see table/export.h and docs/export.md. */
#include "table/export.h"

#include <errno.h>
#include <dirent.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/s3.h"
#include "io/s3_io.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "table/sql_parse.h"
#include "table/sqlrun.h"
#include "table/view.h"

static const char *const format_names[] = {"auto", "duckdb", "sqlite", "csv", "tsv", "parquet", "json", "ndjson"};

int ldp_export_format_parse(const char *s, ldp_export_format *out)
{
	for (size_t i = 1; i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcasecmp(s, format_names[i]) == 0) {
			*out = (ldp_export_format)i;
			return LDP_OK;
		}
	if (strcasecmp(s, "jsonl") == 0) {
		*out = LDP_EXPORT_NDJSON;
		return LDP_OK;
	}
	if (strcasecmp(s, "sqlite3") == 0) {
		*out = LDP_EXPORT_SQLITE;
		return LDP_OK;
	}
	return ldp_error_set(LDP_EINVALID, "unknown export format '%s' (duckdb, sqlite, csv, tsv, parquet, json, ndjson)", s);
}

const char *ldp_export_format_name(ldp_export_format f)
{
	return (size_t)f < sizeof format_names / sizeof format_names[0] ? format_names[f] : "?";
}

static ldp_export_format format_of(const char *path)
{
	static const struct { const char *ext; ldp_export_format f; } exts[] = {
		{"duckdb", LDP_EXPORT_DUCKDB}, {"ddb", LDP_EXPORT_DUCKDB}, {"sqlite", LDP_EXPORT_SQLITE},
		{"sqlite3", LDP_EXPORT_SQLITE}, {"db", LDP_EXPORT_SQLITE}, {"csv", LDP_EXPORT_CSV}, {"tsv", LDP_EXPORT_TSV},
		{"parquet", LDP_EXPORT_PARQUET}, {"json", LDP_EXPORT_JSON}, {"ndjson", LDP_EXPORT_NDJSON},
		{"jsonl", LDP_EXPORT_NDJSON},
	};
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	for (size_t i = 0; dot && i < sizeof exts / sizeof exts[0]; i++)
		if (strcasecmp(dot + 1, exts[i].ext) == 0)
			return exts[i].f;
	return LDP_EXPORT_AUTO;
}

/* ---- what to export ---- */

typedef struct item {
	char schema[512]; /* namespace, for namespace/warehouse exports; "" otherwise */
	char name[256];
	char *sql;
} item;

typedef struct items {
	item *v;
	size_t n, cap;
} items;

static int add_item(items *it, const char *schema, const char *name, char *sql)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 8;
		item *v = realloc(it->v, cap * sizeof *v);
		if (!v) {
			free(sql);
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		}
		it->v = v;
		it->cap = cap;
	}
	item *x = &it->v[it->n++];
	snprintf(x->schema, sizeof x->schema, "%s", schema);
	snprintf(x->name, sizeof x->name, "%s", name);
	x->sql = sql;
	return LDP_OK;
}

static void items_free(items *it)
{
	for (size_t i = 0; i < it->n; i++)
		free(it->v[i].sql);
	free(it->v);
}

/* The query reading one table at the selected snapshot, columns by field id. */
static int table_sql(ldp_warehouse *wh, const ldp_ident *id, const ldp_snapshot_selector *sel, char **out)
{
	ldp_table *t = NULL;
	ldp_scan_plan plan;
	memset(&plan, 0, sizeof plan);
	ldp_buf q = LDP_BUF_INIT;
	int rc = ldp_table_load(wh, id, &t);
	if (!rc)
		rc = ldp_table_plan(wh, t, sel, &plan);
	if (!rc)
		rc = ldp_scan_plan_sql(&plan, &q);
	if (!rc)
		*out = ldp_buf_detach(&q);
	ldp_buf_free(&q);
	ldp_scan_plan_clear(&plan);
	ldp_table_free(t);
	return rc ? ldp_error_wrap(rc, "reading %s.%s", id->ns, id->name) : LDP_OK;
}

static int add_namespace(ldp_warehouse *wh, const char *ns, int qualify, items *it)
{
	ldp_catalog_names names = {0}, kids = {0};
	int rc = ldp_catalog_list_tables(wh->catalog, ns, &names);
	for (size_t i = 0; !rc && i < names.len; i++) {
		ldp_ident id;
		snprintf(id.ns, sizeof id.ns, "%s", ns);
		snprintf(id.name, sizeof id.name, "%s", names.items[i]);
		char *sql = NULL;
		ldp_snapshot_selector none = {0};
		if (!(rc = table_sql(wh, &id, &none, &sql)))
			rc = add_item(it, qualify ? ns : "", names.items[i], sql);
	}
	if (!rc)
		rc = ldp_catalog_list_namespaces(wh->catalog, ns, &kids);
	for (size_t i = 0; !rc && i < kids.len; i++)
		rc = add_namespace(wh, kids.items[i], 1, it);
	ldp_catalog_names_free(&names);
	ldp_catalog_names_free(&kids);
	return rc;
}

static int is_query(const char *s)
{
	ldp_sqlp p;
	ldp_sqlp_init(&p, s);
	while (ldp_sqlp_char(&p, '('))
		;
	return ldp_sqlp_kw(&p, "select") || ldp_sqlp_kw(&p, "with") || ldp_sqlp_kw(&p, "from") ||
	       ldp_sqlp_kw(&p, "values") || ldp_sqlp_kw(&p, "table");
}

static int has_selector(const ldp_snapshot_selector *s) { return s->snapshot_id > 0 || s->ref || s->as_of_ms > 0; }

static int collect(ldp_warehouse *wh, ldp_engine *e, const ldp_export_options *o, items *it)
{
	const char *src = o->source;
	if (is_query(src)) {
		if (o->as_views)
			return ldp_error_set(LDP_EINVALID, "--as views exports tables, not queries (use --as tables, or export ns.t)");
		if (has_selector(&o->at))
			return ldp_error_set(LDP_EINVALID, "--snapshot/--ref/--as-of apply to a table; in a query, write ns.\"t@<snapshot>\"");
		int rc = wh ? ldp_warehouse_bind_sql(wh, src) : LDP_OK;
		if (rc)
			return rc;
		(void)e;
		char *sql = strdup(src);
		return sql ? add_item(it, "", o->name ? o->name : "result", sql) : ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	if (!wh)
		return ldp_error_set(LDP_ENOTFOUND, "'%s' is not a query, and there is no ldp project here to find a table in (run in a project, or set LDP_PROJECT)", src);
	if (strcmp(src, "*") == 0) {
		ldp_catalog_names top = {0};
		int rc = ldp_catalog_list_namespaces(wh->catalog, NULL, &top);
		for (size_t i = 0; !rc && i < top.len; i++)
			rc = add_namespace(wh, top.items[i], 1, it);
		ldp_catalog_names_free(&top);
		return rc;
	}
	ldp_sqlp p;
	ldp_sqlp_init(&p, src);
	ldp_sqlp_name n;
	if (!ldp_sqlp_qname(&p, &n) || !ldp_sqlp_at_end(&p))
		return ldp_error_set(LDP_EINVALID, "'%s' is neither a table (ns.t), a namespace nor a query (select ...)", src);
	char ns[512] = "", name[256];
	size_t off = 0;
	for (size_t i = 0; i + 1 < n.n; i++)
		off += (size_t)snprintf(ns + off, sizeof ns - off, "%s%s", i ? "." : "", n.parts[i]);
	snprintf(name, sizeof name, "%s", n.parts[n.n - 1]);
	ldp_snapshot_selector sel = o->at;
	char *at = strchr(name, '@');
	int rc = LDP_OK;
	if (at) {
		*at = '\0';
		if (has_selector(&o->at))
			return ldp_error_set(LDP_EINVALID, "'%s': give the snapshot either in the name or with --snapshot/--ref/--as-of, not both", src);
		if ((rc = ldp_snapshot_selector_parse(at + 1, &sel)))
			return ldp_error_wrap(rc, "in '%s'", src);
	}
	ldp_ident id;
	int exists = 0;
	if (n.n >= 2 && (rc = ldp_warehouse_resolve_table(wh, ns, name, &id, &exists)))
		return rc;
	char *view_sql = NULL;
	if (!exists && !at && n.n >= 2 && ldp_view_load_sql(wh, &id, &view_sql) == LDP_OK) {
		/* an Iceberg view (table/view.h): exported as its query's rows */
		free(view_sql);
		ldp_buf q = LDP_BUF_INIT;
		ldp_buf_puts(&q, "SELECT * FROM ");
		ldp_buf_put_sql_ident(&q, id.ns);
		ldp_buf_putc(&q, '.');
		ldp_buf_put_sql_ident(&q, id.name);
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_warehouse_bind_sql(wh, ldp_buf_cstr(&q));
		if (!rc)
			rc = add_item(it, "", o->name ? o->name : id.name, ldp_buf_detach(&q));
		ldp_buf_free(&q);
		return rc;
	}
	ldp_error_clear();
	if (!exists) {
		/* a namespace? */
		char whole[800];
		snprintf(whole, sizeof whole, "%s%s%s", ns, *ns ? "." : "", name);
		int nsx = 0;
		if (!at && (rc = ldp_catalog_namespace_exists(wh->catalog, whole, &nsx)))
			return rc;
		if (!nsx)
			return ldp_error_set(LDP_ENOTFOUND, "no table or namespace '%s' (ldp table list shows the tables)", src);
		if (has_selector(&o->at))
			return ldp_error_set(LDP_EINVALID, "--snapshot/--ref/--as-of apply to one table, not the namespace %s", whole);
		return add_namespace(wh, whole, 0, it);
	}
	char *sql = NULL;
	if ((rc = table_sql(wh, &id, &sel, &sql)))
		return rc;
	return add_item(it, "", o->name ? o->name : id.name, sql);
}

/* ---- writing ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(path);
}

static void remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode))
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	else
		unlink(path);
}

/* Put the finished temporary in place of target (replacing it when it exists). */
static int install(const char *tmp, const char *target)
{
	struct stat st;
	char old[4096] = "";
	if (lstat(target, &st) == 0) {
		snprintf(old, sizeof old, "%s.old-%d", target, (int)getpid());
		if (rename(target, old) != 0)
			return ldp_error_set(LDP_EIO, "%s: cannot move the old target aside: %s", target, strerror(errno));
	}
	if (rename(tmp, target) != 0) {
		int err = errno;
		if (*old)
			rename(old, target);
		return ldp_error_set(LDP_EIO, "%s: %s", target, strerror(err));
	}
	if (*old)
		remove_tree(old);
	return LDP_OK;
}

static int64_t count_rows(ldp_engine *e, const char *relation)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_printf(&q, "SELECT count(*) FROM %s", relation);
	char *v = NULL;
	int64_t n = 0;
	if (ldp_engine_query_text(e, ldp_buf_cstr(&q), &v) == LDP_OK && v)
		n = strtoll(v, NULL, 10);
	free(v);
	ldp_buf_free(&q);
	return n;
}

static int to_duckdb(ldp_engine *e, const items *it, const char *tmp, int views, ldp_export_result *res)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "ATTACH ");
	ldp_buf_put_sql_string(&q, tmp);
	ldp_buf_puts(&q, " AS __ldp_export");
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
	for (size_t i = 0; !rc && i < it->n; i++) {
		const item *x = &it->v[i];
		ldp_buf rel = LDP_BUF_INIT;
		ldp_buf_puts(&rel, "__ldp_export.");
		ldp_buf_put_sql_ident(&rel, *x->schema ? x->schema : "main");
		ldp_buf_putc(&rel, '.');
		ldp_buf_put_sql_ident(&rel, x->name);
		ldp_buf_clear(&q);
		if (*x->schema) {
			ldp_buf_puts(&q, "CREATE SCHEMA IF NOT EXISTS __ldp_export.");
			ldp_buf_put_sql_ident(&q, x->schema);
			ldp_buf_puts(&q, "; ");
		}
		ldp_buf_printf(&q, "CREATE %s %s AS %s", views ? "VIEW" : "TABLE", ldp_buf_cstr(&rel), x->sql);
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
		if (rc)
			ldp_error_wrap(rc, "writing %s%s%s", x->schema, *x->schema ? "." : "", x->name);
		else
			res->rows += count_rows(e, ldp_buf_cstr(&rel)), res->tables++;
		ldp_buf_free(&rel);
	}
	int drc = ldp_engine_exec(e, "DETACH DATABASE IF EXISTS __ldp_export");
	ldp_buf_free(&q);
	return rc ? rc : drc;
}

static int to_sqlite(ldp_engine *e, const items *it, const char *tmp, ldp_export_result *res)
{
	sqlite3 *db = NULL;
	int rc = LDP_OK;
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		rc = ldp_error_set(LDP_EIO, "%s: %s", tmp, db ? sqlite3_errmsg(db) : "cannot open");
	if (!rc && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		rc = ldp_error_set(LDP_EIO, "%s: %s", tmp, sqlite3_errmsg(db));
	for (size_t i = 0; !rc && i < it->n; i++) {
		const item *x = &it->v[i];
		char name[1024];
		snprintf(name, sizeof name, "%s%s%s", x->schema, *x->schema ? "_" : "", x->name);
		for (char *c = name; *c; c++)
			if (*c == '.')
				*c = '_';
		int64_t rows = 0;
		rc = ldp_export_sqlite_table(e, x->sql, db, name, &rows);
		if (rc)
			ldp_error_wrap(rc, "writing table %s", name);
		res->rows += rows;
		res->tables++;
	}
	if (!rc && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = ldp_error_set(LDP_EIO, "%s: %s", tmp, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}

static int to_files(ldp_engine *e, const item *x, ldp_export_format f, const char *partition_by, const char *tmp,
		    ldp_export_result *res)
{
	static const char *const opts[] = {
		[LDP_EXPORT_CSV] = "FORMAT csv, HEADER true",
		[LDP_EXPORT_TSV] = "FORMAT csv, HEADER true, DELIMITER '\t'",
		[LDP_EXPORT_PARQUET] = "FORMAT parquet, COMPRESSION zstd",
		[LDP_EXPORT_JSON] = "FORMAT json, ARRAY true",
		[LDP_EXPORT_NDJSON] = "FORMAT json",
	};
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_printf(&q, "COPY (%s\n) TO ", x->sql);
	ldp_buf_put_sql_string(&q, tmp);
	ldp_buf_printf(&q, " (%s", opts[f]);
	if (partition_by)
		ldp_buf_printf(&q, ", PARTITION_BY (%s)", partition_by);
	ldp_buf_puts(&q, ")");
	ldp_result *r = NULL;
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	ldp_chunk *c;
	if (!rc) {
		/* COPY reports the rows it wrote as its one value */
		if ((rc = ldp_result_fetch(r, &c)) == LDP_OK && c && ldp_chunk_rows(c))
			res->rows = ldp_chunk_get_int64(c, 0, 0);
		while (!rc && (rc = ldp_result_fetch(r, &c)) == LDP_OK && c)
			;
	}
	ldp_result_free(r);
	ldp_buf_free(&q);
	res->tables = 1;
	return rc;
}

static int export_local(ldp_warehouse *wh, ldp_engine *e, const ldp_export_options *o, ldp_export_result *res)
{
	if (strstr(o->target, "://"))
		return ldp_error_set(LDP_EUNSUPPORTED, "%s: exports go to local paths or s3:// URIs", o->target);
	ldp_export_format f = o->format ? o->format : format_of(o->target);
	if (f == LDP_EXPORT_AUTO)
		return ldp_error_set(LDP_EINVALID, "%s: cannot tell the format from the name; use --format duckdb|sqlite|csv|tsv|parquet|json|ndjson (or an extension: .duckdb .sqlite .csv .parquet ...)", o->target);
	res->format = f;
	int db = f == LDP_EXPORT_DUCKDB || f == LDP_EXPORT_SQLITE;
	if (o->partition_by && db)
		return ldp_error_set(LDP_EINVALID, "--partition-by applies to csv/tsv/parquet/json files, not a %s database", ldp_export_format_name(f));
	if (o->as_views && f != LDP_EXPORT_DUCKDB)
		return ldp_error_set(LDP_EINVALID, "--as views needs a DuckDB target (.duckdb)");
	struct stat st;
	if (!o->force && lstat(o->target, &st) == 0)
		return ldp_error_set(LDP_EEXISTS, "%s already exists (use --force to replace it)", o->target);
	if (wh && !e && (wh->engine == NULL)) {
		int rc = ldp_warehouse_engine(wh, &e);
		if (rc)
			return rc;
	}
	if (!e)
		e = wh->engine;
	items it = {0};
	int rc = collect(wh, e, o, &it);
	if (!rc && it.n == 0)
		rc = ldp_error_set(LDP_ENOTFOUND, "'%s' has no tables to export", o->source);
	if (!rc && !db && it.n != 1)
		rc = ldp_error_set(LDP_EINVALID, "'%s' holds %zu tables; a %s target takes one (export to a .duckdb or .sqlite file, or one table)", o->source, it.n, ldp_export_format_name(f));
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp-%d", o->target, (int)getpid());
	remove_tree(tmp);
	/* like `cp` into a new tree: the target's directory is created (a
	 * pipeline exporting to out/day=2024-03-01.csv needs no mkdir step) */
	const char *slash = strrchr(o->target, '/');
	if (!rc && slash && slash != o->target) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - o->target), o->target);
		rc = ldp_io_mkdirs(dir);
	}
	if (!rc) {
		if (f == LDP_EXPORT_DUCKDB)
			rc = to_duckdb(e, &it, tmp, o->as_views, res);
		else if (f == LDP_EXPORT_SQLITE)
			rc = to_sqlite(e, &it, tmp, res);
		else
			rc = to_files(e, &it.v[0], f, o->partition_by, tmp, res);
	}
	if (!rc)
		rc = install(tmp, o->target);
	if (rc) {
		remove_tree(tmp);
		char wal[4200];
		snprintf(wal, sizeof wal, "%s.wal", tmp);
		unlink(wal);
	}
	items_free(&it);
	return rc;
}

/* ---- S3 targets: export to a local scratch directory, then upload ---- */

/* Whether s3://b/k exists as an object or as a "directory" (a prefix k/). */
static int s3_exists(const char *uri, int *exists)
{
	*exists = ldp_s3_io_exists(uri);
	if (*exists)
		return LDP_OK;
	ldp_s3_client *c;
	char *bucket = NULL, *key = NULL;
	int rc = ldp_s3_io_client(&c);
	if (!rc)
		rc = ldp_s3_uri_parse(uri, &bucket, &key);
	ldp_buf prefix = LDP_BUF_INIT;
	if (!rc) {
		ldp_buf_printf(&prefix, "%s/", key);
		ldp_s3_list l;
		memset(&l, 0, sizeof l);
		rc = ldp_s3_list_objects(c, bucket, ldp_buf_cstr(&prefix), 0, &l);
		if (!rc) {
			*exists = l.n > 0;
			ldp_s3_list_free(&l);
		}
	}
	ldp_buf_free(&prefix);
	free(bucket);
	free(key);
	return rc;
}

/* Upload a local file, or every file below a local directory under uri/. */
static int upload_tree(const char *local, const char *uri, int *files)
{
	struct stat st;
	if (stat(local, &st) != 0)
		return ldp_error_set(LDP_EIO, "%s: %s", local, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		(*files)++;
		int rc = ldp_s3_io_upload(local, uri);
		return rc ? ldp_error_wrap(rc, "uploading to %s", uri) : LDP_OK;
	}
	DIR *d = opendir(local);
	if (!d)
		return ldp_error_set(LDP_EIO, "%s: %s", local, strerror(errno));
	int rc = LDP_OK;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		ldp_buf a = LDP_BUF_INIT, b = LDP_BUF_INIT;
		ldp_buf_printf(&a, "%s/%s", local, de->d_name);
		ldp_buf_printf(&b, "%s/%s", uri, de->d_name);
		rc = ldp_buf_oom(&a) || ldp_buf_oom(&b) ? LDP_ENOMEM : upload_tree(ldp_buf_cstr(&a), ldp_buf_cstr(&b), files);
		ldp_buf_free(&a);
		ldp_buf_free(&b);
	}
	closedir(d);
	return rc;
}

static int export_s3(ldp_warehouse *wh, ldp_engine *e, const ldp_export_options *o, ldp_export_result *res)
{
	const char *uri = o->target;
	size_t n = strlen(uri);
	while (n > 5 && uri[n - 1] == '/')
		n--;
	char *target = strndup(uri, n);
	if (!target)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	int exists = 0, rc = s3_exists(target, &exists);
	if (!rc && exists && !o->force)
		rc = ldp_error_set(LDP_EEXISTS, "%s already exists (use --force to replace it)", target);
	const char *tmpdir = getenv("TMPDIR");
	ldp_buf dir = LDP_BUF_INIT, local = LDP_BUF_INIT;
	ldp_buf_printf(&dir, "%s/ldp-export-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!rc && (ldp_buf_oom(&dir) || !mkdtemp(dir.ptr)))
		rc = ldp_error_set(LDP_EIO, "%s: cannot make a scratch directory: %s", ldp_buf_cstr(&dir), strerror(errno));
	const char *base = strrchr(target, '/');
	ldp_buf_printf(&local, "%s/%s", ldp_buf_cstr(&dir), base && base[1] ? base + 1 : "export");
	ldp_export_options lo = *o;
	lo.target = ldp_buf_cstr(&local);
	lo.force = 1;
	if (!o->format)
		lo.format = format_of(target);
	if (!rc)
		rc = export_local(wh, e, &lo, res);
	struct stat st;
	/* a partitioned export replaces the whole old prefix; a single object is
	 * replaced by its PUT (atomic per object) */
	if (!rc && exists && stat(lo.target, &st) == 0 && S_ISDIR(st.st_mode))
		rc = ldp_s3_io_remove_tree(target);
	int files = 0;
	if (!rc)
		rc = upload_tree(lo.target, target, &files);
	if (*ldp_buf_cstr(&dir) && strstr(ldp_buf_cstr(&dir), "XXXXXX") == NULL)
		remove_tree(ldp_buf_cstr(&dir));
	ldp_buf_free(&dir);
	ldp_buf_free(&local);
	free(target);
	return rc;
}

int ldp_export(ldp_warehouse *wh, ldp_engine *e, const ldp_export_options *o, ldp_export_result *res)
{
	memset(res, 0, sizeof *res);
	if (ldp_s3_is_uri(o->target))
		return export_s3(wh, e, o, res);
	return export_local(wh, e, o, res);
}
