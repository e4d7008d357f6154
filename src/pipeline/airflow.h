/*
 * pipeline/airflow.h - a pipeline as an Apache Airflow (2.x) DAG file.
 *
 * One BashOperator per step runs that step with ldp itself:
 *   ldp pipeline run PIPELINE --step STEP --date "$LDP_AIRFLOW_DATE" --run-id "$LDP_AIRFLOW_RUN_ID"
 * with LDP_AIRFLOW_DATE = {{ data_interval_start.isoformat() }} and
 * LDP_AIRFLOW_RUN_ID = {{ run_id }} rendered by Airflow into the task's env.
 * Airflow orders the tasks (depends_on -> `>>`) and retries them; ldp renders
 * the step's own templates. Everything else in the file is a literal: Python
 * string escaping plus Jinja escaping (a `{` becomes {{ '{' }}), so no step
 * name, path or description can inject Python, shell or Jinja. The output is
 * a pure function of its input (no dates, no versions), all ASCII.
 * Mapping and differences: docs/airflow.md.
 *
 * Ownership: *out strings are malloc'd; free() them.
 */
#ifndef LDP_PIPELINE_AIRFLOW_H
#define LDP_PIPELINE_AIRFLOW_H

#include <stddef.h>

#include <jansson.h>

#include "ldp/buf.h"
#include "pipeline/pipeline.h"

typedef struct ldp_airflow_options {
	const char *ldp_bin;     /* the command the tasks run; NULL: "ldp" (found on the worker's PATH) */
	const char *project_dir; /* LDP_PROJECT for the tasks (required): the project as the workers see it */
} ldp_airflow_options;

/* The DAG file's text for one pipeline. LDP_EINVALID when a name cannot
 * become an Airflow id (longer than 250 characters) or a string is not
 * valid UTF-8. */
int ldp_airflow_dag_render(const ldp_pipeline *pl, const ldp_airflow_options *o, char **out);

/* The DAG id (and file stem) for a pipeline name, or the task id for a step
 * name: Airflow allows [A-Za-z0-9_.-]; every other byte becomes '_'.
 * *out is malloc'd. */
int ldp_airflow_id(const char *name, char **out);

/* Append s as a Python 3 string literal (repr's choice of quotes; non-ASCII
 * as \u escapes, so the file is ASCII and no bidi control can hide code).
 * LDP_EINVALID (recorded) when s is not valid UTF-8. */
int ldp_py_put_str(ldp_buf *b, const char *s);
/* Append a JSON value as the equal Python literal (dict/list/str/int/float/
 * True/False/None). LDP_EINVALID for a non-finite number. */
int ldp_py_put_json(ldp_buf *b, const json_t *v);
/* Append s as Jinja template text that renders to exactly s under Airflow:
 * `{` -> {{ '{' }} (every Jinja delimiter starts with it), CR kept from
 * newline normalisation, a trailing newline kept, and a value ending in
 * .sh/.bash not taken for a template file name (BashOperator's template_ext). */
void ldp_jinja_put_literal(ldp_buf *b, const char *s);
/* Append s as one POSIX shell word (bare when only safe characters, else
 * single-quoted). */
void ldp_sh_put_word(ldp_buf *b, const char *s);

#endif
