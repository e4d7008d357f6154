/*
 * The DAG: parse-time rendering (refs, sources, config()), resolved
 * materialization/schema/alias, cycle detection, and node selection with
 * dbt's syntax: name (or glob), +name, name+, n+name, name+n, tag:, path:,
 * source:, resource_type:, config.materialized:, comma intersections,
 * space-separated unions, --exclude.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "transform/dbt_internal.h"

static const char *cfg_str(const dbt_node *n, const char *key)
{
	return json_string_value(json_object_get(n->config, key));
}

/* dbt's default generate_schema_name, or the project's own macro. */
static int resolve_schema(dbt_project *p, dbt_node *n)
{
	const char *custom = cfg_str(n, "schema");
	const jj_macro *m = jj_env_macro(p->env, "generate_schema_name");
	if (m) {
		jj_rt *rt;
		int rc = jj_rt_new(p->env, &rt);
		if (rc)
			return rc;
		jj_val node = jj_dict_new(rt), res;
		jj_dict_set(rt, node.u.dict, "name", jj_str(rt, n->name));
		jj_dict_set(rt, node.u.dict, "unique_id", jj_str(rt, n->unique_id));
		jj_dict_set(rt, node.u.dict, "fqn", jj_list_new(rt));
		jj_val target = jj_dict_new(rt);
		target.u.dict->is_object = 1;
		jj_dict_set(rt, target.u.dict, "schema", jj_str(rt, p->target_schema));
		jj_dict_set(rt, target.u.dict, "name", jj_str(rt, p->target_name));
		jj_rt_set_global(rt, "target", target);
		jj_val args[2] = {custom ? jj_str(rt, custom) : jj_none(), node};
		jj_args a = {args, 2, NULL, NULL, 0};
		const char *s = NULL;
		rc = jj_call_macro(rt, m, &a, &res);
		if (!rc)
			rc = jj_str_of(rt, &res, &s);
		if (!rc) {
			/* the macro's text output has the template's whitespace around it */
			while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
				s++;
			size_t len = strlen(s);
			while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t' || s[len - 1] == '\r'))
				len--;
			n->schema = strndup(s, len);
		}
		jj_rt_free(rt);
		return rc ? ldp_error_wrap(rc, "generate_schema_name for %s", n->name) : 0;
	}
	if (custom) {
		ldp_buf b = LDP_BUF_INIT;
		ldp_buf_printf(&b, "%s_%s", p->target_schema, custom);
		n->schema = ldp_buf_detach(&b);
	} else {
		n->schema = strdup(p->target_schema);
	}
	return n->schema ? 0 : LDP_ENOMEM;
}

int dbt_parse_all(dbt_project *p)
{
	/* config() calls can change schema/alias/materialized, so relations are
	 * resolved after each node's parse render; refs render with whatever the
	 * target has so far, which at parse time is only used for dependencies. */
	for (size_t i = 0; i < p->n; i++) {
		dbt_node *n = &p->nodes[i];
		if (n->kind == DBT_SOURCE)
			continue;
		if (n->kind == DBT_MODEL || n->kind == DBT_TEST) {
			dbt_render r;
			memset(&r, 0, sizeof r);
			r.p = p;
			r.node = n;
			r.parse = 1;
			ldp_buf out = LDP_BUF_INIT;
			int rc = dbt_render_node(&r, &out);
			ldp_buf_free(&out);
			if (rc)
				return ldp_error_wrap(rc, "parsing %s %s", n->kind == DBT_MODEL ? "model" : "test", n->name);
			n = &p->nodes[i];
		}
		const char *mat = cfg_str(n, "materialized");
		if (n->kind == DBT_SEED)
			mat = "seed";
		else if (n->kind == DBT_TEST)
			mat = "test";
		else if (!mat)
			mat = "view";
		if (n->kind == DBT_MODEL && strcmp(mat, "view") && strcmp(mat, "table") && strcmp(mat, "incremental") &&
		    strcmp(mat, "ephemeral"))
			return ldp_error_set(LDP_EUNSUPPORTED,
					     "%s: materialized='%s' is not supported (use view, table, incremental or ephemeral)",
					     n->path, mat);
		n->materialized = strdup(mat);
		json_t *en = json_object_get(n->config, "enabled");
		if (json_is_false(en))
			n->disabled = 1;
		if (json_object_get(n->config, "pre-hook") || json_object_get(n->config, "post-hook") ||
		    json_object_get(n->config, "pre_hook") || json_object_get(n->config, "post_hook"))
			return ldp_error_set(LDP_EUNSUPPORTED, "%s: pre-hook/post-hook are not supported yet", n->path ? n->path : n->name);
		if (n->kind == DBT_TEST) {
			const char *sev = cfg_str(n, "severity");
			if (sev) {
				free(n->severity);
				n->severity = strdup(strcasecmp(sev, "warn") == 0 ? "warn" : "error");
			}
			continue;
		}
		int rc = resolve_schema(p, n);
		if (rc)
			return rc;
		const char *alias = cfg_str(n, "alias");
		n->alias = strdup(alias ? alias : n->name);
	}
	/* a test of a disabled node is disabled too */
	for (size_t i = 0; i < p->n; i++)
		if (p->nodes[i].kind == DBT_TEST && p->nodes[i].attached != (size_t)-1 && p->nodes[p->nodes[i].attached].disabled)
			p->nodes[i].disabled = 1;
	for (size_t i = 0; i < p->n; i++)
		for (size_t k = 0; k < p->nodes[i].ndeps; k++)
			if (p->nodes[p->nodes[i].deps[k]].disabled && !p->nodes[i].disabled)
				return ldp_error_set(LDP_EINVALID, "%s depends on %s, which is disabled (enabled: false)",
						     p->nodes[i].name, p->nodes[p->nodes[i].deps[k]].name);
	return 0;
}

/* Depth-first search with colours; a back edge is a cycle. */
static int visit(dbt_project *p, size_t i, char *colour, size_t *stack, size_t depth)
{
	if (colour[i] == 2)
		return 0;
	stack[depth] = i;
	if (colour[i] == 1) {
		ldp_buf b = LDP_BUF_INIT;
		size_t s = depth;
		while (s > 0 && stack[s - 1] != i)
			s--;
		for (size_t k = s ? s - 1 : 0; k <= depth; k++)
			ldp_buf_printf(&b, "%s%s", k > (s ? s - 1 : 0) ? " -> " : "", p->nodes[stack[k]].name);
		int rc = ldp_error_set(LDP_EINVALID, "the models form a cycle: %s", ldp_buf_cstr(&b));
		ldp_buf_free(&b);
		return rc;
	}
	colour[i] = 1;
	for (size_t k = 0; k < p->nodes[i].ndeps; k++) {
		int rc = visit(p, p->nodes[i].deps[k], colour, stack, depth + 1);
		if (rc)
			return rc;
	}
	colour[i] = 2;
	return 0;
}

int dbt_check_cycles(dbt_project *p)
{
	char *colour = calloc(p->n + 1, 1);
	size_t *stack = calloc(p->n + 2, sizeof *stack);
	int rc = colour && stack ? 0 : ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < p->n; i++)
		rc = visit(p, i, colour, stack, 0);
	free(colour);
	free(stack);
	return rc;
}

/* ---- selection ---- */

static void mark_up(dbt_project *p, size_t i, int depth, char *set)
{
	for (size_t k = 0; k < p->nodes[i].ndeps; k++) {
		size_t d = p->nodes[i].deps[k];
		if (depth != 0 && !set[d]) {
			set[d] = 1;
			mark_up(p, d, depth < 0 ? -1 : depth - 1, set);
		}
	}
}

static void mark_down(dbt_project *p, size_t i, int depth, char *set)
{
	if (depth == 0)
		return;
	for (size_t j = 0; j < p->n; j++)
		for (size_t k = 0; k < p->nodes[j].ndeps; k++)
			if (p->nodes[j].deps[k] == i && !set[j]) {
				set[j] = 1;
				mark_down(p, j, depth < 0 ? -1 : depth - 1, set);
			}
}

static int has_tag(const dbt_node *n, const char *tag)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(n->config, "tags"), i, t)
	if (json_is_string(t) && fnmatch(tag, json_string_value(t), 0) == 0)
		return 1;
	return 0;
}

static int matches(const dbt_project *p, const dbt_node *n, const char *method, const char *value)
{
	static const char *const types[] = {"model", "seed", "test", "source"};
	if (!method) {
		if (strchr(value, '/'))
			method = "path";
		else if (fnmatch(value, n->name, 0) == 0)
			return 1;
		else
			return n->kind == DBT_SOURCE ? 0 : (strcmp(value, p->name) == 0); /* the project name selects all */
	}
	if (!strcmp(method, "tag"))
		return has_tag(n, value);
	if (!strcmp(method, "path") || !strcmp(method, "file")) {
		if (!n->path || n->kind == DBT_SOURCE)
			return 0;
		size_t k = strlen(value);
		while (k && value[k - 1] == '/')
			k--;
		return strncmp(n->path, value, k) == 0 && (n->path[k] == '/' || n->path[k] == 0 || value[k - 1] == '/') ? 1
		       : fnmatch(value, n->path, 0) == 0;
	}
	if (!strcmp(method, "source"))
		return n->kind == DBT_SOURCE && (fnmatch(value, n->name, 0) == 0 ||
						 (strncmp(n->name, value, strlen(value)) == 0 && n->name[strlen(value)] == '.'));
	if (!strcmp(method, "resource_type"))
		return strcmp(types[n->kind], value) == 0;
	if (!strcmp(method, "config.materialized"))
		return n->materialized && strcmp(n->materialized, value) == 0;
	if (!strcmp(method, "test_type"))
		return n->kind == DBT_TEST && (!strcmp(value, "generic") ? n->tmpl == NULL : n->tmpl != NULL);
	if (!strcmp(method, "test_name"))
		return n->kind == DBT_TEST && n->meta && json_is_string(json_object_get(n->meta, "test_name")) &&
		       strcmp(json_string_value(json_object_get(n->meta, "test_name")), value) == 0;
	return -1;
}

/* One selector term (no spaces, no commas) into set. */
static int select_term(dbt_project *p, const char *term, char *set)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", term);
	char *s = buf;
	int up = 0, down = 0; /* 0 none, -1 all, n levels */
	char *plus = strchr(s, '+');
	if (plus && (plus == s || (strspn(s, "0123456789") == (size_t)(plus - s)))) {
		up = plus == s ? -1 : atoi(s);
		s = plus + 1;
	}
	size_t len = strlen(s);
	char *tp = strrchr(s, '+');
	if (tp && (tp[1] == 0 || strspn(tp + 1, "0123456789") == strlen(tp + 1))) {
		down = tp[1] ? atoi(tp + 1) : -1;
		*tp = 0;
		len = strlen(s);
	}
	if (!len)
		return ldp_error_set(LDP_EINVALID, "selector '%s' names nothing", term);
	const char *method = NULL, *value = s;
	char *colon = strchr(s, ':');
	if (colon) {
		*colon = 0;
		method = s;
		value = colon + 1;
	}
	char *hit = calloc(p->n + 1, 1);
	if (!hit)
		return LDP_ENOMEM;
	int any = 0;
	for (size_t i = 0; i < p->n; i++) {
		int m = matches(p, &p->nodes[i], method, value);
		if (m < 0) {
			free(hit);
			return ldp_error_set(LDP_EINVALID,
					     "selector '%s': unknown method '%s' (ldp knows tag:, path:, source:, "
					     "resource_type:, config.materialized:, test_type:, test_name:)",
					     term, method);
		}
		if (m)
			hit[i] = 1, any = 1;
	}
	for (size_t i = 0; i < p->n; i++) {
		if (!hit[i])
			continue;
		set[i] = 1;
		if (up)
			mark_up(p, i, up, set);
		if (down)
			mark_down(p, i, down, set);
	}
	free(hit);
	(void)any;
	return 0;
}

/* A whole --select/--exclude argument: unions of space-separated terms,
 * each an intersection of comma-separated terms. */
static int select_arg(dbt_project *p, const char *arg, char *set)
{
	char *copy = strdup(arg);
	char *tmp = calloc(p->n + 1, 1), *acc = calloc(p->n + 1, 1);
	int rc = copy && tmp && acc ? 0 : LDP_ENOMEM;
	for (char *save = NULL, *u = rc ? NULL : strtok_r(copy, " \t", &save); u && !rc; u = strtok_r(NULL, " \t", &save)) {
		memset(acc, 1, p->n);
		for (char *s2 = NULL, *t = strtok_r(u, ",", &s2); t && !rc; t = strtok_r(NULL, ",", &s2)) {
			memset(tmp, 0, p->n);
			rc = select_term(p, t, tmp);
			for (size_t i = 0; i < p->n; i++)
				acc[i] &= tmp[i];
		}
		for (size_t i = 0; i < p->n; i++)
			set[i] |= acc[i];
	}
	free(copy);
	free(tmp);
	free(acc);
	return rc;
}

static int wanted_kind(ldp_dbt_command cmd, dbt_kind k, const char *rtype)
{
	static const char *const types[] = {"model", "seed", "test", "source"};
	switch (cmd) {
	case LDP_DBT_RUN: return k == DBT_MODEL;
	case LDP_DBT_SEED: return k == DBT_SEED;
	case LDP_DBT_TEST: return k == DBT_TEST;
	case LDP_DBT_COMPILE: return k == DBT_MODEL || k == DBT_TEST;
	case LDP_DBT_BUILD: return k != DBT_SOURCE;
	case LDP_DBT_LS: return !rtype || strcmp(rtype, types[k]) == 0;
	case LDP_DBT_DOCS: return 1;
	}
	return 0;
}

int dbt_select(dbt_project *p, ldp_dbt_command cmd)
{
	const ldp_dbt_options *o = p->opts;
	char *sel = calloc(p->n + 1, 1), *ex = calloc(p->n + 1, 1);
	int rc = sel && ex ? 0 : LDP_ENOMEM;
	if (!rc && o->nselect == 0)
		memset(sel, 1, p->n);
	for (size_t i = 0; !rc && i < o->nselect; i++)
		rc = select_arg(p, o->select[i], sel);
	for (size_t i = 0; !rc && i < o->nexclude; i++)
		rc = select_arg(p, o->exclude[i], ex);
	if (!rc) {
		/* tests come along with the nodes they test (dbt's "eager" indirect selection) */
		for (size_t i = 0; i < p->n; i++) {
			dbt_node *n = &p->nodes[i];
			if (n->kind != DBT_TEST || sel[i])
				continue;
			for (size_t k = 0; k < n->ndeps; k++)
				if (sel[n->deps[k]] && !ex[n->deps[k]])
					sel[i] = 1;
		}
		for (size_t i = 0; i < p->n; i++) {
			dbt_node *n = &p->nodes[i];
			n->selected = sel[i] && !ex[i] && !n->disabled && wanted_kind(cmd, n->kind, o->resource_type);
		}
	}
	free(sel);
	free(ex);
	return rc;
}
