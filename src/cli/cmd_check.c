/* ldp check: data checks on a warehouse table (pipeline/check.h). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "pipeline/check.h"
#include "pipeline/rows.h"

void cmd_check_help(FILE *out)
{
	fprintf(out,
		"usage: ldp check <ns.table> [checks...] [options]\n\n"
		"Run data checks on a table (or view) of the project's warehouse. Each check prints\n"
		"PASS or FAIL; a failing check shows how many rows failed and a sample of them.\n\n"
		"Checks (repeat the list ones as often as needed):\n"
		"  --row-count-min N          at least N rows\n"
		"  --row-count-max N          at most N rows\n"
		"  --freshness COL:DURATION   max(COL) is at most DURATION (30m, 36h, 2d) old\n"
		"  --not-null COL             no NULL in COL\n"
		"  --unique COL[,COL...]      no two rows share the key (rows with a NULL key part are skipped)\n"
		"  --accepted-values COL=v1,v2,...\n"
		"                             every non-NULL COL, compared as text, is one of the values\n"
		"  --sql QUERY                a query returning the failing rows (it names the table itself)\n\n"
		"Options:\n"
		"  --where PRED               check only the rows matching PRED (not the --sql queries),\n"
		"                             e.g. --where \"pickup_date = DATE '2024-01-31'\"\n"
		"  --as-of TIMESTAMP          freshness is measured from this time instead of now\n"
		"  --sample N                 failing rows to show per check (default 5)\n"
		"  --json                     print the results as one JSON object\n\n"
		"Exit status: 0 every check passed, 1 a check failed or the table or a column is missing.\n"
		"Docs: docs/checks.md\n");
}

static int parse_count(const char *opt, const char *v, long long *out)
{
	char *end;
	*out = strtoll(v, &end, 10);
	if (!*v || *end || *out < 0)
		return cli_usage_error("check", "%s needs a whole number >= 0, not '%s'", opt, v);
	return 0;
}

static void print_results(const ldp_check_set *s, const ldp_check_result *r)
{
	size_t failed = 0;
	for (size_t i = 0; i < s->n; i++) {
		failed += !r[i].passed;
		printf("%s %s%s%s\n", r[i].passed ? "PASS" : "FAIL", r[i].name, *r[i].message ? ": " : "",
		       r[i].message);
		if (!r[i].sample)
			continue;
		ldp_buf b = LDP_BUF_INIT;
		ldp_rows_format(r[i].sample, (size_t)-1, 40, &b);
		/* indent the sample under its check line */
		for (const char *line = ldp_buf_cstr(&b), *nl; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			printf("    %.*s\n", (int)(nl - line), line);
		}
		long long shown = (long long)json_array_size(json_object_get(r[i].sample, "rows"));
		if (r[i].failing > shown)
			printf("    (%lld of %lld shown)\n", shown, (long long)r[i].failing);
		ldp_buf_free(&b);
	}
	printf("%s: %zu check%s, %zu passed, %zu failed", s->table, s->n, s->n == 1 ? "" : "s", s->n - failed, failed);
	if (s->where)
		printf(" (where %s)", s->where);
	printf("\n");
}

static int set_string(char **slot, const char *v)
{
	free(*slot);
	*slot = strdup(v);
	return *slot ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}

int cmd_check(int argc, char **argv)
{
	ldp_check_set s;
	memset(&s, 0, sizeof s);
	s.sample = 5;
	int json = 0, rc = LDP_OK, urc = 0;
	for (int i = 1; i < argc && !rc && !urc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0) {
			json = 1;
			continue;
		}
		if (a[0] != '-') {
			if (s.table)
				urc = cli_usage_error("check", "unexpected argument '%s' (one table per check command)", a);
			else
				rc = set_string(&s.table, a);
			continue;
		}
		if (i + 1 >= argc) {
			urc = cli_usage_error("check", "option '%s' needs a value", a);
			break;
		}
		const char *v = argv[++i];
		long long n;
		if (strcmp(a, "--row-count-min") == 0 || strcmp(a, "--row-count-max") == 0) {
			if (!(urc = parse_count(a, v, &n)))
				rc = ldp_check_add_row_count(&s, strcmp(a, "--row-count-max") == 0, n);
		} else if (strcmp(a, "--freshness") == 0) {
			rc = ldp_check_add(&s, LDP_CHECK_FRESHNESS, v);
		} else if (strcmp(a, "--not-null") == 0) {
			rc = ldp_check_add(&s, LDP_CHECK_NOT_NULL, v);
		} else if (strcmp(a, "--unique") == 0) {
			rc = ldp_check_add(&s, LDP_CHECK_UNIQUE, v);
		} else if (strcmp(a, "--accepted-values") == 0) {
			rc = ldp_check_add(&s, LDP_CHECK_ACCEPTED_VALUES, v);
		} else if (strcmp(a, "--sql") == 0) {
			rc = ldp_check_add(&s, LDP_CHECK_SQL, v);
		} else if (strcmp(a, "--where") == 0) {
			rc = set_string(&s.where, v);
		} else if (strcmp(a, "--as-of") == 0) {
			rc = set_string(&s.as_of, v);
		} else if (strcmp(a, "--sample") == 0) {
			if (!(urc = parse_count(a, v, &n)))
				s.sample = n > 10000 ? 10000 : (int)n;
		} else {
			urc = cli_usage_error("check", "unknown option '%s'", a);
		}
	}
	if (!rc && !urc && !s.table)
		urc = cli_usage_error("check", "name the table to check: ldp check <ns.table> --not-null COL ...");
	if (!rc && !urc && s.n == 0)
		urc = cli_usage_error("check", "no checks given (--row-count-min, --freshness, --not-null, --unique, "
					       "--accepted-values or --sql)");
	if (rc || urc) {
		ldp_check_set_clear(&s);
		return urc ? urc : cli_fail(rc);
	}

	ldp_project *p = NULL;
	ldp_warehouse *wh = NULL;
	ldp_check_result *res = NULL;
	rc = cli_open_warehouse(&p, &wh);
	if (!rc) {
		ldp_engine *e = NULL;
		if (!(rc = ldp_warehouse_engine(wh, &e))) {
			cli_set_running_engine(e);
			cli_install_interrupt_handler();
			rc = ldp_checks_run(wh, &s, &res);
			cli_set_running_engine(NULL);
		}
	}
	int failed = 0;
	if (!rc) {
		for (size_t i = 0; i < s.n; i++)
			failed += !res[i].passed;
		if (json) {
			json_t *o = ldp_check_results_json(&s, res);
			cli_print_json(o);
			json_decref(o);
		} else {
			print_results(&s, res);
		}
	}
	fflush(stdout);
	ldp_check_results_free(res, s.n);
	if (wh)
		cli_close_warehouse(p, wh);
	ldp_check_set_clear(&s);
	if (rc)
		return cli_fail(rc);
	return failed ? LDP_EXIT_USER : LDP_EXIT_OK;
}
