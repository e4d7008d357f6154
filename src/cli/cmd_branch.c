/* ldp branch create|list|merge|drop: write-audit-publish on Iceberg branches. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "format/metadata.h"
#include "ldp/error.h"
#include "table/table.h"

void cmd_branch_help(FILE *out)
{
	fprintf(out, "usage: ldp branch create <ns.t> <branch> [--snapshot ID]\n"
		     "       ldp branch list <ns.t> [--json]\n"
		     "       ldp branch merge <ns.t> <branch> [--into TARGET]\n"
		     "       ldp branch drop <ns.t> <branch>\n\n"
		     "Write-audit-publish: create a branch, write to it (ldp table append --branch B,\n"
		     "or DELETE/UPDATE/MERGE on ns.\"t@branch:B\" in ldp sql), check it (ldp sql reads\n"
		     "ns.\"t@branch:B\"), then merge: main fast-forwards to the branch head. Main is\n"
		     "untouched until then. If main moved since the branch was made, merge fails and\n"
		     "nothing changes.\n");
}

static int list(ldp_warehouse *wh, const ldp_ident *id, int json)
{
	ldp_table *t = NULL;
	int rc = ldp_table_load(wh, id, &t);
	if (rc)
		return rc;
	const ldp_metadata *m = t->meta;
	json_t *arr = json ? json_array() : NULL;
	for (size_t i = 0; i < m->nrefs; i++) {
		const ldp_ref *r = &m->refs[i];
		if (r->is_tag)
			continue;
		/* how the branch relates to main: commits ahead, or diverged */
		ldp_arena a;
		ldp_arena_init(&a, 0);
		const ldp_snapshot **anc = NULL;
		size_t n = 0;
		int64_t ahead = -1;
		int main_is_base = m->current_snapshot_id < 0 || ldp_metadata_is_ancestor(m, r->snapshot_id, m->current_snapshot_id);
		if (main_is_base && ldp_metadata_ancestors(m, r->snapshot_id, &a, &anc, &n) == LDP_OK) {
			ahead = 0;
			for (size_t k = 0; k < n && anc[k]->snapshot_id != m->current_snapshot_id; k++)
				ahead++;
		}
		ldp_error_clear();
		ldp_arena_free(&a);
		const char *state = strcmp(r->name, "main") == 0 ? "main" : main_is_base ? "can fast-forward main" : "diverged from main";
		if (arr) {
			json_t *o = json_object();
			json_object_set_new(o, "name", json_string(r->name));
			json_object_set_new(o, "snapshot_id", json_integer(r->snapshot_id));
			json_object_set_new(o, "ahead_of_main", ahead >= 0 ? json_integer(ahead) : json_null());
			json_object_set_new(o, "mergeable", json_boolean(main_is_base));
			json_array_append_new(arr, o);
		} else if (ahead >= 0) {
			printf("%-24s %-20" PRId64 " %" PRId64 " snapshot%s ahead (%s)\n", r->name, r->snapshot_id, ahead,
			       ahead == 1 ? "" : "s", state);
		} else {
			printf("%-24s %-20" PRId64 " %s\n", r->name, r->snapshot_id, state);
		}
	}
	if (arr)
		cli_print_json(arr);
	json_decref(arr);
	ldp_table_free(t);
	return LDP_OK;
}

int cmd_branch(int argc, char **argv)
{
	if (argc < 3)
		return cli_usage_error("branch", "usage: ldp branch create|list|merge|drop <ns.t> [branch]");
	const char *action = argv[1], *table = NULL, *name = NULL, *into = NULL;
	int json = 0;
	int64_t snapshot = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--snapshot") == 0 && i + 1 < argc)
			snapshot = strtoll(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--into") == 0 && i + 1 < argc)
			into = argv[++i];
		else if (argv[i][0] == '-')
			return cli_usage_error("branch", "unknown option '%s'", argv[i]);
		else if (!table)
			table = argv[i];
		else if (!name)
			name = argv[i];
		else
			return cli_usage_error("branch", "unexpected argument '%s'", argv[i]);
	}
	int is_list = strcmp(action, "list") == 0;
	if (!is_list && strcmp(action, "create") != 0 && strcmp(action, "merge") != 0 && strcmp(action, "drop") != 0)
		return cli_usage_error("branch", "unknown subcommand '%s'", action);
	if (!table || (!is_list && !name))
		return cli_usage_error("branch", "%s needs a table%s", action, is_list ? "" : " and a branch name");
	ldp_ident id;
	int rc = ldp_ident_parse(table, &id);
	if (rc)
		return cli_fail(rc);
	ldp_project *p;
	ldp_warehouse *wh;
	rc = cli_open_warehouse(&p, &wh);
	if (rc)
		return cli_fail(rc);
	if (is_list) {
		rc = list(wh, &id, json);
	} else if (strcmp(action, "create") == 0) {
		rc = ldp_table_set_ref(wh, &id, name, 0, snapshot);
		if (!rc)
			printf("Created branch %s of %s\n", name, table);
	} else if (strcmp(action, "drop") == 0) {
		rc = strcmp(name, "main") == 0 ? ldp_error_set(LDP_EINVALID, "the main branch cannot be dropped")
					       : ldp_table_drop_ref(wh, &id, name);
		if (!rc)
			printf("Dropped branch %s of %s\n", name, table);
	} else {
		int64_t head = -1;
		rc = ldp_table_fast_forward(wh, &id, name, into, &head);
		if (!rc)
			printf("Published branch %s of %s: %s is now at snapshot %" PRId64 "\n", name, table,
			       into ? into : "main", head);
	}
	cli_close_warehouse(p, wh);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
