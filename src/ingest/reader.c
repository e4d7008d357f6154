/* The shared reader: local files -> one DuckDB SELECT. DuckDB's readers do
 * the parsing (CSV sniffing, JSON shape detection, gzip/zstd); this file only
 * translates ldp's options into their parameters. */
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"
#include "ldp/error.h"

const char *ingest_format_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char name[1024];
	snprintf(name, sizeof name, "%s", base);
	size_t len = strlen(name);
	/* compression suffixes: DuckDB decompresses by extension */
	static const char *const comp[] = {".gz", ".gzip", ".zst", ".zstd", NULL};
	for (int i = 0; comp[i]; i++) {
		size_t cl = strlen(comp[i]);
		if (len > cl && strcasecmp(name + len - cl, comp[i]) == 0) {
			name[len - cl] = '\0';
			len -= cl;
			break;
		}
	}
	const char *dot = strrchr(name, '.');
	if (!dot)
		return NULL;
	static const struct {
		const char *ext, *format;
	} map[] = {{".parquet", "parquet"}, {".pq", "parquet"}, {".csv", "csv"},       {".txt", "csv"},
		   {".tsv", "tsv"},         {".tab", "tsv"},   {".json", "json"},     {".ndjson", "ndjson"},
		   {".jsonl", "ndjson"},    {NULL, NULL}};
	for (int i = 0; map[i].ext; i++)
		if (strcasecmp(dot, map[i].ext) == 0)
			return map[i].format;
	return NULL;
}

static int known_format(const char *f)
{
	return !strcmp(f, "parquet") || !strcmp(f, "csv") || !strcmp(f, "tsv") || !strcmp(f, "json") ||
	       !strcmp(f, "ndjson");
}

int ingest_batch_format(const ldp_ingest_files *f, const ldp_ingest_options *o, const char **out)
{
	*out = f->format ? f->format : o->format;
	if (*out) {
		if (!known_format(*out))
			return ldp_error_set(LDP_EINVALID, "unknown format '%s' (use parquet, csv, tsv, json or ndjson)", *out);
		return LDP_OK;
	}
	const char *first = NULL;
	for (size_t i = 0; i < f->n; i++) {
		const char *fmt = ingest_format_of(f->paths[i]);
		if (!fmt)
			return ldp_error_set(LDP_EINVALID,
					     "%s: cannot tell the format from the file name; pass --format parquet|csv|tsv|json|ndjson",
					     f->paths[i]);
		/* .json may hold an array or NDJSON; read_json tells them apart */
		if (first && strcmp(first, fmt) != 0 &&
		    !((!strcmp(first, "json") || !strcmp(first, "ndjson")) && (!strcmp(fmt, "json") || !strcmp(fmt, "ndjson"))))
			return ldp_error_set(LDP_EINVALID, "%s is %s but %s is %s: ingest one format at a time (or pass --format)",
					     f->paths[0], first, f->paths[i], fmt);
		if (!first)
			first = fmt;
	}
	*out = first;
	return LDP_OK;
}

/* A single-character option value; "\t" and "tab" spell a tab. */
static int char_opt(const ldp_ingest_options *o, const char *name, ldp_buf *sql, const char *param)
{
	const char *v = ldp_ingest_opt(o, name);
	if (!v)
		return LDP_OK;
	if (!strcmp(v, "\\t") || !strcasecmp(v, "tab"))
		v = "\t";
	ldp_buf_printf(sql, ", %s=", param);
	ldp_buf_put_sql_string(sql, v);
	return LDP_OK;
}

static int put_file_list(const ldp_ingest_files *f, ldp_buf *sql)
{
	ldp_buf_putc(sql, '[');
	for (size_t i = 0; i < f->n; i++) {
		if (i)
			ldp_buf_puts(sql, ", ");
		ldp_buf_put_sql_string(sql, f->paths[i]);
	}
	ldp_buf_putc(sql, ']');
	return LDP_OK;
}

/* --column-type name=TYPE (repeatable, or comma-separated "a=INT,b=DATE"
 * where types have no commas). */
typedef int (*coltype_fn)(const char *name, size_t nlen, const char *type, void *ctx);

static int each_column_type(const ldp_ingest_options *o, coltype_fn fn, void *ctx)
{
	for (size_t i = 0; i < o->nopts; i++) {
		if (strcmp(o->opts[i].key, "column-type") != 0)
			continue;
		const char *v = o->opts[i].value;
		const char *eq = strchr(v, '=');
		if (!eq || eq == v || !eq[1])
			return ldp_error_set(LDP_EINVALID, "--column-type takes column=TYPE (e.g. fare=decimal(10,2)), not '%s'", v);
		int rc = fn(v, (size_t)(eq - v), eq + 1, ctx);
		if (rc)
			return rc;
	}
	return LDP_OK;
}

static int csv_type(const char *name, size_t nlen, const char *type, void *ctx)
{
	ldp_buf *sql = ctx;
	char col[512];
	snprintf(col, sizeof col, "%.*s", (int)nlen, name);
	if (sql->len && sql->ptr[sql->len - 1] != '{')
		ldp_buf_puts(sql, ", ");
	ldp_buf_put_sql_string(sql, col);
	ldp_buf_puts(sql, ": ");
	ldp_buf_put_sql_string(sql, type);
	return LDP_OK;
}

static int replace_type(const char *name, size_t nlen, const char *type, void *ctx)
{
	ldp_buf *sql = ctx;
	char col[512];
	snprintf(col, sizeof col, "%.*s", (int)nlen, name);
	if (sql->len && sql->ptr[sql->len - 1] != '(')
		ldp_buf_puts(sql, ", ");
	ldp_buf_puts(sql, "CAST(");
	ldp_buf_put_sql_ident(sql, col);
	ldp_buf_printf(sql, " AS %s) AS ", type);
	ldp_buf_put_sql_ident(sql, col);
	return LDP_OK;
}

static int user_typed(const ldp_ingest_options *o, const char *col)
{
	size_t n = strlen(col);
	for (size_t i = 0; i < o->nopts; i++)
		if (!strcmp(o->opts[i].key, "column-type") && !strncasecmp(o->opts[i].value, col, n) &&
		    o->opts[i].value[n] == '=')
			return 1;
	return 0;
}

static int csv_sql(const ldp_ingest_files *f, const ldp_ingest_options *o, int tsv, const char *rejects,
		   const ldp_kv *deft, size_t ndeft, ldp_buf *sql)
{
	ldp_buf_puts(sql, "SELECT * FROM read_csv(");
	put_file_list(f, sql);
	/* DuckDB's store_rejects and union_by_name exclude each other: CSV files
	 * of one batch share their column layout */
	if (!rejects)
		ldp_buf_puts(sql, ", union_by_name=true");
	if (tsv && !ldp_ingest_opt(o, "delimiter") && !ldp_ingest_opt(o, "delim") && !ldp_ingest_opt(o, "sep"))
		ldp_buf_puts(sql, ", delim='\t'");
	int hdr;
	int rc = ldp_ingest_opt_bool(o, "header", -1, &hdr);
	if (rc)
		return rc;
	if (hdr >= 0)
		ldp_buf_printf(sql, ", header=%s", hdr ? "true" : "false");
	int allv;
	if ((rc = ldp_ingest_opt_bool(o, "all-varchar", 0, &allv)))
		return rc;
	if (allv)
		ldp_buf_puts(sql, ", all_varchar=true");
	char_opt(o, "delimiter", sql, "delim");
	char_opt(o, "delim", sql, "delim");
	char_opt(o, "sep", sql, "delim");
	char_opt(o, "quote", sql, "quote");
	char_opt(o, "escape", sql, "escape");
	char_opt(o, "null", sql, "nullstr");
	char_opt(o, "date-format", sql, "dateformat");
	char_opt(o, "timestamp-format", sql, "timestampformat");
	char_opt(o, "compression", sql, "compression");
	const char *skip = ldp_ingest_opt(o, "skip");
	if (skip) {
		char *end;
		long n = strtol(skip, &end, 10);
		if (*end || n < 0)
			return ldp_error_set(LDP_EINVALID, "--skip takes a number of lines, not '%s'", skip);
		ldp_buf_printf(sql, ", skip=%ld", n);
	}
	const char *ss = ldp_ingest_opt(o, "sample-size");
	if (ss) {
		char *end;
		long n = strtol(ss, &end, 10);
		if (*end || (n < 1 && n != -1))
			return ldp_error_set(LDP_EINVALID, "--sample-size takes a number of rows (-1: all), not '%s'", ss);
		ldp_buf_printf(sql, ", sample_size=%ld", n);
	}
	size_t before = sql->len;
	ldp_buf_puts(sql, ", types={");
	size_t open = sql->len;
	if ((rc = each_column_type(o, csv_type, sql)))
		return rc;
	for (size_t i = 0; i < ndeft; i++)
		if (!user_typed(o, deft[i].key))
			csv_type(deft[i].key, strlen(deft[i].key), deft[i].value, sql);
	if (sql->len == open)
		ldp_buf_truncate(sql, before);
	else
		ldp_buf_putc(sql, '}');
	if (rejects) {
		/* Bad rows are skipped and described in <rejects>; the loader fails the
		 * ingest on them (strict) or quarantines them. The scan table is
		 * DuckDB's companion holding the file names. */
		ldp_buf_puts(sql, ", store_rejects=true, rejects_table=");
		ldp_buf_put_sql_string(sql, rejects);
		ldp_buf_puts(sql, ", rejects_scan=");
		ldp_buf_printf(sql, "'%s_scan'", rejects);
	}
	ldp_buf_putc(sql, ')');
	return LDP_OK;
}

int ldp_ingest_reader_sql(const ldp_ingest_files *f, const ldp_ingest_options *o, const char *rejects_table,
			  ldp_buf *out)
{
	return ingest_reader_sql_typed(f, o, rejects_table, NULL, 0, out);
}

int ingest_reader_sql_typed(const ldp_ingest_files *f, const ldp_ingest_options *o, const char *rejects_table,
			    const ldp_kv *deft, size_t ndeft, ldp_buf *out)
{
	const char *fmt;
	int rc = ingest_batch_format(f, o, &fmt);
	if (rc)
		return rc;
	if (!strcmp(fmt, "csv") || !strcmp(fmt, "tsv"))
	{
		rc = csv_sql(f, o, !strcmp(fmt, "tsv"), rejects_table, deft, ndeft, out);
		return !rc && ldp_buf_oom(out) ? LDP_ENOMEM : rc;
	}
	/* Parquet and JSON carry or infer types; overrides become casts. */
	ldp_buf inner = LDP_BUF_INIT;
	if (!strcmp(fmt, "parquet")) {
		ldp_buf_puts(&inner, "read_parquet(");
		put_file_list(f, &inner);
		ldp_buf_puts(&inner, ", union_by_name=true)");
	} else {
		const char *jf = ldp_ingest_opt(o, "json-format");
		if (!jf)
			jf = !strcmp(fmt, "ndjson") ? "newline_delimited" : "auto";
		else if (strcmp(jf, "array") && strcmp(jf, "newline_delimited") && strcmp(jf, "auto"))
			return ldp_error_set(LDP_EINVALID, "--json-format takes array, newline_delimited or auto, not '%s'", jf);
		ldp_buf_puts(&inner, "read_json(");
		put_file_list(f, &inner);
		ldp_buf_puts(&inner, ", union_by_name=true, format=");
		ldp_buf_put_sql_string(&inner, jf);
		char_opt(o, "compression", &inner, "compression");
		char_opt(o, "date-format", &inner, "dateformat");
		char_opt(o, "timestamp-format", &inner, "timestampformat");
		ldp_buf_putc(&inner, ')');
	}
	ldp_buf_puts(out, "SELECT * REPLACE (");
	size_t open = out->len;
	rc = each_column_type(o, replace_type, out);
	if (!rc && out->len == open) {
		ldp_buf_clear(out);
		ldp_buf_puts(out, "SELECT * FROM ");
	} else if (!rc) {
		ldp_buf_puts(out, ") FROM ");
	}
	ldp_buf_puts(out, ldp_buf_cstr(&inner));
	ldp_buf_free(&inner);
	if (!rc && ldp_buf_oom(out))
		rc = LDP_ENOMEM;
	return rc;
}
