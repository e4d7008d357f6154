#!/usr/bin/env bash
# A project whose warehouse is s3://bucket/path on a real S3-compatible
# server (moto with authentication, tests/s3_server.sh): create, append,
# overwrite, partitioned writes, read, time travel, drop --purge; the
# objects checked with boto3; pyiceberg 0.12 (its own S3 client: pyarrow)
# reads the tables from the same catalog.db and appends, and ldp reads that.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
source "$LDP_SOURCE_DIR/tests/s3_server.sh"
s3_server_start

T="$LDP_TEST_TMP/e2e-s3-warehouse"
rm -rf "$T"
mkdir -p "$T/proj"
cd "$T/proj"
unset LDP_PROJECT
export LDP_CACHE_DIR="$T/cache"
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
q() { "$LDP" sql --format csv --no-header "$1"; }

"$LDP" s3 mb s3://lake
# the endpoint comes from ldp.yml here, not the environment
cat >ldp.yml <<EOF
name: s3proj
warehouse: s3://lake/wh
catalog:
  uri: catalog.db
s3:
  endpoint: $S3_ENDPOINT
  region: us-east-1
  path_style: true
EOF
unset AWS_ENDPOINT_URL

"$LDP" namespace create ns
"$LDP" table create ns.t --schema "id BIGINT, name VARCHAR"
"$LDP" table append ns.t "select range as id, 'n' || range as name from range(1000)"
"$LDP" table append ns.t "select range as id, 'm' || range as name from range(1000, 1500)"
[ "$(q 'select count(*), sum(id) from ns.t')" = "1500,1124250" ] || fail "read after appends"
first=$("$LDP" table snapshots ns.t --json | "$S3_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["snapshot_id"])')
"$LDP" table overwrite ns.t "select range as id, 'o' as name from range(10)"
[ "$(q 'select count(*), sum(id) from ns.t')" = "10,45" ] || fail "read after overwrite"
[ "$(q "select count(*) from ns.\"t@$first\"")" = "1000" ] || fail "time travel to the first snapshot"

"$LDP" table create ns.p --schema "id BIGINT, d DATE" --partition-by "day(d)"
"$LDP" table append ns.p "select range as id, date '2024-01-01' + (range % 3)::int as d from range(30)"
[ "$(q 'select count(distinct d), count(*) from ns.p')" = "3,30" ] || fail "partitioned read"

# many files: fetched into the cache several at a time, all of them right
"$LDP" table create ns.many --schema "k INT, v BIGINT" --partition-by "k" >/dev/null
"$LDP" table append ns.many "select (range % 24)::int as k, range as v from range(2400)" >/dev/null
rm -rf "$T/cache"
[ "$(q 'select count(distinct k), count(*), sum(v) from ns.many')" = "24,2400,2878800" ] || fail "read of 24 files"
[ "$(find "$T/cache/s3" -path '*/wh/ns/many/data/*' -name '*.parquet' | wc -l)" = 24 ] || fail "24 cached files"
"$LDP" table drop ns.many --purge >/dev/null

# Everything the catalog points at is in the bucket; nothing of the table
# was written to local disk except the cache of data files.
"$S3_PY" - "$S3_ENDPOINT" <<'EOF' || fail "bucket contents"
import sys, sqlite3, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
keys = {o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket="lake") for o in p.get("Contents", [])}
db = sqlite3.connect("catalog.db")
locs = [r[0] for r in db.execute("select metadata_location from iceberg_tables")]
assert len(locs) == 2, locs
for loc in locs:
    assert loc.startswith("s3://lake/wh/ns/"), loc
    assert loc[len("s3://lake/"):] in keys, (loc, keys)
assert any(k.startswith("wh/ns/p/data/d_day=2024-01-02/") and k.endswith(".parquet") for k in keys), keys
assert not any(".ldp-staging" in k for k in keys), keys
EOF
[ -d "$T/cache/s3" ] || fail "no content cache at LDP_CACHE_DIR"
[ ! -d wh ] && [ ! -d s3: ] || fail "table files written locally"

# pyiceberg reads the s3 table through the same catalog.db
venv_parent=$(s3_server_deps)
if ! py=$(bash "$LDP_SOURCE_DIR/scripts/pyenv.sh" "$venv_parent/pyenv"); then
	fail "could not set up the pyiceberg venv"
fi
"$py" - "$S3_ENDPOINT" "$T/proj/catalog.db" <<'EOF' || fail "pyiceberg read of the s3 warehouse"
import os, sys
from pyiceberg.catalog.sql import SqlCatalog
cat = SqlCatalog("ldp", uri="sqlite:///" + sys.argv[2], warehouse="s3://lake/wh", **{
    "s3.endpoint": sys.argv[1], "s3.region": "us-east-1",
    "s3.access-key-id": os.environ["AWS_ACCESS_KEY_ID"],
    "s3.secret-access-key": os.environ["AWS_SECRET_ACCESS_KEY"],
})
t = cat.load_table("ns.t").scan().to_arrow()
assert t.num_rows == 10 and sum(t.column("id").to_pylist()) == 45, t
p = cat.load_table("ns.p").scan(row_filter="d = '2024-01-02'").to_arrow()
assert p.num_rows == 10, p.num_rows
print("pyiceberg read", t.num_rows, "+", p.num_rows, "rows from s3")
# and writes: 5 rows into a new day partition, committed through the same catalog
import datetime, pyarrow as pa
tbl = cat.load_table("ns.p")
tbl.append(pa.table({"id": pa.array(range(100, 105), pa.int64()),
                     "d": pa.array([datetime.date(2024, 1, 5)] * 5, pa.date32())}, schema=tbl.schema().as_arrow()))
EOF
[ "$(q 'select count(distinct d), count(*), sum(id) from ns.p')" = "4,35,945" ] || fail "ldp read of pyiceberg's append"

# a stale cached copy (another size than the manifest says) is fetched again
victim=$(find "$T/cache/s3" -path '*/wh/ns/p/data/*' -name '*.parquet' | head -1)
[ -n "$victim" ] || fail "no cached data file"
size=$(stat -c %s "$victim")
echo "junk" >>"$victim"
[ "$(q 'select count(distinct d), count(*), sum(id) from ns.p')" = "4,35,945" ] || fail "read with a stale cache entry"
[ "$(stat -c %s "$victim")" = "$size" ] || fail "the stale cache entry was not replaced"

# a wrong secret fails the read with the S3 status, and commits nothing
before=$(q 'select count(*) from ns.t')
if AWS_SECRET_ACCESS_KEY=wrong "$LDP" table append ns.t "select 1 as id, 'x' as name" 2>err.txt; then
	fail "append with a wrong secret succeeded"
fi
grep -q "403" err.txt || fail "wrong secret message: $(cat err.txt)"
[ "$(q 'select count(*) from ns.t')" = "$before" ] || fail "a failed append changed the table"

# drop --purge removes the table's objects, and only them
"$LDP" table drop ns.t --purge
[ -z "$("$LDP" s3 ls s3://lake/wh/ns/t/)" ] || fail "purge left objects"
[ -n "$("$LDP" s3 ls s3://lake/wh/ns/p/)" ] || fail "purge removed another table's objects"
echo "s3 warehouse: ok"
