/* Internal view of the engine for other libldp layers that need DuckDB handles. */
#ifndef LDP_ENGINE_INTERNAL_H
#define LDP_ENGINE_INTERNAL_H

#include <duckdb.h>

#include "ldp/engine.h"

struct ldp_engine {
	duckdb_database db;
	duckdb_connection conn;
};

struct ldp_stmt {
	ldp_engine *engine;
	duckdb_prepared_statement prep;
};

struct ldp_chunk {
	ldp_result *result;
	duckdb_data_chunk chunk;
	size_t rows;
};

struct ldp_result {
	duckdb_result res;
	size_t ncols;
	char **names;
	char **types;
	duckdb_logical_type *ltypes;
	ldp_chunk cur;
	int done;
};

duckdb_connection ldp_engine_connection(ldp_engine *e);

/* Map a failed DuckDB result onto an ldp error (one line, the engine's words). */
int ldp_engine_result_error(duckdb_result *res, const char *what);

/* Type names and value rendering (value.c). */
char *ldp_type_name(duckdb_logical_type t); /* malloc'd */
int ldp_type_is_numeric(duckdb_logical_type t);
void ldp_value_format(duckdb_vector vec, duckdb_logical_type t, idx_t row, ldp_value_style style, ldp_buf *b);

#endif
