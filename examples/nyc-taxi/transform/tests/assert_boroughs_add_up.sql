-- Every day's borough rows add up to the day's trips in daily_revenue (rows returned fail the test).
select d.pickup_date, d.trips, b.trips as borough_trips
from {{ ref('daily_revenue') }} d
left join (
    select pickup_date, sum(trips) as trips from {{ ref('borough_daily_revenue') }} group by pickup_date
) b on b.pickup_date = d.pickup_date
where b.trips is distinct from d.trips
