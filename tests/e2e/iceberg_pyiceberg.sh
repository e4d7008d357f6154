#!/usr/bin/env bash
# Iceberg interoperability of the real ldp binary with pyiceberg 0.12.0, the
# reference implementation, in both directions (tests/interop/*.py):
#   ldp_to_pyiceberg.py   ldp writes every primitive type, pyiceberg reads
#   pyiceberg_to_ldp.py   pyiceberg writes and evolves, ldp reads, both append
# The venv comes from scripts/pyenv.sh, cached in the build tree: shared by the
# build trees of one build/ directory (the Makefile's layout, where build/_deps
# exists), else per build tree. No python3 or no venv is a failure, not a skip:
# CI must be able to run this.
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

T="$LDP_TEST_TMP/e2e-iceberg-pyiceberg"
rm -rf "$T"
mkdir -p "$T"
export LDP PYTHONDONTWRITEBYTECODE=1
# The scripts must not pick up a project from the caller's environment.
unset LDP_PROJECT
cd "$LDP_SOURCE_DIR/tests/interop"
fails=0
"$py" ldp_to_pyiceberg.py "$T/ldp_to_pyiceberg" || fails=$((fails + 1))
"$py" pyiceberg_to_ldp.py "$T/pyiceberg_to_ldp" || fails=$((fails + 1))
if [ "$fails" -ne 0 ]; then
	echo "FAIL: $fails of 2 interop scripts failed" >&2
	exit 1
fi
echo "ok: both interop directions"
