/*
 * Tests of ldp's Avro codec (src/format/avro*.c). Expected bytes come from
 * the Avro 1.11 specification's examples or are worked out by hand in the
 * comments; everything else is a round trip cross-checked against values
 * built independently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "format/avro.h"
#include "ldp/error.h"

static const uint8_t SYNC[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static const ldp_avro_schema *parse(ldp_arena *a, const char *json)
{
	const ldp_avro_schema *s = NULL;
	int rc = ldp_avro_schema_parse(a, json, strlen(json), &s);
	if (rc)
		fail_msg("schema parse failed: %s", ldp_error_last()->message);
	return s;
}

/* Deep equality of two values (doubles compared bitwise). */
static int val_eq(const ldp_avro_value *x, const ldp_avro_value *y)
{
	if (ldp_avro_is_null(x) || ldp_avro_is_null(y))
		return ldp_avro_is_null(x) && ldp_avro_is_null(y);
	if (x->kind != y->kind)
		return 0;
	switch (x->kind) {
	case LDP_AVRO_BOOLEAN: return x->u.b == y->u.b;
	case LDP_AVRO_INT: return x->u.i == y->u.i;
	case LDP_AVRO_LONG: return x->u.l == y->u.l;
	case LDP_AVRO_FLOAT: return memcmp(&x->u.f, &y->u.f, 4) == 0;
	case LDP_AVRO_DOUBLE: return memcmp(&x->u.d, &y->u.d, 8) == 0;
	case LDP_AVRO_BYTES:
	case LDP_AVRO_STRING:
	case LDP_AVRO_FIXED:
		return x->u.bytes.len == y->u.bytes.len &&
		       (x->u.bytes.len == 0 || memcmp(x->u.bytes.ptr, y->u.bytes.ptr, x->u.bytes.len) == 0);
	case LDP_AVRO_ENUM: return x->u.enm.index == y->u.enm.index;
	case LDP_AVRO_ARRAY:
		if (x->u.array.n != y->u.array.n)
			return 0;
		for (size_t i = 0; i < x->u.array.n; i++)
			if (!val_eq(x->u.array.items[i], y->u.array.items[i]))
				return 0;
		return 1;
	case LDP_AVRO_MAP:
		if (x->u.map.n != y->u.map.n)
			return 0;
		for (size_t i = 0; i < x->u.map.n; i++)
			if (!val_eq(x->u.map.values[i], ldp_avro_map_get(y, x->u.map.keys[i])))
				return 0;
		return 1;
	case LDP_AVRO_RECORD:
		if (x->u.record.n != y->u.record.n)
			return 0;
		for (size_t i = 0; i < x->u.record.n; i++)
			if (!val_eq(x->u.record.fields[i], y->u.record.fields[i]))
				return 0;
		return 1;
	default: return 0;
	}
}

/* Write values to a container file in out. */
static void write_file(const ldp_avro_schema *s, ldp_avro_codec codec, size_t block_size, ldp_avro_value **vals,
		       size_t n, ldp_buf *out)
{
	ldp_avro_writer_opts o = {.codec = codec, .block_size = block_size, .sync = SYNC};
	ldp_avro_writer *w;
	assert_int_equal(ldp_avro_writer_new(s, &o, out, &w), 0);
	assert_int_equal(ldp_avro_writer_meta_str(w, "user.key", "user value"), 0);
	for (size_t i = 0; i < n; i++)
		if (ldp_avro_writer_append(w, vals[i]))
			fail_msg("append %zu: %s", i, ldp_error_last()->message);
	assert_int_equal(ldp_avro_writer_finish(w), 0);
	ldp_avro_writer_free(w);
}

/* Read every value; returns the count, or a negative status. */
static int read_all(const void *data, size_t len, ldp_arena *a, ldp_avro_value **vals, size_t max,
		    const ldp_avro_schema *project)
{
	ldp_avro_reader *r;
	int rc = ldp_avro_reader_open(a, data, len, "t.avro", &r);
	if (rc)
		return rc;
	if (project)
		ldp_avro_reader_project(r, project);
	size_t n = 0;
	ldp_avro_value *v;
	while ((rc = ldp_avro_reader_next(r, a, &v)) == 1) {
		if (n < max)
			vals[n] = v;
		n++;
	}
	ldp_avro_reader_free(r);
	return rc < 0 ? rc : (int)n;
}

static void encode_hex(const ldp_avro_schema *s, const ldp_avro_value *v, const char *want)
{
	ldp_buf b = LDP_BUF_INIT;
	assert_int_equal(ldp_avro_encode(&b, s, v), 0);
	char hex[256] = "";
	for (size_t i = 0; i < b.len && i < 100; i++)
		sprintf(hex + 2 * i, "%02x", (uint8_t)b.ptr[i]);
	assert_string_equal(hex, want);
	ldp_buf_free(&b);
}

/* Spec "Binary Encoding": zig-zag varint table 0->00, -1->01, 1->02,
 * -2->03, 2->04, -64->7f, 64->80 01; and the string "foo" -> 06 66 6f 6f. */
static void test_binary_vectors(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *l = parse(&a, "\"long\""), *i = parse(&a, "\"int\""), *s = parse(&a, "\"string\"");
	encode_hex(l, ldp_avro_long(&a, 0), "00");
	encode_hex(l, ldp_avro_long(&a, -1), "01");
	encode_hex(l, ldp_avro_long(&a, 1), "02");
	encode_hex(l, ldp_avro_long(&a, -2), "03");
	encode_hex(l, ldp_avro_long(&a, 2), "04");
	encode_hex(l, ldp_avro_long(&a, -64), "7f");
	encode_hex(l, ldp_avro_long(&a, 64), "8001");
	encode_hex(i, ldp_avro_int(&a, 64), "8001");
	/* INT64_MIN zig-zags to 2^64-1: nine 0xff then 0x01 */
	encode_hex(l, ldp_avro_long(&a, INT64_MIN), "ffffffffffffffffff01");
	encode_hex(s, ldp_avro_string(&a, "foo"), "06666f6f");
	/* IEEE 754 little-endian: 1.0f = 0x3f800000, 1.0 = 0x3ff0000000000000 */
	encode_hex(parse(&a, "\"float\""), ldp_avro_float(&a, 1.0f), "0000803f");
	encode_hex(parse(&a, "\"double\""), ldp_avro_double(&a, 1.0), "000000000000f03f");
	/* union ["null","string"]: branch index then value */
	const ldp_avro_schema *u = parse(&a, "[\"null\",\"string\"]");
	encode_hex(u, ldp_avro_null(&a), "00");
	encode_hex(u, ldp_avro_string(&a, "a"), "020261");
	/* array [1,2] of int: count 2, items, terminating 0 */
	ldp_avro_value *arr = ldp_avro_array(&a);
	ldp_avro_array_append(&a, arr, ldp_avro_int(&a, 1));
	ldp_avro_array_append(&a, arr, ldp_avro_int(&a, 2));
	encode_hex(parse(&a, "{\"type\":\"array\",\"items\":\"int\"}"), arr, "04020400");

	/* decoding the same vectors */
	const uint8_t big[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	ldp_avro_value *v;
	size_t used;
	assert_int_equal(ldp_avro_decode(&a, l, big, sizeof big, "t", &v, &used), 0);
	assert_int_equal(used, 10);
	assert_true(v->u.l == INT64_MIN);
	/* an 11th byte or a too-large 10th byte is corrupt */
	const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
	assert_int_equal(ldp_avro_decode(&a, l, over, sizeof over, "t", &v, &used), LDP_ECORRUPT);
	/* an int outside int32 */
	const uint8_t wide[] = {0x80, 0x80, 0x80, 0x80, 0x10}; /* 2^32 zig-zagged = 2^31 */
	assert_int_equal(ldp_avro_decode(&a, i, wide, sizeof wide, "t", &v, &used), LDP_ECORRUPT);
	ldp_arena_free(&a);
}

static const char *ALL_TYPES =
	"{\"type\":\"record\",\"name\":\"all\",\"namespace\":\"ldp.test\",\"fields\":["
	"{\"name\":\"n\",\"type\":\"null\"},"
	"{\"name\":\"b\",\"type\":\"boolean\"},"
	"{\"name\":\"i\",\"type\":\"int\"},"
	"{\"name\":\"l\",\"type\":\"long\"},"
	"{\"name\":\"f\",\"type\":\"float\"},"
	"{\"name\":\"d\",\"type\":\"double\"},"
	"{\"name\":\"by\",\"type\":\"bytes\"},"
	"{\"name\":\"s\",\"type\":\"string\"},"
	"{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"f4\",\"size\":4}},"
	"{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"color\",\"symbols\":[\"RED\",\"GREEN\",\"BLUE\"]}},"
	"{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"items\":\"long\"}},"
	"{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"string\"}},"
	"{\"name\":\"sub\",\"type\":{\"type\":\"record\",\"name\":\"sub\",\"fields\":["
	"  {\"name\":\"x\",\"type\":\"int\"},{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":"
	"    {\"type\":\"map\",\"values\":[\"null\",\"double\"]}}}]}},"
	"{\"name\":\"u\",\"type\":[\"null\",\"string\",\"sub\",\"f4\"]},"
	"{\"name\":\"subs\",\"type\":{\"type\":\"array\",\"items\":\"sub\"}}"
	"]}";

static ldp_avro_value *make_sub(ldp_arena *a, const ldp_avro_schema *sub, int x, int ntags)
{
	ldp_avro_value *r = ldp_avro_record(a, sub, false);
	ldp_avro_record_set(r, "x", ldp_avro_int(a, x));
	ldp_avro_value *tags = ldp_avro_array(a);
	for (int t = 0; t < ntags; t++) {
		ldp_avro_value *m = ldp_avro_map(a);
		ldp_avro_map_put(a, m, "pi", ldp_avro_double(a, 3.14159 * t));
		ldp_avro_map_put(a, m, "none", ldp_avro_null(a));
		ldp_avro_array_append(a, tags, m);
	}
	ldp_avro_record_set(r, "tags", tags);
	return r;
}

static ldp_avro_value *make_all(ldp_arena *a, const ldp_avro_schema *s, int k)
{
	const ldp_avro_schema *fx = ldp_avro_schema_field(s, "fx", NULL)->type;
	const ldp_avro_schema *en = ldp_avro_schema_field(s, "e", NULL)->type;
	const ldp_avro_schema *sub = ldp_avro_schema_field(s, "sub", NULL)->type;
	ldp_avro_value *r = ldp_avro_record(a, s, false);
	ldp_avro_record_set(r, "n", ldp_avro_null(a));
	ldp_avro_record_set(r, "b", ldp_avro_bool(a, k % 2));
	ldp_avro_record_set(r, "i", ldp_avro_int(a, k == 0 ? INT32_MIN : k == 1 ? INT32_MAX : -k * 1000));
	ldp_avro_record_set(r, "l", ldp_avro_long(a, k == 0 ? INT64_MIN : k == 1 ? INT64_MAX : (int64_t)k << 40));
	ldp_avro_record_set(r, "f", ldp_avro_float(a, k == 2 ? NAN : -1.5f * (float)k));
	ldp_avro_record_set(r, "d", ldp_avro_double(a, k == 3 ? -INFINITY : 1e300 / (k + 1)));
	const uint8_t raw[5] = {0, 0xff, (uint8_t)k, 0x80, 0};
	ldp_avro_record_set(r, "by", ldp_avro_bytes(a, raw, (size_t)(k % 6)));
	ldp_avro_record_set(r, "s", ldp_avro_string(a, k == 0 ? "" : "héllo wörld"));
	ldp_avro_record_set(r, "fx", ldp_avro_fixed(a, fx, raw, 4));
	ldp_avro_record_set(r, "e", ldp_avro_enum(a, en, k % 3 == 0 ? "RED" : k % 3 == 1 ? "GREEN" : "BLUE"));
	ldp_avro_value *arr = ldp_avro_array(a);
	for (int j = 0; j < k; j++)
		ldp_avro_array_append(a, arr, ldp_avro_long(a, j * 7 - 3));
	ldp_avro_record_set(r, "arr", arr);
	ldp_avro_value *m = ldp_avro_map(a);
	for (int j = 0; j < k % 4; j++) {
		char key[16];
		snprintf(key, sizeof key, "k%d", j);
		ldp_avro_map_put(a, m, key, ldp_avro_string(a, key + 1));
	}
	ldp_avro_record_set(r, "m", m);
	ldp_avro_record_set(r, "sub", make_sub(a, sub, k, k % 3));
	ldp_avro_value *u = k % 4 == 0 ? ldp_avro_null(a)
			    : k % 4 == 1 ? ldp_avro_string(a, "branch1")
			    : k % 4 == 2 ? make_sub(a, sub, -k, 1)
					 : ldp_avro_fixed(a, fx, "abcd", 4);
	ldp_avro_record_set(r, "u", u);
	ldp_avro_value *subs = ldp_avro_array(a);
	for (int j = 0; j < k % 3; j++)
		ldp_avro_array_append(a, subs, make_sub(a, sub, j, j));
	ldp_avro_record_set(r, "subs", subs);
	return r;
}

static void roundtrip_codec(ldp_avro_codec codec, size_t block_size)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *s = parse(&a, ALL_TYPES);
	enum { N = 40 };
	ldp_avro_value *vals[N], *back[N];
	for (int k = 0; k < N; k++)
		vals[k] = make_all(&a, s, k);
	ldp_buf file = LDP_BUF_INIT;
	write_file(s, codec, block_size, vals, N, &file);
	int n = read_all(file.ptr, file.len, &a, back, N, NULL);
	if (n < 0)
		fail_msg("read: %s", ldp_error_last()->message);
	assert_int_equal(n, N);
	for (int k = 0; k < N; k++) {
		if (!val_eq(vals[k], back[k]))
			fail_msg("record %d differs after the round trip", k);
	}
	/* union branch recorded on read: k=2 chose "sub" (branch 2) */
	assert_int_equal(ldp_avro_record_get(back[2], "u")->branch, 2);
	assert_int_equal(ldp_avro_record_get(back[3], "u")->branch, 3);
	assert_string_equal(ldp_avro_record_get(back[4], "e")->u.enm.symbol, "GREEN");
	/* strings come back NUL-terminated */
	assert_string_equal((const char *)ldp_avro_record_get(back[5], "s")->u.bytes.ptr, "héllo wörld");

	ldp_avro_reader *r;
	assert_int_equal(ldp_avro_reader_open(&a, file.ptr, file.len, "t.avro", &r), 0);
	assert_int_equal(ldp_avro_reader_codec(r), codec);
	assert_string_equal(ldp_avro_reader_meta(r, "user.key", NULL), "user value");
	assert_string_equal(ldp_avro_reader_meta(r, "avro.codec", NULL),
			    codec == LDP_AVRO_CODEC_NULL      ? "null"
			    : codec == LDP_AVRO_CODEC_DEFLATE ? "deflate"
							      : "snappy");
	assert_int_equal(ldp_avro_reader_meta_count(r), 3);
	ldp_avro_reader_free(r);
	ldp_buf_free(&file);
	ldp_arena_free(&a);
}

static void test_roundtrip_null(void **state)
{
	roundtrip_codec(LDP_AVRO_CODEC_NULL, 0);
	roundtrip_codec(LDP_AVRO_CODEC_NULL, 1); /* a block per record */
}

static void test_roundtrip_deflate(void **state)
{
	roundtrip_codec(LDP_AVRO_CODEC_DEFLATE, 0);
	roundtrip_codec(LDP_AVRO_CODEC_DEFLATE, 100);
}

static void test_roundtrip_snappy(void **state)
{
	roundtrip_codec(LDP_AVRO_CODEC_SNAPPY, 0);
	roundtrip_codec(LDP_AVRO_CODEC_SNAPPY, 300);
}

/* The deflate payload must be raw RFC 1951 (no zlib header): inflate the one
 * block of a file ourselves with windowBits -15 and find the record bytes. */
static void test_deflate_is_raw(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *s = parse(&a, "\"string\"");
	ldp_avro_value *v = ldp_avro_string(&a, "abcabcabcabcabcabcabcabc");
	ldp_buf file = LDP_BUF_INIT;
	write_file(s, LDP_AVRO_CODEC_DEFLATE, 0, &v, 1, &file);
	/* the file ends with: count 02, size, payload, 16-byte sync */
	const uint8_t *end = (const uint8_t *)file.ptr + file.len - 16;
	assert_memory_equal(end, SYNC, 16);
	/* find "02 <size>" such that size bytes precede the sync */
	size_t found = 0;
	for (size_t sz = 1; sz < 64; sz++) {
		const uint8_t *p = end - sz;
		if (p[-1] == (uint8_t)(sz * 2) && p[-2] == 0x02) {
			uint8_t out[64];
			z_stream z = {0};
			assert_int_equal(inflateInit2(&z, -15), Z_OK);
			z.next_in = (Bytef *)p;
			z.avail_in = (uInt)sz;
			z.next_out = out;
			z.avail_out = sizeof out;
			int zr = inflate(&z, Z_FINISH);
			inflateEnd(&z);
			if (zr == Z_STREAM_END) {
				assert_int_equal(z.total_out, 25);
				assert_int_equal(out[0], 48); /* zig-zag of 24 */
				assert_memory_equal(out + 1, "abcabcabcabcabcabcabcabc", 24);
				found = 1;
			}
		}
	}
	assert_true(found);
	ldp_buf_free(&file);
	ldp_arena_free(&a);
}

static void put_varint(ldp_buf *b, int64_t v)
{
	uint64_t n = v >= 0 ? (uint64_t)v * 2 : (uint64_t)(-(v + 1)) * 2 + 1;
	while (n >= 0x80) {
		ldp_buf_putc(b, (char)(0x80 | (n & 0x7f)));
		n >>= 7;
	}
	ldp_buf_putc(b, (char)n);
}

static void put_str(ldp_buf *b, const char *s)
{
	put_varint(b, (int64_t)strlen(s));
	ldp_buf_puts(b, s);
}

/* Build a snappy container file by hand: libsnappy compresses, we frame it
 * with the CRC32 trailer the spec requires, and the reader must accept it. */
static void build_snappy_file(ldp_buf *f, int break_crc)
{
	const char *schema = "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"long\"},"
			     "{\"name\":\"s\",\"type\":\"string\"}]}";
	/* (a=1, s="hi") and (a=-3, s="snappy"): zig-zag 1->02, len 2->04;
	 * -3->05, len 6->0c */
	const uint8_t data[] = {0x02, 0x04, 'h', 'i', 0x05, 0x0c, 's', 'n', 'a', 'p', 'p', 'y'};
	ldp_buf_put(f, "Obj\x01", 4);
	put_varint(f, 2);
	put_str(f, "avro.schema");
	put_str(f, schema);
	put_str(f, "avro.codec");
	put_str(f, "snappy");
	put_varint(f, 0);
	ldp_buf_put(f, (const char *)SYNC, 16);
	char comp[64];
	size_t clen = sizeof comp;
	assert_int_equal(snappy_compress((const char *)data, sizeof data, comp, &clen), SNAPPY_OK);
	uint32_t crc = (uint32_t)crc32(0, data, sizeof data);
	if (break_crc)
		crc ^= 1;
	put_varint(f, 2);
	put_varint(f, (int64_t)clen + 4);
	ldp_buf_put(f, comp, clen);
	char be[4] = {(char)(crc >> 24), (char)(crc >> 16), (char)(crc >> 8), (char)crc};
	ldp_buf_put(f, be, 4);
	ldp_buf_put(f, (const char *)SYNC, 16);
}

static void test_snappy_handmade(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_buf f = LDP_BUF_INIT;
	build_snappy_file(&f, 0);
	ldp_avro_value *v[4];
	int n = read_all(f.ptr, f.len, &a, v, 4, NULL);
	if (n < 0)
		fail_msg("%s", ldp_error_last()->message);
	assert_int_equal(n, 2);
	assert_true(ldp_avro_record_get(v[0], "a")->u.l == 1);
	assert_string_equal((const char *)ldp_avro_record_get(v[0], "s")->u.bytes.ptr, "hi");
	assert_true(ldp_avro_record_get(v[1], "a")->u.l == -3);
	assert_string_equal((const char *)ldp_avro_record_get(v[1], "s")->u.bytes.ptr, "snappy");
	ldp_buf_clear(&f);
	build_snappy_file(&f, 1);
	assert_int_equal(read_all(f.ptr, f.len, &a, v, 4, NULL), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "CRC32"));
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

static void test_metadata(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *s = parse(&a, "\"int\"");
	ldp_buf f = LDP_BUF_INIT;
	ldp_avro_writer *w;
	assert_int_equal(ldp_avro_writer_new(s, NULL, &f, &w), 0);
	assert_int_equal(ldp_avro_writer_meta_str(w, "schema-id", "3"), 0);
	assert_int_equal(ldp_avro_writer_meta(w, "bin", "a\0b", 3), 0);
	assert_int_equal(ldp_avro_writer_meta_str(w, "avro.codec", "x"), LDP_EINVALID);
	assert_int_equal(ldp_avro_writer_meta_str(w, "schema-id", "4"), LDP_EEXISTS);
	assert_int_equal(ldp_avro_writer_append(w, ldp_avro_int(&a, 7)), 0);
	assert_int_equal(ldp_avro_writer_meta_str(w, "late", "x"), LDP_EINVALID);
	/* a value of the wrong type is refused and leaves the file intact */
	assert_int_equal(ldp_avro_writer_append(w, ldp_avro_string(&a, "no")), LDP_EINVALID);
	assert_int_equal(ldp_avro_writer_append(w, ldp_avro_int(&a, 8)), 0);
	assert_int_equal(ldp_avro_writer_finish(w), 0);
	ldp_avro_writer_free(w);

	ldp_avro_reader *r;
	assert_int_equal(ldp_avro_reader_open(&a, f.ptr, f.len, "m.avro", &r), 0);
	assert_string_equal(ldp_avro_reader_meta(r, "schema-id", NULL), "3");
	size_t len;
	const char *bin = ldp_avro_reader_meta(r, "bin", &len);
	assert_int_equal(len, 3);
	assert_memory_equal(bin, "a\0b", 3);
	assert_null(ldp_avro_reader_meta(r, "nope", NULL));
	assert_string_equal(ldp_avro_reader_meta(r, "avro.schema", NULL), "\"int\"");
	ldp_avro_value *v;
	assert_int_equal(ldp_avro_reader_next(r, &a, &v), 1);
	assert_int_equal(v->u.i, 7);
	assert_int_equal(ldp_avro_reader_next(r, &a, &v), 1);
	assert_int_equal(v->u.i, 8);
	assert_int_equal(ldp_avro_reader_next(r, &a, &v), 0);
	ldp_avro_reader_free(r);

	/* an empty file (header only) is valid and has no values */
	ldp_buf_clear(&f);
	assert_int_equal(ldp_avro_writer_new(s, NULL, &f, &w), 0);
	assert_int_equal(ldp_avro_writer_finish(w), 0);
	ldp_avro_writer_free(w);
	assert_int_equal(read_all(f.ptr, f.len, &a, &v, 1, NULL), 0);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

/* An Iceberg-style schema: every attribute must survive into the file. */
static const char *ICEBERG_SCHEMA =
	"{\"type\":\"record\",\"name\":\"manifest_entry\",\"doc\":\"d\",\"fields\":["
	"{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
	"{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":1},"
	"{\"name\":\"d\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"},\"field-id\":5,\"doc\":\"a date\"},"
	"{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\",\"adjust-to-utc\":true},"
	"  \"field-id\":6},"
	"{\"name\":\"dec\",\"type\":{\"type\":\"fixed\",\"name\":\"fixed_9_2\",\"size\":4,\"logicalType\":\"decimal\","
	"  \"precision\":9,\"scale\":2},\"field-id\":7},"
	"{\"name\":\"ids\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\",\"element-id\":133}],"
	"  \"default\":null,\"field-id\":132},"
	"{\"name\":\"sizes\",\"type\":[\"null\",{\"type\":\"array\",\"logicalType\":\"map\",\"items\":{"
	"  \"type\":\"record\",\"name\":\"k117_v118\",\"fields\":[{\"name\":\"key\",\"type\":\"int\",\"field-id\":117},"
	"  {\"name\":\"value\",\"type\":\"long\",\"field-id\":118}]}}],\"default\":null,\"field-id\":108},"
	"{\"name\":\"props\",\"type\":{\"type\":\"map\",\"values\":\"string\",\"key-id\":10,\"value-id\":11},"
	"  \"field-id\":9,\"x-custom\":{\"nested\":[1,2.5,\"x\"]}}"
	"]}";

static void test_attributes_preserved(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *s = parse(&a, ICEBERG_SCHEMA);
	/* parsed conveniences */
	assert_int_equal(ldp_avro_schema_field(s, "snapshot_id", NULL)->id, 1);
	assert_int_equal(ldp_avro_schema_field_by_id(s, 132, NULL)->type->branches[1]->element_id, 133);
	const ldp_avro_schema *props = ldp_avro_schema_field(s, "props", NULL)->type;
	assert_int_equal(props->key_id, 10);
	assert_int_equal(props->value_id, 11);
	const ldp_avro_schema *dec = ldp_avro_schema_field(s, "dec", NULL)->type;
	assert_string_equal(dec->logical_type, "decimal");
	int64_t prec;
	assert_int_equal(ldp_avro_schema_attr_int(dec, "precision", &prec), 0);
	assert_int_equal(prec, 9);
	assert_string_equal(ldp_avro_schema_attr(ldp_avro_schema_field(s, "ts", NULL)->type, "adjust-to-utc"), "true");
	assert_true(ldp_avro_is_null(ldp_avro_schema_field(s, "snapshot_id", NULL)->default_value));

	/* written into a file, the header's schema equals the input JSON */
	ldp_buf f = LDP_BUF_INIT;
	write_file(s, LDP_AVRO_CODEC_DEFLATE, 0, NULL, 0, &f);
	ldp_avro_reader *r;
	assert_int_equal(ldp_avro_reader_open(&a, f.ptr, f.len, "ice.avro", &r), 0);
	size_t len;
	const char *text = ldp_avro_reader_meta(r, "avro.schema", &len);
	json_t *got = json_loadb(text, len, 0, NULL), *want = json_loads(ICEBERG_SCHEMA, 0, NULL);
	assert_non_null(got);
	assert_non_null(want);
	assert_true(json_equal(got, want));
	json_t *fields = json_object_get(got, "fields");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(fields, 0), "field-id")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(fields, 6), "field-id")), 108);
	json_decref(got);
	json_decref(want);
	ldp_avro_reader_free(r);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

static void test_recursive_schema(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const char *json = "{\"type\":\"record\",\"name\":\"node\",\"fields\":[{\"name\":\"v\",\"type\":\"int\"},"
			   "{\"name\":\"next\",\"type\":[\"null\",\"node\"]}]}";
	const ldp_avro_schema *s = parse(&a, json);
	ldp_avro_value *head = NULL;
	for (int i = 0; i < 5; i++) {
		ldp_avro_value *n = ldp_avro_record(&a, s, false);
		ldp_avro_record_set(n, "v", ldp_avro_int(&a, i));
		ldp_avro_record_set(n, "next", head);
		head = n;
	}
	ldp_buf out = LDP_BUF_INIT;
	assert_int_equal(ldp_avro_schema_to_json(s, &out), 0);
	assert_string_equal(out.ptr, json);
	ldp_buf_clear(&out);
	assert_int_equal(ldp_avro_encode(&out, s, head), 0);
	ldp_avro_value *back;
	size_t used;
	assert_int_equal(ldp_avro_decode(&a, s, out.ptr, out.len, "t", &back, &used), 0);
	assert_int_equal(used, out.len);
	assert_true(val_eq(head, back));
	ldp_buf_free(&out);
	ldp_arena_free(&a);
}

static void test_schema_errors(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const char *bad[] = {
		"",
		"\"nosuchtype\"",
		"{\"type\":\"record\",\"name\":\"r\"}",
		"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
		"{\"name\":\"a\",\"type\":\"int\"}]}",
		"[\"null\",[\"int\"]]",
		"[]",
		"{\"type\":\"fixed\",\"name\":\"f\",\"size\":-1}",
		"{\"type\":\"array\"}",
		"{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":\"int\",\"default\":\"x\"}]}",
		"[{\"type\":\"fixed\",\"name\":\"f\",\"size\":1},{\"type\":\"fixed\",\"name\":\"f\",\"size\":2}]",
		"{\"type\":\"enum\",\"name\":\"e\",\"symbols\":[1]}",
		"42",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const ldp_avro_schema *s;
		int rc = ldp_avro_schema_parse(&a, bad[i], strlen(bad[i]), &s);
		if (rc != LDP_EINVALID)
			fail_msg("schema %zu (%s) gave %d", i, bad[i], rc);
	}
	ldp_arena_free(&a);
}

static void test_resolution(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *w = parse(&a,
		"{\"type\":\"record\",\"name\":\"r\",\"fields\":["
		"{\"name\":\"a\",\"type\":\"long\",\"field-id\":1},"
		"{\"name\":\"b\",\"type\":\"string\",\"field-id\":2},"
		"{\"name\":\"gone\",\"type\":{\"type\":\"array\",\"items\":\"int\"},\"field-id\":3},"
		"{\"name\":\"c\",\"type\":\"int\",\"field-id\":4},"
		"{\"name\":\"i\",\"type\":\"int\",\"field-id\":5},"
		"{\"name\":\"nested\",\"type\":{\"type\":\"record\",\"name\":\"n\",\"fields\":["
		"  {\"name\":\"x\",\"type\":\"int\",\"field-id\":20}]},\"field-id\":6}]}");
	/* a renamed to alpha (same id 1); c re-added under id 9 with the old
	 * name: not the same column; new field with a default; int promoted
	 * to long; nested field renamed inside a now-optional record. */
	const ldp_avro_schema *r = parse(&a,
		"{\"type\":\"record\",\"name\":\"r\",\"fields\":["
		"{\"name\":\"b\",\"type\":\"bytes\",\"field-id\":2},"
		"{\"name\":\"alpha\",\"type\":\"long\",\"field-id\":1},"
		"{\"name\":\"c\",\"type\":[\"null\",\"int\"],\"field-id\":9},"
		"{\"name\":\"d\",\"type\":\"int\",\"default\":7,\"field-id\":10},"
		"{\"name\":\"i\",\"type\":[\"null\",\"long\"],\"field-id\":5},"
		"{\"name\":\"nested\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"n\",\"fields\":["
		"  {\"name\":\"y\",\"type\":\"long\",\"field-id\":20}]}],\"field-id\":6}]}");
	ldp_avro_value *v = ldp_avro_record(&a, w, false);
	ldp_avro_record_set(v, "a", ldp_avro_long(&a, 42));
	ldp_avro_record_set(v, "b", ldp_avro_string(&a, "bee"));
	ldp_avro_value *arr = ldp_avro_array(&a);
	ldp_avro_array_append(&a, arr, ldp_avro_int(&a, 1));
	ldp_avro_record_set(v, "gone", arr);
	ldp_avro_record_set(v, "c", ldp_avro_int(&a, 5));
	ldp_avro_record_set(v, "i", ldp_avro_int(&a, -12));
	ldp_avro_value *nested = ldp_avro_record(&a, ldp_avro_schema_field(w, "nested", NULL)->type, false);
	ldp_avro_record_set(nested, "x", ldp_avro_int(&a, 99));
	ldp_avro_record_set(v, "nested", nested);

	/* through a file, with the reader projecting */
	ldp_buf f = LDP_BUF_INIT;
	write_file(w, LDP_AVRO_CODEC_NULL, 0, &v, 1, &f);
	ldp_avro_value *p = NULL;
	int n = read_all(f.ptr, f.len, &a, &p, 1, r);
	if (n != 1)
		fail_msg("read: %d %s", n, ldp_error_last()->message);
	assert_int_equal(p->u.record.n, 6);
	ldp_avro_value *b = ldp_avro_record_get(p, "b");
	assert_int_equal(b->kind, LDP_AVRO_BYTES);
	assert_memory_equal(b->u.bytes.ptr, "bee", 3);
	assert_true(ldp_avro_record_get(p, "alpha")->u.l == 42);
	assert_true(ldp_avro_record_get_id(p, 1)->u.l == 42);
	assert_true(ldp_avro_is_null(ldp_avro_record_get(p, "c")));
	assert_int_equal(ldp_avro_record_get(p, "d")->u.i, 7);
	ldp_avro_value *pi = ldp_avro_record_get(p, "i");
	assert_int_equal(pi->kind, LDP_AVRO_LONG);
	assert_true(pi->u.l == -12);
	assert_int_equal(pi->branch, 1);
	ldp_avro_value *pn = ldp_avro_record_get(p, "nested");
	assert_int_equal(pn->branch, 1);
	assert_true(ldp_avro_record_get(pn, "y")->u.l == 99);
	/* the projected value is writable with the reader's schema */
	ldp_buf enc = LDP_BUF_INIT;
	assert_int_equal(ldp_avro_encode(&enc, r, p), 0);

	/* without ids: matching by name */
	const ldp_avro_schema *w2 = parse(&a, "{\"type\":\"record\",\"name\":\"q\",\"fields\":["
					      "{\"name\":\"x\",\"type\":\"int\"},"
					      "{\"name\":\"y\",\"type\":\"float\"}]}");
	const ldp_avro_schema *r2 = parse(&a, "{\"type\":\"record\",\"name\":\"q\",\"fields\":["
					      "{\"name\":\"y\",\"type\":\"double\"},"
					      "{\"name\":\"z\",\"type\":\"int\"}]}");
	ldp_avro_value *v2 = ldp_avro_record(&a, w2, false);
	ldp_avro_record_set(v2, "x", ldp_avro_int(&a, 1));
	ldp_avro_record_set(v2, "y", ldp_avro_float(&a, 0.5f));
	ldp_avro_value *p2;
	/* z has no default and is not nullable */
	assert_int_equal(ldp_avro_value_project(&a, v2, r2, &p2), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "'z'"));
	const ldp_avro_schema *r3 = parse(&a, "{\"type\":\"record\",\"name\":\"q\",\"fields\":["
					      "{\"name\":\"y\",\"type\":\"double\"}]}");
	assert_int_equal(ldp_avro_value_project(&a, v2, r3, &p2), 0);
	assert_true(ldp_avro_record_get(p2, "y")->u.d == 0.5);
	/* incompatible types */
	const ldp_avro_schema *r4 = parse(&a, "{\"type\":\"record\",\"name\":\"q\",\"fields\":["
					      "{\"name\":\"x\",\"type\":\"string\"}]}");
	assert_int_equal(ldp_avro_value_project(&a, v2, r4, &p2), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "field 'x'"));
	ldp_buf_free(&enc);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

static void test_hostile_counts(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_avro_value *v;
	size_t used;
	/* array of null claiming 2^62 elements in 9 bytes: refused, no OOM */
	const ldp_avro_schema *an = parse(&a, "{\"type\":\"array\",\"items\":\"null\"}");
	const uint8_t huge[] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00};
	assert_int_equal(ldp_avro_decode(&a, an, huge, sizeof huge, "t", &v, &used), LDP_ECORRUPT);
	/* array of long claiming 100 elements with 3 bytes left */
	const ldp_avro_schema *al = parse(&a, "{\"type\":\"array\",\"items\":\"long\"}");
	const uint8_t many[] = {0xc8, 0x01, 0x02, 0x04, 0x06};
	assert_int_equal(ldp_avro_decode(&a, al, many, sizeof many, "t", &v, &used), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "at byte offset 2"));
	/* a string length past the end: "t: ... at byte offset 1" */
	const ldp_avro_schema *s = parse(&a, "\"string\"");
	const uint8_t longstr[] = {0x20, 'a', 'b'};
	assert_int_equal(ldp_avro_decode(&a, s, longstr, sizeof longstr, "x.avro", &v, &used), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "x.avro"));
	assert_non_null(strstr(ldp_error_last()->message, "string length 16 exceeds the 2 bytes left"));
	/* negative block count with its byte size (allowed by the spec) */
	const uint8_t negblock[] = {0x03, 0x04, 0x02, 0x04, 0x00}; /* -2 items, 2 bytes: 1, 2 */
	assert_int_equal(ldp_avro_decode(&a, al, negblock, sizeof negblock, "t", &v, &used), 0);
	assert_int_equal(v->u.array.n, 2);
	assert_true(v->u.array.items[1]->u.l == 2);
	/* union branch out of range, boolean not 0/1, enum index out of range */
	const uint8_t badbranch[] = {0x04};
	assert_int_equal(ldp_avro_decode(&a, parse(&a, "[\"null\",\"int\"]"), badbranch, 1, "t", &v, &used),
			 LDP_ECORRUPT);
	const uint8_t two[] = {0x02};
	assert_int_equal(ldp_avro_decode(&a, parse(&a, "\"boolean\""), two, 1, "t", &v, &used), LDP_ECORRUPT);
	const uint8_t e5[] = {0x0a};
	assert_int_equal(ldp_avro_decode(&a, parse(&a, "{\"type\":\"enum\",\"name\":\"e\",\"symbols\":[\"A\"]}"), e5, 1,
					 "t", &v, &used),
			 LDP_ECORRUPT);
	/* deep recursion through a recursive schema is bounded */
	const ldp_avro_schema *rec = parse(&a, "{\"type\":\"record\",\"name\":\"n\",\"fields\":["
					       "{\"name\":\"next\",\"type\":[\"null\",\"n\"]}]}");
	uint8_t deep[5000];
	memset(deep, 0x02, sizeof deep);
	assert_int_equal(ldp_avro_decode(&a, rec, deep, sizeof deep, "t", &v, &used), LDP_ECORRUPT);
	ldp_arena_free(&a);
}

/* A small file, then every truncation and every single-byte corruption:
 * each must fail cleanly (LDP_ECORRUPT or LDP_EUNSUPPORTED with a message
 * naming the file) or succeed; never crash (run under ASan/UBSan). */
static void mutate_all(ldp_avro_codec codec)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	const ldp_avro_schema *s = parse(&a, ALL_TYPES);
	ldp_avro_value *vals[3] = {make_all(&a, s, 1), make_all(&a, s, 2), make_all(&a, s, 3)};
	ldp_buf f = LDP_BUF_INIT;
	write_file(s, codec, 200, vals, 3, &f);
	ldp_arena scratch;
	ldp_arena_init(&scratch, 0);
	uint8_t *copy = malloc(f.len);
	ldp_avro_value *back[8];
	int ok_trunc = 0, ok_flip = 0;
	for (size_t len = 0; len < f.len; len++) {
		memcpy(copy, f.ptr, len);
		int n = read_all(copy, len, &scratch, back, 8, NULL);
		if (n >= 0) {
			assert_true(n < 3); /* a shorter valid file: cut at a block boundary */
			ok_trunc++;
		} else {
			assert_int_equal(n, LDP_ECORRUPT);
			assert_non_null(strstr(ldp_error_last()->message, "t.avro"));
		}
		ldp_arena_reset(&scratch);
	}
	static const uint8_t masks[] = {0xff, 0x01, 0x80, 0x40};
	for (size_t off = 0; off < f.len; off++) {
		for (size_t m = 0; m < sizeof masks; m++) {
			memcpy(copy, f.ptr, f.len);
			copy[off] ^= masks[m];
			int n = read_all(copy, f.len, &scratch, back, 8, NULL);
			if (n >= 0)
				ok_flip++;
			else if (n != LDP_ECORRUPT && n != LDP_EUNSUPPORTED)
				fail_msg("offset %zu mask %02x: status %d (%s)", off, masks[m], n,
					 ldp_error_last()->message);
			ldp_arena_reset(&scratch);
		}
	}
	/* sanity: the unmodified file reads back fully */
	assert_int_equal(read_all(f.ptr, f.len, &scratch, back, 8, NULL), 3);
	(void)ok_trunc;
	(void)ok_flip;
	free(copy);
	ldp_arena_free(&scratch);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

static void test_mutations_null(void **state)
{
	mutate_all(LDP_AVRO_CODEC_NULL);
}

static void test_mutations_deflate(void **state)
{
	mutate_all(LDP_AVRO_CODEC_DEFLATE);
}

static void test_mutations_snappy(void **state)
{
	mutate_all(LDP_AVRO_CODEC_SNAPPY);
}

/* pyiceberg's deflate blocks are zlib.compress(data)[2:-1]: the zlib header
 * cut, but 3 of the 4 Adler-32 trailer bytes left after the raw stream.
 * Java's Inflater and Python's zlib ignore them; so must ldp. */
static void test_deflate_zlib_trailer(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	uint8_t raw[25], z[128];
	raw[0] = 48; /* zig-zag of 24 */
	memcpy(raw + 1, "abcabcabcabcabcabcabcabc", 24);
	uLongf zn = sizeof z;
	assert_int_equal(compress2(z, &zn, raw, sizeof raw, 6), Z_OK);
	ldp_buf f = LDP_BUF_INIT;
	ldp_buf_put(&f, "Obj\x01", 4);
	put_varint(&f, 2);
	put_str(&f, "avro.schema");
	put_str(&f, "\"string\"");
	put_str(&f, "avro.codec");
	put_str(&f, "deflate");
	put_varint(&f, 0);
	ldp_buf_put(&f, (const char *)SYNC, 16);
	put_varint(&f, 1);
	put_varint(&f, (int64_t)zn - 3);
	ldp_buf_put(&f, (const char *)z + 2, zn - 3);
	ldp_buf_put(&f, (const char *)SYNC, 16);
	ldp_avro_value *back[1] = {NULL};
	int n = read_all(f.ptr, f.len, &a, back, 1, NULL);
	if (n < 0)
		fail_msg("read: %s", ldp_error_last()->message);
	assert_int_equal(n, 1);
	assert_string_equal((const char *)back[0]->u.bytes.ptr, "abcabcabcabcabcabcabcabc");
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

static void test_header_errors(void **state)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_avro_reader *r;
	assert_int_equal(ldp_avro_reader_open(&a, "PAR1", 4, "x.parquet", &r), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "x.parquet: not an Avro object container file"));
	/* unknown codec */
	ldp_buf f = LDP_BUF_INIT;
	ldp_buf_put(&f, "Obj\x01", 4);
	put_varint(&f, 2);
	put_str(&f, "avro.schema");
	put_str(&f, "\"int\"");
	put_str(&f, "avro.codec");
	put_str(&f, "zstandard");
	put_varint(&f, 0);
	ldp_buf_put(&f, (const char *)SYNC, 16);
	assert_int_equal(ldp_avro_reader_open(&a, f.ptr, f.len, "z.avro", &r), LDP_EUNSUPPORTED);
	assert_non_null(strstr(ldp_error_last()->message, "zstandard"));
	/* a bad schema in the header is corruption of the file */
	ldp_buf_clear(&f);
	ldp_buf_put(&f, "Obj\x01", 4);
	put_varint(&f, 1);
	put_str(&f, "avro.schema");
	put_str(&f, "{\"type\":");
	put_varint(&f, 0);
	ldp_buf_put(&f, (const char *)SYNC, 16);
	assert_int_equal(ldp_avro_reader_open(&a, f.ptr, f.len, "s.avro", &r), LDP_ECORRUPT);
	/* block with a wrong sync marker: the error names the offset */
	ldp_buf_clear(&f);
	ldp_buf_put(&f, "Obj\x01", 4);
	put_varint(&f, 1);
	put_str(&f, "avro.schema");
	put_str(&f, "\"int\""); /* header: 4 + 1 + 12 + 6 + 1 + 16 = 40 bytes */
	put_varint(&f, 0);
	ldp_buf_put(&f, (const char *)SYNC, 16);
	put_varint(&f, 1);
	put_varint(&f, 1);
	put_varint(&f, 21);
	ldp_buf_put(&f, "0123456789abcdef", 16);
	assert_int_equal(ldp_avro_reader_open(&a, f.ptr, f.len, "b.avro", &r), 0);
	ldp_avro_value *v;
	assert_int_equal(ldp_avro_reader_next(r, &a, &v), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "sync marker"));
	assert_non_null(strstr(ldp_error_last()->message, "at byte offset 43"));
	ldp_avro_reader_free(r);
	ldp_buf_free(&f);
	ldp_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binary_vectors),
		cmocka_unit_test(test_roundtrip_null),
		cmocka_unit_test(test_roundtrip_deflate),
		cmocka_unit_test(test_roundtrip_snappy),
		cmocka_unit_test(test_deflate_is_raw),
		cmocka_unit_test(test_deflate_zlib_trailer),
		cmocka_unit_test(test_snappy_handmade),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_attributes_preserved),
		cmocka_unit_test(test_recursive_schema),
		cmocka_unit_test(test_schema_errors),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_hostile_counts),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_mutations_null),
		cmocka_unit_test(test_mutations_deflate),
		cmocka_unit_test(test_mutations_snappy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
