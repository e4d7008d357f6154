#!/usr/bin/env bash
# pyiceberg 0.12.0's RestCatalog against `ldp serve`: the two pyiceberg interop
# drivers (create, partitioned appends, schema evolution, scans, ldp and
# pyiceberg appending to each other's tables) run with their catalog switched
# to REST (interop_common.open_catalog), once with OAuth2 client credentials;
# then rest_pyiceberg_catalog.py: namespaces, list, rename, drop with purge.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
build=$(cd "$(dirname "$LDP")/.." && pwd)
if [ -d "$build/../_deps" ]; then
	venv="$(cd "$build/.." && pwd)/_deps/pyenv"
else
	venv="$build/_deps/pyenv"
fi
if ! py=$(bash "$LDP_SOURCE_DIR/scripts/pyenv.sh" "$venv"); then
	echo "FAIL: could not set up the pyiceberg venv at $venv" >&2
	exit 1
fi
T="$LDP_TEST_TMP/e2e-rest-pyiceberg"
rm -rf "$T"
mkdir -p "$T"
export LDP PYTHONDONTWRITEBYTECODE=1
unset LDP_PROJECT
cd "$LDP_SOURCE_DIR/tests/interop"
fails=0
LDP_INTEROP_REST=1 "$py" pyiceberg_to_ldp.py "$T/pyiceberg_to_ldp" || fails=$((fails + 1))
LDP_INTEROP_REST=auth "$py" ldp_to_pyiceberg.py "$T/ldp_to_pyiceberg" || fails=$((fails + 1))
LDP_INTEROP_REST=auth "$py" rest_pyiceberg_catalog.py "$T/catalog" || fails=$((fails + 1))
if [ "$fails" -ne 0 ]; then
	echo "FAIL: $fails of 3 pyiceberg REST scripts failed" >&2
	exit 1
fi
echo "rest_pyiceberg: ok"
