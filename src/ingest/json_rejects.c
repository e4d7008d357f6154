/* NDJSON with --on-error quarantine. DuckDB's JSON reader has no rejects
 * table (store_rejects is CSV-only), so the lines are split here: each line
 * that is not valid JSON becomes a reject naming its file and line, and the
 * valid lines go to a temporary NDJSON file the shared reader then reads. A
 * JSON array is one value, so it has no lines to quarantine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ingest/ingest_internal.h"
#include "ldp/error.h"
#include "ldp/io.h"

static int compressed(const char *p)
{
	size_t n = strlen(p);
	return (n > 3 && !strcasecmp(p + n - 3, ".gz")) || (n > 4 && !strcasecmp(p + n - 4, ".zst")) ||
	       (n > 5 && (!strcasecmp(p + n - 5, ".gzip") || !strcasecmp(p + n - 5, ".zstd")));
}

static int is_array_file(const char *path, int *yes)
{
	*yes = 0;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return ldp_error_set(LDP_EIO, "%s: cannot open", path);
	int c;
	while ((c = fgetc(fp)) != EOF && (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
		;
	*yes = c == '[';
	fclose(fp);
	return LDP_OK;
}

static int split_lines(ldp_engine *e, const ldp_ingest_files *f)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "CREATE OR REPLACE TEMP TABLE __ldp_json_lines AS "
			 "SELECT filename AS source_file, unnest(generate_series(1, len(lines)))::BIGINT AS line, "
			 "unnest(lines) AS text FROM (SELECT filename, string_split(content, chr(10)) AS lines FROM read_text([");
	for (size_t i = 0; i < f->n; i++) {
		if (i)
			ldp_buf_puts(&q, ", ");
		ldp_buf_put_sql_string(&q, f->paths[i]);
	}
	ldp_buf_puts(&q, "]))");
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
	ldp_buf_free(&q);
	return rc;
}

int ingest_json_first_bad(ldp_engine *e, const ldp_ingest_files *f, char **where)
{
	*where = NULL;
	for (size_t i = 0; i < f->n; i++) {
		int arr = 0;
		if (compressed(f->paths[i]) || is_array_file(f->paths[i], &arr) || arr) {
			ldp_error_clear();
			return LDP_OK; /* not line-delimited: DuckDB's own message stands */
		}
	}
	int rc = split_lines(e, f);
	if (!rc)
		rc = ldp_engine_query_text(e, "SELECT source_file || ', line ' || line FROM __ldp_json_lines "
					      "WHERE trim(text) <> '' AND NOT coalesce(json_valid(text), false) "
					      "ORDER BY source_file, line LIMIT 1", where);
	ldp_engine_exec(e, "DROP TABLE IF EXISTS __ldp_json_lines");
	return rc;
}

int ingest_json_quarantine(ldp_engine *e, const ldp_ingest_files *f, ldp_ingest_files *good)
{
	ldp_buf q = LDP_BUF_INIT;
	int rc = LDP_OK;
	for (size_t i = 0; !rc && i < f->n; i++) {
		int arr;
		if (compressed(f->paths[i]))
			rc = ldp_error_set(LDP_EUNSUPPORTED,
					   "%s: --on-error quarantine reads JSON line by line and needs uncompressed files "
					   "(decompress it first, or ingest without quarantine)",
					   f->paths[i]);
		else if (!(rc = is_array_file(f->paths[i], &arr)) && arr)
			rc = ldp_error_set(LDP_EUNSUPPORTED,
					   "%s: a JSON array is one value, so its bad records cannot be quarantined; "
					   "use NDJSON (one record per line) or ingest without --on-error quarantine",
					   f->paths[i]);
	}
	if (rc)
		return rc;
	rc = split_lines(e, f);
	if (!rc)
		rc = ldp_engine_exec(e, "CREATE OR REPLACE TEMP TABLE " INGEST_JSON_REJECTS " AS SELECT source_file, line, "
					"NULL::VARCHAR AS column_name, 'MALFORMED JSON' AS error_type, "
					"'not a valid JSON value' AS reason, text AS raw_record FROM __ldp_json_lines "
					"WHERE trim(text) <> '' AND NOT coalesce(json_valid(text), false)");
	char tmp[] = "/tmp/ldp-ndjson-XXXXXX";
	int fd = -1;
	if (!rc && (fd = mkstemp(tmp)) < 0)
		rc = ldp_error_set(LDP_EIO, "cannot create a staging file in /tmp");
	if (fd >= 0)
		close(fd);
	if (!rc) {
		/* one column and no quoting: each line is written back as it was */
		ldp_buf_clear(&q);
		ldp_buf_puts(&q, "COPY (SELECT text FROM __ldp_json_lines WHERE trim(text) <> '' AND "
				 "coalesce(json_valid(text), false) ORDER BY source_file, line) TO ");
		ldp_buf_put_sql_string(&q, tmp);
		ldp_buf_puts(&q, " (FORMAT csv, header false, quote '', escape '')");
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
	}
	if (fd >= 0) {
		good->temporary = 1;
		if (!rc)
			rc = ldp_ingest_files_add(good, tmp);
		else
			unlink(tmp);
	}
	if (!rc) {
		free(good->format);
		good->format = strdup("ndjson");
		if (!good->format)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	ldp_engine_exec(e, "DROP TABLE IF EXISTS __ldp_json_lines");
	ldp_buf_free(&q);
	return rc;
}
