/* ldp serve: the Iceberg REST catalog over this project's warehouse. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "server/server.h"

void cmd_serve_help(FILE *out)
{
	fprintf(out,
		"usage: ldp serve [--host 127.0.0.1] [--port 8181] [--threads N]\n"
		"                 [--warehouse DIR --catalog FILE] [--credentials-file FILE] [--insecure]\n"
		"                 [--allow-location DIR ...]\n\n"
		"Serve the project's catalog over the Apache Iceberg REST protocol (Spark, Trino, Flink,\n"
		"pyiceberg and `ldp` itself with catalog type rest). --port 0 picks a free port; the\n"
		"address is printed on the first line of output. Stops cleanly on SIGINT/SIGTERM.\n\n"
		"Auth is off unless credentials are given: --credentials-file FILE holding\n"
		"\"client_id:client_secret\", or LDP_SERVE_CREDENTIAL=client_id:client_secret. Clients then\n"
		"get bearer tokens from POST /v1/oauth/tokens (client credentials). Listening on a\n"
		"non-loopback address without credentials needs --insecure.\n"
		"--warehouse and --catalog serve a warehouse directory and SQLite catalog without an\n"
		"ldp.yml. Table locations and registered metadata files must lie in the warehouse or\n"
		"under a directory given with --allow-location. See docs/rest.md.\n");
}

static int read_credential(const char *file, char **out)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = ldp_io_read_all(file, &data, &len);
	if (rc)
		return ldp_error_wrap(rc, "reading --credentials-file");
	char *s = (char *)data;
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	s[len] = 0;
	*out = s;
	return 0;
}

static int is_loopback(const char *host) { return strncmp(host, "127.", 4) == 0; }

int cmd_serve(int argc, char **argv)
{
	ldp_server_options o = {.host = "127.0.0.1", .port = 8181, .threads = 4};
	const char *cred_file = NULL, *warehouse = NULL, *catalog = NULL;
	int insecure = 0;
	const char *allowed[32];
	char allowed_abs[32][4096];
	size_t nallowed = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--insecure") == 0) {
			insecure = 1;
			continue;
		}
		if (!v || a[0] != '-')
			return cli_usage_error("serve", a[0] == '-' ? "option %s needs a value" : "unexpected argument '%s'", a);
		if (strcmp(a, "--host") == 0)
			o.host = v;
		else if (strcmp(a, "--port") == 0)
			o.port = atoi(v);
		else if (strcmp(a, "--threads") == 0)
			o.threads = atoi(v);
		else if (strcmp(a, "--credentials-file") == 0)
			cred_file = v;
		else if (strcmp(a, "--warehouse") == 0)
			warehouse = v;
		else if (strcmp(a, "--catalog") == 0)
			catalog = v;
		else if (strcmp(a, "--allow-location") == 0) {
			if (nallowed == 32)
				return cli_usage_error("serve", "at most 32 --allow-location options");
			if (!realpath(v, allowed_abs[nallowed]))
				return cli_usage_error("serve", "--allow-location %s: no such directory", v);
			allowed[nallowed] = allowed_abs[nallowed];
			nallowed++;
		}
		else
			return cli_usage_error("serve", "unknown option '%s'", a);
		i++;
	}
	if (o.port < 0 || o.port > 65535 || o.threads < 1 || o.threads > 256)
		return cli_usage_error("serve", "--port must be 0-65535 and --threads 1-256");
	if (!warehouse != !catalog)
		return cli_usage_error("serve", "--warehouse and --catalog go together");
	ldp_project *p = NULL;
	char *cred = NULL;
	char wabs[4096], cabs[4096];
	int rc = 0;
	if (warehouse) {
		if (!realpath(warehouse, wabs))
			rc = ldp_error_set(LDP_ENOTFOUND, "--warehouse %s: no such directory", warehouse);
		/* the catalog file may not exist yet: resolve its directory */
		snprintf(cabs, sizeof cabs, "%s", catalog);
		if (!rc && catalog[0] != '/') {
			char cwd[2048];
			if (getcwd(cwd, sizeof cwd))
				snprintf(cabs, sizeof cabs, "%s/%s", cwd, catalog);
		}
		o.warehouse = wabs;
		o.catalog_path = cabs;
	} else {
		rc = ldp_project_find(NULL, &p);
		if (!rc && strcmp(p->catalog_type, "sqlite") != 0)
			rc = ldp_error_set(LDP_EINVALID, "%s: ldp serve needs a sqlite catalog (this project's is %s)",
					   p->config_path, p->catalog_type);
		if (!rc) {
			o.warehouse = p->warehouse;
			o.catalog_path = p->catalog_uri;
			o.catalog_name = p->catalog_name;
		}
	}
	const char *env = getenv("LDP_SERVE_CREDENTIAL");
	if (!rc && cred_file)
		rc = read_credential(cred_file, &cred);
	else if (!rc && env && *env)
		cred = strdup(env);
	char *colon = cred ? strchr(cred, ':') : NULL;
	if (!rc && cred && (!colon || colon == cred || !colon[1]))
		rc = ldp_error_set(LDP_EINVALID, "the credential must be client_id:client_secret");
	if (!rc && colon) {
		*colon = 0;
		o.client_id = cred;
		o.client_secret = colon + 1;
	}
	if (!rc && !cred && !is_loopback(o.host) && !insecure)
		rc = ldp_error_set(LDP_EINVALID,
				   "refusing to serve %s without credentials (set --credentials-file, or --insecure)", o.host);
	/* Workers inherit the mask: only this thread receives the signals. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	ldp_server *srv = NULL;
	o.allowed_locations = allowed;
	o.nallowed_locations = nallowed;
	if (!rc)
		rc = ldp_server_start(&o, &srv);
	if (!rc) {
		printf("ldp serve: listening on http://%s:%d (warehouse %s%s)\n", o.host, ldp_server_port(srv), o.warehouse,
		       cred ? ", auth on" : "");
		fflush(stdout);
		int sig = 0;
		sigwait(&set, &sig);
		fprintf(stderr, "ldp serve: %s, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
		ldp_server_stop(srv);
	}
	free(cred);
	ldp_project_free(p);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
