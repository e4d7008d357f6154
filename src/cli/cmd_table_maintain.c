/* ldp table expire-snapshots|remove-orphans|rewrite-data|rewrite-manifests|maintain */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/table_cli.h"
#include "format/metadata.h"
#include "ldp/error.h"
#include "table/maintain.h"

typedef struct margs {
	const char *table;
	int json, dry_run, all;
	int retain_last;
	int64_t older_than_ms, orphans_older_ms, snapshot_id, target_size;
	const char *sort_by, *where;
} margs;

/* "now", "7d" / "12h" / "30m" (that long ago), or a time ldp sql's time
 * travel accepts ("2024-01-01 10:00:00", "ms:<epoch millis>"). */
static int parse_time(const char *s, int64_t *out)
{
	if (strcmp(s, "now") == 0) {
		/* later than anything, including snapshots maintain commits before it expires */
		*out = INT64_MAX;
		return LDP_OK;
	}
	char *end = NULL;
	long long n = strtoll(s, &end, 10);
	if (end && end != s && end[0] && !end[1] && strchr("dhm", end[0])) {
		int64_t unit = end[0] == 'd' ? 86400000LL : end[0] == 'h' ? 3600000LL : 60000LL;
		*out = ldp_now_ms() - n * unit;
		return LDP_OK;
	}
	ldp_snapshot_selector sel;
	int rc = ldp_snapshot_selector_parse(s, &sel);
	if (rc || sel.as_of_ms <= 0)
		return ldp_error_set(LDP_EINVALID,
				     "'%s' is not a time: use now, 7d, 12h, 30m, '2024-01-01 10:00:00' or ms:<epoch millis>", s);
	*out = sel.as_of_ms;
	return LDP_OK;
}

static int parse(int argc, char **argv, margs *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		int more = i + 1 < argc;
		int rc = LDP_OK;
		if (strcmp(s, "--json") == 0)
			a->json = 1;
		else if (strcmp(s, "--dry-run") == 0)
			a->dry_run = 1;
		else if (strcmp(s, "--all") == 0)
			a->all = 1;
		else if (strcmp(s, "--older-than") == 0 && more)
			rc = parse_time(argv[++i], &a->older_than_ms);
		else if (strcmp(s, "--orphans-older-than") == 0 && more)
			rc = parse_time(argv[++i], &a->orphans_older_ms);
		else if (strcmp(s, "--retain-last") == 0 && more)
			a->retain_last = atoi(argv[++i]);
		else if (strcmp(s, "--snapshot") == 0 && more)
			a->snapshot_id = strtoll(argv[++i], NULL, 10);
		else if (strcmp(s, "--target-size") == 0 && more)
			a->target_size = strtoll(argv[++i], NULL, 10);
		else if (strcmp(s, "--sort-by") == 0 && more)
			a->sort_by = argv[++i];
		else if (strcmp(s, "--where") == 0 && more)
			a->where = argv[++i];
		else if (s[0] == '-')
			return ldp_error_set(LDP_EINVALID, "unknown option '%s' for table %s (or it needs a value)", s, argv[1]);
		else if (!a->table)
			a->table = s;
		else
			return ldp_error_set(LDP_EINVALID, "unexpected argument '%s'", s);
		if (rc)
			return rc;
	}
	if (!a->table)
		return ldp_error_set(LDP_EINVALID, "table %s needs a table name (namespace.table)", argv[1]);
	if (a->retain_last < 0)
		return ldp_error_set(LDP_EINVALID, "--retain-last must be at least 1");
	return LDP_OK;
}

static json_t *strings_json(const ldp_string_list *l)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(arr, json_string(l->items[i]));
	return arr;
}

static int expire(ldp_warehouse *wh, const ldp_ident *id, const margs *a, json_t *report)
{
	ldp_expire_options o = {a->older_than_ms, a->retain_last, a->snapshot_id, a->dry_run};
	ldp_expire_result r;
	int rc = ldp_table_expire_snapshots(wh, id, &o, &r);
	if (rc)
		return rc;
	if (report) {
		json_t *ids = json_array();
		for (size_t i = 0; i < r.nexpired; i++)
			json_array_append_new(ids, json_integer(r.expired[i]));
		json_t *o2 = json_object();
		json_object_set_new(o2, "expired_snapshots", ids);
		json_object_set_new(o2, "deleted_files", strings_json(&r.deleted));
		json_object_set_new(report, "expire_snapshots", o2);
	} else {
		printf("%s %zu snapshot%s", a->dry_run ? "Would expire" : "Expired", r.nexpired, r.nexpired == 1 ? "" : "s");
		for (size_t i = 0; i < r.nexpired; i++)
			printf("%s%" PRId64, i ? ", " : " (", r.expired[i]);
		printf("%s; %s %zu file%s\n", r.nexpired ? ")" : "", a->dry_run ? "would delete" : "deleted", r.deleted.n,
		       r.deleted.n == 1 ? "" : "s");
		for (size_t i = 0; a->dry_run && i < r.deleted.n; i++)
			printf("  %s\n", r.deleted.items[i]);
	}
	ldp_expire_result_clear(&r);
	return LDP_OK;
}

static int orphans(ldp_warehouse *wh, const ldp_ident *id, const margs *a, int64_t older, json_t *report)
{
	ldp_string_list l;
	int rc = ldp_table_remove_orphans(wh, id, older, a->dry_run, &l);
	if (rc)
		return rc;
	if (report) {
		json_object_set_new(report, a->dry_run ? "orphan_files" : "removed_orphan_files", strings_json(&l));
	} else {
		printf("%s %zu orphan file%s\n", a->dry_run ? "Found" : "Removed", l.n, l.n == 1 ? "" : "s");
		for (size_t i = 0; i < l.n; i++)
			printf("  %s\n", l.items[i]);
	}
	ldp_string_list_clear(&l);
	return LDP_OK;
}

static int rewrite_data(ldp_warehouse *wh, const ldp_ident *id, const margs *a, json_t *report)
{
	ldp_rewrite_options o = {a->target_size, a->sort_by, a->where, a->all};
	ldp_rewrite_result r;
	int rc = ldp_table_rewrite_data(wh, id, &o, &r);
	if (rc)
		return rc;
	if (report) {
		json_t *o2 = json_object();
		json_object_set_new(o2, "snapshot_id", r.snapshot_id > 0 ? json_integer(r.snapshot_id) : json_null());
		json_object_set_new(o2, "files_rewritten", json_integer(r.files_rewritten));
		json_object_set_new(o2, "files_added", json_integer(r.files_added));
		json_object_set_new(o2, "delete_files_removed", json_integer(r.delete_files_removed));
		json_object_set_new(o2, "rows", json_integer(r.rows));
		json_object_set_new(report, "rewrite_data", o2);
	} else if (r.snapshot_id < 0) {
		printf("Data files: nothing to rewrite\n");
	} else {
		printf("Rewrote %" PRId64 " data files into %" PRId64 " (%" PRId64 " rows, %" PRId64
		       " delete files applied and removed), snapshot %" PRId64 "\n",
		       r.files_rewritten, r.files_added, r.rows, r.delete_files_removed, r.snapshot_id);
	}
	return LDP_OK;
}

static int rewrite_manifests(ldp_warehouse *wh, const ldp_ident *id, json_t *report)
{
	int64_t sid, before, after;
	int rc = ldp_table_rewrite_manifests(wh, id, &sid, &before, &after);
	if (rc)
		return rc;
	if (report) {
		json_t *o2 = json_object();
		json_object_set_new(o2, "snapshot_id", sid > 0 ? json_integer(sid) : json_null());
		json_object_set_new(o2, "manifests_before", json_integer(before));
		json_object_set_new(o2, "manifests_after", json_integer(after));
		json_object_set_new(report, "rewrite_manifests", o2);
	} else if (sid < 0) {
		printf("Manifests: nothing to rewrite (%" PRId64 " manifest%s)\n", before, before == 1 ? "" : "s");
	} else {
		printf("Rewrote manifests: %" PRId64 " -> %" PRId64 ", snapshot %" PRId64 "\n", before, after, sid);
	}
	return LDP_OK;
}

int table_cli_maintain(ldp_warehouse *wh, int argc, char **argv)
{
	margs a;
	int rc = parse(argc, argv, &a);
	ldp_ident id;
	if (!rc)
		rc = ldp_ident_parse(a.table, &id);
	if (rc)
		return rc;
	const char *sub = argv[1];
	json_t *report = a.json ? json_object() : NULL;
	if (strcmp(sub, "expire-snapshots") == 0) {
		rc = expire(wh, &id, &a, report);
	} else if (strcmp(sub, "remove-orphans") == 0) {
		rc = orphans(wh, &id, &a, a.older_than_ms, report);
	} else if (strcmp(sub, "rewrite-data") == 0) {
		rc = rewrite_data(wh, &id, &a, report);
	} else if (strcmp(sub, "rewrite-manifests") == 0) {
		rc = rewrite_manifests(wh, &id, report);
	} else {
		/* the recommended set, in the order that frees the most: compact
		 * (applying deletes), merge manifests, expire what that replaced,
		 * then sweep files no snapshot knows about */
		if (a.dry_run)
			rc = ldp_error_set(LDP_EINVALID, "maintain has no --dry-run; run expire-snapshots or remove-orphans with --dry-run");
		if (!rc)
			rc = rewrite_data(wh, &id, &a, report);
		if (!rc)
			rc = rewrite_manifests(wh, &id, report);
		if (!rc)
			rc = expire(wh, &id, &a, report);
		if (!rc)
			rc = orphans(wh, &id, &a, a.orphans_older_ms, report);
	}
	if (!rc && report)
		cli_print_json(report);
	json_decref(report);
	return rc;
}
