/*
 * server/server.h - `ldp serve`: the Iceberg REST catalog protocol (apache/
 * iceberg open-api/rest-catalog-open-api.yaml) over a warehouse and its
 * SQLite catalog, with libmicrohttpd.
 *
 * Threads. The server runs a pool of `threads` workers; each request borrows
 * one warehouse handle (its own SQLite connection) from a pool of the same
 * size, so requests never share a connection. Commits are serialised per
 * table by the catalog's compare-and-swap, never by a server-wide lock.
 *
 * Auth. With client_id and client_secret set, POST /v1/oauth/tokens issues
 * bearer tokens for the client-credentials grant and every other endpoint
 * answers 401 without a valid one. Secrets are never logged.
 *
 * Memory: ldp_server_stop() stops the workers and frees the server.
 */
#ifndef LDP_SERVER_SERVER_H
#define LDP_SERVER_SERVER_H

#include <stddef.h>

typedef struct ldp_server ldp_server;

typedef struct ldp_server_options {
	const char *host;          /* NULL: 127.0.0.1 */
	int port;                  /* 0: any free port (see ldp_server_port) */
	int threads;               /* <= 0: 4 */
	const char *warehouse;     /* absolute warehouse directory */
	const char *catalog_path;  /* the SQLite catalog file */
	const char *catalog_name;  /* NULL: "ldp" */
	const char *client_id;     /* both NULL: no auth */
	const char *client_secret;
	size_t max_body;           /* 0: 16 MiB; larger bodies get 413 */
	size_t max_url;            /* 0: 8192; longer URLs get 414 */
	int token_ttl_s;           /* 0: 3600 */
	/* Directories besides the warehouse where table locations and
	 * registered metadata files may live (absolute paths). Everything else
	 * is refused with 400, so a client cannot make the server read, write
	 * or purge files elsewhere. */
	const char *const *allowed_locations;
	size_t nallowed_locations;
} ldp_server_options;

/* Open the catalog, bind host:port and start serving. LDP_EIO naming the
 * address when it cannot bind. */
int ldp_server_start(const ldp_server_options *o, ldp_server **out);
/* The port actually bound. */
int ldp_server_port(const ldp_server *s);
/* Finish the requests in flight, stop and free. */
void ldp_server_stop(ldp_server *s);

#endif
