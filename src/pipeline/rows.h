/*
 * pipeline/rows.h - small query results kept in memory, for the sample rows
 * of a failed data check and the table of a notification.
 *
 * A row set is a JSON object {"columns": [names], "rows": [[values]...],
 * "total": N}: values are JSON (numbers bare, strings quoted, NULL null,
 * nested values as JSON), at most `max_rows` rows are kept, and "total"
 * counts every row the query returned.
 */
#ifndef LDP_PIPELINE_ROWS_H
#define LDP_PIPELINE_ROWS_H

#include <jansson.h>
#include <stddef.h>

#include "ldp/buf.h"
#include "ldp/engine.h"

/* Read all of r (streaming), keeping the first max_rows rows (max_rows < 0:
 * all). *out is a new reference. */
int ldp_rows_collect(ldp_result *r, long long max_rows, json_t **out);

/* A value of a row set as display text: strings unquoted, null as "NULL",
 * everything else as compact JSON. malloc'd. */
char *ldp_rows_cell_text(const json_t *v);

/* Append rows [0, nrows) of `rows` to b as an aligned monospaced table:
 *   id | name
 *   ---+------
 *    1 | a
 * Numbers are right-aligned; cells are cut to max_cell code points (0: no
 * limit) with "…". Each line ends with '\n'. */
void ldp_rows_format(const json_t *rows, size_t nrows, size_t max_cell, ldp_buf *b);

#endif
