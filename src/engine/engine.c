/* DuckDB connection, statements and streaming results; see ldp/engine.h. */
#include "engine/engine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "ldp/log.h"

/* DuckDB messages can span several lines ("LINE 1: ...", a caret). The CLI
 * promises one line per error, so keep the first line, which names the thing
 * (the file, the token, the column). The rest goes to the debug log. */
static int set_engine_error(int code, const char *what, const char *msg)
{
	if (!msg || !*msg)
		msg = "unknown DuckDB error";
	const char *nl = strchr(msg, '\n');
	int len = nl ? (int)(nl - msg) : (int)strlen(msg);
	if (nl)
		LDP_DEBUG("full DuckDB error: %s", msg);
	if (what)
		return ldp_error_set(code, "%s: %.*s", what, len, msg);
	return ldp_error_set(code, "%.*s", len, msg);
}

static int map_error_type(duckdb_error_type t)
{
	switch (t) {
	case DUCKDB_ERROR_INTERRUPT: return LDP_EINTERRUPTED;
	case DUCKDB_ERROR_OUT_OF_MEMORY: return LDP_ENOMEM;
	case DUCKDB_ERROR_INTERNAL:
	case DUCKDB_ERROR_FATAL: return LDP_ERROR;
	default: return LDP_ESQL;
	}
}

int ldp_engine_result_error(duckdb_result *res, const char *what)
{
	return set_engine_error(map_error_type(duckdb_result_error_type(res)), what, duckdb_result_error(res));
}

int ldp_engine_open(ldp_engine **out, const char *path, const ldp_engine_options *opts)
{
	*out = NULL;
	ldp_engine *e = calloc(1, sizeof *e);
	if (!e)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	duckdb_config cfg;
	if (duckdb_create_config(&cfg) != DuckDBSuccess) {
		free(e);
		return ldp_error_set(LDP_ERROR, "cannot create DuckDB configuration");
	}
	/* Never reach for the network for extensions: ldp uses only what is built in. */
	duckdb_set_config(cfg, "autoinstall_known_extensions", "false");
	duckdb_set_config(cfg, "autoload_known_extensions", "false");
	if (opts && opts->threads > 0) {
		char n[16];
		snprintf(n, sizeof n, "%d", opts->threads);
		duckdb_set_config(cfg, "threads", n);
	}
	if (opts && opts->memory_limit)
		duckdb_set_config(cfg, "memory_limit", opts->memory_limit);

	char *err = NULL;
	const char *p = path && strcmp(path, ":memory:") != 0 ? path : NULL;
	if (duckdb_open_ext(p, &e->db, cfg, &err) != DuckDBSuccess) {
		int rc = set_engine_error(LDP_EIO, p ? p : "in-memory database", err);
		duckdb_free(err);
		duckdb_destroy_config(&cfg);
		free(e);
		return rc;
	}
	duckdb_destroy_config(&cfg);
	if (duckdb_connect(e->db, &e->conn) != DuckDBSuccess) {
		duckdb_close(&e->db);
		free(e);
		return ldp_error_set(LDP_ERROR, "cannot connect to DuckDB database %s", p ? p : ":memory:");
	}
	/* Timestamps with time zone render and truncate in UTC unless told otherwise
	 * (ICU's TimeZone is a session setting, not an open-time option). */
	char tzq[128];
	const char *tz = opts && opts->timezone ? opts->timezone : "UTC";
	if (strchr(tz, '\'')) {
		ldp_engine_free(e);
		return ldp_error_set(LDP_EINVALID, "invalid time zone name '%s'", tz);
	}
	snprintf(tzq, sizeof tzq, "SET TimeZone = '%s'", tz);
	int rc = ldp_engine_exec(e, tzq);
	if (rc) {
		ldp_engine_free(e);
		return ldp_error_wrap(rc, "setting time zone");
	}
	if (opts && opts->progress) {
		rc = ldp_engine_exec(e, "SET enable_progress_bar = true; SET enable_progress_bar_print = true; "
					"SET progress_bar_time = 2000");
		if (rc) {
			ldp_engine_free(e);
			return ldp_error_wrap(rc, "enabling the progress bar");
		}
	}
	*out = e;
	return LDP_OK;
}

void ldp_engine_free(ldp_engine *e)
{
	if (!e)
		return;
	duckdb_disconnect(&e->conn);
	duckdb_close(&e->db);
	free(e);
}

const char *ldp_engine_duckdb_version(void) { return duckdb_library_version(); }
void ldp_engine_interrupt(ldp_engine *e) { duckdb_interrupt(e->conn); }
duckdb_connection ldp_engine_connection(ldp_engine *e) { return e->conn; }

int ldp_engine_exec(ldp_engine *e, const char *sql)
{
	duckdb_result res;
	if (duckdb_query(e->conn, sql, &res) != DuckDBSuccess) {
		int rc = ldp_engine_result_error(&res, NULL);
		duckdb_destroy_result(&res);
		return rc;
	}
	duckdb_destroy_result(&res);
	return LDP_OK;
}

int ldp_engine_query_text(ldp_engine *e, const char *sql, char **out)
{
	*out = NULL;
	ldp_result *r;
	int rc = ldp_engine_query(e, sql, &r);
	if (rc)
		return rc;
	ldp_chunk *c;
	rc = ldp_result_fetch(r, &c);
	if (!rc && c && c->rows > 0 && r->ncols > 0 && !ldp_chunk_is_null(c, 0, 0)) {
		ldp_buf b = LDP_BUF_INIT;
		ldp_chunk_format(c, 0, 0, LDP_VALUE_TEXT, &b);
		rc = ldp_buf_oom(&b);
		*out = rc ? NULL : ldp_buf_detach(&b);
		ldp_buf_free(&b);
	}
	ldp_result_free(r);
	return rc;
}

/* ---- prepared statements ---- */

static int stmt_from_prepared(ldp_engine *e, duckdb_prepared_statement prep, ldp_stmt **out)
{
	if (duckdb_prepare_error(prep)) {
		int rc = set_engine_error(LDP_ESQL, NULL, duckdb_prepare_error(prep));
		duckdb_destroy_prepare(&prep);
		return rc;
	}
	ldp_stmt *st = calloc(1, sizeof *st);
	if (!st) {
		duckdb_destroy_prepare(&prep);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	st->engine = e;
	st->prep = prep;
	*out = st;
	return LDP_OK;
}

int ldp_engine_prepare(ldp_engine *e, const char *sql, ldp_stmt **out)
{
	*out = NULL;
	duckdb_prepared_statement prep = NULL;
	duckdb_prepare(e->conn, sql, &prep);
	return stmt_from_prepared(e, prep, out);
}

#define BIND(call)                                                                              \
	do {                                                                                    \
		if ((call) != DuckDBSuccess)                                                    \
			return set_engine_error(LDP_ESQL, "binding parameter", duckdb_prepare_error(st->prep)); \
		return LDP_OK;                                                                  \
	} while (0)

int ldp_stmt_bind_text(ldp_stmt *st, size_t i, const char *v) { BIND(duckdb_bind_varchar(st->prep, i, v)); }
int ldp_stmt_bind_int64(ldp_stmt *st, size_t i, int64_t v) { BIND(duckdb_bind_int64(st->prep, i, v)); }
int ldp_stmt_bind_double(ldp_stmt *st, size_t i, double v) { BIND(duckdb_bind_double(st->prep, i, v)); }
int ldp_stmt_bind_null(ldp_stmt *st, size_t i) { BIND(duckdb_bind_null(st->prep, i)); }
int ldp_stmt_clear_bindings(ldp_stmt *st) { BIND(duckdb_clear_bindings(st->prep)); }

int ldp_stmt_returns_rows(const ldp_stmt *st)
{
	switch (duckdb_prepared_statement_type(st->prep)) {
	case DUCKDB_STATEMENT_TYPE_SELECT:
	case DUCKDB_STATEMENT_TYPE_EXPLAIN:
	case DUCKDB_STATEMENT_TYPE_PRAGMA:
	case DUCKDB_STATEMENT_TYPE_CALL:
	case DUCKDB_STATEMENT_TYPE_RELATION:
	case DUCKDB_STATEMENT_TYPE_LOGICAL_PLAN:
		return 1;
	default:
		return 0;
	}
}

void ldp_stmt_free(ldp_stmt *st)
{
	if (!st)
		return;
	duckdb_destroy_prepare(&st->prep);
	free(st);
}

static int result_init(ldp_result *r)
{
	r->ncols = duckdb_column_count(&r->res);
	r->names = calloc(r->ncols ? r->ncols : 1, sizeof *r->names);
	r->types = calloc(r->ncols ? r->ncols : 1, sizeof *r->types);
	r->ltypes = calloc(r->ncols ? r->ncols : 1, sizeof *r->ltypes);
	if (!r->names || !r->types || !r->ltypes)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->ncols; i++) {
		const char *n = duckdb_column_name(&r->res, i);
		r->names[i] = strdup(n ? n : "");
		r->ltypes[i] = duckdb_column_logical_type(&r->res, i);
		r->types[i] = ldp_type_name(r->ltypes[i]);
		if (!r->names[i] || !r->types[i])
			return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	r->cur.result = r;
	return LDP_OK;
}

int ldp_stmt_execute(ldp_stmt *st, ldp_result **out)
{
	*out = NULL;
	ldp_result *r = calloc(1, sizeof *r);
	if (!r)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	/* Streaming execution: chunks are produced as the caller fetches them. */
	if (duckdb_execute_prepared_streaming(st->prep, &r->res) != DuckDBSuccess) {
		int rc = ldp_engine_result_error(&r->res, NULL);
		duckdb_destroy_result(&r->res);
		free(r);
		return rc;
	}
	int rc = result_init(r);
	if (rc) {
		ldp_result_free(r);
		return rc;
	}
	*out = r;
	return LDP_OK;
}

int ldp_engine_query(ldp_engine *e, const char *sql, ldp_result **out)
{
	*out = NULL;
	ldp_stmt *st;
	int rc = ldp_engine_prepare(e, sql, &st);
	if (rc)
		return rc;
	rc = ldp_stmt_execute(st, out);
	ldp_stmt_free(st);
	return rc;
}

/* ---- scripts ---- */

struct ldp_script {
	ldp_engine *engine;
	duckdb_extracted_statements ex;
	size_t count;
};

int ldp_engine_script(ldp_engine *e, const char *sql, ldp_script **out)
{
	*out = NULL;
	ldp_script *s = calloc(1, sizeof *s);
	if (!s)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	s->engine = e;
	s->count = duckdb_extract_statements(e->conn, sql, &s->ex);
	if (s->count == 0) {
		const char *msg = duckdb_extract_statements_error(s->ex);
		int rc = msg ? set_engine_error(LDP_ESQL, NULL, msg) : LDP_OK;
		if (rc) {
			ldp_script_free(s);
			return rc;
		}
	}
	*out = s;
	return LDP_OK;
}

size_t ldp_script_count(const ldp_script *s) { return s->count; }

int ldp_script_prepare(ldp_script *s, size_t i, ldp_stmt **out)
{
	*out = NULL;
	duckdb_prepared_statement prep = NULL;
	duckdb_prepare_extracted_statement(s->engine->conn, s->ex, i, &prep);
	return stmt_from_prepared(s->engine, prep, out);
}

void ldp_script_free(ldp_script *s)
{
	if (!s)
		return;
	duckdb_destroy_extracted(&s->ex);
	free(s);
}

/* ---- results ---- */

size_t ldp_result_column_count(const ldp_result *r) { return r->ncols; }
const char *ldp_result_column_name(const ldp_result *r, size_t c) { return r->names[c]; }
const char *ldp_result_column_type(const ldp_result *r, size_t c) { return r->types[c]; }
int ldp_result_column_is_numeric(const ldp_result *r, size_t c) { return ldp_type_is_numeric(r->ltypes[c]); }
int64_t ldp_result_rows_changed(const ldp_result *r) { return (int64_t)duckdb_rows_changed((duckdb_result *)&r->res); }

int ldp_result_fetch(ldp_result *r, ldp_chunk **out)
{
	*out = NULL;
	if (r->cur.chunk) {
		duckdb_destroy_data_chunk(&r->cur.chunk);
		r->cur.chunk = NULL;
	}
	if (r->done)
		return LDP_OK;
	duckdb_data_chunk ch = duckdb_fetch_chunk(r->res);
	if (!ch) {
		r->done = 1;
		/* A streaming result reports errors met while producing chunks here. */
		const char *err = duckdb_result_error(&r->res);
		if (err)
			return ldp_engine_result_error(&r->res, NULL);
		return LDP_OK;
	}
	r->cur.chunk = ch;
	r->cur.rows = duckdb_data_chunk_get_size(ch);
	*out = &r->cur;
	return LDP_OK;
}

void ldp_result_free(ldp_result *r)
{
	if (!r)
		return;
	if (r->cur.chunk)
		duckdb_destroy_data_chunk(&r->cur.chunk);
	for (size_t i = 0; i < r->ncols; i++) {
		if (r->names)
			free(r->names[i]);
		if (r->types)
			free(r->types[i]);
		if (r->ltypes && r->ltypes[i])
			duckdb_destroy_logical_type(&r->ltypes[i]);
	}
	free(r->names);
	free(r->types);
	free(r->ltypes);
	duckdb_destroy_result(&r->res);
	free(r);
}

size_t ldp_chunk_rows(const ldp_chunk *c) { return c->rows; }

int ldp_chunk_is_null(const ldp_chunk *c, size_t col, size_t row)
{
	duckdb_vector v = duckdb_data_chunk_get_vector(c->chunk, col);
	uint64_t *valid = duckdb_vector_get_validity(v);
	return valid && !duckdb_validity_row_is_valid(valid, row);
}

void ldp_chunk_format(const ldp_chunk *c, size_t col, size_t row, ldp_value_style style, ldp_buf *b)
{
	duckdb_vector v = duckdb_data_chunk_get_vector(c->chunk, col);
	ldp_value_format(v, c->result->ltypes[col], row, style, b);
}

int64_t ldp_chunk_get_int64(const ldp_chunk *c, size_t col, size_t row)
{
	duckdb_vector v = duckdb_data_chunk_get_vector(c->chunk, col);
	void *d = duckdb_vector_get_data(v);
	switch (duckdb_get_type_id(c->result->ltypes[col])) {
	case DUCKDB_TYPE_TINYINT: return ((int8_t *)d)[row];
	case DUCKDB_TYPE_SMALLINT: return ((int16_t *)d)[row];
	case DUCKDB_TYPE_INTEGER: return ((int32_t *)d)[row];
	case DUCKDB_TYPE_BIGINT: return ((int64_t *)d)[row];
	case DUCKDB_TYPE_UTINYINT: return ((uint8_t *)d)[row];
	case DUCKDB_TYPE_USMALLINT: return ((uint16_t *)d)[row];
	case DUCKDB_TYPE_UINTEGER: return ((uint32_t *)d)[row];
	case DUCKDB_TYPE_UBIGINT: return (int64_t)((uint64_t *)d)[row];
	default: return 0;
	}
}

int ldp_chunk_get_bool(const ldp_chunk *c, size_t col, size_t row)
{
	duckdb_vector v = duckdb_data_chunk_get_vector(c->chunk, col);
	if (duckdb_get_type_id(c->result->ltypes[col]) != DUCKDB_TYPE_BOOLEAN)
		return 0;
	return ((bool *)duckdb_vector_get_data(v))[row];
}
