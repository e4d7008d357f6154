/*
 * pipeline/cron.h - cron schedules in a time zone.
 *
 * Five fields, minute hour day-of-month month day-of-week, each `*`, a value,
 * a range a-b, a list a,b,c, and steps (*\/n, a-b/n, a/n); months JAN-DEC and
 * days SUN-SAT by name (any case); day-of-week 0-7 (0 and 7 are Sunday).
 * As in Vixie cron, when both day fields are restricted a day matches if
 * either does. Macros: @hourly @daily (@midnight) @weekly @monthly @yearly
 * (@annually).
 *
 * Times are evaluated as wall-clock time in the schedule's IANA time zone
 * (TZ database through the C library). Across a DST gap a fire time that does
 * not exist is skipped; in a repeated hour a fire time fires once (the first).
 *
 * Ownership: ldp_cron_parse() returns a value the caller frees with
 * ldp_cron_free().
 */
#ifndef LDP_PIPELINE_CRON_H
#define LDP_PIPELINE_CRON_H

#include <time.h>

typedef struct ldp_cron ldp_cron;

/* Parse `expr` for time zone `tz` (NULL: UTC). Errors say which field is
 * wrong and why ("hour field '25': out of range 0-23"), or that the zone is
 * unknown. */
int ldp_cron_parse(const char *expr, const char *tz, ldp_cron **out);
void ldp_cron_free(ldp_cron *c);
/* The first fire time strictly after `t`; LDP_ENOTFOUND when none within 5
 * years (e.g. "0 0 30 2 *"). */
int ldp_cron_next(const ldp_cron *c, time_t t, time_t *out);
/* The last fire time at or before `t`. */
int ldp_cron_prev(const ldp_cron *c, time_t t, time_t *out);

/* TZ is process-wide: every piece of ldp that converts times in a zone
 * (cron.c, pipeline_time.c) goes through these. ldp_tz_enter() takes the one
 * lock, sets TZ=tz and returns the previous TZ (malloc'd, NULL when it was
 * unset) for ldp_tz_leave(), which restores it and releases the lock; so two
 * zones are never in effect at once. */
char *ldp_tz_enter(const char *tz);
void ldp_tz_leave(char *saved);
/* UTC, Etc/UTC, Z or NULL: no zone to switch to (gmtime/timegm do). */
int ldp_tz_is_utc(const char *tz);

#endif
