#!/usr/bin/env bash
# ldp ingest with bad input: malformed CSV and NDJSON rows fail the ingest
# naming file, line and column with nothing committed, or with --on-error
# quarantine land in <table>__rejects while the good rows commit; a source
# whose schema conflicts with the table names the column and both types.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-ingest-bad"
rm -rf "$T"
mkdir -p "$T/in"
export LDP_PROJECT="$T/p"
unset LDP_LOG
cd "$T"

. "$here/lib/checks.sh"
nsnaps() { "$LDP" table snapshots "$1" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
ndata() { find "$T/p/warehouse/$1" -name '*.parquet' | wc -l; }

"$LDP" init "$T/p" >/dev/null
printf 'id,amount,day\n1,10,2024-01-01\n2,20,2024-01-02\n' >in/good.csv
"$LDP" ingest in/good.csv raw.pay >/dev/null

# line 3 has a non-number id, line 5 a bad date: the table's types decide
printf 'id,amount,day\n3,30,2024-01-03\nfour,40,2024-01-04\n5,50,2024-01-05\n6,60,not-a-date\n7,70,2024-01-07\n' >in/bad.csv
before=$(nsnaps raw.pay)
files_before=$(ndata raw/pay)
run_capture "$LDP" ingest in/bad.csv raw.pay
expect_eq "bad csv exit 1" "$rc" 1
expect_eq "bad csv one line" "$(wc -l <<<"$err")" "1"
expect_eq "bad csv names file, line and column" "$(grep -c 'in/bad.csv, line 3, column id' <<<"$err")" "1"
expect_eq "bad csv counts bad rows" "$(grep -c '2 bad rows' <<<"$err")" "1"
expect_eq "bad csv: no snapshot" "$(nsnaps raw.pay)" "$before"
expect_eq "bad csv: no files left" "$(ndata raw/pay)" "$files_before"
expect_eq "bad csv: rows unchanged" "$(q 'select count(*) from raw.pay')" "2"

# quarantine: 3 good rows commit, 2 bad ones go to raw.pay__rejects
run_capture "$LDP" ingest in/bad.csv raw.pay --on-error quarantine
expect_eq "quarantine exit" "$rc" 0
expect_eq "quarantine reports" "$(grep -c 'Quarantined 2 bad rows in raw.pay__rejects' <<<"$out")" "1"
expect_eq "quarantine good rows" "$(q 'select count(*), sum(id) from raw.pay')" "5,18"
expect_eq "rejects rows" "$(q "select string_agg(line || ':' || column_name, ' ' order by line) from raw.pay__rejects")" "3:id 5:day"
expect_eq "rejects keep the raw record" "$(q "select raw_record = 'four,40,2024-01-04' from raw.pay__rejects where line = 3")" "true"
expect_eq "rejects name the file" "$(q "select count(*) from raw.pay__rejects where source_file like '%in/bad.csv'")" "2"
expect_eq "rejects have a reason" "$(q "select count(*) from raw.pay__rejects where reason like '%four%'")" "1"

# a new table from a CSV whose bad row the sniffer cannot type away: an
# unterminated quote on line 3 of a strict-quoted file
printf 'a,b\n1,"x"\n2,"oops\n' >in/quote.csv
run_capture "$LDP" ingest in/quote.csv raw.quote --delimiter , --quote '"' --escape '"'
expect_eq "unterminated quote refused" "$rc" 1
expect_eq "unterminated quote names the file" "$(grep -c 'quote.csv' <<<"$err")" "1"
expect_eq "no table left after a failed create" "$("$LDP" table list raw | grep -c '^raw.quote$' || true)" "0"

# NDJSON: a malformed record fails the ingest naming the file and line ...
printf '{"id": 1, "v": "a"}\n{"id": 2, "v": \n{"id": 3, "v": "c"}\n' >in/bad.ndjson
run_capture "$LDP" ingest in/bad.ndjson raw.events
expect_eq "bad ndjson exit 1" "$rc" 1
expect_eq "bad ndjson names file and line" "$(grep -c 'in/bad.ndjson, line 2: not a valid JSON record' <<<"$err")" "1"
expect_eq "bad ndjson: no table" "$("$LDP" table list raw | grep -c '^raw.events$' || true)" "0"
# ... or is quarantined
run_capture "$LDP" ingest in/bad.ndjson raw.events --on-error quarantine
expect_eq "ndjson quarantine exit" "$rc" 0
expect_eq "ndjson good rows" "$(q "select string_agg(id || v, ' ' order by id) from raw.events")" "1a 3c"
expect_eq "ndjson rejects" "$(q "select line, error_type from raw.events__rejects")" "2,MALFORMED JSON"
printf '[{"id": 1}, {"id": ]' >in/arr.json
run_capture "$LDP" ingest in/arr.json raw.arr --on-error quarantine
expect_eq "json array quarantine refused" "$rc" 1
expect_eq "json array quarantine explains" "$(grep -c 'JSON array' <<<"$err")" "1"

# a source schema conflicting with the table: column and both types
printf 'id,amount,day\n8,80,yesterday-ish\n' >in/conflict.csv
"$LDP" sql "copy (select 9 as id, 'ninety' as amount, DATE '2024-01-09' as day) to 'in/conflict.parquet'" >/dev/null
before=$(nsnaps raw.pay)
run_capture "$LDP" ingest in/conflict.parquet raw.pay
expect_eq "type conflict exit 1" "$rc" 1
expect_eq "type conflict names column and types" "$(grep -c "column 'amount' is VARCHAR in the data but long in the table" <<<"$err")" "1"
expect_eq "type conflict: no snapshot" "$(nsnaps raw.pay)" "$before"

finish "ingest bad-input"
