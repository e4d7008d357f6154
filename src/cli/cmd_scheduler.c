/* ldp scheduler: run the project's scheduled pipelines (a foreground daemon). */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "pipeline/scheduler.h"

void cmd_scheduler_help(FILE *out)
{
	fprintf(out,
		"usage: ldp scheduler [--once] [--pipeline P]... [--now TIMESTAMP] [--grace S] [--json]\n\n"
		"Run the project's pipelines that have a `schedule:`, in the foreground, until SIGTERM or\n"
		"Ctrl-C. A run for the interval [t, next fire time) starts when the interval ends, with\n"
		"logical date t; on start, runs a dead scheduler left behind are resumed under their run id\n"
		"and missed intervals are queued (catchup: true: all of them in order; false: the latest).\n"
		"One run of a pipeline at a time. Docs: docs/scheduler.md.\n\n"
		"Options:\n"
		"  --once            queue what is due now, wait for those runs, exit\n"
		"  --pipeline P      only this pipeline (repeat, or P1,P2)\n"
		"  --now TIMESTAMP   pretend it is this time (with --once): 2026-11-25T14:00:00Z,\n"
		"                    2026-11-25 14:00, +HH:MM offsets; no offset means UTC\n"
		"  --grace S         on SIGTERM/SIGINT, give running steps S seconds to finish (default 30)\n"
		"  --json            one JSON object a line instead of human log lines\n\n"
		"SIGHUP reads the configuration again once the runs in flight have ended.\n"
		"Log lines go to stdout (times in UTC); the runs' own output goes to stderr.\n"
		"Exit codes: 0 stopped by a signal, or --once and every run succeeded; 1 bad configuration\n"
		"(nothing ran) or, with --once, a run failed; 2 internal error.\n");
}

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_stop(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else if (stop_requested < 100)
		stop_requested++; /* counted: a second signal cuts the grace period short */
}

/* YYYY-MM-DD[(T| )HH:MM[:SS]][Z|(+|-)HH[:]MM]; no offset: UTC. */
static int parse_timestamp(const char *s, time_t *out)
{
	struct tm tm = {0};
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
		goto bad;
	const char *p = s + n;
	if (*p == 'T' || *p == ' ') {
		int m = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &m) != 2 || m != 5)
			goto bad;
		p += 1 + m;
		if (*p == ':') {
			if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
				goto bad;
			tm.tm_sec = (p[1] - '0') * 10 + (p[2] - '0');
			p += 3;
		}
	}
	long off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int hh, mm, m = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &m) == 2 && m == 5) {
		} else if (sscanf(p + 1, "%2d%2d%n", &hh, &mm, &m) == 2 && m == 4) {
		} else
			goto bad;
		off = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
		p += 1 + m;
	}
	if (*p || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		goto bad;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm) - off;
	return 0;
bad:
	return ldp_error_set(LDP_EINVALID,
			     "--now '%s': not a timestamp (use 2026-11-25T14:00:00Z, 2026-11-25 14:00 or "
			     "2026-11-25T09:00:00-05:00)",
			     s);
}

static void fmt_utc(time_t t, char *buf, size_t len, int iso)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm);
}

static void print_event(const ldp_sched_event *ev, void *userdata)
{
	int json = *(const int *)userdata;
	char at[32], ld[32] = "", end[32] = "";
	fmt_utc(ev->at, at, sizeof at, json);
	if (ev->logical_date)
		fmt_utc(ev->logical_date, ld, sizeof ld, 1);
	if (ev->interval_end)
		fmt_utc(ev->interval_end, end, sizeof end, 1);
	const char *kind = ldp_sched_event_name(ev->kind);
	if (json) {
		json_t *o = json_pack("{s:s, s:s}", "at", at, "event", kind);
		if (ev->pipeline)
			json_object_set_new(o, "pipeline", json_string(ev->pipeline));
		if (ev->run_id)
			json_object_set_new(o, "run_id", json_string(ev->run_id));
		if (*ld)
			json_object_set_new(o, "logical_date", json_string(ld));
		if (*end)
			json_object_set_new(o, "interval_end", json_string(end));
		if (ev->pid)
			json_object_set_new(o, "pid", json_integer(ev->pid));
		if (ev->state) {
			json_object_set_new(o, "state", json_string(ev->state));
			json_object_set_new(o, "exit_code", json_integer(ev->exit_code));
		}
		if (ev->message)
			json_object_set_new(o, "message", json_string(ev->message));
		cli_print_json(o);
		json_decref(o);
	} else {
		printf("%s %s", at, kind);
		if (ev->run_id)
			printf(" %s", ev->run_id);
		else if (ev->pipeline)
			printf(" %s", ev->pipeline);
		if (ev->kind == LDP_SCHED_QUEUED)
			printf(" (interval %s - %s)", ld, end);
		if (ev->kind == LDP_SCHED_LAUNCHED)
			printf(" (pid %ld)", ev->pid);
		if (ev->state)
			printf(": %s (exit %d)", ev->state, ev->exit_code);
		if (ev->message)
			printf("%s%s", ev->kind == LDP_SCHED_START ? ": " : " - ", ev->message);
		putchar('\n');
	}
	fflush(stdout);
}

static int add_pipelines(const char *arg, char ***list, size_t *n)
{
	char *copy = strdup(arg);
	if (!copy)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	char *save;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char **nl = realloc(*list, (*n + 1) * sizeof *nl);
		if (!nl || !(nl[*n] = strdup(tok))) {
			if (nl)
				*list = nl;
			free(copy);
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		}
		*list = nl;
		(*n)++;
	}
	free(copy);
	return 0;
}

int cmd_scheduler(int argc, char **argv)
{
	int json = 0, rc = 0, exit_code;
	char **only = NULL;
	size_t nonly = 0;
	ldp_scheduler_options o = {.grace_s = 30};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--once") == 0) {
			o.once = 1;
		} else if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (strcmp(a, "--pipeline") == 0 || strcmp(a, "-p") == 0) {
			if (!val) {
				exit_code = cli_usage_error("scheduler", "%s needs a pipeline name", a);
				goto done;
			}
			if ((rc = add_pipelines(val, &only, &nonly)))
				break;
			i++;
		} else if (strcmp(a, "--now") == 0) {
			if (!val) {
				exit_code = cli_usage_error("scheduler", "--now needs a timestamp");
				goto done;
			}
			if ((rc = parse_timestamp(val, &o.now)))
				break;
			i++;
		} else if (strcmp(a, "--grace") == 0) {
			char *end;
			o.grace_s = val ? strtod(val, &end) : -1;
			if (!val || *end || end == val || o.grace_s < 0 || o.grace_s > 86400) {
				exit_code = cli_usage_error("scheduler", "--grace needs a number of seconds (0-86400)");
				goto done;
			}
			i++;
		} else {
			exit_code = cli_usage_error("scheduler", "unknown argument '%s'", a);
			goto done;
		}
	}
	if (!rc && o.now && !o.once) {
		exit_code = cli_usage_error("scheduler", "--now only works with --once");
		goto done;
	}
	ldp_project *p = NULL;
	if (!rc)
		rc = ldp_project_find(NULL, &p);
	if (!rc) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_stop;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		o.only = (const char *const *)only;
		o.nonly = nonly;
		o.stop = &stop_requested;
		o.reload = &reload_requested;
		o.on_event = print_event;
		o.userdata = &json;
		rc = ldp_scheduler_run(p, &o);
	}
	ldp_project_free(p);
	exit_code = rc ? cli_fail(rc) : LDP_EXIT_OK;
done:
	for (size_t i = 0; i < nonly; i++)
		free(only[i]);
	free(only);
	return exit_code;
}
