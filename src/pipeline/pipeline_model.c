/* Questions about a loaded pipeline: its intervals, the order of its steps,
 * and whether the environment has what a run needs. See pipeline.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/error.h"
#include "pipeline/cron.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_internal.h"

int ldp_pipeline_interval(const ldp_pipeline *pl, time_t d, time_t *start, time_t *end)
{
	*start = d;
	if (!pl->schedule)
		return pl_add_days(pl->timezone, d, 1, end);
	ldp_cron *c;
	int rc = ldp_cron_parse(pl->schedule, pl->timezone, &c);
	if (rc)
		return ldp_error_wrap(rc, "pipeline '%s': schedule", pl->name);
	rc = ldp_cron_next(c, d, end);
	ldp_cron_free(c);
	if (rc)
		return ldp_error_wrap(rc, "pipeline '%s': no run of schedule '%s' after the logical date", pl->name,
				      pl->schedule);
	return LDP_OK;
}

void ldp_pipeline_topo_order(const ldp_pipeline *pl, size_t *order)
{
	/* Kahn's algorithm, always taking the first ready step in declaration
	 * order; O(n^2) is nothing next to running the steps. Pipelines are
	 * acyclic once loaded, so every step is placed. */
	unsigned char *done = calloc(pl->nsteps ? pl->nsteps : 1, 1);
	size_t n = 0;
	while (n < pl->nsteps) {
		size_t i = 0;
		for (; i < pl->nsteps; i++) {
			if (done && done[i])
				continue;
			size_t j = 0;
			while (j < pl->steps[i].ndepends && done && done[pl->steps[i].deps[j]])
				j++;
			if (j == pl->steps[i].ndepends)
				break;
		}
		if (i == pl->nsteps || !done) { /* out of memory (or a cycle): declaration order */
			for (size_t k = 0; k < pl->nsteps; k++)
				order[k] = k;
			break;
		}
		done[i] = 1;
		order[n++] = i;
	}
	free(done);
}

static int webhook_env_check(const char *var, const char *what)
{
	const char *url = getenv(var);
	if (!url || !*url)
		return ldp_error_set(LDP_EINVALID, "%s: environment variable %s (the webhook URL) is not set: export it before running",
				     what, var);
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return ldp_error_set(LDP_EINVALID, "%s: environment variable %s must hold an http(s):// webhook URL", what, var);
	return LDP_OK;
}

int ldp_pipeline_check_env(const ldp_pipeline *pl)
{
	int rc = LDP_OK;
	if (pl->on_failure.webhook_env)
		rc = webhook_env_check(pl->on_failure.webhook_env, "notify.on_failure");
	if (!rc && pl->on_success.webhook_env)
		rc = webhook_env_check(pl->on_success.webhook_env, "notify.on_success");
	if (rc)
		return ldp_error_wrap(rc, "%s: pipeline '%s'", pl->file, pl->name);
	/* A sample run: the latest midnight (UTC) is as good as any date for
	 * finding undefined names and unset env_var()s. */
	ldp_run_context rc_ = {.timezone = pl->timezone};
	snprintf(rc_.run_id, sizeof rc_.run_id, "%s__check", pl->name);
	time_t now = time(NULL);
	rc_.logical_date = now - now % 86400;
	if ((rc = ldp_pipeline_interval(pl, rc_.logical_date, &rc_.interval_start, &rc_.interval_end)))
		return rc;
	for (size_t i = 0; i < pl->nsteps && !rc; i++) {
		const ldp_step *st = &pl->steps[i];
		json_t *spec;
		if ((rc = pl_spec_render(pl, st, &rc_, &spec)))
			break;
		/* a notify step posts to webhook_env's URL (ldp notify's default:
		 * SLACK_WEBHOOK_URL) unless it only prints (dry_run) */
		const char *env = NULL;
		if (st->kind == LDP_STEP_NOTIFY && !json_is_true(json_object_get(spec, "dry_run"))) {
			env = json_string_value(json_object_get(spec, "webhook_env"));
			env = env ? env : LDP_NOTIFY_DEFAULT_ENV;
		}
		if (env && (rc = webhook_env_check(env, "notify.webhook_env")))
			rc = ldp_error_wrap(rc, "%s:%d: pipeline '%s', step '%s'", pl->file, st->line, pl->name, st->name);
		json_decref(spec);
	}
	return rc;
}
