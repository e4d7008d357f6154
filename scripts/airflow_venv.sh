#!/usr/bin/env bash
# A Python virtual environment with Apache Airflow for the DAG export test
# (tests/e2e-heavy/airflow_dagbag.sh):
#   scripts/airflow_venv.sh <dir>    -> prints the venv's python path
# Cached in the build tree, keyed by the Airflow version and the constraints
# used. Airflow is installed the way its docs ask, against a constraints file:
# the official one for this Python when it can be fetched, else
# scripts/airflow-constraints-<version>.txt (a resolved set recorded here, so
# a new release of a dependency cannot break the install).
set -euo pipefail
dir=${1:?usage: scripts/airflow_venv.sh <venv dir>}
AIRFLOW_VERSION=2.10.5
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$(dirname "$dir")"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$dir.lock"
    flock 9
fi
py=$(command -v python3 || true)
[ -n "$py" ] || { echo "airflow_venv: python3 not found" >&2; exit 1; }
pyver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
stamp="$dir/.ldp-stamp"
want_prefix="apache-airflow==$AIRFLOW_VERSION python$pyver"
if [ -x "$dir/bin/airflow" ] && [[ "$(cat "$stamp" 2>/dev/null)" == "$want_prefix "* ]]; then
    echo "$dir/bin/python"
    exit 0
fi
constraints="$dir.constraints.txt"
url="https://raw.githubusercontent.com/apache/airflow/constraints-$AIRFLOW_VERSION/constraints-$pyver.txt"
if curl -fsS -m 10 -o "$constraints" "$url" 2>/dev/null; then
    source_note="official constraints-$pyver"
else
    cp "$here/airflow-constraints-$AIRFLOW_VERSION.txt" "$constraints"
    source_note="ldp's airflow-constraints-$AIRFLOW_VERSION.txt"
fi
rm -rf "$dir"
"$py" -m venv "$dir" >&2 || { echo "airflow_venv: python3 -m venv failed (install python3-venv)" >&2; exit 1; }
echo "airflow_venv: installing apache-airflow==$AIRFLOW_VERSION with $source_note" >&2
"$dir/bin/pip" install --quiet --disable-pip-version-check "apache-airflow==$AIRFLOW_VERSION" -c "$constraints" >&2 \
    || { echo "airflow_venv: pip install apache-airflow==$AIRFLOW_VERSION failed" >&2; exit 1; }
echo "$want_prefix ($source_note)" > "$stamp"
echo "$dir/bin/python"
