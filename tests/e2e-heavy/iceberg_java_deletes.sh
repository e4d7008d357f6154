#!/usr/bin/env bash
# ldp reads delete files written by Apache Iceberg's Java API (equality and
# position deletes; pyiceberg 0.12 cannot write equality deletes), with the
# spec's sequence-number rules (docs/row-level.md). Heavier than tests/e2e
# (Maven and the Iceberg jars, shared with iceberg_java.sh), so CTest does not
# run it:
#
#   bash tests/e2e-heavy/iceberg_java_deletes.sh
#
# 1. ldp creates ns.d (id long, cat string, v int; identity(cat); ids 1..20,
#    1..10 in partition a, 11..20 in b, v = 10 * id except v NULL for id 7).
# 2. tests/interop/java JavaDeletes commits one RowDelta through JdbcCatalog:
#    equality deletes on v in partition a (30, 50, NULL, 130), on id in
#    partition b (12), a position delete of the row id 15, and a new data file
#    in partition a with (22, a, 50), (23, a, 30).
# 3. ldp appends (24, a, 30) and (12, b, 999) after the deletes.
# The expected rows are worked out below from the rules alone: an equality
# delete removes rows of strictly older data files in its partition (NULL
# matches NULL); a position delete removes its row. So ids 3, 5, 7 (a: v 30,
# 50, NULL), 12 and 15 go; 13 (v 130, but in b) stays; 22 and 23 (same
# sequence number as the deletes) and 24 and the new 12 (later) stay.
# ldp and Java must both read exactly that, then again after ldp's own
# copy-on-write and merge-on-read changes on the same table.
#
# Environment: LDP (default build/debug/bin/ldp), LDP_TEST_TMP (default
# <build>/e2e-heavy-tmp); Maven repository: see lib/java_env.sh.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
t0=$(date +%s)
JAVA_SOURCES=JavaDeletes.java JAVA_CLASSES=classes-deletes
# shellcheck source=tests/e2e-heavy/lib/java_env.sh
. "$src/tests/e2e-heavy/lib/java_env.sh"

T="$LDP_TEST_TMP/e2e-iceberg-java-deletes"
rm -rf "$T"
mkdir -p "$T"
cd "$T"
unset LDP_PROJECT LDP_LOG
java_run() {
	java -cp "$JAVA_CP" ldp.interop.JavaDeletes \
		"$T/p/warehouse" "$T/p/warehouse/catalog.db" ldp "$1" ns.d
}

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
expect_eq() {
	if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1: got [$2] want [$3]"; fi
}
# rows as "id:cat:v" (v - for NULL), space-separated, by id
ldp_rows() {
	(cd "$T/p" && "$LDP" sql --format csv --no-header \
		"SELECT string_agg(id || ':' || cat || ':' || coalesce(CAST(v AS VARCHAR), '-'), ' ' ORDER BY id, v) FROM ns.d")
}
java_rows() {
	java_run rows | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
rows.sort(key=lambda r: (r['id'], r['v'] if r['v'] is not None else -1))
print(' '.join(f\"{r['id']}:{r['cat']}:{'-' if r['v'] is None else r['v']}\" for r in rows))"
}

"$LDP" init "$T/p" >/dev/null
cd "$T/p"
"$LDP" namespace create ns >/dev/null
"$LDP" table create ns.d --partition-by cat --as "SELECT i AS id, CASE WHEN i <= 10 THEN 'a' ELSE 'b' END AS cat,
	CASE WHEN i = 7 THEN NULL ELSE CAST(i * 10 AS INTEGER) END AS v FROM range(1, 21) r(i)" >/dev/null
cd "$T"

committed=$(java_run delete)
echo "java: $committed"
seq=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['sequence_number'])" "$committed")
expect_eq "Java's row delta is sequence number 2" "$seq" "2"
(cd "$T/p" && "$LDP" table append ns.d "SELECT 24 AS id, 'a' AS cat, 30 AS v UNION ALL SELECT 12, 'b', 999" >/dev/null)

# expected, from the header's rules: 1..20 minus 3 5 7 12 15, plus 22 23 24 and the new 12
want=""
for i in $(seq 1 20); do
	case $i in 3 | 5 | 7 | 12 | 15) continue ;; esac
	cat=a
	((i > 10)) && cat=b
	want+="$i:$cat:$((i * 10)) "
	((i == 11)) && want+="12:b:999 "
done
want+="22:a:50 23:a:30 24:a:30"
expect_eq "ldp applies Java's equality and position deletes by sequence number" "$(ldp_rows)" "$want"
expect_eq "Java reads the same rows" "$(java_rows)" "$want"
# a pruned ldp read of one partition applies the deletes too
expect_eq "ldp pruned read of partition a" \
	"$(cd "$T/p" && "$LDP" sql --format csv --no-header "SELECT string_agg(CAST(id AS VARCHAR), ' ' ORDER BY id) FROM ns.d WHERE cat = 'a'")" \
	"1 2 4 6 8 9 10 22 23 24"

# ldp's own row-level changes on top of Java's delete files
(cd "$T/p" && "$LDP" sql "UPDATE ns.d SET v = v + 1 WHERE cat = 'a' AND id < 5" >/dev/null)
want=${want/1:a:10/1:a:11}
want=${want/2:a:20/2:a:21}
want=${want/4:a:40/4:a:41}
expect_eq "ldp copy-on-write update over equality-deleted files" "$(ldp_rows)" "$want"
expect_eq "Java reads ldp's update" "$(java_rows)" "$want"
(cd "$T/p" && "$LDP" sql "ALTER TABLE ns.d SET TBLPROPERTIES ('write.delete.mode' = 'merge-on-read')" >/dev/null &&
	"$LDP" sql "DELETE FROM ns.d WHERE id IN (13, 22)" >/dev/null)
want=${want/13:b:130 /}
want=${want/22:a:50 /}
expect_eq "ldp merge-on-read delete next to Java's delete files" "$(ldp_rows)" "$want"
expect_eq "Java reads ldp's position deletes" "$(java_rows)" "$want"

echo "java deletes: $(($(date +%s) - t0)) s in all"
if [[ $fails -ne 0 ]]; then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all Java delete-file checks passed"
