/*
 * pipeline/notify.h - Slack-compatible incoming-webhook notifications.
 *
 * A message is the JSON body Slack's incoming webhooks take: {"text": ...,
 * "blocks": [...]} (a header, section fields, and a query result as a
 * monospaced table in a code block). Other tools that accept Slack's format
 * (Mattermost, Rocket.Chat, Discord's /slack endpoint) take the same POST.
 * The URL always comes from an environment variable, never from a file, and
 * never appears in errors or logs (only the variable's name does).
 */
#ifndef LDP_PIPELINE_NOTIFY_H
#define LDP_PIPELINE_NOTIFY_H

#include <jansson.h>

/* The URL held by env var `var`: LDP_EINVALID naming the variable when unset
 * or not an http(s) URL. *out is malloc'd. */
int ldp_notify_url_from_env(const char *var, char **out);

/* POST `message` (JSON) to `url`; retries 429/5xx with backoff; any other
 * non-2xx is an error quoting the status and the response body's start. */
int ldp_notify_post(const char *url, json_t *message);

/* A run's summary as a message: pipeline, run id, logical date, state,
 * failed step (NULL: none) with its reason, duration in seconds. New reference. */
json_t *ldp_notify_run_message(const char *pipeline, const char *run_id, const char *logical_date,
			       const char *state, const char *failed_step, const char *reason, double duration_s);

/* What `ldp notify` posts (helper D's extension of the contract). */
typedef struct ldp_notify_content {
	const char *title;         /* the header (cut to Slack's 150 characters); NULL: "ldp" */
	const char *text;          /* a section of mrkdwn text, or NULL */
	const char *status;        /* "success", "failure" or "info" (NULL): the header's emoji */
	const char *const *fields; /* label, value pairs shown as section fields; a NULL value is skipped */
	size_t nfields;            /* pairs */
	const json_t *rows;        /* a row set (pipeline/rows.h) shown as a monospaced table, or NULL */
	size_t max_rows;           /* rows of the table to show (0: 20); the block also stops at 3000 characters
	                              and says how many rows it left out */
} ldp_notify_content;

/* The message for c (the run message is one of these). New reference. */
json_t *ldp_notify_message(const ldp_notify_content *c);

#endif
