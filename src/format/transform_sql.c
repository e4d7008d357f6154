/*
 * Partition transforms inside DuckDB: SQL expressions that compute the same
 * values as ldp_transform_apply, so that a write can split rows by partition
 * in one query, and the two scalar functions those expressions need
 * (DuckDB has no Murmur3 and no byte-wise BLOB prefix).
 *
 * Floor semantics: DuckDB's // and % truncate toward zero like C, so
 * floor(a / d) is written a - floor_mod(a, d) over d. Time zones: every
 * timestamp goes through epoch_us/epoch_ns, which are UTC instants whatever
 * the session TimeZone, then back to a naive TIMESTAMP for year and month.
 */
#include "format/transform.h"

#include <inttypes.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "format/murmur3.h"
#include "format/value.h"
#include "ldp/error.h"

static int duck_type(const ldp_type *t, ldp_buf *b)
{
	switch (t->id) {
	case LDP_T_BOOLEAN: ldp_buf_puts(b, "BOOLEAN"); break;
	case LDP_T_INT: ldp_buf_puts(b, "INTEGER"); break;
	case LDP_T_LONG: ldp_buf_puts(b, "BIGINT"); break;
	case LDP_T_FLOAT: ldp_buf_puts(b, "FLOAT"); break;
	case LDP_T_DOUBLE: ldp_buf_puts(b, "DOUBLE"); break;
	case LDP_T_DECIMAL: ldp_buf_printf(b, "DECIMAL(%d,%d)", t->precision, t->scale); break;
	case LDP_T_DATE: ldp_buf_puts(b, "DATE"); break;
	case LDP_T_TIME: ldp_buf_puts(b, "TIME"); break;
	case LDP_T_TIMESTAMP: ldp_buf_puts(b, "TIMESTAMP"); break;
	case LDP_T_TIMESTAMPTZ: ldp_buf_puts(b, "TIMESTAMPTZ"); break;
	case LDP_T_TIMESTAMP_NS:
	case LDP_T_TIMESTAMPTZ_NS: ldp_buf_puts(b, "TIMESTAMP_NS"); break;
	case LDP_T_STRING: ldp_buf_puts(b, "VARCHAR"); break;
	case LDP_T_UUID: ldp_buf_puts(b, "UUID"); break;
	case LDP_T_FIXED:
	case LDP_T_BINARY: ldp_buf_puts(b, "BLOB"); break;
	default:
		return ldp_error_set(LDP_EUNSUPPORTED, "no DuckDB type for Iceberg %s", ldp_value_type_name(t->id));
	}
	return LDP_OK;
}

/* floor(a / d) for a BIGINT expression a and a constant d > 0. */
static void put_floor_div(ldp_buf *b, const char *a, int64_t d)
{
	ldp_buf_printf(b, "((%s) - ((((%s) %% %" PRId64 ") + %" PRId64 ") %% %" PRId64 ")) // %" PRId64, a, a, d, d, d,
		       d);
}

/* Microseconds from the epoch (UTC) of a timestamp expression, floored for
 * the ns types as Iceberg converts them. */
static void put_epoch_us(ldp_buf *b, const char *expr, ldp_type_id id)
{
	if (id == LDP_T_TIMESTAMP_NS || id == LDP_T_TIMESTAMPTZ_NS) {
		ldp_buf ns = LDP_BUF_INIT;
		ldp_buf_printf(&ns, "epoch_ns(%s)", expr);
		ldp_buf_putc(b, '(');
		put_floor_div(b, ldp_buf_cstr(&ns), 1000);
		ldp_buf_putc(b, ')');
		ldp_buf_free(&ns);
	} else {
		ldp_buf_printf(b, "epoch_us(%s)", expr);
	}
}

int ldp_transform_sql(const ldp_transform *tr, const char *expr, const ldp_type *source, ldp_buf *out)
{
	int rc = ldp_transform_check(tr, source, NULL);
	if (rc)
		return rc;
	ldp_type_id id = source->id;
	ldp_buf e = LDP_BUF_INIT, tmp = LDP_BUF_INIT;
	ldp_buf_printf(&e, "(%s)", expr);
	const char *x = ldp_buf_cstr(&e);
	switch (tr->kind) {
	case LDP_TR_IDENTITY: ldp_buf_puts(out, x); break;
	case LDP_TR_VOID:
		ldp_buf_puts(out, "CAST(NULL AS ");
		rc = duck_type(source, out);
		ldp_buf_putc(out, ')');
		break;
	case LDP_TR_BUCKET: ldp_buf_printf(out, "ldp_bucket(%s, %" PRId32 ")", x, tr->param); break;
	case LDP_TR_TRUNCATE: {
		int32_t w = tr->param;
		if (id == LDP_T_INT) {
			/* in BIGINT so that floor_mod cannot overflow; only INT_MIN-ish values
			 * (where Java wraps around) fail the final cast */
			ldp_buf_printf(out, "CAST(CAST(%s AS BIGINT) - (((CAST(%s AS BIGINT) %% %d) + %d) %% %d) AS INTEGER)",
				       x, x, w, w, w);
		} else if (id == LDP_T_LONG) {
			ldp_buf_printf(out, "(%s - (((%s %% %d) + %d) %% %d))", x, x, w, w, w);
		} else if (id == LDP_T_DECIMAL) {
			/* W is in units of the column's scale: W=50 at scale 2 is 0.50 */
			ldp_buf_puts(&tmp, "CAST('");
			ldp_decimal_to_text(&tmp, w, source->scale);
			int32_t pw = source->scale + 10 > 38 ? 38 : source->scale + 10;
			ldp_buf_printf(&tmp, "' AS DECIMAL(%d,%d))", pw, source->scale);
			const char *wl = ldp_buf_cstr(&tmp);
			ldp_buf_printf(out, "CAST(%s - (((%s %% %s) + %s) %% %s) AS DECIMAL(%d,%d))", x, x, wl, wl, wl,
				       source->precision, source->scale);
		} else if (id == LDP_T_STRING) {
			/* DuckDB's substring counts code points, as the spec does */
			ldp_buf_printf(out, "substring(%s, 1, %d)", x, w);
		} else {
			ldp_buf_printf(out, "ldp_truncate(%s, %d)", x, w);
		}
		break;
	}
	case LDP_TR_YEAR:
	case LDP_TR_MONTH: {
		/* a naive TIMESTAMP (or the DATE itself) whose fields are the UTC ones */
		if (id == LDP_T_DATE) {
			ldp_buf_puts(&tmp, x);
		} else {
			ldp_buf_puts(&tmp, "make_timestamp(");
			put_epoch_us(&tmp, x, id);
			ldp_buf_putc(&tmp, ')');
		}
		const char *t = ldp_buf_cstr(&tmp);
		if (tr->kind == LDP_TR_YEAR)
			ldp_buf_printf(out, "CAST(year(%s) - 1970 AS INTEGER)", t);
		else
			ldp_buf_printf(out, "CAST((year(%s) - 1970) * 12 + month(%s) - 1 AS INTEGER)", t, t);
		break;
	}
	case LDP_TR_DAY:
	case LDP_TR_HOUR:
		if (id == LDP_T_DATE) {
			ldp_buf_printf(out, "CAST(%s - DATE '1970-01-01' AS INTEGER)", x);
			break;
		}
		put_epoch_us(&tmp, x, id);
		ldp_buf_puts(out, "CAST(");
		put_floor_div(out, ldp_buf_cstr(&tmp), tr->kind == LDP_TR_DAY ? INT64_C(86400000000) : INT64_C(3600000000));
		ldp_buf_puts(out, " AS INTEGER)");
		break;
	default: rc = ldp_error_set(LDP_EUNSUPPORTED, "transform kind %d has no SQL form", (int)tr->kind);
	}
	if (!rc && (ldp_buf_oom(&e) || ldp_buf_oom(&tmp)))
		rc = LDP_ENOMEM;
	ldp_buf_free(&e);
	ldp_buf_free(&tmp);
	return rc ? rc : ldp_buf_oom(out);
}

/* ---- scalar functions ---- */

static bool row_valid(uint64_t *validity, idx_t row) { return !validity || duckdb_validity_row_is_valid(validity, row); }

static int32_t hash_long(int64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)v >> (8 * i));
	return (int32_t)ldp_murmur3_32(b, 8, 0);
}

static __int128 hugeint_value(duckdb_hugeint h) { return (__int128)(((unsigned __int128)(uint64_t)h.upper << 64) | h.lower); }

/* Appendix B hash of row `i` of a vector of DuckDB type `t` (resolved once
 * per chunk in `id`); -1 when the type has no Iceberg hash. */
static int hash_row(duckdb_type id, duckdb_logical_type t, void *data, idx_t i, int32_t *out)
{
	switch (id) {
	case DUCKDB_TYPE_TINYINT: *out = hash_long(((int8_t *)data)[i]); return 0;
	case DUCKDB_TYPE_SMALLINT: *out = hash_long(((int16_t *)data)[i]); return 0;
	case DUCKDB_TYPE_INTEGER:
	case DUCKDB_TYPE_DATE: *out = hash_long(((int32_t *)data)[i]); return 0;
	case DUCKDB_TYPE_BIGINT:
	case DUCKDB_TYPE_TIME:
	case DUCKDB_TYPE_TIMESTAMP:
	case DUCKDB_TYPE_TIMESTAMP_TZ: *out = hash_long(((int64_t *)data)[i]); return 0;
	case DUCKDB_TYPE_TIMESTAMP_S: *out = hash_long(((int64_t *)data)[i] * 1000000); return 0;
	case DUCKDB_TYPE_TIMESTAMP_MS: *out = hash_long(((int64_t *)data)[i] * 1000); return 0;
	case DUCKDB_TYPE_TIMESTAMP_NS: *out = hash_long(ldp_floor_div(((int64_t *)data)[i], 1000)); return 0;
	case DUCKDB_TYPE_DECIMAL: {
		__int128 v;
		switch (duckdb_decimal_internal_type(t)) {
		case DUCKDB_TYPE_SMALLINT: v = ((int16_t *)data)[i]; break;
		case DUCKDB_TYPE_INTEGER: v = ((int32_t *)data)[i]; break;
		case DUCKDB_TYPE_BIGINT: v = ((int64_t *)data)[i]; break;
		default: v = hugeint_value(((duckdb_hugeint *)data)[i]);
		}
		uint8_t b[16];
		size_t n = ldp_decimal_min_bytes(v, b);
		*out = (int32_t)ldp_murmur3_32(b, n, 0);
		return 0;
	}
	case DUCKDB_TYPE_VARCHAR:
	case DUCKDB_TYPE_BLOB: {
		duckdb_string_t *s = &((duckdb_string_t *)data)[i];
		*out = (int32_t)ldp_murmur3_32(duckdb_string_t_data(s), duckdb_string_t_length(*s), 0);
		return 0;
	}
	case DUCKDB_TYPE_UUID: {
		/* DuckDB flips the top bit so that UUIDs sort as signed 128-bit */
		duckdb_hugeint h = ((duckdb_hugeint *)data)[i];
		uint64_t hi = (uint64_t)h.upper ^ (UINT64_C(1) << 63), lo = h.lower;
		uint8_t b[16];
		for (int k = 0; k < 8; k++) {
			b[k] = (uint8_t)(hi >> (56 - 8 * k));
			b[8 + k] = (uint8_t)(lo >> (56 - 8 * k));
		}
		*out = (int32_t)ldp_murmur3_32(b, 16, 0);
		return 0;
	}
	default: return -1;
	}
}

static void bucket_fn(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output)
{
	idx_t n = duckdb_data_chunk_get_size(input);
	duckdb_vector vals = duckdb_data_chunk_get_vector(input, 0), ns = duckdb_data_chunk_get_vector(input, 1);
	duckdb_logical_type t = duckdb_vector_get_column_type(vals);
	duckdb_type id = duckdb_get_type_id(t);
	void *data = duckdb_vector_get_data(vals);
	int32_t *nd = duckdb_vector_get_data(ns), *res = duckdb_vector_get_data(output);
	uint64_t *vv = duckdb_vector_get_validity(vals), *nv = duckdb_vector_get_validity(ns);
	duckdb_vector_ensure_validity_writable(output);
	uint64_t *rv = duckdb_vector_get_validity(output);
	for (idx_t i = 0; i < n; i++) {
		if (!row_valid(vv, i) || !row_valid(nv, i)) {
			duckdb_validity_set_row_invalid(rv, i);
			continue;
		}
		int32_t h;
		if (nd[i] < 1) {
			duckdb_scalar_function_set_error(info, "ldp_bucket: the bucket count must be at least 1");
			break;
		}
		if (hash_row(id, t, data, i, &h)) {
			duckdb_scalar_function_set_error(info, "ldp_bucket: Iceberg's bucket transform does not accept "
							       "values of this type");
			break;
		}
		res[i] = (h & INT32_MAX) % nd[i];
	}
	duckdb_destroy_logical_type(&t);
}

static void truncate_fn(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output)
{
	idx_t n = duckdb_data_chunk_get_size(input);
	duckdb_vector vals = duckdb_data_chunk_get_vector(input, 0), ws = duckdb_data_chunk_get_vector(input, 1);
	duckdb_string_t *data = duckdb_vector_get_data(vals);
	int32_t *wd = duckdb_vector_get_data(ws);
	uint64_t *vv = duckdb_vector_get_validity(vals), *wv = duckdb_vector_get_validity(ws);
	duckdb_vector_ensure_validity_writable(output);
	uint64_t *rv = duckdb_vector_get_validity(output);
	for (idx_t i = 0; i < n; i++) {
		if (!row_valid(vv, i) || !row_valid(wv, i)) {
			duckdb_validity_set_row_invalid(rv, i);
			continue;
		}
		if (wd[i] < 1) {
			duckdb_scalar_function_set_error(info, "ldp_truncate: the width must be at least 1");
			break;
		}
		uint32_t len = duckdb_string_t_length(data[i]);
		if (len > (uint32_t)wd[i])
			len = (uint32_t)wd[i];
		duckdb_vector_assign_string_element_len(output, i, duckdb_string_t_data(&data[i]), len);
	}
}

static int register_fn(duckdb_connection conn, const char *name, duckdb_type arg, duckdb_type ret,
		       duckdb_scalar_function_t fn)
{
	duckdb_scalar_function f = duckdb_create_scalar_function();
	duckdb_scalar_function_set_name(f, name);
	duckdb_logical_type a = duckdb_create_logical_type(arg), n = duckdb_create_logical_type(DUCKDB_TYPE_INTEGER),
			    r = duckdb_create_logical_type(ret);
	duckdb_scalar_function_add_parameter(f, a);
	duckdb_scalar_function_add_parameter(f, n);
	duckdb_scalar_function_set_return_type(f, r);
	duckdb_scalar_function_set_function(f, fn);
	duckdb_state st = duckdb_register_scalar_function(conn, f);
	duckdb_destroy_logical_type(&a);
	duckdb_destroy_logical_type(&n);
	duckdb_destroy_logical_type(&r);
	duckdb_destroy_scalar_function(&f);
	if (st != DuckDBSuccess)
		return ldp_error_set(LDP_ESQL, "cannot register the DuckDB function %s", name);
	return LDP_OK;
}

int ldp_register_iceberg_functions(ldp_engine *e)
{
	duckdb_connection conn = ldp_engine_connection(e);
	int rc = register_fn(conn, "ldp_bucket", DUCKDB_TYPE_ANY, DUCKDB_TYPE_INTEGER, bucket_fn);
	if (!rc)
		rc = register_fn(conn, "ldp_truncate", DUCKDB_TYPE_BLOB, DUCKDB_TYPE_BLOB, truncate_fn);
	return rc;
}
