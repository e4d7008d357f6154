-- The {{ var('top_zones', 5) }} busiest pickup zones of each day (ties broken by zone id).
{{ config(unique_key=['pickup_date', 'rank']) }}
select pickup_date, rank, zone_id, zone, borough, trips, revenue
from (
    select
        pickup_date,
        row_number() over (partition by pickup_date order by count(*) desc, pickup_zone_id) as rank,
        pickup_zone_id as zone_id,
        pickup_zone as zone,
        pickup_borough as borough,
        count(*) as trips,
        round(sum(total_amount), 2)::decimal(14, 2) as revenue
    from {{ ref('stg_trips') }}
    group by pickup_date, pickup_zone_id, pickup_zone, pickup_borough
)
where rank <= {{ var('top_zones', 5) }}
