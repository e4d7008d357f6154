/*
 * pipeline/pipeline.h - pipelines: DAGs of steps run on a logical date.
 *
 * A pipeline is declared in ldp.yml under `pipelines:` or in
 * pipelines/<name>.yml (one pipeline a file, its name from `name:` or the file
 * name). Docs: docs/pipelines.md.
 *
 *   pipelines:
 *     nyc_taxi:
 *       description: Daily taxi lakehouse
 *       schedule: "0 6 * * *"        # 5-field cron or @hourly/@daily/@weekly/@monthly/@yearly; none = manual only
 *       timezone: America/New_York    # IANA name; default UTC
 *       start_date: 2023-01-01        # first logical date the scheduler considers
 *       catchup: true                 # on (re)start, run every missed interval (false: only the latest)
 *       max_active_steps: 2           # concurrency limit inside one run (default 1)
 *       defaults: {retries: 2, retry_delay: 10s, retry_backoff: 2, max_retry_delay: 5m, timeout: 30m, on_failure: stop}
 *       notify:                       # optional: Slack-compatible webhooks
 *         on_failure: {webhook_env: SLACK_WEBHOOK_URL}
 *         on_success: {webhook_env: SLACK_WEBHOOK_URL}
 *       steps:
 *         - name: trips
 *           ingest: {source: "data/trips_{{ ds_nodash }}.parquet", table: nyc.trips, mode: append}
 *         - name: models
 *           transform: {project_dir: transform, command: build, select: "+daily_revenue"}
 *           depends_on: [trips]
 *           retries: 1
 *           timeout: 10m
 *         - name: checks
 *           check: {table: nyc.trips, row_count: {min: 1}, not_null: [pickup_at]}
 *           depends_on: [models]
 *           on_failure: continue
 *
 * The step's kind is the one key among ingest/transform/sql/check/export/
 * shell/notify/run that it carries (exactly one). Every string inside the
 * step (not its name or depends_on) is a template rendered with ldp's Jinja
 * interpreter before the step runs, with Airflow's names:
 *   ds (YYYY-MM-DD), ds_nodash, ts (ISO 8601 with offset), ts_nodash,
 *   logical_date, data_interval_start, data_interval_end (ISO 8601 strings),
 *   prev_ds, next_ds, run_id, pipeline (name), params (the pipeline's
 *   `params:` mapping), env_var(name[, default]).
 *
 * Every step runs as a child process (so its output is captured, a timeout
 * or a signal can stop it, and Airflow can run the very same command): the
 * `ldp` binary itself with the argv that ldp_step_argv() builds, or
 * `/bin/sh -c` for a shell step. The kind -> command mapping:
 *   ingest    ldp ingest <source> <table> [--<key> <value>]...   (other keys become flags)
 *   transform ldp transform <command|build> [--project-dir D] [--select S] [--exclude S]
 *             [--full-refresh] [--vars JSON] [--threads N] [--target T]
 *   sql       ldp sql -q <sql>            (or {file: path} -> ldp sql -q -f <path>)
 *   check     ldp check <table> [--row-count-min N] [--row-count-max N]
 *             [--freshness COL:DURATION] [--not-null COL]... [--unique COL]...
 *             [--accepted-values COL=v1,v2,...]... [--sql QUERY]... [--where PRED]
 *             [--as-of TIME] [--sample N]
 *   export    ldp export <what> <target> [--<key> <value>]...
 *   shell     /bin/sh -c <command>
 *   notify    ldp notify [--webhook-env VAR] [--text T] [--query Q] [--title T] [--max-rows N] [--status S] [--dry-run]
 *   run       ldp run <config.json>       (the seed library's JSON configs)
 * In flags, `true` becomes a bare flag, `false`/null are omitted, lists repeat
 * the flag, mappings are passed as compact JSON (ingest's exceptions and
 * every spec shape: docs/pipelines.md). Steps run in the project directory,
 * so relative paths in specs are relative to it.
 *
 * Ownership: ldp_pipelines_load() returns a set that owns every pipeline,
 * step and string in it; ldp_pipeline_set_free() releases all of it.
 */
#ifndef LDP_PIPELINE_PIPELINE_H
#define LDP_PIPELINE_PIPELINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ldp/project.h"

typedef enum ldp_step_kind {
	LDP_STEP_INGEST,
	LDP_STEP_TRANSFORM,
	LDP_STEP_SQL,
	LDP_STEP_CHECK,
	LDP_STEP_EXPORT,
	LDP_STEP_SHELL,
	LDP_STEP_NOTIFY,
	LDP_STEP_RUN
} ldp_step_kind;

typedef enum ldp_on_failure { LDP_ON_FAILURE_STOP, LDP_ON_FAILURE_CONTINUE } ldp_on_failure;

typedef struct ldp_step {
	char *name;
	ldp_step_kind kind;
	json_t *spec;            /* the value under the kind's key, as written (templates unrendered) */
	char **depends_on;       /* names, as written */
	size_t ndepends;
	size_t *deps;            /* the same as indexes into the pipeline's steps */
	int retries;             /* extra attempts after the first (default 0) */
	double retry_delay_s;    /* delay before the first retry (default 10) */
	double retry_backoff;    /* multiplier per further retry (default 2) */
	double max_retry_delay_s;/* cap (default 600) */
	double timeout_s;        /* 0: none */
	ldp_on_failure on_failure;
	int line;                /* line of the step in its file, for messages (0: unknown) */
} ldp_step;

typedef struct ldp_notify_target {
	char *webhook_env; /* env var holding the webhook URL; NULL: not configured */
} ldp_notify_target;

typedef struct ldp_pipeline {
	char *name;
	char *description;
	char *file;          /* absolute path of the YAML file declaring it */
	char *schedule;      /* cron text as written, or NULL (manual only) */
	char *timezone;      /* IANA name; "UTC" by default */
	time_t start_date;   /* 0: none (scheduler starts from now) */
	int catchup;
	int max_active_steps;
	json_t *params;      /* object (maybe empty) */
	ldp_notify_target on_failure, on_success;
	ldp_step *steps;     /* in declaration order */
	size_t nsteps;
} ldp_pipeline;

typedef struct ldp_pipeline_set {
	ldp_pipeline *items;
	size_t n;
} ldp_pipeline_set;

/* Load and validate every pipeline of a project: YAML shape, unknown keys,
 * step kinds, duplicate names, depends_on naming unknown steps, cycles (the
 * message lists the cycle), cron expressions (ldp_cron_parse), time zones,
 * durations, template syntax. Errors name the file, line, pipeline and step.
 * Pipelines come in this order: ldp.yml's (as written), then
 * pipelines/<name>.yml|yaml (by file name). The environment is not looked at, so
 * `ldp pipeline list|show` work without the run's secrets: see
 * ldp_pipeline_check_env(). */
int ldp_pipelines_load(const ldp_project *p, ldp_pipeline_set **out);
void ldp_pipeline_set_free(ldp_pipeline_set *s);
/* NULL when absent (ldp_pipeline_find_or_error() says so, with the names). */
const ldp_pipeline *ldp_pipeline_find(const ldp_pipeline_set *s, const char *name);
int ldp_pipeline_find_or_error(const ldp_pipeline_set *s, const char *name, const ldp_pipeline **out);
const char *ldp_step_kind_name(ldp_step_kind k);

/* What a run needs from the environment, checked before anything runs:
 * every webhook_env (the pipeline's notify and notify steps) set to an
 * http(s) URL, and every step's templates rendering for a sample date
 * (undefined names, env_var() without a default and unset). */
int ldp_pipeline_check_env(const ldp_pipeline *pl);

/* Steps in an order where each comes after its depends_on, ties broken by
 * declaration order. `order` has room for pl->nsteps indexes. */
void ldp_pipeline_topo_order(const ldp_pipeline *pl, size_t *order);

/* A --date argument: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] with an optional Z
 * or +HH:MM; without an offset it is wall time in `tz` (NULL: UTC). */
int ldp_pipeline_date_parse(const char *text, const char *tz, time_t *out);
/* t in tz as "2023-01-01T00:00:00+00:00" (out: 32 bytes). */
int ldp_pipeline_format_time(time_t t, const char *tz, char *out);

/* "30s", "10m", "2h", "1d", "1h30m", or a bare number of seconds. */
int ldp_duration_parse(const char *text, double *seconds);

/* The logical date's context: the data interval of the run. */
typedef struct ldp_run_context {
	char run_id[64];
	time_t logical_date;   /* == interval_start */
	time_t interval_start;
	time_t interval_end;
	const char *timezone;  /* for ds/ts rendering */
} ldp_run_context;

/* The interval a run for logical date `d` covers: [d, next schedule fire
 * after d) when the pipeline has a schedule, else [d, d + 1 day). */
int ldp_pipeline_interval(const ldp_pipeline *pl, time_t d, time_t *start, time_t *end);

/* Render the step's spec with the run context (see the variables above) and
 * build the command: argv[0] is `ldp_bin` (or "/bin/sh" for shell steps).
 * *argv_out is a NULL-terminated malloc'd array of malloc'd strings, freed
 * with ldp_argv_free. */
int ldp_step_argv(const ldp_pipeline *pl, const ldp_step *st, const ldp_run_context *rc, const char *ldp_bin,
		  char ***argv_out);
void ldp_argv_free(char **argv);

/* Running a pipeline (pipeline_exec.c). */
typedef enum ldp_run_type { LDP_RUN_MANUAL, LDP_RUN_SCHEDULED, LDP_RUN_BACKFILL, LDP_RUN_AIRFLOW } ldp_run_type;
/* "manual", "scheduled", "backfill", "airflow". */
const char *ldp_run_type_name(ldp_run_type t);

typedef struct ldp_run_options {
	ldp_run_type type;
	time_t logical_date;
	const char *run_id;          /* resume this run (its succeeded steps are skipped); NULL: a new run */
	const char *only_step;       /* run just this step (Airflow's task), ignoring depends_on */
	int echo;                    /* copy step output to our stdout/stderr, prefixed with the step name */
	const volatile int *stop;    /* when *stop becomes 1: start nothing new; let running steps finish within grace_s, then SIGTERM, then SIGKILL */
	double grace_s;
	const char *ldp_bin;         /* NULL: /proc/self/exe */
} ldp_run_options;

/* Run one pipeline run: takes the pipeline's lock (LDP_EBUSY with a clear
 * message when another run of it is active), records the run, every step
 * attempt and its output in the state file, retries failed steps with
 * exponential backoff, kills steps past their timeout, honours on_failure
 * and max_active_steps, sends notifications. *run_id_out (64 bytes) gets the
 * run id. Returns LDP_OK when every step succeeded, LDP_EFAILED (a user
 * error) when a step failed, another status when the run could not run. */
int ldp_pipeline_run(const ldp_project *p, const ldp_pipeline *pl, const ldp_run_options *opts, char *run_id_out);

#endif
