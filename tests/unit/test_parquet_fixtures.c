/* Every Parquet fixture counted two independent ways: DuckDB's own C API
 * (no ldp code involved) and the real `ldp sql` binary. Plus the CLI's error
 * contract: exit code 1 and exactly one line on stderr. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <duckdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* count(*) of a file straight through DuckDB's C API. */
static long long duckdb_count(duckdb_connection con, const char *path)
{
	char sql[2048];
	snprintf(sql, sizeof sql, "select count(*) from '%s'", path);
	duckdb_result res;
	if (duckdb_query(con, sql, &res) != DuckDBSuccess) {
		print_error("duckdb: %s: %s\n", path, duckdb_result_error(&res));
		duckdb_destroy_result(&res);
		return -1;
	}
	long long n = (long long)duckdb_value_int64(&res, 0, 0);
	duckdb_destroy_result(&res);
	return n;
}

/* Run a shell command; capture stdout (and stderr, if asked) into malloc'd strings. */
static int run(const char *cmd, char **out, char **err)
{
	char errfile[512], full[4096];
	mkdir(LDP_TEST_TMP, 0777);
	snprintf(errfile, sizeof errfile, "%s/fixtures-stderr.txt", LDP_TEST_TMP);
	snprintf(full, sizeof full, "%s 2>'%s'", cmd, errfile);
	FILE *p = popen(full, "r");
	assert_non_null(p);
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	buf[len] = '\0';
	int st = pclose(p);
	*out = buf;
	if (err) {
		FILE *f = fopen(errfile, "rb");
		assert_non_null(f);
		char *e = calloc(1, 65536);
		size_t m = fread(e, 1, 65535, f);
		e[m] = '\0';
		fclose(f);
		*err = e;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

static void test_counts_match(void **state)
{
	(void)state;
	duckdb_database db;
	duckdb_connection con;
	assert_int_equal(duckdb_open(NULL, &db), DuckDBSuccess);
	assert_int_equal(duckdb_connect(db, &con), DuckDBSuccess);

	const char *dir = LDP_FIXTURES "/parquet-testing";
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	int nfiles = 0, failures = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[1024], cmd[3000];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		long long want = duckdb_count(con, path);
		if (want < 0) {
			failures++;
			continue;
		}
		snprintf(cmd, sizeof cmd, "'%s' sql --format csv --no-header \"select count(*) from '%s'\"", LDP_BIN,
			 path);
		char *out = NULL, *err = NULL;
		int rc = run(cmd, &out, &err);
		char want_s[32];
		snprintf(want_s, sizeof want_s, "%lld\n", want);
		if (rc != 0 || strcmp(out, want_s) != 0) {
			print_error("%s: DuckDB counts %lld; ldp exit %d, stdout '%s', stderr '%s'\n", de->d_name, want,
				    rc, out, err);
			failures++;
		}
		free(out);
		free(err);
		nfiles++;
	}
	closedir(d);
	duckdb_disconnect(&con);
	duckdb_close(&db);
	assert_true(nfiles >= 10);
	assert_int_equal(failures, 0);
}

static void test_missing_file_error(void **state)
{
	(void)state;
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cd '%s' && '%s' sql \"select * from 'missing.parquet'\"", LDP_TEST_TMP, LDP_BIN);
	mkdir(LDP_TEST_TMP, 0777);
	char *out = NULL, *err = NULL;
	int rc = run(cmd, &out, &err);
	assert_int_equal(rc, 1);
	assert_string_equal(out, "");
	assert_int_equal(count_lines(err), 1);
	assert_non_null(strstr(err, "missing.parquet"));
	free(out);
	free(err);
}

static void test_bad_sql_error(void **state)
{
	(void)state;
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "'%s' sql \"selec 1 frm nowhere\"", LDP_BIN);
	char *out = NULL, *err = NULL;
	int rc = run(cmd, &out, &err);
	assert_int_equal(rc, 1);
	assert_string_equal(out, "");
	assert_int_equal(count_lines(err), 1);
	assert_non_null(strstr(err, "selec"));
	free(out);
	free(err);

	/* a failing second statement of a script: still one line, and it says which */
	snprintf(cmd, sizeof cmd, "'%s' sql --format csv \"select 1 as a; select nope from range(3)\"", LDP_BIN);
	rc = run(cmd, &out, &err);
	assert_int_equal(rc, 1);
	assert_int_equal(count_lines(err), 1);
	assert_non_null(strstr(err, "statement 2"));
	assert_non_null(strstr(err, "nope"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_match),
		cmocka_unit_test(test_missing_file_error),
		cmocka_unit_test(test_bad_sql_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
