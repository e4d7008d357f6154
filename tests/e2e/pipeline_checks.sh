#!/usr/bin/env bash
# End-to-end tests of `ldp check`: every check passing and failing on a small
# table whose expected counts are worked out by hand below, --where, --as-of,
# --sample, --json (parsed with python3) and the errors for a missing table,
# column or bad option.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"
: "${LDP_SOURCE_DIR:?}"

T="$LDP_TEST_TMP/e2e-pipeline-checks"
rm -rf "$T"
mkdir -p "$T/p"
# shellcheck source=lib/checks.sh
. "$LDP_SOURCE_DIR/tests/e2e/lib/checks.sh"
cd "$T/p"
"$LDP" init . >/dev/null

# The data (8 rows, two logical days):
#   day 2024-01-30: ids 1, 2, 2          -> 3 rows, one duplicate key (2), no NULL pickup_at
#   day 2024-01-31: ids 3, 4, 5, 6, NULL -> 5 rows, one NULL pickup_at (id 5), one NULL id
# payment: card x4, cash x2, voucher x1 (id 4), NULL x1 (id 6)
# newest pickup_at: 2024-01-30 18:00 on day 1, 2024-01-31 21:30 overall
cat >trips.csv <<'EOF'
id,pickup_date,pickup_at,payment,fare
1,2024-01-30,2024-01-30 08:00:00,card,10.5
2,2024-01-30,2024-01-30 09:30:00,cash,7.0
2,2024-01-30,2024-01-30 18:00:00,card,12.0
3,2024-01-31,2024-01-31 06:00:00,card,5.5
4,2024-01-31,2024-01-31 07:15:00,voucher,8.0
5,2024-01-31,,card,3.0
6,2024-01-31,2024-01-31 21:30:00,,4.5
,2024-01-31,2024-01-31 12:00:00,cash,9.0
EOF
"$LDP" ingest trips.csv nyc.trips >/dev/null 2>&1
"$LDP" sql -q "CREATE TABLE nyc.empty (id BIGINT, ts TIMESTAMP)" >/dev/null 2>&1

# ---- each check passing ----
run_capture "$LDP" check nyc.trips --row-count-min 8 --row-count-max 8 --not-null pickup_date \
	--unique pickup_at --accepted-values payment=card,cash,voucher --freshness pickup_at:3h \
	--as-of "2024-02-01 00:00:00" --sql "SELECT * FROM nyc.trips WHERE fare < 0"
expect_eq "all pass: exit" "$rc" 0
expect_eq "all pass: lines" "$out" "PASS row_count: 8 rows (between 8 and 8)
PASS not_null(pickup_date)
PASS unique(pickup_at)
PASS accepted_values(payment)
PASS freshness(pickup_at): newest 2024-01-31 21:30:00 is 2h 30m old (max 3h)
PASS sql(1)
nyc.trips: 6 checks, 6 passed, 0 failed"

# ---- each check failing, alone: exit 1 and the hand-counted numbers ----
run_capture "$LDP" check nyc.trips --row-count-min 9
expect_eq "row_count min: exit" "$rc" 1
expect_eq "row_count min: line" "$(head -1 <<<"$out")" "FAIL row_count: 8 rows, fewer than the minimum 9"
run_capture "$LDP" check nyc.trips --row-count-max 7
expect_eq "row_count max: line" "$(head -1 <<<"$out")" "FAIL row_count: 8 rows, more than the maximum 7"
expect_eq "row_count max: exit" "$rc" 1

run_capture "$LDP" check nyc.trips --not-null pickup_at
expect_eq "not_null: exit" "$rc" 1
expect_eq "not_null: line" "$(head -1 <<<"$out")" "FAIL not_null(pickup_at): 1 row with pickup_at NULL"
# the sample is the failing row itself (id 5, fare 3.0)
grep -Eq '^ +5 \| 2024-01-31 +\| NULL +\| card +\| +3\.0$' <<<"$out" && ok "not_null: sample row" ||
	fail "not_null: sample row: [$out]"

run_capture "$LDP" check nyc.trips --unique id
expect_eq "unique: exit" "$rc" 1
# id 2 twice; the NULL id is not a key
expect_eq "unique: line" "$(head -1 <<<"$out")" "FAIL unique(id): 1 duplicate key in 2 rows"
grep -Eq '^ +2 \| +2$' <<<"$out" && ok "unique: sample key" || fail "unique: sample key: [$out]"
# a composite key: (pickup_date, payment) repeats for (01-30, card) ids 1, 2 and (01-31, card) ids 3, 5;
# (01-31, NULL) is skipped
run_capture "$LDP" check nyc.trips --unique pickup_date,payment
expect_eq "unique composite: line" "$(head -1 <<<"$out")" \
	"FAIL unique(pickup_date,payment): 2 duplicate keys in 4 rows"

run_capture "$LDP" check nyc.trips --accepted-values payment=card,cash
expect_eq "accepted_values: exit" "$rc" 1
expect_eq "accepted_values: line" "$(head -1 <<<"$out")" \
	"FAIL accepted_values(payment): 1 row with a value not in {card, cash}"
grep -q voucher <<<"$out" && ok "accepted_values: sample" || fail "accepted_values: sample: [$out]"
# numbers compare as text: ids 1..6 and the NULL id pass when 1..6 are listed
run_capture "$LDP" check nyc.trips --accepted-values "id=1, 2,3,4,5,6"
expect_eq "accepted_values numbers: exit" "$rc" 0
run_capture "$LDP" check nyc.trips --accepted-values id=1,2,3
expect_eq "accepted_values numbers: line" "$(head -1 <<<"$out")" \
	"FAIL accepted_values(id): 3 rows with a value not in {1, 2, 3}"

# freshness: 2024-02-02 00:00 is 26h 30m after 2024-01-31 21:30
run_capture "$LDP" check nyc.trips --freshness pickup_at:1d --as-of 2024-02-02T00:00:00+00:00
expect_eq "freshness: exit" "$rc" 1
expect_eq "freshness: line" "$out" "FAIL freshness(pickup_at): newest 2024-01-31 21:30:00 is 1d 2h old, older than 1d
nyc.trips: 1 check, 0 passed, 1 failed"
# the offset counts: 2024-02-01 03:00+05:00 is 2024-01-31 22:00 UTC, 30 min after the newest
run_capture "$LDP" check nyc.trips --freshness pickup_at:31m --as-of "2024-02-01 03:00:00+05:00"
expect_eq "freshness with offset: line" "$(head -1 <<<"$out")" \
	"PASS freshness(pickup_at): newest 2024-01-31 21:30:00 is 30m 0s old (max 31m)"
run_capture "$LDP" check nyc.trips --freshness pickup_at:29m --as-of "2024-02-01 03:00:00+05:00"
expect_eq "freshness with offset, too old: exit" "$rc" 1
# a DATE column counts from its midnight: 2024-01-31 -> 2024-02-02 is 2 days
run_capture "$LDP" check nyc.trips --freshness pickup_date:2d --as-of "2024-02-02 00:00:00"
expect_eq "freshness of a date: exit" "$rc" 0
# without --as-of the reference is now, and 2024 is long gone
run_capture "$LDP" check nyc.trips --freshness pickup_at:36h
expect_eq "freshness vs now: exit" "$rc" 1

run_capture "$LDP" check nyc.trips --sql "SELECT id, fare FROM nyc.trips WHERE fare > 9;"
expect_eq "sql: exit" "$rc" 1
# fares above 9: 10.5 and 12.0
expect_eq "sql: line" "$(head -1 <<<"$out")" "FAIL sql(1): 2 failing rows"

# ---- several checks, some failing: every one runs, the exit says fail ----
run_capture "$LDP" check nyc.trips --not-null pickup_at --unique id --row-count-min 1 --sample 1
expect_eq "mixed: exit" "$rc" 1
expect_eq "mixed: summary" "$(tail -1 <<<"$out")" "nyc.trips: 3 checks, 1 passed, 2 failed"
expect_eq "mixed: --sample 1 says how many shown" "$(grep -c '(1 of' <<<"$out" || true)" 0
run_capture "$LDP" check nyc.trips --accepted-values payment=cash --sample 2
# card x4 + voucher = 5 failing rows, 2 shown
grep -q '(2 of 5 shown)' <<<"$out" && ok "sample limit note" || fail "sample limit note: [$out]"

# ---- --where: the logical day's rows only ----
run_capture "$LDP" check nyc.trips --where "pickup_date = DATE '2024-01-30'" --row-count-min 3 --row-count-max 3 \
	--not-null pickup_at --not-null id --freshness pickup_at:6h --as-of "2024-01-31 00:00:00"
expect_eq "where day 1: exit" "$rc" 0
expect_eq "where day 1: freshness uses the day's rows" "$(grep freshness <<<"$out")" \
	"PASS freshness(pickup_at): newest 2024-01-30 18:00:00 is 6h 0m old (max 6h)"
run_capture "$LDP" check nyc.trips --where "pickup_date = DATE '2024-01-31'" --unique id --row-count-min 6
expect_eq "where day 2: unique passes (the duplicate is on day 1)" "$(grep 'unique' <<<"$out")" "PASS unique(id)"
expect_eq "where day 2: 5 rows" "$(grep 'row_count' <<<"$out")" "FAIL row_count: 5 rows, fewer than the minimum 6"
expect_eq "where day 2: summary" "$(tail -1 <<<"$out")" \
	"nyc.trips: 2 checks, 1 passed, 1 failed (where pickup_date = DATE '2024-01-31')"
# --where does not apply to --sql (the query names its table)
run_capture "$LDP" check nyc.trips --where "pickup_date = DATE '2024-01-31'" --sql "SELECT * FROM nyc.trips WHERE id = 1"
expect_eq "where leaves --sql alone" "$(head -1 <<<"$out")" "FAIL sql(1): 1 failing row"

# ---- zero rows ----
run_capture "$LDP" check nyc.empty --row-count-min 1 --freshness ts:1d
expect_eq "empty: exit" "$rc" 1
expect_eq "empty: lines" "$out" "FAIL row_count: 0 rows, fewer than the minimum 1
FAIL freshness(ts): no rows
nyc.empty: 2 checks, 0 passed, 2 failed"
run_capture "$LDP" check nyc.trips --where "id > 100" --not-null id --unique id --row-count-max 0
expect_eq "no matching rows: not_null, unique, max 0 pass" "$rc" 0

# ---- --json ----
run_capture "$LDP" check nyc.trips --json --unique id --not-null pickup_date --row-count-min 1 --sample 3
expect_eq "json: exit" "$rc" 1
got=$(python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o["table"] == "nyc.trips" and o["where"] is None and o["passed"] is False, o
c = {x["name"]: x for x in o["checks"]}
assert list(c) == ["unique(id)", "not_null(pickup_date)", "row_count"], list(c)
u = c["unique(id)"]
assert u["passed"] is False and u["failing"] == 1, u
assert u["sample"]["columns"] == ["id", "duplicates"] and u["sample"]["rows"] == [[2, 2]], u["sample"]
assert c["not_null(pickup_date)"]["passed"] is True and c["not_null(pickup_date)"]["sample"] is None
assert c["row_count"]["failing"] == 8 and c["row_count"]["passed"] is True
print("ok")' "$out" 2>&1)
expect_eq "json: structure" "$got" ok
run_capture "$LDP" check nyc.trips --json --not-null pickup_at --where "fare < 5"
got=$(python3 -c '
import json, sys
o = json.loads(sys.argv[1])
x = o["checks"][0]
# fares below 5: 3.0 (id 5, NULL pickup) and 4.5 (id 6)
assert o["where"] == "fare < 5" and x["failing"] == 1, o
assert x["sample"]["rows"][0][0] == 5 and x["sample"]["rows"][0][2] is None and x["sample"]["rows"][0][4] == 3.0, x
print("ok")' "$out" 2>&1)
expect_eq "json: sample values typed" "$got" ok

# ---- errors: named, exit 1, no result lines ----
run_capture "$LDP" check nyc.nope --not-null id
expect_eq "missing table: exit" "$rc" 1
[[ "$err" == *"table nyc.nope not found"* ]] && ok "missing table: message" || fail "missing table: [$err]"
expect_eq "missing table: no output" "$out" ""
run_capture "$LDP" check nyc.trips --row-count-min 1 --not-null pickup
expect_eq "missing column: exit" "$rc" 1
[[ "$err" == *"column 'pickup' not found in nyc.trips (its columns: id, pickup_date, pickup_at, payment, fare)"* ]] &&
	ok "missing column: message" || fail "missing column: [$err]"
expect_eq "missing column: nothing ran" "$out" ""
run_capture "$LDP" check nyc.trips --unique id,nope
[[ "$rc" == 1 && "$err" == *"unique(id,nope): column 'nope' not found"* ]] && ok "missing key column" ||
	fail "missing key column: $rc [$err]"
run_capture "$LDP" check nyc.trips --freshness payment:1d
[[ "$rc" == 1 && "$err" == *"nyc.trips.payment is VARCHAR"* ]] && ok "freshness of text" || fail "freshness of text: [$err]"
run_capture "$LDP" check nyc.trips --row-count-min 1 --where "nosuch = 1"
[[ "$rc" == 1 && "$err" == *"--where 'nosuch = 1'"* && "$err" == *nosuch* ]] && ok "bad where" || fail "bad where: [$err]"
expect_eq "bad where: nothing ran" "$out" ""
run_capture "$LDP" check nyc.trips --freshness pickup_at:1d --as-of yesterday-ish
[[ "$rc" == 1 && "$err" == *"--as-of 'yesterday-ish' is not a timestamp"* ]] && ok "bad as-of" || fail "bad as-of: [$err]"
run_capture "$LDP" check nyc.trips --freshness pickup_at
[[ "$rc" == 1 && "$err" == *"COLUMN:DURATION"* ]] && ok "freshness without duration" || fail "freshness arg: [$err]"
run_capture "$LDP" check nyc.trips --freshness pickup_at:soon
[[ "$rc" == 1 && "$err" == *"soon"* ]] && ok "bad duration" || fail "bad duration: [$err]"
run_capture "$LDP" check nyc.trips --accepted-values payment
[[ "$rc" == 1 && "$err" == *"COLUMN=v1,v2"* ]] && ok "accepted values without values" || fail "accepted arg: [$err]"
run_capture "$LDP" check nyc.trips --unique "id,,fare"
[[ "$rc" == 1 && "$err" == *"empty item"* ]] && ok "unique empty item" || fail "unique empty item: [$err]"
run_capture "$LDP" check nyc.trips
[[ "$rc" == 1 && "$err" == *"no checks given"* ]] && ok "no checks" || fail "no checks: [$err]"
run_capture "$LDP" check --not-null id
[[ "$rc" == 1 && "$err" == *"name the table"* ]] && ok "no table" || fail "no table: [$err]"
run_capture "$LDP" check nyc.trips --row-count-min -1
[[ "$rc" == 1 && "$err" == *"--row-count-min"* ]] && ok "negative bound" || fail "negative bound: [$err]"
run_capture "$LDP" check nyc.trips --sql "SELECT * FROM nyc.trips WHERE"
[[ "$rc" == 1 && "$err" == *"sql(1)"* ]] && ok "bad custom SQL names the check" || fail "bad custom SQL: [$err]"
run_capture "$LDP" check nyc.trips --sql "SELECT * FROM nyc.nope"
[[ "$rc" == 1 && "$err" == *nope* ]] && ok "custom SQL on a missing table" || fail "custom SQL missing table: [$err]"
run_capture "$LDP" help check
[[ "$rc" == 0 && "$out" == *"--accepted-values"* ]] && ok "help" || fail "help: [$out]"

finish "ldp check"
