#!/usr/bin/env bash
# Bad input and damaged files against Iceberg tables, through the real ldp binary.
#
# Every refused command must exit 1 with one line on stderr naming the table,
# file or field, and leave the table exactly as it was: the same rows (ldp sql),
# the same snapshots (ldp table snapshots --json) and the same files on disk
# (a refused write removes whatever it had written). The last part runs four
# appenders at once and checks that no commit is lost.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-iceberg-bad-input"
rm -rf "$T"
mkdir -p "$T"
export LDP_PROJECT="$T/p"
unset LDP_LOG

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
expect_eq() {
	if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1: got [$2] want [$3]"; fi
}

# run_capture CMD...: sets $out, $err, $rc without tripping set -e
run_capture() {
	set +e
	out=$("$@" 2>"$T/stderr")
	rc=$?
	set -e
	err=$(cat "$T/stderr")
}

# must CMD...: a setup step that has to succeed
must() {
	if ! "$@" >"$T/must.out" 2>&1; then
		echo "setup failed: $*" >&2
		cat "$T/must.out" >&2
		exit 1
	fi
}

count() { "$LDP" sql "select count(*) from $1" --format csv --no-header; }
snapshots() { "$LDP" table snapshots "$1" --json; }
TDIR="$T/p/warehouse/ns/t"
# every regular file under the table directory (data and metadata)
table_files() { (cd "$TDIR" && find . -type f | LC_ALL=C sort); }

remember() {
	BASE_COUNT=$(count ns.t)
	BASE_SNAPS=$(snapshots ns.t)
	BASE_FILES=$(table_files)
	rm -rf "$T/pristine"
	cp -a "$T/p" "$T/pristine"
}

# unchanged NAME: the table reads as remembered and no file was added or removed
unchanged() {
	local c s f
	c=$(count ns.t 2>&1) || true
	s=$(snapshots ns.t 2>&1) || true
	f=$(table_files)
	if [[ "$c" == "$BASE_COUNT" && "$s" == "$BASE_SNAPS" && "$f" == "$BASE_FILES" ]]; then
		ok "$1: table unchanged ($c rows)"
	else
		fail "$1: table changed: rows [$c] want [$BASE_COUNT]; snapshots equal: $([[ "$s" == "$BASE_SNAPS" ]] && echo yes || echo no); files:"
		diff <(echo "$BASE_FILES") <(echo "$f") | head -20 >&2 || true
		# start the next case from the remembered state, so one failure does not cascade
		rm -rf "$T/p"
		cp -a "$T/pristine" "$T/p"
	fi
}

# refused NAME 'needle1|needle2' CMD...: exit 1, one stderr line "ldp: error: ..."
# containing every needle (separated by |)
refused() {
	local name=$1 needles=$2
	shift 2
	run_capture "$@"
	if [[ "$rc" != 1 ]]; then
		fail "$name: exit $rc, want 1 (stderr [$err], stdout [${out:0:200}])"
		return
	fi
	local lines
	lines=$(printf '%s\n' "$err" | wc -l)
	if [[ "$lines" != 1 || "$err" != "ldp: error: "* ]]; then
		fail "$name: want one 'ldp: error:' line, got [$err]"
		return
	fi
	local n missing=""
	IFS='|' read -r -a arr <<<"$needles"
	for n in "${arr[@]}"; do
		[[ "$err" == *"$n"* ]] || missing+=" [$n]"
	done
	if [[ -n "$missing" ]]; then
		fail "$name: message lacks$missing: [$err]"
	else
		ok "$name: refused: ${err:0:160}"
	fi
}

# refused_unchanged NAME NEEDLES CMD...
refused_unchanged() {
	refused "$@"
	unchanged "$1"
}

# ---- a table with two snapshots ----
must "$LDP" init "$T/p"
must "$LDP" namespace create ns
must "$LDP" table create ns.t --schema "id BIGINT NOT NULL, v INT, s VARCHAR"
must "$LDP" table append ns.t "select range::bigint as id, 1 as v, 'a' as s from range(3)"
must "$LDP" table append ns.t "select range::bigint as id, 2 as v, 'b' as s from range(4)"
remember
expect_eq "initial rows" "$BASE_COUNT" 7

# ---- unknown namespace or table ----
refused_unchanged "append to unknown namespace" "nope.t|does not exist" \
	"$LDP" table append nope.t "select 1::bigint as id"
refused_unchanged "append to unknown table" "ns.missing|does not exist" \
	"$LDP" table append ns.missing "select 1::bigint as id"
refused_unchanged "describe unknown table" "ns.missing" "$LDP" table describe ns.missing
refused_unchanged "describe unknown namespace" "nope.t" "$LDP" table describe nope.t
refused_unchanged "snapshots of unknown table" "ns.missing" "$LDP" table snapshots ns.missing
# A name that is not in the catalog is left to DuckDB, whose catalog error names it.
refused_unchanged "sql on unknown table" "ns.missing" "$LDP" sql "select * from ns.missing"
refused_unchanged "sql on unknown namespace" "nope.t" "$LDP" sql "select * from nope.t"
refused_unchanged "time travel on unknown table" "ns.missing" "$LDP" sql 'select * from ns."missing@1"'

# ---- data that does not fit the table ----
refused_unchanged "string into long" "'id'|VARCHAR|long" \
	"$LDP" table append ns.t "select 'x' as id"
refused_unchanged "bigint into int" "'v'|BIGINT|int" \
	"$LDP" table append ns.t "select 1::bigint as id, 5::bigint as v"
refused_unchanged "missing required column" "ns.t|'id'|missing" \
	"$LDP" table append ns.t "select 5 as v"
refused_unchanged "NULL in required column" "ns.t|'id'|NULL" \
	"$LDP" table append ns.t "select NULL::bigint as id"
refused_unchanged "NULL in required column, later row" "ns.t|'id'|NULL" \
	"$LDP" table append ns.t "select case when range = 500 then NULL else range end::bigint as id from range(1000)"
refused_unchanged "extra column" "'zz'|not in the table" \
	"$LDP" table append ns.t "select 1::bigint as id, 3 as zz"
refused_unchanged "overwrite with a bad type" "'v'|BIGINT" \
	"$LDP" table overwrite ns.t "select 1::bigint as id, 5::bigint as v"
refused_unchanged "SQL error in the source" "nosuchcol" \
	"$LDP" table append ns.t "select nosuchcol from range(3)"

# ---- catalog operations that must be refused ----
refused_unchanged "drop non-empty namespace" "ns|not empty" "$LDP" namespace drop ns
refused_unchanged "create existing table" "ns.t|already exists" \
	"$LDP" table create ns.t --schema "id BIGINT"
refused_unchanged "create existing namespace" "ns|exists" "$LDP" namespace create ns
refused_unchanged "partition by unknown column" "ns.u|'nope'" \
	"$LDP" table create ns.u --schema "id BIGINT, b BOOLEAN" --partition-by "nope"
refused_unchanged "partition by unknown transform" "ns.u|'frob'" \
	"$LDP" table create ns.u --schema "id BIGINT, b BOOLEAN" --partition-by "frob(id)"
refused_unchanged "bucket of a boolean" "ns.u|'b'|boolean" \
	"$LDP" table create ns.u --schema "id BIGINT, b BOOLEAN" --partition-by "bucket(4, b)"
refused_unchanged "day of a long" "ns.u|'id'" \
	"$LDP" table create ns.u --schema "id BIGINT, b BOOLEAN" --partition-by "day(id)"
run_capture "$LDP" table list ns
expect_eq "no table ns.u after refused creates" "$out" "ns.t"
[[ ! -e "$T/p/warehouse/ns/u" ]] && ok "refused creates left no ns/u directory" \
	|| fail "refused creates left $(find "$T/p/warehouse/ns/u" | head -5)"
refused_unchanged "time travel to unknown snapshot" "ns.t|999" "$LDP" sql 'select * from ns."t@999"'
refused_unchanged "time travel to unknown tag" "ns.t|'nope'" "$LDP" sql 'select * from ns."t@tag:nope"'
refused_unchanged "time travel before the first snapshot" "ns.t" "$LDP" sql 'select * from ns."t@2001-01-01"'
refused_unchanged "rollback to unknown snapshot" "ns.t|999" "$LDP" table rollback ns.t 999

# ---- damaged files: reads name the file, writes refuse without committing ----
CUR_META=$(sqlite3 "$T/p/warehouse/catalog.db" \
	"select metadata_location from iceberg_tables where table_name = 't'" 2>/dev/null || true)
if [[ -z "$CUR_META" ]]; then
	# no sqlite3 shell: the newest metadata file is the current one here
	CUR_META=$(ls "$TDIR"/metadata/*.metadata.json | LC_ALL=C sort | tail -1)
fi
CUR_META=${CUR_META#file://}
CUR_LIST=$(printf '%s' "$BASE_SNAPS" | python3 -c '
import json, sys
s = [x for x in json.load(sys.stdin) if x["current"]]
print(s[0]["manifest_list"])')
CUR_LIST=${CUR_LIST#file://}
# The list snap-<id>-<n>-<commit uuid>.avro and the added-files manifest <commit uuid>-m0.avro
# are written by the same commit.
uuid=$(basename "$CUR_LIST" .avro)
uuid=${uuid#snap-*-*-}
CUR_MANIFEST="$TDIR/metadata/$uuid-m0.avro"
for f in "$CUR_META" "$CUR_LIST" "$CUR_MANIFEST"; do
	[[ -f "$f" ]] || { echo "setup: expected file $f is missing" >&2; exit 1; }
done

# damage FILE KIND: truncate | garbage | missing (the original is kept in $T/orig)
damage() {
	cp -p "$1" "$T/orig"
	case $2 in
	truncate) head -c $(($(stat -c %s "$1") / 2)) "$T/orig" >"$1" ;;
	garbage) printf 'this is not a table file\n' >"$1" ;;
	missing) rm "$1" ;;
	esac
}
restore() { cp -p "$T/orig" "$1"; }

for kind in truncate garbage missing; do
	f=$CUR_META
	b=$(basename "$f")
	damage "$f" $kind
	refused "metadata $kind: sql" "ns.t|$b" "$LDP" sql "select count(*) from ns.t"
	refused "metadata $kind: describe" "ns.t|$b" "$LDP" table describe ns.t
	refused "metadata $kind: snapshots" "ns.t|$b" "$LDP" table snapshots ns.t
	refused "metadata $kind: append" "ns.t|$b" "$LDP" table append ns.t "select 100::bigint as id"
	refused "metadata $kind: overwrite" "ns.t|$b" "$LDP" table overwrite ns.t "select 100::bigint as id"
	refused "metadata $kind: tag" "ns.t|$b" "$LDP" table tag create ns.t v1
	restore "$f"
	unchanged "metadata $kind restored"

	for which in list manifest; do
		if [[ $which == list ]]; then f=$CUR_LIST; else f=$CUR_MANIFEST; fi
		b=$(basename "$f")
		damage "$f" $kind
		refused "$which $kind: sql" "ns.t|$b" "$LDP" sql "select count(*) from ns.t"
		refused "$which $kind: files" "ns.t|$b" "$LDP" table files ns.t
		refused "$which $kind: append" "ns.t|$b" "$LDP" table append ns.t "select 100::bigint as id"
		refused "$which $kind: overwrite" "ns.t|$b" "$LDP" table overwrite ns.t "select 100::bigint as id"
		restore "$f"
		unchanged "$which $kind restored"
	done
done

# A data file that is gone: the scan names it; writes that only add files still work.
DATA_FILE=$("$LDP" table files ns.t --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["file_path"])')
DATA_FILE=${DATA_FILE#file://}
damage "$DATA_FILE" missing
refused "data file missing: sql" "$(basename "$DATA_FILE")" "$LDP" sql "select count(*) from ns.t"
restore "$DATA_FILE"
unchanged "data file restored"

# ---- concurrent appends: 4 writers x 10 appends of 3 rows, all at once ----
must "$LDP" table create ns.c --schema "id BIGINT NOT NULL, w INT"
must "$LDP" table append ns.c "select range::bigint as id, 0 as w from range(3)"
WRITERS=4
PER=10
for w in $(seq $WRITERS); do
	(
		for i in $(seq $PER); do
			if ! "$LDP" table append ns.c "select range::bigint as id, $w as w from range(3)" \
				>/dev/null 2>>"$T/writer.$w.err"; then
				echo "writer $w append $i failed" >>"$T/writer.$w.err"
			fi
		done
	) &
done
wait
errs=$(cat "$T"/writer.*.err 2>/dev/null || true)
expect_eq "every concurrent append succeeded" "$errs" ""
run_capture "$LDP" sql "select w, count(*) from ns.c group by w order by w" --format csv --no-header
expect_eq "rows per writer" "$(echo $out)" "0,3 1,30 2,30 3,30 4,30"
snaps=$(snapshots ns.c)
check=$(printf '%s' "$snaps" | python3 -c '
import json, sys
s = json.load(sys.stdin)
by_id = {x["snapshot_id"]: x for x in s}
cur = [x for x in s if x["current"]]
chain = []
c = cur[0] if len(cur) == 1 else None
while c is not None:
    chain.append(c)
    c = by_id.get(c["parent_id"]) if c["parent_id"] is not None else None
roots = [x for x in s if x["parent_id"] is None]
seqs = [x["sequence_number"] for x in reversed(chain)]
totals = [int(x["summary"]["total-records"]) for x in reversed(chain)]
print(len(s), len(chain), len(roots),
      seqs == list(range(1, len(s) + 1)),
      totals == [3 * (i + 1) for i in range(len(s))])')
expect_eq "snapshots: count, chain length, one root, sequence 1..n, totals grow by 3" "$check" "41 41 1 True True"
# Losing attempts delete their manifest list and metadata file: one of each per
# snapshot (plus the creating metadata file), one added-files manifest per append.
CDIR="$T/p/warehouse/ns/c/metadata"
expect_eq "metadata files" "$(ls "$CDIR" | grep -c '\.metadata\.json$')" 42
expect_eq "manifest lists" "$(ls "$CDIR" | grep -c '^snap-')" 41
expect_eq "manifests" "$(ls "$CDIR" | grep -c -- '-m0\.avro$')" 41
expect_eq "no stray files in metadata/" "$(ls "$CDIR" | grep -v -e '\.metadata\.json$' -e '^snap-' -e '-m0\.avro$' | wc -l)" 0
expect_eq "data files" "$(find "$T/p/warehouse/ns/c/data" -type f | wc -l)" 41

if ((fails)); then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all iceberg bad-input checks passed"
