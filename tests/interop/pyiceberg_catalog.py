#!/usr/bin/env python3
"""Check that ldp's SQLite catalog and pyiceberg's SqlCatalog share one file.

Not run by CTest (it needs pyiceberg). Set up once:

    python3 -m venv /tmp/pyice && /tmp/pyice/bin/pip install "pyiceberg[sql-sqlite,pyarrow]"

Then either list what pyiceberg sees in a catalog.db that ldp made:

    /tmp/pyice/bin/python tests/interop/pyiceberg_catalog.py list path/to/catalog.db --catalog NAME

or run both directions with the catalog_probe driver (built with the tests,
build/<type>/tests/catalog_probe):

    /tmp/pyice/bin/python tests/interop/pyiceberg_catalog.py roundtrip --probe build/debug/tests/catalog_probe

roundtrip: (1) ldp creates a catalog, pyiceberg lists its namespaces,
properties and tables, creates and appends to a table in ldp's namespace; ldp
reads that table, swaps its pointer back, and pyiceberg sees the swap and
fails its stale commit; neither side changes the schema of the other's file.
(2) pyiceberg creates a catalog, ldp lists it and adds a namespace that
pyiceberg then lists. Exit status 0 when every check passed.
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import CommitFailedException, ValidationException

RESULTS = {"passed": 0, "failed": 0}


def check(what, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(("PASS " if ok else "FAIL ") + what + ("" if ok else f": {detail}"))


def open_catalog(db, name, warehouse):
    return SqlCatalog(name, uri=f"sqlite:///{db}", warehouse=f"file://{warehouse}")


def schema_sql(db):
    with sqlite3.connect(db) as con:
        return sorted(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())


def all_namespaces(cat, parent=()):
    out = []
    for ns in sorted(cat.list_namespaces(parent)):
        out.append(".".join(ns))
        out.extend(all_namespaces(cat, ns))
    return out


def probe(args, *cmd, expect_ok=True):
    r = subprocess.run([args.probe, *cmd], capture_output=True, text=True)
    if expect_ok and r.returncode != 0:
        check(f"probe {' '.join(cmd[:1])}", False, r.stderr.strip())
    return r


def cmd_list(args):
    warehouse = args.warehouse or os.path.dirname(os.path.abspath(args.db))
    cat = open_catalog(os.path.abspath(args.db), args.catalog, warehouse)
    for ns in all_namespaces(cat):
        print(f"ns {ns} {cat.load_namespace_properties(ns)}")
        for t in sorted(cat.list_tables(ns)):
            print(f"table {'.'.join(t)}")
    return 0


def ldp_to_pyiceberg(args, root):
    import pyarrow as pa

    db = os.path.join(root, "ldp.db")
    wh = os.path.join(root, "wh1")
    os.makedirs(wh)
    probe(args, "create", db, "ldp")
    ddl_before = schema_sql(db)

    cat = open_catalog(db, "ldp", wh)
    check("pyiceberg opens ldp's file in the v1 layout without migrating",
          getattr(cat, "_schema_version", "v1") == "v1", getattr(cat, "_schema_version", None))
    check("pyiceberg lists ldp's top-level namespace", cat.list_namespaces() == [("ldp_ns",)], cat.list_namespaces())
    check("pyiceberg lists ldp's child namespace",
          cat.list_namespaces("ldp_ns") == [("ldp_ns", "child")], cat.list_namespaces("ldp_ns"))
    props = cat.load_namespace_properties("ldp_ns")
    check("pyiceberg reads ldp's namespace properties", props == {"exists": "true", "owner": "ldp"}, props)
    check("pyiceberg lists ldp's table entry", cat.list_tables("ldp_ns") == [("ldp_ns", "t")], cat.list_tables("ldp_ns"))

    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    tbl = cat.create_table("ldp_ns.py_t", schema=schema)
    m1 = tbl.metadata_location
    tbl.append(pa.table({"id": [1, 2], "name": ["a", "b"]}, schema=schema))
    m2 = tbl.metadata_location
    check("pyiceberg commits to a table in ldp's namespace", m1 != m2, m2)

    shown = probe(args, "show", db, "ldp").stdout.splitlines()
    check("ldp sees pyiceberg's table and its latest metadata", f"table ldp_ns py_t {m2}" in shown, shown)

    stale = cat.load_table("ldp_ns.py_t")
    r = probe(args, "swap", db, "ldp", "ldp_ns", "py_t", m2, m1)
    check("ldp swaps the pointer of pyiceberg's table", r.returncode == 0, r.stderr)
    fresh = cat.load_table("ldp_ns.py_t")
    check("pyiceberg sees ldp's swap", fresh.metadata_location == m1 and fresh.current_snapshot() is None,
          fresh.metadata_location)
    # pyiceberg >= 0.12 retries a failed commit on refreshed metadata; the
    # snapshot it started from is gone after the swap, so that fails too.
    try:
        stale.append(pa.table({"id": [3], "name": ["c"]}, schema=schema))
        check("pyiceberg's stale commit fails after ldp's swap", False, "append succeeded")
    except (CommitFailedException, ValidationException) as e:
        after = cat.load_table("ldp_ns.py_t").metadata_location
        check("pyiceberg's stale commit fails after ldp's swap", after == m1, f"{e}; now at {after}")
    r = probe(args, "swap", db, "ldp", "ldp_ns", "py_t", m2, m1, expect_ok=False)
    check("ldp's stale swap fails with a conflict", r.returncode == 1 and "commit conflict" in r.stderr, r.stderr)

    r = probe(args, "register", db, "ldp", "ldp_ns", "reg", m2)
    reg = cat.load_table("ldp_ns.reg")
    check("pyiceberg loads a table ldp registered", reg.metadata_location == m2 and
          reg.scan().to_arrow().num_rows == 2, reg.metadata_location)

    cat.drop_namespace("ldp_ns.child")
    shown = probe(args, "show", db, "ldp").stdout.splitlines()
    check("ldp no longer lists the namespace pyiceberg dropped", "ns ldp_ns.child" not in shown, shown)
    check("the file's schema is unchanged after pyiceberg used it", schema_sql(db) == ddl_before, schema_sql(db))
    return ddl_before


def pyiceberg_to_ldp(args, root, ldp_ddl):
    import pyarrow as pa

    db = os.path.join(root, "py.db")
    wh = os.path.join(root, "wh2")
    os.makedirs(wh)
    cat = open_catalog(db, "py", wh)
    cat.create_namespace("a")
    cat.create_namespace("a.b")
    cat.create_namespace("b", {"owner": "py"})
    tbl = cat.create_table("a.t", schema=pa.schema([("x", pa.int32())]))
    check("pyiceberg and ldp create byte-identical DDL", schema_sql(db) == ldp_ddl,
          f"{schema_sql(db)} != {ldp_ddl}")

    shown = probe(args, "show", db, "py").stdout.splitlines()
    expected = ["ns a", f"table a t {tbl.metadata_location}", "ns a.b", "ns b", "prop b owner=py"]
    check("ldp lists pyiceberg's namespaces, properties and tables", shown == expected, shown)

    probe(args, "create", db, "py")
    check("pyiceberg lists ldp's namespace in its file",
          sorted(cat.list_namespaces()) == [("a",), ("b",), ("ldp_ns",)], cat.list_namespaces())
    check("pyiceberg lists ldp's child namespace in its file",
          cat.list_namespaces("ldp_ns") == [("ldp_ns", "child")], cat.list_namespaces("ldp_ns"))
    check("the file's schema is unchanged after ldp used it", schema_sql(db) == ldp_ddl, schema_sql(db))


def cmd_roundtrip(args):
    root = args.dir or tempfile.mkdtemp(prefix="ldp-pyiceberg-")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    ddl = ldp_to_pyiceberg(args, root)
    pyiceberg_to_ldp(args, root, ddl)
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 0 if RESULTS["failed"] == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("list", help="list namespaces and tables of a catalog.db with pyiceberg")
    lp.add_argument("db")
    lp.add_argument("--catalog", default="ldp")
    lp.add_argument("--warehouse")
    rp = sub.add_parser("roundtrip", help="ldp <-> pyiceberg in both directions")
    rp.add_argument("--probe", required=True, help="path of the catalog_probe binary")
    rp.add_argument("--dir", help="scratch directory (emptied first)")
    args = ap.parse_args()
    return cmd_list(args) if args.cmd == "list" else cmd_roundtrip(args)


if __name__ == "__main__":
    sys.exit(main())
