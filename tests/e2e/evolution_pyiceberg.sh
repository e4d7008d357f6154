#!/usr/bin/env bash
# Schema/partition evolution and pruned scans against pyiceberg 0.12.0 in both
# directions (tests/interop/evolution_pyiceberg.py): pyiceberg reads every
# state ldp produces, ldp reads what pyiceberg evolved, and pushed-down
# queries return pyiceberg's row_filter scans. The venv is the one of
# tests/e2e/iceberg_pyiceberg.sh (scripts/pyenv.sh, cached in the build tree).
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"
: "${LDP_SOURCE_DIR:?}"

build=$(cd "$(dirname "$LDP")/.." && pwd)
if [ -d "$build/../_deps" ]; then
	venv="$(cd "$build/.." && pwd)/_deps/pyenv"
else
	venv="$build/_deps/pyenv"
fi
if ! py=$(bash "$LDP_SOURCE_DIR/scripts/pyenv.sh" "$venv"); then
	echo "FAIL: could not set up the pyiceberg venv at $venv (needs python3 with venv and pip, and PyPI)" >&2
	exit 1
fi
T="$LDP_TEST_TMP/e2e-evolution-pyiceberg"
rm -rf "$T"
mkdir -p "$T"
export LDP PYTHONDONTWRITEBYTECODE=1
unset LDP_PROJECT
cd "$LDP_SOURCE_DIR/tests/interop"
"$py" evolution_pyiceberg.py "$T"
"$py" nested_rename_pyiceberg.py "$T/nested"
