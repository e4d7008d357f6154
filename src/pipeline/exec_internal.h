/*
 * pipeline/exec_internal.h - the runner's per-step bookkeeping, shared by
 * pipeline_exec.c (the run loop: ordering, retries, timeouts, stop) and
 * pipeline_spawn.c (starting a step's process, capturing its output).
 */
#ifndef LDP_PIPELINE_EXEC_INTERNAL_H
#define LDP_PIPELINE_EXEC_INTERNAL_H

#include <stdio.h>
#include <sys/types.h>

#include "ldp/buf.h"
#include "pipeline/pipeline.h"
#include "pipeline/state.h"

typedef enum step_status {
	SS_PENDING,
	SS_RUNNING,
	SS_RETRY_WAIT, /* failed, next attempt at retry_at */
	SS_SUCCESS,
	SS_FAILED,
	SS_SKIPPED,
	SS_UPSTREAM_FAILED,
	SS_INTERRUPTED
} step_status;

typedef struct out_stream {
	int fd;          /* -1 once closed */
	const char *name; /* "stdout" | "stderr" */
	ldp_buf partial; /* the unfinished last line */
} out_stream;

typedef struct step_rt {
	const ldp_step *st;
	step_status status;
	int tries;        /* attempts made by this invocation */
	int max_tries;    /* 1 + retries (1 for --step) */
	int attempt;      /* stored number of the current attempt */
	pid_t pid;        /* 0: no process */
	int pidfd;        /* -1: none (then waitpid is polled) */
	out_stream out, err;
	double started, retry_at, kill_at;
	int term_sent;
	int kill_why;     /* 0, KILL_TIMEOUT, KILL_STOP */
	char reason[200]; /* of the last finished attempt */
} step_rt;

enum { KILL_TIMEOUT = 1, KILL_STOP = 2 };

typedef struct runner {
	const ldp_project *p;
	const ldp_pipeline *pl;
	const ldp_run_options *o;
	ldp_state *state;
	ldp_run_context rc;
	char ldp_bin[4096];
	step_rt *steps;
	size_t n;
	int name_width; /* echo prefix alignment */
	int state_warned;
	int only;          /* index of the one step to run (--step), -1: all */
	int halted;        /* a step failed finally with on_failure stop: start nothing new */
	int stopping;      /* *o->stop was seen */
	double stop_deadline;
	int first_failed;  /* index of the first step that failed finally, -1: none */
} runner;

double pl_now(void);
/* Start the step's next attempt (process, pipes, recorded attempt). A
 * command that cannot even be built fails the attempt with a reason. */
int pl_spawn(runner *r, step_rt *s);
/* Read what the step's pipes hold; final: drain to EOF after exit. */
void pl_read_output(runner *r, step_rt *s, out_stream *o, int final);
void pl_close_output(runner *r, step_rt *s);
/* Echo one status line ("ok trips (1.2 s)") when echoing. */
void pl_status(runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A state-file write failed: warn once, keep running the steps. */
void pl_state_warn(runner *r, int rc);

#endif
