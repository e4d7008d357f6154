/*
 * ldp/buf.h - a growable string builder.
 *
 * An ldp_buf owns its heap memory; initialise with LDP_BUF_INIT and release
 * with ldp_buf_free(). After an allocation failure the buffer is marked and
 * further appends are no-ops, so a sequence of appends needs one check at the
 * end (ldp_buf_oom()). ptr is always NUL-terminated once anything was added.
 */
#ifndef LDP_BUF_H
#define LDP_BUF_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ldp_buf {
	char *ptr;
	size_t len;
	size_t cap;
	int oom;
} ldp_buf;

#define LDP_BUF_INIT {NULL, 0, 0, 0}

int ldp_buf_grow(ldp_buf *b, size_t extra);
void ldp_buf_put(ldp_buf *b, const char *data, size_t len);
void ldp_buf_puts(ldp_buf *b, const char *s);
void ldp_buf_putc(ldp_buf *b, char c);
void ldp_buf_printf(ldp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ldp_buf_vprintf(ldp_buf *b, const char *fmt, va_list ap);
/* Append s as a SQL string literal: 'it''s'. */
void ldp_buf_put_sql_string(ldp_buf *b, const char *s);
/* Append s as a quoted SQL identifier: "my ""col""". */
void ldp_buf_put_sql_ident(ldp_buf *b, const char *s);
/* Append s as one POSIX shell word: bare when every character is safe
 * ([A-Za-z0-9_@%+=:,./-]), else single-quoted with ' as '\''. */
void ldp_buf_put_shell_word(ldp_buf *b, const char *s);
/* Append n spaces (or any character). */
void ldp_buf_fill(ldp_buf *b, char c, size_t n);
void ldp_buf_truncate(ldp_buf *b, size_t len);
void ldp_buf_clear(ldp_buf *b);
/* "" when empty; never NULL. Valid until the next append. */
const char *ldp_buf_cstr(const ldp_buf *b);
/* Hand the heap string to the caller (free() it); the buffer becomes empty.
 * Returns NULL after an allocation failure. */
char *ldp_buf_detach(ldp_buf *b);
void ldp_buf_free(ldp_buf *b);
/* LDP_ENOMEM (and records the error) if an append failed, else 0. */
int ldp_buf_oom(const ldp_buf *b);

#ifdef __cplusplus
}
#endif
#endif
