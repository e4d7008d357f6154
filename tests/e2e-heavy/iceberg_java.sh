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
LDP=${LDP:-$src/build/debug/bin/ldp}
if [ ! -x "$LDP" ]; then
	echo "FAIL: no ldp binary at $LDP (build first, e.g. make, or set LDP)" >&2
	exit 1
fi
LDP=$(cd "$(dirname "$LDP")" && pwd)/$(basename "$LDP")
build=$(cd "$(dirname "$LDP")/.." && pwd)
if [ -d "$build/../_deps" ]; then
	deps="$(cd "$build/.." && pwd)/_deps"
else
	deps="$build/_deps"
fi
LDP_TEST_TMP=${LDP_TEST_TMP:-$build/e2e-heavy-tmp}

for tool in java javac mvn python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "FAIL: $tool not found (the Java interop suite needs a JDK >= 11, Maven and python3)" >&2
		exit 1
	fi
done

m2="$deps/m2"
jout="$build/java-interop"
mkdir -p "$m2" "$jout"
# Maven only resolves the pinned dependencies (tests/interop/java/pom.xml) and
# writes the classpath; javac compiles the one class (faster than Maven's
# compiler and jar plugins, and fewer downloads).
t0=$(date +%s)
if ! mvn -B -q -f "$src/tests/interop/java/pom.xml" -Dmaven.repo.local="$m2" \
	dependency:build-classpath -Dmdep.outputFile="$jout/classpath.txt" >"$jout/mvn.log" 2>&1; then
	cat "$jout/mvn.log" >&2
	echo "FAIL: Maven could not resolve the Iceberg Java dependencies into $m2 (needs Maven Central)" >&2
	exit 1
fi
rm -rf "$jout/classes"
javac -nowarn -Xlint:-options --release 11 -cp "$(cat "$jout/classpath.txt")" -d "$jout/classes" \
	"$src/tests/interop/java/src/main/java/ldp/interop/JdbcInterop.java" 2>&1 | grep -v '^Note:' >&2 || true
if [ ! -f "$jout/classes/ldp/interop/JdbcInterop.class" ]; then
	echo "FAIL: javac could not compile tests/interop/java" >&2
	exit 1
fi
echo "java interop: built in $(($(date +%s) - t0)) s (Maven repository $m2)"

T="$LDP_TEST_TMP/e2e-iceberg-java"
rm -rf "$T"
mkdir -p "$T"
export LDP PYTHONDONTWRITEBYTECODE=1
export JAVA_INTEROP="java -cp $jout/classes:$(cat "$jout/classpath.txt") ldp.interop.JdbcInterop"
unset LDP_PROJECT
python3 "$src/tests/interop/ldp_java.py" "$T"
