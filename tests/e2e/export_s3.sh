#!/usr/bin/env bash
# ldp export to S3 (a real S3-compatible server with authentication:
# tests/s3_server.sh): a table to a Parquet object, a DuckDB file object, a
# partitioned prefix; read back with `ldp s3 cp` and checked by DuckDB against
# the Iceberg table; an existing object without --force is refused.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
source "$LDP_SOURCE_DIR/tests/s3_server.sh"
s3_server_start

T="$LDP_TEST_TMP/e2e-export-s3"
rm -rf "$T"
mkdir -p "$T/back"
unset LDP_PROJECT
"$LDP" init "$T/proj" >/dev/null
cd "$T/proj"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { "$LDP" sql -q --format csv --no-header "$1"; }
"$LDP" s3 mb s3://out
"$LDP" sql -q "create schema s; create table s.t as select range as id, range % 3 as k, range * 0.5 as v from range(100)"
want=$(q "select count(*), sum(id), sum(v) from s.t")

"$LDP" export s.t s3://out/t.parquet 2>/dev/null
"$LDP" s3 cp s3://out/t.parquet "$T/back/t.parquet"
[ "$(q "select count(*), sum(id), sum(v) from '$T/back/t.parquet'")" = "$want" ] || fail "parquet object"

"$LDP" export s.t s3://out/db/t.duckdb 2>/dev/null
"$LDP" s3 cp s3://out/db/t.duckdb "$T/back/t.duckdb"
[ "$(cd "$T" && LDP_PROJECT=/nonexistent "$LDP" sql -q --format csv --no-header --db back/t.duckdb 'select count(*), sum(id), sum(v) from t')" = "$want" ] \
	|| fail "duckdb object"

"$LDP" export 'select id, k from s.t' s3://out/parts --format csv --partition-by k 2>/dev/null
"$LDP" s3 ls s3://out/parts/ >"$T/ls.txt"
[ "$(grep -c 'parts/k=' "$T/ls.txt")" = 3 ] || fail "partitioned prefix: $(cat "$T/ls.txt")"

# existing targets: refused without --force (object and prefix), replaced with it
if err=$("$LDP" export s.t s3://out/t.parquet 2>&1); then fail "overwrote an object without --force"; fi
echo "$err" | grep -q "already exists (use --force" || fail "message: $err"
if "$LDP" export 'select 1 as k' s3://out/parts --format csv --partition-by k 2>/dev/null; then fail "overwrote a prefix"; fi
"$LDP" export 'select 1 as k, 2 as x' s3://out/parts --format csv --partition-by k --force 2>/dev/null
"$LDP" s3 ls s3://out/parts/ >"$T/ls.txt"
[ "$(grep -c 'parts/k=' "$T/ls.txt")" = 1 ] || fail "--force replaces the prefix: $(cat "$T/ls.txt")"
echo "export s3: ok"
