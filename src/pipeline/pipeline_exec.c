/*
 * pipeline/pipeline_exec.c - ldp_pipeline_run: one run of a pipeline.
 *
 * One loop, no threads: start what may start (dependencies met, under
 * max_active_steps, not halted or stopping), enforce timeouts and the stop
 * grace period by signalling process groups, then poll() the running steps'
 * pipes and pidfds until something happens or the next deadline. Every
 * transition is written to the state file at once, so `ldp runs` and
 * `ldp logs` see a run while it runs, and a crash loses nothing recorded.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ldp/error.h"
#include "ldp/log.h"
#include "pipeline/exec_internal.h"
#include "pipeline/notify.h"

#define KILL_GRACE_S 5.0 /* SIGTERM -> SIGKILL */

const char *ldp_run_type_name(ldp_run_type t)
{
	switch (t) {
	case LDP_RUN_SCHEDULED: return "scheduled";
	case LDP_RUN_BACKFILL: return "backfill";
	case LDP_RUN_AIRFLOW: return "airflow";
	default: return "manual";
	}
}

static void finish_attempt(runner *r, step_rt *s, const char *state, int code, int sig)
{
	pl_state_warn(r, ldp_state_attempt_finish(r->state, r->rc.run_id, s->st->name, s->attempt, state, code, sig,
						   s->reason[0] ? s->reason : NULL));
}

/* A step that never runs in this run (skipped, upstream_failed): one row. */
static void mark(runner *r, step_rt *s, step_status st, const char *state, const char *reason)
{
	s->status = st;
	s->attempt++;
	snprintf(s->reason, sizeof s->reason, "%s", reason);
	finish_attempt(r, s, state, -1, 0);
	pl_status(r, "%s %s: %s", state, s->st->name, reason);
}

static double retry_delay(const ldp_step *st, int failures)
{
	/* the first retry waits retry_delay, each further one backoff times more */
	double d = st->retry_delay_s * pow(st->retry_backoff > 0 ? st->retry_backoff : 1, failures - 1);
	if (st->max_retry_delay_s > 0 && d > st->max_retry_delay_s)
		d = st->max_retry_delay_s;
	return d < 0 ? 0 : d;
}

static void attempt_failed(runner *r, step_rt *s, int code, int sig)
{
	finish_attempt(r, s, "failed", code, sig);
	if (s->tries < s->max_tries && !r->stopping) {
		double d = retry_delay(s->st, s->tries);
		s->retry_at = pl_now() + d;
		s->status = SS_RETRY_WAIT;
		pl_status(r, "FAILED %s attempt %d/%d: %s, retrying in %g s", s->st->name, s->tries, s->max_tries,
			  s->reason, d);
		return;
	}
	s->status = SS_FAILED;
	pl_status(r, "FAILED %s attempt %d/%d: %s", s->st->name, s->tries, s->max_tries, s->reason);
	if (r->first_failed < 0)
		r->first_failed = (int)(s - r->steps);
	if (s->st->on_failure == LDP_ON_FAILURE_STOP && r->only < 0)
		r->halted = 1;
}

static void signal_text(int sig, char *out, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev)
		snprintf(out, len, "SIG%s", abbrev);
	else
		snprintf(out, len, "%d", sig);
}

static void step_exited(runner *r, step_rt *s, int ws)
{
	pl_close_output(r, s);
	s->pid = 0;
	double dur = pl_now() - s->started;
	int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	int sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
	if (s->kill_why == KILL_STOP) {
		snprintf(s->reason, sizeof s->reason, "stopped: the run was asked to stop and its grace period (%g s) ran out",
			 r->o->grace_s);
		s->status = SS_INTERRUPTED;
		finish_attempt(r, s, "interrupted", code, sig);
		pl_status(r, "INTERRUPTED %s attempt %d/%d (%.1f s)", s->st->name, s->tries, s->max_tries, dur);
		return;
	}
	if (s->kill_why == KILL_TIMEOUT) {
		snprintf(s->reason, sizeof s->reason, "timed out after %g s", s->st->timeout_s);
	} else if (code == 0) {
		s->status = SS_SUCCESS;
		finish_attempt(r, s, "success", 0, 0);
		pl_status(r, "ok %s (%.1f s)", s->st->name, dur);
		return;
	} else if (code > 0) {
		snprintf(s->reason, sizeof s->reason, "exit code %d%s", code,
			 code == 127 ? " (command not found)" : code == 126 ? " (command not executable)" : "");
	} else {
		char name[32];
		signal_text(sig, name, sizeof name);
		snprintf(s->reason, sizeof s->reason, "killed by signal %s", name);
	}
	attempt_failed(r, s, code, sig);
}

static void start(runner *r, step_rt *s)
{
	if (pl_spawn(r, s) != LDP_OK) {
		ldp_error_clear();
		attempt_failed(r, s, -1, 0);
	}
}

static int count(runner *r, step_status st)
{
	int n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->steps[i].status == st;
	return n;
}

static int deps_state(runner *r, const ldp_step *st, int *failed_dep)
{
	int all_ok = 1;
	*failed_dep = -1;
	for (size_t d = 0; d < st->ndepends; d++) {
		step_status ds = r->steps[st->deps[d]].status;
		if (ds == SS_FAILED || ds == SS_UPSTREAM_FAILED)
			*failed_dep = (int)st->deps[d];
		if (ds != SS_SUCCESS)
			all_ok = 0;
	}
	return all_ok;
}

static void schedule(runner *r, double now)
{
	int limit = r->only >= 0 ? 1 : (r->pl->max_active_steps > 0 ? r->pl->max_active_steps : 1);
	if (r->only >= 0) {
		if (r->steps[r->only].status == SS_PENDING)
			start(r, &r->steps[r->only]);
		return;
	}
	/* upstream failures propagate through the whole DAG in declaration
	 * order or not: repeat until nothing changes */
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < r->n; i++) {
			int fd;
			if (r->steps[i].status != SS_PENDING)
				continue;
			deps_state(r, r->steps[i].st, &fd);
			if (fd >= 0) {
				char why[160];
				snprintf(why, sizeof why, "upstream step %s failed", r->steps[fd].st->name);
				mark(r, &r->steps[i], SS_UPSTREAM_FAILED, "upstream_failed", why);
				changed = 1;
			}
		}
	}
	int running = count(r, SS_RUNNING);
	/* retries first: they belong to steps that already started */
	for (size_t i = 0; i < r->n && running < limit; i++)
		if (r->steps[i].status == SS_RETRY_WAIT && r->steps[i].retry_at <= now) {
			start(r, &r->steps[i]);
			running += r->steps[i].status == SS_RUNNING;
		}
	for (size_t i = 0; i < r->n && running < limit && !r->halted; i++) {
		int fd;
		if (r->steps[i].status == SS_PENDING && deps_state(r, r->steps[i].st, &fd)) {
			start(r, &r->steps[i]);
			running += r->steps[i].status == SS_RUNNING;
		}
	}
}

static void terminate(step_rt *s, int why, double now)
{
	s->kill_why = why;
	s->term_sent = 1;
	s->kill_at = now + KILL_GRACE_S;
	if (kill(-s->pid, SIGTERM) != 0)
		kill(s->pid, SIGTERM);
}

/* Timeouts and the stop deadline; returns the next deadline (0: none). */
static double enforce(runner *r, double now)
{
	double next = 0;
#define NEXT(t) (next = (next == 0 || (t) < next) ? (t) : next)
	for (size_t i = 0; i < r->n; i++) {
		step_rt *s = &r->steps[i];
		if (s->status == SS_RETRY_WAIT && !r->stopping)
			NEXT(s->retry_at);
		if (s->status != SS_RUNNING)
			continue;
		double tmo = s->st->timeout_s > 0 ? s->started + s->st->timeout_s : 0;
		if (!s->term_sent && tmo > 0 && now >= tmo)
			terminate(s, KILL_TIMEOUT, now);
		if (!s->term_sent && r->stopping && now >= r->stop_deadline)
			terminate(s, KILL_STOP, now);
		if (s->term_sent && s->kill_at > 0 && now >= s->kill_at) {
			if (kill(-s->pid, SIGKILL) != 0)
				kill(s->pid, SIGKILL);
			s->kill_at = 0;
		}
		if (!s->term_sent && tmo > 0)
			NEXT(tmo);
		if (s->term_sent && s->kill_at > 0)
			NEXT(s->kill_at);
		if (!s->term_sent && r->stopping)
			NEXT(r->stop_deadline);
	}
#undef NEXT
	return next;
}

static int finished(runner *r)
{
	if (count(r, SS_RUNNING))
		return 0;
	if (r->stopping)
		return 1;
	if (r->only >= 0)
		return r->steps[r->only].status != SS_PENDING;
	if (count(r, SS_RETRY_WAIT))
		return 0;
	if (r->halted)
		return 1;
	for (size_t i = 0; i < r->n; i++) {
		int fd;
		if (r->steps[i].status == SS_PENDING && deps_state(r, r->steps[i].st, &fd))
			return 0;
	}
	return 1;
}

static void check_stop(runner *r, double now)
{
	int v = r->o->stop ? *r->o->stop : 0;
	if (!v)
		return;
	if (!r->stopping) {
		r->stopping = 1;
		r->stop_deadline = now + (r->o->grace_s > 0 ? r->o->grace_s : 0);
		int n = count(r, SS_RUNNING);
		if (n)
			pl_status(r, "stopping: waiting up to %g s for %d running step%s", r->o->grace_s, n, n > 1 ? "s" : "");
	}
	/* a second request (value 2) cuts the grace period short */
	if (v >= 2 && r->stop_deadline > now)
		r->stop_deadline = now;
}

static void wait_children(runner *r, struct pollfd *pfd, int *owner, int npfd)
{
	for (int k = 0; k < npfd; k++) {
		if (!pfd[k].revents || owner[k] < 0)
			continue;
		step_rt *s = &r->steps[owner[k] >> 2];
		int which = owner[k] & 3;
		if (which == 0)
			pl_read_output(r, s, &s->out, 0);
		else if (which == 1)
			pl_read_output(r, s, &s->err, 0);
	}
	for (size_t i = 0; i < r->n; i++) {
		step_rt *s = &r->steps[i];
		if (s->status != SS_RUNNING)
			continue;
		int ws;
		pid_t w = waitpid(s->pid, &ws, WNOHANG);
		if (w == s->pid)
			step_exited(r, s, ws);
	}
}

static void run_loop(runner *r)
{
	size_t cap = r->n * 3 + 1;
	struct pollfd *pfd = calloc(cap, sizeof *pfd);
	int *owner = calloc(cap, sizeof *owner);
	for (;;) {
		double now = pl_now();
		check_stop(r, now);
		if (!r->stopping)
			schedule(r, now);
		double next = enforce(r, now);
		if (finished(r))
			break;
		int npfd = 0, tick_ms = 250, nopidfd = 0;
		for (size_t i = 0; pfd && owner && i < r->n; i++) {
			step_rt *s = &r->steps[i];
			if (s->status != SS_RUNNING)
				continue;
			int fds[3] = {s->out.fd, s->err.fd, s->pidfd};
			for (int k = 0; k < 3; k++)
				if (fds[k] >= 0) {
					pfd[npfd] = (struct pollfd){fds[k], POLLIN, 0};
					owner[npfd++] = (int)(i << 2) | k;
				}
			nopidfd |= s->pidfd < 0;
		}
		if (nopidfd || !pfd || !owner)
			tick_ms = 20; /* no pidfd (old kernel): notice exits by polling waitpid */
		int tmo = tick_ms;
		if (next > 0) {
			double ms = (next - now) * 1000.0 + 1;
			if (ms < tmo)
				tmo = ms < 0 ? 0 : (int)ms;
		}
		int rc = poll(pfd, (nfds_t)npfd, tmo);
		if (rc < 0 && errno != EINTR)
			usleep(10000);
		if (rc < 0)
			npfd = 0;
		wait_children(r, pfd, owner, npfd);
	}
	free(pfd);
	free(owner);
}

static void notify(runner *r, const char *state, double dur)
{
	const char *var = !strcmp(state, "success")  ? r->pl->on_success.webhook_env
			  : !strcmp(state, "failed") ? r->pl->on_failure.webhook_env
						     : NULL;
	if (!var)
		return;
	char iso[32] = "";
	if (ldp_pipeline_format_time(r->rc.logical_date, r->rc.timezone, iso))
		ldp_error_clear();
	const step_rt *f = r->first_failed >= 0 ? &r->steps[r->first_failed] : NULL;
	char *url = NULL;
	int rc = ldp_notify_url_from_env(var, &url);
	if (!rc) {
		json_t *msg = ldp_notify_run_message(r->pl->name, r->rc.run_id, iso, state, f ? f->st->name : NULL,
						     f ? f->reason : NULL, dur);
		rc = msg ? ldp_notify_post(url, msg) : ldp_error_set(LDP_ENOMEM, "out of memory");
		json_decref(msg);
	}
	free(url);
	if (!rc) {
		pl_status(r, "notified %s (webhook from $%s)", state, var);
		return;
	}
	/* the run's outcome stands: a lost notification is only a warning */
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_printf(&b, "warning: the %s notification (webhook from $%s) failed: %s", state, var,
		       ldp_error_last()->message);
	ldp_error_clear();
	pl_state_warn(r, ldp_state_log_append(r->state, r->rc.run_id, "_notify", 0, "stderr", ldp_buf_cstr(&b), b.len));
	LDP_WARN("run %s: %s", r->rc.run_id, ldp_buf_cstr(&b));
	ldp_buf_free(&b);
}

/* The run's state after a --step attempt: Airflow's tasks of one run come and
 * go, so the run is failed as soon as a step failed, success once all are. */
static const char *only_step_run_state(runner *r, json_t *states)
{
	const step_rt *s = &r->steps[r->only];
	if (s->status == SS_INTERRUPTED || s->status == SS_PENDING)
		return "interrupted";
	if (s->status != SS_SUCCESS)
		return "failed";
	int all = 1;
	for (size_t i = 0; i < r->n; i++) {
		const char *st = json_string_value(json_object_get(states, r->steps[i].st->name));
		if (st && !strcmp(st, "failed"))
			return "failed";
		all &= st && !strcmp(st, "success");
	}
	return all ? "success" : (strstr(r->rc.run_id, "__airflow__") || r->o->type == LDP_RUN_AIRFLOW ? "running" : "success");
}

/* Record the end of the run; returns the run's status. */
static int conclude(runner *r, double started)
{
	int interrupted = 0, failed = 0;
	for (size_t i = 0; i < r->n; i++) {
		step_rt *s = &r->steps[i];
		if (r->only >= 0 && (int)i != r->only)
			continue;
		if (s->status == SS_PENDING && r->halted && !r->stopping)
			mark(r, s, SS_SKIPPED, "skipped", "an earlier step failed and its on_failure is stop");
		interrupted |= r->stopping && (s->status == SS_PENDING || s->status == SS_RETRY_WAIT ||
					       s->status == SS_INTERRUPTED);
		failed |= s->status == SS_FAILED || s->status == SS_UPSTREAM_FAILED;
	}
	const char *state = interrupted ? "interrupted" : failed ? "failed" : "success";
	json_t *states = NULL;
	if (r->only >= 0) {
		if (ldp_state_step_states(r->state, r->rc.run_id, &states))
			ldp_error_clear();
		state = only_step_run_state(r, states);
	}
	ldp_buf err = LDP_BUF_INIT;
	const step_rt *f = r->first_failed >= 0 ? &r->steps[r->first_failed] : NULL;
	if (!strcmp(state, "interrupted"))
		ldp_buf_printf(&err, "run %s was stopped before it finished; resume it with: ldp pipeline run %s --run-id %s",
			       r->rc.run_id, r->pl->name, r->rc.run_id);
	else if (f)
		ldp_buf_printf(&err, "step %s failed: %s", f->st->name, f->reason);
	else if (!strcmp(state, "failed"))
		ldp_buf_printf(&err, "an earlier attempt of another step failed");
	int rc = r->only >= 0 ? ldp_state_run_set_state(r->state, r->rc.run_id, state, err.len ? err.ptr : NULL)
			      : ldp_state_run_finish(r->state, r->rc.run_id, state, err.len ? err.ptr : NULL);
	pl_state_warn(r, rc);
	json_decref(states);
	if (r->only < 0)
		notify(r, state, pl_now() - started);
	if (!strcmp(state, "interrupted"))
		rc = ldp_error_set(LDP_EINTERRUPTED, "pipeline %s: %s", r->pl->name, ldp_buf_cstr(&err));
	else if (f || (!strcmp(state, "failed") && r->only < 0))
		rc = ldp_error_set(LDP_EFAILED, "pipeline %s run %s: %s (see ldp logs %s%s%s)", r->pl->name, r->rc.run_id,
				   ldp_buf_cstr(&err), r->rc.run_id, f ? " --step " : "", f ? f->st->name : "");
	else
		rc = LDP_OK;
	ldp_buf_free(&err);
	return rc;
}

/* Step statuses and attempt numbers from the state file (a resumed run keeps
 * its successful steps; attempt numbers keep counting). */
static int load_previous(runner *r)
{
	json_t *atts;
	int rc = ldp_state_attempts_list(r->state, r->rc.run_id, &atts);
	if (rc)
		return rc;
	size_t k;
	json_t *a;
	json_array_foreach(atts, k, a) {
		const char *name = json_string_value(json_object_get(a, "step"));
		int att = (int)json_integer_value(json_object_get(a, "attempt"));
		for (size_t i = 0; i < r->n; i++)
			if (!strcmp(r->steps[i].st->name, name) && att > r->steps[i].attempt) {
				r->steps[i].attempt = att;
				int ok = !strcmp(json_string_value(json_object_get(a, "state")), "success");
				if (r->only < 0)
					r->steps[i].status = ok ? SS_SUCCESS : SS_PENDING;
			}
	}
	json_decref(atts);
	return LDP_OK;
}

/* Create or resume the run row; fills r->rc. */
static int open_run(runner *r)
{
	const ldp_run_options *o = r->o;
	const char *type = ldp_run_type_name(o->type);
	json_t *run = NULL;
	int rc = LDP_OK;
	if (o->run_id) {
		rc = ldp_state_run_get(r->state, o->run_id, &run);
		if (rc == LDP_ENOTFOUND && r->only >= 0) {
			/* Airflow names its runs; the first task creates ours */
			ldp_error_clear();
			time_t s, e;
			rc = ldp_pipeline_interval(r->pl, o->logical_date, &s, &e);
			if (!rc)
				rc = ldp_state_run_insert(r->state, o->run_id, r->pl->name, type, (double)o->logical_date,
							  (double)s, (double)e, "running");
			if (rc == LDP_EEXISTS) /* another task created it meanwhile */
				ldp_error_clear(), rc = LDP_OK;
			if (!rc)
				rc = ldp_state_run_get(r->state, o->run_id, &run);
		}
		if (rc)
			return rc;
		const char *pl = json_string_value(json_object_get(run, "pipeline"));
		const char *st = json_string_value(json_object_get(run, "state"));
		if (strcmp(pl, r->pl->name))
			rc = ldp_error_set(LDP_EINVALID, "run %s belongs to pipeline %s, not %s", o->run_id, pl, r->pl->name);
		else if (r->only >= 0)
			rc = ldp_state_run_set_state(r->state, o->run_id, "running", NULL);
		else if (!strcmp(st, "success"))
			rc = ldp_error_set(LDP_EINVALID, "run %s already succeeded: nothing to resume", o->run_id);
		else {
			if (!strcmp(st, "running")) /* we hold the lock: its process is gone */
				rc = ldp_state_run_set_state(r->state, o->run_id, "interrupted", "its process died");
			if (!rc)
				rc = ldp_state_run_start(r->state, o->run_id);
		}
		snprintf(r->rc.run_id, sizeof r->rc.run_id, "%s", o->run_id);
		r->rc.logical_date = (time_t)json_real_value(json_object_get(run, "logical_date"));
		r->rc.interval_start = (time_t)json_real_value(json_object_get(run, "interval_start"));
		r->rc.interval_end = (time_t)json_real_value(json_object_get(run, "interval_end"));
		json_decref(run);
		return rc;
	}
	time_t s, e;
	rc = ldp_pipeline_interval(r->pl, o->logical_date, &s, &e);
	if (!rc)
		rc = ldp_state_run_queue(r->state, r->pl->name, type, (double)o->logical_date, (double)s, (double)e,
					 r->rc.run_id);
	if (!rc)
		rc = ldp_state_run_start(r->state, r->rc.run_id);
	r->rc.logical_date = o->logical_date;
	r->rc.interval_start = s;
	r->rc.interval_end = e;
	return rc;
}

int ldp_pipeline_run(const ldp_project *p, const ldp_pipeline *pl, const ldp_run_options *opts, char *run_id_out)
{
	if (run_id_out)
		run_id_out[0] = 0;
	runner r;
	memset(&r, 0, sizeof r);
	r.p = p, r.pl = pl, r.o = opts, r.only = -1, r.first_failed = -1;
	r.rc.timezone = pl->timezone ? pl->timezone : "UTC";
	if (opts->only_step) {
		for (size_t i = 0; i < pl->nsteps && r.only < 0; i++)
			if (!strcmp(pl->steps[i].name, opts->only_step))
				r.only = (int)i;
		if (r.only < 0)
			return ldp_error_set(LDP_EINVALID, "pipeline %s has no step '%s' (see ldp pipeline show %s)", pl->name,
					     opts->only_step, pl->name);
	}
	if (opts->ldp_bin) {
		snprintf(r.ldp_bin, sizeof r.ldp_bin, "%s", opts->ldp_bin);
	} else {
		ssize_t n = readlink("/proc/self/exe", r.ldp_bin, sizeof r.ldp_bin - 1);
		r.ldp_bin[n > 0 ? n : 0] = 0;
		if (n <= 0)
			snprintf(r.ldp_bin, sizeof r.ldp_bin, "/proc/self/exe");
	}
	r.n = pl->nsteps;
	r.steps = calloc(r.n ? r.n : 1, sizeof *r.steps);
	if (!r.steps)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; i < r.n; i++) {
		step_rt *s = &r.steps[i];
		s->st = &pl->steps[i];
		s->max_tries = r.only >= 0 ? 1 : 1 + (s->st->retries > 0 ? s->st->retries : 0);
		s->pidfd = s->out.fd = s->err.fd = -1;
		int w = (int)strlen(s->st->name);
		if (w > r.name_width && (r.only < 0 || r.only == (int)i))
			r.name_width = w;
	}
	ldp_lock *lock = NULL;
	int rc = ldp_state_open(p, &r.state);
	if (!rc && r.only < 0)
		rc = ldp_lock_pipeline(p, pl->name, &lock);
	if (!rc)
		rc = open_run(&r);
	if (!rc)
		rc = load_previous(&r);
	if (rc) {
		ldp_error_wrap(rc, "pipeline %s", pl->name);
	} else {
		if (run_id_out)
			snprintf(run_id_out, 64, "%s", r.rc.run_id);
		double started = pl_now();
		run_loop(&r);
		rc = conclude(&r, started);
	}
	ldp_state_close(r.state);
	ldp_lock_release(lock);
	free(r.steps);
	return rc;
}
