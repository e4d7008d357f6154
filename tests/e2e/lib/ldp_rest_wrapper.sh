#!/usr/bin/env bash
# Stand-in for the ldp binary (LDP=<this>) that makes every project a client
# of `ldp serve`: runs the real ldp ($LDP_REAL) and, after a successful
# `ldp init [dir]`, starts `ldp serve` on that project's warehouse and
# catalog.db (127.0.0.1, a free port; its pid goes to $LDP_REST_PIDS for the
# caller to stop; the project's parent directory is an allowed location,
# as the tests keep files beside their projects) and rewrites the project's ldp.yml to catalog type rest.
set -u
"$LDP_REAL" "$@"
rc=$?
if [ "${1:-}" = init ] && [ "$rc" -eq 0 ]; then
	dir=.
	for a in "${@:2}"; do
		case "$a" in -*) ;; *) dir=$a; break ;; esac
	done
	dir=$(cd "$dir" && pwd)
	out="$dir/.serve.out"
	setsid "$LDP_REAL" serve --port 0 --warehouse "$dir/warehouse" --catalog "$dir/warehouse/catalog.db" \
		--allow-location "$(dirname "$dir")" \
		>"$out" 2>"$dir/.serve.err" </dev/null &
	echo $! >>"$LDP_REST_PIDS"
	for _ in $(seq 1 600); do
		grep -q "listening on" "$out" 2>/dev/null && break
		sleep 0.05
	done
	port=$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out")
	[ -n "$port" ] || { echo "ldp-rest wrapper: ldp serve did not start: $(cat "$dir/.serve.err")" >&2; exit 2; }
	sed -i -e "s|^  type: sqlite|  type: rest|" -e "s|^  uri: .*|  uri: http://127.0.0.1:$port|" "$dir/ldp.yml"
fi
exit "$rc"
