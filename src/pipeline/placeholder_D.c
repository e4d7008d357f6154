/* PLACEHOLDER for helper D's notify.c. Delete as soon as main has it. */
#include "ldp/error.h"
#include "pipeline/notify.h"

int ldp_notify_url_from_env(const char *var, char **out)
{
	*out = NULL;
	return ldp_error_set(LDP_EUNSUPPORTED, "placeholder: notifications ($%s) not built yet", var);
}

int ldp_notify_post(const char *url, json_t *message)
{
	(void)url, (void)message;
	return ldp_error_set(LDP_EUNSUPPORTED, "placeholder");
}

json_t *ldp_notify_run_message(const char *pipeline, const char *run_id, const char *logical_date, const char *state,
			       const char *failed_step, const char *reason, double duration_s)
{
	(void)pipeline, (void)run_id, (void)logical_date, (void)state, (void)failed_step, (void)reason,
		(void)duration_s;
	return json_object();
}
