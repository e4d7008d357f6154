/*
 * Writing data files for a table: project the source query onto the table
 * schema (by column name, with type checks), split it by the partition spec
 * inside DuckDB, write Parquet with field ids, and turn each file's footer
 * statistics into an Iceberg data-file entry (metrics, bounds, partition).
 *
 * Partitioning: DuckDB's COPY ... PARTITION_BY computes the partition of
 * every row in bulk. Each partition value goes into a hidden column
 * __ldp_p<k> holding the transform result encoded so that the hive directory
 * name round-trips exactly (integers as digits, everything else hex of its
 * text), and files are then moved to Iceberg-style paths
 * (data/ts_day=2023-01-01/id_bucket=3/...). NULL arrives as DuckDB's
 * __HIVE_DEFAULT_PARTITION__.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/engine_internal.h"
#include "format/schema.h"
#include "format/transform.h"
#include "format/value.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"
#include "table/ice.h"
#include "table/write_internal.h"

/* ---- type compatibility of a source column with a table column ---- */

typedef enum cat { C_BOOL, C_INT, C_FLOAT, C_DEC, C_STR, C_BIN, C_DATE, C_TIME, C_TS, C_TSTZ, C_UUID, C_NESTED, C_OTHER } cat;

static cat duck_cat(duckdb_logical_type t, int *int_bits)
{
	*int_bits = 0;
	switch (duckdb_get_type_id(t)) {
	case DUCKDB_TYPE_BOOLEAN: return C_BOOL;
	case DUCKDB_TYPE_TINYINT: *int_bits = 8; return C_INT;
	case DUCKDB_TYPE_UTINYINT: *int_bits = 9; return C_INT;
	case DUCKDB_TYPE_SMALLINT: *int_bits = 16; return C_INT;
	case DUCKDB_TYPE_USMALLINT: *int_bits = 17; return C_INT;
	case DUCKDB_TYPE_INTEGER: *int_bits = 32; return C_INT;
	case DUCKDB_TYPE_UINTEGER: *int_bits = 33; return C_INT;
	case DUCKDB_TYPE_BIGINT: *int_bits = 64; return C_INT;
	case DUCKDB_TYPE_UBIGINT: case DUCKDB_TYPE_HUGEINT: case DUCKDB_TYPE_UHUGEINT: *int_bits = 128; return C_INT;
	case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE: return C_FLOAT;
	case DUCKDB_TYPE_DECIMAL: return C_DEC;
	case DUCKDB_TYPE_VARCHAR: case DUCKDB_TYPE_ENUM: return C_STR;
	case DUCKDB_TYPE_BLOB: return C_BIN;
	case DUCKDB_TYPE_DATE: return C_DATE;
	case DUCKDB_TYPE_TIME: return C_TIME;
	case DUCKDB_TYPE_TIMESTAMP: case DUCKDB_TYPE_TIMESTAMP_S: case DUCKDB_TYPE_TIMESTAMP_MS: case DUCKDB_TYPE_TIMESTAMP_NS: return C_TS;
	case DUCKDB_TYPE_TIMESTAMP_TZ: return C_TSTZ;
	case DUCKDB_TYPE_UUID: return C_UUID;
	case DUCKDB_TYPE_LIST: case DUCKDB_TYPE_STRUCT: case DUCKDB_TYPE_MAP: case DUCKDB_TYPE_ARRAY: return C_NESTED;
	case DUCKDB_TYPE_SQLNULL: return C_OTHER;
	default: return C_OTHER;
	}
}

static cat ice_cat(const ldp_type *t)
{
	switch (t->id) {
	case LDP_T_BOOLEAN: return C_BOOL;
	case LDP_T_INT: case LDP_T_LONG: return C_INT;
	case LDP_T_FLOAT: case LDP_T_DOUBLE: return C_FLOAT;
	case LDP_T_DECIMAL: return C_DEC;
	case LDP_T_STRING: return C_STR;
	case LDP_T_BINARY: case LDP_T_FIXED: return C_BIN;
	case LDP_T_DATE: return C_DATE;
	case LDP_T_TIME: return C_TIME;
	case LDP_T_TIMESTAMP: case LDP_T_TIMESTAMP_NS: return C_TS;
	case LDP_T_TIMESTAMPTZ: case LDP_T_TIMESTAMPTZ_NS: return C_TSTZ;
	case LDP_T_UUID: return C_UUID;
	case LDP_T_STRUCT: case LDP_T_LIST: case LDP_T_MAP: return C_NESTED;
	default: return C_OTHER;
	}
}

/* Whether a value of DuckDB type `src` may be stored in a column of type
 * `dst` without the user saying so: same kind of value, and no narrowing
 * (a BIGINT into an int column, a double into a float). */
static int compatible(duckdb_logical_type src, const ldp_type *dst)
{
	int bits;
	cat s = duck_cat(src, &bits), d = ice_cat(dst);
	if (s == C_OTHER && duckdb_get_type_id(src) == DUCKDB_TYPE_SQLNULL)
		return 1; /* a NULL literal fits anything */
	if (s == C_INT && d == C_INT)
		return dst->id == LDP_T_LONG ? bits <= 64 : bits <= 32 && bits != 33;
	if (s == C_INT && (d == C_DEC || (d == C_FLOAT && dst->id == LDP_T_DOUBLE)))
		return bits <= 64;
	if (s == C_FLOAT && d == C_FLOAT)
		return dst->id == LDP_T_DOUBLE || duckdb_get_type_id(src) == DUCKDB_TYPE_FLOAT;
	if (s == C_DEC && d == C_DEC)
		return duckdb_decimal_scale(src) <= (uint8_t)dst->scale &&
		       duckdb_decimal_width(src) - duckdb_decimal_scale(src) <= dst->precision - dst->scale;
	if (s == C_DEC && d == C_FLOAT && dst->id == LDP_T_DOUBLE)
		return 1; /* a decimal literal or computation into a double column, as DuckDB's INSERT allows */
	if (s == C_DATE && d == C_TS)
		return 1;
	return s == d;
}

static int find_column(const write_job *j, const char *name)
{
	for (size_t i = 0; i < j->nsrc; i++)
		if (strcmp(j->src_names[i], name) == 0)
			return (int)i;
	int found = -1;
	for (size_t i = 0; i < j->nsrc; i++)
		if (strcasecmp(j->src_names[i], name) == 0) {
			if (found >= 0)
				return -2; /* ambiguous */
			found = (int)i;
		}
	return found;
}

/* Whether a type is or holds a fixed(L). Iceberg stores fixed(L) as Parquet
 * fixed_len_byte_array[L] (spec, "Parquet" type mapping), which DuckDB's
 * writer cannot produce: it writes BLOB as variable-length binary, and other
 * readers (pyiceberg: "Cannot promote an binary to fixed[L]") reject such
 * files, even when the column holds only NULLs. */
static int holds_fixed(const ldp_type *t)
{
	switch (t->id) {
	case LDP_T_FIXED: return 1;
	case LDP_T_STRUCT:
		for (size_t i = 0; i < t->nfields; i++)
			if (holds_fixed(t->fields[i].type))
				return 1;
		return 0;
	case LDP_T_LIST: return holds_fixed(t->element.type);
	case LDP_T_MAP: return holds_fixed(t->key.type) || holds_fixed(t->value.type);
	default: return 0;
	}
}

/* DuckDB's error() raised for a NULL in a required column carries this mark
 * and the column name; write_data_files turns it into a clean message. */
#define REQUIRED_NULL_MARK "ldp-required-null:"

/* SELECT <table columns in schema order> FROM (<source>) */
static int build_projection(write_job *j, const char *source_sql, ldp_buf *q)
{
	const ldp_schema *s = j->schema;
	char *used = calloc(j->nsrc + 1, 1);
	if (!used)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	int rc = LDP_OK;
	ldp_buf_puts(q, "SELECT ");
	for (size_t i = 0; i < s->root.nfields && !rc; i++) {
		const ldp_field *f = &s->root.fields[i];
		ldp_buf ty = LDP_BUF_INIT;
		rc = ldp_type_to_duckdb(f->type, &ty);
		if (rc) {
			ldp_buf_free(&ty);
			break;
		}
		if (i)
			ldp_buf_puts(q, ", ");
		int c = find_column(j, f->name);
		if (holds_fixed(f->type)) {
			ldp_buf it = LDP_BUF_INIT;
			ldp_type_append_string(f->type, &it);
			rc = ldp_error_set(LDP_EUNSUPPORTED,
					   "column '%s' is %s; ldp cannot write Parquet fixed_len_byte_array columns yet, so it does not write to tables with fixed(L) columns (reading them works)",
					   f->name, ldp_buf_cstr(&it));
			ldp_buf_free(&it);
		} else if (c == -2) {
			rc = ldp_error_set(LDP_EINVALID, "several source columns match '%s' when case is ignored; rename them", f->name);
		} else if (c < 0) {
			if (f->required)
				rc = ldp_error_set(LDP_EINVALID, "required column '%s' is missing from the data", f->name);
			ldp_buf_printf(q, "CAST(NULL AS %s)", ldp_buf_cstr(&ty));
		} else {
			used[c] = 1;
			if (!compatible(j->src_types[c], f->type)) {
				ldp_buf st = LDP_BUF_INIT, it = LDP_BUF_INIT;
				char *dn = ldp_type_name(j->src_types[c]);
				ldp_type_append_string(f->type, &it);
				rc = ldp_error_set(LDP_EINVALID,
						   "column '%s' is %s in the data but %s in the table; cast it in the query (CAST(%s AS %s)) or change the table's schema",
						   f->name, dn ? dn : "?", ldp_buf_cstr(&it), j->src_names[c], ldp_buf_cstr(&ty));
				free(dn);
				ldp_buf_free(&st);
				ldp_buf_free(&it);
			}
			/* Required columns fail the write on the first NULL, naming the column. */
			if (f->required) {
				ldp_buf_puts(q, "CASE WHEN ");
				ldp_buf_put_sql_ident(q, j->src_names[c]);
				ldp_buf_puts(q, " IS NULL THEN error(");
				ldp_buf msg = LDP_BUF_INIT;
				ldp_buf_printf(&msg, "%s%s", REQUIRED_NULL_MARK, f->name);
				ldp_buf_put_sql_string(q, ldp_buf_cstr(&msg));
				ldp_buf_free(&msg);
				ldp_buf_puts(q, ") ELSE ");
			}
			ldp_buf_puts(q, "CAST(");
			ldp_buf_put_sql_ident(q, j->src_names[c]);
			ldp_buf_printf(q, " AS %s)", ldp_buf_cstr(&ty));
			if (f->required)
				ldp_buf_puts(q, " END");
		}
		ldp_buf_puts(q, " AS ");
		ldp_buf_put_sql_ident(q, f->name);
		ldp_buf_free(&ty);
	}
	for (size_t c = 0; c < j->nsrc && !rc; c++)
		if (!used[c])
			rc = ldp_error_set(LDP_EINVALID, "column '%s' of the data is not in the table; remove it from the query or add it to the table", j->src_names[c]);
	free(used);
	if (rc)
		return rc;
	ldp_buf_puts(q, " FROM (");
	ldp_buf_puts(q, source_sql);
	ldp_buf_puts(q, ") AS __ldp_src");
	return ldp_buf_oom(q);
}

int write_describe_source(write_job *j, const char *source_sql)
{
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT * FROM (");
	ldp_buf_puts(&q, source_sql);
	ldp_buf_puts(&q, ") LIMIT 0");
	ldp_result *r = NULL;
	int rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_query(j->engine, ldp_buf_cstr(&q), &r);
	ldp_buf_free(&q);
	if (rc)
		return ldp_error_wrap(rc, "reading the data for %s", j->table_name);
	j->nsrc = r->ncols;
	j->src_names = ldp_arena_calloc(&j->arena, j->nsrc + 1, sizeof *j->src_names);
	j->src_types = calloc(j->nsrc + 1, sizeof *j->src_types);
	for (size_t i = 0; i < j->nsrc; i++) {
		j->src_names[i] = ldp_arena_strdup(&j->arena, r->names[i]);
		j->src_types[i] = r->ltypes[i];
		r->ltypes[i] = NULL; /* moved */
	}
	ldp_result_free(r);
	return LDP_OK;
}

/* Field ids for DuckDB's FIELD_IDS: struct children by name, a list's element
 * as "element", a map's "key" and "value". */
static int field_ids_for(ldp_arena *a, const ldp_field *f, ldp_field_id *out)
{
	out->name = f->name;
	out->id = f->id;
	out->nchildren = 0;
	out->children = NULL;
	const ldp_type *t = f->type;
	ldp_field_id *kids = NULL;
	if (t->id == LDP_T_STRUCT) {
		kids = ldp_arena_calloc(a, t->nfields + 1, sizeof *kids);
		for (size_t i = 0; kids && i < t->nfields; i++)
			field_ids_for(a, &t->fields[i], &kids[i]);
		out->nchildren = t->nfields;
	} else if (t->id == LDP_T_LIST) {
		kids = ldp_arena_calloc(a, 1, sizeof *kids);
		if (kids) {
			ldp_field el = t->element;
			el.name = "element";
			field_ids_for(a, &el, &kids[0]);
		}
		out->nchildren = 1;
	} else if (t->id == LDP_T_MAP) {
		kids = ldp_arena_calloc(a, 2, sizeof *kids);
		if (kids) {
			ldp_field k = t->key, v = t->value;
			k.name = "key";
			v.name = "value";
			field_ids_for(a, &k, &kids[0]);
			field_ids_for(a, &v, &kids[1]);
		}
		out->nchildren = 2;
	}
	if (out->nchildren && !kids)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	out->children = kids;
	/* kids[i].name must persist: field names live in the metadata arena */
	return LDP_OK;
}

/* The SQL column expression of a (possibly nested) source field id. */
static int column_expr(const ldp_schema *s, int32_t id, ldp_buf *out)
{
	ldp_buf path = LDP_BUF_INIT;
	int rc = ldp_schema_field_path(s, id, &path);
	if (rc) {
		ldp_buf_free(&path);
		return rc;
	}
	/* struct paths only: a.b.c -> "a"."b"."c" (partition sources cannot be in lists or maps) */
	const char *p = ldp_buf_cstr(&path);
	const ldp_type *cur = &s->root;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		const ldp_field *hit = NULL;
		for (size_t i = 0; cur && i < cur->nfields; i++)
			if (strlen(cur->fields[i].name) == n && strncmp(cur->fields[i].name, p, n) == 0)
				hit = &cur->fields[i];
		if (!hit)
			break;
		if (out->len)
			ldp_buf_putc(out, '.');
		ldp_buf_put_sql_ident(out, hit->name);
		cur = hit->type;
		p += n + (dot ? 1 : 0);
	}
	ldp_buf_free(&path);
	return ldp_buf_oom(out);
}

/* Partition values carried as plain integers in directory names: ints, longs
 * and dates (days from 1970-01-01). */
static int is_integer_result(const ldp_type *t)
{
	return t->id == LDP_T_INT || t->id == LDP_T_LONG || t->id == LDP_T_DATE;
}

/* Rows are written in the table's default sort order (spec: "Sorting"), so
 * files carry tight column bounds for the sort columns. Transforms other than
 * identity sort by their SQL form. */
static int append_order_by(write_job *j, ldp_buf *sel)
{
	ldp_buf_puts(sel, " ORDER BY ");
	for (size_t i = 0; i < j->order->nfields; i++) {
		const ldp_sort_field *sf = &j->order->fields[i];
		const ldp_field *src = ldp_schema_field_by_id(j->schema, sf->source_id);
		if (!src)
			return ldp_error_set(LDP_ECORRUPT, "%s: sort order refers to missing column id %d", j->table_name, sf->source_id);
		ldp_buf col = LDP_BUF_INIT;
		int rc = column_expr(j->schema, sf->source_id, &col);
		if (!rc && i)
			ldp_buf_puts(sel, ", ");
		if (!rc)
			rc = ldp_transform_sql(&sf->transform, ldp_buf_cstr(&col), src->type, sel);
		ldp_buf_free(&col);
		if (rc)
			return rc;
		ldp_buf_puts(sel, sf->descending ? " DESC" : " ASC");
		ldp_buf_puts(sel, sf->nulls_first ? " NULLS FIRST" : " NULLS LAST");
	}
	return ldp_buf_oom(sel);
}

/* DuckDB cannot rotate files while partitioning (COPY refuses FILE_SIZE_BYTES
 * with PARTITION_BY), so a partition that came out much larger than
 * write.target-file-size-bytes is rewritten into target-sized files in the same
 * directory, which keeps its partition value. Only oversized partitions pay
 * for the second write. */
static int split_large_files(write_job *j, const ldp_parquet_options *base, ldp_data_files **files)
{
	ldp_data_files *in = *files;
	int64_t limit = j->target_file_size + j->target_file_size / 2;
	size_t nbig = 0;
	for (size_t i = 0; i < in->count; i++)
		if (in->files[i].file_size > limit)
			nbig++;
	if (!nbig)
		return LDP_OK;
	ldp_data_files *out = calloc(1, sizeof *out);
	if (!out)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	int rc = LDP_OK;
	for (size_t i = 0; i < in->count && !rc; i++) {
		ldp_data_file *f = &in->files[i];
		ldp_data_files *parts = NULL;
		if (f->file_size <= limit) {
			parts = calloc(1, sizeof *parts);
			ldp_data_file *one = parts ? calloc(1, sizeof *one) : NULL;
			if (!one) {
				free(parts);
				rc = ldp_error_set(LDP_ENOMEM, "out of memory");
				break;
			}
			*one = *f;
			memset(f, 0, sizeof *f); /* moved */
			parts->count = 1;
			parts->files = one;
		} else {
			ldp_buf q = LDP_BUF_INIT, dir = LDP_BUF_INIT;
			ldp_buf_puts(&q, "SELECT * FROM read_parquet(");
			ldp_buf_put_sql_string(&q, f->path);
			ldp_buf_puts(&q, ")");
			ldp_buf_printf(&dir, "%s.split", f->path);
			ldp_parquet_options po = *base;
			po.partition_by = NULL;
			po.npartition_by = 0;
			po.target_file_size = j->target_file_size;
			/* DuckDB rotates files only between row groups: size them so that a
			 * target-sized file holds a few. */
			int64_t rows_per_file = f->file_size > 0 ? f->record_count * j->target_file_size / f->file_size : 0;
			if (rows_per_file < 122880) {
				int64_t rg = rows_per_file / 2;
				po.row_group_size = rg < 2048 ? 2048 : rg;
			}
			rc = ldp_engine_write_parquet(j->engine, ldp_buf_cstr(&q), ldp_buf_cstr(&dir), &po, &parts);
			if (!rc)
				ldp_io_remove(f->path);
			ldp_buf_free(&q);
			ldp_buf_free(&dir);
		}
		if (rc)
			break;
		ldp_data_file *grown = realloc(out->files, (out->count + parts->count) * sizeof *grown);
		if (!grown) {
			ldp_data_files_free(parts);
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			break;
		}
		out->files = grown;
		memcpy(out->files + out->count, parts->files, parts->count * sizeof *grown);
		out->count += parts->count;
		free(parts->files);
		free(parts);
	}
	ldp_data_files_free(in);
	*files = out;
	return rc;
}

int write_data_files(write_job *j, const char *source_sql)
{
	const ldp_schema *s = j->schema;
	const ldp_partition_spec *spec = j->spec;
	size_t np = spec ? spec->nfields : 0;
	int rc;
	ldp_buf q = LDP_BUF_INIT;
	rc = build_projection(j, source_sql, &q);
	if (rc) {
		ldp_buf_free(&q);
		return rc;
	}
	/* partition columns over the projected rows */
	j->part_types = ldp_arena_calloc(&j->arena, np + 1, sizeof *j->part_types);
	j->src_field_types = ldp_arena_calloc(&j->arena, np + 1, sizeof *j->src_field_types);
	ldp_buf sel = LDP_BUF_INIT;
	ldp_buf_puts(&sel, "SELECT *");
	for (size_t k = 0; k < np && !rc; k++) {
		const ldp_partition_field *pf = &spec->fields[k];
		const ldp_field *src = ldp_schema_field_by_id(s, pf->source_id);
		if (!src) {
			rc = ldp_error_set(LDP_ECORRUPT, "%s: partition field '%s' refers to missing column id %d", j->table_name, pf->name, pf->source_id);
			break;
		}
		j->src_field_types[k] = src->type;
		rc = ice_partition_result_type(pf, s, &j->part_types[k]);
		if (rc)
			break;
		ldp_buf col = LDP_BUF_INIT, tx = LDP_BUF_INIT;
		rc = column_expr(s, pf->source_id, &col);
		if (!rc)
			rc = ldp_transform_sql(&pf->transform, ldp_buf_cstr(&col), src->type, &tx);
		if (!rc) {
			if (j->part_types[k].id == LDP_T_DATE && pf->transform.kind == LDP_TR_IDENTITY)
				ldp_buf_printf(&sel, ", CAST((%s) - DATE '1970-01-01' AS INTEGER) AS __ldp_p%zu", ldp_buf_cstr(&tx), k);
			else if (is_integer_result(&j->part_types[k]))
				ldp_buf_printf(&sel, ", (%s) AS __ldp_p%zu", ldp_buf_cstr(&tx), k);
			else if (j->part_types[k].id == LDP_T_STRING || j->part_types[k].id == LDP_T_BINARY || j->part_types[k].id == LDP_T_FIXED)
				ldp_buf_printf(&sel, ", hex(%s) AS __ldp_p%zu", ldp_buf_cstr(&tx), k);
			else
				ldp_buf_printf(&sel, ", hex(CAST(%s AS VARCHAR)) AS __ldp_p%zu", ldp_buf_cstr(&tx), k);
		}
		ldp_buf_free(&col);
		ldp_buf_free(&tx);
	}
	ldp_buf_puts(&sel, " FROM (");
	ldp_buf_put(&sel, q.ptr, q.len);
	ldp_buf_puts(&sel, ")");
	ldp_buf_free(&q);
	if (!rc && j->order && j->order->nfields)
		rc = append_order_by(j, &sel);
	if (rc || ldp_buf_oom(&sel)) {
		ldp_buf_free(&sel);
		return rc ? rc : LDP_ENOMEM;
	}

	ldp_field_id *ids = ldp_arena_calloc(&j->arena, s->root.nfields + 1, sizeof *ids);
	for (size_t i = 0; ids && i < s->root.nfields; i++)
		field_ids_for(&j->arena, &s->root.fields[i], &ids[i]);
	char *pcols[64];
	char pnames[64][16];
	for (size_t k = 0; k < np && k < 64; k++) {
		snprintf(pnames[k], sizeof pnames[k], "__ldp_p%zu", k);
		pcols[k] = pnames[k];
	}
	ldp_parquet_options po;
	memset(&po, 0, sizeof po);
	po.field_ids = ids;
	po.nfield_ids = s->root.nfields;
	po.compression = j->compression;
	po.row_group_size = j->row_group_size;
	po.target_file_size = np ? 0 : j->target_file_size;
	po.partition_by = (const char *const *)pcols;
	po.npartition_by = np;
	po.filename_pattern = j->file_prefix;
	ldp_data_files *files = NULL;
	rc = ldp_engine_write_parquet(j->engine, ldp_buf_cstr(&sel), j->staging_dir, &po, &files);
	ldp_buf_free(&sel);
	if (!rc && np && j->target_file_size > 0)
		rc = split_large_files(j, &po, &files);
	if (rc) {
		ldp_data_files_free(files);
		const char *mark = strstr(ldp_error_last()->message, REQUIRED_NULL_MARK);
		if (mark) {
			char col[256];
			snprintf(col, sizeof col, "%s", mark + strlen(REQUIRED_NULL_MARK));
			col[strcspn(col, "\n")] = '\0';
			return ldp_error_set(LDP_EINVALID, "required column '%s' has a NULL value; nothing was written", col);
		}
		return ldp_error_wrap(rc, "writing data files");
	}
	j->files = files;
	return LDP_OK;
}

int write_unhex(ldp_arena *a, const char *hex, size_t n, const uint8_t **out, size_t *len)
{
	if (n % 2)
		return -1;
	uint8_t *b = ldp_arena_alloc(a, n / 2 + 1);
	if (!b)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		b[i] = (uint8_t)v;
	}
	b[n / 2] = 0; /* NUL-terminated too: text values go on to the DuckDB text parser */
	*out = b;
	*len = n / 2;
	return 0;
}

/* Decode the value of __ldp_p<k> from the hive directory name. */
static int decode_part(write_job *j, size_t k, const char *text, size_t n, ldp_value *out)
{
	const ldp_type *t = &j->part_types[k];
	if (n == strlen("__HIVE_DEFAULT_PARTITION__") && strncmp(text, "__HIVE_DEFAULT_PARTITION__", n) == 0) {
		*out = ldp_value_null(t->id);
		return LDP_OK;
	}
	if (is_integer_result(t)) {
		char tmp[32];
		if (n >= sizeof tmp)
			return ldp_error_set(LDP_ECORRUPT, "bad partition value '%.*s'", (int)n, text);
		memcpy(tmp, text, n);
		tmp[n] = '\0';
		memset(out, 0, sizeof *out);
		out->type = t->id;
		long long v = strtoll(tmp, NULL, 10);
		if (t->id == LDP_T_INT || t->id == LDP_T_DATE)
			out->v.i32 = (int32_t)v;
		else
			out->v.i64 = v;
		return LDP_OK;
	}
	const uint8_t *bytes;
	size_t nbytes;
	if (write_unhex(&j->arena, text, n, &bytes, &nbytes))
		return ldp_error_set(LDP_ECORRUPT, "bad hex partition value '%.*s'", (int)n, text);
	if (t->id == LDP_T_STRING || t->id == LDP_T_BINARY || t->id == LDP_T_FIXED) {
		memset(out, 0, sizeof *out);
		out->type = t->id;
		out->v.bytes.ptr = bytes;
		out->v.bytes.len = nbytes;
		return LDP_OK;
	}
	return ldp_value_parse_duckdb(t, (const char *)bytes, &j->arena, out);
}

int write_partition_of(write_job *j, const char *path, ldp_value **tuple)
{
	size_t np = j->spec ? j->spec->nfields : 0;
	*tuple = ldp_arena_calloc(&j->arena, np + 1, sizeof **tuple);
	if (!*tuple)
		return LDP_ENOMEM;
	for (size_t k = 0; k < np; k++) {
		char key[48];
		snprintf(key, sizeof key, "/__ldp_p%zu=", k);
		const char *p = strstr(path, key);
		if (!p)
			return ldp_error_set(LDP_ERROR, "data file %s lacks partition directory %s", path, key + 1);
		p += strlen(key);
		const char *end = strchr(p, '/');
		int rc = decode_part(j, k, p, end ? (size_t)(end - p) : strlen(p), &(*tuple)[k]);
		if (rc)
			return rc;
	}
	return LDP_OK;
}
