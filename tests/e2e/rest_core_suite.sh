#!/usr/bin/env bash
# The Iceberg core end-to-end tests (tests/e2e/iceberg_*.sh) with every
# project a client of `ldp serve` (catalog type rest): the wrapper in
# tests/e2e/lib/ldp_rest_wrapper.sh starts a server per `ldp init` and points
# the project's ldp.yml at it. The servers are stopped at exit.
# By default (CTest) a representative subset runs, to keep the suite's time
# down: catalog and CLI behaviour, names, manifests, purge guard, gzip and v1
# metadata. LDP_REST_SUITE=all adds bad input (racing writers: also in
# tests/e2e/rest_client.sh), the crash test (kills appends mid-commit) and the
# pyiceberg interop test (also against `ldp serve` in rest_pyiceberg.sh).
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
export LDP_REAL=$LDP
export LDP_REST_PIDS="$LDP_TEST_TMP/rest-core-suite.pids"
: >"$LDP_REST_PIDS"
stop_all() {
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$LDP_REST_PIDS"
}
trap stop_all EXIT
declare -A SKIP=()
if [ "${LDP_REST_SUITE:-}" != all ]; then
	SKIP[iceberg_bad_input.sh]="LDP_REST_SUITE=all runs it"
	SKIP[iceberg_crash.sh]="LDP_REST_SUITE=all runs it"
	SKIP[iceberg_pyiceberg.sh]="LDP_REST_SUITE=all runs it"
fi
# its own scratch space: CTest may run the same scripts directly in parallel
TMP="$LDP_TEST_TMP/rest-core-suite"
rm -rf "$TMP"
mkdir -p "$TMP"
fails=()
for t in "$LDP_SOURCE_DIR"/tests/e2e/iceberg_*.sh; do
	name=$(basename "$t")
	if [ -n "${SKIP[$name]:-}" ]; then
		echo "skip $name: ${SKIP[$name]}"
		continue
	fi
	start=$SECONDS
	if LDP="$LDP_SOURCE_DIR/tests/e2e/lib/ldp_rest_wrapper.sh" LDP_TEST_TMP="$TMP" bash "$t" >"$TMP/$name.log" 2>&1; then
		echo "ok   $name (rest, $((SECONDS - start)) s)"
	else
		echo "FAIL $name (rest): see $TMP/$name.log"
		tail -20 "$TMP/$name.log"
		fails+=("$name")
	fi
done
[ "${#fails[@]}" -eq 0 ] || { echo "FAIL: ${fails[*]}" >&2; exit 1; }
echo "rest_core_suite: ok"
