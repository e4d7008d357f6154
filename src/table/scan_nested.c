/*
 * Reading nested fields by field id from files written under older schemas.
 *
 * DuckDB's read_parquet(schema = ...) matches top-level columns by field id
 * but the fields inside a struct by name, so a nested field renamed after a
 * file was written would read NULL from that file, and a nested field dropped
 * and added back under its old name would read the dropped field's data.
 *
 * The table's schema history says whether that can happen at all: only when
 * some schema names a nested field differently from the schema read (same id,
 * other name; or same name under the same struct, other id). Scans of every
 * other table never look further (no I/O). When it can, the footers of the
 * planned files say which names each file used (parquet_schema() reports
 * field ids); files that used the current names keep the single fast read,
 * the others are grouped by the names they used ("views" of the read schema)
 * and read with those names, each struct rebuilt with the current names
 * (struct_pack; list_transform over list elements; map_entries for maps).
 * Fields a file lacks read NULL; promotions inside structs are DuckDB's casts
 * to the read schema's types, as at the top level.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "table/ice.h"
#include "table/table.h"
#include "table/warehouse.h"

struct ice_scan_views {
	ldp_arena arena;
	size_t n;              /* views[0] is the read schema */
	const ldp_schema **v;
	size_t *file_view;     /* per planned file */
};

void ice_scan_views_free(struct ice_scan_views *v)
{
	if (!v)
		return;
	ldp_arena_free(&v->arena);
	free(v->v);
	free(v->file_view);
	free(v);
}

/* ---- the gate: can any file use other nested names? ---- */

typedef struct gate_ctx {
	const ldp_schema *read;
	int hit;
} gate_ctx;

static void gate_struct(const ldp_type *hist, int32_t parent, gate_ctx *g);

static void gate_type(const ldp_type *t, int32_t self, gate_ctx *g)
{
	if (!t || g->hit)
		return;
	if (t->id == LDP_T_STRUCT)
		gate_struct(t, self, g);
	else if (t->id == LDP_T_LIST)
		gate_type(t->element.type, t->element.id, g);
	else if (t->id == LDP_T_MAP) {
		gate_type(t->key.type, t->key.id, g);
		gate_type(t->value.type, t->value.id, g);
	}
}

/* The members of struct `parent` in a historical schema against the same
 * struct in the read schema. */
static void gate_struct(const ldp_type *hist, int32_t parent, gate_ctx *g)
{
	const ldp_field *pf = parent ? ldp_schema_field_by_id(g->read, parent) : NULL;
	const ldp_type *cur = pf ? pf->type : NULL;
	/* no member in common: DuckDB refuses to read such a struct by name */
	int shared = 0;
	for (size_t i = 0; cur && cur->id == LDP_T_STRUCT && i < hist->nfields; i++)
		for (size_t k = 0; k < cur->nfields; k++)
			shared |= cur->fields[k].id == hist->fields[i].id;
	if (cur && cur->id == LDP_T_STRUCT && cur->nfields && hist->nfields && !shared)
		g->hit = 1;
	for (size_t i = 0; i < hist->nfields && !g->hit; i++) {
		const ldp_field *h = &hist->fields[i];
		if (cur && cur->id == LDP_T_STRUCT) {
			for (size_t k = 0; k < cur->nfields; k++) {
				const ldp_field *c = &cur->fields[k];
				if ((c->id == h->id) != (strcmp(c->name, h->name) == 0))
					g->hit = 1;
			}
		}
		gate_type(h->type, h->id, g);
	}
}

static int names_may_differ(const ldp_metadata *m, const ldp_schema *read)
{
	gate_ctx g = {read, 0};
	for (size_t i = 0; i < m->nschemas && !g.hit; i++) {
		const ldp_schema *h = m->schemas[i];
		if (h == read)
			continue;
		/* top-level columns are matched by id already: start below them */
		for (size_t k = 0; k < h->root.nfields && !g.hit; k++)
			gate_type(h->root.fields[k].type, h->root.fields[k].id, &g);
	}
	return g.hit;
}

/* ---- what a file's footer says ---- */

typedef struct fnode {
	int32_t id;     /* field id */
	int32_t parent; /* field id of the nearest ancestor that has one; 0: top level */
	const char *name;
	const char *duck; /* DuckDB type of a leaf ("" for groups) */
} fnode;

typedef struct ffile {
	fnode *nodes;
	size_t n, cap;
	/* the pre-order rows as read, to rebuild parents */
	struct frow {
		char *name;
		char *duck;
		int64_t fid; /* -1: none */
		int64_t nchildren;
	} *rows;
	size_t nrows, rcap;
} ffile;

static int push_row(ffile *f, const char *name, const char *duck, int64_t fid, int64_t nch)
{
	if (f->nrows == f->rcap) {
		size_t nc = f->rcap ? f->rcap * 2 : 32;
		struct frow *nr = realloc(f->rows, nc * sizeof *nr);
		if (!nr)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		f->rows = nr;
		f->rcap = nc;
	}
	f->rows[f->nrows].name = strdup(name ? name : "");
	f->rows[f->nrows].duck = strdup(duck ? duck : "");
	f->rows[f->nrows].fid = fid;
	f->rows[f->nrows].nchildren = nch;
	f->nrows++;
	if (!f->rows[f->nrows - 1].name || !f->rows[f->nrows - 1].duck)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	return LDP_OK;
}

/* Walk rows[*pos] and its subtree (pre-order, num_children per group). */
static int walk(ffile *f, size_t *pos, int32_t parent, int depth)
{
	if (*pos >= f->nrows || depth > 200)
		return -1;
	struct frow *r = &f->rows[(*pos)++];
	int32_t self = parent;
	if (r->fid >= 0 && depth > 0) {
		if (f->n == f->cap) {
			size_t nc = f->cap ? f->cap * 2 : 32;
			fnode *nn = realloc(f->nodes, nc * sizeof *nn);
			if (!nn)
				return -2;
			f->nodes = nn;
			f->cap = nc;
		}
		f->nodes[f->n++] = (fnode){(int32_t)r->fid, parent, r->name, r->nchildren ? "" : r->duck};
		self = (int32_t)r->fid;
	}
	for (int64_t i = 0; i < r->nchildren; i++) {
		int rc = walk(f, pos, depth == 0 ? 0 : self, depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

static const fnode *fnode_find(const ffile *f, int32_t id, int32_t parent)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->nodes[i].id == id && f->nodes[i].parent == parent)
			return &f->nodes[i];
	return NULL;
}

static int fnode_has_children(const ffile *f, int32_t parent)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->nodes[i].parent == parent)
			return 1;
	return 0;
}

/* ---- a file's view of the read schema ---- */

/* An Iceberg type for a leaf's DuckDB type, for the few a struct member
 * read only for the struct's own NULLs needs; NULL for others. */
static const ldp_type *leaf_type(ldp_arena *a, const char *duck)
{
	static const struct {
		const char *duck;
		ldp_type_id id;
	} map[] = {{"BOOLEAN", LDP_T_BOOLEAN}, {"TINYINT", LDP_T_INT},  {"SMALLINT", LDP_T_INT},
		   {"INTEGER", LDP_T_INT},     {"BIGINT", LDP_T_LONG},  {"FLOAT", LDP_T_FLOAT},
		   {"DOUBLE", LDP_T_DOUBLE},   {"VARCHAR", LDP_T_STRING}, {"BLOB", LDP_T_BINARY},
		   {"DATE", LDP_T_DATE},       {"TIME", LDP_T_TIME},    {"TIMESTAMP", LDP_T_TIMESTAMP},
		   {"TIMESTAMP WITH TIME ZONE", LDP_T_TIMESTAMPTZ}, {"UUID", LDP_T_UUID}};
	(void)a;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(duck, map[i].duck) == 0)
			return ldp_type_primitive(map[i].id);
	return NULL;
}

/* A struct the file holds none of today's members of would read as NULL
 * (DuckDB refuses a struct read with no member name in common): read one
 * member the file has (a dropped one) so the struct's own NULLs come
 * through; the rebuild leaves it out. */
static int keeper(ldp_arena *a, ldp_type *t, int32_t self, const ffile *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const fnode *n = &f->nodes[i];
		const ldp_type *lt = n->parent == self && *n->duck ? leaf_type(a, n->duck) : NULL;
		if (!lt)
			continue;
		ldp_field *k = &t->fields[0];
		memset(k, 0, sizeof *k);
		k->id = n->id;
		k->type = lt;
		if (!(k->name = ldp_arena_strdup(a, n->name)))
			return LDP_ENOMEM;
		t->nfields = 1;
		return LDP_OK;
	}
	return LDP_OK;
}

/* The type `cur` (field `self`) as file f names it; *out NULL when the file
 * holds none of a struct's members (the struct reads NULL). */
static int view_type(ldp_arena *a, const ldp_type *cur, int32_t self, const ffile *f, const ldp_type **out)
{
	*out = cur;
	if (!cur || ldp_type_is_primitive(cur))
		return LDP_OK;
	ldp_type *t = ldp_arena_alloc(a, sizeof *t);
	if (!t)
		return LDP_ENOMEM;
	*t = *cur;
	int rc = LDP_OK;
	if (cur->id == LDP_T_STRUCT) {
		/* no member ids under this struct in the file: matched by name, as
		 * DuckDB does (files without nested ids) */
		if (self && !fnode_has_children(f, self))
			return LDP_OK;
		t->fields = ldp_arena_calloc(a, cur->nfields ? cur->nfields : 1, sizeof *t->fields);
		if (!t->fields)
			return LDP_ENOMEM;
		t->nfields = 0;
		for (size_t i = 0; i < cur->nfields && !rc; i++) {
			const ldp_field *c = &cur->fields[i];
			const fnode *n = fnode_find(f, c->id, self);
			if (!n && self)
				continue; /* absent: NULL */
			const ldp_type *vt;
			rc = view_type(a, c->type, c->id, f, &vt);
			if (rc || !vt)
				continue;
			ldp_field *vf = &t->fields[t->nfields++];
			*vf = *c;
			vf->type = vt;
			/* top-level columns keep today's names: DuckDB maps them by id */
			if (n && self && !(vf->name = ldp_arena_strdup(a, n->name)))
				rc = LDP_ENOMEM;
		}
		if (!rc && self && t->nfields == 0)
			rc = keeper(a, t, self, f);
		*out = !rc && self && t->nfields == 0 ? NULL : t;
		return rc;
	}
	const ldp_type *vt;
	if (cur->id == LDP_T_LIST) {
		rc = view_type(a, cur->element.type, cur->element.id, f, &vt);
		t->element.type = vt ? vt : cur->element.type;
	} else if (cur->id == LDP_T_MAP) {
		rc = view_type(a, cur->key.type, cur->key.id, f, &vt);
		t->key.type = vt ? vt : cur->key.type;
		if (!rc)
			rc = view_type(a, cur->value.type, cur->value.id, f, &vt);
		t->value.type = vt ? vt : cur->value.type;
	}
	*out = t;
	return rc;
}

static int view_of(ldp_arena *a, const ldp_schema *read, const ffile *f, const ldp_schema **out)
{
	ldp_schema *s = ldp_arena_alloc(a, sizeof *s);
	if (!s)
		return LDP_ENOMEM;
	*s = *read;
	const ldp_type *root;
	int rc = view_type(a, &read->root, 0, f, &root);
	if (rc)
		return rc;
	s->root = *root;
	*out = s;
	return LDP_OK;
}

/* ---- planning: footers -> views ---- */

static int read_footers(ldp_warehouse *wh, const ldp_scan_plan *p, ffile *files)
{
	ldp_engine *e;
	int rc = ldp_warehouse_engine(wh, &e);
	if (rc)
		return rc;
	char **paths = calloc(p->nfiles, sizeof *paths);
	if (!paths)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "SELECT file_name, name, field_id, num_children, duckdb_type FROM parquet_schema([");
	for (size_t i = 0; !rc && i < p->nfiles; i++) {
		const ldp_planned_file *f = &p->files[i];
		if (ldp_io_is_remote(f->path))
			rc = ldp_io_local_copy(f->path, f->file_size, &paths[i]);
		else if (!(paths[i] = strdup(ldp_io_local_path(f->path))))
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		if (i)
			ldp_buf_puts(&q, ", ");
		if (!rc)
			ldp_buf_put_sql_string(&q, paths[i]);
	}
	ldp_buf_puts(&q, "])");
	ldp_result *r = NULL;
	if (!rc)
		rc = ldp_buf_oom(&q);
	if (!rc)
		rc = ldp_engine_query(e, ldp_buf_cstr(&q), &r);
	size_t last = 0;
	ldp_buf name = LDP_BUF_INIT, fn = LDP_BUF_INIT, duck = LDP_BUF_INIT;
	while (!rc) {
		ldp_chunk *c;
		if ((rc = ldp_result_fetch(r, &c)) || !c)
			break;
		for (size_t row = 0; !rc && row < ldp_chunk_rows(c); row++) {
			ldp_buf_clear(&fn);
			ldp_chunk_format(c, 0, row, LDP_VALUE_TEXT, &fn);
			/* rows come file by file: look at the last file first */
			size_t k = last;
			if (strcmp(paths[k], ldp_buf_cstr(&fn)) != 0)
				for (k = 0; k < p->nfiles && strcmp(paths[k], ldp_buf_cstr(&fn)) != 0; k++)
					;
			if (k == p->nfiles)
				continue;
			last = k;
			ldp_buf_clear(&name);
			ldp_chunk_format(c, 1, row, LDP_VALUE_TEXT, &name);
			int64_t fid = ldp_chunk_is_null(c, 2, row) ? -1 : ldp_chunk_get_int64(c, 2, row);
			int64_t nch = ldp_chunk_is_null(c, 3, row) ? 0 : ldp_chunk_get_int64(c, 3, row);
			ldp_buf_clear(&duck);
			if (!ldp_chunk_is_null(c, 4, row))
				ldp_chunk_format(c, 4, row, LDP_VALUE_TEXT, &duck);
			rc = push_row(&files[k], ldp_buf_cstr(&name), ldp_buf_cstr(&duck), fid, nch);
		}
	}
	ldp_result_free(r);
	ldp_buf_free(&name);
	ldp_buf_free(&fn);
	ldp_buf_free(&duck);
	ldp_buf_free(&q);
	for (size_t i = 0; i < p->nfiles; i++) {
		size_t pos = 0;
		int wrc = rc ? 0 : walk(&files[i], &pos, 0, 0);
		if (!rc && (wrc == -2))
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		else if (!rc && (wrc || pos != files[i].nrows))
			rc = ldp_error_set(LDP_ECORRUPT, "data file %s: its Parquet schema could not be read as a tree "
					   "(%zu of %zu schema elements used)",
					   p->files[i].path, pos, files[i].nrows);
		free(paths[i]);
	}
	free(paths);
	return rc;
}

int ice_plan_nested_views(ldp_warehouse *wh, const ldp_metadata *m, ldp_scan_plan *p)
{
	if (!wh || !m || !p->schema || !p->nfiles || !names_may_differ(m, p->schema))
		return LDP_OK;
	ffile *files = calloc(p->nfiles, sizeof *files);
	struct ice_scan_views *v = calloc(1, sizeof *v);
	int rc = files && v ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!rc) {
		ldp_arena_init(&v->arena, 16 * 1024);
		v->v = calloc(p->nfiles + 1, sizeof *v->v);
		v->file_view = calloc(p->nfiles, sizeof *v->file_view);
		if (!v->v || !v->file_view)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	if (!rc)
		rc = read_footers(wh, p, files);
	if (!rc) {
		v->v[0] = p->schema;
		v->n = 1;
	}
	for (size_t i = 0; !rc && i < p->nfiles; i++) {
		const ldp_schema *s;
		if (files[i].n == 0)
			continue; /* no field ids at all: DuckDB's name matching */
		if ((rc = view_of(&v->arena, p->schema, &files[i], &s))) {
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			break;
		}
		size_t k = 0;
		while (k < v->n && !ldp_type_equal(&v->v[k]->root, &s->root))
			k++;
		if (k == v->n)
			v->v[v->n++] = s;
		v->file_view[i] = k;
	}
	for (size_t i = 0; files && i < p->nfiles; i++) {
		for (size_t k = 0; k < files[i].nrows; k++) {
			free(files[i].rows[k].name);
			free(files[i].rows[k].duck);
		}
		free(files[i].rows);
		free(files[i].nodes);
	}
	free(files);
	if (rc || v->n == 1) {
		ice_scan_views_free(v);
		return rc ? ldp_error_wrap(rc, "reading the nested field names of the data files") : LDP_OK;
	}
	p->views = v;
	return LDP_OK;
}

/* ---- SQL ---- */

/* `e` (SQL text of a value of the view's type vt) rebuilt as type cur. */
static int rebuild(const ldp_type *cur, const ldp_type *vt, const char *e, int depth, ldp_buf *out)
{
	if (!vt) {
		ldp_buf_puts(out, "CAST(NULL AS ");
		int rc = ldp_type_to_duckdb(cur, out);
		ldp_buf_putc(out, ')');
		return rc;
	}
	if (ldp_type_equal(cur, vt)) {
		ldp_buf_puts(out, e);
		return LDP_OK;
	}
	int rc = LDP_OK;
	ldp_buf sub = LDP_BUF_INIT;
	char var[32];
	snprintf(var, sizeof var, "__ldp_v%d", depth);
	switch (cur->id) {
	case LDP_T_STRUCT:
		ldp_buf_printf(out, "CASE WHEN (%s) IS NULL THEN NULL ELSE struct_pack(", e);
		for (size_t i = 0; i < cur->nfields && !rc; i++) {
			const ldp_field *c = &cur->fields[i];
			const ldp_field *vf = NULL;
			for (size_t k = 0; k < vt->nfields; k++)
				if (vt->fields[k].id == c->id)
					vf = &vt->fields[k];
			if (i)
				ldp_buf_puts(out, ", ");
			ldp_buf_put_sql_ident(out, c->name);
			ldp_buf_puts(out, " := ");
			ldp_buf_clear(&sub);
			if (vf) {
				ldp_buf_printf(&sub, "struct_extract(%s, ", e);
				ldp_buf_put_sql_string(&sub, vf->name);
				ldp_buf_putc(&sub, ')');
			}
			rc = ldp_buf_oom(&sub);
			if (!rc)
				rc = rebuild(c->type, vf ? vf->type : NULL, ldp_buf_cstr(&sub), depth + 1, out);
		}
		ldp_buf_puts(out, ") END");
		break;
	case LDP_T_LIST:
		ldp_buf_printf(out, "list_transform(%s, lambda %s: ", e, var);
		rc = rebuild(cur->element.type, vt->element.type, var, depth + 1, out);
		ldp_buf_putc(out, ')');
		break;
	case LDP_T_MAP:
		ldp_buf_printf(out, "map_from_entries(list_transform(map_entries(%s), lambda %s: struct_pack(key := ", e, var);
		ldp_buf_printf(&sub, "%s.key", var);
		rc = rebuild(cur->key.type, vt->key.type, ldp_buf_cstr(&sub), depth + 1, out);
		ldp_buf_puts(out, ", value := ");
		ldp_buf_clear(&sub);
		ldp_buf_printf(&sub, "%s.value", var);
		if (!rc)
			rc = rebuild(cur->value.type, vt->value.type, ldp_buf_cstr(&sub), depth + 1, out);
		ldp_buf_puts(out, ")))");
		break;
	default:
		ldp_buf_puts(out, e);
	}
	ldp_buf_free(&sub);
	return rc;
}

/* One read_parquet over the files of view k, as a SELECT producing the read
 * schema's columns (+ __ldp_idx and __ldp_pos with `positions`). */
static int put_group(const ldp_scan_plan *p, size_t k, const char *const *paths, int positions, ldp_buf *out)
{
	const ldp_schema *s = p->schema;
	const ldp_schema *vs = k ? p->views->v[k] : s;
	ldp_buf_puts(out, "SELECT ");
	int rc = LDP_OK;
	for (size_t i = 0; i < s->root.nfields && !rc; i++) {
		const ldp_field *c = &s->root.fields[i];
		const ldp_field *vf = NULL;
		for (size_t j = 0; j < vs->root.nfields; j++)
			if (vs->root.fields[j].id == c->id)
				vf = &vs->root.fields[j];
		if (i)
			ldp_buf_puts(out, ", ");
		ldp_buf e = LDP_BUF_INIT;
		if (vf)
			ldp_buf_put_sql_ident(&e, vf->name);
		rc = ldp_buf_oom(&e);
		if (!rc)
			rc = rebuild(c->type, vf ? vf->type : NULL, ldp_buf_cstr(&e), 0, out);
		ldp_buf_free(&e);
		ldp_buf_puts(out, " AS ");
		ldp_buf_put_sql_ident(out, c->name);
	}
	if (s->root.nfields == 0)
		ldp_buf_puts(out, "NULL AS \"(no columns)\"");
	size_t n = 0;
	for (size_t i = 0; i < p->nfiles; i++)
		n += (p->views ? p->views->file_view[i] : 0) == k;
	if (positions) {
		/* the file's index in the plan, whatever its place in this group */
		if (n == p->nfiles) {
			ldp_buf_puts(out, ", file_index AS __ldp_idx");
		} else {
			ldp_buf_puts(out, ", CAST([");
			size_t m = 0;
			for (size_t i = 0; i < p->nfiles; i++)
				if (p->views->file_view[i] == k)
					ldp_buf_printf(out, "%s%zu", m++ ? ", " : "", i);
			ldp_buf_puts(out, "][file_index::BIGINT + 1] AS UBIGINT) AS __ldp_idx");
		}
		ldp_buf_puts(out, ", file_row_number AS __ldp_pos");
	}
	ldp_buf_puts(out, " FROM read_parquet([");
	size_t m = 0;
	for (size_t i = 0; i < p->nfiles; i++) {
		if ((p->views ? p->views->file_view[i] : 0) != k)
			continue;
		if (m++)
			ldp_buf_puts(out, ", ");
		ldp_buf_put_sql_string(out, paths[i]);
	}
	ldp_buf_puts(out, "], schema = ");
	if (!rc)
		rc = ldp_schema_to_parquet_schema_arg(vs, out);
	ldp_buf_puts(out, positions ? ", file_row_number = true)" : ")");
	return rc;
}

int ice_scan_source(const ldp_scan_plan *p, const char *const *paths, int positions, ldp_buf *out)
{
	if (!p->views && !positions) {
		ldp_buf_puts(out, "read_parquet([");
		for (size_t i = 0; i < p->nfiles; i++) {
			if (i)
				ldp_buf_puts(out, ", ");
			ldp_buf_put_sql_string(out, paths[i]);
		}
		ldp_buf_puts(out, "], schema = ");
		int rc = ldp_schema_to_parquet_schema_arg(p->schema, out);
		ldp_buf_putc(out, ')');
		return rc ? rc : ldp_buf_oom(out);
	}
	size_t nv = p->views ? p->views->n : 1;
	ldp_buf_putc(out, '(');
	int rc = LDP_OK, first = 1;
	for (size_t k = 0; k < nv && !rc; k++) {
		size_t n = 0;
		for (size_t i = 0; i < p->nfiles; i++)
			n += (p->views ? p->views->file_view[i] : 0) == k;
		if (!n)
			continue;
		if (!first)
			ldp_buf_puts(out, " UNION ALL ");
		first = 0;
		rc = put_group(p, k, paths, positions, out);
	}
	ldp_buf_putc(out, ')');
	return rc ? rc : ldp_buf_oom(out);
}
