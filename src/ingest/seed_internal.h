/* ingest/seed_internal.h - pieces of the seed config runner (seed.c, seed_checks.c). */
#ifndef LDP_INGEST_SEED_INTERNAL_H
#define LDP_INGEST_SEED_INTERNAL_H

#include <jansson.h>

#include "ingest/seed.h"

typedef struct seed_checks {
	const char *config;    /* for messages */
	const json_t *quality; /* metadata.quality: {on_failure, checks: [...]} */
	ldp_seed_result *res;  /* warnings go here */
} seed_checks;

/* Add a warning line to the result. */
int seed_warn(ldp_seed_result *r, const char *msg);
/* The ldp_ingest_options.check callback: run metadata.quality.checks over
 * the batch. on_failure "fail" (default) fails the run naming the check,
 * "warn" records a warning; checks ldp does not know are skipped with a warning. */
int seed_run_checks(void *ctx, ldp_engine *e, const char *select_sql);
/* ICEBERG -> ICEBERG between two catalogs: the source's rows through a
 * temporary Parquet file into the target. */
int seed_copy_between(ldp_warehouse *src_wh, const ldp_ident *src, ldp_warehouse *dst_wh, const ldp_ident *dst,
		      const ldp_ingest_options *o, ldp_ingest_result *res);

#endif
