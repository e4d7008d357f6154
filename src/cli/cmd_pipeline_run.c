/* ldp pipeline run NAME and ldp backfill NAME: run a pipeline now, or once
 * per interval of a date range. The work is ldp_pipeline_run's; this file
 * parses arguments, picks logical dates, turns SIGINT/SIGTERM into the
 * runner's stop flag and prints. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "pipeline/cron.h"
#include "pipeline/pipeline.h"
#include "pipeline/state.h"

#define DEFAULT_GRACE_S 30.0
#define MAX_BACKFILL_RUNS 10000

void cmd_pipeline_run_help(FILE *out)
{
	fprintf(out,
		"usage: ldp pipeline run NAME [--date D] [--step S] [--run-id ID] [--grace DURATION] [--json] [--quiet]\n\n"
		"Run a pipeline's steps in dependency order, recording the run, every step attempt and\n"
		"the steps' output in the project's state file (.ldp/state.db; see ldp runs, ldp logs).\n"
		"  --date D        logical date: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], wall time in\n"
		"                  the pipeline's timezone without an offset. Default: the start of the latest\n"
		"                  complete schedule interval, or today's midnight without a schedule\n"
		"  --run-id ID     resume that run: steps that succeeded are not run again\n"
		"  --step S        run only step S, once (no retries, no depends_on, no lock): how Airflow\n"
		"                  calls ldp; with --run-id the run is created when missing\n"
		"  --grace D       on SIGINT/SIGTERM start nothing new and give running steps this long\n"
		"                  (default 30s) before stopping them; a second signal stops them at once\n"
		"  --json          print the run and its attempts as JSON instead of the steps' output\n"
		"  --quiet         print nothing but errors\n"
		"Exit codes: 0 the run succeeded; 1 a step failed, the run was stopped, another run of the\n"
		"pipeline is active (lock busy) or the config is bad; 2 internal error. See docs/pipelines-runs.md.\n");
}

void cmd_backfill_help(FILE *out)
{
	fprintf(out,
		"usage: ldp backfill NAME --from D --to D [--continue] [--grace DURATION] [--json] [--quiet]\n\n"
		"Run a pipeline once for every schedule interval whose start lies between the two dates\n"
		"(inclusive), oldest first, one after the other; without a schedule once a day. Runs are\n"
		"recorded with type backfill. Stops at the first failed run unless --continue.\n"
		"Exit codes: 0 every run succeeded, 1 a run failed or was stopped, 2 internal error.\n");
}

static volatile int stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = stop_requested ? 2 : 1;
}

static void install_stop_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* `ldp pipeline run x | head` must not kill the runner mid-run: echoing
	 * into a closed pipe just fails (steps get SIGPIPE back by default) */
	signal(SIGPIPE, SIG_IGN);
}

/* Project, pipelines and the named pipeline; prints the error itself. */
static int load_pipeline(const char *name, ldp_project **p, ldp_pipeline_set **set,
			 const ldp_pipeline **pl)
{
	*p = NULL;
	*set = NULL;
	int rc = ldp_project_find(NULL, p);
	if (!rc)
		rc = ldp_pipelines_load(*p, set);
	if (!rc && !(*pl = ldp_pipeline_find(*set, name))) {
		ldp_buf known = LDP_BUF_INIT;
		for (size_t i = 0; i < (*set)->n; i++)
			ldp_buf_printf(&known, "%s%s", i ? ", " : "", (*set)->items[i].name);
		rc = ldp_error_set(LDP_EINVALID, "no pipeline '%s' in %s (%s%s)", name, (*p)->config_path,
				   known.len ? "known: " : "none declared", ldp_buf_cstr(&known));
		ldp_buf_free(&known);
	}
	if (!rc)
		rc = ldp_pipeline_check_env(*pl);
	if (rc) {
		ldp_pipeline_set_free(*set);
		ldp_project_free(*p);
		*set = NULL;
		*p = NULL;
		return cli_fail(rc);
	}
	return LDP_EXIT_OK;
}

/* The first schedule fire at or after t (the pipeline has a schedule). */
static int first_fire_at_or_after(const ldp_pipeline *pl, time_t t, time_t *out)
{
	ldp_cron *c = NULL;
	int rc = ldp_cron_parse(pl->schedule, pl->timezone, &c);
	if (!rc)
		rc = ldp_cron_next(c, t - 1, out);
	ldp_cron_free(c);
	return rc;
}

/* Without --date: the start of the latest complete interval, or today's
 * midnight in the pipeline's zone when it has no schedule. */
static int default_logical_date(const ldp_pipeline *pl, time_t *out)
{
	time_t now = time(NULL);
	if (pl->schedule) {
		ldp_cron *c = NULL;
		time_t end;
		int rc = ldp_cron_parse(pl->schedule, pl->timezone, &c);
		if (!rc)
			rc = ldp_cron_prev(c, now, &end);
		if (!rc)
			rc = ldp_cron_prev(c, end - 1, out);
		ldp_cron_free(c);
		return rc;
	}
	char iso[32];
	int rc = ldp_pipeline_format_time(now, pl->timezone, iso);
	iso[10] = 0;
	return rc ? rc : ldp_pipeline_date_parse(iso, pl->timezone, out);
}

static json_t *run_json(const ldp_project *p, const char *run_id)
{
	ldp_state *s = NULL;
	json_t *run = NULL, *atts = NULL;
	if (ldp_state_open(p, &s) || ldp_state_run_get(s, run_id, &run) || ldp_state_attempts_list(s, run_id, &atts)) {
		ldp_error_clear();
		json_decref(run);
		run = NULL;
	} else {
		json_object_set_new(run, "attempts", atts);
	}
	ldp_state_close(s);
	return run;
}

/* One line for a finished run, from its recorded row. */
static void print_summary(const ldp_project *p, const char *run_id)
{
	json_t *run = run_json(p, run_id);
	if (!run)
		return;
	double st = json_number_value(json_object_get(run, "started_at"));
	double en = json_number_value(json_object_get(run, "ended_at"));
	const char *state = json_string_value(json_object_get(run, "state"));
	const char *err = json_string_value(json_object_get(run, "error"));
	fprintf(stderr, "run %s: %s (%.1f s)%s%s\n", run_id, state, en > st ? en - st : 0.0, err ? ": " : "",
		err ? err : "");
	json_decref(run);
}

typedef struct run_args {
	const char *name, *date, *step, *run_id, *from, *to;
	int json, quiet, cont;
	double grace;
} run_args;

static int parse_args(const char *cmd, int argc, char **argv, int backfill, run_args *a)
{
	memset(a, 0, sizeof *a);
	a->grace = DEFAULT_GRACE_S;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **slot = NULL;
		if (!strcmp(o, "--json"))
			a->json = 1;
		else if (!strcmp(o, "--quiet") || !strcmp(o, "-q"))
			a->quiet = 1;
		else if (backfill && !strcmp(o, "--continue"))
			a->cont = 1;
		else if (!backfill && !strcmp(o, "--date"))
			slot = &a->date;
		else if (!backfill && !strcmp(o, "--step"))
			slot = &a->step;
		else if (!backfill && !strcmp(o, "--run-id"))
			slot = &a->run_id;
		else if (backfill && !strcmp(o, "--from"))
			slot = &a->from;
		else if (backfill && !strcmp(o, "--to"))
			slot = &a->to;
		else if (!strcmp(o, "--grace")) {
			if (i + 1 >= argc)
				return cli_usage_error(cmd, "--grace needs a duration (30s, 2m)");
			if (ldp_duration_parse(argv[++i], &a->grace) != LDP_OK) {
				cli_usage_error(cmd, "--grace: %s", ldp_error_last()->message);
				ldp_error_clear();
				return LDP_EXIT_USER;
			}
		} else if (o[0] == '-' && o[1])
			return cli_usage_error(cmd, "unknown option '%s'", o);
		else if (!a->name)
			a->name = o;
		else
			return cli_usage_error(cmd, "unexpected argument '%s'", o);
		if (slot) {
			if (i + 1 >= argc)
				return cli_usage_error(cmd, "%s needs a value", o);
			*slot = argv[++i];
		}
	}
	if (!a->name)
		return cli_usage_error(cmd, "needs a pipeline name (see ldp pipeline list)");
	if (backfill && (!a->from || !a->to))
		return cli_usage_error(cmd, "needs --from D and --to D");
	return LDP_EXIT_OK;
}

/* Arguments, project and pipeline of both commands; an exit code. */
static int prologue(const char *cmd, int argc, char **argv, int backfill, run_args *a, ldp_project **p,
		    ldp_pipeline_set **set, const ldp_pipeline **pl)
{
	int ex = parse_args(cmd, argc, argv, backfill, a);
	return ex ? ex : load_pipeline(a->name, p, set, pl);
}

static void base_options(const run_args *a, ldp_run_options *o)
{
	memset(o, 0, sizeof *o);
	o->echo = !a->json && !a->quiet;
	o->stop = &stop_requested;
	o->grace_s = a->grace;
}

int cmd_pipeline_run(int argc, char **argv)
{
	run_args a;
	ldp_project *p;
	ldp_pipeline_set *set;
	const ldp_pipeline *pl;
	int ex = prologue("pipeline run", argc, argv, 0, &a, &p, &set, &pl);
	if (ex)
		return ex;
	ldp_run_options o;
	base_options(&a, &o);
	o.type = a.step && a.run_id ? LDP_RUN_AIRFLOW : LDP_RUN_MANUAL;
	o.run_id = a.run_id;
	o.only_step = a.step;
	int rc = a.date ? ldp_pipeline_date_parse(a.date, pl->timezone, &o.logical_date)
			: default_logical_date(pl, &o.logical_date);
	if (rc)
		ldp_error_wrap(rc, "--date");
	char run_id[64] = "";
	if (!rc) {
		install_stop_handlers();
		rc = ldp_pipeline_run(p, pl, &o, run_id);
	}
	/* the runner's message names the failed step; keep it for cli_fail */
	if (*run_id && a.json) {
		json_t *run = run_json(p, run_id);
		if (run)
			cli_print_json(run);
		json_decref(run);
	} else if (*run_id && !a.quiet && !rc) {
		print_summary(p, run_id);
	}
	ldp_pipeline_set_free(set);
	ldp_project_free(p);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}

int cmd_backfill(int argc, char **argv)
{
	run_args a;
	ldp_project *p;
	ldp_pipeline_set *set;
	const ldp_pipeline *pl;
	int ex = prologue("backfill", argc, argv, 1, &a, &p, &set, &pl);
	if (ex)
		return ex;
	time_t from, to, t;
	int rc = ldp_pipeline_date_parse(a.from, pl->timezone, &from);
	if (rc)
		ldp_error_wrap(rc, "--from");
	if (!rc && (rc = ldp_pipeline_date_parse(a.to, pl->timezone, &to)))
		ldp_error_wrap(rc, "--to");
	if (!rc && to < from)
		rc = ldp_error_set(LDP_EINVALID, "--to %s is before --from %s", a.to, a.from);
	/* every logical date first: a range too long is refused before anything runs */
	time_t *dates = NULL;
	size_t n = 0;
	if (!rc)
		rc = pl->schedule ? first_fire_at_or_after(pl, from, &t) : (t = from, LDP_OK);
	if (rc == LDP_ENOTFOUND) /* no fire time at all: nothing to run */
		ldp_error_clear(), rc = LDP_OK, t = to + 1;
	while (!rc && t <= to) {
		if (n == MAX_BACKFILL_RUNS) {
			rc = ldp_error_set(LDP_EINVALID, "backfill %s: more than %d intervals between %s and %s; use a shorter range",
					   pl->name, MAX_BACKFILL_RUNS, a.from, a.to);
			break;
		}
		time_t *nd = realloc(dates, (n + 1) * sizeof *dates);
		if (!nd) {
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			break;
		}
		dates = nd;
		dates[n++] = t;
		time_t s, e;
		rc = ldp_pipeline_interval(pl, t, &s, &e);
		if (!rc && e <= t)
			rc = ldp_error_set(LDP_ERROR, "pipeline %s: interval of %lld does not advance", pl->name, (long long)t);
		t = e;
	}
	if (rc) {
		free(dates);
		ldp_pipeline_set_free(set);
		ldp_project_free(p);
		return cli_fail(rc);
	}
	install_stop_handlers();
	json_t *all = a.json ? json_array() : NULL;
	int failed = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		ldp_run_options o;
		base_options(&a, &o);
		o.type = LDP_RUN_BACKFILL;
		o.logical_date = dates[i];
		char run_id[64] = "";
		int r = ldp_pipeline_run(p, pl, &o, run_id);
		if (*run_id && all)
			json_array_append_new(all, run_json(p, run_id));
		else if (*run_id && !a.quiet && !r)
			print_summary(p, run_id);
		if (r == LDP_EFAILED) {
			failed++;
			fprintf(stderr, "ldp: error: %s\n", ldp_error_last()->message);
			ldp_error_clear();
			if (!a.cont)
				break;
		} else if (r) {
			rc = r; /* stopped, lock busy or worse: do not go on */
		}
	}
	if (all)
		cli_print_json(all);
	json_decref(all);
	free(dates);
	ldp_pipeline_set_free(set);
	ldp_project_free(p);
	if (rc)
		return cli_fail(rc);
	return failed ? LDP_EXIT_USER : LDP_EXIT_OK;
}
