#!/usr/bin/env bash
# SQL DDL/DML on Iceberg tables through `ldp sql`: CREATE SCHEMA/TABLE
# (PARTITIONED BY, TBLPROPERTIES, AS SELECT, OR REPLACE), INSERT (VALUES,
# SELECT, column lists, BY NAME, OVERWRITE), TRUNCATE, DROP, SHOW, DESCRIBE,
# and the bad inputs: unknown table/namespace, a write to a past snapshot, a
# type mismatch, a wrong column count; nothing is committed by a failure.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
dir=$LDP_TEST_TMP/sql-ddl
rm -rf "$dir"
"$LDP" init "$dir" >/dev/null
cd "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { "$LDP" sql -q --format csv --no-header "$1"; }
snapshots() { "$LDP" table snapshots "$1" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

# several statements in one invocation, each write its own commit
"$LDP" sql "
create schema sales;
create schema if not exists sales;
create table sales.orders (id bigint not null, ts timestamp, amount double, name varchar)
  partitioned by (day(ts), bucket(4, id))
  tblproperties ('commit.retry.num-retries' = '7', owner = 'ops');
insert into sales.orders values (1, timestamp '2024-01-01 10:00:00', 2.5, 'a'), (2, timestamp '2024-01-02 11:00:00', 3, 'b');
insert into sales.orders (name, id) select 'c', 3;
" 2>"$dir/err" || fail "script: $(cat "$dir/err")"
grep -q "created table sales.orders" "$dir/err" || fail "no summary line: $(cat "$dir/err")"
[ "$(q 'select count(*), sum(id), sum(amount) from sales.orders')" = "3,6,5.5" ] || fail "rows after inserts"
[ "$(q "select name, amount is null, ts is null from sales.orders where id = 3")" = "c,true,true" ] || fail "column list mapping"
[ "$(snapshots sales.orders)" = 2 ] || fail "one snapshot per INSERT"

# the Iceberg metadata says what the DDL said (read with python, independent of ldp)
meta=$(ls -t warehouse/sales/orders/metadata/*.metadata.json | head -1)
python3 - "$meta" <<'PY' || fail "metadata"
import json, sys
m = json.load(open(sys.argv[1]))
s = [x for x in m["schemas"] if x["schema-id"] == m["current-schema-id"]][0]
f = {x["name"]: x for x in s["fields"]}
assert f["id"]["type"] == "long" and f["id"]["required"], f["id"]
assert f["ts"]["type"] == "timestamp" and not f["ts"]["required"]
assert f["amount"]["type"] == "double" and f["name"]["type"] == "string"
spec = [x for x in m["partition-specs"] if x["spec-id"] == m["default-spec-id"]][0]
tr = sorted((p["transform"], p["source-id"]) for p in spec["fields"])
assert tr == sorted([("day", f["ts"]["id"]), ("bucket[4]", f["id"]["id"])]), tr
assert m["properties"]["commit.retry.num-retries"] == "7" and m["properties"]["owner"] == "ops"
PY

# BY NAME, INSERT ... SELECT reading Iceberg and a plain file together
printf 'id,name\n10,x\n11,y\n' > more.csv
"$LDP" sql -q "insert into sales.orders by name select id, name from 'more.csv' where id not in (select id from sales.orders)"
[ "$(q 'select count(*) from sales.orders')" = 5 ] || fail "BY NAME from a csv"

# CREATE TABLE AS SELECT with partitioning; OR REPLACE; IF NOT EXISTS
"$LDP" sql -q "create table sales.big partitioned by (name) as select id, name from sales.orders where id >= 10"
[ "$(q 'select string_agg(name, $$|$$ order by name) from sales.big')" = "x|y" ] || fail "CTAS rows"
"$LDP" table describe sales.big | grep -q "name = identity(name)" || fail "CTAS partitioning"
"$LDP" sql -q "create table if not exists sales.big (z int)"
[ "$(q 'select count(*) from sales.big')" = 2 ] || fail "IF NOT EXISTS replaced the table"
"$LDP" sql -q "create or replace table sales.big as select 42 as answer"
[ "$(q 'select * from sales.big')" = 42 ] || fail "OR REPLACE"

# SHOW and DESCRIBE
[ "$(q 'show schemas')" = sales ] || fail "show schemas"
[ "$(q 'show tables from sales' | sort | tr '\n' ' ')" = "sales,big sales,orders " ] || fail "show tables"
desc=$(q 'describe sales.orders')
echo "$desc" | grep -q '^1,id,long,true,,bucket\[4\] -> id_bucket$' || fail "describe id: $desc"
echo "$desc" | grep -q '^2,ts,timestamp,false,,day -> ts_day$' || fail "describe ts: $desc"

# INSERT OVERWRITE and TRUNCATE
"$LDP" sql -q "insert overwrite sales.big select 7"
[ "$(q 'select * from sales.big')" = 7 ] || fail "insert overwrite"
"$LDP" sql -q "truncate sales.big"
[ "$(q 'select count(*) from sales.big')" = 0 ] || fail "truncate"

# bad input: each fails with a clear message and commits nothing
before=$(snapshots sales.orders)
expect_err() { # SQL PATTERN
	if err=$("$LDP" sql "$1" 2>&1); then fail "succeeded: $1"; fi
	echo "$err" | grep -q -- "$2" || fail "message for [$1]: $err"
}
expect_err "insert into sales.orders values (9, 'not a time', 1.0, 'z')" "INSERT INTO sales.orders: column 'ts' is timestamp in the table, and a value in VALUES does not convert"
expect_err "insert into sales.orders select 9, 'x', 1.0, 'z'" "column 'ts' is VARCHAR in the data but timestamp in the table"
expect_err "insert into sales.orders values (9, 1)" "the query gives 2 columns but 4 are expected"
expect_err "insert into sales.orders (id, nope) values (9, 1)" "no column 'nope'"
expect_err "insert into sales.nosuch values (1)" "sales.nosuch: no such table"
expect_err "insert into nowhere.t values (1)" "namespace 'nowhere' does not exist"
expect_err "insert into sales.\"orders@1\" values (1, null, null, 'z')" "a past snapshot is read-only"
expect_err "truncate sales.\"orders@1\"" "a past snapshot is read-only"
expect_err "insert into sales.orders values (null, null, null, 'z')" "required column 'id' has a NULL value"
expect_err "create table sales.orders (x int)" "already exists"
expect_err "drop table sales.nosuch" "does not exist"
expect_err "describe sales.nosuch" "does not exist"
expect_err "create table sales.bad (h hugeint)" "h"
[ "$(snapshots sales.orders)" = "$before" ] || fail "a failed statement committed"
[ "$(q 'select count(*) from sales.orders')" = 5 ] || fail "rows changed by failures"
"$LDP" table list | grep -q sales.bad && fail "a failed CREATE left a table"

# a failed CTAS leaves no table behind
expect_err "create table sales.ctas_fail as select case when range = 3 then error('boom') else range end as x from range(5)" "boom"
"$LDP" table list | grep -q ctas_fail && fail "failed CTAS left a table"

# unqualified names stay DuckDB session tables (and reads still mix)
[ "$(q "create table tmp_local as select 5 as v; select v + (select count(*) from sales.orders) from tmp_local")" = 10 ] || fail "session table"

# DROP TABLE [PURGE], DROP SCHEMA
"$LDP" sql -q "drop table sales.big purge; drop table if exists sales.big"
[ -e warehouse/sales/big ] && [ -n "$(find warehouse/sales/big -type f 2>/dev/null)" ] && fail "purge left files"
expect_err "drop schema sales" "sales"
"$LDP" sql -q "drop table sales.orders; drop schema sales; drop schema if exists sales"
[ -z "$(q 'show schemas')" ] || fail "drop schema"
echo "sql ddl: ok"
