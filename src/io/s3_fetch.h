/*
 * io/s3_fetch.h - the objects an S3 source URI names (an object, a "directory"
 * prefix, or a glob) and downloading them into local files; see s3_fetch.c.
 *
 * Ownership: ldp_s3_fetched owns its paths AND the files they name:
 * ldp_s3_fetched_clear() deletes the files and frees the strings.
 */
#ifndef LDP_IO_S3_FETCH_H
#define LDP_IO_S3_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "io/s3.h"

/* Glob match of a whole key: '*' '?' '[..]' within a '/'-separated segment,
 * a "**" segment spans any number of segments (including none). */
int ldp_glob_match(const char *pattern, const char *key);

/* The objects `uri` names, in key order (an empty list when none match). */
int ldp_s3_match(ldp_s3_client *c, const char *uri, ldp_s3_list *out);

typedef struct ldp_s3_fetched {
	char **paths; /* local files, in key order */
	size_t n;
} ldp_s3_fetched;

typedef void (*ldp_s3_progress_fn)(void *ctx, const char *what, int64_t done, int64_t total);

/* Download what `uri` names with the process-wide client (ldp_s3_io_client)
 * into <cache dir>/ingest/, streaming each object to disk. */
int ldp_s3_fetch(const char *uri, ldp_s3_fetched *out, ldp_s3_progress_fn progress, void *ctx);
void ldp_s3_fetched_clear(ldp_s3_fetched *f);

#endif
