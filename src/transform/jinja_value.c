/* Jinja values: constructors, truthiness, Python-like str() and equality,
 * conversion from JSON (YAML configs, vars). */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ldp/error.h"
#include "transform/jinja_internal.h"

jj_val jj_none(void) { return (jj_val){.type = JJ_NONE}; }
jj_val jj_undef(const char *name) { return (jj_val){.type = JJ_UNDEF, .undef_name = name}; }
jj_val jj_bool(int b) { return (jj_val){.type = JJ_BOOL, .u.b = !!b}; }
jj_val jj_int(int64_t i) { return (jj_val){.type = JJ_INT, .u.i = i}; }
jj_val jj_float(double f) { return (jj_val){.type = JJ_FLOAT, .u.f = f}; }

jj_val jj_strn(jj_rt *rt, const char *s, size_t n)
{
	jj_val v = {.type = JJ_STR};
	v.u.s.p = ldp_arena_strndup(jj_rt_arena(rt), s, n);
	v.u.s.n = v.u.s.p ? n : 0;
	if (!v.u.s.p)
		v.u.s.p = "";
	return v;
}

jj_val jj_str(jj_rt *rt, const char *s) { return jj_strn(rt, s, strlen(s)); }

jj_val jj_list_new(jj_rt *rt)
{
	jj_val v = {.type = JJ_LIST};
	v.u.list = ldp_arena_calloc(jj_rt_arena(rt), 1, sizeof *v.u.list);
	return v;
}

int jj_list_push(jj_rt *rt, jj_list *l, jj_val v)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		jj_val *ni = ldp_arena_alloc(jj_rt_arena(rt), nc * sizeof *ni);
		if (!ni)
			return LDP_ENOMEM;
		if (l->n)
			memcpy(ni, l->items, l->n * sizeof *ni);
		l->items = ni;
		l->cap = nc;
	}
	l->items[l->n++] = v;
	return 0;
}

jj_val jj_dict_new(jj_rt *rt)
{
	jj_val v = {.type = JJ_DICT};
	v.u.dict = ldp_arena_calloc(jj_rt_arena(rt), 1, sizeof *v.u.dict);
	return v;
}

jj_val *jj_dict_get(const jj_dict *d, const char *key, size_t klen)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->klens[i] == klen && memcmp(d->keys[i], key, klen) == 0)
			return &d->vals[i];
	return NULL;
}

int jj_dict_set(jj_rt *rt, jj_dict *d, const char *key, jj_val v)
{
	size_t kl = strlen(key);
	jj_val *old = jj_dict_get(d, key, kl);
	if (old) {
		*old = v;
		return 0;
	}
	if (d->n == d->cap) {
		ldp_arena *a = jj_rt_arena(rt);
		size_t nc = d->cap ? d->cap * 2 : 8;
		const char **nk = ldp_arena_alloc(a, nc * sizeof *nk);
		size_t *nl = ldp_arena_alloc(a, nc * sizeof *nl);
		jj_val *nv = ldp_arena_alloc(a, nc * sizeof *nv);
		if (!nk || !nl || !nv)
			return LDP_ENOMEM;
		if (d->n) {
			memcpy(nk, d->keys, d->n * sizeof *nk);
			memcpy(nl, d->klens, d->n * sizeof *nl);
			memcpy(nv, d->vals, d->n * sizeof *nv);
		}
		d->keys = nk, d->klens = nl, d->vals = nv, d->cap = nc;
	}
	d->keys[d->n] = ldp_arena_strndup(jj_rt_arena(rt), key, kl);
	d->klens[d->n] = kl;
	d->vals[d->n++] = v;
	return d->keys[d->n - 1] ? 0 : LDP_ENOMEM;
}

jj_val jj_func_new(jj_rt *rt, const char *name, jj_native_fn fn, void *ud)
{
	jj_val v = {.type = JJ_FUNC};
	v.u.fn = ldp_arena_calloc(jj_rt_arena(rt), 1, sizeof *v.u.fn);
	if (v.u.fn) {
		v.u.fn->name = name;
		v.u.fn->fn = fn;
		v.u.fn->ud = ud;
		v.u.fn->self = jj_undef(NULL);
	}
	return v;
}

int jj_truthy(const jj_val *v)
{
	switch (v->type) {
	case JJ_UNDEF:
	case JJ_NONE: return 0;
	case JJ_BOOL: return v->u.b;
	case JJ_INT: return v->u.i != 0;
	case JJ_FLOAT: return v->u.f != 0;
	case JJ_STR: return v->u.s.n != 0;
	case JJ_LIST: return v->u.list->n != 0;
	case JJ_DICT: return v->u.dict->n != 0 || v->u.dict->is_object;
	default: return 1;
	}
}

const char *jj_type_name(const jj_val *v)
{
	static const char *const names[] = {"undefined", "none", "bool", "int", "float", "string", "list", "dict", "function", "macro"};
	if (v->type == JJ_DICT && v->u.dict->is_object)
		return "object";
	return names[v->type];
}

static void put_float(double f, ldp_buf *b)
{
	/* Python's repr(): shortest round-trip digits, always with a '.' or exponent */
	char tmp[64];
	if (isnan(f)) {
		ldp_buf_puts(b, "nan");
		return;
	}
	if (isinf(f)) {
		ldp_buf_puts(b, f < 0 ? "-inf" : "inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	if (!strpbrk(tmp, ".eninf"))
		strcat(tmp, ".0");
	ldp_buf_puts(b, tmp);
}

static int repr(jj_rt *rt, const jj_val *v, ldp_buf *b, int nested)
{
	switch (v->type) {
	case JJ_UNDEF:
		return ldp_error_set(LDP_EINVALID, "'%s' is undefined", v->undef_name ? v->undef_name : "value");
	case JJ_NONE: ldp_buf_puts(b, "None"); break;
	case JJ_BOOL: ldp_buf_puts(b, v->u.b ? "True" : "False"); break;
	case JJ_INT: ldp_buf_printf(b, "%" PRId64, v->u.i); break;
	case JJ_FLOAT: put_float(v->u.f, b); break;
	case JJ_STR:
		if (!nested) {
			ldp_buf_put(b, v->u.s.p, v->u.s.n);
		} else {
			ldp_buf_putc(b, '\'');
			for (size_t i = 0; i < v->u.s.n; i++) {
				char c = v->u.s.p[i];
				if (c == '\'' || c == '\\')
					ldp_buf_putc(b, '\\');
				if (c == '\n')
					ldp_buf_puts(b, "\\n");
				else
					ldp_buf_putc(b, c);
			}
			ldp_buf_putc(b, '\'');
		}
		break;
	case JJ_LIST:
		ldp_buf_putc(b, '[');
		for (size_t i = 0; i < v->u.list->n; i++) {
			if (i)
				ldp_buf_puts(b, ", ");
			int rc = repr(rt, &v->u.list->items[i], b, 1);
			if (rc)
				return rc;
		}
		ldp_buf_putc(b, ']');
		break;
	case JJ_DICT:
		if (v->u.dict->repr) {
			ldp_buf_puts(b, v->u.dict->repr);
			break;
		}
		ldp_buf_putc(b, '{');
		for (size_t i = 0; i < v->u.dict->n; i++) {
			if (i)
				ldp_buf_puts(b, ", ");
			ldp_buf_putc(b, '\'');
			ldp_buf_put(b, v->u.dict->keys[i], v->u.dict->klens[i]);
			ldp_buf_puts(b, "': ");
			int rc = repr(rt, &v->u.dict->vals[i], b, 1);
			if (rc)
				return rc;
		}
		ldp_buf_putc(b, '}');
		break;
	case JJ_FUNC: ldp_buf_printf(b, "<function %s>", v->u.fn->name); break;
	case JJ_MACRO: ldp_buf_printf(b, "<macro %s>", v->u.macro->name ? v->u.macro->name : "caller"); break;
	}
	return ldp_buf_oom(b);
}

int jj_to_string(jj_rt *rt, const jj_val *v, ldp_buf *b) { return repr(rt, v, b, 0); }

int jj_str_of(jj_rt *rt, const jj_val *v, const char **out)
{
	if (v->type == JJ_STR) {
		*out = v->u.s.p;
		return 0;
	}
	ldp_buf b = LDP_BUF_INIT;
	int rc = repr(rt, v, &b, 0);
	if (!rc) {
		*out = ldp_arena_strndup(jj_rt_arena(rt), ldp_buf_cstr(&b), b.len);
		rc = *out ? 0 : LDP_ENOMEM;
	}
	ldp_buf_free(&b);
	return rc;
}

int jj_equal(const jj_val *a, const jj_val *b)
{
	int an = a->type == JJ_INT || a->type == JJ_FLOAT || a->type == JJ_BOOL;
	int bn = b->type == JJ_INT || b->type == JJ_FLOAT || b->type == JJ_BOOL;
	if (an && bn) {
		double x = a->type == JJ_FLOAT ? a->u.f : a->type == JJ_INT ? (double)a->u.i : a->u.b;
		double y = b->type == JJ_FLOAT ? b->u.f : b->type == JJ_INT ? (double)b->u.i : b->u.b;
		if (a->type == JJ_INT && b->type == JJ_INT)
			return a->u.i == b->u.i;
		return x == y;
	}
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case JJ_UNDEF:
	case JJ_NONE: return 1;
	case JJ_STR: return a->u.s.n == b->u.s.n && memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0;
	case JJ_LIST:
		if (a->u.list->n != b->u.list->n)
			return 0;
		for (size_t i = 0; i < a->u.list->n; i++)
			if (!jj_equal(&a->u.list->items[i], &b->u.list->items[i]))
				return 0;
		return 1;
	case JJ_DICT:
		if (a->u.dict->n != b->u.dict->n)
			return 0;
		for (size_t i = 0; i < a->u.dict->n; i++) {
			jj_val *o = jj_dict_get(b->u.dict, a->u.dict->keys[i], a->u.dict->klens[i]);
			if (!o || !jj_equal(&a->u.dict->vals[i], o))
				return 0;
		}
		return 1;
	case JJ_FUNC: return a->u.fn == b->u.fn;
	case JJ_MACRO: return a->u.macro == b->u.macro;
	default: return 0;
	}
}

const jj_val *jj_arg(const jj_args *a, size_t pos, const char *kw)
{
	for (size_t i = 0; kw && i < a->nkw; i++)
		if (strcmp(a->kwnames[i], kw) == 0)
			return &a->kwvals[i];
	if (pos != (size_t)-1 && pos < a->npos)
		return &a->pos[pos];
	return NULL;
}

int jj_from_json(jj_rt *rt, const json_t *j, jj_val *out)
{
	switch (json_typeof(j)) {
	case JSON_NULL: *out = jj_none(); return 0;
	case JSON_TRUE: *out = jj_bool(1); return 0;
	case JSON_FALSE: *out = jj_bool(0); return 0;
	case JSON_INTEGER: *out = jj_int(json_integer_value(j)); return 0;
	case JSON_REAL: *out = jj_float(json_real_value(j)); return 0;
	case JSON_STRING: *out = jj_strn(rt, json_string_value(j), json_string_length(j)); return 0;
	case JSON_ARRAY: {
		*out = jj_list_new(rt);
		size_t i;
		json_t *x;
		json_array_foreach(j, i, x) {
			jj_val v;
			int rc = jj_from_json(rt, x, &v);
			if (rc || (rc = jj_list_push(rt, out->u.list, v)))
				return rc;
		}
		return 0;
	}
	case JSON_OBJECT: {
		*out = jj_dict_new(rt);
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)j, k, x) {
			jj_val v;
			int rc = jj_from_json(rt, x, &v);
			if (rc || (rc = jj_dict_set(rt, out->u.dict, k, v)))
				return rc;
		}
		return 0;
	}
	}
	return LDP_ERROR;
}

int jj_iter_list(jj_rt *rt, const jj_val *v, jj_list **out)
{
	if (v->type == JJ_LIST) {
		*out = v->u.list;
		return 0;
	}
	jj_val l = jj_list_new(rt);
	if (!l.u.list)
		return LDP_ENOMEM;
	if (v->type == JJ_DICT) {
		for (size_t i = 0; i < v->u.dict->n; i++) {
			jj_val x = v->u.dict->is_row ? v->u.dict->vals[i] : jj_strn(rt, v->u.dict->keys[i], v->u.dict->klens[i]);
			jj_list_push(rt, l.u.list, x);
		}
	} else if (v->type == JJ_STR) {
		for (size_t i = 0; i < v->u.s.n; i++)
			jj_list_push(rt, l.u.list, jj_strn(rt, v->u.s.p + i, 1));
	} else if (v->type == JJ_UNDEF) {
		return ldp_error_set(LDP_EINVALID, "'%s' is undefined", v->undef_name ? v->undef_name : "value");
	} else {
		return ldp_error_set(LDP_EINVALID, "a %s is not iterable", jj_type_name(v));
	}
	*out = l.u.list;
	return 0;
}
