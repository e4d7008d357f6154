/*
 * ldp/log.h - leveled logging. The sink is the only global mutable state in
 * libldp. The level comes from LDP_LOG (error, warn, info, debug, trace);
 * default: warn. Messages go to stderr unless a sink is installed.
 */
#ifndef LDP_LOG_H
#define LDP_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ldp_log_level {
	LDP_LOG_ERROR = 0,
	LDP_LOG_WARN = 1,
	LDP_LOG_INFO = 2,
	LDP_LOG_DEBUG = 3,
	LDP_LOG_TRACE = 4
} ldp_log_level;

typedef void (*ldp_log_sink)(ldp_log_level level, const char *msg, void *userdata);

/* Read LDP_LOG from the environment. Unknown values select "warn" and return
 * LDP_EINVALID (the level is still usable). */
int ldp_log_init_from_env(void);
void ldp_log_set_level(ldp_log_level level);
ldp_log_level ldp_log_get_level(void);
/* Parse "debug" etc. Returns 0 and sets *out, or LDP_EINVALID. */
int ldp_log_parse_level(const char *name, ldp_log_level *out);
/* Install a sink (NULL restores stderr). Not thread-safe against concurrent logging. */
void ldp_log_set_sink(ldp_log_sink sink, void *userdata);

void ldp_log(ldp_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ldp_log_enabled(lvl) ((lvl) <= ldp_log_get_level())
#define LDP_DEBUG(...) do { if (ldp_log_enabled(LDP_LOG_DEBUG)) ldp_log(LDP_LOG_DEBUG, __VA_ARGS__); } while (0)
#define LDP_INFO(...) do { if (ldp_log_enabled(LDP_LOG_INFO)) ldp_log(LDP_LOG_INFO, __VA_ARGS__); } while (0)
#define LDP_WARN(...) ldp_log(LDP_LOG_WARN, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
