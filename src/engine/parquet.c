/*
 * The Parquet writer primitive: write any relation to Parquet with Iceberg
 * field ids and collect, per written file, the row count, size and per-column
 * value/null counts, sizes and min/max - what an Iceberg manifest records.
 *
 * Writing is DuckDB's COPY ... (FORMAT parquet, FIELD_IDS ..., RETURN_STATS).
 * Column statistics are read back from the footer with parquet_schema() and
 * parquet_metadata(): the footer is authoritative and small, and this also
 * serves files ldp did not write (adding existing files to a table).
 */
#include "engine/engine_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ldp/error.h"

/* A field's id: a bare number for a primitive, or for nested fields a struct
 * carrying its own id (__duckdb_field_id) and its children's by name. */
static void put_field_id(ldp_buf *b, const ldp_field_id *f)
{
	if (f->nchildren == 0) {
		ldp_buf_printf(b, "%d", f->id);
		return;
	}
	ldp_buf_printf(b, "{__duckdb_field_id: %d", f->id);
	for (size_t j = 0; j < f->nchildren; j++) {
		ldp_buf_puts(b, ", ");
		ldp_buf_put_sql_string(b, f->children[j].name);
		ldp_buf_puts(b, ": ");
		put_field_id(b, &f->children[j]);
	}
	ldp_buf_putc(b, '}');
}

static void put_field_ids(ldp_buf *b, const ldp_field_id *ids, size_t n)
{
	ldp_buf_putc(b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			ldp_buf_puts(b, ", ");
		ldp_buf_put_sql_string(b, ids[i].name);
		ldp_buf_puts(b, ": ");
		put_field_id(b, &ids[i]);
	}
	ldp_buf_putc(b, '}');
}

void ldp_data_file_clear(ldp_data_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ncolumns; i++) {
		free(f->columns[i].path);
		free(f->columns[i].type);
		free(f->columns[i].min);
		free(f->columns[i].max);
	}
	free(f->columns);
	free(f->path);
	memset(f, 0, sizeof *f);
}

void ldp_data_files_free(ldp_data_files *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->count; i++)
		ldp_data_file_clear(&f->files[i]);
	free(f->files);
	free(f);
}

static char *chunk_text(ldp_chunk *c, size_t col, size_t row)
{
	if (ldp_chunk_is_null(c, col, row))
		return NULL;
	ldp_buf b = LDP_BUF_INIT;
	ldp_chunk_format(c, col, row, LDP_VALUE_TEXT, &b);
	return ldp_buf_detach(&b);
}

/* The leaf columns of the file in footer order, with their dotted paths and
 * field ids. parquet_schema() lists the schema tree depth-first; leaves are
 * the elements without children, and the k-th leaf is column_id k in
 * parquet_metadata(). */
static int read_leaves(ldp_engine *e, const char *path, ldp_data_file *out)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT name, field_id, duckdb_type, coalesce(num_children, 0) FROM parquet_schema(");
	ldp_buf_put_sql_string(&q, path);
	ldp_buf_puts(&q, ")");
	ldp_result *r = NULL;
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	ldp_buf_free(&q);
	if (rc)
		return rc;

	/* A stack of open groups: name and how many children remain. */
	struct { char *name; int64_t left; } stack[64];
	int depth = -1; /* the root element is not part of paths */
	size_t cap = 0;
	ldp_chunk *c;
	while ((rc = ldp_result_fetch(r, &c)) == LDP_OK && c) {
		for (size_t i = 0; i < ldp_chunk_rows(c); i++) {
			char *name = chunk_text(c, 0, i);
			int64_t nchild = ldp_chunk_get_int64(c, 3, i);
			if (depth == -1) { /* root */
				free(name);
				depth = 0;
				stack[0].name = NULL;
				stack[0].left = nchild;
				continue;
			}
			if (nchild > 0) {
				if (depth + 1 >= 64) {
					free(name);
					rc = ldp_error_set(LDP_EUNSUPPORTED, "%s: Parquet schema nested deeper than 63 levels", path);
					goto done;
				}
				stack[depth].left--;
				depth++;
				stack[depth].name = name;
				stack[depth].left = nchild;
				continue;
			}
			if (out->ncolumns == cap) {
				cap = cap ? cap * 2 : 16;
				ldp_column_stats *nc = realloc(out->columns, cap * sizeof *nc);
				if (!nc) {
					free(name);
					rc = ldp_error_set(LDP_ENOMEM, "out of memory");
					goto done;
				}
				out->columns = nc;
			}
			ldp_column_stats *col = &out->columns[out->ncolumns++];
			memset(col, 0, sizeof *col);
			ldp_buf p = LDP_BUF_INIT;
			for (int d = 1; d <= depth; d++) {
				ldp_buf_puts(&p, stack[d].name);
				ldp_buf_putc(&p, '.');
			}
			ldp_buf_puts(&p, name ? name : "");
			free(name);
			col->path = ldp_buf_detach(&p);
			col->field_id = ldp_chunk_is_null(c, 1, i) ? -1 : (int32_t)ldp_chunk_get_int64(c, 1, i);
			col->type = chunk_text(c, 2, i);
			col->null_count = -1;
			stack[depth].left--;
			/* close finished groups */
			while (depth > 0 && stack[depth].left <= 0) {
				free(stack[depth].name);
				depth--;
			}
		}
	}
done:
	while (depth > 0) {
		free(stack[depth].name);
		depth--;
	}
	ldp_result_free(r);
	return rc;
}

int ldp_engine_parquet_stats(ldp_engine *e, const char *path, ldp_data_file *out)
{
	memset(out, 0, sizeof *out);
	struct stat st;
	if (stat(path, &st) != 0)
		return ldp_error_set(errno == ENOENT ? LDP_ENOTFOUND : LDP_EIO, "%s: %s", path, strerror(errno));
	out->path = strdup(path);
	out->file_size = (int64_t)st.st_size;
	int rc = out->path ? read_leaves(e, path, out) : ldp_error_set(LDP_ENOMEM, "out of memory");
	if (rc)
		goto fail;

	/* One pass over the footer: per leaf, sums over row groups, and min/max
	 * compared in the leaf's own type (text order would put 10 before 9). */
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "WITH m AS MATERIALIZED (SELECT * FROM parquet_metadata(");
	ldp_buf_put_sql_string(&q, path);
	ldp_buf_puts(&q, ")), n AS (SELECT num_rows FROM parquet_file_metadata(");
	ldp_buf_put_sql_string(&q, path);
	ldp_buf_puts(&q, ")) SELECT -1, (SELECT num_rows FROM n), NULL, NULL, NULL, NULL");
	for (size_t i = 0; i < out->ncolumns; i++) {
		const char *t = out->columns[i].type;
		ldp_buf_printf(&q, " UNION ALL SELECT %zu, sum(num_values), sum(stats_null_count), sum(total_compressed_size), ", i);
		if (t && *t) {
			ldp_buf_printf(&q, "min(TRY_CAST(stats_min_value AS %s))::VARCHAR, max(TRY_CAST(stats_max_value AS %s))::VARCHAR", t, t);
		} else {
			ldp_buf_puts(&q, "NULL, NULL");
		}
		ldp_buf_printf(&q, " FROM m WHERE column_id = %zu", i);
	}
	ldp_result *r = NULL;
	rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	ldp_buf_free(&q);
	if (rc)
		goto fail;
	ldp_chunk *c;
	while ((rc = ldp_result_fetch(r, &c)) == LDP_OK && c) {
		for (size_t i = 0; i < ldp_chunk_rows(c); i++) {
			int64_t idx = ldp_chunk_get_int64(c, 0, i);
			/* sum() of BIGINT is HUGEINT, and UNION ALL gives the whole column
			 * that type (record_count too): read the numbers through their text */
			char *s;
			if (idx < 0) {
				s = chunk_text(c, 1, i);
				out->record_count = s ? strtoll(s, NULL, 10) : 0;
				free(s);
				continue;
			}
			ldp_column_stats *col = &out->columns[idx];
			s = chunk_text(c, 1, i); col->value_count = s ? strtoll(s, NULL, 10) : 0; free(s);
			s = chunk_text(c, 2, i); col->null_count = s ? strtoll(s, NULL, 10) : -1; free(s);
			s = chunk_text(c, 3, i); col->compressed_size = s ? strtoll(s, NULL, 10) : 0; free(s);
			col->min = chunk_text(c, 4, i);
			col->max = chunk_text(c, 5, i);
		}
	}
	ldp_result_free(r);
	if (rc)
		goto fail;
	return LDP_OK;
fail:
	ldp_data_file_clear(out);
	return ldp_error_wrap(rc, "reading Parquet statistics of %s", path);
}

int ldp_engine_write_parquet(ldp_engine *e, const char *select_sql, const char *path,
			     const ldp_parquet_options *opts, ldp_data_files **out)
{
	*out = NULL;
	ldp_parquet_options none = {0};
	if (!opts)
		opts = &none;
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "COPY (");
	ldp_buf_puts(&q, select_sql);
	ldp_buf_puts(&q, ") TO ");
	ldp_buf_put_sql_string(&q, path);
	ldp_buf_puts(&q, " (FORMAT parquet, COMPRESSION ");
	ldp_buf_put_sql_string(&q, opts->compression ? opts->compression : "zstd");
	if (opts->nfield_ids) {
		ldp_buf_puts(&q, ", FIELD_IDS ");
		put_field_ids(&q, opts->field_ids, opts->nfield_ids);
	}
	if (opts->row_group_size > 0)
		ldp_buf_printf(&q, ", ROW_GROUP_SIZE %lld", (long long)opts->row_group_size);
	if (opts->target_file_size > 0 && opts->npartition_by > 0) {
		ldp_buf_free(&q);
		return ldp_error_set(LDP_EINVALID, "writing Parquet to %s: a target file size cannot be combined with partitioning", path);
	}
	if (opts->target_file_size > 0)
		ldp_buf_printf(&q, ", FILE_SIZE_BYTES %lld", (long long)opts->target_file_size);
	if (opts->npartition_by > 0) {
		ldp_buf_puts(&q, ", PARTITION_BY (");
		for (size_t i = 0; i < opts->npartition_by; i++) {
			if (i)
				ldp_buf_puts(&q, ", ");
			ldp_buf_put_sql_ident(&q, opts->partition_by[i]);
		}
		ldp_buf_puts(&q, ")");
	}
	if (opts->target_file_size > 0 || opts->npartition_by > 0) {
		ldp_buf_puts(&q, ", FILENAME_PATTERN ");
		ldp_buf_put_sql_string(&q, opts->filename_pattern ? opts->filename_pattern : "data_{uuid}");
	}
	ldp_buf_puts(&q, ", RETURN_STATS)");
	if (ldp_buf_oom(&q)) {
		ldp_buf_free(&q);
		return LDP_ENOMEM;
	}

	ldp_result *r = NULL;
	int rc = ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	ldp_buf_free(&q);
	if (rc)
		return ldp_error_wrap(rc, "writing Parquet to %s", path);

	ldp_data_files *files = calloc(1, sizeof *files);
	char **names = NULL;
	size_t n = 0, cap = 0;
	ldp_chunk *c;
	if (!files)
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	while (!rc && (rc = ldp_result_fetch(r, &c)) == LDP_OK && c) {
		for (size_t i = 0; i < ldp_chunk_rows(c); i++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 4;
				char **nn = realloc(names, cap * sizeof *nn);
				if (!nn) {
					rc = ldp_error_set(LDP_ENOMEM, "out of memory");
					break;
				}
				names = nn;
			}
			names[n++] = chunk_text(c, 0, i);
		}
	}
	ldp_result_free(r);
	if (!rc && n) {
		files->files = calloc(n, sizeof *files->files);
		if (!files->files)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	for (size_t i = 0; !rc && i < n; i++) {
		rc = ldp_engine_parquet_stats(e, names[i], &files->files[i]);
		if (!rc)
			files->count++;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc) {
		ldp_data_files_free(files);
		return rc;
	}
	*out = files;
	return LDP_OK;
}
