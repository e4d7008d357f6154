/* The loaded dbt project, shared by the transform/ files. */
#ifndef LDP_TRANSFORM_DBT_INTERNAL_H
#define LDP_TRANSFORM_DBT_INTERNAL_H

#include <jansson.h>
#include <pthread.h>

#include "table/warehouse.h"
#include "transform/jinja.h"
#include "transform/transform.h"

typedef enum dbt_kind { DBT_MODEL, DBT_SEED, DBT_TEST, DBT_SOURCE } dbt_kind;

typedef enum dbt_status { ST_PENDING, ST_RUNNING, ST_OK, ST_WARN, ST_ERROR, ST_SKIP } dbt_status;

typedef struct dbt_node {
	dbt_kind kind;
	char *name;          /* model/seed name; test name; source "src.tbl" */
	char *unique_id;     /* model.<project>.<name> ... */
	char *path;          /* relative to the project dir; NULL for generic tests and sources */
	char *fqn_dir;       /* folders under the resource path, '/'-joined ("staging/x") */
	char *raw;           /* file text (models, tests, seeds: NULL) */
	jj_template *tmpl;
	json_t *config;      /* merged config */
	char *schema;        /* namespace */
	char *alias;         /* relation name */
	char *materialized;  /* view|table|incremental|ephemeral (models); seed; test */
	char *description;
	json_t *columns;     /* [{name, description, ...}] from property files */
	json_t *meta;        /* property-file entry, for docs */
	size_t *deps;        /* upstream node indices (models, seeds, sources) */
	size_t ndeps, capdeps;
	/* tests */
	size_t attached;     /* the node a test is about ((size_t)-1: none) */
	char *test_column;
	char *severity;      /* "error" | "warn" */
	int disabled;
	/* run state */
	dbt_status status;
	int selected;
	int nwaiting;        /* unfinished selected upstream nodes */
	double seconds;
	char *compiled;      /* rendered SQL (exec time) */
} dbt_node;

typedef struct dbt_project {
	char *dir;
	char *name;
	char *profile;
	char *target_name, *target_schema, *target_type;
	int threads;
	char *model_paths[8], *seed_paths[8], *test_paths[8], *macro_paths[8];
	size_t nmodel_paths, nseed_paths, ntest_paths, nmacro_paths;
	char *target_path;
	json_t *yml;         /* dbt_project.yml */
	json_t *vars;        /* project vars merged with --vars */
	jj_env *env;
	dbt_node *nodes;
	size_t n, cap;
	const ldp_dbt_options *opts;
	/* event reporting (serialised) */
	ldp_dbt_event_fn fn;
	void *ud;
	pthread_mutex_t ev_lock;
} dbt_project;

/* One worker's resources: its own warehouse (engine + catalog connection). */
typedef struct dbt_worker {
	dbt_project *p;
	ldp_warehouse *wh;
} dbt_worker;

/* dbt_project.c */
int dbt_project_load(const ldp_dbt_options *o, dbt_project **out);
void dbt_project_free(dbt_project *p);
int dbt_add_node(dbt_project *p, dbt_kind kind, const char *name, dbt_node **out);
size_t dbt_find(const dbt_project *p, dbt_kind kind, const char *name);
int dbt_add_dep(dbt_node *n, size_t dep);
char *dbt_read_file(const char *path);

/* dbt_props.c: property files and generic tests */
int dbt_apply_properties(dbt_project *p, const char *file, json_t *doc);
int dbt_builtin_macros(jj_env *env);

/* dbt_context.c: rendering a node */
typedef struct dbt_render {
	dbt_project *p;
	dbt_node *node;
	dbt_worker *w;       /* NULL at parse time (execute = false) */
	int is_incremental;
	int parse;           /* collecting refs and config() */
	size_t ctes[64];     /* ephemeral models referenced (exec time) */
	size_t nctes;
} dbt_render;
/* Render the node's template (or the test SQL) into out. */
int dbt_render_node(dbt_render *r, ldp_buf *out);
/* Relation text "schema.alias" of a node (quoted when needed). */
void dbt_relation(const dbt_node *n, ldp_buf *b);
/* Render SQL with the ephemeral CTEs it refers to injected (exec time). */
int dbt_compile_node(dbt_project *p, dbt_node *n, dbt_worker *w, int is_incremental, ldp_buf *out);

/* dbt_graph.c */
int dbt_parse_all(dbt_project *p);
int dbt_check_cycles(dbt_project *p);
int dbt_select(dbt_project *p, ldp_dbt_command cmd);

/* dbt_run.c / dbt_materialize.c */
int dbt_materialize(dbt_worker *w, dbt_node *n, char *msg, size_t msgsz);
int dbt_run_test(dbt_worker *w, dbt_node *n, char *msg, size_t msgsz, int *failures);
/* Write target/compiled/<project>/<path> (generic tests: <property file>/<name>.sql). */
int dbt_write_compiled(dbt_project *p, const dbt_node *n, const char *sql);
void dbt_emit(dbt_project *p, const ldp_dbt_event *ev);

/* dbt_docs.c */
int dbt_write_docs(dbt_project *p, char *path_out, size_t pathsz);

#endif
