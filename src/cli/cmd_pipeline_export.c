/* ldp pipeline export --airflow NAME -o DIR: a pipeline as an Airflow DAG file (docs/airflow.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "pipeline/airflow.h"
#include "pipeline/pipeline.h"

static void export_help(FILE *out)
{
	fprintf(out,
		"usage: ldp pipeline export --airflow NAME -o DIR [--ldp-bin PATH] [--project-dir DIR] [--force]\n\n"
		"Write DIR/<NAME>.py, an Apache Airflow 2 DAG with one BashOperator task per step, each running\n"
		"`ldp pipeline run NAME --step STEP` for the run's data interval start; depends_on become\n"
		"dependencies; schedule, time zone, catchup, retries, backoff and timeouts carry over.\n"
		"  --airflow NAME      the pipeline to export\n"
		"  -o, --output DIR    the DAG folder (created if missing); '-' prints the file instead\n"
		"  --ldp-bin PATH      the ldp command on the Airflow workers (default: ldp, from PATH)\n"
		"  --project-dir DIR   the project directory as the workers see it (default: this project's)\n"
		"  --force             replace an existing DAG file that differs\n"
		"The file is the same for the same pipeline and options; an identical file is left alone.\n"
		"See docs/airflow.md for what Airflow does differently.\n");
}

static int export_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "ldp pipeline export: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see 'ldp pipeline export --help')\n");
	return LDP_EXIT_USER;
}

/* Replace path with text unless a different file is there and !force.
 * *unchanged says the file already had this content. */
static int write_dag(const char *path, const char *text, int force, int *unchanged)
{
	uint8_t *old = NULL;
	size_t old_len = 0, len = strlen(text);
	*unchanged = 0;
	int rc = ldp_io_read_all(path, &old, &old_len);
	if (rc == LDP_OK) {
		int same = old_len == len && memcmp(old, text, len) == 0;
		free(old);
		if (same) {
			*unchanged = 1;
			return LDP_OK;
		}
		if (!force)
			return ldp_error_set(LDP_EEXISTS,
					     "%s exists and differs from the export: it was edited, or is another "
					     "DAG; use --force to replace it",
					     path);
	} else if (rc != LDP_ENOTFOUND) {
		return rc;
	}
	ldp_error_clear();
	/* temp + rename: Airflow's DAG processor polls the folder and must
	 * never parse half a file */
	return ldp_io_write_atomic(path, text, len);
}

int cmd_pipeline_export(int argc, char **argv)
{
	const char *name = NULL, *dir = NULL, *ldp_bin = "ldp", *project_dir = NULL;
	int force = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has_value = i + 1 < argc;
		if (cli_is_help(a)) {
			export_help(stdout);
			return LDP_EXIT_OK;
		} else if (!strcmp(a, "--force")) {
			force = 1;
		} else if (!strcmp(a, "--airflow") || !strcmp(a, "-o") || !strcmp(a, "--output") ||
			   !strcmp(a, "--ldp-bin") || !strcmp(a, "--project-dir")) {
			if (!has_value)
				return export_usage("%s needs a value", a);
			const char *v = argv[++i];
			if (!strcmp(a, "--airflow"))
				name = v;
			else if (!strcmp(a, "--ldp-bin"))
				ldp_bin = v;
			else if (!strcmp(a, "--project-dir"))
				project_dir = v;
			else
				dir = v;
		} else if (a[0] == '-') {
			return export_usage("unknown option '%s'", a);
		} else {
			return export_usage("unexpected argument '%s' (the pipeline goes after --airflow)", a);
		}
	}
	if (!name)
		return export_usage("%s", "needs --airflow NAME (Airflow is the only export target)");
	if (!dir)
		return export_usage("%s", "needs -o DIR (the DAG folder)");
	if (!*ldp_bin)
		return export_usage("%s", "--ldp-bin is empty");
	if (project_dir && project_dir[0] != '/')
		return export_usage("--project-dir '%s' is not absolute: the tasks run in Airflow's own directory",
				    project_dir);

	ldp_project *p = NULL;
	ldp_pipeline_set *set = NULL;
	char *text = NULL;
	int rc = ldp_project_find(NULL, &p);
	if (!rc)
		rc = ldp_pipelines_load(p, &set);
	const ldp_pipeline *pl = NULL;
	if (!rc)
		rc = ldp_pipeline_find_or_error(set, name, &pl);
	ldp_airflow_options o = {.ldp_bin = ldp_bin, .project_dir = project_dir ? project_dir : (p ? p->dir : NULL)};
	if (!rc)
		rc = ldp_airflow_dag_render(pl, &o, &text);
	if (!rc && !strcmp(dir, "-")) {
		fputs(text, stdout);
	} else if (!rc) {
		char *id = NULL;
		ldp_buf path = LDP_BUF_INIT;
		int unchanged = 0;
		if ((rc = ldp_airflow_id(pl->name, &id)) == LDP_OK && (rc = ldp_io_mkdirs(dir)) == LDP_OK) {
			ldp_buf_printf(&path, "%s/%s.py", dir, id);
			if ((rc = ldp_buf_oom(&path)) == LDP_OK)
				rc = write_dag(ldp_buf_cstr(&path), text, force, &unchanged);
		}
		if (!rc)
			printf("%s %s (DAG %s, %zu task%s)\n", unchanged ? "unchanged" : "wrote", ldp_buf_cstr(&path), id,
			       pl->nsteps, pl->nsteps == 1 ? "" : "s");
		free(id);
		ldp_buf_free(&path);
	}
	free(text);
	ldp_pipeline_set_free(set);
	ldp_project_free(p);
	return rc ? cli_fail(rc) : LDP_EXIT_OK;
}
