#!/usr/bin/env python3
"""Local HTTP server for the ingest_http*/ingest_api* end-to-end tests.

Listens on 127.0.0.1 on a free port and writes the port to --port-file.

Files (served from --root):
  /files/<name>          200 with ETag + Last-Modified; If-None-Match / If-Modified-Since -> 304
  /flaky503/<name>       the first 2 requests per path answer 503, then the file
  /ratelimit/<name>      the first request per path answers 429 Retry-After: 1, then the file
  /drop/<name>           the first request per path sends half the body then closes, then the file
  /alwaysdrop/<name>     always closes mid-body
  /missing/<name>        404
REST API over ITEMS (a list of dicts; GET /admin/items dumps it, POST /admin/add?n=K appends K newer items):
  /api/page?page=N&per_page=P           {"data": {"items": [...]}}; page starts at 1
  /api/offset?offset=O&limit=L          {"results": [...], "total": T}
  /api/cursor?cursor=C&limit=L          {"items": [...], "meta": {"next": C2 or null}}
  /api/nextlink?after=A                 {"items": [...], "links": {"next": URL or null}} (relative URLs)
  /api/linkheader?after=A               top-level array + Link: <URL>; rel="next"
  /api/all                              {"items": [...]} everything in one page
  /api/echo                             {"items": [{"header_x_a": ..., "query": {...}}]}
  any /api/* accepts since=<updated_at> (only items with updated_at > since)
Auth wrappers: /bearer/api/... (Authorization: Bearer TOKEN), /key/api/... (X-Api-Key header or api_key query),
  /basic/api/... (Basic USER:PASS). Wrong or missing credentials -> 401.
/ratelimited/api/...: every distinct URL first answers 429 with Retry-After: 1.
/admin/log: JSON list of [method, path, status, if_none_match] for every request so far.
Slack-style incoming webhooks (POST; each appended to <root>/webhook_posts.ndjson as a JSON line
{"path", "status", "time", "content_type", "body"}, body parsed when it is JSON):
  /hook/ok          200 "ok"
  /hook/flaky       the first POST per path answers 500, then 200
  /hook/ratelimit   the first POST per path answers 429 with Retry-After: 1, then 200
  /hook/bad         400 "invalid_blocks" (what Slack answers to a malformed message)
  /hook/down        503 always
"""
import argparse
import base64
import email.utils
import hashlib
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.RLock()
COUNTS = {}
LOG = []
ITEMS = []
TOKEN = "tok-s3cret-123"
APIKEY = "key-s3cret-456"
USER, PASSWORD = "alice", "pw-s3cret-789"


def make_items(start, n):
    out = []
    for i in range(start, start + n):
        out.append({"id": i, "name": "item-%d" % i, "score": i * 1.5,
                    "updated_at": "2024-01-01T00:%02d:%02dZ" % (i // 60, i % 60),
                    "tags": ["t%d" % (i % 3)], "nested": {"k": i % 7}})
    return out


def bump(key):
    with LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body=b"", ctype="application/json", headers=None):
        with LOCK:
            LOG.append([self.command, self.path, status, self.headers.get("If-None-Match")])
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, obj, status=200, headers=None):
        self.send(status, json.dumps(obj).encode(), headers=headers)

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        u = urllib.parse.urlparse(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        if u.path == "/admin/add":
            n = int(q.get("n", "1"))
            with LOCK:
                ITEMS.extend(make_items(len(ITEMS) + 1, n))
            self.send_json({"count": len(ITEMS)})
        elif u.path.startswith("/hook/"):
            self.webhook(u.path)
        elif u.path == "/admin/touch":
            # rewrite a file so its ETag changes
            name = q["name"]
            with open(os.path.join(ARGS.root, name), "ab") as f:
                f.write(q.get("append", "").encode() + b"\n")
            self.send_json({"ok": True})
        else:
            self.send(404, b"{}")

    def webhook(self, path):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode("utf-8", "replace")
        count = bump(("hook", path))
        status, text, headers = 200, "ok", {}
        if path == "/hook/flaky" and count == 1:
            status, text = 500, "internal error"
        elif path == "/hook/ratelimit" and count == 1:
            status, text, headers = 429, "rate limited", {"Retry-After": "1"}
        elif path == "/hook/bad":
            status, text = 400, "invalid_blocks"
        elif path == "/hook/down":
            status, text = 503, "service unavailable"
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
        rec = {"path": path, "status": status, "time": time.time(),
               "content_type": self.headers.get("Content-Type"), "body": body}
        with LOCK, open(os.path.join(ARGS.root, "webhook_posts.ndjson"), "a") as f:
            f.write(json.dumps(rec) + "\n")
        self.send(status, text.encode(), ctype="text/plain", headers=headers)

    def serve_file(self, name, mode):
        path = os.path.join(ARGS.root, name)
        if not os.path.isfile(path):
            return self.send(404, b"not found")
        data = open(path, "rb").read()
        etag = '"%s"' % hashlib.md5(data).hexdigest()
        mtime = os.path.getmtime(path)
        lm = email.utils.formatdate(mtime, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm == etag or (inm is None and ims and email.utils.parsedate_to_datetime(ims).timestamp() >= int(mtime)):
            with LOCK:
                LOG.append([self.command, self.path, 304, inm])
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        hdrs = {"ETag": etag, "Last-Modified": lm}
        if mode == "drop" or mode == "alwaysdrop":
            with LOCK:
                LOG.append([self.command, self.path, 200, inm])
            self.send_response(200)
            for k, v in hdrs.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send(200, data, ctype="application/octet-stream", headers=hdrs)

    def check_auth(self, kind, q):
        h = self.headers.get("Authorization", "")
        if kind == "bearer":
            return h == "Bearer " + TOKEN
        if kind == "key":
            return self.headers.get("X-Api-Key") == APIKEY or q.get("api_key") == APIKEY
        if kind == "basic":
            return h == "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
        return True

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        parts = u.path.strip("/").split("/")
        if u.path == "/admin/items":
            with LOCK:
                return self.send_json(ITEMS)
        if u.path == "/admin/log":
            with LOCK:
                return self.send_json(LOG)
        if parts[0] in ("files", "flaky503", "ratelimit", "drop", "alwaysdrop", "missing") and len(parts) >= 2:
            mode, name = parts[0], "/".join(parts[1:])
            if mode == "missing":
                return self.send(404, b"no such file")
            if mode == "flaky503" and bump(self.path) <= 2:
                return self.send(503, b"busy")
            if mode == "ratelimit" and bump(self.path) <= 1:
                return self.send(429, b"slow down", headers={"Retry-After": "1"})
            if mode == "drop":
                mode = "drop" if bump(self.path) <= 1 else "files"
            return self.serve_file(name, mode)
        prefix = ""
        if parts[0] in ("bearer", "key", "basic", "ratelimited"):
            prefix = "/" + parts[0]
            if parts[0] == "ratelimited":
                if bump(self.path) <= 1:
                    return self.send(429, b'{"error":"rate limited"}', headers={"Retry-After": "1"})
            elif not self.check_auth(parts[0], q):
                return self.send(401, b'{"error":"invalid credentials"}')
            parts = parts[1:]
        if parts[0] != "api" or len(parts) < 2:
            return self.send(404, b'{"error":"no route"}')
        with LOCK:
            items = list(ITEMS)
        if "since" in q:
            items = [it for it in items if it["updated_at"] > q["since"]]
        style = parts[1]
        base = prefix + "/api/" + style
        if style == "page":
            page, per = int(q.get("page", "1")), int(q.get("per_page", "10"))
            return self.send_json({"data": {"items": items[(page - 1) * per: page * per]}})
        if style == "page0":
            page, per = int(q.get("p", "0")), 10
            return self.send_json({"data": {"items": items[page * per: (page + 1) * per]}})
        if style == "offset":
            off, lim = int(q.get("offset", "0")), int(q.get("limit", "10"))
            return self.send_json({"results": items[off: off + lim], "total": len(items)})
        if style == "cursor":
            lim = int(q.get("limit", "7"))
            start = int(base64.b64decode(q["cursor"]).decode()) if q.get("cursor") else 0
            nxt = base64.b64encode(str(start + lim).encode()).decode() if start + lim < len(items) else None
            return self.send_json({"items": items[start: start + lim], "meta": {"next": nxt}})
        if style in ("nextlink", "linkheader"):
            after = int(q.get("after", "0"))
            chunk = [it for it in items if it["id"] > after][:8]
            nxt = None
            if chunk and chunk[-1]["id"] < max(it["id"] for it in items):
                extra = {k: v for k, v in q.items() if k != "after"}
                extra["after"] = str(chunk[-1]["id"])
                nxt = base + "?" + urllib.parse.urlencode(extra)
            if style == "nextlink":
                return self.send_json({"items": chunk, "links": {"next": nxt}})
            hdrs = {"Link": '<%s>; rel="next"' % nxt} if nxt else {}
            return self.send_json(chunk, headers=hdrs)
        if style == "all":
            return self.send_json({"items": items})
        if style == "echo":
            return self.send_json({"items": [{"header_x_a": self.headers.get("X-A"), "query": q}]})
        return self.send(404, b'{"error":"no route"}')


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--items", type=int, default=57)
    ARGS = ap.parse_args()
    ITEMS.extend(make_items(1, ARGS.items))
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
