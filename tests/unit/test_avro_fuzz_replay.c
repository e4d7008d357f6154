/*
 * Replays the libFuzzer entry point of tests/fuzz/fuzz_avro.c over a fixed,
 * deterministic set of mutated inputs, so that every CI run (gcc, no
 * libFuzzer) exercises it under ASan/UBSan. The entry point aborts when a
 * property fails; a crash or sanitizer report fails this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_avro.c"

/* xorshift64*: the same sequence on every run and platform. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* One to four random edits of the kinds libFuzzer makes. */
static size_t mutate(uint8_t *buf, size_t len, size_t cap)
{
	static const uint8_t interesting[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 0xfe, 0x40};
	int edits = 1 + (int)rnd_below(4);
	for (int e = 0; e < edits && len; e++) {
		size_t at = rnd_below(len);
		switch (rnd_below(7)) {
		case 0: buf[at] ^= (uint8_t)(1u << rnd_below(8)); break;
		case 1: buf[at] = interesting[rnd_below(sizeof interesting)]; break;
		case 2: buf[at] = (uint8_t)rnd(); break;
		case 3: len = at; break; /* truncate */
		case 4: {                /* delete a range */
			size_t n = 1 + rnd_below(8);
			if (at + n > len)
				n = len - at;
			memmove(buf + at, buf + at + n, len - at - n);
			len -= n;
			break;
		}
		case 5: { /* duplicate a range */
			size_t n = 1 + rnd_below(16);
			if (at + n > len)
				n = len - at;
			if (len + n <= cap) {
				memmove(buf + at + n, buf + at, len - at);
				len += n;
			}
			break;
		}
		default: { /* a varint-shaped run of continuation bytes */
			size_t n = 1 + rnd_below(10);
			for (size_t i = 0; i < n && at + i < len; i++)
				buf[at + i] = 0x80 | (uint8_t)rnd();
			break;
		}
		}
	}
	return len;
}

static ldp_avro_value *seed_record(ldp_arena *a, const ldp_avro_schema *s, int k)
{
	ldp_avro_value *r = ldp_avro_record(a, s, false);
	ldp_avro_record_set(r, "status", ldp_avro_int(a, k));
	ldp_avro_record_set(r, "sid", k % 2 ? ldp_avro_long(a, 1000 + k) : ldp_avro_null(a));
	ldp_avro_record_set(r, "path", ldp_avro_string(a, "s3://bucket/data/00000-0-file.parquet"));
	ldp_avro_record_set(r, "f", ldp_avro_fixed(a, ldp_avro_schema_field(s, "f", NULL)->type, "xyz", 3));
	ldp_avro_value *m = ldp_avro_map(a);
	ldp_avro_map_put(a, m, "a", ldp_avro_double(a, 1.5));
	ldp_avro_map_put(a, m, "b", ldp_avro_null(a));
	ldp_avro_record_set(r, "m", m);
	ldp_avro_value *kv = ldp_avro_array(a);
	const ldp_avro_schema *kvs = ldp_avro_schema_field(s, "kv", NULL)->type->items;
	for (int i = 0; i < 3; i++) {
		ldp_avro_value *e = ldp_avro_record(a, kvs, false);
		ldp_avro_record_set(e, "key", ldp_avro_int(a, i + 1));
		ldp_avro_record_set(e, "value", ldp_avro_bytes(a, "\x01\x02\x03\x04", (size_t)i + 1));
		ldp_avro_array_append(a, kv, e);
	}
	ldp_avro_record_set(r, "kv", kv);
	ldp_avro_value *n = ldp_avro_array(a);
	ldp_avro_array_append(a, n, ldp_avro_null(a));
	ldp_avro_record_set(r, "n", n);
	ldp_avro_record_set(r, "e", ldp_avro_enum(a, ldp_avro_schema_field(s, "e", NULL)->type, k % 2 ? "A" : "B"));
	ldp_avro_record_set(r, "b", ldp_avro_bool(a, k & 1));
	ldp_avro_record_set(r, "fl", ldp_avro_float(a, 0.25f * (float)k));
	return r;
}

static void make_seed(ldp_avro_codec codec, ldp_buf *out)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *s;
	assert_int_equal(ldp_avro_schema_parse(&a, RAW_SCHEMA, sizeof RAW_SCHEMA - 1, &s), 0);
	ldp_avro_writer_opts o = {.codec = codec, .block_size = 150};
	ldp_avro_writer *w;
	assert_int_equal(ldp_avro_writer_new(s, &o, out, &w), 0);
	assert_int_equal(ldp_avro_writer_meta_str(w, "format-version", "2"), 0);
	for (int k = 0; k < 4; k++)
		assert_int_equal(ldp_avro_writer_append(w, seed_record(&a, s, k)), 0);
	assert_int_equal(ldp_avro_writer_finish(w), 0);
	ldp_avro_writer_free(w);
	ldp_arena_free(&a);
}

static void replay(const uint8_t *seed, size_t len, int rounds)
{
	size_t cap = len + 256;
	uint8_t *buf = malloc(cap);
	assert_non_null(buf);
	LLVMFuzzerTestOneInput(seed, len);
	for (int i = 0; i < rounds; i++) {
		memcpy(buf, seed, len);
		size_t n = mutate(buf, len, cap);
		/* a fresh allocation of the exact size, so ASan sees overreads */
		uint8_t *exact = malloc(n ? n : 1);
		memcpy(exact, buf, n);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	free(buf);
}

static void test_replay_container_files(void **state)
{
	static const ldp_avro_codec codecs[] = {LDP_AVRO_CODEC_NULL, LDP_AVRO_CODEC_DEFLATE, LDP_AVRO_CODEC_SNAPPY};
	for (size_t c = 0; c < 3; c++) {
		rng_state = 0x9E3779B97F4A7C15ull + c;
		ldp_buf seed = LDP_BUF_INIT;
		make_seed(codecs[c], &seed);
		replay((const uint8_t *)seed.ptr, seed.len, 1500);
		ldp_buf_free(&seed);
	}
}

static void test_replay_manifests(void **state)
{
	ldp_manifest_pfield pf[3] = {{1000, "d", {.id = LDP_T_DATE}},
				     {1001, "s", {.id = LDP_T_STRING}},
				     {1002, "dec", {.id = LDP_T_DECIMAL, .precision = 10, .scale = 2}}};
	ldp_value part[3] = {{.type = LDP_T_DATE, .v.i32 = 19000},
			     {.type = LDP_T_STRING, .is_null = true},
			     {.type = LDP_T_DECIMAL, .v.dec = -5}};
	ldp_col_metric met[2] = {{.field_id = 1, .column_size = 10, .value_count = 3, .null_value_count = 0,
				  .nan_value_count = -1, .lower = (const uint8_t *)"a", .lower_len = 1,
				  .upper = (const uint8_t *)"b", .upper_len = 1},
				 {.field_id = 2, .column_size = -1, .value_count = 3, .null_value_count = 1,
				  .nan_value_count = 0}};
	int64_t splits[1] = {4};
	ldp_data_file_entry e = {.status = LDP_ENTRY_ADDED, .snapshot_id = -1, .sequence_number = -1,
				 .file_sequence_number = -1, .file_path = "/d/1.parquet", .file_format = "PARQUET",
				 .npartition = 3, .partition = part, .record_count = 3, .file_size_in_bytes = 99,
				 .nmetrics = 2, .metrics = met, .nsplit_offsets = 1, .split_offsets = splits,
				 .sort_order_id = -1};
	ldp_manifest_info info = {.schema_json = "{}", .spec_fields_json = "[]", .npfields = 3, .pfields = pf};
	ldp_buf seed = LDP_BUF_INIT;
	assert_int_equal(ldp_manifest_write(&info, &e, 1, &seed), 0);
	rng_state = 4242;
	replay((const uint8_t *)seed.ptr, seed.len, 1500);

	ldp_field_summary sum = {.contains_null = true, .contains_nan = 0, .lower = (const uint8_t *)"\x01",
				 .lower_len = 1};
	ldp_manifest_file mf = {.manifest_path = "/m.avro", .manifest_length = 10, .npartitions = 1,
				.partitions = &sum};
	ldp_manifest_list_info li = {.snapshot_id = 1, .parent_snapshot_id = -1, .sequence_number = 1};
	ldp_buf_clear(&seed);
	assert_int_equal(ldp_manifest_list_write(&li, &mf, 1, &seed), 0);
	replay((const uint8_t *)seed.ptr, seed.len, 1500);
	ldp_buf_free(&seed);
}

static void test_replay_raw_values(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *s;
	assert_int_equal(ldp_avro_schema_parse(&a, RAW_SCHEMA, sizeof RAW_SCHEMA - 1, &s), 0);
	ldp_buf seed = LDP_BUF_INIT;
	assert_int_equal(ldp_avro_encode(&seed, s, seed_record(&a, s, 1)), 0);
	rng_state = 12345;
	replay((const uint8_t *)seed.ptr, seed.len, 1500);
	ldp_buf_free(&seed);
	ldp_arena_free(&a);
}

static void test_replay_schemas(void **state)
{
	static const char *seeds[] = {
		RAW_SCHEMA,
		"[\"null\",{\"type\":\"record\",\"name\":\"n\",\"namespace\":\"a.b\",\"fields\":[{\"name\":\"x\","
		"\"type\":[\"null\",\"n\"],\"default\":null,\"field-id\":3}]}]",
		"{\"type\":\"map\",\"values\":{\"type\":\"fixed\",\"name\":\"f\",\"size\":2,"
		"\"logicalType\":\"decimal\"},"
		"\"key-id\":1,\"value-id\":2}",
	};
	rng_state = 777;
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
		replay((const uint8_t *)seeds[i], strlen(seeds[i]), 800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_container_files),
		cmocka_unit_test(test_replay_manifests),
		cmocka_unit_test(test_replay_raw_values),
		cmocka_unit_test(test_replay_schemas),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
