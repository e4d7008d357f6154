#!/usr/bin/env bash
# NEAR Lake: both shapes (lake layout + streamer messages) into six tables,
# from/to bounds, resuming from the committed height, day partitions, and a
# corrupt block that commits nothing. Expected numbers come from
# near_counts.py (python's json over the same files), never from ldp.
set -euo pipefail
: "${LDP:?}" "${LDP_FIXTURES:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
T="$LDP_TEST_TMP/ingest_near.$$"
rm -rf "$T"
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
COUNTS="$LDP_SOURCE_DIR/tests/e2e/near_counts.py"
F="$LDP_FIXTURES/near-lake"
fail() { echo "FAIL: $*" >&2; exit 1; }

# a mirror holding both shapes side by side
mkdir -p "$T/mirror"
cp -r "$F/s3-layout/000000879765" "$T/mirror/"
cp "$F/streamer-messages/"*.json "$T/mirror/"
B1="$F/s3-layout/000000879765" B2="$F/streamer-messages/61321189.json" B3="$F/streamer-messages/105793821.json"

cd "$T" && "$LDP" init proj >/dev/null && cd proj

count() { "$LDP" sql --format csv --no-header "SELECT count(*) FROM near.$1"; }
TABLES="blocks chunks transactions receipts receipt_execution_outcomes actions"
check_counts() { # $1 = expected JSON from near_counts.py; one ldp sql for all six tables
	want=$(python3 -c "import json,sys; print(','.join(str(json.loads(sys.argv[1])[t]) for t in sys.argv[2:]))" "$1" $TABLES)
	got=$("$LDP" sql --format csv --no-header "SELECT $(for t in $TABLES; do printf '(SELECT count(*) FROM near.%s),' "$t"; done) 0" )
	[ "$got" = "$want,0" ] || fail "row counts ($TABLES): got $got, expected $want"
}

# 1. a bounded range: the two oldest blocks only
out=$("$LDP" ingest "near-lake://$T/mirror?from=0&to=61321189" near)
echo "$out"
echo "$out" | grep -q "Ingested 2 NEAR blocks" || fail "first run: $out"
check_counts "$(python3 "$COUNTS" "$B1" "$B2")"

# 2. resume: only the block above the committed height is read
out=$("$LDP" ingest "near-lake://$T/mirror" near)
echo "$out" | grep -q "Ingested 1 NEAR block," || fail "resume: $out"
check_counts "$(python3 "$COUNTS" "$B1" "$B2" "$B3")"
"$LDP" table snapshots near.blocks --json | grep -q '"ldp.ingest.near.last-height":"105793821"' ||
	fail "the last height is not in the blocks snapshot summary"

# 3. nothing new: nothing committed
snaps_before=$("$LDP" table snapshots near.actions --json | grep -o snapshot_id | wc -l)
out=$("$LDP" ingest "near-lake://$T/mirror" near)
echo "$out" | grep -q "up to date" || fail "third run: $out"
check_counts "$(python3 "$COUNTS" "$B1" "$B2" "$B3")"
snaps_after=$("$LDP" table snapshots near.actions --json | grep -o snapshot_id | wc -l)
[ "$snaps_before" = "$snaps_after" ] || fail "an empty run committed a snapshot"

# 3b. a run cut short between two tables' commits: roll near.blocks back to the
# first run's snapshot (as if the resume run had died before committing it);
# the next run completes blocks without duplicating the five other tables
first=$("$LDP" table snapshots near.blocks --json | python3 -c "import json,sys; print(min(json.load(sys.stdin), key=lambda s: s['sequence_number'])['snapshot_id'])")
"$LDP" table rollback near.blocks "$first" >/dev/null
[ "$(count blocks)" = 2 ] || fail "rollback did not take near.blocks back to 2 blocks"
"$LDP" ingest "near-lake://$T/mirror" near >/dev/null
check_counts "$(python3 "$COUNTS" "$B1" "$B2" "$B3")"

# 4. values: actions per kind and the total transferred, against python
want=$(python3 "$COUNTS" --kinds "$B1" "$B2" "$B3")
got=$("$LDP" sql --format csv "SELECT action_kind, count(*) FROM near.actions GROUP BY 1 ORDER BY 1" | tail -n +2)
got="$got
transfer_deposit,$("$LDP" sql --format csv "SELECT sum(deposit)::VARCHAR FROM near.actions WHERE action_kind = 'Transfer'" | tail -1)"
[ "$got" = "$want" ] || fail "actions by kind: got
$got
want
$want"
# exact timestamps (from timestamp_nanosec, not the rounded JSON number)
ts=$("$LDP" sql --format csv "SELECT block_timestamp_ns FROM near.blocks WHERE block_height = 61321189" | tail -1)
[ "$ts" = "$(python3 -c "import json; print(json.load(open('$B2'))['block']['header']['timestampNanosec'])")" ] ||
	fail "timestamp of 61321189: $ts"

# 5. partitioned by day of the block timestamp: three blocks on three days
parts=$("$LDP" table partitions near.blocks | grep -c 'block_timestamp_day=')
[ "$parts" = 3 ] || fail "near.blocks has $parts day partitions, expected 3"
"$LDP" table partitions near.blocks | grep -q 'block_timestamp_day=2022-03-13' || fail "no 2022-03-13 partition"

# 6. a corrupt block: exit 1, the file named, nothing committed
mkdir -p "$T/bad/000200000000"
python3 -c "
import json, sys
b = json.load(open('$B1/block.json')); b['header']['height'] = 200000000
json.dump(b, open('$T/bad/000200000000/block.json', 'w'))"
echo '{"shard_id": 0, "chunk": ' >"$T/bad/000200000000/shard_0.json"
set +e
err=$("$LDP" ingest "near-lake://$T/bad" near 2>&1)
code=$?
set -e
[ "$code" = 1 ] || fail "corrupt block: exit $code ($err)"
echo "$err" | grep -q "000200000000/shard_0.json" || fail "the error does not name the file: $err"
check_counts "$(python3 "$COUNTS" "$B1" "$B2" "$B3")"

# 6b. a block filed under the wrong height
mkdir -p "$T/misfiled/000200000001"
cp "$B1/"*.json "$T/misfiled/000200000001/"
set +e
err=$("$LDP" ingest "near-lake://$T/misfiled" near 2>&1); code=$?
set -e
[ "$code" = 1 ] && echo "$err" | grep -q "named for 200000001" || fail "misfiled block: $code $err"
check_counts "$(python3 "$COUNTS" "$B1" "$B2" "$B3")"

# 7. bad arguments
set +e
err=$("$LDP" ingest "near-lake://$T/mirror?from=10&to=5" near 2>&1); code=$?
[ "$code" = 1 ] && echo "$err" | grep -q "below from" || fail "to < from: $code $err"
err=$("$LDP" ingest "near-lake://$T/nowhere" near 2>&1); code=$?
[ "$code" = 1 ] && echo "$err" | grep -q "does not exist" || fail "missing dir: $code $err"
err=$("$LDP" ingest "near-lake://$T/mirror" near --records x 2>&1); code=$?
[ "$code" = 1 ] && echo "$err" | grep -q -- "--records" || fail "unknown option: $code $err"
set -e
echo "ingest_near: ok"
