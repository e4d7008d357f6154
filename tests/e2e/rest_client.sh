#!/usr/bin/env bash
# ldp as a client of a REST catalog (catalog type rest in ldp.yml) served by
# `ldp serve` with OAuth2 on: namespaces, create, parallel appends that race
# through the server's compare-and-swap (409, reload, retry: none lost),
# overwrite, refs, rollback, rename, drop --purge, and clear errors for a
# wrong credential and a server that is down.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
. "$LDP_SOURCE_DIR/tests/e2e/lib/rest_server.sh"
unset LDP_PROJECT
T="$LDP_TEST_TMP/e2e-rest-client"
rm -rf "$T"
mkdir -p "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$LDP" init "$T/srv" >/dev/null
"$LDP" init "$T/cli" >/dev/null
printf 'ldp:client-secret\n' >"$T/cred"
rest_start "$T/srv" --credentials-file "$T/cred" --threads 4
cat >"$T/cli/ldp.yml" <<YML
name: cli
warehouse: warehouse
catalog:
  type: rest
  uri: $REST_URL
  credential: ldp:client-secret
YML
c() { (cd "$T/cli" && "$LDP" "$@"); }
s() { (cd "$T/srv" && "$LDP" "$@"); }

c namespace create shop -p owner=ops >/dev/null
c namespace create shop.eu >/dev/null
[ "$(c namespace list)" = shop ] || fail "namespace list"
[ "$(c namespace list shop)" = shop.eu ] || fail "child namespaces"
c namespace describe shop | grep -q "owner = ops" || fail "namespace properties"
c namespace set shop team=a --unset owner >/dev/null
[ "$(s namespace describe shop --json)" = '{"namespace":"shop","properties":{"team":"a"}}' ] \
	|| fail "the server's catalog does not have the client's properties: $(s namespace describe shop --json)"

c table create shop.orders --schema "id BIGINT, w INT, ts TIMESTAMP" --partition-by "day(ts)" >/dev/null
s table describe shop.orders | grep -q "day(ts)" || fail "partitioning not in the server's catalog"
# four writers, ten appends each, racing on one table (wait for them only:
# the server is a background job too)
pids=()
for w in 1 2 3 4; do
	(for i in $(seq 1 10); do
		c table append shop.orders "SELECT $w*100+$i AS id, $w AS w, TIMESTAMP '2024-01-0$w 10:00:00' AS ts" >/dev/null \
			|| echo "writer $w append $i failed" >>"$T/errors"
	done) &
	pids+=($!)
done
wait "${pids[@]}"
[ ! -s "$T/errors" ] || fail "$(cat "$T/errors")"
got=$(c sql --format csv "SELECT w, count(*) FROM shop.orders GROUP BY w ORDER BY w" | tail -n +2 | tr '\n' ' ')
[ "$got" = "1,10 2,10 3,10 4,10 " ] || fail "rows per writer: $got"
[ "$(s sql --format csv 'SELECT count(*) FROM shop.orders' | tail -1)" = 40 ] || fail "the server's view differs"
[ "$(c table snapshots shop.orders --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 40 ] \
	|| fail "40 snapshots expected"

first=$(c table snapshots shop.orders --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["snapshot_id"])')
c table tag create shop.orders first --snapshot "$first" >/dev/null
c table overwrite shop.orders "SELECT 1::BIGINT AS id, 9 AS w, TIMESTAMP '2024-02-01 00:00:00' AS ts" >/dev/null
[ "$(c sql --format csv 'SELECT count(*) FROM shop.orders' | tail -1)" = 1 ] || fail "overwrite"
[ "$(c sql --format csv 'SELECT count(*) FROM shop."orders@tag:first"' | tail -1)" = 1 ] || fail "tag read"
c table rollback shop.orders "$first" >/dev/null
[ "$(c sql --format csv 'SELECT count(*) FROM shop.orders' | tail -1)" = 1 ] || fail "rollback to the first append"

c table rename shop.orders shop.eu.orders >/dev/null
[ "$(s table list shop.eu)" = shop.eu.orders ] || fail "rename not in the server's catalog"
loc=$(s table describe shop.eu.orders --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["location"])')
[ -d "$loc" ] || fail "no table directory $loc"
c table drop shop.eu.orders --purge >/dev/null
[ ! -e "$loc" ] || fail "purge over REST left $loc"

# errors: a wrong credential, then no server
sed -i 's/client-secret/wrong/' "$T/cli/ldp.yml"
if c namespace list >/dev/null 2>"$T/err"; then fail "a wrong credential must fail"; fi
grep -q "refused the credential" "$T/err" || fail "unclear credential error: $(cat "$T/err")"
! grep -q "wrong" "$T/err" || fail "the secret appears in the error"
rest_stop
sed -i 's/wrong/client-secret/' "$T/cli/ldp.yml"
if c namespace list >/dev/null 2>"$T/err"; then fail "a stopped server must fail"; fi
grep -q "cannot reach the REST catalog" "$T/err" || fail "unclear error: $(cat "$T/err")"
echo "rest_client: ok"
