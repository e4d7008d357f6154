#!/usr/bin/env bash
# DELETE / UPDATE / MERGE plan with their condition (docs/row-level.md):
# only the data files that may hold matching rows are read and rewritten
# (copy-on-write) or scanned for positions (merge-on-read); the other files
# stay in the new snapshot as they were.
#
# Table: 6 days x 50 rows, identity-partitioned by `day` (one data file per
# day). The counts below follow from that layout by hand: a statement on one
# day touches that day's file only. Expected rows come from DuckDB running the
# same statements on a plain table with the same starting rows (no Iceberg
# code involved).
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-dml-pruning"
rm -rf "$T"
mkdir -p "$T/proj"
cd "$T/proj"
unset LDP_PROJECT LDP_LOG

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
expect_eq() {
	if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1: got [$2] want [$3]"; fi
}

"$LDP" init . >/dev/null
"$LDP" namespace create dp >/dev/null
SRC="SELECT DATE '2024-01-01' + CAST(i // 50 AS INTEGER) AS day, i AS id, 'r' || i AS s, CAST(i % 7 AS INTEGER) AS k FROM range(300) r(i)"
"$LDP" table create dp.cow --as "$SRC" --partition-by day >/dev/null
"$LDP" table create dp.mor --as "$SRC" --partition-by day --property write.delete.mode=merge-on-read \
	--property write.update.mode=merge-on-read --property write.merge.mode=merge-on-read >/dev/null
"$LDP" sql --db "$T/oracle.duckdb" "CREATE TABLE cow AS $SRC; CREATE TABLE mor AS $SRC" >/dev/null

# summary of the current snapshot: operation, added/deleted data files, added delete files
summary() {
	"$LDP" table describe "dp.$1" --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
md = json.load(open(d['metadata_location'].replace('file://', '')))
s = next(x for x in md['snapshots'] if x['snapshot-id'] == md['current-snapshot-id'])['summary']
print(s.get('added-data-files', '0'), s.get('deleted-data-files', '0'), s.get('added-delete-files', '0'), s.get('total-data-files'))"
}
live_files() {
	"$LDP" table plan "dp.$1" --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
print(' '.join(sorted(x['path'] for x in d['entries'] if x['kind'] == 'file' and x['kept'])))"
}
# run a statement on table $1 (CoW or MoR) and the oracle; the log says how
# many data files the statement read
run() {
	local t=$1 sql=${2//\{T\}/dp.$1}
	LDP_LOG=info "$LDP" sql "$sql" >"$T/out" 2>"$T/log"
	"$LDP" sql --db "$T/oracle.duckdb" "${2//\{T\}/$1}" >/dev/null
	read_files=$(sed -n 's/.*the statement reads \([0-9]*\) data file.*/\1/p' "$T/log" | tail -1)
}
same_rows() {
	local a b
	a=$("$LDP" sql --format csv "SELECT * FROM dp.$1 ORDER BY id")
	b=$("$LDP" sql --db "$T/oracle.duckdb" --format csv "SELECT * FROM $1 ORDER BY id")
	if [[ "$a" == "$b" ]]; then ok "$2: rows equal the oracle's"; else fail "$2: rows differ from the oracle's"; fi
}

before=$(live_files cow)
run cow "DELETE FROM {T} WHERE day = DATE '2024-01-03' AND k = 2"
expect_eq "cow delete on one day reads 1 of 6 files" "$read_files" "1"
expect_eq "cow delete: 1 file rewritten (added 1, deleted 1), 6 files in all" "$(summary cow)" "1 1 0 6"
after=$(live_files cow)
expect_eq "cow delete: the other 5 files are the same files" \
	"$(comm -12 <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after") | wc -l)" "5"
same_rows cow "cow delete"

run cow "UPDATE {T} SET s = s || '!' WHERE day = '2024-01-05'"
expect_eq "cow update on one day reads 1 file" "$read_files" "1"
expect_eq "cow update: 1 file rewritten" "$(summary cow)" "1 1 0 6"
same_rows cow "cow update"

run cow "DELETE FROM {T} AS x WHERE x.day >= '2024-01-05' AND x.id % 10 = 0"
expect_eq "cow delete on a range of days reads 2 files" "$read_files" "2"
expect_eq "cow delete: 2 files rewritten" "$(summary cow)" "2 2 0 6"
same_rows cow "cow range delete"

run cow "MERGE INTO {T} AS t USING (SELECT * FROM (VALUES (60, 'm60'), (61, 'm61'), (1000, 'new')) v(id, s)) AS src
	ON t.id = src.id AND t.day = DATE '2024-01-02'
	WHEN MATCHED THEN UPDATE SET s = src.s
	WHEN NOT MATCHED THEN INSERT (day, id, s, k) VALUES (DATE '2024-01-02', src.id, src.s, 0)"
expect_eq "cow merge with a target-only ON term reads 1 file" "$read_files" "1"
expect_eq "cow merge: day 2 rewritten with its insert (added 1, deleted 1)" "$(summary cow)" "1 1 0 6"
same_rows cow "cow merge"

# conditions planning cannot use: every file is read, results still right
run cow "DELETE FROM {T} WHERE length(s) = 3 AND id % 5 = 1"
expect_eq "unusable condition reads all 6 files" "$read_files" "6"
same_rows cow "cow delete with a condition that cannot be pushed"
run cow "UPDATE {T} SET k = 99 WHERE day IN (SELECT DATE '2024-01-06')"
expect_eq "subquery condition reads all 6 files" "$read_files" "6"
same_rows cow "cow update with a subquery condition"
run cow "MERGE INTO {T} AS t USING (SELECT 5 AS id) AS src ON t.id = src.id
	WHEN MATCHED THEN DELETE WHEN NOT MATCHED BY SOURCE AND t.id = 299 THEN DELETE"
expect_eq "merge with NOT MATCHED BY SOURCE reads all 6 files" "$read_files" "6"
same_rows cow "cow merge by source"

# merge-on-read: positions are looked for in the matching day's file only
run mor "DELETE FROM {T} WHERE day = DATE '2024-01-02' AND k < 3"
expect_eq "mor delete on one day reads 1 file" "$read_files" "1"
expect_eq "mor delete: one position delete file, no data file changed" "$(summary mor)" "0 0 1 6"
same_rows mor "mor delete"
# the table now has a delete file: planning still prunes (it keeps delete files whole)
run mor "UPDATE {T} SET s = 'u' WHERE day = DATE '2024-01-02' AND id = 60"
expect_eq "mor update after a delete file reads 1 file" "$read_files" "1"
same_rows mor "mor update"
run mor "DELETE FROM {T} WHERE day = DATE '2024-01-04'"
expect_eq "mor delete of a whole day reads 1 file" "$read_files" "1"
same_rows mor "mor delete of a day"
expect_eq "a pruned read of a day with deletes" "$("$LDP" sql --format csv --no-header "SELECT count(*) FROM dp.mor WHERE day = DATE '2024-01-02'")" \
	"$("$LDP" sql --db "$T/oracle.duckdb" --format csv --no-header "SELECT count(*) FROM mor WHERE day = DATE '2024-01-02'")"

if [[ $fails -ne 0 ]]; then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all DML pruning checks passed"
