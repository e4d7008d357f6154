/* ldp ingest <source> <ns.table> [options] */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ingest/ingest.h"
#include "ingest/remote.h"
#include "ldp/error.h"
#include "table/table.h"

void cmd_ingest_help(FILE *out)
{
	fprintf(out,
		"usage: ldp ingest <source> <ns.table> [options]\n\n"
		"Load files or another source into an Iceberg table (created when missing).\n\n"
		"Sources:\n"
		"  data.parquet, 'data/*.csv', 'logs/**/*.json.gz', a directory, file://path\n"
		"  sqlite:///path/db.sqlite?table=t  or  sqlite:///path/db.sqlite?query=select+...\n"
		"  http(s)://host/file.parquet, api+https://host/items (REST JSON API), s3:// when built in\n"
		"  near-lake:///dir or near-lake://bucket/prefix?from=H&to=H <ns>  (NEAR blocks into six tables; docs/ingest-remote.md)\n\n"
		"Load options:\n"
		"  --mode append|overwrite|merge   append (default), replace the table, or upsert by key\n"
		"  --key col[,col]                 merge: the columns identifying a row\n"
		"  --order-by EXPR                 merge: among equal keys in the batch the row sorting last wins\n"
		"  --evolve                        add new source columns; widen int->long, float->double\n"
		"  --partition-by 'day(ts)'        partitioning when the table is created\n"
		"  --on-error fail|quarantine      bad CSV rows fail the ingest (default) or go to <table>__rejects\n"
		"  --format parquet|csv|tsv|json|ndjson   instead of guessing from the file names\n"
		"  --json                          print the result as JSON\n\n"
		"Reader options (CSV/TSV/JSON; DuckDB's readers do the parsing, .gz/.zst decompress):\n"
		"  --header true|false  --delimiter C  --quote C  --escape C  --null STRING  --skip N\n"
		"  --column-type name=TYPE (repeatable, e.g. fare=decimal(10,2))  --all-varchar true\n"
		"  --date-format FMT  --timestamp-format FMT  --sample-size N  --compression gzip|zstd|none\n"
		"  --json-format array|newline_delimited|auto\n\n"
		"SQLite options: --table NAME | --query SQL (instead of the URI's ?table= / ?query=)\n"
		"Raw staging: --stage-sqlite DB [--stage-table NAME] also writes the batch into a SQLite table\n"
		"  (default: the target table's name; replaced with --mode overwrite, appended to otherwise)\n"
		"See docs/ingest.md.\n");
}

static void on_progress(void *ctx, const char *what, int64_t done, int64_t total)
{
	(void)ctx;
	if (total > 0)
		fprintf(stderr, "\r\033[K%s: %lld / %lld", what, (long long)done, (long long)total);
	else if (done > 0)
		fprintf(stderr, "\r\033[K%s: %lld", what, (long long)done);
	else
		fprintf(stderr, "\r\033[K%s...", what);
	fflush(stderr);
}

typedef struct ingest_args {
	const char *source, *table;
	int json;
	ldp_ingest_options o;
	ldp_kv opts[128];
	char *owned[128];
	size_t nowned;
} ingest_args;

static int parse_args(int argc, char **argv, ingest_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strncmp(arg, "--", 2) != 0 || !arg[2]) {
			if (!a->source)
				a->source = arg;
			else if (!a->table)
				a->table = arg;
			else
				return ldp_error_set(LDP_EINVALID, "unexpected argument '%s'", arg);
			continue;
		}
		char *name = strdup(arg + 2);
		if (!name || a->nowned == 128)
			return ldp_error_set(LDP_ENOMEM, "too many options");
		a->owned[a->nowned++] = name;
		const char *val = NULL;
		char *eq = strchr(name, '=');
		if (eq) {
			*eq = '\0';
			val = eq + 1;
		}
		if (!strcmp(name, "evolve") || !strcmp(name, "json")) {
			if (val)
				return ldp_error_set(LDP_EINVALID, "--%s takes no value", name);
			*(strcmp(name, "json") ? &a->o.evolve : &a->json) = 1;
			continue;
		}
		/* every other option takes a value; a driver flag without one is "true" */
		if (!val && i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
			val = argv[++i];
		static const char *const need[] = {"mode", "key", "order-by", "partition-by", "on-error", "format", NULL};
		for (int k = 0; need[k]; k++)
			if (!strcmp(name, need[k]) && !val)
				return ldp_error_set(LDP_EINVALID, "option --%s needs a value", name);
		if (!strcmp(name, "mode")) {
			if (!strcmp(val, "append"))
				a->o.mode = LDP_INGEST_APPEND;
			else if (!strcmp(val, "overwrite"))
				a->o.mode = LDP_INGEST_OVERWRITE;
			else if (!strcmp(val, "merge"))
				a->o.mode = LDP_INGEST_MERGE;
			else
				return ldp_error_set(LDP_EINVALID, "--mode takes append, overwrite or merge, not '%s'", val);
		} else if (!strcmp(name, "key")) {
			a->o.key = val;
		} else if (!strcmp(name, "order-by")) {
			a->o.order_by = val;
		} else if (!strcmp(name, "partition-by")) {
			a->o.partition_by = val;
		} else if (!strcmp(name, "format")) {
			a->o.format = val;
		} else if (!strcmp(name, "on-error")) {
			if (!strcmp(val, "fail"))
				a->o.on_error = LDP_INGEST_ON_ERROR_FAIL;
			else if (!strcmp(val, "quarantine"))
				a->o.on_error = LDP_INGEST_ON_ERROR_QUARANTINE;
			else
				return ldp_error_set(LDP_EINVALID, "--on-error takes fail or quarantine, not '%s'", val);
		} else {
			if (a->o.nopts == 128)
				return ldp_error_set(LDP_EINVALID, "too many options");
			a->opts[a->o.nopts].key = name;
			a->opts[a->o.nopts].value = val ? val : "true";
			a->o.nopts++;
		}
	}
	a->o.opts = a->opts;
	if (!a->source || !a->table)
		return ldp_error_set(LDP_EINVALID, "ldp ingest needs a source and a table: ldp ingest <source> <ns.table>");
	if (a->o.mode != LDP_INGEST_MERGE && (a->o.key || a->o.order_by))
		return ldp_error_set(LDP_EINVALID, "--key and --order-by go with --mode merge");
	if (a->o.mode == LDP_INGEST_MERGE && !a->o.key)
		return ldp_error_set(LDP_EINVALID, "--mode merge needs --key col[,col]");
	return LDP_OK;
}

int cmd_ingest(int argc, char **argv)
{
	ingest_args *a = calloc(1, sizeof *a);
	if (!a)
		return cli_fail(ldp_error_set(LDP_ENOMEM, "out of memory"));
	int rc = parse_args(argc, argv, a);
	ldp_ident id;
	/* near-lake:// fills six tables of a namespace (ingest/near_ingest.c) */
	int near = !rc && strncmp(a->source, "near-lake://", 12) == 0;
	if (near) {
		memset(&id, 0, sizeof id);
		snprintf(id.ns, sizeof id.ns, "%s", a->table);
	} else if (!rc) {
		rc = ldp_ident_parse(a->table, &id);
	}
	if (rc) {
		fprintf(stderr, "ldp ingest: %s (see 'ldp ingest --help')\n", ldp_error_last()->message);
		for (size_t i = 0; i < a->nowned; i++)
			free(a->owned[i]);
		free(a);
		return LDP_EXIT_USER;
	}
	ldp_project *p = NULL;
	ldp_warehouse *wh = NULL;
	rc = cli_open_warehouse(&p, &wh);
	int tty = isatty(STDERR_FILENO);
	if (!rc && tty) {
		a->o.progress = on_progress;
		ldp_engine *e = NULL;
		if (ldp_warehouse_engine(wh, &e) == LDP_OK) {
			cli_set_running_engine(e);
			cli_install_interrupt_handler();
		}
	}
	ldp_ingest_result res;
	if (!rc)
		rc = near ? ldp_ingest_near(wh, a->source, id.ns, &a->o, &res) : ldp_ingest(wh, a->source, &id, &a->o, &res);
	if (tty)
		fprintf(stderr, "\r\033[K");
	cli_set_running_engine(NULL);
	if (!rc && a->json) {
		json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:i, s:I}", "table", a->table, "mode",
				      a->o.mode == LDP_INGEST_MERGE ? "merge" : a->o.mode == LDP_INGEST_OVERWRITE ? "overwrite" : "append",
				      "rows", (json_int_t)res.rows, "rejected", (json_int_t)res.rejected, "replaced",
				      (json_int_t)res.deleted, "files", (json_int_t)res.files, "snapshot_id",
				      (json_int_t)res.snapshot_id, "created", res.created, "evolved_columns", res.evolved,
				      "staged", (json_int_t)res.staged);
		cli_print_json(j);
		json_decref(j);
	} else if (!rc && near && res.files == 0) {
		printf("No new NEAR blocks in %s: %s is up to date\n", a->source, id.ns);
	} else if (!rc && near) {
		printf("Ingested %zu NEAR block%s, %lld rows, into %s.{blocks,chunks,transactions,receipts,"
		       "receipt_execution_outcomes,actions}\n",
		       res.files, res.files == 1 ? "" : "s", (long long)res.rows, id.ns);
	} else if (!rc && res.files == 0) {
		printf("Nothing new from %s for %s.%s: nothing committed\n", a->source, id.ns, id.name);
	} else if (!rc) {
		if (res.created)
			printf("Created table %s.%s\n", id.ns, id.name);
		if (res.evolved)
			printf("Evolved the schema of %s.%s (%d column%s added or widened)\n", id.ns, id.name, res.evolved,
			       res.evolved == 1 ? "" : "s");
		if (a->o.mode == LDP_INGEST_MERGE)
			printf("Merged %lld rows from %zu file%s into %s.%s: %lld replaced existing rows (snapshot %lld)\n",
			       (long long)res.rows, res.files, res.files == 1 ? "" : "s", id.ns, id.name,
			       (long long)res.deleted, (long long)res.snapshot_id);
		else
			printf("Ingested %lld rows from %zu file%s into %s.%s%s (snapshot %lld)\n", (long long)res.rows,
			       res.files, res.files == 1 ? "" : "s", id.ns, id.name,
			       a->o.mode == LDP_INGEST_OVERWRITE ? ", replacing its rows" : "", (long long)res.snapshot_id);
		if (res.staged || ldp_ingest_opt(&a->o, "stage-sqlite"))
			printf("Staged %lld rows in SQLite %s\n", (long long)res.staged, ldp_ingest_opt(&a->o, "stage-sqlite"));
		if (res.rejected)
			printf("Quarantined %lld bad row%s in %s.%s__rejects\n", (long long)res.rejected,
			       res.rejected == 1 ? "" : "s", id.ns, id.name);
	}
	cli_close_warehouse(p, wh);
	for (size_t i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	free(a);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
