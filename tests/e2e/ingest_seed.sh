#!/usr/bin/env bash
# ldp run with the seed library's JSON pipeline configs (examples/seed/), as
# they are: PARQUET/CSV/JSON -> ICEBERG, ICEBERG -> ICEBERG, ICEBERG -> CSV,
# quality checks, and the pyiceberg SqlCatalog layout the seed uses
# (<warehouse_path>/<identifier>.db, catalog_name = identifier).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"
: "${LDP_SOURCE_DIR:?}"
: "${LDP_FIXTURES:?}"

T="$LDP_TEST_TMP/e2e-ingest-seed"
rm -rf "$T"
mkdir -p "$T"
cp -r "$LDP_SOURCE_DIR/examples/seed" "$T/seed"
rm -rf "$T"/seed/*/warehouse "$T"/seed/*/exports "$T"/seed/*/data/exports
unset LDP_PROJECT LDP_LOG
cd "$T"

. "$here/lib/checks.sh"
# ldp sql against a seed catalog: a throwaway project pointing at it
seedq() {
	local wh=$1 ident=$2 sql=$3
	mkdir -p "$T/q-$ident"
	printf 'name: q\nwarehouse: %s\ncatalog:\n  type: sqlite\n  uri: %s/%s.db\n  name: %s\n' "$wh" "$wh" "$ident" "$ident" >"$T/q-$ident/ldp.yml"
	LDP_PROJECT="$T/q-$ident" "$LDP" sql --format csv --no-header "$sql"
}

# ---- NYC taxi: a small file with the real schema, the zone lookup ----
mkdir -p seed/nyc_taxi/data
"$LDP" sql "copy (select (range % 2 + 1)::BIGINT as VendorID,
	TIMESTAMP '2023-01-01 00:00:00' + to_minutes(range * 7) as tpep_pickup_datetime,
	TIMESTAMP '2023-01-01 00:10:00' + to_minutes(range * 7) as tpep_dropoff_datetime,
	1.0::DOUBLE as passenger_count, 1.5::DOUBLE as trip_distance, 1.0::DOUBLE as RatecodeID, 'N' as store_and_fwd_flag,
	(range % 5 + 1)::BIGINT as PULocationID, 2::BIGINT as DOLocationID, 1::BIGINT as payment_type,
	(case when range = 3 then -5.0 else 10.0 end)::DOUBLE as fare_amount, 0.0::DOUBLE as extra, 0.5::DOUBLE as mta_tax,
	2.0::DOUBLE as tip_amount, 0.0::DOUBLE as tolls_amount, 1.0::DOUBLE as improvement_surcharge,
	13.5::DOUBLE as total_amount, 2.5::DOUBLE as congestion_surcharge, 0.0::DOUBLE as airport_fee
	from range(500)) to 'seed/nyc_taxi/data/yellow_tripdata_2023-01.parquet'" >/dev/null
cp "$LDP_FIXTURES/nyc-taxi/taxi_zone_lookup.csv" seed/nyc_taxi/data/

run_capture "$LDP" run seed/nyc_taxi/config/ingestion.json
expect_eq "parquet -> iceberg exit" "$rc" 0
expect_eq "parquet -> iceberg output" "$(grep -c 'nyc_taxi (PARQUET -> ICEBERG): wrote 500 rows to nyc_yellow_taxi_dataset.rides' <<<"$out")" "1"
# on_failure warn: the negative fare is reported, the data still lands
expect_eq "range check warns" "$(grep -c 'range: 1 value of fare_amount outside' <<<"$err")" "1"
wh="$T/seed/nyc_taxi/warehouse"
expect_eq "seed catalog file" "$(test -f "$wh/nyc_yellow_taxi_dataset.db" && echo yes)" "yes"
expect_eq "pyiceberg catalog_name" "$(python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("select catalog_name, table_namespace, table_name from iceberg_tables").fetchall())' "$wh/nyc_yellow_taxi_dataset.db")" "[('nyc_yellow_taxi_dataset', 'nyc_yellow_taxi_dataset', 'rides')]"
expect_eq "rows in the table" "$(seedq "$wh" nyc_yellow_taxi_dataset 'select count(*), sum(PULocationID) from nyc_yellow_taxi_dataset.rides')" "500,1500"
expect_eq "partitioned by day" "$(LDP_PROJECT="$T/q-nyc_yellow_taxi_dataset" "$LDP" table partitions nyc_yellow_taxi_dataset.rides --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" "3"
# write_mode overwrite: running again keeps 500 rows
"$LDP" run seed/nyc_taxi/config/ingestion.json >/dev/null 2>&1
expect_eq "overwrite on re-run" "$(seedq "$wh" nyc_yellow_taxi_dataset 'select count(*) from nyc_yellow_taxi_dataset.rides')" "500"

run_capture "$LDP" run seed/nyc_taxi/config/zones.json seed/nyc_taxi/config/egression.json
expect_eq "csv -> iceberg and iceberg -> csv exit" "$rc" 0
expect_eq "zones rows" "$(seedq "$wh" nyc_yellow_taxi_dataset 'select count(*) from nyc_yellow_taxi_dataset.zones')" "265"
csv="$T/seed/nyc_taxi/data/exports/nyc_yellow_taxi_rides.csv"
expect_eq "export lines" "$(wc -l <"$csv")" "501"
expect_eq "export header" "$(head -1 "$csv" | cut -d, -f1-3)" "VendorID,tpep_pickup_datetime,tpep_dropoff_datetime"
expect_eq "export matches the table" "$("$LDP" sql --format csv --no-header "select count(*), sum(PULocationID) from read_csv('$csv')")" "500,1500"

# ---- events: JSON -> bronze, bronze -> silver (quality-gated), silver -> CSV ----
run_capture "$LDP" run seed/events/config/bronze_events.json seed/events/config/silver_events.json seed/events/config/events_export.json --json
expect_eq "events pipeline exit" "$rc" 0
expect_eq "events json" "$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
print(" ".join("%s:%s:%d" % (r["identifier"], r["flow"].replace(" ", ""), r["rows"]) for r in d))' "$out")" "bronze_events:JSON->ICEBERG:6 silver_events:ICEBERG->ICEBERG:6 events_export:ICEBERG->CSV:6"
expect_eq "unknown check skipped with a warning" "$(grep -c "'monotonic' is not implemented" <<<"$err")" "1"
ewh="$T/seed/events/warehouse"
expect_eq "bronze rows" "$(seedq "$ewh" app 'select count(*), sum(amount) from app.bronze_events')" "6,67.49"
expect_eq "bronze bucket partitions" "$(LDP_PROJECT="$T/q-app" "$LDP" table describe app.bronze_events | grep -c 'bucket\[4\]')" "1"
expect_eq "events export" "$(cat "$T/seed/events/exports/silver_events.csv" | wc -l)" "7"
# a second bronze load duplicates event ids: the silver promotion must fail and write nothing
"$LDP" run seed/events/config/bronze_events.json >/dev/null
run_capture "$LDP" run seed/events/config/silver_events.json
expect_eq "quality failure exit 1" "$rc" 1
expect_eq "quality failure names the check" "$(grep -c 'unique: 6 duplicated values of ("event_id")' <<<"$err")" "1"
expect_eq "silver unchanged" "$(seedq "$ewh" app 'select count(*) from app.silver_events')" "6"

# ---- bad configs ----
printf '{"identifier": "x", "metadata": {"source": {"format": "AVRO", "path": "a"}, "target": {"format": "ICEBERG"}}}' >bad1.json
run_capture "$LDP" run bad1.json
expect_eq "unsupported format refused" "$rc" 1
expect_eq "unsupported format named" "$(grep -c 'AVRO' <<<"$err")" "1"
printf '{"identifier": "x", "metadata": {"source": {"format": "CSV", "path": "a.csv"}}}' >bad2.json
run_capture "$LDP" run bad2.json
expect_eq "missing target refused" "$rc" 1
expect_eq "missing target named" "$(grep -c 'target' <<<"$err")" "1"

finish "seed config"
