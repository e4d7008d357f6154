#!/usr/bin/env bash
# ldp shell: interactive use under a pseudo-terminal (shell_pty.py), and
# standard input from a pipe running as a script (like ldp sql -f -).
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
here=$(cd "$(dirname "$0")" && pwd)
dir=$LDP_TEST_TMP/shell
rm -rf "$dir"
"$LDP" init "$dir" >/dev/null
cd "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$LDP" sql -q "create schema shop; create table shop.orders_long (id bigint, amount double);
insert into shop.orders_long values (1, 1.5), (2, 2), (3, 3)"

# a script through a pipe: several statements, each write its own commit
out=$(printf "create table shop.p as select 1 as x;\ninsert into shop.p values (2);\nselect sum(x) from shop.p;\n" | "$LDP" shell 2>/dev/null)
[ "$out" = "$(printf 'sum(x)\n3')" ] || fail "piped script: $out"
# the same error handling as ldp sql -f -: the failing statement is named, exit 1
if err=$(printf "select 1;\nselect * from shop.nope;\n" | "$LDP" shell 2>&1 >/dev/null); then fail "piped error exit 0"; fi
echo "$err" | grep -q "statement 2 (line 2)" || fail "piped error message: $err"

python3 "$here/shell_pty.py" "$LDP"
echo "shell: ok"
