/* PLACEHOLDER for helper C's cron.c. Delete as soon as main has it. */
#include "ldp/error.h"
#include "pipeline/cron.h"

int ldp_cron_parse(const char *expr, const char *tz, ldp_cron **out)
{
	(void)tz;
	*out = NULL;
	return ldp_error_set(LDP_EUNSUPPORTED, "placeholder: cron '%s' not supported yet", expr);
}

void ldp_cron_free(ldp_cron *c) { (void)c; }

int ldp_cron_next(const ldp_cron *c, time_t t, time_t *out)
{
	(void)c, (void)t, (void)out;
	return LDP_EUNSUPPORTED;
}

int ldp_cron_prev(const ldp_cron *c, time_t t, time_t *out)
{
	(void)c, (void)t, (void)out;
	return LDP_EUNSUPPORTED;
}
