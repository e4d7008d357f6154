/*
 * Write-audit-publish: publishing a branch by fast-forwarding main (or
 * another branch) to it. Main keeps its snapshot until the publish; the
 * publish is a metadata-only commit that changes nothing else, so readers
 * of main see every change of the branch at once.
 */
#include <inttypes.h>
#include <string.h>

#include "format/metadata.h"
#include "ldp/error.h"
#include "table/table.h"

typedef struct ff_ctx {
	const char *branch, *target;
	int64_t head;
} ff_ctx;

static int do_fast_forward(const ldp_metadata *in, void *ctx, ldp_metadata **out)
{
	ff_ctx *c = ctx;
	const ldp_ref *b = ldp_metadata_ref(in, c->branch);
	if (!b || b->is_tag)
		return ldp_error_set(LDP_ENOTFOUND, "no branch named '%s' (ldp branch list shows them)", c->branch);
	const ldp_ref *t = ldp_metadata_ref(in, c->target);
	if (t && t->is_tag)
		return ldp_error_set(LDP_EINVALID, "'%s' is a tag; only branches can be published to", c->target);
	int64_t target_head = t ? t->snapshot_id : in->current_snapshot_id;
	if (target_head >= 0 && !ldp_metadata_is_ancestor(in, b->snapshot_id, target_head))
		return ldp_error_set(LDP_ECONFLICT,
				     "cannot publish branch '%s': %s moved since the branch was made (%s is at snapshot %" PRId64
				     ", which is not an ancestor of the branch head %" PRId64 "); nothing was published: "
				     "recreate the branch from %s and redo its writes",
				     c->branch, c->target, c->target, target_head, b->snapshot_id, c->target);
	c->head = b->snapshot_id;
	ldp_ref r = {c->target, b->snapshot_id, false, -1, -1, -1};
	if (t) {
		r.max_ref_age_ms = t->max_ref_age_ms;
		r.max_snapshot_age_ms = t->max_snapshot_age_ms;
		r.min_snapshots_to_keep = t->min_snapshots_to_keep;
	}
	return ldp_metadata_set_ref(in, &r, out);
}

int ldp_table_fast_forward(ldp_warehouse *wh, const ldp_ident *id, const char *branch, const char *target,
			   int64_t *published)
{
	ff_ctx c = {branch, target ? target : "main", -1};
	if (strcmp(branch, c.target) == 0)
		return ldp_error_set(LDP_EINVALID, "branch '%s' cannot be published onto itself", branch);
	int rc = ldp_table_commit_metadata(wh, id, do_fast_forward, &c);
	if (rc)
		return ldp_error_wrap(rc, "publishing branch %s of %s.%s", branch, id->ns, id->name);
	if (published)
		*published = c.head;
	return LDP_OK;
}
