/*
 * Printing query results: aligned tables (with column types under the names),
 * csv, tsv, json (one array), ndjson and markdown. Everything but the table
 * streams row by row; the table buffers at most max_rows rows to align them.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "ldp/json.h"

int cli_parse_format(const char *s, cli_format *out)
{
	static const struct { const char *name; cli_format f; } names[] = {
		{"table", CLI_FMT_TABLE}, {"csv", CLI_FMT_CSV}, {"tsv", CLI_FMT_TSV}, {"json", CLI_FMT_JSON},
		{"ndjson", CLI_FMT_NDJSON}, {"jsonl", CLI_FMT_NDJSON}, {"markdown", CLI_FMT_MARKDOWN}, {"md", CLI_FMT_MARKDOWN},
		{"line", CLI_FMT_LINE},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].f;
			return 0;
		}
	return -1;
}

int cli_terminal_width(int fd)
{
	struct winsize ws;
	if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
		return 0;
	return ws.ws_col;
}

/* "1234567.5" -> "1,234,567.5" in b (the digits before any '.', 'e' or end). */
static void put_thousands(ldp_buf *b, const char *s)
{
	size_t i = 0;
	if (s[i] == '-' || s[i] == '+')
		ldp_buf_putc(b, s[i++]);
	size_t nd = strspn(s + i, "0123456789");
	for (size_t k = 0; k < nd; k++) {
		if (k && (nd - k) % 3 == 0)
			ldp_buf_putc(b, ',');
		ldp_buf_putc(b, s[i + k]);
	}
	ldp_buf_puts(b, s + i + nd);
}

/* A cell's text: NULL stays NULL's rendering; numbers get separators on request. */
static void format_cell(const ldp_chunk *ch, size_t c, size_t i, int numeric, const cli_output_opts *o, ldp_buf *b)
{
	if (!(numeric && o->thousands)) {
		ldp_chunk_format(ch, c, i, LDP_VALUE_TEXT, b);
		return;
	}
	ldp_buf raw = LDP_BUF_INIT;
	ldp_chunk_format(ch, c, i, LDP_VALUE_TEXT, &raw);
	put_thousands(b, ldp_buf_cstr(&raw));
	ldp_buf_free(&raw);
}

/* Display width of UTF-8 text: code points, not bytes (wide CJK glyphs are
 * counted as one; good enough for aligned ASCII-heavy data). */
static size_t display_width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

/* Byte length of the first `width` code points of s. */
static size_t prefix_bytes(const char *s, size_t n, size_t width)
{
	size_t w = 0, i = 0;
	for (; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (w == width)
				break;
			w++;
		}
	}
	return i;
}

static void csv_field(FILE *out, const char *s, size_t n, char sep)
{
	int quote = n == 0 ? 0 : strpbrk(s, "\"\n\r") != NULL || memchr(s, sep, n) != NULL;
	if (!quote) {
		fwrite(s, 1, n, out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', out);
		fputc(s[i], out);
	}
	fputc('"', out);
}

static void md_field(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '|')
			fputs("\\|", out);
		else if (s[i] == '\n')
			fputs("<br>", out);
		else
			fputc(s[i], out);
	}
}

/* ---- the aligned table ---- */

#define MAX_CELL 48 /* wider values are cut with an ellipsis */

typedef struct table {
	size_t ncols;
	size_t nrows, cap;
	char **cells; /* nrows * ncols, NULL for SQL NULL */
	size_t *width;
	int *numeric;
} table;

static void put_cell(FILE *out, const char *s, size_t width, int right)
{
	size_t n = strlen(s), w = display_width(s, n);
	if (w > width) { /* cut */
		size_t keep = prefix_bytes(s, n, width - 1);
		fwrite(s, 1, keep, out);
		fputs("…", out);
		return;
	}
	if (right)
		for (size_t i = w; i < width; i++)
			fputc(' ', out);
	fwrite(s, 1, n, out);
	if (!right)
		for (size_t i = w; i < width; i++)
			fputc(' ', out);
}

static void rule(FILE *out, const table *t, const char *l, const char *m, const char *r)
{
	fputs(l, out);
	for (size_t c = 0; c < t->ncols; c++) {
		for (size_t i = 0; i < t->width[c] + 2; i++)
			fputs("─", out);
		fputs(c + 1 < t->ncols ? m : r, out);
	}
	fputc('\n', out);
}

static void table_row(FILE *out, const table *t, const char *const *cells, int header)
{
	fputs("│", out);
	for (size_t c = 0; c < t->ncols; c++) {
		fputc(' ', out);
		put_cell(out, cells[c] ? cells[c] : "NULL", t->width[c], !header && t->numeric[c]);
		fputs(" │", out);
	}
	fputc('\n', out);
}

/* Narrow the widest columns until the table fits `cols` terminal columns
 * (each column takes its width + 3: "│ x "); names keep at least 4 cells. */
static void fit_width(table *t, ldp_result *r, size_t cols)
{
	(void)r;
	size_t total = 1;
	for (size_t c = 0; c < t->ncols; c++)
		total += t->width[c] + 3;
	while (total > cols) {
		size_t widest = 0;
		for (size_t c = 1; c < t->ncols; c++)
			if (t->width[c] > t->width[widest])
				widest = c;
		if (t->width[widest] <= 4)
			break; /* cannot fit: let the terminal wrap */
		t->width[widest]--;
		total--;
	}
}

static int print_table(ldp_result *r, FILE *out, const cli_output_opts *o)
{
	table t = {0};
	t.ncols = ldp_result_column_count(r);
	int rc = LDP_OK;
	long long total = 0;
	t.width = calloc(t.ncols + 1, sizeof *t.width);
	t.numeric = calloc(t.ncols + 1, sizeof *t.numeric);
	if (!t.width || !t.numeric) {
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t c = 0; c < t.ncols; c++) {
		const char *n = ldp_result_column_name(r, c), *ty = ldp_result_column_type(r, c);
		size_t wn = display_width(n, strlen(n)), wt = display_width(ty, strlen(ty));
		t.width[c] = wn > wt ? wn : wt;
		if (t.width[c] > MAX_CELL && !o->width)
			t.width[c] = wn > MAX_CELL ? wn : MAX_CELL; /* long type names are cut, names are not */
		t.numeric[c] = ldp_result_column_is_numeric(r, c);
	}
	ldp_chunk *ch;
	ldp_buf b = LDP_BUF_INIT;
	while ((rc = ldp_result_fetch(r, &ch)) == LDP_OK && ch) {
		size_t rows = ldp_chunk_rows(ch);
		for (size_t i = 0; i < rows; i++, total++) {
			if (o->max_rows >= 0 && total >= o->max_rows)
				continue; /* keep counting */
			if (t.nrows == t.cap) {
				t.cap = t.cap ? t.cap * 2 : 64;
				char **nc = realloc(t.cells, t.cap * t.ncols * sizeof *nc);
				if (!nc) {
					rc = ldp_error_set(LDP_ENOMEM, "out of memory");
					goto done;
				}
				t.cells = nc;
			}
			for (size_t c = 0; c < t.ncols; c++) {
				char *cell = NULL;
				if (!ldp_chunk_is_null(ch, c, i)) {
					ldp_buf_clear(&b);
					format_cell(ch, c, i, t.numeric[c], o, &b);
					cell = strdup(ldp_buf_cstr(&b));
				}
				t.cells[t.nrows * t.ncols + c] = cell;
				size_t w = cell ? display_width(cell, strlen(cell)) : 4;
				if (w > MAX_CELL && !o->width)
					w = MAX_CELL;
				if (w > t.width[c])
					t.width[c] = w;
			}
			t.nrows++;
		}
	}
	ldp_buf_free(&b);
	if (rc)
		goto done;
	if (t.ncols == 0) {
		fprintf(out, "(no columns)\n");
		goto done;
	}
	if (o->width)
		fit_width(&t, r, (size_t)o->width);
	rule(out, &t, "┌", "┬", "┐");
	const char **hdr = calloc(t.ncols, sizeof *hdr);
	if (!hdr) {
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t c = 0; c < t.ncols; c++)
		hdr[c] = ldp_result_column_name(r, c);
	table_row(out, &t, hdr, 1);
	for (size_t c = 0; c < t.ncols; c++)
		hdr[c] = ldp_result_column_type(r, c);
	table_row(out, &t, hdr, 1);
	free(hdr);
	rule(out, &t, "├", "┼", "┤");
	for (size_t i = 0; i < t.nrows; i++)
		table_row(out, &t, (const char *const *)&t.cells[i * t.ncols], 0);
	rule(out, &t, "└", "┴", "┘");
	if ((long long)t.nrows < total)
		fprintf(out, "%lld rows (%zu shown; use --max-rows N to see more)\n", total, t.nrows);
	else
		fprintf(out, "%lld row%s\n", total, total == 1 ? "" : "s");
done:
	for (size_t i = 0; i < t.nrows * t.ncols; i++)
		free(t.cells[i]);
	free(t.cells);
	free(t.width);
	free(t.numeric);
	return rc;
}

/* ---- streaming formats ---- */

static int print_stream(ldp_result *r, FILE *out, const cli_output_opts *o)
{
	size_t ncols = ldp_result_column_count(r);
	char sep = o->format == CLI_FMT_TSV ? '\t' : ',';
	int rc = LDP_OK;
	long long total = 0;
	ldp_buf b = LDP_BUF_INIT;

	if ((o->format == CLI_FMT_CSV || o->format == CLI_FMT_TSV) && o->header) {
		for (size_t c = 0; c < ncols; c++) {
			const char *n = ldp_result_column_name(r, c);
			if (c)
				fputc(sep, out);
			csv_field(out, n, strlen(n), sep);
		}
		fputc('\n', out);
	} else if (o->format == CLI_FMT_MARKDOWN) {
		fputc('|', out);
		for (size_t c = 0; c < ncols; c++) {
			const char *n = ldp_result_column_name(r, c);
			fputc(' ', out);
			md_field(out, n, strlen(n));
			fputs(" |", out);
		}
		fputs("\n|", out);
		for (size_t c = 0; c < ncols; c++)
			fputs(ldp_result_column_is_numeric(r, c) ? " ---: |" : " --- |", out);
		fputc('\n', out);
	} else if (o->format == CLI_FMT_JSON) {
		fputc('[', out);
	}

	ldp_chunk *ch;
	while ((rc = ldp_result_fetch(r, &ch)) == LDP_OK && ch) {
		size_t rows = ldp_chunk_rows(ch);
		for (size_t i = 0; i < rows; i++) {
			if (o->max_rows >= 0 && total >= o->max_rows)
				break;
			if (o->format == CLI_FMT_LINE) {
				size_t namew = 0;
				for (size_t c = 0; c < ncols; c++) {
					const char *n = ldp_result_column_name(r, c);
					size_t w = display_width(n, strlen(n));
					namew = w > namew ? w : namew;
				}
				if (total)
					fputc('\n', out);
				for (size_t c = 0; c < ncols; c++) {
					const char *n = ldp_result_column_name(r, c);
					ldp_buf_clear(&b);
					format_cell(ch, c, i, ldp_result_column_is_numeric(r, c), o, &b);
					for (size_t k = display_width(n, strlen(n)); k < namew; k++)
						fputc(' ', out);
					fprintf(out, "%s = %s\n", n, ldp_buf_cstr(&b));
				}
			} else if (o->format == CLI_FMT_JSON || o->format == CLI_FMT_NDJSON) {
				ldp_buf_clear(&b);
				if (o->format == CLI_FMT_JSON)
					ldp_buf_puts(&b, total ? ",\n" : "\n");
				ldp_buf_putc(&b, '{');
				for (size_t c = 0; c < ncols; c++) {
					const char *n = ldp_result_column_name(r, c);
					if (c)
						ldp_buf_putc(&b, ',');
					ldp_json_append_string(&b, n, strlen(n));
					ldp_buf_putc(&b, ':');
					ldp_chunk_format(ch, c, i, LDP_VALUE_JSON, &b);
				}
				ldp_buf_putc(&b, '}');
				if (o->format == CLI_FMT_NDJSON)
					ldp_buf_putc(&b, '\n');
				fwrite(b.ptr, 1, b.len, out);
			} else {
				if (o->format == CLI_FMT_MARKDOWN)
					fputc('|', out);
				for (size_t c = 0; c < ncols; c++) {
					ldp_buf_clear(&b);
					/* NULL is an empty field in csv/tsv, as DuckDB and most tools read it */
					if (!ldp_chunk_is_null(ch, c, i)) {
						if (o->format == CLI_FMT_MARKDOWN)
							format_cell(ch, c, i, ldp_result_column_is_numeric(r, c), o, &b);
						else
							ldp_chunk_format(ch, c, i, LDP_VALUE_TEXT, &b);
					}
					const char *s = ldp_buf_cstr(&b);
					if (o->format == CLI_FMT_MARKDOWN) {
						fputc(' ', out);
						md_field(out, s, b.len);
						fputs(" |", out);
					} else {
						if (c)
							fputc(sep, out);
						csv_field(out, s, b.len, sep);
					}
				}
				fputc('\n', out);
			}
			total++;
		}
		if (ldp_buf_oom(&b)) {
			rc = LDP_ENOMEM;
			break;
		}
	}
	if (o->format == CLI_FMT_JSON)
		fputs(total ? "\n]\n" : "]\n", out);
	ldp_buf_free(&b);
	return rc;
}

int cli_print_result(ldp_result *r, FILE *out, const cli_output_opts *o)
{
	int rc = o->format == CLI_FMT_TABLE ? print_table(r, out, o) : print_stream(r, out, o);
	if (!rc && ferror(out))
		rc = ldp_error_set(LDP_EIO, "writing output failed");
	return rc;
}
