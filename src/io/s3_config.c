/* S3 configuration: URIs, the AWS shared config/credentials files, the
 * environment; see io/s3.h for the precedence. */
#include "io/s3.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"

int ldp_s3_is_uri(const char *path)
{
	return path && (strncmp(path, "s3://", 5) == 0 || strncmp(path, "s3a://", 6) == 0 || strncmp(path, "s3n://", 6) == 0);
}

int ldp_s3_uri_parse(const char *uri, char **bucket, char **key)
{
	*bucket = *key = NULL;
	if (!ldp_s3_is_uri(uri))
		return ldp_error_set(LDP_EINVALID, "'%s' is not an S3 URI (expected s3://bucket/key)", uri);
	const char *b = strstr(uri, "://") + 3;
	const char *slash = strchr(b, '/');
	size_t bl = slash ? (size_t)(slash - b) : strlen(b);
	if (bl == 0)
		return ldp_error_set(LDP_EINVALID, "'%s' names no bucket (expected s3://bucket/key)", uri);
	/* S3 bucket names: 3-63 chars of [a-z0-9.-]; be lenient on case and
	 * underscores (some compatible servers allow them) but refuse what would
	 * break a URL. */
	for (size_t i = 0; i < bl; i++)
		if (!isalnum((unsigned char)b[i]) && b[i] != '.' && b[i] != '-' && b[i] != '_')
			return ldp_error_set(LDP_EINVALID, "'%s': invalid character '%c' in the bucket name", uri, b[i]);
	*bucket = strndup(b, bl);
	*key = strdup(slash ? slash + 1 : "");
	if (!*bucket || !*key) {
		free(*bucket);
		free(*key);
		*bucket = *key = NULL;
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	return LDP_OK;
}

static const char *trim(const char *s, const char *end, size_t *len)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*len = (size_t)(end - s);
	return s;
}

int ldp_ini_get(const char *text, const char *section, const char *key, char **out)
{
	*out = NULL;
	int in = 0;
	size_t klen = strlen(key), slen = strlen(section);
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		const char *end = eol ? eol : line + strlen(line);
		int indented = *line == ' ' || *line == '\t';
		size_t n;
		const char *s = trim(line, end, &n);
		line = eol ? eol + 1 : NULL;
		if (n == 0 || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			const char *close = memchr(s, ']', n);
			size_t sn;
			const char *name = close ? trim(s + 1, close, &sn) : NULL;
			/* "[profile  x]" and "[profile x]" are the same section */
			in = 0;
			if (name && strncmp(section, "profile ", 8) == 0 && sn > 8 && strncmp(name, "profile", 7) == 0 &&
			    isspace((unsigned char)name[7])) {
				size_t pn;
				const char *p = trim(name + 7, name + sn, &pn);
				in = pn == slen - 8 && memcmp(p, section + 8, pn) == 0;
			} else if (name) {
				in = sn == slen && memcmp(name, section, sn) == 0;
			}
			continue;
		}
		/* indented lines continue a nested block (s3 = \n  addressing_style = path):
		 * they belong to the sub-setting, not to the section */
		if (!in || indented)
			continue;
		const char *eq = memchr(s, '=', n);
		if (!eq)
			continue;
		size_t kn;
		const char *k = trim(s, eq, &kn);
		if (kn != klen || memcmp(k, key, kn) != 0)
			continue;
		size_t vn;
		const char *v = trim(eq + 1, s + n, &vn);
		free(*out);
		*out = strndup(v, vn);
		if (!*out)
			return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	return LDP_OK;
}

void ldp_s3_config_clear(ldp_s3_config *c)
{
	if (!c)
		return;
	if (c->secret_key) /* do not leave the secret in freed memory */
		memset(c->secret_key, 0, strlen(c->secret_key));
	free(c->access_key);
	free(c->secret_key);
	free(c->session_token);
	free(c->region);
	free(c->endpoint);
	free(c->credential_source);
	memset(c, 0, sizeof *c);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* The text of an AWS file named by env var `var`, else ~/.aws/<name>; NULL
 * text when it does not exist. */
static int read_aws_file(const char *var, const char *name, char **path, char **text)
{
	*path = *text = NULL;
	ldp_buf p = LDP_BUF_INIT;
	if (env(var))
		ldp_buf_puts(&p, env(var));
	else if (env("HOME"))
		ldp_buf_printf(&p, "%s/.aws/%s", env("HOME"), name);
	else
		return LDP_OK;
	if (ldp_buf_oom(&p))
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	uint8_t *data;
	size_t len;
	int rc = ldp_io_read_all(ldp_buf_cstr(&p), &data, &len);
	if (rc == LDP_ENOTFOUND) {
		ldp_error_clear();
		ldp_buf_free(&p);
		return LDP_OK;
	}
	if (rc) {
		ldp_buf_free(&p);
		return ldp_error_wrap(rc, "reading AWS %s file", name);
	}
	char *t = realloc(data, len + 1);
	if (!t) {
		free(data);
		ldp_buf_free(&p);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	t[len] = '\0';
	*text = t;
	*path = ldp_buf_detach(&p);
	return LDP_OK;
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
	return v && !*dst ? ldp_error_set(LDP_ENOMEM, "out of memory") : LDP_OK;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
		*out = 1;
	else if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "off"))
		*out = 0;
	else
		return LDP_EINVALID;
	return LDP_OK;
}

int ldp_s3_config_resolve(const ldp_s3_settings *s, ldp_s3_config *out)
{
	memset(out, 0, sizeof *out);
	static const ldp_s3_settings none = {NULL, NULL, NULL, -1};
	if (!s)
		s = &none;
	const char *profile = s->profile ? s->profile : env("AWS_PROFILE") ? env("AWS_PROFILE") : "default";
	char *cred_path = NULL, *cred = NULL, *conf_path = NULL, *conf = NULL;
	char *v = NULL;
	ldp_buf sect = LDP_BUF_INIT;
	if (strcmp(profile, "default") == 0)
		ldp_buf_puts(&sect, "default");
	else
		ldp_buf_printf(&sect, "profile %s", profile);
	int rc = ldp_buf_oom(&sect) ? ldp_error_set(LDP_ENOMEM, "out of memory") : LDP_OK;
	if (!rc)
		rc = read_aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials", &cred_path, &cred);
	if (!rc)
		rc = read_aws_file("AWS_CONFIG_FILE", "config", &conf_path, &conf);

	/* credentials: a key id and secret come from the same place, never mixed */
	if (!rc && env("AWS_ACCESS_KEY_ID") && env("AWS_SECRET_ACCESS_KEY")) {
		rc = set_str(&out->access_key, env("AWS_ACCESS_KEY_ID"));
		if (!rc)
			rc = set_str(&out->secret_key, env("AWS_SECRET_ACCESS_KEY"));
		if (!rc)
			rc = set_str(&out->session_token, env("AWS_SESSION_TOKEN"));
		if (!rc)
			rc = set_str(&out->credential_source, "environment (AWS_ACCESS_KEY_ID)");
	}
	for (int f = 0; !rc && !out->access_key && f < 2; f++) {
		const char *text = f == 0 ? cred : conf;
		const char *section = f == 0 ? profile : ldp_buf_cstr(&sect);
		if (!text)
			continue;
		char *id = NULL, *secret = NULL, *token = NULL;
		rc = ldp_ini_get(text, section, "aws_access_key_id", &id);
		if (!rc)
			rc = ldp_ini_get(text, section, "aws_secret_access_key", &secret);
		if (!rc)
			rc = ldp_ini_get(text, section, "aws_session_token", &token);
		if (!rc && id && secret) {
			out->access_key = id;
			out->secret_key = secret;
			out->session_token = token;
			ldp_buf src = LDP_BUF_INIT;
			ldp_buf_printf(&src, "%s [%s]", f == 0 ? cred_path : conf_path, section);
			out->credential_source = ldp_buf_detach(&src);
		} else {
			free(id);
			if (secret)
				memset(secret, 0, strlen(secret));
			free(secret);
			free(token);
		}
	}
	if (!rc && !out->credential_source)
		rc = set_str(&out->credential_source, "none (anonymous requests)");

	/* region */
	if (!rc && conf)
		rc = ldp_ini_get(conf, ldp_buf_cstr(&sect), "region", &v);
	if (!rc)
		rc = set_str(&out->region, env("AWS_REGION")		 ? env("AWS_REGION")
					   : env("AWS_DEFAULT_REGION") ? env("AWS_DEFAULT_REGION")
					   : s->region		       ? s->region
					   : v			       ? v
								       : "us-east-1");
	free(v);
	v = NULL;

	/* endpoint */
	if (!rc && conf)
		rc = ldp_ini_get(conf, ldp_buf_cstr(&sect), "endpoint_url", &v);
	const char *ep = env("AWS_ENDPOINT_URL_S3") ? env("AWS_ENDPOINT_URL_S3")
			 : env("AWS_ENDPOINT_URL")  ? env("AWS_ENDPOINT_URL")
			 : s->endpoint		    ? s->endpoint
						    : v;
	int custom = ep != NULL;
	if (!rc) {
		ldp_buf e = LDP_BUF_INIT;
		if (ep) {
			if (!strstr(ep, "://"))
				ldp_buf_puts(&e, "https://"); /* "host:port" alone */
			ldp_buf_puts(&e, ep);
			while (e.len > 0 && e.ptr[e.len - 1] == '/')
				ldp_buf_truncate(&e, e.len - 1);
		} else {
			ldp_buf_printf(&e, "https://s3.%s.amazonaws.com", out->region);
		}
		if (ldp_buf_oom(&e))
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
		out->endpoint = ldp_buf_detach(&e);
		if (!rc && strncmp(out->endpoint, "http://", 7) != 0 && strncmp(out->endpoint, "https://", 8) != 0)
			rc = ldp_error_set(LDP_EINVALID, "S3 endpoint '%s' must be an http:// or https:// URL", out->endpoint);
	}
	free(v);

	/* addressing style */
	out->path_style = custom;
	if (!rc && env("LDP_S3_PATH_STYLE") && parse_bool(env("LDP_S3_PATH_STYLE"), &out->path_style) != LDP_OK)
		rc = ldp_error_set(LDP_EINVALID, "LDP_S3_PATH_STYLE='%s': use true or false", env("LDP_S3_PATH_STYLE"));
	if (!rc && s->path_style >= 0)
		out->path_style = s->path_style;

	ldp_buf_free(&sect);
	free(cred_path);
	if (cred)
		memset(cred, 0, strlen(cred));
	free(cred);
	free(conf_path);
	if (conf)
		memset(conf, 0, strlen(conf));
	free(conf);
	if (rc)
		ldp_s3_config_clear(out);
	return rc;
}
