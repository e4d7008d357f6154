/* ldp: git-style command dispatch. */
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "ldp/log.h"

static int cmd_help(int argc, char **argv);
static void cmd_help_help(FILE *out);

static const ldp_cli_cmd commands[] = {
	{"init", "Create a project: ldp.yml and a warehouse with its catalog", cmd_init, cmd_init_help},
	{"namespace", "Create, list, describe, change and drop namespaces", cmd_namespace, cmd_namespace_help},
	{"table", "Create, load, list and change Iceberg tables; history, snapshots, refs", cmd_table, cmd_table_help},
	{"demo", "Build the NYC taxi lakehouse and print a report (ldp demo nyc-taxi)", cmd_demo, cmd_demo_help},
	{"ingest", "Load files, SQLite and other sources into Iceberg tables", cmd_ingest, cmd_ingest_help},
	{"run", "Run pipeline configs (the seed library's JSON format)", cmd_run, cmd_run_help},
	{"s3", "List, copy and remove S3 objects with ldp's S3 configuration", cmd_s3, cmd_s3_help},
	{"serve", "Serve the catalog over the Iceberg REST protocol", cmd_serve, cmd_serve_help},
	{"sql", "Run SQL (DuckDB dialect) over files and tables", cmd_sql, cmd_sql_help},
	{"branch", "Write-audit-publish: create, list, merge (publish) and drop table branches", cmd_branch, cmd_branch_help},
	{"transform", "Run dbt projects on the warehouse: run, build, test, seed, compile, ls, docs", cmd_transform, cmd_transform_help},
	{"shell", "Interactive SQL over the warehouse (line editing, history, completion)", cmd_shell, cmd_shell_help},
	{"pipeline", "List, show, validate, run and export pipelines (DAGs of steps)", cmd_pipeline, cmd_pipeline_help},
	{"backfill", "Run a pipeline once per interval between two dates", cmd_backfill, cmd_backfill_help},
	{"runs", "Pipeline run history: state, duration, failed step", cmd_runs, cmd_runs_help},
	{"logs", "The captured output of a pipeline run's steps", cmd_logs, cmd_logs_help},
	{"scheduler", "Run the project's scheduled pipelines (a foreground daemon; --once for one pass)", cmd_scheduler, cmd_scheduler_help},
	{"export", "Copy a table or query to a DuckDB/SQLite database or CSV/Parquet/JSON files", cmd_export, cmd_export_help},
	{"check", "Data checks on a table: row counts, freshness, not-null, unique, accepted values, SQL", cmd_check, cmd_check_help},
	{"notify", "Post a Slack-compatible message (text, a query result) to an incoming webhook", cmd_notify, cmd_notify_help},
	{"version", "Print the ldp and DuckDB versions", cmd_version, cmd_version_help},
	{"help", "Show help for ldp or one of its commands", cmd_help, cmd_help_help},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const ldp_cli_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: ldp <command> [options] [args]\n\n"
		     "ldp is a local data platform: Iceberg tables in a SQLite catalog, queried with DuckDB.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'ldp <command> --help' for a command's options.\n\n"
		     "Exit codes: 0 success, 1 user error (bad arguments, SQL, missing files),\n"
		     "            2 internal error (a bug: please report it).\n"
		     "Environment: LDP_LOG=error|warn|info|debug|trace sets the log level (default warn).\n");
}

int cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_fail(int rc)
{
	const ldp_error *e = ldp_error_last();
	fprintf(stderr, "ldp: error: %s\n", *e->message ? e->message : ldp_status_name(rc));
	return ldp_status_is_user_error(rc) ? LDP_EXIT_USER : LDP_EXIT_INTERNAL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "ldp %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see 'ldp %s --help')\n", cmd);
	va_end(ap);
	return LDP_EXIT_USER;
}

static void cmd_help_help(FILE *out)
{
	fprintf(out, "usage: ldp help [command]\n");
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return LDP_EXIT_OK;
	}
	const ldp_cli_cmd *c = find_command(argv[1]);
	if (!c)
		return cli_usage_error("help", "unknown command '%s'", argv[1]);
	c->help(stdout);
	return LDP_EXIT_OK;
}

/* Ctrl-C cancels the running query: DuckDB's interrupt only sets a flag the
 * executing pipeline checks, so calling it from the handler is safe. A second
 * Ctrl-C while the first is pending falls back to the default action. */
static _Atomic(ldp_engine *) running_engine;
static volatile sig_atomic_t interrupted;

void cli_set_running_engine(ldp_engine *e) { atomic_store(&running_engine, e); }

static void on_sigint(int sig)
{
	ldp_engine *e = atomic_load(&running_engine);
	if (!e || interrupted) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	interrupted = 1;
	ldp_engine_interrupt(e);
}

void cli_install_interrupt_handler(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

int main(int argc, char **argv)
{
	if (ldp_log_init_from_env() != LDP_OK)
		fprintf(stderr, "ldp: warning: %s\n", ldp_error_last()->message);
	ldp_error_clear();
	if (argc < 2) {
		usage(stderr);
		return LDP_EXIT_USER;
	}
	const char *name = argv[1];
	if (cli_is_help(name)) {
		usage(stdout);
		return LDP_EXIT_OK;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		name = "version";
	const ldp_cli_cmd *c = find_command(name);
	if (!c) {
		fprintf(stderr, "ldp: '%s' is not an ldp command. See 'ldp --help'.\n", name);
		return LDP_EXIT_USER;
	}
	/* `ldp pipeline <sub> --help` is the subcommand's help: cmd_pipeline answers it */
	for (int i = 2; i < argc && c->run != cmd_pipeline; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (cli_is_help(argv[i])) {
			c->help(stdout);
			return LDP_EXIT_OK;
		}
	}
	int rc = c->run(argc - 1, argv + 1);
	ldp_error_clear();
	return rc;
}
