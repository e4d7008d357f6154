/* ldp demo nyc-taxi: build the NYC taxi lakehouse and print a report. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ingest/taxi.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "table/table.h"

void cmd_demo_help(FILE *out)
{
	fprintf(out,
		"usage: ldp demo nyc-taxi [--months 2023-01..2023-03] [--dir DIR] [--offline]\n"
		"                         [--generator FILE] [--rows N] [--format table|csv|json]\n\n"
		"Build the NYC taxi lakehouse in DIR (default ./nyc-taxi-demo, an ldp project):\n"
		"for each month the TLC yellow trip file (downloaded from its published URL, or\n"
		"generated with examples/taxi/generate.sql when the network refuses: ~3.07M rows a\n"
		"month with the real schema), plus the TLC taxi zone lookup, ingested into Iceberg\n"
		"tables nyc.trips (partitioned by day of pickup) and nyc.zones; then a report through\n"
		"ldp sql: trips and revenue per borough, the ten busiest pickup zones, average tip by\n"
		"payment type. Files already in DIR/data are reused.\n\n"
		"  --months M      2023-01 (default), 2023-01..2023-03, or 2023-01,2023-06\n"
		"  --offline       do not try the downloads\n"
		"  --generator F   the generator SQL (default: found in the source tree)\n"
		"  --rows N        generate N rows a month instead of ~3.07M (quick runs, tests)\n");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int tty;

static void on_progress(void *ctx, const char *what, int64_t done, int64_t total)
{
	(void)ctx;
	if (!tty)
		return;
	if (total > 0)
		fprintf(stderr, "\r\033[K  %s: %.1f / %.1f MB", what, (double)done / 1e6, (double)total / 1e6);
	else if (done > 0)
		fprintf(stderr, "\r\033[K  %s: %.1f MB", what, (double)done / 1e6);
	else
		fprintf(stderr, "\r\033[K  %s...", what);
	fflush(stderr);
}

static void clear_progress(void)
{
	if (tty)
		fprintf(stderr, "\r\033[K");
}

static const char *origin_text(ldp_taxi_origin h)
{
	return h == LDP_TAXI_DOWNLOADED ? "downloaded" : h == LDP_TAXI_GENERATED ? "generated" : "reused";
}

/* Table format: a title per query. JSON: one object, a member per query. */
static int report(ldp_warehouse *wh, const cli_output_opts *out, const char *key, const char *title,
		  const char *sql)
{
	ldp_engine *e;
	int rc = ldp_warehouse_engine(wh, &e);
	if (!rc)
		rc = ldp_warehouse_bind_sql(wh, sql);
	ldp_result *r = NULL;
	if (!rc)
		rc = ldp_engine_query(e, sql, &r);
	if (!rc) {
		if (out->format == CLI_FMT_TABLE)
			printf("\n%s\n", title);
		else if (out->format == CLI_FMT_JSON)
			printf("%s\"%s\": ", strcmp(key, "trips_by_borough") ? ", " : "{", key);
		fflush(stdout);
		rc = cli_print_result(r, stdout, out);
	}
	ldp_result_free(r);
	return rc;
}

static int open_project(const char *dir, ldp_project **p)
{
	char cfg[PATH_MAX];
	snprintf(cfg, sizeof cfg, "%s/ldp.yml", dir);
	if (ldp_io_exists(cfg))
		return ldp_project_load(cfg, p);
	return ldp_project_init(dir, "nyc_taxi_demo", p);
}

static int run_demo(int argc, char **argv)
{
	const char *months = "2023-01", *dir = "nyc-taxi-demo", *fmt = "table";
	ldp_taxi_options to;
	memset(&to, 0, sizeof to);
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--offline")) {
			to.offline = 1;
			continue;
		}
		if (!v)
			return cli_usage_error("demo", "option %s needs a value", a);
		if (!strcmp(a, "--months"))
			months = v;
		else if (!strcmp(a, "--dir"))
			dir = v;
		else if (!strcmp(a, "--generator"))
			to.generator = v;
		else if (!strcmp(a, "--format"))
			fmt = v;
		else if (!strcmp(a, "--rows"))
			to.rows = atoll(v);
		else
			return cli_usage_error("demo", "unknown option '%s'", a);
		i++;
	}
	cli_output_opts out = {.format = CLI_FMT_TABLE, .max_rows = -1, .header = 1};
	if (cli_parse_format(fmt, &out.format))
		return cli_usage_error("demo", "unknown format '%s'", fmt);
	ldp_taxi_month ms[120];
	size_t nm = 0;
	int rc = ldp_taxi_parse_months(months, ms, 120, &nm);
	if (rc)
		return cli_usage_error("demo", "%s", ldp_error_last()->message);
	tty = isatty(STDERR_FILENO);
	FILE *log = out.format == CLI_FMT_TABLE ? stdout : stderr;

	ldp_project *p = NULL;
	ldp_warehouse *wh = NULL;
	rc = open_project(dir, &p);
	if (!rc)
		rc = ldp_warehouse_open(p, &wh);
	if (rc) {
		ldp_project_free(p);
		return cli_fail(rc);
	}
	wh->engine_options.progress = tty;
	ldp_engine *e = NULL;
	if (ldp_warehouse_engine(wh, &e) == LDP_OK) {
		cli_set_running_engine(e);
		cli_install_interrupt_handler();
	}
	char data[PATH_MAX];
	snprintf(data, sizeof data, "%s/data", p->dir);
	to.data_dir = data;
	to.progress = on_progress;
	fprintf(log, "NYC taxi lakehouse in %s (%zu month%s)\n", p->dir, nm, nm == 1 ? "" : "s");
	fflush(log);

	ldp_ident zones = {"nyc", "zones"}, trips = {"nyc", "trips"};
	ldp_ingest_options io;
	memset(&io, 0, sizeof io);
	io.progress = on_progress;
	ldp_ingest_result res;
	char *path = NULL;
	ldp_taxi_origin how;
	double t0 = now_s();
	rc = ldp_taxi_zones_file(&to, &path, &how);
	if (!rc) {
		io.mode = LDP_INGEST_OVERWRITE;
		rc = ldp_ingest(wh, path, &zones, &io, &res);
		clear_progress();
		if (!rc)
			fprintf(log, "  zones: %s, %lld zones -> nyc.zones (%.1f s)\n",
				how == LDP_TAXI_GENERATED ? "the TLC zone lookup built into ldp (no download)"
				: how == LDP_TAXI_DOWNLOADED ? "downloaded the TLC zone lookup" : "reused the downloaded zone lookup",
				(long long)res.rows, now_s() - t0);
	}
	free(path);
	int64_t total = 0;
	for (size_t i = 0; !rc && i < nm; i++) {
		t0 = now_s();
		path = NULL;
		rc = ldp_taxi_month_file(&to, ms[i], &path, &how);
		clear_progress();
		double t1 = now_s();
		io.mode = i == 0 ? LDP_INGEST_OVERWRITE : LDP_INGEST_APPEND;
		io.partition_by = "day(tpep_pickup_datetime)";
		if (!rc)
			rc = ldp_ingest(wh, path, &trips, &io, &res);
		clear_progress();
		if (!rc) {
			int64_t size = 0;
			ldp_io_file_size(path, &size);
			fprintf(log, "  %04d-%02d: %s %s (%.1f MB, %.1f s), %lld trips -> nyc.trips (%.1f s)\n", ms[i].year,
				ms[i].month, origin_text(how), strrchr(path, '/') + 1, (double)size / 1e6, t1 - t0,
				(long long)res.rows, now_s() - t1);
			total += res.rows;
		}
		free(path);
		fflush(log);
	}
	if (!rc)
		fprintf(log, "%lld trips in nyc.trips, partitioned by day(tpep_pickup_datetime)\n", (long long)total);
	if (!rc)
		rc = report(wh, &out, "trips_by_borough", "Trips and revenue per borough (pickup)",
			    "select z.Borough as borough, count(*) as trips, round(sum(t.total_amount), 2) as revenue,\n"
			    "  round(avg(t.total_amount), 2) as avg_total\n"
			    "from nyc.trips t join nyc.zones z on z.LocationID = t.PULocationID\n"
			    "group by all order by trips desc");
	if (!rc)
		rc = report(wh, &out, "busiest_pickup_zones", "The ten busiest pickup zones",
			    "select z.Zone as zone, z.Borough as borough, count(*) as trips,\n"
			    "  round(100.0 * count(*) / sum(count(*)) over (), 2) as pct\n"
			    "from nyc.trips t join nyc.zones z on z.LocationID = t.PULocationID\n"
			    "group by all order by trips desc, zone limit 10");
	if (!rc)
		rc = report(wh, &out, "tip_by_payment_type", "Average tip by payment type",
			    "select payment_type, case payment_type when 0 then 'flex fare / unknown' when 1 then 'credit card'\n"
			    "  when 2 then 'cash' when 3 then 'no charge' when 4 then 'dispute' when 5 then 'unknown'\n"
			    "  when 6 then 'voided trip' else 'other' end as kind,\n"
			    "  count(*) as trips, round(avg(tip_amount), 2) as avg_tip,\n"
			    "  round(avg(tip_amount / nullif(fare_amount, 0)) filter (where fare_amount > 0) * 100, 1) as tip_pct\n"
			    "from nyc.trips group by all order by payment_type");
	if (!rc && out.format == CLI_FMT_JSON)
		printf("}\n");
	if (!rc && out.format == CLI_FMT_TABLE)
		printf("\nQuery it yourself: cd %s && ldp sql \"select count(*) from nyc.trips\"\n", p->dir);
	cli_set_running_engine(NULL);
	ldp_warehouse_free(wh);
	ldp_project_free(p);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}

int cmd_demo(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("demo", "which demo? (ldp demo nyc-taxi)");
	if (strcmp(argv[1], "nyc-taxi") != 0)
		return cli_usage_error("demo", "unknown demo '%s' (ldp demo nyc-taxi)", argv[1]);
	return run_demo(argc, argv);
}
