/* ldp s3 ls|cp|rm|mb: look at and move objects in S3 with ldp's own client
 * and configuration (the same credentials, endpoint and addressing that
 * ingest and an s3:// warehouse use), e.g. to check a setup. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/s3.h"
#include "io/s3_io.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/project.h"

void cmd_s3_help(FILE *out)
{
	fprintf(out, "usage: ldp s3 ls s3://bucket[/prefix] [--page-size N] [--delimiter /] [--start-after KEY]\n"
		     "       ldp s3 cp <src> <dst> [--part-size MiB] [--if-absent]\n"
		     "                 one side s3://, the other a local file; --if-absent uploads only when the\n"
		     "                 key does not exist yet (an S3 conditional write; the file is read into memory)\n"
		     "       ldp s3 rm s3://bucket/key\n"
		     "       ldp s3 mb s3://bucket\n\n"
		     "Uses ldp's S3 configuration: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN\n"
		     "or the AWS profile (AWS_PROFILE, ~/.aws/credentials, ~/.aws/config), AWS_REGION,\n"
		     "AWS_ENDPOINT_URL(_S3), and the s3: mapping of the project's ldp.yml when there is one.\n"
		     "ls prints size and key, one object a line, every page of the listing; with a delimiter,\n"
		     "keys below the next delimiter are one \"PRE prefix\" line.\n"
		     "See docs/s3.md.\n");
}

/* The project's s3: settings when run inside a project; the environment alone otherwise. */
static int configure(void)
{
	ldp_project *p = NULL;
	if (ldp_project_find(NULL, &p) != LDP_OK) {
		ldp_error_clear();
		return LDP_OK;
	}
	int rc = ldp_s3_io_configure_json(json_object_get(p->config, "s3"), p->config_path);
	ldp_project_free(p);
	return rc;
}

static int print_entry(void *ctx, const char *key, int64_t size, int is_prefix)
{
	(void)ctx;
	if (is_prefix)
		printf("%12s  %s\n", "PRE", key);
	else
		printf("%12" PRId64 "  %s\n", size, key);
	return 0;
}

static int do_ls(ldp_s3_client *c, const char *uri, int page_size, const char *delimiter, const char *start_after)
{
	char *bucket, *key;
	int rc = ldp_s3_uri_parse(uri, &bucket, &key);
	if (rc)
		return rc;
	ldp_s3_list_query q = {bucket, key, delimiter, start_after, page_size};
	rc = ldp_s3_list_each(c, &q, print_entry, NULL);
	free(bucket);
	free(key);
	return rc;
}

static int do_cp(ldp_s3_client *c, const char *src, const char *dst, size_t part, int if_absent)
{
	int up = ldp_s3_is_uri(dst), down = ldp_s3_is_uri(src);
	if (up == down)
		return ldp_error_set(LDP_EINVALID, "ldp s3 cp copies between S3 and a local file: exactly one of '%s' and '%s' must be s3://...",
				     src, dst);
	char *bucket, *key;
	int rc = ldp_s3_uri_parse(up ? dst : src, &bucket, &key);
	if (rc)
		return rc;
	if (!*key)
		rc = ldp_error_set(LDP_EINVALID, "'%s' names no object key", up ? dst : src);
	else if (up && if_absent) {
		uint8_t *data = NULL;
		size_t len = 0;
		rc = ldp_io_read_all(src, &data, &len);
		if (!rc)
			rc = ldp_s3_put_mem(c, bucket, key, data, len, 1);
		free(data);
	} else if (up)
		rc = ldp_s3_put_file(c, bucket, key, src, part);
	else
		rc = ldp_s3_get_file(c, bucket, key, dst, NULL);
	free(bucket);
	free(key);
	return rc;
}

int cmd_s3(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		cmd_s3_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? LDP_EXIT_USER : LDP_EXIT_OK;
	}
	const char *sub = argv[1];
	const char *pos[2] = {NULL, NULL};
	size_t npos = 0;
	long page = 0, part_mib = 0;
	int if_absent = 0;
	const char *delimiter = NULL, *start_after = NULL;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--page-size") == 0 && i + 1 < argc) {
			page = strtol(argv[++i], NULL, 10);
			if (page <= 0 || page > 1000)
				return cli_usage_error("s3", "--page-size must be 1..1000");
		} else if (strcmp(argv[i], "--part-size") == 0 && i + 1 < argc) {
			part_mib = strtol(argv[++i], NULL, 10);
			if (part_mib < 5 || part_mib > 5120)
				return cli_usage_error("s3", "--part-size is in MiB, 5..5120 (S3's limits)");
		} else if (strcmp(argv[i], "--delimiter") == 0 && i + 1 < argc) {
			delimiter = argv[++i];
		} else if (strcmp(argv[i], "--start-after") == 0 && i + 1 < argc) {
			start_after = argv[++i];
		} else if (strcmp(argv[i], "--if-absent") == 0) {
			if_absent = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error("s3", "unknown option '%s'", argv[i]);
		} else if (npos < 2) {
			pos[npos++] = argv[i];
		} else {
			return cli_usage_error("s3", "unexpected argument '%s'", argv[i]);
		}
	}
	size_t want = strcmp(sub, "cp") == 0 ? 2 : 1;
	if (strcmp(sub, "ls") && strcmp(sub, "cp") && strcmp(sub, "rm") && strcmp(sub, "mb"))
		return cli_usage_error("s3", "unknown subcommand '%s' (ls, cp, rm, mb)", sub);
	if (npos != want)
		return cli_usage_error("s3", "%s takes %zu argument%s", sub, want, want > 1 ? "s" : "");
	ldp_s3_client *c = NULL;
	int rc = configure();
	if (!rc)
		rc = ldp_s3_io_client(&c);
	if (!rc && strcmp(sub, "ls") == 0) {
		rc = do_ls(c, pos[0], (int)page, delimiter, start_after);
	} else if (!rc && strcmp(sub, "cp") == 0) {
		rc = do_cp(c, pos[0], pos[1], (size_t)part_mib << 20, if_absent);
	} else if (!rc) {
		char *bucket, *key;
		rc = ldp_s3_uri_parse(pos[0], &bucket, &key);
		if (!rc && strcmp(sub, "rm") == 0)
			rc = *key ? ldp_s3_delete(c, bucket, key) : ldp_error_set(LDP_EINVALID, "'%s' names no object key", pos[0]);
		else if (!rc)
			rc = *key ? ldp_error_set(LDP_EINVALID, "mb takes a bucket (s3://bucket), not '%s'", pos[0])
				  : ldp_s3_create_bucket(c, bucket);
		free(bucket);
		free(key);
	}
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
