/*
 * Loading and validating pipelines: ldp.yml's `pipelines:` mapping and
 * pipelines/<name>.yml (one pipeline a file). See pipeline.h and docs/pipelines.md.
 *
 * Every error names the file and line (from the YAML side table of
 * ldp_yaml_load_file_lines()), the pipeline and the step, and says what to
 * write instead; the first error stops the load, so nothing runs on a
 * half-valid configuration.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/yaml.h"
#include "pipeline/cron.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_internal.h"

/* Run ids embed the pipeline name and must fit ldp_run_context.run_id. */
#define MAX_PIPELINE_NAME 30
#define MAX_STEP_NAME 64

static const char *const pipeline_keys[] = {"name",	"description", "schedule", "timezone", "start_date", "catchup",
					    "max_active_steps", "defaults", "notify", "params", "steps"};
static const char *const step_keys[] = {"name",	    "depends_on", "retries", "retry_delay", "retry_backoff",
					"max_retry_delay", "timeout", "on_failure", "ingest", "transform",
					"sql",	    "check",	  "export",  "shell",	    "notify",
					"run"};
#define NKINDS 8
#define FIRST_KIND 8 /* step_keys[FIRST_KIND + k] is kind k's key */
static const char *const defaults_keys[] = {"retries", "retry_delay", "retry_backoff", "max_retry_delay", "timeout",
					    "on_failure"};
#define N(a) (sizeof a / sizeof a[0])

/* Where we are: the file, its line table and the JSON pointer of the
 * pipeline's mapping in it ("" for a pipelines/ file). */
typedef struct src {
	const char *file;
	const json_t *lines;
	char base[160];
	const char *pipeline;
	const char *step;
} src;

static int line_of(const src *s, const char *rel)
{
	char ptr[512];
	snprintf(ptr, sizeof ptr, "%s%s", s->base, rel ? rel : "");
	/* a missing key has no line: fall back to its closest parent */
	for (;;) {
		int line = ldp_yaml_line(s->lines, ptr);
		char *slash = strrchr(ptr, '/');
		if (line || !slash)
			return line;
		*slash = '\0';
	}
}

/* Add "FILE:LINE: pipeline 'p', step 's'" in front of the recorded error. */
static int wrap_at(const src *s, const char *rel, int rc)
{
	int line = line_of(s, rel);
	char where[64] = "";
	if (line)
		snprintf(where, sizeof where, ":%d", line);
	if (s->pipeline && s->step)
		return ldp_error_wrap(rc, "%s%s: pipeline '%s', step '%s'", s->file, where, s->pipeline, s->step);
	if (s->pipeline)
		return ldp_error_wrap(rc, "%s%s: pipeline '%s'", s->file, where, s->pipeline);
	return ldp_error_wrap(rc, "%s%s", s->file, where);
}

static int err_at(const src *s, const char *rel, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int err_at(const src *s, const char *rel, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ldp_error_setv(LDP_EINVALID, fmt, ap);
	va_end(ap);
	return wrap_at(s, rel, rc);
}

const char *pl_did_you_mean(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, lw = strlen(word);
	if (lw >= 32)
		return NULL;
	for (size_t k = 0; k < n; k++) {
		/* edit distance with adjacent transpositions ("ingets" is one edit from "ingest") */
		const char *t = names[k];
		size_t ln = strlen(t), d[33][33];
		if (ln >= 32)
			continue;
		for (size_t i = 0; i <= lw; i++)
			d[i][0] = i;
		for (size_t j = 0; j <= ln; j++)
			d[0][j] = j;
		for (size_t i = 1; i <= lw; i++)
			for (size_t j = 1; j <= ln; j++) {
				size_t v = d[i - 1][j - 1] + (word[i - 1] != t[j - 1]);
				if (d[i - 1][j] + 1 < v)
					v = d[i - 1][j] + 1;
				if (d[i][j - 1] + 1 < v)
					v = d[i][j - 1] + 1;
				if (i > 1 && j > 1 && word[i - 1] == t[j - 2] && word[i - 2] == t[j - 1] && d[i - 2][j - 2] + 1 < v)
					v = d[i - 2][j - 2] + 1;
				d[i][j] = v;
			}
		if (d[lw][ln] < best_d)
			best_d = d[lw][ln], best = t;
	}
	/* plausible typo: at most a third of the word changed (and never all of it) */
	return best && best_d <= (lw + 2) / 3 && best_d < lw ? best : NULL;
}

int pl_in_list(const char *const *keys, size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i], k))
			return 1;
	return 0;
}

int pl_keys_check(const json_t *obj, const char *const *keys, size_t n, const char *what, const char **bad)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v)
	{
		if (pl_in_list(keys, n, k))
			continue;
		const char *dym = pl_did_you_mean(k, keys, n);
		ldp_buf b = LDP_BUF_INIT;
		for (size_t i = 0; i < n; i++)
			ldp_buf_printf(&b, "%s%s", i ? ", " : "", keys[i]);
		*bad = k;
		int rc = ldp_error_set(LDP_EINVALID, "unknown key '%s' in %s%s%s%s; known keys: %s", k, what,
				       dym ? " (did you mean '" : "", dym ? dym : "", dym ? "'?)" : "", ldp_buf_cstr(&b));
		ldp_buf_free(&b);
		return rc;
	}
	return LDP_OK;
}

static int unknown_keys(const src *s, const char *rel, const json_t *obj, const char *what, const char *const *keys,
			size_t n)
{
	const char *bad;
	int rc = pl_keys_check(obj, keys, n, what, &bad);
	if (!rc)
		return LDP_OK;
	char rel2[256];
	snprintf(rel2, sizeof rel2, "%s/%s", rel, bad);
	return wrap_at(s, rel2, rc);
}

static int valid_name(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (!n || n > max)
		return 0;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '-'))
			return 0;
	return 1;
}

int ldp_duration_parse(const char *text, double *seconds)
{
	const char *p = text;
	double total = 0;
	int parts = 0;
	while (*p) {
		char *end;
		if (!(*p >= '0' && *p <= '9') && *p != '.')
			break;
		double v = strtod(p, &end);
		if (end == p)
			break;
		p = end;
		double unit;
		switch (*p) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 604800; break;
		case '\0': unit = parts ? -1 : 1; break; /* a bare number is seconds, "1h30" is not */
		default: unit = -1;
		}
		if (unit < 0) {
			parts = 0;
			break;
		}
		if (*p)
			p++;
		total += v * unit;
		parts++;
	}
	if (*p || !parts)
		return ldp_error_set(LDP_EINVALID,
				     "bad duration '%s': write a number with a unit, like 30s, 10m, 2h, 1d or 1h30m (a bare number is seconds)",
				     text);
	*seconds = total;
	return LDP_OK;
}

static int duration_field(const src *s, const json_t *obj, const char *key, const char *rel, double *out)
{
	json_t *v = json_object_get(obj, key);
	char r[256];
	snprintf(r, sizeof r, "%s/%s", rel, key);
	if (!v)
		return LDP_OK;
	if (json_is_null(v) || json_is_false(v)) { /* timeout: none */
		*out = 0;
		return LDP_OK;
	}
	if (json_is_number(v)) {
		if (json_number_value(v) < 0)
			return err_at(s, r, "%s: a duration cannot be negative", key);
		*out = json_number_value(v);
		return LDP_OK;
	}
	if (!json_is_string(v))
		return err_at(s, r, "%s must be a duration such as 30s, 10m or 1h30m", key);
	int rc = ldp_duration_parse(json_string_value(v), out);
	return rc ? wrap_at(s, r, ldp_error_wrap(rc, "%s", key)) : LDP_OK;
}

/* retries, retry_delay, ... of a step or of `defaults:` into st. */
static int step_options(const src *s, const json_t *obj, const char *rel, ldp_step *st)
{
	char r[256];
	json_t *v;
	int rc;
	if ((v = json_object_get(obj, "retries"))) {
		snprintf(r, sizeof r, "%s/retries", rel);
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000)
			return err_at(s, r, "retries must be a whole number >= 0 (extra attempts after the first)");
		st->retries = (int)json_integer_value(v);
	}
	if ((rc = duration_field(s, obj, "retry_delay", rel, &st->retry_delay_s)) ||
	    (rc = duration_field(s, obj, "max_retry_delay", rel, &st->max_retry_delay_s)) ||
	    (rc = duration_field(s, obj, "timeout", rel, &st->timeout_s)))
		return rc;
	if ((v = json_object_get(obj, "retry_backoff"))) {
		snprintf(r, sizeof r, "%s/retry_backoff", rel);
		if (!json_is_number(v) || json_number_value(v) < 1 || json_number_value(v) > 100)
			return err_at(s, r, "retry_backoff must be a number from 1 to 100 (the delay's multiplier per retry)");
		st->retry_backoff = json_number_value(v);
	}
	if ((v = json_object_get(obj, "on_failure"))) {
		snprintf(r, sizeof r, "%s/on_failure", rel);
		const char *t = json_string_value(v);
		if (t && !strcmp(t, "stop"))
			st->on_failure = LDP_ON_FAILURE_STOP;
		else if (t && !strcmp(t, "continue"))
			st->on_failure = LDP_ON_FAILURE_CONTINUE;
		else
			return err_at(s, r, "on_failure must be stop or continue");
	}
	return LDP_OK;
}

static int parse_step(const src *s, const json_t *sj, size_t idx, const ldp_step *defaults, ldp_step *st)
{
	char rel[64];
	snprintf(rel, sizeof rel, "/steps/%zu", idx);
	*st = *defaults;
	st->name = NULL, st->spec = NULL, st->depends_on = NULL, st->ndepends = 0, st->deps = NULL;
	st->line = line_of(s, rel);
	if (!json_is_object(sj))
		return err_at(s, rel, "step %zu must be a mapping with a name and a kind (ingest: ..., sql: ...)", idx + 1);
	json_t *nm = json_object_get(sj, "name");
	if (nm && !json_is_string(nm))
		return err_at(s, rel, "step %zu: name must be a string; quote it (YAML reads no, yes, on, off, 1 as other types)",
			      idx + 1);
	if (!nm)
		return err_at(s, rel, "step %zu needs a name: (letters, digits, _ and -)", idx + 1);
	if (!valid_name(json_string_value(nm), MAX_STEP_NAME))
		return err_at(s, rel, "step name '%s' must be 1-%d letters, digits, _ or -", json_string_value(nm),
			      MAX_STEP_NAME);
	if (!(st->name = strdup(json_string_value(nm))))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	src ss = *s;
	ss.step = st->name;
	int rc = unknown_keys(&ss, rel, sj, "a step", step_keys, N(step_keys));
	if (rc)
		return rc;
	int kind = -1;
	for (int k = 0; k < NKINDS; k++) {
		if (!json_object_get(sj, step_keys[FIRST_KIND + k]))
			continue;
		if (kind >= 0)
			return err_at(&ss, rel, "a step has exactly one kind, this one has both %s and %s: split it in two steps",
				      step_keys[FIRST_KIND + kind], step_keys[FIRST_KIND + k]);
		kind = k;
	}
	if (kind < 0)
		return err_at(&ss, rel, "the step has no kind: add one of ingest, transform, sql, check, export, shell, notify, run");
	st->kind = (ldp_step_kind)kind;
	st->spec = json_incref(json_object_get(sj, step_keys[FIRST_KIND + kind]));
	char where[256], r2[320];
	if ((rc = pl_spec_check(st->kind, st->spec, where, sizeof where)) ||
	    (rc = pl_spec_parse_templates(st->kind, st->spec, where, sizeof where))) {
		snprintf(r2, sizeof r2, "%s%s", rel, where);
		return wrap_at(&ss, r2, rc);
	}
	if ((rc = step_options(&ss, sj, rel, st)))
		return rc;
	json_t *d = json_object_get(sj, "depends_on");
	snprintf(r2, sizeof r2, "%s/depends_on", rel);
	if (d && json_is_string(d)) {
		st->ndepends = 1;
	} else if (d && !json_is_null(d)) {
		size_t i;
		json_t *it;
		if (!json_is_array(d))
			return err_at(&ss, r2, "depends_on must be a step name or a list of step names");
		json_array_foreach(d, i, it) if (!json_is_string(it)) return err_at(&ss, r2, "depends_on must list step names");
		st->ndepends = json_array_size(d);
	}
	if (st->ndepends) {
		st->depends_on = calloc(st->ndepends, sizeof *st->depends_on);
		st->deps = calloc(st->ndepends, sizeof *st->deps);
		if (!st->depends_on || !st->deps)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		for (size_t i = 0; i < st->ndepends; i++)
			if (!(st->depends_on[i] = strdup(json_string_value(json_is_string(d) ? d : json_array_get(d, i)))))
				return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	return LDP_OK;
}

/* Resolve depends_on names to indexes; then look for a cycle. */
static int resolve_deps(const src *s, ldp_pipeline *pl)
{
	const char **names = calloc(pl->nsteps + 1, sizeof *names);
	if (!names)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; i < pl->nsteps; i++)
		names[i] = pl->steps[i].name;
	int rc = LDP_OK;
	for (size_t i = 0; i < pl->nsteps && !rc; i++) {
		ldp_step *st = &pl->steps[i];
		src ss = *s;
		ss.step = st->name;
		char rel[96];
		snprintf(rel, sizeof rel, "/steps/%zu/depends_on", i);
		for (size_t j = 0; j < st->ndepends && !rc; j++) {
			size_t k = 0;
			while (k < pl->nsteps && strcmp(names[k], st->depends_on[j]))
				k++;
			if (k == pl->nsteps) {
				const char *dym = pl_did_you_mean(st->depends_on[j], names, pl->nsteps);
				rc = err_at(&ss, rel, "depends_on names '%s', which is not a step of this pipeline%s%s%s",
					    st->depends_on[j], dym ? " (did you mean '" : "", dym ? dym : "", dym ? "'?)" : "");
				break;
			}
			for (size_t m = 0; m < j && !rc; m++)
				if (st->deps[m] == k)
					rc = err_at(&ss, rel, "depends_on lists '%s' twice", st->depends_on[j]);
			st->deps[j] = k;
		}
	}
	free(names);
	return rc;
}

/* Depth-first search; `path` holds the steps on the current branch. */
static int find_cycle(const ldp_pipeline *pl, size_t i, unsigned char *color, size_t *path, size_t depth,
		      size_t *start_out, size_t *len_out)
{
	color[i] = 1;
	path[depth] = i;
	for (size_t j = 0; j < pl->steps[i].ndepends; j++) {
		size_t d = pl->steps[i].deps[j];
		if (color[d] == 1) {
			size_t k = 0;
			while (path[k] != d)
				k++;
			*start_out = k;
			*len_out = depth + 1 - k;
			return 1;
		}
		if (color[d] == 0 && find_cycle(pl, d, color, path, depth + 1, start_out, len_out))
			return 1;
	}
	color[i] = 2;
	return 0;
}

static int check_cycles(const src *s, const ldp_pipeline *pl)
{
	unsigned char *color = calloc(pl->nsteps, 1);
	size_t *path = calloc(pl->nsteps, sizeof *path);
	if (!color || !path) {
		free(color);
		free(path);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	int rc = LDP_OK;
	for (size_t i = 0; i < pl->nsteps && !rc; i++) {
		size_t start, len;
		if (color[i] || !find_cycle(pl, i, color, path, 0, &start, &len))
			continue;
		ldp_buf b = LDP_BUF_INIT;
		for (size_t k = 0; k < len; k++)
			ldp_buf_printf(&b, "%s -> ", pl->steps[path[start + k]].name);
		ldp_buf_puts(&b, pl->steps[path[start]].name);
		src ss = *s;
		ss.step = pl->steps[path[start]].name;
		char rel[96];
		snprintf(rel, sizeof rel, "/steps/%zu/depends_on", path[start]);
		rc = err_at(&ss, rel, "depends_on forms a cycle: %s (each step depends on the next); remove one of these dependencies",
			    ldp_buf_cstr(&b));
		ldp_buf_free(&b);
	}
	free(color);
	free(path);
	return rc;
}

static int notify_target(const src *s, const json_t *notify, const char *key, ldp_notify_target *t)
{
	json_t *v = json_object_get(notify, key);
	char rel[64];
	snprintf(rel, sizeof rel, "/notify/%s", key);
	if (!v || json_is_null(v))
		return LDP_OK;
	static const char *const keys[] = {"webhook_env"};
	int rc = json_is_object(v) ? unknown_keys(s, rel, v, "a notification", keys, 1) : LDP_OK;
	if (rc)
		return rc;
	const char *env = json_string_value(json_object_get(v, "webhook_env"));
	int ok = env && *env && !(*env >= '0' && *env <= '9');
	for (const char *c = env; ok && *c; c++)
		ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
	if (!ok)
		return err_at(s, rel, "notify.%s needs {webhook_env: VAR}, the name of the environment variable holding the webhook URL",
			      key);
	t->webhook_env = strdup(env);
	return t->webhook_env ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}

static int string_field(const src *s, const json_t *obj, const char *key, char **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return LDP_OK;
	char rel[64];
	snprintf(rel, sizeof rel, "/%s", key);
	if (!json_is_string(v))
		return err_at(s, rel, "%s must be a string", key);
	*out = strdup(json_string_value(v));
	return *out ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}

static void pipeline_free(ldp_pipeline *pl)
{
	free(pl->name);
	free(pl->description);
	free(pl->file);
	free(pl->schedule);
	free(pl->timezone);
	json_decref(pl->params);
	free(pl->on_failure.webhook_env);
	free(pl->on_success.webhook_env);
	for (size_t i = 0; i < pl->nsteps; i++) {
		ldp_step *st = &pl->steps[i];
		free(st->name);
		json_decref(st->spec);
		for (size_t j = 0; j < st->ndepends; j++)
			free(st->depends_on[j]);
		free(st->depends_on);
		free(st->deps);
	}
	free(pl->steps);
	memset(pl, 0, sizeof *pl);
}

/* One pipeline from its mapping. pl->name and pl->file are set by the caller. */
static int parse_pipeline(src *s, const json_t *pj, ldp_pipeline *pl)
{
	s->pipeline = pl->name;
	if (!json_is_object(pj))
		return err_at(s, "", "a pipeline must be a mapping with steps: [...]");
	int rc = unknown_keys(s, "", pj, "a pipeline", pipeline_keys, N(pipeline_keys));
	if (!rc)
		rc = string_field(s, pj, "description", &pl->description);
	if (!rc)
		rc = string_field(s, pj, "schedule", &pl->schedule);
	if (!rc)
		rc = string_field(s, pj, "timezone", &pl->timezone);
	if (rc)
		return rc;
	if (!pl->timezone && !(pl->timezone = strdup("UTC")))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	if ((rc = pl_tz_check(pl->timezone)))
		return wrap_at(s, "/timezone", ldp_error_wrap(rc, "timezone"));
	if (pl->schedule) {
		ldp_cron *c = NULL;
		if ((rc = ldp_cron_parse(pl->schedule, pl->timezone, &c)))
			return wrap_at(s, "/schedule", ldp_error_wrap(rc, "schedule"));
		ldp_cron_free(c);
	}
	json_t *v = json_object_get(pj, "start_date");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v))
			return err_at(s, "/start_date", "start_date must be a date, YYYY-MM-DD");
		if ((rc = ldp_pipeline_date_parse(json_string_value(v), pl->timezone, &pl->start_date)))
			return wrap_at(s, "/start_date", ldp_error_wrap(rc, "start_date"));
	}
	if ((v = json_object_get(pj, "catchup")) && !json_is_null(v)) {
		if (!json_is_boolean(v))
			return err_at(s, "/catchup", "catchup must be true or false");
		pl->catchup = json_is_true(v);
	}
	pl->max_active_steps = 1;
	if ((v = json_object_get(pj, "max_active_steps"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1024)
			return err_at(s, "/max_active_steps", "max_active_steps must be a whole number from 1 to 1024");
		pl->max_active_steps = (int)json_integer_value(v);
	}
	v = json_object_get(pj, "params");
	if (v && !json_is_null(v) && !json_is_object(v))
		return err_at(s, "/params", "params must be a mapping of names to values");
	pl->params = v && json_is_object(v) ? json_deep_copy(v) : json_object();
	if ((v = json_object_get(pj, "notify")) && !json_is_null(v)) {
		static const char *const nk[] = {"on_failure", "on_success"};
		if (!json_is_object(v))
			return err_at(s, "/notify", "notify must be a mapping: {on_failure: {webhook_env: VAR}, on_success: ...}");
		if ((rc = unknown_keys(s, "/notify", v, "notify", nk, 2)) ||
		    (rc = notify_target(s, v, "on_failure", &pl->on_failure)) ||
		    (rc = notify_target(s, v, "on_success", &pl->on_success)))
			return rc;
	}
	ldp_step defaults = {.retry_delay_s = 10, .retry_backoff = 2, .max_retry_delay_s = 600};
	if ((v = json_object_get(pj, "defaults")) && !json_is_null(v)) {
		if (!json_is_object(v))
			return err_at(s, "/defaults", "defaults must be a mapping of step options (retries, timeout, ...)");
		if ((rc = unknown_keys(s, "/defaults", v, "defaults", defaults_keys, N(defaults_keys))) ||
		    (rc = step_options(s, v, "/defaults", &defaults)))
			return rc;
	}
	json_t *steps = json_object_get(pj, "steps");
	if (!json_is_array(steps) || !json_array_size(steps))
		return err_at(s, steps ? "/steps" : "", "a pipeline needs steps: a list of {name: ..., <kind>: ...}");
	if (!(pl->steps = calloc(json_array_size(steps), sizeof *pl->steps)))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(steps); i++) {
		rc = parse_step(s, json_array_get(steps, i), i, &defaults, &pl->steps[i]);
		pl->nsteps = i + 1; /* so pipeline_free() sees what parse_step() allocated */
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(pl->steps[j].name, pl->steps[i].name)) {
				s->step = pl->steps[i].name;
				char rel[64];
				snprintf(rel, sizeof rel, "/steps/%zu", i);
				return err_at(s, rel, "step name '%s' is used twice (also at line %d): step names must be unique",
					      pl->steps[i].name, pl->steps[j].line);
			}
	}
	if ((rc = resolve_deps(s, pl)))
		return rc;
	return check_cycles(s, pl);
}

typedef struct loader {
	ldp_pipeline_set *set;
	int *lines; /* line of each pipeline, for duplicate messages */
	size_t cap;
} loader;

static int add_pipeline(loader *L, src *s, const json_t *pj, const char *name, const char *name_rel)
{
	if (L->set->n == L->cap) {
		size_t cap = L->cap ? L->cap * 2 : 8;
		ldp_pipeline *items = realloc(L->set->items, cap * sizeof *items);
		if (items)
			L->set->items = items;
		int *lines = realloc(L->lines, cap * sizeof *lines);
		if (lines)
			L->lines = lines;
		if (!items || !lines)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		L->cap = cap;
	}
	ldp_pipeline *pl = &L->set->items[L->set->n];
	memset(pl, 0, sizeof *pl);
	int line = line_of(s, "");
	if (!valid_name(name, MAX_PIPELINE_NAME))
		return err_at(s, name_rel, "pipeline name '%s' must be 1-%d letters, digits, _ or -", name, MAX_PIPELINE_NAME);
	for (size_t i = 0; i < L->set->n; i++)
		if (!strcmp(L->set->items[i].name, name))
			return err_at(s, name_rel, "pipeline '%s' is defined twice: in %s:%d and in %s:%d; rename or remove one",
				      name, L->set->items[i].file, L->lines[i], s->file, line);
	pl->name = strdup(name);
	pl->file = strdup(s->file);
	L->lines[L->set->n] = line;
	L->set->n++; /* owned by the set from here on, freed with it on error */
	if (!pl->name || !pl->file)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	return parse_pipeline(s, pj, pl);
}

static int load_ldp_yml(loader *L, const ldp_project *p)
{
	json_t *pls = json_object_get(p->config, "pipelines");
	if (!pls || json_is_null(pls))
		return LDP_OK;
	/* ldp_project keeps no lines: read the file again just for them */
	json_t *doc = NULL, *lines = NULL;
	if (ldp_yaml_load_file_lines(p->config_path, &doc, &lines))
		ldp_error_clear();
	json_decref(doc);
	src s = {.file = p->config_path, .lines = lines};
	int rc = LDP_OK;
	if (!json_is_object(pls)) {
		rc = err_at(&s, "/pipelines", "pipelines must be a mapping of pipeline names to pipelines");
	} else {
		const char *name;
		json_t *pj;
		json_object_foreach(pls, name, pj)
		{
			snprintf(s.base, sizeof s.base, "/pipelines/%s", name);
			s.pipeline = NULL, s.step = NULL;
			json_t *nm = json_object_get(pj, "name");
			if (json_is_object(pj) && nm && !(json_is_string(nm) && !strcmp(json_string_value(nm), name))) {
				s.pipeline = name;
				rc = err_at(&s, "/name", "name must match the key under pipelines: ('%s'), or be left out", name);
				break;
			}
			if ((rc = add_pipeline(L, &s, pj, name, "")))
				break;
		}
	}
	json_decref(lines);
	return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int load_dir(loader *L, const ldp_project *p)
{
	char dirpath[4096];
	snprintf(dirpath, sizeof dirpath, "%s/pipelines", p->dir);
	DIR *d = opendir(dirpath);
	if (!d)
		return LDP_OK;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = LDP_OK;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		int yml = len > 4 && !strcmp(e->d_name + len - 4, ".yml");
		int yaml = len > 5 && !strcmp(e->d_name + len - 5, ".yaml");
		if (e->d_name[0] == '.' || !(yml || yaml))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn) {
				rc = ldp_error_set(LDP_ENOMEM, "out of memory");
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name))) {
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n && !rc; i++) {
		char path[4096 + 256];
		snprintf(path, sizeof path, "%s/%s", dirpath, names[i]);
		json_t *doc = NULL, *lines = NULL;
		if ((rc = ldp_yaml_load_file_lines(path, &doc, &lines)))
			break;
		src s = {.file = path, .lines = lines};
		/* the name: `name:` or the file name without .yml/.yaml */
		char stem[256];
		snprintf(stem, sizeof stem, "%s", names[i]);
		*strrchr(stem, '.') = '\0';
		json_t *nm = json_object_get(doc, "name");
		if (nm && !json_is_string(nm))
			rc = err_at(&s, "/name", "name must be a string (the pipeline's name)");
		else
			rc = add_pipeline(L, &s, doc, nm ? json_string_value(nm) : stem, nm ? "/name" : "");
		json_decref(doc);
		json_decref(lines);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int ldp_pipelines_load(const ldp_project *p, ldp_pipeline_set **out)
{
	*out = NULL;
	loader L = {calloc(1, sizeof(ldp_pipeline_set)), NULL, 0};
	if (!L.set)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	int rc = load_ldp_yml(&L, p);
	if (!rc)
		rc = load_dir(&L, p);
	free(L.lines);
	if (rc) {
		ldp_pipeline_set_free(L.set);
		return rc;
	}
	*out = L.set;
	return LDP_OK;
}

void ldp_pipeline_set_free(ldp_pipeline_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		pipeline_free(&s->items[i]);
	free(s->items);
	free(s);
}

const ldp_pipeline *ldp_pipeline_find(const ldp_pipeline_set *s, const char *name)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->items[i].name, name))
			return &s->items[i];
	return NULL;
}

int ldp_pipeline_find_or_error(const ldp_pipeline_set *s, const char *name, const ldp_pipeline **out)
{
	if ((*out = ldp_pipeline_find(s, name)))
		return LDP_OK;
	if (!s || !s->n)
		return ldp_error_set(LDP_ENOTFOUND,
				     "no pipeline '%s': this project defines no pipelines (add pipelines: to ldp.yml or a pipelines/%s.yml)",
				     name, name);
	const char **names = calloc(s->n, sizeof *names);
	ldp_buf b = LDP_BUF_INIT;
	for (size_t i = 0; i < s->n; i++) {
		if (names)
			names[i] = s->items[i].name;
		ldp_buf_printf(&b, "%s%s", i ? ", " : "", s->items[i].name);
	}
	const char *dym = names ? pl_did_you_mean(name, names, s->n) : NULL;
	int rc = ldp_error_set(LDP_ENOTFOUND, "no pipeline '%s'%s%s%s; the project's pipelines: %s", name,
			       dym ? " (did you mean '" : "", dym ? dym : "", dym ? "'?)" : "", ldp_buf_cstr(&b));
	ldp_buf_free(&b);
	free(names);
	return rc;
}
