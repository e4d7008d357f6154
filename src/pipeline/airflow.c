/* An Airflow 2.x DAG file for a pipeline; see pipeline/airflow.h and docs/airflow.md. */
#include "pipeline/airflow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldp/error.h"

/* Airflow's KEY_REGEX ^[\w.-]+$ and its 250-character limit (ID_LEN). */
#define AIRFLOW_ID_MAX 250

int ldp_airflow_id(const char *name, char **out)
{
	*out = NULL;
	size_t n = strlen(name);
	if (n == 0)
		return ldp_error_set(LDP_EINVALID, "an empty name cannot be an Airflow id");
	if (n > AIRFLOW_ID_MAX)
		return ldp_error_set(LDP_EINVALID, "'%.40s...' is %zu bytes long: Airflow ids are at most %d; shorten the name",
				     name, n, AIRFLOW_ID_MAX);
	char *id = malloc(n + 1);
	if (!id)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	/* \w is Unicode-aware in Python, but an ASCII id is the same in every
	 * tool that shows it (logs, URLs, the CLI), so any other byte is '_'. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
			 c == '.' || c == '-';
		id[i] = ok ? (char)c : '_';
	}
	id[n] = '\0';
	*out = id;
	return LDP_OK;
}

/* One UTF-8 sequence at s: its code point and length, or 0 when invalid
 * (overlong forms, surrogates and values past U+10FFFF included, RFC 3629). */
static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, min = 0x80, c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, min = 0x800, c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

int ldp_py_put_str(ldp_buf *b, const char *s)
{
	/* repr's rule: single quotes unless the text has ' and no " */
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
	ldp_buf_putc(b, q);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		if (c >= 0x80) {
			unsigned cp;
			size_t len = utf8_decode(p, &cp);
			if (!len)
				return ldp_error_set(LDP_EINVALID, "byte %zu of '%.60s' is not valid UTF-8",
						     (size_t)(p - (const unsigned char *)s), s);
			if (cp <= 0xFFFF)
				ldp_buf_printf(b, "\\u%04x", cp);
			else
				ldp_buf_printf(b, "\\U%08x", cp);
			p += len;
			continue;
		}
		if (c == '\\' || c == (unsigned char)q) {
			ldp_buf_putc(b, '\\');
			ldp_buf_putc(b, (char)c);
		} else if (c == '\n') {
			ldp_buf_puts(b, "\\n");
		} else if (c == '\r') {
			ldp_buf_puts(b, "\\r");
		} else if (c == '\t') {
			ldp_buf_puts(b, "\\t");
		} else if (c < 0x20 || c == 0x7F) {
			ldp_buf_printf(b, "\\x%02x", c);
		} else {
			ldp_buf_putc(b, (char)c);
		}
		p++;
	}
	ldp_buf_putc(b, q);
	return LDP_OK;
}

/* A finite double as a Python literal that reads back as the same value. */
static int py_put_number(ldp_buf *b, double d)
{
	if (!isfinite(d))
		return ldp_error_set(LDP_EINVALID, "%g cannot be written to the DAG file (not a finite number)", d);
	if (d == floor(d) && fabs(d) < 1e15)
		ldp_buf_printf(b, "%.0f", d);
	else
		ldp_buf_printf(b, "%.17g", d);
	return LDP_OK;
}

int ldp_py_put_json(ldp_buf *b, const json_t *v)
{
	int rc = LDP_OK;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		int first = 1;
		ldp_buf_putc(b, '{');
		json_object_foreach((json_t *)v, k, x)
		{
			if (!first)
				ldp_buf_puts(b, ", ");
			first = 0;
			if ((rc = ldp_py_put_str(b, k)) != LDP_OK)
				return rc;
			ldp_buf_puts(b, ": ");
			if ((rc = ldp_py_put_json(b, x)) != LDP_OK)
				return rc;
		}
		ldp_buf_putc(b, '}');
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		ldp_buf_putc(b, '[');
		json_array_foreach(v, i, x)
		{
			if (i)
				ldp_buf_puts(b, ", ");
			if ((rc = ldp_py_put_json(b, x)) != LDP_OK)
				return rc;
		}
		ldp_buf_putc(b, ']');
		break;
	}
	case JSON_STRING: rc = ldp_py_put_str(b, json_string_value(v)); break;
	case JSON_INTEGER: ldp_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
	case JSON_REAL: rc = py_put_number(b, json_real_value(v)); break;
	case JSON_TRUE: ldp_buf_puts(b, "True"); break;
	case JSON_FALSE: ldp_buf_puts(b, "False"); break;
	case JSON_NULL: ldp_buf_puts(b, "None"); break;
	}
	return rc;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

void ldp_jinja_put_literal(ldp_buf *b, const char *s)
{
	size_t n = strlen(s);
	/* Airflow takes a templated string ending in a template_ext (.sh, .bash
	 * for BashOperator) for a template file's name, and Jinja drops one
	 * trailing newline: the last character then goes in as an expression. */
	int last_as_expr = n > 0 && (s[n - 1] == '\n' || ends_with(s, ".sh") || ends_with(s, ".bash"));
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '{')
			ldp_buf_puts(b, "{{ '{' }}");
		else if (c == '\r') /* the lexer turns \r and \r\n in template text into \n */
			ldp_buf_puts(b, "{{ '\\r' }}");
		else if (i == n - 1 && last_as_expr)
			ldp_buf_puts(b, c == '\n' ? "{{ '\\n' }}" : "{{ 'h' }}");
		else
			ldp_buf_putc(b, c);
	}
}

/* ldp's macros as Airflow's presets (Airflow has no @midnight/@annually). */
static const char *schedule_text(const char *s)
{
	static const char *const map[][2] = {
		{"@hourly", "@hourly"}, {"@daily", "@daily"},   {"@midnight", "@daily"},
		{"@weekly", "@weekly"}, {"@monthly", "@monthly"}, {"@yearly", "@yearly"}, {"@annually", "@yearly"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(s, map[i][0]) == 0)
			return map[i][1];
	return s;
}

static void put_timedelta(ldp_buf *b, const char *key, double seconds)
{
	ldp_buf_printf(b, "        %s=datetime.timedelta(seconds=", key);
	py_put_number(b, seconds); /* finite: checked by the caller */
	ldp_buf_puts(b, "),\n");
}

/* start_date as the wall time in the pipeline's zone, the way ldp.yml says it. */
static int put_start_date(ldp_buf *b, const ldp_pipeline *pl, const char *tz)
{
	int y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0;
	if (pl->start_date) {
		char iso[32];
		int rc = ldp_pipeline_format_time(pl->start_date, tz, iso);
		if (rc)
			return ldp_error_wrap(rc, "start_date of pipeline '%s'", pl->name);
		if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6)
			return ldp_error_set(LDP_ERROR, "start_date of pipeline '%s': unexpected time text '%s'", pl->name,
					     iso);
	}
	ldp_buf_printf(b, "    start_date=pendulum.datetime(%d, %d, %d", y, mo, d);
	if (h || mi || s)
		ldp_buf_printf(b, ", %d", h);
	if (mi || s)
		ldp_buf_printf(b, ", %d", mi);
	if (s)
		ldp_buf_printf(b, ", %d", s);
	ldp_buf_puts(b, ", tz=");
	int rc = ldp_py_put_str(b, tz);
	ldp_buf_puts(b, "),\n");
	return rc;
}

/* A string argument: Jinja-escaped, then a Python literal. */
static int put_template_str(ldp_buf *b, const char *s)
{
	ldp_buf t = LDP_BUF_INIT;
	ldp_jinja_put_literal(&t, s);
	int rc = ldp_buf_oom(&t);
	if (!rc)
		rc = ldp_py_put_str(b, ldp_buf_cstr(&t));
	ldp_buf_free(&t);
	return rc;
}

/* Python names for the tasks: t_<id with . and - as _>, made unique in
 * declaration order by a numeric suffix (so the same pipeline always gets
 * the same names). Task ids are made unique the same way. */
static int unique_name(char **names, size_t n, char *cand, char **out)
{
	size_t len = strlen(cand);
	char *name = malloc(len + 24);
	if (!name) {
		free(cand);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	memcpy(name, cand, len + 1);
	free(cand);
	for (int k = 2;; k++) {
		int clash = 0;
		for (size_t i = 0; i < n && !clash; i++)
			clash = strcmp(names[i], name) == 0;
		if (!clash)
			break;
		snprintf(name + len, 24, "_%d", k);
	}
	*out = name;
	return LDP_OK;
}

typedef struct dag_names {
	char **task_ids;
	char **vars;
	size_t n;
} dag_names;

static void dag_names_free(dag_names *dn)
{
	for (size_t i = 0; i < dn->n; i++) {
		free(dn->task_ids[i]);
		free(dn->vars[i]);
	}
	free(dn->task_ids);
	free(dn->vars);
}

static int dag_names_make(const ldp_pipeline *pl, dag_names *dn)
{
	memset(dn, 0, sizeof *dn);
	dn->task_ids = calloc(pl->nsteps + 1, sizeof *dn->task_ids);
	dn->vars = calloc(pl->nsteps + 1, sizeof *dn->vars);
	if (!dn->task_ids || !dn->vars)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	dn->n = pl->nsteps; /* entries not made yet are NULL: dag_names_free can run at any point */
	for (size_t i = 0; i < pl->nsteps; i++) {
		char *id;
		int rc = ldp_airflow_id(pl->steps[i].name, &id);
		if (rc)
			return ldp_error_wrap(rc, "step '%s' of pipeline '%s'", pl->steps[i].name, pl->name);
		if ((rc = unique_name(dn->task_ids, i, id, &dn->task_ids[i])) != LDP_OK)
			return rc;
		size_t len = strlen(dn->task_ids[i]);
		char *var = malloc(len + 3);
		if (!var)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		var[0] = 't', var[1] = '_';
		for (size_t k = 0; k <= len; k++)
			var[k + 2] = dn->task_ids[i][k] == '.' || dn->task_ids[i][k] == '-' ? '_' : dn->task_ids[i][k];
		if ((rc = unique_name(dn->vars, i, var, &dn->vars[i])) != LDP_OK)
			return rc;
	}
	return LDP_OK;
}

static const char PY_HEADER[] =
	"# generated by ldp pipeline export; edit the pipeline, not this file\n"
	"#\n"
	"# Each task runs one ldp step: `ldp pipeline run PIPELINE --step STEP` (one attempt; Airflow\n"
	"# orders the tasks and retries them). ldp renders the step's own templates ({{ ds }}...)\n"
	"# for the date it is given, so the only Jinja Airflow renders is the date and run id in\n"
	"# LDP_ENV; a '{' in a name or path is written as {{ '{' }} so that it stays literal.\n"
	"import datetime\n"
	"\n"
	"import pendulum\n"
	"from airflow import DAG\n"
	"from airflow.operators.bash import BashOperator\n";

/* ldp's on_failure: stop, in Airflow: Airflow has it only DAG-wide
 * (fail_stop, which also fails running tasks), so a stop step's failure
 * callback skips the tasks that have not started, except the step's own
 * downstream, which the scheduler marks upstream_failed as ldp does. */
static const char PY_STOP_CALLBACK[] =
	"\n"
	"\n"
	"def _ldp_stop_run(context):\n"
	"    \"\"\"ldp's on_failure: stop. After this step finally failed no new step starts: tasks\n"
	"    not started yet are skipped; running ones finish; this step's downstream tasks are\n"
	"    left to become upstream_failed.\"\"\"\n"
	"    from airflow.utils.state import TaskInstanceState\n"
	"\n"
	"    failed = context[\"ti\"]\n"
	"    downstream = failed.task.get_flat_relative_ids(upstream=False)\n"
	"    not_started = (None, TaskInstanceState.SCHEDULED, TaskInstanceState.QUEUED)\n"
	"    for ti in context[\"dag_run\"].get_task_instances():\n"
	"        if ti.task_id != failed.task_id and ti.task_id not in downstream and ti.state in not_started:\n"
	"            ti.set_state(TaskInstanceState.SKIPPED)\n";

static int check_finite(const ldp_pipeline *pl, const ldp_step *st, const char *what, double v)
{
	if (isfinite(v) && v >= 0)
		return LDP_OK;
	return ldp_error_set(LDP_EINVALID, "pipeline '%s', step '%s': %s %g is not a duration", pl->name, st->name,
			     what, v);
}

static int put_task(ldp_buf *b, const ldp_pipeline *pl, const ldp_step *st, const char *task_id, const char *var,
		    const char *ldp_bin)
{
	int rc;
	if ((rc = check_finite(pl, st, "retry_delay", st->retry_delay_s)) ||
	    (rc = check_finite(pl, st, "max_retry_delay", st->max_retry_delay_s)) ||
	    (rc = check_finite(pl, st, "timeout", st->timeout_s)) ||
	    (rc = check_finite(pl, st, "retry_backoff", st->retry_backoff)))
		return rc;
	/* The command bash must see; LDP_AIRFLOW_* come from LDP_ENV, so no
	 * run id (user-chosen in a manual trigger) is ever pasted into the
	 * command line. */
	ldp_buf cmd = LDP_BUF_INIT;
	ldp_buf_put_shell_word(&cmd, ldp_bin);
	ldp_buf_puts(&cmd, " pipeline run ");
	ldp_buf_put_shell_word(&cmd, pl->name);
	ldp_buf_puts(&cmd, " --step ");
	ldp_buf_put_shell_word(&cmd, st->name);
	ldp_buf_puts(&cmd, " --date \"$LDP_AIRFLOW_DATE\" --run-id \"$LDP_AIRFLOW_RUN_ID\"");
	if ((rc = ldp_buf_oom(&cmd)) != LDP_OK) {
		ldp_buf_free(&cmd);
		return rc;
	}
	ldp_buf_printf(b, "    %s = BashOperator(\n        task_id=", var);
	rc = ldp_py_put_str(b, task_id);
	ldp_buf_puts(b, ",\n        bash_command=");
	if (!rc)
		rc = put_template_str(b, ldp_buf_cstr(&cmd));
	ldp_buf_free(&cmd);
	if (rc)
		return rc;
	ldp_buf_puts(b, ",\n        env=LDP_ENV,\n        append_env=True,\n");
	ldp_buf_printf(b, "        retries=%d,\n", st->retries > 0 ? st->retries : 0);
	if (st->retries > 0) {
		put_timedelta(b, "retry_delay", st->retry_delay_s);
		/* Airflow's backoff doubles (with jitter up to 2x); a factor of 1 is a constant delay */
		ldp_buf_printf(b, "        retry_exponential_backoff=%s,\n", st->retry_backoff > 1 ? "True" : "False");
		if (st->retry_backoff > 1 && st->max_retry_delay_s > 0)
			put_timedelta(b, "max_retry_delay", st->max_retry_delay_s);
	}
	if (st->timeout_s > 0)
		put_timedelta(b, "execution_timeout", st->timeout_s);
	if (st->on_failure == LDP_ON_FAILURE_STOP && pl->nsteps > 1)
		ldp_buf_puts(b, "        on_failure_callback=_ldp_stop_run,\n");
	/* the step as written, for the task's page in the UI */
	ldp_buf doc = LDP_BUF_INIT;
	ldp_buf_printf(&doc, "ldp `%s` step `%s`", ldp_step_kind_name(st->kind), st->name);
	if (st->line > 0)
		ldp_buf_printf(&doc, ", line %d of %s", st->line, pl->file ? pl->file : "the pipeline's file");
	ldp_buf_printf(&doc, ", on_failure: %s", st->on_failure == LDP_ON_FAILURE_STOP ? "stop" : "continue");
	char *spec = st->spec ? json_dumps(st->spec, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (spec)
		ldp_buf_printf(&doc, "\n\n```json\n%s\n```\n", spec);
	free(spec);
	rc = ldp_buf_oom(&doc);
	ldp_buf_puts(b, "        doc_md=");
	if (!rc)
		rc = ldp_py_put_str(b, ldp_buf_cstr(&doc));
	ldp_buf_free(&doc);
	ldp_buf_puts(b, ",\n    )\n");
	return rc;
}

/* The index of the step a depends_on entry names (deps[] when the loader
 * filled it, else by name). */
static int dep_index(const ldp_pipeline *pl, const ldp_step *st, size_t k, size_t *out)
{
	if (st->deps) {
		*out = st->deps[k];
		if (*out < pl->nsteps)
			return LDP_OK;
	} else {
		for (size_t i = 0; i < pl->nsteps; i++)
			if (strcmp(pl->steps[i].name, st->depends_on[k]) == 0) {
				*out = i;
				return LDP_OK;
			}
	}
	return ldp_error_set(LDP_EINVALID, "pipeline '%s', step '%s': depends_on '%s' names no step", pl->name,
			     st->name, st->depends_on[k]);
}

static int put_dag_args(ldp_buf *b, const ldp_pipeline *pl)
{
	const char *tz = pl->timezone && *pl->timezone ? pl->timezone : "UTC";
	char *dag_id;
	int rc = ldp_airflow_id(pl->name, &dag_id);
	if (rc)
		return ldp_error_wrap(rc, "pipeline '%s'", pl->name);
	ldp_buf_puts(b, "    dag_id=");
	rc = ldp_py_put_str(b, dag_id);
	free(dag_id);
	if (!rc && pl->description && *pl->description) {
		/* the UI shows description on one line */
		ldp_buf_puts(b, ",\n    description=");
		rc = ldp_py_put_str(b, pl->description);
	}
	if (rc)
		return rc;
	ldp_buf doc = LDP_BUF_INIT;
	ldp_buf_printf(&doc, "ldp pipeline `%s`", pl->name);
	if (pl->description && *pl->description)
		ldp_buf_printf(&doc, ": %s", pl->description);
	ldp_buf_printf(&doc, "\n\nGenerated by `ldp pipeline export --airflow` from %s; edit the pipeline there.\n",
		       pl->file ? pl->file : "the project's pipelines");
	rc = ldp_buf_oom(&doc);
	ldp_buf_puts(b, ",\n    doc_md=");
	if (!rc)
		rc = ldp_py_put_str(b, ldp_buf_cstr(&doc));
	ldp_buf_free(&doc);
	ldp_buf_puts(b, ",\n    schedule=");
	if (!rc && pl->schedule)
		rc = ldp_py_put_str(b, schedule_text(pl->schedule));
	else
		ldp_buf_puts(b, "None");
	ldp_buf_puts(b, ",\n");
	if (!rc)
		rc = put_start_date(b, pl, tz);
	if (rc)
		return rc;
	if (!pl->start_date)
		ldp_buf_puts(b, "    # no start_date in the pipeline: ldp's scheduler starts from now, so no catch-up\n"
				"    catchup=False,\n");
	else
		ldp_buf_printf(b, "    catchup=%s,\n", pl->catchup ? "True" : "False");
	ldp_buf_puts(b, "    max_active_runs=1,  # ldp never overlaps runs of a pipeline\n");
	ldp_buf_printf(b, "    max_active_tasks=%d,\n", pl->max_active_steps > 0 ? pl->max_active_steps : 1);
	ldp_buf_puts(b, "    params=");
	if (pl->params && json_is_object(pl->params))
		rc = ldp_py_put_json(b, pl->params);
	else
		ldp_buf_puts(b, "{}");
	ldp_buf_puts(b, ",\n    tags=['ldp'],\n");
	return rc;
}

int ldp_airflow_dag_render(const ldp_pipeline *pl, const ldp_airflow_options *o, char **out)
{
	*out = NULL;
	if (!o || !o->project_dir || !*o->project_dir)
		return ldp_error_set(LDP_EINVALID, "exporting pipeline '%s': the project directory is not set", pl->name);
	const char *ldp_bin = o->ldp_bin && *o->ldp_bin ? o->ldp_bin : "ldp";
	ldp_buf b = LDP_BUF_INIT;
	dag_names dn;
	int rc = dag_names_make(pl, &dn);
	if (rc)
		goto done;
	ldp_buf_puts(&b, PY_HEADER);
	int any_stop = 0;
	for (size_t i = 0; i < pl->nsteps && pl->nsteps > 1; i++)
		any_stop |= pl->steps[i].on_failure == LDP_ON_FAILURE_STOP;
	if (any_stop)
		ldp_buf_puts(&b, PY_STOP_CALLBACK);
	ldp_buf_puts(&b, "\n\nLDP_ENV = {\n    'LDP_PROJECT': ");
	if ((rc = put_template_str(&b, o->project_dir)) != LDP_OK)
		goto done;
	ldp_buf_puts(&b, ",\n    'LDP_AIRFLOW_DATE': '{{ data_interval_start.isoformat() }}',\n"
			 "    'LDP_AIRFLOW_RUN_ID': '{{ run_id }}',\n}\n\nwith DAG(\n");
	if ((rc = put_dag_args(&b, pl)) != LDP_OK)
		goto done;
	ldp_buf_puts(&b, ") as dag:\n");
	for (size_t i = 0; i < pl->nsteps; i++) {
		if (i)
			ldp_buf_putc(&b, '\n');
		if ((rc = put_task(&b, pl, &pl->steps[i], dn.task_ids[i], dn.vars[i], ldp_bin)) != LDP_OK)
			goto done;
	}
	if (!pl->nsteps)
		ldp_buf_puts(&b, "    pass\n");
	int edges = 0;
	for (size_t i = 0; i < pl->nsteps; i++) {
		const ldp_step *st = &pl->steps[i];
		for (size_t k = 0; k < st->ndepends; k++) {
			size_t d = 0; /* set by dep_index; -O3 cannot see it (maybe-uninitialized) */
			if ((rc = dep_index(pl, st, k, &d)) != LDP_OK)
				goto done;
			ldp_buf_printf(&b, "%s    %s >> %s\n", edges++ ? "" : "\n", dn.vars[d], dn.vars[i]);
		}
	}
	if ((rc = ldp_buf_oom(&b)) == LDP_OK)
		*out = ldp_buf_detach(&b);
done:
	dag_names_free(&dn);
	ldp_buf_free(&b);
	if (rc && rc != LDP_ENOMEM)
		ldp_error_wrap(rc, "exporting pipeline '%s' to Airflow", pl->name);
	return rc;
}
