#!/usr/bin/env python3
"""Spark 3.5 (local mode, Iceberg's Spark runtime) against `ldp serve`, both
directions: Spark creates, inserts, alters and reads through the REST
catalog; ldp (a project whose catalog is type rest, pointed at the same
server) reads what Spark wrote, writes, and Spark reads that.

usage: LDP=<ldp> python rest_spark.py <scratch dir> <iceberg-spark-runtime jar>
Expected values are the rows the script itself inserts.
"""
import os
import shutil
import subprocess
import sys
import time

from checks import check, check_eq, finish

LDP = os.environ["LDP"]
root, jar = sys.argv[1], sys.argv[2]
shutil.rmtree(root, ignore_errors=True)
os.makedirs(root)
srv_proj = os.path.join(root, "server")
cli_proj = os.path.join(root, "client")
subprocess.run([LDP, "init", srv_proj], check=True, capture_output=True)
subprocess.run([LDP, "init", cli_proj], check=True, capture_output=True)

env = dict(os.environ, LDP_SERVE_CREDENTIAL="spark:spark-secret")
out = open(os.path.join(root, "serve.out"), "w+")
srv = subprocess.Popen([LDP, "serve", "--port", "0", "--threads", "4"], cwd=srv_proj, env=env, stdout=out,
                       stderr=subprocess.STDOUT)
try:
    for _ in range(100):
        out.seek(0)
        line = out.readline()
        if "listening on" in line:
            break
        time.sleep(0.1)
    uri = line.split("listening on ")[1].split(" ")[0]
    with open(os.path.join(cli_proj, "ldp.yml"), "w") as f:
        f.write(f"name: client\nwarehouse: warehouse\ncatalog:\n  type: rest\n  uri: {uri}\n"
                f"  credential: spark:spark-secret\n")

    def ldp(*args):
        r = subprocess.run([LDP, *args], cwd=cli_proj, capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stderr, file=sys.stderr)
        return r

    def ldp_csv(sql):
        r = ldp("sql", "--format", "csv", sql)
        return [line.split(",") for line in r.stdout.strip().splitlines()[1:]] if r.returncode == 0 else None

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("ldp-rest")
             .config("spark.jars", jar)
             .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
             .config("spark.sql.catalog.ldp", "org.apache.iceberg.spark.SparkCatalog")
             .config("spark.sql.catalog.ldp.type", "rest")
             .config("spark.sql.catalog.ldp.uri", uri)
             .config("spark.sql.catalog.ldp.credential", "spark:spark-secret")
             .config("spark.sql.catalog.ldp.cache-enabled", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.driver.memory", "1g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    sql = spark.sql

    # ---- Spark writes, ldp reads ----
    sql("CREATE NAMESPACE ldp.sp")
    sql("CREATE TABLE ldp.sp.events (id BIGINT, name STRING, ts TIMESTAMP) USING iceberg PARTITIONED BY (days(ts))")
    sql("INSERT INTO ldp.sp.events VALUES (1, 'a', TIMESTAMP '2024-01-01 10:00:00'), "
        "(2, 'b', TIMESTAMP '2024-01-02 11:00:00'), (3, 'c', TIMESTAMP '2024-01-02 12:00:00')")
    check_eq("Spark reads its insert", sql("SELECT count(*), sum(id) FROM ldp.sp.events").collect()[0][:], (3, 6))
    sql("ALTER TABLE ldp.sp.events ADD COLUMN qty INT")
    sql("INSERT INTO ldp.sp.events VALUES (4, 'd', TIMESTAMP '2024-01-03 09:00:00', 7)")
    sql("ALTER TABLE ldp.sp.events RENAME COLUMN name TO label")
    sql("ALTER TABLE ldp.sp.events SET TBLPROPERTIES ('team' = 'spark')")
    check_eq("Spark sees the evolved table", [tuple(r) for r in sql(
        "SELECT id, label, qty FROM ldp.sp.events ORDER BY id").collect()],
        [(1, "a", None), (2, "b", None), (3, "c", None), (4, "d", 7)])
    check_eq("ldp lists Spark's namespace and table", ldp("table", "list", "sp").stdout.split(), ["sp.events"])
    check_eq("ldp reads what Spark wrote (renamed and added columns)",
             ldp_csv("SELECT id, label, qty FROM sp.events ORDER BY id"),
             [["1", "a", ""], ["2", "b", ""], ["3", "c", ""], ["4", "d", "7"]])
    d = ldp("table", "describe", "sp.events", "--json")
    check("ldp sees Spark's partitioning and property", '"team"' in d.stdout and "day" in d.stdout, d.stdout[:400])

    # ---- ldp writes, Spark reads ----
    r = ldp("table", "append", "sp.events",
            "SELECT 5::BIGINT AS id, 'e' AS label, TIMESTAMPTZ '2024-01-04 08:00:00+00' AS ts, 9 AS qty")
    check("ldp appends to Spark's table over REST", r.returncode == 0, r.stderr)
    check_eq("Spark reads ldp's append", [tuple(r) for r in sql(
        "SELECT id, label, qty FROM ldp.sp.events WHERE id >= 4 ORDER BY id").collect()], [(4, "d", 7), (5, "e", 9)])
    r = ldp("table", "create", "sp.made_by_ldp", "--schema", "k BIGINT, v VARCHAR", "--partition-by", "bucket(4, k)")
    check("ldp creates a table over REST", r.returncode == 0, r.stderr)
    r = ldp("table", "append", "sp.made_by_ldp", "SELECT range AS k, 'v' || range AS v FROM range(10)")
    check("ldp appends to its table", r.returncode == 0, r.stderr)
    check_eq("Spark reads ldp's table", sql("SELECT count(*), sum(k) FROM ldp.sp.made_by_ldp").collect()[0][:], (10, 45))
    sql("INSERT INTO ldp.sp.made_by_ldp VALUES (100, 'x')")
    check_eq("ldp reads Spark's insert into its table", ldp_csv("SELECT count(*), max(k) FROM sp.made_by_ldp"),
             [["11", "100"]])
    check_eq("Spark sees both snapshots' history", sql(
        "SELECT count(*) FROM ldp.sp.made_by_ldp.snapshots").collect()[0][0], 2)
    sql("DROP TABLE ldp.sp.made_by_ldp PURGE")
    check_eq("dropped table gone for ldp", ldp("table", "list", "sp").stdout.split(), ["sp.events"])
    spark.stop()
finally:
    srv.terminate()
    srv.wait()
finish()
