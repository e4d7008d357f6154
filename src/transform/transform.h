/*
 * transform/transform.h - dbt-compatible projects on Iceberg tables: what the
 * `ldp transform` command calls.
 *
 * A run loads the project (dbt_project.yml, profiles.yml, models, seeds,
 * tests, macros, property files), renders every node's Jinja once to learn its
 * refs and config, builds the DAG, selects nodes, and executes them in
 * dependency order on `threads` workers, each with its own warehouse handle
 * (DuckDB engine + catalog connection). Results are reported through the
 * event callback as they happen (from worker threads, one at a time: calls
 * are serialised by the library).
 *
 * Models and seeds become Iceberg tables in the namespace named by their
 * schema; views become Iceberg views (table/view.h).
 */
#ifndef LDP_TRANSFORM_TRANSFORM_H
#define LDP_TRANSFORM_TRANSFORM_H

#include <stddef.h>

#include "ldp/project.h"

typedef enum ldp_dbt_command {
	LDP_DBT_RUN,
	LDP_DBT_BUILD,
	LDP_DBT_TEST,
	LDP_DBT_SEED,
	LDP_DBT_COMPILE,
	LDP_DBT_LS,
	LDP_DBT_DOCS
} ldp_dbt_command;

typedef struct ldp_dbt_options {
	const ldp_project *warehouse_project; /* the ldp project whose warehouse is the target */
	const char *project_dir;              /* the dbt project; NULL: the current directory */
	const char *profiles_dir;             /* NULL: project dir, then $DBT_PROFILES_DIR, then ~/.dbt */
	const char *target;                   /* NULL: the profile's default target */
	const char *vars;                     /* --vars: a YAML/JSON mapping */
	const char *const *select;            /* selectors, each may hold several separated by spaces */
	size_t nselect;
	const char *const *exclude;
	size_t nexclude;
	int threads;                          /* 0: the profile's threads (default 1) */
	int full_refresh;
	const char *resource_type;            /* ls: model|seed|test|source, or NULL for all */
} ldp_dbt_options;

typedef enum ldp_dbt_event_kind {
	LDP_DBT_EV_HEADER,  /* message: "Found 5 models, 3 seeds, ..." */
	LDP_DBT_EV_START,   /* a node starts */
	LDP_DBT_EV_RESULT,  /* a node finished: status, seconds, message */
	LDP_DBT_EV_LOG,     /* log() from a model or macro */
	LDP_DBT_EV_DETAIL,  /* extra lines for a failure (sample rows, SQL path) */
	LDP_DBT_EV_LIST     /* ls: one node */
} ldp_dbt_event_kind;

typedef struct ldp_dbt_event {
	ldp_dbt_event_kind kind;
	size_t index, total;   /* "3 of 12" */
	const char *what;      /* "sql view model", "seed file", "test" */
	const char *name;      /* schema.relation, or the test name */
	const char *status;    /* RESULT: OK, ERROR, SKIP, PASS, FAIL, WARN */
	const char *message;   /* RESULT: "CREATE VIEW", "INSERT 12", failure text */
	double seconds;
} ldp_dbt_event;

typedef void (*ldp_dbt_event_fn)(const ldp_dbt_event *ev, void *ud);

typedef struct ldp_dbt_summary {
	int pass, warn, error, skip, total;
	int nmodels[4]; /* view, table, incremental, ephemeral run */
	int nseeds, ntests;
	double seconds;
	char output_path[1024]; /* docs: the HTML file written; compile: target dir */
} ldp_dbt_summary;

/* Run a command. Returns 0 when the command ran (even if nodes failed: see
 * the summary's error count), or an ldp_status when the project could not be
 * loaded or the run could not start (bad YAML, Jinja syntax, unknown ref,
 * cycles, bad selector). */
int ldp_dbt_execute(ldp_dbt_command cmd, const ldp_dbt_options *o, ldp_dbt_event_fn fn, void *ud,
		    ldp_dbt_summary *sum);

#endif
