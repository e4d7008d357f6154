/* YAML -> jansson through libyaml's document API; see ldp/yaml.h. */
#include "ldp/yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "ldp/buf.h"
#include "ldp/error.h"

static json_t *plain_scalar(const char *s, size_t n)
{
	if (n == 0 || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0)
		return json_null();
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 || strcasecmp(s, "on") == 0)
		return json_true();
	if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 || strcasecmp(s, "off") == 0)
		return json_false();
	char *end;
	errno = 0;
	long long ll = strtoll(s, &end, 10);
	if (*end == '\0' && errno == 0 && (s[0] != '0' || n == 1 || s[0] == '-'))
		return json_integer(ll);
	int has_digit = strpbrk(s, "0123456789") != NULL;
	if (has_digit && strspn(s, "0123456789+-.eE") == n) {
		errno = 0;
		double d = strtod(s, &end);
		if (*end == '\0' && errno == 0)
			return json_real(d);
	}
	return json_stringn(s, n);
}

/* The side table of ldp_yaml_load_file_lines(): JSON pointer -> 1-based line.
 * `path` holds the pointer of the node being converted; children append to
 * it and truncate it back. NULL lines: not recorded. */
typedef struct line_map {
	json_t *lines;
	ldp_buf path;
} line_map;

static void record_line(line_map *lm, size_t line0)
{
	if (lm && lm->lines)
		json_object_set_new(lm->lines, ldp_buf_cstr(&lm->path), json_integer((json_int_t)line0 + 1));
}

/* RFC 6901: '~' -> "~0", '/' -> "~1". */
static void push_token(line_map *lm, const char *s, size_t n)
{
	ldp_buf_putc(&lm->path, '/');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~')
			ldp_buf_puts(&lm->path, "~0");
		else if (s[i] == '/')
			ldp_buf_puts(&lm->path, "~1");
		else
			ldp_buf_putc(&lm->path, s[i]);
	}
}

static int convert(yaml_document_t *doc, yaml_node_t *node, const char *what, int depth, line_map *lm, json_t **out)
{
	if (depth > 200)
		return ldp_error_set(LDP_EINVALID, "%s: nesting deeper than 200 levels", what);
	switch (node->type) {
	case YAML_SCALAR_NODE: {
		const char *s = (const char *)node->data.scalar.value;
		size_t n = node->data.scalar.length;
		/* libyaml's loader gives every untagged scalar the default tag
		 * (tag:yaml.org,2002:str), so only the style tells a plain 1 from
		 * a quoted '1'; an explicit `!!str 1` cannot be told apart. */
		if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			*out = plain_scalar(s, n);
		else
			*out = json_stringn(s, n);
		return *out ? LDP_OK : ldp_error_set(LDP_EINVALID, "%s:%zu: invalid UTF-8 in a value", what, node->start_mark.line + 1);
	}
	case YAML_SEQUENCE_NODE: {
		json_t *arr = json_array();
		for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
			json_t *v;
			yaml_node_t *item = yaml_document_get_node(doc, *it);
			size_t mark = 0;
			if (lm && lm->lines) {
				char idx[32];
				int n = snprintf(idx, sizeof idx, "%zu", (size_t)(it - node->data.sequence.items.start));
				mark = lm->path.len;
				push_token(lm, idx, (size_t)n);
				record_line(lm, item->start_mark.line);
			}
			int rc = convert(doc, item, what, depth + 1, lm, &v);
			if (lm && lm->lines)
				ldp_buf_truncate(&lm->path, mark);
			if (rc) {
				json_decref(arr);
				return rc;
			}
			json_array_append_new(arr, v);
		}
		*out = arr;
		return LDP_OK;
	}
	case YAML_MAPPING_NODE: {
		json_t *obj = json_object();
		for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			if (!k || k->type != YAML_SCALAR_NODE) {
				json_decref(obj);
				return ldp_error_set(LDP_EINVALID, "%s:%zu:%zu: mapping keys must be plain values", what,
						     k ? k->start_mark.line + 1 : 0, k ? k->start_mark.column + 1 : 0);
			}
			json_t *v;
			size_t mark = 0;
			if (lm && lm->lines) {
				mark = lm->path.len;
				push_token(lm, (const char *)k->data.scalar.value, k->data.scalar.length);
				record_line(lm, k->start_mark.line);
			}
			int rc = convert(doc, yaml_document_get_node(doc, p->value), what, depth + 1, lm, &v);
			if (lm && lm->lines)
				ldp_buf_truncate(&lm->path, mark);
			if (rc) {
				json_decref(obj);
				return rc;
			}
			char *key = strndup((const char *)k->data.scalar.value, k->data.scalar.length);
			if (!key) {
				json_decref(v);
				json_decref(obj);
				return ldp_error_set(LDP_ENOMEM, "out of memory");
			}
			json_object_set_new(obj, key, v);
			free(key);
		}
		*out = obj;
		return LDP_OK;
	}
	default:
		*out = json_null();
		return LDP_OK;
	}
}

static int load(yaml_parser_t *parser, const char *what, json_t **lines, json_t **out)
{
	yaml_document_t doc;
	if (!yaml_parser_load(parser, &doc)) {
		int rc = ldp_error_set(LDP_EINVALID, "%s:%zu:%zu: invalid YAML: %s", what, parser->problem_mark.line + 1,
				       parser->problem_mark.column + 1, parser->problem ? parser->problem : "syntax error");
		return rc;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	int rc = LDP_OK;
	if (!root)
		*out = json_object();
	else if (!lines)
		rc = convert(&doc, root, what, 0, NULL, out);
	else {
		line_map lm = {json_object(), LDP_BUF_INIT};
		ldp_buf_puts(&lm.path, "");
		record_line(&lm, root->start_mark.line);
		rc = convert(&doc, root, what, 0, &lm, out);
		if (!rc)
			rc = ldp_buf_oom(&lm.path);
		ldp_buf_free(&lm.path);
		if (rc) {
			json_decref(lm.lines);
			json_decref(*out);
			*out = NULL;
		} else {
			*lines = lm.lines;
		}
	}
	yaml_document_delete(&doc);
	return rc;
}

int ldp_yaml_loads(const char *text, size_t len, const char *what, json_t **out)
{
	*out = NULL;
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	int rc = load(&parser, what, NULL, out);
	yaml_parser_delete(&parser);
	return rc;
}

int ldp_yaml_load_file(const char *path, json_t **out) { return ldp_yaml_load_file_lines(path, out, NULL); }

int ldp_yaml_load_file_lines(const char *path, json_t **out, json_t **lines)
{
	*out = NULL;
	if (lines)
		*lines = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return ldp_error_set(errno == ENOENT ? LDP_ENOTFOUND : LDP_EIO, "%s: %s", path, strerror(errno));
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	yaml_parser_set_input_file(&parser, f);
	int rc = load(&parser, path, lines, out);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

int ldp_yaml_line(const json_t *lines, const char *pointer)
{
	json_t *v = lines ? json_object_get(lines, pointer) : NULL;
	return v ? (int)json_integer_value(v) : 0;
}
