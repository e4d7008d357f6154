#!/usr/bin/env bash
# Runs bench/s3_read against the test S3 server (moto, tests/s3_server.sh).
#   bench/s3_read.sh <build dir>      e.g. build/release
set -euo pipefail
build=$(cd "${1:?usage: bench/s3_read.sh <build dir>}" && pwd)
export LDP="$build/bin/ldp" LDP_TEST_TMP="${TMPDIR:-/tmp}"
source "$(dirname "$0")/../tests/s3_server.sh"
s3_server_start
"$LDP" s3 mb s3://bench
LDP_BENCH_S3_BUCKET=bench "$build/bench/s3_read"
