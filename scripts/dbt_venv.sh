#!/usr/bin/env bash
# A Python virtual environment with dbt-duckdb, the baseline the transform
# benchmark (bench/transform_build.c) compares `ldp transform build` with:
#   scripts/dbt_venv.sh <dir>    -> prints the path of the venv's dbt
# Cached in the build tree; pinned.
set -euo pipefail
dir=${1:?usage: scripts/dbt_venv.sh <venv dir>}
PKG="dbt-duckdb==1.10.1 dbt-core==1.10.23 duckdb==2.0.1"
stamp="$dir/.ldp-stamp"
mkdir -p "$(dirname "$dir")"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$dir.lock"
    flock 9
fi
if [ -x "$dir/bin/dbt" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PKG" ]; then
    echo "$dir/bin/dbt"
    exit 0
fi
py=$(command -v python3 || true)
[ -n "$py" ] || { echo "dbt_venv: python3 not found" >&2; exit 1; }
rm -rf "$dir"
"$py" -m venv "$dir" >&2 || { echo "dbt_venv: python3 -m venv failed (install python3-venv)" >&2; exit 1; }
"$dir/bin/pip" install --quiet --disable-pip-version-check $PKG >&2 \
    || { echo "dbt_venv: pip install $PKG failed" >&2; exit 1; }
echo "$PKG" > "$stamp"
echo "$dir/bin/dbt"
