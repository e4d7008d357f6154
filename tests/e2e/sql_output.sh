#!/usr/bin/env bash
# ldp sql output: --thousands, --format line/markdown/tsv/ndjson, --max-rows,
# and tables cut to the terminal's width (under a pseudo-terminal of 40 columns).
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$LDP_TEST_TMP/sql-output" && cd "$LDP_TEST_TMP/sql-output"
export LDP_PROJECT=/nonexistent
s() { "$LDP" sql "$@"; }
[ "$(s --format line --thousands "select 1234567 as n, 'a' as s, -9876543.25 as d")" = "$(printf 'n = 1,234,567\ns = a\nd = -9,876,543.25')" ] || fail "line + thousands"
[ "$(s --format line "select 1 as a union all select 2 order by 1")" = "$(printf 'a = 1\n\na = 2')" ] || fail "line rows"
[ "$(s --format markdown --thousands "select 1000 as n, 'x|y' as s")" = "$(printf '| n | s |\n| ---: | --- |\n| 1,000 | x\\|y |')" ] || fail "markdown"
[ "$(s --format csv --thousands "select 1000 as n")" = "$(printf 'n\n1000')" ] || fail "csv keeps plain numbers"
[ "$(s --format tsv "select 'a b' as x, 2 as y")" = "$(printf 'x\ty\na b\t2')" ] || fail "tsv"
[ "$(s --format ndjson --max-rows 2 "select range as i from range(5)")" = "$(printf '{"i":0}\n{"i":1}')" ] || fail "ndjson --max-rows"
s --format table --max-rows 3 "select range as i from range(10)" | grep -q "10 rows (3 shown" || fail "table --max-rows"
# a 40-column terminal: every line of the table fits, the wide value is cut with an ellipsis
python3 - "$LDP" <<'PY' || fail "terminal width"
import fcntl, os, pty, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:  # size the terminal before ldp starts
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 40, 0, 0))
    os.execv(sys.argv[1], [sys.argv[1], "sql", "select repeat('x', 100) as wide, 'short' as s, 1 as n"])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
lines = [l for l in out.decode().splitlines() if l.startswith(("│", "┌", "└", "├"))]
assert lines and all(len(l) <= 40 for l in lines), lines
assert any("…" in l and "short" in l for l in lines), lines
PY
echo "sql output: ok"
