/*
 * DELETE/UPDATE/MERGE INTO on Iceberg tables through ldp sql; see
 * table/sqlrun.h. The target table's name is replaced by the temporary table
 * table/rowlevel.c fills (aliased to the table's own name when the statement
 * gives no alias, so t.col still resolves), and rowlevel.c does the rest.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/sqlscan.h"
#include "ldp/error.h"
#include "table/rowlevel.h"
#include "table/sqlrun.h"

typedef struct target_ctx {
	ldp_sql_session *s;
	ldp_ident id;
	char suffix[256]; /* time travel / branch after '@', "" when none */
	size_t offset, length;
	int found;
	int rc;
	/* later references ns.t.col to the target: rewritten to "t".col */
	struct {
		size_t offset, length;
		char *col;
	} cols[64];
	size_t ncols;
} target_ctx;

static int find_target(const ldp_sql_name *n, void *ud)
{
	target_ctx *c = ud;
	if (c->found) {
		/* ns.t.col after the target names a column of the target (DuckDB
		 * binds it to the table reference named ns.t, which becomes "t") */
		if (n->nparts == 3 && c->ncols < 64 && strcasecmp(n->parts[0], c->id.ns) == 0 &&
		    strcasecmp(n->parts[1], c->id.name) == 0 && n->offset > c->offset) {
			c->cols[c->ncols].offset = n->offset;
			c->cols[c->ncols].length = n->length;
			c->cols[c->ncols].col = strdup(n->parts[2]);
			c->ncols++;
		}
		return 0;
	}
	if (n->nparts > 3)
		return 0;
	char ns[512], name[256];
	if (n->nparts == 3)
		snprintf(ns, sizeof ns, "%s.%s", n->parts[0], n->parts[1]);
	else
		snprintf(ns, sizeof ns, "%s", n->parts[0]);
	snprintf(name, sizeof name, "%s", n->parts[n->nparts - 1]);
	char *at = strchr(name, '@');
	if (at) {
		snprintf(c->suffix, sizeof c->suffix, "%s", at + 1);
		*at = '\0';
	}
	int exists = 0;
	c->rc = ldp_warehouse_resolve_table(c->s->wh, ns, name, &c->id, &exists);
	if (c->rc)
		return 1;
	if (!exists) {
		c->suffix[0] = '\0';
		return 0;
	}
	c->found = 1;
	c->offset = n->offset;
	c->length = n->length;
	return 0;
}

static void free_cols(target_ctx *c)
{
	for (size_t i = 0; i < c->ncols; i++)
		free(c->cols[i].col);
	c->ncols = 0;
}

/* Does an alias follow the target name? Not when the next word is a clause keyword. */
static int has_alias(const char *rest)
{
	char w[2][32];
	size_t n = ldp_sql_words(rest, strlen(rest), w, 1);
	if (n == 0)
		return 0;
	static const char *const clause[] = {"where", "set", "using", "returning", "on", "from", "when"};
	for (size_t i = 0; i < sizeof clause / sizeof clause[0]; i++)
		if (strcmp(w[0], clause[i]) == 0)
			return 0;
	return 1;
}

/* One identifier at *p (bare or "quoted"), copied raw into out; 0 if none. */
static int ident_at(const char **p, char *out, size_t cap)
{
	const char *s = *p;
	while (isspace((unsigned char)*s))
		s++;
	const char *b = s;
	if (*s == '"') {
		for (s++; *s && !(*s == '"' && s[1] != '"'); s += *s == '"' ? 2 : 1)
			;
		if (*s != '"')
			return 0;
		s++;
	} else {
		if (!isalpha((unsigned char)*s) && *s != '_')
			return 0;
		while (isalnum((unsigned char)*s) || *s == '_')
			s++;
	}
	if ((size_t)(s - b) >= cap)
		return 0;
	memcpy(out, b, (size_t)(s - b));
	out[s - b] = '\0';
	*p = s;
	return 1;
}

/* DELETE FROM __ldp_dml [[AS] alias] [WHERE cond]: the alias and where cond
 * starts (NULL: no WHERE). 0 when the statement has any other shape (USING,
 * RETURNING...), which the general path handles. */
static int plain_delete(const char *q, char *alias, size_t cap, const char **cond)
{
	char w[64];
	const char *p = q;
	if (!ident_at(&p, w, sizeof w) || strcasecmp(w, "delete") != 0 || !ident_at(&p, w, sizeof w) ||
	    strcasecmp(w, "from") != 0 || !ident_at(&p, w, sizeof w) || strcmp(w, "__ldp_dml") != 0)
		return 0;
	if (!ident_at(&p, alias, cap))
		return 0; /* sql_dml always leaves an alias */
	if (strcasecmp(alias, "as") == 0 && !ident_at(&p, alias, cap))
		return 0;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p) {
		*cond = NULL;
		return 1;
	}
	if (!ident_at(&p, w, sizeof w) || strcasecmp(w, "where") != 0)
		return 0;
	*cond = p;
	return 1;
}

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static int word_at(const char *p, const char *w)
{
	size_t n = strlen(w);
	return strncasecmp(p, w, n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_';
}

/* The first of `words` at parenthesis depth 0 in s, outside strings,
 * quoted names and comments, as a whole word; NULL when none. *which
 * receives its index in words. */
static const char *top_level_word(const char *s, const char *const *words, size_t nwords, size_t *which)
{
	int depth = 0;
	for (const char *p = s; *p;) {
		if (*p == '\'' || *p == '"') {
			char qc = *p++;
			while (*p && !(*p == qc && p[1] != qc))
				p += *p == qc ? 2 : 1;
			if (*p)
				p++;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		int at_word = (isalpha((unsigned char)*p) || *p == '_') && (p == s || (!isalnum((unsigned char)p[-1]) && p[-1] != '_'));
		if (at_word && depth == 0)
			for (size_t i = 0; i < nwords; i++)
				if (word_at(p, words[i])) {
					*which = i;
					return p;
				}
		p++;
	}
	return NULL;
}

/* UPDATE __ldp_dml [AS] alias SET ... WHERE cond: the alias and cond, when
 * the statement reads no other table (no FROM) and returns nothing; 0
 * otherwise (then every file is read). */
static int update_where(const char *q, char *alias, size_t cap, const char **cond)
{
	char w[64];
	const char *p = q;
	if (!ident_at(&p, w, sizeof w) || strcasecmp(w, "update") != 0 || !ident_at(&p, w, sizeof w) ||
	    strcmp(w, "__ldp_dml") != 0 || !ident_at(&p, alias, cap))
		return 0;
	if (strcasecmp(alias, "as") == 0 && !ident_at(&p, alias, cap))
		return 0;
	static const char *const kw[] = {"from", "where", "returning"};
	size_t which;
	const char *at = top_level_word(p, kw, 3, &which);
	if (!at || which != 1)
		return 0;
	*cond = at + 5;
	return top_level_word(*cond, kw, 3, &which) == NULL;
}

/* MERGE INTO __ldp_dml [AS] alias USING src [[AS] s] ON cond WHEN ...: the
 * alias and a copy of cond (*cond malloc'd), which every target row the
 * statement changes satisfies. Target rows outside cond are never matched, so
 * leaving their files out changes nothing, unless a WHEN NOT MATCHED BY
 * SOURCE clause acts on exactly those rows (then 0, as for other shapes).
 * The source's name (the word before ON) goes to *src, so that a target
 * struct column of that name cannot be mistaken for it. */
static int merge_on(const char *q, char *alias, size_t cap, char **cond, char *src, size_t srccap)
{
	char w[64];
	const char *p = q;
	if (!ident_at(&p, w, sizeof w) || strcasecmp(w, "merge") != 0 || !ident_at(&p, w, sizeof w) ||
	    strcasecmp(w, "into") != 0 || !ident_at(&p, w, sizeof w) || strcmp(w, "__ldp_dml") != 0 ||
	    !ident_at(&p, alias, cap))
		return 0;
	if (strcasecmp(alias, "as") == 0 && !ident_at(&p, alias, cap))
		return 0;
	static const char *const kw[] = {"on", "when", "source", "returning"};
	size_t which;
	const char *on = top_level_word(p, kw, 4, &which);
	if (!on || which != 0)
		return 0;
	/* the source's name: the identifier right before ON */
	const char *b = on;
	while (b > p && isspace((unsigned char)b[-1]))
		b--;
	const char *e = b;
	while (b > p && (isalnum((unsigned char)b[-1]) || b[-1] == '_' || b[-1] == '"'))
		b--;
	if ((size_t)(e - b) >= srccap)
		return 0;
	memcpy(src, b, (size_t)(e - b));
	src[e - b] = '\0';
	const char *c = on + 2;
	const char *when = top_level_word(c, kw, 4, &which);
	if (!when || which != 1)
		return 0;
	for (const char *r = when; (r = top_level_word(r, kw, 4, &which)) != NULL; r++)
		if (which == 2 || which == 3)
			return 0; /* BY SOURCE, RETURNING */
	*cond = strndup(c, (size_t)(when - c));
	return *cond != NULL;
}

/* MERGE's `UPDATE SET *` and `INSERT *` as DuckDB's UPDATE BY NAME and
 * INSERT BY NAME: the target carries two hidden columns, so positional
 * forms would not line up; Iceberg engines (Spark) match these by name. */
static void merge_stars(const char *in, ldp_buf *out)
{
	const char *p = in;
	while (*p) {
		if (*p == '\'' || *p == '"') {
			char qc = *p;
			const char *e = p + 1;
			while (*e && !(*e == qc && e[1] != qc))
				e += *e == qc ? 2 : 1;
			if (*e)
				e++;
			ldp_buf_put(out, p, (size_t)(e - p));
			p = e;
			continue;
		}
		int at_word = (isalpha((unsigned char)*p) || *p == '_') && (p == in || (!isalnum((unsigned char)p[-1]) && p[-1] != '_'));
		if (at_word && word_at(p, "update")) {
			const char *a = skip_space(p + 6);
			if (word_at(a, "set")) {
				const char *b = skip_space(a + 3);
				if (*b == '*') {
					ldp_buf_puts(out, "UPDATE BY NAME");
					p = b + 1;
					continue;
				}
			}
		}
		if (at_word && word_at(p, "insert")) {
			const char *a = skip_space(p + 6);
			if (*a == '*') {
				ldp_buf_puts(out, "INSERT BY NAME");
				p = a + 1;
				continue;
			}
		}
		ldp_buf_putc(out, *p++);
	}
}

int ldp_sql_handle_dml(ldp_sql_session *s, ldp_sql_kind kind, const char *stmt, ldp_sql_outcome *out)
{
	target_ctx c;
	memset(&c, 0, sizeof c);
	c.s = s;
	ldp_sql_scan_names(stmt, find_target, &c);
	if (c.rc || !c.found) {
		free_cols(&c);
		return c.rc ? c.rc : LDP_SQL_PASS;
	}
	const char *kn = ldp_sql_kind_name(kind);
	char *branch = NULL;
	if (*c.suffix) {
		ldp_snapshot_selector sel;
		int rc = ldp_snapshot_selector_parse(c.suffix, &sel);
		if (rc) {
			free_cols(&c);
			return ldp_error_wrap(rc, "in %s.\"%s@%s\"", c.id.ns, c.id.name, c.suffix);
		}
		if (!sel.ref) {
			free_cols(&c);
			return ldp_error_set(LDP_EINVALID,
					     "%s on %s.\"%s@%s\": a past snapshot cannot be changed; change the table itself "
					     "(%s.%s) or a branch (%s.\"%s@branch:NAME\")",
					     kn, c.id.ns, c.id.name, c.suffix, c.id.ns, c.id.name, c.id.ns, c.id.name);
		}
		branch = strdup(sel.ref);
		if (!branch) {
			free_cols(&c);
			return ldp_error_set(LDP_ENOMEM, "out of memory");
		}
	}
	ldp_buf q = LDP_BUF_INIT;
	ldp_buf_put(&q, stmt, c.offset);
	ldp_buf_puts(&q, "__ldp_dml");
	if (!has_alias(stmt + c.offset + c.length)) {
		ldp_buf_puts(&q, " AS ");
		ldp_buf_put_sql_ident(&q, c.id.name);
	}
	size_t at = c.offset + c.length;
	for (size_t i = 0; i < c.ncols; i++) {
		ldp_buf_put(&q, stmt + at, c.cols[i].offset - at);
		ldp_buf_put_sql_ident(&q, c.id.name);
		ldp_buf_putc(&q, '.');
		ldp_buf_put_sql_ident(&q, c.cols[i].col ? c.cols[i].col : "");
		at = c.cols[i].offset + c.cols[i].length;
	}
	free_cols(&c);
	if (kind == LDP_SQLK_MERGE)
		merge_stars(stmt + at, &q);
	else
		ldp_buf_puts(&q, stmt + at);
	ldp_dml_result r;
	char alias[300], src[300];
	const char *cond = NULL;
	char *mcond = NULL;
	int rc;
	if (ldp_buf_oom(&q))
		rc = LDP_ENOMEM;
	else if (kind == LDP_SQLK_DELETE && plain_delete(ldp_buf_cstr(&q), alias, sizeof alias, &cond))
		rc = ldp_table_delete_where(s->wh, &c.id, branch, alias, cond, &r);
	else if (kind == LDP_SQLK_UPDATE && update_where(ldp_buf_cstr(&q), alias, sizeof alias, &cond))
		rc = ldp_table_dml(s->wh, &c.id, branch, kind, ldp_buf_cstr(&q), alias, cond, &r);
	else if (kind == LDP_SQLK_MERGE && merge_on(ldp_buf_cstr(&q), alias, sizeof alias, &mcond, src, sizeof src))
		rc = ldp_table_dml_merge(s->wh, &c.id, branch, ldp_buf_cstr(&q), alias, mcond, src, &r);
	else
		rc = ldp_table_dml(s->wh, &c.id, branch, kind, ldp_buf_cstr(&q), NULL, NULL, &r);
	free(mcond);
	ldp_buf_free(&q);
	if (!rc) {
		ldp_buf m = LDP_BUF_INIT;
		const char *mode = r.merge_on_read ? "merge-on-read" : "copy-on-write";
		if (kind == LDP_SQLK_DELETE)
			ldp_buf_printf(&m, "deleted %" PRId64 " row%s from %s.%s", r.deleted, r.deleted == 1 ? "" : "s", c.id.ns, c.id.name);
		else if (kind == LDP_SQLK_UPDATE)
			ldp_buf_printf(&m, "updated %" PRId64 " row%s in %s.%s", r.updated, r.updated == 1 ? "" : "s", c.id.ns, c.id.name);
		else
			ldp_buf_printf(&m, "merged into %s.%s: %" PRId64 " updated, %" PRId64 " deleted, %" PRId64 " inserted",
				       c.id.ns, c.id.name, r.updated, r.deleted, r.inserted);
		if (branch)
			ldp_buf_printf(&m, " (branch %s)", branch);
		if (r.snapshot_id < 0)
			ldp_buf_puts(&m, "; nothing to commit");
		else if (r.merge_on_read)
			ldp_buf_printf(&m, " (%s: %" PRId64 " delete file%s), snapshot %" PRId64, mode, r.delete_files,
				       r.delete_files == 1 ? "" : "s", r.snapshot_id);
		else
			ldp_buf_printf(&m, " (%s: %" PRId64 " file%s rewritten), snapshot %" PRId64, mode, r.files_rewritten,
				       r.files_rewritten == 1 ? "" : "s", r.snapshot_id);
		out->message = ldp_buf_detach(&m);
	}
	free(branch);
	return rc;
}
