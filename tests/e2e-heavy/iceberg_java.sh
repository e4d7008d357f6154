#!/usr/bin/env bash
# Interoperability of the real ldp binary with Apache Iceberg's Java library
# (JdbcCatalog on ldp's catalog.db, IcebergGenerics reads, generic Parquet
# writes), both directions: tests/interop/ldp_java.py drives ldp and
# tests/interop/java (built here with Maven). Heavier than tests/e2e (it
# downloads ~85 MB of jars and Maven plugins into the build tree on first use), so CTest does
# not run it; .ci/run does:
#
#   bash tests/e2e-heavy/iceberg_java.sh
#
# Environment: LDP (default build/debug/bin/ldp), LDP_TEST_TMP (default
# <build>/e2e-heavy-tmp). The Maven repository is <build>/../_deps/m2 when
# build/_deps exists (the Makefile's layout), else <build>/_deps/m2; nothing is
# written outside the build tree. No java, javac, mvn or python3 is a failure,
# not a skip: CI must be able to run this.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
JAVA_SOURCES=JdbcInterop.java JAVA_CLASSES=classes
# shellcheck source=tests/e2e-heavy/lib/java_env.sh
. "$src/tests/e2e-heavy/lib/java_env.sh"

T="$LDP_TEST_TMP/e2e-iceberg-java"
rm -rf "$T"
mkdir -p "$T"
export LDP PYTHONDONTWRITEBYTECODE=1
export JAVA_INTEROP="java -cp $JAVA_CP ldp.interop.JdbcInterop"
unset LDP_PROJECT
python3 "$src/tests/interop/ldp_java.py" "$T"
