#!/usr/bin/env bash
# The demo behind `make demo`: the NYC taxi lakehouse as an ldp pipeline. The
# project in examples/nyc-taxi (ldp.yml, pipelines/nyc_taxi.yml and the
# dbt-style project transform/) is copied to examples/out/nyc-taxi and its
# pipeline runs for the month: the TLC yellow trip file (downloaded, or
# generated with the real schema, ~3.07M rows a month) and the TLC zone lookup
# land in Iceberg tables, `ldp transform build` makes the staging views and the
# daily marts, data checks guard both, and a report step prints the month's
# daily revenue. Then the run history and logs are shown, and the same tables
# are queried, exported, merged into and time-travelled with ldp's other commands.
#
#   LDP=build/release/bin/ldp bash examples/demo.sh
#   LDP_DEMO_MONTHS=2023-01..2023-03 bash examples/demo.sh    # more months (ldp backfill)
#   SLACK_WEBHOOK_URL=https://hooks.slack.com/... bash examples/demo.sh   # also post the report
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

# The months as logical dates: 2023-01..2023-03 is one backfill, 2023-01,2023-06 two runs.
case "$months" in
*..*) first=${months%%..*} last=${months##*..} ;;
*) first=${months%%,*} last=${months##*,} ;;
esac
[[ "$first" =~ ^[0-9]{4}-[0-9]{2}$ && "$last" =~ ^[0-9]{4}-[0-9]{2}$ ]] || die "LDP_DEMO_MONTHS='$months': use YYYY-MM, YYYY-MM..YYYY-MM or YYYY-MM,YYYY-MM"

step "The project: examples/nyc-taxi copied to $proj"
mkdir -p "$proj"
cp "$here/nyc-taxi/ldp.yml" "$proj/"
rm -rf "$proj/pipelines" "$proj/transform"
cp -r "$here/nyc-taxi/pipelines" "$here/nyc-taxi/transform" "$proj/"
if [ -n "${SLACK_WEBHOOK_URL:-}" ]; then
	cp "$here/nyc-taxi/extras/nyc_taxi_slack.yml" "$proj/pipelines/"
fi
export LDP_PROJECT=$proj
"$LDP" pipeline list
"$LDP" pipeline show nyc_taxi
done_step

if [[ "$months" == *..* ]]; then
	step "ldp backfill nyc_taxi --from $first-01 --to $last-01: one run a month"
	"$LDP" backfill nyc_taxi --from "$first-01" --to "$last-01"
else
	for m in ${months//,/ }; do
		step "ldp pipeline run nyc_taxi --date $m-01: ingest -> checks -> transform -> checks -> report"
		"$LDP" pipeline run nyc_taxi --date "$m-01"
	done
fi
done_step

step "ldp runs: the run history (state file .ldp/state.db)"
"$LDP" runs --pipeline nyc_taxi
run_id=$("$LDP" runs --pipeline nyc_taxi --limit 1 --json | python3 -c 'import json,sys; r=json.load(sys.stdin); r=r[0] if isinstance(r, list) else r["runs"][0]; print(r["run_id"])')
[ "$("$LDP" runs --pipeline nyc_taxi --limit 1 --json | python3 -c 'import json,sys; r=json.load(sys.stdin); r=r[0] if isinstance(r, list) else r["runs"][0]; print(r["state"])')" = success ] || die "the last run $run_id did not succeed"
done_step

step "ldp logs $run_id --step report: the month's daily revenue"
"$LDP" logs "$run_id" --step report
done_step

step "ldp logs $run_id --step mart_checks"
"$LDP" logs "$run_id" --step mart_checks
done_step

if [ -n "${SLACK_WEBHOOK_URL:-}" ]; then
	step "ldp pipeline run nyc_taxi_slack --date $last-01: the summary posted to SLACK_WEBHOOK_URL"
	"$LDP" pipeline run nyc_taxi_slack --date "$last-01"
	done_step
fi

file=$proj/.ldp/cache/nyc-taxi/yellow_tripdata_$last.parquet
files="'$file'"
step "Check: nyc.trips holds exactly the rows of the last month's file; nyc.zones the 265 TLC zones; the marts add up"
rows=$(val "select count(*) from read_parquet([$files])")
got=$(val "select count(*) from nyc.trips")
[ "$got" = "$rows" ] || die "nyc.trips holds '$got' rows, the file $rows"
[ "$(val "select count(*) from nyc.zones")" = 265 ] || die "nyc.zones does not hold the 265 zones"
if [ "$last" = 2023-01 ] && [ "${LDP_TAXI_ROWS:-0}" = 0 ]; then
	# the real January 2023 file and the generator both have 3,066,766 rows
	[ "$rows" = 3066766 ] || die "expected 3066766 trips for 2023-01, counted $rows"
fi
# the month's trips kept by the staging rules, counted straight from the file
kept=$(val "select count(*) from read_parquet([$files]) t
	where tpep_pickup_datetime >= date '$last-01' and tpep_pickup_datetime < date '$last-01' + interval 1 month
	and tpep_dropoff_datetime >= tpep_pickup_datetime and fare_amount >= 0 and total_amount >= 0
	and PULocationID in (select LocationID from read_csv('$zones')) and DOLocationID in (select LocationID from read_csv('$zones'))")
mart=$(val "select sum(trips) from marts.daily_revenue where strftime(pickup_date, '%Y-%m') = '$last'")
[ "$mart" = "$kept" ] || die "marts.daily_revenue counts $mart trips for $last, the file $kept"
echo "$got trips landed, 265 zones, $mart trips in the $last marts: ok"
q "select strftime(pickup_date, '%Y-%m') as month, count(*) as days, sum(trips) as trips, round(sum(revenue), 2) as revenue,
	round(sum(revenue) / sum(trips), 2) as per_trip from marts.daily_revenue group by 1 order by 1"
q "select pickup_date, rank, zone, borough, trips from marts.top_pickup_zones
	where pickup_date = (select min(pickup_date) from marts.top_pickup_zones where strftime(pickup_date, '%Y-%m') = '$last')
	order by rank"
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
day=$(val "select min(tpep_pickup_datetime::date) + 14 from nyc.trips where strftime(tpep_pickup_datetime, '%Y-%m') = '$last'")
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
