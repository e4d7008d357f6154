/*
 * The REST JSON API source: api+https://host/path (or api+http://).
 *
 * Pages are fetched one after the other (GET, headers, query parameters,
 * credentials from the environment), the records found at --records in each
 * answer are appended to one NDJSON temporary file, and that file goes down
 * the ordinary local-file path. docs/ingest-remote.md lists the options.
 *
 * Incremental loads: with --incremental-field F, the largest F seen is
 * committed as snapshot-summary properties of the same snapshot as the data
 * (ldp.ingest.api.field / ldp.ingest.api.high-water), so the table and the
 * mark can never disagree; the next run sends it as --incremental-param and
 * also drops records whose F is not above it, for servers that ignore the
 * parameter.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/remote.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/json.h"
#include "ldp/log.h"
#include "table/table.h"

const char *const ingest_api_option_names[] = {"header", "auth", "param", "records", "paginate", "max-pages",
					       "incremental-field", "incremental-param", "retries", "timeout", NULL};

#define SUMMARY_FIELD "ldp.ingest.api.field"
#define SUMMARY_MARK "ldp.ingest.api.high-water"

typedef enum pager_kind { PAGE_NONE, PAGE_NUMBER, PAGE_OFFSET, PAGE_CURSOR, PAGE_NEXT_LINK } pager_kind;

typedef struct pager {
	pager_kind kind;
	char *param;     /* page / offset / cursor request parameter */
	char *param2;    /* offset: the limit parameter */
	long long start; /* page: first page number */
	long long limit; /* offset: page size */
	char *path;      /* cursor: response field; next-link: body field (NULL: Link header) */
	char *spec;
} pager;

static void pager_clear(pager *p)
{
	free(p->param);
	free(p->param2);
	free(p->path);
	free(p->spec);
	memset(p, 0, sizeof *p);
}

static int parse_ll(const char *s, const char *what, long long *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end)
		return ldp_error_set(LDP_EINVALID, "%s: '%s' is not a whole number", what, s);
	*out = v;
	return 0;
}

static int pager_parse(const char *spec, pager *p)
{
	memset(p, 0, sizeof *p);
	if (!spec)
		return 0;
	p->spec = strdup(spec);
	if (!p->spec)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	char *parts[5] = {0};
	int n = 0;
	char *s = p->spec;
	/* split on ':' keeping empty fields ("next-link:" is the Link header) */
	for (parts[n++] = s; *s && n < 5; s++)
		if (*s == ':') {
			*s = '\0';
			parts[n++] = s + 1;
		}
	const char *k = parts[0];
	int rc = 0;
	if (strcmp(k, "page") == 0 && n <= 3) {
		p->kind = PAGE_NUMBER;
		p->param = strdup(n >= 2 && *parts[1] ? parts[1] : "page");
		p->start = 1;
		if (n == 3)
			rc = parse_ll(parts[2], "--paginate page start", &p->start);
	} else if (strcmp(k, "offset") == 0 && n == 4) {
		p->kind = PAGE_OFFSET;
		p->param = strdup(parts[1]);
		p->param2 = strdup(parts[2]);
		rc = parse_ll(parts[3], "--paginate offset limit", &p->limit);
		if (!rc && p->limit <= 0)
			rc = ldp_error_set(LDP_EINVALID, "--paginate offset: the limit must be positive");
	} else if (strcmp(k, "cursor") == 0 && n == 3 && *parts[1] && *parts[2]) {
		p->kind = PAGE_CURSOR;
		p->path = strdup(parts[1]);
		p->param = strdup(parts[2]);
	} else if ((strcmp(k, "next-link") == 0 || strcmp(k, "link") == 0) && n <= 2) {
		p->kind = PAGE_NEXT_LINK;
		if (n == 2 && *parts[1])
			p->path = strdup(parts[1]);
	} else if (strcmp(k, "none") == 0 && n == 1) {
		p->kind = PAGE_NONE;
	} else {
		rc = ldp_error_set(LDP_EINVALID,
				   "--paginate '%s' is not understood; use page[:PARAM[:START]], "
				   "offset:OFFSET_PARAM:LIMIT_PARAM:LIMIT, cursor:RESPONSE_FIELD:REQUEST_PARAM, "
				   "next-link[:BODY_FIELD] (no field: the Link header) or none",
				   spec);
	}
	return rc;
}

/* Follow a dotted path ("data.items", "meta.next", "results.0") into v. */
static json_t *json_path(json_t *v, const char *path)
{
	if (!path || !*path || strcmp(path, ".") == 0)
		return v;
	const char *p = path;
	while (v && *p) {
		size_t n = strcspn(p, ".");
		char seg[256];
		if (n >= sizeof seg)
			return NULL;
		memcpy(seg, p, n);
		seg[n] = '\0';
		if (json_is_object(v)) {
			v = json_object_get(v, seg);
		} else if (json_is_array(v) && n && strspn(seg, "0123456789") == n) {
			v = json_array_get(v, (size_t)strtoull(seg, NULL, 10));
		} else {
			return NULL;
		}
		p += n;
		if (*p == '.')
			p++;
	}
	return v;
}

/* The records of one answer: --records, else the answer itself when it is an
 * array, else its only array-valued field. */
static int find_records(json_t *body, const char *path, const char *url, json_t **out)
{
	json_t *r = NULL;
	if (path) {
		r = json_path(body, path);
		if (!r || json_is_null(r)) {
			*out = NULL; /* an absent list is an empty page */
			return 0;
		}
		if (!json_is_array(r))
			return ldp_error_set(LDP_EINVALID, "%s: the field '%s' (--records) is not a list of records", url,
					     path);
		*out = r;
		return 0;
	}
	if (json_is_array(body)) {
		*out = body;
		return 0;
	}
	if (json_is_object(body)) {
		const char *k;
		json_t *v;
		int found = 0;
		json_object_foreach(body, k, v) if (json_is_array(v))
		{
			r = v;
			found++;
		}
		if (found == 1) {
			*out = r;
			return 0;
		}
	}
	return ldp_error_set(LDP_EINVALID,
			     "%s: cannot tell where the records are in the answer; name the list with --records "
			     "(a dotted path such as data.items)",
			     url);
}

/* Compare two JSON scalars of the incremental field: numbers numerically,
 * everything else by its text (ISO timestamps order correctly as text). */
static int mark_cmp(const json_t *a, const char *mark_text)
{
	if (json_is_number(a)) {
		double m = strtod(mark_text, NULL);
		double x = json_number_value(a);
		return x < m ? -1 : x > m;
	}
	const char *s = json_string_value(a);
	if (!s)
		return 0;
	return strcmp(s, mark_text);
}

static char *scalar_text(const json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v) || json_is_real(v))
		return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	return NULL;
}

typedef struct api_run {
	const ldp_ingest_options *o;
	ingest_http_auth auth;
	ldp_http_request req;
	const char *records;
	const char *inc_field, *inc_param;
	char *prev_mark; /* from the table's summary */
	char *new_mark;
	FILE *out;
	int64_t nrecords, skipped;
} api_run;

static void add_param(ldp_buf *b, int *first, const char *k, const char *v)
{
	char *ek = ldp_http_url_encode(k), *ev = ldp_http_url_encode(v);
	ldp_buf_printf(b, "%c%s=%s", *first ? '?' : '&', ek ? ek : "", ev ? ev : "");
	*first = 0;
	free(ek);
	free(ev);
}

/* The URL of the first request, or of every request for page/offset/cursor
 * paging (extra_k/extra_v: the paging parameter of this page). */
static int build_url(api_run *r, const char *base, const pager *p, const char *page_k, const char *page_v,
		     const char *lim_v, ldp_buf *out)
{
	ldp_buf_clear(out);
	ldp_buf_puts(out, base);
	int first = strchr(base, '?') == NULL;
	for (size_t i = 0; i < r->o->nopts; i++) {
		if (strcmp(r->o->opts[i].key, "param") != 0)
			continue;
		const char *kv = r->o->opts[i].value, *eq = strchr(kv, '=');
		if (!eq || eq == kv)
			return ldp_error_set(LDP_EINVALID, "--param '%s' must look like name=value", kv);
		char *k = strndup(kv, (size_t)(eq - kv));
		add_param(out, &first, k ? k : "", eq + 1);
		free(k);
	}
	if (r->inc_param && r->prev_mark)
		add_param(out, &first, r->inc_param, r->prev_mark);
	if (page_k && page_v)
		add_param(out, &first, page_k, page_v);
	if (p->kind == PAGE_OFFSET && lim_v)
		add_param(out, &first, p->param2, lim_v);
	if (r->auth.query_name)
		add_param(out, &first, r->auth.query_name, r->auth.query_value);
	return ldp_buf_oom(out);
}

/* Fetch one page; write its records; *count gets how many the page held. */
static int fetch_page(api_run *r, const char *url, json_t **body_out, ldp_http_response *res, size_t *count)
{
	*body_out = NULL;
	*count = 0;
	r->req.url = url;
	char *shown = ldp_http_redact(url, r->req.secrets, r->req.nsecrets);
	LDP_INFO("GET %s", shown ? shown : "");
	int rc = ldp_http_do_ok(&r->req, res, 0);
	json_t *body = NULL, *recs = NULL;
	if (!rc && (rc = ldp_json_loads(res->body ? res->body : "", res->body_len, shown ? shown : "API answer", &body)))
		rc = ldp_error_wrap(rc, "the API answer is not JSON");
	if (!rc)
		rc = find_records(body, r->records, shown ? shown : "", &recs);
	size_t i;
	json_t *rec;
	if (!rc && recs) {
		*count = json_array_size(recs);
		json_array_foreach(recs, i, rec)
		{
			json_t *f = r->inc_field && json_is_object(rec) ? json_object_get(rec, r->inc_field) : NULL;
			if (r->inc_field && f && !json_is_null(f)) {
				if (r->prev_mark && mark_cmp(f, r->prev_mark) <= 0) {
					r->skipped++;
					continue;
				}
				if (!r->new_mark || mark_cmp(f, r->new_mark) > 0) {
					free(r->new_mark);
					r->new_mark = scalar_text(f);
				}
			}
			json_t *wrapped = json_is_object(rec) ? json_incref(rec) : json_pack("{sO}", "value", rec);
			char *line = json_dumps(wrapped, JSON_COMPACT | JSON_ENCODE_ANY);
			json_decref(wrapped);
			if (!line || fputs(line, r->out) < 0 || fputc('\n', r->out) < 0) {
				free(line);
				rc = ldp_error_set(LDP_EIO, "writing the staged API records failed (disk full?)");
				break;
			}
			free(line);
			r->nrecords++;
		}
	}
	free(shown);
	if (rc)
		json_decref(body);
	else
		*body_out = body;
	return rc;
}

/* Strip "api+" from the source. */
static const char *api_base(const char *uri)
{
	return strncmp(uri, "api+", 4) == 0 ? uri + 4 : uri;
}

static int run_pages(api_run *r, const char *base, const pager *p, long long max_pages)
{
	ldp_buf url = LDP_BUF_INIT;
	char *next = NULL;   /* next-link / cursor value */
	long long page = p->start, offset = 0;
	int rc = 0;
	for (long long n = 0; !rc; n++) {
		if (max_pages > 0 && n >= max_pages) {
			LDP_INFO("stopping after --max-pages %lld", max_pages);
			break;
		}
		char num[32], lim[32];
		snprintf(lim, sizeof lim, "%lld", p->limit);
		if (p->kind == PAGE_NUMBER) {
			snprintf(num, sizeof num, "%lld", page);
			rc = build_url(r, base, p, p->param, num, NULL, &url);
		} else if (p->kind == PAGE_OFFSET) {
			snprintf(num, sizeof num, "%lld", offset);
			rc = build_url(r, base, p, p->param, num, lim, &url);
		} else if (p->kind == PAGE_CURSOR) {
			rc = build_url(r, base, p, p->param, next, NULL, &url);
		} else if (p->kind == PAGE_NEXT_LINK && next) {
			ldp_buf_clear(&url);
			ldp_buf_puts(&url, next);
			if (r->auth.query_name && !strstr(next, r->auth.query_name)) {
				int first = strchr(next, '?') == NULL;
				add_param(&url, &first, r->auth.query_name, r->auth.query_value);
			}
		} else {
			rc = build_url(r, base, p, NULL, NULL, NULL, &url);
		}
		if (rc)
			break;
		ldp_http_response res;
		json_t *body = NULL;
		size_t count = 0;
		rc = fetch_page(r, url.ptr, &body, &res, &count);
		if (rc) {
			ldp_http_response_clear(&res);
			rc = ldp_error_wrap(rc, "page %lld", n + 1);
			break;
		}
		if (r->o->progress)
			r->o->progress(r->o->progress_ctx, "fetching API pages", n + 1, -1);
		int more = 0;
		if (p->kind == PAGE_NUMBER) {
			page++;
			more = count > 0;
		} else if (p->kind == PAGE_OFFSET) {
			offset += (long long)count;
			more = (long long)count >= p->limit;
		} else if (p->kind == PAGE_CURSOR) {
			char *c = scalar_text(json_path(body, p->path));
			more = c && *c && count > 0 && !(next && strcmp(c, next) == 0);
			free(next);
			next = c;
		} else if (p->kind == PAGE_NEXT_LINK) {
			char *target = NULL;
			if (p->path) {
				const char *link = json_string_value(json_path(body, p->path));
				if (link && *link)
					target = strdup(link);
			} else {
				const char *h = ldp_http_response_header(&res, "Link");
				if (h)
					target = ldp_http_link_next(h);
			}
			char *resolved = target ? ldp_http_url_resolve(url.ptr, target) : NULL;
			free(target);
			/* a server that links a page to itself would loop for ever */
			more = resolved && strcmp(resolved, url.ptr) != 0;
			free(next);
			next = resolved;
		}
		json_decref(body);
		ldp_http_response_clear(&res);
		if (!more)
			break;
	}
	free(next);
	ldp_buf_free(&url);
	return rc;
}

int ldp_ingest_fetch_api(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out)
{
	api_run r;
	memset(&r, 0, sizeof r);
	r.o = o;
	pager p;
	char *path = NULL;
	int rc = ingest_http_auth_init(o, &r.auth);
	if (rc)
		return rc;
	if ((rc = pager_parse(ldp_ingest_opt(o, "paginate"), &p)))
		goto done;
	long long max_pages = 0;
	const char *mp = ldp_ingest_opt(o, "max-pages");
	if (mp && ((rc = parse_ll(mp, "--max-pages", &max_pages)) || max_pages <= 0)) {
		if (!rc)
			rc = ldp_error_set(LDP_EINVALID, "--max-pages must be positive");
		goto done;
	}
	if ((rc = ingest_http_retry_options(o, &r.req)))
		goto done;
	ingest_http_auth_apply(&r.auth, &r.req);
	r.records = ldp_ingest_opt(o, "records");
	r.inc_field = ldp_ingest_opt(o, "incremental-field");
	r.inc_param = ldp_ingest_opt(o, "incremental-param");
	if (r.inc_param && !r.inc_field) {
		rc = ldp_error_set(LDP_EINVALID, "--incremental-param needs --incremental-field (the record field to track)");
		goto done;
	}
	if (r.inc_field && o->wh && o->target) {
		char *field = NULL;
		rc = ldp_table_summary_property(o->wh, o->target, SUMMARY_FIELD, &field);
		if (rc == LDP_ENOTFOUND) {
			ldp_error_clear(); /* a new table: a full load */
			rc = 0;
		} else if (!rc && field && strcmp(field, r.inc_field) == 0) {
			rc = ldp_table_summary_property(o->wh, o->target, SUMMARY_MARK, &r.prev_mark);
		} else if (!rc && field) {
			LDP_WARN("%s.%s tracked --incremental-field %s, now %s: loading everything", o->target->ns,
				 o->target->name, field, r.inc_field);
		}
		free(field);
		if (rc)
			goto done;
		if (r.prev_mark)
			LDP_INFO("incremental load: %s > %s", r.inc_field, r.prev_mark);
	}
	if ((rc = ingest_temp_file("api", ".ndjson", &path)))
		goto done;
	r.out = fopen(path, "w");
	if (!r.out) {
		rc = ldp_error_set(LDP_EIO, "cannot write %s", path);
		goto done;
	}
	rc = run_pages(&r, api_base(uri), &p, max_pages);
	if (fclose(r.out) != 0 && !rc)
		rc = ldp_error_set(LDP_EIO, "writing %s failed (disk full?)", path);
	r.out = NULL;
	if (rc)
		goto done;
	LDP_INFO("%lld records staged (%lld at or below the high-water mark skipped)", (long long)r.nrecords,
		 (long long)r.skipped);
	out->temporary = 1;
	if (r.nrecords == 0 && !r.inc_field) {
		rc = ldp_error_set(LDP_ENOTFOUND, "the API answered no records (check the URL, --records and --param)");
		goto done;
	}
	/* nothing new for an incremental load: no file, only the (unchanged)
	 * mark, which tells ldp_ingest to commit nothing */
	if (r.nrecords > 0 && (rc = ldp_ingest_files_add(out, path)))
		goto done;
	if (!(out->format = strdup("ndjson"))) {
		rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		goto done;
	}
	if (r.inc_field) {
		const char *mark = r.new_mark ? r.new_mark : r.prev_mark;
		if (!(rc = ldp_ingest_files_set_summary(out, SUMMARY_FIELD, r.inc_field)) && mark)
			rc = ldp_ingest_files_set_summary(out, SUMMARY_MARK, mark);
	}
done:
	if (path && out->n == 0)
		remove(path);
	if (r.out)
		fclose(r.out);
	free(path);
	free(r.prev_mark);
	free(r.new_mark);
	pager_clear(&p);
	ingest_http_auth_clear(&r.auth);
	return rc;
}
