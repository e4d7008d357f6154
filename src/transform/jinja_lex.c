/*
 * Jinja lexer: template text -> tokens (text, tag delimiters, names, numbers,
 * strings, operators).
 *
 * Whitespace control follows Jinja2's defaults as dbt configures them
 * (trim_blocks and lstrip_blocks off): "{%-" / "{{-" / "{#-" strip the
 * whitespace before the tag, "-%}" / "-}}" / "-#}" the whitespace after it,
 * newlines included. One trailing newline at the end of a template is
 * dropped (keep_trailing_newline off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "transform/jinja_lex.h"

int jj__perr(parser *p, int line, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof msg, fmt, arg ? arg : "");
	return ldp_error_set(LDP_EINVALID, "%s:%d: %s", p->name, line, msg);
}

static int push(parser *p, tok t)
{
	if (p->ntoks == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 256;
		tok *nt = realloc(p->toks, nc * sizeof *nt);
		if (!nt)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		p->toks = nt;
		p->cap = nc;
	}
	p->toks[p->ntoks++] = t;
	return 0;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int count_lines(const char *s, size_t n)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* Tokenize the inside of a tag until its end delimiter ("}}", "%}"). */
static int lex_tag(parser *p, const char **ps, int *line, char close, int *strip_after)
{
	const char *s = *ps;
	for (;;) {
		while (is_space(*s)) {
			if (*s == '\n')
				(*line)++;
			s++;
		}
		if (!*s)
			return jj__perr(p, *line, "unclosed tag: expected '%s'", close == '}' ? "}}" : "%}");
		if (*s == '-' && s[1] == close && s[2] == '}') {
			*strip_after = 1;
			s += 3;
			break;
		}
		if (*s == close && s[1] == '}') {
			s += 2;
			break;
		}
		tok t = {T_OP, *line, s, 1, 0, 0};
		if (is_ident_start(*s)) {
			const char *b = s;
			while (is_ident_start(*s) || is_digit(*s))
				s++;
			t.type = T_NAME, t.s = b, t.n = (size_t)(s - b);
		} else if (is_digit(*s)) {
			const char *b = s;
			int isf = 0;
			while (is_digit(*s) || *s == '_')
				s++;
			if (*s == '.' && is_digit(s[1])) {
				isf = 1;
				s++;
				while (is_digit(*s))
					s++;
			}
			if (*s == 'e' || *s == 'E') {
				isf = 1;
				s++;
				if (*s == '+' || *s == '-')
					s++;
				while (is_digit(*s))
					s++;
			}
			char buf[64];
			size_t k = 0;
			for (const char *q = b; q < s && k < sizeof buf - 1; q++)
				if (*q != '_')
					buf[k++] = *q;
			buf[k] = 0;
			if (isf)
				t.type = T_FLOAT, t.f = strtod(buf, NULL);
			else
				t.type = T_INT, t.i = strtoll(buf, NULL, 10);
		} else if (*s == '\'' || *s == '"') {
			char q = *s++;
			ldp_buf b = LDP_BUF_INIT;
			while (*s && *s != q) {
				if (*s == '\\' && s[1]) {
					s++;
					char c = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s == 'r' ? '\r' : *s;
					if (*s != 'n' && *s != 't' && *s != 'r' && *s != '\\' && *s != '\'' && *s != '"')
						ldp_buf_putc(&b, '\\');
					ldp_buf_putc(&b, c);
					s++;
					continue;
				}
				if (*s == '\n')
					(*line)++;
				ldp_buf_putc(&b, *s++);
			}
			if (!*s) {
				ldp_buf_free(&b);
				return jj__perr(p, t.line, "unterminated string literal", NULL);
			}
			s++;
			t.type = T_STR;
			t.n = b.len;
			t.s = ldp_arena_strndup(p->a, ldp_buf_cstr(&b), b.len);
			ldp_buf_free(&b);
		} else {
			static const char *const two[] = {"**", "//", "==", "!=", "<=", ">="};
			int matched = 0;
			for (size_t i = 0; i < 6; i++)
				if (s[0] == two[i][0] && s[1] == two[i][1])
					t.n = 2, matched = 1;
			if (!matched && !strchr("+-*/%~<>=()[]{},.:|", *s)) {
				char c[2] = {*s, 0};
				return jj__perr(p, *line, "unexpected character '%s' in a tag", c);
			}
			s += t.n;
		}
		int rc = push(p, t);
		if (rc)
			return rc;
	}
	*ps = s;
	return 0;
}

int jj__lex(parser *p, const char *src)
{
	const char *s = src;
	int line = 1, strip_next = 0;
	for (;;) {
		const char *open = s;
		while ((open = strchr(open, '{')) && open[1] != '{' && open[1] != '%' && open[1] != '#')
			open++;
		const char *tend = open ? open : s + strlen(s);
		int strip_before = open && open[2] == '-';
		const char *b = s, *e = tend;
		if (strip_next)
			while (b < e && is_space(*b))
				b++;
		if (strip_before)
			while (e > b && is_space(e[-1]))
				e--;
		if (!open && e > b && e[-1] == '\n') /* keep_trailing_newline off */
			e--;
		int rc;
		if (e > b && (rc = push(p, (tok){T_TEXT, line + count_lines(s, (size_t)(b - s)), b, (size_t)(e - b), 0, 0})))
			return rc;
		line += count_lines(s, (size_t)(tend - s));
		strip_next = 0;
		if (!open)
			break;
		s = open + 2 + strip_before;
		if (open[1] == '#') {
			const char *c = strstr(s, "#}");
			if (!c)
				return jj__perr(p, line, "unclosed comment: expected '#}'", NULL);
			strip_next = c > s && c[-1] == '-';
			line += count_lines(s, (size_t)(c - s));
			s = c + 2;
			continue;
		}
		int is_block = open[1] == '%';
		/* {% raw %}...{% endraw %} is copied verbatim */
		const char *q = s;
		while (is_space(*q))
			q++;
		if (is_block && strncmp(q, "raw", 3) == 0 && !is_ident_start(q[3]) && !is_digit(q[3])) {
			q += 3;
			while (is_space(*q))
				q++;
			int raw_strip = 0;
			if (*q == '-')
				raw_strip = 1, q++;
			if (q[0] != '%' || q[1] != '}')
				return jj__perr(p, line, "expected '%%}' after 'raw'", NULL);
			q += 2;
			const char *r = q, *end = NULL;
			while ((r = strstr(r, "{%"))) {
				const char *x = r + 2;
				if (*x == '-')
					x++;
				while (is_space(*x))
					x++;
				if (strncmp(x, "endraw", 6) == 0) {
					end = r;
					break;
				}
				r += 2;
			}
			if (!end)
				return jj__perr(p, line, "'raw' block is never closed with {%% endraw %%}", NULL);
			const char *rb = q, *re = end;
			if (raw_strip)
				while (rb < re && is_space(*rb))
					rb++;
			if (end[2] == '-')
				while (re > rb && is_space(re[-1]))
					re--;
			if (re > rb && (rc = push(p, (tok){T_TEXT, line, rb, (size_t)(re - rb), 0, 0})))
				return rc;
			const char *close = strstr(end, "%}");
			if (!close)
				return jj__perr(p, line, "unclosed tag: expected '%%}'", NULL);
			strip_next = close[-1] == '-';
			line += count_lines(s, (size_t)(close - s));
			s = close + 2;
			continue;
		}
		if ((rc = push(p, (tok){is_block ? T_BLOCK_BEGIN : T_VAR_BEGIN, line, open, 2, 0, 0})))
			return rc;
		if ((rc = lex_tag(p, &s, &line, is_block ? '%' : '}', &strip_next)))
			return rc;
		if ((rc = push(p, (tok){is_block ? T_BLOCK_END : T_VAR_END, line, s - 2, 2, 0, 0})))
			return rc;
	}
	return push(p, (tok){T_EOF, line, "", 0, 0, 0});
}

/* ---- parser ---- */
