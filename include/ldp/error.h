/*
 * ldp/error.h - status codes and the error context chain.
 *
 * Every fallible ldp call returns an int: 0 (LDP_OK) on success or a negative
 * ldp_status. The message for the most recent failure on the calling thread is
 * available from ldp_error_last(); callers add context as the error travels up
 * with ldp_error_wrap(), giving messages such as
 *   "committing ns.t: writing manifest: disk full".
 * The library never prints; the command line prints ldp_error_last()->message.
 */
#ifndef LDP_ERROR_H
#define LDP_ERROR_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ldp_status {
	LDP_OK = 0,
	LDP_ERROR = -1,        /* internal failure, a bug or an unexpected library error */
	LDP_ENOMEM = -2,       /* out of memory */
	LDP_EINVALID = -3,     /* invalid input from the user: arguments, config, data */
	LDP_ENOTFOUND = -4,    /* a named file, table, namespace, snapshot... does not exist */
	LDP_EEXISTS = -5,      /* the thing to create already exists */
	LDP_EIO = -6,          /* an operating-system I/O failure */
	LDP_ECONFLICT = -7,    /* a concurrent commit won; retry */
	LDP_ESQL = -8,         /* the SQL engine rejected a statement (parse, bind, run) */
	LDP_EUNSUPPORTED = -9, /* valid, but not supported by this version */
	LDP_ECORRUPT = -10,    /* a file exists but cannot be decoded */
	LDP_EINTERRUPTED = -11, /* cancelled by the user (Ctrl-C) */
	LDP_EBUSY = -12,        /* held by someone else (a pipeline's run lock); try later */
	LDP_EFAILED = -13       /* the work ran and failed (a pipeline step, a data check) */
} ldp_status;

typedef struct ldp_error {
	int code;            /* the ldp_status of the failure */
	const char *message; /* never NULL; "" when no error is recorded */
} ldp_error;

/* The last error recorded on this thread. The pointer and its message stay
 * valid until the next ldp_error_* call on the same thread. */
const ldp_error *ldp_error_last(void);

/* Record a new error, replacing any previous one. Returns `code` so that
 * callers can write `return ldp_error_set(LDP_EINVALID, "...")`. */
int ldp_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ldp_error_setv(int code, const char *fmt, va_list ap);

/* Prefix the current message with context ("<context>: <message>") and return
 * `code`. When no error is recorded yet, the context becomes the message. */
int ldp_error_wrap(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Forget the recorded error on this thread and free its memory. */
void ldp_error_clear(void);

/* A short name for a status: "invalid input", "not found", ... */
const char *ldp_status_name(int code);

/* True for the failures a user causes and can fix (exit code 1 of the CLI);
 * false for internal errors (exit code 2). */
int ldp_status_is_user_error(int code);

#ifdef __cplusplus
}
#endif
#endif
