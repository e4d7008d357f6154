#!/usr/bin/env bash
# Every step kind run for real by `ldp pipeline run`, in one DAG: ingest (a CSV),
# run (a seed-library JSON config), sql (a table built from both), check,
# export (CSV), notify (--dry-run: the message lands in the log, nothing is
# posted) and shell (reads the export). Expected values are computed by hand
# from the rows this script writes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-pipeline-kinds"
rm -rf "$T"
mkdir -p "$T"
unset LDP_LOG
. "$here/lib/checks.sh"

P="$T/p"
"$LDP" init "$P" >/dev/null
export LDP_PROJECT="$P"
mkdir -p "$P/landing" "$P/pipelines" "$P/seed"

# orders of two days; customers as NDJSON loaded by a seed config
cat >"$P/landing/orders_20240301.csv" <<'CSV'
id,customer,amount
1,10,5.50
2,11,20.00
3,10,4.50
CSV
cat >"$P/landing/customers.json" <<'JSON'
[{"customer": 10, "name": "ada"}, {"customer": 11, "name": "bob"}]
JSON
cat >"$P/seed/customers.json" <<'JSON'
{
  "identifier": "crm",
  "metadata": {
    "source": {"name": "customers", "format": "JSON", "path": "../landing/customers.json"},
    "target": {"name": "customers", "format": "ICEBERG", "write_mode": "overwrite",
               "catalog": {"type": "LocalIceberg", "identifier": "crm"}}
  }
}
JSON

cat >"$P/pipelines/kinds.yml" <<'EOF2'
schedule: "@daily"
timezone: UTC
max_active_steps: 2
steps:
  - name: orders
    ingest: {source: "landing/orders_{{ ds_nodash }}.csv", table: raw.orders, mode: overwrite}
  - name: customers
    run: seed/customers.json
  - name: revenue
    depends_on: [orders, customers]
    sql: >-
      create schema if not exists marts;
      create or replace table marts.revenue as
      select c.name, sum(o.amount) as revenue, count(*) as orders, '{{ ds }}' as day
      from raw.orders o join crm.customers c using (customer) group by c.name
  - name: guard
    depends_on: [revenue]
    check: {table: marts.revenue, row_count: {min: 2, max: 2}, unique: [name], not_null: [revenue]}
  - name: publish
    depends_on: [guard]
    export: {query: "select name, revenue, orders from marts.revenue order by name", target: "out/revenue_{{ ds_nodash }}.csv", force: true}
  - name: announce
    depends_on: [guard]
    notify: {title: "revenue {{ ds }}", query: "select name, revenue from marts.revenue order by name", dry_run: true}
  - name: verify
    depends_on: [publish]
    shell: 'cat out/revenue_{{ ds_nodash }}.csv'
EOF2

run_capture "$LDP" pipeline run kinds --date 2024-03-01 --json
expect_eq "run exit" "$rc" 0
run_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["run_id"])' "$out")
states=$("$LDP" runs --json | python3 -c '
import json, sys
runs = json.load(sys.stdin)
print(runs[0]["state"], len(runs))')
expect_eq "one successful run" "$states" "success 1"

expect_eq "ingest step: raw.orders" "$("$LDP" sql --format csv --no-header 'select count(*), sum(amount) from raw.orders')" "3,30.0"
expect_eq "run step: crm.customers" "$("$LDP" sql --format csv --no-header "select string_agg(name, '|' order by customer) from crm.customers")" "ada|bob"
expect_eq "sql step: marts.revenue" "$("$LDP" sql --format csv --no-header "select name, revenue, orders, day from marts.revenue order by name" | tr '\n' ' ')" "ada,10.0,2,2024-03-01 bob,20.0,1,2024-03-01 "
expect_eq "export step: the CSV file" "$(tr '\n' ' ' <"$P/out/revenue_20240301.csv")" "name,revenue,orders ada,10.0,2 bob,20.0,1 "

logs=$("$LDP" logs "$run_id" --json)
steplog() { python3 -c '
import json, sys
print("\n".join(l["text"] for a in json.loads(sys.argv[1])["attempts"] if a["step"] == sys.argv[2] for l in a["logs"]))' "$logs" "$1"; }
expect_eq "check step: every check passed" "$(steplog guard | grep -c '^PASS')" "3"
announce=$(steplog announce)
expect_eq "notify step: the dry-run message names the title" "$(python3 -c 'import json,sys; m = json.loads(sys.argv[1]); print(m["text"], m["blocks"][0]["type"])' "$announce")" ":information_source: revenue 2024-03-01 header"
expect_eq "notify step: the table holds both customers" "$(grep -c 'ada.*10' <<<"$announce") $(grep -c 'bob.*20' <<<"$announce")" "1 1"
expect_eq "shell step: printed the export" "$(steplog verify | tr '\n' ' ')" "name,revenue,orders ada,10.0,2 bob,20.0,1 "

# a day without a landing file: the ingest step fails, everything downstream is
# upstream_failed, the customers step still ran, nothing in raw.orders changed
run_capture "$LDP" pipeline run kinds --date 2024-03-02
expect_eq "missing landing file: exit 1" "$rc" 1
st=$("$LDP" runs --json | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["failed_step"])')
expect_eq "the failed step is named" "$st" "orders"
expect_eq "raw.orders untouched" "$("$LDP" sql --format csv --no-header 'select count(*) from raw.orders')" "3"
expect_eq "the ingest error is in the log" "$("$LDP" logs "$("$LDP" runs --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["run_id"])')" --step orders | grep -c 'orders_20240302.csv')" "1"
finish "pipeline step kinds"
