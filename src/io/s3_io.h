/*
 * io/s3_io.h - the process-wide S3 client behind ldp_io_* for s3:// paths,
 * and the local content cache of immutable objects (see s3_io.c).
 */
#ifndef LDP_IO_S3_IO_H
#define LDP_IO_S3_IO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "io/s3.h"

/* Settings from the project (ldp.yml); call before the first s3:// I/O.
 * Copies the strings; a later call replaces the client. */
int ldp_s3_io_configure(const ldp_s3_settings *s);
/* The same from ldp.yml's `s3:` mapping (NULL: defaults); `file` names
 * ldp.yml in messages. Unknown keys are an error (credentials never go there). */
int ldp_s3_io_configure_json(const json_t *s3, const char *file);
/* The shared client (created on first use from the configured settings and
 * the environment). Borrowed; do not free. Not for use across threads. */
int ldp_s3_io_client(ldp_s3_client **out);
/* Local directory of the content cache: $LDP_CACHE_DIR, else
 * $XDG_CACHE_HOME/ldp, else ~/.cache/ldp. Malloc'd. */
int ldp_s3_cache_dir(char **out);

/* ldp_io_* for s3:// URIs (local.c routes here). */
int ldp_s3_io_read_all(const char *uri, uint8_t **out, size_t *len);
int ldp_s3_io_write(const char *uri, const void *data, size_t len, int exclusive);
int ldp_s3_io_exists(const char *uri);
int ldp_s3_io_file_size(const char *uri, int64_t *out);
int ldp_s3_io_remove(const char *uri);
int ldp_s3_io_remove_tree(const char *uri);
int ldp_s3_io_upload(const char *local_path, const char *uri);
/* Download into the content cache unless already there with `size` bytes
 * (size < 0: any size); *local malloc'd. */
int ldp_s3_io_cached_copy(const char *uri, int64_t size, char **local);
/* The same for many objects, several at a time; non-S3 paths are skipped. */
int ldp_s3_io_prefetch(const char *const *uris, const int64_t *sizes, size_t n);

#endif
