/* Thread-local error record with a context chain; see ldp/error.h. */
#include "ldp/error.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One record per thread (like libgit2's git_error_last). The message is heap
 * allocated and replaced wholesale; wrapping builds the new string before
 * freeing the old one so the record is never half-updated. */
static _Thread_local struct {
	ldp_error pub;
	char *buf;
} g_err = {{LDP_OK, ""}, NULL};

/* Message used when formatting itself fails for lack of memory. */
static const char oom_message[] = "out of memory";

/* A thread that records an error and exits without ldp_error_clear() would
 * leak the message: _Thread_local has no destructor. A pthread key does, so
 * the key mirrors the heap message and frees it when the thread ends. */
static pthread_key_t g_err_key;
static pthread_once_t g_err_once = PTHREAD_ONCE_INIT;
static int g_err_key_ok;

static void make_err_key(void) { g_err_key_ok = pthread_key_create(&g_err_key, free) == 0; }

static void track_buf(char *msg)
{
	pthread_once(&g_err_once, make_err_key);
	if (g_err_key_ok)
		pthread_setspecific(g_err_key, msg);
}

static void set_buf(int code, char *msg)
{
	if (g_err.buf)
		free(g_err.buf);
	track_buf(msg);
	g_err.buf = msg;
	g_err.pub.code = code;
	g_err.pub.message = msg ? msg : oom_message;
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

const ldp_error *ldp_error_last(void)
{
	return &g_err.pub;
}

int ldp_error_setv(int code, const char *fmt, va_list ap)
{
	set_buf(code, vformat(fmt, ap));
	return code;
}

int ldp_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ldp_error_setv(code, fmt, ap);
	va_end(ap);
	return code;
}

int ldp_error_wrap(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *ctx = vformat(fmt, ap);
	va_end(ap);
	if (!ctx) {
		set_buf(LDP_ENOMEM, NULL);
		return code;
	}
	if (!g_err.buf || !*g_err.buf) {
		set_buf(code, ctx);
		return code;
	}
	size_t a = strlen(ctx), b = strlen(g_err.buf);
	char *msg = malloc(a + 2 + b + 1);
	if (!msg) {
		free(ctx);
		return code;
	}
	memcpy(msg, ctx, a);
	memcpy(msg + a, ": ", 2);
	memcpy(msg + a + 2, g_err.buf, b + 1);
	free(ctx);
	set_buf(code, msg);
	return code;
}

void ldp_error_clear(void)
{
	if (g_err.buf) {
		free(g_err.buf);
		track_buf(NULL);
	}
	g_err.buf = NULL;
	g_err.pub.code = LDP_OK;
	g_err.pub.message = "";
}

const char *ldp_status_name(int code)
{
	switch (code) {
	case LDP_OK: return "ok";
	case LDP_ERROR: return "internal error";
	case LDP_ENOMEM: return "out of memory";
	case LDP_EINVALID: return "invalid input";
	case LDP_ENOTFOUND: return "not found";
	case LDP_EEXISTS: return "already exists";
	case LDP_EIO: return "I/O error";
	case LDP_ECONFLICT: return "commit conflict";
	case LDP_ESQL: return "SQL error";
	case LDP_EUNSUPPORTED: return "unsupported";
	case LDP_ECORRUPT: return "corrupt file";
	case LDP_EINTERRUPTED: return "interrupted";
	case LDP_EBUSY: return "busy";
	case LDP_EFAILED: return "failed";
	default: return "unknown error";
	}
}

int ldp_status_is_user_error(int code)
{
	switch (code) {
	case LDP_EINVALID:
	case LDP_ENOTFOUND:
	case LDP_EEXISTS:
	case LDP_ECONFLICT:
	case LDP_ESQL:
	case LDP_EUNSUPPORTED:
	case LDP_ECORRUPT:
	case LDP_EINTERRUPTED:
	case LDP_EBUSY:
	case LDP_EFAILED:
	case LDP_EIO:
		return 1;
	default:
		return 0;
	}
}
