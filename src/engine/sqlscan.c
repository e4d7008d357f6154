/* SQL lexer for qualified names; see engine/sqlscan.h. */
#include "engine/sqlscan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/buf.h"

static int ident_start(int c) { return isalpha(c) || c == '_' || c >= 0x80; }
static int ident_char(int c) { return isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

/* Skip whitespace and comments; returns the new position. */
static size_t skip_space(const char *s, size_t i)
{
	for (;;) {
		while (s[i] && isspace((unsigned char)s[i]))
			i++;
		if (s[i] == '-' && s[i + 1] == '-') {
			while (s[i] && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && s[i + 1] == '*') {
			i += 2;
			while (s[i] && !(s[i] == '*' && s[i + 1] == '/'))
				i++;
			if (s[i])
				i += 2;
		} else {
			return i;
		}
	}
}

/* Read one identifier at s[i] (plain or "quoted"); returns 0 if none. */
static size_t read_ident(const char *s, size_t i, char **out)
{
	*out = NULL;
	if (s[i] == '"') {
		ldp_buf b = LDP_BUF_INIT;
		size_t j = i + 1;
		for (;;) {
			if (!s[j]) {
				ldp_buf_free(&b);
				return 0;
			}
			if (s[j] == '"') {
				if (s[j + 1] == '"') {
					ldp_buf_putc(&b, '"');
					j += 2;
					continue;
				}
				j++;
				break;
			}
			ldp_buf_putc(&b, s[j++]);
		}
		*out = ldp_buf_detach(&b);
		return j - i;
	}
	if (!ident_start((unsigned char)s[i]))
		return 0;
	size_t j = i;
	while (ident_char((unsigned char)s[j]))
		j++;
	*out = strndup(s + i, j - i);
	return j - i;
}

/* Skip a string literal or dollar-quoted string starting at s[i]. In E'...'
 * strings a backslash escapes the next character. */
static size_t skip_literal(const char *s, size_t i, int backslash)
{
	if (s[i] == '\'') {
		i++;
		while (s[i]) {
			if (backslash && s[i] == '\\' && s[i + 1]) {
				i += 2;
				continue;
			}
			if (s[i] == '\'' && s[i + 1] == '\'') {
				i += 2;
				continue;
			}
			if (s[i] == '\'')
				return i + 1;
			i++;
		}
		return i;
	}
	if (s[i] == '$') { /* $tag$ ... $tag$ */
		size_t j = i + 1;
		while (ident_char((unsigned char)s[j]) && s[j] != '$')
			j++;
		if (s[j] != '$')
			return i + 1;
		size_t taglen = j - i + 1;
		const char *end;
		for (end = s + j + 1; *end; end++)
			if (strncmp(end, s + i, taglen) == 0)
				return (size_t)(end - s) + taglen;
		return (size_t)(end - s);
	}
	return i + 1;
}

int ldp_sql_scan_names(const char *s, int (*fn)(const ldp_sql_name *, void *), void *ud)
{
	size_t i = 0;
	int prev_dot = 0; /* the previous token was '.', so an ident here is a continuation */
	while (s[i]) {
		i = skip_space(s, i);
		if (!s[i])
			break;
		unsigned char c = (unsigned char)s[i];
		if (c == '\'' || c == '$' || ((c == 'E' || c == 'e') && s[i + 1] == '\'')) {
			int esc = c != '\'' && c != '$';
			i = skip_literal(s, i + (esc ? 1 : 0), esc);
			prev_dot = 0;
			continue;
		}
		if (c == '"' || ident_start(c)) {
			ldp_sql_name name;
			memset(&name, 0, sizeof name);
			name.offset = i;
			size_t j = i;
			int ok = 1;
			for (;;) {
				char *part;
				size_t n = read_ident(s, j, &part);
				if (!n) {
					ok = name.nparts > 0;
					break;
				}
				if (name.nparts < LDP_SQL_MAX_PARTS)
					name.parts[name.nparts] = part;
				else
					free(part);
				name.nparts++;
				j += n;
				size_t k = skip_space(s, j);
				if (s[k] == '.' && (s[k + 1] == '"' || ident_start((unsigned char)s[skip_space(s, k + 1)]))) {
					j = skip_space(s, k + 1);
					continue;
				}
				break;
			}
			name.length = j - name.offset;
			size_t k = skip_space(s, j);
			int call = s[k] == '(';
			int rc = 0;
			if (ok && !prev_dot && !call && name.nparts >= 2 && name.nparts <= LDP_SQL_MAX_PARTS)
				rc = fn(&name, ud);
			for (size_t p = 0; p < name.nparts && p < LDP_SQL_MAX_PARTS; p++)
				free(name.parts[p]);
			if (rc)
				return rc;
			i = j > i ? j : i + 1;
			prev_dot = 0;
			continue;
		}
		prev_dot = c == '.';
		i++;
	}
	return 0;
}

int ldp_sql_split(const char *s, ldp_sql_piece **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	size_t cap = 0, n = 0, i = 0, line = 1;
	ldp_sql_piece *v = NULL;
	for (;;) {
		/* Leading blanks and comments belong to no statement; count their lines. */
		size_t j = skip_space(s, i);
		for (size_t k = i; k < j; k++)
			line += s[k] == '\n';
		i = j;
		if (!s[i])
			break;
		if (s[i] == ';') {
			i++;
			continue;
		}
		size_t start = i, start_line = line, last = i;
		while (s[i] && s[i] != ';') {
			unsigned char c = (unsigned char)s[i];
			size_t next;
			if (c == '\'' || c == '$' || ((c == 'E' || c == 'e') && s[i + 1] == '\'')) {
				int esc = c != '\'' && c != '$';
				next = skip_literal(s, i + (esc ? 1 : 0), esc);
			} else if (c == '"') {
				next = i + 1;
				while (s[next] && !(s[next] == '"' && s[next + 1] != '"'))
					next += s[next] == '"' ? 2 : 1;
				if (s[next])
					next++;
			} else if ((c == '-' && s[i + 1] == '-') || (c == '/' && s[i + 1] == '*')) {
				next = skip_space(s, i);
			} else {
				next = i + 1;
			}
			int blank = isspace(c) || (c == '-' && s[i + 1] == '-') || (c == '/' && s[i + 1] == '*');
			for (size_t k = i; k < next; k++)
				line += s[k] == '\n';
			i = next;
			if (!blank)
				last = i;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			ldp_sql_piece *nv = realloc(v, ncap * sizeof *nv);
			if (!nv) {
				free(v);
				return -2; /* LDP_ENOMEM; the engine layer has no error dependency here */
			}
			v = nv;
			cap = ncap;
		}
		v[n].offset = start;
		v[n].length = last - start;
		v[n].line = start_line;
		n++;
		if (s[i] == ';')
			i++;
	}
	*out = v;
	*nout = n;
	return 0;
}

size_t ldp_sql_words(const char *s, size_t len, char (*words)[32], size_t max)
{
	size_t i = 0, n = 0;
	while (n < max) {
		i = skip_space(s, i);
		if (i >= len || !s[i])
			break;
		if (!ident_start((unsigned char)s[i]))
			break;
		size_t j = i, k = 0;
		while (j < len && ident_char((unsigned char)s[j])) {
			if (k + 1 < sizeof words[0])
				words[n][k++] = (char)tolower((unsigned char)s[j]);
			j++;
		}
		words[n][k] = '\0';
		n++;
		i = j;
	}
	return n;
}
