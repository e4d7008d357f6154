/* The local-file driver: a path, a glob, a directory or file://path. The files
 * stay where they are; DuckDB expands globs (including **) so the pattern
 * language is the same as in `ldp sql`. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/ingest_internal.h"
#include "ldp/error.h"

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Hidden files and directories, and markers such as _SUCCESS, are not data
 * (Spark and Hive writers leave them beside their files). Only the part of
 * the path below the pattern's fixed prefix counts. */
static int skip_name(const char *path, size_t prefix)
{
	const char *p = path + (strlen(path) >= prefix ? prefix : 0);
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		if (*p == '.' || *p == '_')
			return 1;
		p = strchr(p, '/');
		if (!p)
			return 0;
	}
}

/* Length of the pattern before its first glob character, up to a '/'. */
static size_t fixed_prefix(const char *pattern)
{
	size_t n = strcspn(pattern, "*?[");
	while (n > 0 && pattern[n - 1] != '/')
		n--;
	return n;
}

static int expand(ldp_warehouse *wh, const char *pattern, int filter, const ldp_ingest_options *o,
		  ldp_ingest_files *out)
{
	ldp_engine *e;
	int rc = ldp_warehouse_engine(wh, &e);
	if (rc)
		return rc;
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT file FROM glob(");
	ldp_buf_put_sql_string(&q, pattern);
	ldp_buf_puts(&q, ") ORDER BY file");
	ldp_result *r = NULL;
	rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	ldp_buf_free(&q);
	ldp_chunk *c;
	while (!rc && (rc = ldp_result_fetch(r, &c)) == LDP_OK && c) {
		for (size_t i = 0; !rc && i < ldp_chunk_rows(c); i++) {
			ldp_buf p = LDP_BUF_INIT;
			ldp_chunk_format(c, 0, i, LDP_VALUE_TEXT, &p);
			const char *path = ldp_buf_cstr(&p);
			struct stat st;
			/* a directory walk takes the data files it recognises; an explicit
			 * glob takes what it matches (format errors name the odd file) */
			int take = stat(path, &st) == 0 && S_ISREG(st.st_mode) && !skip_name(path, fixed_prefix(pattern));
			if (take && filter && !o->format)
				take = ingest_format_of(path) != NULL;
			if (take)
				rc = ldp_ingest_files_add(out, path);
			ldp_buf_free(&p);
		}
	}
	ldp_result_free(r);
	return rc;
}

int ldp_ingest_fetch_file(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out)
{
	const char *path = uri;
	if (strncmp(path, "file://", 7) == 0)
		path = path + 7;
	if (!*path)
		return ldp_error_set(LDP_EINVALID, "empty source path");
	if (has_glob(path))
		return expand(o->wh, path, 0, o, out);
	struct stat st;
	if (stat(path, &st) != 0)
		return ldp_error_set(LDP_ENOTFOUND, "%s: no such file or directory", path);
	if (S_ISDIR(st.st_mode)) {
		ldp_buf pat = LDP_BUF_INIT;
		ldp_buf_printf(&pat, "%s%s**", path, path[strlen(path) - 1] == '/' ? "" : "/");
		int rc = ldp_buf_oom(&pat) ? LDP_ENOMEM : expand(o->wh, ldp_buf_cstr(&pat), 1, o, out);
		ldp_buf_free(&pat);
		if (!rc && out->n == 0)
			rc = ldp_error_set(LDP_ENOTFOUND,
					   "directory %s holds no .parquet, .csv, .tsv, .json, .ndjson or .jsonl files "
					   "(pass --format to read other names)",
					   path);
		return rc;
	}
	return ldp_ingest_files_add(out, path);
}
