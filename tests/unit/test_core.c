/* Unit tests of the core layer: errors, string builder, arena, JSON helpers, logging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ldp/arena.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/json.h"
#include "ldp/log.h"

/* ---- error.h ---- */

static void test_error_set_and_clear(void **state)
{
	(void)state;
	ldp_error_clear();
	assert_int_equal(ldp_error_last()->code, LDP_OK);
	assert_string_equal(ldp_error_last()->message, "");

	int rc = ldp_error_set(LDP_EINVALID, "bad value %d in '%s'", 42, "x.json");
	assert_int_equal(rc, LDP_EINVALID);
	assert_int_equal(ldp_error_last()->code, LDP_EINVALID);
	assert_string_equal(ldp_error_last()->message, "bad value 42 in 'x.json'");

	/* a new error replaces the old one wholesale */
	ldp_error_set(LDP_EIO, "disk full");
	assert_int_equal(ldp_error_last()->code, LDP_EIO);
	assert_string_equal(ldp_error_last()->message, "disk full");

	ldp_error_clear();
	assert_int_equal(ldp_error_last()->code, LDP_OK);
	assert_string_equal(ldp_error_last()->message, "");
}

static void test_error_wrap_chain(void **state)
{
	(void)state;
	ldp_error_clear();
	ldp_error_set(LDP_EIO, "c");
	assert_int_equal(ldp_error_wrap(LDP_EIO, "b"), LDP_EIO);
	assert_int_equal(ldp_error_wrap(LDP_EIO, "%s", "a"), LDP_EIO);
	assert_string_equal(ldp_error_last()->message, "a: b: c");

	/* the realistic chain from the header */
	ldp_error_set(LDP_EIO, "disk full");
	ldp_error_wrap(LDP_EIO, "writing manifest");
	ldp_error_wrap(LDP_EIO, "committing %s.%s", "ns", "t");
	assert_string_equal(ldp_error_last()->message, "committing ns.t: writing manifest: disk full");

	/* wrapping with a different code changes the recorded code */
	ldp_error_wrap(LDP_ECONFLICT, "retrying");
	assert_int_equal(ldp_error_last()->code, LDP_ECONFLICT);

	/* with nothing recorded the context becomes the message */
	ldp_error_clear();
	ldp_error_wrap(LDP_ERROR, "only context");
	assert_string_equal(ldp_error_last()->message, "only context");
	assert_int_equal(ldp_error_last()->code, LDP_ERROR);
	ldp_error_clear();
}

static void test_error_long_message(void **state)
{
	(void)state;
	char big[5000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ldp_error_set(LDP_EINVALID, "%s", big);
	ldp_error_wrap(LDP_EINVALID, "ctx");
	const char *m = ldp_error_last()->message;
	assert_int_equal(strlen(m), 5 + sizeof big - 1);
	assert_memory_equal(m, "ctx: ", 5);
	assert_int_equal(m[strlen(m) - 1], 'x');
	ldp_error_clear();
}

static void *thread_sets_error(void *arg)
{
	(void)arg;
	/* exits without ldp_error_clear(): the message must not leak (ASan build) */
	ldp_error_set(LDP_EIO, "error on another thread");
	ldp_error_wrap(LDP_EIO, "context");
	return strcmp(ldp_error_last()->message, "context: error on another thread") == 0 ? (void *)1 : NULL;
}

static void test_error_per_thread(void **state)
{
	(void)state;
	ldp_error_set(LDP_EINVALID, "main thread");
	pthread_t th;
	void *ok = NULL;
	assert_int_equal(pthread_create(&th, NULL, thread_sets_error, NULL), 0);
	assert_int_equal(pthread_join(th, &ok), 0);
	assert_non_null(ok);
	assert_int_equal(ldp_error_last()->code, LDP_EINVALID);
	assert_string_equal(ldp_error_last()->message, "main thread");
	ldp_error_clear();
}

static void test_status_names(void **state)
{
	(void)state;
	static const int codes[] = {LDP_OK, LDP_ERROR, LDP_ENOMEM, LDP_EINVALID, LDP_ENOTFOUND, LDP_EEXISTS,
				    LDP_EIO, LDP_ECONFLICT, LDP_ESQL, LDP_EUNSUPPORTED, LDP_ECORRUPT, LDP_EINTERRUPTED};
	const size_t n = sizeof codes / sizeof codes[0];
	for (size_t i = 0; i < n; i++) {
		const char *a = ldp_status_name(codes[i]);
		assert_non_null(a);
		assert_true(strlen(a) > 0);
		assert_string_not_equal(a, "unknown error");
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(a, ldp_status_name(codes[j]));
	}
	assert_string_equal(ldp_status_name(LDP_ENOTFOUND), "not found");
	assert_string_equal(ldp_status_name(LDP_EINVALID), "invalid input");
	assert_string_equal(ldp_status_name(-999), "unknown error");
	assert_string_equal(ldp_status_name(7), "unknown error");
}

static void test_status_is_user_error(void **state)
{
	(void)state;
	/* The user causes and can fix these (CLI exit 1) */
	assert_true(ldp_status_is_user_error(LDP_EINVALID));
	assert_true(ldp_status_is_user_error(LDP_ENOTFOUND));
	assert_true(ldp_status_is_user_error(LDP_EEXISTS));
	assert_true(ldp_status_is_user_error(LDP_ESQL));
	assert_true(ldp_status_is_user_error(LDP_ECORRUPT));
	assert_true(ldp_status_is_user_error(LDP_EINTERRUPTED));
	assert_true(ldp_status_is_user_error(LDP_ECONFLICT));
	assert_true(ldp_status_is_user_error(LDP_EUNSUPPORTED));
	/* ... and these are internal (exit 2) */
	assert_false(ldp_status_is_user_error(LDP_OK));
	assert_false(ldp_status_is_user_error(LDP_ERROR));
	assert_false(ldp_status_is_user_error(LDP_ENOMEM));
	assert_false(ldp_status_is_user_error(-999));
}

/* ---- buf.h ---- */

static void test_buf_appends(void **state)
{
	(void)state;
	ldp_buf b = LDP_BUF_INIT;
	assert_string_equal(ldp_buf_cstr(&b), "");
	ldp_buf_puts(&b, "abc");
	ldp_buf_putc(&b, '-');
	ldp_buf_put(&b, "xyz123", 3);
	ldp_buf_put(&b, "", 0);
	ldp_buf_fill(&b, '.', 4);
	ldp_buf_printf(&b, "%d|%s|%05.1f", -7, "s", 2.25);
	assert_int_equal(ldp_buf_oom(&b), 0);
	assert_string_equal(ldp_buf_cstr(&b), "abc-xyz....-7|s|002.2");
	assert_int_equal(b.len, strlen("abc-xyz....-7|s|002.2"));
	assert_true(b.cap > b.len);
	ldp_buf_free(&b);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
}

static void test_buf_printf_large(void **state)
{
	(void)state;
	ldp_buf b = LDP_BUF_INIT;
	/* many small formatted appends cross many growth steps */
	for (int i = 0; i < 100000; i++)
		ldp_buf_printf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 200000);
	for (size_t i = 0; i < b.len; i += 2) {
		assert_int_equal(b.ptr[i], (char)('0' + (i / 2) % 10));
		assert_int_equal(b.ptr[i + 1], ',');
	}
	assert_int_equal(b.ptr[b.len], '\0');

	/* one formatted append much larger than the current capacity */
	char *big = malloc(3 * 1024 * 1024 + 1);
	assert_non_null(big);
	memset(big, 'q', 3 * 1024 * 1024);
	big[3 * 1024 * 1024] = '\0';
	ldp_buf_clear(&b);
	ldp_buf_printf(&b, "<%s>", big);
	assert_int_equal(ldp_buf_oom(&b), 0);
	assert_int_equal(b.len, 3 * 1024 * 1024 + 2);
	assert_int_equal(b.ptr[0], '<');
	assert_int_equal(b.ptr[1], 'q');
	assert_int_equal(b.ptr[b.len - 2], 'q');
	assert_int_equal(b.ptr[b.len - 1], '>');
	assert_int_equal(strlen(ldp_buf_cstr(&b)), b.len);
	free(big);
	ldp_buf_free(&b);
}

static void test_buf_sql_quoting(void **state)
{
	(void)state;
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_put_sql_string(&b, "it's");
	assert_string_equal(ldp_buf_cstr(&b), "'it''s'");
	ldp_buf_clear(&b);
	ldp_buf_put_sql_string(&b, "");
	assert_string_equal(ldp_buf_cstr(&b), "''");
	ldp_buf_clear(&b);
	ldp_buf_put_sql_string(&b, "''");
	assert_string_equal(ldp_buf_cstr(&b), "''''''");
	ldp_buf_clear(&b);
	/* double quotes are not special inside a string literal */
	ldp_buf_put_sql_string(&b, "a\"b");
	assert_string_equal(ldp_buf_cstr(&b), "'a\"b'");
	ldp_buf_clear(&b);
	ldp_buf_put_sql_ident(&b, "my \"col\"");
	assert_string_equal(ldp_buf_cstr(&b), "\"my \"\"col\"\"\"");
	ldp_buf_clear(&b);
	ldp_buf_put_sql_ident(&b, "it's");
	assert_string_equal(ldp_buf_cstr(&b), "\"it's\"");
	ldp_buf_clear(&b);
	ldp_buf_put_sql_ident(&b, "ünï");
	assert_string_equal(ldp_buf_cstr(&b), "\"ünï\"");
	ldp_buf_free(&b);
}

static void test_buf_detach_truncate(void **state)
{
	(void)state;
	ldp_buf b = LDP_BUF_INIT;
	/* detach of an empty buffer still hands out a string */
	char *s = ldp_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);

	ldp_buf_puts(&b, "hello world");
	ldp_buf_truncate(&b, 5);
	assert_string_equal(ldp_buf_cstr(&b), "hello");
	assert_int_equal(b.len, 5);
	/* truncating to a longer length is a no-op */
	ldp_buf_truncate(&b, 100);
	assert_string_equal(ldp_buf_cstr(&b), "hello");
	ldp_buf_puts(&b, "!");
	assert_string_equal(ldp_buf_cstr(&b), "hello!");

	s = ldp_buf_detach(&b);
	assert_string_equal(s, "hello!");
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(ldp_buf_cstr(&b), "");
	/* the buffer is usable again and independent of the detached string */
	ldp_buf_puts(&b, "again");
	assert_string_equal(ldp_buf_cstr(&b), "again");
	assert_string_equal(s, "hello!");
	free(s);
	ldp_buf_clear(&b);
	assert_string_equal(ldp_buf_cstr(&b), "");
	assert_int_equal(b.len, 0);
	ldp_buf_free(&b);
	/* truncate of a never-used buffer */
	ldp_buf_truncate(&b, 0);
	ldp_buf_clear(&b);
	ldp_buf_free(&b);
}

/* ---- arena.h ---- */

static void test_arena_small_allocs(void **state)
{
	(void)state;
	ldp_arena a;
	ldp_arena_init(&a, 1024);
	assert_null(a.head);
	enum { N = 10000 };
	uint32_t **ptrs = malloc(N * sizeof *ptrs);
	assert_non_null(ptrs);
	for (uint32_t i = 0; i < N; i++) {
		size_t sz = 1 + i % 37;
		ptrs[i] = ldp_arena_alloc(&a, sz < sizeof(uint32_t) ? sizeof(uint32_t) : sz);
		assert_non_null(ptrs[i]);
		assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
		*ptrs[i] = i * 2654435761u;
	}
	/* nothing overlapped: every value is still intact */
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(*ptrs[i], i * 2654435761u);
	assert_true(a.total >= (size_t)N * 16);
	free(ptrs);
	ldp_arena_free(&a);
	assert_null(a.head);
	assert_int_equal(a.total, 0);
}

static void test_arena_big_allocs(void **state)
{
	(void)state;
	ldp_arena a;
	ldp_arena_init(&a, 0); /* 16 KiB blocks */
	char *small1 = ldp_arena_strdup(&a, "before");
	size_t big_n = 100 * 1024;
	unsigned char *big = ldp_arena_alloc(&a, big_n);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % 16, 0);
	memset(big, 0xAB, big_n);
	char *small2 = ldp_arena_strdup(&a, "after");
	unsigned char *big2 = ldp_arena_alloc(&a, 3 * big_n);
	assert_non_null(big2);
	memset(big2, 0xCD, 3 * big_n);
	assert_string_equal(small1, "before");
	assert_string_equal(small2, "after");
	for (size_t i = 0; i < big_n; i++)
		assert_int_equal(big[i], 0xAB);
	/* a request larger than the address space fails cleanly */
	ldp_error_clear();
	assert_null(ldp_arena_alloc(&a, SIZE_MAX));
	assert_int_equal(ldp_error_last()->code, LDP_ENOMEM);
	assert_null(ldp_arena_alloc(&a, SIZE_MAX - 20));
	assert_null(ldp_arena_calloc(&a, SIZE_MAX / 2, 4));
	ldp_error_clear();
	ldp_arena_free(&a);
}

static void test_arena_alignment(void **state)
{
	(void)state;
	ldp_arena a;
	ldp_arena_init(&a, 100); /* an odd block size */
	for (size_t sz = 0; sz < 300; sz++) {
		void *p = ldp_arena_alloc(&a, sz);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
	}
	long double *ld = ldp_arena_calloc(&a, 3, sizeof(long double));
	assert_non_null(ld);
	assert_int_equal((uintptr_t)ld % _Alignof(long double), 0);
	assert_true(ld[0] == 0 && ld[1] == 0 && ld[2] == 0);
	ldp_arena_free(&a);
}

static void test_arena_strings(void **state)
{
	(void)state;
	ldp_arena a;
	ldp_arena_init(&a, 64);
	char *s = ldp_arena_strdup(&a, "hello");
	char *t = ldp_arena_strndup(&a, "world wide", 5);
	char *e = ldp_arena_strdup(&a, "");
	char *f = ldp_arena_sprintf(&a, "%s-%d-%s", s, 42, t);
	assert_string_equal(s, "hello");
	assert_string_equal(t, "world");
	assert_string_equal(e, "");
	assert_string_equal(f, "hello-42-world");
	/* longer than a block */
	char *g = ldp_arena_sprintf(&a, "%0300d", 7);
	assert_int_equal(strlen(g), 300);
	assert_int_equal(g[299], '7');
	assert_int_equal(g[0], '0');
	assert_string_equal(f, "hello-42-world");
	ldp_arena_free(&a);
}

static void test_arena_reset_reuse(void **state)
{
	(void)state;
	ldp_arena a;
	ldp_arena_init(&a, 256);
	ldp_arena_reset(&a); /* reset of an empty arena */
	for (int round = 0; round < 5; round++) {
		char *keep[200];
		for (int i = 0; i < 200; i++) {
			keep[i] = ldp_arena_sprintf(&a, "r%d-i%d", round, i);
			assert_non_null(keep[i]);
		}
		void *big = ldp_arena_alloc(&a, 4096);
		assert_non_null(big);
		memset(big, round, 4096);
		char want[32];
		for (int i = 0; i < 200; i++) {
			snprintf(want, sizeof want, "r%d-i%d", round, i);
			assert_string_equal(keep[i], want);
		}
		ldp_arena_reset(&a);
		assert_int_equal(a.total, 0);
		assert_non_null(a.head);
	}
	/* after a reset, new allocations come from the kept block */
	void *p1 = ldp_arena_alloc(&a, 16);
	ldp_arena_reset(&a);
	void *p2 = ldp_arena_alloc(&a, 16);
	assert_ptr_equal(p1, p2);
	ldp_arena_free(&a);
	assert_null(a.head);
	/* a freed arena can be initialised and used again */
	ldp_arena_init(&a, 0);
	assert_non_null(ldp_arena_strdup(&a, "x"));
	ldp_arena_free(&a);
}

/* ---- json.h ---- */

static char *tmp_path(const char *name)
{
	mkdir(LDP_TEST_TMP, 0777);
	size_t n = strlen(LDP_TEST_TMP) + strlen(name) + 32;
	char *p = malloc(n);
	snprintf(p, n, "%s/core-%s", LDP_TEST_TMP, name);
	return p;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_json_load_missing(void **state)
{
	(void)state;
	char *p = tmp_path("does-not-exist.json");
	remove(p);
	json_t *v = NULL;
	assert_int_equal(ldp_json_load_file(p, &v), LDP_ENOTFOUND);
	assert_null(v);
	assert_int_equal(ldp_error_last()->code, LDP_ENOTFOUND);
	assert_non_null(strstr(ldp_error_last()->message, p));
	free(p);
}

static void test_json_load_invalid(void **state)
{
	(void)state;
	char *p = tmp_path("bad.json");
	/* the error is at line 3: the value of "b" is missing */
	write_file(p, "{\n  \"a\": 1,\n  \"b\": ,\n}\n");
	json_t *v = NULL;
	assert_int_equal(ldp_json_load_file(p, &v), LDP_ECORRUPT);
	assert_null(v);
	char want[600];
	snprintf(want, sizeof want, "%s:3:", p);
	const char *m = ldp_error_last()->message;
	assert_non_null(strstr(m, want));
	/* "path:line:col" then the reason */
	const char *col = m + strlen(want);
	assert_true(*col >= '0' && *col <= '9');

	/* duplicate keys are rejected (metadata must be unambiguous) */
	write_file(p, "{\"a\": 1, \"a\": 2}");
	assert_int_equal(ldp_json_load_file(p, &v), LDP_ECORRUPT);

	/* a good file loads */
	write_file(p, "{\"a\": [1, 2, {\"b\": null}]}");
	assert_int_equal(ldp_json_load_file(p, &v), 0);
	assert_true(json_is_object(v));
	char *s = ldp_json_dumps(v, 0);
	assert_string_equal(s, "{\"a\":[1,2,{\"b\":null}]}");
	free(s);
	json_decref(v);
	remove(p);
	free(p);

	assert_int_equal(ldp_json_loads("[1,", 3, "request body", &v), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "request body:1:"));
}

static void test_json_getters(void **state)
{
	(void)state;
	const char *text = "{\"s\": \"str\", \"i\": 9007199254740993, \"neg\": -5, \"b\": true, \"f\": 1.5,"
			   " \"o\": {\"x\": 1}, \"a\": [1], \"n\": null}";
	json_t *v;
	assert_int_equal(ldp_json_loads(text, strlen(text), "doc", &v), 0);
	const char *s = NULL;
	int64_t i = 0;
	int b = 0;
	json_t *o = NULL, *a = NULL;
	assert_int_equal(ldp_json_get_string(v, "s", "doc", &s), 0);
	assert_string_equal(s, "str");
	assert_int_equal(ldp_json_get_int64(v, "i", "doc", &i), 0);
	assert_true(i == INT64_C(9007199254740993)); /* beyond double precision: read as an integer */
	assert_int_equal(ldp_json_get_int64(v, "neg", "doc", &i), 0);
	assert_true(i == -5);
	assert_int_equal(ldp_json_get_bool(v, "b", "doc", &b), 0);
	assert_true(b);
	assert_int_equal(ldp_json_get_object(v, "o", "doc", &o), 0);
	assert_true(json_is_object(o));
	assert_int_equal(ldp_json_get_array(v, "a", "doc", &a), 0);
	assert_int_equal(json_array_size(a), 1);

	/* wrong types name the field and the document */
	assert_int_equal(ldp_json_get_string(v, "i", "table metadata m.json", &s), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "table metadata m.json"));
	assert_non_null(strstr(ldp_error_last()->message, "'i'"));
	assert_non_null(strstr(ldp_error_last()->message, "string"));
	assert_int_equal(ldp_json_get_int64(v, "f", "doc", &i), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "'f'"));
	assert_int_equal(ldp_json_get_int64(v, "s", "doc", &i), LDP_ECORRUPT);
	assert_int_equal(ldp_json_get_bool(v, "i", "doc", &b), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "'i'"));
	assert_int_equal(ldp_json_get_object(v, "a", "doc", &o), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "'a'"));
	assert_int_equal(ldp_json_get_array(v, "o", "doc", &a), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "'o'"));
	assert_int_equal(ldp_json_opt_string(v, "i", "doc", &s), LDP_ECORRUPT);

	/* missing required fields (and null counts as missing) */
	assert_int_equal(ldp_json_get_string(v, "format-version", "doc", &s), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "'format-version'"));
	assert_non_null(strstr(ldp_error_last()->message, "missing"));
	assert_int_equal(ldp_json_get_int64(v, "n", "doc", &i), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "'n'"));
	assert_int_equal(ldp_json_get_object(v, "zz", "doc", &o), LDP_ECORRUPT);
	assert_int_equal(ldp_json_get_array(v, "zz", "doc", &a), LDP_ECORRUPT);

	/* optional getters leave *out unchanged when missing or null */
	s = "default";
	i = 77;
	b = 3;
	assert_int_equal(ldp_json_opt_string(v, "missing", "doc", &s), 0);
	assert_string_equal(s, "default");
	assert_int_equal(ldp_json_opt_int64(v, "n", "doc", &i), 0);
	assert_true(i == 77);
	assert_int_equal(ldp_json_opt_bool(v, "missing", "doc", &b), 0);
	assert_int_equal(b, 3);
	assert_int_equal(ldp_json_opt_int64(v, "neg", "doc", &i), 0);
	assert_true(i == -5);

	/* a non-object is reported, not dereferenced */
	assert_int_equal(ldp_json_get_string(a, "x", "the list", &s), LDP_ECORRUPT);
	assert_non_null(strstr(ldp_error_last()->message, "the list"));
	json_decref(v);
}

/* Check that `s` (len bytes) serialises to `want`, and that jansson reads it back as s. */
static void check_json_string(const char *s, size_t len, const char *want)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_json_append_string(&b, s, len);
	assert_string_equal(ldp_buf_cstr(&b), want);
	json_error_t e;
	json_t *v = json_loadb(b.ptr, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	assert_non_null(v);
	assert_true(json_is_string(v));
	assert_int_equal(json_string_length(v), len);
	assert_memory_equal(json_string_value(v), s, len);
	json_decref(v);
	ldp_buf_free(&b);
}

static void test_json_append_string(void **state)
{
	(void)state;
	check_json_string("", 0, "\"\"");
	check_json_string("plain", 5, "\"plain\"");
	check_json_string("say \"hi\"", 8, "\"say \\\"hi\\\"\"");
	check_json_string("back\\slash", 10, "\"back\\\\slash\"");
	check_json_string("a\nb\rc\td\be\ff", 11, "\"a\\nb\\rc\\td\\be\\ff\"");
	check_json_string("\x01\x1f", 2, "\"\\u0001\\u001f\"");
	check_json_string("nul\0in", 6, "\"nul\\u0000in\"");
	/* UTF-8 passes through unchanged (valid JSON text), as does DEL and '/' */
	check_json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	check_json_string("\x7f/", 2, "\"\x7f/\"");
}

/* ---- log.h ---- */

struct captured {
	int n;
	ldp_log_level last_level;
	char last[256];
};

static void capture_sink(ldp_log_level level, const char *msg, void *userdata)
{
	struct captured *c = userdata;
	c->n++;
	c->last_level = level;
	snprintf(c->last, sizeof c->last, "%s", msg);
}

static void test_log_parse_levels(void **state)
{
	(void)state;
	static const struct { const char *name; ldp_log_level lvl; } ok[] = {
		{"error", LDP_LOG_ERROR}, {"warn", LDP_LOG_WARN}, {"warning", LDP_LOG_WARN}, {"info", LDP_LOG_INFO},
		{"debug", LDP_LOG_DEBUG}, {"trace", LDP_LOG_TRACE}, {"DEBUG", LDP_LOG_DEBUG}, {"Info", LDP_LOG_INFO},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ldp_log_level l = (ldp_log_level)-1;
		assert_int_equal(ldp_log_parse_level(ok[i].name, &l), 0);
		assert_int_equal(l, ok[i].lvl);
	}
	ldp_log_level l = LDP_LOG_INFO;
	assert_int_equal(ldp_log_parse_level("verbose", &l), LDP_EINVALID);
	assert_int_equal(l, LDP_LOG_INFO);
	assert_non_null(strstr(ldp_error_last()->message, "verbose"));
	assert_int_equal(ldp_log_parse_level("", &l), LDP_EINVALID);
	ldp_error_clear();
}

static void test_log_env(void **state)
{
	(void)state;
	ldp_log_level saved = ldp_log_get_level();
	setenv("LDP_LOG", "debug", 1);
	assert_int_equal(ldp_log_init_from_env(), 0);
	assert_int_equal(ldp_log_get_level(), LDP_LOG_DEBUG);
	/* unknown values select warn, and say so */
	setenv("LDP_LOG", "loud", 1);
	assert_int_equal(ldp_log_init_from_env(), LDP_EINVALID);
	assert_int_equal(ldp_log_get_level(), LDP_LOG_WARN);
	unsetenv("LDP_LOG");
	ldp_log_set_level(saved);
	ldp_error_clear();
}

static void test_log_sink_filtering(void **state)
{
	(void)state;
	struct captured c = {0};
	ldp_log_level saved = ldp_log_get_level();
	ldp_log_set_sink(capture_sink, &c);

	ldp_log_set_level(LDP_LOG_WARN);
	ldp_log(LDP_LOG_ERROR, "e %d", 1);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.last_level, LDP_LOG_ERROR);
	assert_string_equal(c.last, "e 1");
	LDP_WARN("w %s", "x");
	assert_int_equal(c.n, 2);
	assert_string_equal(c.last, "w x");
	LDP_INFO("not shown");
	LDP_DEBUG("not shown");
	ldp_log(LDP_LOG_TRACE, "not shown");
	assert_int_equal(c.n, 2);
	assert_false(ldp_log_enabled(LDP_LOG_INFO));
	assert_true(ldp_log_enabled(LDP_LOG_WARN));

	ldp_log_set_level(LDP_LOG_DEBUG);
	LDP_INFO("i");
	LDP_DEBUG("d %d", 4);
	ldp_log(LDP_LOG_TRACE, "not shown");
	assert_int_equal(c.n, 4);
	assert_int_equal(c.last_level, LDP_LOG_DEBUG);
	assert_string_equal(c.last, "d 4");

	ldp_log_set_level(LDP_LOG_ERROR);
	LDP_WARN("not shown");
	assert_int_equal(c.n, 4);

	/* long messages are cut, not overflowed */
	ldp_log_set_level(LDP_LOG_TRACE);
	char big[5000];
	memset(big, 'm', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ldp_log(LDP_LOG_TRACE, "%s", big);
	assert_int_equal(c.n, 5);
	assert_int_equal(c.last[0], 'm');

	ldp_log_set_sink(NULL, NULL);
	ldp_log_set_level(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_set_and_clear),
		cmocka_unit_test(test_error_wrap_chain),
		cmocka_unit_test(test_error_long_message),
		cmocka_unit_test(test_error_per_thread),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_status_is_user_error),
		cmocka_unit_test(test_buf_appends),
		cmocka_unit_test(test_buf_printf_large),
		cmocka_unit_test(test_buf_sql_quoting),
		cmocka_unit_test(test_buf_detach_truncate),
		cmocka_unit_test(test_arena_small_allocs),
		cmocka_unit_test(test_arena_big_allocs),
		cmocka_unit_test(test_arena_alignment),
		cmocka_unit_test(test_arena_strings),
		cmocka_unit_test(test_arena_reset_reuse),
		cmocka_unit_test(test_json_load_missing),
		cmocka_unit_test(test_json_load_invalid),
		cmocka_unit_test(test_json_getters),
		cmocka_unit_test(test_json_append_string),
		cmocka_unit_test(test_log_parse_levels),
		cmocka_unit_test(test_log_env),
		cmocka_unit_test(test_log_sink_filtering),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
