/*
 * engine/sqlscan.h - find qualified names (a.b, a.b.c) in SQL text.
 *
 * `ldp sql` uses this to spot references to Iceberg tables (namespace.table)
 * in any statement, before DuckDB sees it. A lexer rather than DuckDB's
 * parser: json_serialize_sql() covers SELECT only, and the names must also be
 * found in INSERT, CREATE TABLE AS, COPY... Strings, comments and dollar
 * quotes are skipped; quoted identifiers are unquoted. A name followed by '('
 * (a function call such as main.f()) is not reported.
 */
#ifndef LDP_ENGINE_SQLSCAN_H
#define LDP_ENGINE_SQLSCAN_H

#include <stddef.h>

#define LDP_SQL_MAX_PARTS 4

typedef struct ldp_sql_name {
	size_t nparts;
	char *parts[LDP_SQL_MAX_PARTS]; /* unquoted, malloc'd */
	size_t offset, length;          /* where the whole name is in the SQL text */
} ldp_sql_name;

/* Calls `fn` for every qualified name with 2..4 parts; stops early when fn
 * returns non-zero and returns that value. Parts are freed after the call. */
int ldp_sql_scan_names(const char *sql, int (*fn)(const ldp_sql_name *name, void *ud), void *ud);

/* One statement of a script: s[offset, offset+length) without the ';',
 * leading comments and trailing blanks; line is 1-based, where it starts. */
typedef struct ldp_sql_piece {
	size_t offset, length;
	size_t line;
} ldp_sql_piece;

/* Split a script on ';' outside strings, quoted identifiers, dollar quotes and
 * comments. Empty statements are skipped. *out is malloc'd (free()); returns 0
 * or LDP_ENOMEM. Our own lexer because DuckDB's statement extraction parses
 * each statement, and ldp's Iceberg DDL (PARTITIONED BY ...) is not DuckDB SQL. */
int ldp_sql_split(const char *sql, ldp_sql_piece **out, size_t *n);

/* The leading bare words of s[0, len), lower-cased (at most 31 chars each),
 * stopping at the first token that is not a plain identifier. Returns how
 * many were stored (<= max). "create or replace table a.b" -> create, or,
 * replace, table, a (then stops at '.'). */
size_t ldp_sql_words(const char *s, size_t len, char (*words)[32], size_t max);

#endif
