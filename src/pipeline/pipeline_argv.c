/*
 * Step specs -> command lines (the table in pipeline.h), and the checks of a
 * spec's shape that ldp_pipelines_load() runs so a bad spec fails at load,
 * not when its step starts.
 *
 * Steps run with the project directory as their working directory (the
 * runner sets it), so relative paths in specs are relative to the project.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldp/buf.h"
#include "ldp/error.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_internal.h"

static const char *const kind_names[] = {"ingest", "transform", "sql", "check", "export", "shell", "notify", "run"};

const char *ldp_step_kind_name(ldp_step_kind k)
{
	return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

/* ---- spec checks ---- */

static const char *const transform_keys[] = {"command",  "project_dir", "profiles_dir", "select", "exclude",
					     "full_refresh", "vars", "threads", "target"};
static const char *const transform_commands[] = {"run", "build", "test", "seed", "compile", "ls", "docs"};
static const char *const check_keys[] = {"table", "row_count", "freshness", "not_null", "unique", "accepted_values",
					 "sql", "where", "as_of", "sample"};
static const char *const export_keys[] = {"table", "query", "target", "format", "as", "name", "partition_by",
					  "snapshot", "ref", "as_of", "force"};
static const char *const notify_keys[] = {"webhook_env", "text", "query", "title", "max_rows", "status", "dry_run"};
#define N(a) (sizeof a / sizeof a[0])

static int fail_at(char *where, size_t ws, const char *kind, const char *key, int rc)
{
	snprintf(where, ws, "/%s%s%s", kind, key ? "/" : "", key ? key : "");
	return rc;
}

static int is_scalar(const json_t *v)
{
	return json_is_string(v) || json_is_number(v) || json_is_boolean(v) || json_is_null(v);
}

static int keys_check(const json_t *spec, const char *kind, const char *const *keys, size_t n, char *where, size_t ws)
{
	char what[32];
	snprintf(what, sizeof what, "a %s step", kind);
	const char *bad;
	int rc = pl_keys_check(spec, keys, n, what, &bad);
	return rc ? fail_at(where, ws, kind, bad, rc) : LDP_OK;
}

/* A flag value: a scalar, a list of scalars, or a mapping (passed as JSON). */
static int flag_value_check(const json_t *v, const char *kind, const char *key, char *where, size_t ws)
{
	if (is_scalar(v) || json_is_object(v))
		return LDP_OK;
	size_t i;
	json_t *it;
	json_array_foreach(v, i, it) if (!json_is_string(it) && !json_is_number(it)) return fail_at(
		where, ws, kind, key,
		ldp_error_set(LDP_EINVALID, "%s.%s: list items must be strings or numbers", kind, key));
	return LDP_OK;
}

static int need_string(const json_t *spec, const char *kind, const char *key, int required, char *where, size_t ws)
{
	json_t *v = json_object_get(spec, key);
	if (!v && !required)
		return LDP_OK;
	if (!v)
		return fail_at(where, ws, kind, NULL, ldp_error_set(LDP_EINVALID, "a %s step needs '%s'", kind, key));
	if (!json_is_string(v) || !*json_string_value(v))
		return fail_at(where, ws, kind, key,
			       ldp_error_set(LDP_EINVALID, "%s.%s must be a non-empty string", kind, key));
	return LDP_OK;
}

/* A string or a list of strings. */
static int string_or_list(const json_t *v, const char *what)
{
	if (json_is_string(v))
		return LDP_OK;
	size_t i;
	json_t *it;
	if (!json_is_array(v) || !json_array_size(v))
		return ldp_error_set(LDP_EINVALID, "%s must be a string or a list of strings", what);
	json_array_foreach(v, i, it) if (!json_is_string(it)) return ldp_error_set(
		LDP_EINVALID, "%s must be a string or a list of strings", what);
	return LDP_OK;
}

static int check_spec_check(const json_t *spec, char *where, size_t ws)
{
	int rc = keys_check(spec, "check", check_keys, N(check_keys), where, ws);
	if (!rc)
		rc = need_string(spec, "check", "table", 1, where, ws);
	if (!rc)
		rc = need_string(spec, "check", "where", 0, where, ws);
	if (rc)
		return rc;
	json_t *v = json_object_get(spec, "row_count");
	if (v) {
		static const char *const rk[] = {"min", "max"};
		const char *k;
		json_t *x;
		const char *bad;
		if (!json_is_object(v) || !json_object_size(v))
			return fail_at(where, ws, "check", "row_count",
				       ldp_error_set(LDP_EINVALID, "check.row_count must be a mapping {min: N, max: N}"));
		if ((rc = pl_keys_check(v, rk, 2, "check.row_count", &bad)))
			return fail_at(where, ws, "check", "row_count", rc);
		json_object_foreach(v, k, x)
		{
			if (!(json_is_integer(x) && json_integer_value(x) >= 0) && !json_is_string(x))
				return fail_at(where, ws, "check", "row_count",
					       ldp_error_set(LDP_EINVALID, "check.row_count.%s must be a number >= 0", k));
		}
	}
	if ((v = json_object_get(spec, "freshness"))) {
		int ok = json_is_string(v) && strchr(json_string_value(v), ':');
		if (json_is_object(v)) {
			ok = json_object_size(v) == 2 && json_is_string(json_object_get(v, "column")) &&
			     (json_is_string(json_object_get(v, "max_age")) || json_is_number(json_object_get(v, "max_age")));
		}
		if (!ok)
			return fail_at(where, ws, "check", "freshness",
				       ldp_error_set(LDP_EINVALID, "check.freshness takes {column: COL, max_age: DURATION} or \"COL:DURATION\""));
	}
	static const char *const lists[] = {"not_null", "unique", "sql"};
	for (size_t i = 0; i < N(lists); i++) {
		char what[32];
		snprintf(what, sizeof what, "check.%s", lists[i]);
		if ((v = json_object_get(spec, lists[i])) && (rc = string_or_list(v, what)))
			return fail_at(where, ws, "check", lists[i], rc);
	}
	if ((v = json_object_get(spec, "accepted_values"))) {
		const char *k;
		json_t *x;
		if (!json_is_object(v) || !json_object_size(v))
			return fail_at(where, ws, "check", "accepted_values",
				       ldp_error_set(LDP_EINVALID, "check.accepted_values must map columns to lists of values: {status: [paid, open]}"));
		json_object_foreach(v, k, x)
		{
			size_t i;
			json_t *it;
			int ok = json_is_array(x) && json_array_size(x);
			json_array_foreach(x, i, it) ok = ok && (json_is_string(it) || json_is_number(it));
			if (!ok)
				return fail_at(where, ws, "check", "accepted_values",
					       ldp_error_set(LDP_EINVALID, "check.accepted_values.%s must be a list of values", k));
		}
	}
	static const char *const checks[] = {"row_count", "freshness", "not_null", "unique", "accepted_values", "sql"};
	size_t nchecks = 0;
	for (size_t i = 0; i < N(checks); i++)
		nchecks += json_object_get(spec, checks[i]) != NULL;
	if (!nchecks)
		return fail_at(where, ws, "check", NULL,
			       ldp_error_set(LDP_EINVALID, "a check step checks nothing: add row_count, freshness, not_null, unique, accepted_values or sql"));
	return LDP_OK;
}

static int opts_check(const json_t *spec, const char *kind, char *where, size_t ws)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)spec, k, v)
	{
		int rc = flag_value_check(v, kind, k, where, ws);
		if (rc)
			return rc;
	}
	return LDP_OK;
}

int pl_spec_check(ldp_step_kind kind, const json_t *spec, char *where, size_t ws)
{
	const char *kn = ldp_step_kind_name(kind);
	int rc = LDP_OK;
	*where = '\0';
	switch (kind) {
	case LDP_STEP_SHELL:
	case LDP_STEP_SQL:
		if (json_is_string(spec))
			return *json_string_value(spec) ? LDP_OK : fail_at(where, ws, kn, NULL,
					ldp_error_set(LDP_EINVALID, "a %s step needs a non-empty %s", kn, kind == LDP_STEP_SQL ? "query" : "command"));
		if (!json_is_object(spec))
			break;
		if (kind == LDP_STEP_SHELL) {
			static const char *const sk[] = {"command"};
			rc = keys_check(spec, kn, sk, 1, where, ws);
			return rc ? rc : need_string(spec, kn, "command", 1, where, ws);
		} else {
			static const char *const qk[] = {"query", "file", "format"};
			rc = keys_check(spec, kn, qk, 3, where, ws);
			if (!rc && !json_object_get(spec, "query") == !json_object_get(spec, "file"))
				rc = fail_at(where, ws, kn, NULL, ldp_error_set(LDP_EINVALID, "a sql step takes either {query: SQL} or {file: path} (and optionally format)"));
			if (!rc)
				rc = need_string(spec, kn, json_object_get(spec, "file") ? "file" : "query", 1, where, ws);
			if (!rc && json_object_get(spec, "format"))
				rc = need_string(spec, kn, "format", 1, where, ws);
			return rc;
		}
	case LDP_STEP_RUN:
		if (json_is_string(spec) || json_is_array(spec)) {
			rc = string_or_list(spec, "run");
			return rc ? fail_at(where, ws, kn, NULL, rc) : LDP_OK;
		}
		if (json_is_object(spec)) {
			static const char *const rk[] = {"config"};
			rc = keys_check(spec, kn, rk, 1, where, ws);
			json_t *c = json_object_get(spec, "config");
			if (!rc && !c)
				rc = fail_at(where, ws, kn, NULL, ldp_error_set(LDP_EINVALID, "a run step needs 'config' (a JSON config path)"));
			if (!rc && (rc = string_or_list(c, "run.config")))
				fail_at(where, ws, kn, "config", rc);
			return rc;
		}
		break;
	case LDP_STEP_INGEST:
		if (!json_is_object(spec))
			break;
		if ((rc = need_string(spec, kn, "source", 1, where, ws)) || (rc = need_string(spec, kn, "table", 1, where, ws)))
			return rc;
		/* any other key is an option of `ldp ingest` or of its source's
		 * driver (api-key, paginate, ...), which ldp ingest checks */
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)spec, k, v)
		{
			int ok = *k != '\0' && *k != '-' && strlen(k) < 64;
			for (const char *c = k; ok && *c; c++)
				ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
			if (!ok)
				return fail_at(where, ws, kn, k,
					       ldp_error_set(LDP_EINVALID, "ingest option '%s' is not an option name (lower-case letters, digits, _ and -)", k));
		}
		return opts_check(spec, kn, where, ws);
	case LDP_STEP_TRANSFORM: {
		if (!json_is_object(spec))
			break;
		if ((rc = keys_check(spec, kn, transform_keys, N(transform_keys), where, ws)) ||
		    (rc = need_string(spec, kn, "command", 0, where, ws)) || (rc = opts_check(spec, kn, where, ws)))
			return rc;
		const char *cmd = json_string_value(json_object_get(spec, "command"));
		size_t i = 0;
		while (cmd && i < N(transform_commands) && strcmp(cmd, transform_commands[i]))
			i++;
		if (cmd && i == N(transform_commands))
			return fail_at(where, ws, kn, "command",
				       ldp_error_set(LDP_EINVALID, "transform.command '%s' is not one of run, build, test, seed, compile, ls, docs", cmd));
		return LDP_OK;
	}
	case LDP_STEP_CHECK:
		if (!json_is_object(spec))
			break;
		return check_spec_check(spec, where, ws);
	case LDP_STEP_EXPORT:
		if (!json_is_object(spec))
			break;
		if ((rc = keys_check(spec, kn, export_keys, N(export_keys), where, ws)))
			return rc;
		if (!!json_object_get(spec, "table") == !!json_object_get(spec, "query"))
			return fail_at(where, ws, kn, NULL,
				       ldp_error_set(LDP_EINVALID, "an export step needs exactly one of 'table' (ns.t, ns or '*') and 'query'"));
		if ((rc = need_string(spec, kn, json_object_get(spec, "table") ? "table" : "query", 1, where, ws)) ||
		    (rc = need_string(spec, kn, "target", 1, where, ws)))
			return rc;
		return opts_check(spec, kn, where, ws);
	case LDP_STEP_NOTIFY:
		if (json_is_string(spec))
			return LDP_OK; /* the text */
		if (!json_is_object(spec))
			break;
		if ((rc = keys_check(spec, kn, notify_keys, N(notify_keys), where, ws)))
			return rc;
		for (size_t i = 0; i < 4; i++) /* the text ones */
			if ((rc = need_string(spec, kn, notify_keys[i], 0, where, ws)))
				return rc;
		return opts_check(spec, kn, where, ws);
	}
	static const char *const shapes[] = {
		"a mapping {source: ..., table: ns.t, <option>: value}",
		"a mapping {command: build, select: ..., ...}",
		"a query string, {query: SQL} or {file: path}",
		"a mapping {table: ns.t, row_count: ..., not_null: [...], ...}",
		"a mapping {table: ns.t | query: SQL, target: path, ...}",
		"a command string or {command: ...}",
		"a text string or a mapping {webhook_env: VAR, text: ..., query: ..., title: ...}",
		"a config path, a list of them, or {config: path}",
	};
	return fail_at(where, ws, kn, NULL, ldp_error_set(LDP_EINVALID, "%s: expected %s", kn, shapes[kind]));
}

/* ---- argv building ---- */

typedef struct argv_b {
	char **v;
	size_t n, cap;
	int oom;
} argv_b;

static void push(argv_b *a, const char *s)
{
	if (!s)
		s = ""; /* unreachable for specs that passed pl_spec_check() */
	if (a->oom)
		return;
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->v, cap * sizeof *v);
		if (!v) {
			a->oom = 1;
			return;
		}
		a->v = v, a->cap = cap;
	}
	if (!(a->v[a->n] = strdup(s))) {
		a->oom = 1;
		return;
	}
	a->v[++a->n] = NULL;
}

/* Text of a scalar or (compact JSON) of a mapping/list; malloc'd. */
static char *value_text(const json_t *v)
{
	char buf[64];
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return strdup(buf);
	}
	if (json_is_real(v)) {
		snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
		/* the shortest text that reads back the same double */
		for (int prec = 1; prec < 17; prec++) {
			char t[64];
			snprintf(t, sizeof t, "%.*g", prec, json_real_value(v));
			if (strtod(t, NULL) == json_real_value(v)) {
				snprintf(buf, sizeof buf, "%s", t);
				break;
			}
		}
		return strdup(buf);
	}
	if (json_is_true(v))
		return strdup("true");
	if (json_is_false(v))
		return strdup("false");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void push_value(argv_b *a, const json_t *v)
{
	char *t = value_text(v);
	if (!t)
		a->oom = 1;
	else
		push(a, t);
	free(t);
}

/* flag, then prefix + the value (a list joined with commas): --key a,b,
 * --accepted-values status=paid,open, --column-type fare=decimal(10,2). */
static void push_joined(argv_b *a, const char *flag, const char *prefix, const json_t *v)
{
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_puts(&b, prefix);
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;
	for (i = 0; i < n; i++) {
		char *t = value_text(json_is_array(v) ? json_array_get(v, i) : v);
		ldp_buf_printf(&b, "%s%s", i ? "," : "", t ? t : "");
		free(t);
	}
	if (ldp_buf_oom(&b))
		a->oom = 1;
	push(a, flag);
	push(a, ldp_buf_cstr(&b));
	ldp_buf_free(&b);
}

/* The generic rule: true -> bare flag, false/null -> nothing, list -> the
 * flag repeated, mapping -> compact JSON, else "--flag value". */
static void push_flag(argv_b *a, const char *key, const json_t *v)
{
	char flag[128];
	snprintf(flag, sizeof flag, "--%s", key);
	for (char *c = flag + 2; *c; c++)
		if (*c == '_')
			*c = '-';
	if (!v || json_is_false(v) || json_is_null(v))
		return;
	if (json_is_true(v)) {
		push(a, flag);
		return;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *it;
		json_array_foreach(v, i, it)
		{
			push(a, flag);
			push_value(a, it);
		}
		return;
	}
	push(a, flag);
	push_value(a, v);
}

static void push_opts(argv_b *a, const json_t *spec, const char *const *skip, size_t nskip)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)spec, k, v)
		if (!pl_in_list(skip, nskip, k))
			push_flag(a, k, v);
}

/* {col: x, ...} -> FLAG col=x, one flag a key (--column-type, --accepted-values) */
static void push_per_key(argv_b *a, const char *flag, const json_t *map)
{
	const char *col;
	json_t *v;
	json_object_foreach((json_t *)map, col, v)
	{
		char prefix[160];
		snprintf(prefix, sizeof prefix, "%s=", col);
		push_joined(a, flag, prefix, v);
	}
}

static void build_ingest(argv_b *a, const json_t *spec)
{
	push(a, "ingest");
	push(a, json_string_value(json_object_get(spec, "source")));
	push(a, json_string_value(json_object_get(spec, "table")));
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)spec, k, v)
	{
		if (!strcmp(k, "source") || !strcmp(k, "table"))
			continue;
		/* Reader options that take true|false keep false as a value:
		 * omitting `header: false` would mean "detect". */
		if (json_is_boolean(v) && (!strcmp(k, "header") || !strcmp(k, "all_varchar"))) {
			push_joined(a, !strcmp(k, "header") ? "--header" : "--all-varchar", "", v);
			continue;
		}
		/* {fare: decimal(10,2)} -> --column-type fare=decimal(10,2), one a column */
		if (json_is_object(v) && (!strcmp(k, "column_type") || !strcmp(k, "column-type"))) {
			push_per_key(a, "--column-type", v);
			continue;
		}
		/* merge keys: the CLI takes one comma-separated --key */
		if (json_is_array(v) && !strcmp(k, "key")) {
			push_joined(a, "--key", "", v);
			continue;
		}
		push_flag(a, k, v);
	}
}

static void build_check(argv_b *a, const json_t *spec)
{
	push(a, "check");
	push(a, json_string_value(json_object_get(spec, "table")));
	json_t *v;
	if ((v = json_object_get(spec, "row_count"))) {
		push_flag(a, "row-count-min", json_object_get(v, "min"));
		push_flag(a, "row-count-max", json_object_get(v, "max"));
	}
	if ((v = json_object_get(spec, "freshness"))) {
		char prefix[160] = "";
		if (json_is_object(v))
			snprintf(prefix, sizeof prefix, "%s:", json_string_value(json_object_get(v, "column")));
		push_joined(a, "--freshness", prefix, json_is_object(v) ? json_object_get(v, "max_age") : v);
	}
	push_flag(a, "not-null", json_object_get(spec, "not_null"));
	push_flag(a, "unique", json_object_get(spec, "unique"));
	if ((v = json_object_get(spec, "accepted_values")))
		push_per_key(a, "--accepted-values", v);
	push_flag(a, "sql", json_object_get(spec, "sql"));
	push_flag(a, "where", json_object_get(spec, "where"));
	/* freshness against the run's logical time rather than the wall clock */
	push_flag(a, "as-of", json_object_get(spec, "as_of"));
	push_flag(a, "sample", json_object_get(spec, "sample"));
}

static void build(argv_b *a, const ldp_step *st, const json_t *spec)
{
	switch (st->kind) {
	case LDP_STEP_INGEST:
		build_ingest(a, spec);
		break;
	case LDP_STEP_TRANSFORM: {
		const char *cmd = json_string_value(json_object_get(spec, "command"));
		push(a, "transform");
		push(a, cmd ? cmd : "build");
		static const char *const skip[] = {"command"};
		push_opts(a, spec, skip, 1);
		break;
	}
	case LDP_STEP_SQL:
		push(a, "sql");
		push(a, "-q");
		if (json_is_object(spec) && json_object_get(spec, "format")) {
			/* the table format is for people reading `ldp logs`; csv (the default off a terminal) for scripts */
			push(a, "--format");
			push(a, json_string_value(json_object_get(spec, "format")));
		}
		if (json_is_object(spec) && json_object_get(spec, "file")) {
			push(a, "-f");
			push(a, json_string_value(json_object_get(spec, "file")));
		} else {
			push(a, json_is_string(spec) ? json_string_value(spec) : json_string_value(json_object_get(spec, "query")));
		}
		break;
	case LDP_STEP_CHECK:
		build_check(a, spec);
		break;
	case LDP_STEP_EXPORT: {
		json_t *what = json_object_get(spec, "table");
		push(a, "export");
		push(a, json_string_value(what ? what : json_object_get(spec, "query")));
		push(a, json_string_value(json_object_get(spec, "target")));
		static const char *const skip[] = {"table", "query", "target"};
		push_opts(a, spec, skip, 3);
		break;
	}
	case LDP_STEP_SHELL:
		push(a, "-c");
		push(a, json_is_string(spec) ? json_string_value(spec) : json_string_value(json_object_get(spec, "command")));
		break;
	case LDP_STEP_NOTIFY:
		push(a, "notify");
		if (json_is_string(spec)) {
			push(a, "--text");
			push(a, json_string_value(spec));
		} else {
			for (size_t i = 0; i < N(notify_keys); i++)
				push_flag(a, notify_keys[i], json_object_get(spec, notify_keys[i]));
		}
		break;
	case LDP_STEP_RUN: {
		push(a, "run");
		const json_t *c = json_is_object(spec) ? json_object_get(spec, "config") : spec;
		if (json_is_string(c)) {
			push(a, json_string_value(c));
		} else {
			size_t i;
			json_t *it;
			json_array_foreach(c, i, it) push(a, json_string_value(it));
		}
		break;
	}
	}
}

int ldp_step_argv(const ldp_pipeline *pl, const ldp_step *st, const ldp_run_context *rc, const char *ldp_bin,
		  char ***argv_out)
{
	*argv_out = NULL;
	json_t *spec;
	int r = pl_spec_render(pl, st, rc, &spec);
	if (r)
		return r;
	argv_b a = {0};
	push(&a, st->kind == LDP_STEP_SHELL ? "/bin/sh" : ldp_bin ? ldp_bin : "ldp");
	build(&a, st, spec);
	json_decref(spec);
	if (a.oom) {
		ldp_argv_free(a.v);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	*argv_out = a.v;
	return LDP_OK;
}

void ldp_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}
