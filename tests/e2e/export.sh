#!/usr/bin/env bash
# ldp export to every target: DuckDB (tables and views, read back by a
# separate DuckDB connection: another ldp process with --db, outside the
# project), SQLite (read back by python's sqlite3), CSV/TSV/Parquet/JSON/NDJSON
# files and partitioned directories; time travel; namespaces; bad input.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
dir=$LDP_TEST_TMP/export
rm -rf "$dir"
"$LDP" init "$dir/proj" >/dev/null
cd "$dir/proj"
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { "$LDP" sql -q --format csv --no-header "$1"; }
# a separate DuckDB connection: no project, the exported file as the database
duck() { (cd "$dir" && LDP_PROJECT=/nonexistent "$LDP" sql -q --format csv --no-header --db "$1" "$2"); }

"$LDP" sql -q "
create schema s;
create table s.t (id bigint, day date, amount decimal(10, 2), tags varchar[], ok boolean, b blob) partitioned by (month(day));
insert into s.t select 1, date '2024-01-05', 1.25, ['x', 'y'], true, '\xAA\x00'::blob;
insert into s.t values (2, '2024-02-06', 20.50, [], false, NULL);
create table s.u as select 'only' as w;
"
first=$("$LDP" table snapshots s.t --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["snapshot_id"])')
iceberg=$(q 'select id, day, amount, tags, ok from s.t order by id')

# DuckDB tables: same rows through a separate connection
"$LDP" export s.t "$dir/t.duckdb" 2>"$dir/err" || fail "export duckdb: $(cat "$dir/err")"
grep -q "exported 2 rows to" "$dir/err" || fail "summary: $(cat "$dir/err")"
[ "$(duck t.duckdb 'select id, day, amount, tags, ok from t order by id')" = "$iceberg" ] || fail "duckdb rows"
[ "$(duck t.duckdb "select data_type from information_schema.columns where table_name = 't' and column_name = 'amount'")" = "\"DECIMAL(10,2)\"" ] || fail "duckdb types"
[ "$(duck t.duckdb "select table_type from information_schema.tables where table_name = 't'")" = "BASE TABLE" ] || fail "a table"

# DuckDB views over the data files (absolute paths), same rows
"$LDP" export s.t "$dir/v.duckdb" --as views 2>/dev/null
[ "$(duck v.duckdb "select table_type from information_schema.tables where table_name = 't'")" = "VIEW" ] || fail "a view"
[ "$(duck v.duckdb 'select id, day, amount, tags, ok from t order by id')" = "$iceberg" ] || fail "view rows"
# a view keeps reading the snapshot it was made from (its file list is fixed)
"$LDP" sql -q "insert into s.t (id) values (3)"
[ "$(duck v.duckdb 'select count(*) from t')" = 2 ] || fail "view follows later commits"

# time travel: in the name and with --snapshot
"$LDP" export "s.\"t@$first\"" "$dir/old.csv" 2>/dev/null
"$LDP" export s.t "$dir/old2.csv" --snapshot "$first" 2>/dev/null
[ "$(tail -n +2 "$dir/old.csv")" = "1,2024-01-05,1.25,\"[x, y]\",true,\\xAA\\x00" ] || fail "time travel csv: $(cat "$dir/old.csv")"
cmp -s "$dir/old.csv" "$dir/old2.csv" || fail "--snapshot differs from t@"

# SQLite, read by python's sqlite3 (types documented in docs/export.md)
"$LDP" export s.t "$dir/t.sqlite" 2>/dev/null
python3 - "$dir/t.sqlite" <<'PY' || fail "sqlite"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("select id, day, amount, tags, ok, b from t order by id").fetchall()
assert rows == [(1, "2024-01-05", 1.25, '["x","y"]', 1, b"\xaa\x00"), (2, "2024-02-06", 20.5, "[]", 0, None),
                (3, None, None, None, None, None)], rows
types = [r[2] for r in c.execute("pragma table_info(t)")]
assert types == ["INTEGER", "TEXT", "REAL", "TEXT", "INTEGER", "BLOB"], types
PY

# files: parquet (read back), json, ndjson, tsv, and a partitioned directory
"$LDP" export 'select id, amount from s.t where id <= 2' "$dir/q.parquet" 2>/dev/null
[ "$(duck ':memory:' "select sum(id), sum(amount) from '$dir/q.parquet'")" = "3,21.75" ] || fail "parquet"
"$LDP" export s.u "$dir/u.json" 2>/dev/null
python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == [{"w": "only"}]' "$dir/u.json" || fail "json"
"$LDP" export 'select range as i from range(3)' "$dir/r.ndjson" 2>/dev/null
[ "$(cat "$dir/r.ndjson" | tr -d '\n')" = '{"i":0}{"i":1}{"i":2}' ] || fail "ndjson"
"$LDP" export s.u "$dir/u.tsv" 2>/dev/null
[ "$(cat "$dir/u.tsv")" = "$(printf 'w\nonly')" ] || fail "tsv"
"$LDP" export 'select id, month(day) as m from s.t where day is not null' "$dir/parts" --format parquet --partition-by m 2>/dev/null
[ -d "$dir/parts/m=1" ] && [ -d "$dir/parts/m=2" ] || fail "partition directories: $(find "$dir/parts")"
[ "$(duck ':memory:' "select count(*) from read_parquet('$dir/parts/*/*.parquet', hive_partitioning = true) where m = 2")" = 1 ] || fail "partitioned rows"

# a namespace into one database (one table per Iceberg table)
"$LDP" export s "$dir/ns.duckdb" 2>/dev/null
[ "$(duck ns.duckdb 'select (select count(*) from t) + (select count(*) from u)')" = 4 ] || fail "namespace export"

# bad input: existing target without --force (untouched), unknown table, bad combinations
echo keep > "$dir/exists.csv"
if err=$("$LDP" export s.t "$dir/exists.csv" 2>&1); then fail "overwrote without --force"; fi
echo "$err" | grep -q "already exists (use --force" || fail "exists message: $err"
[ "$(cat "$dir/exists.csv")" = keep ] || fail "target changed"
"$LDP" export s.u "$dir/exists.csv" --force 2>/dev/null
[ "$(cat "$dir/exists.csv")" = "$(printf 'w\nonly')" ] || fail "--force"
if err=$("$LDP" export s.nope "$dir/x.csv" 2>&1); then fail "unknown table"; fi
echo "$err" | grep -q "s.nope" || fail "unknown table message: $err"
if err=$("$LDP" export 's."t@999"' "$dir/x.csv" 2>&1); then fail "unknown snapshot"; fi
echo "$err" | grep -q "999" || fail "unknown snapshot message: $err"
if err=$("$LDP" export s.t "$dir/x.weird" 2>&1); then fail "unknown format"; fi
echo "$err" | grep -q -- "--format" || fail "format message: $err"
if "$LDP" export 'select error($$boom$$)' "$dir/boom.parquet" 2>/dev/null; then fail "failed query succeeded"; fi
[ -e "$dir/boom.parquet" ] && fail "a failed export left a file"
ls "$dir" | grep -q 'tmp-' && fail "temporary files left: $(ls "$dir")"
echo "export: ok"
