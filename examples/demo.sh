#!/usr/bin/env bash
# The demo behind `make demo`: a month of NYC-taxi-shaped trips (3,066,766 rows,
# the real TLC yellow-trip schema), queried with `ldp sql`.
#
#   LDP=build/release/bin/ldp bash examples/demo.sh
#
# Writes only under examples/out/ (or $LDP_DEMO_OUT). Re-runs reuse the generated
# Parquet file while it is complete and was made by the current generator.
# Non-interactive; exits non-zero as soon as any step fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
LDP=${LDP:-$root/build/release/bin/ldp}
out=${LDP_DEMO_OUT:-$here/out}
rows=3066766
taxi=$out/yellow_tripdata_2023-01.parquet
stamp=$taxi.generator-sha256
zones=$root/tests/fixtures/nyc-taxi/taxi_zone_lookup.csv

die() { echo "demo: $*" >&2; exit 1; }
[ -x "$LDP" ] || die "no ldp binary at '$LDP' (build it with 'make release', or set LDP=/path/to/ldp)"
[ -r "$zones" ] || die "missing $zones"
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

step "ldp version"
"$LDP" version
done_step

step "Taxi trips: $taxi"
want_sha=$(sha256sum "$here/taxi/generate.sql" | cut -d' ' -f1)
have_rows=
if [ -f "$taxi" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want_sha" ]; then
	# A file cut short has no valid footer, so this fails rather than miscounts.
	have_rows=$("$LDP" sql --format csv --no-header "select count(*) from '$taxi'" 2>/dev/null || true)
fi
if [ "$have_rows" = "$rows" ]; then
	echo "reusing the generated file ($(du -h "$taxi" | cut -f1))"
else
	echo "generating $rows trips (examples/taxi/generate.sql) ..."
	rm -f "$taxi" "$stamp" "$taxi.tmp"
	# The generator writes a .tmp name into its working directory; the rename marks
	# the file complete.
	(cd "$out" && "$LDP" sql -f "$here/taxi/generate.sql")
	mv "$taxi.tmp" "$taxi"
	echo "$want_sha" >"$stamp"
	echo "wrote $(du -h "$taxi" | cut -f1)"
fi
done_step

step "How many trips, over what span?"
q "select count(*) as trips,
	min(tpep_pickup_datetime) as first_pickup,
	max(tpep_pickup_datetime) as last_pickup,
	count(*) filter (where tpep_pickup_datetime < '2023-01-01' or tpep_pickup_datetime >= '2023-02-01') as outside_january
from '$taxi'"
got=$("$LDP" sql --format csv --no-header "select count(*) from '$taxi'")
[ "$got" = "$rows" ] || die "expected $rows trips, counted '$got'"
done_step

step "Trips and average fare by day (January 2023)"
q "select tpep_pickup_datetime::date as day,
	strftime(tpep_pickup_datetime, '%a') as dow,
	count(*) as trips,
	round(avg(fare_amount), 2) as avg_fare,
	round(avg(trip_distance), 2) as avg_miles
from '$taxi'
where tpep_pickup_datetime >= '2023-01-01' and tpep_pickup_datetime < '2023-02-01'
group by all order by day"
done_step

step "Top 10 pickup zones (joined with the TLC zone lookup CSV)"
q "select z.Borough as borough, z.Zone as zone, count(*) as trips,
	round(avg(t.total_amount), 2) as avg_total,
	round(100.0 * count(*) / sum(count(*)) over (), 2) as pct
from '$taxi' t join read_csv('$zones') z on z.LocationID = t.PULocationID
group by all order by trips desc limit 10"
done_step

step "Payment types"
q "select payment_type,
	case payment_type when 0 then 'flex fare / unknown' when 1 then 'credit card' when 2 then 'cash'
		when 3 then 'no charge' when 4 then 'dispute' else 'other' end as kind,
	count(*) as trips,
	round(100.0 * count(*) / sum(count(*)) over (), 2) as pct,
	round(avg(tip_amount), 2) as avg_tip
from '$taxi' group by all order by payment_type"
done_step

summary="select PULocationID as location_id, count(*) as trips,
	round(sum(total_amount), 2) as revenue, round(avg(trip_distance), 2) as avg_miles
from '$taxi' group by 1 order by 1"
step "Export a per-zone summary with -o (CSV and Parquet)"
"$LDP" sql --force -o "$out/zone_summary.csv" "$summary"
"$LDP" sql --force -o "$out/zone_summary.parquet" "$summary"
ls -l "$out/zone_summary.csv" "$out/zone_summary.parquet"
# Read both exports back: same rows, same trip total as the source.
q "select 'csv' as file, count(*) as zones, sum(trips) as trips from read_csv('$out/zone_summary.csv')
union all
select 'parquet', count(*), sum(trips) from '$out/zone_summary.parquet'"
check=$("$LDP" sql --format csv --no-header "select (select sum(trips) from read_csv('$out/zone_summary.csv')) = $rows
	and (select sum(trips) from '$out/zone_summary.parquet') = $rows
	and (select count(*) from read_csv('$out/zone_summary.csv')) = (select count(*) from '$out/zone_summary.parquet')")
[ "$check" = "true" ] || die "the exported summaries do not add up to $rows trips"
done_step

# ---- Iceberg tables in a project (SQLite catalog, Parquet data, Avro manifests) ----
proj=$out/project
export LDP_PROJECT=$proj
step "An ldp project with an Iceberg warehouse: $proj"
rm -rf "$proj"
"$LDP" init "$proj" --name nyc_taxi_demo
"$LDP" namespace create nyc --property owner=demo
done_step

step "Load the trips into nyc.trips, partitioned by day(tpep_pickup_datetime)"
"$LDP" table create nyc.trips --like "$taxi" --partition-by "day(tpep_pickup_datetime)"
"$LDP" table append nyc.trips "$taxi"
"$LDP" table create nyc.zones --as "select * from read_csv('$zones')"
done_step

step "Query the Iceberg tables (nyc.trips joined with nyc.zones)"
q "select z.Borough as borough, count(*) as trips, round(avg(t.fare_amount), 2) as avg_fare
from nyc.trips t join nyc.zones z on z.LocationID = t.PULocationID
group by all order by trips desc"
got=$("$LDP" sql --format csv --no-header "select count(*) from nyc.trips")
[ "$got" = "$rows" ] || die "nyc.trips holds '$got' rows, expected $rows"
done_step

step "Re-load 2023-01-15 without its refunds (dynamic partition overwrite), then time travel"
first=$("$LDP" table snapshots nyc.trips --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["snapshot_id"])')
"$LDP" table overwrite nyc.trips --dynamic "select * from nyc.trips
	where tpep_pickup_datetime::date = '2023-01-15' and total_amount >= 0"
"$LDP" table snapshots nyc.trips
q "select 'now' as version, count(*) as trips, count(*) filter (where total_amount < 0) as refunds from nyc.trips
union all select 'before the overwrite', count(*), count(*) filter (where total_amount < 0) from nyc.\"trips@$first\""
now=$("$LDP" sql --format csv --no-header "select count(*) from nyc.trips")
before=$("$LDP" sql --format csv --no-header "select count(*) from nyc.\"trips@$first\"")
removed=$("$LDP" sql --format csv --no-header "select count(*) from nyc.\"trips@$first\" where tpep_pickup_datetime::date = '2023-01-15' and total_amount < 0")
[ "$before" = "$rows" ] && [ $((before - now)) = "$removed" ] || die "overwrite/time travel mismatch: before=$before now=$now removed=$removed"
"$LDP" table partitions nyc.trips | head -6
done_step

printf '\ndemo finished in %d ms; files are in %s\n' $(($(now_ms) - demo_start)) "$out"
