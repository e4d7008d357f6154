/* The REST commit builders of format/metadata_update.h on the spec-shaped
 * fixtures (tests/fixtures/iceberg/v1 and v2.metadata.json): expected values
 * are the fixtures' own ids and the spec's rules (sequence numbers, refs
 * removed with their snapshots, v1 -> v2 upgrade). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "format/metadata.h"
#include "format/metadata_update.h"
#include "ldp/error.h"

#define FIX(name) LDP_FIXTURES "/iceberg/" name
#define S1 3051729675574597004LL
#define S2 3055729675574597004LL
#define S3 3059729675574597004LL

static ldp_metadata *load(const char *path)
{
	ldp_metadata *m;
	if (ldp_metadata_load_file(path, &m))
		fail_msg("%s", ldp_error_last()->message);
	return m;
}

static json_t *snap(long long id, long long parent, long long seq)
{
	json_t *s = json_pack("{s:I,s:I,s:I,s:s,s:{s:s}}", "snapshot-id", (json_int_t)id, "sequence-number",
			      (json_int_t)seq, "timestamp-ms", (json_int_t)1700000000000, "manifest-list",
			      "s3://bucket/test/location/metadata/snap.avro", "summary", "operation", "append");
	if (parent > 0)
		json_object_set_new(s, "parent-snapshot-id", json_integer(parent));
	return s;
}

static void test_add_snapshot_keeps_refs(void **state)
{
	(void)state;
	ldp_metadata *m = load(FIX("v2.metadata.json")), *out = NULL;
	json_t *s = snap(42, S2, 35);
	assert_int_equal(ldp_metadata_add_snapshot_json(m, s, &out), 0);
	assert_non_null(ldp_metadata_snapshot(out, 42));
	assert_int_equal(out->last_sequence_number, 35);
	/* add-snapshot alone moves no ref: main stays where it was */
	assert_true(out->current_snapshot_id == S2);
	assert_true(ldp_metadata_ref(out, "main")->snapshot_id == S2);
	ldp_metadata_free(out);
	json_decref(s);

	/* spec "Sequence Numbers": 34 is not above last-sequence-number 34 */
	s = snap(43, S2, 34);
	assert_int_equal(ldp_metadata_add_snapshot_json(m, s, &out), LDP_ECONFLICT);
	json_decref(s);
	s = snap(S1, -1, 40);
	assert_int_equal(ldp_metadata_add_snapshot_json(m, s, &out), LDP_EEXISTS);
	json_decref(s);
	s = json_pack("{s:s}", "snapshot-id", "x");
	assert_int_equal(ldp_metadata_add_snapshot_json(m, s, &out), LDP_EINVALID);
	json_decref(s);
	ldp_metadata_free(m);
}

static void test_remove_snapshots(void **state)
{
	(void)state;
	ldp_metadata *m = load(FIX("v2.metadata.json")), *out = NULL;
	int64_t ids[] = {S1, 12345};
	assert_int_equal(ldp_metadata_remove_snapshots(m, ids, 2, &out), 0);
	assert_null(ldp_metadata_snapshot(out, S1));
	assert_non_null(ldp_metadata_snapshot(out, S2));
	/* the tag v1.0 pointed at S1 and goes with it; main and audit stay */
	assert_null(ldp_metadata_ref(out, "v1.0"));
	assert_non_null(ldp_metadata_ref(out, "audit"));
	assert_true(out->current_snapshot_id == S2);
	assert_int_equal(out->nsnapshot_log, 1);
	assert_true(out->snapshot_log[0].snapshot_id == S2);
	ldp_metadata_free(out);

	/* removing the current snapshot leaves the table without one */
	int64_t cur[] = {S2};
	assert_int_equal(ldp_metadata_remove_snapshots(m, cur, 1, &out), 0);
	assert_true(out->current_snapshot_id == -1);
	assert_null(ldp_metadata_ref(out, "main"));
	ldp_metadata_free(out);
	ldp_metadata_free(m);
}

static void test_location_uuid_version(void **state)
{
	(void)state;
	ldp_metadata *m = load(FIX("v1.metadata.json")), *out = NULL, *v3 = NULL;
	assert_int_equal(ldp_metadata_set_location(m, "/data/t2", &out), 0);
	assert_string_equal(out->location, "/data/t2");
	ldp_metadata_free(out);
	assert_int_equal(ldp_metadata_set_location(m, "", &out), LDP_EINVALID);

	assert_int_equal(ldp_metadata_assign_uuid(m, "D20125C8-7284-442C-9AEA-15FEE620737C", &out), 0);
	ldp_metadata_free(out);
	assert_int_equal(ldp_metadata_assign_uuid(m, "11111111-1111-4111-8111-111111111111", &out), LDP_EINVALID);

	/* v1 -> v2: v1 snapshots get sequence number 0 and the table a
	 * last-sequence-number of 0 (spec "Version 2", upgrading) */
	assert_int_equal(ldp_metadata_upgrade_format_version(m, 2, &out), 0);
	assert_int_equal(out->format_version, 2);
	assert_int_equal(out->last_sequence_number, 0);
	assert_int_equal(out->nsnapshots, 2);
	assert_int_equal(out->snapshots[0]->sequence_number, 0);
	assert_int_equal(ldp_metadata_upgrade_format_version(out, 3, &v3), 0);
	assert_int_equal(v3->format_version, 3);
	ldp_metadata *down = NULL;
	assert_int_equal(ldp_metadata_upgrade_format_version(v3, 2, &down), LDP_EINVALID);
	assert_int_equal(ldp_metadata_upgrade_format_version(v3, 4, &down), LDP_EUNSUPPORTED);
	ldp_metadata_free(v3);
	ldp_metadata_free(out);
	ldp_metadata_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_snapshot_keeps_refs),
		cmocka_unit_test(test_remove_snapshots),
		cmocka_unit_test(test_location_uuid_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
