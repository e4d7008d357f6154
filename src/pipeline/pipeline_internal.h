/*
 * pipeline/pipeline_internal.h - pieces shared by the pipeline layer's files:
 * time zones (pipeline_time.c), step spec checks and rendering
 * (pipeline_argv.c, pipeline_template.c).
 *
 * Time zones go through the C library's TZ database: the zone is selected by
 * setting TZ around localtime_r()/mktime() under a mutex, then restored.
 * Other threads calling getenv("TZ") or localtime() meanwhile would see the
 * switch; ldp's pipeline code runs single-threaded (steps are processes).
 */
#ifndef LDP_PIPELINE_INTERNAL_H
#define LDP_PIPELINE_INTERNAL_H

#include <jansson.h>
#include <time.h>

#include "pipeline/pipeline.h"

/* LDP_EINVALID unless `tz` is "UTC" or an IANA name present under the zone
 * directory ($TZDIR or /usr/share/zoneinfo). */
int pl_tz_check(const char *tz);
/* Broken-down wall time of t in tz (tm_gmtoff set). tz NULL: UTC. */
int pl_tz_local(const char *tz, time_t t, struct tm *tm);
/* Wall time in tz -> time_t (tm is normalised like mktime; tm_isdst -1
 * picks the first of a repeated hour). */
int pl_tz_mktime(const char *tz, struct tm *tm, time_t *out);
/* t in tz as ISO 8601 with offset, "2023-01-01T00:00:00+00:00" (out >= 32). */
int pl_format_iso(const char *tz, time_t t, char *out);
/* t + n calendar days in tz (the same wall time, DST-aware). */
int pl_add_days(const char *tz, time_t t, int n, time_t *out);

/* Validate a step's spec for its kind: shape, required keys, known option
 * keys. On error the message is recorded and *where gets the offending
 * JSON pointer relative to the step ("/ingest/mdoe"), "" when the spec
 * itself is wrong. */
int pl_spec_check(ldp_step_kind kind, const json_t *spec, char *where, size_t where_size);

/* Parse (without rendering) every template string of a spec, so syntax
 * errors show at load. Same *where convention. */
int pl_spec_parse_templates(ldp_step_kind kind, const json_t *spec, char *where, size_t where_size);

/* A deep copy of the spec with every string rendered for the run context.
 * Errors name the field ("ingest.source:1: 'foo' is undefined"). */
int pl_spec_render(const ldp_pipeline *pl, const ldp_step *st, const ldp_run_context *rc, json_t **out);

/* The variable `ldp notify` reads the webhook URL from without --webhook-env. */
#define LDP_NOTIFY_DEFAULT_ENV "SLACK_WEBHOOK_URL"

/* LDP_EINVALID naming the first key of obj not in keys ("unknown key 'x' in
 * <what> (did you mean 'y'?); known keys: ..."); *bad gets it. */
/* 1 when k is one of keys[0..n). */
int pl_in_list(const char *const *keys, size_t n, const char *k);
int pl_keys_check(const json_t *obj, const char *const *keys, size_t n, const char *what, const char **bad);

/* The closest of `names` to `word` when it is a plausible typo, else NULL. */
const char *pl_did_you_mean(const char *word, const char *const *names, size_t n);

#endif
