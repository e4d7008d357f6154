/* The NYC taxi data of `ldp demo nyc-taxi`; see ingest/taxi.h. */
#include <ctype.h>
#include <curl/curl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/taxi.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/log.h"

static int parse_month(const char *s, size_t len, ldp_taxi_month *m)
{
	char buf[16];
	if (len != 7 || s[4] != '-')
		goto bad;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (int i = 0; i < 7; i++)
		if (i != 4 && !isdigit((unsigned char)buf[i]))
			goto bad;
	m->year = atoi(buf);
	m->month = atoi(buf + 5);
	if (m->month < 1 || m->month > 12 || m->year < 2009 || m->year > 2100)
		goto bad;
	return LDP_OK;
bad:
	return ldp_error_set(LDP_EINVALID, "'%.*s' is not a month: use YYYY-MM, e.g. 2023-01 (TLC data starts in 2009)",
			     (int)len, s);
}

int ldp_taxi_parse_months(const char *spec, ldp_taxi_month *out, size_t max, size_t *n)
{
	*n = 0;
	const char *p = spec;
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *dots = strstr(p, "..");
		ldp_taxi_month a, b;
		int rc;
		if (dots && (size_t)(dots - p) < len) {
			if ((rc = parse_month(p, (size_t)(dots - p), &a)) ||
			    (rc = parse_month(dots + 2, len - (size_t)(dots - p) - 2, &b)))
				return rc;
		} else {
			if ((rc = parse_month(p, len, &a)))
				return rc;
			b = a;
		}
		if (b.year * 12 + b.month < a.year * 12 + a.month)
			return ldp_error_set(LDP_EINVALID, "month range '%.*s' runs backwards", (int)len, p);
		for (int k = a.year * 12 + a.month - 1; k <= b.year * 12 + b.month - 1; k++) {
			if (*n == max)
				return ldp_error_set(LDP_EINVALID, "too many months in '%s' (at most %zu)", spec, max);
			out[(*n)++] = (ldp_taxi_month){k / 12, k % 12 + 1};
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (*n == 0)
		return ldp_error_set(LDP_EINVALID, "no month given (use YYYY-MM or YYYY-MM..YYYY-MM)");
	return LDP_OK;
}

/* ---- download ---- */

typedef struct dl {
	FILE *f;
	const ldp_taxi_options *o;
	const char *what;
} dl;

static size_t dl_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	return fwrite(ptr, size, nmemb, ((dl *)ud)->f);
}

static int dl_progress(void *ud, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un)
{
	(void)ut;
	(void)un;
	dl *d = ud;
	if (d->o->progress && now > 0)
		d->o->progress(d->o->progress_ctx, d->what, (int64_t)now, total > 0 ? (int64_t)total : -1);
	return 0;
}

/* GET url into dest (through dest.part); LDP_EIO with the reason on failure. */
static int download(const ldp_taxi_options *o, const char *url, const char *dest, const char *what)
{
	char part[PATH_MAX + 32];
	snprintf(part, sizeof part, "%s.part", dest);
	CURL *c = curl_easy_init();
	if (!c)
		return ldp_error_set(LDP_ERROR, "libcurl failed to initialise");
	dl d = {fopen(part, "wb"), o, what};
	if (!d.f) {
		curl_easy_cleanup(c);
		return ldp_error_set(LDP_EIO, "%s: cannot create", part);
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->timeout_s > 0 ? o->timeout_s : 5L);
	/* a stalled transfer (under 1 kB/s for 20 s) gives up rather than hanging the demo */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 20L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, dl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, dl_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &d);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "ldp/" LDP_VERSION);
	CURLcode cc = curl_easy_perform(c);
	int closed = fclose(d.f);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK || closed != 0) {
		unlink(part);
		return ldp_error_set(LDP_EIO, "downloading %s: %s", url, *errbuf ? errbuf : curl_easy_strerror(cc));
	}
	if (rename(part, dest) != 0) {
		unlink(part);
		return ldp_error_set(LDP_EIO, "%s: cannot rename into place", dest);
	}
	return LDP_OK;
}

/* ---- stamps: how a cached file was made ---- */

static char *read_stamp(const char *file)
{
	char p[PATH_MAX + 32];
	snprintf(p, sizeof p, "%s.origin", file);
	uint8_t *data = NULL;
	size_t len = 0;
	if (ldp_io_read_all(p, &data, &len) != LDP_OK) {
		ldp_error_clear();
		return NULL;
	}
	char *s = malloc(len + 1);
	if (s) {
		memcpy(s, data, len);
		s[len] = '\0';
	}
	free(data);
	return s;
}

static int write_stamp(const char *file, const char *text)
{
	char p[PATH_MAX + 32];
	snprintf(p, sizeof p, "%s.origin", file);
	return ldp_io_write_atomic(p, text, strlen(text));
}

/* FNV-1a over the generator text and its parameters: a generated file is
 * reused only while made the same way. */
static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

int ldp_taxi_find_generator(char **out)
{
	*out = NULL;
	const char *env = getenv("LDP_TAXI_GENERATOR");
	if (env && *env) {
		if (!ldp_io_exists(env))
			return ldp_error_set(LDP_ENOTFOUND, "LDP_TAXI_GENERATOR=%s: no such file", env);
		*out = strdup(env);
		return *out ? LDP_OK : LDP_ENOMEM;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char cand[4][PATH_MAX + 64];
	int nc = 0;
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		/* build/<type>/bin/ldp in a source tree, or <prefix>/bin/ldp when installed */
		snprintf(cand[nc++], sizeof cand[0], "%s/../../../examples/taxi/generate.sql", exe);
		snprintf(cand[nc++], sizeof cand[0], "%s/../share/ldp/taxi/generate.sql", exe);
	}
	snprintf(cand[nc++], sizeof cand[0], "examples/taxi/generate.sql");
	for (int i = 0; i < nc; i++) {
		if (ldp_io_exists(cand[i])) {
			char real[PATH_MAX];
			*out = strdup(realpath(cand[i], real) ? real : cand[i]);
			return *out ? LDP_OK : LDP_ENOMEM;
		}
	}
	return ldp_error_set(LDP_ENOTFOUND,
			     "cannot find examples/taxi/generate.sql to generate the trips offline: run from the ldp "
			     "source tree, pass --generator PATH or set LDP_TAXI_GENERATOR");
}

static int generate(const ldp_taxi_options *o, ldp_taxi_month m, const char *gen_text, const char *dest)
{
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp", dest);
	ldp_engine_options eo;
	memset(&eo, 0, sizeof eo);
	ldp_engine *e = NULL;
	int rc = ldp_engine_open(&e, NULL, &eo);
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_printf(&q, "SET VARIABLE taxi_month = DATE '%04d-%02d-01'; SET VARIABLE taxi_out = ", m.year, m.month);
	ldp_buf_put_sql_string(&q, tmp);
	if (o->rows > 0)
		ldp_buf_printf(&q, "; SET VARIABLE taxi_rows = %lld", (long long)o->rows);
	if (!rc)
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
	if (!rc)
		rc = ldp_engine_exec(e, gen_text);
	ldp_engine_free(e);
	ldp_buf_free(&q);
	if (!rc && rename(tmp, dest) != 0)
		rc = ldp_error_set(LDP_EIO, "%s: cannot rename into place", dest);
	if (rc) {
		unlink(tmp);
		return ldp_error_wrap(rc, "generating the trips of %04d-%02d", m.year, m.month);
	}
	return LDP_OK;
}

int ldp_taxi_month_file(const ldp_taxi_options *o, ldp_taxi_month m, char **path, ldp_taxi_origin *how)
{
	*path = NULL;
	int rc = ldp_io_mkdirs(o->data_dir);
	if (rc)
		return rc;
	char dest[PATH_MAX], url[256], what[64];
	snprintf(dest, sizeof dest, "%s/yellow_tripdata_%04d-%02d.parquet", o->data_dir, m.year, m.month);
	snprintf(url, sizeof url, LDP_TAXI_TRIPS_URL, m.year, m.month);
	snprintf(what, sizeof what, "downloading %04d-%02d trips", m.year, m.month);
	char *stamp = ldp_io_exists(dest) ? read_stamp(dest) : NULL;
	/* the generator's identity, when it can be found */
	char *gpath = NULL;
	uint8_t *gtext = NULL;
	size_t glen = 0;
	char key[128] = "";
	if (o->generator ? (gpath = strdup(o->generator)) != NULL : ldp_taxi_find_generator(&gpath) == LDP_OK) {
		if (ldp_io_read_all(gpath, &gtext, &glen) == LDP_OK) {
			uint8_t *t = realloc(gtext, glen + 1);
			if (t) {
				gtext = t;
				gtext[glen] = '\0';
				char params[64];
				snprintf(params, sizeof params, "%04d-%02d/%lld", m.year, m.month, (long long)o->rows);
				snprintf(key, sizeof key, "generated %016llx",
					 (unsigned long long)fnv(fnv(14695981039346656037ULL, (char *)gtext), params));
			}
		}
	}
	ldp_error_clear();
	if (stamp && (!strcmp(stamp, "downloaded") || (!strncmp(stamp, "generated", 9) && (!*key || !strcmp(stamp, key))))) {
		*how = LDP_TAXI_CACHED;
		goto done;
	}
	unlink(dest);
	if (!o->offline && o->rows <= 0) {
		rc = download(o, url, dest, what);
		if (!rc) {
			*how = LDP_TAXI_DOWNLOADED;
			rc = write_stamp(dest, "downloaded");
			goto done;
		}
		LDP_INFO("%s; generating the month instead", ldp_error_last()->message);
		ldp_error_clear();
	}
	if (!gtext) {
		char *found = NULL;
		rc = o->generator ? ldp_error_set(LDP_ENOTFOUND, "%s: cannot read the generator", o->generator)
				  : ldp_taxi_find_generator(&found);
		if (!rc)
			rc = ldp_error_set(LDP_EIO, "cannot read the generator %s", found);
		free(found);
		goto done;
	}
	if (o->progress) {
		char msg[96];
		snprintf(msg, sizeof msg, "generating %04d-%02d trips (examples/taxi/generate.sql)", m.year, m.month);
		o->progress(o->progress_ctx, msg, 0, -1);
	}
	rc = generate(o, m, (char *)gtext, dest);
	if (!rc) {
		*how = LDP_TAXI_GENERATED;
		rc = write_stamp(dest, key);
	}
done:
	if (!rc && !(*path = strdup(dest)))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	free(stamp);
	free(gpath);
	free(gtext);
	return rc;
}

int ldp_taxi_zones_file(const ldp_taxi_options *o, char **path, ldp_taxi_origin *how)
{
	*path = NULL;
	int rc = ldp_io_mkdirs(o->data_dir);
	if (rc)
		return rc;
	char dest[PATH_MAX];
	snprintf(dest, sizeof dest, "%s/taxi_zone_lookup.csv", o->data_dir);
	char *stamp = ldp_io_exists(dest) ? read_stamp(dest) : NULL;
	if (stamp && !strcmp(stamp, "downloaded")) {
		*how = LDP_TAXI_CACHED;
	} else if (!o->offline && download(o, LDP_TAXI_ZONES_URL, dest, "downloading the zone lookup") == LDP_OK) {
		*how = LDP_TAXI_DOWNLOADED;
		rc = write_stamp(dest, "downloaded");
	} else {
		ldp_error_clear();
		*how = LDP_TAXI_GENERATED; /* the built-in copy */
		rc = ldp_io_write_atomic(dest, ldp_taxi_zone_lookup_csv, strlen(ldp_taxi_zone_lookup_csv));
		if (!rc)
			rc = write_stamp(dest, "built-in");
	}
	free(stamp);
	if (!rc && !(*path = strdup(dest)))
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	return rc;
}
