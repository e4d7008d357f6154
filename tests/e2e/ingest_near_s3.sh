#!/usr/bin/env bash
# NEAR Lake from an S3 bucket (moto with SigV4 authentication, tests/s3_server.sh).
# The three fixture blocks in the bucket layout under a prefix, plus decoys the
# listing must skip: unreadable blocks below from= and above to= (reading either
# fails the run), a loose object and a non-height folder. The S3 tables are
# checked against an independent path: the same files ingested from a local
# mirror (row for row), and near_counts.py over the JSON.
set -euo pipefail
: "${LDP:?}" "${LDP_FIXTURES:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
source "$LDP_SOURCE_DIR/tests/s3_server.sh"
s3_server_start
T="$LDP_TEST_TMP/ingest_near_s3.$$"
rm -rf "$T"
mkdir -p "$T/lake"
trap 's3_server_stop; rm -rf "$T"' EXIT
unset LDP_PROJECT
export LDP_CACHE_DIR="$T/cache"
COUNTS="$LDP_SOURCE_DIR/tests/e2e/near_counts.py"
F="$LDP_FIXTURES/near-lake"
TABLES="blocks chunks transactions receipts receipt_execution_outcomes actions"
fail() { echo "FAIL: $*" >&2; exit 1; }

# the streamer messages rewritten into the bucket layout (block.json + shard_<id>.json)
cp -r "$F/s3-layout/000000879765" "$T/lake/"
python3 - "$T/lake" "$F/streamer-messages/61321189.json" "$F/streamer-messages/105793821.json" <<'EOF'
import json, os, sys
for path in sys.argv[2:]:
    m = json.load(open(path))
    d = os.path.join(sys.argv[1], '%012d' % m['block']['header']['height'])
    os.makedirs(d)
    json.dump(m['block'], open(os.path.join(d, 'block.json'), 'w'))
    for s in m['shards']:
        json.dump(s, open(os.path.join(d, 'shard_%d.json' % s['shardId']), 'w'))
EOF
cd "$T" && "$LDP" init proj >/dev/null && cd proj
"$LDP" s3 mb s3://near-lake-test >/dev/null
for f in $(cd "$T/lake" && find . -name '*.json' | sort); do
	"$LDP" s3 cp "$T/lake/${f#./}" "s3://near-lake-test/mainnet/${f#./}" >/dev/null
done
printf 'not json' >"$T/bad.json"
for k in mainnet/000000000001/block.json mainnet/900000000000/block.json mainnet/README mainnet/index/block.json; do
	"$LDP" s3 cp "$T/bad.json" "s3://near-lake-test/$k" >/dev/null
done

sql() { "$LDP" sql --format csv --no-header "$1"; }
# one ldp sql per check: under ASan every process start costs seconds
check_counts() { # <namespace> <near_counts.py output>
	want=$(python3 -c "import json,sys; print(','.join(str(json.loads(sys.argv[1])[t]) for t in sys.argv[2:]))" "$2" $TABLES)
	got=$(sql "SELECT $(for t in $TABLES; do printf '(SELECT count(*) FROM %s.%s),' "$1" "$t"; done) 0")
	[ "$got" = "$want,0" ] || fail "$1 row counts ($TABLES): got $got, expected $want"
}
same_as_mirror() { # every table equal to the local mirror's as a multiset: same count, nothing left by EXCEPT ALL
	q=""
	for t in $TABLES; do
		q="$q(SELECT count(*) FROM near.$t) - (SELECT count(*) FROM mirror.$t), "
		q="$q(SELECT count(*) FROM (SELECT * FROM near.$t EXCEPT ALL SELECT * FROM mirror.$t)), "
	done
	got=$(sql "SELECT $q 0")
	[ "$got" = "0,0,0,0,0,0,0,0,0,0,0,0,0" ] || fail "near.* and mirror.* differ ($TABLES, count and rows): $got"
}
B1="$F/s3-layout/000000879765" B2="$F/streamer-messages/61321189.json" B3="$F/streamer-messages/105793821.json"

# from= and to= inclusive; the decoy at height 1 lies before from=, the one at 9e11 after to=
s=$(date +%s.%N)
out=$("$LDP" ingest "near-lake://near-lake-test/mainnet?from=879765&to=61321189" near)
echo "ingest_near_s3: 2 blocks from S3 in $(python3 -c "import time; print('%.2f' % (time.time() - $s))") s"
echo "$out" | grep -q "Ingested 2 NEAR blocks," || fail "bounded range: $out"
"$LDP" ingest "near-lake://$T/lake?from=879765&to=61321189" mirror >/dev/null
check_counts near "$(python3 "$COUNTS" "$B1" "$B2")"
same_as_mirror

# the same range again: nothing new, nothing committed
snaps() { "$LDP" table snapshots near.blocks --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
n0=$(snaps)
out=$("$LDP" ingest "near-lake://near-lake-test/mainnet?from=879765&to=61321189" near)
echo "$out" | grep -q "No new NEAR blocks" || fail "second run: $out"
[ "$(snaps)" = "$n0" ] || fail "the second run committed a snapshot"
[ "$n0" = 1 ] || fail "near.blocks has $n0 snapshots after one ingest"

# resume without from=: starts after the committed height (the decoy at 1 would fail it)
out=$("$LDP" ingest "near-lake://near-lake-test/mainnet/?to=200000000" near)
echo "$out" | grep -q "Ingested 1 NEAR block," || fail "resume from S3: $out"
"$LDP" ingest "near-lake://$T/lake?to=200000000" mirror >/dev/null
check_counts near "$(python3 "$COUNTS" "$B1" "$B2" "$B3")"
same_as_mirror

# a range with no blocks at all
out=$("$LDP" ingest "near-lake://near-lake-test/mainnet?from=200000000&to=800000000000" fresh)
echo "$out" | grep -q "No new NEAR blocks" || fail "empty range: $out"

# wrong credentials, a missing bucket: a clear error, nothing committed
for case in secret bucket; do
	set +e
	if [ $case = secret ]; then
		err=$(AWS_SECRET_ACCESS_KEY=wrong "$LDP" ingest "near-lake://near-lake-test/mainnet?to=200000000" bad 2>&1)
	else
		err=$("$LDP" ingest "near-lake://no-such-bucket/mainnet?to=200000000" bad 2>&1)
	fi
	code=$?
	set -e
	[ "$code" = 1 ] || fail "$case: exit $code: $err"
	echo "$err" | grep -q "s3://" || fail "$case: the error does not name the bucket: $err"
	if [ $case = secret ]; then
		echo "$err" | grep -q "403" || fail "wrong secret: no status: $err"
		echo "$err" | grep -q "wrong" && fail "wrong secret: the secret is in the message: $err"
	else
		echo "$err" | grep -q "404\|NoSuchBucket\|not exist" || fail "missing bucket: $err"
	fi
done
sql "SELECT count(*) FROM bad.blocks" >/dev/null 2>&1 && fail "a failed run created bad.blocks"
check_counts near "$(python3 "$COUNTS" "$B1" "$B2" "$B3")"
echo "ingest_near_s3: ok"
