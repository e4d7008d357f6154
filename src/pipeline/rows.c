/* Small in-memory query results (pipeline/rows.h). */
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "ldp/json.h"
#include "pipeline/rows.h"

/* One cell as a JSON value. DuckDB's JSON rendering of a few values (NaN,
 * infinities) is not JSON: those keep their text rendering as a string. */
static json_t *cell_json(const ldp_chunk *ch, size_t c, size_t i, ldp_buf *b)
{
	ldp_buf_clear(b);
	ldp_chunk_format(ch, c, i, LDP_VALUE_JSON, b);
	json_t *v = json_loadb(ldp_buf_cstr(b), b->len, JSON_DECODE_ANY, NULL);
	if (v)
		return v;
	ldp_buf_clear(b);
	ldp_chunk_format(ch, c, i, LDP_VALUE_TEXT, b);
	return json_string(ldp_buf_cstr(b));
}

int ldp_rows_collect(ldp_result *r, long long max_rows, json_t **out)
{
	*out = NULL;
	json_t *cols = json_array(), *rows = json_array();
	json_t *o = json_pack("{s:o,s:o}", "columns", cols, "rows", rows);
	if (!o)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	size_t ncol = ldp_result_column_count(r);
	for (size_t c = 0; c < ncol; c++)
		json_array_append_new(cols, json_string(ldp_result_column_name(r, c)));
	long long total = 0;
	ldp_buf b = LDP_BUF_INIT;
	int rc;
	for (;;) {
		ldp_chunk *ch = NULL;
		if ((rc = ldp_result_fetch(r, &ch)) || !ch)
			break;
		size_t n = ldp_chunk_rows(ch);
		for (size_t i = 0; i < n; i++, total++) {
			if (max_rows >= 0 && total >= max_rows)
				continue;
			json_t *row = json_array();
			for (size_t c = 0; c < ncol; c++)
				json_array_append_new(row, cell_json(ch, c, i, &b));
			json_array_append_new(rows, row);
		}
	}
	ldp_buf_free(&b);
	if (rc) {
		json_decref(o);
		return rc;
	}
	json_object_set_new(o, "total", json_integer(total));
	*out = o;
	return LDP_OK;
}

char *ldp_rows_cell_text(const json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (!v || json_is_null(v))
		return strdup("NULL");
	/* 15 significant digits: what a double holds of a decimal number, so
	 * 514402.76 is not shown as 514402.76000000001 */
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
}

/* Code points of UTF-8 text (a continuation byte is not one). */
static size_t width_of(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* Cut s in place to `max` code points, the last one "…" (max 0: no limit). */
static char *cut(char *s, size_t max)
{
	if (!s || !max || width_of(s) <= max)
		return s;
	size_t w = 0, i = 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && w++ == max - 1)
			break;
	char *t = malloc(i + 4);
	if (t) {
		memcpy(t, s, i);
		memcpy(t + i, "\xE2\x80\xA6", 4);
	}
	free(s);
	return t;
}

static void pad(ldp_buf *b, const char *s, size_t width, int right)
{
	size_t w = width_of(s);
	if (right)
		ldp_buf_fill(b, ' ', width - w);
	ldp_buf_puts(b, s);
	if (!right)
		ldp_buf_fill(b, ' ', width - w);
}

void ldp_rows_format(const json_t *rs, size_t nrows, size_t max_cell, ldp_buf *b)
{
	const json_t *cols = json_object_get(rs, "columns"), *rows = json_object_get(rs, "rows");
	size_t ncol = json_array_size(cols);
	if (nrows > json_array_size(rows))
		nrows = json_array_size(rows);
	if (!ncol)
		return;
	/* cells[r * ncol + c]; row 0 is the header */
	char **cells = calloc((nrows + 1) * ncol, sizeof *cells);
	size_t *width = calloc(ncol, sizeof *width);
	int *numeric = calloc(ncol, sizeof *numeric);
	if (!cells || !width || !numeric) {
		free(cells), free(width), free(numeric);
		return;
	}
	for (size_t c = 0; c < ncol; c++) {
		cells[c] = cut(strdup(json_string_value(json_array_get(cols, c))), max_cell);
		numeric[c] = -1; /* unknown until a value says */
	}
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncol; c++) {
			const json_t *v = json_array_get(json_array_get(rows, r), c);
			cells[(r + 1) * ncol + c] = cut(ldp_rows_cell_text(v), max_cell);
			if (json_is_number(v) && numeric[c])
				numeric[c] = 1;
			else if (!json_is_null(v))
				numeric[c] = 0;
		}
	for (size_t i = 0; i < (nrows + 1) * ncol; i++)
		if (cells[i] && width_of(cells[i]) > width[i % ncol])
			width[i % ncol] = width_of(cells[i]);
	for (size_t r = 0; r <= nrows; r++) {
		for (size_t c = 0; c < ncol; c++) {
			const char *s = cells[r * ncol + c] ? cells[r * ncol + c] : "";
			if (c)
				ldp_buf_puts(b, " | ");
			/* numbers and their header right-aligned; the last column
			 * needs no trailing padding */
			int right = numeric[c] == 1;
			if (c + 1 == ncol && !right)
				ldp_buf_puts(b, s);
			else
				pad(b, s, width[c], right);
		}
		ldp_buf_putc(b, '\n');
		if (r == 0) {
			for (size_t c = 0; c < ncol; c++) {
				if (c)
					ldp_buf_puts(b, "-+-");
				ldp_buf_fill(b, '-', width[c]);
			}
			ldp_buf_putc(b, '\n');
		}
	}
	for (size_t i = 0; i < (nrows + 1) * ncol; i++)
		free(cells[i]);
	free(cells), free(width), free(numeric);
}
