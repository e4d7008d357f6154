/* Jinja statements: output, if, for, set, macro, call blocks; rendering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "transform/jinja_internal.h"

static jj_scope *new_scope(jj_rt *rt, jj_scope *parent)
{
	jj_scope *s = ldp_arena_calloc(&rt->arena, 1, sizeof *s);
	if (s)
		s->parent = parent;
	return s;
}

static int set_var(jj_rt *rt, jj_scope *sc, const char *name, jj_val v) { return jj_dict_set(rt, &sc->vars, name, v); }

static int assign(jj_rt *rt, jj_scope *sc, const jj_node *n, const char *const *names, size_t nnames, jj_val v)
{
	if (nnames == 1)
		return set_var(rt, sc, names[0], v);
	jj_list *l;
	int rc = jj_iter_list(rt, &v, &l);
	if (rc)
		return jj__locate(rt, n, rc);
	if (l->n != nnames)
		return jj__rerr(rt, n, "cannot unpack %zu values into %zu names", l->n, nnames);
	for (size_t i = 0; i < nnames; i++)
		if ((rc = set_var(rt, sc, names[i], l->items[i])))
			return rc;
	return 0;
}

static int loop_cycle(jj_rt *rt, void *ud, const jj_val *self, const jj_args *args, jj_val *out)
{
	(void)rt;
	(void)ud;
	jj_val *idx = jj_dict_get(self->u.dict, "index0", 6);
	if (!args->npos)
		return ldp_error_set(LDP_EINVALID, "loop.cycle() needs at least one value");
	*out = args->pos[idx->u.i % (int64_t)args->npos];
	return 0;
}

static int exec_for(jj_rt *rt, jj_scope *sc, const jj_node *n, ldp_buf *out)
{
	jj_val it;
	jj_list *l;
	int rc = jj__eval(rt, sc, n->a, &it);
	if (rc)
		return rc;
	if ((rc = jj_iter_list(rt, &it, &l)))
		return jj__locate(rt, n, rc);
	jj_list *items = l;
	if (n->d) { /* for x in xs if cond: filter first, so loop.length counts what runs */
		jj_val fl = jj_list_new(rt);
		jj_scope *fs = new_scope(rt, sc);
		for (size_t i = 0; i < l->n; i++) {
			jj_val c;
			if ((rc = assign(rt, fs, n, n->names, n->nnames, l->items[i])) || (rc = jj__eval(rt, fs, n->d, &c)))
				return rc;
			if (jj_truthy(&c))
				jj_list_push(rt, fl.u.list, l->items[i]);
		}
		items = fl.u.list;
	}
	if (items->n == 0)
		return n->c ? jj__exec_body(rt, sc, n->c, out) : 0;
	for (size_t i = 0; i < items->n; i++) {
		jj_scope *ls = new_scope(rt, sc);
		jj_val loop = jj_dict_new(rt);
		jj_dict *d = loop.u.dict;
		d->is_object = 1;
		int64_t len = (int64_t)items->n, k = (int64_t)i;
		jj_dict_set(rt, d, "index", jj_int(k + 1));
		jj_dict_set(rt, d, "index0", jj_int(k));
		jj_dict_set(rt, d, "revindex", jj_int(len - k));
		jj_dict_set(rt, d, "revindex0", jj_int(len - k - 1));
		jj_dict_set(rt, d, "first", jj_bool(i == 0));
		jj_dict_set(rt, d, "last", jj_bool(i + 1 == items->n));
		jj_dict_set(rt, d, "length", jj_int(len));
		jj_dict_set(rt, d, "previtem", i ? items->items[i - 1] : jj_undef("loop.previtem"));
		jj_dict_set(rt, d, "nextitem", i + 1 < items->n ? items->items[i + 1] : jj_undef("loop.nextitem"));
		jj_val cyc = jj_func_new(rt, "loop.cycle", loop_cycle, NULL);
		cyc.u.fn->self = loop;
		jj_dict_set(rt, d, "cycle", cyc);
		if ((rc = set_var(rt, ls, "loop", loop)) || (rc = assign(rt, ls, n, n->names, n->nnames, items->items[i])))
			return rc;
		if ((rc = jj__exec_body(rt, ls, n->b, out)))
			return rc;
		if (rt->ctl == CTL_BREAK) {
			rt->ctl = CTL_NONE;
			break;
		}
		if (rt->ctl == CTL_CONTINUE)
			rt->ctl = CTL_NONE;
		if (rt->ctl == CTL_RETURN)
			break;
	}
	return 0;
}

static int exec_stmt(jj_rt *rt, jj_scope *sc, const jj_node *n, ldp_buf *out)
{
	int rc;
	jj_val v;
	rt->file = n->tmpl ? n->tmpl->name : NULL;
	rt->line = n->line;
	switch (n->kind) {
	case N_TEXT:
		ldp_buf_put(out, n->str, n->val.u.s.n);
		return 0;
	case N_OUTPUT:
		if ((rc = jj__eval(rt, sc, n->a, &v)))
			return rc;
		if (v.type == JJ_UNDEF)
			return jj__rerr(rt, n, "'%s' is undefined", v.undef_name ? v.undef_name : "value");
		return jj__locate(rt, n, jj_to_string(rt, &v, out));
	case N_IF:
		if ((rc = jj__eval(rt, sc, n->a, &v)))
			return rc;
		if (jj_truthy(&v))
			return jj__exec_body(rt, sc, n->b, out);
		if (n->c)
			return n->c->kind == N_BODY ? jj__exec_body(rt, sc, n->c, out) : exec_stmt(rt, sc, n->c, out);
		return 0;
	case N_FOR:
		return exec_for(rt, sc, n, out);
	case N_SET:
		if ((rc = jj__eval(rt, sc, n->b, &v)))
			return rc;
		if (n->a) { /* ns.attr = value: only namespace() objects and dicts */
			jj_val obj;
			if ((rc = jj__eval(rt, sc, n->a->a, &obj)))
				return rc;
			if (obj.type != JJ_DICT)
				return jj__rerr(rt, n, "cannot set attribute %s of a %s (use namespace())", n->a->str, jj_type_name(&obj));
			return jj_dict_set(rt, obj.u.dict, n->a->str, v);
		}
		return assign(rt, sc, n, n->names, n->nnames, v);
	case N_SETBLOCK: {
		ldp_buf b = LDP_BUF_INIT;
		rc = jj__exec_body(rt, sc, n->b, &b);
		if (!rc)
			rc = set_var(rt, sc, n->str, jj_strn(rt, ldp_buf_cstr(&b), b.len));
		ldp_buf_free(&b);
		return rc;
	}
	case N_MACRO: {
		jj_macro *m = ldp_arena_calloc(&rt->arena, 1, sizeof *m);
		if (!m)
			return LDP_ENOMEM;
		m->name = n->str;
		m->def = n;
		m->tmpl = n->tmpl;
		m->closure = sc; /* sees the template's names, and itself */
		v.type = JJ_MACRO;
		v.u.macro = m;
		return set_var(rt, sc, n->str, v);
	}
	case N_CALLBLOCK: {
		jj_val callee;
		jj_args args;
		const jj_node *call = n->a;
		if ((rc = jj__eval(rt, sc, call->a, &callee)))
			return rc;
		if (callee.type != JJ_MACRO)
			return jj__rerr(rt, n, "{%% call %%} needs a macro, not a %s", jj_type_name(&callee));
		jj_val *pos = call->nitems ? ldp_arena_alloc(&rt->arena, call->nitems * sizeof *pos) : NULL;
		jj_val *kw = call->nnames ? ldp_arena_alloc(&rt->arena, call->nnames * sizeof *kw) : NULL;
		for (size_t i = 0; i < call->nitems; i++)
			if ((rc = jj__eval(rt, sc, call->items[i], &pos[i])))
				return rc;
		for (size_t i = 0; i < call->nnames; i++)
			if ((rc = jj__eval(rt, sc, call->kwitems[i], &kw[i])))
				return rc;
		args = (jj_args){pos, call->nitems, call->names, kw, call->nnames};
		jj_macro *caller = ldp_arena_calloc(&rt->arena, 1, sizeof *caller);
		if (!caller)
			return LDP_ENOMEM;
		caller->name = "caller";
		caller->def = n;
		caller->tmpl = n->tmpl;
		caller->closure = sc;
		if ((rc = jj__call_macro(rt, callee.u.macro, &args, caller, &v)))
			return rc;
		return jj__locate(rt, n, jj_to_string(rt, &v, out));
	}
	case N_DO:
		return jj__eval(rt, sc, n->a, &v);
	case N_BREAK:
		rt->ctl = CTL_BREAK;
		return 0;
	case N_CONTINUE:
		rt->ctl = CTL_CONTINUE;
		return 0;
	default:
		return jj__rerr(rt, n, "internal error: not a statement");
	}
}

int jj__exec_body(jj_rt *rt, jj_scope *sc, const jj_node *body, ldp_buf *out)
{
	for (size_t i = 0; i < body->nitems; i++) {
		int rc = exec_stmt(rt, sc, body->items[i], out);
		if (rc)
			return rc;
		if (rt->ctl != CTL_NONE)
			break;
	}
	return ldp_buf_oom(out);
}

int jj__call_macro(jj_rt *rt, const jj_macro *m, const jj_args *args, const jj_macro *caller, jj_val *out)
{
	const jj_node *def = m->def;
	if (++rt->depth > 100) {
		rt->depth--;
		return jj__rerr(rt, def, "macro %s: calls nested deeper than 100 (endless recursion?)", m->name);
	}
	const char *saved_file = rt->file;
	int saved_line = rt->line;
	jj_scope *sc = new_scope(rt, m->closure ? m->closure : &rt->globals);
	int rc = 0;
	/* parameters: positional, then keywords, then defaults */
	jj_val varargs = jj_list_new(rt), kwargs = jj_dict_new(rt);
	size_t np = def->nnames;
	int *set = calloc(np + 1, sizeof *set);
	if (!set)
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < args->npos; i++) {
		if (i < np) {
			rc = set_var(rt, sc, def->names[i], args->pos[i]);
			set[i] = 1;
		} else {
			jj_list_push(rt, varargs.u.list, args->pos[i]);
		}
	}
	for (size_t k = 0; !rc && k < args->nkw; k++) {
		size_t i;
		for (i = 0; i < np; i++)
			if (strcmp(def->names[i], args->kwnames[k]) == 0)
				break;
		if (i < np) {
			if (set[i])
				rc = jj__rerr(rt, def, "macro %s got multiple values for argument '%s'", m->name, def->names[i]);
			else
				rc = set_var(rt, sc, def->names[i], args->kwvals[k]), set[i] = 1;
		} else {
			jj_dict_set(rt, kwargs.u.dict, args->kwnames[k], args->kwvals[k]);
		}
	}
	for (size_t i = 0; !rc && i < np; i++) {
		if (set[i])
			continue;
		jj_val dv = jj_undef(def->names[i]);
		if (def->items && def->items[i])
			rc = jj__eval(rt, sc, def->items[i], &dv);
		if (!rc)
			rc = set_var(rt, sc, def->names[i], dv);
	}
	free(set);
	if (!rc)
		rc = set_var(rt, sc, "varargs", varargs);
	if (!rc)
		rc = set_var(rt, sc, "kwargs", kwargs);
	if (!rc && caller) {
		jj_val cv = {.type = JJ_MACRO};
		cv.u.macro = (jj_macro *)caller;
		rc = set_var(rt, sc, "caller", cv);
	}
	ldp_buf b = LDP_BUF_INIT;
	if (!rc)
		rc = jj__exec_body(rt, sc, def->b, &b);
	if (!rc) {
		if (rt->ctl == CTL_RETURN)
			*out = rt->retval;
		else
			*out = jj_strn(rt, ldp_buf_cstr(&b), b.len);
		if (rt->ctl == CTL_BREAK || rt->ctl == CTL_CONTINUE)
			rc = jj__rerr(rt, def, "break/continue outside a loop in macro %s", m->name);
		rt->ctl = CTL_NONE;
	}
	ldp_buf_free(&b);
	rt->depth--;
	rt->file = saved_file;
	rt->line = saved_line;
	return rc;
}

int jj_call_macro(jj_rt *rt, const jj_macro *m, const jj_args *args, jj_val *out)
{
	rt->located = 0;
	return jj__call_macro(rt, m, args, NULL, out);
}

int jj_render(jj_rt *rt, const jj_template *t, ldp_buf *out)
{
	rt->located = 0;
	rt->ctl = CTL_NONE;
	jj_scope *sc = new_scope(rt, &rt->globals);
	if (!sc)
		return LDP_ENOMEM;
	int rc = jj__exec_body(rt, sc, t->body, out);
	rt->ctl = CTL_NONE;
	return rc;
}
