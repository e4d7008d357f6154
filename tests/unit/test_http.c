/*
 * io/http.c helpers that need no server: redaction, Retry-After (RFC 9110
 * 10.2.3: delay-seconds or an HTTP-date), Link headers (RFC 8288), relative
 * URL resolution (RFC 3986 5.2, the common cases), and a network failure
 * against a closed port (no answer, an error naming the URL and no secret).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io/http.h"
#include "ldp/error.h"

static void test_redact(void **state)
{
	(void)state;
	const char *secrets[] = {"tok/en+1", "pw"};
	char *r = ldp_http_redact("GET https://bob:hunter2@h.example/x?key=tok%2Fen%2B1&a=1 said tok/en+1", secrets, 2);
	assert_string_equal(r, "GET https://***@h.example/x?key=***&a=1 said ***");
	free(r);
	r = ldp_http_redact("no secrets here", NULL, 0);
	assert_string_equal(r, "no secrets here");
	free(r);
}

static void test_retry_after(void **state)
{
	(void)state;
	assert_int_equal(ldp_http_retry_after_ms("120", 0), 120000);
	assert_int_equal(ldp_http_retry_after_ms(" 0 ", 0), 0);
	assert_int_equal(ldp_http_retry_after_ms("soon", 0), -1);
	assert_int_equal(ldp_http_retry_after_ms("-3", 0), -1);
	/* Sun, 06 Nov 1994 08:49:37 GMT is 784111777 (RFC 9110's example date) */
	assert_int_equal(ldp_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784111770), 7000);
	assert_int_equal(ldp_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784111999), 0);
}

static void test_link_next(void **state)
{
	(void)state;
	char *n = ldp_http_link_next("<https://api.example/items?page=1>; rel=\"prev\", "
				     "<https://api.example/items?page=3>; rel=\"next\"");
	assert_string_equal(n, "https://api.example/items?page=3");
	free(n);
	n = ldp_http_link_next("</p/2>; rel=\"last next\"; title=\"x\"");
	assert_string_equal(n, "/p/2");
	free(n);
	assert_null(ldp_http_link_next("<https://a/b>; rel=\"prev\""));
	assert_null(ldp_http_link_next(""));
}

static void test_resolve(void **state)
{
	(void)state;
	const char *base = "http://h:8/a/b/c?x=1";
	struct {
		const char *ref, *want;
	} cases[] = {
		{"https://o/p", "https://o/p"},
		{"/root?y=2", "http://h:8/root?y=2"},
		{"?y=2", "http://h:8/a/b/c?y=2"},
		{"d?z", "http://h:8/a/b/d?z"},
		{"//other/q", "http://other/q"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *r = ldp_http_url_resolve(base, cases[i].ref);
		assert_string_equal(r, cases[i].want);
		free(r);
	}
	char *e = ldp_http_url_encode("a b&c=d/é");
	assert_string_equal(e, "a%20b%26c%3Dd%2F%C3%A9");
	free(e);
}

static void test_refused(void **state)
{
	(void)state;
	/* port 1 on localhost: nothing listens there, connect fails at once */
	const char *secrets[] = {"sekret"};
	ldp_http_request req = {0};
	req.url = "http://127.0.0.1:1/x?api_key=sekret";
	req.secrets = secrets;
	req.nsecrets = 1;
	req.max_retries = 2;
	req.retry_base_ms = 1;
	req.retry_max_ms = 2;
	ldp_http_response res;
	int rc = ldp_http_do(&req, &res);
	assert_int_equal(rc, LDP_EIO);
	const char *m = ldp_error_last()->message;
	assert_non_null(strstr(m, "http://127.0.0.1:1/x?api_key=***"));
	assert_null(strstr(m, "sekret"));
	assert_int_equal(res.status, 0);
	ldp_http_response_clear(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),        cmocka_unit_test(test_retry_after), cmocka_unit_test(test_link_next),
		cmocka_unit_test(test_resolve),       cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
