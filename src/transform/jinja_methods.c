/* Jinja attribute lookup and the Python methods dbt projects call on
 * strings, lists and dicts; global functions range, dict, namespace, zip. */
#include <ctype.h>
#include <string.h>

#include "ldp/error.h"
#include "transform/jinja_internal.h"

static int str_method(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	const char *m = ud, *s = self->u.s.p;
	size_t n = self->u.s.n;
	const jj_val *a0 = jj_arg(a, 0, NULL), *a1 = jj_arg(a, 1, NULL);
	if (!strcmp(m, "lower") || !strcmp(m, "upper") || !strcmp(m, "strip") || !strcmp(m, "lstrip") ||
	    !strcmp(m, "rstrip") || !strcmp(m, "title") || !strcmp(m, "capitalize")) {
		jj_args fa = {a->pos, a->npos, NULL, NULL, 0};
		if (!strcmp(m, "strip"))
			return jj_apply_filter(rt, "trim", self, &fa, out);
		if (!strcmp(m, "lstrip") || !strcmp(m, "rstrip")) {
			const char *set = a0 && a0->type == JJ_STR ? a0->u.s.p : " \t\n\r\f\v";
			size_t b = 0, e = n;
			while (m[0] == 'l' && b < e && strchr(set, s[b]))
				b++;
			while (m[0] == 'r' && e > b && strchr(set, s[e - 1]))
				e--;
			*out = jj_strn(rt, s + b, e - b);
			return 0;
		}
		return jj_apply_filter(rt, m, self, &fa, out);
	}
	if (!strcmp(m, "replace")) {
		jj_args fa = {a->pos, a->npos, NULL, NULL, 0};
		return jj_apply_filter(rt, "replace", self, &fa, out);
	}
	if (!strcmp(m, "startswith") || !strcmp(m, "endswith")) {
		if (!a0 || a0->type != JJ_STR)
			return ldp_error_set(LDP_EINVALID, "%s() needs a string", m);
		size_t k = a0->u.s.n;
		*out = jj_bool(k <= n && memcmp(m[0] == 's' ? s : s + n - k, a0->u.s.p, k) == 0);
		return 0;
	}
	if (!strcmp(m, "split")) {
		*out = jj_list_new(rt);
		if (!a0 || a0->type == JJ_NONE) {
			size_t i = 0;
			while (i < n) {
				while (i < n && isspace((unsigned char)s[i]))
					i++;
				size_t b = i;
				while (i < n && !isspace((unsigned char)s[i]))
					i++;
				if (i > b)
					jj_list_push(rt, out->u.list, jj_strn(rt, s + b, i - b));
			}
			return 0;
		}
		if (a0->type != JJ_STR || a0->u.s.n == 0)
			return ldp_error_set(LDP_EINVALID, "split() needs a non-empty separator");
		int64_t max = a1 && a1->type == JJ_INT ? a1->u.i : -1;
		size_t b = 0;
		for (size_t i = 0; i + a0->u.s.n <= n;) {
			if (max != 0 && memcmp(s + i, a0->u.s.p, a0->u.s.n) == 0) {
				jj_list_push(rt, out->u.list, jj_strn(rt, s + b, i - b));
				i += a0->u.s.n;
				b = i;
				if (max > 0)
					max--;
			} else {
				i++;
			}
		}
		jj_list_push(rt, out->u.list, jj_strn(rt, s + b, n - b));
		return 0;
	}
	if (!strcmp(m, "join")) {
		jj_args fa = {self, 1, NULL, NULL, 0};
		if (!a0)
			return ldp_error_set(LDP_EINVALID, "join() needs a list");
		return jj_apply_filter(rt, "join", a0, &fa, out);
	}
	if (!strcmp(m, "find") || !strcmp(m, "count")) {
		if (!a0 || a0->type != JJ_STR || !a0->u.s.n)
			return ldp_error_set(LDP_EINVALID, "%s() needs a non-empty string", m);
		int64_t pos = -1, cnt = 0;
		for (size_t i = 0; i + a0->u.s.n <= n; i++)
			if (memcmp(s + i, a0->u.s.p, a0->u.s.n) == 0) {
				if (pos < 0)
					pos = (int64_t)i;
				cnt++;
			}
		*out = jj_int(m[0] == 'f' ? pos : cnt);
		return 0;
	}
	if (!strcmp(m, "isdigit") || !strcmp(m, "isalpha") || !strcmp(m, "isupper") || !strcmp(m, "islower")) {
		int r = n > 0;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if ((m[2] == 'd' && !isdigit(c)) || (m[2] == 'a' && !isalpha(c)) || (m[2] == 'u' && islower(c)) ||
			    (m[2] == 'l' && isupper(c)))
				r = 0;
		}
		*out = jj_bool(r);
		return 0;
	}
	return ldp_error_set(LDP_EINVALID, "strings have no method %s()", m);
}

static int list_method(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	const char *m = ud;
	jj_list *l = self->u.list;
	const jj_val *a0 = jj_arg(a, 0, NULL);
	*out = jj_none();
	if (!strcmp(m, "append")) {
		if (!a0)
			return ldp_error_set(LDP_EINVALID, "append() needs a value");
		return jj_list_push(rt, l, *a0);
	}
	if (!strcmp(m, "extend")) {
		jj_list *o;
		int rc = a0 ? jj_iter_list(rt, a0, &o) : ldp_error_set(LDP_EINVALID, "extend() needs a list");
		size_t k = rc ? 0 : o->n; /* o may be l itself */
		for (size_t i = 0; !rc && i < k; i++)
			rc = jj_list_push(rt, l, o->items[i]);
		return rc;
	}
	if (!strcmp(m, "pop")) {
		if (!l->n)
			return ldp_error_set(LDP_EINVALID, "pop() from an empty list");
		int64_t i = a0 && a0->type == JJ_INT ? a0->u.i : -1;
		if (i < 0)
			i += (int64_t)l->n;
		if (i < 0 || (size_t)i >= l->n)
			return ldp_error_set(LDP_EINVALID, "pop() index out of range");
		*out = l->items[i];
		memmove(&l->items[i], &l->items[i + 1], (l->n - (size_t)i - 1) * sizeof(jj_val));
		l->n--;
		return 0;
	}
	if (!strcmp(m, "index") || !strcmp(m, "count")) {
		int64_t pos = -1, cnt = 0;
		for (size_t i = 0; a0 && i < l->n; i++)
			if (jj_equal(&l->items[i], a0)) {
				if (pos < 0)
					pos = (int64_t)i;
				cnt++;
			}
		if (m[0] == 'i' && pos < 0)
			return ldp_error_set(LDP_EINVALID, "index(): value is not in the list");
		*out = jj_int(m[0] == 'i' ? pos : cnt);
		return 0;
	}
	if (!strcmp(m, "insert")) {
		const jj_val *a1 = jj_arg(a, 1, NULL);
		if (!a0 || a0->type != JJ_INT || !a1)
			return ldp_error_set(LDP_EINVALID, "insert() needs an index and a value");
		int rc = jj_list_push(rt, l, *a1);
		size_t i = a0->u.i < 0 ? 0 : (size_t)a0->u.i > l->n - 1 ? l->n - 1 : (size_t)a0->u.i;
		memmove(&l->items[i + 1], &l->items[i], (l->n - 1 - i) * sizeof(jj_val));
		l->items[i] = *a1;
		return rc;
	}
	return ldp_error_set(LDP_EINVALID, "lists have no method %s()", m);
}

static int dict_method(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	const char *m = ud;
	jj_dict *d = self->u.dict;
	const jj_val *a0 = jj_arg(a, 0, NULL), *a1 = jj_arg(a, 1, NULL);
	if (!strcmp(m, "items")) {
		jj_args none = {0};
		return jj_apply_filter(rt, "items", self, &none, out);
	}
	if (!strcmp(m, "keys") || !strcmp(m, "values")) {
		*out = jj_list_new(rt);
		for (size_t i = 0; i < d->n; i++)
			jj_list_push(rt, out->u.list, m[0] == 'k' ? jj_strn(rt, d->keys[i], d->klens[i]) : d->vals[i]);
		return 0;
	}
	if (!strcmp(m, "get") || !strcmp(m, "pop")) {
		if (!a0 || a0->type != JJ_STR)
			return ldp_error_set(LDP_EINVALID, "%s() needs a string key", m);
		jj_val *v = jj_dict_get(d, a0->u.s.p, a0->u.s.n);
		*out = v ? *v : a1 ? *a1 : jj_none();
		if (v && m[0] == 'p') {
			size_t i = (size_t)(v - d->vals);
			memmove(&d->keys[i], &d->keys[i + 1], (d->n - i - 1) * sizeof *d->keys);
			memmove(&d->klens[i], &d->klens[i + 1], (d->n - i - 1) * sizeof *d->klens);
			memmove(&d->vals[i], &d->vals[i + 1], (d->n - i - 1) * sizeof *d->vals);
			d->n--;
		}
		return 0;
	}
	if (!strcmp(m, "update")) {
		*out = jj_none();
		if (a0 && a0->type == JJ_DICT)
			for (size_t i = 0; i < a0->u.dict->n; i++)
				jj_dict_set(rt, d, a0->u.dict->keys[i], a0->u.dict->vals[i]);
		for (size_t i = 0; i < a->nkw; i++)
			jj_dict_set(rt, d, a->kwnames[i], a->kwvals[i]);
		return 0;
	}
	if (!strcmp(m, "setdefault")) {
		if (!a0 || a0->type != JJ_STR)
			return ldp_error_set(LDP_EINVALID, "setdefault() needs a string key");
		jj_val *v = jj_dict_get(d, a0->u.s.p, a0->u.s.n);
		if (!v)
			jj_dict_set(rt, d, a0->u.s.p, a1 ? *a1 : jj_none());
		*out = v ? *v : a1 ? *a1 : jj_none();
		return 0;
	}
	return ldp_error_set(LDP_EINVALID, "dicts have no method %s()", m);
}

int jj_getattr(jj_rt *rt, const jj_val *v, const char *name, jj_val *out, int *found)
{
	static const char *const smeth[] = {"lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize", "replace",
					    "startswith", "endswith", "split", "join", "find", "count", "isdigit", "isalpha",
					    "isupper", "islower", NULL};
	static const char *const lmeth[] = {"append", "extend", "pop", "index", "count", "insert", NULL};
	static const char *const dmeth[] = {"items", "keys", "values", "get", "pop", "update", "setdefault", NULL};
	*found = 0;
	if (v->type == JJ_FUNC && v->u.fn->attrs) {
		jj_val *x = jj_dict_get(v->u.fn->attrs, name, strlen(name));
		if (x)
			*out = *x, *found = 1;
		return 0;
	}
	const char *const *meths = NULL;
	jj_native_fn fn = NULL;
	if (v->type == JJ_DICT) {
		jj_val *x = jj_dict_get(v->u.dict, name, strlen(name));
		if (v->u.dict->is_object || v->u.dict->is_row) {
			if (x)
				*out = *x, *found = 1;
			return 0;
		}
		meths = dmeth, fn = dict_method;
		for (size_t i = 0; meths[i]; i++)
			if (!strcmp(meths[i], name))
				goto method;
		if (x)
			*out = *x, *found = 1;
		return 0;
	}
	if (v->type == JJ_STR)
		meths = smeth, fn = str_method;
	else if (v->type == JJ_LIST)
		meths = lmeth, fn = list_method;
	else
		return 0;
	for (size_t i = 0; meths[i]; i++)
		if (!strcmp(meths[i], name))
			goto method;
	return 0;
method:
	*out = jj_func_new(rt, name, fn, (void *)name);
	if (!out->u.fn)
		return LDP_ENOMEM;
	out->u.fn->name = ldp_arena_strdup(jj_rt_arena(rt), name);
	out->u.fn->ud = (void *)out->u.fn->name;
	out->u.fn->self = *v;
	*found = 1;
	return 0;
}

/* ---- globals ---- */

static int g_range(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)ud;
	(void)self;
	int64_t x[3] = {0, 0, 1};
	if (a->npos < 1 || a->npos > 3)
		return ldp_error_set(LDP_EINVALID, "range() takes 1 to 3 integers");
	for (size_t i = 0; i < a->npos; i++) {
		if (a->pos[i].type != JJ_INT)
			return ldp_error_set(LDP_EINVALID, "range() takes integers, not a %s", jj_type_name(&a->pos[i]));
		x[a->npos == 1 ? 1 : i] = a->pos[i].u.i;
	}
	if (x[2] == 0)
		return ldp_error_set(LDP_EINVALID, "range() step must not be zero");
	if ((x[1] - x[0]) / x[2] > 100000)
		return ldp_error_set(LDP_EINVALID, "range() longer than 100000");
	*out = jj_list_new(rt);
	for (int64_t i = x[0]; x[2] > 0 ? i < x[1] : i > x[1]; i += x[2])
		jj_list_push(rt, out->u.list, jj_int(i));
	return 0;
}

static int g_dict(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)self;
	*out = jj_dict_new(rt);
	out->u.dict->is_object = ud != NULL; /* namespace() */
	if (a->npos && a->pos[0].type == JJ_DICT)
		for (size_t i = 0; i < a->pos[0].u.dict->n; i++)
			jj_dict_set(rt, out->u.dict, a->pos[0].u.dict->keys[i], a->pos[0].u.dict->vals[i]);
	for (size_t i = 0; i < a->nkw; i++)
		jj_dict_set(rt, out->u.dict, a->kwnames[i], a->kwvals[i]);
	return 0;
}

static int g_zip(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)ud;
	(void)self;
	*out = jj_list_new(rt);
	jj_list *ls[8];
	size_t n = (size_t)-1;
	if (a->npos > 8)
		return ldp_error_set(LDP_EINVALID, "zip() of more than 8 lists");
	for (size_t i = 0; i < a->npos; i++) {
		int rc = jj_iter_list(rt, &a->pos[i], &ls[i]);
		if (rc)
			return rc;
		if (ls[i]->n < n)
			n = ls[i]->n;
	}
	for (size_t k = 0; a->npos && k < n; k++) {
		jj_val t = jj_list_new(rt);
		for (size_t i = 0; i < a->npos; i++)
			jj_list_push(rt, t.u.list, ls[i]->items[k]);
		jj_list_push(rt, out->u.list, t);
	}
	return 0;
}

int jj_builtin_global(jj_rt *rt, const char *name, jj_val *out, int *found)
{
	*found = 1;
	if (!strcmp(name, "range"))
		*out = jj_func_new(rt, "range", g_range, NULL);
	else if (!strcmp(name, "dict"))
		*out = jj_func_new(rt, "dict", g_dict, NULL);
	else if (!strcmp(name, "namespace"))
		*out = jj_func_new(rt, "namespace", g_dict, (void *)1);
	else if (!strcmp(name, "zip"))
		*out = jj_func_new(rt, "zip", g_zip, NULL);
	else
		*found = 0;
	return 0;
}
