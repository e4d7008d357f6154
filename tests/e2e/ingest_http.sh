#!/usr/bin/env bash
# http(s):// files: download into the cache, conditional GET (304 reuses the
# cached copy, a changed file is fetched again), retries on 503 / 429 with
# Retry-After / a connection dropped mid-body, and failures that commit
# nothing and leak no secret. Expected values come from the files themselves.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
T="$LDP_TEST_TMP/ingest_http.$$"
rm -rf "$T"
mkdir -p "$T/srv"
. "$LDP_SOURCE_DIR/tests/e2e/lib/http_server.bash"
trap 'stop_http_server; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LDP_HTTP_RETRY_BASE_MS=20

cd "$T" && "$LDP" init proj >/dev/null && cd proj
q() { "$LDP" sql --format csv --no-header "$1"; }

# served files: Parquet written by DuckDB, a CSV written by python
q "COPY (SELECT range AS id, 'n' || range AS name, range * 0.5 AS v FROM range(1000)) TO '$T/srv/trips.parquet' (FORMAT parquet)" >/dev/null
python3 -c "
import csv
with open('$T/srv/zones.csv', 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n'); w.writerow(['id', 'zone'])
    for i in range(1, 266): w.writerow([i, 'zone %d' % i])"
cp "$T/srv/trips.parquet" "$T/srv/big.parquet"
start_http_server "$T/srv" "$T/server.log"

# 1. a Parquet file: rows and a checksum computed without ldp (sum 0..999)
"$LDP" ingest "$HTTP_URL/files/trips.parquet" raw.trips | grep -q "Ingested 1000 rows" || fail "first download"
[ "$(q 'SELECT count(*), sum(id) FROM raw.trips')" = "1000,499500" ] || fail "raw.trips content"
ls .ldp/cache/http/*-trips.parquet >/dev/null || fail "no cached copy under .ldp/cache/http"

# 2. the same URL again: a conditional GET answered 304, the cached copy is used
"$LDP" ingest "$HTTP_URL/files/trips.parquet" raw.trips --mode overwrite >/dev/null
[ "$(q 'SELECT count(*) FROM raw.trips')" = 1000 ] || fail "overwrite from the cache"
[ "$(http_log | grep -c '^GET /files/trips.parquet 304')" = 1 ] || fail "no 304 for the second download: $(http_log)"

# 3. a CSV that changes on the server: the new version is downloaded
"$LDP" ingest "$HTTP_URL/files/zones.csv" raw.zones >/dev/null
[ "$(q 'SELECT count(*), sum(id) FROM raw.zones')" = "265,35245" ] || fail "raw.zones content"
http_post "/admin/touch?name=zones.csv&append=266,zone%20266" >/dev/null
"$LDP" ingest "$HTTP_URL/files/zones.csv" raw.zones --mode overwrite >/dev/null
[ "$(q 'SELECT count(*), max(id) FROM raw.zones')" = "266,266" ] || fail "changed file not fetched again"
[ "$(http_log | grep -c '^GET /files/zones.csv 200')" = 2 ] || fail "expected two full downloads of zones.csv"

# 4. 503 twice, then the file
"$LDP" ingest "$HTTP_URL/flaky503/trips.parquet" raw.t503 >/dev/null || fail "503 retries"
[ "$(http_log | grep -c '^GET /flaky503/trips.parquet 503')" = 2 ] || fail "expected two 503s"
[ "$(q 'SELECT count(*) FROM raw.t503')" = 1000 ] || fail "raw.t503"

# 5. 429 with Retry-After: 1 is honoured (the retry waits at least a second)
start=$(date +%s.%N)
"$LDP" ingest "$HTTP_URL/ratelimit/trips.parquet" raw.t429 >/dev/null || fail "429 retry"
took=$(python3 -c "print($(date +%s.%N) - $start >= 1.0)")
[ "$took" = True ] || fail "Retry-After was not honoured"
[ "$(q 'SELECT count(*) FROM raw.t429')" = 1000 ] || fail "raw.t429"

# 6. the connection dropped mid-body: retried, complete file
"$LDP" ingest "$HTTP_URL/drop/big.parquet" raw.tdrop >/dev/null || fail "dropped connection not retried"
[ "$(q 'SELECT count(*), sum(id) FROM raw.tdrop')" = "1000,499500" ] || fail "raw.tdrop"

# 7. always dropped: a clear error, nothing committed, no partial file left
set +e
err=$("$LDP" ingest "$HTTP_URL/alwaysdrop/big.parquet" raw.never --retries 2 2>&1)
code=$?
set -e
[ "$code" = 1 ] || fail "always-dropping server: exit $code: $err"
echo "$err" | grep -q "alwaysdrop/big.parquet" || fail "error does not name the URL: $err"
echo "$err" | grep -qi "network error" || fail "error does not say what failed: $err"
echo "$err" | grep -q "nothing was ingested" || fail "error does not say nothing was ingested: $err"
"$LDP" table list raw | grep -q never && fail "a table was created by a failed download"
ls .ldp/cache/http/ | grep -q part && fail "a partial download was left in the cache"

# 8. 404, and a secret in the query string never shown
export MY_KEY=sup3r-secret-key
set +e
err=$("$LDP" ingest "$HTTP_URL/missing/x.parquet" raw.missing --auth api-key:query:api_key:MY_KEY 2>&1)
code=$?
set -e
[ "$code" = 1 ] || fail "404: exit $code"
echo "$err" | grep -q "HTTP 404" || fail "404 not reported: $err"
echo "$err" | grep -q "sup3r" && fail "the API key leaked into the error: $err"
echo "$err" | grep -q "api_key=\*\*\*" || fail "the redacted URL is not shown: $err"
set +e
err=$(LDP_LOG=debug "$LDP" ingest "$HTTP_URL/files/trips.parquet" raw.keyed --auth api-key:query:api_key:MY_KEY 2>&1)
set -e
echo "$err" | grep -q "sup3r" && fail "the API key leaked into the log: $err"
grep -rq "sup3r" . && fail "the API key was written into the project (catalog, metadata or cache)"
[ "$(q 'SELECT count(*) FROM raw.keyed')" = 1000 ] || fail "raw.keyed"

# 9. bad options
set +e
err=$("$LDP" ingest "$HTTP_URL/files/trips.parquet" raw.x --auth bearer:NOT_SET_ANYWHERE 2>&1); code=$?
[ "$code" = 1 ] && echo "$err" | grep -q "NOT_SET_ANYWHERE" || fail "unset env var: $code $err"
err=$("$LDP" ingest "$HTTP_URL/files/trips.parquet" raw.x --auth token:X 2>&1); code=$?
[ "$code" = 1 ] && echo "$err" | grep -q "bearer:ENV" || fail "bad --auth: $code $err"
set -e
echo "ingest_http: ok"
