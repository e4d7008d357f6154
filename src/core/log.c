/* Leveled logging to stderr or an installed sink; see ldp/log.h. */
#include "ldp/log.h"
#include "ldp/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static struct {
	ldp_log_level level;
	ldp_log_sink sink;
	void *userdata;
} g_log = {LDP_LOG_WARN, NULL, NULL};

static const char *level_names[] = {"error", "warn", "info", "debug", "trace"};

int ldp_log_parse_level(const char *name, ldp_log_level *out)
{
	for (int i = 0; i <= LDP_LOG_TRACE; i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*out = (ldp_log_level)i;
			return LDP_OK;
		}
	}
	if (strcasecmp(name, "warning") == 0) {
		*out = LDP_LOG_WARN;
		return LDP_OK;
	}
	return ldp_error_set(LDP_EINVALID, "unknown log level '%s' (use error, warn, info, debug or trace)", name);
}

int ldp_log_init_from_env(void)
{
	const char *v = getenv("LDP_LOG");
	if (!v || !*v)
		return LDP_OK;
	ldp_log_level lvl = LDP_LOG_WARN;
	int rc = ldp_log_parse_level(v, &lvl);
	/* ldp/log.h promises that an unknown value selects warn */
	g_log.level = rc == LDP_OK ? lvl : LDP_LOG_WARN;
	return rc;
}

void ldp_log_set_level(ldp_log_level level) { g_log.level = level; }
ldp_log_level ldp_log_get_level(void) { return g_log.level; }

void ldp_log_set_sink(ldp_log_sink sink, void *userdata)
{
	g_log.sink = sink;
	g_log.userdata = userdata;
}

void ldp_log(ldp_log_level level, const char *fmt, ...)
{
	if (level > g_log.level)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (g_log.sink) {
		g_log.sink(level, msg, g_log.userdata);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld ldp %s: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, level_names[level], msg);
}
