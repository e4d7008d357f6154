/* ldp namespace create|list|describe|set|drop */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "table/warehouse.h"

void cmd_namespace_help(FILE *out)
{
	fprintf(out, "usage: ldp namespace create <ns> [--property k=v ...]\n"
		     "       ldp namespace list [<parent>] [--json]\n"
		     "       ldp namespace describe <ns> [--json]\n"
		     "       ldp namespace set <ns> [k=v ...] [--unset k ...]\n"
		     "       ldp namespace drop <ns>\n\n"
		     "Namespaces group tables; nest them with dots (sales.eu). A namespace can only be\n"
		     "dropped when it holds no tables and no child namespaces.\n");
}

typedef struct ns_args {
	const char *ns;
	int json;
	ldp_catalog_kv set[64];
	char *owned[64];
	size_t nset;
	const char *unset[64];
	size_t nunset;
} ns_args;

static int parse_args(const char *sub, int argc, char **argv, ns_args *a, int props_positional)
{
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--json") == 0) {
			a->json = 1;
		} else if ((strcmp(s, "--property") == 0 || strcmp(s, "-p") == 0) && i + 1 < argc) {
			s = argv[++i];
			goto kv;
		} else if (strcmp(s, "--unset") == 0 && i + 1 < argc) {
			if (a->nunset == 64)
				return cli_usage_error("namespace", "too many properties");
			a->unset[a->nunset++] = argv[++i];
		} else if ((strcmp(s, "--property") == 0 || strcmp(s, "-p") == 0 || strcmp(s, "--unset") == 0) && i + 1 >= argc) {
			return cli_usage_error("namespace", "option %s needs a value", s);
		} else if (s[0] == '-') {
			return cli_usage_error("namespace", "unknown option '%s' for %s", s, sub);
		} else if (!a->ns) {
			a->ns = s;
		} else if (props_positional) {
		kv:
			if (a->nset == 64)
				return cli_usage_error("namespace", "too many properties");
			if (cli_parse_kv(s, &a->owned[a->nset], &a->set[a->nset].key, &a->set[a->nset].value))
				return cli_fail(LDP_EINVALID);
			a->nset++;
		} else {
			return cli_usage_error("namespace", "unexpected argument '%s'", s);
		}
	}
	return LDP_EXIT_OK;
}

static int print_props(const char *ns, const ldp_catalog_props *pr, int json)
{
	if (json) {
		json_t *o = json_object(), *props = json_object();
		for (size_t i = 0; i < pr->len; i++)
			json_object_set_new(props, pr->keys[i], json_string(pr->values[i]));
		json_object_set_new(o, "namespace", json_string(ns));
		json_object_set_new(o, "properties", props);
		cli_print_json(o);
		json_decref(o);
		return 0;
	}
	printf("namespace %s\n", ns);
	for (size_t i = 0; i < pr->len; i++)
		printf("  %s = %s\n", pr->keys[i], pr->values[i]);
	if (pr->len == 0)
		printf("  (no properties)\n");
	return 0;
}

int cmd_namespace(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("namespace", "missing subcommand (create, list, describe, set, drop)");
	const char *sub = argv[1];
	ns_args a;
	memset(&a, 0, sizeof a);
	int props_positional = strcmp(sub, "set") == 0;
	int ex = parse_args(sub, argc, argv, &a, props_positional);
	if (ex)
		goto out_args;
	int needs_ns = strcmp(sub, "list") != 0;
	if (needs_ns && !a.ns) {
		ex = cli_usage_error("namespace", "%s needs a namespace name", sub);
		goto out_args;
	}

	ldp_project *p;
	ldp_warehouse *wh;
	int rc = cli_open_warehouse(&p, &wh);
	if (rc) {
		ex = cli_fail(rc);
		goto out_args;
	}
	ldp_catalog *cat = wh->catalog;
	if (strcmp(sub, "create") == 0) {
		rc = ldp_catalog_create_namespace(cat, a.ns, a.set, a.nset);
		if (!rc && !a.json)
			printf("Created namespace %s\n", a.ns);
	} else if (strcmp(sub, "list") == 0) {
		ldp_catalog_names names = {0};
		rc = ldp_catalog_list_namespaces(cat, a.ns, &names);
		if (!rc) {
			if (a.json) {
				json_t *arr = json_array();
				for (size_t i = 0; i < names.len; i++)
					json_array_append_new(arr, json_string(names.items[i]));
				cli_print_json(arr);
				json_decref(arr);
			} else {
				for (size_t i = 0; i < names.len; i++)
					printf("%s\n", names.items[i]);
			}
		}
		ldp_catalog_names_free(&names);
	} else if (strcmp(sub, "describe") == 0) {
		ldp_catalog_props pr = {0};
		rc = ldp_catalog_load_namespace(cat, a.ns, &pr);
		if (!rc)
			print_props(a.ns, &pr, a.json);
		ldp_catalog_props_free(&pr);
	} else if (strcmp(sub, "set") == 0) {
		if (a.nset == 0 && a.nunset == 0)
			rc = ldp_error_set(LDP_EINVALID, "nothing to change: give k=v pairs or --unset k");
		else
			rc = ldp_catalog_update_namespace(cat, a.ns, a.set, a.nset, a.unset, a.nunset);
		if (!rc)
			printf("Updated namespace %s\n", a.ns);
	} else if (strcmp(sub, "drop") == 0) {
		rc = ldp_catalog_drop_namespace(cat, a.ns);
		if (!rc)
			printf("Dropped namespace %s\n", a.ns);
	} else {
		cli_close_warehouse(p, wh);
		ex = cli_usage_error("namespace", "unknown subcommand '%s'", sub);
		goto out_args;
	}
	cli_close_warehouse(p, wh);
	ex = rc ? cli_fail(rc) : LDP_EXIT_OK;
out_args:
	for (size_t i = 0; i < a.nset; i++)
		free(a.owned[i]);
	return ex;
}
