#!/usr/bin/env bash
# End-to-end tests of `ldp version` and `ldp sql` on the real binary and real files.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_FIXTURES:?}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-cli-sql"
rm -rf "$T"
mkdir -p "$T"
PQ="$LDP_FIXTURES/parquet-testing/alltypes_plain.parquet"
CSV="$LDP_FIXTURES/nyc-taxi/taxi_zone_lookup.csv"

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# expect_eq NAME GOT WANT
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

json_ok() { python3 -c 'import json,sys; json.load(sys.stdin)'; }

# ---- version and help ----
run_capture "$LDP" version
expect_eq "version exit" "$rc" 0
[[ "$out" =~ ^ldp\ [0-9]+\.[0-9]+\.[0-9]+\ \(DuckDB\ v[0-9.]+\)$ ]] && ok "version text" || fail "version text: [$out]"
run_capture "$LDP" version --json
expect_eq "version --json exit" "$rc" 0
if printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["ldp"] and d["duckdb"].startswith("v")'; then
	ok "version --json parses"
else
	fail "version --json: [$out]"
fi
run_capture "$LDP" --version
expect_eq "--version exit" "$rc" 0

for args in "--help" "help" "sql --help" "sql -h" "version --help" "help sql"; do
	# shellcheck disable=SC2086
	run_capture "$LDP" $args
	expect_eq "ldp $args exit" "$rc" 0
	[[ "$out" == *usage:* ]] && ok "ldp $args prints usage" || fail "ldp $args: no usage in [$out]"
done

run_capture "$LDP" frobnicate
expect_eq "unknown command exit" "$rc" 1
[[ "$err" == *frobnicate* ]] && ok "unknown command named" || fail "unknown command: [$err]"
run_capture "$LDP"
expect_eq "no command exit" "$rc" 1
run_capture "$LDP" sql --bogus "select 1"
expect_eq "unknown option exit" "$rc" 1
run_capture "$LDP" sql --format xml "select 1"
expect_eq "unknown format exit" "$rc" 1
run_capture "$LDP" sql --max-rows -3 "select 1"
expect_eq "negative --max-rows exit" "$rc" 1

# ---- the count of a real Parquet file; csv with header when stdout is not a TTY ----
run_capture "$LDP" sql "select count(*) from '$PQ'"
expect_eq "count exit" "$rc" 0
expect_eq "count default csv" "$out" $'count_star()\n8'
run_capture "$LDP" sql --no-header "select count(*) from '$PQ'"
expect_eq "count --no-header" "$out" "8"

# ---- formats ----
Q="select range as i, 'v' || range as s, range / 2 as h from range(5)"
run_capture "$LDP" sql --format csv "$Q"
expect_eq "csv" "$out" $'i,s,h\n0,v0,0.0\n1,v1,0.5\n2,v2,1.0\n3,v3,1.5\n4,v4,2.0'
run_capture "$LDP" sql --format tsv "$Q"
expect_eq "tsv" "$out" $'i\ts\th\n0\tv0\t0.0\n1\tv1\t0.5\n2\tv2\t1.0\n3\tv3\t1.5\n4\tv4\t2.0'
run_capture "$LDP" sql --format csv "select 'a,b' as x, 'say \"hi\"' as y, NULL as z"
expect_eq "csv quoting and NULL" "$out" $'x,y,z\n"a,b","say ""hi""",'

run_capture "$LDP" sql --format json "$Q"
expect_eq "json exit" "$rc" 0
n=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[3]=={"i":3,"s":"v3","h":1.5}, d; print(len(d))') || n=error
expect_eq "json rows" "$n" 5
run_capture "$LDP" sql --format json "select 1 as x where false"
n=$(printf '%s' "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') || n=error
expect_eq "json empty" "$n" 0
run_capture "$LDP" sql --format json "select * from '$PQ'"
n=$(printf '%s' "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') || n=error
expect_eq "json alltypes rows" "$n" 8

run_capture "$LDP" sql --format ndjson "select range as i, [range, NULL] as l, {'k': 'x'} as st from range(7)"
expect_eq "ndjson exit" "$rc" 0
lines=$(printf '%s\n' "$out" | wc -l)
expect_eq "ndjson lines" "$lines" 7
if printf '%s\n' "$out" | python3 -c '
import json, sys
for i, line in enumerate(sys.stdin):
    d = json.loads(line)
    assert d == {"i": i, "l": [i, None], "st": {"k": "x"}}, d
'; then ok "ndjson lines are JSON"; else fail "ndjson: [$out]"; fi

run_capture "$LDP" sql --format markdown "select 1 as n, 'a|b' as s"
expect_eq "markdown" "$out" $'| n | s |\n| ---: | --- |\n| 1 | a\\|b |'

run_capture "$LDP" sql --format table "select 42 as answer, 'x' as s"
[[ "$out" == *┌*answer*INTEGER*└* && "$out" == *"1 row"* ]] && ok "table format" || fail "table: [$out]"

# ---- --max-rows ----
run_capture "$LDP" sql --format csv --max-rows 3 "select * from range(10)"
expect_eq "--max-rows csv" "$out" $'range\n0\n1\n2'
run_capture "$LDP" sql --format ndjson --max-rows 0 "select * from range(10)"
expect_eq "--max-rows 0" "$out" ""
run_capture "$LDP" sql --format table --max-rows 2 "select * from range(10)"
[[ "$out" == *"10 rows (2 shown"* ]] && ok "--max-rows table footer" || fail "--max-rows table: [$out]"
run_capture "$LDP" sql --format table "select * from range(1000)"
[[ "$out" == *"1000 rows (100 shown"* ]] && ok "table default 100 rows" || fail "table default: [$out]"

# ---- scripts: -f, stdin ----
cat >"$T/script.sql" <<'EOF'
create table t(a int, b varchar);
insert into t values (1, 'x'), (2, 'y'), (3, NULL);
-- a comment; with a semicolon
select count(*) as n from t;
select sum(a) as s from t where b is not null;
EOF
run_capture "$LDP" sql --format csv -f "$T/script.sql"
expect_eq "-f script" "$out" $'n\n3\ns\n3'
run_capture "$LDP" sql --format csv -f "$T/nope.sql"
expect_eq "-f missing exit" "$rc" 1
[[ "$err" == *nope.sql* ]] && ok "-f missing named" || fail "-f missing: [$err]"
out=$(printf 'select 6 * 7 as x;' | "$LDP" sql --format csv)
expect_eq "stdin pipe" "$out" $'x\n42'
out=$("$LDP" sql --format csv -f - <"$T/script.sql")
expect_eq "-f -" "$out" $'n\n3\ns\n3'

# ---- -o exports, read back through ldp ----
for ext in csv tsv json ndjson jsonl parquet; do
	f="$T/out.$ext"
	run_capture "$LDP" sql -o "$f" "select range as i, 'r' || range as s from range(1234)"
	expect_eq "-o .$ext exit" "$rc" 0
	expect_eq "-o .$ext stdout empty" "$out" ""
	case $ext in
	tsv) reader="read_csv('$f', delim='\t', header=true)" ;;
	jsonl | ndjson) reader="read_json('$f', format='newline_delimited')" ;;
	json) reader="read_json('$f', format='array')" ;;
	*) reader="'$f'" ;;
	esac
	run_capture "$LDP" sql --no-header "select count(*), sum(i), max(s) from $reader"
	expect_eq "-o .$ext read back" "$out" "1234,760761,r999"
	ls "$T" | grep -q "out.$ext.tmp" && fail "-o .$ext left a temporary file" || true
done
printf '%s' "$(cat "$T/out.json")" | json_ok && ok "-o .json is valid JSON" || fail "-o .json not JSON"

# an existing target is kept unless --force
cp "$T/out.csv" "$T/before.csv"
run_capture "$LDP" sql -o "$T/out.csv" "select 1 as other"
expect_eq "-o existing exit" "$rc" 1
[[ "$err" == *out.csv* && "$err" == *--force* ]] && ok "-o existing message" || fail "-o existing: [$err]"
cmp -s "$T/out.csv" "$T/before.csv" && ok "-o existing unchanged" || fail "-o existing file changed"
run_capture "$LDP" sql --force -o "$T/out.csv" "select 1 as other"
expect_eq "-o --force exit" "$rc" 0
expect_eq "-o --force replaced" "$(cat "$T/out.csv")" $'other\n1'

run_capture "$LDP" sql -o "$T/out.xlsx" "select 1"
expect_eq "-o unknown extension exit" "$rc" 1
[[ "$err" == *xlsx* ]] && ok "-o unknown extension named" || fail "-o .xlsx: [$err]"
[[ -e "$T/out.xlsx" ]] && fail "-o .xlsx created a file" || ok "-o .xlsx no file"

# a failing export leaves nothing behind
run_capture "$LDP" sql -o "$T/fail.parquet" "select * from '$T/missing.parquet'"
expect_eq "-o failing query exit" "$rc" 1
[[ -z "$(ls "$T" | grep fail.parquet || true)" ]] && ok "-o failing query left nothing" || fail "-o left $(ls "$T")"

# ---- errors: exit 1, one stderr line naming the thing ----
run_capture "$LDP" sql "select * from '$T/missing.parquet'"
expect_eq "missing file exit" "$rc" 1
expect_eq "missing file stderr lines" "$(printf '%s\n' "$err" | wc -l)" 1
[[ "$err" == *missing.parquet* ]] && ok "missing file named" || fail "missing file: [$err]"
run_capture "$LDP" sql "selec 1"
expect_eq "bad SQL exit" "$rc" 1
expect_eq "bad SQL stderr lines" "$(printf '%s\n' "$err" | wc -l)" 1

# ---- CSV fixture through ldp ----
run_capture "$LDP" sql --no-header "select count(*) > 200 from '$CSV'"
expect_eq "csv fixture" "$out" "true"

# ---- under a terminal the default is the aligned table ----
if command -v script >/dev/null 2>&1; then
	script -qc "'$LDP' sql \"select 42 as answer\"" "$T/tty.txt" </dev/null >/dev/null 2>&1 || true
	tty_out=$(cat "$T/tty.txt" 2>/dev/null || true)
	if [[ "$tty_out" == *┌* && "$tty_out" == *answer* && "$tty_out" == *42* ]]; then
		ok "TTY default is a table"
	else
		fail "TTY default: [$tty_out]"
	fi
else
	echo "skip: 'script' not installed, TTY test skipped"
fi

rm -rf "$T"
if ((fails)); then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "all cli_sql checks passed"
