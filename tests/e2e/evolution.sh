#!/usr/bin/env bash
# Schema and partition evolution, scan pruning and WHERE pushdown through the
# real ldp binary (docs/evolution.md).
#
# - every kind of schema change (CLI and ALTER TABLE), each followed by a read
#   of the files written before it: renamed columns by field id, added columns
#   null, dropped columns gone, promoted types widened; then an append under
#   the new schema;
# - partition evolution: old files keep their spec, new files use the new one;
# - bad input: exit 1, the table's metadata file unchanged;
# - pruning counts of `ldp table plan` on a day-partitioned table and on a
#   table with several specs, computed by hand from the data below;
# - pushdown never changes results: every query's rows equal the same query
#   over a subquery (which disables pushdown), on both tables.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-evolution"
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
run_capture() {
	set +e
	out=$("$@" 2>"$T/stderr")
	rc=$?
	set -e
	err=$(cat "$T/stderr")
}
must() {
	if ! "$@" >"$T/must.out" 2>&1; then
		echo "setup failed: $*" >&2
		cat "$T/must.out" >&2
		exit 1
	fi
}
q() { "$LDP" sql --format tsv --no-header "$1" | tr "\t" ","; }
meta() { ls "$T/p/warehouse/$1/metadata/"*.metadata.json | sort | tail -1; }

must "$LDP" init "$T/p"
must "$LDP" namespace create ev

# ---- schema evolution ----
must "$LDP" table create ev.s --as "select i::int as id, 'n' || i as name, (i * 0.5)::float as score,
	(i * 1.25)::decimal(6,2) as amt, {'a': i, 'b': 'x' || i} as st from range(4) r(i)"

must "$LDP" table alter ev.s add-column extra bigint --after id --doc "added later"
expect_eq "add-column: old rows read null" "$(q "select id, coalesce(extra, -1) from ev.s order by id" | tr '\n' ' ')" "0,-1 1,-1 2,-1 3,-1 "
expect_eq "add-column: position and doc" "$(q "select string_agg(column_name, ',') from (describe ev.s)")" "id,extra,name,score,amt,st"
must "$LDP" table alter ev.s rename-column name label
expect_eq "rename: old files read by field id" "$(q "select string_agg(label, ',' order by id) from ev.s")" "n0,n1,n2,n3"
must "$LDP" table alter ev.s set-type id long
must "$LDP" table alter ev.s set-type score double
must "$LDP" table alter ev.s set-type amt 'decimal(10,2)'
expect_eq "promotions: types" "$(q "select string_agg(column_type, ',') from (describe ev.s) where column_name in ('id','score','amt')")" "BIGINT,DOUBLE,DECIMAL(10,2)"
expect_eq "promotions: values" "$(q "select sum(id), sum(score), sum(amt) from ev.s")" "6,3.0,7.50"
must "$LDP" sql "ALTER TABLE ev.s ADD COLUMN st.c string COMMENT 'nested'"
expect_eq "nested add: null in old rows" "$(q "select count(*) from ev.s where st.c is null and st.a is not null")" "4"
must "$LDP" sql "ALTER TABLE ev.s ALTER COLUMN label FIRST, DROP COLUMN extra"
expect_eq "move + drop in one statement" "$(q "select string_agg(column_name, ',') from (describe ev.s)")" "label,id,score,amt,st"
must "$LDP" sql "ALTER TABLE ev.s ALTER COLUMN score AFTER amt"
expect_eq "move after" "$(q "select string_agg(column_name, ',') from (describe ev.s)")" "label,id,amt,score,st"
must "$LDP" sql "ALTER TABLE ev.s ADD COLUMN IF NOT EXISTS label string"
must "$LDP" sql "ALTER TABLE ev.s ADD COLUMN extra2 int"
ids=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['last-column-id'], [f['id'] for f in d['schemas'][-1]['fields'] if f['name']=='extra2'][0])" "$(meta ev/s)")
expect_eq "ids never reused: extra2 gets last-column-id (10), not 2" "$ids" "10 10"
must "$LDP" table append ev.s "select 'z' as label, 10::bigint as id, 2.5::decimal(10,2) as amt, 1.0::double as score,
	{'a': 9::bigint, 'b': 'q', 'c': 'cc'} as st, 7 as extra2"
expect_eq "append after evolution, read with old files" "$(q "select string_agg(label || ':' || coalesce(extra2, 0) || ':' || coalesce(st.c, '-'), ',' order by id) from ev.s")" "n0:0:-,n1:0:-,n2:0:-,n3:0:-,z:7:cc"
must "$LDP" sql "ALTER TABLE ev.s SET TBLPROPERTIES ('owner' = 'qa', 'write.parquet.compression-codec' = 'zstd')"
must "$LDP" sql "ALTER TABLE ev.s UNSET TBLPROPERTIES ('owner')"
props=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); p=d['properties']; print(p.get('owner','-'), p.get('write.parquet.compression-codec'))" "$(meta ev/s)")
expect_eq "set/unset table properties" "$props" "- zstd"

# nested fields renamed after files were written read by field id (depth 1
# and 2, inside a list<struct> and a map's value struct); a nested name dropped
# and added back reads NULL from old files, not the dropped field's data
must "$LDP" table create ev.nr --as "select i as id, {'a': i::int, 'b': {'c': i * 10, 'd': 'd' || i}} as s,
	[{'p': i, 'q': 'q' || i}] as l, map {'k' || i: {'v': i::int}} as m from range(2) r(i) union all select 2, NULL, NULL, NULL"
must "$LDP" sql "ALTER TABLE ev.nr RENAME COLUMN s.a TO a1"
must "$LDP" sql "ALTER TABLE ev.nr RENAME COLUMN s.b.c TO c1"
must "$LDP" sql "ALTER TABLE ev.nr RENAME COLUMN l.p TO p1"
must "$LDP" sql "ALTER TABLE ev.nr RENAME COLUMN m.value.v TO v1"
qj() { "$LDP" sql --format json "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['v'])"; }
nr() { qj "select string_agg(concat_ws('|', id, to_json(s), to_json(l), to_json(m)), ' ' order by id) as v from ev.nr"; }
expect_eq "nested renames read old files by id" "$(nr)" \
	'0|{"a1":0,"b":{"c1":0,"d":"d0"}}|[{"p1":0,"q":"q0"}]|{"k0":{"v1":0}} 1|{"a1":1,"b":{"c1":10,"d":"d1"}}|[{"p1":1,"q":"q1"}]|{"k1":{"v1":1}} 2'
must "$LDP" table append ev.nr "select 3 as id, {'a1': 3::int, 'b': {'c1': 30, 'd': 'd3'}} as s, [{'p1': 3, 'q': 'q3'}] as l, map {'k3': {'v1': 3::int}} as m"
must "$LDP" sql "ALTER TABLE ev.nr DROP COLUMN s.b.d, ALTER COLUMN s.a1 TYPE bigint"
must "$LDP" sql "ALTER TABLE ev.nr ADD COLUMN s.b.d int"
expect_eq "nested drop + add back + promotion over renamed files" \
	"$(qj "select string_agg(concat_ws('|', id, to_json(s), typeof(s)), ' ' order by id) as v from ev.nr where id in (1, 3)")" \
	'1|{"a1":1,"b":{"c1":10,"d":null}}|STRUCT(a1 BIGINT, b STRUCT(c1 BIGINT, d INTEGER)) 3|{"a1":3,"b":{"c1":30,"d":null}}|STRUCT(a1 BIGINT, b STRUCT(c1 BIGINT, d INTEGER))'

# every member of a struct replaced after a file was written: that file's
# structs read as structs of NULLs (NULL where the struct itself was NULL)
must "$LDP" table create ev.nn --as "select 1 as id, {'a': 1} as s, [{'a': 1}] as l union all select 2, NULL, [NULL]"
must "$LDP" sql "ALTER TABLE ev.nn ADD COLUMN s.b int, ADD COLUMN l.b int"
must "$LDP" sql "ALTER TABLE ev.nn DROP COLUMN s.a, DROP COLUMN l.a"
expect_eq "struct whose members all changed" \
	"$(qj "select string_agg(concat_ws('|', id, coalesce(to_json(s), 'null'), to_json(l)), ' ' order by id) as v from ev.nn")" \
	'1|{"b":null}|[{"b":null}] 2|null|[null]'

# identifier fields need required columns: only an empty table's columns can become required
must "$LDP" table create ev.k --schema "k bigint, v string"
must "$LDP" sql "ALTER TABLE ev.k ALTER COLUMN k SET NOT NULL, SET IDENTIFIER FIELDS k"
idf=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['schemas'][-1]; print(s['identifier-field-ids'], s['fields'][0]['required'])" "$(meta ev/k)")
expect_eq "identifier fields" "$idf" "[1] True"

# ---- bad input: exit 1, error names table and column, nothing committed ----
bad() {
	local what=$1 want=$2
	shift 2
	local before
	before=$(meta ev/s)
	run_capture "$@"
	if [[ $rc -ne 1 ]]; then fail "$what: exit $rc, want 1 ($err)"; return; fi
	if [[ "$err" != *"$want"* ]]; then fail "$what: message [$err] lacks [$want]"; return; fi
	if [[ "$(meta ev/s)" != "$before" ]]; then fail "$what: a metadata file was committed"; return; fi
	ok "$what"
}
bad "incompatible type change" "ev.s: cannot change column 'label' from string to long" "$LDP" table alter ev.s set-type label long
bad "narrowing" "cannot change column 'id' from long to int" "$LDP" sql "ALTER TABLE ev.s ALTER COLUMN id TYPE int"
bad "decimal scale change" "cannot change column 'amt'" "$LDP" table alter ev.s set-type amt 'decimal(12,3)'
bad "rename to an existing name" "ev.s: cannot rename 'label' to 'id'" "$LDP" sql "ALTER TABLE ev.s RENAME COLUMN label TO id"
bad "unknown column" "table ev.s has no column 'nope'" "$LDP" table alter ev.s drop-column nope
bad "add existing column" "table ev.s already has a column 'id'" "$LDP" table alter ev.s add-column id int
bad "add required column" "must be nullable" "$LDP" sql "ALTER TABLE ev.s ADD COLUMN r int NOT NULL"
bad "make required with data" "cannot make column 'id' required" "$LDP" sql "ALTER TABLE ev.s ALTER COLUMN id SET NOT NULL"
bad "unknown type" "unknown type name" "$LDP" table alter ev.s add-column w varchar2x
bad "syntax error with position" "expected TYPE, SET DATA TYPE" "$LDP" sql "ALTER TABLE ev.s ALTER COLUMN id BOGUS"
bad "optional identifier field" "cannot be an identifier field: it is optional" "$LDP" sql "ALTER TABLE ev.s SET IDENTIFIER FIELDS id"
run_capture "$LDP" table alter ev.k drop-column k
expect_eq "dropping an identifier field: exit 1" "$rc $(grep -c 'identifier field' <<<"$err")" "1 1"

# ---- partition evolution + pruning ----
# ev.d: 10 days x 24 hours, one row per hour, id = hour index 0..239,
# day-partitioned: one file per day (10 files) in one manifest.
must "$LDP" table create ev.d --as "select timestamp '2024-03-01' + interval (i) hour as ts, i as id,
	'k' || (i % 4) as cat, case when i % 10 = 0 then null else i * 0.5 end::double as val from range(240) r(i)" --partition-by "day(ts)"
plan() { "$LDP" table plan "$1" --where "$2" --json | python3 -c "import json,sys; d=json.load(sys.stdin);
print(d['manifests'], d['manifests_pruned'], d['files'], d['files_pruned_partition'], d['files_pruned_bounds'], d['files_kept'])"; }
# one day: 9 of 10 files pruned by partition values
expect_eq "day predicate prunes 9 of 10 files" "$(plan ev.d "ts >= '2024-03-04' and ts < '2024-03-05'")" "1 0 10 9 0 1"
# id bounds: day k holds ids 24k..24k+23, so id between 50 and 60 is day 2 only
expect_eq "id bounds prune 9 of 10 files" "$(plan ev.d "id between 50 and 60")" "1 0 10 0 9 1"
expect_eq "IN over days" "$(plan ev.d "ts in ('2024-03-01 05:00:00', '2024-03-10 23:00:00')")" "1 0 10 8 0 2"
expect_eq "is null keeps all files (each day has nulls)" "$(plan ev.d "val is null")" "1 0 10 0 0 10"
expect_eq "OR of two days" "$(plan ev.d "ts < '2024-03-02' or ts >= '2024-03-10'")" "1 0 10 8 0 2"
expect_eq "NOT of a range" "$(plan ev.d "not (ts >= '2024-03-02')")" "1 0 10 9 0 1"
expect_eq "unknown function: no pruning" "$(plan ev.d "length(cat) = 2")" "1 0 10 0 0 10"

# evolve: identity(cat) added, day(ts) replaced by month(ts); 8 more days (2 files per cat... one file per cat)
must "$LDP" sql "ALTER TABLE ev.d ADD PARTITION FIELD cat, REPLACE PARTITION FIELD ts_day WITH month(ts)"
must "$LDP" table append ev.d "select timestamp '2024-04-01' + interval (i) hour as ts, 1000 + i as id,
	'k' || (i % 4) as cat, i * 0.25::double as val from range(192) r(i)"
specs=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['partition-specs']), d['default-spec-id'], [f['name'] for f in d['partition-specs'][-1]['fields']])" "$(meta ev/d)")
expect_eq "partition evolution: new default spec" "$specs" "2 1 ['cat', 'ts_month']"
# old manifest: 10 day files; new manifest: 4 files (one per cat, all in month 2024-04)
expect_eq "cat = k1: old files by bounds? no (every day has all cats); new by partition" "$(plan ev.d "cat = 'k1'")" "2 0 14 3 0 11"
expect_eq "April only: the old manifest pruned by its summaries" "$(plan ev.d "ts >= '2024-04-02'")" "2 1 4 0 0 4"
expect_eq "March 5: new manifest pruned by month summary" "$(plan ev.d "ts >= '2024-03-05' and ts < '2024-03-06'")" "2 1 10 9 0 1"
run_capture "$LDP" table plan ev.d --where "cat = 'k1'"
expect_eq "plan text says why" "$(grep -c -- '-- partition: cat = ' <<<"$out")" "3"

# ---- pushdown never changes results ----
queries=(
	"ts >= '2024-03-04' and ts < '2024-03-05'"
	"id between 50 and 60 or id > 1180"
	"cat = 'k1' and val > 10"
	"val is null"
	"val is not null and id < 30"
	"not (cat in ('k0', 'k2'))"
	"cat like 'k3%' and ts < '2024-04-03'"
	"starts_with(cat, 'k') and id != 5"
	"id not in (1, 2, 3) and ts > timestamp '2024-04-07 10:00:00'"
	"ts::date = date '2024-03-03'"
	"month(ts) = 4 and cat >= 'k2'"
)
for w in "${queries[@]}"; do
	a=$(q "select count(*), coalesce(sum(id), 0), coalesce(sum(val), 0) from ev.d where $w")
	b=$(q "select count(*), coalesce(sum(id), 0), coalesce(sum(val), 0) from (select * from ev.d) where $w")
	expect_eq "pushdown keeps results: $w" "$a" "$b"
done
expect_eq "a filtered view does not leak into the next statement" \
	"$("$LDP" sql --format csv --no-header "create view v as select * from ev.d; select count(*) from ev.d where id < 5; select count(*) from v")" "$(printf '5\n432')"
expect_eq "self-join: no filter pushed to either side" \
	"$(q "select count(*) from ev.d a join ev.d b on a.id = b.id where a.id < 3")" "3"
expect_eq "the same table twice with filters (OR)" \
	"$(q "select (select count(*) from ev.d where id < 3) + (select count(*) from ev.d where id >= 1190)")" "5"
expect_eq "scalar subquery in WHERE is not a constant" \
	"$(q "select count(*) from ev.d where id > (select max(id) - 2 from ev.d)")" "2"

if [[ $fails -ne 0 ]]; then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all evolution checks passed"
