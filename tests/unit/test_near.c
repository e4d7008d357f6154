/*
 * NEAR Lake flattening over the real fixtures (tests/fixtures/near-lake):
 * both input shapes, row counts per table, exact values from the JSON.
 *
 * Expected counts were computed independently with tests/e2e/near_counts.py
 * (python's json module over the same files):
 *   879765 (lake layout):   1 block, 1 chunk, 1 tx, 1 receipt, 1 outcome, 2 actions
 *   61321189 (message):     1, 4, 10, 18, 18, 28
 *   105793821 (message):    1, 4, 68, 378, 334, 395
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest/near.h"
#include "ldp/error.h"

static void open_writer(near_writer *w)
{
	memset(w, 0, sizeof *w);
	for (int t = 0; t < NEAR_NTABLES; t++) {
		w->f[t] = tmpfile();
		assert_non_null(w->f[t]);
	}
}

static void close_writer(near_writer *w)
{
	for (int t = 0; t < NEAR_NTABLES; t++)
		fclose(w->f[t]);
}

/* The n-th line of table t as JSON. */
static json_t *row_at(near_writer *w, int t, int64_t n)
{
	rewind(w->f[t]);
	char line[1 << 16];
	for (int64_t i = 0; fgets(line, sizeof line, w->f[t]); i++) {
		if (i == n) {
			json_error_t e;
			json_t *j = json_loads(line, 0, &e);
			assert_non_null(j);
			return j;
		}
	}
	fail_msg("table %d has no row %lld", t, (long long)n);
	return NULL;
}

static void flatten_entries(near_store *s, int64_t from, int64_t to, near_writer *w, size_t *nblocks)
{
	near_entry *e = NULL;
	size_t n = 0;
	assert_int_equal(s->list(s->ctx, from, to, &e, &n), 0);
	for (size_t i = 0; i < n; i++) {
		json_t *msg = NULL;
		int rc = near_load_block(s, &e[i], &msg);
		if (rc)
			fail_msg("%s", ldp_error_last()->message);
		assert_int_equal(near_flatten_block(msg, e[i].key, w), 0);
		json_decref(msg);
	}
	*nblocks = n;
	near_entries_free(e, n);
}

static void test_lake_layout(void **state)
{
	(void)state;
	near_store s;
	assert_int_equal(near_store_local(LDP_FIXTURES "/near-lake/s3-layout", &s), 0);
	near_writer w;
	open_writer(&w);
	size_t n;
	flatten_entries(&s, 0, -1, &w, &n);
	assert_int_equal(n, 1);
	const int64_t want[NEAR_NTABLES] = {1, 1, 1, 1, 1, 2};
	for (int t = 0; t < NEAR_NTABLES; t++)
		assert_int_equal(w.rows[t], want[t]);
	json_t *b = row_at(&w, NEAR_BLOCKS, 0);
	assert_int_equal(json_integer_value(json_object_get(b, "block_height")), 879765);
	assert_string_equal(json_string_value(json_object_get(b, "block_hash")),
			    "95K8Je1iAVqieVU8ZuGgSdbvYs8T9rL6ER1XnRekMGbj");
	assert_int_equal(json_integer_value(json_object_get(b, "block_timestamp_ns")), 1676913656724153000LL);
	assert_string_equal(json_string_value(json_object_get(b, "total_supply")), "2085303629225498163419972383984892");
	json_decref(b);
	/* the transaction's single action is a Delegate (the fixture's localnet test) */
	json_t *a = row_at(&w, NEAR_ACTIONS, 0);
	assert_string_equal(json_string_value(json_object_get(a, "source")), "transaction");
	assert_string_equal(json_string_value(json_object_get(a, "action_kind")), "Delegate");
	assert_string_equal(json_string_value(json_object_get(a, "parent_id")),
			    "EZnJpyJDnkwnadB1V8PqjVMx7oe2zLhUMtJ8v6EUh1NQ");
	json_decref(a);
	json_t *o = row_at(&w, NEAR_OUTCOMES, 0);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "Failure");
	assert_int_equal(json_integer_value(json_object_get(o, "gas_burnt")), 308059500000LL);
	json_decref(o);
	close_writer(&w);
	s.free_ctx(s.ctx);
}

static void test_streamer_messages(void **state)
{
	(void)state;
	near_store s;
	/* the fixture root holds both shapes, one and two levels down */
	assert_int_equal(near_store_local(LDP_FIXTURES "/near-lake", &s), 0);
	near_writer w;
	open_writer(&w);
	size_t n;
	flatten_entries(&s, 61321189, 61321189, &w, &n);
	assert_int_equal(n, 1);
	const int64_t want[NEAR_NTABLES] = {1, 4, 10, 18, 18, 28};
	for (int t = 0; t < NEAR_NTABLES; t++)
		assert_int_equal(w.rows[t], want[t]);
	/* camelCase keys; the exact nanosecond string wins over the rounded number */
	json_t *b = row_at(&w, NEAR_BLOCKS, 0);
	assert_int_equal(json_integer_value(json_object_get(b, "block_timestamp_ns")), 1647137534885263529LL);
	assert_string_equal(json_string_value(json_object_get(b, "author")), "rekt.poolv1.near");
	json_decref(b);
	json_t *c = row_at(&w, NEAR_CHUNKS, 0);
	assert_string_equal(json_string_value(json_object_get(c, "chunk_hash")),
			    "7fjyBiKVyQUbNpfeQM5dQuxLw3Dy8KbSbhpZMgHRzbnr");
	assert_int_equal(json_integer_value(json_object_get(c, "gas_used")), 17386716097843LL);
	json_decref(c);
	json_t *a = row_at(&w, NEAR_ACTIONS, 0);
	assert_string_equal(json_string_value(json_object_get(a, "action_kind")), "FunctionCall");
	assert_string_equal(json_string_value(json_object_get(a, "method_name")), "claim_assignment");
	assert_string_equal(json_string_value(json_object_get(a, "signer_id")), "andriis.near");
	json_decref(a);
	close_writer(&w);

	/* every block of the tree, in height order */
	open_writer(&w);
	flatten_entries(&s, 0, -1, &w, &n);
	assert_int_equal(n, 3);
	const int64_t all[NEAR_NTABLES] = {3, 9, 79, 397, 353, 425};
	for (int t = 0; t < NEAR_NTABLES; t++)
		assert_int_equal(w.rows[t], all[t]);
	json_t *first = row_at(&w, NEAR_BLOCKS, 0);
	assert_int_equal(json_integer_value(json_object_get(first, "block_height")), 879765);
	json_decref(first);
	close_writer(&w);
	s.free_ctx(s.ctx);
}

static void test_not_a_block(void **state)
{
	(void)state;
	near_writer w;
	open_writer(&w);
	json_t *j = json_pack("{s{s{ss}}}", "block", "header", "hash", "x");
	assert_int_equal(near_flatten_block(j, "bad.json", &w), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "bad.json"));
	json_decref(j);
	close_writer(&w);
}

static void test_select_sql(void **state)
{
	(void)state;
	char *sql = NULL;
	assert_int_equal(near_table_select(&near_tables[NEAR_BLOCKS], "/tmp/x'y.ndjson", 41, &sql), 0);
	assert_non_null(strstr(sql, "'/tmp/x''y.ndjson'"));
	assert_non_null(strstr(sql, "WHERE block_height > 41"));
	assert_non_null(strstr(sql, "'total_supply': 'DECIMAL(38,0)'"));
	free(sql);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lake_layout),
		cmocka_unit_test(test_streamer_messages),
		cmocka_unit_test(test_not_a_block),
		cmocka_unit_test(test_select_sql),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
