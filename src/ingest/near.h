/*
 * ingest/near.h - NEAR Lake blocks flattened into six tables.
 *
 * Input shapes (both carry the same data; keys are snake_case in the S3
 * layout and camelCase in the JavaScript framework's streamer messages, and
 * every lookup here accepts either):
 *   - the NEAR Lake bucket layout: <height, 12 digits>/block.json (a block
 *     view: author, header, chunks) + shard_<id>.json (shard_id, chunk,
 *     receipt_execution_outcomes, state_changes), one shard file per chunk;
 *   - whole streamer messages: {"block": <block view>, "shards": [<shard>...]}.
 *
 * Objects are read through a small seam (near_store) so a local mirror and an
 * S3 bucket share everything above "give me the bytes of this key".
 *
 * Output: one NDJSON file per table in a scratch directory, with the columns
 * of near_tables[] (read back with exactly those DuckDB types, so the schema
 * never depends on type inference over one batch).
 */
#ifndef LDP_INGEST_NEAR_H
#define LDP_INGEST_NEAR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* One block found in a store: its height and where its data is. */
typedef struct near_entry {
	int64_t height;
	int is_message; /* 1: key is a whole streamer-message file; 0: key is the <height> prefix */
	char *key;
} near_entry;

typedef struct near_store {
	/* The bytes of an object ("000000879765/block.json"); LDP_ENOTFOUND when
	 * missing. *data is malloc'd. */
	int (*get)(void *ctx, const char *key, uint8_t **data, size_t *len);
	/* Every block with from <= height <= to (to < 0: no upper bound), sorted
	 * by height, one entry per height. */
	int (*list)(void *ctx, int64_t from, int64_t to, near_entry **out, size_t *n);
	void (*free_ctx)(void *ctx);
	void *ctx;
	const char *what; /* for messages: "/data/near" or "s3://bucket" */
} near_store;

void near_entries_free(near_entry *e, size_t n);

/* A growable list of entries for the stores' list functions. */
typedef struct near_entries {
	near_entry *e;
	size_t n, cap;
} near_entries;
/* Append {h, is_message, copy of key[0..key_len)}. */
int near_entries_push(near_entries *l, int64_t h, int is_message, const char *key, size_t key_len);

/* A store over a local directory (the lake layout and/or streamer-message
 * files, found up to two directory levels down). */
int near_store_local(const char *dir, near_store *out);

/* o[snake] or, failing that, o[snakeInCamelCase]; NULL when o is no object. */
json_t *near_jget(const json_t *o, const char *snake);

/* A store over an S3 bucket in the lake layout: "bucket" or "bucket/prefix"
 * (ingest/near_s3.c). */
int near_store_s3(const char *location, near_store *out);

/* Load one block as {"block": ..., "shards": [...]}, whatever its shape. */
int near_load_block(const near_store *s, const near_entry *e, json_t **out);

typedef struct near_column {
	const char *name;
	const char *type; /* DuckDB type */
} near_column;

typedef struct near_table {
	const char *name;
	const near_column *columns;
	size_t ncolumns;
} near_table;

enum { NEAR_BLOCKS, NEAR_CHUNKS, NEAR_TRANSACTIONS, NEAR_RECEIPTS, NEAR_OUTCOMES, NEAR_ACTIONS, NEAR_NTABLES };
extern const near_table near_tables[NEAR_NTABLES];

typedef struct near_writer {
	FILE *f[NEAR_NTABLES];
	int64_t rows[NEAR_NTABLES];
} near_writer;

/* Append the rows of one block (a streamer message) to the writer's files.
 * `what` names the block in errors. */
int near_flatten_block(const json_t *msg, const char *what, near_writer *w);

/* SELECT reading one table's NDJSON file with its declared types, only rows
 * above min_height (min_height < 0: all). */
int near_table_select(const near_table *t, const char *path, int64_t min_height, char **out);

#endif
