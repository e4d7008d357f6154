"""ldp and Apache Iceberg's Java library (JdbcCatalog + generic Parquet
readers/writers) on one catalog.db, both directions. Run by
tests/e2e-heavy/iceberg_java.sh, which builds tests/interop/java and passes
the java command line in JAVA_INTEROP (space-separated argv prefix).
Standard library only.

    python3 ldp_java.py WORKDIR

1. ldp creates ns.t (long/string/double/date/timestamp/decimal, partitioned
   by day(ts) and bucket(4, id)), appends twice and overwrites; Java reads
   it through JdbcCatalog: rows at every snapshot and the snapshot log must
   equal ldp's, and Java's filtered reads (which prune by ldp's partition
   summaries and column bounds) must not lose rows.
2. Java creates ns.t2 and appends two Parquet files in two commits; ldp's
   rows, snapshots and time travel must equal what Java wrote.
3. ldp appends to ns.t2; Java must read the result.
4. A catalog.db that Java's JdbcCatalog created (its own "V0" DDL, no
   iceberg_type column): ldp opens it unchanged, reads and appends to Java's
   table, creates a nested namespace and table there, and Java reads both.
The catalog.db schema must be the same before and after the other side used it.
"""

import datetime as dt
import decimal
import json
import os
import sqlite3
import subprocess
import sys

LDP = os.environ.get("LDP", "ldp")
JAVA = os.environ["JAVA_INTEROP"].split(" ")
from checks import RESULTS, check, check_eq, finish  # noqa: F401 (re-exported)


def run(argv, cwd):
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAIL: {' '.join(argv)} exited {p.returncode}\n{p.stdout}\n{p.stderr}", flush=True)
        RESULTS["failed"] += 1
        finish()
    return p.stdout


def ldp(cwd, *args):
    return run([LDP, *args], cwd)


def ldp_rows(cwd, sql):
    out = ldp(cwd, "sql", "--format", "json", sql).strip()
    return json.loads(out, parse_float=decimal.Decimal) if out else []


def java(cwd, command, table):
    wh = os.path.join(cwd, "warehouse")
    out = run([*JAVA, wh, os.path.join(wh, "catalog.db"), "ldp", command, table], cwd)
    lines = [json.loads(line, parse_float=decimal.Decimal) for line in out.splitlines() if line.strip()]
    by = {}
    for line in lines:
        by.setdefault(line["kind"], []).append(line)
    return by


# Both sides' values in one form. Types come from the column names used here
# (the tables are made by this script): decimals and doubles compare as
# Decimal/float, dates and timestamps as datetime objects (DuckDB prints
# "10:00:00" where Java's form is "10:00:00.000000").
def canon_value(col, v):
    if v is None or isinstance(v, (dt.date, dt.datetime)):
        return v
    if col in ("price",):
        return decimal.Decimal(str(v))
    if col in ("amount",):
        return float(v)
    if col == "d":
        return dt.date.fromisoformat(v)
    if col == "ts":
        return dt.datetime.fromisoformat(v)
    return v


def canon(rows):
    out = [{k: canon_value(k, v) for k, v in r.items()} for r in rows]
    return sorted(out, key=lambda r: r["id"])


def java_rows(by, snap):
    return canon([r["row"] for r in by.get("row", []) if r["snapshot"] == snap])


def ldp_snapshots(cwd, table):
    snaps = json.loads(ldp(cwd, "table", "snapshots", table, "--json"))
    out = []
    for s in snaps:
        summary = {k: v for k, v in s["summary"].items() if k != "operation"}
        out.append((s["snapshot_id"], s["parent_id"], s["operation"], s["sequence_number"],
                    s["timestamp_ms"], summary))
    return out


def java_snapshots(by):
    return [(s["id"], s["parent"], s["operation"], s["sequence_number"], s["timestamp_ms"], s["summary"])
            for s in by.get("snapshot", [])]


def catalog_ddl(cwd):
    con = sqlite3.connect(os.path.join(cwd, "warehouse", "catalog.db"))
    try:
        return sorted(r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
    finally:
        con.close()


def compare_table(cwd, table, by, label):
    """Java's view of `table` (from `read`) against ldp's, every snapshot."""
    check_eq(f"{label}: snapshots (ids, parents, operations, sequence numbers, times, summaries)",
             java_snapshots(by), ldp_snapshots(cwd, table))
    check_eq(f"{label}: current rows", java_rows(by, None), canon(ldp_rows(cwd, f"SELECT * FROM {table}")))
    ns, name = table.rsplit(".", 1)
    for s in by.get("snapshot", []):
        sid = s["id"]
        check_eq(f"{label}: rows at snapshot {sid} ({s['operation']})", java_rows(by, sid),
                 canon(ldp_rows(cwd, f'SELECT * FROM {ns}."{name}@{sid}"')))
    pr = by["pruning"][0]
    check(f"{label}: Java's filtered reads keep every row ({pr['checked']} column = value reads)",
          pr["checked"] > 0 and not pr["failures"], "\n    ".join(pr["failures"]))
    check_eq(f"{label}: Java prunes every file for an id above all ids (uses the column bounds)",
             pr["files_for_absent_id"], 0)


def ldp_to_java(cwd):
    ldp(cwd, "namespace", "create", "ns")
    ldp(cwd, "table", "create", "ns.t", "--schema",
        "id BIGINT NOT NULL, name VARCHAR, amount DOUBLE, d DATE, ts TIMESTAMP, price DECIMAL(12,3)",
        "--partition-by", "day(ts), bucket(4, id)")
    ldp(cwd, "table", "append", "ns.t",
        "SELECT 1::BIGINT AS id, 'one' AS name, 1.5::DOUBLE AS amount, DATE '2024-01-01' AS d, "
        "TIMESTAMP '2024-01-01 10:00:00.123456' AS ts, 12.345::DECIMAL(12,3) AS price "
        "UNION ALL SELECT 2, NULL, NULL, NULL, TIMESTAMP '2024-01-01 23:59:59.999999', NULL")
    ldp(cwd, "table", "append", "ns.t",
        "SELECT i::BIGINT AS id, 'n' || i AS name, i * 0.25 AS amount, DATE '2024-01-01' + i::INT AS d, "
        "TIMESTAMP '2024-01-02 00:00:00' + i * INTERVAL 7 HOUR AS ts, "
        "(i * 1.111 - 5)::DECIMAL(12,3) AS price FROM range(3, 12) r(i)")
    # an overwrite that drops some rows and changes others (new files in most partitions)
    ldp(cwd, "table", "overwrite", "ns.t",
        "SELECT id, CASE WHEN id % 3 = 0 THEN upper(name) ELSE name END AS name, amount, d, ts, price "
        "FROM ns.t WHERE id NOT IN (4, 9)")
    before = catalog_ddl(cwd)
    by = java(cwd, "read", "ns.t")
    check_eq("Java: ns.t is format v2 with spec [day(ts), bucket(4, id)]",
             (by["table"][0]["format_version"], by["table"][0]["spec"]),
             (2, "[ 1000: ts_day: day(5) 1001: id_bucket: bucket[4](1) ]"))
    check_eq("Java: 3 snapshots append, append, overwrite",
             [s["operation"] for s in by.get("snapshot", [])], ["append", "append", "overwrite"])
    compare_table(cwd, "ns.t", by, "ldp -> Java ns.t")
    # hand-checked against the statements above: ids 1..11 without 4 and 9
    check_eq("Java: current ids", [r["id"] for r in java_rows(by, None)], [1, 2, 3, 5, 6, 7, 8, 10, 11])
    check_eq("catalog.db schema unchanged by Java's JdbcCatalog", catalog_ddl(cwd), before)


def java_to_ldp(cwd):
    by = java(cwd, "write", "ns.t2")
    written = canon([w["row"] for w in by.get("written", [])])
    check_eq("Java wrote 6 rows", len(written), 6)
    check_eq("Java: two append snapshots", [s["operation"] for s in by.get("snapshot", [])],
             ["append", "append"])
    compare_table(cwd, "ns.t2", by, "Java -> ldp ns.t2")
    check_eq("ldp reads the rows Java wrote", canon(ldp_rows(cwd, "SELECT * FROM ns.t2")), written)
    first = by["snapshot"][0]["id"]
    check_eq("ldp time travel to Java's first snapshot",
             canon(ldp_rows(cwd, f'SELECT * FROM ns."t2@{first}"')),
             [r for r in written if r["category"] == "alpha"])
    # predicates on both partition fields and on data columns (ldp prunes with Java's stats)
    for where, keep in [
        ("category = 'beta'", lambda r: r["category"] == "beta"),
        ("ts >= TIMESTAMP '2024-03-02 00:00:00'", lambda r: r["ts"] >= dt.datetime(2024, 3, 2)),
        ("ts < TIMESTAMP '2024-03-01 09:30:15.123457'",
         lambda r: r["ts"] < dt.datetime(2024, 3, 1, 9, 30, 15, 123457)),
        ("price > 5", lambda r: r["price"] is not None and r["price"] > 5),
        ("amount IS NULL", lambda r: r["amount"] is None),
        ("d = DATE '2024-03-02'", lambda r: r["d"] == dt.date(2024, 3, 2)),
        ("id = 12", lambda r: r["id"] == 12),
    ]:
        check_eq(f"ldp on Java's table: WHERE {where}",
                 canon(ldp_rows(cwd, f"SELECT * FROM ns.t2 WHERE {where}")), [r for r in written if keep(r)])
    ldp_desc = ldp(cwd, "table", "describe", "ns.t2")
    check("ldp describes Java's partition spec (identity(category), day(ts))",
          "identity(category)" in ldp_desc and "day(ts)" in ldp_desc, ldp_desc)

    # ldp appends to Java's table, Java reads it back
    ldp(cwd, "table", "append", "ns.t2",
        "SELECT 21::BIGINT AS id, 'gamma' AS category, 26.25::DOUBLE AS amount, 21.05::DECIMAL(10,2) AS price, "
        "DATE '2024-03-03' AS d, TIMESTAMP '2024-03-03 08:30:15.123456' AS ts "
        "UNION ALL SELECT 22, 'alpha', NULL, NULL, NULL, TIMESTAMP '2024-03-01 23:59:59.999999'")
    added = [
        {"id": 21, "category": "gamma", "amount": 26.25, "price": decimal.Decimal("21.05"),
         "d": dt.date(2024, 3, 3), "ts": dt.datetime(2024, 3, 3, 8, 30, 15, 123456)},
        {"id": 22, "category": "alpha", "amount": None, "price": None, "d": None,
         "ts": dt.datetime(2024, 3, 1, 23, 59, 59, 999999)},
    ]
    by = java(cwd, "read", "ns.t2")
    check_eq("Java reads ldp's append to its table", java_rows(by, None), canon(written + added))
    check_eq("Java: snapshots append, append, append (ldp's last)",
             [s["operation"] for s in by.get("snapshot", [])], ["append", "append", "append"])
    compare_table(cwd, "ns.t2", by, "ldp append -> Java ns.t2")


def java_catalog_first(work):
    cwd = os.path.join(work, "javafirst")
    os.makedirs(os.path.join(cwd, "warehouse"))
    by = java(cwd, "write", "ns.t2")
    written = canon([w["row"] for w in by.get("written", [])])
    ddl = catalog_ddl(cwd)
    check("Java's JdbcCatalog created a catalog.db without iceberg_type (V0)",
          len(ddl) == 2 and not any("iceberg_type" in d for d in ddl), ddl)
    with open(os.path.join(cwd, "ldp.yml"), "w") as f:
        f.write("name: javafirst\nwarehouse: warehouse\n"
                "catalog:\n  type: sqlite\n  uri: warehouse/catalog.db\n  name: ldp\n")
    check_eq("ldp lists Java's table in Java's catalog.db", ldp(cwd, "table", "list").split(), ["ns.t2"])
    check_eq("ldp reads Java's table from Java's catalog.db", canon(ldp_rows(cwd, "SELECT * FROM ns.t2")),
             written)
    ldp(cwd, "table", "append", "ns.t2",
        "SELECT 31::BIGINT AS id, 'delta' AS category, NULL::DOUBLE AS amount, 3.10::DECIMAL(10,2) AS price, "
        "NULL::DATE AS d, TIMESTAMP '2024-05-01 00:00:00' AS ts")
    ldp(cwd, "namespace", "create", "outer")
    ldp(cwd, "namespace", "create", "outer.inner")
    ldp(cwd, "table", "create", "outer.inner.x", "--schema", "id BIGINT, s VARCHAR")
    ldp(cwd, "table", "append", "outer.inner.x", "SELECT 7::BIGINT AS id, 'seven' AS s")
    check_eq("catalog.db schema unchanged by ldp", catalog_ddl(cwd), ddl)
    by = java(cwd, "read", "ns.t2")
    check_eq("Java reads ldp's append in its own catalog.db", [r["id"] for r in java_rows(by, None)],
             [r["id"] for r in written] + [31])
    compare_table(cwd, "ns.t2", by, "V0 catalog ns.t2")
    by = java(cwd, "read", "outer.inner.x")
    check_eq("Java reads ldp's table in a nested namespace", java_rows(by, None), [{"id": 7, "s": "seven"}])


def main():
    work = os.path.abspath(sys.argv[1])
    os.makedirs(work, exist_ok=True)
    cwd = os.path.join(work, "proj")
    run([LDP, "init", cwd], work)
    ldp_to_java(cwd)
    java_to_ldp(cwd)
    java_catalog_first(work)
    finish()


if __name__ == "__main__":
    main()
