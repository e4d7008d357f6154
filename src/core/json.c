/* jansson helpers with errors that name the file and field; see ldp/json.h. */
#include "ldp/json.h"
#include "ldp/buf.h"
#include "ldp/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ldp_json_load_file(const char *path, json_t **out)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int code = errno == ENOENT ? LDP_ENOTFOUND : LDP_EIO;
		return ldp_error_set(code, "%s: %s", path, strerror(errno));
	}
	json_error_t e;
	json_t *v = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
	fclose(f);
	if (!v)
		return ldp_error_set(LDP_ECORRUPT, "%s:%d:%d: invalid JSON: %s", path, e.line, e.column, e.text);
	*out = v;
	return LDP_OK;
}

int ldp_json_loads(const char *text, size_t len, const char *what, json_t **out)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!v)
		return ldp_error_set(LDP_EINVALID, "%s:%d:%d: invalid JSON: %s", what, e.line, e.column, e.text);
	*out = v;
	return LDP_OK;
}

char *ldp_json_dumps(const json_t *v, int flags)
{
	size_t f = JSON_ENCODE_ANY | JSON_REAL_PRECISION(17);
	f |= (flags & LDP_JSON_PRETTY) ? JSON_INDENT(2) : JSON_COMPACT;
	return json_dumps(v, f);
}

static int field(const json_t *obj, const char *key, const char *what, int required, json_t **out)
{
	if (!json_is_object(obj))
		return ldp_error_set(LDP_ECORRUPT, "%s: expected a JSON object", what);
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return ldp_error_set(LDP_ECORRUPT, "%s: missing required field '%s'", what, key);
		*out = NULL;
		return LDP_OK;
	}
	*out = v;
	return LDP_OK;
}

#define TYPE_ERR(kind) ldp_error_set(LDP_ECORRUPT, "%s: field '%s' must be %s", what, key, kind)

static int get_string(const json_t *o, const char *key, const char *what, int req, const char **out)
{
	json_t *v = NULL;
	int rc = field(o, key, what, req, &v);
	if (rc || !v)
		return rc;
	if (!json_is_string(v))
		return TYPE_ERR("a string");
	*out = json_string_value(v);
	return LDP_OK;
}

static int get_int64(const json_t *o, const char *key, const char *what, int req, int64_t *out)
{
	json_t *v = NULL;
	int rc = field(o, key, what, req, &v);
	if (rc || !v)
		return rc;
	if (!json_is_integer(v))
		return TYPE_ERR("an integer");
	*out = (int64_t)json_integer_value(v);
	return LDP_OK;
}

static int get_bool(const json_t *o, const char *key, const char *what, int req, int *out)
{
	json_t *v = NULL;
	int rc = field(o, key, what, req, &v);
	if (rc || !v)
		return rc;
	if (!json_is_boolean(v))
		return TYPE_ERR("true or false");
	*out = json_is_true(v);
	return LDP_OK;
}

int ldp_json_get_string(const json_t *o, const char *k, const char *w, const char **out) { return get_string(o, k, w, 1, out); }
int ldp_json_opt_string(const json_t *o, const char *k, const char *w, const char **out) { return get_string(o, k, w, 0, out); }
int ldp_json_get_int64(const json_t *o, const char *k, const char *w, int64_t *out) { return get_int64(o, k, w, 1, out); }
int ldp_json_opt_int64(const json_t *o, const char *k, const char *w, int64_t *out) { return get_int64(o, k, w, 0, out); }
int ldp_json_get_bool(const json_t *o, const char *k, const char *w, int *out) { return get_bool(o, k, w, 1, out); }
int ldp_json_opt_bool(const json_t *o, const char *k, const char *w, int *out) { return get_bool(o, k, w, 0, out); }

int ldp_json_get_object(const json_t *obj, const char *key, const char *what, json_t **out)
{
	json_t *v = NULL;
	int rc = field(obj, key, what, 1, &v);
	if (rc)
		return rc;
	if (!json_is_object(v))
		return TYPE_ERR("an object");
	*out = v;
	return LDP_OK;
}

int ldp_json_get_array(const json_t *obj, const char *key, const char *what, json_t **out)
{
	json_t *v = NULL;
	int rc = field(obj, key, what, 1, &v);
	if (rc)
		return rc;
	if (!json_is_array(v))
		return TYPE_ERR("an array");
	*out = v;
	return LDP_OK;
}

void ldp_json_append_string(ldp_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	ldp_buf_putc(b, '"');
	size_t run = 0; /* start of the pending run of characters that need no escape */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		ldp_buf_put(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': ldp_buf_puts(b, "\\\""); break;
		case '\\': ldp_buf_puts(b, "\\\\"); break;
		case '\n': ldp_buf_puts(b, "\\n"); break;
		case '\r': ldp_buf_puts(b, "\\r"); break;
		case '\t': ldp_buf_puts(b, "\\t"); break;
		case '\b': ldp_buf_puts(b, "\\b"); break;
		case '\f': ldp_buf_puts(b, "\\f"); break;
		default: {
			char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
			ldp_buf_puts(b, u);
		}
		}
	}
	ldp_buf_put(b, s + run, len - run);
	ldp_buf_putc(b, '"');
}
