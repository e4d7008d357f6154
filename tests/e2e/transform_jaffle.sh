#!/usr/bin/env bash
# End-to-end test of `ldp transform` on the jaffle fixture project
# (tests/fixtures/dbt/jaffle): seeds, staging views, mart tables, an ephemeral
# model, an incremental merge, macros with loops/caller()/run_query, generic
# and singular tests, a warning and a failing test, selection, threads,
# compile, docs. The models' results are compared with the same logic written
# by hand as plain DuckDB SQL over the seed CSVs.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_FIXTURES:?}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-transform"
rm -rf "$T"
mkdir -p "$T"
P="$T/jaffle"
cp -r "$LDP_FIXTURES/dbt/jaffle" "$P"
"$LDP" init "$P" >/dev/null
# the source table (sources.yml: landing.regions), loaded the way users load raw data
REGIONS="select * from (values (1, 'north'), (2, 'south'), (3, 'north'), (4, 'east'), (5, 'west')) t(customer_id, region)"
(cd "$P" && "$LDP" namespace create landing && "$LDP" table create landing.customer_regions --as "$REGIONS") >/dev/null

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
expect_eq() { if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1: got [$2] want [$3]"; fi; }
expect_has() { if [[ "$2" == *"$3"* ]]; then ok "$1"; else fail "$1: [$3] not in output:"$'\n'"$2"; fi; }
run_capture() {
	set +e
	out=$(cd "$P" && "$@" 2>"$T/stderr")
	rc=$?
	set -e
	err=$(cat "$T/stderr")
}
# SQL in the project (Iceberg tables and views of the warehouse)
q() { (cd "$P" && "$LDP" sql --format csv --no-header "$1"); }
# the same logic by hand: plain DuckDB over the CSVs, outside any project
hand() { (cd "$T" && LDP_PROJECT= "$LDP" sql --format csv --no-header "$1"); }
S="$P/seeds"

# ---- build (without the test that fails on purpose) ----
run_capture "$LDP" transform build --exclude tag:failing
expect_eq "build exit" "$rc" 0
expect_has "build summary" "$out" "Done. PASS=26 WARN=1 ERROR=0 SKIP=0 TOTAL=27"
expect_has "found line" "$out" "Found 7 models, 3 seeds, 19 data tests, 1 sources"
expect_has "seed line" "$out" "OK loaded seed file analytics_raw.raw_orders"
expect_has "view line" "$out" "OK created sql view model analytics.stg_orders"
expect_has "table line" "$out" "OK created sql table model analytics.customers"
expect_has "source test line" "$out" "PASS source_unique_landing_regions_customer_id"
expect_has "warn test with sample row" "$out" "value_field=gift_card, n_records=1"
expect_has "finished line" "$out" "Finished running 3 seeds, 3 view models, 2 table models, 1 incremental model, 18 data tests"

# seeds: column_types from the property file and dbt_project.yml
expect_eq "seed column types" "$(q "select column_name || ':' || column_type from (describe analytics_raw.raw_payments) where column_name in ('id','amount') order by 1")" \
	"$(printf 'amount:INTEGER\nid:BIGINT')"

# staging views are Iceberg views in the catalog, readable by ldp sql
expect_eq "views in catalog" "$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(','.join(r[0] for r in c.execute(\"select table_name from iceberg_tables where iceberg_type='VIEW' order by 1\")))" "$P/warehouse/catalog.db")" \
	"stg_customers,stg_orders,stg_payments"
expect_eq "view rows" "$(q "select count(*), sum(amount) from analytics.stg_payments")" \
	"$(hand "select count(*), sum(round(amount / 100.0, 2)) from read_csv('$S/raw_payments.csv')")"
(cd "$P" && "$LDP" export analytics.stg_orders "$T/stg_orders.csv" >/dev/null 2>&1) && ok "export a view" || fail "export a view"
expect_eq "exported view rows" "$(tail -n +2 "$T/stg_orders.csv" | wc -l)" "10"
expect_eq "ephemeral not materialized" "$(q "select count(*) from (select 1 from duckdb_tables() where table_name = 'order_payments')")" "0"

HAND_ORDERS="with p as (select order_id, sum(round(amount / 100.0, 2)) as total,
    sum(case when payment_method = 'bank_transfer' then round(amount / 100.0, 2) else 0 end) as bt,
    sum(case when payment_method = 'coupon' then round(amount / 100.0, 2) else 0 end) as cp,
    sum(case when payment_method = 'credit_card' then round(amount / 100.0, 2) else 0 end) as cc,
    sum(case when payment_method = 'gift_card' then round(amount / 100.0, 2) else 0 end) as gc
  from read_csv('$S/raw_payments.csv') group by order_id)
select o.id, o.user_id, cast(o.order_date as date) as d, o.status, coalesce(bt, 0), coalesce(cp, 0), coalesce(cc, 0), coalesce(gc, 0),
  coalesce(total, 0) as amt, coalesce(total, 0) * 100 >= 2000
from read_csv('$S/raw_orders.csv') o left join p on p.order_id = o.id"
expect_eq "orders table = hand SQL" "$(q "select * from analytics.orders order by 1")" "$(hand "$HAND_ORDERS order by 1")"
expect_eq "customers table = hand SQL" "$(q "select * from analytics.customers order by 1")" \
	"$(hand "with o as ($HAND_ORDERS) select c.id, c.first_name, c.last_name, min(o.d), max(o.d), count(o.id), coalesce(sum(o.amt), 0), any_value(r.region) from read_csv('$S/raw_customers.csv') c left join o on o.user_id = c.id left join ($REGIONS) r on r.customer_id = c.id group by all order by 1")"
expect_eq "incremental first run" "$(q "select count(*), min(run_label) from analytics.order_status_log")" "10,initial"

# ---- incremental merge on unique_key ----
# order 7 changes status, order 11 arrives as 'placed' (filtered out by the model's is_incremental() branch)
sed -i 's/^7,3,2018-01-09,placed$/7,3,2018-01-09,completed/' "$S/raw_orders.csv"
echo "11,6,2018-01-15,placed" >>"$S/raw_orders.csv"
run_capture "$LDP" transform build -s raw_orders+ --exclude tag:failing --vars '{run_label: second}'
expect_eq "incremental build exit" "$rc" 0
expect_has "merge line" "$out" "OK created sql incremental model analytics.order_status_log"
expect_eq "merge result = hand SQL" "$(q "select order_id, status, run_label from analytics.order_status_log order by 1")" \
	"$(hand "select id, status, 'second' from read_csv('$S/raw_orders.csv') where status != 'placed' or id <= 10 order by 1")"
run_capture "$LDP" transform run -s order_status_log --full-refresh --vars '{run_label: third}'
expect_eq "full refresh exit" "$rc" 0
expect_eq "full refresh rows" "$(q "select count(*), min(run_label), max(run_label) from analytics.order_status_log")" "11,third,third"

# ---- failing tests ----
run_capture "$LDP" transform test -s tag:failing
expect_eq "failing test exit" "$rc" 1
expect_has "failing test count" "$out" "FAIL 5 assert_no_big_orders"
expect_has "failing test summary" "$out" "Done. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1"
# in build, a failing test of orders skips customers and its tests
run_capture "$LDP" transform build -s orders+ assert_no_big_orders
expect_eq "build with failure exit" "$rc" 1
expect_has "skip downstream" "$out" "SKIP sql table model analytics.customers"
expect_has "build with failure summary" "$out" "ERROR=1 SKIP=4"

# ---- selection ----
expect_eq "ls +orders" "$(cd "$P" && "$LDP" transform ls -s +orders --resource-type model | sort | tr '\n' ' ')" \
	"jaffle.marts.order_payments jaffle.marts.orders jaffle.staging.stg_orders jaffle.staging.stg_payments "
expect_eq "ls tag and path" "$(cd "$P" && "$LDP" transform ls -s tag:staging,path:models/staging --exclude stg_orders --resource-type model | tr '\n' ' ')" \
	"jaffle.staging.stg_customers jaffle.staging.stg_payments "
expect_eq "ls 1+customers" "$(cd "$P" && "$LDP" transform ls -s 1+customers --resource-type model | sort | tr '\n' ' ')" \
	"jaffle.marts.customers jaffle.marts.orders jaffle.staging.stg_customers "
expect_eq "ls stg_orders+ seeds excluded" "$(cd "$P" && "$LDP" transform ls -s stg_orders+ --exclude resource_type:test | sort | tr '\n' ' ')" \
	"jaffle.marts.customers jaffle.marts.order_status_log jaffle.marts.orders jaffle.staging.stg_orders "

# ---- threads, target, compile, docs ----
run_capture "$LDP" transform build --threads 4 --target other --exclude tag:failing
expect_eq "threads build exit" "$rc" 0
expect_eq "other target = dev target" "$(q "select * from other.customers order by 1")" "$(q "select * from analytics.customers order by 1")"
run_capture "$LDP" transform compile -s orders
expect_eq "compile exit" "$rc" 0
grep -q "__dbt__cte__order_payments as" "$P/target/compiled/jaffle/models/marts/orders.sql" && ok "compiled CTE" || fail "compiled CTE"
grep -q "credit_card_amount" "$P/target/compiled/jaffle/models/marts/orders.sql" && ok "compiled run_query loop" || fail "compiled run_query loop"
grep -q -- "-- unique key: order_id, fallback" "$P/target/compiled/jaffle/models/marts/order_status_log.sql" && ok "config.get" || fail "config.get"
run_capture "$LDP" transform docs
expect_eq "docs exit" "$rc" 0
grep -q "<svg" "$P/target/index.html" && grep -q "One row per customer with order totals." "$P/target/index.html" && ok "docs html" || fail "docs html"
if grep -q "<script src\|<link " "$P/target/index.html"; then fail "docs not self-contained"; else ok "docs self-contained"; fi

# ---- bad input: clear messages naming file and line, exit 1 ----
printf 'select 1\n{%% if x %%}\nselect 2\n' >"$P/models/broken.sql"
run_capture "$LDP" transform run -s broken
expect_eq "jinja error exit" "$rc" 1
expect_has "jinja error message" "$err" "models/broken.sql:2: block opened here is never closed"
printf "select * from {{ ref('nope') }}\n" >"$P/models/broken.sql"
run_capture "$LDP" transform run -s broken
expect_eq "bad ref exit" "$rc" 1
expect_has "bad ref message" "$err" "models/broken.sql:1"
expect_has "bad ref names ref" "$err" "refers to 'nope'"
printf "select {{ no_such_macro() }}\n" >"$P/models/broken.sql"
run_capture "$LDP" transform run -s broken
expect_has "unknown macro message" "$err" "models/broken.sql:1: 'no_such_macro' is undefined"
rm "$P/models/broken.sql"

# ---- an ldp.yml project without dbt_project.yml ----
L="$T/plain"
"$LDP" init "$L" >/dev/null
mkdir -p "$L/models"
printf "select 42 as answer\n" >"$L/models/answer.sql"
printf "{{ config(materialized='table') }}\nselect answer + 1 as next from {{ ref('answer') }}\n" >"$L/models/next.sql"
set +e
out=$(cd "$L" && "$LDP" transform run 2>&1)
rc=$?
set -e
expect_eq "ldp.yml project exit" "$rc" 0
expect_eq "ldp.yml project result" "$(cd "$L" && "$LDP" sql --format csv --no-header "select next from main.next")" "43"

if ((fails)); then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all transform checks passed"
