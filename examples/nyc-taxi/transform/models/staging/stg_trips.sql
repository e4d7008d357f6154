-- The trips of the run's data interval [var start, var end), typed and cleaned,
-- with their pickup and dropoff zones. Dropped: refunds and voids (negative
-- amounts), trips that end before they start, and the few stray pickups outside
-- the interval that every TLC month file carries (so that a month's run never
-- touches the days of another month in the incremental marts).
select
    t.VendorID::integer as vendor_id,
    t.tpep_pickup_datetime as pickup_at,
    t.tpep_dropoff_datetime as dropoff_at,
    t.tpep_pickup_datetime::date as pickup_date,
    t.passenger_count::integer as passengers,
    t.trip_distance as distance_miles,
    t.RatecodeID::integer as rate_code,
    t.payment_type::integer as payment_type,
    t.PULocationID::integer as pickup_zone_id,
    pz.borough as pickup_borough,
    pz.zone as pickup_zone,
    t.DOLocationID::integer as dropoff_zone_id,
    dz.borough as dropoff_borough,
    t.fare_amount,
    t.tip_amount,
    t.tolls_amount,
    t.total_amount
from {{ source('nyc', 'trips') }} t
join {{ ref('stg_zones') }} pz on pz.zone_id = t.PULocationID
join {{ ref('stg_zones') }} dz on dz.zone_id = t.DOLocationID
where t.tpep_pickup_datetime >= timestamp '{{ var("start") }}'
  and t.tpep_pickup_datetime < timestamp '{{ var("end") }}'
  and t.tpep_dropoff_datetime >= t.tpep_pickup_datetime
  and t.fare_amount >= 0
  and t.total_amount >= 0
