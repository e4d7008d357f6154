#!/usr/bin/env bash
# A real S3-compatible server for tests: moto's standalone server (pinned,
# from PyPI, in a venv cached in the deps dir) on 127.0.0.1 and a free port,
# with authentication ENFORCED: requests must be SigV4-signed with the access
# key created at start-up (a wrong key or secret gets 403).
#
# Why moto: it installs in ~30 s on 2 cores from a registry we can reach
# (MinIO from the Go module proxy compiles for many minutes; s3proxy pulls a
# large Java dependency tree), starts in ~2 s, and verifies SigV4 signatures
# once IAM authentication is on (INITIAL_NO_AUTH_ACTION_COUNT: the first few
# requests create the user, its policy and its access key).
#
# Usage, from a test script:
#   source "$LDP_SOURCE_DIR/tests/s3_server.sh"
#   s3_server_start            # exports AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
#                              # AWS_REGION, AWS_ENDPOINT_URL, S3_ENDPOINT, S3_PY
#   "$LDP" s3 mb s3://bucket
# The server is stopped by an EXIT trap (s3_server_stop). Set LDP_S3_DEPS to
# choose the venv's parent directory; by default the deps dir of the build
# tree that holds $LDP (build/_deps in the Makefile's layout).
MOTO_PIN="moto[server]==5.2.5"

s3_server_deps() {
	if [ -n "${LDP_S3_DEPS:-}" ]; then
		echo "$LDP_S3_DEPS"
		return
	fi
	local build
	build=$(cd "$(dirname "$LDP")/.." && pwd)
	if [ -d "$build/../_deps" ]; then
		echo "$(cd "$build/.." && pwd)/_deps"
	else
		echo "$build/_deps"
	fi
}

# The venv with moto; prints its python. Built once (flock: tests run in parallel).
s3_server_venv() {
	local dir
	dir="$(s3_server_deps)/moto"
	mkdir -p "$(dirname "$dir")"
	(
		flock 9
		if [ -x "$dir/bin/moto_server" ] && [ "$(cat "$dir/.ldp-stamp" 2>/dev/null)" = "$MOTO_PIN" ]; then
			exit 0
		fi
		rm -rf "$dir"
		python3 -m venv "$dir" >&2 || { echo "s3_server: python3 -m venv failed" >&2; exit 1; }
		"$dir/bin/pip" install --quiet --disable-pip-version-check "$MOTO_PIN" >&2 ||
			{ echo "s3_server: pip install $MOTO_PIN failed" >&2; exit 1; }
		echo "$MOTO_PIN" >"$dir/.ldp-stamp"
	) 9>"$dir.lock" || return 1
	echo "$dir/bin/python"
}

s3_server_stop() {
	if [ -n "${S3_SERVER_PID:-}" ]; then
		kill "$S3_SERVER_PID" 2>/dev/null || true
		# (the killed server's status must not become the test's under set -e)
		wait "$S3_SERVER_PID" 2>/dev/null || true
		S3_SERVER_PID=
	fi
}

s3_server_start() {
	S3_PY=$(s3_server_venv) || return 1
	local port log
	port=$("$S3_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
	log="${LDP_TEST_TMP:-/tmp}/moto-$port.log"
	INITIAL_NO_AUTH_ACTION_COUNT=3 "$(dirname "$S3_PY")/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
	S3_SERVER_PID=$!
	trap s3_server_stop EXIT
	S3_ENDPOINT="http://127.0.0.1:$port"
	local i
	for i in $(seq 1 300); do
		if "$S3_PY" -c "import urllib.request,sys; urllib.request.urlopen('$S3_ENDPOINT/moto-api/')" 2>/dev/null; then
			break
		fi
		if ! kill -0 "$S3_SERVER_PID" 2>/dev/null; then
			echo "s3_server: moto exited; its log:" >&2
			cat "$log" >&2
			return 1
		fi
		sleep 0.1
	done
	local keys
	keys=$("$S3_PY" - "$S3_ENDPOINT" <<'EOF'
import json, sys
import boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="ldp-test")
iam.put_user_policy(UserName="ldp-test", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
k = iam.create_access_key(UserName="ldp-test")["AccessKey"]
print(k["AccessKeyId"], k["SecretAccessKey"])
EOF
	) || { echo "s3_server: creating the test access key failed; moto log: $log" >&2; return 1; }
	read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY <<<"$keys"
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY S3_ENDPOINT S3_PY
	export AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$S3_ENDPOINT"
	unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL_S3
	# keep the caller's ~/.aws out of the tests
	export AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent
}
