-- Trips and revenue per day of pickup; merged on the day, so a run for one month
-- replaces that month's days and keeps the others.
{{ config(unique_key='pickup_date') }}
select
    pickup_date,
    count(*) as trips,
    round(sum(total_amount), 2)::decimal(14, 2) as revenue,
    round(avg(fare_amount), 2)::decimal(10, 2) as avg_fare,
    round(sum(tip_amount) / nullif(sum(fare_amount), 0), 4)::decimal(8, 4) as tip_share,
    round(avg(distance_miles), 2)::decimal(10, 2) as avg_miles
from {{ ref('stg_trips') }}
group by pickup_date
