/* Slack-compatible incoming-webhook messages (pipeline/notify.h).
 *
 * Block Kit limits the message respects (api.slack.com/reference/block-kit):
 * a header's plain_text at most 150 characters, a section's text at most
 * 3000, a section at most 10 fields of at most 2000 characters each. Text in
 * mrkdwn escapes &, < and > (Slack's formatting rules); everything else is
 * sent as written. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/http.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "pipeline/notify.h"
#include "pipeline/rows.h"

#define HEADER_MAX 150
#define SECTION_MAX 3000
#define FIELD_MAX 2000
#define FIELDS_MAX 10

int ldp_notify_url_from_env(const char *var, char **out)
{
	*out = NULL;
	const char *v = getenv(var);
	if (!v || !*v)
		return ldp_error_set(LDP_EINVALID, "set %s to the incoming-webhook URL", var);
	if (strncasecmp(v, "https://", 8) != 0 && strncasecmp(v, "http://", 7) != 0)
		return ldp_error_set(LDP_EINVALID, "%s does not hold an http(s) URL: set it to the incoming-webhook URL", var);
	if (!(*out = strdup(v)))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	return LDP_OK;
}

/* The first `max` bytes of s, not splitting a UTF-8 sequence, with "…" when cut. */
static void put_cut(ldp_buf *b, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max) {
		ldp_buf_puts(b, s);
		return;
	}
	n = max >= 3 ? max - 3 : 0;
	while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	ldp_buf_put(b, s, n);
	ldp_buf_puts(b, "\xE2\x80\xA6");
}

static void put_escaped(ldp_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			ldp_buf_puts(b, "&amp;");
		else if (*s == '<')
			ldp_buf_puts(b, "&lt;");
		else if (*s == '>')
			ldp_buf_puts(b, "&gt;");
		else
			ldp_buf_putc(b, *s);
	}
}

/* mrkdwn text object of escaped s cut to max bytes. */
static json_t *mrkdwn(const char *s, size_t max)
{
	ldp_buf e = LDP_BUF_INIT, c = LDP_BUF_INIT;
	put_escaped(&e, s);
	put_cut(&c, ldp_buf_cstr(&e), max);
	json_t *o = json_pack("{s:s,s:s}", "type", "mrkdwn", "text", ldp_buf_cstr(&c));
	ldp_buf_free(&e);
	ldp_buf_free(&c);
	return o;
}

/* The code block of the first k rows plus the "more rows" line. */
static void table_block(const json_t *rows, size_t k, long long total, ldp_buf *b)
{
	ldp_buf t = LDP_BUF_INIT;
	ldp_rows_format(rows, k, 60, &t);
	ldp_buf_puts(b, "```\n");
	put_escaped(b, ldp_buf_cstr(&t));
	if (total > (long long)k)
		ldp_buf_printf(b, "\xE2\x80\xA6 %lld more row%s\n", total - (long long)k, total - (long long)k == 1 ? "" : "s");
	ldp_buf_puts(b, "```");
	ldp_buf_free(&t);
}

/* The largest k <= max_rows whose block fits SECTION_MAX; when not even the
 * header fits (hundreds of columns), the block is cut and closed. */
static json_t *table_section(const json_t *rows, size_t max_rows)
{
	size_t have = json_array_size(json_object_get(rows, "rows"));
	json_t *tv = json_object_get(rows, "total");
	long long total = json_is_integer(tv) ? json_integer_value(tv) : (long long)have;
	size_t k = max_rows < have ? max_rows : have;
	ldp_buf b = LDP_BUF_INIT;
	for (;;) {
		ldp_buf_clear(&b);
		table_block(rows, k, total, &b);
		if (b.len <= SECTION_MAX || k == 0)
			break;
		k--;
	}
	if (b.len > SECTION_MAX) {
		ldp_buf c = LDP_BUF_INIT;
		put_cut(&c, ldp_buf_cstr(&b), SECTION_MAX - 4);
		ldp_buf_puts(&c, "\n```");
		ldp_buf_free(&b);
		b = c;
	}
	json_t *o = json_pack("{s:s,s:{s:s,s:s}}", "type", "section", "text", "type", "mrkdwn", "text", ldp_buf_cstr(&b));
	ldp_buf_free(&b);
	return o;
}

static const char *emoji(const char *status)
{
	if (status && strcmp(status, "success") == 0)
		return ":white_check_mark:";
	if (status && strcmp(status, "failure") == 0)
		return ":x:";
	return ":information_source:";
}

json_t *ldp_notify_message(const ldp_notify_content *c)
{
	const char *title = c->title && *c->title ? c->title : "ldp";
	json_t *blocks = json_array();
	ldp_buf b = LDP_BUF_INIT;
	/* the header: plain text, so no escaping; emoji codes still render */
	ldp_buf_printf(&b, "%s ", emoji(c->status));
	put_cut(&b, title, HEADER_MAX - b.len);
	json_array_append_new(blocks, json_pack("{s:s,s:{s:s,s:s,s:b}}", "type", "header", "text", "type", "plain_text",
						"text", ldp_buf_cstr(&b), "emoji", 1));
	if (c->text && *c->text)
		json_array_append_new(blocks, json_pack("{s:s,s:o}", "type", "section", "text", mrkdwn(c->text, SECTION_MAX)));
	json_t *fields = json_array();
	for (size_t i = 0; i < c->nfields && json_array_size(fields) < FIELDS_MAX; i++) {
		const char *label = c->fields[2 * i], *value = c->fields[2 * i + 1];
		if (!label || !value)
			continue;
		ldp_buf_clear(&b);
		ldp_buf_printf(&b, "*%s*\n%s", label, value);
		json_array_append_new(fields, mrkdwn(ldp_buf_cstr(&b), FIELD_MAX));
	}
	if (json_array_size(fields))
		json_array_append_new(blocks, json_pack("{s:s,s:o}", "type", "section", "fields", fields));
	else
		json_decref(fields);
	if (c->rows && json_array_size(json_object_get(c->rows, "columns")))
		json_array_append_new(blocks, table_section(c->rows, c->max_rows ? c->max_rows : 20));
	/* The fallback `text` is what notifications and clients without blocks show. */
	ldp_buf_clear(&b);
	ldp_buf_printf(&b, "%s %s", emoji(c->status), title);
	if (c->text && *c->text)
		ldp_buf_printf(&b, ": %s", c->text);
	ldp_buf e = LDP_BUF_INIT, cut = LDP_BUF_INIT;
	put_escaped(&e, ldp_buf_cstr(&b));
	put_cut(&cut, ldp_buf_cstr(&e), SECTION_MAX);
	json_t *msg = json_pack("{s:s,s:o}", "text", ldp_buf_cstr(&cut), "blocks", blocks);
	ldp_buf_free(&b);
	ldp_buf_free(&e);
	ldp_buf_free(&cut);
	return msg;
}

json_t *ldp_notify_run_message(const char *pipeline, const char *run_id, const char *logical_date, const char *state,
			       const char *failed_step, const char *reason, double duration_s)
{
	int ok = state && strcmp(state, "success") == 0;
	ldp_buf title = LDP_BUF_INIT, text = LDP_BUF_INIT, dur = LDP_BUF_INIT;
	ldp_buf_printf(&title, "%s: run %s", pipeline, ok ? "succeeded" : state ? state : "ended");
	if (failed_step)
		ldp_buf_printf(&text, "Step `%s` failed%s%s", failed_step, reason ? ": " : "", reason ? reason : "");
	long long s = (long long)(duration_s + 0.5);
	if (s >= 3600)
		ldp_buf_printf(&dur, "%lldh %lldm %llds", s / 3600, s % 3600 / 60, s % 60);
	else if (s >= 60)
		ldp_buf_printf(&dur, "%lldm %llds", s / 60, s % 60);
	else
		ldp_buf_printf(&dur, "%.1f s", duration_s);
	const char *fields[] = {"Pipeline", pipeline, "Run id", run_id, "Logical date", logical_date,
				"State", state, "Duration", ldp_buf_cstr(&dur)};
	ldp_notify_content c;
	memset(&c, 0, sizeof c);
	c.title = ldp_buf_cstr(&title);
	c.text = text.len ? ldp_buf_cstr(&text) : NULL;
	c.status = ok ? "success" : "failure";
	c.fields = fields;
	c.nfields = sizeof fields / sizeof fields[0] / 2;
	json_t *m = ldp_notify_message(&c);
	ldp_buf_free(&title);
	ldp_buf_free(&text);
	ldp_buf_free(&dur);
	return m;
}

int ldp_notify_post(const char *url, json_t *message)
{
	char *body = json_dumps(message, JSON_COMPACT);
	if (!body)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	static const char *const headers[] = {"Content-Type: application/json"};
	/* The URL is the webhook's secret (Slack's token is its path): hidden
	 * from every message and log line. The path is listed on its own since
	 * the client rewrites user:password@ in a URL before matching secrets. */
	const char *scheme_end = strstr(url, "://");
	const char *path = scheme_end ? strchr(scheme_end + 3, '/') : NULL;
	const char *secrets[] = {url, path && path[1] ? path : url};
	ldp_http_request req;
	memset(&req, 0, sizeof req);
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.nheaders = 1;
	req.body = body;
	req.body_len = strlen(body);
	req.timeout_ms = 30000;
	req.retry_max_ms = 60000;
	req.secrets = secrets;
	req.nsecrets = 2;
	ldp_http_response res;
	memset(&res, 0, sizeof res);
	int rc = ldp_http_do(&req, &res);
	free(body);
	if (rc) {
		ldp_http_response_clear(&res);
		return ldp_error_wrap(rc, "posting to the webhook");
	}
	if (res.status < 200 || res.status > 299) {
		ldp_buf quote = LDP_BUF_INIT;
		char *safe = res.body ? ldp_http_redact(res.body, secrets, 2) : NULL;
		if (safe && *safe) {
			ldp_buf_puts(&quote, ": ");
			put_cut(&quote, safe, 200);
		}
		free(safe);
		rc = ldp_error_set(res.status >= 500 ? LDP_EIO : LDP_EINVALID, "the webhook answered HTTP %ld%s", res.status,
				   ldp_buf_cstr(&quote));
		if (res.status == 429 || res.status >= 500)
			ldp_error_wrap(rc, "posting to the webhook (gave up after %d attempts)", res.attempts);
		else
			ldp_error_wrap(rc, "posting to the webhook");
		ldp_buf_free(&quote);
	}
	ldp_http_response_clear(&res);
	return rc;
}
