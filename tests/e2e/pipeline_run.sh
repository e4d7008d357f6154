#!/usr/bin/env bash
# End-to-end test of running pipelines: `ldp pipeline run`, `ldp backfill`,
# `ldp runs`, `ldp logs` on a project whose steps are mostly shell commands
# (their behaviour is known by construction: exit codes, signals, sleeps,
# files they write) plus a real ldp sql step. Covers output capture, retries
# with exponential backoff (start times measured), timeouts, signals,
# on_failure stop/continue, upstream_failed, max_active_steps, the run lock,
# SIGTERM with grace and resume, --step (Airflow's way), backfill.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-pipeline-run"
rm -rf "$T"
mkdir -p "$T"
P="$T/proj"
"$LDP" init "$P" >/dev/null

# shared helpers: fail, ok, expect_eq, run_capture (sets out, err, rc), finish
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib/checks.sh"
expect_has() { if [[ "$2" == *"$3"* ]]; then ok "$1"; else fail "$1: [$3] not in:"$'\n'"$2"; fi; }
cd "$P" # every command below runs in the project
# py EXPR-SCRIPT: python with the JSON of stdin as `d`
py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
logs_json() { (cd "$P" && "$LDP" logs "$1" --json); }

cat >>"$P/ldp.yml" <<'EOF'
pipelines:
  ok:
    steps:
      - name: hello
        shell: "echo hello-out; echo hello-err >&2; echo ds={{ ds_nodash }}"
      - name: answer
        sql: "SELECT 6 * 7 AS answer"
        depends_on: [hello]
  flaky:
    steps:
      - name: bad
        shell: "echo trying; exit 2"
        retries: 2
        retry_delay: 0.2s
        retry_backoff: 2
  slow:
    defaults: {on_failure: continue}
    steps:
      - name: sleeper
        shell: "sleep 30"
        timeout: 1s
      - name: suicide
        shell: "kill -9 $$"
  stopper:
    steps:
      - name: fails
        shell: "exit 1"
      - name: after
        shell: "touch after.ran"
        depends_on: [fails]
      - name: indep
        shell: "touch stopper-indep.ran"
  continuer:
    steps:
      - name: fails
        shell: "exit 1"
        on_failure: continue
      - name: after
        shell: "touch after.ran"
        depends_on: [fails]
      - name: indep
        shell: "touch continuer-indep.ran"
  wide:
    max_active_steps: 2
    steps:
      - {name: w1, shell: "sh wide.sh"}
      - {name: w2, shell: "sh wide.sh"}
      - {name: w3, shell: "sh wide.sh"}
      - {name: w4, shell: "sh wide.sh"}
  held:
    steps:
      - name: hold
        shell: "while [ ! -f release ]; do sleep 0.05; done"
  graceful:
    max_active_steps: 2
    steps:
      - name: quick
        shell: "touch quick.started; while [ ! -f go ]; do sleep 0.05; done; echo quick-done >> graceful.log"
      - name: then
        shell: "echo then-done >> graceful.log"
        depends_on: [quick]
      - name: stubborn
        shell: "if [ -f resumed ]; then echo stubborn-done >> graceful.log; else touch stubborn.started; sleep 30; fi"
  crashy:
    steps:
      - name: long
        shell: "if [ -f crashed ]; then echo recovered; else exec sleep $CRASHY_SLEEP; fi"
  alerting:
    notify:
      on_failure: {webhook_env: LDP_TEST_HOOK}
      on_success: {webhook_env: LDP_TEST_HOOK}
    steps:
      - name: boom
        shell: "exit 4"
  noisy:
    notify:
      on_success: {webhook_env: LDP_TEST_DEAD_HOOK}
    steps:
      - name: fine
        shell: "true"
  daily:
    steps:
      - name: record
        shell: "echo $LDP_DS >> daily.txt"
  sixam:
    schedule: "0 6 * * *"
    steps:
      - name: record
        shell: "echo $LDP_LOGICAL_DATE >> sixam.txt"
EOF

# each wide step counts the steps inside the window (one token file a step)
# when it enters and before it leaves: the largest count is the concurrency
cat >"$P/wide.sh" <<'EOF'
mkdir -p run; touch "run/$LDP_STEP"; ls run | wc -l >> counts
sleep 0.4
ls run | wc -l >> counts; rm "run/$LDP_STEP"
EOF

# ---- success: output captured and echoed, templating, a real ldp step ----
run_capture "$LDP" pipeline run ok --date 2023-01-05
expect_eq "ok exit" "$rc" 0
[[ "$out" =~ \[hello\ *\]\ hello-out ]] && ok "stdout echoed with prefix" || fail "stdout echo: [$out]"
[[ "$err" =~ \[hello\ *\]\ hello-err ]] && ok "stderr echoed with prefix" || fail "stderr echo: [$err]"
expect_has "status line" "$err" "ok hello ("
expect_has "sql step output" "$out" "42"
ID=ok__manual__20230105T000000
logs_json "$ID" >"$T/ok.json"
# two pipes: the order within a stream is kept, across streams it is arrival order
expect_eq "ok logs" "$(py 'a=d["attempts"]; print(d["state"], [(x["step"], x["state"]) for x in a], [[l["text"] for l in a[0]["logs"] if l["stream"] == s] for s in ("stdout", "stderr")])' <"$T/ok.json")" \
	"success [('hello', 'success'), ('answer', 'success')] [['hello-out', 'ds=20230105'], ['hello-err']]"
expect_has "sql output in logs" "$(py 'print([l["text"] for l in d["attempts"][1]["logs"]])' <"$T/ok.json")" "42"
run_capture "$LDP" logs "$ID" --step hello
expect_has "logs text header" "$out" "==> hello attempt 1: success"
expect_has "logs text lines" "$out" "hello-err"

# ---- retries with exponential backoff ----
run_capture "$LDP" pipeline run flaky --date 2023-01-05
expect_eq "flaky exit" "$rc" 1
expect_has "retry status" "$err" "FAILED bad attempt 1/3: exit code 2, retrying in 0.2 s"
expect_has "final status" "$err" "FAILED bad attempt 3/3: exit code 2"
expect_has "error names step" "$err" "step bad failed: exit code 2"
logs_json flaky__manual__20230105T000000 | py '
a = d["attempts"]
assert len(a) == 3, a
assert [x["attempt"] for x in a] == [1, 2, 3]
assert all(x["state"] == "failed" and x["exit_code"] == 2 for x in a)
g1 = a[1]["started_at"] - a[0]["ended_at"]; g2 = a[2]["started_at"] - a[1]["ended_at"]
assert 0.19 <= g1 < 0.35 and 0.39 <= g2 < 0.6, (g1, g2)
assert d["state"] == "failed" and d["failed_step"] == "bad"
' && ok "3 attempts with delays 0.2 s and 0.4 s" || fail "retry attempts"

# ---- timeout and signal ----
start=$(date +%s)
run_capture "$LDP" pipeline run slow --date 2023-01-05
took=$(($(date +%s) - start))
expect_eq "slow exit" "$rc" 1
[[ $took -lt 10 ]] && ok "timeout killed sleep 30 (${took}s)" || fail "timeout took ${took}s"
logs_json slow__manual__20230105T000000 | py '
r = {x["step"]: (x["state"], x["reason"], x["signal"]) for x in d["attempts"]}
assert r["sleeper"][:2] == ("failed", "timed out after 1 s"), r
assert r["suicide"] == ("failed", "killed by signal SIGKILL", 9), r
' && ok "timed out / killed by signal recorded" || fail "timeout/signal reasons"

# ---- on_failure stop vs continue, upstream_failed ----
run_capture "$LDP" pipeline run stopper --date 2023-01-05
expect_eq "stopper exit" "$rc" 1
logs_json stopper__manual__20230105T000000 | py '
r = {x["step"]: x["state"] for x in d["attempts"]}
assert r == {"fails": "failed", "after": "upstream_failed", "indep": "skipped"}, r
' && ok "stop: dependents upstream_failed, others skipped" || fail "stopper states"
run_capture "$LDP" pipeline run continuer --date 2023-01-05
expect_eq "continuer exit" "$rc" 1
logs_json continuer__manual__20230105T000000 | py '
r = {x["step"]: x["state"] for x in d["attempts"]}
assert r == {"fails": "failed", "after": "upstream_failed", "indep": "success"}, r
' && ok "continue: independent steps run" || fail "continuer states"
[[ ! -e "$P/after.ran" && ! -e "$P/stopper-indep.ran" && -e "$P/continuer-indep.ran" ]] &&
	ok "only the allowed steps ran" || fail "files of skipped steps"

# ---- max_active_steps: 2 ----
run_capture "$LDP" pipeline run wide --date 2023-01-05 --quiet
expect_eq "wide exit" "$rc" 0
expect_eq "wide quiet" "$out$err" ""
expect_eq "at most and at least 2 at once" "$(sort -n "$P/counts" | tail -1 | tr -d ' ')" 2

# ---- lock: a second run of the same pipeline is refused, naming the holder ----
(cd "$P" && exec "$LDP" pipeline run held --date 2023-01-05 --quiet) &
holder=$!
for _ in $(seq 50); do [[ -s "$P/.ldp/locks/held.lock" ]] && break; sleep 0.1; done
run_capture "$LDP" pipeline run held --date 2023-01-06
expect_eq "busy exit" "$rc" 1
expect_has "busy names pid" "$err" "pid $holder"
touch "$P/release"
wait "$holder" && ok "holder finished" || fail "holder run failed"

# ---- SIGTERM: running steps get the grace period, then resume finishes ----
(cd "$P" && exec "$LDP" pipeline run graceful --date 2023-01-05 --grace 3.5s >"$T/graceful.out" 2>&1) &
runner=$!
# quick waits for the file `go`, so it can only finish after the runner took
# the stop: no race with a loaded machine
for _ in $(seq 200); do [[ -e "$P/quick.started" && -e "$P/stubborn.started" ]] && break; sleep 0.05; done
kill -TERM "$runner"
for _ in $(seq 200); do grep -q "^stopping:" "$T/graceful.out" && break; sleep 0.05; done
touch "$P/go"
set +e
wait "$runner"
grc=$?
set -e
expect_eq "interrupted exit" "$grc" 1
expect_has "resume hint" "$(cat "$T/graceful.out")" "--run-id graceful__manual__20230105T000000"
logs_json graceful__manual__20230105T000000 >"$T/graceful.json"
py '
r = {x["step"]: x["state"] for x in d["attempts"]}
assert d["state"] == "interrupted", d["state"]
assert r == {"quick": "success", "stubborn": "interrupted"}, r
' <"$T/graceful.json" && ok "quick finished within grace, stubborn interrupted, then not started" ||
	fail "graceful states: $(cat "$T/graceful.json") $(cat "$T/graceful.out")"
touch "$P/resumed"
run_capture "$LDP" pipeline run graceful --run-id graceful__manual__20230105T000000
expect_eq "resume exit" "$rc" 0
expect_eq "each step ran once" "$(sort "$P/graceful.log" | tr '\n' ' ')" "quick-done stubborn-done then-done "
logs_json graceful__manual__20230105T000000 | py '
c = [(x["step"], x["attempt"], x["state"]) for x in d["attempts"]]
assert d["state"] == "success", d
assert ("quick", 2, "success") not in c and ("stubborn", 2, "success") in c, c
' && ok "resume kept quick, re-ran stubborn as attempt 2" || fail "resume attempts"

# ---- a runner killed by SIGKILL: its step dies with it, the run resumes ----
export CRASHY_SLEEP="37.$$$RANDOM" # a command line no other test has
(cd "$P" && exec "$LDP" pipeline run crashy --date 2023-01-05 --quiet) &
runner=$!
CID=crashy__manual__20230105T000000
for _ in $(seq 50); do
	n=$(cd "$P" && "$LDP" logs $CID --json 2>/dev/null | py 'print(len(d["attempts"]))' 2>/dev/null || echo 0)
	[[ "$n" == 1 ]] && break
	sleep 0.1
done
kill -KILL "$runner"
wait "$runner" || true
sleep 0.3
if stray=$(pgrep -f "sleep $CRASHY_SLEEP"); then
	fail "the step outlived its runner"
	kill $stray || true
else
	ok "the step died with its runner"
fi
expect_eq "stale run still says running" "$(logs_json $CID | py 'print(d["state"])')" running
touch "$P/crashed"
run_capture "$LDP" pipeline run crashy --run-id $CID
expect_eq "resume after crash exit" "$rc" 0
expect_eq "resume after crash attempts" "$(logs_json $CID | py 'print(d["state"], [(x["attempt"], x["state"]) for x in d["attempts"]])')" \
	"success [(1, 'interrupted'), (2, 'success')]"

# ---- --step: one step, the run named by the caller (Airflow) ----
run_capture "$LDP" pipeline run ok --date 2023-01-05 --step answer --run-id af_run_1 --json
expect_eq "step exit" "$rc" 0
expect_eq "step run" "$(py 'print(d["run_type"], d["state"], [x["step"] for x in d["attempts"]])' <<<"$out")" \
	"airflow running ['answer']"

# ---- backfill: one run a day, in order; with a schedule one per fire time ----
run_capture "$LDP" backfill daily --from 2023-01-01 --to 2023-01-03
expect_eq "backfill exit" "$rc" 0
expect_eq "backfill dates" "$(tr '\n' ' ' <"$P/daily.txt")" "2023-01-01 2023-01-02 2023-01-03 "
run_capture "$LDP" runs --pipeline daily --json
expect_eq "backfill runs" "$(py 'print(sorted((r["run_id"], r["run_type"], r["state"]) for r in d))' <<<"$out")" \
	"[('daily__backfill__20230101T000000', 'backfill', 'success'), ('daily__backfill__20230102T000000', 'backfill', 'success'), ('daily__backfill__20230103T000000', 'backfill', 'success')]"
# 06:00 on Jan 1 and Jan 2 lie in [Jan 1 00:00, Jan 3 00:00]; Jan 3 06:00 does not
run_capture "$LDP" backfill sixam --from 2023-01-01 --to 2023-01-03 --json
expect_eq "sixam exit" "$rc" 0
expect_eq "sixam dates" "$(tr '\n' ' ' <"$P/sixam.txt")" "2023-01-01T06:00:00+00:00 2023-01-02T06:00:00+00:00 "
run_capture "$LDP" backfill flaky --from 2023-01-01 --to 2023-01-03 --quiet
expect_eq "backfill stops at the first failure" "$rc" 1
expect_eq "one failed backfill run" "$(cd "$P" && "$LDP" runs --pipeline flaky --json | py 'print(len([r for r in d if r["run_type"] == "backfill"]))')" 1

# ---- a notification that cannot be delivered is a warning, not a failed run ----
# (nothing listens on port 9 of 127.0.0.1: the POST is refused)
export LDP_TEST_DEAD_HOOK=http://127.0.0.1:9/hook
run_capture "$LDP" pipeline run noisy --date 2023-01-05
expect_eq "dead webhook exit" "$rc" 0
expect_has "dead webhook warning" "$err" "warning"
expect_has "dead webhook in logs" "$(cd "$P" && "$LDP" logs noisy__manual__20230105T000000)" \
	"warning: the success notification (webhook from \$LDP_TEST_DEAD_HOOK) failed"
unset LDP_TEST_DEAD_HOOK

# ---- notifications reach a (local) Slack-compatible webhook ----
source "$HERE/lib/http_server.bash"
mkdir -p "$T/www"
trap stop_http_server EXIT
start_http_server "$T/www"
export LDP_TEST_HOOK="$HTTP_URL/hook/ok"
run_capture "$LDP" pipeline run alerting --date 2023-01-05
expect_eq "alerting exit" "$rc" 1
py 'assert len(d) == 1, d' <<<"[$(paste -sd, "$T/www/webhook_posts.ndjson")]" && ok "one POST" || fail "posts"
posted=$(cat "$T/www/webhook_posts.ndjson")
expect_has "post names the run" "$posted" "alerting__manual__20230105T000000"
expect_has "post names the step" "$posted" "boom"
expect_has "post gives the reason" "$posted" "exit code 4"
unset LDP_TEST_HOOK
stop_http_server

# ---- runs table, bad input ----
run_capture "$LDP" runs --limit 3
expect_has "runs header" "$out" "RUN ID"
expect_eq "runs rows" "$(wc -l <<<"$out" | tr -d ' ')" 4
run_capture "$LDP" runs --pipeline flaky
expect_eq "runs failed step column" "$(awk 'NR > 1 {print $5, $NF}' <<<"$out" | sort -u)" "failed bad"
run_capture "$LDP" pipeline run nope
expect_eq "unknown pipeline exit" "$rc" 1
expect_has "unknown pipeline message" "$err" "no pipeline 'nope'"
run_capture "$LDP" pipeline run ok --date 2023-13-01
expect_eq "bad date exit" "$rc" 1
run_capture "$LDP" pipeline run ok --step nope
expect_eq "unknown step exit" "$rc" 1
expect_has "unknown step message" "$err" "no step 'nope'"
run_capture "$LDP" logs no_such_run
expect_eq "unknown run exit" "$rc" 1

finish "pipeline run"
