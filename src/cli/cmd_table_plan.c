/* `ldp table plan <ns.table> [--where ...]`: see docs/evolution.md. */
#include "cli/cli.h"
#include "cli/table_cli.h"
#include "ldp/error.h"

int table_cli_plan(ldp_warehouse *wh, int argc, char **argv)
{
	(void)wh;
	(void)argc;
	(void)argv;
	return ldp_error_set(LDP_EUNSUPPORTED, "not yet");
}
