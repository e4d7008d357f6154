#!/usr/bin/env bash
# Gzip-compressed metadata (what Java writes with write.metadata.compression-codec=gzip)
# registers and reads like plain metadata; a corrupt one is refused by name.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
dir=$LDP_TEST_TMP/gzip-metadata
rm -rf "$dir"
"$LDP" init "$dir" >/dev/null
cd "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$LDP" namespace create g >/dev/null
"$LDP" table create g.t --schema "id BIGINT, s VARCHAR" --partition-by "bucket(4, id)" >/dev/null
"$LDP" table append g.t "select range as id, 'v' || range as s from range(100)" >/dev/null
plain=$(ls -t warehouse/g/t/metadata/*.metadata.json | head -1)
gzip -c "$plain" > "$dir/00001-copy.gz.metadata.json"
"$LDP" table register g.z "$dir/00001-copy.gz.metadata.json" >/dev/null
[ "$("$LDP" sql --format csv --no-header "select count(*), sum(id) from g.z")" = "100,4950" ] || fail "gzip metadata reads wrong rows"
# a commit on top of gzip metadata writes plain metadata and keeps the rows
"$LDP" table append g.z "select 100 as id, 'x' as s" >/dev/null
[ "$("$LDP" sql --format csv --no-header "select count(*) from g.z")" = 101 ] || fail "append on gzip metadata"
printf '\037\213garbage' > "$dir/00002-bad.gz.metadata.json"
if err=$("$LDP" table register g.bad "$dir/00002-bad.gz.metadata.json" 2>&1); then fail "corrupt gzip metadata registered"; fi
echo "$err" | grep -q "00002-bad.gz.metadata.json" || fail "error does not name the file: $err"
"$LDP" table list g --json | grep -q '"bad"' && fail "corrupt table was registered"
echo "gzip metadata: ok"
