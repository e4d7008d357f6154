-- The TLC zone lookup, typed: one row per zone id (264/265 are the "Unknown" zones).
select
    LocationID::integer as zone_id,
    Borough as borough,
    Zone as zone,
    service_zone
from {{ source('nyc', 'zones') }}
