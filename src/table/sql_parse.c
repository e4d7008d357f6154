/* A cursor over one SQL statement; see table/sql_parse.h. */
#include "table/sql_parse.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int ident_start(int c) { return isalpha(c) || c == '_' || c >= 0x80; }
static int ident_char(int c) { return isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

void ldp_sqlp_init(ldp_sqlp *p, const char *s)
{
	p->s = s;
	p->i = 0;
}

void ldp_sqlp_skip(ldp_sqlp *p)
{
	const char *s = p->s;
	for (;;) {
		while (s[p->i] && isspace((unsigned char)s[p->i]))
			p->i++;
		if (s[p->i] == '-' && s[p->i + 1] == '-') {
			while (s[p->i] && s[p->i] != '\n')
				p->i++;
		} else if (s[p->i] == '/' && s[p->i + 1] == '*') {
			p->i += 2;
			while (s[p->i] && !(s[p->i] == '*' && s[p->i + 1] == '/'))
				p->i++;
			if (s[p->i])
				p->i += 2;
		} else {
			return;
		}
	}
}

int ldp_sqlp_at_end(ldp_sqlp *p)
{
	ldp_sqlp_skip(p);
	return p->s[p->i] == '\0';
}

int ldp_sqlp_kw(ldp_sqlp *p, const char *seq)
{
	size_t save = p->i;
	while (*seq) {
		while (*seq == ' ')
			seq++;
		size_t n = strcspn(seq, " ");
		if (!n)
			break;
		ldp_sqlp_skip(p);
		const char *at = p->s + p->i;
		if (strncasecmp(at, seq, n) != 0 || ident_char((unsigned char)at[n])) {
			p->i = save;
			return 0;
		}
		p->i += n;
		seq += n;
	}
	return 1;
}

int ldp_sqlp_char(ldp_sqlp *p, char c)
{
	ldp_sqlp_skip(p);
	if (p->s[p->i] != c)
		return 0;
	p->i++;
	return 1;
}

int ldp_sqlp_ident(ldp_sqlp *p, char *out, size_t cap)
{
	ldp_sqlp_skip(p);
	const char *s = p->s;
	size_t i = p->i, o = 0;
	if (s[i] == '"') {
		for (i++;; i++) {
			if (!s[i])
				return 0;
			if (s[i] == '"') {
				if (s[i + 1] != '"')
					break;
				i++;
			}
			if (o + 1 < cap)
				out[o++] = s[i];
		}
		out[o] = '\0';
		p->i = i + 1;
		return 1;
	}
	if (!ident_start((unsigned char)s[i]))
		return 0;
	while (ident_char((unsigned char)s[i])) {
		if (o + 1 < cap)
			out[o++] = s[i];
		i++;
	}
	out[o] = '\0';
	p->i = i;
	return 1;
}

int ldp_sqlp_qname(ldp_sqlp *p, ldp_sqlp_name *out)
{
	out->n = 0;
	size_t save = p->i;
	do {
		if (out->n == LDP_SQLP_PARTS || !ldp_sqlp_ident(p, out->parts[out->n], sizeof out->parts[0])) {
			p->i = save;
			out->n = 0;
			return 0;
		}
		out->n++;
	} while (p->s[p->i] == '.' && (p->i++, 1));
	return 1;
}

/* Index just past the string, quoted identifier or comment at s[i], or i. */
static size_t skip_quoted(const char *s, size_t i)
{
	char q = s[i];
	if (q != '\'' && q != '"')
		return i;
	for (i++; s[i]; i++) {
		if (s[i] == q) {
			if (s[i + 1] != q)
				return i + 1;
			i++;
		}
	}
	return i;
}

int ldp_sqlp_parens(ldp_sqlp *p, size_t *start, size_t *len)
{
	ldp_sqlp_skip(p);
	const char *s = p->s;
	size_t i = p->i;
	if (s[i] != '(')
		return 0;
	int depth = 0;
	while (s[i]) {
		size_t j = skip_quoted(s, i);
		if (j != i) {
			i = j;
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0) {
			*start = p->i + 1;
			*len = i - p->i - 1;
			p->i = i + 1;
			return 1;
		}
		i++;
	}
	return 0;
}

int ldp_sqlp_split_commas(const char *s, size_t len, int (*fn)(const char *, size_t, void *), void *ud)
{
	size_t i = 0, from = 0;
	int depth = 0;
	for (;;) {
		if (i >= len || (s[i] == ',' && depth == 0)) {
			size_t a = from, b = i < len ? i : len;
			while (a < b && isspace((unsigned char)s[a]))
				a++;
			while (b > a && isspace((unsigned char)s[b - 1]))
				b--;
			int rc = b > a ? fn(s + a, b - a, ud) : 0;
			if (rc || i >= len)
				return rc;
			from = ++i;
			continue;
		}
		if (s[i] == '\'' || s[i] == '"') {
			char q = s[i];
			for (i++; i < len; i++)
				if (s[i] == q) {
					if (i + 1 < len && s[i + 1] == q)
						i++;
					else
						break;
				}
			i++;
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			depth--;
		i++;
	}
}

const char *ldp_sqlp_rest(ldp_sqlp *p)
{
	ldp_sqlp_skip(p);
	return p->s + p->i;
}
