#!/usr/bin/env bash
# REST JSON APIs (api+http://): every pagination style, headers and query
# parameters, bearer / API-key / basic credentials from the environment,
# 429 with Retry-After, and incremental loads whose high-water mark lives in
# the snapshot summary. Expected values come from the server's own data
# (GET /admin/items), never from ldp.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
T="$LDP_TEST_TMP/ingest_api.$$"
rm -rf "$T"
mkdir -p "$T/srv"
. "$LDP_SOURCE_DIR/tests/e2e/lib/http_server.bash"
trap 'stop_http_server; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LDP_HTTP_RETRY_BASE_MS=20

cd "$T" && "$LDP" init proj >/dev/null && cd proj
q() { "$LDP" sql --format csv --no-header "$1"; }
start_http_server "$T/srv" "$T/server.log"
A="api+$HTTP_URL"

# count,sum(id),max(updated_at) of the server's items, computed by python
expect() { http_get /admin/items | python3 -c 'import json,sys
it = json.load(sys.stdin); print("%d,%d,%s" % (len(it), sum(i["id"] for i in it), max(i["updated_at"] for i in it)))'; }
got() { q "SELECT count(*), sum(id), strftime(max(updated_at::TIMESTAMP), '%Y-%m-%dT%H:%M:%SZ') FROM $1"; }
ALL=$(expect)
[ "${ALL%%,*}" = 57 ] || fail "the server should start with 57 items: $ALL"

# 1. every pagination style yields exactly the server's items
"$LDP" ingest "$A/api/page" api.page --paginate page --param per_page=10 --records data.items >/dev/null
[ "$(got api.page)" = "$ALL" ] || fail "page: $(got api.page) vs $ALL"
"$LDP" ingest "$A/api/page0" api.page0 --paginate page:p:0 --records data.items >/dev/null
[ "$(got api.page0)" = "$ALL" ] || fail "page:p:0: $(got api.page0)"
"$LDP" ingest "$A/api/offset" api.offset --paginate offset:offset:limit:10 --records results >/dev/null
[ "$(got api.offset)" = "$ALL" ] || fail "offset: $(got api.offset)"
"$LDP" ingest "$A/api/cursor" api.cursor --paginate cursor:meta.next:cursor --records items >/dev/null
[ "$(got api.cursor)" = "$ALL" ] || fail "cursor: $(got api.cursor)"
"$LDP" ingest "$A/api/nextlink" api.nextlink --paginate next-link:links.next --records items >/dev/null
[ "$(got api.nextlink)" = "$ALL" ] || fail "next-link in the body: $(got api.nextlink)"
"$LDP" ingest "$A/api/linkheader" api.linkheader --paginate next-link >/dev/null
[ "$(got api.linkheader)" = "$ALL" ] || fail "Link header: $(got api.linkheader)"
# pages actually requested: 57 items at 10 a page = 6 full pages + the empty 7th
[ "$(http_log | grep -c '^GET /api/page?')" = 7 ] || fail "page requests: $(http_log | grep '/api/page?')"
# nested values survive as structs/lists
[ "$(q "SELECT nested.k, tags[1] FROM api.page WHERE id = 10")" = '3,t1' ] || fail "nested fields"

# 2. --max-pages stops early
"$LDP" ingest "$A/api/page" api.two --paginate page --param per_page=10 --records data.items --max-pages 2 >/dev/null
[ "$(q 'SELECT count(*), max(id) FROM api.two')" = "20,20" ] || fail "--max-pages 2"

# 3. --header and --param reach the server
"$LDP" ingest "$A/api/echo" api.echo --header 'X-A: b c' --param k=v --param 'w=x y' >/dev/null
[ "$(q "SELECT header_x_a, query.k, query.w FROM api.echo")" = 'b c,v,x y' ] || fail "echo: $(q 'SELECT * FROM api.echo')"

# 4. credentials from the environment; wrong ones fail with the status, no secret shown
export API_TOKEN=tok-s3cret-123 API_KEY=key-s3cret-456 API_USER=alice API_PASS=pw-s3cret-789
"$LDP" ingest "$A/bearer/api/all" api.bearer --auth bearer:API_TOKEN >/dev/null
[ "$(q 'SELECT count(*) FROM api.bearer')" = 57 ] || fail "bearer"
"$LDP" ingest "$A/key/api/all" api.keyh --auth api-key:header:X-Api-Key:API_KEY >/dev/null
"$LDP" ingest "$A/key/api/page" api.keyq --auth api-key:query:api_key:API_KEY --paginate page --records data.items >/dev/null
[ "$(got api.keyq)" = "$ALL" ] || fail "api key in the query across pages"
"$LDP" ingest "$A/basic/api/all" api.basic --auth basic:API_USER:API_PASS >/dev/null
[ "$(q 'SELECT count(*) FROM api.basic')" = 57 ] || fail "basic"
export WRONG=tok-wrong-999
set +e
err=$(LDP_LOG=debug "$LDP" ingest "$A/bearer/api/all" api.denied --auth bearer:WRONG 2>&1); code=$?
set -e
[ "$code" = 1 ] || fail "wrong token: exit $code"
echo "$err" | grep -q "HTTP 401" || fail "wrong token: no status in: $err"
echo "$err" | grep -q "tok-wrong" && fail "the token leaked: $err"
"$LDP" table list api | grep -q denied && fail "a table was created despite the 401"
export API_PASS=nope-555
set +e
err=$("$LDP" ingest "$A/basic/api/all" api.denied --auth basic:API_USER:API_PASS 2>&1); code=$?
set -e
[ "$code" = 1 ] && echo "$err" | grep -q "HTTP 401" || fail "wrong password: $code $err"
echo "$err" | grep -q "nope-555" && fail "the password leaked: $err"
if grep -rqE "tok-s3cret|key-s3cret|pw-s3cret|tok-wrong" .; then fail "a secret was written into the project"; fi

# 5. 429 + Retry-After on every first request of a URL: retried after a second
start=$(date +%s.%N)
"$LDP" ingest "$A/ratelimited/api/page" api.limited --paginate page --param per_page=30 --records data.items >/dev/null
[ "$(got api.limited)" = "$ALL" ] || fail "rate limited: $(got api.limited)"
python3 -c "import sys; sys.exit(0 if $(date +%s.%N) - $start >= 3.0 else 1)" || fail "Retry-After not honoured"

# 6. incremental: the high-water mark rides in the snapshot summary
"$LDP" ingest "$A/api/page" api.inc --paginate page --param per_page=10 --records data.items \
	--incremental-field updated_at --incremental-param since >/dev/null
[ "$(got api.inc)" = "$ALL" ] || fail "incremental first load"
mark=${ALL##*,}
"$LDP" table snapshots api.inc --json | grep -q "\"ldp.ingest.api.high-water\":\"$mark\"" || fail "no high-water mark $mark"
http_post "/admin/add?n=5" >/dev/null
NEW=$(expect)
"$LDP" ingest "$A/api/page" api.inc --paginate page --param per_page=10 --records data.items \
	--incremental-field updated_at --incremental-param since >/dev/null
[ "$(got api.inc)" = "$NEW" ] || fail "incremental second load: $(got api.inc) vs $NEW"
[ "$(q 'SELECT count(DISTINCT id) = count(*) FROM api.inc')" = true ] || fail "duplicates after the incremental load"
http_log | grep "^GET /api/page?per_page=10&since=${mark//:/%3A}&page=1 200" >/dev/null || fail "the mark was not sent as since="
# nothing new: nothing added
"$LDP" ingest "$A/api/page" api.inc --paginate page --param per_page=10 --records data.items \
	--incremental-field updated_at --incremental-param since >/dev/null
[ "$(got api.inc)" = "$NEW" ] || fail "a run without new records changed the table"
# a server that ignores the parameter: records at or below the mark are dropped client-side
"$LDP" ingest "$A/api/all" api.inc2 --incremental-field updated_at >/dev/null
http_post "/admin/add?n=3" >/dev/null
"$LDP" ingest "$A/api/all" api.inc2 --incremental-field updated_at >/dev/null
[ "$(got api.inc2)" = "$(expect)" ] || fail "client-side incremental filter: $(got api.inc2) vs $(expect)"

# 7. bad options
set +e
err=$("$LDP" ingest "$A/api/all" api.x --paginate pages 2>&1); code=$?
[ "$code" = 1 ] && echo "$err" | grep -q "offset:OFFSET_PARAM" || fail "bad --paginate: $code $err"
err=$("$LDP" ingest "$A/api/all" api.x --records nope.items 2>&1); code=$?
[ "$code" = 1 ] || fail "missing records path should fail: $code $err"
err=$("$LDP" ingest "$A/api/echo" api.x --param novalue 2>&1); code=$?
[ "$code" = 1 ] && echo "$err" | grep -q "name=value" || fail "bad --param: $code $err"
set -e
echo "ingest_api: ok"
