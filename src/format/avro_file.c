/*
 * Avro object container files (Avro 1.11 specification, "Object Container
 * Files"): header = magic "Obj\1", metadata map<bytes>, 16-byte sync marker;
 * then blocks of (object count, byte size, objects, sync marker).
 *
 * ldp writes these itself rather than through Debian's libavro (avro-c 1.11)
 * because libavro drops Iceberg's `field-id` and other attributes from the
 * schema it writes and cannot write the metadata keys Iceberg requires
 * (schema, schema-id, partition-spec, partition-spec-id, format-version,
 * content). See format/avro.h.
 */
#include "format/avro_internal.h"

#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <zlib.h>

#include "ldp/error.h"

#define MAX_BLOCK_BYTES ((size_t)256 << 20) /* cap on a decompressed block: bounds deflate bombs */
#define DEFAULT_BLOCK   (64 * 1024)
#define SYNC_LEN        16

static const uint8_t MAGIC[4] = {'O', 'b', 'j', 1};

static const char *codec_name(ldp_avro_codec c)
{
	switch (c) {
	case LDP_AVRO_CODEC_DEFLATE: return "deflate";
	case LDP_AVRO_CODEC_SNAPPY: return "snappy";
	default: return "null";
	}
}

/* ---- writer ---- */

typedef struct meta_entry {
	char *key;
	char *value;
	size_t len;
} meta_entry;

struct ldp_avro_writer {
	const ldp_avro_schema *schema;
	ldp_avro_writer_opts opts;
	ldp_buf *out;
	uint8_t sync[SYNC_LEN];
	ldp_buf block; /* encoded objects of the block being filled */
	size_t block_count;
	meta_entry *meta;
	size_t nmeta, cap;
	int header_done, finished;
};

/* The sync marker only has to be unlikely to occur in the data. */
static void random_sync(uint8_t *sync)
{
	if (getrandom(sync, SYNC_LEN, GRND_NONBLOCK) == SYNC_LEN)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)sync;
	for (int i = 0; i < SYNC_LEN; i++) {
		x += 0x9E3779B97F4A7C15ull; /* splitmix64 */
		uint64_t z = x;
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
		sync[i] = (uint8_t)(z ^ (z >> 31));
	}
}

int ldp_avro_writer_new(const ldp_avro_schema *schema, const ldp_avro_writer_opts *opts, ldp_buf *out,
			ldp_avro_writer **w)
{
	ldp_avro_writer *nw = calloc(1, sizeof *nw);
	if (!nw)
		return ldp_error_set(LDP_ENOMEM, "out of memory creating an Avro writer");
	nw->schema = schema;
	if (opts)
		nw->opts = *opts;
	if (!nw->opts.block_size)
		nw->opts.block_size = DEFAULT_BLOCK;
	if (nw->opts.codec > LDP_AVRO_CODEC_SNAPPY) {
		int c = (int)nw->opts.codec;
		free(nw);
		return ldp_error_set(LDP_EINVALID, "unknown Avro codec %d", c);
	}
	if (nw->opts.sync)
		memcpy(nw->sync, nw->opts.sync, SYNC_LEN);
	else
		random_sync(nw->sync);
	nw->opts.sync = NULL;
	nw->out = out;
	nw->block = (ldp_buf)LDP_BUF_INIT;
	*w = nw;
	return 0;
}

int ldp_avro_writer_meta(ldp_avro_writer *w, const char *key, const void *value, size_t len)
{
	if (w->header_done)
		return ldp_error_set(LDP_EINVALID, "Avro metadata key '%s' added after the header was written", key);
	if (strncmp(key, "avro.", 5) == 0)
		return ldp_error_set(LDP_EINVALID, "Avro metadata key '%s' is reserved (keys starting with \"avro.\")",
				     key);
	for (size_t i = 0; i < w->nmeta; i++)
		if (strcmp(w->meta[i].key, key) == 0)
			return ldp_error_set(LDP_EEXISTS, "Avro metadata key '%s' set twice", key);
	if (w->nmeta == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 8;
		meta_entry *nm = realloc(w->meta, nc * sizeof *nm);
		if (!nm)
			return ldp_error_set(LDP_ENOMEM, "out of memory adding Avro metadata");
		w->meta = nm;
		w->cap = nc;
	}
	meta_entry *m = &w->meta[w->nmeta];
	m->key = strdup(key);
	m->value = malloc(len ? len : 1);
	if (!m->key || !m->value) {
		free(m->key);
		free(m->value);
		return ldp_error_set(LDP_ENOMEM, "out of memory adding Avro metadata");
	}
	if (len)
		memcpy(m->value, value, len);
	m->len = len;
	w->nmeta++;
	return 0;
}

int ldp_avro_writer_meta_str(ldp_avro_writer *w, const char *key, const char *value)
{
	return ldp_avro_writer_meta(w, key, value, strlen(value));
}

static int write_header(ldp_avro_writer *w)
{
	ldp_buf schema = LDP_BUF_INIT;
	int rc = ldp_avro_schema_to_json(w->schema, &schema);
	if (rc) {
		ldp_buf_free(&schema);
		return rc;
	}
	ldp_buf *o = w->out;
	ldp_buf_put(o, (const char *)MAGIC, 4);
	ldp_avro_put_long(o, (int64_t)w->nmeta + 2);
	ldp_avro_put_bytes(o, "avro.schema", 11);
	ldp_avro_put_bytes(o, schema.ptr, schema.len);
	ldp_avro_put_bytes(o, "avro.codec", 10);
	const char *cn = codec_name(w->opts.codec);
	ldp_avro_put_bytes(o, cn, strlen(cn));
	for (size_t i = 0; i < w->nmeta; i++) {
		ldp_avro_put_bytes(o, w->meta[i].key, strlen(w->meta[i].key));
		ldp_avro_put_bytes(o, w->meta[i].value, w->meta[i].len);
	}
	ldp_avro_put_long(o, 0);
	ldp_buf_put(o, (const char *)w->sync, SYNC_LEN);
	ldp_buf_free(&schema);
	w->header_done = 1;
	return ldp_buf_oom(o);
}

static int deflate_block(const ldp_buf *in, int level, ldp_buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	/* windowBits -15: raw RFC 1951 deflate, no zlib header or checksum,
	 * as the Avro spec requires. */
	if (deflateInit2(&z, level ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return ldp_error_set(LDP_ERROR, "zlib deflateInit2 failed");
	uLong bound = deflateBound(&z, (uLong)in->len);
	if (ldp_buf_grow(out, bound)) {
		deflateEnd(&z);
		return LDP_ENOMEM;
	}
	z.next_in = (Bytef *)in->ptr;
	z.avail_in = (uInt)in->len;
	z.next_out = (Bytef *)out->ptr + out->len;
	z.avail_out = (uInt)bound;
	int zr = deflate(&z, Z_FINISH);
	size_t produced = bound - z.avail_out;
	deflateEnd(&z);
	if (zr != Z_STREAM_END)
		return ldp_error_set(LDP_ERROR, "zlib deflate failed (%d)", zr);
	out->len += produced;
	return 0;
}

static int snappy_block(const ldp_buf *in, ldp_buf *out)
{
	size_t max = snappy_max_compressed_length(in->len);
	if (ldp_buf_grow(out, max + 4))
		return LDP_ENOMEM;
	size_t n = max;
	if (snappy_compress(in->ptr ? in->ptr : "", in->len, out->ptr + out->len, &n) != SNAPPY_OK)
		return ldp_error_set(LDP_ERROR, "snappy_compress failed");
	out->len += n;
	/* Avro: each snappy block is followed by the CRC32 of the
	 * uncompressed data, 4 bytes big-endian. */
	uLong crc = crc32(0L, (const Bytef *)in->ptr, (uInt)in->len);
	char be[4] = {(char)(crc >> 24), (char)(crc >> 16), (char)(crc >> 8), (char)crc};
	ldp_buf_put(out, be, 4);
	return ldp_buf_oom(out);
}

static int flush_block(ldp_avro_writer *w)
{
	if (!w->block_count)
		return 0;
	ldp_buf packed = LDP_BUF_INIT;
	const ldp_buf *data = &w->block;
	int rc = 0;
	if (w->opts.codec == LDP_AVRO_CODEC_DEFLATE)
		rc = deflate_block(&w->block, w->opts.deflate_level, &packed), data = &packed;
	else if (w->opts.codec == LDP_AVRO_CODEC_SNAPPY)
		rc = snappy_block(&w->block, &packed), data = &packed;
	if (!rc) {
		ldp_avro_put_long(w->out, (int64_t)w->block_count);
		ldp_avro_put_bytes(w->out, data->ptr, data->len);
		ldp_buf_put(w->out, (const char *)w->sync, SYNC_LEN);
		rc = ldp_buf_oom(w->out);
	}
	ldp_buf_free(&packed);
	ldp_buf_clear(&w->block);
	w->block_count = 0;
	return rc;
}

int ldp_avro_writer_append(ldp_avro_writer *w, const ldp_avro_value *v)
{
	if (w->finished)
		return ldp_error_set(LDP_EINVALID, "appending to a finished Avro writer");
	int rc;
	if (!w->header_done && (rc = write_header(w)))
		return rc;
	if ((rc = ldp_avro_encode(&w->block, w->schema, v)))
		return rc;
	w->block_count++;
	if (w->block.len >= w->opts.block_size)
		return flush_block(w);
	return 0;
}

int ldp_avro_writer_finish(ldp_avro_writer *w)
{
	if (w->finished)
		return 0;
	int rc;
	if (!w->header_done && (rc = write_header(w)))
		return rc;
	if ((rc = flush_block(w)))
		return rc;
	w->finished = 1;
	return 0;
}

void ldp_avro_writer_free(ldp_avro_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nmeta; i++) {
		free(w->meta[i].key);
		free(w->meta[i].value);
	}
	free(w->meta);
	ldp_buf_free(&w->block);
	free(w);
}

/* ---- reader ---- */

struct ldp_avro_reader {
	ldp_arena *arena; /* the caller's: schema, metadata, name */
	const uint8_t *data;
	size_t len;
	size_t pos; /* file offset of the next block */
	const char *what;
	const ldp_avro_schema *schema;
	const ldp_avro_schema *project;
	ldp_avro_codec codec;
	uint8_t sync[SYNC_LEN];
	size_t nmeta;
	const char **meta_keys;
	const char **meta_values;
	size_t *meta_lens;
	uint8_t *buf; /* decompressed block */
	size_t bufcap;
	ldp_avro_dec blk; /* the current block */
	size_t left;      /* objects left in it */
	int failed;
};

static int read_meta(ldp_avro_reader *r, ldp_avro_dec *d)
{
	size_t cap = 0;
	for (;;) {
		size_t c;
		/* each entry is at least two length bytes */
		int rc = ldp_avro_dec_block_count(d, 2, &c);
		if (rc)
			return rc;
		if (!c)
			return 0;
		if (r->nmeta + c > cap) {
			size_t nc = r->nmeta + c;
			const char **nk = ldp_arena_alloc(r->arena, nc * sizeof *nk);
			const char **nv = ldp_arena_alloc(r->arena, nc * sizeof *nv);
			size_t *nl = ldp_arena_alloc(r->arena, nc * sizeof *nl);
			if (!nk || !nv || !nl)
				return LDP_ENOMEM;
			if (r->nmeta) {
				memcpy(nk, r->meta_keys, r->nmeta * sizeof *nk);
				memcpy(nv, r->meta_values, r->nmeta * sizeof *nv);
				memcpy(nl, r->meta_lens, r->nmeta * sizeof *nl);
			}
			r->meta_keys = nk, r->meta_values = nv, r->meta_lens = nl, cap = nc;
		}
		for (size_t i = 0; i < c; i++) {
			size_t kl, vl;
			const uint8_t *k, *v;
			if ((rc = ldp_avro_dec_len(d, &kl, "metadata key length")) ||
			    (rc = ldp_avro_dec_raw(d, kl, &k, "metadata key")) ||
			    (rc = ldp_avro_dec_len(d, &vl, "metadata value length")) ||
			    (rc = ldp_avro_dec_raw(d, vl, &v, "metadata value")))
				return rc;
			char *ks = ldp_arena_strndup(r->arena, (const char *)k, kl);
			char *vs = ldp_arena_strndup(r->arena, (const char *)v, vl);
			if (!ks || !vs)
				return LDP_ENOMEM;
			r->meta_keys[r->nmeta] = ks;
			r->meta_values[r->nmeta] = vs;
			r->meta_lens[r->nmeta++] = vl;
		}
	}
}

static int read_header(ldp_avro_reader *r)
{
	ldp_avro_dec d = {.start = r->data, .p = r->data, .end = r->data + r->len, .what = r->what,
			  .budget = LDP_AVRO_ZERO_SIZE_BUDGET, .a = r->arena};
	if (r->len < 4 || memcmp(r->data, MAGIC, 4) != 0)
		return ldp_error_set(LDP_ECORRUPT,
				     "%s: not an Avro object container file (the first bytes are not \"Obj\\x01\")",
				     r->what);
	d.p += 4;
	int rc = read_meta(r, &d);
	const uint8_t *sync;
	if (rc || (rc = ldp_avro_dec_raw(&d, SYNC_LEN, &sync, "header sync marker")))
		return rc;
	memcpy(r->sync, sync, SYNC_LEN);
	r->pos = (size_t)(d.p - d.start);

	size_t slen;
	const char *schema = ldp_avro_reader_meta(r, "avro.schema", &slen);
	if (!schema)
		return ldp_error_set(LDP_ECORRUPT, "%s: Avro header has no avro.schema", r->what);
	if ((rc = ldp_avro_schema_parse(r->arena, schema, slen, &r->schema)))
		return ldp_error_wrap(rc == LDP_ENOMEM ? rc : LDP_ECORRUPT, "%s: avro.schema in the header", r->what);
	const char *codec = ldp_avro_reader_meta(r, "avro.codec", NULL);
	if (!codec || !strcmp(codec, "null"))
		r->codec = LDP_AVRO_CODEC_NULL;
	else if (!strcmp(codec, "deflate"))
		r->codec = LDP_AVRO_CODEC_DEFLATE;
	else if (!strcmp(codec, "snappy"))
		r->codec = LDP_AVRO_CODEC_SNAPPY;
	else
		return ldp_error_set(LDP_EUNSUPPORTED,
				     "%s: Avro codec '%.40s' is not supported (ldp reads null, deflate and snappy)",
				     r->what, codec);
	return 0;
}

int ldp_avro_reader_open(ldp_arena *a, const void *data, size_t len, const char *what, ldp_avro_reader **out)
{
	ldp_avro_reader *r = calloc(1, sizeof *r);
	if (!r)
		return ldp_error_set(LDP_ENOMEM, "out of memory opening an Avro file");
	r->arena = a;
	r->data = data ? data : (const uint8_t *)"";
	r->len = len;
	r->what = ldp_arena_strdup(r->arena, what ? what : "Avro file");
	int rc = r->what ? read_header(r) : LDP_ENOMEM;
	if (rc) {
		ldp_avro_reader_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

const ldp_avro_schema *ldp_avro_reader_schema(const ldp_avro_reader *r)
{
	return r->schema;
}

ldp_avro_codec ldp_avro_reader_codec(const ldp_avro_reader *r)
{
	return r->codec;
}

const char *ldp_avro_reader_meta(const ldp_avro_reader *r, const char *key, size_t *len)
{
	for (size_t i = 0; i < r->nmeta; i++) {
		if (strcmp(r->meta_keys[i], key) == 0) {
			if (len)
				*len = r->meta_lens[i];
			return r->meta_values[i];
		}
	}
	return NULL;
}

size_t ldp_avro_reader_meta_count(const ldp_avro_reader *r)
{
	return r->nmeta;
}

const char *ldp_avro_reader_meta_key(const ldp_avro_reader *r, size_t i)
{
	return i < r->nmeta ? r->meta_keys[i] : NULL;
}

void ldp_avro_reader_project(ldp_avro_reader *r, const ldp_avro_schema *reader_schema)
{
	r->project = reader_schema;
}

static int ensure_buf(ldp_avro_reader *r, size_t n)
{
	if (n <= r->bufcap)
		return 0;
	uint8_t *nb = realloc(r->buf, n);
	if (!nb)
		return ldp_error_set(LDP_ENOMEM, "out of memory decompressing an Avro block of %zu bytes", n);
	r->buf = nb;
	r->bufcap = n;
	return 0;
}

static int inflate_block(ldp_avro_reader *r, ldp_avro_dec *fd, const uint8_t *p, size_t n, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, -15) != Z_OK)
		return ldp_error_set(LDP_ERROR, "zlib inflateInit2 failed");
	size_t cap = n < 1024 ? 4096 : n * 4;
	cap = cap > MAX_BLOCK_BYTES ? MAX_BLOCK_BYTES : cap;
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)n;
	size_t have = 0;
	int rc = 0, zr;
	for (;;) {
		if ((rc = ensure_buf(r, cap)))
			break;
		z.next_out = r->buf + have;
		z.avail_out = (uInt)(cap - have);
		zr = inflate(&z, Z_NO_FLUSH);
		have = cap - z.avail_out;
		/* Bytes after the end of the stream are ignored, as Java's Inflater
		 * and Python's zlib do: pyiceberg writes zlib.compress() output with
		 * the 2-byte header but only 1 of the 4 Adler-32 trailer bytes cut,
		 * so each of its blocks ends with 3 stray bytes. */
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK && z.avail_out == 0) {
			if (cap == MAX_BLOCK_BYTES) {
				rc = ldp_avro_dec_corrupt(fd, "deflate block inflates beyond %zu bytes",
							  MAX_BLOCK_BYTES);
				break;
			}
			cap = cap * 2 > MAX_BLOCK_BYTES ? MAX_BLOCK_BYTES : cap * 2;
			continue;
		}
		if (zr == Z_OK)
			continue;
		rc = ldp_avro_dec_corrupt(fd, "bad deflate data (%s)",
					  zr == Z_BUF_ERROR ? "truncated stream" : (z.msg ? z.msg : "zlib error"));
		break;
	}
	inflateEnd(&z);
	*outlen = have;
	return rc;
}

static int unsnappy_block(ldp_avro_reader *r, ldp_avro_dec *fd, const uint8_t *p, size_t n, size_t *outlen)
{
	if (n < 4)
		return ldp_avro_dec_corrupt(fd, "snappy block of %zu bytes has no CRC32 trailer", n);
	size_t ulen;
	if (snappy_uncompressed_length((const char *)p, n - 4, &ulen) != SNAPPY_OK)
		return ldp_avro_dec_corrupt(fd, "bad snappy length header");
	if (ulen > MAX_BLOCK_BYTES)
		return ldp_avro_dec_corrupt(fd, "snappy block claims %zu bytes, more than the %zu allowed", ulen,
					    MAX_BLOCK_BYTES);
	int rc = ensure_buf(r, ulen ? ulen : 1);
	if (rc)
		return rc;
	size_t got = ulen;
	if (snappy_uncompress((const char *)p, n - 4, (char *)r->buf, &got) != SNAPPY_OK || got != ulen)
		return ldp_avro_dec_corrupt(fd, "bad snappy data");
	uint32_t want = (uint32_t)p[n - 4] << 24 | (uint32_t)p[n - 3] << 16 | (uint32_t)p[n - 2] << 8 | p[n - 1];
	uint32_t crc = (uint32_t)crc32(0L, r->buf, (uInt)ulen);
	if (crc != want)
		return ldp_avro_dec_corrupt(fd, "snappy block CRC32 %08x does not match the data's %08x", want, crc);
	*outlen = ulen;
	return 0;
}

/* Read the next block's framing and payload; r->left = 0 at end of file. */
static int next_block(ldp_avro_reader *r)
{
	ldp_avro_dec fd = {.start = r->data, .p = r->data + r->pos, .end = r->data + r->len, .what = r->what};
	int64_t count, size;
	int rc;
	if ((rc = ldp_avro_dec_long(&fd, &count, "block object count")))
		return rc;
	if (count < 0)
		return ldp_avro_dec_corrupt(&fd, "negative block object count %lld", (long long)count);
	if ((rc = ldp_avro_dec_long(&fd, &size, "block size")))
		return rc;
	if (size < 0 || (uint64_t)size > (uint64_t)(fd.end - fd.p))
		return ldp_avro_dec_corrupt(&fd, "block size %lld does not fit the %zu bytes left", (long long)size,
					    (size_t)(fd.end - fd.p));
	const uint8_t *payload = fd.p, *sync;
	size_t payload_off = (size_t)(fd.p - fd.start);
	fd.p += size;
	if ((rc = ldp_avro_dec_raw(&fd, SYNC_LEN, &sync, "block sync marker")))
		return rc;
	if (memcmp(sync, r->sync, SYNC_LEN) != 0) {
		fd.p -= SYNC_LEN;
		return ldp_avro_dec_corrupt(&fd, "block sync marker differs from the header's");
	}
	r->pos = (size_t)(fd.p - fd.start);

	ldp_avro_dec *b = &r->blk;
	memset(b, 0, sizeof *b);
	b->what = r->what;
	b->file_off = payload_off;
	size_t blen = (size_t)size;
	fd.p = payload;
	if (r->codec == LDP_AVRO_CODEC_NULL) {
		b->start = payload;
	} else {
		rc = r->codec == LDP_AVRO_CODEC_DEFLATE ? inflate_block(r, &fd, payload, blen, &blen)
							: unsnappy_block(r, &fd, payload, blen, &blen);
		if (rc)
			return rc;
		b->start = r->buf;
		b->in_block = 1;
	}
	b->p = b->start;
	b->end = b->start + blen;
	size_t min = r->schema->min_size;
	if ((min && (uint64_t)count > blen / min) || (!min && (uint64_t)count > LDP_AVRO_ZERO_SIZE_BUDGET))
		return ldp_avro_dec_corrupt(b, "block claims %lld objects, more than its %zu bytes can hold",
					    (long long)count, blen);
	r->left = (size_t)count;
	return 0;
}

int ldp_avro_reader_next(ldp_avro_reader *r, ldp_arena *a, ldp_avro_value **out)
{
	if (r->failed)
		return ldp_error_set(LDP_ECORRUPT, "%s: reading on after an earlier error", r->what);
	int rc = 0;
	while (r->left == 0) {
		if (r->blk.p != r->blk.end) {
			rc = ldp_avro_dec_corrupt(&r->blk, "%zu bytes left over after the block's objects",
						  (size_t)(r->blk.end - r->blk.p));
			goto fail;
		}
		if (r->pos >= r->len)
			return 0;
		if ((rc = next_block(r)))
			goto fail;
	}
	r->blk.a = a;
	r->blk.budget = LDP_AVRO_ZERO_SIZE_BUDGET;
	ldp_avro_value *v;
	if ((rc = ldp_avro_dec_value(&r->blk, r->schema, &v)))
		goto fail;
	r->left--;
	if (r->project) {
		ldp_avro_value *pv;
		if ((rc = ldp_avro_value_project(a, v, r->project, &pv))) {
			rc = ldp_error_wrap(rc, "%s: resolving the file's schema against the reader's", r->what);
			goto fail;
		}
		v = pv;
	}
	*out = v;
	return 1;
fail:
	r->failed = 1;
	return rc;
}

void ldp_avro_reader_free(ldp_avro_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}
