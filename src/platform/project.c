/* ldp.yml: finding, loading and creating projects; see ldp/project.h. */
#include "ldp/project.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldp/buf.h"
#include "ldp/error.h"
#include "ldp/io.h"
#include "ldp/yaml.h"

void ldp_project_free(ldp_project *p)
{
	if (!p)
		return;
	free(p->dir);
	free(p->config_path);
	free(p->name);
	free(p->warehouse);
	free(p->catalog_type);
	free(p->catalog_uri);
	free(p->catalog_name);
	json_decref(p->config);
	free(p);
}

static int is_uri(const char *s)
{
	return strstr(s, "://") != NULL;
}

/* Resolve a path from ldp.yml relative to the project directory. */
static char *resolve(const char *dir, const char *path)
{
	if (is_uri(path) || path[0] == '/')
		return strdup(ldp_io_local_path(path));
	ldp_buf b = LDP_BUF_INIT;
	ldp_buf_printf(&b, "%s/%s", dir, path);
	return ldp_buf_detach(&b);
}

static int str_field(json_t *obj, const char *key, const char *def, const char *file, char **out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (v && !json_is_string(v))
		return ldp_error_set(LDP_EINVALID, "%s: '%s' must be a string", file, key);
	*out = strdup(v ? json_string_value(v) : def);
	return *out ? LDP_OK : ldp_error_set(LDP_ENOMEM, "out of memory");
}

int ldp_project_load(const char *config_path, ldp_project **out)
{
	*out = NULL;
	char abs[PATH_MAX];
	if (!realpath(config_path, abs))
		return ldp_error_set(errno == ENOENT ? LDP_ENOTFOUND : LDP_EIO, "%s: %s", config_path, strerror(errno));
	json_t *cfg;
	int rc = ldp_yaml_load_file(abs, &cfg);
	if (rc)
		return rc;
	if (!json_is_object(cfg)) {
		json_decref(cfg);
		return ldp_error_set(LDP_EINVALID, "%s: expected a mapping at the top level", abs);
	}
	ldp_project *p = calloc(1, sizeof *p);
	if (!p) {
		json_decref(cfg);
		return ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	p->config = cfg;
	p->config_path = strdup(abs);
	char *slash = strrchr(abs, '/');
	*slash = '\0';
	p->dir = strdup(abs[0] ? abs : "/");

	json_t *cat = json_object_get(cfg, "catalog");
	if (cat && !json_is_object(cat)) {
		ldp_project_free(p);
		return ldp_error_set(LDP_EINVALID, "%s: 'catalog' must be a mapping (type, uri, name)", config_path);
	}
	char *wh = NULL, *uri = NULL;
	rc = str_field(cfg, "name", "ldp", config_path, &p->name);
	if (!rc)
		rc = str_field(cfg, "warehouse", "warehouse", config_path, &wh);
	if (!rc)
		rc = str_field(cat, "type", "sqlite", config_path, &p->catalog_type);
	if (!rc)
		rc = str_field(cat, "name", "ldp", config_path, &p->catalog_name);
	if (!rc) {
		/* default catalog file: inside a local warehouse */
		ldp_buf d = LDP_BUF_INIT;
		ldp_buf_printf(&d, "%s/catalog.db", wh);
		rc = str_field(cat, "uri", is_uri(wh) ? "catalog.db" : ldp_buf_cstr(&d), config_path, &uri);
		ldp_buf_free(&d);
	}
	int rest = !rc && strcmp(p->catalog_type, "rest") == 0;
	if (!rc && !rest && strcmp(p->catalog_type, "sqlite") != 0)
		rc = ldp_error_set(LDP_EUNSUPPORTED, "%s: catalog type '%s' is not supported (use sqlite or rest)", config_path, p->catalog_type);
	if (!rc && rest && !json_string_value(json_object_get(cat, "uri")))
		rc = ldp_error_set(LDP_EINVALID, "%s: a rest catalog needs catalog.uri (e.g. http://127.0.0.1:8181)", config_path);
	if (!rc) {
		p->warehouse = resolve(p->dir, wh);
		const char *u = uri;
		if (strncmp(u, "sqlite:///", 10) == 0) /* pyiceberg-style URI */
			u += 9;
		p->catalog_uri = rest ? strdup(u) : resolve(p->dir, u); /* a REST uri is a URL, not a path */
		if (!p->warehouse || !p->catalog_uri || !p->config_path || !p->dir)
			rc = ldp_error_set(LDP_ENOMEM, "out of memory");
	}
	free(wh);
	free(uri);
	if (rc) {
		ldp_project_free(p);
		return rc;
	}
	*out = p;
	return LDP_OK;
}

int ldp_project_find(const char *start_dir, ldp_project **out)
{
	*out = NULL;
	const char *env = getenv("LDP_PROJECT");
	char path[PATH_MAX + 16];
	if (env && *env) {
		size_t n = strlen(env);
		if (n > 4 && (strcmp(env + n - 4, ".yml") == 0 || strcmp(env + n - 5, ".yaml") == 0))
			snprintf(path, sizeof path, "%s", env);
		else
			snprintf(path, sizeof path, "%s/ldp.yml", env);
		int rc = ldp_project_load(path, out);
		return rc ? ldp_error_wrap(rc, "loading the project named by LDP_PROJECT") : rc;
	}
	char dir[PATH_MAX];
	if (start_dir) {
		if (!realpath(start_dir, dir))
			return ldp_error_set(LDP_ENOTFOUND, "%s: %s", start_dir, strerror(errno));
	} else if (!getcwd(dir, sizeof dir)) {
		return ldp_error_set(LDP_EIO, "cannot read the current directory: %s", strerror(errno));
	}
	for (;;) {
		snprintf(path, sizeof path, "%s/ldp.yml", dir);
		if (access(path, F_OK) == 0)
			return ldp_project_load(path, out);
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			break;
		*slash = '\0';
	}
	return ldp_error_set(LDP_ENOTFOUND, "no ldp.yml here or in any parent directory (run 'ldp init' to create a project, or set LDP_PROJECT)");
}

int ldp_project_init(const char *dir, const char *name, ldp_project **out)
{
	*out = NULL;
	int rc = ldp_io_mkdirs(dir);
	if (rc)
		return rc;
	ldp_buf path = LDP_BUF_INIT, text = LDP_BUF_INIT, wh = LDP_BUF_INIT;
	ldp_buf_printf(&path, "%s/ldp.yml", dir);
	ldp_buf_printf(&wh, "%s/warehouse", dir);
	if (!name) {
		char abs[PATH_MAX];
		name = realpath(dir, abs) ? strrchr(abs, '/') + 1 : "ldp";
		if (!*name)
			name = "ldp";
		ldp_buf_printf(&text, "name: %s\n", name);
	} else {
		ldp_buf_printf(&text, "name: %s\n", name);
	}
	ldp_buf_puts(&text,
		     "# Where tables live: a directory (relative to this file) or s3://bucket/prefix.\n"
		     "warehouse: warehouse\n"
		     "# The Iceberg catalog: one SQLite file in the Iceberg JDBC / pyiceberg SqlCatalog layout.\n"
		     "catalog:\n"
		     "  type: sqlite\n"
		     "  uri: warehouse/catalog.db\n"
		     "  name: ldp\n");
	if (ldp_io_exists(ldp_buf_cstr(&path)))
		rc = ldp_error_set(LDP_EEXISTS, "%s already exists", ldp_buf_cstr(&path));
	if (!rc)
		rc = ldp_io_mkdirs(ldp_buf_cstr(&wh));
	if (!rc)
		rc = ldp_io_write_exclusive(ldp_buf_cstr(&path), text.ptr, text.len);
	if (!rc)
		rc = ldp_project_load(ldp_buf_cstr(&path), out);
	ldp_buf_free(&path);
	ldp_buf_free(&text);
	ldp_buf_free(&wh);
	return rc;
}
