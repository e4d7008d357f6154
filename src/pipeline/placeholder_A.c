/* Placeholder for helper A's pipeline loading (pipeline_config.c) until it is
 * in main. Delete when `git merge main` brings the real functions. */
#include "ldp/error.h"
#include "pipeline/pipeline.h"

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

const ldp_pipeline *ldp_pipeline_find(const ldp_pipeline_set *s, const char *name)
{
	(void)s;
	(void)name;
	return NULL;
}
