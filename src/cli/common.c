/* Helpers shared by ldp's commands. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "ldp/json.h"
#include "table/warehouse.h"

int cli_open_warehouse(ldp_project **p, ldp_warehouse **wh)
{
	*p = NULL;
	*wh = NULL;
	int rc = ldp_project_find(NULL, p);
	if (!rc)
		rc = ldp_warehouse_open(*p, wh);
	if (!rc)
		(*wh)->engine_options.progress = isatty(STDOUT_FILENO);
	if (rc) {
		ldp_project_free(*p);
		*p = NULL;
	}
	return rc;
}

void cli_close_warehouse(ldp_project *p, ldp_warehouse *wh)
{
	ldp_warehouse_free(wh);
	ldp_project_free(p);
}

int cli_parse_kv(const char *arg, char **owned, const char **key, const char **value)
{
	*owned = strdup(arg);
	if (!*owned)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	char *eq = strchr(*owned, '=');
	if (!eq || eq == *owned) {
		free(*owned);
		*owned = NULL;
		return ldp_error_set(LDP_EINVALID, "'%s' is not key=value", arg);
	}
	*eq = '\0';
	*key = *owned;
	*value = eq + 1;
	return LDP_OK;
}

void cli_print_json(json_t *v)
{
	char *s = ldp_json_dumps(v, 0);
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
}
