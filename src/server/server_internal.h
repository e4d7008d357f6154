/* Shared by the REST server's source files (server.c: HTTP, routing, auth,
 * pools; server_ns.c: namespaces; server_tables.c: tables; server_commit.c:
 * requirements, updates, transactions). */
#ifndef LDP_SERVER_INTERNAL_H
#define LDP_SERVER_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "ldp/buf.h"
#include "server/server.h"
#include "table/warehouse.h"

#define SRV_MAX_SEGS 16
#define SRV_TOKENS 1024
#define SRV_CACHE 64

struct ldp_server {
	struct MHD_Daemon *daemon;
	int port;
	char *root;              /* warehouse directory, no trailing '/' */
	char **allowed;          /* more allowed location prefixes, no trailing '/' */
	size_t nallowed;
	char *catalog_path, *catalog_name;
	char *client_id, *client_secret; /* NULL: no auth */
	size_t max_body, max_url;
	int token_ttl_s;
	/* warehouse handles, one per worker */
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv;
	ldp_warehouse **pool;
	size_t npool, nfree;
	ldp_warehouse **free_list;
	/* issued bearer tokens (ring) */
	pthread_mutex_t tok_mu;
	struct {
		char token[65];
		int64_t expires_ms;
	} tokens[SRV_TOKENS];
	size_t tok_next;
	/* load-table responses by metadata location */
	pthread_mutex_t cache_mu;
	struct {
		char *location;
		char *text; /* the metadata JSON text */
		size_t len;
		/* the file's size and mtime when read: a file changed behind the
		 * catalog's back (truncated, replaced) is read again */
		long long size, mtime_ns;
	} cache[SRV_CACHE];
	size_t cache_next;
};

typedef struct srv_req {
	ldp_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	char *seg[SRV_MAX_SEGS]; /* decoded path segments after /v1[/prefix] */
	size_t nseg;
	const char *body;        /* raw body, NUL-terminated */
	size_t body_len;
	ldp_warehouse *wh;       /* borrowed from the pool for this request */
	/* the response */
	int status;
	ldp_buf out;             /* JSON text; empty for 204 */
} srv_req;

/* Query parameter, percent-decoded (malloc'd; NULL when absent). */
char *srv_query(srv_req *r, const char *name);
/* The warehouse root and whether a location lies inside it. */
const char *srv_warehouse_root(const srv_req *r);
int srv_location_allowed(const srv_req *r, const char *location);

/* Responses. srv_error records status + ErrorModel body and returns -1 so a
 * handler can `return srv_error(...)`. */
int srv_error(srv_req *r, int status, const char *type, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The last ldp error as an ErrorModel: EINVALID 400, ENOTFOUND 404 (with
 * type_404), EEXISTS 409 (AlreadyExistsException), ECONFLICT 409
 * (CommitFailedException), EUNSUPPORTED 406, anything else 500. */
int srv_fail(srv_req *r, int rc, const char *type_404);
/* Take ownership of v and send it with status. */
int srv_json(srv_req *r, int status, json_t *v);
int srv_no_content(srv_req *r);

/* The request body as a JSON object (400 when it is not one). */
int srv_body_object(srv_req *r, json_t **out);
/* A namespace path segment ("a\x1fb") as the catalog's "a.b"; 400 on bad names. */
int srv_ns_from_segment(srv_req *r, const char *seg, ldp_buf *out);
/* A JSON array of strings (["a","b"]) as "a.b"; 400 on bad names. */
int srv_ns_from_json(srv_req *r, const json_t *arr, ldp_buf *out);
json_t *srv_ns_to_json(const char *ns);
/* A table or namespace level name: non-empty, at most 255 bytes, no '/',
 * '\\', NUL or control characters, not "." or ".." (no traversal into the
 * warehouse), no '.' in namespace levels. 400 naming it otherwise. */
int srv_check_name(srv_req *r, const char *what, const char *name, int is_namespace_level);

/* Paging of list endpoints: pageToken is the last name of the previous page
 * (catalog lists are sorted), pageSize bounds a page (400 unless positive).
 * srv_page answers {key: [item(name)...], "next-page-token"?}. */
int srv_page_args(srv_req *r, char **token, long *size);
int srv_page(srv_req *r, const ldp_catalog_names *names, const char *token, long size, const char *key,
	     json_t *(*item)(const char *name, const void *ctx), const void *ctx);

/* Endpoints */
int srv_config(srv_req *r);
int srv_namespaces(srv_req *r);       /* /namespaces */
int srv_namespace(srv_req *r);        /* /namespaces/{ns} */
int srv_namespace_props(srv_req *r);  /* /namespaces/{ns}/properties */
int srv_tables(srv_req *r);           /* /namespaces/{ns}/tables */
int srv_table(srv_req *r);            /* /namespaces/{ns}/tables/{t} GET HEAD DELETE */
int srv_register(srv_req *r);         /* /namespaces/{ns}/register */
int srv_rename(srv_req *r);           /* /tables/rename */
int srv_commit_table(srv_req *r);     /* POST /namespaces/{ns}/tables/{t} */
int srv_commit_transaction(srv_req *r); /* /transactions/commit */

/* The table of a path (/namespaces/{ns}/tables/{t}) or of a JSON
 * identifier {"namespace": [...], "name": ...}; 400 on bad names. */
int srv_path_ident(srv_req *r, ldp_ident *id);
int srv_json_ident(srv_req *r, const json_t *j, ldp_ident *id);

/* Load-table responses, cached by metadata location (a metadata file never
 * changes once written). Appends {"metadata-location":..,"metadata":..,
 * "config":{}} to out. */
int srv_load_result(srv_req *r, const char *location, ldp_buf *out);

#endif

/* Parse the schema, partition spec and sort order objects of create requests
 * and updates into `a`; a missing id defaults as in Java's parsers (schema 0,
 * spec 0, order 0 when unsorted else 1). 400 on failure. */
#include "format/model.h"
int srv_parse_schema(srv_req *r, ldp_arena *a, const json_t *j, const char *what, ldp_schema **out);
int srv_parse_spec(srv_req *r, ldp_arena *a, const json_t *j, const char *what, ldp_partition_spec **out);
int srv_parse_order(srv_req *r, ldp_arena *a, const json_t *j, const char *what, ldp_sort_order **out);
/* Build the metadata of a new table from a create request's pieces (the
 * same for POST .../tables and for a commit with assert-create). */
int srv_new_metadata(srv_req *r, const char *location, const ldp_schema *schema, const ldp_partition_spec *spec,
		     const ldp_sort_order *order, const json_t *props, ldp_metadata **out);
