/*
 * pipeline/state.h - run history and step logs in the project's state file.
 *
 * The state file is a SQLite database of its own, <project>/.ldp/state.db
 * (ldp.yml `state: path` overrides), next to and never inside the Iceberg
 * catalog: dropping or replacing the catalog loses no history, and pyiceberg
 * or Spark opening the catalog never see these tables. WAL mode and a busy
 * timeout let the scheduler, its run processes and `ldp runs` use it at once.
 *
 * Tables (the schema is created on open; `user_version` versions it):
 *   runs(run_id PK, pipeline, logical_date, interval_start, interval_end,
 *        run_type manual|scheduled|backfill|airflow, state queued|running|success|failed|interrupted,
 *        queued_at, started_at, ended_at, pid, error)
 *     UNIQUE(pipeline, logical_date) WHERE run_type = 'scheduled': the
 *     scheduler can never record one interval twice.
 *   step_attempts(run_id, step, attempt, state running|success|failed|skipped|upstream_failed|interrupted,
 *        started_at, ended_at, exit_code, signal, reason, PK(run_id, step, attempt))
 *   step_logs(run_id, step, attempt, seq, stream stdout|stderr, at, text)
 *   scheduler(pipeline PK, last_logical_date)   the newest interval the scheduler has queued
 * Times are Unix seconds (REAL, sub-second) in UTC.
 *
 * Run ids: "<pipeline>__<type>__<logical date as YYYYMMDDTHHMMSS>" plus
 * "__<n>" when a manual or backfill run of that date already exists.
 *
 * Locks: one flock()ed file a pipeline, .ldp/locks/<pipeline>.lock, held by
 * the process running the pipeline for the whole run. The kernel drops it
 * when that process dies, so a crash never leaves a stale lock; a run row in
 * state 'running' whose lock is free belongs to a dead process.
 *
 * Ownership: ldp_state_open() returns a handle that ldp_state_close() frees.
 * Strings a query returns are in json_t results owned by the caller.
 */
#ifndef LDP_PIPELINE_STATE_H
#define LDP_PIPELINE_STATE_H

#include <jansson.h>
#include <stdint.h>

#include "ldp/project.h"

typedef struct ldp_state ldp_state;

/* Open (creating .ldp/ and the schema) the project's state file. */
int ldp_state_open(const ldp_project *p, ldp_state **out);
void ldp_state_close(ldp_state *s);
/* Absolute path of the state file / lock directory of a project (malloc'd). */
char *ldp_state_path(const ldp_project *p);

/* ---- runs ---- */

/* Insert a run in state 'queued'. run_id_out (64 bytes) gets its id.
 * For run_type "scheduled", LDP_EEXISTS when that interval is already recorded
 * (its id is still written to run_id_out). */
int ldp_state_run_queue(ldp_state *s, const char *pipeline, const char *run_type, double logical_date,
			double interval_start, double interval_end, char *run_id_out);
/* Insert a run with a given id (Airflow's run_id, a scheduler-chosen id) in
 * state "queued" or "running" (then with our pid): LDP_EEXISTS when the id
 * is taken. */
int ldp_state_run_insert(ldp_state *s, const char *run_id, const char *pipeline, const char *run_type,
			 double logical_date, double interval_start, double interval_end, const char *state);
/* queued|interrupted|failed -> running, with our pid. Attempts of the run
 * still 'running' (their process died; the caller holds the lock) become
 * 'interrupted'. */
int ldp_state_run_start(ldp_state *s, const char *run_id);
/* running -> success|failed|interrupted; error may be NULL. */
int ldp_state_run_finish(ldp_state *s, const char *run_id, const char *state, const char *error);
/* Set a run's state whatever it was (`ldp pipeline run --step`: Airflow's
 * tasks of one run come and go in separate processes). */
int ldp_state_run_set_state(ldp_state *s, const char *run_id, const char *state, const char *error);
/* One run as a JSON object (fields as the columns, plus failed_step: the
 * first step whose latest attempt failed, or null), or LDP_ENOTFOUND. */
int ldp_state_run_get(ldp_state *s, const char *run_id, json_t **out);
/* Runs, newest first: pipeline may be NULL (all); limit <= 0: all. An array. */
int ldp_state_runs_list(ldp_state *s, const char *pipeline, int limit, json_t **out);
/* Runs in state 'running' or 'queued' whose pipeline lock is free (their
 * process died): marks 'running' ones 'interrupted' with error "the process
 * running it (pid N) died", and returns the ids of both kinds (an array) for
 * the scheduler to resume. Runs of type "airflow" are left alone (Airflow
 * owns them; no ldp process runs them between tasks). */
int ldp_state_recover(ldp_state *s, const ldp_project *p, json_t **out);

/* ---- step attempts and logs ---- */

int ldp_state_attempt_start(ldp_state *s, const char *run_id, const char *step, int attempt);
/* state: success|failed|skipped|upstream_failed|interrupted; exit_code -1 and
 * signal 0 when not applicable; reason NULL or e.g. "timed out after 30 s". */
int ldp_state_attempt_finish(ldp_state *s, const char *run_id, const char *step, int attempt, const char *state,
			     int exit_code, int signal, const char *reason);
/* Append output of an attempt (stream "stdout" or "stderr"). */
int ldp_state_log_append(ldp_state *s, const char *run_id, const char *step, int attempt, const char *stream,
			 const char *text, size_t len);
/* Attempts of a run (array of objects), in start order. */
int ldp_state_attempts_list(ldp_state *s, const char *run_id, json_t **out);
/* The latest state of every step of a run: object step -> state. */
int ldp_state_step_states(ldp_state *s, const char *run_id, json_t **out);
/* Log lines of a run (step NULL: all steps), in order: array of
 * {step, attempt, stream, at, text}. */
int ldp_state_logs(ldp_state *s, const char *run_id, const char *step, json_t **out);

/* ---- scheduler bookkeeping ---- */

int ldp_state_sched_get(ldp_state *s, const char *pipeline, double *last_logical_date /* 0: none */);
int ldp_state_sched_set(ldp_state *s, const char *pipeline, double last_logical_date);

/* ---- locks ---- */

typedef struct ldp_lock ldp_lock;
/* Take the pipeline's lock without waiting: LDP_EBUSY naming the holder's pid
 * when another process holds it. The fd is close-on-exec (steps never inherit it). */
int ldp_lock_pipeline(const ldp_project *p, const char *pipeline, ldp_lock **out);
void ldp_lock_release(ldp_lock *l);
/* 1 when some process holds the pipeline's lock, 0 when free. */
int ldp_lock_is_held(const ldp_project *p, const char *pipeline);

#endif
