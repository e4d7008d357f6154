#!/usr/bin/env bash
# S3 failure handling against a scripted stub server (python3 stdlib, on
# 127.0.0.1, anonymous): a download cut off mid-body is retried and then
# completes; one that keeps failing ends in a clear error with no file left
# behind; 503 SlowDown answers are retried; a server without conditional
# writes (501 for If-None-Match) still gets exclusive metadata creation via
# the HEAD fallback; a conditional write that loses a race (412 after the
# HEAD saw nothing) is reported as "already exists".
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
T="$LDP_TEST_TMP/e2e-s3-faults"
rm -rf "$T"
mkdir -p "$T"
cd "$T"
unset LDP_PROJECT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL_S3
export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_REGION=us-east-1
export LDP_CACHE_DIR="$T/cache"
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

cat >stub.py <<'EOF'
import http.server, os, sys, threading
objects = {"/b/flaky": os.urandom(300000), "/b/broken": os.urandom(300000), "/b/busy": b"finally\n"}
hits = {}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        with open("stub.log", "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path, self.headers.get("If-None-Match")))
    def count(self):
        hits[self.path] = hits.get(self.path, 0) + 1
        return hits[self.path]
    def send(self, code, body=b"", length=None):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    def do_HEAD(self):
        body = objects.get(self.path)
        self.send(200, body) if body is not None else self.send(404)
    def do_GET(self):
        n = self.count()
        body = objects.get(self.path)
        if self.path == "/b/flaky" and n <= 2:  # headers promise it all, half arrives
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path == "/b/broken":
            return self.send(500, b"<Error><Code>InternalError</Code><Message>disk on fire</Message></Error>")
        if self.path == "/b/busy" and n <= 2:
            return self.send(503, b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")
        self.send(200, body) if body is not None else self.send(404, b"<Error><Code>NoSuchKey</Code><Message>no</Message></Error>")
    def do_PUT(self):
        data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("If-None-Match") == "*" and self.path == "/b/raced":
            return self.send(412, b"<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>")
        if self.headers.get("If-None-Match") == "*":
            return self.send(501, b"<Error><Code>NotImplemented</Code><Message>conditional writes</Message></Error>")
        objects[self.path] = data
        self.send(200)
    def do_DELETE(self):
        objects.pop(self.path, None)
        self.send(204)
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open("port", "w") as f:
    f.write(str(s.server_address[1]))
s.serve_forever()
EOF
python3 stub.py &
STUB=$!
trap 'kill $STUB 2>/dev/null; wait $STUB 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -s port ] && break; sleep 0.05; done
export AWS_ENDPOINT_URL="http://127.0.0.1:$(cat port)"

# cut off twice, complete the third time
"$LDP" s3 cp s3://b/flaky flaky.bin || fail "flaky download was not retried to completion"
[ "$(stat -c %s flaky.bin)" = 300000 ] || fail "flaky.bin has the wrong size"
[ "$(grep -c 'GET /b/flaky' stub.log)" = 3 ] || fail "expected 3 GETs of flaky: $(cat stub.log)"
# 503 SlowDown twice, then served
"$LDP" s3 cp s3://b/busy busy.txt || fail "503 was not retried"
[ "$(cat busy.txt)" = finally ] || fail "busy.txt content"
# always 500: a clear error after the retries, no file, no temporary file
"$LDP" s3 cp s3://b/broken broken.bin 2>err.txt && fail "broken download succeeded"
grep -q "HTTP 500 InternalError: disk on fire" err.txt || fail "broken message: $(cat err.txt)"
[ "$(grep -c 'GET /b/broken' stub.log)" = 4 ] || fail "expected 4 attempts at broken: $(grep -c 'GET /b/broken' stub.log)"
ls broken.bin* 2>/dev/null && fail "a failed download left a file"

# HEAD finds nothing, the conditional PUT loses: "already exists", exit 1
echo x >x.txt
if "$LDP" s3 cp --if-absent x.txt s3://b/raced 2>err.txt; then fail "lost race reported success"; else rc=$?; fi
[ "$rc" = 1 ] || fail "lost race: exit $rc"
grep -q "s3://b/raced already exists" err.txt || fail "lost race message: $(cat err.txt)"

# A warehouse on a server without conditional writes: table create works
# through the HEAD + PUT fallback.
mkdir proj
cd proj
printf 'name: p\nwarehouse: s3://b/wh\ncatalog:\n  uri: catalog.db\n' >ldp.yml
"$LDP" namespace create ns >/dev/null
"$LDP" table create ns.t --schema "id BIGINT" >/dev/null || fail "create on a server without If-None-Match"
grep -q "PUT /b/wh/ns/t/metadata/00000-.*metadata.json \*" ../stub.log || fail "no conditional PUT was tried"
grep -q "PUT /b/wh/ns/t/metadata/00000-.*metadata.json None" ../stub.log || fail "no fallback PUT"
"$LDP" table describe ns.t | grep -q id || fail "describe after create"
echo "s3 faults: ok"
