/* Shared pieces of the ldp command line. The CLI holds no business logic: it
 * parses arguments, calls libldp and prints. */
#ifndef LDP_CLI_H
#define LDP_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "ldp/engine.h"
#include "ldp/project.h"

/* Exit codes (documented in docs/cli.md and `ldp help`). */
enum { LDP_EXIT_OK = 0, LDP_EXIT_USER = 1, LDP_EXIT_INTERNAL = 2 };

typedef struct ldp_cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *out);
} ldp_cli_cmd;

/* Print "ldp: error: <message>" for the last libldp error and return the exit code. */
int cli_fail(int rc);
/* Print a usage error and return LDP_EXIT_USER. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_is_help(const char *arg);

/* Output formats for query results (output.c). */
typedef enum cli_format {
	CLI_FMT_TABLE,
	CLI_FMT_CSV,
	CLI_FMT_TSV,
	CLI_FMT_JSON,
	CLI_FMT_NDJSON,
	CLI_FMT_MARKDOWN,
	CLI_FMT_LINE /* one "column = value" line per value, rows separated by a blank line */
} cli_format;

typedef struct cli_output_opts {
	cli_format format;
	long long max_rows; /* -1: no limit */
	int header;         /* csv/tsv header line */
	int color;          /* unused for now; tables on a TTY */
	int thousands;      /* table/line/markdown: 1,234,567 in integer parts of numbers */
	int width;          /* table: fit this many terminal columns (0: no limit) by cutting wide values */
} cli_output_opts;

/* Columns of the terminal on fd, or 0 when it is not a terminal. */
int cli_terminal_width(int fd);

int cli_parse_format(const char *s, cli_format *out);
/* Print every row of r to out. Returns an ldp status. */
int cli_print_result(ldp_result *r, FILE *out, const cli_output_opts *opts);

/* Commands */
int cmd_sql(int argc, char **argv);
void cmd_sql_help(FILE *out);
int cmd_s3(int argc, char **argv);
void cmd_s3_help(FILE *out);
int cmd_serve(int argc, char **argv);
void cmd_serve_help(FILE *out);
int cmd_version(int argc, char **argv);
void cmd_version_help(FILE *out);

/* The engine running now, for the SIGINT handler. */
void cli_set_running_engine(ldp_engine *e);
void cli_install_interrupt_handler(void);

#endif

/* Project and warehouse of the current directory (or LDP_PROJECT). */
struct ldp_warehouse;
int cli_open_warehouse(ldp_project **p, struct ldp_warehouse **wh);
void cli_close_warehouse(ldp_project *p, struct ldp_warehouse *wh);
/* Parse "k=v" into key and value (pointers into a copy kept in *owned). */
int cli_parse_kv(const char *arg, char **owned, const char **key, const char **value);
/* Print a JSON value (compact) followed by a newline. */
void cli_print_json(json_t *v);

int cmd_init(int argc, char **argv);
void cmd_init_help(FILE *out);
int cmd_namespace(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_branch(int argc, char **argv);
void cmd_branch_help(FILE *out);
void cmd_table_help(FILE *out);
void cmd_namespace_help(FILE *out);
int cmd_transform(int argc, char **argv);
void cmd_transform_help(FILE *out);
int cmd_export(int argc, char **argv);
void cmd_export_help(FILE *out);
int cmd_shell(int argc, char **argv);
void cmd_shell_help(FILE *out);
int cmd_ingest(int argc, char **argv);
void cmd_ingest_help(FILE *out);
int cmd_run(int argc, char **argv);
void cmd_run_help(FILE *out);
int cmd_scheduler(int argc, char **argv);
void cmd_scheduler_help(FILE *out);
int cmd_demo(int argc, char **argv);
void cmd_demo_help(FILE *out);
int cmd_pipeline(int argc, char **argv);
void cmd_pipeline_help(FILE *out);
/* `ldp pipeline run|export ...`: argv[0] is "run"/"export", as for commands. */
int cmd_pipeline_run(int argc, char **argv);
int cmd_pipeline_export(int argc, char **argv);
/* Pipeline runs (cmd_pipeline_run.c, cmd_runs.c). */
void cmd_pipeline_run_help(FILE *out);
int cmd_backfill(int argc, char **argv);
void cmd_backfill_help(FILE *out);
int cmd_runs(int argc, char **argv);
void cmd_runs_help(FILE *out);
int cmd_logs(int argc, char **argv);
void cmd_logs_help(FILE *out);
int cmd_check(int argc, char **argv);
void cmd_check_help(FILE *out);
int cmd_notify(int argc, char **argv);
void cmd_notify_help(FILE *out);
