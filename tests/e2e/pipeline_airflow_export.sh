#!/usr/bin/env bash
# `ldp pipeline export --airflow`: export a project's pipelines and read the
# DAG files back with Python's own parser (ast; no Airflow needed): the DAG
# arguments, every task's command (Jinja escaping undone, then split like
# bash would), retries and timeouts, and the >> edges against depends_on.
# The project lives in a directory whose name has a quote, braces, a space
# and a non-ASCII letter, so the escaping is exercised end to end.
# tests/e2e-heavy/airflow_dagbag.sh loads the same kind of files into Airflow.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
T=$(mktemp -d "$LDP_TEST_TMP/airflow_export.XXXXXX")
trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/lib/checks.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 0; }

P="$T/it's {x} caf"$'\xc3\xa9'" proj"
"$LDP" init "$P" >/dev/null
cat >>"$P/ldp.yml" <<'EOF'
pipelines:
  daily:
    description: "Daily \"demo\" it's {{ not a template }}"
    schedule: "30 6 * * 1-5"
    timezone: Europe/Berlin
    start_date: 2024-03-01
    catchup: true
    max_active_steps: 3
    params: {region: "n'y\"c", n: 3, ratio: 0.5, flags: [true, null]}
    defaults: {retries: 2, retry_delay: 30s, retry_backoff: 2, max_retry_delay: 5m, timeout: 10m}
    steps:
      - name: load
        shell: "echo load {{ ds }}"
      - name: zones
        shell: "echo zones"
        retries: 0
        on_failure: continue
      - name: report
        sql: "select '{{ ds }}' as d"
        depends_on: [load, zones]
        timeout: 90s
      - name: final
        shell: "true"
        depends_on: report
        retry_backoff: 1
EOF
mkdir -p "$P/pipelines"
cat >"$P/pipelines/manual.yml" <<'EOF'
steps:
  - name: only
    shell: "true"
EOF
cd "$P"

# usage errors: exit 1, nothing written
run_capture "$LDP" pipeline export --airflow nope -o "$T/dags"
expect_eq "unknown pipeline exits 1" "$rc" 1
[[ "$err" == *"nope"* && "$err" == *daily* ]] && ok "unknown pipeline: message names it and the pipelines" ||
	fail "unknown pipeline message: $err"
run_capture "$LDP" pipeline export --airflow daily
expect_eq "missing -o exits 1" "$rc" 1
run_capture "$LDP" pipeline export --airflow daily -o "$T/dags" --project-dir relative/dir
expect_eq "relative --project-dir exits 1" "$rc" 1
[[ ! -e "$T/dags" ]] && ok "nothing written on errors" || fail "dags dir created on error"

for name in daily manual; do
	run_capture "$LDP" pipeline export --airflow "$name" -o "$T/dags"
	expect_eq "export $name" "$rc" 0
done
[[ -f "$T/dags/daily.py" && -f "$T/dags/manual.py" ]] && ok "one file per pipeline" || fail "files: $(ls "$T/dags")"
ls "$T/dags" | grep -q tmp && fail "a temporary file was left behind" || ok "no temporary files left"

# deterministic; an identical file is left alone; a different one needs --force
cp "$T/dags/daily.py" "$T/daily.first"
run_capture "$LDP" pipeline export --airflow daily -o "$T/dags"
expect_eq "re-export exits 0" "$rc" 0
[[ "$out" == unchanged* ]] && ok "re-export reports unchanged" || fail "re-export said: $out"
cmp -s "$T/dags/daily.py" "$T/daily.first" && ok "same input, same file" || fail "re-export changed the file"
"$LDP" pipeline export --airflow daily -o - >"$T/stdout.py"
cmp -s "$T/stdout.py" "$T/daily.first" && ok "-o - prints the same file" || fail "-o - differs"
echo "# edited by hand" >>"$T/dags/daily.py"
run_capture "$LDP" pipeline export --airflow daily -o "$T/dags"
expect_eq "a different existing file is refused" "$rc" 1
[[ "$err" == *--force* ]] && ok "refusal names --force" || fail "refusal message: $err"
tail -1 "$T/dags/daily.py" | grep -q "edited by hand" && ok "refused file untouched" || fail "refused file changed"
run_capture "$LDP" pipeline export --airflow daily -o "$T/dags" --force
expect_eq "--force replaces it" "$rc" 0
cmp -s "$T/dags/daily.py" "$T/daily.first" && ok "--force wrote the export" || fail "--force content differs"
"$LDP" pipeline export --airflow daily -o "$T/custom" --ldp-bin "/opt/my ldp/it's/ldp" --project-dir "/srv/{{ p }}.sh" >/dev/null

# read the files back with Python's parser
python3 - "$T/dags/daily.py" "$T/dags/manual.py" "$T/custom/daily.py" "$P" <<'PY' || fail "python checks"
import ast, datetime, shlex, sys

daily, manual, custom, project = sys.argv[1:5]
fails = 0
def check(what, got, want):
    global fails
    if got == want:
        print(f"ok: {what}")
    else:
        print(f"FAIL: {what}: got {got!r} want {want!r}", file=sys.stderr)
        fails += 1

def unjinja(s):
    # the export writes a literal '{' as {{ '{' }} and a few final characters as
    # expressions; anything else that looks like Jinja would be rendered by Airflow
    for expr, lit in (("{{ '{' }}", "\0"), ("{{ 'h' }}", "h"), ("{{ '\\n' }}", "\n"), ("{{ '\\r' }}", "\r")):
        s = s.replace(expr, lit)
    assert "{" not in s, f"unescaped Jinja in {s!r}"
    return s.replace("\0", "{")

def load(path):
    src = open(path, encoding="ascii").read()  # the export is pure ASCII
    tree = ast.parse(src, path)
    dag_call = next(n.items[0].context_expr for n in tree.body if isinstance(n, ast.With))
    dag = {k.arg: k.value for k in dag_call.keywords}
    env = next(n.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "LDP_ENV")
    tasks, var2id, edges = {}, {}, set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and getattr(n.value.func, "id", "") == "BashOperator":
            kw = {k.arg: k.value for k in n.value.keywords}
            tid = ast.literal_eval(kw["task_id"])
            var2id[n.targets[0].id] = tid
            tasks[tid] = kw
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.RShift):
            edges.add((n.left.id, n.right.id))
    edges = {(var2id[a], var2id[b]) for a, b in edges}
    return dag, ast.literal_eval(env), tasks, edges

def td(node):  # datetime.timedelta(seconds=N) -> N
    assert node.func.attr == "timedelta"
    return ast.literal_eval(node.keywords[0].value)

dag, env, tasks, edges = load(daily)
check("dag_id", ast.literal_eval(dag["dag_id"]), "daily")
check("description", ast.literal_eval(dag["description"]), "Daily \"demo\" it's {{ not a template }}")
check("schedule", ast.literal_eval(dag["schedule"]), "30 6 * * 1-5")
sd = dag["start_date"]
check("start_date", (ast.unparse(sd.func), [ast.literal_eval(a) for a in sd.args], ast.literal_eval(sd.keywords[0].value)),
      ("pendulum.datetime", [2024, 3, 1], "Europe/Berlin"))
check("catchup", ast.literal_eval(dag["catchup"]), True)
check("max_active_runs", ast.literal_eval(dag["max_active_runs"]), 1)
check("max_active_tasks", ast.literal_eval(dag["max_active_tasks"]), 3)
check("params", ast.literal_eval(dag["params"]), {"region": "n'y\"c", "n": 3, "ratio": 0.5, "flags": [True, None]})
check("LDP_PROJECT", unjinja(env["LDP_PROJECT"]), project)
check("task ids", sorted(tasks), ["final", "load", "report", "zones"])
check("edges", edges, {("load", "report"), ("zones", "report"), ("report", "final")})
for tid, kw in tasks.items():
    argv = shlex.split(unjinja(ast.literal_eval(kw["bash_command"])))
    check(f"{tid}: command", argv, ["ldp", "pipeline", "run", "daily", "--step", tid, "--date", "$LDP_AIRFLOW_DATE",
                                    "--run-id", "$LDP_AIRFLOW_RUN_ID"])
    check(f"{tid}: env", (ast.unparse(kw["env"]), ast.literal_eval(kw["append_env"])), ("LDP_ENV", True))
check("load retries", ast.literal_eval(tasks["load"]["retries"]), 2)
check("load retry_delay", td(tasks["load"]["retry_delay"]), 30)
check("load backoff", ast.literal_eval(tasks["load"]["retry_exponential_backoff"]), True)
check("load max_retry_delay", td(tasks["load"]["max_retry_delay"]), 300)
check("load timeout", td(tasks["load"]["execution_timeout"]), 600)
check("report timeout", td(tasks["report"]["execution_timeout"]), 90)
check("zones retries", ast.literal_eval(tasks["zones"]["retries"]), 0)
check("final backoff 1 = constant", ast.literal_eval(tasks["final"]["retry_exponential_backoff"]), False)
check("stop steps get the stop callback", sorted(t for t, kw in tasks.items() if "on_failure_callback" in kw),
      ["final", "load", "report"])

dag, env, tasks, edges = load(manual)
check("manual: schedule None", ast.literal_eval(dag["schedule"]), None)
check("manual: catchup off without start_date", ast.literal_eval(dag["catchup"]), False)
check("manual: one task, no edges", (sorted(tasks), edges), (["only"], set()))

dag, env, tasks, edges = load(custom)
check("custom project dir", unjinja(env["LDP_PROJECT"]), "/srv/{{ p }}.sh")
check("custom project dir not a template file name", env["LDP_PROJECT"].endswith(".sh"), False)
check("custom ldp bin", shlex.split(unjinja(ast.literal_eval(tasks["load"]["bash_command"])))[0], "/opt/my ldp/it's/ldp")
sys.exit(1 if fails else 0)
PY
finish pipeline_airflow_export
