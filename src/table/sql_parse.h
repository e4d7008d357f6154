/*
 * table/sql_parse.h - a small cursor over one SQL statement, for the clauses
 * ldp parses itself (CREATE TABLE ... PARTITIONED BY, INSERT targets, DROP,
 * SHOW, DESCRIBE). Everything else in the statement is left to DuckDB, so
 * this only needs keywords, identifiers, qualified names and balanced
 * parentheses; strings, quoted identifiers and comments are skipped whole.
 */
#ifndef LDP_TABLE_SQL_PARSE_H
#define LDP_TABLE_SQL_PARSE_H

#include <stddef.h>

#define LDP_SQLP_PARTS 4

typedef struct ldp_sqlp {
	const char *s;
	size_t i;
} ldp_sqlp;

/* A qualified name as written: unquoted parts. */
typedef struct ldp_sqlp_name {
	size_t n;
	char parts[LDP_SQLP_PARTS][256];
} ldp_sqlp_name;

void ldp_sqlp_init(ldp_sqlp *p, const char *s);
/* Skip blanks and comments. */
void ldp_sqlp_skip(ldp_sqlp *p);
int ldp_sqlp_at_end(ldp_sqlp *p);
/* Consume the space-separated keywords of `seq` ("if not exists") when all
 * of them come next (case-insensitive); 1 if consumed, else 0 and nothing is. */
int ldp_sqlp_kw(ldp_sqlp *p, const char *seq);
/* Consume one character of punctuation. */
int ldp_sqlp_char(ldp_sqlp *p, char c);
/* An identifier, bare or "quoted" (unquoted into out). 0 when none. */
int ldp_sqlp_ident(ldp_sqlp *p, char *out, size_t cap);
/* a, a.b, a.b.c, "a.b".c ... 0 when none. */
int ldp_sqlp_qname(ldp_sqlp *p, ldp_sqlp_name *out);
/* At '(': the text between it and its matching ')', consumed. 0 when not at
 * '(' or unbalanced. */
int ldp_sqlp_parens(ldp_sqlp *p, size_t *start, size_t *len);
/* Split s[0, len) on commas outside parentheses, strings and quotes; calls
 * fn(item, item_len, ud) with each trimmed item; stops at a non-zero return. */
int ldp_sqlp_split_commas(const char *s, size_t len, int (*fn)(const char *item, size_t n, void *ud), void *ud);
/* Rest of the statement from the cursor (after blanks). */
const char *ldp_sqlp_rest(ldp_sqlp *p);

#endif
