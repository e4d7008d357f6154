/* Iceberg types <-> DuckDB types; see format/schema.h. */
#include "format/schema.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "ldp/error.h"

/* ---- Iceberg -> DuckDB ---- */

static int to_duckdb(const ldp_type *t, ldp_buf *b)
{
	int rc = LDP_OK;
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
	case LDP_T_TIMESTAMP_NS: ldp_buf_puts(b, "TIMESTAMP_NS"); break;
	/* DuckDB has no nanosecond TIMESTAMPTZ; it reads such Parquet columns as
	 * TIMESTAMPTZ (microseconds) too. */
	case LDP_T_TIMESTAMPTZ_NS: ldp_buf_puts(b, "TIMESTAMPTZ"); break;
	case LDP_T_STRING: ldp_buf_puts(b, "VARCHAR"); break;
	case LDP_T_UUID: ldp_buf_puts(b, "UUID"); break;
	case LDP_T_FIXED:
	case LDP_T_BINARY: ldp_buf_puts(b, "BLOB"); break;
	case LDP_T_STRUCT:
		ldp_buf_puts(b, "STRUCT(");
		for (size_t i = 0; i < t->nfields && !rc; i++) {
			if (i)
				ldp_buf_puts(b, ", ");
			ldp_buf_put_sql_ident(b, t->fields[i].name);
			ldp_buf_putc(b, ' ');
			rc = to_duckdb(t->fields[i].type, b);
		}
		ldp_buf_putc(b, ')');
		break;
	case LDP_T_LIST:
		rc = to_duckdb(t->element.type, b);
		ldp_buf_puts(b, "[]");
		break;
	case LDP_T_MAP:
		ldp_buf_puts(b, "MAP(");
		rc = to_duckdb(t->key.type, b);
		ldp_buf_puts(b, ", ");
		if (!rc)
			rc = to_duckdb(t->value.type, b);
		ldp_buf_putc(b, ')');
		break;
	case LDP_T_UNKNOWN_V3:
		return ldp_error_set(LDP_EUNSUPPORTED, "Iceberg type \"%s\" is not supported by ldp",
				     t->unknown_name ? t->unknown_name : "unknown");
	}
	return rc;
}

int ldp_type_to_duckdb(const ldp_type *t, ldp_buf *b)
{
	int rc = to_duckdb(t, b);
	return rc ? rc : ldp_buf_oom(b);
}

int ldp_schema_to_duckdb_columns(const ldp_schema *s, ldp_buf *b)
{
	for (size_t i = 0; i < s->root.nfields; i++) {
		const ldp_field *f = &s->root.fields[i];
		if (i)
			ldp_buf_puts(b, ", ");
		ldp_buf_put_sql_ident(b, f->name);
		ldp_buf_putc(b, ' ');
		int rc = to_duckdb(f->type, b);
		if (rc)
			return ldp_error_wrap(rc, "column '%s'", f->name);
	}
	return ldp_buf_oom(b);
}

/* The initial-default of a primitive field as a VARCHAR literal DuckDB casts
 * to the column type, or NULL. All entries of the schema map must share one
 * value type, so every default is a string (DuckDB casts it on read). */
static void put_default(const ldp_field *f, ldp_buf *b)
{
	const json_t *d = f->initial_default;
	char num[64];
	if (!d || !ldp_type_is_primitive(f->type) || f->type->id == LDP_T_UNKNOWN_V3) {
		ldp_buf_puts(b, "NULL");
		return;
	}
	switch (f->type->id) {
	case LDP_T_BOOLEAN:
		if (!json_is_boolean(d))
			break;
		ldp_buf_puts(b, json_is_true(d) ? "'true'" : "'false'");
		return;
	case LDP_T_INT:
	case LDP_T_LONG:
		if (!json_is_integer(d))
			break;
		snprintf(num, sizeof(num), "'%lld'", (long long)json_integer_value(d));
		ldp_buf_puts(b, num);
		return;
	case LDP_T_FLOAT:
	case LDP_T_DOUBLE:
		if (!json_is_number(d))
			break;
		snprintf(num, sizeof(num), "'%.17g'", json_number_value(d));
		ldp_buf_puts(b, num);
		return;
	case LDP_T_FIXED:
	case LDP_T_BINARY: {
		/* Appendix D: a hex string; DuckDB's BLOB text form is \xHH. */
		if (!json_is_string(d))
			break;
		const char *h = json_string_value(d);
		ldp_buf_putc(b, '\'');
		for (size_t i = 0; h[i] && h[i + 1]; i += 2) {
			ldp_buf_puts(b, "\\x");
			ldp_buf_putc(b, h[i]);
			ldp_buf_putc(b, h[i + 1]);
		}
		ldp_buf_putc(b, '\'');
		return;
	}
	default:
		/* decimal, date, time, timestamps, string, uuid: Appendix D strings
		 * are in forms DuckDB casts directly. */
		if (!json_is_string(d))
			break;
		ldp_buf_put_sql_string(b, json_string_value(d));
		return;
	}
	ldp_buf_puts(b, "NULL");
}

int ldp_schema_to_parquet_schema_arg(const ldp_schema *s, ldp_buf *b)
{
	ldp_buf_puts(b, "map {");
	for (size_t i = 0; i < s->root.nfields; i++) {
		const ldp_field *f = &s->root.fields[i];
		ldp_buf type = LDP_BUF_INIT;
		int rc = ldp_type_to_duckdb(f->type, &type);
		if (rc) {
			ldp_buf_free(&type);
			return ldp_error_wrap(rc, "column '%s'", f->name);
		}
		ldp_buf_printf(b, "%s%d: {name: ", i ? ", " : "", f->id);
		ldp_buf_put_sql_string(b, f->name);
		ldp_buf_puts(b, ", type: ");
		ldp_buf_put_sql_string(b, ldp_buf_cstr(&type));
		ldp_buf_free(&type);
		ldp_buf_puts(b, ", default_value: ");
		put_default(f, b);
		ldp_buf_putc(b, '}');
	}
	ldp_buf_putc(b, '}');
	return ldp_buf_oom(b);
}

/* ---- DuckDB -> Iceberg ---- */

static int from_duckdb(ldp_arena *a, duckdb_logical_type t, const char *column, int32_t *last, const ldp_type **out);

static int unsupported(const char *column, const char *duck, const char *advice)
{
	return ldp_error_set(LDP_EUNSUPPORTED, "column '%s' has DuckDB type %s, which Iceberg cannot store; %s", column,
			     duck, advice);
}

/* Fill the fields of a struct from DuckDB member types: all ids of this level
 * first, then the nested types (ldp_type_assign_fresh_ids order). */
static int build_struct(ldp_arena *a, ldp_type *st, size_t n, const char *const *names,
			const duckdb_logical_type *types, const char *parent, int32_t *last)
{
	st->id = LDP_T_STRUCT;
	st->nfields = n;
	st->fields = ldp_arena_calloc(a, n ? n : 1, sizeof(ldp_field));
	if (!st->fields)
		return LDP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		st->fields[i].id = ++*last;
		st->fields[i].required = false;
		if (!(st->fields[i].name = ldp_arena_strdup(a, names[i])))
			return LDP_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		char *path = parent ? ldp_arena_sprintf(a, "%s.%s", parent, names[i]) : ldp_arena_strdup(a, names[i]);
		if (!path)
			return LDP_ENOMEM;
		int rc = from_duckdb(a, types[i], path, last, &st->fields[i].type);
		if (rc)
			return rc;
	}
	return LDP_OK;
}

static int from_struct(ldp_arena *a, duckdb_logical_type t, const char *column, int32_t *last, ldp_type *st)
{
	idx_t n = duckdb_struct_type_child_count(t);
	char **names = calloc(n ? n : 1, sizeof(char *));
	duckdb_logical_type *types = calloc(n ? n : 1, sizeof(duckdb_logical_type));
	int rc = names && types ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
	for (idx_t i = 0; i < n && !rc; i++) {
		names[i] = duckdb_struct_type_child_name(t, i);
		types[i] = duckdb_struct_type_child_type(t, i);
	}
	if (!rc)
		rc = build_struct(a, st, n, (const char *const *)names, types, column, last);
	for (idx_t i = 0; names && types && i < n; i++) {
		if (names[i])
			duckdb_free(names[i]);
		if (types[i])
			duckdb_destroy_logical_type(&types[i]);
	}
	free(names);
	free(types);
	return rc;
}

static int from_child(ldp_arena *a, duckdb_logical_type child, const char *column, const char *name,
		      int32_t *last, ldp_field *f)
{
	char *path = ldp_arena_sprintf(a, "%s.%s", column, name);
	if (!path)
		return LDP_ENOMEM;
	f->name = name;
	return from_duckdb(a, child, path, last, &f->type);
}

static int from_duckdb(ldp_arena *a, duckdb_logical_type t, const char *column, int32_t *last, const ldp_type **out)
{
	duckdb_type id = duckdb_get_type_id(t);
	ldp_type_id prim = LDP_T_UNKNOWN_V3;
	switch (id) {
	case DUCKDB_TYPE_BOOLEAN: prim = LDP_T_BOOLEAN; break;
	/* Narrower integers widen to int; unsigned ones to the next wider signed
	 * type that holds every value. */
	case DUCKDB_TYPE_TINYINT:
	case DUCKDB_TYPE_SMALLINT:
	case DUCKDB_TYPE_INTEGER:
	case DUCKDB_TYPE_UTINYINT:
	case DUCKDB_TYPE_USMALLINT: prim = LDP_T_INT; break;
	case DUCKDB_TYPE_BIGINT:
	case DUCKDB_TYPE_UINTEGER: prim = LDP_T_LONG; break;
	case DUCKDB_TYPE_UBIGINT: *out = ldp_type_new_decimal(a, 20, 0); return *out ? LDP_OK : LDP_ENOMEM;
	case DUCKDB_TYPE_FLOAT: prim = LDP_T_FLOAT; break;
	case DUCKDB_TYPE_DOUBLE: prim = LDP_T_DOUBLE; break;
	case DUCKDB_TYPE_DECIMAL:
		*out = ldp_type_new_decimal(a, duckdb_decimal_width(t), duckdb_decimal_scale(t));
		return *out ? LDP_OK : LDP_ENOMEM;
	case DUCKDB_TYPE_DATE: prim = LDP_T_DATE; break;
	case DUCKDB_TYPE_TIME: prim = LDP_T_TIME; break;
	/* Second and millisecond timestamps hold exactly in microseconds.
	 * Nanosecond timestamps become microsecond `timestamp` as well: ldp
	 * writes format-version 2 tables, where timestamp_ns does not exist. */
	case DUCKDB_TYPE_TIMESTAMP:
	case DUCKDB_TYPE_TIMESTAMP_S:
	case DUCKDB_TYPE_TIMESTAMP_MS:
	case DUCKDB_TYPE_TIMESTAMP_NS: prim = LDP_T_TIMESTAMP; break;
	case DUCKDB_TYPE_TIMESTAMP_TZ: prim = LDP_T_TIMESTAMPTZ; break;
	/* VARCHAR covers the JSON alias; ENUM values are stored as their labels. */
	case DUCKDB_TYPE_VARCHAR:
	case DUCKDB_TYPE_ENUM: prim = LDP_T_STRING; break;
	case DUCKDB_TYPE_BLOB: prim = LDP_T_BINARY; break;
	case DUCKDB_TYPE_UUID: prim = LDP_T_UUID; break;
	case DUCKDB_TYPE_STRUCT:
	case DUCKDB_TYPE_LIST:
	case DUCKDB_TYPE_ARRAY:
	case DUCKDB_TYPE_MAP: break;
	case DUCKDB_TYPE_HUGEINT:
		return unsupported(column, "HUGEINT", "cast it to DECIMAL(38,0) or BIGINT");
	case DUCKDB_TYPE_UHUGEINT:
		return unsupported(column, "UHUGEINT", "cast it to DECIMAL(38,0)");
	case DUCKDB_TYPE_BIGNUM: return unsupported(column, "BIGNUM", "cast it to DECIMAL(38,0) or VARCHAR");
	case DUCKDB_TYPE_INTERVAL:
		return unsupported(column, "INTERVAL",
				   "cast it to VARCHAR, or store a number such as epoch(x) (seconds, DOUBLE)");
	case DUCKDB_TYPE_TIME_TZ: return unsupported(column, "TIMETZ", "cast it to TIME or VARCHAR");
	case DUCKDB_TYPE_TIME_NS: return unsupported(column, "TIME_NS", "cast it to TIME (microseconds)");
	case DUCKDB_TYPE_BIT: return unsupported(column, "BIT", "cast it to VARCHAR or BLOB");
	case DUCKDB_TYPE_UNION:
		return unsupported(column, "UNION", "split it into one column per member, or cast it to VARCHAR");
	case DUCKDB_TYPE_SQLNULL:
		return unsupported(column, "NULL", "give it a type with a cast, e.g. NULL::VARCHAR");
	case DUCKDB_TYPE_VARIANT: return unsupported(column, "VARIANT", "cast it to JSON (VARCHAR)");
	case DUCKDB_TYPE_GEOMETRY: return unsupported(column, "GEOMETRY", "cast it to WKB (BLOB) or WKT (VARCHAR)");
	default: {
		char *name = ldp_type_name(t);
		int rc = unsupported(column, name ? name : "?", "cast it to a standard SQL type");
		free(name);
		return rc;
	}
	}
	if (prim != LDP_T_UNKNOWN_V3) {
		*out = ldp_type_primitive(prim);
		return LDP_OK;
	}

	ldp_type *nt = ldp_arena_calloc(a, 1, sizeof(*nt));
	if (!nt)
		return LDP_ENOMEM;
	int rc;
	if (id == DUCKDB_TYPE_STRUCT) {
		rc = from_struct(a, t, column, last, nt);
	} else if (id == DUCKDB_TYPE_LIST || id == DUCKDB_TYPE_ARRAY) {
		duckdb_logical_type child =
			id == DUCKDB_TYPE_LIST ? duckdb_list_type_child_type(t) : duckdb_array_type_child_type(t);
		nt->id = LDP_T_LIST;
		nt->element.id = ++*last;
		nt->element.required = false;
		rc = from_child(a, child, column, "element", last, &nt->element);
		duckdb_destroy_logical_type(&child);
	} else {
		duckdb_logical_type k = duckdb_map_type_key_type(t);
		duckdb_logical_type v = duckdb_map_type_value_type(t);
		nt->id = LDP_T_MAP;
		nt->key.id = ++*last;
		nt->key.required = true;
		nt->value.id = ++*last;
		nt->value.required = false;
		rc = from_child(a, k, column, "key", last, &nt->key);
		if (!rc)
			rc = from_child(a, v, column, "value", last, &nt->value);
		duckdb_destroy_logical_type(&k);
		duckdb_destroy_logical_type(&v);
	}
	if (rc)
		return rc;
	*out = nt;
	return LDP_OK;
}

int ldp_type_from_duckdb(ldp_arena *a, duckdb_logical_type t, const char *column, int32_t *last_id,
			 const ldp_type **out)
{
	return from_duckdb(a, t, column, last_id, out);
}

int ldp_schema_from_duckdb(ldp_arena *a, size_t n, const char *const *names, const duckdb_logical_type *types,
			   ldp_schema **out)
{
	ldp_schema *s = ldp_arena_calloc(a, 1, sizeof(*s));
	if (!s)
		return LDP_ENOMEM;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return ldp_error_set(LDP_EINVALID,
						     "column name '%s' appears twice; rename one (Iceberg column names "
						     "must be unique)",
						     names[i]);
	int32_t last = 0;
	int rc = build_struct(a, &s->root, n, names, types, NULL, &last);
	if (rc)
		return rc;
	*out = s;
	return LDP_OK;
}

int ldp_schema_from_duckdb_result(ldp_arena *a, const ldp_result *r, ldp_schema **out)
{
	return ldp_schema_from_duckdb(a, r->ncols, (const char *const *)r->names, r->ltypes, out);
}
