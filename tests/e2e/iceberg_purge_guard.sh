#!/usr/bin/env bash
# drop --purge deletes a table's own directory, and refuses locations that are
# not a table directory (a registered table's metadata can name any location).
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}"
dir=$LDP_TEST_TMP/purge-guard
rm -rf "$dir"
"$LDP" init "$dir" >/dev/null
cd "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$LDP" namespace create p >/dev/null
"$LDP" table create p.t --as "select range as id from range(3)" >/dev/null
meta=$(ls warehouse/p/t/metadata/*.metadata.json | tail -1)
for bad in / "$dir" "$dir/warehouse"; do
	python3 -c "import json,sys; m=json.load(open(sys.argv[1])); m['location']=sys.argv[2]; json.dump(m, open(sys.argv[3],'w'))" \
		"$meta" "$bad" "$dir/00009-moved.metadata.json"
	"$LDP" table register p.moved "$dir/00009-moved.metadata.json" >/dev/null
	if err=$("$LDP" table drop p.moved --purge 2>&1); then fail "purge of location $bad was allowed"; fi
	echo "$err" | grep -q "refusing to purge" || fail "unclear refusal: $err"
	"$LDP" table list p --json | grep -q '"moved"' || fail "refused purge still dropped the entry"
	"$LDP" table drop p.moved >/dev/null
done
[ -d "$dir/warehouse/p/t" ] || fail "a refused purge removed files"
"$LDP" table drop p.t --purge >/dev/null
[ ! -e "$dir/warehouse/p/t" ] || fail "purge left the table directory"
echo "purge guard: ok"
