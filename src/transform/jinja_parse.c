/* Jinja parser: tokens (jinja_lex.c) -> AST (jinja_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "transform/jinja_lex.h"

static tok *peek(parser *p) { return &p->toks[p->pos]; }
static tok *next(parser *p) { return &p->toks[p->pos < p->ntoks - 1 ? p->pos++ : p->pos]; }

static int tok_is(const tok *t, tok_type type, const char *s)
{
	return t->type == type && (!s || (t->n == strlen(s) && memcmp(t->s, s, t->n) == 0));
}
static int is_op(parser *p, const char *s) { return tok_is(peek(p), T_OP, s); }
static int is_name(parser *p, const char *s) { return tok_is(peek(p), T_NAME, s); }

static const char *tok_desc(parser *p, const tok *t)
{
	switch (t->type) {
	case T_EOF: return "end of template";
	case T_BLOCK_END: return "end of tag";
	case T_VAR_END: return "end of expression";
	case T_STR: return "a string";
	default: return ldp_arena_strndup(p->a, t->s, t->n);
	}
}

static int expect_op(parser *p, const char *s)
{
	if (!is_op(p, s)) {
		char m[128];
		snprintf(m, sizeof m, "expected '%s' but found '%%s'", s);
		return jj__perr(p, peek(p)->line, m, tok_desc(p, peek(p)));
	}
	next(p);
	return 0;
}

static jj_node *mk(parser *p, jj_kind k, int line)
{
	jj_node *n = ldp_arena_calloc(p->a, 1, sizeof *n);
	if (n) {
		n->kind = k;
		n->line = line;
		n->tmpl = p->tmpl;
	}
	return n;
}

/* Growable node/name arrays in the arena (copied on growth; fine for the
 * small sizes of templates). */
static int add_item(parser *p, jj_node ***arr, size_t *n, jj_node *x)
{
	jj_node **na = ldp_arena_alloc(p->a, (*n + 1) * sizeof *na);
	if (!na)
		return LDP_ENOMEM;
	if (*n)
		memcpy(na, *arr, *n * sizeof *na);
	na[(*n)++] = x;
	*arr = na;
	return 0;
}

static int add_name(parser *p, const char ***arr, size_t *n, const char *x)
{
	const char **na = ldp_arena_alloc(p->a, (*n + 1) * sizeof *na);
	if (!na)
		return LDP_ENOMEM;
	if (*n)
		memcpy(na, *arr, *n * sizeof *na);
	na[(*n)++] = x;
	*arr = na;
	return 0;
}

static int parse_expr(parser *p, jj_node **out);
static int parse_or(parser *p, jj_node **out);
static int parse_unary(parser *p, jj_node **out);

/* (args, kw=args) after '(' was consumed */
static int parse_call_args(parser *p, jj_node *n)
{
	while (!is_op(p, ")")) {
		int rc;
		jj_node *v;
		if (peek(p)->type == T_NAME && tok_is(&p->toks[p->pos + 1], T_OP, "=")) {
			const char *kw = ldp_arena_strndup(p->a, peek(p)->s, peek(p)->n);
			p->pos += 2;
			if ((rc = parse_expr(p, &v)) || (rc = add_name(p, &n->names, &n->nnames, kw)))
				return rc;
			size_t k = n->nnames - 1;
			if ((rc = add_item(p, &n->kwitems, &k, v)))
				return rc;
		} else {
			if (n->nnames)
				return jj__perr(p, peek(p)->line, "positional argument after keyword arguments", NULL);
			if ((rc = parse_expr(p, &v)) || (rc = add_item(p, &n->items, &n->nitems, v)))
				return rc;
		}
		if (!is_op(p, ","))
			break;
		next(p);
	}
	return expect_op(p, ")");
}

static int parse_primary(parser *p, jj_node **out)
{
	tok *t = next(p);
	int rc;
	jj_node *n;
	switch (t->type) {
	case T_INT:
		n = mk(p, E_LIT, t->line);
		n->val = jj_int(t->i);
		break;
	case T_FLOAT:
		n = mk(p, E_LIT, t->line);
		n->val = jj_float(t->f);
		break;
	case T_STR:
		n = mk(p, E_LIT, t->line);
		n->val.type = JJ_STR;
		n->val.u.s.p = t->s;
		n->val.u.s.n = t->n;
		/* adjacent string literals concatenate, as in Python */
		while (peek(p)->type == T_STR) {
			tok *u = next(p);
			char *c = ldp_arena_alloc(p->a, n->val.u.s.n + u->n + 1);
			memcpy(c, n->val.u.s.p, n->val.u.s.n);
			memcpy(c + n->val.u.s.n, u->s, u->n);
			n->val.u.s.n += u->n;
			c[n->val.u.s.n] = 0;
			n->val.u.s.p = c;
		}
		break;
	case T_NAME: {
		const char *s = ldp_arena_strndup(p->a, t->s, t->n);
		n = mk(p, E_LIT, t->line);
		if (!strcmp(s, "true") || !strcmp(s, "True"))
			n->val = jj_bool(1);
		else if (!strcmp(s, "false") || !strcmp(s, "False"))
			n->val = jj_bool(0);
		else if (!strcmp(s, "none") || !strcmp(s, "None"))
			n->val = jj_none();
		else
			n->kind = E_NAME, n->str = s;
		break;
	}
	case T_OP:
		if (tok_is(t, T_OP, "(")) {
			if (is_op(p, ")")) {
				next(p);
				n = mk(p, E_TUPLE, t->line);
				break;
			}
			jj_node *e;
			if ((rc = parse_expr(p, &e)))
				return rc;
			if (is_op(p, ",")) {
				n = mk(p, E_TUPLE, t->line);
				add_item(p, &n->items, &n->nitems, e);
				while (is_op(p, ",")) {
					next(p);
					if (is_op(p, ")"))
						break;
					if ((rc = parse_expr(p, &e)) || (rc = add_item(p, &n->items, &n->nitems, e)))
						return rc;
				}
			} else {
				n = e;
			}
			if ((rc = expect_op(p, ")")))
				return rc;
			break;
		}
		if (tok_is(t, T_OP, "[")) {
			n = mk(p, E_LIST, t->line);
			while (!is_op(p, "]")) {
				jj_node *e;
				if ((rc = parse_expr(p, &e)) || (rc = add_item(p, &n->items, &n->nitems, e)))
					return rc;
				if (!is_op(p, ","))
					break;
				next(p);
			}
			if ((rc = expect_op(p, "]")))
				return rc;
			break;
		}
		if (tok_is(t, T_OP, "{")) {
			n = mk(p, E_DICT, t->line);
			size_t nv = 0;
			while (!is_op(p, "}")) {
				jj_node *k, *v;
				if ((rc = parse_expr(p, &k)) || (rc = expect_op(p, ":")) || (rc = parse_expr(p, &v)))
					return rc;
				add_item(p, &n->items, &n->nitems, k);
				add_item(p, &n->kwitems, &nv, v);
				if (!is_op(p, ","))
					break;
				next(p);
			}
			if ((rc = expect_op(p, "}")))
				return rc;
			break;
		}
		/* fall through */
	default:
		return jj__perr(p, t->line, "unexpected '%s' in an expression", tok_desc(p, t));
	}
	if (!n)
		return LDP_ENOMEM;
	*out = n;
	return 0;
}

static int parse_filter_args(parser *p, jj_node *f)
{
	if (is_op(p, "(")) {
		next(p);
		return parse_call_args(p, f);
	}
	return 0;
}

static int parse_postfix(parser *p, jj_node **out)
{
	jj_node *n = NULL;
	int rc = parse_primary(p, &n);
	while (!rc) {
		int line = peek(p)->line;
		if (is_op(p, ".")) {
			next(p);
			tok *t = next(p);
			if (t->type != T_NAME && t->type != T_INT)
				return jj__perr(p, t->line, "expected an attribute name after '.', found '%s'", tok_desc(p, t));
			jj_node *x = mk(p, E_ATTR, line);
			x->a = n;
			x->str = ldp_arena_strndup(p->a, t->s, t->n);
			n = x;
		} else if (is_op(p, "[")) {
			next(p);
			jj_node *x = mk(p, E_ITEM, line), *e = NULL;
			x->a = n;
			if (!is_op(p, ":") && (rc = parse_expr(p, &e)))
				return rc;
			if (is_op(p, ":")) {
				x->kind = E_SLICE;
				x->b = e;
				next(p);
				if (!is_op(p, "]") && !is_op(p, ":") && (rc = parse_expr(p, &x->c)))
					return rc;
				if (is_op(p, ":")) {
					next(p);
					if (!is_op(p, "]") && (rc = parse_expr(p, &x->d)))
						return rc;
				}
			} else {
				x->b = e;
			}
			if ((rc = expect_op(p, "]")))
				return rc;
			n = x;
		} else if (is_op(p, "(")) {
			next(p);
			jj_node *x = mk(p, E_CALL, line);
			x->a = n;
			if ((rc = parse_call_args(p, x)))
				return rc;
			n = x;
		} else {
			break;
		}
	}
	*out = n;
	return rc;
}

static int parse_filters(parser *p, jj_node **io)
{
	while (is_op(p, "|")) {
		next(p);
		tok *t = next(p);
		if (t->type != T_NAME)
			return jj__perr(p, t->line, "expected a filter name after '|', found '%s'", tok_desc(p, t));
		jj_node *f = mk(p, E_FILTER, t->line);
		f->a = *io;
		f->str = ldp_arena_strndup(p->a, t->s, t->n);
		int rc = parse_filter_args(p, f);
		if (rc)
			return rc;
		*io = f;
	}
	return 0;
}

static int parse_unary(parser *p, jj_node **out)
{
	int line = peek(p)->line;
	if (is_op(p, "-") || is_op(p, "+")) {
		int neg = is_op(p, "-");
		next(p);
		jj_node *n = mk(p, neg ? E_NEG : E_POS, line);
		int rc = parse_unary(p, &n->a);
		*out = n;
		return rc;
	}
	int rc = parse_postfix(p, out);
	return rc ? rc : parse_filters(p, out);
}

/* The operator of a binary level at the current token (consumed), or 0. */
static int op_pow(parser *p) { return is_op(p, "**") ? (next(p), OP_POW) : 0; }
static int op_math2(parser *p)
{
	int op = is_op(p, "*") ? OP_MUL : is_op(p, "/") ? OP_DIV : is_op(p, "//") ? OP_FLOORDIV : is_op(p, "%") ? OP_MOD : 0;
	if (op)
		next(p);
	return op;
}
static int op_concat(parser *p) { return is_op(p, "~") ? (next(p), OP_CONCAT) : 0; }
static int op_math1(parser *p)
{
	int op = is_op(p, "+") ? OP_ADD : is_op(p, "-") ? OP_SUB : 0;
	if (op)
		next(p);
	return op;
}
static int op_and(parser *p) { return is_name(p, "and") ? (next(p), 1) : 0; }
static int op_or(parser *p) { return is_name(p, "or") ? (next(p), 1) : 0; }

/* A left-associative level: sub (op sub)*; Jinja2's precedence from low to
 * high is or, and, not, comparisons, + -, ~, * / // %, **, unary, filters. */
static int binary(parser *p, jj_node **out, int (*sub)(parser *, jj_node **), int (*op)(parser *), jj_kind kind)
{
	int rc = sub(p, out);
	int line, o;
	while (!rc && (line = peek(p)->line, o = op(p))) {
		jj_node *n = mk(p, kind, line);
		if (!n)
			return LDP_ENOMEM;
		n->op = kind == E_BINOP ? o : 0;
		n->a = *out;
		rc = sub(p, &n->b);
		*out = n;
	}
	return rc;
}

static int parse_pow(parser *p, jj_node **out) { return binary(p, out, parse_unary, op_pow, E_BINOP); }
static int parse_math2(parser *p, jj_node **out) { return binary(p, out, parse_pow, op_math2, E_BINOP); }
static int parse_concat(parser *p, jj_node **out) { return binary(p, out, parse_math2, op_concat, E_BINOP); }
static int parse_math1(parser *p, jj_node **out) { return binary(p, out, parse_concat, op_math1, E_BINOP); }

static int parse_compare(parser *p, jj_node **out)
{
	int rc = parse_math1(p, out);
	for (;;) {
		if (rc)
			return rc;
		int line = peek(p)->line, op = 0;
		static const char *const ops[] = {"==", "!=", "<", ">", "<=", ">="};
		for (int i = 0; i < 6; i++)
			if (is_op(p, ops[i]))
				op = OP_EQ + i;
		if (op) {
			next(p);
		} else if (is_name(p, "in")) {
			next(p);
			op = OP_IN;
		} else if (is_name(p, "not") && tok_is(&p->toks[p->pos + 1], T_NAME, "in")) {
			p->pos += 2;
			op = OP_NOTIN;
		} else if (is_name(p, "is")) {
			next(p);
			jj_node *n = mk(p, E_TEST, line);
			if (is_name(p, "not")) {
				next(p);
				n->op = 1;
			}
			tok *t = next(p);
			if (t->type != T_NAME)
				return jj__perr(p, t->line, "expected a test name after 'is', found '%s'", tok_desc(p, t));
			n->str = ldp_arena_strndup(p->a, t->s, t->n);
			n->a = *out;
			if (is_op(p, "(")) {
				next(p);
				rc = parse_call_args(p, n);
			} else if (peek(p)->type == T_STR || peek(p)->type == T_INT || peek(p)->type == T_FLOAT ||
				   (peek(p)->type == T_NAME && !is_name(p, "and") && !is_name(p, "or") && !is_name(p, "else") &&
				    !is_name(p, "if"))) {
				/* `x is divisibleby 3`, `x is sameas none` */
				jj_node *arg;
				if (!(rc = parse_math1(p, &arg)))
					rc = add_item(p, &n->items, &n->nitems, arg);
			}
			*out = n;
			continue;
		} else {
			return 0;
		}
		jj_node *n = mk(p, E_CMP, line);
		n->op = op;
		n->a = *out;
		rc = parse_math1(p, &n->b);
		*out = n;
	}
}

static int parse_not(parser *p, jj_node **out)
{
	if (is_name(p, "not")) {
		jj_node *n = mk(p, E_NOT, peek(p)->line);
		next(p);
		*out = n;
		return parse_not(p, &n->a);
	}
	return parse_compare(p, out);
}

static int parse_and(parser *p, jj_node **out) { return binary(p, out, parse_not, op_and, E_AND); }
static int parse_or(parser *p, jj_node **out) { return binary(p, out, parse_and, op_or, E_OR); }

/* expr [if cond [else expr]] */
static int parse_expr(parser *p, jj_node **out)
{
	int rc = parse_or(p, out);
	while (!rc && is_name(p, "if")) {
		jj_node *n = mk(p, E_COND, peek(p)->line);
		next(p);
		n->a = *out;
		if ((rc = parse_or(p, &n->b)))
			return rc;
		if (is_name(p, "else")) {
			next(p);
			rc = parse_or(p, &n->c);
		}
		*out = n;
	}
	return rc;
}

/* ---- statements ---- */

static int expect_block_end(parser *p)
{
	if (peek(p)->type != T_BLOCK_END)
		return jj__perr(p, peek(p)->line, "expected '%%}' but found '%s'", tok_desc(p, peek(p)));
	next(p);
	return 0;
}

static int parse_body(parser *p, const char *const *ends, jj_node **out, const char **ended);

static int parse_name(parser *p, const char **out)
{
	tok *t = next(p);
	if (t->type != T_NAME)
		return jj__perr(p, t->line, "expected a name, found '%s'", tok_desc(p, t));
	*out = ldp_arena_strndup(p->a, t->s, t->n);
	return 0;
}

/* (a, b=1, c='x') for macro/call parameters */
static int parse_params(parser *p, jj_node *n)
{
	if (!is_op(p, "("))
		return 0;
	next(p);
	while (!is_op(p, ")")) {
		const char *name;
		jj_node *def = NULL;
		int rc = parse_name(p, &name);
		if (!rc && is_op(p, "=")) {
			next(p);
			rc = parse_expr(p, &def);
		}
		size_t k = n->nnames;
		if (rc || (rc = add_name(p, &n->names, &n->nnames, name)) || (rc = add_item(p, &n->items, &k, def)))
			return rc;
		n->nitems = k;
		if (!is_op(p, ","))
			break;
		next(p);
	}
	return expect_op(p, ")");
}

static int parse_stmt(parser *p, jj_node **out)
{
	tok *t = next(p);
	int line = t->line, rc;
	if (t->type != T_NAME)
		return jj__perr(p, line, "expected a tag name after '{%%', found '%s'", tok_desc(p, t));
	char *kw = ldp_arena_strndup(p->a, t->s, t->n);
	const char *ended;
	if (!strcmp(kw, "if") || !strcmp(kw, "elif")) {
		jj_node *n = mk(p, N_IF, line);
		static const char *const ends[] = {"elif", "else", "endif", NULL};
		if ((rc = parse_expr(p, &n->a)) || (rc = expect_block_end(p)) || (rc = parse_body(p, ends, &n->b, &ended)))
			return rc;
		if (!strcmp(ended, "elif")) {
			p->pos--; /* re-read "elif" as a nested if */
			rc = parse_stmt(p, &n->c);
		} else if (!strcmp(ended, "else")) {
			static const char *const e2[] = {"endif", NULL};
			if (!(rc = expect_block_end(p)))
				rc = parse_body(p, e2, &n->c, &ended);
			if (!rc)
				rc = expect_block_end(p);
		} else {
			rc = expect_block_end(p);
		}
		*out = n;
		return rc;
	}
	if (!strcmp(kw, "for")) {
		jj_node *n = mk(p, N_FOR, line);
		for (;;) {
			const char *name;
			if ((rc = parse_name(p, &name)) || (rc = add_name(p, &n->names, &n->nnames, name)))
				return rc;
			if (!is_op(p, ","))
				break;
			next(p);
		}
		if (!is_name(p, "in"))
			return jj__perr(p, peek(p)->line, "expected 'in' in a for loop, found '%s'", tok_desc(p, peek(p)));
		next(p);
		if ((rc = parse_or(p, &n->a)))
			return rc;
		if (is_name(p, "if")) {
			next(p);
			if ((rc = parse_or(p, &n->d)))
				return rc;
		}
		if (is_name(p, "recursive"))
			return jj__perr(p, line, "recursive for loops are not supported", NULL);
		static const char *const ends[] = {"else", "endfor", NULL};
		if ((rc = expect_block_end(p)) || (rc = parse_body(p, ends, &n->b, &ended)))
			return rc;
		if (!strcmp(ended, "else")) {
			static const char *const e2[] = {"endfor", NULL};
			if ((rc = expect_block_end(p)) || (rc = parse_body(p, e2, &n->c, &ended)))
				return rc;
		}
		*out = n;
		return expect_block_end(p);
	}
	if (!strcmp(kw, "set")) {
		jj_node *target;
		if ((rc = parse_postfix(p, &target)))
			return rc;
		if (target->kind != E_NAME && !(target->kind == E_ATTR && target->a->kind == E_NAME))
			return jj__perr(p, line, "can only set a name or name.attribute", NULL);
		if (target->kind == E_NAME && !is_op(p, "=") && !is_op(p, ",") && peek(p)->type == T_BLOCK_END) {
			jj_node *n = mk(p, N_SETBLOCK, line);
			n->str = target->str;
			static const char *const ends[] = {"endset", NULL};
			if ((rc = expect_block_end(p)) || (rc = parse_body(p, ends, &n->b, &ended)))
				return rc;
			*out = n;
			return expect_block_end(p);
		}
		jj_node *n = mk(p, N_SET, line);
		if (target->kind == E_ATTR) {
			n->a = target;
		} else {
			add_name(p, &n->names, &n->nnames, target->str);
			while (is_op(p, ",")) {
				next(p);
				const char *name;
				if ((rc = parse_name(p, &name)) || (rc = add_name(p, &n->names, &n->nnames, name)))
					return rc;
			}
		}
		if ((rc = expect_op(p, "=")) || (rc = parse_expr(p, &n->b)))
			return rc;
		if (is_op(p, ",")) { /* set a, b = 1, 2 */
			jj_node *tu = mk(p, E_TUPLE, line);
			add_item(p, &tu->items, &tu->nitems, n->b);
			while (is_op(p, ",")) {
				next(p);
				jj_node *e;
				if ((rc = parse_expr(p, &e)) || (rc = add_item(p, &tu->items, &tu->nitems, e)))
					return rc;
			}
			n->b = tu;
		}
		*out = n;
		return expect_block_end(p);
	}
	if (!strcmp(kw, "macro") || !strcmp(kw, "test") || !strcmp(kw, "call")) {
		int is_call = !strcmp(kw, "call");
		jj_node *n = mk(p, is_call ? N_CALLBLOCK : N_MACRO, line);
		if (is_call) {
			if ((rc = parse_params(p, n)) || (rc = parse_postfix(p, &n->a)))
				return rc;
			if (n->a->kind != E_CALL)
				return jj__perr(p, line, "{%% call %%} needs a macro call, e.g. {%% call my_macro() %%}", NULL);
		} else {
			const char *name;
			if ((rc = parse_name(p, &name)))
				return rc;
			n->str = !strcmp(kw, "test") ? ldp_arena_sprintf(p->a, "test_%s", name) : name;
			if ((rc = parse_params(p, n)))
				return rc;
		}
		const char *endkw = is_call ? "endcall" : !strcmp(kw, "test") ? "endtest" : "endmacro";
		const char *ends[] = {endkw, NULL};
		if ((rc = expect_block_end(p)) || (rc = parse_body(p, ends, &n->b, &ended)))
			return rc;
		if (peek(p)->type == T_NAME) /* {% endmacro name %} */
			next(p);
		*out = n;
		return expect_block_end(p);
	}
	if (!strcmp(kw, "do")) {
		jj_node *n = mk(p, N_DO, line);
		if ((rc = parse_expr(p, &n->a)))
			return rc;
		*out = n;
		return expect_block_end(p);
	}
	if (!strcmp(kw, "break") || !strcmp(kw, "continue")) {
		*out = mk(p, !strcmp(kw, "break") ? N_BREAK : N_CONTINUE, line);
		return expect_block_end(p);
	}
	if (!strcmp(kw, "docs")) { /* {% docs name %} blocks: kept out of the output */
		jj_node *n = mk(p, N_SETBLOCK, line);
		const char *name;
		if ((rc = parse_name(p, &name)))
			return rc;
		n->str = ldp_arena_sprintf(p->a, "__docs__%s", name);
		static const char *const ends[] = {"enddocs", NULL};
		if ((rc = expect_block_end(p)) || (rc = parse_body(p, ends, &n->b, &ended)))
			return rc;
		*out = n;
		return expect_block_end(p);
	}
	return jj__perr(p, line,
		    "unsupported or misplaced tag '%s' (ldp supports if/elif/else, for, set, macro, test, call, do, raw, "
		    "break/continue and docs)",
		    kw);
}

/* Statements until one of `ends` (or EOF when ends is NULL); *ended names the
 * closing tag, whose BLOCK_BEGIN and name are consumed. */
static int parse_body(parser *p, const char *const *ends, jj_node **out, const char **ended)
{
	jj_node *body = mk(p, N_BODY, peek(p)->line);
	int start = peek(p)->line;
	for (;;) {
		tok *t = peek(p);
		int rc = 0;
		jj_node *n = NULL;
		if (t->type == T_EOF) {
			if (!ends) {
				*out = body;
				return 0;
			}
			return jj__perr(p, start, "block opened here is never closed (expected {%% %s %%})", ends[0] ? ends[0] : "");
		}
		next(p);
		if (t->type == T_TEXT) {
			n = mk(p, N_TEXT, t->line);
			n->str = ldp_arena_strndup(p->a, t->s, t->n);
			n->val.u.s.n = t->n;
		} else if (t->type == T_VAR_BEGIN) {
			n = mk(p, N_OUTPUT, t->line);
			if ((rc = parse_expr(p, &n->a)))
				return rc;
			if (peek(p)->type != T_VAR_END)
				return jj__perr(p, peek(p)->line, "expected '}}' but found '%s'", tok_desc(p, peek(p)));
			next(p);
		} else if (t->type == T_BLOCK_BEGIN) {
			tok *k = peek(p);
			for (size_t i = 0; ends && ends[i]; i++)
				if (tok_is(k, T_NAME, ends[i])) {
					next(p);
					*ended = ends[i];
					*out = body;
					return 0;
				}
			if (k->type == T_NAME && k->n > 3 && (!memcmp(k->s, "end", 3) || tok_is(k, T_NAME, "else") || tok_is(k, T_NAME, "elif")))
				return jj__perr(p, k->line, "unexpected '%s' (no open block it could close)", tok_desc(p, k));
			if ((tok_is(k, T_NAME, "else") || tok_is(k, T_NAME, "elif")))
				return jj__perr(p, k->line, "unexpected '%s' outside an if or for block", tok_desc(p, k));
			if ((rc = parse_stmt(p, &n)))
				return rc;
		} else {
			return jj__perr(p, t->line, "unexpected '%s'", tok_desc(p, t));
		}
		if ((rc = add_item(p, &body->items, &body->nitems, n)))
			return rc;
	}
}

int jj_parse(jj_env *env, const char *name, const char *src, jj_template **out)
{
	parser p;
	memset(&p, 0, sizeof p);
	p.env = env;
	p.a = &env->arena;
	p.name = ldp_arena_strdup(p.a, name);
	jj_template *t = ldp_arena_calloc(p.a, 1, sizeof *t);
	if (!t || !p.name)
		return LDP_ENOMEM;
	t->name = p.name;
	p.tmpl = t;
	int rc = jj__lex(&p, src);
	const char *ended;
	if (!rc)
		rc = parse_body(&p, NULL, &t->body, &ended);
	free(p.toks);
	if (rc)
		return rc;
	*out = t;
	return 0;
}
