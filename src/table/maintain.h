/*
 * table/maintain.h - table maintenance: expire snapshots, remove orphan
 * files, rewrite (compact) data files, rewrite manifests, and `maintain`
 * running the recommended set.
 *
 * Results own their arrays: free them with the matching _clear().
 * Files are only deleted after the metadata commit that made them
 * unreachable has landed; a failed commit deletes nothing.
 */
#ifndef LDP_TABLE_MAINTAIN_H
#define LDP_TABLE_MAINTAIN_H

#include "table/table.h"

typedef struct ldp_string_list {
	size_t n;
	char **items;
} ldp_string_list;

void ldp_string_list_clear(ldp_string_list *l);
/* Append the first column of every row of `sql` (as text) to the list. */
int ldp_string_list_query(ldp_engine *e, const char *sql, ldp_string_list *out);

typedef struct ldp_expire_options {
	int64_t older_than_ms; /* expire snapshots older than this; <= 0: now minus table property
	                          history.expire.max-snapshot-age-ms (default 5 days) */
	int retain_last;       /* keep at least this many of main's newest snapshots; <= 0: property
	                          history.expire.min-snapshots-to-keep (default 1) */
	int64_t snapshot_id;   /* > 0: expire exactly this snapshot (the options above are ignored) */
	int dry_run;           /* report, commit nothing, delete nothing */
} ldp_expire_options;

typedef struct ldp_expire_result {
	size_t nexpired;
	int64_t *expired;         /* snapshot ids */
	ldp_string_list deleted;  /* files no longer reachable (deleted unless dry run) */
} ldp_expire_result;

/* Never expires the current snapshot nor one a branch or tag points at
 * (asking for one by id is LDP_EINVALID, nothing committed). */
int ldp_table_expire_snapshots(ldp_warehouse *wh, const ldp_ident *id, const ldp_expire_options *o,
			       ldp_expire_result *res);
void ldp_expire_result_clear(ldp_expire_result *r);

/* Files under the table location that no metadata file, manifest list,
 * manifest or entry of any snapshot references, older than older_than_ms
 * (<= 0: three days ago). Deleted unless dry_run; listed in *out. */
int ldp_table_remove_orphans(ldp_warehouse *wh, const ldp_ident *id, int64_t older_than_ms, int dry_run,
			     ldp_string_list *out);

typedef struct ldp_rewrite_options {
	int64_t target_size;   /* bytes; <= 0: write.target-file-size-bytes (512 MB) */
	const char *sort_by;   /* "col [desc], ..." or NULL */
	const char *where;     /* only files holding rows that match (a DuckDB condition), or NULL */
	int all;               /* rewrite every candidate file even when nothing is small */
} ldp_rewrite_options;

typedef struct ldp_rewrite_result {
	int64_t snapshot_id;      /* -1: nothing to do */
	int64_t files_rewritten, files_added, delete_files_removed;
	int64_t rows;
} ldp_rewrite_result;

/* Bin-pack small files (and files that delete files apply to) into
 * target-sized ones, applying deletes, optionally sorted: one "replace"
 * snapshot. */
int ldp_table_rewrite_data(ldp_warehouse *wh, const ldp_ident *id, const ldp_rewrite_options *o,
			   ldp_rewrite_result *res);

/* One data manifest per partition spec holding every live data file:
 * one "replace" snapshot (snapshot_id -1 when there was nothing to merge). */
int ldp_table_rewrite_manifests(ldp_warehouse *wh, const ldp_ident *id, int64_t *snapshot_id, int64_t *before,
				int64_t *after);

#endif
