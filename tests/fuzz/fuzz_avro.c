/*
 * libFuzzer entry point for ldp's Avro codec. Built with clang when the
 * LDP_FUZZ CMake option is on (tests/fuzz/CMakeLists.txt); also compiled
 * into tests/unit/test_avro_fuzz_replay.c, which replays it over a fixed set
 * of mutated inputs so CI exercises it without clang.
 *
 * Besides "no crash, no sanitizer report", it checks properties that must
 * hold for any input the reader accepts, and aborts when one fails:
 *  - the schema written back as JSON parses again;
 *  - every value read re-encodes with the file's schema, and the encoding is
 *    canonical (decode(encode(v)) encodes to the same bytes);
 *  - a value projects onto its own schema.
 * The input is also read as an Iceberg manifest and as a manifest list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/avro.h"
#include "format/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_VALUES 2000

static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

static void check_schema_roundtrip(ldp_arena *a, const ldp_avro_schema *s)
{
	ldp_buf js = LDP_BUF_INIT;
	fuzz_check(ldp_avro_schema_to_json(s, &js) == 0);
	const ldp_avro_schema *again;
	fuzz_check(ldp_avro_schema_parse(a, js.ptr, js.len, &again) == 0);
	ldp_buf js2 = LDP_BUF_INIT;
	fuzz_check(ldp_avro_schema_to_json(again, &js2) == 0);
	fuzz_check(js.len == js2.len && memcmp(js.ptr, js2.ptr, js.len) == 0);
	ldp_buf_free(&js);
	ldp_buf_free(&js2);
}

static void check_value(ldp_arena *a, const ldp_avro_schema *s, const ldp_avro_value *v)
{
	ldp_buf e1 = LDP_BUF_INIT, e2 = LDP_BUF_INIT;
	fuzz_check(ldp_avro_encode(&e1, s, v) == 0);
	ldp_avro_value *back;
	size_t used;
	fuzz_check(ldp_avro_decode(a, s, e1.ptr, e1.len, "re-encoded", &back, &used) == 0);
	fuzz_check(used == e1.len);
	fuzz_check(ldp_avro_encode(&e2, s, back) == 0);
	fuzz_check(e1.len == e2.len && memcmp(e1.ptr, e2.ptr, e1.len) == 0);
	ldp_avro_value *p;
	fuzz_check(ldp_avro_value_project(a, v, s, &p) == 0);
	ldp_buf_free(&e1);
	ldp_buf_free(&e2);
}

/* A schema shaped like an Iceberg manifest entry, for decoding raw bytes. */
static const char RAW_SCHEMA[] =
	"{\"type\":\"record\",\"name\":\"e\",\"fields\":[{\"name\":\"status\",\"type\":\"int\"},"
	"{\"name\":\"sid\",\"type\":[\"null\",\"long\"]},{\"name\":\"path\",\"type\":\"string\"},"
	"{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"f3\",\"size\":3}},"
	"{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":[\"null\",\"double\"]}},"
	"{\"name\":\"kv\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"k1_v2\","
	"\"fields\":[{\"name\":\"key\",\"type\":\"int\"},{\"name\":\"value\",\"type\":\"bytes\"}]}}},"
	"{\"name\":\"n\",\"type\":{\"type\":\"array\",\"items\":\"null\"}},"
	"{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"en\",\"symbols\":[\"A\",\"B\"]}},"
	"{\"name\":\"b\",\"type\":\"boolean\"},{\"name\":\"fl\",\"type\":\"float\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);

	/* 1. the input as a container file */
	ldp_avro_reader *r;
	if (ldp_avro_reader_open(&a, data, size, "fuzz.avro", &r) == 0) {
		const ldp_avro_schema *s = ldp_avro_reader_schema(r);
		check_schema_roundtrip(&a, s);
		ldp_arena vals;
		ldp_arena_init(&vals, 0);
		ldp_avro_value *v;
		for (int i = 0; i < FUZZ_MAX_VALUES && ldp_avro_reader_next(r, &vals, &v) == 1; i++) {
			check_value(&vals, s, v);
			ldp_arena_reset(&vals);
		}
		ldp_arena_free(&vals);
		ldp_avro_reader_free(r);
	}

	/* 2. the input as an Iceberg manifest and manifest list */
	ldp_manifest *m;
	(void)ldp_manifest_read(&a, data, size, "fuzz-manifest.avro", &m);
	ldp_manifest_file *files;
	size_t nfiles;
	(void)ldp_manifest_list_read(&a, data, size, "fuzz-list.avro", &files, &nfiles);

	/* 3. the input as one binary-encoded value */
	const ldp_avro_schema *raw;
	fuzz_check(ldp_avro_schema_parse(&a, RAW_SCHEMA, sizeof RAW_SCHEMA - 1, &raw) == 0);
	ldp_avro_value *v;
	size_t used;
	if (ldp_avro_decode(&a, raw, data, size, "fuzz.bin", &v, &used) == 0) {
		fuzz_check(used <= size);
		check_value(&a, raw, v);
	}

	/* 4. the input as schema JSON */
	const ldp_avro_schema *s;
	if (size < 65536 && ldp_avro_schema_parse(&a, (const char *)data, size, &s) == 0)
		check_schema_roundtrip(&a, s);

	ldp_arena_free(&a);
	return 0;
}
