#!/usr/bin/env python3
"""A Slack-style incoming-webhook receiver for tests/e2e/notify.sh.

Listens on 127.0.0.1 on a free port and writes the port to --port-file.
Every POST is appended to --record as one JSON line
{"path", "status", "time", "content_type", "body"} (body parsed as JSON
when it is JSON, else the raw text). Paths:
  /hook/ok          200 "ok"
  /hook/flaky       the first POST per path answers 500, then 200
  /hook/ratelimit   the first POST per path answers 429 with Retry-After: 1, then 200
  /hook/bad         400 "invalid_blocks" (what Slack answers to a malformed message)
  /hook/down        503 always
"""
import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTS = {}
ARGS = None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def answer(self, status, text, headers=None):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode("utf-8", "replace")
        with LOCK:
            COUNTS[self.path] = COUNTS.get(self.path, 0) + 1
            count = COUNTS[self.path]
        status, text, headers = 200, "ok", {}
        if self.path == "/hook/flaky" and count == 1:
            status, text = 500, "internal error"
        elif self.path == "/hook/ratelimit" and count == 1:
            status, text, headers = 429, "rate limited", {"Retry-After": "1"}
        elif self.path == "/hook/bad":
            status, text = 400, "invalid_blocks"
        elif self.path == "/hook/down":
            status, text = 503, "service unavailable"
        elif not self.path.startswith("/hook/"):
            status, text = 404, "no_service"
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
        with LOCK, open(ARGS.record, "a") as f:
            f.write(json.dumps({"path": self.path, "status": status, "time": time.time(),
                                "content_type": self.headers.get("Content-Type"), "body": body}) + "\n")
        self.answer(status, text, headers)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--record", required=True)
    ARGS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
