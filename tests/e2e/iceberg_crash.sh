#!/usr/bin/env bash
# Crash safety of `ldp table append`: SIGKILL at random points of the commit.
#
# For an unpartitioned and a partitioned table, each round kills an append
# after a random delay between 1 ms and the measured duration of an append
# (so kills land while DuckDB writes Parquet, while files are moved, while
# manifests and metadata are written, around the catalog swap, or not at all).
# After every round the table must load, and hold exactly the rows of its
# committed snapshots:
#   - an append that exited 0 added exactly one snapshot; a killed one added
#     none, or one when the kill came after the catalog swap;
#   - ldp sql's count = total-records of the current snapshot = snapshots x rows;
#   - every file `ldp table files` lists exists.
# Files of killed appends stay behind as unreferenced garbage (ARCHITECTURE.md:
# "ldp gc removes it"); they must never show up in a read.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-iceberg-crash"
rm -rf "$T"
mkdir -p "$T"
export LDP_PROJECT="$T/p"
unset LDP_LOG

ROUNDS=${LDP_CRASH_ROUNDS:-16} # per table (32 rounds in all)
ROWS=1000                      # per append
SEED=${LDP_CRASH_SEED:-$(date +%s)}
RANDOM=$SEED
echo "seed $SEED (rerun with LDP_CRASH_SEED=$SEED)"

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

must() {
	if ! "$@" >"$T/must.out" 2>&1; then
		echo "setup failed: $*" >&2
		cat "$T/must.out" >&2
		exit 1
	fi
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

append_sql() { echo "select range::bigint as id, (range % 3)::int as k, 'row ' || range as s from range($ROWS)"; }

# state TABLE: "<snapshots> <total-records of current or 0> <sql count> <listed files> <missing files>"
state() {
	local snaps files cnt
	snaps=$("$LDP" table snapshots "$1" --json) || { echo "snapshots-failed"; return; }
	cnt=$("$LDP" sql "select count(*) from $1" --format csv --no-header) || { echo "sql-failed"; return; }
	files=$("$LDP" table files "$1" --json) || { echo "files-failed"; return; }
	python3 -c '
import json, os, sys
snaps = json.loads(sys.argv[1])
files = json.loads(sys.argv[3])
cur = [s for s in snaps if s["current"]]
total = int(cur[0]["summary"]["total-records"]) if cur else 0
def local(p):
    return p[len("file://"):] if p.startswith("file://") else p
missing = [f["file_path"] for f in files if not os.path.isfile(local(f["file_path"]))]
print(len(snaps), total, sys.argv[2].strip(), len(files), len(missing))
' "$snaps" "$cnt" "$files"
}

must "$LDP" init "$T/p"
must "$LDP" namespace create ns
must "$LDP" table create ns.u --schema "id BIGINT NOT NULL, k INT, s VARCHAR"
must "$LDP" table create ns.p --schema "id BIGINT NOT NULL, k INT, s VARCHAR" --partition-by "k, bucket(2, id)"

# append_ms TABLE: run one append and print how long it took
append_ms() {
	local t0
	t0=$(now_ms)
	must "$LDP" table append "$1" "$(append_sql)"
	echo $(($(now_ms) - t0))
}

for t in ns.u ns.p; do
	# How long one append takes here (Debug, Sanitize and a loaded machine
	# differ): the faster of two, the first being slowed by a cold cache.
	a=$(append_ms "$t")
	b=$(append_ms "$t")
	DUR=$((a < b ? a : b))
	echo "$t: one append takes about ${DUR} ms"
	committed=2 # the measuring appends
	completed=0
	killed=0
	late=0
	for round in $(seq "$ROUNDS"); do
		before=$(state "$t")
		nbefore=${before%% *}
		# Odd rounds: 1 ms .. 1.1 x DUR, anywhere in the append. Even rounds:
		# 0.8 .. 1.2 x DUR, aimed at the short commit phase at the end
		# (manifest, list, metadata, catalog swap); some run to completion.
		r=$((RANDOM * 32768 + RANDOM))
		if ((round % 2)); then
			delay_ms=$((1 + r % (DUR + DUR / 10)))
		else
			delay_ms=$((DUR * 8 / 10 + r % (DUR * 4 / 10 + 1)))
		fi
		delay=$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))
		set +e
		# (in a subshell that waits for timeout, so bash's "Killed" notice goes to its /dev/null)
		(
			timeout -s KILL "$delay" "$LDP" table append "$t" "$(append_sql)" >"$T/out" 2>"$T/err"
			exit $?
		) 2>/dev/null
		rc=$?
		set -e
		after=$(state "$t")
		nafter=${after%% *}
		case $rc in
		0)
			completed=$((completed + 1))
			if ((nafter != nbefore + 1)); then
				fail "$t round $round: append exited 0 but snapshots went $nbefore -> $nafter"
			fi
			;;
		137)
			killed=$((killed + 1))
			if ((nafter == nbefore + 1)); then
				late=$((late + 1)) # killed after the catalog swap: committed
			elif ((nafter != nbefore)); then
				fail "$t round $round: killed append changed snapshots $nbefore -> $nafter"
			fi
			;;
		*)
			fail "$t round $round: append exited $rc: $(cat "$T/err")"
			;;
		esac
		[[ "$nafter" =~ ^[0-9]+$ ]] && committed=$nafter
		want_rows=$((committed * ROWS))
		read -r ns total cnt nfiles missing <<<"$after" || true
		if [[ "$total" != "$want_rows" || "$cnt" != "$want_rows" || "$missing" != 0 ]]; then
			fail "$t round $round (kill after ${delay}s, rc $rc): state [$after], want $want_rows rows and no missing file"
		fi
	done
	ok "$t: $ROUNDS rounds: $completed completed, $killed killed ($late of them after the commit point); $committed snapshots, rows consistent each round"
	((killed > 0)) || fail "$t: no round was killed (DUR=${DUR} ms): the test did not test anything"
	# The table is not wedged by what the kills left behind.
	must "$LDP" table append "$t" "$(append_sql)"
	final=$(state "$t")
	read -r ns total cnt nfiles missing <<<"$final"
	want=$(((committed + 1) * ROWS))
	if [[ "$ns" == $((committed + 1)) && "$total" == "$want" && "$cnt" == "$want" && "$missing" == 0 ]]; then
		ok "$t: an append after the kills commits normally ($cnt rows)"
	else
		fail "$t: after the kills: state [$final], want $((committed + 1)) snapshots and $want rows"
	fi
	# Row-level check: every committed append contributed ids 0..ROWS-1 once.
	q="select count(*) from (select id, count(*) c from $t group by id) where c <> $((committed + 1))"
	bad=$("$LDP" sql "$q" --format csv --no-header)
	[[ "$bad" == 0 ]] && ok "$t: every id appears once per committed append" || fail "$t: $bad ids with a wrong count"
done
# Leftovers of killed appends: staging directories and unreferenced files (reported, not failed).
echo "left behind: $(find "$T/p/warehouse" -name '.ldp-staging-*' | wc -l) staging dirs, $(find "$T/p/warehouse" -name '*.tmp*' | wc -l) temp files"

if ((fails)); then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all iceberg crash checks passed"
