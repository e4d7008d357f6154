#!/usr/bin/env bash
# Row-level changes through the real binary: DELETE, UPDATE and MERGE INTO on
# Iceberg tables in copy-on-write and merge-on-read mode, partitioned and not.
# The oracle is DuckDB itself running the same statements on a plain table
# holding the same starting rows (ldp sql --db oracle.duckdb): after every
# statement each Iceberg table must hold exactly the oracle's rows.
# Then bad input: clear error, exit 1, nothing committed.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-iceberg-rowlevel"
rm -rf "$T"
mkdir -p "$T/proj"
cd "$T/proj"
unset LDP_PROJECT

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
run_capture() {
	set +e
	out=$("$@" 2>"$T/stderr")
	rc=$?
	set -e
	err=$(cat "$T/stderr")
}

"$LDP" init . >/dev/null
"$LDP" namespace create rl >/dev/null
SRC="SELECT range AS id, CAST(range % 5 AS INTEGER) AS k, 'r' || range AS s, CAST(range * 1.5 AS DOUBLE) AS amount FROM range(500)"
MOR="--property write.delete.mode=merge-on-read --property write.update.mode=merge-on-read --property write.merge.mode=merge-on-read"
"$LDP" table create rl.cow_u --as "$SRC" >/dev/null
"$LDP" table create rl.cow_p --as "$SRC" --partition-by "k" >/dev/null
# shellcheck disable=SC2086
"$LDP" table create rl.mor_u --as "$SRC" $MOR >/dev/null
# shellcheck disable=SC2086
"$LDP" table create rl.mor_p --as "$SRC" --partition-by "bucket(4, id)" $MOR >/dev/null
"$LDP" sql --db "$T/oracle.duckdb" "CREATE TABLE t0 AS $SRC" >/dev/null
TABLES="cow_u cow_p mor_u mor_p"

stmts=(
	"DELETE FROM {T} WHERE k = 1"
	"UPDATE {T} SET s = s || '!', amount = amount * 2 WHERE id % 7 = 0"
	"MERGE INTO {T} AS t USING (SELECT * FROM (VALUES (3, 'm3'), (14, 'del'), (28, 'm28'), (1000, 'ins'), (1001, 'ins2')) v(id, s)) AS src ON t.id = src.id WHEN MATCHED AND src.s = 'del' THEN DELETE WHEN MATCHED THEN UPDATE SET s = src.s WHEN NOT MATCHED THEN INSERT (id, k, s, amount) VALUES (src.id, 9, src.s, 0.5)"
	"DELETE FROM {T} WHERE s LIKE '%!' AND k = 2"
	"UPDATE {T} SET k = k + 10 WHERE id < 40"
	"DELETE FROM {T} WHERE id = -1"
	"MERGE INTO {T} USING (SELECT id, 'again' AS s FROM range(0, 60, 3) r(id)) AS src ON {T}.id = src.id WHEN MATCHED THEN UPDATE SET s = src.s"
	"UPDATE {T} SET amount = NULL WHERE k = 3 AND id > 400"
	"DELETE FROM {T} WHERE amount IS NULL OR id > 990"
	"DELETE FROM {T} WHERE id IN (SELECT id FROM {T} WHERE amount > 600)"
	"DELETE FROM {T} AS x WHERE x.k = 3 AND x.id % 2 = 0"
	"UPDATE {T} AS x SET s = upper(x.s) WHERE x.id BETWEEN 40 AND 60"
	"MERGE INTO {T} USING (SELECT * FROM (VALUES (44, 4, 'star', 4.5), (2000, 0, 'star-new', 1.0)) v(id, k, s, amount)) AS src ON {T}.id = src.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
)

state() { "$LDP" sql --format csv "SELECT * FROM rl.$1 ORDER BY id"; }
oracle() { "$LDP" sql --db "$T/oracle.duckdb" --format csv "SELECT * FROM t0 ORDER BY id"; }
# every table's rows in one invocation (each ldp run costs a DuckDB start,
# which adds up under the sanitizers), against the oracle's rows per table
all_states() {
	local q="" tb
	for tb in $TABLES; do q="$q${q:+ UNION ALL }SELECT '$tb' AS tb, * FROM rl.$tb"; done
	"$LDP" sql --format csv "SELECT * FROM ($q) ORDER BY tb, id"
}
oracle_all() {
	local v="" tb
	for tb in $TABLES; do v="$v${v:+, }('$tb')"; done
	"$LDP" sql --db "$T/oracle.duckdb" --format csv "SELECT v.tb, t0.* FROM t0, (VALUES $v) v(tb) ORDER BY tb, id"
}

n=0
for st in "${stmts[@]}"; do
	n=$((n + 1))
	"$LDP" sql --db "$T/oracle.duckdb" "${st//\{T\}/t0}" >/dev/null
	script=""
	for tb in $TABLES; do script="$script${st//\{T\}/rl.$tb};"$'\n'; done
	run_capture "$LDP" sql "$script"
	if [ "$rc" -ne 0 ]; then
		fail "statement $n exited $rc: $err"
		continue
	fi
	want=$(oracle_all)
	got=$(all_states)
	if [ "$got" == "$want" ]; then ok "statement $n on $TABLES: $(echo "$want" | wc -l) lines equal the oracle"; else
		fail "statement $n differs from the oracle: $(diff <(echo "$want") <(echo "$got") | head -5)"
	fi
done

# the outcome line names the counts and the snapshot (ids 100..104 less
# 101, which has k = 1; 100..102 less 101 for the update)
run_capture "$LDP" sql "DELETE FROM rl.mor_u WHERE id BETWEEN 100 AND 104"
[[ "$err$out" =~ deleted\ 4\ rows\ from\ rl\.mor_u\ \(merge-on-read:\ 1\ delete\ file\),\ snapshot\ [0-9]+ ]] && ok "delete message" || fail "delete message: [$err$out]"
"$LDP" sql --db "$T/oracle.duckdb" "DELETE FROM t0 WHERE id BETWEEN 100 AND 104" >/dev/null
run_capture "$LDP" sql "UPDATE rl.cow_u SET s = 'u' WHERE id BETWEEN 100 AND 102"
[[ "$err$out" =~ updated\ 2\ rows\ in\ rl\.cow_u\ \(copy-on-write:\ 1\ file\ rewritten\),\ snapshot\ [0-9]+ ]] && ok "update message" || fail "update message: [$err$out]"
run_capture "$LDP" sql "DELETE FROM rl.cow_u WHERE id = -5"
[[ "$err$out" =~ deleted\ 0\ rows.*nothing\ to\ commit ]] && ok "no-op delete commits nothing" || fail "no-op delete: [$err$out]"

# snapshot summaries: merge-on-read deletes are 'delete' snapshots adding delete files
sum=$("$LDP" table snapshots rl.mor_u --json)
python3 - "$sum" <<'EOF' && ok "merge-on-read snapshot summary" || fail "merge-on-read snapshot summary"
import json, sys
snaps = json.loads(sys.argv[1])
s = snaps[-1] if isinstance(snaps, list) else snaps["snapshots"][-1]
summ = s.get("summary", s)
assert summ["operation"] == "delete", summ
assert summ["added-position-deletes"] == "4", summ
assert int(summ["total-delete-files"]) >= 1, summ
EOF

# ---- bad input: clear error, exit 1, nothing committed ----
count_snaps() { "$LDP" table snapshots "rl.$1" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d if isinstance(d, list) else d["snapshots"]))'; }
for tb in cow_u mor_u; do
	before=$(count_snaps $tb)
	run_capture "$LDP" sql "MERGE INTO rl.$tb AS t USING (SELECT * FROM (VALUES (5, 'a'), (5, 'b')) v(id, s)) src ON t.id = src.id WHEN MATCHED THEN UPDATE SET s = src.s"
	[ "$rc" -eq 1 ] && [[ "$err" == *"several source rows match the same target row"* ]] && ok "duplicate MERGE source keys on $tb" || fail "duplicate MERGE keys on $tb: rc=$rc [$err]"
	run_capture "$LDP" sql "UPDATE rl.$tb SET nope = 1"
	[ "$rc" -eq 1 ] && [[ "$err" == *nope* ]] && ok "unknown column on $tb" || fail "unknown column on $tb: rc=$rc [$err]"
	sid=$("$LDP" table snapshots "rl.$tb" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d if isinstance(d, list) else d["snapshots"]; print(d[0]["snapshot_id"])')
	run_capture "$LDP" sql "DELETE FROM rl.\"$tb@$sid\" WHERE id = 2"
	[ "$rc" -eq 1 ] && [[ "$err" == *"past snapshot cannot be changed"* ]] && ok "DELETE at a past snapshot on $tb" || fail "DELETE at a past snapshot on $tb: rc=$rc [$err]"
	after=$(count_snaps $tb)
	[ "$before" == "$after" ] && ok "nothing committed by bad input on $tb" || fail "bad input committed on $tb: $before -> $after snapshots"
done
want=$(oracle)
got=$(state mor_u)
[ "$got" == "$want" ] && ok "mor_u still equals the oracle" || fail "mor_u changed by bad input"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "all row-level checks passed"
