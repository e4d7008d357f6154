# Start tests/e2e/http_test_server.py on 127.0.0.1 (a free port) serving
# files from $1; sets HTTP_PID and HTTP_URL. The caller's EXIT trap must run
# stop_http_server. Logs go to $2 (default /dev/null).
start_http_server() {
	local root=$1 log=${2:-/dev/null}
	local pf
	pf=$(mktemp -u "${TMPDIR:-/tmp}/ldp-http-port.XXXXXX")
	python3 "$LDP_SOURCE_DIR/tests/e2e/http_test_server.py" --root "$root" --port-file "$pf" >"$log" 2>&1 &
	HTTP_PID=$!
	for _ in $(seq 1 1200); do # up to 60 s: python starts slowly on a loaded machine
		[ -s "$pf" ] && break
		kill -0 "$HTTP_PID" 2>/dev/null || { echo "test HTTP server died" >&2; return 1; }
		sleep 0.05
	done
	[ -s "$pf" ] || { echo "test HTTP server did not start" >&2; return 1; }
	HTTP_URL="http://127.0.0.1:$(cat "$pf")"
	rm -f "$pf"
}

stop_http_server() {
	if [ -n "${HTTP_PID:-}" ]; then
		kill "$HTTP_PID" 2>/dev/null || true
		wait "$HTTP_PID" 2>/dev/null || true
	fi
}

# The server's request log as lines "METHOD PATH STATUS".
http_log() {
	python3 -c 'import json,sys,urllib.request
for m,p,s,inm in json.load(urllib.request.urlopen(sys.argv[1] + "/admin/log")): print(m, p, s)' "$HTTP_URL"
}

# GET (or POST with -p) a server path, print the body.
http_get() {
	python3 -c 'import sys,urllib.request
print(urllib.request.urlopen(sys.argv[1]).read().decode())' "$HTTP_URL$1"
}
http_post() {
	python3 -c 'import sys,urllib.request
print(urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"", method="POST")).read().decode())' "$HTTP_URL$1"
}
