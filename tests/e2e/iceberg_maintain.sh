#!/usr/bin/env bash
# Maintenance and write-audit-publish through the real binary:
#   rewrite-data applies delete files and bin-packs; rewrite-manifests merges;
#   expire-snapshots removes snapshots and the files only they reached (on
#   disk), never the current or a referenced snapshot; time travel to an
#   expired snapshot fails clearly; remove-orphans deletes only old files no
#   metadata references; the rows never change (checked against the rows read
#   before maintenance).
#   ldp branch: writes on a branch leave main untouched until merge; merge
#   fast-forwards; a merge after main moved fails and changes nothing.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-iceberg-maintain"
rm -rf "$T"
mkdir -p "$T/proj"
cd "$T/proj"
unset LDP_PROJECT

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
expect_eq() { if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1: got [$2] want [$3]"; fi; }
run_capture() {
	set +e
	out=$("$@" 2>"$T/stderr")
	rc=$?
	set -e
	err=$(cat "$T/stderr")
}
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

"$LDP" init . >/dev/null
"$LDP" namespace create m >/dev/null
"$LDP" table create m.t --as "SELECT range AS id, 'a' || range AS s FROM range(100)" \
	--property write.delete.mode=merge-on-read >/dev/null
for i in 1 2 3 4; do
	"$LDP" table append m.t "SELECT range AS id, 'b$i' AS s FROM range($((i * 100)), $((i * 100 + 50)))" >/dev/null
done
first=$("$LDP" table snapshots m.t --json | jq_py 'd[0]["snapshot_id"]')
"$LDP" sql "DELETE FROM m.t WHERE id % 10 = 0" >/dev/null
files_before=$("$LDP" table files m.t --json)
"$LDP" sql "UPDATE m.t SET s = 'upd' WHERE id BETWEEN 200 AND 210" >/dev/null
# the data file the copy-on-write UPDATE replaced: reachable only from snapshots before the tag
first_file=$("$LDP" table files m.t --json | python3 -c '
import json, sys
after = {f["file_path"] for f in json.load(sys.stdin)}
gone = [f["file_path"] for f in json.loads(sys.argv[1]) if f["file_path"] not in after]
print(gone[0])' "$files_before")
"$LDP" table tag create m.t keep >/dev/null
"$LDP" table append m.t "SELECT 999 AS id, 'last' AS s" >/dev/null
rows() { "$LDP" sql --format csv "SELECT * FROM m.t ORDER BY id, s"; }
want=$(rows)
nsnap() { "$LDP" table snapshots m.t --json | jq_py 'len(d)'; }
current=$("$LDP" table describe m.t --json | jq_py 'd["current_snapshot_id"]' 2>/dev/null || true)
[ -n "$current" ] || current=$("$LDP" table snapshots m.t --json | jq_py '[s for s in d if s["current"]][0]["snapshot_id"]')
tagged=$("$LDP" table tag list m.t --json | jq_py 'd[0]["snapshot_id"]')

# ---- bad input: the current and a tagged snapshot cannot be expired ----
before=$(nsnap)
run_capture "$LDP" table expire-snapshots m.t --snapshot "$current"
[ "$rc" -eq 1 ] && [[ "$err" == *"cannot be expired: it is the current snapshot"* ]] && ok "expiring the current snapshot refused" || fail "expire current: rc=$rc [$err]"
run_capture "$LDP" table expire-snapshots m.t --snapshot "$tagged"
[ "$rc" -eq 1 ] && [[ "$err" == *"a tag points at it"* ]] && ok "expiring a tagged snapshot refused" || fail "expire tagged: rc=$rc [$err]"
expect_eq "nothing committed by refused expiry" "$(nsnap)" "$before"

# ---- dry run changes nothing ----
run_capture "$LDP" table expire-snapshots m.t --older-than now --retain-last 1 --dry-run
[ "$rc" -eq 0 ] && [[ "$out" == *"Would expire"* ]] && ok "expire dry run reports" || fail "dry run: rc=$rc [$out] [$err]"
expect_eq "dry run keeps every snapshot" "$(nsnap)" "$before"
[ -f "$first_file" ] && ok "dry run deletes no file" || fail "dry run deleted $first_file"

# ---- rewrite-data applies deletes and packs ----
ndel=$("$LDP" table snapshots m.t --json | jq_py '[s for s in d if s["current"]][0]["summary"]["total-delete-files"]')
[ "$ndel" -ge 1 ] && ok "table has $ndel delete files before compaction" || fail "expected delete files, got $ndel"
run_capture "$LDP" table rewrite-data m.t --json
[ "$rc" -eq 0 ] || fail "rewrite-data: $err"
expect_eq "rewrite-data: one file" "$("$LDP" table files m.t --json | jq_py 'len(d)')" 1
expect_eq "rewrite-data: delete files gone" "$("$LDP" table snapshots m.t --json | jq_py '[s for s in d if s["current"]][0]["summary"]["total-delete-files"]')" 0
expect_eq "rewrite-data: operation replace" "$("$LDP" table snapshots m.t --json | jq_py '[s for s in d if s["current"]][0]["operation"]')" replace
expect_eq "rows after rewrite-data" "$(rows)" "$want"
run_capture "$LDP" table rewrite-data m.t
[[ "$out" == *"nothing to rewrite"* ]] && ok "second rewrite-data has nothing to do" || fail "second rewrite-data: [$out]"

# ---- rewrite-manifests ----
"$LDP" table rewrite-manifests m.t >/dev/null
expect_eq "rewrite-manifests: one manifest" "$("$LDP" table manifests m.t --json | jq_py 'len(d)')" 1
expect_eq "rows after rewrite-manifests" "$(rows)" "$want"

# ---- expire ----
run_capture "$LDP" table expire-snapshots m.t --older-than now --retain-last 1 --json
[ "$rc" -eq 0 ] || fail "expire: $err"
ndeleted=$(echo "$out" | jq_py 'len(d["expire_snapshots"]["deleted_files"])')
[ "$ndeleted" -gt 5 ] && ok "expire deleted $ndeleted files" || fail "expire deleted only $ndeleted files: $out"
expect_eq "expire keeps the current and the tagged snapshot" "$(nsnap)" 2
[ ! -e "$first_file" ] && ok "the data file the UPDATE replaced is gone from disk" || fail "$first_file still exists"
expect_eq "rows after expire" "$(rows)" "$want"
run_capture "$LDP" sql "SELECT count(*) FROM m.\"t@$first\""
[ "$rc" -eq 1 ] && [[ "$err" == *"no snapshot $first"* ]] && ok "time travel to an expired snapshot fails clearly" || fail "time travel to expired: rc=$rc [$err]"
"$LDP" sql --format csv "SELECT count(*) FROM m.\"t@tag:keep\"" >/dev/null && ok "the tagged snapshot still reads" || fail "tagged snapshot unreadable"
# every file under data/ is referenced by a remaining snapshot
ondisk=$(find warehouse/m/t/data -name '*.parquet' | wc -l)
live=$( ("$LDP" table files m.t --json; "$LDP" table files m.t --ref keep --json) | python3 -c '
import json, sys
paths = set()
for line in sys.stdin:
    paths.update(f["file_path"] for f in json.loads(line))
print(len(paths))')
[ "$ondisk" -le $((live + 3)) ] && ok "data files on disk ($ondisk) ~ referenced ($live data files + delete files of the tag)" || fail "$ondisk files on disk, $live referenced"

# ---- orphans ----
echo junk >warehouse/m/t/data/stray-old.parquet
touch -d '5 days ago' warehouse/m/t/data/stray-old.parquet
echo junk >warehouse/m/t/data/stray-new.parquet
run_capture "$LDP" table remove-orphans m.t --dry-run
[[ "$out" == *stray-old.parquet* && "$out" != *stray-new.parquet* ]] && ok "orphan dry run lists the old stray file only" || fail "orphan dry run: [$out]"
[ -f warehouse/m/t/data/stray-old.parquet ] && ok "dry run keeps it" || fail "dry run removed the orphan"
"$LDP" table remove-orphans m.t >/dev/null
[ ! -e warehouse/m/t/data/stray-old.parquet ] && [ -f warehouse/m/t/data/stray-new.parquet ] && ok "remove-orphans removes the old stray file only" || fail "remove-orphans"
expect_eq "rows after remove-orphans" "$(rows)" "$want"
run_capture "$LDP" table maintain m.t --json
[ "$rc" -eq 0 ] && echo "$out" | jq_py 'd["rewrite_manifests"]["manifests_after"]' >/dev/null && ok "maintain --json reports each step" || fail "maintain: rc=$rc [$out] [$err]"
expect_eq "rows after maintain" "$(rows)" "$want"

# ---- write-audit-publish ----
"$LDP" table create m.w --as "SELECT range AS id FROM range(10)" >/dev/null
main0=$("$LDP" table snapshots m.w --json | jq_py 'd[-1]["snapshot_id"]')
"$LDP" branch create m.w audit >/dev/null
"$LDP" table append m.w "SELECT range AS id FROM range(10, 15)" --branch audit >/dev/null
"$LDP" sql "DELETE FROM m.\"w@branch:audit\" WHERE id < 3" >/dev/null
cnt() { "$LDP" sql --format csv --no-header "SELECT count(*) || ':' || sum(id) FROM m.$1"; }
expect_eq "main untouched by branch writes" "$(cnt w)" "10:45"
expect_eq "the branch has its writes" "$(cnt '"w@branch:audit"')" "12:102"
run_capture "$LDP" branch list m.w
[[ "$out" == *"audit"*"2 snapshots ahead"* ]] && ok "branch list shows audit ahead" || fail "branch list: [$out]"
run_capture "$LDP" branch merge m.w audit
[ "$rc" -eq 0 ] && ok "publish" || fail "publish: $err"
expect_eq "main after publish" "$(cnt w)" "12:102"
"$LDP" branch create m.w b2 >/dev/null
"$LDP" table append m.w "SELECT 100 AS id" >/dev/null
"$LDP" table append m.w "SELECT 200 AS id" --branch b2 >/dev/null
head_before=$("$LDP" table snapshots m.w --json | jq_py '[s for s in d if s["current"]][0]["snapshot_id"]')
run_capture "$LDP" branch merge m.w b2
[ "$rc" -eq 1 ] && [[ "$err" == *"main moved since the branch was made"* ]] && ok "publish after main moved fails clearly" || fail "conflicting publish: rc=$rc [$err]"
expect_eq "main unchanged by the failed publish" "$("$LDP" table snapshots m.w --json | jq_py '[s for s in d if s["current"]][0]["snapshot_id"]')" "$head_before"
expect_eq "main rows unchanged" "$(cnt w)" "13:202"
"$LDP" branch drop m.w b2 >/dev/null
run_capture "$LDP" branch list m.w --json
[[ "$out" != *'"b2"'* ]] && ok "dropped branch is gone" || fail "branch drop: [$out]"
[ "$main0" != "" ] || fail "no first snapshot"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "all maintenance and branch checks passed"
