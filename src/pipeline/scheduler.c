/*
 * pipeline/scheduler.c - the scheduler's loop: recover, queue, launch, reap,
 * sleep, stop. The model and the guarantees are in scheduler.h.
 *
 * Single-threaded on purpose: children are reaped with waitpid(WNOHANG) in
 * the loop, which sleeps in short slices (a signal cuts a slice short), so a
 * stop request, a child's exit and a due time are all noticed within a
 * fraction of a second without signal-handler logic in the library.
 */
#include "pipeline/scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ldp/error.h"
#include "pipeline/state.h"

/* How often one run id is launched again when its process ends without
 * settling the run (lock busy, a crash at start) before we give up on it. */
#define MAX_LAUNCHES 3
/* After a stop, children get the grace period plus this: their runner waits
 * grace for running steps, then SIGTERM, 5 s, SIGKILL, then records. */
#define STOP_MARGIN_S 10.0
/* loop()'s answer to a reload request (positive: never an ldp_status) */
#define SCHED_RELOAD 1

typedef struct pending {
	char run_id[64];
	time_t logical;
} pending;

typedef struct sched_pl {
	const ldp_pipeline *pl;
	ldp_cron *cron;
	pid_t child; /* 0: none */
	char run_id[64];
	time_t logical;
	int launches; /* of run_id */
	pending *pend; /* runs to resume, oldest logical date first */
	size_t npend, cappend;
	int waiting; /* WAITING reported for the current wait */
} sched_pl;

typedef struct sched {
	const ldp_project *p;
	const ldp_scheduler_options *o;
	ldp_state *st;
	sched_pl *pls;
	size_t n;
	time_t since;
	char bin[PATH_MAX];
	int any_failed;
} sched;

const char *ldp_sched_event_name(ldp_sched_event_kind k)
{
	static const char *const names[] = {"start",  "queued", "skipped", "exists",  "resuming", "launched", "finished",
					    "waiting", "stopping", "killed", "error", "stopped", "reloaded"};
	return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static time_t clock_now(const sched *s)
{
	return s->o->now ? s->o->now : time(NULL);
}

static void emit(const sched *s, ldp_sched_event ev)
{
	if (!ev.at)
		ev.at = clock_now(s);
	if (s->o->on_event)
		s->o->on_event(&ev, s->o->userdata);
}

static void emit_error(const sched *s, const sched_pl *sp, const char *run_id)
{
	emit(s, (ldp_sched_event){.kind = LDP_SCHED_ERROR,
				  .pipeline = sp ? sp->pl->name : NULL,
				  .run_id = run_id,
				  .message = ldp_error_last()->message});
}

static int is_stopping(const sched *s)
{
	return s->o->stop && *s->o->stop;
}

/* ---- setup ---- */

static int select_pipelines(sched *s, const ldp_pipeline_set *set)
{
	const ldp_scheduler_options *o = s->o;
	s->pls = calloc(set->n + o->nonly + 1, sizeof *s->pls);
	if (!s->pls)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; i < o->nonly; i++) {
		const ldp_pipeline *pl = ldp_pipeline_find(set, o->only[i]);
		if (!pl)
			return ldp_error_set(LDP_EINVALID, "--pipeline %s: no such pipeline in %s (see 'ldp pipeline list')",
					     o->only[i], s->p->config_path);
		if (!pl->schedule)
			return ldp_error_set(LDP_EINVALID,
					     "--pipeline %s: the pipeline has no schedule (add `schedule:` to it, or "
					     "run it with 'ldp pipeline run %s')",
					     pl->name, pl->name);
		int dup = 0;
		for (size_t j = 0; j < s->n; j++)
			dup |= s->pls[j].pl == pl;
		if (!dup)
			s->pls[s->n++].pl = pl;
	}
	if (!o->nonly)
		for (size_t i = 0; i < set->n; i++)
			if (set->items[i].schedule)
				s->pls[s->n++].pl = &set->items[i];
	if (!s->n)
		return ldp_error_set(LDP_EINVALID,
				     "no pipeline in %s has a schedule: add `schedule: \"0 6 * * *\"` (or @daily...) "
				     "to one",
				     s->p->config_path);
	for (size_t i = 0; i < s->n; i++) {
		const ldp_pipeline *pl = s->pls[i].pl;
		int rc = ldp_cron_parse(pl->schedule, pl->timezone, &s->pls[i].cron);
		if (rc)
			return ldp_error_wrap(rc, "pipeline %s (%s): schedule", pl->name, pl->file ? pl->file : "?");
		/* webhook URLs and env_var() templates: a daemon that would fail
		 * every run hours from now must not start */
		if (pl->nsteps && (rc = ldp_pipeline_check_env(pl)))
			return rc;
	}
	return 0;
}

static sched_pl *find_pl(sched *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->pls[i].pl->name, name) == 0)
			return &s->pls[i];
	return NULL;
}

static int is_known_run(const sched *s, const char *run_id)
{
	for (size_t i = 0; i < s->n; i++) {
		const sched_pl *sp = &s->pls[i];
		if (sp->child && strcmp(sp->run_id, run_id) == 0)
			return 1;
		for (size_t j = 0; j < sp->npend; j++)
			if (strcmp(sp->pend[j].run_id, run_id) == 0)
				return 1;
	}
	return 0;
}

/* Add a run to resume, keeping the list in logical-date order. */
static int add_pending(sched_pl *sp, const char *run_id, time_t logical)
{
	if (sp->npend == sp->cappend) {
		size_t cap = sp->cappend ? sp->cappend * 2 : 8;
		pending *np = realloc(sp->pend, cap * sizeof *np);
		if (!np)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		sp->pend = np;
		sp->cappend = cap;
	}
	size_t at = sp->npend;
	while (at > 0 && sp->pend[at - 1].logical > logical)
		at--;
	memmove(&sp->pend[at + 1], &sp->pend[at], (sp->npend - at) * sizeof *sp->pend);
	snprintf(sp->pend[at].run_id, sizeof sp->pend[at].run_id, "%s", run_id);
	sp->pend[at].logical = logical;
	sp->npend++;
	return 0;
}

static int adopt_run(sched *s, const char *run_id)
{
	if (is_known_run(s, run_id))
		return 0;
	json_t *run;
	int rc = ldp_state_run_get(s->st, run_id, &run);
	if (rc)
		return rc;
	const char *name = json_string_value(json_object_get(run, "pipeline"));
	sched_pl *sp = name ? find_pl(s, name) : NULL;
	if (sp)
		rc = add_pending(sp, run_id, (time_t)json_number_value(json_object_get(run, "logical_date")));
	json_decref(run);
	return rc;
}

/* Runs a dead process left queued or running (ldp_state_recover), and
 * scheduled runs a stop interrupted: they are resumed, never queued anew. */
static int recover(sched *s)
{
	json_t *ids;
	int rc = ldp_state_recover(s->st, s->p, &ids);
	if (rc)
		return ldp_error_wrap(rc, "recovering runs left by a stopped scheduler");
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v)
	{
		if ((rc = adopt_run(s, json_string_value(v))))
			break;
	}
	json_decref(ids);
	for (size_t k = 0; !rc && k < s->n; k++) {
		json_t *runs;
		if ((rc = ldp_state_runs_list(s->st, s->pls[k].pl->name, 200, &runs)))
			break;
		json_array_foreach(runs, i, v)
		{
			const char *type = json_string_value(json_object_get(v, "run_type"));
			const char *state = json_string_value(json_object_get(v, "state"));
			const char *id = json_string_value(json_object_get(v, "run_id"));
			if (id && type && state && strcmp(type, "scheduled") == 0 && strcmp(state, "interrupted") == 0 &&
			    (rc = adopt_run(s, id)))
				break;
		}
		json_decref(runs);
	}
	return rc;
}

/* ---- children ---- */

static void iso_utc(time_t t, char *buf, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int launch(sched *s, sched_pl *sp, const char *run_id, time_t logical)
{
	char date[32];
	iso_utc(logical, date, sizeof date);
	char grace[32];
	snprintf(grace, sizeof grace, "%g", s->o->grace_s);
	char *argv[] = {s->bin,	 "pipeline", "run",   sp->pl->name, "--date", date, "--run-id", (char *)run_id,
			"--grace", grace,    "--quiet", NULL};
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return ldp_error_set(LDP_EIO, "starting a run of %s: fork: %s", sp->pl->name, strerror(errno));
	if (pid == 0) {
		/* Own process group so a stop reaches the run and not us; stdin
		 * from /dev/null; the run's own output goes to our stderr so
		 * that --json keeps stdout for log lines. If the scheduler dies
		 * the run is asked to stop gracefully (and is resumed later). */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(2);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		int fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		dup2(2, 1);
		setenv("LDP_PROJECT", s->p->config_path, 1);
		execv(argv[0], argv);
		fprintf(stderr, "ldp scheduler: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	sp->child = pid;
	if (strcmp(sp->run_id, run_id) != 0) {
		snprintf(sp->run_id, sizeof sp->run_id, "%s", run_id);
		sp->launches = 0;
	}
	sp->launches++;
	sp->logical = logical;
	emit(s, (ldp_sched_event){.kind = LDP_SCHED_LAUNCHED, .pipeline = sp->pl->name, .run_id = run_id,
				  .logical_date = logical, .pid = pid});
	return 0;
}

static void child_ended(sched *s, sched_pl *sp, int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	sp->child = 0;
	char state[32] = "unknown";
	json_t *run = NULL;
	if (ldp_state_run_get(s->st, sp->run_id, &run) == 0) {
		const char *v = json_string_value(json_object_get(run, "state"));
		snprintf(state, sizeof state, "%s", v ? v : "unknown");
		json_decref(run);
	} else {
		emit_error(s, sp, sp->run_id);
	}
	emit(s, (ldp_sched_event){.kind = LDP_SCHED_FINISHED, .pipeline = sp->pl->name, .run_id = sp->run_id,
				  .logical_date = sp->logical, .state = state, .exit_code = code});
	if (strcmp(state, "success") == 0)
		return;
	if (strcmp(state, "queued") != 0 && strcmp(state, "running") != 0) {
		s->any_failed = 1; /* failed or interrupted: settled; a restart resumes interrupted ones */
		return;
	}
	/* The run process ended without settling the run: it never started
	 * (the lock was taken by hand in between, a bad binary) or it died. */
	if (is_stopping(s))
		return;
	if (sp->launches >= MAX_LAUNCHES) {
		ldp_error_set(LDP_EFAILED, "run %s: its process ended %d times without finishing it (last exit %d); "
					   "left %s: see 'ldp logs %s', restart the scheduler to try again",
			      sp->run_id, sp->launches, code, state, sp->run_id);
		emit_error(s, sp, sp->run_id);
		s->any_failed = 1;
		return;
	}
	if (strcmp(state, "running") == 0) {
		json_t *ids;
		if (ldp_state_recover(s->st, s->p, &ids) == 0)
			json_decref(ids);
		else
			emit_error(s, sp, sp->run_id);
	}
	if (add_pending(sp, sp->run_id, sp->logical))
		emit_error(s, sp, sp->run_id);
}

static int reap(sched *s)
{
	int active = 0;
	for (size_t i = 0; i < s->n; i++) {
		sched_pl *sp = &s->pls[i];
		if (!sp->child)
			continue;
		int status;
		pid_t r = waitpid(sp->child, &status, WNOHANG);
		if (r == sp->child)
			child_ended(s, sp, status);
		else if (r < 0 && errno == ECHILD)
			sp->child = 0;
		else
			active++;
	}
	return active;
}

/* One scheduler a project: two would both resume the same recovered runs.
 * The file's name cannot be a pipeline's (those never start with a dot).
 * Returns the fd (close-on-exec, so runs never inherit it). */
static int scheduler_lock(const ldp_project *p, int *fd_out)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/.ldp", p->dir);
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/.ldp/locks", p->dir);
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/.ldp/locks/.scheduler.lock", p->dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return ldp_error_set(LDP_EIO, "opening %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		close(fd);
		return ldp_error_set(LDP_EBUSY,
				     "another scheduler (pid %s) already runs the pipelines of %s; stop it first "
				     "(lock file %s)",
				     *pid ? pid : "?", p->dir, path);
	}
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* the pid is only for the message above: not worth failing over */
	}
	*fd_out = fd;
	return 0;
}

/* ---- one pass ---- */

/* Start the next thing for one pipeline; sets *wake to when it next needs
 * attention (0: no time-based need). Returns 1 when something was launched. */
static int step_pipeline(sched *s, sched_pl *sp, time_t now, time_t *wake)
{
	*wake = 0;
	if (sp->child)
		return 0;
	if (ldp_lock_is_held(s->p, sp->pl->name) == 1) {
		if (!sp->waiting)
			emit(s, (ldp_sched_event){.kind = LDP_SCHED_WAITING, .pipeline = sp->pl->name,
						  .message = "another process holds the pipeline's lock (a run started "
							     "by hand?): waiting for it to finish"});
		sp->waiting = 1;
		*wake = now + 1;
		return 0;
	}
	sp->waiting = 0;
	if (sp->npend) {
		pending pd = sp->pend[0];
		memmove(&sp->pend[0], &sp->pend[1], (sp->npend - 1) * sizeof *sp->pend);
		sp->npend--;
		emit(s, (ldp_sched_event){.kind = LDP_SCHED_RESUMING, .pipeline = sp->pl->name, .run_id = pd.run_id,
					  .logical_date = pd.logical});
		if (launch(s, sp, pd.run_id, pd.logical)) {
			emit_error(s, sp, pd.run_id);
			return 0;
		}
		return 1;
	}
	for (;;) {
		double lastd = 0;
		int rc = ldp_state_sched_get(s->st, sp->pl->name, &lastd);
		if (rc)
			goto fail;
		time_t logical, end;
		int skipped;
		rc = ldp_sched_next_due(sp->pl, sp->cron, (time_t)lastd, s->since, now, &logical, &end, &skipped, wake);
		if (rc < 0)
			goto fail;
		if (rc == 0)
			return 0;
		if (skipped) {
			char when[32], msg[128];
			iso_utc(logical, when, sizeof when);
			snprintf(msg, sizeof msg, "catchup is false: missed intervals before %s are not run", when);
			emit(s, (ldp_sched_event){.kind = LDP_SCHED_SKIPPED, .pipeline = sp->pl->name,
						  .logical_date = logical, .interval_end = end, .message = msg});
		}
		char run_id[64] = "";
		rc = ldp_state_run_queue(s->st, sp->pl->name, "scheduled", (double)logical, (double)logical,
					 (double)end, run_id);
		if (rc && rc != LDP_EEXISTS)
			goto fail;
		int exists = rc == LDP_EEXISTS;
		ldp_error_clear();
		/* Recorded after the row: a crash in between leaves a queued row
		 * that recovery resumes and that the next pass finds EEXISTS. */
		if ((rc = ldp_state_sched_set(s->st, sp->pl->name, (double)logical)))
			goto fail;
		if (exists) {
			emit(s, (ldp_sched_event){.kind = LDP_SCHED_EXISTS, .pipeline = sp->pl->name, .run_id = run_id,
						  .logical_date = logical, .interval_end = end,
						  .message = "this interval was queued before: not queued again"});
			continue;
		}
		emit(s, (ldp_sched_event){.kind = LDP_SCHED_QUEUED, .pipeline = sp->pl->name, .run_id = run_id,
					  .logical_date = logical, .interval_end = end});
		if (launch(s, sp, run_id, logical)) {
			emit_error(s, sp, run_id);
			/* the queued row stays: the next start's recovery resumes it */
			return 0;
		}
		return 1;
	}
fail:
	ldp_error_wrap(LDP_ERROR, "pipeline %s", sp->pl->name);
	emit_error(s, sp, NULL);
	*wake = now + 5;
	return 0;
}

static void sleep_s(double sec)
{
	if (sec <= 0)
		return;
	struct timespec ts = {(time_t)sec, (long)((sec - (double)(time_t)sec) * 1e9)};
	nanosleep(&ts, NULL); /* a signal ends it early: that is the point */
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void stop_children(sched *s)
{
	int active = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->pls[i].child) {
			kill(s->pls[i].child, SIGTERM);
			active++;
		}
	char msg[128];
	snprintf(msg, sizeof msg, "not starting new runs; waiting up to %.0f s for %d running", s->o->grace_s, active);
	emit(s, (ldp_sched_event){.kind = LDP_SCHED_STOPPING, .message = msg});
	double deadline = mono_now() + s->o->grace_s + STOP_MARGIN_S;
	sig_atomic_t seen = *s->o->stop;
	while (reap(s) && mono_now() < deadline) {
		if (*s->o->stop != seen) {
			/* another signal: the runs end their grace period at once */
			seen = *s->o->stop;
			for (size_t i = 0; i < s->n; i++)
				if (s->pls[i].child)
					kill(s->pls[i].child, SIGTERM);
			deadline = mono_now() + STOP_MARGIN_S;
			emit(s, (ldp_sched_event){.kind = LDP_SCHED_STOPPING,
						  .message = "signal again: running steps are stopped now"});
		}
		sleep_s(0.1);
	}
	for (size_t i = 0; i < s->n; i++) {
		sched_pl *sp = &s->pls[i];
		if (!sp->child)
			continue;
		kill(-sp->child, SIGKILL);
		kill(sp->child, SIGKILL);
		int status;
		waitpid(sp->child, &status, 0);
		sp->child = 0;
		emit(s, (ldp_sched_event){.kind = LDP_SCHED_KILLED, .pipeline = sp->pl->name, .run_id = sp->run_id,
					  .logical_date = sp->logical,
					  .message = "still running after the grace period: killed; the next start "
						     "resumes it"});
	}
}

static int loop(sched *s)
{
	const ldp_scheduler_options *o = s->o;
	for (;;) {
		reap(s);
		if (is_stopping(s))
			break;
		time_t now = clock_now(s);
		time_t wake = 0;
		int launched = 0, active = 0;
		int reloading = !o->once && o->reload && *o->reload;
		for (size_t i = 0; i < s->n; i++) {
			time_t w = 0;
			if (!reloading)
				launched += step_pipeline(s, &s->pls[i], now, &w);
			if (w && (!wake || w < wake))
				wake = w;
			active += s->pls[i].child != 0;
		}
		int waiting = 0;
		for (size_t i = 0; i < s->n; i++)
			waiting |= s->pls[i].waiting || s->pls[i].npend;
		if (o->once && !active && !launched && !waiting)
			break;
		/* a reload lets the runs in flight end (they use the old
		 * definitions), then the caller loads the config again */
		if (reloading && !active)
			return SCHED_RELOAD;
		double nap = 1.0;
		if (active)
			nap = 0.1;
		if (!o->once && !active && wake && wake - time(NULL) < nap)
			nap = wake > time(NULL) ? (double)(wake - time(NULL)) : 0.05;
		sleep_s(nap);
	}
	if (is_stopping(s))
		stop_children(s);
	return 0;
}

int ldp_scheduler_run(const ldp_project *p, const ldp_scheduler_options *o)
{
	ldp_pipeline_set *set = NULL;
	int rc = ldp_pipelines_load(p, &set);
	while (!rc) {
		rc = ldp_scheduler_run_set(p, set, o);
		if (rc != SCHED_RELOAD)
			break;
		*o->reload = 0;
		/* a broken config keeps the scheduler on the one it had */
		ldp_pipeline_set *fresh = NULL;
		int lrc = ldp_pipelines_load(p, &fresh);
		if (!lrc) {
			ldp_pipeline_set_free(set);
			set = fresh;
		}
		if (o->on_event)
			o->on_event(&(ldp_sched_event){.kind = lrc ? LDP_SCHED_ERROR : LDP_SCHED_RELOADED,
						       .at = time(NULL),
						       .message = lrc ? ldp_error_last()->message : NULL},
				    o->userdata);
		rc = 0;
	}
	ldp_pipeline_set_free(set);
	return rc;
}

int ldp_scheduler_run_set(const ldp_project *p, const ldp_pipeline_set *set, const ldp_scheduler_options *o)
{
	sched s = {.p = p, .o = o};
	int rc = select_pipelines(&s, set);
	if (!rc) {
		if (o->ldp_bin)
			snprintf(s.bin, sizeof s.bin, "%s", o->ldp_bin);
		else {
			ssize_t n = readlink("/proc/self/exe", s.bin, sizeof s.bin - 1);
			if (n < 0)
				rc = ldp_error_set(LDP_EIO, "finding the ldp binary (/proc/self/exe): %s", strerror(errno));
			else
				s.bin[n] = 0;
		}
	}
	int lock_fd = -1;
	if (!rc)
		rc = scheduler_lock(p, &lock_fd);
	if (!rc)
		rc = ldp_state_open(p, &s.st);
	if (!rc) {
		s.since = clock_now(&s);
		char names[512] = "";
		size_t off = 0;
		for (size_t i = 0; i < s.n && off < sizeof names; i++)
			off += (size_t)snprintf(names + off, sizeof names - off, "%s%s (%s %s)", i ? ", " : "",
						 s.pls[i].pl->name, s.pls[i].pl->schedule, s.pls[i].pl->timezone);
		emit(&s, (ldp_sched_event){.kind = LDP_SCHED_START, .message = names});
		rc = recover(&s);
	}
	if (!rc)
		rc = loop(&s);
	if (s.st && rc != SCHED_RELOAD)
		emit(&s, (ldp_sched_event){.kind = LDP_SCHED_STOPPED});
	for (size_t i = 0; s.pls && i < s.n; i++) {
		ldp_cron_free(s.pls[i].cron);
		free(s.pls[i].pend);
	}
	free(s.pls);
	ldp_state_close(s.st);
	if (lock_fd >= 0)
		close(lock_fd);
	/* a stop is a normal end: runs it interrupted are resumed next time */
	if (!rc && o->once && s.any_failed && !is_stopping(&s))
		rc = ldp_error_set(LDP_EFAILED, "a run the scheduler started did not succeed (see 'ldp runs')");
	return rc;
}
