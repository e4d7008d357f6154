/* Warehouse handle; see table/warehouse.h. */
#include "table/warehouse.h"

#include <stdlib.h>
#include <string.h>

#include "format/transform.h"
#include "ldp/error.h"
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
	if (!rc)
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
