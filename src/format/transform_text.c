/* Text form of partition transforms (spec: "Partition Transforms",
 * Appendix C); see format/partition.h. */
#include "format/partition.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ldp/error.h"

static const struct {
	ldp_transform_kind kind;
	const char *name;
} names[] = {
	{LDP_TR_IDENTITY, "identity"}, {LDP_TR_YEAR, "year"}, {LDP_TR_MONTH, "month"},
	{LDP_TR_DAY, "day"},           {LDP_TR_HOUR, "hour"}, {LDP_TR_VOID, "void"},
};

/* "<prefix>[N]" with N a positive int32; blanks allowed around N. */
static bool parse_param(const char *s, const char *prefix, int32_t *out)
{
	size_t n = strlen(prefix);
	if (strncasecmp(s, prefix, n) != 0)
		return false;
	s += n;
	while (*s == ' ')
		s++;
	if (*s++ != '[')
		return false;
	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	long v = 0;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s++ - '0');
		if (v > INT32_MAX)
			return false;
	}
	while (*s == ' ')
		s++;
	if (*s++ != ']' || *s || v < 1)
		return false;
	*out = (int32_t)v;
	return true;
}

int ldp_transform_parse(const char *text, ldp_arena *a, ldp_transform *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = LDP_TR_UNKNOWN;
	out->text = a ? ldp_arena_strdup(a, text) : text;
	if (!out->text)
		return LDP_ENOMEM;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(text, names[i].name) == 0) {
			out->kind = names[i].kind;
			return LDP_OK;
		}
	}
	if (parse_param(text, "bucket", &out->param))
		out->kind = LDP_TR_BUCKET;
	else if (parse_param(text, "truncate", &out->param))
		out->kind = LDP_TR_TRUNCATE;
	return LDP_OK;
}

void ldp_transform_to_string(const ldp_transform *t, ldp_buf *b)
{
	switch (t->kind) {
	case LDP_TR_BUCKET: ldp_buf_printf(b, "bucket[%d]", t->param); return;
	case LDP_TR_TRUNCATE: ldp_buf_printf(b, "truncate[%d]", t->param); return;
	case LDP_TR_UNKNOWN: ldp_buf_puts(b, t->text ? t->text : ""); return;
	default:
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (names[i].kind == t->kind) {
				ldp_buf_puts(b, names[i].name);
				return;
			}
		}
	}
}

bool ldp_transform_equal(const ldp_transform *x, const ldp_transform *y)
{
	if (x->kind != y->kind)
		return false;
	if (x->kind == LDP_TR_BUCKET || x->kind == LDP_TR_TRUNCATE)
		return x->param == y->param;
	if (x->kind == LDP_TR_UNKNOWN)
		return x->text && y->text && strcmp(x->text, y->text) == 0;
	return true;
}
