/*
 * ingest/taxi.h - the NYC taxi lakehouse of `ldp demo nyc-taxi`: the TLC
 * yellow trip file of each month (downloaded from its published URL when the
 * network allows, else generated with examples/taxi/generate.sql for that
 * month) and the TLC zone lookup (downloaded, else the copy built into ldp),
 * ingested into Iceberg tables <ns>.trips (partitioned by day of pickup) and
 * <ns>.zones.
 *
 * Memory: strings returned through char ** are malloc'd; the caller frees them.
 */
#ifndef LDP_INGEST_TAXI_H
#define LDP_INGEST_TAXI_H

#include <stddef.h>

#include "ingest/ingest.h"

#define LDP_TAXI_TRIPS_URL "https://d37ci6vzurychx.cloudfront.net/trip-data/yellow_tripdata_%04d-%02d.parquet"
#define LDP_TAXI_ZONES_URL "https://d37ci6vzurychx.cloudfront.net/misc/taxi_zone_lookup.csv"

extern const char ldp_taxi_zone_lookup_csv[];

typedef struct ldp_taxi_month {
	int year, month;
} ldp_taxi_month;

/* "2023-01", "2023-01..2023-03" or "2023-01,2023-05" (at most `max`). */
int ldp_taxi_parse_months(const char *spec, ldp_taxi_month *out, size_t max, size_t *n);

typedef enum ldp_taxi_origin { LDP_TAXI_CACHED, LDP_TAXI_DOWNLOADED, LDP_TAXI_GENERATED } ldp_taxi_origin;

typedef struct ldp_taxi_options {
	const char *data_dir;   /* where the month files and the zone lookup go */
	const char *generator;  /* path of generate.sql (needed only when a download fails) */
	int offline;            /* skip the downloads */
	long timeout_s;         /* download connect timeout, default 5 */
	int64_t rows;           /* > 0: generate this many rows a month (tests) */
	ldp_ingest_progress_fn progress;
	void *progress_ctx;
} ldp_taxi_options;

/* The month's trip file in data_dir (yellow_tripdata_YYYY-MM.parquet): reused
 * when a complete earlier copy made the same way is there, else downloaded,
 * else generated. *path is malloc'd. */
int ldp_taxi_month_file(const ldp_taxi_options *o, ldp_taxi_month m, char **path, ldp_taxi_origin *how);
/* taxi_zone_lookup.csv in data_dir: downloaded, else the built-in copy. */
int ldp_taxi_zones_file(const ldp_taxi_options *o, char **path, ldp_taxi_origin *how);
/* Find examples/taxi/generate.sql: LDP_TAXI_GENERATOR, then beside the
 * executable's source tree (<exe>/../../../examples/taxi, <exe>/../share/ldp),
 * then the working directory. *out malloc'd; LDP_ENOTFOUND saying how to
 * point at it. */
int ldp_taxi_find_generator(char **out);

/* The nyc-taxi:// ingest driver (taxi_source.c): nyc-taxi://yellow/YYYY-MM is
 * the month's trip file, nyc-taxi://zones the zone lookup, both through the
 * ingest cache; options --rows, --offline, --generator, --cache-dir. */
int ldp_ingest_fetch_taxi(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out);
extern const char *const ingest_taxi_option_names[];

#endif
