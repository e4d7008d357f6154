/*
 * pipeline/sched_due.c - which data interval a pipeline should run next.
 *
 * Pure calendar logic (no state file, no processes) so that the catch-up
 * rules are unit tested on their own. See scheduler.h for the model.
 */
#include "pipeline/scheduler.h"

#include "ldp/error.h"

/* The first fire time at or after t (0 when the schedule never fires). */
static int fire_at_or_after(const ldp_cron *c, time_t t, time_t *out)
{
	time_t p;
	if (ldp_cron_prev(c, t, &p) == 0 && p == t) {
		*out = t;
		return 0;
	}
	return ldp_cron_next(c, t, out);
}

int ldp_sched_next_due(const ldp_pipeline *pl, const ldp_cron *c, time_t last, time_t since, time_t now,
		       time_t *logical, time_t *end, int *skipped, time_t *wake)
{
	*logical = *end = *wake = 0;
	*skipped = 0;
	time_t first;
	int rc;
	if (last > 0)
		rc = ldp_cron_next(c, last, &first);
	else
		rc = fire_at_or_after(c, pl->start_date > 0 ? pl->start_date : since, &first);
	if (rc == LDP_ENOTFOUND) {
		ldp_error_clear();
		return 0;
	}
	if (rc)
		return rc;

	time_t cand = first;
	if (!pl->catchup) {
		/* the latest complete interval is [prev(E - 1), E) with E the last
		 * fire time at or before now */
		time_t e, s;
		if (ldp_cron_prev(c, now, &e) == 0 && ldp_cron_prev(c, e - 1, &s) == 0 && s > first) {
			cand = s;
			*skipped = 1;
		}
		ldp_error_clear();
	}
	time_t e;
	rc = ldp_cron_next(c, cand, &e);
	if (rc == LDP_ENOTFOUND) {
		ldp_error_clear();
		*skipped = 0;
		return 0;
	}
	if (rc)
		return rc;
	if (e > now) {
		*wake = e;
		*skipped = 0;
		return 0;
	}
	*logical = cand;
	*end = e;
	return 1;
}
