/* Completion candidates for ldp shell; see cli/shell.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/shell.h"
#include "format/metadata.h"
#include "ldp/error.h"
#include "table/table.h"

static const char *const keywords[] = {
	"SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "HAVING", "LIMIT", "OFFSET", "JOIN", "LEFT", "RIGHT",
	"INNER", "OUTER", "FULL", "CROSS", "ON", "USING", "AS", "AND", "OR", "NOT", "NULL", "IS", "IN", "LIKE",
	"ILIKE", "BETWEEN", "CASE", "WHEN", "THEN", "ELSE", "END", "DISTINCT", "UNION", "ALL", "EXCEPT", "INTERSECT",
	"WITH", "INSERT", "INTO", "OVERWRITE", "VALUES", "CREATE", "SCHEMA", "NAMESPACE", "TABLE", "VIEW", "IF",
	"EXISTS", "REPLACE", "DROP", "PURGE", "TRUNCATE", "SHOW", "TABLES", "SCHEMAS", "DESCRIBE", "ALTER", "DELETE",
	"UPDATE", "SET", "MERGE", "MATCHED", "PARTITIONED", "TBLPROPERTIES", "CAST", "COUNT", "SUM", "AVG", "MIN",
	"MAX", "ASC", "DESC", "TRUE", "FALSE", "BIGINT", "INTEGER", "DOUBLE", "VARCHAR", "BOOLEAN", "DATE",
	"TIMESTAMP", "DECIMAL", "COPY", "EXPLAIN", "day", "month", "year", "hour", "bucket", "truncate",
};
static const char *const dots[] = {".tables", ".schema", ".snapshots", ".timer", ".mode", ".output", ".help", ".quit"};

int shell_word_is_keyword(const char *w)
{
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (strcmp(keywords[i], w) == 0)
			return 1;
	return 0;
}

static void add(shell_words *w, const char *s)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->items[i], s) == 0)
			return;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		char **v = realloc(w->items, cap * sizeof *v);
		if (!v)
			return;
		w->items = v;
		w->cap = cap;
	}
	char *c = strdup(s);
	if (c)
		w->items[w->n++] = c;
}

/* Columns of at most this many tables are loaded (each costs a metadata read). */
#define MAX_TABLES_WITH_COLUMNS 200

static void add_namespace(shell_words *w, ldp_warehouse *wh, const char *ns, size_t *loaded)
{
	add(w, ns);
	ldp_catalog_names tables = {0}, kids = {0};
	if (ldp_catalog_list_tables(wh->catalog, ns, &tables) == LDP_OK) {
		for (size_t i = 0; i < tables.len; i++) {
			size_t l = strlen(ns) + strlen(tables.items[i]) + 2;
			char *full = malloc(l);
			if (full) {
				snprintf(full, l, "%s.%s", ns, tables.items[i]);
				add(w, full);
				free(full);
			}
			ldp_ident id;
			snprintf(id.ns, sizeof id.ns, "%s", ns);
			snprintf(id.name, sizeof id.name, "%s", tables.items[i]);
			ldp_table *t = NULL;
			if (*loaded < MAX_TABLES_WITH_COLUMNS && ldp_table_load(wh, &id, &t) == LDP_OK) {
				const ldp_schema *s = ldp_metadata_current_schema(t->meta);
				for (size_t f = 0; s && f < s->root.nfields; f++)
					add(w, s->root.fields[f].name);
				(*loaded)++;
			}
			ldp_table_free(t);
		}
	}
	if (ldp_catalog_list_namespaces(wh->catalog, ns, &kids) == LDP_OK)
		for (size_t i = 0; i < kids.len; i++)
			add_namespace(w, wh, kids.items[i], loaded);
	ldp_catalog_names_free(&tables);
	ldp_catalog_names_free(&kids);
	ldp_error_clear();
}

void shell_words_load(shell_words *w, ldp_warehouse *wh, int dot)
{
	(void)dot;
	for (size_t i = 0; i < w->n; i++)
		free(w->items[i]);
	w->n = 0;
	w->dirty = 0;
	for (size_t i = 0; i < sizeof dots / sizeof dots[0]; i++)
		add(w, dots[i]);
	size_t loaded = 0;
	ldp_catalog_names top = {0};
	if (wh && ldp_catalog_list_namespaces(wh->catalog, NULL, &top) == LDP_OK)
		for (size_t i = 0; i < top.len; i++)
			add_namespace(w, wh, top.items[i], &loaded);
	ldp_catalog_names_free(&top);
	ldp_error_clear();
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		add(w, keywords[i]);
}

void shell_words_free(shell_words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->items[i]);
	free(w->items);
	memset(w, 0, sizeof *w);
}
