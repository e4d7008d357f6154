/*
 * pipeline/notify.c message building and pipeline/rows.c table formatting,
 * without a server: the run summary, Block Kit limits (header 150, section
 * 3000 characters, 10 fields), mrkdwn escaping, the table cut with its
 * "more rows" line, and the env-var URL rules. Expected texts are written
 * out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ldp/error.h"
#include "ldp/buf.h"
#include "pipeline/notify.h"
#include "pipeline/rows.h"

static const char *block_text(const json_t *m, size_t i)
{
	return json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(m, "blocks"), i), "text"), "text"));
}

static void test_run_message_failed(void **state)
{
	(void)state;
	json_t *m = ldp_notify_run_message("nyc_taxi", "scheduled__2024-01-31", "2024-01-31", "failed", "checks",
					   "exit code 1", 65.2);
	assert_non_null(m);
	json_t *blocks = json_object_get(m, "blocks");
	assert_int_equal(json_array_size(blocks), 3);
	assert_string_equal(block_text(m, 0), ":x: nyc_taxi: run failed");
	assert_string_equal(block_text(m, 1), "Step `checks` failed: exit code 1");
	json_t *fields = json_object_get(json_array_get(blocks, 2), "fields");
	const char *want[] = {"*Pipeline*\nnyc_taxi", "*Run id*\nscheduled__2024-01-31", "*Logical date*\n2024-01-31",
			      "*State*\nfailed", "*Duration*\n1m 5s"};
	assert_int_equal(json_array_size(fields), 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(fields, i), "text")), want[i]);
	assert_string_equal(json_string_value(json_object_get(m, "text")),
			    ":x: nyc_taxi: run failed: Step `checks` failed: exit code 1");
	json_decref(m);
}

static void test_run_message_success(void **state)
{
	(void)state;
	json_t *m = ldp_notify_run_message("p", "r", "2024-01-01", "success", NULL, NULL, 3725);
	assert_string_equal(block_text(m, 0), ":white_check_mark: p: run succeeded");
	/* no failed step: header and fields only */
	json_t *blocks = json_object_get(m, "blocks");
	assert_int_equal(json_array_size(blocks), 2);
	json_t *f = json_object_get(json_array_get(blocks, 1), "fields");
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 4), "text")), "*Duration*\n1h 2m 5s");
	json_decref(m);
}

static void test_limits_and_escaping(void **state)
{
	(void)state;
	char title[400];
	memset(title, 'T', sizeof title - 1);
	title[sizeof title - 1] = '\0';
	const char *fields[24];
	for (size_t i = 0; i < 24; i += 2)
		fields[i] = "k", fields[i + 1] = i == 2 ? NULL : "a<b";
	ldp_notify_content c;
	memset(&c, 0, sizeof c);
	c.title = title;
	c.text = "x & y <z>";
	c.fields = fields;
	c.nfields = 12;
	json_t *m = ldp_notify_message(&c);
	/* ":information_source: " is 21 bytes; 150 in all, the last three "…" */
	const char *h = block_text(m, 0);
	assert_int_equal(strlen(h), 150);
	assert_memory_equal(h + 147, "\xE2\x80\xA6", 3);
	assert_string_equal(block_text(m, 1), "x &amp; y &lt;z&gt;");
	json_t *f = json_object_get(json_array_get(json_object_get(m, "blocks"), 2), "fields");
	/* 12 pairs, one without a value: 11, capped at Slack's 10 */
	assert_int_equal(json_array_size(f), 10);
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "text")), "*k*\na&lt;b");
	json_decref(m);
}

static json_t *rows_of(size_t n, const char *pad)
{
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, json_pack("[I,s]", (json_int_t)i, pad));
	return json_pack("{s:[s,s],s:o,s:I}", "columns", "id", "name", "rows", rows, "total", (json_int_t)n);
}

static void test_rows_format(void **state)
{
	(void)state;
	json_t *rs = json_pack("{s:[s,s,s],s:[[i,s,n],[i,s,f],[i,n,s]]}", "columns", "id", "name", "x", "rows", 7,
			       "ab", 12, "a|b", 514402.76, 100, "zz");
	ldp_buf b = LDP_BUF_INIT;
	ldp_rows_format(rs, 10, 0, &b);
	/* numbers right-aligned, text left, NULL as NULL, no trailing blanks in the last text column */
	/* a double shows its 15 significant digits, not 514402.76000000001 */
	assert_string_equal(ldp_buf_cstr(&b), " id | name | x\n"
					      "----+------+----------\n"
					      "  7 | ab   | NULL\n"
					      " 12 | a|b  | 514402.76\n"
					      "100 | NULL | zz\n");
	ldp_buf_clear(&b);
	ldp_rows_format(rs, 1, 2, &b);
	/* cells cut to 2 code points, the second "…" (NULL too) */
	assert_string_equal(ldp_buf_cstr(&b), "id | n\xE2\x80\xA6 | x\n"
					      "---+----+---\n"
					      " 7 | ab | N\xE2\x80\xA6\n");
	ldp_buf_free(&b);
	json_decref(rs);
}

static void test_table_cut(void **state)
{
	(void)state;
	/* 10 rows, 3 shown: the note counts the other 7 */
	json_t *rs = rows_of(10, "xxxxxxxxxx");
	ldp_notify_content c;
	memset(&c, 0, sizeof c);
	c.title = "t";
	c.rows = rs;
	c.max_rows = 3;
	json_t *m = ldp_notify_message(&c);
	assert_string_equal(block_text(m, 1), "```\n"
					      "id | name\n"
					      "---+-----------\n"
					      " 0 | xxxxxxxxxx\n"
					      " 1 | xxxxxxxxxx\n"
					      " 2 | xxxxxxxxxx\n"
					      "\xE2\x80\xA6 7 more rows\n"
					      "```");
	json_decref(m);
	json_decref(rs);
	/* 300 rows of 50-character names */
	char pad[51];
	memset(pad, 'y', 50);
	pad[50] = '\0';
	rs = rows_of(300, pad);
	c.rows = rs;
	c.max_rows = 300;
	m = ldp_notify_message(&c);
	const char *t = block_text(m, 1);
	assert_true(strlen(t) <= 3000);
	/* By hand: the shown ids stay below 100, so the id column is 2 wide.
	 * "```\n" 4 bytes, header "id | name\n" 10, rule 2+3+50+1 = 56, each row
	 * "NN | " + 50 + "\n" = 56, the note "… NNN more rows\n" 3+1+3+11 = 18
	 * (the ellipsis is 3 bytes), the closing fence 3: 91 + 56k <= 3000 gives
	 * k = 51 rows (2947 bytes; 52 would be 3003), ids 0..50, and 249 more. */
	assert_int_equal(strlen(t), 2947);
	assert_non_null(strstr(t, "\n\xE2\x80\xA6 249 more rows\n```"));
	assert_non_null(strstr(t, "\n50 | yyyy"));
	assert_null(strstr(t, "\n51 | yyyy"));
	json_decref(m);
	json_decref(rs);
}

static void test_url_from_env(void **state)
{
	(void)state;
	char *url = NULL;
	unsetenv("LDP_TEST_HOOK");
	assert_int_equal(ldp_notify_url_from_env("LDP_TEST_HOOK", &url), LDP_EINVALID);
	assert_string_equal(ldp_error_last()->message, "set LDP_TEST_HOOK to the incoming-webhook URL");
	setenv("LDP_TEST_HOOK", "hooks.slack.com/services/T/B/secret", 1);
	assert_int_equal(ldp_notify_url_from_env("LDP_TEST_HOOK", &url), LDP_EINVALID);
	assert_null(strstr(ldp_error_last()->message, "secret"));
	setenv("LDP_TEST_HOOK", "https://hooks.slack.com/services/T/B/secret", 1);
	assert_int_equal(ldp_notify_url_from_env("LDP_TEST_HOOK", &url), LDP_OK);
	assert_string_equal(url, "https://hooks.slack.com/services/T/B/secret");
	free(url);
	unsetenv("LDP_TEST_HOOK");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_message_failed), cmocka_unit_test(test_run_message_success),
		cmocka_unit_test(test_limits_and_escaping), cmocka_unit_test(test_rows_format),
		cmocka_unit_test(test_table_cut),          cmocka_unit_test(test_url_from_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
