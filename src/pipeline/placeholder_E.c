/* PLACEHOLDER (helper E) for helper A's pipeline_config.c/pipeline_time.c until they are in main:
 * delete this file at the merge. Nothing may rely on it: ldp_pipelines_load only says it is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldp/error.h"
#include "pipeline/pipeline.h"

int ldp_pipeline_format_time(time_t t, const char *tz, char *out);

int ldp_pipelines_load(const ldp_project *p, ldp_pipeline_set **out)
{
	(void)p;
	*out = NULL;
	return ldp_error_set(LDP_EUNSUPPORTED, "pipelines are not loadable in this build yet (placeholder)");
}

void ldp_pipeline_set_free(ldp_pipeline_set *s) { (void)s; }

const ldp_pipeline *ldp_pipeline_find(const ldp_pipeline_set *s, const char *name)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->items[i].name, name) == 0)
			return &s->items[i];
	return NULL;
}

const char *ldp_step_kind_name(ldp_step_kind k)
{
	static const char *const names[] = {"ingest", "transform", "sql", "check", "export", "shell", "notify", "run"};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

int ldp_pipeline_format_time(time_t t, const char *tz, char *out)
{
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", tz && strcmp(tz, "UTC") ? tz : "UTC0", 1);
	tzset();
	struct tm tm;
	localtime_r(&t, &tm);
	if (old)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	off = off < 0 ? -off : off;
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600, off / 60 % 60);
	return LDP_OK;
}
