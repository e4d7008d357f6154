/*
 * The few XML elements ldp reads from S3 responses: ListBucketResult
 * (Contents/Key/Size/ETag, IsTruncated, NextContinuationToken), Error
 * (Code/Message) and InitiateMultipartUploadResult (UploadId).
 *
 * Why no XML library: these documents are flat, machine-written, have no
 * namespaces we need to resolve, no attributes we read, no CDATA and no DTDs;
 * S3 escapes key text with the five predefined entities and numeric
 * references. Finding <Tag>...</Tag> and decoding entities is the whole job,
 * and it keeps a parser (and its attack surface: entity expansion, external
 * entities) out of a path that reads bytes from the network.
 */
#include "io/s3.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/buf.h"
#include "ldp/error.h"

static const char *find(const char *hay, size_t len, const char *needle, size_t nlen)
{
	if (nlen == 0 || len < nlen)
		return NULL;
	for (size_t i = 0; i + nlen <= len; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return hay + i;
	return NULL;
}

int ldp_xml_element(const char *xml, size_t len, const char *tag, const char **inner, size_t *inner_len,
		    const char **next)
{
	size_t tl = strlen(tag);
	const char *end = xml + len;
	const char *p = xml;
	while (p < end) {
		const char *lt = find(p, (size_t)(end - p), "<", 1);
		if (!lt || (size_t)(end - lt) < tl + 2)
			return LDP_ENOTFOUND;
		/* <Tag>, <Tag attr="..">, or <Tag/> - but not <TagSuffix> */
		if (memcmp(lt + 1, tag, tl) == 0 && (lt[tl + 1] == '>' || lt[tl + 1] == ' ' || lt[tl + 1] == '/')) {
			const char *gt = memchr(lt, '>', (size_t)(end - lt));
			if (!gt)
				return LDP_ENOTFOUND;
			if (gt[-1] == '/') { /* empty element */
				*inner = gt + 1;
				*inner_len = 0;
				if (next)
					*next = gt + 1;
				return LDP_OK;
			}
			char close[128];
			int cl = snprintf(close, sizeof close, "</%s>", tag);
			if (cl < 0 || (size_t)cl >= sizeof close)
				return LDP_ENOTFOUND;
			const char *c = find(gt + 1, (size_t)(end - gt - 1), close, (size_t)cl);
			if (!c)
				return LDP_ENOTFOUND;
			*inner = gt + 1;
			*inner_len = (size_t)(c - gt - 1);
			if (next)
				*next = c + cl;
			return LDP_OK;
		}
		p = lt + 1;
	}
	return LDP_ENOTFOUND;
}

static void put_utf8(ldp_buf *b, unsigned long cp)
{
	char u[4];
	if (cp < 0x80) {
		ldp_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		ldp_buf_put(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		ldp_buf_put(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		ldp_buf_put(b, u, 4);
	}
}

static int decode(const char *s, size_t n, char **out)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
	ldp_buf b = LDP_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '&') {
			ldp_buf_putc(&b, s[i]);
			continue;
		}
		int done = 0;
		for (size_t e = 0; e < sizeof ents / sizeof ents[0] && !done; e++) {
			size_t el = strlen(ents[e].name);
			if (i + 1 + el <= n && memcmp(s + i + 1, ents[e].name, el) == 0) {
				ldp_buf_putc(&b, ents[e].c);
				i += el;
				done = 1;
			}
		}
		if (!done && i + 2 < n && s[i + 1] == '#') {
			const char *semi = memchr(s + i, ';', n - i);
			char *endp = NULL;
			int hex = s[i + 2] == 'x' || s[i + 2] == 'X';
			unsigned long cp = semi ? strtoul(s + i + (hex ? 3 : 2), &endp, hex ? 16 : 10) : 0;
			if (semi && endp == semi && cp > 0 && cp <= 0x10FFFF) {
				put_utf8(&b, cp);
				i = (size_t)(semi - s);
				done = 1;
			}
		}
		if (!done)
			ldp_buf_putc(&b, '&');
	}
	if (ldp_buf_oom(&b)) {
		ldp_buf_free(&b);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	if (!b.ptr)
		ldp_buf_puts(&b, "");
	*out = ldp_buf_detach(&b);
	return *out ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}

int ldp_xml_text(const char *xml, size_t len, const char *tag, char **out, const char **next)
{
	*out = NULL;
	const char *in;
	size_t il;
	if (ldp_xml_element(xml, len, tag, &in, &il, next) != LDP_OK)
		return LDP_OK;
	return decode(in, il, out);
}

void ldp_s3_list_free(ldp_s3_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].etag);
	}
	free(l->items);
	for (size_t i = 0; i < l->nprefixes; i++)
		free(l->prefixes[i]);
	free(l->prefixes);
	free(l->next_token);
	memset(l, 0, sizeof *l);
}

int ldp_s3_list_add(ldp_s3_list *l, const char *key, int64_t size, const char *etag)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		ldp_s3_object *ni = realloc(l->items, cap * sizeof *ni);
		if (!ni)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		l->items = ni;
		l->cap = cap;
	}
	ldp_s3_object *o = &l->items[l->n];
	o->key = strdup(key);
	o->etag = etag ? strdup(etag) : NULL;
	o->size = size;
	if (!o->key || (etag && !o->etag)) {
		free(o->key);
		free(o->etag);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	l->n++;
	return LDP_OK;
}

int ldp_s3_list_add_prefix(ldp_s3_list *l, const char *prefix)
{
	if (l->nprefixes == l->capprefixes) {
		size_t cap = l->capprefixes ? l->capprefixes * 2 : 16;
		char **np = realloc(l->prefixes, cap * sizeof *np);
		if (!np)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		l->prefixes = np;
		l->capprefixes = cap;
	}
	if (!(l->prefixes[l->nprefixes] = strdup(prefix)))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	l->nprefixes++;
	return LDP_OK;
}

int ldp_s3_list_parse_page(const char *xml, size_t len, ldp_s3_list *l)
{
	const char *body;
	size_t blen;
	if (ldp_xml_element(xml, len, "ListBucketResult", &body, &blen, NULL) != LDP_OK)
		return ldp_error_set(LDP_ECORRUPT, "S3 list response is not a ListBucketResult: %.200s", xml);
	const char *p = body, *end = body + blen, *in;
	size_t il;
	int rc = LDP_OK;
	while (!rc && ldp_xml_element(p, (size_t)(end - p), "Contents", &in, &il, &p) == LDP_OK) {
		char *key = NULL, *size = NULL, *etag = NULL;
		rc = ldp_xml_text(in, il, "Key", &key, NULL);
		if (!rc)
			rc = ldp_xml_text(in, il, "Size", &size, NULL);
		if (!rc)
			rc = ldp_xml_text(in, il, "ETag", &etag, NULL);
		char *endp = NULL;
		long long sz = size ? strtoll(size, &endp, 10) : -1;
		if (!rc && (!key || !size || *endp || sz < 0))
			rc = ldp_error_set(LDP_ECORRUPT, "S3 list response has a Contents entry without a valid Key and Size");
		if (!rc)
			rc = ldp_s3_list_add(l, key, sz, etag);
		free(key);
		free(etag);
		free(size);
	}
	/* <CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>, one element per prefix */
	p = body;
	while (!rc && ldp_xml_element(p, (size_t)(end - p), "CommonPrefixes", &in, &il, &p) == LDP_OK) {
		char *pre = NULL;
		rc = ldp_xml_text(in, il, "Prefix", &pre, NULL);
		if (!rc && !pre)
			rc = ldp_error_set(LDP_ECORRUPT, "S3 list response has a CommonPrefixes entry without a Prefix");
		if (!rc)
			rc = ldp_s3_list_add_prefix(l, pre);
		free(pre);
	}
	if (rc)
		return rc;
	/* only the top-level flag: a key could literally be "<IsTruncated>" but
	 * would then be escaped */
	char *tr = NULL;
	rc = ldp_xml_text(body, blen, "IsTruncated", &tr, NULL);
	l->truncated = tr && strcmp(tr, "true") == 0;
	free(tr);
	free(l->next_token);
	l->next_token = NULL;
	if (!rc)
		rc = ldp_xml_text(body, blen, "NextContinuationToken", &l->next_token, NULL);
	if (!rc && l->truncated && !l->next_token)
		rc = ldp_error_set(LDP_ECORRUPT, "S3 list response is truncated but has no NextContinuationToken");
	return rc;
}
