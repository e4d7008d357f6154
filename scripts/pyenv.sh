#!/usr/bin/env bash
# A Python virtual environment with the reference implementations the
# interoperability tests run against, cached in the build tree:
#   scripts/pyenv.sh <dir>    -> prints the venv's python path
# pyiceberg is pinned; its SQLite catalog and pyarrow extras are what the
# tests use (SqlCatalog over ldp's catalog.db, scans to Arrow), and
# pyiceberg-core supplies the bucket/truncate/time transforms pyiceberg needs
# to write partitioned tables.
set -euo pipefail
dir=${1:?usage: scripts/pyenv.sh <venv dir>}
PYICEBERG="pyiceberg[sql-sqlite,pyarrow,pyiceberg-core]==0.12.0"
stamp="$dir/.ldp-stamp"
# Tests running in parallel may ask for the same venv: build it once.
mkdir -p "$(dirname "$dir")"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$dir.lock"
    flock 9
fi
if [ -x "$dir/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PYICEBERG" ]; then
    echo "$dir/bin/python"
    exit 0
fi
py=$(command -v python3 || true)
[ -n "$py" ] || { echo "pyenv: python3 not found (needed for the pyiceberg interop tests)" >&2; exit 1; }
rm -rf "$dir"
"$py" -m venv "$dir" >&2 || { echo "pyenv: python3 -m venv failed (install python3-venv)" >&2; exit 1; }
"$dir/bin/pip" install --quiet --disable-pip-version-check "$PYICEBERG" >&2 \
    || { echo "pyenv: pip install $PYICEBERG failed" >&2; exit 1; }
echo "$PYICEBERG" > "$stamp"
echo "$dir/bin/python"
