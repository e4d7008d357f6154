-- A synthetic NYC TLC yellow-taxi month shaped like yellow_tripdata_2023-01.parquet:
-- the same 19 columns with the same names and types, the same row count (3,066,766),
-- and plausible distributions (hourly and weekly demand, popular zones, airport flat
-- fares, the 2023 fare rules, cash vs card tips, the ~2.3% of rows where the
-- passenger/rate/flag/surcharge columns are all NULL, a few stray pickup dates).
--
-- Usage: run from the directory that should receive the file, e.g.
--     cd examples/out && ldp sql -f ../taxi/generate.sql
-- It writes ./yellow_tripdata_2023-01.parquet.tmp; the caller renames it to
-- yellow_tripdata_2023-01.parquet once the command succeeded, so an interrupted run
-- never leaves a file that looks complete.
--
-- Other months: set DuckDB variables before running this file (ldp demo nyc-taxi does):
--     SET VARIABLE taxi_month = DATE '2023-03-01';  -- the first day of the month
--     SET VARIABLE taxi_out = '/path/yellow_tripdata_2023-03.parquet.tmp';  -- optional
--     SET VARIABLE taxi_rows = 1000;  -- optional, default 3,066,766 scaled by the month's hours
-- Calendar effects (hours, weekdays, the stray rows just before and after the month)
-- follow the month; the January holidays apply to January only. Unset, the file
-- generates January 2023 exactly as before.
--
-- Deterministic: every random draw is the hash of (row id, stream) scaled to [0, 1), never
-- random(), so the same DuckDB build writes the same bytes on every run. Rows come
-- out in pickup order, as in the real file.

-- One thread: DuckDB's parallel Parquet writer cuts row groups where its threads
-- happen to meet, so the bytes (not the rows) would differ between runs.
SET threads = 1;

SET VARIABLE taxi_month = coalesce(getvariable('taxi_month'), DATE '2023-01-01');
SET VARIABLE taxi_hours = datediff('hour', getvariable('taxi_month'), getvariable('taxi_month') + INTERVAL 1 MONTH);
SET VARIABLE taxi_rows = coalesce(getvariable('taxi_rows'), 3066766 * getvariable('taxi_hours') // 744);
SET VARIABLE taxi_bucket = CASE WHEN getvariable('taxi_rows') >= 2000000 THEN 64 ELSE 1 END;
SET VARIABLE taxi_out = coalesce(getvariable('taxi_out'),
	'yellow_tripdata_' || strftime(getvariable('taxi_month'), '%Y-%m') || '.parquet.tmp');

COPY (
WITH
-- Relative demand per hour of day (weekday) and per day of week (0 = Sunday),
-- integers so that cumulative sums below are exact.
hours AS (
	SELECT h,
		getvariable('taxi_month')::TIMESTAMP + to_hours(h) AS hour_start,
		CASE WHEN dow IN (0, 6)
			-- weekends: late nights busier, mornings quieter
			THEN [55, 48, 38, 26, 12, 8, 9, 14, 20, 28, 36, 43, 48, 51, 53, 54, 54, 55, 56, 55, 52, 51, 52, 54][hod + 1]
			ELSE [24, 15, 10, 7, 6, 9, 22, 36, 45, 46, 46, 48, 51, 53, 56, 58, 59, 64, 66, 60, 54, 53, 50, 40][hod + 1]
		END * [84, 86, 95, 100, 104, 106, 103][dow + 1]
		-- New Year's Day and the holiday week run light; MLK day (16th) too.
		* CASE WHEN month(getvariable('taxi_month')) <> 1 THEN 100 WHEN d = 1 THEN 80 WHEN d = 2 THEN 70 WHEN d BETWEEN 3 AND 6 THEN 92 WHEN d = 16 THEN 85 ELSE 100 END
		-- weather and events: each day +-10%
		* (90 + (hash(d * 1000003) % 21)::INTEGER)
		AS w
	FROM (
		SELECT range AS h, (range % 24)::INTEGER AS hod, (range // 24 + 1)::INTEGER AS d,
			((range // 24 + dayofweek(getvariable('taxi_month'))) % 7)::INTEGER AS dow
		FROM range(getvariable('taxi_hours'))
	)
),
-- Each hour owns a contiguous block of row ids; integer division makes the blocks
-- tile [0, taxi_rows) exactly.
blocks AS (
	SELECT h, hour_start,
		((getvariable('taxi_rows') * (cw - w)) // tw)::BIGINT AS s,
		((getvariable('taxi_rows') * cw) // tw)::BIGINT AS e
	FROM (SELECT h, hour_start, w, sum(w) OVER (ORDER BY h) AS cw, sum(w) OVER () AS tw FROM hours)
),
-- Row id -> hour without a join (a join would not keep the rows in pickup order):
-- hl[b] is the hour holding row B b (B = taxi_bucket); a full month's every hour
-- holds far more than 64 rows, so with B = 64 row i belongs to hl[i // 64] or the
-- next hour. Small months (taxi_rows, tests) have hours with no rows at all, so
-- they use B = 1: hl names every row's hour exactly.
hour_lookup AS (
	SELECT
		(SELECT list(h ORDER BY bk) FROM (SELECT h, range AS bk FROM blocks, range((s + getvariable('taxi_bucket') - 1) // getvariable('taxi_bucket'), (e + getvariable('taxi_bucket') - 1) // getvariable('taxi_bucket')))) AS hl,
		(SELECT list(s ORDER BY h) FROM blocks) AS sl,
		(SELECT list(e ORDER BY h) FROM blocks) AS el
),
located AS (
	SELECT i, CASE WHEN i >= el[h0 + 1] THEN h0 + 1 ELSE h0 END AS h, sl, el
	FROM (SELECT range AS i, hl[range // getvariable('taxi_bucket') + 1] AS h0, sl, el FROM range(getvariable('taxi_rows')), hour_lookup)
),
-- Zone popularity (pickups per month, thousands, roughly as in early 2023); every
-- other zone gets a small base weight. 264/265 are the "unknown" zones.
zone_weights AS (
	SELECT z.range::BIGINT AS zone, coalesce(p.w, CASE WHEN z.range = 264 THEN 34 WHEN z.range = 265 THEN 2 ELSE 0.8 END) AS w
	FROM range(1, 266) z
	LEFT JOIN (VALUES
		(132, 160), (237, 148), (161, 143), (236, 138), (186, 108), (162, 107), (230, 105), (142, 104),
		(170, 98), (239, 95), (163, 91), (138, 89), (68, 85), (234, 85), (48, 80), (141, 78), (107, 70),
		(79, 69), (140, 68), (100, 61), (249, 60), (263, 57), (164, 56), (113, 52), (43, 52), (238, 50),
		(90, 48), (262, 46), (229, 46), (246, 43), (231, 39), (233, 37), (137, 36), (13, 31), (151, 30),
		(50, 30), (114, 28), (144, 27), (148, 26), (143, 26), (211, 25), (158, 24), (75, 22), (166, 21),
		(74, 18), (87, 17), (88, 12), (209, 12), (125, 15), (224, 14), (4, 14), (41, 13), (24, 13),
		(152, 9), (42, 9), (116, 8), (7, 8), (45, 8), (232, 8), (261, 11), (12, 4), (1, 2)
	) p(zone, w) ON p.zone = z.range
),
-- 10,000 slots, each zone owning a share proportional to its weight (inverse CDF
-- by table lookup).
zone_slots AS (
	SELECT list(zone ORDER BY slot) AS zl
	FROM (
		SELECT zone, range AS slot
		FROM (SELECT zone, sum(w) OVER (ORDER BY zone) AS cw, w, sum(w) OVER () AS tw FROM zone_weights),
			range(floor(10000 * (cw - w) / tw)::BIGINT, floor(10000 * cw / tw)::BIGINT)
	)
),
-- Independent uniform draws in [0, 1): u(k) = hash(32 i + k) / 2^64. (Not hash(i, k):
-- DuckDB combines multiple arguments so weakly that hash(i, 6) and hash(i, 7) correlate
-- at 0.9996.)
draws AS (
	SELECT i, getvariable('taxi_month')::TIMESTAMP + to_hours(h) AS hour_start, sl[h + 1] AS s, el[h + 1] AS e,
		hash(i * 32 + 1)::DOUBLE / 18446744073709551616.0 AS u_sec,
		hash(i * 32 + 2)::DOUBLE / 18446744073709551616.0 AS u_vendor,
		hash(i * 32 + 3)::DOUBLE / 18446744073709551616.0 AS u_null,
		hash(i * 32 + 4)::DOUBLE / 18446744073709551616.0 AS u_pass,
		hash(i * 32 + 5)::DOUBLE / 18446744073709551616.0 AS u_pu,
		hash(i * 32 + 6)::DOUBLE / 18446744073709551616.0 AS u_do,
		hash(i * 32 + 7)::DOUBLE / 18446744073709551616.0 AS u_do_mix,
		hash(i * 32 + 8)::DOUBLE / 18446744073709551616.0 AS u_rate,
		hash(i * 32 + 9)::DOUBLE / 18446744073709551616.0 AS u_dur1,
		hash(i * 32 + 10)::DOUBLE / 18446744073709551616.0 AS u_dur2,
		hash(i * 32 + 11)::DOUBLE / 18446744073709551616.0 AS u_speed1,
		hash(i * 32 + 12)::DOUBLE / 18446744073709551616.0 AS u_speed2,
		hash(i * 32 + 13)::DOUBLE / 18446744073709551616.0 AS u_dist,
		hash(i * 32 + 14)::DOUBLE / 18446744073709551616.0 AS u_pay,
		hash(i * 32 + 15)::DOUBLE / 18446744073709551616.0 AS u_tip,
		hash(i * 32 + 16)::DOUBLE / 18446744073709551616.0 AS u_tip_pct,
		hash(i * 32 + 17)::DOUBLE / 18446744073709551616.0 AS u_toll,
		hash(i * 32 + 18)::DOUBLE / 18446744073709551616.0 AS u_cong,
		hash(i * 32 + 19)::DOUBLE / 18446744073709551616.0 AS u_flag,
		hash(i * 32 + 20)::DOUBLE / 18446744073709551616.0 AS u_refund,
		hash(i * 32 + 21) % 200000 AS stray, -- ~15 rows land outside the month
		(hash(i * 32 + 22) % 5)::INTEGER AS stray_kind,
		hash(i * 32 + 23)::DOUBLE / 18446744073709551616.0 AS u_do_any
	FROM located
),
trips AS (
	SELECT d.*,
		CASE WHEN stray = 0 THEN
			[TIMESTAMP '2008-12-31 23:01:42', TIMESTAMP '2009-01-01 00:24:09', TIMESTAMP '2022-10-24 17:37:47',
			 getvariable('taxi_month')::TIMESTAMP - INTERVAL '8 minutes 30 seconds',
			 (getvariable('taxi_month') + INTERVAL 1 MONTH)::TIMESTAMP + INTERVAL '9 minutes 14 seconds'][stray_kind + 1]
			+ to_seconds((u_sec * 600)::BIGINT)
		ELSE hour_start + to_seconds(floor((i - s + u_sec) * 3600 / (e - s))::BIGINT)
		END AS pickup,
		hour(hour_start) AS hod,
		dayofweek(hour_start) AS dow,
		CASE WHEN u_vendor < 0.26 THEN 1 ELSE 2 END AS vendor,
		u_null < 0.0234 AS unknown, -- the rows with NULL passenger/rate/flag/surcharges
		zs.zl[1 + floor(u_pu * 10000)::INTEGER] AS pu,
		-- dropoffs: the pickup mix with fewer airport trips, plus a uniform share
		CASE WHEN u_do_mix < 0.78 AND NOT (zs.zl[1 + floor(u_do * 10000)::INTEGER] IN (132, 138) AND u_do_mix < 0.55)
			THEN zs.zl[1 + floor(u_do * 10000)::INTEGER]
			ELSE 1 + floor(u_do_any * 263)::BIGINT END AS dz,
		-- Box-Muller standard normals for the log-normal duration and speed
		sqrt(-2 * ln(1 - u_dur1)) * cos(2 * pi() * u_dur2) AS z_dur,
		sqrt(-2 * ln(1 - u_speed1)) * cos(2 * pi() * u_speed2) AS z_speed
	FROM draws d, zone_slots zs
),
rated AS (
	SELECT *,
		pu IN (132, 138) OR dz IN (1, 132, 138) AS airport,
		CASE
			WHEN unknown THEN NULL
			WHEN (pu = 132 OR dz = 132) AND u_rate < 0.55 THEN 2 -- JFK flat fare
			WHEN dz = 1 OR pu = 1 THEN 3                           -- Newark
			WHEN u_rate < 0.0015 THEN 4
			WHEN u_rate < 0.0060 THEN 5
			WHEN u_rate < 0.0110 THEN 99
			ELSE 1
		END AS rate
	FROM trips
),
timed AS (
	SELECT *,
		-- minutes and mph: log-normal, airports long and fast, nights faster
		CASE WHEN airport THEN exp(ln(34) + 0.35 * z_dur) ELSE exp(ln(10.5) + 0.72 * z_dur) END AS minutes,
		CASE WHEN airport THEN exp(ln(21) + 0.30 * z_speed)
			WHEN hod < 6 THEN exp(ln(14) + 0.35 * z_speed)
			ELSE exp(ln(9.5) + 0.38 * z_speed) END AS mph
	FROM rated
),
measured AS (
	SELECT *,
		least(minutes, 240) AS dur_min,
		CASE
			WHEN u_dist < 0.015 THEN 0.0                                -- meter never started
			WHEN u_dist > 0.99998 THEN round(1000 + u_speed1 * 60000, 2) -- odometer garbage
			ELSE round(least(minutes, 240) * mph / 60, 2)
		END AS dist,
		CASE WHEN unknown THEN 0
			WHEN u_pay < 0.790 THEN 1 -- credit card
			WHEN u_pay < 0.975 THEN 2 -- cash
			WHEN u_pay < 0.982 THEN 3 -- no charge
			ELSE 4 END AS pay         -- dispute
	FROM timed
),
-- 2023 rules: $3.00 initial, $0.70 per 1/5 mile or per minute in slow traffic.
fares AS (
	SELECT *,
		round(3.0 + 0.70 * (ceil(dist * 5) + floor(greatest(0, dur_min - dist * 60 / 12))), 2) AS metered
	FROM measured
),
priced AS (
	SELECT *,
		CASE
			WHEN rate = 2 THEN 70.0
			WHEN rate = 3 THEN round(metered + 20, 2)
			WHEN rate = 4 THEN round(metered * 1.5, 1)
			WHEN rate = 5 THEN round(20 + u_tip_pct * 110, 0)
			ELSE least(metered, 500)
		END AS fare,
		CASE WHEN rate = 5 THEN 0.0
			WHEN hod >= 20 OR hod < 6 THEN 1.0
			WHEN dow BETWEEN 1 AND 5 AND hod BETWEEN 16 AND 19 THEN 2.5
			ELSE 0.0 END AS extra_amt,
		CASE WHEN rate = 5 THEN 0.0 ELSE 0.5 END AS mta,
		CASE WHEN rate = 3 THEN (CASE WHEN u_toll < 0.8 THEN 17.0 ELSE 0.0 END)
			WHEN airport AND u_toll < 0.30 THEN 6.55
			WHEN u_toll < 0.035 THEN 6.55
			WHEN u_toll < 0.037 THEN 12.75
			ELSE 0.0 END AS tolls,
		CASE WHEN unknown THEN NULL WHEN u_cong < 0.91 THEN 2.5 ELSE 0.0 END AS cong,
		CASE WHEN unknown THEN NULL WHEN pu IN (132, 138) THEN 1.25 ELSE 0.0 END AS apt_fee,
		-- refunds and disputes are often booked as negated amounts
		CASE WHEN pay IN (3, 4) AND u_refund < 0.4 THEN -1.0 ELSE 1.0 END AS sign
	FROM fares
),
tipped AS (
	SELECT *,
		CASE WHEN sign < 0 OR pay IN (2, 3, 4) THEN 0.0
			WHEN (pay = 1 AND u_tip < 0.90) OR (pay = 0 AND u_tip < 0.45) THEN
				round((fare + extra_amt) * CASE
					WHEN u_tip_pct < 0.35 THEN 0.20
					WHEN u_tip_pct < 0.55 THEN 0.25
					WHEN u_tip_pct < 0.65 THEN 0.30
					WHEN u_tip_pct < 0.75 THEN 0.15
					ELSE 0.10 + u_tip_pct * 0.2 END, 2)
			ELSE 0.0 END AS tip
	FROM priced
)
SELECT
	vendor::BIGINT AS VendorID,
	pickup AS tpep_pickup_datetime,
	pickup + to_seconds(round(dur_min * 60)::BIGINT) AS tpep_dropoff_datetime,
	CASE WHEN unknown THEN NULL
		WHEN u_pass < 0.016 THEN 0
		WHEN u_pass < 0.750 THEN 1
		WHEN u_pass < 0.900 THEN 2
		WHEN u_pass < 0.935 THEN 3
		WHEN u_pass < 0.955 THEN 4
		WHEN u_pass < 0.975 THEN 5
		WHEN u_pass < 0.99997 THEN 6
		ELSE 8 END::DOUBLE AS passenger_count,
	dist::DOUBLE AS trip_distance,
	rate::DOUBLE AS RatecodeID,
	CASE WHEN unknown THEN NULL WHEN u_flag < 0.006 THEN 'Y' ELSE 'N' END::VARCHAR AS store_and_fwd_flag,
	pu::BIGINT AS PULocationID,
	dz::BIGINT AS DOLocationID,
	pay::BIGINT AS payment_type,
	(sign * fare)::DOUBLE AS fare_amount,
	(sign * extra_amt + 0.0)::DOUBLE AS extra,
	(sign * mta + 0.0)::DOUBLE AS mta_tax,
	tip::DOUBLE AS tip_amount,
	(sign * tolls + 0.0)::DOUBLE AS tolls_amount,
	(sign * 1.0)::DOUBLE AS improvement_surcharge,
	round(sign * (fare + extra_amt + mta + tolls + 1.0 + coalesce(cong, 0) + coalesce(apt_fee, 0)) + tip, 2)::DOUBLE AS total_amount,
	(sign * cong + 0.0)::DOUBLE AS congestion_surcharge,
	(sign * apt_fee + 0.0)::DOUBLE AS airport_fee
FROM tipped
) TO (getvariable('taxi_out')) (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880);
