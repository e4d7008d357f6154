/* Time-travel selectors: "t@<spec>" and --snapshot/--ref/--as-of; resolving them
 * against table metadata (spec: "Snapshots", "Snapshot References"). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ldp/error.h"
#include "table/table.h"

/* "2024-01-01", "2024-01-01 10:00:00[.fff]", "2024-01-01T10:00:00Z" -> epoch ms (UTC). */
static int parse_timestamp_ms(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	const char *p = s + n;
	if (*p == ' ' || *p == 'T') {
		int m = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2)
			return -1;
		p += 1 + m;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &sec, &m) != 1)
				return -1;
			p += 1 + m;
		}
	}
	int64_t ms_frac = 0;
	if (*p == '.') {
		p++;
		int digits = 0;
		while (isdigit((unsigned char)*p)) {
			if (digits < 3) {
				ms_frac = ms_frac * 10 + (*p - '0');
				digits++;
			}
			p++;
		}
		while (digits++ < 3)
			ms_frac *= 10;
	}
	if (*p == 'Z' || (p[0] == '+' && p[1] == '0' && p[2] == '0' && (p[3] == '\0' || p[3] == ':')))
		p += *p == 'Z' ? 1 : (p[3] == ':' ? 6 : 3);
	if (*p)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm) * 1000 + ms_frac;
	return 0;
}

int ldp_snapshot_selector_parse(const char *spec, ldp_snapshot_selector *out)
{
	memset(out, 0, sizeof *out);
	if (!spec || !*spec)
		return ldp_error_set(LDP_EINVALID, "empty time-travel selector after '@'");
	if (strncmp(spec, "tag:", 4) == 0 || strncmp(spec, "branch:", 7) == 0) {
		out->ref = strchr(spec, ':') + 1;
		if (!*out->ref)
			return ldp_error_set(LDP_EINVALID, "'%s' names no ref", spec);
		return LDP_OK;
	}
	if (strncmp(spec, "ms:", 3) == 0) {
		char *end;
		out->as_of_ms = strtoll(spec + 3, &end, 10);
		if (*end || out->as_of_ms <= 0)
			return ldp_error_set(LDP_EINVALID, "'%s' is not epoch milliseconds", spec);
		return LDP_OK;
	}
	if (strspn(spec, "0123456789") == strlen(spec)) {
		out->snapshot_id = strtoll(spec, NULL, 10);
		if (out->snapshot_id <= 0)
			return ldp_error_set(LDP_EINVALID, "'%s' is not a snapshot id", spec);
		return LDP_OK;
	}
	if (isdigit((unsigned char)spec[0])) {
		if (parse_timestamp_ms(spec, &out->as_of_ms) == 0)
			return LDP_OK;
		return ldp_error_set(LDP_EINVALID, "'%s' is neither a snapshot id nor a timestamp like 2024-01-01 10:00:00", spec);
	}
	out->ref = spec; /* a bare ref name */
	return LDP_OK;
}

static const ldp_snapshot *find_snapshot(const ldp_metadata *m, int64_t id)
{
	for (size_t i = 0; i < m->nsnapshots; i++)
		if (m->snapshots[i]->snapshot_id == id)
			return m->snapshots[i];
	return NULL;
}

int ldp_table_resolve_snapshot(const ldp_table *t, const ldp_snapshot_selector *sel, const ldp_snapshot **out)
{
	const ldp_metadata *m = t->meta;
	*out = NULL;
	const char *tn = t->ident.name;
	if (sel && sel->snapshot_id > 0) {
		*out = find_snapshot(m, sel->snapshot_id);
		if (!*out)
			return ldp_error_set(LDP_ENOTFOUND, "table %s.%s has no snapshot %lld (see ldp table snapshots)", t->ident.ns, tn, (long long)sel->snapshot_id);
		return LDP_OK;
	}
	if (sel && sel->ref) {
		for (size_t i = 0; i < m->nrefs; i++)
			if (strcmp(m->refs[i].name, sel->ref) == 0) {
				*out = find_snapshot(m, m->refs[i].snapshot_id);
				if (!*out)
					return ldp_error_set(LDP_ECORRUPT, "table %s.%s: ref %s points at missing snapshot %lld", t->ident.ns, tn, sel->ref, (long long)m->refs[i].snapshot_id);
				return LDP_OK;
			}
		return ldp_error_set(LDP_ENOTFOUND, "table %s.%s has no branch or tag named '%s'", t->ident.ns, tn, sel->ref);
	}
	if (sel && sel->as_of_ms > 0) {
		/* The snapshot that was current at that time: the last snapshot-log
		 * entry at or before it (spec: snapshot-log). */
		int64_t best = -1;
		for (size_t i = 0; i < m->nsnapshot_log; i++)
			if (m->snapshot_log[i].timestamp_ms <= sel->as_of_ms)
				best = m->snapshot_log[i].snapshot_id;
		if (best < 0)
			return ldp_error_set(LDP_ENOTFOUND, "table %s.%s had no snapshot at or before that time", t->ident.ns, tn);
		*out = find_snapshot(m, best);
		if (!*out)
			return ldp_error_set(LDP_ENOTFOUND, "table %s.%s: snapshot %lld current at that time has expired", t->ident.ns, tn, (long long)best);
		return LDP_OK;
	}
	if (m->current_snapshot_id >= 0) {
		*out = find_snapshot(m, m->current_snapshot_id);
		if (!*out)
			return ldp_error_set(LDP_ECORRUPT, "table %s.%s: current snapshot %lld is missing from its metadata", t->ident.ns, tn, (long long)m->current_snapshot_id);
	}
	return LDP_OK;
}
