/* ldp export: a table, namespace or query into a DuckDB/SQLite file or data files. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table_cli.h"
#include "ldp/error.h"
#include "table/export.h"

void cmd_export_help(FILE *out)
{
	fprintf(out,
		"usage: ldp export <ns.table | ns | '*' | 'select ...'> <target> [options]\n\n"
		"Copy a table (at any snapshot), every table of a namespace ('*': the whole\n"
		"warehouse; database targets only) or a query's rows out of the warehouse.\n"
		"The target's format follows its extension:\n"
		"  .duckdb .ddb            a DuckDB database (one table per Iceberg table)\n"
		"  .sqlite .sqlite3 .db    a SQLite database\n"
		"  .csv .tsv .parquet .json .ndjson .jsonl   one file, or a directory with --partition-by\n"
		"The target may be s3://bucket/key (exported locally, then uploaded).\n\n"
		"Options:\n"
		"  --format F            duckdb | sqlite | csv | tsv | parquet | json | ndjson\n"
		"  --as tables|views     DuckDB: copy the rows (default), or create views over the\n"
		"                        table's Parquet files (absolute paths; no copy)\n"
		"  --name N              the table name inside a database target\n"
		"  --partition-by COLS   files: one directory per value, col=value/ (\"year, month\")\n"
		"  --snapshot ID | --ref NAME | --as-of TIMESTAMP   time travel (or ns.\"t@...\")\n"
		"  --force               replace an existing target\n\n"
		"The target is written under a temporary name and renamed at the end: a failed\n"
		"export leaves the old target as it was. See docs/export.md.\n");
}

int cmd_export(int argc, char **argv)
{
	ldp_export_options o;
	memset(&o, 0, sizeof o);
	int rc = LDP_OK;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int matched = 0;
		if ((rc = table_cli_parse_at(&i, argc, argv, &o.at, &matched)))
			return cli_fail(rc);
		if (matched)
			continue;
		int needs = strcmp(a, "--format") == 0 || strcmp(a, "--as") == 0 || strcmp(a, "--partition-by") == 0 ||
			    strcmp(a, "--name") == 0;
		if (needs && i + 1 >= argc)
			return cli_usage_error("export", "option '%s' needs a value", a);
		if (strcmp(a, "--force") == 0) {
			o.force = 1;
		} else if (strcmp(a, "--format") == 0) {
			if ((rc = ldp_export_format_parse(argv[++i], &o.format)))
				return cli_fail(rc);
		} else if (strcmp(a, "--as") == 0) {
			const char *v = argv[++i];
			if (strcmp(v, "views") == 0 || strcmp(v, "view") == 0)
				o.as_views = 1;
			else if (strcmp(v, "tables") != 0 && strcmp(v, "table") != 0)
				return cli_usage_error("export", "--as takes tables or views, not '%s'", v);
		} else if (strcmp(a, "--partition-by") == 0) {
			o.partition_by = argv[++i];
		} else if (strcmp(a, "--name") == 0) {
			o.name = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("export", "unknown option '%s'", a);
		} else if (!o.source) {
			o.source = a;
		} else if (!o.target) {
			o.target = a;
		} else {
			return cli_usage_error("export", "unexpected argument '%s' (quote a query as one argument)", a);
		}
	}
	if (!o.source || !o.target)
		return cli_usage_error("export", "give what to export and where: ldp export ns.t out.duckdb");

	ldp_project *p = NULL;
	ldp_warehouse *wh = NULL;
	ldp_engine *e = NULL;
	rc = cli_open_warehouse(&p, &wh);
	if (rc == LDP_ENOTFOUND) {
		ldp_error_clear();
		ldp_engine_options eo = {0};
		rc = ldp_engine_open(&e, NULL, &eo);
	} else if (!rc) {
		rc = ldp_warehouse_engine(wh, &e);
	}
	ldp_export_result res;
	if (!rc) {
		cli_set_running_engine(e);
		cli_install_interrupt_handler();
		rc = ldp_export(wh, e, &o, &res);
		cli_set_running_engine(NULL);
	}
	if (!rc && res.tables > 1)
		fprintf(stderr, "exported %lld rows in %d tables to %s (%s%s)\n", (long long)res.rows, res.tables, o.target,
			ldp_export_format_name(res.format), o.as_views ? ", views" : "");
	else if (!rc)
		fprintf(stderr, "exported %lld row%s to %s (%s%s)\n", (long long)res.rows, res.rows == 1 ? "" : "s", o.target,
			ldp_export_format_name(res.format), o.as_views ? ", views" : "");
	if (wh)
		cli_close_warehouse(p, wh);
	else
		ldp_engine_free(e);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
