#!/usr/bin/env bash
# Row-level changes and maintenance between the real ldp binary and pyiceberg
# 0.12.0 (tests/interop/rowlevel_pyiceberg.py): pyiceberg reads, row for row,
# every state ldp's DELETE/UPDATE/MERGE (both modes) and maintenance leave;
# ldp reads what pyiceberg deletes, overwrites and upserts. The venv is the
# one of iceberg_pyiceberg.sh (scripts/pyenv.sh, cached in the build tree).
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
	echo "FAIL: could not set up the pyiceberg venv at $venv (needs python3 with venv and pip, and PyPI);" \
		"see the message above" >&2
	exit 1
fi
T="$LDP_TEST_TMP/e2e-iceberg-rowlevel-pyiceberg"
rm -rf "$T"
mkdir -p "$T"
export LDP PYTHONDONTWRITEBYTECODE=1
unset LDP_PROJECT
cd "$LDP_SOURCE_DIR/tests/interop"
# pyiceberg warns that it deletes copy-on-write on a merge-on-read table: expected
"$py" -W ignore::UserWarning rowlevel_pyiceberg.py "$T/rowlevel"
