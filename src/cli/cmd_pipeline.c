/* ldp pipeline list|show|validate, and the dispatch of `ldp pipeline run`
 * (cmd_pipeline_run.c) and `ldp pipeline export` (cmd_pipeline_export.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "pipeline/pipeline.h"

void cmd_pipeline_help(FILE *out)
{
	fprintf(out,
		"usage: ldp pipeline list [--json]\n"
		"       ldp pipeline show <name> [--date D] [--json]\n"
		"       ldp pipeline validate [<name>]\n"
		"       ldp pipeline run <name> [--date D] [--step S] [--run-id ID] [--json]\n"
		"       ldp pipeline export --airflow <name> -o <dir>\n\n"
		"Pipelines are DAGs of steps (ingest, transform, sql, check, export, shell, notify, run)\n"
		"declared under `pipelines:` in ldp.yml or in pipelines/<name>.yml.\n\n"
		"  list       the project's pipelines: schedule, time zone, number of steps\n"
		"  show       one pipeline's steps in run order with their retries, timeouts and\n"
		"             dependencies; with --date, the exact command each step would run\n"
		"  validate   load every pipeline (or one) and check what a run needs: step specs,\n"
		"             DAG, cron, time zones, templates, environment variables; exit 1 on error\n"
		"  run        run a pipeline now ('ldp pipeline run --help', docs/pipelines-runs.md)\n"
		"  export     write an Airflow DAG file ('ldp pipeline export --help', docs/airflow.md)\n\n"
		"--date takes YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]; without an offset it is\n"
		"in the pipeline's time zone. Steps run in the project directory. See docs/pipelines.md.\n");
}

static int open_pipelines(ldp_project **p, ldp_pipeline_set **set)
{
	*set = NULL;
	int rc = ldp_project_find(NULL, p);
	if (!rc && (rc = ldp_pipelines_load(*p, set))) {
		ldp_project_free(*p);
		*p = NULL;
	}
	return rc;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static int cmd_list(int argc, char **argv)
{
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else
			return cli_usage_error("pipeline list", "unexpected argument '%s'", argv[i]);
	}
	ldp_project *p;
	ldp_pipeline_set *set;
	int rc = open_pipelines(&p, &set);
	if (rc)
		return cli_fail(rc);
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < set->n; i++) {
			const ldp_pipeline *pl = &set->items[i];
			json_array_append_new(arr, json_pack("{s:s, s:o, s:s, s:I, s:o, s:s}", "name", pl->name, "schedule",
							     str_or_null(pl->schedule), "timezone", pl->timezone, "steps",
							     (json_int_t)pl->nsteps, "description", str_or_null(pl->description),
							     "file", pl->file));
		}
		cli_print_json(arr);
		json_decref(arr);
	} else if (!set->n) {
		fprintf(stderr, "no pipelines: add `pipelines:` to %s or files under %s/pipelines/ (docs/pipelines.md)\n",
			p->config_path, p->dir);
	} else {
		size_t wn = 4, ws = 8, wt = 8;
		for (size_t i = 0; i < set->n; i++) {
			const ldp_pipeline *pl = &set->items[i];
			if (strlen(pl->name) > wn)
				wn = strlen(pl->name);
			if (pl->schedule && strlen(pl->schedule) > ws)
				ws = strlen(pl->schedule);
			if (strlen(pl->timezone) > wt)
				wt = strlen(pl->timezone);
		}
		printf("%-*s  %-*s  %-*s  %5s  %s\n", (int)wn, "NAME", (int)ws, "SCHEDULE", (int)wt, "TIMEZONE", "STEPS",
		       "DESCRIPTION");
		for (size_t i = 0; i < set->n; i++) {
			const ldp_pipeline *pl = &set->items[i];
			printf("%-*s  %-*s  %-*s  %5zu  %s\n", (int)wn, pl->name, (int)ws, pl->schedule ? pl->schedule : "-",
			       (int)wt, pl->timezone, pl->nsteps, pl->description ? pl->description : "");
		}
	}
	ldp_pipeline_set_free(set);
	ldp_project_free(p);
	return LDP_EXIT_OK;
}

static void fmt_duration(double s, char *out, size_t n)
{
	long v = (long)s;
	if (s <= 0)
		snprintf(out, n, "none");
	else if (v % 3600 == 0)
		snprintf(out, n, "%ldh", v / 3600);
	else if (v % 60 == 0)
		snprintf(out, n, "%ldm", v / 60);
	else
		snprintf(out, n, "%gs", s);
}

static const char *on_failure_name(ldp_on_failure f) { return f == LDP_ON_FAILURE_CONTINUE ? "continue" : "stop"; }

/* The command of a step for the run context as one shell-quoted line
 * (malloc'd), or NULL with the error recorded. */
static char *command_line(const ldp_pipeline *pl, const ldp_step *st, const ldp_run_context *rc, json_t **argv_json)
{
	char **argv;
	if (ldp_step_argv(pl, st, rc, "ldp", &argv))
		return NULL;
	ldp_buf b = LDP_BUF_INIT;
	*argv_json = json_array();
	for (char **a = argv; *a; a++) {
		if (a != argv)
			ldp_buf_putc(&b, ' ');
		ldp_buf_put_shell_word(&b, *a);
		json_array_append_new(*argv_json, json_string(*a));
	}
	ldp_argv_free(argv);
	return ldp_buf_detach(&b);
}

static int show(const ldp_pipeline *pl, const char *date, int json)
{
	ldp_run_context rc = {.timezone = pl->timezone};
	char iso[3][32];
	int r = LDP_OK;
	if (date) {
		if ((r = ldp_pipeline_date_parse(date, pl->timezone, &rc.logical_date)) ||
		    (r = ldp_pipeline_interval(pl, rc.logical_date, &rc.interval_start, &rc.interval_end)))
			return r;
		struct tm tm;
		gmtime_r(&rc.logical_date, &tm);
		/* the id a manual run of this date gets (state.h) */
		snprintf(rc.run_id, sizeof rc.run_id, "%s__manual__%04d%02d%02dT%02d%02d%02d", pl->name, tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		ldp_pipeline_format_time(rc.logical_date, pl->timezone, iso[0]);
		ldp_pipeline_format_time(rc.interval_start, pl->timezone, iso[1]);
		ldp_pipeline_format_time(rc.interval_end, pl->timezone, iso[2]);
	}
	size_t *order = calloc(pl->nsteps, sizeof *order);
	if (!order)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_pipeline_topo_order(pl, order);
	json_t *steps = json_array();
	ldp_buf text = LDP_BUF_INIT;
	for (size_t k = 0; k < pl->nsteps && !r; k++) {
		const ldp_step *st = &pl->steps[order[k]];
		json_t *deps = json_array(), *argv_json = NULL;
		for (size_t j = 0; j < st->ndepends; j++)
			json_array_append_new(deps, json_string(st->depends_on[j]));
		char *cmd = NULL;
		if (date && !(cmd = command_line(pl, st, &rc, &argv_json)))
			r = ldp_error_last()->code ? ldp_error_last()->code : LDP_ERROR;
		json_t *o = json_pack("{s:s, s:s, s:I, s:O, s:O, s:i, s:f, s:f, s:f, s:f, s:s}", "name", st->name, "kind",
				      ldp_step_kind_name(st->kind), "line", (json_int_t)st->line, "spec", st->spec,
				      "depends_on", deps, "retries", st->retries, "retry_delay_s", st->retry_delay_s,
				      "retry_backoff", st->retry_backoff, "max_retry_delay_s", st->max_retry_delay_s,
				      "timeout_s", st->timeout_s, "on_failure", on_failure_name(st->on_failure));
		if (argv_json)
			json_object_set_new(o, "command", argv_json);
		json_array_append_new(steps, o);
		char t1[32], t2[32];
		fmt_duration(st->timeout_s, t1, sizeof t1);
		fmt_duration(st->retry_delay_s, t2, sizeof t2);
		ldp_buf_printf(&text, "  %zu. %s  [%s]\n", k + 1, st->name, ldp_step_kind_name(st->kind));
		if (st->ndepends) {
			ldp_buf_puts(&text, "       depends_on: ");
			for (size_t j = 0; j < st->ndepends; j++)
				ldp_buf_printf(&text, "%s%s", j ? ", " : "", st->depends_on[j]);
			ldp_buf_putc(&text, '\n');
		}
		ldp_buf_printf(&text, "       retries: %d", st->retries);
		if (st->retries)
			ldp_buf_printf(&text, " (delay %s, backoff x%g)", t2, st->retry_backoff);
		ldp_buf_printf(&text, ", timeout: %s, on_failure: %s\n", t1, on_failure_name(st->on_failure));
		if (cmd)
			ldp_buf_printf(&text, "       $ %s\n", cmd);
		json_decref(deps);
		free(cmd);
	}
	free(order);
	if (!r && json) {
		json_t *o = json_pack("{s:s, s:o, s:s, s:o, s:s, s:b, s:i, s:O, s:{s:o, s:o}, s:o}", "name", pl->name,
				      "description", str_or_null(pl->description), "file", pl->file, "schedule",
				      str_or_null(pl->schedule), "timezone", pl->timezone, "catchup", pl->catchup,
				      "max_active_steps", pl->max_active_steps, "params", pl->params, "notify", "on_failure",
				      str_or_null(pl->on_failure.webhook_env), "on_success",
				      str_or_null(pl->on_success.webhook_env), "steps", steps);
		char sd[32];
		json_object_set_new(o, "start_date",
				    pl->start_date && !ldp_pipeline_format_time(pl->start_date, pl->timezone, sd) ? json_string(sd)
														: json_null());
		steps = NULL;
		if (date) {
			json_object_set_new(o, "logical_date", json_string(iso[0]));
			json_object_set_new(o, "data_interval_start", json_string(iso[1]));
			json_object_set_new(o, "data_interval_end", json_string(iso[2]));
			json_object_set_new(o, "run_id", json_string(rc.run_id));
		}
		cli_print_json(o);
		json_decref(o);
	} else if (!r) {
		printf("pipeline %s  (%s)\n", pl->name, pl->file);
		if (pl->description)
			printf("  description: %s\n", pl->description);
		if (pl->schedule)
			printf("  schedule: %s (%s)%s\n", pl->schedule, pl->timezone, pl->catchup ? ", catchup" : "");
		else
			printf("  schedule: none, runs only when asked (time zone %s)\n", pl->timezone);
		char sd[32];
		if (pl->start_date && !ldp_pipeline_format_time(pl->start_date, pl->timezone, sd))
			printf("  start_date: %s\n", sd);
		printf("  max_active_steps: %d\n", pl->max_active_steps);
		if (pl->on_failure.webhook_env)
			printf("  notify on_failure: webhook from $%s\n", pl->on_failure.webhook_env);
		if (pl->on_success.webhook_env)
			printf("  notify on_success: webhook from $%s\n", pl->on_success.webhook_env);
		if (date)
			printf("  logical date %s, data interval %s .. %s, run id %s\n", iso[0], iso[1], iso[2], rc.run_id);
		printf("steps (in run order):\n%s", ldp_buf_cstr(&text));
	}
	json_decref(steps);
	ldp_buf_free(&text);
	return r;
}

static int cmd_show(int argc, char **argv)
{
	const char *name = NULL, *date = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--date") && i + 1 < argc)
			date = argv[++i];
		else if (!strncmp(argv[i], "--date=", 7))
			date = argv[i] + 7;
		else if (argv[i][0] == '-')
			return cli_usage_error("pipeline show", "unknown option '%s'", argv[i]);
		else if (!name)
			name = argv[i];
		else
			return cli_usage_error("pipeline show", "unexpected argument '%s'", argv[i]);
	}
	if (!name)
		return cli_usage_error("pipeline show", "which pipeline? ldp pipeline show <name>");
	ldp_project *p;
	ldp_pipeline_set *set;
	int rc = open_pipelines(&p, &set);
	if (rc)
		return cli_fail(rc);
	const ldp_pipeline *pl;
	rc = ldp_pipeline_find_or_error(set, name, &pl);
	if (!rc)
		rc = show(pl, date, json);
	ldp_pipeline_set_free(set);
	ldp_project_free(p);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}

static int cmd_validate(int argc, char **argv)
{
	const char *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' || name)
			return cli_usage_error("pipeline validate", "unexpected argument '%s'", argv[i]);
		name = argv[i];
	}
	ldp_project *p;
	ldp_pipeline_set *set;
	int rc = open_pipelines(&p, &set);
	if (rc)
		return cli_fail(rc);
	size_t n = 0;
	const ldp_pipeline *one = NULL;
	if (name)
		rc = ldp_pipeline_find_or_error(set, name, &one);
	for (size_t i = 0; i < set->n && !rc; i++) {
		if (one && one != &set->items[i])
			continue;
		rc = ldp_pipeline_check_env(&set->items[i]);
		n++;
	}
	if (!rc)
		printf("ok: %zu pipeline%s valid\n", n, n == 1 ? "" : "s");
	ldp_pipeline_set_free(set);
	ldp_project_free(p);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}

/* `run` and `export` live in their own files (cmd_pipeline_run.c,
 * cmd_pipeline_export.c). */
int cmd_pipeline(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("pipeline", "give a subcommand: list, show, validate, run or export");
	const char *sub = argv[1];
	int help = cli_is_help(sub);
	for (int i = 2; i < argc && !help && strcmp(argv[i], "--"); i++)
		help = cli_is_help(argv[i]);
	if (help && !strcmp(sub, "run")) {
		cmd_pipeline_run_help(stdout);
		return LDP_EXIT_OK;
	}
	if (help && strcmp(sub, "export")) { /* export prints its own */
		cmd_pipeline_help(stdout);
		return LDP_EXIT_OK;
	}
	/* subcommands see argv[0] = their own name, like commands do */
	if (!strcmp(sub, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(sub, "show"))
		return cmd_show(argc - 1, argv + 1);
	if (!strcmp(sub, "validate"))
		return cmd_validate(argc - 1, argv + 1);
	if (!strcmp(sub, "run"))
		return cmd_pipeline_run(argc - 1, argv + 1);
	if (!strcmp(sub, "export"))
		return cmd_pipeline_export(argc - 1, argv + 1);
	return cli_usage_error("pipeline", "unknown subcommand '%s' (list, show, validate, run, export)", sub);
}
