/*
 * Tests of the parts of the S3 client that need no server (src/io/s3_*.c):
 * URIs, the AWS config/credentials file format and the precedence of
 * environment, files and ldp.yml settings, the minimal XML reader on
 * responses shaped like the S3 API reference's examples, and key globs.
 * Requests against a real server are tested end to end (tests/e2e/s3_*.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/s3.h"
#include "io/s3_fetch.h"
#include "ldp/error.h"

static void test_uri(void **state)
{
	(void)state;
	char *b, *k;
	assert_int_equal(ldp_s3_uri_parse("s3://bkt/a/b/c.parquet", &b, &k), 0);
	assert_string_equal(b, "bkt");
	assert_string_equal(k, "a/b/c.parquet");
	free(b), free(k);
	assert_int_equal(ldp_s3_uri_parse("s3a://my.bucket", &b, &k), 0);
	assert_string_equal(b, "my.bucket");
	assert_string_equal(k, "");
	free(b), free(k);
	assert_int_equal(ldp_s3_uri_parse("s3://bkt/", &b, &k), 0);
	assert_string_equal(k, "");
	free(b), free(k);
	assert_int_equal(ldp_s3_uri_parse("s3:///key", &b, &k), LDP_EINVALID);
	assert_null(b);
	assert_non_null(strstr(ldp_error_last()->message, "no bucket"));
	assert_int_equal(ldp_s3_uri_parse("s3://b?x/k", &b, &k), LDP_EINVALID);
	assert_int_equal(ldp_s3_uri_parse("/local/path", &b, &k), LDP_EINVALID);
	assert_int_equal(ldp_s3_uri_parse("http://x/y", &b, &k), LDP_EINVALID);
	assert_true(ldp_s3_is_uri("s3://x"));
	assert_true(ldp_s3_is_uri("s3n://x"));
	assert_false(ldp_s3_is_uri("S3://x"));
	assert_false(ldp_s3_is_uri("file:///x"));
}

static const char *INI = "# comment\n"
			 "[default]\n"
			 "aws_access_key_id = AKIDDEFAULT\n"
			 "aws_secret_access_key=secretdefault  \n"
			 "region = eu-west-1\n"
			 "s3 =\n"
			 "    endpoint_url = http://nested.invalid\n"
			 "\n"
			 "[profile  dev]\n"
			 "; other comment\n"
			 "region = us-west-2\n"
			 "endpoint_url = http://127.0.0.1:9000\n"
			 "[dev]\n"
			 "region = not-this-one\n";

static void test_ini(void **state)
{
	(void)state;
	char *v;
	assert_int_equal(ldp_ini_get(INI, "default", "aws_access_key_id", &v), 0);
	assert_string_equal(v, "AKIDDEFAULT");
	free(v);
	assert_int_equal(ldp_ini_get(INI, "default", "aws_secret_access_key", &v), 0);
	assert_string_equal(v, "secretdefault");
	free(v);
	/* the nested s3 block's endpoint_url is not the profile's */
	assert_int_equal(ldp_ini_get(INI, "default", "endpoint_url", &v), 0);
	assert_null(v);
	/* "[profile  dev]" with two spaces is the profile dev of the config file */
	assert_int_equal(ldp_ini_get(INI, "profile dev", "region", &v), 0);
	assert_string_equal(v, "us-west-2");
	free(v);
	/* credentials files name sections without "profile " */
	assert_int_equal(ldp_ini_get(INI, "dev", "region", &v), 0);
	assert_string_equal(v, "not-this-one");
	free(v);
	assert_int_equal(ldp_ini_get(INI, "missing", "region", &v), 0);
	assert_null(v);
	assert_int_equal(ldp_ini_get("", "default", "region", &v), 0);
	assert_null(v);
}

static char tmpdir[512];

static void write_file(const char *name, const char *text, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void clear_env(void)
{
	const char *vars[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
			      "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "LDP_S3_PATH_STYLE",
			      "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
}

static void test_config_precedence(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/test_s3_%d", LDP_TEST_TMP, (int)getpid());
	char cmd[600];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	char cred[600], conf[600];
	write_file("credentials",
		   "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = secretfile\n"
		   "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = secretdev\naws_session_token = tok\n",
		   cred, sizeof cred);
	write_file("config", "[default]\nregion = eu-central-1\n[profile dev]\nregion = ap-south-1\nendpoint_url = http://127.0.0.1:9000/\n"
			     "[profile conly]\naws_access_key_id = AKIDCONF\naws_secret_access_key = secretconf\n",
		   conf, sizeof conf);
	clear_env();
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
	setenv("AWS_CONFIG_FILE", conf, 1);

	/* files, default profile: AWS endpoint of the config's region, virtual hosts */
	ldp_s3_config c;
	assert_int_equal(ldp_s3_config_resolve(NULL, &c), 0);
	assert_string_equal(c.access_key, "AKIDFILE");
	assert_string_equal(c.secret_key, "secretfile");
	assert_null(c.session_token);
	assert_string_equal(c.region, "eu-central-1");
	assert_string_equal(c.endpoint, "https://s3.eu-central-1.amazonaws.com");
	assert_int_equal(c.path_style, 0);
	assert_non_null(strstr(c.credential_source, "credentials [default]"));
	/* the secret never appears in the description */
	assert_null(strstr(c.credential_source, "secret"));
	ldp_s3_config_clear(&c);

	/* AWS_PROFILE=dev: token from credentials, region and endpoint from config */
	setenv("AWS_PROFILE", "dev", 1);
	assert_int_equal(ldp_s3_config_resolve(NULL, &c), 0);
	assert_string_equal(c.access_key, "AKIDDEV");
	assert_string_equal(c.session_token, "tok");
	assert_string_equal(c.region, "ap-south-1");
	assert_string_equal(c.endpoint, "http://127.0.0.1:9000"); /* trailing '/' dropped */
	assert_int_equal(c.path_style, 1);                       /* custom endpoint */
	ldp_s3_config_clear(&c);

	/* a profile whose keys are in the config file only */
	ldp_s3_settings s = {NULL, NULL, "conly", -1};
	assert_int_equal(ldp_s3_config_resolve(&s, &c), 0);
	assert_string_equal(c.access_key, "AKIDCONF");
	assert_string_equal(c.region, "us-east-1"); /* nothing set anywhere */
	ldp_s3_config_clear(&c);

	/* ldp.yml settings beat the files; the environment beats ldp.yml */
	ldp_s3_settings y = {"minio.local:9000", "us-west-1", NULL, 0};
	assert_int_equal(ldp_s3_config_resolve(&y, &c), 0);
	assert_string_equal(c.region, "us-west-1");
	assert_string_equal(c.endpoint, "https://minio.local:9000");
	assert_int_equal(c.path_style, 0); /* explicitly off */
	ldp_s3_config_clear(&c);
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secretenv", 1);
	setenv("AWS_REGION", "sa-east-1", 1);
	setenv("AWS_ENDPOINT_URL", "http://generic:1", 1);
	setenv("AWS_ENDPOINT_URL_S3", "http://s3specific:2", 1);
	assert_int_equal(ldp_s3_config_resolve(&y, &c), 0);
	assert_string_equal(c.access_key, "AKIDENV");
	assert_null(c.session_token); /* not mixed with the profile's token */
	assert_string_equal(c.region, "sa-east-1");
	assert_string_equal(c.endpoint, "http://s3specific:2");
	ldp_s3_config_clear(&c);

	/* only half of the env pair: the files are used, not a mixed pair */
	unsetenv("AWS_SECRET_ACCESS_KEY");
	assert_int_equal(ldp_s3_config_resolve(NULL, &c), 0);
	assert_string_equal(c.access_key, "AKIDDEV");
	ldp_s3_config_clear(&c);

	setenv("LDP_S3_PATH_STYLE", "maybe", 1);
	assert_int_equal(ldp_s3_config_resolve(NULL, &c), LDP_EINVALID);
	assert_non_null(strstr(ldp_error_last()->message, "LDP_S3_PATH_STYLE"));
	setenv("LDP_S3_PATH_STYLE", "false", 1);
	assert_int_equal(ldp_s3_config_resolve(NULL, &c), 0);
	assert_int_equal(c.path_style, 0);
	ldp_s3_config_clear(&c);

	/* no files, no env: anonymous */
	clear_env();
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	assert_int_equal(ldp_s3_config_resolve(NULL, &c), 0);
	assert_null(c.access_key);
	assert_string_equal(c.endpoint, "https://s3.us-east-1.amazonaws.com");
	ldp_s3_config_clear(&c);
	setenv("AWS_ENDPOINT_URL", "ftp://x", 1);
	assert_int_equal(ldp_s3_config_resolve(NULL, &c), LDP_EINVALID);
	clear_env();
}

/* Shaped like the ListObjectsV2 response example of the S3 API reference,
 * with keys that need escaping. */
static const char *PAGE1 =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2012-10-17/\">\n"
	"  <Name>bucket</Name><Prefix/><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>\n"
	"  <IsTruncated>true</IsTruncated>\n"
	"  <Contents><Key>a/b&amp;c &lt;1&gt;.csv</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
	"<ETag>&quot;599bab3ed2c697f1d26842727561fd94&quot;</ETag><Size>142863</Size><StorageClass>STANDARD</StorageClass></Contents>\n"
	"  <Contents><Key>caf&#233;/&#x1F600;.json</Key><ETag>\"e1\"</ETag><Size>0</Size></Contents>\n"
	"  <Contents>\n    <Key>z.parquet</Key>\n    <Size>9007199254740993</Size>\n  </Contents>\n"
	"  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>\n"
	"</ListBucketResult>";

static const char *PAGE2 = "<ListBucketResult><IsTruncated>false</IsTruncated>"
			   "<Contents><Key>zz</Key><Size>7</Size></Contents></ListBucketResult>";

static void test_list_pages(void **state)
{
	(void)state;
	ldp_s3_list l;
	memset(&l, 0, sizeof l);
	assert_int_equal(ldp_s3_list_parse_page(PAGE1, strlen(PAGE1), &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].key, "a/b&c <1>.csv");
	assert_int_equal(l.items[0].size, 142863);
	assert_string_equal(l.items[0].etag, "\"599bab3ed2c697f1d26842727561fd94\"");
	assert_string_equal(l.items[1].key, "caf\xc3\xa9/\xf0\x9f\x98\x80.json"); /* U+00E9, U+1F600 in UTF-8 */
	assert_int_equal(l.items[1].size, 0);
	assert_null(l.items[2].etag);
	assert_true(l.items[2].size == 9007199254740993LL); /* beyond a double's exact range */
	assert_true(l.truncated);
	assert_string_equal(l.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	assert_int_equal(ldp_s3_list_parse_page(PAGE2, strlen(PAGE2), &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.items[3].key, "zz");
	assert_false(l.truncated);
	assert_null(l.next_token);
	ldp_s3_list_free(&l);

	const char *bad[] = {
		"<Error><Code>AccessDenied</Code></Error>",
		"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", /* no token */
		"<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>", /* no size */
		"<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>k</Key><Size>12x</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>k</Key><Size>1</Size>", /* cut off */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&l, 0, sizeof l);
		int rc = ldp_s3_list_parse_page(bad[i], strlen(bad[i]), &l);
		ldp_s3_list_free(&l);
		if (i == 5) /* a truncated body with no complete Contents is an empty page, not a crash */
			continue;
		assert_int_equal(rc, LDP_ECORRUPT);
	}
}

/* A listing with delimiter "/", as in the S3 reference's CommonPrefixes
 * example: the request's own <Prefix> is not a common prefix. */
static void test_list_common_prefixes(void **state)
{
	(void)state;
	const char *xml = "<ListBucketResult><Name>b</Name><Prefix>photos/</Prefix><Delimiter>/</Delimiter>"
			  "<IsTruncated>false</IsTruncated>"
			  "<Contents><Key>photos/index.html</Key><Size>10</Size></Contents>"
			  "<CommonPrefixes><Prefix>photos/2006/</Prefix></CommonPrefixes>"
			  "<CommonPrefixes><Prefix>photos/a&amp;b/</Prefix></CommonPrefixes>"
			  "</ListBucketResult>";
	ldp_s3_list l;
	memset(&l, 0, sizeof l);
	assert_int_equal(ldp_s3_list_parse_page(xml, strlen(xml), &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].key, "photos/index.html");
	assert_int_equal(l.nprefixes, 2);
	assert_string_equal(l.prefixes[0], "photos/2006/");
	assert_string_equal(l.prefixes[1], "photos/a&b/");
	ldp_s3_list_free(&l);
	const char *bad = "<ListBucketResult><CommonPrefixes></CommonPrefixes></ListBucketResult>";
	memset(&l, 0, sizeof l);
	assert_int_equal(ldp_s3_list_parse_page(bad, strlen(bad), &l), LDP_ECORRUPT);
	ldp_s3_list_free(&l);
}

static void test_xml_elements(void **state)
{
	(void)state;
	const char *err = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>"
			  "<Message>The request signature we calculated does not match</Message>"
			  "<CodeExtra>x</CodeExtra></Error>";
	char *v;
	assert_int_equal(ldp_xml_text(err, strlen(err), "Code", &v, NULL), 0);
	assert_string_equal(v, "SignatureDoesNotMatch");
	free(v);
	/* <CodeExtra> is not <Code> */
	const char *x = "<CodeExtra>no</CodeExtra><Code>yes</Code>";
	assert_int_equal(ldp_xml_text(x, strlen(x), "Code", &v, NULL), 0);
	assert_string_equal(v, "yes");
	free(v);
	/* attributes and empty elements */
	const char *y = "<UploadId a=\"1\">abc&amp;def</UploadId><Prefix/>";
	assert_int_equal(ldp_xml_text(y, strlen(y), "UploadId", &v, NULL), 0);
	assert_string_equal(v, "abc&def");
	free(v);
	assert_int_equal(ldp_xml_text(y, strlen(y), "Prefix", &v, NULL), 0);
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(ldp_xml_text(y, strlen(y), "Missing", &v, NULL), 0);
	assert_null(v);
	/* the length bounds the search: a tag past `len` is not seen */
	assert_int_equal(ldp_xml_text(err, 30, "Code", &v, NULL), 0);
	assert_null(v);
	/* unknown or malformed entities stay as they are */
	const char *z = "<K>a&bogus;b&#xZZ;c&#0;</K>";
	assert_int_equal(ldp_xml_text(z, strlen(z), "K", &v, NULL), 0);
	assert_string_equal(v, "a&bogus;b&#xZZ;c&#0;");
	free(v);
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(ldp_glob_match("data/*.parquet", "data/a.parquet"));
	assert_false(ldp_glob_match("data/*.parquet", "data/sub/a.parquet")); /* * stays in its segment */
	assert_false(ldp_glob_match("data/*.parquet", "data/a.parquet.gz"));
	assert_true(ldp_glob_match("data/**/*.parquet", "data/a.parquet")); /* ** may be no segment */
	assert_true(ldp_glob_match("data/**/*.parquet", "data/x/y/z.parquet"));
	assert_false(ldp_glob_match("data/**/*.parquet", "other/x/z.parquet"));
	assert_true(ldp_glob_match("data/**", "data/x/y"));
	assert_true(ldp_glob_match("d?t[a-c]/f", "data/f"));
	assert_false(ldp_glob_match("d?t[b-c]/f", "data/f"));
	assert_true(ldp_glob_match("2024-0[1-3]-*.csv", "2024-02-17.csv"));
	assert_false(ldp_glob_match("a/b", "a/b/c"));
	assert_false(ldp_glob_match("a/b/c", "a/b"));
}

static char *url_of(int path_style, const char *endpoint, const char *bucket, const char *key, const char *query)
{
	ldp_s3_config cfg = {.region = (char *)"us-east-1", .endpoint = (char *)endpoint, .path_style = path_style};
	ldp_s3_client *c = NULL;
	assert_int_equal(ldp_s3_client_new(&cfg, &c), 0);
	ldp_buf b = LDP_BUF_INIT;
	ldp_s3_url(c, bucket, key, query, &b);
	ldp_s3_client_free(c);
	return ldp_buf_detach(&b);
}

static void test_urls(void **state)
{
	(void)state;
	struct {
		int path_style;
		const char *endpoint, *bucket, *key, *query, *want;
	} cases[] = {
		{1, "http://127.0.0.1:9000", "bkt", "a/b.parquet", NULL, "http://127.0.0.1:9000/bkt/a/b.parquet"},
		{0, "https://s3.eu-west-1.amazonaws.com", "bkt", "a/b.parquet", NULL,
		 "https://bkt.s3.eu-west-1.amazonaws.com/a/b.parquet"},
		/* SigV4 UriEncode: unreserved A-Za-z0-9-._~ stay, '/' stays in keys, the rest %XX upper case */
		{1, "http://h", "bkt", "dir with space/a+b&c=d%e~f(1).txt", NULL,
		 "http://h/bkt/dir%20with%20space/a%2Bb%26c%3Dd%25e~f%281%29.txt"},
		{1, "http://h", "bkt", "caf\xc3\xa9", NULL, "http://h/bkt/caf%C3%A9"},
		/* a bucket that is no DNS label, or has dots over TLS: path style anyway */
		{0, "https://s3.amazonaws.com", "my.bucket", "k", NULL, "https://s3.amazonaws.com/my.bucket/k"},
		{0, "https://s3.amazonaws.com", "My_Bucket", "k", NULL, "https://s3.amazonaws.com/My_Bucket/k"},
		{0, "http://s3.local", "my.bucket", "k", NULL, "http://my.bucket.s3.local/k"},
		{1, "http://h", "bkt", NULL, "list-type=2&prefix=a%2F", "http://h/bkt/?list-type=2&prefix=a%2F"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *u = url_of(cases[i].path_style, cases[i].endpoint, cases[i].bucket, cases[i].key, cases[i].query);
		assert_string_equal(u, cases[i].want);
		free(u);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_ini),
		cmocka_unit_test(test_config_precedence),
		cmocka_unit_test(test_list_pages),
		cmocka_unit_test(test_list_common_prefixes),
		cmocka_unit_test(test_xml_elements),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
