/*
 * ALTER TABLE on Iceberg tables; see table/sqlrun.h and docs/evolution.md.
 *
 * DuckDB's parser does not know Iceberg's forms (partition fields,
 * identifier fields, FIRST/AFTER), so the statement is parsed here by a small
 * recursive-descent parser over ldp's own tokens. Errors give the position
 * (1-based character offset in the statement) and what was expected. All
 * actions of one statement commit together as one new metadata file.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldp/error.h"
#include "table/evolve.h"
#include "table/sqlrun.h"

typedef enum { TK_END, TK_WORD, TK_QIDENT, TK_STRING, TK_NUMBER, TK_PUNCT } tk_kind;

typedef struct tok {
	tk_kind kind;
	size_t off, len; /* span in the statement */
	char *text;      /* unquoted, in the arena */
} tok;

typedef struct aparser {
	ldp_arena *a;
	const char *s;
	tok *toks;
	size_t n, i;
} aparser;

static int lex(aparser *p)
{
	size_t cap = 64, len = strlen(p->s);
	p->toks = ldp_arena_calloc(p->a, cap, sizeof *p->toks);
	for (size_t i = 0;;) {
		while (i < len && isspace((unsigned char)p->s[i]))
			i++;
		if (i + 1 < len && p->s[i] == '-' && p->s[i + 1] == '-') {
			while (i < len && p->s[i] != '\n')
				i++;
			continue;
		}
		if (p->n + 1 >= cap) {
			tok *nt = ldp_arena_calloc(p->a, cap * 2, sizeof *nt);
			if (!nt)
				return LDP_ENOMEM;
			memcpy(nt, p->toks, cap * sizeof *nt);
			p->toks = nt;
			cap *= 2;
		}
		tok *t = &p->toks[p->n];
		t->off = i;
		if (i >= len) {
			t->kind = TK_END;
			t->text = "";
			return LDP_OK;
		}
		char c = p->s[i];
		if (c == '"' || c == '`' || c == '\'') {
			ldp_buf b = LDP_BUF_INIT;
			size_t j = i + 1;
			for (; j < len; j++) {
				if (p->s[j] == c) {
					if (j + 1 < len && p->s[j + 1] == c) {
						ldp_buf_putc(&b, c);
						j++;
						continue;
					}
					break;
				}
				ldp_buf_putc(&b, p->s[j]);
			}
			if (j >= len) {
				ldp_buf_free(&b);
				return ldp_error_set(LDP_EINVALID, "ALTER TABLE: unterminated %s at position %zu",
						     c == '\'' ? "string" : "quoted name", i + 1);
			}
			t->kind = c == '\'' ? TK_STRING : TK_QIDENT;
			t->text = ldp_arena_strdup(p->a, ldp_buf_cstr(&b));
			ldp_buf_free(&b);
			i = j + 1;
		} else if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
			size_t j = i;
			while (j < len && (isalnum((unsigned char)p->s[j]) || p->s[j] == '_' || (unsigned char)p->s[j] >= 0x80))
				j++;
			t->kind = TK_WORD;
			t->text = ldp_arena_strndup(p->a, p->s + i, j - i);
			i = j;
		} else if (isdigit((unsigned char)c)) {
			size_t j = i;
			while (j < len && (isalnum((unsigned char)p->s[j]) || p->s[j] == '.'))
				j++;
			t->kind = TK_NUMBER;
			t->text = ldp_arena_strndup(p->a, p->s + i, j - i);
			i = j;
		} else {
			t->kind = TK_PUNCT;
			t->text = ldp_arena_strndup(p->a, p->s + i, 1);
			i++;
		}
		t->len = i - t->off;
		p->n++;
	}
}

static tok *peek(aparser *p)
{
	return &p->toks[p->i];
}

static int is_kw(const tok *t, const char *kw)
{
	return t->kind == TK_WORD && strcasecmp(t->text, kw) == 0;
}

static int accept_kw(aparser *p, const char *kw)
{
	if (is_kw(peek(p), kw)) {
		p->i++;
		return 1;
	}
	return 0;
}

static int accept_punct(aparser *p, char c)
{
	tok *t = peek(p);
	if (t->kind == TK_PUNCT && t->text[0] == c) {
		p->i++;
		return 1;
	}
	return 0;
}

static int expected(aparser *p, const char *what)
{
	tok *t = peek(p);
	if (t->kind == TK_END)
		return ldp_error_set(LDP_EINVALID, "ALTER TABLE: expected %s at position %zu (end of statement)", what,
				     t->off + 1);
	return ldp_error_set(LDP_EINVALID, "ALTER TABLE: expected %s at position %zu, found '%.*s'", what, t->off + 1,
			     (int)t->len, p->s + t->off);
}

static int expect_kw(aparser *p, const char *kw)
{
	return accept_kw(p, kw) ? LDP_OK : expected(p, kw);
}

/* A possibly dotted column name: a.b."c d" -> "a.b.c d". */
static int column_name(aparser *p, const char **out)
{
	ldp_buf b = LDP_BUF_INIT;
	do {
		tok *t = peek(p);
		if (t->kind != TK_WORD && t->kind != TK_QIDENT) {
			ldp_buf_free(&b);
			return expected(p, "a column name");
		}
		if (b.len)
			ldp_buf_putc(&b, '.');
		ldp_buf_puts(&b, t->text);
		p->i++;
	} while (accept_punct(p, '.'));
	*out = ldp_arena_strdup(p->a, ldp_buf_cstr(&b));
	ldp_buf_free(&b);
	return LDP_OK;
}

/* Raw text of tokens up to (not including) a stop word or ',' at depth 0. */
static int raw_until(aparser *p, const char *const *stops, const char *what, const char **out)
{
	size_t start = p->i;
	int depth = 0;
	for (;; p->i++) {
		tok *t = peek(p);
		if (t->kind == TK_END)
			break;
		if (t->kind == TK_PUNCT && (t->text[0] == '(' || t->text[0] == '<'))
			depth++;
		if (t->kind == TK_PUNCT && (t->text[0] == ')' || t->text[0] == '>'))
			depth--;
		if (depth < 0)
			break;
		if (depth == 0 && t->kind == TK_PUNCT && t->text[0] == ',')
			break;
		int stop = 0;
		for (size_t k = 0; depth == 0 && stops[k]; k++)
			stop |= is_kw(t, stops[k]);
		if (stop)
			break;
	}
	if (p->i == start)
		return expected(p, what);
	const tok *last = &p->toks[p->i - 1];
	*out = ldp_arena_strndup(p->a, p->s + p->toks[start].off, last->off + last->len - p->toks[start].off);
	return LDP_OK;
}

static int string_lit(aparser *p, const char **out)
{
	tok *t = peek(p);
	if (t->kind != TK_STRING)
		return expected(p, "a quoted string");
	*out = t->text;
	p->i++;
	return LDP_OK;
}

static const char *const type_stops[] = {"comment", "first", "after", "before", "not", "null", "default", NULL};
static const char *const term_stops[] = {"as", "with", NULL};

static int position(aparser *p, ldp_alter *ch)
{
	if (accept_kw(p, "first")) {
		ch->position = LDP_POS_FIRST;
	} else if (accept_kw(p, "after") || (is_kw(peek(p), "before") && (p->i++, ch->position = LDP_POS_BEFORE))) {
		if (ch->position != LDP_POS_BEFORE)
			ch->position = LDP_POS_AFTER;
		return column_name(p, &ch->anchor);
	}
	return LDP_OK;
}

static int add_column(aparser *p, ldp_alter *ch)
{
	ch->op = LDP_ALTER_ADD_COLUMN;
	if (accept_kw(p, "if")) {
		int rc = expect_kw(p, "not");
		if (!rc)
			rc = expect_kw(p, "exists");
		if (rc)
			return rc;
		ch->if_not_exists = 1;
	}
	int rc = column_name(p, &ch->column);
	if (!rc)
		rc = raw_until(p, type_stops, "a column type", &ch->type);
	if (rc)
		return rc;
	if (is_kw(peek(p), "not") || is_kw(peek(p), "default"))
		return ldp_error_set(LDP_EINVALID,
				     "ALTER TABLE: position %zu: added columns must be nullable without a default "
				     "(spec: a new required column would make existing rows invalid)",
				     peek(p)->off + 1);
	accept_kw(p, "null");
	if (accept_kw(p, "comment") && (rc = string_lit(p, &ch->doc)))
		return rc;
	return position(p, ch);
}

static int alter_column(aparser *p, ldp_alter *ch)
{
	int rc = column_name(p, &ch->column);
	if (rc)
		return rc;
	if (accept_kw(p, "type") || (accept_kw(p, "set") && (accept_kw(p, "data") ? expect_kw(p, "type") == 0 : 0))) {
		ch->op = LDP_ALTER_SET_TYPE;
		return raw_until(p, type_stops, "a type", &ch->type);
	}
	if (p->i > 0 && is_kw(&p->toks[p->i - 1], "set")) { /* SET NOT NULL */
		ch->op = LDP_ALTER_MAKE_REQUIRED;
		rc = expect_kw(p, "not");
		return rc ? rc : expect_kw(p, "null");
	}
	if (accept_kw(p, "drop")) {
		ch->op = LDP_ALTER_MAKE_OPTIONAL;
		rc = expect_kw(p, "not");
		return rc ? rc : expect_kw(p, "null");
	}
	if (accept_kw(p, "comment")) {
		ch->op = LDP_ALTER_SET_DOC;
		return string_lit(p, &ch->doc);
	}
	if (is_kw(peek(p), "first") || is_kw(peek(p), "after") || is_kw(peek(p), "before")) {
		ch->op = LDP_ALTER_MOVE;
		return position(p, ch);
	}
	return expected(p, "TYPE, SET DATA TYPE, DROP NOT NULL, SET NOT NULL, COMMENT, FIRST, AFTER or BEFORE");
}

static int name_list(aparser *p, ldp_alter *ch)
{
	const char **items = ldp_arena_calloc(p->a, p->n + 1, sizeof *items);
	size_t n = 0;
	do {
		int rc = column_name(p, &items[n]);
		if (rc)
			return rc;
		n++;
	} while (accept_punct(p, ','));
	ch->items = items;
	ch->nitems = n;
	return LDP_OK;
}

/* ('k' = 'v', ...) or ('k', ...) */
static int prop_list(aparser *p, ldp_alter *ch, int with_values)
{
	if (!accept_punct(p, '('))
		return expected(p, "'('");
	ldp_kv *kv = ldp_arena_calloc(p->a, p->n + 1, sizeof *kv);
	const char **keys = ldp_arena_calloc(p->a, p->n + 1, sizeof *keys);
	size_t n = 0;
	do {
		tok *t = peek(p);
		if (t->kind == TK_STRING || t->kind == TK_WORD || t->kind == TK_QIDENT) {
			/* unquoted keys may be dotted: write.format.default */
			size_t start = t->off, end = t->off + t->len;
			p->i++;
			while (t->kind == TK_WORD && accept_punct(p, '.') && peek(p)->kind == TK_WORD) {
				end = peek(p)->off + peek(p)->len;
				p->i++;
			}
			keys[n] = t->kind == TK_WORD ? ldp_arena_strndup(p->a, p->s + start, end - start) : t->text;
		} else {
			return expected(p, "a property name");
		}
		if (with_values) {
			if (!accept_punct(p, '='))
				return expected(p, "'='");
			tok *v = peek(p);
			if (v->kind != TK_STRING && v->kind != TK_NUMBER && v->kind != TK_WORD)
				return expected(p, "a property value");
			kv[n].value = v->text;
			p->i++;
		}
		kv[n].key = keys[n];
		n++;
	} while (accept_punct(p, ','));
	if (!accept_punct(p, ')'))
		return expected(p, "',' or ')'");
	ch->props = kv;
	ch->nprops = n;
	ch->items = keys;
	ch->nitems = n;
	return LDP_OK;
}

static int partition_term(aparser *p, ldp_alter *ch, const char **term)
{
	int rc = raw_until(p, term_stops, "a partition term such as day(ts), bucket(16, id) or a column", term);
	if (!rc && accept_kw(p, "as")) {
		tok *t = peek(p);
		if (t->kind != TK_WORD && t->kind != TK_QIDENT)
			return expected(p, "a partition field name");
		ch->name = t->text;
		p->i++;
	}
	return rc;
}

static int action(aparser *p, ldp_alter *ch)
{
	memset(ch, 0, sizeof *ch);
	if (accept_kw(p, "add")) {
		if (accept_kw(p, "partition")) {
			ch->op = LDP_ALTER_ADD_PARTITION_FIELD;
			int rc = expect_kw(p, "field");
			return rc ? rc : partition_term(p, ch, &ch->term);
		}
		accept_kw(p, "column");
		return add_column(p, ch);
	}
	if (accept_kw(p, "drop")) {
		if (accept_kw(p, "partition")) {
			ch->op = LDP_ALTER_DROP_PARTITION_FIELD;
			int rc = expect_kw(p, "field");
			if (!rc && accept_kw(p, "if"))
				rc = expect_kw(p, "exists"), ch->if_exists = 1;
			return rc ? rc : partition_term(p, ch, &ch->term);
		}
		accept_kw(p, "column");
		ch->op = LDP_ALTER_DROP_COLUMN;
		if (accept_kw(p, "if")) {
			int rc = expect_kw(p, "exists");
			if (rc)
				return rc;
			ch->if_exists = 1;
		}
		return column_name(p, &ch->column);
	}
	if (accept_kw(p, "rename")) {
		if (!accept_kw(p, "column"))
			return expected(p, "COLUMN (renaming a table: ldp table rename)");
		ch->op = LDP_ALTER_RENAME_COLUMN;
		int rc = column_name(p, &ch->column);
		if (!rc)
			rc = expect_kw(p, "to");
		return rc ? rc : column_name(p, &ch->name);
	}
	if (accept_kw(p, "alter") || accept_kw(p, "change")) {
		accept_kw(p, "column");
		return alter_column(p, ch);
	}
	if (accept_kw(p, "replace")) {
		ch->op = LDP_ALTER_REPLACE_PARTITION_FIELD;
		int rc = expect_kw(p, "partition");
		if (!rc)
			rc = expect_kw(p, "field");
		if (!rc)
			rc = raw_until(p, term_stops, "a partition field", &ch->term);
		if (!rc)
			rc = expect_kw(p, "with");
		return rc ? rc : partition_term(p, ch, &ch->term2);
	}
	if (accept_kw(p, "set")) {
		if (accept_kw(p, "identifier")) {
			ch->op = LDP_ALTER_SET_IDENTIFIER_FIELDS;
			int rc = expect_kw(p, "fields");
			return rc ? rc : name_list(p, ch);
		}
		if (accept_kw(p, "tblproperties") || accept_kw(p, "properties")) {
			ch->op = LDP_ALTER_SET_PROPERTIES;
			return prop_list(p, ch, 1);
		}
		return expected(p, "IDENTIFIER FIELDS or TBLPROPERTIES");
	}
	if (accept_kw(p, "unset")) {
		if (!accept_kw(p, "tblproperties") && !accept_kw(p, "properties"))
			return expected(p, "TBLPROPERTIES");
		ch->op = LDP_ALTER_UNSET_PROPERTIES;
		if (accept_kw(p, "if")) {
			int rc = expect_kw(p, "exists");
			if (rc)
				return rc;
		}
		return prop_list(p, ch, 0);
	}
	return expected(p, "ADD, DROP, RENAME COLUMN, ALTER COLUMN, REPLACE PARTITION FIELD, SET or UNSET");
}

int ldp_sql_handle_alter(ldp_sql_session *s, ldp_sql_kind kind, const char *stmt, ldp_sql_outcome *out)
{
	(void)kind;
	if (!s->wh)
		return LDP_SQL_PASS;
	ldp_arena a;
	ldp_arena_init(&a, 4096);
	aparser p = {&a, stmt, NULL, 0, 0};
	int rc = lex(&p);
	if (rc) {
		ldp_arena_free(&a);
		return rc;
	}
	/* ALTER TABLE [IF EXISTS] name: anything else is DuckDB's (ALTER VIEW...) */
	const char *parts[4];
	size_t nparts = 0;
	if (!accept_kw(&p, "alter") || !accept_kw(&p, "table")) {
		ldp_arena_free(&a);
		return LDP_SQL_PASS;
	}
	int if_exists = accept_kw(&p, "if") && accept_kw(&p, "exists");
	do {
		tok *t = peek(&p);
		if ((t->kind != TK_WORD && t->kind != TK_QIDENT) || nparts == 4)
			break;
		parts[nparts++] = t->text;
		p.i++;
	} while (accept_punct(&p, '.'));
	ldp_ident id;
	int exists = 0;
	if (nparts >= 2 && nparts <= 3) {
		char ns[512];
		if (nparts == 3)
			snprintf(ns, sizeof ns, "%s.%s", parts[0], parts[1]);
		else
			snprintf(ns, sizeof ns, "%s", parts[0]);
		rc = ldp_warehouse_resolve_table(s->wh, ns, parts[nparts - 1], &id, &exists);
	}
	if (rc || !exists) {
		ldp_arena_free(&a);
		if (!rc && if_exists && nparts >= 2) {
			out->message = strdup("table does not exist, nothing altered");
			return LDP_OK;
		}
		return rc ? rc : LDP_SQL_PASS;
	}
	ldp_alter ch[32];
	size_t n = 0;
	do {
		if (n == 32) {
			rc = ldp_error_set(LDP_EINVALID, "ALTER TABLE: at most 32 changes in one statement");
			break;
		}
		rc = action(&p, &ch[n++]);
	} while (!rc && accept_punct(&p, ','));
	if (!rc && peek(&p)->kind != TK_END)
		rc = expected(&p, "',' or the end of the statement");
	int32_t schema_id = -1, spec_id = -1;
	if (!rc)
		rc = ldp_table_alter(s->wh, &id, ch, n, &schema_id, &spec_id);
	ldp_arena_free(&a);
	if (rc)
		return ldp_error_wrap(rc, "ALTER TABLE %s.%s", id.ns, id.name);
	char msg[1200];
	snprintf(msg, sizeof msg, "altered %s.%s: schema %d, partition spec %d", id.ns, id.name, schema_id, spec_id);
	out->message = strdup(msg);
	return out->message ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}
