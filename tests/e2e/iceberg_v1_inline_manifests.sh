#!/usr/bin/env bash
# v1 snapshots may list their manifests inline ("manifests") instead of in a
# manifest list. Such a table reads, time-travels and takes appends.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
dir=$LDP_TEST_TMP/v1-inline
rm -rf "$dir"
"$LDP" init "$dir" >/dev/null
cd "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$LDP" namespace create v >/dev/null
"$LDP" table create v.t --schema "id BIGINT, d DATE" --partition-by "d" >/dev/null
"$LDP" table append v.t "select range as id, date '2024-01-01' + (range % 3)::int as d from range(30)" >/dev/null
"$LDP" table append v.t "select range + 30 as id, date '2024-01-01' as d from range(5)" >/dev/null
cur=$(ls -t warehouse/v/t/metadata/*.metadata.json | head -1)
# Rewrite as v1: every snapshot lists its manifests inline, no manifest lists.
python3 - "$cur" "$dir/00005-v1.metadata.json" <<'PY'
import json, sys, subprocess, os
m = json.load(open(sys.argv[1]))
m["format-version"] = 1
cur = [s for s in m["schemas"] if s["schema-id"] == m["current-schema-id"]][0]
m["schema"] = cur
m["partition-spec"] = [s for s in m["partition-specs"] if s["spec-id"] == m["default-spec-id"]][0]["fields"]
for s in m["snapshots"]:
    out = subprocess.run([os.environ["LDP"], "table", "manifests", "v.t", "--snapshot", str(s["snapshot_id"] if "snapshot_id" in s else s["snapshot-id"]), "--json"],
                         check=True, capture_output=True, text=True).stdout
    s["manifests"] = [e["path"] for e in json.loads(out)]
    del s["manifest-list"]
    s.pop("sequence-number", None)
m.pop("last-sequence-number", None)
json.dump(m, open(sys.argv[2], "w"))
PY
"$LDP" table register v.old "$dir/00005-v1.metadata.json" >/dev/null
[ "$("$LDP" table describe v.old --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["format_version"])')" = 1 ] || fail "not a v1 table"
[ "$("$LDP" sql --format csv --no-header "select count(*), sum(id) from v.old")" = "35,595" ] || fail "v1 inline manifests read wrong rows"
first=$("$LDP" table snapshots v.old --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["snapshot_id"])')
[ "$("$LDP" sql --format csv --no-header "select count(*) from v.\"old@$first\"")" = 30 ] || fail "time travel on v1 inline manifests"
[ "$("$LDP" table files v.old --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 4 ] || fail "files of a v1 snapshot"
# v2 needs a manifest list on every snapshot: writing is refused, nothing changes
if err=$("$LDP" table append v.old "select 100 as id, date '2024-02-01' as d" 2>&1); then fail "write to inline-manifest v1 table succeeded"; fi
echo "$err" | grep -q "lists its manifests inline" || fail "unclear refusal: $err"
[ "$("$LDP" sql --format csv --no-header "select count(*) from v.old")" = 35 ] || fail "refused write changed the table"

# A v1 table whose snapshots have manifest lists (what Java has written since
# early releases) is upgraded to v2 by the first write.
python3 - "$cur" "$dir/00006-v1list.metadata.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["format-version"] = 1
m["schema"] = [s for s in m["schemas"] if s["schema-id"] == m["current-schema-id"]][0]
m["partition-spec"] = [s for s in m["partition-specs"] if s["spec-id"] == m["default-spec-id"]][0]["fields"]
for s in m["snapshots"]:
    s.pop("sequence-number", None)
m.pop("last-sequence-number", None)
json.dump(m, open(sys.argv[2], "w"))
PY
"$LDP" table register v.listed "$dir/00006-v1list.metadata.json" >/dev/null
"$LDP" table append v.listed "select 100 as id, date '2024-02-01' as d" >/dev/null
[ "$("$LDP" sql --format csv --no-header "select count(*) from v.listed")" = 36 ] || fail "append to a v1 table"
[ "$("$LDP" table describe v.listed --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["format_version"])')" = 2 ] || fail "a write to a v1 table should upgrade it to v2"
[ "$("$LDP" sql --format csv --no-header "select count(*) from v.\"listed@$first\"")" = 30 ] || fail "v1 snapshots after the upgrade"
seqs=$("$LDP" table snapshots v.listed --json | python3 -c 'import json,sys; print(",".join(str(s["sequence_number"]) for s in json.load(sys.stdin)))')
[ "$seqs" = "0,0,1" ] || fail "sequence numbers after the upgrade: $seqs (v1 snapshots are 0, the first v2 write 1)"
echo "v1 inline manifests: ok"
