#!/usr/bin/env bash
# ldp demo nyc-taxi with small generated months (--rows, --offline): the
# lakehouse tables hold exactly the generated files' rows, the report's numbers
# match the same aggregates computed straight from the files, re-runs reuse the
# files, and the generator honours the month.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"
: "${LDP_SOURCE_DIR:?}"
: "${LDP_FIXTURES:?}"

T="$LDP_TEST_TMP/e2e-ingest-demo"
rm -rf "$T"
mkdir -p "$T"
unset LDP_PROJECT LDP_LOG
cd "$T"
export LDP_TAXI_GENERATOR="$LDP_SOURCE_DIR/examples/taxi/generate.sql"

. "$here/lib/checks.sh"
"$LDP" demo nyc-taxi --dir "$T/d" --months 2023-01..2023-02 --rows 5000 --offline >out.txt
cat out.txt
f1="$T/d/data/yellow_tripdata_2023-01.parquet"
f2="$T/d/data/yellow_tripdata_2023-02.parquet"
expect_eq "month files" "$(ls "$T/d/data" | grep -c '^yellow_tripdata_2023-0[12].parquet$')" "2"
expect_eq "rows per file" "$(q "select count(*) from '$f1'")/$(q "select count(*) from '$f2'")" "5000/5000"
# pickups fall in the chosen month, a few strays aside
expect_eq "february pickups" "$(q "select count(*) filter (where month(tpep_pickup_datetime) = 2) > 4990 from '$f2'")" "true"
expect_eq "reported total" "$(grep -c '^10000 trips in nyc.trips' out.txt)" "1"
export LDP_PROJECT="$T/d"
expect_eq "nyc.trips = the files" "$(q "select count(*) from (select * from nyc.trips except all select * from read_parquet(['$f1', '$f2']))")" "0"
expect_eq "nyc.trips rows" "$(q "select count(*) from nyc.trips")" "10000"
expect_eq "nyc.zones = the fixture" "$(q "select count(*) from (select * from nyc.zones except select * from read_csv('$LDP_FIXTURES/nyc-taxi/taxi_zone_lookup.csv'))")" "0"
expect_eq "partition spec" "$("$LDP" table describe nyc.trips | grep -c 'day(tpep_pickup_datetime)\|tpep_pickup_datetime_day')" "1"
# the report's borough line for Manhattan, recomputed from the files
want=$(q "select count(*) || ' ' || round(sum(total_amount), 2) from read_parquet(['$f1', '$f2']) t
	join read_csv('$LDP_FIXTURES/nyc-taxi/taxi_zone_lookup.csv') z on z.LocationID = t.PULocationID where z.Borough = 'Manhattan'")
got=$(grep '│ Manhattan ' out.txt | head -1 | awk -F'│' '{gsub(/ /, "", $3); gsub(/ /, "", $4); print $3 " " $4}')
expect_eq "borough report" "$got" "$want"
busiest=$(q "select z.Zone from read_parquet(['$f1', '$f2']) t join read_csv('$LDP_FIXTURES/nyc-taxi/taxi_zone_lookup.csv') z
	on z.LocationID = t.PULocationID group by all order by count(*) desc, 1 limit 1")
expect_eq "busiest zone first" "$(grep -A5 'busiest pickup zones' out.txt | tail -1 | awk -F'│' '{print $2}' | sed 's/^ *//; s/ *$//')" "$busiest"
expect_eq "tip report has card payments" "$(grep -c 'credit card' out.txt)" "1"

# a re-run reuses the files and replaces the table's rows (still 10000)
unset LDP_PROJECT
"$LDP" demo nyc-taxi --dir "$T/d" --months 2023-01..2023-02 --rows 5000 --offline --format json >out2.txt 2>err2.txt
expect_eq "re-run reuses" "$(grep -c 'reused yellow_tripdata' err2.txt)" "2"
expect_eq "json report" "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(r["trips"] for r in d["trips_by_borough"]), len(d["busiest_pickup_zones"]), len(d["tip_by_payment_type"]) > 2)' <out2.txt)" "10000 10 True"
LDP_PROJECT="$T/d" expect_eq "rows after re-run" "$(LDP_PROJECT="$T/d" q "select count(*) from nyc.trips")" "10000"

set +e
"$LDP" demo nyc-taxi --dir "$T/d" --months 2023-13 >/dev/null 2>err3.txt
rc=$?
set -e
expect_eq "bad month refused" "$rc" "1"
expect_eq "bad month named" "$(grep -c "2023-13" err3.txt)" "1"

finish "demo"
