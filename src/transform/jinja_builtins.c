/* Jinja builtins: filters, tests, methods of str/list/dict, global functions
 * (range, dict, namespace, zip). Names outside these lists are errors. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "transform/jinja_internal.h"

static int need_str(const jj_val *v, const char *what)
{
	if (v->type == JJ_UNDEF)
		return ldp_error_set(LDP_EINVALID, "'%s' is undefined (in %s)", v->undef_name ? v->undef_name : "value", what);
	return 0;
}

static int as_str(jj_rt *rt, const jj_val *v, const char *what, const char **s, size_t *n)
{
	int rc = need_str(v, what);
	if (rc)
		return rc;
	if ((rc = jj_str_of(rt, v, s)))
		return rc;
	*n = v->type == JJ_STR ? v->u.s.n : strlen(*s);
	return 0;
}

static int as_int(const jj_val *v, const char *what, int64_t *out)
{
	if (v->type == JJ_INT || v->type == JJ_BOOL) {
		*out = v->type == JJ_INT ? v->u.i : v->u.b;
		return 0;
	}
	return ldp_error_set(LDP_EINVALID, "%s needs an integer, not a %s", what, jj_type_name(v));
}

static jj_val map_str(jj_rt *rt, const char *s, size_t n, int (*f)(int))
{
	jj_val v = jj_strn(rt, s, n);
	char *p = (char *)v.u.s.p;
	for (size_t i = 0; i < n; i++)
		p[i] = (char)f((unsigned char)p[i]);
	return v;
}

static jj_val strip(jj_rt *rt, const char *s, size_t n, const char *chars, int left, int right)
{
	const char *set = chars ? chars : " \t\n\r\f\v";
	size_t b = 0, e = n;
	while (left && b < e && strchr(set, s[b]))
		b++;
	while (right && e > b && strchr(set, s[e - 1]))
		e--;
	return jj_strn(rt, s + b, e - b);
}

static jj_val replace(jj_rt *rt, const char *s, size_t n, const char *old, size_t on, const char *new, size_t nn)
{
	if (on == 0)
		return jj_strn(rt, s, n);
	ldp_buf b = LDP_BUF_INIT;
	size_t i = 0;
	while (i < n) {
		if (i + on <= n && memcmp(s + i, old, on) == 0) {
			ldp_buf_put(&b, new, nn);
			i += on;
		} else {
			ldp_buf_putc(&b, s[i++]);
		}
	}
	jj_val v = jj_strn(rt, ldp_buf_cstr(&b), b.len);
	ldp_buf_free(&b);
	return v;
}

static int join(jj_rt *rt, const jj_val *v, const char *sep, size_t sn, jj_val *out)
{
	jj_list *l;
	int rc = jj_iter_list(rt, v, &l);
	if (rc)
		return rc;
	ldp_buf b = LDP_BUF_INIT;
	for (size_t i = 0; !rc && i < l->n; i++) {
		if (i)
			ldp_buf_put(&b, sep, sn);
		rc = jj_to_string(rt, &l->items[i], &b);
	}
	if (!rc)
		*out = jj_strn(rt, ldp_buf_cstr(&b), b.len);
	ldp_buf_free(&b);
	return rc;
}

static int cmp_vals(const void *x, const void *y)
{
	const jj_val *a = x, *b = y;
	if ((a->type == JJ_INT || a->type == JJ_FLOAT) && (b->type == JJ_INT || b->type == JJ_FLOAT)) {
		double p = a->type == JJ_INT ? (double)a->u.i : a->u.f, q = b->type == JJ_INT ? (double)b->u.i : b->u.f;
		return p < q ? -1 : p > q;
	}
	if (a->type == JJ_STR && b->type == JJ_STR) {
		size_t m = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
		int c = memcmp(a->u.s.p, b->u.s.p, m);
		return c ? c : (a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n);
	}
	return (int)a->type - (int)b->type;
}

static jj_val copy_list(jj_rt *rt, const jj_list *l)
{
	jj_val v = jj_list_new(rt);
	for (size_t i = 0; i < l->n; i++)
		jj_list_push(rt, v.u.list, l->items[i]);
	return v;
}

static int to_number(const jj_val *v, int want_int, const jj_val *def, jj_val *out)
{
	if (v->type == JJ_INT || v->type == JJ_BOOL) {
		*out = want_int ? jj_int(v->type == JJ_INT ? v->u.i : v->u.b) : jj_float((double)(v->type == JJ_INT ? v->u.i : v->u.b));
		return 0;
	}
	if (v->type == JJ_FLOAT) {
		*out = want_int ? jj_int((int64_t)v->u.f) : *v;
		return 0;
	}
	if (v->type == JJ_STR) {
		char buf[128];
		snprintf(buf, sizeof buf, "%.*s", (int)(v->u.s.n < 127 ? v->u.s.n : 127), v->u.s.p);
		char *end;
		double d = strtod(buf, &end);
		while (*end == ' ')
			end++;
		if (end != buf && !*end) {
			*out = want_int ? jj_int((int64_t)d) : jj_float(d);
			return 0;
		}
	}
	*out = def ? *def : want_int ? jj_int(0) : jj_float(0);
	return 0;
}

int jj_apply_filter(jj_rt *rt, const char *name, const jj_val *v, const jj_args *a, jj_val *out)
{
	const char *s = NULL;
	size_t n = 0;
	int rc;
	const jj_val *a0 = jj_arg(a, 0, NULL), *a1 = jj_arg(a, 1, NULL);
	if (!strcmp(name, "default") || !strcmp(name, "d")) {
		const jj_val *boolean = jj_arg(a, 1, "boolean");
		int use_default = v->type == JJ_UNDEF || (boolean && jj_truthy(boolean) && !jj_truthy(v));
		*out = use_default ? (a0 ? *a0 : jj_str(rt, "")) : *v;
		return 0;
	}
	if (v->type == JJ_UNDEF)
		return ldp_error_set(LDP_EINVALID, "'%s' is undefined (filtered with |%s)", v->undef_name ? v->undef_name : "value", name);
	if (!strcmp(name, "lower") || !strcmp(name, "upper") || !strcmp(name, "capitalize") || !strcmp(name, "title")) {
		if ((rc = as_str(rt, v, name, &s, &n)))
			return rc;
		*out = map_str(rt, s, n, name[0] == 'u' ? toupper : tolower);
		char *p = (char *)out->u.s.p;
		if (!strcmp(name, "capitalize") && n)
			p[0] = (char)toupper((unsigned char)p[0]);
		for (size_t i = 0; !strcmp(name, "title") && i < n; i++)
			if (i == 0 || !isalnum((unsigned char)p[i - 1]))
				p[i] = (char)toupper((unsigned char)p[i]);
		return 0;
	}
	if (!strcmp(name, "trim")) {
		if ((rc = as_str(rt, v, name, &s, &n)))
			return rc;
		*out = strip(rt, s, n, a0 && a0->type == JJ_STR ? a0->u.s.p : NULL, 1, 1);
		return 0;
	}
	if (!strcmp(name, "replace")) {
		if (!a0 || !a1 || a0->type != JJ_STR)
			return ldp_error_set(LDP_EINVALID, "replace needs two arguments: |replace('old', 'new')");
		const char *ns;
		size_t nn;
		if ((rc = as_str(rt, v, name, &s, &n)) || (rc = as_str(rt, a1, name, &ns, &nn)))
			return rc;
		*out = replace(rt, s, n, a0->u.s.p, a0->u.s.n, ns, nn);
		return 0;
	}
	if (!strcmp(name, "join")) {
		const char *sep = "";
		size_t sn = 0;
		if (a0 && (rc = as_str(rt, a0, name, &sep, &sn)))
			return rc;
		return join(rt, v, sep, sn, out);
	}
	if (!strcmp(name, "length") || !strcmp(name, "count")) {
		size_t len = v->type == JJ_STR ? v->u.s.n : v->type == JJ_LIST ? v->u.list->n : v->type == JJ_DICT ? v->u.dict->n : (size_t)-1;
		if (len == (size_t)-1)
			return ldp_error_set(LDP_EINVALID, "a %s has no length", jj_type_name(v));
		*out = jj_int((int64_t)len);
		return 0;
	}
	if (!strcmp(name, "first") || !strcmp(name, "last")) {
		jj_list *l;
		if ((rc = jj_iter_list(rt, v, &l)))
			return rc;
		*out = l->n ? l->items[name[0] == 'f' ? 0 : l->n - 1] : jj_undef(name);
		return 0;
	}
	if (!strcmp(name, "list")) {
		jj_list *l;
		if ((rc = jj_iter_list(rt, v, &l)))
			return rc;
		*out = copy_list(rt, l);
		return 0;
	}
	if (!strcmp(name, "string")) {
		if ((rc = jj_str_of(rt, v, &s)))
			return rc;
		*out = jj_str(rt, s);
		return 0;
	}
	if (!strcmp(name, "int") || !strcmp(name, "float"))
		return to_number(v, name[0] == 'i', a0, out);
	if (!strcmp(name, "abs")) {
		if (v->type == JJ_INT)
			*out = jj_int(v->u.i < 0 ? -v->u.i : v->u.i);
		else if (v->type == JJ_FLOAT)
			*out = jj_float(fabs(v->u.f));
		else
			return ldp_error_set(LDP_EINVALID, "abs needs a number, not a %s", jj_type_name(v));
		return 0;
	}
	if (!strcmp(name, "round")) {
		int64_t prec = 0;
		if (a0 && (rc = as_int(a0, "round", &prec)))
			return rc;
		const jj_val *method = jj_arg(a, 1, "method");
		double x = v->type == JJ_INT ? (double)v->u.i : v->type == JJ_FLOAT ? v->u.f : NAN;
		if (isnan(x))
			return ldp_error_set(LDP_EINVALID, "round needs a number, not a %s", jj_type_name(v));
		double m = pow(10, (double)prec);
		const char *meth = method && method->type == JJ_STR ? method->u.s.p : "common";
		/* "common" is Python's round(): halves go to the even neighbour */
		double r = !strcmp(meth, "floor") ? floor(x * m) / m : !strcmp(meth, "ceil") ? ceil(x * m) / m : rint(x * m) / m;
		*out = jj_float(r);
		return 0;
	}
	if (!strcmp(name, "unique") || !strcmp(name, "sort") || !strcmp(name, "reverse")) {
		jj_list *l;
		if (v->type == JJ_STR && name[0] == 'r') {
			jj_val st = jj_strn(rt, v->u.s.p, v->u.s.n);
			char *p = (char *)st.u.s.p;
			for (size_t i = 0; i < v->u.s.n / 2; i++) {
				char c = p[i];
				p[i] = p[v->u.s.n - 1 - i];
				p[v->u.s.n - 1 - i] = c;
			}
			*out = st;
			return 0;
		}
		if ((rc = jj_iter_list(rt, v, &l)))
			return rc;
		jj_val r = jj_list_new(rt);
		for (size_t i = 0; i < l->n; i++) {
			size_t k = name[0] == 'r' ? l->n - 1 - i : i;
			int dup = 0;
			for (size_t j = 0; name[0] == 'u' && j < r.u.list->n && !dup; j++)
				dup = jj_equal(&r.u.list->items[j], &l->items[k]);
			if (!dup)
				jj_list_push(rt, r.u.list, l->items[k]);
		}
		if (name[0] == 's') {
			qsort(r.u.list->items, r.u.list->n, sizeof(jj_val), cmp_vals);
			const jj_val *rev = jj_arg(a, 0, "reverse");
			if (rev && jj_truthy(rev))
				for (size_t i = 0; i < r.u.list->n / 2; i++) {
					jj_val t = r.u.list->items[i];
					r.u.list->items[i] = r.u.list->items[r.u.list->n - 1 - i];
					r.u.list->items[r.u.list->n - 1 - i] = t;
				}
		}
		*out = r;
		return 0;
	}
	if (!strcmp(name, "sum") || !strcmp(name, "min") || !strcmp(name, "max")) {
		jj_list *l;
		if ((rc = jj_iter_list(rt, v, &l)))
			return rc;
		if (name[1] == 'u') {
			int isf = 0;
			double f = 0;
			int64_t i = 0;
			for (size_t k = 0; k < l->n; k++) {
				if (l->items[k].type == JJ_FLOAT)
					isf = 1, f += l->items[k].u.f;
				else if (l->items[k].type == JJ_INT)
					i += l->items[k].u.i;
				else
					return ldp_error_set(LDP_EINVALID, "sum needs numbers, found a %s", jj_type_name(&l->items[k]));
			}
			*out = isf ? jj_float(f + (double)i) : jj_int(i);
			return 0;
		}
		if (!l->n)
			return ldp_error_set(LDP_EINVALID, "%s of an empty sequence", name);
		*out = l->items[0];
		for (size_t k = 1; k < l->n; k++) {
			int c = cmp_vals(&l->items[k], out);
			if ((name[1] == 'i' && c < 0) || (name[1] == 'a' && c > 0))
				*out = l->items[k];
		}
		return 0;
	}
	if (!strcmp(name, "items") || !strcmp(name, "dictsort")) {
		if (v->type != JJ_DICT)
			return ldp_error_set(LDP_EINVALID, "%s needs a dict, not a %s", name, jj_type_name(v));
		jj_val r = jj_list_new(rt);
		for (size_t i = 0; i < v->u.dict->n; i++) {
			jj_val pair = jj_list_new(rt);
			jj_list_push(rt, pair.u.list, jj_strn(rt, v->u.dict->keys[i], v->u.dict->klens[i]));
			jj_list_push(rt, pair.u.list, v->u.dict->vals[i]);
			jj_list_push(rt, r.u.list, pair);
		}
		if (name[0] == 'd')
			for (size_t i = 1; i < r.u.list->n; i++)
				for (size_t j = i; j > 0 && cmp_vals(&r.u.list->items[j - 1].u.list->items[0], &r.u.list->items[j].u.list->items[0]) > 0; j--) {
					jj_val t = r.u.list->items[j];
					r.u.list->items[j] = r.u.list->items[j - 1];
					r.u.list->items[j - 1] = t;
				}
		*out = r;
		return 0;
	}
	if (!strcmp(name, "map") || !strcmp(name, "selectattr") || !strcmp(name, "rejectattr")) {
		jj_list *l;
		if ((rc = jj_iter_list(rt, v, &l)))
			return rc;
		const jj_val *attr = name[0] == 'm' ? jj_arg(a, (size_t)-1, "attribute") : a0;
		const jj_val *filt = name[0] == 'm' && !attr ? a0 : NULL;
		if ((!attr || attr->type != JJ_STR) && (!filt || filt->type != JJ_STR))
			return ldp_error_set(LDP_EINVALID, "%s needs attribute='name' (or a filter name for map)", name);
		jj_val r = jj_list_new(rt);
		for (size_t i = 0; i < l->n; i++) {
			jj_val x;
			int found = 0;
			if (filt) {
				jj_args none = {0};
				if ((rc = jj_apply_filter(rt, filt->u.s.p, &l->items[i], &none, &x)))
					return rc;
				found = 1;
			} else if ((rc = jj_getattr(rt, &l->items[i], attr->u.s.p, &x, &found))) {
				return rc;
			}
			if (!found)
				x = jj_undef(attr->u.s.p);
			if (name[0] == 'm')
				jj_list_push(rt, r.u.list, x);
			else if (jj_truthy(&x) == (name[0] == 's'))
				jj_list_push(rt, r.u.list, l->items[i]);
		}
		*out = r;
		return 0;
	}
	if (!strcmp(name, "indent")) {
		if ((rc = as_str(rt, v, name, &s, &n)))
			return rc;
		int64_t w = 4;
		if (a0 && (rc = as_int(a0, "indent", &w)))
			return rc;
		ldp_buf b = LDP_BUF_INIT;
		for (size_t i = 0; i < n; i++) {
			ldp_buf_putc(&b, s[i]);
			if (s[i] == '\n' && i + 1 < n)
				ldp_buf_fill(&b, ' ', (size_t)w);
		}
		*out = jj_strn(rt, ldp_buf_cstr(&b), b.len);
		ldp_buf_free(&b);
		return 0;
	}
	return ldp_error_set(LDP_EINVALID, "unknown filter '%s'", name);
}

int jj_apply_test(jj_rt *rt, const char *name, const jj_val *v, const jj_args *a, int *out)
{
	const jj_val *a0 = jj_arg(a, 0, NULL);
	if (!strcmp(name, "defined")) *out = v->type != JJ_UNDEF;
	else if (!strcmp(name, "undefined")) *out = v->type == JJ_UNDEF;
	else if (!strcmp(name, "none")) *out = v->type == JJ_NONE;
	else if (!strcmp(name, "string")) *out = v->type == JJ_STR;
	else if (!strcmp(name, "number")) *out = v->type == JJ_INT || v->type == JJ_FLOAT;
	else if (!strcmp(name, "integer")) *out = v->type == JJ_INT;
	else if (!strcmp(name, "float")) *out = v->type == JJ_FLOAT;
	else if (!strcmp(name, "boolean")) *out = v->type == JJ_BOOL;
	else if (!strcmp(name, "true")) *out = v->type == JJ_BOOL && v->u.b;
	else if (!strcmp(name, "false")) *out = v->type == JJ_BOOL && !v->u.b;
	else if (!strcmp(name, "mapping")) *out = v->type == JJ_DICT;
	else if (!strcmp(name, "sequence") || !strcmp(name, "iterable")) *out = v->type == JJ_LIST || v->type == JJ_STR || v->type == JJ_DICT;
	else if (!strcmp(name, "callable")) *out = v->type == JJ_FUNC || v->type == JJ_MACRO;
	else if (!strcmp(name, "lower") || !strcmp(name, "upper")) {
		*out = v->type == JJ_STR;
		for (size_t i = 0; *out && i < v->u.s.n; i++)
			if (name[0] == 'l' ? isupper((unsigned char)v->u.s.p[i]) : islower((unsigned char)v->u.s.p[i]))
				*out = 0;
	} else if (!strcmp(name, "even") || !strcmp(name, "odd")) {
		if (v->type != JJ_INT)
			return ldp_error_set(LDP_EINVALID, "'is %s' needs an integer", name);
		*out = (v->u.i % 2 == 0) == (name[0] == 'e');
	} else if (!strcmp(name, "divisibleby")) {
		if (v->type != JJ_INT || !a0 || a0->type != JJ_INT || a0->u.i == 0)
			return ldp_error_set(LDP_EINVALID, "'is divisibleby(n)' needs integers");
		*out = v->u.i % a0->u.i == 0;
	} else if (!strcmp(name, "eq") || !strcmp(name, "equalto") || !strcmp(name, "sameas") || !strcmp(name, "ne")) {
		if (!a0)
			return ldp_error_set(LDP_EINVALID, "'is %s' needs a value", name);
		*out = jj_equal(v, a0) == (strcmp(name, "ne") != 0);
	} else if (!strcmp(name, "in")) {
		if (!a0)
			return ldp_error_set(LDP_EINVALID, "'is in' needs a value");
		jj_list *l;
		int rc = jj_iter_list(rt, a0, &l);
		if (rc)
			return rc;
		*out = 0;
		for (size_t i = 0; i < l->n && !*out; i++)
			*out = jj_equal(&l->items[i], v);
	} else {
		return ldp_error_set(LDP_EINVALID, "unknown test '%s'", name);
	}
	return 0;
}

