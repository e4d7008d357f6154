/* The nyc-taxi:// source: the data of `ldp demo nyc-taxi` as an ingest source,
 * so a pipeline step of kind ingest can load one logical month:
 *
 *   ldp ingest nyc-taxi://yellow/2023-01 raw.trips --mode overwrite
 *   ldp ingest nyc-taxi://zones raw.zones --mode overwrite
 *
 * The month's TLC yellow trip file is downloaded, or generated with
 * examples/taxi/generate.sql when the network refuses (ingest/taxi.c), into
 * the ingest cache (<project>/.ldp/cache/nyc-taxi, or --cache-dir /
 * LDP_CACHE_DIR) and reused there while it was made the same way. Options:
 * --rows N (generate N rows instead of the month's ~3.07M; 0 = the full month),
 * --offline (no download attempt), --generator FILE. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/ingest_internal.h"
#include "ingest/remote.h"
#include "ingest/taxi.h"
#include "ldp/error.h"
#include "ldp/log.h"

const char *const ingest_taxi_option_names[] = {"rows", "offline", "generator", "cache-dir", NULL};

static int parse_rows(const char *v, int64_t *rows)
{
	char *end = NULL;
	long long n = v ? strtoll(v, &end, 10) : 0;
	if (v && (end == v || *end || n < 0))
		return ldp_error_set(LDP_EINVALID, "option --rows takes a number of rows (0: the full month), not '%s'", v);
	*rows = n;
	return LDP_OK;
}

int ldp_ingest_fetch_taxi(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out)
{
	const char *what = uri + strlen("nyc-taxi://");
	ldp_taxi_options to;
	memset(&to, 0, sizeof to);
	to.progress = o->progress;
	to.progress_ctx = o->progress_ctx;
	to.generator = ldp_ingest_opt(o, "generator");
	int rc = ldp_ingest_opt_bool(o, "offline", 0, &to.offline);
	if (!rc)
		rc = parse_rows(ldp_ingest_opt(o, "rows"), &to.rows);
	if (rc)
		return rc;
	int zones = strcasecmp(what, "zones") == 0;
	ldp_taxi_month m = {0, 0};
	if (!zones) {
		if (strncasecmp(what, "yellow/", 7) != 0)
			return ldp_error_set(LDP_EINVALID,
					     "name the TLC yellow trips of a month (nyc-taxi://yellow/2023-01) or "
					     "the zone lookup (nyc-taxi://zones)");
		size_t n = 0;
		ldp_taxi_month ms[1];
		if ((rc = ldp_taxi_parse_months(what + 7, ms, 1, &n)))
			return rc; /* the caller names the source */
		m = ms[0];
	}
	char *dir = NULL;
	if ((rc = ingest_cache_dir(o, "nyc-taxi", &dir)))
		return rc;
	to.data_dir = dir;
	char *path = NULL;
	ldp_taxi_origin how;
	rc = zones ? ldp_taxi_zones_file(&to, &path, &how) : ldp_taxi_month_file(&to, m, &path, &how);
	if (!rc) {
		LDP_INFO("%s: %s %s", uri,
			 how == LDP_TAXI_DOWNLOADED ? "downloaded"
			 : how == LDP_TAXI_GENERATED ? (zones ? "the zone lookup built into ldp" : "generated")
						      : "reused",
			 path);
		rc = ldp_ingest_files_add(out, path);
	}
	free(path);
	free(dir);
	return rc;
}
