#!/usr/bin/env bash
# End-to-end tests of `ldp pipeline list|show|validate` on a small project with
# pipelines in ldp.yml and pipelines/*.yml: text and --json output (parsed with
# python3), rendered step commands for a date, and bad configs failing with
# exit 1 and the file:line. Expected values are written by hand.
set -euo pipefail

: "${LDP:?LDP must name the ldp binary}"
: "${LDP_TEST_TMP:?}"

T="$LDP_TEST_TMP/e2e-pipeline-config"
rm -rf "$T"
mkdir -p "$T/p/pipelines"
cd "$T/p"

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
expect_eq() { if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1: got [$2] want [$3]"; fi; }
expect_in() { if [[ "$2" == *"$3"* ]]; then ok "$1"; else fail "$1: [$2] lacks [$3]"; fi; }
run_capture() {
	set +e
	out=$("$@" 2>"$T/stderr")
	rc=$?
	set -e
	err=$(cat "$T/stderr")
}
py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

cat >ldp.yml <<'EOF'
name: pc
warehouse: warehouse
pipelines:
  daily:
    description: Daily taxi
    schedule: "0 6 * * *"
    timezone: America/New_York
    params: {region: eu}
    steps:
      - name: trips
        ingest: {source: "data/trips_{{ ds_nodash }}.parquet", table: nyc.trips, mode: append}
      - name: report
        shell: "echo '{{ ds }} {{ params.region }}' > out.txt"
        depends_on: [models]
      - name: models
        transform: {select: ["+daily"], vars: {day: "{{ ds }}"}}
        depends_on: trips
        retries: 2
        timeout: 10m
EOF
cat >pipelines/hourly.yml <<'EOF'
description: Hourly export
schedule: "@hourly"
notify: {on_failure: {webhook_env: LDP_E2E_HOOK}}
steps:
  - name: out
    export: {table: nyc.trips, target: "out/{{ ts_nodash }}.csv", force: true}
EOF

# list
run_capture "$LDP" pipeline list
expect_eq "list exit" "$rc" 0
expect_in "list header" "$out" "NAME"
expect_in "list daily" "$(grep daily <<<"$out" | tr -s " ")" "daily 0 6 * * * America/New_York 3 Daily taxi"
expect_in "list hourly" "$(grep hourly <<<"$out")" "Hourly export"
run_capture "$LDP" pipeline list --json
expect_eq "list --json exit" "$rc" 0
expect_eq "list --json names" "$(py 'print(",".join(p["name"] for p in d))' <<<"$out")" "daily,hourly"
expect_eq "list --json fields" "$(py 'p=d[0]; print(p["schedule"], p["timezone"], p["steps"], p["description"])' <<<"$out")" \
	"0 6 * * * America/New_York 3 Daily taxi"
expect_eq "list --json file" "$(py 'print(d[1]["file"].endswith("/pipelines/hourly.yml"))' <<<"$out")" "True"

# show: run order puts models before report, whatever the declaration order
run_capture "$LDP" pipeline show daily
expect_eq "show exit" "$rc" 0
expect_eq "show order" "$(grep -E '^  [0-9]\.' <<<"$out" | awk '{print $2}' | tr '\n' ' ')" "trips models report "
expect_in "show retries" "$out" "retries: 2 (delay 10s, backoff x2), timeout: 10m, on_failure: stop"
# 06:00 in New York on 2023-01-01 (EST, UTC-5) is 11:00Z
run_capture "$LDP" pipeline show daily --date 2023-01-01T06:00 --json
expect_eq "show --json exit" "$rc" 0
expect_eq "show --json dates" "$(py 'print(d["logical_date"], d["data_interval_end"])' <<<"$out")" \
	"2023-01-01T06:00:00-05:00 2023-01-02T06:00:00-05:00"
expect_eq "show --json order" "$(py 'print([s["name"] for s in d["steps"]])' <<<"$out")" "['trips', 'models', 'report']"
expect_eq "show --json ingest argv" "$(py 'print(d["steps"][0]["command"][1:])' <<<"$out")" \
	"['ingest', 'data/trips_20230101.parquet', 'nyc.trips', '--mode', 'append']"
expect_eq "show --json transform argv" "$(py 'print(d["steps"][1]["command"][1:])' <<<"$out")" \
	"['transform', 'build', '--select', '+daily', '--vars', '{\"day\":\"2023-01-01\"}']"
expect_eq "show --json shell argv" "$(py 'print(d["steps"][2]["command"])' <<<"$out")" \
	"['/bin/sh', '-c', \"echo '2023-01-01 eu' > out.txt\"]"
expect_eq "show --json step fields" "$(py 's=d["steps"][1]; print(s["kind"], s["depends_on"], s["retries"], s["timeout_s"], s["on_failure"])' <<<"$out")" \
	"transform ['trips'] 2 600.0 stop"
# the text form shell-quotes each command so it can be pasted
run_capture "$LDP" pipeline show daily --date 2023-01-01T06:00
expect_in "show text command" "$out" "\$ ldp transform build --select +daily --vars '{\"day\":\"2023-01-01\"}'"
expect_in "show text shell" "$out" "\$ /bin/sh -c 'echo '\\''2023-01-01 eu'\\'' > out.txt'"
run_capture "$LDP" pipeline show hourly --date 2023-01-01T05:00:00Z --json
expect_eq "show hourly export argv" "$(py 'print(d["steps"][0]["command"][1:])' <<<"$out")" \
	"['export', 'nyc.trips', 'out/20230101T050000.csv', '--force']"
run_capture "$LDP" pipeline show dayly
expect_eq "show unknown exit" "$rc" 1
expect_in "show unknown message" "$err" "did you mean 'daily'"
run_capture "$LDP" pipeline show daily --date 2023-02-30
expect_eq "show bad date exit" "$rc" 1

# help: each subcommand's own
run_capture "$LDP" pipeline run --help
expect_eq "run --help exit" "$rc" 0
expect_in "run --help is run's" "$out" "usage: ldp pipeline run NAME"
run_capture "$LDP" pipeline show --help
expect_in "show --help" "$out" "ldp pipeline validate"
run_capture "$LDP" pipeline export --help
expect_in "export --help is export's" "$out" "usage: ldp pipeline export --airflow"

# validate checks the environment; list/show do not need it
unset LDP_E2E_HOOK || true
run_capture "$LDP" pipeline validate
expect_eq "validate without hook exit" "$rc" 1
expect_in "validate without hook message" "$err" "LDP_E2E_HOOK"
run_capture env LDP_E2E_HOOK=https://hooks.example/x "$LDP" pipeline validate
expect_eq "validate exit" "$rc" 0
expect_eq "validate output" "$out" "ok: 2 pipelines valid"
run_capture "$LDP" pipeline validate daily
expect_eq "validate one exit" "$rc" 0

# bad configs: exit 1, the file and line, nothing else printed on stdout
bad() { # NAME FILE-CONTENT EXPECTED...
	local name=$1 text=$2
	shift 2
	mkdir -p "$T/bad-$name/pipelines"
	printf 'name: b\nwarehouse: w\n' >"$T/bad-$name/ldp.yml"
	printf '%s' "$text" >"$T/bad-$name/pipelines/x.yml"
	(cd "$T/bad-$name" && run_capture "$LDP" pipeline list && printf '%s\n%s\n%s' "$rc" "$out" "$err" >"$T/result")
	local r
	r=$(cat "$T/result")
	expect_eq "$name exit" "$(head -1 <<<"$r")" 1
	for want in "$@"; do expect_in "$name message" "$r" "$want"; done
}
bad cycle $'steps:\n  - {name: a, shell: x, depends_on: b}\n  - {name: b, shell: y, depends_on: [a]}\n' \
	"pipelines/x.yml:2:" "cycle: a -> b -> a"
bad unknown-step $'steps:\n  - name: a\n    shell: x\n    depends_on: [nope]\n' "pipelines/x.yml:4:" "step 'a'" "'nope'"
bad cron $'schedule: "0 6 * * mon-funday"\nsteps: [{name: a, shell: x}]\n' "pipelines/x.yml:1:" "schedule"
bad tz $'timezone: Europe/Atlantis\nsteps: [{name: a, shell: x}]\n' "pipelines/x.yml:1:" "unknown time zone"
bad key $'steps:\n  - name: a\n    shell: x\n    retires: 2\n' "pipelines/x.yml:4:" "did you mean 'retries'"
bad kind $'steps:\n  - name: a\n    retries: 2\n' "pipelines/x.yml:2:" "no kind"
bad yaml $'steps: [\n' "x.yml" "invalid YAML"

if ((fails)); then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "all pipeline config e2e checks passed"
