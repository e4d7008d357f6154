/*
 * Property files (the .yml files under models/, seeds/, tests/): descriptions, columns, config, sources,
 * and generic tests, in both forms dbt accepts:
 *
 *   - accepted_values: {values: [a, b], config: {severity: warn}}
 *   - accepted_values: {arguments: {values: [a, b]}, config: {...}}
 *
 * A generic test becomes a test node whose SQL is the test macro
 * (test_<name>: built in for not_null, unique, accepted_values and
 * relationships; user-defined via {% test %}) called with model and
 * column_name plus the arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldp/error.h"
#include "transform/dbt_internal.h"

void dbt_merge_config(json_t *dst, json_t *src);

/* Keys of a test entry that are not arguments of the test macro. */
static int is_test_meta_key(const char *k)
{
	static const char *const keys[] = {"config", "severity", "where", "tags", "name", "description", "meta",
					   "arguments", "enabled", "limit", "warn_if", "error_if", "store_failures", NULL};
	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(keys[i], k))
			return 1;
	return 0;
}

static void sanitize(ldp_buf *b, const char *s)
{
	for (; *s && b->len < 200; s++) {
		char c = *s;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		ldp_buf_putc(b, ok ? c : '_');
	}
}

static int add_generic_test(dbt_project *p, const char *file, size_t attached, const char *column, json_t *spec)
{
	const char *test = NULL;
	json_t *body = NULL;
	if (json_is_string(spec)) {
		test = json_string_value(spec);
	} else if (json_is_object(spec) && json_object_size(spec) == 1) {
		test = json_object_iter_key(json_object_iter(spec));
		body = json_object_iter_value(json_object_iter(spec));
	} else if (json_is_object(spec) && json_is_string(json_object_get(spec, "test_name"))) {
		test = json_string_value(json_object_get(spec, "test_name"));
		body = spec;
	} else {
		return ldp_error_set(LDP_EINVALID, "%s: a test of %s must be a name or a mapping with one key (the test name)",
				     file, p->nodes[attached].name);
	}
	if (strchr(test, '.'))
		return ldp_error_set(LDP_EUNSUPPORTED,
				     "%s: test '%s' on %s comes from a package; dbt packages are not supported (define it "
				     "with {%% test %%} in macros/ instead)",
				     file, test, p->nodes[attached].name);
	json_t *kwargs = json_object();
	json_t *cfg = json_object();
	if (json_is_object(body)) {
		json_t *args = json_object_get(body, "arguments");
		const char *k;
		json_t *v;
		if (json_is_object(args))
			json_object_update(kwargs, args);
		json_object_foreach(body, k, v)
		if (!is_test_meta_key(k) && strcmp(k, "test_name") != 0)
			json_object_set(kwargs, k, v);
		if (json_is_object(json_object_get(body, "config")))
			dbt_merge_config(cfg, json_object_get(body, "config"));
		static const char *const top[] = {"severity", "where", "tags", "enabled", NULL};
		for (size_t i = 0; top[i]; i++)
			if (json_object_get(body, top[i]))
				json_object_set(cfg, top[i], json_object_get(body, top[i]));
	}
	/* a readable, unique name as dbt makes them: test_model_column__args */
	ldp_buf name = LDP_BUF_INIT;
	if (json_is_object(body) && json_is_string(json_object_get(body, "name"))) {
		ldp_buf_puts(&name, json_string_value(json_object_get(body, "name")));
	} else {
		dbt_node *m = &p->nodes[attached];
		ldp_buf_printf(&name, "%s%s_", m->kind == DBT_SOURCE ? "source_" : "", test);
		sanitize(&name, m->name);
		if (column) {
			ldp_buf_putc(&name, '_');
			sanitize(&name, column);
		}
		const char *k;
		json_t *v;
		json_object_foreach(kwargs, k, v)
		{
			ldp_buf_puts(&name, "__");
			if (json_is_array(v)) {
				size_t i;
				json_t *x;
				json_array_foreach(v, i, x)
				{
					if (i)
						ldp_buf_puts(&name, "__");
					char *t = json_is_string(x) ? strdup(json_string_value(x)) : json_dumps(x, JSON_ENCODE_ANY);
					sanitize(&name, t ? t : "");
					free(t);
				}
			} else {
				char *t = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
				sanitize(&name, t ? t : "");
				free(t);
			}
		}
	}
	char base[256];
	snprintf(base, sizeof base, "%s", ldp_buf_cstr(&name));
	for (int k = 2; dbt_find(p, DBT_TEST, ldp_buf_cstr(&name)) != (size_t)-1; k++) {
		ldp_buf_clear(&name);
		ldp_buf_printf(&name, "%s_%d", base, k);
	}
	dbt_node *n;
	int rc = dbt_add_node(p, DBT_TEST, ldp_buf_cstr(&name), &n);
	ldp_buf_free(&name);
	if (rc) {
		json_decref(kwargs);
		json_decref(cfg);
		return rc;
	}
	n->attached = attached;
	n->test_column = column ? strdup(column) : NULL;
	n->meta = json_pack("{s:s, s:o, s:s}", "test_name", test, "kwargs", kwargs, "file", file);
	dbt_merge_config(n->config, cfg);
	json_decref(cfg);
	const char *sev = json_string_value(json_object_get(n->config, "severity"));
	n->severity = strdup(sev && !strcasecmp(sev, "warn") ? "warn" : "error");
	n->fqn_dir = strdup(p->nodes[attached].fqn_dir ? p->nodes[attached].fqn_dir : "");
	json_t *en = json_object_get(n->config, "enabled");
	n->disabled = json_is_false(en);
	return 0;
}

static int add_tests(dbt_project *p, const char *file, size_t attached, const char *column, json_t *entry)
{
	json_t *tests = json_object_get(entry, "data_tests");
	if (!tests)
		tests = json_object_get(entry, "tests");
	if (!tests)
		return 0;
	if (!json_is_array(tests))
		return ldp_error_set(LDP_EINVALID, "%s: tests of %s must be a list", file, p->nodes[attached].name);
	size_t i;
	json_t *t;
	json_array_foreach(tests, i, t)
	{
		/* n is re-fetched: adding nodes may move the array */
		int rc = add_generic_test(p, file, attached, column, t);
		if (rc)
			return rc;
	}
	return 0;
}

static int apply_entry(dbt_project *p, const char *file, dbt_kind kind, json_t *e)
{
	const char *name = json_string_value(json_object_get(e, "name"));
	if (!name)
		return ldp_error_set(LDP_EINVALID, "%s: an entry without 'name'", file);
	size_t i = dbt_find(p, kind, name);
	if (i == (size_t)-1)
		return ldp_error_set(LDP_EINVALID, "%s: %s '%s' is described here but there is no such %s file", file,
				     kind == DBT_SEED ? "seed" : "model", name, kind == DBT_SEED ? "seed" : "model");
	dbt_node *n = &p->nodes[i];
	const char *desc = json_string_value(json_object_get(e, "description"));
	if (desc) {
		free(n->description);
		n->description = strdup(desc);
	}
	if (json_is_object(json_object_get(e, "config")))
		dbt_merge_config(n->config, json_object_get(e, "config"));
	json_t *cols = json_object_get(e, "columns");
	if (json_is_array(cols)) {
		json_decref(n->columns);
		n->columns = json_incref(cols);
	}
	json_decref(n->meta);
	n->meta = json_incref(e);
	int rc = add_tests(p, file, i, NULL, e);
	size_t k;
	json_t *c;
	json_array_foreach(cols, k, c)
	{
		const char *cn = json_string_value(json_object_get(c, "name"));
		if (!rc && cn)
			rc = add_tests(p, file, i, cn, c);
	}
	return rc;
}

static int apply_source(dbt_project *p, const char *file, json_t *s)
{
	const char *sname = json_string_value(json_object_get(s, "name"));
	if (!sname)
		return ldp_error_set(LDP_EINVALID, "%s: a source without 'name'", file);
	const char *schema = json_string_value(json_object_get(s, "schema"));
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(s, "tables"), i, t)
	{
		const char *tname = json_string_value(json_object_get(t, "name"));
		if (!tname)
			return ldp_error_set(LDP_EINVALID, "%s: a table of source %s without 'name'", file, sname);
		char full[512];
		snprintf(full, sizeof full, "%s.%s", sname, tname);
		dbt_node *n;
		int rc = dbt_add_node(p, DBT_SOURCE, full, &n);
		if (rc)
			return rc;
		const char *ident = json_string_value(json_object_get(t, "identifier"));
		n->schema = strdup(schema ? schema : sname);
		n->alias = strdup(ident ? ident : tname);
		n->path = strdup(file);
		n->fqn_dir = strdup("");
		const char *desc = json_string_value(json_object_get(t, "description"));
		n->description = desc ? strdup(desc) : NULL;
		n->columns = json_incref(json_object_get(t, "columns"));
		n->meta = json_incref(t);
		n->materialized = strdup("source");
		size_t idx = p->n - 1;
		rc = add_tests(p, file, idx, NULL, t);
		size_t k;
		json_t *c;
		json_array_foreach(json_object_get(t, "columns"), k, c)
		{
			const char *cn = json_string_value(json_object_get(c, "name"));
			if (!rc && cn)
				rc = add_tests(p, file, idx, cn, c);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int dbt_apply_properties(dbt_project *p, const char *file, json_t *doc)
{
	if (!json_is_object(doc))
		return 0;
	int rc = 0;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(doc, "sources"), i, e) if (!rc) rc = apply_source(p, file, e);
	json_array_foreach(json_object_get(doc, "models"), i, e) if (!rc) rc = apply_entry(p, file, DBT_MODEL, e);
	json_array_foreach(json_object_get(doc, "seeds"), i, e) if (!rc) rc = apply_entry(p, file, DBT_SEED, e);
	if (!rc && json_object_get(doc, "snapshots") && json_array_size(json_object_get(doc, "snapshots")))
		rc = ldp_error_set(LDP_EUNSUPPORTED, "%s: snapshots are not supported", file);
	return rc;
}

/* dbt's four built-in generic tests; each returns the failing rows. A
 * project's own {% test %} or macro of the same name replaces them (they are
 * registered before the project's macros). */
static const char builtin_tests[] =
	"{% macro test_not_null(model, column_name) %}\n"
	"select {{ column_name }}\nfrom {{ model }}\nwhere {{ column_name }} is null\n"
	"{% endmacro %}\n"
	"{% macro test_unique(model, column_name) %}\n"
	"select {{ column_name }} as unique_field, count(*) as n_records\nfrom {{ model }}\n"
	"where {{ column_name }} is not null\ngroup by {{ column_name }}\nhaving count(*) > 1\n"
	"{% endmacro %}\n"
	"{% macro test_accepted_values(model, column_name, values, quote=true) %}\n"
	"with all_values as (\n  select {{ column_name }} as value_field, count(*) as n_records\n"
	"  from {{ model }}\n  group by {{ column_name }}\n)\nselect *\nfrom all_values\nwhere value_field not in (\n"
	"  {% for v in values %}{% if quote %}'{{ v | replace(\"'\", \"''\") }}'{% else %}{{ v }}{% endif %}"
	"{% if not loop.last %}, {% endif %}{% endfor %}\n)\n"
	"{% endmacro %}\n"
	"{% macro test_relationships(model, column_name, to, field) %}\n"
	"with child as (\n  select {{ column_name }} as from_field\n  from {{ model }}\n"
	"  where {{ column_name }} is not null\n),\nparent as (\n  select {{ field }} as to_field\n  from {{ to }}\n)\n"
	"select from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\n"
	"where parent.to_field is null\n"
	"{% endmacro %}\n";

int dbt_builtin_macros(jj_env *env)
{
	jj_template *t;
	int rc = jj_parse(env, "<ldp built-in tests>", builtin_tests, &t);
	return rc ? rc : jj_env_add_macros(env, t);
}
