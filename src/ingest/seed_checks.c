/* Quality checks of the seed configs (metadata.quality), run on the batch
 * before anything is committed, and copies between two catalogs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ingest/seed_internal.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "table/table.h"

static int count_of(ldp_engine *e, const ldp_buf *q, int64_t *n)
{
	char *txt = NULL;
	int rc = ldp_buf_oom(q) ? LDP_ENOMEM : ldp_engine_query_text(e, ldp_buf_cstr(q), &txt);
	*n = !rc && txt ? strtoll(txt, NULL, 10) : 0;
	free(txt);
	return rc;
}

static const char *str_of(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* One check: *bad receives a description when it fails (malloc'd), NULL when
 * it passes; *skipped when ldp does not implement it. */
static int one_check(ldp_engine *e, const char *sql, const json_t *c, char **bad, int *skipped)
{
	*bad = NULL;
	*skipped = 0;
	const char *kind = str_of(c, "check");
	ldp_buf q = LDP_BUF_INIT, msg = LDP_BUF_INIT;
	int rc = LDP_OK;
	int64_t n = 0;
	if (!kind) {
		rc = ldp_error_set(LDP_EINVALID, "a quality check without \"check\"");
	} else if (!strcmp(kind, "row_count")) {
		ldp_buf_printf(&q, "SELECT count(*) FROM (%s)", sql);
		rc = count_of(e, &q, &n);
		json_t *mn = json_object_get(c, "min"), *mx = json_object_get(c, "max");
		if (!rc && json_is_number(mn) && n < (int64_t)json_number_value(mn))
			ldp_buf_printf(&msg, "row_count: %lld rows, fewer than min %lld", (long long)n, (long long)json_number_value(mn));
		else if (!rc && json_is_number(mx) && n > (int64_t)json_number_value(mx))
			ldp_buf_printf(&msg, "row_count: %lld rows, more than max %lld", (long long)n, (long long)json_number_value(mx));
	} else if (!strcmp(kind, "not_null")) {
		json_t *cols = json_object_get(c, "columns");
		if (!cols && str_of(c, "column"))
			cols = json_pack("[s]", str_of(c, "column"));
		else
			json_incref(cols);
		size_t i;
		json_t *col;
		json_array_foreach(cols, i, col)
		{
			if (rc || !json_is_string(col))
				break;
			ldp_buf_clear(&q);
			ldp_buf_puts(&q, "SELECT count(*) FROM (");
			ldp_buf_puts(&q, sql);
			ldp_buf_puts(&q, ") WHERE ");
			ldp_buf_put_sql_ident(&q, json_string_value(col));
			ldp_buf_puts(&q, " IS NULL");
			rc = count_of(e, &q, &n);
			if (!rc && n)
				ldp_buf_printf(&msg, "%snot_null: column %s has %lld NULL%s", msg.len ? "; " : "",
					       json_string_value(col), (long long)n, n == 1 ? "" : "s");
		}
		json_decref(cols);
	} else if (!strcmp(kind, "range") && str_of(c, "column")) {
		json_t *mn = json_object_get(c, "min"), *mx = json_object_get(c, "max");
		ldp_buf col = LDP_BUF_INIT;
		ldp_buf_put_sql_ident(&col, str_of(c, "column"));
		ldp_buf_printf(&q, "SELECT count(*) FROM (%s) WHERE false", sql);
		if (json_is_number(mn))
			ldp_buf_printf(&q, " OR %s < %.17g", ldp_buf_cstr(&col), json_number_value(mn));
		if (json_is_number(mx))
			ldp_buf_printf(&q, " OR %s > %.17g", ldp_buf_cstr(&col), json_number_value(mx));
		rc = count_of(e, &q, &n);
		if (!rc && n)
			ldp_buf_printf(&msg, "range: %lld value%s of %s outside [%s, %s]", (long long)n, n == 1 ? "" : "s",
				       str_of(c, "column"), json_is_number(mn) ? "min" : "-inf", json_is_number(mx) ? "max" : "inf");
		ldp_buf_free(&col);
	} else if (!strcmp(kind, "unique") && json_is_array(json_object_get(c, "columns"))) {
		ldp_buf cols = LDP_BUF_INIT;
		size_t i;
		json_t *col;
		json_array_foreach(json_object_get(c, "columns"), i, col)
		{
			if (i)
				ldp_buf_puts(&cols, ", ");
			ldp_buf_put_sql_ident(&cols, json_string_value(col) ? json_string_value(col) : "");
		}
		ldp_buf_printf(&q, "SELECT count(*) FROM (SELECT %s FROM (%s) GROUP BY ALL HAVING count(*) > 1)",
			       ldp_buf_cstr(&cols), sql);
		rc = count_of(e, &q, &n);
		if (!rc && n)
			ldp_buf_printf(&msg, "unique: %lld duplicated value%s of (%s)", (long long)n, n == 1 ? "" : "s",
				       ldp_buf_cstr(&cols));
		ldp_buf_free(&cols);
	} else {
		*skipped = 1;
	}
	if (!rc && msg.len)
		*bad = strdup(ldp_buf_cstr(&msg));
	ldp_buf_free(&q);
	ldp_buf_free(&msg);
	return rc;
}

int seed_run_checks(void *ctx, ldp_engine *e, const char *select_sql)
{
	seed_checks *sc = ctx;
	const char *on_failure = str_of(sc->quality, "on_failure");
	int warn = on_failure && !strcasecmp(on_failure, "warn");
	json_t *checks = json_object_get(sc->quality, "checks");
	size_t i;
	json_t *c;
	int rc = LDP_OK;
	json_array_foreach(checks, i, c)
	{
		char *bad = NULL;
		int skipped = 0;
		rc = one_check(e, select_sql, c, &bad, &skipped);
		if (rc) {
			rc = ldp_error_wrap(rc, "%s: quality check %zu", sc->config, i + 1);
			break;
		}
		char line[1024];
		if (skipped) {
			snprintf(line, sizeof line, "quality check '%s' is not implemented by ldp; skipped",
				 str_of(c, "check") ? str_of(c, "check") : "?");
			rc = seed_warn(sc->res, line);
		} else if (bad && warn) {
			snprintf(line, sizeof line, "quality check failed: %s", bad);
			rc = seed_warn(sc->res, line);
		} else if (bad) {
			rc = ldp_error_set(LDP_EINVALID, "%s: quality check failed: %s; nothing was written (on_failure is \"fail\")",
					   sc->config, bad);
		}
		free(bad);
		if (rc)
			break;
	}
	return rc;
}

int seed_copy_between(ldp_warehouse *src_wh, const ldp_ident *src, ldp_warehouse *dst_wh, const ldp_ident *dst,
		      const ldp_ingest_options *o, ldp_ingest_result *res)
{
	char tmp[] = "/tmp/ldp-copy-XXXXXX";
	int fd = mkstemp(tmp);
	if (fd < 0)
		return ldp_error_set(LDP_EIO, "cannot create a staging file in /tmp");
	close(fd);
	char pq[sizeof tmp + 16];
	snprintf(pq, sizeof pq, "%s.parquet", tmp);
	unlink(tmp);
	ldp_buf sql = LDP_BUF_INIT, q = LDP_BUF_INIT;
	ldp_buf_puts(&sql, "SELECT * FROM ");
	ldp_buf_put_sql_ident(&sql, src->ns);
	ldp_buf_putc(&sql, '.');
	ldp_buf_put_sql_ident(&sql, src->name);
	ldp_engine *e;
	int rc = ldp_warehouse_engine(src_wh, &e);
	if (!rc)
		rc = ldp_warehouse_bind_sql(src_wh, ldp_buf_cstr(&sql));
	if (!rc) {
		ldp_buf_printf(&q, "COPY (%s) TO ", ldp_buf_cstr(&sql));
		ldp_buf_put_sql_string(&q, pq);
		ldp_buf_puts(&q, " (FORMAT parquet)");
		rc = ldp_buf_oom(&q) ? LDP_ENOMEM : ldp_engine_exec(e, ldp_buf_cstr(&q));
	}
	if (!rc) {
		ldp_ingest_options oo = *o;
		oo.format = "parquet";
		rc = ldp_ingest(dst_wh, pq, dst, &oo, res);
	}
	ldp_io_remove(pq);
	ldp_buf_free(&sql);
	ldp_buf_free(&q);
	return rc;
}
