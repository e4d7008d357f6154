/* ingest/ingest_internal.h - pieces shared by the ingest layer's files. */
#ifndef LDP_INGEST_INTERNAL_H
#define LDP_INGEST_INTERNAL_H

#include "ingest/ingest.h"

/* The format of a file from its name ("data.csv.gz" -> "csv"), or NULL. */
const char *ingest_format_of(const char *path);
/* The format of the whole batch: f->format, o->format or the files' common
 * extension; LDP_EINVALID naming two files of different formats. */
int ingest_batch_format(const ldp_ingest_files *f, const ldp_ingest_options *o, const char **out);

/* ldp_ingest_reader_sql with default CSV column types (name -> DuckDB type),
 * used for the columns the user gave no --column-type. */
int ingest_reader_sql_typed(const ldp_ingest_files *f, const ldp_ingest_options *o, const char *rejects_table,
			    const ldp_kv *deft, size_t ndeft, ldp_buf *out);

/* Reader + loader for local files (modes, quarantine, create, evolve). */
int ingest_load_files(ldp_warehouse *wh, ldp_ingest_files *f, const ldp_ident *target, const ldp_ingest_options *o,
		      ldp_ingest_result *res);

/* Merge by key with copy-on-write: the table's rows whose key is not in the
 * batch, plus the deduplicated batch, written as an overwrite. One function so
 * it can be replaced by MERGE INTO once the table layer has it. */
int ingest_merge(ldp_warehouse *wh, const char *select_sql, const ldp_ident *target, const ldp_ingest_options *o,
		 const ldp_kv *summary, size_t nsummary, int (*before_swap)(void *), void *hook_ctx,
		 ldp_ingest_result *res);

/* --on-error quarantine for NDJSON: invalid lines go to the temporary table
 * INGEST_JSON_REJECTS (columns as in <table>__rejects), valid ones to a
 * temporary file listed in `good`. */
#define INGEST_JSON_REJECTS "__ldp_json_rejects"
int ingest_json_quarantine(ldp_engine *e, const ldp_ingest_files *f, ldp_ingest_files *good);
/* For an NDJSON parse failure: "file, line N" of the first line that is not
 * valid JSON (*where malloc'd), NULL when none is found or the files are not
 * line-delimited. */
int ingest_json_first_bad(ldp_engine *e, const ldp_ingest_files *f, char **where);

/* --stage-sqlite: write the rows of select_sql into table `table` of SQLite
 * database db_path (replaced when `replace`, else appended to). */
int ingest_stage_sqlite(ldp_engine *e, const char *select_sql, const char *db_path, const char *table, int replace,
			int64_t *rows);

#endif
