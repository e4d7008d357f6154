#!/usr/bin/env bash
# Parity with dbt: the jaffle fixture project (tests/fixtures/dbt/jaffle) runs
# unmodified under dbt-duckdb and under `ldp transform build`; both must report
# the same PASS/WARN/ERROR/SKIP (the failing test and what it skips included) and produce the same rows in every model
# and seed. dbt-duckdb is installed into build/_deps/dbt-venv (cached) by
# scripts/dbt_venv.sh. Run by hand:
#   LDP=build/debug/bin/ldp bash tests/e2e-heavy/transform_dbt_parity.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
LDP=${LDP:-$here/build/debug/bin/ldp}
LDP=$(cd "$(dirname "$LDP")" && pwd)/$(basename "$LDP")
DBT=$("$here/scripts/dbt_venv.sh" "$here/build/_deps/dbt-venv")
PY=$(dirname "$DBT")/python
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp -r "$here/tests/fixtures/dbt/jaffle" "$T/ldp"
cp -r "$here/tests/fixtures/dbt/jaffle" "$T/dbt"
mkdir "$T/dbt/dp"
printf 'jaffle:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: %s/dbt/j.duckdb\n      schema: analytics\n      threads: 2\n' "$T" >"$T/dbt/dp/profiles.yml"

"$LDP" init "$T/ldp" >/dev/null
# the source table landing.customer_regions in both warehouses
REGIONS="select * from (values (1, 'north'), (2, 'south'), (3, 'north'), (4, 'east'), (5, 'west')) t(customer_id, region)"
(cd "$T/ldp" && "$LDP" namespace create landing && "$LDP" table create landing.customer_regions --as "$REGIONS") >/dev/null
"$PY" -c "import duckdb, sys; c = duckdb.connect(sys.argv[1]); c.execute('create schema landing'); c.execute('create table landing.customer_regions as ' + sys.argv[2])" "$T/dbt/j.duckdb" "$REGIONS"
set +e
(cd "$T/ldp" && "$LDP" transform build) >"$T/ldp.out" 2>&1
(cd "$T/dbt" && DBT_SEND_ANONYMOUS_USAGE_STATS=false "$DBT" build --profiles-dir dp --no-use-colors) >"$T/dbt.out" 2>&1
(cd "$T/ldp" && "$LDP" transform run -s customers) >>"$T/ldp.out" 2>&1
(cd "$T/dbt" && DBT_SEND_ANONYMOUS_USAGE_STATS=false "$DBT" run -s customers --profiles-dir dp --no-use-colors) >>"$T/dbt.out" 2>&1
set -e
fails=0
# the build (with its failing test and what that skips) and the run of customers
summary() { grep -o 'PASS=[0-9]* WARN=[0-9]* ERROR=[0-9]* SKIP=[0-9]*' "$1" | tr '\n' ' '; }
if [[ "$(summary "$T/ldp.out")" == "$(summary "$T/dbt.out")" ]]; then
	echo "ok: same summary: $(summary "$T/ldp.out")"
else
	echo "FAIL: summaries differ: ldp [$(summary "$T/ldp.out")] dbt [$(summary "$T/dbt.out")]" >&2
	fails=1
fi
for rel in analytics_raw.raw_customers analytics_raw.raw_orders analytics_raw.raw_payments analytics.stg_customers \
	analytics.stg_orders analytics.stg_payments analytics.orders analytics.customers analytics.order_status_log; do
	ours=$(cd "$T/ldp" && "$LDP" sql --format csv --no-header "select * from $rel order by all")
	theirs=$("$PY" -c "
import duckdb, sys
c = duckdb.connect(sys.argv[1], read_only=True)
for r in c.execute('select * from ' + sys.argv[2] + ' order by all').fetchall():
    print(','.join('' if v is None else ('true' if v is True else 'false' if v is False else str(v)) for v in r))
" "$T/dbt/j.duckdb" "$rel")
	if [[ "$ours" == "$theirs" ]]; then echo "ok: $rel"; else echo "FAIL: $rel differs"$'\n'"ldp:"$'\n'"$ours"$'\n'"dbt:"$'\n'"$theirs" >&2; fails=1; fi
done
exit $fails
