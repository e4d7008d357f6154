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
/* Same for text; `what` names it in errors. */
int ldp_yaml_loads(const char *text, size_t len, const char *what, json_t **out);

#ifdef __cplusplus
}
#endif
#endif
