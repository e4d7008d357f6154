/* ldp run <config.json>...: the seed library's JSON pipeline configs. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ingest/seed.h"
#include "ldp/error.h"
#include "table/warehouse.h"

void cmd_run_help(FILE *out)
{
	fprintf(out,
		"usage: ldp run <config.json>... [--json]\n\n"
		"Run pipeline configs in the seed library's JSON format: PARQUET/CSV/JSON files into\n"
		"Iceberg tables, Iceberg tables into CSV/PARQUET/JSON files, or Iceberg into Iceberg.\n"
		"  {\"identifier\": ..., \"metadata\": {\"source\": {\"name\", \"format\", \"path\"},\n"
		"   \"target\": {\"name\", \"format\", \"path\", \"catalog\": {\"type\", \"identifier\", \"warehouse_path\"},\n"
		"   \"write_mode\": \"append|overwrite\", \"partition_by\": [{\"column\", \"transform\"}]},\n"
		"   \"quality\": {\"on_failure\": \"fail|warn\", \"checks\": [...]}}}\n"
		"A catalog is <warehouse_path>/<identifier>.db (pyiceberg SqlCatalog layout) and the table\n"
		"<identifier>.<name>; relative paths are relative to the config file. Without\n"
		"warehouse_path the current project's warehouse is used. See docs/ingest.md.\n");
}

static void on_progress(void *ctx, const char *what, int64_t done, int64_t total)
{
	(void)ctx;
	(void)total;
	if (done > 0)
		fprintf(stderr, "\r\033[K%s: %lld", what, (long long)done);
	else
		fprintf(stderr, "\r\033[K%s...", what);
	fflush(stderr);
}

int cmd_run(int argc, char **argv)
{
	int json = 0, nconfigs = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-')
			return cli_usage_error("run", "unknown option '%s'", argv[i]);
		else
			nconfigs++;
	}
	if (!nconfigs)
		return cli_usage_error("run", "needs a pipeline config (a .json file)");
	/* the project is optional: configs with warehouse_path bring their own catalog */
	ldp_project *p = NULL;
	ldp_warehouse *wh = NULL;
	if (cli_open_warehouse(&p, &wh) != LDP_OK)
		ldp_error_clear();
	ldp_ingest_options base;
	memset(&base, 0, sizeof base);
	int tty = isatty(STDERR_FILENO);
	if (tty)
		base.progress = on_progress;
	json_t *all = json ? json_array() : NULL;
	int rc = LDP_OK;
	for (int i = 1; i < argc && !rc; i++) {
		if (argv[i][0] == '-')
			continue;
		ldp_seed_result r;
		rc = ldp_seed_run(argv[i], wh, &base, &r);
		if (tty)
			fprintf(stderr, "\r\033[K");
		for (size_t w = 0; w < r.nwarnings; w++)
			fprintf(stderr, "ldp: warning: %s: %s\n", argv[i], r.warnings[w]);
		if (!rc && all) {
			json_t *ws = json_array();
			for (size_t w = 0; w < r.nwarnings; w++)
				json_array_append_new(ws, json_string(r.warnings[w]));
			json_array_append_new(all, json_pack("{s:s, s:s?, s:s?, s:s?, s:I, s:I, s:b, s:o}", "config", argv[i],
							     "identifier", r.identifier, "flow", r.flow, "target", r.target,
							     "rows", (json_int_t)r.rows, "snapshot_id", (json_int_t)r.snapshot_id,
							     "created", r.created, "warnings", ws));
		} else if (!rc) {
			printf("%s (%s): wrote %lld rows to %s%s", r.identifier ? r.identifier : argv[i], r.flow ? r.flow : "?",
			       (long long)r.rows, r.target ? r.target : "?", r.created ? " (created)" : "");
			if (r.snapshot_id)
				printf(", snapshot %lld", (long long)r.snapshot_id);
			printf("\n");
		}
		ldp_seed_result_clear(&r);
	}
	if (!rc && all)
		cli_print_json(all);
	json_decref(all);
	cli_close_warehouse(p, wh);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
