/*
 * ingest/seed.h - run the seed library's JSON pipeline configs (`ldp run
 * config.json`) as they are:
 *
 *   {"identifier": "nyc_taxi", "who": ..., "what": ..., "where": ..., "when": ..., "how": ...,
 *    "metadata": {"source": {"name": "rides", "format": "PARQUET", "path": "../data/x.parquet"},
 *                 "target": {"name": "rides", "format": "ICEBERG",
 *                            "catalog": {"type": "LocalIceberg", "identifier": "nyc_yellow_taxi_dataset",
 *                                        "warehouse_path": "../warehouse"},
 *                            "write_mode": "append", "partition_by": [{"column": "ts", "transform": "day"}]},
 *                 "quality": {"on_failure": "fail", "checks": [...]}}}
 *
 * Sources PARQUET/CSV/JSON (a path, glob or directory) or ICEBERG (a catalog);
 * targets ICEBERG or CSV/PARQUET/JSON files. As in the seed (pyiceberg's
 * SqlCatalog), a catalog {identifier, warehouse_path} is the SQLite file
 * <warehouse_path>/<identifier>.db with catalog name <identifier>, data under
 * <warehouse_path>, and the table is <identifier>.<name>. Relative paths are
 * relative to the config file's directory. Without warehouse_path the current
 * ldp project's warehouse is used.
 *
 * Memory: ldp_seed_result owns its strings; free with ldp_seed_result_clear().
 */
#ifndef LDP_INGEST_SEED_H
#define LDP_INGEST_SEED_H

#include "ingest/ingest.h"

typedef struct ldp_seed_result {
	char *identifier; /* the config's "identifier" */
	char *flow;       /* "PARQUET -> ICEBERG" */
	char *target;     /* "ns.table" or the output file */
	int64_t rows;
	int64_t snapshot_id; /* ICEBERG targets */
	int created;
	char **warnings;     /* quality checks that failed with on_failure "warn", checks ldp skips */
	size_t nwarnings;
} ldp_seed_result;

/* Run one config. project_wh (may be NULL) serves catalogs without a
 * warehouse_path; base supplies progress reporting. */
int ldp_seed_run(const char *config_path, ldp_warehouse *project_wh, const ldp_ingest_options *base,
		 ldp_seed_result *out);
void ldp_seed_result_clear(ldp_seed_result *r);

#endif
