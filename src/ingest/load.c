/* The shared loader: a reader SELECT -> the target table, with its load mode,
 * schema evolution, table creation and the bad-row policy. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/metadata.h"
#include "format/schema.h"
#include "ingest/ingest_internal.h"
#include "ldp/error.h"
#include "ldp/log.h"
#include "table/ddl.h"
#include "table/table.h"

static void progress(const ldp_ingest_options *o, const char *what)
{
	if (o->progress)
		o->progress(o->progress_ctx, what, 0, -1);
}

static const ldp_field *field_named(const ldp_schema *s, const char *name)
{
	for (size_t i = 0; i < s->root.nfields; i++)
		if (strcasecmp(s->root.fields[i].name, name) == 0)
			return &s->root.fields[i];
	return NULL;
}

static int ensure_namespace(ldp_warehouse *wh, const char *ns)
{
	int exists = 0;
	int rc = ldp_catalog_namespace_exists(wh->catalog, ns, &exists);
	if (rc || exists)
		return rc;
	rc = ldp_catalog_create_namespace(wh->catalog, ns, NULL, 0);
	if (rc == LDP_EEXISTS) { /* created meanwhile */
		ldp_error_clear();
		rc = LDP_OK;
	}
	return rc;
}

typedef struct load_args {
	const ldp_kv *summary;
	size_t nsummary;
	int (*before_swap)(void *);
	void *hook_ctx;
} load_args;

static int load(ldp_warehouse *wh, const char *sql, const ldp_ident *id, const ldp_ingest_options *o,
		const load_args *la, ldp_ingest_result *res)
{
	ldp_engine *e;
	int rc = ldp_warehouse_engine(wh, &e);
	if (rc)
		return rc;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_schema *src = NULL;
	progress(o, "reading the source schema");
	/* (binds the Iceberg tables a source query may read) */
	rc = ldp_warehouse_schema_from_sql(wh, NULL, sql, &a, &src);
	if (rc) {
		ldp_arena_free(&a);
		return rc;
	}
	ldp_table *t = NULL;
	rc = ldp_table_load(wh, id, &t);
	if (rc == LDP_ENOTFOUND) {
		ldp_error_clear();
		ldp_create_options co;
		memset(&co, 0, sizeof co);
		co.schema = src;
		co.partition_by = o->partition_by;
		rc = ensure_namespace(wh, id->ns);
		if (!rc)
			rc = ldp_table_create(wh, id, &co, &t);
		if (!rc)
			res->created = 1;
		else
			rc = ldp_error_wrap(rc, "creating %s.%s", id->ns, id->name);
	} else if (!rc) {
		const ldp_schema *ts = ldp_metadata_current_schema(t->meta);
		for (size_t i = 0; !rc && !o->evolve && i < src->root.nfields; i++)
			if (!field_named(ts, src->root.fields[i].name))
				rc = ldp_error_set(LDP_EINVALID,
						   "column '%s' of the source is not in table %s.%s: pass --evolve to add it to the table, "
						   "or leave it out of the source",
						   src->root.fields[i].name, id->ns, id->name);
		if (!rc && o->evolve) {
			int changed = 0;
			progress(o, "evolving the table schema");
			rc = ldp_table_evolve(wh, id, src, &changed);
			res->evolved = changed;
		}
	}
	ldp_table_free(t);
	ldp_arena_free(&a);
	if (rc)
		return rc;

	if (o->check) {
		progress(o, "checking the data");
		if ((rc = o->check(o->check_ctx, e, sql))) {
			if (res->created)
				ldp_table_undo_create(wh, id); /* a table this ingest created and could not fill */
			return rc;
		}
	}
	progress(o, "writing");
	if (o->mode == LDP_INGEST_MERGE) {
		rc = ingest_merge(wh, sql, id, o, la->summary, la->nsummary, la->before_swap, la->hook_ctx, res);
	} else {
		ldp_write_options wo;
		memset(&wo, 0, sizeof wo);
		wo.mode = o->mode == LDP_INGEST_OVERWRITE ? LDP_WRITE_OVERWRITE : LDP_WRITE_APPEND;
		wo.summary = la->summary;
		wo.nsummary = la->nsummary;
		wo.before_swap = la->before_swap;
		wo.before_swap_ctx = la->hook_ctx;
		ldp_write_result wr;
		rc = ldp_table_write(wh, id, sql, &wo, &wr);
		if (!rc) {
			res->rows = wr.added_records;
			res->deleted = wr.deleted_records;
			res->snapshot_id = wr.snapshot_id;
		}
	}
	if (rc && res->created)
		ldp_table_undo_create(wh, id); /* a table this ingest created and could not fill */
	return rc;
}

int ldp_ingest_load_sql(ldp_warehouse *wh, const char *select_sql, const ldp_ident *target,
			const ldp_ingest_options *o, const ldp_kv *summary, size_t nsummary, ldp_ingest_result *res)
{
	memset(res, 0, sizeof *res);
	load_args la = {summary, nsummary, NULL, NULL};
	return load(wh, select_sql, target, o, &la, res);
}

/* ---- bad rows (CSV): DuckDB's store_rejects tables ---- */

#define REJECTS "__ldp_rejects"

typedef struct rejects_ctx {
	ldp_engine *e;
	const ldp_ingest_options *o;
	int64_t count;
} rejects_ctx;

/* One row per (file, line, column): the schema probe and the write may both
 * have scanned the same bad line. */
#define REJECT_ROWS                                                                                              \
	"SELECT DISTINCT ON (s.file_path, r.line, r.column_idx) s.file_path AS source_file, r.line::BIGINT AS line, " \
	"r.column_name AS column_name, r.error_type::VARCHAR AS error_type, r.error_message AS reason, "              \
	"r.csv_line AS raw_record FROM " REJECTS " r JOIN " REJECTS "_scan s USING (scan_id, file_id)"

static int rejects_exist(ldp_engine *e, int *yes)
{
	char *txt = NULL;
	int rc = ldp_engine_query_text(e, "SELECT count(*) FROM duckdb_tables() WHERE table_name = '" REJECTS "'", &txt);
	*yes = !rc && txt && strcmp(txt, "0") != 0;
	free(txt);
	return rc;
}

/* Before the catalog swap: strict mode fails on the first bad row, naming it;
 * nothing is committed then. */
static int check_rejects(void *vctx)
{
	rejects_ctx *c = vctx;
	int yes;
	int rc = rejects_exist(c->e, &yes);
	if (rc || !yes)
		return rc;
	char *txt = NULL;
	rc = ldp_engine_query_text(c->e, "SELECT count(*) FROM (" REJECT_ROWS ")", &txt);
	c->count = rc || !txt ? 0 : strtoll(txt, NULL, 10);
	free(txt);
	if (rc || c->count == 0 || c->o->on_error == LDP_INGEST_ON_ERROR_QUARANTINE)
		return rc;
	ldp_result *r = NULL;
	rc = ldp_engine_query(c->e, "SELECT source_file, line, coalesce(column_name, '?'), reason FROM (" REJECT_ROWS
				    ") ORDER BY source_file, line LIMIT 1", &r);
	ldp_chunk *ch = NULL;
	if (!rc)
		rc = ldp_result_fetch(r, &ch);
	if (!rc && ch && ldp_chunk_rows(ch) > 0) {
		ldp_buf f = LDP_BUF_INIT, l = LDP_BUF_INIT, col = LDP_BUF_INIT, why = LDP_BUF_INIT;
		ldp_chunk_format(ch, 0, 0, LDP_VALUE_TEXT, &f);
		ldp_chunk_format(ch, 1, 0, LDP_VALUE_TEXT, &l);
		ldp_chunk_format(ch, 2, 0, LDP_VALUE_TEXT, &col);
		ldp_chunk_format(ch, 3, 0, LDP_VALUE_TEXT, &why);
		rc = ldp_error_set(LDP_EINVALID,
				   "%s, line %s, column %s: %s (%lld bad row%s in all; nothing was committed: fix the "
				   "file, or pass --on-error quarantine to load the good rows and keep the bad ones in "
				   "<table>__rejects)",
				   ldp_buf_cstr(&f), ldp_buf_cstr(&l), ldp_buf_cstr(&col), ldp_buf_cstr(&why),
				   (long long)c->count, c->count == 1 ? "" : "s");
		ldp_buf_free(&f);
		ldp_buf_free(&l);
		ldp_buf_free(&col);
		ldp_buf_free(&why);
	}
	ldp_result_free(r);
	return rc;
}

static int write_rejects(ldp_warehouse *wh, const ldp_ident *id, const ldp_ingest_options *o, const char *rows_sql,
			 int64_t *n)
{
	ldp_ident rid = *id;
	if (snprintf(rid.name, sizeof rid.name, "%s__rejects", id->name) >= (int)sizeof rid.name)
		return ldp_error_set(LDP_EINVALID, "table name %s is too long for its __rejects table", id->name);
	ldp_ingest_options ro;
	memset(&ro, 0, sizeof ro);
	ro.mode = LDP_INGEST_APPEND;
	ro.evolve = 1; /* a rejects table from an older ldp keeps working */
	ro.progress = o->progress;
	ro.progress_ctx = o->progress_ctx;
	ldp_ingest_result rr;
	ldp_buf sql = LDP_BUF_INIT;
	ldp_buf_printf(&sql, "SELECT *, now()::TIMESTAMP AS ingested_at FROM (%s) ORDER BY 1, 2", rows_sql);
	int rc = ldp_buf_oom(&sql) ? LDP_ENOMEM : ldp_ingest_load_sql(wh, ldp_buf_cstr(&sql), &rid, &ro, NULL, 0, &rr);
	ldp_buf_free(&sql);
	if (!rc)
		*n = rr.rows;
	return rc ? ldp_error_wrap(rc, "writing the bad rows to %s.%s", rid.ns, rid.name) : LDP_OK;
}

/* CSV into an existing table: its columns' types are what the file's values
 * must parse as, so a bad value is a rejected row naming its line rather than
 * a whole column sniffed as text. The user's --column-type still wins. */
static int table_csv_types(ldp_warehouse *wh, ldp_engine *e, const ldp_ingest_files *f, const ldp_ingest_options *o,
			   const ldp_ident *id, ldp_arena *a, ldp_kv **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int allv;
	int rc = ldp_ingest_opt_bool(o, "all-varchar", 0, &allv);
	if (rc || allv)
		return rc;
	ldp_table *t = NULL;
	rc = ldp_table_load(wh, id, &t);
	if (rc == LDP_ENOTFOUND) {
		ldp_error_clear();
		return LDP_OK;
	}
	ldp_buf sql = LDP_BUF_INIT, probe = LDP_BUF_INIT;
	if (!rc)
		rc = ldp_ingest_reader_sql(f, o, NULL, &sql);
	ldp_result *r = NULL;
	if (!rc) {
		ldp_buf_printf(&probe, "SELECT * FROM (%s) LIMIT 0", ldp_buf_cstr(&sql));
		rc = ldp_buf_oom(&probe) ? LDP_ENOMEM : ldp_engine_query(e, ldp_buf_cstr(&probe), &r);
	}
	const ldp_schema *ts = rc ? NULL : ldp_metadata_current_schema(t->meta);
	size_t ncols = rc ? 0 : ldp_result_column_count(r);
	if (!rc && !(*out = ldp_arena_calloc(a, ncols + 1, sizeof **out)))
		rc = LDP_ENOMEM;
	for (size_t i = 0; !rc && ts && i < ncols; i++) {
		const ldp_field *fld = field_named(ts, ldp_result_column_name(r, i));
		if (!fld || fld->type->id == LDP_T_STRUCT || fld->type->id == LDP_T_LIST || fld->type->id == LDP_T_MAP)
			continue;
		ldp_buf ty = LDP_BUF_INIT;
		rc = ldp_type_to_duckdb(fld->type, &ty);
		(*out)[*n].key = ldp_arena_strdup(a, ldp_result_column_name(r, i));
		(*out)[*n].value = ldp_arena_strdup(a, ldp_buf_cstr(&ty));
		ldp_buf_free(&ty);
		if (!rc && (!(*out)[*n].key || !(*out)[*n].value))
			rc = LDP_ENOMEM;
		(*n)++;
	}
	ldp_result_free(r);
	ldp_buf_free(&sql);
	ldp_buf_free(&probe);
	ldp_table_free(t);
	return rc;
}

int ingest_load_files(ldp_warehouse *wh, ldp_ingest_files *f, const ldp_ident *target, const ldp_ingest_options *o,
		      ldp_ingest_result *res)
{
	ldp_engine *e;
	int rc = ldp_warehouse_engine(wh, &e);
	if (rc)
		return rc;
	const char *fmt;
	if ((rc = ingest_batch_format(f, o, &fmt)))
		return rc;
	int csv = !strcmp(fmt, "csv") || !strcmp(fmt, "tsv");
	int jsonq = !csv && strcmp(fmt, "parquet") != 0 && o->on_error == LDP_INGEST_ON_ERROR_QUARANTINE;
	ldp_ingest_files good;
	memset(&good, 0, sizeof good);
	const ldp_ingest_files *rd = f; /* what the reader reads; f keeps the driver's summary */
	if (jsonq) {
		if ((rc = ingest_json_quarantine(e, f, &good))) {
			ldp_ingest_files_clear(&good);
			return rc;
		}
		rd = &good;
	} else if (!csv && o->on_error == LDP_INGEST_ON_ERROR_QUARANTINE) {
		return ldp_error_set(LDP_EINVALID, "--on-error quarantine applies to CSV, TSV and NDJSON sources, not %s", fmt);
	}
	if (csv && (rc = ldp_engine_exec(e, "DROP TABLE IF EXISTS " REJECTS "; DROP TABLE IF EXISTS " REJECTS "_scan")))
		return rc;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_kv *deft = NULL;
	size_t ndeft = 0;
	if (csv)
		rc = table_csv_types(wh, e, rd, o, target, &a, &deft, &ndeft);
	ldp_buf sql = LDP_BUF_INIT;
	if (!rc)
		rc = ingest_reader_sql_typed(rd, o, csv ? REJECTS : NULL, deft, ndeft, &sql);
	ldp_arena_free(&a);
	if (rc) {
		ldp_buf_free(&sql);
		ldp_engine_exec(e, "DROP TABLE IF EXISTS " INGEST_JSON_REJECTS);
		ldp_ingest_files_clear(&good);
		return rc;
	}
	LDP_DEBUG("ingest reader: %s", ldp_buf_cstr(&sql));
	const char *stage = ldp_ingest_opt(o, "stage-sqlite");
	if (stage) {
		/* the raw landing first: a failed commit still leaves the batch staged */
		const char *st = ldp_ingest_opt(o, "stage-table");
		int64_t staged = 0;
		progress(o, "staging into SQLite");
		rc = ingest_stage_sqlite(e, ldp_buf_cstr(&sql), stage, st ? st : target->name,
					 o->mode == LDP_INGEST_OVERWRITE, &staged);
		if (csv && !rc) /* the staging scan filled the rejects tables too: start them afresh */
			rc = ldp_engine_exec(e, "DROP TABLE IF EXISTS " REJECTS "; DROP TABLE IF EXISTS " REJECTS "_scan");
		res->staged = staged;
		if (rc) {
			ldp_buf_free(&sql);
			ldp_ingest_files_clear(&good);
			return rc;
		}
	}
	rejects_ctx rctx = {e, o, 0};
	load_args la = {f->summary, f->nsummary, csv ? check_rejects : NULL, &rctx};
	rc = load(wh, ldp_buf_cstr(&sql), target, o, &la, res);
	ldp_buf_free(&sql);
	/* DuckDB names the byte and the line where the parser gave up, which for an
	 * unfinished record is the line after it: name the record's own line */
	if (rc == LDP_ESQL && !csv && !jsonq && strcmp(fmt, "parquet") != 0 &&
	    strstr(ldp_error_last()->message, "Malformed JSON")) {
		char *duck = strdup(ldp_error_last()->message), *where = NULL;
		if (duck && ingest_json_first_bad(e, rd, &where) == LDP_OK && where)
			rc = ldp_error_set(LDP_EINVALID,
					   "%s: not a valid JSON record; nothing was committed (fix the file, or pass "
					   "--on-error quarantine to load the good records and keep the bad ones in "
					   "<table>__rejects) [%s]",
					   where, duck);
		else if (duck)
			ldp_error_set(rc, "%s", duck);
		free(where);
		free(duck);
	}
	/* quarantine: the good rows are committed; now the bad ones */
	if (!rc && csv && rctx.count > 0)
		rc = write_rejects(wh, target, o, REJECT_ROWS, &res->rejected);
	if (jsonq) {
		char *txt = NULL;
		if (!rc)
			rc = ldp_engine_query_text(e, "SELECT count(*) FROM " INGEST_JSON_REJECTS, &txt);
		if (!rc && txt && strcmp(txt, "0") != 0)
			rc = write_rejects(wh, target, o, "SELECT * FROM " INGEST_JSON_REJECTS, &res->rejected);
		free(txt);
		ldp_engine_exec(e, "DROP TABLE IF EXISTS " INGEST_JSON_REJECTS);
		ldp_ingest_files_clear(&good);
	}
	if (csv)
		ldp_engine_exec(e, "DROP TABLE IF EXISTS " REJECTS "; DROP TABLE IF EXISTS " REJECTS "_scan");
	return rc;
}
