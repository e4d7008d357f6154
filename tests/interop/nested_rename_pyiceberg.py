#!/usr/bin/env python3
"""Nested fields renamed after files were written, against pyiceberg 0.12.0.

usage: LDP=<ldp binary> python nested_rename_pyiceberg.py <scratch dir>

Iceberg reads nested fields by field id, so files written before a rename of
a field inside a struct, a list<struct> or a map's value struct read under the
new name. pyiceberg does that; these checks hold ldp to the same rows.

1. ldp writes ev.n (struct s with a struct inside, list<struct> l,
   map<string, struct> m) in two files, then renames fields at depth 1 and 2
   and inside the list element and the map value; after each step, and after
   an append under the new names, a drop + add back of a nested name (the old
   file's data must not come back), a nested type promotion and a nested add,
   pyiceberg and ldp read the same rows.
2. pyiceberg writes py.n, renames nested fields itself (depth 1 and 2, list
   element, map value), appends again; ldp reads what pyiceberg reads.
"""

import json
import os
import shutil
import sys

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.schema import Schema
from pyiceberg.types import (
    IntegerType,
    ListType,
    LongType,
    MapType,
    NestedField,
    StringType,
    StructType,
)

from interop_common import check_eq, finish, ldp, ldp_rows


def norm(v, top=False):
    """pyarrow's maps are lists of (key, value) pairs; DuckDB's JSON are objects.
    A NULL list or map column reads as empty in pyiceberg 0.12 (its arrow
    projection rebuilds lists and maps from offsets without their validity),
    so both sides compare NULL and empty alike at the top level."""
    if top and v in (None, [], {}):
        return None
    if isinstance(v, list) and v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
        return {k: norm(x) for k, x in v}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    return v


def same_rows(what, proj, cat, ident):
    t = cat.load_table(ident)
    names = [f.name for f in t.schema().fields]
    py = sorted((tuple(json.dumps(norm(r[n], True), sort_keys=True) for n in names)
                 for r in t.scan().to_arrow().to_pylist()), key=lambda r: json.loads(r[0]))
    sel = ", ".join(f'to_json("{n}") as "__{n}"' for n in names)
    rows = ldp_rows(proj, f'select {sel} from {ident} order by "{names[0]}"')
    mine = [tuple(json.dumps(norm(json.loads(r["__" + n]) if isinstance(r["__" + n], str) else r["__" + n], True),
                             sort_keys=True) for n in names) for r in rows]
    check_eq(f"{what}: {len(py)} rows as pyiceberg reads them", mine, py)
    return mine


def part1(root):
    proj = os.path.join(root, "p1")
    ldp(root, "init", proj)
    cat = SqlCatalog("ldp", uri=f"sqlite:///{proj}/warehouse/catalog.db", warehouse=f"file://{proj}/warehouse")
    ldp(proj, "namespace", "create", "ev")
    ldp(proj, "table", "create", "ev.n", "--as",
        "select i as id, {'a': i::int, 'b': {'c': i * 10, 'd': 'd' || i}} as s, "
        "[{'p': i, 'q': 'q' || i}, {'p': i + 1, 'q': NULL}] as l, "
        "map {'k' || i: {'v': i::int, 'w': 'w' || i}} as m from range(3) r(i) "
        "union all select 3, NULL, NULL, NULL")
    ldp(proj, "table", "append", "ev.n",
        "select 4 as id, {'a': 40::int, 'b': NULL} as s, [] as l, map {'z': NULL} as m")
    before = same_rows("written", proj, cat, "ev.n")
    steps = [
        ("rename depth 1", "ALTER TABLE ev.n RENAME COLUMN s.a TO a2"),
        ("rename depth 2", "ALTER TABLE ev.n RENAME COLUMN s.b.c TO c2"),
        ("rename in list<struct>", "ALTER TABLE ev.n RENAME COLUMN l.p TO p2"),
        ("rename in map value struct", "ALTER TABLE ev.n RENAME COLUMN m.value.v TO v2"),
        ("swap two names (1/3)", "ALTER TABLE ev.n RENAME COLUMN s.b.d TO tmp"),
        ("swap two names (2/3)", "ALTER TABLE ev.n RENAME COLUMN s.b.c2 TO d"),
        ("swap two names (3/3)", "ALTER TABLE ev.n RENAME COLUMN s.b.tmp TO c2"),
    ]
    for what, sql in steps:
        ldp(proj, "sql", sql)
        same_rows(f"after {what}", proj, cat, "ev.n")
    # the values are those of before the renames (only names changed)
    after = ldp_rows(proj, "select to_json(s) as s from ev.n order by id")
    got = [json.loads(r["s"]) if r["s"] is not None else None for r in after]
    want = [{"a2": i, "b": {"d": i * 10, "c2": f"d{i}"}} for i in range(3)] + [None, {"a2": 40, "b": None}]
    check_eq("renamed nested fields keep their values", got, want)
    ldp(proj, "table", "append", "ev.n",
        "select 5 as id, {'a2': 50::int, 'b': {'d': 500, 'c2': 'd5'}} as s, [{'p2': 5, 'q': 'q5'}] as l, "
        "map {'k5': {'v2': 5::int, 'w': 'w5'}} as m")
    same_rows("append under the new names", proj, cat, "ev.n")
    ldp(proj, "sql", "ALTER TABLE ev.n DROP COLUMN s.b.c2")
    ldp(proj, "sql", "ALTER TABLE ev.n ADD COLUMN s.b.c2 string")
    rows = same_rows("drop and add back a nested name", proj, cat, "ev.n")
    check_eq("the re-added field is null in every old file", [json.loads(r[1]) for r in rows if json.loads(r[1])],
             [{"a2": i, "b": {"d": i * 10, "c2": None}} for i in range(3)] + [{"a2": 40, "b": None},
                                                                              {"a2": 50, "b": {"d": 500, "c2": None}}])
    ldp(proj, "sql", "ALTER TABLE ev.n ALTER COLUMN s.a2 TYPE long, ADD COLUMN l.r string, ADD COLUMN m.value.x int")
    same_rows("nested promotion and adds", proj, cat, "ev.n")
    ldp(proj, "sql", "DELETE FROM ev.n WHERE id = 1")
    ldp(proj, "sql", "UPDATE ev.n SET id = id + 100 WHERE id = 2")
    same_rows("delete and update over renamed files", proj, cat, "ev.n")
    check_eq("ids after the changes", [r["id"] for r in ldp_rows(proj, "select id from ev.n order by id")],
             [0, 3, 4, 5, 102])
    del before


def part2(root):
    proj = os.path.join(root, "p2")
    ldp(root, "init", proj)
    cat = SqlCatalog("ldp", uri=f"sqlite:///{proj}/warehouse/catalog.db", warehouse=f"file://{proj}/warehouse")
    cat.create_namespace("py")
    schema = Schema(
        NestedField(1, "id", LongType(), required=False),
        NestedField(2, "s", StructType(
            NestedField(5, "a", IntegerType(), required=False),
            NestedField(6, "b", StructType(NestedField(9, "c", LongType(), required=False),
                                           NestedField(10, "d", StringType(), required=False)), required=False)),
            required=False),
        NestedField(3, "l", ListType(7, StructType(NestedField(11, "p", LongType(), required=False)),
                                     element_required=False), required=False),
        NestedField(4, "m", MapType(8, StringType(), 12, StructType(NestedField(13, "v", IntegerType(), required=False)),
                                    value_required=False), required=False),
    )
    t = cat.create_table("py.n", schema)

    def batch(lo, hi, a="a", c="c", p="p", v="v"):
        rows = [{"id": i, "s": {a: i, "b": {c: i * 3, "d": f"d{i}"}}, "l": [{p: i}, {p: -i}],
                 "m": [(f"k{i}", {v: i * 7})]} for i in range(lo, hi)]
        return pa.Table.from_pylist(rows, schema=cat.load_table("py.n").schema().as_arrow())

    t.append(batch(0, 4))
    same_rows("pyiceberg wrote", proj, cat, "py.n")
    with t.update_schema() as u:
        u.rename_column("s.a", "a1")
        u.rename_column("s.b.c", "c1")
        u.rename_column("l.element.p", "p1")
        u.rename_column("m.value.v", "v1")
    t = cat.load_table("py.n")
    same_rows("pyiceberg renamed nested fields", proj, cat, "py.n")
    t.append(batch(4, 6, "a1", "c1", "p1", "v1"))
    rows = same_rows("pyiceberg appended under the new names", proj, cat, "py.n")
    check_eq("ldp reads pyiceberg's old file under the new names", json.loads(rows[1][1]),
             {"a1": 1, "b": {"c1": 3, "d": "d1"}})


def main():
    root = sys.argv[1]
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    part1(root)
    part2(root)
    finish()


if __name__ == "__main__":
    main()
