/* Warehouse handle; see table/warehouse.h. */
#include "table/warehouse.h"

#include <stdlib.h>
#include <string.h>

#include "format/metadata.h"
#include "format/transform.h"
#include "ldp/error.h"
#include "io/s3_io.h"
#include "ldp/io.h"

int ldp_warehouse_open(const ldp_project *p, ldp_warehouse **out)
{
	*out = NULL;
	ldp_warehouse *wh = calloc(1, sizeof *wh);
	if (!wh)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	wh->root = strdup(p->warehouse);
	wh->commit_retries = 4;
	int rc = wh->root ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!rc && strstr(p->warehouse, "://") == NULL)
		rc = ldp_io_mkdirs(p->warehouse);
	/* S3 endpoint, region, profile from ldp.yml's s3: mapping */
	if (!rc && p->config)
		rc = ldp_s3_io_configure_json(json_object_get(p->config, "s3"), p->config_path);
	if (!rc && strcmp(p->catalog_type, "rest") == 0)
		rc = ldp_catalog_open_rest(p->catalog_uri, p->catalog_name, json_object_get(p->config, "catalog"),
					   &wh->catalog);
	else if (!rc)
		rc = ldp_catalog_open(p->catalog_uri, p->catalog_name, NULL, &wh->catalog);
	if (rc) {
		ldp_warehouse_free(wh);
		return ldp_error_wrap(rc, "opening the warehouse of project %s", p->config_path);
	}
	*out = wh;
	return LDP_OK;
}

void ldp_warehouse_free(ldp_warehouse *wh)
{
	if (!wh)
		return;
	for (size_t i = 0; i < sizeof wh->meta_cache / sizeof wh->meta_cache[0]; i++) {
		free(wh->meta_cache[i].location);
		ldp_metadata_free(wh->meta_cache[i].meta);
	}
	free(wh->filtered_views);
	ldp_engine_free(wh->engine);
	ldp_catalog_free(wh->catalog);
	free(wh->root);
	free(wh);
}

int ldp_warehouse_engine(ldp_warehouse *wh, ldp_engine **out)
{
	if (!wh->engine) {
		int rc = ldp_engine_open(&wh->engine, NULL, &wh->engine_options);
		/* bucket/truncate partitioning computes in DuckDB through these */
		if (!rc)
			rc = ldp_register_iceberg_functions(wh->engine);
		if (rc) {
			ldp_engine_free(wh->engine);
			wh->engine = NULL;
			return rc;
		}
	}
	*out = wh->engine;
	return LDP_OK;
}

#define META_CACHE_SIZE (sizeof ((ldp_warehouse *)0)->meta_cache / sizeof ((ldp_warehouse *)0)->meta_cache[0])

int ldp_warehouse_cached_metadata(ldp_warehouse *wh, const char *location, ldp_metadata **out)
{
	*out = NULL;
	for (size_t i = 0; i < META_CACHE_SIZE; i++)
		if (wh->meta_cache[i].location && strcmp(wh->meta_cache[i].location, location) == 0)
			return ldp_metadata_copy(wh->meta_cache[i].meta, out);
	return LDP_OK;
}

void ldp_warehouse_cache_metadata(ldp_warehouse *wh, const char *location, ldp_metadata *m)
{
	char *loc = strdup(location);
	if (!loc) { /* a cache only: going without it is fine */
		ldp_metadata_free(m);
		return;
	}
	size_t slot = wh->meta_cache_next++ % META_CACHE_SIZE;
	for (size_t i = 0; i < META_CACHE_SIZE; i++)
		if (wh->meta_cache[i].location && strcmp(wh->meta_cache[i].location, location) == 0)
			slot = i;
	free(wh->meta_cache[slot].location);
	ldp_metadata_free(wh->meta_cache[slot].meta);
	wh->meta_cache[slot].location = loc;
	wh->meta_cache[slot].meta = m;
}

int ldp_ident_parse(const char *text, ldp_ident *out)
{
	memset(out, 0, sizeof *out);
	const char *dot = strrchr(text, '.');
	if (!dot || dot == text || !dot[1])
		return ldp_error_set(LDP_EINVALID, "'%s' is not a table identifier: use namespace.table", text);
	size_t nl = (size_t)(dot - text);
	if (nl >= sizeof out->ns || strlen(dot + 1) >= sizeof out->name)
		return ldp_error_set(LDP_EINVALID, "table identifier '%s' is too long", text);
	memcpy(out->ns, text, nl);
	strcpy(out->name, dot + 1);
	return LDP_OK;
}

int ldp_warehouse_table_location(const ldp_warehouse *wh, const ldp_ident *id, ldp_buf *out)
{
	ldp_buf_puts(out, wh->root);
	ldp_buf_putc(out, '/');
	for (const char *p = id->ns; *p; p++)
		ldp_buf_putc(out, *p == '.' ? '/' : *p);
	ldp_buf_putc(out, '/');
	ldp_buf_puts(out, id->name);
	return ldp_buf_oom(out);
}
