/*
 * Templating of step specs with the transform layer's Jinja interpreter.
 *
 * Every string of a spec (values, never keys) that holds a {{ }}, {% %} or
 * {# #} is a template; other strings are copied as they are, so a shell
 * script's text is never reflowed. The names follow Airflow's (pipeline.h);
 * dates are rendered in the pipeline's time zone, ts like Airflow's
 * "2023-01-01T00:00:00+00:00". Anything undefined is an error naming the
 * field: a run never starts with a half-rendered command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/buf.h"
#include "ldp/error.h"
#include "pipeline/cron.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_internal.h"
#include "transform/jinja.h"

static int f_env_var(jj_rt *rt, void *ud, const jj_val *self, const jj_args *a, jj_val *out)
{
	(void)ud, (void)self;
	if (a->npos < 1 || a->pos[0].type != JJ_STR)
		return ldp_error_set(LDP_EINVALID, "env_var() takes a variable name: env_var('NAME'[, default])");
	const char *v = getenv(a->pos[0].u.s.p);
	const jj_val *def = jj_arg(a, 1, "default");
	if (v)
		*out = jj_str(rt, v);
	else if (def)
		*out = *def;
	else
		return ldp_error_set(LDP_EINVALID,
				     "environment variable %s is not set and env_var() has no default: set it or pass env_var('%s', 'default')",
				     a->pos[0].u.s.p, a->pos[0].u.s.p);
	return 0;
}

static int set_str(jj_rt *rt, const char *name, const char *v)
{
	return jj_rt_set_global(rt, name, jj_str(rt, v));
}

/* ds-style renderings of t in tz. */
static int put_dates(jj_rt *rt, const char *tz, time_t t, const char *ds_name, const char *nodash_name)
{
	struct tm tm;
	int rc = pl_tz_local(tz, t, &tm);
	char b[32];
	if (!rc && ds_name) {
		snprintf(b, sizeof b, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		rc = set_str(rt, ds_name, b);
	}
	if (!rc && nodash_name) {
		snprintf(b, sizeof b, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		rc = set_str(rt, nodash_name, b);
	}
	return rc;
}

/* The logical date of the run before this one. */
static int prev_logical(const ldp_pipeline *pl, const char *tz, time_t d, time_t *out)
{
	if (!pl->schedule)
		return pl_add_days(tz, d, -1, out);
	ldp_cron *c;
	int rc = ldp_cron_parse(pl->schedule, pl->timezone, &c);
	if (rc)
		return rc;
	rc = ldp_cron_prev(c, d - 1, out);
	ldp_cron_free(c);
	return rc;
}

static int setup(jj_rt *rt, const ldp_pipeline *pl, const ldp_run_context *rc)
{
	const char *tz = rc->timezone ? rc->timezone : pl->timezone;
	char iso[32], b[32];
	struct tm tm;
	time_t prev;
	int r = put_dates(rt, tz, rc->logical_date, "ds", "ds_nodash");
	if (!r)
		r = pl_tz_local(tz, rc->logical_date, &tm);
	if (!r) {
		snprintf(b, sizeof b, "%04d%02d%02dT%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec);
		r = set_str(rt, "ts_nodash", b);
	}
	if (!r && !(r = pl_format_iso(tz, rc->logical_date, iso)) && !(r = set_str(rt, "ts", iso)))
		r = set_str(rt, "logical_date", iso);
	if (!r && !(r = pl_format_iso(tz, rc->interval_start, iso)))
		r = set_str(rt, "data_interval_start", iso);
	if (!r && !(r = pl_format_iso(tz, rc->interval_end, iso)))
		r = set_str(rt, "data_interval_end", iso);
	if (!r)
		r = put_dates(rt, tz, rc->interval_end, "next_ds", NULL);
	if (!r && !(r = prev_logical(pl, tz, rc->logical_date, &prev)))
		r = put_dates(rt, tz, prev, "prev_ds", NULL);
	if (!r)
		r = set_str(rt, "run_id", rc->run_id);
	if (!r)
		r = set_str(rt, "pipeline", pl->name);
	jj_val params;
	if (!r && !(r = jj_from_json(rt, pl->params, &params)))
		r = jj_rt_set_global(rt, "params", params);
	if (!r)
		r = jj_rt_set_global(rt, "env_var", jj_func_new(rt, "env_var", f_env_var, NULL));
	return r;
}

static int is_template(const char *s)
{
	return strstr(s, "{{") || strstr(s, "{%") || strstr(s, "{#");
}

typedef struct walker {
	jj_env *env;
	jj_rt *rt;      /* NULL: parse only */
	ldp_buf name;   /* "ingest.source", "check.not_null[0]": the template's name in messages */
	ldp_buf ptr;    /* the same as a JSON pointer: "/ingest/source" */
} walker;

static int walk(walker *w, const json_t *in, json_t **out)
{
	size_t nmark = w->name.len, pmark = w->ptr.len;
	int rc = LDP_OK;
	if (json_is_string(in)) {
		const char *s = json_string_value(in);
		if (!is_template(s)) {
			if (out)
				*out = json_incref((json_t *)in);
			return LDP_OK;
		}
		jj_template *t;
		rc = jj_parse(w->env, ldp_buf_cstr(&w->name), s, &t);
		if (rc || !w->rt)
			return rc;
		ldp_buf b = LDP_BUF_INIT;
		rc = jj_render(w->rt, t, &b);
		if (!rc && !(rc = ldp_buf_oom(&b)))
			*out = json_string(ldp_buf_cstr(&b));
		ldp_buf_free(&b);
		if (!rc && !*out)
			rc = ldp_error_set(LDP_EINVALID, "%s: the rendered text is not valid UTF-8", ldp_buf_cstr(&w->name));
		return rc;
	}
	if (json_is_array(in)) {
		json_t *arr = w->rt ? json_array() : NULL;
		size_t i;
		json_t *it;
		json_array_foreach(in, i, it)
		{
			json_t *v = NULL;
			ldp_buf_printf(&w->name, "[%zu]", i);
			ldp_buf_printf(&w->ptr, "/%zu", i);
			rc = walk(w, it, w->rt ? &v : NULL);
			if (rc) /* keep name and ptr pointing at the failing value */
				break;
			ldp_buf_truncate(&w->name, nmark);
			ldp_buf_truncate(&w->ptr, pmark);
			if (arr)
				json_array_append_new(arr, v);
		}
		if (rc)
			json_decref(arr);
		else if (out)
			*out = arr;
		return rc;
	}
	if (json_is_object(in)) {
		json_t *obj = w->rt ? json_object() : NULL;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)in, k, v)
		{
			json_t *o = NULL;
			ldp_buf_printf(&w->name, "%s%s", w->name.len ? "." : "", k);
			ldp_buf_printf(&w->ptr, "/%s", k);
			rc = walk(w, v, w->rt ? &o : NULL);
			if (rc)
				break;
			ldp_buf_truncate(&w->name, nmark);
			ldp_buf_truncate(&w->ptr, pmark);
			if (obj)
				json_object_set_new(obj, k, o);
		}
		if (rc)
			json_decref(obj);
		else if (out)
			*out = obj;
		return rc;
	}
	if (out)
		*out = json_incref((json_t *)in);
	return LDP_OK;
}

int pl_spec_parse_templates(ldp_step_kind kind, const json_t *spec, char *where, size_t where_size)
{
	walker w = {NULL, NULL, LDP_BUF_INIT, LDP_BUF_INIT};
	*where = '\0';
	int rc = jj_env_new(&w.env);
	if (rc)
		return rc;
	ldp_buf_puts(&w.name, ldp_step_kind_name(kind));
	ldp_buf_printf(&w.ptr, "/%s", ldp_step_kind_name(kind));
	rc = walk(&w, spec, NULL);
	if (rc)
		snprintf(where, where_size, "%s", ldp_buf_cstr(&w.ptr));
	ldp_buf_free(&w.name);
	ldp_buf_free(&w.ptr);
	jj_env_free(w.env);
	return rc;
}

int pl_spec_render(const ldp_pipeline *pl, const ldp_step *st, const ldp_run_context *rc, json_t **out)
{
	walker w = {NULL, NULL, LDP_BUF_INIT, LDP_BUF_INIT};
	*out = NULL;
	int r = jj_env_new(&w.env);
	if (!r)
		r = jj_rt_new(w.env, &w.rt);
	if (!r)
		r = setup(w.rt, pl, rc);
	if (!r) {
		ldp_buf_puts(&w.name, ldp_step_kind_name(st->kind));
		r = walk(&w, st->spec, out);
	}
	ldp_buf_free(&w.name);
	ldp_buf_free(&w.ptr);
	jj_rt_free(w.rt);
	jj_env_free(w.env);
	if (r)
		return ldp_error_wrap(r, "%s:%d: pipeline '%s', step '%s'", pl->file ? pl->file : "?", st->line, pl->name,
				      st->name);
	return LDP_OK;
}
