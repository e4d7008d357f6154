/* PLACEHOLDER for helper A's functions (pipeline_argv.c, pipeline_config.c,
 * pipeline_time.c): just enough for the runner's own tests of shell steps.
 * Delete as soon as main has the real ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "pipeline/pipeline.h"

int pl_format_iso(const char *tz, time_t t, char *out);
int ldp_pipeline_check_env(const ldp_pipeline *pl);
int ldp_pipeline_format_time(time_t t, const char *tz, char *out);
int ldp_pipeline_date_parse(const char *text, const char *tz, time_t *out);

int ldp_step_argv(const ldp_pipeline *pl, const ldp_step *st, const ldp_run_context *rc, const char *ldp_bin,
		  char ***argv_out)
{
	(void)pl, (void)rc, (void)ldp_bin;
	if (st->kind != LDP_STEP_SHELL || !json_is_string(st->spec))
		return ldp_error_set(LDP_EUNSUPPORTED, "placeholder: only shell steps");
	char **a = calloc(4, sizeof *a);
	a[0] = strdup("/bin/sh");
	a[1] = strdup("-c");
	a[2] = strdup(json_string_value(st->spec));
	*argv_out = a;
	return LDP_OK;
}

void ldp_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

int ldp_pipeline_interval(const ldp_pipeline *pl, time_t d, time_t *start, time_t *end)
{
	(void)pl;
	*start = d;
	*end = d + 86400;
	return LDP_OK;
}

int pl_format_iso(const char *tz, time_t t, char *out)
{
	(void)tz;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
	return LDP_OK;
}

int ldp_pipeline_check_env(const ldp_pipeline *pl)
{
	(void)pl;
	return LDP_OK;
}

int ldp_pipeline_format_time(time_t t, const char *tz, char *out)
{
	return pl_format_iso(tz, t, out);
}

int ldp_pipeline_date_parse(const char *text, const char *tz, time_t *out)
{
	(void)tz;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (sscanf(text, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return ldp_error_set(LDP_EINVALID, "placeholder: bad date '%s'", text);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	return LDP_OK;
}

int ldp_duration_parse(const char *text, double *seconds)
{
	char *end;
	*seconds = strtod(text, &end);
	return LDP_OK;
}

const ldp_pipeline *ldp_pipeline_find(const ldp_pipeline_set *s, const char *name)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->items[i].name, name))
			return &s->items[i];
	return NULL;
}

int ldp_pipelines_load(const ldp_project *p, ldp_pipeline_set **out)
{
	(void)p;
	*out = NULL;
	return ldp_error_set(LDP_EUNSUPPORTED, "placeholder: pipelines are not loaded yet");
}

void ldp_pipeline_set_free(ldp_pipeline_set *s)
{
	(void)s;
}
