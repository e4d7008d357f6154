/* PLACEHOLDER (helper D): ldp_duration_parse belongs to helper A's
 * pipeline_config.c; delete this file as soon as main has it. */
#include <stdlib.h>

#include "ldp/error.h"
#include "pipeline/pipeline.h"

int ldp_duration_parse(const char *text, double *seconds)
{
	char *end;
	double v = strtod(text, &end);
	double unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : *end ? -1 : 1;
	if (end == text || unit < 0 || (*end && end[1]))
		return ldp_error_set(LDP_EINVALID, "bad duration '%s' (placeholder parser: one number and unit)", text);
	*seconds = v * unit;
	return LDP_OK;
}
