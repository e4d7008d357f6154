/*
 * Loading a dbt project: dbt_project.yml (or ldp.yml alone), profiles.yml,
 * vars, macros, models, seeds, singular tests and property files, and the
 * `models:` / `seeds:` / `tests:` config blocks of dbt_project.yml applied
 * by folder (dbt's fqn: project name, folders, node name).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ldp/error.h"
#include "ldp/yaml.h"
#include "transform/dbt_internal.h"

char *dbt_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	ldp_buf b = LDP_BUF_INIT;
	char tmp[8192];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		ldp_buf_put(&b, tmp, k);
	fclose(f);
	ldp_buf_putc(&b, 0);
	b.len--;
	return ldp_buf_detach(&b);
}

int dbt_add_node(dbt_project *p, dbt_kind kind, const char *name, dbt_node **out)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		dbt_node *nn = realloc(p->nodes, nc * sizeof *nn);
		if (!nn)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		p->nodes = nn;
		p->cap = nc;
	}
	dbt_node *n = &p->nodes[p->n++];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->name = strdup(name);
	n->config = json_object();
	n->attached = (size_t)-1;
	static const char *const kinds[] = {"model", "seed", "test", "source"};
	ldp_buf u = LDP_BUF_INIT;
	ldp_buf_printf(&u, "%s.%s.%s", kinds[kind], p->name, name);
	n->unique_id = ldp_buf_detach(&u);
	if (!n->name || !n->config || !n->unique_id)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	*out = n;
	return 0;
}

size_t dbt_find(const dbt_project *p, dbt_kind kind, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->nodes[i].kind == kind && strcmp(p->nodes[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

int dbt_add_dep(dbt_node *n, size_t dep)
{
	for (size_t i = 0; i < n->ndeps; i++)
		if (n->deps[i] == dep)
			return 0;
	if (n->ndeps == n->capdeps) {
		size_t nc = n->capdeps ? n->capdeps * 2 : 4;
		size_t *nd = realloc(n->deps, nc * sizeof *nd);
		if (!nd)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		n->deps = nd;
		n->capdeps = nc;
	}
	n->deps[n->ndeps++] = dep;
	return 0;
}

void dbt_project_free(dbt_project *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		dbt_node *n = &p->nodes[i];
		free(n->name);
		free(n->unique_id);
		free(n->path);
		free(n->fqn_dir);
		free(n->raw);
		json_decref(n->config);
		free(n->schema);
		free(n->alias);
		free(n->materialized);
		free(n->description);
		json_decref(n->columns);
		json_decref(n->meta);
		free(n->deps);
		free(n->test_column);
		free(n->severity);
		free(n->compiled);
	}
	free(p->nodes);
	for (size_t i = 0; i < p->nmodel_paths; i++)
		free(p->model_paths[i]);
	for (size_t i = 0; i < p->nseed_paths; i++)
		free(p->seed_paths[i]);
	for (size_t i = 0; i < p->ntest_paths; i++)
		free(p->test_paths[i]);
	for (size_t i = 0; i < p->nmacro_paths; i++)
		free(p->macro_paths[i]);
	free(p->dir);
	free(p->name);
	free(p->profile);
	free(p->target_name);
	free(p->target_schema);
	free(p->target_type);
	free(p->target_path);
	json_decref(p->yml);
	json_decref(p->vars);
	jj_env_free(p->env);
	pthread_mutex_destroy(&p->ev_lock);
	free(p);
}

static int set_paths(json_t *yml, const char *key, const char *legacy, const char *def, char **paths, size_t *n)
{
	json_t *v = json_object_get(yml, key);
	if (!v && legacy)
		v = json_object_get(yml, legacy);
	if (!v) {
		paths[(*n)++] = strdup(def);
		return 0;
	}
	if (!json_is_array(v))
		return ldp_error_set(LDP_EINVALID, "dbt_project.yml: %s must be a list of folders", key);
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x) || *n == 8)
			return ldp_error_set(LDP_EINVALID, "dbt_project.yml: %s must be a list of at most 8 folder names", key);
		paths[(*n)++] = strdup(json_string_value(x));
	}
	return 0;
}

/* profiles.yml: the project dir, $DBT_PROFILES_DIR, ~/.dbt (dbt's order,
 * with --profiles-dir first). */
static int load_profile(dbt_project *p, const ldp_dbt_options *o)
{
	const char *dirs[4] = {o->profiles_dir, p->dir, getenv("DBT_PROFILES_DIR"), NULL};
	char home[PATH_MAX];
	if (getenv("HOME")) {
		snprintf(home, sizeof home, "%s/.dbt", getenv("HOME"));
		dirs[3] = home;
	}
	char path[PATH_MAX];
	int found = 0;
	for (size_t i = 0; i < 4 && !found; i++) {
		if (!dirs[i])
			continue;
		snprintf(path, sizeof path, "%s/profiles.yml", dirs[i]);
		struct stat st;
		found = stat(path, &st) == 0;
		if (!found && o->profiles_dir && i == 0)
			return ldp_error_set(LDP_ENOTFOUND, "%s does not exist (--profiles-dir)", path);
	}
	p->threads = 1;
	const char *target = o->target;
	const char *schema = "main", *type = "ldp";
	json_t *doc = NULL, *out = NULL;
	if (found && p->profile) {
		int rc = ldp_yaml_load_file(path, &doc);
		if (rc)
			return rc;
		json_t *prof = json_object_get(doc, p->profile);
		if (!json_is_object(prof)) {
			json_decref(doc);
			return ldp_error_set(LDP_ENOTFOUND, "%s has no profile '%s' (named by dbt_project.yml's profile:)", path,
					     p->profile);
		}
		if (!target)
			target = json_string_value(json_object_get(prof, "target"));
		if (!target)
			target = "dev";
		out = json_object_get(json_object_get(prof, "outputs"), target);
		if (!json_is_object(out)) {
			json_decref(doc);
			return ldp_error_set(LDP_ENOTFOUND, "%s: profile '%s' has no output (target) '%s'", path, p->profile,
					     target);
		}
		if (json_is_string(json_object_get(out, "schema")))
			schema = json_string_value(json_object_get(out, "schema"));
		if (json_is_string(json_object_get(out, "type")))
			type = json_string_value(json_object_get(out, "type"));
		if (json_is_integer(json_object_get(out, "threads")))
			p->threads = (int)json_integer_value(json_object_get(out, "threads"));
	}
	p->target_name = strdup(target ? target : "dev");
	p->target_schema = strdup(schema);
	p->target_type = strdup(type);
	json_decref(doc);
	if (o->threads > 0)
		p->threads = o->threads;
	if (p->threads < 1)
		p->threads = 1;
	if (p->threads > 64)
		p->threads = 64;
	return 0;
}

/* dbt vars: top-level keys apply everywhere; a mapping under the project's
 * name applies to this project (the only one ldp runs); --vars win. */
static int load_vars(dbt_project *p, const ldp_dbt_options *o)
{
	p->vars = json_object();
	json_t *v = json_object_get(p->yml, "vars");
	const char *k;
	json_t *x;
	if (json_is_object(v)) {
		json_object_foreach(v, k, x)
		if (strcmp(k, p->name) != 0)
			json_object_set(p->vars, k, x);
		json_t *mine = json_object_get(v, p->name);
		if (json_is_object(mine))
			json_object_update(p->vars, mine);
	}
	if (o->vars && *o->vars) {
		json_t *cli = NULL;
		int rc = ldp_yaml_loads(o->vars, strlen(o->vars), "--vars", &cli);
		if (rc)
			return rc;
		if (!json_is_object(cli)) {
			json_decref(cli);
			return ldp_error_set(LDP_EINVALID, "--vars must be a YAML mapping, e.g. '{start_date: 2024-01-01}'");
		}
		json_object_update(p->vars, cli);
		json_decref(cli);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef int (*walk_fn)(dbt_project *p, const char *rel, const char *sub, const char *abs, void *ud);

/* Files under dir (sorted, recursively); `rel` is the project-relative path,
 * `sub` the part below the resource folder. */
static int walk(dbt_project *p, const char *root, const char *sub, walk_fn fn, void *ud)
{
	char abs[PATH_MAX];
	if (snprintf(abs, sizeof abs, "%s/%s%s%s", p->dir, root, *sub ? "/" : "", sub) >= (int)sizeof abs)
		return ldp_error_set(LDP_EINVALID, "%s/%s/%s: path too long", p->dir, root, sub);
	DIR *d = opendir(abs);
	if (!d)
		return 0; /* a missing folder is an empty one, as in dbt */
	char **names = NULL;
	size_t nn = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char **t = realloc(names, (nn + 1) * sizeof *t);
		if (!t)
			break;
		names = t;
		names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof *names, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < nn; i++) {
		char s2[PATH_MAX], a2[PATH_MAX], r2[PATH_MAX];
		if (snprintf(s2, sizeof s2, "%s%s%s", sub, *sub ? "/" : "", names[i]) >= (int)sizeof s2 ||
		    snprintf(a2, sizeof a2, "%s/%s", abs, names[i]) >= (int)sizeof a2 ||
		    snprintf(r2, sizeof r2, "%s/%s", root, s2) >= (int)sizeof r2)
			rc = rc ? rc : ldp_error_set(LDP_EINVALID, "%s/%s: path too long", abs, names[i]);
		struct stat st;
		if (!rc && stat(a2, &st) == 0)
			rc = S_ISDIR(st.st_mode) ? walk(p, root, s2, fn, ud) : fn(p, r2, s2, a2, ud);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static char *base_name(const char *sub, const char *ext)
{
	const char *s = strrchr(sub, '/');
	s = s ? s + 1 : sub;
	return strndup(s, strlen(s) - strlen(ext));
}

static char *dir_of(const char *sub)
{
	const char *s = strrchr(sub, '/');
	return s ? strndup(sub, (size_t)(s - sub)) : strdup("");
}

typedef struct yml_list {
	char *path[512];
	json_t *doc[512];
	size_t n;
} yml_list;

static int collect_yml(dbt_project *p, const char *rel, const char *abs, yml_list *yl)
{
	(void)p;
	if (yl->n == 512)
		return ldp_error_set(LDP_EINVALID, "more than 512 property files");
	json_t *doc;
	int rc = ldp_yaml_load_file(abs, &doc);
	if (rc)
		return rc;
	yl->path[yl->n] = strdup(rel);
	yl->doc[yl->n++] = doc;
	return 0;
}

static int on_macro_file(dbt_project *p, const char *rel, const char *sub, const char *abs, void *ud)
{
	(void)sub;
	if (ends_with(rel, ".yml") || ends_with(rel, ".yaml"))
		return collect_yml(p, rel, abs, ud);
	if (!ends_with(rel, ".sql"))
		return 0;
	char *text = dbt_read_file(abs);
	if (!text)
		return ldp_error_set(LDP_EIO, "%s: %s", abs, strerror(errno));
	jj_template *t;
	int rc = jj_parse(p->env, rel, text, &t);
	free(text);
	if (!rc)
		rc = jj_env_add_macros(p->env, t);
	return rc;
}

static int add_file_node(dbt_project *p, dbt_kind kind, const char *rel, const char *sub, const char *abs,
			 const char *ext)
{
	char *name = base_name(sub, ext);
	if (!name)
		return LDP_ENOMEM;
	if (dbt_find(p, kind, name) != (size_t)-1) {
		int rc = ldp_error_set(LDP_EINVALID, "%s: a %s named '%s' already exists (names must be unique)", rel,
				       kind == DBT_SEED ? "seed" : kind == DBT_TEST ? "test" : "model", name);
		free(name);
		return rc;
	}
	dbt_node *n;
	int rc = dbt_add_node(p, kind, name, &n);
	free(name);
	if (rc)
		return rc;
	n->path = strdup(rel);
	n->fqn_dir = dir_of(sub);
	if (kind != DBT_SEED) {
		n->raw = dbt_read_file(abs);
		if (!n->raw)
			return ldp_error_set(LDP_EIO, "%s: %s", abs, strerror(errno));
		rc = jj_parse(p->env, rel, n->raw, &n->tmpl);
	}
	if (kind == DBT_TEST)
		n->severity = strdup("error");
	return rc;
}

static int on_model_file(dbt_project *p, const char *rel, const char *sub, const char *abs, void *ud)
{
	if (ends_with(rel, ".yml") || ends_with(rel, ".yaml"))
		return collect_yml(p, rel, abs, ud);
	if (ends_with(rel, ".py"))
		return ldp_error_set(LDP_EUNSUPPORTED, "%s: Python models are not supported (only SQL models)", rel);
	return ends_with(rel, ".sql") ? add_file_node(p, DBT_MODEL, rel, sub, abs, ".sql") : 0;
}

static int on_seed_file(dbt_project *p, const char *rel, const char *sub, const char *abs, void *ud)
{
	if (ends_with(rel, ".yml") || ends_with(rel, ".yaml"))
		return collect_yml(p, rel, abs, ud);
	return ends_with(rel, ".csv") ? add_file_node(p, DBT_SEED, rel, sub, abs, ".csv") : 0;
}

static int on_test_file(dbt_project *p, const char *rel, const char *sub, const char *abs, void *ud)
{
	if (ends_with(rel, ".yml") || ends_with(rel, ".yaml"))
		return collect_yml(p, rel, abs, ud);
	if (strncmp(sub, "generic/", 8) == 0 && ends_with(rel, ".sql")) /* {% test %} definitions */
		return on_macro_file(p, rel, sub, abs, NULL);
	return ends_with(rel, ".sql") ? add_file_node(p, DBT_TEST, rel, sub, abs, ".sql") : 0;
}

/* ---- config blocks of dbt_project.yml ---- */

static const char *const config_keys[] = {"materialized", "schema", "alias", "tags", "enabled", "unique_key",
					  "incremental_strategy", "column_types", "severity", "full_refresh", "docs",
					  "persist_docs", "pre-hook", "post-hook", "pre_hook", "post_hook", "database",
					  "meta", "grants", "on_schema_change", "contract", "quote_columns", "delimiter",
					  "where", "limit", "store_failures", "warn_if", "error_if", "group", "access",
					  "sql_header", "transient", "cluster_by", "partition_by", NULL};

static int is_config_key(const char *k)
{
	for (size_t i = 0; config_keys[i]; i++)
		if (strcmp(config_keys[i], k) == 0)
			return 1;
	return 0;
}

/* dbt merges tags (and meta) additively and lets later values win for
 * everything else. */
void dbt_merge_config(json_t *dst, json_t *src);
void dbt_merge_config(json_t *dst, json_t *src)
{
	const char *k;
	json_t *v;
	json_object_foreach(src, k, v)
	{
		const char *key = k[0] == '+' ? k + 1 : k;
		if (strcmp(key, "tags") == 0) {
			json_t *tags = json_object_get(dst, "tags");
			if (!json_is_array(tags)) {
				tags = json_array();
				json_object_set_new(dst, "tags", tags);
			}
			json_t *add = json_is_string(v) ? json_pack("[O]", v) : json_incref(v);
			size_t i;
			json_t *t;
			json_array_foreach(add, i, t)
			{
				int dup = 0;
				size_t j;
				json_t *u;
				json_array_foreach(tags, j, u) dup |= json_equal(t, u);
				if (!dup && json_is_string(t))
					json_array_append(tags, t);
			}
			json_decref(add);
		} else if (strcmp(key, "meta") == 0 && json_is_object(v) && json_is_object(json_object_get(dst, "meta"))) {
			json_object_update(json_object_get(dst, "meta"), v);
		} else {
			json_object_set(dst, key, v);
		}
	}
}

static void apply_level(json_t *cfg, json_t *level)
{
	const char *k;
	json_t *v;
	json_object_foreach(level, k, v)
	if (k[0] == '+' || (is_config_key(k) && (!json_is_object(v) || !strcmp(k, "column_types") || !strcmp(k, "meta") || !strcmp(k, "docs"))))
	{
		json_t *one = json_object();
		json_object_set(one, k, v);
		dbt_merge_config(cfg, one);
		json_decref(one);
	}
}

static void project_config(dbt_project *p, dbt_node *n)
{
	const char *block = n->kind == DBT_MODEL ? "models" : n->kind == DBT_SEED ? "seeds" : "data_tests";
	json_t *level = json_object_get(p->yml, block);
	if (!level && n->kind == DBT_TEST)
		level = json_object_get(p->yml, "tests");
	if (!json_is_object(level))
		return;
	apply_level(n->config, level);
	level = json_object_get(level, p->name);
	if (!json_is_object(level))
		return;
	apply_level(n->config, level);
	char dirs[PATH_MAX];
	snprintf(dirs, sizeof dirs, "%s", n->fqn_dir ? n->fqn_dir : "");
	for (char *save = NULL, *d = strtok_r(dirs, "/", &save); d; d = strtok_r(NULL, "/", &save)) {
		level = json_object_get(level, d);
		if (!json_is_object(level))
			return;
		apply_level(n->config, level);
	}
	level = json_object_get(level, n->name);
	if (json_is_object(level))
		apply_level(n->config, level);
}

int dbt_project_load(const ldp_dbt_options *o, dbt_project **out)
{
	*out = NULL;
	dbt_project *p = calloc(1, sizeof *p);
	if (!p)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	pthread_mutex_init(&p->ev_lock, NULL);
	p->opts = o;
	char real[PATH_MAX];
	const char *dir = o->project_dir ? o->project_dir : ".";
	int rc = 0;
	if (!realpath(dir, real))
		rc = ldp_error_set(LDP_ENOTFOUND, "project directory %s: %s", dir, strerror(errno));
	if (!rc && !(p->dir = strdup(real)))
		rc = LDP_ENOMEM;
	if (!rc)
		rc = jj_env_new(&p->env);
	if (!rc)
		rc = dbt_builtin_macros(p->env);
	char path[PATH_MAX];
	struct stat st;
	if (!rc) {
		snprintf(path, sizeof path, "%s/dbt_project.yml", p->dir);
		if (stat(path, &st) == 0) {
			rc = ldp_yaml_load_file(path, &p->yml);
			const char *name = json_string_value(json_object_get(p->yml, "name"));
			if (!rc && !name)
				rc = ldp_error_set(LDP_EINVALID, "%s: 'name' is missing", path);
			if (!rc) {
				p->name = strdup(name);
				const char *prof = json_string_value(json_object_get(p->yml, "profile"));
				p->profile = prof ? strdup(prof) : NULL;
			}
		} else {
			/* an ldp.yml project: dbt's folder layout, no profile */
			snprintf(path, sizeof path, "%s/ldp.yml", p->dir);
			if (stat(path, &st) != 0)
				rc = ldp_error_set(LDP_ENOTFOUND, "%s has neither dbt_project.yml nor ldp.yml", p->dir);
			p->yml = json_object();
			p->name = strdup(o->warehouse_project && o->warehouse_project->name ? o->warehouse_project->name : "ldp");
		}
	}
	if (!rc)
		rc = set_paths(p->yml, "model-paths", "source-paths", "models", p->model_paths, &p->nmodel_paths);
	if (!rc)
		rc = set_paths(p->yml, "seed-paths", "data-paths", "seeds", p->seed_paths, &p->nseed_paths);
	if (!rc)
		rc = set_paths(p->yml, "test-paths", NULL, "tests", p->test_paths, &p->ntest_paths);
	if (!rc)
		rc = set_paths(p->yml, "macro-paths", NULL, "macros", p->macro_paths, &p->nmacro_paths);
	if (!rc) {
		const char *tp = json_string_value(json_object_get(p->yml, "target-path"));
		p->target_path = strdup(tp ? tp : "target");
	}
	if (!rc)
		rc = load_profile(p, o);
	if (!rc)
		rc = load_vars(p, o);
	yml_list *yl = calloc(1, sizeof *yl);
	if (!yl && !rc)
		rc = LDP_ENOMEM;
	for (size_t i = 0; !rc && i < p->nmacro_paths; i++)
		rc = walk(p, p->macro_paths[i], "", on_macro_file, yl);
	for (size_t i = 0; !rc && i < p->nmodel_paths; i++)
		rc = walk(p, p->model_paths[i], "", on_model_file, yl);
	for (size_t i = 0; !rc && i < p->nseed_paths; i++)
		rc = walk(p, p->seed_paths[i], "", on_seed_file, yl);
	for (size_t i = 0; !rc && i < p->ntest_paths; i++)
		rc = walk(p, p->test_paths[i], "", on_test_file, yl);
	for (size_t i = 0; !rc && i < p->n; i++)
		project_config(p, &p->nodes[i]);
	for (size_t i = 0; yl && i < yl->n; i++) {
		if (!rc)
			rc = dbt_apply_properties(p, yl->path[i], yl->doc[i]);
		free(yl->path[i]);
		json_decref(yl->doc[i]);
	}
	free(yl);
	if (rc) {
		dbt_project_free(p);
		return rc;
	}
	*out = p;
	return 0;
}
