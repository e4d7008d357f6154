#!/usr/bin/env bash
# The S3 client against a real S3-compatible server with authentication on
# (moto, tests/s3_server.sh), through `ldp s3`: listing across pages, a large
# object streamed both ways (multipart upload), keys that need encoding,
# wrong credentials, a missing bucket, a missing object, an unreachable endpoint.
set -euo pipefail
: "${LDP:?}" "${LDP_TEST_TMP:?}" "${LDP_SOURCE_DIR:?}"
source "$LDP_SOURCE_DIR/tests/s3_server.sh"
s3_server_start

T="$LDP_TEST_TMP/e2e-s3-client"
rm -rf "$T"
mkdir -p "$T"
cd "$T"
unset LDP_PROJECT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

"$LDP" s3 mb s3://pages

# 25 objects listed 7 per page: 4 pages, every key once, in order. The
# objects are put with the reference client (boto3), independent of ldp's.
"$S3_PY" - "$S3_ENDPOINT" <<'EOF'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
for i in range(25):
    s3.put_object(Bucket="pages", Key="p/k%02d.txt" % i, Body=b"x" * i)
s3.put_object(Bucket="pages", Key="other/x", Body=b"y")
EOF
"$LDP" s3 ls s3://pages/p/ --page-size 7 >ls.txt
[ "$(wc -l <ls.txt)" -eq 25 ] || fail "expected 25 keys, got: $(cat ls.txt)"
awk '{print $2}' ls.txt >keys.txt
for i in $(seq 0 24); do printf 'p/k%02d.txt\n' "$i"; done >want.txt
cmp -s keys.txt want.txt || fail "listing across pages differs: $(diff want.txt keys.txt)"
# sizes come through as listed
[ "$(awk '$2=="p/k24.txt"{print $1}' ls.txt)" = 24 ] || fail "size of p/k24.txt"
# no prefix: everything
[ "$(wc -l < <("$LDP" s3 ls s3://pages --page-size 1000))" -eq 26 ] || fail "full listing"

# --delimiter: "folders" as PRE lines; --start-after skips ahead (the
# listing a NEAR Lake reader needs: heights from a given block on)
"$LDP" s3 ls s3://pages --delimiter / >delim.txt
[ "$(awk '{print $1, $2}' delim.txt | sort | tr '\n' ' ')" = "PRE other/ PRE p/ " ] || fail "delimiter listing: $(cat delim.txt)"
"$LDP" s3 ls s3://pages/p/ --start-after p/k20.txt --page-size 2 >after.txt
[ "$(awk '{print $2}' after.txt | tr '\n' ' ')" = "p/k21.txt p/k22.txt p/k23.txt p/k24.txt " ] || fail "start-after: $(cat after.txt)"

# A 40 MiB object: uploaded by ldp in 3 parts (16 MiB parts), read back by
# boto3 and by ldp, compared byte for byte.
"$S3_PY" -c "import os,sys; sys.stdout.buffer.write(os.urandom(40*1024*1024+123))" >big.bin
"$LDP" s3 cp big.bin s3://pages/big/big.bin
"$S3_PY" - "$S3_ENDPOINT" <<'EOF' >etag.txt
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
h = s3.head_object(Bucket="pages", Key="big/big.bin")
print(h["ETag"], h["ContentLength"])
s3.download_file("pages", "big/big.bin", "big.boto")
EOF
grep -q -- '-3" 41943163$' etag.txt || fail "expected a 3-part multipart upload of 41943163 bytes, got $(cat etag.txt)"
cmp big.bin big.boto || fail "boto3 reads different bytes than ldp uploaded"
"$LDP" s3 cp s3://pages/big/big.bin big.back
cmp big.bin big.back || fail "download differs"
ls big.back.part-* 2>/dev/null && fail "temporary download file left behind"

# keys that need URI encoding, both directions
echo "odd" >odd.txt
key='dir with space/a+b&c=d%e~f(1).txt'
"$LDP" s3 cp odd.txt "s3://pages/$key"
"$S3_PY" -c "
import sys, boto3
s3 = boto3.client('s3', endpoint_url='$S3_ENDPOINT', region_name='us-east-1')
assert s3.get_object(Bucket='pages', Key=sys.argv[1])['Body'].read() == b'odd\n'
" "$key"
"$LDP" s3 cp "s3://pages/$key" odd.back
cmp odd.txt odd.back
"$LDP" s3 rm "s3://pages/$key"
"$LDP" s3 ls "s3://pages/dir with space/" | grep -q . && fail "rm left the object"

# exclusive create: the first wins, the second is refused and changes nothing
echo first >first.txt
echo second >second.txt
"$LDP" s3 cp --if-absent first.txt s3://pages/excl.txt
"$LDP" s3 cp --if-absent second.txt s3://pages/excl.txt 2>err.txt && fail "if-absent overwrote"
grep -q "already exists" err.txt || fail "if-absent message: $(cat err.txt)"
"$LDP" s3 cp s3://pages/excl.txt excl.back
cmp first.txt excl.back || fail "the exclusive object changed"
"$LDP" s3 rm s3://pages/excl.txt

# wrong secret: 403 with the S3 error code, exit 1, no secret in the message
if AWS_SECRET_ACCESS_KEY=not-the-secret "$LDP" s3 ls s3://pages 2>err.txt; then fail "wrong secret accepted"; else rc=$?; fi
[ "$rc" -eq 1 ] || fail "wrong secret: exit $rc, want 1"
grep -q "HTTP 403 SignatureDoesNotMatch" err.txt || fail "wrong secret message: $(cat err.txt)"
grep -q "not-the-secret" err.txt && fail "the secret appears in the message"
# unknown key id
AWS_ACCESS_KEY_ID=AKIAUNKNOWN0000000 "$LDP" s3 ls s3://pages 2>err.txt && fail "unknown key accepted"
grep -q "HTTP 403 InvalidAccessKeyId" err.txt || fail "unknown key message: $(cat err.txt)"
# no credentials at all: anonymous requests are refused by this server
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$LDP" s3 ls s3://pages 2>err.txt && fail "anonymous accepted"
grep -q "credentials: none" err.txt || fail "anonymous message: $(cat err.txt)"
# credentials from a profile in a shared credentials file work
printf '[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >creds
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_SHARED_CREDENTIALS_FILE="$T/creds" AWS_PROFILE=ci \
	"$LDP" s3 ls s3://pages/other/ | grep -q "other/x" || fail "profile credentials"

# missing bucket and missing object
"$LDP" s3 ls s3://no-such-bucket 2>err.txt && fail "missing bucket listed"
grep -q "HTTP 404 NoSuchBucket" err.txt || fail "missing bucket message: $(cat err.txt)"
"$LDP" s3 cp s3://pages/nope.txt nope.txt 2>err.txt && fail "missing object downloaded"
grep -q "HTTP 404" err.txt || fail "missing object message: $(cat err.txt)"
[ ! -e nope.txt ] || fail "a failed download left a file"

# nothing listens: a clear error naming the endpoint
AWS_ENDPOINT_URL=http://127.0.0.1:1 "$LDP" s3 ls s3://pages 2>err.txt && fail "dead endpoint"
grep -q "127.0.0.1:1" err.txt || fail "dead endpoint message: $(cat err.txt)"
echo "s3 client: ok"
