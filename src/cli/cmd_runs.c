/* ldp runs and ldp logs: read the run history and the steps' captured output
 * from the project's state file. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "pipeline/state.h"

#define DEFAULT_RUNS_LIMIT 20

void cmd_runs_help(FILE *out)
{
	fprintf(out,
		"usage: ldp runs [--pipeline P] [--limit N] [--json]\n\n"
		"Pipeline runs recorded in the project's state file, newest first (default the latest %d;\n"
		"--limit 0 for all): run id, pipeline, logical date (UTC), type, state, start (local time),\n"
		"duration and the failed step. --json prints the recorded rows (times in Unix seconds).\n",
		DEFAULT_RUNS_LIMIT);
}

void cmd_logs_help(FILE *out)
{
	fprintf(out,
		"usage: ldp logs RUN_ID [--step S] [--json]\n\n"
		"The output of every step attempt of a run (stdout and stderr as captured, in arrival\n"
		"order), each attempt under a header line with its state, exit code or reason and\n"
		"duration. --step shows one step's attempts. --json prints the run with its attempts,\n"
		"each with its lines ({stream, at, text}).\n");
}

static int open_state(ldp_project **p, ldp_state **s)
{
	*s = NULL;
	int rc = ldp_project_find(NULL, p);
	if (!rc && (rc = ldp_state_open(*p, s))) {
		ldp_project_free(*p);
		*p = NULL;
	}
	return rc;
}

static void fmt_utc(double t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void fmt_local(double t, char *out, size_t len)
{
	if (t <= 0) {
		snprintf(out, len, "-");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static void fmt_duration(double s, char *out, size_t len)
{
	if (s < 60)
		snprintf(out, len, "%.1f s", s);
	else if (s < 3600)
		snprintf(out, len, "%dm %02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(out, len, "%dh %02dm", (int)s / 3600, (int)s % 3600 / 60);
}

static double num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }
static const char *str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

int cmd_runs(int argc, char **argv)
{
	const char *pipeline = NULL;
	int limit = DEFAULT_RUNS_LIMIT, json = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--pipeline") && i + 1 < argc)
			pipeline = argv[++i];
		else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 0 || v > 1000000)
				return cli_usage_error("runs", "--limit needs a number >= 0 (0: all), not '%s'", argv[i]);
			limit = (int)v;
		} else
			return cli_usage_error("runs", "unknown or incomplete option '%s'", argv[i]);
	}
	ldp_project *p;
	ldp_state *s;
	int rc = open_state(&p, &s);
	json_t *runs = NULL;
	if (!rc)
		rc = ldp_state_runs_list(s, pipeline, limit, &runs);
	if (!rc && json) {
		cli_print_json(runs);
	} else if (!rc && json_array_size(runs) == 0) {
		printf("no runs%s%s yet (start one with: ldp pipeline run NAME)\n", pipeline ? " of " : "",
		       pipeline ? pipeline : "");
	} else if (!rc) {
		static const char *const head[] = {"RUN ID", "PIPELINE", "LOGICAL DATE", "TYPE",
						   "STATE",  "STARTED",  "DURATION",     "FAILED STEP"};
		enum { NC = 8 };
		size_t nr = json_array_size(runs);
		char *(*cells)[NC] = calloc(nr, sizeof *cells);
		size_t w[NC];
		for (int c = 0; c < NC; c++)
			w[c] = strlen(head[c]);
		double now = (double)time(NULL);
		for (size_t r = 0; cells && r < nr; r++) {
			json_t *run = json_array_get(runs, r);
			char ld[32], st[32], du[32] = "-";
			fmt_utc(num(run, "logical_date"), ld, sizeof ld);
			fmt_local(num(run, "started_at"), st, sizeof st);
			double s0 = num(run, "started_at"), s1 = num(run, "ended_at");
			if (s0 > 0)
				fmt_duration((s1 > 0 ? s1 : now) - s0, du, sizeof du);
			const char *v[NC] = {str(run, "run_id"), str(run, "pipeline"), ld, str(run, "run_type"),
					     str(run, "state"),  st, du, *str(run, "failed_step") ? str(run, "failed_step") : "-"};
			for (int c = 0; c < NC; c++) {
				cells[r][c] = strdup(v[c]);
				if (cells[r][c] && strlen(v[c]) > w[c])
					w[c] = strlen(v[c]);
			}
		}
		for (int c = 0; c < NC; c++)
			printf("%-*s%s", c < NC - 1 ? (int)w[c] : 0, head[c], c < NC - 1 ? "  " : "\n");
		for (size_t r = 0; cells && r < nr; r++)
			for (int c = 0; c < NC; c++) {
				printf("%-*s%s", c < NC - 1 ? (int)w[c] : 0, cells[r][c] ? cells[r][c] : "",
				       c < NC - 1 ? "  " : "\n");
				free(cells[r][c]);
			}
		free(cells);
	}
	json_decref(runs);
	ldp_state_close(s);
	ldp_project_free(p);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}

/* Lines of one (step, attempt) out of the run's logs. */
static json_t *lines_of(json_t *logs, const char *step, json_int_t attempt, char *used)
{
	json_t *out = json_array();
	size_t i;
	json_t *l;
	json_array_foreach(logs, i, l) {
		if (strcmp(str(l, "step"), step) || json_integer_value(json_object_get(l, "attempt")) != attempt)
			continue;
		used[i] = 1;
		json_array_append_new(out, json_pack("{s:O, s:O, s:O}", "stream", json_object_get(l, "stream"), "at",
						     json_object_get(l, "at"), "text", json_object_get(l, "text")));
	}
	return out;
}

static void print_attempt(json_t *a)
{
	ldp_buf h = LDP_BUF_INIT;
	ldp_buf_printf(&h, "==> %s attempt %lld: %s", str(a, "step"),
		       (long long)json_integer_value(json_object_get(a, "attempt")), str(a, "state"));
	json_t *code = json_object_get(a, "exit_code");
	if (json_is_integer(code) && !*str(a, "reason"))
		ldp_buf_printf(&h, ", exit code %lld", (long long)json_integer_value(code));
	if (*str(a, "reason"))
		ldp_buf_printf(&h, ", %s", str(a, "reason"));
	double s0 = num(a, "started_at"), s1 = num(a, "ended_at");
	char when[32], du[32];
	if (s0 > 0 && s1 >= s0 && strcmp(str(a, "state"), "skipped") && strcmp(str(a, "state"), "upstream_failed")) {
		fmt_duration(s1 - s0, du, sizeof du);
		ldp_buf_printf(&h, ", %s", du);
	}
	if (s0 > 0) {
		fmt_local(s0, when, sizeof when);
		ldp_buf_printf(&h, ", started %s", when);
	}
	printf("%s <==\n", ldp_buf_cstr(&h));
	ldp_buf_free(&h);
	json_t *lines = json_object_get(a, "logs");
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l) printf("%s\n", str(l, "text"));
}

int cmd_logs(int argc, char **argv)
{
	const char *run_id = NULL, *step = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--step") && i + 1 < argc)
			step = argv[++i];
		else if (argv[i][0] == '-')
			return cli_usage_error("logs", "unknown or incomplete option '%s'", argv[i]);
		else if (!run_id)
			run_id = argv[i];
		else
			return cli_usage_error("logs", "unexpected argument '%s'", argv[i]);
	}
	if (!run_id)
		return cli_usage_error("logs", "needs a run id (see ldp runs)");
	ldp_project *p;
	ldp_state *s;
	json_t *run = NULL, *atts = NULL, *logs = NULL;
	int rc = open_state(&p, &s);
	if (!rc)
		rc = ldp_state_run_get(s, run_id, &run);
	if (!rc)
		rc = ldp_state_attempts_list(s, run_id, &atts);
	if (!rc)
		rc = ldp_state_logs(s, run_id, step, &logs);
	if (!rc && step) {
		/* a step the run never reached has no attempts: say so, not "" */
		int known = 0;
		size_t i;
		json_t *a;
		json_array_foreach(atts, i, a) known |= !strcmp(str(a, "step"), step);
		if (!known && json_array_size(logs) == 0)
			rc = ldp_error_set(LDP_ENOTFOUND, "run %s has no attempt of step '%s'", run_id, step);
	}
	if (!rc) {
		char *used = calloc(json_array_size(logs) + 1, 1);
		json_t *out_atts = json_array();
		if (!used || !out_atts) {
			free(used);
			json_decref(out_atts);
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			goto done;
		}
		size_t i;
		json_t *a;
		json_array_foreach(atts, i, a) {
			if (step && strcmp(str(a, "step"), step))
				continue;
			json_t *c = json_deep_copy(a);
			json_object_del(c, "run_id");
			json_object_set_new(c, "logs", lines_of(logs, str(a, "step"),
								json_integer_value(json_object_get(a, "attempt")), used));
			json_array_append_new(out_atts, c);
		}
		/* lines without an attempt (the run's own warnings, e.g. a failed notification) */
		json_array_foreach(logs, i, a) {
			if (used[i])
				continue;
			json_t *c = json_pack("{s:O, s:O, s:n, s:[]}", "step", json_object_get(a, "step"), "attempt",
					      json_object_get(a, "attempt"), "state", "logs");
			json_t *lines = lines_of(logs, str(a, "step"), json_integer_value(json_object_get(a, "attempt")),
						 used);
			json_object_set_new(c, "logs", lines);
			json_array_append_new(out_atts, c);
		}
		free(used);
		if (json) {
			json_object_set_new(run, "attempts", out_atts);
			cli_print_json(run);
		} else {
			char ld[32];
			fmt_utc(num(run, "logical_date"), ld, sizeof ld);
			printf("run %s: pipeline %s, %s, logical date %s, %s%s%s\n", run_id, str(run, "pipeline"),
			       str(run, "run_type"), ld, str(run, "state"), *str(run, "error") ? ": " : "", str(run, "error"));
			json_array_foreach(out_atts, i, a) {
				if (json_is_null(json_object_get(a, "state"))) {
					printf("==> %s <==\n", str(a, "step"));
					size_t k;
					json_t *l;
					json_array_foreach(json_object_get(a, "logs"), k, l) printf("%s\n", str(l, "text"));
				} else {
					print_attempt(a);
				}
			}
			json_decref(out_atts);
		}
	}
done:
	json_decref(run);
	json_decref(atts);
	json_decref(logs);
	ldp_state_close(s);
	ldp_project_free(p);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
