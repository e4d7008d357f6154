/* Shared between the `ldp table` command files. */
#ifndef LDP_CLI_TABLE_CLI_H
#define LDP_CLI_TABLE_CLI_H

#include "table/table.h"

int table_cli_is_query(const char *s);
/* A file/glob becomes SELECT * FROM 'file'; a query stays as is. */
int table_cli_source_sql(const char *src, ldp_buf *out);
/* Parse --snapshot/--ref/--as-of at argv[*i]; *matched tells whether it was one. */
int table_cli_parse_at(int *i, int argc, char **argv, ldp_snapshot_selector *sel, int *matched);

int table_cli_describe(ldp_warehouse *wh, int argc, char **argv);
int table_cli_history(ldp_warehouse *wh, int argc, char **argv);
int table_cli_snapshots(ldp_warehouse *wh, int argc, char **argv);
int table_cli_files(ldp_warehouse *wh, int argc, char **argv);
int table_cli_manifests(ldp_warehouse *wh, int argc, char **argv);
int table_cli_partitions(ldp_warehouse *wh, int argc, char **argv);
int table_cli_rollback(ldp_warehouse *wh, int argc, char **argv);
int table_cli_tag(ldp_warehouse *wh, int argc, char **argv);
int table_cli_branch(ldp_warehouse *wh, int argc, char **argv);
int table_cli_alter(ldp_warehouse *wh, int argc, char **argv);
int table_cli_plan(ldp_warehouse *wh, int argc, char **argv);
int table_cli_maintain(ldp_warehouse *wh, int argc, char **argv); /* cmd_table_maintain.c */

#endif
