#!/usr/bin/env bash
# `ldp ingest s3://...` against a real S3-compatible server (moto with
# authentication, tests/s3_server.sh): every format the reader takes (Parquet,
# CSV, TSV, NDJSON, a JSON array, gzip-compressed CSV), globs across "folders",
# a prefix, a single object, overwrite; results cross-checked against DuckDB
# (ldp sql) reading the same local files. Wrong credentials and a pattern
# matching nothing fail with clear messages and commit nothing.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
source "$LDP_SOURCE_DIR/tests/s3_server.sh"
s3_server_start

T="$LDP_TEST_TMP/e2e-s3-ingest"
rm -rf "$T"
mkdir -p "$T/proj" "$T/src/y=2024" "$T/src/y=2025"
cd "$T/proj"
unset LDP_PROJECT
export LDP_CACHE_DIR="$T/cache"
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
q() { "$LDP" sql --format csv --no-header "$1"; }
"$LDP" init . >/dev/null
"$LDP" namespace create raw >/dev/null
"$LDP" s3 mb s3://src

# source files, written by DuckDB
S="$T/src"
q "copy (select range as id, 'r' || range as name, range * 0.5 as v from range(0, 2500)) to '$S/y=2024/a.parquet' (format parquet)" >/dev/null
q "copy (select range as id, 'r' || range as name, range * 0.5 as v from range(2500, 4000)) to '$S/y=2025/b.parquet' (format parquet)" >/dev/null
q "copy (select range as id, 'c' || range as name, range * 0.25 as v from range(700)) to '$S/c.csv' (header)" >/dev/null
q "copy (select range as id, 't' || range as name, range * 1.0 as v from range(300)) to '$S/t.tsv' (header, delimiter '\t')" >/dev/null
q "copy (select range as id, 'j' || range as name, range * 2.0 as v from range(400)) to '$S/n.ndjson' (format json)" >/dev/null
q "copy (select range as id, 'a' || range as name, range * 3.0 as v from range(50)) to '$S/arr.json' (format json, array true)" >/dev/null
q "copy (select range as id, 'g' || range as name, range * 4.0 as v from range(900)) to '$S/g.csv.gz' (header, compression gzip)" >/dev/null
for f in y=2024/a.parquet y=2025/b.parquet c.csv t.tsv n.ndjson arr.json g.csv.gz; do
	"$LDP" s3 cp "$S/$f" "s3://src/in/$f"
done
# a Spark-style marker inside a "folder": skipped by prefix listings
"$LDP" s3 cp "$S/c.csv" s3://src/in/y=2024/_SUCCESS

check() { # table, local source read by DuckDB
	local got want
	got=$(q "select count(*), sum(id), round(sum(v), 2) from $1")
	want=$(q "select count(*), sum(id), round(sum(v), 2) from $2")
	[ "$got" = "$want" ] || fail "$1: got $got, want $want (from $2)"
}

"$LDP" ingest 's3://src/in/**/*.parquet' raw.pq >/dev/null
check raw.pq "read_parquet('$S/*/*.parquet')"
"$LDP" ingest s3://src/in/c.csv raw.csv >/dev/null
check raw.csv "read_csv('$S/c.csv')"
"$LDP" ingest s3://src/in/t.tsv raw.tsv >/dev/null
check raw.tsv "read_csv('$S/t.tsv', delim='\t')"
"$LDP" ingest s3://src/in/n.ndjson raw.nd >/dev/null
check raw.nd "read_json('$S/n.ndjson')"
"$LDP" ingest s3://src/in/arr.json raw.arr >/dev/null
check raw.arr "read_json('$S/arr.json')"
"$LDP" ingest 's3://src/in/*.csv.gz' raw.gz >/dev/null
check raw.gz "read_csv('$S/g.csv.gz')"
# a prefix: the parquet "folders" (y=2024/, y=2025/) hold only parquet
"$LDP" ingest s3://src/in/y=2024 raw.pfx >/dev/null
check raw.pfx "read_parquet('$S/y=2024/a.parquet')"
"$LDP" ingest s3://src/in/y=2025/ raw.pfx --mode overwrite >/dev/null
check raw.pfx "read_parquet('$S/y=2025/b.parquet')"

# the fetched copies are gone after the ingest
[ -z "$(ls -A "$T/cache/ingest" 2>/dev/null)" ] || fail "ingest left files in the cache: $(ls "$T/cache/ingest")"

# nothing matches: an error naming the source, no table created
"$LDP" ingest 's3://src/in/*.xlsx' raw.none 2>err.txt && fail "empty match ingested"
grep -q "no files" err.txt || fail "empty match message: $(cat err.txt)"
# wrong credentials: the S3 status, nothing committed
before=$(q "select count(*) from raw.csv")
AWS_SECRET_ACCESS_KEY=wrong "$LDP" ingest s3://src/in/c.csv raw.csv 2>err.txt && fail "wrong secret ingested"
grep -q "HTTP 403 SignatureDoesNotMatch" err.txt || fail "wrong secret message: $(cat err.txt)"
[ "$(q "select count(*) from raw.csv")" = "$before" ] || fail "a failed ingest changed raw.csv"
"$LDP" ingest s3://no-bucket/x.csv raw.x 2>err.txt && fail "missing bucket ingested"
grep -q "NoSuchBucket" err.txt || fail "missing bucket message: $(cat err.txt)"
echo "s3 ingest: ok"
