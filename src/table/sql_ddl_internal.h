/* Shared by sql_ddl.c, sql_insert.c and sql_show.c. */
#ifndef LDP_TABLE_SQL_DDL_INTERNAL_H
#define LDP_TABLE_SQL_DDL_INTERNAL_H

#include "table/sql_parse.h"
#include "table/sqlrun.h"

/* A statement's target as resolved against the catalog. */
typedef struct sql_target {
	ldp_ident id;  /* catalog spelling when the table exists */
	int exists;    /* the table exists (else only its namespace does) */
	char at[256];  /* time-travel suffix after '@', "" when none */
} sql_target;

/* LDP_OK: an Iceberg namespace (t->exists tells about the table);
 * LDP_SQL_PASS: DuckDB's name; or an error for a qualified name that is
 * neither (pointing at CREATE SCHEMA). */
int sql_resolve_target(ldp_sql_session *s, const ldp_sqlp_name *n, sql_target *t);
/* Error for a write aimed at ns."t@..." (a past snapshot). */
int sql_refuse_time_travel(const sql_target *t, const char *what);
/* Whether DuckDB has a database or schema of that name (main, temp, attached). */
int sql_duckdb_knows(ldp_sql_session *s, const char *first);

int sql_insert(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out);
int sql_show(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out);
int sql_describe(ldp_sql_session *s, ldp_sqlp *p, ldp_sql_outcome *out);

#endif
