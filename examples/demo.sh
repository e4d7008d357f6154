#!/usr/bin/env bash
# The demo behind `make demo`: `ldp demo nyc-taxi` builds the NYC taxi lakehouse
# (the TLC yellow trip files, downloaded or generated with the real schema, ~3.07M
# rows a month, plus the TLC zone lookup) as Iceberg tables and prints its report;
# then the same tables are queried, exported, merged into and time-travelled with
# ldp's other commands.
#
#   LDP=build/release/bin/ldp bash examples/demo.sh
#   LDP_DEMO_MONTHS=2023-01..2023-03 bash examples/demo.sh    # more months
#
# Writes only under examples/out/ (or $LDP_DEMO_OUT). Re-runs reuse the month files
# while they are complete and made the same way. Non-interactive; exits non-zero as
# soon as any step fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
LDP=${LDP:-$root/build/release/bin/ldp}
out=${LDP_DEMO_OUT:-$here/out}
months=${LDP_DEMO_MONTHS:-2023-01}
proj=$out/nyc-taxi
zones=$root/tests/fixtures/nyc-taxi/taxi_zone_lookup.csv
export LDP_TAXI_GENERATOR=$here/taxi/generate.sql

die() { echo "demo: $*" >&2; exit 1; }
[ -x "$LDP" ] || die "no ldp binary at '$LDP' (build it with 'make release', or set LDP=/path/to/ldp)"
mkdir -p "$out"

# Millisecond timings per step, from bash's own clock (no external date calls).
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
demo_start=$(now_ms)
step_start=0
step() {
	step_start=$(now_ms)
	printf '\n== %s\n' "$*"
}
done_step() { printf -- '-- %d ms\n' $(($(now_ms) - step_start)); }
q() { "$LDP" sql --format table "$@"; }
val() { "$LDP" sql --format csv --no-header "$1"; }

step "ldp version"
"$LDP" version
done_step

step "ldp demo nyc-taxi --months $months: the lakehouse and its report"
"$LDP" demo nyc-taxi --months "$months" --dir "$proj"
done_step

export LDP_PROJECT=$proj
files=$(ls "$proj"/data/yellow_tripdata_*.parquet | sed "s/.*/'&'/" | paste -sd, -)
step "Check: nyc.trips holds exactly the rows of the month files; nyc.zones the 265 TLC zones"
rows=$(val "select count(*) from read_parquet([$files])")
got=$(val "select count(*) from nyc.trips")
[ "$got" = "$rows" ] || die "nyc.trips holds '$got' rows, the files $rows"
[ "$(val "select count(*) from nyc.zones")" = 265 ] || die "nyc.zones does not hold the 265 zones"
if [ "$months" = 2023-01 ]; then
	# the real January 2023 file and the generator both have 3,066,766 rows
	[ "$rows" = 3066766 ] || die "expected 3066766 trips for 2023-01, counted $rows"
fi
echo "$got trips, 265 zones: ok"
q "select count(*) as trips, min(tpep_pickup_datetime) as first_pickup, max(tpep_pickup_datetime) as last_pickup,
	count(distinct tpep_pickup_datetime::date) as days from nyc.trips"
done_step

step "Trips and average fare by day (the first month, from the Iceberg table)"
first=${months%%[.,]*}
q "select tpep_pickup_datetime::date as day,
	strftime(tpep_pickup_datetime, '%a') as dow,
	count(*) as trips,
	round(avg(fare_amount), 2) as avg_fare,
	round(avg(trip_distance), 2) as avg_miles
from nyc.trips
where strftime(tpep_pickup_datetime, '%Y-%m') = '$first'
group by all order by day"
done_step

summary="select PULocationID as location_id, count(*) as trips,
	round(sum(total_amount), 2) as revenue, round(avg(trip_distance), 2) as avg_miles
from nyc.trips group by 1 order by 1"
step "Export a per-zone summary with -o (CSV and Parquet)"
"$LDP" sql --force -o "$out/zone_summary.csv" "$summary"
"$LDP" sql --force -o "$out/zone_summary.parquet" "$summary"
ls -l "$out/zone_summary.csv" "$out/zone_summary.parquet"
check=$(val "select (select sum(trips) from read_csv('$out/zone_summary.csv')) = $rows
	and (select sum(trips) from '$out/zone_summary.parquet') = $rows
	and (select count(*) from read_csv('$out/zone_summary.csv')) = (select count(*) from '$out/zone_summary.parquet')")
[ "$check" = "true" ] || die "the exported summaries do not add up to $rows trips"
done_step

step "ldp ingest --mode merge: correct two zones by LocationID (upsert, one snapshot)"
printf 'LocationID,Borough,Zone,service_zone\n1,EWR,Newark Liberty International Airport,EWR\n266,Unknown,Outside of NYC,N/A\n' >"$out/zone_fixes.csv"
"$LDP" ingest "$out/zone_fixes.csv" nyc.zones --mode merge --key LocationID
q "select * from nyc.zones where LocationID in (1, 2, 266) order by LocationID"
[ "$(val "select count(*) from nyc.zones")" = 266 ] || die "the merge should leave 266 zones"
[ "$(val "select Zone from nyc.zones where LocationID = 1")" = "Newark Liberty International Airport" ] || die "zone 1 was not updated"
done_step

step "Re-load one day without its refunds (dynamic partition overwrite), then time travel"
day=$(val "select min(tpep_pickup_datetime::date) + 14 from nyc.trips where strftime(tpep_pickup_datetime, '%Y-%m') = '$first'")
snap=$("$LDP" table snapshots nyc.trips --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["snapshot_id"])')
"$LDP" table overwrite nyc.trips --dynamic "select * from nyc.trips
	where tpep_pickup_datetime::date = '$day' and total_amount >= 0"
"$LDP" table snapshots nyc.trips
q "select 'now' as version, count(*) as trips, count(*) filter (where total_amount < 0) as refunds from nyc.trips
union all select 'before the overwrite', count(*), count(*) filter (where total_amount < 0) from nyc.\"trips@$snap\""
now=$(val "select count(*) from nyc.trips")
before=$(val "select count(*) from nyc.\"trips@$snap\"")
removed=$(val "select count(*) from nyc.\"trips@$snap\" where tpep_pickup_datetime::date = '$day' and total_amount < 0")
[ "$before" = "$rows" ] && [ $((before - now)) = "$removed" ] || die "overwrite/time travel mismatch: before=$before now=$now removed=$removed"
"$LDP" table partitions nyc.trips | head -6
done_step

printf '\ndemo finished in %d ms; the project is %s (cd there and run ldp sql)\n' $(($(now_ms) - demo_start)) "$proj"
