/*
 * ldp/io.h - file I/O for table data and metadata (FileIO).
 *
 * Paths are local file paths, file:// URIs, or s3:// URIs (io/s3_io.c; an
 * object store has no directories, so mkdirs and the syncs do nothing there,
 * and a PUT is already all-or-nothing). Writes of metadata use exclusive creation so that two
 * writers can never silently replace each other's file, and whole-file writes
 * go through a temporary name and rename so a reader never sees half a file.
 *
 * Ownership: buffers returned through `out` are malloc'd; free() them.
 */
#ifndef LDP_IO_H
#define LDP_IO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "file:///a/b" -> "/a/b"; plain paths unchanged. Returns a pointer into `uri`. */
const char *ldp_io_local_path(const char *uri);

/* Read a whole file. LDP_ENOTFOUND when missing. */
int ldp_io_read_all(const char *path, uint8_t **out, size_t *len);
/* Write a whole file atomically (temp + fsync + rename). Creates parent dirs. */
int ldp_io_write_atomic(const char *path, const void *data, size_t len);
/* Write a new file that must not exist yet (LDP_EEXISTS otherwise); the file
 * appears complete or not at all (written under a temporary name, then
 * hard-linked into place, which fails if the name exists). */
int ldp_io_write_exclusive(const char *path, const void *data, size_t len);
/* The same without syncing the directory: for several files created in one
 * directory before a single ldp_io_sync_dir() makes all the names durable. */
int ldp_io_write_exclusive_nodirsync(const char *path, const void *data, size_t len);
/* mkdir -p */
int ldp_io_mkdirs(const char *path);
int ldp_io_exists(const char *path);
int ldp_io_file_size(const char *path, int64_t *out);
int ldp_io_remove(const char *path);
/* Remove a directory tree (for drop --purge). Missing is not an error. */
int ldp_io_remove_tree(const char *path);
/* fsync a file written by someone else (DuckDB's Parquet writer) before a
 * commit makes it reachable. */
int ldp_io_sync_file(const char *path);
/* fsync a directory so a rename inside it is durable. */
int ldp_io_sync_dir(const char *dir);

/* Whether a path names a remote store (s3://...) rather than local disk. */
int ldp_io_is_remote(const char *path);
/* Move a finished local file to `dest`: rename(2) for a local destination; an
 * upload, then removal of the local file, for a remote one. */
int ldp_io_move_in(const char *local_path, const char *dest);
/* A local file with the content of `uri`, for readers that need files
 * (DuckDB): the path itself when local; for a remote object a download into
 * the content cache (reused on later calls), so only for objects that never
 * change - Iceberg data files. `size` (the manifest's file_size_in_bytes, or
 * -1 when unknown) guards against a stale cached copy: one of another size
 * is fetched again. *out is malloc'd. */
int ldp_io_local_copy(const char *uri, int64_t size, char **out);
/* ldp_io_local_copy for many files ahead of use, several downloads at a
 * time (sizes may be NULL); local paths are skipped. */
int ldp_io_prefetch(const char *const *uris, const int64_t *sizes, size_t n);

#ifdef __cplusplus
}
#endif
#endif
