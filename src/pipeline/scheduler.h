/*
 * pipeline/scheduler.h - the scheduler: runs a project's scheduled pipelines.
 *
 * Intervals are Airflow's: a schedule's fire times t0 < t1 < ... cut time into
 * data intervals [t_i, t_{i+1}); the run for one is due at t_{i+1} and its
 * logical date is t_i. For each pipeline the scheduler queues the next due
 * interval after the newest one it recorded (ldp_state_sched_get), or from
 * start_date (the first fire time at or after it; without a start_date, the
 * first interval starting at or after the moment the scheduler started).
 * catchup: true queues every missed interval in order, false only the latest.
 *
 * Every run is first a row in the state file (ldp_state_run_queue, unique per
 * pipeline and interval), then the interval is recorded
 * (ldp_state_sched_set), then `ldp pipeline run NAME --date D --run-id ID`
 * starts as a child process in its own process group. A crash at any point is
 * repaired at the next start: ldp_state_recover hands back queued runs and
 * runs whose process died, and they are resumed under the same run id; an
 * interval already queued is never queued again. Runs the scheduler's own
 * shutdown interrupted are resumed too.
 *
 * One run of a pipeline at a time: no launch while our child for it runs or
 * while another process (a run started by hand) holds the pipeline's lock.
 *
 * The library prints nothing: what happens is reported through on_event.
 * Docs: docs/scheduler.md.
 */
#ifndef LDP_PIPELINE_SCHEDULER_H
#define LDP_PIPELINE_SCHEDULER_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "ldp/project.h"
#include "pipeline/cron.h"
#include "pipeline/pipeline.h"

typedef enum ldp_sched_event_kind {
	LDP_SCHED_START,    /* the scheduler started; message lists the pipelines */
	LDP_SCHED_QUEUED,   /* a run row for an interval was queued */
	LDP_SCHED_SKIPPED,  /* catchup false: older missed intervals not run (message says how many) */
	LDP_SCHED_EXISTS,   /* the interval was already recorded (after a crash): not queued again */
	LDP_SCHED_RESUMING, /* a run left queued, running or interrupted is started again under its id */
	LDP_SCHED_LAUNCHED, /* the child process started (pid) */
	LDP_SCHED_FINISHED, /* the child ended; state = the run's state, exit_code its exit status */
	LDP_SCHED_WAITING,  /* another process holds the pipeline's lock: not launching yet */
	LDP_SCHED_STOPPING, /* a stop was requested; message says what we wait for */
	LDP_SCHED_KILLED,   /* a child outlived the grace period and was killed */
	LDP_SCHED_ERROR,    /* something failed but the scheduler goes on; message says what */
	LDP_SCHED_STOPPED,  /* the scheduler is about to return (or to reload) */
	LDP_SCHED_RELOADED  /* the configuration was read again (after *reload) */
} ldp_sched_event_kind;

typedef struct ldp_sched_event {
	ldp_sched_event_kind kind;
	time_t at;            /* the scheduler's clock (the --now time when pretending) */
	const char *pipeline; /* NULL for START/STOPPING/STOPPED */
	const char *run_id;   /* NULL when not about one run */
	time_t logical_date;  /* 0 when not about one interval */
	time_t interval_end;
	long pid;             /* LAUNCHED, FINISHED, KILLED */
	const char *state;    /* FINISHED: success|failed|interrupted|queued|running (from the state file) */
	int exit_code;        /* FINISHED: the child's exit status, or 128+signal */
	const char *message;  /* extra detail or NULL */
} ldp_sched_event;

const char *ldp_sched_event_name(ldp_sched_event_kind k);

typedef void (*ldp_sched_event_fn)(const ldp_sched_event *ev, void *userdata);

typedef struct ldp_scheduler_options {
	const char *const *only; /* run only these pipelines (NULL: every one with a schedule) */
	size_t nonly;
	int once;                  /* do what is due, wait for the runs, return */
	time_t now;                /* 0: the real clock; else pretend it is this time (with once) */
	double grace_s;            /* on stop: how long runs get to finish before SIGKILL (plus a margin) */
	const char *ldp_bin;       /* NULL: /proc/self/exe */
	const volatile sig_atomic_t *stop; /* non-zero on SIGTERM/SIGINT; a change after that (a
					    * second signal) ends the runs' grace period at once */
	volatile sig_atomic_t *reload;     /* non-zero on SIGHUP: launch nothing new, let runs end, read
					    * the config again (ldp_scheduler_run only; it resets it) */
	ldp_sched_event_fn on_event;
	void *userdata;
} ldp_scheduler_options;

/* Run the scheduler until *stop (or, with once, until nothing is due and
 * every launched run ended). Bad configuration (a pipeline that does not
 * exist or has no schedule, an invalid cron) fails with LDP_EINVALID before
 * anything runs. Returns LDP_OK; with once, LDP_EFAILED when a run it
 * launched did not succeed. */
int ldp_scheduler_run(const ldp_project *p, const ldp_scheduler_options *o);
/* The same for pipelines already loaded (the set stays the caller's);
 * returns 1 (not an error) when o->reload asked to read the config again. */
int ldp_scheduler_run_set(const ldp_project *p, const ldp_pipeline_set *set, const ldp_scheduler_options *o);

/* The next interval of `pl` to queue (pure; unit tested).
 * last: the newest logical date already recorded (0: none); since: when the
 * scheduler started (the origin when the pipeline has no start_date); now:
 * the clock. Returns 1 when an interval is due (sets *logical and *end), 0 when
 * none is due yet (*wake: when the next one is due; 0: never), or a negative
 * status. *skipped is 1 when catchup=false passes over older missed
 * intervals to reach the latest. */
int ldp_sched_next_due(const ldp_pipeline *pl, const ldp_cron *c, time_t last, time_t since, time_t now,
		       time_t *logical, time_t *end, int *skipped, time_t *wake);

#endif
