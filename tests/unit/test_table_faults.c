/*
 * Fault injection in the table write path (table/table.h): the catalog swap
 * fails, or another commit sneaks in between writing the new metadata and the
 * swap. ARCHITECTURE.md's promise under test: a failed write leaves the
 * catalog pointer where it was, removes every file it wrote (data files,
 * manifests, manifest lists, metadata), and the table reads its old rows; a
 * lost race is retried on the new base and both commits survive.
 *
 * Expected row counts and id sums are computed here from the generating
 * queries (range(n) has sum n(n-1)/2), independently of the code under test.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog/catalog.h"
#include "format/model.h"
#include "format/schema.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/json.h"
#include "ldp/project.h"
#include "table/table.h"
#include "table/warehouse.h"

/* ---- fixture: a project with table ns.t holding two appends ---- */

typedef struct fault {
	int fail_with;  /* status the catalog swap hook returns; 0 = let it pass */
	int times;      /* how many more swaps to fail (-1: all) */
	int calls;
} fault;

static int swap_fault(void *ctx, const char *ns, const char *table, const char *new_location)
{
	(void)ns;
	(void)table;
	(void)new_location;
	fault *f = ctx;
	f->calls++;
	if (!f->fail_with || f->times == 0)
		return 0;
	if (f->times > 0)
		f->times--;
	return f->fail_with;
}

typedef struct fixture {
	char dir[512];
	char table_dir[600];
	ldp_project *project;
	ldp_warehouse *wh;
	fault fault;
	ldp_ident id;
} fixture;

static const char *SCHEMA_JSON = "{\"type\":\"struct\",\"schema-id\":0,\"fields\":["
				 "{\"id\":1,\"name\":\"id\",\"required\":true,\"type\":\"long\"},"
				 "{\"id\":2,\"name\":\"k\",\"required\":false,\"type\":\"int\"}]}";

static void check(int rc, const char *what)
{
	if (rc)
		fail_msg("%s: %s", what, ldp_error_last()->message);
}

/* A warehouse whose catalog connection carries the fault hook. */
static ldp_warehouse *open_wh(fixture *fx, int with_fault)
{
	ldp_warehouse *wh = NULL;
	check(ldp_warehouse_open(fx->project, &wh), "opening the warehouse");
	if (with_fault) {
		ldp_catalog_free(wh->catalog);
		wh->catalog = NULL;
		ldp_catalog_options o = {0};
		o.swap_fault = swap_fault;
		o.swap_fault_ctx = &fx->fault;
		check(ldp_catalog_open(fx->project->catalog_uri, fx->project->catalog_name, &o, &wh->catalog),
		      "opening the catalog with a fault hook");
	}
	return wh;
}

static void append(ldp_warehouse *wh, const ldp_ident *id, const char *sql)
{
	ldp_write_options o = {0};
	o.mode = LDP_WRITE_APPEND;
	ldp_write_result r;
	check(ldp_table_write(wh, id, sql, &o, &r), sql);
}

static fixture *setup(const char *name, const char *partition_by)
{
	fixture *fx = calloc(1, sizeof *fx);
	assert_non_null(fx);
	snprintf(fx->dir, sizeof fx->dir, "%s/table_faults/%s", LDP_TEST_TMP, name);
	ldp_io_remove_tree(fx->dir);
	check(ldp_project_init(fx->dir, "faults", &fx->project), "creating the project");
	fx->wh = open_wh(fx, 1);
	check(ldp_catalog_create_namespace(fx->wh->catalog, "ns", NULL, 0), "creating ns");
	check(ldp_ident_parse("ns.t", &fx->id), "ns.t");
	snprintf(fx->table_dir, sizeof fx->table_dir, "%s/warehouse/ns/t", fx->dir);

	ldp_arena a;
	ldp_arena_init(&a, 0);
	json_error_t je;
	json_t *j = json_loads(SCHEMA_JSON, 0, &je);
	assert_non_null(j);
	ldp_schema *schema = NULL;
	check(ldp_schema_parse(&a, j, "test schema", &schema), "parsing the schema");
	ldp_create_options co = {0};
	co.schema = schema;
	co.partition_by = partition_by;
	ldp_table *t = NULL;
	check(ldp_table_create(fx->wh, &fx->id, &co, &t), "creating ns.t");
	ldp_table_free(t);
	json_decref(j);
	ldp_arena_free(&a);

	/* 10 rows (ids 0..9, k = id % 3) and 5 rows (ids 100..104, k = 1) */
	append(fx->wh, &fx->id, "select range::bigint as id, (range % 3)::int as k from range(10)");
	append(fx->wh, &fx->id, "select (100 + range)::bigint as id, 1 as k from range(5)");
	fx->fault.calls = 0; /* count only the swaps of the write under test */
	return fx;
}

static void teardown(fixture *fx)
{
	ldp_warehouse_free(fx->wh);
	ldp_project_free(fx->project);
	ldp_io_remove_tree(fx->dir);
	free(fx);
	ldp_error_clear();
}

/* ---- observations ---- */

static char *pointer(fixture *fx)
{
	char *loc = NULL;
	check(ldp_catalog_load_table(fx->wh->catalog, "ns", "t", &loc, NULL), "loading the pointer");
	return loc;
}

/* The rows of the current snapshot, read the way `ldp sql` reads them. */
static void rows(fixture *fx, int64_t *count, int64_t *id_sum)
{
	ldp_table *t = NULL;
	check(ldp_table_load(fx->wh, &fx->id, &t), "loading ns.t");
	ldp_scan_plan plan;
	memset(&plan, 0, sizeof plan);
	check(ldp_table_plan(fx->wh, t, NULL, &plan), "planning ns.t");
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_puts(&q, "select count(*)::varchar || ' ' || coalesce(sum(id), 0)::varchar from (");
	check(ldp_scan_plan_sql(&plan, &q), "scan sql");
	ldp_buf_puts(&q, ")");
	ldp_engine *e = NULL;
	check(ldp_warehouse_engine(fx->wh, &e), "engine");
	char *text = NULL;
	check(ldp_engine_query_text(e, ldp_buf_cstr(&q), &text), ldp_buf_cstr(&q));
	assert_non_null(text);
	long long c = -1, s = -1;
	assert_int_equal(sscanf(text, "%lld %lld", &c, &s), 2);
	*count = c;
	*id_sum = s;
	/* the plan's own total agrees with what DuckDB read */
	assert_int_equal(plan.total_records, c);
	free(text);
	ldp_buf_free(&q);
	ldp_scan_plan_clear(&plan);
	ldp_table_free(t);
}

static int64_t n_snapshots(fixture *fx, int64_t *current, int64_t *parent_of_current)
{
	ldp_table *t = NULL;
	check(ldp_table_load(fx->wh, &fx->id, &t), "loading ns.t");
	int64_t n = (int64_t)t->meta->nsnapshots;
	const ldp_snapshot *cur = NULL;
	check(ldp_table_resolve_snapshot(t, NULL, &cur), "current snapshot");
	if (current)
		*current = cur ? cur->snapshot_id : -1;
	if (parent_of_current)
		*parent_of_current = cur ? cur->parent_id : -1;
	ldp_table_free(t);
	return n;
}

/* Every regular file under the table directory, as one sorted string. */
static char files_buf[1 << 16];
static size_t files_len;
static int collect(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_F) {
		size_t n = strlen(path);
		assert_true(files_len + n + 2 < sizeof files_buf);
		memcpy(files_buf + files_len, path, n);
		files_len += n;
		files_buf[files_len++] = '\n';
		files_buf[files_len] = '\0';
	}
	return 0;
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *table_files(fixture *fx)
{
	files_len = 0;
	files_buf[0] = '\0';
	assert_int_equal(nftw(fx->table_dir, collect, 16, FTW_PHYS), 0);
	/* sort the lines so two listings compare as sets */
	char *copy = strdup(files_buf);
	char *lines[4096];
	size_t n = 0;
	for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		assert_true(n < 4096);
		lines[n++] = l;
	}
	qsort(lines, n, sizeof *lines, cmp_lines);
	ldp_buf b = LDP_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		ldp_buf_printf(&b, "%s\n", lines[i]);
	free(copy);
	return ldp_buf_detach(&b);
}

static size_t count_matching(const char *listing, const char *needle)
{
	size_t n = 0;
	for (const char *p = listing; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* A write that must fail with `want` and change nothing at all. */
static void expect_failed_write_changes_nothing(fixture *fx, ldp_write_mode mode, const char *sql,
						ldp_write_options *o, int want, const char *needle)
{
	char *ptr_before = pointer(fx);
	char *files_before = table_files(fx);
	int64_t c0, s0, cur0;
	rows(fx, &c0, &s0);
	int64_t n0 = n_snapshots(fx, &cur0, NULL);

	o->mode = mode;
	ldp_write_result r;
	int rc = ldp_table_write(fx->wh, &fx->id, sql, o, &r);
	assert_int_equal(rc, want);
	const char *msg = ldp_error_last()->message;
	if (!strstr(msg, "ns.t"))
		fail_msg("the error does not name the table: %s", msg);
	if (needle && !strstr(msg, needle))
		fail_msg("the error lacks '%s': %s", needle, msg);
	ldp_error_clear();

	char *ptr_after = pointer(fx);
	assert_string_equal(ptr_after, ptr_before);
	char *files_after = table_files(fx);
	if (strcmp(files_after, files_before) != 0)
		fail_msg("files changed by a failed write.\nbefore:\n%s\nafter:\n%s", files_before, files_after);
	int64_t c1, s1, cur1;
	rows(fx, &c1, &s1);
	assert_int_equal(c1, c0);
	assert_int_equal(s1, s0);
	assert_int_equal(n_snapshots(fx, &cur1, NULL), n0);
	assert_int_equal(cur1, cur0);
	free(ptr_before);
	free(ptr_after);
	free(files_before);
	free(files_after);
}

/* ---- the swap fails ---- */

static const char *NEW_ROWS = "select (1000 + range)::bigint as id, (range % 3)::int as k from range(7)";

static void test_fixture_rows(void **state)
{
	(void)state;
	fixture *fx = setup("fixture", NULL);
	int64_t c, s;
	rows(fx, &c, &s);
	assert_int_equal(c, 15);
	assert_int_equal(s, 45 + 510); /* 0+..+9, 100+..+104 */
	assert_int_equal(n_snapshots(fx, NULL, NULL), 2);
	teardown(fx);
}

static void swap_eio(const char *name, const char *partition_by, ldp_write_mode mode)
{
	fixture *fx = setup(name, partition_by);
	fx->fault.fail_with = LDP_EIO;
	fx->fault.times = -1;
	ldp_write_options o = {0};
	expect_failed_write_changes_nothing(fx, mode, NEW_ROWS, &o, LDP_EIO, "injected");
	/* an I/O failure is not a conflict: one attempt, no retries */
	assert_int_equal(fx->fault.calls, 1);
	/* and once the fault is gone the same write goes through */
	fx->fault.fail_with = 0;
	o.mode = mode;
	ldp_write_result r;
	check(ldp_table_write(fx->wh, &fx->id, NEW_ROWS, &o, &r), "write after the fault");
	int64_t c, s;
	rows(fx, &c, &s);
	int64_t new_sum = 7 * 1000 + 21;
	if (mode == LDP_WRITE_APPEND) {
		assert_int_equal(c, 15 + 7);
		assert_int_equal(s, 555 + new_sum);
	} else if (mode == LDP_WRITE_OVERWRITE) {
		assert_int_equal(c, 7);
		assert_int_equal(s, new_sum);
	} else {
		/* the new rows cover k = 0, 1, 2: every partition of the old rows */
		assert_int_equal(c, 7);
		assert_int_equal(s, new_sum);
	}
	teardown(fx);
}

static void test_swap_eio_append(void **state)
{
	(void)state;
	swap_eio("eio_append", NULL, LDP_WRITE_APPEND);
}

static void test_swap_eio_append_partitioned(void **state)
{
	(void)state;
	swap_eio("eio_append_part", "k, bucket(4, id)", LDP_WRITE_APPEND);
}

static void test_swap_eio_overwrite(void **state)
{
	(void)state;
	swap_eio("eio_overwrite", NULL, LDP_WRITE_OVERWRITE);
}

static void test_swap_eio_dynamic_overwrite(void **state)
{
	(void)state;
	swap_eio("eio_dynamic", "k", LDP_WRITE_OVERWRITE_DYNAMIC);
}

static int fail_before_swap(void *ctx)
{
	int *calls = ctx;
	(*calls)++;
	return ldp_error_set(LDP_EIO, "injected failure before the swap");
}

static void test_before_swap_eio(void **state)
{
	(void)state;
	fixture *fx = setup("before_swap_eio", "k");
	int calls = 0;
	ldp_write_options o = {0};
	o.before_swap = fail_before_swap;
	o.before_swap_ctx = &calls;
	expect_failed_write_changes_nothing(fx, LDP_WRITE_OVERWRITE, NEW_ROWS, &o, LDP_EIO, "injected");
	assert_int_equal(calls, 1);
	assert_int_equal(fx->fault.calls, 0); /* the catalog was never asked */
	teardown(fx);
}

/* Every swap conflicts: the write retries commit.retry.num-retries times
 * (default 4), then gives up with LDP_ECONFLICT and leaves nothing behind. */
static void test_conflict_forever_gives_up(void **state)
{
	(void)state;
	fixture *fx = setup("conflict_forever", "k");
	fx->fault.fail_with = LDP_ECONFLICT;
	fx->fault.times = -1;
	ldp_write_options o = {0};
	expect_failed_write_changes_nothing(fx, LDP_WRITE_APPEND, NEW_ROWS, &o, LDP_ECONFLICT,
					    "gave up after 5 attempts");
	assert_int_equal(fx->fault.calls, 5);
	teardown(fx);
}

/* ---- a real conflict: another commit lands inside before_swap ---- */

typedef struct sneak {
	fixture *fx;
	ldp_warehouse *other; /* another writer: its own catalog connection and engine */
	const char *sql;
	int fired;
	int calls;
	int64_t snapshot_id;
} sneak;

static int sneak_in(void *ctx)
{
	sneak *s = ctx;
	s->calls++;
	if (s->fired)
		return 0;
	s->fired = 1;
	ldp_write_options o = {0};
	o.mode = LDP_WRITE_APPEND;
	ldp_write_result r;
	int rc = ldp_table_write(s->other, &s->fx->id, s->sql, &o, &r);
	s->snapshot_id = r.snapshot_id;
	return rc;
}

static void conflict_once(const char *name, const char *partition_by, ldp_write_mode mode, const char *theirs,
			  int64_t want_count, int64_t want_sum)
{
	fixture *fx = setup(name, partition_by);
	char *files_before = table_files(fx);
	int64_t n0 = n_snapshots(fx, NULL, NULL);
	sneak s = {0};
	s.fx = fx;
	s.other = open_wh(fx, 0);
	s.sql = theirs;
	ldp_write_options o = {0};
	o.mode = mode;
	o.before_swap = sneak_in;
	o.before_swap_ctx = &s;
	ldp_write_result r;
	check(ldp_table_write(fx->wh, &fx->id, NEW_ROWS, &o, &r), "the write that loses the first race");
	assert_int_equal(s.fired, 1);
	assert_int_equal(s.calls, 2);
	assert_int_equal(r.attempts, 2);

	/* both commits, ours on top of theirs */
	int64_t cur, parent;
	assert_int_equal(n_snapshots(fx, &cur, &parent), n0 + 2);
	assert_int_equal(cur, r.snapshot_id);
	assert_int_equal(parent, s.snapshot_id);
	int64_t c, sum;
	rows(fx, &c, &sum);
	assert_int_equal(c, want_count);
	assert_int_equal(sum, want_sum);

	/* The lost attempt's manifest list and metadata file were removed: the
	 * table holds exactly one metadata file per commit (plus the creating one)
	 * and one manifest list per snapshot. */
	char *files_after = table_files(fx);
	assert_int_equal(count_matching(files_after, ".metadata.json"), 1 + n0 + 2);
	assert_int_equal(count_matching(files_after, "/snap-"), n0 + 2);
	assert_int_equal(count_matching(files_before, ".metadata.json"), 1 + n0);
	free(files_before);
	free(files_after);
	ldp_warehouse_free(s.other);
	teardown(fx);
}

static const char *THEIRS = "select (500 + range)::bigint as id, 2 as k from range(4)"; /* 4 rows, sum 2006 */

static void test_conflict_once_append(void **state)
{
	(void)state;
	conflict_once("conflict_append", NULL, LDP_WRITE_APPEND, THEIRS, 15 + 4 + 7, 555 + 2006 + 7021);
}

static void test_conflict_once_append_partitioned(void **state)
{
	(void)state;
	conflict_once("conflict_append_part", "k, bucket(4, id)", LDP_WRITE_APPEND, THEIRS, 15 + 4 + 7,
		      555 + 2006 + 7021);
}

/* An overwrite that lost the race re-applies its meaning on the new base: the
 * table holds exactly its rows, the sneaked-in append included in what it
 * replaced. */
static void test_conflict_once_overwrite(void **state)
{
	(void)state;
	conflict_once("conflict_overwrite", NULL, LDP_WRITE_OVERWRITE, THEIRS, 7, 7021);
}

/* A dynamic overwrite replaces the partitions its rows touch, recomputed on
 * the new base: theirs went to k = 5, which the new rows (k = 0, 1, 2) leave. */
static void test_conflict_once_dynamic_overwrite(void **state)
{
	(void)state;
	conflict_once("conflict_dynamic", "k", LDP_WRITE_OVERWRITE_DYNAMIC,
		      "select (500 + range)::bigint as id, 5 as k from range(4)", 7 + 4, 7021 + 2006);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_rows),
		cmocka_unit_test(test_swap_eio_append),
		cmocka_unit_test(test_swap_eio_append_partitioned),
		cmocka_unit_test(test_swap_eio_overwrite),
		cmocka_unit_test(test_swap_eio_dynamic_overwrite),
		cmocka_unit_test(test_before_swap_eio),
		cmocka_unit_test(test_conflict_forever_gives_up),
		cmocka_unit_test(test_conflict_once_append),
		cmocka_unit_test(test_conflict_once_append_partitioned),
		cmocka_unit_test(test_conflict_once_overwrite),
		cmocka_unit_test(test_conflict_once_dynamic_overwrite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
