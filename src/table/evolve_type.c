/* Column types as users write them in ALTER TABLE / ldp table alter; see
 * table/evolve.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/schema.h"
#include "ldp/error.h"
#include "table/evolve.h"

typedef struct tparser {
	ldp_arena *a;
	const char *text, *p;
} tparser;

static void ws(tparser *t)
{
	while (isspace((unsigned char)*t->p))
		t->p++;
}

/* An identifier or a double-quoted name, in `a`. */
static char *ident(tparser *t)
{
	ws(t);
	if (*t->p == '"' || *t->p == '`') {
		char q = *t->p++;
		ldp_buf b = LDP_BUF_INIT;
		while (*t->p && !(*t->p == q && t->p[1] != q)) {
			if (*t->p == q)
				t->p++;
			ldp_buf_putc(&b, *t->p++);
		}
		if (*t->p != q) {
			ldp_buf_free(&b);
			return NULL;
		}
		t->p++;
		char *s = ldp_arena_strdup(t->a, ldp_buf_cstr(&b));
		ldp_buf_free(&b);
		return s;
	}
	const char *s = t->p;
	while (isalnum((unsigned char)*t->p) || *t->p == '_')
		t->p++;
	return t->p > s ? ldp_arena_strndup(t->a, s, (size_t)(t->p - s)) : NULL;
}

static int fail(tparser *t, const char *what)
{
	return ldp_error_set(LDP_EINVALID, "type '%s': %s at position %d", t->text, what, (int)(t->p - t->text) + 1);
}

static int accept(tparser *t, char c)
{
	ws(t);
	if (*t->p == c) {
		t->p++;
		return 1;
	}
	return 0;
}

static const struct {
	const char *sql;
	const char *iceberg;
} aliases[] = {
	{"integer", "int"},       {"int4", "int"},          {"smallint", "int"},    {"tinyint", "int"},
	{"bigint", "long"},       {"int8", "long"},         {"real", "float"},      {"float4", "float"},
	{"float8", "double"},     {"varchar", "string"},    {"text", "string"},     {"char", "string"},
	{"bool", "boolean"},      {"bytea", "binary"},      {"blob", "binary"},     {"varbinary", "binary"},
	{"numeric", "decimal"},   {"timestamp_ns", "timestamp_ns"},
};

static int parse_type(tparser *t, const ldp_type **out);

/* struct<a: int, b: string> or STRUCT(a INT, b VARCHAR) */
static int parse_struct(tparser *t, char close, const ldp_type **out)
{
	ldp_type *st = ldp_arena_calloc(t->a, 1, sizeof *st);
	size_t cap = 8;
	st->id = LDP_T_STRUCT;
	st->fields = ldp_arena_calloc(t->a, cap, sizeof *st->fields);
	if (!st || !st->fields)
		return LDP_ENOMEM;
	ws(t);
	if (*t->p == close)
		return fail(t, "a struct needs at least one field");
	do {
		char *name = ident(t);
		if (!name)
			return fail(t, "expected a field name");
		accept(t, ':');
		const ldp_type *ft;
		int rc = parse_type(t, &ft);
		if (rc)
			return rc;
		if (st->nfields == cap) {
			ldp_field *nf = ldp_arena_calloc(t->a, cap * 2, sizeof *nf);
			if (!nf)
				return LDP_ENOMEM;
			memcpy(nf, st->fields, cap * sizeof *nf);
			st->fields = nf;
			cap *= 2;
		}
		for (size_t i = 0; i < st->nfields; i++)
			if (strcmp(st->fields[i].name, name) == 0)
				return fail(t, "duplicate struct field name");
		ldp_field *f = &st->fields[st->nfields++];
		f->name = name;
		f->type = ft;
		ws(t);
		if (strncasecmp(t->p, "not null", 8) == 0) {
			t->p += 8;
			f->required = true;
		}
	} while (accept(t, ','));
	if (!accept(t, close))
		return fail(t, "expected ',' or the end of the struct");
	*out = st;
	return LDP_OK;
}

static int parse_type(tparser *t, const ldp_type **out)
{
	ws(t);
	const char *start = t->p;
	char *word = ident(t);
	if (!word)
		return fail(t, "expected a type name");
	int rc;
	if (strcasecmp(word, "struct") == 0 || strcasecmp(word, "row") == 0) {
		if (accept(t, '<'))
			rc = parse_struct(t, '>', out);
		else if (accept(t, '('))
			rc = parse_struct(t, ')', out);
		else
			return fail(t, "expected '<' after struct");
	} else if (strcasecmp(word, "list") == 0 || strcasecmp(word, "array") == 0) {
		ldp_type *lt = ldp_arena_calloc(t->a, 1, sizeof *lt);
		if (!lt)
			return LDP_ENOMEM;
		lt->id = LDP_T_LIST;
		lt->element.name = "element";
		if (!accept(t, '<'))
			return fail(t, "expected '<' after list");
		if ((rc = parse_type(t, &lt->element.type)))
			return rc;
		if (!accept(t, '>'))
			return fail(t, "expected '>'");
		*out = lt;
		rc = LDP_OK;
	} else if (strcasecmp(word, "map") == 0) {
		ldp_type *mt = ldp_arena_calloc(t->a, 1, sizeof *mt);
		if (!mt)
			return LDP_ENOMEM;
		mt->id = LDP_T_MAP;
		mt->key.name = "key";
		mt->key.required = true;
		mt->value.name = "value";
		char close = accept(t, '<') ? '>' : accept(t, '(') ? ')' : 0;
		if (!close)
			return fail(t, "expected '<' after map");
		if ((rc = parse_type(t, &mt->key.type)))
			return rc;
		if (!accept(t, ','))
			return fail(t, "expected ',' between the key and value types");
		if ((rc = parse_type(t, &mt->value.type)))
			return rc;
		if (!accept(t, close))
			return fail(t, "expected the end of the map type");
		*out = mt;
		rc = LDP_OK;
	} else {
		/* a primitive: the word, optional (...) or [...] parameters, and the
		 * SQL multi-word forms */
		const char *name = word;
		for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
			if (strcasecmp(word, aliases[i].sql) == 0)
				name = aliases[i].iceberg;
		ws(t);
		char buf[128];
		if (strcasecmp(word, "double") == 0 && strncasecmp(t->p, "precision", 9) == 0)
			t->p += 9;
		ws(t);
		if ((strcasecmp(word, "timestamp") == 0 || strcasecmp(word, "time") == 0) &&
		    strncasecmp(t->p, "with time zone", 14) == 0) {
			t->p += 14;
			name = "timestamptz";
		} else if (strcasecmp(word, "timestamp") == 0 && strncasecmp(t->p, "without time zone", 17) == 0) {
			t->p += 17;
		}
		ws(t);
		if (strcasecmp(word, "varchar") == 0 && *t->p == '(') { /* varchar(n): the length is not kept */
			while (*t->p && *t->p != ')')
				t->p++;
			accept(t, ')');
		}
		if (*t->p == '(' || (*t->p == '[' && isdigit((unsigned char)t->p[1]))) {
			char close = *t->p == '(' ? ')' : ']';
			const char *e = strchr(t->p, close);
			if (!e)
				return fail(t, "unclosed parameter list");
			if (strcasecmp(name, "decimal") == 0 && strncmp(t->p, "(", 1) == 0 && !memchr(t->p, ',', (size_t)(e - t->p)))
				snprintf(buf, sizeof buf, "decimal(%.*s, 0)", (int)(e - t->p - 1), t->p + 1);
			else
				snprintf(buf, sizeof buf, "%s%.*s", name, (int)(e - t->p + 1), t->p);
			t->p = e + 1;
		} else if (strcasecmp(name, "decimal") == 0) {
			snprintf(buf, sizeof buf, "decimal(18, 3)"); /* DuckDB's DECIMAL without parameters */
		} else {
			snprintf(buf, sizeof buf, "%s", name);
		}
		for (char *c = buf; *c && *c != '(' && *c != '['; c++)
			*c = (char)tolower((unsigned char)*c);
		rc = ldp_type_parse_string(t->a, buf, "column type", out);
		if (!rc && (*out)->id == LDP_T_UNKNOWN_V3) {
			t->p = start;
			return fail(t, "unknown type name (int, long, float, double, decimal(P,S), date, time, timestamp, "
				       "timestamptz, string, uuid, fixed[L], binary, boolean, struct<...>, list<...>, map<...>)");
		}
		if (rc) {
			char msg[512];
			snprintf(msg, sizeof msg, "%s", ldp_error_last()->message);
			return ldp_error_set(LDP_EINVALID, "type '%s': %s", t->text, msg);
		}
	}
	if (rc)
		return rc;
	/* SQL array suffix: INT[] */
	while (accept(t, '[')) {
		if (!accept(t, ']'))
			return fail(t, "expected ']'");
		ldp_type *lt = ldp_arena_calloc(t->a, 1, sizeof *lt);
		if (!lt)
			return LDP_ENOMEM;
		lt->id = LDP_T_LIST;
		lt->element.name = "element";
		lt->element.type = *out;
		*out = lt;
	}
	return LDP_OK;
}

int ldp_alter_parse_type(ldp_arena *a, const char *text, const ldp_type **out)
{
	tparser t = {a, text, text};
	int rc = parse_type(&t, out);
	if (rc)
		return rc;
	ws(&t);
	if (*t.p)
		return fail(&t, "unexpected text after the type");
	return LDP_OK;
}
