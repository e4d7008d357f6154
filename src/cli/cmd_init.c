/* ldp init [dir] */
#include <string.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "table/warehouse.h"

void cmd_init_help(FILE *out)
{
	fprintf(out, "usage: ldp init [dir] [--name NAME]\n\n"
		     "Create an ldp project in dir (default: the current directory): ldp.yml and\n"
		     "warehouse/ with the Iceberg catalog warehouse/catalog.db (SQLite, in the Iceberg\n"
		     "JDBC / pyiceberg SqlCatalog layout).\n");
}

int cmd_init(int argc, char **argv)
{
	const char *dir = ".", *name = NULL;
	int ndirs = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--name") == 0 && i + 1 >= argc)
			return cli_usage_error("init", "option --name needs a value");
		else if (strcmp(argv[i], "--name") == 0)
			name = argv[++i];
		else if (argv[i][0] == '-')
			return cli_usage_error("init", "unknown option '%s'", argv[i]);
		else if (ndirs++ == 0)
			dir = argv[i];
		else
			return cli_usage_error("init", "unexpected argument '%s'", argv[i]);
	}
	ldp_project *p = NULL;
	ldp_warehouse *wh = NULL;
	int rc = ldp_project_init(dir, name, &p);
	if (!rc)
		rc = ldp_warehouse_open(p, &wh);
	if (!rc)
		printf("Initialised ldp project '%s' in %s\n  config:    %s\n  warehouse: %s\n  catalog:   %s\n", p->name,
		       p->dir, p->config_path, p->warehouse, p->catalog_uri);
	cli_close_warehouse(p, wh);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
