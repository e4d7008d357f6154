/* ldp notify: post a Slack-compatible message (pipeline/notify.h). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "pipeline/notify.h"
#include "pipeline/rows.h"
#include "table/sqlrun.h"
#include "table/warehouse.h"

void cmd_notify_help(FILE *out)
{
	fprintf(out,
		"usage: ldp notify [options]\n\n"
		"Post a message to a Slack-compatible incoming webhook: a header, a text, and a\n"
		"query's result as a monospaced table. Inside a pipeline the pipeline, run id and\n"
		"logical date (LDP_PIPELINE, LDP_RUN_ID, LDP_DS) are added as fields.\n\n"
		"Options:\n"
		"  --webhook-env VAR  the environment variable holding the webhook URL\n"
		"                     (default SLACK_WEBHOOK_URL; the URL itself is never printed)\n"
		"  --title T          the message's header\n"
		"  --text T           a paragraph of text (Slack mrkdwn: *bold*, _italic_, `code`)\n"
		"  --query SQL        run this query (over the project's tables) and show its rows\n"
		"  --max-rows N       rows of the query to show (default 20; the table also stops\n"
		"                     at Slack's 3000 characters and says how many rows it left out)\n"
		"  --status S         success | failure | info (default info): the header's emoji\n"
		"  --dry-run          print the message's JSON instead of posting it (needs no URL)\n\n"
		"Failed posts are retried on HTTP 429 and 5xx (honouring Retry-After).\n"
		"Docs: docs/checks.md\n");
}

/* The query's rows, inside the project when there is one (its tables bound),
 * else over files like `ldp sql`. */
static int run_query(const char *sql, long long max_rows, json_t **rows)
{
	ldp_project *p = NULL;
	ldp_warehouse *wh = NULL;
	ldp_engine *e = NULL;
	int rc = cli_open_warehouse(&p, &wh);
	if (!rc) {
		rc = ldp_warehouse_engine(wh, &e);
	} else if (rc == LDP_ENOTFOUND) {
		ldp_error_clear();
		rc = ldp_engine_open(&e, NULL, NULL);
	}
	ldp_sql_outcome oc;
	memset(&oc, 0, sizeof oc);
	if (!rc) {
		ldp_sql_session sess = {wh, e};
		rc = ldp_sql_run(&sess, sql, &oc);
	}
	if (!rc && !oc.rows)
		rc = ldp_error_set(LDP_EINVALID, "--query must return rows (a SELECT): '%s'", sql);
	if (!rc)
		rc = ldp_rows_collect(oc.rows, max_rows, rows);
	ldp_sql_outcome_clear(&oc);
	if (wh)
		cli_close_warehouse(p, wh);
	else
		ldp_engine_free(e);
	return rc ? ldp_error_wrap(rc, "--query") : LDP_OK;
}

int cmd_notify(int argc, char **argv)
{
	const char *var = "SLACK_WEBHOOK_URL", *title = NULL, *text = NULL, *query = NULL, *status = "info";
	long long max_rows = 20;
	int dry_run = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--dry-run") == 0) {
			dry_run = 1;
			continue;
		}
		if (a[0] != '-')
			return cli_usage_error("notify", "unexpected argument '%s'", a);
		if (i + 1 >= argc)
			return cli_usage_error("notify", "option '%s' needs a value", a);
		const char *v = argv[++i];
		if (strcmp(a, "--webhook-env") == 0) {
			var = v;
		} else if (strcmp(a, "--title") == 0) {
			title = v;
		} else if (strcmp(a, "--text") == 0) {
			text = v;
		} else if (strcmp(a, "--query") == 0) {
			query = v;
		} else if (strcmp(a, "--max-rows") == 0) {
			char *end;
			max_rows = strtoll(v, &end, 10);
			if (!*v || *end || max_rows < 0)
				return cli_usage_error("notify", "--max-rows needs a whole number >= 0, not '%s'", v);
		} else if (strcmp(a, "--status") == 0) {
			if (strcmp(v, "success") && strcmp(v, "failure") && strcmp(v, "info"))
				return cli_usage_error("notify", "--status is success, failure or info, not '%s'", v);
			status = v;
		} else {
			return cli_usage_error("notify", "unknown option '%s'", a);
		}
	}
	if (!title && !text && !query)
		return cli_usage_error("notify", "nothing to say: give --title, --text or --query");

	/* The URL first: a missing variable fails before any query runs. */
	char *url = NULL;
	int rc = dry_run ? LDP_OK : ldp_notify_url_from_env(var, &url);
	json_t *rows = NULL;
	if (!rc && query)
		rc = run_query(query, max_rows, &rows);
	if (rc) {
		free(url);
		return cli_fail(rc);
	}
	const char *pipeline = getenv("LDP_PIPELINE");
	char deftitle[300];
	if (!title && pipeline)
		snprintf(deftitle, sizeof deftitle, "%s report", pipeline);
	const char *fields[] = {"Pipeline", pipeline, "Run id", getenv("LDP_RUN_ID"), "Logical date", getenv("LDP_DS")};
	ldp_notify_content c;
	memset(&c, 0, sizeof c);
	c.title = title ? title : pipeline ? deftitle : "ldp report";
	c.text = text;
	c.status = status;
	c.fields = fields;
	c.nfields = 3;
	c.rows = rows;
	/* rows holds at most max_rows rows (none for 0: just the header and the count) */
	c.max_rows = (size_t)max_rows;
	json_t *msg = ldp_notify_message(&c);
	if (dry_run) {
		char *s = json_dumps(msg, JSON_INDENT(2));
		if (s)
			puts(s);
		free(s);
	} else if ((rc = ldp_notify_post(url, msg))) {
		ldp_error_wrap(rc, "%s", var);
	} else {
		fprintf(stderr, "posted to the webhook in $%s\n", var);
	}
	json_decref(msg);
	json_decref(rows);
	free(url);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
