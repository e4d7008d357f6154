#!/usr/bin/env python3
"""The Iceberg REST protocol of `ldp serve`, endpoint by endpoint, with the
standard library only (urllib). Expected values come from the REST spec
(apache/iceberg open-api/rest-catalog-open-api.yaml) and the table spec, not
from ldp's output: status codes, ErrorModel types, the requirement and update
semantics; metadata files are read back from disk and checked independently.

usage: rest_protocol.py <base url .../v1> <warehouse dir> <ldp binary> <project dir>
"""
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request

from checks import check, check_eq, finish

BASE, WH, LDP, PROJECT = sys.argv[1:5]
US = "\x1f"


def call(method, path, body=None, raw=None, headers=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers or {})
    if data is not None and "Content-Type" not in (headers or {}):
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read()
        try:
            return e.code, json.loads(text) if text else None
        except ValueError:
            return e.code, text


def err_type(resp):
    return resp.get("error", {}).get("type") if isinstance(resp, dict) else None


def expect(what, got, status, etype=None):
    ok = got[0] == status and (etype is None or err_type(got[1]) == etype)
    check(what, ok, f"got {got[0]} {got[1]!r}, want {status} {etype or ''}")
    return got[1]


def ns_path(*levels):
    return "/namespaces/" + urllib.parse.quote(US.join(levels), safe="")


import urllib.parse  # noqa: E402

SCHEMA = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "id", "type": "long", "required": False},
    {"id": 2, "name": "name", "type": "string", "required": False}]}

# ---- config ----
cfg = expect("GET /config", call("GET", "/config"), 200)
check("config has defaults and overrides", isinstance(cfg.get("defaults"), dict) and isinstance(cfg.get("overrides"), dict))

# ---- namespaces ----
expect("create namespace", call("POST", "/namespaces", {"namespace": ["db"], "properties": {"owner": "ann"}}), 200)
expect("create namespace again: 409", call("POST", "/namespaces", {"namespace": ["db"]}), 409, "AlreadyExistsException")
expect("create nested namespace", call("POST", "/namespaces", {"namespace": ["db", "eu"]}), 200)
expect("nested namespace without parent: 404", call("POST", "/namespaces", {"namespace": ["nope", "x"]}), 404)
for n in ("a1", "a2", "a3"):
    call("POST", "/namespaces", {"namespace": [n]})
top = expect("list namespaces", call("GET", "/namespaces"), 200)
check_eq("top-level namespaces", sorted(top["namespaces"]), [["a1"], ["a2"], ["a3"], ["db"]])
kids = expect("list children of db", call("GET", "/namespaces?parent=db"), 200)
check_eq("children of db", kids["namespaces"], [["db", "eu"]])
pages, token = [], None
for _ in range(10):
    q = "/namespaces?pageSize=3" + (f"&pageToken={urllib.parse.quote(token)}" if token else "")
    page = expect("list namespaces page", call("GET", q), 200)
    pages.append(page["namespaces"])
    token = page.get("next-page-token")
    if not token:
        break
check_eq("pages of 3", [len(p) for p in pages], [3, 1])
check_eq("pages cover every namespace once", sorted(sum(pages, [])), [["a1"], ["a2"], ["a3"], ["db"]])
expect("pageSize=0: 400", call("GET", "/namespaces?pageSize=0"), 400)
ns = expect("load namespace", call("GET", ns_path("db")), 200)
check_eq("namespace properties", ns["properties"], {"owner": "ann"})
expect("load nested namespace", call("GET", ns_path("db", "eu")), 200)
expect("HEAD namespace", call("HEAD", ns_path("db")), 204)
expect("HEAD missing namespace", call("HEAD", ns_path("zz")), 404)
expect("load missing namespace", call("GET", ns_path("zz")), 404, "NoSuchNamespaceException")
upd = expect("update namespace properties", call("POST", ns_path("db") + "/properties",
                                                 {"removals": ["owner", "ghost"], "updates": {"team": "x"}}), 200)
check_eq("updated/removed/missing", (upd["updated"], upd["removed"], upd["missing"]), (["team"], ["owner"], ["ghost"]))
check_eq("properties after update", call("GET", ns_path("db"))[1]["properties"], {"team": "x"})
expect("drop non-empty namespace: 409", call("DELETE", ns_path("db")), 409, "NamespaceNotEmptyException")
expect("drop namespace", call("DELETE", ns_path("a3")), 204)
expect("drop missing namespace: 404", call("DELETE", ns_path("a3")), 404)

# ---- tables ----
T = ns_path("db") + "/tables"
res = expect("create table", call("POST", T, {"name": "t", "schema": SCHEMA, "properties": {"k": "v"}}), 200)
loc = res["metadata-location"]
check("metadata file written under the warehouse", loc.startswith(WH + "/db/t/metadata/") and os.path.exists(loc))
with open(loc) as f:
    disk = json.load(f)
check_eq("response metadata is the file's", res["metadata"]["table-uuid"], disk["table-uuid"])
check_eq("created table format version", disk["format-version"], 2)
check_eq("created table property", disk["properties"].get("k"), "v")
expect("create table again: 409", call("POST", T, {"name": "t", "schema": SCHEMA}), 409, "AlreadyExistsException")
expect("create in missing namespace: 404", call("POST", ns_path("zz") + "/tables", {"name": "t", "schema": SCHEMA}),
       404, "NoSuchNamespaceException")
for n in ("t2", "t3"):
    expect(f"create {n}", call("POST", T, {"name": n, "schema": SCHEMA,
                                             "partition-spec": {"spec-id": 0, "fields": [
                                                 {"source-id": 1, "field-id": 1000, "name": "id_b",
                                                  "transform": "bucket[4]"}]},
                                             "write-order": {"order-id": 1, "fields": [
                                                 {"source-id": 1, "transform": "identity", "direction": "asc",
                                                  "null-order": "nulls-first"}]}}), 200)
t2 = call("GET", T + "/t2")[1]["metadata"]
check_eq("partition spec of t2", [f["transform"] for f in t2["partition-specs"][-1]["fields"]], ["bucket[4]"])
check_eq("sort order of t2", t2["default-sort-order-id"], 1)
lst = expect("list tables", call("GET", T), 200)
check_eq("tables", sorted(i["name"] for i in lst["identifiers"]), ["t", "t2", "t3"])
p1 = call("GET", T + "?pageSize=2")[1]
p2 = call("GET", T + "?pageSize=2&pageToken=" + urllib.parse.quote(p1["next-page-token"]))[1]
check_eq("table pages", ([i["name"] for i in p1["identifiers"]], [i["name"] for i in p2["identifiers"]]),
         (["t", "t2"], ["t3"]))
check("last page has no token", "next-page-token" not in p2)
loaded = expect("load table", call("GET", T + "/t"), 200)
check_eq("load returns the current location", loaded["metadata-location"], loc)
check("load has config", isinstance(loaded.get("config"), dict))
expect("HEAD table", call("HEAD", T + "/t"), 204)
expect("HEAD missing table", call("HEAD", T + "/nope"), 404)
expect("load missing table", call("GET", T + "/nope"), 404, "NoSuchTableException")

# ---- commits: requirements ----
m = loaded["metadata"]
uuid = m["table-uuid"]


def commit(name, reqs, updates, ident=None):
    body = {"requirements": reqs, "updates": updates}
    if ident:
        body["identifier"] = ident
    return call("POST", T + "/" + name, body)


good = [
    {"type": "assert-table-uuid", "uuid": uuid},
    {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": None},
    {"type": "assert-last-assigned-field-id", "last-assigned-field-id": 2},
    {"type": "assert-current-schema-id", "current-schema-id": 0},
    {"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": m["last-partition-id"]},
    {"type": "assert-default-spec-id", "default-spec-id": 0},
    {"type": "assert-default-sort-order-id", "default-sort-order-id": 0},
]
r = expect("commit with every requirement holding", commit("t", good, [{"action": "set-properties", "updates": {"a": "1"}}]), 200)
check_eq("commit applied", r["metadata"]["properties"].get("a"), "1")
check("commit returns a new location", r["metadata-location"] != loc and os.path.exists(r["metadata-location"]))
check_eq("metadata-log records the previous file", r["metadata"]["metadata-log"][-1]["metadata-file"], loc)
loc1 = r["metadata-location"]
bad_reqs = [
    {"type": "assert-table-uuid", "uuid": "00000000-0000-0000-0000-000000000000"},
    {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 42},
    {"type": "assert-last-assigned-field-id", "last-assigned-field-id": 9},
    {"type": "assert-current-schema-id", "current-schema-id": 3},
    {"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 5000},
    {"type": "assert-default-spec-id", "default-spec-id": 7},
    {"type": "assert-default-sort-order-id", "default-sort-order-id": 7},
    {"type": "assert-create"},
]
for q in bad_reqs:
    expect(f"failing {q['type']}: 409", commit("t", [q], [{"action": "set-properties", "updates": {"b": "2"}}]),
           409, "CommitFailedException")
now = call("GET", T + "/t")[1]
check_eq("failed commits changed nothing", (now["metadata-location"], now["metadata"]["properties"].get("b")), (loc1, None))
expect("unknown requirement: 400", commit("t", [{"type": "assert-magic"}], []), 400, "BadRequestException")
expect("requirement with wrong type: 400",
       commit("t", [{"type": "assert-current-schema-id", "current-schema-id": "0"}], []), 400)
expect("identifier differing from the path: 400",
       commit("t", [], [], ident={"namespace": ["db"], "name": "t2"}), 400)
expect("commit to a missing table: 404", commit("nope", [], []), 404, "NoSuchTableException")

# ---- commits: every update action ----
schema2 = {"type": "struct", "schema-id": 1, "fields": SCHEMA["fields"] + [
    {"id": 3, "name": "ts", "type": "timestamptz", "required": False}]}
r = expect("add-schema + set-current-schema -1", commit("t", [{"type": "assert-current-schema-id", "current-schema-id": 0}], [
    {"action": "add-schema", "schema": schema2, "last-column-id": 3},
    {"action": "set-current-schema", "schema-id": -1}]), 200)
md = r["metadata"]
check_eq("schemas", [s["schema-id"] for s in md["schemas"]], [0, 1])
check_eq("current schema", md["current-schema-id"], 1)
check_eq("last-column-id", md["last-column-id"], 3)
r = expect("add-spec + set-default-spec -1", commit("t", [{"type": "assert-default-spec-id", "default-spec-id": 0}], [
    {"action": "add-spec", "spec": {"spec-id": 1, "fields": [
        {"source-id": 3, "field-id": 1000, "name": "ts_day", "transform": "day"}]}},
    {"action": "set-default-spec", "spec-id": -1}]), 200)
md = r["metadata"]
check_eq("default spec", md["default-spec-id"], 1)
check_eq("last-partition-id", md["last-partition-id"], 1000)
r = expect("add-sort-order + set-default-sort-order -1", commit("t", [], [
    {"action": "add-sort-order", "sort-order": {"order-id": 1, "fields": [
        {"source-id": 1, "transform": "identity", "direction": "desc", "null-order": "nulls-last"}]}},
    {"action": "set-default-sort-order", "sort-order-id": -1}]), 200)
check_eq("default sort order", r["metadata"]["default-sort-order-id"], 1)
seq = r["metadata"]["last-sequence-number"]
snap = {"snapshot-id": 1001, "sequence-number": seq + 1, "timestamp-ms": 1700000000000,
        "manifest-list": WH + "/db/t/metadata/snap-1001.avro", "summary": {"operation": "append"}, "schema-id": 1}
r = expect("add-snapshot + set-snapshot-ref main", commit("t", [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": None}], [
    {"action": "add-snapshot", "snapshot": snap},
    {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 1001}]), 200)
md = r["metadata"]
check_eq("current snapshot", md.get("current-snapshot-id"), 1001)
check_eq("last-sequence-number", md["last-sequence-number"], seq + 1)
check_eq("snapshot-log", [e["snapshot-id"] for e in md["snapshot-log"]], [1001])
snap2 = dict(snap, **{"snapshot-id": 1002, "sequence-number": seq + 2, "parent-snapshot-id": 1001,
                      "timestamp-ms": 1700000001000})
r = expect("add-snapshot without a ref, then a tag", commit("t", [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 1001}], [
    {"action": "add-snapshot", "snapshot": snap2},
    {"action": "set-snapshot-ref", "ref-name": "v1", "type": "tag", "snapshot-id": 1002, "max-ref-age-ms": 86400000}]), 200)
md = r["metadata"]
check_eq("main unchanged by add-snapshot alone", md.get("current-snapshot-id"), 1001)
check_eq("tag v1", md["refs"].get("v1"), {"snapshot-id": 1002, "type": "tag", "max-ref-age-ms": 86400000})
expect("stale sequence number: 409", commit("t", [], [
    {"action": "add-snapshot", "snapshot": dict(snap, **{"snapshot-id": 1003, "sequence-number": seq + 1})}]), 409)
expect("set-snapshot-ref to an unknown snapshot: 400", commit("t", [], [
    {"action": "set-snapshot-ref", "ref-name": "b", "type": "branch", "snapshot-id": 999}]), 400)
r = expect("remove-snapshot-ref", commit("t", [], [{"action": "remove-snapshot-ref", "ref-name": "v1"}]), 200)
check("tag removed", "v1" not in r["metadata"]["refs"])
r = expect("remove-snapshots", commit("t", [], [{"action": "remove-snapshots", "snapshot-ids": [1002]}]), 200)
check_eq("snapshots left", [s["snapshot-id"] for s in r["metadata"]["snapshots"]], [1001])
r = expect("set-properties + remove-properties", commit("t", [], [
    {"action": "set-properties", "updates": {"x": "1", "y": "2"}},
    {"action": "remove-properties", "removals": ["x", "a"]}]), 200)
props = r["metadata"]["properties"]
check("properties set and removed", props.get("y") == "2" and "x" not in props and "a" not in props)
r = expect("set-location inside the warehouse", commit("t", [], [{"action": "set-location", "location": WH + "/db/t_moved"}]), 200)
check_eq("location", r["metadata"]["location"], WH + "/db/t_moved")
expect("set-location outside the warehouse: 400", commit("t", [], [{"action": "set-location", "location": "/etc"}]), 400)
expect("set-location with ..: 400", commit("t", [], [{"action": "set-location", "location": WH + "/../x"}]), 400)
r = expect("assign-uuid (same uuid)", commit("t", [], [{"action": "assign-uuid", "uuid": uuid}]), 200)
expect("assign-uuid to another uuid: 400", commit("t", [], [{"action": "assign-uuid", "uuid": "11111111-1111-4111-8111-111111111111"}]), 400)
r = expect("upgrade-format-version 3", commit("t3", [], [{"action": "upgrade-format-version", "format-version": 3}]), 200)
check_eq("format version", r["metadata"]["format-version"], 3)
expect("downgrade: 400", commit("t3", [], [{"action": "upgrade-format-version", "format-version": 2}]), 400)
expect("unknown update action: 400", commit("t", [], [{"action": "make-coffee"}]), 400, "BadRequestException")
expect("update without action: 400", commit("t", [], [{"updates": {}}]), 400)
expect("update with wrong types: 400", commit("t", [], [{"action": "set-properties", "updates": ["x"]}]), 400)
expect("updates not an array: 400", call("POST", T + "/t", {"updates": {"action": "set-properties"}}), 400)
with open(call("GET", T + "/t")[1]["metadata-location"]) as f:
    disk = json.load(f)
check_eq("on disk: current schema 1, spec 1, order 1", (disk["current-schema-id"], disk["default-spec-id"],
                                                        disk["default-sort-order-id"]), (1, 1, 1))

# ---- stage-create + assert-create ----
staged = expect("stage-create", call("POST", T, {"name": "st", "schema": SCHEMA, "stage-create": True}), 200)
check("staged table has metadata but no location", "metadata" in staged and not staged.get("metadata-location"))
expect("staged table is not in the catalog yet", call("HEAD", T + "/st"), 404)
sm = staged["metadata"]
r = expect("commit with assert-create creates it", commit("st", [{"type": "assert-create"}], [
    {"action": "assign-uuid", "uuid": sm["table-uuid"]},
    {"action": "upgrade-format-version", "format-version": 2},
    {"action": "add-schema", "schema": sm["schemas"][0], "last-column-id": 2},
    {"action": "set-current-schema", "schema-id": -1},
    {"action": "add-spec", "spec": {"spec-id": 0, "fields": []}},
    {"action": "set-default-spec", "spec-id": -1},
    {"action": "add-sort-order", "sort-order": {"order-id": 0, "fields": []}},
    {"action": "set-default-sort-order", "sort-order-id": -1},
    {"action": "set-location", "location": sm["location"]},
    {"action": "set-properties", "updates": {"created": "staged"}}]), 200)
check_eq("created with the staged uuid", r["metadata"]["table-uuid"], sm["table-uuid"])
check_eq("staged properties", r["metadata"]["properties"].get("created"), "staged")
expect("assert-create on an existing table: 409", commit("st", [{"type": "assert-create"}], [
    {"action": "add-schema", "schema": SCHEMA}]), 409, "CommitFailedException")

# ---- rename, register, drop, metrics ----
expect("metrics report accepted", call("POST", T + "/t2/metrics", {"report-type": "scan-report"}), 204)
expect("rename", call("POST", "/tables/rename", {"source": {"namespace": ["db"], "name": "t2"},
                                                "destination": {"namespace": ["db", "eu"], "name": "t2b"}}), 204)
expect("renamed table loads", call("GET", ns_path("db", "eu") + "/tables/t2b"), 200)
expect("old name gone", call("HEAD", T + "/t2"), 404)
expect("rename missing table: 404", call("POST", "/tables/rename", {"source": {"namespace": ["db"], "name": "t2"},
                                                                  "destination": {"namespace": ["db"], "name": "x"}}), 404)
expect("rename into missing namespace: 404", call("POST", "/tables/rename", {
    "source": {"namespace": ["db"], "name": "t3"}, "destination": {"namespace": ["zz"], "name": "x"}}), 404,
    "NoSuchNamespaceException")
t3loc = call("GET", T + "/t3")[1]["metadata-location"]
expect("drop t3 (no purge)", call("DELETE", T + "/t3"), 204)
check("drop without purge keeps files", os.path.exists(t3loc))
r = expect("register t3 again from its metadata file", call("POST", ns_path("db") + "/register",
                                                           {"name": "t3r", "metadata-location": t3loc}), 200)
check_eq("registered table points at the file", r["metadata-location"], t3loc)
expect("register outside the warehouse: 400", call("POST", ns_path("db") + "/register",
                                                   {"name": "evil", "metadata-location": "/etc/passwd"}), 400)
expect("register over an existing name: 409", call("POST", ns_path("db") + "/register",
                                                   {"name": "t3r", "metadata-location": t3loc}), 409)
stloc = call("GET", T + "/st")[1]["metadata"]["location"]
expect("drop with purge", call("DELETE", T + "/st?purgeRequested=true"), 204)
check("purge removed the table directory", not os.path.exists(stloc))
expect("drop missing table: 404", call("DELETE", T + "/st"), 404, "NoSuchTableException")

# ---- multi-table transactions ----
for n in ("x1", "x2"):
    call("POST", T, {"name": n, "schema": SCHEMA})
before = {n: call("GET", T + "/" + n)[1]["metadata-location"] for n in ("x1", "x2")}
txn = {"table-changes": [
    {"identifier": {"namespace": ["db"], "name": "x1"}, "requirements": [{"type": "assert-current-schema-id", "current-schema-id": 0}],
     "updates": [{"action": "set-properties", "updates": {"txn": "1"}}]},
    {"identifier": {"namespace": ["db"], "name": "x2"}, "requirements": [{"type": "assert-current-schema-id", "current-schema-id": 5}],
     "updates": [{"action": "set-properties", "updates": {"txn": "1"}}]}]}
expect("transaction with one failing requirement: 409", call("POST", "/transactions/commit", txn), 409, "CommitFailedException")
check_eq("neither table changed", {n: call("GET", T + "/" + n)[1]["metadata-location"] for n in ("x1", "x2")}, before)
txn["table-changes"][1]["requirements"][0]["current-schema-id"] = 0
expect("transaction commit", call("POST", "/transactions/commit", txn), 204)
check_eq("both tables changed", [call("GET", T + "/" + n)[1]["metadata"]["properties"].get("txn") for n in ("x1", "x2")], ["1", "1"])
expect("transaction naming a table twice: 400", call("POST", "/transactions/commit", {"table-changes": [
    txn["table-changes"][0], txn["table-changes"][0]]}), 400)
expect("transaction without identifiers: 400", call("POST", "/transactions/commit", {"table-changes": [{"updates": []}]}), 400)

# ---- bad input and security ----
expect("malformed JSON: 400", call("POST", "/namespaces", raw=b"{not json"), 400, "BadRequestException")
expect("JSON array body: 400", call("POST", "/namespaces", raw=b"[1]"), 400)
expect("namespace of wrong type: 400", call("POST", "/namespaces", {"namespace": "db"}), 400)
expect("namespace level with a dot: 400", call("POST", "/namespaces", {"namespace": ["a.b"]}), 400)
expect("namespace ..: 400", call("POST", "/namespaces", {"namespace": [".."]}), 400)
expect("table name ..: 400", call("POST", T, {"name": "..", "schema": SCHEMA}), 400)
expect("table name with /: 400", call("POST", T, {"name": "a/b", "schema": SCHEMA}), 400)
expect("encoded traversal in the path: 400", call("GET", "/namespaces/..%2F..%2Fetc/tables"), 400)
expect("encoded NUL: 400", call("GET", "/namespaces/db%00x"), 400)
expect("table location outside the warehouse: 400", call("POST", T, {"name": "out", "schema": SCHEMA, "location": "/tmp/evil"}), 400)
expect("schema with a bad type: 400", call("POST", T, {"name": "bad", "schema": {"type": "struct", "fields": [
    {"id": 1, "name": "a", "type": "no-such-type", "required": False}]}}), 400)


def oversized():
    # the server answers 413 from the headers and closes: send only the headers
    import socket
    u = urllib.parse.urlparse(BASE)
    with socket.create_connection((u.hostname, u.port), timeout=30) as s:
        s.sendall(b"POST /v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 20000000\r\n\r\n{")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return int(data.split(b" ")[1]) if data else 0, None


check_eq("oversized body: 413", oversized()[0], 413)
expect("URL too long: 414", call("GET", "/namespaces/" + "a" * 9000), 414)
expect("unknown endpoint: 404", call("GET", "/nothing/here"), 404)
expect("server still serves after bad requests", call("GET", "/config"), 200)

# ---- concurrency: parallel commits, none lost ----
results = []


def worker(i):
    for k in range(5):
        s, _ = commit("x1", [], [{"action": "set-properties", "updates": {f"w{i}_{k}": "1"}}])
        results.append(s)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check_eq("40 parallel commits all succeed", results.count(200), 40)
props = call("GET", T + "/x1")[1]["metadata"]["properties"]
check_eq("no commit lost", sum(1 for k in props if k.startswith("w")), 40)
# racing appends that all assert the same main: exactly one wins
base = call("GET", T + "/x2")[1]["metadata"]
wins = []


def racer(i):
    sid = 5000 + i
    s, _ = commit("x2", [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": None}], [
        {"action": "add-snapshot", "snapshot": {"snapshot-id": sid, "sequence-number": base["last-sequence-number"] + 1,
                                                "timestamp-ms": 1700000000000, "manifest-list": WH + "/x.avro",
                                                "summary": {"operation": "append"}}},
        {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": sid}])
    wins.append((s, sid))


threads = [threading.Thread(target=racer, args=(i,)) for i in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
winners = [sid for s, sid in wins if s == 200]
check_eq("exactly one racing append wins, the rest get 409", (len(winners), sorted(s for s, _ in wins if s != 200)),
         (1, [409] * 5))
check_eq("the winner is current", call("GET", T + "/x2")[1]["metadata"].get("current-snapshot-id"), winners[0] if winners else None)

# ---- ldp itself reads what the server wrote (same catalog file) ----
out = subprocess.run([LDP, "table", "describe", "db.x1", "--json"], cwd=PROJECT, capture_output=True, text=True)
check("ldp describes a table committed over REST", out.returncode == 0 and '"w7_4"' in out.stdout, out.stderr)
finish()
