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

#include <jansson.h>

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
	ldp_buf_puts(&q, "SELECT name, field_id, duckdb_type, coalesce(num_children, 0), repetition_type = 'REPEATED' FROM parquet_schema(");
	ldp_buf_put_sql_string(&q, path);
	ldp_buf_puts(&q, ")");
	ldp_result *r = NULL;
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	ldp_buf_free(&q);
	if (rc)
		return rc;

	/* A stack of open groups: name and how many children remain. */
	struct { char *name; int64_t left; int repeated; } stack[64];
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
				stack[0].repeated = 0;
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
				/* the repeated middle level of a LIST or MAP ("list", "key_value")
				 * is not part of the logical path: l.element, m.key */
				stack[depth].repeated = !ldp_chunk_is_null(c, 4, i) && ldp_chunk_get_bool(c, 4, i);
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
				if (stack[d].repeated)
					continue;
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

/* Split DuckDB's quoted column path "st"."b"."element" into parts. */
static size_t split_quoted_path(const char *key, char parts[][256], size_t max)
{
	size_t n = 0;
	const char *p = key;
	while (*p && n < max) {
		size_t len = 0;
		if (*p == '"') {
			p++;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++; /* doubled quote */
				if (len < 255)
					parts[n][len++] = *p;
				p++;
			}
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != '.') {
				if (len < 255)
					parts[n][len++] = *p;
				p++;
			}
		}
		parts[n++][len] = '\0';
		if (*p == '.')
			p++;
	}
	return n;
}

static int32_t field_id_of(const ldp_parquet_options *o, char parts[][256], size_t n)
{
	const ldp_field_id *level = o->field_ids;
	size_t nlevel = o->nfield_ids;
	int32_t id = -1;
	for (size_t k = 0; k < n; k++) {
		const ldp_field_id *hit = NULL;
		for (size_t i = 0; i < nlevel; i++)
			if (strcmp(level[i].name, parts[k]) == 0)
				hit = &level[i];
		if (!hit)
			return -1;
		id = hit->id;
		level = hit->children;
		nlevel = hit->nchildren;
	}
	return id;
}

static int64_t stat_int(json_t *o, const char *key, int64_t def)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? strtoll(json_string_value(v), NULL, 10) : def;
}

static char *stat_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/* Per-column statistics from COPY's RETURN_STATS: DuckDB hands back what it
 * wrote into the footer, so no second read of the file is needed. */
static int stats_from_json(const char *text, const ldp_parquet_options *o, ldp_data_file *f)
{
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);
	if (!json_is_object(root)) {
		json_decref(root);
		return ldp_error_set(LDP_ERROR, "%s: unreadable column statistics from DuckDB", f->path);
	}
	size_t n = json_object_size(root);
	f->columns = calloc(n ? n : 1, sizeof *f->columns);
	if (!f->columns) {
		json_decref(root);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	const char *key;
	json_t *st;
	json_object_foreach(root, key, st) {
		ldp_column_stats *cs = &f->columns[f->ncolumns++];
		char parts[16][256];
		size_t np = split_quoted_path(key, parts, 16);
		ldp_buf path = LDP_BUF_INIT;
		for (size_t k = 0; k < np; k++) {
			if (k)
				ldp_buf_putc(&path, '.');
			ldp_buf_puts(&path, parts[k]);
		}
		cs->path = ldp_buf_detach(&path);
		cs->field_id = o->nfield_ids ? field_id_of(o, parts, np) : -1;
		cs->value_count = stat_int(st, "num_values", 0);
		cs->null_count = stat_int(st, "null_count", -1);
		cs->compressed_size = stat_int(st, "column_size_bytes", 0);
		cs->min = stat_str(st, "min");
		cs->max = stat_str(st, "max");
	}
	json_decref(root);
	return LDP_OK;
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
	size_t cap = 0;
	ldp_chunk *c;
	if (!files)
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	/* RETURN_STATS: filename, count, file_size_bytes, footer_size_bytes,
	 * column_statistics (column path -> stat -> text), partition_keys. */
	while (!rc && (rc = ldp_result_fetch(r, &c)) == LDP_OK && c) {
		for (size_t i = 0; i < ldp_chunk_rows(c) && !rc; i++) {
			if (files->count == cap) {
				cap = cap ? cap * 2 : 4;
				ldp_data_file *nf = realloc(files->files, cap * sizeof *nf);
				if (!nf) {
					rc = ldp_error_set(LDP_ENOMEM, "out of memory");
					break;
				}
				files->files = nf;
			}
			ldp_data_file *f = &files->files[files->count];
			memset(f, 0, sizeof *f);
			f->path = chunk_text(c, 0, i);
			files->count++;
			f->record_count = ldp_chunk_get_int64(c, 1, i);
			f->file_size = ldp_chunk_get_int64(c, 2, i);
			if (ldp_chunk_is_null(c, 4, i)) {
				/* no statistics from DuckDB: read them from the footer */
				char *p = f->path;
				rc = p ? ldp_engine_parquet_stats(e, p, f) : ldp_error_set(LDP_ENOMEM, "out of memory");
				free(p);
				continue;
			}
			ldp_buf js = LDP_BUF_INIT;
			ldp_chunk_format(c, 4, i, LDP_VALUE_JSON, &js);
			rc = ldp_buf_oom(&js) ? LDP_ENOMEM : stats_from_json(ldp_buf_cstr(&js), opts, f);
			f->hex_binary = 1;
			ldp_buf_free(&js);
		}
	}
	ldp_result_free(r);
	if (rc) {
		ldp_data_files_free(files);
		return rc;
	}
	*out = files;
	return LDP_OK;
}
