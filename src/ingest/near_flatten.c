/*
 * NEAR streamer messages -> rows of the six NEAR tables (see ingest/near.h).
 *
 * Columns follow the nearcore view types (BlockView, ChunkHeaderView,
 * SignedTransactionView, ReceiptView, ExecutionOutcomeWithIdView): yoctoNEAR
 * amounts are u128 decimal strings in the JSON and become DECIMAL(38,0) (the
 * total supply, ~1e33, is the largest in practice); gas is a u64 and fits a
 * BIGINT; timestamps are nanoseconds since the epoch, kept as BIGINT and
 * turned into a microsecond TIMESTAMP for day partitioning.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/near.h"
#include "ldp/buf.h"
#include "ldp/error.h"

#define C(n, t) {n, t}
#define DEC "DECIMAL(38,0)"

static const near_column blocks_cols[] = {
	C("block_height", "BIGINT"),     C("block_hash", "VARCHAR"),     C("prev_hash", "VARCHAR"),
	C("block_timestamp_ns", "BIGINT"), C("author", "VARCHAR"),       C("epoch_id", "VARCHAR"),
	C("next_epoch_id", "VARCHAR"),    C("chunks_included", "BIGINT"), C("gas_price", DEC),
	C("total_supply", DEC),           C("latest_protocol_version", "BIGINT"), C("block_ordinal", "BIGINT"),
	C("prev_height", "BIGINT"),
};
static const near_column chunks_cols[] = {
	C("block_height", "BIGINT"),     C("block_timestamp_ns", "BIGINT"), C("block_hash", "VARCHAR"),
	C("chunk_hash", "VARCHAR"),      C("shard_id", "BIGINT"),          C("author", "VARCHAR"),
	C("height_created", "BIGINT"),   C("height_included", "BIGINT"),   C("gas_used", "BIGINT"),
	C("gas_limit", "BIGINT"),        C("balance_burnt", DEC),          C("encoded_length", "BIGINT"),
	C("tx_root", "VARCHAR"),         C("outcome_root", "VARCHAR"),     C("prev_block_hash", "VARCHAR"),
};
static const near_column transactions_cols[] = {
	C("block_height", "BIGINT"),   C("block_timestamp_ns", "BIGINT"), C("block_hash", "VARCHAR"),
	C("chunk_hash", "VARCHAR"),    C("shard_id", "BIGINT"),          C("index_in_chunk", "BIGINT"),
	C("transaction_hash", "VARCHAR"), C("signer_id", "VARCHAR"),     C("public_key", "VARCHAR"),
	C("nonce", "BIGINT"),          C("receiver_id", "VARCHAR"),      C("signature", "VARCHAR"),
	C("actions_count", "BIGINT"),  C("status", "VARCHAR"),           C("converted_into_receipt_id", "VARCHAR"),
	C("gas_burnt", "BIGINT"),      C("tokens_burnt", DEC),
};
static const near_column receipts_cols[] = {
	C("block_height", "BIGINT"),  C("block_timestamp_ns", "BIGINT"), C("block_hash", "VARCHAR"),
	C("chunk_hash", "VARCHAR"),   C("shard_id", "BIGINT"),          C("index_in_chunk", "BIGINT"),
	C("receipt_id", "VARCHAR"),   C("predecessor_id", "VARCHAR"),   C("receiver_id", "VARCHAR"),
	C("receipt_kind", "VARCHAR"), C("signer_id", "VARCHAR"),        C("signer_public_key", "VARCHAR"),
	C("gas_price", DEC),          C("actions_count", "BIGINT"),     C("data_id", "VARCHAR"),
};
static const near_column outcomes_cols[] = {
	C("block_height", "BIGINT"),  C("block_timestamp_ns", "BIGINT"), C("block_hash", "VARCHAR"),
	C("shard_id", "BIGINT"),      C("index_in_shard", "BIGINT"),     C("receipt_id", "VARCHAR"),
	C("executor_id", "VARCHAR"),  C("predecessor_id", "VARCHAR"),   C("status", "VARCHAR"),
	C("status_value", "VARCHAR"), C("gas_burnt", "BIGINT"),          C("tokens_burnt", DEC),
	C("logs", "VARCHAR"),         C("receipt_ids", "VARCHAR"),
};
static const near_column actions_cols[] = {
	C("block_height", "BIGINT"),  C("block_timestamp_ns", "BIGINT"), C("block_hash", "VARCHAR"),
	C("shard_id", "BIGINT"),      C("source", "VARCHAR"),            C("parent_id", "VARCHAR"),
	C("index_in_parent", "BIGINT"), C("signer_id", "VARCHAR"),       C("predecessor_id", "VARCHAR"),
	C("receiver_id", "VARCHAR"),  C("action_kind", "VARCHAR"),       C("method_name", "VARCHAR"),
	C("deposit", DEC),            C("gas", "BIGINT"),                C("args", "VARCHAR"),
};

#define T(n, c) {n, c, sizeof c / sizeof c[0]}
const near_table near_tables[NEAR_NTABLES] = {
	T("blocks", blocks_cols),     T("chunks", chunks_cols),
	T("transactions", transactions_cols), T("receipts", receipts_cols),
	T("receipt_execution_outcomes", outcomes_cols), T("actions", actions_cols),
};

json_t *near_jget(const json_t *o, const char *snake)
{
	if (!json_is_object(o))
		return NULL;
	json_t *v = json_object_get(o, snake);
	if (v || !strchr(snake, '_'))
		return v;
	char camel[96];
	size_t j = 0;
	for (const char *p = snake; *p && j + 1 < sizeof camel; p++) {
		if (*p == '_' && p[1]) {
			camel[j++] = (char)toupper((unsigned char)p[1]);
			p++;
		} else {
			camel[j++] = *p;
		}
	}
	camel[j] = '\0';
	return json_object_get(o, camel);
}

/* The value to store for a JSON scalar (objects/arrays become JSON text). */
static json_t *cell(json_t *v)
{
	if (!v || json_is_null(v))
		return json_null();
	if (json_is_object(v) || json_is_array(v)) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		json_t *r = s ? json_string(s) : json_null();
		free(s);
		return r;
	}
	return json_incref(v);
}

static void put(json_t *row, const char *col, json_t *v)
{
	json_object_set_new(row, col, v ? v : json_null());
}

static void cp(json_t *row, const char *col, const json_t *o, const char *key)
{
	put(row, col, cell(near_jget(o, key)));
}

static int emit(near_writer *w, int t, json_t *row)
{
	char *line = json_dumps(row, JSON_COMPACT);
	json_decref(row);
	if (!line)
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	int bad = fputs(line, w->f[t]) < 0 || fputc('\n', w->f[t]) < 0;
	free(line);
	if (bad)
		return ldp_error_set(LDP_EIO, "writing the staged NEAR %s rows failed (disk full?)", near_tables[t].name);
	w->rows[t]++;
	return 0;
}

typedef struct blockctx {
	int64_t height;
	int64_t ts_ns;
	json_t *hash;
} blockctx;

static json_t *base_row(const blockctx *b)
{
	json_t *row = json_object();
	put(row, "block_height", json_integer(b->height));
	put(row, "block_timestamp_ns", json_integer(b->ts_ns));
	put(row, "block_hash", cell(b->hash));
	return row;
}

/* A kind-tagged enum value as nearcore serialises it: "Unknown" or
 * {"SuccessValue": "..."} -> kind and payload. */
static const char *enum_kind(json_t *v, json_t **payload)
{
	*payload = NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_object(v) && json_object_size(v) == 1) {
		void *it = json_object_iter(v);
		*payload = json_object_iter_value(it);
		return json_object_iter_key(it);
	}
	return NULL;
}

static int emit_action(near_writer *w, const blockctx *b, int64_t shard, const char *source, json_t *parent_id,
		       int64_t idx, json_t *signer, json_t *predecessor, json_t *receiver, json_t *action)
{
	json_t *payload;
	const char *kind = enum_kind(action, &payload);
	json_t *row = base_row(b);
	put(row, "shard_id", json_integer(shard));
	put(row, "source", json_string(source));
	put(row, "parent_id", cell(parent_id));
	put(row, "index_in_parent", json_integer(idx));
	put(row, "signer_id", cell(signer));
	put(row, "predecessor_id", cell(predecessor));
	put(row, "receiver_id", cell(receiver));
	put(row, "action_kind", kind ? json_string(kind) : json_null());
	cp(row, "method_name", payload, "method_name");
	cp(row, "deposit", payload, "deposit");
	cp(row, "gas", payload, "gas");
	put(row, "args", payload ? cell(payload) : json_null());
	return emit(w, NEAR_ACTIONS, row);
}

static int flatten_shard(near_writer *w, const blockctx *b, json_t *shard)
{
	int rc = 0;
	int64_t sid = json_integer_value(near_jget(shard, "shard_id"));
	json_t *chunk = near_jget(shard, "chunk");
	json_t *hdr = near_jget(chunk, "header");
	json_t *chunk_hash = near_jget(hdr, "chunk_hash");
	size_t i, j;
	json_t *v;
	json_array_foreach(near_jget(chunk, "transactions"), i, v)
	{
		json_t *tx = near_jget(v, "transaction");
		json_t *eo = near_jget(near_jget(v, "outcome"), "execution_outcome");
		json_t *oc = near_jget(eo, "outcome");
		json_t *payload;
		const char *status = enum_kind(near_jget(oc, "status"), &payload);
		json_t *row = base_row(b);
		put(row, "chunk_hash", cell(chunk_hash));
		put(row, "shard_id", json_integer(sid));
		put(row, "index_in_chunk", json_integer((json_int_t)i));
		cp(row, "transaction_hash", tx, "hash");
		cp(row, "signer_id", tx, "signer_id");
		cp(row, "public_key", tx, "public_key");
		cp(row, "nonce", tx, "nonce");
		cp(row, "receiver_id", tx, "receiver_id");
		cp(row, "signature", tx, "signature");
		put(row, "actions_count", json_integer((json_int_t)json_array_size(near_jget(tx, "actions"))));
		put(row, "status", status ? json_string(status) : json_null());
		put(row, "converted_into_receipt_id", cell(json_array_get(near_jget(oc, "receipt_ids"), 0)));
		cp(row, "gas_burnt", oc, "gas_burnt");
		cp(row, "tokens_burnt", oc, "tokens_burnt");
		if ((rc = emit(w, NEAR_TRANSACTIONS, row)))
			return rc;
		json_t *a;
		json_array_foreach(near_jget(tx, "actions"), j, a)
		{
			if ((rc = emit_action(w, b, sid, "transaction", near_jget(tx, "hash"), (int64_t)j, near_jget(tx, "signer_id"),
					      near_jget(tx, "signer_id"), near_jget(tx, "receiver_id"), a)))
				return rc;
		}
	}
	json_array_foreach(near_jget(chunk, "receipts"), i, v)
	{
		json_t *payload;
		const char *kind = enum_kind(near_jget(v, "receipt"), &payload);
		json_t *actions = near_jget(payload, "actions");
		json_t *row = base_row(b);
		put(row, "chunk_hash", cell(chunk_hash));
		put(row, "shard_id", json_integer(sid));
		put(row, "index_in_chunk", json_integer((json_int_t)i));
		cp(row, "receipt_id", v, "receipt_id");
		cp(row, "predecessor_id", v, "predecessor_id");
		cp(row, "receiver_id", v, "receiver_id");
		put(row, "receipt_kind", kind ? json_string(kind) : json_null());
		cp(row, "signer_id", payload, "signer_id");
		cp(row, "signer_public_key", payload, "signer_public_key");
		cp(row, "gas_price", payload, "gas_price");
		put(row, "actions_count", actions ? json_integer((json_int_t)json_array_size(actions)) : json_null());
		cp(row, "data_id", payload, "data_id");
		if ((rc = emit(w, NEAR_RECEIPTS, row)))
			return rc;
		json_t *a;
		json_array_foreach(actions, j, a)
		{
			if ((rc = emit_action(w, b, sid, "receipt", near_jget(v, "receipt_id"), (int64_t)j, near_jget(payload, "signer_id"),
					      near_jget(v, "predecessor_id"), near_jget(v, "receiver_id"), a)))
				return rc;
		}
	}
	json_array_foreach(near_jget(shard, "receipt_execution_outcomes"), i, v)
	{
		json_t *eo = near_jget(v, "execution_outcome");
		json_t *oc = near_jget(eo, "outcome");
		json_t *payload;
		const char *status = enum_kind(near_jget(oc, "status"), &payload);
		json_t *row = base_row(b);
		put(row, "shard_id", json_integer(sid));
		put(row, "index_in_shard", json_integer((json_int_t)i));
		cp(row, "receipt_id", eo, "id");
		cp(row, "executor_id", oc, "executor_id");
		cp(row, "predecessor_id", near_jget(v, "receipt"), "predecessor_id");
		put(row, "status", status ? json_string(status) : json_null());
		put(row, "status_value", payload ? cell(payload) : json_null());
		cp(row, "gas_burnt", oc, "gas_burnt");
		cp(row, "tokens_burnt", oc, "tokens_burnt");
		put(row, "logs", cell(near_jget(oc, "logs")));
		put(row, "receipt_ids", cell(near_jget(oc, "receipt_ids")));
		if ((rc = emit(w, NEAR_OUTCOMES, row)))
			return rc;
	}
	return 0;
}

/* Header timestamps: timestamp_nanosec is the exact decimal string; the
 * numeric timestamp can be rounded by JSON writers that go through doubles. */
static int block_time(json_t *hdr, int64_t *out)
{
	const char *s = json_string_value(near_jget(hdr, "timestamp_nanosec"));
	if (s && *s) {
		char *end;
		long long v = strtoll(s, &end, 10);
		if (!*end) {
			*out = v;
			return 0;
		}
	}
	json_t *t = near_jget(hdr, "timestamp");
	if (json_is_integer(t)) {
		*out = json_integer_value(t);
		return 0;
	}
	return -1;
}

int near_flatten_block(const json_t *msg, const char *what, near_writer *w)
{
	json_t *block = near_jget(msg, "block");
	json_t *hdr = near_jget(block, "header");
	json_t *height = near_jget(hdr, "height");
	blockctx b;
	if (!json_is_integer(height) || block_time(hdr, &b.ts_ns) != 0)
		return ldp_error_set(LDP_ECORRUPT,
				     "%s: not a NEAR block (block.header.height and block.header.timestamp are required)",
				     what);
	b.height = json_integer_value(height);
	b.hash = near_jget(hdr, "hash");
	json_t *row = json_object();
	put(row, "block_height", json_integer(b.height));
	cp(row, "block_hash", hdr, "hash");
	cp(row, "prev_hash", hdr, "prev_hash");
	put(row, "block_timestamp_ns", json_integer(b.ts_ns));
	cp(row, "author", block, "author");
	cp(row, "epoch_id", hdr, "epoch_id");
	cp(row, "next_epoch_id", hdr, "next_epoch_id");
	cp(row, "chunks_included", hdr, "chunks_included");
	cp(row, "gas_price", hdr, "gas_price");
	cp(row, "total_supply", hdr, "total_supply");
	cp(row, "latest_protocol_version", hdr, "latest_protocol_version");
	cp(row, "block_ordinal", hdr, "block_ordinal");
	cp(row, "prev_height", hdr, "prev_height");
	int rc = emit(w, NEAR_BLOCKS, row);
	size_t i;
	json_t *v;
	json_array_foreach(near_jget(block, "chunks"), i, v)
	{
		if (rc)
			break;
		row = base_row(&b);
		cp(row, "chunk_hash", v, "chunk_hash");
		cp(row, "shard_id", v, "shard_id");
		cp(row, "author", block, "author");
		cp(row, "height_created", v, "height_created");
		cp(row, "height_included", v, "height_included");
		cp(row, "gas_used", v, "gas_used");
		cp(row, "gas_limit", v, "gas_limit");
		cp(row, "balance_burnt", v, "balance_burnt");
		cp(row, "encoded_length", v, "encoded_length");
		cp(row, "tx_root", v, "tx_root");
		cp(row, "outcome_root", v, "outcome_root");
		cp(row, "prev_block_hash", v, "prev_block_hash");
		rc = emit(w, NEAR_CHUNKS, row);
	}
	json_array_foreach(near_jget(msg, "shards"), i, v)
	{
		if (rc)
			break;
		rc = flatten_shard(w, &b, v);
	}
	if (rc)
		return ldp_error_wrap(rc, "%s", what);
	return 0;
}

int near_table_select(const near_table *t, const char *path, int64_t min_height, char **out)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_puts(&b, "SELECT ");
	for (size_t i = 0; i < t->ncolumns; i++) {
		ldp_buf_put_sql_ident(&b, t->columns[i].name);
		ldp_buf_puts(&b, ", ");
	}
	/* microseconds: Iceberg timestamps have no nanoseconds in format v2 */
	ldp_buf_puts(&b, "make_timestamp(block_timestamp_ns // 1000) AS block_timestamp FROM read_json(");
	ldp_buf_put_sql_string(&b, path);
	ldp_buf_puts(&b, ", format='newline_delimited', columns={");
	for (size_t i = 0; i < t->ncolumns; i++) {
		ldp_buf_printf(&b, "%s", i ? ", " : "");
		ldp_buf_put_sql_string(&b, t->columns[i].name);
		ldp_buf_printf(&b, ": '%s'", t->columns[i].type);
	}
	ldp_buf_puts(&b, "})");
	if (min_height >= 0)
		ldp_buf_printf(&b, " WHERE block_height > %lld", (long long)min_height);
	if (ldp_buf_oom(&b))
		return LDP_ENOMEM;
	*out = ldp_buf_detach(&b);
	return 0;
}
