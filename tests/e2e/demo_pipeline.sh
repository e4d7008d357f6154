#!/usr/bin/env bash
# The demo's pipeline (examples/nyc-taxi/pipelines/nyc_taxi.yml) on small
# generated months (LDP_TAXI_ROWS, offline): `ldp pipeline run` for January then
# February succeeds step by step, the marts equal hand-written DuckDB SQL over
# the month files, the report step's log holds the month's days, the opt-in
# Slack pipeline posts the summary to a local webhook receiver, and a broken
# variant (an accepted-values check that must fail) fails its run with the
# failing rows in `ldp logs` and never runs the steps after it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"
: "${LDP_SOURCE_DIR:?}"
: "${LDP_FIXTURES:?}"

T="$LDP_TEST_TMP/e2e-demo-pipeline"
rm -rf "$T"
mkdir -p "$T"
unset LDP_LOG LDP_CACHE_DIR SLACK_WEBHOOK_URL
export LDP_TAXI_GENERATOR="$LDP_SOURCE_DIR/examples/taxi/generate.sql"
export LDP_TAXI_ROWS=3000 LDP_TAXI_OFFLINE=true
cp -r "$LDP_SOURCE_DIR/examples/nyc-taxi" "$T/p"
export LDP_PROJECT="$T/p"
cd "$T"
. "$here/lib/checks.sh"
hand() { LDP_PROJECT= "$LDP" sql --format csv --no-header "$1"; }
ZONES="read_csv('$LDP_FIXTURES/nyc-taxi/taxi_zone_lookup.csv')"
CACHE="$T/p/.ldp/cache/nyc-taxi"
# field of the newest run of a pipeline (ldp runs --json)
run_field() { # pipeline field
	"$LDP" runs --pipeline "$1" --limit 1 --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
r = r[0] if isinstance(r, list) else r["runs"][0]
print(r[sys.argv[1]])' "$2"
}
# "step=state" of every step of a run (its last attempt), sorted (ldp logs --json)
step_states() {
	"$LDP" logs "$1" --json | python3 -c '
import json, sys
seen = {}
for a in json.load(sys.stdin)["attempts"]:
    seen[a["step"]] = a["state"]  # the last attempt of each step
print(" ".join("%s=%s" % kv for kv in sorted(seen.items())))'
}
# the month's daily mart rows by hand from the file: day|trips|revenue
hand_daily() { # file month-start
	hand "select d || '|' || trips || '|' || round(revenue, 2)::decimal(14, 2) from (
		select tpep_pickup_datetime::date as d, count(*) as trips, sum(total_amount) as revenue
		from read_parquet('$1')
		where tpep_pickup_datetime >= date '$2' and tpep_pickup_datetime < date '$2' + interval 1 month
		  and tpep_dropoff_datetime >= tpep_pickup_datetime and fare_amount >= 0 and total_amount >= 0
		  and PULocationID in (select LocationID from $ZONES) and DOLocationID in (select LocationID from $ZONES)
		group by 1) order by 1"
}
mart_daily() { # month-start
	q "select pickup_date || '|' || trips || '|' || revenue from marts.daily_revenue
		where pickup_date >= date '$1' and pickup_date < date '$1' + interval 1 month order by 1"
}
ALL="freshness=success landed_checks=success mart_checks=success models=success report=success trips=success zones=success"

# ---- January ----
run_capture "$LDP" pipeline run nyc_taxi --date 2023-01-01
expect_eq "january run exits 0" "$rc" "0"
[ "$rc" = 0 ] || echo "$out"$'\n'"$err"
jan_run=$(run_field nyc_taxi run_id)
expect_eq "january run recorded as success" "$(run_field nyc_taxi state)" "success"
expect_eq "every step succeeded" "$(step_states "$jan_run")" "$ALL"
jan="$CACHE/yellow_tripdata_2023-01.parquet"
expect_eq "nyc.trips = the month file" "$(q "select count(*) from (select * from nyc.trips except all select * from '$jan')")/$(q "select count(*) from nyc.trips")" "0/3000"
expect_eq "nyc.zones = the fixture" "$(q "select count(*) from (select * from nyc.zones except select * from $ZONES)")/$(q "select count(*) from nyc.zones")" "0/265"
want_jan=$(hand_daily "$jan" 2023-01-01)
expect_eq "daily_revenue (january) = hand SQL" "$(mart_daily 2023-01-01)" "$want_jan"
expect_eq "31 days" "$(wc -l <<<"$want_jan")" "31"
expect_eq "boroughs add up to the days" "$(q "select sum(trips) from marts.borough_daily_revenue")" "$(q "select sum(trips) from marts.daily_revenue")"
# the report step printed every day of the month with its trips
report=$("$LDP" logs "$jan_run" --step report)
d15=$(grep '^2023-01-15|' <<<"$want_jan" | cut -d'|' -f2)
expect_eq "report lists 2023-01-15 with its trips" "$(grep -c "2023-01-15.*Sun.*\b$d15\b" <<<"$report")" "1"
expect_eq "report has 31 days" "$(grep -c '2023-01-[0-3][0-9]\b' <<<"$report")" "31"
# the transform step's log is dbt's output
expect_eq "models log" "$("$LDP" logs "$jan_run" --step models | grep -c '^Done. PASS=25 WARN=0 ERROR=0 SKIP=0 TOTAL=25')" "1"

# ---- February: the marts keep January ----
run_capture "$LDP" pipeline run nyc_taxi --date 2023-02-01
expect_eq "february run exits 0" "$rc" "0"
[ "$rc" = 0 ] || echo "$out"$'\n'"$err"
feb="$CACHE/yellow_tripdata_2023-02.parquet"
expect_eq "daily_revenue (february) = hand SQL" "$(mart_daily 2023-02-01)" "$(hand_daily "$feb" 2023-02-01)"
expect_eq "january kept" "$(mart_daily 2023-01-01)" "$want_jan"
expect_eq "59 days" "$(q "select count(*) from marts.daily_revenue")" "59"
expect_eq "two runs" "$("$LDP" runs --pipeline nyc_taxi --json | python3 -c 'import json,sys; r=json.load(sys.stdin); r=r if isinstance(r, list) else r["runs"]; print(len(r), sorted(x["state"] for x in r))')" "2 ['success', 'success']"

# ---- the Slack report, posted to a local receiver ----
cat >"$T/receiver.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
EOF
python3 "$T/receiver.py" "$T/port" "$T/posts" &
RECV=$!
trap 'kill $RECV 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do [ -s "$T/port" ] && break; sleep 0.05; done
cp "$LDP_SOURCE_DIR/examples/nyc-taxi/extras/nyc_taxi_slack.yml" "$T/p/pipelines/"
SLACK_WEBHOOK_URL="http://127.0.0.1:$(cat "$T/port")/hook" run_capture "$LDP" pipeline run nyc_taxi_slack --date 2023-02-01
expect_eq "slack pipeline exits 0" "$rc" "0"
[ "$rc" = 0 ] || echo "$out"$'\n'"$err"
feb_trips=$(q "select sum(trips) from marts.daily_revenue where pickup_date >= '2023-02-01'")
expect_eq "one post with the month's trips" "$(wc -l <"$T/posts" 2>/dev/null)/$(grep -c "revenue of 2023-02" "$T/posts")/$(grep -c "\b$feb_trips\b" "$T/posts")" "1/1/1"
rm "$T/p/pipelines/nyc_taxi_slack.yml"

# ---- a broken variant: the landed data's accepted payment types miss cash disputes and no-charge trips ----
sed -e 's/^name: nyc_taxi$/name: nyc_taxi_broken/' -e 's/retries: 1,/retries: 0,/' \
	-e 's/accepted_values: {payment_type: \[0, 1, 2, 3, 4, 5, 6\]/accepted_values: {payment_type: [1, 2]/' \
	"$T/p/pipelines/nyc_taxi.yml" >"$T/p/pipelines/nyc_taxi_broken.yml"
expect_eq "variant differs" "$(grep -c 'payment_type: \[1, 2\]' "$T/p/pipelines/nyc_taxi_broken.yml")" "1"
run_capture "$LDP" pipeline run nyc_taxi_broken --date 2023-01-01
expect_eq "broken run exits 1" "$rc" "1"
bad_run=$(run_field nyc_taxi_broken run_id)
expect_eq "broken run recorded as failed" "$(run_field nyc_taxi_broken state)" "failed"
expect_eq "landed_checks failed, nothing after it ran" "$(step_states "$bad_run")" \
	"freshness=upstream_failed landed_checks=failed mart_checks=upstream_failed models=upstream_failed report=upstream_failed trips=success zones=success"
logs=$("$LDP" logs "$bad_run" --step landed_checks 2>&1)
bad=$(hand "select count(*) from '$jan' where payment_type not in (1, 2)")
expect_eq "the file has other payment types" "$((bad > 0))" "1"
expect_eq "failing count in the log" "$(grep -c "FAIL accepted_values(payment_type): $bad rows with a value not in {1, 2}" <<<"$logs")" "1"
# the sample: whole rows (payment_type is the 10th column), each with another payment type
expect_eq "failing rows in the log" "$(awk -F'|' 'NF == 19 && $1 ~ /^ +[0-9]+ +$/ { gsub(/ /, "", $10); print $10 }' <<<"$logs" | grep -cvE '^[12]$')" "$((bad < 5 ? bad : 5))"
expect_eq "the good pipeline is untouched" "$(run_field nyc_taxi state)" "success"

finish "demo pipeline"
