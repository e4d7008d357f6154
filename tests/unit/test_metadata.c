/* Table metadata: parse v1/v2/v3 fixtures, write and re-parse, errors,
 * lookups, time travel, builders, file names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "format/metadata.h"
#include "format/partition.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/json.h"

#define FIX(name) LDP_FIXTURES "/iceberg/" name

static json_t *load_json(const char *path)
{
	json_t *j;
	if (ldp_json_load_file(path, &j))
		fail_msg("%s", ldp_error_last()->message);
	return j;
}

static ldp_metadata *load(const char *path)
{
	ldp_metadata *m;
	if (ldp_metadata_load_file(path, &m))
		fail_msg("%s", ldp_error_last()->message);
	return m;
}

static void assert_msg_has(const char *needle)
{
	const char *m = ldp_error_last()->message;
	if (!strstr(m, needle))
		fail_msg("error message \"%s\" lacks \"%s\"", m, needle);
}

static void assert_str_eq(const char *x, const char *y)
{
	if (!x || !y)
		assert_ptr_equal(x, y);
	else
		assert_string_equal(x, y);
}

static bool json_opt_equal(json_t *x, json_t *y)
{
	bool ex = !x || (json_is_object(x) && json_object_size(x) == 0);
	bool ey = !y || (json_is_object(y) && json_object_size(y) == 0);
	return (ex && ey) || (x && y && json_equal(x, y));
}

/* Every modelled field, compared one by one. */
static void assert_metadata_equal(const ldp_metadata *a, const ldp_metadata *b)
{
	assert_int_equal(a->format_version, b->format_version);
	assert_str_eq(a->table_uuid, b->table_uuid);
	assert_str_eq(a->location, b->location);
	assert_int_equal(a->last_sequence_number, b->last_sequence_number);
	assert_int_equal(a->last_updated_ms, b->last_updated_ms);
	assert_int_equal(a->last_column_id, b->last_column_id);
	assert_int_equal(a->nschemas, b->nschemas);
	for (size_t i = 0; i < a->nschemas; i++) {
		assert_int_equal(a->schemas[i]->schema_id, b->schemas[i]->schema_id);
		assert_true(ldp_schema_same_fields(a->schemas[i], b->schemas[i]));
	}
	assert_int_equal(a->current_schema_id, b->current_schema_id);
	assert_int_equal(a->nspecs, b->nspecs);
	for (size_t i = 0; i < a->nspecs; i++) {
		assert_int_equal(a->specs[i]->spec_id, b->specs[i]->spec_id);
		assert_true(ldp_partition_spec_same_fields(a->specs[i], b->specs[i]));
	}
	assert_int_equal(a->default_spec_id, b->default_spec_id);
	assert_int_equal(a->last_partition_id, b->last_partition_id);
	assert_int_equal(a->nproperties, b->nproperties);
	for (size_t i = 0; i < a->nproperties; i++) {
		assert_string_equal(a->properties[i].key, b->properties[i].key);
		assert_string_equal(a->properties[i].value, b->properties[i].value);
	}
	assert_int_equal(a->current_snapshot_id, b->current_snapshot_id);
	assert_int_equal(a->nsnapshots, b->nsnapshots);
	for (size_t i = 0; i < a->nsnapshots; i++) {
		const ldp_snapshot *x = a->snapshots[i], *y = b->snapshots[i];
		assert_int_equal(x->snapshot_id, y->snapshot_id);
		assert_int_equal(x->parent_id, y->parent_id);
		assert_int_equal(x->sequence_number, y->sequence_number);
		assert_int_equal(x->timestamp_ms, y->timestamp_ms);
		assert_str_eq(x->manifest_list, y->manifest_list);
		assert_int_equal(x->nmanifests_v1, y->nmanifests_v1);
		for (size_t k = 0; k < x->nmanifests_v1; k++)
			assert_string_equal(x->manifests_v1[k], y->manifests_v1[k]);
		assert_int_equal(x->schema_id, y->schema_id);
		assert_str_eq(x->operation, y->operation);
		assert_int_equal(x->nsummary, y->nsummary);
		for (size_t k = 0; k < x->nsummary; k++)
			assert_string_equal(ldp_snapshot_summary(y, x->summary[k].key), x->summary[k].value);
		assert_true(json_opt_equal(x->extra, y->extra));
	}
	assert_int_equal(a->nrefs, b->nrefs);
	for (size_t i = 0; i < a->nrefs; i++) {
		const ldp_ref *x = &a->refs[i], *y = ldp_metadata_ref(b, a->refs[i].name);
		assert_non_null(y);
		assert_int_equal(x->snapshot_id, y->snapshot_id);
		assert_int_equal(x->is_tag, y->is_tag);
		assert_int_equal(x->max_ref_age_ms, y->max_ref_age_ms);
		assert_int_equal(x->max_snapshot_age_ms, y->max_snapshot_age_ms);
		assert_int_equal(x->min_snapshots_to_keep, y->min_snapshots_to_keep);
	}
	assert_int_equal(a->nsnapshot_log, b->nsnapshot_log);
	for (size_t i = 0; i < a->nsnapshot_log; i++) {
		assert_int_equal(a->snapshot_log[i].timestamp_ms, b->snapshot_log[i].timestamp_ms);
		assert_int_equal(a->snapshot_log[i].snapshot_id, b->snapshot_log[i].snapshot_id);
	}
	assert_int_equal(a->nmetadata_log, b->nmetadata_log);
	for (size_t i = 0; i < a->nmetadata_log; i++) {
		assert_int_equal(a->metadata_log[i].timestamp_ms, b->metadata_log[i].timestamp_ms);
		assert_string_equal(a->metadata_log[i].metadata_file, b->metadata_log[i].metadata_file);
	}
	assert_int_equal(a->nsort_orders, b->nsort_orders);
	for (size_t i = 0; i < a->nsort_orders; i++) {
		assert_int_equal(a->sort_orders[i]->order_id, b->sort_orders[i]->order_id);
		assert_true(ldp_sort_order_same_fields(a->sort_orders[i], b->sort_orders[i]));
	}
	assert_int_equal(a->default_sort_order_id, b->default_sort_order_id);
	assert_int_equal(a->next_row_id, b->next_row_id);
	assert_true(json_opt_equal(a->extra, b->extra));
}

/* Write, parse again and compare; returns the written JSON. */
static json_t *round_trip(const ldp_metadata *m)
{
	char *text;
	assert_int_equal(ldp_metadata_to_text(m, &text), 0);
	ldp_metadata *again;
	if (ldp_metadata_parse_text(text, strlen(text), "again.metadata.json", &again))
		fail_msg("%s\n%s", ldp_error_last()->message, text);
	assert_metadata_equal(m, again);
	ldp_metadata_free(again);
	json_t *j = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(j);
	return j;
}

static void test_v1(void **state)
{
	(void)state;
	ldp_metadata *m = load(FIX("v1.metadata.json"));
	assert_int_equal(m->format_version, 1);
	assert_string_equal(m->table_uuid, "d20125c8-7284-442c-9aea-15fee620737c");
	assert_int_equal(m->last_sequence_number, 0);
	assert_int_equal(m->nschemas, 1);
	assert_int_equal(m->current_schema_id, 0);
	assert_string_equal(ldp_metadata_current_schema(m)->root.fields[1].doc, "comment");
	/* "partition-spec" becomes spec 0 with ids from 1000 */
	const ldp_partition_spec *spec = ldp_metadata_default_spec(m);
	assert_int_equal(spec->spec_id, 0);
	assert_int_equal(spec->nfields, 2);
	assert_int_equal(spec->fields[0].field_id, 1000);
	assert_int_equal(spec->fields[0].transform.kind, LDP_TR_IDENTITY);
	assert_int_equal(spec->fields[1].field_id, 1001);
	assert_int_equal(spec->fields[1].source_id, 2);
	assert_int_equal(spec->fields[1].transform.kind, LDP_TR_BUCKET);
	assert_int_equal(spec->fields[1].transform.param, 4);
	assert_int_equal(m->last_partition_id, 1001);
	/* no sort orders: unsorted */
	assert_int_equal(m->nsort_orders, 1);
	assert_int_equal(ldp_metadata_default_sort_order(m)->nfields, 0);
	assert_string_equal(ldp_metadata_property(m, "owner"), "root");
	assert_int_equal(m->nsnapshots, 2);
	assert_null(m->snapshots[0]->manifest_list);
	assert_int_equal(m->snapshots[0]->nmanifests_v1, 2);
	assert_string_equal(m->snapshots[0]->manifests_v1[1], "s3://bucket/test/location/metadata/m1.avro");
	assert_int_equal(m->snapshots[0]->parent_id, -1);
	assert_int_equal(m->snapshots[0]->schema_id, -1);
	assert_int_equal(m->snapshots[1]->sequence_number, 0);
	assert_string_equal(m->snapshots[1]->operation, "overwrite");
	assert_string_equal(ldp_snapshot_summary(m->snapshots[1], "added-data-files"), "4"); /* number in file */
	/* no refs in v1: main is the current snapshot */
	const ldp_ref *main_ref = ldp_metadata_ref(m, "main");
	assert_non_null(main_ref);
	assert_false(main_ref->is_tag);
	assert_int_equal(main_ref->snapshot_id, 3055729675574597004LL);
	assert_int_equal(m->nsnapshot_log, 2);
	assert_int_equal(m->nmetadata_log, 0);
	assert_int_equal(m->next_row_id, -1);
	assert_int_equal(json_object_size(m->extra), 0);

	json_t *w = round_trip(m);
	/* v1 layout: deprecated fields too, no sequence numbers */
	assert_non_null(json_object_get(w, "schema"));
	assert_non_null(json_object_get(w, "partition-spec"));
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(w, "partition-spec"), 1), "field-id")),
			 1001);
	assert_null(json_object_get(w, "last-sequence-number"));
	json_t *s0 = json_array_get(json_object_get(w, "snapshots"), 0);
	assert_null(json_object_get(s0, "sequence-number"));
	assert_int_equal(json_array_size(json_object_get(s0, "manifests")), 2);
	json_decref(w);
	ldp_metadata_free(m);
}

static void test_v2(void **state)
{
	(void)state;
	ldp_metadata *m = load(FIX("v2.metadata.json"));
	assert_int_equal(m->format_version, 2);
	assert_int_equal(m->last_sequence_number, 34);
	assert_int_equal(m->nschemas, 2);
	const ldp_schema *cur = ldp_metadata_current_schema(m);
	assert_int_equal(cur->schema_id, 1);
	assert_int_equal(cur->nidentifier, 2);
	assert_int_equal(ldp_metadata_schema(m, 0)->root.nfields, 1);
	assert_null(ldp_metadata_schema(m, 2));
	assert_int_equal(ldp_metadata_default_spec(m)->spec_id, 1);
	assert_string_equal(ldp_metadata_spec(m, 1)->fields[0].name, "ts_day");
	assert_int_equal(ldp_metadata_spec(m, 1)->fields[0].transform.kind, LDP_TR_DAY);
	assert_int_equal(ldp_metadata_spec(m, 0)->nfields, 0);
	const ldp_sort_order *so = ldp_metadata_default_sort_order(m);
	assert_int_equal(so->order_id, 3);
	assert_false(so->fields[0].descending);
	assert_true(so->fields[0].nulls_first);
	assert_true(so->fields[1].descending);
	assert_false(so->fields[1].nulls_first);
	assert_int_equal(so->fields[1].transform.param, 4);
	assert_string_equal(ldp_metadata_property(m, "commit.retry.num-retries"), "4");
	assert_null(ldp_metadata_property(m, "nope"));
	const ldp_snapshot *cs = ldp_metadata_current_snapshot(m);
	assert_int_equal(cs->snapshot_id, 3055729675574597004LL);
	assert_int_equal(cs->sequence_number, 1);
	assert_string_equal(ldp_snapshot_summary(cs, "total-records"), "100");
	assert_int_equal(ldp_metadata_snapshot_schema(m, cs)->schema_id, 1);
	const ldp_ref *audit = ldp_metadata_ref(m, "audit");
	assert_false(audit->is_tag);
	assert_int_equal(audit->max_snapshot_age_ms, 86400000);
	assert_int_equal(audit->min_snapshots_to_keep, 5);
	assert_int_equal(audit->max_ref_age_ms, 604800000);
	const ldp_ref *tag = ldp_metadata_ref(m, "v1.0");
	assert_true(tag->is_tag);
	assert_int_equal(tag->min_snapshots_to_keep, -1);
	assert_int_equal(m->nmetadata_log, 1);
	assert_non_null(json_object_get(m->extra, "statistics"));

	/* Everything in the fixture is modelled or kept: the written JSON is the
	 * fixture itself. */
	json_t *w = round_trip(m);
	json_t *fixture = load_json(FIX("v2.metadata.json"));
	if (!json_equal(w, fixture)) {
		char *t = ldp_json_dumps(w, LDP_JSON_PRETTY);
		fail_msg("written metadata differs from the fixture:\n%s", t);
	}
	json_decref(fixture);
	json_decref(w);
	ldp_metadata_free(m);
}

static void test_v3(void **state)
{
	(void)state;
	ldp_metadata *m = load(FIX("v3.metadata.json"));
	assert_int_equal(m->format_version, 3);
	assert_int_equal(m->next_row_id, 100);
	const ldp_schema *s = ldp_metadata_current_schema(m);
	assert_int_equal(ldp_schema_field_by_name(s, "at")->type->id, LDP_T_TIMESTAMPTZ_NS);
	assert_int_equal(ldp_schema_field_by_name(s, "local")->type->id, LDP_T_TIMESTAMP_NS);
	assert_string_equal(ldp_schema_field_by_name(s, "payload")->type->unknown_name, "variant");
	assert_string_equal(ldp_schema_field_by_name(s, "shape")->type->unknown_name, "geometry(srid:4326)");
	assert_string_equal(ldp_schema_field_by_name(s, "nothing")->type->unknown_name, "unknown");
	assert_string_equal(json_string_value(ldp_schema_field_by_name(s, "score")->initial_default), "14.20");
	const ldp_partition_field *zz = &ldp_metadata_default_spec(m)->fields[1];
	assert_int_equal(zz->transform.kind, LDP_TR_UNKNOWN);
	assert_string_equal(zz->transform.text, "zorder");
	assert_int_equal(zz->nsource_ids, 2);
	assert_int_equal(zz->source_ids[1], 7);
	assert_int_equal(zz->source_id, 1);
	const ldp_snapshot *snap = ldp_metadata_current_snapshot(m);
	assert_int_equal(json_integer_value(json_object_get(snap->extra, "added-rows")), 100);
	assert_string_equal(json_string_value(json_object_get(snap->extra, "key-id")), "k1");
	assert_non_null(json_object_get(m->extra, "encryption-keys"));
	assert_non_null(json_object_get(m->extra, "partition-statistics"));

	json_t *w = round_trip(m);
	json_t *fixture = load_json(FIX("v3.metadata.json"));
	if (!json_equal(w, fixture)) {
		char *t = ldp_json_dumps(w, LDP_JSON_PRETTY);
		fail_msg("written metadata differs from the fixture:\n%s", t);
	}
	/* Copies keep the extras alive after the original is gone. */
	ldp_metadata *c;
	assert_int_equal(ldp_metadata_copy(m, &c), 0);
	ldp_metadata_free(m);
	assert_string_equal(json_string_value(json_object_get(c->snapshots[0]->extra, "key-id")), "k1");
	assert_string_equal(
		json_string_value(ldp_schema_field_by_name(ldp_metadata_current_schema(c), "score")->write_default),
		"0.00");
	ldp_metadata_free(c);
	json_decref(fixture);
	json_decref(w);
}

/* A copy writes the same JSON as its original, shares no modelled memory
 * with it, and outlives it (every fixture: v1 fields, v2 refs and logs, v3
 * extras and defaults). */
/* The compact writer commits use must produce the same document as the tree. */
static void test_write_compact(void **state)
{
	(void)state;
	const char *fixtures[] = {FIX("v1.metadata.json"), FIX("v2.metadata.json"), FIX("v3.metadata.json")};
	for (size_t i = 0; i < 3; i++) {
		ldp_metadata *m = load(fixtures[i]);
		json_t *tree = ldp_metadata_to_json(m);
		assert_non_null(tree);
		ldp_buf b = LDP_BUF_INIT;
		assert_int_equal(ldp_metadata_write_compact(m, &b), LDP_OK);
		json_error_t err;
		json_t *back = json_loads(ldp_buf_cstr(&b), 0, &err);
		if (!back)
			fail_msg("%s: compact output is not JSON: %s", fixtures[i], err.text);
		if (!json_equal(tree, back))
			fail_msg("%s: compact output differs from ldp_metadata_to_json", fixtures[i]);
		assert_null(strchr(ldp_buf_cstr(&b), '\n'));
		json_decref(back);
		json_decref(tree);
		ldp_buf_free(&b);
		ldp_metadata_free(m);
	}
}

static void test_copy(void **state)
{
	(void)state;
	const char *fixtures[] = {FIX("v1.metadata.json"), FIX("v2.metadata.json"), FIX("v3.metadata.json")};
	for (size_t f = 0; f < 3; f++) {
		json_t *doc = load_json(fixtures[f]);
		ldp_metadata *m, *c, *cc;
		assert_int_equal(ldp_metadata_parse(doc, fixtures[f], &m), 0);
		json_decref(doc);
		assert_int_equal(ldp_metadata_copy(m, &c), 0);
		assert_metadata_equal(m, c);
		json_t *want = ldp_metadata_to_json(m);
		/* independent: changing the copy's arrays and strings leaves the original alone */
		assert_true(c->nsnapshots > 0);
		assert_ptr_not_equal(c->snapshots[0], m->snapshots[0]);
		assert_ptr_not_equal(c->snapshots[0]->summary, m->snapshots[0]->summary);
		assert_ptr_not_equal(c->location, m->location);
		c->snapshots[0]->timestamp_ms++;
		assert_int_equal(c->snapshots[0]->timestamp_ms, m->snapshots[0]->timestamp_ms + 1);
		c->snapshots[0]->timestamp_ms--;
		ldp_metadata_free(m);
		json_t *got = ldp_metadata_to_json(c);
		if (!json_equal(got, want))
			fail_msg("%s: the copy writes different JSON:\n%s", fixtures[f], ldp_json_dumps(got, LDP_JSON_PRETTY));
		/* a copy of a copy, after the original is gone, and a builder on it */
		assert_int_equal(ldp_metadata_copy(c, &cc), 0);
		ldp_metadata_free(c);
		json_t *again = ldp_metadata_to_json(cc);
		assert_true(json_equal(again, want));
		ldp_metadata *logged;
		assert_int_equal(ldp_metadata_add_metadata_log(cc, "s3://b/t/metadata/00009-x.metadata.json", cc->last_updated_ms, &logged), 0);
		assert_string_equal(logged->metadata_log[logged->nmetadata_log - 1].metadata_file, "s3://b/t/metadata/00009-x.metadata.json");
		ldp_metadata_free(logged);
		ldp_metadata_free(cc);
		json_decref(again);
		json_decref(got);
		json_decref(want);
	}
}

/* Load the v2 fixture, apply `edit`, parse under a realistic file name. */
static void expect_error(void (*edit)(json_t *), int code, const char *needle)
{
	json_t *j = load_json(FIX("v2.metadata.json"));
	edit(j);
	ldp_metadata *m = NULL;
	assert_int_equal(ldp_metadata_parse(j, "s3://b/t/metadata/00003-abc.metadata.json", &m), code);
	assert_null(m);
	assert_msg_has("metadata 00003-abc.metadata.json: ");
	assert_msg_has(needle);
	json_decref(j);
}

static void e_snapshots_object(json_t *j) { json_object_set_new(j, "snapshots", json_object()); }
static void e_no_schemas(json_t *j) { json_object_del(j, "schemas"); }
static void e_bad_schema_id(json_t *j) { json_object_set_new(j, "current-schema-id", json_integer(9)); }
static void e_version4(json_t *j) { json_object_set_new(j, "format-version", json_integer(4)); }
static void e_column_id_string(json_t *j) { json_object_set_new(j, "last-column-id", json_string("5")); }
static void e_no_uuid(json_t *j) { json_object_del(j, "table-uuid"); }
static void e_no_seq(json_t *j) { json_object_del(j, "last-sequence-number"); }
static void e_snapshot_no_ts(json_t *j)
{
	json_object_del(json_array_get(json_object_get(j, "snapshots"), 1), "timestamp-ms");
}
static void e_ref_unknown(json_t *j)
{
	json_object_set_new(json_object_get(json_object_get(j, "refs"), "audit"), "snapshot-id", json_integer(42));
}
static void e_main_mismatch(json_t *j)
{
	json_object_set_new(j, "current-snapshot-id", json_integer(3051729675574597004LL));
}
static void e_bad_direction(json_t *j)
{
	json_t *f = json_array_get(json_object_get(json_array_get(json_object_get(j, "sort-orders"), 1), "fields"), 0);
	json_object_set_new(f, "direction", json_string("up"));
}
static void e_property_number(json_t *j)
{
	json_object_set_new(json_object_get(j, "properties"), "n", json_integer(1));
}
static void e_current_unknown(json_t *j)
{
	json_object_set_new(j, "current-snapshot-id", json_integer(77));
	json_object_del(j, "refs");
}
static void e_dup_field_id(json_t *j)
{
	json_t *f = json_array_get(json_object_get(json_array_get(json_object_get(j, "schemas"), 1), "fields"), 2);
	json_object_set_new(f, "id", json_integer(1));
}

static void test_errors(void **state)
{
	(void)state;
	expect_error(e_snapshots_object, LDP_ECORRUPT, "field 'snapshots' must be an array");
	expect_error(e_no_schemas, LDP_ECORRUPT, "missing required field 'schemas'");
	expect_error(e_bad_schema_id, LDP_ECORRUPT, "'current-schema-id' is 9");
	expect_error(e_version4, LDP_EUNSUPPORTED, "format-version 4");
	expect_error(e_column_id_string, LDP_ECORRUPT, "field 'last-column-id' must be an integer");
	expect_error(e_no_uuid, LDP_ECORRUPT, "'table-uuid'");
	expect_error(e_no_seq, LDP_ECORRUPT, "'last-sequence-number'");
	expect_error(e_snapshot_no_ts, LDP_ECORRUPT, "snapshots[1]: missing required field 'timestamp-ms'");
	expect_error(e_ref_unknown, LDP_ECORRUPT, "ref 'audit': snapshot 42");
	expect_error(e_main_mismatch, LDP_ECORRUPT, "'main' branch");
	expect_error(e_bad_direction, LDP_ECORRUPT, "field 'direction'");
	expect_error(e_property_number, LDP_ECORRUPT, "property 'n' must be a string");
	expect_error(e_current_unknown, LDP_ECORRUPT, "'current-snapshot-id' is 77");
	expect_error(e_dup_field_id, LDP_ECORRUPT, "field id 1 is used by more than one field");

	ldp_metadata *m = NULL;
	const char *bad = "{\"format-version\": 2,\n \"location\": }";
	assert_int_equal(ldp_metadata_parse_text(bad, strlen(bad), "/x/00001-u.metadata.json", &m), LDP_ECORRUPT);
	assert_msg_has("metadata 00001-u.metadata.json:2:");
	assert_int_equal(ldp_metadata_load_file(FIX("missing.metadata.json"), &m), LDP_ENOTFOUND);
	assert_null(m);
}

static void test_history(void **state)
{
	(void)state;
	ldp_metadata *m = load(FIX("v2.metadata.json"));
	const ldp_snapshot *s;
	/* snapshot-log: 3051... at 1515100955770, 3055... at 1555100955770 */
	assert_int_equal(ldp_metadata_snapshot_as_of(m, 1515100955769LL, &s), LDP_ENOTFOUND);
	assert_msg_has("2018-01-04"); /* the earliest known time, 1515100955770 ms */
	assert_int_equal(ldp_metadata_snapshot_as_of(m, 1515100955770LL, &s), 0);
	assert_int_equal(s->snapshot_id, 3051729675574597004LL);
	assert_int_equal(ldp_metadata_snapshot_as_of(m, 1555100955769LL, &s), 0);
	assert_int_equal(s->snapshot_id, 3051729675574597004LL);
	/* 3059... lives on the audit branch only: never current */
	assert_int_equal(ldp_metadata_snapshot_as_of(m, 1600000000000LL, &s), 0);
	assert_int_equal(s->snapshot_id, 3055729675574597004LL);

	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_snapshot **anc;
	size_t n;
	assert_int_equal(ldp_metadata_ancestors(m, 3059729675574597004LL, &a, &anc, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(anc[0]->snapshot_id, 3059729675574597004LL);
	assert_int_equal(anc[1]->snapshot_id, 3055729675574597004LL);
	assert_int_equal(anc[2]->snapshot_id, 3051729675574597004LL);
	assert_int_equal(ldp_metadata_ancestors(m, 5, &a, &anc, &n), LDP_ENOTFOUND);
	assert_true(ldp_metadata_is_ancestor(m, 3059729675574597004LL, 3051729675574597004LL));
	assert_true(ldp_metadata_is_ancestor(m, 3059729675574597004LL, 3059729675574597004LL));
	assert_false(ldp_metadata_is_ancestor(m, 3051729675574597004LL, 3059729675574597004LL));
	ldp_arena_free(&a);
	ldp_metadata_free(m);
}

/* ---- builders ---- */

static ldp_schema *parse_schema(ldp_arena *a, json_t **keep, const char *text)
{
	*keep = json_loads(text, 0, NULL);
	assert_non_null(*keep);
	ldp_schema *s;
	if (ldp_schema_parse(a, *keep, "test", &s))
		fail_msg("%s", ldp_error_last()->message);
	return s;
}

static const char *USER_SCHEMA =
	"{\"type\": \"struct\", \"fields\": ["
	" {\"id\": 10, \"name\": \"loc\", \"required\": false, \"type\": {\"type\": \"struct\", \"fields\": ["
	"   {\"id\": 11, \"name\": \"lat\", \"required\": false, \"type\": \"double\"}]}},"
	" {\"id\": 20, \"name\": \"ts\", \"required\": true, \"type\": \"timestamptz\"},"
	" {\"id\": 30, \"name\": \"id\", \"required\": true, \"type\": \"long\","
	"  \"initial-default\": 5, \"write-default\": 6}]}";

/* A new table: loc=1, ts=2, id=3, loc.lat=4. */
static ldp_metadata *new_table(void)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	json_t *keep;
	ldp_schema *s = parse_schema(&a, &keep, USER_SCHEMA);
	ldp_partition_field pf[] = {
		{.source_id = 20, .field_id = 7, .name = "ts_day"},
		{.source_id = 11, .name = "lat_bucket"},
	};
	ldp_transform_parse("day", NULL, &pf[0].transform);
	ldp_transform_parse("bucket[8]", NULL, &pf[1].transform);
	ldp_partition_spec spec = {.spec_id = 5, .nfields = 2, .fields = pf};
	ldp_sort_field sf[] = {{.source_id = 30, .descending = true}};
	ldp_transform_parse("identity", NULL, &sf[0].transform);
	ldp_sort_order order = {.order_id = 9, .nfields = 1, .fields = sf};
	ldp_kv props[] = {{"owner", "me"}};
	ldp_metadata *m;
	if (ldp_metadata_new("/wh/ns/t/", s, &spec, &order, props, 1, &m))
		fail_msg("%s", ldp_error_last()->message);
	/* the input is unchanged */
	assert_int_equal(s->root.fields[0].id, 10);
	assert_int_equal(pf[0].source_id, 20);
	json_decref(keep);
	ldp_arena_free(&a);
	return m;
}

static void test_new_table(void **state)
{
	(void)state;
	ldp_metadata *m = new_table();
	assert_int_equal(m->format_version, 2);
	assert_string_equal(m->location, "/wh/ns/t");
	assert_int_equal(strlen(m->table_uuid), 36);
	assert_int_equal(m->table_uuid[14], '4');
	assert_int_equal(m->last_column_id, 4);
	const ldp_schema *s = ldp_metadata_current_schema(m);
	assert_int_equal(s->schema_id, 0);
	assert_int_equal(ldp_schema_field_by_name(s, "loc")->id, 1);
	assert_int_equal(ldp_schema_field_by_name(s, "ts")->id, 2);
	assert_int_equal(ldp_schema_field_by_name(s, "id")->id, 3);
	assert_int_equal(ldp_schema_field_by_name(s, "loc.lat")->id, 4);
	assert_int_equal(json_integer_value(ldp_schema_field_by_name(s, "id")->write_default), 6);
	const ldp_partition_spec *spec = ldp_metadata_default_spec(m);
	assert_int_equal(spec->spec_id, 0);
	assert_int_equal(spec->fields[0].field_id, 1000);
	assert_int_equal(spec->fields[0].source_id, 2); /* ts */
	assert_int_equal(spec->fields[1].field_id, 1001);
	assert_int_equal(spec->fields[1].source_id, 4); /* loc.lat */
	assert_int_equal(m->last_partition_id, 1001);
	const ldp_sort_order *so = ldp_metadata_default_sort_order(m);
	assert_int_equal(so->order_id, 1);
	assert_int_equal(so->fields[0].source_id, 3);
	assert_true(so->fields[0].descending);
	assert_string_equal(ldp_metadata_property(m, "owner"), "me");
	assert_int_equal(m->current_snapshot_id, -1);
	assert_int_equal(m->last_sequence_number, 0);
	json_t *w = round_trip(m);
	assert_int_equal(json_integer_value(json_object_get(w, "current-snapshot-id")), -1);
	assert_int_equal(json_object_size(json_object_get(w, "refs")), 0);
	json_decref(w);

	/* Unpartitioned and unsorted. */
	ldp_arena a;
	ldp_arena_init(&a, 0);
	json_t *keep;
	ldp_schema *us = parse_schema(&a, &keep, USER_SCHEMA);
	ldp_metadata *u;
	assert_int_equal(ldp_metadata_new("/wh/u", us, NULL, NULL, NULL, 0, &u), 0);
	assert_int_equal(ldp_metadata_default_spec(u)->nfields, 0);
	assert_int_equal(u->last_partition_id, 999);
	assert_int_equal(u->default_sort_order_id, 0);
	assert_int_equal(ldp_metadata_default_sort_order(u)->nfields, 0);
	assert_string_not_equal(u->table_uuid, m->table_uuid);
	ldp_metadata_free(u);

	/* A spec naming a column the schema lacks. */
	ldp_partition_field bad = {.source_id = 99, .name = "nope"};
	ldp_transform_parse("identity", NULL, &bad.transform);
	ldp_partition_spec bs = {.nfields = 1, .fields = &bad};
	assert_int_equal(ldp_metadata_new("/wh/b", us, &bs, NULL, NULL, 0, &u), LDP_EINVALID);
	assert_msg_has("'nope' refers to column id 99");
	json_decref(keep);
	ldp_arena_free(&a);
	ldp_metadata_free(m);
}

static ldp_snapshot snap(int64_t id, int64_t parent, int64_t ts, const char *ml)
{
	static ldp_kv sum[] = {{"added-records", "10"}, {"operation", "append"}};
	ldp_snapshot s = {.snapshot_id = id, .parent_id = parent, .timestamp_ms = ts, .manifest_list = ml,
			  .schema_id = -1, .nsummary = 2, .summary = sum};
	return s;
}

static void test_add_snapshots_and_refs(void **state)
{
	(void)state;
	ldp_metadata *m0 = new_table(), *m1, *m2, *m3, *m4, *m5, *m6, *m7;
	ldp_snapshot s1 = snap(111, -1, 1700000000000LL, "/wh/ns/t/metadata/snap-111.avro");
	ldp_snapshot s2 = snap(222, 111, 1700000100000LL, "/wh/ns/t/metadata/snap-222.avro");
	assert_int_equal(ldp_metadata_add_snapshot(m0, &s1, NULL, &m1), 0);
	assert_int_equal(ldp_metadata_add_snapshot(m1, &s2, "main", &m2), 0);
	/* inputs unchanged */
	assert_int_equal(m0->nsnapshots, 0);
	assert_int_equal(m0->current_snapshot_id, -1);
	assert_int_equal(m1->nsnapshots, 1);
	assert_int_equal(m1->current_snapshot_id, 111);

	assert_int_equal(m2->nsnapshots, 2);
	assert_int_equal(m2->current_snapshot_id, 222);
	assert_int_equal(m2->last_sequence_number, 2);
	assert_int_equal(ldp_metadata_snapshot(m2, 111)->sequence_number, 1);
	assert_int_equal(ldp_metadata_snapshot(m2, 222)->sequence_number, 2);
	assert_int_equal(ldp_metadata_snapshot(m2, 222)->schema_id, 0);
	assert_int_equal(m2->last_updated_ms, 1700000100000LL);
	assert_int_equal(ldp_metadata_ref(m2, "main")->snapshot_id, 222);
	assert_int_equal(m2->nsnapshot_log, 2);
	assert_int_equal(m2->snapshot_log[1].timestamp_ms, 1700000100000LL);
	const ldp_snapshot *cur = ldp_metadata_current_snapshot(m2);
	assert_string_equal(cur->summary[0].key, "operation"); /* operation first */
	assert_string_equal(cur->operation, "append");
	assert_string_equal(ldp_snapshot_summary(cur, "added-records"), "10");
	const ldp_snapshot *s;
	assert_int_equal(ldp_metadata_snapshot_as_of(m2, 1700000050000LL, &s), 0);
	assert_int_equal(s->snapshot_id, 111);
	json_t *w = round_trip(m2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(w, "refs"), "main"),
							     "snapshot-id")),
			 222);
	json_decref(w);

	/* reused id; sequence number not increasing */
	assert_int_equal(ldp_metadata_add_snapshot(m2, &s1, NULL, &m3), LDP_EEXISTS);
	assert_msg_has("snapshot id 111");
	ldp_snapshot low = snap(333, 222, 1700000200000LL, "/x.avro");
	low.sequence_number = 2;
	assert_int_equal(ldp_metadata_add_snapshot(m2, &low, NULL, &m3), LDP_EINVALID);
	assert_msg_has("sequence number 2");
	ldp_snapshot noop = snap(334, 222, 1700000200000LL, "/x.avro");
	noop.nsummary = 1; /* only added-records */
	assert_int_equal(ldp_metadata_add_snapshot(m2, &noop, NULL, &m3), LDP_EINVALID);
	assert_msg_has("operation");

	/* a branch: main and the snapshot-log stay */
	ldp_snapshot s3 = snap(333, 222, 1700000200000LL, "/wh/ns/t/metadata/snap-333.avro");
	assert_int_equal(ldp_metadata_add_snapshot(m2, &s3, "dev", &m3), 0);
	assert_int_equal(m3->current_snapshot_id, 222);
	assert_int_equal(m3->nsnapshot_log, 2);
	assert_int_equal(ldp_metadata_ref(m3, "dev")->snapshot_id, 333);
	assert_int_equal(m3->last_sequence_number, 3);

	/* a tag, then committing to it fails */
	ldp_ref tag = {"t1", 111, true, 86400000, -1, -1};
	assert_int_equal(ldp_metadata_set_ref(m3, &tag, &m4), 0);
	assert_true(ldp_metadata_ref(m4, "t1")->is_tag);
	assert_int_equal(ldp_metadata_ref(m4, "t1")->max_ref_age_ms, 86400000);
	ldp_snapshot s4 = snap(444, 111, 1700000300000LL, "/x.avro");
	ldp_metadata *bad;
	assert_int_equal(ldp_metadata_add_snapshot(m4, &s4, "t1", &bad), LDP_EINVALID);
	assert_msg_has("'t1' is a tag");
	ldp_ref dangling = {"t2", 999, true, -1, -1, -1};
	assert_int_equal(ldp_metadata_set_ref(m4, &dangling, &bad), LDP_ENOTFOUND);

	/* rollback to 111: current and log change, as-of now sees 111 */
	assert_int_equal(ldp_metadata_set_current_snapshot(m4, 111, &m5), 0);
	assert_int_equal(m5->current_snapshot_id, 111);
	assert_int_equal(ldp_metadata_ref(m5, "main")->snapshot_id, 111);
	assert_int_equal(m5->nsnapshot_log, 3);
	assert_int_equal(m5->snapshot_log[2].snapshot_id, 111);
	assert_int_equal(ldp_metadata_snapshot_as_of(m5, ldp_now_ms() + 1000, &s), 0);
	assert_int_equal(s->snapshot_id, 111);
	assert_int_equal(ldp_metadata_set_current_snapshot(m4, 5, &bad), LDP_ENOTFOUND);

	/* remove refs; removing main leaves no current snapshot */
	assert_int_equal(ldp_metadata_remove_ref(m5, "dev", &m6), 0);
	assert_null(ldp_metadata_ref(m6, "dev"));
	assert_int_equal(ldp_metadata_remove_ref(m6, "dev", &bad), LDP_ENOTFOUND);
	assert_int_equal(ldp_metadata_remove_ref(m6, "main", &m7), 0);
	assert_int_equal(m7->current_snapshot_id, -1);
	assert_null(ldp_metadata_current_snapshot(m7));
	json_decref(round_trip(m7));

	ldp_metadata *ms[] = {m0, m1, m2, m3, m4, m5, m6, m7};
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		ldp_metadata_free(ms[i]);
}

static void test_evolution_builders(void **state)
{
	(void)state;
	ldp_metadata *m0 = new_table(), *m1, *m2, *m3, *m4, *m5, *m6, *m7, *m8, *bad;
	/* properties */
	ldp_kv kv[] = {{"owner", "you"}, {"write.metadata.previous-versions-max", "2"}};
	assert_int_equal(ldp_metadata_set_properties(m0, kv, 2, &m1), 0);
	assert_string_equal(ldp_metadata_property(m1, "owner"), "you");
	assert_string_equal(ldp_metadata_property(m0, "owner"), "me");
	const char *rm[] = {"owner", "absent"};
	assert_int_equal(ldp_metadata_remove_properties(m1, rm, 2, &m2), 0);
	assert_null(ldp_metadata_property(m2, "owner"));
	assert_int_equal(m2->nproperties, 1);

	/* a schema with a new column 5 */
	ldp_arena a;
	ldp_arena_init(&a, 0);
	json_t *keep;
	ldp_schema *ns = parse_schema(&a, &keep,
				      "{\"type\": \"struct\", \"fields\": ["
				      " {\"id\": 2, \"name\": \"ts\", \"required\": true, \"type\": \"timestamptz\"},"
				      " {\"id\": 5, \"name\": \"extra\", \"required\": false, \"type\": \"string\"}]}");
	int32_t sid = -1;
	assert_int_equal(ldp_metadata_add_schema(m2, ns, &sid, &m3), 0);
	assert_int_equal(sid, 1);
	assert_int_equal(m3->last_column_id, 5);
	assert_int_equal(m3->current_schema_id, 0);
	assert_int_equal(ldp_metadata_add_schema(m3, ns, &sid, &m4), 0); /* same fields: reused */
	assert_int_equal(sid, 1);
	assert_int_equal(m4->nschemas, 2);
	ldp_metadata_free(m4);
	assert_int_equal(ldp_metadata_set_current_schema(m3, 1, &m4), 0);
	assert_int_equal(ldp_metadata_current_schema(m4)->schema_id, 1);
	assert_int_equal(ldp_metadata_set_current_schema(m3, 7, &bad), LDP_ENOTFOUND);

	/* a spec: day(ts) keeps its id 1000, identity(extra) gets 1002 */
	ldp_partition_field pf[] = {{.source_id = 2, .name = "ts_day"}, {.source_id = 5, .name = "extra"}};
	ldp_transform_parse("day", NULL, &pf[0].transform);
	ldp_transform_parse("identity", NULL, &pf[1].transform);
	ldp_partition_spec spec = {.nfields = 2, .fields = pf};
	int32_t spec_id = -1;
	assert_int_equal(ldp_metadata_add_spec(m4, &spec, &spec_id, &m5), 0);
	assert_int_equal(spec_id, 1);
	assert_int_equal(ldp_metadata_spec(m5, 1)->fields[0].field_id, 1000);
	assert_int_equal(ldp_metadata_spec(m5, 1)->fields[1].field_id, 1002);
	assert_int_equal(m5->last_partition_id, 1002);
	assert_int_equal(m5->default_spec_id, 0);
	assert_int_equal(pf[1].field_id, 0); /* input untouched */
	ldp_metadata *m5b;
	assert_int_equal(ldp_metadata_set_default_spec(m5, 1, &m5b), 0);
	assert_int_equal(ldp_metadata_default_spec(m5b)->spec_id, 1);
	ldp_metadata_free(m5b);
	pf[1].source_id = 3; /* id: not in schema 1 */
	assert_int_equal(ldp_metadata_add_spec(m4, &spec, &spec_id, &bad), LDP_EINVALID);
	assert_msg_has("column id 3");

	/* sort orders: unsorted is 0, a new one is max + 1 */
	ldp_sort_order unsorted = {0};
	int32_t oid = -1;
	assert_int_equal(ldp_metadata_add_sort_order(m5, &unsorted, &oid, &m6), 0);
	assert_int_equal(oid, 0);
	assert_int_equal(m6->nsort_orders, 2);
	ldp_sort_field sf[] = {{.source_id = 5, .nulls_first = true}};
	ldp_transform_parse("truncate[4]", NULL, &sf[0].transform);
	ldp_sort_order order = {.nfields = 1, .fields = sf};
	ldp_metadata *m6b;
	assert_int_equal(ldp_metadata_add_sort_order(m6, &order, &oid, &m6b), 0);
	assert_int_equal(oid, 2);
	assert_int_equal(ldp_metadata_set_default_sort_order(m6b, 2, &m7), 0);
	assert_int_equal(ldp_metadata_default_sort_order(m7)->fields[0].transform.param, 4);
	ldp_metadata_free(m6b);

	/* metadata-log keeps the newest two (previous-versions-max = 2) */
	ldp_metadata *l1, *l2;
	assert_int_equal(ldp_metadata_add_metadata_log(m7, "/m/00000-a.metadata.json", 1, &l1), 0);
	assert_int_equal(ldp_metadata_add_metadata_log(l1, "/m/00001-b.metadata.json", 2, &l2), 0);
	assert_int_equal(ldp_metadata_add_metadata_log(l2, "/m/00002-c.metadata.json", 3, &m8), 0);
	assert_int_equal(m8->nmetadata_log, 2);
	assert_string_equal(m8->metadata_log[0].metadata_file, "/m/00001-b.metadata.json");
	assert_int_equal(m8->metadata_log[1].timestamp_ms, 3);
	json_decref(round_trip(m8));

	ldp_metadata *ms[] = {m0, m1, m2, m3, m4, m5, m6, m7, m8, l1, l2};
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		ldp_metadata_free(ms[i]);
	json_decref(keep);
	ldp_arena_free(&a);
}

static void test_names_and_ids(void **state)
{
	(void)state;
	char *name;
	assert_int_equal(ldp_metadata_file_name(3, &name), 0);
	assert_int_equal(strlen(name), strlen("00003-") + 36 + strlen(".metadata.json"));
	assert_memory_equal(name, "00003-", 6);
	assert_string_equal(name + 6 + 36, ".metadata.json");
	assert_int_equal(ldp_metadata_file_version(name), 3);
	free(name);
	assert_int_equal(ldp_metadata_file_version("s3://b/t/metadata/00012-6f1c.metadata.json"), 12);
	assert_int_equal(ldp_metadata_file_version("/t/metadata/00001-abc.gz.metadata.json"), 1);
	assert_int_equal(ldp_metadata_file_version("/t/metadata/v7.metadata.json"), 7);
	assert_int_equal(ldp_metadata_file_version("/t/metadata/123456-x.metadata.json"), 123456);
	assert_int_equal(ldp_metadata_file_version("/t/metadata/snap-1-abc.avro"), -1);
	assert_int_equal(ldp_metadata_file_version("/t/metadata/foo.metadata.json"), -1);
	assert_int_equal(ldp_metadata_file_version("/t/metadata/00001.metadata.json"), -1);
	assert_int_equal(ldp_metadata_file_version("/t/metadata/v1x.metadata.json"), -1);

	char u1[37], u2[37];
	assert_int_equal(ldp_uuid4(u1), 0);
	assert_int_equal(ldp_uuid4(u2), 0);
	assert_string_not_equal(u1, u2);
	assert_int_equal(u1[8], '-');
	assert_int_equal(u1[14], '4');
	assert_non_null(strchr("89ab", u1[19]));

	ldp_metadata *m = load(FIX("v2.metadata.json"));
	int64_t id;
	assert_int_equal(ldp_metadata_new_snapshot_id(m, &id), 0);
	assert_true(id > 0);
	assert_null(ldp_metadata_snapshot(m, id));
	ldp_metadata_free(m);

	int64_t t = ldp_now_ms();
	assert_true(t > 1700000000000LL); /* after 2023-11 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_v3),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_write_compact),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_new_table),
		cmocka_unit_test(test_add_snapshots_and_refs),
		cmocka_unit_test(test_evolution_builders),
		cmocka_unit_test(test_names_and_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
