/* The ingest dispatcher: source URI -> driver -> local files -> reader SELECT
 * -> loader (ingest.h describes the path). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest.h"
#include "ingest/ingest_internal.h"
#include "ingest/remote.h"
#include "ingest/taxi.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"

/* ---- options ---- */

const char *ldp_ingest_opt(const ldp_ingest_options *o, const char *name)
{
	for (size_t i = 0; o && i < o->nopts; i++)
		if (strcmp(o->opts[i].key, name) == 0)
			return o->opts[i].value;
	return NULL;
}

int ldp_ingest_opt_bool(const ldp_ingest_options *o, const char *name, int def, int *out)
{
	const char *v = ldp_ingest_opt(o, name);
	*out = def;
	if (!v)
		return LDP_OK;
	if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
		*out = 1;
	else if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "off"))
		*out = 0;
	else
		return ldp_error_set(LDP_EINVALID, "option --%s takes true or false, not '%s'", name, v);
	return LDP_OK;
}

/* ---- files ---- */

int ldp_ingest_files_add(ldp_ingest_files *f, const char *path)
{
	char **np = realloc(f->paths, (f->n + 1) * sizeof *np);
	if (!np)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	f->paths = np;
	if (!(f->paths[f->n] = strdup(path)))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	f->n++;
	return LDP_OK;
}

int ldp_ingest_files_set_summary(ldp_ingest_files *f, const char *key, const char *value)
{
	char *v = strdup(value);
	if (!v)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; i < f->nsummary; i++) {
		if (strcmp(f->summary[i].key, key) == 0) {
			free((char *)f->summary[i].value);
			f->summary[i].value = v;
			return LDP_OK;
		}
	}
	ldp_kv *ns = realloc(f->summary, (f->nsummary + 1) * sizeof *ns);
	char *k = strdup(key);
	if (!ns || !k) {
		free(v);
		free(k);
		if (ns)
			f->summary = ns;
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	f->summary = ns;
	f->summary[f->nsummary].key = k;
	f->summary[f->nsummary].value = v;
	f->nsummary++;
	return LDP_OK;
}

void ldp_ingest_files_clear(ldp_ingest_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		if (f->temporary)
			ldp_io_remove(f->paths[i]);
		free(f->paths[i]);
	}
	free(f->paths);
	free(f->format);
	for (size_t i = 0; i < f->nsummary; i++) {
		free((char *)f->summary[i].key);
		free((char *)f->summary[i].value);
	}
	free(f->summary);
	memset(f, 0, sizeof *f);
}

/* ---- drivers ---- */

static const char *const sqlite_options[] = {"table", "query", NULL};

/* Other sources plug in here: a row per scheme with the driver's fetch
 * function and the option names it accepts. A NULL fetch means the scheme is
 * known but this build has no driver for it yet. */
static const ldp_ingest_driver drivers[] = {
	{"file", ldp_ingest_fetch_file, NULL},
	{"sqlite", ldp_ingest_fetch_sqlite, sqlite_options},
	{"http", ldp_ingest_fetch_http, ingest_http_option_names},
	{"https", ldp_ingest_fetch_http, ingest_http_option_names},
	{"api+http", ldp_ingest_fetch_api, ingest_api_option_names},
	{"api+https", ldp_ingest_fetch_api, ingest_api_option_names},
	{"s3", ldp_ingest_fetch_s3, NULL},
	{"near-lake", NULL, NULL},
	{"nyc-taxi", ldp_ingest_fetch_taxi, ingest_taxi_option_names},
	{NULL, NULL, NULL},
};

/* Options of the shared reader (reader.c) and the loader's --stage-sqlite
 * (stage_sqlite.c): accepted whatever the driver. */
static const char *const reader_options[] = {"header", "delimiter", "delim", "sep", "quote", "escape", "null",
					     "column-type", "skip", "compression", "date-format", "timestamp-format",
					     "sample-size", "all-varchar", "json-format", "stage-sqlite", "stage-table", NULL};

int ldp_ingest_driver_for(const char *source, const ldp_ingest_driver **out)
{
	*out = NULL;
	const char *sep = strstr(source, "://");
	size_t len = 0;
	if (sep) {
		/* a scheme is letters, digits, '+', '-', '.' (RFC 3986); anything else
		 * before "://" means a local path that happens to contain it */
		const char *p = source;
		while (p < sep && (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.'))
			p++;
		if (p == sep && sep > source)
			len = (size_t)(sep - source);
	}
	const char *scheme = len ? source : "file";
	if (!len)
		len = 4;
	for (const ldp_ingest_driver *d = drivers; d->scheme; d++) {
		if (strlen(d->scheme) == len && strncasecmp(d->scheme, scheme, len) == 0) {
			if (!d->fetch)
				return ldp_error_set(LDP_EUNSUPPORTED,
						     "%.*s:// sources are not supported in this build of ldp "
						     "(download the data and ingest the local files instead)",
						     (int)len, scheme);
			*out = d;
			return LDP_OK;
		}
	}
	ldp_buf known = LDP_BUF_INIT;
	for (const ldp_ingest_driver *d = drivers; d->scheme; d++)
		ldp_buf_printf(&known, "%s%s://", known.len ? ", " : "", d->scheme);
	int rc = ldp_error_set(LDP_EINVALID, "unknown source scheme '%.*s://' in '%s' (known: %s, or a local path)",
			       (int)len, scheme, source, ldp_buf_cstr(&known));
	ldp_buf_free(&known);
	return rc;
}

static int in_list(const char *const *list, const char *name)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

int ldp_ingest_check_options(const ldp_ingest_driver *d, const ldp_ingest_options *o)
{
	for (size_t i = 0; i < o->nopts; i++) {
		const char *n = o->opts[i].key;
		if (!in_list(reader_options, n) && !in_list(d->options, n))
			return ldp_error_set(LDP_EINVALID, "option --%s is not known to ldp ingest for %s:// sources", n,
					     d->scheme);
	}
	return LDP_OK;
}

/* ---- the whole ingest ---- */

int ldp_ingest(ldp_warehouse *wh, const char *source, const ldp_ident *target, const ldp_ingest_options *opts,
	       ldp_ingest_result *res)
{
	memset(res, 0, sizeof *res);
	const ldp_ingest_driver *d;
	int rc = ldp_ingest_driver_for(source, &d);
	if (rc)
		return rc;
	ldp_ingest_options o = *opts;
	o.wh = wh;
	o.target = target;
	if ((rc = ldp_ingest_check_options(d, &o)))
		return rc;
	ldp_ingest_files files;
	memset(&files, 0, sizeof files);
	rc = d->fetch(source, &o, &files);
	if (rc) {
		ldp_ingest_files_clear(&files);
		return ldp_error_wrap(rc, "reading %s", source);
	}
	if (files.n == 0 && files.nsummary > 0) {
		/* an incremental source with nothing new since its mark */
		LDP_INFO("%s: nothing new since the last ingest; nothing committed", source);
		ldp_ingest_files_clear(&files);
		return LDP_OK;
	}
	if (files.n == 0) {
		ldp_ingest_files_clear(&files);
		return ldp_error_set(LDP_ENOTFOUND, "%s: no files to ingest (check the path or pattern)", source);
	}
	res->files = files.n;
	rc = ingest_load_files(wh, &files, target, &o, res);
	ldp_ingest_files_clear(&files);
	return rc;
}
