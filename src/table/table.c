/* Table lifecycle: load, create, drop; refs and rollback; metadata files. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "core/backoff.h"
#include "format/metadata.h"
#include "format/partition.h"
#include "format/schema.h"
#include "format/transform.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/json.h"
#include "table/ice.h"
#include "table/table.h"

/* ---- metadata files ---- */

/* Java writes gzip-compressed metadata when write.metadata.compression-codec
 * is gzip (<n>-<uuid>.gz.metadata.json); recognised by the gzip magic. */
static int gunzip(const char *location, uint8_t **buf, size_t *len)
{
	if (*len < 2 || (*buf)[0] != 0x1f || (*buf)[1] != 0x8b)
		return LDP_OK;
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return ldp_error_set(LDP_ENOMEM, "%s: cannot start gzip decompression", location);
	size_t cap = *len * 8 + 1024, n = 0;
	uint8_t *out = malloc(cap);
	int zr = Z_OK;
	z.next_in = *buf;
	z.avail_in = (uInt)*len;
	while (out && zr == Z_OK) {
		if (n == cap) {
			uint8_t *g = realloc(out, cap * 2);
			if (!g)
				break;
			out = g;
			cap *= 2;
		}
		z.next_out = out + n;
		z.avail_out = (uInt)(cap - n);
		zr = inflate(&z, Z_NO_FLUSH);
		n = cap - z.avail_out;
	}
	inflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(out);
		return ldp_error_set(LDP_ECORRUPT, "%s: corrupt gzip-compressed metadata", location);
	}
	free(*buf);
	*buf = out;
	*len = n;
	return LDP_OK;
}

int ice_metadata_read(const char *location, ldp_metadata **out)
{
	uint8_t *buf;
	size_t len;
	int rc = ldp_io_read_all(location, &buf, &len);
	if (rc)
		return ldp_error_wrap(rc, "reading table metadata");
	rc = gunzip(location, &buf, &len);
	if (!rc)
		rc = ldp_metadata_parse_text((const char *)buf, len, location, out);
	free(buf);
	return rc;
}

int ice_metadata_version(const char *location)
{
	int64_t v = ldp_metadata_file_version(location);
	return v < 0 ? 0 : (int)v;
}

int ice_metadata_write(const ldp_metadata *m, const char *dir, int version, char **path_out)
{
	*path_out = NULL;
	char *name = NULL, *text = NULL;
	int rc = ldp_metadata_file_name(version, &name);
	if (!rc) {
		/* compact, as the Java and Python implementations write it: a table
		 * with a long history has megabytes of metadata to write per commit */
		ldp_buf tb = LDP_BUF_INIT;
		rc = ldp_metadata_write_compact(m, &tb);
		text = rc ? NULL : ldp_buf_detach(&tb);
		ldp_buf_free(&tb);
		if (!rc && !text)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory serialising table metadata");
	}
	ldp_buf p = LDP_BUF_INIT;
	ldp_buf_printf(&p, "%s/%s", dir, name ? name : "");
	if (!rc)
		rc = ldp_io_write_exclusive(ldp_buf_cstr(&p), text, strlen(text));
	free(name);
	free(text);
	if (rc) {
		ldp_buf_free(&p);
		return rc;
	}
	*path_out = ldp_buf_detach(&p);
	return LDP_OK;
}

int ice_property_int(const ldp_metadata *m, const char *key, int64_t def, int64_t *out)
{
	const char *v = ldp_metadata_property(m, key);
	*out = def;
	if (!v)
		return LDP_OK;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (*end || errno || end == v)
		return ldp_error_set(LDP_EINVALID, "table property %s must be a number, not '%s'", key, v);
	*out = n;
	return LDP_OK;
}

int ice_partition_types(const ldp_partition_spec *spec, const ldp_schema *schema, ldp_arena *a, ldp_type **out)
{
	*out = ldp_arena_calloc(a, spec->nfields + 1, sizeof **out);
	if (!*out)
		return LDP_ENOMEM;
	for (size_t k = 0; k < spec->nfields; k++) {
		int rc = ice_partition_result_type(&spec->fields[k], schema, &(*out)[k]);
		if (rc)
			return rc;
	}
	return LDP_OK;
}

int ice_partition_result_type(const ldp_partition_field *pf, const ldp_schema *schema, ldp_type *out)
{
	const ldp_field *src = ldp_schema_field_by_id(schema, pf->source_id);
	if (!src)
		return ldp_error_set(LDP_EUNSUPPORTED, "partition field %s: source column %d is not in the schema",
				     pf->name, pf->source_id);
	int rc = ldp_transform_result_type(&pf->transform, src->type, out);
	if (!rc && pf->transform.kind == LDP_TR_DAY)
		out->id = LDP_T_DATE;
	return rc;
}

/* ---- load ---- */

void ldp_table_free(ldp_table *t)
{
	if (!t)
		return;
	free(t->metadata_location);
	ldp_metadata_free(t->meta);
	free(t);
}

int ldp_table_load(ldp_warehouse *wh, const ldp_ident *id, ldp_table **out)
{
	*out = NULL;
	ldp_table *t = calloc(1, sizeof *t);
	if (!t)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	t->ident = *id;
	int rc = ldp_catalog_load_table(wh->catalog, id->ns, id->name, &t->metadata_location, NULL);
	if (!rc && !t->metadata_location)
		rc = ldp_error_set(LDP_ECORRUPT, "table %s.%s has no metadata location in the catalog", id->ns, id->name);
	if (!rc)
		rc = ldp_warehouse_cached_metadata(wh, t->metadata_location, &t->meta);
	/* a REST catalog sent the metadata with the load: no need to read the file */
	if (!rc && !t->meta && ldp_catalog_is_rest(wh->catalog))
		rc = ldp_catalog_loaded_metadata(wh->catalog, t->metadata_location, &t->meta);
	if (!rc && !t->meta) {
		rc = ice_metadata_read(t->metadata_location, &t->meta);
		ldp_metadata *keep = NULL;
		if (!rc && ldp_metadata_copy(t->meta, &keep) == LDP_OK)
			ldp_warehouse_cache_metadata(wh, t->metadata_location, keep);
		else if (!rc)
			ldp_error_clear(); /* no copy, no cache entry: the load itself succeeded */
	}
	if (rc) {
		ldp_table_free(t);
		return ldp_error_wrap(rc, "loading table %s.%s", id->ns, id->name);
	}
	*out = t;
	return LDP_OK;
}

/* ---- partition and sort clauses ---- */

/* Default partition field names, as the Java API names them. */
static const char *suffix_of(ldp_transform_kind k)
{
	switch (k) {
	case LDP_TR_BUCKET: return "_bucket";
	case LDP_TR_TRUNCATE: return "_trunc";
	case LDP_TR_YEAR: return "_year";
	case LDP_TR_MONTH: return "_month";
	case LDP_TR_DAY: return "_day";
	case LDP_TR_HOUR: return "_hour";
	case LDP_TR_VOID: return "_null";
	default: return "";
	}
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (*s == '"' && e - s >= 2 && e[-1] == '"') {
		/* a quoted identifier: drop the quotes, "" stands for " */
		e[-1] = '\0';
		s++;
		char *w = s;
		for (char *r = s; *r; r++) {
			*w++ = *r;
			if (r[0] == '"' && r[1] == '"')
				r++;
		}
		*w = '\0';
	}
	return s;
}

/* Split on commas outside parentheses. */
static size_t split_top(char *s, char **parts, size_t max)
{
	size_t n = 0;
	int depth = 0;
	char *start = s;
	for (char *p = s;; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if ((*p == ',' && depth == 0) || *p == '\0') {
			int end = *p == '\0';
			*p = '\0';
			if (n < max)
				parts[n++] = start;
			start = p + 1;
			if (end)
				break;
		}
	}
	return n;
}

/* "day(ts)", "bucket(16, id)", "truncate(4, name)", "ts" (identity). */
static int parse_partition_item(ldp_arena *a, char *item, const ldp_schema *s, ldp_partition_field *out)
{
	char *txt = trim(item);
	char *open = strchr(txt, '(');
	ldp_transform tr;
	memset(&tr, 0, sizeof tr);
	const char *col = txt;
	char buf[64];
	if (open) {
		char *close = strrchr(txt, ')');
		if (!close)
			return ldp_error_set(LDP_EINVALID, "partition clause '%s': missing ')'", txt);
		*open = '\0';
		*close = '\0';
		char *fn = trim(txt), *args = open + 1;
		char *argv[3];
		size_t n = split_top(args, argv, 3);
		if (strcasecmp(fn, "bucket") == 0 || strcasecmp(fn, "truncate") == 0) {
			if (n != 2)
				return ldp_error_set(LDP_EINVALID, "%s needs two arguments: %s(N, column)", fn, fn);
			char *num = trim(argv[0]);
			col = trim(argv[1]);
			if (!isdigit((unsigned char)*num)) { /* accept (column, N) too */
				char *tmp = num;
				num = (char *)col;
				col = tmp;
			}
			char *end;
			long nv = strtol(num, &end, 10);
			if (*end || nv < 1 || nv > INT32_MAX)
				return ldp_error_set(LDP_EINVALID, "%s(%s, %s): the %s must be a whole number of at least 1", fn, num, col,
						     strcasecmp(fn, "bucket") == 0 ? "bucket count" : "width");
			snprintf(buf, sizeof buf, "%s[%ld]", strcasecmp(fn, "bucket") == 0 ? "bucket" : "truncate", nv);
		} else {
			if (n != 1)
				return ldp_error_set(LDP_EINVALID, "%s takes one column: %s(column)", fn, fn);
			col = trim(argv[0]);
			snprintf(buf, sizeof buf, "%s", fn);
			for (char *p = buf; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			if (strcmp(buf, "years") == 0 || strcmp(buf, "months") == 0 || strcmp(buf, "days") == 0 || strcmp(buf, "hours") == 0)
				buf[strlen(buf) - 1] = '\0';
		}
	} else {
		snprintf(buf, sizeof buf, "identity");
	}
	int rc = ldp_transform_parse(buf, a, &tr);
	if (rc)
		return rc;
	if (tr.kind == LDP_TR_UNKNOWN)
		return ldp_error_set(LDP_EINVALID, "unknown partition transform '%s' (identity, bucket, truncate, year, month, day, hour, void)", buf);
	const ldp_field *f = ldp_schema_field_by_name(s, col);
	if (!f)
		return ldp_error_set(LDP_EINVALID, "partition column '%s' is not in the schema", col);
	rc = ldp_transform_check(&tr, f->type, col);
	if (rc)
		return rc;
	out->source_id = f->id;
	out->field_id = 0;
	out->transform = tr;
	out->name = ldp_arena_sprintf(a, "%s%s", col, suffix_of(tr.kind));
	return LDP_OK;
}

static int parse_partition_by(ldp_arena *a, const char *text, const ldp_schema *s, ldp_partition_spec **out)
{
	*out = NULL;
	if (!text || !*text)
		return LDP_OK;
	char *copy = ldp_arena_strdup(a, text);
	char *items[64];
	size_t n = split_top(copy, items, 64);
	ldp_partition_spec *spec = ldp_arena_calloc(a, 1, sizeof *spec);
	spec->fields = ldp_arena_calloc(a, n + 1, sizeof *spec->fields);
	for (size_t i = 0; i < n; i++) {
		int rc = parse_partition_item(a, items[i], s, &spec->fields[i]);
		if (rc)
			return ldp_error_wrap(rc, "--partition-by");
		spec->fields[i].field_id = 1000 + (int32_t)i;
		for (size_t k = 0; k < i; k++)
			if (strcmp(spec->fields[k].name, spec->fields[i].name) == 0)
				return ldp_error_set(LDP_EINVALID, "--partition-by: partition field '%s' appears twice", spec->fields[i].name);
	}
	spec->nfields = n;
	*out = spec;
	return LDP_OK;
}

/* "ts desc nulls last, id" */
static int parse_sort_by(ldp_arena *a, const char *text, const ldp_schema *s, ldp_sort_order **out)
{
	*out = NULL;
	if (!text || !*text)
		return LDP_OK;
	char *copy = ldp_arena_strdup(a, text);
	char *items[64];
	size_t n = split_top(copy, items, 64);
	ldp_sort_order *o = ldp_arena_calloc(a, 1, sizeof *o);
	o->fields = ldp_arena_calloc(a, n + 1, sizeof *o->fields);
	o->order_id = 1;
	for (size_t i = 0; i < n; i++) {
		char *w[6];
		size_t nw = 0;
		for (char *tok = strtok(items[i], " \t"); tok && nw < 6; tok = strtok(NULL, " \t"))
			w[nw++] = tok;
		if (!nw)
			return ldp_error_set(LDP_EINVALID, "--sort-by: empty sort key");
		const ldp_field *f = ldp_schema_field_by_name(s, trim(w[0]));
		if (!f)
			return ldp_error_set(LDP_EINVALID, "--sort-by: column '%s' is not in the schema", w[0]);
		ldp_sort_field *sf = &o->fields[i];
		ldp_transform_parse("identity", a, &sf->transform);
		sf->source_id = f->id;
		sf->descending = false;
		for (size_t k = 1; k < nw; k++) {
			if (strcasecmp(w[k], "desc") == 0)
				sf->descending = true;
			else if (strcasecmp(w[k], "asc") == 0)
				sf->descending = false;
			else if (strcasecmp(w[k], "nulls") == 0 && k + 1 < nw) {
				sf->nulls_first = strcasecmp(w[k + 1], "first") == 0;
				k++;
			} else
				return ldp_error_set(LDP_EINVALID, "--sort-by: unexpected '%s' (use: column [asc|desc] [nulls first|last])", w[k]);
		}
		/* Iceberg's default: nulls first for ascending, last for descending */
		if (nw < 3)
			sf->nulls_first = !sf->descending;
	}
	o->nfields = n;
	*out = o;
	return LDP_OK;
}

/* ---- create / drop ---- */

int ldp_table_create(ldp_warehouse *wh, const ldp_ident *id, const ldp_create_options *o, ldp_table **out)
{
	*out = NULL;
	int exists = 0;
	int rc = ldp_catalog_namespace_exists(wh->catalog, id->ns, &exists);
	if (!rc && !exists)
		rc = ldp_error_set(LDP_ENOTFOUND, "namespace %s does not exist (create it with: ldp namespace create %s)", id->ns, id->ns);
	if (!rc)
		rc = ldp_catalog_table_exists(wh->catalog, id->ns, id->name, &exists);
	if (!rc && exists)
		rc = ldp_error_set(LDP_EEXISTS, "table %s.%s already exists", id->ns, id->name);
	if (rc)
		return rc;
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_partition_spec *spec = NULL;
	ldp_sort_order *order = NULL;
	ldp_buf loc = LDP_BUF_INIT;
	if (o->location)
		ldp_buf_puts(&loc, ldp_io_local_path(o->location));
	else
		rc = ldp_warehouse_table_location(wh, id, &loc);
	if (!rc)
		rc = parse_partition_by(&a, o->partition_by, o->schema, &spec);
	if (!rc)
		rc = parse_sort_by(&a, o->sort_by, o->schema, &order);
	ldp_metadata *m = NULL;
	if (!rc)
		rc = ldp_metadata_new(ldp_buf_cstr(&loc), o->schema, spec, order, o->properties, o->nproperties, &m);
	char *path = NULL;
	if (!rc && ldp_catalog_is_rest(wh->catalog)) {
		/* the server writes the file, at its default location unless one was given */
		ldp_metadata *created = NULL;
		rc = ldp_catalog_create_table_metadata(wh->catalog, id->ns, id->name, m, o->location != NULL, &path,
						       &created);
		ldp_metadata_free(m);
		m = created;
	} else if (!rc) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/metadata", m->location);
		rc = ice_metadata_write(m, dir, 0, &path);
		if (!rc) {
			rc = ldp_catalog_create_table(wh->catalog, id->ns, id->name, path);
			if (rc)
				ldp_io_remove(path);
		}
	}
	ldp_buf_free(&loc);
	ldp_arena_free(&a);
	if (rc) {
		free(path);
		ldp_metadata_free(m);
		return ldp_error_wrap(rc, "creating table %s.%s", id->ns, id->name);
	}
	ldp_table *t = calloc(1, sizeof *t);
	if (!t) {
		free(path);
		ldp_metadata_free(m);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	t->ident = *id;
	t->metadata_location = path;
	t->meta = m;
	*out = t;
	return LDP_OK;
}

int ldp_table_register(ldp_warehouse *wh, const ldp_ident *id, const char *metadata_location)
{
	ldp_metadata *m = NULL;
	char abs[4096];
	const char *loc = ldp_io_local_path(metadata_location);
	if (realpath(loc, abs))
		loc = abs; /* the catalog must not depend on the current directory */
	int rc = ice_metadata_read(loc, &m);
	ldp_metadata_free(m);
	if (!rc)
		rc = ldp_catalog_register_table(wh->catalog, id->ns, id->name, loc);
	return rc ? ldp_error_wrap(rc, "registering %s.%s", id->ns, id->name) : rc;
}

int ldp_table_drop(ldp_warehouse *wh, const ldp_ident *id, int purge)
{
	char *location = NULL;
	ldp_metadata *m = NULL;
	int rc = LDP_OK;
	if (purge && ldp_catalog_is_rest(wh->catalog)) /* the server purges (purgeRequested) */
		return ldp_catalog_purge_table(wh->catalog, id->ns, id->name);
	if (purge) {
		/* Read the location first: after the catalog entry is gone nothing points at it. */
		rc = ldp_catalog_load_table(wh->catalog, id->ns, id->name, &location, NULL);
		if (!rc && location && ice_metadata_read(location, &m) != LDP_OK)
			ldp_error_clear(); /* purge what we can: a table with corrupt metadata can still be dropped */
		free(location);
		location = NULL;
		if (rc)
			return rc;
	}
	if (purge && m) {
		/* The location comes from metadata that may have been written anywhere
		 * (register): never purge "/", a top-level directory, or a directory
		 * holding the warehouse itself. */
		const char *loc = ldp_io_local_path(m->location), *root = wh->root;
		if (ldp_io_is_remote(loc)) /* s3://b/k -> /b/k for the same checks */
			loc = strstr(loc, "://") + 2;
		if (ldp_io_is_remote(root))
			root = strstr(root, "://") + 2;
		size_t depth = 0;
		for (const char *p = loc; *p; p++)
			depth += *p == '/' && p[1] && p[1] != '/';
		size_t ll = strlen(loc);
		while (ll > 1 && loc[ll - 1] == '/')
			ll--;
		if (loc[0] != '/' || depth < 2 || strncmp(root, loc, ll) == 0)
			rc = ldp_error_set(LDP_EINVALID, "refusing to purge %s.%s: its location %s is not a table directory (drop without --purge, then remove files yourself)",
					   id->ns, id->name, m->location);
	}
	if (!rc)
		rc = ldp_catalog_drop_table(wh->catalog, id->ns, id->name, &location);
	if (!rc && purge && m)
		rc = ldp_io_remove_tree(m->location);
	free(location);
	ldp_metadata_free(m);
	return rc;
}

/* ---- metadata-only commits: refs and rollback ---- */

typedef int (*meta_change_fn)(const ldp_metadata *in, void *ctx, ldp_metadata **out);

static int commit_metadata(ldp_warehouse *wh, const ldp_ident *id, meta_change_fn fn, void *ctx)
{
	for (int attempt = 0;; attempt++) {
		ldp_table *t = NULL;
		int rc = ldp_table_load(wh, id, &t);
		if (rc)
			return rc;
		ldp_metadata *next = NULL;
		char *path = NULL;
		rc = fn(t->meta, ctx, &next);
		if (!rc)
			rc = ldp_metadata_log_previous(next, t->metadata_location, t->meta->last_updated_ms);
		ldp_metadata *committed = NULL;
		if (!rc && ldp_catalog_is_rest(wh->catalog)) {
			/* requirements + updates; nothing of ours to clean up on failure */
			rc = ldp_catalog_commit(wh->catalog, id->ns, id->name, t->meta, next, &path, &committed);
			ldp_metadata_free(committed);
			free(path);
			path = NULL;
		} else if (!rc) {
			char dir[4096];
			snprintf(dir, sizeof dir, "%s/metadata", t->meta->location);
			rc = ice_metadata_write(next, dir, ice_metadata_version(t->metadata_location) + 1, &path);
			if (rc == LDP_EEXISTS)
				rc = LDP_ECONFLICT;
			if (!rc)
				rc = ldp_catalog_swap(wh->catalog, id->ns, id->name, t->metadata_location, path);
		}
		if (rc && path)
			ldp_io_remove(path);
		free(path);
		ldp_metadata_free(next);
		ldp_table_free(t);
		if (rc != LDP_ECONFLICT || attempt >= wh->commit_retries)
			return rc;
		ldp_error_clear();
		ldp_backoff_sleep(attempt, 100, 5000);
	}
}

int ldp_table_commit_metadata(ldp_warehouse *wh, const ldp_ident *id,
			      int (*fn)(const ldp_metadata *in, void *ctx, ldp_metadata **out), void *ctx)
{
	return commit_metadata(wh, id, fn, ctx);
}

static int do_rollback(const ldp_metadata *in, void *ctx, ldp_metadata **out)
{
	int64_t sid = *(int64_t *)ctx;
	if (!ldp_metadata_snapshot(in, sid))
		return ldp_error_set(LDP_ENOTFOUND, "no snapshot %" PRId64 " (see ldp table snapshots)", sid);
	return ldp_metadata_set_current_snapshot(in, sid, out);
}

int ldp_table_rollback(ldp_warehouse *wh, const ldp_ident *id, int64_t snapshot_id)
{
	int rc = commit_metadata(wh, id, do_rollback, &snapshot_id);
	return rc ? ldp_error_wrap(rc, "rolling back %s.%s", id->ns, id->name) : rc;
}

typedef struct ref_ctx {
	const char *name;
	int is_tag;
	int64_t snapshot_id;
	int drop;
} ref_ctx;

static int do_ref(const ldp_metadata *in, void *ctx, ldp_metadata **out)
{
	ref_ctx *r = ctx;
	const ldp_ref *cur = ldp_metadata_ref(in, r->name);
	if (r->drop) {
		if (!cur)
			return ldp_error_set(LDP_ENOTFOUND, "no branch or tag named '%s'", r->name);
		if (strcmp(r->name, "main") == 0)
			return ldp_error_set(LDP_EINVALID, "the main branch cannot be dropped");
		return ldp_metadata_remove_ref(in, r->name, out);
	}
	if (cur)
		return ldp_error_set(LDP_EEXISTS, "a %s named '%s' already exists", cur->is_tag ? "tag" : "branch", r->name);
	int64_t sid = r->snapshot_id > 0 ? r->snapshot_id : in->current_snapshot_id;
	if (sid < 0)
		return ldp_error_set(LDP_EINVALID, "the table has no snapshot yet to point '%s' at", r->name);
	ldp_ref ref = {r->name, sid, r->is_tag != 0, -1, -1, -1};
	return ldp_metadata_set_ref(in, &ref, out);
}

int ldp_table_set_ref(ldp_warehouse *wh, const ldp_ident *id, const char *name, int is_tag, int64_t snapshot_id)
{
	ref_ctx r = {name, is_tag, snapshot_id, 0};
	int rc = commit_metadata(wh, id, do_ref, &r);
	return rc ? ldp_error_wrap(rc, "creating %s %s on %s.%s", is_tag ? "tag" : "branch", name, id->ns, id->name) : rc;
}

int ldp_table_drop_ref(ldp_warehouse *wh, const ldp_ident *id, const char *name)
{
	ref_ctx r = {name, 0, 0, 1};
	int rc = commit_metadata(wh, id, do_ref, &r);
	return rc ? ldp_error_wrap(rc, "dropping ref %s of %s.%s", name, id->ns, id->name) : rc;
}

/* For metadata-only changes written elsewhere in table/ (schema evolution by ingest). */
int ice_commit_metadata(ldp_warehouse *wh, const ldp_ident *id, ice_meta_change_fn fn, void *ctx)
{
	return commit_metadata(wh, id, fn, ctx);
}

int ice_partition_spec_parse(ldp_arena *a, const char *text, const ldp_schema *s, ldp_partition_spec **out)
{
	return parse_partition_by(a, text, s, out);
}

int ice_sort_order_parse(ldp_arena *a, const char *text, const ldp_schema *s, ldp_sort_order **out)
{
	return parse_sort_by(a, text, s, out);
}

int ice_partition_field_parse(ldp_arena *a, const char *term, const ldp_schema *s, ldp_partition_field *out)
{
	char *copy = ldp_arena_strdup(a, term);
	memset(out, 0, sizeof *out);
	return copy ? parse_partition_item(a, copy, s, out) : LDP_ENOMEM;
}
