/*
 * Avro binary encoding (Avro 1.11 specification, "Binary Encoding");
 * object container files are in avro_file.c.
 *
 * ldp has its own codec rather than Debian's libavro (avro-c 1.11) because
 * libavro drops schema attributes such as Iceberg's `field-id` from the
 * schema it writes, and has no API for writing the file metadata keys
 * Iceberg requires (schema, schema-id, partition-spec, partition-spec-id,
 * format-version, content).
 *
 * Hostile input: the reader treats every byte as untrusted. Each length and
 * count is checked against the bytes left before anything is allocated;
 * counts of elements that take no bytes (arrays of null) draw from a fixed
 * budget per value; nesting is bounded; decompression output is capped.
 * Failures are LDP_ECORRUPT naming what was wrong and the byte offset.
 */
#include "format/avro_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"

#define MAX_DEPTH 200

/* ---- encoding ---- */

void ldp_avro_put_long(ldp_buf *b, int64_t v)
{
	/* zig-zag, then base-128 varint, low groups first */
	uint64_t n = ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
	char tmp[10];
	size_t i = 0;
	while (n >= 0x80) {
		tmp[i++] = (char)((n & 0x7F) | 0x80);
		n >>= 7;
	}
	tmp[i++] = (char)n;
	ldp_buf_put(b, tmp, i);
}

void ldp_avro_put_bytes(ldp_buf *b, const void *p, size_t len)
{
	ldp_avro_put_long(b, (int64_t)len);
	ldp_buf_put(b, p, len);
}

static void put_u32le(ldp_buf *b, uint32_t u)
{
	char t[4] = {(char)u, (char)(u >> 8), (char)(u >> 16), (char)(u >> 24)};
	ldp_buf_put(b, t, 4);
}

static void put_u64le(ldp_buf *b, uint64_t u)
{
	put_u32le(b, (uint32_t)u);
	put_u32le(b, (uint32_t)(u >> 32));
}

static int mismatch(const ldp_avro_schema *s, const ldp_avro_value *v)
{
	return ldp_error_set(LDP_EINVALID, "an Avro %s value does not fit schema type %s",
			     ldp_avro_kind_name(v ? v->kind : LDP_AVRO_NULL), ldp_avro_kind_name(s->kind));
}

static int encode(ldp_buf *b, const ldp_avro_schema *s, const ldp_avro_value *v, int depth);

static int encode_union(ldp_buf *b, const ldp_avro_schema *s, const ldp_avro_value *v, int depth)
{
	ldp_avro_kind k = v ? v->kind : LDP_AVRO_NULL;
	int pick = -1;
	if (v && v->branch >= 0 && (size_t)v->branch < s->nbranches && s->branches[v->branch]->kind == k)
		pick = v->branch;
	for (size_t i = 0; pick < 0 && i < s->nbranches; i++) {
		const ldp_avro_schema *br = s->branches[i];
		if (br->kind != k)
			continue;
		if (v && v->schema && br->fullname && v->schema->fullname && strcmp(br->fullname, v->schema->fullname))
			continue;
		pick = (int)i;
	}
	/* Promotions last: an int into a ["null","long"] field. */
	for (size_t i = 0; pick < 0 && i < s->nbranches; i++) {
		ldp_avro_kind bk = s->branches[i]->kind;
		if ((k == LDP_AVRO_INT && bk == LDP_AVRO_LONG) || (k == LDP_AVRO_FLOAT && bk == LDP_AVRO_DOUBLE))
			pick = (int)i;
	}
	if (pick < 0)
		return ldp_error_set(LDP_EINVALID, "an Avro %s value matches no branch of the union",
				     ldp_avro_kind_name(k));
	ldp_avro_put_long(b, pick);
	return encode(b, s->branches[pick], v, depth + 1);
}

static int encode(ldp_buf *b, const ldp_avro_schema *s, const ldp_avro_value *v, int depth)
{
	if (depth > MAX_DEPTH)
		return ldp_error_set(LDP_EINVALID, "Avro value nested deeper than %d levels", MAX_DEPTH);
	if (s->kind == LDP_AVRO_UNION)
		return encode_union(b, s, v, depth);
	ldp_avro_kind k = v ? v->kind : LDP_AVRO_NULL;
	switch (s->kind) {
	case LDP_AVRO_NULL:
		if (k != LDP_AVRO_NULL)
			return mismatch(s, v);
		return 0;
	case LDP_AVRO_BOOLEAN:
		if (k != LDP_AVRO_BOOLEAN)
			return mismatch(s, v);
		ldp_buf_putc(b, v->u.b ? 1 : 0);
		return 0;
	case LDP_AVRO_INT:
		if (k != LDP_AVRO_INT)
			return mismatch(s, v);
		ldp_avro_put_long(b, v->u.i);
		return 0;
	case LDP_AVRO_LONG:
		if (k != LDP_AVRO_LONG && k != LDP_AVRO_INT)
			return mismatch(s, v);
		ldp_avro_put_long(b, k == LDP_AVRO_INT ? v->u.i : v->u.l);
		return 0;
	case LDP_AVRO_FLOAT: {
		if (k != LDP_AVRO_FLOAT)
			return mismatch(s, v);
		uint32_t u;
		memcpy(&u, &v->u.f, 4);
		put_u32le(b, u);
		return 0;
	}
	case LDP_AVRO_DOUBLE: {
		if (k != LDP_AVRO_DOUBLE && k != LDP_AVRO_FLOAT)
			return mismatch(s, v);
		double d = k == LDP_AVRO_FLOAT ? v->u.f : v->u.d;
		uint64_t u;
		memcpy(&u, &d, 8);
		put_u64le(b, u);
		return 0;
	}
	case LDP_AVRO_BYTES:
	case LDP_AVRO_STRING:
		if (k != LDP_AVRO_BYTES && k != LDP_AVRO_STRING)
			return mismatch(s, v);
		ldp_avro_put_bytes(b, v->u.bytes.ptr, v->u.bytes.len);
		return 0;
	case LDP_AVRO_FIXED:
		if (k != LDP_AVRO_FIXED && k != LDP_AVRO_BYTES)
			return mismatch(s, v);
		if (v->u.bytes.len != s->size)
			return ldp_error_set(LDP_EINVALID, "a value of %zu bytes does not fit fixed '%s' of %zu bytes",
					     v->u.bytes.len, s->fullname, s->size);
		ldp_buf_put(b, (const char *)v->u.bytes.ptr, s->size);
		return 0;
	case LDP_AVRO_ENUM:
		if (k != LDP_AVRO_ENUM)
			return mismatch(s, v);
		if (v->u.enm.index < 0 || (size_t)v->u.enm.index >= s->nsymbols)
			return ldp_error_set(LDP_EINVALID, "enum index %d out of range for '%s'", (int)v->u.enm.index,
					     s->fullname);
		ldp_avro_put_long(b, v->u.enm.index);
		return 0;
	case LDP_AVRO_ARRAY:
	case LDP_AVRO_MAP: {
		int is_array = s->kind == LDP_AVRO_ARRAY;
		if (k != s->kind)
			return mismatch(s, v);
		size_t n = is_array ? v->u.array.n : v->u.map.n;
		/* One block holding everything, then the empty block. */
		if (n) {
			ldp_avro_put_long(b, (int64_t)n);
			for (size_t i = 0; i < n; i++) {
				int rc;
				if (is_array) {
					rc = encode(b, s->items, v->u.array.items[i], depth + 1);
				} else {
					ldp_avro_put_bytes(b, v->u.map.keys[i], v->u.map.key_lens[i]);
					rc = encode(b, s->values, v->u.map.values[i], depth + 1);
					if (rc)
						rc = ldp_error_wrap(rc, "map key '%s'", v->u.map.keys[i]);
				}
				if (rc)
					return rc;
			}
		}
		ldp_avro_put_long(b, 0);
		return 0;
	}
	case LDP_AVRO_RECORD:
		if (k != LDP_AVRO_RECORD)
			return mismatch(s, v);
		if (v->u.record.n != s->nfields)
			return ldp_error_set(LDP_EINVALID, "record value has %zu fields, schema '%s' has %zu",
					     v->u.record.n, s->fullname, s->nfields);
		for (size_t i = 0; i < s->nfields; i++) {
			int rc = encode(b, s->fields[i].type, v->u.record.fields[i], depth + 1);
			if (rc)
				return ldp_error_wrap(rc, "field '%s'", s->fields[i].name);
		}
		return 0;
	default: return mismatch(s, v);
	}
}

int ldp_avro_encode(ldp_buf *out, const ldp_avro_schema *s, const ldp_avro_value *v)
{
	size_t mark = out->len;
	int rc = encode(out, s, v, 0);
	if (!rc)
		rc = ldp_buf_oom(out);
	if (rc && !out->oom)
		ldp_buf_truncate(out, out->len < mark ? out->len : mark);
	return rc;
}

/* ---- decoding ---- */


int ldp_avro_dec_corrupt(const ldp_avro_dec *d, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	size_t off = (size_t)(d->p - d->start);
	if (d->in_block)
		return ldp_error_set(LDP_ECORRUPT,
				     "%s: corrupt Avro data: %s, at byte %zu of the block at file offset %zu", d->what,
				     msg, off, d->file_off);
	return ldp_error_set(LDP_ECORRUPT, "%s: corrupt Avro data: %s, at byte offset %zu", d->what, msg,
			     d->file_off + off);
}

int ldp_avro_dec_long(ldp_avro_dec *d, int64_t *out, const char *what)
{
	uint64_t n = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (d->p >= d->end)
			return ldp_avro_dec_corrupt(d, "truncated %s", what);
		uint8_t byte = *d->p++;
		if (shift == 63 && byte > 1)
			return ldp_avro_dec_corrupt(d, "%s varint overflows 64 bits", what);
		n |= (uint64_t)(byte & 0x7F) << shift;
		if (!(byte & 0x80)) {
			*out = (int64_t)((n >> 1) ^ (0 - (n & 1)));
			return 0;
		}
	}
	return ldp_avro_dec_corrupt(d, "%s varint longer than 10 bytes", what);
}

static int get_int(ldp_avro_dec *d, int32_t *out, const char *what)
{
	int64_t l = 0;
	int rc = ldp_avro_dec_long(d, &l, what);
	if (rc)
		return rc;
	if (l < INT32_MIN || l > INT32_MAX)
		return ldp_avro_dec_corrupt(d, "%s %lld does not fit an int", what, (long long)l);
	*out = (int32_t)l;
	return 0;
}

/* A length prefix that must fit in what is left. */
int ldp_avro_dec_len(ldp_avro_dec *d, size_t *out, const char *what)
{
	int64_t l = 0;
	int rc = ldp_avro_dec_long(d, &l, what);
	if (rc)
		return rc;
	if (l < 0)
		return ldp_avro_dec_corrupt(d, "negative %s %lld", what, (long long)l);
	if ((uint64_t)l > (uint64_t)(d->end - d->p))
		return ldp_avro_dec_corrupt(d, "%s %lld exceeds the %zu bytes left", what, (long long)l,
					    (size_t)(d->end - d->p));
	*out = (size_t)l;
	return 0;
}

int ldp_avro_dec_raw(ldp_avro_dec *d, size_t n, const uint8_t **out, const char *what)
{
	if (n > (size_t)(d->end - d->p))
		return ldp_avro_dec_corrupt(d, "truncated %s (%zu bytes needed, %zu left)", what, n,
					    (size_t)(d->end - d->p));
	*out = d->p;
	d->p += n;
	return 0;
}

/* Element count of an array/map block. Negative counts are followed by the
 * block's byte size (spec: "Arrays"), which we check and otherwise ignore. */
int ldp_avro_dec_block_count(ldp_avro_dec *d, size_t min_elem, size_t *out)
{
	int64_t c = 0;
	int rc = ldp_avro_dec_long(d, &c, "block count");
	if (rc)
		return rc;
	if (c < 0) {
		if (c == INT64_MIN)
			return ldp_avro_dec_corrupt(d, "block count out of range");
		c = -c;
		int64_t sz;
		if ((rc = ldp_avro_dec_long(d, &sz, "block size")))
			return rc;
		if (sz < 0 || (uint64_t)sz > (uint64_t)(d->end - d->p))
			return ldp_avro_dec_corrupt(d, "block size %lld does not fit the %zu bytes left", (long long)sz,
				       (size_t)(d->end - d->p));
	}
	size_t left = (size_t)(d->end - d->p);
	if (min_elem) {
		if ((uint64_t)c > left / min_elem)
			return ldp_avro_dec_corrupt(d, "block of %lld elements cannot fit the %zu bytes left",
						    (long long)c, left);
	} else {
		if ((uint64_t)c > d->budget)
			return ldp_avro_dec_corrupt(d, "block of %lld empty elements exceeds the limit", (long long)c);
		d->budget -= (size_t)c;
	}
	*out = (size_t)c;
	return 0;
}

static ldp_avro_value *new_val(ldp_avro_dec *d, ldp_avro_kind k)
{
	ldp_avro_value *v = ldp_arena_alloc(d->a, sizeof *v);
	if (v) {
		memset(v, 0, sizeof *v);
		v->kind = k;
		v->branch = -1;
	}
	return v;
}

static int decode(ldp_avro_dec *d, const ldp_avro_schema *s, int depth, ldp_avro_value **out);

static int decode_bytes(ldp_avro_dec *d, ldp_avro_kind k, size_t n, ldp_avro_value **out)
{
	const uint8_t *p = NULL;
	int rc = ldp_avro_dec_raw(d, n, &p, ldp_avro_kind_name(k));
	if (rc)
		return rc;
	ldp_avro_value *v = new_val(d, k);
	uint8_t *copy = ldp_arena_alloc(d->a, n + 1);
	if (!v || !copy)
		return LDP_ENOMEM;
	if (n)
		memcpy(copy, p, n);
	copy[n] = 0;
	v->u.bytes.ptr = copy;
	v->u.bytes.len = n;
	*out = v;
	return 0;
}

static int decode_list(ldp_avro_dec *d, const ldp_avro_schema *s, int depth, ldp_avro_value *v)
{
	int is_array = s->kind == LDP_AVRO_ARRAY;
	const ldp_avro_schema *elem = is_array ? s->items : s->values;
	/* a map entry is at least the key's length byte */
	size_t min_elem = elem->min_size + (is_array ? 0 : 1);
	size_t n = 0, cap = 0;
	ldp_avro_value **vals = NULL;
	const char **keys = NULL;
	size_t *klens = NULL;
	for (;;) {
		size_t c;
		int rc = ldp_avro_dec_block_count(d, min_elem, &c);
		if (rc)
			return rc;
		if (c == 0)
			break;
		if (n + c > cap) {
			size_t nc = cap * 2 > n + c ? cap * 2 : n + c;
			ldp_avro_value **nv = ldp_arena_alloc(d->a, nc * sizeof *nv);
			const char **nk = is_array ? NULL : ldp_arena_alloc(d->a, nc * sizeof *nk);
			size_t *nl = is_array ? NULL : ldp_arena_alloc(d->a, nc * sizeof *nl);
			if (!nv || (!is_array && (!nk || !nl)))
				return LDP_ENOMEM;
			if (n) {
				memcpy(nv, vals, n * sizeof *nv);
				if (!is_array) {
					memcpy(nk, keys, n * sizeof *nk);
					memcpy(nl, klens, n * sizeof *nl);
				}
			}
			vals = nv, keys = nk, klens = nl, cap = nc;
		}
		for (size_t i = 0; i < c; i++, n++) {
			if (!is_array) {
				size_t kl = 0;
				ldp_avro_value *kv;
				if ((rc = ldp_avro_dec_len(d, &kl, "map key length")) ||
				    (rc = decode_bytes(d, LDP_AVRO_STRING, kl, &kv)))
					return rc;
				keys[n] = (const char *)kv->u.bytes.ptr;
				klens[n] = kl;
			}
			if ((rc = decode(d, elem, depth + 1, &vals[n])))
				return rc;
		}
	}
	if (is_array) {
		v->u.array.n = n;
		v->u.array.cap = cap;
		v->u.array.items = vals;
	} else {
		v->u.map.n = n;
		v->u.map.cap = cap;
		v->u.map.keys = keys;
		v->u.map.key_lens = klens;
		v->u.map.values = vals;
	}
	return 0;
}

static int decode(ldp_avro_dec *d, const ldp_avro_schema *s, int depth, ldp_avro_value **out)
{
	if (depth > MAX_DEPTH)
		return ldp_avro_dec_corrupt(d, "values nested deeper than %d levels", MAX_DEPTH);
	ldp_avro_value *v;
	int rc = 0;
	const uint8_t *p = NULL;
	switch (s->kind) {
	case LDP_AVRO_NULL:
		v = new_val(d, LDP_AVRO_NULL);
		break;
	case LDP_AVRO_BOOLEAN:
		if ((rc = ldp_avro_dec_raw(d, 1, &p, "boolean")))
			return rc;
		if (*p > 1)
			return d->p--, ldp_avro_dec_corrupt(d, "boolean byte %u is neither 0 nor 1", *p);
		if ((v = new_val(d, LDP_AVRO_BOOLEAN)))
			v->u.b = *p;
		break;
	case LDP_AVRO_INT:
		if (!(v = new_val(d, LDP_AVRO_INT)))
			return LDP_ENOMEM;
		return (rc = get_int(d, &v->u.i, "int")) ? rc : (*out = v, 0);
	case LDP_AVRO_LONG:
		if (!(v = new_val(d, LDP_AVRO_LONG)))
			return LDP_ENOMEM;
		return (rc = ldp_avro_dec_long(d, &v->u.l, "long")) ? rc : (*out = v, 0);
	case LDP_AVRO_FLOAT: {
		if ((rc = ldp_avro_dec_raw(d, 4, &p, "float")))
			return rc;
		uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		if ((v = new_val(d, LDP_AVRO_FLOAT)))
			memcpy(&v->u.f, &u, 4);
		break;
	}
	case LDP_AVRO_DOUBLE: {
		if ((rc = ldp_avro_dec_raw(d, 8, &p, "double")))
			return rc;
		uint64_t u = 0;
		for (int i = 7; i >= 0; i--)
			u = u << 8 | p[i];
		if ((v = new_val(d, LDP_AVRO_DOUBLE)))
			memcpy(&v->u.d, &u, 8);
		break;
	}
	case LDP_AVRO_BYTES:
	case LDP_AVRO_STRING: {
		size_t n;
		if ((rc = ldp_avro_dec_len(d, &n, s->kind == LDP_AVRO_STRING ? "string length" : "bytes length")))
			return rc;
		return decode_bytes(d, s->kind, n, out);
	}
	case LDP_AVRO_FIXED:
		if ((rc = decode_bytes(d, LDP_AVRO_FIXED, s->size, out)))
			return rc;
		(*out)->schema = s;
		return 0;
	case LDP_AVRO_ENUM: {
		int32_t i = 0;
		if ((rc = get_int(d, &i, "enum index")))
			return rc;
		if (i < 0 || (size_t)i >= s->nsymbols)
			return ldp_avro_dec_corrupt(d, "enum index %d out of range for '%s' (%zu symbols)", (int)i,
						    s->fullname,
				       s->nsymbols);
		if ((v = new_val(d, LDP_AVRO_ENUM))) {
			v->schema = s;
			v->u.enm.index = i;
			v->u.enm.symbol = s->symbols[i];
		}
		break;
	}
	case LDP_AVRO_ARRAY:
	case LDP_AVRO_MAP:
		if (!(v = new_val(d, s->kind)))
			return LDP_ENOMEM;
		if ((rc = decode_list(d, s, depth, v)))
			return rc;
		break;
	case LDP_AVRO_RECORD:
		if (!(v = new_val(d, LDP_AVRO_RECORD)))
			return LDP_ENOMEM;
		v->schema = s;
		v->u.record.n = s->nfields;
		if (s->nfields && !(v->u.record.fields = ldp_arena_alloc(d->a, s->nfields * sizeof(ldp_avro_value *))))
			return LDP_ENOMEM;
		for (size_t i = 0; i < s->nfields; i++) {
			if ((rc = decode(d, s->fields[i].type, depth + 1, &v->u.record.fields[i])))
				return rc;
		}
		break;
	case LDP_AVRO_UNION: {
		int64_t b;
		if ((rc = ldp_avro_dec_long(d, &b, "union branch")))
			return rc;
		if (b < 0 || (uint64_t)b >= s->nbranches)
			return ldp_avro_dec_corrupt(d, "union branch %lld out of range (%zu branches)", (long long)b,
						    s->nbranches);
		if ((rc = decode(d, s->branches[b], depth + 1, &v)))
			return rc;
		v->branch = (int32_t)b;
		break;
	}
	default: return ldp_avro_dec_corrupt(d, "unknown schema kind");
	}
	if (!v)
		return LDP_ENOMEM;
	*out = v;
	return 0;
}

int ldp_avro_decode(ldp_arena *a, const ldp_avro_schema *s, const void *data, size_t len, const char *what,
		    ldp_avro_value **out, size_t *used)
{
	ldp_avro_dec d = {.start = data, .p = data, .end = (const uint8_t *)data + len,
							    .what = what ? what : "Avro data",
		 .budget = LDP_AVRO_ZERO_SIZE_BUDGET, .a = a};
	int rc = decode(&d, s, 0, out);
	if (!rc && used)
		*used = (size_t)(d.p - d.start);
	return rc;
}

int ldp_avro_dec_value(ldp_avro_dec *d, const ldp_avro_schema *s, ldp_avro_value **out)
{
	return decode(d, s, 0, out);
}
