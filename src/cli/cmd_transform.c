/* ldp transform run|build|test|seed|compile|ls|docs: dbt projects on the warehouse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ldp/error.h"
#include "transform/transform.h"

void cmd_transform_help(FILE *out)
{
	fprintf(out,
		"usage: ldp transform <command> [options]\n\n"
		"Run a dbt project (dbt_project.yml, or an ldp.yml project with models/, seeds/, tests/,\n"
		"macros/) with the ldp warehouse as the target: models and seeds become Iceberg tables\n"
		"and views in the namespace named by their schema.\n\n"
		"Commands:\n"
		"  run       build the selected models\n"
		"  build     seeds, models and tests in DAG order; skips what is downstream of a failure\n"
		"  test      run the data tests\n"
		"  seed      load the CSV seeds\n"
		"  compile   render the SQL into target/compiled/\n"
		"  ls        list the selected nodes\n"
		"  docs      write target/index.html: lineage graph and model docs (self-contained)\n\n"
		"Options:\n"
		"  --project-dir DIR     the dbt project (default: the current directory)\n"
		"  --profiles-dir DIR    where profiles.yml is (default: project dir, $DBT_PROFILES_DIR, ~/.dbt)\n"
		"  -t, --target NAME     the profile target\n"
		"  -s, --select SEL...   nodes: name, +name, name+, 2+name, tag:x, path:models/x, source:s,\n"
		"                        a,b (both), 'a b' (either)\n"
		"  --exclude SEL...      nodes to leave out\n"
		"  --threads N           run N independent nodes at once\n"
		"  --full-refresh        rebuild incremental models from scratch\n"
		"  --vars YAML           variables, e.g. '{start: 2024-01-01}'\n"
		"  --resource-type T     ls: model | seed | test | source\n\n"
		"Exit code 1 when a node fails. The warehouse is the ldp project (ldp.yml) in or above the\n"
		"dbt project directory, or LDP_PROJECT. See docs/transform.md.\n");
}

static const char *dots(size_t used)
{
	static const char d[] = " .............................................................................";
	size_t width = 72;
	return used + 2 >= width ? " " : d + (sizeof d - 1) - (width - used);
}

static void on_event(const ldp_dbt_event *ev, void *ud)
{
	(void)ud;
	char left[1200];
	switch (ev->kind) {
	case LDP_DBT_EV_HEADER:
		printf("%s\n\n", ev->message);
		break;
	case LDP_DBT_EV_START:
		snprintf(left, sizeof left, "%zu of %zu START %s %s", ev->index, ev->total, ev->what, ev->name);
		printf("%s%s [RUN]\n", left, dots(strlen(left)));
		break;
	case LDP_DBT_EV_RESULT: {
		const char *verb = !strcmp(ev->what, "seed file") ? "loaded" : !strcmp(ev->what, "test") ? "" : "created";
		int is_test = !strcmp(ev->what, "test");
		if (!strcmp(ev->status, "SKIP"))
			snprintf(left, sizeof left, "%zu of %zu SKIP %s %s", ev->index, ev->total, ev->what, ev->name);
		else if (!strcmp(ev->status, "ERROR"))
			snprintf(left, sizeof left, "%zu of %zu ERROR %s %s %s", ev->index, ev->total,
				 is_test ? "testing" : "creating", ev->what, ev->name);
		else if (is_test)
			snprintf(left, sizeof left, "%zu of %zu %s%s%s %s", ev->index, ev->total, ev->status,
				 strcmp(ev->status, "PASS") ? " " : "", strcmp(ev->status, "PASS") ? ev->message : "", ev->name);
		else
			snprintf(left, sizeof left, "%zu of %zu OK %s %s %s", ev->index, ev->total, verb, ev->what, ev->name);
		if (!strcmp(ev->status, "SKIP"))
			printf("%s%s [SKIP]\n", left, dots(strlen(left)));
		else if (!strcmp(ev->status, "ERROR"))
			printf("%s%s [ERROR in %.2fs]\n  %s\n", left, dots(strlen(left)), ev->seconds, ev->message);
		else if (is_test)
			printf("%s%s [%s%s%s in %.2fs]\n", left, dots(strlen(left)), ev->status, strcmp(ev->status, "PASS") ? " " : "",
			       strcmp(ev->status, "PASS") ? ev->message : "", ev->seconds);
		else
			printf("%s%s [%s in %.2fs]\n", left, dots(strlen(left)), ev->message, ev->seconds);
		break;
	}
	case LDP_DBT_EV_LOG:
		printf("%s\n", ev->message);
		break;
	case LDP_DBT_EV_DETAIL:
		printf("    %s: %s\n", ev->name, ev->message);
		break;
	case LDP_DBT_EV_LIST:
		printf("%s\n", ev->name);
		break;
	}
	fflush(stdout);
}

static int collect(int argc, char **argv, int *i, const char **list, size_t *n, size_t max)
{
	int any = 0;
	while (*i + 1 < argc && argv[*i + 1][0] != '-') {
		if (*n == max)
			return ldp_error_set(LDP_EINVALID, "too many selectors (at most %zu)", max);
		list[(*n)++] = argv[++*i];
		any = 1;
	}
	return any ? 0 : ldp_error_set(LDP_EINVALID, "%s needs at least one selector", argv[*i]);
}

int cmd_transform(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("transform", "missing command (run, build, test, seed, compile, ls, docs)");
	static const struct {
		const char *name;
		ldp_dbt_command cmd;
	} cmds[] = {{"run", LDP_DBT_RUN},         {"build", LDP_DBT_BUILD}, {"test", LDP_DBT_TEST}, {"seed", LDP_DBT_SEED},
		    {"compile", LDP_DBT_COMPILE}, {"ls", LDP_DBT_LS},       {"list", LDP_DBT_LS},   {"docs", LDP_DBT_DOCS}};
	int ci = -1;
	for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++)
		if (!strcmp(argv[1], cmds[k].name))
			ci = (int)k;
	if (ci < 0)
		return cli_usage_error("transform", "unknown command '%s'", argv[1]);
	ldp_dbt_command cmd = cmds[ci].cmd;
	ldp_dbt_options o;
	memset(&o, 0, sizeof o);
	const char *sel[64], *ex[64];
	o.select = sel;
	o.exclude = ex;
	int rc = 0;
	for (int i = 2; i < argc && !rc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = !strcmp(a, "--project-dir") || !strcmp(a, "--profiles-dir") || !strcmp(a, "-t") ||
			    !strcmp(a, "--target") || !strcmp(a, "--threads") || !strcmp(a, "--vars") ||
			    !strcmp(a, "--resource-type");
		if (takes && !v)
			return cli_usage_error("transform", "option %s needs a value", a);
		if (!strcmp(a, "--project-dir"))
			o.project_dir = v, i++;
		else if (!strcmp(a, "--profiles-dir"))
			o.profiles_dir = v, i++;
		else if (!strcmp(a, "-t") || !strcmp(a, "--target"))
			o.target = v, i++;
		else if (!strcmp(a, "--threads"))
			o.threads = atoi(v), i++;
		else if (!strcmp(a, "--vars"))
			o.vars = v, i++;
		else if (!strcmp(a, "--resource-type"))
			o.resource_type = v, i++;
		else if (!strcmp(a, "--full-refresh"))
			o.full_refresh = 1;
		else if (!strcmp(a, "-s") || !strcmp(a, "--select") || !strcmp(a, "-m") || !strcmp(a, "--models"))
			rc = collect(argc, argv, &i, sel, &o.nselect, 64);
		else if (!strcmp(a, "--exclude"))
			rc = collect(argc, argv, &i, ex, &o.nexclude, 64);
		else
			return cli_usage_error("transform", "unknown option '%s'", a);
	}
	if (rc)
		return cli_fail(rc);
	ldp_project *proj = NULL;
	rc = ldp_project_find(o.project_dir, &proj);
	if (rc && (cmd == LDP_DBT_LS || cmd == LDP_DBT_DOCS || cmd == LDP_DBT_COMPILE)) {
		ldp_error_clear();
		rc = 0;
	}
	if (rc)
		return cli_fail(rc);
	o.warehouse_project = proj;
	ldp_dbt_summary sum;
	rc = ldp_dbt_execute(cmd, &o, on_event, NULL, &sum);
	ldp_project_free(proj);
	if (rc)
		return cli_fail(rc);
	if (cmd == LDP_DBT_LS)
		return LDP_EXIT_OK;
	if (cmd == LDP_DBT_DOCS) {
		printf("Wrote %s\n", sum.output_path);
		return LDP_EXIT_OK;
	}
	printf("\nFinished running");
	const char *sep = " ";
	if (sum.nseeds)
		printf("%s%d seed%s", sep, sum.nseeds, sum.nseeds == 1 ? "" : "s"), sep = ", ";
	static const char *const mk[] = {"view", "table", "incremental", "ephemeral"};
	for (int k = 0; k < 4; k++)
		if (sum.nmodels[k])
			printf("%s%d %s model%s", sep, sum.nmodels[k], mk[k], sum.nmodels[k] == 1 ? "" : "s"), sep = ", ";
	if (sum.ntests)
		printf("%s%d data test%s", sep, sum.ntests, sum.ntests == 1 ? "" : "s"), sep = ", ";
	if (*sep == ' ')
		printf(" 0 nodes");
	printf(" in %.2fs.\n\n", sum.seconds);
	if (cmd == LDP_DBT_COMPILE)
		printf("Compiled SQL is in %s\n", sum.output_path);
	printf("%s\n", sum.error ? "Completed with errors" : sum.warn ? "Completed with warnings" : "Completed successfully");
	printf("\nDone. PASS=%d WARN=%d ERROR=%d SKIP=%d TOTAL=%d\n", sum.pass, sum.warn, sum.error, sum.skip, sum.total);
	return sum.error ? LDP_EXIT_USER : LDP_EXIT_OK;
}
