/* ldp sql: run SQL over files (and, later, Iceberg tables). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "engine/sqlscan.h"
#include "table/sqlrun.h"
#include "table/table.h"

void cmd_sql_help(FILE *out)
{
	fprintf(out,
		"usage: ldp sql [options] \"<sql>\"\n"
		"       ldp sql [options] -f script.sql\n"
		"       ... | ldp sql [options]\n\n"
		"Run SQL in DuckDB's dialect. Files are tables: select count(*) from 'trips.parquet'.\n"
		"Several statements run in order; each result that has rows is printed.\n"
		"Inside a project, CREATE SCHEMA, CREATE TABLE ns.t [PARTITIONED BY (...)] [AS SELECT],\n"
		"INSERT INTO|OVERWRITE ns.t, TRUNCATE, DROP TABLE|SCHEMA, SHOW TABLES|SCHEMAS and\n"
		"DESCRIBE work on Iceberg tables, each write one commit (docs/sql.md).\n\n"
		"Options:\n"
		"  --format F      table | csv | tsv | json | ndjson | markdown | line\n"
		"                  (default: table on a terminal, csv otherwise)\n"
		"  -o, --output F  write the query's rows to file F instead; the format\n"
		"                  follows the extension: .csv .tsv .json .ndjson/.jsonl .parquet\n"
		"  -f, --file F    read the SQL from file F ('-' for standard input)\n"
		"  --max-rows N    print at most N rows (default: 100 for table, all otherwise)\n"
		"  --no-header     omit the header line of csv/tsv output\n"
		"  --thousands     1,234,567 in numbers (table, line, markdown)\n"
		"  --db PATH       run against a DuckDB database file instead of an in-memory one\n"
		"  --force         with -o, replace an existing file\n"
		"  -q, --quiet     no summary lines for statements that change tables\n\n"
		"Ctrl-C cancels the running statement.\n");
}

static int read_all(FILE *f, const char *name, char **out)
{
	ldp_buf b = LDP_BUF_INIT;
	char tmp[8192];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		ldp_buf_put(&b, tmp, n);
	if (ferror(f)) {
		ldp_buf_free(&b);
		return ldp_error_set(LDP_EIO, "%s: read error: %s", name, strerror(errno));
	}
	if (ldp_buf_oom(&b)) {
		ldp_buf_free(&b);
		return LDP_ENOMEM;
	}
	*out = ldp_buf_detach(&b);
	return LDP_OK;
}

static int read_sql_file(const char *path, char **out)
{
	if (strcmp(path, "-") == 0)
		return read_all(stdin, "standard input", out);
	FILE *f = fopen(path, "rb");
	if (!f)
		return ldp_error_set(errno == ENOENT ? LDP_ENOTFOUND : LDP_EIO, "%s: %s", path, strerror(errno));
	int rc = read_all(f, path, out);
	fclose(f);
	return rc;
}

static const char *ext_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	return dot ? dot + 1 : "";
}

/* COPY options for -o FILE, chosen by extension. */
static const char *copy_options_for(const char *path)
{
	const char *e = ext_of(path);
	if (strcmp(e, "csv") == 0) return "FORMAT csv, HEADER true";
	if (strcmp(e, "tsv") == 0) return "FORMAT csv, HEADER true, DELIMITER '\t'";
	if (strcmp(e, "json") == 0) return "FORMAT json, ARRAY true";
	if (strcmp(e, "ndjson") == 0 || strcmp(e, "jsonl") == 0) return "FORMAT json";
	if (strcmp(e, "parquet") == 0) return "FORMAT parquet, COMPRESSION zstd";
	return NULL;
}

/* Strip trailing whitespace and semicolons so the statement nests in COPY (...). */
static char *trimmed_statement(const char *sql)
{
	size_t n = strlen(sql);
	while (n > 0 && (sql[n - 1] == ';' || sql[n - 1] == ' ' || sql[n - 1] == '\n' || sql[n - 1] == '\t' || sql[n - 1] == '\r'))
		n--;
	return strndup(sql, n);
}

/* Write the rows of the last statement to `path` through DuckDB's COPY. */
static int export_last(ldp_engine *e, const char *sql, const char *path, int force)
{
	const char *copts = copy_options_for(path);
	if (!copts)
		return ldp_error_set(LDP_EINVALID, "%s: unknown output format '.%s' (use .csv, .tsv, .json, .ndjson, .jsonl or .parquet)", path, ext_of(path));
	if (!force && access(path, F_OK) == 0)
		return ldp_error_set(LDP_EEXISTS, "%s already exists (use --force to replace it)", path);
	char *stmt = trimmed_statement(sql);
	if (!stmt)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	/* Write next to the target and rename, so a failed query leaves no half file. */
	ldp_buf tmp = LDP_BUF_INIT, q = LDP_BUF_INIT;
	ldp_buf_printf(&tmp, "%s.tmp-%d", path, (int)getpid());
	ldp_buf_puts(&q, "COPY (");
	ldp_buf_puts(&q, stmt);
	ldp_buf_puts(&q, ") TO ");
	ldp_buf_put_sql_string(&q, ldp_buf_cstr(&tmp));
	ldp_buf_printf(&q, " (%s)", copts);
	free(stmt);
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
	if (rc == LDP_OK && rename(ldp_buf_cstr(&tmp), path) != 0)
		rc = ldp_error_set(LDP_EIO, "%s: %s", path, strerror(errno));
	if (rc)
		unlink(ldp_buf_cstr(&tmp));
	ldp_buf_free(&tmp);
	ldp_buf_free(&q);
	return rc;
}

int cmd_sql(int argc, char **argv)
{
	const char *sql_arg = NULL, *file = NULL, *output = NULL, *db = NULL;
	int force = 0, quiet = 0;
	cli_output_opts oo = {isatty(STDOUT_FILENO) ? CLI_FMT_TABLE : CLI_FMT_CSV, -2, 1, 0, 0, 0};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
#define NEED_ARG()                                                                     \
	do {                                                                           \
		if (i + 1 >= argc)                                                     \
			return cli_usage_error("sql", "option '%s' needs a value", a); \
	} while (0)
		if (strcmp(a, "--format") == 0) {
			NEED_ARG();
			if (cli_parse_format(argv[++i], &oo.format))
				return cli_usage_error("sql", "unknown format '%s' (table, csv, tsv, json, ndjson, markdown, line)", argv[i]);
		} else if (strncmp(a, "--format=", 9) == 0) {
			if (cli_parse_format(a + 9, &oo.format))
				return cli_usage_error("sql", "unknown format '%s' (table, csv, tsv, json, ndjson, markdown, line)", a + 9);
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			NEED_ARG();
			output = argv[++i];
		} else if (strcmp(a, "-f") == 0 || strcmp(a, "--file") == 0) {
			NEED_ARG();
			file = argv[++i];
		} else if (strcmp(a, "--max-rows") == 0) {
			NEED_ARG();
			char *end;
			oo.max_rows = strtoll(argv[++i], &end, 10);
			if (*end || oo.max_rows < 0)
				return cli_usage_error("sql", "--max-rows needs a number >= 0, not '%s'", argv[i]);
		} else if (strcmp(a, "--thousands") == 0) {
			oo.thousands = 1;
		} else if (strcmp(a, "--no-header") == 0) {
			oo.header = 0;
		} else if (strcmp(a, "--db") == 0) {
			NEED_ARG();
			db = argv[++i];
		} else if (strcmp(a, "--force") == 0) {
			force = 1;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = 1;
		} else if (strcmp(a, "--") == 0) {
			if (i + 1 < argc)
				sql_arg = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("sql", "unknown option '%s'", a);
		} else if (!sql_arg) {
			sql_arg = a;
		} else {
			return cli_usage_error("sql", "unexpected argument '%s' (quote the whole SQL as one argument)", a);
		}
	}
	if (sql_arg && file)
		return cli_usage_error("sql", "give the SQL either as an argument or with -f, not both");
	oo.width = cli_terminal_width(STDOUT_FILENO);
	if (oo.max_rows == -2)
		oo.max_rows = oo.format == CLI_FMT_TABLE ? 100 : -1;

	char *owned = NULL;
	int rc = LDP_OK;
	if (file)
		rc = read_sql_file(file, &owned);
	else if (!sql_arg) {
		if (isatty(STDIN_FILENO))
			return cli_usage_error("sql", "no SQL given");
		rc = read_all(stdin, "standard input", &owned);
	}
	if (rc)
		return cli_fail(rc);
	const char *sql = owned ? owned : sql_arg;

	ldp_engine *e = NULL;
	ldp_project *proj = NULL;
	ldp_warehouse *wh = NULL;
	ldp_sql_piece *pieces = NULL;
	size_t n = 0;
	/* Inside a project, namespace.table names resolve to Iceberg tables. */
	ldp_engine_options eo = {0};
	eo.progress = isatty(STDOUT_FILENO);
	if (!db && (rc = ldp_project_find(NULL, &proj)) == LDP_OK) {
		rc = ldp_warehouse_open(proj, &wh);
		if (!rc)
			wh->engine_options = eo;
		if (!rc)
			rc = ldp_warehouse_engine(wh, &e);
	} else if (!db && rc != LDP_ENOTFOUND) {
		goto out; /* a broken ldp.yml is an error, not "no project" */
	} else {
		ldp_error_clear();
		rc = ldp_engine_open(&e, db, &eo);
	}
	if (!rc && ldp_sql_split(sql, &pieces, &n))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	if (rc)
		goto out;
	cli_set_running_engine(e);
	cli_install_interrupt_handler();

	if (n == 0) {
		rc = ldp_error_set(LDP_EINVALID, "no SQL statement given");
		goto out;
	}
	if (output) {
		/* -o hands one query to DuckDB's COPY; the statement text must stand alone. */
		if (n != 1)
			rc = ldp_error_set(LDP_EINVALID, "-o writes the rows of one query: give a single statement (got %zu)", n);
		else if (!wh || !(rc = ldp_warehouse_bind_sql(wh, sql)))
			rc = export_last(e, sql, output, force);
		goto out;
	}
	ldp_sql_session sess = {wh, e};
	for (size_t i = 0; i < n && !rc; i++) {
		char *stmt = strndup(sql + pieces[i].offset, pieces[i].length);
		if (!stmt) {
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			break;
		}
		ldp_sql_outcome oc;
		rc = ldp_sql_run(&sess, stmt, &oc);
		free(stmt);
		if (!rc && oc.rows)
			rc = cli_print_result(oc.rows, stdout, &oo);
		if (!rc && oc.message && !quiet)
			fprintf(stderr, "%s\n", oc.message);
		ldp_sql_outcome_clear(&oc);
		if (rc && n > 1)
			ldp_error_wrap(rc, "statement %zu (line %zu)", i + 1, pieces[i].line);
	}
out:
	cli_set_running_engine(NULL);
	fflush(stdout);
	free(pieces);
	if (wh)
		ldp_warehouse_free(wh); /* owns e */
	else
		ldp_engine_free(e);
	ldp_project_free(proj);
	free(owned);
	if (rc)
		return cli_fail(rc);
	return LDP_EXIT_OK;
}
