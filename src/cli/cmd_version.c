/* ldp version */
#include <string.h>

#include "cli/cli.h"

void cmd_version_help(FILE *out)
{
	fprintf(out, "usage: ldp version [--json]\n\nPrint the versions of ldp and of the DuckDB library it runs.\n");
}

int cmd_version(int argc, char **argv)
{
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			return cli_usage_error("version", "unknown option '%s'", argv[i]);
	}
	if (json)
		printf("{\"ldp\":\"%s\",\"duckdb\":\"%s\"}\n", LDP_VERSION, ldp_engine_duckdb_version());
	else
		printf("ldp %s (DuckDB %s)\n", LDP_VERSION, ldp_engine_duckdb_version());
	return LDP_EXIT_OK;
}
