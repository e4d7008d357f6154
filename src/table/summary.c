/* Snapshot-summary properties as durable state: an ingest commits its
 * incremental state (a cursor's high-water mark, the last block height) in the
 * summary of the snapshot that holds the data, so the two cannot disagree. */
#include <stdlib.h>
#include <string.h>

#include "format/metadata.h"
#include "ldp/error.h"
#include "table/table.h"

int ldp_table_summary_property(ldp_warehouse *wh, const ldp_ident *id, const char *key, char **out)
{
	*out = NULL;
	ldp_table *t = NULL;
	int rc = ldp_table_load(wh, id, &t);
	if (rc)
		return rc;
	const ldp_snapshot *cur = ldp_metadata_current_snapshot(t->meta);
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_snapshot **chain = NULL;
	size_t n = 0;
	if (cur)
		rc = ldp_metadata_ancestors(t->meta, cur->snapshot_id, &a, &chain, &n);
	/* newest first: a later write that did not carry the key keeps the older value */
	for (size_t i = 0; !rc && i < n; i++) {
		const char *v = ldp_snapshot_summary(chain[i], key);
		if (v) {
			*out = strdup(v);
			if (!*out)
				rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			break;
		}
	}
	ldp_arena_free(&a);
	ldp_table_free(t);
	return rc;
}
