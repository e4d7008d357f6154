/* `ldp table plan <ns.table> [--where ...]`: which files a scan reads, which
 * it prunes and why (docs/evolution.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/table_cli.h"
#include "ldp/error.h"
#include "ldp/json.h"
#include "table/plan.h"

static void print_text(const ldp_ident *id, const ldp_scan_plan *p, const ldp_plan_report *r, int verbose)
{
	printf("Plan for %s.%s", id->ns, id->name);
	if (p->snapshot)
		printf(" at snapshot %" PRId64, p->snapshot->snapshot_id);
	printf("\n  filter:    %s\n", r->filter ? r->filter : "true");
	if (r->fallback)
		printf("  note:      the table has delete files; planned without pruning\n");
	printf("  manifests: %zu, %zu pruned by partition summaries (%d threads)\n", r->manifests, r->manifests_pruned,
	       r->threads);
	printf("  files:     %zu in the manifests read, %zu pruned by partition values, %zu by column bounds; %zu kept, %" PRId64 " rows\n",
	       r->files, r->files_pruned_partition, r->files_pruned_metrics, p->nfiles, p->total_records);
	if (!verbose)
		return;
	for (size_t i = 0; i < r->nnotes; i++) {
		const ldp_plan_note *n = &r->notes[i];
		printf("  %-6s %-8s spec %-2d %s%s%s\n", n->kept ? "keep" : "prune", n->is_manifest ? "manifest" : "file",
		       n->spec_id, n->path, n->reason ? "  -- " : "", n->reason ? n->reason : "");
	}
}

static json_t *to_json(const ldp_ident *id, const ldp_scan_plan *p, const ldp_plan_report *r)
{
	json_t *o = json_object();
	char name[800];
	snprintf(name, sizeof name, "%s.%s", id->ns, id->name);
	json_object_set_new(o, "table", json_string(name));
	json_object_set_new(o, "snapshot_id", p->snapshot ? json_integer(p->snapshot->snapshot_id) : json_null());
	json_object_set_new(o, "filter", json_string(r->filter ? r->filter : "true"));
	json_object_set_new(o, "fallback", json_boolean(r->fallback));
	json_object_set_new(o, "manifests", json_integer((json_int_t)r->manifests));
	json_object_set_new(o, "manifests_pruned", json_integer((json_int_t)r->manifests_pruned));
	json_object_set_new(o, "files", json_integer((json_int_t)r->files));
	json_object_set_new(o, "files_pruned_partition", json_integer((json_int_t)r->files_pruned_partition));
	json_object_set_new(o, "files_pruned_bounds", json_integer((json_int_t)r->files_pruned_metrics));
	json_object_set_new(o, "files_kept", json_integer((json_int_t)p->nfiles));
	json_object_set_new(o, "records_kept", json_integer(p->total_records));
	json_t *notes = json_array();
	for (size_t i = 0; i < r->nnotes; i++) {
		const ldp_plan_note *n = &r->notes[i];
		json_t *e = json_object();
		json_object_set_new(e, "kind", json_string(n->is_manifest ? "manifest" : "file"));
		json_object_set_new(e, "path", json_string(n->path));
		json_object_set_new(e, "spec_id", json_integer(n->spec_id));
		json_object_set_new(e, "records", json_integer(n->records));
		json_object_set_new(e, "kept", json_boolean(n->kept));
		json_object_set_new(e, "reason", n->reason ? json_string(n->reason) : json_null());
		json_array_append_new(notes, e);
	}
	json_object_set_new(o, "entries", notes);
	return o;
}

int table_cli_plan(ldp_warehouse *wh, int argc, char **argv)
{
	const char *name = NULL, *where = NULL;
	int json = 0, verbose = 1;
	ldp_plan_options o;
	memset(&o, 0, sizeof o);
	ldp_snapshot_selector sel;
	memset(&sel, 0, sizeof sel);
	for (int i = 2; i < argc; i++) {
		int matched = 0;
		int rc = table_cli_parse_at(&i, argc, argv, &sel, &matched);
		if (rc)
			return rc;
		if (matched)
			continue;
		if (strcmp(argv[i], "--where") == 0 && i + 1 < argc)
			where = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--summary") == 0)
			verbose = 0;
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			o.threads = atoi(argv[++i]);
		else if (argv[i][0] == '-')
			return ldp_error_set(LDP_EINVALID, "unknown or incomplete option '%s' for table plan", argv[i]);
		else
			name = argv[i];
	}
	if (!name)
		return ldp_error_set(LDP_EINVALID, "usage: ldp table plan <ns.table> [--where 'PREDICATE'] [AT] [--json] [--summary]");
	ldp_ident id;
	int rc = ldp_ident_parse(name, &id);
	ldp_table *t = NULL;
	ldp_engine *e = NULL;
	ldp_arena a;
	ldp_arena_init(&a, 4096);
	ldp_expr *filter = NULL;
	if (!rc)
		rc = ldp_table_load(wh, &id, &t);
	if (!rc && where && !(rc = ldp_warehouse_engine(wh, &e)))
		rc = ldp_expr_parse_where(e, where, &a, &filter);
	o.filter = filter;
	o.explain = 1;
	ldp_scan_plan p;
	ldp_plan_report r;
	memset(&p, 0, sizeof p);
	memset(&r, 0, sizeof r);
	if (!rc)
		rc = ldp_table_plan_filtered(wh, t, &sel, &o, &p, &r);
	if (!rc) {
		if (json) {
			json_t *j = to_json(&id, &p, &r);
			cli_print_json(j);
			json_decref(j);
		} else {
			print_text(&id, &p, &r, verbose);
		}
	}
	ldp_scan_plan_clear(&p);
	ldp_plan_report_clear(&r);
	ldp_table_free(t);
	ldp_arena_free(&a);
	return rc;
}
