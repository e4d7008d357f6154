/*
 * Iceberg views (view spec v1): writing and reading view metadata files,
 * and their catalog entries. See table/view.h.
 *
 * Replacing a view keeps its history as the spec intends: the new metadata
 * carries the old versions, schemas and version-log, adds a version with
 * version-id + 1 and makes it current.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_views.h"
#include "format/metadata.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/json.h"
#include "table/view.h"

static int read_view_json(const char *location, json_t **out)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = ldp_io_read_all(location, &data, &len);
	if (rc)
		return ldp_error_wrap(rc, "reading view metadata %s", location);
	json_error_t je;
	*out = json_loadb((const char *)data, len, 0, &je);
	free(data);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return ldp_error_set(LDP_ECORRUPT, "view metadata %s: not a JSON object (%s, line %d)", location, je.text,
				     je.line);
	}
	return 0;
}

/* The version object of current-version-id. */
static json_t *current_version(json_t *meta)
{
	json_int_t cur = json_integer_value(json_object_get(meta, "current-version-id"));
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(meta, "versions"), i, v)
	if (json_integer_value(json_object_get(v, "version-id")) == cur)
		return v;
	return NULL;
}

static int build_metadata(json_t *old, const ldp_ident *id, const char *location, const char *sql,
			  const ldp_schema *schema, json_t **out)
{
	char uuid[37];
	int rc = ldp_uuid4(uuid);
	if (rc)
		return rc;
	json_t *m = old ? json_deep_copy(old) : json_object();
	if (!m)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!old) {
		json_object_set_new(m, "view-uuid", json_string(uuid));
		json_object_set_new(m, "format-version", json_integer(1));
		json_object_set_new(m, "location", json_string(location));
		json_object_set_new(m, "properties", json_object());
		json_object_set_new(m, "versions", json_array());
		json_object_set_new(m, "schemas", json_array());
		json_object_set_new(m, "version-log", json_array());
	}
	json_t *versions = json_object_get(m, "versions"), *schemas = json_object_get(m, "schemas");
	json_t *log = json_object_get(m, "version-log");
	if (!json_is_array(versions) || !json_is_array(schemas) || !json_is_array(log)) {
		json_decref(m);
		return ldp_error_set(LDP_ECORRUPT, "view %s.%s: metadata lacks versions, schemas or version-log", id->ns,
				     id->name);
	}
	json_int_t vid = 0, sid = -1;
	size_t i;
	json_t *x;
	json_array_foreach(versions, i, x)
	if (json_integer_value(json_object_get(x, "version-id")) > vid)
		vid = json_integer_value(json_object_get(x, "version-id"));
	json_array_foreach(schemas, i, x)
	if (json_integer_value(json_object_get(x, "schema-id")) > sid)
		sid = json_integer_value(json_object_get(x, "schema-id"));
	vid++, sid++;
	json_t *sj = ldp_schema_to_json(schema);
	if (!sj) {
		json_decref(m);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	json_object_set_new(sj, "schema-id", json_integer(sid));
	json_array_append_new(schemas, sj);
	int64_t now = ldp_now_ms();
	json_t *ns = json_array();
	/* namespace levels, as the spec's default-namespace */
	char nsbuf[sizeof id->ns];
	snprintf(nsbuf, sizeof nsbuf, "%s", id->ns);
	for (char *save = NULL, *p = strtok_r(nsbuf, ".", &save); p; p = strtok_r(NULL, ".", &save))
		json_array_append_new(ns, json_string(p));
	json_t *rep = json_pack("{s:s, s:s, s:s}", "type", "sql", "sql", sql, "dialect", "duckdb");
	json_t *summary = json_pack("{s:s, s:s}", "engine-name", "ldp", "engine-version", ldp_engine_duckdb_version());
	json_t *ver = json_pack("{s:I, s:I, s:I, s:o, s:o, s:[o]}", "version-id", vid, "timestamp-ms", (json_int_t)now,
				"schema-id", sid, "summary", summary, "default-namespace", ns, "representations", rep);
	if (!ver || !rep || !summary) {
		json_decref(m);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	json_array_append_new(versions, ver);
	json_array_append_new(log, json_pack("{s:I, s:I}", "timestamp-ms", (json_int_t)now, "version-id", vid));
	json_object_set_new(m, "current-version-id", json_integer(vid));
	*out = m;
	return 0;
}

int ldp_view_replace(ldp_warehouse *wh, const ldp_ident *id, const char *sql, const ldp_schema *schema)
{
	char *old_loc = NULL;
	json_t *old = NULL, *meta = NULL;
	int rc = ldp_catalog_load_view(wh->catalog, id->ns, id->name, &old_loc);
	if (rc == LDP_ENOTFOUND) {
		ldp_error_clear();
		rc = 0;
	}
	if (!rc && old_loc)
		rc = read_view_json(old_loc, &old);
	ldp_buf loc = LDP_BUF_INIT, path = LDP_BUF_INIT;
	if (!rc)
		rc = old ? (ldp_buf_puts(&loc, json_string_value(json_object_get(old, "location"))), ldp_buf_oom(&loc))
			 : ldp_warehouse_table_location(wh, id, &loc);
	if (!rc)
		rc = build_metadata(old, id, ldp_buf_cstr(&loc), sql, schema, &meta);
	char *name = NULL, *text = NULL;
	int64_t version = old_loc ? ldp_metadata_file_version(old_loc) + 1 : 0;
	if (!rc)
		rc = ldp_metadata_file_name(version < 0 ? 0 : version, &name);
	if (!rc) {
		ldp_buf_printf(&path, "%s/metadata", ldp_buf_cstr(&loc));
		rc = ldp_io_mkdirs(ldp_buf_cstr(&path));
		ldp_buf_printf(&path, "/%s", name);
	}
	if (!rc && !(text = json_dumps(meta, JSON_COMPACT)))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!rc)
		rc = ldp_io_write_exclusive(ldp_buf_cstr(&path), text, strlen(text));
	if (!rc)
		rc = ldp_catalog_replace_view(wh->catalog, id->ns, id->name, old_loc, ldp_buf_cstr(&path));
	if (rc)
		ldp_error_wrap(rc, "replacing view %s.%s", id->ns, id->name);
	free(name);
	free(text);
	free(old_loc);
	json_decref(old);
	json_decref(meta);
	ldp_buf_free(&loc);
	ldp_buf_free(&path);
	return rc;
}

int ldp_view_load_sql(ldp_warehouse *wh, const ldp_ident *id, char **sql_out)
{
	*sql_out = NULL;
	char *loc = NULL;
	json_t *meta = NULL;
	int rc = ldp_catalog_load_view(wh->catalog, id->ns, id->name, &loc);
	if (!rc)
		rc = read_view_json(loc, &meta);
	if (!rc) {
		json_t *ver = current_version(meta), *rep;
		size_t i;
		const char *sql = NULL;
		json_array_foreach(json_object_get(ver, "representations"), i, rep)
		if (!sql && json_is_string(json_object_get(rep, "sql")) &&
		    strcmp(json_string_value(json_object_get(rep, "dialect")) ? json_string_value(json_object_get(rep, "dialect")) : "", "duckdb") == 0)
			sql = json_string_value(json_object_get(rep, "sql"));
		if (!sql)
			rc = ldp_error_set(LDP_EUNSUPPORTED,
					   "view %s.%s (%s) has no SQL in the duckdb dialect; ldp can only run views it or "
					   "another DuckDB-based engine wrote",
					   id->ns, id->name, loc);
		else if (!(*sql_out = strdup(sql)))
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	free(loc);
	json_decref(meta);
	return rc;
}

int ldp_view_drop(ldp_warehouse *wh, const ldp_ident *id) { return ldp_catalog_drop_view(wh->catalog, id->ns, id->name); }
