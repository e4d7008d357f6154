/* Growable string builder; see ldp/buf.h. */
#include "ldp/buf.h"
#include "ldp/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ldp_buf_grow(ldp_buf *b, size_t extra)
{
	if (b->oom)
		return LDP_ENOMEM;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return LDP_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap * 2;
	char *p = realloc(b->ptr, cap);
	if (!p) {
		b->oom = 1;
		return LDP_ENOMEM;
	}
	b->ptr = p;
	b->cap = cap;
	return LDP_OK;
}

void ldp_buf_put(ldp_buf *b, const char *data, size_t len)
{
	if (ldp_buf_grow(b, len) != LDP_OK)
		return;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void ldp_buf_puts(ldp_buf *b, const char *s) { ldp_buf_put(b, s, strlen(s)); }
void ldp_buf_putc(ldp_buf *b, char c) { ldp_buf_put(b, &c, 1); }

void ldp_buf_vprintf(ldp_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || ldp_buf_grow(b, (size_t)n) != LDP_OK)
		return;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void ldp_buf_printf(ldp_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ldp_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

static void put_quoted(ldp_buf *b, const char *s, char q)
{
	ldp_buf_putc(b, q);
	for (const char *p = s; *p; p++) {
		if (*p == q)
			ldp_buf_putc(b, q);
		ldp_buf_putc(b, *p);
	}
	ldp_buf_putc(b, q);
}

void ldp_buf_put_sql_string(ldp_buf *b, const char *s) { put_quoted(b, s, '\''); }
void ldp_buf_put_sql_ident(ldp_buf *b, const char *s) { put_quoted(b, s, '"'); }

void ldp_buf_put_shell_word(ldp_buf *b, const char *s)
{
	int bare = *s != '\0';
	for (const char *p = s; *p && bare; p++)
		bare = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		       strchr("_@%+=:,./-", *p) != NULL;
	if (bare) {
		ldp_buf_puts(b, s);
		return;
	}
	ldp_buf_putc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			ldp_buf_puts(b, "'\\''");
		else
			ldp_buf_putc(b, *p);
	}
	ldp_buf_putc(b, '\'');
}

void ldp_buf_fill(ldp_buf *b, char c, size_t n)
{
	if (ldp_buf_grow(b, n) != LDP_OK)
		return;
	memset(b->ptr + b->len, c, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void ldp_buf_truncate(ldp_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

void ldp_buf_clear(ldp_buf *b) { ldp_buf_truncate(b, 0); }

const char *ldp_buf_cstr(const ldp_buf *b) { return b->ptr && !b->oom ? b->ptr : ""; }

char *ldp_buf_detach(ldp_buf *b)
{
	char *p = b->oom ? NULL : b->ptr;
	if (!p && !b->oom)
		p = calloc(1, 1);
	if (b->oom)
		free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
	return p;
}

void ldp_buf_free(ldp_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

int ldp_buf_oom(const ldp_buf *b)
{
	return b->oom ? ldp_error_set(LDP_ENOMEM, "out of memory building a string") : LDP_OK;
}
