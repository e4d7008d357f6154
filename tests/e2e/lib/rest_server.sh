# Sourced by tests/e2e/rest_*.sh: start `ldp serve` for a project directory on
# 127.0.0.1 and a free port, stopped by an EXIT trap.
#   rest_start <project dir> [extra serve args...]   sets REST_PORT, REST_URL (…/v1), REST_PID
#   rest_stop                                        SIGTERM, wait, expect exit 0
REST_PID=
rest_start() {
	local dir=$1
	shift
	local out="$dir/.serve.out"
	(cd "$dir" && exec "$LDP" serve --port 0 "$@") >"$out" 2>"$dir/.serve.err" &
	REST_PID=$!
	trap 'rest_kill' EXIT
	for _ in $(seq 1 600); do
		if grep -q "listening on" "$out" 2>/dev/null; then
			break
		fi
		if ! kill -0 "$REST_PID" 2>/dev/null; then
			echo "FAIL: ldp serve exited: $(cat "$dir/.serve.err")" >&2
			exit 1
		fi
		sleep 0.1
	done
	REST_PORT=$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out")
	[ -n "$REST_PORT" ] || { echo "FAIL: ldp serve printed no port" >&2; exit 1; }
	REST_URL="http://127.0.0.1:$REST_PORT/v1"
}
rest_kill() {
	if [ -n "$REST_PID" ]; then
		kill "$REST_PID" 2>/dev/null || true
		wait "$REST_PID" 2>/dev/null || true
	fi
}
rest_stop() {
	kill -TERM "$REST_PID"
	local rc=0
	wait "$REST_PID" || rc=$?
	REST_PID=
	[ "$rc" -eq 0 ] || { echo "FAIL: ldp serve exited with $rc on SIGTERM" >&2; exit 1; }
}
