/*
 * Jinja evaluator: walks the AST of jinja_parse.c with a chain of scopes.
 *
 * Scoping as in Jinja2: a for loop's body has its own scope (a `set` inside
 * does not leak out; namespace() objects are the way out), if blocks do not;
 * a macro runs in a fresh scope over the globals, caller() in the scope of
 * its call block. dbt's return() ends the running macro with a value.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "transform/jinja_internal.h"

/* ---- env ---- */

int jj_env_new(jj_env **out)
{
	jj_env *e = calloc(1, sizeof *e);
	if (!e)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_arena_init(&e->arena, 64 * 1024);
	*out = e;
	return 0;
}

void jj_env_free(jj_env *env)
{
	if (!env)
		return;
	ldp_arena_free(&env->arena);
	free(env->macros);
	free(env);
}

const char *jj_template_name(const jj_template *t) { return t->name; }

int jj_env_add_macros(jj_env *env, jj_template *t)
{
	for (size_t i = 0; i < t->body->nitems; i++) {
		const jj_node *n = t->body->items[i];
		if (n->kind != N_MACRO)
			continue;
		jj_macro *m = ldp_arena_calloc(&env->arena, 1, sizeof *m);
		if (!m)
			return LDP_ENOMEM;
		m->name = n->str;
		m->def = n;
		m->tmpl = t;
		size_t k;
		for (k = 0; k < env->nmacros; k++)
			if (strcmp(env->macros[k].name, n->str) == 0)
				break;
		if (k == env->nmacros) {
			if (env->nmacros == env->cap) {
				size_t nc = env->cap ? env->cap * 2 : 32;
				jj_macro_entry *ne = realloc(env->macros, nc * sizeof *ne);
				if (!ne)
					return ldp_error_set(LDP_ENOMEM, "out of memory");
				env->macros = ne;
				env->cap = nc;
			}
			env->nmacros++;
		}
		env->macros[k].name = m->name;
		env->macros[k].m = m;
	}
	return 0;
}

const jj_macro *jj_env_macro(const jj_env *env, const char *name)
{
	for (size_t k = 0; k < env->nmacros; k++)
		if (strcmp(env->macros[k].name, name) == 0)
			return env->macros[k].m;
	return NULL;
}

size_t jj_env_macro_count(const jj_env *env) { return env->nmacros; }
const char *jj_env_macro_name(const jj_env *env, size_t i) { return env->macros[i].name; }

/* ---- runtime ---- */

int jj_rt_new(jj_env *env, jj_rt **out)
{
	jj_rt *rt = calloc(1, sizeof *rt);
	if (!rt)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	rt->env = env;
	ldp_arena_init(&rt->arena, 64 * 1024);
	*out = rt;
	return 0;
}

void jj_rt_free(jj_rt *rt)
{
	if (!rt)
		return;
	ldp_arena_free(&rt->arena);
	free(rt);
}

ldp_arena *jj_rt_arena(jj_rt *rt) { return &rt->arena; }
jj_env *jj_rt_env(jj_rt *rt) { return rt->env; }

int jj_rt_set_global(jj_rt *rt, const char *name, jj_val v) { return jj_dict_set(rt, &rt->globals.vars, name, v); }

const char *jj_rt_where(jj_rt *rt)
{
	snprintf(rt->where, sizeof rt->where, "%s:%d", rt->file ? rt->file : "?", rt->line);
	return rt->where;
}

/* An error raised at node n: "file:line: message". */
int jj__rerr(jj_rt *rt, const jj_node *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rt->located = 1;
	return ldp_error_set(LDP_EINVALID, "%s:%d: %s", n->tmpl ? n->tmpl->name : "?", n->line, msg);
}

/* Give an error from a native function or value helper its location. */
int jj__locate(jj_rt *rt, const jj_node *n, int rc)
{
	if (rc && !rt->located) {
		rt->located = 1;
		return ldp_error_wrap(rc, "%s:%d", n->tmpl ? n->tmpl->name : "?", n->line);
	}
	return rc;
}

jj_val *jj__lookup(jj_scope *s, const char *name)
{
	size_t kl = strlen(name);
	for (; s; s = s->parent) {
		jj_val *v = jj_dict_get(&s->vars, name, kl);
		if (v)
			return v;
	}
	return NULL;
}


static int eval_args(jj_rt *rt, jj_scope *sc, const jj_node *n, jj_args *args)
{
	jj_val *pos = n->nitems ? ldp_arena_alloc(&rt->arena, n->nitems * sizeof *pos) : NULL;
	jj_val *kw = n->nnames ? ldp_arena_alloc(&rt->arena, n->nnames * sizeof *kw) : NULL;
	for (size_t i = 0; i < n->nitems; i++) {
		int rc = jj__eval(rt, sc, n->items[i], &pos[i]);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < n->nnames; i++) {
		int rc = jj__eval(rt, sc, n->kwitems[i], &kw[i]);
		if (rc)
			return rc;
	}
	args->pos = pos;
	args->npos = n->nitems;
	args->kwnames = n->names;
	args->kwvals = kw;
	args->nkw = n->nnames;
	return 0;
}

static double num(const jj_val *v) { return v->type == JJ_FLOAT ? v->u.f : v->type == JJ_INT ? (double)v->u.i : v->u.b; }
static int is_num(const jj_val *v) { return v->type == JJ_INT || v->type == JJ_FLOAT || v->type == JJ_BOOL; }

static int binop(jj_rt *rt, const jj_node *n, jj_val *a, jj_val *b, jj_val *out)
{
	static const char *const opn[] = {"", "+", "-", "*", "/", "//", "%", "**", "~"};
	if (n->op == OP_CONCAT) {
		ldp_buf s = LDP_BUF_INIT;
		int rc = jj_to_string(rt, a, &s);
		if (!rc)
			rc = jj_to_string(rt, b, &s);
		if (!rc)
			*out = jj_strn(rt, ldp_buf_cstr(&s), s.len);
		ldp_buf_free(&s);
		return jj__locate(rt, n, rc);
	}
	if (a->type == JJ_UNDEF || b->type == JJ_UNDEF)
		return jj__rerr(rt, n, "'%s' is undefined", a->type == JJ_UNDEF ? a->undef_name : b->undef_name);
	if (is_num(a) && is_num(b)) {
		int ints = a->type != JJ_FLOAT && b->type != JJ_FLOAT;
		double x = num(a), y = num(b);
		int64_t xi = a->type == JJ_INT ? a->u.i : (int64_t)x, yi = b->type == JJ_INT ? b->u.i : (int64_t)y;
		switch (n->op) {
		case OP_ADD: *out = ints ? jj_int(xi + yi) : jj_float(x + y); return 0;
		case OP_SUB: *out = ints ? jj_int(xi - yi) : jj_float(x - y); return 0;
		case OP_MUL: *out = ints ? jj_int(xi * yi) : jj_float(x * y); return 0;
		case OP_DIV:
			if (y == 0)
				return jj__rerr(rt, n, "division by zero");
			*out = jj_float(x / y);
			return 0;
		case OP_FLOORDIV:
		case OP_MOD:
			if (y == 0)
				return jj__rerr(rt, n, "division by zero");
			if (ints) {
				int64_t q = xi / yi, r = xi % yi;
				if (r != 0 && ((r < 0) != (yi < 0)))
					q--, r += yi; /* Python floors */
				*out = jj_int(n->op == OP_MOD ? r : q);
			} else {
				double q = floor(x / y);
				*out = jj_float(n->op == OP_MOD ? x - q * y : q);
			}
			return 0;
		case OP_POW:
			if (ints && yi >= 0) {
				int64_t r = 1;
				for (int64_t i = 0; i < yi; i++)
					r *= xi;
				*out = jj_int(r);
			} else {
				*out = jj_float(pow(x, y));
			}
			return 0;
		}
	}
	if (n->op == OP_ADD && a->type == JJ_STR && b->type == JJ_STR) {
		char *c = ldp_arena_alloc(&rt->arena, a->u.s.n + b->u.s.n + 1);
		memcpy(c, a->u.s.p, a->u.s.n);
		memcpy(c + a->u.s.n, b->u.s.p, b->u.s.n);
		c[a->u.s.n + b->u.s.n] = 0;
		out->type = JJ_STR;
		out->u.s.p = c;
		out->u.s.n = a->u.s.n + b->u.s.n;
		return 0;
	}
	if (n->op == OP_ADD && a->type == JJ_LIST && b->type == JJ_LIST) {
		*out = jj_list_new(rt);
		for (size_t i = 0; i < a->u.list->n; i++)
			jj_list_push(rt, out->u.list, a->u.list->items[i]);
		for (size_t i = 0; i < b->u.list->n; i++)
			jj_list_push(rt, out->u.list, b->u.list->items[i]);
		return 0;
	}
	if (n->op == OP_MUL && a->type == JJ_STR && b->type == JJ_INT) {
		ldp_buf s = LDP_BUF_INIT;
		for (int64_t i = 0; i < b->u.i; i++)
			ldp_buf_put(&s, a->u.s.p, a->u.s.n);
		*out = jj_strn(rt, ldp_buf_cstr(&s), s.len);
		ldp_buf_free(&s);
		return 0;
	}
	return jj__rerr(rt, n, "unsupported operand types for %s: %s and %s", opn[n->op], jj_type_name(a), jj_type_name(b));
}

static int contains(jj_rt *rt, const jj_node *n, const jj_val *hay, const jj_val *needle, int *out)
{
	if (hay->type == JJ_STR) {
		if (needle->type != JJ_STR)
			return jj__rerr(rt, n, "'in <string>' requires a string on the left, not a %s", jj_type_name(needle));
		*out = needle->u.s.n == 0 || memmem(hay->u.s.p, hay->u.s.n, needle->u.s.p, needle->u.s.n) != NULL;
		return 0;
	}
	if (hay->type == JJ_DICT && !hay->u.dict->is_row) {
		*out = needle->type == JJ_STR && jj_dict_get(hay->u.dict, needle->u.s.p, needle->u.s.n) != NULL;
		return 0;
	}
	jj_list *l;
	int rc = jj_iter_list(rt, hay, &l);
	if (rc)
		return jj__locate(rt, n, rc);
	*out = 0;
	for (size_t i = 0; i < l->n && !*out; i++)
		*out = jj_equal(&l->items[i], needle);
	return 0;
}

static int compare(jj_rt *rt, const jj_node *n, const jj_val *a, const jj_val *b, int *out)
{
	if (n->op == OP_EQ || n->op == OP_NE) {
		*out = jj_equal(a, b) == (n->op == OP_EQ);
		return 0;
	}
	if (n->op == OP_IN || n->op == OP_NOTIN) {
		int rc = contains(rt, n, b, a, out);
		if (n->op == OP_NOTIN)
			*out = !*out;
		return rc;
	}
	int c;
	if (is_num(a) && is_num(b)) {
		double x = num(a), y = num(b);
		c = x < y ? -1 : x > y;
	} else if (a->type == JJ_STR && b->type == JJ_STR) {
		size_t m = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
		c = memcmp(a->u.s.p, b->u.s.p, m);
		if (!c)
			c = a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
	} else {
		return jj__rerr(rt, n, "cannot compare a %s with a %s", jj_type_name(a), jj_type_name(b));
	}
	*out = n->op == OP_LT ? c < 0 : n->op == OP_GT ? c > 0 : n->op == OP_LE ? c <= 0 : c >= 0;
	return 0;
}

static int call_value(jj_rt *rt, const jj_node *n, const jj_val *f, const jj_args *args, jj_val *out)
{
	if (f->type == JJ_FUNC)
		return jj__locate(rt, n, f->u.fn->fn(rt, f->u.fn->ud, &f->u.fn->self, args, out));
	if (f->type == JJ_MACRO)
		return jj__call_macro(rt, f->u.macro, args, NULL, out);
	if (f->type == JJ_UNDEF)
		return jj__rerr(rt, n, "'%s' is undefined (not a macro, builtin or dbt function ldp knows)",
			    f->undef_name ? f->undef_name : "function");
	return jj__rerr(rt, n, "a %s is not callable", jj_type_name(f));
}

static int eval_name(jj_rt *rt, jj_scope *sc, const jj_node *n, jj_val *out)
{
	jj_val *v = jj__lookup(sc, n->str);
	if (!v)
		v = jj__lookup(&rt->globals, n->str);
	if (v) {
		*out = *v;
		return 0;
	}
	const jj_macro *m = jj_env_macro(rt->env, n->str);
	if (m) {
		out->type = JJ_MACRO;
		out->u.macro = (jj_macro *)m;
		return 0;
	}
	int found = 0;
	int rc = jj_builtin_global(rt, n->str, out, &found);
	if (rc)
		return jj__locate(rt, n, rc);
	if (!found)
		*out = jj_undef(n->str);
	return 0;
}

int jj__eval(jj_rt *rt, jj_scope *sc, const jj_node *n, jj_val *out)
{
	int rc = 0;
	jj_val a, b;
	rt->line = n->line;
	switch (n->kind) {
	case E_LIT: *out = n->val; return 0;
	case E_NAME: return eval_name(rt, sc, n, out);
	case E_ATTR: {
		if ((rc = jj__eval(rt, sc, n->a, &a)))
			return rc;
		if (a.type == JJ_UNDEF)
			return jj__rerr(rt, n, "'%s' is undefined (looking up .%s)", a.undef_name ? a.undef_name : "value", n->str);
		int found = 0;
		if ((rc = jj_getattr(rt, &a, n->str, out, &found)))
			return jj__locate(rt, n, rc);
		if (!found)
			*out = jj_undef(ldp_arena_sprintf(&rt->arena, "%s.%s", jj_type_name(&a), n->str));
		return 0;
	}
	case E_ITEM: {
		if ((rc = jj__eval(rt, sc, n->a, &a)) || (rc = jj__eval(rt, sc, n->b, &b)))
			return rc;
		if (a.type == JJ_UNDEF)
			return jj__rerr(rt, n, "'%s' is undefined (subscripting it)", a.undef_name ? a.undef_name : "value");
		*out = jj_undef("item");
		if (a.type == JJ_DICT && b.type == JJ_STR) {
			jj_val *v = jj_dict_get(a.u.dict, b.u.s.p, b.u.s.n);
			if (v)
				*out = *v;
			else
				out->undef_name = ldp_arena_sprintf(&rt->arena, "[%s]", b.u.s.p);
			return 0;
		}
		if (b.type == JJ_INT && (a.type == JJ_LIST || a.type == JJ_STR || (a.type == JJ_DICT && a.u.dict->is_row))) {
			size_t len = a.type == JJ_LIST ? a.u.list->n : a.type == JJ_STR ? a.u.s.n : a.u.dict->n;
			int64_t i = b.u.i < 0 ? b.u.i + (int64_t)len : b.u.i;
			if (i < 0 || (size_t)i >= len)
				return jj__rerr(rt, n, "index %lld out of range (length %zu)", (long long)b.u.i, len);
			*out = a.type == JJ_LIST ? a.u.list->items[i] : a.type == JJ_STR ? jj_strn(rt, a.u.s.p + i, 1) : a.u.dict->vals[i];
			return 0;
		}
		if (a.type == JJ_DICT)
			return 0;
		return jj__rerr(rt, n, "cannot subscript a %s with a %s", jj_type_name(&a), jj_type_name(&b));
	}
	case E_SLICE: {
		if ((rc = jj__eval(rt, sc, n->a, &a)))
			return rc;
		jj_val st = jj_none(), en = jj_none(), step = jj_none();
		if ((n->b && (rc = jj__eval(rt, sc, n->b, &st))) || (n->c && (rc = jj__eval(rt, sc, n->c, &en))) ||
		    (n->d && (rc = jj__eval(rt, sc, n->d, &step))))
			return rc;
		if (a.type != JJ_LIST && a.type != JJ_STR)
			return jj__rerr(rt, n, "cannot slice a %s", jj_type_name(&a));
		if (step.type != JJ_NONE && !(step.type == JJ_INT && step.u.i == 1) && !(step.type == JJ_INT && step.u.i == -1 && n->b == NULL && n->c == NULL))
			return jj__rerr(rt, n, "slices with a step other than 1 (or [::-1]) are not supported");
		int64_t len = a.type == JJ_LIST ? (int64_t)a.u.list->n : (int64_t)a.u.s.n;
		int64_t s0 = st.type == JJ_INT ? st.u.i : 0, e0 = en.type == JJ_INT ? en.u.i : len;
		if (s0 < 0) s0 += len;
		if (e0 < 0) e0 += len;
		if (s0 < 0) s0 = 0;
		if (e0 > len) e0 = len;
		if (e0 < s0) e0 = s0;
		int rev = step.type == JJ_INT && step.u.i == -1;
		if (a.type == JJ_STR) {
			if (!rev) {
				*out = jj_strn(rt, a.u.s.p + s0, (size_t)(e0 - s0));
			} else {
				char *c = ldp_arena_alloc(&rt->arena, (size_t)len + 1);
				for (int64_t i = 0; i < len; i++)
					c[i] = a.u.s.p[len - 1 - i];
				*out = jj_strn(rt, c, (size_t)len);
			}
			return 0;
		}
		*out = jj_list_new(rt);
		for (int64_t i = s0; i < e0; i++)
			jj_list_push(rt, out->u.list, a.u.list->items[rev ? len - 1 - i : i]);
		return 0;
	}
	case E_CALL: {
		if (n->a->kind == E_NAME && strcmp(n->a->str, "return") == 0 && !jj__lookup(sc, "return")) {
			jj_val v = jj_none();
			if (n->nitems > 1 || n->nnames)
				return jj__rerr(rt, n, "return() takes one argument");
			if (n->nitems && (rc = jj__eval(rt, sc, n->items[0], &v)))
				return rc;
			rt->ctl = CTL_RETURN;
			rt->retval = v;
			*out = jj_str(rt, "");
			return 0;
		}
		jj_args args;
		if ((rc = jj__eval(rt, sc, n->a, &a)) || (rc = eval_args(rt, sc, n, &args)))
			return rc;
		rt->line = n->line;
		return call_value(rt, n, &a, &args, out);
	}
	case E_FILTER: {
		jj_args args;
		if ((rc = jj__eval(rt, sc, n->a, &a)) || (rc = eval_args(rt, sc, n, &args)))
			return rc;
		rt->line = n->line;
		return jj__locate(rt, n, jj_apply_filter(rt, n->str, &a, &args, out));
	}
	case E_TEST: {
		jj_args args;
		if ((rc = jj__eval(rt, sc, n->a, &a)) || (rc = eval_args(rt, sc, n, &args)))
			return rc;
		int r = 0;
		if ((rc = jj_apply_test(rt, n->str, &a, &args, &r)))
			return jj__locate(rt, n, rc);
		*out = jj_bool(n->op ? !r : r);
		return 0;
	}
	case E_BINOP:
		if ((rc = jj__eval(rt, sc, n->a, &a)) || (rc = jj__eval(rt, sc, n->b, &b)))
			return rc;
		return binop(rt, n, &a, &b, out);
	case E_CMP: {
		if ((rc = jj__eval(rt, sc, n->a, &a)) || (rc = jj__eval(rt, sc, n->b, &b)))
			return rc;
		int r = 0;
		if ((rc = compare(rt, n, &a, &b, &r)))
			return rc;
		*out = jj_bool(r);
		return 0;
	}
	case E_AND:
	case E_OR:
		if ((rc = jj__eval(rt, sc, n->a, &a)))
			return rc;
		if (jj_truthy(&a) == (n->kind == E_OR)) {
			*out = a;
			return 0;
		}
		return jj__eval(rt, sc, n->b, out);
	case E_NOT:
		if ((rc = jj__eval(rt, sc, n->a, &a)))
			return rc;
		*out = jj_bool(!jj_truthy(&a));
		return 0;
	case E_NEG:
	case E_POS:
		if ((rc = jj__eval(rt, sc, n->a, &a)))
			return rc;
		if (a.type == JJ_INT)
			*out = jj_int(n->kind == E_NEG ? -a.u.i : a.u.i);
		else if (a.type == JJ_FLOAT)
			*out = jj_float(n->kind == E_NEG ? -a.u.f : a.u.f);
		else
			return jj__rerr(rt, n, "bad operand type for unary %s: %s", n->kind == E_NEG ? "-" : "+", jj_type_name(&a));
		return 0;
	case E_COND:
		if ((rc = jj__eval(rt, sc, n->b, &a)))
			return rc;
		if (jj_truthy(&a))
			return jj__eval(rt, sc, n->a, out);
		if (n->c)
			return jj__eval(rt, sc, n->c, out);
		*out = jj_str(rt, ""); /* Jinja2's undefined, which renders as nothing */
		return 0;
	case E_LIST:
	case E_TUPLE:
		*out = jj_list_new(rt);
		for (size_t i = 0; i < n->nitems; i++) {
			if ((rc = jj__eval(rt, sc, n->items[i], &a)))
				return rc;
			jj_list_push(rt, out->u.list, a);
		}
		return 0;
	case E_DICT:
		*out = jj_dict_new(rt);
		for (size_t i = 0; i < n->nitems; i++) {
			const char *k;
			if ((rc = jj__eval(rt, sc, n->items[i], &a)) || (rc = jj__eval(rt, sc, n->kwitems[i], &b)))
				return rc;
			if ((rc = jj_str_of(rt, &a, &k)))
				return jj__locate(rt, n, rc);
			jj_dict_set(rt, out->u.dict, k, b);
		}
		return 0;
	default:
		return jj__rerr(rt, n, "internal error: not an expression");
	}
}

