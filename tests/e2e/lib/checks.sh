# Helpers for the ingest end-to-end tests (sourced, not run: tests/e2e/*.sh are
# the tests). The caller sets T (its scratch directory) before using them.
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
# expect_eq NAME GOT WANT
expect_eq() {
	if [[ "$2" == "$3" ]]; then ok "$1"; else fail "$1: got [$2] want [$3]"; fi
}
# one value (or a CSV row) of a query, through the current project
q() { "$LDP" sql --format csv --no-header "$1"; }
# run_capture CMD...: sets $out, $err, $rc without tripping set -e
run_capture() {
	set +e
	out=$("$@" 2>"$T/stderr")
	rc=$?
	set -e
	err=$(cat "$T/stderr")
}
# finish NAME: the exit status of the test
finish() {
	if ((fails)); then
		echo "$fails check(s) failed" >&2
		exit 1
	fi
	echo "all $1 checks passed"
}
