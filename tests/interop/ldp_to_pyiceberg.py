#!/usr/bin/env python3
"""ldp writes, pyiceberg 0.12.0 (the reference) reads.

usage: LDP=<ldp binary> python ldp_to_pyiceberg.py <scratch dir>

The ldp binary creates a project, a table with every primitive type ldp can
create (fixed(L) has no DuckDB type, so `ldp table create` cannot make one;
pyiceberg_to_ldp.py covers fixed) partitioned by day(ts) and bucket(16, id),
appends three times (a Parquet file, then queries) and overwrites once. Then
pyiceberg's SqlCatalog opens the same catalog.db and every snapshot is
compared: rows, snapshot log and summaries, schema and spec ids, manifests
against the data files.
"""

import os
import shutil
import sys


from interop_common import (
    check,
    check_data_files,
    check_eq,
    check_files,
    check_snapshots,
    check_summaries,
    compare_scan,
    finish,
    ldp,
    ldp_json,
    open_catalog,
    ldp_rows,
    schema_json,
    spec_json,
)

SCHEMA = (
    "id BIGINT NOT NULL, b BOOLEAN, i INTEGER, f FLOAT, d DOUBLE, dec DECIMAL(12,3), dt DATE, tm TIME, "
    "ts TIMESTAMP, tstz TIMESTAMPTZ, s VARCHAR, u UUID, bin BLOB"
)

# Append 1, written to a Parquet file by `ldp sql -o` and appended from it:
# 40 rows over ~10 days around the epoch (negative day numbers included),
# every type populated, every fifth row NULL in the optional columns.
BATCH1 = r"""
select range::bigint as id,
  case when range % 5 = 0 then null else range % 2 = 0 end as b,
  case when range % 5 = 0 then null else (range * 7919 - 100000)::integer end as i,
  case when range % 5 = 0 then null else (range / 4.0 - 3)::float end as f,
  case when range % 5 = 0 then null else range * -1.0000000000000002e-3 end as d,
  case when range % 5 = 0 then null else (range * 1234.567 - 20000)::decimal(12,3) end as dec,
  case when range % 5 = 0 then null else date '1969-12-25' + range::integer end as dt,
  case when range % 5 = 0 then null else time '00:00:00.000001' + to_microseconds(range * 3600000001) end as tm,
  case when range % 5 = 0 then null else timestamp '1969-12-27 22:30:00.5' + to_microseconds(range * 6 * 3600000000 + range) end as ts,
  case when range % 5 = 0 then null else timestamptz '1999-12-31 23:59:59.999999+00' + to_microseconds(range * 1000003) end as tstz,
  case when range % 5 = 0 then null else 'row ' || range || ' ünïcödé ☃ 𝄞' end as s,
  case when range % 5 = 0 then null else ('00000000-0000-4000-8000-' || lpad(range::varchar, 12, '0'))::uuid end as u,
  case when range % 5 = 0 then null else ('\x00\xFF\x5C' || range::varchar)::blob end as bin
from range(1, 41)
"""

# Append 2: a query with extreme and awkward values, one row per line.
BATCH2 = r"""
select * from (values
  (100::bigint, true, (-2147483648)::integer, -3.4028235e38::float, -1.7976931348623157e308::double, -999999999.999::decimal(12,3),
   date '0001-01-01', time '00:00:00', timestamp '1900-01-01 00:00:00', timestamptz '1901-12-13 20:45:52+00',
   '', uuid '00000000-0000-0000-0000-000000000000', ''::blob),
  (101, false, 2147483647, 1.4e-45::float, 4.9e-324::double, 999999999.999,
   date '9999-12-31', time '23:59:59.999999', timestamp '2262-04-11 23:47:16.854775', timestamptz '2038-01-19 03:14:08+00',
   'Ελληνικά 中文 日本語 🙂 "quoted" \back\slash', uuid 'ffffffff-ffff-ffff-ffff-ffffffffffff', '\xFF\xFE\x00\x01'::blob),
  (102, null, 0, -0.0::float, 0.1::double + 0.2::double, 0.001,
   date '1970-01-01', time '12:00:00', timestamp '1969-12-31 23:59:59.999999', timestamptz '1970-01-01 00:00:00+00',
   'x', uuid 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 'plain ascii'::blob),
  (-5, null, null, null, null, null, null, null, null, null, null, null, null)
) as v(id, b, i, f, d, dec, dt, tm, ts, tstz, s, u, bin)
"""

# Append 3: columns in another order than the table's, some left out (NULL).
BATCH3 = r"""
select 'third ' || range as s, range::bigint + 200 as id,
  timestamp '1960-02-29 12:00:00' + to_microseconds(range * 86400000000) as ts, (range % 3 = 0) as b
from range(0, 6)
"""

# The overwrite: replace everything by the even ids of the current table plus
# new rows, read through ldp's own scan of the table.
OVERWRITE = r"""
select * replace (coalesce(s, '') || ' (kept)' as s) from ns.t where id % 2 = 0
union all
select 300, true, 3, 3.5::float, 3.25::double, 3.125, date '1950-05-05', time '05:05:05', timestamp '1950-05-05 05:05:05',
  timestamptz '1950-05-05 05:05:05+00', 'new ☃', uuid '12345678-1234-4678-9234-567812345678', '\x01\x02'::blob
"""


def main():
    root = sys.argv[1]
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    proj = os.path.join(root, "proj")
    ldp(root, "init", proj)
    ldp(proj, "namespace", "create", "ns")
    ldp(proj, "table", "create", "ns.t", "--schema", SCHEMA, "--partition-by", "day(ts), bucket(16, id)")
    pq_file = os.path.join(root, "batch1.parquet")
    ldp(proj, "sql", "-o", pq_file, BATCH1)
    ldp(proj, "table", "append", "ns.t", pq_file)
    ldp(proj, "table", "append", "ns.t", BATCH2)
    ldp(proj, "table", "append", "ns.t", BATCH3)
    ldp(proj, "table", "overwrite", "ns.t", OVERWRITE)

    cat = open_catalog(proj)
    check_eq("pyiceberg lists the namespace", cat.list_namespaces(), [("ns",)])
    check_eq("pyiceberg lists the table", cat.list_tables("ns"), [("ns", "t")])
    t = cat.load_table("ns.t")
    schema = t.schema()

    desc = ldp_json(proj, "table", "describe", "ns.t", "--json")
    check_eq("schema: field ids, names, types, required", desc["schema"]["fields"], schema_json(schema))
    check_eq("partition spec: names, transforms, source and field ids", desc["partition_spec"], spec_json(t.spec()))
    check_eq("current snapshot id", desc["current_snapshot_id"], t.metadata.current_snapshot_id)
    check_eq("table uuid", desc["table_uuid"], str(t.metadata.table_uuid))
    check_eq("format version", desc["format_version"], t.metadata.format_version)

    compare_scan("current snapshot: ldp sql vs pyiceberg scan", proj, "select * from ns.t order by id", t.scan(), schema)

    snaps = t.snapshots()
    check_eq("four snapshots: append x3, overwrite", [s.summary.operation.value for s in snaps],
             ["append", "append", "append", "overwrite"])
    check_eq("snapshot parents chain", [s.parent_snapshot_id for s in snaps], [None] + [s.snapshot_id for s in snaps[:-1]])
    check_snapshots("ldp table snapshots", proj, "ns.t", t)
    check_summaries("summary", t, snaps)
    counts = []
    for s in snaps:
        compare_scan(f"time travel to {s.snapshot_id}", proj, f'select * from ns."t@{s.snapshot_id}" order by id',
                     t.scan(snapshot_id=s.snapshot_id), schema)
        check_files("ldp table files", proj, "ns.t", t, s)
        check_data_files("manifests vs data files", t, s)
        counts.append(len(ldp_rows(proj, f'select id from ns."t@{s.snapshot_id}"')))
    # Hand-counted: 40 rows, +4, +6; then the even ids (20 of 1..40, 100 and
    # 102, 200/202/204) plus one new row.
    check_eq("row counts per snapshot", counts, [40, 44, 50, 26])

    # Partitions: ldp's listing against pyiceberg's inspect.partitions().
    got = sorted((p["partition"], p["record_count"], p["file_count"])
                 for p in ldp_json(proj, "table", "partitions", "ns.t", "--json"))
    want = sorted((t.spec().partition_to_path(_record(t, p["partition"]), schema), p["record_count"], p["file_count"])
                  for p in t.inspect.partitions().to_pylist())
    check_eq("ldp table partitions vs pyiceberg inspect.partitions()", got, want)
    finish()


def _record(t, d):
    from pyiceberg.typedef import Record

    # inspect.partitions() gives dates for day() partitions; the spec's
    # path function takes the internal day number.
    import datetime as dt

    vals = []
    for f in t.spec().fields:
        v = d[f.name]
        vals.append((v - dt.date(1970, 1, 1)).days if isinstance(v, dt.date) else v)
    return Record(*vals)


if __name__ == "__main__":
    main()
