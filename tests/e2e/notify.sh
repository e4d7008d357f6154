#!/usr/bin/env bash
# End-to-end tests of `ldp notify` against a local webhook receiver
# (tests/e2e/http_test_server.py's /hook/ paths on 127.0.0.1): the posted JSON's structure,
# the query table and its truncation, pipeline context fields, retries on 500
# and 429 (Retry-After honoured), a 400 as a clear failure, the missing env
# var, --dry-run, and the webhook URL never printed.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"
: "${LDP_SOURCE_DIR:?}"

T="$LDP_TEST_TMP/e2e-notify"
rm -rf "$T"
mkdir -p "$T/p"
# shellcheck source=lib/checks.sh
. "$LDP_SOURCE_DIR/tests/e2e/lib/checks.sh"
# shellcheck source=lib/http_server.bash
. "$LDP_SOURCE_DIR/tests/e2e/lib/http_server.bash"
mkdir -p "$T/www"
REC="$T/www/webhook_posts.ndjson"
: >"$REC"
trap stop_http_server EXIT
start_http_server "$T/www"
BASE="$HTTP_URL"

cd "$T/p"
"$LDP" init . >/dev/null
# revenue by payment type, by hand: card 10 + 20 + 5 = 35 (3 trips), cash 7 (1), voucher 2.5 (1)
cat >trips.csv <<'EOF'
id,payment,fare
1,card,10
2,card,20
3,cash,7
4,card,5
5,voucher,2.5
EOF
"$LDP" ingest trips.csv nyc.trips >/dev/null 2>&1
unset LDP_PIPELINE LDP_RUN_ID LDP_DS SLACK_WEBHOOK_URL

nposts() { wc -l <"$REC" | tr -d ' '; }
# py EXPR...: run python3 with `posts` (the recorded POSTs) loaded; prints its output
py() { python3 -c "import json,sys
posts = [json.loads(l) for l in open('$REC')]
$1"; }
url_hidden() { # NAME TEXT: neither the URL nor its address appear
	if [[ "$2" == *"127.0.0.1"* || "$2" == *"/hook/"* || "$2" == *"$BASE"* ]]; then
		fail "$1: the webhook URL leaked: [$2]"
	else
		ok "$1: URL not printed"
	fi
}

# ---- a missing env var fails first (before the query, which names a missing table) ----
run_capture "$LDP" notify --text hi --query "SELECT * FROM nyc.nope"
expect_eq "missing env: exit" "$rc" 1
[[ "$err" == *"set SLACK_WEBHOOK_URL to the incoming-webhook URL"* && "$err" != *nope* ]] &&
	ok "missing env: message" || fail "missing env: [$err]"
run_capture "$LDP" notify --webhook-env MY_HOOK --text hi
[[ "$rc" == 1 && "$err" == *"set MY_HOOK to the incoming-webhook URL"* ]] && ok "--webhook-env names the variable" ||
	fail "--webhook-env: [$err]"
SLACK_WEBHOOK_URL="ftp://example.com/x" run_capture "$LDP" notify --text hi
[[ "$rc" == 1 && "$err" == *"SLACK_WEBHOOK_URL does not hold an http(s) URL"* && "$err" != *example.com* ]] &&
	ok "not an http URL" || fail "not an http URL: [$err]"
expect_eq "nothing posted yet" "$(nposts)" 0

# ---- a report with a query, inside a pipeline's env ----
export SLACK_WEBHOOK_URL="$BASE/hook/ok"
LDP_PIPELINE=nyc_taxi LDP_RUN_ID=manual__2024-01-31 LDP_DS=2024-01-31 run_capture "$LDP" notify --status success \
	--title "Daily revenue" --text "Fares & tips <all>" \
	--query "SELECT payment, count(*) AS trips, sum(fare) AS revenue FROM nyc.trips GROUP BY payment ORDER BY revenue DESC"
expect_eq "post: exit" "$rc" 0
url_hidden "post: stderr" "$err$out"
[[ "$err" == *'$SLACK_WEBHOOK_URL'* ]] && ok "post: names the variable" || fail "post: [$err]"
expect_eq "post: one POST" "$(nposts)" 1
got=$(py '
p = posts[0]
assert p["path"] == "/hook/ok" and p["content_type"] == "application/json", p
m = p["body"]
assert set(m) == {"text", "blocks"}, m.keys()
assert m["text"] == ":white_check_mark: Daily revenue: Fares &amp; tips &lt;all&gt;", m["text"]
b = m["blocks"]
assert [x["type"] for x in b] == ["header", "section", "section", "section"], b
assert b[0]["text"] == {"type": "plain_text", "text": ":white_check_mark: Daily revenue", "emoji": True}, b[0]
assert b[1]["text"] == {"type": "mrkdwn", "text": "Fares &amp; tips &lt;all&gt;"}, b[1]
assert [f["text"] for f in b[2]["fields"]] == ["*Pipeline*\nnyc_taxi", "*Run id*\nmanual__2024-01-31",
                                               "*Logical date*\n2024-01-31"], b[2]
t = b[3]["text"]["text"]
lines = t.split("\n")
assert lines[0] == "```" and lines[-1] == "```", t
assert [l.split("|")[0].strip() for l in lines[1:-1]] == ["payment", lines[2].split("|")[0].strip(), "card", "cash", "voucher"], t
rows = [[c.strip() for c in l.split("|")] for l in lines[3:-1]]
assert rows == [["card", "3", "35.0"], ["cash", "1", "7.0"], ["voucher", "1", "2.5"]], rows
assert len(set(len(l) for l in lines[1:3])) == 1, "header and rule align"
print("ok")' 2>&1)
expect_eq "post: message structure" "$got" ok

# ---- no pipeline env: no fields; the default title; failure emoji ----
: >"$REC"
run_capture "$LDP" notify --status failure --text "x"
expect_eq "plain: exit" "$rc" 0
got=$(py '
m = posts[0]["body"]
assert [x["type"] for x in m["blocks"]] == ["header", "section"], m
assert m["blocks"][0]["text"]["text"] == ":x: ldp report", m
print("ok")' 2>&1)
expect_eq "plain: no context fields" "$got" ok

# ---- --max-rows and the 3000-character section limit ----
: >"$REC"
run_capture "$LDP" notify --title t --query "SELECT * FROM nyc.trips ORDER BY id" --max-rows 2
got=$(py '
t = posts[0]["body"]["blocks"][1]["text"]["text"]
lines = t.split("\n")
# header, rule, 2 rows, the note, the fences
assert len(lines) == 7 and lines[-2] == "\u2026 3 more rows", lines
assert lines[3].split("|")[0].strip() == "1" and lines[4].split("|")[0].strip() == "2", lines
print("ok")' 2>&1)
expect_eq "max-rows 2: 2 rows and '… 3 more rows'" "$got" ok
: >"$REC"
run_capture "$LDP" notify --title t --max-rows 1000 \
	--query "SELECT i, repeat('x', 40) AS pad FROM range(500) t(i) ORDER BY i"
expect_eq "big table: exit" "$rc" 0
got=$(py '
t = posts[0]["body"]["blocks"][1]["text"]["text"]
lines = t.split("\n")
assert len(t) <= 3000, len(t)
shown = len(lines) - 5  # fences, header, rule, note
more = int(lines[-2].split()[1])
assert lines[-2] == "\u2026 %d more rows" % more, lines[-2]
assert shown + more == 500 and shown > 10, (shown, more)
assert [int(l.split("|")[0]) for l in lines[3:3 + shown]] == list(range(shown))
# one more row would not have fit
assert len(t) > 3000 - 2 * len(lines[3]), len(t)
print("ok")' 2>&1)
expect_eq "big table: cut to 3000 characters with the count of the rest" "$got" ok

# ---- retries ----
: >"$REC"
SLACK_WEBHOOK_URL="$BASE/hook/flaky" LDP_LOG=debug run_capture "$LDP" notify --text "retry me"
expect_eq "500 then 200: exit" "$rc" 0
url_hidden "500 then 200: debug log" "$err"
got=$(py '
assert [p["status"] for p in posts] == [500, 200], posts
assert posts[0]["body"] == posts[1]["body"]
print("ok")' 2>&1)
expect_eq "500 then 200: retried with the same body" "$got" ok
: >"$REC"
SLACK_WEBHOOK_URL="$BASE/hook/ratelimit" run_capture "$LDP" notify --text "slow down"
expect_eq "429 then 200: exit" "$rc" 0
got=$(py '
assert [p["status"] for p in posts] == [429, 200], posts
# Retry-After: 1 is honoured (the computed first backoff is 250 ms)
assert posts[1]["time"] - posts[0]["time"] >= 0.9, posts[1]["time"] - posts[0]["time"]
print("ok")' 2>&1)
expect_eq "429 then 200: waited for Retry-After" "$got" ok

# ---- failures ----
: >"$REC"
SLACK_WEBHOOK_URL="$BASE/hook/bad" run_capture "$LDP" notify --text "bad"
expect_eq "400: exit" "$rc" 1
[[ "$err" == *"HTTP 400"* && "$err" == *invalid_blocks* && "$err" == *SLACK_WEBHOOK_URL* ]] && ok "400: message" ||
	fail "400: [$err]"
url_hidden "400" "$err$out"
expect_eq "400: not retried" "$(nposts)" 1
: >"$REC"
SLACK_WEBHOOK_URL="$BASE/hook/down" run_capture "$LDP" notify --text "down"
expect_eq "503 always: exit" "$rc" 1
[[ "$err" == *"HTTP 503"* && "$err" == *"gave up after 5 attempts"* ]] && ok "503: message" || fail "503: [$err]"
url_hidden "503" "$err"
expect_eq "503: 5 attempts" "$(nposts)" 5
# credentials in the URL: neither they nor the path are printed
: >"$REC"
SLACK_WEBHOOK_URL="http://hookuser:hookpw@${BASE#http://}/hook/bad" LDP_LOG=debug run_capture "$LDP" notify --text "bad"
[[ "$rc" == 1 && "$err" == *"HTTP 400"* && "$err" != *hookpw* && "$err" != *hookuser* && "$err" != */hook/* ]] &&
	ok "URL with credentials hidden" || fail "URL with credentials: [$err]"
# nobody listening: a network error, still without the URL
SLACK_WEBHOOK_URL="http://127.0.0.1:1/hook/ok" run_capture "$LDP" notify --text "refused"
expect_eq "refused: exit" "$rc" 1
[[ "$err" != *"127.0.0.1:1"* ]] && ok "refused: URL not printed" || fail "refused: [$err]"

# ---- --dry-run: prints the message, posts nothing, needs no URL ----
: >"$REC"
SLACK_WEBHOOK_URL= run_capture "$LDP" notify --dry-run --title "Dry" --query "SELECT 1 AS one"
expect_eq "dry-run: exit" "$rc" 0
expect_eq "dry-run: nothing posted" "$(nposts)" 0
got=$(python3 -c '
import json, sys
m = json.loads(sys.argv[1])
assert m["blocks"][0]["text"]["text"] == ":information_source: Dry", m
assert m["blocks"][1]["text"]["text"] == "```\none\n---\n  1\n```", m["blocks"][1]
print("ok")' "$out" 2>&1)
expect_eq "dry-run: the message" "$got" ok

# ---- usage errors ----
run_capture "$LDP" notify --status maybe --text x
[[ "$rc" == 1 && "$err" == *"success, failure or info"* ]] && ok "bad status" || fail "bad status: [$err]"
run_capture "$LDP" notify
[[ "$rc" == 1 && "$err" == *"nothing to say"* ]] && ok "nothing to say" || fail "nothing to say: [$err]"
run_capture "$LDP" notify --dry-run --title t --query "SELECT * FROM nyc.nope"
[[ "$rc" == 1 && "$err" == *"--query"* && "$err" == *nope* ]] && ok "bad query" || fail "bad query: [$err]"

finish "ldp notify"
