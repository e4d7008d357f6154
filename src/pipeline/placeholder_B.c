/* Placeholder for helper B's state file (state.c) until it is in main.
 * Delete when `git merge main` brings the real functions. */
#include "ldp/error.h"
#include "pipeline/state.h"

#define PH ldp_error_set(LDP_EUNSUPPORTED, "placeholder: no state file yet")

int ldp_state_open(const ldp_project *p, ldp_state **out)
{
	(void)p;
	*out = NULL;
	return PH;
}
void ldp_state_close(ldp_state *s) { (void)s; }
int ldp_state_run_queue(ldp_state *s, const char *pipeline, const char *run_type, double logical_date,
			double interval_start, double interval_end, char *run_id_out)
{
	(void)s, (void)pipeline, (void)run_type, (void)logical_date, (void)interval_start, (void)interval_end;
	run_id_out[0] = 0;
	return PH;
}
int ldp_state_run_get(ldp_state *s, const char *run_id, json_t **out)
{
	(void)s, (void)run_id;
	*out = NULL;
	return PH;
}
int ldp_state_runs_list(ldp_state *s, const char *pipeline, int limit, json_t **out)
{
	(void)s, (void)pipeline, (void)limit;
	*out = NULL;
	return PH;
}
int ldp_state_recover(ldp_state *s, const ldp_project *p, json_t **out)
{
	(void)s, (void)p;
	*out = NULL;
	return PH;
}
int ldp_state_sched_get(ldp_state *s, const char *pipeline, double *last)
{
	(void)s, (void)pipeline;
	*last = 0;
	return PH;
}
int ldp_state_sched_set(ldp_state *s, const char *pipeline, double last)
{
	(void)s, (void)pipeline, (void)last;
	return PH;
}
int ldp_lock_is_held(const ldp_project *p, const char *pipeline)
{
	(void)p, (void)pipeline;
	return 0;
}
