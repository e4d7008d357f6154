/*
 * ldp/json.h - helpers over jansson that turn JSON mistakes into ldp errors
 * naming the file, line and field.
 *
 * Ownership: functions returning json_t* hand the caller one reference
 * (json_decref() it). Getters return borrowed pointers into the object.
 */
#ifndef LDP_JSON_H
#define LDP_JSON_H

#include <jansson.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parse a file. Errors: LDP_ENOTFOUND / LDP_EIO when it cannot be read,
 * LDP_ECORRUPT "path:line:column: reason" when it is not JSON. */
int ldp_json_load_file(const char *path, json_t **out);
/* Parse a string; `what` names it in errors ("request body"). */
int ldp_json_loads(const char *text, size_t len, const char *what, json_t **out);

/* Serialise compactly (flags 0) or pretty (LDP_JSON_PRETTY). free() the result. */
#define LDP_JSON_PRETTY 1
char *ldp_json_dumps(const json_t *v, int flags);

/* Typed field access. `what` names the enclosing object in errors, e.g.
 * "table metadata v3.metadata.json". Missing required fields and wrong types
 * are LDP_ECORRUPT ("... field 'x' must be a string"). For optional getters a
 * missing (or null) field leaves *out unchanged and returns 0. */
int ldp_json_get_string(const json_t *obj, const char *key, const char *what, const char **out);
int ldp_json_get_int64(const json_t *obj, const char *key, const char *what, int64_t *out);
int ldp_json_get_bool(const json_t *obj, const char *key, const char *what, int *out);
int ldp_json_get_object(const json_t *obj, const char *key, const char *what, json_t **out);
int ldp_json_get_array(const json_t *obj, const char *key, const char *what, json_t **out);
int ldp_json_opt_string(const json_t *obj, const char *key, const char *what, const char **out);
int ldp_json_opt_int64(const json_t *obj, const char *key, const char *what, int64_t *out);
int ldp_json_opt_bool(const json_t *obj, const char *key, const char *what, int *out);

/* Append v to b as JSON text (compact). */
struct ldp_buf;
void ldp_json_append_string(struct ldp_buf *b, const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
