/*
 * format/metadata_update.h - the table-metadata changes of the Iceberg REST
 * commit protocol that metadata.h's builders do not cover (spec: REST
 * "TableUpdate": add-snapshot without a ref, remove-snapshots, set-location,
 * assign-uuid, upgrade-format-version).
 *
 * Like the builders in metadata.h, each returns a NEW metadata and leaves
 * `in` unchanged (free both). They work on the JSON form of the metadata and
 * parse the result back, so the outcome is checked by the same parser that
 * reads metadata files: a change that would produce invalid metadata fails
 * with LDP_EINVALID naming the problem.
 */
#ifndef LDP_FORMAT_METADATA_UPDATE_H
#define LDP_FORMAT_METADATA_UPDATE_H

#include "format/model.h"

/* Add a snapshot (the JSON object of spec "Snapshots") without moving any
 * ref: REST clients send set-snapshot-ref separately. In v2+ its
 * sequence-number must be above last-sequence-number (else LDP_ECONFLICT: the
 * snapshot was made on a stale base), which then becomes it.
 * LDP_EEXISTS for a snapshot id already present. */
int ldp_metadata_add_snapshot_json(const ldp_metadata *in, const json_t *snapshot, ldp_metadata **out);
/* Remove snapshots by id (unknown ids are ignored), the refs pointing at
 * them and their snapshot-log entries. Removing the current snapshot leaves
 * the table without one. */
int ldp_metadata_remove_snapshots(const ldp_metadata *in, const int64_t *ids, size_t n, ldp_metadata **out);
int ldp_metadata_set_location(const ldp_metadata *in, const char *location, ldp_metadata **out);
/* Set the table uuid; changing an existing, different uuid is LDP_EINVALID. */
int ldp_metadata_assign_uuid(const ldp_metadata *in, const char *uuid, ldp_metadata **out);
/* Upgrade to format_version (2 or 3); a downgrade is LDP_EINVALID, the same
 * version a no-op. */
int ldp_metadata_upgrade_format_version(const ldp_metadata *in, int format_version, ldp_metadata **out);

#endif
