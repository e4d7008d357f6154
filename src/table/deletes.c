/*
 * Reading tables that carry delete files (spec: "Scan Planning", "Delete
 * Formats", "Position Delete Files", "Equality Delete Files").
 *
 * Planning keeps every live delete file; the DuckDB query applies them with
 * anti-joins, scoped per data file as the spec says:
 *  - a position delete applies to a data file whose data sequence number is
 *    <= the delete's and whose partition (spec id and values) is the
 *    delete's;
 *  - an equality delete applies to a data file whose data sequence number is
 *    strictly < the delete's, in the delete's partition, or in any partition
 *    when the delete's spec is unpartitioned. A NULL in a delete column
 *    matches NULL (IS NOT DISTINCT FROM).
 * Every data row carries its file's sequence number and "<spec id>/<partition
 * path>" key from a VALUES list joined on the file name DuckDB reports, so
 * the scoping is part of the join conditions.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/metadata.h"
#include "format/transform.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "table/ice.h"
#include "table/table.h"

/* Field ids of a position delete file's columns (spec: reserved field ids). */
#define POS_FILE_PATH_ID 2147483546
#define POS_POS_ID 2147483545

void ldp_scan_plan_clear_deletes(ldp_scan_plan *p)
{
	for (size_t i = 0; i < p->ndeletes; i++) {
		free(p->deletes[i].path);
		free(p->deletes[i].partition);
		free(p->deletes[i].equality_ids);
	}
	free(p->deletes);
	p->deletes = NULL;
	p->ndeletes = 0;
}

int ldp_scan_plan_add_deletes(ldp_scan_plan *p, const ldp_manifest_file *mf, const ldp_metadata *m, ldp_arena *a)
{
	ldp_data_file_entry *es;
	size_t ne;
	int rc = ice_manifest_read(mf, a, &es, &ne);
	if (rc)
		return rc;
	const ldp_partition_spec *spec = ldp_metadata_spec(m, mf->partition_spec_id);
	for (size_t j = 0; j < ne; j++) {
		const ldp_data_file_entry *e = &es[j];
		if (e->status == LDP_ENTRY_DELETED || e->content == LDP_CONTENT_DATA)
			continue;
		if (e->file_format && strcasecmp(e->file_format, "PARQUET") != 0)
			return ldp_error_set(LDP_EUNSUPPORTED, "delete file %s is %s; ldp reads Parquet delete files only "
					     "(deletion vectors of format v3 are not supported yet)",
					     e->file_path, e->file_format);
		ldp_planned_delete *nd = realloc(p->deletes, (p->ndeletes + 1) * sizeof *nd);
		if (!nd)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		p->deletes = nd;
		ldp_planned_delete *d = &p->deletes[p->ndeletes];
		memset(d, 0, sizeof *d);
		ldp_buf part = LDP_BUF_INIT;
		if (spec && spec->nfields)
			ldp_partition_path(spec, p->schema, e->partition, &part);
		d->path = strdup(e->file_path);
		d->partition = ldp_buf_detach(&part);
		d->content = e->content;
		d->seq = e->sequence_number;
		d->spec_id = mf->partition_spec_id;
		d->partitioned = spec && spec->nfields > 0;
		d->record_count = e->record_count;
		if (e->nequality_ids) {
			d->equality_ids = malloc(e->nequality_ids * sizeof *d->equality_ids);
			if (d->equality_ids)
				memcpy(d->equality_ids, e->equality_ids, e->nequality_ids * sizeof *d->equality_ids);
			d->nequality_ids = e->nequality_ids;
		}
		p->ndeletes++;
		if (!d->path || !d->partition || (e->nequality_ids && !d->equality_ids))
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		if (e->content == LDP_CONTENT_EQUALITY_DELETES && !e->nequality_ids)
			return ldp_error_set(LDP_ECORRUPT, "equality delete file %s has no equality_ids", e->file_path);
	}
	return LDP_OK;
}

static void put_part_key(ldp_buf *b, int32_t spec_id, const char *partition)
{
	ldp_buf k = LDP_BUF_INIT;
	ldp_buf_printf(&k, "%d/%s", spec_id, partition ? partition : "");
	ldp_buf_put_sql_string(b, ldp_buf_cstr(&k));
	ldp_buf_free(&k);
}

/* Position deletes that can apply at all: a data file with seq <= theirs. */
static int pos_delete_live(const ldp_scan_plan *p, const ldp_planned_delete *d)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (p->files[i].seq <= d->seq && p->files[i].spec_id == d->spec_id &&
		    strcmp(p->files[i].partition, d->partition) == 0)
			return 1;
	return 0;
}

static int eq_applies(const ldp_planned_file *f, const ldp_planned_delete *d)
{
	return f->seq < d->seq && (!d->partitioned || (f->spec_id == d->spec_id && strcmp(f->partition, d->partition) == 0));
}

static int eq_delete_live(const ldp_scan_plan *p, const ldp_planned_delete *d)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (eq_applies(&p->files[i], d))
			return 1;
	return 0;
}

static int put_equality_delete(const ldp_scan_plan *p, const ldp_planned_delete *d, size_t idx, ldp_buf *out)
{
	const ldp_schema *s = p->schema;
	/* the delete file's columns, read by field id under private names */
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_schema sub;
	memset(&sub, 0, sizeof sub);
	sub.root.id = LDP_T_STRUCT;
	sub.root.fields = ldp_arena_calloc(&a, d->nequality_ids + 1, sizeof *sub.root.fields);
	int rc = sub.root.fields ? LDP_OK : LDP_ENOMEM;
	for (size_t k = 0; !rc && k < d->nequality_ids; k++) {
		const ldp_field *f = NULL;
		for (size_t i = 0; i < s->root.nfields; i++)
			if (s->root.fields[i].id == d->equality_ids[k])
				f = &s->root.fields[i];
		if (!f) {
			rc = ldp_error_set(LDP_EUNSUPPORTED,
					   "equality delete file %s deletes by field id %d, which is not a top-level column of "
					   "the schema read; ldp applies equality deletes on top-level columns only",
					   d->path, d->equality_ids[k]);
			break;
		}
		sub.root.fields[k] = *f;
		sub.root.fields[k].name = ldp_arena_sprintf(&a, "__ldp_e%zu", k);
		sub.root.fields[k].initial_default = NULL;
		sub.root.nfields++;
	}
	/* an anti-join (DuckDB hashes it; NOT EXISTS with the scope
	 * conditions would not be) */
	if (!rc) {
		ldp_buf_puts(out, " ANTI JOIN read_parquet(");
		ldp_buf_put_sql_string(out, ldp_io_local_path(d->path));
		ldp_buf_puts(out, ", schema = ");
		rc = ldp_schema_to_parquet_schema_arg(&sub, out);
	}
	if (!rc) {
		/* the scope, worked out here: the indexes of the files it applies to */
		ldp_buf_printf(out, ") __ldp_x%zu ON __ldp_t.__ldp_idx IN (", idx);
		size_t n = 0;
		for (size_t i = 0; i < p->nfiles; i++)
			if (eq_applies(&p->files[i], d))
				ldp_buf_printf(out, "%s%zu", n++ ? ", " : "", i);
		ldp_buf_putc(out, ')');
		for (size_t k = 0; k < d->nequality_ids; k++) {
			ldp_buf_printf(out, " AND __ldp_x%zu.__ldp_e%zu IS NOT DISTINCT FROM __ldp_t.", idx, k);
			for (size_t i = 0; i < s->root.nfields; i++)
				if (s->root.fields[i].id == d->equality_ids[k])
					ldp_buf_put_sql_ident(out, s->root.fields[i].name);
		}
	}
	ldp_arena_free(&a);
	return rc;
}

int ldp_scan_plan_sql_deletes(const ldp_scan_plan *p, int hidden, ldp_buf *out)
{
	const ldp_schema *s = p->schema;
	if (!s)
		return ldp_error_set(LDP_ECORRUPT, "table metadata has no current schema");
	int lrc = ice_scan_select_list(p, out);
	if (lrc)
		return lrc;
	if (p->nfiles == 0) {
		if (hidden)
			ldp_buf_puts(out, ", CAST(NULL AS VARCHAR) AS __ldp_file, CAST(NULL AS BIGINT) AS __ldp_pos, "
				     "CAST(NULL AS UBIGINT) AS __ldp_idx");
		ldp_buf_puts(out, " LIMIT 0");
		return ldp_buf_oom(out);
	}
	if (hidden) {
		/* the path as the manifest spells it: what delete files ldp writes hold */
		ldp_buf_puts(out, ", [");
		for (size_t i = 0; i < p->nfiles; i++) {
			if (i)
				ldp_buf_puts(out, ", ");
			ldp_buf_put_sql_string(out, p->files[i].path);
		}
		ldp_buf_puts(out, "][__ldp_idx::BIGINT + 1] AS __ldp_file, __ldp_pos, __ldp_idx");
	}
	/* Rows are addressed by (file index, position) packed into one BIGINT
	 * (positions stay far below 2^40): a NOT IN over the delete side makes
	 * DuckDB build its hash table on the small side, which an anti-join
	 * does not when the data side's size is unknown to it (read_parquet
	 * with a schema). Scoping by sequence number and partition happens on
	 * the small side too, where each delete row meets its data file. */
	const char **paths = malloc(p->nfiles * sizeof *paths);
	if (!paths)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nfiles; i++)
		paths[i] = ldp_io_local_path(p->files[i].path);
	ldp_buf_puts(out, " FROM ");
	int rc = ice_scan_source(p, paths, 1, out);
	free(paths);
	if (rc)
		return rc;
	ldp_buf_puts(out, " __ldp_t");
	for (size_t i = 0; i < p->ndeletes && !rc; i++)
		if (p->deletes[i].content == LDP_CONTENT_EQUALITY_DELETES && eq_delete_live(p, &p->deletes[i]))
			rc = put_equality_delete(p, &p->deletes[i], i, out);
	if (rc)
		return rc;

	size_t npos = 0;
	for (size_t i = 0; i < p->ndeletes; i++)
		if (p->deletes[i].content == LDP_CONTENT_POSITION_DELETES && pos_delete_live(p, &p->deletes[i]))
			npos++;
	if (!npos)
		return ldp_buf_oom(out);
	ldp_buf_puts(out, " WHERE (__ldp_t.__ldp_idx::BIGINT << 40) + __ldp_t.__ldp_pos NOT IN (SELECT (__ldp_m.idx << 40) + "
			  "__ldp_x.pos FROM read_parquet([");
	size_t k = 0;
	for (size_t i = 0; i < p->ndeletes; i++) {
		const ldp_planned_delete *d = &p->deletes[i];
		if (d->content != LDP_CONTENT_POSITION_DELETES || !pos_delete_live(p, d))
			continue;
		if (k++)
			ldp_buf_puts(out, ", ");
		ldp_buf_put_sql_string(out, ldp_io_local_path(d->path));
	}
	ldp_buf_printf(out,
		       "], schema = map {%d: {name: 'file_path', type: 'VARCHAR', default_value: NULL}, "
		       "%d: {name: 'pos', type: 'BIGINT', default_value: NULL}}, filename = '__ldp_dfile') __ldp_x "
		       "JOIN (VALUES ",
		       POS_FILE_PATH_ID, POS_POS_ID);
	k = 0;
	for (size_t i = 0; i < p->ndeletes; i++) {
		const ldp_planned_delete *d = &p->deletes[i];
		if (d->content != LDP_CONTENT_POSITION_DELETES || !pos_delete_live(p, d))
			continue;
		ldp_buf_puts(out, k++ ? ", (" : "(");
		ldp_buf_put_sql_string(out, ldp_io_local_path(d->path));
		ldp_buf_printf(out, ", %" PRId64 ", ", d->seq);
		put_part_key(out, d->spec_id, d->partition);
		ldp_buf_puts(out, ")");
	}
	/* data files: local path (what delete rows name, brought to local
	 * form), index, sequence number, partition */
	ldp_buf_puts(out, ") __ldp_y(path, seq, part) ON __ldp_x.__ldp_dfile = __ldp_y.path JOIN (VALUES ");
	for (size_t i = 0; i < p->nfiles; i++) {
		ldp_buf_puts(out, i ? ", (" : "(");
		ldp_buf_put_sql_string(out, ldp_io_local_path(p->files[i].path));
		ldp_buf_printf(out, ", %zu::BIGINT, %" PRId64 ", ", i, p->files[i].seq);
		put_part_key(out, p->files[i].spec_id, p->files[i].partition);
		ldp_buf_puts(out, ")");
	}
	ldp_buf_puts(out, ") __ldp_m(path, idx, seq, part) ON CASE WHEN starts_with(__ldp_x.file_path, 'file://') THEN "
			  "substr(__ldp_x.file_path, 8) WHEN starts_with(__ldp_x.file_path, 'file:/') THEN "
			  "substr(__ldp_x.file_path, 6) ELSE __ldp_x.file_path END = __ldp_m.path "
			  "WHERE __ldp_x.pos IS NOT NULL AND __ldp_m.seq <= __ldp_y.seq AND __ldp_m.part = __ldp_y.part)");
	return ldp_buf_oom(out);
}
