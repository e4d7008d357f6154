#!/usr/bin/env bash
# A `table` model whose columns change between runs is replaced in ONE
# metadata commit (issue 7: "replaced atomically as one Iceberg snapshot"):
# rename a column, change a type, drop one, add one, widen int -> bigint; an
# incremental model with --full-refresh; CREATE OR REPLACE TABLE in `ldp sql`;
# the same through a REST catalog. Checked from outside ldp:
#   - SQLite triggers on the catalog row count the swaps: exactly one UPDATE
#     of the table's row per replacement, never a DELETE or INSERT;
#   - the metadata JSON: same table-uuid, one new snapshot (overwrite, child
#     of the previous one), a new current schema whose field ids follow the
#     rule (kept for same name + same/promotable type, fresh above the old
#     last-column-id otherwise), metadata-log ending at the previous file;
#   - rows equal the same SQL run by hand in plain DuckDB;
#   - time travel to the old snapshot reads the old rows with the old columns;
#   - pyiceberg (scripts/pyenv.sh venv) reads the new state and the old
#     snapshot row for row;
#   - readers polling in the background during 5 replacements never fail;
#   - a model that errors mid-query leaves the table exactly as it was.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"
: "${LDP_SOURCE_DIR:?}"
unset LDP_PROJECT

T="$LDP_TEST_TMP/e2e-transform-replace"
rm -rf "$T"
mkdir -p "$T"
P="$T/proj"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
expect_eq() { if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1: got [$2] want [$3]"; fi; }

"$LDP" init "$P" >/dev/null
cat >"$P/dbt_project.yml" <<'YML'
name: replace
profile: replace
models:
  replace:
    +materialized: table
YML
cat >"$P/profiles.yml" <<'YML'
replace:
  target: dev
  outputs:
    dev:
      type: ldp
      schema: mart
YML
mkdir -p "$P/models"
# one model, five shapes chosen by --vars '{v: N}'
cat >"$P/models/wide.sql" <<'SQL'
{% set v = var('v', 1) | int %}
{% if v == 1 %}
select i::bigint as id, 'name' || i as name, (i * 1.5)::decimal(6, 2) as score, (i % 3)::integer as grp
from range(1, 11) t(i)
{% elif v == 2 %}
{# name renamed to label, score becomes text, grp dropped, qty added #}
select i::bigint as id, 'label' || i as label, (i * 2)::varchar as score, (i * 10)::integer as qty
from range(1, 11) t(i)
{% elif v == 3 %}
{# qty widened int -> bigint (keeps its field id) #}
select i::bigint as id, 'label' || i as label, (i * 2)::varchar as score, (i * 10)::bigint as qty
from range(1, 11) t(i)
{% else %}
{# fails mid-query: row 7 raises #}
select i::bigint as id, case when i = 7 then error('boom at row 7') else 'x' end as label
from range(1, 11) t(i)
{% endif %}
SQL
cat >"$P/models/inc.sql" <<'SQL'
{{ config(materialized='incremental', unique_key='id') }}
{% if var('v', 1) | int == 1 %}
select i::integer as id, 'a' || i as tag from range(1, 6) t(i)
{% else %}
select i::bigint as id, i * 100 as amount from range(1, 4) t(i)
{% endif %}
SQL

cat >"$P/models/parted.sql" <<'SQL'
{% if var('v', 1) | int == 1 %}
{{ config(partition_by=['bucket(4, id)', 'g']) }}
select i::bigint as id, (i % 2)::integer as g from range(1, 9) t(i)
{% else %}
{{ config(partition_by=[]) }}
select i::bigint as id, (i % 2)::integer as g from range(1, 9) t(i)
{% endif %}
SQL

CAT="$P/warehouse/catalog.db"
sqlq() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]) if sys.argv[3]=="x" else print("\n".join("|".join(str(v) for v in r) for r in c.execute(sys.argv[2])))' "$1" "$2" "${3:-q}"; }
# Every change to a table's catalog row, as the database sees it.
watch_catalog() {
	sqlq "$1" "
create table if not exists swap_log(op text, tbl text, old_loc text, new_loc text);
create trigger if not exists swap_u after update on iceberg_tables begin
  insert into swap_log values ('U', new.table_name, old.metadata_location, new.metadata_location); end;
create trigger if not exists swap_d after delete on iceberg_tables begin
  insert into swap_log values ('D', old.table_name, old.metadata_location, null); end;
create trigger if not exists swap_i after insert on iceberg_tables begin
  insert into swap_log values ('I', new.table_name, null, new.metadata_location); end;" x
}
swaps() { sqlq "$1" "select op from swap_log where tbl = '$2' order by rowid" | tr -d '\n'; }
clear_swaps() { sqlq "$1" "delete from swap_log" x; }
loc_of() { sqlq "$1" "select metadata_location from iceberg_tables where table_name = '$2'"; }
# a field of the table's current metadata file (python expression over m)
meta() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$(loc_of "$CAT" "$1")" "$2"; }
q() { (cd "$P" && "$LDP" sql --format csv --no-header "$1"); }
hand() { (cd "$T" && "$LDP" sql --format csv --no-header "$1"); }
run() { (cd "$P" && "$LDP" transform run "$@" >"$T/run.out" 2>"$T/run.err"); }
runw() { run -s wide "$@"; }

# ---- first run: the table is created ----
runw --vars '{v: 1}' || fail "first run: $(cat "$T/run.err")"
watch_catalog "$CAT"
uuid=$(meta wide 'm["table-uuid"]')
loc1=$(loc_of "$CAT" wide)
snap1=$(meta wide 'm["current-snapshot-id"]')
V1="select i::bigint, 'name' || i, (i * 1.5)::decimal(6, 2), (i % 3)::integer from range(1, 11) t(i) order by 1"
expect_eq "v1 rows = hand SQL" "$(q "select * from mart.wide order by 1")" "$(hand "$V1")"

# ---- rename + type change + drop + add: one commit ----
runw --vars '{v: 2}' || fail "v2 run: $(cat "$T/run.err")"
expect_eq "v2: one catalog UPDATE, no drop/create" "$(swaps "$CAT" wide)" "U"
expect_eq "v2: the swap replaced the previous metadata file" "$(sqlq "$CAT" "select old_loc from swap_log")" "$loc1"
expect_eq "v2: same table uuid" "$(meta wide 'm["table-uuid"]')" "$uuid"
expect_eq "v2: metadata-log ends at the previous file" "$(meta wide 'm["metadata-log"][-1]["metadata-file"]')" "$loc1"
expect_eq "v2: two snapshots" "$(meta wide 'len(m["snapshots"])')" "2"
expect_eq "v2: overwrite, child of the first" \
	"$(meta wide '[(s["summary"]["operation"], s.get("parent-snapshot-id")) for s in m["snapshots"] if s["snapshot-id"] == m["current-snapshot-id"]][0]')" \
	"('overwrite', $snap1)"
expect_eq "v2: removed the old rows" \
	"$(meta wide '[s["summary"].get("deleted-records") for s in m["snapshots"] if s["snapshot-id"] == m["current-snapshot-id"]][0]')" "10"
# v1 had ids 1..4 (id, name, score, grp); last-column-id 4. id keeps 1; label
# (new name), score (decimal -> string is no promotion) and qty get 5, 6, 7.
expect_eq "v2: field ids" \
	"$(meta wide '[(f["name"], f["id"], f["type"]) for s in m["schemas"] if s["schema-id"] == m["current-schema-id"] for f in s["fields"]]')" \
	"[('id', 1, 'long'), ('label', 5, 'string'), ('score', 6, 'string'), ('qty', 7, 'int')]"
expect_eq "v2: last-column-id" "$(meta wide 'm["last-column-id"]')" "7"
expect_eq "v2: snapshot records the new schema" \
	"$(meta wide '[s["schema-id"] for s in m["snapshots"] if s["snapshot-id"] == m["current-snapshot-id"]][0] == m["current-schema-id"] != 0')" "True"
V2="select i::bigint, 'label' || i, (i * 2)::varchar, (i * 10)::integer from range(1, 11) t(i) order by 1"
expect_eq "v2 rows = hand SQL" "$(q "select * from mart.wide order by 1")" "$(hand "$V2")"
expect_eq "time travel: old snapshot, old columns" "$(q "select * from mart.\"wide@$snap1\" order by 1")" "$(hand "$V1")"
expect_eq "time travel: old column names" \
	"$(q "select string_agg(column_name, '/') from (describe select * from mart.\"wide@$snap1\")")" \
	"id/name/score/grp"
loc2=$(loc_of "$CAT" wide)
snap2=$(meta wide 'm["current-snapshot-id"]')

# ---- int -> bigint keeps the field id ----
clear_swaps "$CAT"
runw --vars '{v: 3}' || fail "v3 run: $(cat "$T/run.err")"
expect_eq "v3: one catalog UPDATE" "$(swaps "$CAT" wide)" "U"
expect_eq "v3: qty promoted in place" \
	"$(meta wide '[(f["name"], f["id"], f["type"]) for s in m["schemas"] if s["schema-id"] == m["current-schema-id"] for f in s["fields"]]')" \
	"[('id', 1, 'long'), ('label', 5, 'string'), ('score', 6, 'string'), ('qty', 7, 'long')]"
expect_eq "v3: three snapshots, same uuid" "$(meta wide '(len(m["snapshots"]), m["table-uuid"])')" "(3, '$uuid')"

# ---- a model failing mid-query leaves the table intact ----
clear_swaps "$CAT"
loc3=$(loc_of "$CAT" wide)
nfiles=$(find "$P/warehouse/mart/wide" -type f | wc -l)
if runw --vars '{v: 4}'; then fail "failing model: run succeeded"; else ok "failing model: run fails"; fi
grep -q "boom at row 7" "$T/run.out" "$T/run.err" && ok "failing model: error shown" || fail "failing model: no error message: $(cat "$T/run.out" "$T/run.err")"
expect_eq "failing model: no catalog change" "$(swaps "$CAT" wide)" ""
expect_eq "failing model: same metadata" "$(loc_of "$CAT" wide)" "$loc3"
expect_eq "failing model: no file left behind" "$(find "$P/warehouse/mart/wide" -type f | wc -l)" "$nfiles"
V3="select i::bigint, 'label' || i, (i * 2)::varchar, (i * 10)::bigint from range(1, 11) t(i) order by 1"
expect_eq "failing model: rows intact" "$(q "select * from mart.wide order by 1")" "$(hand "$V3")"

# ---- readers never see the table missing during 5 replacements ----
clear_swaps "$CAT"
rm -f "$T/reader.bad" "$T/reader.n"
(
	while [ ! -e "$T/stop" ]; do
		if got=$(cd "$P" && "$LDP" sql --format csv --no-header "select count(*) from mart.wide" 2>&1); then
			[ "$got" = 10 ] || echo "wrong count: $got" >>"$T/reader.bad"
		else
			echo "failed: $got" >>"$T/reader.bad"
		fi
		echo >>"$T/reader.n"
	done
) &
reader=$!
for v in 1 2 1 2 3; do
	runw --vars "{v: $v}" || fail "replacement to v$v: $(cat "$T/run.err")"
done
# let the reader finish at least a few reads that overlap the runs
for _ in $(seq 1 50); do [ "$(wc -l <"$T/reader.n" 2>/dev/null || echo 0)" -ge 3 ] && break; sleep 0.1; done
touch "$T/stop"
wait "$reader"
expect_eq "readers: no failed or wrong read ($(wc -l <"$T/reader.n") reads)" "$(cat "$T/reader.bad" 2>/dev/null)" ""
expect_eq "5 replacements: 5 catalog UPDATEs" "$(swaps "$CAT" wide)" "UUUUU"
expect_eq "5 replacements: 8 snapshots, same uuid" "$(meta wide '(len(m["snapshots"]), m["table-uuid"])')" "(8, '$uuid')"
expect_eq "back at v1: ids of v1's names are fresh (never reused)" \
	"$(meta wide '[f["id"] > 4 for s in m["schemas"] if s["schema-id"] == m["current-schema-id"] for f in s["fields"]]')" \
	"[False, True, True, True]"

# ---- incremental --full-refresh with changed columns ----
run -s inc --vars '{v: 1}' || fail "inc first run: $(cat "$T/run.err")"
inc_uuid=$(meta inc 'm["table-uuid"]')
clear_swaps "$CAT"
run -s inc --full-refresh --vars '{v: 2}' || fail "inc full refresh: $(cat "$T/run.err")"
expect_eq "full refresh: one catalog UPDATE" "$(swaps "$CAT" inc)" "U"
expect_eq "full refresh: same uuid, 2 snapshots" "$(meta inc '(m["table-uuid"], len(m["snapshots"]))')" "('$inc_uuid', 2)"
expect_eq "full refresh rows" "$(q "select * from mart.inc order by 1")" "$(hand "select i::bigint, i * 100 from range(1, 4) t(i) order by 1")"

# ---- partition_by config: given, then [] (unpartitioned) in the same commit ----
run -s parted --vars '{v: 1}' || fail "parted: $(cat "$T/run.err")"
spec() { meta parted '[[(f["name"], f["transform"]) for f in s["fields"]] for s in m["partition-specs"] if s["spec-id"] == m["default-spec-id"]][0]'; }
expect_eq "partition_by config" "$(spec)" "[('id_bucket', 'bucket[4]'), ('g', 'identity')]"
expect_eq "partition_by: every data file under id_bucket=*/g=*" \
	"$(find "$P/warehouse/mart/parted/data" -name '*.parquet' | grep -vc '/id_bucket=[0-3]/g=[01]/' || true)" "0"
clear_swaps "$CAT"
run -s parted --vars '{v: 2}' || fail "parted v2: $(cat "$T/run.err")"
expect_eq "partition_by []: one commit, unpartitioned" "$(swaps "$CAT" parted) $(spec)" "U []"
expect_eq "partition_by []: rows" "$(q "select count(*), sum(id), sum(g) from mart.parted")" "8,36,4"

# ---- CREATE OR REPLACE TABLE in ldp sql ----
(cd "$P" && "$LDP" sql -q "create table mart.ctas partitioned by (k) as select 1 as k, 'x' as v") >/dev/null
ctas_uuid=$(meta ctas 'm["table-uuid"]')
clear_swaps "$CAT"
out=$(cd "$P" && "$LDP" sql "create or replace table mart.ctas as select 'y' as v, 2::bigint as n" 2>&1)
expect_eq "sql replace: message" "$out" "$(printf 'replaced table mart.ctas with 1 rows (snapshot %s)' "$(meta ctas 'm["current-snapshot-id"]')")"
expect_eq "sql replace: one catalog UPDATE" "$(swaps "$CAT" ctas)" "U"
expect_eq "sql replace: same uuid, unpartitioned now" "$(meta ctas '(m["table-uuid"], [s["fields"] for s in m["partition-specs"] if s["spec-id"] == m["default-spec-id"]][0])')" "('$ctas_uuid', [])"
expect_eq "sql replace: rows" "$(q "select * from mart.ctas")" "y,2"
if (cd "$P" && "$LDP" sql -q "create or replace table mart.ctas as select error('nope') as v") 2>/dev/null; then
	fail "sql replace with a failing query succeeded"
fi
expect_eq "sql replace failing: untouched" "$(swaps "$CAT" ctas)$(q "select * from mart.ctas")" "Uy,2"

# a merge-on-read table with a position delete file: the replacement drops it too
(cd "$P" && "$LDP" sql -q "create table mart.mor tblproperties ('write.delete.mode' = 'merge-on-read') as select range::int as id from range(5)" &&
	"$LDP" sql -q "delete from mart.mor where id = 3") >/dev/null
expect_eq "mor: a delete file before" "$(meta mor '[s["summary"]["total-delete-files"] for s in m["snapshots"] if s["snapshot-id"] == m["current-snapshot-id"]][0]')" "1"
(cd "$P" && "$LDP" sql -q "create or replace table mart.mor as select range::bigint as id, 'r' as r from range(2)") >/dev/null
expect_eq "mor: none after, rows = the new ones" \
	"$(meta mor '[s["summary"]["total-delete-files"] for s in m["snapshots"] if s["snapshot-id"] == m["current-snapshot-id"]][0]') $(q "select string_agg(id || r, ' ' order by id) from mart.mor")" \
	"0 0r 1r"

# ---- pyiceberg reads the replaced table row for row ----
build=$(cd "$(dirname "$LDP")/.." && pwd)
if [ -d "$build/../_deps" ]; then venv="$(cd "$build/.." && pwd)/_deps/pyenv"; else venv="$build/_deps/pyenv"; fi
if ! py=$(bash "$LDP_SOURCE_DIR/scripts/pyenv.sh" "$venv"); then
	fail "could not set up the pyiceberg venv at $venv"
else
	"$py" - "$P/warehouse" "$snap1" >"$T/py.out" 2>"$T/py.err" <<'PY' || fail "pyiceberg: $(cat "$T/py.err")"
import sys
from pyiceberg.catalog.sql import SqlCatalog
wh, snap1 = sys.argv[1], int(sys.argv[2])
cat = SqlCatalog("ldp", uri=f"sqlite:///{wh}/catalog.db", warehouse=f"file://{wh}")
t = cat.load_table("mart.wide")
cur = t.scan().to_arrow()
print("cur", ",".join(cur.column_names))
for r in sorted(cur.to_pylist(), key=lambda r: r["id"]):
    print(",".join(str(v) for v in r.values()))
old = t.scan(snapshot_id=snap1).to_arrow()
print("old", ",".join(old.column_names))
for r in sorted(old.to_pylist(), key=lambda r: r["id"]):
    print(",".join(str(v) for v in r.values()))
# partitioned by k before, k dropped by the replacement (the old spec stays
# in the metadata, as Java's replace keeps it)
c = cat.load_table("mart.ctas").scan().to_arrow().to_pylist()
print("ctas", ";".join(",".join(str(v) for v in r.values()) for r in c))
PY
	expect_eq "pyiceberg: current state" "$(sed -n '/^cur /,/^old /p' "$T/py.out" | sed '$d')" \
		"$(printf 'cur id,label,score,qty\n'; q "select * from mart.wide order by 1")"
	expect_eq "pyiceberg: replaced partitioned table" "$(grep '^ctas ' "$T/py.out")" "ctas y,2"
	expect_eq "pyiceberg: old snapshot with old columns" "$(sed -n '/^old /,/^ctas /p' "$T/py.out" | sed '$d')" \
		"$(printf 'old id,name,score,grp\n'; hand "$V1")"
fi

# ---- the same through a REST catalog: one commit (one swap on the server) ----
. "$LDP_SOURCE_DIR/tests/e2e/lib/rest_server.sh"
"$LDP" init "$T/srv" >/dev/null
"$LDP" init "$T/cli" >/dev/null
rest_start "$T/srv"
cat >"$T/cli/ldp.yml" <<YML
name: cli
warehouse: warehouse
catalog:
  type: rest
  uri: $REST_URL
YML
cp -r "$P/models" "$P/dbt_project.yml" "$P/profiles.yml" "$T/cli/"
(cd "$T/cli" && "$LDP" transform run -s wide --vars '{v: 1}' >"$T/run.out" 2>"$T/run.err") || fail "REST first run: $(cat "$T/run.err")"
SCAT="$T/srv/warehouse/catalog.db"
watch_catalog "$SCAT"
ruuid=$(CAT=$SCAT meta wide 'm["table-uuid"]')
(cd "$T/cli" && "$LDP" transform run -s wide --vars '{v: 2}' >"$T/run.out" 2>"$T/run.err") || fail "REST replace: $(cat "$T/run.err")"
expect_eq "REST: one swap on the server" "$(swaps "$SCAT" wide)" "U"
expect_eq "REST: same uuid, 2 snapshots, new schema current" \
	"$(CAT=$SCAT meta wide '(m["table-uuid"], len(m["snapshots"]), [f["name"] for s in m["schemas"] if s["schema-id"] == m["current-schema-id"] for f in s["fields"]])')" \
	"('$ruuid', 2, ['id', 'label', 'score', 'qty'])"
expect_eq "REST: rows" "$(cd "$T/cli" && "$LDP" sql --format csv --no-header "select * from mart.wide order by 1")" "$(hand "$V2")"
rest_stop

if ((fails)); then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all replace checks passed"
