/* Jinja tokens, shared by the lexer (jinja_lex.c) and the parser (jinja_parse.c). */
#ifndef LDP_TRANSFORM_JINJA_LEX_H
#define LDP_TRANSFORM_JINJA_LEX_H

#include "transform/jinja_internal.h"

typedef enum tok_type { T_TEXT, T_VAR_BEGIN, T_VAR_END, T_BLOCK_BEGIN, T_BLOCK_END, T_NAME, T_INT, T_FLOAT, T_STR, T_OP, T_EOF } tok_type;

typedef struct tok {
	tok_type type;
	int line;
	const char *s; /* text, name, op, or decoded string (arena) */
	size_t n;
	int64_t i;
	double f;
} tok;

typedef struct parser {
	jj_env *env;
	ldp_arena *a;
	const char *name;
	const jj_template *tmpl;
	tok *toks;
	size_t ntoks, cap, pos;
} parser;
/* "<file>:<line>: <fmt with arg>" as LDP_EINVALID */
int jj__perr(parser *p, int line, const char *fmt, const char *arg);
/* Split the template into text and tag tokens (whitespace control applied). */
int jj__lex(parser *p, const char *src);

#endif
