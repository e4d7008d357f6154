#!/usr/bin/env bash
# NEAR Lake from an S3 bucket (moto with SigV4 authentication, tests/s3_server.sh):
# the three fixture blocks in the bucket layout under a prefix, a bounded
# range, then a resume. Expected counts from near_counts.py over the same JSON.
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
count() { "$LDP" sql --format csv --no-header "SELECT count(*) FROM near.$1"; }
check_counts() {
	for t in blocks chunks transactions receipts receipt_execution_outcomes actions; do
		want=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['$t'])" "$1")
		got=$(count "$t")
		[ "$got" = "$want" ] || fail "near.$t has $got rows, expected $want"
	done
}
B2="$F/streamer-messages/61321189.json" B3="$F/streamer-messages/105793821.json"

out=$("$LDP" ingest "near-lake://near-lake-test/mainnet?from=61000000&to=62000000" near)
echo "$out" | grep -q "Ingested 1 NEAR block," || fail "bounded range: $out"
check_counts "$(python3 "$COUNTS" "$B2")"
out=$("$LDP" ingest "near-lake://near-lake-test/mainnet" near)
echo "$out" | grep -q "Ingested 1 NEAR block," || fail "resume from S3: $out"
check_counts "$(python3 "$COUNTS" "$B2" "$B3")"
[ "$("$LDP" sql --format csv --no-header "SELECT min(block_height) FROM near.blocks")" = 61321189 ] ||
	fail "the resume went below the committed height"

# wrong credentials: a clear error, nothing committed
set +e
err=$(AWS_SECRET_ACCESS_KEY=wrong "$LDP" ingest "near-lake://near-lake-test/mainnet?from=0&to=1000000" near 2>&1)
code=$?
set -e
[ "$code" = 1 ] || fail "wrong secret: exit $code: $err"
echo "$err" | grep -q "403" || fail "wrong secret: no status: $err"
check_counts "$(python3 "$COUNTS" "$B2" "$B3")"
echo "ingest_near_s3: ok"
