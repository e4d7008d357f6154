#!/usr/bin/env bash
# ldp ingest from local files through the real binary: formats (CSV, TSV,
# JSON array, NDJSON, Parquet, gzip, zstd, a directory, globs), CSV options,
# load modes (append, overwrite, merge), --evolve, table creation with
# partitioning, and SQLite. Expected values are worked out by hand from the
# small inputs written here.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-ingest-files"
rm -rf "$T"
mkdir -p "$T/in"
export LDP_PROJECT="$T/p"
unset LDP_LOG
cd "$T"

. "$here/lib/checks.sh"
"$LDP" init "$T/p" >/dev/null

# ---- CSV: creates the table, types inferred ----
printf 'id,name,fare,ts\n1,alice,10.50,2024-01-01 08:00:00\n2,bob,7.25,2024-01-02 09:30:00\n3,carol,,2024-01-02 23:59:59\n' >in/a.csv
run_capture "$LDP" ingest in/a.csv raw.trips --partition-by 'day(ts)'
expect_eq "csv ingest exit" "$rc" 0
expect_eq "csv ingest says created" "$(grep -c 'Created table raw.trips' <<<"$out")" 1
expect_eq "csv rows" "$(q 'select count(*), sum(id), sum(fare) from raw.trips')" "3,6,17.75"
expect_eq "csv null fare" "$(q 'select count(*) from raw.trips where fare is null')" "1"
expect_eq "partitioned by day" "$("$LDP" table partitions raw.trips --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" "2"
expect_eq "inferred ts type" "$(q "select typeof(ts) from raw.trips limit 1")" "TIMESTAMP"

# ---- TSV with a NULL string and a decimal override ----
printf 'id\tname\tfare\tts\n4\tdan\tNA\t2024-01-03 10:00:00\n5\teve\t3.10\t2024-01-03 11:00:00\n' >in/b.tsv
run_capture "$LDP" ingest in/b.tsv raw.tsvt --null NA --column-type 'fare=decimal(10,2)'
expect_eq "tsv exit" "$rc" 0
expect_eq "tsv decimal type" "$(q "select typeof(fare) = 'DECIMAL(10,2)' from raw.tsvt limit 1")" "true"
expect_eq "tsv null string" "$(q 'select count(*) filter (where fare is null), sum(fare) from raw.tsvt')" "1,3.10"

# ---- CSV options: no header, ';', quote/escape ----
printf "6;'f;rank';1.5;2024-01-04 00:00:00\n7;'it''s';2.5;2024-01-04 01:00:00\n" >in/c.txt
run_capture "$LDP" ingest in/c.txt raw.opts --format csv --header false --delimiter ';' --quote "'" --escape "'"
expect_eq "csv options exit" "$rc" 0
expect_eq "csv options values" "$(q "select string_agg(column1, '|' order by column0) from raw.opts")" "f;rank|it's"

# ---- append into the existing table: by column name, different order ----
printf 'ts,fare,name,id\n2024-01-05 12:00:00,1.00,frank,8\n' >in/d.csv
run_capture "$LDP" ingest in/d.csv raw.trips
expect_eq "append exit" "$rc" 0
expect_eq "append rows" "$(q 'select count(*), sum(id) from raw.trips')" "4,14"

# ---- JSON array, NDJSON gzip, CSV zstd, a directory ----
mkdir -p in/dir/sub in/dir/.hidden
printf '[{"id": 9, "name": "gus", "fare": 2.5, "ts": "2024-01-06 10:00:00"}]' >in/dir/j.json
printf '{"id": 10, "name": "hal", "fare": 1.0, "ts": "2024-01-06 11:00:00"}\n{"id": 11, "name": "ivy", "fare": 2.0, "ts": "2024-01-06 12:00:00"}\n' >in/dir/sub/n.ndjson
gzip in/dir/sub/n.ndjson
printf '{"id": 99}\n' >in/dir/.hidden/x.ndjson
printf '_SUCCESS' >in/dir/_SUCCESS
run_capture "$LDP" ingest in/dir raw.trips
expect_eq "directory exit" "$rc" 0
expect_eq "directory reports 2 files" "$(grep -c 'from 2 files' <<<"$out")" "1"
expect_eq "directory rows" "$(q 'select count(*), sum(id) from raw.trips')" "7,44"
printf 'id,name,fare,ts\n12,jo,4.0,2024-01-07 00:00:00\n' | zstd -q -o in/z.csv.zst
run_capture "$LDP" ingest in/z.csv.zst raw.trips
expect_eq "zstd exit" "$rc" 0
expect_eq "zstd rows" "$(q 'select count(*), sum(id) from raw.trips')" "8,56"

# ---- Parquet and globs ----
"$LDP" sql "copy (select range::BIGINT as id, 'p' || range as name from range(100, 103)) to 'in/p1.parquet'" >/dev/null
"$LDP" sql "copy (select range::BIGINT as id, 'p' || range as name from range(103, 105)) to 'in/p2.parquet'" >/dev/null
run_capture "$LDP" ingest 'in/p*.parquet' raw.pq --json
expect_eq "parquet glob exit" "$rc" 0
expect_eq "parquet glob json" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["rows"], d["files"], d["created"])' "$out")" "5 2 True"
expect_eq "parquet sum" "$(q 'select sum(id) from raw.pq')" "510"

# ---- overwrite ----
run_capture "$LDP" ingest in/p2.parquet raw.pq --mode overwrite
expect_eq "overwrite exit" "$rc" 0
expect_eq "overwrite rows" "$(q 'select count(*), sum(id) from raw.pq')" "2,207"

# ---- merge: dedup in the batch by --order-by, replace matching keys ----
"$LDP" sql "copy (select * from (values (1,'a',1),(2,'b',1),(3,'c',1)) t(k,v,ver)) to 'in/m0.csv'" >/dev/null
"$LDP" ingest in/m0.csv raw.m >/dev/null
# key 2 twice (version 3 must win although it comes first), key 4 new
printf 'k,v,ver\n2,b3,3\n2,b2,2\n4,d,1\n' >in/m1.csv
run_capture "$LDP" ingest in/m1.csv raw.m --mode merge --key k --order-by ver
expect_eq "merge exit" "$rc" 0
expect_eq "merge result" "$(q "select string_agg(k || '=' || v, ' ' order by k) from raw.m")" "1=a 2=b3 3=c 4=d"
expect_eq "merge reports replaced" "$(grep -c '1 replaced' <<<"$out")" "1"
# without --order-by the later row of the batch wins
printf 'k,v,ver\n3,first,1\n3,second,1\n' >in/m2.csv
"$LDP" ingest in/m2.csv raw.m --mode merge --key k >/dev/null
expect_eq "merge last wins" "$(q "select v from raw.m where k = 3")" "second"
expect_eq "merge keeps count" "$(q "select count(*) from raw.m")" "4"
# composite key
printf 'k,v,ver\n1,a,5\n1,z,6\n' >in/m3.csv
"$LDP" ingest in/m3.csv raw.m --mode merge --key 'k, v' >/dev/null
expect_eq "merge composite key" "$(q "select string_agg(k || v || ver, ' ' order by v) from raw.m where k = 1")" "1a5 1z6"
run_capture "$LDP" ingest in/m3.csv raw.m --mode merge
expect_eq "merge without key refused" "$rc" 1

# ---- evolve: new column, int -> long widening, incompatible type ----
"$LDP" sql "copy (select 1::INTEGER as n, 1.5::FLOAT as f) to 'in/e0.parquet'" >/dev/null
"$LDP" ingest in/e0.parquet raw.e >/dev/null
"$LDP" sql "copy (select 5000000000::BIGINT as n, 2.5::DOUBLE as f, 'new' as extra) to 'in/e1.parquet'" >/dev/null
snaps_before=$("$LDP" table snapshots raw.e --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
run_capture "$LDP" ingest in/e1.parquet raw.e
expect_eq "new column without --evolve refused" "$rc" 1
expect_eq "new column error names it" "$(grep -c "column 'extra'.*--evolve" <<<"$err")" "1"
run_capture "$LDP" ingest in/e1.parquet raw.e --evolve
expect_eq "evolve exit" "$rc" 0
describe=$("$LDP" table describe raw.e --json)
expect_eq "evolve types" "$(python3 -c '
import json,sys
d=json.loads(sys.argv[1]); f=d["schema"]["fields"] if "schema" in d else d["current-schema"]["fields"]
print(" ".join("%s:%s:%s" % (x["id"], x["name"], x["type"]) for x in f))' "$describe")" "1:n:long 2:f:double 3:extra:string"
expect_eq "evolve rows" "$(q "select count(*), sum(n), count(extra) from raw.e")" "2,5000000001,1"
"$LDP" sql "copy (select 'text' as n) to 'in/e2.parquet'" >/dev/null
run_capture "$LDP" ingest in/e2.parquet raw.e --evolve
expect_eq "incompatible type refused" "$rc" 1
expect_eq "incompatible type names column and types" "$(grep -c "column 'n' is VARCHAR in the data but long in the table" <<<"$err")" "1"
snaps_after=$("$LDP" table snapshots raw.e --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
expect_eq "refused ingests committed nothing" "$snaps_after" "$((snaps_before + 1))"

# ---- SQLite ----
python3 - "$T/in/s.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("create table people(id integer primary key, name text, score real, photo blob)")
c.executemany("insert into people values (?,?,?,?)", [(1, 'a "quoted", name', 1.5, b'\x00\xff'), (2, None, None, None), (3, 'two\nlines', 2, b'')])
c.execute("create table mixed(v integer)")
c.execute("insert into mixed values (1), ('oops')")
c.commit()
EOF
run_capture "$LDP" ingest "sqlite://$T/in/s.db?table=people" raw.people
expect_eq "sqlite table exit" "$rc" 0
expect_eq "sqlite values" "$(q "select count(*), sum(id), sum(score), max(length(name)), hex(min(photo)) from raw.people")" "3,6,3.5,16,"
expect_eq "sqlite blob" "$(q "select hex(photo) from raw.people where id = 1")" "00FF"
expect_eq "sqlite types" "$(q "select typeof(id) || '/' || typeof(score) || '/' || typeof(photo) from raw.people limit 1")" "BIGINT/DOUBLE/BLOB"
run_capture "$LDP" ingest "sqlite://$T/in/s.db?query=select+id*10+as+x+from+people+where+id+%3E+1" raw.sq
expect_eq "sqlite query" "$(q "select string_agg(x::VARCHAR, '/' order by x) from raw.sq")" "20/30"
run_capture "$LDP" ingest "sqlite://$T/in/s.db?table=mixed" raw.mixed
expect_eq "sqlite mixed refused" "$rc" 1
expect_eq "sqlite mixed names row and column" "$(grep -c "table mixed, row 2, column 'v'" <<<"$err")" "1"

# ---- raw staging into SQLite ----
run_capture "$LDP" ingest in/a.csv raw.staged --stage-sqlite "$T/stage.db"
expect_eq "stage exit" "$rc" 0
expect_eq "stage reported" "$(grep -c "Staged 3 rows in SQLite" <<<"$out")" "1"
stage_rows() {
	python3 - "$T/stage.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("select id, name, fare, ts, typeof(id), typeof(fare) from staged order by id").fetchall()
print(len(rows), sum(r[0] for r in rows), rows[0][1], rows[0][3], rows[0][4], rows[0][5], rows[2][2])
EOF
}
expect_eq "staged rows and affinities" "$(stage_rows)" "3 6 alice 2024-01-01 08:00:00 integer real None"
expect_eq "staged and committed" "$(q 'select count(*) from raw.staged')" "3"
"$LDP" ingest in/a.csv raw.staged --stage-sqlite "$T/stage.db" >/dev/null
expect_eq "stage appends" "$(stage_rows | cut -d' ' -f1-2)" "6 12"
"$LDP" ingest in/a.csv raw.staged --stage-sqlite "$T/stage.db" --mode overwrite >/dev/null
expect_eq "stage replaced by overwrite" "$(stage_rows | cut -d' ' -f1-2)" "3 6"
"$LDP" ingest in/p1.parquet raw.pq2 --stage-sqlite "$T/stage.db" --stage-table landing_pq >/dev/null
expect_eq "stage table name" "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*), sum(id) from landing_pq").fetchone())' "$T/stage.db")" "(3, 303)"

# ---- usage errors ----
run_capture "$LDP" ingest in/a.csv raw.trips --no-such-option 1
expect_eq "unknown option refused" "$rc" 1
expect_eq "unknown option named" "$(grep -c 'no-such-option' <<<"$err")" "1"
run_capture "$LDP" ingest gopher://x/y raw.g
expect_eq "unknown scheme refused" "$rc" 1
run_capture "$LDP" ingest in/none.csv raw.g
expect_eq "missing file refused" "$rc" 1
expect_eq "missing file named" "$(grep -c 'in/none.csv' <<<"$err")" "1"
expect_eq "no table left behind" "$("$LDP" table list raw | grep -c 'raw.g$' || true)" "0"

finish "ingest file"
