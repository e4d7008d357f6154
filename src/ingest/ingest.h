/*
 * ingest/ingest.h - `ldp ingest <source> <ns.table>`: sources into Iceberg tables.
 *
 * The path of every ingest:
 *   1. the dispatcher picks a source driver by the URI scheme of <source>;
 *   2. the driver turns its source into LOCAL files (ldp_ingest_files): plain
 *      paths/globs/directories and file:// are listed as they are, http(s)://
 *      files are downloaded, s3:// objects are fetched, SQLite rows are staged
 *      into a temporary file, REST API records are written as NDJSON...;
 *   3. the shared reader turns those files into one DuckDB SELECT (read_parquet,
 *      read_csv with the user's CSV options, read_json);
 *   4. the shared loader applies the load mode (append, overwrite, merge),
 *      schema evolution, quarantine of bad rows, creates the table when missing,
 *      and commits through table/ (one Iceberg snapshot; incremental state a
 *      driver returns in ldp_ingest_files.summary is committed in the same
 *      snapshot's summary, so data and state can never disagree).
 *
 * A driver is `int ldp_ingest_fetch_<scheme>(const char *uri, const
 * ldp_ingest_options *o, ldp_ingest_files *out)` plus a row in the driver table
 * of ingest.c naming its scheme(s) and the option names it accepts.
 *
 * Memory: ldp_ingest_files owns its strings (malloc'd); free with
 * ldp_ingest_files_clear(). Options are borrowed from the caller.
 */
#ifndef LDP_INGEST_INGEST_H
#define LDP_INGEST_INGEST_H

#include <stdint.h>

#include "format/model.h"
#include "table/warehouse.h"

typedef enum ldp_ingest_mode {
	LDP_INGEST_APPEND,    /* default */
	LDP_INGEST_OVERWRITE, /* replace the whole table */
	LDP_INGEST_MERGE      /* upsert by --key: the batch (deduplicated, last wins by --order-by) replaces rows with equal keys */
} ldp_ingest_mode;

typedef enum ldp_ingest_on_error {
	LDP_INGEST_ON_ERROR_FAIL,      /* a malformed row fails the whole ingest, nothing committed */
	LDP_INGEST_ON_ERROR_QUARANTINE /* bad rows go to <table>__rejects with the reason; good rows commit */
} ldp_ingest_on_error;

/* Progress of a long step (download, staging, writing). total < 0 when unknown.
 * Called from the ingesting thread; the library never prints. */
typedef void (*ldp_ingest_progress_fn)(void *ctx, const char *what, int64_t done, int64_t total);

typedef struct ldp_ingest_options {
	ldp_ingest_mode mode;
	const char *key;          /* merge: "col[,col]" */
	const char *order_by;     /* merge: the row that sorts last wins among equal keys ("ts" or "ts desc, id") */
	int evolve;               /* add new source columns to the table, apply allowed widenings */
	const char *partition_by; /* only when the table is created: "day(ts)" */
	ldp_ingest_on_error on_error;
	const char *format;       /* "parquet","csv","tsv","json","ndjson" or NULL: by extension / driver */
	ldp_ingest_progress_fn progress; /* may be NULL */
	void *progress_ctx;
	/* Optional data checks on the batch before anything is written (the seed
	 * configs' quality checks); a non-zero return fails the ingest. */
	int (*check)(void *ctx, ldp_engine *e, const char *select_sql);
	void *check_ctx;
	/* The ingest's target, for drivers that keep incremental state (read it
	 * with ldp_table_summary_property()); set by ldp_ingest(). */
	ldp_warehouse *wh;
	const ldp_ident *target;
	/* Every other `--name value` of the command line, in order (a repeated
	 * option appears several times; a `--flag` without value has value "true").
	 * Names are without the leading dashes. */
	const ldp_kv *opts;
	size_t nopts;
} ldp_ingest_options;

/* The first value of a driver- or reader-specific option, or NULL. */
const char *ldp_ingest_opt(const ldp_ingest_options *o, const char *name);
/* Boolean option: "true/1/yes/on" -> 1, "false/0/no/off" -> 0, absent -> def,
 * anything else -> LDP_EINVALID naming the option. */
int ldp_ingest_opt_bool(const ldp_ingest_options *o, const char *name, int def, int *out);

/* What a driver hands to the reader. */
typedef struct ldp_ingest_files {
	char **paths;   /* local files (absolute or relative to the working directory) */
	size_t n;
	char *format;   /* "parquet","csv","tsv","json","ndjson" or NULL = by extension */
	int temporary;  /* the files are the driver's: delete them after the commit (or the failure) */
	/* Extra snapshot-summary properties to commit with the data, e.g. a REST
	 * cursor's high-water mark or the last NEAR block height (keys should be
	 * prefixed "ldp.ingest."). Strings malloc'd. */
	ldp_kv *summary;
	size_t nsummary;
} ldp_ingest_files;

/* Append a copy of path. */
int ldp_ingest_files_add(ldp_ingest_files *f, const char *path);
/* Set (or replace) a summary property; copies both strings. */
int ldp_ingest_files_set_summary(ldp_ingest_files *f, const char *key, const char *value);
/* Free everything (deleting the files first when temporary) and zero *f. */
void ldp_ingest_files_clear(ldp_ingest_files *f);

/* ---- drivers ---- */

typedef int (*ldp_ingest_fetch_fn)(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out);

/* Local files: a path, a glob (*, ?, [..], **), a directory (its files,
 * recursively, hidden files skipped) or file://path. */
int ldp_ingest_fetch_file(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out);
/* sqlite:///path/db.sqlite?table=t or ?query=select..., staged into a temporary Parquet file. */
int ldp_ingest_fetch_sqlite(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out);
/* http(s)://... (the HTTP helper's driver) and s3://... (the S3 helper's driver). */
int ldp_ingest_fetch_http(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out);
int ldp_ingest_fetch_s3(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out);

typedef struct ldp_ingest_driver {
	const char *scheme;           /* "file", "http", "s3"... matched before "://"; NULL ends the table */
	ldp_ingest_fetch_fn fetch;    /* NULL: not supported in this build */
	const char *const *options;   /* option names the driver accepts, NULL-terminated (may be NULL) */
} ldp_ingest_driver;

/* The driver for a source (plain paths -> "file"); LDP_EINVALID for an unknown
 * scheme, LDP_EUNSUPPORTED for a known scheme this build lacks. */
int ldp_ingest_driver_for(const char *source, const ldp_ingest_driver **out);
/* LDP_EINVALID naming the first option in o->opts that neither the driver nor
 * the reader accepts. */
int ldp_ingest_check_options(const ldp_ingest_driver *d, const ldp_ingest_options *o);

/* ---- the shared reader and loader ---- */

/* The DuckDB SELECT reading the files with the reader options of o (CSV:
 * header, delimiter, quote, escape, null, column-type name=TYPE, ...). When
 * rejects_table is not NULL, CSV files are read with DuckDB's store_rejects into
 * that temporary table (quarantine). */
int ldp_ingest_reader_sql(const ldp_ingest_files *f, const ldp_ingest_options *o, const char *rejects_table,
			  ldp_buf *out);

typedef struct ldp_ingest_result {
	int64_t rows;          /* rows committed to the table */
	int64_t rejected;      /* rows quarantined */
	int64_t deleted;       /* rows replaced (overwrite, merge) */
	int64_t snapshot_id;
	size_t files;          /* source files read */
	int created;           /* the table was created by this ingest */
	int evolved;           /* columns added or widened */
	int64_t staged;        /* rows written to the --stage-sqlite database */
} ldp_ingest_result;

/* Ingest `source` into table `target`. On error nothing is committed (except
 * that a table created by this call and left empty is dropped again). */
int ldp_ingest(ldp_warehouse *wh, const char *source, const ldp_ident *target, const ldp_ingest_options *o,
	       ldp_ingest_result *res);

/* Load an already-built SELECT into the table (modes, evolve, create): the
 * part of ldp_ingest after the reader; summary as in ldp_ingest_files. */
int ldp_ingest_load_sql(ldp_warehouse *wh, const char *select_sql, const ldp_ident *target,
			const ldp_ingest_options *o, const ldp_kv *summary, size_t nsummary, ldp_ingest_result *res);

#endif
