/*
 * ldp shell: interactive SQL over the warehouse (docs/shell.md). Line editing,
 * history and completion come from libedit's readline interface. Statements
 * run through the same router as `ldp sql` (table/sqlrun.h). Standard input
 * that is not a terminal runs as a script, exactly as `ldp sql -f -`.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <editline/readline.h>

#include "cli/cli.h"
#include "cli/shell.h"
#include "cli/table_cli.h"
#include "engine/sqlscan.h"
#include "ldp/error.h"
#include "table/sqlrun.h"

void cmd_shell_help(FILE *out)
{
	fprintf(out,
		"usage: ldp shell [--format F] [--thousands] [--max-rows N]\n\n"
		"Interactive SQL over the project's warehouse (plain DuckDB outside a project).\n"
		"Statements end with ';' and may span lines. Tab completes SQL keywords,\n"
		"namespaces, tables and columns. Ctrl-C cancels the running query, or clears\n"
		"the input; Ctrl-D leaves. History: .ldp_history in the project directory\n"
		"(~/.ldp_history outside a project).\n\n"
		"Dot-commands (type .help in the shell):\n"
		"  .tables [ns]  .schema ns.t  .snapshots ns.t  .timer on|off\n"
		"  .mode table|csv|tsv|json|ndjson|markdown|line  .output FILE  .output\n"
		"  .help  .quit\n\n"
		"With standard input not a terminal, the input runs as a script (like ldp sql -f -).\n");
}

static volatile sig_atomic_t got_sigint;
static _Atomic(ldp_engine *) running;

static void on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
	ldp_engine *e = atomic_load(&running);
	if (e)
		ldp_engine_interrupt(e);
}

typedef struct shell {
	ldp_project *proj;
	ldp_warehouse *wh;
	ldp_engine *engine;
	ldp_sql_session sess;
	cli_output_opts oo;
	FILE *out;      /* stdout or the .output file */
	char *out_path;
	int timer;
	shell_words words;
} shell;

/* ---- running SQL ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_sql(shell *sh, const char *sql)
{
	ldp_sql_piece *pieces = NULL;
	size_t n = 0;
	if (ldp_sql_split(sql, &pieces, &n)) {
		fprintf(stderr, "ldp: error: out of memory\n");
		return;
	}
	for (size_t i = 0; i < n && !got_sigint; i++) {
		char *stmt = strndup(sql + pieces[i].offset, pieces[i].length);
		if (!stmt)
			break;
		double t0 = now_s();
		ldp_sql_outcome oc;
		sh->oo.width = sh->out == stdout ? cli_terminal_width(STDOUT_FILENO) : 0;
		atomic_store(&running, sh->engine);
		if (got_sigint) /* Ctrl-C came before the engine was published */
			ldp_engine_interrupt(sh->engine);
		int rc = ldp_sql_run(&sh->sess, stmt, &oc);
		if (!rc && oc.rows)
			rc = cli_print_result(oc.rows, sh->out, &sh->oo);
		atomic_store(&running, NULL);
		fflush(sh->out);
		if (!rc && oc.message)
			fprintf(stderr, "%s\n", oc.message);
		if (rc)
			fprintf(stderr, "ldp: error: %s\n", *ldp_error_last()->message ? ldp_error_last()->message : ldp_status_name(rc));
		if (sh->timer)
			fprintf(stderr, "Run Time: %.3f s\n", now_s() - t0);
		if (ldp_sql_classify(stmt, strlen(stmt)) != LDP_SQLK_OTHER)
			sh->words.dirty = 1;
		ldp_sql_outcome_clear(&oc);
		ldp_error_clear();
		free(stmt);
		if (rc)
			break; /* the rest of this input depended on it */
	}
	free(pieces);
}

/* Whether buf holds complete statements: it ends with a ';' that is not
 * inside a string, quoted name or comment (ldp's own splitter decides). */
static int complete_input(const char *buf)
{
	size_t len = strlen(buf);
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t' || buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (!len || buf[len - 1] != ';')
		return 0;
	ldp_sql_piece *p = NULL;
	size_t n = 0;
	if (ldp_sql_split(buf, &p, &n))
		return 1;
	int done = n == 0 || p[n - 1].offset + p[n - 1].length < len;
	free(p);
	return done;
}

/* ---- dot-commands ---- */

static void dot_help(void)
{
	printf(".tables [ns]            list Iceberg tables (of one namespace)\n"
	       ".schema ns.t            columns, field ids, types and partitioning (DESCRIBE)\n"
	       ".snapshots ns.t         the table's snapshots\n"
	       ".timer on|off           print how long each statement took\n"
	       ".mode MODE              table, csv, tsv, json, ndjson, markdown or line\n"
	       ".output FILE            send query results to FILE; .output alone: back to the screen\n"
	       ".help                   this text\n"
	       ".quit                   leave (also .exit and Ctrl-D)\n"
	       "SQL statements end with ';'. Ctrl-C cancels a running query or clears the input.\n");
}

/* 1 when the shell should end. */
static int dot_command(shell *sh, char *line)
{
	char *argv[4] = {0};
	int argc = 0;
	for (char *tok = strtok(line, " \t"); tok && argc < 4; tok = strtok(NULL, " \t"))
		argv[argc++] = tok;
	const char *cmd = argv[0];
	ldp_buf q = LDP_BUF_INIT;
	if (strcmp(cmd, ".quit") == 0 || strcmp(cmd, ".exit") == 0 || strcmp(cmd, ".q") == 0)
		return 1;
	if (strcmp(cmd, ".help") == 0) {
		dot_help();
	} else if (strcmp(cmd, ".tables") == 0) {
		ldp_buf_puts(&q, argc > 1 ? "SHOW TABLES FROM " : "SHOW TABLES");
		if (argc > 1)
			ldp_buf_puts(&q, argv[1]);
		run_sql(sh, ldp_buf_cstr(&q));
	} else if (strcmp(cmd, ".schema") == 0 || strcmp(cmd, ".describe") == 0) {
		if (argc < 2)
			fprintf(stderr, "usage: .schema ns.table\n");
		else {
			ldp_buf_printf(&q, "DESCRIBE %s", argv[1]);
			run_sql(sh, ldp_buf_cstr(&q));
		}
	} else if (strcmp(cmd, ".snapshots") == 0) {
		if (argc < 2 || !sh->wh) {
			fprintf(stderr, argc < 2 ? "usage: .snapshots ns.table\n" : "no project: .snapshots needs an ldp project\n");
		} else {
			char *av[] = {"table", "snapshots", argv[1], NULL};
			fflush(stdout);
			int rc = table_cli_snapshots(sh->wh, 3, av);
			if (rc)
				fprintf(stderr, "ldp: error: %s\n", ldp_error_last()->message);
			ldp_error_clear();
		}
	} else if (strcmp(cmd, ".timer") == 0) {
		if (argc < 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
			fprintf(stderr, "usage: .timer on|off\n");
		else
			sh->timer = strcmp(argv[1], "on") == 0;
	} else if (strcmp(cmd, ".mode") == 0) {
		if (argc < 2 || cli_parse_format(argv[1], &sh->oo.format))
			fprintf(stderr, "usage: .mode table|csv|tsv|json|ndjson|markdown|line\n");
	} else if (strcmp(cmd, ".output") == 0 || strcmp(cmd, ".o") == 0) {
		if (sh->out != stdout)
			fclose(sh->out);
		sh->out = stdout;
		free(sh->out_path);
		sh->out_path = NULL;
		if (argc > 1) {
			FILE *f = fopen(argv[1], "w");
			if (!f)
				fprintf(stderr, "ldp: error: %s: %s\n", argv[1], strerror(errno));
			else
				sh->out = f, sh->out_path = strdup(argv[1]);
		}
	} else {
		fprintf(stderr, "unknown command '%s' (.help lists them)\n", cmd);
	}
	ldp_buf_free(&q);
	return 0;
}

/* ---- completion ---- */

static shell *the_shell; /* readline's completion callbacks take no context */

static char *next_word(const char *text, int state)
{
	static size_t idx;
	if (!state)
		idx = 0;
	shell_words *w = &the_shell->words;
	size_t n = strlen(text);
	int lower = n && text[0] >= 'a' && text[0] <= 'z';
	while (idx < w->n) {
		const char *c = w->items[idx++];
		if (strncasecmp(c, text, n) == 0) {
			char *r = strdup(c);
			if (r && lower && shell_word_is_keyword(c))
				for (char *p = r; *p; p++)
					*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			return r;
		}
	}
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;
	if (the_shell->words.dirty)
		shell_words_load(&the_shell->words, the_shell->wh, start == 0 && text[0] == '.');
	return rl_completion_matches(text, next_word);
}

/* ---- main loop ---- */

static void history_path(shell *sh, ldp_buf *b)
{
	const char *home = getenv("HOME");
	if (getenv("LDP_HISTORY"))
		ldp_buf_puts(b, getenv("LDP_HISTORY"));
	else if (sh->proj)
		ldp_buf_printf(b, "%s/.ldp_history", sh->proj->dir);
	else
		ldp_buf_printf(b, "%s/.ldp_history", home ? home : ".");
}

static void add_statement_history(const char *stmt)
{
	char *h = strdup(stmt);
	if (!h)
		return;
	for (char *p = h; *p; p++)
		if (*p == '\n')
			*p = ' ';
	add_history(h);
	free(h);
}

static int interactive(shell *sh)
{
	ldp_buf hist = LDP_BUF_INIT, input = LDP_BUF_INIT;
	history_path(sh, &hist);
	stifle_history(2000);
	read_history(ldp_buf_cstr(&hist));
	the_shell = sh;
	rl_readline_name = "ldp";
	rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{(,";
	rl_attempted_completion_function = complete;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint; /* no SA_RESTART: an interrupted read returns to the loop */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	printf("ldp shell: %s. Statements end with ';'. .help for commands, Ctrl-D to leave.\n",
	       sh->wh ? sh->wh->root : "no project (plain DuckDB)");
	for (;;) {
		got_sigint = 0;
		char *line = readline(input.len ? "   ...> " : "ldp> ");
		if (got_sigint) { /* Ctrl-C at the prompt: drop what was typed */
			free(line);
			ldp_buf_clear(&input);
			printf("^C\n");
			continue;
		}
		if (!line)
			break;
		if (!input.len && line[0] == '.') {
			add_history(line);
			int quit = dot_command(sh, line);
			free(line);
			if (quit)
				break;
			continue;
		}
		if (input.len)
			ldp_buf_putc(&input, '\n');
		ldp_buf_puts(&input, line);
		free(line);
		if (!complete_input(ldp_buf_cstr(&input))) {
			if (strspn(ldp_buf_cstr(&input), " \t\n") == input.len)
				ldp_buf_clear(&input);
			continue;
		}
		add_statement_history(ldp_buf_cstr(&input));
		run_sql(sh, ldp_buf_cstr(&input));
		if (got_sigint)
			fprintf(stderr, "cancelled\n");
		ldp_buf_clear(&input);
	}
	printf("\n");
	write_history(ldp_buf_cstr(&hist));
	ldp_buf_free(&hist);
	ldp_buf_free(&input);
	return LDP_EXIT_OK;
}

int cmd_shell(int argc, char **argv)
{
	if (!isatty(STDIN_FILENO)) {
		/* a script on standard input: the same as ldp sql -f - with the same options */
		char **av = calloc((size_t)argc + 3, sizeof *av);
		if (!av)
			return cli_fail(ldp_error_set(LDP_ENOMEM, "out of memory"));
		av[0] = "sql";
		av[1] = "-f";
		av[2] = "-";
		for (int i = 1; i < argc; i++)
			av[i + 2] = argv[i];
		int rc = cmd_sql(argc + 2, av);
		free(av);
		return rc;
	}
	shell sh;
	memset(&sh, 0, sizeof sh);
	sh.oo = (cli_output_opts){CLI_FMT_TABLE, 100, 1, 0, 0, 0};
	sh.out = stdout;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			if (cli_parse_format(argv[++i], &sh.oo.format))
				return cli_usage_error("shell", "unknown format '%s'", argv[i]);
		} else if (strcmp(argv[i], "--thousands") == 0) {
			sh.oo.thousands = 1;
		} else if (strcmp(argv[i], "--max-rows") == 0 && i + 1 < argc) {
			sh.oo.max_rows = strtoll(argv[++i], NULL, 10);
		} else {
			return cli_usage_error("shell", "unknown option '%s'", argv[i]);
		}
	}
	int rc = cli_open_warehouse(&sh.proj, &sh.wh);
	if (rc == LDP_ENOTFOUND) {
		ldp_error_clear();
		ldp_engine_options eo = {0};
		rc = ldp_engine_open(&sh.engine, NULL, &eo);
	} else if (!rc) {
		sh.wh->engine_options.progress = 0;
		rc = ldp_warehouse_engine(sh.wh, &sh.engine);
	}
	if (rc)
		return cli_fail(rc);
	sh.sess = (ldp_sql_session){sh.wh, sh.engine};
	sh.words.dirty = 1;
	rc = interactive(&sh);
	if (sh.out != stdout)
		fclose(sh.out);
	free(sh.out_path);
	shell_words_free(&sh.words);
	if (sh.wh)
		cli_close_warehouse(sh.proj, sh.wh);
	else
		ldp_engine_free(sh.engine);
	return rc;
}
