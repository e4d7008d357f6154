/* ldp table describe|history|snapshots|files|partitions|rollback|tag|branch */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/table_cli.h"
#include "format/metadata.h"
#include "format/schema.h"
#include "ldp/error.h"

/* Common argument shape: <ns.t> [AT] [--json]. */
typedef struct targs {
	const char *name;
	const char *extra[2];
	size_t nextra;
	int json;
	ldp_snapshot_selector at;
} targs;

static int parse_targs(int argc, char **argv, targs *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 2; i < argc; i++) {
		int matched;
		int rc = table_cli_parse_at(&i, argc, argv, &a->at, &matched);
		if (rc)
			return rc;
		if (matched)
			continue;
		if (strcmp(argv[i], "--json") == 0)
			a->json = 1;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return ldp_error_set(LDP_EINVALID, "unknown option '%s' for table %s", argv[i], argv[1]);
		else if (!a->name)
			a->name = argv[i];
		else if (a->nextra < 2)
			a->extra[a->nextra++] = argv[i];
		else
			return ldp_error_set(LDP_EINVALID, "unexpected argument '%s'", argv[i]);
	}
	if (!a->name)
		return ldp_error_set(LDP_EINVALID, "table %s needs a table name (namespace.table)", argv[1]);
	return LDP_OK;
}

static int load(ldp_warehouse *wh, const char *name, ldp_table **t)
{
	ldp_ident id;
	int rc = ldp_ident_parse(name, &id);
	return rc ? rc : ldp_table_load(wh, &id, t);
}

static int has_at(const ldp_snapshot_selector *at)
{
	return at->snapshot_id > 0 || at->ref || at->as_of_ms > 0;
}

static int reject_at(const targs *a, const char *sub)
{
	if (!has_at(&a->at))
		return LDP_OK;
	return ldp_error_set(LDP_EINVALID, "table %s takes no --snapshot, --ref or --as-of", sub);
}

/* With AT, history and snapshots show the lineage of the selected snapshot
 * (it and its ancestors): a branch's or tag's history, or main's as it was. */
static int selected_id(const ldp_table *t, const targs *a, int64_t *id)
{
	*id = -1;
	if (!has_at(&a->at))
		return LDP_OK;
	const ldp_snapshot *s = NULL;
	int rc = ldp_table_resolve_snapshot(t, &a->at, &s);
	if (!rc && s)
		*id = s->snapshot_id;
	return rc;
}

/* Arguments, table and selected snapshot id (-1: none) for history/snapshots. */
static int load_selected(ldp_warehouse *wh, int argc, char **argv, targs *a, ldp_table **t, int64_t *sel)
{
	*t = NULL;
	int rc = parse_targs(argc, argv, a);
	if (!rc)
		rc = load(wh, a->name, t);
	if (!rc)
		rc = selected_id(*t, a, sel);
	if (rc) {
		ldp_table_free(*t);
		*t = NULL;
	}
	return rc;
}

static void fmt_ms(int64_t ms, char *buf, size_t n)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t k = strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + k, n - k, ".%03d", (int)(ms % 1000));
}

static const char *summary_get(const ldp_snapshot *s, const char *key)
{
	for (size_t i = 0; i < s->nsummary; i++)
		if (strcmp(s->summary[i].key, key) == 0)
			return s->summary[i].value;
	return NULL;
}

static const ldp_schema *schema_by_id(const ldp_metadata *m, int32_t id)
{
	for (size_t i = 0; i < m->nschemas; i++)
		if (m->schemas[i]->schema_id == id)
			return m->schemas[i];
	return NULL;
}

static const ldp_partition_spec *spec_by_id(const ldp_metadata *m, int32_t id)
{
	for (size_t i = 0; i < m->nspecs; i++)
		if (m->specs[i]->spec_id == id)
			return m->specs[i];
	return NULL;
}

static void type_str(const ldp_type *t, ldp_buf *b)
{
	ldp_type_append_string(t, b);
}

int table_cli_describe(ldp_warehouse *wh, int argc, char **argv)
{
	targs a;
	ldp_table *t = NULL;
	int rc = parse_targs(argc, argv, &a);
	if (!rc)
		rc = reject_at(&a, "describe");
	if (!rc)
		rc = load(wh, a.name, &t);
	if (rc)
		return rc;
	const ldp_metadata *m = t->meta;
	const ldp_schema *s = schema_by_id(m, m->current_schema_id);
	const ldp_partition_spec *spec = spec_by_id(m, m->default_spec_id);
	if (a.json) {
		json_t *o = json_object();
		json_object_set_new(o, "table", json_string(a.name));
		json_object_set_new(o, "location", json_string(m->location));
		json_object_set_new(o, "metadata_location", json_string(t->metadata_location));
		json_object_set_new(o, "format_version", json_integer(m->format_version));
		json_object_set_new(o, "table_uuid", json_string(m->table_uuid));
		json_object_set_new(o, "current_snapshot_id", m->current_snapshot_id >= 0 ? json_integer(m->current_snapshot_id) : json_null());
		json_object_set_new(o, "schema", s ? ldp_schema_to_json(s) : json_null());
		json_t *pf = json_array();
		for (size_t i = 0; spec && i < spec->nfields; i++) {
			json_t *f = json_object();
			json_object_set_new(f, "name", json_string(spec->fields[i].name));
			json_object_set_new(f, "transform", json_string(spec->fields[i].transform.text));
			json_object_set_new(f, "source-id", json_integer(spec->fields[i].source_id));
			json_object_set_new(f, "field-id", json_integer(spec->fields[i].field_id));
			json_array_append_new(pf, f);
		}
		json_object_set_new(o, "partition_spec", pf);
		json_t *props = json_object();
		for (size_t i = 0; i < m->nproperties; i++)
			json_object_set_new(props, m->properties[i].key, json_string(m->properties[i].value));
		json_object_set_new(o, "properties", props);
		cli_print_json(o);
		json_decref(o);
		ldp_table_free(t);
		return LDP_OK;
	}
	printf("Table %s\n  location:  %s\n  metadata:  %s\n  format:    v%d  uuid %s\n", a.name, m->location,
	       t->metadata_location, m->format_version, m->table_uuid);
	if (m->current_snapshot_id >= 0)
		printf("  snapshot:  %" PRId64 "\n", m->current_snapshot_id);
	else
		printf("  snapshot:  (none: the table is empty)\n");
	printf("\nColumns (schema %d):\n", s ? s->schema_id : -1);
	printf("  %-4s %-28s %-24s %s\n", "id", "name", "type", "nullable");
	for (size_t i = 0; s && i < s->root.nfields; i++) {
		const ldp_field *f = &s->root.fields[i];
		ldp_buf ty = LDP_BUF_INIT;
		type_str(f->type, &ty);
		printf("  %-4d %-28s %-24s %s%s%s\n", f->id, f->name, ldp_buf_cstr(&ty), f->required ? "NOT NULL" : "",
		       f->doc ? "  -- " : "", f->doc ? f->doc : "");
		ldp_buf_free(&ty);
	}
	printf("\nPartitioning (spec %d):", spec ? spec->spec_id : -1);
	if (!spec || spec->nfields == 0)
		printf(" none\n");
	else
		printf("\n");
	for (size_t i = 0; spec && i < spec->nfields; i++) {
		const ldp_field *src = s ? ldp_schema_field_by_id(s, spec->fields[i].source_id) : NULL;
		printf("  %s = %s(%s)\n", spec->fields[i].name, spec->fields[i].transform.text, src ? src->name : "?");
	}
	const ldp_sort_order *order = ldp_metadata_default_sort_order(m);
	if (order && order->nfields) {
		printf("\nSort order (%d):\n", order->order_id);
		for (size_t i = 0; i < order->nfields; i++) {
			const ldp_field *src = s ? ldp_schema_field_by_id(s, order->fields[i].source_id) : NULL;
			printf("  %s(%s) %s nulls %s\n", order->fields[i].transform.text ? order->fields[i].transform.text : "identity",
			       src ? src->name : "?", order->fields[i].descending ? "desc" : "asc",
			       order->fields[i].nulls_first ? "first" : "last");
		}
	}
	if (m->nproperties) {
		printf("\nProperties:\n");
		for (size_t i = 0; i < m->nproperties; i++)
			printf("  %s = %s\n", m->properties[i].key, m->properties[i].value);
	}
	ldp_table_free(t);
	return LDP_OK;
}

int table_cli_history(ldp_warehouse *wh, int argc, char **argv)
{
	targs a;
	ldp_table *t = NULL;
	int64_t sel = -1;
	int rc = load_selected(wh, argc, argv, &a, &t, &sel);
	if (rc)
		return rc;
	const ldp_metadata *m = t->meta;
	/* the lineage of a selected snapshot, oldest first, each at its commit time */
	ldp_arena arena;
	ldp_arena_init(&arena, 0);
	const ldp_snapshot **line = NULL;
	size_t nline = 0;
	if (sel > 0 && (rc = ldp_metadata_ancestors(m, sel, &arena, &line, &nline))) {
		ldp_arena_free(&arena);
		ldp_table_free(t);
		return rc;
	}
	size_t n = sel > 0 ? nline : m->nsnapshot_log;
	json_t *arr = a.json ? json_array() : NULL;
	if (!a.json)
		printf("%-23s  %-20s  %-20s  %s\n", "made_current_at", "snapshot_id", "parent_id", "operation");
	for (size_t i = 0; i < n; i++) {
		ldp_log_entry lineage_entry;
		const ldp_log_entry *e = &lineage_entry;
		const ldp_snapshot *s = NULL;
		if (sel > 0) {
			s = line[nline - 1 - i];
			lineage_entry.snapshot_id = s->snapshot_id;
			lineage_entry.timestamp_ms = s->timestamp_ms;
		} else {
			e = &m->snapshot_log[i];
			for (size_t j = 0; j < m->nsnapshots; j++)
				if (m->snapshots[j]->snapshot_id == e->snapshot_id)
					s = m->snapshots[j];
		}
		char ts[40];
		fmt_ms(e->timestamp_ms, ts, sizeof ts);
		if (arr) {
			json_t *o = json_object();
			json_object_set_new(o, "made_current_at_ms", json_integer(e->timestamp_ms));
			json_object_set_new(o, "snapshot_id", json_integer(e->snapshot_id));
			json_object_set_new(o, "parent_id", s && s->parent_id >= 0 ? json_integer(s->parent_id) : json_null());
			json_object_set_new(o, "operation", s && s->operation ? json_string(s->operation) : json_null());
			json_array_append_new(arr, o);
		} else {
			char parent[32] = "";
			if (s && s->parent_id >= 0)
				snprintf(parent, sizeof parent, "%" PRId64, s->parent_id);
			printf("%-23s  %-20" PRId64 "  %-20s  %s\n", ts, e->snapshot_id, parent, s && s->operation ? s->operation : "");
		}
	}
	if (arr)
		cli_print_json(arr);
	json_decref(arr);
	ldp_arena_free(&arena);
	ldp_table_free(t);
	return LDP_OK;
}

int table_cli_snapshots(ldp_warehouse *wh, int argc, char **argv)
{
	targs a;
	ldp_table *t = NULL;
	int64_t sel = -1;
	int rc = load_selected(wh, argc, argv, &a, &t, &sel);
	if (rc)
		return rc;
	const ldp_metadata *m = t->meta;
	json_t *arr = a.json ? json_array() : NULL;
	if (!a.json)
		printf("%-20s  %-20s  %4s  %-23s  %-10s  %12s  %12s  %s\n", "snapshot_id", "parent_id", "seq", "committed_at",
		       "operation", "added_rows", "total_rows", "files");
	for (size_t i = 0; i < m->nsnapshots; i++) {
		const ldp_snapshot *s = m->snapshots[i];
		if (sel > 0 && !ldp_metadata_is_ancestor(m, sel, s->snapshot_id))
			continue;
		char ts[40];
		fmt_ms(s->timestamp_ms, ts, sizeof ts);
		if (arr) {
			json_t *o = json_object(), *sum = json_object();
			json_object_set_new(o, "snapshot_id", json_integer(s->snapshot_id));
			json_object_set_new(o, "parent_id", s->parent_id >= 0 ? json_integer(s->parent_id) : json_null());
			json_object_set_new(o, "sequence_number", json_integer(s->sequence_number));
			json_object_set_new(o, "timestamp_ms", json_integer(s->timestamp_ms));
			json_object_set_new(o, "operation", s->operation ? json_string(s->operation) : json_null());
			json_object_set_new(o, "manifest_list", s->manifest_list ? json_string(s->manifest_list) : json_null());
			json_object_set_new(o, "schema_id", s->schema_id >= 0 ? json_integer(s->schema_id) : json_null());
			for (size_t k = 0; k < s->nsummary; k++)
				json_object_set_new(sum, s->summary[k].key, json_string(s->summary[k].value));
			json_object_set_new(o, "summary", sum);
			json_object_set_new(o, "current", json_boolean(s->snapshot_id == m->current_snapshot_id));
			json_array_append_new(arr, o);
		} else {
			char parent[32] = "";
			if (s->parent_id >= 0)
				snprintf(parent, sizeof parent, "%" PRId64, s->parent_id);
			const char *added = summary_get(s, "added-records"), *total = summary_get(s, "total-records"),
				   *files = summary_get(s, "total-data-files");
			printf("%-20" PRId64 "  %-20s  %4" PRId64 "  %-23s  %-10s  %12s  %12s  %s%s\n", s->snapshot_id, parent,
			       s->sequence_number, ts, s->operation ? s->operation : "", added ? added : "", total ? total : "",
			       files ? files : "", s->snapshot_id == m->current_snapshot_id ? "  (current)" : "");
		}
	}
	if (arr)
		cli_print_json(arr);
	json_decref(arr);
	ldp_table_free(t);
	return LDP_OK;
}

static int plan_for(ldp_warehouse *wh, targs *a, ldp_table **t, ldp_scan_plan *plan)
{
	int rc = load(wh, a->name, t);
	if (!rc)
		rc = ldp_table_plan(wh, *t, &a->at, plan);
	return rc;
}

int table_cli_files(ldp_warehouse *wh, int argc, char **argv)
{
	targs a;
	ldp_table *t = NULL;
	ldp_scan_plan plan;
	memset(&plan, 0, sizeof plan);
	int rc = parse_targs(argc, argv, &a);
	if (!rc)
		rc = plan_for(wh, &a, &t, &plan);
	if (!rc) {
		json_t *arr = a.json ? json_array() : NULL;
		for (size_t i = 0; i < plan.nfiles; i++) {
			const ldp_planned_file *f = &plan.files[i];
			if (arr) {
				json_t *o = json_object();
				json_object_set_new(o, "file_path", json_string(f->path));
				json_object_set_new(o, "partition", json_string(f->partition));
				json_object_set_new(o, "spec_id", json_integer(f->spec_id));
				json_object_set_new(o, "record_count", json_integer(f->record_count));
				json_object_set_new(o, "file_size_in_bytes", json_integer(f->file_size));
				json_array_append_new(arr, o);
			} else {
				printf("%12" PRId64 " rows  %12" PRId64 " bytes  %-30s  %s\n", f->record_count, f->file_size,
				       f->partition[0] ? f->partition : "-", f->path);
			}
		}
		if (arr)
			cli_print_json(arr);
		else
			printf("%zu files, %" PRId64 " rows\n", plan.nfiles, plan.total_records);
		json_decref(arr);
	}
	ldp_scan_plan_clear(&plan);
	ldp_table_free(t);
	return rc;
}

int table_cli_partitions(ldp_warehouse *wh, int argc, char **argv)
{
	targs a;
	ldp_table *t = NULL;
	ldp_scan_plan plan;
	memset(&plan, 0, sizeof plan);
	int rc = parse_targs(argc, argv, &a);
	if (!rc)
		rc = plan_for(wh, &a, &t, &plan);
	if (rc) {
		ldp_scan_plan_clear(&plan);
		ldp_table_free(t);
		return rc;
	}
	/* Aggregate by (spec, partition path): sort indexes, then run-length. */
	size_t n = plan.nfiles;
	size_t *idx = calloc(n ? n : 1, sizeof *idx);
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	for (size_t i = 1; i < n; i++) { /* insertion sort: partitions are few per table */
		size_t k = idx[i], j = i;
		while (j > 0) {
			const ldp_planned_file *x = &plan.files[idx[j - 1]], *y = &plan.files[k];
			int c = x->spec_id != y->spec_id ? (x->spec_id > y->spec_id ? 1 : -1) : strcmp(x->partition, y->partition);
			if (c <= 0)
				break;
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = k;
	}
	json_t *arr = a.json ? json_array() : NULL;
	if (!a.json)
		printf("%-40s  %4s  %12s  %6s  %14s\n", "partition", "spec", "records", "files", "bytes");
	for (size_t i = 0; i < n;) {
		const ldp_planned_file *f = &plan.files[idx[i]];
		int64_t rec = 0, bytes = 0, files = 0;
		size_t j = i;
		while (j < n && plan.files[idx[j]].spec_id == f->spec_id && strcmp(plan.files[idx[j]].partition, f->partition) == 0) {
			rec += plan.files[idx[j]].record_count;
			bytes += plan.files[idx[j]].file_size;
			files++;
			j++;
		}
		if (arr) {
			json_t *o = json_object();
			json_object_set_new(o, "partition", json_string(f->partition));
			json_object_set_new(o, "spec_id", json_integer(f->spec_id));
			json_object_set_new(o, "record_count", json_integer(rec));
			json_object_set_new(o, "file_count", json_integer(files));
			json_object_set_new(o, "total_bytes", json_integer(bytes));
			json_array_append_new(arr, o);
		} else {
			printf("%-40s  %4d  %12" PRId64 "  %6" PRId64 "  %14" PRId64 "\n", f->partition[0] ? f->partition : "(unpartitioned)",
			       f->spec_id, rec, files, bytes);
		}
		i = j;
	}
	if (arr)
		cli_print_json(arr);
	json_decref(arr);
	free(idx);
	ldp_scan_plan_clear(&plan);
	ldp_table_free(t);
	return LDP_OK;
}

int table_cli_rollback(ldp_warehouse *wh, int argc, char **argv)
{
	targs a;
	int rc = parse_targs(argc, argv, &a);
	if (!rc)
		rc = reject_at(&a, "rollback");
	if (rc)
		return rc;
	if (a.nextra != 1)
		return ldp_error_set(LDP_EINVALID, "usage: ldp table rollback <ns.t> <snapshot-id>");
	char *end;
	int64_t sid = strtoll(a.extra[0], &end, 10);
	if (*end || sid <= 0)
		return ldp_error_set(LDP_EINVALID, "'%s' is not a snapshot id", a.extra[0]);
	ldp_ident id;
	rc = ldp_ident_parse(a.name, &id);
	if (!rc)
		rc = ldp_table_rollback(wh, &id, sid);
	if (!rc)
		printf("Rolled %s back to snapshot %" PRId64 "\n", a.name, sid);
	return rc;
}

static int refs_cmd(ldp_warehouse *wh, int argc, char **argv, int is_tag)
{
	const char *kind = is_tag ? "tag" : "branch";
	if (argc < 3)
		return ldp_error_set(LDP_EINVALID, "usage: ldp table %s create|drop|list <ns.t> [name] [--snapshot ID]", kind);
	const char *action = argv[2];
	targs a;
	int rc = parse_targs(argc - 1, argv + 1, &a);
	if (rc)
		return rc;
	ldp_ident id;
	rc = ldp_ident_parse(a.name, &id);
	if (rc)
		return rc;
	if (strcmp(action, "list") == 0) {
		ldp_table *t;
		rc = ldp_table_load(wh, &id, &t);
		if (rc)
			return rc;
		json_t *arr = a.json ? json_array() : NULL;
		for (size_t i = 0; i < t->meta->nrefs; i++) {
			const ldp_ref *r = &t->meta->refs[i];
			if (r->is_tag != is_tag)
				continue;
			if (arr) {
				json_t *o = json_object();
				json_object_set_new(o, "name", json_string(r->name));
				json_object_set_new(o, "snapshot_id", json_integer(r->snapshot_id));
				json_object_set_new(o, "type", json_string(kind));
				json_array_append_new(arr, o);
			} else {
				printf("%-24s %" PRId64 "\n", r->name, r->snapshot_id);
			}
		}
		if (arr)
			cli_print_json(arr);
		json_decref(arr);
		ldp_table_free(t);
		return LDP_OK;
	}
	if (a.nextra != 1)
		return ldp_error_set(LDP_EINVALID, "ldp table %s %s needs a %s name", kind, action, kind);
	if (strcmp(action, "create") == 0) {
		int64_t sid = a.at.snapshot_id;
		if (a.at.ref || a.at.as_of_ms > 0) { /* --ref/--as-of: the snapshot they select */
			ldp_table *t = NULL;
			rc = ldp_table_load(wh, &id, &t);
			if (!rc)
				rc = selected_id(t, &a, &sid);
			ldp_table_free(t);
			if (rc)
				return rc;
		}
		rc = ldp_table_set_ref(wh, &id, a.extra[0], is_tag, sid);
		if (!rc)
			printf("Created %s %s on %s\n", kind, a.extra[0], a.name);
	} else if (strcmp(action, "drop") == 0) {
		rc = ldp_table_drop_ref(wh, &id, a.extra[0]);
		if (!rc)
			printf("Dropped %s %s of %s\n", kind, a.extra[0], a.name);
	} else {
		rc = ldp_error_set(LDP_EINVALID, "unknown %s action '%s' (create, drop, list)", kind, action);
	}
	return rc;
}

int table_cli_tag(ldp_warehouse *wh, int argc, char **argv) { return refs_cmd(wh, argc, argv, 1); }
int table_cli_branch(ldp_warehouse *wh, int argc, char **argv) { return refs_cmd(wh, argc, argv, 0); }

int table_cli_manifests(ldp_warehouse *wh, int argc, char **argv)
{
	targs a;
	ldp_table *t = NULL;
	int rc = parse_targs(argc, argv, &a);
	if (!rc)
		rc = load(wh, a.name, &t);
	ldp_arena arena;
	ldp_arena_init(&arena, 0);
	ldp_manifest_file *mf = NULL;
	size_t n = 0;
	if (!rc)
		rc = ldp_table_manifests(t, &a.at, &arena, &mf, &n);
	if (!rc) {
		json_t *arr = a.json ? json_array() : NULL;
		for (size_t i = 0; i < n; i++) {
			const ldp_manifest_file *f = &mf[i];
			if (arr) {
				json_t *o = json_object();
				json_object_set_new(o, "path", json_string(f->manifest_path));
				json_object_set_new(o, "length", json_integer(f->manifest_length));
				json_object_set_new(o, "partition_spec_id", json_integer(f->partition_spec_id));
				json_object_set_new(o, "content", json_string(f->content == LDP_CONTENT_DATA ? "data" : "deletes"));
				json_object_set_new(o, "sequence_number", json_integer(f->sequence_number));
				json_object_set_new(o, "added_snapshot_id", json_integer(f->added_snapshot_id));
				json_object_set_new(o, "added_files_count", json_integer(f->added_files_count));
				json_object_set_new(o, "existing_files_count", json_integer(f->existing_files_count));
				json_object_set_new(o, "deleted_files_count", json_integer(f->deleted_files_count));
				json_object_set_new(o, "added_rows_count", json_integer(f->added_rows_count));
				json_object_set_new(o, "existing_rows_count", json_integer(f->existing_rows_count));
				json_object_set_new(o, "deleted_rows_count", json_integer(f->deleted_rows_count));
				json_array_append_new(arr, o);
			} else {
				printf("%-7s spec %-3d seq %-5" PRId64 " added %6d existing %6d deleted %6d files  %s\n",
				       f->content == LDP_CONTENT_DATA ? "data" : "deletes", f->partition_spec_id, f->sequence_number,
				       f->added_files_count, f->existing_files_count, f->deleted_files_count, f->manifest_path);
			}
		}
		if (arr)
			cli_print_json(arr);
		else
			printf("%zu manifests\n", n);
		json_decref(arr);
	}
	ldp_arena_free(&arena);
	ldp_table_free(t);
	return rc;
}
