#!/usr/bin/env bash
# End-to-end tests of `ldp init`, `ldp namespace ...`, `ldp table ...` and `ldp sql`
# over Iceberg tables, on the real binary. Expected values are computed from the
# data each step writes (row counts and sums by hand or by DuckDB over the source
# files), JSON outputs are parsed with python3, and failures must exit 1.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-iceberg-cli"
rm -rf "$T"
mkdir -p "$T"

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
expect_eq() { if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1: got [$2] want [$3]"; fi; }

# run CMD...: sets $out, $err, $rc without tripping set -e
run() {
	set +e
	out=$("$@" 2>"$T/stderr")
	rc=$?
	set -e
	err=$(cat "$T/stderr")
	# a sanitizer report exits 1 too: never let it pass for a user error
	if [[ "$err" == *AddressSanitizer* || "$err" == *LeakSanitizer* || "$err" == *"runtime error:"* ]]; then
		fail "sanitizer report from $*: $err"
	fi
}
# must NAME CMD...: the command succeeds
must() {
	local name=$1
	shift
	run "$@"
	if [[ $rc -ne 0 ]]; then fail "$name: exit $rc: $err"; else ok "$name"; fi
}
# must_fail NAME PATTERN CMD...: exits 1 and says PATTERN on stderr
must_fail() {
	local name=$1 pat=$2
	shift 2
	run "$@"
	if [[ $rc -ne 1 ]]; then
		fail "$name: exit $rc (want 1), stderr [$err]"
	elif [[ "$err" != *"$pat"* ]]; then
		fail "$name: stderr [$err] lacks [$pat]"
	else
		ok "$name"
	fi
}
# py NAME EXPR: evaluate a python expression over the JSON in $out (bound to d); must be true
py() {
	if printf '%s' "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($2) else 1)" 2>"$T/pyerr"; then
		ok "$1"
	else
		fail "$1: [$2] false for [$out] $(cat "$T/pyerr")"
	fi
}
# pyval EXPR: print a python expression over the JSON in $out
pyval() { printf '%s' "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# sql1 SQL: the single value of a query (csv, no header)
sql1() { "$LDP" sql --format csv --no-header "$1"; }
q() { # NAME SQL WANT
	run "$LDP" sql --format csv --no-header "$2"
	if [[ $rc -ne 0 ]]; then fail "$1: exit $rc: $err"; else expect_eq "$1" "$out" "$3"; fi
}

# ---- outside a project ----
mkdir -p "$T/nowhere"
cd "$T/nowhere"
unset LDP_PROJECT || true
for args in "table list" "namespace list" "table describe db.t" "table append db.t x.parquet"; do
	# shellcheck disable=SC2086
	must_fail "outside a project: ldp $args" "ldp init" "$LDP" $args
done
must_fail "sql over ns.t outside a project" "" "$LDP" sql "select * from db.t"

# ---- init ----
must "init" "$LDP" init "$T/proj"
[[ -f "$T/proj/ldp.yml" && -f "$T/proj/warehouse/catalog.db" ]] && ok "init wrote ldp.yml and catalog.db" || fail "init files"
must_fail "init twice" "already exists" "$LDP" init "$T/proj"
cd "$T/proj"
must_fail "init twice (cwd)" "already exists" "$LDP" init
# commands also work from a subdirectory (found like git)
mkdir -p sub/dir

# ---- data files ----
"$LDP" sql -o "$T/a.parquet" "select range::BIGINT as id, TIMESTAMP '2023-01-01' + range * INTERVAL 7 HOUR as ts, 'n' || (range % 5) as name, (range * 1.5)::DOUBLE as amount from range(20)" >/dev/null
"$LDP" sql -o "$T/b1.csv" "select (100 + range)::BIGINT as id, TIMESTAMP '2023-02-01' + range * INTERVAL 1 HOUR as ts, 'b' as name, 1.0::DOUBLE as amount from range(3)" >/dev/null
"$LDP" sql -o "$T/b2.csv" "select (200 + range)::BIGINT as id, TIMESTAMP '2023-02-02' + range * INTERVAL 1 HOUR as ts, 'b' as name, 2.0::DOUBLE as amount from range(4)" >/dev/null
mkdir -p "$T/glob"
for k in 1 2 3; do
	"$LDP" sql -o "$T/glob/part$k.parquet" "select ($k * 1000 + range)::BIGINT as id, TIMESTAMP '2023-03-0$k' as ts, 'g$k' as name, $k::DOUBLE as amount from range(10)" >/dev/null
done
[[ -f "$T/a.parquet" && -f "$T/glob/part3.parquet" ]] && ok "data files written" || fail "data files"

# ---- namespaces ----
must "namespace create" "$LDP" namespace create db --property owner=alice
must "namespace create nested" "$LDP" namespace create db.eu
must "namespace create other" "$LDP" namespace create other
must_fail "namespace create duplicate" "db" "$LDP" namespace create db
must_fail "namespace create orphan child" "nope" "$LDP" namespace create nope.child
must "namespace list --json" "$LDP" namespace list --json
py "namespace list is the top level" 'd == ["db", "other"]'
must "namespace list db --json" "$LDP" namespace list db --json
py "namespace list children" 'd == ["db.eu"]'
must "namespace describe --json" "$LDP" namespace describe db --json
py "namespace describe" 'd["namespace"] == "db" and d["properties"] == {"owner": "alice"}'
must "namespace set" "$LDP" namespace set db owner=bob team=data
must "namespace set --unset" "$LDP" namespace set db --unset team
must "namespace describe after set" "$LDP" namespace describe db --json
py "namespace properties updated" 'd["properties"] == {"owner": "bob"}'
must_fail "namespace describe missing" "nope" "$LDP" namespace describe nope
must_fail "namespace set nothing" "nothing to change" "$LDP" namespace set db
must_fail "namespace drop non-empty" "db" "$LDP" namespace drop db
must "namespace drop other" "$LDP" namespace drop other
must "namespace list after drop" "$LDP" namespace list --json
py "dropped namespace gone" 'd == ["db"]'
must_fail "namespace bad subcommand" "frob" "$LDP" namespace frob

# ---- table create ----
must "create --schema --partition-by --sort-by --property" "$LDP" table create db.events \
	--schema "id BIGINT NOT NULL, ts TIMESTAMP, name VARCHAR, amount DOUBLE" \
	--partition-by "day(ts), bucket(4, id)" --sort-by "ts desc, id" --property write.parquet.compression-codec=snappy
must "describe --json" "$LDP" table describe db.events --json
py "describe: schema" '[(f["name"], f["type"], f["required"]) for f in d["schema"]["fields"]] == [("id","long",True),("ts","timestamp",False),("name","string",False),("amount","double",False)]'
py "describe: partition spec" '[(p["name"], p["transform"]) for p in d["partition_spec"]] == [("ts_day","day"),("id_bucket","bucket[4]")]'
py "describe: property" 'd["properties"].get("write.parquet.compression-codec") == "snappy"'
py "describe: no snapshot" 'd["current_snapshot_id"] is None and d["format_version"] == 2'
meta=$(pyval 'd["metadata_location"]')
[[ -f "$meta" ]] && ok "metadata file exists" || fail "metadata file $meta"
out=$(cat "$meta")
py "sort order in metadata" 'd["sort-orders"][-1]["fields"][0]["direction"] == "desc" and d["default-sort-order-id"] == d["sort-orders"][-1]["order-id"] and len(d["sort-orders"][-1]["fields"]) == 2'
must "create --like" "$LDP" table create db.eu.likea --like "$T/a.parquet"
must "describe like" "$LDP" table describe db.eu.likea --json
py "like: columns from the file" '[f["name"] for f in d["schema"]["fields"]] == ["id","ts","name","amount"]'
must "create --as query" "$LDP" table create db.sq --as "select range as k, range * range as k2 from range(10)"
q "create --as filled the table" "select count(*), sum(k2) from db.sq" "10,285"
must "create --as file" "$LDP" table create db.fromfile --as "$T/a.parquet"
q "create --as file rows" "select count(*), sum(id) from db.fromfile" "20,190"
must_fail "create --as with a failing query" "boom" "$LDP" table create db.ctas --as "select range as a, case when range = 5 then error('boom') else 1 end as b from range(10)"
must_fail "failed create --as left no table" "does not exist" "$LDP" table describe db.ctas
[[ ! -e "$T/proj/warehouse/db/ctas" ]] && ok "failed create --as left no files" || fail "db.ctas files left behind"
must_fail "create existing" "already exists" "$LDP" table create db.events --schema "id BIGINT"
must_fail "create without schema" "exactly one of" "$LDP" table create db.x
must_fail "create in missing namespace" "ldp namespace create" "$LDP" table create nope.x --schema "id BIGINT"
must_fail "create bad partition column" "nope" "$LDP" table create db.x --schema "id BIGINT" --partition-by "day(nope)"
must_fail "create bad transform" "" "$LDP" table create db.x --schema "id BIGINT" --partition-by "frob(id)"
must_fail "create bad schema" "schema" "$LDP" table create db.x --schema "id NOTATYPE"
must_fail "create bad identifier" "namespace.table" "$LDP" table create justname --schema "id BIGINT"
must "list --json" "$LDP" table list --json
py "list: every table incl. nested" 'sorted((t["namespace"], t["table"]) for t in d) == [("db","events"),("db","fromfile"),("db","sq"),("db.eu","likea")]'
must "list db.eu --json" "$LDP" table list db.eu --json
py "list of a namespace" 'd == [{"namespace": "db.eu", "table": "likea"}]'

# ---- append ----
must "append a file" "$LDP" table append db.events "$T/a.parquet"
must "append a glob" "$LDP" table append db.events "$T/glob/*.parquet"
sleep 1.1 # the next snapshot is in a later second: whole-second time travel can tell them apart
must "append a csv glob" "$LDP" table append db.events "$T/b*.csv"
must "append a query" "$LDP" table append db.events "select 34::BIGINT as id, TIMESTAMP '2023-01-01 10:00:00' as ts, 'q' as name, 0.5::DOUBLE as amount"
q "rows after appends" "select count(*), sum(id) from db.events" "58,$((190 + 10045 + 20045 + 30045 + 303 + 806 + 34))"
q "rows equal the sources" "select count(*) from ((select * from db.events) except all (select * from read_parquet('$T/a.parquet') union all select * from read_parquet('$T/glob/*.parquet') union all select * from read_csv('$T/b*.csv') union all select 34, TIMESTAMP '2023-01-01 10:00:00', 'q', 0.5))" "0"
must_fail "append a missing file" "" "$LDP" table append db.events "$T/missing.parquet"
must_fail "append narrowing type" "cast it" "$LDP" table append db.events "select 'x' as id"
must_fail "append NULL into required" "required" "$LDP" table append db.events "select NULL::BIGINT as id"
must_fail "append to a missing table" "db.nope" "$LDP" table append db.nope "select 1 as id"
must_fail "append without source" "needs a table and a source" "$LDP" table append db.events
q "failed appends committed nothing" "select count(*) from db.events" "58"

must "snapshots --json" "$LDP" table snapshots db.events --json
py "four append snapshots" 'len(d) == 4 and all(s["operation"] == "append" for s in d) and [s["sequence_number"] for s in d] == [1,2,3,4]'
py "snapshot parents chain" 'all(d[i]["parent_id"] == d[i-1]["snapshot_id"] for i in range(1,4)) and d[0]["parent_id"] is None'
py "summaries add up" 'sum(int(s["summary"]["added-records"]) for s in d) == 58 and d[-1]["summary"]["total-records"] == "58"'
py "only the last is current" '[s["current"] for s in d] == [False, False, False, True]'
S1=$(pyval 'd[0]["snapshot_id"]')
S2=$(pyval 'd[1]["snapshot_id"]')
S4=$(pyval 'd[3]["snapshot_id"]')
T2=$(pyval 'd[1]["timestamp_ms"]')
T3=$(pyval 'd[2]["timestamp_ms"]')
must "history --json" "$LDP" table history db.events --json
py "history lists the four in order" "[h['snapshot_id'] for h in d] == [$S1, $S2, $(pyval 'd[2]["snapshot_id"]'), $S4]"

must "files --json" "$LDP" table files db.events --json
py "files: record counts sum" 'sum(f["record_count"] for f in d) == 58'
py "files: partition paths" 'any(f["partition"] == "ts_day=2023-01-01/id_bucket=3" for f in d)'
FILES_JSON=$out
nfiles=$(pyval 'len(d)')
q "files: every file counted by DuckDB" "select count(*) from read_parquet([$(pyval '", ".join(repr(f["file_path"]) for f in d)')])" "58"
must "files --snapshot S1" "$LDP" table files db.events --snapshot "$S1" --json
py "files at S1 hold the first file's rows" 'sum(f["record_count"] for f in d) == 20'
must "partitions --json" "$LDP" table partitions db.events --json
py "partitions add up to the files" "sum(p['record_count'] for p in d) == 58 and sum(p['file_count'] for p in d) == $nfiles"
py "partitions are distinct" 'len({p["partition"] for p in d}) == len(d)'
out=$FILES_JSON
py "id 34 (bucket 3, spec Appendix B) in day 2023-01-01" 'any(f["partition"] == "ts_day=2023-01-01/id_bucket=3" and f["record_count"] >= 1 for f in d)'
must "partitions --as-of between S2 and S3" "$LDP" table partitions db.events --as-of "ms:$((T3 - 1))" --json
py "partitions as of S2" 'sum(p["record_count"] for p in d) == 50'
must "history --snapshot S2" "$LDP" table history db.events --snapshot "$S2" --json
py "history of S2 is S1, S2" "[h['snapshot_id'] for h in d] == [$S1, $S2]"
must "snapshots --as-of between S2 and S3" "$LDP" table snapshots db.events --as-of "ms:$((T3 - 1))" --json
py "snapshots as of S2" "[s['snapshot_id'] for s in d] == [$S1, $S2]"
must_fail "describe refuses --snapshot" "takes no" "$LDP" table describe db.events --snapshot "$S1"
must_fail "--branch without a name" "needs a branch name" "$LDP" table append db.events "$T/a.parquet" --branch
must_fail "--property without a value" "needs a value" "$LDP" namespace create zz --property
must_fail "files --snapshot missing" "no snapshot" "$LDP" table files db.events --snapshot 42
must_fail "files --as-of before the table" "no snapshot" "$LDP" table files db.events --as-of "2001-01-01"
must_fail "files --as-of garbage" "" "$LDP" table files db.events --as-of "yesterday"

# ---- time travel in ldp sql (each form of docs/cli.md) ----
q "sql at snapshot id" "select count(*) from db.\"events@$S1\"" "20"
must "tag create v1 at S2" "$LDP" table tag create db.events v1 --snapshot "$S2"
q "sql @tag:v1" "select count(*) from db.\"events@tag:v1\"" "50"
q "sql @v1 (bare)" "select count(*) from db.\"events@v1\"" "50"
q "sql @ms:" "select count(*) from db.\"events@ms:$((T3 - 1))\"" "50"
# a whole-second time between S1 and S3 when the clock allows it; otherwise after S2 only
sec_ms=$(python3 -c "print(($T2 + 999) // 1000 * 1000)")
if ((sec_ms < T3)); then
	tsp=$(python3 -c "import datetime; print(datetime.datetime.fromtimestamp($sec_ms // 1000, datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S'))")
	tst=${tsp/ /T}Z
	q "sql @'YYYY-MM-DD hh:mm:ss'" "select count(*) from db.\"events@$tsp\"" "50"
	q "sql @YYYY-MM-DDThh:mm:ssZ" "select count(*) from db.\"events@$tst\"" "50"
else
	fail "S2 and S3 within one second despite the sleep"
fi
now=$(date -u -d '+1 day' '+%Y-%m-%d %H:%M:%S')
q "sql @timestamp now" "select count(*) from db.\"events@$now\"" "58"
q "sql @YYYY-MM-DD" "select count(*) from db.\"events@$(date -u -d '+1 day' '+%Y-%m-%d')\"" "58"
q "sql @T..Z" "select count(*) from db.\"events@${now/ /T}Z\"" "58"
must_fail "sql @ before the table" "no snapshot" "$LDP" sql "select count(*) from db.\"events@2001-01-01\""
must_fail "sql @missing snapshot" "no snapshot" "$LDP" sql "select count(*) from db.\"events@42\""
must_fail "sql @missing ref" "nope" "$LDP" sql "select count(*) from db.\"events@tag:nope\""
must_fail "sql @ on a missing table" "not found" "$LDP" sql "select count(*) from db.\"nope@1\""
q "sql join of two versions" "select (select count(*) from db.events) - (select count(*) from db.\"events@$S1\")" "38"
(cd sub/dir && q "sql from a subdirectory" "select count(*) from db.events" "58")
q "sql nested namespace (quoted)" "select count(*) from \"db.eu\".likea" "0"

# ---- overwrite ----
must "overwrite (whole table)" "$LDP" table overwrite db.sq "select range as k, 0::BIGINT as k2 from range(3)"
q "overwrite replaced the rows" "select count(*), sum(k2) from db.sq" "3,0"
must "snapshots of sq" "$LDP" table snapshots db.sq --json
py "overwrite summary" 'd[-1]["operation"] == "overwrite" and d[-1]["summary"]["deleted-records"] == "10" and d[-1]["summary"]["added-records"] == "3" and d[-1]["summary"]["total-records"] == "3" and d[-1]["summary"]["total-data-files"] == "1"'
SQ1=$(pyval 'd[0]["snapshot_id"]')
q "old rows at the previous snapshot" "select count(*), sum(k2) from db.\"sq@$SQ1\"" "10,285"

# dynamic: the partitions (day, bucket) of the two new rows are replaced, all others kept.
# Which old rows share them is computed with DuckDB's date cast and ldp_bucket (checked
# against the spec's vectors in the unit tests; bucket(16, 34) = 3 is Appendix B).
q "ldp_bucket spec vector" "select ldp_bucket(34::BIGINT, 16)" "3"
NEW="select (9000 + range)::BIGINT as id, TIMESTAMP '2023-03-01 12:00:00' as ts, 'dyn' as name, 9.0::DOUBLE as amount from range(2)"
KEEP="select * from db.\"events@$S4\" where not (ts::DATE = DATE '2023-03-01' and ldp_bucket(id, 4) in (select ldp_bucket(9000 + range, 4) from range(2)))"
kept=$(sql1 "select count(*) from ($KEEP)")
((kept > 20 && kept < 58)) && ok "dynamic overwrite replaces some rows ($((58 - kept)))" || fail "kept $kept"
must "overwrite --dynamic" "$LDP" table overwrite db.events "$NEW" --dynamic
run "$LDP" table snapshots db.events --json
py "dynamic overwrite summary" "d[-1]['operation'] == 'overwrite' and int(d[-1]['summary']['deleted-records']) == $((58 - kept)) and int(d[-1]['summary']['total-records']) == $((kept + 2)) and d[-1]['summary']['added-records'] == '2'"
q "dynamic overwrite: exactly the kept rows and the new ones" "select (select count(*) from ((select * from db.events) except all ($KEEP union all $NEW))) + (select count(*) from (($KEEP union all $NEW) except all (select * from db.events)))" "0"
q "other days untouched" "select count(*) from db.events where ts::DATE = DATE '2023-03-02'" "10"
must_fail "overwrite --dynamic on append" "unknown option" "$LDP" table append db.events "$T/a.parquet" --dynamic

# ---- branches ----
must "branch create" "$LDP" table branch create db.events dev
must "append to branch" "$LDP" table append db.events "select 77::BIGINT as id, TIMESTAMP '2024-05-05' as ts, 'dev' as name, 7.0::DOUBLE as amount" --branch dev
q "main unchanged by the branch write" "select count(*) from db.events where id = 77" "0"
q "branch sees the row" "select count(*) from db.\"events@branch:dev\" where id = 77" "1"
must "history --ref dev" "$LDP" table history db.events --ref dev --json
py "dev's history ends with its own snapshot" "len(d) == 6 and d[-2]['operation'] == 'overwrite' and d[-1]['operation'] == 'append'"
must "history of main" "$LDP" table history db.events --json
py "main's history does not have the branch commit" "len(d) == 5"
must "tag create --ref dev" "$LDP" table tag create db.events devtag --ref dev
q "tag made from a branch" "select count(*) from db.\"events@devtag\" where id = 77" "1"
must "tag drop devtag" "$LDP" table tag drop db.events devtag
must "files --ref dev" "$LDP" table files db.events --ref dev --json
py "files on dev" "sum(f['record_count'] for f in d) == $((kept + 3))"
must "branch list --json" "$LDP" table branch list db.events --json
py "branch list" 'sorted(b["name"] for b in d) == ["dev", "main"] and all(b["type"] == "branch" for b in d)'
must "tag list --json" "$LDP" table tag list db.events --json
py "tag list" "d == [{'name': 'v1', 'snapshot_id': $S2, 'type': 'tag'}]"
must_fail "tag create duplicate" "already exists" "$LDP" table tag create db.events v1
must_fail "append to a tag" "tag" "$LDP" table append db.events "select 1::BIGINT as id" --branch v1
must_fail "append to a missing branch" "branch create" "$LDP" table append db.events "select 1::BIGINT as id" --branch nope
must "branch drop" "$LDP" table branch drop db.events dev
must_fail "branch drop again" "dev" "$LDP" table branch drop db.events dev
must_fail "drop main" "main" "$LDP" table branch drop db.events main
must "tag drop" "$LDP" table tag drop db.events v1
run "$LDP" table tag list db.events --json
py "no tags left" 'd == []'

# ---- rollback ----
must "rollback to S1" "$LDP" table rollback db.events "$S1"
q "rolled back rows" "select count(*), sum(id) from db.events" "20,190"
must "history after rollback" "$LDP" table history db.events --json
py "history ends with S1" "d[-1]['snapshot_id'] == $S1"
must "describe after rollback" "$LDP" table describe db.events --json
py "current is S1" "d['current_snapshot_id'] == $S1"
must_fail "rollback to a missing snapshot" "no snapshot" "$LDP" table rollback db.events 42
must_fail "rollback bad id" "snapshot id" "$LDP" table rollback db.events abc
q "S4 still readable" "select count(*) from db.\"events@$S4\"" "58"

# ---- concurrent writers: each loss is another writer's win, so 4 writers with
# 4 retries (the default) all commit ----
must "create race table" "$LDP" table create db.race --schema "id BIGINT, w INTEGER"
for w in 1 2 3 4; do
	("$LDP" table append db.race "select range as id, $w as w from range(100)" >"$T/race$w.out" 2>&1; echo $? >"$T/race$w.rc") &
done
wait
for w in 1 2 3 4; do expect_eq "concurrent writer $w" "$(cat "$T/race$w.rc")" 0; done
q "every concurrent write landed once" "select string_agg(w || ':' || n, ' ' order by w) from (select w, count(*) n from db.race group by w)" "1:100 2:100 3:100 4:100"
run "$LDP" table snapshots db.race --json
py "race: a linear history" 'sorted(s["sequence_number"] for s in d) == [1,2,3,4] and sorted(int(s["summary"]["total-records"]) for s in d) == [100,200,300,400]'

# ---- rename and drop ----
must "rename" "$LDP" table rename db.fromfile db.eu.renamed
q "renamed table reads" "select count(*) from \"db.eu\".renamed" "20"
must_fail "old name gone" "" "$LDP" table describe db.fromfile
must "drop (keep files)" "$LDP" table drop db.eu.renamed
[[ -d "$T/proj/warehouse/db/fromfile/data" ]] && ok "drop kept the files" || fail "drop removed files"
must "describe sq for purge" "$LDP" table describe db.sq --json
sqloc=$(pyval 'd["location"]')
[[ -d "$sqloc/data" && -d "$sqloc/metadata" ]] && ok "sq files exist before purge" || fail "sq location $sqloc"
must "drop --purge" "$LDP" table drop db.sq --purge
[[ ! -e "$sqloc" ]] && ok "purge removed the files" || fail "purge left $(find "$sqloc" | head -3)"
must_fail "drop missing" "sq" "$LDP" table drop db.sq
must "list after drops" "$LDP" table list --json
py "list after drops" 'sorted(t["table"] for t in d) == ["events", "likea", "race"]'
must_fail "table bad subcommand" "frob" "$LDP" table frob
must_fail "table unknown option" "--frob" "$LDP" table files db.events --frob
must "drop the last table of db.eu" "$LDP" table drop db.eu.likea
must "namespace drop nested" "$LDP" namespace drop db.eu
must "namespace list db after nested drop" "$LDP" namespace list db --json
py "no children left" 'd == []'

if ((fails)); then
	echo "$fails failed" >&2
	exit 1
fi
echo "iceberg cli: all passed"
