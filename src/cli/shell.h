/* ldp shell internals: the words Tab completes (shell_words.c). */
#ifndef LDP_CLI_SHELL_H
#define LDP_CLI_SHELL_H

#include <stddef.h>

struct ldp_warehouse;

typedef struct shell_words {
	char **items;
	size_t n, cap;
	int dirty; /* reload before the next completion (a statement changed the catalog) */
} shell_words;

/* SQL keywords, dot-commands, namespaces, ns.table names and the column names
 * of the tables (wh may be NULL: keywords and dot-commands only). */
void shell_words_load(shell_words *w, struct ldp_warehouse *wh, int dot);
int shell_word_is_keyword(const char *w);
void shell_words_free(shell_words *w);

#endif
