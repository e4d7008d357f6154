/*
 * ldp/project.h - an ldp project: a directory with ldp.yml.
 *
 *   name: demo
 *   warehouse: warehouse            # a directory (relative to ldp.yml) or s3://bucket/prefix
 *   catalog:
 *     type: sqlite                  # sqlite (default) | rest (later)
 *     uri: warehouse/catalog.db     # the SQLite catalog file
 *     name: ldp                     # catalog_name column in the JDBC layout
 *
 * Commands find the project like git finds a repository: LDP_PROJECT (a
 * directory or an ldp.yml path), else ldp.yml in the current directory or
 * the nearest parent.
 *
 * Ownership: ldp_project_free() releases a project and every string in it.
 */
#ifndef LDP_PROJECT_H
#define LDP_PROJECT_H

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ldp_project {
	char *dir;          /* absolute directory holding ldp.yml */
	char *config_path;  /* absolute path of ldp.yml */
	char *name;
	char *warehouse;    /* absolute path or URI */
	char *catalog_type; /* "sqlite" */
	char *catalog_uri;  /* absolute path of catalog.db for sqlite */
	char *catalog_name;
	json_t *config;     /* the whole ldp.yml as JSON */
} ldp_project;

/* Find and load the project for `start_dir` (NULL: the current directory). */
int ldp_project_find(const char *start_dir, ldp_project **out);
/* Load a specific ldp.yml. */
int ldp_project_load(const char *config_path, ldp_project **out);
/* Create dir (if needed), ldp.yml and the warehouse directory. LDP_EEXISTS
 * when ldp.yml is already there. The catalog file is created by the caller
 * opening the catalog. */
int ldp_project_init(const char *dir, const char *name, ldp_project **out);
void ldp_project_free(ldp_project *p);

#ifdef __cplusplus
}
#endif
#endif
