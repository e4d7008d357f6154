/* ldp table create|list|describe|drop|rename|append|overwrite (history and refs: cmd_table_refs.c) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/table_cli.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "table/ddl.h"
#include "table/table.h"

void cmd_table_help(FILE *out)
{
	fprintf(out,
		"usage: ldp table <subcommand> [options]\n\n"
		"  create <ns.t> --schema \"id BIGINT NOT NULL, ts TIMESTAMP, ...\" | --like <file|query>\n"
		"         [--as <file|query>] [--partition-by \"day(ts), bucket(16, id)\"] [--sort-by \"ts desc\"]\n"
		"         [--location PATH] [--property k=v ...]\n"
		"  list [<ns>] [--json]            tables of a namespace (all namespaces when omitted)\n"
		"  describe <ns.t> [--json]        schema, partitioning, properties, current snapshot\n"
		"  drop <ns.t> [--purge]           remove from the catalog (--purge also deletes files)\n"
		"  rename <ns.t> <ns2.t2>\n"
		"  register <ns.t> <metadata.json>   add a table whose metadata file already exists\n"
		"  append <ns.t> <file|glob|'select ...'> [--branch B]\n"
		"  overwrite <ns.t> <file|glob|'select ...'> [--dynamic] [--branch B]\n"
		"         replace the table's rows; --dynamic replaces only the partitions present in the new data\n"
		"  history <ns.t> [AT] [--json]    the snapshot log: when each snapshot became current\n"
		"                                  (with AT: the selected snapshot and its ancestors)\n"
		"  snapshots <ns.t> [AT] [--json]  every snapshot (with AT: its lineage) and summary\n"
		"  files <ns.t> [AT] [--json]      data files of a snapshot\n"
		"  manifests <ns.t> [AT] [--json]  the manifests a snapshot lists\n"
		"  partitions <ns.t> [AT] [--json] record and file counts per partition\n"
		"  rollback <ns.t> <snapshot-id>   make an earlier snapshot current again\n"
		"  tag create|drop|list <ns.t> [name] [--snapshot ID] [--json]\n"
		"  branch create|drop|list <ns.t> [name] [--snapshot ID] [--json]\n"
		"  alter <ns.t> add-column|drop-column|rename-column|set-type|move|... (docs/evolution.md)\n"
		"  plan <ns.t> [--where 'PREDICATE'] [AT] [--json]   files kept and pruned, and why\n"
		"  expire-snapshots <ns.t> [--older-than T] [--retain-last N] [--snapshot ID] [--dry-run] [--json]\n"
		"  remove-orphans <ns.t> [--older-than T (default 3d)] [--dry-run] [--json]\n"
		"  rewrite-data <ns.t> [--target-size BYTES] [--sort-by \"col desc\"] [--where COND] [--all] [--json]\n"
		"  rewrite-manifests <ns.t> [--json]\n"
		"  maintain <ns.t> [--older-than T] [--retain-last N] [--orphans-older-than T] [--json]\n"
		"         rewrite-data, rewrite-manifests, expire-snapshots, remove-orphans (see docs/row-level.md)\n\n"
		"AT selects a snapshot: --snapshot ID, --ref NAME (branch or tag), --as-of TIMESTAMP.\n"
		"Partition transforms: identity(col) or col, bucket(N, col), truncate(W, col), year(col),\n"
		"month(col), day(col), hour(col), void(col).\n\n"
		"In ldp sql, tables are namespace.table; time travel: ns.\"t@<snapshot-id>\",\n"
		"ns.\"t@tag:v1\", ns.\"t@branch:dev\", ns.\"t@2024-01-01 10:00:00\".\n");
}

int table_cli_is_query(const char *s)
{
	while (isspace((unsigned char)*s) || *s == '(')
		s++;
	return strncasecmp(s, "select", 6) == 0 || strncasecmp(s, "with", 4) == 0 || strncasecmp(s, "from", 4) == 0 ||
	       strncasecmp(s, "values", 6) == 0 || strncasecmp(s, "table ", 6) == 0;
}

int table_cli_source_sql(const char *src, ldp_buf *out)
{
	if (table_cli_is_query(src)) {
		ldp_buf_puts(out, src);
	} else {
		/* a file or glob: DuckDB picks the reader from the extension */
		ldp_buf_puts(out, "SELECT * FROM ");
		ldp_buf_put_sql_string(out, src);
	}
	return ldp_buf_oom(out);
}

int table_cli_parse_at(int *i, int argc, char **argv, ldp_snapshot_selector *sel, int *matched)
{
	const char *a = argv[*i];
	*matched = 0;
	if (strcmp(a, "--snapshot") && strcmp(a, "--ref") && strcmp(a, "--as-of"))
		return LDP_OK;
	*matched = 1;
	if (*i + 1 >= argc)
		return ldp_error_set(LDP_EINVALID, "option %s needs a value", a);
	const char *v = argv[++*i];
	if (strcmp(a, "--snapshot") == 0) {
		char *end;
		sel->snapshot_id = strtoll(v, &end, 10);
		if (*end || sel->snapshot_id <= 0)
			return ldp_error_set(LDP_EINVALID, "--snapshot needs a snapshot id, not '%s'", v);
	} else if (strcmp(a, "--ref") == 0) {
		sel->ref = v;
	} else {
		ldp_snapshot_selector tmp;
		int rc = ldp_snapshot_selector_parse(v, &tmp);
		if (rc)
			return rc;
		if (tmp.as_of_ms <= 0)
			return ldp_error_set(LDP_EINVALID, "--as-of needs a timestamp like '2024-01-01 10:00:00', not '%s'", v);
		sel->as_of_ms = tmp.as_of_ms;
	}
	return LDP_OK;
}

static int do_create(ldp_warehouse *wh, int argc, char **argv)
{
	const char *name = NULL, *columns = NULL, *like = NULL, *as = NULL;
	ldp_create_options o;
	memset(&o, 0, sizeof o);
	ldp_kv props[64];
	char *owned[64];
	size_t nprops = 0;
	int rc = LDP_OK;
	for (int i = 2; i < argc && !rc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (a[0] == '-' && !v) {
			rc = ldp_error_set(LDP_EINVALID, "option %s needs a value", a);
		} else if (strcmp(a, "--schema") == 0) {
			columns = v, i++;
		} else if (strcmp(a, "--like") == 0) {
			like = v, i++;
		} else if (strcmp(a, "--as") == 0) {
			as = v, i++;
		} else if (strcmp(a, "--partition-by") == 0) {
			o.partition_by = v, i++;
		} else if (strcmp(a, "--sort-by") == 0) {
			o.sort_by = v, i++;
		} else if (strcmp(a, "--location") == 0) {
			o.location = v, i++;
		} else if (strcmp(a, "--property") == 0 || strcmp(a, "-p") == 0) {
			if (nprops == 64)
				rc = ldp_error_set(LDP_EINVALID, "too many properties");
			else if (!(rc = cli_parse_kv(v, &owned[nprops], &props[nprops].key, &props[nprops].value)))
				nprops++;
			i++;
		} else if (a[0] == '-') {
			rc = ldp_error_set(LDP_EINVALID, "unknown option '%s' for table create", a);
		} else if (!name) {
			name = a;
		} else {
			rc = ldp_error_set(LDP_EINVALID, "unexpected argument '%s'", a);
		}
	}
	if (!rc && !name)
		rc = ldp_error_set(LDP_EINVALID, "table create needs a table name (namespace.table)");
	if (!rc && !!columns + !!like + !!as != 1)
		rc = ldp_error_set(LDP_EINVALID, "table create needs exactly one of --schema, --like or --as");
	ldp_ident id;
	if (!rc)
		rc = ldp_ident_parse(name, &id);
	ldp_arena arena;
	ldp_arena_init(&arena, 0);
	ldp_schema *schema = NULL;
	ldp_buf src = LDP_BUF_INIT;
	if (!rc && (like || as))
		rc = table_cli_source_sql(like ? like : as, &src);
	if (!rc && !as)
		rc = ldp_warehouse_schema_from_sql(wh, columns, columns ? NULL : ldp_buf_cstr(&src), &arena, &schema);
	if (rc && columns)
		ldp_error_wrap(rc, "parsing --schema");
	o.schema = schema;
	o.properties = props;
	o.nproperties = nprops;
	if (!rc && !as) {
		ldp_table *t = NULL;
		rc = ldp_table_create(wh, &id, &o, &t);
		if (!rc)
			printf("Created table %s.%s at %s\n", id.ns, id.name, t->meta->location);
		ldp_table_free(t);
	} else if (!rc) {
		/* a failed fill drops the new table again (nothing is left behind) */
		ldp_write_result res;
		rc = ldp_table_create_as(wh, &id, &o, ldp_buf_cstr(&src), &res);
		if (!rc)
			printf("Created table %s.%s and appended %lld rows in %lld files (snapshot %lld)\n", id.ns, id.name,
			       (long long)res.added_records, (long long)res.added_files, (long long)res.snapshot_id);
	}
	ldp_buf_free(&src);
	for (size_t i = 0; i < nprops; i++)
		free(owned[i]);
	ldp_arena_free(&arena);
	return rc;
}

static int do_write(ldp_warehouse *wh, int argc, char **argv, int overwrite)
{
	const char *name = NULL, *src = NULL;
	ldp_write_options o = {.mode = overwrite ? LDP_WRITE_OVERWRITE : LDP_WRITE_APPEND};
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--dynamic") == 0 && overwrite)
			o.mode = LDP_WRITE_OVERWRITE_DYNAMIC;
		else if (strcmp(a, "--branch") == 0 && i + 1 >= argc)
			return ldp_error_set(LDP_EINVALID, "option --branch needs a branch name");
		else if (strcmp(a, "--branch") == 0)
			o.branch = argv[++i];
		else if (a[0] == '-' && a[1] == '-')
			return ldp_error_set(LDP_EINVALID, "unknown option '%s' for table %s", a, argv[1]);
		else if (!name)
			name = a;
		else if (!src)
			src = a;
		else
			return ldp_error_set(LDP_EINVALID, "unexpected argument '%s' (quote the query as one argument)", a);
	}
	if (!name || !src)
		return ldp_error_set(LDP_EINVALID, "table %s needs a table and a source: ldp table %s ns.t <file|glob|'select ...'>", argv[1], argv[1]);
	ldp_ident id;
	int rc = ldp_ident_parse(name, &id);
	if (rc)
		return rc;
	ldp_buf sql = LDP_BUF_INIT;
	/* ldp_table_write binds Iceberg tables the source reads (ns.t, ns."t@..."). */
	rc = table_cli_source_sql(src, &sql);
	ldp_write_result res;
	if (!rc)
		rc = ldp_table_write(wh, &id, ldp_buf_cstr(&sql), &o, &res);
	ldp_buf_free(&sql);
	if (rc)
		return rc;
	if (overwrite)
		printf("Overwrote %s.%s: added %lld rows in %lld files, removed %lld rows in %lld files (snapshot %lld)\n",
		       id.ns, id.name, (long long)res.added_records, (long long)res.added_files,
		       (long long)res.deleted_records, (long long)res.deleted_files, (long long)res.snapshot_id);
	else
		printf("Appended %lld rows in %lld files to %s.%s (snapshot %lld)\n", (long long)res.added_records,
		       (long long)res.added_files, id.ns, id.name, (long long)res.snapshot_id);
	return LDP_OK;
}

static int list_ns_tables(ldp_warehouse *wh, const char *ns, json_t *arr)
{
	ldp_catalog_names names = {0};
	int rc = ldp_catalog_list_tables(wh->catalog, ns, &names);
	for (size_t i = 0; !rc && i < names.len; i++) {
		if (arr) {
			json_t *o = json_object();
			json_object_set_new(o, "namespace", json_string(ns));
			json_object_set_new(o, "table", json_string(names.items[i]));
			json_array_append_new(arr, o);
		} else {
			printf("%s.%s\n", ns, names.items[i]);
		}
	}
	ldp_catalog_names_free(&names);
	if (rc)
		return rc;
	/* children */
	ldp_catalog_names kids = {0};
	rc = ldp_catalog_list_namespaces(wh->catalog, ns, &kids);
	for (size_t i = 0; !rc && i < kids.len; i++)
		rc = list_ns_tables(wh, kids.items[i], arr);
	ldp_catalog_names_free(&kids);
	return rc;
}

static int do_list(ldp_warehouse *wh, int argc, char **argv)
{
	const char *ns = NULL;
	int json = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-')
			return ldp_error_set(LDP_EINVALID, "unknown option '%s' for table list", argv[i]);
		else
			ns = argv[i];
	}
	json_t *arr = json ? json_array() : NULL;
	int rc = LDP_OK;
	if (ns) {
		rc = list_ns_tables(wh, ns, arr);
	} else {
		ldp_catalog_names top = {0};
		rc = ldp_catalog_list_namespaces(wh->catalog, NULL, &top);
		for (size_t i = 0; !rc && i < top.len; i++)
			rc = list_ns_tables(wh, top.items[i], arr);
		ldp_catalog_names_free(&top);
	}
	if (!rc && arr)
		cli_print_json(arr);
	json_decref(arr);
	return rc;
}

static int do_drop(ldp_warehouse *wh, int argc, char **argv)
{
	const char *name = NULL;
	int purge = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--purge") == 0)
			purge = 1;
		else if (argv[i][0] == '-')
			return ldp_error_set(LDP_EINVALID, "unknown option '%s' for table drop", argv[i]);
		else
			name = argv[i];
	}
	if (!name)
		return ldp_error_set(LDP_EINVALID, "table drop needs a table name");
	ldp_ident id;
	int rc = ldp_ident_parse(name, &id);
	if (!rc)
		rc = ldp_table_drop(wh, &id, purge);
	if (!rc)
		printf("Dropped table %s%s\n", name, purge ? " and deleted its files" : "");
	return rc;
}

static int do_rename(ldp_warehouse *wh, int argc, char **argv)
{
	if (argc != 4)
		return ldp_error_set(LDP_EINVALID, "usage: ldp table rename <ns.t> <ns2.t2>");
	ldp_ident a, b;
	int rc = ldp_ident_parse(argv[2], &a);
	if (!rc)
		rc = ldp_ident_parse(argv[3], &b);
	if (!rc)
		rc = ldp_catalog_rename_table(wh->catalog, a.ns, a.name, b.ns, b.name);
	if (!rc)
		printf("Renamed %s to %s\n", argv[2], argv[3]);
	return rc;
}

static int do_register(ldp_warehouse *wh, int argc, char **argv)
{
	if (argc != 4)
		return ldp_error_set(LDP_EINVALID, "usage: ldp table register <ns.t> <path of a .metadata.json file>");
	ldp_ident id;
	int rc = ldp_ident_parse(argv[2], &id);
	if (!rc)
		rc = ldp_table_register(wh, &id, argv[3]);
	if (!rc)
		printf("Registered %s at %s\n", argv[2], argv[3]);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(ldp_warehouse *, int, char **);
} subs[] = {
	{"create", do_create},
	{"list", do_list},
	{"describe", table_cli_describe},
	{"drop", do_drop},
	{"rename", do_rename},
	{"register", do_register},
	{"history", table_cli_history},
	{"snapshots", table_cli_snapshots},
	{"files", table_cli_files},
	{"manifests", table_cli_manifests},
	{"partitions", table_cli_partitions},
	{"rollback", table_cli_rollback},
	{"tag", table_cli_tag},
	{"branch", table_cli_branch},
	{"alter", table_cli_alter},
	{"plan", table_cli_plan},
	{"expire-snapshots", table_cli_maintain},
	{"remove-orphans", table_cli_maintain},
	{"rewrite-data", table_cli_maintain},
	{"rewrite-manifests", table_cli_maintain},
	{"maintain", table_cli_maintain},
};

int cmd_table(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("table", "missing subcommand");
	const char *sub = argv[1];
	if (strcmp(sub, "append") != 0 && strcmp(sub, "overwrite") != 0) {
		size_t i;
		for (i = 0; i < sizeof subs / sizeof subs[0]; i++)
			if (strcmp(subs[i].name, sub) == 0)
				break;
		if (i == sizeof subs / sizeof subs[0])
			return cli_usage_error("table", "unknown subcommand '%s'", sub);
	}
	ldp_project *p;
	ldp_warehouse *wh;
	int rc = cli_open_warehouse(&p, &wh);
	if (rc)
		return cli_fail(rc);
	/* Ctrl-C cancels the running DuckDB statement; the write then fails
	 * cleanly and removes what it wrote (nothing is committed). */
	ldp_engine *e = NULL;
	if (ldp_warehouse_engine(wh, &e) == LDP_OK) {
		cli_set_running_engine(e);
		cli_install_interrupt_handler();
	}
	ldp_error_clear();
	if (strcmp(sub, "append") == 0 || strcmp(sub, "overwrite") == 0) {
		rc = do_write(wh, argc, argv, sub[0] == 'o');
	} else {
		for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
			if (strcmp(subs[i].name, sub) == 0)
				rc = subs[i].fn(wh, argc, argv);
	}
	cli_set_running_engine(NULL);
	cli_close_warehouse(p, wh);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
