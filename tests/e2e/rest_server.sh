#!/usr/bin/env bash
# `ldp serve` speaks the Iceberg REST protocol: every endpoint, every commit
# requirement and update, bad input and security (400/404/409/413/414),
# concurrent commits, multi-table transactions (tests/interop/rest_protocol.py,
# standard-library Python), then bearer-token auth and a clean SIGTERM stop.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
. "$LDP_SOURCE_DIR/tests/e2e/lib/rest_server.sh"
unset LDP_PROJECT
T="$LDP_TEST_TMP/e2e-rest-server"
rm -rf "$T"
mkdir -p "$T"
"$LDP" init "$T/p" >/dev/null
WH=$(cd "$T/p/warehouse" && pwd)

rest_start "$T/p" --threads 4
PYTHONDONTWRITEBYTECODE=1 python3 "$LDP_SOURCE_DIR/tests/interop/rest_protocol.py" "$REST_URL" "$WH" "$LDP" "$T/p"
rest_stop

# ---- auth: client credentials -> bearer token ----
printf 'spark:s3cr3t-value\n' >"$T/cred"
rest_start "$T/p" --credentials-file "$T/cred"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(code "$REST_URL/config")" = 401 ] || fail "no token must be 401"
[ "$(code -H 'Authorization: Bearer nope' "$REST_URL/namespaces")" = 401 ] || fail "a bad token must be 401"
[ "$(code -X POST -d 'grant_type=client_credentials&client_id=spark&client_secret=wrong' "$REST_URL/oauth/tokens")" = 401 ] \
	|| fail "a wrong secret must be 401"
[ "$(code -X POST -d 'grant_type=password&client_id=spark&client_secret=s3cr3t-value' "$REST_URL/oauth/tokens")" = 400 ] \
	|| fail "another grant type must be 400"
tok=$(curl -sf -X POST -d 'grant_type=client_credentials&client_id=spark&client_secret=s3cr3t-value&scope=catalog' \
	"$REST_URL/oauth/tokens" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["token_type"]=="bearer"; print(d["access_token"])')
[ -n "$tok" ] || fail "no token issued"
[ "$(code -H "Authorization: Bearer $tok" "$REST_URL/config")" = 200 ] || fail "a valid token must be accepted"
[ "$(code -H "Authorization: Bearer $tok" "$REST_URL/namespaces")" = 200 ] || fail "a valid token must list namespaces"
[ "$(code -H "Authorization: Bearer ${tok}x" "$REST_URL/namespaces")" = 401 ] || fail "a changed token must be 401"
rest_stop
if grep -q "s3cr3t" "$T/p/.serve.out" "$T/p/.serve.err"; then
	fail "the secret appears in the server output"
fi
LDP_LOG=info rest_start "$T/p" --credentials-file "$T/cred"
curl -s -o /dev/null -X POST -d 'grant_type=client_credentials&client_id=spark&client_secret=s3cr3t-value' "$REST_URL/oauth/tokens"
rest_stop
grep -q "POST /v1/oauth/tokens -> 200" "$T/p/.serve.err" || fail "requests are not logged at LDP_LOG=info"
! grep -q "s3cr3t" "$T/p/.serve.err" || fail "the secret appears in the request log"

# non-loopback without credentials is refused
if (cd "$T/p" && "$LDP" serve --host 0.0.0.0 --port 0 >/dev/null 2>"$T/err"); then
	fail "serving 0.0.0.0 without credentials must be refused"
fi
grep -q "without credentials" "$T/err" || fail "unclear refusal: $(cat "$T/err")"
echo "rest_server: ok"
