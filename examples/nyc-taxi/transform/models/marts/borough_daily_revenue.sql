-- Trips and revenue per day and pickup borough.
{{ config(unique_key=['pickup_date', 'borough']) }}
select
    pickup_date,
    pickup_borough as borough,
    count(*) as trips,
    round(sum(total_amount), 2)::decimal(14, 2) as revenue
from {{ ref('stg_trips') }}
group by pickup_date, pickup_borough
