#!/usr/bin/env python3
"""Row-level changes between ldp and pyiceberg 0.12.0 (the reference).

usage: LDP=<ldp binary> python rowlevel_pyiceberg.py <scratch dir>

1. ldp changes, pyiceberg reads: tables in copy-on-write and merge-on-read
   mode (partitioned and not) receive the same DELETE / UPDATE / MERGE INTO
   statements through `ldp sql`; after each one pyiceberg's scan, ldp's
   scan and DuckDB's own result on a plain table (the oracle) must agree row
   for row. Merge-on-read states carry ldp's position delete files, so this
   is also pyiceberg reading ldp's delete files.
2. pyiceberg changes, ldp reads: pyiceberg deletes and overwrites with a
   filter and upserts (pyiceberg 0.12 writes these copy-on-write: it writes
   no delete files), ldp reads every snapshot as pyiceberg does; then ldp
   deletes merge-on-read from pyiceberg's table and pyiceberg reads that.
3. Maintenance: after ldp rewrites data files and expires snapshots,
   pyiceberg still reads the same rows.
"""

import decimal
import json
import os
import shutil
import sys

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions import EqualTo, GreaterThanOrEqual
from pyiceberg.schema import Schema
from pyiceberg.types import DoubleType, IntegerType, LongType, NestedField, StringType

from interop_common import canon_rows, check, check_eq, finish, ldp, ldp_rows

SRC = ("SELECT range AS id, CAST(range % 5 AS INTEGER) AS k, 'r' || range AS s, "
       "CAST(range * 1.5 AS DOUBLE) AS amount FROM range(300)")
MOR = ["--property", "write.delete.mode=merge-on-read", "--property", "write.update.mode=merge-on-read",
       "--property", "write.merge.mode=merge-on-read"]
STMTS = [
    "DELETE FROM {T} WHERE k = 1",
    "UPDATE {T} SET s = s || '!', amount = amount * 2 WHERE id % 7 = 0",
    "MERGE INTO {T} AS t USING (SELECT * FROM (VALUES (3, 'm3'), (14, 'del'), (1000, 'ins')) v(id, s)) AS src "
    "ON t.id = src.id WHEN MATCHED AND src.s = 'del' THEN DELETE WHEN MATCHED THEN UPDATE SET s = src.s "
    "WHEN NOT MATCHED THEN INSERT (id, k, s, amount) VALUES (src.id, 9, src.s, 0.5)",
    "UPDATE {T} SET k = k + 10 WHERE id < 40",
    "DELETE FROM {T} WHERE amount > 300",
]


def oracle_rows(root, schema):
    """The oracle table's rows: DuckDB's own result on a plain table."""
    _, out, _ = ldp(root, "sql", "--db", os.path.join(root, "oracle.duckdb"), "--format", "json",
                    "SELECT * FROM t0 ORDER BY id")
    out = out.strip()
    return canon_rows(json.loads(out, parse_float=decimal.Decimal) if out else [], schema, "ldp")


def part1(root, proj, cat):
    ldp(root, "sql", "--db", os.path.join(root, "oracle.duckdb"), f"CREATE TABLE t0 AS {SRC}")
    tables = {
        "cow_u": [],
        "cow_p": ["--partition-by", "k"],
        "mor_u": MOR,
        "mor_p": ["--partition-by", "bucket(3, id)"] + MOR,
    }
    for name, opts in tables.items():
        ldp(proj, "table", "create", f"rl.{name}", "--as", SRC, *opts)
    for n, st in enumerate(STMTS, 1):
        ldp(root, "sql", "--db", os.path.join(root, "oracle.duckdb"), st.replace("{T}", "t0"))
        # one ldp run for all tables (each statement still commits on its own)
        ldp(proj, "sql", ";\n".join(st.replace("{T}", f"rl.{name}") for name in tables))
        for name in tables:
            t = cat.load_table(f"rl.{name}")
            want = oracle_rows(root, t.schema())
            got_ldp = canon_rows(ldp_rows(proj, f"SELECT * FROM rl.{name} ORDER BY id"), t.schema(), "ldp")
            rows = t.scan().to_arrow().sort_by("id").to_pylist()
            got_py = canon_rows(rows, t.schema(), "py")
            check_eq(f"statement {n} on {name}: ldp equals the oracle ({len(want)} rows)", got_ldp, want)
            check_eq(f"statement {n} on {name}: pyiceberg equals the oracle", got_py, want)
    t = cat.load_table("rl.mor_u")
    ops = [s.summary.operation.value for s in t.snapshots()]
    check_eq("mor_u snapshot operations (pyiceberg's view)", ops,
             ["append", "delete", "overwrite", "overwrite", "overwrite", "delete"])
    dels = [f for f in t.inspect.delete_files().to_pylist()] if hasattr(t.inspect, "delete_files") else None
    if dels is not None:
        check("pyiceberg lists ldp's position delete files", len(dels) > 0 and all(d["content"] == 1 for d in dels),
              str(dels)[:300])
    return tables


def part2(root, proj, cat):
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "k", IntegerType(), required=False),
        NestedField(3, "s", StringType(), required=False),
        NestedField(4, "amount", DoubleType(), required=False),
    )
    # merge-on-read for ldp's changes below; pyiceberg 0.12 itself still
    # writes its deletes copy-on-write (it warns and falls back)
    t = cat.create_table("rl.py", schema, properties={"write.delete.mode": "merge-on-read",
                                                       "write.update.mode": "merge-on-read"})
    arrow = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("k", pa.int32()),
                       pa.field("s", pa.string()), pa.field("amount", pa.float64())])
    ids = list(range(100))
    t.append(pa.table({"id": ids, "k": [i % 4 for i in ids], "s": [f"p{i}" for i in ids],
                       "amount": [i * 0.25 for i in ids]}, schema=arrow))
    t.append(pa.table({"id": [200, 201], "k": [None, 1], "s": [None, "x"], "amount": [None, 2.0]}, schema=arrow))
    t.delete(delete_filter=EqualTo("k", 1))
    t.overwrite(pa.table({"id": [500], "k": [3], "s": ["ow"], "amount": [9.0]}, schema=arrow),
                overwrite_filter=GreaterThanOrEqual("id", 90))
    t.upsert(pa.table({"id": [2, 600], "k": [2, 2], "s": ["up2", "new600"], "amount": [1.0, 2.0]}, schema=arrow),
             join_cols=["id"])
    t = cat.load_table("rl.py")
    for s in t.snapshots():
        got = canon_rows(ldp_rows(proj, f'SELECT * FROM rl."py@{s.snapshot_id}" ORDER BY id'), t.schema(), "ldp")
        want = canon_rows(t.scan(snapshot_id=s.snapshot_id).to_arrow().sort_by("id").to_pylist(), t.schema(), "py")
        check_eq(f"pyiceberg's {s.summary.operation.value} snapshot {s.snapshot_id}: ldp reads {len(want)} rows", got,
                 want)
    # ldp changes pyiceberg's table merge-on-read; pyiceberg reads it
    ldp(proj, "sql", "DELETE FROM rl.py WHERE id % 10 = 3")
    ldp(proj, "sql", "UPDATE rl.py SET s = 'by ldp' WHERE id < 20")
    t = cat.load_table("rl.py")
    got = canon_rows(ldp_rows(proj, "SELECT * FROM rl.py ORDER BY id"), t.schema(), "ldp")
    want = canon_rows(t.scan().to_arrow().sort_by("id").to_pylist(), t.schema(), "py")
    check_eq(f"ldp's DELETE and UPDATE on pyiceberg's table: pyiceberg reads {len(want)} rows like ldp", got, want)
    check("ldp's changes are there", any(r[2] == "by ldp" for r in want) and not any(r[0] % 10 == 3 for r in want))
    # pyiceberg appends on top of ldp's snapshot, ldp reads it
    t.append(pa.table({"id": [700], "k": [0], "s": ["py after ldp"], "amount": [7.0]}, schema=arrow))
    t = cat.load_table("rl.py")
    got = canon_rows(ldp_rows(proj, "SELECT * FROM rl.py ORDER BY id"), t.schema(), "ldp")
    want = canon_rows(t.scan().to_arrow().sort_by("id").to_pylist(), t.schema(), "py")
    check_eq("pyiceberg appends after ldp's change: ldp reads it", got, want)


def part3(root, proj, cat, tables):
    for name in tables:
        before = canon_rows(ldp_rows(proj, f"SELECT * FROM rl.{name} ORDER BY id"),
                            cat.load_table(f"rl.{name}").schema(), "ldp")
        rc, out, err = ldp(proj, "table", "maintain", f"rl.{name}", "--retain-last", "1", "--older-than", "now",
                           ok=False)
        if rc != 0:
            check(f"ldp table maintain rl.{name}", False, err)
            continue
        t = cat.load_table(f"rl.{name}")
        got = canon_rows(t.scan().to_arrow().sort_by("id").to_pylist(), t.schema(), "py")
        check_eq(f"after maintain on {name}: pyiceberg reads the same {len(before)} rows", got, before)
        check_eq(f"after maintain on {name}: one snapshot left", len(t.snapshots()), 1)


def main():
    root = sys.argv[1]
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    proj = os.path.join(root, "proj")
    ldp(root, "init", proj)
    ldp(proj, "namespace", "create", "rl")
    cat = SqlCatalog("ldp", uri=f"sqlite:///{proj}/warehouse/catalog.db", warehouse=f"file://{proj}/warehouse")
    tables = part1(root, proj, cat)
    part2(root, proj, cat)
    if os.environ.get("LDP_ROWLEVEL_MAINTAIN", "1") == "1":
        part3(root, proj, cat, tables)
    finish()


if __name__ == "__main__":
    main()
