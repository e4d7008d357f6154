#!/usr/bin/env python3
"""pyiceberg 0.12.0 (the reference) writes, ldp reads, then both write.

usage: LDP=<ldp binary> python pyiceberg_to_ldp.py <scratch dir>

In the catalog.db of a project made by `ldp init`, pyiceberg creates py.t
partitioned by identity(category) and month(ts), appends three times,
evolves the schema (adds `note`, renames `category` to `kind`, promotes
int to long and float to double, drops `bin`) and appends again. ldp must read every snapshot as pyiceberg does (time travel reads
with the snapshot's schema, so old snapshots show `category`), and list the
same snapshots, files and partitions. Then ldp appends to the table,
pyiceberg reads ldp's snapshot back and appends on top of it, and ldp reads
that. A second table, py.fx, has a fixed(4) column, which ldp must read.
"""

import datetime as dt
import decimal
import os
import shutil
import sys
import uuid

import pyarrow as pa
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform, IdentityTransform, MonthTransform
from pyiceberg.types import (
    BinaryType,
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    FixedType,
    FloatType,
    IntegerType,
    LongType,
    NestedField,
    StringType,
    TimestampType,
    TimestamptzType,
    TimeType,
    UUIDType,
)

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
    schema_json,
    spec_json,
)

UTC = dt.timezone.utc

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "category", StringType(), required=False),
    NestedField(3, "ts", TimestampType(), required=False),
    NestedField(4, "tstz", TimestamptzType(), required=False),
    NestedField(5, "amount", DecimalType(12, 3), required=False),
    NestedField(6, "u", UUIDType(), required=False),
    NestedField(7, "tm", TimeType(), required=False),
    NestedField(8, "d", DateType(), required=False),
    NestedField(9, "flag", BooleanType(), required=False),
    NestedField(10, "f", FloatType(), required=False),
    NestedField(11, "dbl", DoubleType(), required=False),
    NestedField(12, "i", IntegerType(), required=False),
    NestedField(13, "bin", BinaryType(), required=False),
)
SPEC = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="category"),
    PartitionField(source_id=3, field_id=1001, transform=MonthTransform(), name="ts_month"),
)


def arrow_schema(evolved=False):
    """The Arrow schema of pyiceberg's appends; `evolved`: after the schema
    change (category renamed to kind, i and f promoted to long and double,
    bin dropped, note added)."""
    cat_name = "kind" if evolved else "category"
    fields = [
        pa.field("id", pa.int64(), nullable=False),
        pa.field(cat_name, pa.string()),
        pa.field("ts", pa.timestamp("us")),
        pa.field("tstz", pa.timestamp("us", tz="UTC")),
        pa.field("amount", pa.decimal128(12, 3)),
        pa.field("u", pa.uuid()),
        pa.field("tm", pa.time64("us")),
        pa.field("d", pa.date32()),
        pa.field("flag", pa.bool_()),
        pa.field("f", pa.float64() if evolved else pa.float32()),
        pa.field("dbl", pa.float64()),
        pa.field("i", pa.int64() if evolved else pa.int32()),
    ]
    if evolved:
        fields.append(pa.field("note", pa.string()))
    else:
        fields.append(pa.field("bin", pa.binary()))
    return pa.schema(fields)


def batch(ids, evolved=False):
    """Rows with negative numbers, pre-1970 times, unicode and NULLs (every
    seventh row is NULL in all optional columns)."""
    cat_name = "kind" if evolved else "category"
    cols = {k: [] for k in arrow_schema(evolved).names}
    for i in ids:
        null = i % 7 == 0
        def v(x):
            return None if null else x
        cols["id"].append(i)
        cols[cat_name].append(v(["a", "b", "ç/ü ☃"][i % 3]))
        cols["ts"].append(v(dt.datetime(1969, 11, 30, 23, 59, 59, 999999) + dt.timedelta(days=23 * i, microseconds=i)))
        cols["tstz"].append(v(dt.datetime(1960, 1, 1, tzinfo=UTC) + dt.timedelta(hours=1000 * i, microseconds=7 * i)))
        cols["amount"].append(v(decimal.Decimal(i * 1001 - 5000) / 1000))
        cols["u"].append(v(uuid.UUID(int=(i * 0x9E3779B97F4A7C15) % (1 << 128)).bytes))
        cols["tm"].append(v(dt.time(i % 24, (i * 7) % 60, (i * 13) % 60, i * 37 % 1000000)))
        cols["d"].append(v(dt.date(1899, 12, 31) + dt.timedelta(days=4001 * i)))
        cols["flag"].append(v(i % 2 == 0))
        cols["f"].append(v(i * -0.375))
        cols["dbl"].append(v(i * 1.1e-7 - 1e300 * (i % 2)))
        cols["i"].append(v(-(2 ** 31) + abs(i) if i % 3 == 0 else 2 ** 31 - 1 - abs(i)))
        if evolved:
            cols["i"][-1] = v(-(2 ** 40) * i)  # beyond int
            cols["note"].append(None if i % 2 else f"note {i} ✓")
        else:
            cols["bin"].append(v(bytes([i % 256, 0, 255, 92]) * (i % 4)))
    return pa.table(cols, schema=arrow_schema(evolved))


def scans_agree(proj, t, what):
    """Every snapshot of the table, and the current one, read by both."""
    for s in t.snapshots():
        sch = next(x for x in t.metadata.schemas if x.schema_id == s.schema_id)
        compare_scan(f"{what}: time travel to {s.snapshot_id} (schema {s.schema_id})", proj,
                     f'select * from py."t@{s.snapshot_id}" order by id', t.scan(snapshot_id=s.snapshot_id), sch)
        check_files(f"{what}: ldp table files", proj, "py.t", t, s)
        check_data_files(f"{what}: manifests vs data files", t, s)
    compare_scan(f"{what}: current snapshot", proj, "select * from py.t order by id", t.scan(), t.schema())
    check_snapshots(f"{what}: ldp table snapshots", proj, "py.t", t)
    desc = ldp_json(proj, "table", "describe", "py.t", "--json")
    check_eq(f"{what}: schema field ids", desc["schema"]["fields"], schema_json(t.schema()))
    check_eq(f"{what}: schema id", desc["schema"]["schema-id"], t.schema().schema_id)
    check_eq(f"{what}: partition spec", desc["partition_spec"], spec_json(t.spec()))
    got = sorted((p["partition"], p["record_count"], p["file_count"])
                 for p in ldp_json(proj, "table", "partitions", "py.t", "--json"))
    want = []
    for p in t.inspect.partitions().to_pylist():
        part = p["partition"]
        months = part["ts_month"]
        want.append((t.spec().partition_to_path(_rec(part["category"], months), t.schema()),
                     p["record_count"], p["file_count"]))
    check_eq(f"{what}: ldp table partitions vs pyiceberg inspect.partitions()", got, sorted(want))


def _rec(*vals):
    from pyiceberg.typedef import Record

    return Record(*vals)


def main():
    root = sys.argv[1]
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    proj = os.path.join(root, "proj")
    ldp(root, "init", proj)
    cat = open_catalog(proj)
    cat.create_namespace("py")
    t = cat.create_table("py.t", SCHEMA, partition_spec=SPEC)
    t.append(batch(range(1, 15)))
    t.append(batch(range(15, 22)))
    t.append(batch([-3, -2, 0]))
    with t.update_schema() as u:
        u.add_column("note", StringType())
        u.rename_column("category", "kind")
        u.update_column("i", LongType())
        u.update_column("f", DoubleType())
        u.delete_column("bin")
    t = cat.load_table("py.t")
    t.append(batch(range(30, 38), evolved=True))
    t = cat.load_table("py.t")

    _, out, _ = ldp(proj, "table", "list", "--json")
    check("ldp lists pyiceberg's table", '"t"' in out and '"py"' in out, out)
    check_eq("pyiceberg wrote 4 snapshots, the last with schema 1", [s.schema_id for s in t.snapshots()], [0, 0, 0, 1])
    scans_agree(proj, t, "pyiceberg's table")
    check_summaries("pyiceberg's summary", t, t.snapshots())

    # ldp appends to pyiceberg's table (columns by name, `note` and `kind`
    # of the evolved schema, a column left out) and pyiceberg reads it back.
    ldp(proj, "table", "append", "py.t", r"""
        select 100::bigint as id, 'ldp ✓' as kind, timestamp '1955-07-04 01:02:03.000004' as ts,
          timestamptz '2001-02-03 04:05:06.7+00' as tstz, -12.5::decimal(12,3) as amount,
          uuid '01234567-89ab-cdef-0123-456789abcdef' as u, time '13:14:15' as tm, date '1800-02-03' as d,
          true as flag, -1.25::double as f, 2.5e-10::double as dbl, 9007199254740993::bigint as i,
          'from ldp' as note
        union all
        select 101, 'a', null, null, null, null, null, null, null, null, null, null, null""")
    before = t.metadata.current_snapshot_id
    t = cat.load_table("py.t")
    s = t.current_snapshot()
    check_eq("ldp's append: parent is pyiceberg's last snapshot", s.parent_snapshot_id, before)
    check_eq("ldp's append: operation", s.summary.operation.value, "append")
    check_eq("ldp's append: schema id", s.schema_id, 1)
    scans_agree(proj, t, "after ldp's append")

    # pyiceberg appends on top of ldp's snapshot (it reads ldp's manifest
    # list and carries ldp's manifests forward), ldp reads the result.
    t.append(batch([40, 41], evolved=True))
    t = cat.load_table("py.t")
    check_eq("pyiceberg's append on ldp's snapshot: parent", t.current_snapshot().parent_snapshot_id,
             t.snapshots()[-2].snapshot_id)
    scans_agree(proj, t, "after pyiceberg's append on ldp's")
    check_summaries("summary after both wrote", t, t.snapshots())
    check_eq("row count", len(t.scan().to_arrow()), 14 + 7 + 3 + 8 + 2 + 2)

    # fixed(L): ldp cannot create one, but must read pyiceberg's.
    fx_schema = Schema(NestedField(1, "id", LongType(), required=True),
                       NestedField(2, "fx", FixedType(4), required=False),
                       NestedField(3, "day", DateType(), required=False))
    fx = cat.create_table("py.fx", fx_schema,
                          partition_spec=PartitionSpec(PartitionField(3, 1000, DayTransform(), "day_day")))
    fx.append(pa.table({"id": [1, 2, 3], "fx": [b"\x00\x01\x02\x03", None, b"\xff\\\x00a"],
                        "day": [dt.date(1969, 12, 31), None, dt.date(2024, 2, 29)]},
                       schema=pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("fx", pa.binary(4)),
                                         pa.field("day", pa.date32())])))
    fx = cat.load_table("py.fx")
    compare_scan("fixed(4): ldp reads pyiceberg's", proj, "select * from py.fx order by id", fx.scan(), fx.schema())
    check_data_files("fixed(4): manifests vs data files", fx, fx.current_snapshot())
    # Writing fixed(L) needs Parquet fixed_len_byte_array, which DuckDB's
    # writer cannot produce; its variable-length binary is rejected by
    # pyiceberg ("Cannot promote an binary to fixed[4]"). Until ldp writes
    # it, ldp must refuse the write and leave the table as it was.
    rc, _, err = ldp(proj, "table", "append", "py.fx",
                     r"select 9::bigint as id, '\x01\x02\x03\x04'::blob as fx, date '2000-01-01' as day", ok=False)
    check("fixed(4): ldp refuses to write, naming the column", rc == 1 and "'fx'" in err and "fixed[4]" in err,
          f"exit {rc}: {err}")
    check_eq("fixed(4): no snapshot added", cat.load_table("py.fx").metadata.current_snapshot_id,
             fx.metadata.current_snapshot_id)
    finish()


if __name__ == "__main__":
    main()
