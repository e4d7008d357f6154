/* The Jinja AST, shared by the parser (jinja_parse.c) and the evaluator
 * (jinja_eval.c). Nodes live in the env's arena. */
#ifndef LDP_TRANSFORM_JINJA_INTERNAL_H
#define LDP_TRANSFORM_JINJA_INTERNAL_H

#include "transform/jinja.h"

typedef enum jj_kind {
	/* statements */
	N_BODY,    /* items: statements */
	N_TEXT,    /* str */
	N_OUTPUT,  /* a: expr */
	N_IF,      /* a: cond, b: then body, c: else body (or NULL) */
	N_FOR,     /* names/nnames: targets, a: iterable, b: body, c: else body, d: filter */
	N_SET,     /* names: targets (or one "ns.attr" via a=E_ATTR target), b: value */
	N_SETBLOCK,/* str: name, b: body */
	N_MACRO,   /* str: name, names: params, items: defaults (NULL entries), b: body */
	N_CALLBLOCK,/* a: call expr, names: caller params, items: defaults, b: body */
	N_DO,      /* a: expr */
	N_BREAK,
	N_CONTINUE,
	/* expressions */
	E_LIT,     /* val */
	E_NAME,    /* str */
	E_ATTR,    /* a: obj, str: attribute */
	E_ITEM,    /* a: obj, b: key */
	E_SLICE,   /* a: obj, b: start, c: stop, d: step (each may be NULL) */
	E_CALL,    /* a: callee, items: positional, names+kwitems: keywords */
	E_FILTER,  /* a: value, str: filter name, items/names/kwitems: args */
	E_TEST,    /* a: value, str: test name, op: 1 when negated, items: args */
	E_BINOP,   /* op: + - * / // % ** ~ */
	E_CMP,     /* op: == != < > <= >= in notin; a, b */
	E_AND,
	E_OR,
	E_NOT,
	E_NEG,
	E_POS,
	E_COND,    /* a if b else c */
	E_LIST,    /* items */
	E_TUPLE,   /* items */
	E_DICT     /* items: keys, kwitems: values */
} jj_kind;

enum {
	OP_ADD = 1, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW, OP_CONCAT,
	OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE, OP_IN, OP_NOTIN
};

struct jj_node {
	jj_kind kind;
	int line;
	int op;
	const char *str;
	jj_node *a, *b, *c, *d;
	jj_node **items;
	size_t nitems;
	const char **names;
	size_t nnames;
	jj_node **kwitems;
	jj_val val;
	const jj_template *tmpl;
};

struct jj_template {
	const char *name;
	jj_node *body;
};

struct jj_macro {
	const char *name;
	const jj_node *def;       /* N_MACRO or N_CALLBLOCK (for caller) */
	const jj_template *tmpl;
	struct jj_scope *closure; /* for caller(): the scope of the call block */
};

typedef struct jj_macro_entry {
	const char *name;
	jj_macro *m;
} jj_macro_entry;

struct jj_env {
	ldp_arena arena;
	jj_macro_entry *macros;
	size_t nmacros, cap;
};

typedef struct jj_scope {
	struct jj_scope *parent;
	jj_dict vars;
} jj_scope;

enum { CTL_NONE, CTL_BREAK, CTL_CONTINUE, CTL_RETURN };

struct jj_rt {
	jj_env *env;
	ldp_arena arena;
	jj_scope globals;
	int ctl;
	jj_val retval;
	int located; /* the recorded error already names file:line */
	int depth;
	const char *file;
	int line;
	char where[600];
};


/* jinja_eval.c */
int jj__eval(jj_rt *rt, jj_scope *sc, const jj_node *n, jj_val *out);
int jj__rerr(jj_rt *rt, const jj_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int jj__locate(jj_rt *rt, const jj_node *n, int rc);
jj_val *jj__lookup(jj_scope *s, const char *name);
/* jinja_exec.c */
int jj__call_macro(jj_rt *rt, const jj_macro *m, const jj_args *args, const jj_macro *caller, jj_val *out);
int jj__exec_body(jj_rt *rt, jj_scope *sc, const jj_node *body, ldp_buf *out);

#endif
