/* `ldp table alter <ns.table> <change> ...`: schema and partition evolution
 * and table properties (docs/evolution.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/table_cli.h"
#include "ldp/error.h"
#include "table/evolve.h"

static const char usage[] =
	"ldp table alter <ns.table> add-column NAME TYPE [--first|--after X|--before X] [--doc D]\n"
	"                           drop-column NAME | rename-column NAME NEW | set-type NAME TYPE\n"
	"                           make-optional NAME | make-required NAME | set-doc NAME DOC\n"
	"                           move NAME --first|--after X|--before X\n"
	"                           set-identifier-fields [NAME...]\n"
	"                           add-partition-field TERM [--name N] | drop-partition-field NAME|TERM\n"
	"                           replace-partition-field OLD NEW [--name N]\n"
	"                           set-property K=V... | unset-property K...";

static const struct {
	const char *word;
	ldp_alter_op op;
	int nargs; /* positional arguments after the verb; -1: any number */
} verbs[] = {
	{"add-column", LDP_ALTER_ADD_COLUMN, 2},
	{"drop-column", LDP_ALTER_DROP_COLUMN, 1},
	{"rename-column", LDP_ALTER_RENAME_COLUMN, 2},
	{"set-type", LDP_ALTER_SET_TYPE, 2},
	{"make-optional", LDP_ALTER_MAKE_OPTIONAL, 1},
	{"make-required", LDP_ALTER_MAKE_REQUIRED, 1},
	{"set-doc", LDP_ALTER_SET_DOC, 2},
	{"move", LDP_ALTER_MOVE, 1},
	{"set-identifier-fields", LDP_ALTER_SET_IDENTIFIER_FIELDS, -1},
	{"add-partition-field", LDP_ALTER_ADD_PARTITION_FIELD, 1},
	{"drop-partition-field", LDP_ALTER_DROP_PARTITION_FIELD, 1},
	{"replace-partition-field", LDP_ALTER_REPLACE_PARTITION_FIELD, 2},
	{"set-property", LDP_ALTER_SET_PROPERTIES, -1},
	{"unset-property", LDP_ALTER_UNSET_PROPERTIES, -1},
};

int table_cli_alter(ldp_warehouse *wh, int argc, char **argv)
{
	if (argc < 4)
		return ldp_error_set(LDP_EINVALID, "usage:\n%s", usage);
	ldp_ident id;
	int rc = ldp_ident_parse(argv[2], &id);
	if (rc)
		return rc;
	size_t v;
	for (v = 0; v < sizeof verbs / sizeof verbs[0]; v++)
		if (strcmp(verbs[v].word, argv[3]) == 0)
			break;
	if (v == sizeof verbs / sizeof verbs[0])
		return ldp_error_set(LDP_EINVALID, "unknown change '%s'; usage:\n%s", argv[3], usage);
	ldp_alter ch;
	memset(&ch, 0, sizeof ch);
	ch.op = verbs[v].op;
	const char *pos[64];
	size_t npos = 0;
	for (int i = 4; i < argc; i++) {
		const char *a = argv[i];
		int has = i + 1 < argc;
		if (strcmp(a, "--first") == 0) {
			ch.position = LDP_POS_FIRST;
		} else if ((strcmp(a, "--after") == 0 || strcmp(a, "--before") == 0) && has) {
			ch.position = a[2] == 'a' ? LDP_POS_AFTER : LDP_POS_BEFORE;
			ch.anchor = argv[++i];
		} else if (strcmp(a, "--doc") == 0 && has) {
			ch.doc = argv[++i];
		} else if (strcmp(a, "--name") == 0 && has) {
			ch.name = argv[++i];
		} else if (a[0] == '-' && a[1] == '-') {
			return ldp_error_set(LDP_EINVALID, "unknown or incomplete option '%s' for table alter %s", a, argv[3]);
		} else if (npos < sizeof pos / sizeof pos[0]) {
			pos[npos++] = a;
		}
	}
	if (verbs[v].nargs >= 0 && npos != (size_t)verbs[v].nargs)
		return ldp_error_set(LDP_EINVALID, "table alter %s takes %d argument%s; usage:\n%s", argv[3], verbs[v].nargs,
				     verbs[v].nargs == 1 ? "" : "s", usage);
	ldp_kv props[64];
	char *owned[64] = {0};
	switch (ch.op) {
	case LDP_ALTER_ADD_COLUMN:
	case LDP_ALTER_SET_TYPE:
		ch.column = pos[0];
		ch.type = pos[1];
		break;
	case LDP_ALTER_RENAME_COLUMN:
		ch.column = pos[0];
		ch.name = pos[1];
		break;
	case LDP_ALTER_SET_DOC:
		ch.column = pos[0];
		ch.doc = pos[1];
		break;
	case LDP_ALTER_ADD_PARTITION_FIELD:
	case LDP_ALTER_DROP_PARTITION_FIELD: ch.term = pos[0]; break;
	case LDP_ALTER_REPLACE_PARTITION_FIELD:
		ch.term = pos[0];
		ch.term2 = pos[1];
		break;
	case LDP_ALTER_SET_IDENTIFIER_FIELDS:
	case LDP_ALTER_UNSET_PROPERTIES:
		ch.items = pos;
		ch.nitems = npos;
		break;
	case LDP_ALTER_SET_PROPERTIES:
		for (size_t i = 0; !rc && i < npos; i++)
			rc = cli_parse_kv(pos[i], &owned[i], &props[i].key, &props[i].value);
		ch.props = props;
		ch.nprops = npos;
		break;
	default: ch.column = pos[0]; break;
	}
	int32_t schema_id = -1, spec_id = -1;
	if (!rc)
		rc = ldp_table_alter(wh, &id, &ch, 1, &schema_id, &spec_id);
	for (size_t i = 0; i < npos && i < 64; i++)
		free(owned[i]);
	if (rc)
		return rc;
	printf("Altered %s.%s (%s): schema %d, partition spec %d\n", id.ns, id.name, argv[3], schema_id, spec_id);
	return LDP_OK;
}
