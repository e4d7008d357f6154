#!/usr/bin/env bash
# Manifest merging (commit.manifest.min-count-to-merge): appends keep the
# manifest list short, files keep their snapshot ids and sequence numbers, and
# every snapshot still reads its exact rows.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
dir=$LDP_TEST_TMP/manifest-merge
rm -rf "$dir"
"$LDP" init "$dir" >/dev/null
cd "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

"$LDP" namespace create m >/dev/null
"$LDP" table create m.t --schema "id BIGINT, k VARCHAR" --partition-by "k" \
	--property commit.manifest.min-count-to-merge=4 >/dev/null
for i in $(seq 1 10); do
	"$LDP" table append m.t "select range + $((i * 100)) as id, 'k' || (range % 2) as k from range(10)" >/dev/null
	n=$("$LDP" table manifests m.t --json | json 'len(d)')
	# the new manifest plus at most (min-count - 1) carried ones
	[ "$n" -le 4 ] || fail "after append $i the snapshot lists $n manifests (merging should keep it <= 4)"
done
[ "$("$LDP" sql --format csv --no-header "select count(*) from m.t")" = 100 ] || fail "row count after merging"
[ "$("$LDP" sql --format csv --no-header "select count(distinct id) from m.t")" = 100 ] || fail "duplicate rows after merging"
files=$("$LDP" table files m.t --json | json 'len(d)')
[ "$files" = 20 ] || fail "expected 20 data files (10 appends x 2 partitions), got $files"
# merged entries are EXISTING and counted as such; nothing is added twice
"$LDP" table manifests m.t --json | json 'sum(m["added_files_count"]+m["existing_files_count"] for m in d)' | grep -qx 20 \
	|| fail "manifest counts do not add up to 20 live files"
# every snapshot still reads exactly its rows
i=0
for sid in $("$LDP" table snapshots m.t --json | json '" ".join(str(s["snapshot_id"]) for s in d)'); do
	i=$((i + 1))
	got=$("$LDP" sql --format csv --no-header "select count(*) from m.\"t@$sid\"")
	[ "$got" = $((i * 10)) ] || fail "snapshot $i ($sid) reads $got rows, expected $((i * 10))"
done
# turning merging off keeps every manifest
"$LDP" table create m.u --schema "id BIGINT" --property commit.manifest-merge.enabled=false \
	--property commit.manifest.min-count-to-merge=2 >/dev/null
for i in 1 2 3 4; do "$LDP" table append m.u "select $i as id" >/dev/null; done
[ "$("$LDP" table manifests m.u --json | json 'len(d)')" = 4 ] || fail "merging disabled should keep 4 manifests"
echo "manifest merge: ok"
