/* The seed library's JSON pipeline configs; see ingest/seed.h. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/seed.h"
#include "ingest/seed_internal.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/json.h"
#include "ldp/project.h"
#include "table/table.h"

void ldp_seed_result_clear(ldp_seed_result *r)
{
	free(r->identifier);
	free(r->flow);
	free(r->target);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof *r);
}

int seed_warn(ldp_seed_result *r, const char *msg)
{
	char **nw = realloc(r->warnings, (r->nwarnings + 1) * sizeof *nw);
	if (!nw)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	r->warnings = nw;
	if (!(r->warnings[r->nwarnings] = strdup(msg)))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	r->nwarnings++;
	return LDP_OK;
}

/* A config path: file:// stripped, relative to the config's directory. */
static int resolve_path(const char *base_dir, const char *p, ldp_buf *out)
{
	if (strncmp(p, "file://", 7) == 0)
		p += 7;
	if (p[0] == '~' && p[1] == '/' && getenv("HOME"))
		ldp_buf_printf(out, "%s%s", getenv("HOME"), p + 1);
	else if (p[0] == '/' || !strcmp(base_dir, "."))
		ldp_buf_puts(out, p);
	else
		ldp_buf_printf(out, "%s/%s", base_dir, p);
	return ldp_buf_oom(out) ? LDP_ENOMEM : LDP_OK;
}

/* An open catalog: the project's, or <warehouse_path>/<identifier>.db. */
typedef struct seed_catalog {
	ldp_project proj;
	ldp_warehouse *wh;
	int owned;
	char key[PATH_MAX + 256]; /* identifies the catalog, to share it between source and target */
} seed_catalog;

static int open_catalog(const char *cfg, const char *base_dir, const char *side, const json_t *cat,
			ldp_warehouse *project_wh, seed_catalog *out)
{
	memset(out, 0, sizeof *out);
	const char *ident = NULL, *wp = NULL, *type = NULL;
	char what[64];
	snprintf(what, sizeof what, "%s: metadata.%s.catalog", cfg, side);
	int rc = ldp_json_get_string(cat, "identifier", what, &ident);
	if (!rc)
		rc = ldp_json_opt_string(cat, "warehouse_path", what, &wp);
	if (!rc)
		rc = ldp_json_opt_string(cat, "type", what, &type);
	if (rc)
		return rc;
	if (type && strcasecmp(type, "LocalIceberg") && strcasecmp(type, "sql") && strcasecmp(type, "sqlite"))
		return ldp_error_set(LDP_EUNSUPPORTED, "%s.type '%s': ldp runs LocalIceberg (SQLite) catalogs", what, type);
	if (!wp) {
		if (!project_wh)
			return ldp_error_set(LDP_EINVALID,
					     "%s has no warehouse_path and there is no ldp project here (run 'ldp init' or add "
					     "warehouse_path)",
					     what);
		out->wh = project_wh;
		snprintf(out->key, sizeof out->key, "project");
		return LDP_OK;
	}
	ldp_buf dir = LDP_BUF_INIT, db = LDP_BUF_INIT;
	rc = resolve_path(base_dir, wp, &dir);
	if (!rc)
		rc = ldp_io_mkdirs(ldp_buf_cstr(&dir));
	char abs[PATH_MAX];
	if (!rc && !realpath(ldp_buf_cstr(&dir), abs))
		rc = ldp_error_set(LDP_EIO, "%s.warehouse_path %s: cannot resolve", what, ldp_buf_cstr(&dir));
	if (!rc) {
		ldp_buf_printf(&db, "%s/%s.db", abs, ident);
		out->proj.dir = abs;
		out->proj.config_path = (char *)cfg;
		out->proj.name = (char *)ident;
		out->proj.warehouse = abs;
		out->proj.catalog_type = "sqlite";
		out->proj.catalog_uri = (char *)ldp_buf_cstr(&db);
		out->proj.catalog_name = (char *)ident;
		rc = ldp_warehouse_open(&out->proj, &out->wh);
		out->owned = 1;
		snprintf(out->key, sizeof out->key, "%s/%s", abs, ident);
	}
	memset(&out->proj, 0, sizeof out->proj); /* borrowed strings: not kept past the open */
	ldp_buf_free(&dir);
	ldp_buf_free(&db);
	return rc;
}

static void close_catalog(seed_catalog *c)
{
	if (c->owned)
		ldp_warehouse_free(c->wh);
	c->wh = NULL;
}

static void upper(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* [{"column": "ts", "transform": "day"}, {"column": "id", "transform": "bucket[8]"}]
 * or a string "day(ts)" -> ldp's --partition-by text. */
static int partition_text(const char *what, const json_t *pb, ldp_buf *out)
{
	if (json_is_string(pb)) {
		ldp_buf_puts(out, json_string_value(pb));
		return LDP_OK;
	}
	if (!json_is_array(pb))
		return ldp_error_set(LDP_EINVALID, "%s.partition_by must be a list of {column, transform}", what);
	size_t i;
	json_t *it;
	json_array_foreach(pb, i, it)
	{
		const char *col = NULL, *tr = "identity";
		int rc = ldp_json_get_string(it, "column", what, &col);
		if (!rc)
			rc = ldp_json_opt_string(it, "transform", what, &tr);
		if (rc)
			return rc;
		if (!tr)
			tr = "identity";
		if (i)
			ldp_buf_puts(out, ", ");
		const char *br = strchr(tr, '[');
		ldp_buf tmp = LDP_BUF_INIT;
		ldp_buf_put_sql_ident(&tmp, col);
		if (br) /* bucket[8] -> bucket(8, col) */
			ldp_buf_printf(out, "%.*s(%.*s, %s)", (int)(br - tr), tr, (int)strcspn(br + 1, "]"), br + 1,
				       ldp_buf_cstr(&tmp));
		else
			ldp_buf_printf(out, "%s(%s)", tr, ldp_buf_cstr(&tmp));
		ldp_buf_free(&tmp);
	}
	return ldp_buf_oom(out) ? LDP_ENOMEM : LDP_OK;
}

static int iceberg_select(const ldp_ident *id, ldp_buf *out)
{
	ldp_buf_puts(out, "SELECT * FROM ");
	ldp_buf_put_sql_ident(out, id->ns);
	ldp_buf_putc(out, '.');
	ldp_buf_put_sql_ident(out, id->name);
	return ldp_buf_oom(out) ? LDP_ENOMEM : LDP_OK;
}

static int set_ident(const char *ns, const char *name, ldp_ident *id)
{
	memset(id, 0, sizeof *id);
	if (strlen(ns) >= sizeof id->ns || strlen(name) >= sizeof id->name || !*ns || !*name)
		return ldp_error_set(LDP_EINVALID, "table name '%s.%s' is empty or too long", ns, name);
	strcpy(id->ns, ns);
	strcpy(id->name, name);
	return LDP_OK;
}

/* COPY a query to a file, creating its directory. */
static int export_file(ldp_warehouse *wh, const char *sql, const char *path, const char *fmt, int64_t *rows)
{
	ldp_engine *e;
	int rc = ldp_warehouse_engine(wh, &e);
	if (rc)
		return rc;
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if ((rc = ldp_io_mkdirs(dir)))
			return rc;
	}
	if ((rc = ldp_warehouse_bind_sql(wh, sql)))
		return rc;
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_printf(&q, "COPY (%s) TO ", sql);
	ldp_buf_put_sql_string(&q, path);
	if (!strcmp(fmt, "CSV"))
		ldp_buf_puts(&q, " (FORMAT csv, HEADER true)");
	else if (!strcmp(fmt, "PARQUET"))
		ldp_buf_puts(&q, " (FORMAT parquet)");
	else
		ldp_buf_puts(&q, " (FORMAT json)");
	ldp_result *r = NULL;
	rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	if (!rc)
		*rows = ldp_result_rows_changed(r);
	ldp_result_free(r);
	ldp_buf_free(&q);
	return rc ? ldp_error_wrap(rc, "writing %s", path) : LDP_OK;
}

static int dup_into(char **dst, const char *s)
{
	*dst = strdup(s);
	return *dst ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}

static int run(const char *cfg, const json_t *doc, ldp_warehouse *project_wh, const ldp_ingest_options *base,
	       ldp_seed_result *res)
{
	char dirbuf[PATH_MAX];
	snprintf(dirbuf, sizeof dirbuf, "%s", cfg);
	char *slash = strrchr(dirbuf, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dirbuf, ".");
	const char *ident = "pipeline";
	json_t *meta = NULL, *src = NULL, *tgt = NULL;
	int rc = ldp_json_opt_string(doc, "identifier", cfg, &ident);
	if (!rc)
		rc = ldp_json_get_object(doc, "metadata", cfg, &meta);
	char what[PATH_MAX + 32];
	snprintf(what, sizeof what, "%s: metadata", cfg);
	if (!rc)
		rc = ldp_json_get_object(meta, "source", what, &src);
	if (!rc)
		rc = ldp_json_get_object(meta, "target", what, &tgt);
	const char *sfmt = NULL, *tfmt = NULL, *sname = NULL, *tname = NULL, *spath = NULL, *tpath = NULL,
		   *engine = NULL, *wmode = NULL;
	snprintf(what, sizeof what, "%s: metadata.source", cfg);
	if (!rc)
		rc = ldp_json_get_string(src, "format", what, &sfmt);
	if (!rc)
		rc = ldp_json_opt_string(src, "name", what, &sname);
	if (!rc)
		rc = ldp_json_opt_string(src, "path", what, &spath);
	if (!rc)
		rc = ldp_json_opt_string(src, "engine", what, &engine);
	snprintf(what, sizeof what, "%s: metadata.target", cfg);
	if (!rc)
		rc = ldp_json_get_string(tgt, "format", what, &tfmt);
	if (!rc)
		rc = ldp_json_opt_string(tgt, "name", what, &tname);
	if (!rc)
		rc = ldp_json_opt_string(tgt, "path", what, &tpath);
	if (!rc)
		rc = ldp_json_opt_string(tgt, "write_mode", what, &wmode);
	if (rc)
		return rc;
	char S[32], T[32];
	snprintf(S, sizeof S, "%s", sfmt);
	snprintf(T, sizeof T, "%s", tfmt);
	upper(S);
	upper(T);
	if ((rc = dup_into(&res->identifier, ident)))
		return rc;
	ldp_buf flow = LDP_BUF_INIT;
	ldp_buf_printf(&flow, "%s -> %s", S, T);
	res->flow = ldp_buf_oom(&flow) ? NULL : strdup(ldp_buf_cstr(&flow));
	ldp_buf_free(&flow);
	if (engine && strcasecmp(engine, "DUCKDB") != 0)
		return ldp_error_set(LDP_EUNSUPPORTED,
				     "%s: metadata.source.engine %s is not supported by ldp (export the data to files and "
				     "point source.path at them)",
				     cfg, engine);
	int src_iceberg = !strcmp(S, "ICEBERG");
	int src_file = !strcmp(S, "PARQUET") || !strcmp(S, "CSV") || !strcmp(S, "JSON") || !strcmp(S, "NDJSON");
	int tgt_iceberg = !strcmp(T, "ICEBERG");
	int tgt_file = !strcmp(T, "CSV") || !strcmp(T, "PARQUET") || !strcmp(T, "JSON");
	if (!src_iceberg && !src_file)
		return ldp_error_set(LDP_EUNSUPPORTED, "%s: source format %s is not supported (PARQUET, CSV, JSON, ICEBERG)", cfg, sfmt);
	if (!tgt_iceberg && !tgt_file)
		return ldp_error_set(LDP_EUNSUPPORTED, "%s: target format %s is not supported (ICEBERG, CSV, PARQUET, JSON)", cfg, tfmt);
	if (src_file && !spath)
		return ldp_error_set(LDP_EINVALID, "%s: metadata.source.path is missing (the %s file to read)", cfg, S);
	if (tgt_file && !tpath)
		return ldp_error_set(LDP_EINVALID, "%s: metadata.target.path is missing (the %s file to write)", cfg, T);
	if ((src_iceberg && !sname) || (tgt_iceberg && !tname))
		return ldp_error_set(LDP_EINVALID, "%s: metadata.%s.name is missing (the Iceberg table name)", cfg,
				     src_iceberg && !sname ? "source" : "target");

	seed_catalog scat, tcat;
	memset(&scat, 0, sizeof scat);
	memset(&tcat, 0, sizeof tcat);
	ldp_ident sid, tid;
	json_t *c;
	if (src_iceberg) {
		snprintf(what, sizeof what, "%s: metadata.source", cfg);
		rc = ldp_json_get_object(src, "catalog", what, &c);
		if (!rc)
			rc = open_catalog(cfg, dirbuf, "source", c, project_wh, &scat);
		if (!rc)
			rc = set_ident(json_string_value(json_object_get(c, "identifier")), sname, &sid);
	}
	if (!rc && tgt_iceberg) {
		snprintf(what, sizeof what, "%s: metadata.target", cfg);
		rc = ldp_json_get_object(tgt, "catalog", what, &c);
		if (!rc)
			rc = open_catalog(cfg, dirbuf, "target", c, project_wh, &tcat);
		if (!rc)
			rc = set_ident(json_string_value(json_object_get(c, "identifier")), tname, &tid);
	}
	/* the source and the target in one catalog share one warehouse (and engine) */
	if (!rc && src_iceberg && tgt_iceberg && !strcmp(scat.key, tcat.key)) {
		close_catalog(&tcat);
		tcat.wh = scat.wh;
	}
	json_t *quality = json_object_get(meta, "quality");
	seed_checks chk = {cfg, quality, res};
	ldp_ingest_options o = *base;
	o.check = quality ? seed_run_checks : NULL;
	o.check_ctx = &chk;
	ldp_buf path = LDP_BUF_INIT, sql = LDP_BUF_INIT, pb = LDP_BUF_INIT;
	if (!rc && src_file)
		rc = resolve_path(dirbuf, spath, &path);
	if (!rc && tgt_iceberg) {
		o.mode = LDP_INGEST_APPEND;
		if (wmode && !strcasecmp(wmode, "overwrite"))
			o.mode = LDP_INGEST_OVERWRITE;
		else if (wmode && strcasecmp(wmode, "append"))
			rc = ldp_error_set(LDP_EINVALID, "%s: metadata.target.write_mode '%s' (use append or overwrite)", cfg, wmode);
		json_t *pbj = json_object_get(tgt, "partition_by");
		snprintf(what, sizeof what, "%s: metadata.target", cfg);
		if (!rc && pbj && !json_is_null(pbj) && !(rc = partition_text(what, pbj, &pb)))
			o.partition_by = ldp_buf_cstr(&pb);
		if (!rc && !strcmp(S, "JSON"))
			o.format = NULL; /* array or NDJSON: read_json tells */
		else if (!rc && src_file)
			o.format = !strcmp(S, "PARQUET") ? "parquet" : !strcmp(S, "CSV") ? "csv" : "ndjson";
		ldp_ingest_result ir;
		memset(&ir, 0, sizeof ir);
		if (!rc && src_file) {
			rc = ldp_ingest(tcat.wh, ldp_buf_cstr(&path), &tid, &o, &ir);
		} else if (!rc && tcat.wh == scat.wh) {
			rc = iceberg_select(&sid, &sql);
			if (!rc)
				rc = ldp_ingest_load_sql(tcat.wh, ldp_buf_cstr(&sql), &tid, &o, NULL, 0, &ir);
		} else if (!rc) {
			rc = seed_copy_between(scat.wh, &sid, tcat.wh, &tid, &o, &ir);
		}
		if (!rc) {
			res->rows = ir.rows;
			res->snapshot_id = ir.snapshot_id;
			res->created = ir.created;
			ldp_buf t = LDP_BUF_INIT;
			ldp_buf_printf(&t, "%s.%s", tid.ns, tid.name);
			rc = dup_into(&res->target, ldp_buf_cstr(&t));
			ldp_buf_free(&t);
		}
	} else if (!rc) {
		/* a file target: from an Iceberg table or from files */
		ldp_buf out = LDP_BUF_INIT;
		ldp_warehouse *wh = src_iceberg ? scat.wh : project_wh;
		rc = resolve_path(dirbuf, tpath, &out);
		if (!rc && src_iceberg) {
			rc = iceberg_select(&sid, &sql);
		} else if (!rc) {
			ldp_buf_puts(&sql, "SELECT * FROM ");
			ldp_buf_put_sql_string(&sql, ldp_buf_cstr(&path));
		}
		if (!rc && !wh)
			rc = ldp_error_set(LDP_EINVALID, "%s: a file-to-file config needs an ldp project (run 'ldp init')", cfg);
		if (!rc && quality) {
			ldp_engine *e;
			rc = ldp_warehouse_engine(wh, &e);
			if (!rc)
				rc = ldp_warehouse_bind_sql(wh, ldp_buf_cstr(&sql));
			if (!rc)
				rc = seed_run_checks(&chk, e, ldp_buf_cstr(&sql));
		}
		if (!rc)
			rc = export_file(wh, ldp_buf_cstr(&sql), ldp_buf_cstr(&out), T, &res->rows);
		if (!rc)
			rc = dup_into(&res->target, ldp_buf_cstr(&out));
		ldp_buf_free(&out);
	}
	ldp_buf_free(&path);
	ldp_buf_free(&sql);
	ldp_buf_free(&pb);
	if (tcat.wh != scat.wh)
		close_catalog(&tcat);
	close_catalog(&scat);
	return rc;
}

int ldp_seed_run(const char *config_path, ldp_warehouse *project_wh, const ldp_ingest_options *base,
		 ldp_seed_result *out)
{
	memset(out, 0, sizeof *out);
	json_t *doc = NULL;
	int rc = ldp_json_load_file(config_path, &doc);
	if (!rc && !json_is_object(doc))
		rc = ldp_error_set(LDP_EINVALID, "%s: a pipeline config is a JSON object", config_path);
	if (!rc)
		rc = run(config_path, doc, project_wh, base, out);
	json_decref(doc);
	return rc;
}
