/*
 * pipeline/state.c - the project's state file: run history, step attempts,
 * step logs, scheduler bookkeeping.
 *
 * Every write is its own short transaction (or one transaction per logged
 * chunk), so a runner killed at any point leaves a consistent file: at worst a
 * run or an attempt stays 'running', which ldp_state_recover() and the next
 * ldp_state_run_start() of that run turn into 'interrupted'. The run locks
 * are in state_lock.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "pipeline/state.h"

#define STATE_SCHEMA_VERSION 1
#define STATE_BUSY_TIMEOUT_MS 30000

struct ldp_state {
	sqlite3 *db;
	char *path;
};

static double now_s(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int db_error(ldp_state *s, const char *what)
{
	int code = sqlite3_errcode(s->db);
	int st = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? LDP_EBUSY : LDP_EIO;
	return ldp_error_set(st, "state file %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static char *join_path(const char *a, const char *b)
{
	ldp_buf buf = LDP_BUF_INIT;
	if (b[0] == '/')
		ldp_buf_puts(&buf, b);
	else
		ldp_buf_printf(&buf, "%s/%s", a, b);
	if (ldp_buf_oom(&buf)) {
		ldp_buf_free(&buf);
		return NULL;
	}
	return ldp_buf_detach(&buf);
}

char *ldp_state_path(const ldp_project *p)
{
	const char *cfg = NULL;
	if (p->config)
		cfg = json_string_value(json_object_get(p->config, "state"));
	return join_path(p->dir, cfg && *cfg ? cfg : ".ldp/state.db");
}

static const char *schema_sql =
	"CREATE TABLE IF NOT EXISTS runs ("
	" run_id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, logical_date REAL NOT NULL,"
	" interval_start REAL, interval_end REAL,"
	" run_type TEXT NOT NULL CHECK (run_type IN ('manual','scheduled','backfill','airflow')),"
	" state TEXT NOT NULL CHECK (state IN ('queued','running','success','failed','interrupted')),"
	" queued_at REAL, started_at REAL, ended_at REAL, pid INTEGER, error TEXT);"
	"CREATE UNIQUE INDEX IF NOT EXISTS runs_scheduled_interval ON runs(pipeline, logical_date)"
	" WHERE run_type = 'scheduled';"
	"CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs(pipeline, queued_at);"
	"CREATE TABLE IF NOT EXISTS step_attempts ("
	" run_id TEXT NOT NULL, step TEXT NOT NULL, attempt INTEGER NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN"
	"  ('running','success','failed','skipped','upstream_failed','interrupted')),"
	" started_at REAL, ended_at REAL, exit_code INTEGER, signal INTEGER, reason TEXT,"
	" PRIMARY KEY (run_id, step, attempt));"
	"CREATE TABLE IF NOT EXISTS step_logs ("
	" run_id TEXT NOT NULL, step TEXT NOT NULL, attempt INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" stream TEXT NOT NULL CHECK (stream IN ('stdout','stderr')), at REAL NOT NULL, text TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS step_logs_by_run ON step_logs(run_id, step, attempt, seq);"
	"CREATE TABLE IF NOT EXISTS scheduler (pipeline TEXT PRIMARY KEY, last_logical_date REAL);";

/* Run `sql` (no results wanted). */
static int exec_sql(ldp_state *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, what);
	return LDP_OK;
}

static int prepare(ldp_state *s, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_error(s, "preparing a statement");
	return LDP_OK;
}

/* Step a statement expected to finish (no rows), finalize it. */
static int step_done(ldp_state *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	int err = rc == SQLITE_DONE ? LDP_OK : db_error(s, what);
	sqlite3_finalize(st);
	return err;
}

static int schema_version(ldp_state *s, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(s, &st, "PRAGMA user_version");
	*version = 0;
	if (!rc && sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!rc && *version > STATE_SCHEMA_VERSION)
		rc = ldp_error_set(LDP_EUNSUPPORTED,
				   "state file %s has schema version %d, newer than this ldp understands (%d); "
				   "use a newer ldp or another state file (ldp.yml `state:`)",
				   s->path, *version, STATE_SCHEMA_VERSION);
	return rc;
}

static int create_schema(ldp_state *s)
{
	/* the common case, an existing file, takes no write lock */
	int version;
	int rc = schema_version(s, &version);
	if (rc || version == STATE_SCHEMA_VERSION)
		return rc;
	if ((rc = exec_sql(s, "BEGIN IMMEDIATE", "starting the schema transaction")))
		return rc;
	rc = schema_version(s, &version); /* another process may have won the race */
	if (!rc && version < STATE_SCHEMA_VERSION) {
		rc = exec_sql(s, schema_sql, "creating the schema");
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", STATE_SCHEMA_VERSION);
		if (!rc)
			rc = exec_sql(s, pragma, "setting the schema version");
	}
	if (!rc)
		return exec_sql(s, "COMMIT", "committing the schema");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int ldp_state_open(const ldp_project *p, ldp_state **out)
{
	*out = NULL;
	ldp_state *s = calloc(1, sizeof *s);
	if (!s || !(s->path = ldp_state_path(p))) {
		free(s);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	char *dir = strdup(s->path);
	int rc = dir ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
	if (!rc) {
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = 0;
		rc = ldp_io_mkdirs(dir);
	}
	free(dir);
	if (!rc && sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
				   NULL) != SQLITE_OK)
		rc = ldp_error_set(LDP_EIO, "opening state file %s: %s", s->path,
				   s->db ? sqlite3_errmsg(s->db) : "out of memory");
	if (!rc) {
		sqlite3_busy_timeout(s->db, STATE_BUSY_TIMEOUT_MS);
		/* WAL: readers (ldp runs) never block the runner's writes and
		 * vice versa; synchronous=NORMAL keeps every commit durable
		 * against a process crash, which is what the history needs. */
		rc = exec_sql(s, "PRAGMA journal_mode = WAL", "enabling WAL");
	}
	if (!rc)
		rc = exec_sql(s, "PRAGMA synchronous = NORMAL", "setting synchronous");
	if (!rc)
		rc = create_schema(s);
	if (rc) {
		ldp_state_close(s);
		return rc;
	}
	*out = s;
	return LDP_OK;
}

void ldp_state_close(ldp_state *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

/* ---- runs ---- */

static int valid_run_type(const char *t)
{
	return t && (!strcmp(t, "manual") || !strcmp(t, "scheduled") || !strcmp(t, "backfill") ||
		     !strcmp(t, "airflow"));
}

static int run_exists(ldp_state *s, const char *run_id, int *exists)
{
	sqlite3_stmt *st;
	int rc = prepare(s, &st, "SELECT 1 FROM runs WHERE run_id = ?");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	int r = sqlite3_step(st);
	*exists = r == SQLITE_ROW;
	rc = (r == SQLITE_ROW || r == SQLITE_DONE) ? LDP_OK : db_error(s, "looking up a run");
	sqlite3_finalize(st);
	return rc;
}

static int insert_run(ldp_state *s, const char *run_id, const char *pipeline, const char *run_type, double logical,
		      double istart, double iend, const char *state)
{
	sqlite3_stmt *st;
	int rc = prepare(s, &st,
			 "INSERT INTO runs (run_id, pipeline, logical_date, interval_start, interval_end, run_type, state,"
			 " queued_at, started_at, pid) VALUES (?,?,?,?,?,?,?,?,?,?)");
	if (rc)
		return rc;
	double now = now_s();
	int running = !strcmp(state, "running");
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, pipeline, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 3, logical);
	sqlite3_bind_double(st, 4, istart);
	sqlite3_bind_double(st, 5, iend);
	sqlite3_bind_text(st, 6, run_type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 8, now);
	if (running) {
		sqlite3_bind_double(st, 9, now);
		sqlite3_bind_int64(st, 10, (sqlite3_int64)getpid());
	}
	return step_done(s, st, "recording a run");
}

int ldp_state_run_queue(ldp_state *s, const char *pipeline, const char *run_type, double logical_date,
			double interval_start, double interval_end, char *run_id_out)
{
	if (!valid_run_type(run_type))
		return ldp_error_set(LDP_EINVALID, "run type '%s': expected manual, scheduled, backfill or airflow",
				     run_type ? run_type : "(null)");
	char stamp[32];
	time_t t = (time_t)logical_date;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
	char base[64];
	int n = snprintf(base, sizeof base, "%s__%s__%s", pipeline, run_type, stamp);
	if (n < 0 || n >= (int)sizeof base - 8) /* room for "__<n>" within 63 characters */
		return ldp_error_set(LDP_EINVALID,
				     "pipeline name '%s' is too long for a run id (%s__%s__%s must stay under 56 characters)",
				     pipeline, pipeline, run_type, stamp);
	int rc = exec_sql(s, "BEGIN IMMEDIATE", "starting a transaction");
	if (rc)
		return rc;
	if (!strcmp(run_type, "scheduled")) {
		/* the unique index is the real guard; this finds the existing id */
		sqlite3_stmt *st;
		rc = prepare(s, &st,
			     "SELECT run_id FROM runs WHERE pipeline = ? AND logical_date = ? AND run_type = 'scheduled'");
		if (!rc) {
			sqlite3_bind_text(st, 1, pipeline, -1, SQLITE_TRANSIENT);
			sqlite3_bind_double(st, 2, logical_date);
			if (sqlite3_step(st) == SQLITE_ROW) {
				snprintf(run_id_out, 64, "%s", (const char *)sqlite3_column_text(st, 0));
				rc = ldp_error_set(LDP_EEXISTS, "pipeline %s: the scheduled run of %s is already recorded (%s)",
						   pipeline, stamp, run_id_out);
			}
			sqlite3_finalize(st);
		}
	}
	char id[96];
	snprintf(id, sizeof id, "%s", base);
	for (int k = 2; !rc; k++) {
		int exists = 0;
		rc = run_exists(s, id, &exists);
		if (rc || !exists)
			break;
		snprintf(id, sizeof id, "%s__%d", base, k);
	}
	if (!rc)
		rc = insert_run(s, id, pipeline, run_type, logical_date, interval_start, interval_end, "queued");
	if (!rc)
		rc = exec_sql(s, "COMMIT", "committing a queued run");
	if (rc) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	memcpy(run_id_out, id, strlen(id) + 1); /* < 64: base is at most 55 characters */
	return LDP_OK;
}

int ldp_state_run_insert(ldp_state *s, const char *run_id, const char *pipeline, const char *run_type,
			 double logical_date, double interval_start, double interval_end, const char *state)
{
	if (!valid_run_type(run_type))
		return ldp_error_set(LDP_EINVALID, "run type '%s': expected manual, scheduled, backfill or airflow",
				     run_type ? run_type : "(null)");
	if (!run_id || !*run_id || strlen(run_id) >= 64)
		return ldp_error_set(LDP_EINVALID, "run id '%s': must be 1 to 63 characters", run_id ? run_id : "");
	if (strcmp(state, "queued") && strcmp(state, "running"))
		return ldp_error_set(LDP_EINVALID, "a new run is queued or running, not '%s'", state);
	int exists = 0;
	int rc = run_exists(s, run_id, &exists);
	if (!rc && exists)
		return ldp_error_set(LDP_EEXISTS, "run %s already exists in %s", run_id, s->path);
	if (!rc)
		rc = insert_run(s, run_id, pipeline, run_type, logical_date, interval_start, interval_end, state);
	return rc;
}

/* The run's current state into buf (or LDP_ENOTFOUND). */
static int run_state_of(ldp_state *s, const char *run_id, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int rc = prepare(s, &st, "SELECT state FROM runs WHERE run_id = ?");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
	else if (r == SQLITE_DONE)
		rc = ldp_error_set(LDP_ENOTFOUND, "no run '%s' in %s (see ldp runs)", run_id, s->path);
	else
		rc = db_error(s, "looking up a run");
	sqlite3_finalize(st);
	return rc;
}

int ldp_state_run_start(ldp_state *s, const char *run_id)
{
	int rc = exec_sql(s, "BEGIN IMMEDIATE", "starting a transaction");
	if (rc)
		return rc;
	char state[32];
	rc = run_state_of(s, run_id, state, sizeof state);
	if (!rc && strcmp(state, "queued") && strcmp(state, "interrupted") && strcmp(state, "failed"))
		rc = ldp_error_set(LDP_EINVALID, "run %s is %s; only queued, interrupted or failed runs can start",
				   run_id, state);
	sqlite3_stmt *st;
	/* attempts left 'running' belong to a process that died: the caller
	 * holds the pipeline's lock, so no live process owns them */
	if (!rc && !(rc = prepare(s, &st,
				  "UPDATE step_attempts SET state = 'interrupted', ended_at = ?,"
				  " reason = coalesce(reason, 'the process running it died')"
				  " WHERE run_id = ? AND state = 'running'"))) {
		sqlite3_bind_double(st, 1, now_s());
		sqlite3_bind_text(st, 2, run_id, -1, SQLITE_TRANSIENT);
		rc = step_done(s, st, "closing stale attempts");
	}
	if (!rc && !(rc = prepare(s, &st,
				  "UPDATE runs SET state = 'running', started_at = ?, ended_at = NULL, pid = ?, error = NULL"
				  " WHERE run_id = ?"))) {
		sqlite3_bind_double(st, 1, now_s());
		sqlite3_bind_int64(st, 2, (sqlite3_int64)getpid());
		sqlite3_bind_text(st, 3, run_id, -1, SQLITE_TRANSIENT);
		rc = step_done(s, st, "starting a run");
	}
	if (!rc)
		return exec_sql(s, "COMMIT", "committing a run start");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int set_run_state(ldp_state *s, const char *run_id, const char *state, const char *error)
{
	int running = !strcmp(state, "running");
	sqlite3_stmt *st;
	int rc = prepare(s, &st,
			 running ? "UPDATE runs SET state = ?, error = ?, ended_at = NULL, pid = ?,"
				   " started_at = coalesce(started_at, ?) WHERE run_id = ?"
				 : "UPDATE runs SET state = ?, error = ?, ended_at = ? WHERE run_id = ?");
	if (rc)
		return rc;
	int i = 1;
	sqlite3_bind_text(st, i++, state, -1, SQLITE_TRANSIENT);
	if (error)
		sqlite3_bind_text(st, i, error, -1, SQLITE_TRANSIENT);
	i++;
	if (running)
		sqlite3_bind_int64(st, i++, (sqlite3_int64)getpid());
	sqlite3_bind_double(st, i++, now_s());
	sqlite3_bind_text(st, i, run_id, -1, SQLITE_TRANSIENT);
	return step_done(s, st, "updating a run");
}

int ldp_state_run_finish(ldp_state *s, const char *run_id, const char *state, const char *error)
{
	if (strcmp(state, "success") && strcmp(state, "failed") && strcmp(state, "interrupted"))
		return ldp_error_set(LDP_EINVALID, "a run finishes as success, failed or interrupted, not '%s'", state);
	char cur[32];
	int rc = run_state_of(s, run_id, cur, sizeof cur);
	if (!rc && strcmp(cur, "running"))
		rc = ldp_error_set(LDP_EINVALID, "run %s is %s, not running; it cannot finish", run_id, cur);
	return rc ? rc : set_run_state(s, run_id, state, error);
}

int ldp_state_run_set_state(ldp_state *s, const char *run_id, const char *state, const char *error)
{
	if (strcmp(state, "running") && strcmp(state, "success") && strcmp(state, "failed") &&
	    strcmp(state, "interrupted") && strcmp(state, "queued"))
		return ldp_error_set(LDP_EINVALID, "unknown run state '%s'", state);
	char cur[32];
	int rc = run_state_of(s, run_id, cur, sizeof cur);
	return rc ? rc : set_run_state(s, run_id, state, error);
}

/* A row of `st` as an object keyed by column names (NULLs kept as null). */
static json_t *row_object(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int n = sqlite3_column_count(st);
	for (int i = 0; o && i < n; i++) {
		json_t *v;
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(st, i)); break;
		case SQLITE_FLOAT: v = json_real(sqlite3_column_double(st, i)); break;
		case SQLITE_NULL: v = json_null(); break;
		default: {
			const char *t = (const char *)sqlite3_column_text(st, i);
			size_t len = (size_t)sqlite3_column_bytes(st, i);
			v = json_stringn(t, len);
			if (!v) { /* step output need not be UTF-8: keep it readable */
				ldp_buf b = LDP_BUF_INIT;
				for (size_t k = 0; k < len; k++) {
					unsigned char c = (unsigned char)t[k];
					if (c < 0x80)
						ldp_buf_putc(&b, (char)c);
					else
						ldp_buf_printf(&b, "\\x%02x", c);
				}
				v = json_stringn(b.ptr ? b.ptr : "", b.len);
				ldp_buf_free(&b);
			}
		}
		}
		json_object_set_new(o, sqlite3_column_name(st, i), v ? v : json_null());
	}
	return o;
}

/* Every row of a prepared statement as an array of objects; finalizes st. */
static int collect_rows(ldp_state *s, sqlite3_stmt *st, json_t **out)
{
	json_t *arr = json_array();
	int r;
	while (arr && (r = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, row_object(st));
	int rc = !arr ? ldp_error_set(LDP_ENOMEM, "out of memory") : r == SQLITE_DONE ? LDP_OK : db_error(s, "reading");
	sqlite3_finalize(st);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return LDP_OK;
}

/* The failed step of a run: the first (by start) step whose latest attempt failed. */
#define FAILED_STEP_SQL                                                                                       \
	"(SELECT a.step FROM step_attempts a WHERE a.run_id = runs.run_id AND a.state = 'failed'"             \
	" AND a.attempt = (SELECT max(b.attempt) FROM step_attempts b WHERE b.run_id = a.run_id AND b.step = a.step)" \
	" ORDER BY a.started_at LIMIT 1) AS failed_step"
#define RUN_COLUMNS                                                                                            \
	"run_id, pipeline, logical_date, interval_start, interval_end, run_type, state, queued_at, started_at," \
	" ended_at, pid, error, " FAILED_STEP_SQL

int ldp_state_run_get(ldp_state *s, const char *run_id, json_t **out)
{
	*out = NULL;
	sqlite3_stmt *st;
	int rc = prepare(s, &st, "SELECT " RUN_COLUMNS " FROM runs WHERE run_id = ?");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	json_t *rows;
	if ((rc = collect_rows(s, st, &rows)))
		return rc;
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		return ldp_error_set(LDP_ENOTFOUND, "no run '%s' in %s (see ldp runs)", run_id, s->path);
	}
	*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return LDP_OK;
}

int ldp_state_runs_list(ldp_state *s, const char *pipeline, int limit, json_t **out)
{
	*out = NULL;
	sqlite3_stmt *st;
	int rc = prepare(s, &st,
			 "SELECT " RUN_COLUMNS " FROM runs WHERE (?1 IS NULL OR pipeline = ?1)"
			 " ORDER BY queued_at DESC, rowid DESC LIMIT ?2");
	if (rc)
		return rc;
	if (pipeline)
		sqlite3_bind_text(st, 1, pipeline, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	return collect_rows(s, st, out);
}

int ldp_state_recover(ldp_state *s, const ldp_project *p, json_t **out)
{
	*out = NULL;
	sqlite3_stmt *st;
	/* Airflow's runs have no runner process between tasks: Airflow owns them */
	int rc = prepare(s, &st,
			 "SELECT run_id, pipeline, state, pid FROM runs WHERE state IN ('running','queued')"
			 " AND run_type != 'airflow' ORDER BY queued_at, rowid");
	json_t *rows = NULL;
	if (rc || (rc = collect_rows(s, st, &rows)))
		return rc;
	json_t *ids = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *id = json_string_value(json_object_get(r, "run_id"));
		const char *pl = json_string_value(json_object_get(r, "pipeline"));
		int held = ldp_lock_is_held(p, pl);
		if (held < 0) {
			rc = held;
			break;
		}
		if (held)
			continue;
		if (!strcmp(json_string_value(json_object_get(r, "state")), "running")) {
			char err[96];
			snprintf(err, sizeof err, "the process running it (pid %lld) died",
				 (long long)json_integer_value(json_object_get(r, "pid")));
			if ((rc = exec_sql(s, "BEGIN IMMEDIATE", "starting a transaction")))
				break;
			if (!(rc = prepare(s, &st,
					   "UPDATE step_attempts SET state = 'interrupted', ended_at = ?, reason = ?"
					   " WHERE run_id = ? AND state = 'running'"))) {
				sqlite3_bind_double(st, 1, now_s());
				sqlite3_bind_text(st, 2, err, -1, SQLITE_TRANSIENT);
				sqlite3_bind_text(st, 3, id, -1, SQLITE_TRANSIENT);
				rc = step_done(s, st, "closing the attempts of a dead run");
			}
			if (!rc)
				rc = set_run_state(s, id, "interrupted", err);
			if (!rc)
				rc = exec_sql(s, "COMMIT", "committing a recovered run");
			if (rc) {
				sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
				break;
			}
		}
		json_array_append_new(ids, json_string(id));
	}
	json_decref(rows);
	if (rc) {
		json_decref(ids);
		return rc;
	}
	*out = ids;
	return LDP_OK;
}

/* ---- step attempts and logs ---- */

int ldp_state_attempt_start(ldp_state *s, const char *run_id, const char *step, int attempt)
{
	sqlite3_stmt *st;
	int rc = prepare(s, &st,
			 "INSERT INTO step_attempts (run_id, step, attempt, state, started_at) VALUES (?,?,?,'running',?)");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, step, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, attempt);
	sqlite3_bind_double(st, 4, now_s());
	return step_done(s, st, "recording a step attempt");
}

int ldp_state_attempt_finish(ldp_state *s, const char *run_id, const char *step, int attempt, const char *state,
			     int exit_code, int signal, const char *reason)
{
	static const char *const ok[] = {"success", "failed", "skipped", "upstream_failed", "interrupted"};
	int known = 0;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		known |= !strcmp(state, ok[i]);
	if (!known)
		return ldp_error_set(LDP_EINVALID, "unknown step state '%s'", state);
	/* skipped and upstream_failed steps never started: the row is new */
	sqlite3_stmt *st;
	int rc = prepare(s, &st,
			 "INSERT INTO step_attempts (run_id, step, attempt, state, started_at, ended_at, exit_code, signal,"
			 " reason) VALUES (?1,?2,?3,?4,?5,?5,?6,?7,?8) ON CONFLICT (run_id, step, attempt) DO UPDATE SET"
			 " state = excluded.state, ended_at = excluded.ended_at, exit_code = excluded.exit_code,"
			 " signal = excluded.signal, reason = excluded.reason");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, step, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, attempt);
	sqlite3_bind_text(st, 4, state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 5, now_s());
	if (exit_code >= 0)
		sqlite3_bind_int(st, 6, exit_code);
	if (signal > 0)
		sqlite3_bind_int(st, 7, signal);
	if (reason)
		sqlite3_bind_text(st, 8, reason, -1, SQLITE_TRANSIENT);
	return step_done(s, st, "recording a step's outcome");
}

int ldp_state_log_append(ldp_state *s, const char *run_id, const char *step, int attempt, const char *stream,
			 const char *text, size_t len)
{
	if (strcmp(stream, "stdout") && strcmp(stream, "stderr"))
		return ldp_error_set(LDP_EINVALID, "log stream '%s': expected stdout or stderr", stream);
	if (len == 0)
		return LDP_OK;
	/* one row a line (without its newline), all lines of a chunk in one
	 * transaction: cheap for chatty steps, and `ldp logs --json` gets lines */
	int rc = exec_sql(s, "BEGIN IMMEDIATE", "starting a transaction");
	if (rc)
		return rc;
	sqlite3_stmt *st;
	sqlite3_int64 seq = 0;
	if (!(rc = prepare(s, &st,
			   "SELECT coalesce(max(seq), 0) FROM step_logs WHERE run_id = ? AND step = ? AND attempt = ?"))) {
		sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, step, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 3, attempt);
		if (sqlite3_step(st) == SQLITE_ROW)
			seq = sqlite3_column_int64(st, 0);
		else
			rc = db_error(s, "numbering log lines");
		sqlite3_finalize(st);
	}
	if (!rc)
		rc = prepare(s, &st, "INSERT INTO step_logs (run_id, step, attempt, seq, stream, at, text) VALUES (?,?,?,?,?,?,?)");
	if (!rc) {
		double at = now_s();
		sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, step, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 3, attempt);
		sqlite3_bind_text(st, 5, stream, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 6, at);
		size_t pos = 0;
		while (!rc && pos < len) {
			const char *nl = memchr(text + pos, '\n', len - pos);
			size_t end = nl ? (size_t)(nl - text) : len;
			sqlite3_bind_int64(st, 4, ++seq);
			sqlite3_bind_text(st, 7, text + pos, (int)(end - pos), SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = db_error(s, "storing step output");
			sqlite3_reset(st);
			pos = nl ? end + 1 : len;
		}
		sqlite3_finalize(st);
	}
	if (!rc)
		return exec_sql(s, "COMMIT", "committing step output");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int ldp_state_attempts_list(ldp_state *s, const char *run_id, json_t **out)
{
	*out = NULL;
	sqlite3_stmt *st;
	int rc = prepare(s, &st,
			 "SELECT run_id, step, attempt, state, started_at, ended_at, exit_code, signal, reason"
			 " FROM step_attempts WHERE run_id = ? ORDER BY coalesce(started_at, ended_at), rowid");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	return collect_rows(s, st, out);
}

int ldp_state_step_states(ldp_state *s, const char *run_id, json_t **out)
{
	*out = NULL;
	sqlite3_stmt *st;
	int rc = prepare(s, &st,
			 "SELECT a.step, a.state FROM step_attempts a WHERE a.run_id = ?1 AND a.attempt ="
			 " (SELECT max(b.attempt) FROM step_attempts b WHERE b.run_id = ?1 AND b.step = a.step)");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	json_t *o = json_object();
	int r;
	while (o && (r = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(o, (const char *)sqlite3_column_text(st, 0),
				    json_string((const char *)sqlite3_column_text(st, 1)));
	rc = !o ? ldp_error_set(LDP_ENOMEM, "out of memory") : r == SQLITE_DONE ? LDP_OK : db_error(s, "reading steps");
	sqlite3_finalize(st);
	if (rc) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return LDP_OK;
}

int ldp_state_logs(ldp_state *s, const char *run_id, const char *step, json_t **out)
{
	*out = NULL;
	sqlite3_stmt *st;
	/* rowid order is arrival order across streams and steps */
	int rc = prepare(s, &st,
			 "SELECT step, attempt, stream, at, text FROM step_logs WHERE run_id = ?1"
			 " AND (?2 IS NULL OR step = ?2) ORDER BY rowid");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, run_id, -1, SQLITE_TRANSIENT);
	if (step)
		sqlite3_bind_text(st, 2, step, -1, SQLITE_TRANSIENT);
	return collect_rows(s, st, out);
}

/* ---- scheduler bookkeeping ---- */

int ldp_state_sched_get(ldp_state *s, const char *pipeline, double *last_logical_date)
{
	*last_logical_date = 0;
	sqlite3_stmt *st;
	int rc = prepare(s, &st, "SELECT last_logical_date FROM scheduler WHERE pipeline = ?");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, pipeline, -1, SQLITE_TRANSIENT);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*last_logical_date = sqlite3_column_double(st, 0);
	else if (r != SQLITE_DONE)
		rc = db_error(s, "reading the scheduler's bookkeeping");
	sqlite3_finalize(st);
	return rc;
}

int ldp_state_sched_set(ldp_state *s, const char *pipeline, double last_logical_date)
{
	sqlite3_stmt *st;
	int rc = prepare(s, &st,
			 "INSERT INTO scheduler (pipeline, last_logical_date) VALUES (?,?)"
			 " ON CONFLICT (pipeline) DO UPDATE SET last_logical_date = excluded.last_logical_date");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, pipeline, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, last_logical_date);
	return step_done(s, st, "recording the scheduler's bookkeeping");
}
