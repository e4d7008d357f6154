#!/usr/bin/env bash
# The demo's transform project (examples/nyc-taxi/transform) on two small
# generated months loaded with the nyc-taxi:// ingest source: its marts equal
# the same logic written by hand as plain DuckDB SQL over the month files and
# the zone fixture, a second month merges into the incremental marts without
# touching the first month's days, and the nyc-taxi:// source refuses bad input.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"
: "${LDP_SOURCE_DIR:?}"
: "${LDP_FIXTURES:?}"

T="$LDP_TEST_TMP/e2e-nyc-taxi-transform"
rm -rf "$T"
mkdir -p "$T"
unset LDP_PROJECT LDP_LOG LDP_CACHE_DIR
export LDP_TAXI_GENERATOR="$LDP_SOURCE_DIR/examples/taxi/generate.sql"
cp -r "$LDP_SOURCE_DIR/examples/nyc-taxi" "$T/p"
cd "$T/p"
. "$here/lib/checks.sh"
# plain DuckDB outside the project
hand() { (cd "$T" && LDP_PROJECT= "$LDP" sql --format csv --no-header "$1"); }
ZONES="read_csv('$LDP_FIXTURES/nyc-taxi/taxi_zone_lookup.csv')"
CACHE="$T/p/.ldp/cache/nyc-taxi"

# The marts by hand over one month file, for [start, end).
hand_daily() { # file start end
	echo "select tpep_pickup_datetime::date as d, count(*) as trips, sum(total_amount) as revenue,
		avg(fare_amount) as avg_fare, sum(tip_amount) / nullif(sum(fare_amount), 0) as tip_share
	from read_parquet('$1') t
	where tpep_pickup_datetime >= timestamp '$2' and tpep_pickup_datetime < timestamp '$3'
	  and tpep_dropoff_datetime >= tpep_pickup_datetime and fare_amount >= 0 and total_amount >= 0
	  and PULocationID in (select LocationID from $ZONES) and DOLocationID in (select LocationID from $ZONES)
	group by 1"
}
hand_borough() {
	echo "select tpep_pickup_datetime::date as d, z.Borough as borough, count(*) as trips, sum(total_amount) as revenue
	from read_parquet('$1') t join $ZONES z on z.LocationID = t.PULocationID
	where tpep_pickup_datetime >= timestamp '$2' and tpep_pickup_datetime < timestamp '$3'
	  and tpep_dropoff_datetime >= tpep_pickup_datetime and fare_amount >= 0 and total_amount >= 0
	  and DOLocationID in (select LocationID from $ZONES)
	group by all"
}
hand_top() {
	echo "select d, zone_id, trips from (
		select tpep_pickup_datetime::date as d, PULocationID as zone_id, count(*) as trips,
			row_number() over (partition by tpep_pickup_datetime::date order by count(*) desc, PULocationID) as r
		from read_parquet('$1') t
		where tpep_pickup_datetime >= timestamp '$2' and tpep_pickup_datetime < timestamp '$3'
		  and tpep_dropoff_datetime >= tpep_pickup_datetime and fare_amount >= 0 and total_amount >= 0
		  and PULocationID in (select LocationID from $ZONES) and DOLocationID in (select LocationID from $ZONES)
		group by 1, 2) where r <= 5"
}
# Rows of the hand query (over file, start, end) that the marts do not match
# (money compared to the cent: the marts round, sums may add in another order).
mismatches() { # file start end
	local f=$1 s=$2 e=$3
	local dr br tz
	dr=$(q "select pickup_date || ',' || trips || ',' || revenue || ',' || avg_fare || ',' || coalesce(tip_share, -1)
		from marts.daily_revenue where pickup_date >= '$s' and pickup_date < '$e'" | sort)
	local want
	want=$(hand "select d || ',' || trips || ',' || round(revenue, 2)::decimal(14, 2) || ',' || round(avg_fare, 2)::decimal(10, 2) || ',' ||
		coalesce(round(tip_share, 4)::decimal(8, 4), -1) from ($(hand_daily "$f" "$s" "$e"))" | sort)
	[ "$dr" = "$want" ] || echo "daily_revenue: got"$'\n'"$dr"$'\n'"want"$'\n'"$want"
	br=$(q "select pickup_date || ',' || borough || ',' || trips || ',' || revenue from marts.borough_daily_revenue
		where pickup_date >= '$s' and pickup_date < '$e'" | sort)
	want=$(hand "select d || ',' || borough || ',' || trips || ',' || round(revenue, 2)::decimal(14, 2) from ($(hand_borough "$f" "$s" "$e"))" | sort)
	[ "$br" = "$want" ] || echo "borough_daily_revenue differs"
	tz=$(q "select pickup_date || ',' || zone_id || ',' || trips from marts.top_pickup_zones
		where pickup_date >= '$s' and pickup_date < '$e'" | sort)
	want=$(hand "select d || ',' || zone_id || ',' || trips from ($(hand_top "$f" "$s" "$e"))" | sort)
	[ "$tz" = "$want" ] || echo "top_pickup_zones differs"
}

"$LDP" ingest nyc-taxi://zones nyc.zones --offline --mode overwrite >/dev/null
"$LDP" ingest nyc-taxi://yellow/2023-01 nyc.trips --rows 4000 --offline --mode overwrite >/dev/null
jan="$CACHE/yellow_tripdata_2023-01.parquet"
expect_eq "january file generated" "$(hand "select count(*) from '$jan'")" "4000"
expect_eq "nyc.trips = the month file" "$(q "select count(*) from (select * from nyc.trips except all select * from '$jan')")/$(q "select count(*) from nyc.trips")" "0/4000"
expect_eq "nyc.zones = the fixture" "$(q "select count(*) from (select * from nyc.zones except select * from $ZONES)")" "0"

run_capture "$LDP" transform build --project-dir transform
expect_eq "build (january) succeeds" "$rc" "0"
[ "$rc" = 0 ] || echo "$out$err"
expect_eq "build ran every test" "$(grep -c '^Done. PASS=25 WARN=0 ERROR=0 SKIP=0 TOTAL=25' <<<"$out")" "1"
expect_eq "january marts = hand SQL" "$(mismatches "$jan" 2023-01-01 2023-02-01)" ""
expect_eq "31 january days" "$(q "select count(*) from marts.daily_revenue")" "31"
# the file has refunds (negative amounts); the marts hold exactly the kept trips
expect_eq "the file has rows to drop" "$(hand "select count(*) filter (where total_amount < 0) > 0 from '$jan'")" "true"
expect_eq "marts hold the kept trips" "$(q "select sum(trips) from marts.daily_revenue")" \
	"$(hand "select sum(trips) from ($(hand_daily "$jan" 2023-01-01 2023-02-01))")"
janbefore=$(q "select pickup_date, trips, revenue from marts.daily_revenue order by 1" | md5sum)

# February lands over nyc.trips; the marts keep January and gain February
"$LDP" ingest nyc-taxi://yellow/2023-02 nyc.trips --rows 3000 --offline --mode overwrite >/dev/null
feb="$CACHE/yellow_tripdata_2023-02.parquet"
run_capture "$LDP" transform build --project-dir transform --vars '{start: 2023-02-01, end: 2023-03-01}'
expect_eq "build (february) succeeds" "$rc" "0"
expect_eq "february marts = hand SQL" "$(mismatches "$feb" 2023-02-01 2023-03-01)" ""
expect_eq "january days untouched" "$(q "select pickup_date, trips, revenue from marts.daily_revenue where pickup_date < '2023-02-01' order by 1" | md5sum)" "$janbefore"
expect_eq "59 days in daily_revenue" "$(q "select count(*) || '/' || count(distinct pickup_date) from marts.daily_revenue")" "59/59"

# bad input of the source
run_capture "$LDP" ingest nyc-taxi://yellow/2023-13 nyc.x --offline
expect_eq "bad month refused" "$rc:$(grep -c "'2023-13' is not a month" <<<"$err")" "1:1"
run_capture "$LDP" ingest nyc-taxi://green/2023-01 nyc.x --offline
expect_eq "unknown dataset refused" "$rc:$(grep -c 'nyc-taxi://yellow/2023-01' <<<"$err")" "1:1"
run_capture "$LDP" ingest nyc-taxi://yellow/2023-01 nyc.x --rows lots --offline
expect_eq "bad --rows refused" "$rc:$(grep -c "not 'lots'" <<<"$err")" "1:1"
run_capture "$LDP" ingest nyc-taxi://zones nyc.x --colour red
expect_eq "unknown option refused" "$rc:$(grep -c -- '--colour is not known' <<<"$err")" "1:1"
expect_eq "nothing created by the refusals" "$(q "select count(*) from information_schema.tables where table_name = 'x'")" "0"

finish "nyc-taxi transform"
