/*
 * transform/jinja.h - an interpreter for the subset of Jinja2 that dbt
 * projects use: {{ }}, {% %}, {# #}, whitespace control, set (also block
 * set and ns.attr), if/elif/else, for (with loop.*, else, inline if), macro
 * (defaults, caller(), kwargs, varargs), call blocks, do, raw, filters,
 * tests, literals, arithmetic, comparisons, and/or/not, in, ~.
 *
 * Anything outside the subset is a parse or render error naming the file and
 * line, never silently different output: an undefined name rendered into
 * text is an error (dbt's projects rely on that), unknown filters, tests and
 * tags are errors.
 *
 * Memory. A jj_env owns the parsed templates and the macros registered in it
 * (freed by jj_env_free). Rendering allocates every value in the arena of a
 * jj_rt, which the caller owns; values stay valid until that arena is freed.
 * A jj_env is read-only while rendering, so several threads may render with
 * one env, each with its own jj_rt.
 */
#ifndef LDP_TRANSFORM_JINJA_H
#define LDP_TRANSFORM_JINJA_H

#include <stddef.h>
#include <stdint.h>

#include "ldp/arena.h"
#include "ldp/buf.h"

typedef struct jj_env jj_env;
typedef struct jj_template jj_template;
typedef struct jj_node jj_node;
typedef struct jj_rt jj_rt;
typedef struct jj_list jj_list;
typedef struct jj_dict jj_dict;
typedef struct jj_func jj_func;
typedef struct jj_macro jj_macro;

typedef enum jj_type {
	JJ_UNDEF, /* a name that is not defined (renders as an error) */
	JJ_NONE,
	JJ_BOOL,
	JJ_INT,
	JJ_FLOAT,
	JJ_STR,
	JJ_LIST,
	JJ_DICT,
	JJ_FUNC, /* a C function (optionally bound to a value: a method) */
	JJ_MACRO
} jj_type;

typedef struct jj_val {
	jj_type type;
	union {
		int b;
		int64_t i;
		double f;
		struct {
			const char *p;
			size_t n;
		} s;
		jj_list *list;
		jj_dict *dict;
		jj_func *fn;
		jj_macro *macro;
	} u;
	const char *undef_name; /* JJ_UNDEF: what was looked up, for messages */
} jj_val;

struct jj_list {
	jj_val *items;
	size_t n, cap;
};

/* Dicts keep insertion order (as Python's). An "object" dict answers
 * attribute access from its keys only (no dict methods), which is how dbt's
 * relations, agate columns and namespace() objects are modelled; `repr` (if
 * set) is how it renders as text; a "row" dict also takes integer subscripts
 * and iterates over its values, like an agate row. */
struct jj_dict {
	const char **keys;
	size_t *klens;
	jj_val *vals;
	size_t n, cap;
	int is_object, is_row;
	const char *repr;
};

/* Arguments of a call: positional, then keyword. */
typedef struct jj_args {
	const jj_val *pos;
	size_t npos;
	const char *const *kwnames;
	const jj_val *kwvals;
	size_t nkw;
} jj_args;

/* A native function: returns 0 or an ldp_status with a message recorded
 * (the interpreter prefixes file:line). `self` is the bound value of a
 * method, JJ_UNDEF otherwise. */
typedef int (*jj_native_fn)(jj_rt *rt, void *ud, const jj_val *self, const jj_args *args, jj_val *out);

struct jj_func {
	const char *name;
	jj_native_fn fn;
	void *ud;
	jj_val self;
	jj_dict *attrs; /* attributes of the function itself (dbt's config.get), or NULL */
};

/* ---- environment and templates ---- */

int jj_env_new(jj_env **out);
void jj_env_free(jj_env *env);
/* Parse `src`; `name` (a file path) appears in error messages. The template
 * belongs to env. */
int jj_parse(jj_env *env, const char *name, const char *src, jj_template **out);
/* Register the top-level {% macro %} (and {% test %} as test_<name>)
 * definitions of t as global macros; a later definition of a name replaces an
 * earlier one. */
int jj_env_add_macros(jj_env *env, jj_template *t);
/* A registered macro by name, or NULL. */
const jj_macro *jj_env_macro(const jj_env *env, const char *name);
/* Names of the global macros (for listing). */
size_t jj_env_macro_count(const jj_env *env);
const char *jj_env_macro_name(const jj_env *env, size_t i);
const char *jj_template_name(const jj_template *t);

/* ---- rendering ---- */

/* A render runtime: allocation arena, globals, and the stack of files being
 * rendered (for messages). */
int jj_rt_new(jj_env *env, jj_rt **out);
void jj_rt_free(jj_rt *rt);
ldp_arena *jj_rt_arena(jj_rt *rt);
jj_env *jj_rt_env(jj_rt *rt);
/* Define a global name for renders with this runtime. */
int jj_rt_set_global(jj_rt *rt, const char *name, jj_val v);
/* Render t into out. */
int jj_render(jj_rt *rt, const jj_template *t, ldp_buf *out);
/* Call a macro (global or a JJ_MACRO value) with arguments. */
int jj_call_macro(jj_rt *rt, const jj_macro *m, const jj_args *args, jj_val *out);
/* Where the interpreter is: "models/x.sql:12" (for messages from natives). */
const char *jj_rt_where(jj_rt *rt);

/* ---- values ---- */

jj_val jj_none(void);
jj_val jj_undef(const char *name);
jj_val jj_bool(int b);
jj_val jj_int(int64_t i);
jj_val jj_float(double f);
/* Copies s into the arena. */
jj_val jj_str(jj_rt *rt, const char *s);
jj_val jj_strn(jj_rt *rt, const char *s, size_t n);
jj_val jj_list_new(jj_rt *rt);
int jj_list_push(jj_rt *rt, jj_list *l, jj_val v);
jj_val jj_dict_new(jj_rt *rt);
int jj_dict_set(jj_rt *rt, jj_dict *d, const char *key, jj_val v);
/* NULL when missing. */
jj_val *jj_dict_get(const jj_dict *d, const char *key, size_t klen);
jj_val jj_func_new(jj_rt *rt, const char *name, jj_native_fn fn, void *ud);

int jj_truthy(const jj_val *v);
/* Python's str() of a value appended to b (none -> "None", lists as
 * ['a', 1]). LDP_EINVALID for undefined values. */
int jj_to_string(jj_rt *rt, const jj_val *v, ldp_buf *b);
/* str() as an arena string. */
int jj_str_of(jj_rt *rt, const jj_val *v, const char **out);
const char *jj_type_name(const jj_val *v);
/* A keyword argument by name, or positional index pos (-1: none); NULL if absent. */
const jj_val *jj_arg(const jj_args *a, size_t pos, const char *kw);
/* Convert a JSON value (from YAML files) into a Jinja value. */
struct json_t;
int jj_from_json(jj_rt *rt, const struct json_t *j, jj_val *out);

/* Filters, tests and methods (jinja_builtins.c). */
int jj_apply_filter(jj_rt *rt, const char *name, const jj_val *v, const jj_args *args, jj_val *out);
int jj_apply_test(jj_rt *rt, const char *name, const jj_val *v, const jj_args *args, int *out);
/* Attribute lookup on a value: dict keys, methods of str/list/dict. *found=0 if none. */
int jj_getattr(jj_rt *rt, const jj_val *v, const char *name, jj_val *out, int *found);
int jj_equal(const jj_val *a, const jj_val *b);
/* Iterate: a list, a dict's keys (a row's values), a string's characters. */
int jj_iter_list(jj_rt *rt, const jj_val *v, jj_list **out);
/* Builtin global functions: range, dict, namespace, zip... */
int jj_builtin_global(jj_rt *rt, const char *name, jj_val *out, int *found);

#endif
