/* transform_build: wall time of `ldp transform build` on a generated dbt project
 * (3 seeds, 5 models: 2 views, 2 tables, 1 incremental merge; 4 data tests),
 * against `dbt build` (dbt-duckdb, in a venv made by scripts/dbt_venv.sh under
 * the build tree) on the same project files in the same run.
 *
 *   transform_build [runs]     (default 5)
 *
 * Each tool gets its own copy of the project. The first build of each is
 * reported as the cold build (seeds loaded, tables and views created); the
 * median of the following builds (views replaced, tables overwritten, the
 * incremental model merged) is the warm number. Without python3/pip the dbt
 * side is skipped and only ldp's times are printed. Set DBT_BIN to use
 * another dbt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#ifndef LDP_BIN
#error "LDP_BIN must name the ldp binary (bench/CMakeLists.txt defines it)"
#endif

static void put(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	char *slash = strrchr(path, '/');
	*slash = 0;
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
	if (system(cmd) != 0)
		exit(1);
	*slash = '/';
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "transform_build: cannot write %s\n", path);
		exit(1);
	}
}

static void make_project(const char *dir)
{
	put(dir, "dbt_project.yml",
	    "name: bench\nversion: '1.0'\nconfig-version: 2\nprofile: bench\n"
	    "models:\n  bench:\n    +materialized: view\n    marts:\n      +materialized: table\n");
	put(dir, "profiles.yml", "bench:\n  target: dev\n  outputs:\n    dev:\n      type: ldp\n      schema: main\n      threads: 2\n");
	put(dir, "dbt_profiles/profiles.yml",
	    "bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: bench.duckdb\n      schema: main\n      threads: 2\n");
	/* seeds: deterministic pseudo-random data */
	FILE *f;
	char path[4096];
	snprintf(path, sizeof path, "%s/seeds", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/seeds/customers.csv", dir);
	f = fopen(path, "w");
	fprintf(f, "id,name,country\n");
	for (int i = 1; i <= 1000; i++)
		fprintf(f, "%d,customer %d,%s\n", i, i, i % 3 == 0 ? "DE" : i % 3 == 1 ? "FR" : "US");
	fclose(f);
	snprintf(path, sizeof path, "%s/seeds/orders.csv", dir);
	f = fopen(path, "w");
	fprintf(f, "id,customer_id,order_date,status\n");
	unsigned x = 12345;
	for (int i = 1; i <= 5000; i++) {
		x = x * 1103515245u + 12345u;
		fprintf(f, "%d,%u,2024-%02u-%02u,%s\n", i, 1 + (x >> 8) % 1000, 1 + (x >> 4) % 12, 1 + (x >> 12) % 28,
			(x >> 16) % 5 == 0 ? "returned" : "completed");
	}
	fclose(f);
	snprintf(path, sizeof path, "%s/seeds/payments.csv", dir);
	f = fopen(path, "w");
	fprintf(f, "id,order_id,method,amount\n");
	for (int i = 1; i <= 8000; i++) {
		x = x * 1103515245u + 12345u;
		fprintf(f, "%d,%u,%s,%u\n", i, 1 + (x >> 8) % 5000, (x >> 3) % 2 ? "card" : "cash", (x >> 10) % 10000);
	}
	fclose(f);
	put(dir, "models/staging/stg_orders.sql",
	    "select id as order_id, customer_id, cast(order_date as date) as order_date, status from {{ ref('orders') }}\n");
	put(dir, "models/staging/stg_payments.sql",
	    "select id as payment_id, order_id, method, amount / 100.0 as amount from {{ ref('payments') }}\n");
	put(dir, "models/marts/order_totals.sql",
	    "select o.order_id, o.customer_id, o.order_date, o.status, coalesce(sum(p.amount), 0) as amount\n"
	    "from {{ ref('stg_orders') }} o left join {{ ref('stg_payments') }} p using (order_id)\ngroup by all\n");
	put(dir, "models/marts/customer_summary.sql",
	    "select c.id as customer_id, c.country, count(t.order_id) as orders, coalesce(sum(t.amount), 0) as revenue\n"
	    "from {{ ref('customers') }} c left join {{ ref('order_totals') }} t on t.customer_id = c.id\ngroup by all\n");
	put(dir, "models/marts/daily_revenue.sql",
	    "{{ config(materialized='incremental', unique_key='order_date') }}\n"
	    "select order_date, sum(amount) as revenue, count(*) as orders from {{ ref('order_totals') }}\n"
	    "{% if is_incremental() %}where order_date >= (select max(order_date) - interval 30 day from {{ this }}){% endif %}\n"
	    "group by order_date\n");
	put(dir, "models/marts/schema.yml",
	    "version: 2\nmodels:\n  - name: order_totals\n    columns:\n      - name: order_id\n        tests: [unique, not_null]\n"
	    "  - name: customer_summary\n    columns:\n      - name: customer_id\n        tests: [unique, not_null]\n");
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* cold build, then the median of runs-1 warm builds; -1 on failure */
static int measure(char *const argv[], const char *cwd, int runs, double *cold, double *warm)
{
	int64_t c = bench_run(argv, cwd, NULL);
	if (c < 0)
		return -1;
	int64_t *w = calloc((size_t)runs, sizeof *w);
	int n = 0;
	for (int i = 1; i < runs; i++) {
		int64_t t = bench_run(argv, cwd, NULL);
		if (t < 0) {
			free(w);
			return -1;
		}
		w[n++] = t;
	}
	qsort(w, (size_t)n, sizeof *w, cmp64);
	*cold = (double)c / 1e9;
	*warm = n ? (double)w[n / 2] / 1e9 : *cold;
	free(w);
	return 0;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	if (runs < 2 || runs > 100) {
		fprintf(stderr, "usage: transform_build [runs]   (runs: 2..100, default 5)\n");
		return 2;
	}
	char base[1024], ldp_dir[1100], dbt_dir[1100], cmd[4096];
	snprintf(base, sizeof base, "%s/bench-transform", LDP_BUILD_DIR);
	snprintf(ldp_dir, sizeof ldp_dir, "%s/ldp", base);
	snprintf(dbt_dir, sizeof dbt_dir, "%s/dbt", base);
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' '%s'", base, ldp_dir, dbt_dir);
	if (system(cmd) != 0)
		return 1;
	make_project(ldp_dir);
	make_project(dbt_dir);
	char *init_argv[] = {(char *)LDP_BIN, (char *)"init", ldp_dir, NULL};
	if (bench_run(init_argv, NULL, NULL) < 0)
		return 1;

	char *ldp_argv[] = {(char *)LDP_BIN, (char *)"transform", (char *)"build", NULL};
	double lc, lw;
	if (measure(ldp_argv, ldp_dir, runs, &lc, &lw) != 0) {
		fprintf(stderr, "transform_build: ldp transform build failed\n");
		return 1;
	}
	printf("ldp transform build: cold %.3f s, warm median %.3f s (%d runs)\n", lc, lw, runs);

	char dbt[2048];
	const char *env = getenv("DBT_BIN");
	if (env) {
		snprintf(dbt, sizeof dbt, "%s", env);
	} else {
		snprintf(dbt, sizeof dbt, "%s/../_deps/dbt-venv/bin/dbt", LDP_BUILD_DIR);
		if (access(dbt, X_OK) != 0) {
			snprintf(cmd, sizeof cmd, "'%s/scripts/dbt_venv.sh' '%s/../_deps/dbt-venv' >/dev/null", LDP_SOURCE_DIR,
				 LDP_BUILD_DIR);
			fprintf(stderr, "transform_build: installing dbt-duckdb into the build tree...\n");
			if (system(cmd) != 0)
				dbt[0] = 0;
		}
	}
	if (!dbt[0] || access(dbt, X_OK) != 0) {
		printf("dbt build: skipped (no dbt-duckdb: python3 with venv and pip needed)\n");
		return 0;
	}
	setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false", 1);
	char profiles[1200];
	snprintf(profiles, sizeof profiles, "%s/dbt_profiles", dbt_dir);
	char *dbt_argv[] = {dbt, (char *)"build", (char *)"--profiles-dir", profiles, NULL};
	double dc, dw;
	if (measure(dbt_argv, dbt_dir, runs, &dc, &dw) != 0) {
		fprintf(stderr, "transform_build: dbt build failed\n");
		return 1;
	}
	printf("dbt build (dbt-duckdb): cold %.3f s, warm median %.3f s (%d runs)\n", dc, dw, runs);
	printf("ratio dbt/ldp: cold %.1fx, warm %.1fx\n", dc / lc, dw / lw);
	return 0;
}
