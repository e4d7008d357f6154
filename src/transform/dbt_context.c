/*
 * The dbt Jinja context: ref, source, config, var, this, is_incremental,
 * target, env_var, log, run_query, execute, exceptions, model.
 *
 * Every node is rendered twice, as dbt does: at parse time (execute false,
 * run_query returns none) to learn its refs and config(), and at execution
 * time with the real values.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldp/error.h"
#include "table/table.h"
#include "transform/dbt_internal.h"

void dbt_merge_config(json_t *dst, json_t *src);

static int simple_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static void put_ident(ldp_buf *b, const char *s)
{
	if (simple_ident(s))
		ldp_buf_puts(b, s);
	else
		ldp_buf_put_sql_ident(b, s);
}

void dbt_relation(const dbt_node *n, ldp_buf *b)
{
	put_ident(b, n->schema ? n->schema : "main");
	ldp_buf_putc(b, '.');
	put_ident(b, n->alias ? n->alias : n->name);
}

static jj_val relation_val(jj_rt *rt, const dbt_node *n, const char *override)
{
	jj_val v = jj_dict_new(rt);
	v.u.dict->is_object = 1;
	ldp_buf b = LDP_BUF_INIT;
	if (override)
		ldp_buf_puts(&b, override);
	else
		dbt_relation(n, &b);
	v.u.dict->repr = ldp_arena_strdup(jj_rt_arena(rt), ldp_buf_cstr(&b));
	ldp_buf_free(&b);
	jj_dict_set(rt, v.u.dict, "database", jj_str(rt, "ldp"));
	jj_dict_set(rt, v.u.dict, "schema", jj_str(rt, n->schema ? n->schema : "main"));
	jj_dict_set(rt, v.u.dict, "identifier", jj_str(rt, n->alias ? n->alias : n->name));
	jj_dict_set(rt, v.u.dict, "name", jj_str(rt, n->alias ? n->alias : n->name));
	return v;
}

static json_t *to_json(const jj_val *v)
{
	switch (v->type) {
	case JJ_NONE: return json_null();
	case JJ_BOOL: return json_boolean(v->u.b);
	case JJ_INT: return json_integer(v->u.i);
	case JJ_FLOAT: return json_real(v->u.f);
	case JJ_STR: return json_stringn(v->u.s.p, v->u.s.n);
	case JJ_LIST: {
		json_t *a = json_array();
		for (size_t i = 0; i < v->u.list->n; i++)
			json_array_append_new(a, to_json(&v->u.list->items[i]));
		return a;
	}
	case JJ_DICT: {
		json_t *o = json_object();
		for (size_t i = 0; i < v->u.dict->n; i++)
			json_object_setn_new(o, v->u.dict->keys[i], v->u.dict->klens[i], to_json(&v->u.dict->vals[i]));
		return o;
	}
	default: return json_null();
	}
}

static int f_ref(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)self;
	dbt_render *r = ud;
	dbt_project *p = r->p;
	if (a->npos < 1 || a->npos > 2 || a->pos[a->npos - 1].type != JJ_STR)
		return ldp_error_set(LDP_EINVALID, "ref() takes a model name (and optionally a package name first)");
	if (a->npos == 2 && (a->pos[0].type != JJ_STR || strcmp(a->pos[0].u.s.p, p->name) != 0))
		return ldp_error_set(LDP_EUNSUPPORTED, "ref('%s', '%s'): models of other packages are not supported",
				     a->pos[0].type == JJ_STR ? a->pos[0].u.s.p : "?", a->pos[1].u.s.p);
	const char *name = a->pos[a->npos - 1].u.s.p;
	size_t i = dbt_find(p, DBT_MODEL, name);
	if (i == (size_t)-1)
		i = dbt_find(p, DBT_SEED, name);
	if (i == (size_t)-1)
		return ldp_error_set(LDP_ENOTFOUND, "%s refers to '%s', which is not a model or seed of this project",
				     r->node->name, name);
	dbt_node *t = &p->nodes[i];
	if (r->parse) {
		int rc = dbt_add_dep(r->node, i);
		if (rc)
			return rc;
	}
	if (!r->parse && t->materialized && strcmp(t->materialized, "ephemeral") == 0) {
		size_t k;
		for (k = 0; k < r->nctes && r->ctes[k] != i; k++)
			;
		if (k == r->nctes) {
			if (r->nctes == 64)
				return ldp_error_set(LDP_EUNSUPPORTED, "more than 64 ephemeral models in one model");
			r->ctes[r->nctes++] = i;
		}
		char cte[300];
		snprintf(cte, sizeof cte, "__dbt__cte__%s", t->name);
		*out = relation_val(rt, t, cte);
		return 0;
	}
	*out = relation_val(rt, t, NULL);
	return 0;
}

static int f_source(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)self;
	dbt_render *r = ud;
	if (a->npos != 2 || a->pos[0].type != JJ_STR || a->pos[1].type != JJ_STR)
		return ldp_error_set(LDP_EINVALID, "source() takes a source name and a table name");
	char full[512];
	snprintf(full, sizeof full, "%s.%s", a->pos[0].u.s.p, a->pos[1].u.s.p);
	size_t i = dbt_find(r->p, DBT_SOURCE, full);
	if (i == (size_t)-1)
		return ldp_error_set(LDP_ENOTFOUND,
				     "%s uses source('%s', '%s'), which no property file declares (sources: - name: %s "
				     "tables: - name: %s)",
				     r->node->name, a->pos[0].u.s.p, a->pos[1].u.s.p, a->pos[0].u.s.p, a->pos[1].u.s.p);
	if (r->parse) {
		int rc = dbt_add_dep(r->node, i);
		if (rc)
			return rc;
	}
	*out = relation_val(rt, &r->p->nodes[i], NULL);
	return 0;
}

static int f_config(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)self;
	dbt_render *r = ud;
	*out = jj_str(rt, "");
	if (!r->parse)
		return 0;
	json_t *cfg = json_object();
	if (a->npos == 1 && a->pos[0].type == JJ_DICT) {
		json_t *d = to_json(&a->pos[0]);
		json_object_update(cfg, d);
		json_decref(d);
	}
	for (size_t i = 0; i < a->nkw; i++)
		json_object_set_new(cfg, a->kwnames[i], to_json(&a->kwvals[i]));
	dbt_merge_config(r->node->config, cfg);
	json_decref(cfg);
	return 0;
}

/* config.get(key, default) and config.require(key): the node's merged config */
static int f_config_get(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)self;
	dbt_render *r = ud;
	if (a->npos < 1 || a->pos[0].type != JJ_STR)
		return ldp_error_set(LDP_EINVALID, "config.get() takes a config name");
	json_t *v = json_object_get(r->node->config, a->pos[0].u.s.p);
	if (v)
		return jj_from_json(rt, v, out);
	const jj_val *def = jj_arg(a, 1, "default");
	*out = def ? *def : jj_none();
	return 0;
}

static int f_config_require(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	dbt_render *r = ud;
	if (a->npos == 1 && a->pos[0].type == JJ_STR && !json_object_get(r->node->config, a->pos[0].u.s.p))
		return ldp_error_set(LDP_EINVALID, "%s: config '%s' is required", r->node->name, a->pos[0].u.s.p);
	return f_config_get(rt, ud, self, a, out);
}

static int f_var(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)self;
	dbt_render *r = ud;
	if (a->npos < 1 || a->pos[0].type != JJ_STR)
		return ldp_error_set(LDP_EINVALID, "var() takes a variable name");
	json_t *v = json_object_get(r->p->vars, a->pos[0].u.s.p);
	if (v)
		return jj_from_json(rt, v, out);
	const jj_val *def = jj_arg(a, 1, "default");
	if (def) {
		*out = *def;
		return 0;
	}
	return ldp_error_set(LDP_EINVALID,
			     "required var '%s' is not set: give it in dbt_project.yml (vars:) or with --vars "
			     "'{%s: ...}'",
			     a->pos[0].u.s.p, a->pos[0].u.s.p);
}

static int f_is_incremental(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)rt, (void)self, (void)a;
	dbt_render *r = ud;
	*out = jj_bool(r->is_incremental);
	return 0;
}

static int f_env_var(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)ud, (void)self;
	if (a->npos < 1 || a->pos[0].type != JJ_STR)
		return ldp_error_set(LDP_EINVALID, "env_var() takes a variable name");
	const char *v = getenv(a->pos[0].u.s.p);
	if (v) {
		*out = jj_str(rt, v);
		return 0;
	}
	const jj_val *def = jj_arg(a, 1, "default");
	if (def) {
		*out = *def;
		return 0;
	}
	return ldp_error_set(LDP_EINVALID, "environment variable %s is not set and env_var() has no default",
			     a->pos[0].u.s.p);
}

static int f_log(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)self;
	dbt_render *r = ud;
	*out = jj_str(rt, "");
	const jj_val *info = jj_arg(a, 1, "info");
	if (r->parse || a->npos < 1 || !info || !jj_truthy(info))
		return 0;
	const char *msg;
	int rc = jj_str_of(rt, &a->pos[0], &msg);
	if (rc)
		return rc;
	ldp_dbt_event ev = {.kind = LDP_DBT_EV_LOG, .name = r->node->name, .message = msg};
	dbt_emit(r->p, &ev);
	return 0;
}

static int f_raise(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)ud, (void)self, (void)out;
	const char *msg = "compiler error";
	if (a->npos)
		jj_str_of(rt, &a->pos[0], &msg);
	return ldp_error_set(LDP_EINVALID, "%s", msg);
}

static int f_column_values(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)rt, (void)self, (void)a;
	*out = *(jj_val *)ud;
	return 0;
}

static jj_val cell(jj_rt *rt, ldp_chunk *c, ldp_result *res, size_t col, size_t row)
{
	if (ldp_chunk_is_null(c, col, row))
		return jj_none();
	const char *type = ldp_result_column_type(res, col);
	if (!strcmp(type, "BIGINT") || !strcmp(type, "INTEGER") || !strcmp(type, "SMALLINT") || !strcmp(type, "TINYINT") ||
	    !strcmp(type, "UBIGINT") || !strcmp(type, "UINTEGER") || !strcmp(type, "USMALLINT") || !strcmp(type, "UTINYINT"))
		return jj_int(ldp_chunk_get_int64(c, col, row));
	if (!strcmp(type, "BOOLEAN"))
		return jj_bool(ldp_chunk_get_bool(c, col, row));
	ldp_buf b = LDP_BUF_INIT;
	ldp_chunk_format(c, col, row, LDP_VALUE_TEXT, &b);
	jj_val v;
	if (!strcmp(type, "DOUBLE") || !strcmp(type, "FLOAT") || !strncmp(type, "DECIMAL", 7))
		v = jj_float(strtod(ldp_buf_cstr(&b), NULL));
	else
		v = jj_strn(rt, ldp_buf_cstr(&b), b.len);
	ldp_buf_free(&b);
	return v;
}

/* run_query(sql): an agate-like table: .rows (rows index by position and by
 * column name), .columns (each with .name and .values()), .column_names. */
static int f_run_query(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)self;
	dbt_render *r = ud;
	if (r->parse || !r->w || !r->w->wh) {
		*out = jj_none(); /* execute is false at parse time, as in dbt */
		return 0;
	}
	if (a->npos != 1)
		return ldp_error_set(LDP_EINVALID, "run_query() takes one SQL string");
	const char *sql;
	int rc = jj_str_of(rt, &a->pos[0], &sql);
	ldp_engine *e;
	if (!rc)
		rc = ldp_warehouse_bind_sql(r->w->wh, sql);
	if (!rc)
		rc = ldp_warehouse_engine(r->w->wh, &e);
	ldp_result *res = NULL;
	if (!rc)
		rc = ldp_engine_query(e, sql, &res);
	if (rc)
		return ldp_error_wrap(rc, "run_query");
	size_t nc = ldp_result_column_count(res);
	jj_val table = jj_dict_new(rt), rows = jj_list_new(rt), cols = jj_list_new(rt), names = jj_list_new(rt);
	table.u.dict->is_object = 1;
	jj_val *colvals = ldp_arena_calloc(jj_rt_arena(rt), nc ? nc : 1, sizeof *colvals);
	for (size_t k = 0; k < nc; k++) {
		colvals[k] = jj_list_new(rt);
		jj_list_push(rt, names.u.list, jj_str(rt, ldp_result_column_name(res, k)));
	}
	ldp_chunk *c;
	while ((rc = ldp_result_fetch(res, &c)) == 0 && c) {
		for (size_t i = 0; i < ldp_chunk_rows(c); i++) {
			jj_val row = jj_dict_new(rt);
			row.u.dict->is_row = 1;
			for (size_t k = 0; k < nc; k++) {
				jj_val v = cell(rt, c, res, k, i);
				jj_dict_set(rt, row.u.dict, ldp_result_column_name(res, k), v);
				jj_list_push(rt, colvals[k].u.list, v);
			}
			jj_list_push(rt, rows.u.list, row);
		}
	}
	for (size_t k = 0; !rc && k < nc; k++) {
		jj_val col = jj_dict_new(rt);
		col.u.dict->is_object = 1;
		jj_dict_set(rt, col.u.dict, "name", jj_str(rt, ldp_result_column_name(res, k)));
		jj_dict_set(rt, col.u.dict, "data_type", jj_str(rt, ldp_result_column_type(res, k)));
		jj_dict_set(rt, col.u.dict, "values", jj_func_new(rt, "values", f_column_values, &colvals[k]));
		jj_list_push(rt, cols.u.list, col);
	}
	ldp_result_free(res);
	jj_dict_set(rt, table.u.dict, "rows", rows);
	jj_dict_set(rt, table.u.dict, "columns", cols);
	jj_dict_set(rt, table.u.dict, "column_names", names);
	*out = table;
	return rc;
}

static int setup(jj_rt *rt, dbt_render *r)
{
	dbt_project *p = r->p;
	struct {
		const char *name;
		jj_native_fn fn;
	} fns[] = {{"ref", f_ref},         {"source", f_source},
		   {"var", f_var},         {"is_incremental", f_is_incremental}, {"env_var", f_env_var},
		   {"log", f_log},         {"run_query", f_run_query}};
	int rc = 0;
	for (size_t i = 0; !rc && i < sizeof fns / sizeof fns[0]; i++)
		rc = jj_rt_set_global(rt, fns[i].name, jj_func_new(rt, fns[i].name, fns[i].fn, r));
	jj_val cfgfn = jj_func_new(rt, "config", f_config, r), attrs = jj_dict_new(rt);
	if (!cfgfn.u.fn || !attrs.u.dict)
		return LDP_ENOMEM;
	jj_dict_set(rt, attrs.u.dict, "get", jj_func_new(rt, "config.get", f_config_get, r));
	jj_dict_set(rt, attrs.u.dict, "require", jj_func_new(rt, "config.require", f_config_require, r));
	cfgfn.u.fn->attrs = attrs.u.dict;
	jj_rt_set_global(rt, "config", cfgfn);
	jj_val target = jj_dict_new(rt);
	target.u.dict->is_object = 1;
	jj_dict_set(rt, target.u.dict, "name", jj_str(rt, p->target_name));
	jj_dict_set(rt, target.u.dict, "schema", jj_str(rt, p->target_schema));
	jj_dict_set(rt, target.u.dict, "type", jj_str(rt, p->target_type));
	jj_dict_set(rt, target.u.dict, "threads", jj_int(p->threads));
	jj_dict_set(rt, target.u.dict, "database", jj_str(rt, "ldp"));
	jj_dict_set(rt, target.u.dict, "profile_name", jj_str(rt, p->profile ? p->profile : ""));
	jj_rt_set_global(rt, "target", target);
	jj_rt_set_global(rt, "execute", jj_bool(!r->parse));
	jj_rt_set_global(rt, "project_name", jj_str(rt, p->name));
	jj_val exc = jj_dict_new(rt);
	exc.u.dict->is_object = 1;
	jj_dict_set(rt, exc.u.dict, "raise_compiler_error", jj_func_new(rt, "raise_compiler_error", f_raise, r));
	jj_rt_set_global(rt, "exceptions", exc);
	dbt_node *n = r->node;
	if (n->kind != DBT_TEST)
		jj_rt_set_global(rt, "this", relation_val(rt, n, NULL));
	jj_val model = jj_dict_new(rt);
	jj_dict_set(rt, model.u.dict, "name", jj_str(rt, n->name));
	jj_dict_set(rt, model.u.dict, "unique_id", jj_str(rt, n->unique_id));
	jj_dict_set(rt, model.u.dict, "schema", jj_str(rt, n->schema ? n->schema : p->target_schema));
	jj_val cfg;
	if (!rc)
		rc = jj_from_json(rt, n->config, &cfg);
	if (!rc)
		jj_dict_set(rt, model.u.dict, "config", cfg);
	jj_rt_set_global(rt, "model", model);
	return rc;
}

/* The SQL of a generic test: test_<name>(model=..., column_name=..., args). */
static int render_generic_test(jj_rt *rt, dbt_render *r, ldp_buf *out)
{
	dbt_node *n = r->node;
	const char *test = json_string_value(json_object_get(n->meta, "test_name"));
	char mname[300];
	snprintf(mname, sizeof mname, "test_%s", test);
	const jj_macro *m = jj_env_macro(r->p->env, mname);
	if (!m)
		return ldp_error_set(LDP_EINVALID, "%s: unknown test '%s' on %s (built in: not_null, unique, accepted_values, relationships; "
				     "others need a {%% test %s(model, column_name) %%} definition)",
				     json_string_value(json_object_get(n->meta, "file")), test, r->p->nodes[n->attached].name, test);
	dbt_node *target = &r->p->nodes[n->attached];
	if (r->parse && dbt_add_dep(n, n->attached))
		return LDP_ENOMEM;
	const char *where = json_string_value(json_object_get(n->config, "where"));
	jj_val model;
	if (where) {
		ldp_buf b = LDP_BUF_INIT;
		ldp_buf_puts(&b, "(select * from ");
		dbt_relation(target, &b);
		ldp_buf_printf(&b, " where %s) dbt_subquery", where);
		model = relation_val(rt, target, ldp_buf_cstr(&b));
		ldp_buf_free(&b);
	} else {
		model = relation_val(rt, target, NULL);
	}
	json_t *kw = json_object_get(n->meta, "kwargs");
	size_t nk = json_object_size(kw) + 2, k = 0;
	const char **names = ldp_arena_calloc(jj_rt_arena(rt), nk, sizeof *names);
	jj_val *vals = ldp_arena_calloc(jj_rt_arena(rt), nk, sizeof *vals);
	names[k] = "model", vals[k++] = model;
	if (n->test_column)
		names[k] = "column_name", vals[k++] = jj_str(rt, n->test_column);
	const char *key;
	json_t *v;
	json_object_foreach(kw, key, v)
	{
		int rc;
		names[k] = key;
		/* dbt renders string arguments such as `to: ref('customers')` */
		const char *s = json_string_value(v);
		if (s && (strstr(s, "ref(") || strstr(s, "source(")) && r->parse) {
			jj_template *t;
			char *src = malloc(strlen(s) + 8);
			sprintf(src, "{{ %s }}", s);
			rc = jj_parse(r->p->env, json_string_value(json_object_get(n->meta, "file")), src, &t);
			free(src);
			ldp_buf b = LDP_BUF_INIT;
			if (!rc)
				rc = jj_render(rt, t, &b);
			if (!rc)
				json_object_set_new(kw, key, json_string(ldp_buf_cstr(&b)));
			ldp_buf_free(&b);
			if (rc)
				return rc;
			v = json_object_get(kw, key);
		}
		if ((rc = jj_from_json(rt, v, &vals[k++])))
			return rc;
	}
	jj_args args = {NULL, 0, names, vals, k};
	jj_val res;
	int rc = jj_call_macro(rt, m, &args, &res);
	if (!rc)
		rc = jj_to_string(rt, &res, out);
	return rc;
}

int dbt_render_node(dbt_render *r, ldp_buf *out)
{
	jj_rt *rt;
	int rc = jj_rt_new(r->p->env, &rt);
	if (rc)
		return rc;
	rc = setup(rt, r);
	if (!rc && r->node->kind == DBT_TEST && !r->node->tmpl)
		rc = render_generic_test(rt, r, out);
	else if (!rc && r->node->tmpl)
		rc = jj_render(rt, r->node->tmpl, out);
	jj_rt_free(rt);
	return rc;
}

/* The leading WITH keyword of a query (after comments), or NULL. */
static const char *leading_with(const char *s)
{
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (s[0] == '-' && s[1] == '-') {
			s = strchr(s, '\n');
			if (!s)
				return NULL;
			continue;
		}
		if (s[0] == '/' && s[1] == '*') {
			s = strstr(s + 2, "*/");
			if (!s)
				return NULL;
			s += 2;
			continue;
		}
		break;
	}
	return strncasecmp(s, "with", 4) == 0 && isspace((unsigned char)s[4]) ? s : NULL;
}

/* Ephemeral models, deepest first, each once. */
static int collect_ctes(dbt_project *p, size_t idx, dbt_worker *w, ldp_buf *ctes, size_t *done, size_t *ndone, int depth)
{
	if (depth > 50)
		return ldp_error_set(LDP_EINVALID, "ephemeral models nest deeper than 50 (a cycle?)");
	for (size_t i = 0; i < *ndone; i++)
		if (done[i] == idx)
			return 0;
	dbt_render r;
	memset(&r, 0, sizeof r);
	r.p = p;
	r.node = &p->nodes[idx];
	r.w = w;
	ldp_buf sql = LDP_BUF_INIT;
	int rc = dbt_render_node(&r, &sql);
	for (size_t i = 0; !rc && i < r.nctes; i++)
		rc = collect_ctes(p, r.ctes[i], w, ctes, done, ndone, depth + 1);
	if (!rc && *ndone < 256) {
		done[(*ndone)++] = idx;
		ldp_buf_printf(ctes, "%s__dbt__cte__%s as (\n%s\n)", ctes->len ? ",\n" : "", p->nodes[idx].name, ldp_buf_cstr(&sql));
	}
	if (rc)
		ldp_error_wrap(rc, "ephemeral model %s", p->nodes[idx].name);
	ldp_buf_free(&sql);
	return rc;
}

int dbt_compile_node(dbt_project *p, dbt_node *n, dbt_worker *w, int is_incremental, ldp_buf *out)
{
	dbt_render r;
	memset(&r, 0, sizeof r);
	r.p = p;
	r.node = n;
	r.w = w;
	r.is_incremental = is_incremental;
	ldp_buf sql = LDP_BUF_INIT, ctes = LDP_BUF_INIT;
	int rc = dbt_render_node(&r, &sql);
	size_t done[256], ndone = 0;
	for (size_t i = 0; !rc && i < r.nctes; i++)
		rc = collect_ctes(p, r.ctes[i], w, &ctes, done, &ndone, 0);
	if (!rc && ctes.len) {
		const char *s = ldp_buf_cstr(&sql), *wpos = leading_with(s);
		if (wpos) {
			/* dbt's CTE injection: the ephemeral CTEs go first in the model's own WITH */
			ldp_buf_put(out, s, (size_t)(wpos - s) + 4);
			ldp_buf_printf(out, " %s,\n%s", ldp_buf_cstr(&ctes), wpos + 4);
		} else {
			ldp_buf_printf(out, "with %s\n%s", ldp_buf_cstr(&ctes), s);
		}
	} else if (!rc) {
		ldp_buf_put(out, sql.ptr ? sql.ptr : "", sql.len);
	}
	ldp_buf_free(&sql);
	ldp_buf_free(&ctes);
	return rc ? rc : ldp_buf_oom(out);
}
