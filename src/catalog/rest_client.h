/*
 * catalog/rest_client.h - the catalog over an Iceberg REST server (apache/
 * iceberg open-api/rest-catalog-open-api.yaml) with libcurl: the REST side of
 * the ldp_catalog dispatcher (catalog.h). Not for other layers.
 *
 * The ldp_catalog_* functions of sqlite_catalog.c and sqlite_tables.c hand
 * over to these when the catalog was opened with ldp_catalog_open_rest();
 * they have the same contracts (names, sorted lists, error classes).
 * HTTP statuses map to ldp statuses: 400/422 LDP_EINVALID, 401/403
 * LDP_EINVALID (naming the credential), 404 LDP_ENOTFOUND, 409
 * AlreadyExists LDP_EEXISTS, 409 CommitFailed LDP_ECONFLICT, 409
 * NamespaceNotEmpty LDP_EINVALID, 406 LDP_EUNSUPPORTED, 5xx and transport
 * errors LDP_EIO; messages carry the server's ErrorModel message.
 */
#ifndef LDP_CATALOG_REST_CLIENT_H
#define LDP_CATALOG_REST_CLIENT_H

#include <jansson.h>

#include "catalog/catalog.h"
#include "ldp/buf.h"

typedef struct ldp_rest ldp_rest;

int rest_open(const char *uri, const json_t *config, ldp_rest **out);
void rest_free(ldp_rest *rc);
const char *rest_uri(const ldp_rest *rc);

int rest_create_namespace(ldp_rest *rc, const char *ns, const ldp_catalog_kv *props, size_t n);
int rest_namespace_exists(ldp_rest *rc, const char *ns, int *exists);
int rest_list_namespaces(ldp_rest *rc, const char *parent, ldp_catalog_names *out);
int rest_load_namespace(ldp_rest *rc, const char *ns, ldp_catalog_props *out);
int rest_update_namespace(ldp_rest *rc, const char *ns, const ldp_catalog_kv *set, size_t nset,
			  const char *const *remove, size_t nremove);
int rest_drop_namespace(ldp_rest *rc, const char *ns);

int rest_register_table(ldp_rest *rc, const char *ns, const char *table, const char *metadata_location);
int rest_load_table(ldp_rest *rc, const char *ns, const char *table, char **metadata_location, char **previous);
/* The metadata of the last load, parsed, if it was for `location` (else NULL). */
int rest_loaded_metadata(ldp_rest *rc, const char *location, ldp_metadata **out);
int rest_table_exists(ldp_rest *rc, const char *ns, const char *table, int *exists);
int rest_list_tables(ldp_rest *rc, const char *ns, ldp_catalog_names *out);
int rest_rename_table(ldp_rest *rc, const char *from_ns, const char *from_table, const char *to_ns,
		      const char *to_table);
int rest_drop_table(ldp_rest *rc, const char *ns, const char *table, int purge, char **metadata_location);

/* rest_commit.c */
int rest_create_table(ldp_rest *rc, const char *ns, const char *table, const ldp_metadata *m, int send_location,
		      char **metadata_location, ldp_metadata **created);
int rest_commit(ldp_rest *rc, const char *ns, const char *table, const ldp_metadata *base, const ldp_metadata *next,
		char **metadata_location, ldp_metadata **committed);

/* ---- HTTP, shared by rest_client.c and rest_commit.c ---- */

/* Call <uri>/v1/[<prefix>/]<path> (path already percent-encoded) with an
 * optional JSON body. *status receives the HTTP status; *resp (may be NULL)
 * the parsed JSON body of a 2xx answer. Non-2xx answers become an ldp error
 * (see the mapping above) unless the status is listed in ok_statuses
 * (0-terminated, may be NULL). */
int rest_call(ldp_rest *rc, const char *method, const char *path, const json_t *body, const long *ok_statuses,
	      long *status, json_t **resp);
/* "a.b" as the path segment "a%1Fb". */
void rest_ns_path(ldp_rest *rc, const char *ns, ldp_buf *out);
/* The path segment of a table name, percent-encoded. */
void rest_escape(ldp_rest *rc, const char *s, ldp_buf *out);

#endif
