#!/usr/bin/env bash
# Spark 3.5 against `ldp serve` through Iceberg's REST catalog, both ways
# (tests/interop/rest_spark.py): Spark creates a partitioned table, inserts,
# adds and renames columns; ldp (catalog type rest) reads that, appends and
# creates a table; Spark reads ldp's writes. Heavier than tests/e2e (a JVM and
# ~360 MB of pyspark + the Iceberg runtime jar, cached in the build tree on
# first use), so CTest does not run it:
#
#   bash tests/e2e-heavy/rest_spark.sh
#
# Environment: LDP (default build/debug/bin/ldp), LDP_TEST_TMP. Needs java
# (11 or 17), python3 with venv, PyPI and Maven Central on first run.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
LDP=${LDP:-$src/build/debug/bin/ldp}
[ -x "$LDP" ] || { echo "FAIL: no ldp binary at $LDP (build first)" >&2; exit 1; }
LDP=$(cd "$(dirname "$LDP")" && pwd)/$(basename "$LDP")
build=$(cd "$(dirname "$LDP")/.." && pwd)
if [ -d "$build/../_deps" ]; then
	deps="$(cd "$build/.." && pwd)/_deps"
else
	deps="$build/_deps"
fi
T=${LDP_TEST_TMP:-$build/e2e-heavy-tmp}/rest-spark
command -v java >/dev/null || { echo "FAIL: java not found" >&2; exit 1; }

PYSPARK="pyspark==3.5.3"
ICEBERG=1.6.1
JAR="$deps/iceberg-spark-runtime-3.5_2.12-$ICEBERG.jar"
venv="$deps/spark-venv"
if [ "$(cat "$venv/.ldp-stamp" 2>/dev/null)" != "$PYSPARK" ]; then
	rm -rf "$venv"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet --disable-pip-version-check "$PYSPARK"
	echo "$PYSPARK" >"$venv/.ldp-stamp"
fi
if [ ! -s "$JAR" ]; then
	curl -sSfL -o "$JAR.part" \
		"https://repo1.maven.org/maven2/org/apache/iceberg/iceberg-spark-runtime-3.5_2.12/$ICEBERG/iceberg-spark-runtime-3.5_2.12-$ICEBERG.jar"
	mv "$JAR.part" "$JAR"
fi
unset LDP_PROJECT
export LDP PYTHONDONTWRITEBYTECODE=1
start=$(date +%s)
cd "$src/tests/interop"
"$venv/bin/python" rest_spark.py "$T" "$JAR"
echo "rest_spark: ok in $(($(date +%s) - start)) s"
