/*
 * ldp/yaml.h - YAML documents as jansson trees (libyaml underneath).
 *
 * Plain scalars become JSON numbers, booleans (true/false/yes/no/on/off as
 * YAML 1.1 readers expect in ldp.yml and dbt files) and null (~, null, empty);
 * quoted scalars are always strings. Anchors and aliases are resolved.
 * Errors name the file, line and column.
 */
#ifndef LDP_YAML_H
#define LDP_YAML_H

#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Load the first document of a file; an empty file gives an empty object.
 * *out receives a new reference. */
int ldp_yaml_load_file(const char *path, json_t **out);
/* ldp_yaml_load_file() that also returns, when `lines` is not NULL, a side
 * table for error messages: an object mapping the JSON pointer (RFC 6901) of
 * every node to its 1-based line ("" the root, "/pipelines/nyc/steps/0" a
 * sequence item's line, "/pipelines/nyc/schedule" the line of that key).
 * *lines is a new reference (NULL on error). */
int ldp_yaml_load_file_lines(const char *path, json_t **out, json_t **lines);
/* The line recorded for `pointer` in such a table, 0 when unknown. */
int ldp_yaml_line(const json_t *lines, const char *pointer);
/* Same for text; `what` names it in errors. */
int ldp_yaml_loads(const char *text, size_t len, const char *what, json_t **out);

#ifdef __cplusplus
}
#endif
#endif
