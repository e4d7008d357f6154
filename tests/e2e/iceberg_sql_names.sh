#!/usr/bin/env bash
# How ldp sql resolves Iceberg table names: ns.t, nested a.b.t and "a.b".t,
# case folding like DuckDB's, time travel suffixes, and names that are not
# Iceberg tables left to DuckDB.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
dir=$LDP_TEST_TMP/sql-names
rm -rf "$dir"
"$LDP" init "$dir" >/dev/null
cd "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { "$LDP" sql --format csv --no-header "$1"; }
"$LDP" namespace create sales >/dev/null
"$LDP" namespace create sales.eu >/dev/null
"$LDP" table create sales.orders --schema "id BIGINT, amount DOUBLE" >/dev/null
"$LDP" table create sales.eu.orders --schema "id BIGINT, amount DOUBLE" >/dev/null
"$LDP" table append sales.orders "select range as id, range * 1.5 as amount from range(10)" >/dev/null
"$LDP" table append sales.eu.orders "select range as id, 2.0 as amount from range(4)" >/dev/null
"$LDP" table append sales.eu.orders "select 99 as id, 3.0 as amount" >/dev/null

[ "$(q 'select count(*) from sales.orders')" = 10 ] || fail "ns.t"
[ "$(q 'select count(*) from sales.eu.orders')" = 5 ] || fail "a.b.t"
[ "$(q 'select count(*) from "sales.eu".orders')" = 5 ] || fail '"a.b".t'
# both levels in one query: ns.t and ns.sub.t must not be ambiguous
[ "$(q 'select (select count(*) from sales.orders) + (select count(*) from sales.eu.orders)')" = 15 ] || fail "ns.t with ns.sub.t"
[ "$(q 'select count(*) from SALES.Orders')" = 10 ] || fail "case folding"
first=$("$LDP" table snapshots sales.eu.orders --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["snapshot_id"])')
[ "$(q "select count(*) from sales.eu.\"orders@$first\"")" = 4 ] || fail "time travel on a nested namespace"
# DuckDB's own names still work next to Iceberg tables
[ "$(q "select count(*) from information_schema.schemata where schema_name = 'main'")" -ge 1 ] || fail "information_schema"
# a missing table in an existing namespace is named
if err=$("$LDP" sql "select * from sales.nope" 2>&1); then fail "missing table succeeded"; fi
echo "$err" | grep -q "nope" || fail "missing table not named: $err"
# a bad time-travel suffix on a real table is a clear error
if err=$("$LDP" sql 'select * from sales."orders@tag:none"' 2>&1); then fail "bad tag succeeded"; fi
echo "$err" | grep -q "no branch or tag named 'none'" || fail "bad tag message: $err"
# quoted, escaped and non-ASCII column names through partitioning, paths and SQL
"$LDP" table create sales.odd --schema '"my col" VARCHAR, "we""ird" BIGINT, "ünï" DATE' \
	--partition-by '"my col", bucket(4, "we""ird"), month("ünï")' >/dev/null
"$LDP" table append sales.odd "select 'a/b c=d' as \"my col\", 5 as \"we\"\"ird\", date '2024-02-03' as \"ünï\"
	union all select null, -1, null" >/dev/null
[ "$(q 'select count(*), sum("we""ird") from sales.odd where "my col" = '"'"'a/b c=d'"'"' or "ünï" is null')" = "2,4" ] \
	|| fail "odd column names"
"$LDP" table files sales.odd --json | grep -q 'my+col=a%2Fb+c%3Dd/we%22ird_bucket=3/%C3%BCn%C3%AF_month=2024-02' \
	|| fail "partition path escaping"
echo "sql names: ok"
