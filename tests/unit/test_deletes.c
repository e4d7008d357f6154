/*
 * Reading tables with delete files (table/deletes.c) and committing them
 * (ldp_table_write_rowlevel): the spec's scoping rules ("Scan Planning"),
 * with expected rows worked out by hand from the rules:
 *  - an equality delete applies to data files with a data sequence number
 *    strictly lower than its own, in its partition; NULL matches NULL;
 *  - a position delete applies to data files with a sequence number <= its
 *    own, in its partition (a position delete filed under another partition
 *    does not apply even when it names the file).
 * Also: a copy-on-write commit whose file was removed meanwhile fails with
 * nothing committed, and one planned before a new delete file fails too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format/metadata.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"
#include "format/schema.h"
#include "table/table.h"

#define OK(call)                                                                          \
	do {                                                                              \
		int rc_ = (call);                                                         \
		if (rc_)                                                                  \
			fail_msg("%s: %d %s", #call, rc_, ldp_error_last()->message); \
	} while (0)

static ldp_project *P;
static ldp_warehouse *WH;

static ldp_ident ident(const char *name)
{
	ldp_ident id;
	memset(&id, 0, sizeof id);
	snprintf(id.ns, sizeof id.ns, "db");
	snprintf(id.name, sizeof id.name, "%s", name);
	return id;
}

static ldp_engine *eng(void)
{
	ldp_engine *e = NULL;
	OK(ldp_warehouse_engine(WH, &e));
	return e;
}

static char *text(const char *sql)
{
	char *s = NULL;
	OK(ldp_engine_query_text(eng(), sql, &s));
	return s;
}

static void open_project(const char *name)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/deletes_%s", LDP_TEST_TMP, name);
	ldp_io_remove_tree(dir);
	OK(ldp_project_init(dir, name, &P));
	OK(ldp_warehouse_open(P, &WH));
	OK(ldp_catalog_create_namespace(WH->catalog, "db", NULL, 0));
}

static void close_project(void)
{
	ldp_warehouse_free(WH);
	ldp_project_free(P);
	WH = NULL;
	P = NULL;
}

static void create_table(const char *name)
{
	ldp_arena a;
	ldp_arena_init(&a, 0);
	ldp_result *r = NULL;
	ldp_schema *s = NULL;
	OK(ldp_engine_query(eng(), "SELECT 1::BIGINT AS id, 1::INTEGER AS k, 'x' AS s LIMIT 0", &r));
	OK(ldp_schema_from_duckdb_result(&a, r, &s));
	ldp_result_free(r);
	ldp_create_options o;
	memset(&o, 0, sizeof o);
	o.schema = s;
	o.partition_by = "k";
	ldp_ident id = ident(name);
	ldp_table *t = NULL;
	OK(ldp_table_create(WH, &id, &o, &t));
	ldp_table_free(t);
	ldp_arena_free(&a);
}

static void append(const char *name, const char *sql)
{
	ldp_write_options o;
	memset(&o, 0, sizeof o);
	ldp_write_result res;
	ldp_ident id = ident(name);
	OK(ldp_table_write(WH, &id, sql, &o, &res));
}

/* The table's rows as "id:s,id:s,..." ordered by id, s. */
static char *rows(const char *name)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT string_agg(id || ':' || coalesce(s, 'NULL'), ',' ORDER BY id, s) FROM db.%s", name);
	OK(ldp_warehouse_bind_sql(WH, sql));
	return text(sql);
}

/* The data file of partition k=<k> added by the n-th append (plan order). */
static char *data_file(const char *name, int k, const char *having_id)
{
	ldp_ident id = ident(name);
	ldp_table *t = NULL;
	OK(ldp_table_load(WH, &id, &t));
	ldp_scan_plan plan;
	OK(ldp_table_plan(WH, t, NULL, &plan));
	char want[16];
	snprintf(want, sizeof want, "k=%d", k);
	char *hit = NULL;
	for (size_t i = 0; i < plan.nfiles && !hit; i++) {
		if (strcmp(plan.files[i].partition, want) != 0)
			continue;
		char sql[4096];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s') WHERE id IN (%s)",
			 plan.files[i].path, having_id);
		char *c = text(sql);
		if (c && atoi(c) > 0)
			hit = strdup(plan.files[i].path);
		free(c);
	}
	ldp_scan_plan_clear(&plan);
	ldp_table_free(t);
	assert_non_null(hit);
	return hit;
}

typedef struct del {
	ldp_data_file_entry e;
	ldp_value part;
	int32_t eq_id;
} del;

/* Write a delete file of `select_sql` (columns with the given field ids)
 * filed under partition k=<k>. */
static void make_delete(del *d, const char *name, int idx, ldp_content content, int k, const char *select_sql,
			const ldp_field_id *ids, size_t nids, int32_t eq_id)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/db/%s/data/del-%d.parquet", P->warehouse, name, idx);
	ldp_parquet_options po;
	memset(&po, 0, sizeof po);
	po.field_ids = ids;
	po.nfield_ids = nids;
	ldp_data_files *f = NULL;
	OK(ldp_engine_write_parquet(eng(), select_sql, path, &po, &f));
	memset(d, 0, sizeof *d);
	d->part.type = LDP_T_INT;
	d->part.v.i32 = k;
	d->eq_id = eq_id;
	d->e.content = content;
	d->e.file_path = strdup(path);
	d->e.file_format = "PARQUET";
	d->e.npartition = 1;
	d->e.partition = &d->part;
	d->e.record_count = f->files[0].record_count;
	d->e.file_size_in_bytes = f->files[0].file_size;
	d->e.sort_order_id = -1;
	if (content == LDP_CONTENT_EQUALITY_DELETES) {
		d->e.nequality_ids = 1;
		d->e.equality_ids = &d->eq_id;
	}
	ldp_data_files_free(f);
}

static int commit_deletes(const char *name, const char *data_sql, del *ds, size_t n, int64_t read_snapshot)
{
	ldp_data_file_entry es[8];
	int32_t specs[8];
	for (size_t i = 0; i < n; i++) {
		es[i] = ds[i].e;
		specs[i] = 0;
	}
	ldp_write_rowlevel rl;
	memset(&rl, 0, sizeof rl);
	rl.add_deletes = es;
	rl.add_delete_spec_ids = specs;
	rl.nadd_deletes = n;
	rl.read_snapshot_id = read_snapshot;
	ldp_write_options o;
	memset(&o, 0, sizeof o);
	ldp_write_result res;
	ldp_ident id = ident(name);
	return ldp_table_write_rowlevel(WH, &id, data_sql ? data_sql : "SELECT 1::BIGINT AS id, 0 AS k, 'x' AS s LIMIT 0",
					&o, &rl, &res);
}

static void free_dels(del *ds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)ds[i].e.file_path);
}

static int64_t current_snapshot(const char *name)
{
	ldp_ident id = ident(name);
	ldp_table *t = NULL;
	OK(ldp_table_load(WH, &id, &t));
	int64_t s = t->meta->current_snapshot_id;
	ldp_table_free(t);
	return s;
}

static void expect_rows(const char *name, const char *want)
{
	char *got = rows(name);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("rows of %s: got %s want %s", name, got, want);
	free(got);
}

static void test_sequence_and_partition_scoping(void **state)
{
	(void)state;
	open_project("scope");
	create_table("t");
	/* seq 1: ids 1..10, k = id % 2, id 9 has s NULL */
	append("t", "SELECT range AS id, CAST(range % 2 AS INTEGER) AS k, CASE WHEN range = 9 THEN NULL ELSE 'a' || range END AS s FROM range(1, 11)");
	expect_rows("t", "1:a1,2:a2,3:a3,4:a4,5:a5,6:a6,7:a7,8:a8,9:NULL,10:a10");

	/* seq 2: equality deletes. E1 on id, filed under k=0, values 2 and 3:
	 * only id 2 is in k=0. E2 on s, under k=1, value NULL: deletes id 9. */
	static const ldp_field_id id_ids[] = {{"id", 1, 0, NULL}};
	static const ldp_field_id s_ids[] = {{"s", 3, 0, NULL}};
	del eq[2];
	make_delete(&eq[0], "t", 1, LDP_CONTENT_EQUALITY_DELETES, 0, "SELECT * FROM (VALUES (2::BIGINT), (3::BIGINT)) v(id)", id_ids, 1, 1);
	make_delete(&eq[1], "t", 2, LDP_CONTENT_EQUALITY_DELETES, 1, "SELECT CAST(NULL AS VARCHAR) AS s", s_ids, 1, 3);
	OK(commit_deletes("t", NULL, eq, 2, current_snapshot("t")));
	expect_rows("t", "1:a1,3:a3,4:a4,5:a5,6:a6,7:a7,8:a8,10:a10");

	/* seq 3: id 2 comes back (2 is not < 2's delete... the data is newer: 3 > 2) */
	append("t", "SELECT * FROM (VALUES (2::BIGINT, 0, 'b2'), (4::BIGINT, 0, 'b4')) v(id, k, s)");
	expect_rows("t", "1:a1,2:b2,3:a3,4:a4,4:b4,5:a5,6:a6,7:a7,8:a8,10:a10");

	/* seq 4: position deletes. P1 under k=0 names the new file's row of id 4
	 * and the first file's row of id 6; P2 under k=1 names the first k=0
	 * file's row of id 8, which the partition rule keeps from applying. */
	char *fb = data_file("t", 0, "4) AND s = ('b4'");
	char *fa = data_file("t", 0, "6");
	char sql[8192];
	snprintf(sql, sizeof sql,
		 "SELECT file_path, pos FROM (SELECT filename AS file_path, file_row_number AS pos, id, s FROM read_parquet(['%s', '%s'], filename = true, file_row_number = true)) "
		 "WHERE (file_path = '%s' AND id = 4 AND s = 'b4') OR (file_path = '%s' AND id = 6) ORDER BY file_path, pos",
		 fb, fa, fb, fa);
	static const ldp_field_id pos_ids[] = {{"file_path", 2147483546, 0, NULL}, {"pos", 2147483545, 0, NULL}};
	del pd[2];
	make_delete(&pd[0], "t", 3, LDP_CONTENT_POSITION_DELETES, 0, sql, pos_ids, 2, 0);
	assert_int_equal(pd[0].e.record_count, 2);
	snprintf(sql, sizeof sql,
		 "SELECT filename AS file_path, file_row_number AS pos FROM read_parquet('%s', filename = true, file_row_number = true) WHERE id = 8",
		 fa);
	make_delete(&pd[1], "t", 4, LDP_CONTENT_POSITION_DELETES, 1, sql, pos_ids, 2, 0);
	assert_int_equal(pd[1].e.record_count, 1);
	OK(commit_deletes("t", NULL, pd, 2, current_snapshot("t")));
	expect_rows("t", "1:a1,2:b2,3:a3,4:a4,5:a5,7:a7,8:a8,10:a10");

	/* seq 5: new data (id 60) and an equality delete of ids 4 and 60 under
	 * k=0 in the same commit: the delete is not newer than id 60's file
	 * (strictly lower sequence numbers only), so 60 stays and 4 goes. */
	del e3;
	make_delete(&e3, "t", 5, LDP_CONTENT_EQUALITY_DELETES, 0, "SELECT * FROM (VALUES (4::BIGINT), (60::BIGINT)) v(id)", id_ids, 1, 1);
	OK(commit_deletes("t", "SELECT 60::BIGINT AS id, 0 AS k, 'c60' AS s", &e3, 1, current_snapshot("t")));
	expect_rows("t", "1:a1,2:b2,3:a3,5:a5,7:a7,8:a8,10:a10,60:c60");

	/* time travel still sees each state */
	ldp_ident id = ident("t");
	ldp_table *t = NULL;
	OK(ldp_table_load(WH, &id, &t));
	const ldp_snapshot *cur = ldp_metadata_current_snapshot(t->meta);
	assert_int_equal(cur->sequence_number, 5);
	const char *tp = ldp_snapshot_summary(cur, "total-position-deletes");
	const char *te = ldp_snapshot_summary(cur, "total-equality-deletes");
	const char *tf = ldp_snapshot_summary(cur, "total-delete-files");
	assert_string_equal(tp, "3");
	assert_string_equal(te, "5");
	assert_string_equal(tf, "5");
	char tsql[256];
	snprintf(tsql, sizeof tsql, "SELECT count(*) FROM db.\"t@%lld\"", (long long)cur->parent_id);
	ldp_table_free(t);
	OK(ldp_warehouse_bind_sql(WH, tsql));
	char *c = text(tsql);
	assert_string_equal(c, "8");
	free(c);

	free(fa);
	free(fb);
	free_dels(eq, 2);
	free_dels(pd, 2);
	free_dels(&e3, 1);
	close_project();
}

/* A delete file committed after a change read the table makes that change
 * fail instead of committing on top of rows it did not see deleted. */
static void test_conflicts(void **state)
{
	(void)state;
	open_project("conflict");
	create_table("t");
	append("t", "SELECT range AS id, 0 AS k, 'a' || range AS s FROM range(5)");
	int64_t read = current_snapshot("t");
	static const ldp_field_id id_ids[] = {{"id", 1, 0, NULL}};
	del d1, d2;
	make_delete(&d1, "t", 1, LDP_CONTENT_EQUALITY_DELETES, 0, "SELECT 1::BIGINT AS id", id_ids, 1, 1);
	OK(commit_deletes("t", NULL, &d1, 1, read));
	int64_t after = current_snapshot("t");
	make_delete(&d2, "t", 2, LDP_CONTENT_EQUALITY_DELETES, 0, "SELECT 2::BIGINT AS id", id_ids, 1, 1);
	int rc = commit_deletes("t", NULL, &d2, 1, read); /* planned before d1 landed */
	assert_int_equal(rc, LDP_ECONFLICT);
	assert_non_null(strstr(ldp_error_last()->message, "run the statement again"));
	assert_int_equal(current_snapshot("t"), after);

	/* copy-on-write of a file that is gone */
	const char *gone[] = {"/nonexistent/data.parquet"};
	ldp_write_rowlevel rl;
	memset(&rl, 0, sizeof rl);
	rl.remove_files = gone;
	rl.nremove_files = 1;
	rl.read_snapshot_id = after;
	ldp_write_options o;
	memset(&o, 0, sizeof o);
	ldp_write_result res;
	ldp_ident id = ident("t");
	rc = ldp_table_write_rowlevel(WH, &id, "SELECT 9::BIGINT AS id, 0 AS k, 'z' AS s", &o, &rl, &res);
	assert_int_equal(rc, LDP_ECONFLICT);
	assert_non_null(strstr(ldp_error_last()->message, "no longer in the table"));
	assert_int_equal(current_snapshot("t"), after);
	expect_rows("t", "0:a0,2:a2,3:a3,4:a4");

	/* merge-on-read deletes for a file a concurrent overwrite rewrote would
	 * miss its rows: refused */
	int64_t planned = current_snapshot("t");
	char *gone_file = data_file("t", 0, "3");
	ldp_write_options ow;
	memset(&ow, 0, sizeof ow);
	ow.mode = LDP_WRITE_OVERWRITE;
	OK(ldp_table_write(WH, &id, "SELECT range AS id, 0 AS k, 'n' || range AS s FROM range(3, 6)", &ow, &res));
	int64_t after_overwrite = current_snapshot("t");
	static const ldp_field_id pos_ids[] = {{"file_path", 2147483546, 0, NULL}, {"pos", 2147483545, 0, NULL}};
	char sql[2048];
	snprintf(sql, sizeof sql, "SELECT '%s' AS file_path, 0::BIGINT AS pos", gone_file);
	del p1;
	make_delete(&p1, "t", 3, LDP_CONTENT_POSITION_DELETES, 0, sql, pos_ids, 2, 0);
	const char *req[] = {gone_file};
	memset(&rl, 0, sizeof rl);
	int32_t spec0 = 0;
	rl.add_deletes = &p1.e;
	rl.add_delete_spec_ids = &spec0;
	rl.nadd_deletes = 1;
	rl.require_files = req;
	rl.nrequire_files = 1;
	rl.read_snapshot_id = planned;
	rc = ldp_table_write_rowlevel(WH, &id, "SELECT 1::BIGINT AS id, 0 AS k, 'x' AS s LIMIT 0", &o, &rl, &res);
	assert_int_equal(rc, LDP_ECONFLICT);
	assert_non_null(strstr(ldp_error_last()->message, "removed or rewritten by a concurrent commit"));
	assert_int_equal(current_snapshot("t"), after_overwrite);
	expect_rows("t", "3:n3,4:n4,5:n5");
	free(gone_file);
	free_dels(&p1, 1);
	free_dels(&d1, 1);
	free_dels(&d2, 1);
	close_project();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_and_partition_scoping),
		cmocka_unit_test(test_conflicts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
