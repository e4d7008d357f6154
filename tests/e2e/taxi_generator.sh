#!/usr/bin/env bash
# examples/taxi/generate.sql: the properties it promises (the TLC yellow-trip schema
# of January 2023, its row count, the all-NULL column group, zone ids, totals that
# add up, pickups in January with a few strays) and byte-identical output per run.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
gen=$LDP_SOURCE_DIR/examples/taxi/generate.sql
dir=$LDP_TEST_TMP/taxi_generator
rm -rf "$dir" && mkdir -p "$dir/a" "$dir/b"
fail() { echo "FAIL: $*" >&2; exit 1; }
val() { "$LDP" sql --format csv --no-header "$1"; }

(cd "$dir/a" && "$LDP" sql -f "$gen")
(cd "$dir/b" && "$LDP" sql -f "$gen")
f=$dir/a/yellow_tripdata_2023-01.parquet.tmp
[ -s "$f" ] || fail "the generator wrote no $f"
cmp -s "$f" "$dir/b/yellow_tripdata_2023-01.parquet.tmp" || fail "two runs wrote different bytes"
# Callers rename the finished file; DuckDB reads it by its .parquet extension.
mv "$f" "$dir/a/yellow_tripdata_2023-01.parquet"
f=$dir/a/yellow_tripdata_2023-01.parquet
rm -rf "$dir/b"

# Column names and types of the TLC file (data dictionary / 2023-01 Parquet schema).
want='VendorID BIGINT
tpep_pickup_datetime TIMESTAMP
tpep_dropoff_datetime TIMESTAMP
passenger_count DOUBLE
trip_distance DOUBLE
RatecodeID DOUBLE
store_and_fwd_flag VARCHAR
PULocationID BIGINT
DOLocationID BIGINT
payment_type BIGINT
fare_amount DOUBLE
extra DOUBLE
mta_tax DOUBLE
tip_amount DOUBLE
tolls_amount DOUBLE
improvement_surcharge DOUBLE
total_amount DOUBLE
congestion_surcharge DOUBLE
airport_fee DOUBLE'
got=$("$LDP" sql --format tsv --no-header "select column_name, column_type from (describe select * from '$f')" | tr '\t' ' ')
[ "$got" = "$want" ] || fail "schema differs:
$got"

[ "$(val "select count(*) from '$f'")" = 3066766 ] || fail "row count is not 3066766"
[ "$(val "select bool_and(compression = 'ZSTD') and max(row_group_num_rows) <= 122880 and count(distinct row_group_id) >= 24
	from parquet_metadata('$f')")" = true ] || fail "expected zstd row groups of at most 122880 rows"

# The five columns go NULL together, on about 2.3% of the rows.
[ "$(val "select count(*) filter (where (passenger_count is null)::int + (RatecodeID is null)::int
	+ (store_and_fwd_flag is null)::int + (congestion_surcharge is null)::int + (airport_fee is null)::int not in (0, 5))
	from '$f'")" = 0 ] || fail "NULLs are not confined to whole rows of the five columns"
[ "$(val "select count(*) filter (where passenger_count is null) between 0.020 * count(*) and 0.026 * count(*) from '$f'")" = true ] \
	|| fail "NULL rows are not about 2.3%"
[ "$(val "select count(*) from '$f' where VendorID is null or tpep_pickup_datetime is null or tpep_dropoff_datetime is null
	or trip_distance is null or PULocationID is null or DOLocationID is null or payment_type is null or fare_amount is null
	or extra is null or mta_tax is null or tip_amount is null or tolls_amount is null or improvement_surcharge is null
	or total_amount is null")" = 0 ] || fail "NULLs outside the five optional columns"

[ "$(val "select bool_and(PULocationID between 1 and 265 and DOLocationID between 1 and 265)
	and count(distinct PULocationID) > 200 from '$f'")" = true ] || fail "zone ids outside 1..265"
[ "$(val "select count(*) from '$f' where tpep_dropoff_datetime <= tpep_pickup_datetime")" = 0 ] \
	|| fail "a dropoff is not after its pickup"
[ "$(val "select count(*) from '$f' where abs(total_amount - (fare_amount + extra + mta_tax + tip_amount + tolls_amount
	+ improvement_surcharge + coalesce(congestion_surcharge, 0) + coalesce(airport_fee, 0))) > 0.005")" = 0 ] \
	|| fail "total_amount is not the sum of its components"
[ "$(val "select count(*) filter (where tpep_pickup_datetime < '2023-01-01' or tpep_pickup_datetime >= '2023-02-01')
	between 1 and 100 from '$f'")" = true ] || fail "expected a handful (1..100) of pickups outside January 2023"
# Every day of January has trips, and the busiest hour of day is in the afternoon/evening.
[ "$(val "select count(distinct day(tpep_pickup_datetime)) from '$f' where tpep_pickup_datetime >= '2023-01-01'
	and tpep_pickup_datetime < '2023-02-01'")" = 31 ] || fail "some January day has no trips"
[ "$(val "select h between 14 and 20 from (select hour(tpep_pickup_datetime) as h, count(*) as n from '$f'
	group by 1 order by n desc limit 1)")" = true ] \
	|| fail "peak hour is not in the afternoon/evening"
echo "taxi generator ok"
