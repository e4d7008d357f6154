#!/usr/bin/env python3
"""pyiceberg's RestCatalog catalog operations against `ldp serve`:
namespaces with properties, listing, create/append/evolve/scan, rename, a
create-table transaction (stage-create + assert-create), a stale commit
rejected, drop with purge, drop namespace.

usage: LDP=<ldp> [LDP_INTEROP_REST=1|auth] python rest_pyiceberg_catalog.py <scratch dir>
"""
import os
import shutil
import sys

import pyarrow as pa
from pyiceberg.exceptions import CommitFailedException, NamespaceNotEmptyError, NoSuchTableError
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

from interop_common import check, check_eq, finish, ldp, ldp_rows, open_catalog

root = sys.argv[1]
shutil.rmtree(root, ignore_errors=True)
os.makedirs(root)
proj = os.path.join(root, "proj")
ldp(root, "init", proj)
os.environ.setdefault("LDP_INTEROP_REST", "1")
cat = open_catalog(proj)

cat.create_namespace("shop", {"owner": "ops"})
cat.create_namespace(("shop", "eu"))
check_eq("namespaces", sorted(cat.list_namespaces()), [("shop",)])
check_eq("child namespaces", cat.list_namespaces("shop"), [("shop", "eu")])
check_eq("namespace properties", cat.load_namespace_properties("shop").get("owner"), "ops")
cat.update_namespace_properties("shop", removals={"owner"}, updates={"team": "a"})
check_eq("properties updated", cat.load_namespace_properties("shop"), {"team": "a"})

schema = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "name", StringType(), required=False))
t = cat.create_table("shop.orders", schema)
t.append(pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"]}))
with t.update_schema() as u:
    u.add_column("qty", LongType())
t = cat.load_table("shop.orders")
t.append(pa.table({"id": pa.array([4], pa.int64()), "name": ["d"], "qty": pa.array([7], pa.int64())}))
rows = sorted(t.scan().to_arrow().to_pylist(), key=lambda r: r["id"])
check_eq("pyiceberg scans its appends", [(r["id"], r["qty"]) for r in rows], [(1, None), (2, None), (3, None), (4, 7)])
check_eq("ldp reads the table written over REST", ldp_rows(proj, "SELECT count(*) AS n, sum(qty) AS q FROM shop.orders"),
         [{"n": 4, "q": 7}])
check_eq("tables listed", cat.list_tables("shop"), [("shop", "orders")])

# a stale writer: another schema change got in first (assert-current-schema-id
# fails), the server answers 409
stale = cat.load_table("shop.orders")
with t.update_schema() as u:
    u.add_column("first", StringType())
try:
    with stale.update_schema() as u:
        u.add_column("late", StringType())
    check("a stale schema change is rejected", False, "it was accepted")
except CommitFailedException:
    check("a stale schema change is rejected", True)
check("the rejected change left no trace", "late" not in [f.name for f in cat.load_table("shop.orders").schema().fields])

# create-table transaction: stage-create, then a commit with assert-create
with cat.create_table_transaction("shop.staged", schema) as tx:
    tx.set_properties(origin="txn")
st = cat.load_table("shop.staged")
check_eq("staged table created by its commit", st.properties.get("origin"), "txn")

cat.rename_table("shop.orders", "shop.eu.orders")
check_eq("renamed", cat.list_tables(("shop", "eu")), [("shop", "eu", "orders")])
loc = cat.load_table("shop.eu.orders").location()
try:
    cat.drop_namespace("shop")
    check("dropping a non-empty namespace fails", False)
except NamespaceNotEmptyError:
    check("dropping a non-empty namespace fails", True)
cat.purge_table("shop.eu.orders")
check("purge removed the files", not os.path.exists(loc.replace("file://", "")))
try:
    cat.load_table("shop.eu.orders")
    check("dropped table is gone", False)
except NoSuchTableError:
    check("dropped table is gone", True)
cat.drop_table("shop.staged")
cat.drop_namespace(("shop", "eu"))
cat.drop_namespace("shop")
check_eq("all namespaces dropped", cat.list_namespaces(), [])
finish()
