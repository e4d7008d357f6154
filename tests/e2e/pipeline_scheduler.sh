#!/usr/bin/env bash
# `ldp scheduler` end to end, with shell steps that append "$LDP_DS $LDP_LOGICAL_DATE"
# to a file (so every run of an interval leaves exactly one line):
#   - --once --now runs exactly the due intervals: catchup true -> every hour since
#     start_date, in order; catchup false -> only the latest day;
#   - the same --once again queues nothing (no duplicates); a later --now only the new hour;
#   - crash: kill -9 of the scheduler, its run process and the step while the step
#     sleeps; the restarted scheduler resumes that run under the same run id and the
#     interval's line appears once;
#   - a run started by hand (its lock held) makes the scheduler wait, not overlap;
#   - SIGTERM while a step runs: the step finishes within the grace period, the next
#     step is not started, the daemon exits 0 and the run is recorded 'interrupted';
#     the next start resumes it and runs only the remaining step;
#   - a second scheduler on the same project is refused;
#   - SIGHUP reads the configuration again (a new pipeline gets scheduled);
#   - an invalid cron in the config: exit 1 before anything runs.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-pipeline-scheduler"
rm -rf "$T"
mkdir -p "$T"
unset LDP_LOG
OUT="$T/out"
mkdir -p "$OUT"

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

P="$T/p"
"$LDP" init "$P" >/dev/null
export LDP_PROJECT="$P"
mkdir -p "$P/pipelines"

cat >"$P/pipelines/hourly.yml" <<EOF
schedule: "0 * * * *"
timezone: UTC
start_date: 2026-11-25
catchup: true
steps:
  - name: log
    shell: 'echo "\$LDP_DS \$LDP_LOGICAL_DATE" >> $OUT/hourly.txt'
EOF
cat >"$P/pipelines/daily.yml" <<EOF
schedule: "@daily"
timezone: UTC
start_date: 2026-11-20
catchup: false
steps:
  - name: log
    shell: 'echo "\$LDP_DS \$LDP_LOGICAL_DATE" >> $OUT/daily.txt'
EOF
cat >"$P/pipelines/crash.yml" <<EOF
schedule: "0 * * * *"
start_date: 2026-11-25
catchup: false
steps:
  - name: slow
    shell: 'sleep 3 && echo "\$LDP_DS \$LDP_LOGICAL_DATE" >> $OUT/crash.txt'
EOF
cat >"$P/pipelines/term.yml" <<EOF
schedule: "0 0 * * *"
start_date: 2026-01-01
catchup: false
steps:
  - name: a
    shell: 'sleep 2 && echo "a \$LDP_DS" >> $OUT/term.txt'
  - name: b
    shell: 'echo "b \$LDP_DS" >> $OUT/term.txt'
    depends_on: [a]
EOF

# runs_of PIPELINE -> "run_id state" lines, oldest first
runs_of() {
	"$LDP" runs --pipeline "$1" --json | python3 -c '
import json, sys
runs = json.load(sys.stdin)
if isinstance(runs, dict):
    runs = runs.get("runs", [])
for r in sorted(runs, key=lambda r: r["logical_date"]):
    print(r["run_id"], r["state"], r["run_type"])'
}

# wait_for_step: sets runner (the scheduler $sched's child) and step (the
# runner's child) once the step process runs (up to 10 s; step stays empty)
wait_for_step() {
	runner="" step=""
	for _ in $(seq 100); do
		runner=$(pgrep -P "$sched" || true)
		[ -n "$runner" ] && step=$(pgrep -P "$runner" || true)
		[ -n "$step" ] && return 0
		sleep 0.1
	done
}

# ---- catch-up ----
NOW=2026-11-25T03:30:00Z
if "$LDP" scheduler --once --now "$NOW" --pipeline hourly,daily >"$T/s1.out" 2>"$T/s1.err"; then
	ok "--once exits 0"
else
	fail "--once exited $?: $(cat "$T/s1.err")"
fi
want_h=$'2026-11-25 2026-11-25T00:00:00+00:00\n2026-11-25 2026-11-25T01:00:00+00:00\n2026-11-25 2026-11-25T02:00:00+00:00'
if [ "$(cut -c1-29 "$OUT/hourly.txt" 2>/dev/null)" = "$(echo "$want_h" | cut -c1-29)" ]; then
	ok "catchup true: the three hours since start_date, in order"
else
	fail "hourly.txt: $(cat "$OUT/hourly.txt" 2>/dev/null) (want the 00, 01 and 02 hours)"
fi
if [ "$(cut -c1-22 "$OUT/daily.txt" 2>/dev/null)" = "2026-11-24 2026-11-24T" ] && [ "$(lines "$OUT/daily.txt")" = 1 ]; then
	ok "catchup false: only the latest day (2026-11-24)"
else
	fail "daily.txt: $(cat "$OUT/daily.txt" 2>/dev/null) (want one line for 2026-11-24)"
fi
grep -q "queued hourly__scheduled__20261125T000000" "$T/s1.out" || fail "no human 'queued' line: $(cat "$T/s1.out")"
grep -q "skipped daily" "$T/s1.out" || fail "no 'skipped' line for daily: $(cat "$T/s1.out")"
r=$(runs_of hourly)
if [ "$(echo "$r" | wc -l)" = 3 ] && [ "$(echo "$r" | grep -c ' success scheduled$')" = 3 ]; then
	ok "ldp runs: three scheduled successes"
else
	fail "ldp runs for hourly: $r"
fi

"$LDP" scheduler --once --now "$NOW" --pipeline hourly,daily --json >"$T/s2.out" 2>"$T/s2.err" || fail "second --once exited $?: $(cat "$T/s2.err")"
if [ "$(lines "$OUT/hourly.txt")" = 3 ] && [ "$(lines "$OUT/daily.txt")" = 1 ] && ! grep -q '"queued"' "$T/s2.out"; then
	ok "the same --now again queues nothing"
else
	fail "second pass queued again: $(cat "$T/s2.out")"
fi
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/s2.out" || fail "--json lines are not JSON"

"$LDP" scheduler --once --now 2026-11-25T04:00:00Z --pipeline hourly --pipeline daily >"$T/s3.out" 2>&1 ||
	fail "third --once: $(cat "$T/s3.out")"
if [ "$(lines "$OUT/hourly.txt")" = 4 ] && tail -1 "$OUT/hourly.txt" | grep -q "T03:00:00" && [ "$(lines "$OUT/daily.txt")" = 1 ]; then
	ok "an hour later: just the new hour"
else
	fail "after 04:00: $(cat "$OUT/hourly.txt")"
fi

# ---- crash: kill -9 everything while the step sleeps, then restart ----
NOW=2026-11-25T05:30:00Z
"$LDP" scheduler --once --now "$NOW" --pipeline crash >"$T/c1.out" 2>&1 &
sched=$!
wait_for_step
if [ -z "$step" ]; then
	fail "the crash pipeline's step never started: $(cat "$T/c1.out")"
	kill -9 "$sched" 2>/dev/null || true
else
	kill -9 "$sched" "$runner" 2>/dev/null || true
	kill -9 -- "-$step" 2>/dev/null || true
	wait "$sched" 2>/dev/null || true
	sleep 0.2
	id1=$(runs_of crash | awk '{print $1}')
	[ "$(runs_of crash | awk '{print $2}')" = running ] || fail "after kill -9 the run should still say running: $(runs_of crash)"
	"$LDP" scheduler --once --now "$NOW" --pipeline crash --json >"$T/c2.out" 2>"$T/c2.err" ||
		fail "restart after the crash: $(cat "$T/c2.err")"
	r=$(runs_of crash)
	if grep -q "\"resuming\".*\"$id1\"" "$T/c2.out" && [ "$r" = "$id1 success scheduled" ] &&
		[ "$(lines "$OUT/crash.txt")" = 1 ] && grep -q "^2026-11-25 2026-11-25T04:00:00" "$OUT/crash.txt"; then
		ok "crash: resumed $id1 under the same id, the interval ran once"
	else
		fail "crash recovery: runs [$r] (was $id1), crash.txt [$(cat "$OUT/crash.txt" 2>/dev/null)], log $(cat "$T/c2.out")"
	fi
fi

# ---- a run started by hand holds the lock: the scheduler waits for it ----
mkdir -p "$P/.ldp/locks"
flock -n "$P/.ldp/locks/hourly.lock" sleep 1.5 &
holder=$!
sleep 0.3
t0=$(date +%s%N)
"$LDP" scheduler --once --now 2026-11-25T05:00:00Z --pipeline hourly >"$T/l.out" 2>&1 || fail "lock wait: $(cat "$T/l.out")"
t1=$(date +%s%N)
wait "$holder" || true
if grep -q "waiting hourly" "$T/l.out" && [ $(((t1 - t0) / 1000000)) -ge 900 ] && [ "$(lines "$OUT/hourly.txt")" = 5 ]; then
	ok "a held lock makes the scheduler wait, then run"
else
	fail "lock: $(cat "$T/l.out"), $(((t1 - t0) / 1000000)) ms, $(lines "$OUT/hourly.txt") lines"
fi

# ---- SIGTERM while a step runs ----
"$LDP" scheduler --pipeline term --grace 10 >"$T/t1.out" 2>&1 &
sched=$!
wait_for_step
[ -n "$step" ] || fail "the term pipeline's step never started: $(cat "$T/t1.out")"
rc=0
"$LDP" scheduler --once --pipeline hourly >/dev/null 2>"$T/two.err" || rc=$?
[ "$rc" = 1 ] && grep -q "another scheduler (pid $sched)" "$T/two.err" || fail "second scheduler: exit $rc, $(cat "$T/two.err")"
kill -TERM "$sched"
rc=0
wait "$sched" || rc=$?
r=$(runs_of term)
if [ "$rc" = 0 ] && [ "$(grep -c '^a ' "$OUT/term.txt" 2>/dev/null)" = 1 ] && ! grep -q '^b ' "$OUT/term.txt" &&
	[ "$(echo "$r" | awk '{print $2}')" = interrupted ]; then
	ok "SIGTERM: the running step finished within grace, nothing new started, exit 0, run interrupted"
else
	fail "SIGTERM: exit $rc, term.txt [$(cat "$OUT/term.txt" 2>/dev/null)], runs [$r], log $(cat "$T/t1.out")"
fi
"$LDP" scheduler --once --pipeline term >"$T/t2.out" 2>&1 || fail "resume after SIGTERM: $(cat "$T/t2.out")"
r2=$(runs_of term)
if [ "$(grep -c '^a ' "$OUT/term.txt")" = 1 ] && [ "$(grep -c '^b ' "$OUT/term.txt")" = 1 ] &&
	[ "$(echo "$r2" | head -1 | awk '{print $1, $2}')" = "$(echo "$r" | awk '{print $1}') success" ]; then
	ok "the interrupted run resumed: only the remaining step ran"
else
	fail "resume: term.txt [$(cat "$OUT/term.txt")], runs [$r2], log $(cat "$T/t2.out")"
fi

# ---- a second SIGTERM cuts the grace period short ----
cat >"$P/pipelines/long.yml" <<EOF
schedule: "0 0 * * *"
start_date: 2026-01-01
catchup: false
steps:
  - name: slow
    shell: 'sleep 30 && echo "\$LDP_DS" >> $OUT/long.txt'
EOF
t0=$(date +%s)
"$LDP" scheduler --pipeline long --grace 25 >"$T/g.out" 2>&1 &
sched=$!
wait_for_step
kill -TERM "$sched"
sleep 0.5
kill -TERM "$sched"
rc=0
wait "$sched" || rc=$?
t1=$(date +%s)
r=$(runs_of long)
if [ "$rc" = 0 ] && [ $((t1 - t0)) -lt 15 ] && [ ! -e "$OUT/long.txt" ] && [ "$(echo "$r" | awk '{print $2}')" = interrupted ]; then
	ok "a second SIGTERM stops the running step at once; run interrupted"
else
	fail "second SIGTERM: exit $rc after $((t1 - t0)) s, runs [$r], log $(cat "$T/g.out")"
fi
rm -f "$P/pipelines/long.yml"

# ---- SIGHUP reads the configuration again ----
R="$T/r"
"$LDP" init "$R" >/dev/null
mkdir -p "$R/pipelines"
cat >"$R/pipelines/one.yml" <<EOF
schedule: "@daily"
start_date: 2026-01-01
catchup: false
steps:
  - name: log
    shell: 'echo "one \$LDP_DS" >> $OUT/reload.txt'
EOF
LDP_PROJECT="$R" "$LDP" scheduler --json >"$T/h.out" 2>&1 &
sched=$!
for _ in $(seq 100); do
	[ "$(lines "$OUT/reload.txt")" = 1 ] && break
	sleep 0.1
done
# only the echoed word: the project path itself may contain "one" (a checkout in .../clone/)
sed 's/"one /"two /' "$R/pipelines/one.yml" >"$R/pipelines/two.yml"
kill -HUP "$sched"
for _ in $(seq 100); do
	[ "$(lines "$OUT/reload.txt")" = 2 ] && break
	sleep 0.1
done
kill -TERM "$sched"
rc=0
wait "$sched" || rc=$?
if [ "$rc" = 0 ] && grep -q '"reloaded"' "$T/h.out" &&
	[ "$(cut -d' ' -f1 "$OUT/reload.txt" | sort | tr '\n' ' ')" = "one two " ]; then
	ok "SIGHUP: the new pipeline is scheduled, the old one not run again"
else
	fail "SIGHUP: exit $rc, reload.txt [$(cat "$OUT/reload.txt" 2>/dev/null)], log $(cat "$T/h.out")"
fi

# ---- bad input: nothing runs ----
Q="$T/q"
"$LDP" init "$Q" >/dev/null
mkdir -p "$Q/pipelines"
cat >"$Q/pipelines/good.yml" <<EOF
schedule: "@hourly"
start_date: 2026-11-25
steps:
  - name: log
    shell: 'echo ran >> $OUT/bad.txt'
EOF
cat >"$Q/pipelines/bad.yml" <<EOF
schedule: "0 25 * * *"
start_date: 2026-11-25
steps:
  - name: log
    shell: 'echo ran >> $OUT/bad.txt'
EOF
rc=0
LDP_PROJECT="$Q" "$LDP" scheduler --once --now 2026-11-25T05:00:00Z >"$T/b.out" 2>"$T/b.err" || rc=$?
if [ "$rc" = 1 ] && grep -q "hour field '25'" "$T/b.err" && grep -q "bad" "$T/b.err" && [ ! -e "$OUT/bad.txt" ]; then
	ok "invalid cron: exit 1 naming the pipeline and field, nothing ran"
else
	fail "invalid cron: exit $rc, $(cat "$T/b.err"), bad.txt exists: $([ -e "$OUT/bad.txt" ] && echo yes || echo no)"
fi
rm -f "$Q/pipelines/bad.yml"
cat >"$Q/pipelines/needs_env.yml" <<EOF
schedule: "@hourly"
start_date: 2026-11-25
steps:
  - name: log
    shell: 'echo "{{ env_var("LDP_SCHED_TEST_UNSET") }}" >> $OUT/bad.txt'
EOF
rc=0
LDP_PROJECT="$Q" "$LDP" scheduler --once --now 2026-11-25T05:00:00Z >"$T/e.out" 2>"$T/e.err" || rc=$?
if [ "$rc" = 1 ] && grep -q "LDP_SCHED_TEST_UNSET" "$T/e.err" && [ ! -e "$OUT/bad.txt" ]; then
	ok "a missing env var: exit 1 naming it, nothing ran"
else
	fail "missing env var: exit $rc, $(cat "$T/e.err"), bad.txt exists: $([ -e "$OUT/bad.txt" ] && echo yes || echo no)"
fi
rc=0
"$LDP" scheduler --once --pipeline nosuch >/dev/null 2>"$T/u.err" || rc=$?
[ "$rc" = 1 ] && grep -q "nosuch" "$T/u.err" || fail "unknown --pipeline: exit $rc, $(cat "$T/u.err")"
rc=0
"$LDP" scheduler --now 2026-11-25T05:00:00Z >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "--now without --once: exit $rc"
rc=0
"$LDP" scheduler --once --now yesterday >/dev/null 2>"$T/n.err" || rc=$?
[ "$rc" = 1 ] && grep -q "not a timestamp" "$T/n.err" || fail "bad --now: exit $rc, $(cat "$T/n.err")"

if [ "$fails" -gt 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "all scheduler checks passed"
