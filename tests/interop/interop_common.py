"""Shared helpers of the pyiceberg interoperability tests (run by
tests/e2e/iceberg_pyiceberg.sh with the venv of scripts/pyenv.sh).

Values from both sides are brought to one canonical form before comparing:
ldp's `--format json` output is DuckDB's text of each value, pyiceberg's
to_arrow().to_pylist() gives Python objects; canon() maps both to the same
Python values for a given Iceberg type (decimals quantized to the scale,
floats rounded to float32, times/timestamps as ISO text in microseconds,
timestamptz in UTC, uuids as lowercase text, binary and fixed as hex).
"""

import datetime as dt
import decimal
import json
import os
import struct
import subprocess
import sys
import uuid

from pyiceberg.conversions import from_bytes
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
    StringType,
    TimestampType,
    TimestamptzType,
    TimeType,
    UUIDType,
)

LDP = os.environ.get("LDP", "ldp")
from checks import RESULTS, check, check_eq, finish  # noqa: F401 (re-exported)


def ldp(cwd, *args, ok=True):
    """Run the ldp binary in project dir `cwd`; returns (rc, stdout, stderr).
    With ok=True a non-zero exit is a test failure (and stops the script:
    later checks would only repeat it)."""
    p = subprocess.run([LDP, *args], cwd=cwd, capture_output=True, text=True)
    if ok and p.returncode != 0:
        print(f"FAIL: ldp {' '.join(args)} exited {p.returncode}\n{p.stdout}\n{p.stderr}", flush=True)
        RESULTS["failed"] += 1
        finish()
    return p.returncode, p.stdout, p.stderr


def ldp_json(cwd, *args):
    _, out, _ = ldp(cwd, *args)
    return json.loads(out, parse_float=decimal.Decimal)


def ldp_rows(cwd, sql):
    """Rows of `ldp sql --format json` as a list of dicts (decimals exact)."""
    _, out, _ = ldp(cwd, "sql", "--format", "json", sql)
    out = out.strip()
    return json.loads(out, parse_float=decimal.Decimal) if out else []


def duckdb_blob(text):
    """DuckDB's BLOB text: printable ASCII as itself, every other byte (and
    backslash and quotes) as \\xHH."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "\\":
            assert text[i + 1] == "x", text
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        else:
            out.append(ord(text[i]))
            i += 1
    return bytes(out)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def canon(v, t, side):
    """Canonical value of `v` of Iceberg type `t`; side is 'ldp' (DuckDB
    text / JSON) or 'py' (pyarrow's Python objects)."""
    if v is None:
        return None
    if isinstance(t, BooleanType):
        assert isinstance(v, bool), (v, t)
        return v
    if isinstance(t, (IntegerType, LongType)):
        assert isinstance(v, int) and not isinstance(v, bool), (v, t)
        return v
    if isinstance(t, FloatType):
        return f32(v)
    if isinstance(t, DoubleType):
        return float(v)
    if isinstance(t, DecimalType):
        d = decimal.Decimal(v) if not isinstance(v, decimal.Decimal) else v
        return d.quantize(decimal.Decimal(1).scaleb(-t.scale))
    if isinstance(t, DateType):
        return (v if isinstance(v, dt.date) else dt.date.fromisoformat(v)).isoformat()
    if isinstance(t, TimeType):
        return (v if isinstance(v, dt.time) else dt.time.fromisoformat(v)).isoformat(timespec="microseconds")
    if isinstance(t, TimestampType):
        x = v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)
        assert x.tzinfo is None, (v, t)
        return x.isoformat(sep=" ", timespec="microseconds")
    if isinstance(t, TimestamptzType):
        x = v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)
        assert x.tzinfo is not None, (v, t)
        return x.astimezone(dt.timezone.utc).isoformat(sep=" ", timespec="microseconds")
    if isinstance(t, StringType):
        assert isinstance(v, str), (v, t)
        return v
    if isinstance(t, UUIDType):
        return str(v if isinstance(v, uuid.UUID) else uuid.UUID(bytes=v) if isinstance(v, bytes) else uuid.UUID(v))
    if isinstance(t, (BinaryType, FixedType)):
        b = v if isinstance(v, bytes) else duckdb_blob(v)
        if isinstance(t, FixedType):
            assert len(b) == len(t), (v, t)
        return b.hex()
    raise AssertionError(f"no canonical form for {t}")


def canon_rows(rows, schema, side):
    """Rows (dicts keyed by column name) in canonical form, as tuples in
    schema order; the column names must be exactly the schema's."""
    names = [f.name for f in schema.fields]
    out = []
    for r in rows:
        assert list(r.keys()) == names, f"{side} columns {list(r.keys())} != schema {names}"
        out.append(tuple(canon(r[f.name], f.field_type, side) for f in schema.fields))
    return out


def py_rows(table_scan, schema):
    rows = table_scan.to_arrow().to_pylist()
    rows.sort(key=lambda r: r["id"])
    return canon_rows(rows, schema, "py")


def compare_scan(what, cwd, sql, scan, schema):
    """ldp's rows of `sql` (ordered by id) against a pyiceberg scan."""
    got = canon_rows(ldp_rows(cwd, sql), schema, "ldp")
    want = py_rows(scan, schema)
    if got == want:
        return check(f"{what}: {len(got)} rows equal", True)
    diff = [(g, w) for g, w in zip(got, want) if g != w][:3]
    return check(what, False, f"ldp {len(got)} rows, pyiceberg {len(want)}; first differences (ldp, pyiceberg): {diff}")


def schema_json(schema):
    """A pyiceberg schema as the Iceberg JSON `ldp table describe --json` prints."""
    fields = json.loads(schema.model_dump_json())["fields"]
    for f in fields:
        # pyiceberg prints "decimal(12, 3)" as Java does, ldp "decimal(12,3)"
        # as the spec does; both parse alike.
        if isinstance(f["type"], str):
            f["type"] = f["type"].replace(" ", "")
    return fields


def spec_json(spec):
    return [
        {"name": f.name, "transform": str(f.transform), "source-id": f.source_id, "field-id": f.field_id}
        for f in spec.fields
    ]


def manifest_entries(table, snapshot):
    """Every manifest entry (live and deleted) of a snapshot, read with
    pyiceberg's own Avro reader. inspect.files()/entries() cannot be used on
    tables with a uuid column: pyiceberg 0.12 fails building their Arrow
    tables (ArrowNotImplementedError: extension), also for tables it wrote."""
    out = []
    for m in snapshot.manifests(table.io):
        for e in m.fetch_manifest_entry(table.io, discard_deleted=False):
            out.append((m, e))
    return out


def live_files(table, snapshot):
    return [e.data_file for _, e in manifest_entries(table, snapshot) if e.status.value != 2]


def check_summaries(what, table, snapshots):
    """Each snapshot's summary totals against the files its manifests list
    (an independent count, not the summary read back)."""
    prev = None
    for s in snapshots:
        files = live_files(table, s)
        summ = s.summary.additional_properties
        check_eq(f"{what} {s.snapshot_id} total-data-files", int(summ["total-data-files"]), len(files))
        check_eq(f"{what} {s.snapshot_id} total-records", int(summ["total-records"]), sum(f.record_count for f in files))
        check_eq(f"{what} {s.snapshot_id} total-files-size", int(summ["total-files-size"]),
                 sum(f.file_size_in_bytes for f in files))
        added = [e.data_file for _, e in manifest_entries(table, s)
                 if e.status.value == 1 and e.snapshot_id == s.snapshot_id]
        check_eq(f"{what} {s.snapshot_id} added-data-files", int(summ.get("added-data-files", 0)), len(added))
        check_eq(f"{what} {s.snapshot_id} added-records", int(summ.get("added-records", 0)),
                 sum(f.record_count for f in added))
        if prev is not None:
            pfiles = {f.file_path for f in live_files(table, prev)}
            gone = pfiles - {f.file_path for f in files}
            check_eq(f"{what} {s.snapshot_id} deleted-data-files", int(summ.get("deleted-data-files", 0)), len(gone))
        prev = s


def check_snapshots(what, cwd, ident, table):
    """`ldp table snapshots --json` against pyiceberg's view of the metadata."""
    got = ldp_json(cwd, "table", "snapshots", ident, "--json")
    want = []
    for s in table.snapshots():
        want.append({
            "snapshot_id": s.snapshot_id,
            "parent_id": s.parent_snapshot_id,
            "sequence_number": s.sequence_number,
            "timestamp_ms": s.timestamp_ms,
            "operation": s.summary.operation.value,
            "schema_id": s.schema_id,
            "summary": {"operation": s.summary.operation.value, **s.summary.additional_properties},
            "current": s.snapshot_id == table.metadata.current_snapshot_id,
        })
    keys = list(want[0].keys()) if want else []
    check_eq(f"{what}: snapshots (ids, parents, sequence numbers, operations, summaries)",
             [{k: g.get(k) for k in keys} for g in got], want)


def check_files(what, cwd, ident, table, snapshot):
    """`ldp table files --json --snapshot` against the manifests pyiceberg reads."""
    got = ldp_json(cwd, "table", "files", ident, "--snapshot", str(snapshot.snapshot_id), "--json")
    got = sorted((f["file_path"], f["record_count"], f["file_size_in_bytes"], f["spec_id"], f["partition"]) for f in got)
    spec = {s.spec_id: s for s in table.metadata.partition_specs}
    want = []
    for m, e in manifest_entries(table, snapshot):
        if e.status.value == 2:
            continue
        df = e.data_file
        path = spec[m.partition_spec_id].partition_to_path(df.partition, table.schema()) if spec[m.partition_spec_id].fields else ""
        want.append((df.file_path, df.record_count, df.file_size_in_bytes, m.partition_spec_id, path))
    check_eq(f"{what}: files of snapshot {snapshot.snapshot_id} (path, records, size, spec, partition)", got, sorted(want))


def decode_bounds(schema, bounds):
    out = {}
    for fid, b in (bounds or {}).items():
        out[fid] = from_bytes(schema.find_field(fid).field_type, b)
    return out


EPOCH_DATE = dt.date(1970, 1, 1)
EPOCH = dt.datetime(1970, 1, 1)


def internal(v, t):
    """A pyarrow Python value in the representation pyiceberg's from_bytes
    and transforms use (days, microseconds, uuid bytes...)."""
    if v is None:
        return None
    if isinstance(t, DateType):
        return (v - EPOCH_DATE).days
    if isinstance(t, TimeType):
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1000000 + v.microsecond
    if isinstance(t, (TimestampType, TimestamptzType)):
        base = EPOCH.replace(tzinfo=dt.timezone.utc) if v.tzinfo else EPOCH
        d = v - base
        return (d.days * 86400 + d.seconds) * 1000000 + d.microseconds
    if isinstance(t, UUIDType):
        return v.bytes if isinstance(v, uuid.UUID) else bytes(v)
    if isinstance(t, FloatType):
        return f32(v)
    return v


def check_data_files(what, table, snapshot):
    """Every live data file of a snapshot, read with pyarrow: row count,
    field ids, value/null counts and lower/upper bounds of the manifest
    entry against the file's contents, and the partition tuple against
    pyiceberg's transforms of each row."""
    import pyarrow.parquet as pq

    spec = {s.spec_id: s for s in table.metadata.partition_specs}
    bad = []
    nfiles = 0
    for m, e in manifest_entries(table, snapshot):
        if e.status.value == 2:
            continue
        df = e.data_file
        nfiles += 1
        path = df.file_path[7:] if df.file_path.startswith("file://") else df.file_path
        pf = pq.ParquetFile(path)
        data = pf.read()
        if data.num_rows != df.record_count:
            bad.append(f"{path}: {data.num_rows} rows, manifest says {df.record_count}")
        cols = {}
        for i, fld in enumerate(pf.schema_arrow):
            fid = int((fld.metadata or {}).get(b"PARQUET:field_id", b"-1"))
            cols[fid] = data.column(i).to_pylist()
        # Bounds are in the types of the schema the file was written with
        # (an int column promoted to long keeps 4-byte bounds in old files).
        added_by = table.metadata.snapshot_by_id(e.snapshot_id)
        fschema = next(x for x in table.metadata.schemas if x.schema_id == added_by.schema_id)
        lo = decode_bounds(fschema, df.lower_bounds)
        hi = decode_bounds(fschema, df.upper_bounds)
        for f in fschema.fields:
            if f.field_id not in cols:
                continue  # a column added after this file was written
            vals = [internal(v, f.field_type) for v in cols[f.field_id]]
            present = [v for v in vals if v is not None]
            nulls = len(vals) - len(present)
            if (df.null_value_counts or {}).get(f.field_id, nulls) != nulls:
                bad.append(f"{path} {f.name}: null count {df.null_value_counts.get(f.field_id)} != {nulls}")
            if (df.value_counts or {}).get(f.field_id, len(vals)) != len(vals):
                bad.append(f"{path} {f.name}: value count {df.value_counts.get(f.field_id)} != {len(vals)}")
            if not present:
                if f.field_id in lo or f.field_id in hi:
                    bad.append(f"{path} {f.name}: bounds for an all-null column")
                continue
            mn, mx = min(present), max(present)
            if f.field_id not in lo or f.field_id not in hi:
                bad.append(f"{path} {f.name}: no bounds")
                continue
            l, h = lo[f.field_id], hi[f.field_id]
            if isinstance(f.field_type, (StringType, BinaryType)):
                # Bounds may be truncated (metrics mode truncate(N)): a prefix
                # of the minimum, and something at least the maximum.
                ok = mn.startswith(l) and h >= mx
            else:
                ok = l == mn and h == mx
            if not ok:
                bad.append(f"{path} {f.name}: bounds [{l!r}, {h!r}] but values span [{mn!r}, {mx!r}]")
        ps = spec[m.partition_spec_id]
        for k, pfield in enumerate(ps.fields):
            src = table.schema().find_field(pfield.source_id)
            fn = pfield.transform.transform(src.field_type)
            want = {fn(internal(v, src.field_type)) if v is not None else None for v in cols.get(pfield.source_id, [None])}
            if want != {df.partition[k]}:
                bad.append(f"{path}: partition {pfield.name}={df.partition[k]!r} but rows give {sorted(want, key=repr)}")
    check(f"{what}: {nfiles} data files of snapshot {snapshot.snapshot_id} match their manifest entries", not bad,
          "\n    ".join(bad[:8]))


def open_catalog(proj):
    """pyiceberg's catalog over the project `proj`: SqlCatalog on its
    catalog.db, or with LDP_INTEROP_REST=1 a RestCatalog talking to an
    `ldp serve` started here (127.0.0.1, a free port, stopped at exit); with
    LDP_INTEROP_REST=auth the server requires OAuth2 client credentials."""
    mode = os.environ.get("LDP_INTEROP_REST", "")
    if not mode:
        from pyiceberg.catalog.sql import SqlCatalog
        return SqlCatalog("ldp", uri=f"sqlite:///{proj}/warehouse/catalog.db", warehouse=f"file://{proj}/warehouse")
    import atexit
    import time
    from pyiceberg.catalog.rest import RestCatalog
    env = dict(os.environ)
    props = {}
    if mode == "auth":
        env["LDP_SERVE_CREDENTIAL"] = "pyiceberg:interop-secret"
        props["credential"] = "pyiceberg:interop-secret"
    out = open(os.path.join(proj, ".serve.out"), "w+")
    srv = subprocess.Popen([LDP, "serve", "--port", "0"], cwd=proj, env=env, stdout=out, stderr=subprocess.DEVNULL)
    atexit.register(lambda: (srv.terminate(), srv.wait()))
    for _ in range(100):
        out.seek(0)
        line = out.readline()
        if "listening on" in line:
            break
        if srv.poll() is not None:
            raise SystemExit("ldp serve exited early")
        time.sleep(0.1)
    uri = line.split("listening on ")[1].split(" ")[0]
    return RestCatalog("ldp", uri=uri, **props)
