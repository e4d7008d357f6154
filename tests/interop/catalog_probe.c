/*
 * catalog_probe - a small driver over catalog/catalog.h for the pyiceberg
 * interoperability check (tests/interop/pyiceberg_catalog.py). Not a test by
 * itself and not part of the ldp command.
 *
 *   catalog_probe show     DB CATALOG                 print namespaces, properties, tables
 *   catalog_probe create   DB CATALOG                 ldp_ns {owner=ldp}, ldp_ns.child, table ldp_ns.t
 *   catalog_probe register DB CATALOG NS TABLE LOC
 *   catalog_probe swap     DB CATALOG NS TABLE EXPECTED NEW
 *
 * Output lines of show (sorted, one fact per line):
 *   ns <namespace>
 *   prop <namespace> <key>=<value>
 *   table <namespace> <table> <metadata location>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "ldp/error.h"

static int show_ns(ldp_catalog *cat, const char *parent)
{
	ldp_catalog_names ns;
	int err = ldp_catalog_list_namespaces(cat, parent, &ns);
	for (size_t i = 0; !err && i < ns.len; i++) {
		const char *n = ns.items[i];
		printf("ns %s\n", n);
		ldp_catalog_props props;
		if ((err = ldp_catalog_load_namespace(cat, n, &props)))
			break;
		for (size_t k = 0; k < props.len; k++)
			printf("prop %s %s=%s\n", n, props.keys[k], props.values[k]);
		ldp_catalog_props_free(&props);
		ldp_catalog_names tables;
		if ((err = ldp_catalog_list_tables(cat, n, &tables)))
			break;
		for (size_t t = 0; !err && t < tables.len; t++) {
			char *loc = NULL;
			if (!(err = ldp_catalog_load_table(cat, n, tables.items[t], &loc, NULL)))
				printf("table %s %s %s\n", n, tables.items[t], loc);
			free(loc);
		}
		ldp_catalog_names_free(&tables);
		if (!err)
			err = show_ns(cat, n);
	}
	ldp_catalog_names_free(&ns);
	return err;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s show|create|register|swap DB CATALOG ...\n", argv[0]);
		return 2;
	}
	ldp_catalog *cat = NULL;
	int err = ldp_catalog_open(argv[2], argv[3], NULL, &cat);
	const char *cmd = argv[1];
	if (err) {
	} else if (strcmp(cmd, "show") == 0) {
		err = show_ns(cat, NULL);
	} else if (strcmp(cmd, "create") == 0) {
		ldp_catalog_kv props[] = {{"owner", "ldp"}};
		err = ldp_catalog_create_namespace(cat, "ldp_ns", props, 1);
		if (!err)
			err = ldp_catalog_create_namespace(cat, "ldp_ns.child", NULL, 0);
		if (!err)
			err = ldp_catalog_create_table(cat, "ldp_ns", "t",
						       "file:///nonexistent/ldp_ns/t/metadata/00000-x.metadata.json");
	} else if (strcmp(cmd, "register") == 0 && argc == 7) {
		err = ldp_catalog_register_table(cat, argv[4], argv[5], argv[6]);
	} else if (strcmp(cmd, "swap") == 0 && argc == 8) {
		err = ldp_catalog_swap(cat, argv[4], argv[5], argv[6], argv[7]);
	} else {
		fprintf(stderr, "unknown command or wrong arguments: %s\n", cmd);
		ldp_catalog_free(cat);
		return 2;
	}
	ldp_catalog_free(cat);
	if (err) {
		fprintf(stderr, "catalog_probe: %s (%s)\n", ldp_error_last()->message, ldp_status_name(err));
		return 1;
	}
	return 0;
}
