# Sourced by the Java interop scripts in tests/e2e-heavy: finds the ldp
# binary and the build tree, checks the tools, resolves the Iceberg Java
# dependencies (tests/interop/java/pom.xml) with Maven and compiles the
# classes named in JAVA_SOURCES (file names under
# tests/interop/java/src/main/java/ldp/interop/) with javac (faster than
# Maven's compiler and jar plugins, and fewer downloads).
#
# In: src (the source tree), JAVA_SOURCES, JAVA_CLASSES (output folder name
# under <build>/java-interop). Out: LDP, build, LDP_TEST_TMP, jout (the
# folder with classpath.txt), JAVA_CP (classes + dependencies).
#
# The Maven repository is <build>/../_deps/m2 when build/_deps exists (the
# Makefile's layout), else <build>/_deps/m2; nothing is written outside the
# build tree. No java, javac, mvn or python3 is a failure, not a skip: CI
# must be able to run these.
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
java_t0=$(date +%s)
if ! mvn -B -q -f "$src/tests/interop/java/pom.xml" -Dmaven.repo.local="$m2" \
	dependency:build-classpath -Dmdep.outputFile="$jout/classpath.txt" >"$jout/mvn-$JAVA_CLASSES.log" 2>&1; then
	cat "$jout/mvn-$JAVA_CLASSES.log" >&2
	echo "FAIL: Maven could not resolve the Iceberg Java dependencies into $m2 (needs Maven Central)" >&2
	exit 1
fi
rm -rf "${jout:?}/$JAVA_CLASSES"
java_srcs=()
for f in $JAVA_SOURCES; do
	java_srcs+=("$src/tests/interop/java/src/main/java/ldp/interop/$f")
done
javac -nowarn -Xlint:-options --release 11 -cp "$(cat "$jout/classpath.txt")" -d "$jout/$JAVA_CLASSES" \
	"${java_srcs[@]}" 2>&1 | grep -v '^Note:' >&2 || true
for f in $JAVA_SOURCES; do
	if [ ! -f "$jout/$JAVA_CLASSES/ldp/interop/${f%.java}.class" ]; then
		echo "FAIL: javac could not compile tests/interop/java ($f)" >&2
		exit 1
	fi
done
JAVA_CP="$jout/$JAVA_CLASSES:$(cat "$jout/classpath.txt")"
echo "java interop: built $JAVA_SOURCES in $(($(date +%s) - java_t0)) s (Maven repository $m2)"
